/* thermaloverlay: real temperatures drawn on the thermal picture
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-thermaloverlay
 * @title: thermaloverlay
 *
 * Draws real temperatures on the colour picture made by thermalnormalize and
 * thermalcolormap: hot and cold spot markers, spot meters, rectangular
 * regions with their minimum, maximum and mean, a colour-bar legend with the
 * current range in °C, °F or K, and an isotherm painting every pixel whose
 * temperature lies in a range.  All values come from the radiometric frame
 * that travels with each buffer (#GstThermalMappingMeta), never from the
 * display colours, and positions are mapped from the sensor grid to the
 * picture by the ratio of the sizes, so the element also works after
 * videoscale.
 *
 * Spots are written "x,y;x,y", regions "x,y,w,h;...".  A coordinate is a
 * sensor pixel when written as an integer ("10"), a fraction of the sensor
 * size when written with a decimal point ("0.5"), or a percentage ("50%").
 *
 * The legend's colours are those the picture was painted with: the
 * #GstThermalPaletteMeta thermalcolormap attaches to each buffer, which
 * survives queues, converters, scalers and appsink/appsrc.  Setting
 * #GstThermalOverlay:palette, #GstThermalOverlay:palette-file or
 * #GstThermalOverlay:invert overrides it; without the meta the legend shows
 * these properties (ironbow by default).
 *
 * Without the mapping meta, the element posts one warning and lets the video
 * through unchanged.
 *
 * With #GstThermalOverlay:post-messages, every frame posts an element
 * message "thermal-overlay" with the computed values (see
 * docs/messages.md for the fields).
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap ! videoscale \
 *   ! video/x-raw,width=640,height=480 ! thermaloverlay spots="0.5,0.5" \
 *   ! videoconvert ! autovideosink
 * ]|
 * |[
 * gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap ! videoscale \
 *   ! video/x-raw,width=640,height=480 ! thermaloverlay units=fahrenheit \
 *   rois="0.25,0.25,0.5,0.5" isotherm-low=30 isotherm-high=40 \
 *   ! videoconvert ! autovideosink
 * ]|
 */
#include "config.h"

#include "gstthermaloverlay.h"
#include "gstsenxorelements.h"
#include "gstsenxormeta.h"
#include "overlay-render.h"
#include "thermal-measure.h"
#include "palette-file.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_thermal_overlay_debug);
#define GST_CAT_DEFAULT gst_thermal_overlay_debug

#define ISOTHERM_MIN_C (-273.15)
#define ISOTHERM_MAX_C 10000.0

#define DEFAULT_PROP_HOT_COLD TRUE
#define DEFAULT_PROP_SPOTS NULL
#define DEFAULT_PROP_ROIS NULL
#define DEFAULT_PROP_LEGEND TRUE
#define DEFAULT_PROP_UNITS GST_THERMAL_OVERLAY_UNITS_CELSIUS
#define DEFAULT_PROP_ISOTHERM_LOW ISOTHERM_MIN_C
#define DEFAULT_PROP_ISOTHERM_HIGH ISOTHERM_MAX_C
#define DEFAULT_PROP_ISOTHERM_COLOR 0xff00ff00
#define DEFAULT_PROP_LABELS TRUE
#define DEFAULT_PROP_FONT_SIZE 0
#define DEFAULT_PROP_POST_MESSAGES FALSE
#define DEFAULT_PROP_PALETTE GST_THERMAL_PALETTE_IRONBOW
#define DEFAULT_PROP_PALETTE_FILE NULL
#define DEFAULT_PROP_INVERT FALSE

enum {
  PROP_0,
  PROP_HOT_COLD,
  PROP_SPOTS,
  PROP_ROIS,
  PROP_LEGEND,
  PROP_UNITS,
  PROP_ISOTHERM_LOW,
  PROP_ISOTHERM_HIGH,
  PROP_ISOTHERM_COLOR,
  PROP_LABELS,
  PROP_FONT_SIZE,
  PROP_POST_MESSAGES,
  PROP_PALETTE,
  PROP_PALETTE_FILE,
  PROP_INVERT,
};

struct _GstThermalOverlay {
  GstVideoFilter parent;

  /* Properties, under the object lock.  The arrays are never modified once
   * made, so the streaming thread can keep a reference to them. */
  gboolean hot_cold;
  gchar *spots_text;
  GArray *spots;
  gchar *rois_text;
  GArray *rois;
  gboolean legend;
  GstThermalOverlayUnits units;
  gdouble isotherm_low;
  gdouble isotherm_high;
  guint isotherm_color;
  gboolean labels;
  guint font_size;
  gboolean post_messages;
  GstThermalPalette palette;
  gchar *palette_file;
  GBytes *file_colors;          /* palette_file loaded, or NULL */
  gboolean invert;
  /* palette, palette-file or invert was set: the legend ignores the
   * buffers' GstThermalPaletteMeta */
  gboolean palette_explicit;
  /* A property value that could not be parsed; posted as a warning by the
   * streaming thread (at set time the element often has no bus yet). */
  gchar *pending_warning;

