/* libFuzzer target: device strings (senxor_device_address_parse).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Any string must parse or fail with SENXOR_ERROR_INVALID_ARGUMENT and a
 * message, never crash.  A parsed address must be complete for its kind,
 * and its normalised string (what discovery and the elements show users)
 * must parse again to the same normalised string.
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-target.h"

static void
fail (const char *what, const char *input, const char *detail)
{
  fprintf (stderr, "fuzz-device-address: %s\n  input: \"%s\"\n  %s\n", what, input,
      detail ? detail : "");
  abort ();
}

/* Round-trip failures of the normalised string: fatal only when
 * SENXOR_FUZZ_ROUNDTRIP=1 (see docs/testing.md: known parser issues). */
static void
roundtrip_fail (const char *what, const char *input, const char *detail)
{
  static int strict = -1;

  if (strict < 0)
    strict = g_strcmp0 (g_getenv ("SENXOR_FUZZ_ROUNDTRIP"), "1") == 0;
  if (strict)
    fail (what, input, detail);
  if (g_getenv ("SENXOR_FUZZ_ROUNDTRIP_LOG"))
    fprintf (stderr, "ROUNDTRIP %s | %s | %s\n", what, input, detail ? detail : "");
}

static void
check_complete (const SenxorDeviceAddress *a, const char *input)
{
  if (a->uri == NULL || a->uri[0] == '\0')
    fail ("no normalised string", input, NULL);
  if (a->params == NULL)
    fail ("no parameter table", input, NULL);
  switch (a->kind) {
    case SENXOR_DEVICE_SERIAL:
      if (a->path == NULL || (a->path[0] != '/' && a->path[0] != '.'))
        fail ("serial device without an absolute or relative path", input, a->path);
      break;
    case SENXOR_DEVICE_TCP:
      if (a->host == NULL || a->host[0] == '\0' || a->port == 0)
        fail ("TCP device without host or port", input, a->uri);
      break;
    case SENXOR_DEVICE_USB:
      if (a->usb_port_path && a->usb_bus == 0)
        fail ("USB port path without a bus", input, a->uri);
      break;
    case SENXOR_DEVICE_EMULATOR:
      break;
    default:
      fail ("unknown kind", input, NULL);
  }
  if (strcmp (senxor_device_kind_name (a->kind), "") == 0)
    fail ("kind without a name", input, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *input = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorDeviceAddress) a = senxor_device_address_parse (input, &error);

  if (a == NULL) {
    if (!g_error_matches (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT))
      fail ("failure without SENXOR_ERROR_INVALID_ARGUMENT", input,
          error ? error->message : "(no error)");
    if (error->message == NULL || error->message[0] == '\0')
      fail ("error without a message", input, NULL);
    return 0;
  }
  if (error)
    fail ("success with an error set", input, error->message);
  check_complete (a, input);
  senxor_device_address_get_param (a, "module");
  senxor_device_address_get_param (a, input);

  /* the normalised string is a fixed point (serial paths are plain paths,
   * which may legitimately contain characters that need a scheme) */
  if (a->kind != SENXOR_DEVICE_SERIAL) {
    g_autoptr (GError) error2 = NULL;
    g_autoptr (SenxorDeviceAddress) b = senxor_device_address_parse (a->uri, &error2);

    if (b == NULL)
      roundtrip_fail ("the normalised string does not parse", input, error2->message);
    else if (b->kind != a->kind)
      roundtrip_fail ("the normalised string parses to another kind", input, a->uri);
    else if (strcmp (b->uri, a->uri) != 0)
      roundtrip_fail ("normalising is not idempotent", input, b->uri);
  }
  return 0;
}
