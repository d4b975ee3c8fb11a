/* thermalcolormap: GRAY8 to colour through a thermal palette
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-thermalcolormap
 * @title: thermalcolormap
 *
 * Maps 8-bit thermal display values (GRAY8, usually from thermalnormalize)
 * to colours through a palette: white-hot, black-hot, ironbow, rainbow,
 * rainbow-hc, jet, hot, cool, bone, turbo, inferno, magma, plasma, viridis,
 * cividis, lava, arctic, or a palette file (docs/palettes.md).  Output is
 * packed RGB (RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR) or
 * I420 / NV12 (BT.601 limited range) so an encoder can follow directly.
 * Every pixel is one table look-up; for 4-byte formats one 32-bit load and
 * one store.
 *
 * Alpha (RGBA-family output) is opaque, a constant, or zero below a
 * threshold input level, so compositor can lay hot regions over a camera
 * picture.  All properties can change while PLAYING; the next frame uses
 * them.  Buffer metas (GstThermalMappingMeta) pass through, and every output
 * buffer carries a #GstThermalPaletteMeta naming the palette, its colours
 * (shared, not copied) and invert, so a legend further down (thermaloverlay,
 * an application behind appsink) shows the colours of the picture.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap palette=ironbow ! videoscale ! video/x-raw,width=640,height=480 ! videoconvert ! autovideosink
 * gst-launch-1.0 videotestsrc ! video/x-raw,format=GRAY8 ! thermalcolormap palette=inferno invert=true ! videoconvert ! autovideosink
 * gst-launch-1.0 videotestsrc pattern=gradient ! video/x-raw,format=GRAY8 ! thermalcolormap palette-file=my.pal ! video/x-raw,format=I420 ! x264enc ! fakesink
 * ]|
 */
#include "config.h"

#include <string.h>

#include "gstsenxorelements.h"
#include "gstsenxormeta.h"
#include "gstthermalcolormap.h"
#include "palette-file.h"

GST_DEBUG_CATEGORY_STATIC (gst_thermal_colormap_debug);
#define GST_CAT_DEFAULT gst_thermal_colormap_debug

#define DEFAULT_PROP_PALETTE GST_THERMAL_PALETTE_IRONBOW
#define DEFAULT_PROP_PALETTE_FILE NULL
#define DEFAULT_PROP_INVERT FALSE
#define DEFAULT_PROP_ALPHA_MODE GST_THERMAL_COLORMAP_ALPHA_OPAQUE
#define DEFAULT_PROP_ALPHA 255
#define DEFAULT_PROP_ALPHA_THRESHOLD 128

enum
{
  PROP_0,
  PROP_PALETTE,
  PROP_PALETTE_FILE,
  PROP_INVERT,
  PROP_ALPHA_MODE,
  PROP_ALPHA,
  PROP_ALPHA_THRESHOLD,
};

typedef void (*ColormapFunc) (GstThermalColormap *self,
    const GstVideoFrame *in, GstVideoFrame *out);

struct _GstThermalColormap
{
  GstVideoFilter parent;

  /* Everything below is guarded by GST_OBJECT_LOCK.  set_property only
   * records settings and marks the tables dirty; the streaming thread
   * rebuilds them before the next frame and maps the frame under the lock,
   * so a frame never sees half a table. */
  GstThermalPalette palette;
  gchar *palette_file;
  gboolean invert;
  GstThermalColormapAlphaMode alpha_mode;
  guint alpha;
  guint alpha_threshold;

  gboolean file_dirty;          /* palette_file changed, not loaded yet */
  guint file_generation;        /* bumped on every palette_file change */
  GBytes *file_colors;          /* palette_file loaded, or NULL */

  /* What the tables were built from, for the GstThermalPaletteMeta of every
   * output buffer (the bytes are shared with it, not copied). */
  GBytes *colors;
  const gchar *colors_name;     /* palette nick or "file", static/interned */
  gboolean colors_invert;

  gboolean lut_dirty;
  ColormapFunc func;
  guint8 offsets[4];            /* byte of R, G, B, A/x within a pixel */
  guint pixel_stride;
  gboolean has_alpha;           /* else a 4-byte format's 4th byte is padding */

  /* One entry per input level, in output memory order. */
  guint32 lut32[256];           /* 4-byte formats; 3-byte ones use 3 bytes */
  guint8 lut_y[256];
  /* 256 * Cb and 256 * Cr, offset by 128 * 256 so they are never negative:
   * sums of four fit easily and one shift gives the rounded mean. */
  guint16 lut_cb[256];
  guint16 lut_cr[256];
};

