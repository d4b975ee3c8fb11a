/* The named camera controls (senxor/controls.h) on an emulated camera:
 * every control written and read back in user units and in the register
 * bits, range errors, rounding, the bits of shared registers kept, one read
 * per register for all controls.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>
#include <senxor/emulator.h>

#include <math.h>
#include <string.h>

typedef struct {
  SenxorEmulator *emu;
  SenxorSession *s;
} Fixture;

static void
fixture_open (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->emu = senxor_emulator_new ("module=mi08&fast=1", &error);
  g_assert_no_error (error);
  f->s = senxor_session_open_transport (senxor_emulator_transport_new (f->emu), NULL,
      &error);
  g_assert_no_error (error);
}

static void
fixture_clear (Fixture *f)
{
  g_clear_pointer (&f->s, senxor_session_close);
  g_clear_pointer (&f->emu, senxor_emulator_unref);
}

/* The register at @addr, as the emulated camera holds it. */
static guint
reg (Fixture *f, guint8 addr)
{
  return senxor_emulator_get_register (f->emu, addr);
}

static const SenxorControlInfo *
control (const char *name)
{
  const SenxorControlInfo *c = senxor_control_lookup (name);

  g_assert_nonnull (c);
  return c;
}

static void
write_ok (Fixture *f, const char *name, gdouble value)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (senxor_session_write_control (f->s, control (name), value, NULL, NULL,
          &error));
  g_assert_no_error (error);
}

static gdouble
read_ok (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  gdouble v = -1000;

  g_assert_true (senxor_session_read_control (f->s, control (name), &v, NULL, &error));
  g_assert_no_error (error);
  return v;
}

static void
test_table (void)
{
  guint n, i, j;
  const SenxorControlInfo *all = senxor_controls (&n);
  static const char *const names[] = {
    "emissivity", "offset-correction", "sensitivity-factor", "gain",
    "temporal-filter", "temporal-filter-strength", "median-filter", "stark", "mms",
  };

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));
  for (i = 0; i < n; i++) {
    g_assert_cmpstr (all[i].name, ==, names[i]);
    g_assert_true (senxor_control_lookup (names[i]) == &all[i]);
    g_assert_nonnull (all[i].label);
    g_assert_true (g_str_has_suffix (all[i].description, "."));
    g_assert_cmpfloat (all[i].min, <=, all[i].default_value);
    g_assert_cmpfloat (all[i].default_value, <=, all[i].max);
    g_assert_true (all[i].n_registers == 1 || all[i].n_registers == 2);
    for (j = 0; j < all[i].n_registers; j++) {
      const SenxorRegisterInfo *ri = senxor_register_lookup (all[i].registers[j]);

      g_assert_nonnull (ri);
      g_assert_true (ri->writable);
    }
    for (j = 0; j < all[i].n_values; j++)
      g_assert_true (senxor_control_enum_value (&all[i], all[i].values[j].value) ==
          &all[i].values[j]);
  }
  g_assert_true (senxor_control_lookup ("Emissivity") == &all[0]);
  g_assert_null (senxor_control_lookup ("EMISSIVITY_X"));
}

static void
test_find_unknown (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (senxor_control_find ("brightness", &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "'brightness'"));
  g_assert_nonnull (strstr (error->message, "emissivity"));
  g_assert_nonnull (strstr (error->message, "mms"));
}

/* Each control: values written land in the documented register bits and
 * read back in user units. */
