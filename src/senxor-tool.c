/* senxor-tool: list, inspect, configure and capture Senxor thermal cameras
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   senxor-tool list [--probe]
 *   senxor-tool info DEVICE
 *   senxor-tool controls [DEVICE]
 *   senxor-tool get DEVICE REGISTER|CONTROL
 *   senxor-tool set DEVICE REGISTER|CONTROL VALUE
 *   senxor-tool capture DEVICE -n N -o FILE [--format raw|pgm|csv]
 *   senxor-tool stream DEVICE [--seconds S]
 *
 * Exit codes are in docs/senxor-tool.md (and below, EXIT_*).  Every option
 * value is checked before a device is opened; a bad one is a usage error
 * (exit 2) whose one line names the option and its range.
 */
#include "config.h"

#include <senxor/senxor.h>

#include "options.h"

#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_NOT_FOUND = 3,
  EXIT_BUSY = 4,
  EXIT_PERMISSION = 5,
  EXIT_TIMEOUT = 6,
  EXIT_COMMUNICATION = 7,
  EXIT_DEVICE = 8,
  EXIT_INTERRUPTED = 130,
};

/* Ranges of the numeric options (seconds unless said otherwise) */
#define REGISTER_TIMEOUT_MIN 0.001
#define REGISTER_TIMEOUT_MAX \
  ((double) SENXOR_SESSION_MAX_REGISTER_TIMEOUT_US / G_USEC_PER_SEC)
#define FRAME_TIMEOUT_MIN 0.001
#define FRAME_TIMEOUT_MAX 3600.0
#define STREAM_SECONDS_MAX 31536000.0   /* 365 days */
#define DIVIDER_MAX ((int) SENXOR_FRAME_RATE_DIVIDER_MASK)

static GCancellable *interrupt;
static gboolean opt_verbose;
static char *opt_register_timeout_str;
static double opt_register_timeout = SENXOR_SESSION_DEFAULT_REGISTER_TIMEOUT_US / 1e6;

static const GOptionEntry common_entries[] = {
  {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print debug messages", NULL},
  {"register-timeout", 0, 0, G_OPTION_ARG_STRING, &opt_register_timeout_str,
      "Seconds to wait for a register reply, 0.001 .. 3600 (default 3)", "S"},
  {NULL}
};

static int
exit_code_for (const GError *error)
{
  if (error->domain != SENXOR_ERROR)
    return EXIT_FAILED;
  switch ((SenxorError) error->code) {
    case SENXOR_ERROR_NOT_FOUND:
      return EXIT_NOT_FOUND;
    case SENXOR_ERROR_BUSY:
      return EXIT_BUSY;
    case SENXOR_ERROR_PERMISSION:
      return EXIT_PERMISSION;
    case SENXOR_ERROR_TIMEOUT:
      return EXIT_TIMEOUT;
    case SENXOR_ERROR_PROTOCOL:
    case SENXOR_ERROR_DISCONNECTED:
    case SENXOR_ERROR_IO:
      return EXIT_COMMUNICATION;
    case SENXOR_ERROR_NO_MODULE:
    case SENXOR_ERROR_UNSUPPORTED:
      return EXIT_DEVICE;
    case SENXOR_ERROR_INVALID_ARGUMENT:
      return EXIT_USAGE;
    case SENXOR_ERROR_CANCELLED:
      return EXIT_INTERRUPTED;
    case SENXOR_ERROR_FAILED:
      break;
  }
  return EXIT_FAILED;
}

static int
fail (GError *error)
{
  int code = exit_code_for (error);

  g_printerr ("senxor-tool: %s\n", error->message);
  g_error_free (error);
  return code;
}

/* One line that says what is wrong, and where the help is (as
 * senxor-emulator does).  The prgname is "senxor-tool COMMAND". */
static int
usage_error (const char *message)
{
  g_printerr ("senxor-tool: %s\nTry '%s --help'.\n", message, g_get_prgname ());
  return EXIT_USAGE;
}

/* ---- option values ---- */

/* Parses the command line and checks the options every command has.  Numeric
 * option values are checked by tools/options.c, shared with the servers. */
static gboolean
parse_options (GOptionContext *ctx, int *argc, char ***argv, GError **error)
{
  if (!g_option_context_parse (ctx, argc, argv, error))
    return FALSE;
  /* GOption keeps "--" when an argument after it starts with '-' ("set DEV
   * emissivity -- -1"); as with getopt, it only ends the options */
  for (int i = 1; i < *argc; i++) {
    if (g_str_equal ((*argv)[i], "--")) {
      memmove (&(*argv)[i], &(*argv)[i + 1], (*argc - i) * sizeof (char *));
      (*argc)--;
      break;
    }
  }
  return tool_option_double ("--register-timeout", opt_register_timeout_str,
      REGISTER_TIMEOUT_MIN, REGISTER_TIMEOUT_MAX, "seconds", &opt_register_timeout, error);
}

/* ---- Ctrl-C: a thread turns SIGINT/SIGTERM into a cancel ---- */

static gboolean
on_signal (gpointer data)
{
  g_cancellable_cancel (interrupt);
  return G_SOURCE_CONTINUE;
}

static gpointer
signal_thread (gpointer data)
{
  GMainContext *ctx = data;

  for (;;)
    g_main_context_iteration (ctx, TRUE);
  return NULL;
}

static void
watch_signals (void)
{
  GMainContext *ctx = g_main_context_new ();
  int signals[] = { SIGINT, SIGTERM };

  /* the sources are made here, not in the thread: from the moment this
   * returns a signal cancels instead of killing the program */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++) {
    GSource *source = g_unix_signal_source_new (signals[i]);

    g_source_set_callback (source, on_signal, NULL, NULL);
    g_source_attach (source, ctx);
    g_source_unref (source);
  }
  g_thread_unref (g_thread_new ("signals", signal_thread, ctx));
}