#define gst_thermal_colormap_parent_class parent_class
G_DEFINE_TYPE (GstThermalColormap, gst_thermal_colormap,
    GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (thermalcolormap, "thermalcolormap",
    GST_RANK_NONE, GST_TYPE_THERMAL_COLORMAP);

/* 4-byte formats first (cheapest for videoconvert and most sinks). */
#define SRC_RGB_FORMATS \
  "{ BGRx, RGBx, xBGR, xRGB, BGRA, RGBA, ARGB, ABGR, BGR, RGB }"
#define SRC_YUV_FORMATS "{ I420, NV12 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("GRAY8")));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (SRC_RGB_FORMATS) "; "
        GST_VIDEO_CAPS_MAKE (SRC_YUV_FORMATS) ", colorimetry=(string)bt601"));

GType
gst_thermal_colormap_alpha_mode_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_THERMAL_COLORMAP_ALPHA_OPAQUE, "Opaque (alpha 255)", "opaque"},
    {GST_THERMAL_COLORMAP_ALPHA_CONSTANT, "The alpha property everywhere",
        "constant"},
    {GST_THERMAL_COLORMAP_ALPHA_THRESHOLD,
        "Transparent below alpha-threshold, the alpha property above",
        "threshold"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstThermalColormapAlphaMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ---- tables ---- */

/* Rebuilds the per-level tables for the current settings and format.
 * Called with the object lock held. */
static void
gst_thermal_colormap_build_luts (GstThermalColormap *self)
{
  const guint8 (*pal)[3];
  guint level;

  g_clear_pointer (&self->colors, g_bytes_unref);
  if (self->file_colors) {
    self->colors = g_bytes_ref (self->file_colors);
    self->colors_name = "file";
  } else {
    self->colors = thermal_palette_builtin_colors (self->palette);
    self->colors_name = thermal_palette_nicks[self->palette];
  }
  self->colors_invert = self->invert;
  pal = g_bytes_get_data (self->colors, NULL);

  for (level = 0; level < 256; level++) {
    const guint8 *rgb = pal[self->invert ? 255 - level : level];
    gint r = rgb[0], g = rgb[1], b = rgb[2];
    guint8 a, px[4] = { 0, 0, 0, 0 };

    switch (self->alpha_mode) {
      case GST_THERMAL_COLORMAP_ALPHA_CONSTANT:
        a = (guint8) self->alpha;
        break;
      case GST_THERMAL_COLORMAP_ALPHA_THRESHOLD:
        a = level < self->alpha_threshold ? 0 : (guint8) self->alpha;
        break;
      case GST_THERMAL_COLORMAP_ALPHA_OPAQUE:
      default:
        a = 255;
        break;
    }
    px[self->offsets[0]] = (guint8) r;
    px[self->offsets[1]] = (guint8) g;
    px[self->offsets[2]] = (guint8) b;
    if (self->pixel_stride == 4)
      px[self->offsets[3]] = self->has_alpha ? a : 255;
    memcpy (&self->lut32[level], px, 4);

    /* BT.601 limited range, the usual 8-bit integer form (docs). */
    self->lut_y[level] = (guint8) (((66 * r + 129 * g + 25 * b + 128) >> 8)
        + 16);
    self->lut_cb[level] = (guint16) (32768 + (-38 * r - 74 * g + 112 * b));
    self->lut_cr[level] = (guint16) (32768 + (112 * r - 94 * g - 18 * b));
  }
  self->lut_dirty = FALSE;
}

/* ---- per-format kernels ---- */

static void
colormap_packed4 (GstThermalColormap *self, const GstVideoFrame *in,
    GstVideoFrame *out)
{
  const guint32 *lut = self->lut32;
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gint ss = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
  gint ds = GST_VIDEO_FRAME_PLANE_STRIDE (out, 0);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
  guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA (out, 0);
  gint x, y;

  for (y = 0; y < h; y++) {
    const guint8 *s = src + (gsize) y * ss;
    guint8 *d = dst + (gsize) y * ds;

    /* memcpy keeps unaligned strides legal; it compiles to plain moves. */
    for (x = 0; x + 4 <= w; x += 4) {
      guint32 p0 = lut[s[x]], p1 = lut[s[x + 1]];
      guint32 p2 = lut[s[x + 2]], p3 = lut[s[x + 3]];

      memcpy (d + 4 * x, &p0, 4);
      memcpy (d + 4 * x + 4, &p1, 4);
      memcpy (d + 4 * x + 8, &p2, 4);
      memcpy (d + 4 * x + 12, &p3, 4);
    }
    for (; x < w; x++)
      memcpy (d + 4 * x, &lut[s[x]], 4);
  }
}

static void
colormap_packed3 (GstThermalColormap *self, const GstVideoFrame *in,
    GstVideoFrame *out)
{
  const guint32 *lut = self->lut32;
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gint ss = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
  gint ds = GST_VIDEO_FRAME_PLANE_STRIDE (out, 0);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
  guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA (out, 0);
  gint x, y;

  for (y = 0; y < h; y++) {
    const guint8 *s = src + (gsize) y * ss;
    guint8 *d = dst + (gsize) y * ds;

    /* 4-byte stores overlapping by one byte, each fixed by the next pixel;
     * the row's last pixel gets an exact 3-byte store. */
    for (x = 0; x + 1 < w; x++)
      memcpy (d + 3 * x, &lut[s[x]], 4);
    memcpy (d + 3 * x, &lut[s[x]], 3);
  }
}

/* Luma of one row. */
static inline void
colormap_luma_row (const guint8 *lut_y, const guint8 *s, guint8 *d, gint w)
{
  gint x;

  for (x = 0; x < w; x++)
    d[x] = lut_y[s[x]];
}

/* Chroma of 2x2 blocks: the mean of the four pixels' Cb/Cr, rounded.  At an
 * odd right or bottom edge the missing pixels repeat the present ones, which
 * is the mean of the pixels there. */
static void
colormap_chroma_row (const GstThermalColormap *self, const guint8 *s0,
    const guint8 *s1, guint8 *u, guint8 *v, gint uv_step, gint w)
{
  const guint16 *cb = self->lut_cb, *cr = self->lut_cr;
  gint x, i = 0;

  for (x = 0; x + 1 < w; x += 2, i += uv_step) {
    guint a = s0[x], b = s0[x + 1], c = s1[x], d = s1[x + 1];

    u[i] = (guint8) ((cb[a] + cb[b] + cb[c] + cb[d] + 512u) >> 10);
    v[i] = (guint8) ((cr[a] + cr[b] + cr[c] + cr[d] + 512u) >> 10);
  }
  if (x < w) {
    guint a = s0[x], c = s1[x];

    u[i] = (guint8) ((2u * cb[a] + 2u * cb[c] + 512u) >> 10);
    v[i] = (guint8) ((2u * cr[a] + 2u * cr[c] + 512u) >> 10);
  }
}

static void
colormap_yuv420 (GstThermalColormap *self, const GstVideoFrame *in,
    GstVideoFrame *out)
{
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gint ss = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
  const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
  gint ys = GST_VIDEO_FRAME_PLANE_STRIDE (out, 0);
  guint8 *yp = GST_VIDEO_FRAME_PLANE_DATA (out, 0);
  gboolean nv12 = GST_VIDEO_FRAME_FORMAT (out) == GST_VIDEO_FORMAT_NV12;
  guint8 *up, *vp;
  gint us, vs, step, y;

  if (nv12) {
    up = GST_VIDEO_FRAME_PLANE_DATA (out, 1);
    vp = up + 1;
    us = vs = GST_VIDEO_FRAME_PLANE_STRIDE (out, 1);
    step = 2;
  } else {
    up = GST_VIDEO_FRAME_COMP_DATA (out, GST_VIDEO_COMP_U);
    vp = GST_VIDEO_FRAME_COMP_DATA (out, GST_VIDEO_COMP_V);
    us = GST_VIDEO_FRAME_COMP_STRIDE (out, GST_VIDEO_COMP_U);
    vs = GST_VIDEO_FRAME_COMP_STRIDE (out, GST_VIDEO_COMP_V);
    step = 1;
  }

  for (y = 0; y < h; y += 2) {
    const guint8 *s0 = src + (gsize) y * ss;
    const guint8 *s1 = y + 1 < h ? s0 + ss : s0;

    colormap_luma_row (self->lut_y, s0, yp + (gsize) y * ys, w);
    if (y + 1 < h)
      colormap_luma_row (self->lut_y, s1, yp + (gsize) (y + 1) * ys, w);
    colormap_chroma_row (self, s0, s1, up + (gsize) (y / 2) * us,
        vp + (gsize) (y / 2) * vs, step, w);
  }
}

/* ---- palette files ---- */

/* Loads palette-file if it changed since the last load.  Runs without the
 * lock during I/O and installs the result only if the property has not
 * changed meanwhile.  Posts an element error and returns FALSE on failure. */
static gboolean
gst_thermal_colormap_update_file_palette (GstThermalColormap *self)
{
  g_autofree gchar *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) colors = NULL;
  guint generation;

  GST_OBJECT_LOCK (self);
  if (!self->file_dirty) {
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  path = g_strdup (self->palette_file);
  generation = self->file_generation;
  GST_OBJECT_UNLOCK (self);

  if (path != NULL && path[0] != '\0') {
    colors = thermal_palette_load_colors (path, &error);
    if (!colors && error->domain == THERMAL_PALETTE_ERROR) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
          ("palette-file=%s; the format is described in docs/palettes.md",
              path));
      return FALSE;
    }
    if (!colors) {
      GST_ELEMENT_ERROR (self, RESOURCE, READ, ("%s", error->message),
          ("palette-file=%s", path));
      return FALSE;
    }
    GST_INFO_OBJECT (self, "loaded palette file %s", path);
  }

  GST_OBJECT_LOCK (self);
  if (generation == self->file_generation) {
    g_clear_pointer (&self->file_colors, g_bytes_unref);
    self->file_colors = g_steal_pointer (&colors);
    self->file_dirty = FALSE;
    self->lut_dirty = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* ---- GstBaseTransform / GstVideoFilter ---- */

static gboolean
gst_thermal_colormap_start (GstBaseTransform *trans)
{
  /* a bad palette file fails the READY -> PAUSED change, before any data */
  return gst_thermal_colormap_update_file_palette (GST_THERMAL_COLORMAP
      (trans));
}

static GstCaps *
gst_thermal_colormap_transform_caps (GstBaseTransform *trans,
    GstPadDirection direction, GstCaps *caps, GstCaps *filter)
{
  GstCaps *stripped = gst_caps_new_empty ();
  GstCaps *templ, *result;
  guint i;

  /* Size, rate and aspect carry over; format and colour description are
   * the other pad's. */
  for (i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *s = gst_caps_get_structure (caps, i);
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    if (i > 0 && gst_caps_is_subset_structure_full (stripped, s, f))
      continue;
    s = gst_structure_copy (s);
    gst_structure_remove_fields (s, "format", "colorimetry", "chroma-site",
        NULL);
    gst_caps_append_structure_full (stripped, s, gst_caps_features_copy (f));
  }

  templ = gst_static_pad_template_get_caps (direction == GST_PAD_SINK ?
      &src_template : &sink_template);
  /* template order first: it lists the preferred formats first */
  result = gst_caps_intersect_full (templ, stripped, GST_CAPS_INTERSECT_FIRST);
  gst_caps_unref (templ);
  gst_caps_unref (stripped);

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, result,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (result);
    result = tmp;
  }
  GST_DEBUG_OBJECT (trans, "%s caps %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, result);
  return result;
}

/* Downstream lists formats in its own order (videoconvert starts with
 * ABGR-like ones); among those it accepts, pick ours in template order so
 * `thermalcolormap ! videoconvert` gets cheap BGRx rather than whatever
 * comes first there. */
static GstCaps *
gst_thermal_colormap_fixate_caps (GstBaseTransform *trans,
    GstPadDirection direction, GstCaps *caps, GstCaps *othercaps)
{
  if (direction == GST_PAD_SINK) {
    GstCaps *ours = gst_thermal_colormap_transform_caps (trans, direction,
        caps, NULL);
    GstCaps *preferred = gst_caps_intersect_full (ours, othercaps,
        GST_CAPS_INTERSECT_FIRST);

    gst_caps_unref (ours);
    if (!gst_caps_is_empty (preferred)) {
      gst_caps_unref (othercaps);
      othercaps = preferred;
    } else {
      gst_caps_unref (preferred);
    }
  }
  return GST_BASE_TRANSFORM_CLASS (parent_class)->fixate_caps (trans,
      direction, caps, othercaps);
}

static gboolean
gst_thermal_colormap_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in_info, GstCaps *outcaps, GstVideoInfo *out_info)
{
  GstThermalColormap *self = GST_THERMAL_COLORMAP (filter);
  const GstVideoFormatInfo *finfo = out_info->finfo;
  ColormapFunc func = NULL;
  guint8 offsets[4] = { 0, 1, 2, 3 };
  guint pstride = 0;

  if (GST_VIDEO_INFO_FORMAT (in_info) != GST_VIDEO_FORMAT_GRAY8
      || GST_VIDEO_INFO_WIDTH (in_info) != GST_VIDEO_INFO_WIDTH (out_info)
      || GST_VIDEO_INFO_HEIGHT (in_info) != GST_VIDEO_INFO_HEIGHT (out_info)) {
    GST_ERROR_OBJECT (self, "cannot map %" GST_PTR_FORMAT " to %"
        GST_PTR_FORMAT, incaps, outcaps);
    return FALSE;
  }

  switch (GST_VIDEO_INFO_FORMAT (out_info)) {
    case GST_VIDEO_FORMAT_I420:
    case GST_VIDEO_FORMAT_NV12:
      func = colormap_yuv420;
      break;
    default:
      if (GST_VIDEO_FORMAT_INFO_IS_RGB (finfo)
          && (finfo->pixel_stride[0] == 3 || finfo->pixel_stride[0] == 4)) {
        guint c;

        pstride = (guint) finfo->pixel_stride[0];
        for (c = 0; c < 3; c++)
          offsets[c] = (guint8) finfo->poffset[c];
        if (pstride == 4) {
          /* alpha, or the padding byte: the one R, G, B leave free */
          offsets[3] = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo) ?
              (guint8) finfo->poffset[3] :
              (guint8) (6 - offsets[0] - offsets[1] - offsets[2]);
          func = colormap_packed4;
        } else {
          func = colormap_packed3;
        }
      }
      break;
  }
  if (func == NULL) {
    GST_ERROR_OBJECT (self, "unsupported output format %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (out_info)));
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  self->func = func;
  self->pixel_stride = pstride;
  self->has_alpha = GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo);
  memcpy (self->offsets, offsets, sizeof (offsets));
  self->lut_dirty = TRUE;
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self, "GRAY8 -> %s, %dx%d",
      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (out_info)),
      GST_VIDEO_INFO_WIDTH (out_info), GST_VIDEO_INFO_HEIGHT (out_info));
  return TRUE;
}

