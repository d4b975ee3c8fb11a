/* libsenxor: the host protocol message codec
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The decoder keeps one contiguous buffer.  Messages are decoded in place, so
 * a GFRA frame's contents are handed out as a pointer into that buffer (no
 * copy); the buffer is compacted only when more room is needed.
 */
#include "senxor/codec.h"
#include "senxor/error.h"
#include "senxor/frame.h"

#include <string.h>
#if defined(__x86_64__) || defined(__SSE2__)
#include <immintrin.h>
#endif

static const char hex_upper[] = "0123456789ABCDEF";

static inline int
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Parse @n hex digits; -1 when any is not a hex digit. */
static gint32
parse_hex (const guint8 *p, guint n)
{
  gint32 v = 0;

  for (guint i = 0; i < n; i++) {
    int d = hex_value (p[i]);
    if (d < 0)
      return -1;
    v = (v << 4) | d;
  }
  return v;
}

static inline void
put_hex (guint8 *p, guint32 v, guint n)
{
  for (guint i = 0; i < n; i++)
    p[i] = hex_upper[(v >> (4 * (n - 1 - i))) & 0xF];
}

static gboolean
command_is_valid (const guint8 *c)
{
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isalnum (c[i]))
      return FALSE;
  return TRUE;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_DISPATCH 1
/* PSADBW against zero sums 8 bytes into a 64-bit lane, which cannot
 * overflow: 32 bytes per instruction with AVX2. */
__attribute__ ((target ("avx2")))
static guint64
sum_bytes_avx2 (const guint8 *data, gsize len, gsize *done)
{
  const __m256i zero = _mm256_setzero_si256 ();
  __m256i acc0 = zero, acc1 = zero;
  __m128i lo;
  guint64 lanes[2];
  gsize i = 0;

  for (; len - i >= 64; i += 64) {
    const __m256i *v = (const __m256i *) (data + i);
    acc0 = _mm256_add_epi64 (acc0, _mm256_sad_epu8 (_mm256_loadu_si256 (v), zero));
    acc1 = _mm256_add_epi64 (acc1, _mm256_sad_epu8 (_mm256_loadu_si256 (v + 1), zero));
  }
  acc0 = _mm256_add_epi64 (acc0, acc1);
  lo = _mm_add_epi64 (_mm256_castsi256_si128 (acc0), _mm256_extracti128_si256 (acc0, 1));
  _mm_storeu_si128 ((__m128i *) lanes, lo);
  *done = i;
  return lanes[0] + lanes[1];
}
#endif

#if defined(__SSE2__)
static guint64
sum_bytes_sse2 (const guint8 *data, gsize len, gsize *done)
{
  const __m128i zero = _mm_setzero_si128 ();
  __m128i acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
  guint64 lanes[2];
  gsize i = 0;

  for (; len - i >= 64; i += 64) {
    const __m128i *v = (const __m128i *) (data + i);
    acc0 = _mm_add_epi64 (acc0, _mm_sad_epu8 (_mm_loadu_si128 (v), zero));
    acc1 = _mm_add_epi64 (acc1, _mm_sad_epu8 (_mm_loadu_si128 (v + 1), zero));
    acc2 = _mm_add_epi64 (acc2, _mm_sad_epu8 (_mm_loadu_si128 (v + 2), zero));
    acc3 = _mm_add_epi64 (acc3, _mm_sad_epu8 (_mm_loadu_si128 (v + 3), zero));
  }
  acc0 = _mm_add_epi64 (_mm_add_epi64 (acc0, acc1), _mm_add_epi64 (acc2, acc3));
  _mm_storeu_si128 ((__m128i *) lanes, acc0);
  *done = i;
  return lanes[0] + lanes[1];
}
#else
/* Portable: bytes summed in 16-bit lanes of 64-bit words (SWAR), at most 128
 * words per block so that a lane (2 bytes of 255 per word) cannot overflow. */
static guint64
sum_bytes_swar (const guint8 *data, gsize len, gsize *done)
{
  guint64 total = 0;
  gsize i = 0;

  while (len - i >= 8) {
    guint64 lanes = 0;
    gsize block_end = i + MIN ((len - i) / 8, 128) * 8;

    for (; i < block_end; i += 8) {
      guint64 w;
      memcpy (&w, data + i, 8);
      lanes += (w & 0x00FF00FF00FF00FFull) + ((w >> 8) & 0x00FF00FF00FF00FFull);
    }
    total += (lanes & 0xFFFF) + ((lanes >> 16) & 0xFFFF) +
        ((lanes >> 32) & 0xFFFF) + (lanes >> 48);
  }
  *done = i;
  return total;
}
#endif

