/* session-example: open a camera with libsenxor, print its identity, read
 * a few frames and their temperatures.  Built and run by the test suite:
 *
 *   cc session-example.c $(pkg-config --cflags --libs senxor) -o session-example
 *   ./session-example 'emulator://?module=mi16' 5
 *   ./session-example /dev/ttyACM0 5
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  const char *device = argc > 1 ? argv[1] : "/dev/ttyACM0";
  int frames = argc > 2 ? atoi (argv[2]) : 5;
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) session = NULL;
  g_autofree guint16 *pixels = NULL;
  const SenxorDeviceInfo *info;
  gsize n;

  session = senxor_session_open (device, NULL, &error);
  if (session == NULL) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  info = senxor_session_get_info (session);
  printf ("%s: %s %ux%u, serial %s, firmware %u.%u.%u\n", info->device,
      senxor_module_name (info->module), info->width, info->height, info->serial,
      info->fw_major, info->fw_minor, info->fw_build);

  n = (gsize) info->width * info->height;
  pixels = g_new (guint16, n);
  if (!senxor_session_start_stream (session, NULL, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  for (int i = 0; i < frames; i++) {
    SenxorFrameInfo fi;
    guint16 lo = G_MAXUINT16, hi = 0;

    /* timeout -1: the vendor's rule for the current frame rate */
    if (!senxor_session_read_frame (session, pixels, n, &fi, -1, NULL, &error)) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
    for (gsize p = 0; p < n; p++) {
      lo = MIN (lo, pixels[p]);
      hi = MAX (hi, pixels[p]);
    }
    printf ("frame %" G_GUINT64_FORMAT ": %.1f .. %.1f °C, %" G_GUINT64_FORMAT " lost\n",
        fi.counter, senxor_pixel_to_celsius (lo, fi.unit),
        senxor_pixel_to_celsius (hi, fi.unit), fi.frames_lost);
  }
  /* senxor_session_close (by g_autoptr) stops the stream */
  return 0;
}
