/*
 * sim/batch/batch.c: the thread pool, the collector and the precision rule (the job queue
 * they share with MPI is in batch_queue.c).
 *
 * One mutex guards the queue. Workers take jobs in order and push finished records on a
 * list; the calling thread (the collector) takes the list, stores records in the results,
 * appends them to the checkpoint, advances the precision rule and draws the progress bar.
 * Only the collector touches the results and the checkpoint, so neither needs a lock.
 */
#include "batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch_internal.h"
#include "core/error.h"
#include "core/stats.h"

void sim_batch_options_init(sim_batch_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->fsync_seconds = 0.1;
    opt->progress = -1;
    opt->min_replications = 10;
}

void sim_batch_shard_range(size_t replications, size_t shard, size_t shards, size_t *first,
                           size_t *end)
{
    if (shards <= 1) {
        *first = 0;
        *end = replications;
        return;
    }
    /* Block i is [floor(i R / N), floor((i + 1) R / N)): sizes differ by at most one. */
    *first = (size_t)(((unsigned long long)replications * shard) / shards);
    *end = (size_t)(((unsigned long long)replications * (shard + 1)) / shards);
}

/* Run one job into a fresh record; the record is NULL if the job failed. NULL if out of
 * memory for the note itself (the worker then stops the batch). */
static sim__done *run_job(sim__batch *b, sim__job job)
{
    sim__done *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    sim_record *rec = sim_record_alloc(b->res->scenarios[job.scenario].monitor);
    int status = SIM_ENOMEM;
    if (rec)
        status = b->fn(b->ctx, job.scenario, job.replication, rec);
    if (status != 0) {
        sim_record_free(rec);
        rec = NULL;
    }
    d->job = job;
    d->rec = rec;
    d->status = status != 0 ? (status < 0 ? status : SIM_EINVAL) : SIM_OK;
    return d;
}

static void *worker_main(void *arg)
{
    sim__batch *b = arg;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        sim__job job;
        while (!b->stop && !sim__batch_take(b, &job))
            pthread_cond_wait(&b->work_cv, &b->mu);
        if (b->stop)
            break;
        pthread_mutex_unlock(&b->mu);
        sim__done *d = run_job(b, job);
        pthread_mutex_lock(&b->mu);
        if (!d) {
            b->in_flight--;
            b->stop = true;
            pthread_cond_broadcast(&b->work_cv);
            pthread_cond_signal(&b->done_cv);
            break;
        }
        sim__batch_push_done(b, d);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void free_done_list(sim__done *d)
{
    while (d) {
        sim__done *next = d->next;
        sim_record_free(d->rec);
        free(d);
        d = next;
    }
}

/* ---- the precision rule ---- */

/* One value the rule watches: a (scenario, metric, group) at the last snapshot time. */
typedef struct watch {
    size_t scenario;
    size_t index;           /* into the record's values */
    const sim_metric *mt;   /* the metric (its name, dimensions) */
    size_t cell;            /* cell of its dimensions */
    uint64_t n;             /* Welford accumulators over replications 0..prefix-1 */
    double mean, m2;
} watch;

typedef struct precision {
    watch *w;
    size_t n_w;
    double target;
    size_t min_reps;
} precision;

static int precision_init(precision *p, const sim_results *res, const sim_batch_options *opt,
                          struct sim_error *err)
{
    memset(p, 0, sizeof *p);
    p->target = opt->precision;
    p->min_reps = opt->min_replications ? opt->min_replications : 1;
    size_t cap = 0;
    for (size_t s = 0; s < res->n_scenarios; s++) {
        const sim_monitor *m = res->scenarios[s].monitor;
        for (size_t k = 0; k < opt->n_metrics; k++) {
            int id = sim_monitor_find_path(m, opt->metrics[k]);
            cap += id < 0 ? 0 : sim_monitor_metric(m, (size_t)id)->cells;
        }
    }
    p->w = calloc(cap ? cap : 1, sizeof *p->w);
    if (!p->w)
        return SIM_ENOMEM;
    for (size_t s = 0; s < res->n_scenarios; s++) {
        const sim_monitor *m = res->scenarios[s].monitor;
        size_t times = sim_monitor_time_count(m);
        for (size_t k = 0; k < opt->n_metrics; k++) {
            int id = sim_monitor_find_path(m, opt->metrics[k]);
            if (id < 0) {
                free(p->w);
                p->w = NULL;
                return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, NULL,
                                     "--metric %s: scenario %s has no such metric",
                                     opt->metrics[k], res->scenarios[s].name);
            }
            const sim_metric *mt = sim_monitor_metric(m, (size_t)id);
            size_t t = (mt->kind == SIM_METRIC_SERIES && times > 0) ? times - 1 : 0;
            for (size_t g = 0; g < mt->cells; g++) {
                watch *w = &p->w[p->n_w++];
                w->scenario = s;
                w->index = sim_record_index(mt, t, g);
                w->mt = mt;
                w->cell = g;
            }
        }
    }
    return SIM_OK;
}

