/* libsenxor: internals shared by the transports (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "senxor/transport.h"
#include "senxor/error.h"

G_BEGIN_DECLS

/* Wait until @fd is ready for @events (POLLIN / POLLOUT), @timeout_us passes
 * (< 0: forever) or @cancellable is cancelled.  Returns the revents of @fd
 * (POLLHUP, POLLERR included) or 0 with @error set (TIMEOUT, CANCELLED, IO).
 * @what names the device for messages. */
short senxor_poll_fd (int fd, short events, gint64 timeout_us,
    GCancellable *cancellable, const char *what, GError **error);

/* A device reached through a file descriptor: a tty (read/write) or a
 * socket (recv/send, never SIGPIPE).  @uri names it in messages. */
typedef struct {
  int fd;
  gboolean is_socket;
  const char *uri;
} SenxorFdLink;

/* The transports' read and write on such a link: wait with
 * senxor_poll_fd(), retry on EINTR/EAGAIN; EOF, hang-up, EIO, ECONNRESET
 * and EPIPE are SENXOR_ERROR_DISCONNECTED. */
gssize senxor_fd_link_read (const SenxorFdLink *link, guint8 *buf, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error);
gboolean senxor_fd_link_write (const SenxorFdLink *link, const guint8 *data,
    gsize len, gint64 timeout_us, GCancellable *cancellable, GError **error);

/* Set @error from errno value @err with a message "@what: strerror"; PERMISSION
 * and BUSY get a hint on what to do. */
void senxor_set_error_errno (GError **error, int err, const char *what);

/* A GIO error as a SENXOR_ERROR (message kept, code mapped). */
void senxor_propagate_gio_error (GError **dest, GError *src, const char *what);

/* g_set_error for a cancelled wait */
void senxor_set_cancelled (GError **error, const char *what);

SenxorTransport *senxor_transport_serial_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);
SenxorTransport *senxor_transport_tcp_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);
SenxorTransport *senxor_transport_usb_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);

/* emulator.c: whether @params are valid emulator options (the emulator://
 * query); a GError says which one is not. */
gboolean _senxor_emulator_check_params (GHashTable *params, GError **error);

G_END_DECLS
