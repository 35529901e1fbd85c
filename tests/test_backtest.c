/*
 * `capsim backtest` (app/cmd_backtest.c) on a case with a known answer: a list of 1,000
 * backlog pathways with no referrals, capacity or removals stays at 1,000 in every month;
 * against an observed 1,000 at the start (2023-03, the month before the start date
 * 2023-04-01) and 800 after, every later month errs by (1000 - 800) / 800 = +25%: MAPE 25
 * at +6 and +12, signed error +25 (a month left empty is skipped; columns the backtest does
 * not know are ignored). Bad input: exact messages, exit 2, nothing written.
 *
 * The shipped national scenario against the observed England series (docs/elective.md,
 * "Backtest"; 10 replications at its seed, so the figures are fixed): the goals of the
 * calibration hold six months out, list size MAPE under 1%, 52- and 78-week counts under 10%.
 * A change that moves the model's draws must keep them, or recalibrate
 * (scripts/calibrate_national) and say so.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *scenario =
    "name: flat\n"
    "start_date: 2023-04-01\n"
    "horizon_days: 366\n"
    "replications: 2\n"
    "system:\n"
    "  trusts:\n"
    "    - {name: A, sites: [{code: A1}]}\n"
    "specialties:\n"
    "  - name: ortho\n"
    "    lists:\n"
    "      A: {backlog: {total: 1000, weeks: {0-10: 1}}, treatments_per_week: 0}\n";

static void test_known_answer(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("backtest");
    char path[512], obs[512], out[512], args[2048];
    snprintf(path, sizeof path, "%s/flat.yaml", dir);
    snprintf(obs, sizeof obs, "%s/observed.csv", dir);
    snprintf(out, sizeof out, "%s/errors.csv", dir);
    tu_write_file(path, scenario);
    char csv[4096];
    size_t n = (size_t)snprintf(csv, sizeof csv, "month,total_waiting,other\n2023-03,1000,7\n");
    for (int k = 4; k <= 15; k++)
        n += (size_t)snprintf(csv + n, sizeof csv - n, "%d-%02d,%s,x\n", 2023 + (k > 12),
                              (k - 1) % 12 + 1, k == 9 ? "" : "800");
    tu_write_file(obs, csv);
    snprintf(args, sizeof args, "backtest %s --observed %s -o %s", path, obs, out);
    char *o, *e;
    assert_int_equal(tu_capsim(args, &o, &e), 0);
    assert_non_null(strstr(o, "total_waiting"));
    char *text = tu_read_file(out);
    /* 2023-09 (+6) is missing: MAPE over the 5 months given, no signed error at +6. */
    assert_string_equal(text, "measure,horizon_months,mape_pct,signed_error_pct,model,observed\n"
                              "total_waiting,6,25.0000,nan,nan,nan\n"
                              "total_waiting,12,25.0000,25.0000,1000,800\n");
    free(text);
    free(o);
    free(e);
}

static double mape6(const char *csv, const char *measure)
{
    char key[128];
    snprintf(key, sizeof key, "\n%s,6,", measure);
    const char *at = strstr(csv, key);
    if (!at)
        fail_msg("no %s in %s", measure, csv);
    return strtod(at + strlen(key), NULL);
}

static void test_national_goals(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("backtest-national");
    char out[512], args[2048];
    snprintf(out, sizeof out, "%s/errors.csv", dir);
    snprintf(args, sizeof args,
             "backtest %s/scenarios/national-rtt-2021.yaml --observed "
             "%s/data/rtt_england_overview_2021-08_2022-08.csv --scale 0.01 -r 10 -o %s",
             CAPSIM_SOURCE_DIR, CAPSIM_SOURCE_DIR, out);
    char *o, *e;
    assert_int_equal(tu_capsim(args, &o, &e), 0);
    char *text = tu_read_file(out);
    assert_non_null(text);
    double total = mape6(text, "total_waiting"), w52 = mape6(text, "over_52_weeks"),
           w78 = mape6(text, "over_78_weeks");
    if (!(total < 1.0 && w52 < 10.0 && w78 < 10.0))
        fail_msg("national backtest MAPE +1..+6: list %.2f%% (goal 1%%), 52 weeks %.2f%%, "
                 "78 weeks %.2f%% (goal 10%%)", total, w52, w78);
    free(text);
    free(o);
    free(e);
}

static void expect_error(const char *csv, const char *extra, const char *message)
{
    const char *dir = tu_tmpdir("backtest-bad");
    char path[512], obs[512], out[512], args[2048];
    snprintf(path, sizeof path, "%s/flat.yaml", dir);
    snprintf(obs, sizeof obs, "%s/observed.csv", dir);
    snprintf(out, sizeof out, "%s/errors.csv", dir);
    tu_write_file(path, scenario);
    tu_write_file(obs, csv);
    remove(out);
    snprintf(args, sizeof args, "backtest %s --observed %s -o %s %s", path, obs, out, extra);
    char *o, *e;
    assert_int_equal(tu_capsim(args, &o, &e), 2);
    char expected[1024];
    snprintf(expected, sizeof expected, message, obs);
    assert_string_equal(e, expected);
    assert_false(tu_exists(out));
    free(o);
    free(e);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_error("total_waiting\n5\n", "", "capsim: %s:1:1: expected a \"month\" column\n");
    expect_error("month,total_waiting\n2023-3x,5\n", "",
                 "capsim: %s:2:1: month: expected YYYY-MM, got \"2023-3x\"\n");
    expect_error("month,total_waiting\n2023-03,-5\n", "",
                 "capsim: %s:2:9: total_waiting: expected a number >= 0, got \"-5\"\n");
    expect_error("month,total_waiting\n2023-03\n", "",
                 "capsim: %s:2:1: expected 2 fields, got 1\n");
    expect_error("month,total_waiting\n", "--scale 0",
                 "capsim: backtest: --scale: expected a number > 0, got \"0\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_national_goals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
