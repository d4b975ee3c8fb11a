/* Transport tests: device strings, the serial (pty) and TCP transports,
 * exclusive open, errors, and cancellation of blocked reads.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* ---- device strings ---- */

typedef struct {
  const char *in;
  SenxorDeviceKind kind;
  const char *uri;
} ParseCase;

static void
test_parse_valid (void)
{
  static const ParseCase cases[] = {
    {"/dev/ttyACM0", SENXOR_DEVICE_SERIAL, "/dev/ttyACM0"},
    {"ttyACM1", SENXOR_DEVICE_SERIAL, "/dev/ttyACM1"},
    {"serial:///dev/ttyACM0", SENXOR_DEVICE_SERIAL, "/dev/ttyACM0"},
    {"serial:/dev/ttyUSB0", SENXOR_DEVICE_SERIAL, "/dev/ttyUSB0"},
    {"tcp://192.168.1.50", SENXOR_DEVICE_TCP, "tcp://192.168.1.50:3333"},
    {"tcp://camera.local:4000/", SENXOR_DEVICE_TCP, "tcp://camera.local:4000"},
    {"TCP://[::1]:3334", SENXOR_DEVICE_TCP, "tcp://[::1]:3334"},
    {"tcp://h:1?timeout=200", SENXOR_DEVICE_TCP, "tcp://h:1?timeout=200"},
    {"tcp://[fe80::1%eth0]:3000", SENXOR_DEVICE_TCP, "tcp://[fe80::1%eth0]:3000"},
    {"/tmp/odd://name", SENXOR_DEVICE_SERIAL, "/tmp/odd://name"},
    {"usb://", SENXOR_DEVICE_USB, "usb://"},
    {"usb://0416:B002", SENXOR_DEVICE_USB, "usb://0416:b002"},
    {"usb://416:b020:ABC123", SENXOR_DEVICE_USB, "usb://0416:b020:ABC123"},
    {"usb://1/2.3", SENXOR_DEVICE_USB, "usb://1/2.3"},
    {"usb://3-1.4?detach=1", SENXOR_DEVICE_USB, "usb://3/1.4?detach=1"},
    {"emulator://", SENXOR_DEVICE_EMULATOR, "emulator://"},
    {"emulator://?module=mi16&fps=25", SENXOR_DEVICE_EMULATOR,
        "emulator://?fps=25&module=mi16"},
    {"emulator:?module=mi08", SENXOR_DEVICE_EMULATOR, "emulator://?module=mi08"},
    {"emulator://lab-1?fast", SENXOR_DEVICE_EMULATOR, "emulator://lab-1?fast=1"},
    {"emulator://?faults=garbage%3D0.1,stall%3D1s@2s", SENXOR_DEVICE_EMULATOR,
        "emulator://?faults=garbage%3D0.1,stall%3D1s@2s"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SenxorDeviceAddress) a = senxor_device_address_parse (cases[i].in, &error);

    g_test_message ("%s", cases[i].in);
    g_assert_no_error (error);
    g_assert_nonnull (a);
    g_assert_cmpint (a->kind, ==, cases[i].kind);
    g_assert_cmpstr (a->uri, ==, cases[i].uri);
    /* the normalised form parses to itself */
    {
      g_autoptr (SenxorDeviceAddress) b = senxor_device_address_parse (a->uri, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (b->uri, ==, a->uri);
    }
  }
}

static void
test_parse_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorDeviceAddress) tcp = senxor_device_address_parse ("tcp://[fe80::1]:99",
      &error);
  g_autoptr (SenxorDeviceAddress) usb1 = senxor_device_address_parse (
      "usb://0416:9393:SN42", &error);
  g_autoptr (SenxorDeviceAddress) usb2 = senxor_device_address_parse ("usb://2/1.4.3",
      &error);
  g_autoptr (SenxorDeviceAddress) emu = senxor_device_address_parse (
      "emulator://cam2?module=mi05&seed=7&name=x%20y", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (tcp->host, ==, "fe80::1");
  g_assert_cmpuint (tcp->port, ==, 99);
  g_assert_cmphex (usb1->usb_vid, ==, 0x0416);
  g_assert_cmphex (usb1->usb_pid, ==, 0x9393);
  g_assert_cmpstr (usb1->usb_serial, ==, "SN42");
  g_assert_cmpuint (usb2->usb_bus, ==, 2);
  g_assert_cmpstr (usb2->usb_port_path, ==, "1.4.3");
  g_assert_cmpstr (emu->name, ==, "cam2");
  g_assert_cmpstr (senxor_device_address_get_param (emu, "module"), ==, "mi05");
  g_assert_cmpstr (senxor_device_address_get_param (emu, "seed"), ==, "7");
  g_assert_cmpstr (senxor_device_address_get_param (emu, "name"), ==, "x y");
  g_assert_null (senxor_device_address_get_param (emu, "fps"));
  g_assert_true (senxor_usb_id_is_senxor (0x0416, 0xB020));
  g_assert_false (senxor_usb_id_is_senxor (0x0416, 0x1234));
  g_assert_cmpstr (senxor_device_kind_name (SENXOR_DEVICE_TCP), ==, "tcp");
}

