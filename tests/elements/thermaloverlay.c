/* thermaloverlay: computed temperatures, drawn pixels, scaling, no meta.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Frames are made here: a uniform colour picture with a GstThermalMappingMeta
 * pointing at a hand-made deci-Kelvin GRAY16_LE frame, like thermalnormalize
 * attaches.  The element's "thermal-overlay" messages give the values it
 * computed; the pulled pictures show what it drew.
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gstsenxormeta.h"
#include "thermal-palettes.h"

#define SW 80
#define SH 62
#define BASE_DK 3000            /* 26.85 °C */

static const guint8 FILL[3] = { 100, 100, 100 };

static gdouble
dk_to_c (guint v)
{
  return v * 0.1 - 273.15;
}

/* A radiometric frame filled with @base, with a padded stride (unless
 * @packed: then as a GRAY16_LE video buffer of its own). */
static GstBuffer *
make_radiometric_full (guint w, guint h, guint base, gboolean packed,
    gint *stride_out)
{
  gint stride = w * 2 + (packed ? 0 : 6);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) stride * h, NULL);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  memset (map.data, 0xee, map.size);
  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      GST_WRITE_UINT16_LE (map.data + y * stride + x * 2, base);
  gst_buffer_unmap (buf, &map);
  *stride_out = stride;
  return buf;
}

static GstBuffer *
make_radiometric (guint w, guint h, guint base, gint *stride_out)
{
  return make_radiometric_full (w, h, base, FALSE, stride_out);
}

static void
rad_set (GstBuffer *rad, gint stride, guint x, guint y, guint v)
{
  GstMapInfo map;

  fail_unless (gst_buffer_map (rad, &map, GST_MAP_WRITE));
  GST_WRITE_UINT16_LE (map.data + y * stride + x * 2, v);
  gst_buffer_unmap (rad, &map);
}

static guint
rad_get (GstBuffer *rad, gint stride, guint x, guint y)
{
  GstMapInfo map;
  guint v;

  fail_unless (gst_buffer_map (rad, &map, GST_MAP_READ));
  v = GST_READ_UINT16_LE (map.data + y * stride + x * 2);
  gst_buffer_unmap (rad, &map);
  return v;
}

/* Byte offsets of R, G, B and the fourth byte (alpha or padding). */
typedef struct {
  GstVideoFormat format;
  guint r, g, b, a;
  gboolean alpha;
} Layout;

static Layout
layout_of (const gchar *format)
{
  const GstVideoFormatInfo *fi =
      gst_video_format_get_info (gst_video_format_from_string (format));
  Layout l;

  l.format = GST_VIDEO_FORMAT_INFO_FORMAT (fi);
  l.r = fi->poffset[GST_VIDEO_COMP_R];
  l.g = fi->poffset[GST_VIDEO_COMP_G];
  l.b = fi->poffset[GST_VIDEO_COMP_B];
  l.alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (fi);
  l.a = l.alpha ? fi->poffset[GST_VIDEO_COMP_A] : 6 - l.r - l.g - l.b;
  return l;
}

/* A @w x @h picture of FILL (padding byte 0xab, alpha 255) with the
 * mapping meta; @rad may be NULL for a frame without meta. */
static GstBuffer *
make_frame (const gchar *format, guint w, guint h, GstBuffer *rad,
    gint rad_stride)
{
  Layout l = layout_of (format);
  GstVideoInfo info;
  GstBuffer *buf;
  GstMapInfo map;

  fail_unless (gst_video_info_set_format (&info, l.format, w, h));
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      guint8 *p = map.data + y * GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) + x * 4;

      p[l.r] = FILL[0];
      p[l.g] = FILL[1];
      p[l.b] = FILL[2];
      p[l.a] = l.alpha ? 255 : 0xab;
    }
  }
  gst_buffer_unmap (buf, &map);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  if (rad)
    gst_buffer_add_thermal_mapping_meta (buf, GST_THERMAL_MAPPING_MINMAX,
        20.0, 40.0, 255, rad, SW, SH, rad_stride, 0.1, 0.0);
  return buf;
}

static GstHarness *
make_harness (const gchar *format, guint w, guint h, GstBus **bus)
{
  GstHarness *hr = gst_harness_new ("thermaloverlay");
  gchar *caps = g_strdup_printf ("video/x-raw,format=%s,width=%u,height=%u,"
      "framerate=30/1", format, w, h);

  gst_harness_set_src_caps_str (hr, caps);
  g_free (caps);
  *bus = gst_bus_new ();
  gst_element_set_bus (hr->element, *bus);
  g_object_set (hr->element, "post-messages", TRUE, NULL);
  return hr;
}

/* Messages left on the bus hold the element, which holds the bus: drop
 * them first. */
static void
teardown (GstHarness *hr, GstBus *bus)
{
  gst_bus_set_flushing (bus, TRUE);
  gst_harness_teardown (hr);
  gst_object_unref (bus);
}

/* The next "thermal-overlay" message (the caller unrefs it); a warning or
 * an error before it fails the test. */
static GstMessage *
pop_overlay_message (GstBus *bus)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING
        || GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      GError *err = NULL;

      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING)
        gst_message_parse_warning (msg, &err, NULL);
      else
        gst_message_parse_error (msg, &err, NULL);
      fail ("unexpected %s: %s", GST_MESSAGE_TYPE_NAME (msg), err->message);
    }
    if (gst_message_has_name (msg, "thermal-overlay"))
      return msg;
    gst_message_unref (msg);
  }
  fail ("no thermal-overlay message was posted");
  return NULL;
}

static guint
count_warnings (GstBus *bus)
{
  GstMessage *msg;
  guint n = 0;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING))) {
    n++;
    gst_message_unref (msg);
  }
  return n;
}

static guint
array_uint (const GstStructure *s, const gchar *field, guint i)
{
  const GValue *arr = gst_structure_get_value (s, field);

  fail_unless (arr && GST_VALUE_HOLDS_ARRAY (arr), "no array %s", field);
  fail_unless (i < gst_value_array_get_size (arr));
  return g_value_get_uint (gst_value_array_get_value (arr, i));
}

static gdouble
array_double (const GstStructure *s, const gchar *field, guint i)
{
  const GValue *arr = gst_structure_get_value (s, field);

  fail_unless (arr && GST_VALUE_HOLDS_ARRAY (arr), "no array %s", field);
  fail_unless (i < gst_value_array_get_size (arr));
  return g_value_get_double (gst_value_array_get_value (arr, i));
}

static const gchar *
array_string (const GstStructure *s, const gchar *field, guint i)
{
  const GValue *arr = gst_structure_get_value (s, field);

  fail_unless (arr && GST_VALUE_HOLDS_ARRAY (arr), "no array %s", field);
  fail_unless (i < gst_value_array_get_size (arr));
  return g_value_get_string (gst_value_array_get_value (arr, i));
}

static guint
array_size (const GstStructure *s, const gchar *field)
{
  const GValue *arr = gst_structure_get_value (s, field);

  fail_unless (arr && GST_VALUE_HOLDS_ARRAY (arr), "no array %s", field);
  return gst_value_array_get_size (arr);
}

static gdouble
get_double (const GstStructure *s, const gchar *field)
{
  gdouble v;

  fail_unless (gst_structure_get_double (s, field, &v), "no field %s", field);
  return v;
}

static guint
get_uint (const GstStructure *s, const gchar *field)
{
  guint v;

  fail_unless (gst_structure_get_uint (s, field, &v), "no field %s", field);
  return v;
}

#define assert_celsius(a, b) assert_equals_float_eps ((a), (b), 1e-9)

static void
assert_equals_float_eps (gdouble a, gdouble b, gdouble eps)
{
  fail_unless (fabs (a - b) <= eps, "%.9f != %.9f", a, b);
}

/* The scene of most tests: 26.85 °C everywhere, 76.85 °C at (10, 20),
 * 6.85 °C at (70, 5). */
static GstBuffer *
make_scene (gint *stride)
{
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, stride);

  rad_set (rad, *stride, 10, 20, 3500);
  rad_set (rad, *stride, 70, 5, 2800);
  return rad;
}

/* Runs one frame; returns the output picture and the message. */
static GstBuffer *
run_frame (GstHarness *hr, GstBus *bus, const gchar *format, guint w, guint h,
    GstBuffer *rad, gint stride, GstMessage **msg)
{
  GstBuffer *out;

  fail_unless_equals_int (gst_harness_push (hr, make_frame (format, w, h, rad,
              stride)), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  if (msg)
    *msg = pop_overlay_message (bus);
  return out;
}

GST_START_TEST (test_hot_cold_values)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *out;
  const gchar *units[] = { "celsius", "fahrenheit", "kelvin" };
  const gchar *hot_labels[] = { "76.9°C", "170.3°F", "350.0 K" };
  const gchar *cold_labels[] = { "6.9°C", "44.3°F", "280.0 K" };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++) {
    gst_util_set_object_arg (G_OBJECT (hr->element), "units", units[u]);
    out = run_frame (hr, bus, "BGRx", 640, 480, rad, stride, &msg);
    s = gst_message_get_structure (msg);
    fail_unless_equals_int (get_uint (s, "sensor-width"), SW);
    fail_unless_equals_int (get_uint (s, "sensor-height"), SH);
    fail_unless_equals_int (get_uint (s, "picture-width"), 640);
    fail_unless_equals_int (get_uint (s, "picture-height"), 480);
    fail_unless_equals_int (get_uint (s, "hottest-x"), 10);
    fail_unless_equals_int (get_uint (s, "hottest-y"), 20);
    assert_celsius (get_double (s, "max-celsius"), dk_to_c (3500));
    fail_unless_equals_int (get_uint (s, "coldest-x"), 70);
    fail_unless_equals_int (get_uint (s, "coldest-y"), 5);
    assert_celsius (get_double (s, "min-celsius"), dk_to_c (2800));
    fail_unless_equals_string (gst_structure_get_string (s, "hottest-label"),
        hot_labels[u]);
    fail_unless_equals_string (gst_structure_get_string (s, "coldest-label"),
        cold_labels[u]);
    fail_unless_equals_string (gst_structure_get_string (s, "units"),
        units[u]);
    assert_celsius (get_double (s, "range-min-celsius"), 20.0);
    assert_celsius (get_double (s, "range-max-celsius"), 40.0);
    gst_message_unref (msg);
    gst_buffer_unref (out);
  }
  /* The legend labels show the mapping's range in the chosen units. */
  gst_util_set_object_arg (G_OBJECT (hr->element), "units", "celsius");
  out = run_frame (hr, bus, "BGRx", 640, 480, rad, stride, &msg);
  s = gst_message_get_structure (msg);
  fail_unless_equals_string (gst_structure_get_string (s, "legend-max-label"),
      "40.0°C");
  fail_unless_equals_string (gst_structure_get_string (s, "legend-min-label"),
      "20.0°C");
  gst_message_unref (msg);
  gst_buffer_unref (out);

  fail_unless_equals_int (count_warnings (bus), 0);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

