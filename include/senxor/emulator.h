/* libsenxor: a faithful Senxor device model behind the byte protocol
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The emulator is a device, not a transport: it takes the bytes a host sends
 * (senxor_emulator_receive()) and hands out the bytes the device sends
 * (senxor_emulator_produce()).  Its clock is injected: every call takes the
 * current time in microseconds, so tests can drive it without real time.
 * The in-process transport, the pty server and the TCP server all drive the
 * same model with g_get_monotonic_time().  See docs/emulator.md.
 *
 * Every function is thread-safe (one mutex per emulator).
 */
#pragma once

#include <glib.h>
#include <senxor/frame.h>
#include <senxor/transport.h>

G_BEGIN_DECLS

typedef struct _SenxorEmulator SenxorEmulator;

/**
 * SenxorEmulatorFrameFunc:
 * @frame: the frame number (1 for the first frame after power-up; the header
 *   counter is @frame & 0xFFFF)
 * @width: pixels per row
 * @height: rows
 * @deci_kelvin: (out): @width * @height pixels to fill, row by row, in 0.1 K
 * @user_data: as given to senxor_emulator_set_frame_generator()
 *
 * A scene generator.  It is called with the emulator's lock held: it must not
 * call emulator functions.  The values are what the device reports at the
 * power-up EMISSIVITY and OFFSET_CORR (see senxor_emulator_render_frame()).
 */
typedef void (*SenxorEmulatorFrameFunc) (guint64 frame, guint width, guint height,
    guint16 *deci_kelvin, gpointer user_data);

/**
 * SenxorEmulatorStats:
 * @frames_sent: GFRA frames produced (including corrupted ones)
 * @frames_skipped: sensor frames lost (consumer too slow, stalls)
 * @commands: host commands decoded
 * @replies: register replies sent (including late ones)
 * @replies_late: replies held back by the late-reply fault
 * @replies_dropped: replies swallowed by the drop-reply fault
 * @garbage_bursts: garbage runs inserted
 * @bad_checksums: messages sent with a corrupted checksum
 * @truncated: frames cut short
 * @stalls: stalls begun
 * @disconnects: connections dropped by the device side
 * @reboots: reboots (fault, MCU_RESET or senxor_emulator_reboot())
 * @connections: connections accepted
 */
typedef struct {
  guint64 frames_sent;
  guint64 frames_skipped;
  guint64 commands;
  guint64 replies;
  guint64 replies_late;
  guint64 replies_dropped;
  guint64 garbage_bursts;
  guint64 bad_checksums;
  guint64 truncated;
  guint64 stalls;
  guint64 disconnects;
  guint64 reboots;
  guint64 connections;
} SenxorEmulatorStats;

/* ---- construction ---- */

/* @options: a query string such as "module=mi16&fps=25&scene=people&seed=1"
 * (a leading '?' is allowed; NULL or "" gives the defaults).  Keys: module,
 * fps, scene, seed, faults, fast, serial, nomodule, fw, mcu-type,
 * senxor-type, module-type, name (ignored).  Unknown keys and bad values fail
 * with %SENXOR_ERROR_INVALID_ARGUMENT naming the key and what it accepts.
 * Without serial, the serial number is derived from the other options (and
 * from the name for senxor_emulator_get_shared(), from the address for the
 * servers), so that each emulator has its own. */
SenxorEmulator *senxor_emulator_new (const char *options, GError **error);
/* The same from already-parsed key -> value strings (NULL: defaults). */
SenxorEmulator *senxor_emulator_new_from_params (GHashTable *params, GError **error);
SenxorEmulator *senxor_emulator_ref (SenxorEmulator *emu);
void senxor_emulator_unref (SenxorEmulator *emu);

/* ---- named process-wide instances ("emulator://NAME?...") ---- */

/* A new reference to the instance registered under @name, created from
 * @params on first use (later calls ignore @params). */
SenxorEmulator *senxor_emulator_get_shared (const char *name, GHashTable *params,
    GError **error);
/* A new reference to the instance registered under @name, or NULL. */
SenxorEmulator *senxor_emulator_lookup (const char *name);
/* Drop the registry's reference; the next get_shared() creates a new one.
 * Returns FALSE when nothing was registered under @name. */
gboolean senxor_emulator_forget_shared (const char *name);

/* ---- the byte interface (clock-injected) ---- */

/* Bytes from the host, received at @now_us. */
void senxor_emulator_receive (SenxorEmulator *emu, const guint8 *data, gsize len,
    gint64 now_us);
/* Copy up to @len bytes that are due by @now_us into @buf; returns how many. */
gsize senxor_emulator_produce (SenxorEmulator *emu, gint64 now_us, guint8 *buf,
    gsize len);
/* When output next becomes due: <= @now_us when some is due now, G_MAXINT64
 * when nothing will happen without host input. */
gint64 senxor_emulator_next_event_us (SenxorEmulator *emu, gint64 now_us);

/* ---- connections (one at a time, like a serial port or an ESP32 bridge) ---- */

/* Begin a new connection: forgets unsent output and partial input, ends any
 * previous connection (it is no longer alive), returns its id (never 0). */
guint senxor_emulator_connect (SenxorEmulator *emu);
/* The host side closed connection @id (no effect if it already ended). */
void senxor_emulator_hangup (SenxorEmulator *emu, guint id);
/* FALSE once @id was superseded, hung up or dropped by a disconnect fault. */
gboolean senxor_emulator_connection_alive (SenxorEmulator *emu, guint id);
/* Drop the current connection from the device side, now (as the disconnect
 * fault does). */
void senxor_emulator_disconnect (SenxorEmulator *emu);

