/* Emulator tests: the device model driven through the codec only, with an
 * injected clock wherever time matters (the real clock only in loose
 * checks of the in-process transport).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <senxor/senxor.h>
#include <math.h>
#include <string.h>

/* ---- a host talking to the emulator through the codec ---- */

typedef struct {
  SenxorEmulator *emu;
  SenxorDecoder *dec;
  gint64 now;
  SenxorMessage msg;
} Host;

static Host *
host_new (const char *options)
{
  g_autoptr (GError) error = NULL;
  Host *h = g_new0 (Host, 1);

  h->emu = senxor_emulator_new (options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (h->emu);
  h->dec = senxor_decoder_new ();
  h->now = 1000000;             /* any origin works */
  senxor_emulator_connect (h->emu);
  return h;
}

static void
host_free (Host *h)
{
  senxor_emulator_unref (h->emu);
  senxor_decoder_free (h->dec);
  g_free (h);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Host, host_free)

static void
host_send (Host *h, GByteArray *bytes)
{
  senxor_emulator_receive (h->emu, bytes->data, bytes->len, h->now);
}

/* Decode the next message due by h->now; FALSE when none is. */
static gboolean
host_next (Host *h)
{
  guint8 buf[4096];

  for (;;) {
    SenxorDecodeResult r = senxor_decoder_next (h->dec, &h->msg, NULL);
    gsize n;

    if (r == SENXOR_DECODE_MESSAGE)
      return TRUE;
    if (r == SENXOR_DECODE_ERROR)
      continue;
    n = senxor_emulator_produce (h->emu, h->now, buf, sizeof buf);
    if (n == 0)
      return FALSE;
    senxor_decoder_feed (h->dec, buf, n);
  }
}

/* Let time run until the next message (at most @limit_us ahead). */
static gboolean
host_wait (Host *h, gint64 limit_us)
{
  gint64 end = h->now + limit_us;

  for (;;) {
    gint64 t;

    if (host_next (h))
      return TRUE;
    t = senxor_emulator_next_event_us (h->emu, h->now);
    if (t == G_MAXINT64 || t > end)
      return FALSE;
    h->now = MAX (h->now, t);
  }
}

static guint8
host_rreg (Host *h, guint8 addr)
{
  g_autoptr (GByteArray) b = senxor_encode_rreg (g_byte_array_new (), addr);

  host_send (h, b);
  g_assert_true (host_next (h));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_RREG);
  g_assert_true (h->msg.has_value);
  return h->msg.value;
}

static void
host_wreg (Host *h, guint8 addr, guint8 value)
{
  g_autoptr (GByteArray) b = senxor_encode_wreg (g_byte_array_new (), addr, value);

  host_send (h, b);
  g_assert_true (host_next (h));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_WREG);
  g_assert_cmpuint (h->msg.contents_len, ==, 0);
}

/* Wait for the next GFRA (skipping nothing else: it must be a frame). */
static void
host_frame (Host *h, SenxorFrameLayout *layout)
{
  g_assert_true (host_wait (h, 10 * G_USEC_PER_SEC));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_GFRA);
  g_assert_true (senxor_frame_layout_from_contents_len (h->msg.contents_len, layout));
}

static guint16
pixel (const SenxorMessage *msg, const SenxorFrameLayout *l, gsize i)
{
  const guint8 *p = msg->contents + l->reserved_bytes + l->header_bytes + 2 * i;

  return (guint16) (p[0] | (p[1] << 8));
}

static void
host_start (Host *h)
{
  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
}

/* ---- serial numbers ---- */

static gboolean
is_valid_serial (const char *sn)
{
  guint year, week;

  if (strlen (sn) != 12)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    if (!g_ascii_isxdigit (sn[i]) || g_ascii_islower (sn[i]))
      return FALSE;
  year = g_ascii_xdigit_value (sn[0]) << 4 | g_ascii_xdigit_value (sn[1]);
  week = g_ascii_xdigit_value (sn[2]) << 4 | g_ascii_xdigit_value (sn[3]);
  /* a production date, and a number that is neither blank nor missing */
  return year >= 15 && year <= 99 && week >= 1 && week <= 53 &&
      !g_str_has_suffix (sn, "000000") && !g_str_has_suffix (sn, "FFFFFF");
}

static char *
serial_of (const char *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new (options, &error);

  g_assert_no_error (error);
  return senxor_emulator_dup_serial (emu);
}

/* Every emulator has its own serial number, the same on every run: given,
 * or derived from its options, its name or the address it is served at. */
static void
test_serial_numbers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  const char *const options[] = { "", "module=mi16", "module=mi08", "module=mi05",
    "module=mi16&seed=2", "module=mi16&fps=25", "module=mi16&name=Lab",
  };
  g_autofree char *a = NULL, *b = NULL, *given = NULL;

  /* the options: stable (the order of the keys does not matter), distinct */
  for (guint i = 0; i < G_N_ELEMENTS (options); i++) {
    char *sn = serial_of (options[i]);
    g_autofree char *again = serial_of (options[i]);

    g_assert_true (is_valid_serial (sn));
    g_assert_cmpstr (sn, ==, again);
    g_assert_false (g_hash_table_contains (seen, sn));
    g_hash_table_add (seen, sn);
  }
  a = serial_of ("module=mi16&fps=25&scene=flat");
  b = serial_of ("scene=flat&fps=25&module=mi16");
  g_assert_cmpstr (a, ==, b);

  /* serial= wins, and the registers carry it */
  given = serial_of ("module=mi08&serial=192b02abcdef");
  g_assert_cmpstr (given, ==, "192B02ABCDEF");

  /* named instances: from the name, not the options */
  {
    g_autoptr (SenxorEmulator) x = senxor_emulator_get_shared ("sn-x", NULL, &error);
    g_autoptr (SenxorEmulator) y = senxor_emulator_get_shared ("sn-y", NULL, &error);
    g_autofree char *sx = NULL, *sy = NULL, *sx2 = NULL;

    g_assert_no_error (error);
    sx = senxor_emulator_dup_serial (x);
    sy = senxor_emulator_dup_serial (y);
    g_assert_true (is_valid_serial (sx) && is_valid_serial (sy));
    g_assert_cmpstr (sx, !=, sy);
    g_assert_false (g_hash_table_contains (seen, sx));
    /* the same name in another run gives the same number */
    g_assert_true (senxor_emulator_forget_shared ("sn-x"));
    g_clear_pointer (&x, senxor_emulator_unref);
    {
      g_autoptr (GHashTable) p = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (p, (gpointer) "module", (gpointer) "mi05");
      x = senxor_emulator_get_shared ("sn-x", p, &error);
    }
    g_assert_no_error (error);
    sx2 = senxor_emulator_dup_serial (x);
    g_assert_cmpstr (sx, ==, sx2);
    senxor_emulator_forget_shared ("sn-x");
    senxor_emulator_forget_shared ("sn-y");
  }

  /* without a module, E0..E6 read 0xFF whatever the serial */
  {
    g_autofree char *none = serial_of ("nomodule=1");
    g_assert_cmpstr (none, ==, "FFFFFFFFFFFF");
  }
}

