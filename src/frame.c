/* libsenxor: GFRA frame layouts, headers and pixel units (docs/protocol.md, Frames)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "senxor/frame.h"

#include <math.h>
#include <string.h>

typedef struct {
  SenxorModule module;
  const char *name;
  guint width, height;
  gsize reserved, header;
  double fps_max;
} ModuleGeometry;

static const ModuleGeometry geometries[] = {
  {SENXOR_MODULE_MI08, "MI08", 80, 62, 160, 160, 25.5},
  {SENXOR_MODULE_MI16, "MI16", 160, 120, 960, 320, 30.0},
  {SENXOR_MODULE_MI05, "MI05", 50, 50, 100, 100, 30.0},
};

static const ModuleGeometry *
geometry_of (SenxorModule module)
{
  for (guint i = 0; i < G_N_ELEMENTS (geometries); i++)
    if (geometries[i].module == module)
      return &geometries[i];
  return NULL;
}

gboolean
senxor_frame_layout_for_module (SenxorModule module, gboolean has_header,
    SenxorFrameLayout *layout)
{
  const ModuleGeometry *g = geometry_of (module);

  g_return_val_if_fail (layout != NULL, FALSE);
  if (!g)
    return FALSE;
  layout->module = module;
  layout->width = g->width;
  layout->height = g->height;
  layout->has_header = has_header;
  layout->reserved_bytes = g->reserved;
  layout->header_bytes = has_header ? g->header : 0;
  layout->pixel_bytes = (gsize) g->width * g->height * 2;
  layout->contents_len = layout->reserved_bytes + layout->header_bytes +
      layout->pixel_bytes;
  return TRUE;
}

gboolean
senxor_frame_layout_from_contents_len (gsize contents_len, SenxorFrameLayout *layout)
{
  for (guint i = 0; i < G_N_ELEMENTS (geometries); i++) {
    for (int h = 1; h >= 0; h--) {
      SenxorFrameLayout l;
      senxor_frame_layout_for_module (geometries[i].module, h, &l);
      if (l.contents_len == contents_len) {
        if (layout)
          *layout = l;
        return TRUE;
      }
    }
  }
  return FALSE;
}

const char *
senxor_module_name (SenxorModule module)
{
  const ModuleGeometry *g = geometry_of (module);

  return g ? g->name : "unknown";
}

SenxorModule
senxor_module_from_string (const char *str)
{
  static const struct {
    const char *s;
    SenxorModule m;
  } names[] = {
    {"mi08", SENXOR_MODULE_MI08}, {"80x62", SENXOR_MODULE_MI08},
    {"cougar", SENXOR_MODULE_MI08},
    {"mi16", SENXOR_MODULE_MI16}, {"160x120", SENXOR_MODULE_MI16},
    {"panther", SENXOR_MODULE_MI16},
    {"mi05", SENXOR_MODULE_MI05}, {"50x50", SENXOR_MODULE_MI05},
    {"cheetah", SENXOR_MODULE_MI05},
  };

  if (!str)
    return SENXOR_MODULE_UNKNOWN;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    gsize n = strlen (names[i].s);
    /* "mi0802" and "MI1602" name a part of the family */
    if (g_ascii_strncasecmp (str, names[i].s, n) == 0 &&
        (str[n] == '\0' || (names[i].s[0] == 'm' && g_ascii_isdigit (str[n]))))
      return names[i].m;
  }
  return SENXOR_MODULE_UNKNOWN;
}

SenxorModule
senxor_module_from_senxor_type (guint8 t)
{
  switch (t) {
    case 0:
    case 1:
    case 3:
    case 4:
    case 5:
    case 8:
      return SENXOR_MODULE_MI08;
    case 6:
      return SENXOR_MODULE_MI16;
    case 9:
      return SENXOR_MODULE_MI05;
    default:
      return SENXOR_MODULE_UNKNOWN;
  }
}

double
senxor_module_fps_max (SenxorModule module)
{
  const ModuleGeometry *g = geometry_of (module);

  return g ? g->fps_max : 0.0;
}

void
senxor_frame_header_parse (const guint8 *h, SenxorFrameHeader *out)
{
  out->counter = (guint16) (h[0] | (h[1] << 8));
  out->vdd_raw = (guint16) (h[2] | (h[3] << 8));
  out->die_temp_raw = (guint16) (h[4] | (h[5] << 8));
  out->timestamp = (guint32) (h[6] | (h[7] << 8)) |
      ((guint32) (h[8] | (h[9] << 8)) << 16);
  out->max_raw = (guint16) (h[10] | (h[11] << 8));
  out->min_raw = (guint16) (h[12] | (h[13] << 8));
  out->crc = (guint16) (h[14] | (h[15] << 8));
  out->vdd = out->vdd_raw * 0.0001;
  out->die_temp_c = out->die_temp_raw * 0.01 - 273.15;
}

