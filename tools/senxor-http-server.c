/* senxor-http-server: a Senxor camera in the web browser
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   senxor-http-server --device /dev/ttyACM0 --port 8080
 *
 *   /               a page with the live picture and the temperature under the pointer
 *   /stream.mjpg    multipart MJPEG, any number of viewers
 *   /snapshot.jpg   the latest picture (503 until the first frame)
 *   /temperature?x=0.5&y=0.5   the temperature at a point (relative coordinates), JSON
 *
 * One capture pipeline feeds everything:
 *
 *   senxorsrc ! tee ! queue ! appsink name=radiometric      (GRAY16_LE temperatures)
 *               tee ! queue ! thermalnormalize ! thermalcolormap ! ... ! I420 ! jpegenc ! appsink name=jpeg
 *
 * Before it says "serving", the server waits for the first picture (and the
 * first radiometric frame): that proves the camera opens, every element
 * negotiates and the encoder works at the chosen size, so a server that
 * started does not answer every client 503 with the reason on its stderr.
 * --wait-for-camera skips that wait.
 *
 * Threads: the appsinks' callbacks run on GStreamer streaming threads and only
 * swap the "latest" slots under a mutex; everything that touches libsoup runs
 * on the main loop, woken by an idle source.
 */
#include "config.h"

#include <glib-unix.h>
#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gstsenxormeta.h>
#include <libsoup/soup.h>
#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "options.h"
#include "palette-option.h"

#define PROGRAM "senxor-http-server"
#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_PALETTE "ironbow"
#define DEFAULT_WIDTH 640
#define DEFAULT_QUALITY 85
#define DEFAULT_START_TIMEOUT 20.0
/* GSocket listens with a backlog of 10: a burst of viewers (a page with
 * several pictures, a monitoring wall reconnecting) would see SYNs dropped
 * and retried a second later.  The kernel caps this at net.core.somaxconn. */
#define LISTEN_BACKLOG SOMAXCONN
#define BOUNDARY "senxorframe"
/* A viewer more than this many chunks behind skips frames instead of
 * buffering them: each viewer always gets a recent picture. */
#define MAX_PENDING_CHUNKS 4

typedef struct {
  SoupServerMessage *msg;
  guint pending;
  gboolean finished;
} Viewer;

typedef struct {
  GMainLoop *loop;
  SoupServer *soup;
  GstElement *pipeline;
  GList *viewers;               /* Viewer*, main thread only */
  gint exit_status;
  /* start-up check, main thread only: waiting for the first frames */
  gboolean starting;
  gboolean failed;
  gboolean stopping;
  gboolean have_radiometric;
  gdouble start_timeout;

  GMutex lock;                  /* protects the fields below */
  GBytes *jpeg;
  guint64 jpeg_frames;
  GstBuffer *radiometric;
  GstVideoInfo radiometric_info;
  gdouble scale;
  gdouble offset;
  guint64 radiometric_frames;
  gboolean dispatch_pending;
} Server;

