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
 * An adapter over libsenxor's #SenxorDeviceMonitor: while started, the
 * monitor runs on a thread with its own main context (it follows udev for
 * USB cameras and watches the configuration files; only what sends no event
 * is polled, every SENXOR_DEVICE_PROVIDER_POLL_MS milliseconds, 2000 by
 * default, 0: never) and its signals become DEVICE_ADDED, DEVICE_REMOVED and
 * DEVICE_CHANGED messages.
 *
 * Each device is of class `Video/Source`; gst_device_create_element() gives
 * a `senxorsrc` with its `device` property set.  Identity (module, firmware,
 * serial number) is read by opening a device once when it appears, only if
 * nobody holds it; nothing is ever posted as an error.  Making an element
 * never waits for a probe: a probe of that device under way is cancelled
 * and its result dropped.  See
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
#include <senxor/senxor.h>

#include "gstsenxordeviceprovider.h"
#include "gstsenxorelements.h"

GST_DEBUG_CATEGORY_STATIC (gst_senxor_device_provider_debug);
#define GST_CAT_DEFAULT gst_senxor_device_provider_debug

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
 * is in an application's hands, so the monitors neither probe it nor
 * connect to it (a one-client TCP bridge would refuse the element while
 * a presence check holds it).  made_lock guards both lists and is only
 * held to copy or change them: never across a probe, a connect or a
 * property read.  Any thread. */
static GMutex made_lock;
static GPtrArray *made_elements;        /* GWeakRef * */
static GPtrArray *running_monitors;     /* SenxorDeviceMonitor *, started */

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/* From now on no monitor opens @device (see element_made_for()); a check
 * of it under way is cancelled, not waited for. */
static void
track_element (GstElement *elem, const gchar *device)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, elem);
  g_mutex_lock (&made_lock);
  if (!made_elements)
    made_elements = g_ptr_array_new_with_free_func ((GDestroyNotify) weak_ref_free);
  g_ptr_array_add (made_elements, ref);
  for (guint i = 0; running_monitors && i < running_monitors->len; i++)
    senxor_device_monitor_release (running_monitors->pdata[i], device);
  g_mutex_unlock (&made_lock);
}

/* The monitors' in-use check: whether an element made from a device of
 * this provider exists for @device. */
static gboolean
element_made_for (const char *device, gpointer user_data)
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
  g_object_set (elem, "device", self->device, NULL);
  track_element (elem, self->device);
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
  g_object_set (element, "device", self->device, "serial", NULL, NULL);
  track_element (element, self->device);
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

/* ---- a description as a GstDevice ---- */

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
device_properties (const SenxorDeviceDescription *d)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (d->device, NULL);
  GstStructure *props = gst_structure_new ("senxordeviceprovider",
      "device.api", G_TYPE_STRING, "senxor",
      "device.path", G_TYPE_STRING, d->device,
      "device.id", G_TYPE_STRING, d->id,
      "senxor.transport", G_TYPE_STRING, senxor_device_kind_name (d->kind),
      "senxor.probe", G_TYPE_STRING, senxor_probe_status_name (d->probe_status),
      NULL);

  if (d->serial)
    gst_structure_set (props, "device.serial", G_TYPE_STRING, d->serial, NULL);
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
  if (d->module != SENXOR_MODULE_UNKNOWN) {
    SenxorFrameLayout layout;

    senxor_frame_layout_for_module (d->module, TRUE, &layout);
    gst_structure_set (props, "senxor.module", G_TYPE_STRING,
        senxor_module_name (d->module), "senxor.width", G_TYPE_INT, (gint) layout.width,
        "senxor.height", G_TYPE_INT, (gint) layout.height, NULL);
  }
  if (d->firmware)
    gst_structure_set (props, "senxor.firmware", G_TYPE_STRING, d->firmware, NULL);
  if (d->mcu)
    gst_structure_set (props, "senxor.mcu", G_TYPE_STRING, d->mcu, NULL);
  if (d->module_type)
    gst_structure_set (props, "senxor.module-type", G_TYPE_UINT, (guint) d->module_type,
        NULL);
  return props;
}

static GstDevice *
build_device (const SenxorDeviceDescription *d)
{
  g_autoptr (GstCaps) caps = device_caps (d->module);
  GstStructure *props = device_properties (d);
  GstDevice *device;

  device = g_object_new (GST_TYPE_SENXOR_DEVICE, "device", d->device,
      "display-name", d->display_name, "caps", caps, "device-class", "Video/Source",
      "properties", props, NULL);
  gst_structure_free (props);
  return gst_object_ref_sink (device);
}

