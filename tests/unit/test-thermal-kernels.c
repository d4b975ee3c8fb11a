/* The pixel kernels of thermalnormalize (gst/thermal-stats.c): against plain
 * reference loops, and the multi-versioned build against the baseline one;
 * the measurements built on them (gst/thermal-measure.c: units, regions).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib.h>

#include "thermal-stats.h"
#include "thermal-measure.h"
#include "thermal-kernels-baseline.h"

#define MAX_W 333
#define RD16(p) ((guint) (p)[0] | ((guint) (p)[1] << 8))  /* little-endian */
#define MAX_H 41
#define ROUNDS 400

typedef struct {
  guint16 *pix;                 /* with padding: stride_px per row */
  gint stride_px;
  ThermalRect r;
  guint16 vmin, vmax;
} Frame;

/* A random frame: random size, random padding, values in a random window;
 * the padding holds values outside the window that must never count. */
static void
frame_random (Frame *f, GRand *rand)
{
  guint w = g_rand_int_range (rand, 1, MAX_W + 1);
  guint h = g_rand_int_range (rand, 1, MAX_H + 1);
  guint pad = g_rand_int_range (rand, 0, 5);
  guint span = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 600) :
      g_rand_int_range (rand, 1, 65536);
  guint base = g_rand_int_range (rand, 1, 65536 - span);

  f->stride_px = w + pad;
  f->pix = g_new (guint16, (gsize) f->stride_px * h);
  f->vmin = G_MAXUINT16;
  f->vmax = 0;
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < (guint) f->stride_px; x++) {
      guint16 v = x < w ? base + g_rand_int_range (rand, 0, span) : 0;
      f->pix[y * f->stride_px + x] = GUINT16_TO_LE (v);
      if (x < w) {
        f->vmin = MIN (f->vmin, v);
        f->vmax = MAX (f->vmax, v);
      }
    }
  }
  f->r.data = (const guint8 *) f->pix;
  f->r.stride = f->stride_px * 2;
  f->r.width = w;
  f->r.height = h;
}

static guint16
px (const Frame *f, guint x, guint y)
{
  return GUINT16_FROM_LE (f->pix[y * f->stride_px + x]);
}

static void
test_reductions (void)
{
  GRand *rand = g_rand_new_with_seed (1);

  for (guint round = 0; round < ROUNDS; round++) {
    Frame f;
    guint16 mn, mx, t = g_rand_int (rand);
    guint64 sum = 0, ge = 0, le = 0;
    guint fx = 0, fy = 0, x, y;
    gboolean found = FALSE;

    frame_random (&f, rand);
    for (y = 0; y < f.r.height; y++)
      for (x = 0; x < f.r.width; x++) {
        guint16 v = px (&f, x, y);
        sum += v;
        ge += v >= t;
        le += v <= t;
        if (!found && v == f.vmax) {
          found = TRUE;
          fx = x;
          fy = y;
        }
      }
    thermal_rect_minmax (&f.r, &mn, &mx);
    g_assert_cmpuint (mn, ==, f.vmin);
    g_assert_cmpuint (mx, ==, f.vmax);
    g_assert_cmpuint (thermal_rect_sum (&f.r), ==, sum);
    g_assert_cmpuint (thermal_rect_count_ge (&f.r, t), ==, ge);
    g_assert_cmpuint (thermal_rect_count_le (&f.r, t), ==, le);
    g_assert_true (thermal_rect_find (&f.r, f.vmax, &x, &y));
    g_assert_cmpuint (x, ==, fx);
    g_assert_cmpuint (y, ==, fy);
    g_free (f.pix);
  }
  g_rand_free (rand);
}

