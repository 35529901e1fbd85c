/*
 * sim/core/arrivals.c: time-varying Poisson arrivals by inversion of the cumulative rate.
 *
 * The rate is piecewise constant per clock hour apart from the growth trend, which is a
 * smooth exponential. Hours are counted from the start (hour k is [k/24, (k+1)/24) days)
 * and every hour-dependent quantity (hour of week, month) is derived from that one integer,
 * so sim_rate_at, sim_rate_integral and the sampler agree at the boundaries.
 *
 * Sampling: the next arrival after t is L^-1(L(t) + E), where L is the cumulative rate and
 * E an exponential with mean 1 (Cinlar 1975, "Introduction to Stochastic Processes",
 * section 4.7). The sampler walks the pieces from t (runs of equal hour-of-week factors, cut
 * at month starts), spending E on each piece's expected count until the rest fits in one.
 * Inside a piece the rate is c exp(g s) (g the growth's log rate per day), whose integral
 * and its inverse are closed forms, so growth needs no thinning: one exponential draw per
 * arrival whatever the profile. A constant rate is t plus an exponential gap, with no
 * calendar work at all; a constant with growth adds one exp and log1p(z) / z, by a short
 * series where z is small, as it is at any growth a plan would assume (log1p_ratio.h).
 * (Until December 2026 growth was sampled by thinning, Lewis and Shedler 1979, against a
 * bound per window of at most a week: the same process, other draws, and about five times
 * the instructions an arrival at national scale.)
 */
#include "arrivals.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

#include "error.h"
#include "exp_sampler.h"
#include "log1p_ratio.h"

#define DAYS_PER_YEAR 365.25

/*
 * The mean gap of a constant rate, computed as next_arrival_piecewise's constant case does
 * (the same expression, so the same bits), for the inline sampler in arrivals.h.
 */
static void set_flat_mean(sim_rate_profile *p)
{
    p->flat_mean = 0;
    p->flat_rate = p->rate_per_day;
    if (p->rate_per_day > 0 && p->log_growth == 0 && p->hour_run[0] == 168 && p->flat_months)
        p->flat_mean = 1.0 / (p->rate_per_day * p->month[0] * p->hour_of_week[0]);
}

void sim_rate_profile_init(sim_rate_profile *p, double rate_per_day)
{
    memset(p, 0, sizeof *p);
    p->rate_per_day = rate_per_day;
    for (int i = 0; i < 168; i++)
        p->hour_of_week[i] = 1.0;
    for (int i = 0; i < 12; i++)
        p->month[i] = 1.0;
    p->max_hour_factor = 1.0;
    p->max_month_factor = 1.0;
    memset(p->hour_run, 168, sizeof p->hour_run);
    p->flat_months = 1;
    set_flat_mean(p);
}

void sim_rate_profile_set_weekdays(sim_rate_profile *p, const double weekday[7])
{
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            p->hour_of_week[d * 24 + h] = weekday[d];
}

/* Scale v[0..n) to mean 1 and return the largest; negative if invalid. */
static double normalise(double *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]) || v[i] < 0)
            return -1;
        sum += v[i];
    }
    if (!(sum > 0))
        return -1;
    double max = 0;
    for (int i = 0; i < n; i++) {
        v[i] *= n / sum;
        if (v[i] > max)
            max = v[i];
    }
    return max;
}

/*
 * Scale the month factors so that their mean weighted by month length is 1, and return the
 * largest; negative if invalid. With sum(days_m x f_m) = 365.25 (February 28.25 days, its
 * mean over the leap cycle), a year's expected count is rate_per_day x 365.25 (per_year)
 * whatever the factors; a plain 12-month mean would let a short February weigh as much as
 * January (0.6% off for a winter peak). The same weighting as models/elective's.
 */
