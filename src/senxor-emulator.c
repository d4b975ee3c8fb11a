/* senxor-emulator: a virtual Senxor camera on a pty or a TCP port
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <senxor/senxor.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static char *opt_module, *opt_fps, *opt_scene, *opt_seed, *opt_faults, *opt_serial;
static char *opt_fw, *opt_link, *opt_tcp;
static gboolean opt_fast, opt_nomodule, opt_pty, opt_verbose;

static const GOptionEntry entries[] = {
  {"module", 'm', 0, G_OPTION_ARG_STRING, &opt_module,
      "mi08 (80x62), mi16 (160x120) or mi05 (50x50); default mi16", "MODULE"},
  {"fps", 'f', 0, G_OPTION_ARG_STRING, &opt_fps,
      "Frame rate at FRAME_RATE divider 1 (default: the module's FPS_MAX, 25.5 or 30)",
      "FPS"},
  {"scene", 's', 0, G_OPTION_ARG_STRING, &opt_scene,
      "people, hotspot, gradient or flat (default people)", "SCENE"},
  {"seed", 0, 0, G_OPTION_ARG_STRING, &opt_seed,
      "Seed of the scene and of every random fault (default 1)", "N"},
  {"faults", 0, 0, G_OPTION_ARG_STRING, &opt_faults,
      "Fault list, see below (default: none)", "LIST"},
  {"fast", 0, 0, G_OPTION_ARG_NONE, &opt_fast,
      "No pacing: send each frame as soon as the previous one was read", NULL},
  {"serial", 0, 0, G_OPTION_ARG_STRING, &opt_serial,
      "Serial number YYWWLLSSSSSS, 12 hex digits (default: derived from the "
      "address it serves, the same on every run)", "SN"},
  {"fw", 0, 0, G_OPTION_ARG_STRING, &opt_fw,
      "Firmware version MAJOR.MINOR.BUILD (default 4.7.45)", "VERSION"},
  {"nomodule", 0, 0, G_OPTION_ARG_NONE, &opt_nomodule,
      "Behave like an MI48 without a sensor module (SERR)", NULL},
  {"pty", 0, 0, G_OPTION_ARG_NONE, &opt_pty,
      "Serve on a new pseudo-terminal (a virtual serial port)", NULL},
  {"link", 0, 0, G_OPTION_ARG_FILENAME, &opt_link,
      "With --pty: also make PATH a symlink to it (kept up to date)", "PATH"},
  {"tcp", 0, 0, G_OPTION_ARG_STRING, &opt_tcp,
      "Serve on TCP [HOST:]PORT (HOST default 127.0.0.1; PORT 0 = any free port)",
      "[HOST:]PORT"},
  {"verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Print debug messages", NULL},
  {NULL}
};

static const char description[] =
    "Runs a Senxor (MI48xx) device model behind the real byte protocol until\n"
    "SIGINT or SIGTERM.  It prints where it listens (the pty path, or\n"
    "tcp://HOST:PORT) on the first line of standard output.\n"
    "\n"
    "Fault list (comma-separated, deterministic from --seed):\n"
    "  garbage=RATE            random bytes before a message\n"
    "  badsum=RATE             a message with a wrong checksum\n"
    "  truncate=RATE           a frame cut short\n"
    "  drop-reply=RATE         a register reply never sent\n"
    "  late-reply=RATE[:DELAY] a register reply sent DELAY later (default 4s)\n"
    "  stall=DURATION@WHEN     silence for DURATION from WHEN\n"
    "  disconnect@WHEN         drop the connection (a new one is accepted)\n"
    "  reboot@WHEN             registers back to power-up\n"
    "RATE is a probability 0..1 per message; DURATION is like 2s or 500ms;\n"
    "WHEN is device time since start (30s, 1500ms) or frames sent (100f).\n"
    "\n"
    "Examples:\n"
    "  senxor-emulator --module mi08 --pty --link /tmp/senxor0\n"
    "  senxor-emulator --module mi16 --fps 25 --scene people --seed 1 \\\n"
    "      --faults 'garbage=0.01,badsum=0.001,stall=2s@30s,disconnect@60s' --tcp 3333\n"
    "\n"
    "Exit status: 0 after SIGINT/SIGTERM, 1 when it cannot serve, 2 for bad options.\n"
    "See docs/emulator.md.";

static gboolean
usage_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static gboolean
usage_error (const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  fputs ("senxor-emulator: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputs ("\nTry 'senxor-emulator --help'.\n", stderr);
  va_end (ap);
  return FALSE;
}

/* The library names a value by its key in a device string ("emulator option
 * fps: ...", "faults: ..."); here it is an option: "--fps: ...". */
static char *
as_option_message (const char *message)
{
  static const char prefix[] = "emulator option ";

  if (g_str_has_prefix (message, prefix))
    return g_strconcat ("--", message + strlen (prefix), NULL);
  if (g_str_has_prefix (message, "faults: ") || g_str_has_prefix (message, "scene: "))
    return g_strconcat ("--", message, NULL);
  return g_strdup (message);
}

