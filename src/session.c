/* libsenxor: the device session
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything the host says is a request with at most one outstanding; every
 * byte the device sends goes through one decoder.  Frames that arrive while a
 * register reply is awaited are copied into a small queue; the frame path
 * itself decodes straight from the decoder's buffer into the caller's memory.
 *
 * Late replies: RREG replies carry no address and WREG acks carry nothing, so
 * after a request timed out its reply could be taken for the answer to the
 * next one (the vendor's library has this bug).  While a timed-out request may
 * still be answered, the session first sends a fence, an RRSE of one register,
 * whose reply names its address: every RREG/WREG reply before it is stale and
 * discarded.  A device that does not answer the fence has had one more full
 * timeout to deliver (and have discarded) its late replies, and the session
 * carries on.  Replies that arrive while no request is outstanding are
 * discarded too (before each request the session reads what the transport
 * already has).  For a while after a timeout (the late window, two timeouts)
 * a register read is repeated until two answers agree, so that a late reply
 * arriving out of order while another request is outstanding (the emulator's
 * late-reply fault does this) is not taken for its answer either.
 */
#include "config.h"

#include "senxor/session.h"
#include "senxor/codec.h"
#include "senxor/error.h"
#include "senxor/registers.h"

#include <string.h>

/* a read chunk: the largest message, so a frame usually comes in one go */
#define READ_CHUNK (64 * 1024)
/* best-effort stop at close */
#define CLOSE_TIMEOUT_US (500 * 1000)
/* the fence register: read-only and harmless */
#define FENCE_REGISTER SENXOR_REG_FW_VERSION_1

typedef struct {
  guint8 *data;
  gsize len;
  gint64 arrival_us;
} QueuedFrame;

struct _SenxorSession {
  SenxorTransport *transport;
  SenxorDecoder *dec;
  SenxorDeviceInfo info;
  char *device;
  gint64 reg_timeout_us;
  gint64 last_read_us;

  GQueue queue;                 /* of QueuedFrame */
  guint64 dropped_unreported;   /* dropped frames not yet in a frames_lost */

  guint stale;                  /* timed-out requests that may still be answered */
  gint64 late_until;            /* end of the late window (monotonic µs) */

  /* what the session knows of the device state */
  guint8 frame_mode;
  guint8 frame_rate;
  guint8 frame_format;
  gboolean streaming;
  SenxorFrameLayout layout;
  SenxorPixelUnit unit;

  gboolean have_counter;
  guint16 last_counter;
  guint64 ext_counter;

  SenxorSessionStats stats;
};

const char *
senxor_mcu_type_name (guint8 mcu_type)
{
  switch (mcu_type) {
    case 0:
      return "MI48D4";
    case 1:
      return "MI48D5";
    case 2:
      return "MI48E";
    case 3:
      return "MI48G";
    case 4:
      return "MI49";
    case 5:
      return "MI40";
    case 255:
      return "MI48D4 (old)";
    default:
      return "unknown";
  }
}

void
senxor_serial_format (const guint8 id[6], char serial[SENXOR_SERIAL_LEN + 1])
{
  g_snprintf (serial, SENXOR_SERIAL_LEN + 1, "%02X%02X%02X%02X%02X%02X", id[0], id[1],
      id[2], id[3], id[4], id[5]);
}

static void
queued_frame_free (gpointer p)
{
  QueuedFrame *f = p;

  g_free (f->data);
  g_free (f);
}

static void
clear_queue (SenxorSession *s)
{
  g_queue_clear_full (&s->queue, queued_frame_free);
}

static const char *
register_label (guint8 address, char buf[48])
{
  const SenxorRegisterInfo *ri = senxor_register_lookup (address);

  if (ri)
    g_snprintf (buf, 48, "%s (0x%02X)", ri->name, address);
  else
    g_snprintf (buf, 48, "register 0x%02X", address);
  return buf;
}

