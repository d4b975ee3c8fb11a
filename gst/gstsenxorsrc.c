/* senxorsrc: live source for Senxor (MI48xx) thermal cameras
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * SECTION:element-senxorsrc
 * @title: senxorsrc
 *
 * senxorsrc captures radiometric frames from a Senxor (Meridian Innovation
 * MI48xx) thermal camera over USB serial, TCP, libusb or the built-in
 * emulator.  It is a live source: frames are timestamped with the running
 * time at which they were captured, and every buffer is GRAY16_LE in
 * deci-Kelvin (K = value / 10) with a #GstSenxorFrameMeta carrying the frame
 * header and the unit.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap ! videoscale ! video/x-raw,width=640,height=480 ! videoconvert ! autovideosink
 * ]| The first camera found, in false colour.
 * |[
 * gst-launch-1.0 senxorsrc device="emulator://?module=mi16" ! video/x-raw,framerate=15/1 ! fakesink
 * ]| The emulated 160x120 camera at half its maximum rate.
 * |[
 * gst-launch-1.0 senxorsrc device=tcp://127.0.0.1:3333 reconnect=true ! queue ! fakesink
 * ]| A camera behind a TCP bridge, reconnecting when the link drops.
 *
 * ## Threads
 * All device I/O happens on the streaming thread.  start() only checks the
 * device string; the camera is opened by the first create() (once the
 * pipeline is PLAYING), which measures its maximum frame rate from the
 * device's frame timestamps (the camera does not report it) and then
 * negotiates caps for its frame size and rate, and it is closed in stop().
 * A camera that does not answer therefore never holds up a state change:
 * unlock() cancels the open, a register read or the wait for a frame at
 * once.  With #GstSenxorSrc:reconnect, a camera missing or not
 * answering when the pipeline starts is waited for like one that went away,
 * and a camera that went away is taken back only if it is the same one (its
 * serial number) unless #GstSenxorSrc:reconnect-any-camera is set.
 * Camera controls set while PLAYING are queued and written by the streaming
 * thread between two frames.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gst/video/video.h>
#include <senxor/senxor.h>
#include <senxor/session.h>
#include <senxor/discovery.h>

#include "capture-clock.h"
#include "gstsenxorelements.h"
#include "gstsenxormeta.h"
#include "gstsenxorsrc.h"

GST_DEBUG_CATEGORY_STATIC (gst_senxor_src_debug);
#define GST_CAT_DEFAULT gst_senxor_src_debug

/* Camera controls: the frame rate, then libsenxor's controls
 * (senxor_controls ()) in their order; a bit each in the user-set and
 * pending masks, a property each from PROP_CONTROL_FIRST on. */
#define CTRL_FRAME_RATE (1u << 0)
#define CTRL_BIT(i) (1u << ((i) + 1))
#define MAX_CONTROLS 31

static const SenxorControlInfo *camera_controls;
static guint n_camera_controls;

struct _GstSenxorSrc {
  GstPushSrc parent;

  /* Properties: all under the object lock. */
  gchar *device;
  gchar *serial;
  guint fps_divider;            /* 0: negotiated */
  gdouble controls[MAX_CONTROLS];       /* in the table's units */
  guint user_set;               /* Control bits the user set */
  guint pending;                /* Control bits to write before the next frame */
  guint timeout_ms;
  gboolean reconnect;
  guint retry_interval_ms;
  gboolean reconnect_any_camera;
  /* Read-only properties, filled when the device opens. */
  gchar *module;
  gchar *firmware;
  gchar *serial_number;
  gchar *mcu_type;
  /* How to reach the device again after losing it. */
  gchar *opened_device;
  /* The divider negotiation chose (1..127); set_caps writes it. */
  guint divider;

  /* unlock() cancels it, unlock_stop() replaces it (object lock). */
  GCancellable *cancellable;
  gboolean holding_fd;          /* see hold_cancellable_fd() */

  /* The geometry of the open camera (0x0 before) and its FPS_MAX as
   * measured (0/1 until then): written by the streaming thread under the
   * object lock, read by get_caps() from any thread. */
  guint width;
  guint height;
  gint fps_max_n;
  gint fps_max_d;

  /* The negotiated frame period: written by their owner (set_caps() on
   * the streaming thread, start() and stop()) under the object lock, so
   * that query() may read them from any thread under it; their owner reads
   * them without it. */
  gboolean have_info;
  GstClockTime duration;

  /* Owned by whoever drives the element: start() and stop() on the
   * application thread, create() and set_caps() on the streaming thread,
   * never at the same time; no lock needed. */
  SenxorSession *session;
  gboolean streaming;
  GstVideoInfo info;
  SenxorControlRegisters regs;  /* last known values of the control registers */
  guint8 frame_rate_reg;        /* ... and of FRAME_RATE */
  guint16 *scratch;             /* frame memory when the stride is padded */
  guint64 frames_out;
  guint64 frames_lost_total;
  guint64 last_offset;
  gboolean have_last_offset;
  gint64 offset_adjust;
  gboolean need_offset_adjust;
  gboolean discont;
  /* Device timestamp correction (capture-clock.h). */
  CaptureClock capture_clock;
  /* Where controlled properties are sampled: the next frame's time. */
  GstClockTime ctrl_time;
  /* The camera whose FPS_MAX was measured (fps_max_n/d), and the frames the
   * measurement read (HeldFrame, oldest first), delivered before any other
   * while the stream runs at divider 1. */
  gchar *rate_serial;
  GQueue held;
  /* While reconnecting: the other camera last announced at the address. */
  gchar *other_serial;
};

/* A frame read while measuring the frame rate. */
typedef struct {
  guint16 *pixels;
  SenxorFrameInfo info;
} HeldFrame;

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_SERIAL,
  PROP_FPS_DIVIDER,
  PROP_TIMEOUT,
  PROP_RECONNECT,
  PROP_RETRY_INTERVAL,
  PROP_RECONNECT_ANY_CAMERA,
  PROP_MODULE,
  PROP_FIRMWARE,
  PROP_SERIAL_NUMBER,
  PROP_MCU_TYPE,
  N_PROPS,
  /* then one per camera control */
  PROP_CONTROL_FIRST = N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_PROP_DEVICE NULL
#define DEFAULT_PROP_SERIAL NULL
#define DEFAULT_PROP_FPS_DIVIDER 0
#define DEFAULT_PROP_TIMEOUT 0
#define DEFAULT_PROP_RECONNECT FALSE
#define DEFAULT_PROP_RETRY_INTERVAL 500
#define DEFAULT_PROP_RECONNECT_ANY_CAMERA FALSE

#define MAX_DIVIDER 127
/* How long closing waits for the camera to acknowledge the stop. */
#define CLOSE_REGISTER_TIMEOUT_US (50 * 1000)
/* The back-off between reconnection attempts grows to this many times the
 * retry interval. */
#define MAX_BACKOFF_FACTOR 16
/* Measuring FPS_MAX (see measure_fps_max()): at most this many frames or
 * this much device time; the wait for a frame after the second. */
#define MEASURE_MAX_FRAMES 16
#define MEASURE_MAX_SPAN_MS 2000
#define MEASURE_FRAME_TIMEOUT_US (250 * 1000)
/* ... until the rate is known within this (relative width of the range
 * the millisecond timestamps allow). */
#define MEASURE_PRECISION 0.015

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, format = (string) GRAY16_LE, "
        "width = (int) [ 1, 1024 ], height = (int) [ 1, 1024 ], "
        "framerate = (fraction) [ 0/1, 100/1 ], "
        "pixel-aspect-ratio = (fraction) 1/1")
    );

static void gst_senxor_src_uri_handler_init (gpointer g_iface,
    gpointer iface_data);

#define gst_senxor_src_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstSenxorSrc, gst_senxor_src, GST_TYPE_PUSH_SRC,
    G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
        gst_senxor_src_uri_handler_init));
GST_ELEMENT_REGISTER_DEFINE (senxorsrc, "senxorsrc", GST_RANK_NONE,
    GST_TYPE_SENXOR_SRC);

/* The GEnum of an enum control's values: GstSenxorSrc and the control's
 * name in camel case (GstSenxorSrcGain), but for the types the element
 * had before its controls came from libsenxor. */
static GType
control_enum_type (const SenxorControlInfo *c)
{
  static const struct {
    const char *control;
    const char *type_name;
  } kept[] = {
    {"median-filter", "GstSenxorSrcMedian"},
  };
  static GMutex lock;
  g_autoptr (GString) name = g_string_new ("GstSenxorSrc");
  gboolean upper = TRUE;
  GEnumValue *values;
  GType type;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (kept); i++)
    if (g_str_equal (c->name, kept[i].control))
      break;
  if (i < G_N_ELEMENTS (kept)) {
    g_string_assign (name, kept[i].type_name);
  } else {
    for (const char *p = c->name; *p; p++) {
      if (!g_ascii_isalnum (*p)) {
        upper = TRUE;
        continue;
      }
      g_string_append_c (name, upper ? g_ascii_toupper (*p) : *p);
      upper = FALSE;
    }
  }

  g_mutex_lock (&lock);
  type = g_type_from_name (name->str);
  if (type == 0) {
    /* static for the life of the process, like any registered enum */
    values = g_new0 (GEnumValue, c->n_values + 1);
    for (i = 0; i < c->n_values; i++) {
      values[i].value = c->values[i].value;
      values[i].value_name = c->values[i].description;
      values[i].value_nick = c->values[i].nick;
    }
    type = g_enum_register_static (g_intern_string (name->str), values);
  }
  g_mutex_unlock (&lock);
  return type;
}

GType
gst_senxor_src_gain_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        control_enum_type (senxor_control_lookup ("gain")));
  return type;
}

GType
gst_senxor_src_median_get_type (void)
{
  static GType type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type,
        control_enum_type (senxor_control_lookup ("median-filter")));
  return type;
}

/* ---- errors ---- */

/* Posts the one error message a failure deserves: a GError of the library
 * mapped to a GStreamer domain and code, with the device named in the text
 * and the library's message in the debug string. */
