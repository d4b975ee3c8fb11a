/* thermalnormalize: radiometric GRAY16 frames to display values
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-thermalnormalize
 * @title: thermalnormalize
 *
 * Turns radiometric 16-bit frames (temperatures) into display values, the
 * last step before colouring: GRAY16_LE in, GRAY8 (preferred) or GRAY16_LE
 * out.  The range shown is chosen per frame (`percentile`, the default:
 * 1 % to 98.5 % of the pixels, so a small hot object does not push the rest
 * to black; or `minmax`), by plateau-limited histogram equalisation
 * (`histogram`) or fixed in °C (`fixed`), optionally computed from a region
 * of interest and damped over time.  Every output buffer carries a #GstThermalMappingMeta with the range
 * in °C and a reference to the radiometric frame, so later elements can show
 * real temperatures.
 *
 * The unit of the input comes from the #GstSenxorFrameMeta that senxorsrc
 * attaches; other GRAY16_LE sources (a Lepton through v4l2src, a file) say it
 * with #GstThermalNormalize:input-unit.
 *
 * The element can also post `thermal-stats` and `thermal-alarm` element
 * messages on the bus; docs/messages.md lists their fields.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap ! videoscale ! video/x-raw,width=640,height=480 ! videoconvert ! autovideosink
 * gst-launch-1.0 senxorsrc ! thermalnormalize mode=fixed min-temp=20 max-temp=40 ! thermalcolormap ! videoscale ! video/x-raw,width=640,height=480 ! videoconvert ! autovideosink
 * gst-launch-1.0 -m senxorsrc ! thermalnormalize alarm-high=60 stats-interval=1000000000 ! fakesink
 * gst-launch-1.0 videotestsrc ! video/x-raw,format=GRAY16_LE,width=160,height=120 ! thermalnormalize input-unit=centi-kelvin mode=histogram ! videoscale ! video/x-raw,width=640,height=480 ! videoconvert ! autovideosink
 * ]|
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "gstthermalnormalize.h"
#include "gstsenxorelements.h"

GST_DEBUG_CATEGORY_STATIC (gst_thermal_normalize_debug);
#define GST_CAT_DEFAULT gst_thermal_normalize_debug

/* "Off" values no pixel reaches in any unit: 100000 is above 65535 raw
 * counts (and 6262 °C in deci-Kelvin); nothing is colder than 0 K. */
#define ALARM_OFF_HIGH 100000.0
#define ALARM_OFF_LOW (-273.15)

#define DEFAULT_PROP_MODE GST_THERMAL_MAPPING_PERCENTILE
#define DEFAULT_PROP_INPUT_UNIT GST_THERMAL_NORMALIZE_UNIT_DECI_KELVIN
#define DEFAULT_PROP_LOW_PERCENT 1.0
#define DEFAULT_PROP_HIGH_PERCENT 98.5
#define DEFAULT_PROP_PLATEAU 1.0
#define DEFAULT_PROP_LINEAR_PERCENT 20.0
#define DEFAULT_PROP_MIN_TEMP 20.0
#define DEFAULT_PROP_MAX_TEMP 40.0
#define DEFAULT_PROP_MIN_SPAN 2.0
#define DEFAULT_PROP_SMOOTHING 0.0
#define DEFAULT_PROP_SMOOTHING_TIME 0
#define DEFAULT_PROP_ROI NULL
#define DEFAULT_PROP_STATS_INTERVAL 0
#define DEFAULT_PROP_ALARM_HIGH ALARM_OFF_HIGH
#define DEFAULT_PROP_ALARM_LOW ALARM_OFF_LOW
#define DEFAULT_PROP_ALARM_HYSTERESIS 1.0
#define DEFAULT_PROP_ALARM_MIN_PIXELS 1

#define TEMP_MIN (-273.15)
#define TEMP_MAX 10000.0

enum {
  PROP_0,
  PROP_MODE,
  PROP_INPUT_UNIT,
  PROP_LOW_PERCENT,
  PROP_HIGH_PERCENT,
  PROP_PLATEAU,
  PROP_LINEAR_PERCENT,
  PROP_MIN_TEMP,
  PROP_MAX_TEMP,
  PROP_MIN_SPAN,
  PROP_SMOOTHING,
  PROP_SMOOTHING_TIME,
  PROP_ROI,
  PROP_STATS_INTERVAL,
  PROP_ALARM_HIGH,
  PROP_ALARM_LOW,
  PROP_ALARM_HYSTERESIS,
  PROP_ALARM_MIN_PIXELS,
};

static GstStaticPadTemplate gst_thermal_normalize_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("GRAY16_LE")));

static GstStaticPadTemplate gst_thermal_normalize_src_template =
GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE ("{ GRAY8, GRAY16_LE }")));

