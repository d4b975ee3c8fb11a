/* libsenxor: the emulator served on a pty or a TCP port
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread per server polls the link, the emulator's wake-up fd and a stop
 * fd, with a timeout until the emulator's next event.  Output is produced
 * only when the previous chunk has been written, so a host that does not
 * read fills the kernel buffers and then the device loses frames, as a real
 * one does.
 *
 * pty: the master side is ours; the slave is put in raw mode (no echo, no
 * translation) and kept open by the server too, so that the master never
 * sees a hang-up while no program has the port open.  A disconnect fault
 * closes the pty (programs using it get EIO / POLLHUP) and makes a new one;
 * the optional symlink follows it.
 *
 * TCP: one client at a time, like an ESP32 bridge; clients arriving while one
 * is connected are closed at once, and the next one is served after a
 * disconnect.
 */
#include "config.h"

#include "emulator-private.h"
#include "senxor/error.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
/* After a disconnect fault: how long the host may take to read what was
 * sent before the link goes down, and how often to look. */
#define DRAIN_LIMIT_US (2 * G_USEC_PER_SEC)
#define DRAIN_CHECK_US 5000

struct _SenxorEmulatorServer {
  SenxorEmulator *emu;
  gboolean is_tcp;
  GThread *thread;
  int stop_fd;
  GMutex lock;                  /* pty_path, connections */

  /* tcp */
  int listen_fd;
  int client_fd;
  char *host;
  guint16 port;

  /* pty */
  int master_fd;
  int slave_fd;
  char *pty_path;
  char *link_path;

  guint conn;
  guint connections;
  gint64 last_write_us;         /* atomic: senxor_emulator_server_get_last_write_time() */
  gint64 drain_until;
  guint8 *out;
  gsize out_len, out_off;
};

static inline void
stamp_write (SenxorEmulatorServer *s)
{
  __atomic_store_n (&s->last_write_us, g_get_monotonic_time (), __ATOMIC_RELEASE);
}

static void
set_errno_error (GError **error, int err, const char *what)
{
  g_set_error (error, SENXOR_ERROR, senxor_error_from_errno (err), "emulator %s: %s",
      what, g_strerror (err));
}

static gboolean
set_nonblocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);

  return flags >= 0 && fcntl (fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* ---- pty ---- */

static gboolean
point_link (SenxorEmulatorServer *s, GError **error)
{
  g_autofree char *tmp = NULL;
  struct stat st;

  if (!s->link_path)
    return TRUE;
  if (lstat (s->link_path, &st) == 0 && !S_ISLNK (st.st_mode)) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "emulator pty link %s exists and is not a symlink: not replacing it",
        s->link_path);
    return FALSE;
  }
  /* replace atomically, so a program never sees the link missing */
  tmp = g_strdup_printf ("%s.tmp%d", s->link_path, (int) getpid ());
  unlink (tmp);
  if (symlink (s->pty_path, tmp) != 0 || rename (tmp, s->link_path) != 0) {
    int err = errno;
    unlink (tmp);
    g_set_error (error, SENXOR_ERROR, senxor_error_from_errno (err),
        "emulator pty link %s: %s", s->link_path, g_strerror (err));
    return FALSE;
  }
  return TRUE;
}

static gboolean
open_pty (SenxorEmulatorServer *s, GError **error)
{
  char name[256];
  struct termios tio;
  int master;

  master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) {
    set_errno_error (error, errno, "posix_openpt");
    return FALSE;
  }
  if (grantpt (master) != 0 || unlockpt (master) != 0 ||
      ptsname_r (master, name, sizeof name) != 0) {
    set_errno_error (error, errno, "pty setup");
    close (master);
    return FALSE;
  }
  s->slave_fd = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s->slave_fd < 0) {
    set_errno_error (error, errno, name);
    close (master);
    return FALSE;
  }
  /* raw on the slave side: no echo, no CR/LF translation, 8 bits */
  if (tcgetattr (s->slave_fd, &tio) == 0) {
    cfmakeraw (&tio);
    cfsetispeed (&tio, B115200);
    cfsetospeed (&tio, B115200);
    tcsetattr (s->slave_fd, TCSANOW, &tio);
  }
  set_nonblocking (master);
  g_mutex_lock (&s->lock);
  s->master_fd = master;
  g_free (s->pty_path);
  s->pty_path = g_strdup (name);
  g_mutex_unlock (&s->lock);
  if (!point_link (s, error))
    return FALSE;
  g_mutex_lock (&s->lock);
  s->connections++;
  g_mutex_unlock (&s->lock);
  s->conn = senxor_emulator_connect (s->emu);
  s->out_len = s->out_off = 0;
  g_debug ("emulator: serving on pty %s", name);
  return TRUE;
}

