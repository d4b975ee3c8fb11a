/* bench-pipeline: whole-pipeline figures for docs/performance.md.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * 1. throughput: "senxorsrc (emulator, fast) ! thermalnormalize !
 *    thermalcolormap ! fakesink" against the reference "videotestsrc !
 *    videoconvert ! fakesink" at the same size (160x120), median of several
 *    runs of each, interleaved, in the same process.
 * 2. source latency: an emulator TCP server (MI16, 25 fps) in this process,
 *    senxorsrc connected to it.  The server stamps the time of each write
 *    (senxor_emulator_server_get_last_write_time()); at the sink, the
 *    latency of a buffer is its arrival time minus the time of the last write
 *    before it (frames are written 40 ms apart in one burst, so that write
 *    carried the frame's last byte; the server also stamps just before each
 *    write, so a buffer that reaches the sink before the server thread
 *    stamps after the write is measured from the start of that write: an
 *    upper bound).  p50 and p99 are printed, with the same figures for the
 *    reference: the same writes to a plain thread blocked in poll() on a
 *    loopback socket (the operating system's floor).
 * 3. cameras in one process at 25 fps: 1, 8, 32, 64 cameras, each a
 *    `senxor-emulator --scene flat --tcp 0` CHILD process (so this process holds only the
 *    pipelines: its getrusage() is the pipelines' CPU), one
 *    "senxorsrc device=tcp://... ! fakesink" branch each.  Prints the CPU
 *    share of one core, lost frames (gaps in the device's frame counter plus
 *    frames short of 25 fps x time) and RSS growth per camera.
 *
 * Usage: bench-pipeline [--long] [--only=throughput|latency|cameras]
 *   (SENXOR_BENCH_LONG=1 in the environment is the same as --long)
 * Default (short) mode takes about a minute; --long takes several.
 */
#include <gst/gst.h>
#include <gio/gio.h>
#include <senxor/senxor.h>
#include "gstsenxormeta.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static gboolean opt_long;

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
cpu_seconds (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long
rss_kib (void)
{
  g_autofree gchar *status = NULL;
  const char *p;
  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  p = strstr (status, "VmRSS:");
  return p ? strtol (p + 6, NULL, 10) : 0;
}

/* ---------------------------------------------------------------- 1 */

/* Runs @desc to EOS; returns wall microseconds per frame, CPU in *cpu_us. */
static double
run_to_eos (const char *desc, guint frames, double *cpu_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipe = gst_parse_launch (desc, &error);
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  gint64 t0;
  double c0, wall;

  if (!pipe) {
    g_printerr ("bench-pipeline: %s: %s\n", desc, error->message);
    exit (1);
  }
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PAUSED);
  gst_element_get_state (pipe, NULL, NULL, 30 * GST_SECOND);
  c0 = cpu_seconds ();
  t0 = g_get_monotonic_time ();
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  wall = g_get_monotonic_time () - t0;
  *cpu_us = (cpu_seconds () - c0) * 1e6 / frames;
  if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    g_printerr ("bench-pipeline: %s did not reach EOS\n", desc);
    exit (1);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  return wall / frames;
}

