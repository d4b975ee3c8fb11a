/* libsenxor: the camera's controls, named, in user units
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Adding a control: one entry in the table below (register facts in
 * docs/protocol.md).  senxorsrc installs a property for it and senxor-tool
 * gets and sets it by name without edits of their own; see
 * docs/session.md, "Controls".
 */
#include "senxor/controls.h"
#include "senxor/error.h"
#include "senxor/registers.h"

#include <math.h>
#include <string.h>

static const SenxorControlEnumValue gain_values[] = {
  {0, 0, "1", "Gain 1.0"},
  {1, 1, "auto", "Automatic gain"},
  {2, 2, "0.25", "Gain 0.25"},
  {3, 3, "0.5", "Gain 0.5"},
};

/* MEDIAN_CTRL: bit 0 enables the filter, bit 1 picks the 5x5 kernel */
static const SenxorControlEnumValue median_values[] = {
  {0, 0, "off", "No median filter"},
  {1, SENXOR_MEDIAN_ENABLE, "3x3", "3x3 median filter"},
  {2, SENXOR_MEDIAN_ENABLE | SENXOR_MEDIAN_KERNEL_5, "5x5", "5x5 median filter"},
};

static const SenxorControlInfo controls[] = {
  {"emissivity", "Emissivity",
      "Emissivity of the scene, a fraction (0.95, not 95) in steps of 0.01.",
      SENXOR_CONTROL_DOUBLE, {SENXOR_REG_EMISSIVITY}, 1, 0xFF, 0, 0, FALSE,
      100.0, "", 0.01, 1.0, 0.95, NULL, 0},
  {"offset-correction", "Offset correction",
      "Temperature offset added by the camera, in K (steps of 0.1 K).",
      SENXOR_CONTROL_DOUBLE, {SENXOR_REG_OFFSET_CORR}, 1, 0xFF, 0, 0, TRUE,
      10.0, "K", -12.8, 12.7, 0.0, NULL, 0},
  {"sensitivity-factor", "Sensitivity factor",
      "Raw value of the camera's temperature readout correction factor.",
      SENXOR_CONTROL_INTEGER, {SENXOR_REG_SENSITIVITY_FACTOR}, 1, 0xFF, 0, 0,
      FALSE, 1.0, "", 0, 255, 100, NULL, 0},
  {"gain", "Gain", "Sensor gain.",
      SENXOR_CONTROL_ENUM, {SENXOR_REG_SENXOR_GAIN}, 1, SENXOR_GAIN_MASK, 0, 0,
      FALSE, 1.0, "", 0, 3, 0, gain_values, G_N_ELEMENTS (gain_values)},
  /* writing it also clears the filter's init bit, as the vendor's tools do */
  {"temporal-filter", "Temporal filter", "The camera's temporal noise filter.",
      SENXOR_CONTROL_BOOLEAN, {SENXOR_REG_FILTER_CONTROL}, 1,
      SENXOR_FILTER_TEMPORAL_ENABLE, 0, SENXOR_FILTER_TEMPORAL_INIT, FALSE,
      1.0, "", 0, 1, 0, NULL, 0},
  {"temporal-filter-strength", "Temporal filter strength",
      "Strength of the camera's temporal noise filter.",
      SENXOR_CONTROL_INTEGER,
      {SENXOR_REG_FILTER_SETTING_1, SENXOR_REG_FILTER_SETTING_2}, 2, 0xFF, 0, 0,
      FALSE, 1.0, "", 0, 65535, 0, NULL, 0},
  {"median-filter", "Median filter", "The camera's median filter.",
      SENXOR_CONTROL_ENUM, {SENXOR_REG_MEDIAN_CTRL}, 1,
      SENXOR_MEDIAN_ENABLE | SENXOR_MEDIAN_KERNEL_5, 0, 0, FALSE, 1.0, "",
      0, 2, 0, median_values, G_N_ELEMENTS (median_values)},
  {"stark", "STARK", "The camera's STARK denoising.",
      SENXOR_CONTROL_BOOLEAN, {SENXOR_REG_STARK_CTRL}, 1, SENXOR_STARK_ENABLE, 0,
      0, FALSE, 1.0, "", 0, 1, 0, NULL, 0},
  {"mms", "MMS",
      "The camera's min/max stabilisation (k-extrema median and rolling "
      "average).",
      SENXOR_CONTROL_BOOLEAN, {SENXOR_REG_MMS_CTRL}, 1,
      SENXOR_MMS_KXMS | SENXOR_MMS_RA, 0, 0, FALSE, 1.0, "", 0, 1, 0, NULL, 0},
};

