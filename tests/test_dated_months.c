/*
 * Factors for particular months (sim/core/dated_months.h), read inline or from a CSV file
 * next to the scenario: exact lookups (a dated month gets its factor, any other month the
 * repeating one), months given out of order or with gaps, and bad input with the exact
 * message naming file, line, column and key. In a rate profile: 10 a day through 2023 with
 * March at half and April closed has exactly 155 expected arrivals in March, 0 in April and
 * 310 in March 2024 (dated factors do not repeat); sampled, April has none and March's count
 * is Poisson(155) (4 sd over 200 runs).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arrivals.h"
#include "core/dated_months.h"
#include "core/rng.h"
#include "core/error.h"
#include "scenario/yaml.h"

static void test_set_and_lookup(void **state)
{
    (void)state;
    sim_dated_months d;
    sim_dated_months_init(&d);
    assert_false(sim_dated_months_any(&d));
    assert_float_equal(sim_dated_month_factor(&d, 2022, 12, 0.9), 0.9, 0);
    assert_int_equal(sim_dated_months_set(&d, 2023, 2, 1.5), SIM_OK);
    assert_int_equal(sim_dated_months_set(&d, 2022, 11, 0.5), SIM_OK); /* below: shifts */
    assert_int_equal(sim_dated_months_set(&d, 2023, 4, 0.0), SIM_OK);  /* above, a gap */
    assert_int_equal(d.n, 6);
    assert_float_equal(sim_dated_month_factor(&d, 2022, 11, 1), 0.5, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2022, 12, 1.25), 1.25, 0); /* gap */
    assert_float_equal(sim_dated_month_factor(&d, 2023, 2, 1), 1.5, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 3, 7), 7, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 4, 1), 0.0, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2024, 2, 1), 1, 0); /* not the next Feb */
    assert_float_equal(d.max_factor, 1.5, 0);
    assert_int_equal(sim_dated_months_set(&d, 2042, 11, 1), SIM_EINVAL); /* 241 months */
    assert_int_equal(sim_dated_months_set(&d, 2042, 10, 1), SIM_OK);     /* 240 months */
    assert_int_equal(sim_dated_months_set(&d, 2023, 1, -1), SIM_EINVAL);
    assert_int_equal(sim_dated_months_set(&d, 2023, 13, 1), SIM_EINVAL);
}

/* Read `by_month` of a scenario written to a fresh directory (with an optional CSV beside);
 * returns the code, the message in msg. */
static int read_case(const char *dir, const char *yaml, const char *csv, sim_dated_months *d,
                     char *msg, size_t size)
{
    char path[512], cpath[512];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    tu_write_file(path, yaml);
    if (csv) {
        snprintf(cpath, sizeof cpath, "%s/strikes.csv", dir);
        tu_write_file(cpath, csv);
    }
    struct sim_error err;
    sim_error_clear(&err);
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    int rc = sim_yaml_load(path, &tree, &root, &err);
    assert_int_equal(rc, SIM_OK);
    rc = sim_dated_months_from_node(sim_node_get(root, "referrals"), "by_month", d, &err);
    msg[0] = '\0';
    if (rc) {
        char buf[1024];
        sim_error_format(&err, buf, sizeof buf);
        /* Drop the directory, which differs between machines. */
        const char *at = buf;
        size_t dl = strlen(dir);
        for (const char *q = buf; (q = strstr(q, dir)); q += dl) {
            size_t pre = (size_t)(q - at);
            strncat(msg, at, pre < size - strlen(msg) - 1 ? pre : size - strlen(msg) - 1);
            strncat(msg, "DIR", size - strlen(msg) - 1);
            at = q + dl;
        }
        strncat(msg, at, size - strlen(msg) - 1);
    }
    sim_node_tree_free(tree);
    return rc;
}

static void test_inline_and_csv(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("dated-months");
    sim_dated_months d;
    char msg[1024];
    assert_int_equal(read_case(dir, "referrals: {per_week: 10, by_month: {2022-12: 0.6, "
                                    "2023-01: 0.9}}\n", NULL, &d, msg, sizeof msg), SIM_OK);
    assert_float_equal(sim_dated_month_factor(&d, 2022, 12, 1), 0.6, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 1, 1), 0.9, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 2, 1), 1, 0);
    assert_int_equal(read_case(dir, "referrals: {per_week: 10, by_month: strikes.csv}\n",
                               "# junior doctors' strikes\nmonth,factor\n2023-03, 0.85\n\n"
                               "2023-04,0.8\r\n",
                               &d, msg, sizeof msg), SIM_OK);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 3, 1), 0.85, 0);
    assert_float_equal(sim_dated_month_factor(&d, 2023, 4, 1), 0.8, 0);
    assert_int_equal(d.n, 2);
    /* Absent: empty. */
    assert_int_equal(read_case(dir, "referrals: {per_week: 10}\n", NULL, &d, msg, sizeof msg),
                     SIM_OK);
    assert_false(sim_dated_months_any(&d));
}