/* The emulator's options are checked by the parser too, so that a bad
 * one fails where the device string is read (senxorsrc's start()). */
static void
test_parse_invalid_emulator_options (void)
{
  static const struct {
    const char *device;
    const char *says;
  } bad[] = {
    {"emulator://?module=mi99", "module"},
    {"emulator://?fps=-3", "fps"},
    {"emulator://?bogus=1", "bogus"},
    {"emulator://?faults=stall@2s", "stall"},
    {"emulator://cam?serial=nothex", "serial"},
    {"emulator://?fast=maybe", "fast"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SenxorDeviceAddress) a = senxor_device_address_parse (bad[i].device,
        &error);

    g_test_message ("%s", bad[i].device);
    g_assert_null (a);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, bad[i].says));
  }
}

static void
test_parse_invalid (void)
{
  static const char *bad[] = {
    "", "ftp://x", "tcp://", "tcp://host:0", "tcp://host:70000", "tcp://host:port",
    "tcp://[::1", "tcp://h/path", "usb://zz:b002", "usb://0416", "usb://0/1",
    "usb://1/", "usb://1/a.b", "emulator://bad name", "emulator://a/b", "serial://",
    "c:\\com3", "tcp://a[b]:1", "tcp://[zz]:1", "tcp://[1.2.3.4]:1", "tcp://a b",
    "usb://0416:b002:a/b", "usb://0416:b002:a b",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SenxorDeviceAddress) a = senxor_device_address_parse (bad[i], &error);

    g_test_message ("%s", bad[i]);
    g_assert_null (a);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "Invalid device string"));
  }
}

/* ---- serial over a pty ---- */

typedef struct {
  int master;
  char path[256];
} Pty;

