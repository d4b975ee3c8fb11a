/* senxor-rtsp-server: one Senxor capture shared by every RTSP client
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   senxor-rtsp-server --device /dev/ttyACM0 --port 8554
 *   gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8554/thermal ! decodebin ! autovideosink
 *
 * The media factory is shared: the first client builds and starts the capture
 * pipeline, later clients join the same pipeline, so the camera is opened once
 * however many viewers there are.
 *
 * Threads: the main loop accepts connections, runs the request-size watchdog,
 * the linger timer and the publishers; each client is served by a thread of
 * gst-rtsp-server's pool (so one slow client cannot hold up the others); each
 * media has its own thread. Server.lock guards the fields marked below.
 */
#include "config.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "options.h"
#include "palette-option.h"
#include "rtsp-publish.h"

#define PROGRAM "senxor-rtsp-server"
#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8554
#define DEFAULT_MOUNT "/thermal"
#define DEFAULT_PALETTE "ironbow"
#define DEFAULT_WIDTH 640
#define DEFAULT_BITRATE 2000
#define DEFAULT_LINGER 5
#define MAX_LINGER 3600

/* Up to this many client threads; more clients share them round-robin. */
#define MAX_CLIENT_THREADS 32
/* A request (header and body) may be at most this long; a client that sends
 * more without finishing one is cut off. Real requests are well under 4 KiB. */
#define MAX_REQUEST_BYTES (64 * 1024)
/* A playing client may also send RTCP reports over its TCP connection. */
#define RTCP_ALLOWANCE_PER_SECOND 4096
#define WATCHDOG_PERIOD_MS 200
/* Unread bytes the kernel keeps per client: bounds what is still read after
 * a client is cut off. */
#define CLIENT_RECEIVE_BUFFER (32 * 1024)
/* The start-up check waits this long for the first frame to come out. */
#define STARTUP_TIMEOUT_S 30
/* A client arriving while the capture is being stopped waits at most this. */
#define TEARDOWN_WAIT_S 30

typedef struct {
  GMainLoop *loop;
  GstRTSPServer *rtsp;
  gint exit_status;
  gchar *device;
  guint linger;

  GMutex lock;
  GCond cond;
  /* under lock: */
  guint captures;
  guint users;                /* clients and sessions that may hold the media */
  gint64 idle_since;          /* monotonic time the last user went */
  GstRTSPMedia *held;         /* prepared shared media we keep one prepare on */
  gboolean stopping;          /* held media being stopped: requests wait */
  guint linger_source;
  gboolean held_failed;       /* the held media's pipeline posted an error */
} Server;

/* Per-client bookkeeping for the request-size watchdog, under Server.lock. */
typedef struct {
  Server *server;
  guint64 bytes_at_reply;     /* bytes received when the last reply went out */
  gint64 time_at_reply;
  gboolean playing;
  gboolean cut;
  GPtrArray *tcp_sessions;    /* ids of sessions set up with RTP interleaved on
                               * this connection (its thread only) */
} ClientGuard;

static void schedule_release (Server *server, guint delay_ms);

/* Runs on whichever thread posts: only prints and flags, never blocks. */
static GstBusSyncReply
on_sync_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Server *server = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *debug = NULL;
    g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));

    gst_message_parse_error (message, &error, &debug);
    g_printerr (PROGRAM ": capture error from %s: %s\n", name, error->message);
    if (debug != NULL)
      g_printerr (PROGRAM ":   (%s)\n", debug);
    /* A failed capture must not stay cached for new clients: let go of it. */
    g_mutex_lock (&server->lock);
    if (server->held != NULL) {
      server->held_failed = TRUE;
      schedule_release (server, 0);
    }
    g_mutex_unlock (&server->lock);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT) {
    const GstStructure *s = gst_message_get_structure (message);

    if (s != NULL && (gst_structure_has_name (s, "senxor-device-lost") ||
            gst_structure_has_name (s, "senxor-device-restored")))
      g_printerr (PROGRAM ": %s\n", gst_structure_get_name (s));
  }
  return GST_BUS_PASS;
}

/* Stopping the shared capture.
 *
 * gst-rtsp-server stops a shared media when the last client lets go of it,
 * and a client that asks for the media while it is being stopped is refused
 * (503): the factory still hands out the media that is shutting down. So the
 * server keeps one prepare of its own on the media (taken when it is first
 * prepared) and is the only one that ever stops it: in the main thread, once
 * no client or session has existed for --linger seconds, with `stopping` set
 * under the lock. Requests that may prepare the media (DESCRIBE, SETUP) wait
 * while `stopping` is set, then find no cached media and build a new one.
 * Users (clients and sessions, which hold prepares of their own) are counted
 * from the moment they exist, a client before any request is read, and until
 * they are finalized, after they let go of their prepares (their data is
 * freed last), so a stop never starts while anyone else holds the media or
 * could be preparing it. */
