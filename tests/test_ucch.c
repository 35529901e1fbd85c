/*
 * The Urgent Care Co-ordination Hub: the staffing arithmetic exactly (+124%, 2.73 WTE), the
 * stack against Erlang C when no deadline binds, the share of calls that find the hub closed,
 * a service's daily capacity, and bad input with exact messages. The pilot's figures are in
 * test_ucch_scenarios.c.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"
#include "ucch/ucch_staffing.h"

static const char *write_scenario(const char *name, const char *text)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s.yaml", tu_tmpdir(name), name);
    tu_write_file(path, text);
    return path;
}

static capsim_loaded *open_text(const char *name, const char *text)
{
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(write_scenario(name, text), NULL, 0, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open %s: %s", name, buf);
    }
    return l;
}

/* Replication r's value of cell `cell` of "model/metric". */
static double value(const capsim_loaded *l, uint64_t r, const char *path, size_t cell)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)id);
    sim_record *rec = sim_record_alloc(l->monitor);
    struct sim_error err;
    assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
    double x = rec->values[sim_record_index(mt, 0, cell)];
    sim_record_free(rec);
    return x;
}

static void replicate(const capsim_loaded *l, size_t reps, const char *path, size_t cell,
                      sim_summary *s)
{
    double *x = calloc(reps, sizeof *x);
    for (size_t r = 0; r < reps; r++)
        x[r] = value(l, r, path, cell);
    sim_summarise(x, reps, s);
    free(x);
}

static void test_staffing_arithmetic(void **state)
{
    (void)state;
    char buf[256];
    /* Phase 2: 08:00-20:00 seven days over one WTE's 37.5-hour week, 21.9% uplift. */
    ucch_staffing_format(buf, sizeof buf, 84, 37.5, 0.219);
    assert_string_equal(buf, "84 hours a week: +124% on 37.5, 2.73 WTE per role with a "
                             "21.9% uplift");
    assert_true(fabs(ucch_hours_change(84, 37.5) - 1.24) < 1e-12);
    assert_true(fabs(ucch_wte_per_role(84, 0.219) - 2.73056) < 1e-12);
    /* The pilot's 40 rostered hours as the baseline would give +110%, not the paper's. */
    ucch_staffing_format(buf, sizeof buf, 84, 40, 0.219);
    assert_string_equal(buf, "84 hours a week: +110% on 40, 2.73 WTE per role with a "
                             "21.9% uplift");
    int open[168] = {0};
    for (int d = 0; d < 7; d++)
        for (int h = 8; h < 20; h++)
            open[24 * d + h] = 3;
    assert_true(ucch_hours_per_week(open) == 84);
}

/* The same figures from the phase-2 scenario's rota (the hub's outputs). */
static void test_staffing_from_scenario(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/ucch-phase2.yaml", CAPSIM_SOURCE_DIR);
    const char *set[] = {"horizon_days=20", "warmup_days=0"};
    capsim_loaded *l = NULL;
    struct sim_error err;
    assert_int_equal(capsim_scenario_open(path, set, 2, &l, &err), 0);
    assert_true(value(l, 0, "ucch/hours_per_week", 0) == 84);
    assert_true(fabs(value(l, 0, "ucch/hours_change", 0) - 1.24) < 1e-12);
    assert_true(fabs(value(l, 0, "ucch/wte_per_role", 0) - 2.73056) < 1e-12);
    capsim_scenario_close(l);
}

#define HEAD "start_date: 2024-04-01\nseed: 3\n"

/*
 * Open all day with two clinicians, deadlines that never bind, exponential reviews: the
 * stack is an M/M/2 queue. 60 calls a day (2.5 an hour), 40-minute reviews (1.5 an hour):
 * a = 5/3, Erlang C(2, a) = 0.757576, mean wait C / (c mu - lambda) = 0.909 h = 54.5 min.
 */
static void test_stack_is_erlang_c(void **state)
{
    (void)state;
    capsim_loaded *l = open_text(
        "ucch_mmc",
        HEAD "horizon_days: 400\nwarmup_days: 20\n"
             "ucch:\n  incidents: {per_day: 60}\n"
             "  categories:\n    - {name: C3, share: 1, reviewable: 100%, response_minutes: 1e7}\n"
             "  review_minutes: {exponential: {mean: 40}}\n  suitable: 0%\n"
             "  roles:\n    - {role: any, clinicians: 2}\n"
             "  services:\n    - {name: s, share: 1}\n");
    double a = 2.5 / 1.5, c2 = a * a / 2 / (1 - a / 2);
    double erlang_c = c2 / (1 + a + c2);
    assert_true(fabs(erlang_c - 0.757576) < 1e-6);
    sim_summary wait, util;
    replicate(l, 10, "ucch/review_wait_minutes", 0, &wait);
    assert_true(tu_within("review wait vs Erlang C", wait.mean,
                          60 * erlang_c / (2 * 1.5 - 2.5), wait.half_width, 1.5));
    replicate(l, 10, "ucch/clinician_utilisation", 0, &util);
    assert_true(tu_within("utilisation vs a / c", util.mean, a / 2, util.half_width, 1.5));
    capsim_scenario_close(l);
}

