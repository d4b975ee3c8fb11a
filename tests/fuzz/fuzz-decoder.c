/* libFuzzer target: the incremental message decoder.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Arbitrary device bytes must never crash or hang the decoder, and the
 * decoder's central promise is checked as an oracle on every input: feeding
 * the bytes whole, in pseudo-random chunks, or through prepare/commit gives
 * the same messages, errors and statistics.  Byte accounting must balance:
 * bytes fed = bytes of reported messages + bytes discarded + bytes buffered.
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-target.h"

typedef struct {
  guint64 hash;
  guint64 messages;
  guint64 errors;
  guint64 message_bytes;
} Digest;

static void
digest_add (Digest *d, const void *data, gsize len)
{
  const guint8 *p = data;

  /* FNV-1a */
  for (gsize i = 0; i < len; i++) {
    d->hash ^= p[i];
    d->hash *= 0x100000001B3ull;
  }
}

static void
fail (const char *what)
{
  fprintf (stderr, "fuzz-decoder: invariant broken: %s\n", what);
  abort ();
}

static void
check_message (const SenxorMessage *msg)
{
  if (msg->contents_len > SENXOR_MAX_CONTENTS_LEN)
    fail ("contents longer than a length field can say");
  if (msg->contents_len > 0 && msg->contents == NULL)
    fail ("contents missing");
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isalnum (msg->command[i]))
      fail ("command is not 4 letters or digits");
  if (msg->command[4] != '\0')
    fail ("command not terminated");
  if (msg->n_regs > SENXOR_RRSE_MAX)
    fail ("too many RRSE registers");
  switch (msg->kind) {
    case SENXOR_MSG_GFRA:
      if (!senxor_frame_layout_from_contents_len (msg->contents_len, NULL))
        fail ("GFRA with an unknown layout was reported");
      break;
    case SENXOR_MSG_RREG:
      if (msg->from_host ? !msg->has_address : !msg->has_value)
        fail ("RREG without its field");
      break;
    case SENXOR_MSG_WREG:
      if (msg->from_host != msg->has_address || msg->from_host != msg->has_value)
        fail ("WREG fields do not match its direction");
      break;
    default:
      break;
  }
}

static void
drain (SenxorDecoder *dec, Digest *d)
{
  for (;;) {
    GError *error = NULL;
    SenxorMessage msg;
    SenxorDecodeResult r = senxor_decoder_next (dec, &msg, &error);

    if (r == SENXOR_DECODE_NEED_MORE) {
      if (error)
        fail ("NEED_MORE with an error");
      return;
    }
    if (r == SENXOR_DECODE_ERROR) {
      if (!g_error_matches (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL))
        fail ("an error that is not SENXOR_ERROR_PROTOCOL");
      g_error_free (error);
      d->errors++;
      digest_add (d, "E", 1);
      continue;
    }
    if (r != SENXOR_DECODE_MESSAGE || error)
      fail ("unexpected result");
    check_message (&msg);
    d->messages++;
    d->message_bytes += msg.contents_len + SENXOR_MESSAGE_OVERHEAD;
    digest_add (d, "M", 1);
    digest_add (d, &msg.kind, sizeof msg.kind);
    digest_add (d, msg.command, 4);
    digest_add (d, &msg.from_host, sizeof msg.from_host);
    digest_add (d, &msg.address, 1);
    digest_add (d, &msg.value, 1);
    digest_add (d, &msg.n_regs, sizeof msg.n_regs);
    digest_add (d, msg.regs, msg.n_regs);
    if (!msg.from_host)
      digest_add (d, msg.values, msg.n_regs);
    digest_add (d, &msg.contents_len, sizeof msg.contents_len);
    if (msg.contents_len)
      digest_add (d, msg.contents, msg.contents_len);
  }
}

typedef enum {
  MODE_WHOLE,
  MODE_CHUNKS,
  MODE_PREPARE,
} Mode;

/* @after - @before, field by field (every field is a guint64 counter) */
static void
stats_diff (const SenxorDecoderStats *before, SenxorDecoderStats *after)
{
  const guint64 *b = (const guint64 *) before;
  guint64 *a = (guint64 *) after;

  G_STATIC_ASSERT (sizeof (SenxorDecoderStats) % sizeof (guint64) == 0);
  for (gsize i = 0; i < sizeof (SenxorDecoderStats) / sizeof (guint64); i++)
    a[i] -= b[i];
}

static void
run (const guint8 *data, gsize size, Mode mode, guint32 seed, Digest *d,
    SenxorDecoderStats *st)
{
  /* one decoder per mode for the whole fuzzing session, reset before each
   * input (which is what a session does on reconnect); statistics are
   * cumulative, so compare the difference */
  static SenxorDecoder *decoders[3];
  SenxorDecoder *dec;
  SenxorDecoderStats before;
  guint32 x = seed | 1;
  gsize pos = 0;

  if (!decoders[mode])
    decoders[mode] = senxor_decoder_new ();
  dec = decoders[mode];
  senxor_decoder_reset (dec);
  senxor_decoder_get_stats (dec, &before);

  memset (d, 0, sizeof *d);
  d->hash = 0xCBF29CE484222325ull;
  while (pos < size) {
    gsize n = size - pos;

    if (mode != MODE_WHOLE) {
      /* xorshift: chunks of 1 .. 64 bytes, sometimes up to 4 KiB */
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      n = MIN (n, (x & 0x100) ? 1 + (x >> 20) % 4096 : 1 + (x >> 24) % 64);
    }
    if (mode == MODE_PREPARE) {
      gsize avail = 0;
      guint8 *p = senxor_decoder_prepare (dec, n, &avail);
      if (avail < n)
        fail ("prepare gave less room than asked");
      memcpy (p, data + pos, n);
      senxor_decoder_commit (dec, n);
    } else {
      senxor_decoder_feed (dec, data + pos, n);
    }
    pos += n;
    drain (dec, d);
  }
  senxor_decoder_get_stats (dec, st);
  stats_diff (&before, st);
  if (st->bytes_in != size)
    fail ("bytes_in differs from the bytes fed");
  if (st->messages != d->messages || st->errors != d->errors)
    fail ("statistics disagree with what was reported");
  if (d->message_bytes + st->bytes_discarded + senxor_decoder_get_buffered (dec) != size)
    fail ("bytes fed != message bytes + discarded + buffered");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  Digest whole, chunks, prepared;
  SenxorDecoderStats st_whole, st_chunks, st_prepared;
  guint32 seed = (guint32) size * 2654435761u;

  if (size > 0)
    seed ^= data[0] | (guint32) data[size - 1] << 8;
  run (data, size, MODE_WHOLE, 0, &whole, &st_whole);
  run (data, size, MODE_CHUNKS, seed, &chunks, &st_chunks);
  run (data, size, MODE_PREPARE, seed ^ 0x9E3779B9u, &prepared, &st_prepared);
  if (memcmp (&whole, &chunks, sizeof whole) != 0 ||
      memcmp (&whole, &prepared, sizeof whole) != 0)
    fail ("chunked feeding decoded differently from whole feeding");
  if (memcmp (&st_whole, &st_chunks, sizeof st_whole) != 0 ||
      memcmp (&st_whole, &st_prepared, sizeof st_whole) != 0)
    fail ("chunked feeding counted differently from whole feeding");
  return 0;
}
