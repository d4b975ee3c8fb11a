/* libsenxor: the errors the transports share
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Operating-system and GIO failures as SENXOR_ERROR codes, with a hint on
 * what to do where there is one (permissions, a busy port, a missing camera).
 */
#include "config.h"

#include "transport-error-private.h"

void
senxor_set_error_errno (GError **error, int err, const char *what)
{
  SenxorError code = senxor_error_from_errno (err);

  switch (code) {
    case SENXOR_ERROR_PERMISSION:
      g_set_error (error, SENXOR_ERROR, code,
          "%s: %s. Install the udev rule (data/60-senxor.rules) or add your "
          "user to the 'dialout' group, then log in again", what, g_strerror (err));
      break;
    case SENXOR_ERROR_BUSY:
      g_set_error (error, SENXOR_ERROR, code,
          "%s is in use by another process (%s); close the other program first",
          what, g_strerror (err));
      break;
    case SENXOR_ERROR_NOT_FOUND:
      g_set_error (error, SENXOR_ERROR, code,
          "%s: %s; is the camera plugged in? (senxor-tool list shows the cameras found)",
          what, g_strerror (err));
      break;
    default:
      g_set_error (error, SENXOR_ERROR, code, "%s: %s", what, g_strerror (err));
      break;
  }
}

void
senxor_set_cancelled (GError **error, const char *what)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED, "%s: operation cancelled",
      what);
}

void
senxor_propagate_gio_error (GError **dest, GError *src, const char *what)
{
  SenxorError code = SENXOR_ERROR_IO;

  if (src->domain == SENXOR_ERROR) {
    g_propagate_error (dest, src);
    return;
  }
  if (src->domain == G_IO_ERROR) {
    switch (src->code) {
      case G_IO_ERROR_CANCELLED:
        code = SENXOR_ERROR_CANCELLED;
        break;
      case G_IO_ERROR_TIMED_OUT:
        code = SENXOR_ERROR_TIMEOUT;
        break;
      case G_IO_ERROR_NOT_FOUND:
      case G_IO_ERROR_CONNECTION_REFUSED:
      case G_IO_ERROR_HOST_NOT_FOUND:
      case G_IO_ERROR_HOST_UNREACHABLE:
      case G_IO_ERROR_NETWORK_UNREACHABLE:
        code = SENXOR_ERROR_NOT_FOUND;
        break;
      case G_IO_ERROR_PERMISSION_DENIED:
        code = SENXOR_ERROR_PERMISSION;
        break;
      case G_IO_ERROR_BUSY:
        code = SENXOR_ERROR_BUSY;
        break;
      case G_IO_ERROR_BROKEN_PIPE:
      case G_IO_ERROR_NOT_CONNECTED:
        code = SENXOR_ERROR_DISCONNECTED;
        break;
      case G_IO_ERROR_INVALID_ARGUMENT:
        code = SENXOR_ERROR_INVALID_ARGUMENT;
        break;
      default:
        break;
    }
  } else if (src->domain == G_RESOLVER_ERROR) {
    code = SENXOR_ERROR_NOT_FOUND;
  }
  g_set_error (dest, SENXOR_ERROR, code, "%s: %s", what, src->message);
  g_error_free (src);
}
