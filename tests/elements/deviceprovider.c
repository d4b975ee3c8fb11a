/* senxordeviceprovider: listing, hotplug, round trip to senxorsrc, and
 * making an element while a probe is under way.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Devices come from the configuration (a devices.conf written by the test,
 * named through SENXOR_CONFIG): emulators, a TCP emulator and a pty
 * emulator started and stopped while the monitor runs, and USB cameras from
 * a fake sysfs tree.  No real camera is needed; with no Senxor tty on
 * the machine the udev side runs and finds nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <senxor/senxor.h>

/* Generous: the machine is shared and slow; a scan takes a few ms. */
#define EVENT_TIMEOUT (20 * GST_SECOND)
#define POLL_MS "100"

static gchar *tmpdir;
static gchar *config_path;
static gchar *empty_sysfs;

static void
write_config (const gchar *text)
{
  GError *error = NULL;

  /* atomic (rename): the provider thread never reads half a file */
  fail_unless (g_file_set_contents (config_path, text, -1, &error),
      "cannot write %s: %s", config_path, error ? error->message : "");
}

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("senxor-provider-XXXXXX", NULL);
  fail_unless (tmpdir != NULL);
  config_path = g_build_filename (tmpdir, "devices.conf", NULL);
  write_config ("# no devices\n");
  /* the provider reads these at start(); nothing else is configured */
  g_setenv ("SENXOR_CONFIG", config_path, TRUE);
  /* the machine's own USB devices (however many) play no part: tests that
   * want some build a tree, the few that read the real one unset this */
  empty_sysfs = g_build_filename (tmpdir, "no-sys", NULL);
  fail_unless (g_mkdir (empty_sysfs, 0755) == 0);
  g_setenv ("SENXOR_SYSFS_ROOT", empty_sysfs, TRUE);
  g_unsetenv ("SENXOR_TCP_DEVICES");
  g_unsetenv ("SENXOR_EMULATORS");
  g_setenv ("SENXOR_DEVICE_PROVIDER_POLL_MS", POLL_MS, TRUE);
  g_unsetenv ("SENXOR_DEVICE_PROVIDER_PROBE");
}

static void
teardown (void)
{
  g_unlink (config_path);
  g_rmdir (empty_sysfs);
  g_rmdir (tmpdir);
  g_unsetenv ("SENXOR_SYSFS_ROOT");
  g_clear_pointer (&empty_sysfs, g_free);
  g_clear_pointer (&config_path, g_free);
  g_clear_pointer (&tmpdir, g_free);
}

static gboolean
is_senxor_device (GstDevice *device)
{
  GstStructure *props = gst_device_get_properties (device);
  gboolean ours = props &&
      g_strcmp0 (gst_structure_get_string (props, "device.api"), "senxor") == 0;

  if (props)
    gst_structure_free (props);
  return ours;
}

static gchar *
device_prop (GstDevice *device, const gchar *field)
{
  GstStructure *props = gst_device_get_properties (device);
  gchar *value = NULL;

  if (props && gst_structure_has_field_typed (props, field, G_TYPE_STRING))
    value = g_strdup (gst_structure_get_string (props, field));
  else if (props && gst_structure_has_field (props, field))
    value = g_strdup_value_contents (gst_structure_get_value (props, field));
  if (props)
    gst_structure_free (props);
  return value;
}

static GstDeviceMonitor *
start_monitor (void)
{
  GstDeviceMonitor *monitor = gst_device_monitor_new ();

  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  fail_unless (gst_device_monitor_start (monitor), "the device monitor did not start");
  return monitor;
}

/* Our devices, sorted by device.path. */
static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  g_autofree gchar *pa = device_prop ((GstDevice *) a, "device.path");
  g_autofree gchar *pb = device_prop ((GstDevice *) b, "device.path");

  return g_strcmp0 (pa, pb);
}

static GList *
senxor_devices (GList *all)
{
  GList *ours = NULL;

  for (GList *l = all; l; l = l->next)
    if (is_senxor_device (l->data))
      ours = g_list_prepend (ours, gst_object_ref (l->data));
  g_list_free_full (all, gst_object_unref);
  return g_list_sort (ours, compare_paths);
}

static GstDevice *
find_by_path (GList *devices, const gchar *path)
{
  for (GList *l = devices; l; l = l->next) {
    g_autofree gchar *p = device_prop (l->data, "device.path");
    if (g_strcmp0 (p, path) == 0)
      return l->data;
  }
  return NULL;
}

static void
assert_prop (GstDevice *device, const gchar *field, const gchar *expected)
{
  g_autofree gchar *value = device_prop (device, field);
  g_autofree gchar *name = gst_device_get_display_name (device);

  fail_unless (g_strcmp0 (value, expected) == 0, "%s: %s is '%s', expected '%s'", name,
      field, GST_STR_NULL (value), GST_STR_NULL (expected));
}

static void
assert_caps_size (GstDevice *device, gint width, gint height)
{
  GstCaps *caps = gst_device_get_caps (device);
  GstStructure *s;
  gint w = 0, h = 0;

  fail_unless (caps != NULL);
  fail_unless_equals_int (gst_caps_get_size (caps), 1);
  s = gst_caps_get_structure (caps, 0);
  fail_unless (gst_structure_has_name (s, "video/x-raw"));
  fail_unless_equals_string (gst_structure_get_string (s, "format"), "GRAY16_LE");
  fail_unless (gst_structure_get_int (s, "width", &w) &&
      gst_structure_get_int (s, "height", &h));
  fail_unless_equals_int (w, width);
  fail_unless_equals_int (h, height);
  gst_caps_unref (caps);
}

/* The next DEVICE_ADDED (@added) or DEVICE_REMOVED of a senxor device whose
 * device.path is @path; other messages are skipped. */
