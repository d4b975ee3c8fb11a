/* libsenxor: transports move bytes; the codec and the session do the rest
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SenxorTransport SenxorTransport;

/**
 * SenxorTransportClass:
 * @name: "serial", "tcp", "usb", "emulator"
 * @read: wait until at least one byte can be read (or @timeout_us passes, or
 *   @cancellable is cancelled), then read up to @len bytes.  Returns the number
 *   of bytes read (> 0), or -1 with @error set: %SENXOR_ERROR_TIMEOUT,
 *   %SENXOR_ERROR_CANCELLED, %SENXOR_ERROR_DISCONNECTED (EOF or hang-up) or
 *   another code.  A @timeout_us below 0 waits forever.
 * @write: write all of @data, or fail with @error set.
 * @close: release everything, the struct itself included, but not @uri:
 *   senxor_transport_free() calls @close and then g_free()s @uri.
 *
 * The table every transport fills in.  All waits poll() on the device and on
 * the cancellable's fd, so cancelling from another thread returns at once.
 */
typedef struct {
  const char *name;
  gssize (*read) (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
      GCancellable *cancellable, GError **error);
  gboolean (*write) (SenxorTransport *t, const guint8 *data, gsize len,
      gint64 timeout_us, GCancellable *cancellable, GError **error);
  void (*close) (SenxorTransport *t);
} SenxorTransportClass;

/**
 * SenxorTransport:
 * @klass: the transport's function table
 * @uri: the normalised device string it was opened from
 *
 * The base of every transport; implementations embed it first.
 */
struct _SenxorTransport {
  const SenxorTransportClass *klass;
  char *uri;
};

/**
 * SenxorDeviceKind:
 * @SENXOR_DEVICE_SERIAL: a tty ("/dev/ttyACM0", "serial:///dev/ttyACM0")
 * @SENXOR_DEVICE_TCP: "tcp://host[:port]" (default port 3333)
 * @SENXOR_DEVICE_USB: "usb://BUS/PORT-PATH", "usb://VID:PID[:SERIAL]" or "usb://"
 * @SENXOR_DEVICE_EMULATOR: "emulator://?module=mi16&fps=25&scene=people&seed=1&faults=..."
 */
typedef enum {
  SENXOR_DEVICE_SERIAL,
  SENXOR_DEVICE_TCP,
  SENXOR_DEVICE_USB,
  SENXOR_DEVICE_EMULATOR,
} SenxorDeviceKind;

/**
 * SenxorDeviceAddress:
 * @kind: which transport
 * @path: serial: the tty path
 * @host: tcp: host name or address
 * @port: tcp: port
 * @usb_vid: usb: vendor id, 0 = any Senxor id
 * @usb_pid: usb: product id, 0 = any Senxor id
 * @usb_serial: usb: serial number to match, or NULL
 * @usb_bus: usb: bus number, 0 = any
 * @usb_port_path: usb: port path "1.2.3", or NULL
 * @params: emulator (and any kind): the query parameters, key -> value
 * @uri: the normalised string
 * @name: emulator: the instance name ("emulator://NAME?..."), NULL when unnamed
 *
 * A parsed device string.  Every kind accepts "?key=value&..." parameters
 * (after a scheme); the transports read the ones they know (tcp: timeout in
 * ms; usb: detach=1; emulator: everything) and ignore the others, so
 * discovery metadata such as serial= and name= can travel in the string.
 */
typedef struct {
  SenxorDeviceKind kind;
  char *path;
  char *host;
  guint16 port;
  guint16 usb_vid;
  guint16 usb_pid;
  char *usb_serial;
  guint usb_bus;
  char *usb_port_path;
  GHashTable *params;
  char *uri;
  char *name;
} SenxorDeviceAddress;

#define SENXOR_DEFAULT_TCP_PORT 3333
/* TCP connect timeout unless the device string says "?timeout=MS" */
#define SENXOR_DEFAULT_TCP_CONNECT_TIMEOUT_MS 5000

/* USB ids of the Senxor CDC-ACM devices */
#define SENXOR_USB_VENDOR_ID 0x0416
#define SENXOR_USB_PRODUCT_EVK 0xB002
#define SENXOR_USB_PRODUCT_XPRO 0xB020
#define SENXOR_USB_PRODUCT_XCAM 0x9393

/* "serial", "tcp", "usb" or "emulator" */
const char *senxor_device_kind_name (SenxorDeviceKind kind);
/* TRUE for vendor 0x0416 with one of the three Senxor product ids. */
gboolean senxor_usb_id_is_senxor (guint16 vid, guint16 pid);
/* The value of parameter @key of @addr, or NULL. */
const char *senxor_device_address_get_param (const SenxorDeviceAddress *addr,
    const char *key);

/* Parse a device string; %SENXOR_ERROR_INVALID_ARGUMENT says what is wrong. */
SenxorDeviceAddress *senxor_device_address_parse (const char *device, GError **error);
void senxor_device_address_free (SenxorDeviceAddress *addr);

/* Open the transport a device string names. */
SenxorTransport *senxor_transport_open (const char *device, GCancellable *cancellable,
    GError **error);
gssize senxor_transport_read (SenxorTransport *t, guint8 *buf, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error);
gboolean senxor_transport_write (SenxorTransport *t, const guint8 *data, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error);
/* Close and free. */
void senxor_transport_free (SenxorTransport *t);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorDeviceAddress, senxor_device_address_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorTransport, senxor_transport_free)

G_END_DECLS
