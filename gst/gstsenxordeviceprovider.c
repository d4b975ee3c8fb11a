/* senxordeviceprovider: Senxor thermal cameras for GstDeviceMonitor
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:provider-senxordeviceprovider
 * @title: senxordeviceprovider
 *
 * Lists Senxor (Meridian Innovation MI48xx) thermal cameras for
 * #GstDeviceMonitor and `gst-device-monitor-1.0`: USB serial ports of
 * vendor 0x0416 products 0xB002 (EVK), 0xB020 (XPRO) and 0x9393 (XCAM),
 * Senxor USB devices without a bound driver (libusb), and the TCP devices,
 * serial ports and emulators named in the configuration (SENXOR_TCP_DEVICES,
 * SENXOR_EMULATORS, devices.conf: see docs/devices.md).
 *
 * While started, a thread with its own main context follows udev (tty and
 * usb subsystems) for USB cameras and watches the configuration files,
 * posting DEVICE_ADDED, DEVICE_REMOVED and DEVICE_CHANGED messages.  Only
 * what sends no event is polled, every SENXOR_DEVICE_PROVIDER_POLL_MS
 * milliseconds (2000 by default; 0: never): the presence of configured TCP
 * devices and serial ports.
 *
 * Each device is of class `Video/Source`; gst_device_create_element() gives
 * a `senxorsrc` with its `device` property set.  Identity (module, firmware,
 * serial number) is read by opening a device once when it appears, only if
 * nobody holds it; nothing is ever posted as an error.  See
 * docs/elements/deviceprovider.md.
 *
 * ## Example
 * |[
 * SENXOR_EMULATORS="emulator://?module=mi16" gst-device-monitor-1.0 Video/Source
 * ]| Lists the emulated camera with its caps and properties.
 */

#include "config.h"

#include <string.h>

#include <gst/video/video.h>
#include <senxor/discovery.h>
#include <senxor/senxor.h>

#ifdef HAVE_GUDEV
#include <gudev/gudev.h>
#endif

#include "device-probe.h"
#include "gstsenxordeviceprovider.h"
#include "gstsenxorelements.h"

GST_DEBUG_CATEGORY_STATIC (gst_senxor_device_provider_debug);
#define GST_CAT_DEFAULT gst_senxor_device_provider_debug

/* Register requests of an identity probe wait this long: a silent device
 * costs one such wait. */
#define IDENTIFY_TIMEOUT_US (500 * 1000)
/* A bare TCP connect gets this long to succeed. */
#define TCP_PRESENCE_TIMEOUT_MS 1000
/* udev events come in bursts (usb device, interfaces, tty): one rescan
 * after the burst. */
#define UDEV_SETTLE_MS 150
/* an editor saves a file in several steps: one rescan after them */
#define CONFIG_SETTLE_MS 100

/* ---- the device ---- */

struct _GstSenxorDevice
{
  GstDevice parent;

  gchar *device;
};

enum
{
  PROP_DEVICE_0,
  PROP_DEVICE_DEVICE,
};

G_DEFINE_TYPE (GstSenxorDevice, gst_senxor_device, GST_TYPE_DEVICE);

/* Elements made by create_element() and reconfigure_element(), as weak
 * references: the device they point at (their current "device" property)
 * is in an application's hands, so the provider neither probes it nor
 * connects to it (a one-client TCP bridge would refuse the element while
 * a presence check holds it).  Any thread. */
static GMutex made_lock;
static GPtrArray *made_elements;        /* GWeakRef * */
/* Held while the provider looks whether an element has a device and then
 * connects to it (presence check, identity probe), and while an element is
 * pointed at a device: an element made while a probe runs waits for the
 * probe to let the device go, and no probe starts on a device an element
 * has.  Taken before made_lock. */
static GMutex probe_lock;

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

static void
track_element (GstElement *elem)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, elem);
  g_mutex_lock (&made_lock);
  if (!made_elements)
    made_elements = g_ptr_array_new_with_free_func ((GDestroyNotify) weak_ref_free);
  g_ptr_array_add (made_elements, ref);
  g_mutex_unlock (&made_lock);
}

