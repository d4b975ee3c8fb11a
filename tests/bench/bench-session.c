/* bench-session: what a frame costs the host in senxor_session_read_frame()
 * (decode, header, counter, copy into the caller's memory), over the
 * in-process emulator in fast mode, against a reference measured in the same
 * run: the same frames decoded by the bare codec from the same emulator
 * with a memcpy of the pixels.  The ratio is the session's overhead.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>
#include <senxor/emulator.h>

#include <stdio.h>
#include <string.h>

#define FRAMES 3000

/* the reference: emulator bytes through the decoder, pixels memcpy'd */
static double
bare_codec (const char *module, guint16 *px, gsize n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *opts = g_strdup_printf ("module=%s&fast=1&scene=flat", module);
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (opts, &error);
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) req = g_byte_array_new ();
  guint frames = 0;
  gint64 t0;

  senxor_emulator_connect (emu);
  senxor_encode_wreg (req, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  senxor_emulator_receive (emu, req->data, req->len, g_get_monotonic_time ());
  t0 = g_get_monotonic_time ();
  while (frames < FRAMES) {
    SenxorMessage msg;
    gsize avail, got;
    guint8 *p = senxor_decoder_prepare (dec, 65536, &avail);

    got = senxor_emulator_produce (emu, g_get_monotonic_time (), p, avail);
    senxor_decoder_commit (dec, got);
    while (senxor_decoder_next (dec, &msg, NULL) == SENXOR_DECODE_MESSAGE) {
      SenxorFrameLayout l;
      if (msg.kind != SENXOR_MSG_GFRA ||
          !senxor_frame_layout_from_contents_len (msg.contents_len, &l))
        continue;
      memcpy (px, msg.contents + l.reserved_bytes + l.header_bytes, MIN (n, l.pixel_bytes / 2) * 2);
      frames++;
    }
  }
  return (g_get_monotonic_time () - t0) / (double) FRAMES;
}

static double
session (const char *module, guint16 *px, gsize n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dev = g_strdup_printf ("emulator://?module=%s&fast=1&scene=flat",
      module);
  g_autoptr (SenxorSession) s = senxor_session_open (dev, NULL, &error);
  SenxorFrameInfo fi;
  gint64 t0;

  g_assert_no_error (error);
  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < FRAMES; i++) {
    if (!senxor_session_read_frame (s, px, n, &fi, G_USEC_PER_SEC, NULL, &error))
      g_error ("%s", error->message);
    g_assert_cmpuint (px[0], ==, SENXOR_EMULATOR_FLAT_DK);
  }
  return (g_get_monotonic_time () - t0) / (double) FRAMES;
}

int
main (int argc, char **argv)
{
  static const char *modules[] = { "mi08", "mi16", "mi05" };
  guint16 *px = g_new (guint16, 160 * 120);

  printf ("%-6s %14s %14s %8s\n", "module", "session us/fr", "codec us/fr", "ratio");
  for (guint i = 0; i < G_N_ELEMENTS (modules); i++) {
    /* warm up, then measure each twice and keep the better run */
    double ref = bare_codec (modules[i], px, 160 * 120);
    double ses = session (modules[i], px, 160 * 120);
    ref = MIN (ref, bare_codec (modules[i], px, 160 * 120));
    ses = MIN (ses, session (modules[i], px, 160 * 120));
    printf ("%-6s %14.2f %14.2f %8.2f\n", modules[i], ses, ref, ses / ref);
  }
  printf ("(both include the emulator producing the frames; at 30 fps a frame "
      "period is 33333 us)\n");
  g_free (px);
  return 0;
}