static GBytes *
get_page (void)
{
  return g_resources_lookup_data ("/org/senxor/http-server/page.html",
      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
}

/* ---- streaming threads ---- */

static gboolean dispatch_frame (gpointer user_data);

static GstFlowReturn
on_jpeg_sample (GstAppSink *sink, gpointer user_data)
{
  Server *server = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstMapInfo map;
  GBytes *bytes;
  gboolean wake;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  bytes = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  g_mutex_lock (&server->lock);
  g_clear_pointer (&server->jpeg, g_bytes_unref);
  server->jpeg = bytes;
  server->jpeg_frames++;
  wake = !server->dispatch_pending;
  server->dispatch_pending = TRUE;
  g_mutex_unlock (&server->lock);

  if (wake)
    g_idle_add (dispatch_frame, server);
  return GST_FLOW_OK;
}

static GstFlowReturn
on_radiometric_sample (GstAppSink *sink, gpointer user_data)
{
  Server *server = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;
  GstSenxorFrameMeta *meta;
  GstVideoInfo info;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buffer = gst_sample_get_buffer (sample);
  if (buffer == NULL || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_OK;
  /* the appsink's caps ask for GRAY16_LE (setup_sink) */
  meta = gst_buffer_get_senxor_frame_meta (buffer);

  g_mutex_lock (&server->lock);
  gst_buffer_replace (&server->radiometric, buffer);
  server->radiometric_info = info;
  /* senxorsrc says the unit in its meta; without one assume its documented
   * default, deci-Kelvin. */
  server->scale = meta != NULL ? meta->scale : 0.1;
  server->offset = meta != NULL ? meta->offset : 0.0;
  server->radiometric_frames++;
  g_mutex_unlock (&server->lock);
  return GST_FLOW_OK;
}

/* ---- main thread ---- */

static void
viewer_free (Viewer *viewer)
{
  g_object_unref (viewer->msg);
  g_free (viewer);
}

static void
viewer_send (Viewer *viewer, GBytes *jpeg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (viewer->msg);
  g_autofree gchar *head = g_strdup_printf ("\r\n--" BOUNDARY "\r\n"
      "Content-Type: image/jpeg\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
      g_bytes_get_size (jpeg));

  soup_message_body_append (body, SOUP_MEMORY_COPY, head, strlen (head));
  soup_message_body_append_bytes (body, jpeg);
  viewer->pending += 2;
  soup_server_message_unpause (viewer->msg);
}

static gboolean
dispatch_frame (gpointer user_data)
{
  Server *server = user_data;
  g_autoptr (GBytes) jpeg = NULL;

  g_mutex_lock (&server->lock);
  server->dispatch_pending = FALSE;
  if (server->jpeg != NULL)
    jpeg = g_bytes_ref (server->jpeg);
  g_mutex_unlock (&server->lock);

  if (jpeg == NULL)
    return G_SOURCE_REMOVE;
  for (GList *l = server->viewers; l != NULL; l = l->next) {
    Viewer *viewer = l->data;

    if (!viewer->finished && viewer->pending < MAX_PENDING_CHUNKS)
      viewer_send (viewer, jpeg);
  }
  return G_SOURCE_REMOVE;
}

static void
on_viewer_wrote_chunk (SoupServerMessage *msg, gpointer user_data)
{
  Viewer *viewer = user_data;

  if (viewer->pending > 0)
    viewer->pending--;
}

static void
on_viewer_finished (SoupServerMessage *msg, gpointer user_data)
{
  Server *server = g_object_get_data (G_OBJECT (msg), "senxor-server");
  Viewer *viewer = user_data;

  viewer->finished = TRUE;
  server->viewers = g_list_remove (server->viewers, viewer);
  g_printerr (PROGRAM ": MJPEG viewer left (%u watching)\n",
      g_list_length (server->viewers));
  viewer_free (viewer);
}

static void
handle_stream (Server *server, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  Viewer *viewer;
  g_autoptr (GBytes) jpeg = NULL;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers,
      "multipart/x-mixed-replace; boundary=" BOUNDARY, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    return;                     /* the headers only: not a viewer */

  viewer = g_new0 (Viewer, 1);
  viewer->msg = g_object_ref (msg);
  soup_message_headers_set_encoding (headers,
      soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0 ?
      SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg),
      FALSE);
  g_object_set_data (G_OBJECT (msg), "senxor-server", server);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_viewer_wrote_chunk), viewer);
  g_signal_connect (msg, "finished", G_CALLBACK (on_viewer_finished), viewer);
  server->viewers = g_list_prepend (server->viewers, viewer);
  g_printerr (PROGRAM ": MJPEG viewer joined (%u watching)\n",
      g_list_length (server->viewers));

  /* Start with the picture we have rather than waiting for the next one. */
  g_mutex_lock (&server->lock);
  if (server->jpeg != NULL)
    jpeg = g_bytes_ref (server->jpeg);
  g_mutex_unlock (&server->lock);
  if (jpeg != NULL)
    viewer_send (viewer, jpeg);
}