static void
test_histogram (void)
{
  GRand *rand = g_rand_new_with_seed (2);
  guint32 *hist = g_new (guint32, THERMAL_HIST_MAX_BINS);
  guint32 *want = g_new (guint32, THERMAL_HIST_MAX_BINS);
  guint32 *scratch = g_new (guint32, THERMAL_HIST_SCRATCH);

  for (guint round = 0; round < ROUNDS; round++) {
    Frame f;
    guint nbins, shift;

    frame_random (&f, rand);
    shift = thermal_hist_shift (f.vmin, f.vmax, THERMAL_HIST_MAX_BINS, &nbins);
    g_assert_cmpuint (nbins, <=, THERMAL_HIST_MAX_BINS);
    g_assert_cmpuint (((guint) (f.vmax - f.vmin) >> shift) + 1, ==, nbins);
    memset (want, 0, nbins * sizeof (guint32));
    for (guint y = 0; y < f.r.height; y++)
      for (guint x = 0; x < f.r.width; x++)
        want[(px (&f, x, y) - f.vmin) >> shift]++;
    thermal_rect_histogram (&f.r, f.vmin, shift, nbins, hist, scratch);
    g_assert_cmpmem (hist, nbins * 4, want, nbins * 4);
    g_free (f.pix);
  }
  g_free (hist);
  g_free (want);
  g_free (scratch);
  g_rand_free (rand);
}

/* The documented rule, written the plain way. */
static guint
linear_ref (guint16 v, gint32 lo, gfloat k, gfloat c, guint out_max)
{
  gfloat f = (gfloat) ((gint32) v - lo) * k + c;

  if (f <= 0)
    return 0;
  if (f >= out_max)
    return out_max;
  return (guint) f;
}

static void
test_mappings (void)
{
  GRand *rand = g_rand_new_with_seed (3);
  guint8 *lut8 = g_new (guint8, THERMAL_HIST_MAX_BINS);
  guint16 *lut16 = g_new (guint16, THERMAL_HIST_MAX_BINS);

  for (guint i = 0; i < THERMAL_HIST_MAX_BINS; i++) {
    lut8[i] = g_rand_int (rand);
    lut16[i] = g_rand_int (rand);
  }
  for (guint round = 0; round < ROUNDS; round++) {
    Frame f;
    gint dstride = g_rand_int_range (rand, 0, 3) * 2;
    guint8 *d8, *d16;
    gint32 lo;
    gfloat k, c;
    guint16 lo16;
    guint nbins, shift;

    frame_random (&f, rand);
    d8 = g_malloc ((gsize) (f.r.width + dstride) * f.r.height);
    d16 = g_malloc ((gsize) (f.r.width * 2 + dstride) * f.r.height);
    /* around the frame's values, and now and then far outside them (the
     * careful path) */
    lo = (gint32) f.vmin + g_rand_int_range (rand, -50, 50);
    k = (gfloat) (255.0 / MAX (1, f.vmax - f.vmin) *
        g_rand_double_range (rand, 0.5, 2));
    c = (gfloat) g_rand_double_range (rand, -1, 0.5);
    if (round % 10 == 0)
      lo = g_rand_int_range (rand, -2000000000, 2000000000);
    thermal_map_linear_u8 (&f.r, d8, f.r.width + dstride, lo, k, c);
    thermal_map_linear_u16 (&f.r, d16, f.r.width * 2 + dstride, lo, k * 257,
        c);
    for (guint y = 0; y < f.r.height; y++)
      for (guint x = 0; x < f.r.width; x++) {
        guint16 v = px (&f, x, y);
        guint got8 = d8[y * (f.r.width + dstride) + x];
        guint got16 = RD16 (d16 + y * (f.r.width * 2 + dstride) + 2 * x);

        if (got8 != linear_ref (v, lo, k, c, 255))
          g_error ("linear u8 at %u,%u: %u vs %u", x, y, got8,
              linear_ref (v, lo, k, c, 255));
        if (got16 != linear_ref (v, lo, k * 257, c, 65535))
          g_error ("linear u16 at %u,%u: %u vs %u", x, y, got16,
              linear_ref (v, lo, k * 257, c, 65535));
      }

    /* look-ups clamp below lo and above the last bin */
    lo16 = f.vmin + g_rand_int_range (rand, 0, 1 + (f.vmax - f.vmin) / 2);
    shift = thermal_hist_shift (lo16, f.vmax, g_rand_int_range (rand, 1,
            THERMAL_HIST_MAX_BINS + 1), &nbins);
    nbins = MAX (1, nbins - g_rand_int_range (rand, 0, nbins));
    thermal_map_lut_u8 (&f.r, d8, f.r.width + dstride, lo16, shift, nbins,
        lut8);
    thermal_map_lut_u16 (&f.r, d16, f.r.width * 2 + dstride, lo16, shift,
        nbins, lut16);
    for (guint y = 0; y < f.r.height; y++)
      for (guint x = 0; x < f.r.width; x++) {
        guint16 v = px (&f, x, y);
        guint bin = v > lo16 ? (guint) (v - lo16) >> shift : 0;

        bin = MIN (bin, nbins - 1);
        if (d8[y * (f.r.width + dstride) + x] != lut8[bin] ||
            RD16 (d16 + y * (f.r.width * 2 + dstride) + 2 * x) !=
            lut16[bin])
          g_error ("look-up at %u,%u (value %u, bin %u)", x, y, v, bin);
      }
    g_free (d8);
    g_free (d16);
    g_free (f.pix);
  }
  g_free (lut8);
  g_free (lut16);
  g_rand_free (rand);
}