static void expect(const char *yaml, const char *csv, const char *message)
{
    const char *dir = tu_tmpdir("dated-months-bad");
    sim_dated_months d;
    char msg[1024];
    assert_int_equal(read_case(dir, yaml, csv, &d, msg, sizeof msg), SIM_EINPUT);
    assert_string_equal(msg, message);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect("referrals: {per_week: 10, by_month: {2022-13: 0.6}}\n", NULL,
           "DIR/s.yaml:1:38: referrals.by_month: expected a month such as 2022-12, got "
           "\"2022-13\"");
    expect("referrals: {per_week: 10, by_month: {2022-12: -1}}\n", NULL,
           "DIR/s.yaml:1:47: referrals.by_month.2022-12: expected a number between 0 and "
           "1000000, got \"-1\"");
    expect("referrals: {per_week: 10, by_month: {2022-12: 1, 2042-12: 1}}\n", NULL,
           "DIR/s.yaml:1:50: referrals.by_month.2042-12: dated months span at most 240 months "
           "(20 years)");
    expect("referrals: {per_week: 10, by_month: [1, 2]}\n", NULL,
           "DIR/s.yaml:1:37: referrals.by_month: expected a map of months {2022-12: 0.8, ...} "
           "or a CSV file name");
    expect("referrals: {per_week: 10, by_month: none.csv}\n", NULL,
           "DIR/s.yaml:1:37: referrals.by_month: cannot read DIR/none.csv: No such file or "
           "directory");
    expect("referrals: {per_week: 10, by_month: strikes.csv}\n", "month,value\n2023-03,1\n",
           "DIR/strikes.csv:1:1: referrals.by_month: expected the header \"month,factor\"");
    expect("referrals: {per_week: 10, by_month: strikes.csv}\n",
           "month,factor\n2023-03,1\n2023-3,1\n",
           "DIR/strikes.csv:3:1: referrals.by_month: expected a month such as 2022-12, got "
           "\"2023-3\"");
    expect("referrals: {per_week: 10, by_month: strikes.csv}\n",
           "month,factor\n2023-03,0.8x\n",
           "DIR/strikes.csv:2:9: referrals.by_month: expected a number between 0 and 1000000, "
           "got \"0.8x\"");
    expect("referrals: {per_week: 10, by_month: strikes.csv}\n",
           "month,factor\n2023-03,0.8\n2023-03,0.9\n",
           "DIR/strikes.csv:3:1: referrals.by_month: 2023-03 is given twice");
    expect("referrals: {per_week: 10, by_month: strikes.csv}\n", "",
           "DIR/strikes.csv:1:1: referrals.by_month: expected the header \"month,factor\" (the "
           "file is empty)");
}

static void test_rate_profile(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("dated-months-rate");
    char path[512];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    tu_write_file(path, "referrals: {per_day: 10, by_month: {2023-03: 0.5, 2023-04: 0}}\n"
                        "grown: {per_day: 10, growth_per_year: 5%, by_month: {2023-04: 0}}\n");
    struct sim_error err;
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    assert_int_equal(sim_yaml_load(path, &tree, &root, &err), SIM_OK);
    sim_rate_profile p;
    assert_int_equal(sim_rate_profile_from_node(sim_node_get(root, "referrals"), &p, &err),
                     SIM_OK);
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, (sim_date){2023, 1, 1}), SIM_OK);
    double mar = 31 + 28, apr = mar + 31, may = apr + 30, mar24 = 365 + 31 + 29;
    assert_float_equal(sim_rate_integral(&p, &cal, 0, 31), 310, 1e-9);
    assert_float_equal(sim_rate_integral(&p, &cal, mar, apr), 155, 1e-9);
    assert_float_equal(sim_rate_integral(&p, &cal, apr, may), 0, 0);
    assert_float_equal(sim_rate_integral(&p, &cal, mar24, mar24 + 31), 310, 1e-9);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double sum = 0;
    const int runs = 200;
    for (int k = 0; k < runs; k++) {
        gsl_rng_set(g, (unsigned long)k + 1);
        int in_mar = 0, in_apr = 0;
        for (double t = sim_next_arrival(&p, &cal, mar - 1, g); t < may;
             t = sim_next_arrival(&p, &cal, t, g)) {
            in_mar += t >= mar && t < apr;
            in_apr += t >= apr;
        }
        assert_int_equal(in_apr, 0);
        sum += in_mar;
    }
    assert_true(fabs(sum / runs - 155) < 4 * sqrt(155.0 / runs));
    /* With growth (the closed form inside each piece): April still has none, May has some. */
    sim_rate_profile q;
    assert_int_equal(sim_rate_profile_from_node(sim_node_get(root, "grown"), &q, &err), SIM_OK);
    assert_int_equal(sim_node_check_unused(root, &err), SIM_OK); /* by_month was read */
    int in_apr = 0, in_may = 0;
    for (double t = sim_next_arrival(&q, &cal, apr - 1, g); t < may + 31;
         t = sim_next_arrival(&q, &cal, t, g)) {
        in_apr += t >= apr && t < may;
        in_may += t >= may;
    }
    assert_int_equal(in_apr, 0);
    assert_true(in_may > 200);
    gsl_rng_free(g);
    sim_calendar_fini(&cal);
    sim_node_tree_free(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_lookup),
        cmocka_unit_test(test_inline_and_csv),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_rate_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
