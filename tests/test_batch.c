/*
 * tests/test_batch.c: the batch engine (sim/batch/batch.h) on a tiny test-only model.
 *
 * The model has a series per trust that decays from a transient (so MSER-5 has something to
 * find) plus noise from a named stream, a per-trust count and a scalar outcome. Every value
 * is a pure function of (scenario, replication, seed), so runs on 1 or 2 threads, in shards
 * or resumed from a checkpoint must give the same records bit for bit.
 */
#include "testutil.h"

#include <fcntl.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch/batch.h"
#include "core/error.h"
#include "core/monitor.h"
#include "results/results.h"
#include "core/rng.h"
#include "core/stats.h"

#define TIMES 24
#define TREPS 12

typedef struct tm_ctx {
    uint64_t seed;
    double sleep_ms;           /* per job, to make interruption windows */
    long fail_scenario;        /* -1: none */
    uint64_t fail_rep;
    size_t interrupt_after;    /* set *interrupt when this many jobs have started (0: never) */
    volatile sig_atomic_t *interrupt;
    atomic_size_t started;
    double noise_sd;           /* noise of mean_wait (precision tests) */
} tm_ctx;

static void tm_ctx_init(tm_ctx *c, uint64_t seed)
{
    memset(c, 0, sizeof *c);
    c->seed = seed;
    c->fail_scenario = -1;
    c->noise_sd = 1.0;
    atomic_init(&c->started, 0);
}

static sim_monitor *tm_monitor(void)
{
    sim_monitor *m = sim_monitor_alloc();
    double times[TIMES];
    char buf[TIMES][16];
    const char *labels[TIMES];
    for (int i = 0; i < TIMES; i++) {
        times[i] = 30.0 * (i + 1);
        snprintf(buf[i], sizeof buf[i], "day-%d", 30 * (i + 1));
        labels[i] = buf[i];
    }
    const char *trusts[] = {"WSFT", "ESNEFT"};
    assert_int_equal(sim_monitor_set_times(m, times, labels, TIMES), 0);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 2), 0);
    assert_int_equal(sim_monitor_declare(m, "level", "patients", "Level at the snapshot.",
                                         SIM_METRIC_SERIES, true), 0);
    assert_int_equal(sim_monitor_declare(m, "mean_wait", "days", "Mean wait.", SIM_METRIC_REP,
                                         false), 1);
    assert_int_equal(sim_monitor_declare(m, "count", "patients", "Patients seen.",
                                         SIM_METRIC_REP, true), 2);
    return m;
}

static int tm_run(void *ctx, size_t scenario, uint64_t rep, sim_record *out)
{
    tm_ctx *c = ctx;
    size_t k = atomic_fetch_add(&c->started, 1) + 1;
    if (c->interrupt_after && k >= c->interrupt_after)
        *c->interrupt = 1;
    if (c->fail_scenario >= 0 && (size_t)c->fail_scenario == scenario && c->fail_rep == rep)
        return SIM_EINVAL;
    if (c->sleep_ms > 0) {
        struct timespec ts = {0, (long)(c->sleep_ms * 1e6)};
        nanosleep(&ts, NULL);
    }
    gsl_rng *g = sim_rng_alloc(c->seed, rep, "test/noise");
    if (!g)
        return SIM_ENOMEM;
    for (size_t t = 0; t < TIMES; t++)
        for (size_t tr = 0; tr < 2; tr++) {
            double day = 30.0 * (double)(t + 1);
            double v = 100.0 * (double)(scenario + 1) + 80.0 * exp(-day / 90.0) +
                       gsl_ran_gaussian(g, 3.0) + 10.0 * (double)tr;
            sim_record_set(out, 0, t, tr, v);
        }
    sim_record_set(out, 1, 0, 0, 10.0 + (double)scenario + gsl_ran_gaussian(g, c->noise_sd));
    for (size_t tr = 0; tr < 2; tr++)
        sim_record_set(out, 2, 0, tr, (double)gsl_ran_poisson(g, 50.0 + 5.0 * (double)tr));
    gsl_rng_free(g);
    return 0;
}

