/* A tiny scripted Senxor peer for tests (see fake-device.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fake-device.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

struct _FakeDevice {
  GMutex lock;
  GThread *thread;
  int wake[2];
  int fd;                       /* pty master or connected socket */
  GSocketListener *listener;
  GCancellable *accept_cancel;
  GSocket *client;
  char *path;
  SenxorModule module;
  FakeMode mode;
  guint8 regs[256];
  guint replies;                /* replies sent so far */
  guint delay_n;
  guint delay_ms;
  gboolean delay_set;
  guint requests;
  guint skip;
  guint period_ms;
  guint16 counter;
  gboolean stop;
  gboolean hang_up;
  /* held-back replies: (due time, bytes) */
  GByteArray *held;
  gint64 held_due;
};

guint16
fake_device_pixel (guint i, guint16 counter)
{
  return (guint16) (2931 + (i % 50) + (counter % 10));
}

static void
send_all (FakeDevice *f, const guint8 *p, gsize n)
{
  while (n > 0 && f->fd >= 0) {
    ssize_t w = write (f->fd, p, n);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
      struct pollfd pfd = { f->fd, POLLOUT, 0 };
      poll (&pfd, 1, 100);
      continue;
    }
    if (w <= 0)
      return;
    p += w;
    n -= w;
  }
}

static void
send_frame (FakeDevice *f)
{
  SenxorFrameLayout layout;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gboolean header = !(f->regs[SENXOR_REG_FRAME_MODE] & SENXOR_FRAME_MODE_NO_HEADER);
  guint8 *c;
  gsize n;

  senxor_frame_layout_for_module (f->module, header, &layout);
  c = senxor_encode_gfra_begin (out, layout.contents_len);
  memset (c, 0, layout.contents_len);
  n = (gsize) layout.width * layout.height;
  for (gsize i = 0; i < n; i++) {
    guint16 v = fake_device_pixel (i, f->counter);
    guint8 *p = c + layout.reserved_bytes + layout.header_bytes + 2 * i;
    p[0] = v & 0xFF;
    p[1] = v >> 8;
  }
  if (header) {
    SenxorFrameHeader h = { 0 };
    h.counter = f->counter;
    h.vdd_raw = 33000;
    h.die_temp_raw = 30000;
    h.max_raw = fake_device_pixel (49, f->counter);
    h.min_raw = fake_device_pixel (0, f->counter);
    senxor_frame_header_write (&h, c + layout.reserved_bytes);
  }
  senxor_encode_finish (out, 0);
  f->counter += 1 + f->skip;
  f->skip = 0;
  send_all (f, out->data, out->len);
}

static void
reply (FakeDevice *f, GByteArray *out)
{
  guint n = f->replies++;

  /* in order, like the MCU: replies after a held-back one wait behind it */
  if (f->held) {
    g_byte_array_append (f->held, out->data, out->len);
    return;
  }
  if (f->delay_set && n == f->delay_n) {
    f->delay_set = FALSE;
    f->held = g_byte_array_new ();
    g_byte_array_append (f->held, out->data, out->len);
    f->held_due = g_get_monotonic_time () + f->delay_ms * 1000;
    return;
  }
  send_all (f, out->data, out->len);
}

static void
handle (FakeDevice *f, const SenxorMessage *m)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (!m->from_host)
    return;
  f->requests++;
  switch (f->mode) {
    case FAKE_SILENT:
      return;
    case FAKE_GARBAGE:
      /* more than the decoder's 64 KiB garbage limit */
      for (int i = 0; i < 7000; i++)
        g_byte_array_append (out, (const guint8 *) "GARBAGE!\x01\xFF", 10);
      send_all (f, out->data, out->len);
      return;
    case FAKE_SERR:
      senxor_encode_serr (out);
      send_all (f, out->data, out->len);
      return;
    case FAKE_NORMAL:
      break;
  }
  switch (m->kind) {
    case SENXOR_MSG_RREG:
      senxor_encode_rreg_reply (out, f->regs[m->address]);
      break;
    case SENXOR_MSG_WREG:
      if (m->address != SENXOR_REG_STATUS)
        f->regs[m->address] = m->value;
      senxor_encode_wreg_ack (out);
      break;
    case SENXOR_MSG_RRSE: {
      guint8 vals[SENXOR_RRSE_MAX];
      for (guint i = 0; i < m->n_regs; i++)
        vals[i] = f->regs[m->regs[i]];
      senxor_encode_rrse_reply (out, m->regs, vals, m->n_regs);
      break;
    }
    default:
      return;
  }
  reply (f, out);
}