/* Add replication r (present in every scenario) to the accumulators, in order. */
static void precision_add(precision *p, const sim_results *res, size_t r)
{
    for (size_t i = 0; i < p->n_w; i++) {
        watch *w = &p->w[i];
        double x = res->scenarios[w->scenario].reps[r]->values[w->index];
        if (isnan(x))
            continue;
        w->n++;
        double d = x - w->mean;
        w->mean += d / (double)w->n;
        w->m2 += d * (x - w->mean);
    }
}

static double watch_relative(const watch *w)
{
    if (w->n < 2)
        return INFINITY;
    double sd = sqrt(w->m2 / (double)(w->n - 1));
    double hw = sim_t95(w->n - 1) * sd / sqrt((double)w->n);
    if (hw == 0)
        return 0;
    if (w->mean == 0)
        return INFINITY;
    return hw / fabs(w->mean);
}

/* The worst relative half-width now; its watch in *worst. */
static double precision_worst(const precision *p, const watch **worst)
{
    double max = 0;
    *worst = NULL;
    for (size_t i = 0; i < p->n_w; i++) {
        double rel = watch_relative(&p->w[i]);
        if (!(rel <= max)) {
            max = rel;
            *worst = &p->w[i];
        }
    }
    return max;
}

/* ---- progress ---- */

/*
 * On a terminal, a bar redrawn in place; elsewhere (a Slurm log, a pipe) plain lines, since
 * a redrawn bar is one ever-growing line that shows nothing until the job ends: one every
 * minute by default, or with --progress (opt->progress 1) one at the start, every 10 s and
 * at the end.
 */
typedef struct progress {
    bool on;
    bool plain;     /* stderr is not a terminal: whole lines */
    bool forced;    /* asked for (opt->progress 1) rather than by default */
    double start, last;
    size_t base;  /* jobs already done when the bar started (resumed) */
    bool drawn;
} progress;

