/* libsenxor: reading and writing a device behind a file descriptor
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The serial and TCP transports both reach their device through a
 * non-blocking fd; they share the waits (poll() on the fd and on the
 * cancellable's fd, with a deadline) and the read and write loops here.
 */
#include "config.h"

#include "fd-link-private.h"
#include "transport-error-private.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Wait until @fd is ready for @events (POLLIN / POLLOUT), @timeout_us passes
 * (< 0: forever) or @cancellable is cancelled.  Returns the revents of @fd
 * (POLLHUP, POLLERR included) or 0 with @error set (TIMEOUT, CANCELLED, IO).
 * @what names the device for messages. */
static short
wait_fd (int fd, short events, gint64 timeout_us, GCancellable *cancellable,
    const char *what, GError **error)
{
  struct pollfd fds[2];
  GPollFD cancel_fd = { -1, 0, 0 };
  gboolean have_cancel = FALSE;
  gint64 deadline = timeout_us >= 0 ? g_get_monotonic_time () + timeout_us : -1;
  short revents = 0;

  if (g_cancellable_is_cancelled (cancellable)) {
    senxor_set_cancelled (error, what);
    return 0;
  }
  if (cancellable)
    have_cancel = g_cancellable_make_pollfd (cancellable, &cancel_fd);

  for (;;) {
    int n, ms;

    fds[0].fd = fd;
    fds[0].events = events;
    fds[0].revents = 0;
    fds[1].fd = have_cancel ? cancel_fd.fd : -1;
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    if (deadline < 0) {
      ms = -1;
    } else {
      gint64 left = deadline - g_get_monotonic_time ();
      /* round up so that a short wait does not become a busy loop */
      ms = left <= 0 ? 0 : (int) MIN ((left + 999) / 1000, G_MAXINT);
    }
    n = poll (fds, have_cancel ? 2 : 1, ms);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      senxor_set_error_errno (error, errno, what);
      break;
    }
    if (have_cancel && fds[1].revents) {
      senxor_set_cancelled (error, what);
      break;
    }
    if (fds[0].revents) {
      revents = fds[0].revents;
      break;
    }
    if (n == 0 && deadline >= 0 && g_get_monotonic_time () >= deadline) {
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT,
          "%s: no data within %" G_GINT64_FORMAT " ms", what, timeout_us / 1000);
      break;
    }
  }
  if (have_cancel)
    g_cancellable_release_fd (cancellable);
  return revents;
}

static gboolean
went_away (const SenxorFdTransport *link, GError **error)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED, "%s: %s",
      link->base.uri, link->is_socket ? "the connection was closed by the device" :
      "the device went away (unplugged or closed by the other side)");
  return FALSE;
}

/* EOF, a hang-up, EIO (a pty whose master closed, an unplugged ttyACM),
 * ECONNRESET or EPIPE (a peer that closed) all mean the device is gone. */
static gboolean
is_gone_errno (int err)
{
  return err == EIO || err == ECONNRESET || err == EPIPE;
}

gssize
senxor_fd_transport_read (SenxorTransport *t, guint8 *buf, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  const SenxorFdTransport *link = (const SenxorFdTransport *) t;

  for (;;) {
    short rev = wait_fd (link->fd, POLLIN, timeout_us, cancellable,
        link->base.uri, error);
    gssize n;

    if (rev == 0)
      return -1;
    n = link->is_socket ? recv (link->fd, buf, len, MSG_DONTWAIT) :
        read (link->fd, buf, len);
    if (n > 0)
      return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(rev & (POLLHUP | POLLERR)))
      continue;
    if (n == 0 || errno == EAGAIN || is_gone_errno (errno) ||
        (rev & (POLLHUP | POLLERR)))
      return went_away (link, error), -1;
    senxor_set_error_errno (error, errno, link->base.uri);
    return -1;
  }
}

gboolean
senxor_fd_transport_write (SenxorTransport *t, const guint8 *data, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  const SenxorFdTransport *link = (const SenxorFdTransport *) t;
  gsize done = 0;

  while (done < len) {
    /* a peer may close at any moment: EPIPE, never SIGPIPE */
    gssize n = link->is_socket ?
        send (link->fd, data + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL) :
        write (link->fd, data + done, len - done);

    if (n > 0) {
      done += n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      short rev = wait_fd (link->fd, POLLOUT, timeout_us, cancellable,
          link->base.uri, error);
      if (rev == 0)
        return FALSE;
      if ((rev & (POLLHUP | POLLERR)) && !(rev & POLLOUT))
        return went_away (link, error);
      continue;
    }
    if (n < 0 && !is_gone_errno (errno)) {
      senxor_set_error_errno (error, errno, link->base.uri);
      return FALSE;
    }
    return went_away (link, error);
  }
  return TRUE;
}
