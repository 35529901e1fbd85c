/*
 * tests/test_arrivals.c: time-varying Poisson arrivals.
 *
 * The sampler is checked against the rate it is meant to follow: counts per hour of week,
 * per month and per year are compared with the expected counts (from the profile and from
 * sim_rate_integral) by chi-square tests and Poisson confidence bounds at fixed seeds.
 * Chi-square p-values are required to lie in (0.001, 0.999): a p-value near 1 would mean
 * counts too regular for a Poisson process, also a bug.
 */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/error.h"
#include "core/log1p_ratio.h"
#include "core/rng.h"
#include "scenario/yaml.h"

#define Z99 2.5758293035489

static int profile_from_yaml(const char *text, const char *prefix, sim_rate_profile *p, char *msg,
                             size_t size);

#define assert_near(a, b, tol)                                                             \
    do {                                                                                   \
        double a_ = (a), b_ = (b);                                                         \
        if (!(fabs(a_ - b_) <= (tol)))                                                     \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static sim_date D(int y, int m, int d)
{
    sim_date out = {y, m, d};
    return out;
}

static void check_chisq(const char *what, double x2, int df)
{
    double p = gsl_cdf_chisq_Q(x2, df);
    if (p < 0.001 || p > 0.999)
        fail_msg("%s: chi-square %g on %d df, p = %g", what, x2, df, p);
}

/* Ulps between a double and a long double reference, in units of the double's last place. */
static double ulps(double x, long double ref)
{
    long double ulp = (long double)(nextafter(fabs(x), INFINITY) - fabs(x));
    return (double)(fabsl((long double)x - ref) / ulp);
}

/* The worst error so far of the series (below the cut) or of log1p (above), at z. */
static void track_ulps(double z, double *worst_series, double *worst_log1p)
{
    double u = ulps(sim_log1p_ratio(z), log1pl((long double)z) / (long double)z);
    double *worst = fabs(z) < SIM_LOG1P_RATIO_SERIES ? worst_series : worst_log1p;
    *worst = fmax(*worst, u);
}

/* log1p(z) / z by the series near 0 and log1p beyond, both within 2 ulp of log1pl(z) / z,
 * across the cut and at the small z the arrival sampler gives it. */
static void test_log1p_ratio(void **state)
{
    (void)state;
    assert_true(sim_log1p_ratio(0.0) == 1.0);
    double worst_series = 0, worst_log1p = 0;
    /* |z| from 1e-15 to 0.1 on a log scale, both signs. */
    for (int i = -60000; i <= 60000; i++) {
        if (i == 0)
            continue;
        double mag = pow(10.0, -15.0 + 14.0 * abs(i) / 60000.0);
        track_ulps(i < 0 ? -mag : mag, &worst_series, &worst_log1p);
    }
    /* Just inside and just outside the cut. */
    for (int s = -1; s <= 1; s += 2)
        for (int k = -3; k <= 3; k++)
            track_ulps(s * (SIM_LOG1P_RATIO_SERIES + k * 0x1p-60), &worst_series, &worst_log1p);
    printf("log1p_ratio: worst %.2f ulp (series), %.2f ulp (log1p)\n", worst_series, worst_log1p);
    assert_true(worst_series <= 2.0);
    assert_true(worst_log1p <= 2.0);
}

/* Night zero, morning peak, weekends lower; starts on a Saturday to test the alignment. */
static void test_hour_of_week_profile(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    sim_rate_profile p;
    sim_rate_profile_init(&p, 60);
    for (int d = 0; d < 7; d++) {
        for (int h = 0; h < 24; h++) {
            double f = h < 7 ? 0 : h < 12 ? 3 : h < 20 ? 1.5 : 0.5;
            p.hour_of_week[d * 24 + h] = f * (d >= 5 ? 0.5 : 1);
        }
    }
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    double mean = 0;
    for (int i = 0; i < 168; i++)
        mean += p.hour_of_week[i] / 168;
    assert_near(mean, 1, 1e-12);
    assert_near(p.max_hour_factor, p.hour_of_week[8], 0);

    const int weeks = 150;
    const double horizon = 7.0 * weeks;
    long count[168] = {0};
    gsl_rng *r = sim_rng_alloc(11, 0, "arrivals/how");
    long total = 0;
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < horizon;
         t = sim_next_arrival(&p, &cal, t, r)) {
        count[sim_calendar_hour_of_week(&cal, t)]++;
        total++;
    }
    /* Each hour of the week occurs `weeks` times; its expected count is rate x factor / 24 each. */
    double x2 = 0;
    int cells = 0;
    for (int c = 0; c < 168; c++) {
        double e = weeks * p.rate_per_day * p.hour_of_week[c] / 24;
        if (e == 0) {
            if (count[c] != 0)
                fail_msg("hour of week %d has rate 0 but %ld arrivals", c, count[c]);
            continue;
        }
        x2 += (count[c] - e) * (count[c] - e) / e;
        cells++;
    }
    check_chisq("hour of week", x2, cells - 1);
    /* The total against the integral. */
    double expected = sim_rate_integral(&p, &cal, 0, horizon);
    assert_near(expected, 60 * horizon, 1e-6 * expected);
    assert_near((double)total, expected, Z99 * sqrt(expected));
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

static void test_weekday_helper(void **state)
{
    (void)state;
    sim_rate_profile p;
    sim_rate_profile_init(&p, 7);
    const double wd[7] = {2, 1, 1, 1, 1, 0.5, 0.5};
    sim_rate_profile_set_weekdays(&p, wd);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    /* Mean of the weekday factors is 1: 7 / 7 -> factor 1 unit = 1.0, Monday 2. */
    assert_near(p.hour_of_week[0], 2, 1e-12);
    assert_near(p.hour_of_week[23], 2, 1e-12);
    assert_near(p.hour_of_week[5 * 24 + 3], 0.5, 1e-12);
    assert_near(p.max_hour_factor, 2, 1e-12);
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2024, 1, 1)), SIM_OK); /* a Monday */
    assert_near(sim_rate_at(&p, &cal, 0.5), 14, 1e-12);
    assert_near(sim_rate_at(&p, &cal, 5.5), 3.5, 1e-12);
    assert_near(sim_rate_integral(&p, &cal, 0, 7), 49, 1e-9);
    assert_near(sim_rate_integral(&p, &cal, 0.25, 0.5), 3.5, 1e-9);
    sim_calendar_fini(&cal);
}

