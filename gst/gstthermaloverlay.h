/* thermaloverlay: real temperatures drawn on the thermal picture
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

/**
 * GstThermalOverlayUnits:
 * @GST_THERMAL_OVERLAY_UNITS_CELSIUS: degrees Celsius
 * @GST_THERMAL_OVERLAY_UNITS_FAHRENHEIT: degrees Fahrenheit
 * @GST_THERMAL_OVERLAY_UNITS_KELVIN: Kelvin
 *
 * The unit of the drawn labels (messages always carry °C).
 */
typedef enum {
  GST_THERMAL_OVERLAY_UNITS_CELSIUS,
  GST_THERMAL_OVERLAY_UNITS_FAHRENHEIT,
  GST_THERMAL_OVERLAY_UNITS_KELVIN,
} GstThermalOverlayUnits;

GType gst_thermal_overlay_units_get_type (void);
#define GST_TYPE_THERMAL_OVERLAY_UNITS (gst_thermal_overlay_units_get_type ())

#define GST_TYPE_THERMAL_OVERLAY (gst_thermal_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstThermalOverlay, gst_thermal_overlay, GST,
    THERMAL_OVERLAY, GstVideoFilter)

G_END_DECLS