G_DEFINE_TYPE (GstThermalNormalize, gst_thermal_normalize,
    GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (thermalnormalize, "thermalnormalize",
    GST_RANK_NONE, GST_TYPE_THERMAL_NORMALIZE);

GType
gst_thermal_normalize_unit_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_THERMAL_NORMALIZE_UNIT_DECI_KELVIN, "Deci-Kelvin (0.1 K per step)",
        "deci-kelvin"},
    {GST_THERMAL_NORMALIZE_UNIT_CENTI_KELVIN, "Centi-Kelvin (0.01 K per step)",
        "centi-kelvin"},
    {GST_THERMAL_NORMALIZE_UNIT_RAW,
        "Raw counts (temperatures reported are the counts)", "raw"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstThermalNormalizeUnit", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* ---- units ---- */

/* K = value * scale + offset */
typedef struct {
  gdouble scale;
  gdouble offset;
} ThermalUnit;

static inline gdouble
raw_to_c (const ThermalUnit *u, gdouble v)
{
  return thermal_raw_to_celsius (v, u->scale, u->offset);
}

/* Raw value of a temperature, snapped to a 1e-6 step grid so that decimal
 * °C values of whole raw steps (20 °C = 29315 cK) come out whole. */
static inline gdouble
c_to_raw (const ThermalUnit *u, gdouble c)
{
  gdouble r = thermal_celsius_to_raw (c, u->scale, u->offset);

  r = CLAMP (r, -1e9, 1e9);
  return round (r * 1e6) / 1e6;
}

static void
unit_of_buffer (GstThermalNormalize *self, const GstThermalNormalizeSettings *s,
    GstBuffer *buf, ThermalUnit *u)
{
  GstSenxorFrameMeta *meta = gst_buffer_get_senxor_frame_meta (buf);

  if (meta) {
    if (meta->scale > 0 && isfinite (meta->scale) && isfinite (meta->offset)) {
      u->scale = meta->scale;
      u->offset = meta->offset;
      return;
    }
    if (!self->warned_scale) {
      self->warned_scale = TRUE;
      GST_ELEMENT_WARNING (self, STREAM, FORMAT,
          ("Input frames carry an invalid temperature unit"),
          ("GstSenxorFrameMeta scale %g offset %g; using input-unit instead",
              meta->scale, meta->offset));
    }
  }
  switch (s->input_unit) {
    case GST_THERMAL_NORMALIZE_UNIT_CENTI_KELVIN:
      u->scale = 0.01;
      u->offset = 0;
      break;
    case GST_THERMAL_NORMALIZE_UNIT_RAW:
      /* °C = counts: ranges, stats and alarms are then in counts */
      u->scale = 1.0;
      u->offset = 273.15;
      break;
    case GST_THERMAL_NORMALIZE_UNIT_DECI_KELVIN:
    default:
      u->scale = 0.1;
      u->offset = 0;
      break;
  }
}

/* ---- per-frame context ---- */

typedef struct {
  GstThermalNormalizeSettings s;
  ThermalUnit u;
  ThermalRect frame;
  ThermalRect roi;
  guint roi_x, roi_y;
  gboolean have_roi_range;
  guint16 roi_min, roi_max;
  guint out_max;
  gdouble weight;               /* of the previous frame's range or map */
} FrameCtx;

static void
ctx_roi_range (FrameCtx *c)
{
  if (!c->have_roi_range) {
    thermal_rect_minmax (&c->roi, &c->roi_min, &c->roi_max);
    c->have_roi_range = TRUE;
  }
}

static gboolean
alarm_high_enabled (const GstThermalNormalizeSettings *s)
{
  return s->alarm_high < ALARM_OFF_HIGH;
}

static gboolean
alarm_low_enabled (const GstThermalNormalizeSettings *s)
{
  return s->alarm_low > ALARM_OFF_LOW;
}

/* Temperatures in bus messages, to 0.01 °C (docs/messages.md) */
#define msg_c thermal_round_celsius

/* The ROI resolved on the frame as thermaloverlay resolves its regions
 * (clipped to the frame, never empty); none is the whole frame. */
static void
ctx_set_roi (FrameCtx *c)
{
  guint w = c->frame.width, h = c->frame.height;
  guint x = 0, y = 0, rw = w, rh = h;

  if (c->s.have_roi)
    overlay_rect_resolve (&c->s.roi, w, h, &x, &y, &rw, &rh);
  c->roi_x = x;
  c->roi_y = y;
  c->roi.data = c->frame.data + (gssize) y * c->frame.stride + x * 2;
  c->roi.stride = c->frame.stride;
  c->roi.width = rw;
  c->roi.height = rh;
}

/* ---- linear modes ---- */

static gdouble
smooth (gdouble prev, gdouble cur, gdouble k)
{
  return k * prev + (1.0 - k) * cur;
}

/* Widens [*lo, *hi] (°C) about its centre to at least @span. */
static void
widen (gdouble *lo, gdouble *hi, gdouble span)
{
  if (*hi - *lo < span) {
    gdouble mid = (*lo + *hi) / 2;
    *lo = mid - span / 2;
    *hi = mid + span / 2;
  }
}

/* Maps the frame linearly from [lo_c, hi_c]; widens a range narrower than
 * one raw step to one step and returns the range used. */
static void
map_linear (GstThermalNormalize *self, FrameCtx *c, GstVideoFrame *out,
    gdouble *lo_c, gdouble *hi_c)
{
  gdouble lo = c_to_raw (&c->u, *lo_c), hi = c_to_raw (&c->u, *hi_c);
  gdouble k, off;
  gint32 lo_i;

  if (hi - lo < 1.0) {
    gdouble mid = (lo + hi) / 2;
    lo = mid - 0.5;
    hi = mid + 0.5;
    *lo_c = raw_to_c (&c->u, lo);
    *hi_c = raw_to_c (&c->u, hi);
  }
  /* out = floor ((v - lo) * k + 0.5) = floor ((v - lo_i) * k + off) */
  lo_i = (gint32) floor (lo);
  k = c->out_max / (hi - lo);
  off = 0.5 - (lo - lo_i) * k;
  if (self->out16)
    thermal_map_linear_u16 (&c->frame, GST_VIDEO_FRAME_PLANE_DATA (out, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (out, 0), lo_i, (gfloat) k, (gfloat) off);
  else
    thermal_map_linear_u8 (&c->frame, GST_VIDEO_FRAME_PLANE_DATA (out, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (out, 0), lo_i, (gfloat) k, (gfloat) off);
}

/* Nearest-rank percentiles of the ROI (bin edges when bins are wider than
 * one raw step). */
static void
percentile_range (GstThermalNormalize *self, FrameCtx *c, gdouble *lo_raw,
    gdouble *hi_raw)
{
  guint nbins, shift, lo_bin, hi_bin, i;
  guint64 n = (guint64) c->roi.width * c->roi.height, cum = 0;
  gdouble lp = MIN (c->s.low_percent, c->s.high_percent);
  gdouble hp = MAX (c->s.low_percent, c->s.high_percent);
  guint64 rank_lo, rank_hi;
  gboolean found_lo = FALSE;

  shift = thermal_hist_shift (c->roi_min, c->roi_max, THERMAL_HIST_MAX_BINS,
      &nbins);
  thermal_rect_histogram (&c->roi, c->roi_min, shift, nbins, self->hist,
      self->hist_scratch);
  rank_lo = (guint64) floor (lp / 100.0 * (n - 1) + 1e-9);
  rank_hi = (guint64) ceil (hp / 100.0 * (n - 1) - 1e-9);
  lo_bin = hi_bin = nbins - 1;
  for (i = 0; i < nbins; i++) {
    cum += self->hist[i];
    if (!found_lo && cum > rank_lo) {
      lo_bin = i;
      found_lo = TRUE;
    }
    if (cum > rank_hi) {
      hi_bin = i;
      break;
    }
  }
  *lo_raw = c->roi_min + ((guint) lo_bin << shift);
  *hi_raw = MIN ((guint) c->roi_min + ((guint) hi_bin << shift) +
      ((1u << shift) - 1), (guint) c->roi_max);
}

/* ---- histogram equalisation ---- */

static void
map_histogram (GstThermalNormalize *self, FrameCtx *c, GstVideoFrame *out,
    gdouble *lo_c, gdouble *hi_c)
{
  guint16 rmin = c->roi_min, rmax = c->roi_max;
  guint nbins, shift, i;
  guint64 n = (guint64) c->roi.width * c->roi.height;
  gdouble limit = MAX (1.0, c->s.plateau / 100.0 * n);
  gdouble lin = c->s.linear_percent / 100.0;
  gdouble cum = 0, c0 = 0, clast = 0, half = 0;
  gdouble span_c, squeeze = 1.0;
  gdouble *map = self->map;

  shift = thermal_hist_shift (rmin, rmax, THERMAL_HIST_MAX_BINS, &nbins);
  thermal_rect_histogram (&c->roi, rmin, shift, nbins, self->hist,
      self->hist_scratch);

  /* Each bin is placed at the middle of its share of the clipped
   * cumulative histogram; the coldest bin is 0 and the hottest 1. */
  for (i = 0; i < nbins; i++) {
    gdouble h = MIN ((gdouble) self->hist[i], limit);
    half = cum + h / 2;
    cum += h;
    if (i == 0)
      c0 = half;
    map[i] = half;
  }
  clast = half;

  *lo_c = raw_to_c (&c->u, rmin);
  *hi_c = raw_to_c (&c->u, rmax);
  span_c = *hi_c - *lo_c;
  if (span_c < c->s.min_span) {
    squeeze = c->s.min_span > 0 ? span_c / c->s.min_span : 1.0;
    widen (lo_c, hi_c, c->s.min_span);
  }

  {
    /* m = 0.5 + ((1 - lin) eq + lin li - 0.5) squeeze, with eq the
     * equalised and li the linear position of the bin centre */
    gdouble eq_k = clast > c0 ? 1.0 / (clast - c0) : 0;
    gdouble eq_0 = clast > c0 ? 0 : 0.5;
    gdouble span = rmax > rmin ? (gdouble) (rmax - rmin) : 0;
    gdouble bin_w = (gdouble) (1u << shift);
    gdouble half_w = (bin_w - 1) / 2;
    gdouble out_max = c->out_max;
    gboolean smoothed = self->have_map && c->weight > 0;

    for (i = 0; i < nbins; i++) {
      gdouble eq = (map[i] - c0) * eq_k + eq_0;
      gdouble li = span > 0 ? MIN (i * bin_w + half_w, span) / span : 0.5;
      gdouble m = 0.5 + ((1.0 - lin) * eq + lin * li - 0.5) * squeeze;

      if (smoothed) {
        gdouble t = raw_to_c (&c->u, rmin + MIN (i * bin_w + half_w, span));
        gdouble j = floor ((t - self->map_lo_c) / self->map_step_c + 0.5);
        guint jj = (guint) CLAMP (j, 0, (gdouble) self->map_nbins - 1);
        m = smooth (self->map_prev[jj], m, c->weight);
      }
      map[i] = m;
      /* m is in [0, 1]: truncation is floor */
      if (self->out16)
        self->lut16[i] = (guint16) (m * out_max + 0.5);
      else
        self->lut8[i] = (guint8) (m * out_max + 0.5);
    }
  }

  memcpy (self->map_prev, map, nbins * sizeof (gdouble));
  self->map_lo_c = raw_to_c (&c->u, rmin + ((1u << shift) - 1) / 2.0);
  self->map_step_c = (1u << shift) * c->u.scale;
  self->map_nbins = nbins;
  self->have_map = TRUE;

  if (self->out16)
    thermal_map_lut_u16 (&c->frame, GST_VIDEO_FRAME_PLANE_DATA (out, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (out, 0), rmin, shift, nbins,
        self->lut16);
  else
    thermal_map_lut_u8 (&c->frame, GST_VIDEO_FRAME_PLANE_DATA (out, 0),
        GST_VIDEO_FRAME_PLANE_STRIDE (out, 0), rmin, shift, nbins,
        self->lut8);
}

/* ---- statistics and alarms ---- */

static void
ctx_position (const FrameCtx *c, const ThermalRect *r, guint rx, guint ry,
    guint16 value, guint *x, guint *y)
{
  guint px = 0, py = 0;

  thermal_rect_find (r, value, &px, &py);
  *x = rx + px;
  *y = ry + py;
}

static void
post_alarm (GstThermalNormalize *self, FrameCtx *c, gboolean begin,
    gboolean high, guint64 pixels, GstClockTime pts, GstClockTime rt)
{
  guint16 v = high ? c->roi_max : c->roi_min;
  guint x, y;
  GstStructure *st;

  ctx_position (c, &c->roi, c->roi_x, c->roi_y, v, &x, &y);
  st = gst_structure_new ("thermal-alarm",
      "state", G_TYPE_STRING, begin ? "begin" : "end",
      "kind", G_TYPE_STRING, high ? "high" : "low",
      "temperature-celsius", G_TYPE_DOUBLE, msg_c (raw_to_c (&c->u, v)),
      "x", G_TYPE_UINT, x,
      "y", G_TYPE_UINT, y,
      "threshold-celsius", G_TYPE_DOUBLE,
      msg_c (high ? c->s.alarm_high : c->s.alarm_low),
      "pixels", G_TYPE_UINT64, pixels,
      "timestamp", G_TYPE_UINT64, pts,
      "running-time", G_TYPE_UINT64, rt, NULL);
  GST_INFO_OBJECT (self, "alarm %" GST_PTR_FORMAT, st);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* Pixels of the ROI at or above @t_c (°C) when @above, else at or below. */
static guint64
count_beyond (FrameCtx *c, gdouble t_c, gboolean above)
{
  gdouble r = c_to_raw (&c->u, t_c);

  if (above) {
    r = ceil (r);
    if (r > c->roi_max)
      return 0;
    return r <= 0 ? (guint64) c->roi.width * c->roi.height :
        thermal_rect_count_ge (&c->roi, (guint16) r);
  }
  r = floor (r);
  if (r < c->roi_min)
    return 0;
  return r >= G_MAXUINT16 ? (guint64) c->roi.width * c->roi.height :
      thermal_rect_count_le (&c->roi, (guint16) r);
}

static void
check_alarms (GstThermalNormalize *self, FrameCtx *c, GstClockTime pts,
    GstClockTime rt)
{
  const GstThermalNormalizeSettings *s = &c->s;
  guint64 n;

  if (alarm_high_enabled (s)) {
    ctx_roi_range (c);
    if (!self->alarm_high_on) {
      n = count_beyond (c, s->alarm_high, TRUE);
      if (n >= s->alarm_min_pixels) {
        self->alarm_high_on = TRUE;
        post_alarm (self, c, TRUE, TRUE, n, pts, rt);
      }
    } else {
      n = count_beyond (c, s->alarm_high - s->alarm_hysteresis, TRUE);
      if (n < s->alarm_min_pixels) {
        self->alarm_high_on = FALSE;
        post_alarm (self, c, FALSE, TRUE, n, pts, rt);
      }
    }
  } else {
    self->alarm_high_on = FALSE;
  }

  if (alarm_low_enabled (s)) {
    ctx_roi_range (c);
    if (!self->alarm_low_on) {
      n = count_beyond (c, s->alarm_low, FALSE);
      if (n >= s->alarm_min_pixels) {
        self->alarm_low_on = TRUE;
        post_alarm (self, c, TRUE, FALSE, n, pts, rt);
      }
    } else {
      n = count_beyond (c, s->alarm_low + s->alarm_hysteresis, FALSE);
      if (n < s->alarm_min_pixels) {
        self->alarm_low_on = FALSE;
        post_alarm (self, c, FALSE, FALSE, n, pts, rt);
      }
    }
  } else {
    self->alarm_low_on = FALSE;
  }
}

/* Whether statistics are due at running time @rt; posts are aligned on
 * multiples of the interval from the first one. */
static gboolean
stats_due (GstThermalNormalize *self, GstClockTime rt, GstClockTime interval)
{
  GstClockTime next = self->next_stats_rt;

  if (!GST_CLOCK_TIME_IS_VALID (rt))
    return TRUE;
  if (GST_CLOCK_TIME_IS_VALID (next) && rt < next && next - rt <= interval)
    return FALSE;
  if (GST_CLOCK_TIME_IS_VALID (next) && rt >= next && rt - next < interval)
    self->next_stats_rt = next + interval;
  else
    self->next_stats_rt = rt + interval;        /* first, or after a jump */
  return TRUE;
}

/* @name = a one-entry array holding @item (taken) */
static void
array_take_value (GstStructure *st, const gchar *name, GValue *item)
{
  GValue arr = G_VALUE_INIT;

  gst_value_array_init (&arr, 1);
  gst_value_array_append_and_take_value (&arr, item);
  gst_structure_take_value (st, name, &arr);
}

static void
array_take_uint (GstStructure *st, const gchar *name, guint v)
{
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_UINT);
  g_value_set_uint (&item, v);
  array_take_value (st, name, &item);
}

static void
array_take_double (GstStructure *st, const gchar *name, gdouble v)
{
  GValue item = G_VALUE_INIT;

  g_value_init (&item, G_TYPE_DOUBLE);
  g_value_set_double (&item, v);
  array_take_value (st, name, &item);
}

/* The ROI in a message: regions are arrays with one entry per region in
 * every message (docs/messages.md); thermalnormalize has one. */
static void
set_region_fields (GstStructure *st, const FrameCtx *c,
    const ThermalRegionRaw *m)
{
  array_take_uint (st, "roi-x", c->roi_x);
  array_take_uint (st, "roi-y", c->roi_y);
  array_take_uint (st, "roi-width", c->roi.width);
  array_take_uint (st, "roi-height", c->roi.height);
  array_take_double (st, "roi-min-celsius", msg_c (raw_to_c (&c->u, m->min)));
  array_take_double (st, "roi-mean-celsius", msg_c (raw_to_c (&c->u,
              m->mean)));
  array_take_double (st, "roi-max-celsius", msg_c (raw_to_c (&c->u, m->max)));
  array_take_uint (st, "roi-coldest-x", m->min_x);
  array_take_uint (st, "roi-coldest-y", m->min_y);
  array_take_uint (st, "roi-hottest-x", m->max_x);
  array_take_uint (st, "roi-hottest-y", m->max_y);
}

static void
post_stats (GstThermalNormalize *self, FrameCtx *c, GstThermalMappingMode mode,
    gdouble lo_c, gdouble hi_c, GstClockTime pts, GstClockTime rt)
{
  ThermalRegionRaw frame, roi;
  GEnumValue *ev;
  GstStructure *st;

  thermal_region_measure_raw (&c->frame, c->roi_x, c->roi_y, c->roi.width,
      c->roi.height, &roi);
  if (c->roi.width == c->frame.width && c->roi.height == c->frame.height)
    frame = roi;
  else
    thermal_region_measure_raw (&c->frame, 0, 0, c->frame.width,
        c->frame.height, &frame);
  ev = g_enum_get_value (g_type_class_peek (GST_TYPE_THERMAL_MAPPING_MODE),
      mode);

  /* field names, types and units: docs/messages.md */
  st = gst_structure_new ("thermal-stats",
      "timestamp", G_TYPE_UINT64, pts,
      "running-time", G_TYPE_UINT64, rt,
      "sensor-width", G_TYPE_UINT, c->frame.width,
      "sensor-height", G_TYPE_UINT, c->frame.height,
      "min-celsius", G_TYPE_DOUBLE, msg_c (raw_to_c (&c->u, frame.min)),
      "mean-celsius", G_TYPE_DOUBLE, msg_c (raw_to_c (&c->u, frame.mean)),
      "max-celsius", G_TYPE_DOUBLE, msg_c (raw_to_c (&c->u, frame.max)),
      "coldest-x", G_TYPE_UINT, frame.min_x,
      "coldest-y", G_TYPE_UINT, frame.min_y,
      "hottest-x", G_TYPE_UINT, frame.max_x,
      "hottest-y", G_TYPE_UINT, frame.max_y,
      "mode", G_TYPE_STRING, ev ? ev->value_nick : "",
      "range-min-celsius", G_TYPE_DOUBLE, msg_c (lo_c),
      "range-max-celsius", G_TYPE_DOUBLE, msg_c (hi_c), NULL);
  set_region_fields (st, c, &roi);
  GST_LOG_OBJECT (self, "stats %" GST_PTR_FORMAT, st);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* ---- GstVideoFilter ---- */

/* The meta refers to the radiometric buffer, whose first byte must be the
 * first pixel: when a GstVideoMeta puts the plane further in, the meta gets
 * a sub-buffer sharing the same memory (no pixel is copied). */
static void
add_mapping_meta (GstThermalNormalize *self, FrameCtx *c, GstVideoFrame *in,
    GstVideoFrame *out, gdouble lo_c, gdouble hi_c)
{
  gsize offset = GST_VIDEO_FRAME_PLANE_OFFSET (in, 0);
  GstBuffer *rad = in->buffer;

  if (offset != 0) {
    rad = gst_buffer_copy_region (in->buffer, GST_BUFFER_COPY_FLAGS |
        GST_BUFFER_COPY_TIMESTAMPS | GST_BUFFER_COPY_MEMORY, offset,
        gst_buffer_get_size (in->buffer) - offset);
    GST_LOG_OBJECT (self, "radiometric plane at offset %" G_GSIZE_FORMAT,
        offset);
  }
  gst_buffer_add_thermal_mapping_meta (out->buffer, c->s.mode, lo_c, hi_c,
      c->out_max, rad, c->frame.width, c->frame.height, c->frame.stride,
      c->u.scale, c->u.offset);
  if (rad != in->buffer)
    gst_buffer_unref (rad);
}

/* The weight of the previous frame: `smoothing`, or exp (-dt / tau) with
 * tau = `smoothing-time` and dt the running time since the previous frame
 * (else the buffer duration, else the frame period of the caps). */
static gdouble
frame_weight (GstThermalNormalize *self, const GstThermalNormalizeSettings *s,
    GstVideoFrame *in, GstClockTime rt)
{
  GstClockTime dt = GST_CLOCK_TIME_NONE, last = self->last_rt;

  self->last_rt = rt;
  if (s->smoothing_time == 0)
    return s->smoothing;
  if (GST_CLOCK_TIME_IS_VALID (rt) && GST_CLOCK_TIME_IS_VALID (last) &&
      rt > last)
    dt = rt - last;
  else if (GST_BUFFER_DURATION_IS_VALID (in->buffer))
    dt = GST_BUFFER_DURATION (in->buffer);
  else if (GST_VIDEO_INFO_FPS_N (&in->info) > 0)
    dt = gst_util_uint64_scale_int (GST_SECOND,
        GST_VIDEO_INFO_FPS_D (&in->info), GST_VIDEO_INFO_FPS_N (&in->info));
  else
    dt = GST_SECOND / 25;
  return exp (-(gdouble) dt / (gdouble) s->smoothing_time);
}

static GstFlowReturn
gst_thermal_normalize_transform_frame (GstVideoFilter *filter,
    GstVideoFrame *in, GstVideoFrame *out)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (filter);
  GstBaseTransform *trans = GST_BASE_TRANSFORM (filter);
  GstClockTime pts = GST_BUFFER_PTS (in->buffer), rt;
  FrameCtx c = { 0 };
  g_autofree gchar *warning = NULL;
  gdouble lo_c = 0, hi_c = 0, lo_raw, hi_raw;
  gboolean stats;

  GST_OBJECT_LOCK (self);
  c.s = self->props;
  warning = g_steal_pointer (&self->pending_warning);
  GST_OBJECT_UNLOCK (self);
  if (warning)
    GST_ELEMENT_WARNING (self, LIBRARY, SETTINGS,
        ("Invalid thermalnormalize property value, the previous value is "
            "kept"), ("%s", warning));

  unit_of_buffer (self, &c.s, in->buffer, &c.u);
  c.frame.data = GST_VIDEO_FRAME_PLANE_DATA (in, 0);
  c.frame.stride = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0);
  c.frame.width = GST_VIDEO_FRAME_WIDTH (in);
  c.frame.height = GST_VIDEO_FRAME_HEIGHT (in);
  c.out_max = self->out16 ? 65535 : 255;
  ctx_set_roi (&c);
  rt = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME, pts);
  c.weight = frame_weight (self, &c.s, in, rt);

  if (c.s.mode != self->last_mode) {
    self->have_range = self->have_map = FALSE;
    self->last_mode = c.s.mode;
  }

  switch (c.s.mode) {
    case GST_THERMAL_MAPPING_MINMAX:
    case GST_THERMAL_MAPPING_PERCENTILE:
      ctx_roi_range (&c);
      if (c.s.mode == GST_THERMAL_MAPPING_MINMAX) {
        lo_raw = c.roi_min;
        hi_raw = c.roi_max;
      } else {
        percentile_range (self, &c, &lo_raw, &hi_raw);
      }
      lo_c = raw_to_c (&c.u, lo_raw);
      hi_c = raw_to_c (&c.u, hi_raw);
      widen (&lo_c, &hi_c, c.s.min_span);
      if (self->have_range && c.weight > 0) {
        lo_c = smooth (self->range_lo_c, lo_c, c.weight);
        hi_c = smooth (self->range_hi_c, hi_c, c.weight);
      }
      self->range_lo_c = lo_c;
      self->range_hi_c = hi_c;
      self->have_range = TRUE;
      map_linear (self, &c, out, &lo_c, &hi_c);
      break;
    case GST_THERMAL_MAPPING_HISTOGRAM:
      ctx_roi_range (&c);
      map_histogram (self, &c, out, &lo_c, &hi_c);
      break;
    case GST_THERMAL_MAPPING_FIXED:
    default:
      lo_c = MIN (c.s.min_temp, c.s.max_temp);
      hi_c = MAX (c.s.min_temp, c.s.max_temp);
      map_linear (self, &c, out, &lo_c, &hi_c);
      break;
  }

  add_mapping_meta (self, &c, in, out, lo_c, hi_c);

  check_alarms (self, &c, pts, rt);
  GST_OBJECT_LOCK (self);
  stats = c.s.stats_interval > 0 && stats_due (self, rt, c.s.stats_interval);
  GST_OBJECT_UNLOCK (self);
  if (stats)
    post_stats (self, &c, c.s.mode, lo_c, hi_c, pts, rt);

  return GST_FLOW_OK;
}

static gboolean
gst_thermal_normalize_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in_info, GstCaps *outcaps, GstVideoInfo *out_info)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (filter);
  GstVideoFormat fmt = GST_VIDEO_INFO_FORMAT (out_info);

  if (GST_VIDEO_INFO_FORMAT (in_info) != GST_VIDEO_FORMAT_GRAY16_LE ||
      (fmt != GST_VIDEO_FORMAT_GRAY8 && fmt != GST_VIDEO_FORMAT_GRAY16_LE) ||
      GST_VIDEO_INFO_WIDTH (in_info) != GST_VIDEO_INFO_WIDTH (out_info) ||
      GST_VIDEO_INFO_HEIGHT (in_info) != GST_VIDEO_INFO_HEIGHT (out_info)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("thermalnormalize cannot convert these formats"),
        ("in %" GST_PTR_FORMAT ", out %" GST_PTR_FORMAT, incaps, outcaps));
    return FALSE;
  }
  self->out16 = fmt == GST_VIDEO_FORMAT_GRAY16_LE;
  GST_DEBUG_OBJECT (self, "%dx%d to %s", GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info), gst_video_format_to_string (fmt));
  return TRUE;
}