static void test_monthly_factors(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    sim_rate_profile p;
    sim_rate_profile_init(&p, 20);
    const double m[12] = {1.5, 1.3, 1.1, 1.0, 0.9, 0.8, 0.6, 0.7, 1.0, 1.1, 1.2, 0};
    memcpy(p.month, m, sizeof m);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);

    const double horizon = sim_calendar_time_of(&cal, D(2031, 4, 1)); /* 8 years */
    long count[12] = {0};
    gsl_rng *r = sim_rng_alloc(12, 0, "arrivals/month");
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < horizon;
         t = sim_next_arrival(&p, &cal, t, r))
        count[sim_calendar_month(&cal, t) - 1]++;

    /* Expected counts per calendar month from the integral over each month. */
    double ends[120];
    size_t n = sim_calendar_month_ends(&cal, horizon, ends, 120);
    assert_int_equal(n, 97);
    double expected[12] = {0};
    for (size_t k = 0; k + 1 < n; k++) {
        int month = sim_calendar_month(&cal, ends[k]);
        expected[month - 1] += sim_rate_integral(&p, &cal, ends[k], ends[k + 1]);
    }
    /* December has factor 0: none at all. */
    assert_int_equal(count[11], 0);
    assert_near(expected[11], 0, 0);
    double x2 = 0;
    for (int k = 0; k < 11; k++)
        x2 += (count[k] - expected[k]) * (count[k] - expected[k]) / expected[k];
    check_chisq("months", x2, 10);
    /* January: 31 days x 20 x 1.5 / (the factors' mean weighted by month length) a year. */
    static const double days[12] = {31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double mean_m = 0;
    for (int k = 0; k < 12; k++)
        mean_m += m[k] * days[k] / 365.25;
    assert_near(expected[0], 8 * 31 * 20 * 1.5 / mean_m, 1e-6 * expected[0]);
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

/*
 * Unequal monthly factors keep per_year the annual mean: over a whole leap cycle (four
 * calendar years, 1,461 days, one 29 February) the expected count is exactly 4 x per_year,
 * and the simulated count agrees within 4 Poisson sd. With the factors scaled to a plain
 * 12-month mean instead, the expected count here would be 4 x 1e6 x 1.00349 (14,000 more:
 * 7 sd), because the short February (factor 0.5) would weigh as much as a long month.
 */
static void test_month_factors_keep_per_year(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2021, 1, 1)), SIM_OK);
    sim_rate_profile p;
    char msg[512];
    assert_int_equal(profile_from_yaml("per_year: 1000000\nmonth: {jan: 2, feb: 0.5, jun: 1.5}\n",
                                       NULL, &p, msg, sizeof msg),
                     SIM_OK);
    double end = sim_calendar_time_of(&cal, D(2025, 1, 1));
    assert_near(end, 1461, 0);
    double expected = sim_rate_integral(&p, &cal, 0, end);
    assert_near(expected, 4e6, 1e-9 * 4e6);
    /* Each year on its own: 365 or 366 days against per_year's 365.25. */
    static const double days[12] = {31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    double weighted = 0;
    for (int m = 0; m < 12; m++)
        weighted += days[m] * p.month[m];
    assert_near(weighted, 365.25, 1e-12);
    gsl_rng *r = sim_rng_alloc(31, 0, "arrivals/per_year");
    long n = 0;
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < end; t = sim_next_arrival(&p, &cal, t, r))
        n++;
    assert_near((double)n, 4e6, 4 * sqrt(4e6));
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

