/*
 * tests/test_exp_sampler.c: the ziggurat exponential sampler (sim/core/exp_sampler.h).
 *
 * The tables against the formulas they are built from (equal layer areas, the top layer
 * closing at x = 0), the draws against the exponential distribution (mean and variance
 * within 4 standard errors, a chi-square test over 1,000 equally likely bins of the CDF,
 * the tail P(X > 5), P(X > 10) against e^-5, e^-10 and the memoryless tail beyond r), the
 * same draws for the same stream, and a wrong table (another r) failing those checks. Fixed
 * seeds; bounds at about 4 standard errors, chi-square at its 0.1% point.
 */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/exp_sampler.h"
#include "core/rng.h"

enum { BINS = 1000 };

/* Moments, CDF and tail figures of n draws from stream `name`. */
typedef struct sample_stats {
    double n, mean, var, chi2;
    double over5, over10;        /* counts of X > 5, X > 10 */
    double beyond_r, excess_r;   /* count of X > r, and the mean of X - r among them */
} sample_stats;

static sample_stats draw_stats(const char *name, long n)
{
    static double count[BINS];
    memset(count, 0, sizeof count);
    gsl_rng *r = sim_rng_alloc(20261202, 0, name);
    assert_non_null(r);
    sample_stats s = {.n = (double)n};
    double m = 0, m2 = 0, excess = 0, rr = sim__exp_ziggurat.r;
    for (long k = 0; k < n; k++) {
        double x = sim_exp_draw(r);
        assert_true(x >= 0 && isfinite(x));
        double d = x - m;
        m += d / (double)(k + 1);
        m2 += d * (x - m);
        int b = (int)(-expm1(-x) * BINS);
        count[b < BINS ? b : BINS - 1]++;
        s.over5 += x > 5;
        s.over10 += x > 10;
        if (x > rr) {
            s.beyond_r++;
            excess += x - rr;
        }
    }
    s.mean = m;
    s.var = m2 / (double)(n - 1);
    double e = (double)n / BINS;
    for (int b = 0; b < BINS; b++)
        s.chi2 += (count[b] - e) * (count[b] - e) / e;
    s.excess_r = s.beyond_r > 0 ? excess / s.beyond_r : NAN;
    gsl_rng_free(r);
    return s;
}

/* |observed - expected| within 4 standard errors. */
static int within(double observed, double expected, double se)
{
    return fabs(observed - expected) <= 4 * se;
}

static int mean_ok(const sample_stats *s) { return within(s->mean, 1, 1 / sqrt(s->n)); }
/* The sample variance of an exponential has variance (mu4 - sigma^4) / n = 8 / n. */
static int var_ok(const sample_stats *s) { return within(s->var, 1, sqrt(8 / s->n)); }
static int chi2_ok(const sample_stats *s) { return s->chi2 < gsl_cdf_chisq_Qinv(1e-3, BINS - 1); }

static int binomial_ok(double count, double n, double p)
{
    return within(count / n, p, sqrt(p * (1 - p) / n));
}

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

static void test_tables_follow_the_formulas(void **state)
{
    (void)state;
    const sim__exp_tables *t = &sim__exp_ziggurat;
    double r = SIM_EXP_ZIGGURAT_R, v = (r + 1) * exp(-r);
    assert_true(t->r == r);
    assert_true(near(t->v, v, 1e-18));
    assert_true(near(t->x[0], r + 1, 1e-12));
    assert_true(t->x[1] == r && t->x[256] == 0);
    /* Layer 0: the base rectangle and the tail; layers 1..255: rectangles of area v. */
    assert_true(near(r * exp(-r) + exp(-r), v, 1e-15));
    for (int i = 1; i < 256; i++) {
        assert_true(t->x[i + 1] < t->x[i]);
        assert_true(near(t->x[i] * (t->f[i + 1] - t->f[i]), v, v * 1e-9));
    }
    /* The paper's r closes the top layer at x = 0. */
    assert_true(fabs(exp(-t->x[255]) + v / t->x[255] - 1) < 1e-9);
    /* The fast path's acceptance: u x_i < x_{i+1}. */
    for (int i = 0; i < 256; i++) {
        double u = (double)t->layer[i].accept * 0x1.0p-53;
        assert_true(near(u, t->x[i + 1] / t->x[i], 1e-15));
        assert_true(t->layer[i].scale == t->x[i] * 0x1.0p-53);
    }
    /* Rebuilding with the right r gives the same tables, with a top-layer error near 0. */
    assert_true(fabs(sim__exp_tables_build(r)) < 1e-9);
    assert_true(t->x[1] == r);
}

