/* app/sensitivity.c: one-way and global sensitivity of a metric to the uncertain inputs. */
#include "sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_qrng.h>

#include "core/error.h"

/* Mean of the metric over `reps` replications of the scenario with inputs at `values`. */
static int mean_at(const capsim_loaded *l, const double *values, int metric, size_t cell,
                   size_t reps, uint64_t seed, double *out, struct sim_error *err)
{
    capsim_loaded *x = NULL;
    int rc = capsim_scenario_variant(l, values, &x, err);
    if (rc)
        return rc;
    sim_record *rec = sim_record_alloc(l->monitor);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)metric);
    size_t t = mt->kind == SIM_METRIC_SERIES ? sim_monitor_time_count(l->monitor) - 1 : 0;
    double sum = 0;
    size_t n = 0;
    for (size_t r = 0; r < reps && !rc && rec; r++) {
        sim_record_clear(rec);
        rc = sim_system_run(&x->system, seed, r, rec, err);
        double v = rec->values[sim_record_index(mt, t, cell)];
        if (!rc && !isnan(v)) {
            sum += v;
            n++;
        }
    }
    if (!rec)
        rc = SIM_ENOMEM;
    sim_record_free(rec);
    capsim_scenario_close(x);
    *out = n ? sum / (double)n : NAN;
    return rc;
}

static int by_swing(const void *a, const void *b)
{
    const capsim_oneway *x = a, *y = b;
    double sx = fabs(x->at_high - x->at_low), sy = fabs(y->at_high - y->at_low);
    return sx < sy ? 1 : sx > sy ? -1 : (x->input > y->input) - (x->input < y->input);
}

/* Standardised regression coefficients of y on the columns of X (k points, n inputs). */
static int regress(const double *X, const double *y, size_t k, size_t n, double *src,
                   double *r2)
{
    gsl_matrix *A = gsl_matrix_alloc(k, n + 1);
    gsl_vector *b = gsl_vector_alloc(k), *c = gsl_vector_alloc(n + 1);
    gsl_matrix *cov = gsl_matrix_alloc(n + 1, n + 1);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(k, n + 1);
    int rc = A && b && c && cov && ws ? SIM_OK : SIM_ENOMEM;
    double *mean = calloc(n + 1, sizeof *mean), *sd = calloc(n + 1, sizeof *sd);
    if (!mean || !sd)
        rc = SIM_ENOMEM;
    for (size_t j = 0; j <= n && !rc; j++) {
        for (size_t i = 0; i < k; i++)
            mean[j] += j < n ? X[i * n + j] : y[i];
        mean[j] /= (double)k;
        for (size_t i = 0; i < k; i++) {
            double d = (j < n ? X[i * n + j] : y[i]) - mean[j];
            sd[j] += d * d;
        }
        sd[j] = sqrt(sd[j] / (double)(k - 1));
    }
    if (!rc) {
        for (size_t i = 0; i < k; i++) {
            gsl_matrix_set(A, i, 0, 1.0);
            for (size_t j = 0; j < n; j++)
                gsl_matrix_set(A, i, j + 1,
                               sd[j] > 0 ? (X[i * n + j] - mean[j]) / sd[j] : 0.0);
            gsl_vector_set(b, i, sd[n] > 0 ? (y[i] - mean[n]) / sd[n] : 0.0);
        }
        double chisq;
        if (gsl_multifit_linear(A, b, c, cov, &chisq, ws))
            rc = SIM_EINVAL;
        for (size_t j = 0; j < n && !rc; j++)
            src[j] = gsl_vector_get(c, j + 1);
        /* Standardised y has total sum of squares k - 1. */
        *r2 = sd[n] > 0 ? 1.0 - chisq / (double)(k - 1) : NAN;
    }
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(c);
    gsl_matrix_free(cov);
    gsl_multifit_linear_free(ws);
    free(mean);
    free(sd);
    return rc;
}

int capsim_sensitivity_run(const capsim_loaded *l, const char *metric, size_t cell,
                           size_t replications, size_t samples, uint64_t seed,
                           capsim_sensitivity *out, struct sim_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = l->uncertain.n;
    if (!n)
        return sim_error_set(err, SIM_EINPUT, l->sc.path, 0, 0, NULL,
                             "no uncertain inputs: write an input as {uncertain: DIST} to "
                             "analyse it");
    int id = sim_monitor_find_path(l->monitor, metric);
    if (id < 0)
        return sim_error_set(err, SIM_EINPUT, l->sc.path, 0, 0, NULL,
                             "--metric %s: no such metric (write MODEL/NAME, e.g. "
                             "queue/mean_wait_days)", metric);
    if (cell >= sim_monitor_metric(l->monitor, (size_t)id)->cells)
        return sim_error_set(err, SIM_EINPUT, l->sc.path, 0, 0, NULL,
                             "--cell %zu: metric %s has %zu cells", cell, metric,
                             sim_monitor_metric(l->monitor, (size_t)id)->cells);
    if (samples && samples < n + 2)
        samples = n + 2;
    out->n = n;
    out->samples = samples;
    out->replications = replications;
    out->r2 = NAN;
    out->oneway = calloc(n, sizeof *out->oneway);
    out->src = calloc(n, sizeof *out->src);
    double *v = malloc(n * sizeof *v);
    double *X = samples ? malloc(samples * n * sizeof *X) : NULL;
    double *y = samples ? malloc(samples * sizeof *y) : NULL;
    int rc = out->oneway && out->src && v && (!samples || (X && y)) ? SIM_OK : SIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = l->uncertain.inputs[i].central;
    if (!rc)
        rc = mean_at(l, v, id, cell, replications, seed, &out->central, err);
    for (size_t i = 0; i < n && !rc; i++) {
        const capsim_uncertain *u = &l->uncertain.inputs[i];
        out->oneway[i].input = i;
        v[i] = u->low;
        rc = mean_at(l, v, id, cell, replications, seed, &out->oneway[i].at_low, err);
        v[i] = u->high;
        if (!rc)
            rc = mean_at(l, v, id, cell, replications, seed, &out->oneway[i].at_high, err);
        v[i] = u->central;
    }
    if (!rc)
        qsort(out->oneway, n, sizeof *out->oneway, by_swing);
    if (!rc && samples) {
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)n);
        double *p = malloc(n * sizeof *p);
        if (!q || !p || n > 40)
            rc = n > 40 ? sim_error_set(err, SIM_EINPUT, l->sc.path, 0, 0, NULL,
                                        "the global analysis takes at most 40 uncertain inputs")
                        : SIM_ENOMEM;
        for (size_t k = 0; k < samples && !rc; k++) {
            gsl_qrng_get(q, p);
            for (size_t i = 0; i < n; i++) {
                /* Keep off the ends, where unbounded quantiles are infinite. */
                double pi = 0.001 + 0.998 * p[i];
                X[k * n + i] = v[i] = capsim_uncertain_quantile(&l->uncertain.inputs[i], pi);
            }
            rc = mean_at(l, v, id, cell, replications, seed, &y[k], err);
        }
        if (!rc)
            rc = regress(X, y, samples, n, out->src, &out->r2);
        gsl_qrng_free(q);
        free(p);
    }
    free(v);
    free(X);
    free(y);
    if (rc)
        capsim_sensitivity_free(out);
    return rc;
}

void capsim_sensitivity_free(capsim_sensitivity *s)
{
    free(s->oneway);
    free(s->src);
    memset(s, 0, sizeof *s);
}
