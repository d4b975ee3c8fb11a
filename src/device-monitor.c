/* libsenxor: following Senxor cameras as they come and go
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Owned by the thread that called start(): the entries, the sources and the
 * udev client.  Only the probe under way (device and cancellable) is shared,
 * under a mutex that is never held across a probe or a connect, so that
 * release() from an application thread returns at once.
 */
#include "config.h"

#include "senxor/device-monitor.h"
#include "senxor/session.h"

#include "device-presence.h"

#ifdef HAVE_GUDEV
#include <gudev/gudev.h>
#endif

/* A bare TCP connect gets this long to succeed. */
#define TCP_PRESENCE_TIMEOUT_MS 1000
/* udev events come in bursts (usb device, interfaces, tty): one rescan
 * after the burst. */
#define UDEV_SETTLE_MS 150
/* an editor saves a file in several steps: one rescan after them */
#define CONFIG_SETTLE_MS 100

enum
{
  SIGNAL_DEVICE_ADDED,
  SIGNAL_DEVICE_REMOVED,
  SIGNAL_DEVICE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One device discovery listed, whether present or not. */
typedef struct
{
  SenxorDeviceDescription *found;       /* as discovery listed it */
  SenxorDeviceDescription *desc;        /* with its identity */
  SenxorDeviceDescription *signalled;   /* as last told, NULL while not listed */
  /* the identity probe ran during this appearance: it is not repeated, so
   * a camera someone opens later is never raced for */
  gboolean identity_tried;
  gboolean present;
  guint generation;
} Entry;

struct _SenxorDeviceMonitor
{
  GObject parent;

  gboolean probe;
  guint poll_ms;
  SenxorDeviceInUseFunc in_use;
  gpointer in_use_data;
  GDestroyNotify in_use_destroy;

  GHashTable *entries;          /* device string -> Entry */
  guint generation;
  gboolean started;
  gboolean scanning;            /* stop() from a signal handler waits for the scan's end */
  GMainContext *context;
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

  GMutex lock;                  /* guards the two below; never held across I/O */
  char *busy_device;
  GCancellable *busy_cancellable;
};

G_DEFINE_FINAL_TYPE (SenxorDeviceMonitor, senxor_device_monitor, G_TYPE_OBJECT)

static void
entry_free (Entry *e)
{
  senxor_device_description_free (e->found);
  senxor_device_description_free (e->desc);
  senxor_device_description_free (e->signalled);
  g_free (e);
}

/* ---- presence and identity ---- */

static gboolean
in_use (SenxorDeviceMonitor *self, const char *device)
{
  return self->in_use && self->in_use (device, self->in_use_data);
}

/* Marks @device as being opened; returns the cancellable release() uses. */
static GCancellable *
busy_begin (SenxorDeviceMonitor *self, const char *device)
{
  GCancellable *c = g_cancellable_new ();

  g_mutex_lock (&self->lock);
  g_free (self->busy_device);
  self->busy_device = g_strdup (device);
  g_set_object (&self->busy_cancellable, c);
  g_mutex_unlock (&self->lock);
  return c;
}

static void
busy_end (SenxorDeviceMonitor *self)
{
  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->busy_device, g_free);
  g_clear_object (&self->busy_cancellable);
  g_mutex_unlock (&self->lock);
}

static gboolean
is_configured_serial (const SenxorDeviceDescription *d)
{
  /* udev and sysfs give USB ids; a tty from the configuration has none */
  return d->kind == SENXOR_DEVICE_SERIAL && d->vid == 0;
}

