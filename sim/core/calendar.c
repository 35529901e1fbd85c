/*
 * sim/core/calendar.c: civil dates, weekdays and the calendar of a simulation.
 *
 * Dates are converted to a day count by the usual "era" arithmetic on the proleptic
 * Gregorian calendar: shift the year to start on 1 March so that the leap day is the last
 * day of the year, count 400-year eras of 146097 days, then years of 365 days plus their
 * leap days, then days by the month lengths from March (153 days per five months). The
 * inverse undoes the same steps. Both are exact for any int year.
 *
 * The bank holidays themselves are in sim/core/bank_holidays.c.
 */
#include "calendar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t sim_date_to_days(sim_date date)
{
    int64_t y = date.year;
    int64_t m = date.month;
    int64_t d = date.day;
    if (m <= 2)
        y -= 1;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                       /* [0, 399] */
    int64_t mp = (m + 9) % 12;                         /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    /* 719468 is the number of days from 0000-03-01 to 1970-01-01. */
    return era * 146097 + doe - 719468;
}

sim_date sim_date_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    sim_date out;
    out.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out.year = (int)(yoe + era * 400 + (out.month <= 2 ? 1 : 0));
    return out;
}

static int weekday_of_days(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int sim_date_weekday(sim_date date)
{
    return weekday_of_days(sim_date_to_days(date));
}

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int sim_days_in_month(int year, int month)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && is_leap(year))
        return 29;
    return len[month - 1];
}

bool sim_date_valid(sim_date date)
{
    return date.month >= 1 && date.month <= 12 && date.day >= 1 &&
           date.day <= sim_days_in_month(date.year, date.month);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int sim_date_parse(const char *text, sim_date *out)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return SIM_EINVAL;
    sim_date d = {digits(text, 4), digits(text + 5, 2), digits(text + 8, 2)};
    if (d.year < 0 || d.month < 0 || d.day < 0 || !sim_date_valid(d))
        return SIM_EINVAL;
    *out = d;
    return SIM_OK;
}

void sim_date_format(sim_date date, char buf[11])
{
    /* Years outside 0-9999 cannot be written in this form; clamp rather than overflow. */
    int y = date.year < 0 ? 0 : (date.year > 9999 ? 9999 : date.year);
    int m = date.month < 0 ? 0 : date.month % 100;
    int d = date.day < 0 ? 0 : date.day % 100;
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
}

/* The first and last years of the built-in holiday table. */
enum { FIRST_HOLIDAY_YEAR = 1995, LAST_HOLIDAY_YEAR = 2099 };

int sim_calendar_init(sim_calendar *cal, sim_date start)
{
    memset(cal, 0, sizeof *cal);
    if (!sim_date_valid(start))
        return SIM_EINVAL;
    cal->start_day = sim_date_to_days(start);
    cal->start_weekday = weekday_of_days(cal->start_day);

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
    return weekday_of_days(cal->start_day + day_index(t));
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
