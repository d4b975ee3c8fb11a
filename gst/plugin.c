/* The senxor plugin: Senxor thermal camera source and thermal video filters
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

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
  ret |= GST_DEVICE_PROVIDER_REGISTER (senxordeviceprovider, plugin);

  /* The registry looks at the plugin again when a USB serial port appears or
   * goes (cameras are ttyACM nodes). */
  gst_plugin_add_dependency_simple (plugin, NULL, "/dev", "ttyACM",
      GST_PLUGIN_DEPENDENCY_FLAG_FILE_NAME_IS_PREFIX);
  return ret || TRUE;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, senxor,
    "Senxor (MI48xx) thermal camera source and thermal video filters",
    plugin_init, VERSION, GST_LICENSE, GST_PACKAGE_NAME, GST_PACKAGE_ORIGIN)
