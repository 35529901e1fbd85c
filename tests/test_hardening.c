/*
 * tests/test_hardening.c: bad input an adversarial user tried (issue 14), through the
 * program: batch files (plain names, set:/sweep: errors at the batch file's line, a missing
 * scenario, sweep size, names twice, mixed models), non-regular and oversized inputs, the
 * reader on 160,000 keys, check past 256 files, dates, seeds, shifts and absurd rates.
 * Every case checks the exact message and exit code.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "scenario/yaml.h"

#define MM10 CAPSIM_SOURCE_DIR "/scenarios/queue-mm10.yaml"
#define SNEE CAPSIM_SOURCE_DIR "/scenarios/snee-orthopaedics.yaml"

static char dir[1024];

static void setup_dir(const char *name)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir(name));
    char path[1200], text[1600];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    snprintf(text, sizeof text, "extends: %s\nhorizon_days: 30\nwarmup_days: 0\n", MM10);
    tu_write_file(path, text);
}

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

/* A scenario: s.yaml with `line` appended (a top-level key) as dir/NAME. */
static void scenario_with(const char *name, const char *lines)
{
    char text[2000];
    snprintf(text, sizeof text, "extends: s.yaml\n%s", lines);
    write_in(name, text);
}

static void test_batch_names_are_plain(void **state)
{
    (void)state;
    setup_dir("hard_names");
    write_in("b.yaml", "name: ../../x\nscenarios:\n  - s.yaml\n");
    expect("check b.yaml", 2,
           "capsim: b.yaml:1:7: name: expected a name of letters, digits, '-', '_' or '.' (not "
           "starting with '.', at most 200), got \"../../x\"\n");
    write_in("c.yaml", "name: c\nscenarios:\n  - s.yaml\n  - file: s.yaml\n    name: a/b\n");
    expect("run c.yaml -r 2", 2,
           "capsim: c.yaml:5:11: scenarios[1].name: expected a name of letters, digits, '-', '_' "
           "or '.' (not starting with '.', at most 200), got \"a/b\"\n");
    assert_int_equal(tu_count_entries(dir), 3);
}

static void test_batch_errors_name_the_batch_line(void **state)
{
    (void)state;
    setup_dir("hard_batch_lines");
    write_in("b.yaml", "name: b\nscenarios:\n  - s.yaml\n  - file: s.yaml\n    name: two\n"
                       "    set:\n      queue.servers: -3\n");
    expect("check b.yaml", 2,
           "capsim: b.yaml:7:22: queue.servers: expected a whole number between 1 and 1000000, "
           "got \"-3\"\n");
    write_in("c.yaml", "name: c\nscenarios:\n  - s.yaml\n  - file: s.yaml\n    sweep:\n"
                       "      queue.servers: [11, 0]\n");
    expect("run c.yaml -r 2", 2,
           "capsim: c.yaml:6:27: queue.servers: expected a whole number between 1 and 1000000, "
           "got \"0\"\n");
    /* A key path that cannot be set is named at the batch file's value too. */
    write_in("d.yaml", "name: d\nscenarios:\n  - file: s.yaml\n    set:\n"
                       "      queue.servers[3].servers: 2\n");
    expect("check d.yaml", 2,
           "capsim: d.yaml:5:33: queue.servers[3].servers: expected a sequence at "
           "\"queue.servers\", got a scalar\n");
    write_in("e.yaml", "name: e\nscenarios:\n  - s.yaml\n  - file: nope.yaml\n");
    expect("check e.yaml", 2,
           "capsim: e.yaml:4:11: scenarios[1].file: cannot open scenario \"nope.yaml\": No such "
           "file or directory\n");
}

static void test_sweep_size_bounded(void **state)
{
    (void)state;
    setup_dir("hard_sweep");
    char text[8000];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "name: big\nscenarios:\n  - file: s.yaml\n    sweep:\n"
                                "      queue.servers: [");
    for (int i = 1; i <= 101; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i > 1 ? ", " : "", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "]\n      queue.arrivals.per_day: [");
    for (int i = 1; i <= 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i > 1 ? ", " : "", i);
    snprintf(text + n, sizeof text - n, "]\n");
    write_in("big.yaml", text);
    expect("run big.yaml -r 2", 2,
           "capsim: big.yaml:5:7: scenarios[0].sweep: the sweep makes more than 10000 scenarios "
           "(the product of its list lengths); split it over several batches\n");
}

