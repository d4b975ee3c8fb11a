/* rtsp-publish: senxor-rtsp-server pushing its stream to other servers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

typedef struct _RtspPublisher RtspPublisher;

RtspPublisher *rtsp_publisher_new (const gchar *target, GError **error);
void rtsp_publisher_start (RtspPublisher *publisher, const gchar *source);
void rtsp_publisher_free (RtspPublisher *publisher);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtspPublisher, rtsp_publisher_free)
