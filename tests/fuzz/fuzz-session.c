/* libFuzzer target: a device session fed arbitrary device bytes.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A memory transport plays the input back (byte 0 picks the read chunk size)
 * like a device: a register reply (RREG, WREG, RRSE, SERR message) only
 * after a request was written, everything else (frames, garbage) at once.
 * When nothing may be read it reports TIMEOUT at once, so every wait ends
 * immediately.  The open sequence, register requests and
 * frame reads must never crash or hang, must fail only with SENXOR_ERROR
 * codes, and frames handed out must have the camera's geometry.
 */
#include <senxor/senxor.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-target.h"

typedef struct {
  SenxorTransport base;
  const guint8 *data;
  gsize len;
  gsize pos;
  gsize gate;                   /* bytes before it may be read */
  gsize chunk;
} MemTransport;

/* The next reply message at or after @from: its start and end (both
 * m->len when there is none). */
static void
next_reply (MemTransport *m, gsize from, gsize *start, gsize *end)
{
  for (gsize i = from; i + 12 <= m->len; i++) {
    const guint8 *p = m->data + i;
    char hex[5];
    guint64 body;

    if (memcmp (p, "   #", 4) != 0)
      continue;
    memcpy (hex, p + 4, 4);
    hex[4] = '\0';
    if (!g_ascii_string_to_unsigned (hex, 16, 0, 0xFFFF, &body, NULL))
      continue;
    if (memcmp (p + 8, "RREG", 4) && memcmp (p + 8, "WREG", 4) &&
        memcmp (p + 8, "RRSE", 4) && memcmp (p + 8, "SERR", 4))
      continue;
    *start = i;
    *end = MIN (m->len, i + 8 + body);
    return;
  }
  *start = *end = m->len;
}

static gssize
mem_read (SenxorTransport *t, guint8 *buf, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  MemTransport *m = (MemTransport *) t;
  gsize n, start, end;

  if (m->pos >= m->gate) {
    /* what comes before the next reply is not held back */
    next_reply (m, m->gate, &start, &end);
    m->gate = MAX (m->gate, start);
  }
  if (m->pos >= m->gate) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT, "fuzz: no data");
    return -1;
  }
  n = MIN (MIN (len, m->chunk), m->gate - m->pos);
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (gssize) n;
}

static gboolean
mem_write (SenxorTransport *t, const guint8 *data, gsize len, gint64 timeout_us,
    GCancellable *cancellable, GError **error)
{
  MemTransport *m = (MemTransport *) t;
  gsize start, end;

  /* a request: the next reply may come */
  next_reply (m, m->gate, &start, &end);
  m->gate = MAX (m->gate, end);
  return TRUE;
}

static void
mem_close (SenxorTransport *t)
{
  g_free (t);
}

static const SenxorTransportClass mem_class = {
  .name = "fuzz",
  .read = mem_read,
  .write = mem_write,
  .close = mem_close,
};

static void
check_error (const GError *error)
{
  if (error == NULL || error->domain != SENXOR_ERROR) {
    fprintf (stderr, "fuzz-session: a failure without a SENXOR_ERROR\n");
    abort ();
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  MemTransport *m;
  SenxorSession *s;
  const SenxorDeviceInfo *info;
  guint16 *px;
  SenxorFrameInfo fi;
  guint8 v;

  if (size < 1)
    return 0;
  m = g_new0 (MemTransport, 1);
  m->base.klass = &mem_class;
  m->base.uri = g_strdup ("fuzz://");
  m->data = data + 1;
  m->len = size - 1;
  m->chunk = 1 + (data[0] % 16) * 997;

  s = senxor_session_open_transport (&m->base, NULL, &error);
  if (s == NULL) {
    check_error (error);
    return 0;
  }
  info = senxor_session_get_info (s);
  if (info->width * info->height > 160 * 120 || strlen (info->serial) != 12) {
    fprintf (stderr, "fuzz-session: impossible identity\n");
    abort ();
  }
  px = g_new (guint16, info->width * info->height);
  if (!senxor_session_start_stream (s, NULL, &error)) {
    check_error (error);
    g_clear_error (&error);
  }
  for (int i = 0; i < 32; i++) {
    if (senxor_session_read_frame (s, px, info->width * info->height, &fi, 0, NULL,
            &error)) {
      if (fi.layout.width != info->width || fi.layout.height != info->height) {
        fprintf (stderr, "fuzz-session: a frame of the wrong geometry\n");
        abort ();
      }
      continue;
    }
    check_error (error);
    if (error->code == SENXOR_ERROR_TIMEOUT) {
      g_clear_error (&error);
      break;
    }
    g_clear_error (&error);
  }
  if (!senxor_session_read_register (s, SENXOR_REG_EMISSIVITY, &v, NULL, &error)) {
    check_error (error);
    g_clear_error (&error);
  }
  g_free (px);
  senxor_session_close (s);
  return 0;
}