/* check past 256 files; check refuses the same name twice, as run does. */
static void test_check_agrees_with_run(void **state)
{
    (void)state;
    setup_dir("hard_check");
    char args[20000] = "check";
    size_t n = strlen(args);
    for (int i = 0; i < 300; i++) {
        char name[32], text[200];
        snprintf(name, sizeof name, "f%03d.yaml", i);
        snprintf(text, sizeof text, "extends: s.yaml\nname: f%03d\n%s", i,
                 i == 299 ? "seed: -1\n" : "");
        write_in(name, text);
        n += (size_t)snprintf(args + n, sizeof args - n, " %s", name);
    }
    snprintf(args + n, sizeof args - n, " > /dev/null");
    expect(args, 2,
           "capsim: f299.yaml:3:7: seed: expected a whole number between 0 and "
           "9007199254740991, got \"-1\"\n");
    write_in("dup.yaml", "name: dup\nscenarios:\n  - s.yaml\n  - s.yaml\n");
    const char *twice = "capsim: s.yaml: name: scenario name \"queue-mm10\" appears twice in the "
                        "batch; give one a different `name:`\n";
    expect("check dup.yaml > /dev/null", 2, twice);
    expect("run dup.yaml -r 2", 2, twice);
}

static void test_mixed_models_noted(void **state)
{
    (void)state;
    setup_dir("hard_mixed");
    char text[1600];
    snprintf(text, sizeof text, "name: mix\nscenarios:\n  - s.yaml\n  - %s\n", SNEE);
    write_in("mix.yaml", text);
    expect("check mix.yaml > /dev/null", 0,
           "capsim check: note: scenario snee-orthopaedics (model elective) and the baseline "
           "queue-mm10 (model queue) share no metric: "
           "/comparisons/snee-orthopaedics__vs__queue-mm10 will be empty; compare scenarios of "
           "one model, or put the other model's scenarios in a batch of their own\n");
}

static void test_non_regular_inputs(void **state)
{
    (void)state;
    setup_dir("hard_inputs");
    expect("check /dev/zero", 2,
           "capsim: /dev/zero: cannot read: not a regular file (a device, FIFO or socket)\n");
    expect("run /dev/urandom -r 2", 2,
           "capsim: /dev/urandom: cannot read: not a regular file (a device, FIFO or socket)\n");
    write_in("z.yaml", "extends: /dev/zero\n");
    expect("check z.yaml", 2,
           "capsim: z.yaml:1:10: extends: cannot read \"/dev/zero\": not a regular file (a "
           "device, FIFO or socket)\n");
    char fifo[1200];
    snprintf(fifo, sizeof fifo, "%s/fifo.yaml", dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    /* Nobody writes the FIFO: without the check this would hang until the timeout. */
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "cd '%s' && timeout 20 '%s' check fifo.yaml", dir, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    assert_string_equal(err,
                        "capsim: fifo.yaml: cannot read: not a regular file (a device, FIFO or "
                        "socket)\n");
    free(err);
    /* A file over 16 MiB is refused before it is read. */
    char big[1200];
    snprintf(big, sizeof big, "%s/big.yaml", dir);
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    assert_int_equal(fseek(f, 16L * 1024 * 1024, SEEK_SET), 0);
    fputc('#', f);
    fclose(f);
    expect("check big.yaml", 2,
           "capsim: big.yaml: cannot read: the file is larger than 16 MiB (too large for a "
           "scenario)\n");
}

/* 160,000 keys in one map: loaded, every key found, a duplicate at the end still caught. */
static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 160000 };
    size_t cap = (size_t)N * 24 + 64, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "m:\n");
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(text + n, cap - n, "  key%d: %d\n", i, i);
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    assert_int_equal(sim_yaml_load_string(text, "keys.yaml", &tree, &root, &err), SIM_OK);
    const sim_node *m = sim_node_get(root, "m");
    assert_non_null(m);
    assert_int_equal(m->n, N);
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "key%d", i);
        const sim_node *v = sim_node_get(m, key);
        assert_non_null(v);
        assert_int_equal(atoi(v->text), i);
    }
    assert_null(sim_node_get(m, "key160000"));
    sim_node_tree_free(tree);
    snprintf(text + n, cap - n, "  key77: again\n");
    assert_int_equal(sim_yaml_load_string(text, "keys.yaml", &tree, &root, &err), SIM_EINPUT);
    assert_string_equal(err.message, "duplicate key \"key77\" (first at line 79)");
    assert_int_equal(err.line, N + 2);
    free(text);
}

static void test_scenario_messages(void **state)
{
    (void)state;
    setup_dir("hard_messages");
    scenario_with("d.yaml", "start_date: 2023-02-30\n");
    expect("check d.yaml", 2,
           "capsim: d.yaml:2:13: start_date: expected a date (YYYY-MM-DD), got \"2023-02-30\": "
           "that day does not exist (February 2023 has 28 days)\n");
    scenario_with("seed.yaml", "seed: 99999999999999999999\n");
    expect("check seed.yaml", 2,
           "capsim: seed.yaml:2:7: seed: number out of range: \"99999999999999999999\" (expected "
           "a whole number between 0 and 9007199254740991)\n");
    scenario_with("far.yaml", "start_date: 9990-04-01\nhorizon_days: 36000\n");
    expect("check far.yaml", 2,
           "capsim: far.yaml:3:15: horizon_days: the run would end after 9999-12-31, which "
           "month-end labels (YYYY-MM-DD) cannot write; shorten horizon_days or start earlier\n");
    /* run refuses it too, before anything runs or is written. */
    expect("run far.yaml -r 2 -o far.h5", 2,
           "capsim: far.yaml:3:15: horizon_days: the run would end after 9999-12-31, which "
           "month-end labels (YYYY-MM-DD) cannot write; shorten horizon_days or start earlier\n");
    char far[1200];
    snprintf(far, sizeof far, "%s/far.h5", dir);
    assert_false(tu_exists(far));
    snprintf(far, sizeof far, "%s/far.h5.ckpt", dir);
    assert_false(tu_exists(far));
    scenario_with("inside.yaml", "start_date: 2099-06-01\n");
    expect("check inside.yaml > /dev/null", 0, "");
    scenario_with("late.yaml", "start_date: 2099-12-15\n");
    expect("check late.yaml > /dev/null", 0,
           "capsim check: warning: late.yaml:2:13: scenario queue-mm10 runs from 2099-12-15 to "
           "2100-01-13, outside the built-in bank holidays (1995-2099): days outside those years "
           "have none (give bank_holidays: {dates: [...]} to set them)\n");
}

