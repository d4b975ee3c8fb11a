/* libsenxor: the TCP transport (ESP32 bridges: one connection = one device)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GIO resolves and connects (with a timeout and the caller's cancellable);
 * after that the socket's fd is polled like a tty, with TCP_NODELAY so that a
 * 16-byte register request leaves at once.
 */
#include "config.h"

#include "transport-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

typedef struct {
  SenxorTransport base;
  GSocketConnection *conn;
  int fd;
} TcpTransport;

static gssize
tcp_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  TcpTransport *s = (TcpTransport *) t;
  SenxorFdLink link = { s->fd, TRUE, t->uri };

  return senxor_fd_link_read (&link, buf, len, timeout_us, cancellable, error);
}

static gboolean
tcp_write (SenxorTransport *t, const guint8 *data, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  TcpTransport *s = (TcpTransport *) t;
  SenxorFdLink link = { s->fd, TRUE, t->uri };

  return senxor_fd_link_write (&link, data, len, timeout_us, cancellable, error);
}

static void
tcp_close (SenxorTransport *t)
{
  TcpTransport *s = (TcpTransport *) t;

  if (s->conn) {
    g_io_stream_close (G_IO_STREAM (s->conn), NULL, NULL);
    g_clear_object (&s->conn);
  }
  g_free (s);
}

static const SenxorTransportClass tcp_class = {
  .name = "tcp",
  .read = tcp_read,
  .write = tcp_write,
  .close = tcp_close,
};

SenxorTransport *
senxor_transport_tcp_open (const SenxorDeviceAddress *addr, GCancellable *cancellable,
    GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  GError *local = NULL;
  const char *timeout_str = senxor_device_address_get_param (addr, "timeout");
  guint64 timeout_ms = SENXOR_DEFAULT_TCP_CONNECT_TIMEOUT_MS;
  GSocket *sock;
  TcpTransport *s;

  if (timeout_str && !g_ascii_string_to_unsigned (timeout_str, 10, 1, 600000,
          &timeout_ms, NULL)) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "%s: timeout must be a number of milliseconds (1 .. 600000)", addr->uri);
    return NULL;
  }
  /* The client timeout covers the connect; it is cleared afterwards because
   * reads use poll() with their own timeouts. */
  g_socket_client_set_timeout (client, (guint) MAX (1, (timeout_ms + 999) / 1000));
  /* a camera on the LAN is never reached through a proxy */
  g_socket_client_set_enable_proxy (client, FALSE);
  conn = g_socket_client_connect_to_host (client, addr->host, addr->port, cancellable,
      &local);
  if (conn == NULL) {
    g_autofree char *what = g_strdup_printf ("Cannot connect to %s", addr->uri);
    senxor_propagate_gio_error (error, local, what);
    return NULL;
  }
  sock = g_socket_connection_get_socket (conn);
  g_socket_set_timeout (sock, 0);
  g_socket_set_blocking (sock, FALSE);
  if (!g_socket_set_option (sock, IPPROTO_TCP, TCP_NODELAY, 1, &local)) {
    g_debug ("%s: TCP_NODELAY: %s", addr->uri, local->message);
    g_clear_error (&local);
  }
  s = g_new0 (TcpTransport, 1);
  s->base.klass = &tcp_class;
  s->fd = g_socket_get_fd (sock);
  s->conn = g_steal_pointer (&conn);
  return &s->base;
}
