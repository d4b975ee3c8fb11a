/* libsenxor: finding Senxor cameras (udev or sysfs, configuration, probing)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * USB cameras: udev (when libsenxor is built with GUdev) or sysfs lists the
 * USB devices with the Senxor vendor id; their attributes and interfaces are
 * then read from sysfs.  Setting SENXOR_SYSFS_ROOT makes the walk read a
 * tree under that directory instead of /sys (the tests build one).
 */
#include "config.h"

#include "senxor/discovery.h"
#include "senxor/error.h"
#include "senxor/session.h"
#include "senxor/registers.h"
#include "senxor/emulator.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_GUDEV
#include <gudev/gudev.h>
#endif

/* ---- descriptions ---- */

void
senxor_device_description_free (SenxorDeviceDescription *d)
{
  if (!d)
    return;
  g_free (d->device);
  g_free (d->id);
  g_free (d->serial);
  g_free (d->display_name);
  g_free (d->bus_path);
  g_free (d->sysfs_path);
  g_free (d->firmware);
  g_free (d->mcu);
  g_free (d);
}

SenxorDeviceDescription *
senxor_device_description_copy (const SenxorDeviceDescription *d)
{
  SenxorDeviceDescription *c = g_new0 (SenxorDeviceDescription, 1);

  *c = *d;
  c->device = g_strdup (d->device);
  c->id = g_strdup (d->id);
  c->serial = g_strdup (d->serial);
  c->display_name = g_strdup (d->display_name);
  c->bus_path = g_strdup (d->bus_path);
  c->sysfs_path = g_strdup (d->sysfs_path);
  c->firmware = g_strdup (d->firmware);
  c->mcu = g_strdup (d->mcu);
  return c;
}

G_DEFINE_BOXED_TYPE (SenxorDeviceDescription, senxor_device_description,
    senxor_device_description_copy, senxor_device_description_free)

gboolean
senxor_device_description_equal (const SenxorDeviceDescription *a,
    const SenxorDeviceDescription *b)
{
  return g_strcmp0 (a->device, b->device) == 0 && g_strcmp0 (a->id, b->id) == 0 &&
      g_strcmp0 (a->serial, b->serial) == 0 && a->module == b->module &&
      g_strcmp0 (a->display_name, b->display_name) == 0;
}

gboolean
senxor_device_description_same (const SenxorDeviceDescription *a,
    const SenxorDeviceDescription *b)
{
  return senxor_device_description_equal (a, b) && a->kind == b->kind &&
      a->vid == b->vid && a->pid == b->pid && g_strcmp0 (a->bus_path, b->bus_path) == 0 &&
      g_strcmp0 (a->sysfs_path, b->sysfs_path) == 0 && a->probed == b->probed &&
      a->probe_status == b->probe_status && g_strcmp0 (a->firmware, b->firmware) == 0 &&
      g_strcmp0 (a->mcu, b->mcu) == 0 && a->module_type == b->module_type;
}

const char *
senxor_probe_status_name (SenxorProbeStatus status)
{
  switch (status) {
    case SENXOR_PROBE_NOT_TRIED:
      return "not-tried";
    case SENXOR_PROBE_OK:
      return "ok";
    case SENXOR_PROBE_BUSY:
      return "busy";
    case SENXOR_PROBE_DENIED:
      return "permission-denied";
    case SENXOR_PROBE_NO_MODULE:
      return "no-module";
    case SENXOR_PROBE_TIMEOUT:
      return "timeout";
    case SENXOR_PROBE_FAILED:
      return "failed";
  }
  return "failed";
}

const char *
senxor_usb_product_name (guint16 vid, guint16 pid)
{
  if (vid != SENXOR_USB_VENDOR_ID)
    return NULL;
  switch (pid) {
    case SENXOR_USB_PRODUCT_EVK:
      return "Senxor EVK";
    case SENXOR_USB_PRODUCT_XPRO:
      return "Senxor XPRO";
    case SENXOR_USB_PRODUCT_XCAM:
      return "Senxor XCAM";
    default:
      return NULL;
  }
}

/* The one naming rule: a name= given in the configuration is the user's
 * choice; else the product (USB) or where the device is, then the module
 * and serial number when known. */