const SenxorControlInfo *
senxor_controls (guint *n_out)
{
  if (n_out)
    *n_out = G_N_ELEMENTS (controls);
  return controls;
}

const SenxorControlInfo *
senxor_control_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    if (g_ascii_strcasecmp (controls[i].name, name) == 0)
      return &controls[i];
  return NULL;
}

const SenxorControlInfo *
senxor_control_find (const char *name, GError **error)
{
  const SenxorControlInfo *c = senxor_control_lookup (name);
  g_autoptr (GString) names = NULL;

  if (c)
    return c;
  names = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", controls[i].name);
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
      "Unknown control '%s': the controls are %s", name, names->str);
  return NULL;
}

const SenxorControlEnumValue *
senxor_control_enum_value (const SenxorControlInfo *control, gint value)
{
  for (guint i = 0; i < control->n_values; i++)
    if (control->values[i].value == value)
      return &control->values[i];
  return NULL;
}

/* A ratio without a unit, from 0 to 1 (emissivity): people may type it
 * in percent. */
static gboolean
is_fraction (const SenxorControlInfo *control)
{
  return control->type == SENXOR_CONTROL_DOUBLE && *control->unit == '\0' &&
      control->min >= 0 && control->max == 1.0;
}

/* Decimals a value of the control is shown with: those of its step. */
static int
control_decimals (const SenxorControlInfo *control)
{
  return control->type == SENXOR_CONTROL_DOUBLE ?
      (int) ceil (log10 (control->divisor) - 1e-9) : 0;
}

static char *
format_number (gdouble value, int decimals)
{
  char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, fmt, value));
}

/* What the control takes, as error messages say it: "a fraction from
 * 0.01 to 1.00", "one of 1, auto, 0.25 or 0.5", "true or false". */
static char *
describe_range (const SenxorControlInfo *control)
{
  g_autofree char *lo = NULL, *hi = NULL;
  GString *s;

  switch (control->type) {
    case SENXOR_CONTROL_BOOLEAN:
      return g_strdup ("true or false");
    case SENXOR_CONTROL_ENUM:
      s = g_string_new ("one of ");
      for (guint i = 0; i < control->n_values; i++)
        g_string_append_printf (s, "%s%s", i == 0 ? "" :
            i + 1 == control->n_values ? " or " : ", ", control->values[i].nick);
      return g_string_free (s, FALSE);
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      break;
  }
  lo = format_number (control->min, control_decimals (control));
  hi = format_number (control->max, control_decimals (control));
  return g_strdup_printf ("%s from %s to %s%s%s",
      control->type == SENXOR_CONTROL_INTEGER ? "a whole number" :
      is_fraction (control) ? "a fraction" : "a number", lo, hi,
      *control->unit ? " " : "", control->unit);
}

/* "emissivity is a fraction from 0.01 to 1.00, not '95'" */
static void
set_range_error (const SenxorControlInfo *control, const char *shown, GError **error)
{
  g_autofree char *range = describe_range (control);

  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
      "%s is %s, not %s", control->name, range, shown);
}

gboolean
senxor_control_check (const SenxorControlInfo *control, gdouble value,
    GError **error)
{
  gboolean ok;

  g_return_val_if_fail (control != NULL, FALSE);
  switch (control->type) {
    case SENXOR_CONTROL_ENUM:
      ok = value == floor (value) && fabs (value) < G_MAXINT &&
          senxor_control_enum_value (control, (gint) value) != NULL;
      break;
    case SENXOR_CONTROL_BOOLEAN:
    case SENXOR_CONTROL_INTEGER:
      ok = value == floor (value) && value >= control->min && value <= control->max;
      break;
    case SENXOR_CONTROL_DOUBLE:
    default:
      ok = isfinite (value) && value >= control->min && value <= control->max;
      break;
  }
  if (!ok) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    set_range_error (control, g_ascii_formatd (buf, sizeof buf, "%g", value),
        error);
  }
  return ok;
}

/* A whole string that is a finite decimal number, in the C locale. */
static gboolean
parse_decimal (const char *str, gdouble *value)
{
  char *end = NULL;

  if (*str == '\0' || strspn (str, "0123456789+-.eE") != strlen (str))
    return FALSE;
  *value = g_ascii_strtod (str, &end);
  return end != str && *end == '\0' && isfinite (*value);
}