/* Whether an element made from a device of this provider exists for @device. */
static gboolean
element_made_for (const char *device)
{
  g_autoptr (GPtrArray) alive = g_ptr_array_new_with_free_func (gst_object_unref);
  gboolean found = FALSE;

  g_mutex_lock (&made_lock);
  for (guint i = made_elements ? made_elements->len : 0; i > 0; i--) {
    GObject *obj = g_weak_ref_get (g_ptr_array_index (made_elements, i - 1));

    if (obj)
      g_ptr_array_add (alive, obj);
    else
      g_ptr_array_remove_index_fast (made_elements, i - 1);
  }
  g_mutex_unlock (&made_lock);

  /* their properties are read without our lock held */
  for (guint i = 0; i < alive->len && !found; i++) {
    g_autofree gchar *d = NULL;

    g_object_get (g_ptr_array_index (alive, i), "device", &d, NULL);
    found = g_strcmp0 (d, device) == 0;
  }
  return found;
}

static GstElement *
gst_senxor_device_create_element (GstDevice *device, const gchar *name)
{
  GstSenxorDevice *self = GST_SENXOR_DEVICE (device);
  GstElement *elem = gst_element_factory_make ("senxorsrc", name);

  if (!elem) {
    GST_WARNING_OBJECT (self, "the senxorsrc element is not available");
    return NULL;
  }
  g_mutex_lock (&probe_lock);
  g_object_set (elem, "device", self->device, NULL);
  track_element (elem);
  g_mutex_unlock (&probe_lock);
  return elem;
}

static gboolean
gst_senxor_device_reconfigure_element (GstDevice *device, GstElement *element)
{
  GstSenxorDevice *self = GST_SENXOR_DEVICE (device);
  GstElementFactory *factory = gst_element_get_factory (element);

  if (!factory || g_strcmp0 (GST_OBJECT_NAME (factory), "senxorsrc") != 0)
    return FALSE;
  /* a serial number left from an earlier camera would not match this one */
  g_mutex_lock (&probe_lock);
  g_object_set (element, "device", self->device, "serial", NULL, NULL);
  track_element (element);
  g_mutex_unlock (&probe_lock);
  return TRUE;
}