static void
pty_open (Pty *p)
{
  int slave;
  struct termios tio;

  g_assert_no_errno (openpty (&p->master, &slave, p->path, NULL, NULL));
  tcgetattr (slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (slave, TCSANOW, &tio);
  close (slave);
}

static void
test_serial_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  Pty p;
  g_autoptr (SenxorTransport) t = NULL;
  guint8 buf[64];
  gssize n;
  gsize got = 0;

  pty_open (&p);
  t = senxor_transport_open (p.path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->klass->name, ==, "serial");
  g_assert_cmpstr (t->uri, ==, p.path);

  g_assert_true (senxor_transport_write (t, (const guint8 *) "   #000ARREGB1XXXX", 18,
          G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  while (got < 18) {
    n = read (p.master, buf + got, sizeof buf - got);
    g_assert_cmpint (n, >, 0);
    got += n;
  }
  g_assert_cmpmem (buf, 18, "   #000ARREGB1XXXX", 18);

  g_assert_cmpint (write (p.master, "hello", 5), ==, 5);
  got = 0;
  while (got < 5) {
    n = senxor_transport_read (t, buf + got, sizeof buf - got, 2 * G_USEC_PER_SEC,
        NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    got += n;
  }
  g_assert_cmpmem (buf, 5, "hello", 5);

  /* nothing more: a short timeout */
  n = senxor_transport_read (t, buf, sizeof buf, 20000, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* the other side goes away */
  close (p.master);
  n = senxor_transport_read (t, buf, sizeof buf, 2 * G_USEC_PER_SEC, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
}

static void
test_serial_busy (void)
{
  g_autoptr (GError) error = NULL;
  Pty p;
  g_autoptr (SenxorTransport) t1 = NULL;
  g_autoptr (SenxorTransport) t2 = NULL;
  g_autoptr (SenxorTransport) t3 = NULL;

  pty_open (&p);
  t1 = senxor_transport_open (p.path, NULL, &error);
  g_assert_no_error (error);
  t2 = senxor_transport_open (p.path, NULL, &error);
  g_assert_null (t2);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, p.path));
  g_clear_error (&error);
  /* free again once the first one is closed */
  g_clear_pointer (&t1, senxor_transport_free);
  t3 = senxor_transport_open (p.path, NULL, &error);
  g_assert_no_error (error);
  close (p.master);
}

static void
test_serial_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;
  int fd;
  SenxorTransport *t;

  t = senxor_transport_open ("/dev/ttyNOSUCHSENXOR7", NULL, &error);
  g_assert_null (t);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  fd = g_file_open_tmp ("senxor-notatty-XXXXXX", &file, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  t = senxor_transport_open (file, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  unlink (file);

  g_assert_cmpint (senxor_error_from_errno (EACCES), ==, SENXOR_ERROR_PERMISSION);
}

/* A device file we may not open: PERMISSION with the hint.  Root may open
 * anything, so as root the check runs in a subprocess as "nobody". */
static void
test_serial_permission (void)
{
  static char *file;

  if (g_test_subprocess ()) {
    g_autoptr (GError) error = NULL;
    SenxorTransport *t;

    if (getuid () == 0) {
      g_assert_no_errno (setgid (65534));
      g_assert_no_errno (setuid (65534));
    }
    t = senxor_transport_open (g_getenv ("SENXOR_TEST_FILE"), NULL, &error);
    g_assert_null (t);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PERMISSION);
    g_assert_nonnull (strstr (error->message, "dialout"));
    g_assert_nonnull (strstr (error->message, "60-senxor.rules"));
    return;
  }
  {
    int fd = g_file_open_tmp ("senxor-noaccess-XXXXXX", &file, NULL);

    g_assert_cmpint (fd, >=, 0);
    close (fd);
    g_assert_no_errno (chmod (file, 0));
    g_setenv ("SENXOR_TEST_FILE", file, TRUE);
    g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
    unlink (file);
    g_free (file);
    g_test_trap_assert_passed ();
  }
}

/* ---- cancellation from another thread ---- */

typedef struct {
  GCancellable *cancellable;
  gint64 cancelled_at;
} CancelJob;

static gpointer
cancel_later (gpointer data)
{
  CancelJob *job = data;

  g_usleep (100000);
  job->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (job->cancellable);
  return NULL;
}

/* Block in a read forever, cancel from a thread; returns cancel-to-return µs. */
static gint64
measure_cancel (SenxorTransport *t)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) c = g_cancellable_new ();
  CancelJob job = { c, 0 };
  GThread *th = g_thread_new ("canceller", cancel_later, &job);
  guint8 buf[16];
  gssize n = senxor_transport_read (t, buf, sizeof buf, -1, c, &error);
  gint64 returned = g_get_monotonic_time ();

  g_thread_join (th);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED);
  return returned - job.cancelled_at;
}

/* The best of three tries must be within 50 ms: one scheduling hiccup on a
 * loaded machine must not fail the test, a slow wake-up path must. */
static void
assert_cancel_fast (SenxorTransport *t)
{
  gint64 best = G_MAXINT64;

  for (int i = 0; i < 3 && best >= 50000; i++)
    best = MIN (best, measure_cancel (t));
  g_test_message ("cancelled read returned after %" G_GINT64_FORMAT " us", best);
  g_assert_cmpint (best, <, 50000);
}

static void
test_serial_cancel (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorTransport) t = NULL;
  g_autoptr (GCancellable) c = g_cancellable_new ();
  guint8 buf[4];
  Pty p;

  pty_open (&p);
  t = senxor_transport_open (p.path, NULL, &error);
  g_assert_no_error (error);
  assert_cancel_fast (t);
  /* an already cancelled cancellable returns at once */
  g_cancellable_cancel (c);
  g_assert_cmpint (senxor_transport_read (t, buf, 4, -1, c, &error), ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED);
  close (p.master);
}

/* ---- TCP ---- */

typedef struct {
  GSocketListener *listener;
  guint16 port;
} Server;

