/* senxor-rtsp-server: one Senxor capture shared by every RTSP client
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   senxor-rtsp-server --device /dev/ttyACM0 --port 8554
 *   gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8554/thermal ! decodebin ! autovideosink
 *
 * The media factory is shared: the first client builds and starts the capture
 * pipeline, later clients join the same pipeline, so the camera is opened once
 * however many viewers there are.
 */
#include "config.h"

#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdlib.h>

#define PROGRAM "senxor-rtsp-server"
#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 8554
#define DEFAULT_MOUNT "/thermal"
#define DEFAULT_PALETTE "ironbow"
#define DEFAULT_WIDTH 640
#define DEFAULT_BITRATE 2000

typedef struct {
  GMainLoop *loop;
  guint captures;
  gint exit_status;
  gchar *device;
} Server;

/* Runs on whichever thread posts: only prints, never blocks. */
static GstBusSyncReply
on_sync_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR) {
    g_autoptr (GError) error = NULL;
    g_autofree gchar *debug = NULL;
    g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));

    gst_message_parse_error (message, &error, &debug);
    g_printerr (PROGRAM ": capture error from %s: %s\n", name, error->message);
    if (debug != NULL)
      g_printerr (PROGRAM ":   (%s)\n", debug);
  } else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT) {
    const GstStructure *s = gst_message_get_structure (message);

    if (s != NULL && (gst_structure_has_name (s, "senxor-device-lost") ||
            gst_structure_has_name (s, "senxor-device-restored")))
      g_printerr (PROGRAM ": %s\n", gst_structure_get_name (s));
  }
  return GST_BUS_PASS;
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

  /* The device is set here rather than quoted into the launch line, so any
   * device string (with '?', '&', quotes) is passed through untouched. */
  src = gst_bin_get_by_name_recurse_up (GST_BIN (element), "src");
  if (src != NULL && server->device != NULL &&
      g_object_class_find_property (G_OBJECT_GET_CLASS (src), "device"))
    g_object_set (src, "device", server->device, NULL);

  if (pipeline != NULL && GST_IS_PIPELINE (pipeline)) {
    g_autoptr (GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (pipeline));
    gst_bus_set_sync_handler (bus, on_sync_message, NULL, NULL);
  }
  g_signal_connect (media, "unprepared", G_CALLBACK (on_media_unprepared), NULL);

  server->captures++;
  g_printerr (PROGRAM ": capture #%u started (shared by all clients)\n",
      server->captures);
}

static void
on_client_closed (GstRTSPClient *client, gpointer user_data)
{
  g_printerr (PROGRAM ": client disconnected\n");
}

static void
on_client_connected (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);

  g_printerr (PROGRAM ": client connected from %s\n",
      conn != NULL ? gst_rtsp_connection_get_ip (conn) : "?");
  g_signal_connect (client, "closed", G_CALLBACK (on_client_closed), NULL);
}

static gboolean
on_signal (gpointer user_data)
{
  Server *server = user_data;

  g_printerr (PROGRAM ": stopping\n");
  g_main_loop_quit (server->loop);
  return G_SOURCE_CONTINUE;
}

static GstRTSPFilterResult
remove_client (GstRTSPServer *rtsp, GstRTSPClient *client, gpointer user_data)
{
  return GST_RTSP_FILTER_REMOVE;
}

/* The H.264 encoder part: x264 when present (best at low latency), else
 * OpenH264. */
static gchar *
make_encoder (guint bitrate, GError **error)
{
  g_autoptr (GstElementFactory) x264 = gst_element_factory_find ("x264enc");
  g_autoptr (GstElementFactory) openh264 = NULL;

  if (x264 != NULL)
    return g_strdup_printf ("x264enc tune=zerolatency speed-preset=ultrafast "
        "bitrate=%u key-int-max=25 ! video/x-h264,profile=baseline", bitrate);
  openh264 = gst_element_factory_find ("openh264enc");
  if (openh264 != NULL)
    return g_strdup_printf ("openh264enc bitrate=%u complexity=low", bitrate * 1000);
  g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
      "no H.264 encoder: install gstreamer1.0-plugins-ugly (x264enc) or "
      "gstreamer1.0-plugins-bad (openh264enc)");
  return NULL;
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
  g_autofree gchar *port_str = NULL;
  gint port = DEFAULT_PORT;
  gint width = DEFAULT_WIDTH;
  gint bitrate = DEFAULT_BITRATE;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GstRTSPServer) rtsp = NULL;
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GstElement) check = NULL;
  GstRTSPMediaFactory *factory;
  GSource *source_watch;
  guint sigint, sigterm;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &server.device,
      "Camera to open: /dev/ttyACM0, tcp://HOST:PORT, emulator://?module=mi16 "
      "(default: the first camera found)", "DEVICE" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port,
      "TCP port to listen on (default 8554; 0 picks a free port)", "PORT" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address,
      "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)",
      "ADDRESS" },
    { "mount", 'm', 0, G_OPTION_ARG_STRING, &mount,
      "Path of the stream (default /thermal)", "PATH" },
    { "palette", 0, 0, G_OPTION_ARG_STRING, &palette,
      "thermalcolormap palette (default ironbow)", "NAME" },
    { "width", 'w', 0, G_OPTION_ARG_INT, &width,
      "Width of the video in pixels, height follows the camera's aspect "
      "(default 640)", "PIXELS" },
    { "bitrate", 'b', 0, G_OPTION_ARG_INT, &bitrate,
      "H.264 bit rate in kbit/s (default 2000)", "KBITS" },
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
  if (port < 0 || port > 65535 || width < 16 || width > 8192 || bitrate <= 0 ||
      mount[0] != '/') {
    g_printerr (PROGRAM ": bad option: the port must be 0-65535, the width "
        "16-8192, the bit rate positive and the mount start with '/'\n");
    return 2;
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
    launch = g_strdup_printf ("%s ! queue max-size-buffers=2 leaky=downstream "
        "! videoscale ! videoconvert ! video/x-raw,format=I420,width=%d,pixel-aspect-ratio=1/1 "
        "! %s ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1",
        picture, width, encoder);
  }

  /* Catch a typo or a missing plugin now rather than when a client comes:
   * parsing only builds the elements, it does not open the camera. */
  check = gst_parse_launch_full (launch, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  if (check == NULL) {
    g_printerr (PROGRAM ": the pipeline does not parse: %s\n  pipeline: %s\n",
        error->message, launch);
    return 1;
  }
  gst_clear_object (&check);

  rtsp = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (rtsp, address);
  port_str = g_strdup_printf ("%d", port);
  gst_rtsp_server_set_service (rtsp, port_str);

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

  source_watch = gst_rtsp_server_create_source (rtsp, NULL, &error);
  if (source_watch == NULL) {
    g_printerr (PROGRAM ": cannot listen on %s port %d: %s\n", address, port,
        error->message);
    return 1;
  }
  g_source_attach (source_watch, NULL);

  server.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, &server);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &server);

  g_print (PROGRAM ": streaming at rtsp://%s:%d%s\n", address,
      gst_rtsp_server_get_bound_port (rtsp), mount);
  g_print (PROGRAM ": pipeline: %s\n", launch);

  g_main_loop_run (server.loop);

  /* Clean shutdown: stop accepting, close every client (which tears down the
   * shared media and closes the camera), then free. */
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_destroy (source_watch);
  g_source_unref (source_watch);
  g_list_free_full (gst_rtsp_server_client_filter (rtsp, remove_client, NULL),
      g_object_unref);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_main_loop_unref (server.loop);
  g_free (server.device);
  g_print (PROGRAM ": stopped\n");
  return server.exit_status;
}
