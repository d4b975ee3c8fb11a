/* Session tests against the emulator, in-process, over a pty and over TCP:
 * identity for every module, registers, streaming with exact temperatures,
 * every fault, cancellation, BUSY, shared named emulators.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>
#include <senxor/emulator.h>

#include <string.h>

typedef enum {
  LINK_INPROC,
  LINK_PTY,
  LINK_TCP,
} Link;

static const char *link_names[] = { "inproc", "pty", "tcp" };


typedef struct {
  SenxorEmulator *emu;
  SenxorEmulatorServer *server;
  SenxorSession *s;
} Fixture;

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->s, senxor_session_close);
  g_clear_pointer (&f->server, senxor_emulator_server_free);
  g_clear_pointer (&f->emu, senxor_emulator_unref);
}

/* An emulator with @options behind @link; the session (if it opened) in
 * f->s, else NULL with @error set. */
static gboolean
fixture_open (Fixture *f, Link link, const char *options, GError **error)
{
  g_autoptr (GError) local = NULL;

  memset (f, 0, sizeof *f);
  f->emu = senxor_emulator_new (options, &local);
  g_assert_no_error (local);
  if (link == LINK_INPROC) {
    f->s = senxor_session_open_transport (senxor_emulator_transport_new (f->emu), NULL,
        error);
  } else {
    g_autofree char *address = NULL;

    f->server = link == LINK_PTY ? senxor_emulator_server_new_pty (f->emu, NULL, &local) :
        senxor_emulator_server_new_tcp (f->emu, NULL, 0, &local);
    g_assert_no_error (local);
    address = senxor_emulator_server_dup_address (f->server);
    f->s = senxor_session_open (address, NULL, error);
  }
  return f->s != NULL;
}

static void
fixture_open_ok (Fixture *f, Link link, const char *options)
{
  g_autoptr (GError) error = NULL;

  fixture_open (f, link, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->s);
}

/* ---- identity ---- */

static void
test_identity (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  static const struct {
    const char *name;
    SenxorModule module;
    guint w, h;
  } modules[] = {
    {"mi08", SENXOR_MODULE_MI08, 80, 62},
    {"mi16", SENXOR_MODULE_MI16, 160, 120},
    {"mi05", SENXOR_MODULE_MI05, 50, 50},
  };

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
    g_autofree char *options = g_strdup_printf ("module=%s&fast=1&serial=190B02ABCDEF",
        modules[i].name);
    Fixture f;
    const SenxorDeviceInfo *info;
    guint8 fw1;

    fixture_open_ok (&f, link, options);
    info = senxor_session_get_info (f.s);
    g_assert_cmpint (info->module, ==, modules[i].module);
    g_assert_cmpuint (info->width, ==, modules[i].w);
    g_assert_cmpuint (info->height, ==, modules[i].h);
    g_assert_cmpstr (info->serial, ==, "190B02ABCDEF");
    fw1 = senxor_emulator_get_register (f.emu, SENXOR_REG_FW_VERSION_1);
    g_assert_cmpuint (info->fw_major, ==, fw1 >> 4);
    g_assert_cmpuint (info->fw_minor, ==, fw1 & 0xF);
    g_assert_cmpuint (info->fw_build, ==,
        senxor_emulator_get_register (f.emu, SENXOR_REG_FW_VERSION_2));
    g_assert_cmpuint (info->senxor_type, ==,
        senxor_emulator_get_register (f.emu, SENXOR_REG_SENXOR_TYPE));
    g_assert_cmpuint (info->module_type, ==,
        senxor_emulator_get_register (f.emu, SENXOR_REG_MODULE_TYPE));
    g_assert_cmpuint (info->mcu_type, ==,
        senxor_emulator_get_register (f.emu, SENXOR_REG_MCU_TYPE));
    g_assert_cmpfloat (info->fps_max, ==, senxor_module_fps_max (modules[i].module));
    /* the open sequence: header on, deci-Kelvin, not streaming */
    g_assert_cmpuint (senxor_emulator_get_register (f.emu, SENXOR_REG_FRAME_MODE) &
        (SENXOR_FRAME_MODE_NO_HEADER | SENXOR_FRAME_MODE_CONTINUOUS_STREAM), ==, 0);
    g_assert_cmpuint (senxor_emulator_get_register (f.emu, SENXOR_REG_FRAME_FORMAT) & 7,
        ==, 0);
    g_assert_false (senxor_emulator_is_streaming (f.emu));
    fixture_clear (&f);
  }
}

