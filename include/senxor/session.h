/* libsenxor: a device session (open, identity, registers, streaming, frames)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A session owns one transport and speaks the protocol over it: the open
 * sequence of the vendor's library, register requests (one outstanding, a
 * timeout, late replies discarded), start/stop streaming and frame reads into
 * the caller's memory.  A session is used by one thread at a time; only the
 * GCancellable passed to a call may be triggered from another thread (see
 * docs/threading.md).
 */
#pragma once

#include <gio/gio.h>
#include <senxor/codec.h>
#include <senxor/frame.h>
#include <senxor/transport.h>

G_BEGIN_DECLS

typedef struct _SenxorSession SenxorSession;

/* Register requests wait this long for their reply unless changed. */
#define SENXOR_SESSION_DEFAULT_REGISTER_TIMEOUT_US (3 * G_USEC_PER_SEC)
/* The longest register timeout accepted (one hour). */
#define SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US ((gint64) 3600 * G_USEC_PER_SEC)
/* Frames received while waiting for a register reply are kept (the newest
 * ones) up to this many; older ones count as lost. */
#define SENXOR_SESSION_MAX_QUEUED_FRAMES 16
/* Length of a serial-number string (without the NUL). */
#define SENXOR_SERIAL_LEN 12

/**
 * SenxorDeviceInfo:
 * @device: the normalised device string the session was opened on
 * @fw_major: FW_VERSION_1 bits 4-7
 * @fw_minor: FW_VERSION_1 bits 0-3
 * @fw_build: FW_VERSION_2
 * @mcu_type: MCU_TYPE (0x33)
 * @senxor_type: SENXOR_TYPE (0xBA)
 * @module_type: MODULE_TYPE (0xBB)
 * @module: the geometry class from @senxor_type
 * @width: frame width in pixels
 * @height: frame height in pixels
 * @fps_max: the module's fastest frame rate (FPS_MAX)
 * @serial: the vendor's serial-number string YYWWLLSSSSSS (12 upper-case hex
 *   digits from SENXOR_ID 0xE0..0xE5)
 * @id: the raw SENXOR_ID registers 0xE0..0xE6
 * @status: STATUS (0xB6) as read at open
 *
 * What the open sequence learnt about the camera.
 */
typedef struct {
  const char *device;
  guint8 fw_major;
  guint8 fw_minor;
  guint8 fw_build;
  guint8 mcu_type;
  guint8 senxor_type;
  guint8 module_type;
  SenxorModule module;
  guint width;
  guint height;
  double fps_max;
  char serial[SENXOR_SERIAL_LEN + 1];
  guint8 id[7];
  guint8 status;
} SenxorDeviceInfo;

/**
 * SenxorFrameInfo:
 * @layout: the frame's layout (geometry, header present or not)
 * @has_header: whether @header was decoded (FRAME_MODE NO_HEADER clear)
 * @header: the decoded header words (zero without a header)
 * @unit: the unit of the pixels (the session forces deci-Kelvin at open;
 *   it follows later writes of FRAME_FORMAT and FRAME_MODE ADC_ENABLE)
 * @counter: a 64-bit frame counter: the header's 16-bit counter extended
 *   across wrap-arounds (without a header, frames received)
 * @frames_lost: frames missing since the previous frame (counter gap, plus
 *   frames the session had to drop from its queue)
 * @arrival_us: g_get_monotonic_time() when the frame's last byte arrived
 *
 * What came with a frame.
 */
typedef struct {
  SenxorFrameLayout layout;
  gboolean has_header;
  SenxorFrameHeader header;
  SenxorPixelUnit unit;
  guint64 counter;
  guint64 frames_lost;
  gint64 arrival_us;
} SenxorFrameInfo;

/**
 * SenxorSessionStats:
 * @frames: frames handed out by senxor_session_read_frame()
 * @frames_lost: sum of #SenxorFrameInfo.frames_lost
 * @frames_dropped: frames the session dropped itself (queue overflow, a
 *   geometry that does not match the camera)
 * @late_replies: register replies discarded because their request had
 *   already timed out or none was outstanding
 * @timeouts: register requests that timed out
 * @protocol_errors: %SENXOR_ERROR_PROTOCOL errors reported
 * @decoder: the codec's statistics (bytes, bad checksums, garbage)
 */
typedef struct {
  guint64 frames;
  guint64 frames_lost;
  guint64 frames_dropped;
  guint64 late_replies;
  guint64 timeouts;
  guint64 protocol_errors;
  SenxorDecoderStats decoder;
} SenxorSessionStats;

/* Open @device (a device string, see senxor_device_address_parse()) and run
 * the open sequence: stop streaming, read the identity registers, force
 * TEMP_UNITS = 0 and NO_HEADER = 0.  Errors: NOT_FOUND, BUSY, PERMISSION,
 * TIMEOUT (silence), PROTOCOL (garbage), NO_MODULE (SERR), UNSUPPORTED
 * (unknown sensor type), DISCONNECTED, CANCELLED, INVALID_ARGUMENT. */