static void
respond_text (SoupServerMessage *msg, guint status, const gchar *type,
    const gchar *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Cache-Control", "no-store");
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, text,
      strlen (text));
}

static void
handle_snapshot (Server *server, SoupServerMessage *msg)
{
  g_autoptr (GBytes) jpeg = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_mutex_lock (&server->lock);
  if (server->jpeg != NULL)
    jpeg = g_bytes_ref (server->jpeg);
  g_mutex_unlock (&server->lock);

  if (jpeg == NULL) {
    soup_message_headers_replace (headers, "Retry-After", "1");
    respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain",
        "no frame from the camera yet, try again in a moment\n");
    return;
  }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_set_content_type (headers, "image/jpeg", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), jpeg);
}

static gboolean
parse_fraction (GHashTable *query, const gchar *key, gdouble *value)
{
  const gchar *text = query != NULL ? g_hash_table_lookup (query, key) : NULL;
  gchar *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);
  return end != NULL && *end == '\0' && isfinite (*value) && *value >= 0.0 &&
      *value <= 1.0;
}

static gchar *
format_double (gdouble value)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}

static void
handle_temperature (Server *server, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (GstBuffer) buffer = NULL;
  GstVideoInfo info;
  gdouble x, y, scale, offset;
  guint64 frames;
  GstMapInfo map;
  guint width, height, column, row;
  gsize stride;
  guint16 raw, lo = G_MAXUINT16, hi = 0;
  g_autofree gchar *json = NULL;
  g_autofree gchar *celsius = NULL, *min_c = NULL, *max_c = NULL;
  g_autofree gchar *xs = NULL, *ys = NULL;

  if (!parse_fraction (query, "x", &x) || !parse_fraction (query, "y", &y)) {
    respond_text (msg, SOUP_STATUS_BAD_REQUEST, "application/json",
        "{\"error\": \"give x and y as fractions of the picture, 0..1, e.g. "
        "/temperature?x=0.5&y=0.5\"}\n");
    return;
  }

  g_mutex_lock (&server->lock);
  if (server->radiometric != NULL)
    buffer = gst_buffer_ref (server->radiometric);
  info = server->radiometric_info;
  scale = server->scale;
  offset = server->offset;
  frames = server->radiometric_frames;
  g_mutex_unlock (&server->lock);

  if (buffer == NULL) {
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Retry-After", "1");
    respond_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "application/json",
        "{\"error\": \"no radiometric frame yet\"}\n");
    return;
  }
  width = GST_VIDEO_INFO_WIDTH (&info);
  height = GST_VIDEO_INFO_HEIGHT (&info);
  stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  column = MIN ((guint) (x * width), width - 1);
  row = MIN ((guint) (y * height), height - 1);
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ) || map.size < stride * height) {
    respond_text (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "application/json",
        "{\"error\": \"the radiometric frame is too small for its caps\"}\n");
    return;
  }
  for (guint r = 0; r < height; r++) {
    const guint8 *line = map.data + r * stride;

    for (guint c = 0; c < width; c++) {
      guint16 v = GST_READ_UINT16_LE (line + 2 * c);
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  }
  raw = GST_READ_UINT16_LE (map.data + row * stride + 2 * column);
  gst_buffer_unmap (buffer, &map);

  celsius = format_double (gst_senxor_raw_to_celsius (raw, scale, offset));
  min_c = format_double (gst_senxor_raw_to_celsius (lo, scale, offset));
  max_c = format_double (gst_senxor_raw_to_celsius (hi, scale, offset));
  xs = format_double (x);
  ys = format_double (y);
  json = g_strdup_printf ("{\"x\": %s, \"y\": %s, \"column\": %u, \"row\": %u, "
      "\"width\": %u, \"height\": %u, \"raw\": %u, \"celsius\": %s, "
      "\"min_celsius\": %s, \"max_celsius\": %s, \"frame\": %" G_GUINT64_FORMAT "}\n",
      xs, ys, column, row, width, height, raw, celsius, min_c, max_c, frames);
  respond_text (msg, SOUP_STATUS_OK, "application/json", json);
}

