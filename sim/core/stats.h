/*
 * sim/core/stats.h: statistics collected in a run and summaries across replications.
 *
 * sim_tally: count, mean, variance (Welford), min, max of observations.
 * sim_timeavg: the time-weighted mean of a level (queue length, beds occupied).
 * sim_summary: mean, sd, Student-t 95% confidence interval and quantiles of one outcome
 * across replications; sim_paired: the same for paired differences (common random numbers).
 * All plain structs.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_tally {
    uint64_t n;
    double mean, m2, min, max;
} sim_tally;

void sim_tally_init(sim_tally *t);
void sim_tally_add(sim_tally *t, double x);
double sim_tally_mean(const sim_tally *t);      /* NAN if empty */
double sim_tally_variance(const sim_tally *t);  /* sample variance (n - 1); NAN if n < 2 */
double sim_tally_sd(const sim_tally *t);
/* Merge b into a (Chan et al. parallel update). */
void sim_tally_merge(sim_tally *a, const sim_tally *b);

typedef struct sim_timeavg {
    double t0, last_t, level, area;
} sim_timeavg;

void sim_timeavg_init(sim_timeavg *a, double t0, double level);
void sim_timeavg_set(sim_timeavg *a, double t, double level);
void sim_timeavg_add(sim_timeavg *a, double t, double delta);
/* Mean of the level over [t0, t]. */
double sim_timeavg_mean(const sim_timeavg *a, double t);
/* Restart the average at time t (after a warm-up), keeping the level. */
void sim_timeavg_restart(sim_timeavg *a, double t);

/*
 * The p-quantile (0 <= p <= 1) of x[0..n) by linear interpolation between order
 * statistics (Hyndman and Fan type 7, as R and numpy by default). Sorts x in place.
 * NAN if n == 0.
 */
double sim_quantile_inplace(double *x, size_t n, double p);

typedef struct sim_summary {
    size_t n;
    double mean, sd;
    double ci_low, ci_high;      /* 95% Student t interval for the mean */
    double half_width;           /* (ci_high - ci_low) / 2 */
    double q025, q25, median, q75, q975;
    double min, max;
} sim_summary;

/* Summarise x[0..n) (NaN entries are skipped and not counted). */
void sim_summarise(const double *x, size_t n, sim_summary *out);

/* Two-sided 95% Student t quantile for `df` degrees of freedom (1.96 as df -> infinity). */
double sim_t95(size_t df);

/*
 * MSER-5 warm-up truncation (White 1997): batch the series in means of 5 and return the
 * number of leading observations to drop that minimises the marginal standard error,
 * searched over the first half. 0 for series shorter than 10.
 */
size_t sim_mser5(const double *x, size_t n);

#endif
