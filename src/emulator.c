/* libsenxor: the device model of the emulator
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Registers, command handling, streaming, pacing and fault injection.  The
 * model keeps the bytes the device has sent but the host has not read yet in
 * one buffer ("ready"); frames are rendered straight into it when they fall
 * due, lazily, when a consumer asks (produce) or waits (next_event_us).
 * Everything runs under one mutex; nothing here blocks or sleeps.
 */
#include "config.h"

#include "emulator-private.h"
#include "senxor/error.h"
#include "senxor/registers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Frames the host may lag behind before the device drops new ones (its
 * transmit path is full), which sets STATUS "readout too slow". */
#define MAX_BACKLOG_FRAMES 4

typedef struct {
  gint64 due_us;
  GBytes *bytes;
} LateReply;

typedef struct {
  SenxorModule module;
  guint8 mcu_type;
  guint8 senxor_type;
  guint8 module_type;
} ModuleIdentity;

/* Defaults consistent with real modules (docs/protocol.md, Registers). */
static const ModuleIdentity identities[] = {
  {SENXOR_MODULE_MI08, 0 /* MI48D4 */, 5 /* MI0802 */, 19 /* MI0802-M5S */},
  {SENXOR_MODULE_MI16, 1 /* MI48D5 */, 6 /* MI1602 */, 28 /* MI1602-M5S */},
  {SENXOR_MODULE_MI05, 4 /* MI49 */, 9 /* MI0502 */, 50 /* MI0502-M230F */},
};

/* Serial numbers: the production year, week and site of the vendor's
 * format (YYWWLL = 2024, week 42, site 01) and a 24-bit number. */
#define SERIAL_PREFIX_YY 0x18
#define SERIAL_PREFIX_WW 0x2A
#define SERIAL_PREFIX_LL 0x01
#define DEFAULT_FW_1 0x47       /* 4.7 */
#define DEFAULT_FW_2 45

struct _SenxorEmulator {
  gatomicrefcount ref;
  GMutex lock;

  /* configuration */
  SenxorModule module;
  guint width, height;
  double fps_max;
  guint64 seed;
  gboolean fast;
  gboolean nomodule;
  gboolean serial_given;        /* serial= was set: never derived */
  EmuScene scene;
  guint8 power_up[256];
  gboolean known[256];
  gboolean writable[256];

  /* device state */
  guint8 regs[256];
  gboolean too_slow;
  SenxorDecoder *dec;
  gboolean clock_started;
  gint64 start_us;              /* the fault clock's origin */
  gint64 boot_us;               /* the header timestamp's origin */
  gint64 last_now;              /* the latest time given */
  gboolean real_clock;          /* driven by g_get_monotonic_time () */
  gint64 virtual_us;            /* fast mode: device time since start */
  gint64 virtual_boot_us;
  gboolean streaming;
  gint64 next_frame_us;
  gboolean single_pending;
  guint64 frame_number;
  gsize frame_msg_len;

  /* output */
  GByteArray *ready;
  gsize ready_off;
  GQueue late;
  gint64 stall_until;

  /* connections */
  guint conn_id;
  gboolean conn_alive;
  int wake_fd;

  /* faults */
  EmuFaults faults;
  guint64 fault_rng;

  /* scene */
  SenxorEmulatorFrameFunc gen;
  gpointer gen_data;
  GDestroyNotify gen_destroy;
  guint16 *scene_dk;
  float *scratch;

  SenxorEmulatorStats stats;
};

/* ---- small helpers ---- */

