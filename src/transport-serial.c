/* libsenxor: the serial tty transport (USB CDC-ACM /dev/ttyACM*, ptys)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Raw termios 115200 8N1 without flow control, DTR and RTS raised (what
 * pyserial does on open), opened exclusively: TIOCEXCL keeps other opens out
 * (except root's) and an advisory flock() is what the vendor's library checks,
 * so both are used.  Reads and writes are those of src/fd-link.c.
 */
#include "config.h"

#include "transport-private.h"
#include "fd-link-private.h"
#include "transport-error-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static void
serial_close (SenxorTransport *t)
{
  SenxorFdTransport *s = (SenxorFdTransport *) t;

  if (s->fd >= 0) {
    flock (s->fd, LOCK_UN);
    ioctl (s->fd, TIOCNXCL);
    close (s->fd);
  }
  g_free (s);
}

static const SenxorTransportClass serial_class = {
  .name = "serial",
  .read = senxor_fd_transport_read,
  .write = senxor_fd_transport_write,
  .close = serial_close,
};

SenxorTransport *
senxor_transport_serial_open (const SenxorDeviceAddress *addr,
    GCancellable *cancellable, GError **error)
{
  struct termios tio;
  int fd, bits;
  SenxorFdTransport *s;

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

  s = g_new0 (SenxorFdTransport, 1);
  s->base.klass = &serial_class;
  s->fd = fd;
  s->is_socket = FALSE;
  return &s->base;
}