static GstDevice *
wait_device_message (GstBus *bus, gboolean added, const gchar *path)
{
  GstClockTime deadline = gst_util_get_timestamp () + EVENT_TIMEOUT;
  GstMessageType type = added ? GST_MESSAGE_DEVICE_ADDED : GST_MESSAGE_DEVICE_REMOVED;

  for (;;) {
    GstClockTime now = gst_util_get_timestamp ();
    GstMessage *msg;
    GstDevice *device = NULL;
    g_autofree gchar *p = NULL;

    fail_unless (now < deadline, "no %s message for %s within %" GST_TIME_FORMAT,
        added ? "DEVICE_ADDED" : "DEVICE_REMOVED", path, GST_TIME_ARGS (EVENT_TIMEOUT));
    msg = gst_bus_timed_pop_filtered (bus, deadline - now, type);
    if (!msg)
      continue;
    /* extended message types all match one filter bit: check the type */
    if (GST_MESSAGE_TYPE (msg) != type) {
      gst_message_unref (msg);
      continue;
    }
    if (added)
      gst_message_parse_device_added (msg, &device);
    else
      gst_message_parse_device_removed (msg, &device);
    gst_message_unref (msg);
    p = device_prop (device, "device.path");
    if (is_senxor_device (device) && g_strcmp0 (p, path) == 0)
      return device;
    gst_object_unref (device);
  }
}

/* Probing never posts errors: nothing but device messages on the bus. */
static void
assert_no_error_messages (GstDeviceMonitor *monitor)
{
  GstBus *bus = gst_device_monitor_get_bus (monitor);
  GstMessage *msg;

  while ((msg = gst_bus_pop (bus))) {
    GstMessageType type = GST_MESSAGE_TYPE (msg);

    fail_if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING,
        "an error or warning was posted: %" GST_PTR_FORMAT, msg);
    gst_message_unref (msg);
  }
  gst_object_unref (bus);
}

static gboolean
have_element (const gchar *name)
{
  GstElementFactory *factory = gst_element_factory_find (name);

  if (factory)
    gst_object_unref (factory);
  return factory != NULL;
}

/* Normalised device strings, as discovery lists them. */
static gchar *
normalise (const gchar *device)
{
  GError *error = NULL;
  SenxorDeviceAddress *addr = senxor_device_address_parse (device, &error);
  gchar *uri;

  fail_unless (addr != NULL, "%s: %s", device, error ? error->message : "");
  uri = g_strdup (addr->uri);
  senxor_device_address_free (addr);
  return uri;
}

/* ---- the provider is there ---- */

GST_START_TEST (test_provider_registered)
{
  GstDeviceProviderFactory *factory =
      gst_device_provider_factory_find ("senxordeviceprovider");
  GstDeviceProvider *provider;

  fail_unless (factory != NULL, "senxordeviceprovider is not registered");
  fail_unless (gst_device_provider_factory_has_classes (factory, "Video/Source"));
  provider = gst_device_provider_factory_get (factory);
  fail_unless (provider != NULL);
  fail_unless (gst_device_provider_can_monitor (provider));
  gst_object_unref (provider);
  gst_object_unref (factory);
}
GST_END_TEST;

/* ---- listing ---- */

#define EMU_MI16 "emulator://cam16?module=mi16&serial=182A01001769"
#define EMU_MI08 "emulator://cam08?module=mi08&serial=182A01000042"
#define EMU_MI05_NAMED "emulator://?module=mi05&name=Bench%20camera"

GST_START_TEST (test_monitor_lists_emulators)
{
  GstDeviceMonitor *monitor;
  GList *devices;
  GstDevice *d;
  g_autofree gchar *p16 = normalise (EMU_MI16);
  g_autofree gchar *p08 = normalise (EMU_MI08);
  g_autofree gchar *p05 = normalise (EMU_MI05_NAMED);
  gchar *name;

  write_config ("# test cameras\n" EMU_MI16 "\n" EMU_MI08 "\n\n" EMU_MI05_NAMED "\n");
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 3);

  d = find_by_path (devices, p16);
  fail_unless (d != NULL, "%s is not listed", p16);
  fail_unless (gst_device_has_classes (d, "Video/Source"));
  name = gst_device_get_display_name (d);
  fail_unless_equals_string (name, "Senxor emulator 'cam16' (MI16, 182A01001769)");
  g_free (name);
  assert_prop (d, "device.api", "senxor");
  assert_prop (d, "device.serial", "182A01001769");
  assert_prop (d, "senxor.module", "MI16");
  assert_prop (d, "senxor.transport", "emulator");
  assert_prop (d, "senxor.probe", "ok");
  /* the emulator's firmware register reads 4.7.45 unless configured */
  assert_prop (d, "senxor.firmware", "4.7.45");
  /* not USB: no ids, no bus path */
  assert_prop (d, "device.vendor.id", NULL);
  assert_prop (d, "device.bus_path", NULL);
  assert_caps_size (d, 160, 120);

  d = find_by_path (devices, p08);
  fail_unless (d != NULL, "%s is not listed", p08);
  assert_prop (d, "device.serial", "182A01000042");
  assert_prop (d, "senxor.module", "MI08");
  assert_caps_size (d, 80, 62);

  d = find_by_path (devices, p05);
  fail_unless (d != NULL, "%s is not listed", p05);
  name = gst_device_get_display_name (d);
  fail_unless_equals_string (name, "Bench camera");
  g_free (name);
  assert_prop (d, "senxor.module", "MI05");
  assert_caps_size (d, 50, 50);

  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
}
GST_END_TEST;

GST_START_TEST (test_environment_devices)
{
  GstDeviceMonitor *monitor;
  GList *devices;
  g_autofree gchar *path = normalise ("emulator://?module=mi08");

  g_setenv ("SENXOR_EMULATORS", "emulator://?module=mi08", TRUE);
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 1);
  assert_prop (devices->data, "device.path", path);
  assert_caps_size (devices->data, 80, 62);
  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
  g_unsetenv ("SENXOR_EMULATORS");
}
GST_END_TEST;

/* Without start(), get_devices() probes once. */
GST_START_TEST (test_probe_without_start)
{
  GstDeviceProvider *provider =
      gst_device_provider_factory_get_by_name ("senxordeviceprovider");
  GList *devices;
  g_autofree gchar *p16 = normalise (EMU_MI16);

  write_config (EMU_MI16 "\n");
  fail_unless (provider != NULL);
  fail_if (gst_device_provider_is_started (provider));
  devices = senxor_devices (gst_device_provider_get_devices (provider));
  fail_unless_equals_int (g_list_length (devices), 1);
  assert_prop (devices->data, "device.path", p16);
  assert_prop (devices->data, "senxor.module", "MI16");
  g_list_free_full (devices, gst_object_unref);
  gst_object_unref (provider);
}
GST_END_TEST;