static void
bench_throughput (void)
{
  const guint frames = opt_long ? 20000 : 3000;
  const guint runs = opt_long ? 9 : 5;
  g_autofree gchar *ours = g_strdup_printf ("senxorsrc "
      "device=\"emulator://?module=mi16&fast=1\" num-buffers=%u ! "
      "thermalnormalize ! thermalcolormap ! fakesink sync=false", frames);
  g_autofree gchar *ref = g_strdup_printf ("videotestsrc num-buffers=%u "
      "pattern=snow ! video/x-raw,format=GRAY8,width=160,height=120,"
      "framerate=30/1 ! videoconvert ! video/x-raw,format=BGRx ! "
      "fakesink sync=false", frames);
  g_autofree gchar *src_only = g_strdup_printf ("senxorsrc "
      "device=\"emulator://?module=mi16&fast=1\" num-buffers=%u ! "
      "fakesink sync=false", frames);
  /* the emulator's cheapest scene: how fast the pipeline is when making the
   * frames costs little */
  g_autofree gchar *flat = g_strdup_printf ("senxorsrc "
      "device=\"emulator://?module=mi16&fast=1&scene=flat\" num-buffers=%u ! "
      "thermalnormalize ! thermalcolormap ! fakesink sync=false", frames);
  double a[16], b[16], ac[16], bc[16], s[16], sc[16], f[16], fc[16];
  guint i;

  for (i = 0; i < runs; i++) {
    a[i] = run_to_eos (ours, frames, &ac[i]);
    b[i] = run_to_eos (ref, frames, &bc[i]);
    s[i] = run_to_eos (src_only, frames, &sc[i]);
    f[i] = run_to_eos (flat, frames, &fc[i]);
  }
  qsort (f, runs, sizeof (double), cmp_double);
  qsort (fc, runs, sizeof (double), cmp_double);
  qsort (s, runs, sizeof (double), cmp_double);
  qsort (sc, runs, sizeof (double), cmp_double);
  qsort (a, runs, sizeof (double), cmp_double);
  qsort (b, runs, sizeof (double), cmp_double);
  qsort (ac, runs, sizeof (double), cmp_double);
  qsort (bc, runs, sizeof (double), cmp_double);
  g_print ("pipeline throughput, 160x120, %u frames x %u runs (median):\n",
      frames, runs);
  g_print ("  %s\n", ours);
  g_print ("    %8.2f us/frame wall = %8.0f frames/s; CPU %.2f us/frame\n",
      a[runs / 2], 1e6 / a[runs / 2], ac[runs / 2]);
  g_print ("  reference: %s\n", ref);
  g_print ("    %8.2f us/frame wall = %8.0f frames/s; CPU %.2f us/frame\n",
      b[runs / 2], 1e6 / b[runs / 2], bc[runs / 2]);
  g_print ("  ratio ours / reference (time per frame): %.2f\n",
      a[runs / 2] / b[runs / 2]);
  g_print ("  the source alone (emulator producing frames + senxorsrc): "
      "%s\n    %8.2f us/frame wall; CPU %.2f us/frame\n", src_only,
      s[runs / 2], sc[runs / 2]);
  g_print ("  thermalnormalize + thermalcolormap (CPU difference): "
      "%.2f us/frame\n", ac[runs / 2] - sc[runs / 2]);
  g_print ("  the same pipeline with the emulator's cheapest scene: %s\n"
      "    %8.2f us/frame wall = %8.0f frames/s; CPU %.2f us/frame\n", flat,
      f[runs / 2], 1e6 / f[runs / 2], fc[runs / 2]);
  g_print ("  target >= 50000 frames/s and <= 20 us/frame: %s "
      "(%.0f frames/s, %.2f us/frame)\n",
      1e6 / a[runs / 2] >= 50000 && a[runs / 2] <= 20 ? "met" : "NOT met",
      1e6 / a[runs / 2], a[runs / 2]);
}

/* ---------------------------------------------------------------- 2 */

typedef struct {
  SenxorEmulatorServer *server;
  GArray *lat;                  /* double, us */
  guint skip;
} LatencyRun;

static void
on_latency_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad,
    LatencyRun *run)
{
  gint64 now = g_get_monotonic_time ();
  gint64 last = senxor_emulator_server_get_last_write_time (run->server);
  double d = now - last;
  if (run->skip > 0) {
    run->skip--;
    return;
  }
  g_array_append_val (run->lat, d);
}

/* The reference for the latency: the operating system's own floor.  A
 * thread blocked in poll() on a loopback TCP socket is woken by writes of
 * the same size as an MI16 frame message, 40 ms apart, stamped as the
 * emulator server stamps its writes; the latency is the time from the stamp to the
 * reader having the last byte.  Whatever senxorsrc adds (decoding, the
 * buffer, the push to the sink) is the difference. */
typedef struct {
  GSocket *rd;
  gsize msg_len;
  guint count;
  gint64 last_write_us;         /* __atomic access */
  GArray *lat;
} FloorRun;

