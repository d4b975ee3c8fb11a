/* libsenxor: the libusb CDC-ACM transport
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For machines where cdc_acm is not bound to the camera: claims the CDC data
 * interface (detaching a kernel driver only with "?detach=1"), sends
 * SET_LINE_CODING 115200 8N1 and SET_CONTROL_LINE_STATE (DTR | RTS) like a
 * serial open does, then moves bytes with bulk transfers.
 *
 * One bulk-IN transfer stays submitted; reads run libusb's event handling
 * until it completes, the timeout passes or the cancellable fires (its
 * callback interrupts the event handler, so a cancel returns at once).
 */
#include "config.h"

#include "transport-private.h"
#include "transport-error-private.h"

#ifdef HAVE_LIBUSB
#include <libusb.h>
#include <string.h>

#define USB_IN_SIZE 16384
#define CDC_SET_LINE_CODING 0x20
#define CDC_SET_CONTROL_LINE_STATE 0x22

typedef struct {
  SenxorTransport base;
  libusb_context *ctx;
  libusb_device_handle *handle;
  int comm_iface;
  int data_iface;
  gboolean comm_claimed;
  gboolean data_claimed;
  gboolean reattach;
  guint8 ep_in;
  guint8 ep_out;
  struct libusb_transfer *xfer;
  gboolean xfer_busy;
  /* received, not yet read */
  guint8 *in;
  gsize in_len;
  gsize in_pos;
  int xfer_status;              /* libusb_transfer_status of the last completion */
} UsbTransport;

static void
in_done (struct libusb_transfer *xfer)
{
  UsbTransport *u = xfer->user_data;

  u->xfer_busy = FALSE;
  u->xfer_status = xfer->status;
  u->in_len = xfer->actual_length;
  u->in_pos = 0;
}

static void
interrupt_events (GCancellable *cancellable, gpointer data)
{
  libusb_interrupt_event_handler (data);
}

static void
set_usb_error (GError **error, int rc, const char *what)
{
  SenxorError code = SENXOR_ERROR_IO;

  switch (rc) {
    case LIBUSB_ERROR_ACCESS:
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_PERMISSION,
          "%s: permission denied. Install the udev rule (data/60-senxor.rules) "
          "and replug the camera", what);
      return;
    case LIBUSB_ERROR_BUSY:
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_BUSY,
          "%s: the interface is claimed by another process or driver", what);
      return;
    case LIBUSB_ERROR_NO_DEVICE:
    case LIBUSB_ERROR_PIPE:
      code = SENXOR_ERROR_DISCONNECTED;
      break;
    case LIBUSB_ERROR_NOT_FOUND:
      code = SENXOR_ERROR_NOT_FOUND;
      break;
    case LIBUSB_ERROR_TIMEOUT:
      code = SENXOR_ERROR_TIMEOUT;
      break;
    default:
      break;
  }
  g_set_error (error, SENXOR_ERROR, code, "%s: %s", what, libusb_strerror (rc));
}

static gssize
usb_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  UsbTransport *u = (UsbTransport *) t;
  gint64 deadline = timeout_us >= 0 ? g_get_monotonic_time () + timeout_us : -1;
  gulong handler = 0;
  gssize ret = -1;

  if (cancellable)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (interrupt_events),
        u->ctx, NULL);
  for (;;) {
    int rc;
    struct timeval tv;

    if (u->in_pos < u->in_len) {
      gsize n = MIN (len, u->in_len - u->in_pos);
      memcpy (buf, u->in + u->in_pos, n);
      u->in_pos += n;
      ret = n;
      break;
    }
    if (!u->xfer_busy) {
      if (u->xfer_status == LIBUSB_TRANSFER_NO_DEVICE ||
          u->xfer_status == LIBUSB_TRANSFER_ERROR ||
          u->xfer_status == LIBUSB_TRANSFER_STALL) {
        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED,
            "%s: the device went away (USB transfer status %d)", t->uri,
            u->xfer_status);
        break;
      }
      rc = libusb_submit_transfer (u->xfer);
      if (rc < 0) {
        set_usb_error (error, rc, t->uri);
        break;
      }
      u->xfer_busy = TRUE;
    }
    if (g_cancellable_is_cancelled (cancellable)) {
      senxor_set_cancelled (error, t->uri);
      break;
    }
    if (deadline >= 0) {
      gint64 left = deadline - g_get_monotonic_time ();
      if (left <= 0) {
        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT,
            "%s: no data within %" G_GINT64_FORMAT " ms", t->uri, timeout_us / 1000);
        break;
      }
      tv.tv_sec = left / G_USEC_PER_SEC;
      tv.tv_usec = left % G_USEC_PER_SEC;
    } else {
      tv.tv_sec = 1;
      tv.tv_usec = 0;
    }
    rc = libusb_handle_events_timeout_completed (u->ctx, &tv, NULL);
    if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED) {
      set_usb_error (error, rc, t->uri);
      break;
    }
  }
  if (handler)
    g_cancellable_disconnect (cancellable, handler);
  return ret;
}

