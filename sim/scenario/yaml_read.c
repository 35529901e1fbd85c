/*
 * sim/scenario/yaml_read.c: typed readers, errors, unknown keys and suggestions.
 *
 * Every message has the form "expected WHAT, got GOT", located at the value (file, line,
 * column of the value, its key path), except a missing key (at the map) and an unknown key
 * (at the key). The exact phrasings, which tests/test_yaml.c checks:
 *
 * WHAT, numbers (min/max of -INFINITY/INFINITY leave a side open; GT_MIN/LT_MAX exclusive):
 *   a number                        both sides open
 *   a number >= 0                   a number > 0          (min only)
 *   a number <= 1                   a number < 1          (max only)
 *   a number between 0 and 1        both, inclusive
 *   a number > 0 and <= 1           both, one or both exclusive (">= 0 and < 1", ...)
 * integers say "a whole number" instead of "a number" (LONG_MIN/LONG_MAX leave a side open),
 * fractions "a fraction"; bounds are printed in the shortest form that reads back exactly.
 *   true or false                   bools
 *   a date (YYYY-MM-DD)             dates (a real calendar date)
 *   a string / a map / a sequence
 *   one of "separate", "pooled", "mutual_aid"      enums, plus (did you mean "pooled"?)
 *
 * GOT:
 *   "-3"                            the scalar's text, quoted, escaped, cut after 60 bytes
 *   the string "12"                 a quoted scalar where a number, bool or fraction is read
 *   nothing                         an empty plain value (`key:` with nothing after it)
 *   a map / a sequence
 *
 * Others:
 *   number out of range: "1e400"                        finite syntax, infinite value
 *   missing required key "horizon_days"                  at the map; path "parent.horizon_days"
 *   unknown key "sesions_per_week" (did you mean "sessions_per_week"?)   at the key
 *   unexpected item (nothing reads it)                   an unread sequence item
 *
 * Numbers: [+-]? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, nothing else (no ".5",
 * "5.", "0x1A", "1_000", ".inf"). Whole numbers may be written "2.0" or "1e3"; a value with
 * a fraction part is "expected a whole number ..., got "2.5"". Fractions add "5%" = 0.05.
 */
#include "yaml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "yaml_internal.h"

/* ---- lookup ----------------------------------------------------------------------- */

/* Remember that someone asked `map` for `key`: the best suggestion for a misspelt key. */
static void record_asked(const sim_node *map, const char *key)
{
    sim_node_tree *t = map->tree;
    if (!t)
        return;
    /*
     * Readers ask one map for its keys together, so looking back over the last few entries
     * catches nearly every repeat; a full scan made loading quadratic in the file's size
     * (seconds for a national scenario). A repeat that slips through only costs memory.
     */
    size_t first = t->n_asked > 64 ? t->n_asked - 64 : 0;
    for (size_t i = first; i < t->n_asked; i++)
        if (t->asked[i].map == map && strcmp(t->asked[i].key, key) == 0)
            return;
    if (t->n_asked == t->cap_asked) {
        size_t cap = t->cap_asked ? t->cap_asked * 2 : 16;
        sim__asked *p = realloc(t->asked, cap * sizeof *p);
        if (!p)
            return; /* suggestions are best effort */
        t->asked = p;
        t->cap_asked = cap;
    }
    char *copy = strdup(key);
    if (!copy)
        return;
    t->asked[t->n_asked].map = map;
    t->asked[t->n_asked].key = copy;
    t->n_asked++;
}

sim_node *sim_node_get(const sim_node *map, const char *key)
{
    if (!map || map->kind != SIM_NODE_MAP)
        return NULL;
    record_asked(map, key);
    long i = sim__map_find(map, key);
    return i < 0 ? NULL : map->items[i];
}

bool sim_node_has(const sim_node *map, const char *key)
{
    return sim_node_get(map, key) != NULL;
}

void sim_node_mark_used(sim_node *node, bool recursive)
{
    if (!node)
        return;
    node->used = true;
    if (recursive)
        for (size_t i = 0; i < node->n; i++)
            sim_node_mark_used(node->items[i], true);
}

/* ---- messages ---------------------------------------------------------------------- */



