/* How much of the display range thermalnormalize gives to what a scene is
 * mostly made of, for each mode on every emulator scene: the figures behind
 * the element's default mode (docs/elements/thermalnormalize.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run: meson test -C build --benchmark --verbose bench-display-range
 *  or: meson devenv -C build tests/bench/bench-display-range [frames]
 *
 * Each row runs
 *   senxorsrc device="emulator://?module=M&scene=S&fast=1" num-buffers=N
 *     ! thermalnormalize PROPERTIES ! appsink
 * (the real element on the emulator's real frames; N = 900 by default, 30 s
 * of scene time at 30 fps) and prints, averaged over the frames:
 *   band     the share of the display range (0..255) between the display
 *            values of the scene's 10th and 90th percentile temperatures:
 *            (P90 - P10 of the GRAY8 output) / 255.  The mapping is
 *            monotonic, so these are the display values of those pixels.
 *            1 = the bulk of the scene uses the whole range; minmax with a
 *            small hot object leaves it a sliver
 *   worst    the smallest band of any frame
 *   people   people scene: mean display value of the people (pixels at
 *            30-37 °C: bodies 30.5-32 °C, heads 35-36 °C), in % of 255
 *   p-sat    people scene: share of the people's pixels shown at 255,
 *            where heads and bodies can no longer be told apart, %
 *   bg       mean display value of the background (pixels below 24 °C), %
 *   white    share of pixels shown at 255 (saturated hot), %
 * 10-90 °C: the median over frames of the scene's 10th and 90th percentile
 * temperatures, for reference.  The flat scene is one temperature: its band
 * is 0 in every mode (min-span shows it mid-grey).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "gstsenxormeta.h"

static const gchar *const modules[] = { "mi16", "mi08", "mi05" };
static const gchar *const scenes[] = { "people", "hotspot", "gradient",
  "flat"
};

/* "default" sets nothing: the element's own defaults, whatever they are. */
static const struct {
  const gchar *name;
  const gchar *props;
} candidates[] = {
  {"default", ""},
  {"minmax", "mode=minmax"},
  {"pct 0.5/99.5", "mode=percentile low-percent=0.5 high-percent=99.5"},
  {"pct 1/99", "mode=percentile low-percent=1 high-percent=99"},
  {"pct 1/98.5", "mode=percentile low-percent=1 high-percent=98.5"},
  {"pct 2/98", "mode=percentile low-percent=2 high-percent=98"},
  {"pct 2/99", "mode=percentile low-percent=2 high-percent=99"},
  {"pct 5/95", "mode=percentile low-percent=5 high-percent=95"},
  {"histogram", "mode=histogram"},
  {"fixed 20/40", "mode=fixed min-temp=20 max-temp=40"},
};

typedef struct {
  guint frames;
  gdouble band_sum, band_min;
  gdouble people_sum, people_sat_sum, bg_sum, white_sum;
  guint people_frames, bg_frames;
  gdouble *p10, *p90;           /* per frame, °C */
} Figures;

static int
cmp_double (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (gdouble *v, guint n)
{
  if (n == 0)
    return NAN;
  qsort (v, n, sizeof (gdouble), cmp_double);
  return v[n / 2];
}

/* Nearest-rank percentile @p of @n values counted in @hist (@nbins bins). */
static guint
hist_percentile (const guint *hist, guint nbins, guint64 n, gdouble p)
{
  guint64 rank = (guint64) floor (p / 100.0 * (n - 1) + 0.5), cum = 0;

  for (guint i = 0; i < nbins; i++) {
    cum += hist[i];
    if (cum > rank)
      return i;
  }
  return nbins - 1;
}

static void
measure_frame (GstSample *sample, Figures *f)
{
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstThermalMappingMeta *m = gst_buffer_get_thermal_mapping_meta (buf);
  GstVideoInfo info;
  GstVideoFrame out;
  GstMapInfo rad;
  static guint disp_hist[256];
  static guint temp_hist[65536];
  guint w, h, x, y, npeople = 0, nbg = 0, nwhite = 0, npeople_sat = 0;
  guint64 n, people = 0, bg = 0;
  guint lo, hi;

  if (!m || !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_GRAY8) {
    g_printerr ("no GRAY8 buffer with a mapping meta\n");
    exit (1);
  }
  if (!gst_video_frame_map (&out, &info, buf, GST_MAP_READ) ||
      !gst_buffer_map (m->radiometric, &rad, GST_MAP_READ)) {
    g_printerr ("cannot map a frame\n");
    exit (1);
  }
  w = m->width;
  h = m->height;
  n = (guint64) w * h;
  memset (disp_hist, 0, sizeof (disp_hist));
  memset (temp_hist, 0, sizeof (temp_hist));
  for (y = 0; y < h; y++) {
    const guint8 *drow = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&out, 0)
        + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&out, 0);
    const guint8 *rrow = rad.data + (gsize) y * m->stride;

    for (x = 0; x < w; x++) {
      guint v = GST_READ_UINT16_LE (rrow + 2 * x);
      gdouble c = v * m->scale + m->offset - 273.15;

      disp_hist[drow[x]]++;
      temp_hist[v]++;
      if (c >= 30.0 && c <= 37.0) {
        people += drow[x];
        npeople++;
        npeople_sat += drow[x] == 255;
      } else if (c < 24.0) {
        bg += drow[x];
        nbg++;
      }
      nwhite += drow[x] == 255;
    }
  }
  lo = hist_percentile (disp_hist, 256, n, 10);
  hi = hist_percentile (disp_hist, 256, n, 90);
  f->band_sum += (hi - lo) / 255.0;
  f->band_min = MIN (f->band_min, (hi - lo) / 255.0);
  f->white_sum += (gdouble) nwhite / n;
  /* a few blended edge pixels are not people */
  if (npeople > n / 100) {
    f->people_sum += (gdouble) people / npeople / 255.0;
    f->people_sat_sum += (gdouble) npeople_sat / npeople;
    f->people_frames++;
  }
  if (nbg > 0) {
    f->bg_sum += (gdouble) bg / nbg / 255.0;
    f->bg_frames++;
  }
  f->p10[f->frames] = hist_percentile (temp_hist, 65536, n, 10) * m->scale +
      m->offset - 273.15;
  f->p90[f->frames] = hist_percentile (temp_hist, 65536, n, 90) * m->scale +
      m->offset - 273.15;
  f->frames++;
  gst_buffer_unmap (m->radiometric, &rad);
  gst_video_frame_unmap (&out);
}

