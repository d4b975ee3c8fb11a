/* thermalcolormap: palettes x formats pixel-exact, invert, alpha, palette
 * files, odd sizes, changes while PLAYING, metas.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Expected pixels come from the committed palette tables (thermal-palettes.c)
 * through this file's own per-format channel orders and its own BT.601
 * arithmetic, not through the element's code.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include "gstsenxormeta.h"
#include "palette-file.h"
#include "thermal-palettes.h"

/* Channel order of each packed format in memory, written out by hand:
 * R, G, B, A = alpha, x = padding (the element writes 255 there). */
typedef struct {
  const char *format;
  const char *order;
} PackedFormat;

static const PackedFormat packed_formats[] = {
  {"RGB", "RGB"}, {"BGR", "BGR"},
  {"RGBx", "RGBx"}, {"BGRx", "BGRx"}, {"xRGB", "xRGB"}, {"xBGR", "xBGR"},
  {"RGBA", "RGBA"}, {"BGRA", "BGRA"}, {"ARGB", "ARGB"}, {"ABGR", "ABGR"},
};

static const char *const yuv_formats[] = { "I420", "NV12" };

/* ---- helpers ---- */

static GstHarness *
harness_new (const char *format, gint w, gint h)
{
  GstHarness *hr = gst_harness_new ("thermalcolormap");
  g_autofree gchar *in = g_strdup_printf ("video/x-raw,format=GRAY8,"
      "width=%d,height=%d,framerate=30/1", w, h);

  gst_harness_set_src_caps_str (hr, in);
  if (format) {
    g_autofree gchar *out = g_strdup_printf ("video/x-raw,format=%s,"
        "width=%d,height=%d,framerate=30/1", format, w, h);
    gst_harness_set_sink_caps_str (hr, out);
  }
  return hr;
}

/* A GRAY8 buffer with the standard (padded) stride, from w*h levels. */
static GstBuffer *
gray_buffer (const guint8 *levels, gint w, gint h)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  GstBuffer *buf;
  gint y;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY8, w, h);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_memset (buf, 0, 0xA5, GST_VIDEO_INFO_SIZE (&info));
  fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_WRITE));
  for (y = 0; y < h; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0), levels + y * w, w);
  gst_video_frame_unmap (&frame);
  return buf;
}

static void
ramp (guint8 *levels)
{
  gint i;

  for (i = 0; i < 256; i++)
    levels[i] = (guint8) i;
}

static void
random_levels (guint8 *levels, gint n, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  gint i;

  for (i = 0; i < n; i++)
    levels[i] = (guint8) g_rand_int_range (r, 0, 256);
  g_rand_free (r);
}

/* Pushes one frame and maps the output; caller unmaps and unrefs. */
static GstBuffer *
push_frame (GstHarness *hr, const guint8 *levels, gint w, gint h,
    GstVideoFrame *frame)
{
  GstBuffer *out;
  GstVideoInfo info;
  GstCaps *caps;

  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, w, h)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  caps = gst_pad_get_current_caps (hr->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  fail_unless (gst_video_frame_map (frame, &info, out, GST_MAP_READ));
  return out;
}

/* The expected packed pixel for a palette colour. */
static void
expected_packed (const PackedFormat *pf, const guint8 rgb[3], guint8 alpha,
    guint8 *px)
{
  gsize i;

  for (i = 0; i < strlen (pf->order); i++) {
    switch (pf->order[i]) {
      case 'R': px[i] = rgb[0]; break;
      case 'G': px[i] = rgb[1]; break;
      case 'B': px[i] = rgb[2]; break;
      case 'A': px[i] = alpha; break;
      default: px[i] = 255; break;
    }
  }
}

static void
check_packed (GstVideoFrame *frame, const PackedFormat *pf,
    const guint8 *levels, gint w, gint h, const guint8 (*pal)[3],
    gboolean invert, const guint8 *alpha_of_level, const char *what)
{
  gint bpp = (gint) strlen (pf->order), x, y;

  fail_unless_equals_string (gst_video_format_to_string
      (GST_VIDEO_FRAME_FORMAT (frame)), pf->format);
  for (y = 0; y < h; y++) {
    const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
    for (x = 0; x < w; x++) {
      guint8 level = levels[y * w + x], want[4];
      const guint8 *rgb = pal[invert ? 255 - level : level];

      expected_packed (pf, rgb, alpha_of_level ? alpha_of_level[level] : 255,
          want);
      if (memcmp (row + x * bpp, want, bpp) != 0)
        fail ("%s %s: pixel (%d,%d) level %u is %02x%02x%02x%02x, expected "
            "%02x%02x%02x%02x", what, pf->format, x, y, level,
            row[x * bpp], row[x * bpp + 1], row[x * bpp + 2],
            bpp == 4 ? row[x * bpp + 3] : 0, want[0], want[1], want[2],
            bpp == 4 ? want[3] : 0);
    }
  }
}

/* BT.601 limited range, 8-bit integer form (docs/elements/thermalcolormap.md):
 *   Y  = ((66 R + 129 G + 25 B + 128) >> 8) + 16
 *   Cb = 128 + round (mean over the 2x2 block of (-38 R - 74 G + 112 B) / 256)
 *   Cr = 128 + round (mean over the 2x2 block of (112 R - 94 G - 18 B) / 256)
 * rounding half up, pixels outside an odd edge repeating the edge. */
static guint8
ref_y (const guint8 rgb[3])
{
  return (guint8) (((66 * rgb[0] + 129 * rgb[1] + 25 * rgb[2] + 128) >> 8)
      + 16);
}

static gint
ref_cb256 (const guint8 rgb[3])
{
  return -38 * rgb[0] - 74 * rgb[1] + 112 * rgb[2];
}

static gint
ref_cr256 (const guint8 rgb[3])
{
  return 112 * rgb[0] - 94 * rgb[1] - 18 * rgb[2];
}

static guint8
ref_chroma (gint sum4)
{
  return (guint8) (128 + (gint) floor (sum4 / 1024.0 + 0.5));
}