static void
update_display_name (SenxorDeviceDescription *d)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (d->device, NULL);
  const char *name = addr ? senxor_device_address_get_param (addr, "name") : NULL;
  const char *product = senxor_usb_product_name (d->vid, d->pid);
  g_autofree char *base = NULL;

  g_free (d->display_name);
  if (name && *name) {
    d->display_name = g_strdup (name);
    return;
  }
  switch (d->kind) {
    case SENXOR_DEVICE_SERIAL:
    case SENXOR_DEVICE_USB:
      base = product ? g_strdup (product) : addr && addr->path ?
          g_strdup_printf ("Senxor camera at %s", addr->path) : g_strdup ("Senxor camera");
      break;
    case SENXOR_DEVICE_TCP:
      base = addr && addr->host ? g_strdup_printf ("Senxor camera at %s:%u", addr->host,
          addr->port) : g_strdup ("Senxor camera");
      break;
    case SENXOR_DEVICE_EMULATOR:
      base = addr && addr->name ? g_strdup_printf ("Senxor emulator '%s'", addr->name) :
          g_strdup ("Senxor emulator");
      break;
  }
  if (!base)
    base = g_strdup ("Senxor camera");
  if (d->module != SENXOR_MODULE_UNKNOWN && d->serial)
    d->display_name = g_strdup_printf ("%s (%s, %s)", base,
        senxor_module_name (d->module), d->serial);
  else if (d->module != SENXOR_MODULE_UNKNOWN)
    d->display_name = g_strdup_printf ("%s (%s)", base, senxor_module_name (d->module));
  else if (d->serial)
    d->display_name = g_strdup_printf ("%s (%s)", base, d->serial);
  else
    d->display_name = g_strdup (base);
}

/* ---- USB attributes, from udev or sysfs ---- */

typedef struct {
  guint16 vid;
  guint16 pid;
  char *serial;
  char *sysname;                /* "1-2.3" */
  char *syspath;
  char *busnum;
  char *devpath;                /* "2.3" */
} UsbInfo;

static void
usb_info_clear (UsbInfo *u)
{
  g_free (u->serial);
  g_free (u->sysname);
  g_free (u->syspath);
  g_free (u->busnum);
  g_free (u->devpath);
}

static guint16
hex16 (const char *s)
{
  guint64 v = 0;

  if (s)
    g_ascii_string_to_unsigned (g_strstrip ((char *) s), 16, 0, 0xFFFF, &v, NULL);
  return (guint16) v;
}

static SenxorDeviceDescription *
description_for_usb (const UsbInfo *u, SenxorDeviceKind kind, const char *device)
{
  SenxorDeviceDescription *d = g_new0 (SenxorDeviceDescription, 1);

  d->kind = kind;
  d->device = g_strdup (device);
  d->vid = u->vid;
  d->pid = u->pid;
  d->serial = u->serial && u->serial[0] ? g_strdup (u->serial) : NULL;
  d->bus_path = g_strdup (u->sysname);
  d->sysfs_path = g_strdup (u->syspath);
  d->id = d->serial ? g_strdup (d->serial) : u->sysname ?
      g_strconcat ("usb-", u->sysname, NULL) : g_strdup (device);
  update_display_name (d);
  return d;
}

static char *
usb_device_string (const UsbInfo *u)
{
  if (u->busnum && u->devpath)
    return g_strdup_printf ("usb://%u/%s", (guint) atoi (u->busnum), u->devpath);
  return g_strdup_printf ("usb://%04x:%04x%s%s", u->vid, u->pid, u->serial ? ":" : "",
      u->serial ? u->serial : "");
}

/* -- the walk --
 *
 * Only Senxor USB devices are looked at: the USB devices are listed (a few
 * dozen on any machine), those with a Senxor vendor and product id are kept,
 * and only their interfaces are read for a serial port or a CDC data
 * interface without a driver.  Nothing depends on how many ttys the machine
 * has (a server has hundreds of virtual ones). */

static char *
read_attr (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_strchomp (text);
  return text;
}

