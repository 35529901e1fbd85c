/*
 * sim/core/stats.c: tallies, time-weighted averages, quantiles, replication summaries, MSER-5.
 */
#include "stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_tally_init(sim_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

/* Welford (1962): the running mean and sum of squared deviations, stable in one pass. */
void sim_tally_add(sim_tally *t, double x)
{
    t->n++;
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
}

double sim_tally_mean(const sim_tally *t)
{
    return t->n ? t->mean : NAN;
}

double sim_tally_variance(const sim_tally *t)
{
    return t->n >= 2 ? t->m2 / (double)(t->n - 1) : NAN;
}

double sim_tally_sd(const sim_tally *t)
{
    return sqrt(sim_tally_variance(t));
}

/* Chan, Golub and LeVeque (1979): combine two (n, mean, M2) triples. */
void sim_tally_merge(sim_tally *a, const sim_tally *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double d = b->mean - a->mean;
    a->mean += d * nb / n;
    a->m2 += b->m2 + d * d * na * nb / n;
    a->n += b->n;
    if (b->min < a->min)
        a->min = b->min;
    if (b->max > a->max)
        a->max = b->max;
}

void sim_timeavg_init(sim_timeavg *a, double t0, double level)
{
    a->t0 = t0;
    a->last_t = t0;
    a->level = level;
    a->area = 0.0;
}

void sim_timeavg_set(sim_timeavg *a, double t, double level)
{
    a->area += a->level * (t - a->last_t);
    a->last_t = t;
    a->level = level;
}

void sim_timeavg_add(sim_timeavg *a, double t, double delta)
{
    sim_timeavg_set(a, t, a->level + delta);
}

/* Over an empty interval the mean is the current level. */
double sim_timeavg_mean(const sim_timeavg *a, double t)
{
    double span = t - a->t0;
    if (!(span > 0.0))
        return a->level;
    return (a->area + a->level * (t - a->last_t)) / span;
}

void sim_timeavg_restart(sim_timeavg *a, double t)
{
    a->t0 = t;
    a->last_t = t;
    a->area = 0.0;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Type 7 on sorted data: h = (n - 1) p, interpolate between x[floor h] and the next. */
static double quantile_sorted(const double *x, size_t n, double p)
{
    if (n == 0 || !(p >= 0.0 && p <= 1.0))
        return NAN;
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return x[n - 1];
    double frac = h - (double)lo;
    return x[lo] + frac * (x[lo + 1] - x[lo]);
}

double sim_quantile_inplace(double *x, size_t n, double p)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    return quantile_sorted(x, n, p);
}

double sim_t95(size_t df)
{
    if (df == 0)
        return NAN;
    return gsl_cdf_tdist_Pinv(0.975, (double)df);
}

void sim_summarise(const double *x, size_t n, sim_summary *out)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t m = 0;
    sim_tally t;
    sim_tally_init(&t);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        sim_tally_add(&t, x[i]);
        if (v)
            v[m++] = x[i];
    }
    out->n = (size_t)t.n;
    out->mean = sim_tally_mean(&t);
    out->sd = sim_tally_sd(&t);
    out->min = t.n ? t.min : NAN;
    out->max = t.n ? t.max : NAN;
    out->half_width = t.n >= 2 ? sim_t95((size_t)t.n - 1) * out->sd / sqrt((double)t.n) : NAN;
    out->ci_low = out->mean - out->half_width;
    out->ci_high = out->mean + out->half_width;
    if (v && m == t.n && m > 0) {
        qsort(v, m, sizeof *v, cmp_double);
        out->q025 = quantile_sorted(v, m, 0.025);
        out->q25 = quantile_sorted(v, m, 0.25);
        out->median = quantile_sorted(v, m, 0.5);
        out->q75 = quantile_sorted(v, m, 0.75);
        out->q975 = quantile_sorted(v, m, 0.975);
    } else {
        /* Empty, or no memory for the sorted copy: the quantiles are unknown. */
        out->q025 = out->q25 = out->median = out->q75 = out->q975 = NAN;
    }
    free(v);
}

/*
 * MSER-5 (White 1997; White, Cobb and Spratt 2000). Batch the series into k = n / 5 means
 * Z_1..Z_k (a trailing partial batch is ignored). For each truncation d in 0..(k-1)/2 batches (so more than half the batches are kept),
 * MSER(d) = sum_{j > d} (Z_j - mean_d)^2 / (k - d)^2, where mean_d is the mean of the kept
 * batches; return 5 d for the d that minimises it (the first, on ties). Suffix sums make it
 * O(n).
 */
size_t sim_mser5(const double *x, size_t n)
{
    if (n < 10)
        return 0;
    size_t k = n / 5;
    double *z = malloc(k * sizeof *z);
    if (!z)
        return 0;
    for (size_t j = 0; j < k; j++) {
        double s = 0.0;
        for (size_t i = 0; i < 5; i++)
            s += x[5 * j + i];
        z[j] = s / 5.0;
    }
    /* Walk d downwards from the end, accumulating a tally of the kept batches z[d..k). */
    sim_tally t;
    sim_tally_init(&t);
    size_t d_max = (k - 1) / 2;
    for (size_t j = k; j-- > d_max + 1;)
        sim_tally_add(&t, z[j]);
    size_t best = 0;
    double best_val = INFINITY;
    for (size_t d = d_max + 1; d-- > 0;) {
        sim_tally_add(&t, z[d]);
        double kept = (double)(k - d);
        double val = t.m2 / (kept * kept);
        if (val <= best_val) {
            best_val = val;
            best = d;
        }
    }
    free(z);
    return 5 * best;
}
