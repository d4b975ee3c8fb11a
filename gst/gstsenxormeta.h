/* Buffer metas of the Senxor thermal elements (public API)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Link with pkg-config gstreamer-senxor-1.0 and include <gst/senxor/gstsenxormeta.h>.
 */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/**
 * GstSenxorFrameMeta:
 * @meta: parent
 * @has_header: whether the device sent a frame header (the fields below)
 * @frame_counter: the device frame counter, extended past 16 bits by senxorsrc
 * @vdd: supply voltage (V)
 * @die_temp_c: die temperature (°C)
 * @device_timestamp_ms: device time of the frame (ms, 32 bits)
 * @max_raw: frame maximum reported by the device, in the buffer's unit
 * @min_raw: frame minimum reported by the device, in the buffer's unit
 * @crc: the header CRC word as sent
 * @scale: Kelvin per pixel step: K = value * @scale + @offset
 * @offset: see @scale
 *
 * What senxorsrc attaches to every GRAY16_LE buffer: the frame header and the
 * unit of the pixel values, so that downstream code converts them to
 * temperatures without knowing the camera.  senxorsrc always outputs
 * deci-Kelvin (@scale 0.1, @offset 0).
 */
typedef struct {
  GstMeta meta;
  gboolean has_header;
  guint64 frame_counter;
  gdouble vdd;
  gdouble die_temp_c;
  guint32 device_timestamp_ms;
  guint16 max_raw;
  guint16 min_raw;
  guint16 crc;
  gdouble scale;
  gdouble offset;
} GstSenxorFrameMeta;

GType gst_senxor_frame_meta_api_get_type (void);
#define GST_SENXOR_FRAME_META_API_TYPE (gst_senxor_frame_meta_api_get_type ())
const GstMetaInfo *gst_senxor_frame_meta_get_info (void);
#define GST_SENXOR_FRAME_META_INFO (gst_senxor_frame_meta_get_info ())

#define gst_buffer_get_senxor_frame_meta(b) \
  ((GstSenxorFrameMeta *) gst_buffer_get_meta ((b), GST_SENXOR_FRAME_META_API_TYPE))

/**
 * gst_senxor_raw_to_celsius:
 * @raw: a pixel value (or a mean of pixel values)
 * @scale: Kelvin per pixel step, from #GstSenxorFrameMeta or
 *   #GstThermalMappingMeta
 * @offset: Kelvin offset, from the same meta
 *
 * The temperature of a radiometric value: @raw * @scale + @offset - 273.15.
 *
 * Returns: the temperature in °C
 */
gdouble gst_senxor_raw_to_celsius (gdouble raw, gdouble scale, gdouble offset);

/* Adds a meta with @scale/@offset set and every other field zero. */
GstSenxorFrameMeta *gst_buffer_add_senxor_frame_meta (GstBuffer *buffer,
    gdouble scale, gdouble offset);

/**
 * GstThermalMappingMode:
 * @GST_THERMAL_MAPPING_MINMAX: linear between the frame's minimum and maximum
 * @GST_THERMAL_MAPPING_PERCENTILE: linear between two percentiles
 * @GST_THERMAL_MAPPING_HISTOGRAM: plateau-limited histogram equalisation
 * @GST_THERMAL_MAPPING_FIXED: linear between two fixed temperatures
 */
typedef enum {
  GST_THERMAL_MAPPING_MINMAX,
  GST_THERMAL_MAPPING_PERCENTILE,
  GST_THERMAL_MAPPING_HISTOGRAM,
  GST_THERMAL_MAPPING_FIXED,
} GstThermalMappingMode;

GType gst_thermal_mapping_mode_get_type (void);
#define GST_TYPE_THERMAL_MAPPING_MODE (gst_thermal_mapping_mode_get_type ())

/**
 * GstThermalMappingMeta:
 * @meta: parent
 * @mode: how display values were made
 * @range_min_c: the temperature (°C) shown as display value 0
 * @range_max_c: the temperature (°C) shown as the largest display value
 * @out_max: the largest display value (255 for GRAY8, 65535 for GRAY16)
 * @radiometric: (transfer full): the radiometric frame the picture was made
 *   from (GRAY16, a reference, never copied)
 * @width: width of @radiometric in pixels
 * @height: height of @radiometric in pixels
 * @stride: bytes per row of @radiometric
 * @scale: Kelvin per radiometric step: K = value * @scale + @offset
 * @offset: see @scale
 *
 * What thermalnormalize attaches to every display buffer: the mapping from
 * temperature to display value and the radiometric frame itself, so later
 * elements (thermaloverlay, applications) show real temperatures.  It survives
 * thermalcolormap, videoconvert and videoscale; positions in the picture map
 * to @radiometric by the ratio of the sizes.
 */