static inline void
put_u16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

void
senxor_frame_header_write (const SenxorFrameHeader *hdr, guint8 *h)
{
  put_u16 (h, hdr->counter);
  put_u16 (h + 2, hdr->vdd_raw);
  put_u16 (h + 4, hdr->die_temp_raw);
  put_u16 (h + 6, hdr->timestamp & 0xFFFF);
  put_u16 (h + 8, hdr->timestamp >> 16);
  put_u16 (h + 10, hdr->max_raw);
  put_u16 (h + 12, hdr->min_raw);
  put_u16 (h + 14, hdr->crc);
}

gboolean
senxor_pixel_unit_is_valid (SenxorPixelUnit unit)
{
  switch (unit) {
    case SENXOR_UNIT_DECI_KELVIN:
    case SENXOR_UNIT_DECI_CELSIUS:
    case SENXOR_UNIT_DECI_FAHRENHEIT:
    case SENXOR_UNIT_KELVIN_HALF:
    case SENXOR_UNIT_CELSIUS_HALF:
    case SENXOR_UNIT_FAHRENHEIT_HALF:
    case SENXOR_UNIT_ADC:
      return TRUE;
    default:
      return FALSE;
  }
}

float
senxor_half_to_float (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1F;
  guint32 mant = h & 0x3FF;
  guint32 bits;
  float f;

  if (exp == 0) {
    /* zero or subnormal: mant * 2^-24 */
    f = ldexpf ((float) mant, -24);
    return sign ? -f : f;
  }
  if (exp == 31)
    bits = sign | 0x7F800000u | (mant << 13);
  else
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  memcpy (&f, &bits, 4);
  return f;
}

guint16
senxor_float_to_half (float f)
{
  guint32 bits, sign, mant;
  gint32 exp;

  memcpy (&bits, &f, 4);
  sign = (bits >> 16) & 0x8000;
  exp = (gint32) ((bits >> 23) & 0xFF) - 127 + 15;
  mant = bits & 0x7FFFFF;

  if (((bits >> 23) & 0xFF) == 0xFF)
    return (guint16) (sign | 0x7C00 | (mant ? 0x200 : 0));
  if (exp >= 31)
    return (guint16) (sign | 0x7C00);
  if (exp <= 0) {
    /* subnormal or zero, round to nearest even */
    if (exp < -10)
      return (guint16) sign;
    mant |= 0x800000;
    guint32 shift = (guint32) (14 - exp);
    guint32 half = mant >> shift;
    guint32 rem = mant & ((1u << shift) - 1);
    guint32 mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1)))
      half++;
    return (guint16) (sign | half);
  }
  {
    guint32 half = sign | ((guint32) exp << 10) | (mant >> 13);
    guint32 rem = mant & 0x1FFF;
    /* round to nearest even; a carry into the exponent is correct */
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
      half++;
    return (guint16) half;
  }
}

/* The conversions below are arranged so that the deci-degree units go through
 * a single rounding (an exact integer numerator, one division): the results
 * are the correctly rounded doubles of the exact values. */

double
senxor_pixel_to_kelvin (guint16 raw, SenxorPixelUnit unit)
{
  switch (unit) {
    case SENXOR_UNIT_DECI_KELVIN:
      return raw / 10.0;
    case SENXOR_UNIT_DECI_CELSIUS:
      /* (c + 2731.5) / 10 */
      return ((gint16) raw + 2731.5) / 10.0;
    case SENXOR_UNIT_DECI_FAHRENHEIT:
      /* ((f / 10 - 32) * 5 / 9 + 273.15) = (10 f + 45967) / 180 */
      return (10.0 * (gint16) raw + 45967.0) / 180.0;
    case SENXOR_UNIT_KELVIN_HALF:
      return senxor_half_to_float (raw);
    case SENXOR_UNIT_CELSIUS_HALF:
      return (double) senxor_half_to_float (raw) + 273.15;
    case SENXOR_UNIT_FAHRENHEIT_HALF:
      return ((double) senxor_half_to_float (raw) - 32.0) * 5.0 / 9.0 + 273.15;
    case SENXOR_UNIT_ADC:
    default:
      return NAN;
  }
}

