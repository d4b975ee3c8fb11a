/* libsenxor: device strings
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A device string names one transport:
 *   /dev/ttyACM0, ttyACM0, serial:///dev/ttyACM0      serial tty
 *   tcp://HOST[:PORT]                                 TCP bridge (port 3333)
 *   usb://, usb://VID:PID[:SERIAL], usb://BUS/PORTS   libusb CDC-ACM
 *   emulator://[NAME]?module=mi16&fps=25&...          in-process emulator
 * Each may carry "?key=value&..." parameters after the scheme.  Parsing
 * checks the whole string (emulator options included) and gives it one
 * normalised form, so that equal devices have equal strings.
 */
#include "config.h"

#include "senxor/transport.h"
#include "senxor/error.h"
#include "emulator-private.h"

#include <string.h>

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
