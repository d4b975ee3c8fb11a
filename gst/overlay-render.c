/* thermaloverlay internals: property syntax, measurements and drawing
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "overlay-render.h"
#include "thermal-measure.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

/* ---- property syntax ---- */

#define SYNTAX_HINT "use pixel integers (10), fractions (0.5) or percentages (50%)"

static gboolean
parse_coord (const gchar *token, gboolean is_size, OverlayCoord *c,
    const gchar *what, guint index, GError **error)
{
  g_autofree gchar *s = g_strstrip (g_strdup (token));
  gsize len = strlen (s);
  gboolean percent = FALSE;
  gchar *end = NULL;
  gdouble v;

  if (len > 0 && s[len - 1] == '%') {
    percent = TRUE;
    s[len - 1] = '\0';
    g_strchomp (s);
  }
  if (*s == '\0') {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "%s %u: empty coordinate; %s", what, index, SYNTAX_HINT);
    return FALSE;
  }
  v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0' || !isfinite (v)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "%s %u: '%s' is not a number; %s", what, index, s, SYNTAX_HINT);
    return FALSE;
  }
  if (percent) {
    c->relative = TRUE;
    c->value = v / 100.0;
  } else {
    /* A written decimal point (or exponent) makes a fraction of the sensor. */
    c->relative = strpbrk (s, ".eE") != NULL;
    c->value = v;
  }
  if (c->relative && (c->value < 0.0 || c->value > 1.0)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "%s %u: fraction '%s%s' is outside 0..1 (0%%..100%%)", what, index, s,
        percent ? "%" : "");
    return FALSE;
  }
  if (!c->relative && (c->value < 0.0 || c->value > 65535.0
          || c->value != floor (c->value))) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "%s %u: pixel coordinate '%s' must be an integer from 0 to 65535",
        what, index, s);
    return FALSE;
  }
  if (is_size && c->value <= 0.0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "%s %u: width and height must be larger than 0", what, index);
    return FALSE;
  }
  return TRUE;
}

/* Splits "a,b;c,d;" into entries of @n numbers and hands each to @store. */
static GArray *
parse_list (const gchar *text, guint n, guint elt_size, const gchar *what,
    const gchar *form, GError **error)
{
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, elt_size);
  g_auto (GStrv) entries = NULL;
  guint index = 0;

  if (!text)
    return g_steal_pointer (&out);
  entries = g_strsplit (text, ";", -1);
  for (gchar **e = entries; *e; e++) {
    g_auto (GStrv) parts = NULL;
    OverlayCoord c[4];

    g_strstrip (*e);
    if (**e == '\0')
      continue;
    index++;
    parts = g_strsplit (*e, ",", -1);
    if (g_strv_length (parts) != n) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "%s %u: '%s' has %u numbers, expected %s", what, index, *e,
          g_strv_length (parts), form);
      return NULL;
    }
    for (guint i = 0; i < n; i++) {
      if (!parse_coord (parts[i], i >= 2, &c[i], what, index, error))
        return NULL;
    }
    g_array_set_size (out, out->len + 1);
    memcpy (out->data + (gsize) (out->len - 1) * elt_size, c, elt_size);
  }
  return g_steal_pointer (&out);
}

GArray *
overlay_parse_points (const gchar *text, GError **error)
{
  G_STATIC_ASSERT (sizeof (OverlayPoint) == 2 * sizeof (OverlayCoord));
  return parse_list (text, 2, sizeof (OverlayPoint), "spot", "x,y", error);
}

GArray *
overlay_parse_rects (const gchar *text, GError **error)
{
  G_STATIC_ASSERT (sizeof (OverlayRect) == 4 * sizeof (OverlayCoord));
  return parse_list (text, 4, sizeof (OverlayRect), "roi", "x,y,w,h", error);
}

static guint
resolve_pos (const OverlayCoord *c, guint size)
{
  gdouble v = c->relative ? floor (c->value * size) : c->value;

  return (guint) CLAMP (v, 0.0, (gdouble) size - 1);
}

void
overlay_point_resolve (const OverlayPoint *p, guint width, guint height,
    guint *sx, guint *sy)
{
  *sx = resolve_pos (&p->x, width);
  *sy = resolve_pos (&p->y, height);
}

static void
resolve_span (const OverlayCoord *pos, const OverlayCoord *len, guint size,
    guint *start, guint *count)
{
  gdouble a = pos->relative ? round (pos->value * size) : pos->value;
  gdouble n = len->relative ? round (len->value * size) : len->value;
  gdouble b;

  a = CLAMP (a, 0.0, (gdouble) size - 1);
  b = CLAMP (a + n, a + 1, (gdouble) size);
  *start = (guint) a;
  *count = (guint) (b - a);
}