static gboolean
usb_info_from_sysfs (const char *devdir, UsbInfo *u)
{
  g_autofree char *vid = read_attr (devdir, "idVendor");
  g_autofree char *pid = read_attr (devdir, "idProduct");

  if (!vid || !pid)
    return FALSE;
  u->vid = hex16 (vid);
  u->pid = hex16 (pid);
  u->serial = read_attr (devdir, "serial");
  u->busnum = read_attr (devdir, "busnum");
  u->devpath = read_attr (devdir, "devpath");
  u->sysname = g_path_get_basename (devdir);
  u->syspath = g_strdup (devdir);
  return TRUE;
}

static const char *
sysfs_root (void)
{
  const char *root = g_getenv ("SENXOR_SYSFS_ROOT");

  return root && *root ? root : "/sys";
}

/* The sysfs directories of the Senxor USB devices (usb_device, not
 * interfaces), sorted.  Through udev when libsenxor has GUdev and the real
 * /sys is read: udev matches the vendor id while it lists the usb
 * subsystem; else by listing bus/usb/devices under sysfs_root(). */
static GPtrArray *
senxor_usb_device_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *vendor = g_strdup_printf ("%04x", SENXOR_USB_VENDOR_ID);

#ifdef HAVE_GUDEV
  if (g_getenv ("SENXOR_SYSFS_ROOT") == NULL) {
    /* enumeration only: no subsystems, so no uevent (netlink) socket */
    g_autoptr (GUdevClient) client = g_udev_client_new (NULL);
    g_autoptr (GUdevEnumerator) en = g_udev_enumerator_new (client);
    GList *list;

    g_udev_enumerator_add_match_subsystem (en, "usb");
    g_udev_enumerator_add_match_sysfs_attr (en, "idVendor", vendor);
    list = g_udev_enumerator_execute (en);
    for (GList *l = list; l; l = l->next) {
      GUdevDevice *dev = l->data;

      if (g_strcmp0 (g_udev_device_get_devtype (dev), "usb_device") == 0)
        g_ptr_array_add (dirs, g_strdup (g_udev_device_get_sysfs_path (dev)));
    }
    g_list_free_full (list, g_object_unref);
    g_ptr_array_sort (dirs, (GCompareFunc) g_ascii_strcasecmp);
    return dirs;
  }
#endif
  {
    g_autofree char *busdir = g_build_filename (sysfs_root (), "bus", "usb", "devices",
        NULL);
    g_autoptr (GDir) dir = g_dir_open (busdir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir))) {
      g_autofree char *link = NULL;
      g_autofree char *devdir = NULL;
      g_autofree char *vid = NULL;

      if (strchr (name, ':'))
        continue;               /* an interface */
      link = g_build_filename (busdir, name, NULL);
      devdir = realpath (link, NULL);
      if (devdir && (vid = read_attr (devdir, "idVendor")) &&
          g_ascii_strcasecmp (vid, vendor) == 0)
        g_ptr_array_add (dirs, g_steal_pointer (&devdir));
    }
  }
  g_ptr_array_sort (dirs, (GCompareFunc) g_ascii_strcasecmp);
  return dirs;
}

/* The tty names under interface directory @ifdir: "tty/ttyACM0" (CDC ACM)
 * or "ttyUSB0/tty/ttyUSB0" (USB serial drivers). */
static void
interface_ttys (const char *ifdir, GPtrArray *names)
{
  g_autofree char *ttydir = g_build_filename (ifdir, "tty", NULL);
  g_autoptr (GDir) dir = g_dir_open (ttydir, 0, NULL);
  g_autoptr (GDir) top = NULL;
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  top = g_dir_open (ifdir, 0, NULL);
  while (top && (name = g_dir_read_name (top))) {
    g_autofree char *sub = NULL;

    if (!g_str_has_prefix (name, "tty") || g_str_equal (name, "tty"))
      continue;
    sub = g_build_filename (ifdir, name, "tty", name, NULL);
    if (g_file_test (sub, G_FILE_TEST_IS_DIR))
      g_ptr_array_add (names, g_strdup (name));
  }
}

