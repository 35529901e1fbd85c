/* models/ucch/ucch_staffing.c: hours of operation and WTE per role (see ucch_staffing.h). */
#include "ucch_staffing.h"

#include <stdio.h>

double ucch_hours_per_week(const int open[168])
{
    double hours = 0;
    for (int h = 0; h < 168; h++)
        hours += open[h] > 0;
    return hours;
}

double ucch_hours_change(double hours, double baseline_hours)
{
    return hours / baseline_hours - 1.0;
}

double ucch_wte_per_role(double hours, double uplift)
{
    return hours / UCCH_WTE_HOURS * (1.0 + uplift);
}

void ucch_staffing_format(char *buf, size_t size, double hours, double baseline_hours,
                          double uplift)
{
    snprintf(buf, size, "%g hours a week: %+.0f%% on %g, %.2f WTE per role with a %.1f%% uplift",
             hours, 100.0 * ucch_hours_change(hours, baseline_hours), baseline_hours,
             ucch_wte_per_role(hours, uplift), 100.0 * uplift);
}
