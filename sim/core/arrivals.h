/*
 * sim/core/arrivals.h: time-varying Poisson arrivals.
 *
 * The rate at time t (days) is
 *
 *     rate(t) = rate_per_day x hour_of_week[h(t)] x month[m(t)] x (1 + growth_per_year)^(t / 365.25)
 *
 * where the hour-of-week and monthly factors are relative (normalised to mean 1, the months'
 * weighted by their length in days, so the base rate is the long-run mean and a year's
 * expected count is rate_per_day x 365.25) and the growth trend compounds continuously. Arrival
 * times are sampled exactly by inverting the cumulative rate, piece by piece (runs of equal
 * hour factors cut at month starts, with growth in closed form inside each): one
 * exponential draw per arrival, no rejected candidates and no fixed time step; at a
 * constant rate that is the current time plus an exponential gap. Hours are clock hours
 * from the start (t x 24), and the
 * rate does not change on bank holidays (a model that closes on holidays does so itself).
 *
 * sim_rate_profile is a plain public struct; fill it with sim_rate_profile_init and set
 * the factors, then call sim_rate_profile_finish before sampling.
 */
#ifndef SIM_ARRIVALS_H
#define SIM_ARRIVALS_H

#include <stdbool.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "calendar.h"
#include "dated_months.h"
#include "exp_sampler.h"

struct sim_node;
struct sim_error;

typedef struct sim_rate_profile {
    /* The fields every draw reads come first, in one cache line with the start of month[]
     * (a national scenario samples over a thousand profiles in turn). */
    double rate_per_day;        /* mean rate at t = 0, before profiles */
    double growth_per_year;     /* compound fraction a year, e.g. 0.01122 */
    double max_hour_factor;     /* set by sim_rate_profile_finish */
    double max_month_factor;    /* set by sim_rate_profile_finish */
    double log_growth;          /* ln(1 + growth_per_year) / 365.25, set by _finish */
    /* Set by init and finish: the mean gap when the rate is constant (0 if it is not), and
     * the rate_per_day it was computed for (the sampler ignores it if that has changed). */
    double flat_mean, flat_rate;
    double month[12];           /* relative factors; January = 0 */
    int flat_months;            /* every month factor is the same (1) */
    /* Set by sim_rate_profile_finish, for the sampler's walk over constant pieces: */
    unsigned char hour_run[168]; /* hours from this hour of week until its factor changes
                                    (1-168; 168 when all are equal) */
    double hour_of_week[168];   /* relative factors; Monday 00:00 = 0 */
    /* Factors for particular months (`by_month`), replacing the repeating month factor in
     * those months; not rescaled (a factor is relative to the base rate). */
    sim_dated_months dated;
} sim_rate_profile;

/* A flat profile of `rate_per_day` (all factors 1, no growth). */
void sim_rate_profile_init(sim_rate_profile *p, double rate_per_day);

/* Set the hour-of-week factors from seven weekday factors (Monday first). */
void sim_rate_profile_set_weekdays(sim_rate_profile *p, const double weekday[7]);

/*
 * Normalise the factors to mean 1 (hours of the week equally, months by their length in
 * days with February 28.25) and compute the bounds. SIM_EINVAL if a factor is
 * negative or not finite or all are zero.
 */
int sim_rate_profile_finish(sim_rate_profile *p);

/* The rate per day at time t. */
double sim_rate_at(const sim_rate_profile *p, const sim_calendar *cal, double t);

/* The expected number of arrivals in [t0, t1) (numerically, per hour). */
double sim_rate_integral(const sim_rate_profile *p, const sim_calendar *cal, double t0, double t1);

/* The first arrival after `t`; INFINITY if the rate is zero from t on. */
static inline double sim_next_arrival(const sim_rate_profile *p, const sim_calendar *cal,
                                      double t, gsl_rng *r);

/* sim_next_arrival (and, with `ziggurat`, sim_next_arrival_ziggurat) apart from a constant
 * rate (internal: the inline functions' slow path). */
double sim__next_arrival_varying(const sim_rate_profile *p, const sim_calendar *cal, double t,
                                 gsl_rng *r, bool ziggurat);

/*
 * Inline, so that a constant rate (a queue at a steady load) costs one exponential gap and
 * no call into arrivals.c per arrival.
 */
static inline double sim_next_arrival(const sim_rate_profile *p, const sim_calendar *cal,
                                      double t, gsl_rng *r)
{
    if (p->flat_mean > 0 && p->flat_rate == p->rate_per_day)
        return t + sim_rng_exponential(r, p->flat_mean);
    return sim__next_arrival_varying(p, cal, t, r, false);
}

/*
 * sim_next_arrival with the exponential it inverts drawn by the ziggurat (exp_sampler.h)
 * instead of GSL's -mean ln u: the same process, other draws, so only for models that chose
 * it (the queue model, the elective model's referrals); r must be of type sim_rng_philox.
 */
static inline double sim_next_arrival_ziggurat(const sim_rate_profile *p,
                                               const sim_calendar *cal, double t, gsl_rng *r)
{
    if (p->flat_mean > 0 && p->flat_rate == p->rate_per_day)
        return t + sim_exp_sample(r, p->flat_mean);
    return sim__next_arrival_varying(p, cal, t, r, true);
}

/*
 * Read a profile from a scenario map with keys (all optional but the rate):
 *   per_week | per_day | per_year: the base rate (exactly one)
 *   weekday: {mon: 1.2, tue: 1.1, ...}   or  hour_of_week: [168 numbers]
 *   hour_of_day: [24 numbers]  (multiplies the weekday factors; not with hour_of_week)
 *   month: {jan: 1.1, ...}  or  [12 numbers]
 *   by_month: {2022-12: 0.6, ...}  or  FILE.csv   (particular months; dated_months.h)
 *   growth_per_year: 1.122%   (or 0.01122)
 * Weekdays or months left out of a map have factor 1. The profile is finished
 * (sim_rate_profile_finish) on success. Other keys of `map` are left alone (unread) for
 * the caller, which owns the map; keys inside weekday and month maps are checked.
 */
int sim_rate_profile_from_node(const struct sim_node *map, sim_rate_profile *p,
                               struct sim_error *err);

/*
 * The same with the rate keys named `rate_key_prefix` + per_week etc. (e.g. "referrals_"
 * reads referrals_per_week, referrals_per_day or referrals_per_year).
 */
int sim_rate_profile_from_node_prefixed(const struct sim_node *map, const char *rate_key_prefix,
                                        sim_rate_profile *p, struct sim_error *err);

#endif
