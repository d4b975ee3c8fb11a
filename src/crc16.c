/* libsenxor: CRC-16/CCITT-FALSE, fast
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The frame header's CRC (poly 0x1021, init 0xFFFF, not reflected, no final
 * xor) over a frame's pixels: 38,400 bytes for an MI16 frame, which the
 * emulator computes for every frame it makes.  Three ways, same result:
 *
 * - the classic table, a byte at a time (the reference);
 * - slicing by 8: eight tables, eight bytes per step (any CPU);
 * - carry-less multiplication (x86-64 with PCLMULQDQ): the message is folded
 *   16 bytes at a time into 128-bit remainders, four of them side by side,
 *   with the constants x^N mod P; the last 128 bits and the tail go through
 *   the table.  See Intel's "Fast CRC Computation for Generic Polynomials
 *   Using PCLMULQDQ" for the idea; the constants are computed below, not
 *   copied.
 *
 * In the non-reflected bit order the polynomial of the message has the first
 * byte's most significant bit as its highest coefficient, so a 16-byte block
 * loaded big-endian is a polynomial of degree < 128 whose coefficient of x^k
 * is bit k: exactly what PCLMULQDQ multiplies.
 */
#include "config.h"
#include "crc16-private.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_CLMUL_PATH 1
#include <immintrin.h>
#endif

#define POLY 0x1021

static guint16 tables[8][256];

static void
init_tables (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  for (guint i = 0; i < 256; i++) {
    guint16 c = (guint16) (i << 8);
    for (int b = 0; b < 8; b++)
      c = (c & 0x8000) ? (guint16) ((c << 1) ^ POLY) : (guint16) (c << 1);
    tables[0][i] = c;
  }
  /* tables[k][b]: the contribution of byte b followed by k zero bytes */
  for (guint k = 1; k < 8; k++)
    for (guint i = 0; i < 256; i++) {
      guint16 prev = tables[k - 1][i];
      tables[k][i] = (guint16) ((prev << 8) ^ tables[0][prev >> 8]);
    }
  g_once_init_leave (&done, 1);
}

guint16
_senxor_crc16_bytewise (guint16 crc, const guint8 *data, gsize len)
{
  init_tables ();
  for (gsize i = 0; i < len; i++)
    crc = (guint16) ((crc << 8) ^ tables[0][((crc >> 8) ^ data[i]) & 0xFF]);
  return crc;
}

guint16
_senxor_crc16_slice8 (guint16 crc, const guint8 *data, gsize len)
{
  init_tables ();
  while (len >= 8) {
    guint8 d0 = data[0] ^ (guint8) (crc >> 8), d1 = data[1] ^ (guint8) crc;

    crc = (guint16) (tables[7][d0] ^ tables[6][d1] ^ tables[5][data[2]] ^
        tables[4][data[3]] ^ tables[3][data[4]] ^ tables[2][data[5]] ^
        tables[1][data[6]] ^ tables[0][data[7]]);
    data += 8;
    len -= 8;
  }
  return _senxor_crc16_bytewise (crc, data, len);
}

#ifdef HAVE_CLMUL_PATH

/* x^n mod P, P = x^16 + 0x1021 */
static guint64
xpow_mod (guint n)
{
  guint32 r = 1;

  for (guint i = 0; i < n; i++) {
    r <<= 1;
    if (r & 0x10000)
      r ^= 0x10000 | POLY;
  }
  return r;
}

/* The constants of a fold by @bits bits: x^(bits+64) mod P in the high
 * half (it multiplies the high 64 bits of a remainder), x^bits mod P in the
 * low half. */
static __m128i
fold_constants (guint bits)
{
  return _mm_set_epi64x ((long long) xpow_mod (bits + 64),
      (long long) xpow_mod (bits));
}

__attribute__ ((target ("pclmul,ssse3")))
static inline __m128i
fold (__m128i acc, __m128i k, __m128i next)
{
  __m128i hi = _mm_clmulepi64_si128 (acc, k, 0x11);
  __m128i lo = _mm_clmulepi64_si128 (acc, k, 0x00);

  return _mm_xor_si128 (_mm_xor_si128 (hi, lo), next);
}

__attribute__ ((target ("pclmul,ssse3")))
static inline __m128i
load_be (const guint8 *p, __m128i swap)
{
  return _mm_shuffle_epi8 (_mm_loadu_si128 ((const __m128i *) p), swap);
}

/* The CRC of @data (@len >= 64) from the initial value 0xFFFF. */
__attribute__ ((target ("pclmul,ssse3")))
guint16
_senxor_crc16_clmul (const guint8 *data, gsize len)
{
  static __m128i k512, k128;
  static gsize init = 0;
  const __m128i swap = _mm_set_epi8 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
      12, 13, 14, 15);
  __m128i a0, a1, a2, a3, acc;
  guint8 last[16];

  g_return_val_if_fail (len >= 64, 0);
  if (g_once_init_enter (&init)) {
    k512 = fold_constants (512);
    k128 = fold_constants (128);
    g_once_init_leave (&init, 1);
  }

  /* the initial value 0xFFFF is the same as inverting the first 16 bits */
  a0 = _mm_xor_si128 (load_be (data, swap),
      _mm_set_epi64x ((long long) 0xFFFF000000000000ull, 0));
  a1 = load_be (data + 16, swap);
  a2 = load_be (data + 32, swap);
  a3 = load_be (data + 48, swap);
  data += 64;
  len -= 64;
  while (len >= 64) {
    a0 = fold (a0, k512, load_be (data, swap));
    a1 = fold (a1, k512, load_be (data + 16, swap));
    a2 = fold (a2, k512, load_be (data + 32, swap));
    a3 = fold (a3, k512, load_be (data + 48, swap));
    data += 64;
    len -= 64;
  }
  acc = fold (fold (fold (a0, k128, a1), k128, a2), k128, a3);
  while (len >= 16) {
    acc = fold (acc, k128, load_be (data, swap));
    data += 16;
    len -= 16;
  }
  /* what is left, a remainder of 128 bits and up to 15 bytes, through the
   * table from 0: the remainder stands for everything before it */
  _mm_storeu_si128 ((__m128i *) last, _mm_shuffle_epi8 (acc, swap));
  return _senxor_crc16_bytewise (_senxor_crc16_bytewise (0, last, 16), data, len);
}

static gboolean
have_clmul (void)
{
  static gsize checked = 0;
  static gboolean have;

  if (g_once_init_enter (&checked)) {
    __builtin_cpu_init ();
    have = __builtin_cpu_supports ("pclmul") && __builtin_cpu_supports ("ssse3");
    g_once_init_leave (&checked, 1);
  }
  return have;
}

gboolean
_senxor_crc16_have_clmul (void)
{
  return have_clmul ();
}

#else

gboolean
_senxor_crc16_have_clmul (void)
{
  return FALSE;
}

#endif

guint16
senxor_crc16_ccitt (const guint8 *data, gsize len)
{
#ifdef HAVE_CLMUL_PATH
  if (len >= 64 && have_clmul ())
    return _senxor_crc16_clmul (data, len);
#endif
  return _senxor_crc16_slice8 (0xFFFF, data, len);
}