static void
check_yuv (GstVideoFrame *frame, const guint8 *levels, gint w, gint h,
    const guint8 (*pal)[3], gboolean invert, const char *what)
{
  gboolean nv12 = GST_VIDEO_FRAME_FORMAT (frame) == GST_VIDEO_FORMAT_NV12;
  gint x, y;

#define RGB_AT(xx, yy) \
  pal[invert ? 255 - levels[MIN (yy, h - 1) * w + MIN (xx, w - 1)] : \
      levels[MIN (yy, h - 1) * w + MIN (xx, w - 1)]]

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      guint8 got = ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 0))
          [y * GST_VIDEO_FRAME_COMP_STRIDE (frame, 0) + x];
      const guint8 *rgb = RGB_AT (x, y);
      gdouble real = 16 + (65.481 * rgb[0] + 128.553 * rgb[1]
          + 24.966 * rgb[2]) / 255.0;

      if (got != ref_y (rgb))
        fail ("%s: Y at (%d,%d) is %u, expected %u", what, x, y, got,
            ref_y (rgb));
      /* and the integer form is within a step of the real-valued one */
      fail_unless (fabs (got - real) <= 1.0, "%s: Y %u vs real %f", what,
          got, real);
    }
  for (y = 0; y < (h + 1) / 2; y++)
    for (x = 0; x < (w + 1) / 2; x++) {
      const guint8 *p[4] = { RGB_AT (2 * x, 2 * y), RGB_AT (2 * x + 1, 2 * y),
        RGB_AT (2 * x, 2 * y + 1), RGB_AT (2 * x + 1, 2 * y + 1)
      };
      gint cb = 0, cr = 0, i;
      gdouble cb_real = 128, cr_real = 128;
      guint8 u, v;

      for (i = 0; i < 4; i++) {
        cb += ref_cb256 (p[i]);
        cr += ref_cr256 (p[i]);
        cb_real += (-37.797 * p[i][0] - 74.203 * p[i][1]
            + 112.0 * p[i][2]) / 255.0 / 4;
        cr_real += (112.0 * p[i][0] - 93.786 * p[i][1]
            - 18.214 * p[i][2]) / 255.0 / 4;
      }
      if (nv12) {
        const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA
            (frame, 1) + y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 1);
        u = row[2 * x];
        v = row[2 * x + 1];
      } else {
        u = ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 1))
            [y * GST_VIDEO_FRAME_COMP_STRIDE (frame, 1) + x];
        v = ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, 2))
            [y * GST_VIDEO_FRAME_COMP_STRIDE (frame, 2) + x];
      }
      if (u != ref_chroma (cb) || v != ref_chroma (cr))
        fail ("%s: U,V of block (%d,%d) are %u,%u, expected %u,%u", what, x,
            y, u, v, ref_chroma (cb), ref_chroma (cr));
      fail_unless (fabs (u - cb_real) <= 1.0 && fabs (v - cr_real) <= 1.0,
          "%s: U,V %u,%u vs real %f,%f", what, u, v, cb_real, cr_real);
    }
#undef RGB_AT
}

/* ---- the committed tables themselves ---- */

GST_START_TEST (test_tables_known_values)
{
  const guint8 (*t)[256][3] = thermal_palette_tables;
  gint i;

  for (i = 0; i < 256; i++) {
    fail_unless (t[GST_THERMAL_PALETTE_WHITE_HOT][i][0] == i
        && t[GST_THERMAL_PALETTE_WHITE_HOT][i][1] == i
        && t[GST_THERMAL_PALETTE_WHITE_HOT][i][2] == i);
    fail_unless (t[GST_THERMAL_PALETTE_BLACK_HOT][i][0] == 255 - i);
    /* cool: r = x, g = 1 - x, b = 1 */
    fail_unless (t[GST_THERMAL_PALETTE_COOL][i][0] == i
        && t[GST_THERMAL_PALETTE_COOL][i][1] == 255 - i
        && t[GST_THERMAL_PALETTE_COOL][i][2] == 255);
  }
  /* published end points of the listed colormaps */
#define RGB_IS(p, l, r, g, b) \
  fail_unless (t[p][l][0] == r && t[p][l][1] == g && t[p][l][2] == b, \
      #p " level " #l " is %u,%u,%u", t[p][l][0], t[p][l][1], t[p][l][2])
  RGB_IS (GST_THERMAL_PALETTE_VIRIDIS, 0, 68, 1, 84);
  RGB_IS (GST_THERMAL_PALETTE_VIRIDIS, 255, 253, 231, 37);
  RGB_IS (GST_THERMAL_PALETTE_INFERNO, 0, 0, 0, 4);
  RGB_IS (GST_THERMAL_PALETTE_INFERNO, 255, 252, 255, 164);
  RGB_IS (GST_THERMAL_PALETTE_MAGMA, 255, 252, 253, 191);
  RGB_IS (GST_THERMAL_PALETTE_PLASMA, 0, 13, 8, 135);
  RGB_IS (GST_THERMAL_PALETTE_TURBO, 0, 48, 18, 59);
  RGB_IS (GST_THERMAL_PALETTE_CIVIDIS, 0, 0, 34, 78);
  /* formulas: jet is pure blue-ish at 0, red at the top; hot is white on top */
  RGB_IS (GST_THERMAL_PALETTE_JET, 0, 0, 0, 128);
  RGB_IS (GST_THERMAL_PALETTE_JET, 255, 128, 0, 0);
  RGB_IS (GST_THERMAL_PALETTE_HOT, 255, 255, 255, 255);
  RGB_IS (GST_THERMAL_PALETTE_HOT, 0, 0, 0, 0);
  RGB_IS (GST_THERMAL_PALETTE_BONE, 255, 255, 255, 255);
#undef RGB_IS
}
GST_END_TEST;

/* The gradient palettes' stops, read by the C parser, give the tables the
 * Python generator wrote: the two interpolations agree exactly. */
GST_START_TEST (test_gradient_stops_reproduce_tables)
{
  gint p, n = 0;

  for (p = 0; p < GST_THERMAL_PALETTE_COUNT; p++) {
    const char *stops = thermal_palette_stops[p];
    guint8 lut[256][3];
    g_autoptr (GError) error = NULL;

    if (stops == NULL)
      continue;
    n++;
    fail_unless (thermal_palette_parse (stops, strlen (stops), lut, &error),
        "%s: %s", thermal_palette_nicks[p], error ? error->message : "");
    fail_unless (memcmp (lut, thermal_palette_tables[p], sizeof (lut)) == 0,
        "%s: parsed stops differ from the committed table",
        thermal_palette_nicks[p]);
  }
  fail_unless_equals_int (n, 5);        /* ironbow rainbow rainbow-hc lava arctic */
}
GST_END_TEST;

/* ---- every palette x every format on a 256x1 ramp ---- */

GST_START_TEST (test_all_palettes_packed)
{
  guint8 levels[256];
  gsize f;
  gint p;

  ramp (levels);
  for (f = 0; f < G_N_ELEMENTS (packed_formats); f++) {
    GstHarness *hr = harness_new (packed_formats[f].format, 256, 1);

    for (p = 0; p < GST_THERMAL_PALETTE_COUNT; p++) {
      GstVideoFrame frame;
      GstBuffer *out;

      /* a new palette on a running element, checked frame by frame */
      g_object_set (hr->element, "palette", p, NULL);
      out = push_frame (hr, levels, 256, 1, &frame);
      check_packed (&frame, &packed_formats[f], levels, 256, 1,
          thermal_palette_tables[p], FALSE, NULL, thermal_palette_nicks[p]);
      gst_video_frame_unmap (&frame);
      gst_buffer_unref (out);
    }
    gst_harness_teardown (hr);
  }
}
GST_END_TEST;

GST_START_TEST (test_all_palettes_yuv)
{
  guint8 levels[256];
  gsize f;
  gint p;

  ramp (levels);
  for (f = 0; f < G_N_ELEMENTS (yuv_formats); f++) {
    for (p = 0; p < GST_THERMAL_PALETTE_COUNT; p++) {
      /* a fresh element per palette: the property at start-up works too */
      GstHarness *hr = gst_harness_new ("thermalcolormap");
      g_autofree gchar *what = g_strdup_printf ("%s %s", yuv_formats[f],
          thermal_palette_nicks[p]);
      g_autofree gchar *out_caps = g_strdup_printf ("video/x-raw,format=%s,"
          "width=256,height=1,framerate=30/1", yuv_formats[f]);
      GstVideoFrame frame;
      GstBuffer *out;

      g_object_set (hr->element, "palette", p, NULL);
      gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,"
          "width=256,height=1,framerate=30/1");
      gst_harness_set_sink_caps_str (hr, out_caps);
      out = push_frame (hr, levels, 256, 1, &frame);
      check_yuv (&frame, levels, 256, 1, thermal_palette_tables[p], FALSE,
          what);
      gst_video_frame_unmap (&frame);
      gst_buffer_unref (out);
      gst_harness_teardown (hr);
    }
  }
}
GST_END_TEST;