gboolean
senxor_control_parse (const SenxorControlInfo *control, const char *str,
    gdouble *value, GError **error)
{
  static const char *const on[] = { "true", "on", "yes", "1" };
  static const char *const off[] = { "false", "off", "no", "0" };
  gdouble v = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (control != NULL && str != NULL && value != NULL, FALSE);
  switch (control->type) {
    case SENXOR_CONTROL_BOOLEAN:
      for (guint i = 0; i < G_N_ELEMENTS (on); i++) {
        if (g_ascii_strcasecmp (str, on[i]) == 0) {
          v = 1;
          ok = TRUE;
        } else if (g_ascii_strcasecmp (str, off[i]) == 0) {
          v = 0;
          ok = TRUE;
        }
      }
      break;
    case SENXOR_CONTROL_ENUM:
      /* nicks first: "0.5" is a gain, not the number 0.5 */
      for (guint i = 0; i < control->n_values && !ok; i++) {
        if (g_ascii_strcasecmp (str, control->values[i].nick) == 0) {
          v = control->values[i].value;
          ok = TRUE;
        }
      }
      if (!ok)
        ok = parse_decimal (str, &v) && v == floor (v) &&
            fabs (v) < G_MAXINT && senxor_control_enum_value (control, (gint) v);
      break;
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      ok = parse_decimal (str, &v) && senxor_control_check (control, v, NULL);
      if (!ok && is_fraction (control) && parse_decimal (str, &v) &&
          v > control->max && v <= 100.0 * control->max) {
        /* a percentage (the register's unit, and the vendor's tools') */
        g_autofree char *range = describe_range (control);
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
            "%s is %s; did you mean %s?", control->name, range,
            g_ascii_formatd (buf, sizeof buf, v == floor (v) ? "%.2f" : "%g",
                v / 100.0));
        return FALSE;
      }
      break;
  }
  if (!ok) {
    g_autofree char *shown = g_strescape (str, NULL);
    g_autofree char *quoted = g_strdup_printf ("'%.40s'", shown);

    set_range_error (control, quoted, error);
    return FALSE;
  }
  *value = v;
  return TRUE;
}

char *
senxor_control_format (const SenxorControlInfo *control, gdouble value)
{
  const SenxorControlEnumValue *ev;

  g_return_val_if_fail (control != NULL, NULL);
  switch (control->type) {
    case SENXOR_CONTROL_BOOLEAN:
      return g_strdup (value != 0 ? "true" : "false");
    case SENXOR_CONTROL_ENUM:
      ev = senxor_control_enum_value (control, (gint) value);
      if (ev)
        return g_strdup (ev->nick);
      break;
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      break;
  }
  return format_number (value, control_decimals (control));
}

/* The number of value bits under the mask. */
static guint
mask_width (guint8 mask)
{
  return (guint) __builtin_popcount (mask);
}

void
senxor_control_encode (const SenxorControlInfo *control, gdouble value,
    const guint8 *old_raw, guint8 *raw)
{
  const SenxorControlEnumValue *ev;
  glong r = 0, lo, hi;

  switch (control->type) {
    case SENXOR_CONTROL_BOOLEAN:
      r = value != 0 ? control->mask >> control->shift : 0;
      break;
    case SENXOR_CONTROL_ENUM:
      ev = senxor_control_enum_value (control, (gint) value);
      if (!ev)
        ev = senxor_control_enum_value (control, (gint) control->default_value);
      r = ev ? (glong) ev->raw >> control->shift : 0;
      break;
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      /* the nearest step, kept inside the range */
      lo = lround (control->min * control->divisor);
      hi = lround (control->max * control->divisor);
      r = CLAMP (lround (value * control->divisor), lo, hi);
      break;
  }
  if (control->n_registers == 2) {
    raw[0] = (guint8) (r & 0xff);
    raw[1] = (guint8) ((r >> 8) & 0xff);
    return;
  }
  raw[0] = (guint8) (((old_raw ? old_raw[0] : 0) & ~(control->mask | control->clear)) |
      (((gulong) r << control->shift) & control->mask));
}

gdouble
senxor_control_decode (const SenxorControlInfo *control, const guint8 *raw)
{
  const SenxorControlEnumValue *ev;
  glong r;

  if (control->n_registers == 2) {
    r = raw[0] | (raw[1] << 8);
  } else {
    guint width = mask_width (control->mask);

    r = (raw[0] & control->mask) >> control->shift;
    if (control->is_signed && width > 0 && (r & (1L << (width - 1))))
      r -= 1L << width;
  }
  switch (control->type) {
    case SENXOR_CONTROL_BOOLEAN:
      return r != 0;
    case SENXOR_CONTROL_ENUM:
      for (guint i = 0; i < control->n_values; i++) {
        ev = &control->values[i];
        if ((glong) (ev->raw >> control->shift) == r)
          return ev->value;
      }
      return control->default_value;
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      break;
  }
  return r / control->divisor;
}