static gboolean
release_capture (gpointer user_data)
{
  Server *server = user_data;
  GstRTSPMedia *media;

  g_mutex_lock (&server->lock);
  server->linger_source = 0;
  if (server->held == NULL) {
    g_mutex_unlock (&server->lock);
    return G_SOURCE_REMOVE;
  }
  if (!server->held_failed) {
    gint64 idle;

    if (server->users > 0) {
      g_mutex_unlock (&server->lock);
      return G_SOURCE_REMOVE;
    }
    idle = g_get_monotonic_time () - server->idle_since;
    if (idle < (gint64) server->linger * G_USEC_PER_SEC) {
      /* a client came and went meanwhile: wait for the rest of the linger */
      schedule_release (server,
          ((gint64) server->linger * G_USEC_PER_SEC - idle) / 1000 + 1);
      g_mutex_unlock (&server->lock);
      return G_SOURCE_REMOVE;
    }
  }
  media = g_steal_pointer (&server->held);
  server->held_failed = FALSE;
  server->stopping = TRUE;
  g_mutex_unlock (&server->lock);

  gst_rtsp_media_unprepare (media);
  g_object_unref (media);

  g_mutex_lock (&server->lock);
  server->stopping = FALSE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return G_SOURCE_REMOVE;
}

/* Called with server->lock held. */
static void
schedule_release (Server *server, guint delay_ms)
{
  if (server->linger_source != 0)
    g_source_remove (server->linger_source);
  server->linger_source = g_timeout_add (delay_ms, release_capture, server);
}

/* Waits (bounded) until a stop of the capture in progress is over. */
static GstRTSPStatusCode
wait_while_stopping (Server *server)
{
  gint64 deadline = g_get_monotonic_time () + TEARDOWN_WAIT_S * G_USEC_PER_SEC;
  GstRTSPStatusCode status = GST_RTSP_STS_OK;

  g_mutex_lock (&server->lock);
  while (server->stopping) {
    if (!g_cond_wait_until (&server->cond, &server->lock, deadline)) {
      status = GST_RTSP_STS_SERVICE_UNAVAILABLE;
      break;
    }
  }
  g_mutex_unlock (&server->lock);
  return status;
}

static GstRTSPStatusCode
on_pre_describe_or_setup (GstRTSPClient *client, GstRTSPContext *ctx,
    gpointer user_data)
{
  return wait_while_stopping (user_data);
}

static void
on_media_prepared (GstRTSPMedia *media, gpointer user_data)
{
  Server *server = user_data;
  gboolean hold = FALSE;

  g_mutex_lock (&server->lock);
  if (server->held == NULL && !server->stopping) {
    server->held = g_object_ref (media);
    hold = TRUE;
    /* nobody may be left by now (a DESCRIBE and a quick disconnect) */
    if (server->users == 0)
      schedule_release (server, server->linger * 1000);
  }
  g_mutex_unlock (&server->lock);
  /* The media is prepared: this only counts one more user of it. */
  if (hold && !gst_rtsp_media_prepare (media, NULL)) {
    g_mutex_lock (&server->lock);
    g_clear_object (&server->held);
    g_mutex_unlock (&server->lock);
  }
}

static void
on_media_unprepared (GstRTSPMedia *media, gpointer user_data)
{
  g_printerr (PROGRAM ": capture stopped (no clients left)\n");
}

static void
on_media_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media,
    gpointer user_data)
{
  Server *server = user_data;
  g_autoptr (GstElement) element = gst_rtsp_media_get_element (media);
  g_autoptr (GstObject) pipeline = gst_object_get_parent (GST_OBJECT (element));
  g_autoptr (GstElement) src = NULL;
  guint number;

  /* The device is set here rather than quoted into the launch line, so any
   * device string (with '?', '&', quotes) is passed through untouched. */
  src = gst_bin_get_by_name_recurse_up (GST_BIN (element), "src");
  if (src != NULL && server->device != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (src), "device"))
    g_object_set (src, "device", server->device, NULL);

  if (pipeline != NULL && GST_IS_PIPELINE (pipeline)) {
    g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
    gst_bus_set_sync_handler (bus, on_sync_message, server, NULL);
  }
  g_signal_connect (media, "prepared", G_CALLBACK (on_media_prepared), server);
  g_signal_connect (media, "unprepared", G_CALLBACK (on_media_unprepared), NULL);

  g_mutex_lock (&server->lock);
  number = ++server->captures;
  g_mutex_unlock (&server->lock);
  g_printerr (PROGRAM ": capture #%u started (shared by all clients)\n", number);
}