static void
test_write_read_each (void)
{
  Fixture f = { 0 };

  fixture_open (&f);

  write_ok (&f, "emissivity", 0.5);
  g_assert_cmpuint (reg (&f, SENXOR_REG_EMISSIVITY), ==, 50);
  g_assert_cmpfloat (read_ok (&f, "emissivity"), ==, 0.5);

  write_ok (&f, "offset-correction", -1.5);
  g_assert_cmpuint (reg (&f, SENXOR_REG_OFFSET_CORR), ==,
      (guint8) (gint8) -15);
  g_assert_cmpfloat (read_ok (&f, "offset-correction"), ==, -1.5);
  write_ok (&f, "offset-correction", 12.7);
  g_assert_cmpuint (reg (&f, SENXOR_REG_OFFSET_CORR), ==, 127);
  write_ok (&f, "offset-correction", -12.8);
  g_assert_cmpuint (reg (&f, SENXOR_REG_OFFSET_CORR), ==, 0x80);
  g_assert_cmpfloat (read_ok (&f, "offset-correction"), ==, -12.8);

  write_ok (&f, "sensitivity-factor", 90);
  g_assert_cmpuint (reg (&f, SENXOR_REG_SENSITIVITY_FACTOR),
      ==, 90);
  g_assert_cmpfloat (read_ok (&f, "sensitivity-factor"), ==, 90);

  write_ok (&f, "temporal-filter-strength", 0x1234);
  g_assert_cmpuint (reg (&f, SENXOR_REG_FILTER_SETTING_1),
      ==, 0x34);
  g_assert_cmpuint (reg (&f, SENXOR_REG_FILTER_SETTING_2),
      ==, 0x12);
  g_assert_cmpfloat (read_ok (&f, "temporal-filter-strength"), ==, 0x1234);

  write_ok (&f, "median-filter", 2);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MEDIAN_CTRL) & 3,
      ==, 3);
  g_assert_cmpfloat (read_ok (&f, "median-filter"), ==, 2);
  write_ok (&f, "median-filter", 1);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MEDIAN_CTRL) & 3,
      ==, 1);
  g_assert_cmpfloat (read_ok (&f, "median-filter"), ==, 1);
  write_ok (&f, "median-filter", 0);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MEDIAN_CTRL) & 3,
      ==, 0);

  write_ok (&f, "stark", 1);
  g_assert_cmpuint (reg (&f, SENXOR_REG_STARK_CTRL) & 1, ==, 1);
  g_assert_cmpfloat (read_ok (&f, "stark"), ==, 1);
  write_ok (&f, "stark", 0);
  g_assert_cmpfloat (read_ok (&f, "stark"), ==, 0);

  write_ok (&f, "mms", 1);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MMS_CTRL) & 3, ==, 3);
  g_assert_cmpfloat (read_ok (&f, "mms"), ==, 1);
  /* either bit on counts as on */
  senxor_emulator_set_register (f.emu, SENXOR_REG_MMS_CTRL, SENXOR_MMS_RA);
  g_assert_cmpfloat (read_ok (&f, "mms"), ==, 1);
  write_ok (&f, "mms", 0);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MMS_CTRL) & 3, ==, 0);

  fixture_clear (&f);
}

/* Controls sharing a register with other bits leave those bits alone (and
 * temporal-filter clears the filter's init bit). */
static void
test_shared_bits (void)
{
  Fixture f = { 0 };
  gint v = -1;
  g_autoptr (GError) error = NULL;

  fixture_open (&f);
  senxor_emulator_set_register (f.emu, SENXOR_REG_SENXOR_GAIN, 0xA0);
  write_ok (&f, "gain", 3);
  g_assert_cmpuint (reg (&f, SENXOR_REG_SENXOR_GAIN), ==, 0xA3);
  g_assert_true (senxor_session_read_control_int (f.s, control ("gain"), &v, NULL,
          &error));
  g_assert_cmpint (v, ==, 3);

  senxor_emulator_set_register (f.emu, SENXOR_REG_STARK_CTRL, 0x1A);
  write_ok (&f, "stark", 1);
  g_assert_cmpuint (reg (&f, SENXOR_REG_STARK_CTRL), ==, 0x1B);

  senxor_emulator_set_register (f.emu, SENXOR_REG_FILTER_CONTROL, 0xF2);
  write_ok (&f, "temporal-filter", 1);
  g_assert_cmpuint (reg (&f, SENXOR_REG_FILTER_CONTROL), ==,
      0xF1);
  g_assert_cmpfloat (read_ok (&f, "temporal-filter"), ==, 1);

  senxor_emulator_set_register (f.emu, SENXOR_REG_MEDIAN_CTRL, 0x80);
  write_ok (&f, "median-filter", 2);
  g_assert_cmpuint (reg (&f, SENXOR_REG_MEDIAN_CTRL), ==, 0x83);
  fixture_clear (&f);
}

