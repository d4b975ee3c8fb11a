/* rtsp-publish: senxor-rtsp-server pushing its stream to other servers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A publisher is one more client of the server's own stream (so it shares the
 * one capture and its H.264, nothing is encoded twice) that forwards the
 * stream to a receiver: an RTSP server by RECORD (rtspclientsink), or an SRT
 * listener as MPEG-TS (srtsink). When the receiver is not there or goes
 * away, the publisher's pipeline is torn down and built again after a delay
 * that doubles from 1 s up to 30 s, and is back to 1 s once it plays again;
 * the server and its local clients are not affected. Everything runs on the
 * main loop's thread.
 */
#include "config.h"

#include "rtsp-publish.h"

#define PROGRAM "senxor-rtsp-server"
#define FIRST_DELAY_S 1
#define MAX_DELAY_S 30
#define SRT_LATENCY_MS 500

struct _RtspPublisher {
  gchar *target;
  gchar *shown;               /* the target without a passphrase */
  gchar *source;
  gboolean srt;
  GstElement *pipeline;
  guint bus_watch;
  guint retry;
  guint delay;
  gboolean playing;
};

static void publisher_stop (RtspPublisher *publisher);
static gboolean publisher_run (gpointer user_data);

static gboolean
have_elements (const gchar *const *names, const gchar *package, GError **error)
{
  for (; *names != NULL; names++) {
    g_autoptr (GstElementFactory) factory = gst_element_factory_find (*names);

    if (factory == NULL) {
      g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
          "publishing there needs the %s element (%s)", *names, package);
      return FALSE;
    }
  }
  return TRUE;
}

/**
 * rtsp_publisher_new:
 * @target: rtsp://HOST:PORT/PATH (RTSP RECORD) or srt://HOST:PORT?... (SRT
 *   caller; srtsink's URI keys such as streamid=, passphrase=, latency= work)
 * @error: the reason when @target cannot be published to
 *
 * Checks @target and the elements it needs; nothing is connected yet.
 */
RtspPublisher *
rtsp_publisher_new (const gchar *target, GError **error)
{
  static const gchar *const rtsp_elements[] = { "rtspclientsink", NULL };
  static const gchar *const srt_elements[] = { "srtsink", "mpegtsmux", NULL };
  g_autoptr (GUri) uri = g_uri_parse (target, G_URI_FLAGS_ENCODED, NULL);
  const gchar *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  RtspPublisher *publisher;
  gboolean srt;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_port (uri) <= 0 ||
      (g_ascii_strcasecmp (scheme, "rtsp") != 0 && g_ascii_strcasecmp (scheme, "srt") != 0)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "--publish \"%s\": expected rtsp://HOST:PORT/PATH or srt://HOST:PORT", target);
    return NULL;
  }
  srt = g_ascii_strcasecmp (scheme, "srt") == 0;
  if (!have_elements (srt ? srt_elements : rtsp_elements,
          srt ? "gstreamer1.0-plugins-bad" : "gstreamer1.0-rtsp", error))
    return NULL;

  publisher = g_new0 (RtspPublisher, 1);
  publisher->target = g_strdup (target);
  publisher->shown = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD |
      G_URI_HIDE_QUERY);
  publisher->srt = srt;
  publisher->delay = FIRST_DELAY_S;
  return publisher;
}

