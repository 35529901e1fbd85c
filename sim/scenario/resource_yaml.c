/*
 * sim/scenario/resource_yaml.c: reading a capacity schedule from a scenario node.
 *
 * Kept apart from resource.c so that the resource links without the YAML reader. The
 * format is documented at sim_schedule_from_node in resource.h. A list of shifts closes on
 * bank holidays unless it says otherwise (`bank_holidays: open` or a number), because
 * clinics, theatre lists and rotas planned by weekday normally do; a constant number of
 * servers ignores holidays.
 */
#include "core/resource.h"

#include <ctype.h>
#include <string.h>

#include "core/error.h"
#include "yaml.h"

#define MAX_SERVERS 1000000L

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

/* "HH:00" with HH in [0, max_hour]; one or two digits. */
static int read_hour(const sim_node *shift, const char *key, int max_hour, int *out,
                     struct sim_error *err)
{
    const char *text = NULL;
    int rc = sim_node_string(shift, key, &text, err);
    if (rc)
        return rc;
    const sim_node *node = sim_node_get(shift, key);
    size_t len = strlen(text);
    int h = -1;
    if ((len == 4 || len == 5) && strcmp(text + len - 3, ":00") == 0 && isdigit((unsigned char)text[0]) &&
        (len == 4 || isdigit((unsigned char)text[1]))) {
        h = text[0] - '0';
        if (len == 5)
            h = 10 * h + (text[1] - '0');
    }
    if (h < 0 || h > max_hour)
        return sim_node_error(node, err, "expected a whole hour \"HH:00\" from 00:00 to %02d:00, got \"%s\"",
                              max_hour, text);
    *out = h;
    return SIM_OK;
}

/* Days of a shift: `all`, one day name, or a list of day names; sets days[0..7). */
static int read_days(const sim_node *shift, bool days[7], struct sim_error *err)
{
    const sim_node *node = sim_node_get(shift, "days");
    if (!node)
        return sim_node_seq(shift, "days", &(sim_node *){NULL}, err);
    if (node->kind == SIM_NODE_SCALAR && node->text && strcmp(node->text, "all") == 0) {
        sim_node_mark_used((sim_node *)node, false);
        for (int d = 0; d < 7; d++)
            days[d] = true;
        return SIM_OK;
    }
    if (node->kind == SIM_NODE_SCALAR) {
        int d = 0;
        int rc = sim_node_enum(shift, "days", day_names, &d, err);
        if (rc == SIM_OK)
            days[d] = true;
        return rc;
    }
    sim_node *seq = NULL;
    int rc = sim_node_seq(shift, "days", &seq, err);
    if (rc)
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one day");
    for (size_t i = 0; i < seq->n; i++) {
        int d = 0;
        if ((rc = sim_node_enum(seq->items[i], NULL, day_names, &d, err)))
            return rc;
        days[d] = true;
    }
    return SIM_OK;
}

static int read_shift(const sim_node *item, sim_schedule *s, struct sim_error *err)
{
    static const char *const keys[] = {"days", "from", "to", "servers", "overnight", NULL};
    sim_node *shift = NULL;
    bool days[7] = {false}, overnight = false;
    int from = 0, to = 0, rc;
    long servers = 0;
    if ((rc = sim_node_map(item, NULL, &shift, err)) ||
        (rc = sim_node_check_keys(shift, keys, err)) || (rc = read_days(shift, days, err)) ||
        (rc = read_hour(shift, "from", 23, &from, err)) ||
        (rc = read_hour(shift, "to", 24, &to, err)) ||
        (rc = sim_node_int(shift, "servers", 0, MAX_SERVERS, &servers, err)) ||
        (rc = sim_node_opt_bool(shift, "overnight", &overnight, err)))
        return rc;
    if (to == from)
        return sim_node_error(sim_node_get(shift, "to"), err,
                              "expected an end different from the start (\"from\" is %02d:00)",
                              from);
    /* "16:00"-"08:00" is a typo as often as a night shift: the scenario must say which. */
    if (to < from && !overnight)
        return sim_node_error(sim_node_get(shift, "to"), err,
                              "expected an end after the start (\"from\" is %02d:00); a shift "
                              "past midnight says so with `overnight: true`",
                              from);
    if (to > from && overnight)
        return sim_node_error(sim_node_get(shift, "overnight"), err,
                              "overnight: true, but the shift ends the day it starts "
                              "(%02d:00 to %02d:00)",
                              from, to);
    /* An overnight shift (ending before its start) runs past midnight into the next day. */
    int hours = to > from ? to - from : 24 - from + to;
    for (int d = 0; d < 7; d++) {
        if (!days[d])
            continue;
        for (int h = 0; h < hours; h++) {
            int how = (d * 24 + from + h) % 168;
            if (s->capacity[how] > MAX_SERVERS - servers)
                return sim_node_error(sim_node_get(shift, "servers"), err,
                                      "expected shifts adding up to at most %ld servers",
                                      MAX_SERVERS);
            s->capacity[how] += (int)servers;
        }
    }
    return SIM_OK;
}

static int read_holidays(const sim_node *map, sim_schedule *s, struct sim_error *err)
{
    const sim_node *node = sim_node_get(map, "bank_holidays");
    if (!node)
        return SIM_OK;
    if (node->kind == SIM_NODE_SCALAR && node->text && !node->quoted) {
        if (strcmp(node->text, "closed") == 0) {
            sim_node_mark_used((sim_node *)node, false);
            s->holiday_capacity = 0;
            return SIM_OK;
        }
        if (strcmp(node->text, "open") == 0) {
            sim_node_mark_used((sim_node *)node, false);
            s->holiday_capacity = -1;
            return SIM_OK;
        }
        long n = 0;
        struct sim_error scratch;
        if (sim_node_int(map, "bank_holidays", 0, MAX_SERVERS, &n, &scratch) == SIM_OK) {
            s->holiday_capacity = (int)n;
            return SIM_OK;
        }
    }
    return sim_node_error(node, err,
                          "expected closed, open or a number of servers >= 0, got \"%s\"",
                          node->kind == SIM_NODE_SCALAR && node->text ? node->text : "a collection");
}

int sim_schedule_from_node(const sim_node *node, sim_schedule *s, struct sim_error *err)
{
    if (!node)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL, "no schedule given");
    if (node->kind == SIM_NODE_SCALAR) {
        long n = 0;
        int rc = sim_node_int(node, NULL, 0, MAX_SERVERS, &n, err);
        if (rc == SIM_OK)
            sim_schedule_constant(s, (int)n);
        return rc;
    }
    sim_schedule_constant(s, 0);
    s->holiday_capacity = 0;
    const sim_node *shifts = node;
    int rc;
    if (node->kind == SIM_NODE_MAP) {
        static const char *const keys[] = {"shifts", "bank_holidays", NULL};
        sim_node *seq = NULL;
        sim_node_mark_used((sim_node *)node, false);
        if ((rc = sim_node_check_keys(node, keys, err)) ||
            (rc = sim_node_seq(node, "shifts", &seq, err)) ||
            (rc = read_holidays(node, s, err)))
            return rc;
        shifts = seq;
    } else {
        sim_node_mark_used((sim_node *)node, false);
    }
    if (shifts->n == 0)
        return sim_node_error(shifts, err, "expected at least one shift");
    for (size_t i = 0; i < shifts->n; i++)
        if ((rc = read_shift(shifts->items[i], s, err)))
            return rc;
    return SIM_OK;
}