SenxorSession *senxor_session_open (const char *device, GCancellable *cancellable,
    GError **error);
/* The same with another register timeout from the first request on, e.g. to
 * probe quickly.  A timeout outside 1 .. SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US
 * is INVALID_ARGUMENT (it often comes from a user's option). */
SenxorSession *senxor_session_open_full (const char *device, gint64 register_timeout_us,
    GCancellable *cancellable, GError **error);
/* The same on an open transport (transfer full: freed on failure too). */
SenxorSession *senxor_session_open_transport (SenxorTransport *transport,
    GCancellable *cancellable, GError **error);
/* Stop the stream (best effort, short timeout), close the transport, free. */
void senxor_session_close (SenxorSession *session);

const SenxorDeviceInfo *senxor_session_get_info (SenxorSession *session);
/* The transport (owned by the session). */
SenxorTransport *senxor_session_get_transport (SenxorSession *session);

/* Register requests wait @timeout_us (1 ..
 * SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US) for their reply. */
void senxor_session_set_register_timeout (SenxorSession *session, gint64 timeout_us);
gint64 senxor_session_get_register_timeout (SenxorSession *session);

/* Read one register.  TIMEOUT when no reply came in time (a reply arriving
 * later is discarded, never taken as the answer to a later request). */
gboolean senxor_session_read_register (SenxorSession *session, guint8 address,
    guint8 *value, GCancellable *cancellable, GError **error);
/* Write one register and wait for the acknowledgement.  Known read-only
 * registers are refused with INVALID_ARGUMENT before anything is sent. */
gboolean senxor_session_write_register (SenxorSession *session, guint8 address,
    guint8 value, GCancellable *cancellable, GError **error);
/* The same by name or address string ("FRAME_MODE", "0xB1"; see
 * senxor_register_parse()). */
gboolean senxor_session_read_register_by_name (SenxorSession *session,
    const char *name, guint8 *value, GCancellable *cancellable, GError **error);
gboolean senxor_session_write_register_by_name (SenxorSession *session,
    const char *name, guint8 value, GCancellable *cancellable, GError **error);

/* Set/clear FRAME_MODE CONTINUOUS_STREAM.  Starting resets the frame counter
 * extension and forgets queued frames. */
gboolean senxor_session_start_stream (SenxorSession *session,
    GCancellable *cancellable, GError **error);
gboolean senxor_session_stop_stream (SenxorSession *session,
    GCancellable *cancellable, GError **error);
gboolean senxor_session_is_streaming (SenxorSession *session);

/* FRAME_RATE divider (1 .. 127; 0 means FPS_MAX like 1): fps = fps_max / divider. */
gboolean senxor_session_set_frame_rate_divider (SenxorSession *session,
    guint divider, GCancellable *cancellable, GError **error);
guint senxor_session_get_frame_rate_divider (SenxorSession *session);
/* fps_max / divider */
double senxor_session_get_frame_rate (SenxorSession *session);
/* The vendor's frame timeout for the current divider: 1 s below divider 20,
 * else 0.05 s x divider. */
gint64 senxor_session_get_frame_timeout (SenxorSession *session);

/* The layout frames currently have and the unit of their pixels. */
void senxor_session_get_frame_layout (SenxorSession *session, SenxorFrameLayout *layout);
SenxorPixelUnit senxor_session_get_pixel_unit (SenxorSession *session);

/* Wait for the next frame (@timeout_us < 0: the vendor's rule, see
 * senxor_session_get_frame_timeout()) and write its pixels, host-endian, in
 * the unit given in @info, to @pixels (@n_pixels >= width * height).
 * Errors: TIMEOUT, CANCELLED, DISCONNECTED, PROTOCOL (the decoder's limits;
 * a later call continues with the resynchronised stream), NO_MODULE,
 * INVALID_ARGUMENT (@n_pixels too small). */
gboolean senxor_session_read_frame (SenxorSession *session, guint16 *pixels,
    gsize n_pixels, SenxorFrameInfo *info, gint64 timeout_us,
    GCancellable *cancellable, GError **error);

void senxor_session_get_stats (SenxorSession *session, SenxorSessionStats *stats);

/* "MI48D4", "MI48D5", "MI48E", "MI48G", "MI49", "MI40", "MI48D4 (old)" or
 * "unknown" */
const char *senxor_mcu_type_name (guint8 mcu_type);

/* The vendor's serial-number string YYWWLLSSSSSS of the SENXOR_ID
 * registers 0xE0..0xE5 (@id), 12 upper-case hex digits, into @serial. */
void senxor_serial_format (const guint8 id[6], char serial[SENXOR_SERIAL_LEN + 1]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorSession, senxor_session_close)

G_END_DECLS
