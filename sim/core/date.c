/*
 * sim/core/date.c: civil dates.
 *
 * Dates are converted to a day count by the usual "era" arithmetic on the proleptic
 * Gregorian calendar: shift the year to start on 1 March so that the leap day is the last
 * day of the year, count 400-year eras of 146097 days, then years of 365 days plus their
 * leap days, then days by the month lengths from March (153 days per five months). The
 * inverse undoes the same steps. Both are exact for any int year.
 */
#include "date.h"

#include <stdio.h>
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

int sim_days_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int sim_date_weekday(sim_date date)
{
    return sim_days_weekday(sim_date_to_days(date));
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