/* Register bits no enum value names read as the default. */
static void
test_unknown_enum_bits (void)
{
  Fixture f = { 0 };

  fixture_open (&f);
  senxor_emulator_set_register (f.emu, SENXOR_REG_SENXOR_GAIN, 4);
  g_assert_cmpfloat (read_ok (&f, "gain"), ==, 0);
  senxor_emulator_set_register (f.emu, SENXOR_REG_MEDIAN_CTRL, SENXOR_MEDIAN_KERNEL_5);
  g_assert_cmpfloat (read_ok (&f, "median-filter"), ==, 0);
  fixture_clear (&f);
}

/* Writing rounds to the register's step, as senxorsrc always did. */
static void
test_rounding (void)
{
  Fixture f = { 0 };

  fixture_open (&f);
  write_ok (&f, "emissivity", 0.955);
  g_assert_cmpuint (reg (&f, SENXOR_REG_EMISSIVITY), ==,
      (guint) lround (0.955 * 100.0));
  write_ok (&f, "emissivity", 0.014);
  g_assert_cmpuint (reg (&f, SENXOR_REG_EMISSIVITY), ==, 1);
  write_ok (&f, "emissivity", 0.996);
  g_assert_cmpuint (reg (&f, SENXOR_REG_EMISSIVITY), ==, 100);
  write_ok (&f, "offset-correction", 0.26);
  g_assert_cmpuint (reg (&f, SENXOR_REG_OFFSET_CORR), ==, 3);
  write_ok (&f, "offset-correction", -0.25);
  g_assert_cmpuint (reg (&f, SENXOR_REG_OFFSET_CORR), ==,
      (guint8) (gint8) lround (-2.5));
  g_assert_cmpfloat (read_ok (&f, "offset-correction"), ==, lround (-2.5) / 10.0);
  fixture_clear (&f);
}

/* Out of range, not whole, not a value: refused before anything is
 * written, naming the control and the range. */
static void
test_range_errors (void)
{
  static const struct {
    const char *name;
    gdouble value;
    const char *range;
  } cases[] = {
    {"emissivity", 0.0, "from 0.01 to 1.00"},
    {"emissivity", 95, "from 0.01 to 1.00"},
    {"offset-correction", 12.8, "from -12.8 to 12.7 K"},
    {"offset-correction", -13, "from -12.8 to 12.7 K"},
    {"sensitivity-factor", 256, "from 0 to 255"},
    {"sensitivity-factor", 1.5, "from 0 to 255"},
    {"temporal-filter-strength", 65536, "from 0 to 65535"},
    {"temporal-filter-strength", -1, "from 0 to 65535"},
    {"gain", 4, "1, auto, 0.25 or 0.5"},
    {"median-filter", -1, "off, 3x3 or 5x5"},
    {"stark", 2, "true or false"},
    {"mms", NAN, "true or false"},
  };
  Fixture f = { 0 };
  SenxorEmulatorStats before, after;

  fixture_open (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;

    senxor_emulator_get_stats (f.emu, &before);
    g_assert_false (senxor_session_write_control (f.s, control (cases[i].name),
            cases[i].value, NULL, NULL, &error));
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, cases[i].name));
    g_assert_nonnull (strstr (error->message, cases[i].range));
    senxor_emulator_get_stats (f.emu, &after);
    g_assert_cmpuint (after.commands, ==, before.commands);
  }
  fixture_clear (&f);
}

