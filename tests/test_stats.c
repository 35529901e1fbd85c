/*
 * tests/test_stats.c: tallies, time-weighted means, quantiles, summaries and MSER-5 against
 * values computed by hand (shown in the comments).
 */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/stats.h"

static void test_tally_small(void **state)
{
    (void)state;
    sim_tally t;
    sim_tally_init(&t);
    assert_true(isnan(sim_tally_mean(&t)));
    assert_true(isnan(sim_tally_variance(&t)));
    sim_tally_add(&t, 2.0);
    assert_true(sim_tally_mean(&t) == 2.0);
    assert_true(isnan(sim_tally_variance(&t)));
    const double x[] = {4, 4, 4, 5, 5, 7, 9};
    for (size_t i = 0; i < 7; i++)
        sim_tally_add(&t, x[i]);
    /* {2,4,4,4,5,5,7,9}: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, variance 32/7. */
    assert_int_equal(t.n, 8);
    assert_float_equal(sim_tally_mean(&t), 5.0, 1e-15);
    assert_float_equal(sim_tally_variance(&t), 32.0 / 7.0, 1e-14);
    assert_float_equal(sim_tally_sd(&t), sqrt(32.0 / 7.0), 1e-14);
    assert_true(t.min == 2.0 && t.max == 9.0);
}

/* A large offset defeats the naive sum-of-squares formula; Welford matches two passes. */
static void test_tally_vs_two_pass(void **state)
{
    (void)state;
    sim_tally t;
    sim_tally_init(&t);
    const double d[] = {4, 7, 13, 16};
    for (size_t i = 0; i < 4; i++)
        sim_tally_add(&t, 1e9 + d[i]);
    /* Mean 1e9 + 10; deviations -6, -3, 3, 6; variance 90 / 3 = 30. */
    assert_float_equal(sim_tally_mean(&t), 1e9 + 10, 1e-6);
    assert_float_equal(sim_tally_variance(&t), 30.0, 1e-6);

    const size_t n = 10000;
    double *x = malloc(n * sizeof *x);
    uint64_t s = 42;
    sim_tally_init(&t);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        x[i] = 1e6 + (double)(s >> 11) / 9007199254740992.0 * 3.0;
        sim_tally_add(&t, x[i]);
        sum += x[i];
    }
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    assert_float_equal(sim_tally_mean(&t), mean, 1e-7);
    assert_float_equal(sim_tally_variance(&t), ss / (double)(n - 1), 1e-9);
    /* The variance of U(0, 3) is 9/12. */
    assert_float_equal(sim_tally_variance(&t), 0.75, 0.03);
    free(x);
}

static void test_tally_merge(void **state)
{
    (void)state;
    sim_tally all, a, b, empty;
    sim_tally_init(&all);
    sim_tally_init(&a);
    sim_tally_init(&b);
    sim_tally_init(&empty);
    for (int i = 0; i < 1000; i++) {
        double x = sin(i * 0.37) * 10 + (i % 7);
        sim_tally_add(&all, x);
        sim_tally_add(i < 300 ? &a : &b, x);
    }
    sim_tally_merge(&a, &empty);
    assert_int_equal(a.n, 300);
    sim_tally_merge(&a, &b);
    assert_int_equal(a.n, all.n);
    assert_float_equal(a.mean, all.mean, 1e-12);
    assert_float_equal(sim_tally_variance(&a), sim_tally_variance(&all), 1e-10);
    assert_true(a.min == all.min && a.max == all.max);
    sim_tally_merge(&empty, &b);
    assert_int_equal(empty.n, b.n);
    assert_true(empty.mean == b.mean);
}

static void test_timeavg(void **state)
{
    (void)state;
    sim_timeavg a;
    sim_timeavg_init(&a, 0.0, 2.0);
    assert_true(sim_timeavg_mean(&a, 0.0) == 2.0);
    sim_timeavg_set(&a, 1.0, 5.0); /* area 2 */
    sim_timeavg_set(&a, 3.0, 1.0); /* area 2 + 10 = 12 */
    /* At 4: (12 + 1 x 1) / 4 = 3.25. */
    assert_float_equal(sim_timeavg_mean(&a, 4.0), 3.25, 1e-15);
    sim_timeavg_add(&a, 4.0, 2.0); /* level 3 */
    /* At 6: (13 + 3 x 2) / 6 = 19/6. */
    assert_float_equal(sim_timeavg_mean(&a, 6.0), 19.0 / 6.0, 1e-15);
    sim_timeavg_restart(&a, 6.0);
    sim_timeavg_add(&a, 7.0, -3.0); /* level 0 from 7 */
    /* Over [6, 8]: (3 x 1 + 0 x 1) / 2 = 1.5. */
    assert_float_equal(sim_timeavg_mean(&a, 8.0), 1.5, 1e-15);
    /* Starting late: a level of 4 from t0 = 10 averages 4 whatever the time. */
    sim_timeavg_init(&a, 10.0, 4.0);
    assert_float_equal(sim_timeavg_mean(&a, 25.0), 4.0, 1e-15);
}

