/* libsenxor (private): whether a configured TCP device is there
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Presence of a TCP device comes from a bare connect (no byte sent), unless
 * a socket on this host is already connected to it: a one-client bridge
 * serving someone must not be connected to.  Used by the device monitor.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* TRUE when @proc_text, the contents of /proc/net/tcp (@ipv6 FALSE) or
 * /proc/net/tcp6 (@ipv6 TRUE), lists an established connection whose remote
 * end is @address:@port (IPv4 addresses also match their IPv4-mapped IPv6
 * form). */
gboolean senxor_proc_net_tcp_has (const char *proc_text, gboolean ipv6,
    GInetAddress *address, guint16 port);
/* TRUE when a socket on this host (any process, this network namespace) has
 * an established connection to @host:@port. */
gboolean senxor_tcp_in_use (const char *host, guint16 port);
/* TRUE when a TCP connection to @host:@port succeeds within about
 * @timeout_ms (@cancellable stops the wait); it is closed at once without
 * sending anything. */
gboolean senxor_tcp_reachable (const char *host, guint16 port, guint timeout_ms,
    GCancellable *cancellable);

G_END_DECLS
