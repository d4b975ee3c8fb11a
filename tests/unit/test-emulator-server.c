/* Emulator servers: the pty and the TCP port are reachable, serve one client
 * at a time and accept a new connection after a disconnect; the
 * senxor-emulator CLI prints where it listens and exits cleanly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>

#define WAIT_MS 10000

/* Read from @fd into @dec until a message of @kind is decoded.  Returns 1 on
 * success, 0 on EOF / hang-up, -1 on timeout. */
static int
read_message (int fd, SenxorDecoder *dec, SenxorMessageKind kind, SenxorMessage *msg)
{
  gint64 end = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;) {
    struct pollfd p = { fd, POLLIN, 0 };
    guint8 buf[8192];
    ssize_t n;
    gint64 left;

    while (senxor_decoder_next (dec, msg, NULL) == SENXOR_DECODE_MESSAGE)
      if (msg->kind == kind)
        return 1;
    left = (end - g_get_monotonic_time ()) / 1000;
    if (left <= 0)
      return -1;
    if (poll (&p, 1, (int) left) <= 0)
      continue;
    n = read (fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
      return 0;
    if (n > 0)
      senxor_decoder_feed (dec, buf, n);
  }
}

static void
send_bytes (int fd, GByteArray *b)
{
  g_assert_cmpint (write (fd, b->data, b->len), ==, (gssize) b->len);
}

static void
send_wreg (int fd, guint8 addr, guint8 value)
{
  g_autoptr (GByteArray) b = senxor_encode_wreg (g_byte_array_new (), addr, value);

  send_bytes (fd, b);
}

static void
send_rreg (int fd, guint8 addr)
{
  g_autoptr (GByteArray) b = senxor_encode_rreg (g_byte_array_new (), addr);

  send_bytes (fd, b);
}

static int
open_tty (const char *path)
{
  int fd = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios tio;

  g_assert_cmpint (fd, >=, 0);
  /* the server made it raw already: check, as a serial program would see it */
  g_assert_cmpint (tcgetattr (fd, &tio), ==, 0);
  g_assert_false (tio.c_lflag & (ECHO | ICANON));
  g_assert_false (tio.c_oflag & OPOST);
  g_assert_false (tio.c_iflag & (ICRNL | INLCR));
  return fd;
}

static int
connect_tcp (guint16 port)
{
  struct sockaddr_in sa = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  sa.sin_family = AF_INET;
  sa.sin_port = htons (port);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  return fd;
}

/* ---- pty ---- */

static void
test_pty (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi08&scene=gradient&fast=1&"
      "faults=disconnect@5f", &error);
  g_autofree char *dir = g_dir_make_tmp ("senxor-emu-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (dir, "senxor0", NULL);
  g_autofree char *path = NULL, *target = NULL, *path2 = NULL;
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  SenxorEmulatorServer *server;
  SenxorMessage msg;
  int fd, r;
  guint frames = 0;

  g_assert_no_error (error);
  server = senxor_emulator_server_new_pty (emu, link, &error);
  g_assert_no_error (error);
  path = senxor_emulator_server_dup_pty_path (server);
  g_assert_true (g_str_has_prefix (path, "/dev/pts/"));
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, path);
  g_assert_cmpstr (senxor_emulator_server_get_link_path (server), ==, link);

  /* reachable through the link: identity, then a stream */
  fd = open_tty (link);
  send_rreg (fd, SENXOR_REG_SENXOR_TYPE);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_RREG, &msg), ==, 1);
  g_assert_cmpuint (msg.value, ==, 5);
  send_wreg (fd, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  while ((r = read_message (fd, dec, SENXOR_MSG_GFRA, &msg)) == 1) {
    SenxorFrameLayout l;
    g_assert_true (senxor_frame_layout_from_contents_len (msg.contents_len, &l));
    g_assert_cmpuint (l.width, ==, 80);
    frames++;
  }
  /* the disconnect fault hangs the pty up after 5 frames; what is still in
   * the kernel's pty buffers then may be lost, as at an unplug */
  g_assert_cmpint (r, ==, 0);
  g_assert_cmpuint (frames, <=, 5);
  {
    SenxorEmulatorStats st;
    senxor_emulator_get_stats (emu, &st);
    g_assert_cmpuint (st.disconnects, ==, 1);
    g_assert_cmpuint (st.frames_sent, >=, 5);
  }
  close (fd);

  /* a new pty, the link follows it, and the device is still streaming */
  for (guint i = 0; i < 1000 && senxor_emulator_server_get_connections (server) < 2; i++)
    g_usleep (10000);
  g_assert_cmpuint (senxor_emulator_server_get_connections (server), ==, 2);
  /* (the kernel may well give the new pty the old number) */
  path2 = senxor_emulator_server_dup_pty_path (server);
  g_free (target);
  target = g_file_read_link (link, NULL);
  g_assert_cmpstr (target, ==, path2);
  fd = open_tty (link);
  senxor_decoder_reset (dec);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_GFRA, &msg), ==, 1);
  close (fd);

  senxor_emulator_server_free (server);
  /* the link is removed with the server */
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_rmdir (dir);
}