static void
wake (SenxorEmulator *emu)
{
  guint64 one = 1;

  if (write (emu->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_debug ("emulator: wake-up write failed: %s", g_strerror (errno));
}

int
_senxor_emulator_get_wakeup_fd (SenxorEmulator *emu)
{
  return emu->wake_fd;
}

void
_senxor_emulator_drain_wakeup (SenxorEmulator *emu)
{
  guint64 v;

  while (read (emu->wake_fd, &v, sizeof v) > 0)
    ;
}

static inline gsize
ready_len (SenxorEmulator *emu)
{
  return emu->ready->len - emu->ready_off;
}

static void
late_reply_free (gpointer p)
{
  LateReply *r = p;

  g_bytes_unref (r->bytes);
  g_free (r);
}

/* Due order for g_queue_insert_sorted (@a queued, @b new): a new reply goes
 * after every queued one due no later, so equal times keep sending order. */
static gint
late_reply_cmp (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const LateReply *queued = a, *incoming = b;

  return queued->due_us <= incoming->due_us ? -1 : 1;
}

static void
clear_output (SenxorEmulator *emu)
{
  g_byte_array_set_size (emu->ready, 0);
  emu->ready_off = 0;
  g_queue_clear_full (&emu->late, late_reply_free);
}

static void
clock_update (SenxorEmulator *emu, gint64 now)
{
  if (!emu->clock_started) {
    emu->clock_started = TRUE;
    emu->start_us = emu->boot_us = emu->last_now = now;
  }
  emu->last_now = MAX (emu->last_now, now);
}

/* "Now" for calls that take no time (set_register, reboot): the latest time
 * the emulator was given, so an injected clock stays consistent. */
static gint64
current_time (SenxorEmulator *emu)
{
  if (emu->real_clock || !emu->clock_started)
    return MAX (g_get_monotonic_time (), emu->last_now);
  return emu->last_now;
}

void
_senxor_emulator_set_real_clock (SenxorEmulator *emu)
{
  g_mutex_lock (&emu->lock);
  emu->real_clock = TRUE;
  g_mutex_unlock (&emu->lock);
}

static gint64
fault_clock (SenxorEmulator *emu, gint64 now)
{
  return emu->fast ? emu->virtual_us : now - emu->start_us;
}

static guint
divider (SenxorEmulator *emu)
{
  guint d = emu->regs[SENXOR_REG_FRAME_RATE] & SENXOR_FRAME_RATE_DIVIDER_MASK;

  return d ? d : 1;
}

static gint64
period_us (SenxorEmulator *emu)
{
  return (gint64) llround (G_USEC_PER_SEC * divider (emu) / emu->fps_max);
}

/* ---- registers ---- */

static void
init_register_file (SenxorEmulator *emu, const ModuleIdentity *id,
    const guint8 serial[7], guint8 fw1, guint8 fw2)
{
  guint n;
  const SenxorRegisterInfo *info = senxor_registers (&n);

  /* unknown addresses read 0xFF, like reserved registers on old firmware */
  memset (emu->power_up, 0xFF, sizeof emu->power_up);
  for (guint i = 0; i < n; i++) {
    emu->known[info[i].address] = TRUE;
    emu->writable[info[i].address] = info[i].writable;
    emu->power_up[info[i].address] = 0;
  }
  emu->power_up[SENXOR_REG_FRAME_MODE] = SENXOR_FRAME_MODE_NO_HEADER;
  emu->power_up[SENXOR_REG_MCU_TYPE] = id->mcu_type;
  emu->power_up[SENXOR_REG_FW_VERSION_1] = fw1;
  emu->power_up[SENXOR_REG_FW_VERSION_2] = fw2;
  emu->power_up[SENXOR_REG_SENXOR_TYPE] = emu->nomodule ? 0xFF : id->senxor_type;
  emu->power_up[SENXOR_REG_MODULE_TYPE] = emu->nomodule ? 0xFF : id->module_type;
  emu->power_up[SENXOR_REG_SENXOR_GAIN] = 1;    /* auto */
  emu->power_up[SENXOR_REG_EMISSIVITY] = SENXOR_EMULATOR_EMISSIVITY_DEFAULT;
  emu->power_up[SENXOR_REG_SENSITIVITY_FACTOR] = 100;
  for (guint i = 0; i < 7; i++)
    emu->power_up[SENXOR_REG_SENXOR_ID_0 + i] = emu->nomodule ? 0xFF : serial[i];
  memcpy (emu->regs, emu->power_up, sizeof emu->regs);
}

/* The serial number of an emulator without serial=: the usual production
 * year, week and site and a 24-bit number hashed from @identity (what
 * distinguishes this emulator: its name, its options, where it is served),
 * so that it is stable from run to run and differs between emulators. */
static void
derive_serial (const char *identity, guint8 serial[7])
{
  guint64 h = 0xCBF29CE484222325ull;    /* FNV-1a, then mixed */
  guint32 n;

  for (const char *p = identity; *p; p++) {
    h ^= (guint8) * p;
    h *= 0x100000001B3ull;
  }
  n = (guint32) (emu_mix64 (h) & 0xFFFFFF);
  /* all zeros and all ones look like a missing or blank SENXOR_ID */
  if (n == 0 || n == 0xFFFFFF)
    n = 0x001769;
  serial[0] = SERIAL_PREFIX_YY;
  serial[1] = SERIAL_PREFIX_WW;
  serial[2] = SERIAL_PREFIX_LL;
  serial[3] = (guint8) (n >> 16);
  serial[4] = (guint8) (n >> 8);
  serial[5] = (guint8) n;
  serial[6] = 0;
}

static void
set_serial_locked (SenxorEmulator *emu, const guint8 serial[7])
{
  for (guint i = 0; i < 7; i++) {
    guint8 v = emu->nomodule ? 0xFF : serial[i];
    emu->power_up[SENXOR_REG_SENXOR_ID_0 + i] = v;
    emu->regs[SENXOR_REG_SENXOR_ID_0 + i] = v;
  }
}

void
_senxor_emulator_derive_serial (SenxorEmulator *emu, const char *identity)
{
  guint8 serial[7];

  g_mutex_lock (&emu->lock);
  if (!emu->serial_given) {
    derive_serial (identity, serial);
    set_serial_locked (emu, serial);
    g_debug ("emulator: serial number %02X%02X%02X%02X%02X%02X from '%s'", serial[0],
        serial[1], serial[2], serial[3], serial[4], serial[5], identity);
  }
  g_mutex_unlock (&emu->lock);
}

char *
senxor_emulator_dup_serial (SenxorEmulator *emu)
{
  char *s;
  const guint8 *id;

  g_return_val_if_fail (emu != NULL, NULL);
  g_mutex_lock (&emu->lock);
  id = &emu->power_up[SENXOR_REG_SENXOR_ID_0];
  s = g_strdup_printf ("%02X%02X%02X%02X%02X%02X", id[0], id[1], id[2], id[3], id[4],
      id[5]);
  g_mutex_unlock (&emu->lock);
  return s;
}

/* The value as the device holds it, without read side effects. */
static guint8
peek_register (SenxorEmulator *emu, guint8 addr)
{
  if (addr == SENXOR_REG_STATUS) {
    guint8 s = 0;
    if (emu->too_slow)
      s |= SENXOR_STATUS_READOUT_TOO_SLOW;
    if (emu->streaming && !emu->nomodule)
      s |= SENXOR_STATUS_DATA_READY;
    if (emu->nomodule)
      s |= SENXOR_STATUS_INTERFACE_ERROR;
    return s;
  }
  return emu->regs[addr];
}

/* A host read: STATUS "readout too slow" clears when read. */
static guint8
read_register (SenxorEmulator *emu, guint8 addr)
{
  guint8 v = peek_register (emu, addr);

  if (addr == SENXOR_REG_STATUS)
    emu->too_slow = FALSE;
  return v;
}

/* ---- output and fault injection ---- */

static gboolean
chance (SenxorEmulator *emu, double rate)
{
  return rate > 0.0 && emu_rng_double (&emu->fault_rng) < rate;
}

/* Garbage between messages: bytes that can never begin a prefix. */
static void
maybe_garbage (SenxorEmulator *emu)
{
  guint n;

  if (!chance (emu, emu->faults.garbage))
    return;
  n = 1 + (guint) (emu_rng_next (&emu->fault_rng) % 48);
  for (guint i = 0; i < n; i++) {
    guint8 b = (guint8) (emu_rng_next (&emu->fault_rng) & 0xFF);
    if (b == '#')
      b = '~';
    g_byte_array_append (emu->ready, &b, 1);
  }
  emu->stats.garbage_bursts++;
}

/* Corrupt the checksum of the message that ends at the end of ready. */
static void
maybe_badsum (SenxorEmulator *emu)
{
  guint8 *last;

  if (!chance (emu, emu->faults.badsum))
    return;
  last = &emu->ready->data[emu->ready->len - 1];
  /* another hex digit: the checksum can no longer match */
  *last = (*last == '0') ? '1' : '0';
  emu->stats.bad_checksums++;
}

typedef enum {
  OUT_REPLY,                    /* register replies: may be late or dropped */
  OUT_OTHER,                    /* SERR */
} OutKind;

static void
emit (SenxorEmulator *emu, GByteArray *msg, OutKind kind, gint64 now)
{
  if (kind == OUT_REPLY) {
    if (chance (emu, emu->faults.drop_reply)) {
      emu->stats.replies_dropped++;
      return;
    }
    emu->stats.replies++;
  }
  maybe_garbage (emu);
  if (kind == OUT_REPLY && chance (emu, emu->faults.late_reply)) {
    LateReply *r = g_new (LateReply, 1);
    r->due_us = now + emu->faults.late_delay_us;
    r->bytes = g_bytes_new (msg->data, msg->len);
    g_queue_insert_sorted (&emu->late, r, late_reply_cmp, NULL);
    emu->stats.replies_late++;
    return;
  }
  g_byte_array_append (emu->ready, msg->data, msg->len);
  maybe_badsum (emu);
}

static void
emit_serr (SenxorEmulator *emu, gint64 now)
{
  g_autoptr (GByteArray) m = g_byte_array_new ();

  emit (emu, senxor_encode_serr (m), OUT_OTHER, now);
}

/* ---- frames ---- */

static inline void
put_le16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xFF;
  p[1] = v >> 8;
}

/* The documented emissivity / offset model (docs/emulator.md). */
static inline guint16
apply_corrections (guint16 scene_dk, guint8 emissivity, guint8 offset)
{
  double e = emissivity ? emissivity : 1;
  double v = 2931.5 + (scene_dk - 2931.5) * SENXOR_EMULATOR_EMISSIVITY_DEFAULT / e +
      (gint8) offset;

  v = round (v);
  return (guint16) CLAMP (v, 0.0, 65535.0);
}

/* ADC counts: 14 bits, 4 counts per 0.1 K around 8192 at 20.05 °C. */
static inline guint16
adc_counts (guint16 scene_dk)
{
  gint32 v = 8192 + 4 * ((gint32) scene_dk - SENXOR_EMULATOR_FLAT_DK);

  return (guint16) CLAMP (v, 0, 16383);
}

static void
render_scene (SenxorEmulator *emu, guint64 frame, guint16 *dk)
{
  if (emu->gen)
    emu->gen (frame, emu->width, emu->height, dk, emu->gen_data);
  else
    _senxor_emulator_scene_render (emu->scene, emu->seed, emu->fps_max, frame,
        emu->width, emu->height, dk, emu->scratch);
}

static SenxorPixelUnit
current_unit (SenxorEmulator *emu)
{
  SenxorPixelUnit u = emu->regs[SENXOR_REG_FRAME_FORMAT] & SENXOR_FRAME_FORMAT_TEMP_UNITS_MASK;

  /* 3 and 7 are undefined: the device stays in deci-Kelvin */
  return (u == 3 || u == 7) ? SENXOR_UNIT_DECI_KELVIN : u;
}

/* Render frame number emu->frame_number + 1 straight into ready. */
static void
make_frame (SenxorEmulator *emu, gint64 device_ms)
{
  guint8 mode = emu->regs[SENXOR_REG_FRAME_MODE];
  gboolean adc = (mode & SENXOR_FRAME_MODE_ADC_ENABLE) != 0;
  SenxorPixelUnit unit = current_unit (emu);
  SenxorFrameLayout layout;
  gsize n = (gsize) emu->width * emu->height, start;
  guint8 *contents, *pixels;
  guint16 vmax = 0, vmin = G_MAXUINT16;
  guint8 emis = emu->regs[SENXOR_REG_EMISSIVITY], offs = emu->regs[SENXOR_REG_OFFSET_CORR];
  /* the power-up corrections change nothing */
  gboolean identity = emis == SENXOR_EMULATOR_EMISSIVITY_DEFAULT && offs == 0;

  emu->frame_number++;
  senxor_frame_layout_for_module (emu->module, !(mode & SENXOR_FRAME_MODE_NO_HEADER),
      &layout);
  render_scene (emu, emu->frame_number, emu->scene_dk);

  maybe_garbage (emu);
  start = emu->ready->len;
  contents = senxor_encode_gfra_begin (emu->ready, layout.contents_len);
  memset (contents, 0, layout.reserved_bytes + layout.header_bytes);
  pixels = contents + layout.reserved_bytes + layout.header_bytes;

  if (!adc && identity && unit == SENXOR_UNIT_DECI_KELVIN) {
    /* the power-up state: the scene as it is */
    _senxor_emulator_store_le16 (emu->scene_dk, n, pixels, &vmin, &vmax);
  } else {
    for (gsize i = 0; i < n; i++) {
      guint16 v = adc ? adc_counts (emu->scene_dk[i]) : identity ? emu->scene_dk[i] :
          apply_corrections (emu->scene_dk[i], emis, offs);
      vmax = MAX (vmax, v);
      vmin = MIN (vmin, v);
      if (!adc && unit != SENXOR_UNIT_DECI_KELVIN)
        v = senxor_pixel_from_kelvin (v / 10.0, unit);
      put_le16 (pixels + 2 * i, v);
    }
  }

  if (layout.has_header) {
    SenxorFrameHeader hdr = { 0 };
    guint64 h = emu_mix64 (emu->seed ^ (emu->frame_number * 0x9E3779B97F4A7C15ull));

    hdr.counter = (guint16) (emu->frame_number & 0xFFFF);
    hdr.vdd_raw = (guint16) (33000 + (gint) (h % 21) - 10);
    hdr.die_temp_raw = (guint16) (30815 + (gint) ((h >> 8) % 11) - 5);
    hdr.timestamp = (guint32) device_ms;
    /* the conversions are monotonic, so the extremes map to the extremes */
    if (adc || unit == SENXOR_UNIT_DECI_KELVIN) {
      hdr.max_raw = vmax;
      hdr.min_raw = vmin;
    } else {
      hdr.max_raw = senxor_pixel_from_kelvin (vmax / 10.0, unit);
      hdr.min_raw = senxor_pixel_from_kelvin (vmin / 10.0, unit);
    }
    hdr.crc = senxor_crc16_ccitt (pixels, layout.pixel_bytes);
    senxor_frame_header_write (&hdr, contents + layout.reserved_bytes);
  }
  senxor_encode_finish (emu->ready, start);
  emu->frame_msg_len = emu->ready->len - start;
  maybe_badsum (emu);
  if (chance (emu, emu->faults.truncate)) {
    gsize len = emu->ready->len - start;
    gsize keep = 12 + (gsize) (emu_rng_next (&emu->fault_rng) % (len - 12));
    g_byte_array_set_size (emu->ready, start + keep);
    emu->stats.truncated++;
  }
  emu->stats.frames_sent++;
}

/* ---- streaming ---- */

static void
start_stream (SenxorEmulator *emu, gint64 now)
{
  emu->streaming = TRUE;
  emu->next_frame_us = now + period_us (emu);
  if (emu->nomodule)
    emit_serr (emu, now);
}

static void
reboot_locked (SenxorEmulator *emu, gint64 now)
{
  memcpy (emu->regs, emu->power_up, sizeof emu->regs);
  emu->streaming = FALSE;
  emu->single_pending = FALSE;
  emu->too_slow = FALSE;
  emu->frame_number = 0;
  emu->boot_us = now;
  emu->virtual_boot_us = emu->virtual_us;
  emu->stall_until = 0;
  /* bytes already on the wire stay; queued replies die with the firmware */
  g_queue_clear_full (&emu->late, late_reply_free);
  senxor_decoder_reset (emu->dec);
  emu->stats.reboots++;
  g_debug ("emulator: reboot");
}

static void
disconnect_locked (SenxorEmulator *emu)
{
  if (emu->conn_alive)
    emu->stats.disconnects++;
  emu->conn_alive = FALSE;
  clear_output (emu);
  senxor_decoder_reset (emu->dec);
  wake (emu);
  g_debug ("emulator: connection %u dropped", emu->conn_id);
}

/* Write with the side effects of a host WREG. */
static void
write_register (SenxorEmulator *emu, guint8 addr, guint8 value, gint64 now)
{
  guint8 old = emu->regs[addr];

  switch (addr) {
    case SENXOR_REG_FRAME_MODE:{
      gboolean was = (old & SENXOR_FRAME_MODE_CONTINUOUS_STREAM) != 0;
      gboolean is = (value & SENXOR_FRAME_MODE_CONTINUOUS_STREAM) != 0;

      /* GET_SINGLE_FRAME is a trigger: it reads back 0 */
      emu->regs[addr] = value & ~SENXOR_FRAME_MODE_GET_SINGLE_FRAME;
      if (is && !was)
        start_stream (emu, now);
      else if (!is && was)
        emu->streaming = FALSE;
      if ((value & SENXOR_FRAME_MODE_GET_SINGLE_FRAME) && !is) {
        if (emu->nomodule)
          emit_serr (emu, now);
        else
          emu->single_pending = TRUE;
      }
      break;
    }
    case SENXOR_REG_FRAME_RATE:{
      gint64 old_period = period_us (emu);
      emu->regs[addr] = value;
      if (emu->streaming)
        emu->next_frame_us += period_us (emu) - old_period;
      break;
    }
    case SENXOR_REG_MCU_RESET:
      emu->regs[addr] = value & ~1u;
      if (value & 1)
        reboot_locked (emu, now);
      break;
    default:
      emu->regs[addr] = value;
      break;
  }
}

static void
handle_command (SenxorEmulator *emu, const SenxorMessage *msg, gint64 now)
{
  g_autoptr (GByteArray) reply = g_byte_array_new ();

  emu->stats.commands++;
  switch (msg->kind) {
    case SENXOR_MSG_RREG:
      senxor_encode_rreg_reply (reply, read_register (emu, msg->address));
      emit (emu, reply, OUT_REPLY, now);
      break;
    case SENXOR_MSG_WREG:
      senxor_encode_wreg_ack (reply);
      emit (emu, reply, OUT_REPLY, now);
      /* writes to read-only and unknown registers are acknowledged and ignored */
      if (emu->known[msg->address] && emu->writable[msg->address])
        write_register (emu, msg->address, msg->value, now);
      break;
    case SENXOR_MSG_RRSE:{
      guint8 values[SENXOR_RRSE_MAX];
      for (guint i = 0; i < msg->n_regs; i++)
        values[i] = read_register (emu, msg->regs[i]);
      senxor_encode_rrse_reply (reply, msg->regs, values, msg->n_regs);
      emit (emu, reply, OUT_REPLY, now);
      break;
    }
    default:
      g_debug ("emulator: ignoring command %s", msg->command);
      break;
  }
}

/* ---- time ---- */

static void
fire_timed_faults (SenxorEmulator *emu, gint64 now)
{
  for (guint i = 0; i < emu->faults.n_timed; i++) {
    EmuTimedFault *f = &emu->faults.timed[i];
    gboolean reached;

    if (f->fired)
      continue;
    reached = f->in_frames ? (gint64) emu->stats.frames_sent >= f->at :
        fault_clock (emu, now) >= f->at;
    /* a disconnect or reboot waits until what was sent has been read */
    if (!reached || (f->kind != EMU_TIMED_STALL && ready_len (emu) > 0))
      continue;
    f->fired = TRUE;
    switch (f->kind) {
      case EMU_TIMED_STALL:
        /* from when it was due: a stall that fell due while nobody was
         * connected may be over already */
        emu->stall_until = (f->in_frames || emu->fast ? now : emu->start_us + f->at) +
            f->duration_us;
        if (emu->stall_until <= now)
          emu->stall_until = 0;
        emu->stats.stalls++;
        g_debug ("emulator: stall for %" G_GINT64_FORMAT " us", f->duration_us);
        break;
      case EMU_TIMED_DISCONNECT:
        disconnect_locked (emu);
        break;
      case EMU_TIMED_REBOOT:
        reboot_locked (emu, now);
        break;
    }
  }
}

static void
advance_full (SenxorEmulator *emu, gint64 now, gboolean make_fast_frames)
{
  clock_update (emu, now);
  /* nobody connected: the device runs on, its bytes go nowhere (frames due
   * meanwhile count as skipped when a host connects again); faults that
   * fall due meanwhile happen unseen (a disconnect has nothing to drop) */
  if (!emu->conn_alive) {
    fire_timed_faults (emu, now);
    return;
  }

  while (!g_queue_is_empty (&emu->late)) {
    LateReply *r = g_queue_peek_head (&emu->late);
    gsize len;
    const guint8 *d;

    if (r->due_us > now)
      break;
    d = g_bytes_get_data (r->bytes, &len);
    g_byte_array_append (emu->ready, d, len);
    maybe_badsum (emu);
    late_reply_free (g_queue_pop_head (&emu->late));
  }

  if (emu->stall_until) {
    if (now < emu->stall_until)
      return;
    /* a stalled device sent nothing: the frames due meanwhile are lost,
     * not queued behind the stall */
    if (emu->streaming && !emu->fast && emu->next_frame_us < emu->stall_until) {
      gint64 period = period_us (emu);
      gint64 missed = (emu->stall_until - emu->next_frame_us + period - 1) / period;

      emu->frame_number += missed;
      emu->stats.frames_skipped += missed;
      emu->next_frame_us += missed * period;
    }
    emu->stall_until = 0;
  }
  fire_timed_faults (emu, now);
  if (emu->stall_until || emu->nomodule)
    return;

  if (emu->fast) {
    /* no pacing: a new frame whenever the previous one has been read */
    if (make_fast_frames && (emu->streaming || emu->single_pending) && ready_len (emu) == 0) {
      emu->virtual_us += period_us (emu);
      make_frame (emu, (emu->virtual_us - emu->virtual_boot_us) / 1000);
      emu->single_pending = FALSE;
    }
    return;
  }

  if (emu->single_pending) {
    emu->single_pending = FALSE;
    make_frame (emu, (now - emu->boot_us) / 1000);
  }
  if (emu->streaming && now >= emu->next_frame_us) {
    gint64 period = period_us (emu);
    gint64 due = (now - emu->next_frame_us) / period + 1;

    if (due > MAX_BACKLOG_FRAMES) {
      /* the sensor kept going while nobody was reading: only the newest
       * frames fit in the transmit path */
      gint64 missed = due - MAX_BACKLOG_FRAMES;
      emu->frame_number += missed;
      emu->stats.frames_skipped += missed;
      emu->next_frame_us += missed * period;
      emu->too_slow = TRUE;
      due = MAX_BACKLOG_FRAMES;
    }
    /* frames that fell due while the host was busy wait in the transmit
     * path (like a serial port's buffer), up to the backlog limit */
    for (; due > 0; due--) {
      if (emu->frame_msg_len &&
          ready_len (emu) > MAX_BACKLOG_FRAMES * emu->frame_msg_len) {
        emu->frame_number++;
        emu->stats.frames_skipped++;
        emu->too_slow = TRUE;
      } else {
        make_frame (emu, (emu->next_frame_us - emu->boot_us) / 1000);
      }
      emu->next_frame_us += period;
    }
  }
}

static void
advance (SenxorEmulator *emu, gint64 now)
{
  advance_full (emu, now, TRUE);
}

/* ---- public: byte interface ---- */

void
senxor_emulator_receive (SenxorEmulator *emu, const guint8 *data, gsize len,
    gint64 now_us)
{
  SenxorMessage *msg;

  g_return_if_fail (emu != NULL);
  if (len == 0)
    return;
  msg = g_new (SenxorMessage, 1);
  g_mutex_lock (&emu->lock);
  /* what fell due before these bytes arrived goes out before their replies
   * (a late reply due earlier, a paced frame); fast mode makes its next
   * frame when the host reads, as ever */
  advance_full (emu, now_us, FALSE);
  senxor_decoder_feed (emu->dec, data, len);
  for (;;) {
    SenxorDecodeResult r = senxor_decoder_next (emu->dec, msg, NULL);
    if (r == SENXOR_DECODE_NEED_MORE)
      break;
    if (r == SENXOR_DECODE_MESSAGE && msg->from_host)
      handle_command (emu, msg, now_us);
  }
  wake (emu);
  g_mutex_unlock (&emu->lock);
  g_free (msg);
}

gsize
senxor_emulator_produce (SenxorEmulator *emu, gint64 now_us, guint8 *buf, gsize len)
{
  gsize n;

  g_return_val_if_fail (emu != NULL, 0);
  g_mutex_lock (&emu->lock);
  advance (emu, now_us);
  if (emu->stall_until || !emu->conn_alive) {
    g_mutex_unlock (&emu->lock);
    return 0;
  }
  n = MIN (len, ready_len (emu));
  memcpy (buf, emu->ready->data + emu->ready_off, n);
  emu->ready_off += n;
  if (emu->ready_off == emu->ready->len) {
    g_byte_array_set_size (emu->ready, 0);
    emu->ready_off = 0;
  } else if (emu->ready_off > 256 * 1024) {
    g_byte_array_remove_range (emu->ready, 0, emu->ready_off);
    emu->ready_off = 0;
  }
  g_mutex_unlock (&emu->lock);
  return n;
}

gint64
senxor_emulator_next_event_us (SenxorEmulator *emu, gint64 now_us)
{
  gint64 t = G_MAXINT64;

  g_return_val_if_fail (emu != NULL, G_MAXINT64);
  g_mutex_lock (&emu->lock);
  clock_update (emu, now_us);
  if (!emu->conn_alive)
    goto out;
  if (emu->stall_until && now_us < emu->stall_until) {
    t = emu->stall_until;
    goto out;
  }
  if (ready_len (emu) > 0) {
    t = now_us;
    goto out;
  }
  if (!g_queue_is_empty (&emu->late))
    t = MIN (t, ((LateReply *) g_queue_peek_head (&emu->late))->due_us);
  if (!emu->nomodule) {
    if (emu->single_pending || (emu->streaming && emu->fast))
      t = now_us;
    else if (emu->streaming)
      t = MIN (t, emu->next_frame_us);
  }
  for (guint i = 0; i < emu->faults.n_timed; i++) {
    EmuTimedFault *f = &emu->faults.timed[i];
    if (f->fired)
      continue;
    if (f->in_frames) {
      if ((gint64) emu->stats.frames_sent >= f->at)
        t = now_us;
    } else if (!emu->fast) {
      t = MIN (t, emu->start_us + f->at);
    } else if (emu->virtual_us >= f->at) {
      t = now_us;
    }
  }
out:
  g_mutex_unlock (&emu->lock);
  return t;
}

/* ---- public: connections ---- */

guint
senxor_emulator_connect (SenxorEmulator *emu)
{
  guint id;

  g_return_val_if_fail (emu != NULL, 0);
  g_mutex_lock (&emu->lock);
  if (++emu->conn_id == 0)
    emu->conn_id = 1;
  id = emu->conn_id;
  if (emu->clock_started) {
    /* what fell due before this connection happened without it: a
     * disconnect due at 60 s does not drop a host connecting at 70 s */
    emu->conn_alive = FALSE;
    clear_output (emu);
    fire_timed_faults (emu, current_time (emu));
  }
  emu->conn_alive = TRUE;
  clear_output (emu);
  senxor_decoder_reset (emu->dec);
  emu->stats.connections++;
  if (emu->nomodule)
    emit_serr (emu, current_time (emu));
  wake (emu);
  g_mutex_unlock (&emu->lock);
  g_debug ("emulator: connection %u", id);
  return id;
}

void
senxor_emulator_hangup (SenxorEmulator *emu, guint id)
{
  g_return_if_fail (emu != NULL);
  g_mutex_lock (&emu->lock);
  if (id == emu->conn_id && emu->conn_alive) {
    emu->conn_alive = FALSE;
    clear_output (emu);
    senxor_decoder_reset (emu->dec);
    wake (emu);
  }
  g_mutex_unlock (&emu->lock);
}

gboolean
senxor_emulator_connection_alive (SenxorEmulator *emu, guint id)
{
  gboolean alive;

  g_return_val_if_fail (emu != NULL, FALSE);
  g_mutex_lock (&emu->lock);
  alive = emu->conn_alive && id == emu->conn_id;
  g_mutex_unlock (&emu->lock);
  return alive;
}

void
senxor_emulator_disconnect (SenxorEmulator *emu)
{
  g_return_if_fail (emu != NULL);
  g_mutex_lock (&emu->lock);
  disconnect_locked (emu);
  g_mutex_unlock (&emu->lock);
}

/* ---- public: state ---- */

guint8
senxor_emulator_get_register (SenxorEmulator *emu, guint8 address)
{
  guint8 v;

  g_return_val_if_fail (emu != NULL, 0);
  g_mutex_lock (&emu->lock);
  v = peek_register (emu, address);
  g_mutex_unlock (&emu->lock);
  return v;
}

void
senxor_emulator_set_register (SenxorEmulator *emu, guint8 address, guint8 value)
{
  gint64 now;

  g_return_if_fail (emu != NULL);
  g_mutex_lock (&emu->lock);
  now = current_time (emu);
  clock_update (emu, now);
  write_register (emu, address, value, now);
  wake (emu);
  g_mutex_unlock (&emu->lock);
}

SenxorModule
senxor_emulator_get_module (SenxorEmulator *emu)
{
  return emu->module;
}

void
senxor_emulator_get_size (SenxorEmulator *emu, guint *width, guint *height)
{
  if (width)
    *width = emu->width;
  if (height)
    *height = emu->height;
}

double
senxor_emulator_get_fps (SenxorEmulator *emu)
{
  double fps;

  g_mutex_lock (&emu->lock);
  fps = emu->fps_max / divider (emu);
  g_mutex_unlock (&emu->lock);
  return fps;
}

gboolean
senxor_emulator_is_streaming (SenxorEmulator *emu)
{
  gboolean s;

  g_mutex_lock (&emu->lock);
  s = emu->streaming;
  g_mutex_unlock (&emu->lock);
  return s;
}

gboolean
senxor_emulator_is_fast (SenxorEmulator *emu)
{
  return emu->fast;
}

guint64
senxor_emulator_get_frames_sent (SenxorEmulator *emu)
{
  guint64 n;

  g_mutex_lock (&emu->lock);
  n = emu->stats.frames_sent;
  g_mutex_unlock (&emu->lock);
  return n;
}

guint64
senxor_emulator_get_frame_number (SenxorEmulator *emu)
{
  guint64 n;

  g_mutex_lock (&emu->lock);
  n = emu->frame_number;
  g_mutex_unlock (&emu->lock);
  return n;
}

void
senxor_emulator_get_stats (SenxorEmulator *emu, SenxorEmulatorStats *stats)
{
  g_mutex_lock (&emu->lock);
  *stats = emu->stats;
  g_mutex_unlock (&emu->lock);
}

const char *
senxor_emulator_get_scene (SenxorEmulator *emu)
{
  const char *s;

  g_mutex_lock (&emu->lock);
  s = emu->gen ? "custom" : _senxor_emulator_scene_name (emu->scene);
  g_mutex_unlock (&emu->lock);
  return s;
}

#define SCENES_ACCEPTED "people, hotspot, gradient or flat"

gboolean
senxor_emulator_set_scene (SenxorEmulator *emu, const char *scene, GError **error)
{
  EmuScene s;

  if (!_senxor_emulator_scene_parse (scene, &s)) {
    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "scene: unknown scene '%s'; accepted: " SCENES_ACCEPTED, scene ? scene : "");
    return FALSE;
  }
  g_mutex_lock (&emu->lock);
  emu->scene = s;
  g_mutex_unlock (&emu->lock);
  return TRUE;
}