GST_START_TEST (test_spots)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  const guint expect[][3] = {
    {40, 31, 3100}, {10, 20, 3200}, {79, 0, 3300}, {40, 15, 3400}, {0, 61, 2950},
  };
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *out;
  gchar *spots;

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    rad_set (rad, stride, expect[i][0], expect[i][1], expect[i][2]);
  /* Fractions, pixels, percentages (clamped at the far edge), spaces and
   * an empty entry. */
  g_object_set (hr->element, "spots",
      "0.5,0.5; 10,20;100%,0%;50%, 25% ;;0,1.0", NULL);
  g_object_get (hr->element, "spots", &spots, NULL);
  fail_unless_equals_string (spots, "0.5,0.5; 10,20;100%,0%;50%, 25% ;;0,1.0");
  g_free (spots);

  out = run_frame (hr, bus, "BGRx", 640, 480, rad, stride, &msg);
  s = gst_message_get_structure (msg);
  fail_unless_equals_int (array_size (s, "spot-celsius"), G_N_ELEMENTS (expect));
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
    gchar label[32];

    fail_unless_equals_int (array_uint (s, "spot-x", i), expect[i][0]);
    fail_unless_equals_int (array_uint (s, "spot-y", i), expect[i][1]);
    assert_celsius (array_double (s, "spot-celsius", i),
        dk_to_c (expect[i][2]));
    /* 3100 dK = 36.85 °C: labels round half up. */
    g_snprintf (label, sizeof (label), "%.1f°C",
        floor (dk_to_c (expect[i][2]) * 10 + 0.5 + 1e-6) / 10);
    fail_unless_equals_string (array_string (s, "spot-label", i), label);
  }
  fail_unless_equals_string (array_string (s, "spot-label", 0), "36.9°C");
  gst_message_unref (msg);
  gst_buffer_unref (out);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

GST_START_TEST (test_rois)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  /* x, y, w, h as resolved by the element */
  const guint expect[][4] = { {10, 10, 4, 3}, {0, 0, 40, 31}, {70, 50, 10, 12} };
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *out;

  /* value = 2900 + x + 10 y: the minimum at the top-left corner of every
   * rectangle, the maximum at its bottom-right, the mean at its centre. */
  for (guint y = 0; y < SH; y++)
    for (guint x = 0; x < SW; x++)
      rad_set (rad, stride, x, y, 2900 + x + 10 * y);
  /* The last one reaches past the sensor and is clipped. */
  g_object_set (hr->element, "rois",
      "10,10,4,3;0.0,0.0,0.5,0.5;70,50,20,20", NULL);

  out = run_frame (hr, bus, "BGRx", 640, 480, rad, stride, &msg);
  s = gst_message_get_structure (msg);
  fail_unless_equals_int (array_size (s, "roi-min-celsius"), 3);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++) {
    guint x = expect[i][0], y = expect[i][1], w = expect[i][2], h =
        expect[i][3];
    gdouble mean = 2900 + x + (w - 1) / 2.0 + 10 * (y + (h - 1) / 2.0);

    fail_unless_equals_int (array_uint (s, "roi-x", i), x);
    fail_unless_equals_int (array_uint (s, "roi-y", i), y);
    fail_unless_equals_int (array_uint (s, "roi-width", i), w);
    fail_unless_equals_int (array_uint (s, "roi-height", i), h);
    assert_celsius (array_double (s, "roi-min-celsius", i),
        dk_to_c (rad_get (rad, stride, x, y)));
    assert_celsius (array_double (s, "roi-max-celsius", i),
        dk_to_c (rad_get (rad, stride, x + w - 1, y + h - 1)));
    assert_equals_float_eps (array_double (s, "roi-mean-celsius", i),
        mean * 0.1 - 273.15, 1e-6);
    /* positions in sensor pixels, like roi-x and roi-y */
    fail_unless_equals_int (array_uint (s, "roi-coldest-x", i), x);
    fail_unless_equals_int (array_uint (s, "roi-coldest-y", i), y);
    fail_unless_equals_int (array_uint (s, "roi-hottest-x", i), x + w - 1);
    fail_unless_equals_int (array_uint (s, "roi-hottest-y", i), y + h - 1);
  }
  /* min 3010 dK = 27.85 °C, mean 3021.5 = 29.0, max 3033 = 30.15 */
  fail_unless_equals_string (array_string (s, "roi-label", 0),
      "min\u00a027.9°C  avg\u00a029.0°C  max\u00a030.2°C");
  gst_message_unref (msg);
  gst_buffer_unref (out);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* ---- drawn pixels ---- */

typedef struct {
  gint x0, y0, x1, y1;          /* inclusive bounds */
  guint n;
} Box;

static gboolean
pixel_is (const guint8 *p, const Layout *l, guint8 r, guint8 g, guint8 b)
{
  return p[l->r] == r && p[l->g] == g && p[l->b] == b;
}

/* Where pixels of an exact colour are, within a window (or everywhere). */
static Box
find_color (GstBuffer *buf, const gchar *format, guint w, guint h, guint8 r,
    guint8 g, guint8 b)
{
  Layout l = layout_of (format);
  Box box = { G_MAXINT, G_MAXINT, -1, -1, 0 };
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      if (pixel_is (map.data + (y * w + x) * 4, &l, r, g, b)) {
        box.x0 = MIN (box.x0, (gint) x);
        box.y0 = MIN (box.y0, (gint) y);
        box.x1 = MAX (box.x1, (gint) x);
        box.y1 = MAX (box.y1, (gint) y);
        box.n++;
      }
    }
  }
  gst_buffer_unmap (buf, &map);
  return box;
}

/* A crosshair of colour (r, g, b) centred on output pixel (cx, cy). */
static void
assert_marker_at (GstBuffer *buf, const gchar *format, guint w, guint h,
    guint8 r, guint8 g, guint8 b, gint cx, gint cy)
{
  Box box = find_color (buf, format, w, h, r, g, b);
  gint arm = MAX (3, (gint) MIN (w, h) / 40);

  fail_unless (box.n > 0, "%s: no marker of colour %02x%02x%02x", format, r, g,
      b);
  fail_unless ((box.x0 + box.x1) / 2 == cx && (box.y0 + box.y1) / 2 == cy,
      "%s: marker %02x%02x%02x centred at (%d,%d), expected (%d,%d)", format,
      r, g, b, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, cx, cy);
  fail_unless (box.x1 - box.x0 <= 2 * arm && box.y1 - box.y0 <= 2 * arm,
      "%s: marker %02x%02x%02x spans %dx%d", format, r, g, b,
      box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
}

/* Every pixel outside the boxes is still the input, padding byte included. */
static void
assert_unchanged_outside (GstBuffer *buf, const gchar *format, guint w,
    guint h, const Box *keep, guint n_keep)
{
  Layout l = layout_of (format);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      const guint8 *p = map.data + (y * w + x) * 4;
      gboolean inside = FALSE;

      for (guint k = 0; k < n_keep; k++)
        inside |= (gint) x >= keep[k].x0 && (gint) x <= keep[k].x1
            && (gint) y >= keep[k].y0 && (gint) y <= keep[k].y1;
      if (inside)
        continue;
      /* per pixel: fail() only on a mismatch (a passing fail_unless costs
       * check a mark point, a system call, each time) */
      if (!pixel_is (p, &l, FILL[0], FILL[1], FILL[2])
          || p[l.a] != (l.alpha ? 255 : 0xab))
        fail ("%s: pixel (%u,%u) changed to %02x %02x %02x %02x", format, x, y,
            p[0], p[1], p[2], p[3]);
    }
  }
  gst_buffer_unmap (buf, &map);
}

static gint
center (guint s, guint sensor, guint out)
{
  return (gint) ((2 * s + 1) * out / (2 * sensor));
}

static Box
window (gint cx, gint cy, gint r)
{
  Box b = { cx - r, cy - r, cx + r, cy + r, 0 };

  return b;
}

