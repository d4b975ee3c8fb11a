/* libsenxor: device strings and the transport dispatch
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A device string names one transport:
 *   /dev/ttyACM0, ttyACM0, serial:///dev/ttyACM0      serial tty
 *   tcp://HOST[:PORT]                                 TCP bridge (port 3333)
 *   usb://, usb://VID:PID[:SERIAL], usb://BUS/PORTS   libusb CDC-ACM
 *   emulator://[NAME]?module=mi16&fps=25&...          in-process emulator
 * Each may carry "?key=value&..." parameters after the scheme.
 */
#include "config.h"

#include "transport-private.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "senxor/emulator.h"

const char *
senxor_device_kind_name (SenxorDeviceKind kind)
{
  switch (kind) {
    case SENXOR_DEVICE_SERIAL:
      return "serial";
    case SENXOR_DEVICE_TCP:
      return "tcp";
    case SENXOR_DEVICE_USB:
      return "usb";
    case SENXOR_DEVICE_EMULATOR:
      return "emulator";
  }
  return "unknown";
}

gboolean
senxor_usb_id_is_senxor (guint16 vid, guint16 pid)
{
  return vid == SENXOR_USB_VENDOR_ID && (pid == SENXOR_USB_PRODUCT_EVK ||
      pid == SENXOR_USB_PRODUCT_XPRO || pid == SENXOR_USB_PRODUCT_XCAM);
}

/* ---- errors and waits shared by the transports ---- */

void
senxor_set_error_errno (GError **error, int err, const char *what)
{
  SenxorError code = senxor_error_from_errno (err);

  switch (code) {
    case SENXOR_ERROR_PERMISSION:
      g_set_error (error, SENXOR_ERROR, code,
          "%s: %s. Install the udev rule (data/60-senxor.rules) or add your "
          "user to the 'dialout' group, then log in again", what, g_strerror (err));
      break;
    case SENXOR_ERROR_BUSY:
      g_set_error (error, SENXOR_ERROR, code,
          "%s is in use by another process (%s); close the other program first",
          what, g_strerror (err));
      break;
    case SENXOR_ERROR_NOT_FOUND:
      g_set_error (error, SENXOR_ERROR, code,
          "%s: %s; is the camera plugged in? (senxor-tool list shows the cameras found)",
          what, g_strerror (err));
      break;
    default:
      g_set_error (error, SENXOR_ERROR, code, "%s: %s", what, g_strerror (err));
      break;
  }
}

void
senxor_set_cancelled (GError **error, const char *what)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED, "%s: operation cancelled",
      what);
}

void
senxor_propagate_gio_error (GError **dest, GError *src, const char *what)
{
  SenxorError code = SENXOR_ERROR_IO;

  if (src->domain == SENXOR_ERROR) {
    g_propagate_error (dest, src);
    return;
  }
  if (src->domain == G_IO_ERROR) {
    switch (src->code) {
      case G_IO_ERROR_CANCELLED:
        code = SENXOR_ERROR_CANCELLED;
        break;
      case G_IO_ERROR_TIMED_OUT:
        code = SENXOR_ERROR_TIMEOUT;
        break;
      case G_IO_ERROR_NOT_FOUND:
      case G_IO_ERROR_CONNECTION_REFUSED:
      case G_IO_ERROR_HOST_NOT_FOUND:
      case G_IO_ERROR_HOST_UNREACHABLE:
      case G_IO_ERROR_NETWORK_UNREACHABLE:
        code = SENXOR_ERROR_NOT_FOUND;
        break;
      case G_IO_ERROR_PERMISSION_DENIED:
        code = SENXOR_ERROR_PERMISSION;
        break;
      case G_IO_ERROR_BUSY:
        code = SENXOR_ERROR_BUSY;
        break;
      case G_IO_ERROR_BROKEN_PIPE:
      case G_IO_ERROR_NOT_CONNECTED:
        code = SENXOR_ERROR_DISCONNECTED;
        break;
      case G_IO_ERROR_INVALID_ARGUMENT:
        code = SENXOR_ERROR_INVALID_ARGUMENT;
        break;
      default:
        break;
    }
  } else if (src->domain == G_RESOLVER_ERROR) {
    code = SENXOR_ERROR_NOT_FOUND;
  }
  g_set_error (dest, SENXOR_ERROR, code, "%s: %s", what, src->message);
  g_error_free (src);
}