static void fmt_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(buf, size, "--:--");
        return;
    }
    long t = lround(s);
    if (t >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void progress_line(progress *pg, size_t done, size_t total, bool final, double now)
{
    if (final ? !pg->forced : now - pg->last < (pg->forced ? 10.0 : 60.0))
        return;
    pg->last = now;
    double elapsed = now - pg->start;
    double rate = elapsed > 0 ? (double)(done - pg->base) / elapsed : 0;
    double left = rate > 0 ? (double)(total - done) / rate : NAN;
    char eta[32], el[32];
    fmt_duration(eta, sizeof eta, left);
    fmt_duration(el, sizeof el, elapsed);
    fprintf(stderr, "capsim: progress %zu/%zu jobs, %.1f jobs/s, %s elapsed, %s left\n", done,
            total, rate, el, final ? "0:00" : eta);
    fflush(stderr);
}

static void progress_draw(progress *pg, size_t done, size_t total, bool final)
{
    if (!pg->on)
        return;
    double now = sim__now();
    if (pg->plain) {
        progress_line(pg, done, total, final, now);
        return;
    }
    if (!final && now - pg->last < 0.25)
        return;
    pg->last = now;
    double elapsed = now - pg->start;
    double rate = elapsed > 0 ? (double)(done - pg->base) / elapsed : 0;
    double left = rate > 0 ? (double)(total - done) / rate : NAN;
    char eta[32], el[32];
    fmt_duration(eta, sizeof eta, left);
    fmt_duration(el, sizeof el, elapsed);
    int width = 24;
    int fill = total ? (int)((double)width * (double)done / (double)total) : width;
    char bar[32];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[width] = '\0';
    if (final)
        fprintf(stderr, "\r\033[Kcapsim: [%s] %zu/%zu jobs  %.1f jobs/s  %s elapsed\n", bar,
                done, total, rate, el);
    else
        fprintf(stderr, "\r\033[Kcapsim: [%s] %zu/%zu jobs  %.1f jobs/s  %s left", bar, done,
                total, rate, eta);
    fflush(stderr);
    pg->drawn = true;
}

/* ---- the collector ---- */

typedef struct collector {
    sim_results *res;
    sim__batch *b;
    sim__ckpt ckpt;
    bool have_ckpt;
    precision prec;
    bool use_prec;
    size_t prefix;      /* replications 0..prefix-1 are present in every scenario */
    size_t final_n;     /* precision: the count decided (0 while undecided) */
    size_t done;        /* jobs of the batch present (resumed + run) */
    size_t needed;      /* jobs that must be present to finish (fixed count) */
    size_t cap;         /* replications per scenario */
    size_t lookahead;   /* precision: replications dispatched beyond the prefix */
    size_t run;
} collector;

static bool rep_complete(const sim_results *res, size_t r)
{
    for (size_t s = 0; s < res->n_scenarios; s++)
        if (r >= res->scenarios[s].replications || !res->scenarios[s].reps[r])
            return false;
    return true;
}

/* Advance the prefix of complete replications and, with precision, decide n. */
static void advance(collector *c)
{
    while (c->prefix < c->cap && rep_complete(c->res, c->prefix)) {
        if (c->use_prec && c->final_n == 0) {
            precision_add(&c->prec, c->res, c->prefix);
            size_t n = c->prefix + 1;
            const watch *w;
            if (n >= c->prec.min_reps && precision_worst(&c->prec, &w) <= c->prec.target)
                c->final_n = n;
        }
        c->prefix++;
    }
    if (c->use_prec && c->final_n == 0 && c->prefix >= c->cap)
        c->final_n = c->cap;
    if (c->use_prec && c->final_n == 0) {
        size_t lim = c->prefix + c->lookahead;
        if (lim < c->prec.min_reps)
            lim = c->prec.min_reps;
        c->b->limit = lim;  /* caller holds the lock or no worker runs */
    }
}

static bool finished(const collector *c)
{
    if (c->use_prec)
        return c->final_n > 0;
    return c->done >= c->needed;
}

/* Store one finished job (or report its failure). */
static int take_done(collector *c, sim__done *d, struct sim_error *err)
{
    sim_scenario_result *sc = &c->res->scenarios[d->job.scenario];
    if (d->status != SIM_OK || !d->rec) {
        return sim_error_set(err, d->status ? d->status : SIM_EINVAL, NULL, 0, 0, NULL,
                             "replication %llu of scenario %s failed (%s)",
                             (unsigned long long)d->job.replication, sc->name,
                             sim_strerror(d->status ? d->status : SIM_EINVAL));
    }
    c->run++;
    if (sc->reps[d->job.replication]) {
        /* Cannot happen with one queue; keep the first copy. */
        sim_record_free(d->rec);
        d->rec = NULL;
        return SIM_OK;
    }
    if (c->have_ckpt) {
        int rc = sim__ckpt_append(&c->ckpt, d->job.scenario, d->job.replication, d->rec, err);
        if (rc)
            return rc;
    }
    sc->reps[d->job.replication] = d->rec;
    d->rec = NULL;
    c->done++;
    return SIM_OK;
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static int mpi_rank_size(bool mpi, int *rank, int *size)
{
    *rank = 0;
    *size = 1;
#if CAPSIM_HAVE_MPI
    if (mpi && sim_batch_mpi_active())
        return sim__mpi_rank_size(rank, size);
#else
    (void)mpi;
#endif
    return SIM_OK;
}

int sim_batch_run(sim_results *res, sim_batch_fn fn, void *ctx, const sim_batch_options *opt,
                  sim_batch_report *report, struct sim_error *err)
{
    sim_batch_options defaults;
    if (!opt) {
        sim_batch_options_init(&defaults);
        opt = &defaults;
    }
    sim_batch_report rep_local;
    if (!report)
        report = &rep_local;
    memset(report, 0, sizeof *report);
    double t0 = sim__now();

    if (res->n_scenarios == 0)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL, "a batch needs a scenario");
    size_t cap = res->scenarios[0].replications;
    for (size_t s = 1; s < res->n_scenarios; s++)
        if (res->scenarios[s].replications != cap)
            return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL,
                                 "every scenario of a batch needs the same replication count");
    bool use_prec = opt->precision > 0;
    if (use_prec && opt->shards > 1)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL,
                             "a precision rule needs all replications: it cannot run in shards");
    if (use_prec && opt->n_metrics == 0)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL,
                             "a precision rule needs at least one metric");
    if (opt->shards > 1 && opt->shard >= opt->shards)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL, "shard %zu of %zu out of range",
                             opt->shard, opt->shards);

    int rank, ranks;
    int rc = mpi_rank_size(opt->mpi, &rank, &ranks);
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL, "MPI is not usable");
    report->rank = rank;
    report->ranks = ranks;
    unsigned threads = opt->threads ? opt->threads : default_threads();

