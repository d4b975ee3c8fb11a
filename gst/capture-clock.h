/* senxorsrc internals: when a frame was captured
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Fuses two clocks: the host's (when a frame arrived, in the pipeline's
 * running time: exact rate, but late by a varying transfer delay) and the
 * camera's (the 32-bit millisecond timestamp in each frame header: no
 * transfer jitter, but another oscillator and it wraps or restarts).
 * Nothing here knows GStreamer or reads a clock: the element passes both
 * times in, so the arithmetic can be tested with exact values.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean have_ref;            /* FALSE: the next frame starts afresh */
  guint32 last_dev_ms;          /* the previous frame's device timestamp */
  guint64 last_host_ns;         /* ... and its host arrival time */
  guint64 dev_ns;               /* device time since the reference, unwrapped */
  gint64 offset_ns;             /* host time = device time + this, at best */
} CaptureClock;

/* Forgets the device clock: the next frame is taken at its arrival time and
 * becomes the new reference (a new stream, a reconnection). */
void capture_clock_reset (CaptureClock *clock);

/* The capture time of a frame whose header says @dev_ms and that arrived
 * at @host_ns (ns, the host clock): the device time mapped onto the host
 * clock through the smallest transfer delay seen so far, which may grow by
 * 200 ppm of the elapsed device time to follow skew between the clocks.
 * Never later than @host_ns.  A device timestamp that does not move
 * forward, or moves by a length the host's elapsed time does not agree with
 * (within 50 % plus one second), starts again from this frame (@host_ns is
 * returned) and sets *@resynced when given. */
guint64 capture_clock_update (CaptureClock *clock, guint64 host_ns,
    guint32 dev_ms, gboolean *resynced);

G_END_DECLS
