/*
 * scripts/bench_engine.c: events per second of the engine, and bare C baselines.
 *
 *   bench_engine [--mt]               the figures (a)-(c) below
 *   bench_engine hold N EVENTS        only the hold model with N entities (for callgrind)
 *   bench_engine bareheap N EVENTS    the same on a bare C binary heap
 *   bench_engine mmc CUSTOMERS        only the M/M/10 queue on the engine (for callgrind)
 *   bench_engine baremmc CUSTOMERS    M/M/10 as a bare C loop with GSL (binary heap of events)
 *   bench_engine baremmczig CUSTOMERS the same loop with the ziggurat sampler capsim's queue
 *                                     model uses (sim/core/exp_sampler.h; Philox only)
 *
 * (a), (b) The hold model (Vaucher and Duval 1975): N entities, each repeatedly waiting an
 *     exponential time with mean 1; every event schedules the entity's next one. It measures
 *     the event calendar alone. 10 million events with N = 1,000 and with N = 100,000.
 *     The bare heap is the baseline a C programmer would write: 16-byte entries {time,
 *     entity}, the root replaced by the entity's next event and sifted down, comparing times
 *     with branches; it keeps no handler, context, class or sequence and cannot cancel.
 * (c) M/M/10 at load 0.9 (arrival rate 9, service rate 1 per server) with 1,000,000
 *     customers on the engine and a sim_resource: the path a model takes. Its mean wait in
 *     queue is printed beside the Erlang C value 0.668732. The bare loop keeps a binary heap
 *     of arrival and departure times, a FIFO of waiting arrival times and a busy count;
 *     its exponential draws are GSL's (-mean ln u), or with baremmczig the ziggurat's, so
 *     capsim's overhead can be read against a loop with the same draws.
 *
 * Random numbers: the project's Philox streams (sim_rng_alloc), as models draw them; with
 * --mt as the first argument, gsl_rng_mt19937 instead (to separate engine from generator
 * costs). Peak memory is the process's maximum resident set so far (getrusage), so it only
 * grows from one figure to the next. scripts/bench_hold and scripts/bench_mm10 run these
 * interleaved and print medians and ratios.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/engine.h"
#include "core/exp_sampler.h"
#include "core/resource.h"
#include "core/rng.h"
#include "core/stats.h"

static int use_mt = 0;

static gsl_rng *bench_rng(const char *stream)
{
    if (use_mt)
        return gsl_rng_alloc(gsl_rng_mt19937);
    return sim_rng_alloc(12345, 0, stream);
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process: on a shared machine it leaves out the time others ran. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

typedef struct hold {
    gsl_rng *rng;
    uint64_t target;
} hold;

static void hold_step(sim_engine *e, void *ctx, uint64_t entity)
{
    hold *h = ctx;
    sim_schedule_in(e, gsl_ran_exponential(h->rng, 1.0), hold_step, h, entity);
    if (sim_events_executed(e) >= h->target)
        sim_stop(e);
}

static int bench_hold(const char *label, size_t entities, uint64_t events)
{
    hold h = {bench_rng("bench/hold"), events};
    sim_engine *e = sim_engine_alloc(entities);
    if (!h.rng || !e)
        return 1;
    for (size_t i = 0; i < entities; i++)
        sim_schedule_in(e, gsl_ran_exponential(h.rng, 1.0), hold_step, &h, i);
    double t0 = wall_seconds(), c0 = cpu_seconds();
    sim_run_until(e, INFINITY);
    double dt = wall_seconds() - t0, dc = cpu_seconds() - c0;
    uint64_t n = sim_events_executed(e);
    printf("%s hold, %zu entities: %llu events in %.3f s = %.2f M events/s (%.1f ns/event; "
           "CPU %.1f ns/event), peak RSS %ld KiB\n",
           label, entities, (unsigned long long)n, dt, (double)n / dt / 1e6, dt / (double)n * 1e9,
           dc / (double)n * 1e9, peak_rss_kib());
    sim_engine_free(e);
    gsl_rng_free(h.rng);
    return 0;
}

/* The bare binary heap of the hold model: {time, entity}, earliest at the root. */
typedef struct bare_entry {
    double time;
    uint64_t entity;
} bare_entry;

static void bare_sift_down(bare_entry *h, size_t n, bare_entry x)
{
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1].time < h[c].time)
            c++;
        if (!(h[c].time < x.time))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

static void bare_push(bare_entry *h, size_t *n, bare_entry x)
{
    size_t i = (*n)++;
    while (i > 0 && x.time < h[(i - 1) / 2].time) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = x;
}