static gboolean
usb_write (SenxorTransport *t, const guint8 *data, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  UsbTransport *u = (UsbTransport *) t;
  gsize done = 0;
  unsigned int ms = timeout_us < 0 ? 0 : (unsigned int) MAX (1, timeout_us / 1000);

  /* requests are a few bytes: a synchronous transfer with a timeout is enough */
  while (done < len) {
    int sent = 0;
    int rc = libusb_bulk_transfer (u->handle, u->ep_out, (guint8 *) data + done,
        (int) MIN (len - done, 4096), &sent, ms);
    if (rc < 0 && !(rc == LIBUSB_ERROR_TIMEOUT && sent > 0)) {
      set_usb_error (error, rc, t->uri);
      return FALSE;
    }
    done += sent;
    if (g_cancellable_set_error_if_cancelled (cancellable, NULL)) {
      senxor_set_cancelled (error, t->uri);
      return FALSE;
    }
  }
  return TRUE;
}

static void
usb_close (SenxorTransport *t)
{
  UsbTransport *u = (UsbTransport *) t;

  if (u->xfer) {
    if (u->xfer_busy) {
      struct timeval tv = { 0, 100000 };
      gint64 give_up = g_get_monotonic_time () + G_USEC_PER_SEC;

      libusb_cancel_transfer (u->xfer);
      while (u->xfer_busy && g_get_monotonic_time () < give_up)
        libusb_handle_events_timeout_completed (u->ctx, &tv, NULL);
    }
    if (!u->xfer_busy)
      libusb_free_transfer (u->xfer);
  }
  if (u->handle) {
    if (u->data_claimed)
      libusb_release_interface (u->handle, u->data_iface);
    if (u->comm_claimed)
      libusb_release_interface (u->handle, u->comm_iface);
    if (u->reattach)
      libusb_attach_kernel_driver (u->handle, u->data_iface);
    libusb_close (u->handle);
  }
  g_free (u->in);
  if (u->ctx)
    libusb_exit (u->ctx);
  g_free (u);
}

static const SenxorTransportClass usb_class = {
  .name = "usb",
  .read = usb_read,
  .write = usb_write,
  .close = usb_close,
};

/* "1.2.3" for @dev, or NULL */
static char *
port_path_of (libusb_device *dev)
{
  guint8 ports[8];
  int n = libusb_get_port_numbers (dev, ports, G_N_ELEMENTS (ports));
  GString *s;

  if (n <= 0)
    return NULL;
  s = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    g_string_append_printf (s, i ? ".%u" : "%u", ports[i]);
  return g_string_free (s, FALSE);
}

static gboolean
matches (const SenxorDeviceAddress *addr, libusb_device *dev,
    const struct libusb_device_descriptor *desc)
{
  if (addr->usb_vid || addr->usb_pid) {
    if (desc->idVendor != addr->usb_vid || desc->idProduct != addr->usb_pid)
      return FALSE;
  } else if (!senxor_usb_id_is_senxor (desc->idVendor, desc->idProduct)) {
    return FALSE;
  }
  if (addr->usb_port_path) {
    g_autofree char *path = port_path_of (dev);
    if (libusb_get_bus_number (dev) != addr->usb_bus || g_strcmp0 (path,
            addr->usb_port_path) != 0)
      return FALSE;
  }
  return TRUE;
}

/* Find the CDC data interface (class 0x0A) with its bulk endpoints and the
 * communication interface (class 0x02). */
static gboolean
find_interfaces (UsbTransport *u, libusb_device *dev)
{
  struct libusb_config_descriptor *cfg = NULL;
  gboolean found = FALSE;

  u->comm_iface = -1;
  if (libusb_get_active_config_descriptor (dev, &cfg) < 0)
    return FALSE;
  for (int i = 0; i < cfg->bNumInterfaces; i++) {
    const struct libusb_interface_descriptor *id;

    if (cfg->interface[i].num_altsetting < 1)
      continue;
    id = &cfg->interface[i].altsetting[0];
    if (id->bInterfaceClass == LIBUSB_CLASS_COMM && u->comm_iface < 0)
      u->comm_iface = id->bInterfaceNumber;
    if (id->bInterfaceClass == LIBUSB_CLASS_DATA && !found) {
      u->ep_in = u->ep_out = 0;
      for (int e = 0; e < id->bNumEndpoints; e++) {
        const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
        if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
          continue;
        if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
          u->ep_in = ep->bEndpointAddress;
        else
          u->ep_out = ep->bEndpointAddress;
      }
      if (u->ep_in && u->ep_out) {
        u->data_iface = id->bInterfaceNumber;
        found = TRUE;
      }
    }
  }
  libusb_free_config_descriptor (cfg);
  if (u->comm_iface < 0)
    u->comm_iface = 0;
  return found;
}