/* Serial ports and an unbound CDC data interface of the USB device @devdir. */
static void
usb_device_interfaces (const char *devdir, const char *sysname, GPtrArray *ttys,
    gboolean *unbound_data)
{
  g_autoptr (GDir) dir = g_dir_open (devdir, 0, NULL);
  g_autofree char *prefix = g_strconcat (sysname, ":", NULL);
  const char *name;

  *unbound_data = FALSE;
  while (dir && (name = g_dir_read_name (dir))) {
    g_autofree char *ifdir = NULL;
    g_autofree char *cls = NULL;
    g_autofree char *drv = NULL;

    if (!g_str_has_prefix (name, prefix))
      continue;
    ifdir = g_build_filename (devdir, name, NULL);
    interface_ttys (ifdir, ttys);
    cls = read_attr (ifdir, "bInterfaceClass");
    drv = g_build_filename (ifdir, "driver", NULL);
    if (cls && hex16 (cls) == 0x0A && !g_file_test (drv, G_FILE_TEST_EXISTS))
      *unbound_data = TRUE;
  }
  g_ptr_array_sort (ttys, (GCompareFunc) g_strcmp0);
}

static void
discover_usb (SenxorDiscoverFlags flags, GPtrArray *out)
{
  g_autoptr (GPtrArray) dirs = senxor_usb_device_dirs ();

  for (guint i = 0; i < dirs->len; i++) {
    const char *devdir = dirs->pdata[i];
    g_autoptr (GPtrArray) ttys = g_ptr_array_new_with_free_func (g_free);
    gboolean unbound_data;
    UsbInfo u = { 0 };

    if (!usb_info_from_sysfs (devdir, &u) || !senxor_usb_id_is_senxor (u.vid, u.pid)) {
      usb_info_clear (&u);
      continue;
    }
    usb_device_interfaces (devdir, u.sysname, ttys, &unbound_data);
    for (guint t = 0; (flags & SENXOR_DISCOVER_SERIAL) && t < ttys->len; t++) {
      g_autofree char *node = g_strconcat ("/dev/", (char *) ttys->pdata[t], NULL);
      g_ptr_array_add (out, description_for_usb (&u, SENXOR_DEVICE_SERIAL, node));
    }
    if ((flags & SENXOR_DISCOVER_USB) && unbound_data) {
      g_autofree char *device = usb_device_string (&u);
      g_ptr_array_add (out, description_for_usb (&u, SENXOR_DEVICE_USB, device));
    }
    usb_info_clear (&u);
  }
}

/* ---- configuration ---- */

static gboolean
add_configured (GPtrArray *list, const char *entry, const char *default_scheme,
    const char *source, GError **error)
{
  g_autofree char *device = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (SenxorDeviceAddress) addr = NULL;

  if (default_scheme && !strstr (entry, "://") && !g_str_has_prefix (entry, "emulator:"))
    device = g_strconcat (default_scheme, entry, NULL);
  else
    device = g_strdup (entry);
  addr = senxor_device_address_parse (device, &local);
  if (!addr) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT, "%s: %s", source,
        local->message);
    return FALSE;
  }
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (g_ptr_array_index (list, i), addr->uri))
      return TRUE;
  g_ptr_array_add (list, g_strdup (addr->uri));
  return TRUE;
}

static gboolean
add_from_env (GPtrArray *list, const char *var, const char *default_scheme,
    GError **error)
{
  const char *value = g_getenv (var);
  g_auto (GStrv) parts = NULL;

  if (!value)
    return TRUE;
  parts = g_regex_split_simple ("[\\s;]+", value, 0, 0);
  for (guint i = 0; parts[i]; i++) {
    if (parts[i][0] == '\0')
      continue;
    if (!add_configured (list, parts[i], default_scheme, var, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
add_from_file (GPtrArray *list, const char *path, gboolean must_exist, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local)) {
    if (!must_exist && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "Cannot read the device configuration: %s", local->message);
    return FALSE;
  }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    char *line = g_strstrip (lines[i]);
    g_autofree char *source = NULL;

    if (line[0] == '\0' || line[0] == '#')
      continue;
    source = g_strdup_printf ("%s:%u", path, i + 1);
    if (!add_configured (list, line, NULL, source, error))
      return FALSE;
  }
  return TRUE;
}

GStrv
senxor_discover_get_configured (GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  const char *file = g_getenv ("SENXOR_CONFIG");

  if (!add_from_env (list, "SENXOR_TCP_DEVICES", "tcp://", error) ||
      !add_from_env (list, "SENXOR_EMULATORS", "emulator://", error))
    return NULL;
  if (file && *file) {
    if (!add_from_file (list, file, TRUE, error))
      return NULL;
  } else {
    g_autofree char *user = g_build_filename (g_get_user_config_dir (), "senxor",
        "devices.conf", NULL);
    if (!add_from_file (list, user, FALSE, error) ||
        !add_from_file (list, "/etc/senxor/devices.conf", FALSE, error))
      return NULL;
  }
  g_ptr_array_add (list, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&list), FALSE);
}

