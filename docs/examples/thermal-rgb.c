/* thermal-rgb: a Senxor camera beside (or blended over) an RGB webcam
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pattern "a thread around the blocking webcam read, another around the
 * thermal camera, and a loop combining the latest frames", done with
 * GStreamer: v4l2src and senxorsrc each run on their own streaming thread and
 * compositor combines them, frame by frame, in running time.
 *
 *   --mode side    the two pictures side by side (1280x480)
 *   --mode blend   the hot parts of the thermal picture over the webcam
 *                  (thermalcolormap alpha-mode=threshold makes cold pixels
 *                  transparent), 640x480
 *
 *   thermal-rgb [--device DEV] [--rgb /dev/video0|test] [--mode side|blend]
 *               [--snapshot FILE.png [--frames N]]
 *
 * Without --snapshot it opens a window (autovideosink).  Without --device the
 * thermal camera is the emulated one (as in the other examples); --device
 * /dev/ttyACM0 uses a real one.  --rgb test (the default when there is no
 * /dev/video0) uses videotestsrc instead of a webcam.
 *
 * Build: cc thermal-rgb.c $(pkg-config --cflags --libs gstreamer-1.0)
 */
#include <glib-unix.h>
#include <gst/gst.h>
#include <string.h>

#define DEFAULT_DEVICE "emulator://?module=mi16&scene=people"

static gboolean
on_signal (gpointer user_data)
{
  /* The source stays until main removes it (another Ctrl-C sends EOS again). */
  gst_element_send_event (GST_ELEMENT (user_data), gst_event_new_eos ());
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *device = NULL;
  g_autofree gchar *rgb = NULL;
  g_autofree gchar *mode = g_strdup ("side");
  g_autofree gchar *snapshot = NULL;
  g_autofree gchar *rgb_src = NULL;
  g_autofree gchar *thermal = NULL;
  g_autofree gchar *sink = NULL;
  g_autofree gchar *launch = NULL;
  gint frames = 30;
  gint status = 0;
  GOptionEntry entries[] = {
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Thermal camera (default: the emulated camera " DEFAULT_DEVICE ")", "DEV" },
    { "rgb", 'r', 0, G_OPTION_ARG_STRING, &rgb, "Webcam device, or 'test' for a test picture (default /dev/video0 if present)", "DEV" },
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode, "side (default) or blend", "MODE" },
    { "snapshot", 's', 0, G_OPTION_ARG_FILENAME, &snapshot, "Write the combined picture to a PNG and exit", "FILE" },
    { "frames", 'n', 0, G_OPTION_ARG_INT, &frames, "With --snapshot: the frame to keep (default 30)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- thermal and RGB cameras together");
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) msg = NULL;
  gboolean side;
  guint sigint;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (!g_str_equal (mode, "side") && !g_str_equal (mode, "blend")) {
    g_printerr ("--mode must be side or blend\n");
    return 2;
  }
  side = g_str_equal (mode, "side");
  if (device == NULL)
    device = g_strdup (DEFAULT_DEVICE);
  if (rgb == NULL)
    rgb = g_strdup (g_file_test ("/dev/video0", G_FILE_TEST_EXISTS) ? "/dev/video0" : "test");

  if (g_str_equal (rgb, "test"))
    rgb_src = g_strdup ("videotestsrc is-live=true pattern=smpte");
  else
    rgb_src = g_strdup_printf ("v4l2src device=%s ! videoconvert", rgb);

  /* Both branches end at 640x480 with square pixels (side by side,
   * videoscale adds borders to keep the thermal picture's aspect ratio;
   * blended, it stretches to cover the webcam's field). */
  if (side)
    thermal = g_strdup ("senxorsrc name=src ! thermalnormalize ! thermalcolormap palette=ironbow "
        "! videoscale ! video/x-raw,width=640,height=480,pixel-aspect-ratio=1/1 ! queue ! c.sink_1");
  else
    thermal = g_strdup ("senxorsrc name=src ! thermalnormalize mode=fixed min-temp=25 max-temp=40 "
        "! thermalcolormap palette=ironbow alpha-mode=threshold alpha-threshold=100 alpha=220 "
        "! video/x-raw,format=RGBA ! videoscale add-borders=false "
        "! video/x-raw,width=640,height=480,pixel-aspect-ratio=1/1 ! queue ! c.sink_1");

  if (snapshot != NULL) {
    /* Keep overwriting one file; stop after the Nth frame. */
    sink = g_strdup_printf ("identity eos-after=%d ! videoconvert ! pngenc compression-level=1 "
        "! multifilesink name=file", MAX (frames, 1));
  } else {
    sink = g_strdup ("videoconvert ! autovideosink");
  }

  launch = g_strdup_printf ("compositor name=c background=black sink_1::xpos=%d ! %s "
      "%s ! videoscale ! video/x-raw,width=640,height=480,pixel-aspect-ratio=1/1 ! queue ! c.sink_0 %s",
      side ? 640 : 0, sink, rgb_src, thermal);
  pipeline = gst_parse_launch (launch, &error);
  if (pipeline == NULL) {
    g_printerr ("thermal-rgb: %s\n", error->message);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  g_object_set (src, "device", device, NULL);
  if (snapshot != NULL) {
    g_autoptr (GstElement) file = gst_bin_get_by_name (GST_BIN (pipeline), "file");
    g_object_set (file, "location", snapshot, NULL);
  }

  sigint = g_unix_signal_add (SIGINT, on_signal, pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_print ("thermal-rgb: %s mode, thermal camera: %s, webcam: %s\n", mode, device, rgb);

  /* This example has nothing else to do: wait on the bus.  (A GUI would use a
   * bus watch in its main loop instead.) */
  bus = gst_element_get_bus (pipeline);
  for (;;) {
    gst_clear_message (&msg);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    msg = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    if (msg != NULL)
      break;
  }
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    g_autofree gchar *debug = NULL;

    g_clear_error (&error);
    gst_message_parse_error (msg, &error, &debug);
    g_printerr ("thermal-rgb: error: %s\n  (%s)\n", error->message, debug ? debug : "");
    status = 1;
  } else if (snapshot != NULL) {
    g_print ("thermal-rgb: wrote %s\n", snapshot);
  }
  g_source_remove (sigint);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return status;
}