static void
test_open_forces_units (void)
{
  Fixture f;
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi08&fast=1", &error);

  /* a camera left streaming deci-Celsius without header */
  senxor_emulator_set_register (emu, SENXOR_REG_FRAME_FORMAT, 1);
  senxor_emulator_set_register (emu, SENXOR_REG_FRAME_MODE,
      SENXOR_FRAME_MODE_NO_HEADER | SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  memset (&f, 0, sizeof f);
  f.emu = senxor_emulator_ref (emu);
  f.s = senxor_session_open_transport (senxor_emulator_transport_new (emu), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (senxor_emulator_get_register (emu, SENXOR_REG_FRAME_FORMAT), ==, 0);
  g_assert_cmpuint (senxor_emulator_get_register (emu, SENXOR_REG_FRAME_MODE), ==, 0);
  g_assert_false (senxor_emulator_is_streaming (emu));
  g_assert_cmpint (senxor_session_get_pixel_unit (f.s), ==, SENXOR_UNIT_DECI_KELVIN);
  fixture_clear (&f);
}

/* ---- registers ---- */

static void
test_registers (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint8 v;

  fixture_open_ok (&f, link, "module=mi16&fast=1");
  for (guint value = 80; value <= 100; value += 5) {
    g_assert_true (senxor_session_write_register_by_name (f.s, "EMISSIVITY", value, NULL,
            &error));
    g_assert_no_error (error);
    g_assert_cmpuint (senxor_emulator_get_register (f.emu, SENXOR_REG_EMISSIVITY), ==,
        value);
    g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_EMISSIVITY, &v, NULL,
            &error));
    g_assert_cmpuint (v, ==, value);
  }
  senxor_emulator_set_register (f.emu, SENXOR_REG_FILTER_SETTING_1, 0x5A);
  g_assert_true (senxor_session_read_register_by_name (f.s, "0xD1", &v, NULL, &error));
  g_assert_cmpuint (v, ==, 0x5A);

  /* read-only: refused by the session, the device is untouched */
  g_assert_false (senxor_session_write_register (f.s, SENXOR_REG_SENXOR_TYPE, 9, NULL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "SENXOR_TYPE (0xBA) is read-only"));
  g_assert_cmpuint (senxor_emulator_get_register (f.emu, SENXOR_REG_SENXOR_TYPE), ==, 6);
  g_clear_error (&error);

  g_assert_true (senxor_session_set_frame_rate_divider (f.s, 3, NULL, &error));
  g_assert_cmpfloat_with_epsilon (senxor_emulator_get_fps (f.emu),
      senxor_session_get_frame_rate (f.s), 0.01);
  fixture_clear (&f);
}

/* ---- streaming ---- */

static void
check_gradient (const guint16 *px, const SenxorFrameInfo *fi)
{
  guint w = fi->layout.width, h = fi->layout.height;
  guint64 n = fi->header.counter;

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      if (px[y * w + x] != SENXOR_EMULATOR_GRADIENT (x, y, n))
        g_error ("frame %" G_GUINT64_FORMAT " pixel (%u, %u) = %u, expected %u", n, x, y,
            px[y * w + x], SENXOR_EMULATOR_GRADIENT (x, y, n));
  g_assert_cmpuint (fi->header.min_raw, ==, SENXOR_EMULATOR_GRADIENT (0, 0, n));
  g_assert_cmpuint (fi->header.max_raw, ==, SENXOR_EMULATOR_GRADIENT (w - 1, h - 1, n));
}