guint16
senxor_checksum (const guint8 *data, gsize len)
{
  /* A GFRA frame is summed once per frame on the streaming thread, so this
   * is the decoder's hot loop: keep it at memory speed. */
  guint64 total;
  gsize i = 0;

#if defined(HAVE_AVX2_DISPATCH)
  static gint have_avx2 = -1;
  gint avx2 = g_atomic_int_get (&have_avx2);

  if (G_UNLIKELY (avx2 < 0)) {
    __builtin_cpu_init ();
    avx2 = __builtin_cpu_supports ("avx2") ? 1 : 0;
    g_atomic_int_set (&have_avx2, avx2);
  }
  if (avx2 && len >= 256)
    total = sum_bytes_avx2 (data, len, &i);
  else
#endif
#if defined(__SSE2__)
    total = sum_bytes_sse2 (data, len, &i);
#else
    total = sum_bytes_swar (data, len, &i);
#endif
  for (; i < len; i++)
    total += data[i];
  return (guint16) (total & 0xFFFF);
}

/* ---- encoder ---- */

/* Appends prefix, LLLL and command with room for @contents_len bytes of
 * contents; returns where the message starts.  The caller checked that the
 * body fits in LLLL. */
static gsize
begin_message (GByteArray *out, const char command[4], gsize contents_len)
{
  gsize start = out->len;
  guint8 *p;

  g_byte_array_set_size (out, start + 12 + contents_len);
  p = out->data + start;
  memcpy (p, SENXOR_PREFIX, 4);
  put_hex (p + 4, (guint32) (contents_len + 8), 4);
  memcpy (p + 8, command, 4);
  return start;
}

void
senxor_encode_finish (GByteArray *out, gsize message_start)
{
  guint16 sum;
  gsize end;

  g_return_if_fail (out != NULL && message_start + 12 <= out->len);
  sum = senxor_checksum (out->data + message_start + 4,
      out->len - message_start - 4);
  end = out->len;

  g_byte_array_set_size (out, end + 4);
  put_hex (out->data + end, sum, 4);
}

static void
finish_host (GByteArray *out)
{
  g_byte_array_append (out, (const guint8 *) "XXXX", 4);
}

GByteArray *
senxor_encode_message (GByteArray *out, const char command[4],
    const guint8 *contents, gsize len, gboolean host_request)
{
  gsize start;

  g_return_val_if_fail (out != NULL && command != NULL, out);
  g_return_val_if_fail (command_is_valid ((const guint8 *) command), out);
  g_return_val_if_fail (len <= SENXOR_MAX_CONTENTS_LEN, out);
  g_return_val_if_fail (len == 0 || contents != NULL, out);
  start = begin_message (out, command, len);
  if (len)
    memcpy (out->data + start + 12, contents, len);
  if (host_request)
    finish_host (out);
  else
    senxor_encode_finish (out, start);
  return out;
}

GByteArray *
senxor_encode_rreg (GByteArray *out, guint8 address)
{
  guint8 c[2];

  put_hex (c, address, 2);
  return senxor_encode_message (out, "RREG", c, 2, TRUE);
}

GByteArray *
senxor_encode_wreg (GByteArray *out, guint8 address, guint8 value)
{
  guint8 c[4];

  put_hex (c, address, 2);
  put_hex (c + 2, value, 2);
  return senxor_encode_message (out, "WREG", c, 4, TRUE);
}

GByteArray *
senxor_encode_rrse (GByteArray *out, const guint8 *addresses, guint n)
{
  guint8 c[2 * SENXOR_RRSE_MAX + 2];

  g_return_val_if_fail (n < SENXOR_RRSE_MAX, out);
  g_return_val_if_fail (n == 0 || addresses != NULL, out);
  for (guint i = 0; i < n; i++)
    put_hex (c + 2 * i, addresses[i], 2);
  c[2 * n] = 'F';
  c[2 * n + 1] = 'F';
  return senxor_encode_message (out, "RRSE", c, 2 * n + 2, TRUE);
}

GByteArray *
senxor_encode_rreg_reply (GByteArray *out, guint8 value)
{
  guint8 c[2];

  put_hex (c, value, 2);
  return senxor_encode_message (out, "RREG", c, 2, FALSE);
}

GByteArray *
senxor_encode_wreg_ack (GByteArray *out)
{
  return senxor_encode_message (out, "WREG", NULL, 0, FALSE);
}

