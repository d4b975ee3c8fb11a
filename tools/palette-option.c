/* The servers' --palette: checked against thermalcolormap's palettes
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The palette name goes into a launch line, where a bad one only gives
 * gst_parse_launch()'s "could not set property" (and a name with a '!' in it
 * would change the pipeline).  The names are not copied here: they are read
 * from the element's own "palette" property, so that a palette added to
 * thermalcolormap is accepted by the servers without an edit.
 */
#include "palette-option.h"

#include "options.h"

#include <gst/gst.h>

/* The GEnumClass of thermalcolormap's "palette" property (a reference), or
 * NULL when the element or its property cannot be found: the launch line then
 * says what is missing. */
static GEnumClass *
palette_enum_class (void)
{
  g_autoptr (GstPluginFeature) factory = NULL;
  g_autoptr (GstPluginFeature) loaded = NULL;
  GObjectClass *element_class;
  GParamSpec *pspec;
  GEnumClass *enum_class = NULL;

  factory = GST_PLUGIN_FEATURE (gst_element_factory_find ("thermalcolormap"));
  if (factory == NULL)
    return NULL;
  /* the element type exists once its plugin is loaded */
  loaded = gst_plugin_feature_load (factory);
  if (loaded == NULL)
    return NULL;
  element_class = g_type_class_ref (
      gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded)));
  pspec = g_object_class_find_property (element_class, "palette");
  if (pspec != NULL && G_IS_PARAM_SPEC_ENUM (pspec))
    enum_class = g_type_class_ref (pspec->value_type);
  g_type_class_unref (element_class);
  return enum_class;
}

/**
 * tool_option_palette:
 * @text: the value of --palette
 * @error: a G_OPTION_ERROR_BAD_VALUE listing the palettes, on one line
 *
 * Checks @text the way a launch line reads "palette=@text" (a palette's
 * name, its description or its number).
 *
 * Returns: %TRUE when thermalcolormap takes @text as its palette (or when
 * thermalcolormap is not there: parsing the launch line reports that).
 */
gboolean
tool_option_palette (const gchar *text, GError **error)
{
  GEnumClass *enum_class = palette_enum_class ();
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GString) names = NULL;
  g_autofree gchar *shown = NULL;

  if (enum_class == NULL)
    return TRUE;
  g_value_init (&value, G_TYPE_FROM_CLASS (enum_class));
  if (gst_value_deserialize (&value, text)) {
    g_type_class_unref (enum_class);
    return TRUE;
  }
  names = g_string_new (NULL);
  for (guint i = 0; i < enum_class->n_values; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
        enum_class->values[i].value_nick);
  g_type_class_unref (enum_class);
  shown = tool_shown_value (text);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
      "--palette must be one of %s, not '%s'", names->str, shown);
  return FALSE;
}
