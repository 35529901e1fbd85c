/*
 * A specialty's case mix and sessions filled by minutes (docs/elective.md, "Case mix"):
 *   - two procedures of fixed length, 60 and 120 minutes, half the patients each, one 4-hour
 *     Monday list with no turnaround and no late start, a backlog that outlasts the run:
 *     filled by minutes, no list ever overruns (every list's booked minutes are at most 240
 *     and durations are exact), and a list holds 2 to 4 cases; by count at the mix's mean
 *     (90 minutes: 2 cases) the same theatre runs fewer cases;
 *   - the 120-minute procedure is the inpatient one (a stay): the inpatient cases are the
 *     120-minute ones, half of the cases run (binomial, 4 sd), and the lists' case minutes are
 *     exactly 60 a short case and 120 a long one;
 *   - lognormal durations with a late start: booked to 85% of the list, fewer than half the
 *     lists overrun (NHS data: lists finish early more often than they overrun), and far
 *     fewer than booked to 100%;
 *   - bad input: exact messages.
 */
#include "testutil.h"

#include "test_elective_support.h"

static const char *mix_yaml(const char *mix, const char *theatre_extra, const char *cases)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "%s"
             "    lists: {A: {backlog: {total: 3000, weeks: {0-52: 1}}}}\n"
             "theatres:\n"
             "  - site: SA\n"
             "    book_days_ahead: 7\n"
             "%s"
             "    sessions:\n"
             "      - {weekday: [mon, tue, wed, thu, fri], specialty: ortho, hours: 4%s}\n",
             mix, theatre_extra, cases);
    return buf;
}

static const char *fixed_mix = "    case_mix:\n"
                               "      - {name: short, share: 50%, minutes: {constant: 60}}\n"
                               "      - {name: long, share: 50%, minutes: {constant: 120},\n"
                               "         stay_days: {constant: 3}}\n";

static double theatre_minutes; /* in-theatre case minutes of the last run of totals() */

static void totals(const char *yaml, double days, double *sessions, double *cases,
                   double *overruns, double *inpatients)
{
    elt f;
    elt_open(&f, yaml, days, 0, false);
    sim_record *rec = elt_run(&f, 3, 0, NULL);
    *sessions = elt_series_sum(&f, rec, "sessions_run", 0);
    *cases = elt_series_sum(&f, rec, "cases", 0);
    *overruns = elt_series_sum(&f, rec, "overruns", 0);
    *inpatients = elt_series_sum(&f, rec, "inpatients", 0);
    /* Capped utilisation is in-list case minutes over planned minutes, month by month. */
    int util = elt_metric(&f, "capped_utilisation"), run = elt_metric(&f, "sessions_run");
    theatre_minutes = 0;
    for (size_t k = 0; k < sim_monitor_time_count(f.mon); k++) {
        double u = sim_record_get(rec, util, k, 0), n = sim_record_get(rec, run, k, 0);
        if (n > 0)
            theatre_minutes += u * 240.0 * n;
    }
    sim_record_free(rec);
    elt_close(&f);
}

static void test_fill_by_minutes(void **state)
{
    (void)state;
    double s, c, o, ip;
    totals(mix_yaml(fixed_mix, "", ""), 182, &s, &c, &o, &ip);
    assert_true(s > 100);
    assert_float_equal(o, 0, 0);
    assert_true(c >= 2 * s && c <= 4 * s);
    /* Patients are booked longest wait first and one who does not fit goes back to the head
     * of the list, so every patient is treated in turn whatever its procedure: the long
     * (inpatient) cases are half the cases run, binomially (300+ cases: 4 sd about 0.11). */
    double share_long = ip / c;
    assert_true(fabs(share_long - 0.5) < 4 * sqrt(0.25 / c));
    /* Each case took its procedure's minutes: 60 a short case, 120 a long one. */
    assert_float_equal(theatre_minutes, 60 * (c - ip) + 120 * ip, 1e-6 * c);
    /* By count at the mix's mean (90 minutes: 2 cases a list) fewer cases run. */
    double s2, c2, o2, ip2;
    totals(mix_yaml("    case_minutes: {constant: 90}\n", "", ""), 182, &s2, &c2, &o2, &ip2);
    assert_float_equal(s2, s, 0);
    assert_float_equal(c2, 2 * s2, 0);
    assert_true(c > c2 * 1.1);
    /* `cases` per session still fixes the count. */
    totals(mix_yaml(fixed_mix, "", ", cases: 1"), 182, &s2, &c2, &o2, &ip2);
    assert_float_equal(c2, s2, 0);
}

static void test_overruns(void **state)
{
    (void)state;
    const char *mix = "    case_mix:\n"
                      "      - {name: primary, share: 80%, minutes: {lognormal: {mean: 100, sd: 25}}}\n"
                      "      - {name: revision, share: 20%, minutes: {lognormal: {mean: 200, sd: 50}}}\n";
    const char *late = "    turnaround_minutes: 15\n"
                       "    start_delay_minutes: {lognormal: {mean: 20, sd: 15}}\n";
    char extra[512];
    double s, c, o, ip;
    snprintf(extra, sizeof extra, "%s    book_minutes: 85%%\n", late);
    totals(mix_yaml(mix, extra, ""), 364, &s, &c, &o, &ip);
    assert_true(s > 200);
    double at85 = o / s;
    totals(mix_yaml(mix, late, ""), 364, &s, &c, &o, &ip);
    double at100 = o / s;
    /* 250+ lists each: binomial sd about 0.03 each, 0.04 for the difference. */
    if (!(at85 < 0.5 && at85 < at100 - 0.16))
        fail_msg("overrun share booked to 85%%: %.3f, to 100%%: %.3f (expected under half, "
                 "and 4 sd below)", at85, at100);
}

static void test_errors(void **state)
{
    (void)state;
    struct sim_error err;
    char buf[512];
    elt f;
    const char *both = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    case_minutes: {constant: 60}\n"
                       "    case_mix: [{name: a, share: 1, minutes: {constant: 60}}]\n"
                       "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, both, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:6:15: specialties[0].case_mix: give case_mix or "
                             "case_minutes and inpatient, not both (a procedure has its own "
                             "minutes and stay)");
    elt_close(&f);
    const char *sum = "trusts:\n"
                      "  - {name: A, sites: [{code: SA}]}\n"
                      "specialties:\n"
                      "  - name: ortho\n"
                      "    case_mix: [{name: a, share: 50%, minutes: {constant: 60}},\n"
                      "               {name: b, share: 40%, minutes: {constant: 60}}]\n"
                      "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, sum, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:15: specialties[0].case_mix: expected procedure "
                             "shares that add up to 1, got 0.9");
    elt_close(&f);
    const char *twice = "trusts:\n"
                        "  - {name: A, sites: [{code: SA}]}\n"
                        "specialties:\n"
                        "  - name: ortho\n"
                        "    case_mix: [{name: a, share: 50%, minutes: {constant: 60}},\n"
                        "               {name: a, share: 50%, minutes: {constant: 60}}]\n"
                        "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, twice, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:6:23: specialties[0].case_mix[1].name: procedure \"a\" "
                             "is named twice");
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_by_minutes),
        cmocka_unit_test(test_overruns),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
