/* libsenxor: the ways of computing the frame CRC (not installed)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * senxor_crc16_ccitt() (senxor/frame.h) picks the fastest; tests compare
 * them (tests/unit/test-crc16.c compiles src/crc16.c in).
 */
#pragma once

#include "senxor/frame.h"

G_BEGIN_DECLS

/* Continue the CRC @crc over @data, a byte at a time (the reference). */
guint16 _senxor_crc16_bytewise (guint16 crc, const guint8 *data, gsize len);
/* The same, eight bytes at a time (any CPU). */
guint16 _senxor_crc16_slice8 (guint16 crc, const guint8 *data, gsize len);
/* Whether this CPU has the carry-less multiplication path. */
gboolean _senxor_crc16_have_clmul (void);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The CRC of @data from 0xFFFF by carry-less multiplication; @len >= 64
 * and only when _senxor_crc16_have_clmul(). */
guint16 _senxor_crc16_clmul (const guint8 *data, gsize len);
#endif

G_END_DECLS