static void
post_error (GstSenxorSrc *self, const GError *err, const char *doing)
{
  GQuark domain = GST_RESOURCE_ERROR;
  gint code = GST_RESOURCE_ERROR_FAILED;
  g_autofree gchar *device = NULL;
  gboolean any, answered;
  gchar *text, *debug;

  GST_OBJECT_LOCK (self);
  /* not "the Senxor camera (first camera found)" when none was named */
  any = !self->opened_device && !self->device && !self->serial;
  device = g_strdup (self->opened_device ? self->opened_device :
      self->device ? self->device : self->serial ? self->serial :
      "(first camera found)");
  /* the frame size is known once the camera has answered (this run) */
  answered = self->width != 0;
  GST_OBJECT_UNLOCK (self);

  if (err->domain != SENXOR_ERROR) {
    text = g_strdup_printf ("Senxor camera %s failed: %s", device, err->message);
  } else {
    switch ((SenxorError) err->code) {
      case SENXOR_ERROR_NOT_FOUND:
        code = GST_RESOURCE_ERROR_NOT_FOUND;
        text = g_strdup_printf ("Could not find %s%s. Check "
            "that it is plugged in, or choose one with the device or serial "
            "property (senxor-tool list shows the cameras found). Without a "
            "camera, use the emulated one: device=\"emulator://?module=mi16\", "
            "or export SENXOR_EMULATORS=\"cam1?module=mi16\" to have it "
            "found like a plugged-in camera.",
            any ? "any Senxor camera" : "the Senxor camera ", any ? "" : device);
        break;
      case SENXOR_ERROR_BUSY:
        code = GST_RESOURCE_ERROR_BUSY;
        text = g_strdup_printf ("The Senxor camera %s is in use by another "
            "program.", device);
        break;
      case SENXOR_ERROR_PERMISSION:
        code = GST_RESOURCE_ERROR_OPEN_READ_WRITE;
        text = g_strdup_printf ("No permission to open the Senxor camera %s. "
            "Install the udev rule (60-senxor.rules) and plug the camera in "
            "again, or add your user to the 'dialout' group and log in "
            "again.", device);
        break;
      case SENXOR_ERROR_NO_MODULE:
        code = GST_RESOURCE_ERROR_FAILED;
        text = g_strdup_printf ("The Senxor board %s has no camera module "
            "attached (it answered SERR). Check the module's connector.",
            device);
        break;
      case SENXOR_ERROR_DISCONNECTED:
        code = GST_RESOURCE_ERROR_READ;
        text = g_strdup_printf ("Lost the connection to the Senxor camera "
            "%s. Set reconnect=true to keep the pipeline running while the "
            "camera comes back.", device);
        break;
      case SENXOR_ERROR_TIMEOUT:
        code = GST_RESOURCE_ERROR_READ;
        if (answered)
          text = g_strdup_printf ("The Senxor camera %s stopped answering.",
              device);
        else
          text = g_strdup_printf ("The Senxor camera %s did not answer. "
              "Check that it is a Senxor camera and that it is powered.",
              device);
        break;
      case SENXOR_ERROR_PROTOCOL:
        domain = GST_STREAM_ERROR;
        code = GST_STREAM_ERROR_DECODE;
        text = g_strdup_printf ("The data from the Senxor camera %s is "
            "corrupt beyond repair (wrong device, or a bad link?).", device);
        break;
      case SENXOR_ERROR_UNSUPPORTED:
        domain = GST_STREAM_ERROR;
        code = GST_STREAM_ERROR_WRONG_TYPE;
        text = g_strdup_printf ("The Senxor camera %s is of a kind this "
            "plugin does not support.", device);
        break;
      case SENXOR_ERROR_INVALID_ARGUMENT:
        code = GST_RESOURCE_ERROR_SETTINGS;
        text = g_strdup_printf ("Invalid Senxor device or setting (%s): "
            "%s.", device, err->message);
        break;
      case SENXOR_ERROR_CANCELLED:
      case SENXOR_ERROR_IO:
      case SENXOR_ERROR_FAILED:
      default:
        code = GST_RESOURCE_ERROR_FAILED;
        text = g_strdup_printf ("Senxor camera %s failed.", device);
        break;
    }
  }
  debug = g_strdup_printf ("%s: %s", doing, err->message);
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, domain,
      code, text, debug, __FILE__, GST_FUNCTION, __LINE__);
}

/* ---- helpers ---- */

/* Every wait polls the cancellable's fd.  Between start() and stop() the
 * element holds one reference to that fd, which keeps GLib from creating and
 * closing an eventfd around each read of the device.  Object lock held. */
static void
hold_cancellable_fd (GstSenxorSrc *self, gboolean hold)
{
  GPollFD unused;

  if (hold && !self->holding_fd)
    self->holding_fd = g_cancellable_make_pollfd (self->cancellable, &unused);
  else if (!hold && self->holding_fd) {
    g_cancellable_release_fd (self->cancellable);
    self->holding_fd = FALSE;
  }
}

/* A fresh cancellable for the next run of the streaming thread (object
 * lock held, or no other thread yet). */
static void
replace_cancellable (GstSenxorSrc *self)
{
  gboolean held = self->holding_fd;

  if (self->cancellable) {
    hold_cancellable_fd (self, FALSE);
    g_object_unref (self->cancellable);
  }
  self->cancellable = g_cancellable_new ();
  hold_cancellable_fd (self, held);
}

static GCancellable *
get_cancellable (GstSenxorSrc *self)
{
  GCancellable *c;

  GST_OBJECT_LOCK (self);
  c = g_object_ref (self->cancellable);
  GST_OBJECT_UNLOCK (self);
  return c;
}

/* Waits @ms milliseconds unless @cancellable fires first; FALSE if it did. */
static gboolean
wait_cancellable (GCancellable *cancellable, guint ms)
{
  GPollFD pfd;
  gboolean ok;

  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  if (!g_cancellable_make_pollfd (cancellable, &pfd)) {
    g_usleep ((gulong) ms * 1000);
    return !g_cancellable_is_cancelled (cancellable);
  }
  g_poll (&pfd, 1, (gint) ms);
  ok = !g_cancellable_is_cancelled (cancellable);
  g_cancellable_release_fd (cancellable);
  return ok;
}

static gboolean
is_recoverable (const GError *err)
{
  if (err->domain != SENXOR_ERROR)
    return FALSE;
  switch ((SenxorError) err->code) {
    case SENXOR_ERROR_DISCONNECTED:
    case SENXOR_ERROR_TIMEOUT:
    case SENXOR_ERROR_PROTOCOL:
    case SENXOR_ERROR_IO:
    case SENXOR_ERROR_NOT_FOUND:
    case SENXOR_ERROR_BUSY:
    case SENXOR_ERROR_PERMISSION:
      return TRUE;
    default:
      return FALSE;
  }
}

static gboolean
is_cancelled (const GError *err)
{
  return g_error_matches (err, SENXOR_ERROR, SENXOR_ERROR_CANCELLED) ||
      g_error_matches (err, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Chooses the device string: the device property, else the camera whose
 * serial number is the serial property, else the first camera found. */
static gchar *
choose_device (const gchar *device, const gchar *serial, GError **error)
{
  g_autoptr (GPtrArray) found = NULL;
  const SenxorDeviceDescription *first;

  if (device)
    return g_strdup (device);
  if (serial) {
    /* Probing opens the cameras not in use to read their serial numbers
     * when the USB descriptors do not tell. */
    g_autoptr (SenxorDeviceDescription) d = senxor_discover_find_by_serial
        (serial, SENXOR_DISCOVER_ALL | SENXOR_DISCOVER_PROBE, error);

    return d ? g_strdup (d->device) : NULL;
  }
  found = senxor_discover_devices (SENXOR_DISCOVER_ALL, error);
  if (!found)
    return NULL;
  if (found->len == 0) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
        "no Senxor camera found (looked for USB serial ports and devices "
        "0416:B002/B020/9393, and for TCP devices and emulators in the "
        "configuration); set the device property");
    return NULL;
  }
  first = g_ptr_array_index (found, 0);
  return g_strdup (first->device);
}

/* ---- controls ---- */

/* Reads the control registers, and shows the device's settings in the
 * properties the user did not set. */
