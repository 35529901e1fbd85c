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

/* Days since 1970-01-01 (negative before), and back. */
int64_t sim_date_to_days(sim_date date);
sim_date sim_date_from_days(int64_t days);

/* Weekday of day `days` since 1970-01-01 (0 = Monday ... 6 = Sunday). */
int sim_days_weekday(int64_t days);

/* 0 = Monday ... 6 = Sunday. */
int sim_date_weekday(sim_date date);

/* True if `date` is valid (month 1-12, day within the month, leap years). */
bool sim_date_valid(sim_date date);

/* Number of days in a month. */
int sim_days_in_month(int year, int month);

#endif