/* GRAY16_LE on the sink pad, GRAY8 (preferred) or GRAY16_LE on the source
 * pad, everything else unchanged. */
static GstCaps *
gst_thermal_normalize_transform_caps (GstBaseTransform *trans,
    GstPadDirection direction, GstCaps *caps, GstCaps *filter)
{
  GstCaps *res = gst_caps_new_empty ();
  guint i, n = gst_caps_get_size (caps);

  for (i = 0; i < n; i++) {
    GstStructure *st = gst_structure_copy (gst_caps_get_structure (caps, i));
    GstCapsFeatures *f = gst_caps_get_features (caps, i);

    gst_structure_remove_fields (st, "format", "colorimetry", "chroma-site",
        NULL);
    if (direction == GST_PAD_SINK) {
      GValue list = G_VALUE_INIT, v = G_VALUE_INIT;

      gst_value_list_init (&list, 2);
      g_value_init (&v, G_TYPE_STRING);
      g_value_set_static_string (&v, "GRAY8");
      gst_value_list_append_value (&list, &v);
      g_value_set_static_string (&v, "GRAY16_LE");
      gst_value_list_append_value (&list, &v);
      g_value_unset (&v);
      gst_structure_take_value (st, "format", &list);
    } else {
      gst_structure_set (st, "format", G_TYPE_STRING, "GRAY16_LE", NULL);
    }
    res = gst_caps_merge_structure_full (res, st,
        f ? gst_caps_features_copy (f) : NULL);
  }

  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, res,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (res);
    res = tmp;
  }
  GST_DEBUG_OBJECT (trans, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      direction == GST_PAD_SINK ? "sink" : "src", caps, res);
  return res;
}

