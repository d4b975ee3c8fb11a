/* thermalnormalize: pixel-exact mappings, metas, statistics and alarms
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gstsenxormeta.h"

/* The deci-Kelvin pixel of @c + 0.05 °C: whole °C are not whole dK
 * (20 °C = 2931.5 dK), so test scenes use temperatures on the dK grid. */
#define DK(c) ((guint16) lround ((c) * 10 + 2732))
#define C_OF(v) ((v) / 10.0 - 273.15)

/* ---- helpers ---- */

/* A harness around one thermalnormalize with @w x @h GRAY16_LE input and
 * @out_format ("GRAY8", "GRAY16_LE" or NULL for whatever it prefers), in
 * mode minmax, the easiest to compute by hand (the default is percentile:
 * test_default_mode checks it); tests of other modes set theirs. */
static GstHarness *
harness_new (guint w, guint h, const gchar *out_format)
{
  GstHarness *hr = gst_harness_new ("thermalnormalize");
  gchar *caps = g_strdup_printf ("video/x-raw,format=GRAY16_LE,width=%u,"
      "height=%u,framerate=25/1", w, h);

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_MINMAX, NULL);

  gst_harness_set_src_caps_str (hr, caps);
  g_free (caps);
  if (out_format) {
    caps = g_strdup_printf ("video/x-raw,format=%s", out_format);
    gst_harness_set_sink_caps_str (hr, caps);
    g_free (caps);
  }
  return hr;
}

/* A GRAY16_LE buffer of @w x @h pixels from @pix (row-major, no padding),
 * laid out with @stride bytes per row (0 = the default stride; another
 * stride is described with a GstVideoMeta). */
static GstBuffer *
frame_new (const guint16 *pix, guint w, guint h, gint stride,
    GstClockTime pts)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstMapInfo map;
  guint x, y;

  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_GRAY16_LE, w, h);
  if (stride == 0)
    stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  buf = gst_buffer_new_and_alloc ((gsize) stride * h);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  memset (map.data, 0xA5, map.size);    /* padding must never be read */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      GST_WRITE_UINT16_LE (map.data + (gsize) y * stride + x * 2,
          pix[y * w + x]);
  gst_buffer_unmap (buf, &map);
  if (stride != GST_VIDEO_INFO_PLANE_STRIDE (&info, 0)) {
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { stride };
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_FORMAT_GRAY16_LE, w, h, 1, offset, strides);
  }
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DURATION (buf) = 40 * GST_MSECOND;
  return buf;
}

/* Pushes a frame and returns the output pixels (row-major, no padding). */
static guint16 *
push_pull_full (GstHarness *hr, const guint16 *pix, guint w, guint h,
    gint stride, GstClockTime pts, gdouble meta_scale, GstBuffer **out_buf)
{
  GstBuffer *in = frame_new (pix, w, h, stride, pts), *out;
  GstCaps *caps;
  GstVideoInfo info;
  GstVideoFrame frame;
  guint16 *res = g_new0 (guint16, (gsize) w * h);
  guint x, y;

  if (meta_scale > 0)
    gst_buffer_add_senxor_frame_meta (in, meta_scale, 0);
  fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL, "no output buffer");
  caps = gst_pad_get_current_caps (hr->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  gst_caps_unref (caps);
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), w);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), h);
  fail_unless (gst_video_frame_map (&frame, &info, out, GST_MAP_READ));
  for (y = 0; y < h; y++) {
    const guint8 *row = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    for (x = 0; x < w; x++)
      res[y * w + x] = GST_VIDEO_INFO_FORMAT (&info) == GST_VIDEO_FORMAT_GRAY8 ?
          row[x] : GST_READ_UINT16_LE (row + 2 * x);
  }
  gst_video_frame_unmap (&frame);
  if (out_buf)
    *out_buf = out;
  else
    gst_buffer_unref (out);
  return res;
}

static guint16 *
push_pull (GstHarness *hr, const guint16 *pix, guint w, guint h)
{
  return push_pull_full (hr, pix, w, h, 0, 0, 0, NULL);
}

static void
assert_pixels (const guint16 *got, const guint16 *want, guint n)
{
  /* plain ifs: fail_unless marks a check point per call, slow in loops */
  for (guint i = 0; i < n; i++)
    if (got[i] != want[i])
      fail ("pixel %u: got %u, expected %u", i, got[i], want[i]);
}

static GstBus *
harness_bus (GstHarness *hr)
{
  GstBus *bus = gst_bus_new ();

  gst_element_set_bus (hr->element, bus);
  return bus;
}

/* The next element message named @name, or NULL when there is none. */
static GstMessage *
next_message (GstBus *bus, const gchar *name)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT))) {
    if (gst_message_has_name (msg, name))
      return msg;
    gst_message_unref (msg);
  }
  return NULL;
}

static gdouble
get_double (const GstStructure *st, const gchar *field)
{
  gdouble v = NAN;

  fail_unless (gst_structure_get_double (st, field, &v),
      "field %s missing or not a double in %" GST_PTR_FORMAT, field, st);
  return v;
}

static guint
get_uint (const GstStructure *st, const gchar *field)
{
  guint v = 0;

  fail_unless (gst_structure_get_uint (st, field, &v),
      "field %s missing or not a uint in %" GST_PTR_FORMAT, field, st);
  return v;
}

static guint64
get_uint64 (const GstStructure *st, const gchar *field)
{
  guint64 v = 0;

  fail_unless (gst_structure_get_uint64 (st, field, &v),
      "field %s missing or not a guint64 in %" GST_PTR_FORMAT, field, st);
  return v;
}

/* The one entry of a region array (thermalnormalize has one ROI) */
static const GValue *
roi_value (const GstStructure *st, const gchar *field, GType type)
{
  const GValue *arr = gst_structure_get_value (st, field);
  const GValue *v;

  fail_unless (arr != NULL && GST_VALUE_HOLDS_ARRAY (arr),
      "field %s missing or not an array in %" GST_PTR_FORMAT, field, st);
  fail_unless_equals_int (gst_value_array_get_size (arr), 1);
  v = gst_value_array_get_value (arr, 0);
  fail_unless (G_VALUE_HOLDS (v, type), "%s[0] is a %s", field,
      G_VALUE_TYPE_NAME (v));
  return v;
}

static guint
roi_uint (const GstStructure *st, const gchar *field)
{
  return g_value_get_uint (roi_value (st, field, G_TYPE_UINT));
}

static gdouble
roi_double (const GstStructure *st, const gchar *field)
{
  return g_value_get_double (roi_value (st, field, G_TYPE_DOUBLE));
}

/* ---- mappings on hand-made frames ---- */