/* SENXOR_DEVICE_PROVIDER_PROBE=0: nothing is opened; the configuration's
 * module still gives the caps, an unknown module all three geometries. */
GST_START_TEST (test_no_probing)
{
  GstDeviceMonitor *monitor;
  GList *devices;
  GstDevice *d;
  GstCaps *caps;
  g_autofree gchar *p16 = normalise (EMU_MI16);
  g_autofree gchar *plain = normalise ("emulator://plain");

  g_setenv ("SENXOR_DEVICE_PROVIDER_PROBE", "0", TRUE);
  write_config (EMU_MI16 "\nemulator://plain\n");
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 2);
  d = find_by_path (devices, p16);
  fail_unless (d != NULL);
  assert_prop (d, "senxor.probe", "not-tried");
  assert_prop (d, "senxor.firmware", NULL);
  assert_prop (d, "device.serial", "182A01001769");
  assert_caps_size (d, 160, 120);
  d = find_by_path (devices, plain);
  fail_unless (d != NULL);
  caps = gst_device_get_caps (d);
  fail_unless_equals_int (gst_caps_get_size (caps), 3);
  gst_caps_unref (caps);
  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
  g_unsetenv ("SENXOR_DEVICE_PROVIDER_PROBE");
}
GST_END_TEST;

/* No Senxor tty here: udev (or sysfs) is queried and finds nothing, and
 * starting and stopping again and again is clean. */
GST_START_TEST (test_nothing_configured)
{
  g_unsetenv ("SENXOR_SYSFS_ROOT");     /* the real walk, through udev */
  for (int i = 0; i < 3; i++) {
    GstDeviceMonitor *monitor = start_monitor ();
    GList *devices = senxor_devices (gst_device_monitor_get_devices (monitor));

    for (GList *l = devices; l; l = l->next) {
      g_autofree gchar *transport = device_prop (l->data, "senxor.transport");
      /* only real USB cameras could appear, never configured ones */
      fail_unless (g_strcmp0 (transport, "serial") == 0 ||
          g_strcmp0 (transport, "usb") == 0, "unexpected device of kind %s", transport);
    }
    g_list_free_full (devices, gst_object_unref);
    assert_no_error_messages (monitor);
    gst_device_monitor_stop (monitor);
    gst_object_unref (monitor);
  }
}
GST_END_TEST;


/* ---- USB cameras from a fake sysfs tree (SENXOR_SYSFS_ROOT) ---- */

static void
sysfs_put (const gchar *root, const gchar *dir, const gchar *name, const gchar *value)
{
  g_autofree gchar *path = g_build_filename (root, dir, name, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);

  fail_unless (g_mkdir_with_parents (parent, 0755) == 0);
  fail_unless (g_file_set_contents (path, value, -1, NULL));
}

static void
sysfs_link (const gchar *root, const gchar *target, const gchar *link)
{
  g_autofree gchar *path = g_build_filename (root, link, NULL);
  g_autofree gchar *parent = g_path_get_dirname (path);

  fail_unless (g_mkdir_with_parents (parent, 0755) == 0);
  fail_unless (symlink (target, path) == 0, "symlink %s: %s", path, g_strerror (errno));
}

/* A USB device @sysname ("1-2") with a CDC pair of interfaces; @tty is the
 * port cdc_acm made, NULL when no driver is bound (a libusb device). */
static void
sysfs_usb_device (const gchar *root, const gchar *sysname, const gchar *pid,
    const gchar *serial, const gchar *devpath, const gchar *tty)
{
  g_autofree gchar *dev = g_strdup_printf ("devices/pci0000:00/usb1/%s", sysname);
  g_autofree gchar *if0 = g_strdup_printf ("%s/%s:1.0", dev, sysname);
  g_autofree gchar *if1 = g_strdup_printf ("%s/%s:1.1", dev, sysname);
  g_autofree gchar *buslink = g_strdup_printf ("bus/usb/devices/%s", sysname);
  g_autofree gchar *bustarget = g_strdup_printf ("../../../%s", dev);

  sysfs_put (root, dev, "idVendor", "0416\n");
  sysfs_put (root, dev, "idProduct", pid);
  sysfs_put (root, dev, "serial", serial);
  sysfs_put (root, dev, "busnum", "1\n");
  sysfs_put (root, dev, "devpath", devpath);
  sysfs_put (root, if0, "bInterfaceClass", "02\n");
  sysfs_put (root, if1, "bInterfaceClass", "0a\n");
  sysfs_link (root, bustarget, buslink);
  if (tty) {
    g_autofree gchar *ttydir = g_strdup_printf ("%s/tty/%s", if0, tty);
    g_autofree gchar *classlink = g_strdup_printf ("class/tty/%s", tty);
    g_autofree gchar *classtarget = g_strdup_printf ("../../%s", ttydir);
    g_autofree gchar *devlink = g_strdup_printf ("%s/device", ttydir);
    g_autofree gchar *drv1 = g_strdup_printf ("%s/driver", if1);

    sysfs_put (root, ttydir, "dev", "166:0\n");
    sysfs_link (root, classtarget, classlink);
    sysfs_link (root, "../..", devlink);
    sysfs_put (root, "bus/usb/drivers/cdc_acm", "bind", "");
    sysfs_link (root, "../../../../../bus/usb/drivers/cdc_acm", drv1);
  }
}

static void
remove_tree (const gchar *path)
{
  g_autofree gchar *cmd = g_strdup_printf ("rm -rf '%s'", path);

  fail_unless (g_str_has_prefix (path, tmpdir));
  fail_unless (system (cmd) == 0);
}