  /* Streaming thread only. */
  OverlayTarget target;
  OverlayRenderer *renderer;
  gboolean warned_no_meta;
  gboolean warned_bad_meta;
  guint8 *mask;
  gsize mask_size;
};

/* What one frame is drawn with: a copy of the properties. */
typedef struct {
  gboolean hot_cold;
  GArray *spots;
  GArray *rois;
  gboolean legend;
  GstThermalOverlayUnits units;
  gdouble isotherm_low;
  gdouble isotherm_high;
  guint isotherm_color;
  gboolean labels;
  guint font_size;
  gboolean post_messages;
  guint8 legend_lut[256][3];    /* colour of each display level, as drawn */
  const gchar *legend_palette;  /* palette nick, or "file"; static/interned */
} Settings;

#define OVERLAY_CAPS \
  GST_VIDEO_CAPS_MAKE ("{ BGRx, BGRA, RGBx, RGBA, xRGB, ARGB, xBGR, ABGR }")

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (OVERLAY_CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (OVERLAY_CAPS));

#define gst_thermal_overlay_parent_class parent_class
G_DEFINE_TYPE (GstThermalOverlay, gst_thermal_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (thermaloverlay, "thermaloverlay", GST_RANK_NONE,
    GST_TYPE_THERMAL_OVERLAY);

GType
gst_thermal_overlay_units_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_THERMAL_OVERLAY_UNITS_CELSIUS, "Degrees Celsius", "celsius"},
    {GST_THERMAL_OVERLAY_UNITS_FAHRENHEIT, "Degrees Fahrenheit", "fahrenheit"},
    {GST_THERMAL_OVERLAY_UNITS_KELVIN, "Kelvin", "kelvin"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstThermalOverlayUnits", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* Parses a spots or rois value; on success replaces the list, otherwise
 * keeps the previous one and leaves a warning for the streaming thread. */
static void
set_list_property (GstThermalOverlay *self, const gchar *name,
    const gchar *text, GArray *(*parse) (const gchar *, GError **),
    gchar **text_field, GArray **list_field)
{
  g_autoptr (GError) error = NULL;
  GArray *list = parse (text, &error);

  if (!list) {
    GST_WARNING_OBJECT (self, "ignoring %s=\"%s\": %s", name, text,
        error->message);
    g_free (self->pending_warning);
    self->pending_warning = g_strdup_printf ("ignoring %s=\"%s\": %s", name,
        text, error->message);
    return;
  }
  g_free (*text_field);
  *text_field = g_strdup (text);
  g_clear_pointer (list_field, g_array_unref);
  *list_field = list;
}

/* Sets palette-file.  A file that cannot be used leaves the legend on the
 * palette property, with a warning. */
static void
set_palette_file (GstThermalOverlay *self, const gchar *path)
{
  g_autoptr (GError) error = NULL;
  GBytes *colors = NULL;

  /* The file is read without the lock: no lock across I/O. */
  if (path && *path)
    colors = thermal_palette_load_colors (path, &error);

  GST_OBJECT_LOCK (self);
  g_free (self->palette_file);
  self->palette_file = g_strdup (path);
  g_clear_pointer (&self->file_colors, g_bytes_unref);
  self->file_colors = colors;
  self->palette_explicit = TRUE;
  if (error) {
    GST_WARNING_OBJECT (self, "%s", error->message);
    g_free (self->pending_warning);
    self->pending_warning = g_strdup_printf ("%s; the legend shows palette "
        "instead; the format is described in docs/palettes.md",
        error->message);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_overlay_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_HOT_COLD:
      self->hot_cold = g_value_get_boolean (value);
      break;
    case PROP_SPOTS:
      set_list_property (self, "spots", g_value_get_string (value),
          overlay_parse_points, &self->spots_text, &self->spots);
      break;
    case PROP_ROIS:
      set_list_property (self, "rois", g_value_get_string (value),
          overlay_parse_rects, &self->rois_text, &self->rois);
      break;
    case PROP_LEGEND:
      self->legend = g_value_get_boolean (value);
      break;
    case PROP_UNITS:
      self->units = g_value_get_enum (value);
      break;
    case PROP_ISOTHERM_LOW:
      self->isotherm_low = g_value_get_double (value);
      break;
    case PROP_ISOTHERM_HIGH:
      self->isotherm_high = g_value_get_double (value);
      break;
    case PROP_ISOTHERM_COLOR:
      self->isotherm_color = g_value_get_uint (value);
      break;
    case PROP_LABELS:
      self->labels = g_value_get_boolean (value);
      break;
    case PROP_FONT_SIZE:
      self->font_size = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    case PROP_PALETTE:
      self->palette = g_value_get_enum (value);
      self->palette_explicit = TRUE;
      break;
    case PROP_PALETTE_FILE:
      GST_OBJECT_UNLOCK (self);
      set_palette_file (self, g_value_get_string (value));
      return;
    case PROP_INVERT:
      self->invert = g_value_get_boolean (value);
      self->palette_explicit = TRUE;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_overlay_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_HOT_COLD:
      g_value_set_boolean (value, self->hot_cold);
      break;
    case PROP_SPOTS:
      g_value_set_string (value, self->spots_text);
      break;
    case PROP_ROIS:
      g_value_set_string (value, self->rois_text);
      break;
    case PROP_LEGEND:
      g_value_set_boolean (value, self->legend);
      break;
    case PROP_UNITS:
      g_value_set_enum (value, self->units);
      break;
    case PROP_ISOTHERM_LOW:
      g_value_set_double (value, self->isotherm_low);
      break;
    case PROP_ISOTHERM_HIGH:
      g_value_set_double (value, self->isotherm_high);
      break;
    case PROP_ISOTHERM_COLOR:
      g_value_set_uint (value, self->isotherm_color);
      break;
    case PROP_LABELS:
      g_value_set_boolean (value, self->labels);
      break;
    case PROP_FONT_SIZE:
      g_value_set_uint (value, self->font_size);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    case PROP_PALETTE:
      g_value_set_enum (value, self->palette);
      break;
    case PROP_PALETTE_FILE:
      g_value_set_string (value, self->palette_file);
      break;
    case PROP_INVERT:
      g_value_set_boolean (value, self->invert);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
post_pending_warning (GstThermalOverlay *self)
{
  g_autofree gchar *text = NULL;

  GST_OBJECT_LOCK (self);
  text = g_steal_pointer (&self->pending_warning);
  GST_OBJECT_UNLOCK (self);
  if (text)
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
        ("Invalid thermaloverlay property value, the previous value is kept"),
        ("%s", text));
}

static gboolean
gst_thermal_overlay_start (GstBaseTransform *trans)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (trans);

  self->warned_no_meta = FALSE;
  self->warned_bad_meta = FALSE;
  if (!self->renderer)
    self->renderer = overlay_renderer_new ();
  post_pending_warning (self);
  return TRUE;
}

static gboolean
gst_thermal_overlay_stop (GstBaseTransform *trans)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (trans);

  g_clear_pointer (&self->renderer, overlay_renderer_free);
  g_clear_pointer (&self->mask, g_free);
  self->mask_size = 0;
  return TRUE;
}

