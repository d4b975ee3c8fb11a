/* senxorsrc internals: when a frame was captured
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "capture-clock.h"

#define NS_PER_MS G_GUINT64_CONSTANT (1000000)
#define NS_PER_S G_GUINT64_CONSTANT (1000000000)

void
capture_clock_reset (CaptureClock *clock)
{
  clock->have_ref = FALSE;
}

guint64
capture_clock_update (CaptureClock *clock, guint64 host_ns, guint32 dev_ms,
    gboolean *resynced)
{
  guint64 step_ns = 0;
  gint64 d;

  if (resynced)
    *resynced = FALSE;

  /* Device time in ns, extended past the 32-bit millisecond counter: the
   * unsigned difference steps over a wrap-around. */
  if (clock->have_ref) {
    guint32 step = dev_ms - clock->last_dev_ms;
    guint64 host_step = host_ns - MIN (host_ns, clock->last_host_ns);

    /* Sane: moving forward, and by about as much as the host clock moved
     * (within a second plus 50 %).  Otherwise start again from here. */
    if (step == 0 || step > G_MAXINT32 ||
        (guint64) step * NS_PER_MS > host_step + host_step / 2 + NS_PER_S ||
        host_step > (guint64) step * NS_PER_MS * 3 / 2 + NS_PER_S) {
      clock->have_ref = FALSE;
      if (resynced)
        *resynced = TRUE;
    } else {
      step_ns = (guint64) step * NS_PER_MS;
      clock->dev_ns += step_ns;
    }
  }
  clock->last_dev_ms = dev_ms;
  clock->last_host_ns = host_ns;
  if (!clock->have_ref) {
    clock->dev_ns = 0;
    clock->offset_ns = (gint64) host_ns;
    clock->have_ref = TRUE;
    return host_ns;
  }

  /* The smallest transfer delay seen is the best estimate of the offset
   * between the two clocks; it may grow by 200 ppm of the elapsed time so
   * that clock skew is followed.  The result never lies after the arrival
   * and never goes backwards. */
  d = (gint64) host_ns - (gint64) clock->dev_ns;
  clock->offset_ns = MIN (d, clock->offset_ns + (gint64) (step_ns / 5000));
  return (guint64) MAX ((gint64) clock->dev_ns + clock->offset_ns, 0);
}