static void
handle_request (SoupServer *soup, SoupServerMessage *msg, const char *path,
    GHashTable *query, gpointer user_data)
{
  Server *server = user_data;
  const gchar *method = soup_server_message_get_method (msg);

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
    /* RFC 9110: a 405 lists the methods the resource has */
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
        "Allow", "GET, HEAD");
    respond_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain",
        "only GET and HEAD\n");
    return;
  }
  if (g_str_equal (path, "/") || g_str_equal (path, "/index.html")) {
    g_autoptr (GBytes) page = get_page ();

    soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
    soup_message_headers_set_content_type (
        soup_server_message_get_response_headers (msg), "text/html; charset=utf-8",
        NULL);
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
        page);
  } else if (g_str_equal (path, "/stream.mjpg")) {
    handle_stream (server, msg);
  } else if (g_str_equal (path, "/snapshot.jpg")) {
    handle_snapshot (server, msg);
  } else if (g_str_equal (path, "/temperature")) {
    handle_temperature (server, msg, query);
  } else {
    respond_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain",
        "not found: try /, /stream.mjpg, /snapshot.jpg or /temperature?x=0.5&y=0.5\n");
  }
}

/* libsoup before 3.3.0 forgets a keep-alive connection that the client
 * closes while it waits for the next request: the socket stays open in
 * CLOSE-WAIT for the life of the server, and once the descriptors run out
 * the server stops accepting anyone, silently.  Against those versions every
 * response says "Connection: close" so that libsoup closes the connection
 * itself once the response is written; a client that wants another picture
 * opens a new connection (cheap next to a JPEG).  A connection that is
 * closed before or during a request, and the MJPEG stream, were never
 * affected.  (Cause: after a keep-alive response libsoup 3.2 waits for the
 * next request with a message that has no completion callback, so an EOF
 * there never disconnects the connection.  Watching the sockets ourselves
 * cannot fix it: the public API has no way to disconnect that connection,
 * and closing its socket behind libsoup's back would keep the connection
 * object in the server's list.) */
static gboolean
keep_alive_leaks (void)
{
  return soup_get_major_version () == 3 && soup_get_minor_version () < 3;
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg,
    gpointer user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
      "Connection", "close");
}

/* One line for an error message at start-up: the element and its message,
 * or for a not-negotiated flow error (whose message, "Internal data stream
 * error", says nothing) what it means.  GStreamer's debug text goes to
 * g_debug (G_MESSAGES_DEBUG=all). */
