/* libsenxor: the emulator's fault specification
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Grammar (docs/emulator.md, senxor-emulator --help):
 *   spec     := item ("," item)*
 *   item     := RATEKIND "=" RATE
 *             | "late-reply=" RATE [":" DURATION]
 *             | "stall=" DURATION "@" WHEN
 *             | ("disconnect" | "reboot") "@" WHEN
 *   RATEKIND := "garbage" | "badsum" | "truncate" | "drop-reply"
 *   RATE     := a number from 0 to 1 (probability per message)
 *   DURATION := NUMBER ("s" | "ms")
 *   WHEN     := NUMBER ("s" | "ms")   device time since the emulator started
 *             | NUMBER "f"            after that many frames were sent
 * The injection itself lives in emulator.c; its random draws come from the
 * seed, so a given (seed, spec, host behaviour) always gives the same faults.
 */
#include "emulator-private.h"
#include "senxor/error.h"

#include <stdlib.h>
#include <string.h>

#define FAULT_HELP "garbage=RATE, badsum=RATE, truncate=RATE, drop-reply=RATE, " \
  "late-reply=RATE[:DURATION], stall=DURATION@WHEN, disconnect@WHEN, reboot@WHEN " \
  "(RATE 0..1, DURATION like 2s or 500ms, WHEN like 30s, 1500ms or 100f; " \
  "numbers at most 1e9)"

static gboolean
fail (GError **error, const char *item, const char *why)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
      "faults: bad item '%s': %s; accepted: " FAULT_HELP, item, why);
  return FALSE;
}

/* A decimal number at @s (no sign, no hex, no "inf"); @end is after it. */
static gboolean
parse_number (const char *s, const char **end, double *out)
{
  gsize n = strspn (s, "0123456789.eE+-");
  g_autofree char *text = g_strndup (s, n);
  char *e = NULL;

  if (!g_ascii_isdigit (*s) && *s != '.')
    return FALSE;
  *out = g_ascii_strtod (text, &e);
  if (e == text || *e != '\0')
    return FALSE;
  *end = s + n;
  return TRUE;
}

/* "2s", "500ms" (and "100f" when @frames_ok); microseconds or frames. */
static gboolean
parse_quantity (const char *s, gboolean frames_ok, gint64 *out, gboolean *in_frames)
{
  const char *unit;
  double v;

  if (!parse_number (s, &unit, &v) || v < 0 || v > 1e9)
    return FALSE;
  *in_frames = FALSE;
  if (g_str_equal (unit, "s")) {
    *out = (gint64) (v * G_USEC_PER_SEC + 0.5);
  } else if (g_str_equal (unit, "ms")) {
    *out = (gint64) (v * 1000 + 0.5);
  } else if (frames_ok && g_str_equal (unit, "f")) {
    if (v != (double) (gint64) v)
      return FALSE;
    *out = (gint64) v;
    *in_frames = TRUE;
  } else {
    return FALSE;
  }
  return TRUE;
}

static gboolean
parse_rate (const char *s, double *out)
{
  const char *end;

  return parse_number (s, &end, out) && *end == '\0' && *out >= 0.0 && *out <= 1.0;
}

static gboolean
add_timed (EmuFaults *f, const char *item, EmuTimedKind kind, const char *when,
    gint64 duration_us, GError **error)
{
  EmuTimedFault *t;

  if (f->n_timed >= EMU_MAX_TIMED_FAULTS)
    return fail (error, item, "too many timed faults (at most 32)");
  t = &f->timed[f->n_timed];
  memset (t, 0, sizeof *t);
  t->kind = kind;
  t->duration_us = duration_us;
  if (!parse_quantity (when, TRUE, &t->at, &t->in_frames))
    return fail (error, item, "the time after '@' must be 0 .. 1e9 s, ms or whole "
        "frames, like 30s, 1500ms or 100f");
  f->n_timed++;
  return TRUE;
}

static gboolean
parse_item (EmuFaults *f, const char *item, GError **error)
{
  const char *eq = strchr (item, '=');
  const char *at = strchr (item, '@');
  g_autofree char *key = NULL;
  const char *value;

  if (at && (!eq || at < eq)) {
    /* disconnect@WHEN, reboot@WHEN */
    key = g_strndup (item, at - item);
    if (g_str_equal (key, "disconnect"))
      return add_timed (f, item, EMU_TIMED_DISCONNECT, at + 1, 0, error);
    if (g_str_equal (key, "reboot"))
      return add_timed (f, item, EMU_TIMED_REBOOT, at + 1, 0, error);
    return fail (error, item, "only disconnect and reboot take '@WHEN' directly");
  }
  if (!eq)
    return fail (error, item, "expected KIND=VALUE or KIND@WHEN");
  key = g_strndup (item, eq - item);
  value = eq + 1;

  if (g_str_equal (key, "garbage")) {
    if (!parse_rate (value, &f->garbage))
      return fail (error, item, "the rate must be a number from 0 to 1");
  } else if (g_str_equal (key, "badsum")) {
    if (!parse_rate (value, &f->badsum))
      return fail (error, item, "the rate must be a number from 0 to 1");
  } else if (g_str_equal (key, "truncate")) {
    if (!parse_rate (value, &f->truncate))
      return fail (error, item, "the rate must be a number from 0 to 1");
  } else if (g_str_equal (key, "drop-reply")) {
    if (!parse_rate (value, &f->drop_reply))
      return fail (error, item, "the rate must be a number from 0 to 1");
  } else if (g_str_equal (key, "late-reply")) {
    const char *colon = strchr (value, ':');
    g_autofree char *rate = g_strndup (value, colon ? (gsize) (colon - value) : strlen (value));
    gboolean frames;

    if (!parse_rate (rate, &f->late_reply))
      return fail (error, item, "the rate must be a number from 0 to 1");
    f->late_delay_us = EMU_DEFAULT_LATE_DELAY_US;
    if (colon && (!parse_quantity (colon + 1, FALSE, &f->late_delay_us, &frames) ||
            f->late_delay_us <= 0))
      return fail (error, item, "the delay after ':' must be more than 0 and at most "
          "1e9 s or ms, like 4s or 500ms");
  } else if (g_str_equal (key, "stall")) {
    g_autofree char *dur = NULL;
    gint64 duration;
    gboolean frames;

    if (!at)
      return fail (error, item, "a stall needs a start time: stall=2s@30s");
    dur = g_strndup (value, at - value);
    if (!parse_quantity (dur, FALSE, &duration, &frames) || duration <= 0)
      return fail (error, item, "the stall length must be more than 0 and at most "
          "1e9 s or ms, like 2s or 500ms");
    return add_timed (f, item, EMU_TIMED_STALL, at + 1, duration, error);
  } else {
    return fail (error, item, "unknown fault kind");
  }
  return TRUE;
}

gboolean
_senxor_emulator_faults_parse (const char *spec, EmuFaults *out, GError **error)
{
  EmuFaults f;
  g_auto (GStrv) items = NULL;

  memset (&f, 0, sizeof f);
  f.late_delay_us = EMU_DEFAULT_LATE_DELAY_US;
  if (spec) {
    items = g_strsplit (spec, ",", -1);
    for (guint i = 0; items[i]; i++) {
      g_strstrip (items[i]);
      if (items[i][0] == '\0')
        continue;
      if (!parse_item (&f, items[i], error))
        return FALSE;
    }
  }
  *out = f;
  return TRUE;
}