static SenxorSession *
open_device (const char *device, GError **error)
{
  /* the range was checked: at least 1000 µs, at most the library's maximum */
  return senxor_session_open_full (device, (gint64) llround (opt_register_timeout * 1e6),
      interrupt, error);
}

/* ---- list ---- */

static int
cmd_list (int argc, char **argv)
{
  gboolean probe = FALSE;
  const GOptionEntry entries[] = {
    {"probe", 'p', 0, G_OPTION_ARG_NONE, &probe,
        "Open each free device to read its module and serial number", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- list Senxor cameras");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx,
      "Lists USB serial ports of Senxor cameras (0416:B002/B020/9393), Senxor USB\n"
      "devices without a driver (usb://), and the TCP devices and emulators named\n"
      "in SENXOR_TCP_DEVICES, SENXOR_EMULATORS and devices.conf (docs/devices.md).\n");
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc > 1)
    return usage_error ("list takes no arguments");

  list = senxor_discover_devices (SENXOR_DISCOVER_ALL | (probe ? SENXOR_DISCOVER_PROBE :
          0), &error);
  if (!list)
    return fail (g_steal_pointer (&error));
  if (list->len == 0) {
    g_printerr ("No Senxor cameras found.\n");
    return EXIT_OK;
  }
  g_print ("%-36s %-9s %-20s %s\n", "DEVICE", "KIND", "ID", "NAME");
  for (guint i = 0; i < list->len; i++) {
    SenxorDeviceDescription *d = list->pdata[i];
    g_print ("%-36s %-9s %-20s %s\n", d->device, senxor_device_kind_name (d->kind), d->id,
        d->display_name);
  }
  return EXIT_OK;
}

/* ---- info ---- */

static int
cmd_info (int argc, char **argv)
{
  gboolean no_registers = FALSE;
  const GOptionEntry entries[] = {
    {"no-registers", 0, 0, G_OPTION_ARG_NONE, &no_registers,
        "Do not list the registers", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE - show a camera's "
      "identity and registers");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  const SenxorDeviceInfo *info;
  const SenxorRegisterInfo *regs;
  guint n_regs;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx,
      "DEVICE: /dev/ttyACM0, tcp://HOST[:PORT], usb://..., emulator://?module=mi16\n");
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("info needs exactly one DEVICE");

  s = open_device (argv[1], &error);
  if (!s)
    return fail (g_steal_pointer (&error));
  info = senxor_session_get_info (s);
  g_print ("Device:         %s\n", info->device);
  g_print ("Module:         %s (SENXOR_TYPE %u, MODULE_TYPE %u)\n",
      senxor_module_name (info->module), info->senxor_type, info->module_type);
  g_print ("Frame:          %u x %u, up to %.1f fps (now %.1f fps, divider %u)\n",
      info->width, info->height, info->fps_max, senxor_session_get_frame_rate (s),
      senxor_session_get_frame_rate_divider (s));
  g_print ("Serial number:  %s\n", info->serial);
  g_print ("Firmware:       %u.%u.%u\n", info->fw_major, info->fw_minor, info->fw_build);
  g_print ("MCU:            %s (%u)\n", senxor_mcu_type_name (info->mcu_type),
      info->mcu_type);
  g_print ("Status:         0x%02X\n", info->status);
  if (no_registers)
    return EXIT_OK;

  g_print ("Registers:\n");
  regs = senxor_registers (&n_regs);
  for (guint i = 0; i < n_regs; i++) {
    guint8 v;
    if (!senxor_session_read_register (s, regs[i].address, &v, interrupt, &error))
      return fail (g_steal_pointer (&error));
    g_print ("  0x%02X %-20s 0x%02X %3u  %s  %s\n", regs[i].address, regs[i].name, v, v,
        regs[i].writable ? "rw" : "r ", regs[i].description);
  }
  return EXIT_OK;
}

