/* The servers' --palette: checked against thermalcolormap's palettes
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean tool_option_palette (const gchar *text, GError **error);

G_END_DECLS