GST_START_TEST (test_minmax_exact)
{
  GstHarness *hr = harness_new (3, 2, "GRAY8");
  /* span 2931..3131 dK = 200 steps: out = round ((v - 2931) * 255 / 200) */
  const guint16 in[] = { 2931, 2971, 3011, 3051, 3091, 3131 };
  const guint16 want[] = { 0, 51, 102, 153, 204, 255 };
  const guint16 in2[] = { 3000, 3001, 3002, 3003, 3011, 3100 };
  /* 100 steps: 2.55 per step */
  const guint16 want2[] = { 0, 3, 5, 8, 28, 255 };
  guint16 *out;

  g_object_set (hr->element, "min-span", 0.0, NULL);
  out = push_pull (hr, in, 3, 2);
  assert_pixels (out, want, 6);
  g_free (out);
  out = push_pull (hr, in2, 3, 2);
  assert_pixels (out, want2, 6);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_minmax_gray16)
{
  GstHarness *hr = harness_new (4, 1, "GRAY16_LE");
  const guint16 in[] = { 3000, 3001, 3003, 3004 };
  /* 4 steps: 65535/4 = 16383.75 per step */
  const guint16 want[] = { 0, 16384, 49151, 65535 };
  guint16 *out;

  g_object_set (hr->element, "min-span", 0.0, NULL);
  out = push_pull (hr, in, 4, 1);
  assert_pixels (out, want, 4);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_min_span)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  /* 0.4 °C of scene widened to 2 °C about 25.05 °C: 24.05..26.05 °C =
   * 2972..2992 dK, 12.75 output steps per dK */
  const guint16 in[] = { DK (24.8), DK (25.2) };
  const guint16 want[] = { 102, 153 };   /* 8 and 12 of 20 steps */
  const guint16 flat[] = { 3000, 3000 };
  const guint16 want_flat[] = { 128, 128 };
  guint16 *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  out = push_pull_full (hr, in, 2, 1, 0, 0, 0, &buf);
  assert_pixels (out, want, 2);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless (m != NULL);
  fail_unless (fabs (m->range_min_c - 24.05) < 1e-9, "%f", m->range_min_c);
  fail_unless (fabs (m->range_max_c - 26.05) < 1e-9, "%f", m->range_max_c);
  gst_buffer_unref (buf);
  g_free (out);

  /* an even frame with no minimum span is mid-grey, never noise */
  g_object_set (hr->element, "min-span", 0.0, NULL);
  out = push_pull (hr, flat, 2, 1);
  assert_pixels (out, want_flat, 2);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_percentile_exact)
{
  GstHarness *hr = harness_new (11, 1, "GRAY8");
  /* 11 pixels, 10 % / 90 %: ranks 1 and 9 of the sorted values, i.e. the
   * outliers 1000 and 6000 are rejected and 3000..3051 is the range:
   * 5 output steps per dK. */
  const guint16 in[] = { 3010, 6000, 3000, 3020, 3030, 1000, 3040, 3051,
    3025, 3005, 3045
  };
  const guint16 want[] = { 50, 255, 0, 100, 150, 0, 200, 255, 125, 25, 225 };
  guint16 *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_PERCENTILE,
      "low-percent", 10.0, "high-percent", 90.0, "min-span", 0.0, NULL);
  out = push_pull_full (hr, in, 11, 1, 0, 0, 0, &buf);
  {
    guint16 want2[11];
    for (guint i = 0; i < 11; i++) {
      gdouble v = CLAMP (((gdouble) in[i] - 3000) * 255.0 / 51.0, 0, 255);
      want2[i] = (guint16) floor (v + 0.5);
    }
    assert_pixels (want, want2, 11);    /* the table above is right */
  }
  assert_pixels (out, want, 11);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless_equals_int (m->mode, GST_THERMAL_MAPPING_PERCENTILE);
  fail_unless (fabs (m->range_min_c - (300.0 - 273.15)) < 1e-9);
  fail_unless (fabs (m->range_max_c - (305.1 - 273.15)) < 1e-9);
  gst_buffer_unref (buf);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_percentile_wide_bins)
{
  GstHarness *hr = harness_new (5, 1, "GRAY16_LE");
  /* a span of 65535 steps: bins of 16 steps; 25 % / 75 % of 5 pixels are
   * ranks 1 and 3 (10000 and 20000), i.e. bins 625 and 1250, whose lower
   * and upper edges 10000 and 20015 become the range */
  const guint16 in[] = { 20000, 0, 65535, 10000, 15000 };
  guint16 *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_PERCENTILE,
      "input-unit", 1 /* centi-kelvin */ , "low-percent", 25.0,
      "high-percent", 75.0, "min-span", 0.0, NULL);
  out = push_pull_full (hr, in, 5, 1, 0, 0, 0, &buf);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless (fabs (m->range_min_c - (100.00 - 273.15)) < 1e-9, "%f",
      m->range_min_c);
  fail_unless (fabs (m->range_max_c - (200.15 - 273.15)) < 1e-9, "%f",
      m->range_max_c);
  fail_unless_equals_int (out[1], 0);
  fail_unless_equals_int (out[3], 0);
  fail_unless_equals_int (out[2], 65535);
  /* 20000: 10000 / 10015 of the span */
  fail_unless_equals_int (out[0], (guint) floor (10000 * 65535.0 / 10015 +
          0.5));
  fail_unless_equals_int (out[4], (guint) floor (5000 * 65535.0 / 10015 +
          0.5));
  gst_buffer_unref (buf);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_histogram_exact)
{
  GstHarness *hr = harness_new (4, 1, "GRAY8");
  const guint16 in[] = { 3000, 3000, 3050, 3100 };
  guint16 *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  /* Pure equalisation, no plateau: bins 3000 (2 px), 3050, 3100 (1 px)
   * sit at the middle of their cumulative share: 1, 2.5, 3.5 -> 0, 0.6, 1 */
  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_HISTOGRAM,
      "plateau", 100.0, "linear-percent", 0.0, "min-span", 0.0, NULL);
  out = push_pull_full (hr, in, 4, 1, 0, 0, 0, &buf);
  {
    const guint16 want[] = { 0, 0, 153, 255 };
    assert_pixels (out, want, 4);
  }
  /* histogram mode reports the coldest and hottest temperatures */
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless_equals_int (m->mode, GST_THERMAL_MAPPING_HISTOGRAM);
  fail_unless (fabs (m->range_min_c - (300.0 - 273.15)) < 1e-9);
  fail_unless (fabs (m->range_max_c - (310.0 - 273.15)) < 1e-9);
  gst_buffer_unref (buf);
  g_free (out);

  /* Half linear: 0.5 * 0.6 + 0.5 * 0.5 = 0.55 -> 140 */
  g_object_set (hr->element, "linear-percent", 50.0, NULL);
  out = push_pull (hr, in, 4, 1);
  {
    const guint16 want[] = { 0, 0, 140, 255 };
    assert_pixels (out, want, 4);
  }
  g_free (out);

  /* A plateau of 25 % (1 pixel) caps the 2-pixel bin: 0.5, 1.5, 2.5 ->
   * 0, 0.5, 1 -> 128 (exact half rounds up) */
  g_object_set (hr->element, "linear-percent", 0.0, "plateau", 25.0, NULL);
  out = push_pull (hr, in, 4, 1);
  {
    const guint16 want[] = { 0, 0, 128, 255 };
    assert_pixels (out, want, 4);
  }
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_histogram_min_span)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  /* 0.5 °C of scene, min-span 2 °C: the equalised 0..1 is squeezed to a
   * quarter of the output about mid-grey: 0.375 and 0.625 */
  const guint16 in[] = { 3000, 3005 };
  const guint16 want[] = { 96, 159 };
  guint16 *out;

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_HISTOGRAM,
      "plateau", 100.0, "linear-percent", 0.0, NULL);
  out = push_pull (hr, in, 2, 1);
  assert_pixels (out, want, 2);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_fixed_exact_centi_kelvin)
{
  GstHarness *hr = harness_new (256, 3, "GRAY8");
  guint16 in[256 * 3], want[256 * 3], *out;
  guint i;

  /* 20 .. 45.5 °C in centi-Kelvin is 29315 .. 31865: 10 cK per step */
  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_FIXED,
      "input-unit", 1 /* centi-kelvin */ , "min-temp", 20.0, "max-temp", 45.5,
      NULL);
  for (i = 0; i < 256; i++) {
    in[i] = 29315 + 10 * i;     /* exactly i */
    want[i] = i;
    in[256 + i] = 29315 + 10 * i + 4;   /* i + 0.4 -> i */
    want[256 + i] = i;
    in[512 + i] = 29315 + 10 * i - 6;   /* i - 0.6 -> i - 1, clamped */
    want[512 + i] = i == 0 ? 0 : i - 1;
  }
  in[511] = 40000;              /* far above: white */
  want[511] = 255;
  in[512] = 100;                /* far below: black */
  want[512] = 0;
  out = push_pull (hr, in, 256, 3);
  assert_pixels (out, want, 256 * 3);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_fixed_exact_gray16_meta)
{
  GstHarness *hr = harness_new (7, 1, "GRAY16_LE");
  /* The frame meta says deci-Kelvin whatever input-unit says.
   * -3.15 .. 6550.35 °C = 2700 .. 68235 dK: one output step per dK */
  const guint16 in[] = { 2700, 2701, 2800, 30000, 65535, 2699, 0 };
  const guint16 want[] = { 0, 1, 100, 27300, 62835, 0, 0 };
  guint16 *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_FIXED,
      "input-unit", 1 /* centi-kelvin: overridden by the meta */ ,
      "min-temp", -3.15, "max-temp", 6550.35, NULL);
  out = push_pull_full (hr, in, 7, 1, 0, 0, 0.1, &buf);
  assert_pixels (out, want, 7);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless_equals_int (m->out_max, 65535);
  fail_unless (m->range_min_c == -3.15 && m->range_max_c == 6550.35);
  fail_unless (m->scale == 0.1 && m->offset == 0);
  gst_buffer_unref (buf);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_raw_unit)
{
  GstHarness *hr = harness_new (3, 1, "GRAY8");
  const guint16 in[] = { 100, 200, 355 };
  const guint16 want[] = { 0, 100, 255 };
  guint16 *out;
  GstBuffer *buf;
  gdouble c;

  /* raw counts: the "°C" of min-temp/max-temp are counts */
  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_FIXED,
      "input-unit", 2 /* raw */ , "min-temp", 100.0, "max-temp", 355.0, NULL);
  out = push_pull_full (hr, in, 3, 1, 0, 0, 0, &buf);
  assert_pixels (out, want, 3);
  fail_unless (gst_thermal_mapping_meta_get_celsius
      (gst_buffer_get_thermal_mapping_meta (buf), 1, 0, &c));
  fail_unless (fabs (c - 200) < 1e-9, "%f", c);
  gst_buffer_unref (buf);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_roi_range)
{
  GstHarness *hr = harness_new (4, 2, "GRAY8");
  /* The ROI (1,0) 2x2 holds 3000..3100; the hot and cold pixels outside it
   * are clipped to white and black. */
  const guint16 in[] = { 9000, 3000, 3100, 1000,
    1000, 3050, 3025, 9000
  };
  const guint16 want[] = { 255, 0, 255, 0, 0, 128, 64, 255 };
  guint16 *out;

  g_object_set (hr->element, "roi", "1,0,2,2", "min-span", 0.0, NULL);
  out = push_pull (hr, in, 4, 2);
  /* 3050: 50/100 * 255 = 127.5 is a tie in exact arithmetic; accept the
   * rounding either way, everything else is exact */
  fail_unless (out[5] == 127 || out[5] == 128, "got %u", out[5]);
  out[5] = 128;
  assert_pixels (out, want, 8);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* roi takes thermaloverlay's syntax: fractions and percentages resolve like
 * pixels, past the frame is clipped; a value that does not parse or lists
 * several regions keeps the previous one and posts a warning. */
GST_START_TEST (test_roi_property)
{
  GstHarness *hr = harness_new (4, 2, "GRAY8");
  GstBus *bus = harness_bus (hr);
  const guint16 in[] = { 9000, 3000, 3100, 1000,
    1000, 3050, 3025, 9000
  };
  const gchar *same[] = { "1,0,2,2", "0.25,0,0.5,1.0", "25%,0%,50%,100%",
    "1,0,2,100", " 1 , 0 , 2 , 2 ;"
  };
  const gchar *bad[] = { "abc", "1,0,2", "1,0,0,2", "1.5,0,1,1",
    "1,0,2,2;0,0,1,1"
  };
  guint16 *ref, *out;
  gchar *text = NULL;
  GstMessage *msg;

  g_object_set (hr->element, "min-span", 0.0, "roi", "1,0,2,2", NULL);
  ref = push_pull (hr, in, 4, 2);
  for (guint i = 0; i < G_N_ELEMENTS (same); i++) {
    g_object_set (hr->element, "roi", same[i], NULL);
    out = push_pull (hr, in, 4, 2);
    fail_unless (memcmp (out, ref, sizeof in) == 0, "roi=\"%s\"", same[i]);
    g_free (out);
  }
  /* the whole frame is another range: not the same picture */
  g_object_set (hr->element, "roi", NULL, NULL);
  out = push_pull (hr, in, 4, 2);
  fail_unless (memcmp (out, ref, sizeof in) != 0);
  g_free (out);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_object_set (hr->element, "roi", "1,0,2,2", NULL);
    while ((msg = gst_bus_pop (bus)))
      gst_message_unref (msg);
    g_object_set (hr->element, "roi", bad[i], NULL);
    g_object_get (hr->element, "roi", &text, NULL);
    fail_unless_equals_string (text, "1,0,2,2");
    g_free (text);
    out = push_pull (hr, in, 4, 2);
    fail_unless (memcmp (out, ref, sizeof in) == 0, "roi=\"%s\"", bad[i]);
    g_free (out);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL, "no warning for roi=\"%s\"", bad[i]);
    gst_message_unref (msg);
  }
  g_free (ref);
  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- strides, odd and native sizes ---- */

