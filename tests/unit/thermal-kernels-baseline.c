/* The pixel kernels of thermalnormalize built once more, baseline x86-64
 * only and under other names, so test-thermal-kernels can compare them with
 * the multi-versioned (AVX2 / AVX-512) build the plugin uses.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define THERMAL_NO_CLONES 1
#define thermal_rect_minmax baseline_rect_minmax
#define thermal_rect_sum baseline_rect_sum
#define thermal_rect_count_ge baseline_rect_count_ge
#define thermal_rect_count_le baseline_rect_count_le
#define thermal_rect_find baseline_rect_find
#define thermal_hist_shift baseline_hist_shift
#define thermal_rect_histogram baseline_rect_histogram
#define thermal_map_linear_u8 baseline_map_linear_u8
#define thermal_map_linear_u16 baseline_map_linear_u16
#define thermal_map_lut_u8 baseline_map_lut_u8
#define thermal_map_lut_u16 baseline_map_lut_u16

#include "thermal-kernels-baseline.h"
#include "../../gst/thermal-stats.c"