/* ---- options ---- */

static void
test_options (void)
{
  const struct {
    const char *options;
    const char *in_message;
  } bad[] = {
    {"colour=red", "colour"},
    {"module=mi99", "mi08"},
    {"fps=-3", "fps"},
    {"fps=abc", "fps"},
    {"scene=beach", "people"},
    {"seed=x", "seed"},
    {"fast=maybe", "fast"},
    {"serial=12", "YYWWLLSSSSSS"},
    {"fw=4.7", "MAJOR.MINOR.BUILD"},
    {"module=mi08&senxor-type=6", "senxor-type"},
    {"faults=garbage=2", "garbage"},
    {"faults=stall=2s", "stall"},
    {"faults=disconnect@soon", "disconnect"},
    {"faults=explode=0.1", "unknown fault kind"},
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (SenxorEmulator) emu = senxor_emulator_new (bad[i].options, &error);

    g_assert_null (emu);
    g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, bad[i].in_message));
  }

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("?module=mi08&fps=12.5&"
        "scene=flat&seed=7&fast=1&faults=garbage%3D0.5,disconnect@100f&name=x",
        &error);
    guint w, h;

    g_assert_no_error (error);
    senxor_emulator_get_size (emu, &w, &h);
    g_assert_cmpuint (w, ==, 80);
    g_assert_cmpuint (h, ==, 62);
    g_assert_cmpint (senxor_emulator_get_module (emu), ==, SENXOR_MODULE_MI08);
    g_assert_cmpfloat_with_epsilon (senxor_emulator_get_fps (emu), 12.5, 1e-9);
    g_assert_cmpstr (senxor_emulator_get_scene (emu), ==, "flat");
    g_assert_true (senxor_emulator_is_fast (emu));
  }
  {
    /* defaults: MI16 at its FPS_MAX, people */
    g_autoptr (SenxorEmulator) emu = senxor_emulator_new (NULL, NULL);
    g_assert_cmpint (senxor_emulator_get_module (emu), ==, SENXOR_MODULE_MI16);
    g_assert_cmpfloat_with_epsilon (senxor_emulator_get_fps (emu),
        senxor_module_fps_max (SENXOR_MODULE_MI16), 1e-9);
    g_assert_cmpstr (senxor_emulator_get_scene (emu), ==, "people");
    g_assert_false (senxor_emulator_is_fast (emu));
  }
}

/* ---- registers ---- */

static void
test_identity (void)
{
  const struct {
    const char *module;
    guint8 mcu, stype, mtype;
  } m[] = {
    {"mi08", 0, 5, 19},
    {"mi16", 1, 6, 28},
    {"mi05", 4, 9, 50},
  };

  for (guint i = 0; i < G_N_ELEMENTS (m); i++) {
    g_autofree char *opt = g_strdup_printf ("module=%s", m[i].module);
    g_autoptr (Host) h = host_new (opt);

    g_assert_cmpuint (host_rreg (h, SENXOR_REG_MCU_TYPE), ==, m[i].mcu);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_TYPE), ==, m[i].stype);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_MODULE_TYPE), ==, m[i].mtype);
    g_assert_cmpint (senxor_module_from_senxor_type (m[i].stype), ==,
        senxor_emulator_get_module (h->emu));
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_FW_VERSION_1), ==, 0x47);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_FW_VERSION_2), ==, 45);
    /* a derived serial number: year 2024 (0x18), week 42, site 01, the
     * number from the options; the registers say what dup_serial says */
    {
      g_autofree char *sn = senxor_emulator_dup_serial (h->emu);
      g_autofree char *regs = g_strdup_printf ("%02X%02X%02X%02X%02X%02X",
          host_rreg (h, SENXOR_REG_SENXOR_ID_0), host_rreg (h, SENXOR_REG_SENXOR_ID_1),
          host_rreg (h, SENXOR_REG_SENXOR_ID_2), host_rreg (h, SENXOR_REG_SENXOR_ID_3),
          host_rreg (h, SENXOR_REG_SENXOR_ID_4), host_rreg (h, SENXOR_REG_SENXOR_ID_5));

      g_assert_cmpstr (sn, ==, regs);
      g_assert_true (g_str_has_prefix (sn, "182A01"));
      g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_ID_6), ==, 0);
    }
  }

  {
    g_autoptr (Host) h = host_new ("module=mi08&serial=192B02ABCDEF&fw=3.9.2&"
        "senxor-type=8&module-type=24&mcu-type=255");
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_ID_0), ==, 0x19);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_ID_3), ==, 0xAB);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_ID_5), ==, 0xEF);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_FW_VERSION_1), ==, 0x39);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_FW_VERSION_2), ==, 2);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_SENXOR_TYPE), ==, 8);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_MODULE_TYPE), ==, 24);
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_MCU_TYPE), ==, 255);
  }
}

