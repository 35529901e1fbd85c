/*
 * sim/system/run.c: one replication of a system.
 *
 * Order of a replication: allocate the engine and every component's signal slots; schedule
 * the snapshots and the warm-up boundary (class SIM_CLASS_SNAPSHOT); start the components in
 * order (each schedules its first events); run to the horizon; if nothing failed, let each
 * component write its outcomes; stop them all and free the streams.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "run_internal.h"

/* Snapshot k: every component, in order, then the next month's flows go to k + 1. */
static void do_snapshot(sim_run *run, size_t k)
{
    for (size_t c = 0; c < run->sys->n_components; c++)
        if (run->sys->components[c].snapshot)
            run->sys->components[c].snapshot(run->comps[c].state, k);
    run->period = k + 1 < run->sys->n_snapshots ? k + 1 : k;
}

static void do_warmup_end(sim_run *run)
{
    for (size_t c = 0; c < run->sys->n_components; c++)
        if (run->sys->components[c].warmup_end)
            run->sys->components[c].warmup_end(run->comps[c].state);
}

/*
 * The runner keeps one event pending at a time: the next snapshot or the warm-up boundary,
 * whichever comes first. Scheduling all of them at the start would leave hundreds of
 * entries in the calendar for the whole run (365 for a 30-year horizon), which makes every
 * other event's heap operations several levels deeper. The order is that of one event per
 * snapshot and one for the warm-up, all scheduled at the start in class SIM_CLASS_SNAPSHOT:
 * at equal times, snapshots in index order, then the warm-up.
 */
static void on_runner_event(sim_engine *e, void *ctx, uint64_t unused);

static int schedule_next_runner_event(sim_run *run)
{
    const sim_system *sys = run->sys;
    double next = INFINITY;
    if (run->next_snapshot < sys->n_snapshots &&
        sys->snapshot_times[run->next_snapshot] <= sys->horizon_days)
        next = sys->snapshot_times[run->next_snapshot];
    if (run->warmup_pending && sys->warmup_days < next)
        next = sys->warmup_days;
    if (next == INFINITY)
        return SIM_OK;
    return sim_schedule_at_class(run->engine, next, SIM_CLASS_SNAPSHOT, on_runner_event, run, 0)
               ? SIM_OK
               : SIM_ENOMEM;
}

static void on_runner_event(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    sim_run *run = ctx;
    const sim_system *sys = run->sys;
    double now = sim_now(e);
    while (run->next_snapshot < sys->n_snapshots &&
           sys->snapshot_times[run->next_snapshot] == now)
        do_snapshot(run, run->next_snapshot++);
    if (run->warmup_pending && sys->warmup_days == now) {
        run->warmup_pending = false;
        do_warmup_end(run);
    }
    schedule_next_runner_event(run); /* a refusal stops the run with the engine's error */
}

/* The classic form, one event each, for snapshot times that are not in order. */
static void on_snapshot(sim_engine *e, void *ctx, uint64_t k)
{
    (void)e;
    do_snapshot(ctx, (size_t)k);
}

static void on_warmup_end(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)e;
    (void)unused;
    do_warmup_end(ctx);
}

