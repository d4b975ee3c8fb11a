/* libsenxor: the TCP transport (ESP32 bridges: one connection = one device)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GIO resolves and connects (with a timeout and the caller's cancellable);
 * after that the socket's fd is read and written like a tty's (src/fd-link.c),
 * with TCP_NODELAY so that a 16-byte register request leaves at once.
 */
#include "config.h"

#include "transport-private.h"
#include "fd-link-private.h"
#include "transport-error-private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

typedef struct {
  SenxorFdTransport link;       /* the socket's fd, owned by conn */
  GSocketConnection *conn;
} TcpTransport;

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
  .read = senxor_fd_transport_read,
  .write = senxor_fd_transport_write,
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
  s->link.base.klass = &tcp_class;
  s->link.fd = g_socket_get_fd (sock);
  s->link.is_socket = TRUE;
  s->conn = g_steal_pointer (&conn);
  return &s->link.base;
}