/*
 * Open 08:00-16:00 on weekdays (bank holidays open), flat arrivals, 52 weeks from a Monday:
 * a reviewable call finds the hub open with probability 40 / 168.
 */
static void test_closed_share(void **state)
{
    (void)state;
    capsim_loaded *l = open_text(
        "ucch_closed",
        HEAD "horizon_days: 364\n"
             "ucch:\n  incidents: {per_day: 40}\n"
             "  categories:\n    - {name: C3, share: 1, reviewable: 100%, response_minutes: 60}\n"
             "  review_minutes: 1\n  suitable: 0%\n"
             "  roles:\n    - {role: any, clinicians: {shifts: [{days: [mon, tue, wed, thu, fri],"
             " from: \"08:00\", to: \"16:00\", servers: 5}], bank_holidays: open}}\n"
             "  services:\n    - {name: s, share: 1}\n");
    double *share = calloc(8, sizeof *share);
    for (uint64_t r = 0; r < 8; r++) {
        double stacked = value(l, r, "ucch/stacked", 0), closed = value(l, r, "ucch/closed", 0);
        share[r] = stacked / (stacked + closed);
    }
    sim_summary s;
    sim_summarise(share, 8, &s);
    assert_true(tu_within("share stacked vs 40 / 168", s.mean, 40.0 / 168, s.half_width, 1.5));
    free(share);
    /* Five clinicians and one-minute reviews reach everyone the hub sees. */
    assert_true(value(l, 0, "ucch/not_reached", 0) == 0);
    assert_true(value(l, 0, "ucch/discussed_total", 0) == value(l, 0, "ucch/stacked", 0));
    capsim_scenario_close(l);
}

/* A service that takes 3 a day, 60 suitable patients a day: 3 transfers a day, exactly. */
static void test_service_daily_capacity(void **state)
{
    (void)state;
    capsim_loaded *l = open_text(
        "ucch_capacity",
        HEAD "horizon_days: 30\n"
             "ucch:\n  incidents: {per_day: 60}\n"
             "  categories:\n    - {name: C3, share: 1, reviewable: 100%, response_minutes: 600}\n"
             "  review_minutes: 1\n  suitable: 100%\n"
             "  roles:\n    - {role: any, clinicians: 5}\n"
             "  services:\n    - {name: falls, share: 1, per_day: 3}\n");
    assert_true(value(l, 0, "ucch/transferred_total", 0) == 90);
    assert_true(value(l, 0, "ucch/dispatches_avoided", 0) == 90);
    double discussed = value(l, 0, "ucch/discussed_total", 0);
    assert_true(value(l, 0, "ucch/refused_total", 0) == discussed - 90);
    assert_true(discussed > 1500);
    capsim_scenario_close(l);
}

static void expect_error(const char *name, const char *text, const char *message)
{
    capsim_loaded *l = NULL;
    struct sim_error err;
    const char *path = write_scenario(name, text);
    assert_int_equal(capsim_scenario_open(path, NULL, 0, &l, &err), SIM_EINPUT);
    char buf[2048], want[8192];
    sim_error_format(&err, buf, sizeof buf);
    snprintf(want, sizeof want, "%s:%s", path, message);
    if (strcmp(buf, want) != 0)
        fail_msg("got  %s\nwant %s", buf, want);
}

#define BODY(services)                                                                        \
    HEAD "horizon_days: 10\n"                                                                 \
         "ucch:\n  incidents: {per_day: 60}\n"                                                \
         "  categories:\n    - {name: C3, share: 1, reviewable: 100%, response_minutes: 60}\n" \
         "  review_minutes: 1\n  suitable: 50%\n"                                             \
         "  roles:\n    - {role: any, clinicians: 1}\n"                                       \
         "  services:\n" services

static void test_bad_input(void **state)
{
    (void)state;
    expect_error("ucch_bad_offer", BODY("    - {name: vw, share: 1, offer: true, per_day: 4}\n"),
                 "13:7: ucch.services[0]: a service offered through divert_vw has the ward's "
                 "capacity: no per_day or hours");
    expect_error("ucch_bad_key", BODY("    - {name: vw, share: 1, needs_vehicles: 10%}\n"),
                 "13:28: ucch.services[0].needs_vehicles: unknown key \"needs_vehicles\" "
                 "(did you mean \"needs_vehicle\"?)");
    expect_error("ucch_no_deadline",
                 HEAD "horizon_days: 10\nucch:\n  incidents: {per_day: 6}\n"
                      "  categories:\n    - {name: C3, share: 1, reviewable: 10%}\n",
                 "7:7: ucch.categories[0].response_minutes: missing required key "
                 "\"response_minutes\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_staffing_arithmetic),
        cmocka_unit_test(test_staffing_from_scenario),
        cmocka_unit_test(test_stack_is_erlang_c),
        cmocka_unit_test(test_closed_share),
        cmocka_unit_test(test_service_daily_capacity),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
