/* Frame layouts, header parsing and writing, pixel units and conversions,
 * half floats and the header CRC, all against hand-computed values.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <math.h>
#include <string.h>

#define EPS 1e-9

/* ---- layouts ---- */

static void
test_layouts_table (void)
{
  /* the Layouts table of docs/protocol.md */
  static const struct {
    SenxorModule module;
    guint w, h;
    gsize reserved, header, pixels, with_header, without_header;
  } t[] = {
    {SENXOR_MODULE_MI08, 80, 62, 160, 160, 9920, 10240, 10080},
    {SENXOR_MODULE_MI16, 160, 120, 960, 320, 38400, 39680, 39360},
    {SENXOR_MODULE_MI05, 50, 50, 100, 100, 5000, 5200, 5100},
  };

  for (guint i = 0; i < G_N_ELEMENTS (t); i++) {
    for (int has_header = 0; has_header < 2; has_header++) {
      SenxorFrameLayout l, back;
      gsize len = has_header ? t[i].with_header : t[i].without_header;

      memset (&l, 0xEE, sizeof l);
      g_assert_true (senxor_frame_layout_for_module (t[i].module, has_header, &l));
      g_assert_cmpint (l.module, ==, t[i].module);
      g_assert_cmpuint (l.width, ==, t[i].w);
      g_assert_cmpuint (l.height, ==, t[i].h);
      g_assert_cmpint (l.has_header, ==, has_header);
      g_assert_cmpuint (l.reserved_bytes, ==, t[i].reserved);
      g_assert_cmpuint (l.header_bytes, ==, has_header ? t[i].header : 0);
      g_assert_cmpuint (l.pixel_bytes, ==, t[i].pixels);
      g_assert_cmpuint (l.contents_len, ==, len);

      /* the contents length alone tells the layout, MI05's 5100 included */
      g_assert_true (senxor_frame_layout_from_contents_len (len, &back));
      g_assert_cmpmem (&back, sizeof back, &l, sizeof l);
      g_assert_true (senxor_frame_layout_from_contents_len (len, NULL));
    }
  }
}

static void
test_layouts_unknown (void)
{
  static const gsize bad[] = {0, 1, 5000, 5099, 5101, 10079, 10239, 10241, 39361,
    39679, 39681, 65527, G_MAXSIZE};
  SenxorFrameLayout l;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (senxor_frame_layout_from_contents_len (bad[i], &l));
  g_assert_false (senxor_frame_layout_for_module (SENXOR_MODULE_UNKNOWN, TRUE, &l));
  g_assert_false (senxor_frame_layout_for_module ((SenxorModule) 17, FALSE, &l));
}