/* Metas travel with the picture, except a mapping meta made for an earlier
 * picture: this element makes a new one. */
static gboolean
gst_thermal_normalize_transform_meta (GstBaseTransform *trans,
    GstBuffer *outbuf, GstMeta *meta, GstBuffer *inbuf)
{
  if (meta->info->api == GST_THERMAL_MAPPING_META_API_TYPE)
    return FALSE;
  return GST_BASE_TRANSFORM_CLASS (gst_thermal_normalize_parent_class)
      ->transform_meta (trans, outbuf, meta, inbuf);
}

static void
gst_thermal_normalize_before_transform (GstBaseTransform *trans,
    GstBuffer *buffer)
{
  GstClockTime ts = gst_segment_to_stream_time (&trans->segment,
      GST_FORMAT_TIME, GST_BUFFER_TIMESTAMP (buffer));

  if (GST_CLOCK_TIME_IS_VALID (ts))
    gst_object_sync_values (GST_OBJECT (trans), ts);
}

static void
reset_state (GstThermalNormalize *self)
{
  self->have_range = FALSE;
  self->have_map = FALSE;
  self->alarm_high_on = self->alarm_low_on = FALSE;
  self->next_stats_rt = GST_CLOCK_TIME_NONE;
  self->last_rt = GST_CLOCK_TIME_NONE;
  self->warned_scale = FALSE;
  self->last_mode = DEFAULT_PROP_MODE;
}