void
senxor_emulator_set_frame_generator (SenxorEmulator *emu, SenxorEmulatorFrameFunc func,
    gpointer user_data, GDestroyNotify destroy)
{
  gpointer old_data;
  GDestroyNotify old_destroy;

  g_mutex_lock (&emu->lock);
  old_data = emu->gen_data;
  old_destroy = emu->gen_destroy;
  emu->gen = func;
  emu->gen_data = user_data;
  emu->gen_destroy = destroy;
  g_mutex_unlock (&emu->lock);
  if (old_destroy)
    old_destroy (old_data);
}

gboolean
senxor_emulator_set_faults (SenxorEmulator *emu, const char *spec, GError **error)
{
  EmuFaults f;

  if (!_senxor_emulator_faults_parse (spec, &f, error))
    return FALSE;
  g_mutex_lock (&emu->lock);
  emu->faults = f;
  wake (emu);
  g_mutex_unlock (&emu->lock);
  return TRUE;
}

void
senxor_emulator_render_frame (SenxorEmulator *emu, guint64 frame, guint16 *dk)
{
  gsize n = (gsize) emu->width * emu->height;

  g_mutex_lock (&emu->lock);
  render_scene (emu, frame, dk);
  for (gsize i = 0; i < n; i++)
    dk[i] = apply_corrections (dk[i], emu->regs[SENXOR_REG_EMISSIVITY],
        emu->regs[SENXOR_REG_OFFSET_CORR]);
  g_mutex_unlock (&emu->lock);
}