/* The hand-computed 2x2 case: one chroma sample, the mean of four. */
GST_START_TEST (test_i420_2x2)
{
  const guint8 levels[4] = { 0, 255, 255, 0 };   /* white-hot: black/white */
  GstHarness *hr = gst_harness_new ("thermalcolormap");
  GstVideoFrame frame;
  GstBuffer *out;
  const guint8 *yp;

  g_object_set (hr->element, "palette", GST_THERMAL_PALETTE_WHITE_HOT, NULL);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=2,"
      "height=2,framerate=30/1");
  gst_harness_set_sink_caps_str (hr, "video/x-raw,format=I420,width=2,"
      "height=2,framerate=30/1");
  out = push_frame (hr, levels, 2, 2, &frame);
  yp = GST_VIDEO_FRAME_COMP_DATA (&frame, 0);
  /* black is Y 16, white is Y 235; grey has neutral chroma 128 */
  fail_unless_equals_int (yp[0], 16);
  fail_unless_equals_int (yp[1], 235);
  yp += GST_VIDEO_FRAME_COMP_STRIDE (&frame, 0);
  fail_unless_equals_int (yp[0], 235);
  fail_unless_equals_int (yp[1], 16);
  fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 1))[0],
      128);
  fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame, 2))[0],
      128);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* pure red and blue pixels: U = 128 + round ((2 * -38*255 + 2 * 112*255)
   * / 1024) = 128 + round (36.855) = 165 */
  g_object_set (hr->element, "palette-file", NULL, NULL);
  {
    g_autofree gchar *path = g_build_filename (g_get_tmp_dir (),
        "colormap-rb-XXXXXX.pal", NULL);
    const char *text = "0 255 0 0\n255 0 0 255\n";
    const guint8 rb[4] = { 0, 255, 0, 255 };
    gint fd = g_mkstemp (path);

    fail_unless (fd >= 0);
    fail_unless (write (fd, text, strlen (text)) == (gssize) strlen (text));
    close (fd);
    g_object_set (hr->element, "palette-file", path, NULL);
    out = push_frame (hr, rb, 2, 2, &frame);
    fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame,
                1))[0], 165);
    /* V = 128 + round ((2 * 112*255 + 2 * -18*255) / 1024) = 128 + 47 */
    fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame,
                2))[0], 175);
    /* red: Y = ((66*255 + 128) >> 8) + 16 = 82; blue: (25*255+128)>>8 + 16 */
    fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame,
                0))[0], 82);
    fail_unless_equals_int (((guint8 *) GST_VIDEO_FRAME_COMP_DATA (&frame,
                0))[1], 41);
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    g_unlink (path);
  }
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- odd sizes (stride bugs) for every format ---- */

GST_START_TEST (test_odd_sizes)
{
  static const gint sizes[][2] = { {1, 1}, {31, 17}, {2, 2}, {3, 1},
  {1, 5}, {17, 31} };
  gsize s, f;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    gint w = sizes[s][0], h = sizes[s][1];
    g_autofree guint8 *levels = g_malloc (w * h);

    random_levels (levels, w * h, (guint32) (w * 1000 + h));
    for (f = 0; f < G_N_ELEMENTS (packed_formats) + 2; f++) {
      gboolean yuv = f >= G_N_ELEMENTS (packed_formats);
      const char *fmt = yuv ? yuv_formats[f - G_N_ELEMENTS (packed_formats)]
          : packed_formats[f].format;
      GstHarness *hr = harness_new (fmt, w, h);
      g_autofree gchar *what = g_strdup_printf ("%dx%d %s", w, h, fmt);
      GstVideoFrame frame;
      GstBuffer *out;

      g_object_set (hr->element, "palette", GST_THERMAL_PALETTE_TURBO, NULL);
      out = push_frame (hr, levels, w, h, &frame);
      if (yuv)
        check_yuv (&frame, levels, w, h,
            thermal_palette_tables[GST_THERMAL_PALETTE_TURBO], FALSE, what);
      else
        check_packed (&frame, &packed_formats[f], levels, w, h,
            thermal_palette_tables[GST_THERMAL_PALETTE_TURBO], FALSE, NULL,
            what);
      gst_video_frame_unmap (&frame);
      gst_buffer_unref (out);
      gst_harness_teardown (hr);
    }
  }
}
GST_END_TEST;

/* Input rows further apart than usual (a GstVideoMeta stride of 45 for a
 * 31-wide frame, padding full of 0xA5): only the pixels count. */
GST_START_TEST (test_input_stride_from_meta)
{
  const gint w = 31, h = 17, stride = 45;
  guint8 levels[31 * 17];
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gint strides[GST_VIDEO_MAX_PLANES] = { stride };
  gsize f;
  gint y;

  random_levels (levels, w * h, 7);
  for (f = 0; f < G_N_ELEMENTS (packed_formats) + 2; f++) {
    gboolean yuv = f >= G_N_ELEMENTS (packed_formats);
    const char *fmt = yuv ? yuv_formats[f - G_N_ELEMENTS (packed_formats)]
        : packed_formats[f].format;
    GstHarness *hr = harness_new (fmt, w, h);
    GstBuffer *in = gst_buffer_new_allocate (NULL, stride * h, NULL), *out;
    GstVideoInfo info;
    GstVideoFrame frame;
    GstMapInfo map;
    GstCaps *caps;

    gst_buffer_map (in, &map, GST_MAP_WRITE);
    memset (map.data, 0xA5, map.size);
    for (y = 0; y < h; y++)
      memcpy (map.data + y * stride, levels + y * w, w);
    gst_buffer_unmap (in, &map);
    gst_buffer_add_video_meta_full (in, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_FORMAT_GRAY8, w, h, 1, offset, strides);

    fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
    out = gst_harness_pull (hr);
    caps = gst_pad_get_current_caps (hr->sinkpad);
    fail_unless (gst_video_info_from_caps (&info, caps));
    gst_caps_unref (caps);
    fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READ));
    if (yuv)
      check_yuv (&frame, levels, w, h,
          thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW], FALSE,
          "stride 45");
    else
      check_packed (&frame, &packed_formats[f], levels, w, h,
          thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW], FALSE, NULL,
          "stride 45");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hr);
  }
}
GST_END_TEST;

