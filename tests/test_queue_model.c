/*
 * The generic queueing model end to end (scenario text -> model -> records) against
 * queueing theory: M/M/c mean waits by Erlang C, Cobham's non-preemptive priority formula,
 * and Little's law. Tolerances are 1.5 times the 95% confidence half-width across
 * replications, so an unbiased model fails with probability well under 1%, and the seeds
 * are fixed so a run is repeatable.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/queue/queue_model.h"
#include "core/error.h"
#include "scenario.h"
#include "core/stats.h"

/* Erlang C probability of waiting for c servers at offered load a = lambda / mu. */
static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    return b / (1.0 - rho * (1.0 - b));
}

static capsim_loaded *open_text(const char *name, const char *yaml)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.yaml", tu_tmpdir(name), name);
    tu_write_file(path, yaml);
    struct sim_error err;
    sim_error_clear(&err);
    capsim_loaded *l = NULL;
    if (capsim_scenario_open(path, NULL, 0, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open scenario: %s", buf);
    }
    return l;
}

/* Run `reps` replications and summarise rep metric `name` for group `g`. */
static void run_reps(capsim_loaded *l, size_t reps, sim_record **out)
{
    for (size_t r = 0; r < reps; r++) {
        out[r] = sim_record_alloc(l->monitor);
        assert_non_null(out[r]);
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, out[r], NULL), 0);
    }
}

static void summarise_metric(capsim_loaded *l, sim_record **recs, size_t reps, const char *name,
                             size_t g, sim_summary *s)
{
    int id = sim_monitor_find(l->monitor, name);
    assert_true(id >= 0);
    double x[200];
    for (size_t r = 0; r < reps; r++)
        x[r] = sim_record_get(recs[r], id, 0, g);
    sim_summarise(x, reps, s);
}

static void free_reps(sim_record **recs, size_t reps)
{
    for (size_t r = 0; r < reps; r++)
        sim_record_free(recs[r]);
}

static void check_mmc(const char *name, int c, double lambda, size_t reps, double horizon)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: %s\nstart_date: 2023-04-01\nhorizon_days: %g\nwarmup_days: %g\nseed: 11\n"
             "queue:\n  arrivals: {per_day: %.17g}\n  servers: %d\n"
             "  service_days: {exponential: {mean: 1}}\n",
             name, horizon, horizon / 10, lambda, c);
    capsim_loaded *l = open_text(name, yaml);
    sim_record *recs[200];
    run_reps(l, reps, recs);
    double wq = erlang_c(c, lambda) / (c - lambda);
    sim_summary wait, queue, thr, util;
    summarise_metric(l, recs, reps, "mean_wait_days", 0, &wait);
    summarise_metric(l, recs, reps, "mean_queue_length", 0, &queue);
    summarise_metric(l, recs, reps, "throughput_per_day", 0, &thr);
    summarise_metric(l, recs, reps, "utilisation", 0, &util);
    char what[128];
    snprintf(what, sizeof what, "M/M/%d at load %.2f: mean wait", c, lambda / c);
    assert_true(tu_within(what, wait.mean, wq, wait.half_width, 1.5));
    snprintf(what, sizeof what, "M/M/%d at load %.2f: Lq = lambda Wq", c, lambda / c);
    assert_true(tu_within(what, queue.mean, lambda * wq, queue.half_width, 1.5));
    snprintf(what, sizeof what, "M/M/%d: utilisation", c);
    assert_true(tu_within(what, util.mean, lambda / c, util.half_width, 1.5));
    snprintf(what, sizeof what, "M/M/%d: throughput", c);
    assert_true(tu_within(what, thr.mean, lambda, thr.half_width, 1.5));

    /* Little's law on each replication's own sample path: L - (throughput x W) ~ 0. */
    int iq = sim_monitor_find(l->monitor, "mean_queue_length");
    int iw = sim_monitor_find(l->monitor, "mean_wait_days");
    int it = sim_monitor_find(l->monitor, "throughput_per_day");
    double diff[200];
    for (size_t r = 0; r < reps; r++)
        diff[r] = sim_record_get(recs[r], iq, 0, 0) -
                  sim_record_get(recs[r], it, 0, 0) * sim_record_get(recs[r], iw, 0, 0);
    sim_summary d;
    sim_summarise(diff, reps, &d);
    snprintf(what, sizeof what, "M/M/%d: Little's law L - lambda W", c);
    assert_true(tu_within(what, d.mean, 0.0, fmax(d.half_width, 0.01 * lambda * wq), 1.5));
    free_reps(recs, reps);
    capsim_scenario_close(l);
}