static void
gst_thermal_overlay_before_transform (GstBaseTransform *trans,
    GstBuffer *buffer)
{
  GstClockTime ts = gst_segment_to_stream_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));

  if (GST_CLOCK_TIME_IS_VALID (ts))
    gst_object_sync_values (GST_OBJECT (trans), ts);
}

static gboolean
gst_thermal_overlay_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in_info, GstCaps *outcaps, GstVideoInfo *out_info)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (filter);
  const GstVideoFormatInfo *fi = in_info->finfo;
  guint r = fi->poffset[GST_VIDEO_COMP_R];
  guint g = fi->poffset[GST_VIDEO_COMP_G];
  guint b = fi->poffset[GST_VIDEO_COMP_B];
  gboolean alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (fi);
  /* The padding byte of the x formats is the one R, G and B leave free. */
  guint a = alpha ? fi->poffset[GST_VIDEO_COMP_A] : 6 - r - g - b;

  if (GST_VIDEO_FORMAT_INFO_PSTRIDE (fi, 0) != 4 || r > 3 || g > 3 || b > 3
      || a > 3) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("unsupported format %s", gst_video_format_to_string (
                GST_VIDEO_INFO_FORMAT (in_info))));
    return FALSE;
  }
  overlay_target_set_layout (&self->target, alpha, r, g, b, a);
  GST_DEBUG_OBJECT (self, "%s: alpha %d, swap R/B %d, reorder %d",
      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)), alpha,
      self->target.swap_rb, self->target.reorder);
  return TRUE;
}

static void
fill_lut (guint8 lut[256][3], const guint8 (*table)[3], gboolean invert)
{
  for (guint level = 0; level < 256; level++)
    memcpy (lut[level], table[invert ? 255 - level : level], 3);
}

/* The colours of each display level as the picture shows them: those of
 * the buffer's GstThermalPaletteMeta unless palette, palette-file or invert
 * were set here (or the buffer has none), else those of these properties. */