GST_START_TEST (test_markers_every_format)
{
  const gchar *formats[] = { "BGRx", "BGRA", "RGBx", "RGBA", "xRGB", "ARGB",
    "xBGR", "ABGR"
  };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstBus *bus;
    GstHarness *hr = make_harness (formats[f], 640, 480, &bus);
    gint stride;
    GstBuffer *rad = make_scene (&stride);
    gint arm = 480 / 40;
    GstBuffer *out;
    Box keep[3];

    g_object_set (hr->element, "labels", FALSE, "legend", FALSE,
        "spots", "40,40", NULL);
    out = run_frame (hr, bus, formats[f], 640, 480, rad, stride, NULL);
    /* hot red at (10, 20), cold cyan at (70, 5), spot white at (40, 40) */
    assert_marker_at (out, formats[f], 640, 480, 255, 0, 0,
        center (10, SW, 640), center (20, SH, 480));
    assert_marker_at (out, formats[f], 640, 480, 0, 255, 255,
        center (70, SW, 640), center (5, SH, 480));
    assert_marker_at (out, formats[f], 640, 480, 255, 255, 255,
        center (40, SW, 640), center (40, SH, 480));
    /* Nothing else is touched (the outline adds one pixel). */
    keep[0] = window (center (10, SW, 640), center (20, SH, 480), arm + 1);
    keep[1] = window (center (70, SW, 640), center (5, SH, 480), arm + 1);
    keep[2] = window (center (40, SW, 640), center (40, SH, 480), arm + 1);
    assert_unchanged_outside (out, formats[f], 640, 480, keep, 3);
    gst_buffer_unref (out);
    gst_buffer_unref (rad);
    teardown (hr, bus);
  }
}
GST_END_TEST;

/* A colourful picture (R = x, G = y, B = x + y), so that swapped channels
 * show, padding 0xab, alpha 255, with the mapping meta. */
static GstBuffer *
make_pattern_frame (const gchar *format, guint w, guint h, GstBuffer *rad,
    gint rad_stride)
{
  GstBuffer *buf = make_frame (format, w, h, rad, rad_stride);
  Layout l = layout_of (format);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      guint8 *p = map.data + (y * w + x) * 4;

      p[l.r] = x;
      p[l.g] = y;
      p[l.b] = x + y;
    }
  }
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* Every format gets the very same drawing as BGRx (cairo's own layout),
 * and keeps the padding byte of every pixel nothing is drawn on. */
GST_START_TEST (test_every_format_draws_the_same)
{
  const gchar *formats[] = { "BGRx", "BGRA", "RGBx", "RGBA", "xRGB", "ARGB",
    "xBGR", "ABGR"
  };
  GstBuffer *ref = NULL, *in_ref = NULL;
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  guint w = 320, h = 240;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstBus *bus;
    GstHarness *hr = make_harness (formats[f], w, h, &bus);
    Layout l = layout_of (formats[f]), lr = layout_of ("BGRx");
    GstBuffer *in = make_pattern_frame (formats[f], w, h, rad, stride);
    GstBuffer *in_copy = gst_buffer_copy_deep (in);
    GstMapInfo mo, mr, mi, mir;
    GstBuffer *out;
    guint changed = 0;

    g_object_set (hr->element, "spots", "0.5,0.5;79,61", "rois",
        "0.1,0.5,0.3,0.3", "isotherm-low", 60.0, "isotherm-color",
        0x80ff8000u, NULL);
    fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
    out = gst_harness_pull (hr);
    gst_message_unref (pop_overlay_message (bus));
    if (!ref) {
      ref = gst_buffer_ref (out);
      in_ref = gst_buffer_ref (in_copy);
    }
    fail_unless (gst_buffer_map (out, &mo, GST_MAP_READ));
    fail_unless (gst_buffer_map (ref, &mr, GST_MAP_READ));
    fail_unless (gst_buffer_map (in_copy, &mi, GST_MAP_READ));
    fail_unless (gst_buffer_map (in_ref, &mir, GST_MAP_READ));
    for (guint i = 0; i < w * h; i++) {
      const guint8 *p = mo.data + i * 4, *q = mr.data + i * 4;
      const guint8 *pi = mi.data + i * 4, *qi = mir.data + i * 4;
      gboolean drawn = memcmp (q, qi, 4) != 0;

      if (p[l.r] != q[lr.r] || p[l.g] != q[lr.g] || p[l.b] != q[lr.b])
        fail ("%s: pixel (%u,%u) is %02x%02x%02x, BGRx drew %02x%02x%02x",
            formats[f], i % w, i / w, p[l.r], p[l.g], p[l.b], q[lr.r], q[lr.g],
            q[lr.b]);
      if (!drawn && memcmp (p, pi, 4) != 0)
        fail ("%s: untouched pixel (%u,%u) changed", formats[f], i % w, i / w);
      else if (drawn && l.alpha && p[l.a] != 255)
        fail ("%s: drawn pixel (%u,%u) has alpha %u", formats[f], i % w, i / w,
            p[l.a]);
      changed += drawn;
    }
    /* Markers, labels, a box, the legend and the isotherm were drawn. */
    fail_unless (changed > 5000, "only %u pixels drawn", changed);
    gst_buffer_unmap (out, &mo);
    gst_buffer_unmap (ref, &mr);
    gst_buffer_unmap (in_copy, &mi);
    gst_buffer_unmap (in_ref, &mir);
    gst_buffer_unref (out);
    gst_buffer_unref (in_copy);
    teardown (hr, bus);
  }
  gst_buffer_unref (ref);
  gst_buffer_unref (in_ref);
  gst_buffer_unref (rad);
}
GST_END_TEST;

GST_START_TEST (test_roi_box_pixels)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("RGBx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  GstBuffer *out;
  Box white, keep;

  g_object_set (hr->element, "labels", FALSE, "legend", FALSE,
      "hot-cold", FALSE, "rois", "10,20,30,10", NULL);
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  /* The white border lies on the box's outer output pixels: sensor columns
   * 10..39 are output columns 80..319, rows 20..29 are 154..231. */
  white = find_color (out, "RGBx", 640, 480, 255, 255, 255);
  fail_unless_equals_int (white.x0, 80);
  fail_unless_equals_int (white.x1, 319);
  fail_unless_equals_int (white.y0, 20 * 480 / SH);
  fail_unless_equals_int (white.y1, 30 * 480 / SH - 1);
  keep = (Box) { 79, 20 * 480 / SH - 1, 320, 30 * 480 / SH, 0 };
  assert_unchanged_outside (out, "RGBx", 640, 480, &keep, 1);
  gst_buffer_unref (out);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* Pixels of the picture whose sensor pixel is in [30, 35] °C get the
 * isotherm colour, all others keep the picture, at any output size. */
static void
check_isotherm (const gchar *format, guint w, guint h)
{
  GstBus *bus;
  GstHarness *hr = make_harness (format, w, h, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  Layout l = layout_of (format);
  guint8 inside[SH][SW];
  guint n_inside = 0;
  GstMessage *msg;
  GstBuffer *out;
  GstMapInfo map;

  /* A ramp from 2990 to 3147 dK (25.85 to 41.55 °C): 3032 dK (30.05 °C)
   * is the first value in range, 3081 (34.95) the last. */
  for (guint y = 0; y < SH; y++) {
    for (guint x = 0; x < SW; x++) {
      guint v = 2990 + (x + y * SW) * 158 / (SW * SH);
      gdouble c = dk_to_c (v);

      rad_set (rad, stride, x, y, v);
      inside[y][x] = c >= 30.0 && c <= 35.0;
      n_inside += inside[y][x];
    }
  }
  fail_unless (n_inside > 0 && n_inside < SW * SH);
  g_object_set (hr->element, "labels", FALSE, "legend", FALSE,
      "hot-cold", FALSE, "isotherm-low", 30.0, "isotherm-high", 35.0,
      "isotherm-color", 0xffff00ffu, NULL);
  out = run_frame (hr, bus, format, w, h, rad, stride, &msg);
  fail_unless_equals_int (get_uint (gst_message_get_structure (msg),
          "isotherm-pixels"), n_inside);
  gst_message_unref (msg);

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      const guint8 *p = map.data + (y * w + x) * 4;
      guint sx = x * SW / w, sy = y * SH / h;

      if (inside[sy][sx] && !pixel_is (p, &l, 255, 0, 255))
        fail ("%s %ux%u: (%u,%u) of sensor (%u,%u) is in range but not painted",
            format, w, h, x, y, sx, sy);
      else if (!inside[sy][sx] && (!pixel_is (p, &l, FILL[0], FILL[1], FILL[2])
              || p[l.a] != (l.alpha ? 255 : 0xab)))
        fail ("%s %ux%u: (%u,%u) of sensor (%u,%u) is out of range but changed",
            format, w, h, x, y, sx, sy);
    }
  }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}

GST_START_TEST (test_isotherm_exact)
{
  check_isotherm ("BGRx", 640, 480);
  check_isotherm ("RGBA", 640, 480);
  check_isotherm ("xRGB", 101, 77);
  check_isotherm ("BGRA", SW, SH);
  check_isotherm ("ABGR", 31, 17);
}
GST_END_TEST;

