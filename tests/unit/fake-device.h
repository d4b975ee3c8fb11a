/* A tiny scripted Senxor peer for transport and session tests: it answers
 * register requests and streams frames on one fd (a pty master or a TCP
 * socket) from its own thread, with exact, deterministic misbehaviour.
 * (The full device model is the emulator; this one exists so that each
 * failure can be provoked exactly once, at a known moment.)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <senxor/senxor.h>

typedef struct _FakeDevice FakeDevice;

typedef enum {
  FAKE_NORMAL,
  FAKE_SILENT,          /* never answers */
  FAKE_GARBAGE,         /* answers every request with garbage bytes */
  FAKE_SERR,            /* answers every request with SERR */
} FakeMode;

/* A pty: the slave path for the session is fake_device_get_path(). */
FakeDevice *fake_device_new_pty (SenxorModule module);
/* A TCP listener on 127.0.0.1: fake_device_get_path() is "tcp://127.0.0.1:PORT". */
FakeDevice *fake_device_new_tcp (SenxorModule module);
const char *fake_device_get_path (FakeDevice *fd);
void fake_device_set_mode (FakeDevice *fd, FakeMode mode);
/* Reply @n (0 = the next reply) is held back for @delay_ms. */
void fake_device_delay_reply (FakeDevice *fd, guint n, guint delay_ms);
/* Override a register's value. */
void fake_device_set_register (FakeDevice *fd, guint8 addr, guint8 value);
guint8 fake_device_get_register (FakeDevice *fd, guint8 addr);
/* Frame counters jump by @skip + 1 once, after the next frame. */
void fake_device_skip_frames (FakeDevice *fd, guint skip);
/* Frame period while streaming (default 5 ms). */
void fake_device_set_frame_period (FakeDevice *fd, guint ms);
/* Close the device side now (the host sees a hang-up). */
void fake_device_hang_up (FakeDevice *fd);
/* Requests received so far. */
guint fake_device_get_requests (FakeDevice *fd);
/* The pixel value (deci-Kelvin) of pixel i of frame with counter c. */
guint16 fake_device_pixel (guint i, guint16 counter);
void fake_device_free (FakeDevice *fd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeDevice, fake_device_free)
