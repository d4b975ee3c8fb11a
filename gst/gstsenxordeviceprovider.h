/* senxordeviceprovider: Senxor thermal cameras for GstDeviceMonitor
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_SENXOR_DEVICE_PROVIDER (gst_senxor_device_provider_get_type ())
G_DECLARE_FINAL_TYPE (GstSenxorDeviceProvider, gst_senxor_device_provider, GST,
    SENXOR_DEVICE_PROVIDER, GstDeviceProvider)

#define GST_TYPE_SENXOR_DEVICE (gst_senxor_device_get_type ())
G_DECLARE_FINAL_TYPE (GstSenxorDevice, gst_senxor_device, GST, SENXOR_DEVICE, GstDevice)

/* Environment variables read when the provider starts */
/* Milliseconds between two scans of the configured (TCP, emulated, tty)
 * devices; 0 scans them only at start.  USB serial ports follow udev. */
#define GST_SENXOR_DEVICE_PROVIDER_POLL_ENV "SENXOR_DEVICE_PROVIDER_POLL_MS"
/* "0" (or "no", "false") never opens a device to read its identity. */
#define GST_SENXOR_DEVICE_PROVIDER_PROBE_ENV "SENXOR_DEVICE_PROVIDER_PROBE"
#define GST_SENXOR_DEVICE_PROVIDER_DEFAULT_POLL_MS 2000

G_END_DECLS
