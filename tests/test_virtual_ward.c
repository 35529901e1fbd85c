/*
 * The virtual ward against loss-system theory. With Poisson referrals and places as the only
 * limit (no staff, no cap, no escalation) a ward of c places is an M/G/c/c system: the share
 * refused is Erlang B(c, lambda E[stay]) whatever the stay's distribution (insensitivity),
 * and places in use average lambda (1 - B) E[stay]. A shared ward of 2c places refuses fewer
 * than two wards of c. Staff visits, when they bind, are blamed for the refusals; bad input is
 * answered with the file, line, column and key.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"

static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

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

/* Mean and 95% half-width over `reps` replications of cell `cell` of "model/metric". */
static void replicate(const capsim_loaded *l, size_t reps, const char *path, size_t cell,
                      sim_summary *s)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)id);
    double *x = calloc(reps, sizeof *x);
    for (size_t r = 0; r < reps; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        x[r] = rec->values[sim_record_index(mt, 0, cell)];
        sim_record_free(rec);
    }
    sim_summarise(x, reps, s);
    free(x);
}

#define HEAD                                                                                 \
    "start_date: 2024-04-01\nhorizon_days: 3000\nwarmup_days: 60\nseed: 5\n"                 \
    "system:\n  trusts:\n"                                                                   \
    "    - {name: A, population: 50000, sites: [{code: A1}]}\n"                              \
    "    - {name: B, population: 50000, sites: [{code: B1}]}\n"

/* One ward of 10 places, 1.6 referrals a day, mean stay 5 days: a = 8. */
static char *single_ward(const char *stay)
{
    static char text[2048];
    snprintf(text, sizeof text,
             HEAD "virtual_ward:\n  trusts:\n"
                  "    - {trust: A, places: 10, step_up: {per_day: 1.6}}\n"
                  "  pathways:\n"
                  "    - {name: all, step_up: 1, step_down: 1, stay_days: %s}\n",
             stay);
    return text;
}

static void check_erlang(const char *name, const char *stay)
{
    capsim_loaded *l = open_text(name, single_ward(stay));
    double b = erlang_b(10, 8.0);
    assert_true(fabs(b - 0.121661) < 1e-6);
    sim_summary refused, occupancy;
    replicate(l, 10, "virtual_ward/refused_share", 0, &refused);
    assert_true(tu_within("refused share vs Erlang B(10, 8)", refused.mean, b,
                          refused.half_width, 1.5));
    /* Little's law on the ward: occupancy = lambda (1 - B) E[stay] / c. */
    replicate(l, 10, "virtual_ward/occupancy", 0, &occupancy);
    assert_true(tu_within("occupancy vs lambda (1 - B) E[stay] / c", occupancy.mean,
                          1.6 * (1 - b) * 5.0 / 10.0, occupancy.half_width, 1.5));
    /* With places the only limit, every refusal is blamed on places. */
    sim_summary staff;
    replicate(l, 3, "virtual_ward/refused_by_pool", 1, &staff);
    assert_true(staff.mean == 0);
    capsim_scenario_close(l);
}

static void test_erlang_b_exponential_stays(void **state)
{
    (void)state;
    check_erlang("vw_exponential", "{exponential: {mean: 5}}");
}

/* Insensitivity: a lognormal stay with the same mean (and a large spread) refuses as much. */
static void test_erlang_b_lognormal_stays(void **state)
{
    (void)state;
    check_erlang("vw_lognormal", "{lognormal: {mean: 5, sd: 8}}");
}

static const char *two_wards(bool shared)
{
    static char text[2048];
    snprintf(text, sizeof text,
             HEAD "virtual_ward:\n  shared: %s\n  trusts:\n"
                  "    - {trust: A, places: 10, step_up: {per_day: 1.6}}\n"
                  "    - {trust: B, places: 10, step_up: {per_day: 1.6}}\n"
                  "  pathways:\n"
                  "    - {name: all, step_up: 1, step_down: 1, "
                  "stay_days: {exponential: {mean: 5}}}\n",
             shared ? "true" : "false");
    return text;
}

static void test_shared_ward_refuses_fewer(void **state)
{
    (void)state;
    capsim_loaded *sep = open_text("vw_separate", two_wards(false));
    capsim_loaded *pool = open_text("vw_shared", two_wards(true));
    sim_summary a, b;
    replicate(sep, 10, "virtual_ward/refused_share", 0, &a);
    replicate(pool, 10, "virtual_ward/refused_share", 0, &b);
    assert_true(tu_within("two wards of 10 vs B(10, 8)", a.mean, erlang_b(10, 8.0),
                          a.half_width, 1.5));
    assert_true(tu_within("one shared ward of 20 vs B(20, 16)", b.mean, erlang_b(20, 16.0),
                          b.half_width, 1.5));
    assert_true(b.mean + b.half_width < a.mean - a.half_width);
    capsim_scenario_close(sep);
    capsim_scenario_close(pool);
}

/*
 * Staff visits as the limit: 1 nurse all day making 0.5 visits an hour (12 a day) and
 * patients who need 2 visits a day admit at most 6 of the 10 places' patients: the ward is
 * an Erlang loss system of 6 and every refusal is blamed on staff.
 */