static void
update_tracking (SenxorSession *s, guint8 address, guint8 value)
{
  switch (address) {
    case SENXOR_REG_FRAME_MODE:
      s->frame_mode = value;
      s->streaming = (value & SENXOR_FRAME_MODE_CONTINUOUS_STREAM) != 0;
      break;
    case SENXOR_REG_FRAME_FORMAT:
      s->frame_format = value;
      break;
    case SENXOR_REG_FRAME_RATE:
      s->frame_rate = value;
      break;
    default:
      return;
  }
  if (s->frame_mode & SENXOR_FRAME_MODE_ADC_ENABLE)
    s->unit = SENXOR_UNIT_ADC;
  else
    s->unit = (SenxorPixelUnit) (s->frame_format & SENXOR_FRAME_FORMAT_TEMP_UNITS_MASK);
  if (s->info.module != SENXOR_MODULE_UNKNOWN)
    senxor_frame_layout_for_module (s->info.module,
        !(s->frame_mode & SENXOR_FRAME_MODE_NO_HEADER), &s->layout);
}

/* ---- reading ---- */

/* Read once from the transport into the decoder, waiting until @deadline
 * (monotonic µs; < 0: forever). */
static gboolean
fill (SenxorSession *s, gint64 deadline, GCancellable *cancellable, GError **error)
{
  gsize avail;
  guint8 *p = senxor_decoder_prepare (s->dec, READ_CHUNK, &avail);
  gint64 timeout = deadline < 0 ? -1 : MAX (0, deadline - g_get_monotonic_time ());
  gssize n = senxor_transport_read (s->transport, p, avail, timeout, cancellable, error);

  if (n < 0)
    return FALSE;
  s->last_read_us = g_get_monotonic_time ();
  senxor_decoder_commit (s->dec, n);
  return TRUE;
}

static SenxorDecodeResult
next_message (SenxorSession *s, SenxorMessage *msg, GError **error)
{
  SenxorDecodeResult r = senxor_decoder_next (s->dec, msg, error);

  if (r == SENXOR_DECODE_ERROR) {
    s->stats.protocol_errors++;
    g_prefix_error (error, "%s: ", s->device);
  }
  return r;
}

static void
queue_frame (SenxorSession *s, const SenxorMessage *msg)
{
  QueuedFrame *f;

  if (g_queue_get_length (&s->queue) >= SENXOR_SESSION_MAX_QUEUED_FRAMES) {
    queued_frame_free (g_queue_pop_head (&s->queue));
    s->stats.frames_dropped++;
    s->dropped_unreported++;
  }
  f = g_new (QueuedFrame, 1);
  f->data = g_memdup2 (msg->contents, msg->contents_len);
  f->len = msg->contents_len;
  f->arrival_us = s->last_read_us;
  g_queue_push_tail (&s->queue, f);
}

/* A message nobody asked for: queue frames, discard stale replies, fail on
 * SERR.  FALSE with @error set for SERR. */
static gboolean
handle_unsolicited (SenxorSession *s, const SenxorMessage *msg, GError **error)
{
  if (msg->from_host) {
    g_debug ("%s: ignoring a host request echoed by the device (%s)", s->device,
        msg->command);
    return TRUE;
  }
  switch (msg->kind) {
    case SENXOR_MSG_GFRA:
      queue_frame (s, msg);
      return TRUE;
    case SENXOR_MSG_RREG:
    case SENXOR_MSG_WREG:
    case SENXOR_MSG_RRSE:
      s->stats.late_replies++;
      g_debug ("%s: discarding a late %s reply", s->device, msg->command);
      return TRUE;
    case SENXOR_MSG_SERR:
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_NO_MODULE,
          "%s: the MI48 reports no camera module (SERR): check that the sensor "
          "module is seated on the board", s->device);
      return FALSE;
    case SENXOR_MSG_OTHER:
      g_debug ("%s: ignoring unknown message %s", s->device, msg->command);
      return TRUE;
  }
  return TRUE;
}