static gboolean
read_controls (GstSenxorSrc *self, GCancellable *cancellable, GError **error)
{
  gdouble v[MAX_CONTROLS];
  gboolean known[MAX_CONTROLS];
  guint user_set, i;

  senxor_control_registers_clear (&self->regs);
  if (!senxor_session_read_register (self->session, SENXOR_REG_FRAME_RATE,
          &self->frame_rate_reg, cancellable, error) ||
      !senxor_session_read_controls (self->session, &self->regs, cancellable,
          error))
    return FALSE;
  for (i = 0; i < n_camera_controls; i++)
    known[i] = senxor_control_registers_get (&self->regs, &camera_controls[i],
        &v[i]);

  GST_OBJECT_LOCK (self);
  user_set = self->user_set;
  for (i = 0; i < n_camera_controls; i++) {
    /* a value the property cannot hold (an emissivity of 0) is not shown */
    if (!(user_set & CTRL_BIT (i)) && known[i] &&
        v[i] >= camera_controls[i].min && v[i] <= camera_controls[i].max)
      self->controls[i] = v[i];
  }
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Writes the frame rate divider. */
static gboolean
apply_frame_rate (GstSenxorSrc *self, guint divider, GCancellable *cancellable,
    GError **error)
{
  /* Nothing to write when the camera has it (0 and 1 are the same):
   * after measuring the rate at divider 1, the usual case. */
  if (MAX (self->frame_rate_reg & SENXOR_FRAME_RATE_DIVIDER_MASK, 1)
      == MAX (divider, 1))
    return TRUE;
  /* Through the session, which also adapts its frame timeout. */
  GST_DEBUG_OBJECT (self, "frame rate divider %u", divider);
  if (!senxor_session_set_frame_rate_divider (self->session, divider,
          cancellable, error))
    return FALSE;
  self->frame_rate_reg = (self->frame_rate_reg &
      ~SENXOR_FRAME_RATE_DIVIDER_MASK) | divider;
  return TRUE;
}

/* Writes the pending controls: runs on the streaming thread before the
 * first frame and between frames, so no other thread touches the device.
 * What could not be written stays pending. */
static gboolean
apply_pending_controls (GstSenxorSrc *self, GCancellable *cancellable,
    GError **error)
{
  gdouble values[MAX_CONTROLS];
  guint pending, divider, i;

  GST_OBJECT_LOCK (self);
  pending = self->pending;
  self->pending = 0;
  memcpy (values, self->controls, sizeof values);
  divider = self->divider;
  GST_OBJECT_UNLOCK (self);

  if ((pending & CTRL_FRAME_RATE) && divider != 0 &&
      !apply_frame_rate (self, divider, cancellable, error)) {
    GST_OBJECT_LOCK (self);
    self->pending |= pending;
    GST_OBJECT_UNLOCK (self);
    return FALSE;
  }
  for (i = 0; i < n_camera_controls; i++) {
    if (!(pending & CTRL_BIT (i)))
      continue;
    GST_DEBUG_OBJECT (self, "%s = %g", camera_controls[i].name, values[i]);
    if (!senxor_session_write_control (self->session, &camera_controls[i],
            values[i], &self->regs, cancellable, error)) {
      GST_OBJECT_LOCK (self);
      self->pending |= pending & ~(CTRL_BIT (i) - 1);
      GST_OBJECT_UNLOCK (self);
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- open / close ---- */

static void
held_frame_free (gpointer data)
{
  HeldFrame *f = data;

  g_free (f->pixels);
  g_free (f);
}

static void
drop_held_frames (GstSenxorSrc *self)
{
  g_queue_clear_full (&self->held, held_frame_free);
}

static void
close_session (GstSenxorSrc *self)
{
  /* frames held from this camera go with it */
  drop_held_frames (self);
  if (!self->session)
    return;
  /* Closing stops the stream.  The stop command is sent in any case; a
   * live camera acknowledges it within milliseconds, and a silent one must
   * not hold up the state change (PLAYING -> NULL within 100 ms). */
  senxor_session_set_register_timeout (self->session,
      CLOSE_REGISTER_TIMEOUT_US);
  senxor_session_close (self->session);
  self->session = NULL;
  self->streaming = FALSE;
}

/* A camera other than the lost one answered at its address: says so once
 * per camera (a warning whose details name both), and that it is not used. */
static void
announce_other_camera (GstSenxorSrc *self, const gchar *device,
    const gchar *found, const gchar *expected)
{
  if (g_strcmp0 (self->other_serial, found) == 0)
    return;
  g_free (self->other_serial);
  self->other_serial = g_strdup (found);
  GST_ELEMENT_WARNING_WITH_DETAILS (self, RESOURCE, NOT_FOUND,
      ("A different Senxor camera (serial number %s) is at %s; it is not "
          "used. Still waiting for the camera that was lost (serial number "
          "%s). Set reconnect-any-camera=true to take any camera there.",
          found, device, expected),
      ("reconnecting: %s has serial number %s, not %s", device, found,
          expected),
      ("device", G_TYPE_STRING, device, "serial", G_TYPE_STRING, expected,
          "found-serial", G_TYPE_STRING, found, NULL));
}

/* Opens the device and reads its identity; with @expect_serial, only the
 * camera with that serial number.  On failure @error says why. */
static gboolean
open_device (GstSenxorSrc *self, const gchar *device_override,
    const gchar *expect_serial, GCancellable *cancellable, GError **error)
{
  g_autofree gchar *device = NULL;
  g_autofree gchar *serial = NULL;
  g_autofree gchar *chosen = NULL;
  g_autofree gchar *firmware = NULL;
  const SenxorDeviceInfo *info;
  SenxorSession *session;

  GST_OBJECT_LOCK (self);
  device = g_strdup (device_override ? device_override : self->device);
  serial = g_strdup (self->serial);
  GST_OBJECT_UNLOCK (self);

  chosen = choose_device (device, serial, error);
  if (!chosen)
    return FALSE;

  GST_OBJECT_LOCK (self);
  g_free (self->opened_device);
  self->opened_device = g_strdup (chosen);
  GST_OBJECT_UNLOCK (self);

  GST_DEBUG_OBJECT (self, "opening %s", chosen);
  session = senxor_session_open (chosen, cancellable, error);
  if (!session)
    return FALSE;

  info = senxor_session_get_info (session);
  if (expect_serial && g_ascii_strcasecmp (info->serial, expect_serial) != 0) {
    /* NOT_FOUND: the lost camera is not back yet */
    announce_other_camera (self, chosen, info->serial, expect_serial);
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
        "%s has serial number %s, not %s (the camera that was lost)", chosen,
        info->serial, expect_serial);
    senxor_session_close (session);
    return FALSE;
  }
  if (device && serial && g_ascii_strcasecmp (info->serial, serial) != 0) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
        "%s has serial number %s, not %s", chosen, info->serial, serial);
    senxor_session_close (session);
    return FALSE;
  }

  self->session = session;
  firmware = g_strdup_printf ("%u.%u.%u", info->fw_major, info->fw_minor,
      info->fw_build);

  GST_OBJECT_LOCK (self);
  self->width = info->width;
  self->height = info->height;
  /* another camera may have another FPS_MAX: measure it again */
  if (g_strcmp0 (self->rate_serial, info->serial) != 0) {
    self->fps_max_n = 0;
    self->fps_max_d = 1;
  }
  g_free (self->module);
  self->module = g_strdup (senxor_module_name (info->module));
  g_free (self->firmware);
  self->firmware = g_steal_pointer (&firmware);
  g_free (self->serial_number);
  self->serial_number = g_strdup (info->serial);
  g_free (self->mcu_type);
  self->mcu_type = g_strdup (senxor_mcu_type_name (info->mcu_type));
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "opened %s: %s %ux%u (nominal FPS_MAX %.2f), "
      "firmware %s, serial number %s", chosen, self->module, self->width,
      self->height, info->fps_max, self->firmware, self->serial_number);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODULE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRMWARE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERIAL_NUMBER]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MCU_TYPE]);
  return TRUE;
}