static gboolean
setup_device (UsbTransport *u, const SenxorDeviceAddress *addr, libusb_device *dev,
    GError **error)
{
  const char *detach = senxor_device_address_get_param (addr, "detach");
  /* 115200 baud, 1 stop bit, no parity, 8 data bits */
  guint8 coding[7] = { 0x00, 0xC2, 0x01, 0x00, 0, 0, 8 };
  int rc;

  if (!find_interfaces (u, dev)) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_UNSUPPORTED,
        "%s: no CDC data interface with bulk endpoints", addr->uri);
    return FALSE;
  }
  if (libusb_kernel_driver_active (u->handle, u->data_iface) == 1) {
    if (g_strcmp0 (detach, "1") != 0 && g_strcmp0 (detach, "true") != 0) {
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_BUSY,
          "%s: the kernel's cdc_acm driver is bound to this camera: open its "
          "/dev/ttyACM* device instead, or add ?detach=1 to take it over", addr->uri);
      return FALSE;
    }
    rc = libusb_detach_kernel_driver (u->handle, u->data_iface);
    if (rc < 0) {
      set_usb_error (error, rc, addr->uri);
      return FALSE;
    }
    u->reattach = TRUE;
    if (u->comm_iface != u->data_iface &&
        libusb_kernel_driver_active (u->handle, u->comm_iface) == 1)
      libusb_detach_kernel_driver (u->handle, u->comm_iface);
  }
  rc = libusb_claim_interface (u->handle, u->data_iface);
  if (rc < 0) {
    set_usb_error (error, rc, addr->uri);
    return FALSE;
  }
  u->data_claimed = TRUE;
  if (u->comm_iface != u->data_iface &&
      libusb_claim_interface (u->handle, u->comm_iface) == 0)
    u->comm_claimed = TRUE;

  rc = libusb_control_transfer (u->handle, LIBUSB_REQUEST_TYPE_CLASS |
      LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT, CDC_SET_LINE_CODING, 0,
      (guint16) u->comm_iface, coding, sizeof coding, 1000);
  if (rc < 0)
    g_debug ("%s: SET_LINE_CODING: %s", addr->uri, libusb_strerror (rc));
  rc = libusb_control_transfer (u->handle, LIBUSB_REQUEST_TYPE_CLASS |
      LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT, CDC_SET_CONTROL_LINE_STATE,
      0x0003, (guint16) u->comm_iface, NULL, 0, 1000);
  if (rc < 0)
    g_debug ("%s: SET_CONTROL_LINE_STATE: %s", addr->uri, libusb_strerror (rc));

  u->in = g_malloc (USB_IN_SIZE);
  u->xfer = libusb_alloc_transfer (0);
  libusb_fill_bulk_transfer (u->xfer, u->handle, u->ep_in, u->in, USB_IN_SIZE, in_done,
      u, 0);
  u->xfer_status = LIBUSB_TRANSFER_COMPLETED;
  return TRUE;
}

SenxorTransport *
senxor_transport_usb_open (const SenxorDeviceAddress *addr, GCancellable *cancellable,
    GError **error)
{
  UsbTransport *u = g_new0 (UsbTransport, 1);
  libusb_device **list = NULL;
  libusb_device *found = NULL;
  gboolean permission_denied = FALSE;
  ssize_t n;
  int rc;

  u->base.klass = &usb_class;
  rc = libusb_init (&u->ctx);
  if (rc < 0) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
        "%s: USB is not accessible on this machine (libusb: %s)", addr->uri,
        libusb_strerror (rc));
    u->ctx = NULL;
    goto fail;
  }
  n = libusb_get_device_list (u->ctx, &list);
  for (ssize_t i = 0; i < n && !found; i++) {
    struct libusb_device_descriptor desc;
    libusb_device_handle *h = NULL;

    if (libusb_get_device_descriptor (list[i], &desc) < 0 || !matches (addr, list[i],
            &desc))
      continue;
    rc = libusb_open (list[i], &h);
    if (rc == LIBUSB_ERROR_ACCESS) {
      permission_denied = TRUE;
      continue;
    }
    if (rc < 0)
      continue;
    if (addr->usb_serial) {
      char sn[128] = "";
      if (desc.iSerialNumber == 0 || libusb_get_string_descriptor_ascii (h,
              desc.iSerialNumber, (guint8 *) sn, sizeof sn) < 0 ||
          g_ascii_strcasecmp (sn, addr->usb_serial) != 0) {
        libusb_close (h);
        continue;
      }
    }
    found = list[i];
    u->handle = h;
  }
  if (!found) {
    if (permission_denied)
      set_usb_error (error, LIBUSB_ERROR_ACCESS, addr->uri);
    else
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NOT_FOUND,
          "%s: no Senxor USB device matches (looked for %s)", addr->uri,
          addr->usb_port_path || addr->usb_vid ? "this address" :
          "0416:b002, 0416:b020, 0416:9393");
    goto fail;
  }
  if (!setup_device (u, addr, found, error))
    goto fail;
  libusb_free_device_list (list, 1);
  return &u->base;

fail:
  if (list)
    libusb_free_device_list (list, 1);
  usb_close (&u->base);
  return NULL;
}

#else /* !HAVE_LIBUSB */

SenxorTransport *
senxor_transport_usb_open (const SenxorDeviceAddress *addr, GCancellable *cancellable,
    GError **error)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_UNSUPPORTED,
      "%s: this libsenxor was built without libusb; use the /dev/ttyACM* device",
      addr->uri);
  return NULL;
}

#endif