static void test_growth(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    const double g = 0.10, rate = 100;
    sim_rate_profile p;
    sim_rate_profile_init(&p, rate);
    p.growth_per_year = g;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);

    /* The integral in closed form: rate x Y / ln(1+g) x ((1+g)^(T/Y) - 1), Y = 365.25. */
    const double Y = 365.25;
    double i1 = sim_rate_integral(&p, &cal, 0, Y);
    double i2 = sim_rate_integral(&p, &cal, Y, 2 * Y);
    assert_near(i1, rate * Y / log1p(g) * g, 1e-9 * i1);
    assert_near(i2 / i1, 1 + g, 1e-9);
    assert_near(sim_rate_at(&p, &cal, Y), rate * (1 + g), 1e-9);
    assert_near(sim_rate_at(&p, &cal, 0), rate, 1e-12);

    long n1 = 0, n2 = 0;
    gsl_rng *r = sim_rng_alloc(13, 0, "arrivals/growth");
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < 2 * Y;
         t = sim_next_arrival(&p, &cal, t, r))
        *(t < Y ? &n1 : &n2) += 1;
    /* Each count against its integral (Poisson), and the ratio on the log scale, where its
     * standard error is sqrt(1/n1 + 1/n2). */
    assert_near((double)n1, i1, Z99 * sqrt(i1));
    assert_near((double)n2, i2, Z99 * sqrt(i2));
    assert_near(log((double)n2 / n1), log1p(g), Z99 * sqrt(1.0 / n1 + 1.0 / n2));
    gsl_rng_free(r);

    /* Shrinking demand. */
    sim_rate_profile_init(&p, rate);
    p.growth_per_year = -0.3;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    i1 = sim_rate_integral(&p, &cal, 0, Y);
    i2 = sim_rate_integral(&p, &cal, Y, 2 * Y);
    n1 = n2 = 0;
    r = sim_rng_alloc(14, 0, "arrivals/shrink");
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < 2 * Y;
         t = sim_next_arrival(&p, &cal, t, r))
        *(t < Y ? &n1 : &n2) += 1;
    assert_near((double)n1, i1, Z99 * sqrt(i1));
    assert_near((double)n2, i2, Z99 * sqrt(i2));
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