/* ---- invert and alpha ---- */

GST_START_TEST (test_invert)
{
  guint8 levels[256];
  gsize f;

  ramp (levels);
  for (f = 0; f < G_N_ELEMENTS (packed_formats); f++) {
    GstHarness *hr = harness_new (packed_formats[f].format, 256, 1);
    GstVideoFrame frame;
    GstBuffer *out;

    g_object_set (hr->element, "palette", GST_THERMAL_PALETTE_INFERNO,
        "invert", TRUE, NULL);
    out = push_frame (hr, levels, 256, 1, &frame);
    check_packed (&frame, &packed_formats[f], levels, 256, 1,
        thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO], TRUE, NULL,
        "invert");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hr);
  }
  {
    GstHarness *hr = harness_new ("NV12", 256, 1);
    GstVideoFrame frame;
    GstBuffer *out;

    g_object_set (hr->element, "palette", GST_THERMAL_PALETTE_MAGMA,
        "invert", TRUE, NULL);
    out = push_frame (hr, levels, 256, 1, &frame);
    check_yuv (&frame, levels, 256, 1,
        thermal_palette_tables[GST_THERMAL_PALETTE_MAGMA], TRUE, "invert");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hr);
  }
}
GST_END_TEST;

GST_START_TEST (test_alpha_modes)
{
  guint8 levels[256], alpha[256];
  gsize f;
  gint i;

  ramp (levels);
  for (f = 0; f < G_N_ELEMENTS (packed_formats); f++) {
    const PackedFormat *pf = &packed_formats[f];
    GstHarness *hr = harness_new (pf->format, 256, 1);
    GstVideoFrame frame;
    GstBuffer *out;
    gboolean has_alpha = strchr (pf->order, 'A') != NULL;
    const guint8 (*pal)[3] = thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW];

    /* opaque (the default) */
    out = push_frame (hr, levels, 256, 1, &frame);
    check_packed (&frame, pf, levels, 256, 1, pal, FALSE, NULL, "opaque");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);

    /* constant: every alpha byte is the property; padding stays 255 */
    g_object_set (hr->element, "alpha-mode", 1, "alpha", 100, NULL);
    memset (alpha, has_alpha ? 100 : 255, sizeof (alpha));
    out = push_frame (hr, levels, 256, 1, &frame);
    check_packed (&frame, pf, levels, 256, 1, pal, FALSE, alpha, "constant");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);

    /* threshold on the input level, also with invert */
    g_object_set (hr->element, "alpha-mode", 2, "alpha", 200,
        "alpha-threshold", 50, "invert", TRUE, NULL);
    for (i = 0; i < 256; i++)
      alpha[i] = has_alpha ? (i < 50 ? 0 : 200) : 255;
    out = push_frame (hr, levels, 256, 1, &frame);
    check_packed (&frame, pf, levels, 256, 1, pal, TRUE, alpha, "threshold");
    gst_video_frame_unmap (&frame);
    gst_buffer_unref (out);
    gst_harness_teardown (hr);
  }
}
GST_END_TEST;

/* ---- changes while PLAYING take effect on the next frame ---- */

GST_START_TEST (test_change_while_playing)
{
  const PackedFormat *bgrx = &packed_formats[3];
  GstHarness *hr = harness_new ("BGRx", 256, 1);
  guint8 levels[256];
  GstVideoFrame frame;
  GstBuffer *out;

  fail_unless_equals_string (bgrx->format, "BGRx");
  ramp (levels);
  fail_unless (GST_STATE (hr->element) == GST_STATE_PLAYING);

  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, bgrx, levels, 256, 1,
      thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW], FALSE, NULL,
      "default palette");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "viridis");
  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, bgrx, levels, 256, 1,
      thermal_palette_tables[GST_THERMAL_PALETTE_VIRIDIS], FALSE, NULL,
      "after palette=viridis");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  g_object_set (hr->element, "invert", TRUE, NULL);
  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, bgrx, levels, 256, 1,
      thermal_palette_tables[GST_THERMAL_PALETTE_VIRIDIS], TRUE, NULL,
      "after invert=true");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- palette files through the element ---- */

static gchar *
write_temp (const char *text)
{
  gchar *path = g_build_filename (g_get_tmp_dir (), "colormap-XXXXXX.pal",
      NULL);
  gint fd = g_mkstemp (path);

  fail_unless (fd >= 0);
  fail_unless (write (fd, text, strlen (text)) == (gssize) strlen (text));
  close (fd);
  return path;
}

/* A table with distinctive rows: level i -> (i, 255 - i, i / 2). */
static gchar *
table_text (void)
{
  GString *s = g_string_new ("# test palette\n");
  gint i;

  for (i = 0; i < 256; i++)
    g_string_append_printf (s, "%d, %d, %d\n", i, 255 - i, i / 2);
  return g_string_free (s, FALSE);
}

