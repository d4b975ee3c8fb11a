/* libFuzzer target: the emulator's host side.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Input: one configuration byte (bits 0-1 module, bit 2 fast, bit 3
 * nomodule, bits 4-5 scene), then records: a byte with bit 7 set advances
 * the injected clock by (byte & 0x7F) * 5 ms; any other byte n is followed
 * by up to n bytes the host sends.  After each record the device's output
 * is read.
 *
 * Whatever the host sends, the emulator must not crash or hang, and with no
 * faults configured everything it sends must decode cleanly: no garbage, no
 * bad checksum, only device messages, frames of its own module (none with
 * nomodule).  And next_event_us() must agree with produce(): when it says
 * nothing is due yet, produce() gives nothing.
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-target.h"

static void
fail (const char *what)
{
  fprintf (stderr, "fuzz-emulator: invariant broken: %s\n", what);
  abort ();
}

static void
drain (SenxorEmulator *emu, SenxorDecoder *dec, gint64 now, SenxorModule module,
    gboolean nomodule)
{
  static guint8 buf[16384];
  static SenxorMessage msg;
  gsize budget = 4 * 40000;     /* fast mode never runs dry: a few frames */

  for (;;) {
    gint64 next = senxor_emulator_next_event_us (emu, now);
    gsize n = senxor_emulator_produce (emu, now, buf, sizeof buf);
    SenxorDecodeResult r;

    if (next > now && n > 0)
      fail ("next_event_us said later but produce gave bytes");
    if (n == 0)
      break;
    senxor_decoder_feed (dec, buf, n);
    while ((r = senxor_decoder_next (dec, &msg, NULL)) != SENXOR_DECODE_NEED_MORE) {
      SenxorFrameLayout l;

      if (r == SENXOR_DECODE_ERROR)
        fail ("the device sent something the decoder rejects");
      if (msg.from_host)
        fail ("the device sent a host request");
      switch (msg.kind) {
        case SENXOR_MSG_GFRA:
          if (nomodule)
            fail ("a frame without a sensor module");
          if (!senxor_frame_layout_from_contents_len (msg.contents_len, &l) ||
              l.module != module)
            fail ("a frame of another module");
          break;
        case SENXOR_MSG_RREG:
        case SENXOR_MSG_WREG:
        case SENXOR_MSG_RRSE:
        case SENXOR_MSG_SERR:
          break;
        default:
          fail ("an unknown command from the device");
      }
    }
    if (n >= budget)
      break;
    budget -= n;
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const modules[] = { "mi08", "mi16", "mi05", "mi05" };
  static const char *const scenes[] = { "people", "hotspot", "gradient", "flat" };
  g_autofree char *options = NULL;
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autoptr (SenxorDecoder) dec = NULL;
  SenxorDecoderStats st;
  gboolean nomodule;
  SenxorModule module;
  gint64 now = 1000000;
  gsize i = 1;

  if (size < 1)
    return 0;
  nomodule = (data[0] & 8) != 0;
  options = g_strdup_printf ("module=%s&fast=%d&nomodule=%d&scene=%s&seed=%u",
      modules[data[0] & 3], (data[0] >> 2) & 1, nomodule, scenes[(data[0] >> 4) & 3],
      (guint) data[0]);
  emu = senxor_emulator_new (options, NULL);
  if (!emu)
    fail ("valid options refused");
  module = senxor_emulator_get_module (emu);
  dec = senxor_decoder_new ();
  senxor_emulator_connect (emu);

  while (i < size) {
    guint8 rec = data[i++];

    if (rec & 0x80) {
      now += (gint64) (rec & 0x7F) * 5000;
    } else {
      gsize n = MIN ((gsize) rec, size - i);
      senxor_emulator_receive (emu, data + i, n, now);
      i += n;
    }
    drain (emu, dec, now, module, nomodule);
  }
  senxor_decoder_get_stats (dec, &st);
  if (st.bytes_discarded || st.bad_checksums || st.bad_lengths || st.unknown_frames)
    fail ("the device's bytes were not all clean messages");
  return 0;
}