static void
test_pty_link_not_clobbered (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (NULL, NULL);
  g_autofree char *dir = g_dir_make_tmp ("senxor-emu-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "precious", NULL);
  g_autofree char *contents = NULL;

  g_assert_true (g_file_set_contents (file, "keep me", -1, NULL));
  g_assert_null (senxor_emulator_server_new_pty (emu, file, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  g_unlink (file);
  g_rmdir (dir);
}

/* ---- tcp ---- */

static void
test_tcp (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fast=1&"
      "faults=disconnect@20f", NULL);
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autofree char *address = NULL;
  SenxorEmulatorServer *server;
  SenxorMessage msg;
  guint16 port;
  int fd, second, r;
  guint frames = 0;
  gint64 before, written;
  char c;

  server = senxor_emulator_server_new_tcp (emu, NULL, 0, &error);
  g_assert_no_error (error);
  port = senxor_emulator_server_get_port (server);
  g_assert_cmpuint (port, >, 0);
  address = senxor_emulator_server_dup_address (server);
  g_assert_true (g_str_has_prefix (address, "tcp://127.0.0.1:"));
  g_assert_cmpint (senxor_emulator_server_get_last_write_time (server), ==, 0);

  fd = connect_tcp (port);
  before = g_get_monotonic_time ();
  send_rreg (fd, SENXOR_REG_SENXOR_TYPE);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_RREG, &msg), ==, 1);
  g_assert_cmpuint (msg.value, ==, 9);
  /* the reply was written after the request and before we read it */
  written = senxor_emulator_server_get_last_write_time (server);
  g_assert_cmpint (written, >=, before);
  g_assert_cmpint (written, <=, g_get_monotonic_time ());

  /* one client at a time: a second one is closed at once */
  second = connect_tcp (port);
  {
    struct pollfd p = { second, POLLIN, 0 };
    g_assert_cmpint (poll (&p, 1, WAIT_MS), ==, 1);
    g_assert_cmpint (read (second, &c, 1), ==, 0);
  }
  close (second);

  /* stream until the disconnect fault closes the connection */
  send_wreg (fd, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  while ((r = read_message (fd, dec, SENXOR_MSG_GFRA, &msg)) == 1)
    frames++;
  g_assert_cmpint (r, ==, 0);
  g_assert_cmpuint (frames, ==, 20);
  close (fd);

  /* a new connection is accepted; the device kept streaming */
  fd = connect_tcp (port);
  senxor_decoder_reset (dec);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_GFRA, &msg), ==, 1);
  close (fd);

  /* and after the host closes, another one */
  fd = connect_tcp (port);
  senxor_decoder_reset (dec);
  send_rreg (fd, SENXOR_REG_FRAME_MODE);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_RREG, &msg), ==, 1);
  g_assert_cmpuint (msg.value & SENXOR_FRAME_MODE_CONTINUOUS_STREAM, !=, 0);
  close (fd);
  g_assert_cmpuint (senxor_emulator_server_get_connections (server), >=, 3);

  senxor_emulator_server_free (server);
  /* the port is closed */
  {
    struct sockaddr_in sa = { 0 };
    int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sin_family = AF_INET;
    sa.sin_port = htons (port);
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    g_assert_cmpint (connect (s, (struct sockaddr *) &sa, sizeof sa), !=, 0);
    close (s);
  }
}