static void test_mm1_half_load(void **state)
{
    (void)state;
    check_mmc("mm1", 1, 0.5, 20, 2000);
}

static void test_mm3_load_08(void **state)
{
    (void)state;
    check_mmc("mm3", 3, 2.4, 20, 2000);
}

static void test_mm10_load_09(void **state)
{
    (void)state;
    /* The benchmark's reference: Wq = 0.668732 days. */
    assert_true(fabs(erlang_c(10, 9.0) / 1.0 - 0.668732) < 1e-6);
    check_mmc("mm10", 10, 9.0, 20, 3000);
}

/*
 * Two classes on one server, non-preemptive priority, exponential service (mean 1):
 * Cobham (1954): W_k = W0 / ((1 - s_{k-1})(1 - s_k)), W0 = sum lambda_i E[S^2] / 2 = lambda.
 * lambda = 0.8 split 0.25 / 0.75: s1 = 0.2, s2 = 0.8, so W1 = 1.0 and W2 = 5.0 days.
 */
static void test_priority_classes(void **state)
{
    (void)state;
    capsim_loaded *l = open_text("prio",
                                 "name: prio\nstart_date: 2023-04-01\nhorizon_days: 3000\n"
                                 "warmup_days: 300\nseed: 5\n"
                                 "queue:\n  arrivals: {per_day: 0.8}\n  servers: 1\n"
                                 "  service_days: {exponential: {mean: 1}}\n"
                                 "  classes:\n"
                                 "    - {name: urgent, share: 0.25, priority: 1}\n"
                                 "    - {name: routine, share: 75%, priority: 2}\n");
    enum { R = 20 };
    sim_record *recs[R];
    run_reps(l, R, recs);
    sim_summary w1, w2;
    summarise_metric(l, recs, R, "mean_wait_days", 0, &w1);
    summarise_metric(l, recs, R, "mean_wait_days", 1, &w2);
    assert_true(tu_within("priority class 1 wait", w1.mean, 1.0, w1.half_width, 1.5));
    assert_true(tu_within("priority class 2 wait", w2.mean, 5.0, w2.half_width, 1.5));
    free_reps(recs, R);
    capsim_scenario_close(l);
}

/* Month-end series: arrivals per month add up to the replication's arrivals. */
static void test_monthly_series(void **state)
{
    (void)state;
    capsim_loaded *l = open_text("monthly",
                                 "name: monthly\nstart_date: 2023-04-01\nhorizon_days: 366\n"
                                 "queue:\n  arrivals: {per_day: 3}\n  servers: 4\n"
                                 "  service_days: {exponential: {mean: 1}}\n");
    size_t nt = sim_monitor_time_count(l->monitor);
    assert_int_equal(nt, 13); /* the start and 12 month ends */
    assert_string_equal(sim_monitor_time_label(l->monitor, 0), "2023-03-31"); /* as at the day before */
    assert_string_equal(sim_monitor_time_label(l->monitor, 1), "2023-04-30");
    assert_string_equal(sim_monitor_time_label(l->monitor, 12), "2024-03-31");
    sim_record *rec = NULL;
    run_reps(l, 1, &rec);
    int ia = sim_monitor_find(l->monitor, "arrivals");
    double total = 0;
    for (size_t k = 0; k < nt; k++)
        total += sim_record_get(rec, ia, k, 0);
    assert_true(sim_record_get(rec, ia, 0, 0) == 0);
    /* 366 days at 3 a day: Poisson, so within 4 sd of 1098. */
    assert_true(fabs(total - 1098) < 4 * sqrt(1098));
    sim_record_free(rec);
    capsim_scenario_close(l);
}

