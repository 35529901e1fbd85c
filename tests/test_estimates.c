/*
 * tests/test_estimates.c: events and memory estimated before a run (app/estimate.h, the
 * models' estimate hooks), and the refusals of absurd but accepted values: sizes read and
 * written, a model's estimate against the count it must give, every example scenario
 * within the machine's default limit, and `capsim run` refusing (exit 2, the estimate in
 * the message, nothing written) a run over --max-memory, past the events bound, or with
 * more classes or trusts than is physically meaningful.
 */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "core/error.h"
#include "estimate.h"
#include "scenario.h"

#define MM10 CAPSIM_SOURCE_DIR "/scenarios/queue-mm10.yaml"

static char dir[1024];

static void write_in(const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write_file(path, text);
}

/* "cd dir && capsim ARGS": exit code and exact stderr. */
static void expect(const char *args, int code, const char *message)
{
    char cmd[4000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, CAPSIM_BINARY, args);
    char *out = NULL, *err = NULL;
    int got = tu_run(cmd, &out, &err);
    if (got != code || strcmp(err ? err : "", message) != 0)
        print_error("capsim %s\n  exit %d (want %d)\n  stderr: %s  want:   %s", args, got, code,
                    err ? err : "", message);
    assert_int_equal(got, code);
    assert_string_equal(err, message);
    free(out);
    free(err);
}

static void test_sizes(void **state)
{
    (void)state;
    double b = 0;
    assert_int_equal(capsim_parse_bytes("19G", &b), 0);
    assert_true(b == 19e9);
    assert_int_equal(capsim_parse_bytes("500M", &b), 0);
    assert_true(b == 500e6);
    assert_int_equal(capsim_parse_bytes("1.5GB", &b), 0);
    assert_true(b == 1.5e9);
    assert_int_equal(capsim_parse_bytes("2GiB", &b), 0);
    assert_true(b == 2147483648.0);
    assert_int_equal(capsim_parse_bytes("4096", &b), 0);
    assert_true(b == 4096);
    assert_int_equal(capsim_parse_bytes("1x", &b), -1);
    assert_int_equal(capsim_parse_bytes("0", &b), -1);
    assert_int_equal(capsim_parse_bytes("-1G", &b), -1);
    assert_int_equal(capsim_parse_bytes("", &b), -1);
    char buf[32];
    capsim_format_bytes(8.6e9, buf, sizeof buf);
    assert_string_equal(buf, "8.6 GB");
    capsim_format_bytes(5.1e8, buf, sizeof buf);
    assert_string_equal(buf, "510 MB");
    capsim_format_bytes(12, buf, sizeof buf);
    assert_string_equal(buf, "12 bytes");
    assert_true(capsim_default_max_memory() > 0);
}

/* M/M/10 at 9 a day for 730 days: 6570 arrivals, three events each. */
static void test_queue_estimate(void **state)
{
    (void)state;
    struct sim_error err;
    capsim_loaded *l = NULL;
    assert_int_equal(capsim_scenario_open(MM10, NULL, 0, &l, &err), SIM_OK);
    assert_int_equal(l->n_models, 1);
    assert_non_null(l->models[0]->estimate);
    double events = 0, bytes = 0;
    assert_int_equal(l->models[0]->estimate(l->cfgs[0], &events, &bytes), SIM_OK);
    assert_true(fabs(events - 3 * 9 * 730.0) < 1e-6);
    assert_true(fabs(bytes - (160 * 9 * 730.0 + 256)) < 1e-3);
    capsim_estimate e;
    capsim_estimate_run(&l, 1, 20, 4, &e);
    assert_int_equal(e.at_once, 4);
    double record = 8.0 * (double)sim_monitor_record_length(l->monitor);
    assert_true(fabs(e.total_bytes - (4 * (bytes + record) + 20 * record)) < 1e-3);
    capsim_scenario_close(l);
}

/* Every example scenario (not the batch files) fits under the machine's default limit. */
static void test_examples_fit(void **state)
{
    (void)state;
    DIR *d = opendir(CAPSIM_SOURCE_DIR "/scenarios");
    assert_non_null(d);
    struct dirent *de;
    size_t checked = 0;
    double limit = capsim_default_max_memory();
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/scenarios/%s", CAPSIM_SOURCE_DIR, de->d_name);
        if (capsim_is_batch_file(path))
            continue;
        struct sim_error err;
        capsim_loaded *l = NULL;
        assert_int_equal(capsim_scenario_open(path, NULL, 0, &l, &err), SIM_OK);
        if (capsim_estimate_check("capsim run", &l, 1, (size_t)l->sc.replications, 2, limit,
                                  true) != 0)
            fail_msg("%s does not fit under the default limit", de->d_name);
        capsim_scenario_close(l);
        checked++;
    }
    closedir(d);
    assert_true(checked >= 15);
}