/* After a silent wait: PROTOCOL when only garbage arrived, else TIMEOUT. */
static void
set_silence_error (SenxorSession *s, GError **error, const SenxorDecoderStats *before,
    const char *what, gint64 timeout_us)
{
  SenxorDecoderStats now;

  senxor_decoder_get_stats (s->dec, &now);
  if (now.messages == before->messages && now.bytes_discarded > before->bytes_discarded) {
    s->stats.protocol_errors++;
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL,
        "%s: %s: received %" G_GUINT64_FORMAT " bytes but no valid message in "
        "%.1f s (%" G_GUINT64_FORMAT " bad checksums): is this a Senxor camera, "
        "and is nothing else talking to it?", s->device, what,
        now.bytes_discarded - before->bytes_discarded, timeout_us / 1e6,
        now.bad_checksums - before->bad_checksums);
  } else {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT,
        "%s: %s: no answer within %.1f s", s->device, what, timeout_us / 1e6);
  }
}

/* ---- requests ---- */

typedef struct {
  SenxorMessageKind kind;
  guint8 rrse_address;          /* RRSE: the first address expected */
  guint8 value;                 /* out: RREG value / RRSE first value */
} Awaited;

static gboolean
is_awaited (const SenxorMessage *msg, const Awaited *aw)
{
  if (msg->from_host || msg->kind != aw->kind)
    return FALSE;
  if (aw->kind == SENXOR_MSG_RRSE)
    return msg->n_regs >= 1 && msg->regs[0] == aw->rrse_address;
  return TRUE;
}

static gboolean
in_late_window (SenxorSession *s)
{
  return s->late_until != 0 && g_get_monotonic_time () < s->late_until;
}

/* Before a request: whatever has arrived cannot be its answer.  Handles
 * what the decoder holds and what the transport has ready (without
 * waiting), so that a reply arriving long after its timeout is discarded. */
static gboolean
drain (SenxorSession *s, GCancellable *cancellable, GError **error)
{
  for (guint reads = 0;; reads++) {
    GError *local = NULL;
    SenxorMessage msg;
    SenxorDecodeResult r;

    while ((r = next_message (s, &msg, error)) == SENXOR_DECODE_MESSAGE)
      if (!handle_unsolicited (s, &msg, error))
        return FALSE;
    if (r == SENXOR_DECODE_ERROR)
      return FALSE;
    /* bounded: a streaming camera always has more */
    if (reads >= 8)
      return TRUE;
    if (!fill (s, 0, cancellable, &local)) {
      if (g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT)) {
        g_clear_error (&local);
        return TRUE;
      }
      g_propagate_error (error, local);
      return FALSE;
    }
  }
}

/* Send @req and wait for the reply @aw describes. */
static gboolean
exchange (SenxorSession *s, GByteArray *req, Awaited *aw, const char *what,
    GCancellable *cancellable, GError **error)
{
  SenxorDecoderStats before;
  gint64 deadline;
  GError *local = NULL;
  SenxorMessage msg;

  if (!drain (s, cancellable, error))
    return FALSE;

  senxor_decoder_get_stats (s->dec, &before);
  if (!senxor_transport_write (s->transport, req->data, req->len, s->reg_timeout_us,
          cancellable, error)) {
    g_prefix_error (error, "%s: ", what);
    return FALSE;
  }
  deadline = g_get_monotonic_time () + s->reg_timeout_us;
  for (;;) {
    SenxorDecodeResult r = next_message (s, &msg, error);

    if (r == SENXOR_DECODE_ERROR) {
      s->stale++;
      return FALSE;
    }
    if (r == SENXOR_DECODE_MESSAGE) {
      if (is_awaited (&msg, aw)) {
        if (msg.kind == SENXOR_MSG_RREG)
          aw->value = msg.value;
        else if (msg.kind == SENXOR_MSG_RRSE)
          aw->value = msg.values[0];
        return TRUE;
      }
      if (!handle_unsolicited (s, &msg, error))
        return FALSE;
      continue;
    }
    if (!fill (s, deadline, cancellable, &local)) {
      /* the reply may still come: the next request needs a fence */
      s->stale++;
      s->late_until = g_get_monotonic_time () + 2 * s->reg_timeout_us;
      if (g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT)) {
        g_clear_error (&local);
        s->stats.timeouts++;
        set_silence_error (s, error, &before, what, s->reg_timeout_us);
      } else {
        g_propagate_prefixed_error (error, local, "%s: ", what);
      }
      return FALSE;
    }
  }
}