/* No udev event comes from a fake tree: the poll finds the changes. */
GST_START_TEST (test_usb_cameras)
{
  g_autofree gchar *root = g_build_filename (tmpdir, "sys", NULL);
  g_autofree gchar *buslink = NULL;
  g_autofree gchar *devdir = NULL;
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GList *devices;
  GstDevice *d;
  GstCaps *caps;
  gchar *name;

  /* nonexistent tty names: the identity probe fails quietly */
  sysfs_usb_device (root, "1-2", "b002\n", "SN0001\n", "2\n", "ttyACM97");
  sysfs_usb_device (root, "1-3.1", "b020\n", "XP42\n", "3.1\n", NULL);
  g_setenv ("SENXOR_SYSFS_ROOT", root, TRUE);
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 2);

  d = find_by_path (devices, "/dev/ttyACM97");
  fail_unless (d != NULL, "the USB serial port is not listed");
  name = gst_device_get_display_name (d);
  fail_unless_equals_string (name, "Senxor EVK (SN0001)");
  g_free (name);
  assert_prop (d, "senxor.transport", "serial");
  assert_prop (d, "device.vendor.id", "0416");
  assert_prop (d, "device.product.id", "b002");
  assert_prop (d, "device.product.name", "Senxor EVK");
  assert_prop (d, "device.bus", "usb");
  assert_prop (d, "device.bus_path", "1-2");
  assert_prop (d, "device.serial", "SN0001");
  assert_prop (d, "senxor.module", NULL);
  assert_prop (d, "senxor.probe", "failed");
  /* module unknown: every geometry */
  caps = gst_device_get_caps (d);
  fail_unless_equals_int (gst_caps_get_size (caps), 3);
  gst_caps_unref (caps);

  d = find_by_path (devices, "usb://1/3.1");
  fail_unless (d != NULL, "the driverless USB camera is not listed");
  assert_prop (d, "senxor.transport", "usb");
  assert_prop (d, "device.product.id", "b020");
  assert_prop (d, "device.bus_path", "1-3.1");
  g_list_free_full (devices, gst_object_unref);

  /* an XCAM is plugged in ... */
  sysfs_usb_device (root, "1-4", "9393\n", "XC9\n", "4\n", "ttyACM98");
  d = wait_device_message (bus, TRUE, "/dev/ttyACM98");
  assert_prop (d, "device.product.name", "Senxor XCAM");
  gst_object_unref (d);
  /* ... and pulled out: the kernel removes the device with its interfaces */
  buslink = g_build_filename (root, "bus", "usb", "devices", "1-4", NULL);
  fail_unless (g_unlink (buslink) == 0);
  devdir = g_build_filename (root, "devices", "pci0000:00", "usb1", "1-4", NULL);
  remove_tree (devdir);
  d = wait_device_message (bus, FALSE, "/dev/ttyACM98");
  gst_object_unref (d);
  /* the probes of ports that do not exist failed quietly */
  assert_no_error_messages (monitor);

  gst_device_monitor_stop (monitor);
  gst_object_unref (bus);
  gst_object_unref (monitor);
  g_unsetenv ("SENXOR_SYSFS_ROOT");
  remove_tree (root);
}
GST_END_TEST;

/* ---- devices appearing and disappearing ---- */

GST_START_TEST (test_config_hotplug)
{
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GstDevice *d;
  g_autofree gchar *p16 = normalise (EMU_MI16);
  g_autofree gchar *p08 = normalise (EMU_MI08);
  gchar *name;

  write_config (EMU_MI16 "\n");
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);

  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  d = wait_device_message (bus, TRUE, p08);
  name = gst_device_get_display_name (d);
  fail_unless_equals_string (name, "Senxor emulator 'cam08' (MI08, 182A01000042)");
  g_free (name);
  gst_object_unref (d);

  write_config (EMU_MI08 "\n");
  d = wait_device_message (bus, FALSE, p16);
  gst_object_unref (d);

  write_config ("");
  d = wait_device_message (bus, FALSE, p08);
  gst_object_unref (d);

  gst_device_monitor_stop (monitor);
  gst_object_unref (bus);
  gst_object_unref (monitor);
}
GST_END_TEST;

/* ---- nothing polls while nothing can change unseen ---- */

/* The scans of the provider's device monitor, counted from libsenxor's
 * debug log ("scan (USB walk: ...") */
static gint scans;
static gint usb_walks;

static void
count_scans (const gchar *domain, GLogLevelFlags level, const gchar *message,
    gpointer user_data)
{
  if (!g_str_has_prefix (message, "scan ("))
    return;
  g_atomic_int_inc (&scans);
  if (strstr (message, "USB walk: yes"))
    g_atomic_int_inc (&usb_walks);
}

static SenxorEmulatorServer *tcp_server (const gchar *module, guint16 port);

/* Several poll intervals (POLL_MS) */
#define QUIET_US (1000 * 1000)

GST_START_TEST (test_polls_only_what_has_no_event)
{
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GstDevice *d;
  SenxorEmulatorServer *server = tcp_server ("mi08", 0);
  g_autofree gchar *tcp = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  g_autofree gchar *ptcp = normalise (tcp);
  g_autofree gchar *p08 = normalise (EMU_MI08);
  g_autofree gchar *conf = NULL;
  gint before;
  guint handler;

  /* the real USB walk: udev events would tell of a camera */
  g_unsetenv ("SENXOR_SYSFS_ROOT");
  /* debug messages of the "senxor" domain reach the handler, not stderr */
  g_setenv ("G_MESSAGES_DEBUG", "senxor", TRUE);
  handler = g_log_set_handler ("senxor", G_LOG_LEVEL_DEBUG, count_scans, NULL);
  g_atomic_int_set (&scans, 0);
  g_atomic_int_set (&usb_walks, 0);

  /* emulators only: nothing to poll, one scan at start */
  write_config (EMU_MI16 "\n");
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);
  fail_unless_equals_int (g_atomic_int_get (&scans), 1);
  fail_unless_equals_int (g_atomic_int_get (&usb_walks), 1);
  g_usleep (QUIET_US);
  fail_unless_equals_int (g_atomic_int_get (&scans), 1);

  /* an edit of the configuration is seen without polling, and does not
   * walk USB again */
  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  d = wait_device_message (bus, TRUE, p08);
  gst_object_unref (d);
  before = g_atomic_int_get (&scans);
  fail_unless (before >= 2, "the edit was not scanned");
  fail_unless_equals_int (g_atomic_int_get (&usb_walks), 1);
  g_usleep (QUIET_US);
  fail_unless_equals_int (g_atomic_int_get (&scans), before);

  /* a TCP device has no event for coming and going: it is polled, still
   * without walking USB */
  conf = g_strdup_printf ("%s\n%s\n", EMU_MI16, tcp);
  write_config (conf);
  d = wait_device_message (bus, TRUE, ptcp);
  gst_object_unref (d);
  d = wait_device_message (bus, FALSE, p08);
  gst_object_unref (d);
  before = g_atomic_int_get (&scans);
  g_usleep (QUIET_US);
  fail_unless (g_atomic_int_get (&scans) > before, "the TCP device is not polled");
  fail_unless_equals_int (g_atomic_int_get (&usb_walks), 1);

  /* and once it is no longer configured, the polling stops */
  write_config (EMU_MI16 "\n");
  d = wait_device_message (bus, FALSE, ptcp);
  gst_object_unref (d);
  g_usleep (QUIET_US / 2);      /* a poll under way ends */
  before = g_atomic_int_get (&scans);
  g_usleep (QUIET_US);
  fail_unless_equals_int (g_atomic_int_get (&scans), before);
  assert_no_error_messages (monitor);

  gst_device_monitor_stop (monitor);
  g_log_remove_handler ("senxor", handler);
  g_unsetenv ("G_MESSAGES_DEBUG");
  gst_object_unref (bus);
  gst_object_unref (monitor);
  senxor_emulator_server_free (server);
}
GST_END_TEST;

