/* Benchmark of thermalcolormap: per-frame cost per output format and size,
 * beside a plain reference look-up loop measured in the same process.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run: meson test -C build --benchmark --verbose bench-colormap
 *  or: meson devenv -C build tests/bench/bench-colormap [iterations-scale]
 *
 * Columns:
 *   element  the element's transform_frame (the real per-frame work of the
 *            registered element, frames mapped once, no buffer allocation)
 *   harness  a full push + pull through GstHarness: buffer pool, mapping,
 *            meta copy and harness queues included
 *   ref      a plain loop: a 256-entry table in the output's byte order
 *            built per frame, then per pixel three or four byte stores
 *            (packed); the 8-bit BT.601 formula per pixel (YUV)
 *   ratio    ref / element (how many times faster the element is)
 * Target: GRAY8 -> BGRx at 160x120 element <= 10 us per frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

static const char *const formats[] = {
  "BGRx", "RGBx", "xBGR", "xRGB", "BGRA", "RGBA", "ARGB", "ABGR", "BGR",
  "RGB", "I420", "NV12",
};

static const gint sizes[][2] = { {160, 120}, {640, 480} };

/* A palette for the reference loop: any table does. */
static guint8 ref_pal[256][3];

static volatile guint8 sink_byte;

static gdouble
now_us (void)
{
  return (gdouble) g_get_monotonic_time ();
}

/* ---- reference loops: the obvious code, in the same process ---- */

/* A table of 256 pixels in the output's memory order, then per pixel three
 * or four byte copies: what one writes with a prebuilt table. */
static void
ref_packed (const GstVideoFrame *in, GstVideoFrame *out, const char *order)
{
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gint bpp = (gint) strlen (order), x, y, c, i;
  guint8 table[256][4];

  for (i = 0; i < 256; i++)
    for (c = 0; c < bpp; c++)
      table[i][c] = order[c] == 'R' ? ref_pal[i][0] : order[c] == 'G' ?
          ref_pal[i][1] : order[c] == 'B' ? ref_pal[i][2] : 255;
  for (y = 0; y < h; y++) {
    const guint8 *s = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (in, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
    guint8 *d = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (out, 0)
        + y * GST_VIDEO_FRAME_PLANE_STRIDE (out, 0);

    if (bpp == 4) {
      for (x = 0; x < w; x++, d += 4) {
        const guint8 *t = table[s[x]];
        d[0] = t[0];
        d[1] = t[1];
        d[2] = t[2];
        d[3] = t[3];
      }
    } else {
      for (x = 0; x < w; x++, d += 3) {
        const guint8 *t = table[s[x]];
        d[0] = t[0];
        d[1] = t[1];
        d[2] = t[2];
      }
    }
  }
}

static void
ref_yuv (const GstVideoFrame *in, GstVideoFrame *out)
{
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gboolean nv12 = GST_VIDEO_FRAME_FORMAT (out) == GST_VIDEO_FORMAT_NV12;
  gint ss = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
  gint x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const guint8 *p = ref_pal[src[y * ss + x]];
      ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (out, 0))
          [y * GST_VIDEO_FRAME_COMP_STRIDE (out, 0) + x] =
          (guint8) (((66 * p[0] + 129 * p[1] + 25 * p[2] + 128) >> 8) + 16);
    }
  for (y = 0; y < (h + 1) / 2; y++)
    for (x = 0; x < (w + 1) / 2; x++) {
      gint u = 0, v = 0, dx, dy;

      for (dy = 0; dy < 2; dy++)
        for (dx = 0; dx < 2; dx++) {
          const guint8 *p = ref_pal[src[MIN (2 * y + dy, h - 1) * ss
                  + MIN (2 * x + dx, w - 1)]];
          u += -38 * p[0] - 74 * p[1] + 112 * p[2];
          v += 112 * p[0] - 94 * p[1] - 18 * p[2];
        }
      /* offset by 4 * 128 * 256 so the shift sees a positive sum */
      u = (u + 131072 + 512) >> 10;
      v = (v + 131072 + 512) >> 10;
      if (nv12) {
        guint8 *row = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (out, 1)
            + y * GST_VIDEO_FRAME_PLANE_STRIDE (out, 1);
        row[2 * x] = (guint8) u;
        row[2 * x + 1] = (guint8) v;
      } else {
        ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (out, 1))
            [y * GST_VIDEO_FRAME_COMP_STRIDE (out, 1) + x] = (guint8) u;
        ((guint8 *) GST_VIDEO_FRAME_COMP_DATA (out, 2))
            [y * GST_VIDEO_FRAME_COMP_STRIDE (out, 2) + x] = (guint8) v;
      }
    }
}

/* ---- timing ---- */

typedef void (*WorkFunc) (gpointer data);

/* Best of 5 batches, each ~target_ms long: microseconds per call. */
static gdouble
time_per_call (WorkFunc fn, gpointer data, gdouble target_ms)
{
  gdouble best = G_MAXDOUBLE, t0, t1;
  guint n = 1, batch, i;

  /* calibrate the batch size */
  for (;;) {
    t0 = now_us ();
    for (i = 0; i < n; i++)
      fn (data);
    t1 = now_us ();
    if (t1 - t0 >= target_ms * 1000.0 / 4 || n >= (1u << 24))
      break;
    n *= 2;
  }
  n *= 4;
  for (batch = 0; batch < 5; batch++) {
    t0 = now_us ();
    for (i = 0; i < n; i++)
      fn (data);
    t1 = now_us ();
    best = MIN (best, (t1 - t0) / n);
  }
  return best;
}

