/*
 * sim/scenario/dated_months_yaml.c: reading factors for particular months
 * (core/dated_months.h) from a scenario: `by_month: {2022-12: 0.6}` or `by_month: FILE.csv`.
 */
#include "core/dated_months.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "yaml.h"
#include "yaml_internal.h"

#define MAX_FACTOR 1e6

/* "YYYY-MM" (year 1900-2200) into year and month; -1 if it is not one. */
static int parse_month(const char *s, size_t len, int *year, int *month)
{
    if (len != 7 || s[4] != '-')
        return -1;
    for (size_t i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)s[i]))
            return -1;
    *year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *month = (s[5] - '0') * 10 + (s[6] - '0');
    return *year >= 1900 && *year <= 2200 && *month >= 1 && *month <= 12 ? 0 : -1;
}

static int set_month(sim_dated_months *d, int year, int month, double factor, const char *file,
                     int line, int column, const char *key, struct sim_error *err)
{
    if (!isnan(sim_dated_month_factor(d, year, month, NAN)))
        return sim_error_set(err, SIM_EINPUT, file, line, column, key,
                             "%04d-%02d is given twice", year, month);
    if (sim_dated_months_set(d, year, month, factor) != SIM_OK)
        return sim_error_set(err, SIM_EINPUT, file, line, column, key,
                             "dated months span at most %d months (%d years)",
                             SIM_DATED_MONTHS_MAX, SIM_DATED_MONTHS_MAX / 12);
    return SIM_OK;
}

static int read_map(const sim_node *m, sim_dated_months *d, struct sim_error *err)
{
    for (size_t i = 0; i < m->n; i++) {
        const sim_node *item = m->items[i];
        int year, month;
        if (parse_month(m->keys[i], strlen(m->keys[i]), &year, &month))
            return sim_error_set(err, SIM_EINPUT, item->file, item->key_line, item->key_column,
                                 m->path, "expected a month such as 2022-12, got \"%s\"",
                                 m->keys[i]);
        double f;
        int rc = sim_node_number(item, NULL, 0, MAX_FACTOR, &f, err);
        if (rc)
            return rc;
        rc = set_month(d, year, month, f, item->file, item->key_line, item->key_column,
                       item->path, err);
        if (rc)
            return rc;
    }
    return SIM_OK;
}

/* One CSV field [s, e) with the spaces around it dropped. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

static int read_csv(const sim_node *node, const char *display, const char *text,
                    sim_dated_months *d, struct sim_error *err)
{
    const char *key = node->path;
    int line = 0;
    bool header = false;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        const char *next = *end ? end + 1 : end;
        line++;
        const char *s = p, *e = end;
        trim(&s, &e);
        p = next;
        if (s == e || *s == '#')
            continue;
        const char *comma = memchr(s, ',', (size_t)(e - s));
        if (!header) {
            if (!comma || (size_t)(comma - s) != 5 || strncmp(s, "month", 5) ||
                strncmp(comma + 1, "factor", 6) || comma + 7 != e)
                return sim_error_set(err, SIM_EINPUT, display, line, 1, key,
                                     "expected the header \"month,factor\"");
            header = true;
            continue;
        }
        if (!comma)
            return sim_error_set(err, SIM_EINPUT, display, line, 1, key,
                                 "expected month,factor (two fields)");
        const char *ms = s, *me = comma, *fs = comma + 1, *fe = e;
        trim(&ms, &me);
        trim(&fs, &fe);
        int year, month;
        if (parse_month(ms, (size_t)(me - ms), &year, &month))
            return sim_error_set(err, SIM_EINPUT, display, line, (int)(ms - s) + 1, key,
                                 "expected a month such as 2022-12, got \"%.*s\"",
                                 (int)(me - ms), ms);
        char buf[64];
        size_t fl = (size_t)(fe - fs);
        char *stop = buf;
        double f = NAN;
        if (fl > 0 && fl < sizeof buf) {
            memcpy(buf, fs, fl);
            buf[fl] = '\0';
            f = strtod(buf, &stop);
        }
        int col = (int)(fs - s) + 1;
        if (fl == 0 || fl >= sizeof buf || *stop != '\0' || !(f >= 0 && f <= MAX_FACTOR))
            return sim_error_set(err, SIM_EINPUT, display, line, col, key,
                                 "expected a number between 0 and 1000000, got \"%.*s\"",
                                 (int)fl, fs);
        int rc = set_month(d, year, month, f, display, line, 1, key, err);
        if (rc)
            return rc;
    }
    if (!header)
        return sim_error_set(err, SIM_EINPUT, display, 1, 1, key,
                             "expected the header \"month,factor\" (the file is empty)");
    return SIM_OK;
}

int sim_dated_months_from_node(const struct sim_node *map, const char *key, sim_dated_months *d,
                               struct sim_error *err)
{
    sim_dated_months_init(d);
    if (!sim_node_has(map, key))
        return SIM_OK;
    sim_node *node = sim_node_get(map, key);
    sim_node_mark_used(node, false);
    if (node->kind == SIM_NODE_MAP)
        return read_map(node, d, err);
    if (node->kind != SIM_NODE_SCALAR || !node->text || !*node->text)
        return sim_node_error(node, err,
                              "expected a map of months {2022-12: 0.8, ...} or a CSV file name");
    char *path = sim__resolve_path(node->file, node->text);
    if (!path)
        return sim_error_set(err, SIM_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    char *text = NULL;
    size_t len = 0;
    const char *why = NULL;
    int rc;
    if (sim__read_input(path, &text, &len, &why))
        rc = sim_node_error(node, err, "cannot read %s: %s", path, why);
    else if (memchr(text, '\0', len))
        rc = sim_node_error(node, err, "cannot read %s: not a text file", path);
    else
        rc = read_csv(node, path, text, d, err);
    free(text);
    free(path);
    return rc;
}