static gpointer
floor_reader (gpointer data)
{
  FloorRun *f = data;
  g_autofree guint8 *buf = g_malloc (65536);
  gsize got = 0;

  while (f->lat->len < f->count) {
    GPollFD pfd = { g_socket_get_fd (f->rd), G_IO_IN, 0 };
    gssize n;

    if (g_poll (&pfd, 1, 5000) <= 0)
      return NULL;
    n = g_socket_receive (f->rd, (gchar *) buf, 65536, NULL, NULL);
    if (n <= 0)
      return NULL;
    got += n;
    if (got >= f->msg_len) {
      double d = g_get_monotonic_time () -
          __atomic_load_n (&f->last_write_us, __ATOMIC_ACQUIRE);
      got -= f->msg_len;
      g_array_append_val (f->lat, d);
    }
  }
  return NULL;
}

/* Fills @v (sorted) with the floor latencies of @count writes. */
static GArray *
latency_floor (gsize msg_len, guint count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) wconn = NULL, rconn = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) eff = NULL;
  g_autofree gchar *msg = g_malloc0 (msg_len);
  FloorRun f = { NULL, msg_len, count, 0, g_array_new (FALSE, FALSE, sizeof (double)) };
  GThread *reader;

  g_socket_client_set_enable_proxy (client, FALSE);
  if (!g_socket_listener_add_address (listener, sa, G_SOCKET_TYPE_STREAM,
          G_SOCKET_PROTOCOL_TCP, NULL, &eff, &error) ||
      !(wconn = g_socket_client_connect_to_host (client, "127.0.0.1",
              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (eff)),
              NULL, &error)) ||
      !(rconn = g_socket_listener_accept (listener, NULL, NULL, &error))) {
    g_printerr ("bench-pipeline: latency floor: %s\n", error->message);
    exit (1);
  }
  f.rd = g_socket_connection_get_socket (rconn);
  reader = g_thread_new ("floor-reader", floor_reader, &f);
  for (guint i = 0; i < count; i++) {
    GSocket *w = g_socket_connection_get_socket (wconn);
    gsize off = 0;

    g_usleep (40000);
    __atomic_store_n (&f.last_write_us, g_get_monotonic_time (), __ATOMIC_RELEASE);
    while (off < msg_len) {
      gssize n = g_socket_send (w, msg + off, msg_len - off, NULL, NULL);
      if (n <= 0)
        break;
      off += n;
    }
    __atomic_store_n (&f.last_write_us, g_get_monotonic_time (), __ATOMIC_RELEASE);
  }
  g_thread_join (reader);
  qsort (f.lat->data, f.lat->len, sizeof (double), cmp_double);
  return f.lat;
}