/* Reference of the linear modes: round-half-up of (v - lo) * out_max / span,
 * clamped; ties (within float precision) may go either way. */
static void
check_linear (const guint16 *in, const guint16 *out, guint n, gdouble lo,
    gdouble hi, guint out_max)
{
  for (guint i = 0; i < n; i++) {
    gdouble v = CLAMP ((in[i] - lo) * out_max / (hi - lo), 0, out_max);
    gdouble r = floor (v + 0.5);
    gdouble frac = v - floor (v);

    if (fabs (frac - 0.5) < 1e-3 * (out_max / 255.0)) {
      if (fabs (out[i] - r) > 1)
        fail ("pixel %u: %u vs %f", i, out[i], v);
    } else if (out[i] != r) {
      fail ("pixel %u (in %u): got %u, expected %.0f", i, in[i], out[i], r);
    }
  }
}

static guint16 *
gradient (guint w, guint h)
{
  guint16 *p = g_new (guint16, (gsize) w * h);

  /* A warm spot on a 20 °C background with a gradient and some texture */
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++) {
      gint dx = (gint) x - (gint) w / 2, dy = (gint) y - (gint) h / 2;
      p[y * w + x] = 2931 + x * 3 + y * 2 + ((x * 7 + y * 13) % 5) +
          (dx * dx + dy * dy < 9 ? 150 : 0);
    }
  return p;
}

static void
check_sizes_for (const gchar *fmt, gint extra_stride)
{
  static const guint sizes[][2] = {
    {1, 1}, {31, 17}, {80, 62}, {160, 120}, {50, 50}, {3, 1}, {1, 5},
  };
  guint out_max = g_str_equal (fmt, "GRAY8") ? 255 : 65535;

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    guint w = sizes[s][0], h = sizes[s][1], n = w * h, i;
    guint16 *in = gradient (w, h), *out, vmin = G_MAXUINT16, vmax = 0;
    gint stride = extra_stride ? (gint) (w * 2 + extra_stride) : 0;
    GstHarness *hr;

    for (i = 0; i < n; i++) {
      vmin = MIN (vmin, in[i]);
      vmax = MAX (vmax, in[i]);
    }

    /* minmax */
    hr = harness_new (w, h, fmt);
    g_object_set (hr->element, "min-span", 0.0, NULL);
    out = push_pull_full (hr, in, w, h, stride, 0, 0, NULL);
    if (vmax > vmin)
      check_linear (in, out, n, vmin, vmax, out_max);
    else
      for (i = 0; i < n; i++)
        fail_unless_equals_int (out[i], (out_max + 1) / 2);
    g_free (out);

    /* fixed 15..35 °C */
    g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_FIXED,
        "min-temp", 15.0, "max-temp", 35.0, NULL);
    out = push_pull_full (hr, in, w, h, stride, 0, 0, NULL);
    check_linear (in, out, n, 2881.5, 3081.5, out_max);
    g_free (out);

    /* percentile 0..100 is minmax */
    g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_PERCENTILE,
        "low-percent", 0.0, "high-percent", 100.0, NULL);
    out = push_pull_full (hr, in, w, h, stride, 0, 0, NULL);
    if (vmax > vmin)
      check_linear (in, out, n, vmin, vmax, out_max);
    g_free (out);

    /* histogram: monotonic, coldest black, hottest white */
    g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_HISTOGRAM, NULL);
    out = push_pull_full (hr, in, w, h, stride, 0, 0, NULL);
    {
      /* one display value per temperature, never decreasing */
      gint *by_value = g_new (gint, vmax - vmin + 1), last = -1;

      for (i = 0; i <= (guint) (vmax - vmin); i++)
        by_value[i] = -1;
      for (i = 0; i < n; i++) {
        gint *b = &by_value[in[i] - vmin];
        if (*b >= 0 && *b != out[i])
          fail ("value %u shown as %d and %u", in[i], *b, out[i]);
        *b = out[i];
      }
      for (i = 0; i <= (guint) (vmax - vmin); i++) {
        if (by_value[i] < 0)
          continue;
        if (by_value[i] < last)
          fail ("not monotonic at %u", vmin + i);
        last = by_value[i];
      }
      if (vmax > vmin) {
        fail_unless_equals_int (by_value[0], 0);
        fail_unless_equals_int (by_value[vmax - vmin], out_max);
      }
      g_free (by_value);
    }
    g_free (out);
    gst_harness_teardown (hr);
    g_free (in);
  }
}

