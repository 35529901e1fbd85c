/*
 * sim/batch/batch_file.c: writing a batch's file (with its annotations) and merging shards.
 */
#include "batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "core/error.h"
#include "core/stats.h"

double sim_batch_mser5_days(const sim_scenario_result *s, size_t metric)
{
    const sim_monitor *m = s->monitor;
    const sim_metric *mt = sim_monitor_metric(m, metric);
    size_t times = sim_monitor_time_count(m);
    if (!mt || mt->kind != SIM_METRIC_SERIES)
        return NAN;
    if (times == 0)
        return 0;
    size_t ng = mt->cells;
    const double *t = sim_monitor_times(m);
    double *mean = malloc(times * sizeof *mean);
    if (!mean)
        return NAN;
    double best = 0;
    for (size_t g = 0; g < ng; g++) {
        for (size_t i = 0; i < times; i++) {
            double sum = 0;
            size_t n = 0;
            size_t idx = sim_record_index(mt, i, g);
            for (size_t r = 0; r < s->replications; r++) {
                if (!s->reps[r])
                    continue;
                double x = s->reps[r]->values[idx];
                if (isnan(x))
                    continue;
                sum += x;
                n++;
            }
            mean[i] = n ? sum / (double)n : NAN;
        }
        size_t d = sim_mser5(mean, times);
        /* Dropping d snapshots discards what happened up to the last dropped one. */
        double days = d > 0 ? t[d - 1] : 0;
        if (days > best)
            best = days;
    }
    free(mean);
    return best;
}

/* ---- the batch's own attributes, written with the results ---- */

/* The attributes being built: each entry's object path and names are owned here. */
typedef struct annotations {
    sim_attr *attrs;
    char **owned;
    size_t n, cap;
} annotations;

static sim_attr *add(annotations *an, char *object)
{
    if (!object)
        return NULL;
    if (an->n == an->cap) {
        size_t cap = an->cap ? 2 * an->cap : 32;
        sim_attr *attrs = realloc(an->attrs, cap * sizeof *attrs);
        char **owned = attrs ? realloc(an->owned, cap * sizeof *owned) : NULL;
        if (attrs)
            an->attrs = attrs;
        if (!attrs || !owned) {
            free(object);
            return NULL;
        }
        an->owned = owned;
        an->cap = cap;
    }
    an->owned[an->n] = object;
    an->attrs[an->n] = (sim_attr){.object = object};
    return &an->attrs[an->n++];
}

static char *path_of(const char *fmt, const char *a, const char *b)
{
    size_t len = strlen(fmt) + strlen(a) + (b ? strlen(b) : 0) + 1;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, fmt, a, b);
    return p;
}

/*
 * MSER-5 estimates: on each series dataset (largest over its groups) and on each scenario
 * group (largest over its series); with a precision rule, what it asked and reached.
 */
static int annotate(annotations *an, const sim_results *res, const sim_batch_options *opt,
                    const sim_batch_report *report, char **names)
{
    sim_attr *at;
    for (size_t s = 0; s < res->n_scenarios; s++) {
        const sim_scenario_result *sc = &res->scenarios[s];
        double worst = 0;
        for (size_t k = 0; k < sim_monitor_metric_count(sc->monitor); k++) {
            const sim_metric *mt = sim_monitor_metric(sc->monitor, k);
            double days = sim_batch_mser5_days(sc, k);
            if (mt->kind != SIM_METRIC_SERIES || !isfinite(days))
                continue;
            if (days > worst)
                worst = days;
            char rel[600];
            snprintf(rel, sizeof rel, "%s/series/%s",
                     sim_monitor_model_name(sc->monitor, mt->model), mt->name);
            if (!(at = add(an, path_of("/scenarios/%s/%s", sc->name, rel))))
                return SIM_ENOMEM;
            *at = (sim_attr){at->object, "mser5_warmup_days", SIM_ATTR_F64, .f64 = days};
        }
        if (!(at = add(an, path_of("/scenarios/%s", sc->name, NULL))))
            return SIM_ENOMEM;
        *at = (sim_attr){at->object, "mser5_warmup_days", SIM_ATTR_F64, .f64 = worst};
    }
    if (!opt || opt->precision <= 0 || !report)
        return SIM_OK;
    size_t len = 1;
    for (size_t k = 0; k < opt->n_metrics; k++)
        len += strlen(opt->metrics[k]) + 1;
    if (!(*names = malloc(len)))
        return SIM_ENOMEM;
    (*names)[0] = '\0';
    for (size_t k = 0; k < opt->n_metrics; k++) {
        if (k)
            strcat(*names, ",");
        strcat(*names, opt->metrics[k]);
    }
    const sim_attr root[] = {
        {NULL, "precision_target", SIM_ATTR_F64, .f64 = opt->precision},
        {NULL, "precision_metrics", SIM_ATTR_STRING, .str = *names},
        {NULL, "precision_met", SIM_ATTR_I64, .i64 = report->precision_met ? 1 : 0},
        {NULL, "precision_min_replications", SIM_ATTR_I64,
         .i64 = (int64_t)opt->min_replications},
        {NULL, "precision_achieved", SIM_ATTR_F64, .f64 = report->worst_precision},
    };
    for (size_t i = 0; i < sizeof root / sizeof root[0]; i++) {
        if (!(at = add(an, strdup("/"))))
            return SIM_ENOMEM;
        const char *object = at->object;
        *at = root[i];
        at->object = object;
    }
    return SIM_OK;
}

