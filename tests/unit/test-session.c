/* Session tests against a scripted peer (tests/unit/fake-device.c) over a pty
 * and over TCP: the open sequence and identity, registers, read-only
 * refusal, late replies, streaming, frame queueing during register requests,
 * counter gaps, each failure's error code, cancellation, BUSY.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "fake-device.h"

#include <string.h>

static SenxorSession *
open_ok (FakeDevice *fake)
{
  g_autoptr (GError) error = NULL;
  SenxorSession *s = senxor_session_open (fake_device_get_path (fake), NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

static void
check_identity (SenxorModule module, gboolean tcp)
{
  g_autoptr (FakeDevice) fake = tcp ? fake_device_new_tcp (module) :
      fake_device_new_pty (module);
  g_autoptr (SenxorSession) s = open_ok (fake);
  const SenxorDeviceInfo *info = senxor_session_get_info (s);
  SenxorFrameLayout layout;

  g_assert_cmpint (info->module, ==, module);
  senxor_frame_layout_for_module (module, TRUE, &layout);
  g_assert_cmpuint (info->width, ==, layout.width);
  g_assert_cmpuint (info->height, ==, layout.height);
  g_assert_cmpuint (info->fw_major, ==, 2);
  g_assert_cmpuint (info->fw_minor, ==, 5);
  g_assert_cmpuint (info->fw_build, ==, 7);
  g_assert_cmpuint (info->mcu_type, ==, 3);
  g_assert_cmpstr (senxor_mcu_type_name (info->mcu_type), ==, "MI48G");
  g_assert_cmpstr (info->serial, ==, "182A01001769");
  g_assert_cmpstr (info->device, ==, fake_device_get_path (fake));
  g_assert_cmpfloat (info->fps_max, >, 20);
  /* the open sequence forced deci-Kelvin and the header, and stopped the stream */
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_FRAME_FORMAT) & 7, ==, 0);
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_FRAME_MODE) &
      (SENXOR_FRAME_MODE_NO_HEADER | SENXOR_FRAME_MODE_CONTINUOUS_STREAM), ==, 0);
  g_assert_cmpint (senxor_session_get_pixel_unit (s), ==, SENXOR_UNIT_DECI_KELVIN);
  senxor_session_get_frame_layout (s, &layout);
  g_assert_true (layout.has_header);
}

static void
test_identity_pty (void)
{
  check_identity (SENXOR_MODULE_MI08, FALSE);
  check_identity (SENXOR_MODULE_MI16, FALSE);
  check_identity (SENXOR_MODULE_MI05, FALSE);
}

static void
test_identity_tcp (void)
{
  check_identity (SENXOR_MODULE_MI16, TRUE);
}

