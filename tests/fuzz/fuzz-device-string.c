/* libFuzzer target: device strings.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Any string either parses, with a normalised form that parses to itself, or
 * fails with SENXOR_ERROR_INVALID_ARGUMENT.  Nothing is opened.
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *str = g_strndup ((const char *) data, size);
  g_autoptr (SenxorDeviceAddress) a = senxor_device_address_parse (str, &error);
  g_autoptr (SenxorDeviceAddress) b = NULL;

  if (a == NULL) {
    if (!g_error_matches (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT)) {
      fprintf (stderr, "fuzz-device-string: failed without INVALID_ARGUMENT\n");
      abort ();
    }
    return 0;
  }
  b = senxor_device_address_parse (a->uri, &error);
  if (b == NULL || strcmp (a->uri, b->uri) != 0 || a->kind != b->kind) {
    fprintf (stderr, "fuzz-device-string: '%s' normalises to '%s', which %s\n", str,
        a->uri, b ? "normalises differently" : "does not parse");
    abort ();
  }
  return 0;
}
