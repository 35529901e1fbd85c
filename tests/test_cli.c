/*
 * The capsim program as a user meets it: bad scenarios are answered before anything runs,
 * with file:line:column, key path and what was expected, exit code 2 and nothing written;
 * the good path writes a results file.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base[] = "name: bad\n"
                           "start_date: 2023-04-01\n"
                           "horizon_days: 365\n"
                           "queue:\n"
                           "  arrivals: {per_day: 9}\n"
                           "  servers: 10\n"
                           "  service_days: {exponential: {mean: 1}}\n";

/* base with the first `from` replaced by `to` (static buffer). */
static const char *edit(const char *from, const char *to)
{
    static char out[4096];
    const char *at = strstr(base, from);
    assert_non_null(at);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return out;
}

/* Run `capsim run NAME.yaml` in a fresh directory; expect exit 2, `message` and no output. */
static void expect_rejected(const char *name, const char *yaml, const char *message)
{
    const char *dir = tu_tmpdir(name);
    char path[4300], args[8800], expected[2048];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    tu_write_file(path, yaml);
    snprintf(args, sizeof args, "run %s.yaml --quiet", name);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, CAPSIM_BINARY, args);
    char *err = NULL;
    int code = tu_run(cmd, NULL, &err);
    snprintf(expected, sizeof expected, "capsim: %s\n", message);
    if (strcmp(err ? err : "", expected) != 0)
        fail_msg("%s: stderr\n  got      %s  expected %s", name, err ? err : "(none)\n",
                 expected);
    assert_int_equal(code, 2);
    /* Nothing written: the directory holds only the scenario (no results/, no temp file). */
    assert_int_equal(tu_count_entries(dir), 1);
    free(err);
}

static void test_bad_scenarios(void **state)
{
    (void)state;
    expect_rejected("typo", edit("servers: 10", "sevrers: 10"),
                    "typo.yaml:6:3: queue.sevrers: unknown key \"sevrers\" (did you mean "
                    "\"servers\"?)");
    expect_rejected("negative", edit("servers: 10", "servers: -3"),
                    "negative.yaml:6:12: queue.servers: expected a whole number between 1 and "
                    "1000000, got \"-3\"");
    expect_rejected("leading_zero", edit("per_day: 9", "per_day: 08"),
                    "leading_zero.yaml:5:23: queue.arrivals.per_day: expected a number >= 0, "
                    "got \"08\"");
    expect_rejected("octal", edit("per_day: 9", "per_day: 010"),
                    "octal.yaml:5:23: queue.arrivals.per_day: expected a number >= 0, got "
                    "\"010\"");
    expect_rejected("hex", edit("per_day: 9", "per_day: 0x1A"),
                    "hex.yaml:5:23: queue.arrivals.per_day: expected a number >= 0, got "
                    "\"0x1A\"");
    expect_rejected("units", edit("servers: 10", "servers: 12beds"),
                    "units.yaml:6:12: queue.servers: expected a whole number between 1 and "
                    "1000000, got \"12beds\"");
    expect_rejected("overflow", edit("per_day: 9", "per_day: 1e400"),
                    "overflow.yaml:5:23: queue.arrivals.per_day: number out of range: "
                    "\"1e400\"");
    expect_rejected("nan", edit("per_day: 9", "per_day: nan"),
                    "nan.yaml:5:23: queue.arrivals.per_day: expected a number >= 0, got "
                    "\"nan\"");
    expect_rejected("date", edit("2023-04-01", "2023-02-30"),
                    "date.yaml:2:13: start_date: expected a date (YYYY-MM-DD), got "
                    "\"2023-02-30\"");
    expect_rejected("missing", edit("horizon_days: 365\n", ""),
                    "missing.yaml:1:1: horizon_days: missing required key \"horizon_days\"");
    expect_rejected("distribution", edit("exponential", "exponentail"),
                    "distribution.yaml:7:18: queue.service_days: unknown distribution "
                    "\"exponentail\" (did you mean \"exponential\"?)");
    expect_rejected("quoted", edit("horizon_days: 365", "horizon_days: \"365\""),
                    "quoted.yaml:3:15: horizon_days: expected a number between 1 and 36525, "
                    "got the string \"365\"");
    expect_rejected("top_key", edit("start_date", "start_dat"),
                    "top_key.yaml:2:1: start_dat: unknown key \"start_dat\" (did you mean "
                    "\"start_date\"?)");
    expect_rejected("share", edit("servers: 10\n", "servers: 10\n  classes:\n"
                                                   "    - {name: a, share: 1.5}\n"),
                    "share.yaml:8:24: queue.classes[0].share: expected a fraction between 0 "
                    "and 1, got \"1.5\"");
    expect_rejected("shares", edit("servers: 10\n", "servers: 10\n  classes:\n"
                                                    "    - {name: a, share: 0.5}\n"
                                                    "    - {name: b, share: 60%}\n"),
                    "shares.yaml:8:5: queue.classes: expected class shares that add up to 1, "
                    "got 1.1");
    expect_rejected("duplicate", edit("horizon_days", "name: again\nhorizon_days"),
                    "duplicate.yaml:3:1: name: duplicate key \"name\" (first at line 1)");
    expect_rejected("syntax", edit("{per_day: 9}", "{per_day: 9"),
                    "syntax.yaml:6:10: did not find expected ',' or '}' (while parsing a flow "
                    "mapping at line 5, column 13)");
    expect_rejected("no_model", "name: x\nstart_date: 2023-04-01\nhorizon_days: 10\n",
                    "no_model.yaml: no model section: expected one of queue, specialties, "
                    "theatres, collaboration, loss, beds");
    expect_rejected("extends", "extends: nothere.yaml\n",
                    "extends.yaml:1:10: extends: cannot open \"nothere.yaml\": No such file or "
                    "directory");
    expect_rejected("warmup", edit("horizon_days: 365", "horizon_days: 365\nwarmup_days: 400"),
                    "warmup.yaml:4:14: warmup_days: expected a number between 0 and 364, got "
                    "\"400\"");
    expect_rejected("shift", edit("servers: 10", "servers: [{days: [mon], from: \"08:30\", "
                                                 "to: \"16:00\", servers: 2}]"),
                    "shift.yaml:6:33: queue.servers[0].from: expected a whole hour \"HH:00\" "
                    "from 00:00 to 23:00, got \"08:30\"");
    expect_rejected("empty", "", "empty.yaml: the scenario is empty");
}