GST_START_TEST (test_isotherm_blend_and_bounds)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", SW, SH, &bus);
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  GstBuffer *out;
  GstMapInfo map;
  Layout l = layout_of ("BGRx");
  const guint8 *p;

  /* Only a lower bound: everything at or above 50 °C (the hot pixel). */
  g_object_set (hr->element, "labels", FALSE, "legend", FALSE,
      "hot-cold", FALSE, "isotherm-low", 50.0, "isotherm-color", 0x80ff0000u,
      NULL);
  out = run_frame (hr, bus, "BGRx", SW, SH, rad, stride, &msg);
  fail_unless_equals_int (get_uint (gst_message_get_structure (msg),
          "isotherm-pixels"), 1);
  gst_message_unref (msg);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  p = map.data + (20 * SW + 10) * 4;
  /* half red over grey 100: (255 * 128 + 100 * 127) / 255 and 100 * 127 / 255 */
  fail_unless_equals_int (p[l.r], (255 * 128 + 100 * 127 + 127) / 255);
  fail_unless_equals_int (p[l.g], (100 * 127 + 127) / 255);
  fail_unless_equals_int (p[l.b], (100 * 127 + 127) / 255);
  p = map.data + (20 * SW + 11) * 4;
  fail_unless (pixel_is (p, &l, FILL[0], FILL[1], FILL[2]));
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);

  /* Only an upper bound: everything at or below 10 °C (the cold pixel). */
  g_object_set (hr->element, "isotherm-low", -273.15, "isotherm-high", 10.0,
      NULL);
  out = run_frame (hr, bus, "BGRx", SW, SH, rad, stride, &msg);
  fail_unless_equals_int (get_uint (gst_message_get_structure (msg),
          "isotherm-pixels"), 1);
  gst_message_unref (msg);
  gst_buffer_unref (out);

  /* Both bounds back at their defaults: no isotherm. */
  g_object_set (hr->element, "isotherm-high", 10000.0, NULL);
  out = run_frame (hr, bus, "BGRx", SW, SH, rad, stride, &msg);
  fail_if (g_value_get_boolean (gst_structure_get_value
          (gst_message_get_structure (msg), "isotherm")));
  fail_unless_equals_int (get_uint (gst_message_get_structure (msg),
          "isotherm-pixels"), 0);
  gst_message_unref (msg);
  gst_buffer_unref (out);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* The same sensor frame at several output sizes: the same values, and the
 * markers where the sensor pixel lands. */
GST_START_TEST (test_scaling)
{
  const guint sizes[][2] = { {SW, SH}, {640, 480}, {320, 240}, {1280, 720},
  {40, 31}, {31, 17}, {1, 1}
  };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    guint w = sizes[i][0], h = sizes[i][1];
    GstBus *bus;
    GstHarness *hr = make_harness ("BGRx", w, h, &bus);
    gint stride;
    GstBuffer *rad = make_scene (&stride);
    GstMessage *msg;
    const GstStructure *s;
    GstBuffer *out;

    g_object_set (hr->element, "spots", "0.5,0.5", "rois", "1,1,5,5", NULL);
    out = run_frame (hr, bus, "BGRx", w, h, rad, stride, &msg);
    s = gst_message_get_structure (msg);
    fail_unless_equals_int (get_uint (s, "hottest-x"), 10);
    fail_unless_equals_int (get_uint (s, "hottest-y"), 20);
    assert_celsius (get_double (s, "max-celsius"), dk_to_c (3500));
    assert_celsius (array_double (s, "spot-celsius", 0), dk_to_c (BASE_DK));
    assert_celsius (array_double (s, "roi-mean-celsius", 0),
        dk_to_c (BASE_DK));
    gst_message_unref (msg);
    gst_buffer_unref (out);

    /* Markers alone, where the picture is large enough to tell. */
    if (w >= SW) {
      g_object_set (hr->element, "labels", FALSE, "legend", FALSE,
          "spots", NULL, "rois", NULL, NULL);
      out = run_frame (hr, bus, "BGRx", w, h, rad, stride, &msg);
      gst_message_unref (msg);
      assert_marker_at (out, "BGRx", w, h, 255, 0, 0, center (10, SW, w),
          center (20, SH, h));
      assert_marker_at (out, "BGRx", w, h, 0, 255, 255, center (70, SW, w),
          center (5, SH, h));
      gst_buffer_unref (out);
    }
    fail_unless_equals_int (count_warnings (bus), 0);
    gst_buffer_unref (rad);
    teardown (hr, bus);
  }
}
GST_END_TEST;

/* Pixels a label changed: neither the picture nor a marker colour. */
static guint
count_label_pixels (GstBuffer *buf, guint w, guint h, Box *where)
{
  Layout l = layout_of ("BGRx");
  GstMapInfo map;
  guint n = 0;

  *where = (Box) { G_MAXINT, G_MAXINT, -1, -1, 0 };
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (guint y = 0; y < h; y++) {
    for (guint x = 0; x < w; x++) {
      const guint8 *p = map.data + (y * w + x) * 4;

      if (pixel_is (p, &l, FILL[0], FILL[1], FILL[2])
          || pixel_is (p, &l, 0, 0, 0) || pixel_is (p, &l, 255, 0, 0)
          || pixel_is (p, &l, 0, 255, 255))
        continue;
      n++;
      where->x0 = MIN (where->x0, (gint) x);
      where->y0 = MIN (where->y0, (gint) y);
      where->x1 = MAX (where->x1, (gint) x);
      where->y1 = MAX (where->y1, (gint) y);
    }
  }
  gst_buffer_unmap (buf, &map);
  return n;
}

/* A hot spot in a corner keeps its whole label inside the picture: the
 * label changes as many pixels as in the middle of the picture. */
GST_START_TEST (test_labels_inside_frame)
{
  const guint corners[][2] = { {79, 0}, {0, 61}, {79, 61}, {0, 0} };
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 320, 240, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  GstBuffer *out;
  guint n_mid;
  Box mid, at;

  g_object_set (hr->element, "legend", FALSE, NULL);
  rad_set (rad, stride, 40, 40, 2800);  /* cold, fixed */
  rad_set (rad, stride, 30, 20, 3500);
  out = run_frame (hr, bus, "BGRx", 320, 240, rad, stride, NULL);
  n_mid = count_label_pixels (out, 320, 240, &mid);
  gst_buffer_unref (out);
  fail_unless (n_mid > 100, "labels drew only %u pixels", n_mid);
  rad_set (rad, stride, 30, 20, BASE_DK);

  for (guint i = 0; i < G_N_ELEMENTS (corners); i++) {
    rad_set (rad, stride, corners[i][0], corners[i][1], 3500);
    out = run_frame (hr, bus, "BGRx", 320, 240, rad, stride, NULL);
    fail_unless_equals_int (count_label_pixels (out, 320, 240, &at), n_mid);
    gst_buffer_unref (out);
    rad_set (rad, stride, corners[i][0], corners[i][1], BASE_DK);
  }
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

GST_START_TEST (test_legend_drawn)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  Layout l = layout_of ("BGRx");
  GstBuffer *out;
  GstMapInfo map;
  gint top = -1, bottom = -1, col = -1;

  g_object_set (hr->element, "hot-cold", FALSE, "labels", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "white-hot");
  out = run_frame (hr, bus, "BGRx", 640, 480, rad, stride, NULL);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  /* The bar is at the right edge, a grey ramp white at the top. */
  for (gint x = 639; x >= 600 && col < 0; x--) {
    for (gint y = 0; y < 480; y++) {
      const guint8 *p = map.data + (y * 640 + x) * 4;

      if (pixel_is (p, &l, 255, 255, 255)) {
        col = x;
        break;
      }
    }
  }
  fail_unless (col >= 0, "no legend at the right edge");
  for (gint y = 0; y < 480; y++) {
    const guint8 *p = map.data + (y * 640 + col) * 4;

    if (top < 0 && pixel_is (p, &l, 255, 255, 255))
      top = y;
    if (pixel_is (p, &l, 0, 0, 0) && top >= 0 && y > top + 1 && bottom < 0
        && !pixel_is (p + 640 * 4, &l, 0, 0, 0))
      bottom = y;
  }
  fail_unless (top >= 0 && bottom > top + 100, "bar from %d to %d", top,
      bottom);
  /* Monotonic from white down to black. */
  for (gint y = top + 1; y <= bottom; y++) {
    const guint8 *p = map.data + (y * 640 + col) * 4;
    const guint8 *q = map.data + ((y - 1) * 640 + col) * 4;

    fail_unless (p[l.r] <= q[l.r] && p[l.r] == p[l.g] && p[l.g] == p[l.b]);
  }
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* The legend bar shows @lut: its top pixel is lut[255], its bottom lut[0],
 * and every pixel in between a table entry of a lower or equal level. */
static void
assert_legend_shows (GstBuffer *buf, const gchar *format, guint w, guint h,
    const guint8 (*lut)[3])
{
  Layout l = layout_of (format);
  GstMapInfo map;
  gint col = -1, top = -1, level = 255;
  gint y;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (gint x = w - 1; x >= (gint) w * 9 / 10 && col < 0; x--) {
    for (y = 0; y < (gint) h; y++) {
      if (pixel_is (map.data + (y * w + x) * 4, &l, lut[255][0], lut[255][1],
              lut[255][2])) {
        col = x;
        top = y;
        break;
      }
    }
  }
  fail_unless (col >= 0, "no legend top colour near the right edge");
  for (y = top; y < (gint) h; y++) {
    const guint8 *p = map.data + (y * w + col) * 4;

    while (level >= 0 && !pixel_is (p, &l, lut[level][0], lut[level][1],
            lut[level][2]))
      level--;
    if (level < 0)
      break;
    if (level == 0)
      break;
  }
  fail_unless (level == 0, "the bar from row %d does not run down the "
      "palette to level 0 (stopped at row %d)", top, y);
  fail_unless (y - top > 100, "bar of %d rows", y - top);
  gst_buffer_unmap (buf, &map);
}

GST_START_TEST (test_legend_palette)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("RGBx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  guint8 reversed[256][3], custom[256][3];
  GString *file = g_string_new ("# blue to red\n");
  gchar *path = NULL;
  GstBuffer *out;
  GstMessage *msg;
  gint fd;

  g_object_set (hr->element, "hot-cold", FALSE, "labels", FALSE, NULL);
  /* The default is thermalcolormap's default, ironbow. */
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  assert_legend_shows (out, "RGBx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW]);
  gst_buffer_unref (out);

  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "inferno");
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  assert_legend_shows (out, "RGBx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO]);
  gst_buffer_unref (out);

  g_object_set (hr->element, "invert", TRUE, NULL);
  for (guint i = 0; i < 256; i++)
    memcpy (reversed[i], thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO]
        [255 - i], 3);
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  assert_legend_shows (out, "RGBx", 640, 480, (const guint8 (*)[3]) reversed);
  gst_buffer_unref (out);
  g_object_set (hr->element, "invert", FALSE, NULL);

  /* A palette file of 256 "R G B" rows overrides palette. */
  for (guint i = 0; i < 256; i++) {
    custom[i][0] = i;
    custom[i][1] = 0;
    custom[i][2] = 255 - i;
    g_string_append_printf (file, "%u 0 %u\n", i, 255 - i);
  }
  fd = g_file_open_tmp ("overlay-palette-XXXXXX.txt", &path, NULL);
  fail_unless (fd >= 0);
  close (fd);
  fail_unless (g_file_set_contents (path, file->str, -1, NULL));
  g_object_set (hr->element, "palette-file", path, NULL);
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  assert_legend_shows (out, "RGBx", 640, 480, (const guint8 (*)[3]) custom);
  gst_buffer_unref (out);

  /* A broken file warns and the legend goes back to palette. */
  fail_unless (g_file_set_contents (path, "1 2\n", -1, NULL));
  g_object_set (hr->element, "palette-file", path, NULL);
  out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
  assert_legend_shows (out, "RGBx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO]);
  gst_buffer_unref (out);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning for a broken palette file");
  gst_message_unref (msg);

  g_unlink (path);
  g_free (path);
  g_string_free (file, TRUE);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* palette-file naming a FIFO without a writer (opening it for reading would
 * wait for one) or a device: refused at once with a warning, the legend
 * stays on palette.  Were it to block, the test's timeout would fail it. */
GST_START_TEST (test_legend_palette_file_not_regular)
{
  g_autofree gchar *dir = g_dir_make_tmp ("overlay-XXXXXX", NULL);
  g_autofree gchar *fifo = NULL;
  const gchar *paths[2];
  GstBus *bus;
  GstHarness *hr = make_harness ("RGBx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);

  fail_unless (dir != NULL);
  fifo = g_build_filename (dir, "legend.pal", NULL);
  fail_unless (mkfifo (fifo, 0600) == 0, "mkfifo: %s", g_strerror (errno));
  paths[0] = fifo;
  paths[1] = "/dev/zero";
  g_object_set (hr->element, "hot-cold", FALSE, "labels", FALSE, NULL);
  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "inferno");
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    GstBuffer *out;
    GstMessage *msg;
    GError *err = NULL;
    gchar *debug = NULL;

    g_object_set (hr->element, "palette-file", paths[i], NULL);
    out = run_frame (hr, bus, "RGBx", 640, 480, rad, stride, NULL);
    assert_legend_shows (out, "RGBx", 640, 480,
        thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO]);
    gst_buffer_unref (out);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL, "no warning for palette-file=%s", paths[i]);
    gst_message_parse_warning (msg, &err, &debug);
    fail_unless (strstr (debug, "not a regular file") != NULL, "%s", debug);
    fail_unless (strstr (debug, paths[i]) != NULL, "%s", debug);
    g_clear_error (&err);
    g_free (debug);
    gst_message_unref (msg);
  }

  gst_buffer_unref (rad);
  teardown (hr, bus);
  g_unlink (fifo);
  g_rmdir (dir);
}
GST_END_TEST;

