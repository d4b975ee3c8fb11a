/* libsenxor: error domain
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SENXOR_ERROR:
 *
 * The error domain of every fallible libsenxor call.
 */
#define SENXOR_ERROR (senxor_error_quark ())

/**
 * SenxorError:
 * @SENXOR_ERROR_FAILED: an error that fits no other code
 * @SENXOR_ERROR_NOT_FOUND: no such device (or nothing matched a selector)
 * @SENXOR_ERROR_BUSY: the device is held by another process
 * @SENXOR_ERROR_PERMISSION: the device exists but may not be opened (udev rule, dialout group)
 * @SENXOR_ERROR_TIMEOUT: the device did not answer in time
 * @SENXOR_ERROR_PROTOCOL: the byte stream is corrupt beyond the decoder's limits
 * @SENXOR_ERROR_DISCONNECTED: the link went away (EOF, hang-up, unplug)
 * @SENXOR_ERROR_NO_MODULE: the MI48 answered SERR: no camera module attached
 * @SENXOR_ERROR_UNSUPPORTED: a sensor type, unit or feature this library does not handle
 * @SENXOR_ERROR_INVALID_ARGUMENT: a malformed device string, register name or value
 * @SENXOR_ERROR_CANCELLED: the wait was cancelled through its #GCancellable
 * @SENXOR_ERROR_IO: any other operating-system I/O failure
 */
typedef enum {
  SENXOR_ERROR_FAILED,
  SENXOR_ERROR_NOT_FOUND,
  SENXOR_ERROR_BUSY,
  SENXOR_ERROR_PERMISSION,
  SENXOR_ERROR_TIMEOUT,
  SENXOR_ERROR_PROTOCOL,
  SENXOR_ERROR_DISCONNECTED,
  SENXOR_ERROR_NO_MODULE,
  SENXOR_ERROR_UNSUPPORTED,
  SENXOR_ERROR_INVALID_ARGUMENT,
  SENXOR_ERROR_CANCELLED,
  SENXOR_ERROR_IO,
} SenxorError;

GQuark senxor_error_quark (void);

/**
 * senxor_error_from_errno:
 * @err: an errno value
 *
 * Returns: the #SenxorError code that best describes @err.
 */
SenxorError senxor_error_from_errno (int err);

G_END_DECLS