static void
gst_senxor_device_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSenxorDevice *self = GST_SENXOR_DEVICE (object);

  switch (prop_id) {
    case PROP_DEVICE_DEVICE:
      self->device = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_senxor_device_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSenxorDevice *self = GST_SENXOR_DEVICE (object);

  switch (prop_id) {
    case PROP_DEVICE_DEVICE:
      g_value_set_string (value, self->device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_senxor_device_finalize (GObject *object)
{
  GstSenxorDevice *self = GST_SENXOR_DEVICE (object);

  g_free (self->device);
  G_OBJECT_CLASS (gst_senxor_device_parent_class)->finalize (object);
}

static void
gst_senxor_device_class_init (GstSenxorDeviceClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstDeviceClass *device_class = GST_DEVICE_CLASS (klass);

  gobject_class->set_property = gst_senxor_device_set_property;
  gobject_class->get_property = gst_senxor_device_get_property;
  gobject_class->finalize = gst_senxor_device_finalize;
  device_class->create_element = gst_senxor_device_create_element;
  device_class->reconfigure_element = gst_senxor_device_reconfigure_element;

  g_object_class_install_property (gobject_class, PROP_DEVICE_DEVICE,
      g_param_spec_string ("device", "Device",
          "The device string senxorsrc opens (its device property)", NULL,
          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
}

static void
gst_senxor_device_init (GstSenxorDevice *self)
{
}

/* ---- what is known about each device ---- */

/* One device discovery listed, whether present or not.  Owned by whoever
 * scans: the provider thread while started, probe() otherwise. */
typedef struct
{
  SenxorDeviceDescription *desc;
  DeviceIdentity identity;
  /* the identity probe ran during this appearance: it is not repeated, so
   * a camera someone opens later is never raced for */
  gboolean identity_tried;
  gboolean present;
  /* the device as listed (a reference), NULL while not present */
  GstDevice *device;
  guint generation;
} Entry;

static void
entry_free (Entry *e)
{
  senxor_device_description_free (e->desc);
  device_identity_clear (&e->identity);
  if (e->device)
    gst_object_unref (e->device);
  g_free (e);
}

typedef struct
{
  GHashTable *entries;          /* device string -> Entry */
  guint generation;
  gboolean identify;            /* may open devices to read their identity */
} Scanner;

static void
scanner_init (Scanner *scanner, gboolean identify)
{
  scanner->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) entry_free);
  scanner->generation = 0;
  scanner->identify = identify;
}

static void
scanner_clear (Scanner *scanner)
{
  g_clear_pointer (&scanner->entries, g_hash_table_unref);
}

/* ---- presence and identity ---- */

static gboolean
is_configured_serial (const SenxorDeviceDescription *d)
{
  /* udev and sysfs give USB ids; a tty from the configuration has none */
  return d->kind == SENXOR_DEVICE_SERIAL && d->vid == 0;
}

static gboolean
check_tcp_presence (const char *device, const SenxorDeviceAddress *addr)
{
  gboolean present;

  g_mutex_lock (&probe_lock);
  if (element_made_for (device)) {
    GST_LOG ("%s is in an element made from it: present, not probed", device);
    present = TRUE;
  } else if (device_probe_tcp_in_use (addr->host, addr->port)) {
    GST_LOG ("%s is connected to from this host: present, not probed", device);
    present = TRUE;
  } else {
    present = device_probe_tcp_reachable (addr->host, addr->port,
        TCP_PRESENCE_TIMEOUT_MS);
  }
  g_mutex_unlock (&probe_lock);
  return present;
}

/* Whether the device is there now.  @check_network: TCP devices are
 * connected to (bare connect, nothing sent) unless something on this host
 * is already connected to them; otherwise their last state stands. */
static gboolean
check_presence (Entry *e, gboolean is_new, gboolean check_network)
{
  SenxorDeviceDescription *d = e->desc;
  g_autoptr (SenxorDeviceAddress) addr = NULL;

  switch (d->kind) {
    case SENXOR_DEVICE_USB:
    case SENXOR_DEVICE_EMULATOR:
      return TRUE;
    case SENXOR_DEVICE_SERIAL:
      if (!is_configured_serial (d))
        return TRUE;
      addr = senxor_device_address_parse (d->device, NULL);
      /* follows symlinks: an emulator's link to its pty counts when the pty does */
      return addr && addr->path && g_file_test (addr->path, G_FILE_TEST_EXISTS);
    case SENXOR_DEVICE_TCP:
      if (!is_new && !check_network)
        return e->present;
      addr = senxor_device_address_parse (d->device, NULL);
      if (!addr || !addr->host)
        return FALSE;
      return check_tcp_presence (d->device, addr);
  }
  return FALSE;
}

static void
identify (Scanner *scanner, Entry *e)
{
  g_autoptr (SenxorDeviceAddress) addr = NULL;

  e->identity_tried = TRUE;
  device_identity_clear (&e->identity);
  if (!scanner->identify)
    return;
  g_mutex_lock (&probe_lock);
  /* an application has it (an element may be opening it right now) */
  if (element_made_for (e->desc->device)) {
    g_mutex_unlock (&probe_lock);
    return;
  }
  /* a TCP device someone on this host streams from is left alone */
  if (e->desc->kind == SENXOR_DEVICE_TCP) {
    addr = senxor_device_address_parse (e->desc->device, NULL);
    if (!addr || !addr->host || device_probe_tcp_in_use (addr->host, addr->port)) {
      g_mutex_unlock (&probe_lock);
      return;
    }
  }
  device_probe_identify (e->desc->device, IDENTIFY_TIMEOUT_US, &e->identity);
  g_mutex_unlock (&probe_lock);
  GST_DEBUG ("%s: identity probe %s (module %s, serial %s, firmware %s)",
      e->desc->device, device_probe_status_name (e->identity.status),
      senxor_module_name (e->identity.module), GST_STR_NULL (e->identity.serial),
      GST_STR_NULL (e->identity.firmware));
}

/* ---- the GstDevice for an entry ---- */

static SenxorModule
entry_module (const Entry *e)
{
  return e->identity.module != SENXOR_MODULE_UNKNOWN ? e->identity.module : e->desc->module;
}

static const char *
entry_serial (const Entry *e)
{
  return e->identity.serial ? e->identity.serial : e->desc->serial;
}

static gchar *
display_name (const Entry *e, const SenxorDeviceAddress *addr)
{
  const SenxorDeviceDescription *d = e->desc;
  const char *name = addr ? senxor_device_address_get_param (addr, "name") : NULL;
  SenxorModule module = entry_module (e);
  const char *serial = entry_serial (e);
  const char *product;
  g_autofree gchar *base = NULL;

  /* a name given in the configuration is the user's choice */
  if (name && *name)
    return g_strdup (name);
  switch (d->kind) {
    case SENXOR_DEVICE_SERIAL:
    case SENXOR_DEVICE_USB:
      product = senxor_usb_product_name (d->vid, d->pid);
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
  if (module != SENXOR_MODULE_UNKNOWN && serial)
    return g_strdup_printf ("%s (%s, %s)", base, senxor_module_name (module), serial);
  if (module != SENXOR_MODULE_UNKNOWN)
    return g_strdup_printf ("%s (%s)", base, senxor_module_name (module));
  if (serial)
    return g_strdup_printf ("%s (%s)", base, serial);
  return g_steal_pointer (&base);
}

static GstStructure *
caps_structure_for_module (SenxorModule module)
{
  SenxorFrameLayout layout;
  gint n, d;

  senxor_frame_layout_for_module (module, TRUE, &layout);
  gst_util_double_to_fraction (senxor_module_fps_max (module), &n, &d);
  return gst_structure_new ("video/x-raw",
      "format", G_TYPE_STRING, "GRAY16_LE",
      "width", G_TYPE_INT, (gint) layout.width,
      "height", G_TYPE_INT, (gint) layout.height,
      "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, n, d,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
}

/* The module's geometry when known, else every geometry a Senxor has. */
static GstCaps *
device_caps (SenxorModule module)
{
  static const SenxorModule all[] = {
    SENXOR_MODULE_MI08, SENXOR_MODULE_MI16, SENXOR_MODULE_MI05,
  };
  GstCaps *caps = gst_caps_new_empty ();

  if (module != SENXOR_MODULE_UNKNOWN) {
    gst_caps_append_structure (caps, caps_structure_for_module (module));
    return caps;
  }
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    gst_caps_append_structure (caps, caps_structure_for_module (all[i]));
  return caps;
}

static GstStructure *
device_properties (const Entry *e, const SenxorDeviceAddress *addr)
{
  const SenxorDeviceDescription *d = e->desc;
  SenxorModule module = entry_module (e);
  const char *serial = entry_serial (e);
  GstStructure *props = gst_structure_new ("senxordeviceprovider",
      "device.api", G_TYPE_STRING, "senxor",
      "device.path", G_TYPE_STRING, d->device,
      "device.id", G_TYPE_STRING, e->identity.serial ? e->identity.serial : d->id,
      "senxor.transport", G_TYPE_STRING, senxor_device_kind_name (d->kind),
      "senxor.probe", G_TYPE_STRING, device_probe_status_name (e->identity.status),
      NULL);

  if (serial)
    gst_structure_set (props, "device.serial", G_TYPE_STRING, serial, NULL);
  if (d->vid || d->pid) {
    g_autofree gchar *vid = g_strdup_printf ("%04x", d->vid);
    g_autofree gchar *pid = g_strdup_printf ("%04x", d->pid);
    const char *product = senxor_usb_product_name (d->vid, d->pid);

    gst_structure_set (props, "device.bus", G_TYPE_STRING, "usb",
        "device.vendor.id", G_TYPE_STRING, vid,
        "device.product.id", G_TYPE_STRING, pid,
        "device.vendor.name", G_TYPE_STRING, "Meridian Innovation", NULL);
    if (product)
      gst_structure_set (props, "device.product.name", G_TYPE_STRING, product, NULL);
  }
  if (d->bus_path)
    gst_structure_set (props, "device.bus_path", G_TYPE_STRING, d->bus_path, NULL);
  if (d->sysfs_path)
    gst_structure_set (props, "sysfs.path", G_TYPE_STRING, d->sysfs_path, NULL);
  if (d->kind == SENXOR_DEVICE_TCP && addr && addr->host)
    gst_structure_set (props, "senxor.host", G_TYPE_STRING, addr->host,
        "senxor.port", G_TYPE_UINT, (guint) addr->port, NULL);
  if (module != SENXOR_MODULE_UNKNOWN) {
    SenxorFrameLayout layout;

    senxor_frame_layout_for_module (module, TRUE, &layout);
    gst_structure_set (props, "senxor.module", G_TYPE_STRING, senxor_module_name (module),
        "senxor.width", G_TYPE_INT, (gint) layout.width,
        "senxor.height", G_TYPE_INT, (gint) layout.height, NULL);
  }
  if (e->identity.firmware)
    gst_structure_set (props, "senxor.firmware", G_TYPE_STRING, e->identity.firmware, NULL);
  if (e->identity.mcu)
    gst_structure_set (props, "senxor.mcu", G_TYPE_STRING, e->identity.mcu, NULL);
  if (e->identity.module_type)
    gst_structure_set (props, "senxor.module-type", G_TYPE_UINT,
        (guint) e->identity.module_type, NULL);
  return props;
}

static GstDevice *
build_device (const Entry *e)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (e->desc->device, NULL);
  g_autofree gchar *name = display_name (e, addr);
  g_autoptr (GstCaps) caps = device_caps (entry_module (e));
  GstStructure *props = device_properties (e, addr);
  GstDevice *device;

  device = g_object_new (GST_TYPE_SENXOR_DEVICE, "device", e->desc->device,
      "display-name", name, "caps", caps, "device-class", "Video/Source",
      "properties", props, NULL);
  gst_structure_free (props);
  return device;
}

static gboolean
devices_equal (GstDevice *a, GstDevice *b)
{
  g_autofree gchar *na = gst_device_get_display_name (a);
  g_autofree gchar *nb = gst_device_get_display_name (b);
  g_autoptr (GstCaps) ca = gst_device_get_caps (a);
  g_autoptr (GstCaps) cb = gst_device_get_caps (b);
  GstStructure *pa = gst_device_get_properties (a);
  GstStructure *pb = gst_device_get_properties (b);
  gboolean equal = g_strcmp0 (na, nb) == 0 && gst_caps_is_strictly_equal (ca, cb) &&
      gst_structure_is_equal (pa, pb);

  gst_structure_free (pa);
  gst_structure_free (pb);
  return equal;
}

/* ---- scanning ---- */

static void
report_add (GstDeviceProvider *provider, GstDevice *device)
{
  g_autofree gchar *name = gst_device_get_display_name (device);

  GST_INFO_OBJECT (provider, "added %s", name);
  gst_device_provider_device_add (provider, device);
}

static void
report_remove (GstDeviceProvider *provider, GstDevice *device)
{
  g_autofree gchar *name = gst_device_get_display_name (device);

  GST_INFO_OBJECT (provider, "removed %s", name);
  gst_device_provider_device_remove (provider, device);
}

/* Bring @e's listed device in line with what is known; @provider NULL
 * (probe()) only updates @e. */
static void
entry_update_device (GstDeviceProvider *provider, Entry *e)
{
  GstDevice *device;

  if (!e->present) {
    if (e->device) {
      if (provider)
        report_remove (provider, e->device);
      g_clear_pointer (&e->device, gst_object_unref);
    }
    return;
  }
  device = gst_object_ref_sink (build_device (e));
  if (!e->device) {
    e->device = device;
    if (provider)
      report_add (provider, device);
  } else if (!devices_equal (e->device, device)) {
    GST_INFO_OBJECT (provider, "changed %s", e->desc->device);
    if (provider)
      gst_device_provider_device_changed (provider, device, e->device);
    gst_object_unref (e->device);
    e->device = device;
  } else {
    gst_object_unref (device);
  }
}

/* One pass: discovery lists what might be there, presence and identity are
 * checked, listed devices follow.  Returns FALSE when the configuration
 * could not be read (everything stays as it was). */
static gboolean
scanner_rescan (Scanner *scanner, GstDeviceProvider *provider, gboolean walk_usb,
    gboolean check_network)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = NULL;
  GHashTableIter iter;
  Entry *e;

  GST_DEBUG ("scan (USB walk: %s, network checks: %s)", walk_usb ? "yes" : "no",
      check_network ? "yes" : "no");
  found = senxor_discover_devices (SENXOR_DISCOVER_ALL |
      (walk_usb ? 0 : SENXOR_DISCOVER_CONFIGURED_ONLY), &error);

  if (!found) {
    /* a bad configuration line must not make every camera vanish */
    GST_WARNING ("device discovery failed, keeping the current list: %s",
        error->message);
    return FALSE;
  }
  scanner->generation++;

  for (guint i = 0; i < found->len; i++) {
    SenxorDeviceDescription *d = found->pdata[i];
    gboolean is_new = FALSE;

    e = g_hash_table_lookup (scanner->entries, d->device);
    if (e && (!senxor_device_description_equal (e->desc, d) ||
            g_strcmp0 (e->desc->sysfs_path, d->sysfs_path) != 0)) {
      /* another camera under the same name (a tty reused after a replug) */
      e->present = FALSE;
      entry_update_device (provider, e);
      g_hash_table_remove (scanner->entries, d->device);
      e = NULL;
    }
    if (!e) {
      e = g_new0 (Entry, 1);
      e->desc = senxor_device_description_copy (d);
      g_hash_table_insert (scanner->entries, g_strdup (d->device), e);
      is_new = TRUE;
    }
    e->generation = scanner->generation;
    e->present = check_presence (e, is_new, check_network);
    if (!e->present)
      e->identity_tried = FALSE;        /* ask again when it comes back */
    else if (!e->identity_tried)
      identify (scanner, e);
    entry_update_device (provider, e);
  }

  /* what discovery no longer lists is gone; USB cameras stay as they are
   * when USB was not walked */
  g_hash_table_iter_init (&iter, scanner->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e)) {
    if (e->generation == scanner->generation || (!walk_usb && e->desc->vid != 0))
      continue;
    e->present = FALSE;
    entry_update_device (provider, e);
    g_hash_table_iter_remove (&iter);
  }
  return TRUE;
}

/* ---- the provider ---- */

struct _GstSenxorDeviceProvider
{
  GstDeviceProvider parent;

  /* start() and stop() run under the base class's start lock; the thread
   * owns everything below the line while it runs. */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;               /* the thread made its first scan */

  Scanner scanner;
  guint poll_ms;
  /* USB changes come as udev events, unless the walk reads a tree that
   * sends none (SENXOR_SYSFS_ROOT, or no GUdev): then the poll walks it */
  gboolean poll_usb;
  GSource *poll_source;         /* armed only while something needs polling */
  GSource *settle_source;       /* a rescan after a burst of udev events */
  GSource *config_source;       /* a rescan after the configuration changed */
  GPtrArray *config_monitors;   /* GFileMonitor */
#ifdef HAVE_GUDEV
  GUdevClient *udev;
#endif
};

G_DEFINE_TYPE (GstSenxorDeviceProvider, gst_senxor_device_provider,
    GST_TYPE_DEVICE_PROVIDER);
GST_DEVICE_PROVIDER_REGISTER_DEFINE (senxordeviceprovider, "senxordeviceprovider",
    GST_RANK_PRIMARY, GST_TYPE_SENXOR_DEVICE_PROVIDER);

static gboolean
env_allows_probing (void)
{
  const char *v = g_getenv (GST_SENXOR_DEVICE_PROVIDER_PROBE_ENV);

  return !(v && (g_str_equal (v, "0") || g_ascii_strcasecmp (v, "no") == 0 ||
          g_ascii_strcasecmp (v, "false") == 0));
}

static guint
env_poll_ms (void)
{
  const char *v = g_getenv (GST_SENXOR_DEVICE_PROVIDER_POLL_ENV);
  guint64 ms;

  if (!v || !*v)
    return GST_SENXOR_DEVICE_PROVIDER_DEFAULT_POLL_MS;
  if (!g_ascii_string_to_unsigned (v, 10, 0, 3600 * 1000, &ms, NULL)) {
    GST_WARNING ("%s=%s is not a number of milliseconds (0 .. 3600000); using %u",
        GST_SENXOR_DEVICE_PROVIDER_POLL_ENV, v, GST_SENXOR_DEVICE_PROVIDER_DEFAULT_POLL_MS);
    return GST_SENXOR_DEVICE_PROVIDER_DEFAULT_POLL_MS;
  }
  return (guint) ms;
}

static GList *
gst_senxor_device_provider_probe (GstDeviceProvider *provider)
{
  Scanner scanner;
  GList *devices = NULL;
  GHashTableIter iter;
  Entry *e;

  scanner_init (&scanner, env_allows_probing ());
  scanner_rescan (&scanner, NULL, TRUE, TRUE);
  g_hash_table_iter_init (&iter, scanner.entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e))
    if (e->device)
      devices = g_list_prepend (devices, gst_object_ref (e->device));
  scanner_clear (&scanner);
  return devices;
}

/* What has no event to follow: TCP devices (presence is a connect) and
 * configured serial ports (a path that comes and goes); USB too when the
 * walk reads a tree that sends no events. */
static gboolean
needs_poll (GstSenxorDeviceProvider *self)
{
  GHashTableIter iter;
  Entry *e;

  if (self->poll_ms == 0)
    return FALSE;
  if (self->poll_usb)
    return TRUE;
  g_hash_table_iter_init (&iter, self->scanner.entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e))
    if (e->desc->kind == SENXOR_DEVICE_TCP || is_configured_serial (e->desc))
      return TRUE;
  return FALSE;
}

