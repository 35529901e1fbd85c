/*
 * sim/scenario/arrivals_yaml.c: reading a rate profile from a scenario map.
 *
 * Kept apart from sim/core/arrivals.c so that the sampler links without the scenario reader.
 */
#include "core/arrivals.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "yaml.h"

static const char *const weekday_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                            NULL};
static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};

/* Factors are relative (normalised to mean 1); this bound keeps their sum finite. */
#define MAX_FACTOR 1e6

/* Read a sequence of exactly n factors >= 0 under key. */
static int read_factors(const sim_node *map, const char *key, size_t n, const char *what,
                        double *out, struct sim_error *err)
{
    sim_node *seq = NULL;
    int rc = sim_node_seq(map, key, &seq, err);
    if (rc != SIM_OK)
        return rc;
    if (seq->n != n)
        return sim_node_error(seq, err, "expected %zu numbers (%s), got %zu", n, what, seq->n);
    for (size_t i = 0; i < n; i++)
        if ((rc = sim_node_number(seq->items[i], NULL, 0, MAX_FACTOR, &out[i], err)) != SIM_OK)
            return rc;
    return SIM_OK;
}

/* Read a map of named factors >= 0 (missing names keep their value). */
static int read_named(const sim_node *map, const char *key, const char *const *names,
                      double *out, struct sim_error *err)
{
    sim_node *m = NULL;
    int rc = sim_node_map(map, key, &m, err);
    if (rc == SIM_OK)
        rc = sim_node_check_keys(m, names, err);
    for (int i = 0; names[i] && rc == SIM_OK; i++)
        rc = sim_node_opt_number(m, names[i], 0, MAX_FACTOR, &out[i], err);
    return rc;
}

static int not_both(const sim_node *map, const char *a, const char *b, struct sim_error *err)
{
    if (sim_node_has(map, a) && sim_node_has(map, b))
        return sim_node_error(sim_node_get(map, b), err, "give %s or %s, not both", a, b);
    return SIM_OK;
}

static bool all_zero(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0)
            return false;
    return true;
}

/*
 * Bounds on what is physically meaningful, so an absurd value is an error rather than a run
 * that never ends: 1e300 arrivals a day or a growth of 1e300% a year were accepted. The
 * national elective scenario has about 55,000 referrals a day and 1-4% growth.
 */
#define SIM_MAX_ARRIVALS_PER_DAY 1e7
#define SIM_MAX_GROWTH_PER_YEAR 1.0

int sim_rate_profile_from_node_prefixed(const struct sim_node *map, const char *rate_key_prefix,
                                        sim_rate_profile *p, struct sim_error *err)
{
    sim_rate_profile_init(p, 0);
    const char *prefix = rate_key_prefix ? rate_key_prefix : "";
    static const char *const units[] = {"per_week", "per_day", "per_year"};
    static const double days[] = {7, 1, 365.25};
    char keys[3][128];
    int found = -1;
    for (int i = 0; i < 3; i++)
        snprintf(keys[i], sizeof keys[i], "%s%s", prefix, units[i]);
    for (int i = 0; i < 3; i++) {
        if (!sim_node_has(map, keys[i]))
            continue;
        if (found >= 0)
            return sim_node_error(sim_node_get(map, keys[i]), err,
                                  "give only one of %s, %s and %s", keys[0], keys[1], keys[2]);
        found = i;
    }
    if (found < 0)
        return sim_node_error(map, err, "expected a rate: %s, %s or %s", keys[0], keys[1],
                              keys[2]);
    double rate = 0;
    int rc = sim_node_number(map, keys[found], 0, HUGE_VAL, &rate, err);
    if (rc != SIM_OK)
        return rc;
    p->rate_per_day = rate / days[found];
    if (p->rate_per_day > SIM_MAX_ARRIVALS_PER_DAY) {
        const sim_node *r = sim_node_get(map, keys[found]);
        return sim_node_error(r, err,
                              "expected at most %.0f arrivals a day (%.0f %s), got \"%s\": no "
                              "service sees more, and the run would never end",
                              SIM_MAX_ARRIVALS_PER_DAY, SIM_MAX_ARRIVALS_PER_DAY * days[found],
                              units[found], r->text ? r->text : "");
    }

    if ((rc = not_both(map, "weekday", "hour_of_week", err)) ||
        (rc = not_both(map, "hour_of_day", "hour_of_week", err)))
        return rc;
    double weekday[7] = {1, 1, 1, 1, 1, 1, 1};
    double hour[24];
    for (int h = 0; h < 24; h++)
        hour[h] = 1;
    if (sim_node_has(map, "hour_of_week")) {
        rc = read_factors(map, "hour_of_week", 168, "one per hour of the week from Monday 00:00",
                          p->hour_of_week, err);
        if (rc != SIM_OK)
            return rc;
    } else {
        if (sim_node_has(map, "weekday") &&
            (rc = read_named(map, "weekday", weekday_names, weekday, err)) != SIM_OK)
            return rc;
        if (sim_node_has(map, "hour_of_day") &&
            (rc = read_factors(map, "hour_of_day", 24, "one per hour from 00:00", hour, err)) !=
                SIM_OK)
            return rc;
        for (int d = 0; d < 7; d++)
            for (int h = 0; h < 24; h++)
                p->hour_of_week[d * 24 + h] = weekday[d] * hour[h];
    }
    if (all_zero(p->hour_of_week, 168)) {
        /* Name the input that closed every hour: the table, or the weekdays, or the hours. */
        const char *k = "hour_of_week";
        if (!sim_node_has(map, k))
            k = all_zero(weekday, 7) ? "weekday" : "hour_of_day";
        return sim_node_error(sim_node_get(map, k), err,
                              "expected at least one factor above 0 (all hours would be closed)");
    }

    const sim_node *month = sim_node_get(map, "month");
    if (month) {
        if (month->kind == SIM_NODE_SEQ)
            rc = read_factors(map, "month", 12, "January first", p->month, err);
        else
            rc = read_named(map, "month", month_names, p->month, err);
        if (rc != SIM_OK)
            return rc;
        if (all_zero(p->month, 12))
            return sim_node_error(month, err, "expected at least one month factor above 0");
    }

    if (sim_node_has(map, "growth_per_year")) {
        rc = sim_node_fraction(map, "growth_per_year", -1, HUGE_VAL, &p->growth_per_year, err);
        if (rc != SIM_OK)
            return rc;
        if (p->growth_per_year <= -1) {
            const sim_node *g = sim_node_get(map, "growth_per_year");
            return sim_node_error(g, err, "expected a growth above -100%%, got \"%s\"",
                                  g->text ? g->text : "");
        }
        if (p->growth_per_year > SIM_MAX_GROWTH_PER_YEAR) {
            const sim_node *g = sim_node_get(map, "growth_per_year");
            return sim_node_error(g, err,
                                  "expected a growth of at most %.0f%% a year (demand doubling "
                                  "every year), got \"%s\"",
                                  100 * SIM_MAX_GROWTH_PER_YEAR, g->text ? g->text : "");
        }
    }
    rc = sim_dated_months_from_node(map, "by_month", &p->dated, err);
    if (rc != SIM_OK)
        return rc;
    if (sim_rate_profile_finish(p) != SIM_OK)
        return sim_node_error(map, err, "invalid rate profile");
    return SIM_OK;
}

int sim_rate_profile_from_node(const struct sim_node *map, sim_rate_profile *p,
                               struct sim_error *err)
{
    return sim_rate_profile_from_node_prefixed(map, "", p, err);
}