static int bench_bare_hold(const char *label, size_t entities, uint64_t events)
{
    gsl_rng *rng = bench_rng("bench/hold");
    bare_entry *h = malloc(entities * sizeof *h);
    if (!rng || !h)
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < entities; i++)
        bare_push(h, &n, (bare_entry){gsl_ran_exponential(rng, 1.0), i});
    double t0 = wall_seconds(), c0 = cpu_seconds();
    double now = 0;
    for (uint64_t k = 0; k < events; k++) {
        bare_entry top = h[0];
        now = top.time;
        bare_sift_down(h, n, (bare_entry){now + gsl_ran_exponential(rng, 1.0), top.entity});
    }
    double dt = wall_seconds() - t0, dc = cpu_seconds() - c0;
    printf("%s bare heap hold, %zu entities: %llu events in %.3f s = %.2f M events/s "
           "(%.1f ns/event; CPU %.1f ns/event), peak RSS %ld KiB (clock %.1f)\n",
           label, entities, (unsigned long long)events, dt, (double)events / dt / 1e6,
           dt / (double)events * 1e9, dc / (double)events * 1e9, peak_rss_kib(), now);
    free(h);
    gsl_rng_free(rng);
    return 0;
}

/* An exponential draw of the bare loop: GSL's, or the ziggurat's (inlined either way). */
static inline double bare_exponential(gsl_rng *rng, double mean, int ziggurat)
{
    return ziggurat ? sim_exp_sample(rng, mean) : gsl_ran_exponential(rng, mean);
}

/*
 * M/M/10 as a bare C loop: events {time, 0 = arrival | 1 = departure} in a binary heap.
 * Always inlined, so each caller's loop is compiled for its sampler.
 */
static inline __attribute__((always_inline)) int bare_mmc_loop(const char *label,
                                                               uint64_t customers, int zig)
{
    enum { SERVERS = 10 };
    const double lambda = 9.0, mu = 1.0;
    gsl_rng *rng = bench_rng("bench/mmc");
    size_t cap = 1024, head = 0, len = 0;
    double *fifo = malloc(cap * sizeof *fifo);
    bare_entry heap[SERVERS + 2];
    if (!rng || !fifo)
        return 1;
    size_t n = 0;
    uint64_t arrivals = 0, served = 0, warmup = customers / 100, events = 0;
    int busy = 0;
    double wait_sum = 0;
    double t0 = wall_seconds(), c0 = cpu_seconds();
    bare_push(heap, &n, (bare_entry){bare_exponential(rng, 1.0 / lambda, zig), 0});
    while (n > 0) {
        bare_entry ev = heap[0];
        n--;
        if (n > 0)
            bare_sift_down(heap, n, heap[n]);
        events++;
        double now = ev.time, start = -1;
        if (ev.entity == 0) {
            if (++arrivals < customers)
                bare_push(heap, &n, (bare_entry){now + bare_exponential(rng, 1.0 / lambda, zig), 0});
            if (busy < SERVERS) {
                busy++;
                start = now;
            } else {
                if (len == cap) {
                    double *f = malloc(2 * cap * sizeof *f);
                    if (!f)
                        return 1;
                    for (size_t i = 0; i < len; i++)
                        f[i] = fifo[(head + i) % cap];
                    free(fifo);
                    fifo = f;
                    head = 0;
                    cap *= 2;
                }
                fifo[(head + len++) % cap] = now;
            }
        } else if (len > 0) {
            start = fifo[head];
            head = (head + 1) % cap;
            len--;
        } else {
            busy--;
        }
        if (start >= 0) {
            double waited = now - start;
            if (served++ >= warmup)
                wait_sum += waited;
            bare_push(heap, &n, (bare_entry){now + bare_exponential(rng, 1.0 / mu, zig), 1});
        }
    }
    double dt = wall_seconds() - t0, dc = cpu_seconds() - c0;
    printf("%s bare M/M/10 loop%s: %llu customers (%llu events) in %.3f s = %.2f M customers/s "
           "(CPU %.3f s); mean wait %.6f\n",
           label, zig ? " (ziggurat)" : "", (unsigned long long)customers,
           (unsigned long long)events, dt,
           (double)customers / dt / 1e6, dc, wait_sum / (double)(served - warmup));
    free(fifo);
    gsl_rng_free(rng);
    return 0;
}

static int bench_bare_mmc(const char *label, uint64_t customers)
{
    return bare_mmc_loop(label, customers, 0);
}

static int bench_bare_mmc_ziggurat(const char *label, uint64_t customers)
{
    return bare_mmc_loop(label, customers, 1);
}

