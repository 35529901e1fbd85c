/*
 * models/elective/el_backlog_shape.c: exponential densities inside backlog bands
 * (el_backlog_shape.h).
 *
 * A band [a, a + w) with mass m and an exponential density of rate s has, at its midpoint,
 * the density m s / (2 sinh(s w / 2)) (m / w when s = 0). The fit takes the log of that
 * midpoint density, h_i, and sets each band's rate to minus the slope of h through its
 * neighbours' midpoints (one-sided at the ends); h depends on the rates only weakly (through
 * ln(sinh(z) / z), about z^2 / 6), so a few sweeps settle it. For waits that are exponential
 * with rate r, every h_i lies on one line of slope -r, which is the fixed point.
 */
#include "el_backlog_shape.h"

#include <math.h>
#include <stdlib.h>

#define SWEEPS 100
#define MAX_RATE_WIDTH 40.0 /* |s w| at most: e^40 keeps the draws finite */

/* ln(sinh(z) / z), accurate near 0. */
static double log_sinhc(double z)
{
    z = fabs(z);
    if (z < 1e-4)
        return z * z / 6.0;
    /* sinh(z) / z = (1 - e^{-2z}) e^{z} / (2 z) */
    return z + log(-expm1(-2.0 * z) / (2.0 * z));
}

static double log_mid_density(double share, double width, double rate)
{
    return log(share) - log(width) - log_sinhc(rate * width / 2.0);
}

void el_backlog_shape_fit(size_t n, const double *lo, const double *hi, const double *share,
                          double *rate)
{
    size_t order[64], k = 0;
    for (size_t i = 0; i < n; i++) {
        rate[i] = 0.0;
        if (share[i] > 0 && hi[i] > lo[i] && k < sizeof order / sizeof order[0])
            order[k++] = i;
    }
    if (k < 2)
        return;
    /* Insertion sort of the bands with patients by their lower edge. */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && lo[order[j]] < lo[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    double h[64], mid[64];
    for (size_t i = 0; i < k; i++)
        mid[i] = (lo[order[i]] + hi[order[i]]) / 2.0;
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
        for (size_t i = 0; i < k; i++) {
            size_t b = order[i];
            h[i] = log_mid_density(share[b], hi[b] - lo[b], rate[b]);
        }
        double change = 0;
        for (size_t i = 0; i < k; i++) {
            size_t left = i > 0 ? i - 1 : i, right = i + 1 < k ? i + 1 : i;
            size_t b = order[i];
            double w = hi[b] - lo[b];
            double s = -(h[right] - h[left]) / (mid[right] - mid[left]);
            if (fabs(s * w) > MAX_RATE_WIDTH)
                s = copysign(MAX_RATE_WIDTH / w, s);
            change = fmax(change, fabs(s - rate[b]) * w);
            rate[b] = s;
        }
        if (change < 1e-13)
            break;
    }
}

double el_backlog_shape_draw(double lo, double hi, double rate, double u)
{
    double w = hi - lo;
    if (rate == 0.0)
        return lo + u * w;
    /* Inverse of the truncated exponential CDF (1 - e^{-s x}) / (1 - e^{-s w}). */
    double x = -log1p(u * expm1(-rate * w)) / rate;
    return lo + fmin(fmax(x, 0.0), w);
}
