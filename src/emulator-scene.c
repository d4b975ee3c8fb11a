/* libsenxor: the emulator's synthetic scenes
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every scene is a pure function of (seed, frame number, size): any frame can
 * be rendered again, which is what senxor_emulator_render_frame() relies on.
 * Motion is defined in seconds of the module's FPS_MAX clock so a scene
 * looks the same on every module.  docs/emulator.md describes each scene.
 *
 * Speed: a frame is made for every frame the emulator sends, as fast as the
 * host reads in fast mode.  This file is built with -O3 (src/meson.build) and
 * its per-pixel loops are written to vectorise: single-precision images, a
 * 32-bit noise hash, no division or branch per pixel; on x86-64 GCC builds
 * them for AVX-512 and AVX2 as well (function multi-versioning).
 */
#include "emulator-private.h"

#include <math.h>
#include <string.h>

/* Whole-frame loops: AVX-512 and AVX2 builds next to the baseline (GCC
 * picks one at load time); the results are the same (no FMA contraction:
 * -ffp-contract=off in src/meson.build). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__linux__)
#define FRAME_LOOP __attribute__ ((target_clones ("arch=x86-64-v4", "avx2", "default")))
#else
#define FRAME_LOOP
#endif

static const char *const scene_names[] = {
  [EMU_SCENE_PEOPLE] = "people",
  [EMU_SCENE_HOTSPOT] = "hotspot",
  [EMU_SCENE_GRADIENT] = "gradient",
  [EMU_SCENE_FLAT] = "flat",
};

gboolean
_senxor_emulator_scene_parse (const char *name, EmuScene *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (scene_names); i++) {
    if (name && g_ascii_strcasecmp (name, scene_names[i]) == 0) {
      *out = (EmuScene) i;
      return TRUE;
    }
  }
  return FALSE;
}

const char *
_senxor_emulator_scene_name (EmuScene scene)
{
  return (guint) scene < G_N_ELEMENTS (scene_names) ? scene_names[scene] : "unknown";
}

/* deci-Kelvin of a Celsius temperature */
#define DK(c) (((c) + 273.15) * 10.0)

/* A soft-edged ellipse: blends @temp_dk over what is there with a coverage
 * that ramps over about one pixel at the edge. */
FRAME_LOOP static void
blend_ellipse (float *img, guint w, guint h, double cx, double cy, double ax,
    double ay, double temp_dk)
{
  gint x0 = (gint) floor (cx - ax - 1), x1 = (gint) ceil (cx + ax + 1);
  gint y0 = (gint) floor (cy - ay - 1), y1 = (gint) ceil (cy + ay + 1);
  float rmin = (float) MIN (ax, ay), temp = (float) temp_dk;
  float inv_ax = (float) (1.0 / ax), inv_ay = (float) (1.0 / ay);

  x0 = MAX (x0, 0);
  y0 = MAX (y0, 0);
  x1 = MIN (x1, (gint) w - 1);
  y1 = MIN (y1, (gint) h - 1);
  for (gint y = y0; y <= y1; y++) {
    float dy = (float) ((y - cy) * inv_ay);
    float *row = img + (gsize) y * w;

    for (gint x = x0; x <= x1; x++) {
      float dx = ((float) x - (float) cx) * inv_ax;
      float d = sqrtf (dx * dx + dy * dy);
      /* coverage 0 outside leaves the pixel as it is */
      float cover = (1.0f - d) * rmin + 0.5f;

      cover = cover < 0.0f ? 0.0f : cover;
      cover = cover > 1.0f ? 1.0f : cover;

      row[x] += (temp - row[x]) * cover;
    }
  }
}

/* Background: 21.0 to 23.0 °C, warmer to the right and to the bottom, with a
 * slow drift of +-0.3 K over a minute. */
FRAME_LOOP static void
fill_background (float *img, guint w, guint h, double t)
{
  double drift = 3.0 * sin (2.0 * G_PI * t / 60.0);

  /* the first row, then every row is the first one plus its offset */
  for (guint x = 0; x < w; x++)
    img[x] = (float) (DK (21.0) + drift + 12.0 * x / MAX (w - 1, 1));
  for (guint y = 1; y < h; y++) {
    float dy = (float) (8.0 * y / MAX (h - 1, 1));
    float *row = img + (gsize) y * w;

    for (guint x = 0; x < w; x++)
      row[x] = img[x] + dy;
  }
}

static double
unit_hash (guint64 seed, guint64 salt)
{
  return (emu_mix64 (seed * 0x2545F4914F6CDD1Dull + salt) >> 11) *
      (1.0 / 9007199254740992.0);
}

/* People walking across: 2 or 3 of them, a body (30.5-32 °C) and a head
 * (35-36 °C) each, entering on one side and leaving on the other. */