typedef struct mmc {
    gsl_rng *rng;
    sim_resource *servers;
    double lambda, mu;
    uint64_t arrivals, customers, warmup;
    sim_tally wait;
} mmc;

static uint64_t time_bits(double t)
{
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return u;
}

static double bits_time(uint64_t u)
{
    double t;
    memcpy(&t, &u, sizeof t);
    return t;
}

static void mmc_depart(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    mmc *m = ctx;
    sim_resource_release(m->servers);
}

/* The entity carries the customer's arrival time and its number: time bits only, here. */
static void mmc_grant(sim_engine *e, void *ctx, uint64_t entity)
{
    mmc *m = ctx;
    double waited = sim_now(e) - bits_time(entity);
    if (m->warmup > 0)
        m->warmup--;
    else
        sim_tally_add(&m->wait, waited);
    sim_schedule_in(e, gsl_ran_exponential(m->rng, 1.0 / m->mu), mmc_depart, m, 0);
}

static void mmc_arrive(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)arg;
    mmc *m = ctx;
    if (++m->arrivals < m->customers)
        sim_schedule_in(e, gsl_ran_exponential(m->rng, 1.0 / m->lambda), mmc_arrive, m, 0);
    sim_resource_request(m->servers, time_bits(sim_now(e)), 0, mmc_grant, m);
}

/* Erlang C mean wait in queue (docs/domain.md): B by the Erlang B recursion, C = B/(1-rho(1-B)). */
static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    double cw = b / (1.0 - rho * (1.0 - b));
    return cw / (c * mu - lambda);
}

static int bench_mmc(const char *label, uint64_t customers)
{
    mmc m = {.rng = bench_rng("bench/mmc"), .lambda = 9.0, .mu = 1.0,
             .customers = customers, .warmup = customers / 100};
    sim_engine *e = sim_engine_alloc(64);
    if (!m.rng || !e)
        return 1;
    m.servers = sim_resource_alloc(e, NULL, 10, NULL);
    if (!m.servers)
        return 1;
    sim_tally_init(&m.wait);
    sim_schedule_in(e, gsl_ran_exponential(m.rng, 1.0 / m.lambda), mmc_arrive, &m, 0);
    double t0 = wall_seconds();
    sim_run_until(e, INFINITY);
    double dt = wall_seconds() - t0;
    uint64_t n = sim_events_executed(e);
    printf("%s M/M/10 at load 0.9: %llu customers (%llu events) in %.3f s = %.2f M customers/s, "
           "peak RSS %ld KiB\n",
           label, (unsigned long long)customers, (unsigned long long)n, dt,
           (double)customers / dt / 1e6, peak_rss_kib());
    printf("%s M/M/10 mean wait in queue: %.6f (Erlang C %.6f; %llu customers after a warm-up "
           "of %llu)\n",
           label, sim_tally_mean(&m.wait), erlang_c_wq(10, m.lambda, m.mu),
           (unsigned long long)m.wait.n, (unsigned long long)(customers / 100));
    sim_resource_free(m.servers);
    sim_engine_free(e);
    gsl_rng_free(m.rng);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--mt") == 0) {
        use_mt = 1;
        argc--;
        argv++;
    }
    printf("random numbers: %s\n", use_mt ? "gsl_rng_mt19937" : "sim_rng_philox");
    if (argc == 4 && strcmp(argv[1], "hold") == 0)
        return bench_hold("(a)", strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "bareheap") == 0)
        return bench_bare_hold("(a)", strtoull(argv[2], NULL, 10), strtoull(argv[3], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "mmc") == 0)
        return bench_mmc("(c)", strtoull(argv[2], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "baremmc") == 0)
        return bench_bare_mmc("(c)", strtoull(argv[2], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "baremmczig") == 0 && !use_mt)
        return bench_bare_mmc_ziggurat("(c)", strtoull(argv[2], NULL, 10));
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--mt] [hold|bareheap ENTITIES EVENTS | mmc|baremmc|baremmczig "
                "CUSTOMERS]\n", argv[0]);
        return 2;
    }
    int rc = bench_hold("(a)", 1000, 10000000);
    rc |= bench_bare_hold("(a)", 1000, 10000000);
    rc |= bench_hold("(b)", 100000, 10000000);
    rc |= bench_bare_hold("(b)", 100000, 10000000);
    rc |= bench_mmc("(c)", 1000000);
    rc |= bench_bare_mmc("(c)", 1000000);
    if (!use_mt)
        rc |= bench_bare_mmc_ziggurat("(c)", 1000000);
    return rc;
}
