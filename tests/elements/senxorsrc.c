/* senxorsrc against the emulator: in-process, over a pty and over TCP.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <senxor/senxor.h>
#include <senxor/session.h>
#include <senxor/emulator.h>
#include <senxor/discovery.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gstsenxormeta.h"

/* A fresh emulator name per use, so shared instances never collide. */
static gchar *
emu_name (const char *prefix)
{
  static gint counter;

  return g_strdup_printf ("%s%d", prefix, g_atomic_int_add (&counter, 1));
}

/* "emulator://NAME?fast=1&scene=gradient&OPTS" */
static gchar *
emu_device (const char *name, const char *opts)
{
  return g_strdup_printf ("emulator://%s?fast=1&scene=gradient%s%s", name,
      opts && *opts ? "&" : "", opts ? opts : "");
}

static GstHarness *
harness_for (const char *device)
{
  GstHarness *h = gst_harness_new ("senxorsrc");

  g_object_set (h->element, "device", device, NULL);
  /* Fast mode makes frames as fast as they are read: push one at a time. */
  gst_harness_set_blocking_push_mode (h);
  return h;
}

/* The first error on @bus within @timeout_s seconds (the test fails
 * otherwise). */
static GstMessage *
wait_error (GstBus *bus, guint timeout_s)
{
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, timeout_s * GST_SECOND,
      GST_MESSAGE_ERROR);

  fail_unless (msg != NULL, "no error message within %u s", timeout_s);
  return msg;
}

static void
assert_error (GstMessage *msg, GQuark domain, gint code)
{
  g_autoptr (GError) err = NULL;
  g_autofree gchar *debug = NULL;

  gst_message_parse_error (msg, &err, &debug);
  GST_INFO ("error from %s: %s (%s)", GST_MESSAGE_SRC_NAME (msg),
      err->message, debug);
  fail_unless (GST_IS_ELEMENT (GST_MESSAGE_SRC (msg)));
  fail_unless_equals_string (GST_OBJECT_NAME (gst_element_get_factory
          (GST_ELEMENT (GST_MESSAGE_SRC (msg)))), "senxorsrc");
  fail_unless (err->domain == domain && err->code == code,
      "expected %s %d, got %s %d: %s (%s)", g_quark_to_string (domain), code,
      g_quark_to_string (err->domain), err->code, err->message, debug);
  fail_unless (debug != NULL && *debug, "no debug string");
}

/* The error message of @msg contains @part. */
static void
assert_error_says (GstMessage *msg, const char *part)
{
  g_autoptr (GError) err = NULL;

  gst_message_parse_error (msg, &err, NULL);
  fail_unless (strstr (err->message, part) != NULL,
      "the error says \"%s\", not \"%s\"", err->message, part);
}

/* Runs "senxorsrc DESC ! fakesink" until it posts an error; checks it and,
 * unless @part is NULL, that its message contains @part. */
static void
check_pipeline_error_says (const char *src_desc, GQuark domain, gint code,
    const char *part)
{
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc %s ! fakesink",
      src_desc);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstBus *bus;
  GstMessage *msg;

  fail_unless (pipe != NULL);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = wait_error (bus, 30);
  assert_error (msg, domain, code);
  if (part != NULL)
    assert_error_says (msg, part);
  gst_message_unref (msg);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

static void
check_pipeline_error (const char *src_desc, GQuark domain, gint code)
{
  check_pipeline_error_says (src_desc, domain, code, NULL);
}

static void
check_gradient (GstBuffer *buf, guint width, guint height)
{
  GstSenxorFrameMeta *meta = gst_buffer_get_senxor_frame_meta (buf);
  GstMapInfo map;
  const guint16 *px;
  guint x, y, bad = 0;
  guint64 n;

  fail_unless (meta != NULL, "no GstSenxorFrameMeta");
  n = meta->frame_counter;
  fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, (guint64) width * height * 2);
  px = (const guint16 *) map.data;
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      if (GUINT16_FROM_LE (px[y * width + x]) !=
          SENXOR_EMULATOR_GRADIENT (x, y, n))
        bad++;
  fail_unless (bad == 0, "frame %" G_GUINT64_FORMAT ": %u of %u pixels differ "
      "from the gradient scene (first: %u, expected %u)", n, bad,
      width * height, GUINT16_FROM_LE (px[0]),
      SENXOR_EMULATOR_GRADIENT (0, 0, n));
  gst_buffer_unmap (buf, &map);
}

/* ---- caps, geometry, values ---- */

GST_START_TEST (test_caps_per_module)
{
  static const struct {
    const char *module, *name;
    SenxorModule id;
    gint width, height;
  } modules[] = {
    {"mi08", "MI08", SENXOR_MODULE_MI08, 80, 62},
    {"mi16", "MI16", SENXOR_MODULE_MI16, 160, 120},
    {"mi05", "MI05", SENXOR_MODULE_MI05, 50, 50},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (modules); i++) {
    g_autofree gchar *name = emu_name ("caps");
    g_autofree gchar *opts = g_strdup_printf ("module=%s", modules[i].module);
    g_autofree gchar *dev = emu_device (name, opts);
    g_autofree gchar *module = NULL, *serial = NULL, *fw = NULL, *mcu = NULL;
    GstHarness *h = harness_for (dev);
    GstBuffer *buf;
    GstCaps *caps;
    GstVideoInfo info;
    gint fps_n, fps_d;

    gst_harness_play (h);
    buf = gst_harness_pull (h);
    fail_unless (buf != NULL);
    caps = gst_pad_get_current_caps (h->sinkpad);
    GST_INFO ("%s: %" GST_PTR_FORMAT, modules[i].module, caps);
    fail_unless (gst_video_info_from_caps (&info, caps));
    fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (&info),
        GST_VIDEO_FORMAT_GRAY16_LE);
    fail_unless_equals_int (info.width, modules[i].width);
    fail_unless_equals_int (info.height, modules[i].height);
    gst_util_double_to_fraction (senxor_module_fps_max (modules[i].id),
        &fps_n, &fps_d);
    fail_unless_equals_int (info.fps_n * fps_d, fps_n * info.fps_d);
    fail_unless_equals_uint64 (gst_buffer_get_size (buf),
        (guint64) modules[i].width * modules[i].height * 2);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
        gst_util_uint64_scale (GST_SECOND, info.fps_d, info.fps_n));
    check_gradient (buf, modules[i].width, modules[i].height);

    g_object_get (h->element, "module", &module, "serial-number", &serial,
        "firmware", &fw, "mcu-type", &mcu, NULL);
    fail_unless_equals_string (module, modules[i].name);
    fail_unless (serial != NULL && strlen (serial) == 12, "serial %s", serial);
    fail_unless (fw != NULL && *fw);
    fail_unless (mcu != NULL && *mcu);

    gst_caps_unref (caps);
    gst_buffer_unref (buf);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

GST_START_TEST (test_values_and_meta)
{
  g_autofree gchar *name = emu_name ("meta");
  g_autofree gchar *dev = emu_device (name, "module=mi08");
  GstHarness *h = harness_for (dev);
  g_autoptr (SenxorEmulator) emu = NULL;
  guint64 prev_counter = 0;
  guint32 prev_ts = 0;
  GstClockTime prev_pts = 0;
  guint i;

  /* Fast mode: frames come much faster than the device's own clock says;
   * the timestamps still follow the pipeline clock and never go back. */
  gst_harness_use_systemclock (h);
  gst_harness_play (h);

  for (i = 0; i < 8; i++) {
    GstBuffer *buf = gst_harness_pull (h);
    GstSenxorFrameMeta *meta = gst_buffer_get_senxor_frame_meta (buf);
    guint16 expected[80 * 62], lo = G_MAXUINT16, hi = 0;
    GstMapInfo map;
    guint j;

    /* the streaming thread opened the camera (and so created the emulated
     * one) before the first frame */
    if (!emu)
      emu = senxor_emulator_lookup (name);
    fail_unless (emu != NULL);

    check_gradient (buf, 80, 62);
    fail_unless (meta->has_header);
    fail_unless (meta->scale == 0.1 && meta->offset == 0.0);
    /* The same frame the emulator says it rendered. */
    senxor_emulator_render_frame (emu, meta->frame_counter, expected);
    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    for (j = 0; j < 80 * 62; j++) {
      guint16 v = GUINT16_FROM_LE (((const guint16 *) map.data)[j]);

      fail_unless_equals_int (v, expected[j]);
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
    fail_unless_equals_int (meta->max_raw, hi);
    fail_unless_equals_int (meta->min_raw, lo);
    fail_unless_equals_int (meta->crc, senxor_crc16_ccitt (map.data,
            map.size));
    gst_buffer_unmap (buf, &map);
    fail_unless (meta->vdd > 2.0 && meta->vdd < 5.5, "vdd %f", meta->vdd);
    fail_unless (meta->die_temp_c > -20 && meta->die_temp_c < 100,
        "die %f", meta->die_temp_c);
    if (i > 0) {
      fail_unless_equals_uint64 (meta->frame_counter, prev_counter + 1);
      fail_unless (meta->device_timestamp_ms > prev_ts,
          "device timestamp %u after %u", meta->device_timestamp_ms, prev_ts);
    }
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), meta->frame_counter);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET_END (buf),
        meta->frame_counter + 1);
    fail_unless (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT) ==
        (i == 0));
    fail_unless (GST_CLOCK_TIME_IS_VALID (GST_BUFFER_PTS (buf)));
    fail_unless (GST_BUFFER_PTS (buf) >= prev_pts);
    prev_pts = GST_BUFFER_PTS (buf);
    prev_counter = meta->frame_counter;
    prev_ts = meta->device_timestamp_ms;
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Timestamps are running times at capture, one frame period apart, and the
 * latency is one frame. */
