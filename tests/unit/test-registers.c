/* Register map, register name/address parsing and the error domain.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <errno.h>
#include <string.h>

static void
test_register_table (void)
{
  guint n = 0;
  const SenxorRegisterInfo *regs = senxor_registers (&n);
  const SenxorRegisterInfo *r;

  g_assert_nonnull (regs);
  g_assert_cmpuint (n, >=, 38);
  for (guint i = 0; i < n; i++) {
    guint8 parsed = 0;
    g_autoptr (GError) error = NULL;

    g_assert_nonnull (regs[i].name);
    g_assert_nonnull (regs[i].description);
    if (i > 0)
      g_assert_cmpuint (regs[i - 1].address, <, regs[i].address);
    g_assert_true (senxor_register_lookup (regs[i].address) == &regs[i]);
    /* every name parses back to its address */
    g_assert_true (senxor_register_parse (regs[i].name, &parsed, &error));
    g_assert_no_error (error);
    g_assert_cmphex (parsed, ==, regs[i].address);
  }

  r = senxor_register_lookup (SENXOR_REG_FRAME_MODE);
  g_assert_nonnull (r);
  g_assert_cmpstr (r->name, ==, "FRAME_MODE");
  g_assert_true (r->writable);
  r = senxor_register_lookup (SENXOR_REG_SENXOR_TYPE);
  g_assert_cmpstr (r->name, ==, "SENXOR_TYPE");
  g_assert_false (r->writable);
  g_assert_cmpstr (senxor_register_lookup (0x31)->name, ==, "FRAME_FORMAT");
  g_assert_cmpstr (senxor_register_lookup (0xCA)->name, ==, "EMISSIVITY");
  g_assert_false (senxor_register_lookup (0xE6)->writable);
  g_assert_null (senxor_register_lookup (0x02));
  g_assert_null (senxor_register_lookup (0xFF));
}

static void
test_register_parse (void)
{
  static const struct {
    const char *s;
    guint8 address;
  } good[] = {
    {"FRAME_MODE", 0xB1}, {"frame_mode", 0xB1}, {"Frame_Mode", 0xB1},
    {"0xB1", 0xB1}, {"0XB1", 0xB1}, {"B1", 0xB1}, {"b1", 0xB1},
    {"177", 0xB1},      /* three decimal digits cannot be a register in hex */
    {"10", 0x10},       /* two digits: hex */
    {"0x10", 0x10}, {"016", 16}, {"0", 0}, {"0x0", 0}, {"ff", 0xFF}, {"255", 0xFF},
    {"emissivity", 0xCA}, {"SENXOR_ID_0", 0xE0},
  };
  static const char *bad[] = {
    "", "0x", "XYZ", "0x100", "256", "B1 ", " B1", "-1", "+5", "FRAME", "0xB1h",
    "FRAME_MODE_", "1e2", "0x-1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    g_autoptr (GError) error = NULL;
    guint8 a = 0x5A;

    g_test_message ("parse '%s'", good[i].s);
    g_assert_true (senxor_register_parse (good[i].s, &a, &error));
    g_assert_no_error (error);
    g_assert_cmphex (a, ==, good[i].address);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    guint8 a = 0x5A;

    g_test_message ("parse '%s'", bad[i]);
    g_assert_false (senxor_register_parse (bad[i], &a, &error));
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    /* the message names the input so the user sees what was wrong */
    g_assert_nonnull (strstr (error->message, bad[i]));
    g_assert_cmphex (a, ==, 0x5A);
  }
  {
    g_autoptr (GError) error = NULL;
    guint8 a = 0x5A;
    g_assert_false (senxor_register_parse (NULL, &a, &error));
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_error_domain (void)
{
  static const struct {
    int err;
    SenxorError code;
  } t[] = {
    {ENOENT, SENXOR_ERROR_NOT_FOUND}, {ENODEV, SENXOR_ERROR_NOT_FOUND},
    {EBUSY, SENXOR_ERROR_BUSY}, {EACCES, SENXOR_ERROR_PERMISSION},
    {EPERM, SENXOR_ERROR_PERMISSION}, {ETIMEDOUT, SENXOR_ERROR_TIMEOUT},
    {EPIPE, SENXOR_ERROR_DISCONNECTED}, {ECONNRESET, SENXOR_ERROR_DISCONNECTED},
    {EIO, SENXOR_ERROR_DISCONNECTED}, {EINVAL, SENXOR_ERROR_INVALID_ARGUMENT},
    {ECANCELED, SENXOR_ERROR_CANCELLED}, {ENOSPC, SENXOR_ERROR_IO},
  };

  g_assert_cmpstr (g_quark_to_string (SENXOR_ERROR), ==, "senxor-error-quark");
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    g_assert_cmpint (senxor_error_from_errno (t[i].err), ==, t[i].code);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/registers/table", test_register_table);
  g_test_add_func ("/registers/parse", test_register_parse);
  g_test_add_func ("/registers/error-domain", test_error_domain);
  return g_test_run ();
}