void
senxor_emulator_reboot (SenxorEmulator *emu)
{
  gint64 now;

  g_mutex_lock (&emu->lock);
  now = current_time (emu);
  clock_update (emu, now);
  reboot_locked (emu, now);
  wake (emu);
  g_mutex_unlock (&emu->lock);
}

/* ---- construction ---- */

#define KEYS_ACCEPTED "module, fps, scene, seed, faults, fast, serial, nomodule, " \
  "fw, mcu-type, senxor-type, module-type, name"

static gboolean
invalid (GError **error, const char *key, const char *value, const char *accepted)
{
  g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
      "emulator option %s: bad value '%s'; accepted: %s", key, value, accepted);
  return FALSE;
}

static gboolean
parse_bool (const char *v, gboolean *out)
{
  static const char *const yes[] = { "1", "true", "yes", "on", "" };
  static const char *const no[] = { "0", "false", "no", "off" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (v, yes[i]) == 0)
      return (*out = TRUE), TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (no); i++)
    if (g_ascii_strcasecmp (v, no[i]) == 0)
      return (*out = FALSE), TRUE;
  return FALSE;
}

static gboolean
parse_u64 (const char *v, guint64 max, guint64 *out)
{
  return g_ascii_string_to_unsigned (v, 10, 0, max, out, NULL);
}

