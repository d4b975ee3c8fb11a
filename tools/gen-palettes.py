#!/usr/bin/env python3
# Generate gst/thermal-palettes.c and gst/thermal-palettes.h, the built-in
# palettes of thermalcolormap, from published data, formulas and our own
# gradient stops.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage (from the source root, at development time only):
#     /usr/bin/python3 tools/gen-palettes.py [--check] [--preview PNG] [OUTDIR]
#
# OUTDIR defaults to gst/.  --check regenerates into memory and exits 1 when
# the committed files differ (a quick way to prove the tables reproduce).
# --preview also writes a strip of every palette (docs/images/palettes.png).
#
# Needs matplotlib (Debian: python3-matplotlib) for the listed colormaps
# (inferno, magma, plasma, viridis, cividis, turbo).  The build never runs
# this script: the generated files are committed.
#
# Conversions (documented in docs/palettes.md as well):
#  * a real value v in [0, 1] becomes the byte floor(v * 255 + 0.5);
#  * formula palettes evaluate at x = i / 255 for level i = 0..255;
#  * gradient palettes interpolate linearly, per channel, in integers
#    between stops at integer levels, rounding half away from zero -- the
#    exact rule of gst/palette-file.c, so each gradient's stop list, written
#    as a palette file, reproduces its table (the element test checks it).

import math
import os
import sys

OUT_H = "thermal-palettes.h"
OUT_C = "thermal-palettes.c"


def byte(v):
    v = min(1.0, max(0.0, v))
    return int(math.floor(v * 255.0 + 0.5))


def formula(fn):
    return [tuple(byte(c) for c in fn(i / 255.0)) for i in range(256)]


def clamp01(v):
    return min(1.0, max(0.0, v))


# ---- formula palettes ----

def white_hot(x):
    return (x, x, x)


def black_hot(x):
    return (1.0 - x, 1.0 - x, 1.0 - x)


def jet(x):
    # The usual closed form of MATLAB's jet: three shifted triangles.
    return (clamp01(1.5 - abs(4.0 * x - 3.0)),
            clamp01(1.5 - abs(4.0 * x - 2.0)),
            clamp01(1.5 - abs(4.0 * x - 1.0)))


def hot(x):
    # Black -> red -> yellow -> white, each channel rising over a third.
    return (clamp01(3.0 * x), clamp01(3.0 * x - 1.0), clamp01(3.0 * x - 2.0))


def cool(x):
    return (x, 1.0 - x, 1.0)


def bone(x):
    # MATLAB's definition: (7 * gray + hot with its channels reversed) / 8.
    h = hot(x)
    return ((7.0 * x + h[2]) / 8.0, (7.0 * x + h[1]) / 8.0,
            (7.0 * x + h[0]) / 8.0)


# ---- gradient palettes: our own stops (level, r, g, b) ----

GRADIENTS = {
    "ironbow": [
        (0, 0, 0, 0),
        (36, 20, 0, 100),
        (76, 120, 0, 155),
        (118, 195, 20, 120),
        (160, 235, 85, 20),
        (200, 252, 160, 0),
        (235, 255, 225, 70),
        (255, 255, 255, 255),
    ],
    "rainbow": [
        (0, 64, 0, 128),
        (36, 0, 0, 255),
        (87, 0, 255, 255),
        (138, 0, 255, 0),
        (189, 255, 255, 0),
        (240, 255, 0, 0),
        (255, 192, 0, 0),
    ],
    "rainbow-hc": [
        (0, 0, 0, 0),
        (21, 0, 0, 160),
        (43, 0, 160, 255),
        (64, 0, 200, 0),
        (85, 255, 255, 0),
        (106, 255, 0, 0),
        (128, 255, 0, 255),
        (149, 80, 0, 255),
        (170, 0, 255, 255),
        (191, 128, 255, 128),
        (213, 255, 255, 128),
        (234, 255, 128, 128),
        (255, 255, 255, 255),
    ],
    "lava": [
        (0, 0, 0, 0),
        (36, 16, 16, 96),
        (72, 16, 96, 112),
        (112, 140, 16, 40),
        (150, 220, 30, 10),
        (190, 250, 120, 0),
        (225, 255, 210, 40),
        (255, 255, 255, 230),
    ],
    "arctic": [
        (0, 0, 0, 32),
        (56, 0, 48, 128),
        (112, 32, 128, 208),
        (150, 160, 220, 245),
        (180, 250, 210, 90),
        (215, 250, 150, 20),
        (255, 255, 250, 220),
    ],
}


