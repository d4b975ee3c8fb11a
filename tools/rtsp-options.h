/* rtsp-options: checked parsing of senxor-rtsp-server's numeric options
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

gboolean rtsp_option_parse_int (const gchar *option, const gchar *text, gint64 min,
    gint64 max, gint64 *value, GError **error);