static gboolean
parse_byte (const char *v, guint8 *out)
{
  guint64 x;
  gboolean ok = g_str_has_prefix (v, "0x") || g_str_has_prefix (v, "0X") ?
      g_ascii_string_to_unsigned (v + 2, 16, 0, 255, &x, NULL) :
      g_ascii_string_to_unsigned (v, 10, 0, 255, &x, NULL);

  if (ok)
    *out = (guint8) x;
  return ok;
}

typedef struct {
  SenxorModule module;
  double fps;
  EmuScene scene;
  guint64 seed;
  EmuFaults faults;
  gboolean fast;
  gboolean nomodule;
  guint8 serial[7];
  gboolean have_serial;
  guint8 fw1, fw2;
  ModuleIdentity id;
  gboolean have_mcu, have_stype, have_mtype;
} Options;

static gboolean
parse_serial (const char *v, guint8 serial[7])
{
  /* YYWWLLSSSSSS: E0..E5 in hex (E6 is 0) */
  if (strlen (v) != 12)
    return FALSE;
  for (guint i = 0; i < 6; i++) {
    gint hi = g_ascii_xdigit_value (v[2 * i]), lo = g_ascii_xdigit_value (v[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return FALSE;
    serial[i] = (guint8) (hi << 4 | lo);
  }
  serial[6] = 0;
  return TRUE;
}

static gboolean
parse_fw (const char *v, guint8 *fw1, guint8 *fw2)
{
  guint64 maj, min, build;
  g_auto (GStrv) p = g_strsplit (v, ".", -1);

  if (g_strv_length (p) != 3 || !parse_u64 (p[0], 15, &maj) ||
      !parse_u64 (p[1], 15, &min) || !parse_u64 (p[2], 255, &build))
    return FALSE;
  *fw1 = (guint8) (maj << 4 | min);
  *fw2 = (guint8) build;
  return TRUE;
}

static gboolean
parse_options (GHashTable *params, Options *o, GError **error)
{
  GHashTableIter it;
  gpointer k, val;
  const char *v;

  memset (o, 0, sizeof *o);
  o->module = SENXOR_MODULE_MI16;
  o->scene = EMU_SCENE_PEOPLE;
  o->seed = 1;
  o->fw1 = DEFAULT_FW_1;
  o->fw2 = DEFAULT_FW_2;
  _senxor_emulator_faults_parse (NULL, &o->faults, NULL);
  if (!params)
    goto identity;

  /* every key must be known */
  g_hash_table_iter_init (&it, params);
  while (g_hash_table_iter_next (&it, &k, &val)) {
    static const char *const keys[] = { "module", "fps", "scene", "seed", "faults",
      "fast", "serial", "nomodule", "fw", "mcu-type", "senxor-type", "module-type",
      "name",
    };
    gboolean ok = FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      ok |= g_str_equal (k, keys[i]);
    if (!ok) {
      g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
          "unknown emulator option '%s'; accepted: " KEYS_ACCEPTED, (const char *) k);
      return FALSE;
    }
  }

  if ((v = g_hash_table_lookup (params, "module"))) {
    o->module = senxor_module_from_string (v);
    if (o->module == SENXOR_MODULE_UNKNOWN)
      return invalid (error, "module", v, "mi08 (80x62), mi16 (160x120), mi05 (50x50)");
  }
  if ((v = g_hash_table_lookup (params, "fps"))) {
    char *end = NULL;
    /* decimal only: g_ascii_strtod() also takes hex, "inf" and leading spaces */
    gboolean decimal = strspn (v, "0123456789+-.eE") == strlen (v);

    o->fps = decimal ? g_ascii_strtod (v, &end) : 0;
    if (!decimal || end == v || *end || !(o->fps >= 0.1 && o->fps <= 1000.0))
      return invalid (error, "fps", v, "the frame rate at FRAME_RATE divider 1, "
          "0.1 to 1000 (default: the module's FPS_MAX)");
  }
  if ((v = g_hash_table_lookup (params, "scene")) &&
      !_senxor_emulator_scene_parse (v, &o->scene))
    return invalid (error, "scene", v, SCENES_ACCEPTED);
  if ((v = g_hash_table_lookup (params, "seed")) && !parse_u64 (v, G_MAXUINT64, &o->seed))
    return invalid (error, "seed", v, "a whole number from 0 to 18446744073709551615");
  if ((v = g_hash_table_lookup (params, "faults")) &&
      !_senxor_emulator_faults_parse (v, &o->faults, error))
    return FALSE;
  if ((v = g_hash_table_lookup (params, "fast")) && !parse_bool (v, &o->fast))
    return invalid (error, "fast", v, "1 or 0 (true/false, yes/no)");
  if ((v = g_hash_table_lookup (params, "nomodule")) && !parse_bool (v, &o->nomodule))
    return invalid (error, "nomodule", v, "1 or 0 (true/false, yes/no)");
  if ((v = g_hash_table_lookup (params, "serial"))) {
    if (!parse_serial (v, o->serial))
      return invalid (error, "serial", v, "12 hex digits YYWWLLSSSSSS, e.g. 182A01001769");
    o->have_serial = TRUE;
  }
  if ((v = g_hash_table_lookup (params, "fw")) && !parse_fw (v, &o->fw1, &o->fw2))
    return invalid (error, "fw", v, "MAJOR.MINOR.BUILD, e.g. 4.7.45 "
        "(major and minor 0-15, build 0-255)");
  if ((v = g_hash_table_lookup (params, "mcu-type"))) {
    if (!parse_byte (v, &o->id.mcu_type))
      return invalid (error, "mcu-type", v, "0-255 (0 MI48D4, 1 MI48D5, 2 MI48E, "
          "3 MI48G, 4 MI49, 5 MI40)");
    o->have_mcu = TRUE;
  }
  if ((v = g_hash_table_lookup (params, "senxor-type"))) {
    if (!parse_byte (v, &o->id.senxor_type))
      return invalid (error, "senxor-type", v, "0-255");
    if (senxor_module_from_senxor_type (o->id.senxor_type) != o->module)
      return invalid (error, "senxor-type", v, "a SENXOR_TYPE of the module "
          "(0/1/3/4/5/8 for mi08, 6 for mi16, 9 for mi05)");
    o->have_stype = TRUE;
  }
  if ((v = g_hash_table_lookup (params, "module-type"))) {
    if (!parse_byte (v, &o->id.module_type))
      return invalid (error, "module-type", v, "0-255");
    o->have_mtype = TRUE;
  }

identity:
  for (guint i = 0; i < G_N_ELEMENTS (identities); i++) {
    if (identities[i].module != o->module)
      continue;
    if (!o->have_mcu)
      o->id.mcu_type = identities[i].mcu_type;
    if (!o->have_stype)
      o->id.senxor_type = identities[i].senxor_type;
    if (!o->have_mtype)
      o->id.module_type = identities[i].module_type;
  }
  o->id.module = o->module;
  if (o->fps == 0)
    o->fps = senxor_module_fps_max (o->module);
  return TRUE;
}

/* For senxor_device_address_parse(): are these emulator options valid? */
gboolean
_senxor_emulator_check_params (GHashTable *params, GError **error)
{
  Options o;

  return parse_options (params, &o, error);
}

/* What tells an emulator made from @params apart: its options in a fixed
 * order ("emulator://?fps=25&module=mi16"), serial excepted. */
static char *
params_identity (GHashTable *params)
{
  g_autoptr (GList) keys = params ? g_hash_table_get_keys (params) : NULL;
  GString *id = g_string_new ("emulator://");

  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l; l = l->next) {
    if (g_str_equal (l->data, "serial"))
      continue;
    g_string_append_printf (id, "%c%s=%s", id->str[id->len - 1] == '/' ? '?' : '&',
        (const char *) l->data, (const char *) g_hash_table_lookup (params, l->data));
  }
  return g_string_free (id, FALSE);
}