static gpointer
run (gpointer data)
{
  FakeDevice *f = data;
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  gint64 next_frame = 0;

  if (f->listener) {
    GSocket *s = g_socket_listener_accept_socket (f->listener, NULL,
        f->accept_cancel, NULL);
    if (!s)
      return NULL;
    g_mutex_lock (&f->lock);
    f->client = s;
    f->fd = g_socket_get_fd (s);
    g_mutex_unlock (&f->lock);
  }
  for (;;) {
    struct pollfd p[2] = { { f->fd, POLLIN, 0 }, { f->wake[0], POLLIN, 0 } };
    gint64 now = g_get_monotonic_time ();
    gint64 wake_at = G_MAXINT64;
    int ms;

    g_mutex_lock (&f->lock);
    if (f->stop) {
      g_mutex_unlock (&f->lock);
      break;
    }
    if (f->hang_up && f->fd >= 0) {
      if (f->client)
        g_socket_shutdown (f->client, TRUE, TRUE, NULL);
      else
        close (f->fd);
      f->fd = -1;
    }
    if (f->fd >= 0 && f->held && now >= f->held_due) {
      send_all (f, f->held->data, f->held->len);
      g_clear_pointer (&f->held, g_byte_array_unref);
    }
    if (f->held)
      wake_at = f->held_due;
    if (f->fd >= 0 && f->mode == FAKE_NORMAL &&
        (f->regs[SENXOR_REG_FRAME_MODE] & SENXOR_FRAME_MODE_CONTINUOUS_STREAM)) {
      if (now >= next_frame) {
        send_frame (f);
        next_frame = now + f->period_ms * 1000;
      }
      wake_at = MIN (wake_at, next_frame);
    }
    g_mutex_unlock (&f->lock);

    ms = wake_at == G_MAXINT64 ? -1 : (int) MAX (0, (wake_at - now + 999) / 1000);
    p[0].fd = f->fd;
    if (poll (p, 2, ms) < 0 && errno != EINTR)
      break;
    if (p[1].revents) {
      char b[16];
      if (read (f->wake[0], b, sizeof b) < 0)
        break;
    }
    if (f->fd >= 0 && (p[0].revents & POLLIN)) {
      gsize avail;
      guint8 *buf = senxor_decoder_prepare (dec, 4096, &avail);
      ssize_t n = read (f->fd, buf, avail);
      SenxorMessage m;

      if (n <= 0) {
        /* the host closed: wait for the stop (a pty master reads EIO) */
        g_usleep (1000);
        continue;
      }
      senxor_decoder_commit (dec, n);
      g_mutex_lock (&f->lock);
      while (senxor_decoder_next (dec, &m, NULL) == SENXOR_DECODE_MESSAGE)
        handle (f, &m);
      g_mutex_unlock (&f->lock);
    } else if (f->fd >= 0 && (p[0].revents & (POLLHUP | POLLERR))) {
      /* a pty master with no slave open: don't spin */
      g_usleep (1000);
    }
  }
  return NULL;
}

static void
wake (FakeDevice *f)
{
  if (write (f->wake[1], "x", 1) < 0)
    g_warning ("fake device: cannot wake the thread");
}

static FakeDevice *
fake_new (SenxorModule module)
{
  FakeDevice *f = g_new0 (FakeDevice, 1);

  g_mutex_init (&f->lock);
  f->module = module;
  f->period_ms = 5;
  f->fd = -1;
  f->counter = 100;
  g_assert_no_errno (pipe2 (f->wake, O_CLOEXEC | O_NONBLOCK));
  f->regs[SENXOR_REG_SENXOR_TYPE] = module == SENXOR_MODULE_MI16 ? 6 :
      module == SENXOR_MODULE_MI05 ? 9 : 1;
  f->regs[SENXOR_REG_MODULE_TYPE] = module == SENXOR_MODULE_MI16 ? 28 :
      module == SENXOR_MODULE_MI05 ? 50 : 19;
  f->regs[SENXOR_REG_FW_VERSION_1] = 0x25;
  f->regs[SENXOR_REG_FW_VERSION_2] = 7;
  f->regs[SENXOR_REG_MCU_TYPE] = 3;
  f->regs[SENXOR_REG_FRAME_MODE] = SENXOR_FRAME_MODE_NO_HEADER;   /* like at power-up */
  f->regs[SENXOR_REG_FRAME_FORMAT] = 1;                          /* deci-Celsius */
  f->regs[SENXOR_REG_EMISSIVITY] = 95;
  f->regs[0xE0] = 0x18;
  f->regs[0xE1] = 0x2A;
  f->regs[0xE2] = 0x01;
  f->regs[0xE3] = 0x00;
  f->regs[0xE4] = 0x17;
  f->regs[0xE5] = 0x69;
  return f;
}

