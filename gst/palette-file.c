/* Palettes of thermalcolormap and thermaloverlay; palette files
 * (format: docs/palettes.md)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A hand-written scanner rather than sscanf/strtod: the text need not be
 * NUL-terminated, the locale must not change the meaning of "0.5", and every
 * rejection names its line and reason.  Work is linear in the input.
 *
 * Reading the file is here too, so that every element that takes a
 * palette-file reads it the same way (and never blocks on a FIFO).
 */
#include "palette-file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

G_DEFINE_QUARK (thermal-palette-error-quark, thermal_palette_error)

#define MAX_VALUES 4
#define MAX_INT_DIGITS 9
#define MAX_FRAC_DIGITS 9
#define SHOWN_TOKEN_MAX 24

typedef struct {
  const char *start;
  gsize len;
  gboolean negative;
  gboolean has_point;
  guint64 int_part;
  guint64 frac;                 /* the digits after the point as an integer */
  guint frac_digits;
} Token;

typedef struct {
  guint level;
  guint8 rgb[3];
} Stop;

/* A token quoted for a message: printable ASCII only, bounded length. */
static gchar *
token_display (const Token *t)
{
  GString *s = g_string_new ("\"");
  gsize i;

  for (i = 0; i < t->len && i < SHOWN_TOKEN_MAX; i++) {
    guchar c = (guchar) t->start[i];
    g_string_append_c (s, (c >= 0x20 && c < 0x7f) ? (gchar) c : '?');
  }
  if (t->len > SHOWN_TOKEN_MAX)
    g_string_append (s, "...");
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static gboolean
is_separator (guchar c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';'
      || c == '\v' || c == '\f';
}

static gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

/* Parses [-]DIGITS[.DIGITS] or [-].DIGITS; fills @t, or sets @error. */
static gboolean
parse_number (Token *t, guint line, GError **error)
{
  gsize i = 0;
  guint int_digits = 0;
  gboolean any_digit = FALSE;

  if (t->len > 0 && t->start[0] == '-') {
    t->negative = TRUE;
    i++;
  }
  for (; i < t->len && is_digit (t->start[i]); i++) {
    any_digit = TRUE;
    if (t->int_part == 0 && t->start[i] == '0')
      continue;                 /* leading zeros do not count */
    if (++int_digits > MAX_INT_DIGITS)
      continue;                 /* reported below as out of range */
    t->int_part = t->int_part * 10 + (guint64) (t->start[i] - '0');
  }
  if (i < t->len && t->start[i] == '.') {
    t->has_point = TRUE;
    for (i++; i < t->len && is_digit (t->start[i]); i++) {
      any_digit = TRUE;
      if (++t->frac_digits > MAX_FRAC_DIGITS) {
        g_autofree gchar *shown = token_display (t);
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_SYNTAX,
            "line %u: %s has more than %d decimal places", line, shown,
            MAX_FRAC_DIGITS);
        return FALSE;
      }
      t->frac = t->frac * 10 + (guint64) (t->start[i] - '0');
    }
  }
  if (i != t->len || !any_digit) {
    g_autofree gchar *shown = token_display (t);
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_SYNTAX,
        "line %u: %s is not a number (values are decimal numbers "
        "separated by spaces, tabs or commas)", line, shown);
    return FALSE;
  }
  if (int_digits > MAX_INT_DIGITS)
    t->int_part = G_MAXUINT32;  /* surely out of every range */
  return TRUE;
}

static gboolean
get_colour (const Token *t, guint line, const char *channel, guint8 *out,
    GError **error)
{
  g_autofree gchar *shown = NULL;

  if (t->has_point) {
    shown = token_display (t);
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_SYNTAX,
        "line %u: %s value %s is not an integer (colour values are whole "
        "numbers 0-255)", line, channel, shown);
    return FALSE;
  }
  if (t->negative || t->int_part > 255) {
    shown = token_display (t);
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_RANGE,
        "line %u: %s value %s is out of range 0-255", line, channel, shown);
    return FALSE;
  }
  *out = (guint8) t->int_part;
  return TRUE;
}

static gboolean
get_position (const Token *t, guint line, guint *level, GError **error)
{
  g_autofree gchar *shown = NULL;

  if (t->negative) {
    shown = token_display (t);
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_RANGE,
        "line %u: position %s is negative (positions are levels 0-255, "
        "or fractions 0.0-1.0 written with a decimal point)", line, shown);
    return FALSE;
  }
  if (!t->has_point) {
    if (t->int_part > 255) {
      shown = token_display (t);
      g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_RANGE,
          "line %u: position %s is out of range 0-255 (write fractions "
          "0.0-1.0 with a decimal point)", line, shown);
      return FALSE;
    }
    *level = (guint) t->int_part;
    return TRUE;
  }
  if (t->int_part > 1 || (t->int_part == 1 && t->frac > 0)) {
    shown = token_display (t);
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_RANGE,
        "line %u: position %s is above 1.0 (a position with a decimal point "
        "is a fraction 0.0-1.0; write levels 0-255 without one)", line, shown);
    return FALSE;
  }
  {
    /* level = round (fraction * 255), exactly, in integers */
    guint64 scale = 1;
    guint d;

    for (d = 0; d < t->frac_digits; d++)
      scale *= 10;
    *level = (guint) ((2 * (t->int_part * scale + t->frac) * 255 + scale)
        / (2 * scale));
  }
  return TRUE;
}

