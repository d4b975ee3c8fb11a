/* Measurements of radiometric frames: units and region statistics
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The one place that turns raw pixel values into temperatures and measures
 * rectangles of a frame; thermalnormalize, thermaloverlay, the public metas
 * (gst_senxor_raw_to_celsius()) and the servers all go through it.  The
 * statistics run on the vectorised kernels of thermal-stats.h.  Nothing here
 * knows GStreamer.
 */
#pragma once

#include <glib.h>

#include "thermal-stats.h"

G_BEGIN_DECLS

/* 0 °C in Kelvin */
#define THERMAL_ZERO_CELSIUS_K 273.15

/* The unit of a radiometric frame: K = raw * scale + offset (deci-Kelvin
 * frames: scale 0.1, offset 0). */

/* °C of a raw value (any real, e.g. a mean) */
static inline gdouble
thermal_raw_to_celsius (gdouble raw, gdouble scale, gdouble offset)
{
  return raw * scale + offset - THERMAL_ZERO_CELSIUS_K;
}

/* The raw value (not rounded, not clamped) of @celsius; @scale must not be
 * 0. */
static inline gdouble
thermal_celsius_to_raw (gdouble celsius, gdouble scale, gdouble offset)
{
  return (celsius + THERMAL_ZERO_CELSIUS_K - offset) / scale;
}

/* A temperature as bus messages carry it: rounded to 0.01 °C (pixels are
 * 0.1 K or 0.01 K steps, and the digits beyond are float noise such as
 * 63.750000000000057). */
gdouble thermal_round_celsius (gdouble celsius);

/* Raw statistics of a rectangle; positions are in frame pixels, the first
 * pixel in raster order of the rectangle on ties. */
typedef struct {
  guint16 min, max;
  gdouble mean;
  guint min_x, min_y;
  guint max_x, max_y;
} ThermalRegionRaw;

/* Measures the @w x @h rectangle at (@x, @y) of @frame.  The rectangle
 * must lie inside the frame and not be empty (returns FALSE and leaves
 * @out alone otherwise). */
gboolean thermal_region_measure_raw (const ThermalRect *frame, guint x,
    guint y, guint w, guint h, ThermalRegionRaw *out);

typedef struct {
  guint x, y;
  gdouble celsius;
} ThermalSpot;

/* A region in °C (not rounded).  With a negative scale the largest raw
 * value is the coldest pixel: hottest/coldest and min/max follow the
 * temperature, not the raw value. */
typedef struct {
  guint x, y, w, h;
  gdouble min_c, mean_c, max_c;
  ThermalSpot hottest, coldest;
} ThermalRegion;

/* thermal_region_measure_raw() and the unit (@scale, @offset) in one. */
gboolean thermal_region_measure (const ThermalRect *frame, gdouble scale,
    gdouble offset, guint x, guint y, guint w, guint h, ThermalRegion *out);

G_END_DECLS
