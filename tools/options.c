/* Strict parsing of the numeric command-line options (see options.h)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "options.h"

#include <math.h>
#include <string.h>

#define SHOWN_MAX 24

/**
 * tool_shown_value:
 * @text: a value as the user gave it
 *
 * Returns: (transfer full): @text fit for a one-line message: printable
 * ASCII only (anything else becomes '?'), cut after SHOWN_MAX bytes.
 */
gchar *
tool_shown_value (const gchar *text)
{
  GString *s = g_string_new (NULL);

  for (const gchar *p = text; *p != '\0' && s->len < SHOWN_MAX; p++)
    g_string_append_c (s, g_ascii_isprint (*p) ? *p : '?');
  if (strlen (text) > SHOWN_MAX)
    g_string_append (s, "...");
  return g_string_free (s, FALSE);
}

/**
 * tool_parse_decimal:
 * @text: the text to read
 * @value: (out): the number
 *
 * A whole string that is a finite decimal number, in the C locale ("0.5"
 * means the same whatever the user's language); not hex, "inf", "nan",
 * blanks or a number too large for a double, all of which g_ascii_strtod()
 * would take.
 *
 * Returns: %TRUE when @text is such a number.
 */
gboolean
tool_parse_decimal (const gchar *text, gdouble *value)
{
  gchar *end = NULL;

  if (*text == '\0' || strspn (text, "0123456789+-.eE") != strlen (text))
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != text && *end == '\0' && isfinite (*value);
}

/**
 * tool_option_int:
 * @name: the option as typed, for the message ("--port")
 * @text: (nullable): the value given, %NULL when the option was not given
 * @min: smallest accepted value
 * @max: largest accepted value
 * @value: (inout): the number, left as it is for a %NULL @text
 * @error: a G_OPTION_ERROR_BAD_VALUE naming the option, the range and @text
 *
 * Returns: %TRUE when @text is %NULL or a decimal integer from @min to @max.
 */
gboolean
tool_option_int (const gchar *name, const gchar *text, gint min, gint max,
    gint *value, GError **error)
{
  gint64 parsed;

  if (text == NULL)
    return TRUE;
  /* base 10 and the whole string, no blanks; a number too long for 64 bits
   * is refused like one outside [min, max] */
  if (!g_ascii_string_to_signed (text, 10, min, max, &parsed, NULL)) {
    g_autofree gchar *shown = tool_shown_value (text);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s must be a whole number from %d to %d, not '%s'", name, min, max, shown);
    return FALSE;
  }
  *value = (gint) parsed;
  return TRUE;
}

/**
 * tool_option_double:
 * @name: the option as typed, for the message ("--start-timeout")
 * @text: (nullable): the value given, %NULL when the option was not given
 * @min: smallest accepted value
 * @max: largest accepted value
 * @unit: (nullable): what the number counts ("seconds"), for the message
 * @value: (inout): the number, left as it is for a %NULL @text
 * @error: a G_OPTION_ERROR_BAD_VALUE naming the option, the range and @text
 *
 * Returns: %TRUE when @text is %NULL or a decimal number from @min to @max.
 */
gboolean
tool_option_double (const gchar *name, const gchar *text, gdouble min,
    gdouble max, const gchar *unit, gdouble *value, GError **error)
{
  gdouble parsed;

  if (text == NULL)
    return TRUE;
  if (!tool_parse_decimal (text, &parsed) || parsed < min || parsed > max) {
    g_autofree gchar *shown = tool_shown_value (text);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s must be a number%s%s from %.15g to %.15g, not '%s'", name,
        unit != NULL ? " of " : "", unit != NULL ? unit : "", min, max, shown);
    return FALSE;
  }
  *value = parsed;
  return TRUE;
}