static void
test_register_semantics (void)
{
  g_autoptr (Host) h = host_new ("module=mi16&scene=flat&serial=182A01001769");
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint n;
  const SenxorRegisterInfo *regs = senxor_registers (&n);

  /* boots with NO_HEADER, not streaming: silence */
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, SENXOR_FRAME_MODE_NO_HEADER);
  g_assert_cmpint (senxor_emulator_next_event_us (h->emu, h->now), ==, G_MAXINT64);
  h->now += 5 * G_USEC_PER_SEC;
  g_assert_false (host_next (h));

  /* every read-only register ignores writes; every writable one takes them */
  for (guint i = 0; i < n; i++) {
    guint8 a = regs[i].address, before;

    if (a == SENXOR_REG_FRAME_MODE || a == SENXOR_REG_MCU_RESET ||
        a == SENXOR_REG_STATUS)
      continue;
    before = host_rreg (h, a);
    host_wreg (h, a, before ^ 0x5A);
    g_assert_cmpuint (host_rreg (h, a), ==, regs[i].writable ? before ^ 0x5A : before);
    g_assert_cmpuint (senxor_emulator_get_register (h->emu, a), ==,
        regs[i].writable ? before ^ 0x5A : before);
  }
  /* set_register bypasses read-only (for tests) */
  senxor_emulator_set_register (h->emu, SENXOR_REG_MODULE_TYPE, 42);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_MODULE_TYPE), ==, 42);

  /* the older RREG form: "RREG{AA}XXXXXX", length 000C */
  senxor_encode_message (b, "RREG", (const guint8 *) "BAXX", 4, TRUE);
  g_assert_cmpmem (b->data, 8, "   #000C", 8);
  host_send (h, b);
  g_assert_true (host_next (h));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_RREG);
  g_assert_cmpuint (h->msg.value, ==, 6);

  /* RRSE: address/value pairs, no trailing FF */
  {
    const guint8 addrs[] = { SENXOR_REG_SENXOR_TYPE, SENXOR_REG_FRAME_MODE,
      SENXOR_REG_SENXOR_ID_5 };
    g_byte_array_set_size (b, 0);
    senxor_encode_rrse (b, addrs, 3);
    host_send (h, b);
    g_assert_true (host_next (h));
    g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_RRSE);
    g_assert_cmpuint (h->msg.n_regs, ==, 3);
    g_assert_cmpuint (h->msg.contents_len, ==, 12);
    g_assert_cmpmem (h->msg.contents, 12, "BA06B120E569", 12);
  }

  /* a request split across many writes still works */
  g_byte_array_set_size (b, 0);
  senxor_encode_rreg (b, SENXOR_REG_SENXOR_TYPE);
  for (guint i = 0; i < b->len; i++)
    senxor_emulator_receive (h->emu, b->data + i, 1, h->now);
  g_assert_true (host_next (h));
  g_assert_cmpuint (h->msg.value, ==, 6);

  /* MCU_RESET reboots: registers back to power-up */
  host_wreg (h, SENXOR_REG_EMISSIVITY, 50);
  host_wreg (h, SENXOR_REG_FRAME_MODE, 0);
  host_wreg (h, SENXOR_REG_MCU_RESET, 1);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_EMISSIVITY), ==,
      SENXOR_EMULATOR_EMISSIVITY_DEFAULT);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, SENXOR_FRAME_MODE_NO_HEADER);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_MODULE_TYPE), ==, 28);
}

static void
test_nomodule (void)
{
  g_autoptr (Host) h = host_new ("nomodule=1&fast=1");

  /* SERR when the connection opens, registers still answer */
  g_assert_true (host_next (h));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_SERR);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FW_VERSION_1), ==, 0x47);
  /* a stream start gives SERR and no frame */
  host_start (h);
  g_assert_true (host_next (h));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_SERR);
  g_assert_false (host_wait (h, 5 * G_USEC_PER_SEC));
  g_assert_cmpuint (senxor_emulator_get_frames_sent (h->emu), ==, 0);
}

/* ---- frames ---- */

static void
check_gradient_frame (Host *h, const SenxorFrameLayout *l, SenxorPixelUnit unit,
    gboolean adc)
{
  guint64 n = senxor_emulator_get_frame_number (h->emu);
  gsize npix = (gsize) l->width * l->height;
  guint16 vmax = 0, vmin = G_MAXUINT16;
  g_autofree guint16 *expect = g_new (guint16, npix);

  senxor_emulator_render_frame (h->emu, n, expect);
  for (guint y = 0; y < l->height; y++) {
    for (guint x = 0; x < l->width; x++) {
      gsize i = (gsize) y * l->width + x;
      guint16 dk = SENXOR_EMULATOR_GRADIENT (x, y, n), want;

      g_assert_cmpuint (expect[i], ==, dk);
      if (adc)
        want = (guint16) CLAMP (8192 + 4 * ((gint) dk - 2932), 0, 16383);
      else
        want = senxor_pixel_from_kelvin (dk / 10.0, unit);
      if (pixel (&h->msg, l, i) != want)
        g_error ("unit %d adc %d: pixel (%u,%u) of frame %" G_GUINT64_FORMAT
            " is %u, expected %u", unit, adc, x, y, n, pixel (&h->msg, l, i), want);
      vmax = MAX (vmax, dk);
      vmin = MIN (vmin, dk);
    }
  }
  if (l->has_header) {
    SenxorFrameHeader hdr;
    senxor_frame_header_parse (h->msg.contents + l->reserved_bytes, &hdr);
    g_assert_cmpuint (hdr.counter, ==, n & 0xFFFF);
    g_assert_cmpuint (hdr.crc, ==, senxor_crc16_ccitt (h->msg.contents +
            l->reserved_bytes + l->header_bytes, l->pixel_bytes));
    if (adc) {
      g_assert_cmpuint (hdr.max_raw, ==, 8192 + 4 * (vmax - 2932));
      g_assert_cmpuint (hdr.min_raw, ==, 8192 + 4 * (vmin - 2932));
    } else {
      g_assert_cmpuint (hdr.max_raw, ==, senxor_pixel_from_kelvin (vmax / 10.0, unit));
      g_assert_cmpuint (hdr.min_raw, ==, senxor_pixel_from_kelvin (vmin / 10.0, unit));
    }
    g_assert_cmpfloat (fabs (hdr.vdd - 3.3), <, 0.01);
    g_assert_cmpfloat (hdr.die_temp_c, >, 20.0);
    g_assert_cmpfloat (hdr.die_temp_c, <, 50.0);
  }
}

static void
test_frame_layouts (void)
{
  const char *modules[] = { "mi08", "mi16", "mi05" };
  const SenxorModule ids[] = { SENXOR_MODULE_MI08, SENXOR_MODULE_MI16,
    SENXOR_MODULE_MI05 };

  for (guint m = 0; m < G_N_ELEMENTS (modules); m++) {
    g_autofree char *opt = g_strdup_printf ("module=%s&scene=gradient&fast=1",
        modules[m]);
    g_autoptr (Host) h = host_new (opt);
    SenxorFrameLayout l, want;

    /* power-up: no header (a host that keeps it that way) */
    g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, SENXOR_FRAME_MODE_NO_HEADER);
    host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_NO_HEADER |
        SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
    host_frame (h, &l);
    senxor_frame_layout_for_module (ids[m], FALSE, &want);
    g_assert_cmpint (l.module, ==, ids[m]);
    g_assert_false (l.has_header);
    g_assert_cmpuint (h->msg.contents_len, ==, want.contents_len);
    check_gradient_frame (h, &l, SENXOR_UNIT_DECI_KELVIN, FALSE);

    /* clear NO_HEADER as the vendor does at open */
    host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
    do
      host_frame (h, &l);
    while (!l.has_header);
    senxor_frame_layout_for_module (ids[m], TRUE, &want);
    g_assert_cmpuint (h->msg.contents_len, ==, want.contents_len);
    check_gradient_frame (h, &l, SENXOR_UNIT_DECI_KELVIN, FALSE);
  }
}