/* Request-size watchdog.
 *
 * GstRTSPConnection reads a request header one byte per system call and keeps
 * every header line, with no bound on their number: a client sending
 * megabytes of header keeps its thread busy for seconds and grows the server's
 * memory. gst-rtsp-server bounds only the body (content-length-limit), so the
 * main thread looks at every client's byte count (the kernel's TCP_INFO
 * counter, which includes what is not read yet) and cuts off a client that
 * has sent more than MAX_REQUEST_BYTES since its last reply. Cutting off is a
 * shutdown() of the socket: the client's own thread then reads end-of-stream
 * and closes it the usual way (closing the descriptor from here would race
 * with that thread). */
static GSocket *
client_socket (GstRTSPClient *client)
{
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);

  return conn != NULL ? gst_rtsp_connection_get_read_socket (conn) : NULL;
}

static gboolean
socket_bytes_received (GSocket *socket, guint64 *bytes)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  if (socket == NULL ||
      getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < offsetof (struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
    return FALSE;
  *bytes = info.tcpi_bytes_received;
  return TRUE;
}

/* Every request ends with a reply: a new request may start from here. */
static void
on_send_message (GstRTSPClient *client, GstRTSPContext *ctx, gpointer message,
    gpointer user_data)
{
  ClientGuard *guard = user_data;
  guint64 bytes;

  if (!socket_bytes_received (client_socket (client), &bytes))
    return;
  g_mutex_lock (&guard->server->lock);
  guard->bytes_at_reply = bytes;
  guard->time_at_reply = g_get_monotonic_time ();
  g_mutex_unlock (&guard->server->lock);
}

static void
on_play_request (GstRTSPClient *client, GstRTSPContext *ctx, gpointer user_data)
{
  ClientGuard *guard = user_data;

  g_mutex_lock (&guard->server->lock);
  guard->playing = TRUE;
  g_mutex_unlock (&guard->server->lock);
}

static GstRTSPFilterResult
check_client (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  Server *server = user_data;
  ClientGuard *guard = g_object_get_data (G_OBJECT (client), "senxor-guard");
  GSocket *socket = client_socket (client);
  guint64 bytes, allowed;
  gboolean cut = FALSE;

  if (guard == NULL || !socket_bytes_received (socket, &bytes))
    return GST_RTSP_FILTER_KEEP;

  g_mutex_lock (&server->lock);
  allowed = MAX_REQUEST_BYTES;
  if (guard->playing)
    allowed += (guint64) RTCP_ALLOWANCE_PER_SECOND *
        ((g_get_monotonic_time () - guard->time_at_reply) / G_USEC_PER_SEC + 1);
  if (!guard->cut && bytes - guard->bytes_at_reply > allowed) {
    guard->cut = TRUE;
    cut = TRUE;
  }
  g_mutex_unlock (&server->lock);

  if (cut) {
    GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);

    g_printerr (PROGRAM ": client %s sent over %u KiB without completing a "
        "request: closing its connection\n",
        conn != NULL ? gst_rtsp_connection_get_ip (conn) : "?",
        MAX_REQUEST_BYTES / 1024);
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  }
  return GST_RTSP_FILTER_KEEP;
}

static gboolean
on_watchdog (gpointer user_data)
{
  Server *server = user_data;
  g_list_free_full (gst_rtsp_server_client_filter (server->rtsp, check_client, server),
      g_object_unref);
  return G_SOURCE_CONTINUE;
}

static void
add_user (Server *server)
{
  g_mutex_lock (&server->lock);
  server->users++;
  g_mutex_unlock (&server->lock);
}

static void
remove_user (Server *server)
{
  g_mutex_lock (&server->lock);
  if (server->users > 0 && --server->users == 0) {
    server->idle_since = g_get_monotonic_time ();
    if (server->held != NULL)
      schedule_release (server, server->linger * 1000);
  }
  g_mutex_unlock (&server->lock);
}

/* Destroy notify of a client's guard: the client is being finalized. */
static void
free_guard (gpointer data)
{
  ClientGuard *guard = data;

  remove_user (guard->server);
  g_ptr_array_unref (guard->tcp_sessions);
  g_free (guard);
}

static void
on_session_gone (gpointer data)
{
  remove_user (data);
}

static void
on_new_session (GstRTSPClient *client, GstRTSPSession *session, gpointer user_data)
{
  ClientGuard *guard = user_data;

  add_user (guard->server);
  g_object_set_data_full (G_OBJECT (session), "senxor-user", guard->server,
      on_session_gone);
}

/* A stream was set up: remember the session if its RTP goes over this
 * connection (TCP interleaved). */
