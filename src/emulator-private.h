/* libsenxor: emulator internals shared by its source files (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "senxor/emulator.h"
#include "senxor/codec.h"

G_BEGIN_DECLS

typedef enum {
  EMU_SCENE_PEOPLE,
  EMU_SCENE_HOTSPOT,
  EMU_SCENE_GRADIENT,
  EMU_SCENE_FLAT,
} EmuScene;

/* ---- faults (emulator-faults.c) ---- */

typedef enum {
  EMU_TIMED_STALL,
  EMU_TIMED_DISCONNECT,
  EMU_TIMED_REBOOT,
} EmuTimedKind;

typedef struct {
  EmuTimedKind kind;
  gboolean in_frames;           /* @at counts frames sent, else microseconds */
  gint64 at;
  gint64 duration_us;           /* stall */
  gboolean fired;
} EmuTimedFault;

#define EMU_MAX_TIMED_FAULTS 32

typedef struct {
  double garbage;
  double badsum;
  double truncate;
  double late_reply;
  gint64 late_delay_us;
  double drop_reply;
  guint n_timed;
  EmuTimedFault timed[EMU_MAX_TIMED_FAULTS];
} EmuFaults;

#define EMU_DEFAULT_LATE_DELAY_US (4 * G_USEC_PER_SEC)

gboolean _senxor_emulator_faults_parse (const char *spec, EmuFaults *out,
    GError **error);

/* A small deterministic generator (splitmix64). */
static inline guint64
emu_mix64 (guint64 z)
{
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline guint64
emu_rng_next (guint64 *state)
{
  *state += 0x9E3779B97F4A7C15ull;
  return emu_mix64 (*state);
}

/* uniform in [0, 1) */
static inline double
emu_rng_double (guint64 *state)
{
  return (emu_rng_next (state) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- scenes (emulator-scene.c) ---- */

gboolean _senxor_emulator_scene_parse (const char *name, EmuScene *out);
const char *_senxor_emulator_scene_name (EmuScene scene);
/* Fill @dk (width * height, 0.1 K) with frame @frame of @scene; @scratch
 * holds width * height floats. */
void _senxor_emulator_scene_render (EmuScene scene, guint64 seed, double fps,
    guint64 frame, guint width, guint height, guint16 *dk, float *scratch);
/* @n pixels of @src to little-endian bytes at @dst, with their extremes. */
void _senxor_emulator_store_le16 (const guint16 *src, gsize n, guint8 *dst,
    guint16 *vmin, guint16 *vmax);

/* ---- the core (emulator.c) ---- */

/* Whether @params are valid emulator options (the emulator:// query); a
 * GError says which one is not.  Device-string parsing calls it. */
gboolean _senxor_emulator_check_params (GHashTable *params, GError **error);
/* An fd that becomes readable when output may have become due or the
 * connection changed; consumers poll it next to their own fds. */
int _senxor_emulator_get_wakeup_fd (SenxorEmulator *emu);
/* The transport and the servers drive @emu with g_get_monotonic_time ():
 * calls that take no time (set_register, reboot) use it too. */
void _senxor_emulator_set_real_clock (SenxorEmulator *emu);
/* Read the wake-up fd empty (call before producing). */
void _senxor_emulator_drain_wakeup (SenxorEmulator *emu);
/* Unless serial= was given, make the serial number the one derived from
 * @identity (a server calls it with its address before serving). */
void _senxor_emulator_derive_serial (SenxorEmulator *emu, const char *identity);

G_END_DECLS