/* ---- get / set ---- */

static void
print_register (guint8 address, guint8 value, gboolean quiet)
{
  const SenxorRegisterInfo *ri = senxor_register_lookup (address);

  if (quiet)
    g_print ("%u\n", value);
  else if (ri)
    g_print ("%s (0x%02X) = 0x%02X (%u)\n", ri->name, address, value, value);
  else
    g_print ("0x%02X = 0x%02X (%u)\n", address, value, value);
}

/* ---- controls: a camera setting in the unit users type elsewhere ----
 *
 * A control (libsenxor's table, senxor/controls.h) is asked for by its name
 * (case-insensitive) and takes and shows its value in the unit of the
 * senxorsrc property of the same name; its registers stay reachable, raw,
 * by their addresses. */

/* Reads the control's registers (raw[i] of control->registers[i]). */
static gboolean
read_control_raw (SenxorSession *s, const SenxorControlInfo *c, guint8 *raw,
    GError **error)
{
  for (guint i = 0; i < c->n_registers; i++)
    if (!senxor_session_read_register (s, c->registers[i], &raw[i], interrupt, error))
      return FALSE;
  return TRUE;
}

/* "offset-correction = -1.5 K (OFFSET_CORR 0xCB = 0xF1)", or the value alone */
static void
print_control (const SenxorControlInfo *c, const guint8 *raw, gboolean quiet)
{
  g_autofree char *shown = senxor_control_format (c, senxor_control_decode (c, raw));
  g_autoptr (GString) regs = g_string_new (NULL);

  if (quiet) {
    g_print ("%s\n", shown);
    return;
  }
  for (guint i = 0; i < c->n_registers; i++)
    g_string_append_printf (regs, "%s%s 0x%02X = 0x%02X", i ? ", " : "",
        senxor_register_lookup (c->registers[i])->name, c->registers[i], raw[i]);
  g_print ("%s = %s%s%s (%s)\n", c->name, shown, *c->unit ? " " : "", c->unit, regs->str);
}

/* The control's value as typed; the raw register is by its address. */
static gboolean
parse_control_value (const SenxorControlInfo *c, const char *str, gdouble *value,
    GError **error)
{
  g_autoptr (GError) local = NULL;

  if (senxor_control_parse (c, str, value, &local))
    return TRUE;
  if (g_ascii_strncasecmp (str, "0x", 2) == 0 && c->n_registers == 1)
    g_set_error (error, local->domain, local->code, "%s (the raw register is written "
        "by its address: 0x%02X)", local->message, c->registers[0]);
  else
    g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

/* The register or control named @name: a control when @control is set,
 * else the register's @address. */
static gboolean
parse_register_or_control (const char *name, const SenxorControlInfo **control,
    guint8 *address, GError **error)
{
  g_autoptr (GError) local = NULL;

  *control = senxor_control_lookup (name);
  if (*control || senxor_register_parse (name, address, &local))
    return TRUE;
  /* a name, not an address: it may have been meant as a control */
  if (strspn (name, "0123456789abcdefABCDEFxX") != strlen (name))
    g_set_error (error, local->domain, local->code, "%s, or a control such as "
        "emissivity ('senxor-tool controls' lists them)", local->message);
  else
    g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static const char controls_help[] =
    "CONTROL: a camera setting, in the unit of the senxorsrc property of the same\n"
    "name ('senxor-tool controls' lists them: emissivity, gain, median-filter, ...);\n"
    "their registers stay reachable raw by their addresses.\n";

static int
cmd_get (int argc, char **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
        "Print only the value (a register's in decimal)", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE REGISTER|CONTROL - "
      "read a register or a control");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  g_autofree char *description = NULL;
  const SenxorControlInfo *control;
  guint8 address = 0, value, raw[2];

  description = g_strconcat ("REGISTER: a name (FRAME_MODE) or an address (0xB1, B1).\n"
      "The registers are listed by 'senxor-tool info DEVICE'.\n", controls_help, NULL);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 3)
    return usage_error ("get needs a DEVICE and a REGISTER or CONTROL");
  if (!parse_register_or_control (argv[2], &control, &address, &error))
    return fail (g_steal_pointer (&error));

  s = open_device (argv[1], &error);
  if (!s)
    return fail (g_steal_pointer (&error));
  if (control) {
    if (!read_control_raw (s, control, raw, &error))
      return fail (g_steal_pointer (&error));
    print_control (control, raw, quiet);
    return EXIT_OK;
  }
  if (!senxor_session_read_register (s, address, &value, interrupt, &error))
    return fail (g_steal_pointer (&error));
  print_register (address, value, quiet);
  return EXIT_OK;
}

