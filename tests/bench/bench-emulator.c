/* bench-emulator: what producing a frame costs the emulator (fast mode, all
 * bytes read), per module and scene, against copying the same bytes once.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <stdio.h>
#include <string.h>

#define FRAMES 600

static double
run (const char *options, gsize *frame_bytes)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (options, NULL);
  g_autoptr (GByteArray) start = senxor_encode_wreg (g_byte_array_new (),
      SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  static guint8 buf[65536];
  guint64 bytes = 0;
  gint64 t0;

  senxor_emulator_receive (emu, start->data, start->len, 0);
  bytes = senxor_emulator_produce (emu, 0, buf, sizeof buf);      /* the ack */
  bytes = 0;
  t0 = g_get_monotonic_time ();
  while (senxor_emulator_get_frames_sent (emu) < FRAMES)
    bytes += senxor_emulator_produce (emu, 0, buf, sizeof buf);
  /* the last frame may still be partly unread: count what was read */
  *frame_bytes = bytes / FRAMES;
  return (double) (g_get_monotonic_time () - t0) / FRAMES;
}

/* The reference: copying a frame's bytes once, as any transport must. */
static double
copy_us (gsize frame_bytes)
{
  g_autofree guint8 *src = g_malloc0 (frame_bytes), *dst = g_malloc (frame_bytes);
  gint64 t0 = g_get_monotonic_time ();
  guint64 sum = 0;

  for (guint i = 0; i < FRAMES * 10; i++) {
    src[i % frame_bytes] = (guint8) i;
    memcpy (dst, src, frame_bytes);
    sum += dst[(i * 7) % frame_bytes];
  }
  if (sum == 42)
    printf (" ");
  return (double) (g_get_monotonic_time () - t0) / (FRAMES * 10);
}

int
main (void)
{
  const char *modules[] = { "mi08", "mi16", "mi05" };
  const char *scenes[] = { "people", "hotspot", "gradient", "flat" };

  printf ("%-6s %-9s %10s %10s %8s %14s\n", "module", "scene", "us/frame", "copy us",
      "ratio", "%core@30fps");
  for (guint m = 0; m < G_N_ELEMENTS (modules); m++) {
    for (guint s = 0; s < G_N_ELEMENTS (scenes); s++) {
      g_autofree char *opt = g_strdup_printf ("module=%s&scene=%s&fast=1", modules[m],
          scenes[s]);
      gsize frame_bytes = 0;
      double us = run (opt, &frame_bytes);
      double ref = copy_us (frame_bytes);

      printf ("%-6s %-9s %10.1f %10.2f %8.0f %14.2f\n", modules[m], scenes[s], us, ref,
          us / ref, us * 30 / 1e4);
    }
  }
  printf ("(a paced camera produces 25.5-30 frames per second)\n");
  return 0;
}
