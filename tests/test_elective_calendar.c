/*
 * The elective model and the calendar:
 *   - monthly referral factors are weighted by month length, so `per_year` is the annual
 *     mean whatever the factors (a plain 12-month mean was 0.09% off here, about 0.6% for
 *     winter-heavy profiles);
 *   - theatre sessions in the first `book_days_ahead` days of a run are booked from the
 *     backlog at the start and held (they used never to be booked).
 */
#include "testutil.h"

#include "core/arrivals.h"
#include "test_elective_support.h"

/*
 * Four years from 3 April 2023 hold every calendar month four times, with 113 February
 * days (2024 is a leap year) = 4 x 28.25: the expected referrals are exactly 4 x per_year
 * when the factors f have sum(days_m x f_m) = 365.25, whatever their shape.
 */
static void test_month_factors_weighted_by_length(void **state)
{
    (void)state;
    elt f;
    elt_open(&f,
             "trusts:\n"
             "  - {name: A, sites: [{code: A1}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        referrals: {per_year: 10000, month: {jan: 2, feb: 1.5, dec: 1.3}}\n"
             "        treatments_per_week: 500\n",
             1461, 0, false);
    const sim_rate_profile *p = &f.cfg->lists[0].referrals;
    double n = sim_rate_integral(p, &f.cfg->cal, 0, 1461);
    assert_float_equal(n / 4, 10000, 1e-6);
    /* The shape is kept: January twice a flat month. */
    assert_float_equal(p->month[0] / p->month[3], 2.0, 1e-12);
    assert_float_equal(p->max_month_factor, p->month[0], 1e-12);
    elt_close(&f);
}

/*
 * Sessions every weekday, two fixed cases each, booked 14 days ahead, a backlog far larger
 * than the month's capacity and no cancellations: the four weeks from Monday 3 April hold
 * 4 x 5 x 2 = 40 sessions and 80 cases, the first two weeks' included.
 */
static void test_sessions_held_from_day_zero(void **state)
{
    (void)state;
    elt f;
    elt_open(&f,
             "trusts:\n"
             "  - {name: A, sites: [{code: A1}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    priority_mix: {P1: 0.1, P4: 0.9}\n"
             "    case_minutes: 90\n"
             "    lists:\n"
             "      A: {backlog: {total: 2000, weeks: {0-40: 1}, priority_mix: {P1: 0.1, P4: 0.9}}}\n"
             "theatres:\n"
             "  - site: A1\n"
             "    book_days_ahead: 14\n"
             "    p1_share: 0.5\n"
             "    sessions:\n"
             "      - {weekday: [mon, tue, wed, thu, fri], specialty: ortho, hours: 4, count: 2,\n"
             "         trust: A, cases: 2}\n",
             28, 0, false);
    int g = elt_group(&f, "A/ortho");
    sim_record *rec = elt_run(&f, 3, 0, NULL);
    assert_float_equal(elt_series_sum(&f, rec, "sessions_run", g), 40, 0);
    assert_float_equal(elt_series_sum(&f, rec, "cases", g), 80, 0);
    assert_float_equal(elt_series_sum(&f, rec, "treatments", g), 80, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Monthly capacity factors (treatments_month): one deterministic server at 7 a week with
 * January twice a flat month, the factors scaled to a day-weighted mean of 1
 * (k = 365.25 / (365.25 + 31)): a month of d days treats d x f x k patients, to within
 * one service at each month boundary (a service takes the factor of the month it starts in).
 */
static void test_capacity_month_factors(void **state)
{
    (void)state;
    elt f;
    elt_open(&f,
             "trusts:\n"
             "  - {name: A, sites: [{code: A1}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 2000, weeks: {0-40: 1}}\n"
             "        treatments_per_week: 7\n"
             "        service: deterministic\n"
             "        treatments_month: {jan: 2}\n",
             364, 0, false);
    int g = elt_group(&f, "A/ortho");
    int m = elt_metric(&f, "treatments");
    sim_record *rec = elt_run(&f, 3, 0, NULL);
    const double k = 365.25 / (365.25 + 31);
    /* Snapshots: 2023-05-01 (April from the 3rd: 28 days), then whole months. */
    static const double days[] = {28, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        double fm = i == 9 ? 2.0 : 1.0; /* January 2024 is the 10th month */
        double n = sim_record_get(rec, m, i + 1, (size_t)g);
        if (fabs(n - days[i] * fm * k) > 2.0)
            fail_msg("month %zu: %g treatments, expected %g", i + 1, n, days[i] * fm * k);
    }
    assert_float_equal(f.cfg->lists[0].treatments_month[0], 2 * k, 1e-12);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_factors_weighted_by_length),
        cmocka_unit_test(test_sessions_held_from_day_zero),
        cmocka_unit_test(test_capacity_month_factors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