static gboolean
parse_value (const char *str, guint8 *out, GError **error)
{
  guint64 v;
  gboolean ok;

  if (g_ascii_strncasecmp (str, "0x", 2) == 0)
    ok = g_ascii_string_to_unsigned (str + 2, 16, 0, 255, &v, NULL);
  else
    ok = g_ascii_string_to_unsigned (str, 10, 0, 255, &v, NULL);
  if (!ok) {
    g_autofree char *shown = tool_shown_value (str);

    g_set_error (error, SENXOR_ERROR, SENXOR_ERROR_INVALID_ARGUMENT,
        "Invalid register value '%s': use 0 .. 255 or 0x00 .. 0xFF", shown);
    return FALSE;
  }
  *out = (guint8) v;
  return TRUE;
}

static int
cmd_set (int argc, char **argv)
{
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the value read back", NULL},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE REGISTER|CONTROL "
      "VALUE - write a register or a control");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  g_autofree char *description = NULL;
  const SenxorControlInfo *control;
  guint8 address = 0, value = 0, back, raw[2];
  gdouble want = 0, got;

  description = g_strconcat ("REGISTER: a name (FRAME_RATE) or an address (0xB4); its VALUE is\n"
      "0 .. 255 or 0x00 .. 0xFF.  A CONTROL's VALUE is in the control's unit.\n", controls_help,
      "Read-only registers are refused.  The value is read back and printed.\n"
      "Note: opening a camera stops its stream and resets TEMP_UNITS and NO_HEADER,\n"
      "and closing stops the stream, so FRAME_MODE streaming bits do not persist.\n",
      NULL);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 4)
    return usage_error ("set needs a DEVICE, a REGISTER or CONTROL and a VALUE");
  if (!parse_register_or_control (argv[2], &control, &address, &error) ||
      (control && !parse_control_value (control, argv[3], &want, &error)) ||
      (!control && !parse_value (argv[3], &value, &error)))
    return fail (g_steal_pointer (&error));
  if (control) {
    g_autofree char *wanted = NULL, *shown = NULL;

    s = open_device (argv[1], &error);
    if (!s || !senxor_session_write_control (s, control, want, NULL, interrupt, &error) ||
        !read_control_raw (s, control, raw, &error))
      return fail (g_steal_pointer (&error));
    print_control (control, raw, quiet);
    got = senxor_control_decode (control, raw);
    /* a value between two steps is rounded: no note for that */
    wanted = senxor_control_format (control, want);
    shown = senxor_control_format (control, got);
    if (!quiet && g_strcmp0 (wanted, shown) != 0 &&
        fabs (got - want) * control->divisor > 0.5 + 1e-9)
      g_printerr ("senxor-tool: note: the device reads back %s, not %s\n", shown, wanted);
    return EXIT_OK;
  }
  if (senxor_register_lookup (address) && !senxor_register_lookup (address)->writable) {
    g_printerr ("senxor-tool: %s (0x%02X) is read-only\n",
        senxor_register_lookup (address)->name, address);
    return EXIT_USAGE;
  }

  s = open_device (argv[1], &error);
  if (!s || !senxor_session_write_register (s, address, value, interrupt, &error) ||
      !senxor_session_read_register (s, address, &back, interrupt, &error))
    return fail (g_steal_pointer (&error));
  print_register (address, back, quiet);
  if (back != value && !quiet)
    g_printerr ("senxor-tool: note: the device reads back 0x%02X, not 0x%02X\n", back,
        value);
  return EXIT_OK;
}