/* ---- the provider ---- */

struct _GstSenxorDeviceProvider
{
  GstDeviceProvider parent;

  /* start() and stop() run under the base class's start lock; the thread
   * owns the monitor and the listed devices while it runs. */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;               /* the monitor made its first scan */

  SenxorDeviceMonitor *monitor;
  GHashTable *listed;           /* device string -> GstDevice */
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

/* A monitor set up from the environment, leaving devices in elements alone. */
static SenxorDeviceMonitor *
new_monitor (void)
{
  SenxorDeviceMonitor *monitor = senxor_device_monitor_new ();

  senxor_device_monitor_set_probe (monitor, env_allows_probing ());
  senxor_device_monitor_set_poll_interval (monitor, env_poll_ms ());
  senxor_device_monitor_set_in_use_func (monitor, element_made_for, NULL, NULL);
  return monitor;
}

static GList *
gst_senxor_device_provider_probe (GstDeviceProvider *provider)
{
  g_autoptr (SenxorDeviceMonitor) monitor = new_monitor ();
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;
  GList *devices = NULL;

  found = senxor_device_monitor_scan (monitor, &error);
  if (!found) {
    GST_WARNING_OBJECT (provider, "device discovery failed: %s", error->message);
    return NULL;
  }
  for (guint i = found->len; i > 0; i--)
    devices = g_list_prepend (devices, build_device (found->pdata[i - 1]));
  return devices;
}

static void
device_added_cb (SenxorDeviceMonitor *monitor, SenxorDeviceDescription *d,
    GstSenxorDeviceProvider *self)
{
  GstDevice *device = build_device (d);

  GST_INFO_OBJECT (self, "added %s", d->display_name);
  g_hash_table_replace (self->listed, g_strdup (d->device), device);
  gst_device_provider_device_add (GST_DEVICE_PROVIDER (self), device);
}

static void
device_removed_cb (SenxorDeviceMonitor *monitor, SenxorDeviceDescription *d,
    GstSenxorDeviceProvider *self)
{
  GstDevice *device = g_hash_table_lookup (self->listed, d->device);

  if (!device)
    return;
  GST_INFO_OBJECT (self, "removed %s", d->display_name);
  gst_device_provider_device_remove (GST_DEVICE_PROVIDER (self), device);
  g_hash_table_remove (self->listed, d->device);
}

static void
device_changed_cb (SenxorDeviceMonitor *monitor, SenxorDeviceDescription *d,
    GstSenxorDeviceProvider *self)
{
  GstDevice *old = g_hash_table_lookup (self->listed, d->device);
  GstDevice *device;

  if (!old)
    return;
  device = build_device (d);
  GST_INFO_OBJECT (self, "changed %s", d->display_name);
  gst_device_provider_device_changed (GST_DEVICE_PROVIDER (self), device, old);
  g_hash_table_replace (self->listed, g_strdup (d->device), device);
}

static void
set_running (SenxorDeviceMonitor *monitor, gboolean running)
{
  g_mutex_lock (&made_lock);
  if (!running_monitors)
    running_monitors = g_ptr_array_new ();
  if (running)
    g_ptr_array_add (running_monitors, monitor);
  else
    g_ptr_array_remove (running_monitors, monitor);
  g_mutex_unlock (&made_lock);
}

static gpointer
provider_thread (gpointer user_data)
{
  GstSenxorDeviceProvider *self = user_data;

  g_main_context_push_thread_default (self->context);
  self->monitor = new_monitor ();
  g_signal_connect (self->monitor, "device-added", G_CALLBACK (device_added_cb), self);
  g_signal_connect (self->monitor, "device-removed", G_CALLBACK (device_removed_cb), self);
  g_signal_connect (self->monitor, "device-changed", G_CALLBACK (device_changed_cb), self);
  set_running (self->monitor, TRUE);
  /* attaches to this thread's context; the first scan happens here */
  senxor_device_monitor_start (self->monitor);

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);

  set_running (self->monitor, FALSE);
  senxor_device_monitor_stop (self->monitor);
  g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
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

  self->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      gst_object_unref);
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
  g_clear_pointer (&self->listed, g_hash_table_unref);
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