/* Opens the camera and reads its settings; on failure nothing is open. */
static gboolean
open_camera (GstSenxorSrc *self, const gchar *device_override,
    const gchar *expect_serial, GCancellable *cancellable, GError **error)
{
  if (!open_device (self, device_override, expect_serial, cancellable, error))
    return FALSE;
  if (!read_controls (self, cancellable, error)) {
    close_session (self);
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  /* every setting the user made goes to the camera before the first frame;
   * once caps are set, so does the negotiated frame rate */
  self->pending = self->user_set | (self->have_info ? CTRL_FRAME_RATE : 0);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* ---- the frame rate ---- */

static gint64 frame_timeout_us (GstSenxorSrc *self);

/* FPS_MAX from @k frame periods that took @span_ms by the device's clock.
 * Its millisecond timestamps put each end up to 1 ms off, so the rate lies
 * in [1000 k / (span + 1), 1000 k / (span - 1)].  The module's @nominal
 * rate is taken when it lies in that range (from two periods on: one
 * period cannot tell 30 from 29 fps); else the simplest rate in it (whole,
 * then half, quarter, fifth, tenth fps) once the range is narrower than
 * MEASURE_PRECISION.  @final: decide with what there is.  TRUE when @n/@d
 * is set. */
static gboolean
choose_fps_max (guint64 k, guint64 span_ms, gdouble nominal, gboolean final,
    gint *n, gint *d)
{
  static const gint dens[] = { 1, 2, 4, 5, 10 };
  gdouble lo, hi;
  guint i;

  if (k == 0 || span_ms < 2) {
    if (final)
      gst_util_double_to_fraction (nominal, n, d);
    return final;
  }
  lo = 1000.0 * k / (span_ms + 1);
  hi = 1000.0 * k / (span_ms - 1);
  if (nominal >= lo && nominal <= hi && (k >= 2 || final)) {
    gst_util_double_to_fraction (nominal, n, d);
    return TRUE;
  }
  if (!final && (hi - lo) / lo > MEASURE_PRECISION)
    return FALSE;
  for (i = 0; i < G_N_ELEMENTS (dens); i++) {
    gint num = (gint) ceil (lo * dens[i] - 1e-9);

    if (num > 0 && (gdouble) num / dens[i] <= hi) {
      gint g = gst_util_greatest_common_divisor (num, dens[i]);

      *n = num / g;
      *d = dens[i] / g;
      return TRUE;
    }
  }
  gst_util_double_to_fraction (round (100000.0 * k / span_ms) / 100.0, n, d);
  return TRUE;
}

/* The camera does not report FPS_MAX (PROTOCOL.md: about 25-30 fps by
 * module, and an emulator may run at any rate), only the divider, which
 * the source writes.  So the source measures FPS_MAX at divider 1 with the
 * device's own frame timestamps (no transfer jitter), before caps are
 * negotiated.  The frames read meanwhile are held, and create() delivers
 * them first.  The controls set by the user are written before.  Without
 * frame headers the module's nominal rate is taken.  Streaming thread. */
static gboolean
measure_fps_max (GstSenxorSrc *self, GCancellable *cancellable,
    GError **error)
{
  const SenxorDeviceInfo *info = senxor_session_get_info (self->session);
  gsize n_pixels = (gsize) self->width * self->height;
  guint64 ref_counter = 0, last_counter = 0, k = 0, span = 0;
  guint32 ref_ts = 0, last_ts = 0;
  gboolean have_ref = FALSE, done = FALSE, changed;
  gint n = 0, d = 1;

  drop_held_frames (self);
  if (!apply_pending_controls (self, cancellable, error) ||
      !apply_frame_rate (self, 1, cancellable, error))
    return FALSE;
  GST_OBJECT_LOCK (self);
  /* the negotiated divider is written again afterwards */
  self->pending |= CTRL_FRAME_RATE;
  GST_OBJECT_UNLOCK (self);
  if (!self->streaming) {
    if (!senxor_session_start_stream (self->session, cancellable, error))
      return FALSE;
    self->streaming = TRUE;
  }

  while (!done && self->held.length < MEASURE_MAX_FRAMES) {
    g_autoptr (GError) local = NULL;
    HeldFrame *f = g_new0 (HeldFrame, 1);
    gint64 timeout = frame_timeout_us (self);
    guint32 ts;

    /* A camera that goes quiet does not hold the stream up: the rate is
     * decided with what there is, and the frames are delivered (the next
     * read finds the silence).  After two frames, the wait is short. */
    if (self->held.length >= 2)
      timeout = timeout < 0 ? MEASURE_FRAME_TIMEOUT_US :
          MIN (timeout, MEASURE_FRAME_TIMEOUT_US);
    f->pixels = g_new (guint16, n_pixels);
    if (!senxor_session_read_frame (self->session, f->pixels, n_pixels,
            &f->info, timeout, cancellable, &local)) {
      held_frame_free (f);
      if (self->held.length >= 1 &&
          g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT))
        break;
      drop_held_frames (self);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
    g_queue_push_tail (&self->held, f);
    if (!f->info.has_header) {
      GST_WARNING_OBJECT (self, "frames without a header: taking the "
          "nominal FPS_MAX %.2f", info->fps_max);
      break;
    }
    ts = f->info.header.timestamp;
    /* a counter or clock that restarted (a reboot) or stood still starts
     * the measurement again from this frame */
    if (!have_ref || f->info.counter <= last_counter || ts == last_ts ||
        (guint32) (ts - last_ts) > MEASURE_MAX_SPAN_MS) {
      have_ref = TRUE;
      ref_counter = f->info.counter;
      ref_ts = ts;
    }
    last_counter = f->info.counter;
    last_ts = ts;
    k = last_counter - ref_counter;
    span = (guint32) (last_ts - ref_ts);
    done = choose_fps_max (k, span, info->fps_max,
        span >= MEASURE_MAX_SPAN_MS, &n, &d);
  }
  if (!done)
    choose_fps_max (k, span, info->fps_max, TRUE, &n, &d);

  GST_OBJECT_LOCK (self);
  /* another camera came back with another rate: renegotiate */
  changed = self->have_info && self->divider > 0 &&
      gst_util_fraction_compare (self->info.fps_n, self->info.fps_d, n,
      d * (gint) self->divider) != 0;
  self->fps_max_n = n;
  self->fps_max_d = d;
  g_free (self->rate_serial);
  self->rate_serial = g_strdup (info->serial);
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "FPS_MAX %d/%d: %" G_GUINT64_FORMAT " frame periods "
      "in %" G_GUINT64_FORMAT " ms of device time (the module's nominal "
      "rate: %.2f)", n, d, k, span, info->fps_max);
  if (changed)
    gst_pad_mark_reconfigure (GST_BASE_SRC_PAD (self));
  return TRUE;
}

/* ---- GstBaseSrc ---- */

/* YYWWLLSSSSSS: twelve hexadecimal digits */
static gboolean
is_serial_number (const gchar *s)
{
  guint i;

  for (i = 0; s[i]; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return i == 12;
}

static gboolean
gst_senxor_src_start (GstBaseSrc *bsrc)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);
  g_autoptr (GError) error = NULL;
  g_autofree gchar *device = NULL;
  g_autofree gchar *serial = NULL;

  self->frames_out = 0;
  self->frames_lost_total = 0;
  self->have_last_offset = FALSE;
  self->offset_adjust = 0;
  self->need_offset_adjust = FALSE;
  self->discont = TRUE;
  capture_clock_reset (&self->capture_clock);
  self->streaming = FALSE;
  self->ctrl_time = 0;

  GST_OBJECT_LOCK (self);
  self->have_info = FALSE;
  hold_cancellable_fd (self, TRUE);
  g_clear_pointer (&self->opened_device, g_free);
  self->divider = 0;
  self->width = self->height = 0;
  /* measured again for each run: the camera at an address may change */
  self->fps_max_n = 0;
  self->fps_max_d = 1;
  g_clear_pointer (&self->rate_serial, g_free);
  g_clear_pointer (&self->other_serial, g_free);
  device = g_strdup (self->device);
  serial = g_strdup (self->serial);
  GST_OBJECT_UNLOCK (self);

  /* The camera itself is opened by the streaming thread (create()); a
   * malformed device string or serial number fails the state change here
   * already. */
  if (serial && !is_serial_number (serial)) {
    g_set_error (&error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "serial '%s' is not a serial number: 12 hexadecimal digits "
        "YYWWLLSSSSSS, as senxor-tool list shows them", serial);
    post_error (self, error, "checking the serial property");
    return FALSE;
  }
  if (device) {
    g_autoptr (SenxorDeviceAddress) addr =
        senxor_device_address_parse (device, &error);

    if (!addr) {
      post_error (self, error, "parsing the device property");
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
gst_senxor_src_stop (GstBaseSrc *bsrc)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);

  close_session (self);
  g_clear_pointer (&self->scratch, g_free);
  GST_OBJECT_LOCK (self);
  self->have_info = FALSE;
  self->width = self->height = 0;
  self->fps_max_n = 0;
  self->fps_max_d = 1;
  hold_cancellable_fd (self, FALSE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* What is known of the caps.  The camera is opened lazily, by the
 * streaming thread's first create(): until then nothing (any size the
 * template allows), once it is open its frame size, and once its FPS_MAX
 * is measured the rates too.  get_caps(), negotiate() and set_caps() ask
 * this; call it with the object lock held, or on the streaming thread,
 * which is the one writing the fields. */
typedef enum {
  CAPS_UNKNOWN,
  CAPS_SIZE_KNOWN,
  CAPS_KNOWN,
} CapsKnown;

static CapsKnown
caps_known (GstSenxorSrc *self)
{
  if (self->width == 0)
    return CAPS_UNKNOWN;
  if (self->fps_max_n == 0)
    return CAPS_SIZE_KNOWN;
  return CAPS_KNOWN;
}

static GstCaps *
gst_senxor_src_get_caps (GstBaseSrc *bsrc, GstCaps *filter)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);
  GstCaps *caps, *tmp;
  GValue rates = G_VALUE_INIT, rate = G_VALUE_INIT;
  guint fixed, d, width, height;
  gint n, den, fps_max_n, fps_max_d;
  CapsKnown known;

  GST_OBJECT_LOCK (self);
  known = caps_known (self);
  fixed = self->fps_divider;
  width = self->width;
  height = self->height;
  fps_max_n = self->fps_max_n;
  fps_max_d = self->fps_max_d;
  GST_OBJECT_UNLOCK (self);

  if (known == CAPS_UNKNOWN) {
    /* not open yet: any size the template allows */
    caps = gst_pad_get_pad_template_caps (GST_BASE_SRC_PAD (bsrc));
  } else if (known == CAPS_SIZE_KNOWN) {
    /* open, FPS_MAX not measured yet: its size, any rate */
    caps = gst_caps_make_writable (gst_pad_get_pad_template_caps
        (GST_BASE_SRC_PAD (bsrc)));
    gst_caps_set_simple (caps, "width", G_TYPE_INT, (gint) width,
        "height", G_TYPE_INT, (gint) height, NULL);
  } else {
    caps = gst_caps_new_simple ("video/x-raw",
        "format", G_TYPE_STRING, "GRAY16_LE",
        "width", G_TYPE_INT, (gint) width,
        "height", G_TYPE_INT, (gint) height,
        "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
    g_value_init (&rate, GST_TYPE_FRACTION);
    if (fixed) {
      gst_util_fraction_multiply (fps_max_n, fps_max_d, 1, (gint) fixed,
          &n, &den);
      gst_value_set_fraction (&rate, n, den);
      gst_caps_set_value (caps, "framerate", &rate);
    } else {
      /* Every rate the divider can make, fastest first, so that fixation
       * picks the full rate unless downstream asks for less. */
      g_value_init (&rates, GST_TYPE_LIST);
      for (d = 1; d <= MAX_DIVIDER; d++) {
        gst_util_fraction_multiply (fps_max_n, fps_max_d, 1, (gint) d,
            &n, &den);
        gst_value_set_fraction (&rate, n, den);
        gst_value_list_append_value (&rates, &rate);
      }
      gst_caps_set_value (caps, "framerate", &rates);
      g_value_unset (&rates);
    }
    g_value_unset (&rate);
  }

  if (filter) {
    tmp = gst_caps_intersect_full (filter, caps, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (caps);
    caps = tmp;
  }
  GST_LOG_OBJECT (self, "caps %" GST_PTR_FORMAT, caps);
  return caps;
}

static gboolean
gst_senxor_src_set_caps (GstBaseSrc *bsrc, GstCaps *caps)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);
  GstVideoInfo info;
  gdouble fps_max, fps;
  guint divider;

  if (!gst_video_info_from_caps (&info, caps) || info.fps_n <= 0) {
    GST_ERROR_OBJECT (self, "bad caps %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
  if (caps_known (self) != CAPS_KNOWN)   /* see negotiate() */
    return FALSE;
  if ((guint) info.width != self->width || (guint) info.height != self->height)
    return FALSE;

  gst_util_fraction_to_double (self->fps_max_n, self->fps_max_d, &fps_max);
  gst_util_fraction_to_double (info.fps_n, info.fps_d, &fps);
  divider = (guint) CLAMP (lround (fps_max / fps), 1, MAX_DIVIDER);

  self->info = info;
  g_clear_pointer (&self->scratch, g_free);
  if ((gsize) GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) != self->width * 2)
    self->scratch = g_new (guint16, (gsize) self->width * self->height);

  GST_OBJECT_LOCK (self);
  self->have_info = TRUE;
  self->duration = gst_util_uint64_scale (GST_SECOND, info.fps_d, info.fps_n);
  self->divider = divider;
  self->pending |= CTRL_FRAME_RATE;
  GST_OBJECT_UNLOCK (self);

  GST_INFO_OBJECT (self, "%d/%d fps: divider %u", info.fps_n, info.fps_d,
      divider);
  return TRUE;
}

/* Caps exist once the camera is open and its frame rate measured: until
 * then (the streaming thread's first negotiation, before create() opened
 * it) there is nothing to negotiate; create() negotiates right after. */
static gboolean
gst_senxor_src_negotiate (GstBaseSrc *bsrc)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);
  CapsKnown known;

  GST_OBJECT_LOCK (self);
  known = caps_known (self);
  GST_OBJECT_UNLOCK (self);
  if (known != CAPS_KNOWN) {
    GST_DEBUG_OBJECT (self, "camera not open yet: negotiating later");
    return TRUE;
  }
  return GST_BASE_SRC_CLASS (parent_class)->negotiate (bsrc);
}

