/*
 * sim/core/calendar.c: the calendar of a simulation: times to dates, weekdays and hours,
 * and the holiday table. Civil dates are in sim/core/date.c, the bank holiday rules in
 * sim/core/bank_holidays.c; neither depends on this file.
 */
#include "calendar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"


/* The first and last years of the built-in holiday table. */
enum { FIRST_HOLIDAY_YEAR = 1995, LAST_HOLIDAY_YEAR = 2099 };

int sim_calendar_init(sim_calendar *cal, sim_date start)
{
    memset(cal, 0, sizeof *cal);
    if (!sim_date_valid(start))
        return SIM_EINVAL;
    cal->start_day = sim_date_to_days(start);
    cal->start_weekday = sim_days_weekday(cal->start_day);

    /* No year has more than 16 bank holidays; count first, then fill. */
    size_t total = 0;
    sim_date tmp[16];
    for (int y = FIRST_HOLIDAY_YEAR; y <= LAST_HOLIDAY_YEAR; y++)
        total += sim_bank_holidays_england_wales(y, tmp, 16);
    cal->holidays = malloc(total * sizeof *cal->holidays);
    if (!cal->holidays)
        return SIM_ENOMEM;
    size_t n = 0;
    for (int y = FIRST_HOLIDAY_YEAR; y <= LAST_HOLIDAY_YEAR; y++) {
        size_t k = sim_bank_holidays_england_wales(y, tmp, 16);
        for (size_t i = 0; i < k; i++)
            cal->holidays[n++] = sim_date_to_days(tmp[i]);
    }
    cal->n_holidays = n;
    return SIM_OK;
}

void sim_calendar_fini(sim_calendar *cal)
{
    free(cal->holidays);
    cal->holidays = NULL;
    cal->n_holidays = 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sort and drop duplicates in place; returns the new length. */
static size_t sort_unique(int64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_i64);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

/* Build a table of `keep` existing entries followed by `dates`, sorted and unique. */
static int rebuild(sim_calendar *cal, size_t keep, const sim_date *dates, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sim_date_valid(dates[i]))
            return SIM_EINVAL;
    size_t total = keep + n;
    int64_t *v = malloc((total ? total : 1) * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    if (keep)
        memcpy(v, cal->holidays, keep * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[keep + i] = sim_date_to_days(dates[i]);
    free(cal->holidays);
    cal->holidays = v;
    cal->n_holidays = sort_unique(v, total);
    return SIM_OK;
}

int sim_calendar_set_holidays(sim_calendar *cal, const sim_date *dates, size_t n)
{
    return rebuild(cal, 0, dates, n);
}

int sim_calendar_add_holidays(sim_calendar *cal, const sim_date *dates, size_t n)
{
    return rebuild(cal, cal->n_holidays, dates, n);
}

/* Day index (since the start) of time t. */
static int64_t day_index(double t)
{
    return (int64_t)floor(t);
}

sim_date sim_calendar_date(const sim_calendar *cal, double t)
{
    return sim_date_from_days(cal->start_day + day_index(t));
}

int sim_calendar_weekday(const sim_calendar *cal, double t)
{
    return sim_days_weekday(cal->start_day + day_index(t));
}

double sim_calendar_hour(const sim_calendar *cal, double t)
{
    (void)cal;
    double h = (t - floor(t)) * 24.0;
    /* Rounding can give exactly 24 for t just below a midnight. */
    return h < 24.0 ? h : nextafter(24.0, 0.0);
}

int sim_calendar_hour_of_week(const sim_calendar *cal, double t)
{
    int h = (int)sim_calendar_hour(cal, t);
    return sim_calendar_weekday(cal, t) * 24 + h;
}

int sim_calendar_month(const sim_calendar *cal, double t)
{
    return sim_calendar_date(cal, t).month;
}

bool sim_calendar_epoch_day_is_holiday(const sim_calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n_holidays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cal->n_holidays && cal->holidays[lo] == day;
}

bool sim_calendar_is_holiday(const sim_calendar *cal, double t)
{
    return sim_calendar_epoch_day_is_holiday(cal, cal->start_day + day_index(t));
}

bool sim_calendar_date_is_holiday(const sim_calendar *cal, sim_date date)
{
    return sim_calendar_epoch_day_is_holiday(cal, sim_date_to_days(date));
}

double sim_calendar_time_of(const sim_calendar *cal, sim_date date)
{
    return (double)(sim_date_to_days(date) - cal->start_day);
}

size_t sim_calendar_month_ends(const sim_calendar *cal, double horizon, double *out, size_t max)
{
    size_t n = 0;
    if (!(horizon >= 0))
        return 0;
    if (n < max)
        out[n] = 0.0;
    n++;
    sim_date d = sim_calendar_date(cal, 0.0);
    for (;;) {
        d.day = 1;
        if (++d.month > 12) {
            d.month = 1;
            d.year++;
        }
        double t = sim_calendar_time_of(cal, d);
        if (t > horizon)
            break;
        if (n < max)
            out[n] = t;
        n++;
    }
    return n;
}
