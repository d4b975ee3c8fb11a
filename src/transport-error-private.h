/* libsenxor: the errors the transports share (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "senxor/error.h"

G_BEGIN_DECLS

/* Set @error from errno value @err with a message "@what: strerror"; PERMISSION
 * and BUSY get a hint on what to do. */
void senxor_set_error_errno (GError **error, int err, const char *what);

/* A GIO error as a SENXOR_ERROR (message kept, code mapped). */
void senxor_propagate_gio_error (GError **dest, GError *src, const char *what);

/* g_set_error for a cancelled wait */
void senxor_set_cancelled (GError **error, const char *what);

G_END_DECLS