static void
test_modules (void)
{
  static const struct {
    const char *s;
    SenxorModule m;
  } names[] = {
    {"mi08", SENXOR_MODULE_MI08}, {"MI08", SENXOR_MODULE_MI08},
    {"mi0802", SENXOR_MODULE_MI08}, {"MI0801", SENXOR_MODULE_MI08},
    {"80x62", SENXOR_MODULE_MI08}, {"Cougar", SENXOR_MODULE_MI08},
    {"MI16", SENXOR_MODULE_MI16}, {"mi1602", SENXOR_MODULE_MI16},
    {"160x120", SENXOR_MODULE_MI16}, {"panther", SENXOR_MODULE_MI16},
    {"mi05", SENXOR_MODULE_MI05}, {"MI0502", SENXOR_MODULE_MI05},
    {"50x50", SENXOR_MODULE_MI05}, {"CHEETAH", SENXOR_MODULE_MI05},
    {"", SENXOR_MODULE_UNKNOWN}, {"mi", SENXOR_MODULE_UNKNOWN},
    {"mi09", SENXOR_MODULE_UNKNOWN}, {"mi08x", SENXOR_MODULE_UNKNOWN},
    {"80x63", SENXOR_MODULE_UNKNOWN}, {"cougars", SENXOR_MODULE_UNKNOWN},
    {"160x1200", SENXOR_MODULE_UNKNOWN},
  };
  static const guint8 mi08_types[] = {0, 1, 3, 4, 5, 8};

  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    g_test_message ("module string '%s'", names[i].s);
    g_assert_cmpint (senxor_module_from_string (names[i].s), ==, names[i].m);
  }
  g_assert_cmpint (senxor_module_from_string (NULL), ==, SENXOR_MODULE_UNKNOWN);

  g_assert_cmpstr (senxor_module_name (SENXOR_MODULE_MI08), ==, "MI08");
  g_assert_cmpstr (senxor_module_name (SENXOR_MODULE_MI16), ==, "MI16");
  g_assert_cmpstr (senxor_module_name (SENXOR_MODULE_MI05), ==, "MI05");
  g_assert_cmpstr (senxor_module_name (SENXOR_MODULE_UNKNOWN), ==, "unknown");
  /* names parse back */
  g_assert_cmpint (senxor_module_from_string (senxor_module_name (SENXOR_MODULE_MI16)),
      ==, SENXOR_MODULE_MI16);

  for (guint t = 0; t < 256; t++) {
    SenxorModule want = SENXOR_MODULE_UNKNOWN;
    for (guint i = 0; i < G_N_ELEMENTS (mi08_types); i++)
      if (mi08_types[i] == t)
        want = SENXOR_MODULE_MI08;
    if (t == 6)
      want = SENXOR_MODULE_MI16;
    if (t == 9)
      want = SENXOR_MODULE_MI05;
    g_assert_cmpint (senxor_module_from_senxor_type ((guint8) t), ==, want);
  }

  /* FPS_MAX is about 25-30 fps */
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI08), >=, 25.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI08), <=, 30.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI16), >=, 25.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI16), <=, 30.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI05), >=, 25.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_MI05), <=, 30.0);
  g_assert_cmpfloat (senxor_module_fps_max (SENXOR_MODULE_UNKNOWN), ==, 0.0);
}

/* ---- header ---- */

static void
test_header_parse (void)
{
  static const guint8 words[16] = {
    0x34, 0x12,   /* counter 0x1234 */
    0xE8, 0x80,   /* Vdd 33000 * 0.1 mV = 3.3 V */
    0x6B, 0x76,   /* die 30315 cK = 303.15 K = 30.00 °C */
    0x40, 0xE2,   /* timestamp low 0xE240 */
    0x01, 0x00,   /* timestamp high 0x0001: 123456 */
    0x3A, 0x0C,   /* max 3130 */
    0xAB, 0x0A,   /* min 2731 */
    0xEF, 0xBE,   /* CRC 0xBEEF */
  };
  SenxorFrameHeader h;
  guint8 back[20];

  senxor_frame_header_parse (words, &h);
  g_assert_cmpuint (h.counter, ==, 0x1234);
  g_assert_cmpuint (h.vdd_raw, ==, 33000);
  g_assert_cmpfloat_with_epsilon (h.vdd, 3.3, EPS);
  g_assert_cmpuint (h.die_temp_raw, ==, 30315);
  g_assert_cmpfloat_with_epsilon (h.die_temp_c, 30.0, EPS);
  g_assert_cmpuint (h.timestamp, ==, 123456);
  g_assert_cmpuint (h.max_raw, ==, 3130);
  g_assert_cmpuint (h.min_raw, ==, 2731);
  g_assert_cmphex (h.crc, ==, 0xBEEF);

  /* write: the same 16 bytes, nothing after them touched */
  memset (back, 0x55, sizeof back);
  senxor_frame_header_write (&h, back);
  g_assert_cmpmem (back, 16, words, 16);
  for (guint i = 16; i < sizeof back; i++)
    g_assert_cmpuint (back[i], ==, 0x55);
}

