/* SenxorDeviceMonitor: signals as the configuration changes and as a TCP
 * device comes and goes, one-shot scans, devices in use left alone; and the
 * TCP presence helpers it relies on (src/device-presence.c, compiled in).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every monitor runs on a main context pushed by the test, which iterates
 * it until the awaited signal came (generous deadlines: the machine is
 * shared and slow).
 */
#include "config.h"

#include <senxor/senxor.h>

#include "device-presence.h"

#include <glib/gstdio.h>
#include <string.h>

#define EVENT_TIMEOUT_US (20 * G_USEC_PER_SEC)
#define POLL_MS 100

static char *tmpdir;
static char *config_path;

typedef struct
{
  GPtrArray *events;            /* "added DEVICE", "removed DEVICE", "changed DEVICE" */
  GHashTable *last;             /* device string -> SenxorDeviceDescription told last */
} Recorder;

static void
record (Recorder *r, const char *what, const SenxorDeviceDescription *d)
{
  g_ptr_array_add (r->events, g_strdup_printf ("%s %s", what, d->device));
  g_hash_table_replace (r->last, g_strdup (d->device), senxor_device_description_copy (d));
}

static void
added_cb (SenxorDeviceMonitor *m, SenxorDeviceDescription *d, Recorder *r)
{
  record (r, "added", d);
}

static void
removed_cb (SenxorDeviceMonitor *m, SenxorDeviceDescription *d, Recorder *r)
{
  record (r, "removed", d);
}

static void
changed_cb (SenxorDeviceMonitor *m, SenxorDeviceDescription *d, Recorder *r)
{
  record (r, "changed", d);
}

static void
recorder_init (Recorder *r, SenxorDeviceMonitor *m)
{
  r->events = g_ptr_array_new_with_free_func (g_free);
  r->last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) senxor_device_description_free);
  g_signal_connect (m, "device-added", G_CALLBACK (added_cb), r);
  g_signal_connect (m, "device-removed", G_CALLBACK (removed_cb), r);
  g_signal_connect (m, "device-changed", G_CALLBACK (changed_cb), r);
}

static void
recorder_clear (Recorder *r)
{
  g_ptr_array_unref (r->events);
  g_hash_table_unref (r->last);
}

static gboolean
take_event (Recorder *r, const char *event)
{
  for (guint i = 0; i < r->events->len; i++)
    if (g_str_equal (r->events->pdata[i], event)) {
      g_ptr_array_remove_index (r->events, i);
      return TRUE;
    }
  return FALSE;
}

static gboolean
take_told (Recorder *r, const char *what, const char *device)
{
  g_autofree char *event = g_strdup_printf ("%s %s", what, device);

  return take_event (r, event);
}

/* Iterates @ctx until @what (added, removed) of @device was told. */
static void
wait_event (GMainContext *ctx, Recorder *r, const char *what, const char *device)
{
  g_autofree char *event = g_strdup_printf ("%s %s", what, device);
  gint64 deadline = g_get_monotonic_time () + EVENT_TIMEOUT_US;

  while (!take_event (r, event)) {
    if (g_get_monotonic_time () > deadline)
      g_error ("no \"%s\" within %d s", event, (int) (EVENT_TIMEOUT_US / G_USEC_PER_SEC));
    g_main_context_iteration (ctx, FALSE);
    g_usleep (10 * 1000);
  }
}

static void
spin (GMainContext *ctx, gint64 us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (g_get_monotonic_time () < end) {
    g_main_context_iteration (ctx, FALSE);
    g_usleep (10 * 1000);
  }
}

static char *
normalise (const char *device)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (device, &error);

  g_assert_no_error (error);
  return g_strdup (addr->uri);
}

static void
write_config (const char *text)
{
  g_autoptr (GError) error = NULL;

  /* atomic (rename): the monitor never reads half a file */
  g_assert_true (g_file_set_contents (config_path, text, -1, &error));
  g_assert_no_error (error);
}