static void
legend_colors (GstThermalOverlay *self, Settings *s, GstBuffer *buffer)
{
  GstThermalPaletteMeta *meta = gst_buffer_get_thermal_palette_meta (buffer);
  gsize size = 0;
  const guint8 *colors = NULL;

  GST_OBJECT_LOCK (self);
  if (!self->palette_explicit && meta && meta->colors)
    colors = g_bytes_get_data (meta->colors, &size);
  if (colors && size == THERMAL_PALETTE_COLORS_SIZE) {
    GST_OBJECT_UNLOCK (self);
    s->legend_palette = meta->name;
    fill_lut (s->legend_lut, (const guint8 (*)[3]) colors, meta->invert);
    return;
  }
  if (self->file_colors) {
    s->legend_palette = "file";
    fill_lut (s->legend_lut, g_bytes_get_data (self->file_colors, NULL),
        self->invert);
  } else {
    s->legend_palette = thermal_palette_nicks[self->palette];
    fill_lut (s->legend_lut, thermal_palette_tables[self->palette],
        self->invert);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
settings_snapshot (GstThermalOverlay *self, Settings *s)
{
  GST_OBJECT_LOCK (self);
  s->hot_cold = self->hot_cold;
  s->spots = self->spots ? g_array_ref (self->spots) : NULL;
  s->rois = self->rois ? g_array_ref (self->rois) : NULL;
  s->legend = self->legend;
  s->units = self->units;
  s->isotherm_low = self->isotherm_low;
  s->isotherm_high = self->isotherm_high;
  s->isotherm_color = self->isotherm_color;
  s->labels = self->labels;
  s->font_size = self->font_size;
  s->post_messages = self->post_messages;
  GST_OBJECT_UNLOCK (self);
}

static void
settings_clear (Settings *s)
{
  g_clear_pointer (&s->spots, g_array_unref);
  g_clear_pointer (&s->rois, g_array_unref);
}

/* Labels round half up to 0.1 (with a little slack, since a value such as
 * 309.7 K - 273.15 = 36.55 °C is not exact in binary) and never show -0.0. */
static gchar *
format_temperature (gdouble celsius, GstThermalOverlayUnits units)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  const gchar *suffix;
  gdouble v;

  switch (units) {
    case GST_THERMAL_OVERLAY_UNITS_FAHRENHEIT:
      v = celsius * 9.0 / 5.0 + 32.0;
      suffix = "°F";
      break;
    case GST_THERMAL_OVERLAY_UNITS_KELVIN:
      v = celsius + THERMAL_ZERO_CELSIUS_K;
      suffix = " K";
      break;
    default:
      v = celsius;
      suffix = "°C";
      break;
  }
  v = floor (v * 10.0 + 0.5 + 1e-6) / 10.0;
  if (v == 0.0)
    v = 0.0;
  g_ascii_formatd (buf, sizeof (buf), "%.1f", v);
  return g_strconcat (buf, suffix, NULL);
}

static void
append_uint (GValue *array, guint v)
{
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_UINT);
  g_value_set_uint (&item, v);
  gst_value_array_append_and_take_value (array, &item);
}

static void
append_double (GValue *array, gdouble v)
{
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_DOUBLE);
  g_value_set_double (&item, v);
  gst_value_array_append_and_take_value (array, &item);
}

static void
append_string (GValue *array, const gchar *v)
{
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_STRING);
  g_value_set_string (&item, v);
  gst_value_array_append_and_take_value (array, &item);
}

/* The regions of a message, one array entry per region (docs/messages.md):
 * roi-x, roi-y, roi-width, roi-height, roi-min/mean/max-celsius,
 * roi-coldest-x/y, roi-hottest-x/y and roi-label. */
static void
set_region_fields (GstStructure *st, const OverlayRoi *rois, guint n,
    GPtrArray *labels)
{
  static const gchar *const uint_names[] = { "roi-x", "roi-y", "roi-width",
    "roi-height", "roi-coldest-x", "roi-coldest-y", "roi-hottest-x",
    "roi-hottest-y"
  };
  static const gchar *const double_names[] = { "roi-min-celsius",
    "roi-mean-celsius", "roi-max-celsius"
  };
  GValue u[G_N_ELEMENTS (uint_names)], d[G_N_ELEMENTS (double_names)];
  GValue l = G_VALUE_INIT;

  for (guint k = 0; k < G_N_ELEMENTS (u); k++) {
    memset (&u[k], 0, sizeof u[k]);
    gst_value_array_init (&u[k], n);
  }
  for (guint k = 0; k < G_N_ELEMENTS (d); k++) {
    memset (&d[k], 0, sizeof d[k]);
    gst_value_array_init (&d[k], n);
  }
  gst_value_array_init (&l, n);
  for (guint i = 0; i < n; i++) {
    const OverlayRoi *r = &rois[i];

    append_uint (&u[0], r->x);
    append_uint (&u[1], r->y);
    append_uint (&u[2], r->w);
    append_uint (&u[3], r->h);
    append_uint (&u[4], r->coldest.x);
    append_uint (&u[5], r->coldest.y);
    append_uint (&u[6], r->hottest.x);
    append_uint (&u[7], r->hottest.y);
    append_double (&d[0], thermal_round_celsius (r->min_c));
    append_double (&d[1], thermal_round_celsius (r->mean_c));
    append_double (&d[2], thermal_round_celsius (r->max_c));
    append_string (&l, g_ptr_array_index (labels, i));
  }
  for (guint k = 0; k < G_N_ELEMENTS (u); k++)
    gst_structure_take_value (st, uint_names[k], &u[k]);
  for (guint k = 0; k < G_N_ELEMENTS (d); k++)
    gst_structure_take_value (st, double_names[k], &d[k]);
  gst_structure_take_value (st, "roi-label", &l);
}