/* A batch of n scenarios named s0, s1, ... of `reps` replications. */
static sim_results *tm_results(size_t n, size_t reps, uint64_t seed)
{
    sim_results *r = sim_results_alloc();
    assert_non_null(r);
    r->capsim_version = strdup("0.1.0-test");
    r->git_commit = strdup("testcommit");
    r->command_line = strdup("test_batch");
    r->base_seed = seed;
    r->replications = reps;
    r->baseline = n > 1 ? 0 : -1;
    for (size_t s = 0; s < n; s++) {
        char name[16], yaml[64];
        snprintf(name, sizeof name, "s%zu", s);
        snprintf(yaml, sizeof yaml, "name: s%zu\nlevel: %zu\n", s, s + 1);
        assert_int_equal(sim_results_add_scenario(r, name, yaml, "2024-04-01", 720, 0,
                                                  tm_monitor(), reps),
                         (long)s);
    }
    return r;
}

static void opts(sim_batch_options *o, unsigned threads)
{
    sim_batch_options_init(o);
    o->threads = threads;
    o->progress = 0;
}

/* Every record of a equals b's bit for bit (both complete over the first `reps`). */
static void assert_same_records(const sim_results *a, const sim_results *b)
{
    assert_int_equal(a->n_scenarios, b->n_scenarios);
    assert_int_equal(a->replications, b->replications);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        const sim_scenario_result *x = &a->scenarios[s], *y = &b->scenarios[s];
        size_t len = sim_monitor_record_length(x->monitor);
        assert_int_equal(x->replications, y->replications);
        for (size_t r = 0; r < x->replications; r++) {
            assert_non_null(x->reps[r]);
            assert_non_null(y->reps[r]);
            assert_memory_equal(x->reps[r]->values, y->reps[r]->values, len * sizeof(double));
        }
    }
}

static int run_batch(sim_results *res, tm_ctx *c, const sim_batch_options *o,
                     sim_batch_report *rep, struct sim_error *err)
{
    sim_error_clear(err);
    return sim_batch_run(res, tm_run, c, o, rep, err);
}

static void test_threads_identical(void **state)
{
    (void)state;
    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    tm_ctx c;
    tm_ctx_init(&c, 42);

    sim_results *one = tm_results(3, TREPS, 42);
    opts(&o, 1);
    assert_int_equal(run_batch(one, &c, &o, &rep, &err), 0);
    assert_int_equal(rep.jobs_total, 3 * TREPS);
    assert_int_equal(rep.jobs_run, 3 * TREPS);
    assert_int_equal(rep.replications, TREPS);

    sim_results *two = tm_results(3, TREPS, 42);
    opts(&o, 2);
    assert_int_equal(run_batch(two, &c, &o, &rep, &err), 0);
    assert_same_records(one, two);

    sim_results *four = tm_results(3, TREPS, 42);
    opts(&o, 4);
    assert_int_equal(run_batch(four, &c, &o, &rep, &err), 0);
    assert_same_records(one, four);

    /* Common random numbers: the noise of scenario 1 minus scenario 0 is exactly the
     * model's difference of 100 in level, replication by replication. */
    for (size_t r = 0; r < TREPS; r++) {
        double d = one->scenarios[1].reps[r]->values[0] - one->scenarios[0].reps[r]->values[0];
        assert_true(fabs(d - 100.0) < 1e-9);
    }
    /* A different seed gives different numbers. */
    sim_results *other = tm_results(1, 2, 43);
    tm_ctx c2;
    tm_ctx_init(&c2, 43);
    assert_int_equal(run_batch(other, &c2, &o, &rep, &err), 0);
    assert_true(other->scenarios[0].reps[0]->values[0] != one->scenarios[0].reps[0]->values[0]);

    /* Files written from 1 and 2 threads read back to the same numbers. */
    const char *dir = tu_tmpdir("batch_threads");
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/one.h5", dir);
    snprintf(p2, sizeof p2, "%s/two.h5", dir);
    assert_int_equal(sim_batch_write(one, NULL, NULL, p1, false, &err), 0);
    assert_int_equal(sim_batch_write(two, NULL, NULL, p2, false, &err), 0);
    sim_results *b1 = NULL, *b2 = NULL;
    assert_int_equal(sim_results_read(p1, &b1, &err), 0);
    assert_int_equal(sim_results_read(p2, &b2, &err), 0);
    assert_same_records(b1, b2);
    assert_same_records(one, b1);
    /* No temporary file is left beside the output. */
    assert_int_equal(tu_count_entries(dir), 2);
    /* An existing file is not overwritten without `overwrite`. */
    assert_int_equal(sim_batch_write(two, NULL, NULL, p1, false, &err), SIM_EIO);
    assert_string_equal(err.message, "exists; not overwritten");
    assert_int_equal(sim_batch_write(two, NULL, NULL, p1, true, &err), 0);

    sim_results_free(b1);
    sim_results_free(b2);
    sim_results_free(one);
    sim_results_free(two);
    sim_results_free(four);
    sim_results_free(other);
}