/* Every clone the loader may pick computes what the baseline computes. */
static void
test_clones_match_baseline (void)
{
  GRand *rand = g_rand_new_with_seed (4);
  guint32 *h1 = g_new (guint32, THERMAL_HIST_MAX_BINS);
  guint32 *h2 = g_new (guint32, THERMAL_HIST_MAX_BINS);
  guint32 *scratch = g_new (guint32, THERMAL_HIST_SCRATCH);
  guint8 *lut8 = g_new (guint8, THERMAL_HIST_MAX_BINS);
  guint16 *lut16 = g_new (guint16, THERMAL_HIST_MAX_BINS);

  for (guint i = 0; i < THERMAL_HIST_MAX_BINS; i++) {
    lut8[i] = g_rand_int (rand);
    lut16[i] = g_rand_int (rand);
  }
  for (guint round = 0; round < ROUNDS; round++) {
    Frame f;
    gsize n8, n16;
    guint8 *a, *b;
    guint16 m1, M1, m2, M2, t;
    guint nbins, shift;
    gint32 lo;
    gfloat k, c;

    frame_random (&f, rand);
    n8 = (gsize) f.r.width * f.r.height;
    n16 = n8 * 2;
    a = g_malloc (n16);
    b = g_malloc (n16);
    t = g_rand_int (rand);

    thermal_rect_minmax (&f.r, &m1, &M1);
    baseline_rect_minmax (&f.r, &m2, &M2);
    g_assert_cmpuint (m1, ==, m2);
    g_assert_cmpuint (M1, ==, M2);
    g_assert_cmpuint (thermal_rect_sum (&f.r), ==, baseline_rect_sum (&f.r));
    g_assert_cmpuint (thermal_rect_count_ge (&f.r, t), ==,
        baseline_rect_count_ge (&f.r, t));
    g_assert_cmpuint (thermal_rect_count_le (&f.r, t), ==,
        baseline_rect_count_le (&f.r, t));

    shift = thermal_hist_shift (m1, M1, THERMAL_HIST_MAX_BINS, &nbins);
    thermal_rect_histogram (&f.r, m1, shift, nbins, h1, scratch);
    baseline_rect_histogram (&f.r, m1, shift, nbins, h2, scratch);
    g_assert_cmpmem (h1, nbins * 4, h2, nbins * 4);

    lo = (gint32) m1 + g_rand_int_range (rand, -100, 100);
    k = (gfloat) g_rand_double_range (rand, 0.001, 300);
    c = (gfloat) g_rand_double_range (rand, -300, 0.5);
    thermal_map_linear_u8 (&f.r, a, f.r.width, lo, k, c);
    baseline_map_linear_u8 (&f.r, b, f.r.width, lo, k, c);
    g_assert_cmpmem (a, n8, b, n8);
    thermal_map_linear_u16 (&f.r, a, f.r.width * 2, lo, k * 200, c);
    baseline_map_linear_u16 (&f.r, b, f.r.width * 2, lo, k * 200, c);
    g_assert_cmpmem (a, n16, b, n16);

    thermal_map_lut_u8 (&f.r, a, f.r.width, m1, shift, nbins, lut8);
    baseline_map_lut_u8 (&f.r, b, f.r.width, m1, shift, nbins, lut8);
    g_assert_cmpmem (a, n8, b, n8);
    thermal_map_lut_u16 (&f.r, a, f.r.width * 2, m1, shift, nbins, lut16);
    baseline_map_lut_u16 (&f.r, b, f.r.width * 2, m1, shift, nbins, lut16);
    g_assert_cmpmem (a, n16, b, n16);

    g_free (a);
    g_free (b);
    g_free (f.pix);
  }
  g_free (h1);
  g_free (h2);
  g_free (scratch);
  g_free (lut8);
  g_free (lut16);
  g_rand_free (rand);
}