static gboolean
fence (SenxorSession *s, GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) req = g_byte_array_new ();
  guint8 addr = FENCE_REGISTER;
  Awaited aw = { SENXOR_MSG_RRSE, FENCE_REGISTER, 0 };
  GError *local = NULL;

  senxor_encode_rrse (req, &addr, 1);
  if (exchange (s, req, &aw, "synchronising after a timeout", cancellable, &local)) {
    g_debug ("%s: in sync again after %u timed-out request(s)", s->device, s->stale);
    s->stale = 0;
    return TRUE;
  }
  if (g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT)) {
    /* No RRSE on this firmware: late replies had a whole timeout to arrive
     * and were discarded meanwhile. */
    g_debug ("%s: no answer to the RRSE fence; carrying on", s->device);
    g_clear_error (&local);
    s->stats.timeouts--;
    s->stale = 0;
    return TRUE;
  }
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
request (SenxorSession *s, GByteArray *req, Awaited *aw, const char *what,
    GCancellable *cancellable, GError **error)
{
  if (s->stale > 0 && !fence (s, cancellable, error))
    return FALSE;
  return exchange (s, req, aw, what, cancellable, error);
}

gboolean
senxor_session_read_register (SenxorSession *s, guint8 address, guint8 *value,
    GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) req = g_byte_array_new ();
  Awaited aw = { SENXOR_MSG_RREG, 0, 0 };
  char label[48], what[80];

  g_return_val_if_fail (s != NULL, FALSE);
  g_snprintf (what, sizeof what, "reading %s", register_label (address, label));
  senxor_encode_rreg (req, address);
  if (!request (s, req, &aw, what, cancellable, error))
    return FALSE;
  if (in_late_window (s)) {
    /* a late reply may have answered: ask again until two answers agree */
    guint8 previous;
    guint tries = 0;

    do {
      previous = aw.value;
      if (++tries > 4) {
        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_PROTOCOL,
            "%s: %s: the answers keep changing (late replies?)", s->device, what);
        return FALSE;
      }
      if (!request (s, req, &aw, what, cancellable, error))
        return FALSE;
    } while (aw.value != previous);
  }
  update_tracking (s, address, aw.value);
  if (value)
    *value = aw.value;
  return TRUE;
}

gboolean
senxor_session_write_register (SenxorSession *s, guint8 address, guint8 value,
    GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) req = g_byte_array_new ();
  const SenxorRegisterInfo *ri = senxor_register_lookup (address);
  Awaited aw = { SENXOR_MSG_WREG, 0, 0 };
  char label[48], what[80];

  g_return_val_if_fail (s != NULL, FALSE);
  register_label (address, label);
  if (ri && !ri->writable) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "%s is read-only", label);
    return FALSE;
  }
  g_snprintf (what, sizeof what, "writing 0x%02X to %s", value, label);
  senxor_encode_wreg (req, address, value);
  if (!request (s, req, &aw, what, cancellable, error))
    return FALSE;
  update_tracking (s, address, value);
  if (address == SENXOR_REG_FRAME_MODE && !(value & SENXOR_FRAME_MODE_CONTINUOUS_STREAM))
    clear_queue (s);
  return TRUE;
}

gboolean
senxor_session_read_register_by_name (SenxorSession *s, const char *name,
    guint8 *value, GCancellable *cancellable, GError **error)
{
  guint8 address;

  if (!senxor_register_parse (name, &address, error))
    return FALSE;
  return senxor_session_read_register (s, address, value, cancellable, error);
}

gboolean
senxor_session_write_register_by_name (SenxorSession *s, const char *name,
    guint8 value, GCancellable *cancellable, GError **error)
{
  guint8 address;

  if (!senxor_register_parse (name, &address, error))
    return FALSE;
  return senxor_session_write_register (s, address, value, cancellable, error);
}