static void test_run_refuses_memory(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("estimates_memory"));
    /* 2 x (1,051,456 bytes of customers + one record) + two records kept */
    expect("run " MM10 " -r 2 -j 2 --max-memory 1M -o x.h5", 2,
           "capsim run: " MM10 ": about 2.1 MB for 2 replications at once (queue: 19710 "
           "events a replication) and the records of 2 (1.3 kB) exceeds --max-memory 1.0 MB; "
           "lower -j or the horizon\n");
    expect("run " MM10 " -r 2 -j 1 --max-memory 1M -o x.h5", 2,
           "capsim run: " MM10 ": about 1.1 MB for 1 replication at once (queue: 19710 events "
           "a replication) and the records of 2 (1.3 kB) exceeds --max-memory 1.0 MB; "
           "lower -j or the horizon\n");
    expect("run " MM10 " -r 2 --max-memory 1x -o x.h5", 2,
           "capsim run: --max-memory expects a size such as 4G or 500M, got \"1x\"\n"
           "(see capsim run --help)\n");
    /* 1e6 arrivals a day through extends: 7.3e8 customers held at once in the worst case */
    write_in("busy.yaml", "extends: " MM10 "\nqueue:\n  arrivals: {per_day: 1e6}\n");
    expect("run busy.yaml -r 2 -j 2 --max-memory 19G -o x.h5", 2,
           "capsim run: busy.yaml: about 234 GB for 2 replications at once (queue: 2.2e9 "
           "events a replication) and the records of 2 (1.3 kB) exceeds --max-memory 19 GB; "
           "lower -j or the horizon\n");
    assert_int_equal(tu_count_entries(dir), 1);
}

static void test_run_refuses_events(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("estimates_events"));
    /* 1e7 a day for 100 years: 3.65e11 arrivals, 1.1e12 events, whatever the memory */
    write_in("long.yaml",
             "extends: " MM10 "\nhorizon_days: 36500\nqueue:\n  arrivals: {per_day: 1e7}\n");
    expect("run long.yaml -r 2 -j 1 --max-memory 1P -o x.h5", 2,
           "capsim run: --max-memory expects a size such as 4G or 500M, got \"1P\"\n"
           "(see capsim run --help)\n");
    expect("run long.yaml -r 2 -j 1 --max-memory 1000T -o x.h5", 2,
           "capsim run: long.yaml: about 1.1e12 events a replication (mostly queue) exceeds "
           "the limit of 1e10 (hours of work a replication); shorten the horizon or lower the "
           "rates\n");
    /* a century of 1000 virtual wards at 400 referrals a day: 1.46e10 referrals, refused
     * at once (the estimate is bounded in time: models/estimate_arrivals.h) */
    size_t cap = 300000, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n,
                          "name: t\nstart_date: 2000-01-03\nhorizon_days: 36500\n"
                          "bank_holidays: {dates: [2000-01-03]}\nsystem:\n  trusts:\n");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "    - {name: T%d, population: 280000, sites: [{code: S%d}]}\n",
                              i, i);
    n += (size_t)snprintf(text + n, cap - n,
                          "virtual_ward:\n  shared: true\n  max_stay_days: 14\n"
                          "  visits_per_staff_hour: 0.8\n  step_down_bed_days_saved: 2.89\n"
                          "  admissions_per_avoided: 2.5\n  pathways:\n"
                          "    - {name: p, step_up: 100%%, step_down: 100%%, stay_days: "
                          "{exponential: {mean: 5}}, escalation: 0.1, visits_per_day: 1}\n"
                          "  trusts:\n");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "    - {trust: T%d, places_per_100k: 20, step_up: {per_day: 400}}\n",
                              i);
    write_in("wards.yaml", text);
    free(text);
    expect("run wards.yaml -r 2 -j 1 -o x.h5", 2,
           "capsim run: wards.yaml: about 4.4e10 events a replication (mostly virtual_ward) "
           "exceeds the limit of 1e10 (hours of work a replication); shorten the horizon or "
           "lower the rates\n");
    assert_int_equal(tu_count_entries(dir), 2);
}

/* Absurd counts are refused by a physical bound at once, before anything is read. */
static void test_physical_bounds(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("estimates_bounds"));
    size_t cap = 200000, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "extends: %s\nqueue:\n  classes:\n", MM10);
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(text + n, cap - n, "    - {name: c%d, share: 0.001}\n", i);
    write_in("classes.yaml", text);
    expect("run classes.yaml -r 2 -o x.h5", 2,
           "capsim: classes.yaml:4:5: queue.classes: expected at most 1000 classes, got "
           "1001\n");
    n = (size_t)snprintf(text, cap,
                         "extends: %s\nsystem:\n  trusts:\n", MM10);
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(text + n, cap - n, "    - {name: T%d, sites: [{code: S%d}]}\n",
                              i, i);
    write_in("trusts.yaml", text);
    expect("run trusts.yaml -r 2 -o x.h5", 2,
           "capsim: trusts.yaml:4:5: system.trusts: expected at most 1000 trusts, got 1001\n");
    free(text);
    assert_int_equal(tu_count_entries(dir), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_queue_estimate),
        cmocka_unit_test(test_examples_fit),
        cmocka_unit_test(test_run_refuses_memory),
        cmocka_unit_test(test_run_refuses_events),
        cmocka_unit_test(test_physical_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
