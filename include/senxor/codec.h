/* libsenxor: the host protocol message codec
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Framing (both directions): "   #" LLLL BODY, where LLLL is the body length in
 * four hex digits and BODY = 4-letter command + contents + 4 hex digits of
 * checksum (sum of the bytes of LLLL + command + contents, & 0xFFFF).  Host
 * requests carry "XXXX" in place of the checksum.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SENXOR_PREFIX "   #"
#define SENXOR_PREFIX_LEN 4
/* prefix + LLLL + command + checksum */
#define SENXOR_MESSAGE_OVERHEAD 16
/* The longest body LLLL can express. */
#define SENXOR_MAX_BODY_LEN 0xFFFF
/* The most contents a message can carry (body minus command and checksum). */
#define SENXOR_MAX_CONTENTS_LEN (SENXOR_MAX_BODY_LEN - 8)
/* Bytes discarded since the last good message before the decoder reports an
 * error (one error per SENXOR_DECODER_GARBAGE_LIMIT bytes). */
#define SENXOR_DECODER_GARBAGE_LIMIT (64 * 1024)
/* Bad messages in a row before the decoder reports an error. */
#define SENXOR_DECODER_BAD_LIMIT 4
/* Most register pairs a single RRSE may carry (LLLL = 2n + 10 <= 0xFFFF). */
#define SENXOR_RRSE_MAX 256

/**
 * SenxorMessageKind:
 * @SENXOR_MSG_RREG: register read (host request or device reply)
 * @SENXOR_MSG_WREG: register write (host request) or its acknowledgement
 * @SENXOR_MSG_RRSE: several registers (host request or device reply)
 * @SENXOR_MSG_GFRA: a thermal frame (device)
 * @SENXOR_MSG_SERR: the MI48 has no sensor module (device)
 * @SENXOR_MSG_OTHER: a well-formed message with another command
 */
typedef enum {
  SENXOR_MSG_RREG,
  SENXOR_MSG_WREG,
  SENXOR_MSG_RRSE,
  SENXOR_MSG_GFRA,
  SENXOR_MSG_SERR,
  SENXOR_MSG_OTHER,
} SenxorMessageKind;

/**
 * SenxorMessage:
 * @kind: what it is
 * @command: the four command letters, NUL-terminated
 * @from_host: %TRUE when the checksum field was "XXXX" (a host request; its
 *   checksum is not verified)
 * @address: RREG/WREG request: the register address
 * @value: RREG reply value or WREG request value
 * @has_address: @address is set (RREG and WREG requests)
 * @has_value: @value is set (RREG replies and WREG requests)
 * @n_regs: RRSE: number of addresses (request, without the FF terminator) or
 *   address/value pairs (reply)
 * @regs: RRSE addresses; only the first @n_regs are set
 * @values: RRSE values (replies); only the first @n_regs are set
 * @contents: the raw contents (between command and checksum); for GFRA the frame
 *   bytes. Points into the decoder's buffer: valid until the next call on it.
 * @contents_len: length of @contents
 *
 * A decoded message.  Scalar fields that do not apply to @kind are zero.
 * A device's RREG reply carries no address: match it to the request.
 */
typedef struct {
  SenxorMessageKind kind;
  char command[5];
  gboolean from_host;
  guint8 address;
  guint8 value;
  gboolean has_address;
  gboolean has_value;
  guint n_regs;
  guint8 regs[SENXOR_RRSE_MAX];
  guint8 values[SENXOR_RRSE_MAX];
  const guint8 *contents;
  gsize contents_len;
} SenxorMessage;

/* ---- encoder ---- */

/* Host requests.  Each appends a complete message to @out and returns it.
 * RRSE takes at most SENXOR_RRSE_MAX - 1 addresses (FF ends the list). */
GByteArray *senxor_encode_rreg (GByteArray *out, guint8 address);
GByteArray *senxor_encode_wreg (GByteArray *out, guint8 address, guint8 value);
GByteArray *senxor_encode_rrse (GByteArray *out, const guint8 *addresses, guint n);

/* Device replies (used by the emulator). */
GByteArray *senxor_encode_rreg_reply (GByteArray *out, guint8 value);
GByteArray *senxor_encode_wreg_ack (GByteArray *out);
GByteArray *senxor_encode_rrse_reply (GByteArray *out, const guint8 *addresses,
    const guint8 *values, guint n);
