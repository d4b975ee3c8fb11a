/* libsenxor: error domain
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "senxor/error.h"

#include <errno.h>

G_DEFINE_QUARK (senxor-error-quark, senxor_error)

SenxorError
senxor_error_from_errno (int err)
{
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return SENXOR_ERROR_NOT_FOUND;
    case EBUSY:
    case EWOULDBLOCK:
      return SENXOR_ERROR_BUSY;
    case EACCES:
    case EPERM:
      return SENXOR_ERROR_PERMISSION;
    case ETIMEDOUT:
      return SENXOR_ERROR_TIMEOUT;
    case EPIPE:
    case ECONNRESET:
    case ECONNREFUSED:
    case ECONNABORTED:
    case ESHUTDOWN:
    case EIO:
      return SENXOR_ERROR_DISCONNECTED;
    case EINVAL:
      return SENXOR_ERROR_INVALID_ARGUMENT;
    case ECANCELED:
      return SENXOR_ERROR_CANCELLED;
    default:
      return SENXOR_ERROR_IO;
  }
}