GST_START_TEST (test_timestamps_and_latency)
{
  g_autofree gchar *name = emu_name ("ts");
  g_autofree gchar *dev = g_strdup_printf ("emulator://%s?module=mi05&"
      "scene=gradient", name);
  GstHarness *h = gst_harness_new ("senxorsrc");
  GstClockTime first = GST_CLOCK_TIME_NONE, prev = GST_CLOCK_TIME_NONE;
  GstClockTime period, min_lat, max_lat;
  GstQuery *q;
  gboolean live;
  guint i, n = 12;

  g_object_set (h->element, "device", dev, NULL);
  gst_harness_use_systemclock (h);
  gst_harness_play (h);
  for (i = 0; i < n; i++) {
    GstBuffer *buf = gst_harness_pull (h);
    GstClockTime pts = GST_BUFFER_PTS (buf);

    fail_unless (GST_CLOCK_TIME_IS_VALID (pts));
    if (GST_CLOCK_TIME_IS_VALID (prev))
      fail_unless (pts > prev, "pts %" GST_TIME_FORMAT " after %"
          GST_TIME_FORMAT, GST_TIME_ARGS (pts), GST_TIME_ARGS (prev));
    else
      first = pts;
    prev = pts;
    period = GST_BUFFER_DURATION (buf);
    gst_buffer_unref (buf);
  }
  /* Real-time pacing: the average spacing is about one period (loose, the
   * machine may be busy). */
  GST_INFO ("period %" GST_TIME_FORMAT ", average spacing %" GST_TIME_FORMAT,
      GST_TIME_ARGS (period), GST_TIME_ARGS ((prev - first) / (n - 1)));
  fail_unless ((prev - first) / (n - 1) > period / 2);
  fail_unless ((prev - first) / (n - 1) < period * 3);

  q = gst_query_new_latency ();
  fail_unless (gst_pad_peer_query (h->sinkpad, q));
  gst_query_parse_latency (q, &live, &min_lat, &max_lat);
  fail_unless (live);
  fail_unless_equals_uint64 (min_lat, period);
  fail_unless (max_lat == GST_CLOCK_TIME_NONE || max_lat >= min_lat);
  gst_query_unref (q);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* ---- frame rate ---- */

static gboolean wait_register (SenxorEmulator *emu, GstHarness *h,
    guint8 addr, guint8 mask, guint8 want);

GST_START_TEST (test_framerate_negotiation)
{
  g_autofree gchar *name = emu_name ("rate");
  g_autofree gchar *dev = emu_device (name, "module=mi16");
  g_autofree gchar *desc = NULL;
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h;
  GstBuffer *buf;
  GstCaps *caps;
  GstVideoInfo info;
  gint fps_n, fps_d, n, d;

  gst_util_double_to_fraction (senxor_module_fps_max (SENXOR_MODULE_MI16),
      &fps_n, &fps_d);

  /* Downstream asks for a third of the maximum: divider 3. */
  gst_util_fraction_multiply (fps_n, fps_d, 1, 3, &n, &d);
  desc = g_strdup_printf ("senxorsrc device=\"%s\" ! "
      "capsfilter caps=video/x-raw,framerate=%d/%d", dev, n, d);
  h = gst_harness_new_parse (desc);
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless_equals_int (info.fps_n * d, n * info.fps_d);
  emu = senxor_emulator_lookup (name);
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_FRAME_RATE) & 0x7f, 3);
  gst_caps_unref (caps);
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  g_clear_pointer (&emu, senxor_emulator_unref);

  /* The fps-divider property fixes the rate. */
  {
    g_autofree gchar *name2 = emu_name ("rate");
    g_autofree gchar *dev2 = emu_device (name2, "module=mi16");

    h = harness_for (dev2);
    g_object_set (h->element, "fps-divider", 5, NULL);
    gst_harness_play (h);
    buf = gst_harness_pull (h);
    caps = gst_pad_get_current_caps (h->sinkpad);
    fail_unless (gst_video_info_from_caps (&info, caps));
    gst_util_fraction_multiply (fps_n, fps_d, 1, 5, &n, &d);
    fail_unless_equals_int (info.fps_n * d, n * info.fps_d);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
        gst_util_uint64_scale (GST_SECOND, d, n));
    emu = senxor_emulator_lookup (name2);
    fail_unless_equals_int (senxor_emulator_get_register (emu,
            SENXOR_REG_FRAME_RATE) & 0x7f, 5);
    gst_caps_unref (caps);
    gst_buffer_unref (buf);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* Changing fps-divider while PLAYING renegotiates and reaches the device. */
GST_START_TEST (test_framerate_change_while_playing)
{
  g_autofree gchar *name = emu_name ("rate");
  g_autofree gchar *dev = emu_device (name, "module=mi08");
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = harness_for (dev);
  gint64 end;
  gint fps_n, fps_d, n, d;
  gboolean changed = FALSE;

  gst_util_double_to_fraction (senxor_module_fps_max (SENXOR_MODULE_MI08),
      &fps_n, &fps_d);
  gst_util_fraction_multiply (fps_n, fps_d, 1, 4, &n, &d);
  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  emu = senxor_emulator_lookup (name);
  fail_unless ((senxor_emulator_get_register (emu, SENXOR_REG_FRAME_RATE) &
          0x7f) <= 1);

  g_object_set (h->element, "fps-divider", 4, NULL);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!changed && g_get_monotonic_time () < end) {
    GstBuffer *buf = gst_harness_pull (h);

    /* The caps event comes before the first buffer at the new rate. */
    if (GST_BUFFER_DURATION (buf) == gst_util_uint64_scale (GST_SECOND, d,
            n)) {
      GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
      GstVideoInfo info;

      fail_unless (gst_video_info_from_caps (&info, caps));
      fail_unless_equals_int (info.fps_n * d, n * info.fps_d);
      gst_caps_unref (caps);
      changed = TRUE;
    }
    gst_buffer_unref (buf);
  }
  fail_unless (changed, "the caps never changed to a quarter of the rate");
  fail_unless (wait_register (emu, h, SENXOR_REG_FRAME_RATE, 0x7f, 4));
  gst_harness_teardown (h);
}
GST_END_TEST;

/* The first buffer of @h (pulled) and its caps' frame rate. */
static GstBuffer *
pull_with_rate (GstHarness *h, gint *fps_n, gint *fps_d)
{
  GstBuffer *buf = gst_harness_pull (h);
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;

  fail_unless (buf != NULL && caps != NULL);
  fail_unless (gst_video_info_from_caps (&info, caps));
  *fps_n = info.fps_n;
  *fps_d = info.fps_d;
  gst_caps_unref (caps);
  return buf;
}

/* Checks @n buffers of @h: caps at @want_n/@want_d, durations of one such
 * period. */
static void
check_rate (GstHarness *h, gint want_n, gint want_d, guint n)
{
  guint i;

  for (i = 0; i < n; i++) {
    gint fps_n, fps_d;
    GstBuffer *buf = pull_with_rate (h, &fps_n, &fps_d);

    fail_unless (fps_n * want_d == want_n * fps_d, "buffer %u: caps say "
        "%d/%d fps, want %d/%d", i, fps_n, fps_d, want_n, want_d);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
        gst_util_uint64_scale (GST_SECOND, want_d, want_n));
    gst_buffer_unref (buf);
  }
}

/* The camera does not report FPS_MAX: the source measures it, so that caps
 * and durations say what the camera delivers, at full and divided rates,
 * with no frame lost at the start. */
GST_START_TEST (test_framerate_measured)
{
  static const struct {
    const char *opts;
    guint divider;
    gint n, d;                  /* the rate the caps must say */
  } cases[] = {
    {"module=mi16&fps=25", 0, 25, 1},   /* nominal 30 */
    {"module=mi08&fps=12.5", 0, 25, 2}, /* nominal 25.5 */
    {"module=mi05&fps=20", 0, 20, 1},
    {"module=mi16&fps=25", 5, 5, 1},
    {"module=mi16&fps=27", 3, 9, 1},
    {"module=mi08", 2, 51, 4},  /* the nominal 25.5 kept */
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *name = emu_name ("meas");
    g_autofree gchar *dev = emu_device (name, cases[i].opts);
    g_autoptr (SenxorEmulator) emu = NULL;
    GstHarness *h = harness_for (dev);
    GstSenxorFrameMeta *meta;
    GstBuffer *buf;
    gint fps_n, fps_d;

    GST_INFO ("%s, fps-divider %u", cases[i].opts, cases[i].divider);
    g_object_set (h->element, "fps-divider", cases[i].divider, NULL);
    gst_harness_play (h);
    buf = pull_with_rate (h, &fps_n, &fps_d);
    meta = gst_buffer_get_senxor_frame_meta (buf);
    /* undivided, the frames read while measuring are delivered */
    if (cases[i].divider <= 1)
      fail_unless_equals_uint64 (meta->frame_counter, 1);
    gst_buffer_unref (buf);
    check_rate (h, cases[i].n, cases[i].d, 12);
    emu = senxor_emulator_lookup (name);
    /* (0 and 1 are the same divider) */
    fail_unless_equals_int (MAX (senxor_emulator_get_register (emu,
                SENXOR_REG_FRAME_RATE) & 0x7f, 1), MAX (cases[i].divider, 1));
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* A divided rate asked for by downstream is a divider of the measured
 * rate, not of the nominal one. */
GST_START_TEST (test_framerate_measured_caps)
{
  g_autofree gchar *name = emu_name ("measc");
  g_autofree gchar *dev = emu_device (name, "module=mi16&fps=25");
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc device=\"%s\" ! "
      "capsfilter caps=video/x-raw,framerate=25/2", dev);
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = gst_harness_new_parse (desc);

  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  check_rate (h, 25, 2, 6);
  emu = senxor_emulator_lookup (name);
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_FRAME_RATE) & 0x7f, 2);
  gst_harness_teardown (h);

  /* the nominal rate of the module (30), which this camera cannot make,
   * does not negotiate */
  {
    g_autofree gchar *name2 = emu_name ("measc");
    g_autofree gchar *dev2 = emu_device (name2, "module=mi16&fps=25");
    g_autofree gchar *src = g_strdup_printf ("device=\"%s\" ! "
        "video/x-raw,framerate=30/1", dev2);

    check_pipeline_error (src, GST_CORE_ERROR, GST_CORE_ERROR_NEGOTIATION);
  }
}
GST_END_TEST;