/* The shortest decimal form of x that reads back as x. */
static void format_number(double x, char *buf, size_t size)
{
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, size, "%.0f", x);
        return;
    }
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* "a number >= 0", "a whole number between 1 and 10", "a fraction > 0 and < 1", ... */
static void describe_range(const char *what, const char *lo, const char *hi, unsigned flags,
                           char *buf, size_t size)
{
    const char *ge = flags & SIM_NODE_GT_MIN ? ">" : ">=";
    const char *le = flags & SIM_NODE_LT_MAX ? "<" : "<=";
    if (!lo && !hi)
        snprintf(buf, size, "%s", what);
    else if (!hi)
        snprintf(buf, size, "%s %s %s", what, ge, lo);
    else if (!lo)
        snprintf(buf, size, "%s %s %s", what, le, hi);
    else if (!(flags & (SIM_NODE_GT_MIN | SIM_NODE_LT_MAX)))
        snprintf(buf, size, "%s between %s and %s", what, lo, hi);
    else
        snprintf(buf, size, "%s %s %s and %s %s", what, ge, lo, le, hi);
}

static void describe_real_range(const char *what, double min, double max, unsigned flags,
                                char *buf, size_t size)
{
    char lo[40], hi[40];
    if (isfinite(min))
        format_number(min, lo, sizeof lo);
    if (isfinite(max))
        format_number(max, hi, sizeof hi);
    describe_range(what, isfinite(min) ? lo : NULL, isfinite(max) ? hi : NULL, flags, buf,
                   size);
}

static int expected(const sim_node *node, const char *what, bool string_if_quoted,
                    struct sim_error *err)
{
    char got[320];
    sim__describe(node, string_if_quoted, got, sizeof got);
    return sim_node_error(node, err, "expected %s, got %s", what, got);
}

/* A number too large for a double or a long; with the range when the reader has one. */
static int out_of_range(const sim_node *node, const char *what, struct sim_error *err)
{
    char got[320];
    sim__describe(node, false, got, sizeof got);
    if (strcmp(what, "a number") == 0 || strcmp(what, "a whole number") == 0 ||
        strcmp(what, "a fraction") == 0)
        return sim_node_error(node, err, "number out of range: %s", got);
    return sim_node_error(node, err, "number out of range: %s (expected %s)", got, what);
}

/* ---- fetching a value --------------------------------------------------------------- */

/*
 * The node to read: `map` itself when key is NULL, else its value under key. *out is NULL
 * (and SIM_OK returned) when an optional key is absent.
 */
static int fetch(const sim_node *map, const char *key, bool optional, sim_node **out,
                 struct sim_error *err)
{
    if (!key) {
        *out = (sim_node *)map;
        ((sim_node *)map)->used = true;
        return SIM_OK;
    }
    if (map->kind != SIM_NODE_MAP)
        return expected(map, "a map", false, err);
    sim_node *node = sim_node_get(map, key);
    if (!node) {
        *out = NULL;
        if (optional)
            return SIM_OK;
        char *path = sim__path_key(map->path, key);
        if (!path)
            return sim__nomem(err);
        int rc = sim_error_set(err, SIM_EINPUT, map->file, map->key_line, map->key_column,
                               path, "missing required key \"%s\"", key);
        free(path);
        return rc;
    }
    node->used = true;
    *out = node;
    return SIM_OK;
}

int sim_node_map(const sim_node *map, const char *key, sim_node **out, struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, false, &node, err);
    if (rc != SIM_OK)
        return rc;
    if (node->kind != SIM_NODE_MAP)
        return expected(node, "a map", false, err);
    *out = node;
    return SIM_OK;
}

int sim_node_seq(const sim_node *map, const char *key, sim_node **out, struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, false, &node, err);
    if (rc != SIM_OK)
        return rc;
    if (node->kind != SIM_NODE_SEQ)
        return expected(node, "a sequence", false, err);
    *out = node;
    return SIM_OK;
}

/* ---- numbers ------------------------------------------------------------------------ */

enum { NUM_OK, NUM_SYNTAX, NUM_RANGE };

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The strict decimal grammar of the file comment; *integer_form when no '.' and no exponent. */
static int strict_number(const char *s, size_t len, double *out, bool *integer_form)
{
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i >= len || !digit(s[i]))
        return NUM_SYNTAX;
    if (s[i] == '0') {
        i++;
        if (i < len && digit(s[i]))
            return NUM_SYNTAX; /* a leading zero: "08", "010" */
    } else {
        while (i < len && digit(s[i]))
            i++;
    }
    *integer_form = true;
    if (i < len && s[i] == '.') {
        i++;
        *integer_form = false;
        if (i >= len || !digit(s[i]))
            return NUM_SYNTAX;
        while (i < len && digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        *integer_form = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !digit(s[i]))
            return NUM_SYNTAX;
        while (i < len && digit(s[i]))
            i++;
    }
    if (i != len)
        return NUM_SYNTAX;
    char *copy = strndup(s, len);
    if (!copy)
        return -1;
    double v = strtod(copy, NULL);
    free(copy);
    if (isinf(v))
        return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