static void test_shard_range(void **state)
{
    (void)state;
    for (size_t reps = 1; reps <= 40; reps++)
        for (size_t n = 1; n <= reps; n++) {
            size_t prev_end = 0, min = SIZE_MAX, max = 0;
            for (size_t i = 0; i < n; i++) {
                size_t a, b;
                sim_batch_shard_range(reps, i, n, &a, &b);
                assert_int_equal(a, prev_end);
                assert_true(b > a);
                prev_end = b;
                min = b - a < min ? b - a : min;
                max = b - a > max ? b - a : max;
            }
            assert_int_equal(prev_end, reps);
            assert_true(max - min <= 1);
        }
}

/* Write shard i of n of a 2-scenario batch to dir/shard-i.h5. */
static void write_shard(const char *dir, size_t i, size_t n, uint64_t seed, char *path,
                        size_t size)
{
    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    tm_ctx c;
    tm_ctx_init(&c, seed);
    sim_results *res = tm_results(2, TREPS, seed);
    opts(&o, 2);
    o.shard = i;
    o.shards = n;
    assert_int_equal(run_batch(res, &c, &o, &rep, &err), 0);
    size_t a, b;
    sim_batch_shard_range(TREPS, i, n, &a, &b);
    assert_int_equal(rep.jobs_total, 2 * (b - a));
    for (size_t r = 0; r < TREPS; r++)
        assert_true((res->scenarios[1].reps[r] != NULL) == (r >= a && r < b));
    snprintf(path, size, "%s/shard-%zu.h5", dir, i + 1);
    assert_int_equal(sim_batch_write(res, NULL, NULL, path, true, &err), 0);
    sim_results_free(res);
}

