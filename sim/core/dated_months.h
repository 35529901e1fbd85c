/*
 * sim/core/dated_months.h: factors for particular calendar months (December 2022, ...).
 *
 * A rate or a capacity often has a factor per calendar month that repeats every year
 * (`month: {dec: 0.85}`); planners also have factors for one month only: a strike, a bad
 * winter, a new centre opening. A sim_dated_months holds those: a factor for each month it
 * names, NAN for the months it does not, in which the repeating factor applies. Given in a
 * scenario as `by_month: {2022-12: 0.6, 2023-01: 0.9}` or as a CSV file with the header
 * `month,factor` (`by_month: strikes.csv`, relative to the scenario file). Dated factors are
 * not rescaled: a month's rate is the base rate times its factor.
 */
#ifndef SIM_DATED_MONTHS_H
#define SIM_DATED_MONTHS_H

#include <stdbool.h>

/* Twenty years of months: a scenario's whole horizon fits. */
#define SIM_DATED_MONTHS_MAX 240

struct sim_node;
struct sim_error;

typedef struct sim_dated_months {
    int first;                  /* year * 12 + month - 1 of factor[0] */
    int n;                      /* months from first that are covered (0: none) */
    double max_factor;          /* the largest factor given (0 if none) */
    double factor[SIM_DATED_MONTHS_MAX]; /* NAN where not given */
} sim_dated_months;

/* No dated factors. */
void sim_dated_months_init(sim_dated_months *d);

/* Set the factor of `year`-`month` (1-12). SIM_EINVAL if the span would exceed
 * SIM_DATED_MONTHS_MAX months or the factor is negative or not finite. */
int sim_dated_months_set(sim_dated_months *d, int year, int month, double factor);

/* The factor of `year`-`month` if given, else `fallback`. */
static inline double sim_dated_month_factor(const sim_dated_months *d, int year, int month,
                                            double fallback)
{
    int i = year * 12 + month - 1 - d->first;
    if (i < 0 || i >= d->n)
        return fallback;
    double f = d->factor[i];
    return f == f ? f : fallback;
}

static inline bool sim_dated_months_any(const sim_dated_months *d)
{
    return d->n > 0;
}

/*
 * Read `key` of `map` (sim/scenario): a map {YYYY-MM: factor, ...} or the path of a CSV file
 * (header `month,factor`, one month a line), relative to the scenario file that names it.
 * Errors name the file, line, column and key (of the CSV for its contents); a month given
 * twice, a month that does not exist and a span of more than SIM_DATED_MONTHS_MAX months are
 * errors. Leaves *d empty if the key is absent.
 */
int sim_dated_months_from_node(const struct sim_node *map, const char *key, sim_dated_months *d,
                               struct sim_error *err);

#endif
