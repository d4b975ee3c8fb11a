/* Discovery tests: a sysfs tree built in a temporary directory
 * (SENXOR_SYSFS_ROOT), the configuration (environment and file), probing and
 * selection by serial number.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "fake-device.h"

#include <senxor/emulator.h>

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static char *root;

static void
put (const char *dir, const char *name, const char *value)
{
  g_autofree char *path = g_build_filename (root, dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, value, -1, NULL));
}

static void
link_to (const char *target, const char *link)
{
  g_autofree char *path = g_build_filename (root, link, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_no_errno (symlink (target, path));
}

/* A USB device at @sysname ("1-2") with a CDC pair of interfaces; @tty names
 * the port cdc_acm made, or NULL when no driver is bound. */
static void
make_usb (const char *sysname, const char *vid, const char *pid, const char *serial,
    const char *busnum, const char *devpath, const char *tty)
{
  g_autofree char *dev = g_strdup_printf ("devices/pci0000:00/usb1/%s", sysname);
  g_autofree char *if0 = g_strdup_printf ("%s/%s:1.0", dev, sysname);
  g_autofree char *if1 = g_strdup_printf ("%s/%s:1.1", dev, sysname);
  g_autofree char *buslink = g_strdup_printf ("bus/usb/devices/%s", sysname);
  g_autofree char *bustarget = g_strdup_printf ("../../../%s", dev);

  put (dev, "idVendor", vid);
  put (dev, "idProduct", pid);
  if (serial)
    put (dev, "serial", serial);
  put (dev, "busnum", busnum);
  put (dev, "devpath", devpath);
  put (if0, "bInterfaceClass", "02\n");
  put (if1, "bInterfaceClass", "0a\n");
  link_to (bustarget, buslink);
  if (tty) {
    g_autofree char *ttydir = g_strdup_printf ("%s/tty/%s", if0, tty);
    g_autofree char *classlink = g_strdup_printf ("class/tty/%s", tty);
    g_autofree char *classtarget = g_strdup_printf ("../../%s", ttydir);
    g_autofree char *devlink = g_strdup_printf ("%s/device", ttydir);
    g_autofree char *drv0 = g_strdup_printf ("%s/driver", if0);
    g_autofree char *drv1 = g_strdup_printf ("%s/driver", if1);

    put (ttydir, "dev", "166:0\n");
    link_to (classtarget, classlink);
    link_to ("../..", devlink);     /* tty/NAME/device -> the interface */
    put ("bus/usb/drivers/cdc_acm", "bind", "");
    link_to ("../../../../../bus/usb/drivers/cdc_acm", drv0);
    link_to ("../../../../../bus/usb/drivers/cdc_acm", drv1);
  }
}

static void
make_tree (void)
{
  GError *error = NULL;

  root = g_dir_make_tmp ("senxor-sysfs-XXXXXX", &error);
  g_assert_no_error (error);
  make_usb ("1-2", "0416\n", "b002\n", "SN0001\n", "1\n", "2\n", "ttyACM0");
  make_usb ("1-3.1", "0416\n", "b020\n", NULL, "1\n", "3.1\n", NULL);
  make_usb ("2-1", "1a86\n", "7523\n", "X\n", "2\n", "1\n", "ttyUSB0");
  make_usb ("2-4", "0416\n", "9393\n", "XC9\n", "2\n", "4\n", "ttyACM3");
  put ("devices/virtual/tty/ttyS0", "dev", "4:64\n");
  link_to ("../../devices/virtual/tty/ttyS0", "class/tty/ttyS0");
  g_setenv ("SENXOR_SYSFS_ROOT", root, TRUE);
}

static void
clear_config (void)
{
  g_unsetenv ("SENXOR_TCP_DEVICES");
  g_unsetenv ("SENXOR_EMULATORS");
  /* an empty file: the user's real configuration stays out of the tests */
  g_autofree char *empty = g_build_filename (root, "empty.conf", NULL);
  g_file_set_contents (empty, "", 0, NULL);
  g_setenv ("SENXOR_CONFIG", empty, TRUE);
}