static void
destroy_source (GSource **source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

static gboolean poll_cb (gpointer user_data);

/* Every scan on the provider thread goes through here: the poll is armed
 * or disarmed after it, so nothing runs while nothing can change unseen. */
static void
rescan (GstSenxorDeviceProvider *self, gboolean walk_usb, gboolean check_network)
{
  scanner_rescan (&self->scanner, GST_DEVICE_PROVIDER (self), walk_usb, check_network);
  if (needs_poll (self) && !self->poll_source) {
    self->poll_source = g_timeout_source_new (self->poll_ms);
    g_source_set_callback (self->poll_source, poll_cb, self, NULL);
    g_source_attach (self->poll_source, self->context);
    GST_DEBUG_OBJECT (self, "polling every %u ms", self->poll_ms);
  } else if (!needs_poll (self) && self->poll_source) {
    destroy_source (&self->poll_source);
    GST_DEBUG_OBJECT (self, "nothing to poll");
  }
}

static gboolean
poll_cb (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  /* rescan() may disarm this very source: keep it alive until we return */
  g_autoptr (GSource) source = g_source_ref (self->poll_source);

  rescan (self, self->poll_usb, TRUE);
  return g_source_is_destroyed (source) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Runs @func once, @ms after the first of a burst of calls. */
static void
settle (GstSenxorDeviceProvider *self, GSource **source, guint ms, GSourceFunc func)
{
  if (*source)
    return;
  *source = g_timeout_source_new (ms);
  g_source_set_callback (*source, func, self, NULL);
  g_source_attach (*source, self->context);
}

static gboolean
config_settled_cb (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  g_clear_pointer (&self->config_source, g_source_unref);
  rescan (self, FALSE, TRUE);
  return G_SOURCE_REMOVE;
}

static void
config_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other,
    GFileMonitorEvent event, gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  GST_LOG_OBJECT (self, "configuration file event %d", event);
  settle (self, &self->config_source, CONFIG_SETTLE_MS, config_settled_cb);
}

/* The configuration files discovery reads (docs/devices.md), watched with
 * inotify through GIO; a file that does not exist yet is watched too. */
static void
watch_configuration (GstSenxorDeviceProvider *self)
{
  const gchar *env = g_getenv ("SENXOR_CONFIG");
  g_autofree gchar *user = g_build_filename (g_get_user_config_dir (), "senxor",
      "devices.conf", NULL);
  const gchar *paths[] = { NULL, NULL, NULL };

  if (env && *env) {
    paths[0] = env;
  } else {
    paths[0] = user;
    paths[1] = "/etc/senxor/devices.conf";
  }
  self->config_monitors = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; paths[i]; i++) {
    g_autoptr (GFile) file = g_file_new_for_path (paths[i]);
    g_autoptr (GError) error = NULL;
    GFileMonitor *monitor = g_file_monitor_file (file, G_FILE_MONITOR_WATCH_MOVES, NULL,
        &error);

    if (!monitor) {
      GST_WARNING_OBJECT (self, "cannot watch %s for changes: %s", paths[i],
          error->message);
      continue;
    }
    g_signal_connect (monitor, "changed", G_CALLBACK (config_changed_cb), self);
    g_ptr_array_add (self->config_monitors, monitor);
  }
}

