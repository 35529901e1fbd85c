/*
 * The capsim program as a user meets it: bad scenarios are answered before anything runs,
 * with file:line:column, key path and what was expected, exit code 2 and nothing written;
 * the good path writes a results file.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpus.h"

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
                    "\"1e400\" (expected a number >= 0)");
    expect_rejected("nan", edit("per_day: 9", "per_day: nan"),
                    "nan.yaml:5:23: queue.arrivals.per_day: expected a number >= 0, got "
                    "\"nan\"");
    expect_rejected("date", edit("2023-04-01", "2023-02-30"),
                    "date.yaml:2:13: start_date: expected a date (YYYY-MM-DD), got "
                    "\"2023-02-30\": that day does not exist (February 2023 has 28 days)");
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
                    "theatres, collaboration, loss, virtual_ward, ucch, beds");
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
    /* The libraries it was built with, one line each. */
    assert_non_null(strstr(out, "\nGSL 2."));
    assert_non_null(strstr(out, "\nHDF5 1."));
    assert_non_null(strstr(out, "\nlibyaml 0."));
    assert_non_null(strstr(out, "\nRandom123 1."));
    assert_non_null(strstr(out, "\nMPI "));
    char *v = out;
    assert_int_equal(tu_capsim("-V", &out, NULL), 0);
    assert_string_equal(out, v);
    free(out);
    free(v);
    assert_int_equal(tu_capsim("--help", &out, NULL), 0);
    assert_true(strncmp(out, "usage: capsim [-h|--help] [-V|--version] <command>", 50) == 0);
    free(out);
    assert_int_equal(tu_capsim("-h", &out, NULL), 0);
    assert_true(strncmp(out, "usage: capsim [-h|--help]", 25) == 0);
    free(out);
    assert_int_equal(tu_capsim("help run", &out, NULL), 0);
    assert_true(strncmp(out, "usage: capsim run [options] SCENARIO", 36) == 0);
    free(out);
    assert_int_equal(tu_capsim("", NULL, &err), 2);
    free(err);
    assert_int_equal(tu_capsim("frobnicate", NULL, &err), 2);
    assert_true(strncmp(err, "capsim: unknown command \"frobnicate\"\n", 37) == 0);
    free(err);
}

/* Every mistake in the options is named, with a suggestion when a known name is close. */
static void test_option_errors(void **state)
{
    (void)state;
    static const struct {
        const char *args, *message;
    } cases[] = {
        {"rnu x.yaml", "capsim: unknown command \"rnu\" (did you mean \"run\"?)\n"},
        {"chek x.yaml", "capsim: unknown command \"chek\" (did you mean \"check\"?)\n"},
        {"--frob", "capsim: unknown option \"--frob\"\n"},
        {"run x.yaml --jbos 2", "capsim run: unknown option \"--jbos\" (did you mean "
                                "\"--jobs\"?)\n(see capsim run --help)\n"},
        {"run x.yaml --replicatoins=3", "capsim run: unknown option \"--replicatoins\" (did "
                                        "you mean \"--replications\"?)\n"},
        {"run x.yaml --re", "capsim run: option \"--re\" is ambiguous (--replications, "
                            "--resume)\n"},
        {"run x.yaml -x", "capsim run: unknown option \"-x\"\n"},
        {"run x.yaml -j", "capsim run: -j needs a value\n"},
        {"run x.yaml --jobs", "capsim run: --jobs needs a value\n"},
        {"run x.yaml --jobs=0", "capsim run: --jobs expects a whole number from 1 to 4096, got "
                                "\"0\"\n"},
        {"run x.yaml --seed=-1", "capsim run: --seed expects a whole number from 0 to "
                                 "9007199254740991, got \"-1\"\n"},
        {"run x.yaml -o -", "capsim run: -o -: results cannot go to standard output (an HDF5 "
                            "file is written under a temporary name and renamed); give a file "
                            "name\n"},
        {"run x.yaml --output=-", "capsim run: -o -: results cannot go to standard output"},
        {"merge a.h5 -o -", "capsim merge: -o -: results cannot go to standard output"},
        {"merge a.h5 --froce -o m.h5", "capsim merge: unknown option \"--froce\" (did you mean "
                                       "\"--force\"?)\n"},
        {"check --sett a=1 x.yaml", "capsim check: unknown option \"--sett\" (did you mean "
                                    "\"--set\"?)\n"},
        {"check --set a x.yaml", "capsim check: --set expects key.path=value, got \"a\"\n"},
    };
    const char *dir = tu_tmpdir("options");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[9000], *err = NULL;
        snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, CAPSIM_BINARY, cases[i].args);
        int code = tu_run(cmd, NULL, &err);
        if (code != 2 || strncmp(err, cases[i].message, strlen(cases[i].message)) != 0)
            fail_msg("capsim %s: exit %d, stderr\n%s\nexpected it to start with\n%s",
                     cases[i].args, code, err, cases[i].message);
        free(err);
        /* Nothing written (no file named "-", no results/). */
        assert_int_equal(tu_count_entries(dir), 0);
    }
}

