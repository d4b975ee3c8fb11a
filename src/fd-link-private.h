/* libsenxor: a device behind a file descriptor (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Shared by the serial and TCP transports (src/fd-link.c).
 */
#pragma once

#include "senxor/transport.h"

G_BEGIN_DECLS

/* A transport whose device is reached through a file descriptor: a tty
 * (read/write) or a socket (recv/send, never SIGPIPE).  The serial and TCP
 * transports embed it first and use senxor_fd_transport_read() and
 * senxor_fd_transport_write() as their class's read and write; the fd is
 * non-blocking and theirs to close. */
typedef struct {
  SenxorTransport base;
  int fd;
  gboolean is_socket;
} SenxorFdTransport;

/* The transport's read and write: wait with poll() on the fd and on the
 * cancellable's fd until the timeout (< 0: forever), retry on EINTR and
 * EAGAIN; EOF, hang-up, EIO, ECONNRESET and EPIPE are
 * SENXOR_ERROR_DISCONNECTED.  Messages name the device by its uri. */
gssize senxor_fd_transport_read (SenxorTransport *t, guint8 *buf, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error);
gboolean senxor_fd_transport_write (SenxorTransport *t, const guint8 *data,
    gsize len, gint64 timeout_us, GCancellable *cancellable, GError **error);

G_END_DECLS
