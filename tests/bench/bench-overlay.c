/* Per-frame cost of thermaloverlay at 640x480, against a plain frame copy.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run: meson test -C build --benchmark --verbose bench-overlay
 * (or build/tests/bench/bench-overlay with GST_PLUGIN_PATH=build/gst).
 *
 * The same buffers go round and round through the element (pulled back and
 * pushed again), so only the element's work and the pad traffic is timed;
 * "identity" shows that traffic alone.  The reference is a memcpy of one
 * frame, the least any per-frame video work costs.  Times are the CPU time
 * of the thread (the harness runs the element in it), so other load on a
 * shared machine disturbs them less than wall-clock time would.
 */
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gstsenxormeta.h"

#define W 640
#define H 480
#define SW 80
#define SH 62
#define FRAMES 400
#define WARMUP 20

static GstBuffer *radiometric;

/* Microseconds of CPU time used by this thread. */
static gint64
thread_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A warm blob on a gradient, deci-Kelvin, like a senxorsrc frame. */
static void
make_radiometric (void)
{
  GstMapInfo map;

  radiometric = gst_buffer_new_allocate (NULL, SW * SH * 2, NULL);
  gst_buffer_map (radiometric, &map, GST_MAP_WRITE);
  for (guint y = 0; y < SH; y++) {
    for (guint x = 0; x < SW; x++) {
      gdouble dx = x - 50.0, dy = y - 25.0;
      guint v = 2950 + (guint) (400 * exp (-(dx * dx + dy * dy) / 200.0)) + x;

      GST_WRITE_UINT16_LE (map.data + (y * SW + x) * 2, v);
    }
  }
  gst_buffer_unmap (radiometric, &map);
}

static GstBuffer *
make_frame (GstVideoFormat format)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstMapInfo map;

  gst_video_info_set_format (&info, format, W, H);
  buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < map.size; i++)
    map.data[i] = (guint8) (i * 7 / 5);
  gst_buffer_unmap (buf, &map);
  gst_buffer_add_thermal_mapping_meta (buf, GST_THERMAL_MAPPING_MINMAX, 20.0,
      70.0, 255, radiometric, SW, SH, SW * 2, 0.1, 0.0);
  return buf;
}

/* Microseconds per frame through @launch. */
static gdouble
time_element (const gchar *launch, const gchar *format)
{
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,"
      "framerate=30/1", format, W, H);
  GstBuffer *buf;
  gint64 t0 = 0;

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  buf = make_frame (gst_video_format_from_string (format));
  for (guint i = 0; i < WARMUP + FRAMES; i++) {
    if (i == WARMUP)
      t0 = thread_us ();
    GST_BUFFER_PTS (buf) = i * GST_SECOND / 30;
    if (gst_harness_push (h, buf) != GST_FLOW_OK) {
      g_printerr ("push failed for %s\n", launch);
      exit (1);
    }
    buf = gst_harness_pull (h);
  }
  t0 = thread_us () - t0;
  gst_buffer_unref (buf);
  gst_harness_teardown (h);
  return (gdouble) t0 / FRAMES;
}

static gdouble
time_copy (void)
{
  gsize size = W * H * 4;
  guint8 *a = g_malloc (size), *b = g_malloc (size);
  gint64 t0 = 0;

  memset (a, 1, size);
  for (guint i = 0; i < WARMUP + FRAMES; i++) {
    if (i == WARMUP)
      t0 = thread_us ();
    a[i % size] = (guint8) i;
    memcpy (b, a, size);
  }
  t0 = thread_us () - t0;
  if (b[0] == 42)
    g_print (" ");
  g_free (a);
  g_free (b);
  return (gdouble) t0 / FRAMES;
}

#define ALL_FEATURES "hot-cold=true legend=true labels=true " \
  "spots=\"0.5,0.5;10,10;0.9,0.1;70,50\" rois=\"0.1,0.5,0.3,0.4;50,5,20,20\" " \
  "isotherm-low=55 isotherm-color=0xa000ff00 post-messages=true"

int
main (int argc, char **argv)
{
  struct {
    const gchar *name, *launch, *format;
  } runs[] = {
    {"identity (pad traffic only)", "identity", "BGRx"},
    {"thermaloverlay all features, BGRx", "thermaloverlay " ALL_FEATURES,
        "BGRx"},
    {"thermaloverlay all features, RGBA", "thermaloverlay " ALL_FEATURES,
        "RGBA"},
    {"thermaloverlay all features, xRGB", "thermaloverlay " ALL_FEATURES,
        "xRGB"},
    {"thermaloverlay all features but labels, BGRx",
        "thermaloverlay " ALL_FEATURES " labels=false", "BGRx"},
    {"thermaloverlay all features but messages, BGRx",
        "thermaloverlay " ALL_FEATURES " post-messages=false", "BGRx"},
    {"thermaloverlay defaults (hot-cold, legend)", "thermaloverlay", "BGRx"},
    {"thermaloverlay isotherm only", "thermaloverlay hot-cold=false "
          "legend=false isotherm-low=40", "BGRx"},
  };
  gdouble copy;

  gst_init (&argc, &argv);
  if (!gst_element_factory_find ("thermaloverlay")) {
    g_printerr ("thermaloverlay not found: set GST_PLUGIN_PATH to build/gst\n");
    return 1;
  }
  make_radiometric ();

  copy = time_copy ();
  g_print ("thermaloverlay benchmark, %dx%d from a %dx%d sensor, %d frames\n",
      W, H, SW, SH, FRAMES);
  g_print ("%-46s %9.1f us/frame  (reference)\n",
      "memcpy of one 640x480x4 frame", copy);
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++) {
    gdouble us = time_element (runs[i].launch, runs[i].format);

    g_print ("%-46s %9.1f us/frame  %6.1fx copy  (%.0f fps on one core)\n",
        runs[i].name, us, us / copy, 1e6 / us);
  }
  gst_buffer_unref (radiometric);
  return 0;
}