/*
 * A queue that nothing else observes runs on its own calendar (models/queue/queue_run.c);
 * with the test switch engine_events it runs on the engine's. The two must give the same
 * bits: here with the warm-up at a snapshot instant, constant service times (departures at
 * equal times, ordered by scheduling sequence), an empirical service time on a small grid
 * (ties between arrivals' services), and classes with equal and different priorities.
 */
static void check_same_bits(const char *name, const char *yaml)
{
    capsim_loaded *l = open_text(name, yaml);
    qm_config *cfg = NULL;
    for (size_t i = 0; i < l->n_models; i++)
        if (strcmp(l->models[i]->name, "queue") == 0)
            cfg = l->cfgs[i];
    assert_non_null(cfg);
    size_t n = sim_monitor_record_length(l->monitor);
    for (uint64_t rep = 0; rep < 3; rep++) {
        sim_record *own = sim_record_alloc(l->monitor), *engine = sim_record_alloc(l->monitor);
        assert_non_null(own);
        assert_non_null(engine);
        cfg->engine_events = 0;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, rep, own, NULL), 0);
        cfg->engine_events = 1;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, rep, engine, NULL), 0);
        cfg->engine_events = 0;
        for (size_t i = 0; i < n; i++)
            if (memcmp(&own->values[i], &engine->values[i], sizeof(double)) != 0)
                fail_msg("%s replication %llu: value %zu is %.17g on the own calendar, %.17g "
                         "on the engine's", name, (unsigned long long)rep, i, own->values[i],
                         engine->values[i]);
        sim_record_free(own);
        sim_record_free(engine);
    }
    capsim_scenario_close(l);
}

static void test_own_calendar_same_bits(void **state)
{
    (void)state;
    check_same_bits("same_mm3", "name: same_mm3\nstart_date: 2023-04-01\nhorizon_days: 400\n"
                    "warmup_days: 30\nseed: 3\n"
                    "queue:\n  arrivals: {per_day: 2.7}\n  servers: 3\n"
                    "  service_days: {exponential: {mean: 1}}\n");
    check_same_bits("same_const", "name: same_const\nstart_date: 2023-04-01\nhorizon_days: 200\n"
                    "warmup_days: 61\nseed: 4\n"
                    "queue:\n  arrivals: {per_day: 5, weekday: {sat: 0.2, sun: 0}}\n"
                    "  servers: 2\n  service_days: {constant: 0.375}\n"
                    "  classes:\n"
                    "    - {name: a, share: 0.3, priority: 1}\n"
                    "    - {name: b, share: 0.3, priority: 2}\n"
                    "    - {name: c, share: 0.4, priority: 1}\n");
    check_same_bits("same_grid", "name: same_grid\nstart_date: 2023-04-01\nhorizon_days: 150\n"
                    "seed: 5\n"
                    "queue:\n  arrivals: {per_day: 3.5}\n  servers: 4\n"
                    "  service_days: {empirical: {values: [0.25, 0.5, 1, 2]}}\n"
                    "  classes:\n"
                    "    - {name: x, share: 0.5, priority: 2}\n"
                    "    - {name: y, share: 0.5, priority: 2}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1_half_load),     cmocka_unit_test(test_mm3_load_08),
        cmocka_unit_test(test_mm10_load_09),      cmocka_unit_test(test_priority_classes),
        cmocka_unit_test(test_monthly_series),    cmocka_unit_test(test_own_calendar_same_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