static gboolean
check_tcp_presence (SenxorDeviceMonitor *self, const char *device,
    const SenxorDeviceAddress *addr)
{
  g_autoptr (GCancellable) c = NULL;
  gboolean present;

  if (in_use (self, device)) {
    g_debug ("%s is in use by the application: present, not connected to", device);
    return TRUE;
  }
  if (senxor_tcp_in_use (addr->host, addr->port)) {
    g_debug ("%s is connected to from this host: present, not connected to", device);
    return TRUE;
  }
  c = busy_begin (self, device);
  present = senxor_tcp_reachable (addr->host, addr->port, TCP_PRESENCE_TIMEOUT_MS, c);
  busy_end (self);
  /* released meanwhile: the application has it, so it is there */
  return present || g_cancellable_is_cancelled (c);
}

/* Whether the device is there now.  @check_network: TCP devices are
 * connected to (bare connect, nothing sent) unless something on this host
 * is already connected to them; otherwise their last state stands. */
static gboolean
check_presence (SenxorDeviceMonitor *self, Entry *e, gboolean is_new,
    gboolean check_network)
{
  const SenxorDeviceDescription *d = e->found;
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
      return check_tcp_presence (self, d->device, addr);
  }
  return FALSE;
}

static void
identify (SenxorDeviceMonitor *self, Entry *e)
{
  g_autoptr (SenxorDeviceAddress) addr = NULL;
  g_autoptr (GCancellable) c = NULL;
  g_autoptr (SenxorDeviceDescription) probed = NULL;

  e->identity_tried = TRUE;
  senxor_device_description_free (e->desc);
  e->desc = senxor_device_description_copy (e->found);
  if (!self->probe || in_use (self, e->found->device))
    return;
  /* a TCP device someone on this host streams from is left alone */
  if (e->found->kind == SENXOR_DEVICE_TCP) {
    addr = senxor_device_address_parse (e->found->device, NULL);
    if (!addr || !addr->host || senxor_tcp_in_use (addr->host, addr->port))
      return;
  }
  probed = senxor_device_description_copy (e->found);
  c = busy_begin (self, e->found->device);
  senxor_device_description_probe (probed, SENXOR_PROBE_TIMEOUT_US, c);
  busy_end (self);
  /* the application took the device meanwhile: what the probe saw (busy,
   * cancelled, or an identity read while racing it) is not told */
  if (g_cancellable_is_cancelled (c) || in_use (self, e->found->device)) {
    g_debug ("%s: probe dropped, the application uses the device", e->found->device);
    return;
  }
  g_debug ("%s: identity probe %s (module %s, serial %s, firmware %s)", probed->device,
      senxor_probe_status_name (probed->probe_status), senxor_module_name (probed->module),
      probed->serial ? probed->serial : "(none)",
      probed->firmware ? probed->firmware : "(none)");
  senxor_device_description_free (e->desc);
  e->desc = g_steal_pointer (&probed);
}

/* ---- scanning ---- */

/* Brings what was told about @e in line with what is known; @emit FALSE
 * (a one-shot scan) or a stop() from a handler only updates @e. */
static void
entry_update (SenxorDeviceMonitor *self, Entry *e, gboolean emit)
{
  if (!e->present) {
    if (e->signalled) {
      if (emit && self->started)
        g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, e->signalled);
      g_clear_pointer (&e->signalled, senxor_device_description_free);
    }
    return;
  }
  if (!e->signalled) {
    e->signalled = senxor_device_description_copy (e->desc);
    if (emit && self->started)
      g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, e->signalled);
  } else if (!senxor_device_description_same (e->signalled, e->desc)) {
    senxor_device_description_free (e->signalled);
    e->signalled = senxor_device_description_copy (e->desc);
    if (emit && self->started)
      g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, e->signalled);
  }
}

/* One pass: discovery lists what might be there, presence and identity are
 * checked, what was told follows.  FALSE when the configuration could not
 * be read (everything stays as it was). */