static bool in_range(double v, double min, double max, unsigned flags)
{
    bool lo = flags & SIM_NODE_GT_MIN ? v > min : v >= min;
    bool hi = flags & SIM_NODE_LT_MAX ? v < max : v <= max;
    return lo && hi;
}

/* Numbers and fractions (percent allowed when `fraction`). */
static int read_real(const sim_node *map, const char *key, double min, double max,
                     unsigned flags, bool fraction, double *out, struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, flags & SIM_NODE_OPTIONAL, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    char what[160];
    describe_real_range(fraction ? "a fraction" : "a number", min, max, flags, what,
                        sizeof what);
    if (node->kind != SIM_NODE_SCALAR || node->quoted)
        return expected(node, what, true, err);
    size_t len = strlen(node->text);
    bool percent = fraction && len > 0 && node->text[len - 1] == '%';
    double v = 0;
    bool integer_form;
    int r = strict_number(node->text, percent ? len - 1 : len, &v, &integer_form);
    if (r < 0)
        return sim__nomem(err);
    if (r == NUM_RANGE)
        return out_of_range(node, what, err);
    if (r == NUM_SYNTAX)
        return expected(node, what, true, err);
    if (percent)
        v /= 100;
    if (!in_range(v, min, max, flags))
        return expected(node, what, true, err);
    *out = v;
    return SIM_OK;
}

int sim_node_number_ex(const sim_node *map, const char *key, double min, double max,
                       unsigned flags, double *out, struct sim_error *err)
{
    return read_real(map, key, min, max, flags, false, out, err);
}

int sim_node_fraction_ex(const sim_node *map, const char *key, double min, double max,
                         unsigned flags, double *out, struct sim_error *err)
{
    return read_real(map, key, min, max, flags, true, out, err);
}

int sim_node_number(const sim_node *map, const char *key, double min, double max, double *out,
                    struct sim_error *err)
{
    return read_real(map, key, min, max, 0, false, out, err);
}

int sim_node_opt_number(const sim_node *map, const char *key, double min, double max,
                        double *out, struct sim_error *err)
{
    return read_real(map, key, min, max, SIM_NODE_OPTIONAL, false, out, err);
}

int sim_node_fraction(const sim_node *map, const char *key, double min, double max,
                      double *out, struct sim_error *err)
{
    return read_real(map, key, min, max, 0, true, out, err);
}

int sim_node_opt_fraction(const sim_node *map, const char *key, double min, double max,
                          double *out, struct sim_error *err)
{
    return read_real(map, key, min, max, SIM_NODE_OPTIONAL, true, out, err);
}

static int read_int(const sim_node *map, const char *key, long min, long max, bool optional,
                    long *out, struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, optional, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    char lo[24], hi[24], what[160];
    snprintf(lo, sizeof lo, "%ld", min);
    snprintf(hi, sizeof hi, "%ld", max);
    describe_range("a whole number", min == LONG_MIN ? NULL : lo, max == LONG_MAX ? NULL : hi,
                   0, what, sizeof what);
    if (node->kind != SIM_NODE_SCALAR || node->quoted)
        return expected(node, what, true, err);
    double v = 0;
    bool integer_form;
    int r = strict_number(node->text, strlen(node->text), &v, &integer_form);
    if (r < 0)
        return sim__nomem(err);
    if (r == NUM_SYNTAX)
        return expected(node, what, true, err);
    long x = 0;
    if (r == NUM_OK && integer_form) {
        /* Exact: large integers do not pass through a double. */
        errno = 0;
        x = strtol(node->text, NULL, 10);
        if (errno == ERANGE)
            r = NUM_RANGE;
    } else if (r == NUM_OK) {
        if (v != floor(v))
            return expected(node, what, true, err);
        if (v < -9223372036854775808.0 || v >= 9223372036854775808.0)
            r = NUM_RANGE;
        else
            x = (long)v;
    }
    if (r == NUM_RANGE)
        return out_of_range(node, what, err);
    if (x < min || x > max)
        return expected(node, what, true, err);
    *out = x;
    return SIM_OK;
}

int sim_node_int(const sim_node *map, const char *key, long min, long max, long *out,
                 struct sim_error *err)
{
    return read_int(map, key, min, max, false, out, err);
}