/* The elective model's patient record keeps a home site in 11 bits: a system of more sites is
 * refused at load, naming the system section, with nothing written. */
static void test_elective_site_limit(void **state)
{
    (void)state;
    setup_dir("hard_sites");
    static char text[200000];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "name: many-sites\nstart_date: 2024-04-01\nhorizon_days: 10\n"
                                "seed: 1\nreplications: 1\nsystem:\n  trusts:\n");
    for (int t = 0; t < 33; t++) { /* 33 trusts of 64 sites: 2,112 */
        n += (size_t)snprintf(text + n, sizeof text - n, "    - {name: T%d, sites: [", t);
        for (int k = 0; k < 64; k++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s{code: S%dx%d}", k ? ", " : "", t, k);
        n += (size_t)snprintf(text + n, sizeof text - n, "]}\n");
    }
    snprintf(text + n, sizeof text - n,
             "specialties:\n  - name: ent\n    lists:\n      T0:\n"
             "        referrals: {per_week: 10}\n        treatments_per_week: 10\n");
    write_in("sites.yaml", text);
    expect("run sites.yaml -o sites.h5", 2,
           "capsim: sites.yaml:7:3: system: the elective model takes at most 2047 sites, got "
           "2112\n");
    char out[1200];
    snprintf(out, sizeof out, "%s/sites.h5", dir);
    assert_false(tu_exists(out));
}

static void test_shifts_and_rates(void **state)
{
    (void)state;
    setup_dir("hard_shifts");
    scenario_with("night.yaml", "queue:\n  servers:\n"
                                "    - {days: all, from: \"16:00\", to: \"08:00\", servers: 2}\n");
    expect("check night.yaml", 2,
           "capsim: night.yaml:4:38: queue.servers[0].to: expected an end after the start "
           "(\"from\" is 16:00); a shift past midnight says so with `overnight: true`\n");
    scenario_with("night2.yaml",
                  "queue:\n  servers:\n"
                  "    - {days: all, from: \"16:00\", to: \"08:00\", servers: 2, overnight: true}\n");
    expect("check night2.yaml > /dev/null", 0, "");
    scenario_with("day.yaml",
                  "queue:\n  servers:\n"
                  "    - {days: all, from: \"08:00\", to: \"16:00\", servers: 2, overnight: true}\n");
    expect("check day.yaml", 2,
           "capsim: day.yaml:4:70: queue.servers[0].overnight: overnight: true, but the shift "
           "ends the day it starts (08:00 to 16:00)\n");
    scenario_with("rate.yaml", "queue:\n  arrivals: {per_day: 1e300}\n");
    expect("check rate.yaml", 2,
           "capsim: rate.yaml:3:23: queue.arrivals.per_day: expected at most 10000000 arrivals a "
           "day (10000000 per_day), got \"1e300\": no service sees more, and the run would never "
           "end\n");
    scenario_with("factor.yaml", "queue:\n  arrivals: {per_day: 9, weekday: {mon: 1e300}}\n");
    expect("check factor.yaml", 2,
           "capsim: factor.yaml:3:41: queue.arrivals.weekday.mon: expected a number between 0 "
           "and 1000000, got \"1e300\"\n");
    scenario_with("growth.yaml", "queue:\n  arrivals: {per_day: 9, growth_per_year: 1e300%}\n");
    expect("check growth.yaml", 2,
           "capsim: growth.yaml:3:43: queue.arrivals.growth_per_year: expected a growth of at "
           "most 100% a year (demand doubling every year), got \"1e300%\"\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_names_are_plain),
        cmocka_unit_test(test_batch_errors_name_the_batch_line),
        cmocka_unit_test(test_sweep_size_bounded),
        cmocka_unit_test(test_check_agrees_with_run),
        cmocka_unit_test(test_mixed_models_noted),
        cmocka_unit_test(test_non_regular_inputs),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_scenario_messages),
        cmocka_unit_test(test_shifts_and_rates),
        cmocka_unit_test(test_elective_site_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
