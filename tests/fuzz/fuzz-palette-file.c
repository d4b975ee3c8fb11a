/* libFuzzer target: thermalcolormap palette files (thermal_palette_parse).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Arbitrary bytes must parse or fail with a THERMAL_PALETTE_ERROR whose
 * message starts with "line N: ", leaving the table untouched; parsing is a
 * pure function, so the same bytes always give the same table.
 */
#include <glib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "palette-file.h"
#include "fuzz-target.h"

static void
fail (const char *what, const char *detail)
{
  fprintf (stderr, "fuzz-palette-file: %s%s%s\n", what, detail ? ": " : "",
      detail ? detail : "");
  abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* no NUL terminator: the parser must respect the length */
  g_autofree char *text = g_memdup2 (data, size);
  g_autoptr (GError) error = NULL;
  guint8 lut[256][3], sentinel[256][3], again[256][3];
  gboolean ok;

  for (guint i = 0; i < 256; i++)
    for (guint c = 0; c < 3; c++)
      sentinel[i][c] = (guint8) (i * 7 + c * 91 + 13);
  memcpy (lut, sentinel, sizeof lut);

  ok = thermal_palette_parse (text, size, lut, &error);
  if (!ok) {
    if (!error || error->domain != THERMAL_PALETTE_ERROR)
      fail ("failure without a THERMAL_PALETTE_ERROR", error ? error->message : NULL);
    if (!g_str_has_prefix (error->message, "line ") ||
        !g_ascii_isdigit (error->message[5]))
      fail ("message does not start with \"line N: \"", error->message);
    if (memcmp (lut, sentinel, sizeof lut) != 0)
      fail ("a failed parse changed the table", error->message);
    return 0;
  }
  if (error)
    fail ("success with an error set", error->message);
  memset (again, 0, sizeof again);
  if (!thermal_palette_parse (text, size, again, NULL) ||
      memcmp (again, lut, sizeof lut) != 0)
    fail ("the same bytes parsed differently", NULL);
  return 0;
}
