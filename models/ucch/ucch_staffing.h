/*
 * models/ucch/ucch_staffing.h: the staffing arithmetic of a change of opening hours.
 *
 * A role covered for H hours a week needs H / 37.5 whole-time equivalents (a WTE works 37.5
 * hours a week), times (1 + uplift) for leave, training and sickness. The WSFT paper (July
 * 2023) puts phase 2 (08:00-20:00 seven days, 84 hours) at "+124%" and "2.73 WTE for every
 * role": 84 / 37.5 = 2.24 (+124%, so the baseline is one WTE's 37.5-hour week, the pilot's
 * 08:00-16:00 weekdays less a 30-minute unpaid break; 40 hours would give +110%) and
 * 2.24 x 1.219 = 2.73 (a 21.9% uplift).
 */
#ifndef CAPSIM_UCCH_STAFFING_H
#define CAPSIM_UCCH_STAFFING_H

#include <stddef.h>

#define UCCH_WTE_HOURS 37.5

/* Hours a week in which at least one hour-of-week entry of `open` (168 values) is > 0. */
double ucch_hours_per_week(const int open[168]);
/* Change of hours over the baseline, as a fraction (84 over 37.5: 1.24). */
double ucch_hours_change(double hours, double baseline_hours);
/* WTE per role to cover `hours` a week with the uplift (84 h, 21.9%: 2.73056). */
double ucch_wte_per_role(double hours, double uplift);
/* "84 hours a week: +124% on 37.5, 2.73 WTE per role with a 21.9% uplift" into buf. */
void ucch_staffing_format(char *buf, size_t size, double hours, double baseline_hours,
                          double uplift);

#endif