GST_START_TEST (test_palette_file_element)
{
  g_autofree gchar *text = table_text ();
  g_autofree gchar *good = write_temp (text);
  g_autofree gchar *bad = write_temp ("0 0 0 0\n128 1 2\n255 9 9 9\n");
  const PackedFormat *rgb = &packed_formats[0];
  GstHarness *hr = harness_new ("RGB", 256, 1);
  GstBus *bus = gst_bus_new ();
  guint8 levels[256], file_pal[256][3];
  GstVideoFrame frame;
  GstMessage *msg;
  GstBuffer *out;
  GError *err = NULL;
  gint i;

  gst_element_set_bus (hr->element, bus);
  ramp (levels);
  for (i = 0; i < 256; i++) {
    file_pal[i][0] = (guint8) i;
    file_pal[i][1] = (guint8) (255 - i);
    file_pal[i][2] = (guint8) (i / 2);
  }

  /* set while PLAYING: the next frame uses the file */
  g_object_set (hr->element, "palette-file", good, NULL);
  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, rgb, levels, 256, 1,
      (const guint8 (*)[3]) file_pal, FALSE, NULL, "palette-file");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* the file wins over palette; invert applies to it */
  g_object_set (hr->element, "palette", GST_THERMAL_PALETTE_JET, "invert",
      TRUE, NULL);
  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, rgb, levels, 256, 1,
      (const guint8 (*)[3]) file_pal, TRUE, NULL, "palette-file inverted");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* unset: back to the built-in palette */
  g_object_set (hr->element, "palette-file", "", "invert", FALSE, NULL);
  out = push_frame (hr, levels, 256, 1, &frame);
  check_packed (&frame, rgb, levels, 256, 1,
      thermal_palette_tables[GST_THERMAL_PALETTE_JET], FALSE, NULL,
      "palette-file unset");
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);

  /* a malformed file while PLAYING: flow error and a precise element error */
  g_object_set (hr->element, "palette-file", bad, NULL);
  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, 256, 1)),
      GST_FLOW_ERROR);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message for a malformed palette file");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
  fail_unless (strstr (err->message, "line 2:") != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "found 3") != NULL, "%s", err->message);
  fail_unless (strstr (err->message, bad) != NULL, "%s", err->message);
  g_clear_error (&err);
  gst_message_unref (msg);

  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
  g_unlink (good);
  g_unlink (bad);
}
GST_END_TEST;

/* ---- bounded waits: a file that is not a regular file must not block ---- */

#define HANG_TIMEOUT_S 30

typedef struct {
  GMutex lock;
  GCond cond;
  gboolean done;
  GThreadFunc func;
  gpointer data;
} Bounded;

static gpointer
bounded_thread (gpointer user_data)
{
  Bounded *b = user_data;

  b->func (b->data);
  g_mutex_lock (&b->lock);
  b->done = TRUE;
  g_cond_signal (&b->cond);
  g_mutex_unlock (&b->lock);
  return NULL;
}

/* Runs @func (@data) in a thread; fails the test if it has not returned
 * after HANG_TIMEOUT_S, after releasing a reader blocked on the FIFO
 * @fifo (by opening its other end) so that the thread can be joined. */
static void
run_bounded (GThreadFunc func, gpointer data, const char *fifo, const char *what)
{
  Bounded b = { .func = func, .data = data };
  gint64 deadline = g_get_monotonic_time () + HANG_TIMEOUT_S * G_USEC_PER_SEC;
  gboolean done;
  GThread *thread;

  g_mutex_init (&b.lock);
  g_cond_init (&b.cond);
  thread = g_thread_new ("bounded", bounded_thread, &b);
  g_mutex_lock (&b.lock);
  while (!b.done && g_cond_wait_until (&b.cond, &b.lock, deadline));
  done = b.done;
  g_mutex_unlock (&b.lock);
  if (!done && fifo) {
    int fd = open (fifo, O_WRONLY | O_NONBLOCK);
    if (fd >= 0)
      close (fd);
  }
  g_thread_join (thread);
  g_mutex_clear (&b.lock);
  g_cond_clear (&b.cond);
  fail_unless (done, "%s: still blocked after %d s", what, HANG_TIMEOUT_S);
}

typedef struct {
  GstElement *element;
  GstState state;
  GstStateChangeReturn ret;
} StateChange;

static gpointer
change_state (gpointer data)
{
  StateChange *sc = data;

  sc->ret = gst_element_set_state (sc->element, sc->state);
  return NULL;
}

/* A bad file fails the start (READY -> PAUSED) with the reason, at once. */
static void
check_start_error (const char *path, GQuark domain, gint code,
    const char *needle)
{
  g_autofree gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=GRAY8 ! thermalcolormap name=c ! fakesink");
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *c = gst_bin_get_by_name (GST_BIN (pipeline), "c");
  GstBus *bus = gst_element_get_bus (pipeline);
  StateChange sc = { pipeline, GST_STATE_PAUSED, GST_STATE_CHANGE_SUCCESS };
  GstMessage *msg;
  GError *err = NULL;
  struct stat st;

  g_object_set (c, "palette-file", path, NULL);
  run_bounded (change_state, &sc,
      stat (path, &st) == 0 && S_ISFIFO (st.st_mode) ? path : NULL, path);
  fail_unless_equals_int (sc.ret, GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL);
  gst_message_parse_error (msg, &err, NULL);
  fail_unless (g_error_matches (err, domain, code), "%s", err->message);
  fail_unless (strstr (err->message, needle) != NULL, "'%s' lacks '%s'",
      err->message, needle);
  g_clear_error (&err);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (c);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_palette_file_start_errors)
{
  g_autofree gchar *bad = write_temp ("0 0 0\n1 1 1\n");
  g_autofree gchar *missing = g_build_filename (g_get_tmp_dir (),
      "colormap-does-not-exist.pal", NULL);

  check_start_error (bad, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "line 2: end of file after 2 table rows");
  check_start_error (missing, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "No such file");
  check_start_error (g_get_tmp_dir (), GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, "not a regular file");
  g_unlink (bad);
}
GST_END_TEST;

/* A FIFO with no writer: open() would wait for one forever.  The element
 * refuses it, as it refuses /dev/zero, without blocking. */
GST_START_TEST (test_palette_file_fifo)
{
  g_autofree gchar *dir = g_dir_make_tmp ("colormap-XXXXXX", NULL);
  g_autofree gchar *fifo = NULL;

  fail_unless (dir != NULL);
  fifo = g_build_filename (dir, "palette.pal", NULL);
  fail_unless (mkfifo (fifo, 0600) == 0, "mkfifo: %s", g_strerror (errno));
  check_start_error (fifo, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "not a regular file (a FIFO");
  check_start_error ("/dev/zero", GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ,
      "not a regular file (a character device)");
  g_unlink (fifo);
  g_rmdir (dir);
}
GST_END_TEST;

/* thermal_palette_load(), which thermalcolormap and thermaloverlay use */
typedef struct {
  const char *path;
  guint8 lut[256][3];
  gboolean ok;
  GError *error;
} Load;

static gpointer
load_file (gpointer data)
{
  Load *l = data;

  l->ok = thermal_palette_load (l->path, l->lut, &l->error);
  return NULL;
}

static void
check_load_error (const char *path, const char *fifo, GQuark domain, gint code,
    const char *needle)
{
  Load l = { .path = path };

  memset (l.lut, 7, sizeof l.lut);
  run_bounded (load_file, &l, fifo, path);
  fail_if (l.ok, "%s was loaded", path);
  fail_unless (g_error_matches (l.error, domain, code), "%s: %s", path,
      l.error->message);
  fail_unless (strstr (l.error->message, needle) != NULL, "'%s' lacks '%s'",
      l.error->message, needle);
  /* untouched on failure */
  fail_unless_equals_int (l.lut[255][2], 7);
  g_clear_error (&l.error);
}