static void
server_start (Server *s)
{
  g_autoptr (GError) error = NULL;

  s->listener = g_socket_listener_new ();
  s->port = g_socket_listener_add_any_inet_port (s->listener, NULL, &error);
  g_assert_no_error (error);
}

static void
test_tcp_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  Server srv;
  g_autofree char *uri = NULL;
  g_autoptr (SenxorTransport) t = NULL;
  g_autoptr (GSocket) peer = NULL;
  guint8 buf[64];
  gsize got = 0;
  gssize n;

  server_start (&srv);
  uri = g_strdup_printf ("tcp://127.0.0.1:%u", srv.port);
  t = senxor_transport_open (uri, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t->klass->name, ==, "tcp");
  peer = g_socket_listener_accept_socket (srv.listener, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (senxor_transport_write (t, (const guint8 *) "ping", 4, G_USEC_PER_SEC,
          NULL, &error));
  g_socket_set_timeout (peer, 5);
  while (got < 4) {
    n = g_socket_receive (peer, (char *) buf + got, sizeof buf - got, NULL, &error);
    g_assert_no_error (error);
    got += n;
  }
  g_assert_cmpmem (buf, 4, "ping", 4);
  g_assert_cmpint (g_socket_send (peer, "pong!", 5, NULL, &error), ==, 5);
  got = 0;
  while (got < 5) {
    n = senxor_transport_read (t, buf + got, sizeof buf - got, 2 * G_USEC_PER_SEC,
        NULL, &error);
    g_assert_no_error (error);
    got += n;
  }
  g_assert_cmpmem (buf, 5, "pong!", 5);

  assert_cancel_fast (t);

  g_socket_close (peer, NULL);
  n = senxor_transport_read (t, buf, sizeof buf, 2 * G_USEC_PER_SEC, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
  g_socket_listener_close (srv.listener);
  g_object_unref (srv.listener);
}

static void
test_tcp_refused (void)
{
  g_autoptr (GError) error = NULL;
  Server srv;
  g_autofree char *uri = NULL;
  SenxorTransport *t;

  /* a port that was free a moment ago */
  server_start (&srv);
  uri = g_strdup_printf ("tcp://127.0.0.1:%u?timeout=2000", srv.port);
  g_socket_listener_close (srv.listener);
  g_object_unref (srv.listener);
  t = senxor_transport_open (uri, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_clear_error (&error);

  t = senxor_transport_open ("tcp://127.0.0.1:1?timeout=abc", NULL, &error);
  g_assert_null (t);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
}

/* ---- USB: what can be tested without hardware ---- */

static void
test_usb_no_match (void)
{
  g_autoptr (GError) error = NULL;
  SenxorTransport *t;

  /* an id no machine has: NOT_FOUND (or UNSUPPORTED without libusb) */
  t = senxor_transport_open ("usb://ffff:fffe:NOPE", NULL, &error);
  g_assert_null (t);
#ifdef HAVE_LIBUSB
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND);
#else
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_UNSUPPORTED);
#endif
  g_clear_error (&error);
  t = senxor_transport_open ("usb://99/9.9.9", NULL, &error);
  g_assert_null (t);
  g_assert_nonnull (error);
  g_assert_true (error->code == SENXOR_ERROR_NOT_FOUND ||
      error->code == SENXOR_ERROR_UNSUPPORTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transport/parse/valid", test_parse_valid);
  g_test_add_func ("/transport/parse/fields", test_parse_fields);
  g_test_add_func ("/transport/parse/invalid", test_parse_invalid);
  g_test_add_func ("/transport/parse/invalid-emulator-options",
      test_parse_invalid_emulator_options);
  g_test_add_func ("/transport/serial/round-trip", test_serial_round_trip);
  g_test_add_func ("/transport/serial/busy", test_serial_busy);
  g_test_add_func ("/transport/serial/errors", test_serial_errors);
  g_test_add_func ("/transport/serial/cancel", test_serial_cancel);
  g_test_add_func ("/transport/serial/permission", test_serial_permission);
  g_test_add_func ("/transport/tcp/round-trip", test_tcp_round_trip);
  g_test_add_func ("/transport/tcp/refused", test_tcp_refused);
  g_test_add_func ("/transport/usb/no-match", test_usb_no_match);
  return g_test_run ();
}
