/* Codec tests: golden vectors of docs/protocol.md, round trips of every message
 * kind and frame layout, chunking independence, resynchronisation and limits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <string.h>

#define S(str) ((const guint8 *) (str)), (sizeof (str) - 1)

/* ---- helpers ---- */

static void
assert_bytes (GByteArray *out, const char *expected)
{
  g_autofree char *got = g_strndup ((const char *) out->data, out->len);

  g_assert_cmpstr (got, ==, expected);
}

/* Decode exactly one message from a fresh decoder fed @data whole. */
static void
decode_one (const guint8 *data, gsize len, SenxorMessage *msg)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GError) error = NULL;
  SenxorDecoderStats st;

  senxor_decoder_feed (dec, data, len);
  g_assert_cmpint (senxor_decoder_next (dec, msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_no_error (error);
  /* contents point into the decoder: copy what the caller checks before it goes */
  if (msg->contents_len) {
    static guint8 copy[SENXOR_MAX_CONTENTS_LEN];
    memcpy (copy, msg->contents, msg->contents_len);
    msg->contents = copy;
  }
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.messages, ==, 1);
  g_assert_cmpuint (st.bytes_discarded, ==, 0);
  g_assert_cmpint (senxor_decoder_next (dec, msg, &error), ==, SENXOR_DECODE_NEED_MORE);
  g_assert_cmpuint (senxor_decoder_get_buffered (dec), ==, 0);
}

/* A GFRA message for @module: reserved bytes, an optional header, pixels
 * derived from @counter, the header CRC over the pixels. */
static void
append_frame (GByteArray *out, SenxorModule module, gboolean has_header, guint16 counter)
{
  SenxorFrameLayout l;
  gsize start = out->len;
  guint8 *c, *pixels;

  g_assert_true (senxor_frame_layout_for_module (module, has_header, &l));
  c = senxor_encode_gfra_begin (out, l.contents_len);
  g_assert_nonnull (c);
  memset (c, 0xA5, l.reserved_bytes);
  pixels = c + l.reserved_bytes + l.header_bytes;
  for (gsize i = 0; i < l.pixel_bytes / 2; i++) {
    guint16 v = (guint16) (2731 + (i * 7 + counter) % 400);
    pixels[2 * i] = v & 0xFF;
    pixels[2 * i + 1] = v >> 8;
  }
  if (has_header) {
    SenxorFrameHeader h = {
      .counter = counter, .vdd_raw = 33000, .die_temp_raw = 30315,
      .timestamp = 0x12345u + counter * 40u, .max_raw = 3130, .min_raw = 2731,
      .crc = senxor_crc16_ccitt (pixels, l.pixel_bytes),
    };
    memset (c + l.reserved_bytes, 0, l.header_bytes);
    senxor_frame_header_write (&h, c + l.reserved_bytes);
  }
  senxor_encode_finish (out, start);
}

/* ---- golden vectors ---- */

static void
test_golden_checksum (void)
{
  g_assert_cmphex (senxor_checksum (S ("0008WREG")), ==, 0x01FD);
  g_assert_cmphex (senxor_checksum (NULL, 0), ==, 0);
  /* "000ARREG5A": 3*'0' + 'A' + R R E G + '5' + 'A' = 631 */
  g_assert_cmphex (senxor_checksum (S ("000ARREG5A")), ==, 0x0277);
}

/* The vectorised checksum against the definition, at every length and
 * alignment up to 700 bytes (both vector paths and their tails), and on a
 * long run of 0xFF (carries). */
static void
test_checksum_matches_definition (void)
{
  g_autofree guint8 *buf = g_malloc (70000);
  g_autoptr (GRand) r = g_rand_new_with_seed (7);

  for (gsize i = 0; i < 70000; i++)
    buf[i] = (guint8) g_rand_int (r);
  for (gsize off = 0; off < 17; off++) {
    for (gsize len = 0; len < 700; len++) {
      guint32 sum = 0;
      for (gsize i = 0; i < len; i++)
        sum += buf[off + i];
      g_assert_cmphex (senxor_checksum (buf + off, len), ==, sum & 0xFFFF);
    }
  }
  memset (buf, 0xFF, 70000);
  g_assert_cmphex (senxor_checksum (buf, 70000), ==, (70000u * 255u) & 0xFFFF);
  g_assert_cmphex (senxor_checksum (buf + 3, 65535), ==, (65535u * 255u) & 0xFFFF);
}

static void
test_golden_encode (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  static const guint8 two[] = {0xB2, 0xB3};
  static const guint8 vals[] = {0x12, 0xAB};

  senxor_encode_wreg_ack (out);
  assert_bytes (out, "   #0008WREG01FD");
  g_byte_array_set_size (out, 0);
  senxor_encode_rreg (out, 0xB1);
  assert_bytes (out, "   #000ARREGB1XXXX");
  g_byte_array_set_size (out, 0);
  senxor_encode_wreg (out, 0xB1, 0x03);
  assert_bytes (out, "   #000CWREGB103XXXX");
  g_byte_array_set_size (out, 0);
  senxor_encode_rrse (out, two, 2);
  assert_bytes (out, "   #000ERRSEB2B3FFXXXX");
  g_byte_array_set_size (out, 0);
  senxor_encode_rreg_reply (out, 0x5A);
  assert_bytes (out, "   #000ARREG5A0277");
  g_byte_array_set_size (out, 0);
  /* "0008SERR" = 3*48 + 56 + 83 + 69 + 82 + 82 = 516 */
  senxor_encode_serr (out);
  assert_bytes (out, "   #0008SERR0204");
  g_byte_array_set_size (out, 0);
  /* "0010" 193 + "RRSE" 316 + "B212" 215 + "B3AB" 248 = 972 */
  senxor_encode_rrse_reply (out, two, vals, 2);
  assert_bytes (out, "   #0010RRSEB212B3AB03CC");
  g_byte_array_set_size (out, 0);
  /* appending: a second message goes after the first */
  senxor_encode_wreg_ack (out);
  senxor_encode_wreg_ack (out);
  assert_bytes (out, "   #0008WREG01FD   #0008WREG01FD");
}