void
senxor_session_set_register_timeout (SenxorSession *s, gint64 timeout_us)
{
  g_return_if_fail (s != NULL);
  g_return_if_fail (timeout_us > 0 &&
      timeout_us <= SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US);
  s->reg_timeout_us = timeout_us;
}

gint64
senxor_session_get_register_timeout (SenxorSession *s)
{
  return s->reg_timeout_us;
}

/* ---- open and close ---- */

/* Ask for one frame and wait briefly: FALSE with NO_MODULE when the MI48
 * answers SERR (or with another error), TRUE otherwise. */
static gboolean
no_module_check (SenxorSession *s, GCancellable *c, GError **error)
{
  gint64 deadline;
  GError *local = NULL;

  if (!senxor_session_write_register (s, SENXOR_REG_FRAME_MODE,
          (s->frame_mode & ~SENXOR_FRAME_MODE_CONTINUOUS_STREAM) |
          SENXOR_FRAME_MODE_GET_SINGLE_FRAME, c, error))
    return FALSE;
  deadline = g_get_monotonic_time () + MIN (s->reg_timeout_us, G_USEC_PER_SEC);
  for (;;) {
    SenxorMessage msg;
    SenxorDecodeResult r = next_message (s, &msg, &local);

    if (r == SENXOR_DECODE_ERROR) {
      g_clear_error (&local);
      continue;
    }
    if (r == SENXOR_DECODE_MESSAGE) {
      if (msg.kind == SENXOR_MSG_SERR && !msg.from_host)
        return handle_unsolicited (s, &msg, error);
      continue;
    }
    if (!fill (s, deadline, c, &local)) {
      if (g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT)) {
        g_clear_error (&local);
        return TRUE;
      }
      g_propagate_error (error, local);
      return FALSE;
    }
  }
}

static gboolean
open_sequence (SenxorSession *s, GCancellable *c, GError **error)
{
  static const guint8 identity[] = {
    SENXOR_REG_FW_VERSION_1, SENXOR_REG_FW_VERSION_2, SENXOR_REG_STATUS,
    SENXOR_REG_MODULE_TYPE, SENXOR_REG_MCU_TYPE,
  };
  guint8 v[G_N_ELEMENTS (identity)];
  guint8 fm, fmt;
  SenxorDeviceInfo *info = &s->info;

  /* the vendor's order: FRAME_MODE, SENXOR_TYPE, FRAME_RATE, then stop */
  if (!senxor_session_read_register (s, SENXOR_REG_FRAME_MODE, &fm, c, error) ||
      !senxor_session_read_register (s, SENXOR_REG_SENXOR_TYPE, &info->senxor_type, c,
          error) ||
      !senxor_session_read_register (s, SENXOR_REG_FRAME_RATE, NULL, c, error) ||
      !senxor_session_write_register (s, SENXOR_REG_FRAME_MODE,
          fm & ~SENXOR_FRAME_MODE_CONTINUOUS_STREAM, c, error))
    return FALSE;
  /* frames of a stream left running by someone else are not ours */
  clear_queue (s);
  s->dropped_unreported = 0;

  info->module = senxor_module_from_senxor_type (info->senxor_type);
  if (info->module == SENXOR_MODULE_UNKNOWN) {
    /* An MI48 without a module reads 0xFF here; it answers a frame request
     * with SERR, a sensor of an unknown type with a frame. */
    if (!no_module_check (s, c, error))
      return FALSE;
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_UNSUPPORTED,
        "%s: unsupported sensor type %u (SENXOR_TYPE 0xBA); known types are "
        "0, 1, 3, 4, 5, 8 (MI08), 6 (MI16) and 9 (MI05)", s->device, info->senxor_type);
    return FALSE;
  }

  /* single RREGs: RRSE can hang old firmware */
  for (guint i = 0; i < G_N_ELEMENTS (identity); i++)
    if (!senxor_session_read_register (s, identity[i], &v[i], c, error))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (info->id); i++)
    if (!senxor_session_read_register (s, SENXOR_REG_SENXOR_ID_0 + i, &info->id[i], c,
            error))
      return FALSE;
  info->fw_major = v[0] >> 4;
  info->fw_minor = v[0] & 0x0F;
  info->fw_build = v[1];
  info->status = v[2];
  info->module_type = v[3];
  info->mcu_type = v[4];
  senxor_serial_format (info->id, info->serial);

  /* deci-Kelvin and a header: what every consumer expects */
  if (!senxor_session_read_register (s, SENXOR_REG_FRAME_FORMAT, &fmt, c, error))
    return FALSE;
  if ((fmt & SENXOR_FRAME_FORMAT_TEMP_UNITS_MASK) != 0 &&
      !senxor_session_write_register (s, SENXOR_REG_FRAME_FORMAT,
          fmt & ~SENXOR_FRAME_FORMAT_TEMP_UNITS_MASK, c, error))
    return FALSE;
  if (!senxor_session_read_register (s, SENXOR_REG_FRAME_MODE, &fm, c, error))
    return FALSE;
  if ((fm & SENXOR_FRAME_MODE_NO_HEADER) &&
      !senxor_session_write_register (s, SENXOR_REG_FRAME_MODE,
          fm & ~SENXOR_FRAME_MODE_NO_HEADER, c, error))
    return FALSE;

  senxor_frame_layout_for_module (info->module,
      !(s->frame_mode & SENXOR_FRAME_MODE_NO_HEADER), &s->layout);
  info->width = s->layout.width;
  info->height = s->layout.height;
  info->fps_max = senxor_module_fps_max (info->module);
  return TRUE;
}