static void test_shards_merge(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("batch_shards");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", d);
    char p[3][600];
    for (size_t i = 0; i < 3; i++)
        write_shard(dir, i, 3, 42, p[i], sizeof p[i]);

    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    tm_ctx c;
    tm_ctx_init(&c, 42);
    sim_results *full = tm_results(2, TREPS, 42);
    opts(&o, 1);
    assert_int_equal(run_batch(full, &c, &o, &rep, &err), 0);

    /* In any order, the shards join into the full run. */
    const char *order[3] = {p[2], p[0], p[1]};
    sim_results *m = NULL;
    sim_error_clear(&err);
    assert_int_equal(sim_batch_merge(order, 3, &m, &err), 0);
    assert_same_records(full, m);
    char merged[600];
    snprintf(merged, sizeof merged, "%s/merged.h5", dir);
    assert_int_equal(sim_batch_write(m, NULL, NULL, merged, false, &err), 0);
    sim_results *back = NULL;
    assert_int_equal(sim_results_read(merged, &back, &err), 0);
    assert_same_records(full, back);
    sim_results_free(back);
    sim_results_free(m);

    /* A missing shard: the first replication of the missing block is named. */
    const char *missing[2] = {p[0], p[2]};
    m = NULL;
    assert_int_equal(sim_batch_merge(missing, 2, &m, &err), SIM_EMISMATCH);
    assert_null(m);
    assert_string_equal(err.message, "replication 4 of scenario s0 is in no shard");

    /* A shard given twice. */
    char copy[600], cmd[1400];
    snprintf(copy, sizeof copy, "%s/copy-of-2.h5", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", p[1], copy);
    assert_int_equal(tu_run(cmd, NULL, NULL), 0);
    const char *doubled[4] = {p[0], p[1], p[2], copy};
    assert_int_equal(sim_batch_merge(doubled, 4, &m, &err), SIM_EMISMATCH);
    char want[1600];
    snprintf(want, sizeof want, "replication 4 of scenario s0 is in both %s and %s", p[1], copy);
    assert_string_equal(err.message, want);

    /* A shard of another seed. */
    char other[600];
    write_shard(dir, 1, 3, 7, other, sizeof other);  /* overwrites shard-2.h5 */
    const char *seeds[3] = {p[0], other, p[2]};
    assert_int_equal(sim_batch_merge(seeds, 3, &m, &err), SIM_EMISMATCH);
    assert_string_equal(err.file, other);
    snprintf(want, sizeof want, "base seed 7 differs from 42 in %s", p[0]);
    assert_string_equal(err.message, want);

    /* A shard of a scenario with other text (another hash). */
    {
        tm_ctx_init(&c, 42);
        sim_results *res = sim_results_alloc();
        res->capsim_version = strdup("0.1.0-test");
        res->git_commit = strdup("testcommit");
        res->command_line = strdup("test_batch");
        res->base_seed = 42;
        res->replications = TREPS;
        res->baseline = 0;
        sim_results_add_scenario(res, "s0", "name: s0\nlevel: 1\n", "2024-04-01", 720, 0,
                                 tm_monitor(), TREPS);
        sim_results_add_scenario(res, "s1", "name: s1\nlevel: 3\n", "2024-04-01", 720, 0,
                                 tm_monitor(), TREPS);
        opts(&o, 2);
        o.shard = 1;
        o.shards = 3;
        assert_int_equal(run_batch(res, &c, &o, &rep, &err), 0);
        assert_int_equal(sim_batch_write(res, NULL, NULL, other, true, &err), 0);
        char h_here[13], h_there[13];
        snprintf(h_here, sizeof h_here, "%.12s", res->scenarios[1].sha256);
        sim_results_free(res);
        sim_results *ref = NULL;
        assert_int_equal(sim_results_read(p[0], &ref, &err), 0);
        snprintf(h_there, sizeof h_there, "%.12s", ref->scenarios[1].sha256);
        sim_results_free(ref);
        assert_int_equal(sim_batch_merge(seeds, 3, &m, &err), SIM_EMISMATCH);
        assert_string_equal(err.file, other);
        snprintf(want, sizeof want,
                 "scenario s1 has hash %s, but %s in %s (the scenario text differs)", h_here,
                 h_there, p[0]);
        assert_string_equal(err.message, want);
    }
    sim_results_free(full);
}

static void test_job_failure(void **state)
{
    (void)state;
    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    tm_ctx c;
    tm_ctx_init(&c, 42);
    c.fail_scenario = 1;
    c.fail_rep = 5;
    sim_results *res = tm_results(2, TREPS, 42);
    opts(&o, 2);
    assert_int_equal(run_batch(res, &c, &o, &rep, &err), SIM_EINVAL);
    assert_string_equal(err.message, "replication 5 of scenario s1 failed (invalid argument)");
    sim_results_free(res);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void test_checkpoint_resume(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("batch_ckpt");
    char ck[600];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", d);
    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    volatile sig_atomic_t stop = 0;

    tm_ctx ref_c;
    tm_ctx_init(&ref_c, 42);
    sim_results *ref = tm_results(2, TREPS, 42);
    opts(&o, 1);
    assert_int_equal(run_batch(ref, &ref_c, &o, &rep, &err), 0);

    /* Interrupted after 7 jobs started on 2 threads: what finished is kept. */
    tm_ctx c;
    tm_ctx_init(&c, 42);
    c.interrupt = &stop;
    c.interrupt_after = 7;
    c.sleep_ms = 20;
    sim_results *a = tm_results(2, TREPS, 42);
    opts(&o, 2);
    o.checkpoint = ck;
    o.interrupt = &stop;
    assert_int_equal(run_batch(a, &c, &o, &rep, &err), SIM_EINTR);
    size_t kept = 0;
    for (size_t s = 0; s < 2; s++)
        for (size_t r = 0; r < TREPS; r++)
            kept += a->scenarios[s].reps[r] != NULL;
    assert_true(kept >= 7 && kept < 2 * TREPS);
    assert_int_equal(rep.jobs_run, kept);
    sim_results_free(a);

    /* A torn last record (as from kill -9 in the middle of a write) is cut off. */
    long good = file_size(ck);
    int fd = open(ck, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    unsigned char junk[100];
    memset(junk, 0, sizeof junk);
    junk[0] = 0x52; junk[1] = 0x45; junk[2] = 0x43; junk[3] = 0x31;  /* record magic */
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);

    /* Resuming with another seed is refused, naming both. */
    tm_ctx_init(&c, 43);
    sim_results *wrong = tm_results(2, TREPS, 43);
    opts(&o, 2);
    o.checkpoint = ck;
    o.resume = true;
    assert_int_equal(run_batch(wrong, &c, &o, &rep, &err), SIM_EMISMATCH);
    assert_string_equal(err.message, "checkpoint of another batch: base seed 42 there, 43 here");
    assert_string_equal(err.file, ck);
    sim_results_free(wrong);
    assert_int_equal(file_size(ck), good + (long)sizeof junk);

    /* Resume: only the missing jobs run, and the result equals the uninterrupted run. */
    tm_ctx_init(&c, 42);
    sim_results *b = tm_results(2, TREPS, 42);
    assert_int_equal(run_batch(b, &c, &o, &rep, &err), 0);
    assert_int_equal(rep.jobs_resumed, kept);
    assert_int_equal(rep.jobs_run, 2 * TREPS - kept);
    assert_int_equal(atomic_load(&c.started), 2 * TREPS - kept);
    assert_same_records(ref, b);
    sim_results_free(b);

    /* The checkpoint now holds every record: a second resume runs nothing. Corrupt the
     * last record's checksum first: that one record is dropped and run again. */
    long full = file_size(ck);
    fd = open(ck, O_RDWR);
    assert_true(fd >= 0);
    unsigned char byte;
    assert_int_equal(pread(fd, &byte, 1, full - 1), 1);
    byte ^= 0xff;
    assert_int_equal(pwrite(fd, &byte, 1, full - 1), 1);
    close(fd);
    tm_ctx_init(&c, 42);
    sim_results *e = tm_results(2, TREPS, 42);
    assert_int_equal(run_batch(e, &c, &o, &rep, &err), 0);
    assert_int_equal(rep.jobs_resumed, 2 * TREPS - 1);
    assert_int_equal(rep.jobs_run, 1);
    assert_same_records(ref, e);
    assert_int_equal(file_size(ck), full);
    sim_results_free(e);

    /* Without resume the checkpoint is replaced. */
    tm_ctx_init(&c, 42);
    sim_results *f = tm_results(2, TREPS, 42);
    o.resume = false;
    assert_int_equal(run_batch(f, &c, &o, &rep, &err), 0);
    assert_int_equal(rep.jobs_resumed, 0);
    assert_int_equal(rep.jobs_run, 2 * TREPS);
    sim_results_free(f);
    sim_results_free(ref);
}

/* Relative 95% half-width of mean_wait of scenario s over replications 0..n-1. */
static double rel_hw(const sim_results *res, size_t s, size_t n)
{
    double x[2000];
    for (size_t r = 0; r < n; r++)
        x[r] = res->scenarios[s].reps[r]->values[TIMES * 2];
    sim_summary sum;
    sim_summarise(x, n, &sum);
    return sum.half_width / fabs(sum.mean);
}

static void test_precision(void **state)
{
    (void)state;
    struct sim_error err;
    sim_batch_report rep1, rep2;
    sim_batch_options o;
    const char *metrics[] = {"mean_wait"};
    size_t n[3];
    for (unsigned threads = 1; threads <= 3; threads++) {
        tm_ctx c;
        tm_ctx_init(&c, 42);
        c.noise_sd = 2.0;
        sim_results *res = tm_results(2, 400, 42);
        opts(&o, threads);
        o.precision = 0.05;
        o.metrics = metrics;
        o.n_metrics = 1;
        o.min_replications = 5;
        assert_int_equal(run_batch(res, &c, &o, threads == 1 ? &rep1 : &rep2, &err), 0);
        sim_batch_report *rep = threads == 1 ? &rep1 : &rep2;
        n[threads - 1] = rep->replications;
        assert_true(rep->precision_met);
        assert_int_equal(res->replications, rep->replications);
        assert_int_equal(res->scenarios[0].replications, rep->replications);
        /* The rule: met at n for both scenarios, not met at n - 1 for at least one. */
        size_t k = rep->replications;
        assert_true(rel_hw(res, 0, k) <= 0.05 && rel_hw(res, 1, k) <= 0.05);
        assert_true(rel_hw(res, 0, k - 1) > 0.05 || rel_hw(res, 1, k - 1) > 0.05);
        /* sd 2 about a mean of 10 (the worse scenario): n ~ (1.96 * 2 / 0.5)^2 = 61. */
        assert_true(k > 30 && k < 120);
        assert_true(rep->worst_precision <= 0.05);
        assert_string_equal(rep->worst_metric, "s0/default/mean_wait");
        sim_results_free(res);
    }
    assert_int_equal(n[0], n[1]);
    assert_int_equal(n[0], n[2]);

    /* A cap that comes first: stops there, not met. */
    tm_ctx c;
    tm_ctx_init(&c, 42);
    c.noise_sd = 2.0;
    sim_results *res = tm_results(2, 20, 42);
    opts(&o, 2);
    o.precision = 0.05;
    o.metrics = metrics;
    o.n_metrics = 1;
    assert_int_equal(run_batch(res, &c, &o, &rep1, &err), 0);
    assert_int_equal(rep1.replications, 20);
    assert_false(rep1.precision_met);
    sim_results_free(res);

    /* An unknown metric is an input error naming it. */
    const char *bad[] = {"mean_wiat"};
    res = tm_results(1, 20, 42);
    o.metrics = bad;
    assert_int_equal(run_batch(res, &c, &o, &rep1, &err), SIM_EINPUT);
    assert_string_equal(err.message, "--metric mean_wiat: scenario s0 has no such metric");
    sim_results_free(res);
}

static void test_mser5(void **state)
{
    (void)state;
    struct sim_error err;
    sim_batch_report rep;
    sim_batch_options o;
    tm_ctx c;
    tm_ctx_init(&c, 42);
    sim_results *res = tm_results(1, 20, 42);
    opts(&o, 2);
    assert_int_equal(run_batch(res, &c, &o, &rep, &err), 0);
    /* The transient 80 exp(-t/90) falls below the noise of the mean (3 / sqrt(20) ~ 0.7)
     * after about 90 ln(80 / 0.7) ~ 430 days; MSER-5 truncates in batches of 5 snapshots
     * (150 days), so 150, 300 or 450. */
    double d = sim_batch_mser5_days(&res->scenarios[0], 0);
    assert_true(d >= 150 && d <= 450);
    assert_true(isnan(sim_batch_mser5_days(&res->scenarios[0], 1)));
    sim_results_free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shard_range),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_shards_merge),
        cmocka_unit_test(test_job_failure),
        cmocka_unit_test(test_checkpoint_resume),
        cmocka_unit_test(test_precision),
        cmocka_unit_test(test_mser5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