/* RRSE request: LLLL = 2n + 10 for every n the encoder takes. */
static void
test_golden_rrse_length (void)
{
  guint8 addr[SENXOR_RRSE_MAX];

  for (guint i = 0; i < SENXOR_RRSE_MAX; i++)
    addr[i] = (guint8) i;
  for (guint n = 0; n < SENXOR_RRSE_MAX; n++) {
    g_autoptr (GByteArray) out = g_byte_array_new ();
    char lenhex[5];

    senxor_encode_rrse (out, addr, n);
    g_snprintf (lenhex, sizeof lenhex, "%04X", 2 * n + 10);
    g_assert_cmpmem (out->data + 4, 4, lenhex, 4);
    g_assert_cmpuint (out->len, ==, 8 + 2 * n + 10);
    g_assert_cmpmem (out->data + out->len - 6, 6, "FFXXXX", 6);
  }
}

/* GFRA body lengths: 0x2808 (MI08 with header), 0x9B08 (MI16 with header)
 * and the other four layouts by the same rule. */
static void
test_golden_gfra_lengths (void)
{
  static const struct {
    SenxorModule module;
    gboolean header;
    const char *llll;
  } cases[] = {
    {SENXOR_MODULE_MI08, TRUE, "2808"},   /* 10240 + 8 */
    {SENXOR_MODULE_MI08, FALSE, "2768"},  /* 10080 + 8 */
    {SENXOR_MODULE_MI16, TRUE, "9B08"},   /* 39680 + 8 */
    {SENXOR_MODULE_MI16, FALSE, "99C8"},  /* 39360 + 8 */
    {SENXOR_MODULE_MI05, TRUE, "1458"},   /* 5200 + 8 */
    {SENXOR_MODULE_MI05, FALSE, "13F4"},  /* 5100 + 8 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GByteArray) out = g_byte_array_new ();

    append_frame (out, cases[i].module, cases[i].header, 1);
    g_assert_cmpmem (out->data, 4, "   #", 4);
    g_assert_cmpmem (out->data + 4, 4, cases[i].llll, 4);
    g_assert_cmpmem (out->data + 8, 4, "GFRA", 4);
  }
}

static void
test_golden_decode (void)
{
  SenxorMessage msg;

  decode_one (S ("   #0008WREG01FD"), &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_WREG);
  g_assert_cmpstr (msg.command, ==, "WREG");
  g_assert_false (msg.from_host);
  g_assert_false (msg.has_address);
  g_assert_false (msg.has_value);
  g_assert_cmpuint (msg.contents_len, ==, 0);

  /* lower-case hex in LLLL and the checksum is accepted ("000aRREG5a" = 695) */
  decode_one (S ("   #000aRREG5a02b7"), &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RREG);
  g_assert_true (msg.has_value);
  g_assert_cmphex (msg.value, ==, 0x5A);
}

/* Older host software sent RREG{AA}XXXXXX with length 000C. */
static void
test_old_style_rreg (void)
{
  SenxorMessage msg;

  decode_one (S ("   #000CRREGB1XXXXXX"), &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RREG);
  g_assert_true (msg.from_host);
  g_assert_true (msg.has_address);
  g_assert_false (msg.has_value);
  g_assert_cmphex (msg.address, ==, 0xB1);

  decode_one (S ("   #000ARREGB1XXXX"), &msg);
  g_assert_true (msg.from_host);
  g_assert_cmphex (msg.address, ==, 0xB1);
}

/* ---- round trips of every message kind ---- */

static void
test_roundtrip_registers (void)
{
  for (guint a = 0; a < 256; a++) {
    g_autoptr (GByteArray) out = g_byte_array_new ();
    SenxorMessage msg;
    guint8 v = (guint8) (255 - a);

    senxor_encode_rreg (out, (guint8) a);
    decode_one (out->data, out->len, &msg);
    g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RREG);
    g_assert_true (msg.from_host);
    g_assert_true (msg.has_address);
    g_assert_cmpuint (msg.address, ==, a);

    g_byte_array_set_size (out, 0);
    senxor_encode_rreg_reply (out, (guint8) a);
    decode_one (out->data, out->len, &msg);
    g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RREG);
    g_assert_false (msg.from_host);
    g_assert_false (msg.has_address);
    g_assert_true (msg.has_value);
    g_assert_cmpuint (msg.value, ==, a);

    g_byte_array_set_size (out, 0);
    senxor_encode_wreg (out, (guint8) a, v);
    decode_one (out->data, out->len, &msg);
    g_assert_cmpint (msg.kind, ==, SENXOR_MSG_WREG);
    g_assert_true (msg.from_host);
    g_assert_true (msg.has_address && msg.has_value);
    g_assert_cmpuint (msg.address, ==, a);
    g_assert_cmpuint (msg.value, ==, v);
  }
}