static gboolean
gst_senxor_src_decide_allocation (GstBaseSrc *bsrc, GstQuery *query)
{
  GstBufferPool *pool = NULL;
  GstStructure *config;
  GstCaps *caps = NULL;
  GstVideoInfo info;
  guint size, min, max;
  gboolean update;

  gst_query_parse_allocation (query, &caps, NULL);
  if (!caps)                    /* caps not known yet: see negotiate() */
    return TRUE;
  if (!gst_video_info_from_caps (&info, caps))
    return FALSE;

  if (gst_query_get_n_allocation_pools (query) > 0) {
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);
    size = MAX (size, (guint) info.size);
    update = TRUE;
  } else {
    size = info.size;
    min = max = 0;
    update = FALSE;
  }
  if (!pool)
    pool = gst_video_buffer_pool_new ();

  config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  if (gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  if (!gst_buffer_pool_set_config (pool, config)) {
    /* A downstream pool may refuse our parameters: use our own. */
    gst_object_unref (pool);
    pool = gst_video_buffer_pool_new ();
    config = gst_buffer_pool_get_config (pool);
    gst_buffer_pool_config_set_params (config, caps, info.size, min, max);
    if (!gst_buffer_pool_set_config (pool, config)) {
      gst_object_unref (pool);
      return FALSE;
    }
  }

  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);

  return GST_BASE_SRC_CLASS (parent_class)->decide_allocation (bsrc, query);
}

static gboolean
gst_senxor_src_query (GstBaseSrc *bsrc, GstQuery *query)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);
  gboolean have_info;
  GstClockTime duration;

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_LATENCY:
      /* Any thread may ask (the bin's latency query runs on the
       * application's): the frame period under the object lock, which
       * set_caps() holds when it writes it (docs/threading.md). */
      GST_OBJECT_LOCK (self);
      have_info = self->have_info;
      duration = self->duration;
      GST_OBJECT_UNLOCK (self);
      if (!have_info || !GST_CLOCK_TIME_IS_VALID (duration)) {
        /* Not open yet: live, latency unknown.  create() posts a latency
         * message once the frame rate is known. */
        gst_query_set_latency (query, TRUE, 0, GST_CLOCK_TIME_NONE);
        return TRUE;
      }
      /* A frame exists only once all of it has arrived: one frame period
       * of latency.  The operating system may queue more. */
      gst_query_set_latency (query, TRUE, duration, GST_CLOCK_TIME_NONE);
      GST_DEBUG_OBJECT (self, "latency %" GST_TIME_FORMAT,
          GST_TIME_ARGS (duration));
      return TRUE;
    default:
      return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
  }
}

static gboolean
gst_senxor_src_unlock (GstBaseSrc *bsrc)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);

  GST_DEBUG_OBJECT (self, "unlock");
  GST_OBJECT_LOCK (self);
  g_cancellable_cancel (self->cancellable);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_senxor_src_unlock_stop (GstBaseSrc *bsrc)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (bsrc);

  GST_DEBUG_OBJECT (self, "unlock stop");
  GST_OBJECT_LOCK (self);
  replace_cancellable (self);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* ---- streaming ---- */