/* Expected values are numpy.quantile's default (linear, Hyndman and Fan type 7), by hand. */
static void test_quantiles(void **state)
{
    (void)state;
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = 10 - i; /* 10, 9, ..., 1: sorted in place */
    /* n = 10: h = 9p. p = 0.1: h = 0.9, 1 + 0.9 = 1.9; 0.25: h = 2.25, 3.25; 0.5: 5.5;
     * 0.975: h = 8.775, 9.775. */
    assert_float_equal(sim_quantile_inplace(x, 10, 0.1), 1.9, 1e-12);
    assert_true(x[0] == 1.0 && x[9] == 10.0);
    assert_float_equal(sim_quantile_inplace(x, 10, 0.25), 3.25, 1e-12);
    assert_float_equal(sim_quantile_inplace(x, 10, 0.5), 5.5, 1e-12);
    assert_float_equal(sim_quantile_inplace(x, 10, 0.975), 9.775, 1e-12);
    assert_true(sim_quantile_inplace(x, 10, 0.0) == 1.0);
    assert_true(sim_quantile_inplace(x, 10, 1.0) == 10.0);
    /* {3,1,4,1,5,9,2,6} sorts to {1,1,2,3,4,5,6,9}; h = 7p. p = 0.3: h = 2.1, 2 + 0.1 x 1 = 2.1;
     * p = 0.9: h = 6.3, 6 + 0.3 x 3 = 6.9. */
    double y[] = {3, 1, 4, 1, 5, 9, 2, 6};
    assert_float_equal(sim_quantile_inplace(y, 8, 0.3), 2.1, 1e-12);
    assert_float_equal(sim_quantile_inplace(y, 8, 0.9), 6.9, 1e-12);
    double one = 7.0;
    assert_true(sim_quantile_inplace(&one, 1, 0.3) == 7.0);
    assert_true(isnan(sim_quantile_inplace(y, 0, 0.5)));
}

static void test_t95(void **state)
{
    (void)state;
    /* Two-sided 95% points of Student's t (standard tables). */
    assert_float_equal(sim_t95(1), 12.706204736, 1e-8);
    assert_float_equal(sim_t95(9), 2.262157163, 1e-8);
    assert_float_equal(sim_t95(29), 2.045229642, 1e-8);
    assert_float_equal(sim_t95(1000000000), 1.959963985, 1e-6);
    assert_float_equal(sim_t95(SIZE_MAX), 1.959963985, 1e-6);
    assert_true(isnan(sim_t95(0)));
}

static void test_summarise(void **state)
{
    (void)state;
    const double x[] = {5, NAN, 1, 4, 2, 3};
    sim_summary s;
    sim_summarise(x, 6, &s);
    /* {1,...,5}: mean 3, sd sqrt(2.5); half-width t95(4) sd / sqrt(5) = 2.776445105 x
     * 1.58113883 / 2.23606798 = 1.963243161. Type 7 with h = 4p: q025 1.1, q975 4.9. */
    assert_int_equal(s.n, 5);
    assert_float_equal(s.mean, 3.0, 1e-15);
    assert_float_equal(s.sd, sqrt(2.5), 1e-14);
    assert_float_equal(s.half_width, 1.963243161, 1e-8);
    assert_float_equal(s.ci_low, 3.0 - 1.963243161, 1e-8);
    assert_float_equal(s.ci_high, 3.0 + 1.963243161, 1e-8);
    assert_float_equal(s.q025, 1.1, 1e-12);
    assert_float_equal(s.q25, 2.0, 1e-12);
    assert_float_equal(s.median, 3.0, 1e-12);
    assert_float_equal(s.q75, 4.0, 1e-12);
    assert_float_equal(s.q975, 4.9, 1e-12);
    assert_true(s.min == 1.0 && s.max == 5.0);
    /* The input is left alone. */
    assert_true(x[0] == 5.0 && isnan(x[1]));

    const double only_nan[] = {NAN, NAN};
    sim_summarise(only_nan, 2, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean) && isnan(s.half_width) && isnan(s.median));
    const double single[] = {4.0};
    sim_summarise(single, 1, &s);
    assert_int_equal(s.n, 1);
    assert_true(s.mean == 4.0 && s.median == 4.0);
    assert_true(isnan(s.sd) && isnan(s.ci_low) && isnan(s.half_width));
}

static void test_mser5(void **state)
{
    (void)state;
    const size_t n = 1000;
    double *x = malloc(n * sizeof *x);
    uint64_t s = 7;
    /* 60 observations of an initial transient decaying from 20, then noise in [-1, 1]. */
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        x[i] = u + (i < 60 ? 20.0 - (double)i / 3.0 : 0.0);
    }
    size_t d = sim_mser5(x, n);
    assert_int_equal(d % 5, 0);
    assert_true(d >= 55 && d <= 100);

    /* No transient: nothing (or almost nothing) to drop. */
    for (size_t i = 0; i < n; i++)
        x[i] = (i % 2) ? 1.0 : -1.0;
    assert_int_equal(sim_mser5(x, n), 0);
    /* A constant series ties everywhere: the first (no truncation) wins. */
    for (size_t i = 0; i < n; i++)
        x[i] = 3.0;
    assert_int_equal(sim_mser5(x, n), 0);
    /* A step: 100 at 50, then 0 exactly: drop exactly the step. */
    for (size_t i = 0; i < n; i++)
        x[i] = i < 100 ? 50.0 : 0.0;
    assert_int_equal(sim_mser5(x, n), 100);
    assert_int_equal(sim_mser5(x, 9), 0);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally_small),   cmocka_unit_test(test_tally_vs_two_pass),
        cmocka_unit_test(test_tally_merge),   cmocka_unit_test(test_timeavg),
        cmocka_unit_test(test_quantiles),     cmocka_unit_test(test_t95),
        cmocka_unit_test(test_summarise),     cmocka_unit_test(test_mser5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