static void
stream_frames (Link link, const char *options, guint n_frames)
{
  g_autoptr (GError) error = NULL;
  Fixture f;
  g_autofree guint16 *px = NULL;
  const SenxorDeviceInfo *info;
  SenxorFrameInfo fi;
  guint64 first = 0, lost = 0;
  /* in real time a loaded machine may miss a frame: then it must be counted */
  gboolean paced = strstr (options, "fast=1") == NULL;

  fixture_open_ok (&f, link, options);
  info = senxor_session_get_info (f.s);
  px = g_new (guint16, info->width * info->height);
  g_assert_true (senxor_session_start_stream (f.s, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n_frames; i++) {
    g_assert_true (senxor_session_read_frame (f.s, px, info->width * info->height, &fi,
            -1, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (fi.layout.width, ==, info->width);
    g_assert_cmpuint (fi.layout.height, ==, info->height);
    g_assert_true (fi.has_header);
    g_assert_cmpint (fi.unit, ==, SENXOR_UNIT_DECI_KELVIN);
    check_gradient (px, &fi);
    if (i == 0)
      first = fi.counter;
    else
      lost += fi.frames_lost;
    g_assert_cmpuint (fi.counter, ==, first + i + lost);
    if (!paced)
      g_assert_cmpuint (fi.frames_lost, ==, 0);
    /* the temperatures: 2932 dK at (0, 0) is 20.05 °C plus the frame term */
    g_assert_cmpfloat_with_epsilon (senxor_pixel_to_celsius (px[0], fi.unit),
        (2932 + (fi.header.counter % 64)) / 10.0 - 273.15, 1e-9);
  }
  fixture_clear (&f);
  /* close stopped the stream (the emulator is gone with the fixture: check
   * through a fresh run below) */
}

static void
test_stream (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);

  stream_frames (link, "module=mi16&scene=gradient&fast=1", 50);
  stream_frames (link, "module=mi08&scene=gradient&fast=1", 50);
  stream_frames (link, "module=mi05&scene=gradient&fast=1", 50);
}

static void
test_stream_real_time (void)
{
  /* paced at the device's rate: 10 frames of MI08 at 25.5 fps, and the
   * vendor's frame timeout (1 s) is never hit */
  stream_frames (LINK_INPROC, "module=mi08&scene=gradient", 10);
  stream_frames (LINK_TCP, "module=mi08&scene=gradient", 10);
}

static void
test_close_stops_stream (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi08&fast=1", &error);
  SenxorSession *s = senxor_session_open_transport (senxor_emulator_transport_new (emu),
      NULL, &error);

  g_assert_no_error (error);
  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  g_assert_true (senxor_emulator_is_streaming (emu));
  senxor_session_close (s);
  g_assert_false (senxor_emulator_is_streaming (emu));
}

/* ---- faults ---- */

/* Read @n frames, tolerating PROTOCOL errors (the decoder's limits); every
 * frame delivered must be exact, and lost frames must add up. */
static void
read_through_faults (Fixture *f, guint n, guint64 *lost_out, guint *errors_out)
{
  const SenxorDeviceInfo *info = senxor_session_get_info (f->s);
  g_autofree guint16 *px = g_new (guint16, info->width * info->height);
  SenxorFrameInfo fi;
  guint64 first = 0, last = 0, lost = 0;
  guint got = 0, errors = 0;

  while (got < n) {
    g_autoptr (GError) error = NULL;

    if (!senxor_session_read_frame (f->s, px, info->width * info->height, &fi,
            5 * G_USEC_PER_SEC, NULL, &error)) {
      g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
      g_assert_cmpuint (++errors, <, 10);
      continue;
    }
    check_gradient (px, &fi);
    if (got == 0)
      first = fi.counter;
    else
      lost += fi.frames_lost;
    g_assert_cmpuint (fi.counter, >, got ? last : 0);
    last = fi.counter;
    got++;
  }
  /* every gap in the counter was reported */
  g_assert_cmpuint (last - first + 1, ==, got + lost);
  *lost_out = lost;
  *errors_out = errors;
}

static void
test_fault_frames (gconstpointer data)
{
  const char *fault = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *options = g_strdup_printf ("module=mi08&scene=gradient&fast=1&seed=3"
      "&faults=%s", fault);
  SenxorSessionStats stats;
  Fixture f;
  guint64 lost;
  guint errors;

  fixture_open_ok (&f, LINK_INPROC, "module=mi08&scene=gradient&fast=1&seed=3");
  /* faults begin after the open, which they would otherwise make flaky */
  g_assert_true (senxor_emulator_set_faults (f.emu, strchr (options, '&') ?
          strstr (options, "faults=") + 7 : "", &error));
  g_assert_no_error (error);
  g_assert_true (senxor_session_start_stream (f.s, NULL, &error));
  read_through_faults (&f, 200, &lost, &errors);
  senxor_session_get_stats (f.s, &stats);
  g_test_message ("%s: %" G_GUINT64_FORMAT " lost, %u errors, %" G_GUINT64_FORMAT
      " bytes discarded", fault, lost, errors, stats.decoder.bytes_discarded);
  if (g_str_has_prefix (fault, "garbage")) {
    /* garbage between messages costs no frame */
    g_assert_cmpuint (lost, ==, 0);
    g_assert_cmpuint (stats.decoder.bytes_discarded, >, 0);
  } else {
    /* corrupt frames are dropped and counted */
    g_assert_cmpuint (lost, >, 0);
  }
  fixture_clear (&f);
}

static void
test_fault_stall (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint16 px[80 * 62];
  SenxorFrameInfo fi;
  gboolean timed_out = FALSE;

  fixture_open_ok (&f, LINK_INPROC, "module=mi08&scene=gradient&fast=1");
  g_assert_true (senxor_emulator_set_faults (f.emu, "stall=800ms@5f", &error));
  g_assert_true (senxor_session_start_stream (f.s, NULL, &error));
  for (int i = 0; i < 20 && !timed_out; i++) {
    if (!senxor_session_read_frame (f.s, px, G_N_ELEMENTS (px), &fi, 300000, NULL,
            &error)) {
      g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
      g_clear_error (&error);
      timed_out = TRUE;
    }
  }
  g_assert_true (timed_out);
  /* frames resume after the stall */
  g_assert_true (senxor_session_read_frame (f.s, px, G_N_ELEMENTS (px), &fi,
          5 * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  check_gradient (px, &fi);
  fixture_clear (&f);
}

static void
test_fault_disconnect (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint16 px[80 * 62];
  SenxorFrameInfo fi;
  int frames = 0;

  fixture_open_ok (&f, link, "module=mi08&scene=gradient&fast=1");
  g_assert_true (senxor_emulator_set_faults (f.emu, "disconnect@10f", &error));
  g_assert_true (senxor_session_start_stream (f.s, NULL, &error));
  while (senxor_session_read_frame (f.s, px, G_N_ELEMENTS (px), &fi, 5 * G_USEC_PER_SEC,
          NULL, &error))
    g_assert_cmpint (++frames, <, 100);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
  g_test_message ("%s: disconnected after %d frames: %s", link_names[link], frames,
      error->message);
  fixture_clear (&f);
}

static void
test_fault_reboot (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint16 px[80 * 62];
  SenxorFrameInfo fi;
  SenxorEmulatorStats es;
  int frames = 0;

  fixture_open_ok (&f, LINK_INPROC, "module=mi08&scene=gradient&fast=1");
  g_assert_true (senxor_emulator_set_faults (f.emu, "reboot@10f", &error));
  g_assert_true (senxor_session_start_stream (f.s, NULL, &error));
  /* the rebooted camera stops streaming: the documented result is TIMEOUT */
  while (senxor_session_read_frame (f.s, px, G_N_ELEMENTS (px), &fi, 300000, NULL, &error))
    g_assert_cmpint (++frames, <, 100);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  senxor_emulator_get_stats (f.emu, &es);
  g_assert_cmpuint (es.reboots, ==, 1);
  fixture_clear (&f);
}

static void
test_fault_late_reply (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  SenxorSessionStats stats;
  Fixture f;
  guint8 v = 0;

  fixture_open_ok (&f, link, "module=mi08&fast=1");
  senxor_emulator_set_register (f.emu, SENXOR_REG_EMISSIVITY, 91);
  senxor_emulator_set_register (f.emu, SENXOR_REG_FILTER_SETTING_1, 0x33);
  senxor_emulator_set_register (f.emu, SENXOR_REG_FILTER_SETTING_2, 0x44);
  senxor_session_set_register_timeout (f.s, 200000);

  /* every reply 500 ms late: the read times out (after 200 ms) */
  g_assert_true (senxor_emulator_set_faults (f.emu, "late-reply=1:500ms", &error));
  g_assert_false (senxor_session_read_register (f.s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* replies on time again: the next reads get their own answers */
  g_assert_true (senxor_emulator_set_faults (f.emu, "", &error));
  senxor_session_set_register_timeout (f.s, 2 * G_USEC_PER_SEC);
  g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_FILTER_SETTING_1, &v, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 0x33);
  /* the late 91 arrives meanwhile, after the late window, and must not
   * answer this one either */
  g_usleep (600000);
  g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_FILTER_SETTING_2, &v, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 0x44);
  g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_cmpuint (v, ==, 91);
  senxor_session_get_stats (f.s, &stats);
  g_assert_cmpuint (stats.late_replies, >=, 1);
  g_assert_cmpuint (stats.timeouts, ==, 1);
  fixture_clear (&f);
}

static void
test_fault_late_reply_while_waiting (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint8 v = 0;

  /* the late reply of A arrives while B is outstanding (the emulator sends
   * late replies out of order): B must still get its own value */
  fixture_open_ok (&f, LINK_INPROC, "module=mi08&fast=1");
  senxor_emulator_set_register (f.emu, SENXOR_REG_EMISSIVITY, 91);
  senxor_emulator_set_register (f.emu, SENXOR_REG_FILTER_SETTING_1, 0x33);
  senxor_session_set_register_timeout (f.s, 300000);
  g_assert_true (senxor_emulator_set_faults (f.emu, "late-reply=1:400ms", &error));
  g_assert_false (senxor_session_read_register (f.s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_clear_error (&error);
  /* B's reply is late too (until the faults end), A's comes during B's wait */
  senxor_session_set_register_timeout (f.s, 2 * G_USEC_PER_SEC);
  g_assert_true (senxor_emulator_set_faults (f.emu, "late-reply=1:250ms", &error));
  g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_FILTER_SETTING_1, &v, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 0x33);
  fixture_clear (&f);
}

static void
test_fault_drop_reply (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f;
  guint8 v = 0;

  fixture_open_ok (&f, LINK_INPROC, "module=mi08&fast=1");
  senxor_session_set_register_timeout (f.s, 200000);
  g_assert_true (senxor_emulator_set_faults (f.emu, "drop-reply=1", &error));
  g_assert_false (senxor_session_write_register (f.s, SENXOR_REG_EMISSIVITY, 90, NULL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "EMISSIVITY"));
  g_clear_error (&error);
  g_assert_true (senxor_emulator_set_faults (f.emu, "", &error));
  g_assert_true (senxor_session_read_register (f.s, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_no_error (error);
  g_assert_cmpuint (v, ==, 90);     /* the write arrived, only its ack was lost */
  fixture_clear (&f);
}

static void
test_no_module (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  g_autoptr (GError) error = NULL;
  Fixture f;

  g_assert_false (fixture_open (&f, link, "nomodule=1&fast=1", &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NO_MODULE);
  fixture_clear (&f);
}

static void
test_garbage_at_open (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f;

  /* every message corrupt: a precise PROTOCOL error, not a timeout */
  g_assert_false (fixture_open (&f, LINK_INPROC, "fast=1&faults=badsum=1", &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
  fixture_clear (&f);
}

/* ---- cancellation, BUSY, shared emulators ---- */

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
test_cancel (gconstpointer data)
{
  Link link = GPOINTER_TO_INT (data);
  Fixture f;
  guint16 px[80 * 62];
  gint64 best = G_MAXINT64;

  fixture_open_ok (&f, link, "module=mi08");
  for (int i = 0; i < 3 && best >= 50000; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GCancellable) c = g_cancellable_new ();
    CancelJob job = { c, 0 };
    GThread *th = g_thread_new ("canceller", cancel_later, &job);
    gboolean ok = senxor_session_read_frame (f.s, px, G_N_ELEMENTS (px), NULL,
        30 * G_USEC_PER_SEC, c, &error);
    gint64 now = g_get_monotonic_time ();

    g_thread_join (th);
    g_assert_false (ok);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED);
    best = MIN (best, now - job.at);
  }
  g_test_message ("%s: cancelled after %" G_GINT64_FORMAT " us", link_names[link], best);
  g_assert_cmpint (best, <, 50000);
  fixture_clear (&f);
}

static void
test_busy_pty (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  Fixture f;
  SenxorSession *second;

  fixture_open_ok (&f, LINK_PTY, "module=mi08&fast=1");
  path = senxor_emulator_server_dup_pty_path (f.server);
  second = senxor_session_open (path, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, path));
  fixture_clear (&f);
}

static void
test_named_emulator (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) a = NULL;
  g_autoptr (SenxorSession) b = NULL;
  g_autoptr (SenxorSession) fresh = NULL;
  guint8 v = 0;

  a = senxor_session_open ("emulator://test-shared?module=mi16&fast=1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (senxor_session_get_info (a)->module, ==, SENXOR_MODULE_MI16);
  g_assert_true (senxor_session_write_register (a, SENXOR_REG_EMISSIVITY, 77, NULL,
          &error));
  g_clear_pointer (&a, senxor_session_close);
  /* the same device again (its options are ignored now) */
  b = senxor_session_open ("emulator://test-shared?module=mi05", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (senxor_session_get_info (b)->module, ==, SENXOR_MODULE_MI16);
  g_assert_true (senxor_session_read_register (b, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_cmpuint (v, ==, 77);
  /* unnamed: a new emulator every time */
  fresh = senxor_session_open ("emulator://?module=mi16&fast=1", NULL, &error);
  g_assert_true (senxor_session_read_register (fresh, SENXOR_REG_EMISSIVITY, &v, NULL,
          &error));
  g_assert_cmpuint (v, !=, 77);
  g_assert_true (senxor_emulator_forget_shared ("test-shared"));

  /* bad emulator options are INVALID_ARGUMENT, naming the key */
  g_assert_null (senxor_session_open ("emulator://?module=mi99", NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "module"));
}

/* A register timeout out of range is the caller's value, refused with
 * INVALID_ARGUMENT (no critical warning), before anything is opened. */
static void
test_open_bad_register_timeout (void)
{
  const gint64 bad[] = { 0, -1, -5 * G_USEC_PER_SEC, G_MININT64,
    SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US + 1, G_MAXINT64,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    /* a named emulator: were it opened, it would still exist afterwards */
    g_assert_null (senxor_session_open_full ("emulator://bad-timeout?fast=1", bad[i],
            NULL, &error));
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "register timeout"));
    g_clear_error (&error);
    g_assert_false (senxor_emulator_forget_shared ("bad-timeout"));
  }
  /* the limits themselves are accepted */
  s = senxor_session_open_full ("emulator://?fast=1", 1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&s, senxor_session_close);
  s = senxor_session_open_full ("emulator://?fast=1",
      SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (senxor_session_get_register_timeout (s), ==,
      SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US);
}

static void
add_per_link (const char *path, GTestDataFunc func)
{
  for (int l = LINK_INPROC; l <= LINK_TCP; l++) {
    g_autofree char *name = g_strdup_printf ("%s/%s", path, link_names[l]);
    g_test_add_data_func (name, GINT_TO_POINTER (l), func);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  add_per_link ("/session-emulator/identity", test_identity);
  add_per_link ("/session-emulator/registers", test_registers);
  add_per_link ("/session-emulator/stream", test_stream);
  add_per_link ("/session-emulator/late-reply", test_fault_late_reply);
  add_per_link ("/session-emulator/disconnect", test_fault_disconnect);
  add_per_link ("/session-emulator/no-module", test_no_module);
  add_per_link ("/session-emulator/cancel", test_cancel);
  g_test_add_func ("/session-emulator/open-forces-units", test_open_forces_units);
  g_test_add_func ("/session-emulator/stream-real-time", test_stream_real_time);
  g_test_add_func ("/session-emulator/close-stops-stream", test_close_stops_stream);
  g_test_add_data_func ("/session-emulator/fault/garbage", "garbage=0.3",
      test_fault_frames);
  g_test_add_data_func ("/session-emulator/fault/badsum", "badsum=0.05",
      test_fault_frames);
  g_test_add_data_func ("/session-emulator/fault/truncate", "truncate=0.05",
      test_fault_frames);
  g_test_add_func ("/session-emulator/fault/stall", test_fault_stall);
  g_test_add_func ("/session-emulator/fault/reboot", test_fault_reboot);
  g_test_add_func ("/session-emulator/fault/late-reply-while-waiting",
      test_fault_late_reply_while_waiting);
  g_test_add_func ("/session-emulator/fault/drop-reply", test_fault_drop_reply);
  g_test_add_func ("/session-emulator/garbage-at-open", test_garbage_at_open);
  g_test_add_func ("/session-emulator/busy-pty", test_busy_pty);
  g_test_add_func ("/session-emulator/named", test_named_emulator);
  g_test_add_func ("/session-emulator/open-bad-register-timeout",
      test_open_bad_register_timeout);
  return g_test_run ();
}