static gchar *
describe_error (GstMessage *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;
  g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));
  const GstStructure *details = NULL;
  gint flow = GST_FLOW_OK;

  gst_message_parse_error (message, &error, &debug);
  gst_message_parse_error_details (message, &details);
  if (details != NULL)
    gst_structure_get_int (details, "flow-return", &flow);
  if (debug != NULL)
    g_debug ("%s: %s", name, debug);
  if (flow == GST_FLOW_NOT_NEGOTIATED)
    return g_strdup_printf ("the elements of the pipeline do not agree on a "
        "picture format (%s stopped: not-negotiated); check --width, --source "
        "or --pipeline", name);
  return g_strdup_printf ("%s: %s", name, error->message);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Server *server = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;
      g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));

      if (server->failed)
        break;                  /* the first error says why; the rest follow */
      server->failed = TRUE;
      server->exit_status = 1;
      if (server->starting) {
        g_autofree gchar *what = describe_error (message);
        GObject *src = G_OBJECT (GST_MESSAGE_SRC (message));
        gboolean camera = g_object_class_find_property (G_OBJECT_GET_CLASS (src),
            "reconnect") != NULL;

        /* a camera that is missing, busy or not answering (not a bad
         * setting) may come later */
        gst_message_parse_error (message, &error, NULL);
        camera = camera && error->domain == GST_RESOURCE_ERROR &&
            error->code != GST_RESOURCE_ERROR_SETTINGS;
        g_printerr (PROGRAM ": cannot start: %s%s\n", what, camera ?
            " (--wait-for-camera serves anyway and waits for the camera)" : "");
        g_main_loop_quit (server->loop);
        break;
      }
      gst_message_parse_error (message, &error, &debug);
      g_printerr (PROGRAM ": capture error from %s: %s\n", name, error->message);
      if (debug != NULL)
        g_printerr (PROGRAM ":   (%s)\n", debug);
      g_main_loop_quit (server->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      if (server->starting) {
        g_printerr (PROGRAM ": cannot start: the capture ended before the "
            "first picture\n");
        server->failed = TRUE;
        server->exit_status = 1;
        g_main_loop_quit (server->loop);
        break;
      }
      g_printerr (PROGRAM ": the capture ended; still serving the last picture\n");
      break;
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (message);

      if (s != NULL && (gst_structure_has_name (s, "senxor-device-lost") ||
              gst_structure_has_name (s, "senxor-device-restored")))
        g_printerr (PROGRAM ": %s\n", gst_structure_get_name (s));
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  Server *server = user_data;

  g_printerr (PROGRAM ": stopping\n");
  server->stopping = TRUE;
  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

/* Start-up check: polled while starting until the first frames are in. */
static gboolean
check_started (gpointer user_data)
{
  Server *server = user_data;
  gboolean done;

  g_mutex_lock (&server->lock);
  done = server->jpeg_frames > 0 &&
      (!server->have_radiometric || server->radiometric_frames > 0);
  g_mutex_unlock (&server->lock);
  if (done)
    g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  Server *server = user_data;
  gboolean have_jpeg;

  g_mutex_lock (&server->lock);
  have_jpeg = server->jpeg_frames > 0;
  g_mutex_unlock (&server->lock);
  g_printerr (PROGRAM ": cannot start: no %s within %g s (--start-timeout); "
      "--wait-for-camera serves without waiting\n",
      have_jpeg ? "radiometric frame for /temperature" : "picture from the pipeline",
      server->start_timeout);
  server->failed = TRUE;
  server->exit_status = 1;
  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

/* Sets the pipeline PLAYING and, if @wait, runs the main loop until its
 * first JPEG (and radiometric frame) is in.  FALSE, after one line on
 * stderr, when it cannot get there. */
static gboolean
start_capture (Server *server, gboolean wait)
{
  g_autoptr (GSource) poll = NULL;
  g_autoptr (GSource) deadline = NULL;

  server->starting = wait;
  if (gst_element_set_state (server->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the error message on the bus says why: let the watch print it */
    server->starting = TRUE;
    while (g_main_context_iteration (NULL, FALSE))
      ;
    if (!server->failed)
      g_printerr (PROGRAM ": cannot start: the pipeline refused to start "
          "(no element said why)\n");
    server->exit_status = 1;
    return FALSE;
  }
  if (!wait)
    return TRUE;

  poll = g_timeout_source_new (50);
  g_source_set_callback (poll, check_started, server, NULL);
  g_source_attach (poll, NULL);
  deadline = g_timeout_source_new ((guint) (server->start_timeout * 1000));
  g_source_set_callback (deadline, on_start_timeout, server, NULL);
  g_source_attach (deadline, NULL);
  g_main_loop_run (server->loop);
  g_source_destroy (poll);
  g_source_destroy (deadline);
  server->starting = FALSE;
  return !server->failed;
}

/* The appsink @name: told to keep the latest frame only, to accept @caps,
 * with @callback for each frame.  FALSE with a message if the pipeline
 * needs it and it is missing or nothing feeds it. */
static gboolean
setup_sink (Server *server, const gchar *name, const gchar *caps,
    gboolean required, GstFlowReturn (*callback) (GstAppSink *, gpointer),
    gboolean *present)
{
  g_autoptr (GstElement) element = gst_bin_get_by_name (GST_BIN (server->pipeline), name);
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstCaps) sink_caps = NULL;
  GstAppSinkCallbacks callbacks = { 0 };

  *present = FALSE;
  if (element == NULL || !GST_IS_APP_SINK (element)) {
    if (required)
      g_printerr (PROGRAM ": the pipeline needs an appsink named '%s'\n", name);
    return !required;
  }
  pad = gst_element_get_static_pad (element, "sink");
  if (pad == NULL || !gst_pad_is_linked (pad)) {
    g_printerr (PROGRAM ": nothing feeds the appsink named '%s': link it to "
        "the end of a branch producing %s\n", name, caps);
    return FALSE;
  }
  /* Latest frame only, and never let a slow reader hold back the camera.
   * The caps make a branch producing something else fail at start-up. */
  sink_caps = gst_caps_from_string (caps);
  g_object_set (element, "sync", FALSE, "drop", TRUE, "max-buffers", 1,
      "caps", sink_caps, NULL);
  callbacks.new_sample = callback;
  gst_app_sink_set_callbacks (GST_APP_SINK (element), &callbacks, server, NULL);
  *present = TRUE;
  return TRUE;
}

/* The server accepts its connections itself and hands each one to libsoup
 * with soup_server_accept_iostream() instead of letting libsoup listen:
 * libsoup 3.2's listener (Debian 12 has 3.2.3) keeps a reference to the
 * GSocket of every connection it accepts and never drops it, about 350 bytes
 * per connection for the life of the server (docs/reliability.md).  The
 * same path is used with every libsoup version, so the one that is tested
 * is the one that runs. */
static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection,
    GObject *source, gpointer user_data)
{
  SoupServer *soup = user_data;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GError) error = NULL;

  local = g_socket_connection_get_local_address (connection, &error);
  if (local != NULL)
    remote = g_socket_connection_get_remote_address (connection, &error);
  /* a client that is already gone (or a socket libsoup could not take)
   * is closed here, with the reason for G_MESSAGES_DEBUG=all */
  if (remote == NULL ||
      !soup_server_accept_iostream (soup, G_IO_STREAM (connection), local,
          remote, &error)) {
    g_debug ("dropping a connection: %s", error->message);
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  }
  return TRUE;
}