static void test_staff_visits_bind(void **state)
{
    (void)state;
    const char *text =
        HEAD "virtual_ward:\n  visits_per_staff_hour: 0.5\n  trusts:\n"
             "    - {trust: A, places: 10, step_up: {per_day: 1.6},\n"
             "       staff: {shifts: [{days: all, from: \"00:00\", to: \"24:00\", servers: 1}],"
             " bank_holidays: open}}\n"
             "  pathways:\n"
             "    - {name: all, step_up: 1, step_down: 1, visits_per_day: 2,"
             " stay_days: {exponential: {mean: 5}}}\n";
    capsim_loaded *l = open_text("vw_staff", text);
    sim_summary refused, places, util;
    replicate(l, 10, "virtual_ward/refused_share", 0, &refused);
    assert_true(tu_within("refused share vs Erlang B(6, 8)", refused.mean, erlang_b(6, 8.0),
                          refused.half_width, 1.5));
    replicate(l, 3, "virtual_ward/refused_by_pool", 0, &places);
    assert_true(places.mean == 0);
    replicate(l, 10, "virtual_ward/visit_utilisation", 0, &util);
    assert_true(tu_within("visit utilisation vs 2 lambda (1 - B) E[stay] / 12", util.mean,
                          2 * 1.6 * (1 - erlang_b(6, 8.0)) * 5 / 12.0, util.half_width, 1.5));
    capsim_scenario_close(l);
}

/*
 * Stays capped at 3 days (exponential mean 5: E[min(S, 3)] = 5 (1 - e^-0.6)), a fifth of
 * patients escalating at a uniform point of their stay (half of it on average), places
 * plentiful: places in use average lambda x 0.9 x E[min(S, 3)]. Every step-down saves 2.89
 * bed days; step-ups avoid one admission in 2.5.
 */
static void test_cap_escalation_and_savings(void **state)
{
    (void)state;
    const char *text =
        HEAD "virtual_ward:\n  max_stay_days: 3\n  trusts:\n"
             "    - {trust: A, places: 1000, step_up: {per_day: 2}, step_down: {per_day: 2}}\n"
             "  pathways:\n"
             "    - {name: all, step_up: 1, step_down: 1, escalation: 20%,"
             " stay_days: {exponential: {mean: 5}}}\n";
    capsim_loaded *l = open_text("vw_cap", text);
    double stay = 0.9 * 5 * (1 - exp(-0.6));
    sim_summary occupied;
    replicate(l, 10, "virtual_ward/mean_occupied", 0, &occupied);
    assert_true(tu_within("places in use vs lambda x E[capped, escalated stay]", occupied.mean,
                          4 * stay, occupied.half_width, 1.5));
    enum { REPS = 10 };
    double escalated[REPS], avoided[REPS];
    for (uint64_t r = 0; r < REPS; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        const sim_monitor *m = l->monitor;
#define GET(path, cell)                                                                       \
    rec->values[sim_record_index(sim_monitor_metric(m, (size_t)sim_monitor_find_path(m, path)), \
                                 0, cell)]
        /* admissions [route x pathway]: route gp_ed = 1, step_down = 2; one pathway */
        double up = GET("virtual_ward/admissions", 1), down = GET("virtual_ward/admissions", 2);
        assert_true(fabs(GET("virtual_ward/bed_days_saved", 0) - 2.89 * down) < 1e-6);
        escalated[r] = GET("virtual_ward/escalations", 0) / (up + down);
        avoided[r] = GET("virtual_ward/admissions_avoided", 0) / up;
#undef GET
        sim_record_free(rec);
    }
    sim_summary e, a;
    sim_summarise(escalated, REPS, &e);
    sim_summarise(avoided, REPS, &a);
    assert_true(tu_within("escalated share vs 20%", e.mean, 0.2, e.half_width, 1.5));
    assert_true(tu_within("admissions avoided per step-up vs 1 / 2.5", a.mean, 0.4, a.half_width,
                          1.5));
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

static void test_bad_input(void **state)
{
    (void)state;
    expect_error("vw_bad_trust",
                 HEAD "virtual_ward:\n  trusts:\n    - {trust: C, places: 3}\n"
                      "  pathways:\n    - {name: all, step_up: 1, step_down: 1, stay_days: 2}\n",
                 "11:15: virtual_ward.trusts[0].trust: unknown trust \"C\" (the system's "
                 "trusts are A, B)");
    expect_error("vw_bad_places",
                 HEAD "virtual_ward:\n  trusts:\n    - {trust: A}\n"
                      "  pathways:\n    - {name: all, step_up: 1, step_down: 1, stay_days: 2}\n",
                 "11:7: virtual_ward.trusts[0]: expected exactly one of places and "
                 "places_per_100k");
    expect_error("vw_bad_staff",
                 HEAD "virtual_ward:\n  trusts:\n    - {trust: A, places: 3, staff: 2}\n"
                      "  pathways:\n    - {name: all, step_up: 1, step_down: 1, stay_days: 2}\n",
                 "11:36: virtual_ward.trusts[0].staff: staff needs visits_per_staff_hour in the "
                 "virtual_ward section");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_b_exponential_stays),
        cmocka_unit_test(test_erlang_b_lognormal_stays),
        cmocka_unit_test(test_shared_ward_refuses_fewer),
        cmocka_unit_test(test_staff_visits_bind),
        cmocka_unit_test(test_cap_escalation_and_savings),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