static void
session_free (SenxorSession *s)
{
  clear_queue (s);
  g_clear_pointer (&s->transport, senxor_transport_free);
  g_clear_pointer (&s->dec, senxor_decoder_free);
  g_free (s->device);
  g_free (s);
}

static SenxorSession *
open_transport (SenxorTransport *transport, gint64 reg_timeout_us,
    GCancellable *cancellable, GError **error)
{
  SenxorSession *s;

  g_return_val_if_fail (transport != NULL, NULL);
  s = g_new0 (SenxorSession, 1);
  s->transport = transport;
  s->dec = senxor_decoder_new ();
  s->device = g_strdup (transport->uri ? transport->uri : transport->klass->name);
  s->info.device = s->device;
  s->reg_timeout_us = reg_timeout_us;
  s->unit = SENXOR_UNIT_DECI_KELVIN;
  g_queue_init (&s->queue);

  if (!open_sequence (s, cancellable, error)) {
    g_debug ("%s: open failed", s->device);
    session_free (s);
    return NULL;
  }
  g_debug ("%s: %s %ux%u, firmware %u.%u.%u, serial %s", s->device,
      senxor_module_name (s->info.module), s->info.width, s->info.height,
      s->info.fw_major, s->info.fw_minor, s->info.fw_build, s->info.serial);
  return s;
}

SenxorSession *
senxor_session_open_transport (SenxorTransport *transport, GCancellable *cancellable,
    GError **error)
{
  return open_transport (transport, SENXOR_SESSION_DEFAULT_REGISTER_TIMEOUT_US,
      cancellable, error);
}

SenxorSession *
senxor_session_open_full (const char *device, gint64 register_timeout_us,
    GCancellable *cancellable, GError **error)
{
  SenxorTransport *t;

  /* A value, not a programming error: like the divider or a device string's
   * parameters it is often typed by a user, so it is refused with an error
   * the caller can show (checked before anything is opened). */
  if (register_timeout_us <= 0 ||
      register_timeout_us > SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "register timeout %" G_GINT64_FORMAT " µs is out of range (1 µs .. %d s)",
        register_timeout_us,
        (int) (SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US / G_USEC_PER_SEC));
    return NULL;
  }
  t = senxor_transport_open (device, cancellable, error);
  if (t == NULL)
    return NULL;
  return open_transport (t, register_timeout_us, cancellable, error);
}