GByteArray *
senxor_encode_rrse_reply (GByteArray *out, const guint8 *addresses,
    const guint8 *values, guint n)
{
  guint8 c[4 * SENXOR_RRSE_MAX];

  g_return_val_if_fail (n <= SENXOR_RRSE_MAX, out);
  g_return_val_if_fail (n == 0 || (addresses != NULL && values != NULL), out);
  for (guint i = 0; i < n; i++) {
    put_hex (c + 4 * i, addresses[i], 2);
    put_hex (c + 4 * i + 2, values[i], 2);
  }
  return senxor_encode_message (out, "RRSE", c, 4 * n, FALSE);
}

GByteArray *
senxor_encode_serr (GByteArray *out)
{
  return senxor_encode_message (out, "SERR", NULL, 0, FALSE);
}

guint8 *
senxor_encode_gfra_begin (GByteArray *out, gsize contents_len)
{
  gsize start;

  g_return_val_if_fail (out != NULL, NULL);
  g_return_val_if_fail (contents_len <= SENXOR_MAX_CONTENTS_LEN, NULL);
  start = begin_message (out, "GFRA", contents_len);
  return out->data + start + 12;
}

GByteArray *
senxor_encode_gfra (GByteArray *out, const guint8 *contents, gsize len)
{
  return senxor_encode_message (out, "GFRA", contents, len, FALSE);
}

/* ---- decoder ---- */

struct _SenxorDecoder {
  guint8 *buf;
  gsize alloc;
  gsize start;                  /* first unconsumed byte */
  gsize end;                    /* one past the last byte fed */
  gsize garbage_since_good;     /* bytes discarded since the last good message */
  guint bad_in_row;
  SenxorDecoderStats stats;
};

/* Room for the largest possible message plus a typical read, so that a
 * decoder fed in ordinary chunks never has to grow. */
#define DECODER_INITIAL_ALLOC (4 * (SENXOR_MAX_BODY_LEN + 8))

SenxorDecoder *
senxor_decoder_new (void)
{
  SenxorDecoder *dec = g_new0 (SenxorDecoder, 1);

  dec->alloc = DECODER_INITIAL_ALLOC;
  dec->buf = g_malloc (dec->alloc);
  return dec;
}

void
senxor_decoder_free (SenxorDecoder *dec)
{
  if (!dec)
    return;
  g_free (dec->buf);
  g_free (dec);
}

void
senxor_decoder_reset (SenxorDecoder *dec)
{
  g_return_if_fail (dec != NULL);
  dec->start = dec->end = 0;
  dec->garbage_since_good = 0;
  dec->bad_in_row = 0;
}

guint8 *
senxor_decoder_prepare (SenxorDecoder *dec, gsize min_len, gsize *avail)
{
  g_return_val_if_fail (dec != NULL, NULL);

  if (dec->start == dec->end)
    dec->start = dec->end = 0;
  if (dec->alloc - dec->end < min_len) {
    /* compact first, grow only if that is not enough */
    if (dec->start > 0) {
      memmove (dec->buf, dec->buf + dec->start, dec->end - dec->start);
      dec->end -= dec->start;
      dec->start = 0;
    }
    if (dec->alloc - dec->end < min_len) {
      dec->alloc = dec->end + min_len;
      dec->buf = g_realloc (dec->buf, dec->alloc);
    }
  }
  if (avail)
    *avail = dec->alloc - dec->end;
  return dec->buf + dec->end;
}

void
senxor_decoder_commit (SenxorDecoder *dec, gsize len)
{
  g_return_if_fail (dec != NULL);
  g_return_if_fail (len <= dec->alloc - dec->end);
  dec->end += len;
  dec->stats.bytes_in += len;
}

void
senxor_decoder_feed (SenxorDecoder *dec, const guint8 *data, gsize len)
{
  guint8 *p;

  g_return_if_fail (dec != NULL);
  g_return_if_fail (len == 0 || data != NULL);
  if (len == 0)
    return;
  p = senxor_decoder_prepare (dec, len, NULL);
  memcpy (p, data, len);
  senxor_decoder_commit (dec, len);
}

gsize
senxor_decoder_get_buffered (SenxorDecoder *dec)
{
  g_return_val_if_fail (dec != NULL, 0);
  return dec->end - dec->start;
}

void
senxor_decoder_get_stats (SenxorDecoder *dec, SenxorDecoderStats *stats)
{
  g_return_if_fail (dec != NULL && stats != NULL);
  *stats = dec->stats;
}