void
overlay_rect_resolve (const OverlayRect *r, guint width, guint height,
    guint *x, guint *y, guint *w, guint *h)
{
  resolve_span (&r->x, &r->w, width, x, w);
  resolve_span (&r->y, &r->h, height, y, h);
}

/* ---- measurements ---- */

/* Radiometric frames are little-endian (GRAY16_LE) on every host. */
static inline guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint16
raw_at (const OverlayRadiometric *r, guint x, guint y)
{
  return read_le16 (r->data + (gsize) y * r->stride + x * 2);
}

static inline gdouble
raw_to_celsius (const OverlayRadiometric *r, gdouble raw)
{
  return thermal_raw_to_celsius (raw, r->scale, r->offset);
}

static void
radiometric_rect (const OverlayRadiometric *r, ThermalRect *rect)
{
  rect->data = r->data;
  rect->stride = r->stride;
  rect->width = r->width;
  rect->height = r->height;
}

gdouble
overlay_radiometric_celsius (const OverlayRadiometric *r, guint x, guint y)
{
  return raw_to_celsius (r, raw_at (r, x, y));
}

void
overlay_find_hot_cold (const OverlayRadiometric *r, OverlaySample *hot,
    OverlaySample *cold)
{
  ThermalRect frame;
  ThermalRegion m;

  radiometric_rect (r, &frame);
  if (!thermal_region_measure (&frame, r->scale, r->offset, 0, 0, r->width,
          r->height, &m)) {
    memset (hot, 0, sizeof *hot);
    memset (cold, 0, sizeof *cold);
    return;
  }
  hot->x = m.hottest.x;
  hot->y = m.hottest.y;
  hot->celsius = m.hottest.celsius;
  cold->x = m.coldest.x;
  cold->y = m.coldest.y;
  cold->celsius = m.coldest.celsius;
}

void
overlay_measure_roi (const OverlayRadiometric *r, OverlayRoi *roi)
{
  ThermalRect frame;
  ThermalRegion m;

  radiometric_rect (r, &frame);
  if (!thermal_region_measure (&frame, r->scale, r->offset, roi->x, roi->y,
          roi->w, roi->h, &m)) {
    roi->min_c = roi->max_c = roi->mean_c = NAN;
    memset (&roi->coldest, 0, sizeof roi->coldest);
    memset (&roi->hottest, 0, sizeof roi->hottest);
    return;
  }
  roi->min_c = m.min_c;
  roi->max_c = m.max_c;
  roi->mean_c = m.mean_c;
  roi->coldest.x = m.coldest.x;
  roi->coldest.y = m.coldest.y;
  roi->coldest.celsius = m.coldest.celsius;
  roi->hottest.x = m.hottest.x;
  roi->hottest.y = m.hottest.y;
  roi->hottest.celsius = m.hottest.celsius;
}

guint
overlay_isotherm_mask (const OverlayRadiometric *r, gdouble low_c,
    gdouble high_c, guint8 *mask)
{
  guint n = 0;

  for (guint y = 0; y < r->height; y++) {
    const guint8 *row = r->data + (gsize) y * r->stride;
    guint8 *m = mask + (gsize) y * r->width;

    for (guint x = 0; x < r->width; x++) {
      gdouble c = raw_to_celsius (r, read_le16 (row + x * 2));

      m[x] = c >= low_c && c <= high_c;
      n += m[x];
    }
  }
  return n;
}

/* ---- pixel layouts ---- */

void
overlay_target_set_layout (OverlayTarget *t, gboolean has_alpha, guint r_off,
    guint g_off, guint b_off, guint a_off)
{
  /* Byte offsets of cairo's native 32-bit pixel 0xAARRGGBB. */
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  const guint nr = 2, ng = 1, nb = 0, na = 3;
#else
  const guint nr = 1, ng = 2, nb = 3, na = 0;
#endif

  t->has_alpha = has_alpha;
  t->swap_rb = FALSE;
  t->reorder = FALSE;
  if (r_off == nr && g_off == ng && b_off == nb && a_off == na)
    return;
  if (r_off == nb && g_off == ng && b_off == nr && a_off == na) {
    /* Only R and B differ: draw with R and B exchanged in every colour,
     * which gives the right bytes without touching the picture. */
    t->swap_rb = TRUE;
    return;
  }
  t->reorder = TRUE;
  t->perm[nr] = r_off;
  t->perm[ng] = g_off;
  t->perm[nb] = b_off;
  t->perm[na] = a_off;
}

/* Permutes the bytes of the pixels in [x0, x1) x [y0, y1): native byte i =
 * frame byte perm[i].  The permutations of the 4-byte RGB formats are a
 * byte swap or a rotation of the 32-bit pixel, done a word at a time. */
