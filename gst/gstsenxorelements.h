/* Element registration declarations of the senxor plugin
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (senxorsrc);
GST_ELEMENT_REGISTER_DECLARE (thermalnormalize);
GST_ELEMENT_REGISTER_DECLARE (thermaloverlay);
GST_ELEMENT_REGISTER_DECLARE (thermalcolormap);
GST_DEVICE_PROVIDER_REGISTER_DECLARE (senxordeviceprovider);

G_END_DECLS
