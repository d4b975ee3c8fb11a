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
 *               tee ! queue ! thermalnormalize ! thermalcolormap ! ... ! jpegenc ! appsink name=jpeg
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

#define PROGRAM "senxor-http-server"
#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8080
#define DEFAULT_PALETTE "ironbow"
#define DEFAULT_WIDTH 640
#define DEFAULT_QUALITY 85
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
  if (GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_GRAY16_LE) {
    GST_ELEMENT_ERROR (sink, STREAM, FORMAT,
        ("The radiometric branch must deliver GRAY16_LE temperatures"),
        ("got %s", gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&info))));
    return GST_FLOW_ERROR;
  }
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
  Viewer *viewer = g_new0 (Viewer, 1);
  g_autoptr (GBytes) jpeg = NULL;

  viewer->msg = g_object_ref (msg);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers,
      "multipart/x-mixed-replace; boundary=" BOUNDARY, NULL);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
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

  celsius = format_double (raw * scale + offset - 273.15);
  min_c = format_double (lo * scale + offset - 273.15);
  max_c = format_double (hi * scale + offset - 273.15);
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

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Server *server = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;
      g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));

      gst_message_parse_error (message, &error, &debug);
      g_printerr (PROGRAM ": capture error from %s: %s\n", name, error->message);
      if (debug != NULL)
        g_printerr (PROGRAM ":   (%s)\n", debug);
      server->exit_status = 1;
      g_main_loop_quit (server->loop);
      break;
    }
    case GST_MESSAGE_EOS:
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
  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
setup_sink (Server *server, const gchar *name, gboolean required,
    GstFlowReturn (*callback) (GstAppSink *, gpointer))
{
  g_autoptr (GstElement) element = gst_bin_get_by_name (GST_BIN (server->pipeline), name);
  GstAppSinkCallbacks callbacks = { 0 };

  if (element == NULL || !GST_IS_APP_SINK (element)) {
    if (required)
      g_printerr (PROGRAM ": the pipeline needs an appsink named '%s'\n", name);
    return !required;
  }
  /* Latest frame only, and never let a slow reader hold back the camera. */
  g_object_set (element, "sync", FALSE, "drop", TRUE, "max-buffers", 1, NULL);
  callbacks.new_sample = callback;
  gst_app_sink_set_callbacks (GST_APP_SINK (element), &callbacks, server, NULL);
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
  gint port = DEFAULT_PORT;
  gint width = DEFAULT_WIDTH;
  gint quality = DEFAULT_QUALITY;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GSocketAddress) listen_address = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) src = NULL;
  GSList *uris;
  guint sigint, sigterm, bus_watch;
  GstStateChangeReturn ret;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device,
      "Camera to open: /dev/ttyACM0, tcp://HOST:PORT, emulator://?module=mi16 "
      "(default: the first camera found)", "DEVICE" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "TCP port to listen on (default 8080; 0 picks a free port)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
      "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
      "ADDRESS" },
    { "palette", 0, 0, G_OPTION_ARG_STRING, &palette,
      "thermalcolormap palette (default ironbow)", "NAME" },
    { "width", 'w', 0, G_OPTION_ARG_INT, &width,
      "Width of the picture in pixels, height follows the camera's aspect "
      "(default 640)", "PIXELS" },
    { "quality", 'q', 0, G_OPTION_ARG_INT, &quality,
      "JPEG quality 1-100 (default 85)", "Q" },
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
  if (port < 0 || port > 65535 || width < 16 || width > 8192 || quality < 1 ||
      quality > 100) {
    g_printerr (PROGRAM ": bad option: the port must be 0-65535, the width "
        "16-8192 and the quality 1-100\n");
    return 2;
  }

  if (pipeline != NULL)
    launch = g_strdup (pipeline);
  else
    launch = g_strdup_printf ("%s ! tee name=t "
        "t. ! queue max-size-buffers=2 leaky=downstream ! appsink name=radiometric "
        "t. ! queue max-size-buffers=2 leaky=downstream ! thermalnormalize "
        "! thermalcolormap palette=%s ! videoscale ! videoconvert "
        "! video/x-raw,width=%d,pixel-aspect-ratio=1/1 ! jpegenc quality=%d ! appsink name=jpeg",
        source != NULL ? source : "senxorsrc name=src", palette, width, quality);

  server.pipeline = gst_parse_launch_full (launch, NULL,
      GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (server.pipeline == NULL) {
    g_printerr (PROGRAM ": the pipeline does not parse: %s\n  pipeline: %s\n",
        error->message, launch);
    return 1;
  }
  if (!GST_IS_BIN (server.pipeline) ||
      !setup_sink (&server, "jpeg", TRUE, on_jpeg_sample) ||
      !setup_sink (&server, "radiometric", FALSE, on_radiometric_sample)) {
    gst_object_unref (server.pipeline);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (server.pipeline), "src");
  if (src != NULL && device != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (src), "device"))
    g_object_set (src, "device", device, NULL);

  g_mutex_init (&server.lock);
  server.loop = g_main_loop_new (NULL, FALSE);
  server.soup = soup_server_new ("server-header", PROGRAM " ", NULL);
  soup_server_add_handler (server.soup, NULL, handle_request, &server, NULL);
  listen_address = g_inet_socket_address_new_from_string (address, port);
  if (listen_address == NULL) {
    g_printerr (PROGRAM ": '%s' is not an IP address\n", address);
    return 2;
  }
  if (!soup_server_listen (server.soup, listen_address, 0, &error)) {
    g_printerr (PROGRAM ": cannot listen on %s port %d: %s\n", address, port,
        error->message);
    return 1;
  }

  bus = gst_element_get_bus (server.pipeline);
  bus_watch = gst_bus_add_watch (bus, on_bus_message, &server);
  sigint = g_unix_signal_add (SIGINT, on_signal, &server);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &server);

  uris = soup_server_get_uris (server.soup);
  for (GSList *l = uris; l != NULL; l = l->next) {
    g_autofree gchar *uri = g_uri_to_string (l->data);
    g_print (PROGRAM ": serving %s (stream.mjpg, snapshot.jpg, temperature)\n", uri);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_print (PROGRAM ": pipeline: %s\n", launch);

  ret = gst_element_set_state (server.pipeline, GST_STATE_PLAYING);
  if (ret == GST_STATE_CHANGE_FAILURE) {
    /* The error message on the bus says why; let the watch print it. */
    server.exit_status = 1;
    while (g_main_context_iteration (NULL, FALSE))
      ;
    if (server.exit_status == 1)
      g_printerr (PROGRAM ": the capture pipeline could not start\n");
  } else {
    g_main_loop_run (server.loop);
  }

  /* Clean shutdown: close the camera first, then the connections. */
  gst_element_set_state (server.pipeline, GST_STATE_NULL);
  g_source_remove (bus_watch);
  g_source_remove (sigint);
  g_source_remove (sigterm);
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
  g_print (PROGRAM ": stopped\n");
  return server.exit_status;
}