/* num / den rounded half away from zero; den > 0. */
static gint
div_round (gint num, gint den)
{
  if (num >= 0)
    return (2 * num + den) / (2 * den);
  return -((-2 * num + den) / (2 * den));
}

static void
interpolate (const Stop *stops, guint n_stops, guint8 lut[256][3])
{
  guint i, k = 0;
  gboolean before_first;

  for (i = 0; i < 256; i++) {
    /* k = the last stop at or below level i */
    while (k + 1 < n_stops && stops[k + 1].level <= i)
      k++;
    before_first = stops[0].level > i;
    if (before_first || k + 1 == n_stops) {
      memcpy (lut[i], stops[before_first ? 0 : k].rgb, 3);
    } else {
      const Stop *a = &stops[k], *b = &stops[k + 1];
      gint span = (gint) (b->level - a->level);  /* > 0: b->level > i */
      guint c;

      for (c = 0; c < 3; c++)
        lut[i][c] = (guint8) (a->rgb[c] + div_round (
                (b->rgb[c] - a->rgb[c]) * (gint) (i - a->level), span));
    }
  }
}

gboolean
thermal_palette_parse (const char *text, gsize len, guint8 lut[256][3],
    GError **error)
{
  static const char *const channels[3] = { "red", "green", "blue" };
  guint8 table[256][3];
  Stop stops[256];
  guint n_rows = 0, n_stops = 0;
  guint form = 0;               /* 3: table, 4: gradient, 0: not yet known */
  guint form_line = 0;
  guint line = 0;
  gsize pos = 0;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (lut != NULL, FALSE);

  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    pos = 3;                    /* a UTF-8 byte order mark */

  while (pos < len || (line == 0 && len == 0)) {
    Token tokens[MAX_VALUES];
    guint n = 0, c;
    gsize end = pos;
    gboolean comment = FALSE;

    line++;
    while (end < len && text[end] != '\n')
      end++;

    while (pos < end) {
      guchar ch = (guchar) text[pos];
      gsize start;

      if (ch == '#')
        comment = TRUE;
      if (comment || is_separator (ch)) {
        pos++;
        continue;
      }
      start = pos;
      while (pos < end && text[pos] != '#' && !is_separator (text[pos]))
        pos++;
      if (n == MAX_VALUES) {
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_SYNTAX,
            "line %u: more than %d values (a row is \"R G B\" or "
            "\"POSITION R G B\")", line, MAX_VALUES);
        return FALSE;
      }
      memset (&tokens[n], 0, sizeof (Token));
      tokens[n].start = text + start;
      tokens[n].len = pos - start;
      if (!parse_number (&tokens[n], line, error))
        return FALSE;
      n++;
    }
    pos = end + 1;              /* past the newline */

    if (n == 0)
      continue;                 /* blank or comment-only line */
    if (form == 0) {
      if (n != 3 && n != 4) {
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_SYNTAX,
            "line %u: expected 3 values \"R G B\" (a 256-row table) or 4 "
            "values \"POSITION R G B\" (gradient stops), found %u", line, n);
        return FALSE;
      }
      form = n;
      form_line = line;
    } else if (n != form) {
      g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_SYNTAX,
          "line %u: expected %u values (%s, as set by line %u), found %u",
          line, form, form == 3 ? "\"R G B\" table row" :
          "\"POSITION R G B\" gradient stop", form_line, n);
      return FALSE;
    }

    if (form == 3) {
      if (n_rows == 256) {
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_COUNT,
            "line %u: more than 256 table rows (one row per level 0-255)",
            line);
        return FALSE;
      }
      for (c = 0; c < 3; c++)
        if (!get_colour (&tokens[c], line, channels[c], &table[n_rows][c],
                error))
          return FALSE;
      n_rows++;
    } else {
      Stop *s;

      if (n_stops == 256) {
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_COUNT,
            "line %u: more than 256 gradient stops", line);
        return FALSE;
      }
      s = &stops[n_stops];
      if (!get_position (&tokens[0], line, &s->level, error))
        return FALSE;
      if (n_stops > 0 && s->level < stops[n_stops - 1].level) {
        g_set_error (error, THERMAL_PALETTE_ERROR,
            THERMAL_PALETTE_ERROR_ORDER,
            "line %u: stop at level %u comes after a stop at level %u "
            "(positions must not decrease)", line, s->level,
            stops[n_stops - 1].level);
        return FALSE;
      }
      for (c = 0; c < 3; c++)
        if (!get_colour (&tokens[c + 1], line, channels[c], &s->rgb[c],
                error))
          return FALSE;
      n_stops++;
    }
  }

  /* the last line: a final newline does not start another line */
  line = MAX (line, 1);
  if (form == 0) {
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_EMPTY,
        "line %u: no colour rows (the file is empty or only has comments "
        "and blank lines)", line);
    return FALSE;
  }
  if (form == 3 && n_rows != 256) {
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_COUNT,
        "line %u: end of file after %u table rows, a table needs exactly "
        "256 (one per level 0-255)", line, n_rows);
    return FALSE;
  }
  if (form == 4 && n_stops < 2) {
    g_set_error (error, THERMAL_PALETTE_ERROR, THERMAL_PALETTE_ERROR_COUNT,
        "line %u: end of file after 1 gradient stop, a gradient needs at "
        "least 2", line);
    return FALSE;
  }

  if (form == 3)
    memcpy (lut, table, sizeof (table));
  else
    interpolate (stops, n_stops, lut);
  return TRUE;
}