static SenxorDeviceDescription *
description_for_configured (const SenxorDeviceAddress *addr)
{
  SenxorDeviceDescription *d = g_new0 (SenxorDeviceDescription, 1);
  const char *serial = senxor_device_address_get_param (addr, "serial");
  const char *module = senxor_device_address_get_param (addr, "module");

  d->kind = addr->kind;
  d->device = g_strdup (addr->uri);
  d->serial = serial && *serial ? g_ascii_strup (serial, -1) : NULL;
  d->id = g_strdup (d->serial ? d->serial : addr->uri);
  if (module)
    d->module = senxor_module_from_string (module);
  update_display_name (d);
  return d;
}

/* ---- identity ---- */

static SenxorProbeStatus
status_for_error (const GError *error)
{
  if (error->domain != SENXOR_ERROR)
    return SENXOR_PROBE_FAILED;
  switch (error->code) {
    case SENXOR_ERROR_BUSY:
      return SENXOR_PROBE_BUSY;
    case SENXOR_ERROR_PERMISSION:
      return SENXOR_PROBE_DENIED;
    case SENXOR_ERROR_NO_MODULE:
      return SENXOR_PROBE_NO_MODULE;
    case SENXOR_ERROR_TIMEOUT:
      return SENXOR_PROBE_TIMEOUT;
    default:
      return SENXOR_PROBE_FAILED;
  }
}

/* Everything identity says comes from a SenxorDeviceInfo, whether a session
 * read it or the emulator's registers filled it. */
static void
set_identity (SenxorDeviceDescription *d, const SenxorDeviceInfo *info)
{
  d->probed = TRUE;
  d->probe_status = SENXOR_PROBE_OK;
  d->module = info->module;
  g_free (d->serial);
  d->serial = g_strdup (info->serial);
  g_free (d->id);
  d->id = g_strdup (info->serial);
  g_free (d->firmware);
  d->firmware = g_strdup_printf ("%u.%u.%u", info->fw_major, info->fw_minor, info->fw_build);
  g_free (d->mcu);
  d->mcu = g_strdup (senxor_mcu_type_name (info->mcu_type));
  d->module_type = info->module_type;
}

/* A named emulator that exists already may be streaming to a session of
 * this process: connecting would take it over, so read its registers. */
static gboolean
identify_running_emulator (SenxorDeviceDescription *d)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (d->device, NULL);
  g_autoptr (SenxorEmulator) emu = NULL;
  SenxorDeviceInfo info = { 0 };
  guint8 fw1;

  if (!addr || addr->kind != SENXOR_DEVICE_EMULATOR || !addr->name ||
      !(emu = senxor_emulator_lookup (addr->name)))
    return FALSE;
  fw1 = senxor_emulator_get_register (emu, SENXOR_REG_FW_VERSION_1);
  info.fw_major = fw1 >> 4;
  info.fw_minor = fw1 & 0x0F;
  info.fw_build = senxor_emulator_get_register (emu, SENXOR_REG_FW_VERSION_2);
  info.mcu_type = senxor_emulator_get_register (emu, SENXOR_REG_MCU_TYPE);
  info.senxor_type = senxor_emulator_get_register (emu, SENXOR_REG_SENXOR_TYPE);
  info.module_type = senxor_emulator_get_register (emu, SENXOR_REG_MODULE_TYPE);
  info.module = senxor_emulator_get_module (emu);
  for (guint i = 0; i < G_N_ELEMENTS (info.id); i++)
    info.id[i] = senxor_emulator_get_register (emu, SENXOR_REG_SENXOR_ID_0 + i);
  senxor_serial_format (info.id, info.serial);
  set_identity (d, &info);
  return TRUE;
}

