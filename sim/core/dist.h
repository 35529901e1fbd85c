/*
 * sim/core/dist.h: probability distributions by the parameters planners know.
 *
 * A lognormal is given by its mean and standard deviation (sigma^2 = ln(1 + s^2/m^2),
 * mu = ln m - sigma^2/2), a gamma likewise, a triangular by min, mode and max, an empirical
 * table by values and weights. Sampling goes through GSL (gsl_ran_*) on any gsl_rng.
 *
 * sim_dist is embeddable (plain struct): set it with one of the sim_dist_<kind> functions
 * and release it with sim_dist_fini (only empirical tables own memory).
 *
 * In a scenario a distribution is written as a one-key map:
 *   {constant: 30}                      {exponential: {mean: 12}}
 *   {lognormal: {mean: 110, sd: 35}}    {gamma: {mean: 9, sd: 5}}
 *   {triangular: {min: 1, mode: 2, max: 5}}   {uniform: {min: 0, max: 1}}
 *   {empirical: {values: [1, 2, 3], weights: [0.2, 0.5, 0.3]}}
 *   {poisson: {mean: 4}}                {bernoulli: {p: 0.05}}
 * A bare number is read as a constant.
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stddef.h>

struct sim_node;
struct sim_error;

typedef enum sim_dist_kind {
    SIM_DIST_CONSTANT,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_GAMMA,
    SIM_DIST_TRIANGULAR,
    SIM_DIST_UNIFORM,
    SIM_DIST_EMPIRICAL,
    SIM_DIST_POISSON,
    SIM_DIST_BERNOULLI
} sim_dist_kind;

typedef struct sim_dist {
    sim_dist_kind kind;
    double a, b, c;             /* internal parameters: lognormal mu, sigma; gamma shape, scale; ... */
    double mean, sd;            /* the distribution's mean and standard deviation */
    size_t n;                   /* empirical: number of values */
    double *values;             /* empirical: the values (owned) */
    gsl_ran_discrete_t *table;  /* empirical: Walker alias table (owned) */
} sim_dist;

/*
 * Each sim_dist_<kind> initialises d (it does not release what d held before) and returns
 * SIM_OK, SIM_EINVAL for parameters out of range or not finite, or SIM_ENOMEM. On failure
 * d is the constant 0, so sim_dist_fini is still safe.
 */
int sim_dist_constant(sim_dist *d, double value);
int sim_dist_exponential(sim_dist *d, double mean);             /* mean > 0 */
int sim_dist_lognormal(sim_dist *d, double mean, double sd);    /* mean > 0, sd >= 0 */
int sim_dist_gamma(sim_dist *d, double mean, double sd);        /* mean > 0, sd > 0 */
int sim_dist_triangular(sim_dist *d, double min, double mode, double max); /* min <= mode <= max, min < max */
int sim_dist_uniform(sim_dist *d, double min, double max);      /* min < max */
/* n >= 1 values; weights >= 0 with a positive sum (normalised here); both are copied. */
int sim_dist_empirical(sim_dist *d, const double *values, const double *weights, size_t n);
int sim_dist_poisson(sim_dist *d, double mean);                 /* mean >= 0 */
int sim_dist_bernoulli(sim_dist *d, double p);                  /* samples 0 or 1 */

/* Release what an empirical table owns; safe on any initialised sim_dist. */
void sim_dist_fini(sim_dist *d);

/* Copy (deep for empirical tables). */
int sim_dist_copy(sim_dist *dst, const sim_dist *src);

/* One draw. */
double sim_dist_sample(const sim_dist *d, gsl_rng *r);

/*
 * Read a distribution from a scenario node (the forms above). `min_value` is the least a
 * draw may be (e.g. 0 for durations; -INFINITY for no limit): parameters that allow smaller
 * draws are rejected with an error at their own line, and kinds whose draws can go below it
 * (exponential, lognormal, gamma, Poisson and Bernoulli reach down to 0) are rejected at
 * the kind's key when min_value > 0. There is deliberately no normal distribution: the
 * quantities modelled (durations, counts) cannot be negative; use lognormal or gamma.
 * Unknown parameter keys are errors. Returns SIM_OK or SIM_EINPUT with err filled (d is
 * then the constant 0).
 */
int sim_dist_from_node(const struct sim_node *node, double min_value, sim_dist *d,
                       struct sim_error *err);

#endif
