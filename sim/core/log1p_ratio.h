/*
 * sim/core/log1p_ratio.h: log1p(z) / z, fast where z is small.
 *
 * The arrival sampler inverts a growing rate's integral at every arrival:
 * a + log1p(g q) / g, with g the growth's log rate per day (about 3e-5 for 1% a year) and
 * q a gap in days, so that z = g q is almost always below 1e-4. glibc's log1p takes a
 * division and some 50 instructions; near 0 the Taylor series
 *
 *     log1p(z) / z = 1 - z/2 + z^2/3 - z^3/4 + z^4/5 - z^5/6 + ...
 *
 * cut after z^5 is exact to double precision for |z| < 2^-10 (the first term left out,
 * z^6 / 7, is below 2^-62 of the sum) and costs five multiply-adds. Written a + q x ratio,
 * the inversion also has no division by g. tests/test_arrivals.c checks the function
 * against long double log1pl within 2 ulp on both sides of the cut.
 */
#ifndef SIM_LOG1P_RATIO_H
#define SIM_LOG1P_RATIO_H

#include <math.h>

#define SIM_LOG1P_RATIO_SERIES 0x1p-10 /* the series below this |z|, log1p above */

/* log1p(z) / z for z > -1 (1 at z = 0). */
static inline double sim_log1p_ratio(double z)
{
    if (fabs(z) < SIM_LOG1P_RATIO_SERIES)
        return 1.0 +
               z * (-1.0 / 2 + z * (1.0 / 3 + z * (-1.0 / 4 + z * (1.0 / 5 + z * (-1.0 / 6)))));
    return log1p(z) / z;
}

#endif