static gboolean
rescan (SenxorDeviceMonitor *self, gboolean walk_usb, gboolean check_network,
    gboolean emit, GError **error)
{
  g_autoptr (GPtrArray) found = NULL;
  GHashTableIter iter;
  Entry *e;

  g_debug ("scan (USB walk: %s, network checks: %s)", walk_usb ? "yes" : "no",
      check_network ? "yes" : "no");
  found = senxor_discover_devices (SENXOR_DISCOVER_ALL |
      (walk_usb ? 0 : SENXOR_DISCOVER_CONFIGURED_ONLY), error);
  if (!found)
    return FALSE;
  self->generation++;

  for (guint i = 0; i < found->len; i++) {
    SenxorDeviceDescription *d = found->pdata[i];
    gboolean is_new = FALSE;

    e = g_hash_table_lookup (self->entries, d->device);
    if (e && (!senxor_device_description_equal (e->found, d) ||
            g_strcmp0 (e->found->sysfs_path, d->sysfs_path) != 0)) {
      /* another camera under the same name (a tty reused after a replug) */
      e->present = FALSE;
      entry_update (self, e, emit);
      g_hash_table_remove (self->entries, d->device);
      e = NULL;
    }
    if (!e) {
      e = g_new0 (Entry, 1);
      e->found = senxor_device_description_copy (d);
      e->desc = senxor_device_description_copy (d);
      g_hash_table_insert (self->entries, g_strdup (d->device), e);
      is_new = TRUE;
    }
    e->generation = self->generation;
    e->present = check_presence (self, e, is_new, check_network);
    if (!e->present)
      e->identity_tried = FALSE;        /* ask again when it comes back */
    else if (!e->identity_tried)
      identify (self, e);
    entry_update (self, e, emit);
  }

  /* what discovery no longer lists is gone; USB cameras stay as they are
   * when USB was not walked */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e)) {
    if (e->generation == self->generation || (!walk_usb && e->found->vid != 0))
      continue;
    e->present = FALSE;
    entry_update (self, e, emit);
    g_hash_table_iter_remove (&iter);
  }
  return TRUE;
}

static GPtrArray *
present_devices (SenxorDeviceMonitor *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (
      (GDestroyNotify) senxor_device_description_free);
  GHashTableIter iter;
  Entry *e;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e))
    if (e->signalled)
      g_ptr_array_add (out, senxor_device_description_copy (e->signalled));
  g_ptr_array_sort (out, senxor_device_description_compare);
  return out;
}

/* ---- following changes ---- */

/* What has no event to follow: TCP devices (presence is a connect) and
 * configured serial ports (a path that comes and goes); USB too when the
 * walk reads a tree that sends no events. */
static gboolean
needs_poll (SenxorDeviceMonitor *self)
{
  GHashTableIter iter;
  Entry *e;

  if (self->poll_ms == 0)
    return FALSE;
  if (self->poll_usb)
    return TRUE;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) & e))
    if (e->found->kind == SENXOR_DEVICE_TCP || is_configured_serial (e->found))
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

/* Every scan of a started monitor goes through here: the poll is armed or
 * disarmed after it, so nothing runs while nothing can change unseen. */
static void
follow (SenxorDeviceMonitor *self, gboolean walk_usb, gboolean check_network)
{
  g_autoptr (GError) error = NULL;

  /* a bad configuration line must not make every camera vanish */
  self->scanning = TRUE;
  if (!rescan (self, walk_usb, check_network, TRUE, &error))
    g_debug ("device discovery failed, keeping the current list: %s", error->message);
  self->scanning = FALSE;
  if (!self->started) {
    /* stopped from a signal handler: forget the list now */
    g_hash_table_remove_all (self->entries);
    return;
  }
  if (needs_poll (self) && !self->poll_source) {
    self->poll_source = g_timeout_source_new (self->poll_ms);
    g_source_set_callback (self->poll_source, poll_cb, self, NULL);
    g_source_attach (self->poll_source, self->context);
    g_debug ("polling every %u ms", self->poll_ms);
  } else if (!needs_poll (self) && self->poll_source) {
    destroy_source (&self->poll_source);
    g_debug ("nothing to poll");
  }
}