static void test_moments_cdf_and_tail(void **state)
{
    (void)state;
    sample_stats s = draw_stats("test/exp", 10000000);
    printf("mean %.6f var %.6f chi2 %.1f (0.1%% point %.1f) P(X>5) %.6g (%.6g) "
           "P(X>10) %.4g (%.4g) beyond r %.0f, mean excess %.4f\n",
           s.mean, s.var, s.chi2, gsl_cdf_chisq_Qinv(1e-3, BINS - 1), s.over5 / s.n, exp(-5.0),
           s.over10 / s.n, exp(-10.0), s.beyond_r, s.excess_r);
    assert_true(mean_ok(&s));
    assert_true(var_ok(&s));
    assert_true(chi2_ok(&s));
    assert_true(binomial_ok(s.over5, s.n, exp(-5.0)));
    assert_true(binomial_ok(s.over10, s.n, exp(-10.0)));
    /* The tail: P(X > r) = e^-r, and beyond r the excess is again exponential with mean 1. */
    assert_true(binomial_ok(s.beyond_r, s.n, exp(-SIM_EXP_ZIGGURAT_R)));
    assert_true(within(s.excess_r, 1, 1 / sqrt(s.beyond_r)));
}

/* A ziggurat built from another r has layers of unequal probability: the checks see it. */
static void test_wrong_table_fails(void **state)
{
    (void)state;
    const double wrong[] = {SIM_EXP_ZIGGURAT_R * 0.99, SIM_EXP_ZIGGURAT_R * 1.01};
    for (size_t w = 0; w < 2; w++) {
        sim__exp_tables_build(wrong[w]);
        sample_stats s = draw_stats("test/exp", 4000000);
        printf("r = %.4f: mean %.6f var %.6f chi2 %.1f\n", wrong[w], s.mean, s.var, s.chi2);
        assert_false(mean_ok(&s) && var_ok(&s) && chi2_ok(&s));
    }
    sim__exp_tables_build(SIM_EXP_ZIGGURAT_R);
    sample_stats s = draw_stats("test/exp", 4000000);
    assert_true(mean_ok(&s) && var_ok(&s) && chi2_ok(&s));
}

static void test_same_stream_same_draws(void **state)
{
    (void)state;
    gsl_rng *a = sim_rng_alloc(7, 3, "queue/service");
    gsl_rng *b = sim_rng_alloc(7, 3, "queue/service");
    gsl_rng *c = sim_rng_alloc(7, 4, "queue/service");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    int differ = 0;
    for (int k = 0; k < 100000; k++) {
        double x = sim_exp_sample(a, 2.5), y = 2.5 * sim_exp_draw(b);
        assert_true(x == y);
        differ += x != sim_exp_sample(c, 2.5);
    }
    assert_true(differ > 99000);
    /* Pinned: the sampler's first draws for this stream (a change of method moves them). */
    sim_rng_seek(a, 1, 0, sim_stream_id("queue/service"), 0);
    const double pinned[3] = {0x1.adb6dae93424p+0, 0x1.16176348675a7p+0,
                              0x1.116465f91b903p+1};
    for (int k = 0; k < 3; k++) {
        double x = sim_exp_draw(a);
        if (x != pinned[k])
            printf("draw %d: %a\n", k, x);
        assert_true(x == pinned[k]);
    }
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_follow_the_formulas),
        cmocka_unit_test(test_moments_cdf_and_tail),
        cmocka_unit_test(test_wrong_table_fails),
        cmocka_unit_test(test_same_stream_same_draws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