static int alloc_comps(sim_run *run, sim_record *out)
{
    const sim_system *sys = run->sys;
    run->comps = calloc(sys->n_components ? sys->n_components : 1, sizeof *run->comps);
    if (!run->comps)
        return SIM_ENOMEM;
    for (size_t c = 0; c < sys->n_components; c++) {
        const sim_component *comp = &sys->components[c];
        run->comps[c].view = sim_record_view(out, comp->model);
        run->comps[c].signals = calloc(comp->n_ports ? comp->n_ports : 1, sizeof(signal_state));
        if (!run->comps[c].signals)
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

static void free_run(sim_run *run)
{
    const sim_system *sys = run->sys;
    if (run->comps) {
        for (size_t c = sys->n_components; c-- > 0;) {
            comp_state *cs = &run->comps[c];
            if (cs->started && sys->components[c].stop)
                sys->components[c].stop(cs->state);
            if (cs->signals)
                for (size_t p = 0; p < sys->components[c].n_ports; p++) {
                    free(cs->signals[p].values);
                    free(cs->signals[p].watchers);
                }
            free(cs->signals);
        }
        free(run->comps);
    }
    for (size_t i = 0; i < run->n_streams; i++)
        gsl_rng_free(run->streams[i]);
    free(run->streams);
    sim_engine_free(run->engine);
}

static int schedule_runner_events(sim_run *run)
{
    const sim_system *sys = run->sys;
    bool sorted = true;
    for (size_t k = 1; k < sys->n_snapshots && sorted; k++)
        sorted = sys->snapshot_times[k - 1] <= sys->snapshot_times[k];
    bool warmup = sys->warmup_days > 0 && sys->warmup_days <= sys->horizon_days;
    if (sorted) {
        run->warmup_pending = warmup;
        return schedule_next_runner_event(run);
    }
    for (size_t k = 0; k < sys->n_snapshots; k++)
        if (sys->snapshot_times[k] <= sys->horizon_days &&
            !sim_schedule_at_class(run->engine, sys->snapshot_times[k], SIM_CLASS_SNAPSHOT,
                                   on_snapshot, run, k))
            return SIM_ENOMEM;
    if (warmup && !sim_schedule_at_class(run->engine, sys->warmup_days, SIM_CLASS_SNAPSHOT,
                                         on_warmup_end, run, 0))
        return SIM_ENOMEM;
    return SIM_OK;
}

int sim_system_run(const sim_system *sys, uint64_t base_seed, uint64_t replication,
                   sim_record *out, struct sim_error *err)
{
    sim_run run = {.sys = sys, .seed = base_seed, .replication = replication};
    int rc = SIM_ENOMEM;
    run.engine = sim_engine_alloc(1024);
    if (!run.engine || alloc_comps(&run, out))
        goto done;
    if ((rc = schedule_runner_events(&run)))
        goto done;
    for (size_t c = 0; c < sys->n_components && !rc; c++) {
        rc = sys->components[c].start(sys->components[c].cfg, &run, c, &run.comps[c].state);
        run.comps[c].started = true;
        if (rc && !run.failed)
            sim_run_fail(&run, c, rc, "cannot start: %s", sim_strerror(rc));
    }
    if (!rc)
        rc = sim_run_until(run.engine, sys->horizon_days);
    if (run.failed)
        rc = run.failed;
    for (size_t c = 0; c < sys->n_components && !rc; c++)
        if (sys->components[c].finish)
            rc = sys->components[c].finish(run.comps[c].state, &run.comps[c].view);
done:
    if (rc && err) {
        if (run.failed)
            sim_error_set(err, rc, NULL, 0, 0, NULL, "replication %llu: %s",
                          (unsigned long long)replication, run.message);
        else if (run.engine && sim_engine_error(run.engine))
            sim_error_set(err, rc, NULL, 0, 0, NULL, "replication %llu: at day %.4f: %s",
                          (unsigned long long)replication, sim_now(run.engine),
                          sim_engine_error_message(run.engine));
        else
            sim_error_set(err, rc, NULL, 0, 0, NULL, "replication %llu: %s",
                          (unsigned long long)replication, sim_strerror(rc));
    }
    free_run(&run);
    return rc;
}

sim_engine *sim_run_engine(sim_run *run)
{
    return run->engine;
}

uint64_t sim_run_seed(const sim_run *run)
{
    return run->seed;
}

uint64_t sim_run_replication(const sim_run *run)
{
    return run->replication;
}

double sim_run_horizon(const sim_run *run)
{
    return run->sys->horizon_days;
}

double sim_run_warmup(const sim_run *run)
{
    return run->sys->warmup_days;
}

size_t sim_run_period(const sim_run *run)
{
    return run->period;
}

sim_record *sim_run_record(sim_run *run, size_t self)
{
    return &run->comps[self].view;
}

gsl_rng *sim_run_stream(sim_run *run, size_t self, const char *name)
{
    char full[512];
    snprintf(full, sizeof full, "%s/%s", run->sys->components[self].name, name);
    if (run->n_streams == run->cap_streams) {
        size_t cap = run->cap_streams ? 2 * run->cap_streams : 16;
        gsl_rng **s = realloc(run->streams, cap * sizeof *s);
        if (!s)
            return NULL;
        run->streams = s;
        run->cap_streams = cap;
    }
    gsl_rng *r = sim_rng_alloc(run->seed, run->replication, full);
    if (r)
        run->streams[run->n_streams++] = r;
    return r;
}

void sim_run_fail(sim_run *run, size_t self, int code, const char *fmt, ...)
{
    if (run->failed)
        return;
    run->failed = code ? code : SIM_EINVAL;
    run->failed_comp = self;
    int n = snprintf(run->message, sizeof run->message, "%s: ",
                     run->sys->components[self].name);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof run->message)
        vsnprintf(run->message + n, sizeof run->message - (size_t)n, fmt, ap);
    va_end(ap);
    if (run->engine)
        sim_engine_fail(run->engine, run->failed, "%s", run->message);
}