static gboolean
gst_thermal_normalize_start (GstBaseTransform *trans)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (trans);

  GST_OBJECT_LOCK (self);
  reset_state (self);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* ---- GObject ---- */

/* Sets roi (called with the object lock).  A value that does not parse, or
 * that lists more than one region, keeps the previous one and leaves a
 * warning for the streaming thread. */
static void
set_roi (GstThermalNormalize *self, const gchar *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) list = overlay_parse_rects (text, &error);

  if (list && list->len > 1)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "thermalnormalize takes one region, not %u", list->len);
  if (error) {
    GST_WARNING_OBJECT (self, "ignoring roi=\"%s\": %s", text,
        error->message);
    g_free (self->pending_warning);
    self->pending_warning = g_strdup_printf ("ignoring roi=\"%s\": %s", text,
        error->message);
    return;
  }
  self->props.have_roi = list->len == 1;
  if (self->props.have_roi)
    self->props.roi = g_array_index (list, OverlayRect, 0);
  g_free (self->roi_text);
  self->roi_text = g_strdup (text);
}

static void
gst_thermal_normalize_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (object);
  GstThermalNormalizeSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      p->mode = g_value_get_enum (value);
      break;
    case PROP_INPUT_UNIT:
      p->input_unit = g_value_get_enum (value);
      break;
    case PROP_LOW_PERCENT:
      p->low_percent = g_value_get_double (value);
      break;
    case PROP_HIGH_PERCENT:
      p->high_percent = g_value_get_double (value);
      break;
    case PROP_PLATEAU:
      p->plateau = g_value_get_double (value);
      break;
    case PROP_LINEAR_PERCENT:
      p->linear_percent = g_value_get_double (value);
      break;
    case PROP_MIN_TEMP:
      p->min_temp = g_value_get_double (value);
      break;
    case PROP_MAX_TEMP:
      p->max_temp = g_value_get_double (value);
      break;
    case PROP_MIN_SPAN:
      p->min_span = g_value_get_double (value);
      break;
    case PROP_SMOOTHING:
      p->smoothing = g_value_get_double (value);
      break;
    case PROP_SMOOTHING_TIME:
      p->smoothing_time = g_value_get_uint64 (value);
      break;
    case PROP_ROI:
      set_roi (self, g_value_get_string (value));
      break;
    case PROP_STATS_INTERVAL:
      p->stats_interval = g_value_get_uint64 (value);
      self->next_stats_rt = GST_CLOCK_TIME_NONE;
      break;
    case PROP_ALARM_HIGH:
      p->alarm_high = g_value_get_double (value);
      break;
    case PROP_ALARM_LOW:
      p->alarm_low = g_value_get_double (value);
      break;
    case PROP_ALARM_HYSTERESIS:
      p->alarm_hysteresis = g_value_get_double (value);
      break;
    case PROP_ALARM_MIN_PIXELS:
      p->alarm_min_pixels = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_normalize_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (object);
  GstThermalNormalizeSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODE:
      g_value_set_enum (value, p->mode);
      break;
    case PROP_INPUT_UNIT:
      g_value_set_enum (value, p->input_unit);
      break;
    case PROP_LOW_PERCENT:
      g_value_set_double (value, p->low_percent);
      break;
    case PROP_HIGH_PERCENT:
      g_value_set_double (value, p->high_percent);
      break;
    case PROP_PLATEAU:
      g_value_set_double (value, p->plateau);
      break;
    case PROP_LINEAR_PERCENT:
      g_value_set_double (value, p->linear_percent);
      break;
    case PROP_MIN_TEMP:
      g_value_set_double (value, p->min_temp);
      break;
    case PROP_MAX_TEMP:
      g_value_set_double (value, p->max_temp);
      break;
    case PROP_MIN_SPAN:
      g_value_set_double (value, p->min_span);
      break;
    case PROP_SMOOTHING:
      g_value_set_double (value, p->smoothing);
      break;
    case PROP_SMOOTHING_TIME:
      g_value_set_uint64 (value, p->smoothing_time);
      break;
    case PROP_ROI:
      g_value_set_string (value, self->roi_text);
      break;
    case PROP_STATS_INTERVAL:
      g_value_set_uint64 (value, p->stats_interval);
      break;
    case PROP_ALARM_HIGH:
      g_value_set_double (value, p->alarm_high);
      break;
    case PROP_ALARM_LOW:
      g_value_set_double (value, p->alarm_low);
      break;
    case PROP_ALARM_HYSTERESIS:
      g_value_set_double (value, p->alarm_hysteresis);
      break;
    case PROP_ALARM_MIN_PIXELS:
      g_value_set_uint (value, p->alarm_min_pixels);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_thermal_normalize_finalize (GObject *object)
{
  GstThermalNormalize *self = GST_THERMAL_NORMALIZE (object);

  g_free (self->hist);
  g_free (self->hist_scratch);
  g_free (self->map);
  g_free (self->map_prev);
  g_free (self->lut8);
  g_free (self->lut16);
  g_free (self->roi_text);
  g_free (self->pending_warning);
  G_OBJECT_CLASS (gst_thermal_normalize_parent_class)->finalize (object);
}