static void
test_roundtrip_rrse (void)
{
  static const guint counts[] = {0, 1, 2, 7, 100, SENXOR_RRSE_MAX - 1, SENXOR_RRSE_MAX};
  guint8 addr[SENXOR_RRSE_MAX], vals[SENXOR_RRSE_MAX];

  for (guint i = 0; i < SENXOR_RRSE_MAX; i++) {
    addr[i] = (guint8) (i * 37 + 1);
    vals[i] = (guint8) (i ^ 0x5A);
  }
  /* a request list must not contain its own terminator */
  for (guint i = 0; i < SENXOR_RRSE_MAX; i++)
    if (addr[i] == 0xFF)
      addr[i] = 0xFE;

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++) {
    guint n = counts[c];
    g_autoptr (GByteArray) out = g_byte_array_new ();
    SenxorMessage msg;

    if (n < SENXOR_RRSE_MAX) {
      senxor_encode_rrse (out, addr, n);
      decode_one (out->data, out->len, &msg);
      g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RRSE);
      g_assert_true (msg.from_host);
      g_assert_cmpuint (msg.n_regs, ==, n);
      g_assert_cmpmem (msg.regs, n, addr, n);
    }

    g_byte_array_set_size (out, 0);
    senxor_encode_rrse_reply (out, addr, vals, n);
    decode_one (out->data, out->len, &msg);
    g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RRSE);
    g_assert_false (msg.from_host);
    g_assert_cmpuint (msg.n_regs, ==, n);
    g_assert_cmpmem (msg.regs, n, addr, n);
    g_assert_cmpmem (msg.values, n, vals, n);
  }
}

static void
test_roundtrip_serr_and_other (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  SenxorMessage msg;

  senxor_encode_serr (out);
  decode_one (out->data, out->len, &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_SERR);
  g_assert_false (msg.from_host);

  g_byte_array_set_size (out, 0);
  senxor_encode_wreg_ack (out);
  decode_one (out->data, out->len, &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_WREG);
  g_assert_false (msg.from_host);

  g_byte_array_set_size (out, 0);
  senxor_encode_message (out, "ABC1", S ("hello"), FALSE);
  decode_one (out->data, out->len, &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_OTHER);
  g_assert_cmpstr (msg.command, ==, "ABC1");
  g_assert_cmpmem (msg.contents, msg.contents_len, "hello", 5);

  g_byte_array_set_size (out, 0);
  senxor_encode_message (out, "PING", NULL, 0, TRUE);
  assert_bytes (out, "   #0008PINGXXXX");
  decode_one (out->data, out->len, &msg);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_OTHER);
  g_assert_true (msg.from_host);

  /* the largest contents the length field can carry */
  {
    g_autofree guint8 *big = g_malloc (SENXOR_MAX_CONTENTS_LEN);
    for (gsize i = 0; i < SENXOR_MAX_CONTENTS_LEN; i++)
      big[i] = (guint8) (i * 13);
    g_byte_array_set_size (out, 0);
    senxor_encode_message (out, "BIGM", big, SENXOR_MAX_CONTENTS_LEN, FALSE);
    g_assert_cmpmem (out->data + 4, 4, "FFFF", 4);
    decode_one (out->data, out->len, &msg);
    g_assert_cmpmem (msg.contents, msg.contents_len, big, SENXOR_MAX_CONTENTS_LEN);
  }
}

/* Every frame layout, through the zero-copy begin/finish encoder and
 * senxor_encode_gfra(), decodes to the same contents, layout and header. */
static void
test_roundtrip_frames (void)
{
  static const SenxorModule modules[] = {
    SENXOR_MODULE_MI08, SENXOR_MODULE_MI16, SENXOR_MODULE_MI05,
  };

  for (guint m = 0; m < G_N_ELEMENTS (modules); m++) {
    for (int h = 0; h < 2; h++) {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      g_autoptr (GByteArray) out2 = g_byte_array_new ();
      SenxorFrameLayout l, got;
      SenxorMessage msg;

      g_assert_true (senxor_frame_layout_for_module (modules[m], h, &l));
      append_frame (out, modules[m], h, 42);
      g_assert_cmpuint (out->len, ==, l.contents_len + SENXOR_MESSAGE_OVERHEAD);
      /* the one-call encoder gives the same bytes */
      senxor_encode_gfra (out2, out->data + 12, l.contents_len);
      g_assert_cmpmem (out->data, out->len, out2->data, out2->len);

      decode_one (out->data, out->len, &msg);
      g_assert_cmpint (msg.kind, ==, SENXOR_MSG_GFRA);
      g_assert_false (msg.from_host);
      g_assert_cmpuint (msg.contents_len, ==, l.contents_len);
      g_assert_cmpmem (msg.contents, msg.contents_len, out->data + 12, l.contents_len);
      g_assert_true (senxor_frame_layout_from_contents_len (msg.contents_len, &got));
      g_assert_cmpint (got.module, ==, modules[m]);
      g_assert_cmpint (got.has_header, ==, h);
      g_assert_cmpuint (got.width, ==, l.width);
      g_assert_cmpuint (got.height, ==, l.height);
      if (h) {
        SenxorFrameHeader hdr;
        const guint8 *pixels = msg.contents + got.reserved_bytes + got.header_bytes;

        senxor_frame_header_parse (msg.contents + got.reserved_bytes, &hdr);
        g_assert_cmpuint (hdr.counter, ==, 42);
        g_assert_cmpuint (hdr.timestamp, ==, 0x12345u + 42u * 40u);
        g_assert_cmpuint (hdr.crc, ==, senxor_crc16_ccitt (pixels, got.pixel_bytes));
      }
    }
  }
}