/* A broken configuration line keeps the current list (and is no error). */
GST_START_TEST (test_bad_config_keeps_devices)
{
  GstDeviceMonitor *monitor;
  GList *devices;
  g_autofree gchar *p16 = normalise (EMU_MI16);

  write_config (EMU_MI16 "\n");
  monitor = start_monitor ();
  write_config (EMU_MI16 "\nnot a device ://\n");
  /* a few polls */
  g_usleep (500 * 1000);
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 1);
  assert_prop (devices->data, "device.path", p16);
  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
}
GST_END_TEST;

static SenxorEmulatorServer *
tcp_server (const gchar *module, guint16 port)
{
  GError *error = NULL;
  g_autofree gchar *options = g_strdup_printf ("module=%s", module);
  SenxorEmulator *emu = senxor_emulator_new (options, &error);
  SenxorEmulatorServer *server;

  fail_unless (emu != NULL, "%s", error ? error->message : "");
  server = senxor_emulator_server_new_tcp (emu, "127.0.0.1", port, &error);
  fail_unless (server != NULL, "cannot serve on port %u: %s", port,
      error ? error->message : "");
  senxor_emulator_unref (emu);
  return server;
}

GST_START_TEST (test_tcp_up_down)
{
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GstDevice *d;
  SenxorEmulatorServer *server = tcp_server ("mi16", 0);
  guint16 port = senxor_emulator_server_get_port (server);
  g_autofree gchar *device = g_strdup_printf ("tcp://127.0.0.1:%u", port);
  g_autofree gchar *path = normalise (device);
  g_autofree gchar *conf = g_strdup_printf ("%s\n", device);
  gchar *name;

  write_config (conf);
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);
  {
    GList *devices = senxor_devices (gst_device_monitor_get_devices (monitor));
    fail_unless (find_by_path (devices, path) != NULL, "%s is not listed", path);
    d = find_by_path (devices, path);
    name = gst_device_get_display_name (d);
    fail_unless (g_str_has_prefix (name, "Senxor camera at 127.0.0.1:"), "%s", name);
    g_free (name);
    assert_prop (d, "senxor.transport", "tcp");
    assert_prop (d, "senxor.module", "MI16");
    assert_caps_size (d, 160, 120);
    g_list_free_full (devices, gst_object_unref);
  }

  /* the bridge goes down ... */
  senxor_emulator_server_free (server);
  d = wait_device_message (bus, FALSE, path);
  gst_object_unref (d);

  /* ... and comes back on the same port */
  server = tcp_server ("mi16", port);
  d = wait_device_message (bus, TRUE, path);
  assert_prop (d, "senxor.module", "MI16");
  gst_object_unref (d);

  gst_device_monitor_stop (monitor);
  senxor_emulator_server_free (server);
  gst_object_unref (bus);
  gst_object_unref (monitor);
}
GST_END_TEST;

GST_START_TEST (test_pty_up_down)
{
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GstDevice *d;
  GError *error = NULL;
  g_autofree gchar *link = g_build_filename (tmpdir, "senxor0", NULL);
  g_autofree gchar *path = normalise (link);
  g_autofree gchar *conf = g_strdup_printf ("%s\n", link);
  SenxorEmulator *emu;
  SenxorEmulatorServer *server;

  write_config (conf);
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);

  emu = senxor_emulator_new ("module=mi05&serial=AA0000000005", &error);
  fail_unless (emu != NULL, "%s", error ? error->message : "");
  server = senxor_emulator_server_new_pty (emu, link, &error);
  fail_unless (server != NULL, "%s", error ? error->message : "");
  d = wait_device_message (bus, TRUE, path);
  assert_prop (d, "senxor.transport", "serial");
  assert_prop (d, "senxor.module", "MI05");
  assert_prop (d, "device.serial", "AA0000000005");
  assert_caps_size (d, 50, 50);
  gst_object_unref (d);

  senxor_emulator_server_free (server);
  d = wait_device_message (bus, FALSE, path);
  gst_object_unref (d);

  senxor_emulator_unref (emu);
  gst_device_monitor_stop (monitor);
  gst_object_unref (bus);
  gst_object_unref (monitor);
}
GST_END_TEST;


/* Cameras in use (here by a session of this process) are listed but never
 * opened nor connected to: their stream goes on undisturbed. */
static void
read_frames (SenxorSession *session, guint n)
{
  guint16 pixels[160 * 120];

  for (guint i = 0; i < n; i++) {
    GError *error = NULL;
    SenxorFrameInfo info;

    fail_unless (senxor_session_read_frame (session, pixels, G_N_ELEMENTS (pixels), &info,
            5 * G_USEC_PER_SEC, NULL, &error), "the stream was disturbed: %s",
        error ? error->message : "");
  }
}