def div_round(num, den):
    """num / den rounded half away from zero, den > 0, in integers."""
    if num >= 0:
        return (2 * num + den) // (2 * den)
    return -((-2 * num + den) // (2 * den))


def gradient(stops):
    lut = []
    for i in range(256):
        k = -1
        for j, s in enumerate(stops):
            if s[0] <= i:
                k = j
        if k < 0:
            lut.append(tuple(stops[0][1:]))
        elif k == len(stops) - 1:
            lut.append(tuple(stops[k][1:]))
        else:
            p0, p1 = stops[k][0], stops[k + 1][0]
            lut.append(tuple(
                stops[k][c] + div_round((stops[k + 1][c] - stops[k][c]) * (i - p0),
                                        p1 - p0)
                for c in (1, 2, 3)))
    return lut


def stops_text(stops):
    return "".join("%d %d %d %d\n" % s for s in stops)


# ---- matplotlib's listed colormaps ----

def listed(name):
    from matplotlib import _cm_listed
    data = getattr(_cm_listed, "_%s_data" % name)
    assert len(data) == 256, name
    return [tuple(byte(c) for c in rgb) for rgb in data]


def matplotlib_version():
    import matplotlib
    return matplotlib.__version__


# (C enum suffix, nick, description, kind, source)
PALETTES = [
    ("WHITE_HOT", "white-hot", "White hot (grey ramp, hot is white)", "formula",
     "formula: r = g = b = x"),
    ("BLACK_HOT", "black-hot", "Black hot (reversed grey ramp)", "formula",
     "formula: r = g = b = 1 - x"),
    ("IRONBOW", "ironbow", "Ironbow (black, violet, red, orange, yellow, white)",
     "gradient", "own gradient stops (senxor-gst)"),
    ("RAINBOW", "rainbow", "Rainbow (violet, blue, cyan, green, yellow, red)",
     "gradient", "own gradient stops (senxor-gst)"),
    ("RAINBOW_HC", "rainbow-hc", "Rainbow high contrast (two hue cycles, dark to white)",
     "gradient", "own gradient stops (senxor-gst)"),
    ("JET", "jet", "Jet (MATLAB-style blue-cyan-yellow-red)", "formula",
     "formula: r,g,b = clamp(1.5 - |4x - 3|), clamp(1.5 - |4x - 2|), clamp(1.5 - |4x - 1|)"),
    ("HOT", "hot", "Hot (black, red, yellow, white)", "formula",
     "formula: r,g,b = clamp(3x), clamp(3x - 1), clamp(3x - 2)"),
    ("COOL", "cool", "Cool (cyan to magenta)", "formula",
     "formula: r,g,b = x, 1 - x, 1"),
    ("BONE", "bone", "Bone (grey with a blue tint)", "formula",
     "formula: (7x + hot(x) with channels reversed) / 8"),
    ("TURBO", "turbo", "Turbo (Google's improved rainbow)", "listed",
     "matplotlib _turbo_data; Turbo by Anton Mikhailov, Copyright 2019 Google LLC, "
     "Apache License 2.0"),
    ("INFERNO", "inferno", "Inferno (perceptually uniform, black to yellow)", "listed",
     "matplotlib _inferno_data; by Nathaniel J. Smith and Stefan van der Walt, CC0 1.0"),
    ("MAGMA", "magma", "Magma (perceptually uniform, black to pale pink)", "listed",
     "matplotlib _magma_data; by Nathaniel J. Smith and Stefan van der Walt, CC0 1.0"),
    ("PLASMA", "plasma", "Plasma (perceptually uniform, blue to yellow)", "listed",
     "matplotlib _plasma_data; by Nathaniel J. Smith and Stefan van der Walt, CC0 1.0"),
    ("VIRIDIS", "viridis", "Viridis (perceptually uniform, purple to yellow)", "listed",
     "matplotlib _viridis_data; by Nathaniel J. Smith, Stefan van der Walt and "
     "Eric Firing, CC0 1.0"),
    ("CIVIDIS", "cividis", "Cividis (colour-vision-deficiency friendly)", "listed",
     "matplotlib _cividis_data; Nunez, Anderton, Renslow (2018), "
     "Copyright (c) 2017 Battelle Memorial Institute, BSD-style licence "
     "(pnnl/cmaputil), shipped under the Matplotlib License"),
    ("LAVA", "lava", "Lava (black, blue, teal, red, orange, yellow, white)", "gradient",
     "own gradient stops (senxor-gst)"),
    ("ARCTIC", "arctic", "Arctic (navy and blue when cold, gold when hot)", "gradient",
     "own gradient stops (senxor-gst)"),
]


def build():
    tables = []
    for suffix, nick, _desc, kind, _src in PALETTES:
        if kind == "formula":
            fn = {"white-hot": white_hot, "black-hot": black_hot, "jet": jet,
                  "hot": hot, "cool": cool, "bone": bone}[nick]
            tables.append(formula(fn))
        elif kind == "gradient":
            tables.append(gradient(GRADIENTS[nick]))
        else:
            tables.append(listed(nick))
    return tables


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(tables):
    mpl = matplotlib_version()
    src_lines = []
    for suffix, nick, _desc, _kind, source in PALETTES:
        src_lines.append(" *  %-11s %s" % (nick + ":", source))
    header_comment = """/* Built-in palettes of thermalcolormap.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GENERATED by tools/gen-palettes.py (matplotlib %s) -- do not edit; change
 * the script and run it again.  Sources and licences of the data:
%s
 *
 * The listed colormaps are matplotlib's published 256-entry tables
 * (lib/matplotlib/_cm_listed.py), converted with byte = floor(v * 255 + 0.5).
 * CC0 1.0: https://creativecommons.org/publicdomain/zero/1.0/
 * Apache 2.0: https://www.apache.org/licenses/LICENSE-2.0
 * Matplotlib License: https://matplotlib.org/stable/project/license.html
 * Formula palettes evaluate at x = level / 255.  Gradient palettes are our
 * own stops, interpolated as gst/palette-file.c does (docs/palettes.md).
 */""" % (mpl, "\n".join(src_lines))

    h = [header_comment, "#pragma once", "", "#include <glib.h>", "",
         "G_BEGIN_DECLS", "",
         "/**",
         " * GstThermalPalette:",
         ]
    for suffix, nick, desc, _k, _s in PALETTES:
        h.append(" * @GST_THERMAL_PALETTE_%s: %s" % (suffix, desc))
    h += [" *", " * The built-in palettes of thermalcolormap, in table order.", " */",
          "typedef enum {"]
    for n, (suffix, _nick, _d, _k, _s) in enumerate(PALETTES):
        h.append("  GST_THERMAL_PALETTE_%s = %d," % (suffix, n))
    h += ["} GstThermalPalette;", "",
          "#define GST_THERMAL_PALETTE_COUNT %d" % len(PALETTES), "",
          "/* Descriptions and nicks (the enum's value names and property strings). */",
          "extern const char *const thermal_palette_descriptions[GST_THERMAL_PALETTE_COUNT];",
          "extern const char *const thermal_palette_nicks[GST_THERMAL_PALETTE_COUNT];",
          "",
          "/* For gradient palettes their stops as a palette file (docs/palettes.md),",
          " * NULL for the others. */",
          "extern const char *const thermal_palette_stops[GST_THERMAL_PALETTE_COUNT];",
          "",
          "/* R, G, B of each input level 0..255 (level 255 is the hottest). */",
          "extern const guint8 thermal_palette_tables[GST_THERMAL_PALETTE_COUNT][256][3];",
          "", "G_END_DECLS", ""]

    c = [header_comment, '#include "thermal-palettes.h"', "",
         "const char *const thermal_palette_descriptions[GST_THERMAL_PALETTE_COUNT] = {"]
    for _s, _n, desc, _k, _src in PALETTES:
        c.append("  %s," % c_string(desc))
    c += ["};", "", "const char *const thermal_palette_nicks[GST_THERMAL_PALETTE_COUNT] = {"]
    for _s, nick, _d, _k, _src in PALETTES:
        c.append("  %s," % c_string(nick))
    c += ["};", "", "const char *const thermal_palette_stops[GST_THERMAL_PALETTE_COUNT] = {"]
    for _s, nick, _d, kind, _src in PALETTES:
        if kind == "gradient":
            c.append("  /* %s */" % nick)
            c.append("  " + c_string(stops_text(GRADIENTS[nick])) + ",")
        else:
            c.append("  NULL, /* %s */" % nick)
    c += ["};", "",
          "const guint8 thermal_palette_tables[GST_THERMAL_PALETTE_COUNT][256][3] = {"]
    for (suffix, nick, _d, _k, _s), table in zip(PALETTES, tables):
        c.append("  [GST_THERMAL_PALETTE_%s] = {" % suffix)
        for row in range(0, 256, 4):
            cells = ", ".join("{%3d, %3d, %3d}" % table[i] for i in range(row, row + 4))
            c.append("    %s," % cells)
        c.append("  },")
    c += ["};", ""]
    return "\n".join(h), "\n".join(c)


def preview(tables, path):
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows, h = len(tables), 24
    fig = plt.figure(figsize=(6.4, rows * h / 100.0), dpi=100)
    for i, (table, p) in enumerate(zip(tables, PALETTES)):
        ax = fig.add_axes([0.2, 1 - (i + 1) / rows, 0.79, 1 / rows * 0.85])
        ax.imshow(np.array(table, np.uint8)[None, :, :], aspect="auto")
        ax.set_axis_off()
        fig.text(0.19, 1 - (i + 0.55) / rows, p[1], ha="right", va="center",
                 fontsize=8)
    fig.savefig(path)


def main(argv):
    check = "--check" in argv
    png = None
    if "--preview" in argv:
        k = argv.index("--preview")
        png = argv[k + 1]
        argv = argv[:k] + argv[k + 2:]
    args = [a for a in argv if a != "--check"]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    outdir = args[0] if args else os.path.join(root, "gst")
    tables = build()
    h, c = render(tables)
    if png:
        preview(tables, png)
        print("wrote %s" % png)
    if check:
        same = True
        for name, text in ((OUT_H, h), (OUT_C, c)):
            with open(os.path.join(outdir, name), encoding="utf-8") as f:
                if f.read() != text:
                    print("%s differs from the generator's output" % name)
                    same = False
        print("palettes reproduce" if same else "palettes DIFFER")
        return 0 if same else 1
    for name, text in ((OUT_H, h), (OUT_C, c)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            f.write(text)
    print("wrote %s and %s in %s" % (OUT_H, OUT_C, outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
