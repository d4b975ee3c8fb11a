/* Measurements of radiometric frames: units and region statistics
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <math.h>

#include "thermal-measure.h"

gdouble
thermal_round_celsius (gdouble celsius)
{
  return round (celsius * 100.0) / 100.0;
}

gboolean
thermal_region_measure_raw (const ThermalRect *frame, guint x, guint y,
    guint w, guint h, ThermalRegionRaw *out)
{
  ThermalRect r;
  guint px = 0, py = 0;

  g_return_val_if_fail (frame != NULL && out != NULL, FALSE);
  if (w == 0 || h == 0 || x >= frame->width || y >= frame->height ||
      w > frame->width - x || h > frame->height - y)
    return FALSE;
  r.data = frame->data + (gssize) y * frame->stride + (gsize) x * 2;
  r.stride = frame->stride;
  r.width = w;
  r.height = h;
  thermal_rect_minmax (&r, &out->min, &out->max);
  out->mean = (gdouble) thermal_rect_sum (&r) / ((gdouble) w * h);
  thermal_rect_find (&r, out->min, &px, &py);
  out->min_x = x + px;
  out->min_y = y + py;
  px = py = 0;
  thermal_rect_find (&r, out->max, &px, &py);
  out->max_x = x + px;
  out->max_y = y + py;
  return TRUE;
}

gboolean
thermal_region_measure (const ThermalRect *frame, gdouble scale,
    gdouble offset, guint x, guint y, guint w, guint h, ThermalRegion *out)
{
  ThermalRegionRaw raw;
  ThermalSpot lo, hi;

  g_return_val_if_fail (out != NULL, FALSE);
  if (!thermal_region_measure_raw (frame, x, y, w, h, &raw))
    return FALSE;
  lo.x = raw.min_x;
  lo.y = raw.min_y;
  lo.celsius = thermal_raw_to_celsius (raw.min, scale, offset);
  hi.x = raw.max_x;
  hi.y = raw.max_y;
  hi.celsius = thermal_raw_to_celsius (raw.max, scale, offset);
  out->x = x;
  out->y = y;
  out->w = w;
  out->h = h;
  out->hottest = scale < 0 ? lo : hi;
  out->coldest = scale < 0 ? hi : lo;
  out->min_c = out->coldest.celsius;
  out->max_c = out->hottest.celsius;
  out->mean_c = thermal_raw_to_celsius (raw.mean, scale, offset);
  return TRUE;
}
