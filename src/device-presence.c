/* libsenxor: whether a configured TCP device is there, without disturbing it
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "device-presence.h"

#include <string.h>

/* ---- TCP presence ---- */

/* /proc/net/tcp prints each 32-bit word of an address as the host-order
 * integer read from network-order bytes: parsing it back into a guint32 and
 * copying its memory gives the address bytes. */
static gboolean
parse_proc_address (const char *text, gsize n_words, guint8 *bytes, guint16 *port)
{
  const char *colon = strchr (text, ':');
  guint64 p;

  if (!colon || (gsize) (colon - text) != n_words * 8)
    return FALSE;
  for (gsize w = 0; w < n_words; w++) {
    char word[9];
    guint64 v;
    guint32 v32;

    memcpy (word, text + w * 8, 8);
    word[8] = '\0';
    if (!g_ascii_string_to_unsigned (word, 16, 0, G_MAXUINT32, &v, NULL))
      return FALSE;
    v32 = (guint32) v;
    memcpy (bytes + w * 4, &v32, 4);
  }
  if (!g_ascii_string_to_unsigned (colon + 1, 16, 0, G_MAXUINT16, &p, NULL))
    return FALSE;
  *port = (guint16) p;
  return TRUE;
}

gboolean
senxor_proc_net_tcp_has (const char *proc_text, gboolean ipv6,
    GInetAddress *address, guint16 port)
{
  g_auto (GStrv) lines = NULL;
  guint8 want[16];
  gsize want_len = g_inet_address_get_native_size (address);

  if (!proc_text)
    return FALSE;
  memcpy (want, g_inet_address_to_bytes (address), want_len);
  lines = g_strsplit (proc_text, "\n", -1);
  /* line 0 is the column header */
  for (guint i = 1; lines[i]; i++) {
    g_auto (GStrv) cols = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
    guint n = 0;
    const char *fields[4] = { NULL, };
    guint8 remote[16];
    guint16 remote_port;

    for (guint c = 0; cols[c] && n < 4; c++)
      if (cols[c][0])
        fields[n++] = cols[c];
    /* sl local_address rem_address st; st 01 is ESTABLISHED */
    if (n < 4 || g_ascii_strcasecmp (fields[3], "01") != 0)
      continue;
    if (!parse_proc_address (fields[2], ipv6 ? 4 : 1, remote, &remote_port) ||
        remote_port != port)
      continue;
    if (!ipv6 && want_len == 4 && memcmp (remote, want, 4) == 0)
      return TRUE;
    if (ipv6 && want_len == 16 && memcmp (remote, want, 16) == 0)
      return TRUE;
    if (ipv6 && want_len == 4) {
      static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
      if (memcmp (remote, mapped, 12) == 0 && memcmp (remote + 12, want, 4) == 0)
        return TRUE;
    }
  }
  return FALSE;
}

static GList *
resolve (const char *host)
{
  GInetAddress *literal = g_inet_address_new_from_string (host);
  g_autoptr (GResolver) resolver = NULL;
  g_autoptr (GError) error = NULL;
  GList *list;

  if (literal)
    return g_list_prepend (NULL, literal);
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name (resolver, host, NULL, &error);
  if (!list)
    g_debug ("cannot resolve %s: %s", host, error->message);
  return list;
}

gboolean
senxor_tcp_in_use (const char *host, guint16 port)
{
  g_autofree char *tcp4 = NULL;
  g_autofree char *tcp6 = NULL;
  GList *addresses;
  gboolean found = FALSE;

  g_file_get_contents ("/proc/net/tcp", &tcp4, NULL, NULL);
  g_file_get_contents ("/proc/net/tcp6", &tcp6, NULL, NULL);
  if (!tcp4 && !tcp6)
    return FALSE;
  addresses = resolve (host);
  for (GList *l = addresses; l && !found; l = l->next)
    found = senxor_proc_net_tcp_has (tcp4, FALSE, l->data, port) ||
        senxor_proc_net_tcp_has (tcp6, TRUE, l->data, port);
  g_resolver_free_addresses (addresses);
  return found;
}

static gboolean
try_connect (GInetAddress *address, guint16 port, gint64 timeout_us,
    GCancellable *cancellable)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GSocketAddress) sa = NULL;
  g_autoptr (GError) error = NULL;

  sock = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  if (!sock)
    return FALSE;
  g_socket_set_blocking (sock, FALSE);
  sa = g_inet_socket_address_new (address, port);
  if (!g_socket_connect (sock, sa, NULL, &error)) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
      return FALSE;
    g_clear_error (&error);
    if (!g_socket_condition_timed_wait (sock, G_IO_OUT, timeout_us, cancellable,
            NULL) ||
        !g_socket_check_connect_result (sock, NULL))
      return FALSE;
  }
  g_socket_close (sock, NULL);
  return TRUE;
}

gboolean
senxor_tcp_reachable (const char *host, guint16 port, guint timeout_ms,
    GCancellable *cancellable)
{
  GList *addresses = resolve (host);
  gboolean ok = FALSE;

  for (GList *l = addresses; l && !ok; l = l->next)
    ok = try_connect (l->data, port, (gint64) timeout_ms * 1000, cancellable);
  g_resolver_free_addresses (addresses);
  return ok;
}
