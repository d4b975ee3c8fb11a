/* Frame layout and unit tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>

static void
test_layouts (void)
{
  SenxorFrameLayout l;

  g_assert_true (senxor_frame_layout_for_module (SENXOR_MODULE_MI08, TRUE, &l));
  g_assert_cmpuint (l.contents_len + 8, ==, 0x2808);
  g_assert_true (senxor_frame_layout_for_module (SENXOR_MODULE_MI16, TRUE, &l));
  g_assert_cmpuint (l.contents_len + 8, ==, 0x9B08);
  g_assert_true (senxor_frame_layout_from_contents_len (5100, &l));
  g_assert_cmpint (l.module, ==, SENXOR_MODULE_MI05);
  g_assert_false (l.has_header);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/frame/layouts", test_layouts);
  return g_test_run ();
}