static void
discard (SenxorDecoder *dec, gsize n)
{
  dec->start += n;
  dec->stats.bytes_discarded += n;
  dec->garbage_since_good += n;
}

/* Drop the prefix of a corrupt message and rescan from the byte after it. */
static void
drop_bad_message (SenxorDecoder *dec)
{
  dec->bad_in_row++;
  discard (dec, SENXOR_PREFIX_LEN);
}

/* TRUE (and @error set) when a limit is reached.  Checked before every step,
 * and garbage is skipped in steps that stop exactly at the limit, so the
 * errors fall at the same stream positions however the bytes were chunked. */
static gboolean
limits_reached (SenxorDecoder *dec, GError **error)
{
  if (dec->bad_in_row >= SENXOR_DECODER_BAD_LIMIT) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL,
        "%u corrupt messages in a row from the device (bad checksum, length "
        "or contents): the link is corrupting data", dec->bad_in_row);
    g_debug ("decoder: %u bad messages in a row", dec->bad_in_row);
    dec->bad_in_row = 0;
    dec->stats.errors++;
    return TRUE;
  }
  if (dec->garbage_since_good >= SENXOR_DECODER_GARBAGE_LIMIT) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL,
        "%" G_GSIZE_FORMAT " bytes from the device without a valid message: "
        "is this a Senxor device, and is it the right port?",
        dec->garbage_since_good);
    g_debug ("decoder: %" G_GSIZE_FORMAT " bytes of garbage",
        dec->garbage_since_good);
    dec->garbage_since_good = 0;
    dec->stats.errors++;
    return TRUE;
  }
  return FALSE;
}

/* Length of the longest suffix of [p, p+n) that begins the prefix. */
static gsize
partial_prefix_len (const guint8 *p, gsize n)
{
  for (gsize k = MIN (n, (gsize) SENXOR_PREFIX_LEN - 1); k > 0; k--)
    if (memcmp (p + n - k, SENXOR_PREFIX, k) == 0)
      return k;
  return 0;
}

/* Fill in the typed fields of @msg from its command and contents; FALSE when
 * the contents do not fit the command. */
static gboolean
parse_fields (SenxorMessage *msg)
{
  const guint8 *c = msg->contents;
  gsize n = msg->contents_len;

  if (memcmp (msg->command, "RREG", 4) == 0) {
    msg->kind = SENXOR_MSG_RREG;
    if (msg->from_host) {
      /* "AA", or "AAXX" from older host software */
      gint32 a;
      if ((n != 2 && n != 4) || (a = parse_hex (c, 2)) < 0)
        return FALSE;
      msg->address = (guint8) a;
      msg->has_address = TRUE;
    } else {
      gint32 v;
      if (n != 2 || (v = parse_hex (c, 2)) < 0)
        return FALSE;
      msg->value = (guint8) v;
      msg->has_value = TRUE;
    }
  } else if (memcmp (msg->command, "WREG", 4) == 0) {
    msg->kind = SENXOR_MSG_WREG;
    if (msg->from_host) {
      gint32 a, v;
      if (n != 4 || (a = parse_hex (c, 2)) < 0 || (v = parse_hex (c + 2, 2)) < 0)
        return FALSE;
      msg->address = (guint8) a;
      msg->value = (guint8) v;
      msg->has_address = msg->has_value = TRUE;
    } else if (n != 0) {
      return FALSE;
    }
  } else if (memcmp (msg->command, "RRSE", 4) == 0) {
    msg->kind = SENXOR_MSG_RRSE;
    if (msg->from_host) {
      /* addresses, the list ends with FF */
      gboolean terminated = FALSE;
      if (n < 2 || n % 2 != 0)
        return FALSE;
      for (gsize i = 0; i + 2 <= n; i += 2) {
        gint32 a = parse_hex (c + i, 2);
        if (a < 0)
          return FALSE;
        if (a == 0xFF) {
          terminated = TRUE;
          break;
        }
        if (msg->n_regs >= SENXOR_RRSE_MAX)
          return FALSE;
        msg->regs[msg->n_regs++] = (guint8) a;
      }
      if (!terminated)
        return FALSE;
    } else {
      /* address/value pairs, no terminator */
      if (n % 4 != 0 || n / 4 > SENXOR_RRSE_MAX)
        return FALSE;
      for (gsize i = 0; i < n; i += 4) {
        gint32 a = parse_hex (c + i, 2), v = parse_hex (c + i + 2, 2);
        if (a < 0 || v < 0)
          return FALSE;
        msg->regs[msg->n_regs] = (guint8) a;
        msg->values[msg->n_regs++] = (guint8) v;
      }
    }
  } else if (memcmp (msg->command, "GFRA", 4) == 0) {
    msg->kind = SENXOR_MSG_GFRA;
  } else if (memcmp (msg->command, "SERR", 4) == 0) {
    msg->kind = SENXOR_MSG_SERR;
  } else {
    msg->kind = SENXOR_MSG_OTHER;
  }
  return TRUE;
}

