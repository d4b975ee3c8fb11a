/* Pixel kernels of thermalnormalize: range, histogram, counts and mappings
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function splits the work into rows and hands a row to a small loop
 * over restrict-qualified pointers that GCC vectorises at -O3 (check with
 * -fopt-info-vec).  Rows are independent, so any stride works.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "thermal-stats.h"

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define LE16(v) (v)
#else
#define LE16(v) GUINT16_SWAP_LE_BE (v)
#endif

/* The frame loops are built three times, for AVX-512 (x86-64-v4), AVX2
 * and the baseline, and the loader picks one (GCC function
 * multi-versioning): more lanes on machines that have them, the same
 * results everywhere (no FMA contraction: -ffp-contract=off in
 * gst/meson.build).  -DTHERMAL_NO_CLONES builds the baseline only. */
#if !defined(THERMAL_NO_CLONES) && defined(__GNUC__) && \
    !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define KERNEL __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#define KERNEL
#endif

/* Row loops are inlined into each clone so they get its instructions. */
#if defined(__GNUC__)
#define ROW static inline __attribute__ ((always_inline))
#else
#define ROW static inline
#endif

static inline const guint16 *
rect_row (const ThermalRect *r, guint y)
{
  return (const guint16 *) (r->data + (gssize) y * r->stride);
}

/* ---- reductions ---- */

ROW void
row_minmax (const guint16 *restrict s, guint w, guint16 *min, guint16 *max)
{
  guint16 mn = *min, mx = *max;

  for (guint i = 0; i < w; i++) {
    guint16 v = LE16 (s[i]);
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
  }
  *min = mn;
  *max = mx;
}

KERNEL void
thermal_rect_minmax (const ThermalRect *r, guint16 *min, guint16 *max)
{
  guint16 mn = G_MAXUINT16, mx = 0;

  if (r->width == 0 || r->height == 0) {
    *min = *max = 0;
    return;
  }
  for (guint y = 0; y < r->height; y++)
    row_minmax (rect_row (r, y), r->width, &mn, &mx);
  *min = mn;
  *max = mx;
}

ROW guint32
row_sum (const guint16 *restrict s, guint w)
{
  guint32 sum = 0;

  /* Rows are at most 65537 pixels wide before this can wrap; callers split
   * wider rows (see thermal_rect_sum). */
  for (guint i = 0; i < w; i++)
    sum += LE16 (s[i]);
  return sum;
}

KERNEL guint64
thermal_rect_sum (const ThermalRect *r)
{
  guint64 sum = 0;

  for (guint y = 0; y < r->height; y++) {
    const guint16 *s = rect_row (r, y);
    for (guint x = 0; x < r->width; x += 65536)
      sum += row_sum (s + x, MIN (r->width - x, 65536u));
  }
  return sum;
}

ROW guint32
row_count_ge (const guint16 *restrict s, guint w, guint16 t)
{
  guint32 n = 0;

  for (guint i = 0; i < w; i++)
    n += LE16 (s[i]) >= t;
  return n;
}

ROW guint32
row_count_le (const guint16 *restrict s, guint w, guint16 t)
{
  guint32 n = 0;

  for (guint i = 0; i < w; i++)
    n += LE16 (s[i]) <= t;
  return n;
}

KERNEL guint64
thermal_rect_count_ge (const ThermalRect *r, guint16 threshold)
{
  guint64 n = 0;

  for (guint y = 0; y < r->height; y++)
    n += row_count_ge (rect_row (r, y), r->width, threshold);
  return n;
}

KERNEL guint64
thermal_rect_count_le (const ThermalRect *r, guint16 threshold)
{
  guint64 n = 0;

  for (guint y = 0; y < r->height; y++)
    n += row_count_le (rect_row (r, y), r->width, threshold);
  return n;
}

gboolean
thermal_rect_find (const ThermalRect *r, guint16 value, guint *x, guint *y)
{
  for (guint j = 0; j < r->height; j++) {
    const guint16 *s = rect_row (r, j);
    for (guint i = 0; i < r->width; i++) {
      if (LE16 (s[i]) == value) {
        *x = i;
        *y = j;
        return TRUE;
      }
    }
  }
  return FALSE;
}

/* ---- histogram ---- */