static void
bench_latency (void)
{
  const guint frames = opt_long ? 1500 : 250;
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu =
      senxor_emulator_new ("module=mi16&fps=25", &error);
  g_autoptr (SenxorEmulatorServer) server = NULL;
  g_autoptr (GstElement) pipe = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  g_autofree gchar *desc = NULL;
  GstElement *sink;
  LatencyRun run = { NULL, g_array_new (FALSE, FALSE, sizeof (double)), 10 };
  double *v, *fv;
  GArray *floor;

  if (!emu || !(server = senxor_emulator_server_new_tcp (emu, "127.0.0.1", 0,
              &error))) {
    g_printerr ("bench-pipeline: %s\n", error->message);
    exit (1);
  }
  run.server = server;
  desc = g_strdup_printf ("senxorsrc device=tcp://127.0.0.1:%u num-buffers=%u"
      " ! fakesink name=sink sync=false signal-handoffs=true",
      senxor_emulator_server_get_port (server), frames + run.skip);
  pipe = gst_parse_launch (desc, &error);
  if (!pipe) {
    g_printerr ("bench-pipeline: %s\n", error->message);
    exit (1);
  }
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_latency_handoff), &run);
  gst_object_unref (sink);
  bus = gst_element_get_bus (pipe);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, (frames / 25 + 60) * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    g_printerr ("bench-pipeline: latency run did not reach EOS\n");
    exit (1);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);

  v = (double *) run.lat->data;
  qsort (v, run.lat->len, sizeof (double), cmp_double);
  floor = latency_floor (39696, run.lat->len);
  fv = (double *) floor->data;
  g_print ("source latency, MI16 at 25 fps over TCP, last byte written -> "
      "buffer at fakesink, %u frames:\n", run.lat->len);
  g_print ("  p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
      v[run.lat->len / 2], v[run.lat->len * 9 / 10],
      v[run.lat->len * 99 / 100], v[run.lat->len - 1]);
  if (floor->len > 0) {
    g_print ("  reference, the same writes to a thread blocked in poll() "
        "(the kernel's floor), %u writes:\n", floor->len);
    g_print ("  p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
        fv[floor->len / 2], fv[floor->len * 9 / 10],
        fv[floor->len * 99 / 100], fv[floor->len - 1]);
    g_print ("  senxorsrc over the floor: p50 %+.1f us, p99 %+.1f us; ratio "
        "p50 %.2f\n", v[run.lat->len / 2] - fv[floor->len / 2],
        v[run.lat->len * 99 / 100] - fv[floor->len * 99 / 100],
        v[run.lat->len / 2] / fv[floor->len / 2]);
  }
  g_print ("  target p99 < 500 us: %s (p99 %.1f us)\n",
      v[run.lat->len * 99 / 100] < 500 ? "met" : "NOT met",
      v[run.lat->len * 99 / 100]);
  g_array_free (run.lat, TRUE);
  g_array_free (floor, TRUE);
}

/* ---------------------------------------------------------------- 3 */

typedef struct {
  guint64 buffers;
  guint64 gaps;
  guint64 last_counter;
  gboolean counting;
} Cam;

static void
on_cam_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, Cam *cam)
{
  GstSenxorFrameMeta *m = gst_buffer_get_senxor_frame_meta (buf);
  if (!g_atomic_int_get (&cam->counting))
    return;
  cam->buffers++;
  if (m && m->has_header) {
    if (cam->last_counter && m->frame_counter > cam->last_counter + 1)
      cam->gaps += m->frame_counter - cam->last_counter - 1;
    cam->last_counter = m->frame_counter;
  }
}