/* ---- chunking independence ---- */

typedef enum {
  FEED_WHOLE,
  FEED_BYTES,
  FEED_RANDOM,
  FEED_PREPARE,
} FeedMode;

/* Log every result of draining the decoder into @log. */
static void
drain (SenxorDecoder *dec, GString *log)
{
  for (;;) {
    g_autoptr (GError) error = NULL;
    SenxorMessage msg;
    SenxorDecodeResult r = senxor_decoder_next (dec, &msg, &error);

    if (r == SENXOR_DECODE_NEED_MORE) {
      g_assert_no_error (error);
      return;
    }
    if (r == SENXOR_DECODE_ERROR) {
      g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
      g_string_append (log, "error\n");
      continue;
    }
    g_assert_no_error (error);
    g_string_append_printf (log, "%s host=%d len=%" G_GSIZE_FORMAT " crc=%04x "
        "addr=%d:%02x val=%d:%02x n=%u", msg.command, msg.from_host,
        msg.contents_len, senxor_crc16_ccitt (msg.contents, msg.contents_len),
        msg.has_address, msg.address, msg.has_value, msg.value, msg.n_regs);
    for (guint i = 0; i < msg.n_regs; i++)
      g_string_append_printf (log, " %02x=%02x", msg.regs[i],
          msg.from_host ? 0 : msg.values[i]);
    g_string_append_c (log, '\n');
  }
}

/* Feed @data in the given way, draining after each piece; returns the log
 * followed by the statistics and what is left buffered. */
static char *
decode_stream (const guint8 *data, gsize len, FeedMode mode, guint32 seed)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  GString *log = g_string_new (NULL);
  SenxorDecoderStats st;
  gsize pos = 0;

  while (pos < len) {
    gsize n;

    switch (mode) {
      case FEED_WHOLE:
        n = len;
        break;
      case FEED_BYTES:
        n = 1;
        break;
      default:
        /* mostly small reads, sometimes large ones */
        n = g_rand_boolean (r) ? (gsize) g_rand_int_range (r, 1, 64) :
            (gsize) g_rand_int_range (r, 1, 70000);
        break;
    }
    n = MIN (n, len - pos);
    if (mode == FEED_PREPARE) {
      gsize avail = 0;
      guint8 *p = senxor_decoder_prepare (dec, n, &avail);
      g_assert_cmpuint (avail, >=, n);
      memcpy (p, data + pos, n);
      senxor_decoder_commit (dec, n);
    } else {
      senxor_decoder_feed (dec, data + pos, n);
    }
    pos += n;
    drain (dec, log);
  }
  senxor_decoder_get_stats (dec, &st);
  g_string_append_printf (log, "stats in=%" G_GUINT64_FORMAT " msgs=%" G_GUINT64_FORMAT
      " frames=%" G_GUINT64_FORMAT " discarded=%" G_GUINT64_FORMAT " bad_sum=%"
      G_GUINT64_FORMAT " bad_len=%" G_GUINT64_FORMAT " bad_cmd=%" G_GUINT64_FORMAT
      " bad_contents=%" G_GUINT64_FORMAT " unknown=%" G_GUINT64_FORMAT " errors=%"
      G_GUINT64_FORMAT " buffered=%" G_GSIZE_FORMAT "\n", st.bytes_in, st.messages,
      st.frames, st.bytes_discarded, st.bad_checksums, st.bad_lengths, st.bad_commands,
      st.bad_contents, st.unknown_frames, st.errors, senxor_decoder_get_buffered (dec));
  return g_string_free (log, FALSE);
}

static void
append_garbage (GByteArray *out, GRand *r, gsize n)
{
  /* random bytes, but never a prefix: spaces are replaced */
  for (gsize i = 0; i < n; i++) {
    guint8 b = (guint8) g_rand_int (r);
    if (b == ' ')
      b = '!';
    g_byte_array_append (out, &b, 1);
  }
}

static void
append_bad_checksum (GByteArray *out)
{
  gsize start = out->len;

  senxor_encode_rreg_reply (out, 0x42);
  out->data[out->len - 1] ^= 0x01;     /* still hex, wrong value */
  g_assert_cmpuint (out->len - start, ==, 18);
}

