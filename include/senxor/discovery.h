/* libsenxor: finding Senxor cameras
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Lists serial ports of USB devices 0416:B002/B020/9393 (only the USB devices
 * with that vendor id are looked at, through udev or sysfs; the ports are
 * not opened), Senxor USB devices whose CDC
 * data interface has no driver bound (for the libusb transport), and the TCP
 * devices and emulators named in the configuration: the environment variables
 * SENXOR_TCP_DEVICES and SENXOR_EMULATORS and the file devices.conf (see
 * docs/devices.md).  To follow devices as they come and go, use
 * #SenxorDeviceMonitor (senxor/device-monitor.h).
 */
#pragma once

#include <gio/gio.h>
#include <senxor/frame.h>
#include <senxor/transport.h>

G_BEGIN_DECLS

/**
 * SenxorDiscoverFlags:
 * @SENXOR_DISCOVER_SERIAL: USB serial ports (/dev/ttyACM*) and configured ttys
 * @SENXOR_DISCOVER_USB: Senxor USB devices without a bound driver (usb://)
 * @SENXOR_DISCOVER_TCP: configured TCP devices
 * @SENXOR_DISCOVER_EMULATORS: configured emulators
 * @SENXOR_DISCOVER_PROBE: open each device that is not in use, briefly, to
 *   read its module and serial number (slow: a silent device costs a
 *   timeout; a streaming camera is stopped)
 * @SENXOR_DISCOVER_CONFIGURED_ONLY: only what the configuration names: USB
 *   is not walked (for a caller that follows USB through udev events and
 *   re-reads the configuration on its own schedule)
 * @SENXOR_DISCOVER_ALL: every kind, without probing
 */
typedef enum {
  SENXOR_DISCOVER_SERIAL = 1 << 0,
  SENXOR_DISCOVER_USB = 1 << 1,
  SENXOR_DISCOVER_TCP = 1 << 2,
  SENXOR_DISCOVER_EMULATORS = 1 << 3,
  SENXOR_DISCOVER_PROBE = 1 << 4,
  SENXOR_DISCOVER_CONFIGURED_ONLY = 1 << 5,
  SENXOR_DISCOVER_ALL = 0x0F,
} SenxorDiscoverFlags;

/**
 * SenxorProbeStatus:
 * @SENXOR_PROBE_NOT_TRIED: the device was not opened (probing not asked
 *   for, or the device is in use: an element holds it, or something on
 *   this host is connected to the TCP device)
 * @SENXOR_PROBE_OK: the identity was read from the device
 * @SENXOR_PROBE_BUSY: another program (or element) holds the device
 * @SENXOR_PROBE_DENIED: no permission to open it (see docs/permissions.md)
 * @SENXOR_PROBE_NO_MODULE: the MI48 answered that no sensor module is attached
 * @SENXOR_PROBE_TIMEOUT: the device did not answer in time
 * @SENXOR_PROBE_FAILED: any other failure
 *
 * The outcome of an identity probe.
 */
typedef enum {
  SENXOR_PROBE_NOT_TRIED,
  SENXOR_PROBE_OK,
  SENXOR_PROBE_BUSY,
  SENXOR_PROBE_DENIED,
  SENXOR_PROBE_NO_MODULE,
  SENXOR_PROBE_TIMEOUT,
  SENXOR_PROBE_FAILED,
} SenxorProbeStatus;

/* "ok", "busy", "permission-denied", "no-module", "timeout", "failed",
 * "not-tried" */
const char *senxor_probe_status_name (SenxorProbeStatus status);

/* Register requests of an identity probe wait this long: a silent device
 * costs one such wait. */
#define SENXOR_PROBE_TIMEOUT_US (500 * 1000)

/**
 * SenxorDeviceDescription:
 * @device: the device string that opens it
 * @id: a stable identifier: the serial number when known, else the USB
 *   port ("usb-1-2.3") or the device string
 * @serial: the sensor's serial number (YYWWLLSSSSSS) when known from probing
 *   or the configuration, else the USB serial-number string, else NULL
 * @display_name: for people, e.g. "Senxor EVK (MI16, 182A01001769)"
 * @kind: the transport
 * @vid: USB vendor id (0 when not USB)
 * @pid: USB product id
 * @bus_path: the USB port, sysfs style "1-2.3", or NULL
 * @sysfs_path: the USB device's sysfs directory, or NULL
 * @module: the sensor module when known (probing, configuration)
 * @probed: whether @module and @serial come from opening the device
 * @probe_status: how the identity probe went (NOT_TRIED without one)
 * @firmware: "MAJOR.MINOR.BUILD" when probed, else NULL
 * @mcu: the MCU name ("MI48D5") when probed, else NULL
 * @module_type: MODULE_TYPE (0xBB) when probed, else 0
 *
 * One device found.
 */
typedef struct {
  char *device;
  char *id;
  char *serial;
  char *display_name;
  SenxorDeviceKind kind;
  guint16 vid;
  guint16 pid;
  char *bus_path;
  char *sysfs_path;
  SenxorModule module;
  gboolean probed;
  SenxorProbeStatus probe_status;
  char *firmware;
  char *mcu;
  guint8 module_type;
} SenxorDeviceDescription;

#define SENXOR_TYPE_DEVICE_DESCRIPTION (senxor_device_description_get_type ())
GType senxor_device_description_get_type (void);

/* A #GPtrArray of #SenxorDeviceDescription (it frees them), ordered: serial,
 * usb, tcp, emulator, each by device string.  Errors only for an unreadable
 * or malformed configuration; no device is not an error. */
GPtrArray *senxor_discover_devices (SenxorDiscoverFlags flags, GError **error);

/* The device whose serial number (or id) is @serial, case-insensitively.
 * Tries without opening anything first, then probes (if @flags allow
 * nothing else, pass SENXOR_DISCOVER_ALL).  NOT_FOUND names what was seen. */
SenxorDeviceDescription *senxor_discover_find_by_serial (const char *serial,
    SenxorDiscoverFlags flags, GError **error);

/* The device strings listed by the configuration (environment and files),
 * in order, duplicates removed. */
GStrv senxor_discover_get_configured (GError **error);

/* Open @d's device with register requests timing out after @timeout_us,
 * read its identity (module, serial number, firmware, MCU) into @d, close
 * it, and name it again (@display_name).  A named emulator that exists
 * already ("emulator://NAME?...") is read directly, never connected to: a
 * new connection would take it from its current user.  @cancellable stops
 * a probe under way.  Failures only set @probe_status. */
void senxor_device_description_probe (SenxorDeviceDescription *d, gint64 timeout_us,
    GCancellable *cancellable);

SenxorDeviceDescription *senxor_device_description_copy (const SenxorDeviceDescription *d);
void senxor_device_description_free (SenxorDeviceDescription *d);
/* For g_ptr_array_sort() on descriptions: the order of
 * senxor_discover_devices() (kind: serial, usb, tcp, emulator; then device
 * string). */
int senxor_device_description_compare (gconstpointer pa, gconstpointer pb);
/* Same device string, id, serial, module and display name (what identifies
 * a camera; see senxor_device_description_same() for every field). */
gboolean senxor_device_description_equal (const SenxorDeviceDescription *a,
    const SenxorDeviceDescription *b);
/* Every field the same, identity and USB location included. */
gboolean senxor_device_description_same (const SenxorDeviceDescription *a,
    const SenxorDeviceDescription *b);
/* "Senxor EVK", "Senxor XPRO", "Senxor XCAM" or NULL */
const char *senxor_usb_product_name (guint16 vid, guint16 pid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorDeviceDescription, senxor_device_description_free)

G_END_DECLS
