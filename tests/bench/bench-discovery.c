/* bench-discovery: what one USB scan (senxor_discover_devices) costs against
 * the number of tty devices a machine has.  Fake sysfs trees (as the tests
 * build them, read through SENXOR_SYSFS_ROOT) hold one Senxor camera, ten
 * other USB serial adapters and N virtual ttys; the reference measured in
 * the same run, on the same tree, is the least a walk over every tty costs
 * (list /class/tty and resolve each link), which is what a scan that looks
 * at every tty pays.  Then the machine's own /sys, through udev when
 * libsenxor has it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>
#include <senxor/discovery.h>

#include <glib/gstdio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 200

static void
put (const char *root, const char *dir, const char *name, const char *value)
{
  g_autofree char *path = g_build_filename (root, dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_mkdir_with_parents (parent, 0755) != 0 ||
      !g_file_set_contents (path, value, -1, NULL))
    g_error ("cannot write %s", path);
}

static void
link_to (const char *root, const char *target, const char *link)
{
  g_autofree char *path = g_build_filename (root, link, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  if (g_mkdir_with_parents (parent, 0755) != 0 || symlink (target, path) != 0)
    g_error ("cannot link %s: %s", path, g_strerror (errno));
}

/* A USB device with a CDC ACM port @tty, as the kernel lays it out. */
static void
usb_device (const char *root, const char *sysname, const char *vid, const char *pid,
    const char *tty)
{
  g_autofree char *dev = g_strdup_printf ("devices/pci0000:00/usb1/%s", sysname);
  g_autofree char *if0 = g_strdup_printf ("%s/%s:1.0", dev, sysname);
  g_autofree char *ttydir = g_strdup_printf ("%s/tty/%s", if0, tty);
  g_autofree char *bus = g_strdup_printf ("bus/usb/devices/%s", sysname);
  g_autofree char *bustarget = g_strdup_printf ("../../../%s", dev);
  g_autofree char *cls = g_strdup_printf ("class/tty/%s", tty);
  g_autofree char *clstarget = g_strdup_printf ("../../%s", ttydir);
  g_autofree char *devlink = g_strdup_printf ("%s/device", ttydir);

  put (root, dev, "idVendor", vid);
  put (root, dev, "idProduct", pid);
  put (root, dev, "serial", "SN\n");
  put (root, dev, "busnum", "1\n");
  put (root, dev, "devpath", sysname + 2);
  put (root, if0, "bInterfaceClass", "02\n");
  put (root, ttydir, "dev", "166:0\n");
  link_to (root, bustarget, bus);
  link_to (root, clstarget, cls);
  link_to (root, "../..", devlink);
}

static char *
make_tree (guint n_ttys)
{
  char *root = g_dir_make_tmp ("bench-discovery-XXXXXX", NULL);

  usb_device (root, "1-2", "0416\n", "b002\n", "ttyACM0");
  for (guint i = 0; i < 10; i++) {
    g_autofree char *sysname = g_strdup_printf ("1-%u", 10 + i);
    g_autofree char *tty = g_strdup_printf ("ttyUSB%u", i);
    usb_device (root, sysname, "1a86\n", "7523\n", tty);
  }
  for (guint i = 0; i < n_ttys; i++) {
    g_autofree char *dir = g_strdup_printf ("devices/virtual/tty/tty%u", i);
    g_autofree char *cls = g_strdup_printf ("class/tty/tty%u", i);
    g_autofree char *target = g_strdup_printf ("../../%s", dir);
    put (root, dir, "dev", "4:1\n");
    link_to (root, target, cls);
  }
  return root;
}

/* The reference: every tty listed and its link resolved. */
static guint
walk_every_tty (const char *root)
{
  g_autofree char *classdir = g_build_filename (root, "class", "tty", NULL);
  g_autoptr (GDir) dir = g_dir_open (classdir, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *link = g_build_filename (classdir, name, NULL);
    g_autofree char *real = realpath (link, NULL);
    n += real != NULL;
  }
  return n;
}

static guint
scan (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  guint usb = 0;

  found = senxor_discover_devices (SENXOR_DISCOVER_SERIAL | SENXOR_DISCOVER_USB, &error);
  if (!found)
    g_error ("discovery failed: %s", error->message);
  for (guint i = 0; i < found->len; i++)
    usb += ((SenxorDeviceDescription *) found->pdata[i])->vid != 0;
  return usb;
}

static double
time_scan (guint *found)
{
  gint64 t0;

  scan ();                      /* warm: the tree is in the page cache */
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < ROUNDS; i++)
    *found = scan ();
  return (g_get_monotonic_time () - t0) / (double) ROUNDS;
}

static double
time_every_tty (const char *root, guint *n)
{
  gint64 t0;

  walk_every_tty (root);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < ROUNDS; i++)
    *n = walk_every_tty (root);
  return (g_get_monotonic_time () - t0) / (double) ROUNDS;
}

int
main (void)
{
  const guint sizes[] = { 8, 68, 200, 1000 };
  g_autoptr (GDir) ttys = NULL;
  guint n_machine = 0;
  guint found;
  double us;

  /* nothing configured: only USB is measured */
  g_setenv ("SENXOR_CONFIG", "/dev/null", TRUE);
  g_unsetenv ("SENXOR_TCP_DEVICES");
  g_unsetenv ("SENXOR_EMULATORS");

  printf ("bench-discovery: one USB scan (serial ports + driverless devices), "
      "mean of %u\n\n", ROUNDS);
  printf ("%-10s %-14s %-14s %-18s %s\n", "ttys", "scan (us)", "found",
      "every-tty walk (us)", "scan / walk");
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autofree char *root = make_tree (sizes[i]);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
    guint listed;
    double walk;

    g_setenv ("SENXOR_SYSFS_ROOT", root, TRUE);
    us = time_scan (&found);
    walk = time_every_tty (root, &listed);
    printf ("%-10u %-14.1f %-14u %-18.1f %.2f\n", listed, us, found, walk, us / walk);
    if (found != 1)
      g_error ("expected the one Senxor camera, found %u", found);
    if (system (cmd) != 0)
      g_error ("cannot remove %s", root);
  }

  g_unsetenv ("SENXOR_SYSFS_ROOT");
  ttys = g_dir_open ("/sys/class/tty", 0, NULL);
  while (ttys && g_dir_read_name (ttys))
    n_machine++;
  us = time_scan (&found);
  printf ("\nthis machine's /sys (%u ttys, %s): %.1f us per scan, %u Senxor USB "
      "device(s)\n", n_machine,
#ifdef HAVE_GUDEV
      "through udev",
#else
      "sysfs",
#endif
      us, found);
  return 0;
}