typedef struct {
  GstVideoFilter *filter;
  GstVideoFilterClass *klass;
  GstVideoFrame in, out;
  const char *order;            /* NULL for YUV */
  GstHarness *hr;
  GstBuffer *inbuf;
} Bench;

static void
run_element (gpointer data)
{
  Bench *b = data;

  b->klass->transform_frame (b->filter, &b->in, &b->out);
  sink_byte = ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&b->out, 0))[0];
}

static void
run_ref (gpointer data)
{
  Bench *b = data;

  if (b->order)
    ref_packed (&b->in, &b->out, b->order);
  else
    ref_yuv (&b->in, &b->out);
  sink_byte = ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&b->out, 0))[0];
}

static void
run_harness (gpointer data)
{
  Bench *b = data;
  GstBuffer *out;

  gst_harness_push (b->hr, gst_buffer_ref (b->inbuf));
  out = gst_harness_pull (b->hr);
  gst_buffer_unref (out);
}

static const char *
packed_order (const char *format)
{
  /* memory order of the packed formats (R, G, B, A or x padding) */
  if (strlen (format) >= 3 && format[0] != 'I' && format[0] != 'N')
    return format;
  return NULL;
}

int
main (int argc, char **argv)
{
  gdouble scale = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 1.0;
  GstElementFactory *factory;
  gdouble bgrx_small = 0;
  gsize s, f;
  gint i;

  gst_init (&argc, &argv);
  factory = gst_element_factory_find ("thermalcolormap");
  if (factory == NULL) {
    g_printerr ("thermalcolormap not found: run through `meson test -C build "
        "--benchmark` or `meson devenv -C build` so GST_PLUGIN_PATH points "
        "at build/gst\n");
    return 1;
  }
  gst_object_unref (factory);
  if (scale <= 0)
    scale = 1.0;
  for (i = 0; i < 256; i++) {
    ref_pal[i][0] = (guint8) i;
    ref_pal[i][1] = (guint8) (i * 7);
    ref_pal[i][2] = (guint8) (255 - i);
  }

  g_print ("thermalcolormap, palette ironbow, random GRAY8 input; "
      "microseconds per frame (best of 5 batches)\n");
  g_print ("%-6s %-8s %10s %10s %10s %8s\n", "format", "size", "element",
      "harness", "ref", "ratio");

  for (s = 0; s < G_N_ELEMENTS (sizes); s++) {
    gint w = sizes[s][0], h = sizes[s][1];
    GstVideoInfo in_info;
    GRand *rand = g_rand_new_with_seed (42);
    GstBuffer *inbuf;
    GstMapInfo map;
    gsize k;

    gst_video_info_set_format (&in_info, GST_VIDEO_FORMAT_GRAY8, w, h);
    inbuf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&in_info),
        NULL);
    gst_buffer_map (inbuf, &map, GST_MAP_WRITE);
    for (k = 0; k < map.size; k++)
      map.data[k] = (guint8) g_rand_int_range (rand, 0, 256);
    gst_buffer_unmap (inbuf, &map);
    g_rand_free (rand);

    for (f = 0; f < G_N_ELEMENTS (formats); f++) {
      g_autofree gchar *in_caps = g_strdup_printf ("video/x-raw,format=GRAY8,"
          "width=%d,height=%d,framerate=30/1", w, h);
      g_autofree gchar *out_caps = g_strdup_printf ("video/x-raw,format=%s,"
          "width=%d,height=%d,framerate=30/1", formats[f], w, h);
      g_autofree gchar *size = g_strdup_printf ("%dx%d", w, h);
      Bench b = { 0 };
      GstBuffer *outbuf, *first;
      gdouble t_el, t_ref, t_h;

      b.hr = gst_harness_new ("thermalcolormap");
      gst_harness_set_src_caps_str (b.hr, in_caps);
      gst_harness_set_sink_caps_str (b.hr, out_caps);
      b.inbuf = inbuf;
      /* negotiate and build the tables with one real frame */
      gst_harness_push (b.hr, gst_buffer_ref (inbuf));
      first = gst_harness_pull (b.hr);
      gst_buffer_unref (first);

      b.filter = GST_VIDEO_FILTER (b.hr->element);
      b.klass = GST_VIDEO_FILTER_GET_CLASS (b.filter);
      b.order = packed_order (formats[f]);
      outbuf = gst_buffer_new_allocate (NULL,
          GST_VIDEO_INFO_SIZE (&b.filter->out_info), NULL);
      gst_video_frame_map (&b.in, &b.filter->in_info, inbuf, GST_MAP_READ);
      gst_video_frame_map (&b.out, &b.filter->out_info, outbuf,
          GST_MAP_WRITE);

      t_el = time_per_call (run_element, &b, 20 * scale);
      t_ref = time_per_call (run_ref, &b, 20 * scale);
      gst_video_frame_unmap (&b.in);
      gst_video_frame_unmap (&b.out);
      t_h = time_per_call (run_harness, &b, 20 * scale);

      g_print ("%-6s %-8s %10.2f %10.2f %10.2f %7.1fx\n", formats[f], size,
          t_el, t_h, t_ref, t_ref / t_el);
      if (s == 0 && f == 0)
        bgrx_small = t_el;
      gst_buffer_unref (outbuf);
      gst_harness_teardown (b.hr);
    }
    gst_buffer_unref (inbuf);
  }

  g_print ("\ntarget GRAY8 -> BGRx 160x120 <= 10 us per frame: %.2f us (%s)\n",
      bgrx_small, bgrx_small <= 10.0 ? "met" : "NOT met on this machine");
  g_print ("(for comparison, OpenCV applyColorMap is quoted at "
      "250-390 us per 160x120 frame, about 23 us with a prebuilt table)\n");
  return 0;
}
