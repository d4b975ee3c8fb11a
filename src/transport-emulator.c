/* libsenxor: the in-process emulator transport
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Moves bytes between the host code and a SenxorEmulator as a serial port
 * would.  read() sleeps in ppoll() on the emulator's wake-up fd and the
 * cancellable's fd until the earlier of the caller's timeout and the
 * emulator's next event (next frame, late reply, end of a stall); in fast
 * mode the next event is always "now", so frames come without pacing.
 */
#include "config.h"

#include "emulator-private.h"
#include "senxor/error.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

typedef struct {
  SenxorTransport parent;
  SenxorEmulator *emu;
  guint conn;
} EmulatorTransport;

static gboolean
check_alive (EmulatorTransport *et, GError **error)
{
  if (senxor_emulator_connection_alive (et->emu, et->conn))
    return TRUE;
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED,
      "emulator: the device closed the connection (disconnect fault, or the "
      "emulator was opened again elsewhere)");
  return FALSE;
}

static gboolean
check_cancelled (GCancellable *cancellable, GError **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED,
      "emulator: the read was cancelled");
  return TRUE;
}

static gssize
emulator_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  EmulatorTransport *et = (EmulatorTransport *) t;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = timeout_us < 0 ? G_MAXINT64 : start + timeout_us;
  GPollFD cancel_fd = { -1, 0, 0 };
  gboolean have_cancel_fd = cancellable && g_cancellable_make_pollfd (cancellable,
      &cancel_fd);
  gssize result = -1;

  for (;;) {
    struct pollfd fds[2];
    struct timespec ts, *tsp = NULL;
    gint64 now, next, wait_until;
    gsize n;
    int nfds = 1, r;

    if (check_cancelled (cancellable, error))
      break;
    _senxor_emulator_drain_wakeup (et->emu);
    if (!check_alive (et, error))
      break;
    now = g_get_monotonic_time ();
    n = senxor_emulator_produce (et->emu, now, buf, len);
    if (n > 0) {
      result = (gssize) n;
      break;
    }
    /* producing may have fired a disconnect fault */
    if (!check_alive (et, error))
      break;
    if (now >= deadline) {
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT,
          "emulator: no data within %" G_GINT64_FORMAT " ms", timeout_us / 1000);
      break;
    }
    next = senxor_emulator_next_event_us (et->emu, now);
    wait_until = MIN (deadline, next);

    fds[0].fd = _senxor_emulator_get_wakeup_fd (et->emu);
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    if (have_cancel_fd) {
      fds[1].fd = cancel_fd.fd;
      fds[1].events = POLLIN;
      fds[1].revents = 0;
      nfds = 2;
    }
    if (wait_until != G_MAXINT64) {
      gint64 d = MAX (wait_until - now, 0);
      ts.tv_sec = d / G_USEC_PER_SEC;
      ts.tv_nsec = (d % G_USEC_PER_SEC) * 1000;
      tsp = &ts;
    }
    r = ppoll (fds, nfds, tsp, NULL);
    if (r < 0 && errno != EINTR) {
      int err = errno;
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_IO, "emulator: poll: %s",
          g_strerror (err));
      break;
    }
  }
  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  return result;
}

static gboolean
emulator_write (SenxorTransport *t, const guint8 *data, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  EmulatorTransport *et = (EmulatorTransport *) t;

  if (check_cancelled (cancellable, error) || !check_alive (et, error))
    return FALSE;
  senxor_emulator_receive (et->emu, data, len, g_get_monotonic_time ());
  return TRUE;
}

static void
emulator_close (SenxorTransport *t)
{
  EmulatorTransport *et = (EmulatorTransport *) t;

  senxor_emulator_hangup (et->emu, et->conn);
  senxor_emulator_unref (et->emu);
  g_free (et);
}

static const SenxorTransportClass emulator_transport_class = {
  .name = "emulator",
  .read = emulator_read,
  .write = emulator_write,
  .close = emulator_close,
};

SenxorTransport *
senxor_emulator_transport_new (SenxorEmulator *emu)
{
  EmulatorTransport *et;

  g_return_val_if_fail (emu != NULL, NULL);
  et = g_new0 (EmulatorTransport, 1);
  et->parent.klass = &emulator_transport_class;
  et->emu = senxor_emulator_ref (emu);
  _senxor_emulator_set_real_clock (emu);
  et->conn = senxor_emulator_connect (emu);
  return &et->parent;
}