static double normalise_months(double *f)
{
    static const double days[12] = {31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double sum = 0;
    for (int m = 0; m < 12; m++) {
        if (!isfinite(f[m]) || f[m] < 0)
            return -1;
        sum += days[m] * f[m];
    }
    if (!(sum > 0))
        return -1;
    double max = 0;
    for (int m = 0; m < 12; m++) {
        f[m] *= DAYS_PER_YEAR / sum;
        if (f[m] > max)
            max = f[m];
    }
    return max;
}

int sim_rate_profile_finish(sim_rate_profile *p)
{
    if (!isfinite(p->rate_per_day) || p->rate_per_day < 0)
        return SIM_EINVAL;
    if (!isfinite(p->growth_per_year) || p->growth_per_year <= -1)
        return SIM_EINVAL;
    double mh = normalise(p->hour_of_week, 168);
    double mm = normalise_months(p->month);
    if (mh < 0 || mm < 0)
        return SIM_EINVAL;
    p->max_hour_factor = mh;
    p->max_month_factor = fmax(mm, p->dated.max_factor);
    p->log_growth = log1p(p->growth_per_year) / DAYS_PER_YEAR;
    /* Runs of equal hour factors, counted forward around the week (168 if all are equal):
     * backwards once round the week from an hour whose successor differs, where a run ends. */
    int edge = -1;
    for (int h = 0; h < 168 && edge < 0; h++)
        if (p->hour_of_week[(h + 1) % 168] != p->hour_of_week[h])
            edge = h;
    if (edge < 0) {
        memset(p->hour_run, 168, sizeof p->hour_run);
    } else {
        p->hour_run[edge] = 1;
        for (int k = 1; k < 168; k++) {
            int h = (edge - k + 168) % 168, next = (h + 1) % 168;
            p->hour_run[h] = p->hour_of_week[next] == p->hour_of_week[h]
                                 ? (unsigned char)(p->hour_run[next] + 1)
                                 : 1;
        }
    }
    p->flat_months = !sim_dated_months_any(&p->dated);
    for (int m = 1; m < 12; m++)
        if (p->month[m] != p->month[0])
            p->flat_months = 0;
    set_flat_mean(p);
    return SIM_OK;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* The clock hour (since the start) containing t. */
static int64_t hour_index(double t)
{
    return (int64_t)floor(t * 24.0);
}

/* The hour of week (0 = Monday 00:00) of clock hour k. */
static int hour_of_week(const sim_calendar *cal, int64_t k)
{
    int64_t how = (cal->start_weekday * 24 + k) % 168;
    return (int)(how < 0 ? how + 168 : how);
}

/* The hour-of-week and month factors of clock hour k, multiplied. */
static double hour_factor(const sim_rate_profile *p, const sim_calendar *cal, int64_t k)
{
    int how = hour_of_week(cal, k);
    sim_date d = sim_date_from_days(cal->start_day + floor_div(k, 24));
    return p->hour_of_week[how] *
           sim_dated_month_factor(&p->dated, d.year, d.month, p->month[d.month - 1]);
}

double sim_rate_at(const sim_rate_profile *p, const sim_calendar *cal, double t)
{
    return p->rate_per_day * hour_factor(p, cal, hour_index(t)) * exp(p->log_growth * t);
}

/* The integral of exp(lambda s) over [a, b]. */
static double growth_integral(double lambda, double a, double b)
{
    if (lambda == 0)
        return b - a;
    return exp(lambda * a) * expm1(lambda * (b - a)) / lambda;
}

double sim_rate_integral(const sim_rate_profile *p, const sim_calendar *cal, double t0, double t1)
{
    if (!(t1 > t0) || p->rate_per_day == 0)
        return 0;
    double sum = 0;
    int64_t k0 = hour_index(t0);
    int64_t k1 = hour_index(t1);
    for (int64_t k = k0; k <= k1; k++) {
        double a = (double)k / 24.0, b = (double)(k + 1) / 24.0;
        if (a < t0)
            a = t0;
        if (b > t1)
            b = t1;
        if (b <= a)
            continue;
        sum += hour_factor(p, cal, k) * growth_integral(p->log_growth, a, b);
    }
    return p->rate_per_day * sum;
}

/*
 * The month (1-12) of day `days` since 1970-01-01, in *first the day of its first and in
 * *next the day of the first of the following month: calendar.c's civil-from-days
 * arithmetic (years from 1 March), done once instead of converting to a date and back.
 */
static int month_of_day_uncached(int64_t days, int64_t *first, int64_t *next, int *year);

/*
 * The last month looked up, per thread: the lists of a national scenario draw their
 * referrals in turn at nearly the same time, so consecutive lookups are nearly always in
 * the same month, and this returns what the arithmetic would.
 */
static _Thread_local struct {
    int64_t first, next; /* [first, next): the month's days */
    int year, month;
} last_month = {1, 0, 0, 0}; /* empty */

static int month_of_day(int64_t days, int64_t *next, int *year)
{
    if (days < last_month.first || days >= last_month.next)
        last_month.month = month_of_day_uncached(days, &last_month.first, &last_month.next,
                                                 &last_month.year);
    *next = last_month.next;
    *year = last_month.year;
    return last_month.month;
}

static int month_of_day_uncached(int64_t days, int64_t *first_day, int64_t *next, int *year)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;           /* March = 0 ... February = 11 */
    int64_t first = (153 * mp + 2) / 5;         /* day of year of the month's first day */
    int64_t len;
    if (mp < 11) {
        len = (153 * (mp + 1) + 2) / 5 - first;
    } else {
        int64_t y = yoe + era * 400 + 1;        /* February's civil year */
        len = 28 + ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
    }
    *first_day = days - (doy - first);
    *next = *first_day + len;
    *year = (int)(yoe + era * 400 + (mp >= 10));
    return (int)(mp < 10 ? mp + 3 : mp - 9);
}

/* An exponential with mean `mean`: GSL's inversion, or the ziggurat (exp_sampler.h). */
static inline double gap(gsl_rng *r, double mean, bool ziggurat)
{
    return ziggurat ? sim_exp_sample(r, mean) : sim_rng_exponential(r, mean);
}

/*
 * Inversion of the cumulative rate, piece by piece: a piece is a run of equal hour factors
 * cut at month starts, where the rate is c x exp(g s), so the expected count from a to b is
 * c (b - a) without growth and c exp(g a) expm1(g (b - a)) / g with it, and the time at
 * which it reaches e is a + e / c or a + log1p(g e / (c exp(g a))) / g, computed as a + q x
 * log1p(g q) / (g q) with q = e / (c exp(g a)) (log1p_ratio.h). Hours are tracked
 * as an integer from t's hour on, so piece boundaries are exactly the hours that
 * hour_index assigns.
 */
static double next_arrival_piecewise(const sim_rate_profile *p, const sim_calendar *cal,
                                     double t, gsl_rng *r, bool ziggurat)
{
    double g = p->log_growth;
    /* Factors that are all equal are all 1 up to the rounding of normalise. */
    double month_rate = p->rate_per_day * p->month[0];
    if (p->hour_run[0] == 168 && p->flat_months) {
        double c = month_rate * p->hour_of_week[0];
        if (g == 0)
            return t + gap(r, 1.0 / c, ziggurat);
        /* A growing (or declining) constant: one exponential, one exp and the log1p ratio.
         * A decline has a finite total from t on, and an e beyond it has no arrival. */
        double q = gap(r, 1.0, ziggurat) / (c * exp(g * t)), z = g * q;
        return z > -1 ? t + q * sim_log1p_ratio(z) : INFINITY;
    }
    double e = gap(r, 1.0, ziggurat);
    double now = t;
    int64_t k = hour_index(t);
    int64_t month_end = INT64_MAX; /* first hour of the next month (if months differ) */
    /* A run of zero-rate months and hours is crossed piece by piece. */
    for (;;) {
        /* A decline: no arrival if e exceeds a bound on all that is left (the bound falls
         * as exp(g now), so the walk ends). */
        if (g < 0 && e > p->rate_per_day * p->max_hour_factor * p->max_month_factor *
                             exp(g * now) / -g)
            return INFINITY;
        if (!p->flat_months && month_end == INT64_MAX) {
            int64_t next_day;
            int year, m = month_of_day(cal->start_day + floor_div(k, 24), &next_day, &year);
            month_end = (next_day - cal->start_day) * 24;
            month_rate = p->rate_per_day *
                         sim_dated_month_factor(&p->dated, year, m, p->month[m - 1]);
        }
        int how = hour_of_week(cal, k);
        int64_t k_end = k + p->hour_run[how];
        if (k_end >= month_end)
            k_end = month_end;
        double end = (double)k_end / 24.0;
        double rate = month_rate * p->hour_of_week[how];
        if (rate > 0) {
            double grown = g == 0 ? 1.0 : exp(g * now);
            double expected = g == 0 ? rate * (end - now) : rate * grown * expm1(g * (end - now)) / g;
            if (e < expected) {
                double x = now + e / rate;
                if (g != 0) {
                    double q = e / (rate * grown);
                    x = now + q * sim_log1p_ratio(g * q);
                }
                /* Rounding must not carry the arrival into the next piece. */
                return x < end ? x : nextafter(end, 0.0);
            }
            e -= expected;
        }
        now = end;
        k = k_end;
        if (k == month_end)
            month_end = INT64_MAX;
    }
}

double sim__next_arrival_varying(const sim_rate_profile *p, const sim_calendar *cal, double t,
                                 gsl_rng *r, bool ziggurat)
{
    if (!(p->rate_per_day > 0))
        return INFINITY;
    return next_arrival_piecewise(p, cal, t, r, ziggurat);
}