/* Everything one frame measured, for drawing and for the message. */
typedef struct {
  OverlaySample hot, cold;
  gchar *hot_label, *cold_label;
  GArray *spots;                /* OverlaySample */
  GPtrArray *spot_labels;
  GArray *rois;                 /* OverlayRoi */
  GPtrArray *roi_labels;
  gchar *legend_max_label, *legend_min_label;
  gboolean isotherm;
  guint isotherm_pixels;
} Results;

static void
results_clear (Results *res)
{
  g_free (res->hot_label);
  g_free (res->cold_label);
  g_clear_pointer (&res->spots, g_array_unref);
  g_clear_pointer (&res->spot_labels, g_ptr_array_unref);
  g_clear_pointer (&res->rois, g_array_unref);
  g_clear_pointer (&res->roi_labels, g_ptr_array_unref);
  g_free (res->legend_max_label);
  g_free (res->legend_min_label);
}

static gchar *
format_roi (const OverlayRoi *roi, GstThermalOverlayUnits units)
{
  g_autofree gchar *lo = format_temperature (roi->min_c, units);
  g_autofree gchar *mean = format_temperature (roi->mean_c, units);
  g_autofree gchar *hi = format_temperature (roi->max_c, units);

  /* No-break spaces keep each name with its value when a narrow picture
   * wraps the label. */
  return g_strdup_printf ("min\u00a0%s  avg\u00a0%s  max\u00a0%s", lo, mean,
      hi);
}

static void
measure (GstThermalOverlay *self, const Settings *s,
    const OverlayRadiometric *rad, GstThermalMappingMeta *meta, Results *res)
{
  overlay_find_hot_cold (rad, &res->hot, &res->cold);
  res->hot_label = format_temperature (res->hot.celsius, s->units);
  res->cold_label = format_temperature (res->cold.celsius, s->units);

  res->spots = g_array_new (FALSE, TRUE, sizeof (OverlaySample));
  res->spot_labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; s->spots && i < s->spots->len; i++) {
    OverlaySample sample;

    overlay_point_resolve (&g_array_index (s->spots, OverlayPoint, i),
        rad->width, rad->height, &sample.x, &sample.y);
    sample.celsius = overlay_radiometric_celsius (rad, sample.x, sample.y);
    g_array_append_val (res->spots, sample);
    g_ptr_array_add (res->spot_labels, format_temperature (sample.celsius,
            s->units));
  }

  res->rois = g_array_new (FALSE, TRUE, sizeof (OverlayRoi));
  res->roi_labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; s->rois && i < s->rois->len; i++) {
    OverlayRoi roi;

    overlay_rect_resolve (&g_array_index (s->rois, OverlayRect, i),
        rad->width, rad->height, &roi.x, &roi.y, &roi.w, &roi.h);
    overlay_measure_roi (rad, &roi);
    g_array_append_val (res->rois, roi);
    g_ptr_array_add (res->roi_labels, format_roi (&roi, s->units));
  }

  res->legend_max_label = format_temperature (meta->range_max_c, s->units);
  res->legend_min_label = format_temperature (meta->range_min_c, s->units);

  /* The isotherm is on once either bound is moved from its default. */
  res->isotherm = (s->isotherm_low > ISOTHERM_MIN_C
      || s->isotherm_high < ISOTHERM_MAX_C)
      && s->isotherm_low <= s->isotherm_high;
  if (res->isotherm) {
    gsize need = (gsize) rad->width * rad->height;

    if (self->mask_size < need) {
      g_free (self->mask);
      self->mask = g_malloc (need);
      self->mask_size = need;
    }
    res->isotherm_pixels = overlay_isotherm_mask (rad, s->isotherm_low,
        s->isotherm_high, self->mask);
  }
}

static void
set_marker (OverlayMarker *m, OverlayMarkerKind kind, const OverlaySample *at,
    const gchar *label)
{
  m->kind = kind;
  m->sx = at->x;
  m->sy = at->y;
  m->label = label;
}