/* ---- gst/thermal-measure.c ---- */

static void
test_units (void)
{
  /* deci-Kelvin, centi-Kelvin and an offset unit */
  g_assert_cmpfloat_with_epsilon (thermal_raw_to_celsius (2931.5, 0.1, 0), 20.0,
      1e-9);
  g_assert_cmpfloat_with_epsilon (thermal_raw_to_celsius (29315, 0.01, 0),
      20.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (thermal_raw_to_celsius (0, 0.1, 0), -273.15,
      1e-9);
  g_assert_cmpfloat_with_epsilon (thermal_raw_to_celsius (10, 1.0, 273.15),
      10.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (thermal_raw_to_celsius (100, -0.5, 400),
      76.85, 1e-9);
  for (gint raw = 0; raw <= 65535; raw += 1111) {
    gdouble c = thermal_raw_to_celsius (raw, 0.1, 12.5);
    g_assert_cmpfloat_with_epsilon (thermal_celsius_to_raw (c, 0.1, 12.5), raw,
        1e-6);
    c = thermal_raw_to_celsius (raw, -0.02, 900);
    g_assert_cmpfloat_with_epsilon (thermal_celsius_to_raw (c, -0.02, 900),
        raw, 1e-6);
  }
  g_assert_cmpfloat (thermal_round_celsius (63.750000000000057), ==, 63.75);
  g_assert_cmpfloat (thermal_round_celsius (36.549999999), ==, 36.55);
  g_assert_cmpfloat (thermal_round_celsius (-12.3456), ==, -12.35);
  g_assert_cmpfloat (thermal_round_celsius (21.0), ==, 21.0);
}

/* Random sub-rectangles of random frames against a plain loop: minimum,
 * maximum, mean and the first hottest/coldest pixel in raster order, in
 * frame coordinates. */
static void
test_regions (void)
{
  GRand *rand = g_rand_new_with_seed (7);

  for (guint round = 0; round < ROUNDS; round++) {
    Frame f;
    ThermalRegionRaw m;
    ThermalRegion c;
    guint x0, y0, w, h, x, y, minx = 0, miny = 0, maxx = 0, maxy = 0;
    guint16 mn = G_MAXUINT16, mx = 0;
    guint64 sum = 0;

    frame_random (&f, rand);
    x0 = g_rand_int_range (rand, 0, f.r.width);
    y0 = g_rand_int_range (rand, 0, f.r.height);
    w = g_rand_int_range (rand, 1, f.r.width - x0 + 1);
    h = g_rand_int_range (rand, 1, f.r.height - y0 + 1);
    for (y = y0; y < y0 + h; y++)
      for (x = x0; x < x0 + w; x++) {
        guint16 v = px (&f, x, y);
        sum += v;
        if (v < mn) {
          mn = v;
          minx = x;
          miny = y;
        }
        if (v > mx) {
          mx = v;
          maxx = x;
          maxy = y;
        }
      }
    g_assert_true (thermal_region_measure_raw (&f.r, x0, y0, w, h, &m));
    g_assert_cmpuint (m.min, ==, mn);
    g_assert_cmpuint (m.max, ==, mx);
    g_assert_cmpfloat_with_epsilon (m.mean, (gdouble) sum / ((gdouble) w * h),
        1e-9);
    g_assert_cmpuint (m.min_x, ==, minx);
    g_assert_cmpuint (m.min_y, ==, miny);
    g_assert_cmpuint (m.max_x, ==, maxx);
    g_assert_cmpuint (m.max_y, ==, maxy);

    /* in °C; a negative scale makes the largest value the coldest */
    g_assert_true (thermal_region_measure (&f.r, 0.1, 0, x0, y0, w, h, &c));
    g_assert_cmpuint (c.x, ==, x0);
    g_assert_cmpuint (c.w, ==, w);
    g_assert_cmpuint (c.hottest.x, ==, maxx);
    g_assert_cmpuint (c.hottest.y, ==, maxy);
    g_assert_cmpuint (c.coldest.x, ==, minx);
    g_assert_cmpuint (c.coldest.y, ==, miny);
    g_assert_cmpfloat (c.max_c, ==, thermal_raw_to_celsius (mx, 0.1, 0));
    g_assert_cmpfloat (c.min_c, ==, thermal_raw_to_celsius (mn, 0.1, 0));
    g_assert_cmpfloat_with_epsilon (c.mean_c, thermal_raw_to_celsius (
            (gdouble) sum / ((gdouble) w * h), 0.1, 0), 1e-9);
    g_assert_true (thermal_region_measure (&f.r, -0.1, 7000, x0, y0, w, h,
            &c));
    g_assert_cmpuint (c.hottest.x, ==, minx);
    g_assert_cmpuint (c.hottest.y, ==, miny);
    g_assert_cmpuint (c.coldest.x, ==, maxx);
    g_assert_cmpuint (c.coldest.y, ==, maxy);
    g_assert_cmpfloat (c.max_c, ==, thermal_raw_to_celsius (mn, -0.1, 7000));
    g_assert_cmpfloat (c.min_c, ==, thermal_raw_to_celsius (mx, -0.1, 7000));
    g_assert_cmpfloat (c.min_c, <=, c.max_c);

    /* empty or out-of-frame rectangles are refused, not read */
    g_assert_false (thermal_region_measure_raw (&f.r, x0, y0, 0, h, &m));
    g_assert_false (thermal_region_measure_raw (&f.r, x0, y0, w, 0, &m));
    g_assert_false (thermal_region_measure_raw (&f.r, x0, y0,
            f.r.width - x0 + 1, h, &m));
    g_assert_false (thermal_region_measure_raw (&f.r, x0, y0, w,
            f.r.height - y0 + 1, &m));
    g_assert_false (thermal_region_measure_raw (&f.r, f.r.width, 0, 1, 1, &m));
    g_assert_false (thermal_region_measure (&f.r, 0.1, 0, 0, f.r.height, 1,
            1, &c));
    g_assert_false (thermal_region_measure_raw (&f.r, 1, 0, G_MAXUINT, 1, &m));
    g_free (f.pix);
  }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/thermal-kernels/reductions", test_reductions);
  g_test_add_func ("/thermal-kernels/histogram", test_histogram);
  g_test_add_func ("/thermal-kernels/mappings", test_mappings);
  g_test_add_func ("/thermal-kernels/clones-match-baseline",
      test_clones_match_baseline);
  g_test_add_func ("/thermal-measure/units", test_units);
  g_test_add_func ("/thermal-measure/regions", test_regions);
  return g_test_run ();
}