#if CAPSIM_HAVE_MPI
    if (ranks > 1 && rank != 0) {
        rc = sim__mpi_worker(res, fn, ctx, &report->jobs_run, err);
        report->seconds = sim__now() - t0;
        return rc;
    }
#endif

    size_t first, end;
    sim_batch_shard_range(cap, opt->shard, opt->shards, &first, &end);

    collector c = {0};
    c.res = res;
    c.cap = cap;
    c.use_prec = use_prec;
    if (use_prec) {
        rc = precision_init(&c.prec, res, opt, err);
        if (rc)
            return rc;
    }

    sim__batch b;
    memset(&b, 0, sizeof b);
    b.res = res;
    b.fn = fn;
    b.ctx = ctx;
    b.limit = UINT64_MAX;
    c.b = &b;

    if (opt->checkpoint) {
        rc = sim__ckpt_open(&c.ckpt, opt->checkpoint, res, opt->resume, opt->fsync_seconds,
                            first, end, &report->jobs_resumed, err);
        if (rc) {
            free(c.prec.w);
            return rc;
        }
        c.have_ckpt = true;
    }

    /* The jobs still to run, replication-major. */
    size_t n_jobs = 0;
    for (size_t r = first; r < end; r++)
        for (size_t s = 0; s < res->n_scenarios; s++)
            n_jobs += res->scenarios[s].reps[r] ? 0 : 1;
    b.jobs = malloc((n_jobs ? n_jobs : 1) * sizeof *b.jobs);
    if (!b.jobs) {
        sim__ckpt_close(&c.ckpt);
        free(c.prec.w);
        return SIM_ENOMEM;
    }
    for (size_t r = first; r < end; r++)
        for (size_t s = 0; s < res->n_scenarios; s++)
            if (!res->scenarios[s].reps[r])
                b.jobs[b.n_jobs++] = (sim__job){s, r};
    c.needed = (end - first) * res->n_scenarios;
    c.done = c.needed - n_jobs;
    report->jobs_total = c.needed;

    size_t executors = threads + (size_t)(ranks > 1 ? ranks - 1 : 0);
    c.lookahead = (2 * executors + res->n_scenarios - 1) / res->n_scenarios;
    if (c.lookahead < 1)
        c.lookahead = 1;
    advance(&c);

    progress pg = {0};
    pg.plain = !isatty(2);
    pg.forced = opt->progress > 0;
    pg.on = opt->progress != 0;
    pg.start = pg.last = sim__now();
    if (pg.on && pg.plain && pg.forced)
        fprintf(stderr, "capsim: progress %zu/%zu jobs\n", c.done, c.needed);
    pg.base = c.done;

    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.work_cv, NULL);
    pthread_cond_init(&b.done_cv, NULL);
    pthread_t *tids = calloc(threads, sizeof *tids);
    size_t started = 0;
    if (!tids)
        rc = SIM_ENOMEM;
#if CAPSIM_HAVE_MPI
    sim__mpi_master *mm = NULL;
    if (!rc && ranks > 1)
        rc = sim__mpi_master_alloc(&mm, ranks);
