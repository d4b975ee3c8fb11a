/* libsenxor: GFRA frame layouts, headers and pixel units
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * SenxorModule:
 * @SENXOR_MODULE_UNKNOWN: not known
 * @SENXOR_MODULE_MI08: MI08xx "Cougar", 80 x 62
 * @SENXOR_MODULE_MI16: MI16xx "Panther", 160 x 120
 * @SENXOR_MODULE_MI05: MI05xx "Cheetah", 50 x 50
 *
 * The frame geometry class of a sensor.
 */
typedef enum {
  SENXOR_MODULE_UNKNOWN = 0,
  SENXOR_MODULE_MI08,
  SENXOR_MODULE_MI16,
  SENXOR_MODULE_MI05,
} SenxorModule;

/**
 * SenxorFrameLayout:
 * @module: the geometry class
 * @width: pixels per row
 * @height: rows
 * @has_header: whether the header block is present (FRAME_MODE NO_HEADER clear)
 * @reserved_bytes: bytes before the header (or the pixels)
 * @header_bytes: header bytes (0 without header)
 * @pixel_bytes: width * height * 2
 * @contents_len: reserved + header + pixels: the GFRA contents length
 */
typedef struct {
  SenxorModule module;
  guint width;
  guint height;
  gboolean has_header;
  gsize reserved_bytes;
  gsize header_bytes;
  gsize pixel_bytes;
  gsize contents_len;
} SenxorFrameLayout;

/* Fill @layout for @module; FALSE for an unknown module. */
gboolean senxor_frame_layout_for_module (SenxorModule module, gboolean has_header,
    SenxorFrameLayout *layout);
/* The layout a GFRA contents length implies; FALSE when none does. */
gboolean senxor_frame_layout_from_contents_len (gsize contents_len,
    SenxorFrameLayout *layout);
/* "MI08", "MI16", "MI05" or "unknown" */
const char *senxor_module_name (SenxorModule module);
/* Accepts "mi08", "MI16", "mi0802", "80x62", ... ; UNKNOWN when not recognised. */
SenxorModule senxor_module_from_string (const char *str);
/* SENXOR_TYPE register (0xBA) value -> module; UNKNOWN for unsupported types. */
SenxorModule senxor_module_from_senxor_type (guint8 senxor_type);
/* The fastest frame rate of a module (FPS_MAX). */
double senxor_module_fps_max (SenxorModule module);

/**
 * SenxorFrameHeader:
 * @counter: word 0, frame counter
 * @vdd: word 1, supply voltage in volts (w * 0.0001)
 * @die_temp_c: word 2, die temperature in °C (w * 0.01 - 273.15)
 * @timestamp: words 3 (low) and 4 (high), device time in ms
 * @max_raw: word 5, frame maximum in the pixel unit
 * @min_raw: word 6, frame minimum in the pixel unit
 * @crc: word 7, CRC-16/CCITT-FALSE over the pixel bytes (per the older library)
 * @vdd_raw: word 1 as sent
 * @die_temp_raw: word 2 as sent
 */
typedef struct {
  guint16 counter;
  double vdd;
  double die_temp_c;
  guint32 timestamp;
  guint16 max_raw;
  guint16 min_raw;
  guint16 crc;
  guint16 vdd_raw;
  guint16 die_temp_raw;
} SenxorFrameHeader;

#define SENXOR_HEADER_WORDS_USED 8

/* Decode the header words at @header (little-endian, at least 16 bytes). */
void senxor_frame_header_parse (const guint8 *header, SenxorFrameHeader *out);
/* Encode @hdr's raw fields (counter, vdd_raw, die_temp_raw, timestamp, max_raw,
 * min_raw, crc) into 16 bytes at @header; other header bytes are untouched. */
void senxor_frame_header_write (const SenxorFrameHeader *hdr, guint8 *header);

/**
 * SenxorPixelUnit:
 * @SENXOR_UNIT_DECI_KELVIN: unsigned 0.1 K (TEMP_UNITS 0, the default)
 * @SENXOR_UNIT_DECI_CELSIUS: signed 0.1 °C (1)
 * @SENXOR_UNIT_DECI_FAHRENHEIT: signed 0.1 °F (2)
 * @SENXOR_UNIT_KELVIN_HALF: IEEE half-float K (4)
 * @SENXOR_UNIT_CELSIUS_HALF: IEEE half-float °C (5)
 * @SENXOR_UNIT_FAHRENHEIT_HALF: IEEE half-float °F (6)
 * @SENXOR_UNIT_ADC: raw ADC counts (FRAME_MODE ADC_ENABLE), not temperatures
 *
 * The pixel unit; the values of the first six equal TEMP_UNITS.
 */
typedef enum {
  SENXOR_UNIT_DECI_KELVIN = 0,
  SENXOR_UNIT_DECI_CELSIUS = 1,
  SENXOR_UNIT_DECI_FAHRENHEIT = 2,
  SENXOR_UNIT_KELVIN_HALF = 4,
  SENXOR_UNIT_CELSIUS_HALF = 5,
  SENXOR_UNIT_FAHRENHEIT_HALF = 6,
  SENXOR_UNIT_ADC = 0x100,
} SenxorPixelUnit;

gboolean senxor_pixel_unit_is_valid (SenxorPixelUnit unit);
/* A raw pixel value to Kelvin (or °C); NAN for SENXOR_UNIT_ADC and invalid
 * units. */
double senxor_pixel_to_kelvin (guint16 raw, SenxorPixelUnit unit);
double senxor_pixel_to_celsius (guint16 raw, SenxorPixelUnit unit);
/* Kelvin to a raw pixel value (rounded half away from zero, clamped to the
 * unit's range); 0 for SENXOR_UNIT_ADC. */
guint16 senxor_pixel_from_kelvin (double kelvin, SenxorPixelUnit unit);
/* Convert @n pixels in @unit to deci-Kelvin (0 .. 65535, rounded half up,
 * clamped; NaN gives 0).  @in may equal @out.  SENXOR_UNIT_ADC pixels are
 * not temperatures: they are copied unchanged. */
void senxor_pixels_to_deci_kelvin (const guint16 *in, guint16 *out, gsize n,
    SenxorPixelUnit unit);

/* IEEE 754 binary16 <-> float: subnormals, infinities and NaN included;
 * float -> half rounds to nearest even and overflows to infinity. */
float senxor_half_to_float (guint16 h);
guint16 senxor_float_to_half (float f);

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xorout). */
guint16 senxor_crc16_ccitt (const guint8 *data, gsize len);

static inline double
senxor_kelvin_to_celsius (double k)
{
  return k - 273.15;
}

static inline double
senxor_celsius_to_kelvin (double c)
{
  return c + 273.15;
}

G_END_DECLS
