/*
 * Capacity for particular months (treatments_by_month; core/dated_months.h): one
 * deterministic server treating 70 a week (0.1 days a case) from a backlog that outlasts the
 * run, with May 2023 closed and June at half. Treatments per month: April (28 days from the
 * 3rd, the first tick at 06:00) about 10 a day; May none but the one case that began on
 * 30 April and ends after midnight, if any; June half of 300; July back to 310.
 */
#include "testutil.h"

#include "test_elective_support.h"

static void test_closed_month(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 5000, weeks: {0-52: 1}}\n"
                       "        treatments_per_week: 70\n"
                       "        service: deterministic\n"
                       "        treatments_by_month: {2023-05: 0, 2023-06: 0.5}\n";
    elt f;
    elt_open(&f, yaml, 120, 0, false);
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
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 5000, weeks: {0-52: 1}}\n"
             "        treatments_per_week: 70\n"
             "        service: deterministic\n"
             "        treatments_by_month: %s\n",
             csv);
    elt f;
    elt_open(&f, yaml, 70, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    assert_true(sim_record_get(rec, elt_metric(&f, "treatments"), 2, 0) <= 1);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_month),
        cmocka_unit_test(test_from_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