GST_START_TEST (test_busy_devices_left_alone)
{
  GError *error = NULL;
  SenxorEmulatorServer *tcp = tcp_server ("mi16", 0);
  g_autofree gchar *tcp_device = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (tcp));
  g_autofree gchar *link = g_build_filename (tmpdir, "busy0", NULL);
  SenxorEmulator *emu = senxor_emulator_new ("module=mi08", &error);
  SenxorEmulatorServer *pty;
  SenxorSession *s_tcp, *s_pty;
  g_autofree gchar *conf = NULL;
  g_autofree gchar *tcp_path = normalise (tcp_device);
  g_autofree gchar *pty_path = normalise (link);
  GstDeviceMonitor *monitor;
  GList *devices;
  GstDevice *d;

  fail_unless (emu != NULL);
  pty = senxor_emulator_server_new_pty (emu, link, &error);
  fail_unless (pty != NULL, "%s", error ? error->message : "");
  s_tcp = senxor_session_open (tcp_device, NULL, &error);
  fail_unless (s_tcp != NULL, "%s", error ? error->message : "");
  s_pty = senxor_session_open (link, NULL, &error);
  fail_unless (s_pty != NULL, "%s", error ? error->message : "");
  fail_unless (senxor_session_start_stream (s_tcp, NULL, NULL));
  fail_unless (senxor_session_start_stream (s_pty, NULL, NULL));
  read_frames (s_tcp, 2);
  read_frames (s_pty, 2);

  conf = g_strdup_printf ("%s\n%s\n", tcp_device, link);
  write_config (conf);
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 2);
  d = find_by_path (devices, tcp_path);
  fail_unless (d != NULL, "the TCP camera in use is not listed");
  assert_prop (d, "senxor.probe", "not-tried");
  d = find_by_path (devices, pty_path);
  fail_unless (d != NULL, "the serial camera in use is not listed");
  assert_prop (d, "senxor.probe", "busy");
  g_list_free_full (devices, gst_object_unref);

  assert_no_error_messages (monitor);
  /* several polls later both streams still flow on their one connection */
  g_usleep (600 * 1000);
  read_frames (s_tcp, 5);
  read_frames (s_pty, 5);
  fail_unless_equals_int (senxor_emulator_server_get_connections (tcp), 1);
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), 2);
  g_list_free_full (devices, gst_object_unref);

  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
  senxor_session_close (s_tcp);
  senxor_session_close (s_pty);
  senxor_emulator_server_free (pty);
  senxor_emulator_server_free (tcp);
  senxor_emulator_unref (emu);
}
GST_END_TEST;


/* While an element made from a TCP device exists, polls do not connect to
 * the device (a one-client bridge would refuse the element meanwhile). */
GST_START_TEST (test_made_elements_left_alone)
{
  SenxorEmulatorServer *server = tcp_server ("mi16", 0);
  g_autofree gchar *device = g_strdup_printf ("tcp://127.0.0.1:%u",
      senxor_emulator_server_get_port (server));
  g_autofree gchar *path = normalise (device);
  g_autofree gchar *conf = g_strdup_printf ("%s\n", device);
  GstDeviceMonitor *monitor;
  GList *devices;
  GstElement *src;
  guint before;
  gint64 deadline;

  write_config (conf);
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless (find_by_path (devices, path) != NULL);
  src = gst_device_create_element (find_by_path (devices, path), NULL);
  fail_unless (src != NULL);
  gst_object_ref_sink (src);

  /* a poll may be under way: let it end, then count */
  g_usleep (300 * 1000);
  before = senxor_emulator_server_get_connections (server);
  g_usleep (800 * 1000);
  fail_unless_equals_int (senxor_emulator_server_get_connections (server), before);
  devices = g_list_concat (devices, senxor_devices (gst_device_monitor_get_devices (monitor)));
  fail_unless (find_by_path (devices, path) != NULL, "the device was dropped");

  /* once the element is gone the presence checks come back */
  gst_object_unref (src);
  deadline = g_get_monotonic_time () + EVENT_TIMEOUT / GST_USECOND;
  while (senxor_emulator_server_get_connections (server) == before) {
    fail_unless (g_get_monotonic_time () < deadline, "no presence check came back");
    g_usleep (50 * 1000);
  }

  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
  senxor_emulator_server_free (server);
}
GST_END_TEST;

/* A TCP device that accepts connections and never answers (a bare
 * listening socket on 127.0.0.1:@port; 0 picks one). */
static GSocket *
silent_device (guint16 port)
{
  GError *error = NULL;
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, port);

  fail_unless (sock != NULL, "%s", error ? error->message : "");
  fail_unless (g_socket_bind (sock, addr, TRUE, &error), "cannot bind port %u: %s", port,
      error ? error->message : "");
  fail_unless (g_socket_listen (sock, &error), "%s", error ? error->message : "");
  g_object_unref (addr);
  g_object_unref (lo);
  return sock;
}

static guint16
socket_port (GSocket *sock)
{
  GSocketAddress *addr = g_socket_get_local_address (sock, NULL);
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));

  g_object_unref (addr);
  return port;
}

/* Accepts connections to @listener until one sends bytes: the identity
 * probe, now waiting for a reply that never comes (presence checks close
 * without sending anything).  Returns that connection. */
static GSocket *
wait_probe (GSocket *listener)
{
  gint64 deadline = g_get_monotonic_time () + EVENT_TIMEOUT / GST_USECOND;

  for (;;) {
    GSocket *conn;
    gchar buf[64];
    gssize n;

    fail_unless (g_get_monotonic_time () < deadline, "no probe came");
    if (!g_socket_condition_timed_wait (listener, G_IO_IN, 100 * 1000, NULL, NULL))
      continue;
    conn = g_socket_accept (listener, NULL, NULL);
    if (!conn)
      continue;
    if (g_socket_condition_timed_wait (conn, G_IO_IN, 2 * G_USEC_PER_SEC, NULL, NULL)) {
      n = g_socket_receive (conn, buf, sizeof buf, NULL, NULL);
      if (n > 0)
        return conn;
    }
    g_object_unref (conn);
  }
}

/* Making an element never waits for a probe: while the device's identity
 * probe waits on a silent device, gst_device_create_element() returns at
 * once, the probe is cancelled (the device is let go) and its result is
 * dropped. */