/* Listens on ADDRESS with SERVICE; *URI is where it serves (with the port
 * the kernel chose for port 0). */
static gboolean
listen_on (GSocketService *service, GSocketAddress *address, gchar **uri,
    GError **error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr (GSocket) socket = g_socket_new (family, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_DEFAULT, error);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree gchar *host = NULL;

  if (socket == NULL)
    return FALSE;
  /* as soup_server_listen() does: an IPv6 address listens for IPv6 only */
  if (family == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, error))
    return FALSE;
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (service), socket,
          NULL, error))
    return FALSE;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;
  host = g_inet_address_to_string (g_inet_socket_address_get_address (
          G_INET_SOCKET_ADDRESS (bound)));
  *uri = g_uri_join (G_URI_FLAGS_NONE, "http", NULL, host,
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)), "/",
      NULL, NULL);
  return TRUE;
}

int
main (int argc, char **argv)
{
  Server server = { 0 };
  g_autofree gchar *device = NULL;
  g_autofree gchar *address = g_strdup (DEFAULT_ADDRESS);
  g_autofree gchar *palette = g_strdup (DEFAULT_PALETTE);
  g_autofree gchar *source = NULL;
  g_autofree gchar *pipeline = NULL;
  g_autofree gchar *launch = NULL;
  g_autofree gchar *port_text = NULL, *width_text = NULL, *quality_text = NULL;
  g_autofree gchar *timeout_text = NULL;
  gint port = DEFAULT_PORT;
  gint width = DEFAULT_WIDTH;
  gint quality = DEFAULT_QUALITY;
  gboolean wait_for_camera = FALSE;
  gboolean have_jpeg, served = FALSE;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GSocketAddress) listen_address = NULL;
  g_autoptr (GSocketService) service = NULL;
  g_autofree gchar *uri = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) src = NULL;
  guint sigint, sigterm, bus_watch;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      "Camera to open: /dev/ttyACM0, tcp://HOST:PORT, emulator://?module=mi16 "
      "(default: the first camera found)", "DEVICE" },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port_text,
      "TCP port to listen on, 0-65535 (default 8080; 0 picks a free port)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
      "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
      "ADDRESS" },
    { "palette", 0, 0, G_OPTION_ARG_STRING, &palette,
      "thermalcolormap palette (default ironbow)", "NAME" },
    { "width", 'w', 0, G_OPTION_ARG_STRING, &width_text,
      "Width of the picture in pixels, 16-8192; the height follows the "
      "camera's aspect (default 640)", "PIXELS" },
    { "jpeg-quality", 'q', 0, G_OPTION_ARG_STRING, &quality_text,
      "JPEG quality 1-100 (default 85)", "N" },
    { "quality", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &quality_text,
      "The same as --jpeg-quality", "N" },
    { "wait-for-camera", 0, 0, G_OPTION_ARG_NONE, &wait_for_camera,
      "Serve at once, even while the camera cannot be opened (clients get 503 "
      "until its first picture), and ride out unplugging", NULL },
    { "start-timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_text,
      "How long to wait for the first picture at start-up, in seconds, "
      "0.1-3600 (default 20)", "SECONDS" },
    { "source", 's', 0, G_OPTION_ARG_STRING, &source,
      "Launch description of the radiometric source (GRAY16_LE) replacing "
      "'senxorsrc name=src'", "DESCRIPTION" },
    { "pipeline", 0, 0, G_OPTION_ARG_STRING, &pipeline,
      "Whole launch description with an appsink named 'jpeg' (image/jpeg) and "
      "optionally one named 'radiometric' (GRAY16_LE) for /temperature",
      "DESCRIPTION" },
    { NULL }
  };

  context = g_option_context_new ("- show a Senxor thermal camera in web browsers");
  g_option_context_set_summary (context,
      "Serves http://ADDRESS:PORT/ (live picture, temperature under the pointer),\n"
      "/stream.mjpg (MJPEG), /snapshot.jpg and /temperature?x=0.5&y=0.5 (JSON).\n"
      "All viewers share one capture. Stop with Ctrl-C (SIGINT) or SIGTERM.");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr (PROGRAM ": %s (try --help)\n", error->message);
    return 2;
  }
  server.start_timeout = DEFAULT_START_TIMEOUT;
  if (!tool_option_int ("--port", port_text, 0, 65535, &port, &error) ||
      !tool_option_int ("--width", width_text, 16, 8192, &width, &error) ||
      !tool_option_int ("--jpeg-quality", quality_text, 1, 100, &quality, &error) ||
      !tool_option_double ("--start-timeout", timeout_text, 0.1, 3600.0,
          "seconds", &server.start_timeout, &error) ||
      (pipeline == NULL && !tool_option_palette (palette, &error))) {
    g_printerr (PROGRAM ": %s\n", error->message);
    return 2;
  }
  if (argc > 1) {
    g_printerr (PROGRAM ": unexpected argument '%s' (try --help)\n", argv[1]);
    return 2;
  }

  if (pipeline != NULL)
    launch = g_strdup (pipeline);
  else
    /* Scaled in RGB (the camera's frames are small: subsampling them first
     * would blur the colours), then I420 for jpegenc: 4:2:0 JPEG is what
     * every decoder handles fastest, and about half the bytes of 4:4:4
     * (docs/performance.md). */
    launch = g_strdup_printf ("%s ! tee name=t "
        "t. ! queue max-size-buffers=2 leaky=downstream ! appsink name=radiometric "
        "t. ! queue max-size-buffers=2 leaky=downstream ! thermalnormalize "
        "! thermalcolormap palette=%s ! videoscale ! videoconvert "
        "! video/x-raw,format=I420,width=%d,pixel-aspect-ratio=1/1 "
        "! jpegenc quality=%d ! appsink name=jpeg",
        source != NULL ? source : "senxorsrc name=src", palette, width, quality);

  server.pipeline = gst_parse_launch_full (launch, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (server.pipeline == NULL) {
    g_printerr (PROGRAM ": the pipeline does not parse: %s (pipeline: %s)\n",
        error->message, launch);
    return 1;
  }
  /* a one-element description is that element: put it in a pipeline so
   * that it gets the same checks (and messages) as any other */
  if (!GST_IS_PIPELINE (server.pipeline)) {
    GstElement *element = server.pipeline;

    server.pipeline = gst_pipeline_new (NULL);
    gst_bin_add (GST_BIN (server.pipeline), element);
  }
  if (!setup_sink (&server, "jpeg", "image/jpeg", TRUE, on_jpeg_sample,
          &have_jpeg) ||
      !setup_sink (&server, "radiometric", "video/x-raw,format=GRAY16_LE",
          FALSE, on_radiometric_sample, &server.have_radiometric)) {
    gst_object_unref (server.pipeline);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (server.pipeline), "src");
  if (device != NULL) {
    if (src == NULL ||
        !g_object_class_find_property (G_OBJECT_GET_CLASS (src), "device")) {
      g_printerr (PROGRAM ": --device needs an element named 'src' with a "
          "device property in the pipeline\n");
      gst_object_unref (server.pipeline);
      return 2;
    }
    g_object_set (src, "device", device, NULL);
  }
  /* senxorsrc waits for a camera that is missing at start like for one
   * that went away */
  if (wait_for_camera && src != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (src), "reconnect"))
    g_object_set (src, "reconnect", TRUE, NULL);

  listen_address = g_inet_socket_address_new_from_string (address, port);
  if (listen_address == NULL) {
    g_printerr (PROGRAM ": '%s' is not an IP address\n", address);
    gst_object_unref (server.pipeline);
    return 2;
  }
  g_mutex_init (&server.lock);
  server.loop = g_main_loop_new (NULL, FALSE);
  server.soup = soup_server_new ("server-header", PROGRAM " ", NULL);
  soup_server_add_handler (server.soup, NULL, handle_request, &server, NULL);
  if (keep_alive_leaks ())
    g_signal_connect (server.soup, "request-started",
        G_CALLBACK (on_request_started), NULL);
  /* Listen before opening the camera: a port in use is found at once.  Any
   * client early enough gets 503 until the first picture. */
  service = g_socket_service_new ();
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), server.soup);
  if (!listen_on (service, listen_address, &uri, &error)) {
    g_printerr (PROGRAM ": cannot listen on %s port %d: %s\n", address, port,
        error->message);
    server.exit_status = 1;
    goto out;
  }

  bus = gst_element_get_bus (server.pipeline);
  bus_watch = gst_bus_add_watch (bus, on_bus_message, &server);
  sigint = g_unix_signal_add (SIGINT, on_signal, &server);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &server);

  if (start_capture (&server, !wait_for_camera) && !server.stopping) {
    served = TRUE;
    g_print (PROGRAM ": serving %s (stream.mjpg, snapshot.jpg, temperature)\n", uri);
    g_print (PROGRAM ": pipeline: %s\n", launch);
    if (wait_for_camera)
      g_print (PROGRAM ": --wait-for-camera: not waiting for the first picture; "
          "clients get 503 until it comes\n");
    g_main_loop_run (server.loop);
  }

  /* Clean shutdown: close the camera first, then the connections. */
  gst_element_set_state (server.pipeline, GST_STATE_NULL);
  g_source_remove (bus_watch);
  g_source_remove (sigint);
  g_source_remove (sigterm);
out:
  /* no new connections, then close the ones libsoup has */
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  soup_server_disconnect (server.soup);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_list_free_full (server.viewers, (GDestroyNotify) viewer_free);
  g_object_unref (server.soup);
  gst_object_unref (server.pipeline);
  g_clear_pointer (&server.jpeg, g_bytes_unref);
  gst_clear_buffer (&server.radiometric);
  g_main_loop_unref (server.loop);
  g_mutex_clear (&server.lock);
  if (served || server.stopping)
    g_print (PROGRAM ": stopped\n");
  return server.exit_status;
}
