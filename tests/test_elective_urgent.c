/*
 * Urgent referrals at the outpatient stage (urgent_referrals) against a known answer.
 *
 * One deterministic clinic serving D = 1 day an attendance, every day, behind an outpatient
 * backlog of 5,000 routine pathways that outlasts the run, so the clinic is never idle.
 * Referrals Poisson at lambda = 2 a day, a share u = 20% urgent. The outpatient rule is
 * longest wait first, so a routine referral never reaches the clinic before the run ends:
 * every referral seen is an urgent one. The urgent class is then the first class of a
 * non-preemptive priority queue with a busy server (Cobham 1954): its mean wait for the
 * clinic is W0 / (1 - rho_u), W0 = E[S^2] / (2 E[S]) = D / 2 (the server is always busy),
 * rho_u = lambda u D = 0.4, so an urgent referral's wait to the end of its attendance is
 * 0.5 / 0.6 + 1 = 1.8333 days. The number of urgent referrals seen is u times the
 * referrals (binomial), less the few still waiting at the end. With decision_to_admit 50%
 * and no admitted capacity, the urgent referrals' decisions wait as P2 (the default) or as
 * the mix given, and the backlog's as its specialty's mix (P4).
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 10
#define HORIZON 2000.0

typedef struct seen {
    double n, wait_sum;
} seen;

static void on_treated(void *ctx, int list, uint64_t uid, double wait_days, double t)
{
    (void)list;
    (void)t;
    seen *s = ctx;
    if (uid & (1ull << 40))
        return; /* a backlog patient */
    s->n += 1;
    s->wait_sum += wait_days;
}

static const char *clinic_yaml(const char *urgent)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ent\n"
             "    decision_to_admit: 50%%\n"
             "    %s\n"
             "    lists:\n"
             "      A:\n"
             "        referrals: {per_day: 2}\n"
             "        backlog: {total: 5000, admitted_share: 0, weeks: {20-30: 1}}\n"
             "        non_admitted_per_week: 7\n"
             "        service: deterministic\n",
             urgent);
    return buf;
}

static void check_clinic(const char *urgent, double p1_share)
{
    elt f;
    elt_open(&f, clinic_yaml(urgent), HORIZON, 0, false);
    int g = elt_group(&f, "A/ent");
    int m_p1 = elt_metric(&f, "admitted_waiting_p1"), m_p2 = elt_metric(&f, "admitted_waiting_p2");
    int m_p4 = elt_metric(&f, "admitted_waiting_p4");
    size_t last = sim_monitor_time_count(f.mon) - 1;
    double wait[REPS], p1[REPS];
    for (int r = 0; r < REPS; r++) {
        seen s = {0, 0};
        el_run_hooks hooks = {.on_treated = on_treated, .ctx = &s};
        sim_record *rec = elt_run(&f, 3, (uint64_t)r, &hooks);
        double refs = elt_series_sum(&f, rec, "referrals", g);
        double n1 = sim_record_get(rec, m_p1, last, (size_t)g);
        double n2 = sim_record_get(rec, m_p2, last, (size_t)g);
        double n4 = sim_record_get(rec, m_p4, last, (size_t)g);
        /* Urgent attendances: non-admitted clock stops of referrals, and their decisions. */
        double urgent = s.n + n1 + n2;
        double sd = sqrt(refs * 0.2 * 0.8);
        assert_true(tu_within("urgent attendances", urgent, 0.2 * refs, 4 * sd + 10, 1.0));
        /* Half of them decide to admit (binomial), the backlog's attendances likewise. */
        assert_true(tu_within("urgent decisions", n1 + n2, 0.5 * urgent,
                              4 * sqrt(urgent * 0.25), 1.0));
        double backlog_seen = HORIZON - urgent; /* one attendance a day, always busy */
        assert_true(tu_within("backlog decisions (P4)", n4, 0.5 * backlog_seen,
                              4 * sqrt(backlog_seen * 0.25) + 2, 1.0));
        wait[r] = s.wait_sum / s.n;
        p1[r] = n1 / (n1 + n2);
        sim_record_free(rec);
    }
    sim_summary su;
    sim_summarise(wait, REPS, &su);
    assert_true(su.half_width < 0.05);
    assert_true(tu_within("urgent wait to clock stop (days)", su.mean, 0.5 / 0.6 + 1.0,
                          su.half_width, 1.5));
    sim_summarise(p1, REPS, &su);
    if (p1_share == 0)
        assert_float_equal(su.max, 0, 0);
    else
        assert_true(tu_within("urgent decisions as P1", su.mean, p1_share, su.half_width, 1.5));
    elt_close(&f);
}

static void test_urgent_seen_first(void **state)
{
    (void)state;
    check_clinic("urgent_referrals: 20%", 0);
}

static void test_urgent_priority_mix(void **state)
{
    (void)state;
    check_clinic("urgent_referrals: {share: 20%, priority_mix: {P1: 0.25, P2: 0.75}}", 0.25);
}

/* Without the key no referral is urgent: the clinic sees the backlog only. */
static void test_no_urgent_referrals(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, clinic_yaml("priority_mix: {P4: 1}"), 400, 0, false);
    seen s = {0, 0};
    el_run_hooks hooks = {.on_treated = on_treated, .ctx = &s};
    sim_record *rec = elt_run(&f, 3, 0, &hooks);
    assert_float_equal(s.n, 0, 0);
    sim_record_free(rec);
    elt_close(&f);
}

static void expect_error(const char *urgent, const char *msg)
{
    struct sim_error err;
    char buf[512];
    elt f;
    assert_int_equal(elt_open_rc(&f, clinic_yaml(urgent), 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, msg);
    elt_close(&f);
}

static void test_urgent_errors(void **state)
{
    (void)state;
    expect_error("urgent_referrals: 120%",
                 "test.yaml:6:23: specialties[0].urgent_referrals: expected a fraction between "
                 "0 and 1, got \"120%\"");
    expect_error("urgent_referrals: {share: 20%, mix: 1}",
                 "test.yaml:6:36: specialties[0].urgent_referrals.mix: unknown key \"mix\"");
    expect_error("urgent_referrals: {priority_mix: {P2: 1}}",
                 "test.yaml:6:5: specialties[0].urgent_referrals.share: missing required key \"share\"");
    expect_error("urgent_referrals: {share: 20%, priority_mix: {P1: 0.5, P2: 0.2}}",
                 "test.yaml:6:50: specialties[0].urgent_referrals.priority_mix: expected "
                 "shares of P1-P4 that add up to 1, got 0.7");
    const char *one_stage = "trusts:\n"
                            "  - {name: A, sites: [{code: SA}]}\n"
                            "specialties:\n"
                            "  - name: ent\n"
                            "    urgent_referrals: 20%\n"
                            "    lists:\n"
                            "      A: {referrals: {per_day: 1}, treatments_per_week: 4}\n";
    struct sim_error err;
    char buf[512];
    elt f;
    assert_int_equal(elt_open_rc(&f, one_stage, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:23: specialties[0].urgent_referrals: urgent_referrals "
                             "needs a two-stage pathway (decision_to_admit): urgency is seen at "
                             "the outpatient stage");
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urgent_seen_first),
        cmocka_unit_test(test_urgent_priority_mix),
        cmocka_unit_test(test_no_urgent_referrals),
        cmocka_unit_test(test_urgent_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