static void
test_header_roundtrip (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (3);

  for (guint i = 0; i < 1000; i++) {
    SenxorFrameHeader a = {0}, b;
    guint8 bytes[16];

    a.counter = (guint16) g_rand_int (r);
    a.vdd_raw = (guint16) g_rand_int (r);
    a.die_temp_raw = (guint16) g_rand_int (r);
    a.timestamp = g_rand_int (r);
    a.max_raw = (guint16) g_rand_int (r);
    a.min_raw = (guint16) g_rand_int (r);
    a.crc = (guint16) g_rand_int (r);
    senxor_frame_header_write (&a, bytes);
    senxor_frame_header_parse (bytes, &b);
    g_assert_cmpuint (b.counter, ==, a.counter);
    g_assert_cmpuint (b.vdd_raw, ==, a.vdd_raw);
    g_assert_cmpuint (b.die_temp_raw, ==, a.die_temp_raw);
    g_assert_cmpuint (b.timestamp, ==, a.timestamp);
    g_assert_cmpuint (b.max_raw, ==, a.max_raw);
    g_assert_cmpuint (b.min_raw, ==, a.min_raw);
    g_assert_cmpuint (b.crc, ==, a.crc);
    g_assert_cmpfloat_with_epsilon (b.vdd, a.vdd_raw / 10000.0, EPS);
    g_assert_cmpfloat_with_epsilon (b.die_temp_c, a.die_temp_raw / 100.0 - 273.15, EPS);
  }
}

/* ---- CRC ---- */

static void
test_crc16 (void)
{
  /* the catalogue check value of CRC-16/CCITT-FALSE */
  g_assert_cmphex (senxor_crc16_ccitt ((const guint8 *) "123456789", 9), ==, 0x29B1);
  g_assert_cmphex (senxor_crc16_ccitt ((const guint8 *) "A", 1), ==, 0xB915);
  g_assert_cmphex (senxor_crc16_ccitt (NULL, 0), ==, 0xFFFF);
}

/* ---- half floats ---- */

static void
test_half_to_float (void)
{
  static const struct {
    guint16 h;
    float f;
  } t[] = {
    {0x0000, 0.0f},
    {0x3C00, 1.0f},
    {0xBC00, -1.0f},
    {0x3555, 0.333251953125f},
    {0x0001, 5.9604644775390625e-08f},    /* smallest subnormal, 2^-24 */
    {0x03FF, 6.097555160522461e-05f},     /* largest subnormal */
    {0x0400, 6.103515625e-05f},           /* smallest normal, 2^-14 */
    {0x7BFF, 65504.0f},                   /* largest finite */
    {0xFBFF, -65504.0f},
    {0x5CB0, 300.0f},
    {0x4E40, 25.0f},
    {0xCE40, -25.0f},
    {0x5628, 98.5f},
  };
  float z;

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_cmpfloat (senxor_half_to_float (t[i].h), ==, t[i].f);
  z = senxor_half_to_float (0x8000);
  g_assert_cmpfloat (z, ==, 0.0f);
  g_assert_true (signbit (z));
  g_assert_true (isinf (senxor_half_to_float (0x7C00)));
  g_assert_cmpfloat (senxor_half_to_float (0x7C00), >, 0);
  g_assert_true (isinf (senxor_half_to_float (0xFC00)));
  g_assert_cmpfloat (senxor_half_to_float (0xFC00), <, 0);
  g_assert_true (isnan (senxor_half_to_float (0x7E00)));
  g_assert_true (isnan (senxor_half_to_float (0x7C01)));
  g_assert_true (isnan (senxor_half_to_float (0xFE00)));
}

static void
test_float_to_half (void)
{
  static const struct {
    float f;
    guint16 h;
  } t[] = {
    {0.0f, 0x0000},
    {-0.0f, 0x8000},
    {1.0f, 0x3C00},
    {300.0f, 0x5CB0},
    {98.6f, 0x562A},
    {65504.0f, 0x7BFF},
    {65519.0f, 0x7BFF},                   /* below the midpoint to infinity */
    {65520.0f, 0x7C00},                   /* the midpoint: ties to even = inf */
    {1e6f, 0x7C00},
    {-1e6f, 0xFC00},
    {1.0f + 0x1p-11f, 0x3C00},            /* tie, to even */
    {1.0f + 0x3p-11f, 0x3C02},            /* tie, to even */
    {1.0f + 0x1.8p-11f, 0x3C01},          /* above the tie */
    {0x1p-24f, 0x0001},                   /* smallest subnormal */
    {0x1p-25f, 0x0000},                   /* tie between 0 and 2^-24: even */
    {0x1.8p-25f, 0x0001},
    {0x1p-30f, 0x0000},                   /* underflow */
    {0x1.ff8p-15f, 0x03FF},               /* largest subnormal */
    {0x1.ffcp-15f, 0x0400},               /* tie: rounds up to the smallest normal */
  };

  for (guint i = 0; i < G_N_ELEMENTS (t); i++) {
    g_test_message ("float_to_half (%a)", (double) t[i].f);
    g_assert_cmphex (senxor_float_to_half (t[i].f), ==, t[i].h);
  }
  g_assert_cmphex (senxor_float_to_half (INFINITY), ==, 0x7C00);
  g_assert_cmphex (senxor_float_to_half (-INFINITY), ==, 0xFC00);
  {
    guint16 n = senxor_float_to_half (NAN);
    g_assert_cmphex (n & 0x7C00, ==, 0x7C00);
    g_assert_cmphex (n & 0x03FF, !=, 0);
  }
}

