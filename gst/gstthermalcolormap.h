/* thermalcolormap: GRAY8 to colour through a thermal palette
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include "palette-file.h"

G_BEGIN_DECLS

#define GST_TYPE_THERMAL_COLORMAP (gst_thermal_colormap_get_type ())
G_DECLARE_FINAL_TYPE (GstThermalColormap, gst_thermal_colormap, GST,
    THERMAL_COLORMAP, GstVideoFilter)

/**
 * GstThermalColormapAlphaMode:
 * @GST_THERMAL_COLORMAP_ALPHA_OPAQUE: alpha 255 everywhere
 * @GST_THERMAL_COLORMAP_ALPHA_CONSTANT: the `alpha` property everywhere
 * @GST_THERMAL_COLORMAP_ALPHA_THRESHOLD: 0 where the input level is below
 *   `alpha-threshold`, the `alpha` property elsewhere
 *
 * How the alpha channel of RGBA-family output is filled.
 */
typedef enum {
  GST_THERMAL_COLORMAP_ALPHA_OPAQUE,
  GST_THERMAL_COLORMAP_ALPHA_CONSTANT,
  GST_THERMAL_COLORMAP_ALPHA_THRESHOLD,
} GstThermalColormapAlphaMode;

GType gst_thermal_colormap_alpha_mode_get_type (void);
#define GST_TYPE_THERMAL_COLORMAP_ALPHA_MODE \
  (gst_thermal_colormap_alpha_mode_get_type ())

G_END_DECLS
