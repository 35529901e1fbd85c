/*
 * sim/core/exp_sampler.c: the ziggurat's tables and its slow path (exp_sampler.h).
 *
 * The tables are built before main by a constructor, so they are ready before any thread
 * draws and the inline fast path needs no check; building them costs about 512 calls of
 * exp and log, once per process.
 */
#include "exp_sampler.h"

#include <math.h>

sim__exp_tables sim__exp_ziggurat;

double sim__exp_tables_build(double r)
{
    sim__exp_tables *t = &sim__exp_ziggurat;
    double v = (r + 1) * exp(-r);
    t->r = r;
    t->v = v;
    t->x[0] = v / exp(-r);
    t->x[1] = r;
    for (int i = 1; i < 255; i++) {
        /* Rounding (or a wrong r) can push the argument to 1 or beyond: the top is 0. */
        double y = exp(-t->x[i]) + v / t->x[i];
        t->x[i + 1] = y < 1 ? -log(y) : 0;
    }
    t->x[256] = 0;
    for (int i = 0; i <= 256; i++)
        t->f[i] = exp(-t->x[i]);
    for (int i = 0; i < 256; i++) {
        double ratio = t->x[i] > 0 ? t->x[i + 1] / t->x[i] : 0;
        t->layer[i].accept = (uint64_t)(ratio * 0x1.0p53);
        t->layer[i].scale = t->x[i] * 0x1.0p-53;
    }
    return t->x[255] > 0 ? exp(-t->x[255]) + v / t->x[255] - 1 : INFINITY;
}

__attribute__((constructor)) static void build_tables(void)
{
    sim__exp_tables_build(SIM_EXP_ZIGGURAT_R);
}

double sim__exp_draw_slow(gsl_rng *r, uint64_t bits)
{
    const sim__exp_tables *t = &sim__exp_ziggurat;
    double base = 0;
    for (;;) {
        unsigned i = (unsigned)(bits & 0xff);
        uint64_t u = bits >> 11;
        double x = (double)(int64_t)u * t->layer[i].scale;
        if (u < t->layer[i].accept)
            return base + x;
        if (i == 0) {
            /* The tail beyond r: r plus a fresh exponential (memoryless), drawn again. */
            base += t->r;
        } else {
            /* The wedge: a height uniform in [f(x_i), f(x_{i+1})], kept under the curve. */
            double h = (double)(int64_t)(sim_rng_next64(r) >> 11) * 0x1.0p-53;
            if (t->f[i] + h * (t->f[i + 1] - t->f[i]) < exp(-x))
                return base + x;
        }
        bits = sim_rng_next64(r);
    }
}