static void
on_setup_request (GstRTSPClient *client, GstRTSPContext *ctx, gpointer user_data)
{
  ClientGuard *guard = user_data;
  const GstRTSPTransport *tr =
      ctx->trans != NULL ? gst_rtsp_stream_transport_get_transport (ctx->trans) : NULL;
  const gchar *id;

  if (ctx->session == NULL || tr == NULL || tr->lower_transport != GST_RTSP_LOWER_TRANS_TCP)
    return;
  id = gst_rtsp_session_get_sessionid (ctx->session);
  for (guint i = 0; i < guard->tcp_sessions->len; i++) {
    if (g_str_equal (g_ptr_array_index (guard->tcp_sessions, i), id))
      return;
  }
  g_ptr_array_add (guard->tcp_sessions, g_strdup (id));
}

/* The connection is gone. gst-rtsp-server stops the streams that sent their
 * RTP over it (TCP interleaved) but keeps their sessions in the pool until
 * they time out (60 s), and each one counts as a user of the capture until
 * it is finalized: remove them now, so that the capture stops --linger
 * seconds after the last client vanished. A session over UDP only keeps its
 * timeout: its client may come back on a new connection. */
static void
on_client_closed (GstRTSPClient *client, gpointer user_data)
{
  ClientGuard *guard = user_data;
  g_autoptr (GstRTSPSessionPool) pool = gst_rtsp_client_get_session_pool (client);

  g_printerr (PROGRAM ": client disconnected\n");
  for (guint i = 0; pool != NULL && i < guard->tcp_sessions->len; i++) {
    GstRTSPSession *session =
        gst_rtsp_session_pool_find (pool, g_ptr_array_index (guard->tcp_sessions, i));

    if (session == NULL)
      continue;             /* torn down or timed out already */
    gst_rtsp_session_pool_remove (pool, session);
    g_object_unref (session);
  }
  g_ptr_array_set_size (guard->tcp_sessions, 0);
}

static void
on_client_connected (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  Server *server = user_data;
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);
  GSocket *socket = client_socket (client);
  ClientGuard *guard = g_new0 (ClientGuard, 1);

  g_printerr (PROGRAM ": client connected from %s\n",
      conn != NULL ? gst_rtsp_connection_get_ip (conn) : "?");

  guard->server = server;
  guard->tcp_sessions = g_ptr_array_new_with_free_func (g_free);
  guard->time_at_reply = g_get_monotonic_time ();
  if (socket != NULL) {
    socket_bytes_received (socket, &guard->bytes_at_reply);
    g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, CLIENT_RECEIVE_BUFFER, NULL);
  }
  add_user (server);
  g_object_set_data_full (G_OBJECT (client), "senxor-guard", guard, free_guard);
  gst_rtsp_client_set_content_length_limit (client, MAX_REQUEST_BYTES);

  g_signal_connect (client, "closed", G_CALLBACK (on_client_closed), guard);
  g_signal_connect (client, "new-session", G_CALLBACK (on_new_session), guard);
  g_signal_connect (client, "send-message", G_CALLBACK (on_send_message), guard);
  g_signal_connect (client, "play-request", G_CALLBACK (on_play_request), guard);
  g_signal_connect (client, "setup-request", G_CALLBACK (on_setup_request), guard);
  g_signal_connect (client, "pre-describe-request",
      G_CALLBACK (on_pre_describe_or_setup), server);
  g_signal_connect (client, "pre-setup-request",
      G_CALLBACK (on_pre_describe_or_setup), server);
}

static gboolean
on_signal (gpointer user_data)
{
  Server *server = user_data;

  g_printerr (PROGRAM ": stopping\n");
  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_session_pool_timeout (GstRTSPSessionPool *pool, gpointer user_data)
{
  gst_rtsp_session_pool_cleanup (pool);
  return G_SOURCE_CONTINUE;
}

static GstRTSPFilterResult
remove_client (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  return GST_RTSP_FILTER_REMOVE;
}

static GstRTSPFilterResult
shut_down_client (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  GSocket *socket = client_socket (client);

  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return GST_RTSP_FILTER_KEEP;
}

static guint
count_clients (GstRTSPServer *rtsp)
{
  GList *clients = gst_rtsp_server_client_filter (rtsp, NULL, NULL);
  guint n = g_list_length (clients);

  g_list_free_full (clients, g_object_unref);
  return n;
}

/* Closing a client from another thread than its own races with that thread
 * reading from the connection (gst-rtsp-server's close is not safe against
 * it): the sockets are shut down first so that every client's own thread
 * reads end-of-stream and closes it; whoever is left after 2 s is closed
 * from here. */
static void
close_clients (GstRTSPServer *rtsp)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_list_free_full (gst_rtsp_server_client_filter (rtsp, shut_down_client, NULL),
      g_object_unref);
  while (count_clients (rtsp) > 0 && g_get_monotonic_time () < deadline) {
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_usleep (10 * 1000);
  }
  g_list_free_full (gst_rtsp_server_client_filter (rtsp, remove_client, NULL),
      g_object_unref);
}

