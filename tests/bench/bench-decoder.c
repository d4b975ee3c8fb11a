/* Benchmark: decoder throughput on a stream of MI16 frames, against memcpy of
 * the same bytes in the same run.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Usage: bench-decoder [READ-SIZE [RUNS]]   (defaults 4096 bytes, 31 runs)
 *
 * The stream is what a streaming MI16 camera sends: GFRA messages of 39696
 * bytes.  It is delivered in READ-SIZE pieces, as a transport's read() would.
 *   memcpy:          each piece copied into a 64 KiB buffer (the least a
 *                    transport does with bytes it reads);
 *   feed:            senxor_decoder_feed() each piece, then decode all frames;
 *   prepare/commit:  copy each piece into senxor_decoder_prepare()'s room
 *                    (standing in for read() into it), commit, decode.
 * Each figure is the median of RUNS runs; the ratio is decoder / memcpy
 * throughput (target: >= 0.5).
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FRAMES_PER_PASS 64
#define PASSES 4
#define SINK_SIZE (64 * 1024)

static guint8 sink[SINK_SIZE];

static double
now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
barrier (void *p)
{
  __asm__ volatile ("" : : "r" (p) : "memory");
}

static GByteArray *
make_stream (void)
{
  GByteArray *s = g_byte_array_new ();
  SenxorFrameLayout l;

  senxor_frame_layout_for_module (SENXOR_MODULE_MI16, TRUE, &l);
  for (guint f = 0; f < FRAMES_PER_PASS; f++) {
    gsize start = s->len;
    guint8 *c = senxor_encode_gfra_begin (s, l.contents_len);
    SenxorFrameHeader h = {.counter = (guint16) f, .vdd_raw = 33000,
      .die_temp_raw = 30315, .timestamp = f * 33u};
    guint16 *px;

    memset (c, 0, l.reserved_bytes + l.header_bytes);
    senxor_frame_header_write (&h, c + l.reserved_bytes);
    px = (guint16 *) (c + l.reserved_bytes + l.header_bytes);
    for (gsize i = 0; i < l.pixel_bytes / 2; i++)
      px[i] = GUINT16_TO_LE ((guint16) (2950 + (i * 31 + f * 7) % 600));
    senxor_encode_finish (s, start);
  }
  return s;
}

typedef enum {
  RUN_MEMCPY,
  RUN_FEED,
  RUN_PREPARE,
} RunKind;

static double
run_once (RunKind kind, const guint8 *data, gsize len, gsize chunk, SenxorDecoder *dec)
{
  guint64 frames = 0;
  double t0 = now ();

  for (guint pass = 0; pass < PASSES; pass++) {
    gsize sink_pos = 0;

    for (gsize pos = 0; pos < len; pos += chunk) {
      gsize n = MIN (chunk, len - pos);
      SenxorMessage msg;

      switch (kind) {
        case RUN_MEMCPY:
          if (sink_pos + n > SINK_SIZE)
            sink_pos = 0;
          memcpy (sink + sink_pos, data + pos, n);
          sink_pos += n;
          barrier (sink);
          continue;
        case RUN_FEED:
          senxor_decoder_feed (dec, data + pos, n);
          break;
        case RUN_PREPARE: {
          guint8 *p = senxor_decoder_prepare (dec, n, NULL);
          memcpy (p, data + pos, n);
          senxor_decoder_commit (dec, n);
          break;
        }
      }
      while (senxor_decoder_next (dec, &msg, NULL) == SENXOR_DECODE_MESSAGE) {
        barrier ((void *) msg.contents);
        frames++;
      }
    }
  }
  if (kind != RUN_MEMCPY && frames != (guint64) FRAMES_PER_PASS * PASSES) {
    fprintf (stderr, "bench-decoder: decoded %" G_GUINT64_FORMAT " frames, expected %d\n",
        frames, FRAMES_PER_PASS * PASSES);
    exit (1);
  }
  return now () - t0;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autoptr (GByteArray) stream = make_stream ();
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  gsize chunk = argc > 1 ? (gsize) g_ascii_strtoull (argv[1], NULL, 10) : 4096;
  guint runs = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 31;
  static const char *names[] = {"memcpy", "decoder feed", "decoder prepare/commit"};
  double median[3], mbs[3];
  double total_mb = (double) stream->len * PASSES / 1e6;
  g_autofree double *t = NULL;

  if (chunk == 0 || runs == 0) {
    fprintf (stderr, "usage: %s [READ-SIZE [RUNS]]\n", argv[0]);
    return 2;
  }
  t = g_new (double, runs);

  /* warm up caches and the decoder's buffer */
  for (int k = 0; k < 3; k++)
    run_once ((RunKind) k, stream->data, stream->len, chunk, dec);

  /* interleave the kinds so that machine noise hits all of them alike */
  {
    g_autofree double *all = g_new (double, 3 * runs);
    for (guint r = 0; r < runs; r++)
      for (int k = 0; k < 3; k++)
        all[k * runs + r] = run_once ((RunKind) k, stream->data, stream->len, chunk, dec);
    for (int k = 0; k < 3; k++) {
      memcpy (t, all + k * runs, runs * sizeof (double));
      qsort (t, runs, sizeof (double), compare_double);
      median[k] = t[runs / 2];
      mbs[k] = total_mb / median[k];
    }
  }

  printf ("bench-decoder: MI16 frames of %u bytes, %d frames x %d passes "
      "(%.1f MB) per run, %" G_GSIZE_FORMAT "-byte reads, median of %u runs\n",
      (guint) (stream->len / FRAMES_PER_PASS), FRAMES_PER_PASS, PASSES, total_mb,
      chunk, runs);
  printf ("  %-24s %10s %12s %8s\n", "path", "MB/s", "us/frame", "ratio");
  for (int k = 0; k < 3; k++)
    printf ("  %-24s %10.0f %12.2f %8.2f\n", names[k], mbs[k],
        median[k] * 1e6 / (FRAMES_PER_PASS * PASSES), mbs[k] / mbs[0]);
  printf ("  target: decoder >= 0.50 x memcpy: feed %s, prepare/commit %s\n",
      mbs[1] / mbs[0] >= 0.5 ? "met" : "MISSED",
      mbs[2] / mbs[0] >= 0.5 ? "met" : "MISSED");
  return 0;
}