#define PLAYING_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_PLAYING)
#define CONTROL_FLAGS (PLAYING_FLAGS | GST_PARAM_CONTROLLABLE)

static void
gst_thermal_normalize_class_init (GstThermalNormalizeClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *vfilter_class = GST_VIDEO_FILTER_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_thermal_normalize_debug, "thermalnormalize", 0,
      "Thermal frames to display values");

  gobject_class->set_property = gst_thermal_normalize_set_property;
  gobject_class->get_property = gst_thermal_normalize_get_property;
  gobject_class->finalize = gst_thermal_normalize_finalize;

  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "How temperatures become display values",
          GST_TYPE_THERMAL_MAPPING_MODE, DEFAULT_PROP_MODE, PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_INPUT_UNIT,
      g_param_spec_enum ("input-unit", "Input unit",
          "Unit of the input pixels when buffers carry no Senxor frame meta",
          GST_TYPE_THERMAL_NORMALIZE_UNIT, DEFAULT_PROP_INPUT_UNIT,
          PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LOW_PERCENT,
      g_param_spec_double ("low-percent", "Low percent",
          "percentile mode: the percentile shown as black", 0.0, 100.0,
          DEFAULT_PROP_LOW_PERCENT, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_HIGH_PERCENT,
      g_param_spec_double ("high-percent", "High percent",
          "percentile mode: the percentile shown as white", 0.0, 100.0,
          DEFAULT_PROP_HIGH_PERCENT, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_PLATEAU,
      g_param_spec_double ("plateau", "Plateau",
          "histogram mode: the most a histogram bin counts, in percent of "
          "the pixels (100 = no limit)", 0.001, 100.0, DEFAULT_PROP_PLATEAU,
          CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_LINEAR_PERCENT,
      g_param_spec_double ("linear-percent", "Linear percent",
          "histogram mode: share of a linear mapping mixed into the "
          "equalisation, in percent", 0.0, 100.0, DEFAULT_PROP_LINEAR_PERCENT,
          CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MIN_TEMP,
      g_param_spec_double ("min-temp", "Minimum temperature",
          "fixed mode: the temperature (°C) shown as black", TEMP_MIN,
          TEMP_MAX, DEFAULT_PROP_MIN_TEMP, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MAX_TEMP,
      g_param_spec_double ("max-temp", "Maximum temperature",
          "fixed mode: the temperature (°C) shown as white", TEMP_MIN,
          TEMP_MAX, DEFAULT_PROP_MAX_TEMP, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MIN_SPAN,
      g_param_spec_double ("min-span", "Minimum span",
          "Automatic modes: the narrowest range shown (°C), so an even "
          "scene is not stretched into noise", 0.0, 1000.0,
          DEFAULT_PROP_MIN_SPAN, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_double ("smoothing", "Smoothing",
          "Automatic modes: weight of the previous frame's range (or "
          "equalisation) per frame; 0 = none, 0.9 = slow", 0.0, 0.999,
          DEFAULT_PROP_SMOOTHING, CONTROL_FLAGS));
  g_object_class_install_property (gobject_class, PROP_SMOOTHING_TIME,
      g_param_spec_uint64 ("smoothing-time", "Smoothing time",
          "Automatic modes: time constant of the damping in nanoseconds of "
          "running time, independent of the frame rate; replaces smoothing "
          "when not 0", 0, G_MAXUINT64, DEFAULT_PROP_SMOOTHING_TIME,
          PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ROI,
      g_param_spec_string ("roi", "Region of interest",
          "The region the range, statistics and alarms are computed from: "
          "x,y,w,h in sensor pixels (10) or fractions (0.5, 50%), as "
          "thermaloverlay's rois; empty = the whole frame", DEFAULT_PROP_ROI,
          PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_STATS_INTERVAL,
      g_param_spec_uint64 ("stats-interval", "Statistics interval",
          "Post a thermal-stats message every this many nanoseconds of "
          "running time (0 = never)", 0, G_MAXUINT64,
          DEFAULT_PROP_STATS_INTERVAL, PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ALARM_HIGH,
      g_param_spec_double ("alarm-high", "High alarm",
          "Post a thermal-alarm when the region gets this hot (°C; "
          "100000, the default, is off)", ALARM_OFF_LOW, ALARM_OFF_HIGH,
          DEFAULT_PROP_ALARM_HIGH, PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ALARM_LOW,
      g_param_spec_double ("alarm-low", "Low alarm",
          "Post a thermal-alarm when the region gets this cold (°C; "
          "-273.15, the default, is off)", ALARM_OFF_LOW, ALARM_OFF_HIGH,
          DEFAULT_PROP_ALARM_LOW, PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ALARM_HYSTERESIS,
      g_param_spec_double ("alarm-hysteresis", "Alarm hysteresis",
          "How far (°C) back past the threshold an alarm must go to end",
          0.0, 1000.0, DEFAULT_PROP_ALARM_HYSTERESIS, PLAYING_FLAGS));
  g_object_class_install_property (gobject_class, PROP_ALARM_MIN_PIXELS,
      g_param_spec_uint ("alarm-min-pixels", "Alarm minimum pixels",
          "How many pixels must be past the threshold for an alarm", 1,
          G_MAXUINT, DEFAULT_PROP_ALARM_MIN_PIXELS, PLAYING_FLAGS));

  gst_element_class_set_static_metadata (element_class,
      "Thermal normalize", "Filter/Converter/Video",
      "Maps radiometric thermal frames to display values (AGC, fixed range), "
      "posts temperature statistics and alarms",
      "senxor-gst developers");
  gst_element_class_add_static_pad_template (element_class,
      &gst_thermal_normalize_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_thermal_normalize_src_template);

  trans_class->transform_caps =
      GST_DEBUG_FUNCPTR (gst_thermal_normalize_transform_caps);
  trans_class->transform_meta =
      GST_DEBUG_FUNCPTR (gst_thermal_normalize_transform_meta);
  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_thermal_normalize_before_transform);
  trans_class->start = GST_DEBUG_FUNCPTR (gst_thermal_normalize_start);
  vfilter_class->set_info = GST_DEBUG_FUNCPTR (gst_thermal_normalize_set_info);
  vfilter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_thermal_normalize_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_THERMAL_NORMALIZE_UNIT, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_THERMAL_MAPPING_MODE, 0);
}

static void
gst_thermal_normalize_init (GstThermalNormalize *self)
{
  GstThermalNormalizeSettings *p = &self->props;

  p->mode = DEFAULT_PROP_MODE;
  p->input_unit = DEFAULT_PROP_INPUT_UNIT;
  p->low_percent = DEFAULT_PROP_LOW_PERCENT;
  p->high_percent = DEFAULT_PROP_HIGH_PERCENT;
  p->plateau = DEFAULT_PROP_PLATEAU;
  p->linear_percent = DEFAULT_PROP_LINEAR_PERCENT;
  p->min_temp = DEFAULT_PROP_MIN_TEMP;
  p->max_temp = DEFAULT_PROP_MAX_TEMP;
  p->min_span = DEFAULT_PROP_MIN_SPAN;
  p->smoothing = DEFAULT_PROP_SMOOTHING;
  p->smoothing_time = DEFAULT_PROP_SMOOTHING_TIME;
  p->have_roi = FALSE;
  p->stats_interval = DEFAULT_PROP_STATS_INTERVAL;
  p->alarm_high = DEFAULT_PROP_ALARM_HIGH;
  p->alarm_low = DEFAULT_PROP_ALARM_LOW;
  p->alarm_hysteresis = DEFAULT_PROP_ALARM_HYSTERESIS;
  p->alarm_min_pixels = DEFAULT_PROP_ALARM_MIN_PIXELS;
  reset_state (self);

  self->hist = g_new0 (guint32, THERMAL_HIST_MAX_BINS);
  self->hist_scratch = g_new0 (guint32, THERMAL_HIST_SCRATCH);
  self->map = g_new0 (gdouble, THERMAL_HIST_MAX_BINS);
  self->map_prev = g_new0 (gdouble, THERMAL_HIST_MAX_BINS);
  self->lut8 = g_new0 (guint8, THERMAL_HIST_MAX_BINS);
  self->lut16 = g_new0 (guint16, THERMAL_HIST_MAX_BINS);
}
