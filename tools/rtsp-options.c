/* rtsp-options: checked parsing of senxor-rtsp-server's numeric options
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GOption's own integer parsing names no range and takes "0x10" or " 5", so
 * the numeric options are read as strings and checked here: decimal digits
 * only (so no "nan", "inf", "1e3", spaces or trailing garbage), in range.
 */
#include "config.h"

#include "rtsp-options.h"

/**
 * rtsp_option_parse_int:
 * @option: the option's name as typed, for the message ("--port")
 * @text: the value given
 * @min: smallest accepted value
 * @max: largest accepted value
 * @value: (out): the number
 * @error: a G_OPTION_ERROR_BAD_VALUE naming the option, the value and the range
 *
 * Returns: %TRUE when @text is a decimal integer from @min to @max.
 */
gboolean
rtsp_option_parse_int (const gchar *option, const gchar *text, gint64 min, gint64 max,
    gint64 *value, GError **error)
{
  gint64 number;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &number, NULL) ||
      number < min || number > max) {
    g_autofree gchar *shown = g_strescape (text, NULL);

    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "%s \"%s\": expected a whole number from %" G_GINT64_FORMAT " to %"
        G_GINT64_FORMAT, option, shown, min, max);
    return FALSE;
  }
  *value = number;
  return TRUE;
}