static SenxorEmulatorServer *
tcp_server (const char *module, guint16 port)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *options = g_strdup_printf ("module=%s&fast=1", module);
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (options, &error);
  SenxorEmulatorServer *server;

  g_assert_no_error (error);
  server = senxor_emulator_server_new_tcp (emu, "127.0.0.1", port, &error);
  g_assert_no_error (error);
  return server;
}

#define EMU_MI16 "emulator://?module=mi16&fast=1&serial=182A01001769"
#define EMU_MI08 "emulator://?module=mi08&fast=1"

/* The configuration file is watched: an edit adds and removes devices
 * without any poll (poll interval 0), identity read once on appearance. */
static void
test_configuration_signals (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SenxorDeviceMonitor) m = senxor_device_monitor_new ();
  g_autofree char *p16 = normalise (EMU_MI16);
  g_autofree char *p08 = normalise (EMU_MI08);
  g_autoptr (GPtrArray) list = NULL;
  const SenxorDeviceDescription *d;
  Recorder r;

  write_config (EMU_MI16 "\n");
  g_main_context_push_thread_default (ctx);
  recorder_init (&r, m);
  senxor_device_monitor_set_poll_interval (m, 0);
  senxor_device_monitor_start (m);
  /* the first scan is told before start() returns */
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_true (take_told (&r, "added", p16));
  d = g_hash_table_lookup (r.last, p16);
  g_assert_nonnull (d);
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_OK);
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI16);
  g_assert_cmpstr (d->serial, ==, "182A01001769");
  g_assert_nonnull (d->firmware);
  g_assert_nonnull (d->mcu);
  g_assert_cmpstr (d->display_name, ==, "Senxor emulator (MI16, 182A01001769)");

  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  wait_event (ctx, &r, "added", p08);
  d = g_hash_table_lookup (r.last, p08);
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI08);
  write_config (EMU_MI08 "\n");
  wait_event (ctx, &r, "removed", p16);
  list = senxor_device_monitor_get_devices (m);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((SenxorDeviceDescription *) list->pdata[0])->device, ==, p08);

  /* stopped: nothing more is told */
  senxor_device_monitor_stop (m);
  g_ptr_array_set_size (r.events, 0);
  write_config (EMU_MI16 "\n");
  spin (ctx, 500 * 1000);
  g_assert_cmpuint (r.events->len, ==, 0);
  g_main_context_pop_thread_default (ctx);
  recorder_clear (&r);
}

/* A TCP device has no event: it is polled; it goes and comes back. */
static void
test_tcp_up_down (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SenxorDeviceMonitor) m = senxor_device_monitor_new ();
  SenxorEmulatorServer *server = tcp_server ("mi16", 0);
  guint16 port = senxor_emulator_server_get_port (server);
  g_autofree char *device = g_strdup_printf ("tcp://127.0.0.1:%u", port);
  g_autofree char *path = normalise (device);
  g_autofree char *conf = g_strdup_printf ("%s\n", device);
  g_autofree char *prefix = g_strdup_printf ("Senxor camera at 127.0.0.1:%u (MI16, ", port);
  const SenxorDeviceDescription *d;
  Recorder r;

  write_config (conf);
  g_main_context_push_thread_default (ctx);
  recorder_init (&r, m);
  senxor_device_monitor_set_poll_interval (m, POLL_MS);
  senxor_device_monitor_start (m);
  g_assert_true (take_told (&r, "added", path));
  d = g_hash_table_lookup (r.last, path);
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI16);
  g_assert_true (g_str_has_prefix (d->display_name, prefix));

  senxor_emulator_server_free (server);
  wait_event (ctx, &r, "removed", path);
  server = tcp_server ("mi16", port);
  wait_event (ctx, &r, "added", path);
  d = g_hash_table_lookup (r.last, path);
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_OK);

  senxor_device_monitor_stop (m);
  g_main_context_pop_thread_default (ctx);
  senxor_emulator_server_free (server);
  recorder_clear (&r);
}