/* The H.264 encoder part: x264 when present (best at low latency), else
 * OpenH264. One slice per picture: x264's zerolatency tuning would otherwise
 * cut every picture into slices encoded by parallel threads, which some
 * decoders and players handle badly; a thermal picture is small enough for
 * one thread. The profile is fixed so that every decoder (browsers, phones,
 * hardware) can play it. */
static gchar *
make_encoder (guint bitrate, GError **error)
{
  g_autoptr (GstElementFactory) x264 = gst_element_factory_find ("x264enc");
  g_autoptr (GstElementFactory) openh264 = NULL;

  if (x264 != NULL)
    return g_strdup_printf ("x264enc tune=zerolatency speed-preset=ultrafast threads=1 "
        "bitrate=%u key-int-max=25 ! video/x-h264,profile=constrained-baseline", bitrate);
  openh264 = gst_element_factory_find ("openh264enc");
  if (openh264 != NULL)
    return g_strdup_printf ("openh264enc bitrate=%u complexity=low "
        "! video/x-h264,profile=constrained-baseline", bitrate * 1000);
  g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
      "no H.264 encoder: install gstreamer1.0-plugins-ugly (x264enc) or "
      "gstreamer1.0-plugins-bad (openh264enc)");
  return NULL;
}

/* Everything after the picture: scaling to 8-bit 4:2:0 with an even height
 * (4:2:0 needs even sizes; the height follows the picture's aspect), H.264,
 * parameter sets before every keyframe (h264parse inserts them per access
 * unit, never between the slices of one picture), RTP. */
static gchar *
make_launch (const gchar *picture, gint width, const gchar *encoder)
{
  return g_strdup_printf ("%s ! queue max-size-buffers=2 leaky=downstream "
      "! videoscale ! videoconvert "
      "! video/x-raw,format=I420,width=%d,height=(int)[2,16384,2],pixel-aspect-ratio=1/1 "
      "! %s ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96",
      picture, width, encoder);
}

static void
set_device (GstElement *bin, const gchar *device)
{
  g_autoptr (GstElement) src = NULL;

  if (device == NULL || !GST_IS_BIN (bin))
    return;
  src = gst_bin_get_by_name (GST_BIN (bin), "src");
  if (src != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (src), "device"))
    g_object_set (src, "device", device, NULL);
}

/* Builds the elements of a launch line in a pipeline: a typo or a missing
 * plugin is found without opening anything. */
static GstElement *
parse_launch (const gchar *launch, GError **error)
{
  GstElement *element = gst_parse_launch_full (launch, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, error);
  GstElement *pipeline;

  if (element == NULL)
    return NULL;
  gst_object_ref_sink (element);
  if (GST_IS_PIPELINE (element))
    return element;
  pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  gst_bin_add (GST_BIN (pipeline), element);
  gst_object_unref (element);
  return pipeline;
}

static void
on_check_handoff (GstElement *sink, GstBuffer *buffer, GstPad *pad, gpointer user_data)
{
  gint *seen = user_data;

  if (g_atomic_int_compare_and_exchange (seen, 0, 1))
    gst_element_post_message (sink, gst_message_new_application (GST_OBJECT (sink),
            gst_structure_new_empty ("first-packet")));
}

/* Runs a parsed launch line until its payloader's first packet: the camera
 * opens, the caps negotiate and the encoder accepts the size, or the reason
 * why not, before any client is told to come. *camera is set when the
 * element named "src" (the camera) is the one that failed. */