guint
thermal_hist_shift (guint16 lo, guint16 hi, guint max_bins, guint *nbins)
{
  guint span = hi >= lo ? (guint) (hi - lo) : 0;
  guint shift = 0;

  g_return_val_if_fail (max_bins >= 1, 0);
  while ((span >> shift) + 1 > max_bins)
    shift++;
  *nbins = (span >> shift) + 1;
  return shift;
}

/* Rows of the histogram: pixels are known to lie in [lo, lo + (nbins <<
 * shift)), so no clamping; the mask only keeps a broken promise inside the
 * tables.  Four interleaved tables keep runs of equal values (a uniform
 * background, the common case in thermal pictures) from stalling on one
 * counter. */
ROW void
row_histogram (const guint16 *restrict s, guint w, guint16 lo, guint shift,
    guint32 *restrict h)
{
  const guint mask = THERMAL_HIST_MAX_BINS - 1;
  guint32 *restrict h1 = h + THERMAL_HIST_MAX_BINS;
  guint32 *restrict h2 = h + 2 * THERMAL_HIST_MAX_BINS;
  guint32 *restrict h3 = h + 3 * THERMAL_HIST_MAX_BINS;
  guint i = 0;

  for (; i + 3 < w; i += 4) {
    h[((guint) (LE16 (s[i]) - lo) >> shift) & mask]++;
    h1[((guint) (LE16 (s[i + 1]) - lo) >> shift) & mask]++;
    h2[((guint) (LE16 (s[i + 2]) - lo) >> shift) & mask]++;
    h3[((guint) (LE16 (s[i + 3]) - lo) >> shift) & mask]++;
  }
  for (; i < w; i++)
    h[((guint) (LE16 (s[i]) - lo) >> shift) & mask]++;
}

KERNEL void
thermal_rect_histogram (const ThermalRect *r, guint16 lo, guint shift,
    guint nbins, guint32 *hist, guint32 *scratch)
{
  g_return_if_fail (nbins >= 1 && nbins <= THERMAL_HIST_MAX_BINS);
  for (guint t = 0; t < 4; t++)
    memset (scratch + t * THERMAL_HIST_MAX_BINS, 0, nbins * sizeof (guint32));
  /* one bin per raw step is the common case: a constant shift of 0 */
  if (shift == 0)
    for (guint y = 0; y < r->height; y++)
      row_histogram (rect_row (r, y), r->width, lo, 0, scratch);
  else
    for (guint y = 0; y < r->height; y++)
      row_histogram (rect_row (r, y), r->width, lo, shift, scratch);
  for (guint i = 0; i < nbins; i++)
    hist[i] = scratch[i] + scratch[THERMAL_HIST_MAX_BINS + i] +
        scratch[2 * THERMAL_HIST_MAX_BINS + i] +
        scratch[3 * THERMAL_HIST_MAX_BINS + i];
}

/* ---- mappings ---- */

/* The fast rows clamp after the conversion to integer (cheaper than two
 * float clamps, GCC turns them into saturating packs); they need every
 * value to fit an int32, which linear_fits() checks.  The careful rows
 * clamp in float first, for ranges far outside the 16-bit domain. */
static gboolean
linear_fits (gint32 lo, gfloat k, gfloat c)
{
  gdouble a = ((gdouble) 0 - lo) * k + c, b = ((gdouble) 65535 - lo) * k + c;

  return fabs (a) < 1e9 && fabs (b) < 1e9;
}

ROW void
row_linear_u8 (const guint16 *restrict s, guint8 *restrict d, guint w,
    gint32 lo, gfloat k, gfloat c)
{
  for (guint i = 0; i < w; i++) {
    gint32 t = (gint32) ((gfloat) ((gint32) LE16 (s[i]) - lo) * k + c);
    t = t > 0 ? t : 0;
    d[i] = (guint8) (t < 255 ? t : 255);
  }
}

ROW void
row_linear_u16 (const guint16 *restrict s, guint16 *restrict d, guint w,
    gint32 lo, gfloat k, gfloat c)
{
  for (guint i = 0; i < w; i++) {
    gint32 t = (gint32) ((gfloat) ((gint32) LE16 (s[i]) - lo) * k + c);
    t = t > 0 ? t : 0;
    d[i] = LE16 ((guint16) (t < 65535 ? t : 65535));
  }
}

