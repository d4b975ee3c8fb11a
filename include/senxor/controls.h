/* libsenxor: the camera's controls, named, in user units
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A control is a camera setting in the unit users think in (emissivity
 * 0.95, offset 0.3 K, a 5x5 median filter) over the register bits that hold
 * it.  The table in src/controls.c is the one place a control is defined:
 * senxorsrc makes a property of each, senxor-tool gets and sets them by
 * name.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <senxor/session.h>

G_BEGIN_DECLS

/**
 * SenxorControlType:
 * @SENXOR_CONTROL_BOOLEAN: on (1) or off (0)
 * @SENXOR_CONTROL_INTEGER: a whole number
 * @SENXOR_CONTROL_DOUBLE: a decimal number in steps of the control's scale
 * @SENXOR_CONTROL_ENUM: one of the control's named values
 */
typedef enum {
  SENXOR_CONTROL_BOOLEAN,
  SENXOR_CONTROL_INTEGER,
  SENXOR_CONTROL_DOUBLE,
  SENXOR_CONTROL_ENUM,
} SenxorControlType;

/**
 * SenxorControlEnumValue:
 * @value: the value in user units (what senxor_control_get() returns)
 * @raw: the register bits (under the control's mask, before the shift)
 * @nick: its short name ("auto", "5x5")
 * @description: a few words ("Automatic gain")
 */
typedef struct {
  gint value;
  guint raw;
  const char *nick;
  const char *description;
} SenxorControlEnumValue;

/**
 * SenxorControlInfo:
 * @name: the control's name, as senxorsrc's property ("emissivity")
 * @label: a short title ("Emissivity")
 * @description: one sentence for users
 * @type: the kind of value
 * @registers: the register(s) holding the value, low byte first
 * @n_registers: 1 or 2
 * @mask: the bits of the (single) register the value occupies; 0xFF for
 *   multi-byte values
 * @shift: the lowest bit of @mask
 * @clear: other bits of the register cleared when the control is written
 * @is_signed: the raw value is two's complement (of the mask's width)
 * @divisor: user value = raw value / @divisor (1 for integers and enums);
 *   writing rounds value x @divisor to the nearest integer
 * @unit: the unit of the user value ("K", "" when none)
 * @min: the smallest value accepted
 * @max: the largest value accepted
 * @default_value: the camera's usual value (and senxorsrc's default)
 * @values: the named values of an enum control, else %NULL
 * @n_values: their count
 *
 * A boolean is on when any bit of @mask is set and writes all of them.  An
 * enum's register bits that match none of @values read as @default_value.
 */
typedef struct {
  const char *name;
  const char *label;
  const char *description;
  SenxorControlType type;
  guint8 registers[2];
  guint n_registers;
  guint8 mask;
  guint8 shift;
  guint8 clear;
  gboolean is_signed;
  gdouble divisor;
  const char *unit;
  gdouble min;
  gdouble max;
  gdouble default_value;
  const SenxorControlEnumValue *values;
  guint n_values;
} SenxorControlInfo;

/**
 * SenxorControlRegisters:
 * @value: the last known value of each register, by address
 * @known: a bit per address: set when @value holds it
 *
 * The camera's control registers as last read or written: lets all
 * controls be decoded from one read of each register, and read-modify-writes
 * of shared registers go without a read.  Zero it (or call
 * senxor_control_registers_clear()) before first use.
 */
typedef struct {
  guint8 value[256];
  guint32 known[8];
} SenxorControlRegisters;

/* All controls, in a stable order; @n_out receives the count. */
const SenxorControlInfo *senxor_controls (guint *n_out);
/* By name, case-insensitive; NULL when there is no such control. */
const SenxorControlInfo *senxor_control_lookup (const char *name);
/* As senxor_control_lookup(), with an INVALID_ARGUMENT error listing the
 * controls when there is none. */
const SenxorControlInfo *senxor_control_find (const char *name, GError **error);

/* Checks @value against the control's range (and kind: whole numbers,
 * enum values): INVALID_ARGUMENT naming the control and its range. */
gboolean senxor_control_check (const SenxorControlInfo *control, gdouble value,
    GError **error);
/* Parses a value as typed by a user: a number in user units, "true"/"false"
 * ("on"/"off", "yes"/"no") for booleans, a nick or number for enums; then
 * senxor_control_check(). */
gboolean senxor_control_parse (const SenxorControlInfo *control, const char *str,
    gdouble *value, GError **error);
/* A value in user units as users type it back ("0.95", "true", "5x5"). */
char *senxor_control_format (const SenxorControlInfo *control, gdouble value);
/* The enum value with @value, or NULL. */
const SenxorControlEnumValue *senxor_control_enum_value (const SenxorControlInfo *control,
    gint value);

/* The register value(s) that hold @value (in range), the other bits of a
 * shared register taken from @old_raw (the register's current value):
 * raw[i] goes to control->registers[i]. */
void senxor_control_encode (const SenxorControlInfo *control, gdouble value,
    const guint8 *old_raw, guint8 *raw);
/* The user value held in raw[i] (of control->registers[i]). */
gdouble senxor_control_decode (const SenxorControlInfo *control, const guint8 *raw);

void senxor_control_registers_clear (SenxorControlRegisters *regs);
/* The control's value from @regs; FALSE when a register is not known. */
gboolean senxor_control_registers_get (const SenxorControlRegisters *regs,
    const SenxorControlInfo *control, gdouble *value);

/* Reads every control register once into @regs. */
gboolean senxor_session_read_controls (SenxorSession *session,
    SenxorControlRegisters *regs, GCancellable *cancellable, GError **error);
/* Reads one control's register(s) and returns its value in user units. */
gboolean senxor_session_read_control (SenxorSession *session,
    const SenxorControlInfo *control, gdouble *value, GCancellable *cancellable,
    GError **error);
/* As senxor_session_read_control(), rounded to an integer (booleans 0/1,
 * enums their value). */
gboolean senxor_session_read_control_int (SenxorSession *session,
    const SenxorControlInfo *control, gint *value, GCancellable *cancellable,
    GError **error);
/* Checks @value (senxor_control_check()) and writes it.  The bits of a
 * shared register that are not the control's keep their value: from @regs
 * when it knows the register, else read from the device first.  @regs
 * (nullable) is updated with what was written. */
gboolean senxor_session_write_control (SenxorSession *session,
    const SenxorControlInfo *control, gdouble value, SenxorControlRegisters *regs,
    GCancellable *cancellable, GError **error);

G_END_DECLS