#endif
    /* Under MPI with several ranks, rank 0 may run no local workers (threads is then 0 only
     * if the caller asked); otherwise at least one. */
    for (size_t i = 0; !rc && i < threads; i++) {
        if (pthread_create(&tids[i], NULL, worker_main, &b) != 0) {
            rc = sim_error_set(err, SIM_ENOMEM, NULL, 0, 0, NULL, "cannot start a thread");
            break;
        }
        started++;
    }

    bool interrupted = false;
    double wait_s = ranks > 1 ? 0.0005 : 0.1;
    while (!rc && !finished(&c)) {
        pthread_mutex_lock(&b.mu);
        if (!b.done_head && !(opt->interrupt && *opt->interrupt)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long ns = ts.tv_nsec + (long)(wait_s * 1e9);
            ts.tv_sec += ns / 1000000000L;
            ts.tv_nsec = ns % 1000000000L;
            pthread_cond_timedwait(&b.done_cv, &b.mu, &ts);
        }
        sim__done *list = b.done_head;
        b.done_head = b.done_tail = NULL;
        bool worker_died = b.stop;
        pthread_mutex_unlock(&b.mu);
        if (worker_died) {
            free_done_list(list);
            rc = SIM_ENOMEM;
            break;
        }

        while (list && !rc) {
            sim__done *d = list;
            list = d->next;
            rc = take_done(&c, d, err);
            sim_record_free(d->rec);
            free(d);
        }
        free_done_list(list);
        if (rc)
            break;
        pthread_mutex_lock(&b.mu);
        uint64_t old_limit = b.limit;
        advance(&c);
        if (b.limit != old_limit)
            pthread_cond_broadcast(&b.work_cv);
        pthread_mutex_unlock(&b.mu);
#if CAPSIM_HAVE_MPI
        if (mm && !finished(&c)) {
            rc = sim__mpi_master_poll(mm, &b, err);
            if (rc)
                break;
        }
#endif
        if (opt->interrupt && *opt->interrupt) {
            interrupted = true;
            break;
        }
        progress_draw(&pg, c.done, c.needed, false);
    }

    /* Stop dispatching; let the jobs in flight finish and keep them (they are finished
     * work a resume would otherwise redo). */
    pthread_mutex_lock(&b.mu);
    b.stop = true;
    pthread_cond_broadcast(&b.work_cv);
    pthread_mutex_unlock(&b.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
#if CAPSIM_HAVE_MPI
    if (mm) {
        struct sim_error e2;
        int rc2 = sim__mpi_master_finish(mm, &b, rc ? &e2 : err);
        if (!rc)
            rc = rc2;
        sim__mpi_master_free(mm);
    }
#endif
    sim__done *list = b.done_head;
    b.done_head = b.done_tail = NULL;
    while (list) {
        sim__done *d = list;
        list = d->next;
        if (!rc)
            rc = take_done(&c, d, err);
        sim_record_free(d->rec);
        free(d);
    }
    if (!rc && !interrupted) {
        pthread_mutex_lock(&b.mu);
        advance(&c);
        pthread_mutex_unlock(&b.mu);
    }
    pthread_cond_destroy(&b.work_cv);
    pthread_cond_destroy(&b.done_cv);
    pthread_mutex_destroy(&b.mu);
    free(b.jobs);

    int crc = c.have_ckpt ? sim__ckpt_close(&c.ckpt) : SIM_OK;
    if (!rc && crc)
        rc = sim_error_set(err, SIM_EIO, opt->checkpoint, 0, 0, NULL,
                           "cannot sync the checkpoint");
    if (pg.drawn || (pg.on && !rc))
        progress_draw(&pg, c.done, c.needed, true);

    report->jobs_run = c.run;
    report->replications = cap;
    if (!rc && interrupted)
        rc = sim_error_set(err, SIM_EINTR, NULL, 0, 0, NULL,
                           "interrupted: %zu of %zu jobs done and kept", c.done, c.needed);
    if (!rc && use_prec) {
        /* Keep replications 0..n-1; later ones ran speculatively. */
        size_t n = c.final_n;
        for (size_t s = 0; s < res->n_scenarios; s++) {
            sim_scenario_result *sc = &res->scenarios[s];
            for (size_t r = n; r < sc->replications; r++) {
                sim_record_free(sc->reps[r]);
                sc->reps[r] = NULL;
            }
            sc->replications = n;
        }
        res->replications = n;
        report->replications = n;
        /* Recompute the worst watch at n exactly (the accumulators stopped at n). */
        const watch *w;
        report->worst_precision = precision_worst(&c.prec, &w);
        report->precision_met = report->worst_precision <= opt->precision;
        if (w) {
            const sim_monitor *m = res->scenarios[w->scenario].monitor;
            char cell[100];
            sim_monitor_cell_label(m, w->mt, w->cell, cell, sizeof cell);
            snprintf(report->worst_metric, sizeof report->worst_metric, "%s/%s/%s%s%s%s",
                     res->scenarios[w->scenario].name, sim_monitor_model_name(m, w->mt->model),
                     w->mt->name, cell[0] ? "[" : "", cell, cell[0] ? "]" : "");
        }
    }
    free(c.prec.w);
    report->seconds = sim__now() - t0;
    return rc;
}