static void
assert_same_bytes (GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  fail_unless_equals_int (ma.size, mb.size);
  fail_unless (memcmp (ma.data, mb.data, ma.size) == 0,
      "the video was changed");
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
}

GST_START_TEST (test_no_meta)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 64, 48, &bus);
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  for (guint i = 0; i < 3; i++) {
    GstBuffer *in = make_frame ("BGRx", 64, 48, NULL, 0);
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
    out = gst_harness_pull (hr);
    assert_same_bytes (out, ref);
    gst_buffer_unref (out);
    gst_buffer_unref (ref);
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
  fail_unless (msg != NULL, "no warning without the mapping meta");
  gst_message_parse_warning (msg, &err, &debug);
  fail_unless (g_error_matches (err, GST_STREAM_ERROR,
          GST_STREAM_ERROR_FORMAT));
  fail_unless (strstr (debug, "thermalnormalize") != NULL, "%s", debug);
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (msg);
  /* Once only, and nothing measured. */
  fail_unless_equals_int (count_warnings (bus), 0);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);
  teardown (hr, bus);
}
GST_END_TEST;

GST_START_TEST (test_bad_meta)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 64, 48, &bus);
  /* Claims 80x62 but holds one row. */
  GstBuffer *rad = gst_buffer_new_allocate (NULL, SW * 2, NULL);

  for (guint i = 0; i < 2; i++) {
    GstBuffer *in = make_frame ("BGRx", 64, 48, rad, SW * 2);
    GstBuffer *ref = gst_buffer_copy_deep (in);
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
    out = gst_harness_pull (hr);
    assert_same_bytes (out, ref);
    gst_buffer_unref (out);
    gst_buffer_unref (ref);
  }
  fail_unless_equals_int (count_warnings (bus), 1);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

GST_START_TEST (test_invalid_property_values)
{
  const gchar *bad_spots[] = { "abc", "1,2,3", "1.5,0.5", "-1,2", "50%,101%",
    "2.5,3", "0.5", "nan,1"
  };
  const gchar *bad_rois[] = { "1,2,3", "1,1,0,4", "0.5,0.5,0.0,0.1", "a,b,c,d" };
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 64, 48, &bus);
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  GstBuffer *out;
  gchar *v;

  g_object_set (hr->element, "spots", "1,2", "rois", "1,1,2,2", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad_spots); i++) {
    GError *err = NULL;
    gchar *debug = NULL;

    g_object_set (hr->element, "spots", bad_spots[i], NULL);
    g_object_get (hr->element, "spots", &v, NULL);
    fail_unless_equals_string (v, "1,2");
    g_free (v);
    /* The warning comes with the next frame (popping a type drops the
     * messages before it, so the warning first); the old spot still works. */
    out = run_frame (hr, bus, "BGRx", 64, 48, rad, stride, NULL);
    gst_buffer_unref (out);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING);
    fail_unless (msg != NULL, "no warning for spots=\"%s\"", bad_spots[i]);
    gst_message_parse_warning (msg, &err, &debug);
    fail_unless (g_error_matches (err, GST_LIBRARY_ERROR,
            GST_LIBRARY_ERROR_SETTINGS));
    fail_unless (strstr (debug, bad_spots[i]) != NULL, "%s", debug);
    g_clear_error (&err);
    g_free (debug);
    gst_message_unref (msg);
    msg = pop_overlay_message (bus);
    fail_unless_equals_int (array_size (gst_message_get_structure (msg),
            "spot-x"), 1);
    gst_message_unref (msg);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad_rois); i++) {
    g_object_set (hr->element, "rois", bad_rois[i], NULL);
    g_object_get (hr->element, "rois", &v, NULL);
    fail_unless_equals_string (v, "1,1,2,2");
    g_free (v);
    out = run_frame (hr, bus, "BGRx", 64, 48, rad, stride, NULL);
    gst_buffer_unref (out);
    fail_unless_equals_int (count_warnings (bus), 1);
    gst_bus_set_flushing (bus, TRUE);
    gst_bus_set_flushing (bus, FALSE);
  }
  /* Clearing works. */
  g_object_set (hr->element, "spots", "", "rois", NULL, NULL);
  out = run_frame (hr, bus, "BGRx", 64, 48, rad, stride, &msg);
  fail_unless_equals_int (array_size (gst_message_get_structure (msg),
          "spot-x"), 0);
  fail_unless_equals_int (array_size (gst_message_get_structure (msg),
          "roi-x"), 0);
  gst_message_unref (msg);
  gst_buffer_unref (out);
  fail_unless_equals_int (count_warnings (bus), 0);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* Changes while PLAYING apply from the next frame. */
GST_START_TEST (test_changes_while_playing)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("BGRx", 160, 124, &bus);
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  GstBuffer *out;
  GstState state;

  gst_element_get_state (hr->element, &state, NULL, 0);
  fail_unless_equals_int (state, GST_STATE_PLAYING);
  out = run_frame (hr, bus, "BGRx", 160, 124, rad, stride, &msg);
  fail_unless_equals_int (array_size (gst_message_get_structure (msg),
          "spot-x"), 0);
  gst_message_unref (msg);
  gst_buffer_unref (out);

  g_object_set (hr->element, "spots", "10,20", "units", 1, NULL);
  out = run_frame (hr, bus, "BGRx", 160, 124, rad, stride, &msg);
  fail_unless_equals_string (array_string (gst_message_get_structure (msg),
          "spot-label", 0), "170.3°F");
  gst_message_unref (msg);
  gst_buffer_unref (out);

  g_object_set (hr->element, "post-messages", FALSE, NULL);
  out = run_frame (hr, bus, "BGRx", 160, 124, rad, stride, NULL);
  gst_buffer_unref (out);
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT) == NULL);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* Where a colour is, looking only within @r pixels of (cx, cy). */
static Box
find_color_near (GstBuffer *buf, guint w, gint cx, gint cy, gint r, guint8 red,
    guint8 green, guint8 blue)
{
  Layout l = layout_of ("BGRx");
  Box box = { G_MAXINT, G_MAXINT, -1, -1, 0 };
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  for (gint y = cy - r; y <= cy + r; y++) {
    for (gint x = cx - r; x <= cx + r; x++) {
      if (pixel_is (map.data + (y * w + x) * 4, &l, red, green, blue)) {
        box.x0 = MIN (box.x0, x);
        box.y0 = MIN (box.y0, y);
        box.x1 = MAX (box.x1, x);
        box.y1 = MAX (box.y1, y);
        box.n++;
      }
    }
  }
  gst_buffer_unmap (buf, &map);
  return box;
}

