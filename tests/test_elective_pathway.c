/*
 * The two-stage pathway (decision_to_admit) against queueing theory. Referrals Poisson at
 * lambda = 1 a day all start in the outpatient stage: one exponential clinic server at
 * mu1 = 1.4 a day (9.8 a week). A share d = 40% of attendances are decisions to admit: the
 * patient joins the admitted list with its clock running, served by one exponential server
 * at mu2 = 0.6 a day (4.2 a week); the rest are non-admitted clock stops. The clinic's
 * departures are Poisson (Burke), thinned to lambda d = 0.4 a day, so the stages are
 * M/M/1 queues in tandem (Jackson):
 *   L = rho1 / (1 - rho1) + rho2 / (1 - rho2) = 2.5 + 2 = 4.5 incomplete pathways;
 *   wait to a non-admitted clock stop 1 / (mu1 - lambda) = 2.5 days, to an admitted one
 *   2.5 + 1 / (mu2 - lambda d) = 7.5 days, all clock stops 0.6 x 2.5 + 0.4 x 7.5 = 4.5;
 *   clock stops by stage 0.6 and 0.4 a day; decisions to admit 0.4 a day.
 * Tolerances: 1.5 x the 95% confidence half-width across replications (tu_within).
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 20
#define HORIZON 10000.0
#define WARMUP 300.0

static const char *tandem_yaml(const char *dta)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    %s\n"
             "    priority_mix: {P2: 0.3, P3: 0.3, P4: 0.4}\n"
             "    lists:\n"
             "      A:\n"
             "        referrals: {per_day: 1}\n"
             "        non_admitted_per_week: 9.8\n"
             "        treatments_per_week: 4.2\n",
             dta);
    return buf;
}

static void test_two_stage_tandem(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, tandem_yaml("decision_to_admit: 40%"), HORIZON, WARMUP, false);
    int g = elt_group(&f, "A/ortho");
    int m_wait = elt_metric(&f, "mean_wait_treated_weeks");
    int m_size = elt_metric(&f, "mean_waiting_list_size");
    double w[REPS], size[REPS], dta[REPS], na[REPS], adm[REPS], refs[REPS];
    double days = HORIZON;
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 8, (uint64_t)r, NULL);
        w[r] = sim_record_get(rec, m_wait, 0, (size_t)g) * 7.0;
        size[r] = sim_record_get(rec, m_size, 0, (size_t)g);
        dta[r] = elt_series_sum(&f, rec, "decisions_to_admit", g) / days;
        na[r] = elt_series_sum(&f, rec, "clock_stops_non_admitted", g) / days;
        adm[r] = elt_series_sum(&f, rec, "clock_stops_admitted", g) / days;
        refs[r] = elt_series_sum(&f, rec, "admitted_referrals", g);
        assert_float_equal(refs[r], 0, 0); /* no referral is admitted at referral */
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(size, REPS, &s);
    assert_true(s.half_width < 0.05 * 4.5);
    assert_true(tu_within("incomplete pathways", s.mean, 4.5, s.half_width, 1.5));
    sim_summarise(w, REPS, &s);
    assert_true(tu_within("wait to clock stop (days)", s.mean, 4.5, s.half_width, 1.5));
    sim_summarise(dta, REPS, &s);
    assert_true(tu_within("decisions to admit a day", s.mean, 0.4, s.half_width, 1.5));
    sim_summarise(na, REPS, &s);
    assert_true(tu_within("non-admitted clock stops a day", s.mean, 0.6, s.half_width, 1.5));
    sim_summarise(adm, REPS, &s);
    assert_true(tu_within("admitted clock stops a day", s.mean, 0.4, s.half_width, 1.5));
    elt_close(&f);
}

static void test_two_stage_errors(void **state)
{
    (void)state;
    struct sim_error err;
    char buf[512];
    elt f;
    const char *no_clinic = "trusts:\n"
                            "  - {name: A, sites: [{code: SA}]}\n"
                            "specialties:\n"
                            "  - name: ortho\n"
                            "    decision_to_admit: 40%\n"
                            "    lists:\n"
                            "      A: {referrals: {per_day: 1}, treatments_per_week: 4}\n";
    assert_int_equal(elt_open_rc(&f, no_clinic, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:7:10: specialties[0].lists.A: a two-stage pathway "
                             "(decision_to_admit) needs non_admitted_per_week (outpatient "
                             "attendances a week) for the list");
    elt_close(&f);
    const char *both = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    admitted_share: 20%\n"
                       "    decision_to_admit: 40%\n"
                       "    lists:\n"
                       "      A: {referrals: {per_day: 1}, treatments_per_week: 4}\n";
    assert_int_equal(elt_open_rc(&f, both, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:21: specialties[0].admitted_share: expected either "
                             "admitted_share (one stage) or decision_to_admit (two stages), "
                             "not both");
    elt_close(&f);
}

/*
 * Backlog priorities consistent with waits (priority_by_wait): a mix of 25% each and four
 * bands of 2,000 admitted pathways: under 3 days (any priority), 1-4 weeks (past P1's 72
 * hours: P2-P4, a third each), 5-12 weeks (past P2's month: P3, P4, half each), 14-40 weeks
 * (past P3's three months: P4). Expected by priority at the start: P1 500, P2 1,166.7,
 * P3 2,166.7, P4 4,166.7; without the key 2,000 each. Tolerance 4 multinomial sd.
 */
static void test_backlog_priorities_by_wait(void **state)
{
    (void)state;
    const char *base = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 8000, priority_mix: {P1: 0.25, P2: 0.25, P3: 0.25,\n"
                       "                  P4: 0.25}, weeks: {0-0.4: 0.25, 1-4: 0.25, 5-12: 0.25,\n"
                       "                  14-40: 0.25}%s}\n";
    const double by_wait[4] = {500, 500 + 2000.0 / 3, 500 + 2000.0 / 3 + 1000,
                               500 + 2000.0 / 3 + 1000 + 2000};
    const double plain[4] = {2000, 2000, 2000, 2000};
    for (int k = 0; k < 2; k++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml, base, k ? ", priority_by_wait: true" : "");
        elt f;
        elt_open(&f, yaml, 1, 0, false);
        int g = elt_group(&f, "A/ortho");
        sim_record *rec = elt_run(&f, 6, 0, NULL);
        static const char *const names[4] = {"admitted_waiting_p1", "admitted_waiting_p2",
                                             "admitted_waiting_p3", "admitted_waiting_p4"};
        double total = 0;
        for (int p = 0; p < 4; p++) {
            double n = sim_record_get(rec, elt_metric(&f, names[p]), 0, (size_t)g);
            double e = k ? by_wait[p] : plain[p];
            total += n;
            assert_true(tu_within(names[p], n, e, 4 * sqrt(e * (1 - e / 8000)), 1.0));
        }
        assert_float_equal(total, 8000, 0);
        sim_record_free(rec);
        elt_close(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_stage_tandem),
        cmocka_unit_test(test_two_stage_errors),
        cmocka_unit_test(test_backlog_priorities_by_wait),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