static void
reorder_rect (const OverlayTarget *t, const guint8 perm[4], guint x0,
    guint y0, guint x1, guint y1)
{
  gboolean swap = perm[0] == 3 && perm[1] == 2 && perm[2] == 1 && perm[3] == 0;
  guint rot = 0;

  for (guint k = 1; k < 4 && !swap && !rot; k++) {
    if (perm[0] == k && perm[1] == (1 + k) % 4 && perm[2] == (2 + k) % 4
        && perm[3] == (3 + k) % 4)
      rot = k;
  }
  for (guint y = y0; y < y1; y++) {
    guint8 *p = t->data + (gsize) y * t->stride + (gsize) x0 * 4;
    guint32 *w = (guint32 *) p;
    const guint n = x1 - x0;

    if (swap) {
      for (guint x = 0; x < n; x++)
        w[x] = GUINT32_SWAP_LE_BE (w[x]);
    } else if (rot) {
      const guint s = 8 * rot;

      for (guint x = 0; x < n; x++)
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
        w[x] = (w[x] >> s) | (w[x] << (32 - s));
#else
        w[x] = (w[x] << s) | (w[x] >> (32 - s));
#endif
    } else {
      for (guint x = 0; x < n; x++, p += 4) {
        guint8 q[4] = { p[0], p[1], p[2], p[3] };

        p[0] = q[perm[0]];
        p[1] = q[perm[1]];
        p[2] = q[perm[2]];
        p[3] = q[perm[3]];
      }
    }
  }
}

/* ---- drawing ---- */

gint
overlay_map_center (guint s, guint sensor, guint out)
{
  return (gint) (((guint64) s * 2 + 1) * out / ((guint64) sensor * 2));
}

gint
overlay_map_edge (guint s, guint sensor, guint out)
{
  return (gint) ((guint64) s * out / sensor);
}

typedef struct {
  PangoLayout *layout;
  gchar *text;
  gint w, h;                    /* box including padding */
  gint tx, ty;                  /* where the layout goes inside the box */
  gint max_w;                   /* the picture width it was laid out for */
} Label;

typedef struct {
  guint8 *data;
  gint stride, width, height;
  cairo_format_t format;
  cairo_surface_t *surface;
  cairo_t *cr;
} CachedTarget;

#define N_CACHED_TARGETS 4

struct _OverlayRenderer {
  PangoFontMap *fontmap;
  PangoContext *context;
  guint font_px;
  gint pad;
  GPtrArray *labels;

  cairo_surface_t *legend;
  gint legend_w, legend_h;
  gboolean legend_swap, legend_has_lut;
  guint8 legend_lut[256 * 3];

  guint *xstart;                /* first output column of each sensor column */
  guint xstart_out, xstart_sensor;

  gint label_right;              /* labels end left of this (the legend) */

  /* Frames that must be reordered for cairo are reordered only in the
   * TILE x TILE tiles something is drawn on: a first pass over the scene
   * marks them (measuring), without drawing. */
  gboolean measuring;
  guint8 *tiles;
  guint tiles_w, tiles_h;

  CachedTarget targets[N_CACHED_TARGETS];
  guint next_target;
};

/* fontconfig and pango keep process-wide state; several overlays in one
 * process take turns. */
static GMutex text_lock;

static void
label_free (gpointer data)
{
  Label *l = data;

  g_clear_object (&l->layout);
  g_free (l->text);
  g_free (l);
}

static void
cached_target_clear (CachedTarget *c)
{
  g_clear_pointer (&c->cr, cairo_destroy);
  g_clear_pointer (&c->surface, cairo_surface_destroy);
  c->data = NULL;
}

