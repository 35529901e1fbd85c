/*
 * Capacity for particular months (treatments_by_month; core/dated_months.h): one
 * deterministic server treating 70 a week (0.1 days a case) from a backlog that outlasts the
 * run, with May 2023 closed and June at half. Treatments per month: April (28 days from the
 * 3rd, the first tick at 06:00) about 10 a day; May none but the one case that began on
 * 30 April and ends after midnight, if any; June half of 300; July back to 310.
 *
 * capacity_days: weekdays: the same 70 a week spread over Monday to Friday (14 a working
 * day, 0.0714 days a case, from 06:00 on the first: 10 that day): from Monday 3 April 2023 for four weeks,
 * with bank holidays, treatments fall on working days only (bar the case that runs past
 * midnight into the day off), none on Good Friday and Easter Monday (7 and 10 April) or on
 * 1 May beyond that, and a full week has 70.
 */
#include "testutil.h"

#include "test_elective_support.h"

/* One list of a deterministic server treating 70 a week from a 5,000 backlog, with `extra`
 * keys on the list. */
static const char *one_list(const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 5000, weeks: {0-52: 1}}\n"
             "        treatments_per_week: 70\n"
             "        service: deterministic\n"
             "        %s\n",
             extra);
    return buf;
}

static void test_closed_month(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, one_list("treatments_by_month: {2023-05: 0, 2023-06: 0.5}"), 120, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    int id = elt_metric(&f, "treatments");
    double apr = sim_record_get(rec, id, 1, 0), may = sim_record_get(rec, id, 2, 0),
           jun = sim_record_get(rec, id, 3, 0), jul = sim_record_get(rec, id, 4, 0);
    assert_true(fabs(apr - 278) <= 2);
    assert_true(may <= 1);
    assert_true(fabs(jun - 150) <= 2);
    assert_true(fabs(jul - 310) <= 2);
    sim_record_free(rec);
    elt_close(&f);
}

static void test_from_csv(void **state)
{
    (void)state;
    const char *dir = tu_tmpdir("elective-dated");
    char csv[512];
    snprintf(csv, sizeof csv, "%s/strikes.csv", dir);
    tu_write_file(csv, "month,factor\n2023-05,0\n");
    char key[600];
    snprintf(key, sizeof key, "treatments_by_month: %s", csv);
    elt f;
    elt_open(&f, one_list(key), 70, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    assert_true(sim_record_get(rec, elt_metric(&f, "treatments"), 2, 0) <= 1);
    sim_record_free(rec);
    elt_close(&f);
}

typedef struct by_day {
    int n[40];
} by_day;

static void count_day(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)uid;
    (void)wait;
    by_day *b = ctx;
    if (t < 40)
        b->n[(int)t]++;
}

static void test_weekdays(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, one_list("capacity_days: weekdays"), 35, 0, true);
    by_day b = {{0}};
    el_run_hooks hooks = {.on_treated = count_day, .ctx = &b};
    sim_record *rec = elt_run(&f, 1, 0, &hooks);
    /* Day 0 is Monday 3 April; days 4 and 7 Good Friday and Easter Monday, day 28 the May
     * Day holiday. A day off has at most the case that ran past midnight into it. */
    for (int d = 0; d < 35; d++) {
        int wd = d % 7;
        bool off = d == 4 || d == 7 || d == 28 || wd >= 5;
        bool after_off = d == 5 || d == 6 || d == 8 || d == 29 || wd == 6 || wd == 0;
        if (off)
            assert_true(b.n[d] <= (d == 6 || d == 7 || wd == 6 ? 0 : 1));
        else if (d == 0)
            assert_int_equal(b.n[d], 10); /* from 06:00: 18 h / (24 h / 14) = 10.5 */
        else
            assert_true(b.n[d] >= 13 && b.n[d] <= 14 + !after_off);
    }
    int week3 = 0;
    for (int d = 14; d < 21; d++)
        week3 += b.n[d];
    assert_true(abs(week3 - 70) <= 1);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_month),
        cmocka_unit_test(test_from_csv),
        cmocka_unit_test(test_weekdays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