typedef struct {
  GstMeta meta;
  GstThermalMappingMode mode;
  gdouble range_min_c;
  gdouble range_max_c;
  guint out_max;
  GstBuffer *radiometric;
  guint width;
  guint height;
  gint stride;
  gdouble scale;
  gdouble offset;
} GstThermalMappingMeta;

GType gst_thermal_mapping_meta_api_get_type (void);
#define GST_THERMAL_MAPPING_META_API_TYPE (gst_thermal_mapping_meta_api_get_type ())
const GstMetaInfo *gst_thermal_mapping_meta_get_info (void);
#define GST_THERMAL_MAPPING_META_INFO (gst_thermal_mapping_meta_get_info ())

#define gst_buffer_get_thermal_mapping_meta(b) \
  ((GstThermalMappingMeta *) gst_buffer_get_meta ((b), GST_THERMAL_MAPPING_META_API_TYPE))

/* Adds a mapping meta; takes a new reference to @radiometric. */
GstThermalMappingMeta *gst_buffer_add_thermal_mapping_meta (GstBuffer *buffer,
    GstThermalMappingMode mode, gdouble range_min_c, gdouble range_max_c,
    guint out_max, GstBuffer *radiometric, guint width, guint height,
    gint stride, gdouble scale, gdouble offset);

/* The temperature (°C) of radiometric pixel (@x, @y); FALSE when outside or
 * when the buffer cannot be mapped. */
gboolean gst_thermal_mapping_meta_get_celsius (GstThermalMappingMeta *meta,
    guint x, guint y, gdouble *celsius);

/**
 * GST_THERMAL_PALETTE_META_COLORS_SIZE:
 *
 * The size in bytes of #GstThermalPaletteMeta.colors: R, G, B for each of
 * the 256 display levels.
 */
#define GST_THERMAL_PALETTE_META_COLORS_SIZE (256 * 3)

/**
 * GstThermalPaletteMeta:
 * @meta: parent
 * @name: the palette's name, interned (compare with ==, never free): a
 *   thermalcolormap palette nick such as "ironbow", or "file" for a palette
 *   read from a file
 * @colors: (transfer full): the palette as listed, before @invert:
 *   #GST_THERMAL_PALETTE_META_COLORS_SIZE bytes, R, G, B of display level 0
 *   first; a reference, shared by every buffer painted with it, never copied
 * @invert: TRUE when display level L was painted with the colour listed for
 *   255 - L (thermalcolormap's invert)
 *
 * What thermalcolormap attaches to every output buffer: the colour each
 * display level was painted with, so that a legend drawn later
 * (thermaloverlay, applications) shows the picture's own palette, whatever
 * lies between them (queues, converters, scalers, appsink and appsrc).
 * Together with #GstThermalMappingMeta it says which temperature each colour
 * stands for.  It does not depend on the picture's size, format or
 * orientation, so it has no tags and every element that copies untagged
 * metas (videoconvert, videoscale, queue, in-place filters) keeps it.
 * gst_thermal_palette_meta_get_color() gives the colour of a level.
 */
typedef struct {
  GstMeta meta;
  const gchar *name;
  GBytes *colors;
  gboolean invert;
} GstThermalPaletteMeta;

GType gst_thermal_palette_meta_api_get_type (void);
#define GST_THERMAL_PALETTE_META_API_TYPE (gst_thermal_palette_meta_api_get_type ())
const GstMetaInfo *gst_thermal_palette_meta_get_info (void);
#define GST_THERMAL_PALETTE_META_INFO (gst_thermal_palette_meta_get_info ())

/**
 * gst_buffer_get_thermal_palette_meta:
 * @b: a #GstBuffer
 *
 * Returns: (transfer none) (nullable): the buffer's #GstThermalPaletteMeta.
 */
#define gst_buffer_get_thermal_palette_meta(b) \
  ((GstThermalPaletteMeta *) gst_buffer_get_meta ((b), GST_THERMAL_PALETTE_META_API_TYPE))

GstThermalPaletteMeta *gst_buffer_add_thermal_palette_meta (GstBuffer *buffer,
    const gchar *name, GBytes *colors, gboolean invert);

gboolean gst_thermal_palette_meta_get_color (const GstThermalPaletteMeta *meta,
    guint level, guint8 *r, guint8 *g, guint8 *b);

G_END_DECLS