GST_START_TEST (test_sizes_gray8)
{
  check_sizes_for ("GRAY8", 0);
}
GST_END_TEST;

GST_START_TEST (test_sizes_gray16)
{
  check_sizes_for ("GRAY16_LE", 0);
}
GST_END_TEST;

GST_START_TEST (test_sizes_padded_stride)
{
  /* rows padded by a GstVideoMeta stride: the padding is never read */
  check_sizes_for ("GRAY8", 10);
  check_sizes_for ("GRAY16_LE", 6);
}
GST_END_TEST;

/* ---- metas ---- */

GST_START_TEST (test_metas)
{
  GstHarness *hr = harness_new (3, 2, "GRAY8");
  const guint16 in[] = { 2931, 2971, 3011, 3051, 3091, 3131 };
  GstBuffer *inbuf = frame_new (in, 3, 2, 0, 5 * GST_SECOND), *out;
  GstSenxorFrameMeta *fm = gst_buffer_add_senxor_frame_meta (inbuf, 0.1, 0);
  GstSenxorFrameMeta *ofm;
  GstThermalMappingMeta *m;
  gdouble c;

  g_object_set (hr->element, "min-span", 0.0, NULL);
  fm->has_header = TRUE;
  fm->frame_counter = 1234;
  fm->die_temp_c = 31.5;
  fm->max_raw = 3131;
  gst_buffer_ref (inbuf);
  fail_unless_equals_int (gst_harness_push (hr, inbuf), GST_FLOW_OK);
  out = gst_harness_pull (hr);

  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 5 * GST_SECOND);
  fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 40 * GST_MSECOND);

  /* the frame meta travels on */
  ofm = gst_buffer_get_senxor_frame_meta (out);
  fail_unless (ofm != NULL, "GstSenxorFrameMeta was not copied");
  fail_unless (ofm->has_header && ofm->frame_counter == 1234 &&
      ofm->die_temp_c == 31.5 && ofm->max_raw == 3131 && ofm->scale == 0.1);

  /* the mapping meta describes the picture and holds the radiometric frame */
  m = gst_buffer_get_thermal_mapping_meta (out);
  fail_unless (m != NULL, "no GstThermalMappingMeta");
  fail_unless_equals_int (m->mode, GST_THERMAL_MAPPING_MINMAX);
  fail_unless (fabs (m->range_min_c - 19.95) < 1e-9, "%f", m->range_min_c);
  fail_unless (fabs (m->range_max_c - 39.95) < 1e-9, "%f", m->range_max_c);
  fail_unless_equals_int (m->out_max, 255);
  fail_unless (m->radiometric == inbuf, "not a reference to the input");
  fail_unless_equals_int (m->width, 3);
  fail_unless_equals_int (m->height, 2);
  fail_unless_equals_int (m->stride, 8);
  fail_unless (m->scale == 0.1 && m->offset == 0);
  fail_unless (gst_thermal_mapping_meta_get_celsius (m, 2, 1, &c));
  fail_unless (fabs (c - 39.95) < 1e-9);
  /* the public unit helper gives what the meta reads */
  fail_unless (fabs (gst_senxor_raw_to_celsius (3131, m->scale, m->offset) -
          39.95) < 1e-9);
  fail_unless (fabs (gst_senxor_raw_to_celsius (10, 1.0, 273.15) - 10) <
      1e-9);

  /* only one mapping meta even when the input had one */
  gst_buffer_unref (out);
  gst_buffer_unref (inbuf);
  inbuf = frame_new (in, 3, 2, 0, 0);
  gst_buffer_add_thermal_mapping_meta (inbuf, GST_THERMAL_MAPPING_FIXED, 1, 2,
      255, NULL, 3, 2, 8, 0.1, 0);
  fail_unless_equals_int (gst_harness_push (hr, inbuf), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  {
    gpointer state = NULL;
    GstMeta *meta;
    guint n = 0;
    while ((meta = gst_buffer_iterate_meta_filtered (out, &state,
                GST_THERMAL_MAPPING_META_API_TYPE)))
      n++;
    fail_unless_equals_int (n, 1);
  }
  m = gst_buffer_get_thermal_mapping_meta (out);
  fail_unless_equals_int (m->mode, GST_THERMAL_MAPPING_MINMAX);
  fail_unless (m->radiometric != NULL);
  gst_buffer_unref (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_meta_plane_offset)
{
  GstHarness *hr = harness_new (3, 2, "GRAY8");
  GstBuffer *in = gst_buffer_new_and_alloc (12 + 2 * 8), *out;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 12 };
  gint strides[GST_VIDEO_MAX_PLANES] = { 8 };
  const guint16 px[] = { 3000, 3010, 3020, 3030, 3040, 3051 };
  GstThermalMappingMeta *m;
  GstMapInfo map;
  gdouble c;

  /* 12 bytes of something else before the plane, rows of 8 bytes */
  fail_unless (gst_buffer_map (in, &map, GST_MAP_WRITE));
  memset (map.data, 0xFF, map.size);
  for (guint i = 0; i < 6; i++)
    GST_WRITE_UINT16_LE (map.data + 12 + (i / 3) * 8 + (i % 3) * 2, px[i]);
  gst_buffer_unmap (in, &map);
  gst_buffer_add_video_meta_full (in, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_FORMAT_GRAY16_LE, 3, 2, 1, offset, strides);
  g_object_set (hr->element, "min-span", 0.0, NULL);
  fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  m = gst_buffer_get_thermal_mapping_meta (out);
  fail_unless (m != NULL && m->radiometric != NULL);
  fail_unless_equals_int (m->stride, 8);
  /* the meta's buffer starts at the first pixel */
  fail_unless (gst_thermal_mapping_meta_get_celsius (m, 0, 0, &c));
  fail_unless (fabs (c - C_OF (3000)) < 1e-9, "%f", c);
  fail_unless (gst_thermal_mapping_meta_get_celsius (m, 2, 1, &c));
  fail_unless (fabs (c - C_OF (3051)) < 1e-9, "%f", c);
  fail_unless (fabs (m->range_max_c - C_OF (3051)) < 1e-9);
  gst_buffer_unref (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_meta_outlives_input)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  const guint16 in[] = { 3000, 3100 };
  GstBuffer *out;
  guint16 *px;
  gdouble c;

  px = push_pull_full (hr, in, 2, 1, 0, 0, 0, &out);
  g_free (px);
  gst_harness_teardown (hr);
  /* the harness and the element are gone; the meta still reads */
  fail_unless (gst_thermal_mapping_meta_get_celsius
      (gst_buffer_get_thermal_mapping_meta (out), 1, 0, &c));
  fail_unless (fabs (c - 36.85) < 1e-9);
  gst_buffer_unref (out);
}
GST_END_TEST;

/* ---- smoothing ---- */

GST_START_TEST (test_smoothing_converges)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  const guint16 a[] = { DK (20), DK (30) }, b[] = { DK (30), DK (50) };
  gdouble lo = C_OF (a[0]), hi = C_OF (a[1]);
  guint n;

  g_object_set (hr->element, "min-span", 0.0, "smoothing", 0.75, NULL);
  for (n = 0; n < 40; n++) {
    GstBuffer *out;
    GstThermalMappingMeta *m;
    guint16 *px = push_pull_full (hr, n == 0 ? a : b, 2, 1, 0, n * GST_MSECOND,
        0, &out);

    /* range(n) = 0.75 range(n-1) + 0.25 frame(n), starting at frame 0 */
    if (n > 0) {
      lo = 0.75 * lo + 0.25 * C_OF (b[0]);
      hi = 0.75 * hi + 0.25 * C_OF (b[1]);
    }
    m = gst_buffer_get_thermal_mapping_meta (out);
    fail_unless (fabs (m->range_min_c - lo) < 1e-6, "frame %u: %f vs %f", n,
        m->range_min_c, lo);
    fail_unless (fabs (m->range_max_c - hi) < 1e-6, "frame %u: %f vs %f", n,
        m->range_max_c, hi);
    if (n == 1)                 /* damped: the new range is not there yet */
      fail_unless (px[0] > 100, "%u", px[0]);
    if (n == 39) {              /* converged: 0.75^39 of 10 °C is 1e-4 °C */
      fail_unless (fabs (m->range_min_c - C_OF (b[0])) < 1e-3);
      fail_unless (fabs (m->range_max_c - C_OF (b[1])) < 1e-3);
      fail_unless_equals_int (px[0], 0);
      fail_unless_equals_int (px[1], 255);
    }
    gst_buffer_unref (out);
    g_free (px);
  }
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* Pushes frame @a at t = 0, then frame @b every @period, and returns the
 * meta's range_max_c after @until of running time. */