/* ---- controls ---- */

/* "0.01 .. 1.00", "-12.8 .. 12.7 K", "1|auto|0.25|0.5", "true|false" */
static char *
control_range (const SenxorControlInfo *c)
{
  g_autofree char *lo = NULL, *hi = NULL;
  GString *out;

  switch (c->type) {
    case SENXOR_CONTROL_BOOLEAN:
      return g_strdup ("true|false");
    case SENXOR_CONTROL_ENUM:
      out = g_string_new (NULL);
      for (guint i = 0; i < c->n_values; i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "", c->values[i].nick);
      return g_string_free (out, FALSE);
    case SENXOR_CONTROL_INTEGER:
    case SENXOR_CONTROL_DOUBLE:
      break;
  }
  lo = senxor_control_format (c, c->min);
  hi = senxor_control_format (c, c->max);
  return g_strdup_printf ("%s .. %s%s%s", lo, hi, *c->unit ? " " : "", c->unit);
}

static int
cmd_controls (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[DEVICE] - list the camera "
      "controls, with a camera's values");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  SenxorControlRegisters regs;
  const SenxorControlInfo *controls;
  guint n;

  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx,
      "Lists the controls 'get' and 'set' take by name, in the units of the senxorsrc\n"
      "properties of the same names: name, range, default and description; with a\n"
      "DEVICE, also the camera's current value of each.\n");
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc > 2)
    return usage_error ("controls takes at most one DEVICE");

  if (argc == 2) {
    s = open_device (argv[1], &error);
    senxor_control_registers_clear (&regs);
    if (!s || !senxor_session_read_controls (s, &regs, interrupt, &error))
      return fail (g_steal_pointer (&error));
  }
  controls = senxor_controls (&n);
  if (s)
    g_print ("%-25s %-8s %-22s %-8s %s\n", "NAME", "VALUE", "RANGE", "DEFAULT",
        "DESCRIPTION");
  else
    g_print ("%-25s %-22s %-8s %s\n", "NAME", "RANGE", "DEFAULT", "DESCRIPTION");
  for (guint i = 0; i < n; i++) {
    const SenxorControlInfo *c = &controls[i];
    g_autofree char *range = control_range (c);
    g_autofree char *def = senxor_control_format (c, c->default_value);

    if (s) {
      g_autofree char *shown = NULL;
      gdouble v;

      if (senxor_control_registers_get (&regs, c, &v))
        shown = senxor_control_format (c, v);
      g_print ("%-25s %-8s %-22s %-8s %s\n", c->name, shown ? shown : "?", range, def,
          c->description);
    } else {
      g_print ("%-25s %-22s %-8s %s\n", c->name, range, def, c->description);
    }
  }
  return EXIT_OK;
}

/* ---- frames ---- */

typedef struct {
  guint16 *pixels;
  gsize n;
  SenxorFrameInfo info;
} Frame;

static gboolean
start_stream (SenxorSession *s, int divider, GError **error)
{
  if (divider >= 0 && !senxor_session_set_frame_rate_divider (s, (guint) divider,
          interrupt, error))
    return FALSE;
  return senxor_session_start_stream (s, interrupt, error);
}

static void
frame_min_max (const Frame *f, double *min_c, double *max_c)
{
  guint16 lo = G_MAXUINT16, hi = 0;

  if (f->info.unit == SENXOR_UNIT_DECI_KELVIN) {
    for (gsize i = 0; i < f->n; i++) {
      lo = MIN (lo, f->pixels[i]);
      hi = MAX (hi, f->pixels[i]);
    }
    *min_c = senxor_pixel_to_celsius (lo, f->info.unit);
    *max_c = senxor_pixel_to_celsius (hi, f->info.unit);
    return;
  }
  *min_c = INFINITY;
  *max_c = -INFINITY;
  for (gsize i = 0; i < f->n; i++) {
    double c = senxor_pixel_to_celsius (f->pixels[i], f->info.unit);
    *min_c = MIN (*min_c, c);
    *max_c = MAX (*max_c, c);
  }
}

typedef enum {
  FORMAT_RAW,
  FORMAT_PGM,
  FORMAT_CSV,
} Format;

