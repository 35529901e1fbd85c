/*
 * tests/test_calendar.c: civil dates, weekdays, month ends and bank holidays.
 *
 * The holiday lists are checked against the dates published on gov.uk for England and
 * Wales, the weekdays against known dates.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/error.h"

/* cmocka 1.1 compares only floats; doubles need their own check. */
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

static void test_known_days(void **state)
{
    (void)state;
    assert_int_equal(sim_date_to_days(D(1970, 1, 1)), 0);
    assert_int_equal(sim_date_to_days(D(1969, 12, 31)), -1);
    assert_int_equal(sim_date_to_days(D(2000, 3, 1)), 11017);
    assert_int_equal(sim_date_to_days(D(2023, 4, 1)), 19448);
    /* 12 Apr 2023, the first day of the UCCH pilot, was a Wednesday. */
    assert_int_equal(sim_date_weekday(D(2023, 4, 12)), 2);
    assert_int_equal(sim_date_weekday(D(1970, 1, 1)), 3);
    assert_int_equal(sim_date_weekday(D(2000, 1, 1)), 5);
    assert_int_equal(sim_date_weekday(D(2024, 12, 25)), 2);
    assert_int_equal(sim_date_weekday(D(1900, 1, 1)), 0);
}

static void test_round_trip(void **state)
{
    (void)state;
    /* Every day from 1599-12-31 to about 2430, checking continuity and the weekday cycle. */
    int64_t first = sim_date_to_days(D(1599, 12, 31));
    sim_date prev = sim_date_from_days(first);
    assert_int_equal(prev.year, 1599);
    assert_int_equal(prev.month, 12);
    assert_int_equal(prev.day, 31);
    int prev_wd = sim_date_weekday(prev);
    for (int64_t x = first + 1; x < first + 300000; x++) {
        sim_date d = sim_date_from_days(x);
        assert_true(sim_date_valid(d));
        assert_int_equal(sim_date_to_days(d), x);
        /* The next day of prev: same month and day+1, or the first of the next month. */
        if (d.day == 1) {
            assert_int_equal(prev.day, sim_days_in_month(prev.year, prev.month));
            assert_int_equal(d.month, prev.month == 12 ? 1 : prev.month + 1);
            assert_int_equal(d.year, prev.month == 12 ? prev.year + 1 : prev.year);
        } else {
            assert_int_equal(d.day, prev.day + 1);
            assert_int_equal(d.month, prev.month);
            assert_int_equal(d.year, prev.year);
        }
        int wd = sim_date_weekday(d);
        assert_int_equal(wd, (prev_wd + 1) % 7);
        prev = d;
        prev_wd = wd;
    }
    /* Far away and negative years still round trip. */
    for (int64_t x = -3000000; x < 3000000; x += 997)
        assert_int_equal(sim_date_to_days(sim_date_from_days(x)), x);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_int_equal(sim_days_in_month(2024, 2), 29);
    assert_int_equal(sim_days_in_month(2023, 2), 28);
    assert_int_equal(sim_days_in_month(2000, 2), 29);
    assert_int_equal(sim_days_in_month(1900, 2), 28);
    assert_int_equal(sim_days_in_month(2100, 2), 28);
    assert_true(sim_date_valid(D(2024, 2, 29)));
    assert_false(sim_date_valid(D(2023, 2, 29)));
    assert_false(sim_date_valid(D(1900, 2, 29)));
    assert_false(sim_date_valid(D(2023, 4, 31)));
    assert_false(sim_date_valid(D(2023, 13, 1)));
    assert_false(sim_date_valid(D(2023, 0, 1)));
    assert_false(sim_date_valid(D(2023, 1, 0)));
    assert_int_equal(sim_date_to_days(D(2025, 1, 1)) - sim_date_to_days(D(2024, 1, 1)), 366);
    assert_int_equal(sim_date_to_days(D(2101, 1, 1)) - sim_date_to_days(D(2100, 1, 1)), 365);
    assert_int_equal(sim_date_to_days(D(2001, 1, 1)) - sim_date_to_days(D(2000, 1, 1)), 366);
}

