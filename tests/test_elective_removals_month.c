/*
 * Removals by month (removals.by_month, outpatient_removals.by_month) with exact expected
 * counts. A list with removals only (no referrals, no capacity) loses each patient on a day
 * with the daily probability q of its month's hazard h_m = per_month x factor, with
 * (1 - q)^(365.25 / 12) = 1 - h_m, and the daily tick draws exactly that (el_run.c). So from
 * N0 the expected list at a month end is N0 prod over the days before it of (1 - q(day)):
 * N0 (1 - h_m)^(days / (365.25 / 12)) month by month. The run starts on Monday 3 April 2023
 * (28 days of April). A month whose factor is 0 removes no one: the count is the same at its
 * start and its end, exactly, in every replication.
 *
 * The outpatient stage's clinic is closed every month (non_admitted_by_month 0).
 * Stages: 10,000 admitted and 10,000 outpatient-stage pathways; removals 10% a month with
 * by_month {2023-05: 2, 2023-06: 0}, the outpatient stage 5% a month with {2023-06: 3,
 * 2023-07: 0}. Tolerance: 1.5 x the 95% half-width over 20 replications.
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 20

static const char *yaml_with(const char *adm_by_month, const char *op_by_month)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ent\n"
             "    removals: {per_month: 10%%%s}\n"
             "    outpatient_removals: {per_month: 5%%%s}\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 20000, admitted_share: 0.5, weeks: {0-10: 1}}\n"
             "        non_admitted_per_week: 1\n"
             "        non_admitted_by_month: {2023-04: 0, 2023-05: 0, 2023-06: 0, 2023-07: 0}\n",
             adm_by_month, op_by_month);
    return buf;
}

/* Expected survivors of a stage after `days` days at monthly hazard h. */
static double survive(double h, double days)
{
    return pow(1.0 - h, days / (365.25 / 12.0));
}

static void test_removals_by_month(void **state)
{
    (void)state;
    elt f;
    elt_open(&f,
             yaml_with(", by_month: {2023-05: 2, 2023-06: 0}",
                       ", by_month: {2023-06: 3, 2023-07: 0}"),
             28 + 31 + 30 + 31, 0, false);
    int g = elt_group(&f, "A/ent");
    int m_size = elt_metric(&f, "waiting_list_size");
    int m_adm = elt_metric(&f, "admitted_waiting_p4");
    assert_int_equal(sim_monitor_time_count(f.mon), 5);
    /* Snapshot 0 is the start; then the month ends: April (28 days), May (31), June (30), July (31). */
    const double days[4] = {28, 31, 30, 31};
    const double h_adm[4] = {0.10, 0.20, 0.0, 0.10}, h_op[4] = {0.05, 0.05, 0.15, 0.0};
    double e_adm[4], e_op[4], a = 10000, o = 10000;
    for (int k = 0; k < 4; k++) {
        a *= survive(h_adm[k], days[k]);
        o *= survive(h_op[k], days[k]);
        e_adm[k] = a;
        e_op[k] = o;
    }
    double adm[4][REPS], op[4][REPS];
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 5, (uint64_t)r, NULL);
        for (int k = 0; k < 4; k++) {
            adm[k][r] = sim_record_get(rec, m_adm, (size_t)k + 1, (size_t)g);
            op[k][r] = sim_record_get(rec, m_size, (size_t)k + 1, (size_t)g) - adm[k][r];
        }
        /* No removal from a stage in a month whose factor is 0. */
        assert_float_equal(adm[2][r], adm[1][r], 0);
        assert_float_equal(op[3][r], op[2][r], 0);
        assert_true(adm[1][r] < adm[0][r] && op[2][r] < op[1][r]);
        sim_record_free(rec);
    }
    for (int k = 0; k < 4; k++) {
        sim_summary s;
        sim_summarise(adm[k], REPS, &s);
        assert_true(tu_within("admitted stage", s.mean, e_adm[k], s.half_width, 1.5));
        sim_summarise(op[k], REPS, &s);
        assert_true(tu_within("outpatient stage", s.mean, e_op[k], s.half_width, 1.5));
    }
    elt_close(&f);
}

/* Without outpatient_removals, removals.by_month moves both stages' rate. */
static void test_removals_by_month_both_stages(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ent\n"
                       "    removals: {per_month: 10%, by_month: {2023-04: 0}}\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 2000, admitted_share: 0.5, weeks: {0-10: 1}}\n"
                       "        non_admitted_per_week: 1\n"
                       "        non_admitted_by_month: {2023-04: 0, 2023-05: 0}\n";
    elt f;
    elt_open(&f, yaml, 28 + 31, 0, false);
    int g = elt_group(&f, "A/ent");
    sim_record *rec = elt_run(&f, 5, 0, NULL);
    int m_size = elt_metric(&f, "waiting_list_size");
    assert_float_equal(sim_record_get(rec, m_size, 1, (size_t)g), 2000, 0);
    assert_true(sim_record_get(rec, m_size, 2, (size_t)g) < 2000 * 0.95);
    sim_record_free(rec);
    elt_close(&f);
}

