/* sim/core/date.h: civil dates (proleptic Gregorian), their text form and day counts. */
#ifndef SIM_DATE_H
#define SIM_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_date {
    int year;  /* e.g. 2023 */
    int month; /* 1-12 */
    int day;   /* 1-31 */
} sim_date;

/* Parse "YYYY-MM-DD" strictly (a real date, nothing after it). SIM_OK or SIM_EINVAL. */
int sim_date_parse(const char *text, sim_date *out);

/* Write "YYYY-MM-DD" into buf (at least 11 bytes). */
void sim_date_format(sim_date date, char buf[11]);

/*
 * Days since 1970-01-01 (negative before), and back: the "era" arithmetic on the proleptic
 * Gregorian calendar (shift the year to start on 1 March so the leap day is last, count
 * 400-year eras of 146097 days, then years, then days by the month lengths from March).
 * Inline: the calendar converts on hot paths.
 */
static inline int64_t sim__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static inline int64_t sim_date_to_days(sim_date date)
{
    int64_t y = date.year;
    int64_t m = date.month;
    int64_t d = date.day;
    if (m <= 2)
        y -= 1;
    int64_t era = sim__floor_div(y, 400);
    int64_t yoe = y - era * 400;                       /* [0, 399] */
    int64_t mp = (m + 9) % 12;                         /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    /* 719468 is the number of days from 0000-03-01 to 1970-01-01. */
    return era * 146097 + doe - 719468;
}

static inline sim_date sim_date_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = sim__floor_div(z, 146097);
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


/* Weekday of day `days` since 1970-01-01 (0 = Monday ... 6 = Sunday). */
int sim_days_weekday(int64_t days);

/* 0 = Monday ... 6 = Sunday. */
int sim_date_weekday(sim_date date);

/* True if `date` is valid (month 1-12, day within the month, leap years). */
bool sim_date_valid(sim_date date);

/* Number of days in a month. */
int sim_days_in_month(int year, int month);

#endif