static void
gst_thermal_colormap_before_transform (GstBaseTransform *trans,
    GstBuffer *buffer)
{
  GstClockTime timestamp, stream_time;

  timestamp = GST_BUFFER_TIMESTAMP (buffer);
  stream_time = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
      timestamp);
  if (GST_CLOCK_TIME_IS_VALID (stream_time))
    gst_object_sync_values (GST_OBJECT (trans), stream_time);
}

static GstFlowReturn
gst_thermal_colormap_transform_frame (GstVideoFilter *filter,
    GstVideoFrame *in_frame, GstVideoFrame *out_frame)
{
  GstThermalColormap *self = GST_THERMAL_COLORMAP (filter);
  GstThermalPaletteMeta *old;
  GBytes *colors;
  const gchar *name;
  gboolean invert;

  if (!gst_thermal_colormap_update_file_palette (self))
    return GST_FLOW_ERROR;

  GST_OBJECT_LOCK (self);
  if (self->lut_dirty)
    gst_thermal_colormap_build_luts (self);
  self->func (self, in_frame, out_frame);
  colors = g_bytes_ref (self->colors);
  name = self->colors_name;
  invert = self->colors_invert;
  GST_OBJECT_UNLOCK (self);

  /* One palette per buffer: a meta copied from the input is replaced. */
  old = gst_buffer_get_thermal_palette_meta (out_frame->buffer);
  if (old)
    gst_buffer_remove_meta (out_frame->buffer, (GstMeta *) old);
  gst_buffer_add_thermal_palette_meta (out_frame->buffer, name, colors,
      invert);
  g_bytes_unref (colors);
  return GST_FLOW_OK;
}

