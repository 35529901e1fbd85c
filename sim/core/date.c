/*
 * sim/core/date.c: civil dates: weekdays, validity, text. The day-count conversions are
 * inline in date.h.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

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