static gboolean
write_frame (FILE *out, Format format, const Frame *f, guint index)
{
  guint w = f->info.layout.width, h = f->info.layout.height;

  switch (format) {
    case FORMAT_RAW:
      for (gsize i = 0; i < f->n; i++) {
        guint16 le = GUINT16_TO_LE (f->pixels[i]);
        if (fwrite (&le, 2, 1, out) != 1)
          return FALSE;
      }
      return TRUE;
    case FORMAT_PGM:
      /* 16-bit PGM is big-endian; one image per frame, one after another */
      fprintf (out, "P5\n# senxor frame %" G_GUINT64_FORMAT ", unit 0.1 K\n%u %u\n65535\n",
          f->info.counter, w, h);
      for (gsize i = 0; i < f->n; i++) {
        guint16 be = GUINT16_TO_BE (f->pixels[i]);
        if (fwrite (&be, 2, 1, out) != 1)
          return FALSE;
      }
      return TRUE;
    case FORMAT_CSV:
      if (index > 0)
        fputc ('\n', out);
      for (guint y = 0; y < h; y++) {
        for (guint x = 0; x < w; x++) {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          double c = senxor_pixel_to_celsius (f->pixels[y * w + x], f->info.unit);
          fputs (g_ascii_formatd (buf, sizeof buf, "%.2f", c), out);
          fputc (x + 1 < w ? ',' : '\n', out);
        }
      }
      return !ferror (out);
  }
  return FALSE;
}

/* --divider D of capture and stream */
static gboolean
parse_divider (const char *str, int *divider, GError **error)
{
  return tool_option_int ("--divider", str, 0, DIVIDER_MAX, divider, error);
}

