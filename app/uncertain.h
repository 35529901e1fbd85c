/*
 * app/uncertain.h: uncertain inputs, drawn once per input sample.
 *
 * Any numeric input of a model's section (or of the system section) may be written as
 *
 *   growth_per_year: {uncertain: {triangular: {min: 0.5%, mode: 1.1%, max: 2%}}}
 *
 * with any distribution of sim/core/dist.h except poisson and bernoulli; percentages inside
 * it are fractions, as elsewhere. A whole-number input (servers, places) takes an empirical
 * table of whole numbers. When a scenario is loaded, every such input is found, the models
 * are configured with its central value (the mode of a triangular, the median of an
 * empirical table, the mean of the others) and, to check both ends before anything runs, again with its low and high values
 * (min and max where the distribution is bounded, else its 5th and 95th percentiles).
 *
 * Replication r belongs to input sample s = r / runs_per_sample (`uncertainty:
 * {runs_per_sample: 2}` by default). Each input's value for sample s comes from its own
 * Philox stream, "inputs/PATH" counted by s, so replication r draws the same input values in
 * every scenario of a batch (comparisons stay paired), and the runs of one sample share
 * their inputs but not their simulation streams: the spread between samples is the inputs'
 * part of the variance and the spread within them the simulation noise.
 */
#ifndef CAPSIM_UNCERTAIN_H
#define CAPSIM_UNCERTAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/dist.h"
#include "scenario/yaml.h"

struct sim_error;

typedef struct capsim_uncertain {
    char *path;     /* key path, e.g. "specialties[0].lists.WSFT.referrals.growth_per_year" */
    char *metric;   /* its results name: the path in lower_snake_case */
    sim_dist dist;
    double low, central, high;
    const char *file; /* where it is written, for messages */
    int line, column;
} capsim_uncertain;

typedef struct capsim_uncertain_set {
    capsim_uncertain *inputs;
    size_t n;
} capsim_uncertain_set;

/*
 * Find every {uncertain: DIST} under root (outside the common keys), read its distribution
 * and replace it by its central value. SIM_OK or SIM_EINPUT at the distribution's line.
 */
int capsim_uncertain_scan(sim_node *root, capsim_uncertain_set *set, struct sim_error *err);
void capsim_uncertain_free(capsim_uncertain_set *set);

/* The value of input i for input sample `sample` (its own stream). */
double capsim_uncertain_draw(const capsim_uncertain *u, uint64_t seed, uint64_t sample);

/* The value of input u at quantile p (0 < p < 1) of its distribution. */
double capsim_uncertain_quantile(const capsim_uncertain *u, double p);

/* "PATH=VALUE" for an override (malloc'd). */
char *capsim_uncertain_override(const capsim_uncertain *u, double value);

#endif