static gdouble
smoothing_time_run (GstClockTime period, GstClockTime until, gdouble *lo)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  const guint16 a[] = { DK (20), DK (30) }, b[] = { DK (30), DK (50) };
  GstClockTime t;
  gdouble hi = 0, want_lo = C_OF (a[0]), want_hi = C_OF (a[1]);
  gdouble w = exp (-(gdouble) period / (100 * GST_MSECOND));

  g_object_set (hr->element, "min-span", 0.0, "smoothing-time",
      (guint64) (100 * GST_MSECOND), NULL);
  for (t = 0; t <= until; t += period) {
    GstBuffer *out;
    GstThermalMappingMeta *m;

    g_free (push_pull_full (hr, t == 0 ? a : b, 2, 1, 0, t, 0, &out));
    if (t > 0) {
      want_lo = w * want_lo + (1 - w) * C_OF (b[0]);
      want_hi = w * want_hi + (1 - w) * C_OF (b[1]);
    }
    m = gst_buffer_get_thermal_mapping_meta (out);
    fail_unless (fabs (m->range_min_c - want_lo) < 1e-6, "t %" GST_TIME_FORMAT
        ": %f vs %f", GST_TIME_ARGS (t), m->range_min_c, want_lo);
    fail_unless (fabs (m->range_max_c - want_hi) < 1e-6);
    *lo = m->range_min_c;
    hi = m->range_max_c;
    gst_buffer_unref (out);
  }
  gst_harness_teardown (hr);
  return hi;
}

GST_START_TEST (test_smoothing_time)
{
  gdouble lo40, lo20, hi40, hi20;

  /* per frame weight exp (-dt / tau), whatever the frame rate: after 200 ms
   * exp (-2) of the step remains at 25 fps and at 50 fps alike */
  hi40 = smoothing_time_run (40 * GST_MSECOND, 200 * GST_MSECOND, &lo40);
  hi20 = smoothing_time_run (20 * GST_MSECOND, 200 * GST_MSECOND, &lo20);
  fail_unless (fabs (lo40 - (C_OF (DK (30)) - 10 * exp (-2))) < 1e-6, "%f",
      lo40);
  fail_unless (fabs (lo40 - lo20) < 1e-6, "%f vs %f", lo40, lo20);
  fail_unless (fabs (hi40 - hi20) < 1e-6, "%f vs %f", hi40, hi20);
}
GST_END_TEST;

GST_START_TEST (test_smoothing_histogram_converges)
{
  GstHarness *damped = harness_new (31, 17, "GRAY8");
  GstHarness *plain = harness_new (31, 17, "GRAY8");
  guint16 *p = gradient (31, 17), *q = gradient (31, 17), *want, *out = NULL;
  guint i, n, differ = 0;

  for (i = 0; i < 31 * 17; i++)
    q[i] = p[i] + (i % 3 == 0 ? 40 : 0);        /* a different scene */
  g_object_set (damped->element, "mode", GST_THERMAL_MAPPING_HISTOGRAM,
      "smoothing", 0.5, NULL);
  g_object_set (plain->element, "mode", GST_THERMAL_MAPPING_HISTOGRAM, NULL);
  want = push_pull (plain, q, 31, 17);
  g_free (push_pull (damped, p, 31, 17));
  for (n = 0; n < 40; n++) {
    g_free (out);
    out = push_pull (damped, q, 31, 17);
    if (n == 0)
      for (i = 0; i < 31 * 17; i++)
        differ += out[i] != want[i];
  }
  fail_unless (differ > 0, "the first frame after the change was not damped");
  assert_pixels (out, want, 31 * 17);
  g_free (out);
  g_free (want);
  g_free (p);
  g_free (q);
  gst_harness_teardown (damped);
  gst_harness_teardown (plain);
}
GST_END_TEST;

/* ---- statistics ---- */