static gboolean
run (const gchar *module, const gchar *scene, const gchar *props,
    guint frames, Figures *f)
{
  g_autofree gchar *launch = g_strdup_printf ("senxorsrc "
      "device=\"emulator://?module=%s&scene=%s&fast=1\" num-buffers=%u "
      "! thermalnormalize %s ! video/x-raw,format=GRAY8 "
      "! appsink name=sink sync=false", module, scene, frames, props);
  g_autoptr (GError) error = NULL;
  GstElement *pipe = gst_parse_launch (launch, &error);
  GstElement *sink;
  GstSample *sample;
  GstMessage *msg;
  gboolean ok = TRUE;

  if (!pipe) {
    g_printerr ("%s: %s\n", launch, error->message);
    return FALSE;
  }
  memset (f, 0, sizeof (*f));
  f->band_min = 1.0;
  f->p10 = g_new0 (gdouble, frames);
  f->p90 = g_new0 (gdouble, frames);
  sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  while (f->frames < frames &&
      (sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    measure_frame (sample, f);
    gst_sample_unref (sample);
  }
  msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (pipe), GST_MESSAGE_ERROR);
  if (msg) {
    g_autoptr (GError) err = NULL;

    gst_message_parse_error (msg, &err, NULL);
    g_printerr ("%s: %s\n", launch, err->message);
    gst_message_unref (msg);
    ok = FALSE;
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return ok && f->frames > 0;
}

int
main (int argc, char **argv)
{
  guint frames = argc > 1 ? (guint) atoi (argv[1]) : 900;
  GstElementFactory *factory;
  gint status = 0;
  gdouble band_default = NAN, band_minmax = NAN;

  gst_init (&argc, &argv);
  factory = gst_element_factory_find ("thermalnormalize");
  if (!factory) {
    g_printerr ("the senxor plugin is not found (run in meson devenv)\n");
    return 1;
  }
  gst_object_unref (factory);
  frames = CLAMP (frames, 1, 100000);

  printf ("thermalnormalize on the emulator's scenes, %u frames each\n"
      "band: share of the display range between the scene's 10th and 90th "
      "percentile\ntemperatures (1 = all of it); people/bg: their mean "
      "display level; white: pixels at 255\n\n", frames);
  for (guint mi = 0; mi < G_N_ELEMENTS (modules); mi++) {
    for (guint si = 0; si < G_N_ELEMENTS (scenes); si++) {
      printf ("%s %s\n%-13s %6s %6s %7s %6s %5s %6s  %s\n", modules[mi],
          scenes[si], "mode", "band", "worst", "people", "p-sat", "bg",
          "white", "10-90 °C");
      for (guint ci = 0; ci < G_N_ELEMENTS (candidates); ci++) {
        Figures f;
        gchar people[16] = "-", people_sat[16] = "-";

        if (!run (modules[mi], scenes[si], candidates[ci].props, frames, &f)) {
          status = 1;
          continue;
        }
        if (f.people_frames > 0 && g_str_equal (scenes[si], "people")) {
          g_snprintf (people, sizeof (people), "%.0f%%",
              100 * f.people_sum / f.people_frames);
          g_snprintf (people_sat, sizeof (people_sat), "%.1f%%",
              100 * f.people_sat_sum / f.people_frames);
        }
        if (mi == 0 && si == 0 && ci == 0)
          band_default = f.band_sum / f.frames;
        if (mi == 0 && si == 0 && g_str_equal (candidates[ci].name, "minmax"))
          band_minmax = f.band_sum / f.frames;
        printf ("%-13s %6.2f %6.2f %7s %6s %4.0f%% %5.1f%%  %.1f-%.1f\n",
            candidates[ci].name, f.band_sum / f.frames, f.band_min, people,
            people_sat,
            f.bg_frames ? 100 * f.bg_sum / f.bg_frames : NAN,
            100 * f.white_sum / f.frames, median (f.p10, f.frames),
            median (f.p90, f.frames));
        g_free (f.p10);
        g_free (f.p90);
      }
      printf ("\n");
      fflush (stdout);
    }
  }
  printf ("band of the default over minmax, %s %s: ratio %.1fx\n",
      modules[0], scenes[0], band_default / band_minmax);
  return status;
}
