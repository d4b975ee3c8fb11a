/* The plugin loads and carries its metadata.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>

GST_START_TEST (test_plugin_loads)
{
  GstPlugin *plugin = gst_registry_find_plugin (gst_registry_get (), "senxor");

  fail_unless (plugin != NULL, "the senxor plugin was not found in the registry");
  fail_unless_equals_string (gst_plugin_get_source (plugin), "senxor-gst");
  gst_object_unref (plugin);
}
GST_END_TEST;

static Suite *
plugin_suite (void)
{
  Suite *s = suite_create ("senxor-plugin");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_plugin_loads);
  return s;
}

GST_CHECK_MAIN (plugin);