static SenxorDeviceDescription *
by_device (GPtrArray *list, const char *device)
{
  for (guint i = 0; i < list->len; i++) {
    SenxorDeviceDescription *d = list->pdata[i];
    if (g_str_equal (d->device, device))
      return d;
  }
  return NULL;
}

static void
test_sysfs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  SenxorDeviceDescription *acm0, *acm3, *usb;

  clear_config ();
  list = senxor_discover_devices (SENXOR_DISCOVER_ALL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++) {
    SenxorDeviceDescription *d = list->pdata[i];
    g_test_message ("%s id=%s name=%s", d->device, d->id, d->display_name);
  }
  g_assert_cmpuint (list->len, ==, 3);

  acm0 = by_device (list, "/dev/ttyACM0");
  g_assert_nonnull (acm0);
  g_assert_cmpint (acm0->kind, ==, SENXOR_DEVICE_SERIAL);
  g_assert_cmphex (acm0->vid, ==, 0x0416);
  g_assert_cmphex (acm0->pid, ==, 0xB002);
  g_assert_cmpstr (acm0->serial, ==, "SN0001");
  g_assert_cmpstr (acm0->id, ==, "SN0001");
  g_assert_cmpstr (acm0->bus_path, ==, "1-2");
  g_assert_true (g_str_has_suffix (acm0->sysfs_path, "/usb1/1-2"));
  g_assert_cmpstr (acm0->display_name, ==, "Senxor EVK (SN0001)");
  g_assert_false (acm0->probed);

  acm3 = by_device (list, "/dev/ttyACM3");
  g_assert_nonnull (acm3);
  g_assert_cmpstr (acm3->display_name, ==, "Senxor XCAM (XC9)");

  /* no driver on the data interface: offered through libusb */
  usb = by_device (list, "usb://1/3.1");
  g_assert_nonnull (usb);
  g_assert_cmpint (usb->kind, ==, SENXOR_DEVICE_USB);
  g_assert_null (usb->serial);
  g_assert_cmpstr (usb->id, ==, "usb-1-3.1");
  g_assert_cmpstr (usb->display_name, ==, "Senxor XPRO");

  /* the order: serial ports, then USB */
  g_assert_true (list->pdata[0] == acm0 && list->pdata[1] == acm3 && list->pdata[2] == usb);

  /* flags select kinds */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = senxor_discover_devices (SENXOR_DISCOVER_USB, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = senxor_discover_devices (SENXOR_DISCOVER_SERIAL, &error);
  g_assert_cmpuint (list->len, ==, 2);
}

static void
test_config (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *conf = g_build_filename (root, "devices.conf", NULL);
  g_auto (GStrv) configured = NULL;
  SenxorDeviceDescription *d;

  clear_config ();
  g_setenv ("SENXOR_TCP_DEVICES",
      "127.0.0.1:4000  tcp://127.0.0.1:4001?serial=182a01001769&name=Lab%20camera", TRUE);
  g_setenv ("SENXOR_EMULATORS", "emulator://e1?module=mi16;?module=mi05", TRUE);
  g_assert_true (g_file_set_contents (conf,
          "# Senxor devices\n\n  tcp://127.0.0.1:4002  \nemulator://fromfile?module=mi08\n"
          "tcp://127.0.0.1:4000\n", -1, NULL));
  g_setenv ("SENXOR_CONFIG", conf, TRUE);

  configured = senxor_discover_get_configured (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (configured), ==, 6);
  g_assert_cmpstr (configured[0], ==, "tcp://127.0.0.1:4000");

  list = senxor_discover_devices (SENXOR_DISCOVER_TCP | SENXOR_DISCOVER_EMULATORS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 6);

  d = by_device (list, "tcp://127.0.0.1:4001?name=Lab%20camera&serial=182a01001769");
  g_assert_nonnull (d);
  g_assert_cmpint (d->kind, ==, SENXOR_DEVICE_TCP);
  g_assert_cmpstr (d->serial, ==, "182A01001769");
  g_assert_cmpstr (d->id, ==, "182A01001769");
  g_assert_cmpstr (d->display_name, ==, "Lab camera");

  d = by_device (list, "tcp://127.0.0.1:4002");
  g_assert_nonnull (d);
  g_assert_cmpstr (d->id, ==, "tcp://127.0.0.1:4002");
  g_assert_cmpstr (d->display_name, ==, "Senxor camera at 127.0.0.1:4002");

  d = by_device (list, "emulator://e1?module=mi16");
  g_assert_nonnull (d);
  g_assert_cmpint (d->kind, ==, SENXOR_DEVICE_EMULATOR);
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI16);
  g_assert_cmpstr (d->display_name, ==, "Senxor emulator 'e1' (MI16)");
  g_assert_nonnull (by_device (list, "emulator://?module=mi05"));
  g_assert_nonnull (by_device (list, "emulator://fromfile?module=mi08"));

  /* emulators only when asked */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = senxor_discover_devices (SENXOR_DISCOVER_TCP, &error);
  g_assert_cmpuint (list->len, ==, 3);

  /* selection by a serial number the configuration knows: nothing opened */
  d = senxor_discover_find_by_serial ("182A01001769", SENXOR_DISCOVER_ALL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_true (g_str_has_prefix (d->device, "tcp://127.0.0.1:4001"));
  g_assert_false (d->probed);
  senxor_device_description_free (d);
  d = senxor_discover_find_by_serial ("sn0001", SENXOR_DISCOVER_SERIAL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->device, ==, "/dev/ttyACM0");
  senxor_device_description_free (d);
}