SenxorSession *
senxor_session_open (const char *device, GCancellable *cancellable, GError **error)
{
  return senxor_session_open_full (device, SENXOR_SESSION_DEFAULT_REGISTER_TIMEOUT_US,
      cancellable, error);
}

void
senxor_session_close (SenxorSession *s)
{
  if (s == NULL)
    return;
  if (s->streaming) {
    /* the vendor leaves the camera streaming; a short, best-effort stop */
    g_autoptr (GError) error = NULL;
    gint64 saved = s->reg_timeout_us;

    s->reg_timeout_us = MIN (saved, CLOSE_TIMEOUT_US);
    if (!senxor_session_stop_stream (s, NULL, &error))
      g_debug ("%s: could not stop the stream at close: %s", s->device, error->message);
    s->reg_timeout_us = saved;
  }
  session_free (s);
}

const SenxorDeviceInfo *
senxor_session_get_info (SenxorSession *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return &s->info;
}

SenxorTransport *
senxor_session_get_transport (SenxorSession *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->transport;
}

/* ---- streaming ---- */

gboolean
senxor_session_start_stream (SenxorSession *s, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  clear_queue (s);
  s->dropped_unreported = 0;
  s->have_counter = FALSE;
  return senxor_session_write_register (s, SENXOR_REG_FRAME_MODE,
      s->frame_mode | SENXOR_FRAME_MODE_CONTINUOUS_STREAM, cancellable, error);
}

gboolean
senxor_session_stop_stream (SenxorSession *s, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return senxor_session_write_register (s, SENXOR_REG_FRAME_MODE,
      s->frame_mode & ~SENXOR_FRAME_MODE_CONTINUOUS_STREAM, cancellable, error);
}

gboolean
senxor_session_is_streaming (SenxorSession *s)
{
  return s->streaming;
}

gboolean
senxor_session_set_frame_rate_divider (SenxorSession *s, guint divider,
    GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  if (divider > SENXOR_FRAME_RATE_DIVIDER_MASK) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "frame rate divider %u is out of range (0 .. 127)", divider);
    return FALSE;
  }
  return senxor_session_write_register (s, SENXOR_REG_FRAME_RATE,
      (s->frame_rate & ~SENXOR_FRAME_RATE_DIVIDER_MASK) | divider, cancellable, error);
}

guint
senxor_session_get_frame_rate_divider (SenxorSession *s)
{
  return s->frame_rate & SENXOR_FRAME_RATE_DIVIDER_MASK;
}

double
senxor_session_get_frame_rate (SenxorSession *s)
{
  guint d = senxor_session_get_frame_rate_divider (s);

  return s->info.fps_max / MAX (d, 1);
}

gint64
senxor_session_get_frame_timeout (SenxorSession *s)
{
  guint d = MAX (senxor_session_get_frame_rate_divider (s), 1);

  return d < 20 ? G_USEC_PER_SEC : (gint64) d * 50000;
}

void
senxor_session_get_frame_layout (SenxorSession *s, SenxorFrameLayout *layout)
{
  *layout = s->layout;
}

SenxorPixelUnit
senxor_session_get_pixel_unit (SenxorSession *s)
{
  return s->unit;
}