/* A stream with every kind of message and every kind of damage. */
static GByteArray *
build_mixed_stream (guint *n_good, guint *n_errors)
{
  GByteArray *s = g_byte_array_new ();
  g_autoptr (GRand) r = g_rand_new_with_seed (1234);
  static const guint8 addr[] = {0xB1, 0xB2, 0xB3, 0xBA};
  static const guint8 vals[] = {0x03, 0x12, 0x07, 0x06};
  guint good = 0;
  gsize at;

  senxor_encode_rreg (s, 0xB1), good++;
  senxor_encode_rreg_reply (s, 0x02), good++;
  senxor_encode_wreg (s, 0xB1, 0x03), good++;
  senxor_encode_wreg_ack (s), good++;
  senxor_encode_rrse (s, addr, 4), good++;
  senxor_encode_rrse_reply (s, addr, vals, 4), good++;
  senxor_encode_serr (s), good++;
  g_byte_array_append (s, S ("   #000CRREGBAXXXXXX")), good++;
  for (guint i = 0; i < 3; i++) {
    append_frame (s, SENXOR_MODULE_MI08, TRUE, (guint16) i), good++;
    append_frame (s, SENXOR_MODULE_MI16, i != 1, (guint16) i), good++;
    append_frame (s, SENXOR_MODULE_MI05, i != 2, (guint16) i), good++;
  }
  /* garbage: 150000 bytes make two errors (at 64 KiB and 128 KiB) */
  append_garbage (s, r, 150000);
  senxor_encode_wreg_ack (s), good++;
  /* five bad checksums in a row: one error, at the fourth */
  for (guint i = 0; i < 5; i++)
    append_bad_checksum (s);
  senxor_encode_wreg_ack (s), good++;
  /* a truncated frame: the messages after it are found when its window fails */
  at = s->len;
  append_frame (s, SENXOR_MODULE_MI16, TRUE, 7);
  g_byte_array_set_size (s, at + 20000);
  senxor_encode_rreg_reply (s, 0x11), good++;
  append_frame (s, SENXOR_MODULE_MI16, TRUE, 8), good++;
  append_frame (s, SENXOR_MODULE_MI16, TRUE, 9), good++;
  /* a non-hex length, a missing command, short garbage, wrong contents */
  g_byte_array_append (s, S ("   #00G8WREG01FD"));
  senxor_encode_rreg_reply (s, 0x22), good++;
  g_byte_array_append (s, S ("   #0008\x01\x02\x03\x04" "01FD"));
  g_byte_array_append (s, S ("hello  ## #"));
  senxor_encode_message (s, "RREG", S ("ZZ"), FALSE);
  senxor_encode_rreg_reply (s, 0x33), good++;
  /* a GFRA with a valid checksum but no known layout: dropped, in sync */
  senxor_encode_gfra (s, S ("not a frame"));
  senxor_encode_rreg_reply (s, 0x44), good++;
  for (guint i = 0; i < 4; i++)
    append_frame (s, SENXOR_MODULE_MI16, TRUE, (guint16) (100 + i)), good++;
  /* a partial message at the end stays buffered */
  at = s->len;
  append_frame (s, SENXOR_MODULE_MI08, TRUE, 99);
  g_byte_array_set_size (s, at + 3000);

  *n_good = good;
  *n_errors = 3;
  return s;
}

static guint
count_lines (const char *log, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i]; i++)
    if (lines[i][0] && (!prefix || g_str_has_prefix (lines[i], prefix)))
      n++;
  return n;
}

static void
test_chunking_identical (void)
{
  g_autoptr (GByteArray) s = NULL;
  g_autofree char *whole = NULL;
  guint n_good, n_errors;

  s = build_mixed_stream (&n_good, &n_errors);
  whole = decode_stream (s->data, s->len, FEED_WHOLE, 0);
  if (g_test_verbose ())
    g_printerr ("%s", whole);

  /* the reference result is right, not only consistent */
  g_assert_cmpuint (count_lines (whole, "error"), ==, n_errors);
  g_assert_cmpuint (count_lines (whole, NULL) - 1 - n_errors, ==, n_good);
  g_assert_cmpuint (count_lines (whole, "GFRA"), ==, 3 * 3 + 2 + 4);
  g_assert_nonnull (strstr (whole, "RREG host=0 len=2 crc=") );
  g_assert_nonnull (strstr (whole, " b1=03 b2=12 b3=07 ba=06\n"));
  g_assert_nonnull (strstr (whole, "bad_sum=6 bad_len=1 bad_cmd=1 bad_contents=1 "
          "unknown=1 errors=3 buffered=3000\n"));

  {
    g_autofree char *bytes = decode_stream (s->data, s->len, FEED_BYTES, 0);
    g_assert_cmpstr (bytes, ==, whole);
  }
  for (guint32 seed = 1; seed <= 6; seed++) {
    g_autofree char *random = decode_stream (s->data, s->len, FEED_RANDOM, seed);
    g_autofree char *prepared = decode_stream (s->data, s->len, FEED_PREPARE, seed);
    g_assert_cmpstr (random, ==, whole);
    g_assert_cmpstr (prepared, ==, whole);
  }
}

