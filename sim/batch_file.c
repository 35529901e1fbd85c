/*
 * sim/batch_file.c: writing a batch's file (with its annotations) and merging shards.
 */
#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch_internal.h"
#include "error.h"
#include "stats.h"

double sim_batch_mser5_days(const sim_scenario_result *s, size_t metric)
{
    const sim_monitor *m = s->monitor;
    const sim_metric *mt = sim_monitor_metric(m, metric);
    size_t times = sim_monitor_time_count(m);
    if (!mt || mt->kind != SIM_METRIC_SERIES)
        return NAN;
    if (times == 0)
        return 0;
    size_t groups = sim_monitor_group_count(m);
    size_t ng = mt->per_group ? groups : 1;
    const double *t = sim_monitor_times(m);
    double *mean = malloc(times * sizeof *mean);
    if (!mean)
        return NAN;
    double best = 0;
    for (size_t g = 0; g < ng; g++) {
        for (size_t i = 0; i < times; i++) {
            double sum = 0;
            size_t n = 0;
            size_t idx = sim_record_index(mt, groups, i, g);
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

/* ---- HDF5 attributes ---- */

static int attr_double(hid_t loc, const char *name, double value)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return st < 0 ? SIM_EIO : SIM_OK;
}

static int attr_long(hid_t loc, const char *name, long long value)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_LLONG, &value);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    return st < 0 ? SIM_EIO : SIM_OK;
}

/* A variable-length UTF-8 string attribute, as h5py reads into str. */
static int attr_string(hid_t loc, const char *name, const char *value)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, ty, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, ty, &value);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(ty);
    return st < 0 ? SIM_EIO : SIM_OK;
}

static int annotate(const sim_results *res, const sim_batch_options *opt,
                    const sim_batch_report *report, const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0)
        return SIM_EIO;
    int rc = SIM_OK;
    char buf[1024];
    for (size_t s = 0; s < res->n_scenarios && !rc; s++) {
        const sim_scenario_result *sc = &res->scenarios[s];
        snprintf(buf, sizeof buf, "/scenarios/%s", sc->name);
        hid_t g = H5Gopen2(f, buf, H5P_DEFAULT);
        if (g < 0) {
            rc = SIM_EIO;
            break;
        }
        double worst = 0;
        size_t nm = sim_monitor_metric_count(sc->monitor);
        for (size_t k = 0; k < nm && !rc; k++) {
            const sim_metric *mt = sim_monitor_metric(sc->monitor, k);
            if (mt->kind != SIM_METRIC_SERIES)
                continue;
            double days = sim_batch_mser5_days(sc, k);
            if (!isfinite(days))
                continue;
            if (days > worst)
                worst = days;
            snprintf(buf, sizeof buf, "series/%s", mt->name);
            if (H5Lexists(g, "series", H5P_DEFAULT) <= 0 || H5Lexists(g, buf, H5P_DEFAULT) <= 0)
                continue;
            hid_t d = H5Dopen2(g, buf, H5P_DEFAULT);
            if (d < 0) {
                rc = SIM_EIO;
                break;
            }
            rc = attr_double(d, "mser5_warmup_days", days);
            H5Dclose(d);
        }
        if (!rc)
            rc = attr_double(g, "mser5_warmup_days", worst);
        H5Gclose(g);
    }
    if (!rc && opt && opt->precision > 0 && report) {
        size_t len = 1;
        for (size_t k = 0; k < opt->n_metrics; k++)
            len += strlen(opt->metrics[k]) + 1;
        char *names = malloc(len);
        if (!names) {
            rc = SIM_ENOMEM;
        } else {
            names[0] = '\0';
            for (size_t k = 0; k < opt->n_metrics; k++) {
                if (k)
                    strcat(names, ",");
                strcat(names, opt->metrics[k]);
            }
            rc = attr_double(f, "precision_target", opt->precision);
            rc = rc ? rc : attr_string(f, "precision_metrics", names);
            rc = rc ? rc : attr_long(f, "precision_met", report->precision_met ? 1 : 0);
            rc = rc ? rc : attr_long(f, "precision_min_replications",
                                     (long long)opt->min_replications);
            rc = rc ? rc : attr_double(f, "precision_achieved", report->worst_precision);
            free(names);
        }
    }
    if (H5Fclose(f) < 0 && !rc)
        rc = SIM_EIO;
    return rc;
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int sim_batch_write(const sim_results *res, const sim_batch_options *opt,
                    const sim_batch_report *report, const char *path, bool overwrite,
                    struct sim_error *err)
{
    if (!overwrite && access(path, F_OK) == 0)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "exists; not overwritten");
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return SIM_ENOMEM;
    snprintf(tmp, len, "%s.part-%ld", path, (long)getpid());
    int rc = sim_results_write(res, tmp, true, err);
    if (!rc) {
        rc = annotate(res, opt, report, tmp);
        if (rc)
            sim_error_set(err, rc, tmp, 0, 0, NULL, "cannot annotate the results file");
    }
    if (!rc && fsync_path(tmp) != 0)
        rc = sim_error_set(err, SIM_EIO, tmp, 0, 0, NULL, "cannot sync: %s", strerror(errno));
    if (!rc) {
        if (overwrite) {
            if (rename(tmp, path) != 0)
                rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot rename %s: %s", tmp,
                                   strerror(errno));
        } else if (link(tmp, path) != 0) {
            /* link(2) refuses to replace a file that appeared meanwhile; filesystems
             * without hard links fall back to a check and a rename. */
            if (errno == EEXIST)
                rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "exists; not overwritten");
            else if (access(path, F_OK) == 0)
                rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "exists; not overwritten");
            else if (rename(tmp, path) != 0)
                rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot rename %s: %s", tmp,
                                   strerror(errno));
        }
    }
    unlink(tmp);
    free(tmp);
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
