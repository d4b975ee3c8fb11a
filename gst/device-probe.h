/* What the device provider learns about a camera without disturbing it
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Identity (module, firmware, serial number) comes from a short open of a
 * device nobody holds; presence of a TCP device from a bare connect (no byte
 * sent) unless a socket on this host is already connected to it.  Nothing
 * here posts errors anywhere: failures become a status.
 */
#pragma once

#include <gio/gio.h>
#include <senxor/senxor.h>

G_BEGIN_DECLS

/**
 * DeviceProbeStatus:
 * @DEVICE_PROBE_NOT_TRIED: the device was not opened (in use over TCP, or
 *   probing disabled)
 * @DEVICE_PROBE_OK: the identity was read from the device
 * @DEVICE_PROBE_BUSY: another program (or element) holds the device
 * @DEVICE_PROBE_DENIED: no permission to open it (see docs/permissions.md)
 * @DEVICE_PROBE_NO_MODULE: the MI48 answered that no sensor module is attached
 * @DEVICE_PROBE_TIMEOUT: the device did not answer in time
 * @DEVICE_PROBE_FAILED: any other failure
 *
 * The outcome of an identity probe.
 */
typedef enum {
  DEVICE_PROBE_NOT_TRIED,
  DEVICE_PROBE_OK,
  DEVICE_PROBE_BUSY,
  DEVICE_PROBE_DENIED,
  DEVICE_PROBE_NO_MODULE,
  DEVICE_PROBE_TIMEOUT,
  DEVICE_PROBE_FAILED,
} DeviceProbeStatus;

/**
 * DeviceIdentity:
 * @status: how the probe went
 * @module: the geometry class, UNKNOWN when not read
 * @serial: the sensor's serial number YYWWLLSSSSSS, or NULL
 * @firmware: "MAJOR.MINOR.BUILD", or NULL
 * @mcu: the MCU name ("MI48D5"), or NULL
 * @module_type: MODULE_TYPE (0xBB), 0 when not read
 */
typedef struct {
  DeviceProbeStatus status;
  SenxorModule module;
  char *serial;
  char *firmware;
  char *mcu;
  guint8 module_type;
} DeviceIdentity;

void device_identity_clear (DeviceIdentity *id);
void device_identity_copy (const DeviceIdentity *src, DeviceIdentity *dst);
/* "ok", "busy", "permission-denied", "no-module", "timeout", "failed",
 * "not-tried" */
const char *device_probe_status_name (DeviceProbeStatus status);

/* Open @device (any device string) with register requests timing out after
 * @timeout_us, read its identity and close it.  An emulator registered under
 * a name ("emulator://NAME?...") that already exists is read directly, never
 * connected to: a new connection would take it from its current user. */
void device_probe_identify (const char *device, gint64 timeout_us, DeviceIdentity *id);

/* TRUE when @proc_text, the contents of /proc/net/tcp (@ipv6 FALSE) or
 * /proc/net/tcp6 (@ipv6 TRUE), lists an established connection whose remote
 * end is @address:@port (IPv4 addresses also match their IPv4-mapped IPv6
 * form). */
gboolean device_probe_proc_net_tcp_has (const char *proc_text, gboolean ipv6,
    GInetAddress *address, guint16 port);
/* TRUE when a socket on this host (any process, this network namespace) has
 * an established connection to @host:@port. */
gboolean device_probe_tcp_in_use (const char *host, guint16 port);
/* TRUE when a TCP connection to @host:@port succeeds within about
 * @timeout_ms; it is closed at once without sending anything. */
gboolean device_probe_tcp_reachable (const char *host, guint16 port, guint timeout_ms);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeviceIdentity, device_identity_clear)

G_END_DECLS
