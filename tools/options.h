/* Strict parsing of the numeric command-line options of the programs
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GOption's G_OPTION_ARG_INT accepts "0x1f", octal "010" and leading blanks,
 * G_OPTION_ARG_DOUBLE takes "nan" and "inf", and both leave range checks to
 * every program, each with its own wording.  senxor-tool, senxor-http-server
 * and senxor-rtsp-server take their numeric options as strings
 * (G_OPTION_ARG_STRING) and check them here after parsing: decimal only, the
 * whole text, finite, inside the range.  On failure the GError
 * (G_OPTION_ERROR_BAD_VALUE) is one line naming the option, what it takes and
 * the value given (non-printable bytes shown as '?', long values cut), e.g.
 *   --port must be a whole number from 0 to 65535, not '70000'
 *   --seconds must be a number of seconds from 0 to 31536000, not 'nan'
 * A NULL text (the option was not given) leaves *value as it is.
 *
 * This is a private helper of the programs (a static library), not part of
 * libsenxor's API.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean tool_option_int (const gchar *name, const gchar *text, gint min,
    gint max, gint *value, GError **error);

gboolean tool_option_double (const gchar *name, const gchar *text, gdouble min,
    gdouble max, const gchar *unit, gdouble *value, GError **error);

gboolean tool_parse_decimal (const gchar *text, gdouble *value);

gchar *tool_shown_value (const gchar *text);

G_END_DECLS