OverlayRenderer *
overlay_renderer_new (void)
{
  OverlayRenderer *r = g_new0 (OverlayRenderer, 1);
  cairo_font_options_t *opts;

  g_mutex_lock (&text_lock);
  r->fontmap = pango_cairo_font_map_new ();
  r->context = pango_font_map_create_context (r->fontmap);
  opts = cairo_font_options_create ();
  /* Video is scaled and encoded: grey antialiasing, no subpixel colours;
   * whole-pixel metrics keep labels at the same place frame after frame. */
  cairo_font_options_set_antialias (opts, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (opts, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_hint_metrics (opts, CAIRO_HINT_METRICS_ON);
  pango_cairo_context_set_font_options (r->context, opts);
  cairo_font_options_destroy (opts);
  g_mutex_unlock (&text_lock);
  r->labels = g_ptr_array_new_with_free_func (label_free);
  return r;
}

void
overlay_renderer_free (OverlayRenderer *r)
{
  if (!r)
    return;
  g_mutex_lock (&text_lock);
  g_ptr_array_unref (r->labels);
  g_clear_object (&r->context);
  g_clear_object (&r->fontmap);
  g_mutex_unlock (&text_lock);
  g_clear_pointer (&r->legend, cairo_surface_destroy);
  g_free (r->xstart);
  g_free (r->tiles);
  for (guint i = 0; i < N_CACHED_TARGETS; i++)
    cached_target_clear (&r->targets[i]);
  g_free (r);
}

/* A cairo context on the frame; pools hand out the same few buffers, so
 * the wrappers are kept instead of being made for every frame. */
static cairo_t *
get_cairo (OverlayRenderer *r, const OverlayTarget *t)
{
  cairo_format_t format = t->has_alpha ? CAIRO_FORMAT_ARGB32 :
      CAIRO_FORMAT_RGB24;
  CachedTarget *c;

  for (guint i = 0; i < N_CACHED_TARGETS; i++) {
    c = &r->targets[i];
    if (c->cr && c->data == t->data && c->stride == t->stride
        && c->width == (gint) t->width && c->height == (gint) t->height
        && c->format == format && cairo_status (c->cr) == CAIRO_STATUS_SUCCESS) {
      cairo_surface_mark_dirty (c->surface);
      return c->cr;
    }
  }
  c = &r->targets[r->next_target];
  r->next_target = (r->next_target + 1) % N_CACHED_TARGETS;
  cached_target_clear (c);
  c->surface = cairo_image_surface_create_for_data (t->data, format,
      t->width, t->height, t->stride);
  c->cr = cairo_create (c->surface);
  if (cairo_status (c->cr) != CAIRO_STATUS_SUCCESS) {
    cached_target_clear (c);
    return NULL;
  }
  c->data = t->data;
  c->stride = t->stride;
  c->width = t->width;
  c->height = t->height;
  c->format = format;
  return c->cr;
}

static void
set_color (cairo_t *cr, const OverlayTarget *t, gdouble red, gdouble green,
    gdouble blue, gdouble alpha)
{
  if (t->swap_rb)
    cairo_set_source_rgba (cr, blue, green, red, alpha);
  else
    cairo_set_source_rgba (cr, red, green, blue, alpha);
}

static void
set_font_size (OverlayRenderer *r, guint px)
{
  PangoFontDescription *desc;

  if (r->font_px == px)
    return;
  r->font_px = px;
  r->pad = MAX (1, (gint) px / 8);
  desc = pango_font_description_from_string ("Sans Bold");
  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  pango_context_set_font_description (r->context, desc);
  pango_font_description_free (desc);
  /* Every label must be measured again with the new font. */
  for (guint i = 0; i < r->labels->len; i++) {
    Label *l = g_ptr_array_index (r->labels, i);

    g_clear_pointer (&l->text, g_free);
    pango_layout_context_changed (l->layout);
  }
}

/* The label in @slot showing @text: the layout is only laid out again when
 * its text or the picture width changes.  Text wider than the picture wraps
 * at spaces. */
static Label *
get_label (OverlayRenderer *r, guint slot, const gchar *text, gint max_w)
{
  Label *l;

  while (r->labels->len <= slot) {
    l = g_new0 (Label, 1);
    l->layout = pango_layout_new (r->context);
    pango_layout_set_wrap (l->layout, PANGO_WRAP_WORD_CHAR);
    g_ptr_array_add (r->labels, l);
  }
  l = g_ptr_array_index (r->labels, slot);
  if (g_strcmp0 (l->text, text) != 0 || l->max_w != max_w) {
    PangoRectangle logical;

    g_free (l->text);
    l->text = g_strdup (text);
    l->max_w = max_w;
    pango_layout_set_width (l->layout,
        MAX (1, max_w - 2 * r->pad) * PANGO_SCALE);
    pango_layout_set_text (l->layout, text, -1);
    pango_layout_get_pixel_extents (l->layout, NULL, &logical);
    l->w = logical.width + 2 * r->pad;
    l->h = logical.height + 2 * r->pad;
    l->tx = r->pad - logical.x;
    l->ty = r->pad - logical.y;
  }
  return l;
}

static gint
clamp_pos (gint v, gint size, gint limit)
{
  if (v + size > limit)
    v = limit - size;
  return MAX (v, 0);
}

#define TILE 32

/* Marks the tiles a rectangle of output pixels touches. */
static void
mark_rect (OverlayRenderer *r, const OverlayTarget *t, gdouble x0, gdouble y0,
    gdouble x1, gdouble y1)
{
  gint tx0, ty0, tx1, ty1;

  x0 = CLAMP (floor (x0) - 1, 0, t->width);
  y0 = CLAMP (floor (y0) - 1, 0, t->height);
  x1 = CLAMP (ceil (x1) + 1, 0, t->width);
  y1 = CLAMP (ceil (y1) + 1, 0, t->height);
  if (x1 <= x0 || y1 <= y0)
    return;
  tx0 = (gint) x0 / TILE;
  ty0 = (gint) y0 / TILE;
  tx1 = ((gint) x1 - 1) / TILE;
  ty1 = ((gint) y1 - 1) / TILE;
  for (gint ty = ty0; ty <= ty1; ty++)
    memset (r->tiles + (gsize) ty * r->tiles_w + tx0, 1, tx1 - tx0 + 1);
}

/* cairo_fill(), or while measuring, marks where it would draw. */
static void
fill (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t)
{
  gdouble x0, y0, x1, y1;

  if (!r->measuring) {
    cairo_fill (cr);
    return;
  }
  cairo_fill_extents (cr, &x0, &y0, &x1, &y1);
  mark_rect (r, t, x0, y0, x1, y1);
  cairo_new_path (cr);
}

/* Reorders the marked tiles with @perm. */
static void
reorder_tiles (OverlayRenderer *r, const OverlayTarget *t,
    const guint8 perm[4])
{
  for (guint ty = 0; ty < r->tiles_h; ty++) {
    const guint8 *row = r->tiles + (gsize) ty * r->tiles_w;
    guint y0 = ty * TILE, y1 = MIN (y0 + TILE, t->height);

    for (guint tx = 0; tx < r->tiles_w; tx++) {
      guint end = tx;

      if (!row[tx])
        continue;
      /* A run of marked tiles at once. */
      while (end + 1 < r->tiles_w && row[end + 1])
        end++;
      reorder_rect (t, perm, tx * TILE, y0, MIN ((end + 1) * TILE, t->width),
          y1);
      tx = end;
    }
  }
}

/* Draws the label box with its top-left corner at (x, y), kept inside the
 * picture and left of @right (the legend) when it fits there. */
static void
draw_label (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t,
    Label *l, gint x, gint y, gint right)
{
  x = clamp_pos (x, l->w, l->w <= right ? right : (gint) t->width);
  y = clamp_pos (y, l->h, t->height);
  if (r->measuring) {
    /* Glyphs may reach a little past their logical box. */
    mark_rect (r, t, x - r->pad, y - r->pad, x + l->w + r->pad,
        y + l->h + r->pad);
    return;
  }
  set_color (cr, t, 0, 0, 0, 0.6);
  cairo_rectangle (cr, x, y, l->w, l->h);
  cairo_fill (cr);
  set_color (cr, t, 1, 1, 1, 1);
  cairo_move_to (cr, x + l->tx, y + l->ty);
  pango_cairo_show_layout (cr, l->layout);
}

typedef struct {
  gint arm, gap, thick;
} MarkerShape;

static MarkerShape
marker_shape (const OverlayTarget *t)
{
  MarkerShape s;

  s.arm = MAX (3, (gint) MIN (t->width, t->height) / 40);
  s.gap = MAX (1, s.arm / 4);
  s.thick = s.arm >= 8 ? 2 : 1;
  return s;
}

static void
crosshair_path (cairo_t *cr, const MarkerShape *s, gint cx, gint cy, gint grow)
{
  gint o = s->thick / 2;
  gint len = s->arm - s->gap + 2 * grow;
  gint th = s->thick + 2 * grow;

  cairo_rectangle (cr, cx - s->arm - grow, cy - o - grow, len, th);
  cairo_rectangle (cr, cx + s->gap + 1 - grow, cy - o - grow, len, th);
  cairo_rectangle (cr, cx - o - grow, cy - s->arm - grow, th, len);
  cairo_rectangle (cr, cx - o - grow, cy + s->gap + 1 - grow, th, len);
}

static void
draw_marker (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t,
    const OverlayScene *scene, const OverlayMarker *m, guint *slot)
{
  MarkerShape s = marker_shape (t);
  gint cx = overlay_map_center (m->sx, scene->sensor_width, t->width);
  gint cy = overlay_map_center (m->sy, scene->sensor_height, t->height);

  crosshair_path (cr, &s, cx, cy, 1);
  set_color (cr, t, 0, 0, 0, 1);
  fill (r, cr, t);
  crosshair_path (cr, &s, cx, cy, 0);
  switch (m->kind) {
    case OVERLAY_MARKER_HOT:
      set_color (cr, t, 1, 0, 0, 1);
      break;
    case OVERLAY_MARKER_COLD:
      set_color (cr, t, 0, 1, 1, 1);
      break;
    default:
      set_color (cr, t, 1, 1, 1, 1);
      break;
  }
  fill (r, cr, t);

  if (m->label) {
    Label *l = get_label (r, (*slot)++, m->label, t->width);
    gint x = cx + s.arm + 2;

    /* Right of the marker, or left of it near the right edge. */
    if (x + l->w > r->label_right)
      x = cx - s.arm - 2 - l->w;
    draw_label (r, cr, t, l, x, cy - l->h / 2, r->label_right);
  }
}

static void
ring_path (cairo_t *cr, gint x, gint y, gint w, gint h, gint th)
{
  cairo_rectangle (cr, x, y, w, h);
  if (w > 2 * th && h > 2 * th)
    cairo_rectangle (cr, x + th, y + th, w - 2 * th, h - 2 * th);
}

static void
draw_box (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t,
    const OverlayScene *scene, const OverlayBox *b, guint *slot)
{
  gint x0 = overlay_map_edge (b->sx, scene->sensor_width, t->width);
  gint y0 = overlay_map_edge (b->sy, scene->sensor_height, t->height);
  gint x1 = overlay_map_edge (b->sx + b->sw, scene->sensor_width, t->width);
  gint y1 = overlay_map_edge (b->sy + b->sh, scene->sensor_height, t->height);
  gint th = marker_shape (t).thick;

  x1 = MAX (x1, x0 + 1);
  y1 = MAX (y1, y0 + 1);
  if (r->measuring) {
    /* The four sides of the ring, not the inside of the box. */
    gint b = th + 2;

    mark_rect (r, t, x0 - 1, y0 - 1, x1 + 1, y0 - 1 + b);
    mark_rect (r, t, x0 - 1, y1 + 1 - b, x1 + 1, y1 + 1);
    mark_rect (r, t, x0 - 1, y0 - 1, x0 - 1 + b, y1 + 1);
    mark_rect (r, t, x1 + 1 - b, y0 - 1, x1 + 1, y1 + 1);
  }
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_EVEN_ODD);
  if (!r->measuring) {
    ring_path (cr, x0 - 1, y0 - 1, x1 - x0 + 2, y1 - y0 + 2, th + 2);
    set_color (cr, t, 0, 0, 0, 1);
    cairo_fill (cr);
    ring_path (cr, x0, y0, x1 - x0, y1 - y0, th);
    set_color (cr, t, 1, 1, 1, 1);
    cairo_fill (cr);
  }
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);

  if (b->label) {
    Label *l = get_label (r, (*slot)++, b->label, t->width);
    gint y = y0 - 1 - l->h;

    /* Above the box, else below it, else inside along its top edge. */
    if (y < 0)
      y = y1 + 1;
    if (y + l->h > (gint) t->height)
      y = y0 + th;
    draw_label (r, cr, t, l, x0, y, r->label_right);
  }
}