static void
test_frame_units (void)
{
  const guint units[] = { 0, 1, 2, 4, 5, 6 };
  g_autoptr (Host) h = host_new ("module=mi05&scene=gradient&fast=1");
  SenxorFrameLayout l;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  for (guint i = 0; i < G_N_ELEMENTS (units); i++) {
    host_wreg (h, SENXOR_REG_FRAME_FORMAT, units[i]);
    /* frames already on their way keep the old unit: take a fresh one */
    host_frame (h, &l);
    host_frame (h, &l);
    g_assert_true (l.has_header);
    check_gradient_frame (h, &l, (SenxorPixelUnit) units[i], FALSE);
    /* and the codec reads the temperatures back */
    g_assert_cmpfloat (fabs (senxor_pixel_to_kelvin (pixel (&h->msg, &l, 0), units[i]) -
            SENXOR_EMULATOR_GRADIENT (0, 0, senxor_emulator_get_frame_number (h->emu)) /
            10.0), <, 0.2);
  }
  /* ADC counts instead of temperatures */
  host_wreg (h, SENXOR_REG_FRAME_FORMAT, 0);
  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM |
      SENXOR_FRAME_MODE_ADC_ENABLE);
  host_frame (h, &l);
  host_frame (h, &l);
  check_gradient_frame (h, &l, SENXOR_UNIT_ADC, TRUE);
  /* and without a header */
  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM |
      SENXOR_FRAME_MODE_ADC_ENABLE | SENXOR_FRAME_MODE_NO_HEADER);
  host_frame (h, &l);
  host_frame (h, &l);
  g_assert_false (l.has_header);
  check_gradient_frame (h, &l, SENXOR_UNIT_ADC, TRUE);
}

static void
test_single_frame (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=gradient");
  SenxorFrameLayout l;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_GET_SINGLE_FRAME);
  host_frame (h, &l);
  g_assert_cmpuint (senxor_emulator_get_frame_number (h->emu), ==, 1);
  check_gradient_frame (h, &l, SENXOR_UNIT_DECI_KELVIN, FALSE);
  /* exactly one, and the trigger bit reads back 0 */
  g_assert_false (host_wait (h, 3 * G_USEC_PER_SEC));
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, 0);
  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_GET_SINGLE_FRAME);
  host_frame (h, &l);
  g_assert_true (l.has_header);
  check_gradient_frame (h, &l, SENXOR_UNIT_DECI_KELVIN, FALSE);
  g_assert_cmpuint (senxor_emulator_get_frames_sent (h->emu), ==, 2);
}

/* set_register works in the injected clock's time, not the real one */
static void
test_set_register_clock (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&fps=20&scene=flat");
  SenxorFrameLayout l;
  gint64 t0;

  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, SENXOR_FRAME_MODE_NO_HEADER);
  h->now += 777;
  g_assert_false (host_next (h));
  t0 = h->now;
  senxor_emulator_set_register (h->emu, SENXOR_REG_FRAME_MODE,
      SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  g_assert_true (senxor_emulator_is_streaming (h->emu));
  host_frame (h, &l);
  g_assert_cmpint (h->now - t0, ==, 50000);
}

static void
test_stop_stream (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=flat");
  SenxorFrameLayout l;

  host_start (h);
  host_frame (h, &l);
  host_frame (h, &l);
  host_wreg (h, SENXOR_REG_FRAME_MODE, 0);
  g_assert_false (host_wait (h, 2 * G_USEC_PER_SEC));
  g_assert_false (senxor_emulator_is_streaming (h->emu));
}

static void
test_corrections (void)
{
  g_autoptr (Host) h = host_new ("module=mi05&scene=gradient&fast=1");
  SenxorFrameLayout l;
  g_autofree guint16 *expect = g_new (guint16, 2500);

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  host_wreg (h, SENXOR_REG_EMISSIVITY, 50);
  host_wreg (h, SENXOR_REG_OFFSET_CORR, (guint8) -20);
  host_frame (h, &l);
  host_frame (h, &l);
  senxor_emulator_render_frame (h->emu, senxor_emulator_get_frame_number (h->emu), expect);
  for (guint y = 0; y < 50; y++) {
    for (guint x = 0; x < 50; x++) {
      guint16 dk = SENXOR_EMULATOR_GRADIENT (x, y, senxor_emulator_get_frame_number (h->emu));
      double want = round (2931.5 + (dk - 2931.5) * 95.0 / 50.0 - 20);

      g_assert_cmpuint (expect[y * 50 + x], ==, (guint16) want);
      g_assert_cmpuint (pixel (&h->msg, &l, y * 50 + x), ==, (guint16) want);
    }
  }
}

/* ---- pacing ---- */

static void
test_pacing_injected (void)
{
  g_autoptr (Host) h = host_new ("module=mi16&fps=25&scene=flat");
  SenxorFrameLayout l;
  gint64 t0, prev_ts = -1;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  t0 = h->now;
  for (guint i = 1; i <= 100; i++) {
    SenxorFrameHeader hdr;

    host_frame (h, &l);
    /* due exactly every 40 ms from the stream start */
    g_assert_cmpint (h->now - t0, ==, (gint64) i * 40000);
    senxor_frame_header_parse (h->msg.contents + l.reserved_bytes, &hdr);
    g_assert_cmpuint (hdr.counter, ==, i);
    if (prev_ts >= 0)
      g_assert_cmpint ((gint64) hdr.timestamp - prev_ts, ==, 40);
    prev_ts = hdr.timestamp;
  }
  /* divider 2: half the rate */
  host_wreg (h, SENXOR_REG_FRAME_RATE, 2);
  g_assert_cmpfloat_with_epsilon (senxor_emulator_get_fps (h->emu), 12.5, 1e-9);
  host_frame (h, &l);
  t0 = h->now;
  for (guint i = 1; i <= 10; i++) {
    host_frame (h, &l);
    g_assert_cmpint (h->now - t0, ==, (gint64) i * 80000);
  }

  /* a host that stops reading for a second (12.5 frame periods): the newest
   * 4 frames wait in the transmit path, the rest are lost; the first frame
   * read shows the gap and STATUS says the readout was too slow */
  {
    guint64 before = senxor_emulator_get_frame_number (h->emu);
    SenxorFrameHeader hdr;

    h->now += G_USEC_PER_SEC;
    host_frame (h, &l);
    senxor_frame_header_parse (h->msg.contents + l.reserved_bytes, &hdr);
    g_assert_cmpuint (hdr.counter, >=, before + 12 - 4);
    /* then the rest of the backlog, without gaps */
    for (guint k = 1; k < 4; k++) {
      guint16 prev = hdr.counter;

      g_assert_true (host_next (h));
      g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_GFRA);
      senxor_frame_header_parse (h->msg.contents + l.reserved_bytes, &hdr);
      g_assert_cmpuint (hdr.counter, ==, (guint16) (prev + 1));
    }
    g_assert_true (host_rreg (h, SENXOR_REG_STATUS) & SENXOR_STATUS_READOUT_TOO_SLOW);
    g_assert_false (host_rreg (h, SENXOR_REG_STATUS) & SENXOR_STATUS_READOUT_TOO_SLOW);
  }
}