/* Real time, over a pty: the emulator at 25 fps and at a fifth of it.  The
 * caps, the durations and the spacing of the timestamps (loosely: the
 * machine may be busy) all say the delivered rate. */
GST_START_TEST (test_framerate_pty)
{
  static const guint dividers[] = { 0, 5 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (dividers); i++) {
    g_autoptr (SenxorEmulator) emu =
        senxor_emulator_new ("module=mi16&fps=25&scene=gradient", NULL);
    g_autoptr (SenxorEmulatorServer) server =
        senxor_emulator_server_new_pty (emu, NULL, NULL);
    g_autofree gchar *path = NULL;
    GstHarness *h;
    GstClockTime first = GST_CLOCK_TIME_NONE, last = 0, period;
    gint want_n = dividers[i] ? 25 / dividers[i] : 25;
    guint j, n = dividers[i] ? 6 : 20;

    fail_unless (server != NULL);
    path = senxor_emulator_server_dup_pty_path (server);
    h = gst_harness_new ("senxorsrc");
    g_object_set (h->element, "device", path, "fps-divider", dividers[i],
        NULL);
    gst_harness_use_systemclock (h);
    gst_harness_play (h);
    period = gst_util_uint64_scale (GST_SECOND, 1, want_n);
    for (j = 0; j < n; j++) {
      gint fps_n, fps_d;
      GstBuffer *buf = pull_with_rate (h, &fps_n, &fps_d);

      fail_unless (fps_n == want_n && fps_d == 1, "caps %d/%d, want %d/1",
          fps_n, fps_d, want_n);
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), period);
      if (!GST_CLOCK_TIME_IS_VALID (first))
        first = GST_BUFFER_PTS (buf);
      last = GST_BUFFER_PTS (buf);
      gst_buffer_unref (buf);
    }
    GST_INFO ("divider %u: average spacing %" GST_TIME_FORMAT ", period %"
        GST_TIME_FORMAT, dividers[i], GST_TIME_ARGS ((last - first) / (n - 1)),
        GST_TIME_ARGS (period));
    fail_unless ((last - first) / (n - 1) > period * 3 / 4);
    fail_unless ((last - first) / (n - 1) < period * 4 / 3);
    gst_harness_teardown (h);
  }
}
GST_END_TEST;

/* The serial property selects, or checks, the camera. */
GST_START_TEST (test_serial_check)
{
  g_autofree gchar *name = emu_name ("sn");
  g_autofree gchar *dev = emu_device (name, "module=mi05&serial=1A2B3C4D5E6F");
  g_autofree gchar *bad = NULL;
  GstHarness *h = harness_for (dev);
  g_autofree gchar *sn = NULL;

  g_object_set (h->element, "serial", "1A2B3C4D5E6F", NULL);
  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  g_object_get (h->element, "serial-number", &sn, NULL);
  fail_unless_equals_string (sn, "1A2B3C4D5E6F");
  gst_harness_teardown (h);

  bad = g_strdup_printf ("device=\"%s\" serial=000000000000", dev);
  check_pipeline_error (bad, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND);
}
GST_END_TEST;

/* ---- frame counter and losses ---- */

GST_START_TEST (test_counter_and_lost_frames)
{
  g_autofree gchar *name = emu_name ("lost");
  g_autofree gchar *dev = emu_device (name, "module=mi05&seed=7");
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = harness_for (dev);
  GstBus *bus = gst_bus_new ();
  GstMessage *msg;
  guint64 prev = 0, gaps = 0, lost = 0, qos_count = 0, warnings = 0;
  guint64 last_dropped = 0;
  guint i;

  gst_element_set_bus (h->element, bus);
  gst_harness_play (h);

  /* Clean stream first: consecutive offsets, no QoS. */
  for (i = 0; i < 20; i++) {
    GstBuffer *buf = gst_harness_pull (h);

    if (i > 0)
      fail_unless_equals_uint64 (GST_BUFFER_OFFSET (buf), prev + 1);
    prev = GST_BUFFER_OFFSET (buf);
    gst_buffer_unref (buf);
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_QOS | GST_MESSAGE_WARNING);
  fail_unless (msg == NULL, "QoS or warning on a clean stream");

  /* Now frames with bad checksums get dropped by the decoder. */
  emu = senxor_emulator_lookup (name);
  fail_unless (senxor_emulator_set_faults (emu, "badsum=0.1", NULL));
  for (i = 0; i < 100; i++) {
    GstBuffer *buf = gst_harness_pull (h);
    guint64 off = GST_BUFFER_OFFSET (buf);

    fail_unless (off > prev);
    if (off != prev + 1) {
      gaps++;
      lost += off - prev - 1;
    }
    check_gradient (buf, 50, 50);
    prev = off;
    gst_buffer_unref (buf);
  }
  fail_unless (senxor_emulator_set_faults (emu, NULL, NULL));

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_QOS |
              GST_MESSAGE_WARNING))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_QOS) {
      GstFormat fmt;
      guint64 processed, dropped, duration;
      gboolean live;

      gst_message_parse_qos (msg, &live, NULL, NULL, NULL, &duration);
      gst_message_parse_qos_stats (msg, &fmt, &processed, &dropped);
      fail_unless (live);
      fail_unless_equals_int (fmt, GST_FORMAT_BUFFERS);
      fail_unless (dropped > last_dropped);
      fail_unless (GST_CLOCK_TIME_IS_VALID (duration) && duration > 0);
      last_dropped = dropped;
      qos_count++;
    } else {
      g_autoptr (GError) err = NULL;

      gst_message_parse_warning (msg, &err, NULL);
      fail_unless (strstr (err->message, "Lost") != NULL, "%s", err->message);
      warnings++;
    }
    gst_message_unref (msg);
  }
  GST_INFO ("%" G_GUINT64_FORMAT " gaps, %" G_GUINT64_FORMAT " frames lost",
      gaps, lost);
  fail_unless (gaps > 0, "the fault dropped no frame");
  /* Gaps seen while the fault was on; QoS messages may include one for a
   * frame still queued when the count ended, never fewer. */
  fail_unless (qos_count >= gaps, "%" G_GUINT64_FORMAT " QoS for %"
      G_GUINT64_FORMAT " gaps", qos_count, gaps);
  fail_unless_equals_uint64 (warnings, qos_count);
  fail_unless (last_dropped >= lost);

  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* ---- controls ---- */

static gboolean
wait_register (SenxorEmulator *emu, GstHarness *h, guint8 addr, guint8 mask,
    guint8 want)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end) {
    GstBuffer *buf;

    if ((senxor_emulator_get_register (emu, addr) & mask) == want)
      return TRUE;
    /* Keep frames flowing so the streaming thread comes round. */
    buf = gst_harness_try_pull (h);
    if (buf)
      gst_buffer_unref (buf);
    else
      g_usleep (1000);
  }
  GST_ERROR ("register 0x%02X is 0x%02X, want 0x%02X (mask 0x%02X)", addr,
      senxor_emulator_get_register (emu, addr), want, mask);
  return FALSE;
}

GST_START_TEST (test_controls_while_playing)
{
  g_autofree gchar *name = emu_name ("ctl");
  g_autofree gchar *dev = emu_device (name, "module=mi08");
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = harness_for (dev);
  gdouble emissivity;
  guint i;

  gst_harness_play (h);
  for (i = 0; i < 3; i++)
    gst_buffer_unref (gst_harness_pull (h));
  emu = senxor_emulator_lookup (name);

  /* Nothing written that the user did not set; the properties show the
   * device's settings. */
  g_object_get (h->element, "emissivity", &emissivity, NULL);
  fail_unless_equals_int ((gint) lround (emissivity * 100),
      senxor_emulator_get_register (emu, SENXOR_REG_EMISSIVITY));

  g_object_set (h->element, "emissivity", 0.5, "gain", 1 /* auto */ ,
      "median-filter", 2 /* 5x5 */ , "stark", TRUE, "mms", TRUE,
      "temporal-filter", TRUE, "temporal-filter-strength", 0x1234,
      "offset-correction", -1.5, "sensitivity-factor", 90, NULL);

  fail_unless (wait_register (emu, h, SENXOR_REG_EMISSIVITY, 0xff, 50));
  fail_unless (wait_register (emu, h, SENXOR_REG_SENXOR_GAIN, 0x0f, 1));
  fail_unless (wait_register (emu, h, SENXOR_REG_MEDIAN_CTRL, 0x03, 0x03));
  fail_unless (wait_register (emu, h, SENXOR_REG_STARK_CTRL, 0x01, 0x01));
  fail_unless (wait_register (emu, h, SENXOR_REG_MMS_CTRL, 0x03, 0x03));
  fail_unless (wait_register (emu, h, SENXOR_REG_FILTER_CONTROL, 0x01, 0x01));
  fail_unless (wait_register (emu, h, SENXOR_REG_FILTER_SETTING_1, 0xff,
          0x34));
  fail_unless (wait_register (emu, h, SENXOR_REG_FILTER_SETTING_2, 0xff,
          0x12));
  fail_unless (wait_register (emu, h, SENXOR_REG_OFFSET_CORR, 0xff,
          (guint8) (gint8) - 15));
  fail_unless (wait_register (emu, h, SENXOR_REG_SENSITIVITY_FACTOR, 0xff,
          90));

  /* And back. */
  g_object_set (h->element, "median-filter", 0, "stark", FALSE, NULL);
  fail_unless (wait_register (emu, h, SENXOR_REG_MEDIAN_CTRL, 0x01, 0x00));
  fail_unless (wait_register (emu, h, SENXOR_REG_STARK_CTRL, 0x01, 0x00));

  /* Streaming went on throughout. */
  fail_unless (senxor_emulator_is_streaming (emu));
  gst_buffer_unref (gst_harness_pull (h));
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Controls set before starting are written before the first frame. */
GST_START_TEST (test_controls_before_start)
{
  g_autofree gchar *name = emu_name ("pre");
  g_autofree gchar *dev = emu_device (name, "module=mi08");
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = harness_for (dev);

  g_object_set (h->element, "emissivity", 0.8, "gain", 3 /* 0.5 */ , NULL);
  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  emu = senxor_emulator_lookup (name);
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_EMISSIVITY), 80);
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_SENXOR_GAIN) & 0x0f, 3);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* A property per control of libsenxor's table, with its type, range,
 * default and description. */