/* Every half that is not a NaN survives half -> float -> half. */
static void
test_half_exhaustive (void)
{
  for (guint h = 0; h <= 0xFFFF; h++) {
    float f = senxor_half_to_float ((guint16) h);
    if (isnan (f))
      continue;
    g_assert_cmphex (senxor_float_to_half (f), ==, h);
  }
}

/* ---- pixel units ---- */

static void
test_units_valid (void)
{
  static const SenxorPixelUnit ok[] = {
    SENXOR_UNIT_DECI_KELVIN, SENXOR_UNIT_DECI_CELSIUS, SENXOR_UNIT_DECI_FAHRENHEIT,
    SENXOR_UNIT_KELVIN_HALF, SENXOR_UNIT_CELSIUS_HALF, SENXOR_UNIT_FAHRENHEIT_HALF,
    SENXOR_UNIT_ADC,
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    g_assert_true (senxor_pixel_unit_is_valid (ok[i]));
  /* TEMP_UNITS 3 and 7 are not defined */
  g_assert_false (senxor_pixel_unit_is_valid ((SenxorPixelUnit) 3));
  g_assert_false (senxor_pixel_unit_is_valid ((SenxorPixelUnit) 7));
  g_assert_true (isnan (senxor_pixel_to_kelvin (1000, (SenxorPixelUnit) 3)));
}

static void
test_units_to_temperature (void)
{
  static const struct {
    SenxorPixelUnit unit;
    guint16 raw;
    double kelvin, celsius;
  } t[] = {
    {SENXOR_UNIT_DECI_KELVIN, 2981, 298.1, 24.95},
    {SENXOR_UNIT_DECI_KELVIN, 0, 0.0, -273.15},
    {SENXOR_UNIT_DECI_KELVIN, 65535, 6553.5, 6280.35},   /* unsigned */
    {SENXOR_UNIT_DECI_CELSIUS, 250, 298.15, 25.0},
    {SENXOR_UNIT_DECI_CELSIUS, 0xFF9C, 263.15, -10.0},   /* signed: -100 */
    {SENXOR_UNIT_DECI_CELSIUS, 0, 273.15, 0.0},
    {SENXOR_UNIT_DECI_FAHRENHEIT, 986, 310.15, 37.0},    /* 98.6 °F */
    {SENXOR_UNIT_DECI_FAHRENHEIT, 0xFE70, 233.15, -40.0}, /* -40.0 °F */
    {SENXOR_UNIT_DECI_FAHRENHEIT, 320, 273.15, 0.0},
    {SENXOR_UNIT_DECI_FAHRENHEIT, 2120, 373.15, 100.0},
    {SENXOR_UNIT_KELVIN_HALF, 0x5CB0, 300.0, 26.85},
    {SENXOR_UNIT_CELSIUS_HALF, 0x4E40, 298.15, 25.0},
    {SENXOR_UNIT_CELSIUS_HALF, 0xCE40, 248.15, -25.0},
    /* 98.5 °F = 66.5 * 5 / 9 °C = 36.9444... °C */
    {SENXOR_UNIT_FAHRENHEIT_HALF, 0x5628, 310.09444444444444, 36.94444444444444},
  };

  for (guint i = 0; i < G_N_ELEMENTS (t); i++) {
    g_test_message ("unit %d raw 0x%04x", t[i].unit, t[i].raw);
    g_assert_cmpfloat_with_epsilon (senxor_pixel_to_kelvin (t[i].raw, t[i].unit),
        t[i].kelvin, EPS);
    g_assert_cmpfloat_with_epsilon (senxor_pixel_to_celsius (t[i].raw, t[i].unit),
        t[i].celsius, EPS);
  }
  /* raw ADC counts are not temperatures */
  g_assert_true (isnan (senxor_pixel_to_kelvin (3000, SENXOR_UNIT_ADC)));
  g_assert_true (isnan (senxor_pixel_to_celsius (3000, SENXOR_UNIT_ADC)));

  g_assert_cmpfloat (senxor_kelvin_to_celsius (300.0), ==, 300.0 - 273.15);
  g_assert_cmpfloat (senxor_celsius_to_kelvin (-273.15), ==, 0.0);
}

static void
test_units_from_kelvin (void)
{
  static const struct {
    SenxorPixelUnit unit;
    double kelvin;
    guint16 raw;
  } t[] = {
    {SENXOR_UNIT_DECI_KELVIN, 300.0, 3000},
    {SENXOR_UNIT_DECI_KELVIN, 300.04, 3000},
    {SENXOR_UNIT_DECI_KELVIN, 300.06, 3001},
    {SENXOR_UNIT_DECI_KELVIN, 0.0, 0},
    {SENXOR_UNIT_DECI_KELVIN, -5.0, 0},                 /* clamped */
    {SENXOR_UNIT_DECI_KELVIN, 1e9, 65535},              /* clamped */
    {SENXOR_UNIT_DECI_KELVIN, NAN, 0},
    {SENXOR_UNIT_DECI_CELSIUS, 298.15, 250},
    {SENXOR_UNIT_DECI_CELSIUS, 263.15, 0xFF9C},         /* -100 */
    {SENXOR_UNIT_DECI_CELSIUS, 0.0, (guint16) -2732},   /* -2731.5: away from 0 */
    {SENXOR_UNIT_DECI_CELSIUS, 1e6, 32767},             /* clamped */
    {SENXOR_UNIT_DECI_FAHRENHEIT, 310.15, 986},
    {SENXOR_UNIT_DECI_FAHRENHEIT, 233.15, (guint16) -400},
    {SENXOR_UNIT_DECI_FAHRENHEIT, 1e6, 32767},
    {SENXOR_UNIT_KELVIN_HALF, 300.0, 0x5CB0},
    {SENXOR_UNIT_CELSIUS_HALF, 298.15, 0x4E40},
    {SENXOR_UNIT_FAHRENHEIT_HALF, 310.15, 0x562A},      /* 98.6 °F */
    {SENXOR_UNIT_ADC, 300.0, 0},
  };

  for (guint i = 0; i < G_N_ELEMENTS (t); i++) {
    g_test_message ("unit %d from %g K", t[i].unit, t[i].kelvin);
    g_assert_cmphex (senxor_pixel_from_kelvin (t[i].kelvin, t[i].unit), ==, t[i].raw);
  }
}

/* deci-degree units survive raw -> Kelvin -> raw for every raw value */
static void
test_units_roundtrip (void)
{
  static const SenxorPixelUnit units[] = {
    SENXOR_UNIT_DECI_KELVIN, SENXOR_UNIT_DECI_CELSIUS, SENXOR_UNIT_DECI_FAHRENHEIT,
  };

  for (guint u = 0; u < G_N_ELEMENTS (units); u++)
    for (guint raw = 0; raw <= 0xFFFF; raw++)
      g_assert_cmphex (senxor_pixel_from_kelvin (senxor_pixel_to_kelvin ((guint16) raw,
                  units[u]), units[u]), ==, raw);
}

static void
check_deci_kelvin (SenxorPixelUnit unit, const guint16 *in, const guint16 *want, gsize n)
{
  g_autofree guint16 *out = g_new (guint16, n);
  g_autofree guint16 *inplace = g_memdup2 (in, n * sizeof (guint16));

  senxor_pixels_to_deci_kelvin (in, out, n, unit);
  for (gsize i = 0; i < n; i++) {
    g_test_message ("unit %d: 0x%04x -> %u (want %u)", unit, in[i], out[i], want[i]);
    g_assert_cmpuint (out[i], ==, want[i]);
  }
  /* in place */
  senxor_pixels_to_deci_kelvin (inplace, inplace, n, unit);
  g_assert_cmpmem (inplace, n * 2, want, n * 2);
}

static void
test_pixels_to_deci_kelvin (void)
{
  /* deci-K: unchanged */
  {
    static const guint16 in[] = {0, 2981, 65535};
    check_deci_kelvin (SENXOR_UNIT_DECI_KELVIN, in, in, G_N_ELEMENTS (in));
  }
  /* deci-°C: dK = dC + 2731.5, half up; clamped at 0 K */
  {
    static const guint16 in[] = {250, 0xFF9C, 0, (guint16) -2732, (guint16) -2731, 32767,
      0x8000};
    static const guint16 want[] = {2982, 2632, 2732, 0, 1, 35499, 0};
    check_deci_kelvin (SENXOR_UNIT_DECI_CELSIUS, in, want, G_N_ELEMENTS (in));
  }
  /* deci-°F: dK = (10 dF + 45967) / 18, half up */
  {
    static const guint16 in[] = {986, (guint16) -400, 320, 2120, 1000, 0x8000, 32767};
    /* 3101.5, 2331.5, 2731.5, 3731.5, 3109.28, < 0, 20757.61 */
    static const guint16 want[] = {3102, 2332, 2732, 3732, 3109, 0, 20758};
    check_deci_kelvin (SENXOR_UNIT_DECI_FAHRENHEIT, in, want, G_N_ELEMENTS (in));
  }
  /* half floats, with infinities and NaN */
  {
    static const guint16 in[] = {0x5CB0, 0x3C00, 0x7C00, 0xFC00, 0x7E00, 0x0000};
    static const guint16 want[] = {3000, 10, 65535, 0, 0, 0};
    check_deci_kelvin (SENXOR_UNIT_KELVIN_HALF, in, want, G_N_ELEMENTS (in));
  }
  {
    static const guint16 in[] = {0x4E40, 0xCE40, 0x0000};
    /* 2981.5, 2481.5, 2731.5: exact halves, rounded up */
    static const guint16 want[] = {2982, 2482, 2732};
    check_deci_kelvin (SENXOR_UNIT_CELSIUS_HALF, in, want, G_N_ELEMENTS (in));
  }
  {
    static const guint16 in[] = {0x5628, 0x5000};
    /* 98.5 °F = 3100.94 dK; 32.0 °F = 2731.5 dK */
    static const guint16 want[] = {3101, 2732};
    check_deci_kelvin (SENXOR_UNIT_FAHRENHEIT_HALF, in, want, G_N_ELEMENTS (in));
  }
  /* ADC counts: passed through unchanged */
  {
    static const guint16 in[] = {0, 1234, 65535};
    check_deci_kelvin (SENXOR_UNIT_ADC, in, in, G_N_ELEMENTS (in));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame/layouts/table", test_layouts_table);
  g_test_add_func ("/frame/layouts/unknown", test_layouts_unknown);
  g_test_add_func ("/frame/modules", test_modules);
  g_test_add_func ("/frame/header/parse", test_header_parse);
  g_test_add_func ("/frame/header/roundtrip", test_header_roundtrip);
  g_test_add_func ("/frame/crc16", test_crc16);
  g_test_add_func ("/frame/half/to-float", test_half_to_float);
  g_test_add_func ("/frame/half/from-float", test_float_to_half);
  g_test_add_func ("/frame/half/exhaustive", test_half_exhaustive);
  g_test_add_func ("/frame/units/valid", test_units_valid);
  g_test_add_func ("/frame/units/to-temperature", test_units_to_temperature);
  g_test_add_func ("/frame/units/from-kelvin", test_units_from_kelvin);
  g_test_add_func ("/frame/units/roundtrip", test_units_roundtrip);
  g_test_add_func ("/frame/units/to-deci-kelvin", test_pixels_to_deci_kelvin);
  return g_test_run ();
}