/* @identity: what the default serial number is derived from */
static SenxorEmulator *
emulator_new (GHashTable *params, const char *identity, GError **error)
{
  SenxorEmulator *emu;
  Options o;

  if (!parse_options (params, &o, error))
    return NULL;
  if (!o.have_serial)
    derive_serial (identity, o.serial);

  emu = g_new0 (SenxorEmulator, 1);
  g_atomic_ref_count_init (&emu->ref);
  g_mutex_init (&emu->lock);
  emu->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (emu->wake_fd < 0) {
    int err = errno;
    g_set_error (error, SENXOR_ERROR, senxor_error_from_errno (err),
        "emulator: eventfd: %s", g_strerror (err));
    g_mutex_clear (&emu->lock);
    g_free (emu);
    return NULL;
  }
  emu->module = o.module;
  {
    SenxorFrameLayout l;
    senxor_frame_layout_for_module (o.module, TRUE, &l);
    emu->width = l.width;
    emu->height = l.height;
  }
  emu->fps_max = o.fps;
  emu->seed = o.seed;
  emu->fast = o.fast;
  emu->nomodule = o.nomodule;
  emu->serial_given = o.have_serial;
  emu->scene = o.scene;
  emu->faults = o.faults;
  emu->fault_rng = emu_mix64 (o.seed ^ 0xFA017ull);
  /* usable without connect(): the device's own link is up at power-on */
  emu->conn_alive = TRUE;
  init_register_file (emu, &o.id, o.serial, o.fw1, o.fw2);
  emu->dec = senxor_decoder_new ();
  emu->ready = g_byte_array_sized_new (128 * 1024);
  g_queue_init (&emu->late);
  emu->scene_dk = g_new0 (guint16, (gsize) emu->width * emu->height);
  emu->scratch = g_new0 (float, (gsize) emu->width * emu->height);
  g_debug ("emulator: %s %ux%u at %.2f fps, scene %s, seed %" G_GUINT64_FORMAT "%s%s",
      senxor_module_name (emu->module), emu->width, emu->height, emu->fps_max,
      _senxor_emulator_scene_name (emu->scene), emu->seed, emu->fast ? ", fast" : "",
      emu->nomodule ? ", no module" : "");
  return emu;
}

