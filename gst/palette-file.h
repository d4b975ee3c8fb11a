/* Palettes of thermalcolormap and thermaloverlay: the enum's GType, the
 * built-in tables as shared bytes, and palette files, a small text format
 * (docs/palettes.md)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

#include "thermal-palettes.h"

G_BEGIN_DECLS

/**
 * ThermalPaletteError:
 * @THERMAL_PALETTE_ERROR_SYNTAX: a token is not a number, or a row has the
 *   wrong number of values
 * @THERMAL_PALETTE_ERROR_RANGE: a colour or position is outside its range
 * @THERMAL_PALETTE_ERROR_ORDER: gradient stop positions decrease
 * @THERMAL_PALETTE_ERROR_COUNT: a table without exactly 256 rows, or a
 *   gradient with fewer than 2 or more than 256 stops
 * @THERMAL_PALETTE_ERROR_EMPTY: no colour rows at all
 *
 * Why a palette file was rejected.  The message always starts with
 * "line N: " (1-based; for a problem found at the end of the text, the last
 * line).
 */
typedef enum {
  THERMAL_PALETTE_ERROR_SYNTAX,
  THERMAL_PALETTE_ERROR_RANGE,
  THERMAL_PALETTE_ERROR_ORDER,
  THERMAL_PALETTE_ERROR_COUNT,
  THERMAL_PALETTE_ERROR_EMPTY,
} ThermalPaletteError;

#define THERMAL_PALETTE_ERROR (thermal_palette_error_quark ())
GQuark thermal_palette_error_quark (void);

/**
 * thermal_palette_parse:
 * @text: the file's bytes; need not be NUL-terminated, may contain anything
 * @len: number of bytes in @text
 * @lut: (out caller-allocates): R, G, B for each level 0..255
 * @error: return location for a #THERMAL_PALETTE_ERROR
 *
 * Parses a palette file: either a table of exactly 256 rows "R G B" (level 0
 * first) or a list of 2 to 256 gradient stops "POSITION R G B", interpolated
 * linearly.  A pure function: no I/O, no global state, bounded work (linear
 * in @len), safe on arbitrary input.  On failure @lut is left untouched.
 *
 * Returns: TRUE on success.
 */
gboolean thermal_palette_parse (const char *text, gsize len,
    guint8 lut[256][3], GError **error);

/* The largest palette file read (a 256-row table is about 3 kB). */
#define THERMAL_PALETTE_FILE_MAX_SIZE (1024 * 1024)

/**
 * thermal_palette_load:
 * @path: the file's name
 * @lut: (out caller-allocates): R, G, B for each level 0..255
 * @error: return location for a #G_FILE_ERROR when the file cannot be read
 *   (missing, unreadable, not a regular file, larger than
 *   THERMAL_PALETTE_FILE_MAX_SIZE) or a #THERMAL_PALETTE_ERROR when its
 *   content is wrong (see thermal_palette_parse())
 *
 * Reads and parses a palette file.  Never blocks on what is not a regular
 * file: a FIFO, a device or a directory is refused ("not a regular file")
 * without waiting for a writer.  On failure @lut is left untouched.
 *
 * Returns: TRUE on success.
 */
gboolean thermal_palette_load (const char *path, guint8 lut[256][3],
    GError **error);

/* The GType of the GstThermalPalette enum (thermal-palettes.h): the values of
 * thermalcolormap's and thermaloverlay's palette properties. */
GType gst_thermal_palette_get_type (void);
#define GST_TYPE_THERMAL_PALETTE (gst_thermal_palette_get_type ())

/* The size of a palette as bytes: R, G, B of each level 0..255. */
#define THERMAL_PALETTE_COLORS_SIZE (256 * 3)

/**
 * thermal_palette_builtin_colors:
 * @palette: a built-in palette
 *
 * The built-in table of @palette as bytes (THERMAL_PALETTE_COLORS_SIZE),
 * referencing the static table, not copying it.
 *
 * Returns: (transfer full): the colours.
 */
GBytes *thermal_palette_builtin_colors (GstThermalPalette palette);

/**
 * thermal_palette_load_colors:
 * @path: the file's name
 * @error: return location for the error of thermal_palette_load(), whose
 *   message is the one sentence every element shows for this file:
 *   `Could not read palette file "PATH": REASON` (#G_FILE_ERROR) or
 *   `Invalid palette file "PATH": line N: REASON` (#THERMAL_PALETTE_ERROR)
 *
 * Reads a palette file with thermal_palette_load() into new bytes
 * (THERMAL_PALETTE_COLORS_SIZE), so that the elements that take a
 * palette-file read it and word its errors the same way.
 *
 * Returns: (transfer full) (nullable): the colours, or NULL on failure.
 */
GBytes *thermal_palette_load_colors (const char *path, GError **error);

G_END_DECLS