short
senxor_poll_fd (int fd, short events, gint64 timeout_us, GCancellable *cancellable,
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

/* ---- reading and writing a file descriptor (serial and TCP) ---- */

static gboolean
went_away (const SenxorFdLink *link, GError **error)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED, "%s: %s",
      link->uri, link->is_socket ? "the connection was closed by the device" :
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
senxor_fd_link_read (const SenxorFdLink *link, guint8 *buf, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  for (;;) {
    short rev = senxor_poll_fd (link->fd, POLLIN, timeout_us, cancellable,
        link->uri, error);
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
    senxor_set_error_errno (error, errno, link->uri);
    return -1;
  }
}

gboolean
senxor_fd_link_write (const SenxorFdLink *link, const guint8 *data, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
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
      short rev = senxor_poll_fd (link->fd, POLLOUT, timeout_us, cancellable,
          link->uri, error);
      if (rev == 0)
        return FALSE;
      if ((rev & (POLLHUP | POLLERR)) && !(rev & POLLOUT))
        return went_away (link, error);
      continue;
    }
    if (n < 0 && !is_gone_errno (errno)) {
      senxor_set_error_errno (error, errno, link->uri);
      return FALSE;
    }
    return went_away (link, error);
  }
  return TRUE;
}

/* ---- device strings ---- */

void
senxor_device_address_free (SenxorDeviceAddress *addr)
{
  if (!addr)
    return;
  g_free (addr->path);
  g_free (addr->host);
  g_free (addr->usb_serial);
  g_free (addr->usb_port_path);
  g_clear_pointer (&addr->params, g_hash_table_unref);
  g_free (addr->uri);
  g_free (addr->name);
  g_free (addr);
}

const char *
senxor_device_address_get_param (const SenxorDeviceAddress *addr, const char *key)
{
  g_return_val_if_fail (addr != NULL && key != NULL, NULL);
  return addr->params ? g_hash_table_lookup (addr->params, key) : NULL;
}

static gboolean
invalid (GError **error, const char *device, const char *why)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
      "Invalid device string '%s': %s. Use /dev/ttyACM0, tcp://HOST[:PORT], "
      "usb://[VID:PID[:SERIAL]] or emulator://[NAME]?module=mi16", device, why);
  return FALSE;
}

static gboolean
parse_query (const char *device, const char *query, GHashTable *params, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (query, "&", -1);

  for (guint i = 0; parts[i]; i++) {
    const char *eq;
    g_autofree char *key = NULL;
    g_autofree char *value = NULL;

    if (parts[i][0] == '\0')
      continue;
    eq = strchr (parts[i], '=');
    key = g_uri_unescape_segment (parts[i], eq, NULL);
    value = eq ? g_uri_unescape_string (eq + 1, NULL) : g_strdup ("1");
    if (key == NULL || value == NULL || key[0] == '\0')
      return invalid (error, device, "malformed parameter");
    g_hash_table_replace (params, g_steal_pointer (&key), g_steal_pointer (&value));
  }
  return TRUE;
}

static gboolean
parse_u32 (const char *s, guint base, guint64 max, guint64 *out)
{
  guint64 v;

  if (s == NULL || *s == '\0')
    return FALSE;
  if (!g_ascii_string_to_unsigned (s, base, 0, max, &v, NULL))
    return FALSE;
  *out = v;
  return TRUE;
}

/* A name or IPv4 address; an IPv6 address (with an optional %zone) only
 * in brackets, so that the port separator is never ambiguous. */
