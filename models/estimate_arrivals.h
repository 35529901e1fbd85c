/*
 * models/estimate_arrivals.h: the expected arrivals of a rate profile over a horizon, for
 * the models' estimate hooks (models/model.h), in bounded time.
 *
 * sim_rate_integral walks the horizon hour by hour; a century at a thousand trusts would
 * take seconds before a run is refused. Past two years the first year is integrated exactly
 * and the rest follows from compound growth: year k holds (1 + g)^k times the first, so the
 * horizon holds first x ((1 + g)^Y - 1) / g over Y (fractional) years. The month and
 * hour-of-week factors repeat every year, so only the fraction of a last year is rough.
 */
#ifndef CAPSIM_ESTIMATE_ARRIVALS_H
#define CAPSIM_ESTIMATE_ARRIVALS_H

#include <math.h>

#include "core/arrivals.h"
#include "core/calendar.h"

static inline double capsim_estimate_arrivals(const sim_rate_profile *p, const sim_calendar *cal,
                                              double horizon)
{
    const double year = 365.25;
    if (!(horizon > 2 * year))
        return sim_rate_integral(p, cal, 0, horizon);
    double first = sim_rate_integral(p, cal, 0, year);
    double years = horizon / year;
    double lg = p->log_growth * year; /* ln of a year's growth */
    double sum = fabs(lg) < 1e-12 ? years : expm1(lg * years) / expm1(lg);
    return first * sum;
}

#endif