/* Random streams of random pieces: every chunking gives the same result. */
static void
test_chunking_random_streams (void)
{
  for (guint32 seed = 1; seed <= 20; seed++) {
    g_autoptr (GRand) r = g_rand_new_with_seed (seed);
    g_autoptr (GByteArray) s = g_byte_array_new ();
    g_autofree char *whole = NULL;
    guint pieces = (guint) g_rand_int_range (r, 5, 60);

    for (guint i = 0; i < pieces; i++) {
      switch (g_rand_int_range (r, 0, 8)) {
        case 0:
          append_garbage (s, r, (gsize) g_rand_int_range (r, 1, 3000));
          break;
        case 1:
          append_bad_checksum (s);
          break;
        case 2:
          senxor_encode_rreg_reply (s, (guint8) g_rand_int (r));
          break;
        case 3:
          senxor_encode_wreg (s, (guint8) g_rand_int (r), (guint8) g_rand_int (r));
          break;
        case 4:
          append_frame (s, SENXOR_MODULE_MI05, g_rand_boolean (r), (guint16) i);
          break;
        case 5:
          append_frame (s, SENXOR_MODULE_MI08, g_rand_boolean (r), (guint16) i);
          break;
        case 6:
          g_byte_array_append (s, S ("   #"));
          break;
        default: {
          /* a message cut short */
          gsize at = s->len;
          append_frame (s, SENXOR_MODULE_MI05, TRUE, (guint16) i);
          g_byte_array_set_size (s, at + (gsize) g_rand_int_range (r, 1, 5200));
          break;
        }
      }
    }
    whole = decode_stream (s->data, s->len, FEED_WHOLE, 0);
    {
      g_autofree char *bytes = decode_stream (s->data, s->len, FEED_BYTES, 0);
      g_autofree char *random = decode_stream (s->data, s->len, FEED_RANDOM, seed);
      g_autofree char *prepared = decode_stream (s->data, s->len, FEED_PREPARE, seed + 1);
      g_assert_cmpstr (bytes, ==, whole);
      g_assert_cmpstr (random, ==, whole);
      g_assert_cmpstr (prepared, ==, whole);
    }
  }
}

/* ---- resynchronisation: the good message after the damage is decoded ---- */

typedef struct {
  const char *name;
  const guint8 *bad;
  gsize bad_len;
  /* expected counters after the good message */
  guint64 bad_checksums, bad_lengths, bad_commands, bad_contents;
} DamageCase;

static void
check_damage_then_good (const DamageCase *c)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) good = g_byte_array_new ();
  SenxorDecoderStats st;
  SenxorMessage msg;

  senxor_encode_rreg_reply (good, 0xC3);
  senxor_decoder_feed (dec, c->bad, c->bad_len);
  senxor_decoder_feed (dec, good->data, good->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_no_error (error);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_RREG);
  g_assert_cmphex (msg.value, ==, 0xC3);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_NEED_MORE);

  senxor_decoder_get_stats (dec, &st);
  g_test_message ("%s: discarded %" G_GUINT64_FORMAT, c->name, st.bytes_discarded);
  g_assert_cmpuint (st.messages, ==, 1);
  g_assert_cmpuint (st.bytes_in, ==, c->bad_len + good->len);
  /* everything before the good message was dropped */
  g_assert_cmpuint (st.bytes_discarded, ==, c->bad_len);
  g_assert_cmpuint (st.bad_checksums, ==, c->bad_checksums);
  g_assert_cmpuint (st.bad_lengths, ==, c->bad_lengths);
  g_assert_cmpuint (st.bad_commands, ==, c->bad_commands);
  g_assert_cmpuint (st.bad_contents, ==, c->bad_contents);
  g_assert_cmpuint (st.errors, ==, 0);
}

static void
test_resync (void)
{
  static const DamageCase cases[] = {
    {"garbage", S ("hello, world"), 0, 0, 0, 0},
    {"spaces", S ("  #  # #"), 0, 0, 0, 0},
    {"bad checksum", S ("   #0008WREG01FE"), 1, 0, 0, 0},
    {"non-hex checksum", S ("   #0008WREG01FG"), 1, 0, 0, 0},
    {"non-hex length", S ("   #00G8WREG01FD"), 0, 1, 0, 0},
    {"length too short", S ("   #0004WREG"), 0, 1, 0, 0},
    {"no command", S ("   #0008\x01WRG01FD"), 0, 0, 1, 0},
    /* valid checksum, but a device RREG reply must be two hex digits */
    {"wrong contents", S ("   #000ARREGZZ02B5"), 0, 0, 0, 1},
    /* cut short: the next message's prefix lands in its checksum field */
    {"truncated", S ("   #000ARREG5A"), 1, 0, 0, 0},
    {"truncated prefix", S ("   "), 0, 0, 0, 0},
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_damage_then_good (&cases[i]);
}

/* The "wrong contents" vector above has a valid checksum: check that claim,
 * so that the case really exercises the contents check. */
static void
test_resync_vector_checksums (void)
{
  /* 144 + 'A' 65 + "RREG" 304 + "ZZ" 180 = 693 */
  g_assert_cmphex (senxor_checksum (S ("000ARREGZZ")), ==, 0x02B5);
}

/* A length that claims more than is there: the messages inside its window are
 * still found once the window's checksum fails. */
static void
test_resync_long_false_length (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) s = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  SenxorDecoderStats st;
  SenxorMessage msg;
  guint n = 0;

  g_byte_array_append (s, S ("   #0100GFRA"));
  for (guint i = 0; i < 20; i++)
    senxor_encode_rreg_reply (s, (guint8) i);
  senxor_decoder_feed (dec, s->data, s->len);
  while (senxor_decoder_next (dec, &msg, &error) == SENXOR_DECODE_MESSAGE) {
    g_assert_cmpuint (msg.value, ==, n);
    n++;
  }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 20);
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.bad_checksums, ==, 1);
  g_assert_cmpuint (st.bytes_discarded, ==, 12);
}