static void
close_pty (SenxorEmulatorServer *s)
{
  close_fd (&s->slave_fd);
  close_fd (&s->master_fd);
}

/* ---- tcp ---- */

static void
accept_client (SenxorEmulatorServer *s)
{
  int fd = accept4 (s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  int one = 1;

  if (fd < 0)
    return;
  if (s->client_fd >= 0) {
    /* one client at a time, like the ESP32 bridges */
    g_debug ("emulator: refusing a second TCP client");
    close (fd);
    return;
  }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  s->client_fd = fd;
  s->conn = senxor_emulator_connect (s->emu);
  s->out_len = s->out_off = 0;
  g_mutex_lock (&s->lock);
  s->connections++;
  g_mutex_unlock (&s->lock);
  g_debug ("emulator: TCP client connected");
}

static void
drop_client (SenxorEmulatorServer *s, gboolean by_host)
{
  if (by_host)
    senxor_emulator_hangup (s->emu, s->conn);
  close_fd (&s->client_fd);
  s->out_len = s->out_off = 0;
  g_debug ("emulator: TCP client gone (%s)", by_host ? "closed by the host" :
      "disconnect fault");
}

/* ---- the thread ---- */

static int
link_fd (SenxorEmulatorServer *s)
{
  return s->is_tcp ? s->client_fd : s->master_fd;
}

/* Bytes written to the link that the host has not read yet.  Only a pty
 * can lose them (closing it flushes them); a TCP close sends them first. */
static gboolean
link_has_unread (SenxorEmulatorServer *s)
{
  int n = 0;

  if (s->is_tcp || s->slave_fd < 0)
    return FALSE;
  return ioctl (s->slave_fd, FIONREAD, &n) == 0 && n > 0;
}

/* The device dropped the connection (disconnect fault). */
static void
device_disconnected (SenxorEmulatorServer *s)
{
  if (s->is_tcp) {
    drop_client (s, FALSE);
  } else {
    g_autoptr (GError) error = NULL;
    close_pty (s);
    if (!open_pty (s, &error))
      g_warning ("emulator: cannot make a new pty: %s", error->message);
  }
}

static gpointer
server_thread (gpointer data)
{
  SenxorEmulatorServer *s = data;
  int wake_fd = _senxor_emulator_get_wakeup_fd (s->emu);

  for (;;) {
    struct pollfd fds[4];
    struct timespec ts, *tsp = NULL;
    int nfds = 0, lfd, idx_link = -1, idx_listen = -1;
    gint64 now = g_get_monotonic_time ();

    gboolean draining;

    _senxor_emulator_drain_wakeup (s->emu);
    draining = link_fd (s) >= 0 && !senxor_emulator_connection_alive (s->emu, s->conn);
    if (draining) {
      /* the device dropped the link: first let the host read what was sent */
      if (!s->drain_until)
        s->drain_until = now + DRAIN_LIMIT_US;
      if (now >= s->drain_until || (s->out_off == s->out_len && !link_has_unread (s))) {
        s->drain_until = 0;
        device_disconnected (s);
        draining = FALSE;
      }
    }
    lfd = link_fd (s);

    if (lfd >= 0 && !draining && s->out_off == s->out_len) {
      s->out_off = 0;
      s->out_len = senxor_emulator_produce (s->emu, now, s->out, CHUNK);
      if (s->out_len == 0 && !senxor_emulator_connection_alive (s->emu, s->conn))
        continue;
    }
    if (lfd >= 0 && s->out_off < s->out_len) {
      /* a TCP host may close at any moment: EPIPE, never SIGPIPE (the server
       * runs inside applications and tests) */
      ssize_t w;

      /* stamped before and after: a host that has the bytes before the
       * call returns sees the earlier stamp */
      stamp_write (s);
      w = s->is_tcp ?
          send (lfd, s->out + s->out_off, s->out_len - s->out_off, MSG_NOSIGNAL) :
          write (lfd, s->out + s->out_off, s->out_len - s->out_off);
      stamp_write (s);
      if (w > 0)
        s->out_off += w;
      else if (w < 0 && errno != EAGAIN && errno != EINTR && s->is_tcp)
        drop_client (s, TRUE);
      lfd = link_fd (s);
    }

    fds[nfds].fd = s->stop_fd;
    fds[nfds++].events = POLLIN;
    fds[nfds].fd = wake_fd;
    fds[nfds++].events = POLLIN;
    if (s->is_tcp) {
      idx_listen = nfds;
      fds[nfds].fd = s->listen_fd;
      fds[nfds++].events = POLLIN;
    }
    if (lfd >= 0) {
      idx_link = nfds;
      fds[nfds].fd = lfd;
      fds[nfds++].events = POLLIN | (s->out_off < s->out_len ? POLLOUT : 0);
    }
    if (draining) {
      /* nothing tells us when the host has read the pty: look again soon */
      ts.tv_sec = 0;
      ts.tv_nsec = DRAIN_CHECK_US * 1000;
      tsp = &ts;
    } else if (lfd >= 0 && s->out_off == s->out_len) {
      gint64 next = senxor_emulator_next_event_us (s->emu, now);
      if (next != G_MAXINT64) {
        gint64 d = MAX (next - now, 0);
        ts.tv_sec = d / G_USEC_PER_SEC;
        ts.tv_nsec = (d % G_USEC_PER_SEC) * 1000;
        tsp = &ts;
      }
    }
    for (int i = 0; i < nfds; i++)
      fds[i].revents = 0;
    if (ppoll (fds, nfds, tsp, NULL) < 0 && errno != EINTR) {
      g_warning ("emulator server: poll: %s", g_strerror (errno));
      break;
    }
    if (fds[0].revents)
      break;
    if (idx_link >= 0 && (fds[idx_link].revents & (POLLIN | POLLHUP | POLLERR))) {
      guint8 buf[4096];
      ssize_t r = read (lfd, buf, sizeof buf);
      if (r > 0)
        senxor_emulator_receive (s->emu, buf, r, g_get_monotonic_time ());
      else if (s->is_tcp && (r == 0 || (errno != EAGAIN && errno != EINTR)))
        drop_client (s, TRUE);
    }
    if (idx_listen >= 0 && (fds[idx_listen].revents & POLLIN))
      accept_client (s);
  }
  return NULL;
}

static SenxorEmulatorServer *
server_alloc (SenxorEmulator *emu)
{
  SenxorEmulatorServer *s = g_new0 (SenxorEmulatorServer, 1);

  s->emu = senxor_emulator_ref (emu);
  _senxor_emulator_set_real_clock (emu);
  g_mutex_init (&s->lock);
  s->stop_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  s->listen_fd = s->client_fd = s->master_fd = s->slave_fd = -1;
  s->out = g_malloc (CHUNK);
  return s;
}

static SenxorEmulatorServer *
server_start (SenxorEmulatorServer *s, GError **error)
{
  g_autoptr (GError) local = NULL;

  s->thread = g_thread_try_new ("senxor-emulator", server_thread, s, &local);
  if (!s->thread) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_FAILED,
        "emulator server: cannot start its thread: %s", local->message);
    senxor_emulator_server_free (s);
    return NULL;
  }
  return s;
}

