/* Strict parsing of the numeric command-line options (see options.h)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "options.h"

#include <math.h>
#include <string.h>

gboolean
tool_option_int (const gchar *name, const gchar *text, gint min, gint max,
    gint *value, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  gint64 parsed;

  if (text == NULL)
    return TRUE;
  /* base 10 and the whole string, no blanks; a number too long for 64 bits
   * is out of bounds, like one outside [min, max] */
  if (!g_ascii_string_to_signed (text, 10, min, max, &parsed, &parse_error)) {
    if (g_error_matches (parse_error, G_NUMBER_PARSER_ERROR,
            G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is out of range: give a whole number from %d to %d",
          name, text, min, max);
    else
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "%s: '%s' is not a whole number: give one from %d to %d", name,
          text, min, max);
    return FALSE;
  }
  *value = (gint) parsed;
  return TRUE;
}

gboolean
tool_option_double (const gchar *name, const gchar *text, gdouble min,
    gdouble max, gdouble *value, GError **error)
{
  gchar *end = NULL;
  gdouble parsed;

  if (text == NULL)
    return TRUE;
  parsed = g_ascii_strtod (text, &end);
  /* strtod skips leading blanks and reads "nan", "inf" and hex floats:
   * none of them is a sensible option value. */
  if (*text == '\0' || g_ascii_isspace (*text) || end == text || *end != '\0' ||
      !isfinite (parsed) || strpbrk (text, "xX") != NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: '%s' is not a number: give one from %g to %g", name, text, min,
        max);
    return FALSE;
  }
  if (parsed < min || parsed > max) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s: '%s' is out of range: give a number from %g to %g", name, text,
        min, max);
    return FALSE;
  }
  *value = parsed;
  return TRUE;
}