int sim_node_opt_int(const sim_node *map, const char *key, long min, long max, long *out,
                     struct sim_error *err)
{
    return read_int(map, key, min, max, true, out, err);
}

/* ---- strings, bools, dates, enums --------------------------------------------------- */

static int read_string(const sim_node *map, const char *key, bool optional, const char **out,
                       struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, optional, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    if (node->kind != SIM_NODE_SCALAR || (!node->quoted && node->text[0] == '\0'))
        return expected(node, "a string", false, err);
    *out = node->text;
    return SIM_OK;
}

int sim_node_string(const sim_node *map, const char *key, const char **out,
                    struct sim_error *err)
{
    return read_string(map, key, false, out, err);
}

int sim_node_opt_string(const sim_node *map, const char *key, const char **out,
                        struct sim_error *err)
{
    return read_string(map, key, true, out, err);
}

static int read_bool(const sim_node *map, const char *key, bool optional, bool *out,
                     struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, optional, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    if (node->kind == SIM_NODE_SCALAR && !node->quoted) {
        if (strcmp(node->text, "true") == 0) {
            *out = true;
            return SIM_OK;
        }
        if (strcmp(node->text, "false") == 0) {
            *out = false;
            return SIM_OK;
        }
    }
    return expected(node, "true or false", true, err);
}

int sim_node_bool(const sim_node *map, const char *key, bool *out, struct sim_error *err)
{
    return read_bool(map, key, false, out, err);
}

int sim_node_opt_bool(const sim_node *map, const char *key, bool *out, struct sim_error *err)
{
    return read_bool(map, key, true, out, err);
}

/*
 * "YYYY-MM-DD", a real Gregorian date. Local rather than sim_date_parse so the reader does
 * not depend on calendar.c; the rules are the same.
 */
/* Why a well-formed YYYY-MM-DD is no day of the calendar ("" if it is one). */
static void date_problem(const char *s, char *why, size_t size)
{
    static const char *const months[12] = {"January", "February", "March",     "April",
                                           "May",     "June",     "July",      "August",
                                           "September", "October", "November", "December"};
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1)
        snprintf(why, size, ": there is no year 0");
    else if (m < 1 || m > 12)
        snprintf(why, size, ": there is no month %02d", m);
    else if (d < 1)
        snprintf(why, size, ": there is no day 00");
    else
        snprintf(why, size, ": that day does not exist (%s %d has %d days)", months[m - 1], y,
                 days[m - 1] + (m == 2 && leap));
}

static bool well_formed_date(const char *s)
{
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !digit(s[i]))
            return false;
    }
    return s[10] == '\0';
}

static bool parse_date(const char *s, sim_date *out)
{
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !digit(s[i]))
            return false;
    }
    if (s[10] != '\0')
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > days[m - 1] + (m == 2 && leap))
        return false;
    out->year = y;
    out->month = m;
    out->day = d;
    return true;
}

static int read_date(const sim_node *map, const char *key, bool optional, sim_date *out,
                     struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, optional, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    if (node->kind == SIM_NODE_SCALAR && parse_date(node->text, out))
        return SIM_OK;
    if (node->kind != SIM_NODE_SCALAR || !well_formed_date(node->text))
        return expected(node, "a date (YYYY-MM-DD)", false, err);
    char got[320], why[96];
    sim__describe(node, false, got, sizeof got);
    date_problem(node->text, why, sizeof why);
    return sim_node_error(node, err, "expected a date (YYYY-MM-DD), got %s%s", got, why);
}

int sim_node_date(const sim_node *map, const char *key, sim_date *out, struct sim_error *err)
{
    return read_date(map, key, false, out, err);
}

int sim_node_opt_date(const sim_node *map, const char *key, sim_date *out,
                      struct sim_error *err)
{
    return read_date(map, key, true, out, err);
}

static int read_enum(const sim_node *map, const char *key, const char *const *choices,
                     bool optional, int *out, struct sim_error *err)
{
    sim_node *node;
    int rc = fetch(map, key, optional, &node, err);
    if (rc != SIM_OK || !node)
        return rc;
    if (node->kind == SIM_NODE_SCALAR)
        for (int i = 0; choices[i]; i++)
            if (strcmp(node->text, choices[i]) == 0) {
                *out = i;
                return SIM_OK;
            }
    char what[700];
    size_t n = (size_t)snprintf(what, sizeof what, "one of ");
    for (int i = 0; choices[i] && n < sizeof what; i++)
        n += (size_t)snprintf(what + n, sizeof what - n, "%s\"%s\"", i ? ", " : "", choices[i]);
    char got[320];
    sim__describe(node, false, got, sizeof got);
    const char *near = node->kind == SIM_NODE_SCALAR ? sim_closest_word(node->text, choices)
                                                     : NULL;
    if (near)
        return sim_node_error(node, err, "expected %s, got %s (did you mean \"%s\"?)", what,
                              got, near);
    return sim_node_error(node, err, "expected %s, got %s", what, got);
}