GST_START_TEST (test_palette_load)
{
  g_autofree gchar *dir = g_dir_make_tmp ("colormap-XXXXXX", NULL);
  g_autofree gchar *fifo = g_build_filename (dir, "fifo.pal", NULL);
  g_autofree gchar *big = g_build_filename (dir, "big.pal", NULL);
  g_autofree gchar *missing = g_build_filename (dir, "missing.pal", NULL);
  g_autofree gchar *text = table_text ();
  g_autofree gchar *good = write_temp (text);
  g_autofree gchar *bad = write_temp ("0 0 0\n1 1 1\n");
  Load l = { .path = good };
  int fd;

  fail_unless (mkfifo (fifo, 0600) == 0, "mkfifo: %s", g_strerror (errno));
  check_load_error (fifo, fifo, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "not a regular file (a FIFO (named pipe))");
  check_load_error ("/dev/zero", NULL, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "not a regular file (a character device)");
  check_load_error (dir, NULL, G_FILE_ERROR, G_FILE_ERROR_INVAL,
      "not a regular file (a directory)");
  check_load_error (missing, NULL, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No such file");
  /* one byte too many (a sparse file: nothing is written) */
  fd = g_open (big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  fail_unless (fd >= 0);
  fail_unless (ftruncate (fd, THERMAL_PALETTE_FILE_MAX_SIZE + 1) == 0);
  close (fd);
  check_load_error (big, NULL, G_FILE_ERROR, G_FILE_ERROR_FAILED, "larger than");
  /* the content's errors are the parser's */
  check_load_error (bad, NULL, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_COUNT,
      "line 2: end of file after 2 table rows");

  run_bounded (load_file, &l, NULL, good);
  fail_unless (l.ok, "%s", l.error ? l.error->message : "");
  fail_unless_equals_int (l.lut[0][1], 255);
  fail_unless_equals_int (l.lut[200][0], 200);
  fail_unless_equals_int (l.lut[200][2], 100);

  g_unlink (fifo);
  g_unlink (big);
  g_unlink (good);
  g_unlink (bad);
  g_rmdir (dir);
}
GST_END_TEST;

/* ---- the parser ---- */

GST_START_TEST (test_parse_valid)
{
  guint8 lut[256][3];
  g_autofree gchar *text = table_text ();
  GError *error = NULL;
  gint i;

  fail_unless (thermal_palette_parse (text, strlen (text), lut, &error));
  for (i = 0; i < 256; i++)
    fail_unless (lut[i][0] == i && lut[i][1] == 255 - i && lut[i][2] == i / 2);

  /* two stops are a linear ramp: white-hot exactly */
  {
    const char *g = "\xef\xbb\xbf# ramp\r\n0 0 0 0\r\n\r\n255 255 255 255 # end";
    fail_unless (thermal_palette_parse (g, strlen (g), lut, &error));
    fail_unless (memcmp (lut, thermal_palette_tables
            [GST_THERMAL_PALETTE_WHITE_HOT], sizeof (lut)) == 0);
  }
  /* fractions: 0.5 is level round (127.5) = 128; before the first stop and
   * after the last the end colours hold; equal positions make a hard edge */
  {
    const char *g = "0.25,10,20,30\n0.5;40;50;60\n0.5 200 0 0\n1. 250 0 0\n";
    fail_unless (thermal_palette_parse (g, strlen (g), lut, &error), "%s",
        error ? error->message : "");
    fail_unless (lut[0][0] == 10 && lut[64][0] == 10);  /* 0.25 -> 64 */
    fail_unless (lut[127][0] == 40 - 0 && lut[127][2] == 60 - 0);
    fail_unless (lut[128][0] == 200 && lut[128][1] == 0);
    fail_unless_equals_int (lut[255][0], 250);
    /* level 96 between 64 (10) and 128 (40): 10 + 30 * 32 / 64 = 25 */
    fail_unless_equals_int (lut[96][0], 25);
  }
}
GST_END_TEST;

typedef struct {
  const char *text;
  gsize len;                    /* 0: strlen */
  gint code;
  const char *needle;
} BadCase;

GST_START_TEST (test_parse_errors)
{
  static const BadCase cases[] = {
    {"", 0, THERMAL_PALETTE_ERROR_EMPTY, "line 1: no colour rows"},
    {"# nothing\n\n  # here\n", 0, THERMAL_PALETTE_ERROR_EMPTY,
        "line 3: no colour rows"},
    {"1 2\n", 0, THERMAL_PALETTE_ERROR_SYNTAX, "line 1: expected 3 values"},
    {"0 0 0 0\n1 2 3\n", 0, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 2: expected 4 values"},
    {"0 0 0 0 0\n", 0, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 1: more than 4 values"},
    {"0 0 0 0\n255 256 0 0\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 2: red value \"256\" is out of range 0-255"},
    {"0 0 0 0\n255 0 -1 0\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 2: green value \"-1\" is out of range"},
    {"0 0 0 0\n255 0 0 99999999999999\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 2: blue value \"99999999999999\""},
    {"0 0 0.5 0\n255 0 0 0\n", 0, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 1: green value \"0.5\" is not an integer"},
    {"0 0 0 0\n\n255 0 x 0\n", 0, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 3: \"x\" is not a number"},
    {"0 0 0 0\n255 1\0 1 1\n", 19, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 2: \"1?\" is not a number"},
    {"0 0 0 0\n200 1 1 1\n100 2 2 2\n", 0, THERMAL_PALETTE_ERROR_ORDER,
        "line 3: stop at level 100 comes after a stop at level 200"},
    {"0.0 0 0 0\n1.5 1 1 1\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 2: position \"1.5\" is above 1.0"},
    {"0 0 0 0\n300 1 1 1\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 2: position \"300\" is out of range 0-255"},
    {"0 0 0 0\n0.1234567891 1 1 1\n", 0, THERMAL_PALETTE_ERROR_SYNTAX,
        "line 2: \"0.1234567891\" has more than 9 decimal places"},
    {"-3 0 0 0\n", 0, THERMAL_PALETTE_ERROR_RANGE,
        "line 1: position \"-3\" is negative"},
    {"0 0 0 0\n", 0, THERMAL_PALETTE_ERROR_COUNT,
        "line 1: end of file after 1 gradient stop"},
    {".\n", 0, THERMAL_PALETTE_ERROR_SYNTAX, "line 1: \".\" is not a number"},
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    guint8 lut[256][3];
    GError *error = NULL;
    gsize len = cases[i].len ? cases[i].len : strlen (cases[i].text);

    memset (lut, 0x5a, sizeof (lut));
    fail_if (thermal_palette_parse (cases[i].text, len, lut, &error),
        "case %" G_GSIZE_FORMAT " was accepted", i);
    fail_unless (error != NULL);
    fail_unless (error->domain == THERMAL_PALETTE_ERROR);
    fail_unless_equals_int (error->code, cases[i].code);
    fail_unless (strstr (error->message, cases[i].needle) != NULL,
        "case %" G_GSIZE_FORMAT ": '%s' lacks '%s'", i, error->message,
        cases[i].needle);
    /* the output is untouched on failure */
    fail_unless (lut[0][0] == 0x5a && lut[255][2] == 0x5a);
    g_error_free (error);
  }
}
GST_END_TEST;

GST_START_TEST (test_parse_table_counts)
{
  GString *s = g_string_new (NULL);
  guint8 lut[256][3];
  GError *error = NULL;
  gint i;

  for (i = 0; i < 255; i++)
    g_string_append (s, "1 2 3\n");
  fail_if (thermal_palette_parse (s->str, s->len, lut, &error));
  fail_unless_equals_int (error->code, THERMAL_PALETTE_ERROR_COUNT);
  fail_unless (strstr (error->message, "line 255: end of file after 255 "
          "table rows") != NULL, "%s", error->message);
  g_clear_error (&error);

  g_string_append (s, "1 2 3\n");
  fail_unless (thermal_palette_parse (s->str, s->len, lut, &error));
  g_string_append (s, "# a comment is fine\n4 5 6\n");
  fail_if (thermal_palette_parse (s->str, s->len, lut, &error));
  fail_unless (strstr (error->message, "line 258: more than 256 table rows")
      != NULL, "%s", error->message);
  g_clear_error (&error);
  g_string_free (s, TRUE);
}
GST_END_TEST;

/* Arbitrary bytes never crash the parser, and every rejection names a line. */
GST_START_TEST (test_parse_random_input)
{
  static const char alphabet[] = "0123456789 .,-#\n\r\t;x\0\xff";
  GRand *r = g_rand_new_with_seed (1234);
  gint iter;

  for (iter = 0; iter < 3000; iter++) {
    gsize len = (gsize) g_rand_int_range (r, 0, 200), i;
    g_autofree gchar *text = g_malloc (len + 1);
    guint8 lut[256][3];
    GError *error = NULL;

    for (i = 0; i < len; i++)
      text[i] = alphabet[g_rand_int_range (r, 0, sizeof (alphabet) - 1)];
    if (thermal_palette_parse (text, len, lut, &error)) {
      fail_unless (error == NULL);
    } else {
      fail_unless (error != NULL && g_str_has_prefix (error->message,
              "line "), "%s", error ? error->message : "(no error)");
      fail_unless (g_utf8_validate (error->message, -1, NULL));
      g_error_free (error);
    }
  }
  g_rand_free (r);
}
GST_END_TEST;

/* ---- caps and metas ---- */

GST_START_TEST (test_caps_preference)
{
  GstHarness *hr = harness_new (NULL, 8, 8);
  guint8 levels[64] = { 0 };
  GstVideoFrame frame;
  GstBuffer *out;
  GstCaps *caps;

  /* downstream takes anything: the cheap 4-byte BGRx */
  out = push_frame (hr, levels, 8, 8, &frame);
  fail_unless_equals_int (GST_VIDEO_FRAME_FORMAT (&frame),
      GST_VIDEO_FORMAT_BGRx);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
  gst_harness_teardown (hr);

  /* downstream prefers I420: BT.601 colorimetry is announced */
  hr = harness_new (NULL, 8, 8);
  gst_harness_set_sink_caps_str (hr, "video/x-raw,format=I420");
  out = push_frame (hr, levels, 8, 8, &frame);
  gst_video_frame_unmap (&frame);
  gst_buffer_unref (out);
  caps = gst_pad_get_current_caps (hr->sinkpad);
  fail_unless_equals_string (gst_structure_get_string (gst_caps_get_structure
          (caps, 0), "colorimetry"), "bt601");
  gst_caps_unref (caps);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_mapping_meta_survives)
{
  GstHarness *hr = harness_new ("BGRx", 4, 2);
  GstBuffer *radiometric = gst_buffer_new_allocate (NULL, 4 * 2 * 2, NULL);
  guint8 levels[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  GstBuffer *in = gray_buffer (levels, 4, 2), *out;
  GstThermalMappingMeta *m;

  gst_buffer_add_thermal_mapping_meta (in, GST_THERMAL_MAPPING_FIXED, 20.0,
      40.0, 255, radiometric, 4, 2, 8, 0.1, 0.0);
  fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  m = gst_buffer_get_thermal_mapping_meta (out);
  fail_unless (m != NULL, "GstThermalMappingMeta was dropped");
  fail_unless_equals_int (m->mode, GST_THERMAL_MAPPING_FIXED);
  fail_unless_equals_float (m->range_min_c, 20.0);
  fail_unless_equals_float (m->range_max_c, 40.0);
  fail_unless_equals_int (m->out_max, 255);
  fail_unless (m->radiometric == radiometric);
  fail_unless_equals_int (m->width, 4);
  fail_unless_equals_int (m->stride, 8);
  gst_buffer_unref (out);
  gst_buffer_unref (radiometric);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- GstThermalPaletteMeta ---- */

static GBytes *
ramp_colors (void)
{
  guint8 *t = g_malloc (GST_THERMAL_PALETTE_META_COLORS_SIZE);

  for (guint i = 0; i < 256; i++) {
    t[3 * i] = i;
    t[3 * i + 1] = 255 - i;
    t[3 * i + 2] = (i * 7) & 0xff;
  }
  return g_bytes_new_take (t, GST_THERMAL_PALETTE_META_COLORS_SIZE);
}

/* add, get, get_color, copy (a reference, not a copy of the colours). */
GST_START_TEST (test_palette_meta_api)
{
  GBytes *colors = ramp_colors ();
  GstBuffer *buf = gst_buffer_new_allocate (NULL, 16, NULL);
  GstBuffer *copy;
  GstThermalPaletteMeta *m, *c;
  guint8 r = 0, g = 0, b = 0;

  fail_unless (gst_buffer_get_thermal_palette_meta (buf) == NULL);
  m = gst_buffer_add_thermal_palette_meta (buf, "my-ramp", colors, FALSE);
  fail_unless (m != NULL);
  fail_unless (gst_buffer_get_thermal_palette_meta (buf) == m);
  fail_unless (m->name == g_intern_string ("my-ramp"));
  fail_unless (m->colors == colors);
  fail_unless (!m->invert);
  fail_unless (gst_thermal_palette_meta_get_color (m, 10, &r, &g, &b));
  fail_unless (r == 10 && g == 245 && b == 70, "%u %u %u", r, g, b);
  m->invert = TRUE;
  fail_unless (gst_thermal_palette_meta_get_color (m, 10, &r, &g, &b));
  fail_unless (r == 245 && g == 10 && b == ((245 * 7) & 0xff), "%u %u %u",
      r, g, b);
  fail_if (gst_thermal_palette_meta_get_color (m, 256, &r, NULL, NULL));

  copy = gst_buffer_copy (buf);
  c = gst_buffer_get_thermal_palette_meta (copy);
  fail_unless (c != NULL && c != m);
  fail_unless_equals_string (c->name, "my-ramp");
  fail_unless (c->invert);
  fail_unless (c->colors == colors, "the colours were copied, not shared");

  /* The colours outlive the buffers only through their references. */
  gst_buffer_unref (buf);
  fail_unless (gst_thermal_palette_meta_get_color (c, 0, &r, &g, &b));
  fail_unless (r == 255 && g == 0);
  gst_buffer_unref (copy);
  g_bytes_unref (colors);
}
GST_END_TEST;

/* Every output buffer names the palette, shares its colours and says
 * whether it is inverted; property changes show on the next buffer. */
GST_START_TEST (test_palette_meta_on_output)
{
  GstHarness *hr = harness_new ("BGRx", 4, 2);
  guint8 levels[8] = { 0, 1, 2, 3, 252, 253, 254, 255 };
  GstThermalPaletteMeta *m;
  GBytes *first;
  GstBuffer *out, *out2;
  GString *file = g_string_new (NULL);
  gchar *path = NULL;
  gint fd;

  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, 4, 2)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  m = gst_buffer_get_thermal_palette_meta (out);
  fail_unless (m != NULL, "no GstThermalPaletteMeta on the output");
  fail_unless_equals_string (m->name, "ironbow");
  fail_unless (!m->invert);
  fail_unless (g_bytes_get_size (m->colors) ==
      GST_THERMAL_PALETTE_META_COLORS_SIZE);
  fail_unless (memcmp (g_bytes_get_data (m->colors, NULL),
          thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW],
          GST_THERMAL_PALETTE_META_COLORS_SIZE) == 0);
  first = m->colors;

  /* the next buffer shares the same colours: nothing is copied per frame */
  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, 4, 2)),
      GST_FLOW_OK);
  out2 = gst_harness_pull (hr);
  fail_unless (gst_buffer_get_thermal_palette_meta (out2)->colors == first);
  gst_buffer_unref (out2);
  gst_buffer_unref (out);

  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "viridis");
  g_object_set (hr->element, "invert", TRUE, NULL);
  /* an input that already carries a palette: the output has one, ours */
  out = gray_buffer (levels, 4, 2);
  first = ramp_colors ();
  gst_buffer_add_thermal_palette_meta (out, "stale", first, FALSE);
  g_bytes_unref (first);
  fail_unless_equals_int (gst_harness_push (hr, out), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  {
    gpointer state = NULL;
    GstMeta *meta;
    guint n = 0;

    while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
                GST_THERMAL_PALETTE_META_API_TYPE)))
      n++;
    fail_unless_equals_int (n, 1);
  }
  m = gst_buffer_get_thermal_palette_meta (out);
  fail_unless_equals_string (m->name, "viridis");
  fail_unless (m->invert);
  fail_unless (memcmp (g_bytes_get_data (m->colors, NULL),
          thermal_palette_tables[GST_THERMAL_PALETTE_VIRIDIS],
          GST_THERMAL_PALETTE_META_COLORS_SIZE) == 0);
  gst_buffer_unref (out);

  /* a palette file: name "file", the file's colours */
  for (guint i = 0; i < 256; i++)
    g_string_append_printf (file, "%u %u 7\n", 255 - i, i);
  fd = g_file_open_tmp ("colormap-meta-XXXXXX.txt", &path, NULL);
  fail_unless (fd >= 0);
  close (fd);
  fail_unless (g_file_set_contents (path, file->str, -1, NULL));
  g_object_set (hr->element, "palette-file", path, "invert", FALSE, NULL);
  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, 4, 2)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  m = gst_buffer_get_thermal_palette_meta (out);
  fail_unless_equals_string (m->name, "file");
  fail_unless (!m->invert);
  {
    const guint8 *c = g_bytes_get_data (m->colors, NULL);

    fail_unless (c[0] == 255 && c[1] == 0 && c[2] == 7);
    fail_unless (c[3 * 255] == 0 && c[3 * 255 + 1] == 255);
  }
  gst_buffer_unref (out);

  g_unlink (path);
  g_free (path);
  g_string_free (file, TRUE);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* The meta survives the usual converters and scalers unchanged. */