void
senxor_device_description_probe (SenxorDeviceDescription *d, gint64 timeout_us,
    GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;

  g_return_if_fail (d != NULL);
  if (!identify_running_emulator (d)) {
    s = senxor_session_open_full (d->device, timeout_us, cancellable, &error);
    if (!s) {
      g_debug ("probing %s: %s", d->device, error->message);
      d->probe_status = status_for_error (error);
      return;
    }
    set_identity (d, senxor_session_get_info (s));
  }
  update_display_name (d);
}

int
senxor_device_description_compare (gconstpointer pa, gconstpointer pb)
{
  const SenxorDeviceDescription *a = *(SenxorDeviceDescription * const *) pa;
  const SenxorDeviceDescription *b = *(SenxorDeviceDescription * const *) pb;

  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  return g_strcmp0 (a->device, b->device);
}

static gboolean
kind_wanted (SenxorDeviceKind kind, SenxorDiscoverFlags flags)
{
  switch (kind) {
    case SENXOR_DEVICE_SERIAL:
      return flags & SENXOR_DISCOVER_SERIAL;
    case SENXOR_DEVICE_USB:
      return flags & SENXOR_DISCOVER_USB;
    case SENXOR_DEVICE_TCP:
      return flags & SENXOR_DISCOVER_TCP;
    case SENXOR_DEVICE_EMULATOR:
      return flags & SENXOR_DISCOVER_EMULATORS;
  }
  return FALSE;
}

GPtrArray *
senxor_discover_devices (SenxorDiscoverFlags flags, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) senxor_device_description_free);
  g_auto (GStrv) configured = NULL;

  if ((flags & (SENXOR_DISCOVER_SERIAL | SENXOR_DISCOVER_USB)) &&
      !(flags & SENXOR_DISCOVER_CONFIGURED_ONLY))
    discover_usb (flags, out);

  configured = senxor_discover_get_configured (error);
  if (configured == NULL)
    return NULL;
  for (guint i = 0; configured[i]; i++) {
    g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (configured[i],
        NULL);
    gboolean dup = FALSE;

    if (!addr || !kind_wanted (addr->kind, flags))
      continue;
    for (guint j = 0; j < out->len && !dup; j++)
      dup = g_str_equal (((SenxorDeviceDescription *) out->pdata[j])->device, addr->uri);
    if (!dup)
      g_ptr_array_add (out, description_for_configured (addr));
  }

  if (flags & SENXOR_DISCOVER_PROBE)
    for (guint i = 0; i < out->len; i++)
      senxor_device_description_probe (out->pdata[i], SENXOR_PROBE_TIMEOUT_US, NULL);
  g_ptr_array_sort (out, senxor_device_description_compare);
  return g_steal_pointer (&out);
}

static SenxorDeviceDescription *
find_in (GPtrArray *list, const char *serial)
{
  for (guint i = 0; i < list->len; i++) {
    SenxorDeviceDescription *d = list->pdata[i];
    if ((d->serial && g_ascii_strcasecmp (d->serial, serial) == 0) ||
        g_ascii_strcasecmp (d->id, serial) == 0)
      return senxor_device_description_copy (d);
  }
  return NULL;
}

SenxorDeviceDescription *
senxor_discover_find_by_serial (const char *serial, SenxorDiscoverFlags flags,
    GError **error)
{
  g_autoptr (GPtrArray) list = NULL;
  SenxorDeviceDescription *found;
  GString *seen;

  g_return_val_if_fail (serial != NULL, NULL);
  list = senxor_discover_devices (flags & ~SENXOR_DISCOVER_PROBE, error);
  if (!list)
    return NULL;
  if ((found = find_in (list, serial)))
    return found;
  /* the sensor serial is only known to the device itself */
  g_clear_pointer (&list, g_ptr_array_unref);
  list = senxor_discover_devices (flags | SENXOR_DISCOVER_PROBE, error);
  if (!list)
    return NULL;
  if ((found = find_in (list, serial)))
    return found;

  seen = g_string_new (NULL);
  for (guint i = 0; i < list->len; i++) {
    SenxorDeviceDescription *d = list->pdata[i];
    g_string_append_printf (seen, "%s%s (%s)", i ? ", " : "", d->device,
        d->serial ? d->serial : "serial unknown");
  }
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
      "No Senxor camera with serial number %s; found: %s", serial,
      seen->len ? seen->str : "none");
  g_string_free (seen, TRUE);
  return NULL;
}
