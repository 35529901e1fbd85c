/* sim/core/dated_months.c: factors for particular calendar months (dated_months.h). */
#include "dated_months.h"

#include <math.h>

#include "error.h"

void sim_dated_months_init(sim_dated_months *d)
{
    d->first = 0;
    d->n = 0;
    d->max_factor = 0;
}

int sim_dated_months_set(sim_dated_months *d, int year, int month, double factor)
{
    if (!(factor >= 0) || !isfinite(factor) || month < 1 || month > 12)
        return SIM_EINVAL;
    int idx = year * 12 + month - 1;
    if (d->n == 0) {
        d->first = idx;
        d->n = 1;
        d->factor[0] = factor;
        d->max_factor = factor;
        return SIM_OK;
    }
    int lo = idx < d->first ? idx : d->first;
    int hi = idx >= d->first + d->n ? idx + 1 : d->first + d->n;
    if (hi - lo > SIM_DATED_MONTHS_MAX)
        return SIM_EINVAL;
    if (lo < d->first) {
        /* Shift the covered months up to make room below. */
        int shift = d->first - lo;
        for (int i = d->n - 1; i >= 0; i--)
            d->factor[i + shift] = d->factor[i];
        for (int i = 0; i < shift; i++)
            d->factor[i] = NAN;
        d->first = lo;
        d->n += shift;
    }
    for (int i = d->n; i < hi - d->first; i++)
        d->factor[i] = NAN;
    d->n = hi - d->first;
    d->factor[idx - d->first] = factor;
    if (factor > d->max_factor)
        d->max_factor = factor;
    return SIM_OK;
}