int sim_node_enum(const sim_node *map, const char *key, const char *const *choices, int *out,
                  struct sim_error *err)
{
    return read_enum(map, key, choices, false, out, err);
}

int sim_node_opt_enum(const sim_node *map, const char *key, const char *const *choices,
                      int *out, struct sim_error *err)
{
    return read_enum(map, key, choices, true, out, err);
}

/* ---- unknown keys ------------------------------------------------------------------- */

/*
 * Optimal string alignment distance (Levenshtein plus swapping two neighbours, so
 * "sesions"/"sessions" and "pooeld"/"pooled" are both one edit), giving up above `limit`.
 */
static int edit_distance(const char *a, const char *b, int limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > (size_t)limit)
        return limit + 1;
    int rows[3][130];
    int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        int best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        int *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

/* Short words (4 bytes or fewer) allow one edit, longer ones two; ties go to the first. */
const char *sim_closest_word(const char *word, const char *const *candidates)
{
    int limit = strlen(word) <= 4 ? 1 : 2;
    const char *best = NULL;
    int best_d = limit + 1;
    for (size_t i = 0; candidates[i]; i++) {
        int d = edit_distance(word, candidates[i], limit);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

static int unknown_key(const sim_node *map, size_t i, const char *const *candidates,
                       struct sim_error *err)
{
    const sim_node *item = map->items[i];
    const char *key = map->keys[i];
    const char *near = candidates ? sim_closest_word(key, candidates) : NULL;
    if (near)
        return sim_error_set(err, SIM_EINPUT, item->file, item->key_line, item->key_column,
                             item->path, "unknown key \"%s\" (did you mean \"%s\"?)", key,
                             near);
    return sim_error_set(err, SIM_EINPUT, item->file, item->key_line, item->key_column,
                         item->path, "unknown key \"%s\"", key);
}

int sim_node_check_keys(const sim_node *map, const char *const *allowed, struct sim_error *err)
{
    if (map->kind != SIM_NODE_MAP)
        return expected(map, "a map", false, err);
    for (size_t i = 0; i < map->n; i++) {
        bool ok = false;
        for (size_t k = 0; allowed[k] && !ok; k++)
            ok = strcmp(map->keys[i], allowed[k]) == 0;
        if (!ok)
            return unknown_key(map, i, allowed, err);
    }
    return SIM_OK;
}

/* Suggestions for an unread key of `map`: the keys readers asked it for, then its read keys. */
static int unused_key(const sim_node *map, size_t i, struct sim_error *err)
{
    const sim_node_tree *t = map->tree;
    size_t cap = map->n + (t ? t->n_asked : 0) + 1, n = 0;
    const char **cands = malloc(cap * sizeof *cands);
    if (cands) {
        for (size_t a = 0; t && a < t->n_asked; a++)
            if (t->asked[a].map == map && strcmp(t->asked[a].key, map->keys[i]) != 0)
                cands[n++] = t->asked[a].key;
        for (size_t k = 0; k < map->n; k++)
            if (map->items[k]->used && strcmp(map->keys[k], map->keys[i]) != 0)
                cands[n++] = map->keys[k];
        cands[n] = NULL;
    }
    int rc = unknown_key(map, i, (const char *const *)cands, err);
    free(cands);
    return rc;
}

/*
 * A map or sequence whose parts a reader took (a list item read key by key) counts as read:
 * what is unread inside it is then reported at its own line by the recursion.
 */
static bool read_in_part(const sim_node *node)
{
    if (node->used)
        return true;
    for (size_t i = 0; i < node->n; i++)
        if (read_in_part(node->items[i]))
            return true;
    return false;
}

static int check_unused(const sim_node *node, struct sim_error *err)
{
    for (size_t i = 0; i < node->n; i++) {
        const sim_node *item = node->items[i];
        if (!read_in_part(item)) {
            if (node->kind == SIM_NODE_MAP)
                return unused_key(node, i, err);
            return sim_node_error(item, err, "unexpected item (nothing reads it)");
        }
        int rc = check_unused(item, err);
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

int sim_node_check_unused(const sim_node *root, struct sim_error *err)
{
    return check_unused(root, err);
}