/* GRAY8 display values of @rad mapped linearly from 20..40 °C, as
 * thermalnormalize mode=fixed makes them, with the mapping meta. */
static GstBuffer *
make_display (GstBuffer *rad, gint stride)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, SW * SH, NULL);
  GstMapInfo map;

  fail_unless (gst_buffer_map (buf, &map, GST_MAP_WRITE));
  for (guint y = 0; y < SH; y++) {
    for (guint x = 0; x < SW; x++) {
      gdouble t = (dk_to_c (rad_get (rad, stride, x, y)) - 20.0) / 20.0;

      map.data[y * SW + x] = (guint8) CLAMP (t * 255 + 0.5, 0, 255);
    }
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_thermal_mapping_meta (buf, GST_THERMAL_MAPPING_FIXED, 20.0,
      40.0, 255, rad, SW, SH, stride, 0.1, 0.0);
  GST_BUFFER_PTS (buf) = 0;
  GST_BUFFER_DURATION (buf) = GST_SECOND / 30;
  return buf;
}

/* The real chain after thermalnormalize: the mapping meta survives
 * thermalcolormap and videoscale, and the overlay measures and draws at
 * the scaled size. */
GST_START_TEST (test_after_colormap_and_videoscale)
{
  GstHarness *hr = gst_harness_new_parse ("thermalcolormap name=cm "
      "palette=inferno invert=true ! videoscale "
      "! video/x-raw,format=BGRx,width=640,height=480 "
      "! thermaloverlay name=ov post-messages=true spots=\"0.5,0.5\" "
      "rois=\"5,40,10,10\"");
  GstElement *colormap, *overlay;
  guint8 reversed[256][3];
  GstBus *bus = gst_bus_new ();
  gint stride, arm = 480 / 40;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  const GstStructure *s;
  GstBuffer *out;
  Box red, cyan;

  gst_element_set_bus (hr->element, bus);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=80,"
      "height=62,framerate=30/1");
  rad_set (rad, stride, 40, 31, 3080);   /* the spot, 34.85 °C */
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  msg = pop_overlay_message (bus);
  s = gst_message_get_structure (msg);
  fail_unless_equals_int (get_uint (s, "picture-width"), 640);
  fail_unless_equals_int (get_uint (s, "picture-height"), 480);
  fail_unless_equals_int (get_uint (s, "hottest-x"), 10);
  fail_unless_equals_int (get_uint (s, "hottest-y"), 20);
  assert_celsius (get_double (s, "max-celsius"), dk_to_c (3500));
  fail_unless_equals_int (get_uint (s, "coldest-x"), 70);
  fail_unless_equals_int (get_uint (s, "coldest-y"), 5);
  assert_celsius (array_double (s, "spot-celsius", 0), dk_to_c (3080));
  fail_unless_equals_string (array_string (s, "spot-label", 0), "34.9°C");
  assert_celsius (array_double (s, "roi-mean-celsius", 0), dk_to_c (BASE_DK));
  fail_unless_equals_string (gst_structure_get_string (s, "legend-max-label"),
      "40.0°C");
  fail_unless_equals_string (gst_structure_get_string (s, "legend-palette"),
      "inferno");
  gst_message_unref (msg);

  /* Markers where the sensor pixels land in the scaled picture. */
  red = find_color_near (out, 640, center (10, SW, 640), center (20, SH, 480),
      arm + 1, 255, 0, 0);
  fail_unless ((gint) red.n >= 4 * (arm - arm / 4) && (red.x0 + red.x1) / 2 ==
      center (10, SW, 640) && (red.y0 + red.y1) / 2 == center (20, SH, 480),
      "hot marker: %u pixels around (%d,%d)", red.n, (red.x0 + red.x1) / 2,
      (red.y0 + red.y1) / 2);
  cyan = find_color_near (out, 640, center (70, SW, 640), center (5, SH, 480),
      arm + 1, 0, 255, 255);
  fail_unless ((gint) cyan.n >= 4 * (arm - arm / 4) && (cyan.x0 + cyan.x1) / 2 ==
      center (70, SW, 640), "cold marker: %u pixels", cyan.n);
  /* The legend shows the palette on the buffers: inverted inferno. */
  for (guint i = 0; i < 256; i++)
    memcpy (reversed[i], thermal_palette_tables[GST_THERMAL_PALETTE_INFERNO]
        [255 - i], 3);
  assert_legend_shows (out, "BGRx", 640, 480, (const guint8 (*)[3]) reversed);
  gst_buffer_unref (out);

  /* ... also when it changes while playing ... */
  colormap = gst_bin_get_by_name (GST_BIN (hr->element), "cm");
  overlay = gst_bin_get_by_name (GST_BIN (hr->element), "ov");
  fail_unless (colormap && overlay);
  gst_util_set_object_arg (G_OBJECT (colormap), "palette", "turbo");
  g_object_set (colormap, "invert", FALSE, NULL);
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  assert_legend_shows (out, "BGRx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_TURBO]);
  gst_buffer_unref (out);
  gst_message_unref (pop_overlay_message (bus));

  /* ... until the overlay is given a palette of its own. */
  gst_util_set_object_arg (G_OBJECT (overlay), "palette", "viridis");
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  assert_legend_shows (out, "BGRx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_VIRIDIS]);
  gst_buffer_unref (out);
  msg = pop_overlay_message (bus);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "legend-palette"), "viridis");
  gst_message_unref (msg);
  gst_object_unref (colormap);
  gst_object_unref (overlay);

  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* The palette reaches the legend from inside a bin and through a queue. */
GST_START_TEST (test_legend_follows_through_bins)
{
  GstHarness *hr = gst_harness_new_parse ("bin.( thermalcolormap "
      "palette=magma ! queue ) ! videoconvert "
      "! video/x-raw,format=BGRx ! thermaloverlay post-messages=true");
  GstBus *bus = gst_bus_new ();
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstMessage *msg;
  GstBuffer *out;

  gst_element_set_bus (hr->element, bus);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=80,"
      "height=62,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  msg = pop_overlay_message (bus);
  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "legend-palette"), "magma");
  gst_message_unref (msg);
  gst_buffer_unref (out);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* @table with level L taking the colour of 255 - L when @invert. */
static void
palette_as_shown (const guint8 (*table)[3], gboolean invert,
    guint8 out[256][3])
{
  for (guint i = 0; i < 256; i++)
    memcpy (out[i], table[invert ? 255 - i : i], 3);
}

/* The legend-palette field of the next thermal-overlay message. */
static void
assert_legend_palette (GstBus *bus, const gchar *expected)
{
  GstMessage *msg = pop_overlay_message (bus);

  fail_unless_equals_string (gst_structure_get_string
      (gst_message_get_structure (msg), "legend-palette"), expected);
  gst_message_unref (msg);
}

/* The legend takes its colours from the buffer's GstThermalPaletteMeta,
 * with no thermalcolormap anywhere: a hand-made palette under a name of
 * its own, inverted. */
GST_START_TEST (test_legend_from_palette_meta)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("RGBx", 640, 480, &bus);
  gint stride;
  GstBuffer *rad = make_radiometric (SW, SH, BASE_DK, &stride);
  guint8 *table = g_malloc (GST_THERMAL_PALETTE_META_COLORS_SIZE);
  guint8 shown[256][3];
  GBytes *colors;
  GstBuffer *in, *out;

  for (guint i = 0; i < 256; i++) {
    table[3 * i] = 255 - i;
    table[3 * i + 1] = i;
    table[3 * i + 2] = i / 2;
  }
  colors = g_bytes_new_take (table, GST_THERMAL_PALETTE_META_COLORS_SIZE);
  g_object_set (hr->element, "hot-cold", FALSE, "labels", FALSE,
      "post-messages", TRUE, NULL);
  in = make_frame ("RGBx", 640, 480, rad, stride);
  fail_unless (gst_buffer_add_thermal_palette_meta (in, "my-colours", colors,
          TRUE) != NULL);
  fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  palette_as_shown ((const guint8 (*)[3]) g_bytes_get_data (colors, NULL),
      TRUE, shown);
  assert_legend_shows (out, "RGBx", 640, 480, (const guint8 (*)[3]) shown);
  assert_legend_palette (bus, "my-colours");
  gst_buffer_unref (out);

  /* The overlay's own palette overrides the meta. */
  gst_util_set_object_arg (G_OBJECT (hr->element), "palette", "bone");
  in = make_frame ("RGBx", 640, 480, rad, stride);
  gst_buffer_add_thermal_palette_meta (in, "my-colours", colors, TRUE);
  fail_unless_equals_int (gst_harness_push (hr, in), GST_FLOW_OK);
  out = gst_harness_pull (hr);
  assert_legend_shows (out, "RGBx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_BONE]);
  assert_legend_palette (bus, "bone");
  gst_buffer_unref (out);

  g_bytes_unref (colors);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

static GstBuffer *
pull_from (GstElement *pipeline)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstSample *sample;
  GstBuffer *buf;

  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
      60 * GST_SECOND);
  fail_unless (sample != NULL, "nothing came out of %s",
      GST_OBJECT_NAME (pipeline));
  buf = gst_buffer_ref (gst_sample_get_buffer (sample));
  gst_sample_unref (sample);
  gst_object_unref (sink);
  return buf;
}

