/*
 * Uncertain inputs (app/uncertain.h) and sensitivity (app/sensitivity.h), on a scenario whose
 * output is a known function of one input: the throughput of a queue is its arrival rate.
 *
 * With the rate ~ triangular(4, 6, 8) per day over 365 days, the throughput's variance
 * across input samples is Var(rate) = (4^2 + 6^2 + 8^2 - 24 - 32 - 48) / 18 = 2/3, and
 * within a sample (the simulation noise) that of a Poisson count over 365 days divided by
 * 365: E[rate] / 365 = 6 / 365.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "core/error.h"
#include "scenario.h"
#include "sensitivity.h"

static const char *const scenario_text =
    "name: unc\nstart_date: 2024-04-01\nhorizon_days: 365\nseed: 3\nreplications: 400\n"
    "queue:\n"
    "  arrivals: {per_day: {uncertain: {triangular: {min: 4, mode: 6, max: 8}}}}\n"
    "  servers: 10\n"
    "  service_days: {exponential: {mean: {uncertain: {uniform: {min: 0.5, max: 0.6}}}}}\n";

static const char *write_scenario(const char *dir, const char *name, const char *text)
{
    static char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tu_write_file(path, text);
    return path;
}

static double *read_dataset(const char *file, const char *name, size_t n)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        fail_msg("no dataset %s", name);
    hid_t sp = H5Dget_space(d);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    double *v = malloc(n * sizeof *v);
    assert_int_equal(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    return v;
}

static void test_variance_split(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("uncertain_split");
    const char *path = write_scenario(dir, "unc.yaml", scenario_text);
    char args[3000];
    snprintf(args, sizeof args, "run '%s' --quiet -o '%s/unc.h5'", path, dir);
    char *err = NULL;
    int code = tu_capsim(args, NULL, &err);
    if (code)
        fail_msg("capsim run: %s", err);
    free(err);
    char file[1300];
    snprintf(file, sizeof file, "%s/unc.h5", dir);

    /* The runs of one input sample share their inputs; the next sample draws new ones. */
    double *rate = read_dataset(file, "/scenarios/unc/inputs/reps/queue_arrivals_per_day", 400);
    for (size_t s = 0; s < 200; s++)
        assert_true(rate[2 * s] == rate[2 * s + 1]);
    assert_true(rate[0] != rate[2]);
    double mean = 0;
    for (size_t r = 0; r < 400; r += 2)
        mean += rate[r] / 200;
    assert_true(tu_within("mean drawn rate", mean, 6.0, 1.96 * sqrt(2.0 / 3 / 200), 1.5));
    free(rate);

    /* total, inputs, noise, inputs_share */
    double *v = read_dataset(file, "/scenarios/unc/queue/variance/throughput_per_day", 4);
    double var_in = 2.0 / 3.0, noise = 6.0 / 365.0;
    /* Standard errors of the two estimates from 200 samples (normal approximations). */
    assert_true(tu_within("inputs' variance", v[1], var_in, 1.96 * var_in * sqrt(2.0 / 199), 1.5));
    assert_true(tu_within("noise variance", v[2], noise, 1.96 * noise * sqrt(2.0 / 200), 1.5));
    assert_true(v[3] > 0.95 && v[3] < 1.0);
    free(v);
}

static void test_paired_across_a_batch(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("uncertain_batch");
    write_scenario(dir, "unc.yaml", scenario_text);
    char text[600];
    snprintf(text, sizeof text,
             "name: b\nreplications: 6\nscenarios:\n  - unc.yaml\n"
             "  - file: unc.yaml\n    name: more\n    set:\n      queue.servers: 11\n");
    const char *batch = write_scenario(dir, "batch.yaml", text);
    char args[3000];
    snprintf(args, sizeof args, "run '%s' --quiet -o '%s/b.h5'", batch, dir);
    assert_int_equal(tu_capsim(args, NULL, NULL), 0);
    char file[1300];
    snprintf(file, sizeof file, "%s/b.h5", dir);
    double *a = read_dataset(file, "/scenarios/unc/inputs/reps/queue_arrivals_per_day", 6);
    double *b = read_dataset(file, "/scenarios/more/inputs/reps/queue_arrivals_per_day", 6);
    for (int r = 0; r < 6; r++)
        assert_true(a[r] == b[r]);
    free(a);
    free(b);
}

