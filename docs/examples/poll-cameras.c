/* poll-cameras: several Senxor cameras, one thread, never blocking
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The pattern "poll every camera with a non-blocking read in one loop", done
 * with GStreamer: each camera is a senxorsrc with its own streaming thread
 * feeding an appsink that keeps only the latest frame (drop=true
 * max-buffers=1).  The loop asks every appsink for a frame with a zero timeout
 * (try-pull), so a slow or silent camera never holds up the others.
 *
 *   poll-cameras [--seconds N] [DEVICE...]
 *   poll-cameras /dev/ttyACM0 /dev/ttyACM1
 *   poll-cameras "emulator://a?module=mi08" "emulator://b?module=mi16&scene=hotspot"
 *
 * Build: cc poll-cameras.c $(pkg-config --cflags --libs gstreamer-app-1.0 gstreamer-video-1.0)
 */
#include <gst/app/app.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>

typedef struct {
  const gchar *device;
  GstElement *pipeline;
  GstAppSink *sink;
  guint frames;
  gboolean running;
  gboolean failed;
  gint64 last_print;
} Camera;

/* Frame statistics in °C.  senxorsrc delivers deci-Kelvin (GRAY16_LE). */
static void
frame_stats (GstSample *sample, gdouble *min_c, gdouble *max_c, gdouble *mean_c)
{
  GstVideoInfo info;
  GstVideoFrame frame;
  guint16 lo = G_MAXUINT16, hi = 0;
  guint64 sum = 0;

  gst_video_info_from_caps (&info, gst_sample_get_caps (sample));
  gst_video_frame_map (&frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ);
  for (gint y = 0; y < info.height; y++) {
    const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
    for (gint x = 0; x < info.width; x++) {
      guint16 v = GST_READ_UINT16_LE (row + 2 * x);
      lo = MIN (lo, v);
      hi = MAX (hi, v);
      sum += v;
    }
  }
  gst_video_frame_unmap (&frame);
  *min_c = lo / 10.0 - 273.15;
  *max_c = hi / 10.0 - 273.15;
  *mean_c = (gdouble) sum / (info.width * info.height) / 10.0 - 273.15;
}

static gboolean
open_camera (Camera *cam, guint index)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) src = NULL;

  cam->pipeline = gst_parse_launch ("senxorsrc name=src ! appsink name=sink "
      "caps=video/x-raw,format=GRAY16_LE drop=true max-buffers=1 sync=false", &error);
  if (cam->pipeline == NULL) {
    g_printerr ("camera %u: %s\n", index, error->message);
    return FALSE;
  }
  src = gst_bin_get_by_name (GST_BIN (cam->pipeline), "src");
  g_object_set (src, "device", cam->device, NULL);
  cam->sink = GST_APP_SINK (gst_bin_get_by_name (GST_BIN (cam->pipeline), "sink"));
  cam->running = gst_element_set_state (cam->pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE;
  return TRUE;
}

/* Errors are read from the bus without waiting, like the frames. */
static void
check_bus (Camera *cam, guint index)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (cam->pipeline);
  GstMessage *msg;

  while ((msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (msg, &error, &debug);
      g_printerr ("camera %u (%s): %s\n", index, cam->device, error->message);
      cam->failed = TRUE;
    }
    cam->running = FALSE;
    gst_message_unref (msg);
  }
}

int
main (int argc, char **argv)
{
  gint seconds = 5;
  g_auto (GStrv) devices = NULL;
  GOptionEntry entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "Run for N seconds (default 5)", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &devices, NULL, "DEVICE..." },
    { NULL }
  };
  const gchar *default_devices[] = {
    "emulator://cam0?module=mi08&scene=people&seed=1",
    "emulator://cam1?module=mi16&scene=hotspot&seed=2",
    NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("[DEVICE...] - poll several cameras in one thread");
  g_autoptr (GError) error = NULL;
  Camera *cams;
  guint n;
  gint status = 0;
  gint64 end;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  n = devices ? g_strv_length (devices) : 2;
  cams = g_new0 (Camera, n);
  for (guint i = 0; i < n; i++) {
    cams[i].device = devices ? devices[i] : default_devices[i];
    if (!open_camera (&cams[i], i))
      return 1;
  }

  end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    gboolean any = FALSE;

    for (guint i = 0; i < n; i++) {
      Camera *cam = &cams[i];
      GstSample *sample;

      check_bus (cam, i);
      if (!cam->running)
        continue;
      any = TRUE;
      /* The latest frame if there is a new one, NULL at once otherwise. */
      sample = gst_app_sink_try_pull_sample (cam->sink, 0);
      if (sample == NULL)
        continue;
      cam->frames++;
      if (g_get_monotonic_time () - cam->last_print >= G_USEC_PER_SEC) {
        gdouble lo, hi, mean;

        frame_stats (sample, &lo, &hi, &mean);
        printf ("camera %u: frame %u min %.2f °C max %.2f °C mean %.2f °C\n",
            i, cam->frames, lo, hi, mean);
        fflush (stdout);
        cam->last_print = g_get_monotonic_time ();
      }
      gst_sample_unref (sample);
    }
    if (!any)
      break;
    /* The rest of the application runs here: UI, other devices, ... */
    g_usleep (5000);
  }

  for (guint i = 0; i < n; i++) {
    gst_element_set_state (cams[i].pipeline, GST_STATE_NULL);
    printf ("camera %u (%s): %u frames\n", i, cams[i].device, cams[i].frames);
    if (cams[i].failed || cams[i].frames == 0)
      status = 1;
    gst_object_unref (cams[i].sink);
    gst_object_unref (cams[i].pipeline);
  }
  g_free (cams);
  return status;
}