GST_START_TEST (test_create_element_during_probe)
{
  GSocket *listener = silent_device (0);
  guint16 port = socket_port (listener);
  g_autofree gchar *device = g_strdup_printf ("tcp://127.0.0.1:%u", port);
  g_autofree gchar *path = normalise (device);
  g_autofree gchar *conf = g_strdup_printf ("%s\n", device);
  GstDeviceMonitor *monitor;
  GstBus *bus;
  GList *devices;
  GstDevice *d;
  GstElement *src;
  GSocket *probe;
  gint64 start, took;
  gchar buf[256];
  gssize n;

  write_config (conf);
  monitor = start_monitor ();
  bus = gst_device_monitor_get_bus (monitor);
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless (find_by_path (devices, path) != NULL, "%s is not listed", path);
  assert_prop (find_by_path (devices, path), "senxor.probe", "timeout");

  /* the device goes and comes back: a new probe starts and hangs */
  g_socket_close (listener, NULL);
  g_object_unref (listener);
  d = wait_device_message (bus, FALSE, path);
  gst_object_unref (d);
  listener = silent_device (port);
  probe = wait_probe (listener);

  start = g_get_monotonic_time ();
  src = gst_device_create_element (find_by_path (devices, path), NULL);
  took = g_get_monotonic_time () - start;
  fail_unless (src != NULL);
  gst_object_ref_sink (src);
  GST_INFO ("gst_device_create_element() took %" G_GINT64_FORMAT " us during a probe",
      took);
  fail_unless (took < 300 * 1000, "gst_device_create_element() waited %" G_GINT64_FORMAT
      " us for a probe", took);

  /* the probe lets the device go at once ... */
  fail_unless (g_socket_condition_timed_wait (probe, G_IO_IN | G_IO_HUP,
          5 * G_USEC_PER_SEC, NULL, NULL), "the probe still holds the device");
  while ((n = g_socket_receive (probe, buf, sizeof buf, NULL, NULL)) > 0);
  fail_unless (n == 0, "the probe connection was not closed");
  /* ... and what it saw is not told: the device is the element's */
  d = wait_device_message (bus, TRUE, path);
  assert_prop (d, "senxor.probe", "not-tried");
  gst_object_unref (d);
  assert_no_error_messages (monitor);

  gst_object_unref (src);
  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (bus);
  gst_object_unref (monitor);
  g_object_unref (probe);
  g_socket_close (listener, NULL);
  g_object_unref (listener);
}
GST_END_TEST;

/* ---- every device plays ---- */

static void
play_device (GstDevice *device)
{
  g_autofree gchar *name = gst_device_get_display_name (device);
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_device_create_element (device, NULL);
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstCaps *dcaps = gst_device_get_caps (device);
  GstCaps *caps;
  GstBus *bus;
  GstMessage *msg;
  GstPad *pad;
  g_autofree gchar *path = device_prop (device, "device.path");
  gchar *set = NULL;

  fail_unless (src != NULL, "%s: no element", name);
  g_object_get (src, "device", &set, NULL);
  fail_unless_equals_string (set, path);
  g_free (set);
  g_object_set (src, "num-buffers", 3, NULL);
  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  fail_unless (gst_element_link (src, sink));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE, "%s does not start", name);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, EVENT_TIMEOUT,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "%s: no EOS after 3 frames", name);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error (msg, &err, &dbg);
    fail ("%s: %s (%s)", name, err->message, GST_STR_NULL (dbg));
  }
  gst_message_unref (msg);

  /* what played fits what the device promised */
  pad = gst_element_get_static_pad (src, "src");
  caps = gst_pad_get_current_caps (pad);
  fail_unless (caps != NULL);
  fail_unless (gst_caps_can_intersect (caps, dcaps), "%s: played %" GST_PTR_FORMAT
      " but the device lists %" GST_PTR_FORMAT, name, caps, dcaps);
  gst_caps_unref (caps);
  gst_object_unref (pad);

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_caps_unref (dcaps);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_round_trip)
{
  GstDeviceMonitor *monitor;
  GList *devices;
  guint n = 0;
  GError *error = NULL;
  SenxorEmulatorServer *server = tcp_server ("mi08", 0);
  SenxorEmulator *emu = senxor_emulator_new ("module=mi05", &error);
  g_autofree gchar *link = g_build_filename (tmpdir, "trip0", NULL);
  SenxorEmulatorServer *pty = senxor_emulator_server_new_pty (emu, link, &error);
  g_autofree gchar *conf = g_strdup_printf ("%s\n%s\n%s\n"
      "tcp://127.0.0.1:%u\n%s\n", EMU_MI16, EMU_MI08, EMU_MI05_NAMED,
      senxor_emulator_server_get_port (server), link);
  /* three in-process emulators, one behind TCP, one on a pty */
  guint expected = 5;

  fail_unless (pty != NULL, "%s", error ? error->message : "");
  write_config (conf);
  /* polling goes on (every 100 ms): the TCP device is not connected to
   * while the element made from it exists, so the one-client server never
   * refuses that element */
  monitor = start_monitor ();
  devices = senxor_devices (gst_device_monitor_get_devices (monitor));
  fail_unless_equals_int (g_list_length (devices), expected);
  for (GList *l = devices; l; l = l->next, n++)
    play_device (l->data);
  fail_unless_equals_int (n, expected);
  g_list_free_full (devices, gst_object_unref);
  gst_device_monitor_stop (monitor);
  gst_object_unref (monitor);
  senxor_emulator_server_free (server);
  senxor_emulator_server_free (pty);
  senxor_emulator_unref (emu);
}
GST_END_TEST;

GST_START_TEST (test_reconfigure_element)
{
  GstDeviceProvider *provider =
      gst_device_provider_factory_get_by_name ("senxordeviceprovider");
  GList *devices;
  GstElement *src;
  GstElement *other = gst_element_factory_make ("fakesrc", NULL);
  g_autofree gchar *p16 = normalise (EMU_MI16);
  g_autofree gchar *p08 = normalise (EMU_MI08);
  gchar *set = NULL;

  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  devices = senxor_devices (gst_device_provider_get_devices (provider));
  fail_unless_equals_int (g_list_length (devices), 2);
  src = gst_device_create_element (find_by_path (devices, p16), "cam");
  fail_unless (src != NULL);
  fail_unless_equals_string (GST_OBJECT_NAME (src), "cam");
  g_object_set (src, "serial", "182A01001769", NULL);
  fail_unless (gst_device_reconfigure_element (find_by_path (devices, p08), src));
  g_object_get (src, "device", &set, NULL);
  fail_unless_equals_string (set, p08);
  g_free (set);
  g_object_get (src, "serial", &set, NULL);
  fail_unless (set == NULL, "the old serial number stayed: %s", set);
  /* not a senxorsrc: refused */
  fail_if (gst_device_reconfigure_element (devices->data, other));
  gst_object_unref (other);
  gst_object_unref (src);
  g_list_free_full (devices, gst_object_unref);
  gst_object_unref (provider);
}
GST_END_TEST;