static gboolean
spawn_emulator (GPid *pid, gchar **address)
{
  const gchar *argv[] = { "senxor-emulator", "--module", "mi16", "--fps",
    "25", "--scene", "flat", "--tcp", "0", NULL
  };
  g_autoptr (GError) error = NULL;
  g_autofree gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree gchar *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree gchar *built = dir ? g_build_filename (dir, "..", "..", "src",
      "senxor-emulator", NULL) : NULL;
  gint out;
  FILE *f;
  gchar line[256];

  /* the one built next to this program (build/tests/bench -> build/src),
   * else the one in PATH */
  if (built && g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    argv[0] = built;
  if (!g_spawn_async_with_pipes (NULL, (gchar **) argv, NULL,
          G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, pid, NULL, &out, NULL,
          &error)) {
    g_printerr ("bench-pipeline: senxor-emulator: %s (is build/src in "
        "PATH? run through tests/bench/run-all.sh)\n", error->message);
    return FALSE;
  }
  f = fdopen (out, "r");
  if (!fgets (line, sizeof line, f)) {
    fclose (f);
    return FALSE;
  }
  fclose (f);
  g_strchomp (line);
  *address = g_strdup (line);
  return TRUE;
}

static void
bench_cameras (guint n)
{
  const guint seconds = opt_long ? 30 : 8;
  GPid *pids = g_new0 (GPid, n);
  Cam *cams = g_new0 (Cam, n);
  g_autoptr (GstElement) pipe = gst_pipeline_new (NULL);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipe);
  g_autoptr (GstMessage) msg = NULL;
  long rss0, rss1;
  double c0, c1;
  gint64 t0, t1;
  guint64 total = 0, gaps = 0, expected;
  guint i;

  rss0 = rss_kib ();
  for (i = 0; i < n; i++) {
    g_autofree gchar *addr = NULL;
    GstElement *src, *sink;
    if (!spawn_emulator (&pids[i], &addr))
      exit (1);
    src = gst_element_factory_make ("senxorsrc", NULL);
    sink = gst_element_factory_make ("fakesink", NULL);
    g_object_set (src, "device", addr, NULL);
    g_object_set (sink, "sync", FALSE, "signal-handoffs", TRUE, "async",
        FALSE, NULL);
    g_signal_connect (sink, "handoff", G_CALLBACK (on_cam_handoff), &cams[i]);
    gst_bin_add_many (GST_BIN (pipe), src, sink, NULL);
    gst_element_link (src, sink);
  }
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  /* warm up: let every camera connect and stream */
  msg = gst_bus_timed_pop_filtered (bus, 3 * GST_SECOND, GST_MESSAGE_ERROR);
  if (msg) {
    g_printerr ("bench-pipeline: %u cameras: error from %s\n", n,
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
    exit (1);
  }
  for (i = 0; i < n; i++)
    g_atomic_int_set (&cams[i].counting, TRUE);
  c0 = cpu_seconds ();
  t0 = g_get_monotonic_time ();
  msg = gst_bus_timed_pop_filtered (bus, seconds * GST_SECOND,
      GST_MESSAGE_ERROR);
  for (i = 0; i < n; i++)
    g_atomic_int_set (&cams[i].counting, FALSE);
  t1 = g_get_monotonic_time ();
  c1 = cpu_seconds ();
  rss1 = rss_kib ();
  if (msg) {
    g_printerr ("bench-pipeline: %u cameras: error from %s\n", n,
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
    exit (1);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  for (i = 0; i < n; i++) {
    total += cams[i].buffers;
    gaps += cams[i].gaps;
    kill (pids[i], SIGTERM);
    waitpid (pids[i], NULL, 0);
    g_spawn_close_pid (pids[i]);
  }
  /* the emulator's frame rate is 25.5 at divider 1 for mi16 unless --fps */
  expected = (guint64) (25.0 * n * (t1 - t0) / 1e6);
  g_print ("  %2u cameras: CPU %6.2f %% of one core (%.2f %% each), "
      "%" G_GUINT64_FORMAT " frames in %.1f s (expected ~%" G_GUINT64_FORMAT
      "), %" G_GUINT64_FORMAT " lost (counter gaps), RSS +%.0f KiB/camera\n",
      n, 100.0 * (c1 - c0) / ((t1 - t0) / 1e6),
      100.0 * (c1 - c0) / ((t1 - t0) / 1e6) / n, total, (t1 - t0) / 1e6,
      expected, gaps, (double) (rss1 - rss0) / n);
  if (n == 64)
    g_print ("  target 64 cameras < 25 %% of one core, 0 lost, < 2 MiB each: "
        "%s\n", 100.0 * (c1 - c0) / ((t1 - t0) / 1e6) < 25 && gaps == 0 &&
        (rss1 - rss0) / n < 2048 ? "met" : "NOT met");
  g_free (pids);
  g_free (cams);
}

int
main (int argc, char **argv)
{
  const gchar *only = NULL;
  gint i;

  gst_init (&argc, &argv);
  opt_long = g_strcmp0 (g_getenv ("SENXOR_BENCH_LONG"), "1") == 0;
  for (i = 1; i < argc; i++) {
    if (g_str_equal (argv[i], "--long"))
      opt_long = TRUE;
    else if (g_str_has_prefix (argv[i], "--only="))
      only = argv[i] + 7;
    else {
      g_printerr ("usage: bench-pipeline [--long] "
          "[--only=throughput|latency|cameras]\n");
      return 2;
    }
  }
  if (!only || g_str_equal (only, "throughput"))
    bench_throughput ();
  if (!only || g_str_equal (only, "latency"))
    bench_latency ();
  if (!only || g_str_equal (only, "cameras")) {
    g_print ("cameras in one process at 25 fps, senxorsrc device=tcp://... ! "
        "fakesink each, emulators in child processes (not counted):\n");
    bench_cameras (1);
    bench_cameras (8);
    bench_cameras (32);
    bench_cameras (64);
  }
  return 0;
}