int sim_batch_write(const sim_results *res, const sim_batch_options *opt,
                    const sim_batch_report *report, const char *path, bool overwrite,
                    struct sim_error *err)
{
    if (!overwrite && access(path, F_OK) == 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "exists; not overwritten");
    annotations an = {0};
    char *names = NULL;
    int rc = annotate(&an, res, opt, report, &names);
    if (rc)
        sim_error_set(err, rc, path, 0, 0, NULL, "cannot annotate the results file");
    else
        rc = sim_results_write_with(res, an.attrs, an.n, path, overwrite, err);
    for (size_t i = 0; i < an.n; i++)
        free(an.owned[i]);
    free(an.owned);
    free(an.attrs);
    free(names);
    return rc;
}

/* ---- merging shards ---- */

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int check_agree(const sim_results *a, const char *pa, const sim_results *b,
                       const char *pb, struct sim_error *err)
{
    if (!str_eq(a->capsim_version, b->capsim_version))
        return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                             "capsim version %s differs from %s in %s",
                             b->capsim_version ? b->capsim_version : "(none)",
                             a->capsim_version ? a->capsim_version : "(none)", pa);
    if (!str_eq(a->git_commit, b->git_commit))
        return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                             "git commit %s differs from %s in %s",
                             b->git_commit ? b->git_commit : "(none)",
                             a->git_commit ? a->git_commit : "(none)", pa);
    if (a->base_seed != b->base_seed)
        return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                             "base seed %llu differs from %llu in %s",
                             (unsigned long long)b->base_seed, (unsigned long long)a->base_seed,
                             pa);
    if (a->replications != b->replications)
        return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                             "%zu replications differ from %zu in %s", b->replications,
                             a->replications, pa);
    if (a->n_scenarios != b->n_scenarios)
        return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                             "%zu scenarios differ from %zu in %s", b->n_scenarios,
                             a->n_scenarios, pa);
    for (size_t s = 0; s < a->n_scenarios; s++) {
        const sim_scenario_result *x = &a->scenarios[s], *y = &b->scenarios[s];
        if (strcmp(x->name, y->name) != 0)
            return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                                 "scenario %zu is %s, but %s in %s", s + 1, y->name, x->name,
                                 pa);
        if (strcmp(x->sha256, y->sha256) != 0)
            return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                                 "scenario %s has hash %.12s, but %.12s in %s (the scenario "
                                 "text differs)",
                                 y->name, y->sha256, x->sha256, pa);
        if (x->replications != y->replications)
            return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                                 "scenario %s has %zu replications, but %zu in %s", y->name,
                                 y->replications, x->replications, pa);
        if (!sim_monitor_equal(x->monitor, y->monitor))
            return sim_error_set(err, SIM_EMISMATCH, pb, 0, 0, NULL,
                                 "scenario %s declares other metrics or dimensions than in %s",
                                 y->name, pa);
    }
    return SIM_OK;
}

int sim_batch_merge(const char *const *paths, size_t n, sim_results **out,
                    struct sim_error *err)
{
    if (n == 0)
        return sim_error_set(err, SIM_EINVAL, NULL, 0, 0, NULL, "nothing to merge");
    sim_results **parts = calloc(n, sizeof *parts);
    if (!parts)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = sim_results_read(paths[i], &parts[i], err);
        if (!rc && i > 0)
            rc = check_agree(parts[0], paths[0], parts[i], paths[i], err);
    }
    /* Where each replication comes from: the first shard that has it. */
    sim_results *m = rc ? NULL : parts[0];
    for (size_t s = 0; m && !rc && s < m->n_scenarios; s++) {
        sim_scenario_result *dst = &m->scenarios[s];
        for (size_t r = 0; r < dst->replications && !rc; r++) {
            size_t from = dst->reps[r] ? 0 : n;
            for (size_t i = 1; i < n; i++) {
                sim_scenario_result *src = &parts[i]->scenarios[s];
                if (!src->reps[r])
                    continue;
                if (from < n) {
                    rc = sim_error_set(err, SIM_EMISMATCH, NULL, 0, 0, NULL,
                                       "replication %zu of scenario %s is in both %s and %s", r,
                                       dst->name, paths[from], paths[i]);
                    break;
                }
                from = i;
                /* The record moves to the first shard's (equal) monitor: its own is freed
                 * with its shard. */
                dst->reps[r] = src->reps[r];
                dst->reps[r]->monitor = dst->monitor;
                src->reps[r] = NULL;
            }
            if (!rc && from == n)
                rc = sim_error_set(err, SIM_EMISMATCH, NULL, 0, 0, NULL,
                                   "replication %zu of scenario %s is in no shard", r,
                                   dst->name);
        }
    }
    for (size_t i = rc ? 0 : 1; i < n; i++)
        sim_results_free(parts[i]);
    free(parts);
    if (!rc) {
        /* Provenance of the merged file is the merge's own (set by the caller). */
        free(m->created_utc);
        m->created_utc = NULL;
        *out = m;
    }
    return rc;
}