GST_START_TEST (test_control_properties)
{
  GstElement *src = gst_element_factory_make ("senxorsrc", NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (src);
  const SenxorControlInfo *c;
  guint n, i, j;

  c = senxor_controls (&n);
  fail_unless (n > 0);
  for (i = 0; i < n; i++) {
    GParamSpec *p = g_object_class_find_property (klass, c[i].name);
    GValue v = G_VALUE_INIT;

    fail_unless (p != NULL, "no property %s", c[i].name);
    fail_unless ((p->flags & G_PARAM_READWRITE) == G_PARAM_READWRITE);
    fail_unless (p->flags & GST_PARAM_MUTABLE_PLAYING);
    fail_unless (g_str_has_prefix (g_param_spec_get_blurb (p),
            c[i].description), "%s: %s", c[i].name, g_param_spec_get_blurb (p));
    fail_unless_equals_string (g_param_spec_get_nick (p), c[i].label);
    g_value_init (&v, p->value_type);
    g_object_get_property (G_OBJECT (src), c[i].name, &v);
    switch (c[i].type) {
      case SENXOR_CONTROL_BOOLEAN:
        fail_unless (G_IS_PARAM_SPEC_BOOLEAN (p));
        fail_unless_equals_int (g_value_get_boolean (&v),
            c[i].default_value != 0);
        break;
      case SENXOR_CONTROL_INTEGER:
        fail_unless (G_IS_PARAM_SPEC_UINT (p));
        fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->minimum, c[i].min);
        fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->maximum, c[i].max);
        fail_unless_equals_int (g_value_get_uint (&v), c[i].default_value);
        break;
      case SENXOR_CONTROL_DOUBLE:
        fail_unless (G_IS_PARAM_SPEC_DOUBLE (p));
        fail_unless (p->flags & GST_PARAM_CONTROLLABLE);
        fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->minimum, c[i].min);
        fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->maximum, c[i].max);
        fail_unless_equals_float (g_value_get_double (&v), c[i].default_value);
        break;
      case SENXOR_CONTROL_ENUM:{
        GEnumClass *e;

        fail_unless (G_IS_PARAM_SPEC_ENUM (p));
        e = G_PARAM_SPEC_ENUM (p)->enum_class;
        fail_unless_equals_int (e->n_values, c[i].n_values);
        for (j = 0; j < c[i].n_values; j++) {
          GEnumValue *ev = g_enum_get_value (e, c[i].values[j].value);

          fail_unless (ev != NULL);
          fail_unless_equals_string (ev->value_nick, c[i].values[j].nick);
        }
        fail_unless_equals_int (g_value_get_enum (&v), c[i].default_value);
        break;
      }
    }
    g_value_unset (&v);
  }
  /* the enum types kept their names */
  fail_unless_equals_string (g_type_name (G_PARAM_SPEC_VALUE_TYPE
          (g_object_class_find_property (klass, "gain"))), "GstSenxorSrcGain");
  fail_unless_equals_string (g_type_name (G_PARAM_SPEC_VALUE_TYPE
          (g_object_class_find_property (klass, "median-filter"))),
      "GstSenxorSrcMedian");
  gst_object_unref (src);
}
GST_END_TEST;

/* Each control is written on its own: the filter strength leaves the
 * camera's temporal filter switch alone; unset controls show the camera's
 * values. */
GST_START_TEST (test_controls_separate)
{
  g_autofree gchar *name = emu_name ("sep");
  g_autofree gchar *dev = emu_device (name, "module=mi08");
  g_autoptr (SenxorEmulator) emu = NULL;
  GstHarness *h = harness_for (dev);
  gint gain;
  guint sensitivity;

  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  emu = senxor_emulator_lookup (name);
  /* the emulator powers up with automatic gain */
  g_object_get (h->element, "gain", &gain, "sensitivity-factor", &sensitivity,
      NULL);
  fail_unless_equals_int (gain, senxor_emulator_get_register (emu,
          SENXOR_REG_SENXOR_GAIN) & 0x0f);
  fail_unless_equals_int (sensitivity, senxor_emulator_get_register (emu,
          SENXOR_REG_SENSITIVITY_FACTOR));

  senxor_emulator_set_register (emu, SENXOR_REG_FILTER_CONTROL,
      SENXOR_FILTER_TEMPORAL_ENABLE);
  g_object_set (h->element, "temporal-filter-strength", 300, NULL);
  fail_unless (wait_register (emu, h, SENXOR_REG_FILTER_SETTING_1, 0xff,
          300 & 0xff));
  fail_unless (wait_register (emu, h, SENXOR_REG_FILTER_SETTING_2, 0xff,
          300 >> 8));
  gst_buffer_unref (gst_harness_pull (h));
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_FILTER_CONTROL), SENXOR_FILTER_TEMPORAL_ENABLE);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* ---- unlock, cycles ---- */

/* Plays @device (which stalls after 3 frames for a minute) until the
 * frames stop, then measures PLAYING -> NULL. */
static void
check_unlock_silent (const char *device, SenxorEmulator *emu, const char *link)
{
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc timeout=60000 "
      "device=\"%s\" ! appsink name=sink sync=false", device);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  SenxorEmulatorStats stats;
  GstSample *sample;
  GstStateChangeReturn ret;
  gint64 t0, t1;
  guint got = 0;

  gst_element_set_state (pipe, GST_STATE_PLAYING);
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              2 * GST_SECOND))) {
    got++;
    gst_sample_unref (sample);
  }
  /* stall=60s@3f: the emulator checks its frame-count faults between two
   * batches of frames, so a host that reads late (a loaded machine) can
   * find a fourth frame already in the transmit backlog */
  fail_unless (got >= 1 && got <= 4, "got %u frames", got);
  senxor_emulator_get_stats (emu, &stats);
  fail_unless_equals_uint64 (stats.stalls, 1);

  /* The streaming thread is now blocked waiting for a frame. */
  t0 = g_get_monotonic_time ();
  ret = gst_element_set_state (pipe, GST_STATE_NULL);
  t1 = g_get_monotonic_time ();
  fail_unless_equals_int (ret, GST_STATE_CHANGE_SUCCESS);
  g_print ("senxorsrc (%s): PLAYING -> NULL with a silent device took "
      "%.1f ms\n", link, (t1 - t0) / 1000.0);
  /* The target is 100 ms; the bound is generous for a busy machine. */
  fail_unless (t1 - t0 < G_USEC_PER_SEC, "PLAYING -> NULL took %"
      G_GINT64_FORMAT " us", t1 - t0);

  gst_object_unref (sink);
  gst_object_unref (pipe);
}

GST_START_TEST (test_unlock_silent_device)
{
  g_autofree gchar *name = emu_name ("silent");
  /* Real-time pacing; after 3 frames the device says nothing for 60 s. */
  g_autofree gchar *dev = g_strdup_printf ("emulator://%s?module=mi08&"
      "faults=stall=60s@3f", name);
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, (gpointer) "module", (gpointer) "mi08");
  g_hash_table_insert (params, (gpointer) "faults", (gpointer) "stall=60s@3f");
  emu = senxor_emulator_get_shared (name, params, NULL);
  fail_unless (emu != NULL);
  check_unlock_silent (dev, emu, "in-process");
}
GST_END_TEST;

/* A live source pauses: create() is interrupted and resumes afterwards. */
GST_START_TEST (test_pause_resume)
{
  g_autofree gchar *name = emu_name ("pause");
  /* real-time pacing, so that PAUSED interrupts a wait for a frame */
  g_autofree gchar *dev = g_strdup_printf ("emulator://%s?module=mi05&"
      "scene=gradient", name);
  GstHarness *h = gst_harness_new ("senxorsrc");
  guint64 prev = 0;
  guint round, i;

  g_object_set (h->element, "device", dev, NULL);
  gst_harness_play (h);
  for (round = 0; round < 3; round++) {
    for (i = 0; i < 3; i++) {
      GstBuffer *buf = gst_harness_pull (h);

      fail_unless (buf != NULL);
      fail_unless (GST_BUFFER_OFFSET (buf) > prev || prev == 0);
      prev = GST_BUFFER_OFFSET (buf);
      check_gradient (buf, 50, 50);
      gst_buffer_unref (buf);
    }
    fail_unless (gst_element_set_state (h->element, GST_STATE_PAUSED) ==
        GST_STATE_CHANGE_NO_PREROLL);
    g_usleep (50 * 1000);
    fail_unless (gst_element_set_state (h->element, GST_STATE_PLAYING) ==
        GST_STATE_CHANGE_SUCCESS);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_state_cycles)
{
  g_autofree gchar *name = emu_name ("cyc");
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc "
      "device=\"emulator://%s?module=mi05&fast=1\" ! "
      "appsink name=sink sync=false max-buffers=1", name);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstBus *bus = gst_element_get_bus (pipe);
  GstMessage *msg;
  guint i;

  for (i = 0; i < 200; i++) {
    fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE, "cycle %u", i);
    /* Every few cycles, make sure frames really flow. */
    if (i % 10 == 0) {
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
          10 * GST_SECOND);

      fail_unless (sample != NULL, "no frame in cycle %u", i);
      gst_sample_unref (sample);
    }
    fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL, "an error during the cycles");

  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}