static guint32
native_pixel (const OverlayTarget *t, guint8 red, guint8 green, guint8 blue)
{
  if (t->swap_rb) {
    guint8 tmp = red;

    red = blue;
    blue = tmp;
  }
  return 0xff000000u | ((guint32) red << 16) | ((guint32) green << 8) | blue;
}

static void
update_legend (OverlayRenderer *r, const OverlayTarget *t, gint w, gint h,
    const guint8 *lut)
{
  guint8 *data;
  gint stride;

  if (r->legend && r->legend_w == w && r->legend_h == h
      && r->legend_swap == t->swap_rb && r->legend_has_lut == (lut != NULL)
      && (!lut || memcmp (r->legend_lut, lut, sizeof (r->legend_lut)) == 0))
    return;
  g_clear_pointer (&r->legend, cairo_surface_destroy);
  r->legend = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  r->legend_w = w;
  r->legend_h = h;
  r->legend_swap = t->swap_rb;
  r->legend_has_lut = lut != NULL;
  if (lut)
    memcpy (r->legend_lut, lut, sizeof (r->legend_lut));
  if (cairo_surface_status (r->legend) != CAIRO_STATUS_SUCCESS)
    return;
  cairo_surface_flush (r->legend);
  data = cairo_image_surface_get_data (r->legend);
  stride = cairo_image_surface_get_stride (r->legend);
  for (gint y = 0; y < h; y++) {
    /* Top row: the largest display value (range maximum). */
    guint d = h > 1 ? (guint) ((255 * (h - 1 - y) + (h - 1) / 2) / (h - 1)) :
        255;
    guint32 px = lut ? native_pixel (t, lut[3 * d], lut[3 * d + 1],
        lut[3 * d + 2]) : native_pixel (t, d, d, d);
    guint32 *row = (guint32 *) (data + (gsize) y * stride);

    for (gint x = 0; x < w; x++)
      row[x] = px;
  }
  cairo_surface_mark_dirty (r->legend);
}

