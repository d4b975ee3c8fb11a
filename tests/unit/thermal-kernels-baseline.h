/* Baseline builds of the thermalnormalize kernels (see the .c file)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "thermal-stats.h"

void baseline_rect_minmax (const ThermalRect *r, guint16 *min, guint16 *max);
guint64 baseline_rect_sum (const ThermalRect *r);
guint64 baseline_rect_count_ge (const ThermalRect *r, guint16 threshold);
guint64 baseline_rect_count_le (const ThermalRect *r, guint16 threshold);
void baseline_rect_histogram (const ThermalRect *r, guint16 lo, guint shift,
    guint nbins, guint32 *hist, guint32 *scratch);
void baseline_map_linear_u8 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, gint32 lo_i, gfloat k, gfloat c);
void baseline_map_linear_u16 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, gint32 lo_i, gfloat k, gfloat c);
void baseline_map_lut_u8 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, guint16 lo, guint shift, guint nbins, const guint8 *lut);
void baseline_map_lut_u16 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, guint16 lo, guint shift, guint nbins,
    const guint16 *lut);
