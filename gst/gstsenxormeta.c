/* Buffer metas of the Senxor thermal elements
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "gstsenxormeta.h"
#include "thermal-measure.h"

/* ---- units ---- */

gdouble
gst_senxor_raw_to_celsius (gdouble raw, gdouble scale, gdouble offset)
{
  return thermal_raw_to_celsius (raw, scale, offset);
}

/* ---- GstSenxorFrameMeta ---- */

GType
gst_senxor_frame_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = { NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstSenxorFrameMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
senxor_frame_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  GstSenxorFrameMeta *m = (GstSenxorFrameMeta *) meta;

  m->has_header = FALSE;
  m->frame_counter = 0;
  m->vdd = 0;
  m->die_temp_c = 0;
  m->device_timestamp_ms = 0;
  m->max_raw = m->min_raw = m->crc = 0;
  m->scale = 0.1;
  m->offset = 0;
  return TRUE;
}

static gboolean
senxor_frame_meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
    GQuark type, gpointer data)
{
  GstSenxorFrameMeta *src = (GstSenxorFrameMeta *) meta;
  GstSenxorFrameMeta *dst;

  /* The header describes the frame, whatever is done to its pixels. */
  dst = gst_buffer_add_senxor_frame_meta (dest, src->scale, src->offset);
  if (!dst)
    return FALSE;
  dst->has_header = src->has_header;
  dst->frame_counter = src->frame_counter;
  dst->vdd = src->vdd;
  dst->die_temp_c = src->die_temp_c;
  dst->device_timestamp_ms = src->device_timestamp_ms;
  dst->max_raw = src->max_raw;
  dst->min_raw = src->min_raw;
  dst->crc = src->crc;
  return TRUE;
}

const GstMetaInfo *
gst_senxor_frame_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_SENXOR_FRAME_META_API_TYPE,
        "GstSenxorFrameMeta", sizeof (GstSenxorFrameMeta),
        senxor_frame_meta_init, NULL, senxor_frame_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

GstSenxorFrameMeta *
gst_buffer_add_senxor_frame_meta (GstBuffer *buffer, gdouble scale, gdouble offset)
{
  GstSenxorFrameMeta *m;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  m = (GstSenxorFrameMeta *) gst_buffer_add_meta (buffer,
      GST_SENXOR_FRAME_META_INFO, NULL);
  if (m) {
    m->scale = scale;
    m->offset = offset;
  }
  return m;
}

/* ---- GstThermalMappingMode ---- */