static void test_sensitivity_ranks_the_rate_first(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("uncertain_sens");
    const char *path = write_scenario(dir, "unc.yaml", scenario_text);
    capsim_loaded *l = NULL;
    struct sim_error err;
    assert_int_equal(capsim_scenario_open(path, NULL, 0, &l, &err), 0);
    assert_int_equal(l->uncertain.n, 2);
    capsim_sensitivity s;
    assert_int_equal(capsim_sensitivity_run(l, "queue/throughput_per_day", 0, 4, 24, 3, &s, &err),
                     0);
    const capsim_uncertain *first = &l->uncertain.inputs[s.oneway[0].input];
    assert_string_equal(first->path, "queue.arrivals.per_day");
    /* Throughput follows the rate: the swing is high - low = 4 per day, give or take the
     * Poisson noise of 4 x 365 arrivals (sd about 0.06 a day for the difference). */
    double swing = s.oneway[0].at_high - s.oneway[0].at_low;
    assert_true(fabs(swing - 4.0) < 0.3);
    assert_true(fabs(s.oneway[1].at_high - s.oneway[1].at_low) < 0.3);
    size_t rate = s.oneway[0].input, service = s.oneway[1].input;
    assert_true(s.src[rate] > 0.95);
    assert_true(fabs(s.src[service]) < 0.15);
    assert_true(s.r2 > 0.9);
    capsim_sensitivity_free(&s);

    assert_int_equal(capsim_sensitivity_run(l, "queue/nope", 0, 2, 0, 3, &s, &err), SIM_EINPUT);
    assert_string_equal(err.message, "--metric queue/nope: no such metric (write MODEL/NAME, "
                                     "e.g. queue/mean_wait_days)");
    capsim_scenario_close(l);
}

static void expect_rejected(const char *yaml_queue, const char *message)
{
    const char *dir = tu_tmpdir("uncertain_bad");
    char text[2000];
    snprintf(text, sizeof text, "name: bad\nstart_date: 2024-04-01\nhorizon_days: 30\n%s",
             yaml_queue);
    write_scenario(dir, "bad.yaml", text);
    char cmd[3000], *err = NULL;
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check bad.yaml", dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    char want[2100];
    snprintf(want, sizeof want, "capsim: %s\n", message);
    if (strcmp(err, want) != 0)
        fail_msg("got      %s  expected %s", err, want);
    free(err);
}

static void test_bad_uncertain_inputs(void **state)
{
    (void)state;
    expect_rejected("warmup_days: {uncertain: {uniform: {min: 1, max: 2}}}\n"
                    "queue: {arrivals: {per_day: 1}, servers: 1, service_days: 0.5}\n",
                    "bad.yaml:4:14: warmup_days: warmup_days cannot be uncertain: only model "
                    "and system inputs can");
    expect_rejected("queue:\n  arrivals: {per_day: {uncertain: {poisson: {mean: 3}}}}\n"
                    "  servers: 1\n  service_days: 0.5\n",
                    "bad.yaml:5:35: queue.arrivals.per_day.uncertain: an uncertain input "
                    "takes a continuous distribution (triangular, uniform, lognormal, gamma, "
                    "exponential, empirical), not a count");
    expect_rejected("queue:\n  arrivals: {per_day: 1}\n"
                    "  servers: {uncertain: {empirical: {values: [0, 2, 3], weights: [1, 2, 1]}}}\n"
                    "  service_days: 0.5\n",
                    "bad.yaml:6:12: queue.servers: at its low value 0: expected a "
                    "whole number between 1 and 1000000, got \"0\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variance_split),
        cmocka_unit_test(test_paired_across_a_batch),
        cmocka_unit_test(test_sensitivity_ranks_the_rate_first),
        cmocka_unit_test(test_bad_uncertain_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
