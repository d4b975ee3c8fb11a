/* The senxor plugin: Senxor thermal camera source and thermal video filters
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstsenxorelements.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ret = FALSE;

  /* Each element registers itself here; see gstsenxorelements.h. */
  ret |= GST_ELEMENT_REGISTER (senxorsrc, plugin);
  ret |= GST_ELEMENT_REGISTER (thermalnormalize, plugin);
  ret |= GST_ELEMENT_REGISTER (thermaloverlay, plugin);
  (void) plugin;
  ret |= GST_ELEMENT_REGISTER (thermalcolormap, plugin);
  return ret || TRUE;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, senxor,
    "Senxor (MI48xx) thermal camera source and thermal video filters",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