/* A flat rate gives Poisson counts per day: mean = variance. */
static void test_flat_is_poisson(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    sim_rate_profile p;
    sim_rate_profile_init(&p, 10);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    enum { DAYS = 20000 };
    static int count[DAYS];
    memset(count, 0, sizeof count);
    gsl_rng *r = sim_rng_alloc(15, 0, "arrivals/flat");
    double prev = 0;
    for (double t = sim_next_arrival(&p, &cal, 0, r); t < DAYS;
         t = sim_next_arrival(&p, &cal, t, r)) {
        assert_true(t > prev);
        prev = t;
        count[(int)t]++;
    }
    double sum = 0, ss = 0;
    for (int d = 0; d < DAYS; d++)
        sum += count[d];
    double mean = sum / DAYS;
    for (int d = 0; d < DAYS; d++)
        ss += (count[d] - mean) * (count[d] - mean);
    double var = ss / (DAYS - 1);
    assert_near(mean, 10, Z99 * sqrt(10.0 / DAYS));
    /* For Poisson counts, the index of dispersion sum (x - mean)^2 / mean is chi-square on
     * DAYS - 1 degrees of freedom, i.e. var / mean = 1 within about sqrt(2 / DAYS). */
    check_chisq("dispersion", ss / mean, DAYS - 1);
    assert_near(var / mean, 1, Z99 * sqrt(2.0 / DAYS));
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

static void test_edge_cases(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    gsl_rng *r = sim_rng_alloc(16, 0, "arrivals/edge");
    sim_rate_profile p;

    sim_rate_profile_init(&p, 0);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    assert_true(isinf(sim_next_arrival(&p, &cal, 3.5, r)));
    assert_near(sim_rate_integral(&p, &cal, 0, 10), 0, 0);

    sim_rate_profile_init(&p, 5);
    p.hour_of_week[7] = -1;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);
    sim_rate_profile_init(&p, 5);
    memset(p.hour_of_week, 0, sizeof p.hour_of_week);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);
    sim_rate_profile_init(&p, 5);
    memset(p.month, 0, sizeof p.month);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);
    sim_rate_profile_init(&p, 5);
    p.month[3] = NAN;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);
    sim_rate_profile_init(&p, 5);
    p.growth_per_year = -1;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);
    sim_rate_profile_init(&p, -5);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_EINVAL);

    /* Only July is open: arrivals from 1 Apr wait until 1 Jul and stop at 1 Aug. */
    sim_rate_profile_init(&p, 5);
    memset(p.month, 0, sizeof p.month);
    p.month[6] = 1;
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    double jul = sim_calendar_time_of(&cal, D(2023, 7, 1));
    double aug = sim_calendar_time_of(&cal, D(2023, 8, 1));
    double t = sim_next_arrival(&p, &cal, 0, r);
    assert_true(t >= jul && t < aug);
    int n = 0;
    while (t < aug) {
        n++;
        t = sim_next_arrival(&p, &cal, t, r);
    }
    assert_true(t >= sim_calendar_time_of(&cal, D(2024, 7, 1)));
    /* 31 days x 5 x 365.25 / 31 (July's factor after normalising) = 1826.25 expected. */
    assert_near(n, 1826.25, Z99 * sqrt(1826.25));
    /* Partial-hour integral. */
    assert_near(sim_rate_integral(&p, &cal, jul + 0.1, jul + 0.3), 0.2 * 5 * 365.25 / 31, 1e-9);
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

/*
 * Without growth the sampler inverts the cumulative rate: each arrival takes exactly one
 * exponential draw E, and the expected count between the previous arrival and this one is E.
 * A twin stream replays the draws; a sampler with rejected candidates would fail.
 */
static void test_constant_rate_one_draw(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    sim_rate_profile p;
    sim_rate_profile_init(&p, 9);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    gsl_rng *r = sim_rng_alloc(21, 0, "arrivals/inverse");
    gsl_rng *twin = sim_rng_alloc(21, 0, "arrivals/inverse");
    double t = 3.7;
    for (int i = 0; i < 5000; i++) {
        double expected = t + gsl_ran_exponential(twin, 1.0 / 9);
        double next = sim_next_arrival(&p, &cal, t, r);
        if (next != expected)
            fail_msg("arrival %d: %.17g, expected %.17g", i, next, expected);
        t = next;
    }
    gsl_rng_free(r);
    gsl_rng_free(twin);
    sim_calendar_fini(&cal);
}

