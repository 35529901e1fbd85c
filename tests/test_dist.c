/*
 * tests/test_dist.c: distributions by mean and sd, and their sampling.
 *
 * Each distribution is sampled n times at a fixed seed and the sample mean and variance
 * are compared with the analytic values at the 99% level (z = 2.576):
 *   - the mean with the standard error sd / sqrt(n) from the analytic sd;
 *   - the variance with the standard error of the sample variance,
 *     sqrt((mu4 - sigma^4) / n) (the large-n variance of s^2; e.g. Kendall and Stuart,
 *     vol. 1, 10.7), where mu4 is estimated by the sample's fourth central moment. That
 *     holds for any distribution with a finite fourth moment, so heavy right tails
 *     (lognormal, gamma) get a wider bound than the uniform, as they should.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dist.h"
#include "core/error.h"
#include "core/rng.h"
#include "scenario/yaml.h"

#define Z99 2.5758293035489

#define assert_near(a, b, tol)                                                             \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        if (!(fabs(a_ - b_) <= (tol)))                                                     \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

enum { N = 400000 };

/* Sample d n times and check mean and variance against d->mean and d->sd. */
static void check_moments(const char *what, const sim_dist *d, gsl_rng *r)
{
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = sim_dist_sample(d, r);
        sum += x[i];
    }
    double mean = sum / N, m2 = 0, m4 = 0;
    for (int i = 0; i < N; i++) {
        double e = x[i] - mean;
        m2 += e * e;
        m4 += e * e * e * e;
    }
    double var = m2 / (N - 1);
    m4 /= N;
    free(x);

    double se_mean = d->sd / sqrt((double)N);
    if (!(fabs(mean - d->mean) <= Z99 * se_mean))
        fail_msg("%s: mean %.6g, expected %.6g +- %.3g", what, mean, d->mean, Z99 * se_mean);
    double var_true = d->sd * d->sd;
    double se_var = sqrt(fmax(m4 - var * var, 0) / N);
    if (!(fabs(var - var_true) <= Z99 * se_var))
        fail_msg("%s: variance %.6g, expected %.6g +- %.3g", what, var, var_true, Z99 * se_var);
}

static void test_lognormal_parameters(void **state)
{
    (void)state;
    sim_dist d;
    assert_int_equal(sim_dist_lognormal(&d, 90, 30), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_LOGNORMAL);
    assert_near(d.a, 4.447129, 1e-6);
    assert_near(d.b, 0.324593, 1e-6);
    assert_near(d.mean, 90, 0);
    assert_near(d.sd, 30, 0);
    /* sd 0 is a point mass at the mean. */
    assert_int_equal(sim_dist_lognormal(&d, 90, 0), SIM_OK);
    gsl_rng *r = sim_rng_alloc(1, 0, "dist");
    assert_near(sim_dist_sample(&d, r), 90, 1e-9);
    gsl_rng_free(r);
}

static void test_gamma_parameters(void **state)
{
    (void)state;
    sim_dist d;
    assert_int_equal(sim_dist_gamma(&d, 9, 5), SIM_OK);
    assert_near(d.a, 81.0 / 25, 1e-12); /* shape m^2 / s^2 */
    assert_near(d.b, 25.0 / 9, 1e-12);  /* scale s^2 / m */
}

static void test_moments(void **state)
{
    (void)state;
    gsl_rng *r = sim_rng_alloc(20230401, 0, "test-dist");
    sim_dist d;

    assert_int_equal(sim_dist_constant(&d, 30), SIM_OK);
    for (int i = 0; i < 10; i++)
        assert_near(sim_dist_sample(&d, r), 30, 0);

    assert_int_equal(sim_dist_exponential(&d, 12), SIM_OK);
    check_moments("exponential", &d, r);

    assert_int_equal(sim_dist_lognormal(&d, 90, 30), SIM_OK);
    check_moments("lognormal", &d, r);
    assert_int_equal(sim_dist_lognormal(&d, 4.4, 2.9), SIM_OK);
    check_moments("lognormal 2", &d, r);

    assert_int_equal(sim_dist_gamma(&d, 9, 5), SIM_OK);
    check_moments("gamma", &d, r);
    assert_int_equal(sim_dist_gamma(&d, 2, 3), SIM_OK); /* shape < 1 */
    check_moments("gamma shape < 1", &d, r);

    assert_int_equal(sim_dist_triangular(&d, 1, 2, 5), SIM_OK);
    assert_near(d.mean, 8.0 / 3, 1e-12);
    assert_near(d.sd * d.sd, 13.0 / 18, 1e-12);
    check_moments("triangular", &d, r);
    assert_int_equal(sim_dist_triangular(&d, 0, 0, 1), SIM_OK); /* mode at an end */
    check_moments("triangular mode = min", &d, r);

    assert_int_equal(sim_dist_uniform(&d, 3, 7), SIM_OK);
    assert_near(d.sd * d.sd, 16.0 / 12, 1e-12);
    check_moments("uniform", &d, r);

    assert_int_equal(sim_dist_poisson(&d, 4), SIM_OK);
    check_moments("poisson", &d, r);
    assert_int_equal(sim_dist_poisson(&d, 250), SIM_OK);
    check_moments("poisson 250", &d, r);

    assert_int_equal(sim_dist_bernoulli(&d, 0.05), SIM_OK);
    check_moments("bernoulli", &d, r);
    gsl_rng_free(r);
}