static void test_parse_format(void **state)
{
    (void)state;
    sim_date d;
    assert_int_equal(sim_date_parse("2023-04-12", &d), SIM_OK);
    assert_int_equal(d.year, 2023);
    assert_int_equal(d.month, 4);
    assert_int_equal(d.day, 12);
    assert_int_equal(sim_date_parse("2024-02-29", &d), SIM_OK);
    const char *bad[] = {"2023-02-29", "2023-4-12", "2023-04-12x", "2023/04/12", "23-04-12",
                         "2023-04-1", "", "2023-00-10", "2023-04-31", "abcd-ef-gh", " 2023-04-12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sim_date_parse(bad[i], &d), SIM_EINVAL);
    char buf[11];
    sim_date_format(D(2023, 4, 1), buf);
    assert_string_equal(buf, "2023-04-01");
    sim_date_format(D(987, 12, 31), buf);
    assert_string_equal(buf, "0987-12-31");
}

/* Compare the built-in list of `year` with "YYYY-MM-DD" strings. */
static void check_year(int year, const char *const *expected, size_t n)
{
    sim_date got[20];
    size_t k = sim_bank_holidays_england_wales(year, got, 20);
    char buf[11];
    for (size_t i = 0; i < k; i++) {
        sim_date_format(got[i], buf);
        if (i >= n || strcmp(buf, expected[i]) != 0)
            fail_msg("%d: holiday %zu is %s, expected %s", year, i, buf, i < n ? expected[i] : "none");
    }
    if (k != n)
        fail_msg("%d: %zu holidays, expected %zu", year, k, n);
}

static void test_bank_holidays_known_years(void **state)
{
    (void)state;
    const char *y2023[] = {"2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08",
                           "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"};
    check_year(2023, y2023, 9);
    const char *y2022[] = {"2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02",
                           "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"};
    check_year(2022, y2022, 10);
    const char *y2020[] = {"2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08",
                           "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"};
    check_year(2020, y2020, 8);
    const char *y2024[] = {"2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06",
                           "2024-05-27", "2024-08-26", "2024-12-25", "2024-12-26"};
    check_year(2024, y2024, 8);
    const char *y2021[] = {"2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03",
                           "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"};
    check_year(2021, y2021, 8);
    const char *y2012[] = {"2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04",
                           "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"};
    check_year(2012, y2012, 9);
    const char *y2011[] = {"2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02",
                           "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"};
    check_year(2011, y2011, 9);
    const char *y2002[] = {"2002-01-01", "2002-03-29", "2002-04-01", "2002-05-06", "2002-06-03",
                           "2002-06-04", "2002-08-26", "2002-12-25", "2002-12-26"};
    check_year(2002, y2002, 9);
    const char *y1999[] = {"1999-01-01", "1999-04-02", "1999-04-05", "1999-05-03", "1999-05-31",
                           "1999-08-30", "1999-12-27", "1999-12-28", "1999-12-31"};
    check_year(1999, y1999, 9);
    const char *y1995[] = {"1995-01-02", "1995-04-14", "1995-04-17", "1995-05-08",
                           "1995-05-29", "1995-08-28", "1995-12-25", "1995-12-26"};
    check_year(1995, y1995, 8);
    /* 2015: Christmas on a Friday, so Boxing Day (Saturday) moves to Monday 28. */
    const char *y2015[] = {"2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04",
                           "2015-05-25", "2015-08-31", "2015-12-25", "2015-12-28"};
    check_year(2015, y2015, 8);
    /* 2016: Christmas on a Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27. */
    const char *y2016[] = {"2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02",
                           "2016-05-30", "2016-08-29", "2016-12-26", "2016-12-27"};
    check_year(2016, y2016, 8);

    assert_int_equal(sim_bank_holidays_england_wales(1994, NULL, 0), 0);
    assert_int_equal(sim_bank_holidays_england_wales(2100, NULL, 0), 0);
    /* Only max are written, but the count is the full one. */
    sim_date two[2];
    assert_int_equal(sim_bank_holidays_england_wales(2022, two, 2), 10);
    assert_int_equal(two[1].month, 4);
    assert_int_equal(two[1].day, 15);
}

static void test_bank_holiday_rules_all_years(void **state)
{
    (void)state;
    /* Every year: sorted, on weekdays, and the Easter pair three days apart in Mar/Apr. */
    for (int y = 1995; y <= 2099; y++) {
        sim_date h[20];
        size_t n = sim_bank_holidays_england_wales(y, h, 20);
        assert_true(n >= 8 && n <= 10);
        for (size_t i = 0; i < n; i++) {
            assert_true(sim_date_valid(h[i]));
            assert_int_equal(h[i].year, y);
            assert_true(sim_date_weekday(h[i]) < 5);
            if (i > 0)
                assert_true(sim_date_to_days(h[i]) > sim_date_to_days(h[i - 1]));
        }
        /* Good Friday and Easter Monday: the first Friday followed by a Monday 3 days on. */
        int found = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (sim_date_weekday(h[i]) == 4 && h[i].month >= 3 && h[i].month <= 4 &&
                sim_date_to_days(h[i + 1]) - sim_date_to_days(h[i]) == 3)
                found = 1;
        assert_true(found);
    }
    /* Early and late Easters: 23 March 2008 and 25 April 2038. */
    sim_date h[20];
    size_t n = sim_bank_holidays_england_wales(2008, h, 20);
    assert_true(n > 2);
    assert_int_equal(h[1].month, 3);
    assert_int_equal(h[1].day, 21);
    n = sim_bank_holidays_england_wales(2038, h, 20);
    assert_int_equal(h[2].month, 4);
    assert_int_equal(h[2].day, 26);
}

static void test_calendar_queries(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    assert_int_equal(cal.start_weekday, 5); /* a Saturday */
    assert_int_equal(sim_calendar_weekday(&cal, 0.5), 5);
    assert_int_equal(sim_calendar_weekday(&cal, 11.0), 2); /* 12 Apr 2023 */
    sim_date d = sim_calendar_date(&cal, 11.99);
    assert_int_equal(d.day, 12);
    assert_int_equal(d.month, 4);
    assert_near(sim_calendar_hour(&cal, 11.5), 12.0, 1e-9);
    /* Wednesday 08:30 is hour 2 * 24 + 8 of the week. */
    assert_int_equal(sim_calendar_hour_of_week(&cal, 11.0 + 8.5 / 24), 56);
    assert_int_equal(sim_calendar_hour_of_week(&cal, 2.0), 0);        /* Monday 00:00 */
    assert_int_equal(sim_calendar_hour_of_week(&cal, 1.0 + 23.5 / 24), 167);
    assert_int_equal(sim_calendar_month(&cal, 30.0), 5);
    assert_int_equal(sim_calendar_month(&cal, 29.999), 4);
    assert_true(sim_calendar_is_holiday(&cal, 6.2));   /* Good Friday, 7 Apr 2023 */
    assert_true(sim_calendar_is_holiday(&cal, 9.0));   /* Easter Monday */
    assert_false(sim_calendar_is_holiday(&cal, 8.0));  /* Easter Sunday: a weekend, not a bank holiday */
    assert_true(sim_calendar_date_is_holiday(&cal, D(2023, 5, 8)));
    assert_true(sim_calendar_date_is_holiday(&cal, D(1995, 1, 2)));
    assert_true(sim_calendar_date_is_holiday(&cal, D(2099, 12, 25)));
    assert_false(sim_calendar_date_is_holiday(&cal, D(2023, 5, 9)));
    assert_near(sim_calendar_time_of(&cal, D(2023, 5, 1)), 30.0, 0);
    assert_near(sim_calendar_time_of(&cal, D(2023, 3, 31)), -1.0, 0);
    /* The table is sorted: 105 years of 8 to 10 holidays. */
    assert_true(cal.n_holidays >= 105 * 8 && cal.n_holidays <= 105 * 10);
    for (size_t i = 1; i < cal.n_holidays; i++)
        assert_true(cal.holidays[i] > cal.holidays[i - 1]);
    sim_calendar_fini(&cal);
    assert_null(cal.holidays);
    assert_int_equal(sim_calendar_init(&cal, D(2023, 2, 29)), SIM_EINVAL);
    sim_calendar_fini(&cal);
}

static void test_set_add_holidays(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    sim_date extra[] = {D(2023, 6, 14), D(2023, 5, 8), D(2023, 6, 13), D(2023, 6, 14)};
    size_t before = cal.n_holidays;
    assert_int_equal(sim_calendar_add_holidays(&cal, extra, 4), SIM_OK);
    /* 8 May was already there and 14 June is given twice: two new days. */
    assert_int_equal(cal.n_holidays, before + 2);
    assert_true(sim_calendar_date_is_holiday(&cal, D(2023, 6, 13)));
    assert_true(sim_calendar_date_is_holiday(&cal, D(2023, 6, 14)));
    assert_true(sim_calendar_date_is_holiday(&cal, D(2023, 12, 25)));
    for (size_t i = 1; i < cal.n_holidays; i++)
        assert_true(cal.holidays[i] > cal.holidays[i - 1]);

    assert_int_equal(sim_calendar_set_holidays(&cal, extra, 4), SIM_OK);
    assert_int_equal(cal.n_holidays, 3);
    assert_int_equal(cal.holidays[0], sim_date_to_days(D(2023, 5, 8)));
    assert_int_equal(cal.holidays[2], sim_date_to_days(D(2023, 6, 14)));
    assert_false(sim_calendar_date_is_holiday(&cal, D(2023, 12, 25)));
    assert_true(sim_calendar_date_is_holiday(&cal, D(2023, 6, 13)));

    sim_date bad[] = {D(2023, 2, 30)};
    assert_int_equal(sim_calendar_add_holidays(&cal, bad, 1), SIM_EINVAL);
    assert_int_equal(cal.n_holidays, 3);
    assert_int_equal(sim_calendar_set_holidays(&cal, NULL, 0), SIM_OK);
    assert_int_equal(cal.n_holidays, 0);
    assert_false(sim_calendar_date_is_holiday(&cal, D(2023, 5, 8)));
    sim_calendar_fini(&cal);
}

static void test_month_ends(void **state)
{
    (void)state;
    sim_calendar cal;
    assert_int_equal(sim_calendar_init(&cal, D(2023, 4, 1)), SIM_OK);
    double t[40];
    /*
     * Over 730 days from 1 Apr 2023, [0, 730] ends at 00:00 on 31 Mar 2025 (2024 is a leap
     * year), so the last first-of-month inside is 1 Mar 2025: 0 plus 23 month ends.
     */
    size_t n = sim_calendar_month_ends(&cal, 730, t, 40);
    assert_int_equal(n, 24);
    const double expect[] = {0, 30, 61, 91, 122, 153, 183, 214, 244, 275, 306, 335,
                             366, 396, 427, 457, 488, 519, 549, 580, 610, 641, 672, 700};
    for (size_t i = 0; i < n; i++)
        assert_near(t[i], expect[i], 0);
    /* Snapshot k closes the month of the day before it. */
    sim_date last = sim_calendar_date(&cal, t[1] - 1);
    assert_int_equal(last.month, 4);
    assert_int_equal(last.day, 30);
    last = sim_calendar_date(&cal, t[23] - 1);
    assert_int_equal(last.year, 2025);
    assert_int_equal(last.month, 2);
    assert_int_equal(last.day, 28);
    /* A horizon of 731 days reaches 1 Apr 2025, closing March 2025: 25 snapshots. */
    n = sim_calendar_month_ends(&cal, 731, t, 40);
    assert_int_equal(n, 25);
    assert_near(t[24], 731, 0);
    /* Counting beyond max. */
    assert_int_equal(sim_calendar_month_ends(&cal, 730, t, 3), 24);
    assert_int_equal(sim_calendar_month_ends(&cal, 29.5, t, 40), 1);
    sim_calendar_fini(&cal);

    /* A start in mid-month: the first snapshot after 0 is the next first of a month. */
    assert_int_equal(sim_calendar_init(&cal, D(2023, 12, 15)), SIM_OK);
    n = sim_calendar_month_ends(&cal, 60, t, 40);
    assert_int_equal(n, 3);
    assert_near(t[1], 17, 0);
    assert_near(t[2], 48, 0);
    sim_calendar_fini(&cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_days),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_bank_holidays_known_years),
        cmocka_unit_test(test_bank_holiday_rules_all_years),
        cmocka_unit_test(test_calendar_queries),
        cmocka_unit_test(test_set_add_holidays),
        cmocka_unit_test(test_month_ends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
