/* libsenxor: the serial tty transport (USB CDC-ACM /dev/ttyACM*, ptys)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Raw termios 115200 8N1 without flow control, DTR and RTS raised (what
 * pyserial does on open), opened exclusively: TIOCEXCL keeps other opens out
 * (except root's) and an advisory flock() is what the vendor's library checks,
 * so both are used.
 */
#include "config.h"

#include "transport-private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

typedef struct {
  SenxorTransport base;
  int fd;
} SerialTransport;

static gssize
serial_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  SerialTransport *s = (SerialTransport *) t;

  for (;;) {
    short rev = senxor_poll_fd (s->fd, POLLIN, timeout_us, cancellable, t->uri, error);
    gssize n;

    if (rev == 0)
      return -1;
    n = read (s->fd, buf, len);
    if (n > 0)
      return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(rev & (POLLHUP | POLLERR)))
      continue;
    /* EOF, EIO (a pty whose master closed, an unplugged ttyACM) or hang-up */
    if (n == 0 || errno == EIO || errno == EAGAIN || (rev & (POLLHUP | POLLERR))) {
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED,
          "%s: the device went away (unplugged or closed by the other side)", t->uri);
      return -1;
    }
    senxor_set_error_errno (error, errno, t->uri);
    return -1;
  }
}

static gboolean
serial_write (SenxorTransport *t, const guint8 *data, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  SerialTransport *s = (SerialTransport *) t;
  gsize done = 0;

  while (done < len) {
    gssize n = write (s->fd, data + done, len - done);

    if (n > 0) {
      done += n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      short rev = senxor_poll_fd (s->fd, POLLOUT, timeout_us, cancellable, t->uri,
          error);
      if (rev == 0)
        return FALSE;
      if ((rev & (POLLHUP | POLLERR)) && !(rev & POLLOUT)) {
        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED,
            "%s: the device went away while writing", t->uri);
        return FALSE;
      }
      continue;
    }
    if (n < 0 && errno != EIO) {
      senxor_set_error_errno (error, errno, t->uri);
      return FALSE;
    }
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED,
        "%s: the device went away while writing", t->uri);
    return FALSE;
  }
  return TRUE;
}

static void
serial_close (SenxorTransport *t)
{
  SerialTransport *s = (SerialTransport *) t;

  if (s->fd >= 0) {
    flock (s->fd, LOCK_UN);
    ioctl (s->fd, TIOCNXCL);
    close (s->fd);
  }
  g_free (s);
}

static const SenxorTransportClass serial_class = {
  .name = "serial",
  .read = serial_read,
  .write = serial_write,
  .close = serial_close,
};

SenxorTransport *
senxor_transport_serial_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error)
{
  struct termios tio;
  int fd, bits;
  SerialTransport *s;

  fd = open (addr->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    senxor_set_error_errno (error, errno, addr->path);
    return NULL;
  }
  /* Advisory lock first: a second open by root passes TIOCEXCL, not this. */
  if (flock (fd, LOCK_EX | LOCK_NB) < 0) {
    int err = errno;
    close (fd);
    senxor_set_error_errno (error, err == EWOULDBLOCK ? EBUSY : err, addr->path);
    return NULL;
  }
  if (!isatty (fd)) {
    close (fd);
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "%s is not a serial port (tty)", addr->path);
    return NULL;
  }
  if (ioctl (fd, TIOCEXCL) < 0)
    g_debug ("%s: TIOCEXCL failed: %s", addr->path, g_strerror (errno));

  if (tcgetattr (fd, &tio) < 0) {
    int err = errno;
    close (fd);
    senxor_set_error_errno (error, err, addr->path);
    return NULL;
  }
  cfmakeraw (&tio);
  tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS | CSIZE);
  tio.c_cflag |= CS8 | CLOCAL | CREAD;
  tio.c_iflag &= ~(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  cfsetispeed (&tio, B115200);
  cfsetospeed (&tio, B115200);
  if (tcsetattr (fd, TCSANOW, &tio) < 0) {
    int err = errno;
    close (fd);
    senxor_set_error_errno (error, err, addr->path);
    return NULL;
  }
  /* ptys have no modem lines: failure here is harmless */
  bits = TIOCM_DTR | TIOCM_RTS;
  if (ioctl (fd, TIOCMBIS, &bits) < 0)
    g_debug ("%s: cannot raise DTR/RTS: %s", addr->path, g_strerror (errno));
  /* bytes from before this open belong to nobody */
  tcflush (fd, TCIFLUSH);

  s = g_new0 (SerialTransport, 1);
  s->base.klass = &serial_class;
  s->fd = fd;
  return &s->base;
}