SenxorEmulator *
senxor_emulator_new_from_params (GHashTable *params, GError **error)
{
  g_autofree char *identity = params_identity (params);

  return emulator_new (params, identity, error);
}

SenxorEmulator *
senxor_emulator_new (const char *options, GError **error)
{
  g_autoptr (GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal,
      g_free, g_free);

  if (options && options[0] == '?')
    options++;
  if (options && *options) {
    g_auto (GStrv) parts = g_strsplit (options, "&", -1);
    for (guint i = 0; parts[i]; i++) {
      char *eq = strchr (parts[i], '=');
      char *key, *value;

      if (parts[i][0] == '\0')
        continue;
      if (eq)
        *eq = '\0';
      key = g_uri_unescape_string (parts[i], NULL);
      value = g_uri_unescape_string (eq ? eq + 1 : "1", NULL);
      if (!key || !value) {
        g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
            "emulator options: bad escape in '%s'", parts[i]);
        g_free (key);
        g_free (value);
        return NULL;
      }
      g_hash_table_replace (params, key, value);
    }
  }
  return senxor_emulator_new_from_params (params, error);
}

SenxorEmulator *
senxor_emulator_ref (SenxorEmulator *emu)
{
  g_return_val_if_fail (emu != NULL, NULL);
  g_atomic_ref_count_inc (&emu->ref);
  return emu;
}