/* ---- GObject ---- */

static void
gst_thermal_colormap_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstThermalColormap *self = GST_THERMAL_COLORMAP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PALETTE:
      self->palette = (GstThermalPalette) g_value_get_enum (value);
      break;
    case PROP_PALETTE_FILE:
      g_free (self->palette_file);
      self->palette_file = g_value_dup_string (value);
      self->file_generation++;
      self->file_dirty = TRUE;
      break;
    case PROP_INVERT:
      self->invert = g_value_get_boolean (value);
      break;
    case PROP_ALPHA_MODE:
      self->alpha_mode = (GstThermalColormapAlphaMode) g_value_get_enum (value);
      break;
    case PROP_ALPHA:
      self->alpha = g_value_get_uint (value);
      break;
    case PROP_ALPHA_THRESHOLD:
      self->alpha_threshold = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  self->lut_dirty = TRUE;
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_colormap_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  GstThermalColormap *self = GST_THERMAL_COLORMAP (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PALETTE:
      g_value_set_enum (value, self->palette);
      break;
    case PROP_PALETTE_FILE:
      g_value_set_string (value, self->palette_file);
      break;
    case PROP_INVERT:
      g_value_set_boolean (value, self->invert);
      break;
    case PROP_ALPHA_MODE:
      g_value_set_enum (value, self->alpha_mode);
      break;
    case PROP_ALPHA:
      g_value_set_uint (value, self->alpha);
      break;
    case PROP_ALPHA_THRESHOLD:
      g_value_set_uint (value, self->alpha_threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_colormap_finalize (GObject *object)
{
  GstThermalColormap *self = GST_THERMAL_COLORMAP (object);

  g_free (self->palette_file);
  g_clear_pointer (&self->file_colors, g_bytes_unref);
  g_clear_pointer (&self->colors, g_bytes_unref);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_thermal_colormap_class_init (GstThermalColormapClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_thermal_colormap_debug, "thermalcolormap", 0,
      "Thermal palette colour mapping");

  gobject_class->set_property = gst_thermal_colormap_set_property;
  gobject_class->get_property = gst_thermal_colormap_get_property;
  gobject_class->finalize = gst_thermal_colormap_finalize;

  g_object_class_install_property (gobject_class, PROP_PALETTE,
      g_param_spec_enum ("palette", "Palette",
          "Built-in palette (ignored while palette-file is set)",
          GST_TYPE_THERMAL_PALETTE, DEFAULT_PROP_PALETTE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE
          | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PALETTE_FILE,
      g_param_spec_string ("palette-file", "Palette file",
          "Palette file (256 rows \"R G B\", or gradient stops \"POSITION R G "
          "B\"; see docs/palettes.md); overrides palette while set, unset or "
          "empty to use palette", DEFAULT_PROP_PALETTE_FILE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INVERT,
      g_param_spec_boolean ("invert", "Invert",
          "Reverse the palette (level 0 gets the hot end)",
          DEFAULT_PROP_INVERT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE
          | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ALPHA_MODE,
      g_param_spec_enum ("alpha-mode", "Alpha mode",
          "How the alpha channel of RGBA-family output is filled",
          GST_TYPE_THERMAL_COLORMAP_ALPHA_MODE, DEFAULT_PROP_ALPHA_MODE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE
          | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ALPHA,
      g_param_spec_uint ("alpha", "Alpha",
          "Alpha of visible pixels in alpha-mode constant and threshold "
          "(0 transparent, 255 opaque)", 0, 255, DEFAULT_PROP_ALPHA,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE
          | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ALPHA_THRESHOLD,
      g_param_spec_uint ("alpha-threshold", "Alpha threshold",
          "In alpha-mode threshold, input levels below this are fully "
          "transparent (compared before invert)", 0, 256,
          DEFAULT_PROP_ALPHA_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE
          | GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "Thermal colour map", "Filter/Effect/Converter/Video",
      "Maps 8-bit thermal display values to colours through a palette",
      "senxor-gst contributors");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_thermal_colormap_start);
  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_thermal_colormap_transform_caps);
  trans_class->fixate_caps =
      GST_DEBUG_FUNCPTR (gst_thermal_colormap_fixate_caps);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_thermal_colormap_before_transform);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_thermal_colormap_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_thermal_colormap_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_THERMAL_PALETTE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_THERMAL_COLORMAP_ALPHA_MODE, 0);
}

static void
gst_thermal_colormap_init (GstThermalColormap *self)
{
  self->palette = DEFAULT_PROP_PALETTE;
  self->palette_file = NULL;
  self->invert = DEFAULT_PROP_INVERT;
  self->alpha_mode = DEFAULT_PROP_ALPHA_MODE;
  self->alpha = DEFAULT_PROP_ALPHA;
  self->alpha_threshold = DEFAULT_PROP_ALPHA_THRESHOLD;
  self->lut_dirty = TRUE;
}