static void
clear_message (SenxorMessage *msg)
{
  /* the register arrays are large: clear only the scalar fields */
  msg->kind = SENXOR_MSG_OTHER;
  msg->from_host = FALSE;
  msg->address = msg->value = 0;
  msg->has_address = msg->has_value = FALSE;
  msg->n_regs = 0;
  msg->contents = NULL;
  msg->contents_len = 0;
}

SenxorDecodeResult
senxor_decoder_next (SenxorDecoder *dec, SenxorMessage *msg, GError **error)
{
  g_return_val_if_fail (dec != NULL && msg != NULL, SENXOR_DECODE_ERROR);
  g_return_val_if_fail (error == NULL || *error == NULL, SENXOR_DECODE_ERROR);

  for (;;) {
    guint8 *p = dec->buf + dec->start;
    gsize avail = dec->end - dec->start;
    gint32 body_len, sum_field;
    gsize total;

    if (limits_reached (dec, error))
      return SENXOR_DECODE_ERROR;

    if (avail < SENXOR_PREFIX_LEN || memcmp (p, SENXOR_PREFIX, SENXOR_PREFIX_LEN) != 0) {
      /* misaligned: skip to the next prefix (or a partial one at the end) */
      const guint8 *hit = avail >= SENXOR_PREFIX_LEN ?
          memmem (p, avail, SENXOR_PREFIX, SENXOR_PREFIX_LEN) : NULL;
      gsize skip = hit ? (gsize) (hit - p) : avail - partial_prefix_len (p, avail);

      skip = MIN (skip, SENXOR_DECODER_GARBAGE_LIMIT - dec->garbage_since_good);
      if (skip == 0)
        return SENXOR_DECODE_NEED_MORE;
      discard (dec, skip);
      continue;
    }
    /* prefix, LLLL and the command decide whether this can be a message */
    if (avail < 12)
      return SENXOR_DECODE_NEED_MORE;
    body_len = parse_hex (p + 4, 4);
    if (body_len < 8 || !command_is_valid (p + 8)) {
      /* non-hex or too short a length, or no command: not a message */
      if (body_len < 8)
        dec->stats.bad_lengths++;
      else
        dec->stats.bad_commands++;
      drop_bad_message (dec);
      continue;
    }
    total = 8 + (gsize) body_len;
    if (avail < total)
      return SENXOR_DECODE_NEED_MORE;

    clear_message (msg);
    memcpy (msg->command, p + 8, 4);
    msg->command[4] = '\0';
    msg->contents = p + 12;
    msg->contents_len = (gsize) body_len - 8;

    if (memcmp (p + total - 4, "XXXX", 4) == 0) {
      msg->from_host = TRUE;
    } else {
      sum_field = parse_hex (p + total - 4, 4);
      if (sum_field < 0 || (guint16) sum_field != senxor_checksum (p + 4, total - 8)) {
        dec->stats.bad_checksums++;
        drop_bad_message (dec);
        continue;
      }
    }

    if (!parse_fields (msg)) {
      /* right checksum, wrong shape: treat like any corrupt message */
      dec->stats.bad_contents++;
      drop_bad_message (dec);
      continue;
    }

    /* A valid message: the stream is in sync again. */
    dec->bad_in_row = 0;
    dec->garbage_since_good = 0;
    dec->start += total;

    if (msg->kind == SENXOR_MSG_GFRA &&
        !senxor_frame_layout_from_contents_len (msg->contents_len, NULL)) {
      /* valid checksum, unknown layout: dropped, but the stream is in sync */
      g_debug ("decoder: dropped a GFRA of %" G_GSIZE_FORMAT " contents bytes "
          "(no known frame layout)", msg->contents_len);
      dec->stats.unknown_frames++;
      dec->stats.bytes_discarded += total;
      continue;
    }
    if (msg->kind == SENXOR_MSG_GFRA)
      dec->stats.frames++;
    dec->stats.messages++;
    return SENXOR_DECODE_MESSAGE;
  }
}