static void
push_into (GstElement *pipeline, GstBuffer *buf)
{
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");

  fail_unless_equals_int (gst_app_src_push_buffer (GST_APP_SRC (src), buf),
      GST_FLOW_OK);
  gst_object_unref (src);
}

/* Two pipelines: the first paints the picture and hands it over through
 * appsink, the second takes it through appsrc and draws the legend.  No
 * pad leads from thermaloverlay back to thermalcolormap; the palette
 * travels on the buffer, also when it changes while playing. */
GST_START_TEST (test_legend_across_appsink_appsrc)
{
  GstElement *paint = gst_parse_launch ("appsrc name=src format=time "
      "caps=video/x-raw,format=GRAY8,width=80,height=62,framerate=30/1 "
      "! thermalcolormap name=cm palette=cividis invert=true "
      "! video/x-raw,format=BGRx ! appsink name=sink sync=false", NULL);
  GstElement *draw = gst_parse_launch ("appsrc name=src format=time "
      "caps=video/x-raw,format=BGRx,width=80,height=62,framerate=30/1 "
      "! videoscale ! video/x-raw,width=640,height=480 "
      "! thermaloverlay post-messages=true ! appsink name=sink sync=false",
      NULL);
  GstElement *colormap;
  GstBus *bus;
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  guint8 shown[256][3];
  GstBuffer *out;

  fail_unless (paint != NULL && draw != NULL);
  bus = gst_pipeline_get_bus (GST_PIPELINE (draw));
  fail_unless (gst_element_set_state (paint, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_set_state (draw, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);

  push_into (paint, make_display (rad, stride));
  push_into (draw, pull_from (paint));
  out = pull_from (draw);
  palette_as_shown (thermal_palette_tables[GST_THERMAL_PALETTE_CIVIDIS], TRUE,
      shown);
  assert_legend_shows (out, "BGRx", 640, 480, (const guint8 (*)[3]) shown);
  assert_legend_palette (bus, "cividis");
  gst_buffer_unref (out);

  colormap = gst_bin_get_by_name (GST_BIN (paint), "cm");
  gst_util_set_object_arg (G_OBJECT (colormap), "palette", "turbo");
  g_object_set (colormap, "invert", FALSE, NULL);
  gst_object_unref (colormap);
  push_into (paint, make_display (rad, stride));
  push_into (draw, pull_from (paint));
  out = pull_from (draw);
  assert_legend_shows (out, "BGRx", 640, 480,
      thermal_palette_tables[GST_THERMAL_PALETTE_TURBO]);
  assert_legend_palette (bus, "turbo");
  gst_buffer_unref (out);

  gst_element_set_state (paint, GST_STATE_NULL);
  gst_element_set_state (draw, GST_STATE_NULL);
  gst_bus_set_flushing (bus, TRUE);
  gst_object_unref (bus);
  gst_object_unref (paint);
  gst_object_unref (draw);
  gst_buffer_unref (rad);
}
GST_END_TEST;

/* Through a queue, a real colour conversion (to I420 and back) and a
 * scaler, the legend still shows the palette painted upstream. */
GST_START_TEST (test_legend_through_queue_videoconvert_videoscale)
{
  GstHarness *hr = gst_harness_new_parse ("thermalcolormap "
      "palette=plasma invert=true ! video/x-raw,format=I420 ! queue "
      "! videoconvert ! videoscale "
      "! video/x-raw,format=RGBx,width=640,height=480 "
      "! thermaloverlay post-messages=true");
  GstBus *bus = gst_bus_new ();
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  GstThermalPaletteMeta *meta;
  guint8 shown[256][3];
  GstBuffer *out;

  gst_element_set_bus (hr->element, bus);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=80,"
      "height=62,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  palette_as_shown (thermal_palette_tables[GST_THERMAL_PALETTE_PLASMA], TRUE,
      shown);
  assert_legend_shows (out, "RGBx", 640, 480, (const guint8 (*)[3]) shown);
  assert_legend_palette (bus, "plasma");
  /* ... and the meta itself arrives, for whatever follows. */
  meta = gst_buffer_get_thermal_palette_meta (out);
  fail_unless (meta != NULL, "GstThermalPaletteMeta was dropped");
  fail_unless_equals_string (meta->name, "plasma");
  fail_unless (meta->invert);
  gst_buffer_unref (out);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* thermalcolormap's palette-file reaches the legend on the buffer: the
 * overlay reads no file of its own. */
GST_START_TEST (test_legend_follows_palette_file)
{
  GString *file = g_string_new ("# green to magenta\n");
  guint8 custom[256][3];
  gchar *path = NULL, *launch;
  GstHarness *hr;
  GstBus *bus = gst_bus_new ();
  gint stride, fd;
  GstBuffer *rad = make_scene (&stride);
  GstBuffer *out;

  for (guint i = 0; i < 256; i++) {
    custom[i][0] = i;
    custom[i][1] = 255 - i;
    custom[i][2] = i;
    g_string_append_printf (file, "%u %u %u\n", i, 255 - i, i);
  }
  fd = g_file_open_tmp ("colormap-palette-XXXXXX.txt", &path, NULL);
  fail_unless (fd >= 0);
  close (fd);
  fail_unless (g_file_set_contents (path, file->str, -1, NULL));
  launch = g_strdup_printf ("thermalcolormap palette-file=\"%s\" "
      "! videoscale ! video/x-raw,format=BGRx,width=640,height=480 "
      "! thermaloverlay post-messages=true", path);
  hr = gst_harness_new_parse (launch);
  gst_element_set_bus (hr->element, bus);
  gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY8,width=80,"
      "height=62,framerate=30/1");
  fail_unless_equals_int (gst_harness_push (hr, make_display (rad, stride)),
      GST_FLOW_OK);
  out = gst_harness_pull (hr);
  fail_unless (out != NULL);
  assert_legend_shows (out, "BGRx", 640, 480, (const guint8 (*)[3]) custom);
  assert_legend_palette (bus, "file");
  gst_buffer_unref (out);

  g_unlink (path);
  g_free (path);
  g_free (launch);
  g_string_free (file, TRUE);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* From the radiometric frame to the picture with temperatures, with the
 * real thermalnormalize in front: what the user stories run. */
GST_START_TEST (test_full_chain)
{
  const gchar *normalize[] = { "mode=fixed min-temp=20 max-temp=40",
    "mode=minmax"
  };

  for (guint i = 0; i < G_N_ELEMENTS (normalize); i++) {
    gchar *launch = g_strdup_printf ("thermalnormalize %s ! thermalcolormap "
        "! videoscale ! video/x-raw,format=BGRx,width=640,height=480 "
        "! thermaloverlay post-messages=true spots=\"0.5,0.5;25%%,75%%\" "
        "rois=\"0,0,0.25,0.25\"", normalize[i]);
    GstHarness *hr = gst_harness_new_parse (launch);
    GstBus *bus = gst_bus_new ();
    gint stride, arm = 480 / 40;
    GstBuffer *rad = make_radiometric_full (SW, SH, BASE_DK, TRUE, &stride);
    GstMessage *msg;
    const GstStructure *s;
    GstBuffer *out;
    Box red;

    g_free (launch);
    gst_element_set_bus (hr->element, bus);
    gst_harness_set_src_caps_str (hr, "video/x-raw,format=GRAY16_LE,"
        "width=80,height=62,framerate=30/1");
    rad_set (rad, stride, 10, 20, 3500);
    rad_set (rad, stride, 70, 5, 2800);
    rad_set (rad, stride, 40, 31, 3080);
    rad_set (rad, stride, 20, 46, 3001);
    rad_set (rad, stride, 3, 4, 2990);
    GST_BUFFER_PTS (rad) = 0;
    fail_unless_equals_int (gst_harness_push (hr, gst_buffer_ref (rad)),
        GST_FLOW_OK);
    out = gst_harness_pull (hr);
    fail_unless (out != NULL);
    msg = pop_overlay_message (bus);
    s = gst_message_get_structure (msg);
    fail_unless_equals_int (get_uint (s, "sensor-width"), SW);
    fail_unless_equals_int (get_uint (s, "picture-width"), 640);
    fail_unless_equals_int (get_uint (s, "hottest-x"), 10);
    fail_unless_equals_int (get_uint (s, "hottest-y"), 20);
    assert_celsius (get_double (s, "max-celsius"), dk_to_c (3500));
    fail_unless_equals_string (gst_structure_get_string (s, "hottest-label"),
        "76.9°C");
    fail_unless_equals_int (get_uint (s, "coldest-x"), 70);
    fail_unless_equals_int (get_uint (s, "coldest-y"), 5);
    assert_celsius (get_double (s, "min-celsius"), dk_to_c (2800));
    assert_celsius (array_double (s, "spot-celsius", 0), dk_to_c (3080));
    /* 25% of 80 = 20, 75% of 62 = 46.5 -> 46 */
    fail_unless_equals_int (array_uint (s, "spot-x", 1), 20);
    fail_unless_equals_int (array_uint (s, "spot-y", 1), 46);
    assert_celsius (array_double (s, "spot-celsius", 1), dk_to_c (3001));
    /* The top-left 20x16 (round(15.5) = 16) region holds the 2990. */
    fail_unless_equals_int (array_uint (s, "roi-width", 0), 20);
    fail_unless_equals_int (array_uint (s, "roi-height", 0), 16);
    assert_celsius (array_double (s, "roi-min-celsius", 0), dk_to_c (2990));
    assert_celsius (array_double (s, "roi-max-celsius", 0), dk_to_c (BASE_DK));
    if (i == 0) {
      assert_celsius (get_double (s, "range-min-celsius"), 20.0);
      assert_celsius (get_double (s, "range-max-celsius"), 40.0);
      fail_unless_equals_string (gst_structure_get_string (s,
              "legend-max-label"), "40.0°C");
    } else {
      /* minmax: the legend spans the frame, from cold to hot. */
      fail_unless_equals_string (gst_structure_get_string (s,
              "legend-max-label"), "76.9°C");
      fail_unless_equals_string (gst_structure_get_string (s,
              "legend-min-label"), "6.9°C");
    }
    gst_message_unref (msg);

    red = find_color_near (out, 640, center (10, SW, 640),
        center (20, SH, 480), arm + 1, 255, 0, 0);
    fail_unless ((gint) red.n >= 4 * (arm - arm / 4)
        && (red.x0 + red.x1) / 2 == center (10, SW, 640)
        && (red.y0 + red.y1) / 2 == center (20, SH, 480),
        "%s: hot marker: %u pixels around (%d,%d)", normalize[i], red.n,
        (red.x0 + red.x1) / 2, (red.y0 + red.y1) / 2);
    assert_legend_shows (out, "BGRx", 640, 480,
        thermal_palette_tables[GST_THERMAL_PALETTE_IRONBOW]);
    gst_buffer_unref (out);
    gst_buffer_unref (rad);
    teardown (hr, bus);
  }
}
GST_END_TEST;

typedef struct {
  GstElement *element;
  gint stop;
  guint rounds;
} Fiddler;

/* Changes every property, valid and invalid values, as fast as it can. */
static gpointer
fiddle (gpointer data)
{
  Fiddler *f = data;
  const gchar *spots[] = { "0.5,0.5", "1,2;3,4;79,61", "", "bad", NULL };
  const gchar *rois[] = { "0,0,10,10", "0.1,0.1,0.8,0.8;5,5,1,1", "1,2", NULL };
  const gchar *palettes[] = { "inferno", "white-hot", "turbo" };

  for (guint i = 0; !g_atomic_int_get (&f->stop); i++) {
    g_object_set (f->element, "spots", spots[i % G_N_ELEMENTS (spots)],
        "rois", rois[i % G_N_ELEMENTS (rois)], "units", i % 3,
        "isotherm-low", (gdouble) (i % 50), "isotherm-high",
        (gdouble) (20 + i % 40), "legend", (i & 1) != 0,
        "labels", (i & 2) != 0, "hot-cold", (i & 4) != 0,
        "font-size", i % 30, "invert", (i & 8) != 0, NULL);
    gst_util_set_object_arg (G_OBJECT (f->element), "palette",
        palettes[i % G_N_ELEMENTS (palettes)]);
    f->rounds++;
    g_thread_yield ();
  }
  return NULL;
}

/* Properties changed from another thread while frames flow: every frame
 * still comes out, measured, and nothing crashes. */
GST_START_TEST (test_properties_from_another_thread)
{
  GstBus *bus;
  GstHarness *hr = make_harness ("xRGB", 160, 124, &bus);
  gint stride;
  GstBuffer *rad = make_scene (&stride);
  Fiddler f = { hr->element, 0, 0 };
  GThread *thread = g_thread_new ("fiddler", fiddle, &f);
  guint measured = 0;
  GstMessage *msg;

  for (guint i = 0; i < 150; i++) {
    GstBuffer *out;

    fail_unless_equals_int (gst_harness_push (hr, make_frame ("xRGB", 160,
                124, rad, stride)), GST_FLOW_OK);
    out = gst_harness_pull (hr);
    fail_unless (out != NULL);
    gst_buffer_unref (out);
    while ((msg = gst_bus_pop (bus))) {
      measured += gst_message_has_name (msg, "thermal-overlay");
      gst_message_unref (msg);
    }
  }
  g_atomic_int_set (&f.stop, 1);
  g_thread_join (thread);
  fail_unless_equals_int (measured, 150);
  fail_unless (f.rounds > 0);
  gst_buffer_unref (rad);
  teardown (hr, bus);
}
GST_END_TEST;

/* The user story: a (emulated) camera through the whole chain.  The frames
 * and their temperatures come from senxorsrc; the overlay measures every
 * one of them at the scaled size, and its legend follows the palette. */
GST_START_TEST (test_with_senxorsrc)
{
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch ("senxorsrc "
      "device=\"emulator://?module=mi16&scene=people&fast=1\" num-buffers=5 "
      "! thermalnormalize mode=percentile ! thermalcolormap palette=inferno "
      "! videoscale ! video/x-raw,width=320,height=240 "
      "! thermaloverlay post-messages=true spots=\"0.5,0.5\" "
      "rois=\"0.25,0.25,0.5,0.5\" ! fakesink", &error);
  GstBus *bus;
  guint measured = 0;
  gboolean done = FALSE;

  fail_unless (pipeline != NULL, "%s", error ? error->message : "?");
  bus = gst_element_get_bus (pipeline);
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  while (!done) {
    GstMessage *msg = gst_bus_timed_pop (bus, 60 * GST_SECOND);
    const GstStructure *s;

    fail_unless (msg != NULL, "no EOS within 60 s");
    switch (GST_MESSAGE_TYPE (msg)) {
      case GST_MESSAGE_ERROR:
      case GST_MESSAGE_WARNING:{
        GError *err = NULL;

        if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR)
          gst_message_parse_error (msg, &err, NULL);
        else
          gst_message_parse_warning (msg, &err, NULL);
        fail ("%s from %s: %s", GST_MESSAGE_TYPE_NAME (msg),
            GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
        break;
      }
      case GST_MESSAGE_EOS:
        done = TRUE;
        break;
      case GST_MESSAGE_ELEMENT:
        if (!gst_message_has_name (msg, "thermal-overlay"))
          break;
        s = gst_message_get_structure (msg);
        measured++;
        fail_unless_equals_int (get_uint (s, "sensor-width"), 160);
        fail_unless_equals_int (get_uint (s, "sensor-height"), 120);
        fail_unless_equals_int (get_uint (s, "picture-width"), 320);
        fail_unless_equals_int (array_uint (s, "spot-x", 0), 80);
        fail_unless_equals_int (array_uint (s, "spot-y", 0), 60);
        fail_unless_equals_int (array_uint (s, "roi-width", 0), 80);
        /* A scene of people indoors: plausible, ordered temperatures. */
        fail_unless (get_double (s, "min-celsius") > -40.0
            && get_double (s, "max-celsius") < 300.0);
        fail_unless (get_double (s, "min-celsius") <= array_double (s,
                "roi-min-celsius", 0));
        fail_unless (array_double (s, "roi-min-celsius", 0) <=
            array_double (s, "roi-mean-celsius", 0)
            && array_double (s, "roi-mean-celsius", 0) <= array_double (s,
                "roi-max-celsius", 0));
        fail_unless (array_double (s, "roi-max-celsius", 0) <=
            get_double (s, "max-celsius"));
        fail_unless (get_double (s, "min-celsius") <= array_double (s,
                "spot-celsius", 0) && array_double (s, "spot-celsius", 0)
            <= get_double (s, "max-celsius"));
        fail_unless_equals_string (gst_structure_get_string (s,
                "legend-palette"), "inferno");
        break;
      default:
        break;
    }
    gst_message_unref (msg);
  }
  fail_unless_equals_int (measured, 5);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}
GST_END_TEST;

static Suite *
thermaloverlay_suite (void)
{
  Suite *s = suite_create ("thermaloverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_hot_cold_values);
  tcase_add_test (tc, test_spots);
  tcase_add_test (tc, test_rois);
  tcase_add_test (tc, test_markers_every_format);
  tcase_add_test (tc, test_roi_box_pixels);
  tcase_add_test (tc, test_every_format_draws_the_same);
  tcase_add_test (tc, test_isotherm_exact);
  tcase_add_test (tc, test_isotherm_blend_and_bounds);
  tcase_add_test (tc, test_scaling);
  tcase_add_test (tc, test_labels_inside_frame);
  tcase_add_test (tc, test_legend_drawn);
  tcase_add_test (tc, test_legend_palette);
  tcase_add_test (tc, test_legend_palette_file_not_regular);
  tcase_add_test (tc, test_legend_from_palette_meta);
  tcase_add_test (tc, test_legend_across_appsink_appsrc);
  tcase_add_test (tc, test_legend_through_queue_videoconvert_videoscale);
  tcase_add_test (tc, test_legend_follows_palette_file);
  tcase_add_test (tc, test_no_meta);
  tcase_add_test (tc, test_bad_meta);
  tcase_add_test (tc, test_invalid_property_values);
  tcase_add_test (tc, test_changes_while_playing);
  tcase_add_test (tc, test_properties_from_another_thread);
  tcase_add_test (tc, test_after_colormap_and_videoscale);
  tcase_add_test (tc, test_legend_follows_through_bins);
  tcase_add_test (tc, test_full_chain);
  tcase_add_test (tc, test_with_senxorsrc);
  return s;
}

GST_CHECK_MAIN (thermaloverlay);