SenxorEmulatorServer *
senxor_emulator_server_new_pty (SenxorEmulator *emu, const char *link_path,
    GError **error)
{
  SenxorEmulatorServer *s;

  g_return_val_if_fail (emu != NULL, NULL);
  s = server_alloc (emu);
  s->link_path = g_strdup (link_path);
  if (!open_pty (s, error)) {
    g_clear_pointer (&s->link_path, g_free);   /* not ours to remove */
    senxor_emulator_server_free (s);
    return NULL;
  }
  _senxor_emulator_derive_serial (emu, s->link_path ? s->link_path : s->pty_path);
  return server_start (s, error);
}

SenxorEmulatorServer *
senxor_emulator_server_new_tcp (SenxorEmulator *emu, const char *host, guint16 port,
    GError **error)
{
  SenxorEmulatorServer *s;
  struct addrinfo hints = { 0 }, *res = NULL, *ai;
  char port_str[8];
  int rc, last_err = 0;

  g_return_val_if_fail (emu != NULL, NULL);
  if (!host || !*host)
    host = "127.0.0.1";
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  g_snprintf (port_str, sizeof port_str, "%u", port);
  rc = getaddrinfo (host, port_str, &hints, &res);
  if (rc != 0) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "emulator: cannot resolve listen address '%s': %s", host, gai_strerror (rc));
    return NULL;
  }
  s = server_alloc (emu);
  s->is_tcp = TRUE;
  s->host = g_strdup (host);
  for (ai = res; ai; ai = ai->ai_next) {
    int one = 1;
    int fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
        ai->ai_protocol);
    if (fd < 0) {
      last_err = errno;
      continue;
    }
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind (fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen (fd, 4) == 0) {
      struct sockaddr_storage ss;
      socklen_t len = sizeof ss;
      s->listen_fd = fd;
      if (getsockname (fd, (struct sockaddr *) &ss, &len) == 0)
        s->port = ntohs (ss.ss_family == AF_INET6 ?
            ((struct sockaddr_in6 *) &ss)->sin6_port :
            ((struct sockaddr_in *) &ss)->sin_port);
      break;
    }
    last_err = errno;
    close (fd);
  }
  freeaddrinfo (res);
  if (s->listen_fd < 0) {
    g_set_error (error, SENXOR_ERROR, senxor_error_from_errno (last_err),
        "emulator: cannot listen on %s:%u: %s", host, port, g_strerror (last_err));
    senxor_emulator_server_free (s);
    return NULL;
  }
  g_debug ("emulator: listening on %s:%u", host, s->port);
  {
    g_autofree char *address = senxor_emulator_server_dup_address (s);
    _senxor_emulator_derive_serial (emu, address);
  }
  return server_start (s, error);
}