static void test_empirical(void **state)
{
    (void)state;
    double values[] = {1, 2, 3};
    double weights[] = {2, 5, 3}; /* not normalised */
    sim_dist d;
    assert_int_equal(sim_dist_empirical(&d, values, weights, 3), SIM_OK);
    assert_near(d.mean, 2.1, 1e-12);
    assert_near(d.sd * d.sd, 0.2 * 1.21 + 0.5 * 0.01 + 0.3 * 0.81, 1e-12);
    /* The values were copied: changing the caller's array changes nothing. */
    values[0] = 100;
    gsl_rng *r = sim_rng_alloc(5, 0, "empirical");
    check_moments("empirical", &d, r);

    /* Each value's share within a 99% binomial bound. */
    long count[3] = {0, 0, 0};
    for (int i = 0; i < N; i++) {
        double x = sim_dist_sample(&d, r);
        assert_true(x == 1 || x == 2 || x == 3);
        count[(int)x - 1]++;
    }
    const double p[3] = {0.2, 0.5, 0.3};
    for (int k = 0; k < 3; k++)
        assert_near((double)count[k] / N, p[k], Z99 * sqrt(p[k] * (1 - p[k]) / N));

    /* A deep copy samples the same sequence and outlives the original. */
    sim_dist c;
    assert_int_equal(sim_dist_copy(&c, &d), SIM_OK);
    assert_ptr_not_equal(c.values, d.values);
    gsl_rng *r1 = sim_rng_alloc(6, 0, "copy");
    gsl_rng *r2 = sim_rng_alloc(6, 0, "copy");
    double a[50];
    for (int i = 0; i < 50; i++)
        a[i] = sim_dist_sample(&d, r1);
    sim_dist_fini(&d);
    for (int i = 0; i < 50; i++)
        assert_near(sim_dist_sample(&c, r2), a[i], 0);
    assert_near(c.mean, 2.1, 1e-12);
    sim_dist_fini(&c);
    sim_dist_fini(&c); /* fini leaves a constant, so a second fini is harmless */

    /* A zero weight is never drawn. */
    double w0[] = {1, 0, 1};
    assert_int_equal(sim_dist_empirical(&d, values, w0, 3), SIM_OK);
    for (int i = 0; i < 10000; i++)
        assert_true(sim_dist_sample(&d, r) != 2);
    sim_dist_fini(&d);
    gsl_rng_free(r);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

static void test_copy_plain(void **state)
{
    (void)state;
    sim_dist a, b;
    assert_int_equal(sim_dist_lognormal(&a, 110, 35), SIM_OK);
    assert_int_equal(sim_dist_copy(&b, &a), SIM_OK);
    assert_int_equal(b.kind, SIM_DIST_LOGNORMAL);
    assert_near(b.a, a.a, 0);
    assert_near(b.b, a.b, 0);
    sim_dist_fini(&a);
    sim_dist_fini(&b);
}

static void test_invalid(void **state)
{
    (void)state;
    sim_dist d;
    double v[] = {1, 2};
    double w_neg[] = {1, -1}, w_zero[] = {0, 0}, w_nan[] = {1, NAN};
    assert_int_equal(sim_dist_constant(&d, NAN), SIM_EINVAL);
    assert_int_equal(sim_dist_constant(&d, INFINITY), SIM_EINVAL);
    assert_int_equal(sim_dist_exponential(&d, 0), SIM_EINVAL);
    assert_int_equal(sim_dist_exponential(&d, -1), SIM_EINVAL);
    assert_int_equal(sim_dist_lognormal(&d, 0, 1), SIM_EINVAL);
    assert_int_equal(sim_dist_lognormal(&d, 10, -1), SIM_EINVAL);
    assert_int_equal(sim_dist_lognormal(&d, NAN, 1), SIM_EINVAL);
    assert_int_equal(sim_dist_gamma(&d, 10, 0), SIM_EINVAL);
    assert_int_equal(sim_dist_gamma(&d, -10, 1), SIM_EINVAL);
    assert_int_equal(sim_dist_triangular(&d, 1, 0, 5), SIM_EINVAL);
    assert_int_equal(sim_dist_triangular(&d, 1, 6, 5), SIM_EINVAL);
    assert_int_equal(sim_dist_triangular(&d, 2, 2, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_uniform(&d, 2, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_uniform(&d, 3, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_uniform(&d, 0, INFINITY), SIM_EINVAL);
    assert_int_equal(sim_dist_empirical(&d, v, w_neg, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_empirical(&d, v, w_zero, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_empirical(&d, v, w_nan, 2), SIM_EINVAL);
    assert_int_equal(sim_dist_empirical(&d, v, w_zero, 0), SIM_EINVAL);
    assert_int_equal(sim_dist_poisson(&d, -1), SIM_EINVAL);
    assert_int_equal(sim_dist_bernoulli(&d, 1.5), SIM_EINVAL);
    assert_int_equal(sim_dist_bernoulli(&d, -0.1), SIM_EINVAL);
    assert_int_equal(sim_dist_bernoulli(&d, NAN), SIM_EINVAL);
    /* A failed call leaves the constant 0, safe to release. */
    assert_int_equal(d.kind, SIM_DIST_CONSTANT);
    assert_near(d.a, 0, 0);
    sim_dist_fini(&d);
    /* Edge values that are allowed. */
    assert_int_equal(sim_dist_bernoulli(&d, 0), SIM_OK);
    assert_int_equal(sim_dist_bernoulli(&d, 1), SIM_OK);
    assert_int_equal(sim_dist_poisson(&d, 0), SIM_OK);
    assert_int_equal(sim_dist_triangular(&d, 1, 5, 5), SIM_OK);
}

/* Load `text` as t.yaml and read its key "d" with sim_dist_from_node. */
static int from_yaml(const char *text, double min_value, sim_dist *d, char *msg, size_t size)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    sim_error_clear(&err);
    int rc = sim_yaml_load_string(text, "t.yaml", &tree, &root, &err);
    if (rc != SIM_OK)
        fail_msg("cannot load test YAML: %s", err.message);
    sim_node *node = sim_node_get(root, "d");
    assert_non_null(node);
    rc = sim_dist_from_node(node, min_value, d, &err);
    msg[0] = '\0';
    if (rc != SIM_OK)
        sim_error_format(&err, msg, size);
    else if (sim_node_check_unused(root, &err) != SIM_OK)
        fail_msg("a value was left unread: %s", err.message);
    sim_node_tree_free(tree);
    return rc;
}

static void test_from_node_forms(void **state)
{
    (void)state;
    sim_dist d;
    char msg[1400];
    assert_int_equal(from_yaml("d: {lognormal: {mean: 110, sd: 35}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_LOGNORMAL);
    assert_near(d.mean, 110, 0);
    assert_near(d.sd, 35, 0);
    assert_int_equal(from_yaml("d: 30\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_CONSTANT);
    assert_near(d.mean, 30, 0);
    assert_int_equal(from_yaml("d: {constant: 2.5}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.a, 2.5, 0);
    assert_int_equal(from_yaml("d: {exponential: {mean: 12}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_EXPONENTIAL);
    assert_near(d.mean, 12, 0);
    assert_int_equal(from_yaml("d: {gamma: {mean: 9, sd: 5}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.a, 3.24, 1e-12);
    assert_int_equal(from_yaml("d: {triangular: {min: 1, mode: 2, max: 5}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.mean, 8.0 / 3, 1e-12);
    assert_int_equal(from_yaml("d: {uniform: {min: 0, max: 1}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.mean, 0.5, 0);
    assert_int_equal(from_yaml("d: {poisson: {mean: 4}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_POISSON);
    assert_int_equal(from_yaml("d: {bernoulli: {p: 5%}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.a, 0.05, 1e-15);
    assert_int_equal(from_yaml("d: {empirical: {values: [1, 2, 3], weights: [0.2, 0.5, 0.3]}}\n",
                               0, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(d.kind, SIM_DIST_EMPIRICAL);
    assert_near(d.mean, 2.1, 1e-12);
    sim_dist_fini(&d);
    /* Without weights, the values are equally likely. */
    assert_int_equal(from_yaml("d: {empirical: {values: [1, 2, 3, 6]}}\n", 0, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.mean, 3, 1e-12);
    sim_dist_fini(&d);
    /* With no floor, negative values are fine. */
    assert_int_equal(from_yaml("d: {uniform: {min: -3, max: 1}}\n", -INFINITY, &d, msg, sizeof msg), SIM_OK);
    assert_int_equal(from_yaml("d: -4\n", -INFINITY, &d, msg, sizeof msg), SIM_OK);
    assert_near(d.a, -4, 0);
}

static void expect_error(const char *text, double min_value, const char *expected)
{
    sim_dist d;
    char msg[1400];
    int rc = from_yaml(text, min_value, &d, msg, sizeof msg);
    assert_int_equal(rc, SIM_EINPUT);
    assert_string_equal(msg, expected);
    assert_int_equal(d.kind, SIM_DIST_CONSTANT);
}

static void test_from_node_errors(void **state)
{
    (void)state;
    expect_error("d:\n  lognormal: {mean: -5, sd: 3}\n", 0,
                 "t.yaml:2:21: d.lognormal.mean: expected a number > 0, got \"-5\"");
    expect_error("d:\n  lognorm: {mean: 5, sd: 3}\n", 0,
                 "t.yaml:2:3: d: unknown distribution \"lognorm\" (did you mean \"lognormal\"?)");
    expect_error("d:\n  normal: {mean: 5, sd: 3}\n", 0,
                 "t.yaml:2:3: d: unknown distribution \"normal\": its draws can fall below 0; "
                 "use lognormal or gamma");
    expect_error("d:\n  weibull: {shape: 5}\n", 0,
                 "t.yaml:2:3: d: unknown distribution \"weibull\" (expected constant, exponential, "
                 "lognormal, gamma, triangular, uniform, empirical, poisson or bernoulli)");
    expect_error("d:\n  uniform: {min: -1, max: 3}\n", 0,
                 "t.yaml:2:18: d.uniform.min: expected a number >= 0, got \"-1\"");
    expect_error("d:\n  uniform: {min: 4, max: 3}\n", 0,
                 "t.yaml:2:26: d.uniform.max: expected a number > 4, got \"3\"");
    expect_error("d:\n  triangular: {min: 1, mode: 7, max: 5}\n", 0,
                 "t.yaml:2:30: d.triangular.mode: expected a number from 1 to 5 (min to max), got \"7\"");
    expect_error("d:\n  gamma: {mean: 5, sd: 0}\n", 0,
                 "t.yaml:2:24: d.gamma.sd: expected a number > 0, got \"0\"");
    expect_error("d:\n  exponential: {mean: 5}\n", 1,
                 "t.yaml:2:3: d: exponential draws can be as low as 0, below the least value "
                 "allowed here (1)");
    expect_error("d:\n  empirical: {values: [1, 2], weights: [1]}\n", 0,
                 "t.yaml:2:40: d.empirical.weights: expected 2 weights (one per value), got 1");
    expect_error("d:\n  empirical: {values: [1, 2], weights: [0, 0]}\n", 0,
                 "t.yaml:2:40: d.empirical.weights: expected weights with a positive, finite sum");
    expect_error("d:\n  empirical: {values: [1, -2]}\n", 0,
                 "t.yaml:2:27: d.empirical.values[1]: expected a number >= 0, got \"-2\"");
    expect_error("d: -5\n", 0, "t.yaml:1:4: d: expected a number >= 0, got \"-5\"");
    expect_error("d: {lognormal: {mean: 5, sd: 1}, gamma: {mean: 5, sd: 1}}\n", 0,
                 "t.yaml:1:4: d: expected a distribution: a number or a one-key map such as "
                 "{lognormal: {mean: 110, sd: 35}}");
    expect_error("d:\n  lognormal: {mean: 5, sdd: 1}\n", 0,
                 "t.yaml:2:24: d.lognormal.sdd: unknown key \"sdd\" (did you mean \"sd\"?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lognormal_parameters),
        cmocka_unit_test(test_gamma_parameters),
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_empirical),
        cmocka_unit_test(test_copy_plain),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_from_node_forms),
        cmocka_unit_test(test_from_node_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