GST_START_TEST (test_stats_messages)
{
  GstHarness *hr = harness_new (4, 3, "GRAY8");
  GstBus *bus = harness_bus (hr);
  const guint16 in[] = {
    DK (20), DK (21), DK (22), DK (23),
    DK (24), DK (35), DK (18), DK (25),
    DK (19), DK (26), DK (27), DK (28),
  };
  guint posted[16], nposted = 0, i;
  GstMessage *msg;
  const GstStructure *st;

  g_object_set (hr->element, "stats-interval", 100 * GST_MSECOND,
      "roi", "1,1,2,2", NULL);
  /* frames every 40 ms: posts at 0, 120, 200, 320 and 400 ms */
  for (i = 0; i <= 10; i++) {
    g_free (push_pull_full (hr, in, 4, 3, 0, i * 40 * GST_MSECOND, 0, NULL));
    while ((msg = next_message (bus, "thermal-stats"))) {
      st = gst_message_get_structure (msg);
      fail_unless (nposted < G_N_ELEMENTS (posted));
      posted[nposted++] = i * 40;
      fail_unless_equals_uint64 (get_uint64 (st, "timestamp"),
          i * 40 * GST_MSECOND);
      fail_unless_equals_uint64 (get_uint64 (st, "running-time"),
          i * 40 * GST_MSECOND);
      fail_unless (GST_MESSAGE_SRC (msg) == GST_OBJECT (hr->element));
      gst_message_unref (msg);
    }
  }
  fail_unless_equals_int (nposted, 5);
  fail_unless (posted[0] == 0 && posted[1] == 120 && posted[2] == 200 &&
      posted[3] == 320 && posted[4] == 400, "posted at %u %u %u %u %u",
      posted[0], posted[1], posted[2], posted[3], posted[4]);

  /* the values of one message */
  g_object_set (hr->element, "stats-interval", (guint64) 1, NULL);
  g_free (push_pull_full (hr, in, 4, 3, 0, GST_SECOND, 0, NULL));
  msg = next_message (bus, "thermal-stats");
  fail_unless (msg != NULL);
  st = gst_message_get_structure (msg);
  fail_unless (fabs (get_double (st, "min-celsius") - 18.05) < 0.051);
  fail_unless (fabs (get_double (st, "max-celsius") - C_OF (DK (35))) < 1e-9);
  {
    gdouble sum = 0;
    for (i = 0; i < 12; i++)
      sum += in[i];
    /* to 0.01 °C, like every temperature in the messages */
    fail_unless (fabs (get_double (st, "mean-celsius") - (sum / 120.0 -
                273.15)) < 0.005 + 1e-9);
  }
  {
    const gchar *fields[] = { "min-celsius", "max-celsius", "mean-celsius",
      "range-min-celsius", "range-max-celsius"
    };
    const gchar *roi_fields[] = { "roi-min-celsius", "roi-max-celsius",
      "roi-mean-celsius"
    };
    for (i = 0; i < G_N_ELEMENTS (fields); i++) {
      gdouble v = get_double (st, fields[i]);
      fail_unless (v == round (v * 100) / 100, "%s = %.17g, not rounded to "
          "0.01", fields[i], v);
    }
    for (i = 0; i < G_N_ELEMENTS (roi_fields); i++) {
      gdouble v = roi_double (st, roi_fields[i]);
      fail_unless (v == round (v * 100) / 100, "%s = %.17g, not rounded to "
          "0.01", roi_fields[i], v);
    }
  }
  fail_unless_equals_int (get_uint (st, "coldest-x"), 2);
  fail_unless_equals_int (get_uint (st, "coldest-y"), 1);
  fail_unless_equals_int (get_uint (st, "hottest-x"), 1);
  fail_unless_equals_int (get_uint (st, "hottest-y"), 1);
  fail_unless_equals_int (get_uint (st, "sensor-width"), 4);
  fail_unless_equals_int (get_uint (st, "sensor-height"), 3);
  fail_unless_equals_int (roi_uint (st, "roi-x"), 1);
  fail_unless_equals_int (roi_uint (st, "roi-y"), 1);
  fail_unless_equals_int (roi_uint (st, "roi-width"), 2);
  fail_unless_equals_int (roi_uint (st, "roi-height"), 2);
  /* ROI: 35, 18 / 26, 27 */
  fail_unless (fabs (roi_double (st, "roi-min-celsius") - C_OF (DK (18))) <
      1e-9);
  fail_unless (fabs (roi_double (st, "roi-max-celsius") - C_OF (DK (35))) <
      1e-9);
  fail_unless (fabs (roi_double (st, "roi-mean-celsius") -
          ((DK (35) + DK (18) + DK (26) + DK (27)) / 40.0 - 273.15)) <
      0.005 + 1e-9);
  fail_unless_equals_int (roi_uint (st, "roi-coldest-x"), 2);
  fail_unless_equals_int (roi_uint (st, "roi-coldest-y"), 1);
  fail_unless_equals_int (roi_uint (st, "roi-hottest-x"), 1);
  fail_unless_equals_int (roi_uint (st, "roi-hottest-y"), 1);
  fail_unless_equals_string (gst_structure_get_string (st, "mode"), "minmax");
  fail_unless (fabs (get_double (st, "range-min-celsius") - roi_double (st,
              "roi-min-celsius")) < 1e-9);
  fail_unless (fabs (get_double (st, "range-max-celsius") - roi_double (st,
              "roi-max-celsius")) < 1e-9);
  gst_message_unref (msg);

  /* off */
  g_object_set (hr->element, "stats-interval", (guint64) 0, NULL);
  g_free (push_pull_full (hr, in, 4, 3, 0, 2 * GST_SECOND, 0, NULL));
  fail_unless (next_message (bus, "thermal-stats") == NULL);

  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_stats_without_timestamps)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  GstBus *bus = harness_bus (hr);
  const guint16 in[] = { DK (20), DK (30) };
  GstMessage *msg;

  /* no timestamps: every buffer posts, with GST_CLOCK_TIME_NONE */
  g_object_set (hr->element, "stats-interval", (guint64) GST_SECOND, NULL);
  for (guint i = 0; i < 3; i++) {
    g_free (push_pull_full (hr, in, 2, 1, 0, GST_CLOCK_TIME_NONE, 0, NULL));
    msg = next_message (bus, "thermal-stats");
    fail_unless (msg != NULL, "buffer %u posted no statistics", i);
    fail_unless_equals_uint64 (get_uint64 (gst_message_get_structure (msg),
            "timestamp"), GST_CLOCK_TIME_NONE);
    gst_message_unref (msg);
  }
  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_invalid_meta_unit)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  GstBus *bus = harness_bus (hr);
  const guint16 in[] = { 29315, 31865 };
  GstBuffer *out;
  GstThermalMappingMeta *m;
  GstMessage *msg;
  guint16 *px;
  GstBuffer *buf = frame_new (in, 2, 1, 0, 0);

  /* a frame meta with a zero scale: warned about once, input-unit used */
  gst_buffer_add_senxor_frame_meta (buf, 0.0, 0);
  g_object_set (hr->element, "input-unit", 1 /* centi-kelvin */ ,
      "min-span", 0.0, NULL);
  fail_unless_equals_int (gst_harness_push (hr, buf), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  m = gst_buffer_get_thermal_mapping_meta (out);
  fail_unless (m->scale == 0.01);
  fail_unless (fabs (m->range_min_c - 20) < 1e-9);
  fail_unless (fabs (m->range_max_c - 45.5) < 1e-9);
  gst_buffer_unref (out);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning about the frame meta");
  gst_message_unref (msg);
  /* once */
  px = push_pull_full (hr, in, 2, 1, 0, 0, 0.0, NULL);
  g_free (px);
  buf = frame_new (in, 2, 1, 0, 0);
  gst_buffer_add_senxor_frame_meta (buf, -1.0, 0);
  fail_unless_equals_int (gst_harness_push (hr, buf), GST_FLOW_OK);
  gst_buffer_unref (gst_harness_pull (hr));
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING) == NULL);
  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- alarms ---- */

typedef struct {
  const gchar *state;
  const gchar *kind;
  gdouble temperature;
  guint x, y;
  guint64 pixels;
} Alarm;

/* Pushes a 5x2 frame at 30 °C with the given pixels changed and returns the
 * number of alarm messages (stored in @got). */
static guint
alarm_step (GstHarness *hr, GstBus *bus, guint step, guint npx,
    const guint *idx, const gdouble *temp, Alarm *got)
{
  guint16 in[10];
  GstMessage *msg;
  guint n = 0, i;

  for (i = 0; i < 10; i++)
    in[i] = DK (30);
  for (i = 0; i < npx; i++)
    in[idx[i]] = DK (temp[i]);
  g_free (push_pull_full (hr, in, 5, 2, 0, step * 40 * GST_MSECOND, 0, NULL));
  while ((msg = next_message (bus, "thermal-alarm"))) {
    const GstStructure *st = gst_message_get_structure (msg);

    fail_unless (n < 2);
    got[n].state = g_intern_string (gst_structure_get_string (st, "state"));
    got[n].kind = g_intern_string (gst_structure_get_string (st, "kind"));
    got[n].temperature = get_double (st, "temperature-celsius");
    fail_unless (got[n].temperature == round (got[n].temperature * 100) / 100,
        "temperature %.17g is not rounded to 0.01", got[n].temperature);
    got[n].x = get_uint (st, "x");
    got[n].y = get_uint (st, "y");
    got[n].pixels = get_uint64 (st, "pixels");
    fail_unless_equals_uint64 (get_uint64 (st, "timestamp"),
        step * 40 * GST_MSECOND);
    get_double (st, "threshold-celsius");
    get_uint64 (st, "running-time");
    n++;
    gst_message_unref (msg);
  }
  return n;
}

GST_START_TEST (test_alarm_high_hysteresis)
{
  GstHarness *hr = harness_new (5, 2, "GRAY8");
  GstBus *bus = harness_bus (hr);
  Alarm a[2];
  const guint two[] = { 3, 7 };
  guint step = 0;

  g_object_set (hr->element, "alarm-high", 50.0, "alarm-hysteresis", 2.0,
      "alarm-min-pixels", 2, NULL);

  /* cool scene: nothing */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 0, NULL, NULL, a), 0);
  /* one hot pixel is fewer than alarm-min-pixels */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 1, two,
          (gdouble[]) {55}, a), 0);
  /* two pixels at or above 50 °C: begin, once */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {50, 55}, a), 1);
  fail_unless_equals_string (a[0].state, "begin");
  fail_unless_equals_string (a[0].kind, "high");
  fail_unless (fabs (a[0].temperature - C_OF (DK (55))) < 1e-9);
  fail_unless_equals_int (a[0].x, 2);   /* pixel 7 of a 5-wide frame */
  fail_unless_equals_int (a[0].y, 1);
  fail_unless_equals_uint64 (a[0].pixels, 2);
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {56, 57}, a), 0);
  /* back below 50 but within the 2 °C hysteresis: still on */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {48.5, 49}, a), 0);
  /* one pixel still above 48: fewer than min-pixels -> end */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {47, 49}, a), 1);
  fail_unless_equals_string (a[0].state, "end");
  fail_unless_equals_string (a[0].kind, "high");
  fail_unless_equals_uint64 (a[0].pixels, 1);
  fail_unless (fabs (a[0].temperature - C_OF (DK (49))) < 1e-9);
  /* below the threshold but not past the hysteresis: no new begin */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {49.9, 49.9}, a), 0);
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, two,
          (gdouble[]) {51, 52}, a), 1);
  fail_unless_equals_string (a[0].state, "begin");

  /* off: no more messages, the state is forgotten */
  g_object_set (hr->element, "alarm-high", 100000.0, NULL);
  fail_unless_equals_int (alarm_step (hr, bus, step++, 0, NULL, NULL, a), 0);

  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