static void test_piecewise_is_inversion(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 12, 20)), SIM_OK); /* a Wednesday */
    sim_rate_profile p;
    sim_rate_profile_init(&p, 3);
    for (int h = 0; h < 168; h++)
        p.hour_of_week[h] = (h % 24) < 8 ? 0 : (h / 24 == 0 ? 2 : 1); /* nights closed */
    p.month[0] = 3;
    p.month[1] = 0; /* February closed */
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    gsl_rng *r = sim_rng_alloc(22, 0, "arrivals/inverse");
    gsl_rng *twin = sim_rng_alloc(22, 0, "arrivals/inverse");
    double t = 0.123;
    for (int i = 0; i < 3000; i++) {
        double e = gsl_ran_exponential(twin, 1.0);
        double next = sim_next_arrival(&p, &cal, t, r);
        assert_true(next >= t);
        assert_true(sim_rate_at(&p, &cal, next) > 0);
        assert_int_not_equal(sim_calendar_month(&cal, next), 2);
        assert_near(sim_rate_integral(&p, &cal, t, next), e, 1e-9 * (1 + e));
        t = next;
    }
    /* Over a year and a quarter, so the closed February and the January peak were crossed. */
    assert_true(t > 400);
    gsl_rng_free(r);
    gsl_rng_free(twin);
    sim_calendar_fini(&cal);
}

/*
 * With growth the sampler still inverts the cumulative rate: the expected count between
 * an arrival and the next is the twin stream's exponential, to rounding, for a constant
 * rate with growth (closed form), a profile with nights closed and a closed month (piece
 * by piece), and a decline.
 */
static void test_growth_is_inversion(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 12, 20)), SIM_OK);
    /* Both samplers: GSL's exponential, and the ziggurat's (sim_next_arrival_ziggurat). */
    for (int variant = 0; variant < 6; variant++) {
        bool ziggurat = variant >= 3;
        sim_rate_profile p;
        sim_rate_profile_init(&p, 3);
        p.growth_per_year = variant % 3 == 2 ? -0.3 : 0.5;
        if (variant % 3 > 0) {
            for (int h = 0; h < 168; h++)
                p.hour_of_week[h] = (h % 24) < 8 ? 0 : (h / 24 == 0 ? 2 : 1);
            p.month[1] = 0; /* February closed */
        }
        assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
        gsl_rng *r = sim_rng_alloc(24, (uint64_t)variant, "arrivals/growth");
        gsl_rng *twin = sim_rng_alloc(24, (uint64_t)variant, "arrivals/growth");
        double t = 0.123;
        for (int i = 0; i < 3000; i++) {
            double e = ziggurat ? sim_exp_draw(twin) : gsl_ran_exponential(twin, 1.0);
            double next = ziggurat ? sim_next_arrival_ziggurat(&p, &cal, t, r)
                                   : sim_next_arrival(&p, &cal, t, r);
            assert_true(next > t && isfinite(next));
            assert_true(sim_rate_at(&p, &cal, next) > 0);
            if (variant % 3 > 0)
                assert_int_not_equal(sim_calendar_month(&cal, next), 2);
            assert_near(sim_rate_integral(&p, &cal, t, next), e, 1e-9 * (1 + e));
            t = next;
        }
        gsl_rng_free(r);
        gsl_rng_free(twin);
    }
    /* A decline has a finite total: 0.02 a day falling at 1% a day has 2 left from 0, so
     * an exponential draw above 2 (about 14% of them) means no arrival ever. */
    sim_rate_profile p;
    sim_rate_profile_init(&p, 0.02);
    p.growth_per_year = expm1(-0.01 * 365.25);
    assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
    gsl_rng *r = sim_rng_alloc(25, 0, "arrivals/decline");
    int never = 0;
    for (int i = 0; i < 4000; i++)
        never += isinf(sim_next_arrival(&p, &cal, 0, r));
    assert_near(never, 4000 * exp(-2.0), Z99 * sqrt(4000 * exp(-2.0)));
    gsl_rng_free(r);
    sim_calendar_fini(&cal);
}