static gboolean
in_use_cb (const char *device, gpointer user_data)
{
  return g_str_equal (device, user_data);
}

/* A device the application holds is listed but neither probed nor
 * connected to, poll after poll. */
static void
test_in_use_left_alone (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SenxorDeviceMonitor) m = senxor_device_monitor_new ();
  SenxorEmulatorServer *server = tcp_server ("mi16", 0);
  g_autofree char *device = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  g_autofree char *path = normalise (device);
  g_autofree char *conf = g_strdup_printf ("%s\n", device);
  g_autoptr (GPtrArray) list = NULL;
  const SenxorDeviceDescription *d;

  write_config (conf);
  g_main_context_push_thread_default (ctx);
  senxor_device_monitor_set_poll_interval (m, POLL_MS);
  senxor_device_monitor_set_in_use_func (m, in_use_cb, g_strdup (path), g_free);
  senxor_device_monitor_start (m);
  spin (ctx, 5 * POLL_MS * 1000);
  list = senxor_device_monitor_get_devices (m);
  g_assert_cmpuint (list->len, ==, 1);
  d = list->pdata[0];
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_NOT_TRIED);
  g_assert_cmpuint (senxor_emulator_server_get_connections (server), ==, 0);
  senxor_device_monitor_stop (m);
  g_main_context_pop_thread_default (ctx);
  senxor_emulator_server_free (server);
}

/* One-shot scans: what start() would list, with or without probing. */
static void
test_scan (void)
{
  g_autoptr (SenxorDeviceMonitor) m = senxor_device_monitor_new ();
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (tmpdir, "no-such-tty", NULL);
  g_autofree char *conf = g_strdup_printf ("%s\n%s\n", EMU_MI16, missing);
  SenxorDeviceDescription *d;

  write_config (conf);
  list = senxor_device_monitor_scan (m, &error);
  g_assert_no_error (error);
  /* the configured tty that does not exist is not present */
  g_assert_cmpuint (list->len, ==, 1);
  d = list->pdata[0];
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_OK);
  g_assert_cmpstr (d->serial, ==, "182A01001769");
  g_clear_pointer (&list, g_ptr_array_unref);

  senxor_device_monitor_set_probe (m, FALSE);
  list = senxor_device_monitor_scan (m, &error);
  g_assert_no_error (error);
  d = list->pdata[0];
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_NOT_TRIED);
  g_assert_null (d->firmware);
  g_clear_pointer (&list, g_ptr_array_unref);

  write_config ("not a device ://\n");
  list = senxor_device_monitor_scan (m, &error);
  g_assert_null (list);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
}

static void
stop_cb (SenxorDeviceMonitor *m, SenxorDeviceDescription *d, guint *told)
{
  (*told)++;
  senxor_device_monitor_stop (m);
}

/* A handler may stop the monitor: nothing is told after that. */
static void
test_stop_from_handler (void)
{
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (SenxorDeviceMonitor) m = senxor_device_monitor_new ();
  g_autoptr (GPtrArray) list = NULL;
  guint told = 0;

  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  g_main_context_push_thread_default (ctx);
  g_signal_connect (m, "device-added", G_CALLBACK (stop_cb), &told);
  senxor_device_monitor_start (m);
  g_assert_cmpuint (told, ==, 1);
  list = senxor_device_monitor_get_devices (m);
  g_assert_cmpuint (list->len, ==, 0);
  write_config (EMU_MI08 "\n");
  spin (ctx, 300 * 1000);
  g_assert_cmpuint (told, ==, 1);
  g_main_context_pop_thread_default (ctx);
}

/* ---- presence helpers ---- */

