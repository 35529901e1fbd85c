/*
 * The smooth spread of backlog waits inside their bands (models/elective/el_backlog_shape.h):
 *   - band shares cut from an exponential wait density (rate 0.05 a week, the England bands
 *     0-18, 18-52, 52-65, 65-78, 78-104, 104-130) give back that rate in every band, to
 *     1e-9: the fit's fixed point is exact for exponential waits;
 *   - equal densities give rate 0 (the uniform fill); bands given out of order, or with no
 *     share, change nothing;
 *   - the draw is the truncated exponential: the mean of the draws over a fine grid of u
 *     equals 1/s - w/(e^{sw} - 1) to 1e-7, for falling and rising densities;
 *   - through the model: a smooth backlog keeps its band counts exactly (the first snapshot
 *     reproduces the input) and puts fewer patients just below a band edge where the next
 *     band is thinner (the uniform fill's crossing count is binomial: 4 sd).
 */
#include "testutil.h"

#include <math.h>

#include "elective/el_backlog_shape.h"
#include "test_elective_support.h"

static const double lo[6] = {0, 18, 52, 65, 78, 104};
static const double hi[6] = {18, 52, 65, 78, 104, 130};

static double exp_mass(double r, double a, double b)
{
    return exp(-r * a) - exp(-r * b);
}

static void test_fit_exponential(void **state)
{
    (void)state;
    double share[6], rate[6];
    for (int i = 0; i < 6; i++)
        share[i] = exp_mass(0.05, lo[i], hi[i]);
    el_backlog_shape_fit(6, lo, hi, share, rate);
    for (int i = 0; i < 6; i++)
        assert_float_equal(rate[i], 0.05, 1e-9);
    /* Out of order, with an empty band between: the same rates. */
    double lo2[7] = {52, 0, 104, 18, 78, 65, 130}, hi2[7] = {65, 18, 130, 52, 104, 78, 140};
    double share2[7], rate2[7];
    for (int i = 0; i < 7; i++)
        share2[i] = i == 6 ? 0.0 : exp_mass(0.05, lo2[i], hi2[i]);
    el_backlog_shape_fit(7, lo2, hi2, share2, rate2);
    for (int i = 0; i < 6; i++)
        assert_float_equal(rate2[i], 0.05, 1e-9);
    assert_float_equal(rate2[6], 0.0, 0);
}

static void test_fit_uniform(void **state)
{
    (void)state;
    double share[6], rate[6];
    for (int i = 0; i < 6; i++)
        share[i] = (hi[i] - lo[i]) / 130.0;
    el_backlog_shape_fit(6, lo, hi, share, rate);
    for (int i = 0; i < 6; i++)
        assert_float_equal(rate[i], 0.0, 1e-12);
    double one = 1.0, r1 = 7;
    el_backlog_shape_fit(1, lo, hi, &one, &r1);
    assert_float_equal(r1, 0.0, 0);
}

static void test_draw_mean(void **state)
{
    (void)state;
    const double rates[3] = {0.05, -0.08, 0.3};
    for (int k = 0; k < 3; k++) {
        double s = rates[k], a = 18, b = 52, w = b - a;
        double sum = 0;
        const int n = 1000000;
        for (int j = 0; j < n; j++) {
            double x = el_backlog_shape_draw(a, b, s, (j + 0.5) / n);
            assert_true(x >= a && x <= b);
            sum += x - a;
        }
        double expect = 1.0 / s - w / expm1(s * w);
        assert_float_equal(sum / n, expect, 1e-7 * w);
    }
    assert_float_equal(el_backlog_shape_draw(18, 52, 0, 0.25), 18 + 0.25 * 34, 0);
}

static const char *list_yaml(const char *shape)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: A1}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 20000, band_shape: %s,\n"
             "                  weeks: {0-18: 0.6, 18-52: 0.36, 52-65: 0.04}}\n"
             "        treatments_per_week: 0.001\n",
             shape);
    return buf;
}

/* Patients over 52 weeks at the start (3 April 2023) and at the first month end, 27 days
 * later, when the top 27 days of the 18-52 band have moved past 52 weeks. */
static void over52(const char *shape, double *at0, double *at1)
{
    elt f;
    elt_open(&f, list_yaml(shape), 40, 0, false);
    sim_record *rec = elt_run(&f, 5, 0, NULL);
    int id = elt_metric(&f, "over_52_weeks");
    *at0 = sim_record_get(rec, id, 0, 0);
    *at1 = sim_record_get(rec, id, 1, 0);
    sim_record_free(rec);
    elt_close(&f);
}

static void test_model_backlog(void **state)
{
    (void)state;
    double u0, u1, s0, s1;
    over52("uniform", &u0, &u1);
    over52("smooth", &s0, &s1);
    /* The band counts are kept exactly. */
    assert_float_equal(u0, 800, 0);
    assert_float_equal(s0, 800, 0);
    /* Uniform: the 18-52 band's top 27 days (its density 20,000 x 0.36 / 34 a week, 816 in
     * 27 days) cross 52 weeks; smooth: the density falls towards the thin 52-65 band (to
     * about 0.4 of the band's mean at 52 weeks). */
    assert_true(fabs(u1 - u0 - 20000 * 0.36 / 34 * 27 / 7) < 4 * sqrt(816.0));
    assert_true(s1 - s0 < 0.6 * (u1 - u0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_exponential),
        cmocka_unit_test(test_fit_uniform),
        cmocka_unit_test(test_draw_mean),
        cmocka_unit_test(test_model_backlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