static int
cmd_capture (int argc, char **argv)
{
  int count = 1, divider = -1;
  char *output = NULL, *format_str = NULL;
  g_autofree char *count_str = NULL, *divider_str = NULL, *timeout_str = NULL;
  double timeout = -1;
  const GOptionEntry entries[] = {
    {"count", 'n', 0, G_OPTION_ARG_STRING, &count_str,
        "Frames to capture, 1 .. 2147483647 (default 1)", "N"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output file ('-': stdout)",
        "FILE"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &format_str,
        "raw (uint16 LE 0.1 K), pgm (16-bit) or csv (°C); default from FILE's "
        "extension, else raw", "FORMAT"},
    {"divider", 'd', 0, G_OPTION_ARG_STRING, &divider_str,
        "Frame rate divider, 0 .. 127 (fps = FPS_MAX / D)", "D"},
    {"timeout", 't', 0, G_OPTION_ARG_STRING, &timeout_str,
        "Seconds to wait for each frame, 0.001 .. 3600 (default: the vendor's rule)",
        "S"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE -n N -o FILE - "
      "capture frames to a file");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  g_autofree char *output_owned = NULL;
  g_autofree char *format_owned = NULL;
  const SenxorDeviceInfo *info;
  Format format = FORMAT_RAW;
  FILE *out;
  Frame f;
  int ret = EXIT_OK;
  int done = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx,
      "raw: width x height little-endian uint16 per frame, deci-Kelvin (K x 10).\n"
      "pgm: a 16-bit binary PGM per frame (maxval 65535, deci-Kelvin), concatenated.\n"
      "csv: a line of °C values per row, frames separated by an empty line.\n");
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  output_owned = output;
  format_owned = format_str;
  if (!tool_option_int ("-n/--count", count_str, 1, G_MAXINT, &count, &error) ||
      !parse_divider (divider_str, &divider, &error) ||
      !tool_option_double ("--timeout", timeout_str, FRAME_TIMEOUT_MIN,
          FRAME_TIMEOUT_MAX, "seconds", &timeout, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("capture needs exactly one DEVICE");
  if (!output)
    return usage_error ("capture needs -o FILE");
  if (!format_str)
    format_str = g_str_has_suffix (output, ".pgm") ? "pgm" :
        g_str_has_suffix (output, ".csv") ? "csv" : "raw";
  if (g_str_equal (format_str, "raw"))
    format = FORMAT_RAW;
  else if (g_str_equal (format_str, "pgm"))
    format = FORMAT_PGM;
  else if (g_str_equal (format_str, "csv"))
    format = FORMAT_CSV;
  else
    return usage_error ("--format must be raw, pgm or csv");

  s = open_device (argv[1], &error);
  if (!s || !start_stream (s, divider, &error))
    return fail (g_steal_pointer (&error));
  info = senxor_session_get_info (s);
  f.n = (gsize) info->width * info->height;
  f.pixels = g_new (guint16, f.n);

  out = g_str_equal (output, "-") ? stdout : fopen (output, "wb");
  if (!out) {
    g_printerr ("senxor-tool: cannot write %s: %s\n", output, g_strerror (errno));
    g_free (f.pixels);
    return EXIT_FAILED;
  }
  for (done = 0; done < count; done++) {
    if (!senxor_session_read_frame (s, f.pixels, f.n, &f.info,
            timeout < 0 ? -1 : (gint64) llround (timeout * 1e6), interrupt, &error)) {
      ret = fail (g_steal_pointer (&error));
      break;
    }
    if (!write_frame (out, format, &f, done)) {
      g_printerr ("senxor-tool: writing %s failed: %s\n", output, g_strerror (errno));
      ret = EXIT_FAILED;
      break;
    }
  }
  if ((out == stdout ? fflush (out) : fclose (out)) != 0 && ret == EXIT_OK) {
    g_printerr ("senxor-tool: writing %s failed: %s\n", output, g_strerror (errno));
    ret = EXIT_FAILED;
  }
  g_free (f.pixels);
  g_printerr ("Captured %d frame%s of %u x %u (%s) to %s\n", done, done == 1 ? "" : "s",
      info->width, info->height, format_str, output);
  return ret;
}

static int
cmd_stream (int argc, char **argv)
{
  double seconds = 0;
  int divider = -1;
  g_autofree char *seconds_str = NULL, *divider_str = NULL;
  const GOptionEntry entries[] = {
    {"seconds", 's', 0, G_OPTION_ARG_STRING, &seconds_str,
        "Stop after S seconds, 0 .. 31536000 (default 0: until Ctrl-C)", "S"},
    {"divider", 'd', 0, G_OPTION_ARG_STRING, &divider_str,
        "Frame rate divider, 0 .. 127 (fps = FPS_MAX / D)", "D"},
    {NULL}
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DEVICE - stream and show "
      "frame rate, lost frames and temperatures");
  g_autoptr (GError) error = NULL;
  g_autoptr (SenxorSession) s = NULL;
  const SenxorDeviceInfo *info;
  gboolean tty = isatty (STDOUT_FILENO);
  gint64 start, last_report, end;
  guint64 frames = 0, lost = 0, frames_at_report = 0;
  double min_c = NAN, max_c = NAN;
  int ret = EXIT_OK;
  Frame f;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, common_entries, NULL);
  g_option_context_set_description (ctx,
      "Prints once a second: frames, frame rate, frames lost and the last frame's\n"
      "minimum and maximum in °C; on a terminal the line is updated in place.\n");
  if (!parse_options (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (!tool_option_double ("--seconds", seconds_str, 0, STREAM_SECONDS_MAX,
          "seconds", &seconds, &error) ||
      !parse_divider (divider_str, &divider, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("stream needs exactly one DEVICE");

  s = open_device (argv[1], &error);
  if (!s || !start_stream (s, divider, &error))
    return fail (g_steal_pointer (&error));
  info = senxor_session_get_info (s);
  g_print ("%s: %s %u x %u, serial %s, %.1f fps\n", info->device,
      senxor_module_name (info->module), info->width, info->height, info->serial,
      senxor_session_get_frame_rate (s));
  f.n = (gsize) info->width * info->height;
  f.pixels = g_new (guint16, f.n);
  start = last_report = g_get_monotonic_time ();
  end = seconds > 0 ? start + (gint64) llround (seconds * 1e6) : G_MAXINT64;

  while (g_get_monotonic_time () < end) {
    gint64 now;
    gint64 timeout = MIN (senxor_session_get_frame_timeout (s),
        MAX (end - g_get_monotonic_time (), 0));

    if (!senxor_session_read_frame (s, f.pixels, f.n, &f.info, timeout, interrupt,
            &error)) {
      if (g_error_matches (error, SENXOR_ERROR, SENXOR_ERROR_CANCELLED)) {
        g_clear_error (&error);
        break;
      }
      /* the end came while waiting: not an error */
      if (g_error_matches (error, SENXOR_ERROR, SENXOR_ERROR_TIMEOUT) &&
          g_get_monotonic_time () >= end && timeout < senxor_session_get_frame_timeout (s)) {
        g_clear_error (&error);
        break;
      }
      if (tty)
        g_print ("\n");
      ret = fail (g_steal_pointer (&error));
      break;
    }
    frames++;
    lost += f.info.frames_lost;
    frame_min_max (&f, &min_c, &max_c);
    now = g_get_monotonic_time ();
    if (now - last_report >= G_USEC_PER_SEC) {
      double fps = (frames - frames_at_report) * 1e6 / (now - last_report);
      g_print ("%sframes %" G_GUINT64_FORMAT "  fps %.1f  lost %" G_GUINT64_FORMAT
          "  min %.1f °C  max %.1f °C%s", tty ? "\r\033[K" : "", frames, fps, lost,
          min_c, max_c, tty ? "" : "\n");
      fflush (stdout);
      last_report = now;
      frames_at_report = frames;
    }
  }
  g_free (f.pixels);
  if (ret == EXIT_OK) {
    double secs = (g_get_monotonic_time () - start) / 1e6;
    g_print ("%s%" G_GUINT64_FORMAT " frames in %.1f s (%.1f fps), %" G_GUINT64_FORMAT
        " lost, last frame min %.1f °C max %.1f °C\n", tty ? "\r\033[K" : "", frames,
        secs, secs > 0 ? frames / secs : 0.0, lost, min_c, max_c);
  }
  return ret;
}

/* ---- main ---- */

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  {"list", cmd_list, "list Senxor cameras"},
  {"info", cmd_info, "show a camera's identity and registers"},
  {"controls", cmd_controls, "list the camera controls (and a camera's values)"},
  {"get", cmd_get, "read a register or a control (emissivity, gain, ...)"},
  {"set", cmd_set, "write a register or a control (emissivity, gain, ...)"},
  {"capture", cmd_capture, "capture frames to a raw, PGM or CSV file"},
  {"stream", cmd_stream, "stream and show fps, lost frames, min/max °C"},
};

static void
print_usage (FILE *to)
{
  fprintf (to, "Usage: senxor-tool COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (to, "  %-8s  %s\n", commands[i].name, commands[i].summary);
  fprintf (to, "\n'senxor-tool COMMAND --help' shows a command's options.\n"
      "DEVICE: /dev/ttyACM0, tcp://HOST[:PORT], usb://[VID:PID[:SERIAL]] or\n"
      "emulator://?module=mi16 (see docs/devices.md).\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 busy, 5 permission,\n"
      "6 timeout, 7 communication error, 8 no sensor module or unsupported, "
      "130 interrupted.\n");
}

int
main (int argc, char **argv)
{
  static char help_arg[] = "--help";
  char *help_args[4];
  const char *name;
  int ret;

  setlocale (LC_ALL, "");
  if (argc < 2) {
    print_usage (stderr);
    return EXIT_USAGE;
  }
  name = argv[1];
  if (g_str_equal (name, "--help") || g_str_equal (name, "-h")) {
    print_usage (stdout);
    return EXIT_OK;
  }
  if (g_str_equal (name, "--version")) {
    g_print ("senxor-tool %s\n", PACKAGE_VERSION);
    return EXIT_OK;
  }
  if (g_str_equal (name, "help") && argc >= 3) {
    /* "help CMD" is "CMD --help" */
    help_args[0] = argv[0];
    help_args[1] = argv[2];
    help_args[2] = help_arg;
    help_args[3] = NULL;
    argc = 3;
    argv = help_args;
    name = argv[1];
  } else if (g_str_equal (name, "help")) {
    print_usage (stdout);
    return EXIT_OK;
  }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (g_str_equal (commands[i].name, name)) {
      g_autofree char *prgname = g_strconcat ("senxor-tool ", name, NULL);

      g_set_prgname (prgname);
      interrupt = g_cancellable_new ();
      watch_signals ();
      /* argv[1] becomes the program name the option parser skips */
      for (int a = 2; a < argc; a++)
        if (g_str_equal (argv[a], "-v") || g_str_equal (argv[a], "--verbose"))
          g_log_set_debug_enabled (TRUE);
      ret = commands[i].run (argc - 1, argv + 1);
      g_debug ("exit code %d", ret);
      /* the cancellable stays: the signal thread may still use it */
      return ret;
    }
  }
  g_printerr ("senxor-tool: unknown command '%s'\n\n", name);
  print_usage (stderr);
  return EXIT_USAGE;
}