static void
test_registers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (SenxorSession) s = open_ok (fake);
  guint8 v = 0;
  guint before;

  g_assert_true (senxor_session_write_register (s, SENXOR_REG_EMISSIVITY, 88, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_EMISSIVITY), ==, 88);
  g_assert_true (senxor_session_read_register (s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_cmpuint (v, ==, 88);
  g_assert_true (senxor_session_write_register_by_name (s, "emissivity", 97, NULL,
          &error));
  g_assert_true (senxor_session_read_register_by_name (s, "0xCA", &v, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 97);

  /* read-only registers are refused before anything is sent */
  before = fake_device_get_requests (fake);
  g_assert_false (senxor_session_write_register_by_name (s, "STATUS", 1, NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_clear_error (&error);
  g_assert_cmpuint (fake_device_get_requests (fake), ==, before);

  g_assert_false (senxor_session_read_register_by_name (s, "NOPE", &v, NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (senxor_session_set_frame_rate_divider (s, 4, NULL, &error));
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_FRAME_RATE), ==, 4);
  g_assert_cmpuint (senxor_session_get_frame_rate_divider (s), ==, 4);
  g_assert_cmpfloat_with_epsilon (senxor_session_get_frame_rate (s),
      senxor_session_get_info (s)->fps_max / 4, 1e-9);
  g_assert_cmpint (senxor_session_get_frame_timeout (s), ==, G_USEC_PER_SEC);
  g_assert_true (senxor_session_set_frame_rate_divider (s, 40, NULL, &error));
  g_assert_cmpint (senxor_session_get_frame_timeout (s), ==, 2 * G_USEC_PER_SEC);
  g_assert_false (senxor_session_set_frame_rate_divider (s, 200, NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
}

static void
test_late_reply (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (SenxorSession) s = open_ok (fake);
  SenxorSessionStats stats;
  guint8 v = 0;

  fake_device_set_register (fake, SENXOR_REG_EMISSIVITY, 77);
  fake_device_set_register (fake, SENXOR_REG_SENXOR_GAIN, 3);
  senxor_session_set_register_timeout (s, 150000);
  g_assert_cmpint (senxor_session_get_register_timeout (s), ==, 150000);

  /* the reply to the first read comes 400 ms late, after its timeout */
  fake_device_delay_reply (fake, 0, 400);
  g_assert_false (senxor_session_read_register (s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "EMISSIVITY"));
  g_clear_error (&error);

  /* the next request must get its own answer (3), never the late 77 */
  senxor_session_set_register_timeout (s, 2 * G_USEC_PER_SEC);
  g_assert_true (senxor_session_read_register (s, SENXOR_REG_SENXOR_GAIN, &v, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 3);
  g_assert_true (senxor_session_read_register (s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_cmpuint (v, ==, 77);
  senxor_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.late_replies, ==, 1);
  g_assert_cmpuint (stats.timeouts, ==, 1);
}

static void
check_frame (const guint16 *px, gsize n, const SenxorFrameInfo *info)
{
  g_assert_true (info->has_header);
  g_assert_cmpint (info->unit, ==, SENXOR_UNIT_DECI_KELVIN);
  for (gsize i = 0; i < n; i++)
    if (px[i] != fake_device_pixel (i, info->header.counter))
      g_error ("pixel %" G_GSIZE_FORMAT " of frame %u is %u, expected %u", i,
          info->header.counter, px[i], fake_device_pixel (i, info->header.counter));
  g_assert_cmpuint (info->header.min_raw, ==, fake_device_pixel (0, info->header.counter));
  g_assert_cmpuint (info->counter & 0xFFFF, ==, info->header.counter);
}

static void
test_stream (gconstpointer data)
{
  gboolean tcp = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = tcp ? fake_device_new_tcp (SENXOR_MODULE_MI16) :
      fake_device_new_pty (SENXOR_MODULE_MI16);
  SenxorSession *s = open_ok (fake);
  const SenxorDeviceInfo *info = senxor_session_get_info (s);
  gsize n = (gsize) info->width * info->height;
  g_autofree guint16 *px = g_new (guint16, n);
  SenxorFrameInfo fi;
  SenxorSessionStats stats;
  guint64 prev = 0;
  gint64 t0 = g_get_monotonic_time ();

  /* 50 fps: a scheduling hiccup of up to 16 frame periods during a register
   * read stays within the session's frame queue */
  fake_device_set_frame_period (fake, 20);
  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (senxor_session_is_streaming (s));
  for (int i = 0; i < 20; i++) {
    guint8 v;

    g_assert_true (senxor_session_read_frame (s, px, n, &fi, 5 * G_USEC_PER_SEC, NULL,
            &error));
    g_assert_no_error (error);
    check_frame (px, n, &fi);
    g_assert_cmpuint (fi.layout.width, ==, 160);
    g_assert_cmpuint (fi.layout.height, ==, 120);
    g_assert_cmpint (fi.arrival_us, >=, t0);
    g_assert_cmpint (fi.arrival_us, <=, g_get_monotonic_time ());
    if (i > 0) {
      /* frames that came during the register reads below were queued */
      g_assert_cmpuint (fi.counter, ==, prev + 1);
      g_assert_cmpuint (fi.frames_lost, ==, 0);
    }
    prev = fi.counter;
    /* register traffic in the middle of the stream */
    if (i % 4 == 1)
      g_assert_true (senxor_session_read_register (s, SENXOR_REG_FW_VERSION_2, &v, NULL,
              &error));
  }
  /* a gap in the device's counter is reported as frames lost */
  fake_device_skip_frames (fake, 3);
  for (int i = 0; i < 3; i++) {
    g_assert_true (senxor_session_read_frame (s, px, n, &fi, 5 * G_USEC_PER_SEC, NULL,
            &error));
    if (fi.frames_lost)
      break;
  }
  g_assert_cmpuint (fi.frames_lost, ==, 3);
  senxor_session_get_stats (s, &stats);
  g_assert_cmpuint (stats.frames_lost, ==, 3);
  g_assert_cmpuint (stats.frames, >=, 21);

  /* a too small buffer is refused */
  g_assert_false (senxor_session_read_frame (s, px, n - 1, &fi, -1, NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* close stops the stream */
  senxor_session_close (s);
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_FRAME_MODE) &
      SENXOR_FRAME_MODE_CONTINUOUS_STREAM, ==, 0);
}

static void
test_stream_stop (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI05);
  g_autoptr (SenxorSession) s = open_ok (fake);
  guint16 px[2500];
  SenxorFrameInfo fi;

  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  g_assert_true (senxor_session_read_frame (s, px, 2500, &fi, 5 * G_USEC_PER_SEC, NULL,
          &error));
  g_assert_no_error (error);
  check_frame (px, 2500, &fi);
  g_assert_true (senxor_session_stop_stream (s, NULL, &error));
  g_assert_false (senxor_session_is_streaming (s));
  g_assert_cmpuint (fake_device_get_register (fake, SENXOR_REG_FRAME_MODE) &
      SENXOR_FRAME_MODE_CONTINUOUS_STREAM, ==, 0);
  /* frames still in flight may come; then silence gives TIMEOUT */
  while (senxor_session_read_frame (s, px, 2500, &fi, 200000, NULL, &error))
    ;
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "not started"));
}

static void
expect_open_error (FakeDevice *fake, gint code, const char *needle)
{
  g_autoptr (GError) error = NULL;
  SenxorSession *s = senxor_session_open (fake_device_get_path (fake), NULL, &error);

  g_assert_null (s);
  g_assert_error (error, SENXOR_ERROR, code);
  g_test_message ("%s", error->message);
  if (needle)
    g_assert_nonnull (strstr (error->message, needle));
}

static void
test_open_errors (void)
{
  g_autoptr (FakeDevice) serr = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (FakeDevice) garbage = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (FakeDevice) unknown = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (GError) error = NULL;

  fake_device_set_mode (serr, FAKE_SERR);
  expect_open_error (serr, SENXOR_ERROR_NO_MODULE, "SERR");
  fake_device_set_mode (garbage, FAKE_GARBAGE);
  expect_open_error (garbage, SENXOR_ERROR_PROTOCOL, NULL);
  fake_device_set_register (unknown, SENXOR_REG_SENXOR_TYPE, 7);
  expect_open_error (unknown, SENXOR_ERROR_UNSUPPORTED, "sensor type 7");

  g_assert_null (senxor_session_open ("/dev/ttyNOSUCHSENXOR9", NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND);
}

static void
test_open_silent (void)
{
  g_autoptr (FakeDevice) silent = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (GError) error = NULL;
  SenxorSession *s;
  gint64 t0 = g_get_monotonic_time ();

  fake_device_set_mode (silent, FAKE_SILENT);
  s = senxor_session_open_full (fake_device_get_path (silent), 300000, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "FRAME_MODE"));
  g_assert_nonnull (strstr (error->message, "0.3 s"));
  /* the timeout is the one asked for, not the 3 s default */
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 2 * G_USEC_PER_SEC);
}

static void
test_busy (void)
{
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (SenxorSession) s = open_ok (fake);

  /* while this session holds the device, a second open is refused */
  g_assert_nonnull (s);
  expect_open_error (fake, SENXOR_ERROR_BUSY, "in use");
}

static void
test_disconnect (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = fake_device_new_tcp (SENXOR_MODULE_MI08);
  g_autoptr (SenxorSession) s = open_ok (fake);
  guint16 px[80 * 62];
  SenxorFrameInfo fi;

  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  g_assert_true (senxor_session_read_frame (s, px, G_N_ELEMENTS (px), &fi, -1, NULL,
          &error));
  fake_device_hang_up (fake);
  while (senxor_session_read_frame (s, px, G_N_ELEMENTS (px), &fi, 5 * G_USEC_PER_SEC,
          NULL, &error))
    ;
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
}

typedef struct {
  GCancellable *c;
  gint64 at;
} CancelJob;

static gpointer
cancel_later (gpointer data)
{
  CancelJob *job = data;

  g_usleep (100000);
  job->at = g_get_monotonic_time ();
  g_cancellable_cancel (job->c);
  return NULL;
}

static void
test_cancel_read_frame (void)
{
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI08);
  g_autoptr (SenxorSession) s = open_ok (fake);
  guint16 px[80 * 62];
  gint64 best = G_MAXINT64;

  /* not streaming: the read blocks until cancelled (best of three, see
   * test-transport.c) */
  for (int i = 0; i < 3 && best >= 50000; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GCancellable) c = g_cancellable_new ();
    CancelJob job = { c, 0 };
    GThread *th = g_thread_new ("canceller", cancel_later, &job);
    gboolean ok = senxor_session_read_frame (s, px, G_N_ELEMENTS (px), NULL,
        30 * G_USEC_PER_SEC, c, &error);
    gint64 now = g_get_monotonic_time ();

    g_thread_join (th);
    g_assert_false (ok);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED);
    best = MIN (best, now - job.at);
  }
  g_test_message ("cancelled frame read returned after %" G_GINT64_FORMAT " us", best);
  g_assert_cmpint (best, <, 50000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/session/identity/pty", test_identity_pty);
  g_test_add_func ("/session/identity/tcp", test_identity_tcp);
  g_test_add_func ("/session/registers", test_registers);
  g_test_add_func ("/session/late-reply", test_late_reply);
  g_test_add_data_func ("/session/stream/pty", GINT_TO_POINTER (FALSE), test_stream);
  g_test_add_data_func ("/session/stream/tcp", GINT_TO_POINTER (TRUE), test_stream);
  g_test_add_func ("/session/stream/stop", test_stream_stop);
  g_test_add_func ("/session/open-errors", test_open_errors);
  g_test_add_func ("/session/open-silent", test_open_silent);
  g_test_add_func ("/session/busy", test_busy);
  g_test_add_func ("/session/disconnect", test_disconnect);
  g_test_add_func ("/session/cancel", test_cancel_read_frame);
  return g_test_run ();
}