static gboolean
poll_cb (gpointer user_data)
{
  SenxorDeviceMonitor *self = user_data;

  /* follow() may disarm this very source: keep it alive until we return */
  g_autoptr (GSource) source = g_source_ref (self->poll_source);

  follow (self, self->poll_usb, TRUE);
  return g_source_is_destroyed (source) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Runs @func once, @ms after the first of a burst of calls. */
static void
settle (SenxorDeviceMonitor *self, GSource **source, guint ms, GSourceFunc func)
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
  SenxorDeviceMonitor *self = user_data;

  g_clear_pointer (&self->config_source, g_source_unref);
  follow (self, FALSE, TRUE);
  return G_SOURCE_REMOVE;
}

static void
config_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other,
    GFileMonitorEvent event, gpointer user_data)
{
  SenxorDeviceMonitor *self = user_data;

  settle (self, &self->config_source, CONFIG_SETTLE_MS, config_settled_cb);
}

/* The configuration files discovery reads (docs/devices.md), watched with
 * inotify through GIO; a file that does not exist yet is watched too. */
static void
watch_configuration (SenxorDeviceMonitor *self)
{
  const char *env = g_getenv ("SENXOR_CONFIG");
  g_autofree char *user = g_build_filename (g_get_user_config_dir (), "senxor",
      "devices.conf", NULL);
  const char *paths[] = { NULL, NULL, NULL };

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
      g_debug ("cannot watch %s for changes: %s", paths[i], error->message);
      continue;
    }
    g_signal_connect (monitor, "changed", G_CALLBACK (config_changed_cb), self);
    g_ptr_array_add (self->config_monitors, monitor);
  }
}

static void
unwatch_configuration (SenxorDeviceMonitor *self)
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
  SenxorDeviceMonitor *self = user_data;

  g_clear_pointer (&self->settle_source, g_source_unref);
  follow (self, TRUE, FALSE);
  return G_SOURCE_REMOVE;
}

static void
uevent_cb (GUdevClient *client, const char *action, GUdevDevice *device,
    gpointer user_data)
{
  SenxorDeviceMonitor *self = user_data;

  settle (self, &self->settle_source, UDEV_SETTLE_MS, settle_cb);
}
#endif

/* ---- public ---- */

SenxorDeviceMonitor *
senxor_device_monitor_new (void)
{
  return g_object_new (SENXOR_TYPE_DEVICE_MONITOR, NULL);
}

void
senxor_device_monitor_set_probe (SenxorDeviceMonitor *monitor, gboolean probe)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  monitor->probe = probe;
}

void
senxor_device_monitor_set_poll_interval (SenxorDeviceMonitor *monitor, guint ms)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  monitor->poll_ms = ms;
}

void
senxor_device_monitor_set_in_use_func (SenxorDeviceMonitor *monitor,
    SenxorDeviceInUseFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  if (monitor->in_use_destroy)
    monitor->in_use_destroy (monitor->in_use_data);
  monitor->in_use = func;
  monitor->in_use_data = user_data;
  monitor->in_use_destroy = destroy;
}

void
senxor_device_monitor_start (SenxorDeviceMonitor *monitor)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  g_return_if_fail (!monitor->started);

  monitor->started = TRUE;
  monitor->context = g_main_context_ref_thread_default ();
#ifdef HAVE_GUDEV
  monitor->poll_usb = g_getenv ("SENXOR_SYSFS_ROOT") != NULL;
  {
    /* its events arrive in the thread-default context of its creation */
    const char *subsystems[] = { "tty", "usb", NULL };
    monitor->udev = g_udev_client_new (subsystems);
    g_signal_connect (monitor->udev, "uevent", G_CALLBACK (uevent_cb), monitor);
  }
#else
  monitor->poll_usb = TRUE;
#endif
  watch_configuration (monitor);
  follow (monitor, TRUE, TRUE);
}