char *
senxor_emulator_server_dup_pty_path (SenxorEmulatorServer *s)
{
  char *p;

  g_mutex_lock (&s->lock);
  p = g_strdup (s->pty_path);
  g_mutex_unlock (&s->lock);
  return p;
}

const char *
senxor_emulator_server_get_link_path (SenxorEmulatorServer *s)
{
  return s->link_path;
}

guint16
senxor_emulator_server_get_port (SenxorEmulatorServer *s)
{
  return s->port;
}

char *
senxor_emulator_server_dup_address (SenxorEmulatorServer *s)
{
  if (s->is_tcp)
    return strchr (s->host, ':') ? g_strdup_printf ("tcp://[%s]:%u", s->host, s->port) :
        g_strdup_printf ("tcp://%s:%u", s->host, s->port);
  return s->link_path ? g_strdup (s->link_path) : senxor_emulator_server_dup_pty_path (s);
}

guint
senxor_emulator_server_get_connections (SenxorEmulatorServer *s)
{
  guint n;

  g_mutex_lock (&s->lock);
  n = s->connections;
  g_mutex_unlock (&s->lock);
  return n;
}

gint64
senxor_emulator_server_get_last_write_time (SenxorEmulatorServer *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return __atomic_load_n (&s->last_write_us, __ATOMIC_ACQUIRE);
}

void
senxor_emulator_server_free (SenxorEmulatorServer *s)
{
  if (!s)
    return;
  if (s->thread) {
    guint64 one = 1;
    if (write (s->stop_fd, &one, sizeof one) < 0)
      g_warning ("emulator server: cannot stop its thread: %s", g_strerror (errno));
    g_thread_join (s->thread);
  }
  if (s->conn)
    senxor_emulator_hangup (s->emu, s->conn);
  close_fd (&s->client_fd);
  close_fd (&s->listen_fd);
  close_pty (s);
  if (s->link_path) {
    /* remove the link only if it is still ours */
    g_autofree char *target = g_file_read_link (s->link_path, NULL);
    if (target && g_strcmp0 (target, s->pty_path) == 0)
      unlink (s->link_path);
  }
  close_fd (&s->stop_fd);
  senxor_emulator_unref (s->emu);
  g_mutex_clear (&s->lock);
  g_free (s->host);
  g_free (s->pty_path);
  g_free (s->link_path);
  g_free (s->out);
  g_free (s);
}