/* A run from Sunday 30 April, so that its first month end comes after one tick, with the
 * admitted stage's April factor `adm` and the outpatient stage's 0. */
static void open_one_tick(elt *f, const char *adm)
{
    char by_month[64];
    snprintf(by_month, sizeof by_month, ", by_month: {2023-04: %s}", adm);
    elt_start = (sim_date){2023, 4, 30};
    elt_open(f, yaml_with(by_month, ", by_month: {2023-04: 0}"), 1, 0, false);
    elt_start = (sim_date){2023, 4, 3};
}

/*
 * A day's candidates are drawn without replacement, here all of them in one pass
 * (selection sampling). The admitted stage's hazard is 100% a month
 * (daily candidate probability 1) and the outpatient stage's 0: the tick draws all 20,000
 * patients as candidates and removes exactly the admitted ones (about 10,000). A draw with
 * replacement would spend draws on outpatient-stage patients drawn already and leave about
 * a quarter of the admitted ones waiting. The clinic is closed, so exactly the outpatient
 * stage is left at the month end.
 */
static void test_removals_without_replacement(void **state)
{
    (void)state;
    elt f;
    open_one_tick(&f, "10");
    int g = elt_group(&f, "A/ent");
    int m_size = elt_metric(&f, "waiting_list_size");
    int m_adm = elt_metric(&f, "admitted_waiting_p4");
    assert_int_equal(sim_monitor_time_count(f.mon), 2);
    for (int r = 0; r < 3; r++) {
        sim_record *rec = elt_run(&f, 1, (uint64_t)r, NULL);
        double size0 = sim_record_get(rec, m_size, 0, (size_t)g);
        double adm0 = sim_record_get(rec, m_adm, 0, (size_t)g);
        assert_float_equal(size0, 20000, 0);
        assert_true(adm0 > 9500 && adm0 < 10500);
        assert_float_equal(sim_record_get(rec, m_adm, 1, (size_t)g), 0, 0);
        assert_float_equal(sim_record_get(rec, m_size, 1, (size_t)g), size0 - adm0, 0);
        sim_record_free(rec);
    }
    elt_close(&f);
}

/*
 * The same with a daily candidate probability of 0.2 (the admitted stage at 99.88775% a
 * month, that is 10% x 9.988775): about 4,000 candidates a day, drawn one by one and drawn
 * again when already chosen. The admitted ones are all removed, so after the tick a share
 * 1 - q of the admitted stage is left, q = 1 - (1 - h)^(1 / (365.25 / 12)) = 0.2; with
 * replacement about 2% more would be.
 */
static void test_removals_without_replacement_few(void **state)
{
    (void)state;
    elt f;
    open_one_tick(&f, "9.988775");
    int g = elt_group(&f, "A/ent");
    int m_adm = elt_metric(&f, "admitted_waiting_p4");
    double left[REPS];
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 1, (uint64_t)r, NULL);
        left[r] = sim_record_get(rec, m_adm, 1, (size_t)g) / sim_record_get(rec, m_adm, 0, (size_t)g);
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(left, REPS, &s);
    assert_true(tu_within("admitted stage left", s.mean, survive(0.9988775, 1), s.half_width, 1.5));
    elt_close(&f);
}

static void test_removals_by_month_errors(void **state)
{
    (void)state;
    struct sim_error err;
    char buf[512];
    elt f;
    assert_int_equal(elt_open_rc(&f, yaml_with(", by_month: {2023-13: 2}", ""), 10, 0, false, &err),
                     SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:43: specialties[0].removals.by_month: expected a month such as 2022-12, got \"2023-13\"");
    elt_close(&f);
    assert_int_equal(elt_open_rc(&f, yaml_with("", ", by_month: {2023-05: -1}"), 10, 0, false, &err),
                     SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:6:62: specialties[0].outpatient_removals.by_month.2023-05: expected a number between 0 and 1000000, got \"-1\"");
    elt_close(&f);
    assert_int_equal(elt_open_rc(&f, yaml_with(", by_month: nosuch.csv", ""), 10, 0, false, &err),
                     SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:42: specialties[0].removals.by_month: cannot read nosuch.csv: No such file or directory");
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removals_by_month),
        cmocka_unit_test(test_removals_by_month_both_stages),
        cmocka_unit_test(test_removals_without_replacement),
        cmocka_unit_test(test_removals_without_replacement_few),
        cmocka_unit_test(test_removals_by_month_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
