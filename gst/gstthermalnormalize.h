/* thermalnormalize: radiometric GRAY16 frames to display values
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include "gstsenxormeta.h"
#include "thermal-measure.h"
#include "overlay-render.h"

G_BEGIN_DECLS

/**
 * GstThermalNormalizeUnit:
 * @GST_THERMAL_NORMALIZE_UNIT_DECI_KELVIN: pixel = 0.1 K
 * @GST_THERMAL_NORMALIZE_UNIT_CENTI_KELVIN: pixel = 0.01 K
 * @GST_THERMAL_NORMALIZE_UNIT_RAW: uncalibrated counts; temperatures (°C)
 *   reported by the element are then the counts themselves
 *
 * The unit of input pixels when buffers carry no #GstSenxorFrameMeta.
 */
typedef enum {
  GST_THERMAL_NORMALIZE_UNIT_DECI_KELVIN,
  GST_THERMAL_NORMALIZE_UNIT_CENTI_KELVIN,
  GST_THERMAL_NORMALIZE_UNIT_RAW,
} GstThermalNormalizeUnit;

GType gst_thermal_normalize_unit_get_type (void);
#define GST_TYPE_THERMAL_NORMALIZE_UNIT (gst_thermal_normalize_unit_get_type ())

#define GST_TYPE_THERMAL_NORMALIZE (gst_thermal_normalize_get_type ())
G_DECLARE_FINAL_TYPE (GstThermalNormalize, gst_thermal_normalize, GST,
    THERMAL_NORMALIZE, GstVideoFilter)

/* The properties, copied once per frame under the object lock. */
typedef struct {
  GstThermalMappingMode mode;
  GstThermalNormalizeUnit input_unit;
  gdouble low_percent;
  gdouble high_percent;
  gdouble plateau;
  gdouble linear_percent;
  gdouble min_temp;
  gdouble max_temp;
  gdouble min_span;
  gdouble smoothing;
  GstClockTime smoothing_time;
  gboolean have_roi;            /* FALSE: the whole frame */
  OverlayRect roi;              /* the roi property, parsed */
  GstClockTime stats_interval;
  gdouble alarm_high;
  gdouble alarm_low;
  gdouble alarm_hysteresis;
  guint alarm_min_pixels;
} GstThermalNormalizeSettings;

struct _GstThermalNormalize {
  GstVideoFilter videofilter;

  /* properties, guarded by GST_OBJECT_LOCK */
  GstThermalNormalizeSettings props;
  gchar *roi_text;
  /* A roi value that could not be parsed; posted as a warning by the
   * streaming thread (at set time the element often has no bus yet). */
  gchar *pending_warning;

  /* streaming state, owned by the streaming thread; reset in start() */
  gboolean out16;
  GstThermalMappingMode last_mode;
  gboolean have_range;          /* smoothed linear range (°C) is valid */
  gdouble range_lo_c, range_hi_c;
  gboolean have_map;            /* smoothed equalisation map is valid */
  gdouble map_lo_c;             /* °C at the centre of bin 0 */
  gdouble map_step_c;           /* °C between bin centres */
  guint map_nbins;
  gboolean alarm_high_on, alarm_low_on;
  GstClockTime next_stats_rt;
  GstClockTime last_rt;         /* of the previous frame */
  gboolean warned_scale;

  /* scratch tables, allocated with the element, never per frame */
  guint32 *hist;
  guint32 *hist_scratch;
  gdouble *map;
  gdouble *map_prev;
  guint8 *lut8;
  guint16 *lut16;
};

G_END_DECLS