static void
draw_people (float *img, guint w, guint h, guint64 seed, double t)
{
  guint n_people = 2 + (guint) (emu_mix64 (seed) % 2);

  for (guint i = 0; i < n_people; i++) {
    double u = unit_hash (seed, 10 + i);
    double crossing_s = 8.0 + 6.0 * unit_hash (seed, 20 + i);
    double span = 1.4 * w;
    double pos = fmod (u * span + t * span / crossing_s, span);
    double cx = (i % 2 == 0) ? pos - 0.2 * w : 1.2 * w - pos;
    double body_ax = MAX (0.07 * w, 2.0), body_ay = 0.27 * h;
    double cy = 0.58 * h + 0.03 * h * sin (2.0 * G_PI * t / 1.1 + i);
    double head_r = MAX (0.055 * w, 1.5);
    double body_c = 30.5 + 1.5 * unit_hash (seed, 30 + i);
    double head_c = 35.0 + 1.0 * unit_hash (seed, 40 + i);

    blend_ellipse (img, w, h, cx, cy, body_ax, body_ay, DK (body_c));
    blend_ellipse (img, w, h, cx, cy - body_ay - head_r * 0.9, head_r, head_r * 1.15,
        DK (head_c));
  }
}

/* One hot object between 63 and 87 °C (a mug, a heater). */
static void
draw_hot_object (float *img, guint w, guint h, guint64 seed, double t,
    gboolean moving)
{
  double r = MAX (0.045 * w, 1.5);
  double temp = 75.0 + 12.0 * sin (2.0 * G_PI * t / 40.0 + unit_hash (seed, 50) * 6.0);
  double cx = 0.82 * w, cy = 0.78 * h;

  if (moving) {
    cx = 0.5 * w + 0.3 * w * sin (2.0 * G_PI * t / 12.0);
    cy = 0.5 * h + 0.3 * h * sin (2.0 * G_PI * t / 7.0);
  }
  blend_ellipse (img, w, h, cx, cy, r, r, DK (temp));
}

/* A 32-bit integer hash (the "lowbias32" constants Chris Wellons found with
 * his hash prospector, public domain): 32-bit operations only, so the noise
 * loop vectorises. */
static inline guint32
mix32 (guint32 x)
{
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

/* Sensor noise, about 0.15 K rms, at most 0.5 K: the sum of four uniform
 * bytes of a hash of (seed and frame: @key, pixel @i), whose standard
 * deviation is 147.8; then round to deci-Kelvin. */
FRAME_LOOP static void
add_noise (const float *img, gsize n, guint32 key, guint16 *dk)
{
  for (gsize i = 0; i < n; i++) {
    guint32 v = mix32 ((guint32) i * 0x9E3779B9u ^ key);
    int s = (int) (v & 0xFF) + (int) ((v >> 8) & 0xFF) + (int) ((v >> 16) & 0xFF) +
        (int) (v >> 24);
    /* round half up; scene values are far from 0 and 65535 */
    float f = img[i] + (float) (s - 510) * (1.5f / 147.8f) + 0.5f;

    f = f < 0.0f ? 0.0f : f;
    f = f > 65535.0f ? 65535.0f : f;
    dk[i] = (guint16) f;
  }
}

void
_senxor_emulator_scene_render (EmuScene scene, guint64 seed, double fps,
    guint64 frame, guint w, guint h, guint16 *dk, float *img)
{
  gsize n = (gsize) w * h;
  double t = fps > 0 ? frame / fps : 0.0;

  switch (scene) {
    case EMU_SCENE_GRADIENT:
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          dk[(gsize) y * w + x] = SENXOR_EMULATOR_GRADIENT (x, y, frame);
      return;
    case EMU_SCENE_FLAT:
      for (gsize i = 0; i < n; i++)
        dk[i] = SENXOR_EMULATOR_FLAT_DK;
      return;
    case EMU_SCENE_PEOPLE:
    case EMU_SCENE_HOTSPOT:
      break;
  }

  fill_background (img, w, h, t);
  if (scene == EMU_SCENE_PEOPLE) {
    draw_hot_object (img, w, h, seed, t, FALSE);
    draw_people (img, w, h, seed, t);
  } else {
    draw_hot_object (img, w, h, seed, t, TRUE);
  }
  add_noise (img, n, (guint32) (emu_mix64 (seed ^ (frame * 0xD1B54A32D192ED03ull)) >>
          32), dk);
}

FRAME_LOOP void
_senxor_emulator_store_le16 (const guint16 *src, gsize n, guint8 *dst,
    guint16 *vmin, guint16 *vmax)
{
  guint16 lo = G_MAXUINT16, hi = 0;

  for (gsize i = 0; i < n; i++) {
    guint16 v = src[i];

    lo = MIN (lo, v);
    hi = MAX (hi, v);
    dst[2 * i] = (guint8) v;
    dst[2 * i + 1] = (guint8) (v >> 8);
  }
  *vmin = lo;
  *vmax = hi;
}
