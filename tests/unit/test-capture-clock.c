/* senxorsrc's clock fusion (gst/capture-clock.c): frame after frame, a
 * device timestamp and a host arrival time in, the exact capture time out.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each case is a table of frames; nothing reads a clock or sleeps.
 */
#include <glib.h>

#include "capture-clock.h"

#define MS G_GUINT64_CONSTANT (1000000)
#define US G_GUINT64_CONSTANT (1000)
#define S G_GUINT64_CONSTANT (1000000000)
#define MAX_FRAMES 8

typedef struct {
  guint64 host_ns;              /* arrival on the host clock */
  guint32 dev_ms;               /* the frame header's timestamp */
  guint64 expect_ns;            /* the capture time */
  gboolean expect_resync;
} Frame;

typedef struct {
  const char *name;
  Frame frames[MAX_FRAMES];     /* up to the first with host_ns == 0 */
} Case;

static const Case cases[] = {
  /* 30 fps, a constant 5 ms transfer delay: the arrival time exactly. */
  {"steady", {
          {5 * MS, 1000, 5 * MS, FALSE},
          {38 * MS, 1033, 38 * MS, FALSE},
          {71 * MS, 1066, 71 * MS, FALSE},
          {104 * MS, 1099, 104 * MS, FALSE}}},
  /* Captured every 33 ms from 100 ms on, late by 5, 9, 2, 7 ms: the 2 ms
   * delay, once seen, wins (the offset may only grow by 200 ppm of 33 ms,
   * 6.6 us, a frame); the result never lies after the arrival. */
  {"jitter-minimum-delay-wins", {
          {105 * MS, 1000, 105 * MS, FALSE},
          {142 * MS, 1033, 138 * MS + 6600, FALSE},
          {168 * MS, 1066, 168 * MS, FALSE},
          {206 * MS, 1099, 201 * MS + 6600, FALSE},
          {234 * MS, 1132, 234 * MS, FALSE}}},
  /* The 32-bit millisecond counter wraps: no jump, no resynchronisation. */
  {"device-clock-wraps", {
          {10 * S, 0xFFFFFFF0u, 10 * S, FALSE},
          {10 * S + 33 * MS, 0x11u, 10 * S + 33 * MS, FALSE},
          {10 * S + 66 * MS, 0x32u, 10 * S + 66 * MS, FALSE}}},
  /* The camera restarts (a reboot, a reconnection): its timestamp goes back
   * to near zero; the frame is taken at its arrival and is the new
   * reference. */
  {"device-restarts", {
          {1 * S, 500000, 1 * S, FALSE},
          {1 * S + 33 * MS, 500033, 1 * S + 33 * MS, FALSE},
          {1300 * MS, 12, 1300 * MS, TRUE},
          {1333 * MS, 45, 1333 * MS, FALSE},
          {1366 * MS + 4 * MS, 78, 1366 * MS + 6600, FALSE}}},
  /* A timestamp that does not move, or leaps ahead of the host's elapsed
   * time by far more than a second, is not trusted either. */
  {"timestamp-repeats-or-leaps", {
          {2 * S, 7000, 2 * S, FALSE},
          {2 * S + 33 * MS, 7000, 2 * S + 33 * MS, TRUE},
          {2 * S + 66 * MS, 7033, 2 * S + 66 * MS, FALSE},
          {2 * S + 99 * MS, 107066, 2 * S + 99 * MS, TRUE},
          {2 * S + 132 * MS, 107099, 2 * S + 132 * MS, FALSE}}},
  /* The host clock 100 ppm faster than the camera's (100.01 ms a 100 ms
   * frame): within the 200 ppm the offset may grow, followed exactly. */
  {"drift-host-faster-within-200ppm", {
          {1 * S, 0, 1 * S, FALSE},
          {1100 * MS + 10 * US, 100, 1100 * MS + 10 * US, FALSE},
          {1200 * MS + 20 * US, 200, 1200 * MS + 20 * US, FALSE},
          {1300 * MS + 30 * US, 300, 1300 * MS + 30 * US, FALSE}}},
  /* 300 ppm faster: the offset grows by its 20 us a frame at most, so the
   * result falls behind the arrival by 10 us a frame. */
  {"drift-host-faster-beyond-200ppm", {
          {1 * S, 0, 1 * S, FALSE},
          {1100 * MS + 30 * US, 100, 1100 * MS + 20 * US, FALSE},
          {1200 * MS + 60 * US, 200, 1200 * MS + 40 * US, FALSE},
          {1300 * MS + 90 * US, 300, 1300 * MS + 60 * US, FALSE}}},
  /* The host clock slower (99.99 ms a 100 ms frame): a smaller delay is
   * always taken at once. */
  {"drift-host-slower", {
          {1 * S, 0, 1 * S, FALSE},
          {1100 * MS - 10 * US, 100, 1100 * MS - 10 * US, FALSE},
          {1200 * MS - 20 * US, 200, 1200 * MS - 20 * US, FALSE},
          {1300 * MS - 30 * US, 300, 1300 * MS - 30 * US, FALSE}}},
  /* A minute between two frames that both clocks saw: still trusted; the
   * offset may have grown by 200 ppm of a minute (12 ms) of the 20 ms more
   * delay this frame had. */
  {"long-pause-both-clocks", {
          {1 * S, 1000, 1 * S, FALSE},
          {61 * S + 20 * MS, 61000, 61 * S + 12 * MS, FALSE},
          {61 * S + 53 * MS, 61033, 61 * S + 45 * MS + 6600, FALSE}}},
  /* Ten seconds on the host but only one frame period on the device (its
   * clock stood still meanwhile): start again from the arrival. */
  {"long-pause-device-clock-stood-still", {
          {1 * S, 1000, 1 * S, FALSE},
          {11 * S, 1033, 11 * S, TRUE},
          {11 * S + 33 * MS, 1066, 11 * S + 33 * MS, FALSE}}},
  /* Arrival at running time 0 (the host time clamps there) and a device
   * step that puts the mapped time nowhere below zero. */
  {"zero-running-time", {
          {0, 100, 0, FALSE}}},
};

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  CaptureClock clock = { 0 };
  guint64 previous = 0;
  guint i;

  capture_clock_reset (&clock);
  for (i = 0; i < MAX_FRAMES; i++) {
    const Frame *f = &c->frames[i];
    gboolean resynced = !f->expect_resync;
    guint64 t;

    if (i > 0 && f->host_ns == 0)
      break;
    t = capture_clock_update (&clock, f->host_ns, f->dev_ms, &resynced);
    g_test_message ("%s frame %u: host %" G_GUINT64_FORMAT " dev %u -> %"
        G_GUINT64_FORMAT, c->name, i, f->host_ns, f->dev_ms, t);
    g_assert_cmpuint (t, ==, f->expect_ns);
    g_assert_cmpint (resynced, ==, f->expect_resync);
    /* never after the arrival; never backwards while arrivals are not */
    g_assert_cmpuint (t, <=, f->host_ns);
    if (i > 0 && f->host_ns >= c->frames[i - 1].host_ns)
      g_assert_cmpuint (t, >=, previous);
    previous = t;
  }
}

/* After a reset the next frame is the reference again, whatever its
 * timestamp; without one, the same frame would have been smoothed. */
static void
test_reset (void)
{
  CaptureClock clock = { 0 };
  gboolean resynced;

  capture_clock_reset (&clock);
  g_assert_cmpuint (capture_clock_update (&clock, 100 * MS, 5000, NULL), ==,
      100 * MS);
  g_assert_cmpuint (capture_clock_update (&clock, 140 * MS, 5033, NULL), ==,
      133 * MS + 6600);
  capture_clock_reset (&clock);
  g_assert_cmpuint (capture_clock_update (&clock, 180 * MS, 5066, &resynced),
      ==, 180 * MS);
  g_assert_false (resynced);
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *path = g_strdup_printf ("/capture-clock/%s",
        cases[i].name);
    g_test_add_data_func (path, &cases[i], run_case);
  }
  g_test_add_func ("/capture-clock/reset", test_reset);
  return g_test_run ();
}