/* gst-device-monitor-1.0 shows configured cameras */
GST_START_TEST (test_device_monitor_tool)
{
  g_autofree gchar *tool = g_find_program_in_path ("gst-device-monitor-1.0");
  gchar *argv[] = { NULL, (gchar *) "Video/Source", NULL };
  gchar *out = NULL, *err = NULL;
  gint status = 0;
  GError *error = NULL;

  if (!tool) {
    g_printerr ("gst-device-monitor-1.0 is not installed: tool check not run\n");
    return;
  }
  argv[0] = tool;
  write_config (EMU_MI16 "\n");
  fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
          &status, &error), "%s", error ? error->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "gst-device-monitor-1.0 "
      "failed:\n%s\n%s", out, err);
  fail_unless (strstr (out, "Senxor emulator 'cam16' (MI16, 182A01001769)") != NULL,
      "not listed:\n%s", out);
  fail_unless (strstr (out, "class : Video/Source") != NULL, "%s", out);
  fail_unless (strstr (out, "device.api = senxor") != NULL, "%s", out);
  fail_unless (strstr (out, "width=160, height=120") != NULL, "%s", out);
  if (have_element ("senxorsrc")) {
    /* the launch line it prints plays */
    const gchar *line = strstr (out, "gst-launch-1.0 senxorsrc device=");
    g_autofree gchar *head = NULL;
    g_autofree gchar *desc = NULL;
    GstElement *pipeline;
    GstMessage *msg;
    GstBus *bus;

    fail_unless (line != NULL, "no launch line:\n%s", out);
    line += strlen ("gst-launch-1.0 ");
    fail_unless (strstr (line, " ! ...") != NULL, "%s", line);
    head = g_strndup (line, strstr (line, " ! ...") - line);
    desc = g_strconcat (head, " num-buffers=2 ! fakesink", NULL);
    pipeline = gst_parse_launch (desc, &error);
    fail_unless (pipeline != NULL, "%s: %s", desc, error ? error->message : "");
    fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
        GST_STATE_CHANGE_FAILURE);
    bus = gst_element_get_bus (pipeline);
    msg = gst_bus_timed_pop_filtered (bus, EVENT_TIMEOUT,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS,
        "'%s' did not play to the end", desc);
    gst_message_unref (msg);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    gst_object_unref (bus);
    gst_object_unref (pipeline);
  }
  g_free (out);
  g_free (err);
}
GST_END_TEST;


/* Reads @proc's output into @out until it contains @needle (after @from). */
static void
read_until (GSubprocess *proc, GString *out, gsize from, const gchar *needle)
{
  GInputStream *stream = g_subprocess_get_stdout_pipe (proc);
  GPollableInputStream *pollable = G_POLLABLE_INPUT_STREAM (stream);
  gint64 deadline = g_get_monotonic_time () + EVENT_TIMEOUT / GST_USECOND;

  while (!strstr (out->str + from, needle)) {
    gchar buf[4096];
    gssize n;
    GError *error = NULL;

    fail_unless (g_get_monotonic_time () < deadline, "'%s' never came; output:\n%s",
        needle, out->str);
    n = g_pollable_input_stream_read_nonblocking (pollable, buf, sizeof buf, NULL, &error);
    if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      g_clear_error (&error);
      g_usleep (20 * 1000);
      continue;
    }
    fail_unless (n > 0, "gst-device-monitor-1.0 ended: %s\n%s",
        error ? error->message : "EOF", out->str);
    g_string_append_len (out, buf, n);
  }
}

/* gst-device-monitor-1.0 -f follows cameras as they come and go */
GST_START_TEST (test_device_monitor_tool_follows)
{
  g_autofree gchar *tool = g_find_program_in_path ("gst-device-monitor-1.0");
  GSubprocess *proc;
  GString *out = g_string_new (NULL);
  GError *error = NULL;
  gsize mark;

  if (!tool) {
    g_printerr ("gst-device-monitor-1.0 is not installed: follow check not run\n");
    return;
  }
  write_config (EMU_MI16 "\n");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, tool, "-f",
      "Video/Source", NULL);
  fail_unless (proc != NULL, "%s", error ? error->message : "");
  read_until (proc, out, 0, "Senxor emulator 'cam16'");
  read_until (proc, out, 0, "Monitoring devices");

  mark = out->len;
  write_config (EMU_MI16 "\n" EMU_MI08 "\n");
  read_until (proc, out, mark, "Device found:");
  read_until (proc, out, mark, "name  : Senxor emulator 'cam08' (MI08, 182A01000042)");

  mark = out->len;
  write_config (EMU_MI08 "\n");
  read_until (proc, out, mark, "Device removed:");
  read_until (proc, out, mark, "name  : Senxor emulator 'cam16'");

  g_subprocess_force_exit (proc);
  g_subprocess_wait (proc, NULL, NULL);
  g_object_unref (proc);
  g_string_free (out, TRUE);
}
GST_END_TEST;

static Suite *
deviceprovider_suite (void)
{
  Suite *s = suite_create ("senxordeviceprovider");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_provider_registered);
  tcase_add_test (tc, test_monitor_lists_emulators);
  tcase_add_test (tc, test_environment_devices);
  tcase_add_test (tc, test_probe_without_start);
  tcase_add_test (tc, test_no_probing);
  tcase_add_test (tc, test_nothing_configured);
  tcase_add_test (tc, test_usb_cameras);
  tcase_add_test (tc, test_config_hotplug);
  tcase_add_test (tc, test_polls_only_what_has_no_event);
  tcase_add_test (tc, test_bad_config_keeps_devices);
  tcase_add_test (tc, test_tcp_up_down);
  tcase_add_test (tc, test_pty_up_down);
  tcase_add_test (tc, test_busy_devices_left_alone);
  tcase_add_test (tc, test_device_monitor_tool);
  tcase_add_test (tc, test_device_monitor_tool_follows);

  /* the round trip needs the source element */
  if (have_element ("senxorsrc")) {
    tcase_add_test (tc, test_round_trip);
    tcase_add_test (tc, test_reconfigure_element);
    tcase_add_test (tc, test_made_elements_left_alone);
    tcase_add_test (tc, test_create_element_during_probe);
  } else {
    g_printerr ("senxorsrc is not built: round-trip tests not run\n");
  }
  return s;
}

GST_CHECK_MAIN (deviceprovider);
