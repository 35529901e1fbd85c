/*
 * app/sensitivity.h: what drives a metric, over a scenario's uncertain inputs.
 *
 * One-way: each uncertain input at its low and at its high value (app/uncertain.h), every
 * other input at its central value, `replications` replications each with common random
 * numbers (replication r uses the same simulation streams at every point), so the swing
 * high - low is the input's effect and not noise.
 *
 * Global: `samples` points of a Sobol sequence (GSL's gsl_qrng_sobol) over the inputs'
 * quantiles, mapped through each input's distribution; at each point the mean over
 * `replications` replications. A linear regression of the metric on the inputs, both
 * standardised, gives the standardised regression coefficients (SRC; Saltelli et al.,
 * Global Sensitivity Analysis: The Primer, 2008, ch. 1): SRC_i^2 is the share of the
 * metric's variance input i explains when the model is near linear, which R^2 says.
 */
#ifndef CAPSIM_SENSITIVITY_H
#define CAPSIM_SENSITIVITY_H

#include <stddef.h>

#include "scenario.h"

struct sim_error;

typedef struct capsim_oneway {
    size_t input;             /* index in l->uncertain */
    double at_low, at_high;   /* mean of the metric with the input at its low/high value */
} capsim_oneway;

typedef struct capsim_sensitivity {
    double central;           /* mean of the metric with every input central */
    capsim_oneway *oneway;    /* [n], sorted by |at_high - at_low|, largest first */
    double *src;              /* [n] standardised regression coefficients, by input index */
    double r2;                /* of the global regression; NaN without a global analysis */
    size_t n, samples, replications;
} capsim_sensitivity;

/*
 * Run both analyses of metric `metric` ("model/name", its cell `cell`, at the last snapshot
 * for a series) with base seed `seed`. samples = 0 skips the global analysis (it needs at
 * least n + 2 points).
 */
int capsim_sensitivity_run(const capsim_loaded *l, const char *metric, size_t cell,
                           size_t replications, size_t samples, uint64_t seed,
                           capsim_sensitivity *out, struct sim_error *err);
void capsim_sensitivity_free(capsim_sensitivity *s);

#endif