/* The real clock through the in-process transport, loosely. */
static void
test_pacing_real (void)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fps=50&scene=flat",
      NULL);
  SenxorTransport *t = senxor_emulator_transport_new (emu);
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) b = senxor_encode_wreg (g_byte_array_new (),
      SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  g_autoptr (GError) error = NULL;
  SenxorMessage msg;
  guint frames = 0;
  gint64 first = 0, last = 0;
  const guint want = 50;

  g_assert_true (t->klass->write (t, b->data, b->len, -1, NULL, &error));
  while (frames < want) {
    guint8 buf[8192];
    gssize n = t->klass->read (t, buf, sizeof buf, 5 * G_USEC_PER_SEC, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    senxor_decoder_feed (dec, buf, n);
    while (senxor_decoder_next (dec, &msg, NULL) == SENXOR_DECODE_MESSAGE) {
      if (msg.kind != SENXOR_MSG_GFRA)
        continue;
      last = g_get_monotonic_time ();
      if (frames++ == 0)
        first = last;
    }
  }
  /* 49 periods of 20 ms: never faster; slower only within reason */
  g_assert_cmpint (last - first, >=, (gint64) (want - 1) * 20000 * 9 / 10);
  g_assert_cmpint (last - first, <=, (gint64) (want - 1) * 20000 * 5);
  t->klass->close (t);
}

/* ---- scenes ---- */

static void
frame_dk (Host *h, guint16 *dk, SenxorFrameLayout *l)
{
  host_frame (h, l);
  for (gsize i = 0; i < (gsize) l->width * l->height; i++)
    dk[i] = pixel (&h->msg, l, i);
}

static void
test_scene_people (void)
{
  g_autoptr (Host) h = host_new ("module=mi16&scene=people&seed=3&fast=1");
  SenxorFrameLayout l;
  g_autofree guint16 *a = g_new (guint16, 19200);
  g_autofree guint16 *b = g_new (guint16, 19200);
  g_autofree guint8 *warm_first = g_new0 (guint8, 19200);
  guint moved = 0;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  for (guint f = 0; f < 90; f++) {
    guint warm = 0, hot = 0, bg = 0, other = 0;
    guint16 mx = 0;

    frame_dk (h, a, &l);
    for (guint i = 0; i < 19200; i++) {
      double c = a[i] / 10.0 - 273.15;
      mx = MAX (mx, a[i]);
      if (c >= 19.5 && c <= 24.5)
        bg++;
      else if (c >= 29.5 && c <= 36.5) {
        warm++;
        if (f == 0)
          warm_first[i] = 1;
        else if (f == 89 && !warm_first[i])
          moved++;
      } else if (c >= 59.5 && c <= 90.5)
        hot++;
      else
        other++;                /* soft edges between the bands */
    }
    g_assert_cmpuint (bg, >, 19200 / 2);
    g_assert_cmpuint (warm, >, 100);
    g_assert_cmpuint (hot, >, 5);
    g_assert_cmpuint (other, <, 19200 / 10);
    g_assert_cmpfloat (mx / 10.0 - 273.15, <=, 90.5);
    g_assert_cmpfloat (mx / 10.0 - 273.15, >=, 59.5);
  }
  /* three seconds later the people are elsewhere */
  g_assert_cmpuint (moved, >, 100);

  /* frames are deterministic from the seed: render agrees with the wire */
  senxor_emulator_render_frame (h->emu, senxor_emulator_get_frame_number (h->emu), b);
  g_assert_cmpmem (a, 19200 * 2, b, 19200 * 2);
  {
    g_autoptr (SenxorEmulator) same = senxor_emulator_new ("module=mi16&scene=people&seed=3",
        NULL);
    g_autoptr (SenxorEmulator) other = senxor_emulator_new ("module=mi16&scene=people&seed=4",
        NULL);
    senxor_emulator_render_frame (same, senxor_emulator_get_frame_number (h->emu), b);
    g_assert_cmpmem (a, 19200 * 2, b, 19200 * 2);
    senxor_emulator_render_frame (other, senxor_emulator_get_frame_number (h->emu), b);
    g_assert_true (memcmp (a, b, 19200 * 2) != 0);
  }
}

static void
test_scene_hotspot_flat (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=hotspot&fast=1");
  SenxorFrameLayout l;
  g_autofree guint16 *a = g_new (guint16, 4960);
  guint argmax_first = 0, argmax = 0;
  g_autoptr (GError) error = NULL;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  for (guint f = 0; f < 60; f++) {
    guint16 mx = 0;
    frame_dk (h, a, &l);
    for (guint i = 0; i < 4960; i++)
      if (a[i] > mx)
        mx = a[i], argmax = i;
    g_assert_cmpfloat (mx / 10.0 - 273.15, >=, 55.0);
    g_assert_cmpfloat (mx / 10.0 - 273.15, <=, 90.5);
    if (f == 0)
      argmax_first = argmax;
  }
  g_assert_cmpuint (argmax, !=, argmax_first);

  g_assert_true (senxor_emulator_set_scene (h->emu, "flat", &error));
  g_assert_false (senxor_emulator_set_scene (h->emu, "nope", &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT);
  host_frame (h, &l);
  frame_dk (h, a, &l);
  for (guint i = 0; i < 4960; i++)
    g_assert_cmpuint (a[i], ==, SENXOR_EMULATOR_FLAT_DK);
}

typedef struct {
  guint calls;
  gboolean destroyed;
} GenData;

static void
my_generator (guint64 frame, guint w, guint h, guint16 *dk, gpointer user_data)
{
  GenData *d = user_data;

  d->calls++;
  for (guint i = 0; i < w * h; i++)
    dk[i] = (guint16) (3000 + (frame % 10) * 10 + i % 7);
}

static void
gen_destroy (gpointer user_data)
{
  ((GenData *) user_data)->destroyed = TRUE;
}

static void
test_generator (void)
{
  GenData d = { 0 };
  SenxorFrameLayout l;
  g_autofree guint16 *a = g_new (guint16, 4960);

  {
    g_autoptr (Host) h = host_new ("module=mi08&fast=1");

    senxor_emulator_set_frame_generator (h->emu, my_generator, &d, gen_destroy);
    g_assert_cmpstr (senxor_emulator_get_scene (h->emu), ==, "custom");
    host_start (h);
    frame_dk (h, a, &l);
    for (guint i = 0; i < 4960; i++)
      g_assert_cmpuint (a[i], ==, 3000 + (senxor_emulator_get_frame_number (h->emu) % 10) *
          10 + i % 7);
    g_assert_cmpuint (d.calls, >=, 1);
    g_assert_false (d.destroyed);
  }
  g_assert_true (d.destroyed);
}

/* ---- faults ---- */

typedef struct {
  SenxorDecoderStats dec;
  SenxorEmulatorStats emu;
  guint frames_ok;
} FaultRun;

static void
run_faults (const char *options, guint n_frames, FaultRun *out)
{
  g_autoptr (Host) h = host_new (options);
  SenxorFrameLayout l;

  memset (out, 0, sizeof *out);
  host_start (h);
  while (senxor_emulator_get_frames_sent (h->emu) < n_frames) {
    if (!host_wait (h, 10 * G_USEC_PER_SEC))
      break;
    if (h->msg.kind == SENXOR_MSG_GFRA &&
        senxor_frame_layout_from_contents_len (h->msg.contents_len, &l))
      out->frames_ok++;
  }
  /* what is left in the decoder (fast mode never runs dry) */
  for (;;) {
    SenxorDecodeResult r = senxor_decoder_next (h->dec, &h->msg, NULL);
    if (r == SENXOR_DECODE_NEED_MORE)
      break;
    if (r == SENXOR_DECODE_MESSAGE && h->msg.kind == SENXOR_MSG_GFRA)
      out->frames_ok++;
  }
  senxor_decoder_get_stats (h->dec, &out->dec);
  senxor_emulator_get_stats (h->emu, &out->emu);
}

static void
test_faults_stream (void)
{
  FaultRun a, b, none;
  const char *opt = "module=mi05&scene=flat&fast=1&seed=5&"
      "faults=garbage=0.2,badsum=0.1,truncate=0.1";

  run_faults (opt, 300, &a);
  g_assert_cmpuint (a.emu.frames_sent, ==, 300);
  g_assert_cmpuint (a.emu.garbage_bursts, >, 30);
  g_assert_cmpuint (a.emu.bad_checksums, >, 10);
  g_assert_cmpuint (a.emu.truncated, >, 10);
  /* the host sees exactly those: bad checksums, and garbage skipped */
  g_assert_cmpuint (a.dec.bytes_discarded, >, 0);
  g_assert_cmpuint (a.dec.bad_checksums, >=, a.emu.bad_checksums / 2);
  g_assert_cmpuint (a.frames_ok, <, 300);
  g_assert_cmpuint (a.frames_ok, >, 300 - a.emu.bad_checksums - a.emu.truncated * 3 - 10);

  /* deterministic from the seed */
  run_faults (opt, 300, &b);
  g_assert_cmpmem (&a.emu, sizeof a.emu, &b.emu, sizeof b.emu);
  g_assert_cmpuint (a.frames_ok, ==, b.frames_ok);

  /* and nothing without faults */
  run_faults ("module=mi05&scene=flat&fast=1&seed=5", 300, &none);
  g_assert_cmpuint (none.frames_ok, ==, 300);
  g_assert_cmpuint (none.dec.bytes_discarded, ==, 0);
}

static void
test_faults_stall (void)
{
  g_autoptr (Host) h = host_new ("module=mi16&fps=10&scene=flat&faults=stall=2s@3s");
  SenxorFrameLayout l;
  gint64 t0 = h->now;
  gint64 prev = t0, longest = 0;
  SenxorEmulatorStats st;

  host_start (h);
  while (h->now - t0 < 8 * G_USEC_PER_SEC) {
    host_frame (h, &l);
    longest = MAX (longest, h->now - prev);
    prev = h->now;
  }
  /* a 2 s hole in a 10 fps stream, and frames again after it */
  g_assert_cmpint (longest, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (longest, <=, 2 * G_USEC_PER_SEC + 100000);
  senxor_emulator_get_stats (h->emu, &st);
  g_assert_cmpuint (st.stalls, ==, 1);
  g_assert_cmpuint (st.frames_skipped, >=, 19);
}

static void
test_faults_replies (void)
{
  g_autoptr (Host) h = host_new ("faults=late-reply=1:500ms");
  g_autoptr (GByteArray) b = senxor_encode_rreg (g_byte_array_new (),
      SENXOR_REG_SENXOR_TYPE);
  gint64 t0 = h->now;

  host_send (h, b);
  g_assert_false (host_next (h));
  g_assert_cmpint (senxor_emulator_next_event_us (h->emu, h->now), ==, t0 + 500000);
  g_assert_true (host_wait (h, G_USEC_PER_SEC));
  g_assert_cmpint (h->now - t0, ==, 500000);
  g_assert_cmpuint (h->msg.value, ==, 6);

  {
    /* replies leave in due order, and what fell due before a request goes
     * out before its answer (as on a real wire) */
    g_autoptr (Host) o = host_new ("faults=late-reply=1:100ms");
    g_autoptr (GByteArray) fw = senxor_encode_rreg (g_byte_array_new (),
        SENXOR_REG_FW_VERSION_1);
    g_autoptr (GByteArray) st = senxor_encode_rreg (g_byte_array_new (),
        SENXOR_REG_MODULE_TYPE);
    g_autoptr (GError) error = NULL;

    host_send (o, b);                               /* 6, due at +100 ms */
    o->now += 50000;
    g_assert_true (senxor_emulator_set_faults (o->emu, "late-reply=1:10ms", &error));
    host_send (o, fw);                              /* 0x47, due at +60 ms */
    g_assert_true (host_wait (o, G_USEC_PER_SEC));
    g_assert_cmpuint (o->msg.value, ==, 0x47);
    g_assert_true (senxor_emulator_set_faults (o->emu, NULL, &error));
    o->now += 200000;                               /* the 6 is due, unread */
    host_send (o, st);                              /* 28, on time */
    g_assert_true (host_next (o));
    g_assert_cmpuint (o->msg.value, ==, 6);
    g_assert_true (host_next (o));
    g_assert_cmpuint (o->msg.value, ==, 28);
  }
  {
    g_autoptr (Host) d = host_new ("faults=drop-reply=1");
    SenxorEmulatorStats st;

    host_send (d, b);
    g_assert_false (host_wait (d, 10 * G_USEC_PER_SEC));
    senxor_emulator_get_stats (d->emu, &st);
    g_assert_cmpuint (st.replies_dropped, ==, 1);
  }
  {
    /* at a rate: some late, some dropped, the rest on time */
    g_autoptr (Host) r = host_new ("seed=9&faults=late-reply=0.3:100ms,drop-reply=0.3");
    guint on_time = 0;
    SenxorEmulatorStats st;

    for (guint i = 0; i < 100; i++) {
      host_send (r, b);
      if (host_next (r))
        on_time++;
      r->now += 200000;          /* late ones arrive in between */
      while (host_next (r))
        ;
    }
    senxor_emulator_get_stats (r->emu, &st);
    g_assert_cmpuint (st.replies_dropped, >, 10);
    g_assert_cmpuint (st.replies_late, >, 5);
    g_assert_cmpuint (on_time, ==, 100 - st.replies_dropped - st.replies_late);
  }
}

static void
test_faults_reboot (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=flat&faults=reboot@2s");
  SenxorFrameLayout l;

  host_wreg (h, SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  host_wreg (h, SENXOR_REG_EMISSIVITY, 80);
  while (host_wait (h, 3 * G_USEC_PER_SEC))
    g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_GFRA);
  /* the stream stopped by itself: power-up registers */
  g_assert_false (senxor_emulator_is_streaming (h->emu));
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_FRAME_MODE), ==, SENXOR_FRAME_MODE_NO_HEADER);
  g_assert_cmpuint (host_rreg (h, SENXOR_REG_EMISSIVITY), ==,
      SENXOR_EMULATOR_EMISSIVITY_DEFAULT);
  /* and the counter starts again */
  host_start (h);
  host_frame (h, &l);
  g_assert_cmpuint (senxor_emulator_get_frame_number (h->emu), ==, 1);
}

static void
test_faults_disconnect_time (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=flat&faults=disconnect@1500ms");
  guint id = senxor_emulator_connect (h->emu);

  host_start (h);
  while (host_wait (h, 2 * G_USEC_PER_SEC))
    ;
  g_assert_false (senxor_emulator_connection_alive (h->emu, id));
  g_assert_cmpint (h->now - 1000000, >=, 1500000);
  /* a new connection: the device is still streaming */
  id = senxor_emulator_connect (h->emu);
  senxor_decoder_reset (h->dec);
  g_assert_true (host_wait (h, G_USEC_PER_SEC));
  g_assert_cmpint (h->msg.kind, ==, SENXOR_MSG_GFRA);
  g_assert_true (senxor_emulator_connection_alive (h->emu, id));
}

/* A disconnect that falls due while nobody is connected drops nobody. */
static void
test_faults_disconnect_unconnected (void)
{
  g_autoptr (Host) h = host_new ("module=mi08&scene=flat&faults=disconnect@1s,stall=1s@1500ms");
  SenxorEmulatorStats st;
  SenxorFrameLayout l;
  guint id;

  host_start (h);
  senxor_emulator_hangup (h->emu, senxor_emulator_connect (h->emu));
  h->now += 3 * G_USEC_PER_SEC;
  g_assert_cmpint (senxor_emulator_next_event_us (h->emu, h->now), ==, G_MAXINT64);
  id = senxor_emulator_connect (h->emu);
  senxor_decoder_reset (h->dec);
  /* the stall (1.5 s to 2.5 s) is over too: frames at once */
  host_frame (h, &l);
  g_assert_cmpint (h->now - 1000000, <=, 3 * G_USEC_PER_SEC + 40000);
  g_assert_true (senxor_emulator_connection_alive (h->emu, id));
  senxor_emulator_get_stats (h->emu, &st);
  g_assert_cmpuint (st.disconnects, ==, 0);
  g_assert_cmpuint (st.stalls, ==, 1);
}

/* ---- the in-process transport ---- */

static gssize
t_read_frame (SenxorTransport *t, SenxorDecoder *dec, SenxorMessage *msg, GError **error)
{
  for (;;) {
    guint8 buf[16384];
    gssize n;

    while (senxor_decoder_next (dec, msg, NULL) == SENXOR_DECODE_MESSAGE)
      if (msg->kind == SENXOR_MSG_GFRA)
        return 1;
    n = t->klass->read (t, buf, sizeof buf, 5 * G_USEC_PER_SEC, NULL, error);
    if (n < 0)
      return n;
    senxor_decoder_feed (dec, buf, n);
  }
}

static void
test_transport_disconnect (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) params = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autoptr (SenxorEmulator) again = NULL;
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GByteArray) start = senxor_encode_wreg (g_byte_array_new (),
      SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  SenxorTransport *t, *t2;
  SenxorMessage msg;
  guint frames = 0;

  g_hash_table_insert (params, "module", "mi05");
  g_hash_table_insert (params, "fast", "1");
  g_hash_table_insert (params, "faults", "disconnect@10f");
  emu = senxor_emulator_get_shared ("test-disconnect", params, &error);
  g_assert_no_error (error);
  again = senxor_emulator_get_shared ("test-disconnect", NULL, &error);
  g_assert_true (emu == again);
  g_clear_pointer (&again, senxor_emulator_unref);
  again = senxor_emulator_lookup ("test-disconnect");
  g_assert_true (emu == again);
  g_assert_null (senxor_emulator_lookup ("no-such-emulator"));

  t = senxor_emulator_transport_new (emu);
  g_assert_cmpstr (t->klass->name, ==, "emulator");
  g_assert_true (t->klass->write (t, start->data, start->len, -1, NULL, &error));
  while (t_read_frame (t, dec, &msg, &error) > 0)
    frames++;
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
  g_assert_cmpuint (frames, ==, 10);
  g_clear_error (&error);
  g_assert_false (t->klass->write (t, start->data, start->len, -1, NULL, &error));
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
  g_clear_error (&error);
  t->klass->close (t);

  /* reopening the named instance reconnects; it is still streaming */
  t = senxor_emulator_transport_new (emu);
  senxor_decoder_reset (dec);
  g_assert_cmpint (t_read_frame (t, dec, &msg, &error), ==, 1);
  g_assert_no_error (error);
  /* a second open supersedes the first */
  t2 = senxor_emulator_transport_new (emu);
  g_assert_cmpint (t_read_frame (t, dec, &msg, &error), <, 0);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_DISCONNECTED);
  g_clear_error (&error);
  senxor_decoder_reset (dec);
  g_assert_cmpint (t_read_frame (t2, dec, &msg, &error), ==, 1);
  t->klass->close (t);
  t2->klass->close (t2);
  g_assert_true (senxor_emulator_forget_shared ("test-disconnect"));
  g_assert_false (senxor_emulator_forget_shared ("test-disconnect"));
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_transport_timeout_cancel (void)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi08", NULL);
  SenxorTransport *t = senxor_emulator_transport_new (emu);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) b = senxor_encode_rreg (g_byte_array_new (),
      SENXOR_REG_SENXOR_TYPE);
  GThread *thread;
  guint8 buf[64];
  gint64 t0;
  gssize n;

  /* not streaming: a read times out */
  t0 = g_get_monotonic_time ();
  n = t->klass->read (t, buf, sizeof buf, 50000, NULL, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 50000);
  g_clear_error (&error);

  /* a request is answered at once */
  g_assert_true (t->klass->write (t, b->data, b->len, -1, NULL, &error));
  n = t->klass->read (t, buf, sizeof buf, G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 18);
  g_assert_cmpmem (buf, 14, "   #000ARREG05", 14);

  /* cancelling from another thread ends an endless wait */
  thread = g_thread_new ("cancel", cancel_later, cancel);
  n = t->klass->read (t, buf, sizeof buf, -1, cancel, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED);
  g_thread_join (thread);
  t->klass->close (t);
}