static void
post_device_message (GstSenxorSrc *self, const char *name, const GError *err,
    guint attempts)
{
  GstStructure *s;

  GST_OBJECT_LOCK (self);
  s = gst_structure_new (name,
      "device", G_TYPE_STRING, self->opened_device,
      "serial", G_TYPE_STRING, self->serial_number, NULL);
  GST_OBJECT_UNLOCK (self);
  if (err)
    gst_structure_set (s, "reason", G_TYPE_STRING, err->message, NULL);
  if (attempts)
    gst_structure_set (s, "attempts", G_TYPE_UINT, attempts, NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* After losing the device: retries with back-off until it is back (the
 * same camera, by serial number, unless reconnect-any-camera) with the
 * same geometry, restores the settings and restarts streaming.  Returns
 * GST_FLOW_OK when streaming again, GST_FLOW_FLUSHING when unlock()
 * interrupted it, GST_FLOW_ERROR (with an error posted) when the device came
 * back unusable. */
static GstFlowReturn
reconnect (GstSenxorSrc *self, const GError *why, GCancellable *cancellable)
{
  g_autofree gchar *device = NULL;
  g_autofree gchar *serial = NULL;
  const gchar *expect = NULL;
  guint interval, base, attempts = 0;
  /* 0x0 when the camera could not be opened at the start */
  guint width = self->width, height = self->height;

  /* without @why, this carries on a reconnection that a state change
   * interrupted: the loss was announced already */
  if (why) {
    GST_WARNING_OBJECT (self, "lost the camera: %s", why->message);
    close_session (self);
    post_device_message (self, "senxor-device-lost", why, 0);
  }

  GST_OBJECT_LOCK (self);
  /* A camera found by discovery may come back under another name: look for
   * it by its serial number again. */
  serial = g_strdup (self->serial_number);
  if (self->device || !serial || !*serial)
    device = g_strdup (self->opened_device);
  /* At an address, another camera may turn up: it is not the one that was
   * lost (unless any camera will do).  A camera never opened may be any. */
  if (width != 0 && serial && *serial && !self->reconnect_any_camera)
    expect = serial;
  base = MAX (self->retry_interval_ms, 1);
  GST_OBJECT_UNLOCK (self);
  interval = base;

  for (;;) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *found = NULL;
    const gchar *target = device;

    if (!wait_cancellable (cancellable, interval))
      return GST_FLOW_FLUSHING;
    attempts++;

    if (!target && serial && *serial) {
      found = choose_device (NULL, serial, &error);
      target = found;
    }
    /* Never opened: look for it as at the start (device and serial
     * properties, else discovery). */
    if ((target || !serial || !*serial) &&
        open_camera (self, target, expect, cancellable, &error)) {
      if (width != 0 && (self->width != width || self->height != height)) {
        GST_ELEMENT_ERROR (self, STREAM, FORMAT,
            ("The Senxor camera came back with another frame size."),
            ("was %ux%u, now %ux%u", width, height, self->width,
                self->height));
        return GST_FLOW_ERROR;
      }
      /* a camera not measured yet (another one, or never opened) */
      if (self->fps_max_n != 0 ||
          measure_fps_max (self, cancellable, &error))
        break;
      close_session (self);
    }

    if (is_cancelled (error))
      return GST_FLOW_FLUSHING;
    if (error && !is_recoverable (error)) {
      post_error (self, error, "reconnecting to the camera");
      return GST_FLOW_ERROR;
    }
    GST_DEBUG_OBJECT (self, "attempt %u failed: %s", attempts,
        error ? error->message : "not found");
    interval = MIN (interval * 2, base * MAX_BACKOFF_FACTOR);
  }

  GST_INFO_OBJECT (self, "camera back after %u attempts", attempts);
  g_clear_pointer (&self->other_serial, g_free);
  post_device_message (self, "senxor-device-restored", NULL, attempts);
  self->discont = TRUE;
  capture_clock_reset (&self->capture_clock);
  self->need_offset_adjust = TRUE;
  return GST_FLOW_OK;
}

/* The read timeout: the property, or (-1) the vendor's rule. */
static gint64
frame_timeout_us (GstSenxorSrc *self)
{
  guint ms;

  GST_OBJECT_LOCK (self);
  ms = self->timeout_ms;
  GST_OBJECT_UNLOCK (self);
  return ms ? (gint64) ms * 1000 : -1;
}

/* The running time at which the frame that arrived at monotonic time
 * @arrival_us did: the pipeline clock sampled now, less the time since
 * arrival.  GST_CLOCK_TIME_NONE without a clock. */
static GstClockTime
arrival_running_time (GstSenxorSrc *self, gint64 arrival_us)
{
  GstClock *clock;
  GstClockTime base_time, now;
  gint64 delay;

  GST_OBJECT_LOCK (self);
  clock = GST_ELEMENT_CLOCK (self);
  if (clock)
    gst_object_ref (clock);
  base_time = GST_ELEMENT_CAST (self)->base_time;
  GST_OBJECT_UNLOCK (self);
  if (!clock)
    return GST_CLOCK_TIME_NONE;

  now = gst_clock_get_time (clock);
  delay = (g_get_monotonic_time () - arrival_us) * 1000;
  gst_object_unref (clock);
  if (delay < 0 || arrival_us <= 0)
    delay = 0;
  if (now < base_time + (GstClockTime) delay)
    return 0;
  return now - base_time - delay;
}

/* The running time at which the frame was captured: its arrival, steadied
 * with the device's own timestamp (which has no transfer jitter) as long as
 * the two agree (see capture-clock.h). */
static GstClockTime
capture_time (GstSenxorSrc *self, const SenxorFrameInfo *finfo)
{
  GstClockTime host = arrival_running_time (self, finfo->arrival_us);
  GstClockTime pts;
  gboolean resynced;

  if (!GST_CLOCK_TIME_IS_VALID (host) || !finfo->has_header)
    return host;
  pts = capture_clock_update (&self->capture_clock, host,
      finfo->header.timestamp, &resynced);
  if (resynced)
    GST_DEBUG_OBJECT (self, "device timestamp jumped to %u ms at %"
        GST_TIME_FORMAT ", resynchronising", finfo->header.timestamp,
        GST_TIME_ARGS (host));
  return pts;
}

static GstFlowReturn
handle_stream_error (GstSenxorSrc *self, GError *error,
    GCancellable *cancellable, const char *doing)
{
  gboolean reconnect_on;

  if (is_cancelled (error) || g_cancellable_is_cancelled (cancellable))
    return GST_FLOW_FLUSHING;

  GST_OBJECT_LOCK (self);
  reconnect_on = self->reconnect;
  GST_OBJECT_UNLOCK (self);

  if (reconnect_on && is_recoverable (error))
    return reconnect (self, error, cancellable);

  post_error (self, error, doing);
  return GST_FLOW_ERROR;
}

/* Opens the camera on the streaming thread: at the first create(), and
 * again if a reconnection was interrupted by a state change.  Then, the
 * first time, negotiates caps for its frame size.  Each step may be cut
 * short by unlock() (GST_FLOW_FLUSHING) and is resumed by the next
 * create(). */
static GstFlowReturn
ensure_open (GstSenxorSrc *self, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  GstFlowReturn ret;

  if (self->session) {
    /* open, but a state change interrupted the negotiation */
  } else if (self->width != 0) {
    /* it was open: a reconnection was under way when a state change
     * interrupted it; carry on looking for the same camera */
    ret = reconnect (self, NULL, cancellable);
    if (ret != GST_FLOW_OK)
      return ret;
  } else if (!open_camera (self, NULL, NULL, cancellable, &error)) {
    ret = handle_stream_error (self, error, cancellable, "opening the camera");
    if (ret != GST_FLOW_OK)
      return ret;
  }
  /* (a reconnection measured it already) */
  if (self->fps_max_n == 0 && !measure_fps_max (self, cancellable, &error)) {
    ret = handle_stream_error (self, error, cancellable,
        "measuring the frame rate");
    if (ret != GST_FLOW_OK)
      return ret;
  }
  if (self->have_info)
    return GST_FLOW_OK;

  if (!gst_base_src_negotiate (GST_BASE_SRC (self))) {
    if (g_cancellable_is_cancelled (cancellable))
      return GST_FLOW_FLUSHING;
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Downstream does not accept the Senxor camera's %ux%u GRAY16_LE "
            "frames.", self->width, self->height),
        ("caps negotiation failed after opening the camera"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  /* the latency is one frame period: let the pipeline ask again */
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_latency (GST_OBJECT (self)));
  return GST_FLOW_OK;
}

/* Delivers a frame the rate measurement read (oldest first) into @pixels:
 * TRUE when the stream runs at divider 1.  At another negotiated rate they
 * are dropped and *@restart tells the caller to restart the stream at that
 * rate. */
static gboolean
take_held_frame (GstSenxorSrc *self, guint16 *pixels, gsize n_pixels,
    SenxorFrameInfo *finfo, gboolean *restart)
{
  HeldFrame *f;
  guint divider;

  *restart = FALSE;
  if (g_queue_is_empty (&self->held))
    return FALSE;

  GST_OBJECT_LOCK (self);
  divider = self->divider;
  GST_OBJECT_UNLOCK (self);
  if (divider > 1) {
    drop_held_frames (self);
    *restart = TRUE;
    return FALSE;
  }
  f = g_queue_pop_head (&self->held);
  memcpy (pixels, f->pixels, n_pixels * sizeof (guint16));
  *finfo = f->info;
  held_frame_free (f);
  return TRUE;
}

/* One attempt at the next frame: a held one, else (after restarting the
 * stream if the rate changed, writing the settings other threads queued,
 * starting the stream) one read from the camera.  FALSE with @error set
 * and *@doing naming the step that failed. */
static gboolean
read_one_frame (GstSenxorSrc *self, guint16 *pixels, gsize n_pixels,
    SenxorFrameInfo *finfo, GCancellable *cancellable, const char **doing,
    GError **error)
{
  gboolean restart;

  if (take_held_frame (self, pixels, n_pixels, finfo, &restart))
    return TRUE;
  if (restart) {
    *doing = "restarting the stream";
    if (!senxor_session_stop_stream (self->session, cancellable, error))
      return FALSE;
    self->streaming = FALSE;
  }
  *doing = "applying the camera settings";
  if (!apply_pending_controls (self, cancellable, error))
    return FALSE;
  if (!self->streaming) {
    *doing = "starting the stream";
    if (!senxor_session_start_stream (self->session, cancellable, error))
      return FALSE;
    self->streaming = TRUE;
  }
  *doing = "reading a frame";
  return senxor_session_read_frame (self->session, pixels, n_pixels, finfo,
      frame_timeout_us (self), cancellable, error);
}

/* The next frame into @pixels, reconnecting (with the reconnect property)
 * as often as the device is lost.  GST_FLOW_FLUSHING once unlock() cancelled
 * the wait, GST_FLOW_ERROR (posted) on a failure that is not recovered. */
static GstFlowReturn
next_frame (GstSenxorSrc *self, guint16 *pixels, gsize n_pixels,
    SenxorFrameInfo *finfo, GCancellable *cancellable)
{
  for (;;) {
    g_autoptr (GError) error = NULL;
    const char *doing = NULL;
    GstFlowReturn ret;

    if (g_cancellable_is_cancelled (cancellable) || !self->session)
      return GST_FLOW_FLUSHING;
    /* Controlled properties (GstController) change here, between frames. */
    gst_object_sync_values (GST_OBJECT (self), self->ctrl_time);
    if (read_one_frame (self, pixels, n_pixels, finfo, cancellable, &doing,
            &error))
      return GST_FLOW_OK;
    ret = handle_stream_error (self, error, cancellable, doing);
    if (ret != GST_FLOW_OK)
      return ret;
  }
}

/* A buffer for one frame from the negotiated pool, mapped for writing. */
static GstFlowReturn
alloc_frame (GstSenxorSrc *self, GstBuffer **buf, GstVideoFrame *frame)
{
  GstFlowReturn ret;

  ret = GST_BASE_SRC_CLASS (parent_class)->alloc (GST_BASE_SRC (self), 0,
      self->info.size, buf);
  if (ret != GST_FLOW_OK) {
    if (ret != GST_FLOW_FLUSHING)
      GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT,
          ("Could not allocate a buffer for a frame."),
          ("%s", gst_flow_get_name (ret)));
    return ret;
  }
  if (!gst_video_frame_map (frame, &self->info, *buf, GST_MAP_WRITE)) {
    gst_clear_buffer (buf);
    GST_ELEMENT_ERROR (self, RESOURCE, NO_SPACE_LEFT, (NULL),
        ("could not map the output buffer"));
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

/* Turns the frame read into @pixels into the output picture: deci-Kelvin
 * (the source never throws temperature away: whatever the device's unit,
 * the output is deci-Kelvin), copied row by row when the stride is padded.
 * FALSE (an error posted) when the camera sends raw ADC counts. */
static gboolean
fill_frame (GstSenxorSrc *self, const SenxorFrameInfo *finfo,
    guint16 *pixels, gsize n_pixels, GstVideoFrame *frame)
{
  guint y;

  if (finfo->unit == SENXOR_UNIT_ADC) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("The Senxor camera sends raw ADC counts, not temperatures."),
        ("FRAME_MODE ADC_ENABLE is set"));
    return FALSE;
  }
  if (finfo->unit != SENXOR_UNIT_DECI_KELVIN)
    senxor_pixels_to_deci_kelvin (pixels, pixels, n_pixels, finfo->unit);
  if (self->scratch) {
    for (y = 0; y < self->height; y++)
      memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, 0) +
          y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0),
          self->scratch + (gsize) y * self->width, self->width * 2);
  }
  return TRUE;
}

/* The frame header's values, in deci-Kelvin, on the buffer. */
static void
add_frame_meta (GstBuffer *buf, const SenxorFrameInfo *finfo)
{
  GstSenxorFrameMeta *meta = gst_buffer_add_senxor_frame_meta (buf, 0.1, 0.0);

  meta->has_header = finfo->has_header;
  meta->frame_counter = finfo->counter;
  if (!finfo->has_header)
    return;
  meta->vdd = finfo->header.vdd;
  meta->die_temp_c = finfo->header.die_temp_c;
  meta->device_timestamp_ms = finfo->header.timestamp;
  meta->crc = finfo->header.crc;
  if (finfo->unit == SENXOR_UNIT_DECI_KELVIN) {
    meta->max_raw = finfo->header.max_raw;
    meta->min_raw = finfo->header.min_raw;
  } else {
    senxor_pixels_to_deci_kelvin (&finfo->header.max_raw, &meta->max_raw, 1,
        finfo->unit);
    senxor_pixels_to_deci_kelvin (&finfo->header.min_raw, &meta->min_raw, 1,
        finfo->unit);
  }
}

/* The buffer offset of a frame: offsets follow the device counter, and
 * keep growing across reconnections even when the device restarted its
 * count. */
static guint64
frame_offset (GstSenxorSrc *self, const SenxorFrameInfo *finfo)
{
  if (self->need_offset_adjust && self->have_last_offset) {
    if ((gint64) finfo->counter + self->offset_adjust <=
        (gint64) self->last_offset)
      self->offset_adjust = (gint64) self->last_offset + 1 -
          (gint64) finfo->counter;
  }
  self->need_offset_adjust = FALSE;
  return (guint64) ((gint64) finfo->counter + self->offset_adjust);
}

/* Frames the device counter skipped (after the first frame out): counted,
 * and reported with a QoS message and a warning. */
static void
account_lost_frames (GstSenxorSrc *self, const SenxorFrameInfo *finfo,
    guint64 offset, GstClockTime pts)
{
  GstMessage *qos;

  if (finfo->frames_lost == 0 || self->frames_out == 0)
    return;

  self->frames_lost_total += finfo->frames_lost;
  GST_WARNING_OBJECT (self, "lost %" G_GUINT64_FORMAT " frames before %"
      G_GUINT64_FORMAT, (guint64) finfo->frames_lost, offset);
  qos = gst_message_new_qos (GST_OBJECT (self), TRUE, GST_CLOCK_TIME_NONE,
      GST_CLOCK_TIME_NONE, pts, GST_CLOCK_TIME_IS_VALID (self->duration) ?
      finfo->frames_lost * self->duration : GST_CLOCK_TIME_NONE);
  gst_message_set_qos_stats (qos, GST_FORMAT_BUFFERS, self->frames_out,
      self->frames_lost_total);
  gst_element_post_message (GST_ELEMENT (self), qos);
  GST_ELEMENT_WARNING (self, STREAM, FAILED,
      ("Lost %" G_GUINT64_FORMAT " frames from the Senxor camera.",
          (guint64) finfo->frames_lost),
      ("device frame counter jumped to %" G_GUINT64_FORMAT "; %"
          G_GUINT64_FORMAT " lost in total", finfo->counter,
          self->frames_lost_total));
}