static void
test_tcp_bad_address (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (NULL, NULL);

  g_assert_null (senxor_emulator_server_new_tcp (emu, "no.such.host.invalid", 0, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
}

/* ---- serial numbers ---- */

/* The serial number a host reads from SENXOR_ID over @fd. */
static char *
read_serial (int fd)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  GString *sn = g_string_new (NULL);
  SenxorMessage msg;

  for (guint i = 0; i < 6; i++) {
    send_rreg (fd, SENXOR_REG_SENXOR_ID_0 + i);
    g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_RREG, &msg), ==, 1);
    g_string_append_printf (sn, "%02X", msg.value);
  }
  return g_string_free (sn, FALSE);
}

/* An emulator made without serial= is the camera of the address it serves:
 * two on two ports differ, the same address gives the same number again,
 * serial= is kept. */
static void
test_serial_from_address (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("senxor-emu-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (dir, "senxor0", NULL);
  g_autofree char *sn_a = NULL, *sn_b = NULL, *sn_link = NULL, *sn_link2 = NULL;
  g_autofree char *sn_given = NULL, *wire = NULL;

  {
    g_autoptr (SenxorEmulator) a = senxor_emulator_new ("module=mi05", NULL);
    g_autoptr (SenxorEmulator) b = senxor_emulator_new ("module=mi05", NULL);
    g_autoptr (SenxorEmulatorServer) sa = senxor_emulator_server_new_tcp (a, NULL, 0,
        &error);
    g_autoptr (SenxorEmulatorServer) sb = NULL;
    int fd;

    g_assert_no_error (error);
    sb = senxor_emulator_server_new_tcp (b, NULL, 0, &error);
    g_assert_no_error (error);
    sn_a = senxor_emulator_dup_serial (a);
    sn_b = senxor_emulator_dup_serial (b);
    g_assert_cmpstr (sn_a, !=, sn_b);
    g_assert_true (g_str_has_prefix (sn_a, "182A01") && strlen (sn_a) == 12);
    /* what a host reads is that number */
    fd = connect_tcp (senxor_emulator_server_get_port (sb));
    wire = read_serial (fd);
    close (fd);
    g_assert_cmpstr (wire, ==, sn_b);
  }

  /* the same address later, another emulator with other options: the
   * same camera */
  for (guint i = 0; i < 2; i++) {
    g_autoptr (SenxorEmulator) e = senxor_emulator_new (i ? "module=mi16&seed=9" :
        "module=mi08", NULL);
    g_autoptr (SenxorEmulatorServer) s = senxor_emulator_server_new_pty (e, link, &error);
    int fd;

    g_assert_no_error (error);
    fd = open_tty (link);
    g_free (wire);
    wire = read_serial (fd);
    close (fd);
    if (i == 0)
      sn_link = g_strdup (wire);
    else
      sn_link2 = g_strdup (wire);
  }
  g_assert_cmpstr (sn_link, ==, sn_link2);
  g_assert_cmpstr (sn_link, !=, sn_a);
  g_assert_cmpstr (sn_link, !=, sn_b);

  /* serial= is never replaced */
  {
    g_autoptr (SenxorEmulator) e = senxor_emulator_new ("serial=1a2b3c4d5e6f", NULL);
    g_autoptr (SenxorEmulatorServer) s = senxor_emulator_server_new_pty (e, link, &error);

    g_assert_no_error (error);
    sn_given = senxor_emulator_dup_serial (e);
    g_assert_cmpstr (sn_given, ==, "1A2B3C4D5E6F");
  }
  g_rmdir (dir);
}

/* ---- the CLI ---- */

/* Runs senxor-emulator ARGS --tcp 127.0.0.1:0 and reads its serial number
 * over TCP. */
static char *
cli_serial (const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  char *sn;
  guint64 port;
  int fd;

  g_ptr_array_add (argv, (gpointer) "senxor-emulator");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "tcp://127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (line + strlen ("tcp://127.0.0.1:"), 10, 1,
          65535, &port, NULL));
  fd = connect_tcp ((guint16) port);
  sn = read_serial (fd);
  close (fd);
  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  return sn;
}