static gboolean
valid_host (const char *host, gboolean bracketed)
{
  static const char name_chars[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
  gsize n;

  if (!bracketed)
    return strspn (host, name_chars) == strlen (host);
  n = strspn (host, "0123456789abcdefABCDEF:.");
  if (n == 0 || !strchr (host, ':'))
    return FALSE;
  if (host[n] == '%')
    n += 1 + strspn (host + n + 1, name_chars);
  return host[n] == '\0';
}

static gboolean
parse_tcp (SenxorDeviceAddress *a, const char *device, const char *rest, GError **error)
{
  g_autofree char *hostport = g_strdup (rest);
  const char *port_str = NULL;
  char *slash;
  guint64 port = SENXOR_DEFAULT_TCP_PORT;

  slash = strchr (hostport, '/');
  if (slash) {
    if (slash[1] != '\0')
      return invalid (error, device, "a TCP device string has no path");
    *slash = '\0';
  }
  if (hostport[0] == '[') {
    char *close = strchr (hostport, ']');
    if (!close)
      return invalid (error, device, "missing ']' after an IPv6 address");
    *close = '\0';
    a->host = g_strdup (hostport + 1);
    if (close[1] == ':')
      port_str = close + 2;
    else if (close[1] != '\0')
      return invalid (error, device, "unexpected text after the IPv6 address");
  } else {
    char *colon = strrchr (hostport, ':');
    if (colon) {
      *colon = '\0';
      port_str = colon + 1;
    }
    a->host = g_strdup (hostport);
  }
  if (a->host[0] == '\0')
    return invalid (error, device, "the host name is missing");
  if (!valid_host (a->host, hostport[0] == '['))
    return invalid (error, device, "the host must be a name, an IPv4 address or an "
        "IPv6 address in brackets");
  if (port_str && (!parse_u32 (port_str, 10, 65535, &port) || port == 0))
    return invalid (error, device, "the port must be a number from 1 to 65535");
  a->port = (guint16) port;
  return TRUE;
}

static gboolean
parse_usb (SenxorDeviceAddress *a, const char *device, const char *rest, GError **error)
{
  g_autofree char *spec = g_strdup (rest);
  gsize n = strlen (spec);

  if (n > 0 && spec[n - 1] == '/')
    spec[n - 1] = '\0';
  if (spec[0] == '\0')
    return TRUE;                /* any Senxor device */

  if (strchr (spec, ':')) {
    g_auto (GStrv) f = g_strsplit (spec, ":", 3);
    guint64 vid, pid;

    if (g_strv_length (f) < 2 || !parse_u32 (f[0], 16, 0xFFFF, &vid) ||
        !parse_u32 (f[1], 16, 0xFFFF, &pid))
      return invalid (error, device, "expected usb://VID:PID[:SERIAL] in hex, "
          "e.g. usb://0416:b002");
    a->usb_vid = (guint16) vid;
    a->usb_pid = (guint16) pid;
    if (f[2] && strspn (f[2], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
            "0123456789.-_") != strlen (f[2]))
      return invalid (error, device, "a USB serial number may only use letters, "
          "digits, '.', '-' and '_'");
    if (f[2] && f[2][0])
      a->usb_serial = g_strdup (f[2]);
    return TRUE;
  } else {
    /* "BUS/PORTS" or the sysfs form "BUS-PORTS" */
    char *sep = strpbrk (spec, "/-");
    guint64 bus;

    if (!sep)
      return invalid (error, device, "expected usb://BUS/PORTS such as usb://1/2.3");
    *sep = '\0';
    if (!parse_u32 (spec, 10, 255, &bus) || bus == 0 || sep[1] == '\0' ||
        strspn (sep + 1, "0123456789.") != strlen (sep + 1) || sep[1] == '.')
      return invalid (error, device, "expected usb://BUS/PORTS such as usb://1/2.3");
    a->usb_bus = (guint) bus;
    a->usb_port_path = g_strdup (sep + 1);
    return TRUE;
  }
}

static gboolean
parse_emulator (SenxorDeviceAddress *a, const char *device, const char *rest,
    GError **error)
{
  g_autofree char *name = g_strdup (rest);
  gsize n = strlen (name);

  if (n > 0 && name[n - 1] == '/')
    name[--n] = '\0';
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && !strchr ("-_.", name[i]))
      return invalid (error, device, "an emulator name may only use letters, "
          "digits, '-', '_' and '.'");
  if (n > 0)
    a->name = g_steal_pointer (&name);
  return TRUE;
}

static char *
build_query (GHashTable *params)
{
  g_autoptr (GList) keys = g_hash_table_get_keys (params);
  GString *q = g_string_new (NULL);

  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l; l = l->next) {
    const char *v = g_hash_table_lookup (params, l->data);
    g_string_append_c (q, q->len ? '&' : '?');
    g_string_append_uri_escaped (q, l->data, NULL, FALSE);
    g_string_append_c (q, '=');
    g_string_append_uri_escaped (q, v, ",@:", FALSE);
  }
  return g_string_free (q, FALSE);
}

static void
normalise (SenxorDeviceAddress *a)
{
  g_autofree char *query = build_query (a->params);

  switch (a->kind) {
    case SENXOR_DEVICE_SERIAL:
      a->uri = g_strdup (a->path);
      break;
    case SENXOR_DEVICE_TCP:
      a->uri = g_strdup_printf (strchr (a->host, ':') ? "tcp://[%s]:%u%s" :
          "tcp://%s:%u%s", a->host, a->port, query);
      break;
    case SENXOR_DEVICE_USB:
      if (a->usb_port_path)
        a->uri = g_strdup_printf ("usb://%u/%s%s", a->usb_bus, a->usb_port_path, query);
      else if (a->usb_vid || a->usb_pid)
        a->uri = g_strdup_printf ("usb://%04x:%04x%s%s%s", a->usb_vid, a->usb_pid,
            a->usb_serial ? ":" : "", a->usb_serial ? a->usb_serial : "", query);
      else
        a->uri = g_strdup_printf ("usb://%s", query);
      break;
    case SENXOR_DEVICE_EMULATOR:
      a->uri = g_strdup_printf ("emulator://%s%s", a->name ? a->name : "", query);
      break;
  }
}