GST_END_TEST;

/* ---- errors ---- */

GST_START_TEST (test_error_not_found)
{
  check_pipeline_error ("device=/dev/senxor-test-no-such-device",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
}
GST_END_TEST;

static void check_reconnect (const char *device, const char *serial,
    SenxorEmulator *emu);

/* Discovery sees only what the test configures: an empty configuration
 * file, and @emulators (or nothing) in SENXOR_EMULATORS.  FALSE when a real
 * camera is plugged in, which the tests below cannot control. */
static gboolean
configure_discovery (const char *emulators)
{
  static gchar *conf;
  g_autoptr (GPtrArray) hw = NULL;

  if (!conf) {
    gint fd = g_file_open_tmp ("senxor-devices-XXXXXX.conf", &conf, NULL);

    fail_unless (fd >= 0);
    close (fd);
  }
  g_setenv ("SENXOR_CONFIG", conf, TRUE);
  g_unsetenv ("SENXOR_TCP_DEVICES");
  if (emulators)
    g_setenv ("SENXOR_EMULATORS", emulators, TRUE);
  else
    g_unsetenv ("SENXOR_EMULATORS");
  hw = senxor_discover_devices (SENXOR_DISCOVER_SERIAL | SENXOR_DISCOVER_USB,
      NULL);
  if (hw && hw->len > 0) {
    g_print ("senxorsrc: a camera is connected to this machine; the "
        "discovery test cannot run\n");
    return FALSE;
  }
  return TRUE;
}

GST_START_TEST (test_error_no_device_at_all)
{
  if (!configure_discovery (NULL))
    return;
  check_pipeline_error ("", GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND);
  /* and no camera with that serial number */
  check_pipeline_error ("serial=0123456789AB", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND);
}
GST_END_TEST;

/* Without device, the first camera discovered; with serial, that one. */
GST_START_TEST (test_default_device_and_serial)
{
  GstHarness *h;
  GstBuffer *buf;
  g_autofree gchar *module = NULL, *sn = NULL;

  if (!configure_discovery ("dflta?module=mi05&fast=1&scene=gradient&"
          "serial=AAAAAAAAAAAA;dfltb?module=mi16&fast=1&scene=gradient&"
          "serial=BBBBBBBBBBBB"))
    return;

  h = gst_harness_new ("senxorsrc");
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  check_gradient (buf, 50, 50);
  gst_buffer_unref (buf);
  g_object_get (h->element, "module", &module, "serial-number", &sn, NULL);
  fail_unless_equals_string (module, "MI05");
  fail_unless_equals_string (sn, "AAAAAAAAAAAA");
  gst_harness_teardown (h);
  g_clear_pointer (&module, g_free);
  g_clear_pointer (&sn, g_free);

  h = gst_harness_new ("senxorsrc");
  g_object_set (h->element, "serial", "bbbbbbbbbbbb", NULL);
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  buf = gst_harness_pull (h);
  check_gradient (buf, 160, 120);
  gst_buffer_unref (buf);
  g_object_get (h->element, "module", &module, "serial-number", &sn, NULL);
  fail_unless_equals_string (module, "MI16");
  fail_unless_equals_string (sn, "BBBBBBBBBBBB");
  gst_harness_teardown (h);
}
GST_END_TEST;

/* A camera chosen by serial number is looked for again by it. */
GST_START_TEST (test_reconnect_by_serial)
{
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  if (!configure_discovery ("rcsn?fast=1&scene=gradient&"
          "faults=disconnect@20f&serial=1234567890AB"))
    return;
  g_hash_table_insert (params, (gpointer) "fast", (gpointer) "1");
  g_hash_table_insert (params, (gpointer) "scene", (gpointer) "gradient");
  g_hash_table_insert (params, (gpointer) "serial", (gpointer) "1234567890AB");
  g_hash_table_insert (params, (gpointer) "faults",
      (gpointer) "disconnect@20f");
  emu = senxor_emulator_get_shared ("rcsn", params, NULL);
  fail_unless (emu != NULL);
  check_reconnect (NULL, "1234567890AB", emu);
}
GST_END_TEST;

GST_START_TEST (test_error_permission)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *desc = NULL;

  if (geteuid () == 0) {
    /* root opens any file: use one the kernel refuses to open for writing */
    path = g_strdup ("/sys/devices/system/cpu/online");
  } else {
    gint fd = g_file_open_tmp ("senxor-perm-XXXXXX", &path, NULL);

    fail_unless (fd >= 0);
    close (fd);
    fail_unless (g_chmod (path, 0) == 0);
  }
  desc = g_strdup_printf ("device=%s", path);
  check_pipeline_error (desc, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_READ_WRITE);
  if (geteuid () != 0)
    g_unlink (path);
}
GST_END_TEST;

GST_START_TEST (test_error_busy)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi08", NULL);
  g_autoptr (SenxorEmulatorServer) server = NULL;
  g_autofree gchar *path = NULL;
  g_autofree gchar *desc = NULL;
  GstElement *first;
  GstElement *sink;
  GstSample *sample;

  server = senxor_emulator_server_new_pty (emu, NULL, NULL);
  fail_unless (server != NULL);
  path = senxor_emulator_server_dup_pty_path (server);

  desc = g_strdup_printf ("senxorsrc device=%s ! appsink name=sink "
      "sync=false max-buffers=1", path);
  first = gst_parse_launch (desc, NULL);
  gst_element_set_state (first, GST_STATE_PLAYING);
  sink = gst_bin_get_by_name (GST_BIN (first), "sink");
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
  fail_unless (sample != NULL);
  gst_sample_unref (sample);

  g_free (desc);
  desc = g_strdup_printf ("device=%s", path);
  check_pipeline_error (desc, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY);

  gst_element_set_state (first, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (first);
}
GST_END_TEST;

GST_START_TEST (test_error_no_module)
{
  check_pipeline_error ("device=\"emulator://?nomodule=1\"",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED);
}
GST_END_TEST;

GST_START_TEST (test_error_invalid_device)
{
  check_pipeline_error ("device=\"emulator://?module=mi99\"",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS);
}
GST_END_TEST;

GST_START_TEST (test_error_disconnected)
{
  check_pipeline_error ("device=\"emulator://?fast=1&faults=disconnect@10f\"",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ);
}
GST_END_TEST;

GST_START_TEST (test_error_timeout)
{
  /* it answered, then went silent */
  check_pipeline_error_says ("timeout=300 "
      "device=\"emulator://?module=mi05&faults=stall=30s@2f\"",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ, "stopped answering");
}
GST_END_TEST;

GST_START_TEST (test_error_protocol)
{
  g_autofree gchar *name = emu_name ("proto");
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc "
      "device=\"emulator://%s?fast=1\" ! appsink name=sink sync=false "
      "max-buffers=1", name);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstBus *bus = gst_element_get_bus (pipe);
  g_autoptr (SenxorEmulator) emu = NULL;
  GstSample *sample;
  GstMessage *msg;

  gst_element_set_state (pipe, GST_STATE_PLAYING);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
  fail_unless (sample != NULL);
  gst_sample_unref (sample);
  /* Every message corrupt from now on. */
  emu = senxor_emulator_lookup (name);
  fail_unless (senxor_emulator_set_faults (emu, "badsum=1", NULL));
  /* Drain the one queued frame so the streaming thread reads on. */
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
              100 * GST_MSECOND)))
    gst_sample_unref (sample);

  msg = wait_error (bus, 30);
  assert_error (msg, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE);
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}
GST_END_TEST;

/* ---- reconnect ---- */

typedef struct {
  guint lost;
  guint restored;
  gchar *serial_lost;
  gchar *serial_restored;
  guint errors;
} BusLog;

static void
drain_bus (GstBus *bus, BusLog *log)
{
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    const GstStructure *s = gst_message_get_structure (msg);

    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      g_autoptr (GError) err = NULL;

      gst_message_parse_error (msg, &err, NULL);
      GST_ERROR ("error: %s", err->message);
      log->errors++;
    } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT && s) {
      if (gst_structure_has_name (s, "senxor-device-lost")) {
        log->lost++;
        g_free (log->serial_lost);
        log->serial_lost = g_strdup (gst_structure_get_string (s, "serial"));
      } else if (gst_structure_has_name (s, "senxor-device-restored")) {
        log->restored++;
        g_free (log->serial_restored);
        log->serial_restored =
            g_strdup (gst_structure_get_string (s, "serial"));
      }
    }
    gst_message_unref (msg);
  }
}

/* Plays "senxorsrc DEVICE reconnect=true ! appsink" through one disconnect
 * of @emu and checks that frames resume, with the messages and a DISCONT. */
static void
check_reconnect (const char *device, const char *serial, SenxorEmulator *emu)
{
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc name=src "
      "%s=\"%s\" reconnect=true retry-interval=20 emissivity=0.7 ! appsink name=sink "
      "sync=false max-buffers=2", device ? "device" : "serial",
      device ? device : serial);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstElement *src;
  GstBus *bus = gst_element_get_bus (pipe);
  g_autofree gchar *sn = NULL;
  BusLog log = { 0 };
  guint i, disconts = 0;
  guint64 prev = 0;

  gst_element_set_state (pipe, GST_STATE_PLAYING);
  for (i = 0; i < 60; i++) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        20 * GST_SECOND);
    GstBuffer *buf;

    fail_unless (sample != NULL, "no frame %u (lost %u restored %u)", i,
        log.lost, log.restored);
    buf = gst_sample_get_buffer (sample);
    if (i > 0) {
      fail_unless (GST_BUFFER_OFFSET (buf) > prev);
      if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DISCONT))
        disconts++;
    }
    prev = GST_BUFFER_OFFSET (buf);
    gst_sample_unref (sample);
    drain_bus (bus, &log);
  }
  drain_bus (bus, &log);

  src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  g_object_get (src, "serial-number", &sn, NULL);
  gst_object_unref (src);
  fail_unless_equals_int (log.errors, 0);
  fail_unless_equals_int (log.lost, 1);
  fail_unless_equals_int (log.restored, 1);
  fail_unless_equals_string (log.serial_lost, sn);
  fail_unless_equals_string (log.serial_restored, sn);
  fail_unless_equals_int (disconts, 1);
  /* The settings came back with the device. */
  fail_unless_equals_int (senxor_emulator_get_register (emu,
          SENXOR_REG_EMISSIVITY), 70);
  fail_unless (senxor_emulator_is_streaming (emu));

  gst_element_set_state (pipe, GST_STATE_NULL);
  g_free (log.serial_lost);
  g_free (log.serial_restored);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}