GST_START_TEST (test_palette_meta_survives_converters)
{
  GstHarness *hr = gst_harness_new_parse ("thermalcolormap palette=magma "
      "invert=true ! video/x-raw,format=RGBA ! videoconvert ! videoscale "
      "! video/x-raw,format=I420,width=64,height=48 ! queue");
  guint8 levels[16 * 12];
  GstThermalPaletteMeta *m;
  GstBuffer *out;

  memset (levels, 128, sizeof (levels));
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=16,"
      "height=12,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (hr, gray_buffer (levels, 16, 12)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  m = gst_buffer_get_thermal_palette_meta (out);
  fail_unless (m != NULL, "GstThermalPaletteMeta was dropped");
  fail_unless_equals_string (m->name, "magma");
  fail_unless (m->invert);
  fail_unless (memcmp (g_bytes_get_data (m->colors, NULL),
          thermal_palette_tables[GST_THERMAL_PALETTE_MAGMA],
          GST_THERMAL_PALETTE_META_COLORS_SIZE) == 0);
  gst_buffer_unref (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

static Suite *
thermalcolormap_suite (void)
{
  Suite *s = suite_create ("thermalcolormap");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_tables_known_values);
  tcase_add_test (tc, test_gradient_stops_reproduce_tables);
  tcase_add_test (tc, test_all_palettes_packed);
  tcase_add_test (tc, test_all_palettes_yuv);
  tcase_add_test (tc, test_i420_2x2);
  tcase_add_test (tc, test_odd_sizes);
  tcase_add_test (tc, test_input_stride_from_meta);
  tcase_add_test (tc, test_invert);
  tcase_add_test (tc, test_alpha_modes);
  tcase_add_test (tc, test_change_while_playing);
  tcase_add_test (tc, test_palette_file_element);
  tcase_add_test (tc, test_palette_file_start_errors);
  tcase_add_test (tc, test_palette_file_fifo);
  tcase_add_test (tc, test_palette_load);
  tcase_add_test (tc, test_parse_valid);
  tcase_add_test (tc, test_parse_errors);
  tcase_add_test (tc, test_parse_table_counts);
  tcase_add_test (tc, test_parse_random_input);
  tcase_add_test (tc, test_caps_preference);
  tcase_add_test (tc, test_mapping_meta_survives);
  tcase_add_test (tc, test_palette_meta_api);
  tcase_add_test (tc, test_palette_meta_on_output);
  tcase_add_test (tc, test_palette_meta_survives_converters);
  return s;
}

GST_CHECK_MAIN (thermalcolormap);
