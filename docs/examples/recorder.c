/* recorder: display video and lossless temperatures from one capture
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One senxorsrc, one tee, two recordings:
 *
 *   senxorsrc ! tee ! queue ! avenc_ffv1 ! matroskamux ! radiometric.mkv   (FFV1 GRAY16_LE: exact deci-Kelvin)
 *               tee ! queue ! thermalnormalize ! thermalcolormap ! ... ! x264enc ! mp4mux ! display.mp4
 *
 * The display video is 8-bit 4:2:0 H.264 in the constrained baseline profile,
 * one slice per picture: what browsers, phones and hardware decoders play.
 * (Without the I420 caps videoconvert hands x264enc 4:4:4, the High 4:4:4
 * profile few players decode; tune=zerolatency alone splits each picture
 * into one slice per encoder thread.)
 *
 * Ctrl-C (SIGINT) or SIGTERM sends end-of-stream: the encoders flush and the
 * muxers write their indexes, so both files are playable (the same as
 * gst-launch-1.0 -e).  A second Ctrl-C aborts at once.
 *
 *   recorder [--device DEV] [--seconds N] [--radiometric FILE.mkv] [--display FILE.mp4|.mkv]
 *
 * Without --device the camera is the emulated one (as in the other
 * examples); --device "" records the first camera found.
 *
 * Play back the temperatures:
 *   gst-launch-1.0 filesrc location=radiometric.mkv ! matroskademux ! avdec_ffv1 \
 *     ! thermalnormalize mode=fixed min-temp=20 max-temp=40 ! thermalcolormap ! videoconvert ! autovideosink
 *
 * Build: cc recorder.c $(pkg-config --cflags --libs gstreamer-1.0)
 */
#include <glib-unix.h>
#include <gst/gst.h>

#define DEFAULT_DEVICE "emulator://?module=mi16&scene=people"

typedef struct {
  GMainLoop *loop;
  GstElement *pipeline;
  gboolean stopping;
  gint status;
} Recorder;

static gboolean
stop (gpointer user_data)
{
  Recorder *rec = user_data;

  if (rec->stopping) {
    g_printerr ("recorder: second interrupt, aborting (the files may not play)\n");
    rec->status = 1;
    g_main_loop_quit (rec->loop);
    return G_SOURCE_REMOVE;
  }
  g_print ("recorder: finishing the files...\n");
  rec->stopping = TRUE;
  gst_element_send_event (rec->pipeline, gst_event_new_eos ());
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  stop (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_message (GstBus *bus, GstMessage *msg, gpointer user_data)
{
  Recorder *rec = user_data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (msg, &error, &debug);
      g_printerr ("recorder: error: %s\n  (%s)\n", error->message, debug ? debug : "");
      rec->status = 1;
      g_main_loop_quit (rec->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      g_main_loop_quit (rec->loop);
      break;
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (msg, "senxor-device-lost"))
        g_printerr ("recorder: camera lost, waiting for it\n");
      else if (gst_message_has_name (msg, "senxor-device-restored"))
        g_printerr ("recorder: camera back\n");
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  Recorder rec = { 0 };
  g_autofree gchar *device = NULL;
  g_autofree gchar *radiometric = g_strdup ("radiometric.mkv");
  g_autofree gchar *display = g_strdup ("display.mp4");
  g_autofree gchar *launch = NULL;
  gint seconds = 0;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Camera (default: the emulated camera " DEFAULT_DEVICE "; \"\": the first one found)", "DEV" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Stop after N seconds (default: at Ctrl-C)", "N" },
    { "radiometric", 'r', 0, G_OPTION_ARG_FILENAME, &radiometric, "Lossless temperatures (default radiometric.mkv)", "FILE" },
    { "display", 'o', 0, G_OPTION_ARG_FILENAME, &display, "Colour video, .mp4 or .mkv (default display.mp4)", "FILE" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- record a Senxor camera");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) rfile = NULL;
  g_autoptr (GstElement) dfile = NULL;
  g_autoptr (GstBus) bus = NULL;
  const gchar *mux;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  mux = g_str_has_suffix (display, ".mkv") ? "matroskamux" : "mp4mux";
  launch = g_strdup_printf ("senxorsrc name=src ! tee name=t "
      "t. ! queue ! avenc_ffv1 ! matroskamux ! filesink name=rfile "
      "t. ! queue ! thermalnormalize ! thermalcolormap palette=ironbow "
      "! videoscale ! video/x-raw,width=640,pixel-aspect-ratio=1/1 "
      "! videoconvert ! video/x-raw,format=I420 "
      "! x264enc tune=zerolatency sliced-threads=false speed-preset=ultrafast "
      "! video/x-h264,profile=constrained-baseline ! h264parse ! %s "
      "! filesink name=dfile", mux);
  rec.pipeline = gst_parse_launch (launch, &error);
  if (rec.pipeline == NULL) {
    g_printerr ("recorder: %s\n", error->message);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (rec.pipeline), "src");
  if (device == NULL)
    device = g_strdup (DEFAULT_DEVICE);
  if (*device != '\0')
    g_object_set (src, "device", device, NULL);
  rfile = gst_bin_get_by_name (GST_BIN (rec.pipeline), "rfile");
  g_object_set (rfile, "location", radiometric, NULL);
  dfile = gst_bin_get_by_name (GST_BIN (rec.pipeline), "dfile");
  g_object_set (dfile, "location", display, NULL);

  rec.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (rec.pipeline);
  gst_bus_add_watch (bus, on_message, &rec);
  g_unix_signal_add (SIGINT, stop, &rec);
  g_unix_signal_add (SIGTERM, stop, &rec);
  if (seconds > 0)
    g_timeout_add_seconds (seconds, on_timeout, &rec);

  if (gst_element_set_state (rec.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The reason is on the bus: let the watch print it. */
    rec.status = 1;
    while (g_main_context_iteration (NULL, FALSE))
      ;
  } else {
    g_print ("recorder: recording %s and %s, Ctrl-C to stop\n", radiometric, display);
    g_main_loop_run (rec.loop);
  }

  gst_element_set_state (rec.pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  gst_object_unref (rec.pipeline);
  g_main_loop_unref (rec.loop);
  if (rec.status == 0)
    g_print ("recorder: wrote %s and %s\n", radiometric, display);
  return rec.status;
}