void
senxor_emulator_unref (SenxorEmulator *emu)
{
  if (!emu || !g_atomic_ref_count_dec (&emu->ref))
    return;
  if (emu->gen_destroy)
    emu->gen_destroy (emu->gen_data);
  senxor_decoder_free (emu->dec);
  clear_output (emu);
  g_byte_array_unref (emu->ready);
  g_free (emu->scene_dk);
  g_free (emu->scratch);
  close (emu->wake_fd);
  g_mutex_clear (&emu->lock);
  g_free (emu);
}

/* ---- named instances ---- */

static GMutex registry_lock;
static GHashTable *registry;

SenxorEmulator *
senxor_emulator_get_shared (const char *name, GHashTable *params, GError **error)
{
  SenxorEmulator *emu;

  g_return_val_if_fail (name != NULL, NULL);
  g_mutex_lock (&registry_lock);
  if (!registry)
    registry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        (GDestroyNotify) senxor_emulator_unref);
  emu = g_hash_table_lookup (registry, name);
  if (!emu) {
    /* the name, not the options (later opens ignore them) */
    g_autofree char *identity = g_strconcat ("emulator://", name, NULL);
    emu = emulator_new (params, identity, error);
    if (emu)
      g_hash_table_insert (registry, g_strdup (name), emu);
  }
  if (emu)
    senxor_emulator_ref (emu);
  g_mutex_unlock (&registry_lock);
  return emu;
}

SenxorEmulator *
senxor_emulator_lookup (const char *name)
{
  SenxorEmulator *emu = NULL;

  g_mutex_lock (&registry_lock);
  if (registry && name)
    emu = g_hash_table_lookup (registry, name);
  if (emu)
    senxor_emulator_ref (emu);
  g_mutex_unlock (&registry_lock);
  return emu;
}

gboolean
senxor_emulator_forget_shared (const char *name)
{
  gboolean removed = FALSE;

  g_mutex_lock (&registry_lock);
  if (registry && name)
    removed = g_hash_table_remove (registry, name);
  g_mutex_unlock (&registry_lock);
  return removed;
}