typedef struct {
  gint x, y, w, h;              /* the bar */
  gint left;                    /* left edge of the bar and its labels */
  Label *top, *bottom;
} LegendLayout;

static void
layout_legend (OverlayRenderer *r, const OverlayTarget *t,
    const OverlayScene *scene, guint *slot, LegendLayout *lg)
{
  gint W = t->width, H = t->height;
  gint margin = MAX (2, W / 100);
  gint room = H - 2 * margin;
  gint labels_w = 0;

  lg->top = lg->bottom = NULL;
  /* The range labels go above and below the bar and take their room. */
  if (scene->legend_max_label) {
    lg->top = get_label (r, (*slot)++, scene->legend_max_label, t->width);
    room -= lg->top->h + 2;
    labels_w = MAX (labels_w, lg->top->w);
  }
  if (scene->legend_min_label) {
    lg->bottom = get_label (r, (*slot)++, scene->legend_min_label, t->width);
    room -= lg->bottom->h + 2;
    labels_w = MAX (labels_w, lg->bottom->w);
  }
  lg->w = MAX (4, W / 48);
  lg->h = MAX (MIN (H * 6 / 10, room), 4);
  lg->x = W - margin - lg->w;
  lg->y = (H - lg->h) / 2;
  lg->left = MIN (lg->x - 1, W - margin - labels_w);
}