GByteArray *senxor_encode_serr (GByteArray *out);
/* Appends the message frame around @contents_len bytes of GFRA contents
 * (at most SENXOR_MAX_CONTENTS_LEN) and returns a pointer where the caller
 * writes them; then call senxor_encode_finish() with the length @out had
 * before, to append the checksum.  Zero-copy path for the emulator. */
guint8 *senxor_encode_gfra_begin (GByteArray *out, gsize contents_len);
void senxor_encode_finish (GByteArray *out, gsize message_start);
GByteArray *senxor_encode_gfra (GByteArray *out, const guint8 *contents, gsize len);
/* Any command (4 ASCII letters or digits) with any contents (at most
 * SENXOR_MAX_CONTENTS_LEN); @host_request uses "XXXX" as checksum. */
GByteArray *senxor_encode_message (GByteArray *out, const char command[4],
    const guint8 *contents, gsize len, gboolean host_request);

/* Checksum of LLLL + command + contents as the protocol defines it. */
guint16 senxor_checksum (const guint8 *data, gsize len);

/* ---- incremental decoder ---- */

typedef struct _SenxorDecoder SenxorDecoder;

/**
 * SenxorDecodeResult:
 * @SENXOR_DECODE_NEED_MORE: no complete message buffered; feed more bytes
 * @SENXOR_DECODE_MESSAGE: a message was decoded into the caller's #SenxorMessage
 * @SENXOR_DECODE_ERROR: the garbage or bad-message limit was reached; the
 *   #GError says which (%SENXOR_ERROR_PROTOCOL).  The decoder has reset its
 *   limit counters and remains usable.
 */
typedef enum {
  SENXOR_DECODE_NEED_MORE,
  SENXOR_DECODE_MESSAGE,
  SENXOR_DECODE_ERROR,
} SenxorDecodeResult;

/**
 * SenxorDecoderStats:
 * @messages: good messages decoded
 * @frames: GFRA messages among them
 * @bytes_in: bytes fed
 * @bytes_discarded: bytes skipped as garbage or as parts of bad messages
 * @bad_checksums: messages dropped for a checksum mismatch
 * @bad_lengths: prefixes followed by a non-hex or impossible length
 * @unknown_frames: GFRA messages with a valid checksum but an unknown layout
 * @errors: protocol errors reported
 * @bad_commands: prefixes followed by a length but no 4-character command
 * @bad_contents: messages with a valid checksum whose contents do not fit
 *   their command (e.g. an RREG reply that is not 2 hex digits)
 *
 * Counters since the decoder was created (senxor_decoder_reset() keeps them).
 * A corrupt message costs only its 4-byte prefix at first: the bytes after it
 * are scanned again for the next prefix, so @bytes_discarded grows as they
 * are skipped.
 */
typedef struct {
  guint64 messages;
  guint64 frames;
  guint64 bytes_in;
  guint64 bytes_discarded;
  guint64 bad_checksums;
  guint64 bad_lengths;
  guint64 unknown_frames;
  guint64 errors;
  guint64 bad_commands;
  guint64 bad_contents;
} SenxorDecoderStats;

SenxorDecoder *senxor_decoder_new (void);
void senxor_decoder_free (SenxorDecoder *dec);
/* Forget buffered bytes and limit counters (not the statistics). */
void senxor_decoder_reset (SenxorDecoder *dec);
/* Copy @len bytes into the decoder. */
void senxor_decoder_feed (SenxorDecoder *dec, const guint8 *data, gsize len);
/* Zero-copy feeding: get room for at least @min_len bytes (*@avail receives
 * how much there is), read into it, then commit what was written. */
guint8 *senxor_decoder_prepare (SenxorDecoder *dec, gsize min_len, gsize *avail);
void senxor_decoder_commit (SenxorDecoder *dec, gsize len);
/* Decode the next message: call until it returns NEED_MORE after each feed.
 * Garbage is skipped, corrupt messages are dropped (see the statistics);
 * SENXOR_DECODE_ERROR reports a limit (SENXOR_ERROR_PROTOCOL) and decoding
 * can go on with the next call.  Message contents point into the decoder's
 * buffer and stay valid until the next call to any decoder function. */
SenxorDecodeResult senxor_decoder_next (SenxorDecoder *dec, SenxorMessage *msg,
    GError **error);
gsize senxor_decoder_get_buffered (SenxorDecoder *dec);
void senxor_decoder_get_stats (SenxorDecoder *dec, SenxorDecoderStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SenxorDecoder, senxor_decoder_free)

G_END_DECLS