/* "3333", "HOST:3333", "[::1]:3333" */
static gboolean
parse_tcp (const char *spec, char **host, guint16 *port)
{
  const char *colon = strrchr (spec, ':');
  const char *port_str = colon ? colon + 1 : spec;
  guint64 p;

  if (!g_ascii_string_to_unsigned (port_str, 10, 0, 65535, &p, NULL))
    return FALSE;
  *port = (guint16) p;
  *host = NULL;
  if (colon && colon > spec) {
    if (spec[0] == '[' && colon[-1] == ']')
      *host = g_strndup (spec + 1, colon - spec - 2);
    else
      *host = g_strndup (spec, colon - spec);
  }
  return TRUE;
}

typedef struct {
  GMainLoop *loop;
  SenxorEmulatorServer *server;
  char *last_path;
} App;

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (((App *) data)->loop);
  return G_SOURCE_CONTINUE;
}

/* A disconnect fault replaces the pty: say where the new one is. */
static gboolean
watch_pty (gpointer data)
{
  App *app = data;
  g_autofree char *path = senxor_emulator_server_dup_pty_path (app->server);

  if (g_strcmp0 (path, app->last_path) != 0) {
    printf ("%s\n", path);
    fflush (stdout);
    g_free (app->last_path);
    app->last_path = g_steal_pointer (&path);
  }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (SenxorEmulator) emu = NULL;
  g_autofree char *host = NULL;
  g_autofree char *address = NULL;
  guint16 port = 0;
  App app = { 0 };

  setlocale (LC_ALL, "");
  ctx = g_option_context_new ("(--pty [--link PATH] | --tcp [HOST:]PORT) - an emulated "
      "Senxor camera");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error ("%s", error->message), EXIT_USAGE;
  if (argc > 1)
    return usage_error ("unexpected argument '%s'", argv[1]), EXIT_USAGE;
  if (opt_pty == (opt_tcp != NULL))
    return usage_error ("choose where to serve: --pty or --tcp [HOST:]PORT"), EXIT_USAGE;
  if (opt_link && !opt_pty)
    return usage_error ("--link needs --pty"), EXIT_USAGE;
  if (opt_tcp && !parse_tcp (opt_tcp, &host, &port))
    return usage_error ("--tcp: bad value '%s'; accepted: PORT, HOST:PORT or "
        "[IPV6]:PORT with PORT 0-65535", opt_tcp), EXIT_USAGE;
  if (opt_verbose)
    g_setenv ("G_MESSAGES_DEBUG", "senxor", TRUE);

  params = g_hash_table_new (g_str_hash, g_str_equal);
#define PARAM(key, val) if (val) g_hash_table_insert (params, (gpointer) key, (gpointer) (val))
  PARAM ("module", opt_module);
  PARAM ("fps", opt_fps);
  PARAM ("scene", opt_scene);
  PARAM ("seed", opt_seed);
  PARAM ("faults", opt_faults);
  PARAM ("serial", opt_serial);
  PARAM ("fw", opt_fw);
  PARAM ("fast", opt_fast ? "1" : NULL);
  PARAM ("nomodule", opt_nomodule ? "1" : NULL);
#undef PARAM
  emu = senxor_emulator_new_from_params (params, &error);
  if (!emu) {
    g_autofree char *message = as_option_message (error->message);

    return usage_error ("%s", message), EXIT_USAGE;
  }

  /* handlers first: whoever reads the address may signal us at once */
  app.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, &app);
  g_unix_signal_add (SIGTERM, on_signal, &app);

  if (opt_pty)
    app.server = senxor_emulator_server_new_pty (emu, opt_link, &error);
  else
    app.server = senxor_emulator_server_new_tcp (emu, host, port, &error);
  if (!app.server) {
    fprintf (stderr, "senxor-emulator: %s\n", error->message);
    g_main_loop_unref (app.loop);
    return 1;
  }

  address = senxor_emulator_server_dup_address (app.server);
  if (opt_pty) {
    app.last_path = senxor_emulator_server_dup_pty_path (app.server);
    printf ("%s\n", app.last_path);
    if (opt_link)
      fprintf (stderr, "senxor-emulator: %s -> %s\n", opt_link, app.last_path);
  } else {
    printf ("%s\n", address);
  }
  fflush (stdout);
  {
    guint w, h;
    senxor_emulator_get_size (emu, &w, &h);
    fprintf (stderr, "senxor-emulator: %s %ux%u at %.1f fps, scene %s on %s "
        "(Ctrl-C to stop)\n", senxor_module_name (senxor_emulator_get_module (emu)), w, h,
        senxor_emulator_get_fps (emu), senxor_emulator_get_scene (emu), address);
  }

  if (opt_pty)
    g_timeout_add (200, watch_pty, &app);
  g_main_loop_run (app.loop);

  senxor_emulator_server_free (app.server);
  g_main_loop_unref (app.loop);
  g_free (app.last_path);
  return 0;
}
