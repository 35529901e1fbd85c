/*
 * examples/external-model/mm1.c: a model written outside the capsim tree, against the
 * installed engine (find_package(capsim) or pkg-config capsim).
 *
 * An M/M/1 queue: arrivals at rate lambda a day, one server with mean service 1/mu days.
 * Each replication runs on its own engine and random streams; capsim's batch runner runs
 * the replications on threads and writes the HDF5 results file, with summaries and 95%
 * confidence intervals, that `capsim run` would write for a built-in model.
 *
 * The mean wait in queue has a closed form to check against: Wq = rho / (mu - lambda) with
 * rho = lambda / mu (e.g. Kleinrock, Queueing Systems vol. 1, 1975, section 3.2).
 *
 *   mm1 [FILE.h5]      (default mm1.h5)
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "core/dist.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/monitor.h"
#include "core/rng.h"
#include "core/stats.h"
#include "results/results.h"

enum { REPLICATIONS = 20 };
static const double lambda = 0.8, mu = 1.0, horizon = 20000.0, warmup = 500.0;
static const uint64_t seed = 42;

typedef struct queue {
    sim_engine *engine;
    gsl_rng *arrival_rng, *service_rng;
    sim_dist interarrival, service;
    double *waiting; /* arrival times of the customers in the queue (FIFO) */
    size_t head, tail, cap;
    int busy;
    sim_tally wait;
} queue;

static void depart(sim_engine *e, void *ctx, uint64_t arg);

static void start_service(queue *q, double arrived)
{
    if (arrived >= warmup)
        sim_tally_add(&q->wait, sim_now(q->engine) - arrived);
    q->busy = 1;
    sim_schedule_in(q->engine, sim_dist_sample(&q->service, q->service_rng), depart, q, 0);
}

static void arrive(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)arg;
    queue *q = ctx;
    if (!q->busy) {
        start_service(q, sim_now(e));
    } else {
        if (q->tail == q->cap) { /* compact, or grow */
            memmove(q->waiting, q->waiting + q->head, (q->tail - q->head) * sizeof *q->waiting);
            q->tail -= q->head;
            q->head = 0;
            if (q->tail == q->cap) {
                q->cap = q->cap ? 2 * q->cap : 1024;
                q->waiting = realloc(q->waiting, q->cap * sizeof *q->waiting);
                if (!q->waiting)
                    abort();
            }
        }
        q->waiting[q->tail++] = sim_now(e);
    }
    sim_schedule_in(e, sim_dist_sample(&q->interarrival, q->arrival_rng), arrive, q, 0);
}

static void depart(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    queue *q = ctx;
    q->busy = 0;
    if (q->head < q->tail)
        start_service(q, q->waiting[q->head++]);
}

/* One replication: the batch runner calls this from its worker threads. */
static int run_replication(void *ctx, size_t scenario, uint64_t replication, sim_record *out)
{
    (void)ctx;
    (void)scenario;
    queue q = {0};
    q.engine = sim_engine_alloc(16);
    q.arrival_rng = sim_rng_alloc(seed, replication, "arrivals");
    q.service_rng = sim_rng_alloc(seed, replication, "service");
    if (!q.engine || !q.arrival_rng || !q.service_rng)
        return SIM_ENOMEM;
    sim_dist_exponential(&q.interarrival, 1 / lambda);
    sim_dist_exponential(&q.service, 1 / mu);
    sim_tally_init(&q.wait);
    sim_schedule_at(q.engine, sim_dist_sample(&q.interarrival, q.arrival_rng), arrive, &q, 0);
    int rc = sim_run_until(q.engine, horizon);
    sim_record_set(out, sim_monitor_find(out->monitor, "mean_wait_days"), 0, 0,
                   sim_tally_mean(&q.wait));
    sim_record_set(out, sim_monitor_find(out->monitor, "queue_length"), 0, 0,
                   (double)(q.tail - q.head));
    sim_dist_fini(&q.interarrival);
    sim_dist_fini(&q.service);
    gsl_rng_free(q.arrival_rng);
    gsl_rng_free(q.service_rng);
    sim_engine_free(q.engine);
    free(q.waiting);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "mm1.h5";
    sim_monitor *m = sim_monitor_alloc();
    const double end = horizon;
    const char *label = "end";
    /* The model's metrics live in its own namespace: /scenarios/mm1/mm1/... */
    if (!m || sim_monitor_set_times(m, &end, &label, 1) || sim_monitor_begin_model(m, "mm1") < 0 ||
        sim_monitor_declare(m, "queue_length", "customers", "Customers waiting at the end.",
                            SIM_METRIC_SERIES, false) < 0 ||
        sim_monitor_declare(m, "mean_wait_days", "days",
                            "Mean wait in queue of customers who arrived after the warm-up.",
                            SIM_METRIC_REP, false) < 0) {
        fprintf(stderr, "mm1: cannot set up the monitor\n");
        return 1;
    }
    sim_results *res = sim_results_alloc();
    res->capsim_version = strdup("external-example");
    res->git_commit = strdup("none");
    res->command_line = strdup("mm1");
    res->base_seed = seed;
    res->replications = REPLICATIONS;
    res->baseline = -1;
    if (sim_results_add_scenario(res, "mm1", "# M/M/1, lambda 0.8, mu 1\n", "2024-01-01",
                                 horizon, warmup, m, REPLICATIONS) < 0) {
        fprintf(stderr, "mm1: cannot add the scenario\n");
        return 1;
    }

    sim_batch_options opt;
    sim_batch_options_init(&opt);
    opt.progress = 0;
    sim_batch_report report;
    struct sim_error err;
    sim_error_clear(&err);
    if (sim_batch_run(res, run_replication, NULL, &opt, &report, &err) ||
        sim_batch_write(res, &opt, &report, path, true, &err)) {
        fprintf(stderr, "mm1: %s\n", err.message);
        return 1;
    }

    /* The estimate and its 95% confidence interval across replications. */
    double w[REPLICATIONS];
    int id = sim_monitor_find(res->scenarios[0].monitor, "mean_wait_days");
    for (size_t r = 0; r < REPLICATIONS; r++)
        w[r] = sim_record_get(res->scenarios[0].reps[r], id, 0, 0);
    sim_summary s;
    sim_summarise(w, REPLICATIONS, &s);
    double rho = lambda / mu, theory = rho / (mu - lambda);
    printf("mm1: mean wait %.3f days (95%% CI %.3f to %.3f) over %d replications; "
           "M/M/1 theory %.3f\n",
           s.mean, s.ci_low, s.ci_high, REPLICATIONS, theory);
    printf("mm1: results written to %s\n", path);
    sim_results_free(res);
    /* Exit 3 if theory is not within three half-widths (a 1 in 10^4 event if all is well). */
    return fabs(s.mean - theory) <= 3 * s.half_width ? 0 : 3;
}