GST_START_TEST (test_alarm_low_and_roi)
{
  GstHarness *hr = harness_new (5, 2, "GRAY8");
  GstBus *bus = harness_bus (hr);
  Alarm a[2];
  guint step = 0;

  /* low alarm on the right 2 columns only */
  g_object_set (hr->element, "alarm-low", 0.0, "alarm-hysteresis", 1.0,
      "roi", "3,0,2,2", NULL);
  /* a cold pixel outside the ROI is ignored */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 1, (guint[]) {0},
          (gdouble[]) {-10}, a), 0);
  /* inside: begin */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, (guint[]) {4, 8},
          (gdouble[]) {-3, -5}, a), 1);
  fail_unless_equals_string (a[0].state, "begin");
  fail_unless_equals_string (a[0].kind, "low");
  fail_unless_equals_int (a[0].x, 3);
  fail_unless_equals_int (a[0].y, 1);
  fail_unless_equals_uint64 (a[0].pixels, 2);
  fail_unless (fabs (a[0].temperature - C_OF (DK (-5))) < 1e-9);
  /* 0.5 °C is within the hysteresis */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 1, (guint[]) {4},
          (gdouble[]) {0.5}, a), 0);
  /* 1.5 °C is past it: end */
  fail_unless_equals_int (alarm_step (hr, bus, step++, 1, (guint[]) {4},
          (gdouble[]) {1.5}, a), 1);
  fail_unless_equals_string (a[0].state, "end");
  fail_unless_equals_string (a[0].kind, "low");

  /* both kinds at once */
  g_object_set (hr->element, "alarm-high", 40.0, "roi", "", NULL);
  fail_unless_equals_int (alarm_step (hr, bus, step++, 2, (guint[]) {1, 2},
          (gdouble[]) {-1, 41}, a), 2);
  fail_unless_equals_string (a[0].kind, "high");
  fail_unless_equals_string (a[1].kind, "low");
  fail_unless_equals_int (a[0].x, 2);
  fail_unless_equals_int (a[1].x, 1);

  gst_element_set_bus (hr->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* ---- changes while playing, negotiation ---- */

GST_START_TEST (test_mode_change_while_playing)
{
  GstHarness *hr = harness_new (2, 1, "GRAY8");
  const guint16 in[] = { DK (25), DK (30) };
  guint16 *out;

  g_object_set (hr->element, "min-span", 0.0, NULL);
  out = push_pull (hr, in, 2, 1);
  fail_unless (out[0] == 0 && out[1] == 255);
  g_free (out);
  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_FIXED, "min-temp",
      20.0, "max-temp", 40.0, NULL);
  out = push_pull (hr, in, 2, 1);
  /* 25.05 °C of 20..40: 64.39 -> 64; 30.05 °C: 128.14 -> 128 */
  fail_unless (out[0] == 64 && out[1] == 128, "%u %u", out[0], out[1]);
  g_free (out);
  g_object_set (hr->element, "max-temp", 30.0, NULL);
  out = push_pull (hr, in, 2, 1);
  fail_unless_equals_int (out[0], 129);  /* 5.05 of 10 °C: 128.78 */
  fail_unless_equals_int (out[1], 255);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

static GstCaps *
run_pipeline (const gchar *desc, guint expect_buffers)
{
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch (desc, &err);
  GstElement *sink;
  GstCaps *caps = NULL;
  guint n = 0;
  GstSample *sample;

  fail_unless (pipe != NULL && err == NULL, "%s: %s", desc,
      err ? err->message : "?");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              30 * GST_SECOND))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstThermalMappingMeta *m = gst_buffer_get_thermal_mapping_meta (buf);

    fail_unless (m != NULL && m->radiometric != NULL);
    if (!caps)
      caps = gst_caps_ref (gst_sample_get_caps (sample));
    n++;
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (n, expect_buffers);
  {
    GstBus *bus = gst_element_get_bus (pipe);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg == NULL, "pipeline error");
    gst_object_unref (bus);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return caps;
}

GST_START_TEST (test_plain_source_negotiation)
{
  GstCaps *caps;
  GstStructure *st;

  /* no videoconvert: GRAY8 is preferred */
  caps = run_pipeline ("videotestsrc num-buffers=5 pattern=ball ! "
      "video/x-raw,format=GRAY16_LE,width=160,height=120 ! "
      "thermalnormalize mode=histogram ! appsink name=sink sync=false", 5);
  st = gst_caps_get_structure (caps, 0);
  fail_unless_equals_string (gst_structure_get_string (st, "format"), "GRAY8");
  gst_caps_unref (caps);

  /* a GRAY16-only consumer gets GRAY16_LE */
  caps = run_pipeline ("videotestsrc num-buffers=3 ! "
      "video/x-raw,format=GRAY16_LE,width=31,height=17 ! "
      "thermalnormalize input-unit=centi-kelvin ! "
      "video/x-raw,format=GRAY16_LE ! appsink name=sink sync=false", 3);
  st = gst_caps_get_structure (caps, 0);
  fail_unless_equals_string (gst_structure_get_string (st, "format"),
      "GRAY16_LE");
  gst_caps_unref (caps);

  /* and videoconvert downstream works too */
  caps = run_pipeline ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=GRAY16_LE,width=80,height=62 ! "
      "thermalnormalize ! videoconvert ! video/x-raw,format=RGBx ! "
      "appsink name=sink sync=false", 2);
  gst_caps_unref (caps);
}
GST_END_TEST;

/* senxorsrc straight into thermalnormalize, no videoconvert: the emulated
 * gradient scene is exact (pixel (x, y) of frame n is 2932 + 4x + 2y +
 * (n mod 64) dK, docs/emulator.md), so minmax shows pixel (x, y) as
 * round ((4x + 2y) * 255 / 438) whatever the frame. */
GST_START_TEST (test_from_senxorsrc)
{
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch ("senxorsrc "
      "device=\"emulator://?module=mi08&fast=1&scene=gradient\" "
      "num-buffers=5 ! thermalnormalize mode=minmax min-span=0 ! "
      "appsink name=sink "
      "sync=false", &err);
  GstElement *sink;
  GstSample *sample;
  guint n = 0;

  fail_unless (pipe != NULL && err == NULL, "%s", err ? err->message : "?");
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              60 * GST_SECOND))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstThermalMappingMeta *m = gst_buffer_get_thermal_mapping_meta (buf);
    GstSenxorFrameMeta *fm = gst_buffer_get_senxor_frame_meta (buf);
    GstVideoInfo info;
    GstVideoFrame frame;

    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (&info),
        GST_VIDEO_FORMAT_GRAY8);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), 80);
    fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), 62);
    fail_unless (fm != NULL, "senxorsrc's frame meta did not pass through");
    fail_unless (m != NULL && m->radiometric != NULL);
    fail_unless (m->scale == fm->scale && m->offset == fm->offset);
    fail_unless (fabs (m->range_max_c - m->range_min_c - 43.8) < 1e-6,
        "range %f..%f", m->range_min_c, m->range_max_c);
    fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
    for (guint y = 0; y < 62; y++)
      for (guint x = 0; x < 80; x++) {
        guint got = ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0))
            [y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + x];
        guint want = (guint) floor ((4 * x + 2 * y) * 255.0 / 438 + 0.5);
        if (got != want)
          fail ("frame %u pixel %u,%u: %u, expected %u", n, x, y, got, want);
      }
    gst_video_frame_unmap (&frame);
    gst_sample_unref (sample);
    n++;
  }
  fail_unless_equals_int (n, 5);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}
GST_END_TEST;

/* The defaults: percentile, 1 % to 98.5 %, so one hot pixel in a hundred
 * does not squeeze the rest of the picture; mode=minmax gives the old
 * behaviour back. */