static void
test_parse_format (void)
{
  static const struct {
    const char *name, *text;
    gdouble value;
    const char *shown;
  } good[] = {
    {"emissivity", "0.9", 0.9, "0.90"},
    {"emissivity", "1", 1.0, "1.00"},
    {"offset-correction", "-1.5", -1.5, "-1.5"},
    {"sensitivity-factor", "90", 90, "90"},
    {"gain", "auto", 1, "auto"},
    {"gain", "0.5", 3, "0.5"},
    {"gain", "2", 2, "0.25"},
    {"median-filter", "5X5", 2, "5x5"},
    {"stark", "on", 1, "true"},
    {"mms", "false", 0, "false"},
    {"temporal-filter", "1", 1, "true"},
  };
  static const struct {
    const char *name, *text;
  } bad[] = {
    {"emissivity", "95"}, {"emissivity", "0x5F"}, {"emissivity", ""},
    {"emissivity", "nan"}, {"sensitivity-factor", "1.5"}, {"gain", "2.0x"},
    {"median-filter", "7x7"}, {"stark", "maybe"}, {"offset-correction", "1e9"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *shown = NULL;
    gdouble v = -1000;

    g_assert_true (senxor_control_parse (control (good[i].name), good[i].text, &v,
            &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (v, ==, good[i].value);
    shown = senxor_control_format (control (good[i].name), v);
    g_assert_cmpstr (shown, ==, good[i].shown);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    gdouble v = -1000;

    g_assert_false (senxor_control_parse (control (bad[i].name), bad[i].text, &v,
            &error));
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, bad[i].name));
    g_assert_cmpfloat (v, ==, -1000);
  }
}

/* All controls from one read of each register; a cached read-modify-write
 * needs no read. */
static void
test_read_all (void)
{
  Fixture f = { 0 };
  SenxorControlRegisters regs;
  SenxorEmulatorStats before, after;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) addrs = g_hash_table_new (NULL, NULL);
  const SenxorControlInfo *all;
  guint n;

  fixture_open (&f);
  all = senxor_controls (&n);
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < all[i].n_registers; j++)
      g_hash_table_add (addrs, GUINT_TO_POINTER (all[i].registers[j]));
  write_ok (&f, "emissivity", 0.7);
  write_ok (&f, "median-filter", 2);
  write_ok (&f, "temporal-filter-strength", 300);

  senxor_control_registers_clear (&regs);
  senxor_emulator_get_stats (f.emu, &before);
  g_assert_true (senxor_session_read_controls (f.s, &regs, NULL, &error));
  g_assert_no_error (error);
  senxor_emulator_get_stats (f.emu, &after);
  g_assert_cmpuint (after.commands - before.commands, ==, g_hash_table_size (addrs));

  for (guint i = 0; i < n; i++) {
    gdouble cached, direct;

    g_assert_true (senxor_control_registers_get (&regs, &all[i], &cached));
    direct = read_ok (&f, all[i].name);
    g_assert_cmpfloat (cached, ==, direct);
  }
  {
    gdouble v;

    g_assert_true (senxor_control_registers_get (&regs, control ("emissivity"), &v));
    g_assert_cmpfloat (v, ==, 0.7);
    g_assert_true (senxor_control_registers_get (&regs, control ("median-filter"), &v));
    g_assert_cmpfloat (v, ==, 2);
    g_assert_true (senxor_control_registers_get (&regs,
            control ("temporal-filter-strength"), &v));
    g_assert_cmpfloat (v, ==, 300);
  }

  /* the gain's other bits come from the cache: one command, a write */
  senxor_emulator_get_stats (f.emu, &before);
  g_assert_true (senxor_session_write_control (f.s, control ("gain"), 2, &regs, NULL,
          &error));
  senxor_emulator_get_stats (f.emu, &after);
  g_assert_cmpuint (after.commands - before.commands, ==, 1);
  /* without a cache it is read first */
  senxor_emulator_get_stats (f.emu, &before);
  write_ok (&f, "gain", 1);
  senxor_emulator_get_stats (f.emu, &after);
  g_assert_cmpuint (after.commands - before.commands, ==, 2);

  senxor_control_registers_clear (&regs);
  {
    gdouble v;

    g_assert_false (senxor_control_registers_get (&regs, control ("gain"), &v));
  }
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/controls/table", test_table);
  g_test_add_func ("/controls/find-unknown", test_find_unknown);
  g_test_add_func ("/controls/write-read-each", test_write_read_each);
  g_test_add_func ("/controls/shared-bits", test_shared_bits);
  g_test_add_func ("/controls/unknown-enum-bits", test_unknown_enum_bits);
  g_test_add_func ("/controls/rounding", test_rounding);
  g_test_add_func ("/controls/range-errors", test_range_errors);
  g_test_add_func ("/controls/parse-format", test_parse_format);
  g_test_add_func ("/controls/read-all", test_read_all);
  return g_test_run ();
}