static void
unwatch_configuration (GstSenxorDeviceProvider *self)
{
  for (guint i = 0; self->config_monitors && i < self->config_monitors->len; i++) {
    GFileMonitor *monitor = self->config_monitors->pdata[i];

    g_signal_handlers_disconnect_by_data (monitor, self);
    g_file_monitor_cancel (monitor);
  }
  g_clear_pointer (&self->config_monitors, g_ptr_array_unref);
}

#ifdef HAVE_GUDEV
static gboolean
settle_cb (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  g_clear_pointer (&self->settle_source, g_source_unref);
  rescan (self, TRUE, FALSE);
  return G_SOURCE_REMOVE;
}

static void
uevent_cb (GUdevClient *client, const gchar *action, GUdevDevice *device,
    gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  GST_LOG_OBJECT (self, "uevent %s %s", action, g_udev_device_get_sysfs_path (device));
  settle (self, &self->settle_source, UDEV_SETTLE_MS, settle_cb);
}
#endif

static gpointer
provider_thread (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  g_main_context_push_thread_default (self->context);
#ifdef HAVE_GUDEV
  {
    /* created here so that its events arrive in this thread's context */
    const gchar *subsystems[] = { "tty", "usb", NULL };
    self->udev = g_udev_client_new (subsystems);
    g_signal_connect (self->udev, "uevent", G_CALLBACK (uevent_cb), self);
  }
#endif
  watch_configuration (self);

  rescan (self, TRUE, TRUE);

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  destroy_source (&self->poll_source);
  destroy_source (&self->settle_source);
  destroy_source (&self->config_source);
  unwatch_configuration (self);
#ifdef HAVE_GUDEV
  g_signal_handlers_disconnect_by_data (self->udev, self);
  g_clear_object (&self->udev);
#endif
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
quit_cb (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  g_main_loop_quit (self->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
gst_senxor_device_provider_start (GstDeviceProvider *provider)
{
  GstSenxorDeviceProvider *self = GST_SENXOR_DEVICE_PROVIDER (provider);

  scanner_init (&self->scanner, env_allows_probing ());
  self->poll_ms = env_poll_ms ();
#ifdef HAVE_GUDEV
  self->poll_usb = g_getenv ("SENXOR_SYSFS_ROOT") != NULL;
#else
  self->poll_usb = TRUE;
#endif
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->ready = FALSE;
  self->thread = g_thread_new ("senxor-devices", provider_thread, self);

  /* the devices present now are listed when start() returns */
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  GST_DEBUG_OBJECT (self, "started");
  return TRUE;
}

static void
gst_senxor_device_provider_stop (GstDeviceProvider *provider)
{
  GstSenxorDeviceProvider *self = GST_SENXOR_DEVICE_PROVIDER (provider);

  GSource *quit;

  if (!self->thread)
    return;
  /* through the context: a g_main_loop_quit() before the thread reached
   * g_main_loop_run() would be lost */
  quit = g_idle_source_new ();
  g_source_set_callback (quit, quit_cb, self, NULL);
  g_source_attach (quit, self->context);
  g_source_unref (quit);
  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  /* the base class drops the listed devices after this */
  scanner_clear (&self->scanner);
  GST_DEBUG_OBJECT (self, "stopped");
}

static void
gst_senxor_device_provider_finalize (GObject *object)
{
  GstSenxorDeviceProvider *self = GST_SENXOR_DEVICE_PROVIDER (object);

  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (gst_senxor_device_provider_parent_class)->finalize (object);
}

static void
gst_senxor_device_provider_class_init (GstSenxorDeviceProviderClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstDeviceProviderClass *dm_class = GST_DEVICE_PROVIDER_CLASS (klass);

  gobject_class->finalize = gst_senxor_device_provider_finalize;
  dm_class->probe = gst_senxor_device_provider_probe;
  dm_class->start = gst_senxor_device_provider_start;
  dm_class->stop = gst_senxor_device_provider_stop;

  gst_device_provider_class_set_static_metadata (dm_class,
      "Senxor thermal camera provider", "Source/Video",
      "Lists Senxor (MI48xx) thermal cameras: USB serial ports with hotplug, "
      "configured TCP devices and emulators",
      "senxor-gst developers");

  GST_DEBUG_CATEGORY_INIT (gst_senxor_device_provider_debug, "senxordeviceprovider", 0,
      "Senxor device provider");
}

static void
gst_senxor_device_provider_init (GstSenxorDeviceProvider *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}
