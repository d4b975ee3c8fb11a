/* bench-senxorsrc: what senxorsrc costs on top of the library.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Reads MI16 frames from the in-process emulator in fast mode (no pacing),
 * first with the session API alone (the reference), then through
 * "senxorsrc ! fakesink" in the same run, and prints the time per frame of
 * each, their ratio, the element's own cost per frame, what that is as a
 * share of one core at 30 fps, and the latency the source adds (running
 * time at the sink minus the buffer's capture timestamp).
 */
#include <gst/gst.h>
#include <senxor/senxor.h>
#include <stdlib.h>

#define DEVICE "emulator://?module=mi16&fast=1"

typedef struct {
  GstElement *pipe;
  guint count;
  gint64 first_us;
  gint64 last_us;
  GstClockTime latency_sum;
  GstClockTime latency_max;
} Run;

static double
reference_us_per_frame (guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = senxor_session_open (DEVICE, NULL, &error);
  guint16 *pixels = g_new (guint16, 160 * 120);
  SenxorFrameInfo info;
  gint64 t0, t1;
  guint i;

  if (!s || !senxor_session_start_stream (s, NULL, &error)) {
    g_printerr ("bench-senxorsrc: %s\n", error->message);
    exit (1);
  }
  /* warm up */
  for (i = 0; i < 20; i++)
    senxor_session_read_frame (s, pixels, 160 * 120, &info, -1, NULL, NULL);
  t0 = g_get_monotonic_time ();
  for (i = 0; i < n; i++) {
    if (!senxor_session_read_frame (s, pixels, 160 * 120, &info, -1, NULL,
            &error)) {
      g_printerr ("bench-senxorsrc: %s\n", error->message);
      exit (1);
    }
  }
  t1 = g_get_monotonic_time ();
  g_free (pixels);
  return (double) (t1 - t0) / n;
}

static void
on_handoff (GstElement *sink, GstBuffer *buf, GstPad *pad, Run *run)
{
  GstClock *clock = gst_element_get_clock (sink);
  gint64 now = g_get_monotonic_time ();

  if (clock) {
    GstClockTime rt = gst_clock_get_time (clock) -
        gst_element_get_base_time (sink);
    GstClockTime pts = GST_BUFFER_PTS (buf);

    if (GST_CLOCK_TIME_IS_VALID (pts) && rt >= pts && run->count >= 20) {
      run->latency_sum += rt - pts;
      run->latency_max = MAX (run->latency_max, rt - pts);
    }
    gst_object_unref (clock);
  }
  /* the first 20 frames warm up, as for the reference */
  if (run->count == 20)
    run->first_us = now;
  run->last_us = now;
  run->count++;
}

static double
element_us_per_frame (guint n, double *latency_avg_us, double *latency_max_us)
{
  g_autofree gchar *desc = g_strdup_printf ("senxorsrc device=\"" DEVICE
      "\" num-buffers=%u ! fakesink name=sink sync=false signal-handoffs=true",
      n + 21);
  g_autoptr (GError) error = NULL;
  Run run = { 0 };
  GstElement *sink;
  GstBus *bus;
  GstMessage *msg;

  run.pipe = gst_parse_launch (desc, &error);
  if (!run.pipe) {
    g_printerr ("bench-senxorsrc: %s\n", error->message);
    exit (1);
  }
  sink = gst_bin_get_by_name (GST_BIN (run.pipe), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), &run);
  gst_object_unref (sink);
  bus = gst_element_get_bus (run.pipe);
  gst_element_set_state (run.pipe, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (!msg || GST_MESSAGE_TYPE (msg) != GST_MESSAGE_EOS) {
    g_printerr ("bench-senxorsrc: the pipeline did not finish\n");
    exit (1);
  }
  gst_message_unref (msg);
  gst_element_set_state (run.pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (run.pipe);

  *latency_avg_us = run.count > 20 ?
      (double) run.latency_sum / (run.count - 20) / 1000.0 : 0;
  *latency_max_us = run.latency_max / 1000.0;
  return (double) (run.last_us - run.first_us) / (run.count - 21);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 3000;
  double ref, elem, lat_avg, lat_max;

  gst_init (&argc, &argv);
  if (n < 100)
    n = 100;

  /* The best of three alternating runs of each, to keep other load out. */
  ref = elem = G_MAXDOUBLE;
  lat_avg = lat_max = 0;
  for (guint i = 0; i < 3; i++) {
    double r = reference_us_per_frame (n), a, m;
    double e = element_us_per_frame (n, &a, &m);

    ref = MIN (ref, r);
    if (e < elem) {
      elem = e;
      lat_avg = a;
      lat_max = m;
    }
  }

  g_print ("senxorsrc, MI16 160x120 frames from the in-process emulator "
      "(fast mode), %u frames, best of 3 runs\n", n);
  g_print ("  reference (session API alone): %8.2f us/frame\n", ref);
  g_print ("  senxorsrc ! fakesink:           %8.2f us/frame\n", elem);
  g_print ("  ratio element / reference:      %8.2f\n", elem / ref);
  if (elem > ref)
    g_print ("  element's own cost:             %8.2f us/frame = %.3f %% of "
        "a core at 30 fps\n", elem - ref, (elem - ref) * 30 / 1e4);
  else
    g_print ("  element's own cost:             below the run-to-run noise of "
        "the reference\n");
  g_print ("  latency added (sink running time - PTS): average %.1f us, "
      "max %.1f us\n", lat_avg, lat_max);
  return 0;
}