/* An error in a base file names the base file, not the file that extends it. */
static void test_error_in_base_names_base(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("base_error");
    char path[4300], cmd[9000];
    snprintf(path, sizeof path, "%s/base.yaml", dir);
    tu_write_file(path, edit("servers: 10", "servers: 0"));
    snprintf(path, sizeof path, "%s/child.yaml", dir);
    tu_write_file(path, "extends: base.yaml\nname: child\n");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check child.yaml", dir, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    assert_string_equal(err, "capsim: base.yaml:6:12: queue.servers: expected a whole number "
                             "between 1 and 1000000, got \"0\"\n");
    free(err);
}

static void test_missing_file(void **state)
{
    (void)state;
    char *err = NULL;
    assert_int_equal(tu_capsim("check /nonexistent/x.yaml", NULL, &err), 2);
    assert_string_equal(err, "capsim: /nonexistent/x.yaml: cannot open: No such file or "
                             "directory\n");
    free(err);
}

static void test_usage(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(tu_capsim("--version", &out, NULL), 0);
    assert_true(strncmp(out, "capsim 0.1.0 (git ", 18) == 0);
    free(out);
    assert_int_equal(tu_capsim("--help", &out, NULL), 0);
    assert_non_null(strstr(out, "usage: capsim <command>"));
    free(out);
    assert_int_equal(tu_capsim("", NULL, &err), 2);
    free(err);
    assert_int_equal(tu_capsim("frobnicate", NULL, &err), 2);
    assert_true(strncmp(err, "capsim: unknown command \"frobnicate\"\n", 37) == 0);
    free(err);
}

/* The good path: check prints a summary, run writes a results file with the scenario in it. */
static void test_check_and_run(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("good");
    char path[4300], cmd[9000];
    snprintf(path, sizeof path, "%s/good.yaml", dir);
    tu_write_file(path, edit("name: bad", "name: good"));
    char *out = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check good.yaml", dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_string_equal(out, "good.yaml: ok: scenario \"good\", model queue, 365 days from "
                             "2023-04-01, 12 snapshots, 13 metrics, 0 flows, 1 group (class)\n");
    free(out);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run good.yaml -r 3 --quiet", dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    snprintf(path, sizeof path, "%s/results/good.h5", dir);
    assert_true(tu_exists(path));
    snprintf(cmd, sizeof cmd, "h5dump -a /scenarios/good/start_date '%s'", path);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_non_null(strstr(out, "\"2023-04-01\""));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_scenarios), cmocka_unit_test(test_error_in_base_names_base),
        cmocka_unit_test(test_missing_file),  cmocka_unit_test(test_usage),
        cmocka_unit_test(test_check_and_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