/* Long forms, attached values and `--` do what their short forms do. */
static void test_long_options(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("long");
    char path[4300], cmd[9000], *out = NULL, *err = NULL;
    snprintf(path, sizeof path, "%s/-dash.yaml", dir);
    tu_write_file(path, edit("name: bad", "name: dash"));
    /* A file whose name starts with '-' is an operand after `--`, an option before. */
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check -- -dash.yaml", dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_true(strncmp(out, "-dash.yaml: ok: scenario \"dash\"", 31) == 0);
    free(out);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check -dash.yaml", dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    assert_true(strncmp(err, "capsim check: unknown option \"-d\"\n", 34) == 0);
    free(err);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run --replications=3 --seed=5 --jobs=1 --output=long.h5 "
             "--set=queue.servers=11 --quiet -- -dash.yaml && "
             "'%s' run -r3 --seed 5 -j1 -olong-short.h5 -s queue.servers=11 -q -- -dash.yaml && "
             "'%s' run -r 3 --seed 6 -o other-seed.h5 -q -- -dash.yaml",
             dir, CAPSIM_BINARY, CAPSIM_BINARY, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "cd '%s' && h5diff long.h5 long-short.h5 /scenarios /scenarios",
             dir);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    /* ...and the seed did reach the run: another seed differs. */
    snprintf(cmd, sizeof cmd, "cd '%s' && h5diff -q long.h5 other-seed.h5 /scenarios /scenarios",
             dir);
    assert_int_equal(tu_run(cmd, NULL, NULL), 1);
    snprintf(cmd, sizeof cmd, "h5dump -a /base_seed -a /replications '%s/long.h5'", dir);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_non_null(strstr(out, "(0): 5"));
    assert_non_null(strstr(out, "(0): 3"));
    free(out);
}

/* A --metric the model does not have is answered before anything runs, with a suggestion. */
static void test_metric_suggestion(void **state)
{
    (void)state;
    char *err = NULL, args[2000];
    snprintf(args, sizeof args,
             "run %s/scenarios/queue-mm10.yaml --precision 0.05 --metric mean_wiat_days -o "
             "%s/metric.h5",
             CAPSIM_SOURCE_DIR, tu_tmpdir("metric"));
    assert_int_equal(tu_capsim(args, NULL, &err), 2);
    assert_string_equal(err, "capsim run: --metric mean_wiat_days: scenario queue-mm10 has no "
                             "such metric (did you mean \"mean_wait_days\"?)\n");
    free(err);
    assert_int_equal(tu_count_entries(tu_tmpdir("metric")), 0);
}

/* Not on a terminal (a Slurm log), --progress writes whole lines, not a redrawn bar. */
static void test_plain_progress(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("plain");
    char path[4300], cmd[9000], *err = NULL;
    snprintf(path, sizeof path, "%s/p.yaml", dir);
    tu_write_file(path, edit("name: bad", "name: p"));
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run p.yaml -r 3 -j 1 --progress", dir,
             CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, &err), 0);
    assert_null(strchr(err, '\r'));
    assert_null(strchr(err, '\033'));
    assert_true(strncmp(err, "capsim: progress 0/3 jobs\ncapsim: progress 3/3 jobs, ", 52) == 0);
    assert_non_null(strstr(err, " jobs/s, "));
    assert_non_null(strstr(err, "\ncapsim run: 1 scenario x 3 replications written to "));
    free(err);
}

/* cgroup v2 cpu.max: "QUOTA PERIOD" rounded up to whole CPUs; "max" is no limit. */
static void test_cgroup_cpu_limit(void **state)
{
    (void)state;
    assert_int_equal(capsim_cgroup_cpu_limit("150000 100000\n"), 2);
    assert_int_equal(capsim_cgroup_cpu_limit("100000 100000\n"), 1);
    assert_int_equal(capsim_cgroup_cpu_limit("50000 100000"), 1);
    assert_int_equal(capsim_cgroup_cpu_limit("400000 100000"), 4);
    assert_int_equal(capsim_cgroup_cpu_limit("max 100000\n"), 0);
    assert_int_equal(capsim_cgroup_cpu_limit("garbage"), 0);
    assert_int_equal(capsim_cgroup_cpu_limit("12x 100000"), 0);
    assert_int_equal(capsim_cgroup_cpu_limit(""), 0);
}

/* The thread count capsim run reports in its summary line ("..., N threads)"), or -1. */
static int threads_used(const char *prefix, const char *extra)
{
    const char *dir = tu_tmpdir("threads");
    char path[4300], cmd[9000], *err = NULL;
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    tu_write_file(path, edit("name: bad", "name: t"));
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' run t.yaml -r 2 -o t.h5 %s", dir, prefix,
             CAPSIM_BINARY, extra);
    int code = tu_run(cmd, NULL, &err);
    assert_int_equal(code, 0);
    const char *p = err ? strstr(err, " s, ") : NULL;
    int n = p ? atoi(p + 4) : -1;
    free(err);
    return n;
}

/* The default thread count follows the CPUs the process may use, not the machine's. */
static void test_default_threads(void **state)
{
    (void)state;
    unsigned usable = capsim_usable_cpus();
    assert_int_equal(threads_used("env -u SLURM_CPUS_PER_TASK", ""), (int)usable);
    assert_int_equal(threads_used("taskset -c 0", ""), 1);
    assert_int_equal(threads_used("SLURM_CPUS_PER_TASK=1", ""), 1);
    /* A bigger -j is honoured, with a note saying why it may not help. */
    assert_int_equal(threads_used("taskset -c 0", "-j 3"), 3);
    const char *dir = tu_tmpdir("threads-note");
    char path[4300], cmd[9000], *err = NULL;
    snprintf(path, sizeof path, "%s/t.yaml", dir);
    tu_write_file(path, edit("name: bad", "name: t"));
    snprintf(cmd, sizeof cmd, "cd '%s' && taskset -c 0 '%s' run t.yaml -r 2 -j 3", dir,
             CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, &err), 0);
    assert_true(strncmp(err, "capsim run: note: -j 3 but this process may run on 1 CPU; under "
                             "mpirun, give --bind-to none or --map-by slot:PE=3\n", 108) == 0);
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
        cmocka_unit_test(test_check_and_run), cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_long_options),  cmocka_unit_test(test_metric_suggestion),
        cmocka_unit_test(test_cgroup_cpu_limit), cmocka_unit_test(test_default_threads),
        cmocka_unit_test(test_plain_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