static void
draw_legend (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t,
    const OverlayScene *scene, const LegendLayout *lg)
{
  gint W = t->width;
  gint margin = MAX (2, W / 100);

  if (r->measuring) {
    mark_rect (r, t, lg->x - 1, lg->y - 1, lg->x + lg->w + 1,
        lg->y + lg->h + 1);
  } else {
    update_legend (r, t, lg->w, lg->h, scene->legend_lut);
    if (r->legend
        && cairo_surface_status (r->legend) == CAIRO_STATUS_SUCCESS) {
      set_color (cr, t, 0, 0, 0, 1);
      cairo_rectangle (cr, lg->x - 1, lg->y - 1, lg->w + 2, lg->h + 2);
      cairo_fill (cr);
      cairo_set_source_surface (cr, r->legend, lg->x, lg->y);
      cairo_rectangle (cr, lg->x, lg->y, lg->w, lg->h);
      cairo_fill (cr);
    }
  }
  if (lg->top)
    draw_label (r, cr, t, lg->top, W - margin - lg->top->w,
        lg->y - 2 - lg->top->h, W);
  if (lg->bottom)
    draw_label (r, cr, t, lg->bottom, W - margin - lg->bottom->w,
        lg->y + lg->h + 2, W);
}

/* Blends with per-channel tables: tab[c][b] = (colour c * a + b * (255 - a))
 * / 255, rounded, made once per frame; off[c] is the byte of channel c in
 * the frame's pixels. */
typedef struct {
  guint8 tab[3][256];
  guint off[3];
} BlendTables;

static void
blend_run (guint8 *px, guint n, const BlendTables *bt)
{
  for (guint i = 0; i < n; i++, px += 4) {
    px[bt->off[0]] = bt->tab[0][px[bt->off[0]]];
    px[bt->off[1]] = bt->tab[1][px[bt->off[1]]];
    px[bt->off[2]] = bt->tab[2][px[bt->off[2]]];
  }
}

/* Paints the output pixels of every masked sensor pixel: output pixel
 * (x, y) shows sensor pixel (x * sw / width, y * sh / height), so each
 * sensor pixel is a run of output columns, filled at once. */