GST_START_TEST (test_default_mode)
{
  GstHarness *hr = gst_harness_new ("thermalnormalize");
  GstElement *e = gst_element_factory_make ("thermalnormalize", NULL);
  GstThermalMappingMode mode = GST_THERMAL_MAPPING_FIXED;
  gdouble lo = 0, hi = 0;
  guint16 in[100], *out;
  GstBuffer *buf;
  GstThermalMappingMeta *m;

  g_object_get (e, "mode", &mode, "low-percent", &lo, "high-percent", &hi,
      NULL);
  fail_unless_equals_int (mode, GST_THERMAL_MAPPING_PERCENTILE);
  fail_unless_equals_float (lo, 1.0);
  fail_unless_equals_float (hi, 98.5);
  gst_object_unref (e);

  /* 99 pixels from 20.05 to 29.85 °C and one at 80.05 °C */
  for (guint i = 0; i < 100; i++)
    in[i] = DK (20.0) + i;
  in[99] = DK (80.0);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY16_LE,"
      "width=10,height=10,framerate=25/1");
  gst_harness_set_sink_caps_str (hr, "video/x-raw,format=GRAY8");
  out = push_pull_full (hr, in, 10, 10, 0, 0, 0, &buf);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  /* ranks 0 and ceil (0.985 * 99) = 98: the hot pixel is not the top */
  fail_unless (m != NULL && m->mode == GST_THERMAL_MAPPING_PERCENTILE);
  fail_unless (fabs (m->range_min_c - C_OF (DK (20.0))) < 1e-9, "%f",
      m->range_min_c);
  fail_unless (fabs (m->range_max_c - C_OF (DK (20.0) + 98)) < 1e-9, "%f",
      m->range_max_c);
  fail_unless_equals_int (out[0], 0);
  fail_unless_equals_int (out[50], 130);        /* 50 of 98 steps */
  fail_unless_equals_int (out[99], 255);
  gst_buffer_unref (buf);
  g_free (out);

  g_object_set (hr->element, "mode", GST_THERMAL_MAPPING_MINMAX, NULL);
  out = push_pull_full (hr, in, 10, 10, 0, 0, 0, &buf);
  m = gst_buffer_get_thermal_mapping_meta (buf);
  fail_unless (fabs (m->range_max_c - C_OF (DK (80.0))) < 1e-9, "%f",
      m->range_max_c);
  fail_unless (out[50] < 40, "minmax: %u", out[50]);
  gst_buffer_unref (buf);
  g_free (out);
  gst_harness_teardown (hr);
}
GST_END_TEST;

/* The emulator's people scene (docs/emulator.md), as the README's first
 * pipeline shows it: 21-23 °C room, people at 30.5-36 °C, a 63-87 °C hot
 * object.  Mean over @frames frames of the people's display level (pixels
 * at 30-37 °C, in frames where they are at least 1 % of the picture) and of
 * the share of the display range between the scene's 10th and 90th
 * percentile (tests/bench/bench-display-range.c prints the same figures for
 * every mode and scene). */
static void
people_scene_figures (const gchar *props, guint frames, gdouble *people,
    gdouble *band)
{
  GError *err = NULL;
  gchar *desc = g_strdup_printf ("senxorsrc "
      "device=\"emulator://?module=mi16&scene=people&fast=1\" "
      "num-buffers=%u ! thermalnormalize %s ! video/x-raw,format=GRAY8 ! "
      "appsink name=sink sync=false", frames, props);
  GstElement *pipe = gst_parse_launch (desc, &err);
  GstElement *sink;
  GstSample *sample;
  guint n = 0, people_frames = 0;
  gdouble people_sum = 0, band_sum = 0;

  fail_unless (pipe != NULL && err == NULL, "%s", err ? err->message : "?");
  g_free (desc);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              60 * GST_SECOND))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    GstThermalMappingMeta *m = gst_buffer_get_thermal_mapping_meta (buf);
    guint hist[256] = { 0 }, npeople = 0, lo = 0, hi = 0, cum = 0, total;
    guint64 level = 0;
    GstVideoInfo info;
    GstVideoFrame frame;
    GstMapInfo rad;

    fail_unless (m != NULL);
    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless (gst_video_frame_map (&frame, &info, buf, GST_MAP_READ));
    fail_unless (gst_buffer_map (m->radiometric, &rad, GST_MAP_READ));
    total = m->width * m->height;
    for (guint y = 0; y < m->height; y++)
      for (guint x = 0; x < m->width; x++) {
        guint v = ((const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0))
            [y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0) + x];
        gdouble c = GST_READ_UINT16_LE (rad.data + y * m->stride + 2 * x) *
            m->scale + m->offset - 273.15;

        hist[v]++;
        if (c >= 30.0 && c <= 37.0) {
          level += v;
          npeople++;
        }
      }
    gst_buffer_unmap (m->radiometric, &rad);
    gst_video_frame_unmap (&frame);
    /* nearest-rank 10th and 90th percentile of the display values */
    for (guint v = 0, got_lo = 0; v < 256; v++) {
      cum += hist[v];
      if (!got_lo && cum > (total - 1) / 10) {
        lo = v;
        got_lo = 1;
      }
      if (cum > (total - 1) * 9 / 10) {
        hi = v;
        break;
      }
    }
    band_sum += (hi - lo) / 255.0;
    if (npeople > total / 100) {
      people_sum += (gdouble) level / npeople / 255.0;
      people_frames++;
    }
    gst_sample_unref (sample);
    n++;
  }
  fail_unless_equals_int (n, frames);
  fail_unless (people_frames > frames / 2, "people in %u of %u frames",
      people_frames, frames);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  *people = people_sum / people_frames;
  *band = band_sum / n;
}

/* With the default mode the people get a good share of the range: they are
 * shown well above the middle of the palette, not near black because of
 * the hot object (minmax, checked too, shows them at about a quarter). */
GST_START_TEST (test_default_people_scene)
{
  gdouble people, band;

  people_scene_figures ("", 90, &people, &band);
  g_print ("default: people at %.0f %% of the range, 10-90 %% band %.2f\n",
      100 * people, band);
  fail_unless (people >= 0.6, "people at %.2f of the range", people);
  fail_unless (band >= 0.4, "10-90 %% band %.2f of the range", band);

  people_scene_figures ("mode=minmax", 90, &people, &band);
  g_print ("minmax: people at %.0f %% of the range, 10-90 %% band %.2f\n",
      100 * people, band);
  fail_unless (people < 0.4 && band < 0.3, "minmax: %.2f, %.2f", people,
      band);
}
GST_END_TEST;

GST_START_TEST (test_refuses_other_formats)
{
  GstElement *e = gst_element_factory_make ("thermalnormalize", NULL);
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  GstCaps *caps = gst_caps_from_string ("video/x-raw,format=GRAY8,width=8,"
      "height=8,framerate=1/1");

  fail_unless (!gst_pad_query_accept_caps (sink, caps));
  gst_caps_unref (caps);
  gst_object_unref (sink);
  gst_object_unref (e);
}
GST_END_TEST;

static Suite *
thermalnormalize_suite (void)
{
  Suite *s = suite_create ("thermalnormalize");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_minmax_exact);
  tcase_add_test (tc, test_minmax_gray16);
  tcase_add_test (tc, test_min_span);
  tcase_add_test (tc, test_percentile_exact);
  tcase_add_test (tc, test_percentile_wide_bins);
  tcase_add_test (tc, test_histogram_exact);
  tcase_add_test (tc, test_histogram_min_span);
  tcase_add_test (tc, test_fixed_exact_centi_kelvin);
  tcase_add_test (tc, test_fixed_exact_gray16_meta);
  tcase_add_test (tc, test_raw_unit);
  tcase_add_test (tc, test_roi_range);
  tcase_add_test (tc, test_roi_property);
  tcase_add_test (tc, test_sizes_gray8);
  tcase_add_test (tc, test_sizes_gray16);
  tcase_add_test (tc, test_sizes_padded_stride);
  tcase_add_test (tc, test_metas);
  tcase_add_test (tc, test_meta_outlives_input);
  tcase_add_test (tc, test_meta_plane_offset);
  tcase_add_test (tc, test_smoothing_converges);
  tcase_add_test (tc, test_smoothing_histogram_converges);
  tcase_add_test (tc, test_smoothing_time);
  tcase_add_test (tc, test_stats_messages);
  tcase_add_test (tc, test_stats_without_timestamps);
  tcase_add_test (tc, test_invalid_meta_unit);
  tcase_add_test (tc, test_alarm_high_hysteresis);
  tcase_add_test (tc, test_alarm_low_and_roi);
  tcase_add_test (tc, test_mode_change_while_playing);
  tcase_add_test (tc, test_plain_source_negotiation);
  tcase_add_test (tc, test_refuses_other_formats);
  tcase_add_test (tc, test_default_mode);
  /* senxorsrc lands separately: the test runs wherever it is registered */
  if (gst_registry_check_feature_version (gst_registry_get (), "senxorsrc",
          0, 0, 0))
  {
    tcase_add_test (tc, test_from_senxorsrc);
    tcase_add_test (tc, test_default_people_scene);
  } else
    g_print ("senxorsrc is not in this build: test_from_senxorsrc and "
        "test_default_people_scene not run\n");
  return s;
}

GST_CHECK_MAIN (thermalnormalize);