static void
test_proc_net_tcp_parser (void)
{
  /* an established connection 127.0.0.1:45678 -> 127.0.0.1:3333 (0x0D05),
   * a listening socket on 3333, and a TIME_WAIT to 10.0.0.2:3333 */
  const char *tcp4 =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:0D05 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1\n"
      "   1: 0100007F:B26E 0100007F:0D05 01 00000000:00000000 00:00000000 00000000  1000        0 2 1\n"
      "   2: 0100007F:B26F 0200000A:0D05 06 00000000:00000000 00:00000000 00000000  1000        0 3 1\n";
  /* ::ffff:10.0.0.2 port 3333, established, and ::1 port 4444 */
  const char *tcp6 =
      "  sl  local_address                         remote_address                        st\n"
      "   0: 0000000000000000FFFF00000100007F:B270 0000000000000000FFFF00000200000A:0D05 01 0\n"
      "   1: 00000000000000000000000001000000:B271 00000000000000000000000001000000:115C 01 0\n";
  g_autoptr (GInetAddress) lo = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr (GInetAddress) ten = g_inet_address_new_from_string ("10.0.0.2");
  g_autoptr (GInetAddress) lo6 = g_inet_address_new_from_string ("::1");

  g_assert_true (senxor_proc_net_tcp_has (tcp4, FALSE, lo, 3333));
  g_assert_false (senxor_proc_net_tcp_has (tcp4, FALSE, lo, 3334));
  /* TIME_WAIT is not a connection in use */
  g_assert_false (senxor_proc_net_tcp_has (tcp4, FALSE, ten, 3333));
  g_assert_true (senxor_proc_net_tcp_has (tcp6, TRUE, ten, 3333));
  g_assert_true (senxor_proc_net_tcp_has (tcp6, TRUE, lo6, 4444));
  g_assert_false (senxor_proc_net_tcp_has (tcp6, TRUE, lo6, 3333));
  g_assert_false (senxor_proc_net_tcp_has ("garbage\nmore garbage 1 2 3\n", FALSE, lo,
          3333));
  g_assert_false (senxor_proc_net_tcp_has (NULL, FALSE, lo, 3333));
}

static void
test_tcp_presence (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  /* loopback: no proxy (and no libproxy loaded), as in the TCP transport */
  g_socket_client_set_enable_proxy (client, FALSE);
  /* listening, nobody connected */
  g_assert_true (senxor_tcp_reachable ("127.0.0.1", port, 2000, NULL));
  g_assert_false (senxor_tcp_in_use ("127.0.0.1", port));

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (senxor_tcp_in_use ("127.0.0.1", port));
  g_assert_true (senxor_tcp_in_use ("localhost", port));
  g_clear_object (&conn);

  g_socket_listener_close (listener);
  g_assert_false (senxor_tcp_reachable ("127.0.0.1", port, 2000, NULL));
  g_assert_false (senxor_tcp_reachable ("no-such-host.invalid", port, 500, NULL));
  g_cancellable_cancel (cancelled);
  g_assert_false (senxor_tcp_reachable ("127.0.0.1", port, 2000, cancelled));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("senxor-monitor-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  config_path = g_build_filename (tmpdir, "devices.conf", NULL);
  g_setenv ("SENXOR_CONFIG", config_path, TRUE);
  g_unsetenv ("SENXOR_TCP_DEVICES");
  g_unsetenv ("SENXOR_EMULATORS");
  /* an empty USB tree: the machine's own devices play no part */
  g_setenv ("SENXOR_SYSFS_ROOT", tmpdir, TRUE);

  g_test_add_func ("/device-monitor/configuration-signals", test_configuration_signals);
  g_test_add_func ("/device-monitor/tcp-up-down", test_tcp_up_down);
  g_test_add_func ("/device-monitor/in-use-left-alone", test_in_use_left_alone);
  g_test_add_func ("/device-monitor/scan", test_scan);
  g_test_add_func ("/device-monitor/stop-from-handler", test_stop_from_handler);
  g_test_add_func ("/device-monitor/proc-net-tcp-parser", test_proc_net_tcp_parser);
  g_test_add_func ("/device-monitor/tcp-presence", test_tcp_presence);
  ret = g_test_run ();

  g_unlink (config_path);
  g_rmdir (tmpdir);
  g_free (config_path);
  g_free (tmpdir);
  return ret;
}