GST_START_TEST (test_reconnect_in_process)
{
  g_autofree gchar *name = emu_name ("rc");
  g_autofree gchar *dev = emu_device (name, "faults=disconnect@20f");
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (params, (gpointer) "fast", (gpointer) "1");
  g_hash_table_insert (params, (gpointer) "scene", (gpointer) "gradient");
  g_hash_table_insert (params, (gpointer) "faults",
      (gpointer) "disconnect@20f");
  emu = senxor_emulator_get_shared (name, params, NULL);
  fail_unless (emu != NULL);
  check_reconnect (dev, NULL, emu);
}
GST_END_TEST;

GST_START_TEST (test_reconnect_tcp)
{
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi05&fast=1&faults=disconnect@20f", NULL);
  g_autoptr (SenxorEmulatorServer) server =
      senxor_emulator_server_new_tcp (emu, NULL, 0, NULL);
  g_autofree gchar *dev = NULL;

  fail_unless (server != NULL);
  dev = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  check_reconnect (dev, NULL, emu);
}
GST_END_TEST;

/* The next element or error message on @bus (within 20 s) must be
 * senxor-device-lost. */
static void
expect_device_lost (GstBus *bus)
{
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
      GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR);

  fail_unless (msg != NULL, "no message within 20 s");
  fail_unless (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
      gst_structure_has_name (gst_message_get_structure (msg),
          "senxor-device-lost"), "%" GST_PTR_FORMAT, msg);
  gst_message_unref (msg);
}

/* A camera that is not there when the pipeline starts: with reconnect=true
 * the source waits for it (senxor-device-lost, then -restored) instead of
 * failing. */
GST_START_TEST (test_reconnect_missing_at_start)
{
  g_autofree gchar *dir = g_dir_make_tmp ("senxorsrc-XXXXXX", NULL);
  g_autofree gchar *link = g_build_filename (dir, "ttyThermal", NULL);
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc reconnect=true "
      "retry-interval=20 device=%s ! appsink name=sink sync=false "
      "max-buffers=2", link);
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fast=1",
      NULL);
  g_autoptr (SenxorEmulatorServer) server = NULL;
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstBus *bus = gst_element_get_bus (pipe);
  GstSample *sample;
  BusLog log = { 0 };

  fail_unless (dir != NULL);
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  /* the first attempt fails: the camera is "lost" from the start */
  expect_device_lost (bus);

  /* the camera appears */
  server = senxor_emulator_server_new_pty (emu, link, NULL);
  fail_unless (server != NULL);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);
  fail_unless (sample != NULL, "no frame after the camera appeared");
  gst_sample_unref (sample);
  drain_bus (bus, &log);
  fail_unless_equals_int (log.errors, 0);
  fail_unless_equals_int (log.restored, 1);

  gst_element_set_state (pipe, GST_STATE_NULL);
  g_free (log.serial_lost);
  g_free (log.serial_restored);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  g_clear_pointer (&server, senxor_emulator_server_free);
  g_unlink (link);
  g_rmdir (dir);
}
GST_END_TEST;

static GstPadProbeReturn
count_discont (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (GST_BUFFER_FLAG_IS_SET (GST_PAD_PROBE_INFO_BUFFER (info),
          GST_BUFFER_FLAG_DISCONT))
    g_atomic_int_inc ((gint *) data);
  return GST_PAD_PROBE_OK;
}

/* A reconnection that unlock() interrupts (a flush here; from GStreamer
 * 1.24 also PLAYING -> PAUSED) carries on afterwards: one
 * senxor-device-lost, one -restored, frames again (the first one DISCONT),
 * no error. */
GST_START_TEST (test_reconnect_across_flush)
{
  g_autofree gchar *dir = g_dir_make_tmp ("senxorsrc-XXXXXX", NULL);
  g_autofree gchar *link = g_build_filename (dir, "ttyThermal", NULL);
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc name=src "
      "reconnect=true retry-interval=20 device=%s ! appsink name=sink "
      "sync=false max-buffers=1 drop=true", link);
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fast=1",
      NULL);
  SenxorEmulatorServer *server = senxor_emulator_server_new_pty (emu, link, NULL);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstBus *bus = gst_element_get_bus (pipe);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstPad *srcpad = gst_element_get_static_pad (src, "src");
  GstSample *sample;
  BusLog log = { 0 };
  gint disconts = 0;

  fail_unless (server != NULL);
  /* appsink drops old frames, so count DISCONT before it */
  gst_pad_add_probe (srcpad, GST_PAD_PROBE_TYPE_BUFFER, count_discont,
      &disconts, NULL);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);
  fail_unless (sample != NULL, "no first frame");
  gst_sample_unref (sample);
  /* Once the sink prerolled, the pipeline ends its way to PLAYING on a
   * thread of its own, holding its state lock.  A flush meanwhile makes the
   * sink lose its state for good: the pipeline, busy, ignores the sink's
   * async-start, and the sink then waits in preroll for ever.  So the state
   * change ends before the flush (waiting for its state lock). */
  fail_if (gst_element_get_state (pipe, NULL, NULL, 20 * GST_SECOND) ==
      GST_STATE_CHANGE_ASYNC, "the pipeline did not reach PLAYING");
  GST_STATE_LOCK (pipe);
  GST_STATE_UNLOCK (pipe);

  /* the camera goes away */
  senxor_emulator_server_free (server);
  expect_device_lost (bus);
  log.lost = 1;

  /* interrupt the source while it is looking for it */
  fail_unless (gst_element_send_event (src, gst_event_new_flush_start ()));
  g_usleep (100 * 1000);
  fail_unless (gst_element_send_event (src, gst_event_new_flush_stop (TRUE)));
  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0)))
    gst_sample_unref (sample);        /* frames from before the loss */

  /* it comes back at the same place */
  server = senxor_emulator_server_new_pty (emu, link, NULL);
  fail_unless (server != NULL);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);
  fail_unless (sample != NULL, "no frame after the camera came back");
  gst_sample_unref (sample);
  drain_bus (bus, &log);
  fail_unless_equals_int (log.errors, 0);
  fail_unless_equals_int (log.lost, 1);
  fail_unless_equals_int (log.restored, 1);
  /* the first buffer, and the first after the camera came back */
  fail_unless_equals_int (g_atomic_int_get (&disconts), 2);

  gst_element_set_state (pipe, GST_STATE_NULL);
  g_free (log.serial_lost);
  g_free (log.serial_restored);
  gst_object_unref (srcpad);
  gst_object_unref (src);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  senxor_emulator_server_free (server);
  g_unlink (link);
  g_rmdir (dir);
}
GST_END_TEST;

/* Is @msg the warning about another camera (RESOURCE NOT_FOUND), not one
 * about lost frames? */
static gboolean
is_other_camera_warning (GstMessage *msg)
{
  g_autoptr (GError) err = NULL;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_WARNING)
    return FALSE;
  gst_message_parse_warning (msg, &err, NULL);
  return g_error_matches (err, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND);
}

/* The next warning about another camera on @bus within 20 s; fails on an
 * error or a senxor-device-restored before it. */
static GstMessage *
wait_warning (GstBus *bus)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end) {
    GstMessage *msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);

    if (!msg)
      continue;
    if (is_other_camera_warning (msg))
      return msg;
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ||
        gst_structure_has_name (gst_message_get_structure (msg),
            "senxor-device-restored"),
        "an error or senxor-device-restored before the warning");
    gst_message_unref (msg);
  }
  fail ("no warning within 20 s");
  return NULL;
}

/* The camera at an address is lost, and another camera (another serial
 * number) turns up there.  By default it is not taken: one warning says
 * so, no frame comes, and the lost camera is taken back when it returns.
 * With reconnect-any-camera it is taken. */