void
senxor_device_monitor_stop (SenxorDeviceMonitor *monitor)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  if (!monitor->started)
    return;
  monitor->started = FALSE;
  destroy_source (&monitor->poll_source);
  destroy_source (&monitor->settle_source);
  destroy_source (&monitor->config_source);
  unwatch_configuration (monitor);
#ifdef HAVE_GUDEV
  g_signal_handlers_disconnect_by_data (monitor->udev, monitor);
  g_clear_object (&monitor->udev);
#endif
  g_clear_pointer (&monitor->context, g_main_context_unref);
  /* a scan under way (stop() from a signal handler) still walks the list */
  if (!monitor->scanning)
    g_hash_table_remove_all (monitor->entries);
}

GPtrArray *
senxor_device_monitor_get_devices (SenxorDeviceMonitor *monitor)
{
  g_return_val_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor), NULL);
  return present_devices (monitor);
}

GPtrArray *
senxor_device_monitor_scan (SenxorDeviceMonitor *monitor, GError **error)
{
  GPtrArray *out = NULL;

  g_return_val_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor), NULL);
  g_return_val_if_fail (!monitor->started, NULL);
  if (rescan (monitor, TRUE, TRUE, FALSE, error))
    out = present_devices (monitor);
  g_hash_table_remove_all (monitor->entries);
  return out;
}

void
senxor_device_monitor_release (SenxorDeviceMonitor *monitor, const char *device)
{
  g_return_if_fail (SENXOR_IS_DEVICE_MONITOR (monitor));
  g_return_if_fail (device != NULL);
  g_mutex_lock (&monitor->lock);
  if (monitor->busy_cancellable && g_strcmp0 (monitor->busy_device, device) == 0) {
    g_debug ("%s: released, the check under way is cancelled", device);
    g_cancellable_cancel (monitor->busy_cancellable);
  }
  g_mutex_unlock (&monitor->lock);
}

static void
senxor_device_monitor_finalize (GObject *object)
{
  SenxorDeviceMonitor *self = SENXOR_DEVICE_MONITOR (object);

  senxor_device_monitor_stop (self);
  senxor_device_monitor_set_in_use_func (self, NULL, NULL, NULL);
  g_hash_table_unref (self->entries);
  busy_end (self);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (senxor_device_monitor_parent_class)->finalize (object);
}

static void
senxor_device_monitor_class_init (SenxorDeviceMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = senxor_device_monitor_finalize;

  /**
   * SenxorDeviceMonitor::device-added:
   * @monitor: the monitor
   * @device: (transfer none): the #SenxorDeviceDescription, valid during
   *   the emission
   *
   * A device is there: found, present, and identified when probing is on.
   */
  signals[SIGNAL_DEVICE_ADDED] = g_signal_new ("device-added",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      SENXOR_TYPE_DEVICE_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * SenxorDeviceMonitor::device-removed:
   * @monitor: the monitor
   * @device: (transfer none): the description last told for it
   *
   * A device told of is gone (unplugged, no longer configured, no longer
   * reachable), or another camera appeared under its device string (a
   * "device-added" follows).
   */
  signals[SIGNAL_DEVICE_REMOVED] = g_signal_new ("device-removed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      SENXOR_TYPE_DEVICE_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * SenxorDeviceMonitor::device-changed:
   * @monitor: the monitor
   * @device: (transfer none): the new description (same device string)
   *
   * What is known about a device changed (its identity was read, say).
   */
  signals[SIGNAL_DEVICE_CHANGED] = g_signal_new ("device-changed",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
      SENXOR_TYPE_DEVICE_DESCRIPTION | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
senxor_device_monitor_init (SenxorDeviceMonitor *self)
{
  self->probe = TRUE;
  self->poll_ms = SENXOR_DEVICE_MONITOR_DEFAULT_POLL_MS;
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      (GDestroyNotify) entry_free);
  g_mutex_init (&self->lock);
}