/* ---- the register cache ---- */

void
senxor_control_registers_clear (SenxorControlRegisters *regs)
{
  memset (regs, 0, sizeof *regs);
}

static gboolean
regs_known (const SenxorControlRegisters *regs, guint8 addr)
{
  return (regs->known[addr / 32] & (1u << (addr % 32))) != 0;
}

static void
regs_store (SenxorControlRegisters *regs, guint8 addr, guint8 value)
{
  regs->value[addr] = value;
  regs->known[addr / 32] |= 1u << (addr % 32);
}

gboolean
senxor_control_registers_get (const SenxorControlRegisters *regs,
    const SenxorControlInfo *control, gdouble *value)
{
  guint8 raw[2] = { 0, 0 };

  g_return_val_if_fail (regs != NULL && control != NULL && value != NULL, FALSE);
  for (guint i = 0; i < control->n_registers; i++) {
    if (!regs_known (regs, control->registers[i]))
      return FALSE;
    raw[i] = regs->value[control->registers[i]];
  }
  *value = senxor_control_decode (control, raw);
  return TRUE;
}

/* ---- on the session ---- */

gboolean
senxor_session_read_controls (SenxorSession *session, SenxorControlRegisters *regs,
    GCancellable *cancellable, GError **error)
{
  SenxorControlRegisters done;

  g_return_val_if_fail (session != NULL && regs != NULL, FALSE);
  /* each register once, however many controls share it */
  senxor_control_registers_clear (&done);
  for (guint i = 0; i < G_N_ELEMENTS (controls); i++) {
    for (guint j = 0; j < controls[i].n_registers; j++) {
      guint8 addr = controls[i].registers[j], v;

      if (regs_known (&done, addr))
        continue;
      if (!senxor_session_read_register (session, addr, &v, cancellable, error))
        return FALSE;
      regs_store (&done, addr, v);
      regs_store (regs, addr, v);
    }
  }
  return TRUE;
}

gboolean
senxor_session_read_control (SenxorSession *session, const SenxorControlInfo *control,
    gdouble *value, GCancellable *cancellable, GError **error)
{
  guint8 raw[2] = { 0, 0 };

  g_return_val_if_fail (session != NULL && control != NULL && value != NULL, FALSE);
  for (guint i = 0; i < control->n_registers; i++)
    if (!senxor_session_read_register (session, control->registers[i], &raw[i],
            cancellable, error))
      return FALSE;
  *value = senxor_control_decode (control, raw);
  return TRUE;
}

gboolean
senxor_session_read_control_int (SenxorSession *session,
    const SenxorControlInfo *control, gint *value, GCancellable *cancellable,
    GError **error)
{
  gdouble v;

  g_return_val_if_fail (value != NULL, FALSE);
  if (!senxor_session_read_control (session, control, &v, cancellable, error))
    return FALSE;
  *value = (gint) lround (v);
  return TRUE;
}

gboolean
senxor_session_write_control (SenxorSession *session, const SenxorControlInfo *control,
    gdouble value, SenxorControlRegisters *regs, GCancellable *cancellable,
    GError **error)
{
  guint8 old[2] = { 0, 0 }, raw[2];

  g_return_val_if_fail (session != NULL && control != NULL, FALSE);
  if (!senxor_control_check (control, value, error))
    return FALSE;
  /* a register shared with other settings: keep their bits */
  if (control->n_registers == 1 && (control->mask | control->clear) != 0xFF) {
    guint8 addr = control->registers[0];

    if (regs && regs_known (regs, addr))
      old[0] = regs->value[addr];
    else if (!senxor_session_read_register (session, addr, &old[0], cancellable,
            error))
      return FALSE;
  }
  senxor_control_encode (control, value, old, raw);
  for (guint i = 0; i < control->n_registers; i++) {
    g_debug ("%s: register 0x%02X <- 0x%02X", control->name,
        control->registers[i], raw[i]);
    if (!senxor_session_write_register (session, control->registers[i], raw[i],
            cancellable, error))
      return FALSE;
    if (regs)
      regs_store (regs, control->registers[i], raw[i]);
  }
  return TRUE;
}
