/*
 * sim/core/exp_sampler.h: exponential draws by the ziggurat method.
 *
 * Marsaglia and Tsang, "The Ziggurat Method for Generating Random Variables", Journal of
 * Statistical Software 5(8), 2000, with 256 layers for f(x) = exp(-x). The area under f is
 * covered by 256 layers of equal area v: layer 0 is the rectangle [0, r] x [0, f(r)] plus
 * the tail beyond r, layer i (1..255) the rectangle [0, x_i] x [f(x_i), f(x_{i+1})], with
 *
 *     x_1 = r = 7.69711747013104972 (the paper's value for 256 layers), v = (r + 1) e^-r,
 *     x_0 = v / f(r) = r + 1,   x_{i+1} = -ln(f(x_i) + v / x_i),   x_256 = 0,
 *
 * built once at start-up from these formulas (exp_sampler.c). A draw takes 64 bits from
 * capsim's generator (sim_rng_next64): the low 8 bits pick layer i, the top 53 a uniform u
 * in [0, 1), and x = u x_i. If x < x_{i+1} the point lies under f whatever its height, and
 * x is the draw: that is 97.8% of the time, at the cost of a compare and a multiply. Else
 * (the slow path, out of line) layer 0 gives the tail, exactly, by the memoryless property
 * (X given X > r is r + an exponential, drawn again); another layer draws the point's
 * height in its wedge and keeps x if it lies under exp(-x), or starts again. The method is
 * exact: the draws follow the exponential distribution to the resolution of the 53-bit
 * uniform (tests/test_exp_sampler.c checks moments, the CDF, P(X > 10) and the tail beyond r).
 *
 * Draws are not those of gsl_ran_exponential (-mean ln u): a model that changes sampler
 * changes its results. The queue model's arrivals and the elective model's referrals use it
 * (sim_next_arrival_ziggurat, docs/performance.md); other draws keep GSL's. Only for
 * generators of type sim_rng_philox.
 */
#ifndef SIM_EXP_SAMPLER_H
#define SIM_EXP_SAMPLER_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "rng.h"

#define SIM_EXP_ZIGGURAT_R 7.69711747013104972

/* Internal: the tables (exp_sampler.c). */
typedef struct sim__exp_layer {
    uint64_t accept;  /* u 2^53 below this: x = u x_i < x_{i+1}, under the curve */
    double scale;     /* x_i 2^-53: x = (u 2^53) x scale */
} sim__exp_layer;

typedef struct sim__exp_tables {
    sim__exp_layer layer[256];
    double x[257];    /* x_0 .. x_256 */
    double f[257];    /* exp(-x_i) */
    double r, v;
} sim__exp_tables;

extern sim__exp_tables sim__exp_ziggurat;

/* The slow path of sim_exp_draw, given the rejected 64 bits (internal). */
double sim__exp_draw_slow(gsl_rng *r, uint64_t bits);

/* An exponential draw with mean 1. */
static inline double sim_exp_draw(gsl_rng *r)
{
    uint64_t bits = sim_rng_next64(r);
    const sim__exp_layer *l = &sim__exp_ziggurat.layer[bits & 0xff];
    uint64_t u = bits >> 11;
    /* u < 2^53: through int64_t it converts in one instruction, exactly. */
    if (u < l->accept)
        return (double)(int64_t)u * l->scale;
    return sim__exp_draw_slow(r, bits);
}

/* An exponential draw with mean `mean`: mean x sim_exp_draw. */
static inline double sim_exp_sample(gsl_rng *r, double mean)
{
    return mean * sim_exp_draw(r);
}

/*
 * Internal, for tests: rebuild the tables from `r` (SIM_EXP_ZIGGURAT_R is the right one;
 * any other builds a wrong ziggurat, which the distribution tests must catch). Returns
 * f(x_255) + v / x_255 - 1, the error in the top layer's area (about 0 for the right r).
 * Not thread-safe: only while no other thread draws.
 */
double sim__exp_tables_build(double r);

#endif