static gboolean
check_pipeline (GstElement *pipeline, const gchar *device, gboolean *camera,
    GError **error)
{
  g_autoptr (GstElement) pay = gst_bin_get_by_name (GST_BIN (pipeline), "pay0");
  g_autoptr (GstElement) src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_autoptr (GstObject) parent = NULL;
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GstElement *sink;
  gint seen = 0;
  gboolean ok = FALSE;
  gint64 deadline;

  *camera = FALSE;
  if (pay == NULL) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_PAD,
        "no element named pay0: the pipeline must end in an RTP payloader named pay0");
    return FALSE;
  }
  parent = gst_object_get_parent (GST_OBJECT (pay));
  sink = gst_element_factory_make ("fakesink", NULL);
  g_object_set (sink, "sync", FALSE, "async", FALSE, "signal-handoffs", TRUE, NULL);
  g_signal_connect (sink, "handoff", G_CALLBACK (on_check_handoff), &seen);
  gst_bin_add (GST_BIN (parent), sink);
  if (!gst_element_link (pay, sink)) {
    g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_PAD,
        "pay0 has no free output: the pipeline must end in pay0");
    return FALSE;
  }
  set_device (pipeline, device);

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  deadline = g_get_monotonic_time () + STARTUP_TIMEOUT_S * G_USEC_PER_SEC;
  while (!ok) {
    gint64 left = deadline - g_get_monotonic_time ();
    g_autoptr (GstMessage) message = NULL;

    if (left > 0)
      message = gst_bus_timed_pop_filtered (bus, left * GST_USECOND,
          GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_APPLICATION);
    if (message == NULL) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
          "no picture came out within %d s", STARTUP_TIMEOUT_S);
      break;
    } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_APPLICATION) {
      ok = TRUE;
    } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS) {
      g_set_error_literal (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
          "the pipeline ended before its first picture");
      break;
    } else {
      g_autoptr (GError) reason = NULL;
      g_autofree gchar *debug = NULL;
      g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));

      gst_message_parse_error (message, &reason, &debug);
      *camera = src != NULL && GST_MESSAGE_SRC (message) == GST_OBJECT (src);
      if (*camera)
        g_set_error_literal (error, reason->domain, reason->code, reason->message);
      else
        g_set_error (error, reason->domain, reason->code, "%s: %s%s", name,
            reason->message, debug != NULL && strstr (debug, "not-negotiated") != NULL ?
            " (not-negotiated: the elements do not agree on a format or size)" : "");
      break;
    }
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return ok;
}

