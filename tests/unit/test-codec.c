/* Codec tests: golden vectors from PROTOCOL.md and round trips.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <string.h>

static void
test_golden_wreg_ack (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  senxor_encode_wreg_ack (out);
  g_assert_cmpmem (out->data, out->len, "   #0008WREG01FD", 16);
}

static void
test_decode_golden (void)
{
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GError) error = NULL;
  SenxorMessage msg;

  senxor_decoder_feed (dec, (const guint8 *) "   #0008WREG01FD", 16);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_MESSAGE);
  g_assert_no_error (error);
  g_assert_cmpint (msg.kind, ==, SENXOR_MSG_WREG);
  g_assert_false (msg.from_host);
  g_assert_cmpint (senxor_decoder_next (dec, &msg, &error), ==, SENXOR_DECODE_NEED_MORE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/codec/golden/wreg-ack", test_golden_wreg_ack);
  g_test_add_func ("/codec/golden/decode", test_decode_golden);
  return g_test_run ();
}