/* ---- reading the file ---- */

static const char *
file_kind (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a plain file";
}

static gboolean
set_errno_error (GError **error, int e)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), "%s",
      g_strerror (e));
  return FALSE;
}

gboolean
thermal_palette_load (const char *path, guint8 lut[256][3], GError **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize got = 0;
  int fd;

  /* O_NONBLOCK: open() of a FIFO without a writer (or of some devices) would
   * wait, forever; the type is then checked on what was opened, so nothing
   * can be swapped in between.  Regular files ignore O_NONBLOCK. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    return set_errno_error (error, errno);
  if (fstat (fd, &st) != 0) {
    int e = errno;
    close (fd);
    return set_errno_error (error, e);
  }
  if (!S_ISREG (st.st_mode)) {
    close (fd);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "not a regular file (%s)", file_kind (st.st_mode));
    return FALSE;
  }
  if (st.st_size > THERMAL_PALETTE_FILE_MAX_SIZE) {
    close (fd);
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "larger than %d bytes; a palette file is a few kB",
        THERMAL_PALETTE_FILE_MAX_SIZE);
    return FALSE;
  }
  /* one byte more than allowed: a file that grew since fstat() is noticed */
  buf = g_malloc (THERMAL_PALETTE_FILE_MAX_SIZE + 1);
  while (got <= THERMAL_PALETTE_FILE_MAX_SIZE) {
    gssize n = read (fd, buf + got, THERMAL_PALETTE_FILE_MAX_SIZE + 1 - got);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int e = errno;
      close (fd);
      return set_errno_error (error, e);
    }
    if (n == 0)
      break;
    got += (gsize) n;
  }
  close (fd);
  if (got > THERMAL_PALETTE_FILE_MAX_SIZE) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "larger than %d bytes; a palette file is a few kB",
        THERMAL_PALETTE_FILE_MAX_SIZE);
    return FALSE;
  }
  return thermal_palette_parse (buf, got, lut, error);
}

GType
gst_thermal_palette_get_type (void)
{
  static GType type = 0;
  static GEnumValue values[GST_THERMAL_PALETTE_COUNT + 1];

  if (g_once_init_enter (&type)) {
    GType t;
    guint i;

    /* The names and order come from the generated table file, so the enum
     * and the tables cannot disagree. */
    for (i = 0; i < GST_THERMAL_PALETTE_COUNT; i++) {
      values[i].value = (gint) i;
      values[i].value_name = thermal_palette_descriptions[i];
      values[i].value_nick = thermal_palette_nicks[i];
    }
    values[GST_THERMAL_PALETTE_COUNT].value = 0;
    values[GST_THERMAL_PALETTE_COUNT].value_name = NULL;
    values[GST_THERMAL_PALETTE_COUNT].value_nick = NULL;
    t = g_enum_register_static ("GstThermalPalette", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GBytes *
thermal_palette_builtin_colors (GstThermalPalette palette)
{
  g_return_val_if_fail ((guint) palette < GST_THERMAL_PALETTE_COUNT, NULL);
  G_STATIC_ASSERT (sizeof (thermal_palette_tables[0]) ==
      THERMAL_PALETTE_COLORS_SIZE);
  return g_bytes_new_static (thermal_palette_tables[palette],
      THERMAL_PALETTE_COLORS_SIZE);
}

GBytes *
thermal_palette_load_colors (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  guint8 *lut = g_malloc (THERMAL_PALETTE_COLORS_SIZE);

  if (!thermal_palette_load (path, (guint8 (*)[3]) lut, &local)) {
    g_free (lut);
    g_set_error (error, local->domain, local->code,
        local->domain == THERMAL_PALETTE_ERROR ?
        "Invalid palette file \"%s\": %s" :
        "Could not read palette file \"%s\": %s", path, local->message);
    return NULL;
  }
  return g_bytes_new_take (lut, THERMAL_PALETTE_COLORS_SIZE);
}