static void
draw (GstThermalOverlay *self, const Settings *s, const OverlayRadiometric *rad,
    const Results *res, GstVideoFrame *frame)
{
  g_autofree OverlayMarker *markers = NULL;
  g_autofree OverlayBox *boxes = NULL;
  OverlayScene scene = { 0 };
  OverlayTarget target = self->target;
  guint n = 0;

  markers = g_new0 (OverlayMarker, res->spots->len + 2);
  for (guint i = 0; i < res->spots->len; i++) {
    OverlaySample *sp = &g_array_index (res->spots, OverlaySample, i);

    set_marker (&markers[n++], OVERLAY_MARKER_SPOT, sp,
        s->labels ? g_ptr_array_index (res->spot_labels, i) : NULL);
  }
  if (s->hot_cold) {
    /* Hot last, so it stays on top when both are in one spot. */
    set_marker (&markers[n++], OVERLAY_MARKER_COLD, &res->cold,
        s->labels ? res->cold_label : NULL);
    set_marker (&markers[n++], OVERLAY_MARKER_HOT, &res->hot,
        s->labels ? res->hot_label : NULL);
  }
  boxes = g_new0 (OverlayBox, res->rois->len + 1);
  for (guint i = 0; i < res->rois->len; i++) {
    OverlayRoi *roi = &g_array_index (res->rois, OverlayRoi, i);

    boxes[i].sx = roi->x;
    boxes[i].sy = roi->y;
    boxes[i].sw = roi->w;
    boxes[i].sh = roi->h;
    boxes[i].label = s->labels ? g_ptr_array_index (res->roi_labels, i) : NULL;
  }

  scene.sensor_width = rad->width;
  scene.sensor_height = rad->height;
  scene.isotherm_mask = res->isotherm ? self->mask : NULL;
  scene.isotherm_argb = s->isotherm_color;
  scene.boxes = boxes;
  scene.n_boxes = res->rois->len;
  scene.markers = markers;
  scene.n_markers = n;
  scene.legend = s->legend;
  scene.legend_max_label = s->labels ? res->legend_max_label : NULL;
  scene.legend_min_label = s->labels ? res->legend_min_label : NULL;
  scene.legend_lut = &s->legend_lut[0][0];
  scene.font_px = s->font_size;

  target.data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  target.stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  target.width = GST_VIDEO_FRAME_WIDTH (frame);
  target.height = GST_VIDEO_FRAME_HEIGHT (frame);
  overlay_renderer_draw (self->renderer, &target, &scene);
}

static void
post_message (GstThermalOverlay *self, const Settings *s,
    const OverlayRadiometric *rad, GstThermalMappingMeta *meta,
    const Results *res, GstVideoFrame *frame)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstClockTime pts = GST_BUFFER_PTS (frame->buffer);
  GValue sx = G_VALUE_INIT, sy = G_VALUE_INIT, sc = G_VALUE_INIT,
      sl = G_VALUE_INIT;
  GstStructure *st;

  /* field names, types and units: docs/messages.md */
  st = gst_structure_new ("thermal-overlay",
      "timestamp", G_TYPE_UINT64, pts,
      "running-time", G_TYPE_UINT64, gst_segment_to_running_time (
          &trans->segment, GST_FORMAT_TIME, pts),
      "sensor-width", G_TYPE_UINT, rad->width,
      "sensor-height", G_TYPE_UINT, rad->height,
      "picture-width", G_TYPE_UINT, (guint) GST_VIDEO_FRAME_WIDTH (frame),
      "picture-height", G_TYPE_UINT, (guint) GST_VIDEO_FRAME_HEIGHT (frame),
      "units", G_TYPE_STRING, g_enum_get_value (g_type_class_peek (
              GST_TYPE_THERMAL_OVERLAY_UNITS), s->units)->value_nick,
      "range-min-celsius", G_TYPE_DOUBLE,
      thermal_round_celsius (meta->range_min_c),
      "range-max-celsius", G_TYPE_DOUBLE,
      thermal_round_celsius (meta->range_max_c),
      "min-celsius", G_TYPE_DOUBLE, thermal_round_celsius (res->cold.celsius),
      "max-celsius", G_TYPE_DOUBLE, thermal_round_celsius (res->hot.celsius),
      "coldest-x", G_TYPE_UINT, res->cold.x,
      "coldest-y", G_TYPE_UINT, res->cold.y,
      "hottest-x", G_TYPE_UINT, res->hot.x,
      "hottest-y", G_TYPE_UINT, res->hot.y,
      "coldest-label", G_TYPE_STRING, res->cold_label,
      "hottest-label", G_TYPE_STRING, res->hot_label,
      "legend-max-label", G_TYPE_STRING, res->legend_max_label,
      "legend-min-label", G_TYPE_STRING, res->legend_min_label,
      "legend-palette", G_TYPE_STRING, s->legend_palette,
      "isotherm", G_TYPE_BOOLEAN, res->isotherm,
      "isotherm-pixels", G_TYPE_UINT, res->isotherm_pixels, NULL);

  gst_value_array_init (&sx, res->spots->len);
  gst_value_array_init (&sy, res->spots->len);
  gst_value_array_init (&sc, res->spots->len);
  gst_value_array_init (&sl, res->spots->len);
  for (guint i = 0; i < res->spots->len; i++) {
    OverlaySample *sp = &g_array_index (res->spots, OverlaySample, i);

    append_uint (&sx, sp->x);
    append_uint (&sy, sp->y);
    append_double (&sc, thermal_round_celsius (sp->celsius));
    append_string (&sl, g_ptr_array_index (res->spot_labels, i));
  }
  gst_structure_take_value (st, "spot-x", &sx);
  gst_structure_take_value (st, "spot-y", &sy);
  gst_structure_take_value (st, "spot-celsius", &sc);
  gst_structure_take_value (st, "spot-label", &sl);

  set_region_fields (st, (const OverlayRoi *) res->rois->data, res->rois->len,
      res->roi_labels);

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* The radiometric frame must hold width x height little 16-bit values. */
static gboolean
radiometric_valid (GstThermalMappingMeta *meta, gsize size)
{
  if (meta->width == 0 || meta->height == 0 || meta->stride <= 0
      || (gsize) meta->stride < (gsize) meta->width * 2 || !isfinite (meta->scale)
      || !isfinite (meta->offset))
    return FALSE;
  return (gsize) meta->stride * (meta->height - 1) + (gsize) meta->width * 2
      <= size;
}

