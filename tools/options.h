/* Strict parsing of the numeric command-line options of the tools in tools/
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GOption's G_OPTION_ARG_INT accepts "0x1f", octal "010" and leading blanks,
 * and leaves range checks to every program, each with its own wording.  The
 * tools take numeric options as strings (G_OPTION_ARG_STRING) and check them
 * here after parsing: decimal only, the whole text, finite, inside the range.
 * On failure the GError (G_OPTION_ERROR_BAD_VALUE) is one line naming the
 * option, the value given and the accepted range, e.g.
 *   --port: '70000' is out of range: give a whole number from 0 to 65535
 * A NULL text (the option was not given) leaves *value as it is.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean tool_option_int (const gchar *name, const gchar *text, gint min,
    gint max, gint *value, GError **error);

gboolean tool_option_double (const gchar *name, const gchar *text, gdouble min,
    gdouble max, gdouble *value, GError **error);

G_END_DECLS
