/* Pixel kernels of thermalnormalize: range, histogram, counts and mappings
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each function splits the work into rows and hands a row to a small loop
 * over restrict-qualified pointers that GCC vectorises at -O3 (check with
 * -fopt-info-vec).  Rows are independent, so any stride works.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "thermal-stats.h"

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define LE16(v) (v)
#else
#define LE16(v) GUINT16_SWAP_LE_BE (v)
#endif

static inline const guint16 *
rect_row (const ThermalRect *r, guint y)
{
  return (const guint16 *) (r->data + (gssize) y * r->stride);
}

/* ---- reductions ---- */

static void
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

void
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

static guint32
row_sum (const guint16 *restrict s, guint w)
{
  guint32 sum = 0;

  /* Rows are at most 65537 pixels wide before this can wrap; callers split
   * wider rows (see thermal_rect_sum). */
  for (guint i = 0; i < w; i++)
    sum += LE16 (s[i]);
  return sum;
}

guint64
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

static guint32
row_count_ge (const guint16 *restrict s, guint w, guint16 t)
{
  guint32 n = 0;

  for (guint i = 0; i < w; i++)
    n += LE16 (s[i]) >= t;
  return n;
}

static guint32
row_count_le (const guint16 *restrict s, guint w, guint16 t)
{
  guint32 n = 0;

  for (guint i = 0; i < w; i++)
    n += LE16 (s[i]) <= t;
  return n;
}

guint64
thermal_rect_count_ge (const ThermalRect *r, guint16 threshold)
{
  guint64 n = 0;

  for (guint y = 0; y < r->height; y++)
    n += row_count_ge (rect_row (r, y), r->width, threshold);
  return n;
}

guint64
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

static void
row_histogram (const guint16 *restrict s, guint w, guint16 lo, guint shift,
    guint last, guint32 *restrict h0, guint32 *restrict h1)
{
  guint i = 0;

  /* Two interleaved tables halve the stalls on runs of equal values (a
   * uniform background), which are the common case in thermal pictures. */
  for (; i + 1 < w; i += 2) {
    guint a = LE16 (s[i]), b = LE16 (s[i + 1]);
    a = a > lo ? (a - lo) >> shift : 0;
    b = b > lo ? (b - lo) >> shift : 0;
    h0[a < last ? a : last]++;
    h1[b < last ? b : last]++;
  }
  if (i < w) {
    guint a = LE16 (s[i]);
    a = a > lo ? (a - lo) >> shift : 0;
    h0[a < last ? a : last]++;
  }
}

void
thermal_rect_histogram (const ThermalRect *r, guint16 lo, guint shift,
    guint nbins, guint32 *hist)
{
  /* The second table lives on the stack: 16 KiB, no allocation. */
  guint32 h1[THERMAL_HIST_MAX_BINS];

  g_return_if_fail (nbins >= 1 && nbins <= THERMAL_HIST_MAX_BINS);
  memset (hist, 0, nbins * sizeof (guint32));
  memset (h1, 0, nbins * sizeof (guint32));
  for (guint y = 0; y < r->height; y++)
    row_histogram (rect_row (r, y), r->width, lo, shift, nbins - 1, hist, h1);
  for (guint i = 0; i < nbins; i++)
    hist[i] += h1[i];
}

/* ---- mappings ---- */

static void
row_linear_u8 (const guint16 *restrict s, guint8 *restrict d, guint w,
    gint32 lo, gfloat k, gfloat c)
{
  for (guint i = 0; i < w; i++) {
    gfloat f = (gfloat) ((gint32) LE16 (s[i]) - lo) * k + c;
    f = f > 0.0f ? f : 0.0f;
    f = f < 255.0f ? f : 255.0f;
    d[i] = (guint8) (gint32) f;
  }
}

static void
row_linear_u16 (const guint16 *restrict s, guint16 *restrict d, guint w,
    gint32 lo, gfloat k, gfloat c)
{
  for (guint i = 0; i < w; i++) {
    gfloat f = (gfloat) ((gint32) LE16 (s[i]) - lo) * k + c;
    f = f > 0.0f ? f : 0.0f;
    f = f < 65535.0f ? f : 65535.0f;
    d[i] = LE16 ((guint16) (gint32) f);
  }
}

void
thermal_map_linear_u8 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    gint32 lo_i, gfloat k, gfloat c)
{
  for (guint y = 0; y < src->height; y++)
    row_linear_u8 (rect_row (src, y), dst + (gssize) y * dst_stride,
        src->width, lo_i, k, c);
}

void
thermal_map_linear_u16 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    gint32 lo_i, gfloat k, gfloat c)
{
  for (guint y = 0; y < src->height; y++)
    row_linear_u16 (rect_row (src, y),
        (guint16 *) (dst + (gssize) y * dst_stride), src->width, lo_i, k, c);
}

static void
row_lut_u8 (const guint16 *restrict s, guint8 *restrict d, guint w,
    guint16 lo, guint shift, guint last, const guint8 *restrict lut)
{
  for (guint i = 0; i < w; i++) {
    guint a = LE16 (s[i]);
    a = a > lo ? (a - lo) >> shift : 0;
    d[i] = lut[a < last ? a : last];
  }
}

static void
row_lut_u16 (const guint16 *restrict s, guint16 *restrict d, guint w,
    guint16 lo, guint shift, guint last, const guint16 *restrict lut)
{
  for (guint i = 0; i < w; i++) {
    guint a = LE16 (s[i]);
    a = a > lo ? (a - lo) >> shift : 0;
    d[i] = LE16 (lut[a < last ? a : last]);
  }
}

void
thermal_map_lut_u8 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    guint16 lo, guint shift, guint nbins, const guint8 *lut)
{
  g_return_if_fail (nbins >= 1);
  for (guint y = 0; y < src->height; y++)
    row_lut_u8 (rect_row (src, y), dst + (gssize) y * dst_stride,
        src->width, lo, shift, nbins - 1, lut);
}

void
thermal_map_lut_u16 (const ThermalRect *src, guint8 *dst, gint dst_stride,
    guint16 lo, guint shift, guint nbins, const guint16 *lut)
{
  g_return_if_fail (nbins >= 1);
  for (guint y = 0; y < src->height; y++)
    row_lut_u16 (rect_row (src, y),
        (guint16 *) (dst + (gssize) y * dst_stride), src->width, lo, shift,
        nbins - 1, lut);
}