static GstFlowReturn
gst_thermal_overlay_transform_frame_ip (GstVideoFilter *filter,
    GstVideoFrame *frame)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (filter);
  GstThermalMappingMeta *meta;
  OverlayRadiometric rad;
  Settings s;
  Results res = { 0 };
  GstMapInfo map;

  post_pending_warning (self);
  meta = gst_buffer_get_thermal_mapping_meta (frame->buffer);
  if (!meta || !meta->radiometric) {
    if (!self->warned_no_meta) {
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("The video carries no temperatures; thermaloverlay passes it "
              "through unchanged"),
          ("buffers have no GstThermalMappingMeta: put thermalnormalize "
              "(then thermalcolormap) upstream of thermaloverlay"));
      self->warned_no_meta = TRUE;
    }
    return GST_FLOW_OK;
  }
  if (!gst_buffer_map (meta->radiometric, &map, GST_MAP_READ))
    goto bad_meta;
  if (!radiometric_valid (meta, map.size)) {
    gst_buffer_unmap (meta->radiometric, &map);
    goto bad_meta;
  }
  if (!self->renderer)
    self->renderer = overlay_renderer_new ();

  rad.data = map.data;
  rad.width = meta->width;
  rad.height = meta->height;
  rad.stride = meta->stride;
  rad.scale = meta->scale;
  rad.offset = meta->offset;

  settings_snapshot (self, &s);
  legend_colors (self, &s, frame->buffer);
  measure (self, &s, &rad, meta, &res);
  draw (self, &s, &rad, &res, frame);
  gst_buffer_unmap (meta->radiometric, &map);
  if (s.post_messages)
    post_message (self, &s, &rad, meta, &res, frame);
  results_clear (&res);
  settings_clear (&s);
  return GST_FLOW_OK;

bad_meta:
  if (!self->warned_bad_meta) {
    GST_ELEMENT_WARNING (self, STREAM, FORMAT,
        ("The temperatures attached to the video are unusable; "
            "thermaloverlay passes the video through unchanged"),
        ("GstThermalMappingMeta radiometric frame: %ux%u, stride %d, "
            "%" G_GSIZE_FORMAT " bytes, scale %g, offset %g", meta->width,
            meta->height, meta->stride, gst_buffer_get_size (meta->radiometric),
            meta->scale, meta->offset));
    self->warned_bad_meta = TRUE;
  }
  return GST_FLOW_OK;
}