static void
test_config_errors (void)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *list;
  g_autofree char *conf = g_build_filename (root, "bad.conf", NULL);

  clear_config ();
  g_setenv ("SENXOR_TCP_DEVICES", "tcp://:0", TRUE);
  list = senxor_discover_devices (SENXOR_DISCOVER_ALL, &error);
  g_assert_null (list);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "SENXOR_TCP_DEVICES"));
  g_clear_error (&error);

  clear_config ();
  g_assert_true (g_file_set_contents (conf, "tcp://ok:1\nnot a device://\n", -1, NULL));
  g_setenv ("SENXOR_CONFIG", conf, TRUE);
  list = senxor_discover_devices (SENXOR_DISCOVER_ALL, &error);
  g_assert_null (list);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "bad.conf:2"));
  g_clear_error (&error);

  g_setenv ("SENXOR_CONFIG", "/nonexistent/senxor.conf", TRUE);
  list = senxor_discover_devices (SENXOR_DISCOVER_ALL, &error);
  g_assert_null (list);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "/nonexistent/senxor.conf"));
  clear_config ();
}

static void
test_probe (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FakeDevice) fake = fake_device_new_pty (SENXOR_MODULE_MI16);
  g_autofree char *conf = g_build_filename (root, "probe.conf", NULL);
  g_autofree char *text = g_strdup_printf ("serial://%s\n", fake_device_get_path (fake));
  g_autoptr (SenxorDeviceDescription) d = NULL;
  g_autoptr (SenxorDeviceDescription) copy = NULL;

  clear_config ();
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  g_setenv ("SENXOR_CONFIG", conf, TRUE);

  /* the sensor serial is only known to the device: found by probing */
  d = senxor_discover_find_by_serial ("182a01001769", SENXOR_DISCOVER_SERIAL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_true (d->probed);
  g_assert_cmpstr (d->device, ==, fake_device_get_path (fake));
  g_assert_cmpstr (d->serial, ==, "182A01001769");
  g_assert_cmpstr (d->id, ==, "182A01001769");
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI16);
  /* one naming rule before and after probing: where it is, then identity */
  {
    g_autofree char *name = g_strdup_printf ("Senxor camera at %s (MI16, 182A01001769)",
        fake_device_get_path (fake));
    g_assert_cmpstr (d->display_name, ==, name);
  }
  g_assert_cmpint (d->probe_status, ==, SENXOR_PROBE_OK);
  g_assert_nonnull (d->firmware);
  copy = senxor_device_description_copy (d);
  g_assert_true (senxor_device_description_equal (d, copy));
  g_free (copy->serial);
  copy->serial = g_strdup ("OTHER");
  g_assert_false (senxor_device_description_equal (d, copy));

  /* an unknown serial: NOT_FOUND, listing what was seen */
  g_assert_null (senxor_discover_find_by_serial ("FFFFFFFFFFFF", SENXOR_DISCOVER_SERIAL,
          &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "182A01001769"));
  g_assert_nonnull (strstr (error->message, "ttyACM0"));
  clear_config ();
}