SenxorDeviceAddress *
senxor_device_address_parse (const char *device, GError **error)
{
  g_autoptr (SenxorDeviceAddress) a = NULL;
  const char *sep;
  g_autofree char *scheme = NULL;
  g_autofree char *rest = NULL;
  char *q;

  if (device == NULL || *device == '\0') {
    invalid (error, "", "it is empty");
    return NULL;
  }
  a = g_new0 (SenxorDeviceAddress, 1);
  a->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* an absolute or relative path is a path, whatever it contains */
  sep = device[0] == '/' || device[0] == '.' ? NULL : strstr (device, "://");
  if (sep == NULL && g_ascii_strncasecmp (device, "emulator:", 9) == 0)
    sep = device + 8;           /* "emulator:?module=mi08" */
  if (sep == NULL && g_ascii_strncasecmp (device, "serial:", 7) == 0)
    sep = device + 6;

  if (sep == NULL) {
    /* a plain path; a bare name such as "ttyACM0" lives in /dev */
    if (device[0] != '/' && device[0] != '.' && strchr (device, ':'))
      return invalid (error, device, "unknown scheme"), NULL;
    a->kind = SENXOR_DEVICE_SERIAL;
    a->path = device[0] == '/' || device[0] == '.' ? g_strdup (device) :
        g_strconcat ("/dev/", device, NULL);
    normalise (a);
    return g_steal_pointer (&a);
  }

  scheme = g_ascii_strdown (device, sep - device);
  rest = g_strdup (g_str_has_prefix (sep, "://") ? sep + 3 : sep + 1);
  q = strchr (rest, '?');
  if (q) {
    *q = '\0';
    if (!parse_query (device, q + 1, a->params, error))
      return NULL;
  }

  if (g_str_equal (scheme, "serial")) {
    a->kind = SENXOR_DEVICE_SERIAL;
    if (rest[0] == '\0')
      return invalid (error, device, "the tty path is missing"), NULL;
    a->path = rest[0] == '/' ? g_strdup (rest) : g_strconcat ("/dev/", rest, NULL);
  } else if (g_str_equal (scheme, "tcp")) {
    a->kind = SENXOR_DEVICE_TCP;
    if (!parse_tcp (a, device, rest, error))
      return NULL;
  } else if (g_str_equal (scheme, "usb")) {
    a->kind = SENXOR_DEVICE_USB;
    if (!parse_usb (a, device, rest, error))
      return NULL;
  } else if (g_str_equal (scheme, "emulator")) {
    a->kind = SENXOR_DEVICE_EMULATOR;
    if (!parse_emulator (a, device, rest, error))
      return NULL;
    /* bad options fail here, not only when the emulator is created */
    if (!_senxor_emulator_check_params (a->params, error))
      return NULL;
  } else {
    g_autofree char *why = g_strdup_printf ("unknown scheme '%s'", scheme);
    return invalid (error, device, why), NULL;
  }
  normalise (a);
  return g_steal_pointer (&a);
}

/* ---- the dispatch ---- */

static SenxorTransport *
emulator_open (const SenxorDeviceAddress *addr, GError **error)
{
  SenxorEmulator *emu;
  SenxorTransport *t;

  if (addr->name)
    emu = senxor_emulator_get_shared (addr->name, addr->params, error);
  else
    emu = senxor_emulator_new_from_params (addr->params, error);
  if (emu == NULL)
    return NULL;
  t = senxor_emulator_transport_new (emu);
  senxor_emulator_unref (emu);
  return t;
}

SenxorTransport *
senxor_transport_open (const char *device, GCancellable *cancellable, GError **error)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (device, error);
  SenxorTransport *t = NULL;

  if (addr == NULL)
    return NULL;
  if (g_cancellable_is_cancelled (cancellable)) {
    senxor_set_cancelled (error, addr->uri);
    return NULL;
  }
  switch (addr->kind) {
    case SENXOR_DEVICE_SERIAL:
      t = senxor_transport_serial_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_TCP:
      t = senxor_transport_tcp_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_USB:
      t = senxor_transport_usb_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_EMULATOR:
      t = emulator_open (addr, error);
      break;
  }
  if (t && t->uri == NULL)
    t->uri = g_strdup (addr->uri);
  if (t)
    g_debug ("opened %s transport %s", t->klass->name, t->uri);
  return t;
}

gssize
senxor_transport_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (t != NULL && buf != NULL && len > 0, -1);
  return t->klass->read (t, buf, len, timeout_us, cancellable, error);
}

gboolean
senxor_transport_write (SenxorTransport *t, const guint8 *data, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (t != NULL && (data != NULL || len == 0), FALSE);
  if (len == 0)
    return TRUE;
  return t->klass->write (t, data, len, timeout_us, cancellable, error);
}

void
senxor_transport_free (SenxorTransport *t)
{
  char *uri;

  if (!t)
    return;
  /* close frees the implementation, struct included; the uri is ours */
  uri = t->uri;
  t->klass->close (t);
  g_free (uri);
}
