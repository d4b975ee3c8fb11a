/* senxorsrc: live source for Senxor (MI48xx) thermal cameras
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>
#include <gst/base/gstpushsrc.h>

G_BEGIN_DECLS

#define GST_TYPE_SENXOR_SRC (gst_senxor_src_get_type ())
G_DECLARE_FINAL_TYPE (GstSenxorSrc, gst_senxor_src, GST, SENXOR_SRC, GstPushSrc)

/**
 * GstSenxorSrcGain:
 * @GST_SENXOR_SRC_GAIN_1: gain 1.0 (SENXOR_GAIN 0)
 * @GST_SENXOR_SRC_GAIN_AUTO: automatic gain (1)
 * @GST_SENXOR_SRC_GAIN_0_25: gain 0.25 (2)
 * @GST_SENXOR_SRC_GAIN_0_5: gain 0.5 (3)
 *
 * The sensor gain; the values are those of the SENXOR_GAIN register.
 */
typedef enum {
  GST_SENXOR_SRC_GAIN_1 = 0,
  GST_SENXOR_SRC_GAIN_AUTO = 1,
  GST_SENXOR_SRC_GAIN_0_25 = 2,
  GST_SENXOR_SRC_GAIN_0_5 = 3,
} GstSenxorSrcGain;

GType gst_senxor_src_gain_get_type (void);
#define GST_TYPE_SENXOR_SRC_GAIN (gst_senxor_src_gain_get_type ())

/**
 * GstSenxorSrcMedian:
 * @GST_SENXOR_SRC_MEDIAN_OFF: no median filter
 * @GST_SENXOR_SRC_MEDIAN_3X3: 3x3 median filter
 * @GST_SENXOR_SRC_MEDIAN_5X5: 5x5 median filter
 *
 * The on-device median filter (MEDIAN_CTRL).
 */
typedef enum {
  GST_SENXOR_SRC_MEDIAN_OFF = 0,
  GST_SENXOR_SRC_MEDIAN_3X3 = 1,
  GST_SENXOR_SRC_MEDIAN_5X5 = 2,
} GstSenxorSrcMedian;

GType gst_senxor_src_median_get_type (void);
#define GST_TYPE_SENXOR_SRC_MEDIAN (gst_senxor_src_median_get_type ())

G_END_DECLS