static void
schedule_retry (RtspPublisher *publisher, const gchar *reason)
{
  g_printerr (PROGRAM ": publishing to %s: %s; trying again in %u s\n",
      publisher->shown, reason, publisher->delay);
  publisher_stop (publisher);
  publisher->retry = g_timeout_add_seconds (publisher->delay, publisher_run, publisher);
  publisher->delay = MIN (publisher->delay * 2, MAX_DELAY_S);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RtspPublisher *publisher = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *name = gst_object_get_name (GST_MESSAGE_SRC (message));
      g_autofree gchar *reason = NULL;

      gst_message_parse_error (message, &error, NULL);
      reason = g_strdup_printf ("%s: %s", name, error->message);
      publisher->bus_watch = 0;
      schedule_retry (publisher, reason);
      return G_SOURCE_REMOVE;
    }
    case GST_MESSAGE_EOS:
      publisher->bus_watch = 0;
      schedule_retry (publisher, "the stream ended");
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_STATE_CHANGED:{
      GstState new_state;

      if (GST_MESSAGE_SRC (message) != GST_OBJECT (publisher->pipeline))
        break;
      gst_message_parse_state_changed (message, NULL, &new_state, NULL);
      if (new_state == GST_STATE_PLAYING && !publisher->playing) {
        publisher->playing = TRUE;
        publisher->delay = FIRST_DELAY_S;
        g_printerr (PROGRAM ": publishing to %s\n", publisher->shown);
      }
      break;
    }
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
publisher_run (gpointer user_data)
{
  RtspPublisher *publisher = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) out = NULL;
  g_autoptr (GstBus) bus = NULL;
  /* The stream is taken as it is: timed by its own RTP timestamps (no
   * arrival jitter in what is sent on), depayloaded from its first keyframe
   * on (the receiver's decoder starts from a whole picture), parameter sets
   * repeated at every keyframe, and sent on. srtsink does not reconnect by
   * itself: a new connection must start at a keyframe too. */
  const gchar *launch = publisher->srt ?
      "rtspsrc name=src protocols=tcp latency=100 buffer-mode=none ! rtph264depay wait-for-keyframe=true "
      "! h264parse config-interval=-1 ! mpegtsmux alignment=7 "
      "! srtsink name=out sync=false auto-reconnect=false" :
      "rtspsrc name=src protocols=tcp latency=100 buffer-mode=none ! rtph264depay wait-for-keyframe=true "
      "! h264parse config-interval=-1 ! rtspclientsink name=out protocols=tcp latency=0";

  publisher->retry = 0;
  publisher->playing = FALSE;
  publisher->pipeline = gst_parse_launch (launch, &error);
  if (publisher->pipeline == NULL) {
    schedule_retry (publisher, error->message);
    return G_SOURCE_REMOVE;
  }
  gst_object_ref_sink (publisher->pipeline);
  src = gst_bin_get_by_name (GST_BIN (publisher->pipeline), "src");
  out = gst_bin_get_by_name (GST_BIN (publisher->pipeline), "out");
  g_object_set (src, "location", publisher->source, NULL);
  /* SRT drops what comes later than its latency: more than the default
   * 125 ms leaves room for a busy machine; latency= in the URL wins. */
  if (publisher->srt)
    g_object_set (out, "latency", SRT_LATENCY_MS, "uri", publisher->target, NULL);
  else
    g_object_set (out, "location", publisher->target, NULL);

  bus = gst_element_get_bus (publisher->pipeline);
  publisher->bus_watch = gst_bus_add_watch (bus, on_bus_message, publisher);
  if (gst_element_set_state (publisher->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE && publisher->bus_watch != 0) {
    /* the error message, if any, is on the bus; make sure something retries */
    g_source_remove (publisher->bus_watch);
    publisher->bus_watch = 0;
    schedule_retry (publisher, "it could not start");
  }
  return G_SOURCE_REMOVE;
}

/**
 * rtsp_publisher_start:
 * @publisher: a publisher
 * @source: the server's own stream (rtsp://127.0.0.1:PORT/PATH)
 *
 * Starts publishing from the main loop, and keeps at it until freed.
 */
void
rtsp_publisher_start (RtspPublisher *publisher, const gchar *source)
{
  g_free (publisher->source);
  publisher->source = g_strdup (source);
  publisher->retry = g_idle_add (publisher_run, publisher);
}

static void
publisher_stop (RtspPublisher *publisher)
{
  if (publisher->bus_watch != 0) {
    g_source_remove (publisher->bus_watch);
    publisher->bus_watch = 0;
  }
  if (publisher->pipeline != NULL) {
    gst_element_set_state (publisher->pipeline, GST_STATE_NULL);
    gst_clear_object (&publisher->pipeline);
  }
}

void
rtsp_publisher_free (RtspPublisher *publisher)
{
  if (publisher == NULL)
    return;
  if (publisher->retry != 0)
    g_source_remove (publisher->retry);
  publisher_stop (publisher);
  g_free (publisher->target);
  g_free (publisher->shown);
  g_free (publisher->source);
  g_free (publisher);
}