/* ---- state, for tests and tools ---- */

/* The register value as the device holds it (no read side effects). */
guint8 senxor_emulator_get_register (SenxorEmulator *emu, guint8 address);
/* Set a register bypassing the read-only check, with the side effects of a
 * host write (streaming starts, rate changes, ...). */
void senxor_emulator_set_register (SenxorEmulator *emu, guint8 address, guint8 value);
SenxorModule senxor_emulator_get_module (SenxorEmulator *emu);
void senxor_emulator_get_size (SenxorEmulator *emu, guint *width, guint *height);
/* The serial number as the device reports it (SENXOR_ID 0xE0..0xE5,
 * YYWWLLSSSSSS): serial=, else derived from what distinguishes the emulator
 * (see docs/emulator.md).  Free with g_free(). */
char *senxor_emulator_dup_serial (SenxorEmulator *emu);
/* The frame rate the FRAME_RATE divider currently gives. */
double senxor_emulator_get_fps (SenxorEmulator *emu);
gboolean senxor_emulator_is_streaming (SenxorEmulator *emu);
gboolean senxor_emulator_is_fast (SenxorEmulator *emu);
guint64 senxor_emulator_get_frames_sent (SenxorEmulator *emu);
/* The number of the last frame produced (0: none since power-up). */
guint64 senxor_emulator_get_frame_number (SenxorEmulator *emu);
void senxor_emulator_get_stats (SenxorEmulator *emu, SenxorEmulatorStats *stats);
/* "people", "hotspot", "gradient", "flat" or "custom" */
const char *senxor_emulator_get_scene (SenxorEmulator *emu);
gboolean senxor_emulator_set_scene (SenxorEmulator *emu, const char *scene,
    GError **error);
/* Replace the scene with @func (NULL restores the configured scene). */
void senxor_emulator_set_frame_generator (SenxorEmulator *emu,
    SenxorEmulatorFrameFunc func, gpointer user_data, GDestroyNotify destroy);
/* Replace the fault configuration (NULL or "": none). */
gboolean senxor_emulator_set_faults (SenxorEmulator *emu, const char *spec,
    GError **error);
/* The deci-Kelvin pixels (width * height) the device reports for frame
 * @frame with the current scene, EMISSIVITY and OFFSET_CORR: what a frame
 * carries with TEMP_UNITS 0 and ADC off.  Does not change the emulator. */
void senxor_emulator_render_frame (SenxorEmulator *emu, guint64 frame,
    guint16 *deci_kelvin);
/* Power-cycle: registers back to power-up, streaming off, counter reset. */
void senxor_emulator_reboot (SenxorEmulator *emu);

/* The "gradient" scene, exactly: pixel (x, y) of frame n, in 0.1 K. */
#define SENXOR_EMULATOR_GRADIENT(x, y, n) \
  ((guint16) (2932 + 4 * (x) + 2 * (y) + ((n) % 64)))
/* The "flat" scene: every pixel, every frame, in 0.1 K (20.05 °C). */
#define SENXOR_EMULATOR_FLAT_DK 2932
/* EMISSIVITY at power-up (the calibration emissivity: no correction). */
#define SENXOR_EMULATOR_EMISSIVITY_DEFAULT 95

/* ---- the in-process transport ---- */

/* A transport moving bytes to and from @emu (takes a reference).  It opens
 * a new connection (senxor_emulator_connect()), so an earlier transport on
 * the same emulator reads DISCONNECTED from then on. */
SenxorTransport *senxor_emulator_transport_new (SenxorEmulator *emu);

/* ---- servers: the emulator on a pty or a TCP port ---- */

typedef struct _SenxorEmulatorServer SenxorEmulatorServer;

/* A pty whose slave side behaves like /dev/ttyACM*; @link_path, when not
 * NULL, is made a symlink to the slave (replaced if it is a symlink).
 * Servers give an emulator made without serial= the serial number derived
 * from their address (the link, else the pty path; "tcp://HOST:PORT"), so
 * the emulator served at one address is always the same camera. */
SenxorEmulatorServer *senxor_emulator_server_new_pty (SenxorEmulator *emu,
    const char *link_path, GError **error);
/* A TCP listener on @host (NULL: 127.0.0.1) and @port (0: any free port);
 * one client at a time, new clients accepted after a disconnect. */
SenxorEmulatorServer *senxor_emulator_server_new_tcp (SenxorEmulator *emu,
    const char *host, guint16 port, GError **error);
/* pty: the current slave path (it changes after a disconnect fault). */
char *senxor_emulator_server_dup_pty_path (SenxorEmulatorServer *server);
/* pty: the symlink, or NULL */
const char *senxor_emulator_server_get_link_path (SenxorEmulatorServer *server);
/* tcp: the bound port */
guint16 senxor_emulator_server_get_port (SenxorEmulatorServer *server);
/* "tcp://127.0.0.1:3333" or the pty's path (the link when there is one) */
char *senxor_emulator_server_dup_address (SenxorEmulatorServer *server);
/* Connections served so far. */
guint senxor_emulator_server_get_connections (SenxorEmulatorServer *server);
/* For latency measurements: the monotonic time (g_get_monotonic_time()) of
 * the server's last write of device bytes to the host, stamped just before
 * and again just after each write (a host that already has the bytes while
 * the write call is returning sees the earlier stamp); 0 before the first. */
gint64 senxor_emulator_server_get_last_write_time (SenxorEmulatorServer *server);
/* Stop the server thread, close everything, remove the link. */
void senxor_emulator_server_free (SenxorEmulatorServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorEmulator, senxor_emulator_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorEmulatorServer, senxor_emulator_server_free)

G_END_DECLS
