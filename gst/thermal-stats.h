/* Pixel kernels of thermalnormalize: range, histogram, counts and mappings
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Internal to the plugin (and its benchmark).  Every function works on a
 * rectangle of 16-bit little-endian pixels given by the address of its first
 * row and a stride in bytes, so any width, height and stride is accepted.
 * Nothing here allocates: the hot loops are plain row loops that GCC
 * vectorises (this file is built with -O3, see gst/meson.build).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest number of histogram bins; raw spans wider than this are
 * binned 2^shift raw steps per bin. */
#define THERMAL_HIST_MAX_BINS 4096

typedef struct {
  const guint8 *data;   /* first pixel of the rectangle */
  gint stride;          /* bytes between rows */
  guint width;
  guint height;
} ThermalRect;

/* Sets *@min and *@max of the rectangle; 0/0 when it is empty. */
void thermal_rect_minmax (const ThermalRect *r, guint16 *min, guint16 *max);

/* The sum of all pixels of the rectangle. */
guint64 thermal_rect_sum (const ThermalRect *r);

/* How many pixels are >= @threshold / <= @threshold. */
guint64 thermal_rect_count_ge (const ThermalRect *r, guint16 threshold);
guint64 thermal_rect_count_le (const ThermalRect *r, guint16 threshold);

/* Position of the first pixel (in row order) equal to @value; FALSE if none. */
gboolean thermal_rect_find (const ThermalRect *r, guint16 value, guint *x,
    guint *y);

/* Chooses the bin width (2^shift raw steps) so that [lo, hi] fits in at most
 * @max_bins bins; returns the shift and sets *@nbins. */
guint thermal_hist_shift (guint16 lo, guint16 hi, guint max_bins,
    guint *nbins);

/* Histogram of the rectangle over bins of 2^@shift raw steps from @lo:
 * bin = (v - lo) >> shift.  Every pixel must lie in [lo, lo + (nbins <<
 * shift)) (take @lo and the span from thermal_rect_minmax() of the same
 * rectangle); a pixel outside counts in a wrong bin but never writes outside
 * the tables.  @hist (@nbins entries) is overwritten; @scratch holds
 * THERMAL_HIST_SCRATCH entries. */
#define THERMAL_HIST_SCRATCH (4 * THERMAL_HIST_MAX_BINS)
void thermal_rect_histogram (const ThermalRect *r, guint16 lo, guint shift,
    guint nbins, guint32 *hist, guint32 *scratch);

/* Linear mappings of a whole frame: out = clamp (floor ((v - @lo_i) * @k +
 * @c), 0, @out_max), computed in single precision.  @dst is the first output
 * row (GRAY8 or GRAY16_LE), @dst_stride its stride in bytes. */
void thermal_map_linear_u8 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, gint32 lo_i, gfloat k, gfloat c);
void thermal_map_linear_u16 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, gint32 lo_i, gfloat k, gfloat c);

/* Table mappings: out = lut[min ((max (v, lo) - lo) >> shift, nbins - 1)]. */
void thermal_map_lut_u8 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    guint16 lo, guint shift, guint nbins, const guint8 *lut);
void thermal_map_lut_u16 (const ThermalRect *src, guint8 *dst,
    gint dst_stride, guint16 lo, guint shift, guint nbins,
    const guint16 *lut);

G_END_DECLS
