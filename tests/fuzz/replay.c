/* Replay driver: runs every file of the given corpus directories (or files)
 * through a fuzz target once.  Built with any compiler, so the seed corpora
 * (and any crash reproducer added to them) are exercised in every build.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>

#include <stdio.h>

#include "fuzz-target.h"

static gboolean
replay_file (const char *path, guint *n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, &error)) {
    fprintf (stderr, "replay: %s\n", error->message);
    return FALSE;
  }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  (*n)++;
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
replay_path (const char *path, guint *n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return replay_file (path, n);
  dir = g_dir_open (path, 0, &error);
  if (!dir) {
    fprintf (stderr, "replay: %s\n", error->message);
    return FALSE;
  }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  /* a stable order, so a failure is reproducible */
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    if (!replay_path (names->pdata[i], n))
      return FALSE;
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
    return 2;
  }
  /* the empty input, always */
  LLVMFuzzerTestOneInput ((const uint8_t *) "", 0);
  for (int i = 1; i < argc; i++)
    if (!replay_path (argv[i], &n))
      return 1;
  if (n == 0) {
    fprintf (stderr, "replay: no corpus files found in the given paths\n");
    return 1;
  }
  printf ("replayed %u inputs\n", n);
  return 0;
}
