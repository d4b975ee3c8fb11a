/* libsenxor: following Senxor cameras as they come and go
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A #SenxorDeviceMonitor lists what senxor_discover_devices() finds, checks
 * that each device is there (configured serial ports: the path exists; TCP
 * devices: a bare connect, unless something on this host is connected to
 * it already), reads each device's identity once when it appears (module,
 * serial number, firmware: senxor_device_description_probe(), only when
 * nobody holds the device) and tells of changes through the signals
 * "device-added", "device-removed" and "device-changed", each carrying the
 * #SenxorDeviceDescription.
 *
 * Nothing polls while nothing can change unseen: USB cameras follow udev
 * events (when libsenxor has GUdev), the configuration files are watched
 * (GFileMonitor), and a poll timer runs only while TCP devices or
 * configured serial ports are listed (or USB is read from a tree that sends
 * no events: SENXOR_SYSFS_ROOT, or no GUdev).  See docs/device-monitor.md.
 */
#pragma once

#include <gio/gio.h>
#include <senxor/discovery.h>

G_BEGIN_DECLS

#define SENXOR_TYPE_DEVICE_MONITOR (senxor_device_monitor_get_type ())
G_DECLARE_FINAL_TYPE (SenxorDeviceMonitor, senxor_device_monitor, SENXOR, DEVICE_MONITOR,
    GObject)

/* Milliseconds between two polls of what sends no event, by default. */
#define SENXOR_DEVICE_MONITOR_DEFAULT_POLL_MS 2000

/**
 * SenxorDeviceInUseFunc:
 * @device: a device string
 * @user_data: as given to senxor_device_monitor_set_in_use_func()
 *
 * Whether the application holds @device (an element made for it, say): the
 * monitor then neither probes it nor connects to it, and counts it present.
 * Called on the monitor's thread with no lock of the monitor held; it must
 * not block.
 *
 * Returns: TRUE when @device is in use
 */
typedef gboolean (*SenxorDeviceInUseFunc) (const char *device, gpointer user_data);

SenxorDeviceMonitor *senxor_device_monitor_new (void);

/* Whether devices may be opened to read their identity (TRUE by default).
 * Set before start. */
void senxor_device_monitor_set_probe (SenxorDeviceMonitor *monitor, gboolean probe);
/* Milliseconds between two polls of what sends no event; 0 never polls.
 * Set before start. */
void senxor_device_monitor_set_poll_interval (SenxorDeviceMonitor *monitor, guint ms);
void senxor_device_monitor_set_in_use_func (SenxorDeviceMonitor *monitor,
    SenxorDeviceInUseFunc func, gpointer user_data, GDestroyNotify destroy);

/* Scans once (emitting "device-added" for each device present, before it
 * returns) and then follows changes: its sources (udev, file monitors, the
 * poll timer) are attached to the thread-default main context of the
 * caller, and every signal is emitted from that context, so the caller
 * runs a main loop on it.  The monitor blocks that context while it scans
 * (a silent device costs SENXOR_PROBE_TIMEOUT_US, a TCP check about 1 s):
 * give it a thread of its own when that matters. */
void senxor_device_monitor_start (SenxorDeviceMonitor *monitor);
/* Stops following; call it from the thread that started (a signal handler
 * may call it).  No signal follows; the list is forgotten. */
void senxor_device_monitor_stop (SenxorDeviceMonitor *monitor);

/* The devices present (copies, a #GPtrArray that frees them), in
 * discovery's order.  The thread that started only. */
GPtrArray *senxor_device_monitor_get_devices (SenxorDeviceMonitor *monitor);

/* One scan of a monitor that is not started: USB walked, presence and
 * identity checked as start() would, no signal.  Errors only for an
 * unreadable or malformed configuration. */
GPtrArray *senxor_device_monitor_scan (SenxorDeviceMonitor *monitor, GError **error);

/* The application is about to use @device: a probe or presence check of it
 * under way is cancelled (its result is dropped) so the device is free at
 * once.  Any thread; never blocks. */
void senxor_device_monitor_release (SenxorDeviceMonitor *monitor, const char *device);

G_END_DECLS