/* Only February open, from a leap year, with and without growth. */
static void test_leap_february(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2024, 1, 15)), SIM_OK);
    double feb = sim_calendar_time_of(&cal, D(2024, 2, 1));
    double mar = sim_calendar_time_of(&cal, D(2024, 3, 1));
    double feb25 = sim_calendar_time_of(&cal, D(2025, 2, 1));
    for (int growth = 0; growth < 2; growth++) {
        sim_rate_profile p;
        sim_rate_profile_init(&p, 5);
        memset(p.month, 0, sizeof p.month);
        p.month[1] = 1;
        p.growth_per_year = growth ? 0.02 : 0;
        assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
        gsl_rng *r = sim_rng_alloc(23, (uint64_t)growth, "arrivals/leap");
        double t = sim_next_arrival(&p, &cal, 0, r);
        assert_true(t >= feb && t < mar);
        int n = 0;
        double last = t;
        while (t < mar) {
            n++;
            last = t;
            t = sim_next_arrival(&p, &cal, t, r);
        }
        /* The 29th of February is open: the last arrival is on it almost surely. */
        assert_true(last >= mar - 1);
        assert_true(t >= feb25);
        /* Without growth 29 x 5 x 365.25 / 28.25: February alone carries the year's mean. */
        double expected = sim_rate_integral(&p, &cal, feb, mar);
        if (!growth)
            assert_near(expected, 29 * 5 * 365.25 / 28.25, 1e-9);
        assert_near(n, expected, Z99 * sqrt(expected));
        gsl_rng_free(r);
    }
    sim_calendar_fini(&cal);
}

/* Load `text` as t.yaml and read the profile from its root map. */
static int profile_from_yaml(const char *text, const char *prefix, sim_rate_profile *p, char *msg,
                             size_t size)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    struct sim_error err;
    sim_error_clear(&err);
    if (sim_yaml_load_string(text, "t.yaml", &tree, &root, &err) != SIM_OK)
        fail_msg("cannot load test YAML: %s", err.message);
    int rc = prefix ? sim_rate_profile_from_node_prefixed(root, prefix, p, &err)
                    : sim_rate_profile_from_node(root, p, &err);
    msg[0] = '\0';
    if (rc != SIM_OK)
        sim_error_format(&err, msg, size);
    else if (sim_node_check_unused(root, &err) != SIM_OK)
        fail_msg("a value was left unread: %s", err.message);
    sim_node_tree_free(tree);
    return rc;
}

static void test_from_node(void **state)
{
    (void)state;
    sim_rate_profile p;
    char msg[1400];
    assert_int_equal(profile_from_yaml("per_week: 70\n"
                                       "weekday: {sat: 0.5, sun: 0.5}\n"
                                       "month: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                                       "growth_per_year: 1.122%\n",
                                       NULL, &p, msg, sizeof msg),
                     SIM_OK);
    assert_near(p.rate_per_day, 10, 1e-12);
    assert_near(p.growth_per_year, 0.01122, 1e-15);
    /* Weekday factors 1 x 5 and 0.5 x 2 have mean 6/7: normalised Monday is 7/6. */
    assert_near(p.hour_of_week[0], 7.0 / 6, 1e-12);
    assert_near(p.hour_of_week[6 * 24 + 5], 7.0 / 12, 1e-12);
    /* January 2 and the rest 1, weighted by days: 2 x 365.25 / (365.25 + 31). */
    assert_near(p.month[0], 2 * 365.25 / 396.25, 1e-12);
    assert_near(p.max_month_factor, 2 * 365.25 / 396.25, 1e-12);

    assert_int_equal(profile_from_yaml("referrals_per_year: 3652.5\n"
                                       "weekday: {mon: 2, tue: 1, wed: 1, thu: 1, fri: 1, sat: 0, sun: 0}\n"
                                       "hour_of_day: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]\n"
                                       "month: {dec: 0.5}\n",
                                       "referrals_", &p, msg, sizeof msg),
                     SIM_OK);
    assert_near(p.rate_per_day, 10, 1e-12);
    /* 6 weekday units x 8 open hours = 48 of 168: Monday 08:00 is 2 x 168 / 48 = 7. */
    assert_near(p.hour_of_week[8], 7, 1e-12);
    assert_near(p.hour_of_week[7], 0, 0);
    assert_near(p.hour_of_week[5 * 24 + 9], 0, 0);
    assert_near(p.month[11] / p.month[0], 0.5, 1e-12);

    double how[168];
    char text[4096];
    int len = snprintf(text, sizeof text, "per_day: 24\nhour_of_week: [");
    for (int i = 0; i < 168; i++) {
        how[i] = i % 24 == 12 ? 1 : 0;
        len += snprintf(text + len, sizeof text - len, "%s%g", i ? ", " : "", how[i]);
    }
    snprintf(text + len, sizeof text - len, "]\n");
    assert_int_equal(profile_from_yaml(text, NULL, &p, msg, sizeof msg), SIM_OK);
    assert_near(p.hour_of_week[12], 24, 1e-12);
    assert_near(p.rate_per_day, 24, 0);
}