ROW void
row_linear_careful (const guint16 *restrict s, guint8 *restrict d8,
    guint16 *restrict d16, guint w, gint32 lo, gfloat k, gfloat c)
{
  for (guint i = 0; i < w; i++) {
    gfloat f = (gfloat) ((gint32) LE16 (s[i]) - lo) * k + c;
    f = f > 0.0f ? f : 0.0f;
    if (d8)
      d8[i] = (guint8) (gint32) (f < 255.0f ? f : 255.0f);
    else
      d16[i] = LE16 ((guint16) (gint32) (f < 65535.0f ? f : 65535.0f));
  }
}

KERNEL void
thermal_map_linear_u8 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    gint32 lo_i, gfloat k, gfloat c)
{
  gboolean fits = linear_fits (lo_i, k, c);

  for (guint y = 0; y < src->height; y++) {
    if (fits)
      row_linear_u8 (rect_row (src, y), dst + (gssize) y * dst_stride,
          src->width, lo_i, k, c);
    else
      row_linear_careful (rect_row (src, y), dst + (gssize) y * dst_stride,
          NULL, src->width, lo_i, k, c);
  }
}

KERNEL void
thermal_map_linear_u16 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    gint32 lo_i, gfloat k, gfloat c)
{
  gboolean fits = linear_fits (lo_i, k, c);

  for (guint y = 0; y < src->height; y++) {
    guint16 *d = (guint16 *) (dst + (gssize) y * dst_stride);

    if (fits)
      row_linear_u16 (rect_row (src, y), d, src->width, lo_i, k, c);
    else
      row_linear_careful (rect_row (src, y), NULL, d, src->width, lo_i, k, c);
  }
}

/* Table look-ups do not vectorise (no cheap gathers), so the clamping and
 * binning run vectorised over a chunk of indices first and the look-up loop
 * is left with a load and a store per pixel. */
#define LUT_CHUNK 256

ROW void
chunk_index (const guint16 *restrict s, guint16 *restrict idx, guint n,
    guint16 lo, guint shift, guint16 last)
{
  for (guint i = 0; i < n; i++) {
    guint16 a = LE16 (s[i]);
    a = a > lo ? (guint16) ((a - lo) >> shift) : 0;
    idx[i] = a < last ? a : last;
  }
}

ROW void
row_lut_u8 (const guint16 *restrict s, guint8 *restrict d, guint w,
    guint16 lo, guint shift, guint16 last, const guint8 *restrict lut)
{
  guint16 idx[LUT_CHUNK];

  for (guint x = 0; x < w; x += LUT_CHUNK) {
    guint n = MIN (w - x, LUT_CHUNK);

    chunk_index (s + x, idx, n, lo, shift, last);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
    for (guint i = 0; i < n; i++)
      d[x + i] = lut[idx[i]];
  }
}

ROW void
row_lut_u16 (const guint16 *restrict s, guint16 *restrict d, guint w,
    guint16 lo, guint shift, guint16 last, const guint16 *restrict lut)
{
  guint16 idx[LUT_CHUNK];

  for (guint x = 0; x < w; x += LUT_CHUNK) {
    guint n = MIN (w - x, LUT_CHUNK);

    chunk_index (s + x, idx, n, lo, shift, last);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
    for (guint i = 0; i < n; i++)
      d[x + i] = LE16 (lut[idx[i]]);
  }
}

KERNEL void
thermal_map_lut_u8 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    guint16 lo, guint shift, guint nbins, const guint8 *lut)
{
  g_return_if_fail (nbins >= 1);
  for (guint y = 0; y < src->height; y++)
    row_lut_u8 (rect_row (src, y), dst + (gssize) y * dst_stride,
        src->width, lo, shift, nbins - 1, lut);
}

KERNEL void
thermal_map_lut_u16 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    guint16 lo, guint shift, guint nbins, const guint16 *lut)
{
  g_return_if_fail (nbins >= 1);
  for (guint y = 0; y < src->height; y++)
    row_lut_u16 (rect_row (src, y),
        (guint16 *) (dst + (gssize) y * dst_stride), src->width, lo, shift,
        nbins - 1, lut);
}
