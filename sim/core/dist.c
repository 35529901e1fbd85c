/*
 * sim/core/dist.c: distributions by the parameters planners know.
 *
 * Each sim_dist_<kind> checks its parameters, converts them to the ones the sampler needs
 * (kept in a, b, c) and records the distribution's mean and standard deviation, which the
 * tests and the summaries use. On failure d is left as the constant 0, which sim_dist_fini
 * accepts, so a caller can always release what it initialised.
 */
#include "dist.h"

#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static void reset(sim_dist *d)
{
    memset(d, 0, sizeof *d);
    d->kind = SIM_DIST_CONSTANT;
}

int sim_dist_constant(sim_dist *d, double value)
{
    reset(d);
    if (!isfinite(value))
        return SIM_EINVAL;
    d->a = value;
    d->mean = value;
    d->sd = 0.0;
    return SIM_OK;
}

int sim_dist_exponential(sim_dist *d, double mean)
{
    reset(d);
    if (!(isfinite(mean) && mean > 0))
        return SIM_EINVAL;
    d->kind = SIM_DIST_EXPONENTIAL;
    d->a = mean;
    d->mean = mean;
    d->sd = mean;
    return SIM_OK;
}

int sim_dist_lognormal(sim_dist *d, double mean, double sd)
{
    reset(d);
    if (!(isfinite(mean) && isfinite(sd) && mean > 0 && sd >= 0))
        return SIM_EINVAL;
    double cv = sd / mean;
    double sigma2 = log1p(cv * cv);
    d->kind = SIM_DIST_LOGNORMAL;
    d->a = log(mean) - sigma2 / 2;
    d->b = sqrt(sigma2);
    d->mean = mean;
    d->sd = sd;
    return SIM_OK;
}

int sim_dist_gamma(sim_dist *d, double mean, double sd)
{
    reset(d);
    if (!(isfinite(mean) && isfinite(sd) && mean > 0 && sd > 0))
        return SIM_EINVAL;
    d->kind = SIM_DIST_GAMMA;
    d->a = (mean * mean) / (sd * sd); /* shape */
    d->b = (sd * sd) / mean;          /* scale */
    d->mean = mean;
    d->sd = sd;
    return SIM_OK;
}

int sim_dist_triangular(sim_dist *d, double min, double mode, double max)
{
    reset(d);
    if (!(isfinite(min) && isfinite(mode) && isfinite(max) && min <= mode && mode <= max &&
          min < max))
        return SIM_EINVAL;
    d->kind = SIM_DIST_TRIANGULAR;
    d->a = min;
    d->b = mode;
    d->c = max;
    d->mean = (min + mode + max) / 3;
    double var = (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18;
    d->sd = sqrt(var);
    return SIM_OK;
}

int sim_dist_uniform(sim_dist *d, double min, double max)
{
    reset(d);
    if (!(isfinite(min) && isfinite(max) && min < max))
        return SIM_EINVAL;
    d->kind = SIM_DIST_UNIFORM;
    d->a = min;
    d->b = max;
    d->mean = (min + max) / 2;
    d->sd = (max - min) / sqrt(12.0);
    return SIM_OK;
}

int sim_dist_empirical(sim_dist *d, const double *values, const double *weights, size_t n)
{
    reset(d);
    if (n == 0 || !values || !weights)
        return SIM_EINVAL;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]) || !isfinite(weights[i]) || weights[i] < 0)
            return SIM_EINVAL;
        total += weights[i];
    }
    if (!(total > 0) || !isfinite(total))
        return SIM_EINVAL;

    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += weights[i] / total * values[i];
    double var = 0;
    for (size_t i = 0; i < n; i++)
        var += weights[i] / total * (values[i] - mean) * (values[i] - mean);

    double *copy = malloc(n * sizeof *copy);
    if (!copy)
        return SIM_ENOMEM;
    memcpy(copy, values, n * sizeof *copy);
    /* gsl_ran_discrete_preproc normalises the weights itself. */
    gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(n, weights);
    if (!table) {
        free(copy);
        return SIM_ENOMEM;
    }
    d->kind = SIM_DIST_EMPIRICAL;
    d->n = n;
    d->values = copy;
    d->table = table;
    d->mean = mean;
    d->sd = sqrt(var);
    return SIM_OK;
}

int sim_dist_poisson(sim_dist *d, double mean)
{
    reset(d);
    if (!(isfinite(mean) && mean >= 0))
        return SIM_EINVAL;
    d->kind = SIM_DIST_POISSON;
    d->a = mean;
    d->mean = mean;
    d->sd = sqrt(mean);
    return SIM_OK;
}

int sim_dist_bernoulli(sim_dist *d, double p)
{
    reset(d);
    if (!(p >= 0 && p <= 1))
        return SIM_EINVAL;
    d->kind = SIM_DIST_BERNOULLI;
    d->a = p;
    d->mean = p;
    d->sd = sqrt(p * (1 - p));
    return SIM_OK;
}

void sim_dist_fini(sim_dist *d)
{
    if (d->kind == SIM_DIST_EMPIRICAL) {
        free(d->values);
        gsl_ran_discrete_free(d->table);
    }
    reset(d);
}

int sim_dist_copy(sim_dist *dst, const sim_dist *src)
{
    if (src->kind != SIM_DIST_EMPIRICAL) {
        *dst = *src;
        return SIM_OK;
    }
    /* Rebuild the alias table from the probabilities of the source's values. */
    double *w = malloc(src->n * sizeof *w);
    if (!w) {
        reset(dst);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < src->n; i++)
        w[i] = gsl_ran_discrete_pdf(i, src->table);
    int rc = sim_dist_empirical(dst, src->values, w, src->n);
    free(w);
    return rc;
}

/* Inverse of the triangular CDF at u in [0, 1). */
static double triangular_sample(const sim_dist *d, gsl_rng *r)
{
    double lo = d->a, mode = d->b, hi = d->c;
    double u = sim_rng_uniform(r);
    double split = (mode - lo) / (hi - lo);
    if (u < split)
        return lo + sqrt(u * (hi - lo) * (mode - lo));
    return hi - sqrt((1 - u) * (hi - lo) * (hi - mode));
}

double sim_dist_sample(const sim_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT: return d->a;
    case SIM_DIST_EXPONENTIAL: return sim_rng_exponential(r, d->a);
    case SIM_DIST_LOGNORMAL: return gsl_ran_lognormal(r, d->a, d->b);
    case SIM_DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
    case SIM_DIST_TRIANGULAR: return triangular_sample(d, r);
    case SIM_DIST_UNIFORM: return gsl_ran_flat(r, d->a, d->b);
    case SIM_DIST_EMPIRICAL: return d->values[gsl_ran_discrete(r, d->table)];
    case SIM_DIST_POISSON: return (double)gsl_ran_poisson(r, d->a);
    case SIM_DIST_BERNOULLI: return (double)gsl_ran_bernoulli(r, d->a);
    }
    return NAN;
}