double
senxor_pixel_to_celsius (guint16 raw, SenxorPixelUnit unit)
{
  switch (unit) {
    case SENXOR_UNIT_DECI_KELVIN:
      return (raw - 2731.5) / 10.0;
    case SENXOR_UNIT_DECI_CELSIUS:
      return (gint16) raw / 10.0;
    case SENXOR_UNIT_DECI_FAHRENHEIT:
      /* (f / 10 - 32) * 5 / 9 = (f - 320) / 18 */
      return ((gint16) raw - 320.0) / 18.0;
    case SENXOR_UNIT_KELVIN_HALF:
      return (double) senxor_half_to_float (raw) - 273.15;
    case SENXOR_UNIT_CELSIUS_HALF:
      return senxor_half_to_float (raw);
    case SENXOR_UNIT_FAHRENHEIT_HALF:
      return ((double) senxor_half_to_float (raw) - 32.0) * 5.0 / 9.0;
    case SENXOR_UNIT_ADC:
    default:
      return NAN;
  }
}

/* Round half away from zero and clamp; NaN gives 0. */
static guint16
clamp_round (double v, double lo, double hi)
{
  if (isnan (v))
    return 0;
  v = round (CLAMP (v, lo, hi));
  return (guint16) (gint32) v;
}

/* a signed 16-bit value, as the device sends it */
static guint16
clamp_round_signed (double v)
{
  if (isnan (v))
    return 0;
  v = round (CLAMP (v, -32768.0, 32767.0));
  return (guint16) (gint16) (gint32) v;
}

guint16
senxor_pixel_from_kelvin (double k, SenxorPixelUnit unit)
{
  switch (unit) {
    case SENXOR_UNIT_DECI_KELVIN:
      return clamp_round (k * 10.0, 0, 65535);
    case SENXOR_UNIT_DECI_CELSIUS:
      return clamp_round_signed (k * 10.0 - 2731.5);
    case SENXOR_UNIT_DECI_FAHRENHEIT:
      return clamp_round_signed ((k * 10.0 - 2731.5) * 9.0 / 5.0 + 320.0);
    case SENXOR_UNIT_KELVIN_HALF:
      return senxor_float_to_half ((float) k);
    case SENXOR_UNIT_CELSIUS_HALF:
      return senxor_float_to_half ((float) (k - 273.15));
    case SENXOR_UNIT_FAHRENHEIT_HALF:
      return senxor_float_to_half ((float) ((k - 273.15) * 9.0 / 5.0 + 32.0));
    case SENXOR_UNIT_ADC:
    default:
      return 0;
  }
}

void
senxor_pixels_to_deci_kelvin (const guint16 *in, guint16 *out, gsize n,
    SenxorPixelUnit unit)
{
  g_return_if_fail (n == 0 || (in != NULL && out != NULL));

  switch (unit) {
    case SENXOR_UNIT_DECI_KELVIN:
    case SENXOR_UNIT_ADC:
      /* ADC counts are not temperatures: passed through unchanged */
      if (in != out)
        memmove (out, in, n * 2);
      return;
    case SENXOR_UNIT_DECI_CELSIUS:
      /* exact: dK = dC + 2731.5, rounded half up */
      for (gsize i = 0; i < n; i++) {
        gint32 v = (gint16) in[i] + 2732;
        out[i] = (guint16) CLAMP (v, 0, 65535);
      }
      return;
    case SENXOR_UNIT_DECI_FAHRENHEIT:
      /* exact: dK = (10 dF + 45967) / 18, rounded half up */
      for (gsize i = 0; i < n; i++) {
        gint32 num = 10 * (gint32) (gint16) in[i] + 45967 + 9;
        out[i] = num < 0 ? 0 : (guint16) MIN (num / 18, 65535);
      }
      return;
    case SENXOR_UNIT_KELVIN_HALF:
      /* a half times 10 is exact in a double */
      for (gsize i = 0; i < n; i++)
        out[i] = clamp_round (senxor_half_to_float (in[i]) * 10.0, 0, 65535);
      return;
    case SENXOR_UNIT_CELSIUS_HALF:
      for (gsize i = 0; i < n; i++)
        out[i] = clamp_round (senxor_half_to_float (in[i]) * 10.0 + 2731.5, 0, 65535);
      return;
    case SENXOR_UNIT_FAHRENHEIT_HALF:
      for (gsize i = 0; i < n; i++)
        out[i] = clamp_round (((double) senxor_half_to_float (in[i]) - 32.0) * 50.0 / 9.0
            + 2731.5, 0, 65535);
      return;
    default:
      g_return_if_reached ();
  }
}