/* Timestamps, duration, offsets and the discontinuity flag on the buffer;
 * then the next frame is counted from this one, and controlled properties
 * are sampled at the next frame's time. */
static void
stamp_buffer (GstSenxorSrc *self, GstBuffer *buf, guint64 offset,
    GstClockTime pts)
{
  GST_BUFFER_PTS (buf) = pts;
  GST_BUFFER_DTS (buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buf) = self->duration;
  GST_BUFFER_OFFSET (buf) = offset;
  GST_BUFFER_OFFSET_END (buf) = offset + 1;
  if (self->discont) {
    GST_BUFFER_FLAG_SET (buf, GST_BUFFER_FLAG_DISCONT);
    self->discont = FALSE;
  }
  self->last_offset = offset;
  self->have_last_offset = TRUE;
  self->frames_out++;
  if (GST_CLOCK_TIME_IS_VALID (pts) && GST_CLOCK_TIME_IS_VALID (self->duration))
    self->ctrl_time = pts + self->duration;
}

static GstFlowReturn
gst_senxor_src_create (GstPushSrc *psrc, GstBuffer **outbuf)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (psrc);
  g_autoptr (GCancellable) cancellable = get_cancellable (self);
  GstBuffer *buf = NULL;
  GstVideoFrame frame;
  SenxorFrameInfo finfo;
  GstFlowReturn ret;
  GstClockTime pts;
  guint16 *pixels;
  gsize n_pixels;
  guint64 offset;

  if (!self->session || !self->have_info) {
    ret = ensure_open (self, cancellable);
    if (ret != GST_FLOW_OK)
      return ret;
  }
  if (!self->have_info) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("create() before caps were set"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  n_pixels = (gsize) self->width * self->height;

  ret = alloc_frame (self, &buf, &frame);
  if (ret != GST_FLOW_OK)
    return ret;
  pixels = self->scratch ? self->scratch :
      (guint16 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);

  ret = next_frame (self, pixels, n_pixels, &finfo, cancellable);
  if (ret == GST_FLOW_OK && !fill_frame (self, &finfo, pixels, n_pixels,
          &frame))
    ret = GST_FLOW_ERROR;
  gst_video_frame_unmap (&frame);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (buf);
    return ret;
  }

  add_frame_meta (buf, &finfo);
  pts = capture_time (self, &finfo);
  offset = frame_offset (self, &finfo);
  account_lost_frames (self, &finfo, offset, pts);
  stamp_buffer (self, buf, offset, pts);

  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT " pts %" GST_TIME_FORMAT,
      offset, GST_TIME_ARGS (pts));
  *outbuf = buf;
  return GST_FLOW_OK;
}

/* ---- properties ---- */

/* A control property: a boolean, an unsigned or signed integer, a double
 * (controllable: a continuous value) or an enum, with the control's range,
 * default and description. */
static GParamSpec *
control_param_spec (const SenxorControlInfo *c)
{
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_PLAYING;
  g_autofree gchar *text = g_strconcat (c->description, " Unset, the "
      "camera's setting is kept and shown once it is open", NULL);
  /* static strings: the library's, and these interned for good */
  const gchar *blurb = g_intern_string (text);

  switch (c->type) {
    case SENXOR_CONTROL_BOOLEAN:
      return g_param_spec_boolean (c->name, c->label, blurb,
          c->default_value != 0, flags);
    case SENXOR_CONTROL_INTEGER:
      if (c->min >= 0)
        return g_param_spec_uint (c->name, c->label, blurb, (guint) c->min,
            (guint) c->max, (guint) c->default_value, flags);
      return g_param_spec_int (c->name, c->label, blurb, (gint) c->min,
          (gint) c->max, (gint) c->default_value, flags);
    case SENXOR_CONTROL_ENUM:
      return g_param_spec_enum (c->name, c->label, blurb,
          control_enum_type (c), (gint) c->default_value, flags);
    case SENXOR_CONTROL_DOUBLE:
      break;
  }
  flags |= GST_PARAM_CONTROLLABLE;
  return g_param_spec_double (c->name, c->label, blurb, c->min, c->max,
      c->default_value, flags);
}

/* A control's value from its property's GValue, and back. */
static gdouble
control_from_value (const GValue *value)
{
  switch (G_VALUE_TYPE (value)) {
    case G_TYPE_BOOLEAN:
      return g_value_get_boolean (value);
    case G_TYPE_UINT:
      return g_value_get_uint (value);
    case G_TYPE_INT:
      return g_value_get_int (value);
    case G_TYPE_DOUBLE:
      return g_value_get_double (value);
    default:
      return g_value_get_enum (value);
  }
}

static void
control_to_value (gdouble v, GValue *value)
{
  switch (G_VALUE_TYPE (value)) {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, v != 0);
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value, (guint) lround (v));
      break;
    case G_TYPE_INT:
      g_value_set_int (value, (gint) lround (v));
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, v);
      break;
    default:
      g_value_set_enum (value, (gint) lround (v));
      break;
  }
}

/* Stores a control and queues it for the streaming thread.  Call with the
 * object lock held. */
static void
control_changed (GstSenxorSrc *self, guint ctrl)
{
  self->user_set |= ctrl;
  self->pending |= ctrl;
}

static void
gst_senxor_src_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (object);
  gboolean renegotiate = FALSE;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (self->device && !*self->device)
        g_clear_pointer (&self->device, g_free);
      break;
    case PROP_SERIAL:
      g_free (self->serial);
      self->serial = g_value_dup_string (value);
      if (self->serial && !*self->serial)
        g_clear_pointer (&self->serial, g_free);
      break;
    case PROP_FPS_DIVIDER:
      self->fps_divider = g_value_get_uint (value);
      renegotiate = TRUE;
      break;
    case PROP_TIMEOUT:
      self->timeout_ms = g_value_get_uint (value);
      break;
    case PROP_RECONNECT:
      self->reconnect = g_value_get_boolean (value);
      break;
    case PROP_RETRY_INTERVAL:
      self->retry_interval_ms = g_value_get_uint (value);
      break;
    case PROP_RECONNECT_ANY_CAMERA:
      self->reconnect_any_camera = g_value_get_boolean (value);
      break;
    default:
      if (prop_id >= PROP_CONTROL_FIRST &&
          prop_id < PROP_CONTROL_FIRST + n_camera_controls) {
        guint i = prop_id - PROP_CONTROL_FIRST;

        self->controls[i] = control_from_value (value);
        control_changed (self, CTRL_BIT (i));
        break;
      }
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);

  /* A new divider takes effect through caps: basesrc renegotiates on the
   * streaming thread, and set_caps() queues the register write. */
  if (renegotiate)
    gst_pad_mark_reconfigure (GST_BASE_SRC_PAD (self));
}