/* Start-up checks: what would otherwise make every client fail later. */
static gboolean
check_startup (GstElement *pipeline, const gchar *device, const gchar *standin_launch,
    gboolean wait_for_camera)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) standin = NULL;
  gboolean camera;

  if (check_pipeline (pipeline, device, &camera, &error))
    return TRUE;
  if (!camera) {
    g_printerr (PROGRAM ": the pipeline does not start: %s\n", error->message);
    return FALSE;
  }
  if (!wait_for_camera) {
    g_printerr (PROGRAM ": cannot open the camera %s: %s (use --wait-for-camera to "
        "start anyway)\n", device != NULL ? device : "(the first one found)",
        error->message);
    return FALSE;
  }
  g_printerr (PROGRAM ": the camera %s is not available (%s): starting anyway "
      "(--wait-for-camera); clients are answered 503 until it is\n",
      device != NULL ? device : "(the first one found)", error->message);
  if (standin_launch == NULL)
    return TRUE;
  /* The encoding part can still be checked, with a stand-in picture. */
  g_clear_error (&error);
  standin = parse_launch (standin_launch, &error);
  if (standin == NULL || !check_pipeline (standin, NULL, &camera, &error)) {
    g_printerr (PROGRAM ": the pipeline does not start: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

int
main (int argc, char **argv)
{
  Server server = { 0 };
  g_autofree gchar *address = g_strdup (DEFAULT_ADDRESS);
  g_autofree gchar *mount = g_strdup (DEFAULT_MOUNT);
  g_autofree gchar *palette = g_strdup (DEFAULT_PALETTE);
  g_autofree gchar *source = NULL;
  g_autofree gchar *pipeline = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *standin_launch = NULL;
  g_autofree gchar *port_text = NULL;
  g_autofree gchar *width_text = NULL;
  g_autofree gchar *bitrate_text = NULL;
  g_autofree gchar *linger_text = NULL;
  g_autofree gchar *service = NULL;
  g_autofree gchar *url = NULL;
  g_auto (GStrv) publish = NULL;
  gboolean wait_for_camera = FALSE;
  gint port = DEFAULT_PORT;
  gint width = DEFAULT_WIDTH;
  gint bitrate = DEFAULT_BITRATE;
  gint linger = DEFAULT_LINGER;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GstRTSPServer) rtsp = NULL;
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GstRTSPThreadPool) pool = NULL;
  g_autoptr (GstRTSPSessionPool) session_pool = NULL;
  GSource *session_watch;
  g_autoptr (GstElement) check = NULL;
  g_autoptr (GSocket) listener = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GPtrArray) publishers = g_ptr_array_new_with_free_func (
      (GDestroyNotify) rtsp_publisher_free);
  GstRTSPMediaFactory *factory;
  GSource *source_watch;
  guint sigint, sigterm, watchdog;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &server.device,
      "Camera to open: /dev/ttyACM0, tcp://HOST:PORT, emulator://?module=mi16 "
      "(default: the first camera found)", "DEVICE" },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      "TCP port to listen on, 0-65535 (default 8554; 0 picks a free port)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
      "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
      "ADDRESS" },
    { "mount", 'm', 0, G_OPTION_ARG_STRING, &mount,
      "Path of the stream (default /thermal)", "PATH" },
    { "palette", 0, 0, G_OPTION_ARG_STRING, &palette,
      "thermalcolormap palette (default ironbow)", "NAME" },
    { "width", 'w', 0, G_OPTION_ARG_STRING, &width_text,
      "Width of the video in pixels, even, 16-8192; the height follows the "
      "camera's aspect (default 640)", "PIXELS" },
    { "bitrate", 'b', 0, G_OPTION_ARG_STRING, &bitrate_text,
      "H.264 bit rate in kbit/s, 1-2048000 (default 2000)", "KBITS" },
    { "linger", 0, 0, G_OPTION_ARG_STRING, &linger_text,
      "Seconds the capture keeps running after the last client left, 0-3600 "
      "(default 5)", "SECONDS" },
    { "wait-for-camera", 0, 0, G_OPTION_ARG_NONE, &wait_for_camera,
      "Start even when the camera cannot be opened now (clients are refused "
      "until it can)", NULL },
    { "publish", 0, 0, G_OPTION_ARG_STRING_ARRAY, &publish,
      "Also push the stream to rtsp://HOST:PORT/PATH (RTSP RECORD) or "
      "srt://HOST:PORT[?streamid=ID] (SRT caller, MPEG-TS); repeatable", "URL" },
    { "source", 's', 0, G_OPTION_ARG_STRING, &source,
      "Launch description of the picture (raw video) replacing "
      "'senxorsrc name=src ! thermalnormalize ! thermalcolormap'; scaling and "
      "H.264 encoding are appended", "DESCRIPTION" },
    { "pipeline", 0, 0, G_OPTION_ARG_STRING, &pipeline,
      "Whole launch description, ending in an RTP payloader named pay0 "
      "(replaces everything else)", "DESCRIPTION" },
    { NULL }
  };

  context = g_option_context_new ("- serve a Senxor thermal camera over RTSP");
  g_option_context_set_summary (context,
      "Serves one H.264 stream at rtsp://ADDRESS:PORT/thermal. All clients share\n"
      "one capture: the camera is opened when the first client plays and closed\n"
      "when the last one leaves. Stop with Ctrl-C (SIGINT) or SIGTERM.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr (PROGRAM ": %s (try --help)\n", error->message);
    return 2;
  }
  if (argc > 1) {
    g_printerr (PROGRAM ": unexpected argument '%s' (try --help)\n", argv[1]);
    return 2;
  }
  if (!tool_option_int ("--port", port_text, 0, 65535, &port, &error) ||
      !tool_option_int ("--width", width_text, 16, 8192, &width, &error) ||
      !tool_option_int ("--bitrate", bitrate_text, 1, 2048000, &bitrate, &error) ||
      !tool_option_int ("--linger", linger_text, 0, MAX_LINGER, &linger, &error) ||
      (pipeline == NULL && source == NULL && !tool_option_palette (palette, &error))) {
    g_printerr (PROGRAM ": %s\n", error->message);
    return 2;
  }
  if (width % 2 != 0) {
    g_printerr (PROGRAM ": --width must be even (H.264 4:2:0 video has even "
        "sizes), not '%d'\n", width);
    return 2;
  }
  if (mount[0] != '/') {
    g_autofree gchar *shown = tool_shown_value (mount);

    g_printerr (PROGRAM ": --mount must start with '/', not '%s'\n", shown);
    return 2;
  }
  server.linger = linger;
  for (guint i = 0; publish != NULL && publish[i] != NULL; i++) {
    RtspPublisher *publisher = rtsp_publisher_new (publish[i], &error);

    if (publisher == NULL) {
      g_printerr (PROGRAM ": %s\n", error->message);
      return 2;
    }
    g_ptr_array_add (publishers, publisher);
  }

  if (pipeline != NULL) {
    launch = g_strdup (pipeline);
  } else {
    g_autofree gchar *encoder = make_encoder (bitrate, &error);
    g_autofree gchar *picture = NULL;

    if (encoder == NULL) {
      g_printerr (PROGRAM ": %s\n", error->message);
      return 1;
    }
    picture = source != NULL ? g_strdup (source) :
        g_strdup_printf ("senxorsrc name=src ! thermalnormalize ! "
        "thermalcolormap palette=%s", palette);
    launch = make_launch (picture, width, encoder);
    /* for --wait-for-camera: the encoding part fed by a stand-in picture */
    standin_launch = make_launch ("videotestsrc is-live=true "
        "! video/x-raw,width=80,height=62,framerate=25/1", width, encoder);
  }

  /* Catch a typo or a missing plugin at once: parsing only builds the
   * elements, it does not open the camera. */
  check = parse_launch (launch, &error);
  if (check == NULL) {
    g_printerr (PROGRAM ": the pipeline does not parse: %s\n  pipeline: %s\n",
        error->message, launch);
    return 1;
  }

  g_mutex_init (&server.lock);
  g_cond_init (&server.cond);
  rtsp = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (rtsp, address);
  service = g_strdup_printf ("%d", port);
  gst_rtsp_server_set_service (rtsp, service);
  /* A thread per client (up to MAX_CLIENT_THREADS): a slow or hostile client
   * only holds up its own thread. */
  pool = gst_rtsp_server_get_thread_pool (rtsp);
  gst_rtsp_thread_pool_set_max_threads (pool, MAX_CLIENT_THREADS);

  factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, launch);
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  gst_rtsp_media_factory_set_latency (factory, 100);
  g_signal_connect (factory, "media-configure", G_CALLBACK (on_media_configure),
      &server);
  mounts = gst_rtsp_server_get_mount_points (rtsp);
  gst_rtsp_mount_points_add_factory (mounts, mount, factory);
  g_signal_connect (rtsp, "client-connected", G_CALLBACK (on_client_connected),
      &server);
  /* Sessions of clients that vanished without TEARDOWN (over UDP) expire. */
  session_pool = gst_rtsp_server_get_session_pool (rtsp);
  session_watch = gst_rtsp_session_pool_create_watch (session_pool);
  g_source_set_callback (session_watch, G_SOURCE_FUNC (on_session_pool_timeout), NULL, NULL);
  g_source_attach (session_watch, NULL);

  /* Listening first (a port in use is the quickest failure); clients that
   * connect during the start-up check wait until the main loop runs. The
   * small receive buffer is inherited by every client's socket from its
   * first byte on (see CLIENT_RECEIVE_BUFFER). */
  listener = gst_rtsp_server_create_socket (rtsp, NULL, &error);
  if (listener == NULL) {
    g_printerr (PROGRAM ": cannot listen on %s port %d: %s\n", address, port,
        error->message);
    return 1;
  }
  g_socket_set_option (listener, SOL_SOCKET, SO_RCVBUF, CLIENT_RECEIVE_BUFFER, NULL);
  local = g_socket_get_local_address (listener, NULL);
  if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local))
    port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  source_watch = g_socket_create_source (listener,
      G_IO_IN | G_IO_ERR | G_IO_HUP | G_IO_NVAL, NULL);
  g_source_set_callback (source_watch, G_SOURCE_FUNC (gst_rtsp_server_io_func),
      g_object_ref (rtsp), g_object_unref);
  if (!check_startup (check, server.device, standin_launch, wait_for_camera)) {
    g_source_destroy (source_watch);
    g_source_unref (source_watch);
    return 1;
  }
  gst_clear_object (&check);
  g_source_attach (source_watch, NULL);

  server.rtsp = rtsp;
  server.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, &server);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &server);
  watchdog = g_timeout_add (WATCHDOG_PERIOD_MS, on_watchdog, &server);

  url = g_strdup_printf ("rtsp://%s:%d%s", address, port, mount);
  g_print (PROGRAM ": streaming at %s\n", url);
  g_print (PROGRAM ": pipeline: %s\n", launch);
  if (publishers->len > 0) {
    /* The publishers are clients of this server, on the loopback address
     * when it listens on every interface. */
    g_autofree gchar *own = g_strdup_printf ("rtsp://%s:%d%s",
        g_str_equal (address, "0.0.0.0") ? "127.0.0.1" :
        g_str_equal (address, "::") ? "[::1]" : address, port, mount);

    for (guint i = 0; i < publishers->len; i++)
      rtsp_publisher_start (publishers->pdata[i], own);
  }

  g_main_loop_run (server.loop);

  /* Clean shutdown: stop publishing and accepting, close every client, stop
   * the capture (which closes the camera), then free. */
  g_ptr_array_set_size (publishers, 0);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (watchdog);
  g_source_destroy (session_watch);
  g_source_unref (session_watch);
  g_source_destroy (source_watch);
  g_source_unref (source_watch);
  close_clients (rtsp);
  g_mutex_lock (&server.lock);
  server.held_failed = TRUE;  /* stop now, whoever is still connected */
  g_mutex_unlock (&server.lock);
  release_capture (&server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_mutex_lock (&server.lock);
  if (server.linger_source != 0)
    g_source_remove (server.linger_source);
  g_mutex_unlock (&server.lock);
  g_main_loop_unref (server.loop);
  g_free (server.device);
  /* server.lock and server.cond stay usable: clients and sessions may still
   * be finalized (and counted out) when the server object goes below. */
  g_print (PROGRAM ": stopped\n");
  return server.exit_status;
}
