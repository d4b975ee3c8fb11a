/* thermaloverlay internals: property syntax, measurements and drawing
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Kept apart from the element so the element file only deals with
 * properties, buffers and messages.  Nothing here knows GStreamer.
 */
#pragma once

#include <glib.h>
#include <cairo.h>

G_BEGIN_DECLS

/* ---- property syntax ---- */

/* One coordinate of a spot or ROI: a sensor pixel (an integer such as "10")
 * or a fraction of the sensor size ("0.5" or "50%"). */
typedef struct {
  gdouble value;
  gboolean relative;
} OverlayCoord;

typedef struct {
  OverlayCoord x, y;
} OverlayPoint;

typedef struct {
  OverlayCoord x, y, w, h;
} OverlayRect;

/* "x,y;x,y;..." -> GArray of OverlayPoint (empty for NULL or "").  NULL and
 * @error set (G_IO_ERROR_INVALID_ARGUMENT) on a syntax error. */
GArray *overlay_parse_points (const gchar *text, GError **error);

/* "x,y,w,h;..." -> GArray of OverlayRect, like overlay_parse_points(). */
GArray *overlay_parse_rects (const gchar *text, GError **error);

/* The sensor pixel a point designates on a @width x @height sensor,
 * clamped to the sensor. */
void overlay_point_resolve (const OverlayPoint *p, guint width, guint height,
    guint *sx, guint *sy);

/* The sensor pixels [*x, *x + *w) x [*y, *y + *h) a rectangle covers on a
 * @width x @height sensor, clipped to the sensor, never empty. */
void overlay_rect_resolve (const OverlayRect *r, guint width, guint height,
    guint *x, guint *y, guint *w, guint *h);

/* ---- measurements on the radiometric frame ----
 * Thin wrappers over thermal-measure.h (the units and the region statistics
 * shared with thermalnormalize). */

typedef struct {
  const guint8 *data;           /* GRAY16_LE */
  guint width, height;
  gint stride;
  gdouble scale, offset;        /* K = value * scale + offset */
} OverlayRadiometric;

typedef struct {
  guint x, y;
  gdouble celsius;
} OverlaySample;

typedef struct {
  guint x, y, w, h;             /* sensor pixels */
  gdouble min_c, max_c, mean_c;
  OverlaySample coldest, hottest;       /* positions in sensor pixels */
} OverlayRoi;

gdouble overlay_radiometric_celsius (const OverlayRadiometric *r, guint x,
    guint y);

/* The hottest and coldest pixels (the first in raster order on ties). */
void overlay_find_hot_cold (const OverlayRadiometric *r, OverlaySample *hot,
    OverlaySample *cold);

/* Fills min/max/mean and the coldest/hottest pixels of the rectangle
 * already set in @roi. */
void overlay_measure_roi (const OverlayRadiometric *r, OverlayRoi *roi);

/* Sets mask[y * width + x] to 1 where low_c <= T <= high_c, else 0;
 * returns how many pixels are set. */
guint overlay_isotherm_mask (const OverlayRadiometric *r, gdouble low_c,
    gdouble high_c, guint8 *mask);

/* ---- drawing ---- */

/* Where sensor pixel @s (its centre) lands on an output axis of @out pixels
 * when the sensor axis has @sensor pixels. */
gint overlay_map_center (guint s, guint sensor, guint out);

/* The first output pixel of sensor pixel @s (edges of boxes, isotherms). */
gint overlay_map_edge (guint s, guint sensor, guint out);

typedef enum {
  OVERLAY_MARKER_HOT,
  OVERLAY_MARKER_COLD,
  OVERLAY_MARKER_SPOT,
} OverlayMarkerKind;

typedef struct {
  OverlayMarkerKind kind;
  guint sx, sy;                 /* sensor pixel */
  const gchar *label;           /* NULL: marker only */
} OverlayMarker;

typedef struct {
  guint sx, sy, sw, sh;         /* sensor pixels */
  const gchar *label;           /* NULL: box only */
} OverlayBox;

typedef struct {
  guint sensor_width, sensor_height;
  const guint8 *isotherm_mask;  /* sensor_width * sensor_height or NULL */
  guint32 isotherm_argb;
  const OverlayBox *boxes;
  guint n_boxes;
  const OverlayMarker *markers;
  guint n_markers;
  gboolean legend;
  const gchar *legend_max_label;        /* top of the bar, or NULL */
  const gchar *legend_min_label;        /* bottom of the bar, or NULL */
  const guint8 *legend_lut;     /* 256 RGB triples, display 0..255; NULL: grey */
  guint font_px;                /* 0: from the picture height */
} OverlayScene;

/* How the video frame's bytes relate to cairo's native 32-bit pixels. */
typedef struct {
  guint8 *data;
  gint stride;
  guint width, height;
  gboolean has_alpha;           /* CAIRO_FORMAT_ARGB32, else RGB24 */
  gboolean swap_rb;             /* R and B are swapped relative to cairo */
  gboolean reorder;             /* bytes must be permuted (see perm) */
  guint8 perm[4];               /* native byte i = frame byte perm[i] */
} OverlayTarget;

/* Fills @t's format fields for a 4-byte RGB-family layout given the byte
 * offsets of R, G, B and A (or the padding byte). */
void overlay_target_set_layout (OverlayTarget *t, gboolean has_alpha,
    guint r_off, guint g_off, guint b_off, guint a_off);

typedef struct _OverlayRenderer OverlayRenderer;

OverlayRenderer *overlay_renderer_new (void);
void overlay_renderer_free (OverlayRenderer *r);

/* Draws @scene on the frame described by @t, in place. */
void overlay_renderer_draw (OverlayRenderer *r, const OverlayTarget *t,
    const OverlayScene *scene);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OverlayRenderer, overlay_renderer_free)

G_END_DECLS