static void expect_profile_error(const char *text, const char *expected)
{
    sim_rate_profile p;
    char msg[1400];
    assert_int_equal(profile_from_yaml(text, NULL, &p, msg, sizeof msg), SIM_EINPUT);
    assert_string_equal(msg, expected);
}

static void test_from_node_errors(void **state)
{
    (void)state;
    expect_profile_error("per_week: 70\nper_day: 10\n",
                         "t.yaml:2:10: per_day: give only one of per_week, per_day and per_year");
    expect_profile_error("weekday: {mon: 1}\n",
                         "t.yaml:1:1: expected a rate: per_week, per_day or per_year");
    expect_profile_error("per_week: -70\n",
                         "t.yaml:1:11: per_week: expected a number >= 0, got \"-70\"");
    expect_profile_error("per_week: 70\nweekday: {mon: 1, tues: 2}\n",
                         "t.yaml:2:19: weekday.tues: unknown key \"tues\" (did you mean \"tue\"?)");
    expect_profile_error("per_week: 70\nmonth: [1, 2, 3]\n",
                         "t.yaml:2:8: month: expected 12 numbers (January first), got 3");
    expect_profile_error("per_week: 70\nmonth: {jan: 0}\nweekday: {mon: 0, tue: 0, wed: 0, thu: 0, fri: 0, sat: 0, sun: 0}\n",
                         "t.yaml:3:10: weekday: expected at least one factor above 0 (all hours would be closed)");
    expect_profile_error("per_week: 70\ngrowth_per_year: -100%\n",
                         "t.yaml:2:18: growth_per_year: expected a growth above -100%, got \"-100%\"");
    expect_profile_error("per_week: 70\nweekday: {mon: 1}\nhour_of_week: [1]\n",
                         "t.yaml:3:15: hour_of_week: give weekday or hour_of_week, not both");
}

/* hour_run[h]: the hours from h, forward around the week, until the factor changes (168 if
 * it never does), against counting them one by one. */
static void test_hour_runs(void **state)
{
    (void)state;
    for (int c = 0; c < 4; c++) {
        sim_rate_profile p;
        sim_rate_profile_init(&p, 10.0);
        for (int h = 0; h < 168; h++) {
            double f = 1.0;
            if (c == 1)
                f = h / 24 < 5 && h % 24 >= 8 && h % 24 < 18 ? 2.0 : 0.5; /* weekday days */
            else if (c == 2)
                f = h < 3 || h > 160 ? 3.0 : 1.0;                         /* across the wrap */
            else if (c == 3)
                f = 1.0 + (h * 7 % 5 == 0);                               /* short runs */
            p.hour_of_week[h] = f;
        }
        assert_int_equal(sim_rate_profile_finish(&p), SIM_OK);
        for (int h = 0; h < 168; h++) {
            int n = 1;
            while (n < 168 && p.hour_of_week[(h + n) % 168] == p.hour_of_week[h])
                n++;
            if (p.hour_run[h] != n)
                print_error("case %d, hour %d: run %d, counted %d\n", c, h, p.hour_run[h], n);
            assert_int_equal(p.hour_run[h], n);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log1p_ratio),
        cmocka_unit_test(test_hour_of_week_profile),
        cmocka_unit_test(test_weekday_helper),
        cmocka_unit_test(test_monthly_factors),
        cmocka_unit_test(test_month_factors_keep_per_year),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_flat_is_poisson),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_constant_rate_one_draw),
        cmocka_unit_test(test_piecewise_is_inversion),
        cmocka_unit_test(test_growth_is_inversion),
        cmocka_unit_test(test_leap_february),
        cmocka_unit_test(test_from_node),
        cmocka_unit_test(test_from_node_errors),
        cmocka_unit_test(test_hour_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