FakeDevice *
fake_device_new_pty (SenxorModule module)
{
  FakeDevice *f = fake_new (module);
  int master, slave;
  char name[256];
  struct termios tio;

  g_assert_no_errno (openpty (&master, &slave, name, NULL, NULL));
  /* raw, so the line discipline does not echo or translate */
  tcgetattr (slave, &tio);
  cfmakeraw (&tio);
  tcsetattr (slave, TCSANOW, &tio);
  close (slave);
  fcntl (master, F_SETFL, O_NONBLOCK);
  f->fd = master;
  f->path = g_strdup (name);
  f->thread = g_thread_new ("fake-device", run, f);
  return f;
}

FakeDevice *
fake_device_new_tcp (SenxorModule module)
{
  FakeDevice *f = fake_new (module);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  f->listener = g_socket_listener_new ();
  f->accept_cancel = g_cancellable_new ();
  g_assert_true (g_socket_listener_add_address (f->listener, sa, G_SOCKET_TYPE_STREAM,
          G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  f->path = g_strdup_printf ("tcp://127.0.0.1:%u",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  f->thread = g_thread_new ("fake-device", run, f);
  return f;
}

const char *
fake_device_get_path (FakeDevice *f)
{
  return f->path;
}

void
fake_device_set_mode (FakeDevice *f, FakeMode mode)
{
  g_mutex_lock (&f->lock);
  f->mode = mode;
  g_mutex_unlock (&f->lock);
  wake (f);
}

void
fake_device_delay_reply (FakeDevice *f, guint n, guint delay_ms)
{
  g_mutex_lock (&f->lock);
  f->delay_set = TRUE;
  f->delay_n = f->replies + n;
  f->delay_ms = delay_ms;
  g_mutex_unlock (&f->lock);
}

void
fake_device_set_register (FakeDevice *f, guint8 addr, guint8 value)
{
  g_mutex_lock (&f->lock);
  f->regs[addr] = value;
  g_mutex_unlock (&f->lock);
  wake (f);
}

guint8
fake_device_get_register (FakeDevice *f, guint8 addr)
{
  guint8 v;

  g_mutex_lock (&f->lock);
  v = f->regs[addr];
  g_mutex_unlock (&f->lock);
  return v;
}

void
fake_device_skip_frames (FakeDevice *f, guint skip)
{
  g_mutex_lock (&f->lock);
  f->skip = skip;
  g_mutex_unlock (&f->lock);
}

void
fake_device_set_frame_period (FakeDevice *f, guint ms)
{
  g_mutex_lock (&f->lock);
  f->period_ms = ms;
  g_mutex_unlock (&f->lock);
  wake (f);
}

void
fake_device_hang_up (FakeDevice *f)
{
  g_mutex_lock (&f->lock);
  f->hang_up = TRUE;
  g_mutex_unlock (&f->lock);
  wake (f);
}

guint
fake_device_get_requests (FakeDevice *f)
{
  guint n;

  g_mutex_lock (&f->lock);
  n = f->requests;
  g_mutex_unlock (&f->lock);
  return n;
}

void
fake_device_free (FakeDevice *f)
{
  g_mutex_lock (&f->lock);
  f->stop = TRUE;
  g_mutex_unlock (&f->lock);
  wake (f);
  if (f->accept_cancel)
    g_cancellable_cancel (f->accept_cancel);
  g_thread_join (f->thread);
  if (f->client) {
    g_socket_close (f->client, NULL);
    g_object_unref (f->client);
  } else if (f->fd >= 0) {
    close (f->fd);
  }
  if (f->listener)
    g_socket_listener_close (f->listener);
  g_clear_object (&f->listener);
  g_clear_object (&f->accept_cancel);
  g_clear_pointer (&f->held, g_byte_array_unref);
  close (f->wake[0]);
  close (f->wake[1]);
  g_mutex_clear (&f->lock);
  g_free (f->path);
  g_free (f);
}
