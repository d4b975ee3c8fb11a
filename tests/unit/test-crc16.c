/* The frame CRC (CRC-16/CCITT-FALSE): every way of computing it against a
 * bit-at-a-time reference and the standard check value.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "crc16-private.h"

#include <string.h>

/* The definition itself: a bit at a time, MSB first. */
static guint16
crc_bitwise (const guint8 *data, gsize len)
{
  guint16 crc = 0xFFFF;

  for (gsize i = 0; i < len; i++) {
    crc ^= (guint16) (data[i] << 8);
    for (int b = 0; b < 8; b++)
      crc = (crc & 0x8000) ? (guint16) ((crc << 1) ^ 0x1021) : (guint16) (crc << 1);
  }
  return crc;
}

static void
check_all (const guint8 *data, gsize len)
{
  guint16 want = crc_bitwise (data, len);

  g_assert_cmphex (_senxor_crc16_bytewise (0xFFFF, data, len), ==, want);
  g_assert_cmphex (_senxor_crc16_slice8 (0xFFFF, data, len), ==, want);
  g_assert_cmphex (senxor_crc16_ccitt (data, len), ==, want);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (len >= 64 && _senxor_crc16_have_clmul ())
    g_assert_cmphex (_senxor_crc16_clmul (data, len), ==, want);
#endif
}

static void
test_check_value (void)
{
  static const guint8 check[] = "123456789";
  g_autofree guint8 *zeros = g_malloc0 (4096);
  g_autofree guint8 *ones = g_malloc (4096);

  /* the catalogue's check value of CRC-16/CCITT-FALSE (CRC-16/IBM-3740) */
  g_assert_cmphex (senxor_crc16_ccitt (check, 9), ==, 0x29B1);
  g_assert_cmphex (senxor_crc16_ccitt (check, 0), ==, 0xFFFF);
  g_assert_cmphex (senxor_crc16_ccitt (NULL, 0), ==, 0xFFFF);
  memset (ones, 0xFF, 4096);
  check_all (zeros, 4096);
  check_all (ones, 4096);
  check_all (check, 9);
}

static void
test_every_length (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (1021);
  guint8 buf[300 + 16];

  for (gsize i = 0; i < sizeof buf; i++)
    buf[i] = (guint8) g_rand_int (r);
  /* every length up to 300 at every alignment mod 16 */
  for (gsize off = 0; off < 16; off++)
    for (gsize len = 0; len <= 300; len++)
      check_all (buf + off, len);
}

static void
test_large (void)
{
  /* frame sizes (MI08, MI16 pixels, with header) and odd ones, random data */
  static const gsize lens[] = { 9920, 38400, 38400 + 320, 65537, 1 << 20 };
  g_autoptr (GRand) r = g_rand_new_with_seed (0x9B08);

  for (guint i = 0; i < G_N_ELEMENTS (lens); i++) {
    g_autofree guint8 *buf = g_malloc (lens[i] + 3);

    for (gsize j = 0; j < lens[i] + 3; j++)
      buf[j] = (guint8) g_rand_int (r);
    check_all (buf, lens[i]);
    check_all (buf + 3, lens[i]);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_message ("carry-less multiplication path: %s",
      _senxor_crc16_have_clmul () ? "tested" : "not available on this CPU");
  g_test_add_func ("/crc16/check-value", test_check_value);
  g_test_add_func ("/crc16/every-length", test_every_length);
  g_test_add_func ("/crc16/large", test_large);
  return g_test_run ();
}