GType
gst_thermal_mapping_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_THERMAL_MAPPING_MINMAX, "Linear between the frame's minimum and maximum",
        "minmax"},
    {GST_THERMAL_MAPPING_PERCENTILE,
        "Linear between the low-percent and high-percent percentiles", "percentile"},
    {GST_THERMAL_MAPPING_HISTOGRAM, "Plateau-limited histogram equalisation",
        "histogram"},
    {GST_THERMAL_MAPPING_FIXED, "Linear between min-temp and max-temp (°C)",
        "fixed"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstThermalMappingMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ---- GstThermalMappingMeta ---- */

GType
gst_thermal_mapping_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = { NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstThermalMappingMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
thermal_mapping_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  GstThermalMappingMeta *m = (GstThermalMappingMeta *) meta;

  m->mode = GST_THERMAL_MAPPING_MINMAX;
  m->range_min_c = m->range_max_c = 0;
  m->out_max = 255;
  m->radiometric = NULL;
  m->width = m->height = 0;
  m->stride = 0;
  m->scale = 0.1;
  m->offset = 0;
  return TRUE;
}

static void
thermal_mapping_meta_free (GstMeta *meta, GstBuffer *buffer)
{
  GstThermalMappingMeta *m = (GstThermalMappingMeta *) meta;

  gst_clear_buffer (&m->radiometric);
}

static gboolean
thermal_mapping_meta_transform (GstBuffer *dest, GstMeta *meta,
    GstBuffer *buffer, GQuark type, gpointer data)
{
  GstThermalMappingMeta *m = (GstThermalMappingMeta *) meta;

  /* Copies, colour conversion and scaling all keep the mapping: positions
   * are mapped by the ratio of the picture size to the radiometric size. */
  return gst_buffer_add_thermal_mapping_meta (dest, m->mode, m->range_min_c,
      m->range_max_c, m->out_max, m->radiometric, m->width, m->height,
      m->stride, m->scale, m->offset) != NULL;
}

const GstMetaInfo *
gst_thermal_mapping_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_THERMAL_MAPPING_META_API_TYPE,
        "GstThermalMappingMeta", sizeof (GstThermalMappingMeta),
        thermal_mapping_meta_init, thermal_mapping_meta_free,
        thermal_mapping_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

GstThermalMappingMeta *
gst_buffer_add_thermal_mapping_meta (GstBuffer *buffer,
    GstThermalMappingMode mode, gdouble range_min_c, gdouble range_max_c,
    guint out_max, GstBuffer *radiometric, guint width, guint height,
    gint stride, gdouble scale, gdouble offset)
{
  GstThermalMappingMeta *m;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  m = (GstThermalMappingMeta *) gst_buffer_add_meta (buffer,
      GST_THERMAL_MAPPING_META_INFO, NULL);
  if (!m)
    return NULL;
  m->mode = mode;
  m->range_min_c = range_min_c;
  m->range_max_c = range_max_c;
  m->out_max = out_max;
  m->radiometric = radiometric ? gst_buffer_ref (radiometric) : NULL;
  m->width = width;
  m->height = height;
  m->stride = stride;
  m->scale = scale;
  m->offset = offset;
  return m;
}

gboolean
gst_thermal_mapping_meta_get_celsius (GstThermalMappingMeta *meta, guint x,
    guint y, gdouble *celsius)
{
  GstMapInfo map;
  gsize pos;
  guint16 v;

  g_return_val_if_fail (meta != NULL, FALSE);
  if (!meta->radiometric || x >= meta->width || y >= meta->height)
    return FALSE;
  pos = (gsize) y * meta->stride + (gsize) x * 2;
  if (!gst_buffer_map (meta->radiometric, &map, GST_MAP_READ))
    return FALSE;
  if (pos + 2 > map.size) {
    gst_buffer_unmap (meta->radiometric, &map);
    return FALSE;
  }
  v = GST_READ_UINT16_LE (map.data + pos);
  gst_buffer_unmap (meta->radiometric, &map);
  if (celsius)
    *celsius = thermal_raw_to_celsius (v, meta->scale, meta->offset);
  return TRUE;
}

/* ---- GstThermalPaletteMeta ---- */

GType
gst_thermal_palette_meta_api_get_type (void)
{
  static GType type = 0;
  /* No tags: the palette does not depend on the picture's size, format or
   * orientation, so converters and scalers keep it as it is. */
  static const gchar *tags[] = { NULL };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstThermalPaletteMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
thermal_palette_meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  GstThermalPaletteMeta *m = (GstThermalPaletteMeta *) meta;

  m->name = NULL;
  m->colors = NULL;
  m->invert = FALSE;
  return TRUE;
}

static void
thermal_palette_meta_free (GstMeta *meta, GstBuffer *buffer)
{
  GstThermalPaletteMeta *m = (GstThermalPaletteMeta *) meta;

  g_clear_pointer (&m->colors, g_bytes_unref);
}

static gboolean
thermal_palette_meta_transform (GstBuffer *dest, GstMeta *meta,
    GstBuffer *buffer, GQuark type, gpointer data)
{
  GstThermalPaletteMeta *m = (GstThermalPaletteMeta *) meta;
  GstThermalPaletteMeta *old;

  /* Whatever is done to the pixels (copies, colour conversion, scaling),
   * each display level keeps its colour.  A buffer has one palette: the
   * newest replaces one already there. */
  old = gst_buffer_get_thermal_palette_meta (dest);
  if (old)
    gst_buffer_remove_meta (dest, (GstMeta *) old);
  return gst_buffer_add_thermal_palette_meta (dest, m->name, m->colors,
      m->invert) != NULL;
}

const GstMetaInfo *
gst_thermal_palette_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_THERMAL_PALETTE_META_API_TYPE,
        "GstThermalPaletteMeta", sizeof (GstThermalPaletteMeta),
        thermal_palette_meta_init, thermal_palette_meta_free,
        thermal_palette_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

/**
 * gst_buffer_add_thermal_palette_meta:
 * @buffer: a writable #GstBuffer
 * @name: the palette's name (a thermalcolormap palette nick, or "file")
 * @colors: (transfer none): exactly #GST_THERMAL_PALETTE_META_COLORS_SIZE
 *   bytes, R, G, B of display levels 0..255 before @invert; the meta takes a
 *   new reference, the bytes are not copied
 * @invert: whether level L shows the colour listed for 255 - L
 *
 * Attaches the palette a picture was painted with.
 *
 * Returns: (transfer none) (nullable): the new meta, or NULL (with a
 *   critical warning: a programming error) when @colors does not have the
 *   right size.
 */
GstThermalPaletteMeta *
gst_buffer_add_thermal_palette_meta (GstBuffer *buffer, const gchar *name,
    GBytes *colors, gboolean invert)
{
  GstThermalPaletteMeta *m;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (colors != NULL, NULL);
  g_return_val_if_fail (g_bytes_get_size (colors) ==
      GST_THERMAL_PALETTE_META_COLORS_SIZE, NULL);

  m = (GstThermalPaletteMeta *) gst_buffer_add_meta (buffer,
      GST_THERMAL_PALETTE_META_INFO, NULL);
  if (!m)
    return NULL;
  m->name = g_intern_string (name);
  m->colors = g_bytes_ref (colors);
  m->invert = invert != FALSE;
  return m;
}

/**
 * gst_thermal_palette_meta_get_color:
 * @meta: a #GstThermalPaletteMeta
 * @level: a display level, 0..255
 * @r: (out) (optional): red
 * @g: (out) (optional): green
 * @b: (out) (optional): blue
 *
 * The colour display level @level was painted with (@invert applied).
 *
 * Returns: FALSE when @level is above 255 or the meta has no colours.
 */
gboolean
gst_thermal_palette_meta_get_color (const GstThermalPaletteMeta *meta,
    guint level, guint8 *r, guint8 *g, guint8 *b)
{
  const guint8 *rgb;
  gsize size = 0;

  g_return_val_if_fail (meta != NULL, FALSE);
  if (level > 255 || !meta->colors)
    return FALSE;
  rgb = g_bytes_get_data (meta->colors, &size);
  if (size != GST_THERMAL_PALETTE_META_COLORS_SIZE)
    return FALSE;
  rgb += 3 * (meta->invert ? 255 - level : level);
  if (r)
    *r = rgb[0];
  if (g)
    *g = rgb[1];
  if (b)
    *b = rgb[2];
  return TRUE;
}
