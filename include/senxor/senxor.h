/* libsenxor: one header for the whole library
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * libsenxor talks to Senxor (Meridian Innovation MI48xx) thermal cameras: the
 * message codec, frame layouts, transports (serial, TCP, libusb, emulator),
 * the device session, discovery and a device emulator.  It depends on GLib
 * only.
 */
#pragma once

#include <senxor/error.h>
#include <senxor/codec.h>
#include <senxor/frame.h>
#include <senxor/registers.h>
#include <senxor/transport.h>
#include <senxor/emulator.h>
#include <senxor/session.h>
#include <senxor/discovery.h>
#include <senxor/controls.h>
#include <senxor/device-monitor.h>
