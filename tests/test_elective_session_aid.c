/*
 * Mutual aid as practised: a partner gives theatre sessions to another trust's patients
 * (docs/elective.md, "Mutual aid"). Trust A (site SA) has one Monday list, trust B (site SB)
 * a Tuesday list for its own patients and, from Monday 17 April 2023, a Thursday list at SB
 * given to A's patients (`trust: A` on B's theatre). Two 100-minute cases a list, no
 * cancellations or late starts, 3 April to 31 May (59 days, two month ends), no bank
 * holidays: A treats 2 x 9 on its Mondays plus 2 x 6 on the given Thursdays (days 17 ... 52)
 * = 30, of whom the 12 treated at SB count as moved to another trust; B still treats its own
 * 2 x 9 = 18; without the given list A treats 18.
 */
#include "testutil.h"

#include "test_elective_support.h"

static const char *yaml(bool given)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "  - {name: B, sites: [{code: SB}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    case_minutes: {constant: 100}\n"
             "    lists:\n"
             "      A: {backlog: {total: 500, weeks: {0-52: 1}}}\n"
             "      B: {backlog: {total: 500, weeks: {0-52: 1}}}\n"
             "theatres:\n"
             "  - site: SA\n"
             "    sessions:\n"
             "      - {weekday: mon, specialty: ortho, hours: 4, cases: 2}\n"
             "  - site: SB\n"
             "    sessions:\n"
             "      - {weekday: tue, specialty: ortho, hours: 4, cases: 2}\n"
             "%s",
             given ? "      - {weekday: thu, specialty: ortho, hours: 4, cases: 2, trust: A,\n"
                     "         from: 2023-04-17}\n"
                   : "");
    return buf;
}

static void run(bool given, double *a, double *b, double *moved_a)
{
    elt f;
    elt_open(&f, yaml(given), 59, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    int ga = elt_group(&f, "A/ortho"), gb = elt_group(&f, "B/ortho");
    *a = elt_series_sum(&f, rec, "treatments", ga);
    *b = elt_series_sum(&f, rec, "treatments", gb);
    *moved_a = sim_record_get(rec, elt_metric(&f, "patients_moved"), 0, (size_t)ga);
    sim_record_free(rec);
    elt_close(&f);
}

static void test_sessions_given(void **state)
{
    (void)state;
    double a, b, moved;
    run(false, &a, &b, &moved);
    assert_float_equal(a, 18, 0);
    assert_float_equal(b, 18, 0);
    assert_float_equal(moved, 0, 0);
    run(true, &a, &b, &moved);
    assert_float_equal(a, 30, 0);
    assert_float_equal(b, 18, 0);
    assert_float_equal(moved, 12, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sessions_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