/* A GFRA with a valid checksum and an unknown length is dropped but counts as
 * in sync: it resets the bad-message run. */
static void
test_unknown_frame (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) s = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  guint8 odd[10079];
  SenxorDecoderStats st;
  SenxorMessage msg;

  memset (odd, 7, sizeof odd);
  for (guint i = 0; i < 3; i++)
    append_bad_checksum (s);
  senxor_encode_gfra (s, odd, sizeof odd);
  for (guint i = 0; i < 3; i++)
    append_bad_checksum (s);
  append_frame (s, SENXOR_MODULE_MI08, FALSE, 5);
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_no_error (error);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_GFRA);
  g_assert_cmpuint (msg.contents_len, ==, 10080);
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.unknown_frames, ==, 1);
  g_assert_cmpuint (st.frames, ==, 1);
  g_assert_cmpuint (st.messages, ==, 1);
  g_assert_cmpuint (st.bad_checksums, ==, 6);
  g_assert_cmpuint (st.errors, ==, 0);
  g_assert_cmpuint (st.bytes_discarded, ==, 6 * 18 + sizeof odd + 16);
}

/* ---- limits ---- */

static void
test_limit_garbage (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) good = g_byte_array_new ();
  g_autofree guint8 *junk = g_malloc (4 * SENXOR_DECODER_GARBAGE_LIMIT);
  SenxorDecoderStats st;
  SenxorMessage msg;
  guint errors = 0;

  memset (junk, 'a', 4 * SENXOR_DECODER_GARBAGE_LIMIT);
  senxor_encode_wreg_ack (good);

  /* one byte short of the limit: fine */
  senxor_decoder_feed (dec, junk, SENXOR_DECODER_GARBAGE_LIMIT - 1);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);
  /* a good message resets the count */
  senxor_decoder_feed (dec, good->data, good->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_MESSAGE);
  senxor_decoder_feed (dec, junk, SENXOR_DECODER_GARBAGE_LIMIT - 1);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);
  /* the limit itself */
  senxor_decoder_feed (dec, junk, 1);
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_ERROR);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "65536 bytes"));
  }
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);

  /* still usable */
  senxor_decoder_feed (dec, good->data, good->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_MESSAGE);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_WREG);

  /* 4 limits' worth fed at once: one error per 64 KiB, then the message */
  senxor_decoder_feed (dec, junk, 4 * SENXOR_DECODER_GARBAGE_LIMIT);
  senxor_decoder_feed (dec, good->data, good->len);
  for (;;) {
    g_autoptr (GError) error = NULL;
    SenxorDecodeResult r = senxor_decoder_next (dec, &msg, &error);
    if (r != SENXOR_DECODE_ERROR) {
      g_assert_cmpint (r, ==, SENXOR_DECODE_MESSAGE);
      break;
    }
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
    errors++;
  }
  g_assert_cmpuint (errors, ==, 4);
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.errors, ==, 5);
  g_assert_cmpuint (st.messages, ==, 3);
  g_assert_cmpuint (st.bytes_discarded, ==, 6 * SENXOR_DECODER_GARBAGE_LIMIT - 1);
}

static void
test_limit_bad_in_row (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) s = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  SenxorDecoderStats st;
  SenxorMessage msg;

  /* three bad, a good one, three bad again: no error (not in a row) */
  for (guint i = 0; i < SENXOR_DECODER_BAD_LIMIT - 1; i++)
    append_bad_checksum (s);
  senxor_encode_rreg_reply (s, 1);
  for (guint i = 0; i < SENXOR_DECODER_BAD_LIMIT - 1; i++)
    append_bad_checksum (s);
  senxor_encode_rreg_reply (s, 2);
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_cmpuint (msg.value, ==, 1);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_cmpuint (msg.value, ==, 2);
  g_assert_no_error (error);

  /* four in a row, of mixed kinds: an error, then the next good message */
  g_byte_array_set_size (s, 0);
  append_bad_checksum (s);
  g_byte_array_append (s, S ("   #ZZZZ"));
  senxor_encode_message (s, "WREG", S ("12"), FALSE);      /* wrong contents */
  append_bad_checksum (s);
  senxor_encode_rreg_reply (s, 3);
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_ERROR);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "4 corrupt messages"));
  g_clear_error (&error);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_no_error (error);
  g_assert_cmpuint (msg.value, ==, 3);
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.errors, ==, 1);
  g_assert_cmpuint (st.bad_checksums, ==, 8);
  g_assert_cmpuint (st.bad_lengths, ==, 1);
  g_assert_cmpuint (st.bad_contents, ==, 1);

  /* eight in a row: two errors */
  g_byte_array_set_size (s, 0);
  for (guint i = 0; i < 2 * SENXOR_DECODER_BAD_LIMIT; i++)
    append_bad_checksum (s);
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_ERROR);
  g_clear_error (&error);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_ERROR);
  g_clear_error (&error);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_NEED_MORE);
  g_assert_no_error (error);
}