static void
check_other_camera (gboolean any)
{
  g_autofree gchar *dir = g_dir_make_tmp ("senxorsrc-XXXXXX", NULL);
  g_autofree gchar *link = g_build_filename (dir, "ttyThermal", NULL);
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc name=src "
      "reconnect=true retry-interval=20 reconnect-any-camera=%s device=%s ! "
      "appsink name=sink sync=false max-buffers=1 drop=true",
      any ? "true" : "false", link);
  /* A's serial number is the one derived from the link; B has its own,
   * and another frame rate */
  g_autoptr (SenxorEmulator) a = senxor_emulator_new ("module=mi05&fast=1&"
      "scene=gradient", NULL);
  g_autoptr (SenxorEmulator) b = senxor_emulator_new ("module=mi05&fast=1&"
      "scene=gradient&fps=20&serial=1B2B3B4B5B6B", NULL);
  SenxorEmulatorServer *server = senxor_emulator_server_new_pty (a, link, NULL);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstBus *bus = gst_element_get_bus (pipe);
  g_autofree gchar *sn_a = NULL, *sn_b = NULL, *sn = NULL;
  GstSample *sample;
  GstMessage *msg;
  BusLog log = { 0 };
  guint i;

  fail_unless (server != NULL);
  sn_a = senxor_emulator_dup_serial (a);
  sn_b = senxor_emulator_dup_serial (b);
  fail_if (g_str_equal (sn_a, sn_b));
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 20 * GST_SECOND);
  fail_unless (sample != NULL, "no first frame");
  gst_sample_unref (sample);
  g_object_get (src, "serial-number", &sn, NULL);
  fail_unless_equals_string (sn, sn_a);
  g_clear_pointer (&sn, g_free);

  /* A goes away, B takes its place */
  senxor_emulator_server_free (server);
  expect_device_lost (bus);
  server = senxor_emulator_server_new_pty (b, link, NULL);
  fail_unless (server != NULL);

  if (any) {
    /* restored with B, no error and no warning about it before */
    for (;;) {
      msg = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
          GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
      fail_unless (msg != NULL, "not restored within 20 s");
      fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR ||
          is_other_camera_warning (msg), "an error or a warning about the "
          "other camera before senxor-device-restored");
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT &&
          gst_structure_has_name (gst_message_get_structure (msg),
              "senxor-device-restored"))
        break;
      gst_message_unref (msg);
    }
    fail_unless_equals_string (gst_structure_get_string
        (gst_message_get_structure (msg), "serial"), sn_b);
    gst_message_unref (msg);
    while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0)))
      gst_sample_unref (sample);
    /* B's rate is measured and negotiated (a frame or two after the
     * reconnection may still carry A's caps) */
    for (i = 0; i < 20; i++) {
      GstVideoInfo info;
      GstBuffer *buf;

      sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
          20 * GST_SECOND);
      fail_unless (sample != NULL, "no frame from the other camera");
      fail_unless (gst_video_info_from_caps (&info,
              gst_sample_get_caps (sample)));
      buf = gst_sample_get_buffer (sample);
      if (info.fps_n == 20 && info.fps_d == 1 &&
          GST_BUFFER_DURATION (buf) == GST_SECOND / 20)
        break;
      gst_sample_unref (sample);
      sample = NULL;
    }
    fail_unless (sample != NULL, "the caps never said the other camera's "
        "20 fps");
    gst_sample_unref (sample);
    g_object_get (src, "serial-number", &sn, NULL);
    fail_unless_equals_string (sn, sn_b);
  } else {
    const GstStructure *details = NULL;
    g_autoptr (GError) err = NULL;
    guint warnings = 1;

    msg = wait_warning (bus);
    gst_message_parse_warning (msg, &err, NULL);
    gst_message_parse_warning_details (msg, &details);
    GST_INFO ("warning: %s", err->message);
    fail_unless (strstr (err->message, sn_b) != NULL, "%s", err->message);
    fail_unless (strstr (err->message, sn_a) != NULL, "%s", err->message);
    fail_unless (details != NULL);
    fail_unless_equals_string (gst_structure_get_string (details, "device"),
        link);
    fail_unless_equals_string (gst_structure_get_string (details, "serial"),
        sn_a);
    fail_unless_equals_string (gst_structure_get_string (details,
            "found-serial"), sn_b);
    gst_message_unref (msg);

    /* frames from before the loss, then none: B is not used, however often
     * the source looks (the back-off is at most 16 x 20 ms) */
    while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0)))
      gst_sample_unref (sample);
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        1500 * GST_MSECOND);
    fail_unless (sample == NULL, "a frame from the other camera");
    while ((msg = gst_bus_pop (bus))) {
      fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
      if (is_other_camera_warning (msg))
        warnings++;
      if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT)
        fail_if (gst_structure_has_name (gst_message_get_structure (msg),
                "senxor-device-restored"));
      gst_message_unref (msg);
    }
    fail_unless_equals_int (warnings, 1);
    g_object_get (src, "serial-number", &sn, NULL);
    fail_unless_equals_string (sn, sn_a);
    g_clear_pointer (&sn, g_free);

    /* A comes back: restored */
    senxor_emulator_server_free (server);
    server = senxor_emulator_server_new_pty (a, link, NULL);
    fail_unless (server != NULL);
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        20 * GST_SECOND);
    fail_unless (sample != NULL, "no frame after the camera came back");
    gst_sample_unref (sample);
    drain_bus (bus, &log);
    fail_unless_equals_int (log.errors, 0);
    fail_unless_equals_int (log.restored, 1);
    fail_unless_equals_string (log.serial_restored, sn_a);
  }

  gst_element_set_state (pipe, GST_STATE_NULL);
  g_free (log.serial_lost);
  g_free (log.serial_restored);
  gst_object_unref (src);
  gst_object_unref (bus);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  senxor_emulator_server_free (server);
  g_unlink (link);
  g_rmdir (dir);
}

GST_START_TEST (test_reconnect_other_camera)
{
  check_other_camera (FALSE);
}
GST_END_TEST;

GST_START_TEST (test_reconnect_any_camera)
{
  check_other_camera (TRUE);
}
GST_END_TEST;

/* Two configured emulators without serial= are two cameras: each has its
 * own serial number, and serial= opens the one asked for, not the first. */
GST_START_TEST (test_serial_picks_emulator)
{
  g_autoptr (SenxorEmulator) second = NULL;
  g_autofree gchar *want = NULL, *sn = NULL;
  GstHarness *h;

  if (!configure_discovery ("pick1?module=mi05&fast=1&scene=gradient;"
          "pick2?module=mi05&fast=1&scene=gradient"))
    return;
  second = senxor_emulator_get_shared ("pick2", NULL, NULL);
  fail_unless (second != NULL);
  want = senxor_emulator_dup_serial (second);
  {
    g_autoptr (SenxorEmulator) first = senxor_emulator_get_shared ("pick1",
        NULL, NULL);
    g_autofree gchar *other = senxor_emulator_dup_serial (first);

    fail_if (g_str_equal (want, other), "both emulators have %s", want);
  }

  h = gst_harness_new ("senxorsrc");
  g_object_set (h->element, "serial", want, NULL);
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  gst_buffer_unref (gst_harness_pull (h));
  g_object_get (h->element, "serial-number", &sn, NULL);
  fail_unless_equals_string (sn, want);
  fail_unless (senxor_emulator_is_streaming (second));
  gst_harness_teardown (h);
  senxor_emulator_forget_shared ("pick1");
  senxor_emulator_forget_shared ("pick2");
}
GST_END_TEST;

/* A camera silent from power-up: the source opens it on the streaming
 * thread, so no state change waits for the register reads; without
 * reconnect the open fails with a clear error after the register timeout. */
GST_START_TEST (test_mute_camera)
{
  GstElement *pipe = gst_parse_launch ("senxorsrc "
      "device=\"emulator://?module=mi08&faults=stall=3600s@0s\" ! "
      "fakesink sync=false", NULL);
  GstBus *bus = gst_element_get_bus (pipe);
  GstStateChangeReturn ret;
  GstMessage *msg;
  gint64 t0, t1;

  t0 = g_get_monotonic_time ();
  ret = gst_element_set_state (pipe, GST_STATE_PLAYING);
  t1 = g_get_monotonic_time ();
  fail_unless (ret != GST_STATE_CHANGE_FAILURE);
  /* the target is 100 ms; the bound is generous for a busy machine */
  fail_unless (t1 - t0 < G_USEC_PER_SEC, "NULL -> PLAYING took %"
      G_GINT64_FORMAT " us", t1 - t0);
  g_usleep (200 * 1000);        /* the open is now waiting for a reply */
  t0 = g_get_monotonic_time ();
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  t1 = g_get_monotonic_time ();
  g_print ("senxorsrc: PLAYING -> NULL while opening a mute camera took "
      "%.1f ms\n", (t1 - t0) / 1000.0);
  fail_unless (t1 - t0 < G_USEC_PER_SEC, "PLAYING -> NULL took %"
      G_GINT64_FORMAT " us", t1 - t0);
  /* a cancelled open is not an error */
  fail_unless (gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR) == NULL);

  /* left alone, the open gives up with an error that says why */
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  msg = wait_error (bus, 30);
  assert_error (msg, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_READ);
  /* not "stopped answering": it never answered */
  assert_error_says (msg, "did not answer");
  gst_message_unref (msg);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipe);
}
GST_END_TEST;

/* A pty nobody answers on (a serial port with something else, or nothing,
 * behind it): the error says the camera never answered. */
GST_START_TEST (test_silent_pty)
{
  g_autofree gchar *desc = NULL;
  int master = posix_openpt (O_RDWR | O_NOCTTY);

  fail_unless (master >= 0 && grantpt (master) == 0 && unlockpt (master) == 0);
  desc = g_strdup_printf ("timeout=300 device=%s", ptsname (master));
  check_pipeline_error_says (desc, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_READ, "did not answer");
  close (master);
}
GST_END_TEST;

/* ---- other links ---- */

static void
check_frames_from (const char *device, guint width, guint height, guint n)
{
  GstHarness *h = harness_for (device);
  guint i;

  gst_harness_play (h);
  for (i = 0; i < n; i++) {
    GstBuffer *buf = gst_harness_pull (h);

    fail_unless (buf != NULL);
    check_gradient (buf, width, height);
    gst_buffer_unref (buf);
  }
  gst_harness_teardown (h);
}

GST_START_TEST (test_over_pty)
{
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi08&fast=1&scene=gradient", NULL);
  g_autoptr (SenxorEmulatorServer) server =
      senxor_emulator_server_new_pty (emu, NULL, NULL);
  g_autofree gchar *path = NULL;

  fail_unless (server != NULL);
  path = senxor_emulator_server_dup_pty_path (server);
  check_frames_from (path, 80, 62, 10);
}
GST_END_TEST;

GST_START_TEST (test_over_tcp)
{
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi16&fast=1&scene=gradient", NULL);
  g_autoptr (SenxorEmulatorServer) server =
      senxor_emulator_server_new_tcp (emu, NULL, 0, NULL);
  g_autofree gchar *dev = NULL;

  fail_unless (server != NULL);
  dev = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  check_frames_from (dev, 160, 120, 10);
}
GST_END_TEST;