/* Hand one frame's contents to the caller; FALSE when it was dropped. */
static gboolean
deliver (SenxorSession *s, const guint8 *contents, gsize len, gint64 arrival_us,
    guint16 *pixels, SenxorFrameInfo *info)
{
  SenxorFrameLayout layout;
  const guint8 *src;
  gsize n;
  guint64 lost = 0;

  if (!senxor_frame_layout_from_contents_len (len, &layout) ||
      layout.module != s->info.module) {
    g_debug ("%s: dropping a %" G_GSIZE_FORMAT "-byte frame that does not fit a %s",
        s->device, len, senxor_module_name (s->info.module));
    s->stats.frames_dropped++;
    s->dropped_unreported++;
    return FALSE;
  }
  memset (info, 0, sizeof *info);
  info->layout = layout;
  info->has_header = layout.has_header;
  if (layout.has_header)
    senxor_frame_header_parse (contents + layout.reserved_bytes, &info->header);

  src = contents + layout.reserved_bytes + layout.header_bytes;
  n = (gsize) layout.width * layout.height;
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  memcpy (pixels, src, n * 2);
#else
  for (gsize i = 0; i < n; i++)
    pixels[i] = (guint16) (src[2 * i] | (src[2 * i + 1] << 8));
#endif

  if (layout.has_header) {
    guint16 c = info->header.counter;

    if (!s->have_counter) {
      s->ext_counter = c;
    } else {
      guint16 delta = (guint16) (c - s->last_counter);
      if (delta == 0 || delta > 0x8000) {
        /* a repeated counter or one that went back (a reboot): no gap */
        s->ext_counter++;
      } else {
        s->ext_counter += delta;
        lost = delta - 1;
      }
    }
    s->last_counter = c;
    s->dropped_unreported = 0;  /* the counter gap includes them */
  } else {
    s->ext_counter = s->have_counter ? s->ext_counter + 1 + s->dropped_unreported : 0;
    lost = s->have_counter ? s->dropped_unreported : 0;
    s->dropped_unreported = 0;
  }
  s->have_counter = TRUE;
  info->counter = s->ext_counter;
  info->frames_lost = lost;
  info->unit = s->unit;
  info->arrival_us = arrival_us;
  s->stats.frames++;
  s->stats.frames_lost += lost;
  return TRUE;
}

gboolean
senxor_session_read_frame (SenxorSession *s, guint16 *pixels, gsize n_pixels,
    SenxorFrameInfo *info, gint64 timeout_us, GCancellable *cancellable, GError **error)
{
  SenxorFrameInfo dummy;
  SenxorDecoderStats before;
  gint64 deadline;
  GError *local = NULL;

  g_return_val_if_fail (s != NULL && pixels != NULL, FALSE);
  if (info == NULL)
    info = &dummy;
  if (n_pixels < (gsize) s->layout.width * s->layout.height) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "a %ux%u frame needs %u pixels, the buffer holds %" G_GSIZE_FORMAT,
        s->layout.width, s->layout.height, s->layout.width * s->layout.height,
        n_pixels);
    return FALSE;
  }

  while (!g_queue_is_empty (&s->queue)) {
    QueuedFrame *f = g_queue_pop_head (&s->queue);
    gboolean ok = deliver (s, f->data, f->len, f->arrival_us, pixels, info);
    queued_frame_free (f);
    if (ok)
      return TRUE;
  }

  if (timeout_us < 0)
    timeout_us = senxor_session_get_frame_timeout (s);
  /* a timeout of centuries is "forever" (and must not overflow) */
  deadline = timeout_us >= G_MAXINT64 / 4 ? -1 : g_get_monotonic_time () + timeout_us;
  senxor_decoder_get_stats (s->dec, &before);
  for (;;) {
    SenxorMessage msg;
    SenxorDecodeResult r = next_message (s, &msg, error);

    if (r == SENXOR_DECODE_ERROR)
      return FALSE;
    if (r == SENXOR_DECODE_MESSAGE) {
      if (msg.kind == SENXOR_MSG_GFRA && !msg.from_host) {
        if (deliver (s, msg.contents, msg.contents_len, s->last_read_us, pixels, info))
          return TRUE;
        continue;
      }
      if (!handle_unsolicited (s, &msg, error))
        return FALSE;
      continue;
    }
    if (!fill (s, deadline, cancellable, &local)) {
      if (g_error_matches (local, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT)) {
        g_clear_error (&local);
        set_silence_error (s, error, &before, s->streaming ? "waiting for a frame" :
            "waiting for a frame (the stream is not started)", timeout_us);
      } else {
        g_propagate_error (error, local);
      }
      return FALSE;
    }
  }
}

void
senxor_session_get_stats (SenxorSession *s, SenxorSessionStats *stats)
{
  *stats = s->stats;
  senxor_decoder_get_stats (s->dec, &stats->decoder);
}