static void
draw_isotherm (OverlayRenderer *r, cairo_surface_t *surface,
    const OverlayTarget *t, const OverlayScene *scene)
{
  guint sw = scene->sensor_width, sh = scene->sensor_height;
  guint alpha = scene->isotherm_argb >> 24;
  guint32 native = native_pixel (t, (scene->isotherm_argb >> 16) & 0xff,
      (scene->isotherm_argb >> 8) & 0xff, scene->isotherm_argb & 0xff);
  guint8 nb[4], fb[4];
  guint32 color;
  const guint8 *prev = NULL;
  gboolean prev_any = FALSE;
  BlendTables bt;

  if (alpha == 0)
    return;
  /* The isotherm is written in the frame's own byte order, before any
   * reordering: native byte i goes to frame byte perm[i]. */
  memcpy (nb, &native, 4);
  for (guint i = 0; i < 4; i++)
    fb[t->reorder ? t->perm[i] : i] = nb[i];
  memcpy (&color, fb, 4);
  if (alpha != 255) {
    for (guint c = 0; c < 3; c++) {
      /* channel c is bits 8c..8c+7 of the native pixel */
      guint nbyte = G_BYTE_ORDER == G_LITTLE_ENDIAN ? c : 3 - c;
      guint v = (native >> (8 * c)) & 0xff;

      bt.off[c] = t->reorder ? t->perm[nbyte] : nbyte;
      for (guint b = 0; b < 256; b++)
        bt.tab[c][b] = (guint8) ((v * alpha + b * (255 - alpha) + 127) / 255);
    }
  }
  if (r->xstart_out != t->width || r->xstart_sensor != sw) {
    g_free (r->xstart);
    r->xstart = g_new (guint, sw + 1);
    for (guint sx = 0; sx <= sw; sx++)
      r->xstart[sx] = (guint) (((guint64) sx * t->width + sw - 1) / sw);
    r->xstart_out = t->width;
    r->xstart_sensor = sw;
  }
  cairo_surface_flush (surface);
  for (guint y = 0; y < t->height; y++) {
    const guint8 *m = scene->isotherm_mask +
        (gsize) ((guint64) y * sh / t->height) * sw;
    guint32 *row = (guint32 *) (t->data + (gsize) y * t->stride);

    if (m != prev) {
      prev = m;
      prev_any = memchr (m, 1, sw) != NULL;
    }
    if (!prev_any)
      continue;
    for (guint sx = 0; sx < sw; sx++) {
      guint x0 = r->xstart[sx], n = r->xstart[sx + 1] - x0;

      if (!m[sx] || n == 0)
        continue;
      if (alpha == 255) {
        for (guint i = 0; i < n; i++)
          row[x0 + i] = color;
      } else {
        blend_run ((guint8 *) (row + x0), n, &bt);
      }
    }
  }
  cairo_surface_mark_dirty (surface);
}

/* Everything but the isotherm, in the order it is stacked. */
static void
draw_scene (OverlayRenderer *r, cairo_t *cr, const OverlayTarget *t,
    const OverlayScene *scene)
{
  LegendLayout legend = { 0 };
  guint slot = 0;

  /* Other labels keep clear of the legend, unless it takes most of a
   * small picture. */
  r->label_right = t->width;
  if (scene->legend) {
    layout_legend (r, t, scene, &slot, &legend);
    if (legend.left - 2 >= (gint) t->width / 2)
      r->label_right = legend.left - 2;
  }
  for (guint i = 0; i < scene->n_boxes; i++)
    draw_box (r, cr, t, scene, &scene->boxes[i], &slot);
  for (guint i = 0; i < scene->n_markers; i++)
    draw_marker (r, cr, t, scene, &scene->markers[i], &slot);
  if (scene->legend)
    draw_legend (r, cr, t, scene, &legend);
}

void
overlay_renderer_draw (OverlayRenderer *r, const OverlayTarget *t,
    const OverlayScene *scene)
{
  cairo_t *cr;
  guint font_px;

  if (t->width == 0 || t->height == 0 || scene->sensor_width == 0
      || scene->sensor_height == 0)
    return;
  cr = get_cairo (r, t);
  if (!cr)
    return;

  if (scene->isotherm_mask)
    draw_isotherm (r, cairo_get_target (cr), t, scene);

  cairo_save (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  font_px = scene->font_px ? scene->font_px : CLAMP (t->height / 32, 8, 48);

  g_mutex_lock (&text_lock);
  pango_cairo_update_context (cr, r->context);
  set_font_size (r, font_px);
  if (t->reorder) {
    guint tw = (t->width + TILE - 1) / TILE, th = (t->height + TILE - 1) / TILE;

    if (r->tiles_w != tw || r->tiles_h != th) {
      g_free (r->tiles);
      r->tiles = g_malloc ((gsize) tw * th);
      r->tiles_w = tw;
      r->tiles_h = th;
    }
    memset (r->tiles, 0, (gsize) tw * th);
    r->measuring = TRUE;
    draw_scene (r, cr, t, scene);
    r->measuring = FALSE;
    cairo_surface_flush (cairo_get_target (cr));
    reorder_tiles (r, t, t->perm);
    cairo_surface_mark_dirty (cairo_get_target (cr));
  }
  draw_scene (r, cr, t, scene);
  g_mutex_unlock (&text_lock);

  cairo_restore (cr);
  cairo_surface_flush (cairo_get_target (cr));
  if (t->reorder) {
    guint8 inverse[4];

    for (guint i = 0; i < 4; i++)
      inverse[t->perm[i]] = i;
    reorder_tiles (r, t, inverse);
    cairo_surface_mark_dirty (cairo_get_target (cr));
  }
}