/* reset() forgets buffered bytes and the limit counters, not the stats */
static void
test_reset (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) s = g_byte_array_new ();
  SenxorDecoderStats st;
  SenxorMessage msg;

  for (guint i = 0; i < SENXOR_DECODER_BAD_LIMIT - 1; i++)
    append_bad_checksum (s);
  g_byte_array_append (s, S ("   #0008WR"));
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);
  g_assert_cmpuint (senxor_decoder_get_buffered (dec), ==, 10);
  senxor_decoder_reset (dec);
  g_assert_cmpuint (senxor_decoder_get_buffered (dec), ==, 0);
  /* the run of bad messages was forgotten: one more is no error */
  g_byte_array_set_size (s, 0);
  append_bad_checksum (s);
  senxor_encode_wreg_ack (s);
  senxor_decoder_feed (dec, s->data, s->len);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_MESSAGE);
  senxor_decoder_get_stats (dec, &st);
  g_assert_cmpuint (st.bad_checksums, ==, SENXOR_DECODER_BAD_LIMIT);
  g_assert_cmpuint (st.errors, ==, 0);
}

/* prepare() hands out at least what was asked, keeps buffered bytes, and
 * a message split across prepare/commit calls decodes. */
static void
test_prepare_commit (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) s = g_byte_array_new ();
  SenxorMessage msg;
  gsize avail = 0;
  guint8 *p;

  append_frame (s, SENXOR_MODULE_MI16, TRUE, 1);
  p = senxor_decoder_prepare (dec, 100, &avail);
  g_assert_cmpuint (avail, >=, 100);
  memcpy (p, s->data, 100);
  senxor_decoder_commit (dec, 100);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);
  /* more than the decoder holds: it grows and keeps the first 100 bytes */
  p = senxor_decoder_prepare (dec, 200000, &avail);
  g_assert_cmpuint (avail, >=, 200000);
  memcpy (p, s->data + 100, s->len - 100);
  senxor_decoder_commit (dec, s->len - 100);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_MESSAGE);
  g_assert_cmpmem (msg.contents, msg.contents_len, s->data + 12, s->len - 16);
  /* committing nothing is fine */
  senxor_decoder_prepare (dec, 0, &avail);
  senxor_decoder_commit (dec, 0);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, NULL), ==, SENXOR_DECODE_NEED_MORE);
}

/* Misuse is reported and does not corrupt memory. */
static void
test_encoder_misuse (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autofree guint8 *big = g_malloc0 (SENXOR_MAX_CONTENTS_LEN + 1);
  guint8 addr[SENXOR_RRSE_MAX] = {0};

  g_test_expect_message ("senxor", G_LOG_LEVEL_CRITICAL, "*SENXOR_MAX_CONTENTS_LEN*");
  senxor_encode_message (out, "BIGM", big, SENXOR_MAX_CONTENTS_LEN + 1, FALSE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 0);

  g_test_expect_message ("senxor", G_LOG_LEVEL_CRITICAL, "*SENXOR_MAX_CONTENTS_LEN*");
  g_assert_null (senxor_encode_gfra_begin (out, SENXOR_MAX_CONTENTS_LEN + 1));
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 0);

  g_test_expect_message ("senxor", G_LOG_LEVEL_CRITICAL, "*SENXOR_RRSE_MAX*");
  senxor_encode_rrse (out, addr, SENXOR_RRSE_MAX);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 0);

  g_test_expect_message ("senxor", G_LOG_LEVEL_CRITICAL, "*command_is_valid*");
  senxor_encode_message (out, "A B ", NULL, 0, FALSE);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (out->len, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/codec/golden/checksum", test_golden_checksum);
  g_test_add_func ("/codec/golden/checksum-definition", test_checksum_matches_definition);
  g_test_add_func ("/codec/golden/encode", test_golden_encode);
  g_test_add_func ("/codec/golden/rrse-length", test_golden_rrse_length);
  g_test_add_func ("/codec/golden/gfra-lengths", test_golden_gfra_lengths);
  g_test_add_func ("/codec/golden/decode", test_golden_decode);
  g_test_add_func ("/codec/golden/old-style-rreg", test_old_style_rreg);
  g_test_add_func ("/codec/roundtrip/registers", test_roundtrip_registers);
  g_test_add_func ("/codec/roundtrip/rrse", test_roundtrip_rrse);
  g_test_add_func ("/codec/roundtrip/serr-other", test_roundtrip_serr_and_other);
  g_test_add_func ("/codec/roundtrip/frames", test_roundtrip_frames);
  g_test_add_func ("/codec/chunking/mixed-stream", test_chunking_identical);
  g_test_add_func ("/codec/chunking/random-streams", test_chunking_random_streams);
  g_test_add_func ("/codec/resync/damage", test_resync);
  g_test_add_func ("/codec/resync/vector-checksums", test_resync_vector_checksums);
  g_test_add_func ("/codec/resync/long-false-length", test_resync_long_false_length);
  g_test_add_func ("/codec/resync/unknown-frame", test_unknown_frame);
  g_test_add_func ("/codec/limits/garbage", test_limit_garbage);
  g_test_add_func ("/codec/limits/bad-in-row", test_limit_bad_in_row);
  g_test_add_func ("/codec/decoder/reset", test_reset);
  g_test_add_func ("/codec/decoder/prepare-commit", test_prepare_commit);
  g_test_add_func ("/codec/encoder/misuse", test_encoder_misuse);
  return g_test_run ();
}
