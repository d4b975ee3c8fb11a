/* libsenxor: the transports the dispatch opens (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * src/transport.c picks one of these by the device string's kind; each is
 * implemented in its own src/transport-KIND.c (the emulator's is public:
 * senxor_emulator_transport_new()).
 */
#pragma once

#include "senxor/transport.h"

G_BEGIN_DECLS

SenxorTransport *senxor_transport_serial_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);
SenxorTransport *senxor_transport_tcp_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);
SenxorTransport *senxor_transport_usb_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error);

G_END_DECLS