/* Probing a named emulator that a session streams from must not take it
 * over: its registers are read without connecting. */
static void
test_probe_running_emulator (void)
{
  g_autoptr (GError) error = NULL;
  const char *dev = "emulator://probe-live?module=mi05&fast=1&serial=1A2B3C4D5E6F";
  g_autoptr (SenxorSession) s = senxor_session_open (dev, NULL, &error);
  g_autoptr (GPtrArray) list = NULL;
  SenxorDeviceDescription *d;
  guint16 px[50 * 50];
  SenxorFrameInfo fi;

  g_assert_no_error (error);
  g_assert_true (senxor_session_start_stream (s, NULL, &error));
  g_assert_true (senxor_session_read_frame (s, px, G_N_ELEMENTS (px), &fi, -1, NULL,
          &error));
  clear_config ();
  g_setenv ("SENXOR_EMULATORS", dev, TRUE);
  list = senxor_discover_devices (SENXOR_DISCOVER_EMULATORS | SENXOR_DISCOVER_PROBE,
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  d = list->pdata[0];
  g_assert_true (d->probed);
  g_assert_cmpint (d->module, ==, SENXOR_MODULE_MI05);
  g_assert_cmpstr (d->serial, ==, "1A2B3C4D5E6F");
  /* the session still streams */
  for (int i = 0; i < 3; i++) {
    g_assert_true (senxor_session_read_frame (s, px, G_N_ELEMENTS (px), &fi, -1, NULL,
            &error));
    g_assert_no_error (error);
  }
  clear_config ();
  g_clear_pointer (&s, senxor_session_close);
  senxor_emulator_forget_shared ("probe-live");
}

/* On this machine's own /sys, udev and the sysfs walker agree. */
static void
test_udev_matches_sysfs (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) via_udev = NULL;
  g_autoptr (GPtrArray) via_sysfs = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("SENXOR_SYSFS_ROOT"));

  clear_config ();
  g_unsetenv ("SENXOR_SYSFS_ROOT");
  via_udev = senxor_discover_devices (SENXOR_DISCOVER_SERIAL | SENXOR_DISCOVER_USB,
      &error);
  g_assert_no_error (error);
  g_setenv ("SENXOR_SYSFS_ROOT", "/sys", TRUE);
  via_sysfs = senxor_discover_devices (SENXOR_DISCOVER_SERIAL | SENXOR_DISCOVER_USB,
      &error);
  g_assert_no_error (error);
  g_setenv ("SENXOR_SYSFS_ROOT", saved, TRUE);
  g_test_message ("%u Senxor devices on this machine", via_udev->len);
  g_assert_cmpuint (via_udev->len, ==, via_sysfs->len);
  for (guint i = 0; i < via_udev->len; i++) {
    SenxorDeviceDescription *a = via_udev->pdata[i], *b = via_sysfs->pdata[i];
    g_assert_cmpstr (a->device, ==, b->device);
    g_assert_cmpstr (a->id, ==, b->id);
  }
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path,
          G_FILE_TEST_IS_DIR))
    return g_unlink (path) == 0;
  dir = g_dir_open (path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *child = g_build_filename (path, name, NULL);
    remove_tree (child);
  }
  return g_rmdir (path) == 0;
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  make_tree ();
  g_test_add_func ("/discovery/sysfs", test_sysfs);
  g_test_add_func ("/discovery/config", test_config);
  g_test_add_func ("/discovery/config-errors", test_config_errors);
  g_test_add_func ("/discovery/probe", test_probe);
  g_test_add_func ("/discovery/udev-matches-sysfs", test_udev_matches_sysfs);
  g_test_add_func ("/discovery/probe-running-emulator", test_probe_running_emulator);
  ret = g_test_run ();
  remove_tree (root);
  g_free (root);
  return ret;
}