static void
test_cli_serial (void)
{
  const char *const given[] = { "--serial", "192B02ABCDEF", "--tcp", "127.0.0.1:0", NULL };
  const char *const derived[] = { "--module", "mi05", "--tcp", "127.0.0.1:0", NULL };
  g_autofree char *a = cli_serial (given);
  g_autofree char *b = cli_serial (derived);

  g_assert_cmpstr (a, ==, "192B02ABCDEF");
  g_assert_true (g_str_has_prefix (b, "182A01") && strlen (b) == 12);
}

static void
test_cli (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  SenxorMessage msg;
  guint64 port;
  int fd;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
      &error, "senxor-emulator", "--module", "mi08", "--fps", "10", "--scene", "flat",
      "--faults", "garbage=0.001", "--tcp", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "tcp://127.0.0.1:"));
  g_assert_true (g_ascii_string_to_unsigned (line + strlen ("tcp://127.0.0.1:"), 10, 1,
          65535, &port, NULL));

  fd = connect_tcp ((guint16) port);
  send_rreg (fd, SENXOR_REG_SENXOR_TYPE);
  g_assert_cmpint (read_message (fd, dec, SENXOR_MSG_RREG, &msg), ==, 1);
  g_assert_cmpuint (msg.value, ==, 5);
  close (fd);

  g_subprocess_send_signal (proc, SIGTERM);
  g_assert_true (g_subprocess_wait (proc, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

static void
test_cli_usage (void)
{
  const char *const bad[][4] = {
    {"--pty", "--fps", "fast", NULL},
    {"--tcp", "99999", NULL},
    {"--module", "mi99", "--pty", NULL},
    {"--faults", "garbage=7", "--pty", NULL},
    {"--link", "/tmp/x", NULL},
    {"--scene", "people", NULL},
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_autoptr (GSubprocess) proc = NULL;
    g_autofree char *err_text = NULL;

    g_ptr_array_add (argv, (gpointer) "senxor-emulator");
    for (guint j = 0; bad[i][j]; j++)
      g_ptr_array_add (argv, (gpointer) bad[i][j]);
    g_ptr_array_add (argv, NULL);
    proc = g_subprocess_newv ((const char *const *) argv->pdata,
        G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, &error));
    g_assert_true (g_subprocess_get_if_exited (proc));
    g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 2);
    g_assert_true (g_str_has_prefix (err_text, "senxor-emulator: "));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/emulator-server/pty", test_pty);
  g_test_add_func ("/emulator-server/pty-link-not-clobbered", test_pty_link_not_clobbered);
  g_test_add_func ("/emulator-server/tcp", test_tcp);
  g_test_add_func ("/emulator-server/tcp-bad-address", test_tcp_bad_address);
  g_test_add_func ("/emulator-server/serial-from-address", test_serial_from_address);
  g_test_add_func ("/emulator-server/cli", test_cli);
  g_test_add_func ("/emulator-server/cli-serial", test_cli_serial);
  g_test_add_func ("/emulator-server/cli-usage", test_cli_usage);
  return g_test_run ();
}