static void
gst_thermal_overlay_finalize (GObject *object)
{
  GstThermalOverlay *self = GST_THERMAL_OVERLAY (object);

  g_free (self->spots_text);
  g_clear_pointer (&self->spots, g_array_unref);
  g_free (self->rois_text);
  g_clear_pointer (&self->rois, g_array_unref);
  g_free (self->pending_warning);
  g_free (self->palette_file);
  g_clear_pointer (&self->file_colors, g_bytes_unref);
  g_clear_pointer (&self->renderer, overlay_renderer_free);
  g_free (self->mask);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_thermal_overlay_class_init (GstThermalOverlayClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *vfilter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_thermal_overlay_debug, "thermaloverlay", 0,
      "Temperatures drawn on thermal video");

  gobject_class->set_property = gst_thermal_overlay_set_property;
  gobject_class->get_property = gst_thermal_overlay_get_property;
  gobject_class->finalize = gst_thermal_overlay_finalize;

  g_object_class_install_property (gobject_class, PROP_HOT_COLD,
      g_param_spec_boolean ("hot-cold", "Hot and cold markers",
          "Mark the hottest and the coldest pixel with their temperatures",
          DEFAULT_PROP_HOT_COLD, flags));
  g_object_class_install_property (gobject_class, PROP_SPOTS,
      g_param_spec_string ("spots", "Spots",
          "Spot meters \"x,y;x,y;...\": integers are sensor pixels, numbers "
          "with a decimal point fractions of the sensor size (0.5), or "
          "percentages (50%)", DEFAULT_PROP_SPOTS, flags));
  g_object_class_install_property (gobject_class, PROP_ROIS,
      g_param_spec_string ("rois", "Regions",
          "Regions \"x,y,w,h;...\" showing their minimum, mean and maximum; "
          "coordinates as in spots", DEFAULT_PROP_ROIS, flags));
  g_object_class_install_property (gobject_class, PROP_LEGEND,
      g_param_spec_boolean ("legend", "Legend",
          "Draw a colour bar with the displayed temperature range",
          DEFAULT_PROP_LEGEND, flags));
  g_object_class_install_property (gobject_class, PROP_UNITS,
      g_param_spec_enum ("units", "Units", "Unit of the drawn temperatures",
          GST_TYPE_THERMAL_OVERLAY_UNITS, DEFAULT_PROP_UNITS, flags));
  g_object_class_install_property (gobject_class, PROP_ISOTHERM_LOW,
      g_param_spec_double ("isotherm-low", "Isotherm low",
          "Paint pixels at or above this temperature (°C); the isotherm is "
          "off while both bounds are at their defaults", ISOTHERM_MIN_C,
          ISOTHERM_MAX_C, DEFAULT_PROP_ISOTHERM_LOW,
          flags | GST_PARAM_CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_ISOTHERM_HIGH,
      g_param_spec_double ("isotherm-high", "Isotherm high",
          "Paint pixels at or below this temperature (°C); the isotherm is "
          "off while both bounds are at their defaults", ISOTHERM_MIN_C,
          ISOTHERM_MAX_C, DEFAULT_PROP_ISOTHERM_HIGH,
          flags | GST_PARAM_CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_ISOTHERM_COLOR,
      g_param_spec_uint ("isotherm-color", "Isotherm colour",
          "Colour of isotherm pixels as 0xAARRGGBB (alpha blends)",
          0, G_MAXUINT32, DEFAULT_PROP_ISOTHERM_COLOR,
          flags | GST_PARAM_CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_LABELS,
      g_param_spec_boolean ("labels", "Labels",
          "Write temperatures next to markers, regions and legend (FALSE: "
          "markers and boxes only)", DEFAULT_PROP_LABELS, flags));
  g_object_class_install_property (gobject_class, PROP_FONT_SIZE,
      g_param_spec_uint ("font-size", "Font size",
          "Label text height in output pixels (0: picture height / 32, at "
          "least 8)", 0, 256, DEFAULT_PROP_FONT_SIZE, flags));
  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post a \"thermal-overlay\" element message with the measured "
          "values for every frame", DEFAULT_PROP_POST_MESSAGES, flags));

  g_object_class_install_property (gobject_class, PROP_PALETTE,
      g_param_spec_enum ("palette", "Palette",
          "Palette of the legend's colour bar; setting it overrides the "
          "palette the buffers carry (by default the legend shows the "
          "palette thermalcolormap painted the picture with)",
          GST_TYPE_THERMAL_PALETTE, DEFAULT_PROP_PALETTE, flags));
  g_object_class_install_property (gobject_class, PROP_PALETTE_FILE,
      g_param_spec_string ("palette-file", "Palette file",
          "Palette file of the legend (as thermalcolormap's palette-file); "
          "overrides palette while set, and setting it overrides the palette "
          "the buffers carry", DEFAULT_PROP_PALETTE_FILE, flags));
  g_object_class_install_property (gobject_class, PROP_INVERT,
      g_param_spec_boolean ("invert", "Invert",
          "Reverse the legend's palette (as thermalcolormap's invert); "
          "setting it overrides the palette the buffers carry",
          DEFAULT_PROP_INVERT, flags));

  gst_element_class_set_static_metadata (element_class,
      "Thermal overlay", "Filter/Effect/Video",
      "Draws temperatures (hot/cold spots, spot meters, regions, legend, "
      "isotherm) on thermal video", "senxor-gst developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_thermal_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_thermal_overlay_stop);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_thermal_overlay_before_transform);
  vfilter_class->set_info = GST_DEBUG_FUNCPTR (gst_thermal_overlay_set_info);
  vfilter_class->transform_frame_ip =
      GST_DEBUG_FUNCPTR (gst_thermal_overlay_transform_frame_ip);

  gst_type_mark_as_plugin_api (GST_TYPE_THERMAL_OVERLAY_UNITS, 0);
}

static void
gst_thermal_overlay_init (GstThermalOverlay *self)
{
  self->hot_cold = DEFAULT_PROP_HOT_COLD;
  self->legend = DEFAULT_PROP_LEGEND;
  self->units = DEFAULT_PROP_UNITS;
  self->isotherm_low = DEFAULT_PROP_ISOTHERM_LOW;
  self->isotherm_high = DEFAULT_PROP_ISOTHERM_HIGH;
  self->isotherm_color = DEFAULT_PROP_ISOTHERM_COLOR;
  self->labels = DEFAULT_PROP_LABELS;
  self->font_size = DEFAULT_PROP_FONT_SIZE;
  self->post_messages = DEFAULT_PROP_POST_MESSAGES;
  self->palette = DEFAULT_PROP_PALETTE;
  self->invert = DEFAULT_PROP_INVERT;
  self->spots = g_array_new (FALSE, TRUE, sizeof (OverlayPoint));
  self->rois = g_array_new (FALSE, TRUE, sizeof (OverlayRect));
}
