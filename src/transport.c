/* libsenxor: the transport dispatch
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * senxor_transport_open() parses a device string (src/device-address.c) and
 * hands it to the transport of its kind; the other calls go through the
 * transport's function table.
 */
#include "config.h"

#include "transport-private.h"
#include "transport-error-private.h"
#include "senxor/emulator.h"

static SenxorTransport *
emulator_open (const SenxorDeviceAddress *addr, GError **error)
{
  SenxorEmulator *emu;
  SenxorTransport *t;

  if (addr->name)
    emu = senxor_emulator_get_shared (addr->name, addr->params, error);
  else
    emu = senxor_emulator_new_from_params (addr->params, error);
  if (emu == NULL)
    return NULL;
  t = senxor_emulator_transport_new (emu);
  senxor_emulator_unref (emu);
  return t;
}

SenxorTransport *
senxor_transport_open (const char *device, GCancellable *cancellable, GError **error)
{
  g_autoptr (SenxorDeviceAddress) addr = senxor_device_address_parse (device, error);
  SenxorTransport *t = NULL;

  if (addr == NULL)
    return NULL;
  if (g_cancellable_is_cancelled (cancellable)) {
    senxor_set_cancelled (error, addr->uri);
    return NULL;
  }
  switch (addr->kind) {
    case SENXOR_DEVICE_SERIAL:
      t = senxor_transport_serial_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_TCP:
      t = senxor_transport_tcp_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_USB:
      t = senxor_transport_usb_open (addr, cancellable, error);
      break;
    case SENXOR_DEVICE_EMULATOR:
      t = emulator_open (addr, error);
      break;
  }
  if (t && t->uri == NULL)
    t->uri = g_strdup (addr->uri);
  if (t)
    g_debug ("opened %s transport %s", t->klass->name, t->uri);
  return t;
}

gssize
senxor_transport_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (t != NULL && buf != NULL && len > 0, -1);
  return t->klass->read (t, buf, len, timeout_us, cancellable, error);
}

gboolean
senxor_transport_write (SenxorTransport *t, const guint8 *data, gsize len,
    gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (t != NULL && (data != NULL || len == 0), FALSE);
  if (len == 0)
    return TRUE;
  return t->klass->write (t, data, len, timeout_us, cancellable, error);
}

void
senxor_transport_free (SenxorTransport *t)
{
  char *uri;

  if (!t)
    return;
  /* close frees the implementation, struct included; the uri is ours */
  uri = t->uri;
  t->klass->close (t);
  g_free (uri);
}
