/*
 * sim/core/calendar.h: dates, weekdays, hours and bank holidays.
 *
 * Simulation time t is in days since the scenario's start date at 00:00 (local time; the
 * calendar ignores daylight saving, which planners do not model). The calendar maps t to a
 * civil date, weekday (0 = Monday ... 6 = Sunday), hour of day and hour of week
 * (0 = Monday 00:00-01:00 ... 167 = Sunday 23:00-24:00), and knows the bank holidays of
 * England and Wales: computed by the statutory rules (with Easter by the Gregorian computus,
 * substitute days for weekends) plus the one-off changes of 2020, 2022, 2023 for the years
 * 1995-2099. A scenario can replace or extend the list.
 *
 * sim_calendar is embeddable: sim_calendar_init / sim_calendar_fini.
 */
#ifndef SIM_CALENDAR_H
#define SIM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bank_holidays.h"
#include "date.h"


typedef struct sim_calendar {
    int64_t start_day;   /* sim_date_to_days(start date) */
    int start_weekday;   /* weekday of the start date */
    int64_t *holidays;   /* sorted, days since 1970-01-01 */
    size_t n_holidays;
} sim_calendar;

/* Initialise with the start date and the built-in England and Wales holidays. */
int sim_calendar_init(sim_calendar *cal, sim_date start);

/* Release the holiday table. */
void sim_calendar_fini(sim_calendar *cal);

/* Replace the holiday table with `dates` (any order; duplicates are dropped). */
int sim_calendar_set_holidays(sim_calendar *cal, const sim_date *dates, size_t n);

/* Add holidays to the table (e.g. a scenario's extra closures). */
int sim_calendar_add_holidays(sim_calendar *cal, const sim_date *dates, size_t n);

sim_date sim_calendar_date(const sim_calendar *cal, double t);
int sim_calendar_weekday(const sim_calendar *cal, double t);
double sim_calendar_hour(const sim_calendar *cal, double t);       /* [0, 24) */
int sim_calendar_hour_of_week(const sim_calendar *cal, double t);  /* 0-167 */
int sim_calendar_month(const sim_calendar *cal, double t);         /* 1-12 */
bool sim_calendar_is_holiday(const sim_calendar *cal, double t);
bool sim_calendar_date_is_holiday(const sim_calendar *cal, sim_date date);
/* Whether day `day` (days since 1970-01-01) is in the holiday table (binary search). */
bool sim_calendar_epoch_day_is_holiday(const sim_calendar *cal, int64_t day);

/* Time (days since start) of 00:00 on `date`. */
double sim_calendar_time_of(const sim_calendar *cal, sim_date date);

/*
 * The month-end snapshot times in [0, horizon]: 0 (the start) first, then the time of
 * 00:00 on the first day of each following month (the end of the month before) up to the
 * horizon. Writes up to `max` into out and returns how many there are. Label snapshot k > 0
 * with the last day of the month it closes, i.e. sim_calendar_date(cal, out[k] - 1).
 */
size_t sim_calendar_month_ends(const sim_calendar *cal, double horizon, double *out, size_t max);

#endif