/* With the real clock, starting the stream with set_register after a quiet
 * while must not count the quiet time as lost frames. */
static void
test_transport_set_register (void)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fps=50", NULL);
  SenxorTransport *t = senxor_emulator_transport_new (emu);
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  g_autoptr (GError) error = NULL;
  SenxorFrameHeader hdr;
  SenxorFrameLayout l;
  SenxorMessage msg;
  guint8 buf[16];

  g_assert_cmpint (t->klass->read (t, buf, sizeof buf, 1000, NULL, &error), ==, -1);
  g_assert_error (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_usleep (300000);
  senxor_emulator_set_register (emu, SENXOR_REG_FRAME_MODE,
      SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  g_assert_cmpint (t_read_frame (t, dec, &msg, &error), ==, 1);
  g_assert_true (senxor_frame_layout_from_contents_len (msg.contents_len, &l));
  senxor_frame_header_parse (msg.contents + l.reserved_bytes, &hdr);
  g_assert_cmpuint (hdr.counter, ==, 1);
  g_assert_false (senxor_emulator_get_register (emu, SENXOR_REG_STATUS) &
      SENXOR_STATUS_READOUT_TOO_SLOW);
  t->klass->close (t);
}

/* A test thread reads registers while a streaming thread drives the device. */
static gpointer
stream_thread (gpointer data)
{
  SenxorTransport *t = data;
  g_autoptr (SenxorDecoder) dec = senxor_decoder_new ();
  SenxorMessage msg;
  guint frames = 0;

  while (frames < 200 && t_read_frame (t, dec, &msg, NULL) > 0)
    frames++;
  return GUINT_TO_POINTER (frames);
}

static void
test_threads (void)
{
  g_autoptr (SenxorEmulator) emu = senxor_emulator_new ("module=mi05&fast=1", NULL);
  SenxorTransport *t = senxor_emulator_transport_new (emu);
  g_autoptr (GByteArray) b = senxor_encode_wreg (g_byte_array_new (),
      SENXOR_REG_FRAME_MODE, SENXOR_FRAME_MODE_CONTINUOUS_STREAM);
  GThread *thread;
  guint reads = 0;

  g_assert_true (t->klass->write (t, b->data, b->len, -1, NULL, NULL));
  thread = g_thread_new ("stream", stream_thread, t);
  while (senxor_emulator_get_frames_sent (emu) < 150) {
    g_assert_cmpuint (senxor_emulator_get_register (emu, SENXOR_REG_SENXOR_TYPE), ==, 9);
    senxor_emulator_set_register (emu, SENXOR_REG_OFFSET_CORR, (guint8) reads);
    reads++;
  }
  g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (thread)), ==, 200);
  g_assert_cmpuint (reads, >, 0);
  t->klass->close (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/emulator/options", test_options);
  g_test_add_func ("/emulator/registers/identity", test_identity);
  g_test_add_func ("/emulator/registers/serial-numbers", test_serial_numbers);
  g_test_add_func ("/emulator/registers/semantics", test_register_semantics);
  g_test_add_func ("/emulator/registers/nomodule", test_nomodule);
  g_test_add_func ("/emulator/frame/layouts", test_frame_layouts);
  g_test_add_func ("/emulator/frame/units", test_frame_units);
  g_test_add_func ("/emulator/frame/single", test_single_frame);
  g_test_add_func ("/emulator/frame/stop", test_stop_stream);
  g_test_add_func ("/emulator/frame/set-register-clock", test_set_register_clock);
  g_test_add_func ("/emulator/frame/corrections", test_corrections);
  g_test_add_func ("/emulator/pacing/injected", test_pacing_injected);
  g_test_add_func ("/emulator/pacing/real", test_pacing_real);
  g_test_add_func ("/emulator/scene/people", test_scene_people);
  g_test_add_func ("/emulator/scene/hotspot-flat", test_scene_hotspot_flat);
  g_test_add_func ("/emulator/scene/generator", test_generator);
  g_test_add_func ("/emulator/faults/stream", test_faults_stream);
  g_test_add_func ("/emulator/faults/stall", test_faults_stall);
  g_test_add_func ("/emulator/faults/replies", test_faults_replies);
  g_test_add_func ("/emulator/faults/reboot", test_faults_reboot);
  g_test_add_func ("/emulator/faults/disconnect-time", test_faults_disconnect_time);
  g_test_add_func ("/emulator/faults/disconnect-unconnected",
      test_faults_disconnect_unconnected);
  g_test_add_func ("/emulator/transport/disconnect", test_transport_disconnect);
  g_test_add_func ("/emulator/transport/timeout-cancel", test_transport_timeout_cancel);
  g_test_add_func ("/emulator/transport/set-register", test_transport_set_register);
  g_test_add_func ("/emulator/transport/threads", test_threads);
  return g_test_run ();
}