GST_START_TEST (test_unlock_silent_tcp)
{
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi08&faults=stall=60s@3f", NULL);
  g_autoptr (SenxorEmulatorServer) server =
      senxor_emulator_server_new_tcp (emu, NULL, 0, NULL);
  g_autofree gchar *dev = NULL;

  fail_unless (server != NULL);
  dev = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  check_unlock_silent (dev, emu, "TCP");
}
GST_END_TEST;

GST_START_TEST (test_unlock_silent_pty)
{
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi08&faults=stall=60s@3f", NULL);
  g_autoptr (SenxorEmulatorServer) server =
      senxor_emulator_server_new_pty (emu, NULL, NULL);
  g_autofree gchar *path = NULL;

  fail_unless (server != NULL);
  path = senxor_emulator_server_dup_pty_path (server);
  check_unlock_silent (path, emu, "pty");
}
GST_END_TEST;

/* ---- several sources ---- */

static void
check_n_sources (guint n)
{
  static const char *modules[] = { "mi08", "mi16", "mi05" };
  static const gint widths[] = { 80, 160, 50 };
  GString *desc = g_string_new (NULL);
  GstElement *pipe;
  GstBus *bus;
  GstMessage *msg;
  guint i, j;

  for (i = 0; i < n; i++) {
    g_autofree gchar *name = emu_name ("multi");

    g_string_append_printf (desc, "senxorsrc device=\"emulator://%s?fast=1&"
        "scene=gradient&module=%s\" ! appsink name=s%u sync=false "
        "max-buffers=2 ", name, modules[i % 3], i);
  }
  pipe = gst_parse_launch (desc->str, NULL);
  g_string_free (desc, TRUE);
  fail_unless (pipe != NULL);
  bus = gst_element_get_bus (pipe);
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);

  for (j = 0; j < 10; j++) {
    for (i = 0; i < n; i++) {
      g_autofree gchar *sname = g_strdup_printf ("s%u", i);
      GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), sname);
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
          20 * GST_SECOND);
      GstVideoInfo info;

      fail_unless (sample != NULL, "source %u gave no frame %u", i, j);
      fail_unless (gst_video_info_from_caps (&info,
              gst_sample_get_caps (sample)));
      fail_unless_equals_int (info.width, widths[i % 3]);
      check_gradient (gst_sample_get_buffer (sample), info.width,
          info.height);
      gst_sample_unref (sample);
      gst_object_unref (sink);
    }
  }
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg == NULL);
  fail_unless_equals_int (gst_element_set_state (pipe, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipe);
}

GST_START_TEST (test_two_sources)
{
  check_n_sources (2);
}
GST_END_TEST;

GST_START_TEST (test_eight_sources)
{
  check_n_sources (8);
}
GST_END_TEST;

/* ---- gst-inspect, URIs ---- */

GST_START_TEST (test_inspect)
{
  static const char *props[] = {
    "device", "serial", "fps-divider", "emissivity", "offset-correction",
    "sensitivity-factor", "gain", "temporal-filter",
    "temporal-filter-strength", "median-filter", "stark", "mms", "timeout",
    "reconnect", "retry-interval", "module", "firmware", "serial-number",
    "mcu-type",
  };
  const gchar *argv[] = { "gst-inspect-1.0", "senxorsrc", NULL };
  g_autofree gchar *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  gint status;
  guint i;

  fail_unless (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_SEARCH_PATH,
          NULL, NULL, &out, &err, &status, &error), "%s",
      error ? error->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "gst-inspect-1.0 "
      "failed: %s", err);
  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    g_autofree gchar *needle = g_strdup_printf ("\n  %s", props[i]);
    const gchar *at = strstr (out, needle);

    /* "  name   : blurb", or "  long-name: blurb" */
    while (at && at[strlen (needle)] != ' ' && at[strlen (needle)] != ':')
      at = strstr (at + 1, needle);
    fail_unless (at != NULL, "property %s not shown", props[i]);
  }
  fail_unless (strstr (out, "senxor") != NULL);
  fail_unless (strstr (out, "URI handling capabilities") != NULL);
}
GST_END_TEST;

GST_START_TEST (test_uri_mapping)
{
  static const struct {
    const char *uri, *device, *serial, *back;
  } cases[] = {
    {"senxor:///dev/ttyACM0", "/dev/ttyACM0", NULL, NULL},
    {"senxor://tcp/127.0.0.1:3333", "tcp://127.0.0.1:3333", NULL, NULL},
    {"senxor://emulator?module=mi08", "emulator://?module=mi08", NULL, NULL},
    {"senxor://emulator/cam1?module=mi16&fast=1",
        "emulator://cam1?module=mi16&fast=1", NULL, NULL},
    {"senxor://usb/0416:B020", "usb://0416:B020", NULL, NULL},
    {"senxor://?serial=182A01001769", NULL, "182A01001769", NULL},
    {"senxor://", NULL, NULL, NULL},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) err = NULL;
    GstElement *src = gst_element_make_from_uri (GST_URI_SRC, cases[i].uri,
        NULL, &err);
    g_autofree gchar *device = NULL, *serial = NULL, *uri = NULL;

    fail_unless (src != NULL, "%s: %s", cases[i].uri, err ? err->message : "");
    fail_unless_equals_string (GST_OBJECT_NAME (gst_element_get_factory
            (src)), "senxorsrc");
    g_object_get (src, "device", &device, "serial", &serial, NULL);
    fail_unless_equals_string (device, cases[i].device);
    fail_unless_equals_string (serial, cases[i].serial);
    uri = gst_uri_handler_get_uri (GST_URI_HANDLER (src));
    fail_unless_equals_string (uri, cases[i].uri);
    gst_object_unref (src);
  }

  {
    g_autoptr (GError) err = NULL;
    GstElement *src = gst_element_factory_make ("senxorsrc", NULL);

    fail_if (gst_uri_handler_set_uri (GST_URI_HANDLER (src),
            "senxor://nonsense/x", &err));
    fail_unless (err != NULL);
    gst_object_unref (src);
  }
}
GST_END_TEST;

GST_START_TEST (test_uridecodebin)
{
  g_autofree gchar *name = emu_name ("uri");
  g_autofree gchar *desc = g_strdup_printf ("uridecodebin "
      "uri=\"senxor://emulator/%s?module=mi05&fast=1&scene=gradient\" ! "
      "appsink name=sink sync=false max-buffers=2", name);
  GstElement *pipe = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  guint i;

  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 5; i++) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink),
        20 * GST_SECOND);
    GstVideoInfo info;

    if (!sample) {
      GstBus *bus = gst_element_get_bus (pipe);
      GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr (GError) err = NULL;
      g_autofree gchar *dbg = NULL;

      if (msg)
        gst_message_parse_error (msg, &err, &dbg);
      fail ("no frame %u through uridecodebin: %s (%s)", i,
          err ? err->message : "no error", dbg ? dbg : "");
    }
    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless_equals_int (info.width, 50);
    fail_unless_equals_int (info.height, 50);
    check_gradient (gst_sample_get_buffer (sample), 50, 50);
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
}
GST_END_TEST;

static Suite *
senxorsrc_suite (void)
{
  Suite *s = suite_create ("senxorsrc");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_caps_per_module);
  tcase_add_test (tc, test_values_and_meta);
  tcase_add_test (tc, test_timestamps_and_latency);
  tcase_add_test (tc, test_framerate_negotiation);
  tcase_add_test (tc, test_framerate_change_while_playing);
  tcase_add_test (tc, test_framerate_measured);
  tcase_add_test (tc, test_framerate_measured_caps);
  tcase_add_test (tc, test_framerate_pty);
  tcase_add_test (tc, test_serial_check);
  tcase_add_test (tc, test_counter_and_lost_frames);
  tcase_add_test (tc, test_controls_while_playing);
  tcase_add_test (tc, test_controls_before_start);
  tcase_add_test (tc, test_unlock_silent_device);
  tcase_add_test (tc, test_pause_resume);
  tcase_add_test (tc, test_state_cycles);
  tcase_add_test (tc, test_error_not_found);
  tcase_add_test (tc, test_error_no_device_at_all);
  tcase_add_test (tc, test_default_device_and_serial);
  tcase_add_test (tc, test_error_permission);
  tcase_add_test (tc, test_error_busy);
  tcase_add_test (tc, test_error_no_module);
  tcase_add_test (tc, test_error_invalid_device);
  tcase_add_test (tc, test_error_disconnected);
  tcase_add_test (tc, test_error_timeout);
  tcase_add_test (tc, test_error_protocol);
  tcase_add_test (tc, test_reconnect_in_process);
  tcase_add_test (tc, test_reconnect_by_serial);
  tcase_add_test (tc, test_reconnect_tcp);
  tcase_add_test (tc, test_reconnect_missing_at_start);
  tcase_add_test (tc, test_reconnect_across_flush);
  tcase_add_test (tc, test_reconnect_other_camera);
  tcase_add_test (tc, test_reconnect_any_camera);
  tcase_add_test (tc, test_serial_picks_emulator);
  tcase_add_test (tc, test_mute_camera);
  tcase_add_test (tc, test_silent_pty);
  tcase_add_test (tc, test_over_pty);
  tcase_add_test (tc, test_over_tcp);
  tcase_add_test (tc, test_unlock_silent_tcp);
  tcase_add_test (tc, test_unlock_silent_pty);
  tcase_add_test (tc, test_two_sources);
  tcase_add_test (tc, test_eight_sources);
  tcase_add_test (tc, test_control_properties);
  tcase_add_test (tc, test_controls_separate);
  tcase_add_test (tc, test_inspect);
  tcase_add_test (tc, test_uri_mapping);
  tcase_add_test (tc, test_uridecodebin);
  return s;
}

GST_CHECK_MAIN (senxorsrc);