static void
gst_senxor_src_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_SERIAL:
      g_value_set_string (value, self->serial);
      break;
    case PROP_FPS_DIVIDER:
      g_value_set_uint (value, self->fps_divider);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, self->reconnect);
      break;
    case PROP_RETRY_INTERVAL:
      g_value_set_uint (value, self->retry_interval_ms);
      break;
    case PROP_RECONNECT_ANY_CAMERA:
      g_value_set_boolean (value, self->reconnect_any_camera);
      break;
    case PROP_MODULE:
      g_value_set_string (value, self->module);
      break;
    case PROP_FIRMWARE:
      g_value_set_string (value, self->firmware);
      break;
    case PROP_SERIAL_NUMBER:
      g_value_set_string (value, self->serial_number);
      break;
    case PROP_MCU_TYPE:
      g_value_set_string (value, self->mcu_type);
      break;
    default:
      if (prop_id >= PROP_CONTROL_FIRST &&
          prop_id < PROP_CONTROL_FIRST + n_camera_controls) {
        control_to_value (self->controls[prop_id - PROP_CONTROL_FIRST], value);
        break;
      }
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_senxor_src_finalize (GObject *object)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (object);

  close_session (self);
  g_free (self->device);
  g_free (self->serial);
  g_free (self->module);
  g_free (self->firmware);
  g_free (self->serial_number);
  g_free (self->mcu_type);
  g_free (self->opened_device);
  g_free (self->rate_serial);
  g_free (self->other_serial);
  g_free (self->scratch);
  hold_cancellable_fd (self, FALSE);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_senxor_src_init (GstSenxorSrc *self)
{
  gst_base_src_set_live (GST_BASE_SRC (self), TRUE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
  gst_base_src_set_do_timestamp (GST_BASE_SRC (self), FALSE);

  self->fps_divider = DEFAULT_PROP_FPS_DIVIDER;
  for (guint i = 0; i < n_camera_controls; i++)
    self->controls[i] = camera_controls[i].default_value;
  self->timeout_ms = DEFAULT_PROP_TIMEOUT;
  self->reconnect = DEFAULT_PROP_RECONNECT;
  self->retry_interval_ms = DEFAULT_PROP_RETRY_INTERVAL;
  self->reconnect_any_camera = DEFAULT_PROP_RECONNECT_ANY_CAMERA;
  self->fps_max_d = 1;
  g_queue_init (&self->held);
  replace_cancellable (self);
  self->duration = GST_CLOCK_TIME_NONE;
}

static void
gst_senxor_src_class_init (GstSenxorSrcClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *basesrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *pushsrc_class = GST_PUSH_SRC_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ctrl = rw | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT (gst_senxor_src_debug, "senxorsrc", 0,
      "Senxor thermal camera source");

  gobject_class->set_property = gst_senxor_src_set_property;
  gobject_class->get_property = gst_senxor_src_get_property;
  gobject_class->finalize = gst_senxor_src_finalize;

  properties[PROP_DEVICE] = g_param_spec_string ("device", "Device",
      "The camera: /dev/ttyACM0, serial:///dev/ttyACM0, tcp://HOST[:PORT], "
      "usb://[VID:PID[:SERIAL]], emulator://[NAME]?module=mi08...; unset: "
      "the first camera found. Read when the element starts (READY)",
      DEFAULT_PROP_DEVICE, rw | GST_PARAM_MUTABLE_READY);
  properties[PROP_SERIAL] = g_param_spec_string ("serial", "Serial",
      "Open the camera with this serial number (YYWWLLSSSSSS, as the "
      "serial-number property shows it); with device set, check that the "
      "device has it. Read when the element starts (READY)",
      DEFAULT_PROP_SERIAL, rw | GST_PARAM_MUTABLE_READY);
  properties[PROP_FPS_DIVIDER] = g_param_spec_uint ("fps-divider",
      "Frame rate divider",
      "Frame rate = the camera's maximum (measured when it opens) / this "
      "divider; 0: negotiated with downstream (the maximum unless caps ask "
      "for less). Changing it while PLAYING renegotiates", 0, MAX_DIVIDER,
      DEFAULT_PROP_FPS_DIVIDER, ctrl);
  properties[PROP_TIMEOUT] = g_param_spec_uint ("timeout", "Timeout",
      "How long to wait for a frame before the camera counts as lost, in ms; "
      "0: 1 s, or 50 ms x the divider at divider 20 and above",
      0, G_MAXUINT, DEFAULT_PROP_TIMEOUT, rw | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RECONNECT] = g_param_spec_boolean ("reconnect", "Reconnect",
      "When the camera is lost, post senxor-device-lost, keep trying to "
      "reopen it, restore the settings, post senxor-device-restored and "
      "continue (the next buffer is marked DISCONT); otherwise post an error",
      DEFAULT_PROP_RECONNECT, rw | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RETRY_INTERVAL] = g_param_spec_uint ("retry-interval",
      "Retry interval",
      "First wait before reopening a lost camera, in ms; it doubles after "
      "each failed attempt up to 16 times this value",
      1, 600000, DEFAULT_PROP_RETRY_INTERVAL, rw | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_RECONNECT_ANY_CAMERA] = g_param_spec_boolean
      ("reconnect-any-camera", "Reconnect to any camera",
      "With reconnect and a device address: take whatever camera answers "
      "there as the lost one. Unset, only the camera that was lost (the "
      "same serial number) is taken back; another one there is announced "
      "with a warning and not used", DEFAULT_PROP_RECONNECT_ANY_CAMERA,
      rw | GST_PARAM_MUTABLE_PLAYING);
  properties[PROP_MODULE] = g_param_spec_string ("module", "Module",
      "The camera module (MI08, MI16, MI05), once the device is open",
      NULL, ro);
  properties[PROP_FIRMWARE] = g_param_spec_string ("firmware", "Firmware",
      "The firmware version, once the device is open", NULL, ro);
  properties[PROP_SERIAL_NUMBER] = g_param_spec_string ("serial-number",
      "Serial number", "The camera's serial number, once the device is open",
      NULL, ro);
  properties[PROP_MCU_TYPE] = g_param_spec_string ("mcu-type", "MCU type",
      "The MI48 controller type (MI48D4, MI48D5, MI48E, MI48G, ...), once the "
      "device is open", NULL, ro);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);
  /* the camera controls, as libsenxor defines them */
  camera_controls = senxor_controls (&n_camera_controls);
  g_assert (n_camera_controls <= MAX_CONTROLS);
  for (guint i = 0; i < n_camera_controls; i++)
    g_object_class_install_property (gobject_class, PROP_CONTROL_FIRST + i,
        control_param_spec (&camera_controls[i]));

  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "Senxor thermal camera source", "Source/Video/Hardware",
      "Captures radiometric frames (GRAY16_LE, deci-Kelvin) from a Senxor "
      "(MI48xx) thermal camera", "senxor-gst developers");

  basesrc_class->start = GST_DEBUG_FUNCPTR (gst_senxor_src_start);
  basesrc_class->stop = GST_DEBUG_FUNCPTR (gst_senxor_src_stop);
  basesrc_class->get_caps = GST_DEBUG_FUNCPTR (gst_senxor_src_get_caps);
  basesrc_class->set_caps = GST_DEBUG_FUNCPTR (gst_senxor_src_set_caps);
  basesrc_class->negotiate = GST_DEBUG_FUNCPTR (gst_senxor_src_negotiate);
  basesrc_class->decide_allocation =
      GST_DEBUG_FUNCPTR (gst_senxor_src_decide_allocation);
  basesrc_class->query = GST_DEBUG_FUNCPTR (gst_senxor_src_query);
  basesrc_class->unlock = GST_DEBUG_FUNCPTR (gst_senxor_src_unlock);
  basesrc_class->unlock_stop = GST_DEBUG_FUNCPTR (gst_senxor_src_unlock_stop);
  pushsrc_class->create = GST_DEBUG_FUNCPTR (gst_senxor_src_create);

  gst_type_mark_as_plugin_api (GST_TYPE_SENXOR_SRC_GAIN, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SENXOR_SRC_MEDIAN, 0);
}

/* ---- GstURIHandler: senxor://
 *
 *   senxor:///dev/ttyACM0               device=/dev/ttyACM0
 *   senxor://tcp/HOST:PORT              device=tcp://HOST:PORT
 *   senxor://usb/REST                   device=usb://REST
 *   senxor://serial/PATH                device=serial://PATH
 *   senxor://emulator?QUERY             device=emulator://?QUERY
 *   senxor://emulator/NAME?QUERY        device=emulator://NAME?QUERY
 *   senxor://?serial=SN                 serial=SN (the camera with that serial)
 *   senxor://                           the first camera found
 */

static const char *const uri_kinds[] = { "tcp", "usb", "serial", "emulator" };

/* Splits a senxor:// URI into a device string or a serial number. */
static gboolean
device_from_uri (const gchar *uri, gchar **device, gchar **serial,
    GError **error)
{
  const gchar *rest;
  guint i;

  *device = *serial = NULL;
  if (g_ascii_strncasecmp (uri, "senxor://", 9) != 0) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_UNSUPPORTED_PROTOCOL,
        "not a senxor:// URI: %s", uri);
    return FALSE;
  }
  rest = uri + 9;
  if (*rest == '\0')
    return TRUE;
  if (*rest == '/') {
    *device = g_uri_unescape_string (rest, NULL);
    return *device != NULL;
  }
  if (*rest == '?') {
    g_autoptr (GHashTable) params = g_uri_parse_params (rest + 1, -1, "&",
        G_URI_PARAMS_NONE, error);
    const gchar *sn;

    if (!params)
      return FALSE;
    sn = g_hash_table_lookup (params, "serial");
    if (!sn || !*sn) {
      g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
          "%s: expected senxor://?serial=SERIAL", uri);
      return FALSE;
    }
    *serial = g_strdup (sn);
    return TRUE;
  }
  for (i = 0; i < G_N_ELEMENTS (uri_kinds); i++) {
    gsize len = strlen (uri_kinds[i]);

    if (g_ascii_strncasecmp (rest, uri_kinds[i], len) != 0)
      continue;
    if (rest[len] == '/') {
      *device = g_strdup_printf ("%s://%s", uri_kinds[i], rest + len + 1);
      return TRUE;
    }
    if (rest[len] == '?' || rest[len] == '\0') {
      *device = g_strdup_printf ("%s://%s", uri_kinds[i], rest + len);
      return TRUE;
    }
  }
  g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
      "%s: expected senxor:///dev/PATH, senxor://tcp/HOST:PORT, "
      "senxor://usb/..., senxor://emulator?module=... or senxor://?serial=SN",
      uri);
  return FALSE;
}

static GstURIType
gst_senxor_src_uri_get_type (GType type)
{
  return GST_URI_SRC;
}

static const gchar *const *
gst_senxor_src_uri_get_protocols (GType type)
{
  static const gchar *protocols[] = { "senxor", NULL };

  return protocols;
}

static gchar *
gst_senxor_src_uri_get_uri (GstURIHandler *handler)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (handler);
  gchar *uri = NULL;
  const gchar *sep;
  guint i;

  GST_OBJECT_LOCK (self);
  if (!self->device) {
    if (self->serial)
      uri = g_strdup_printf ("senxor://?serial=%s", self->serial);
    else
      uri = g_strdup ("senxor://");
  } else if (self->device[0] == '/') {
    uri = g_strdup_printf ("senxor://%s", self->device);
  } else if ((sep = strstr (self->device, "://"))) {
    for (i = 0; i < G_N_ELEMENTS (uri_kinds); i++) {
      if ((gsize) (sep - self->device) == strlen (uri_kinds[i]) &&
          g_ascii_strncasecmp (self->device, uri_kinds[i], sep - self->device)
          == 0) {
        if (sep[3] == '?' || sep[3] == '\0')
          uri = g_strdup_printf ("senxor://%s%s", uri_kinds[i], sep + 3);
        else
          uri = g_strdup_printf ("senxor://%s/%s", uri_kinds[i], sep + 3);
        break;
      }
    }
  }
  if (!uri)
    uri = g_strdup_printf ("senxor:///%s", self->device);
  GST_OBJECT_UNLOCK (self);
  return uri;
}

static gboolean
gst_senxor_src_uri_set_uri (GstURIHandler *handler, const gchar *uri,
    GError **error)
{
  GstSenxorSrc *self = GST_SENXOR_SRC (handler);
  g_autofree gchar *device = NULL;
  g_autofree gchar *serial = NULL;

  if (GST_STATE (self) > GST_STATE_READY) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
        "the URI can only be changed in the NULL or READY state");
    return FALSE;
  }
  if (!device_from_uri (uri, &device, &serial, error))
    return FALSE;
  g_object_set (self, "device", device, "serial", serial, NULL);
  return TRUE;
}

static void
gst_senxor_src_uri_handler_init (gpointer g_iface, gpointer iface_data)
{
  GstURIHandlerInterface *iface = (GstURIHandlerInterface *) g_iface;

  iface->get_type = gst_senxor_src_uri_get_type;
  iface->get_protocols = gst_senxor_src_uri_get_protocols;
  iface->get_uri = gst_senxor_src_uri_get_uri;
  iface->set_uri = gst_senxor_src_uri_set_uri;
}
