/*
 * The elective waiting list against queueing theory (docs/domain.md, "Formulas the models must
 * agree with"). A single list with stationary Poisson referrals (1 a day) and the simple
 * capacity mode (one server, 8.75 treatments a week = 1.25 a day, rho = 0.8):
 *   M/M/1: W = 1 / (mu - lambda) = 4 days, P(W > t) = exp(-(mu - lambda) t), so the
 *          treated waits' median is 4 ln 2 = 2.7726 days and p92 4 ln 12.5 = 10.1029;
 *   M/D/1: W = rho / (2 mu (1 - rho)) + 1 / mu = 2.4 days;
 *   Little's law L = lambda W from the model's own outputs (time-average list size,
 *   treatments after the warm-up, mean wait of treated patients);
 *   removals alone: N(t) ~ Binomial(N0, (1 - h)^(t / month)).
 * The wait of a treated patient is referral to clock stop (the end of service), the
 * sojourn time of the queue. Tolerances are 1.5 x the 95% confidence half-width across
 * replications (tu_within), at fixed seeds.
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 30
#define HORIZON 20000.0
#define WARMUP 500.0

static const char *mm1_yaml(const char *service)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A:\n"
             "        referrals: {per_day: 1}\n"
             "        treatments_per_week: 8.75\n"
             "        service: %s\n",
             service);
    return buf;
}

typedef struct wait_counts {
    double n, over[3];
} wait_counts;

static const double thresholds[3] = {2.0, 6.0, 12.0};

static void on_treated(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)uid;
    wait_counts *w = ctx;
    if (t < WARMUP)
        return;
    w->n += 1;
    for (int i = 0; i < 3; i++)
        if (wait > thresholds[i])
            w->over[i] += 1;
}

static void check_queue(const char *service, double expected_w, bool exponential)
{
    elt f;
    elt_open(&f, mm1_yaml(service), HORIZON, WARMUP, false);
    int g = elt_group(&f, "A/ortho");
    int m_wait = elt_metric(&f, "mean_wait_treated_weeks");
    int m_size = elt_metric(&f, "mean_waiting_list_size");
    int m_tot = elt_metric(&f, "treatments_total");
    int m_med = elt_metric(&f, "median_wait_treated_weeks");
    int m_p92 = elt_metric(&f, "p92_wait_treated_weeks");
    double w[REPS], little[REPS], p_over[3][REPS], size[REPS], med[REPS], p92[REPS];
    for (int r = 0; r < REPS; r++) {
        wait_counts wc = {0};
        el_run_hooks hooks = {.on_treated = on_treated, .ctx = &wc};
        sim_record *rec = elt_run(&f, 42, (uint64_t)r, &hooks);
        w[r] = sim_record_get(rec, m_wait, 0, (size_t)g) * 7.0;
        size[r] = sim_record_get(rec, m_size, 0, (size_t)g);
        med[r] = sim_record_get(rec, m_med, 0, (size_t)g) * 7.0;
        p92[r] = sim_record_get(rec, m_p92, 0, (size_t)g) * 7.0;
        double lambda_eff = sim_record_get(rec, m_tot, 0, (size_t)g) / (HORIZON - WARMUP);
        little[r] = size[r] - lambda_eff * w[r];
        for (int i = 0; i < 3; i++)
            p_over[i][r] = wc.over[i] / wc.n;
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(w, REPS, &s);
    assert_true(s.half_width < 0.05 * expected_w); /* the test can tell a wrong answer */
    assert_true(tu_within("mean wait (days)", s.mean, expected_w, s.half_width, 1.5));
    /* Little's law on the simulated outputs: L - lambda W is zero up to edge effects. */
    sim_summarise(little, REPS, &s);
    assert_true(tu_within("L - lambda W", s.mean, 0.0, s.half_width + 0.01, 1.5));
    sim_summarise(size, REPS, &s);
    assert_true(tu_within("time-average list size", s.mean, expected_w * 1.0, s.half_width,
                          1.5));
    if (exponential) {
        sim_summarise(med, REPS, &s);
        assert_true(tu_within("median treated wait (days)", s.mean, 4 * log(2.0), s.half_width,
                              1.5));
        sim_summarise(p92, REPS, &s);
        assert_true(tu_within("p92 treated wait (days)", s.mean, 4 * log(12.5), s.half_width,
                              1.5));
    }
    if (exponential)
        for (int i = 0; i < 3; i++) {
            sim_summarise(p_over[i], REPS, &s);
            char what[64];
            snprintf(what, sizeof what, "P(W > %g days)", thresholds[i]);
            assert_true(tu_within(what, s.mean, exp(-0.25 * thresholds[i]), s.half_width, 1.5));
        }
    elt_close(&f);
}

static void test_mm1(void **state)
{
    (void)state;
    check_queue("exponential", 1.0 / (1.25 - 1.0), true);
}

static void test_md1(void **state)
{
    (void)state;
    double mu = 1.25, rho = 0.8;
    check_queue("deterministic", rho / (2 * mu * (1 - rho)) + 1 / mu, false);
}

/* Removals alone: every patient survives each month with 1 - h, independently. */
static void test_removals_decay(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    removals: {per_month: 3.3%}\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 20000, weeks: {0-18: 0.5, 18-52: 0.5}}\n";
    elt f;
    elt_open(&f, yaml, 365, 0, false);
    int g = elt_group(&f, "A/ortho");
    int m = elt_metric(&f, "waiting_list_size");
    int m_rem = elt_metric(&f, "removals");
    const double *times = sim_monitor_times(f.mon);
    size_t nt = sim_monitor_time_count(f.mon);
    assert_true(nt >= 12);
    for (int r = 0; r < 3; r++) {
        sim_record *rec = elt_run(&f, 7, (uint64_t)r, NULL);
        assert_float_equal(sim_record_get(rec, m, 0, (size_t)g), 20000, 0);
        double removed = 0;
        for (size_t k = 1; k < nt; k++) {
            double s = pow(1 - 0.033, times[k] / (365.25 / 12));
            double n = sim_record_get(rec, m, k, (size_t)g);
            double sd = sqrt(20000 * s * (1 - s));
            if (fabs(n - 20000 * s) > 4 * sd)
                fail_msg("month %zu: list %g, expected %g (sd %g)", k, n, 20000 * s, sd);
            removed += sim_record_get(rec, m_rem, k, (size_t)g);
            /* Flows and stocks agree: every patient who left was removed. */
            assert_float_equal(removed, 20000 - n, 0);
        }
        sim_record_free(rec);
    }
    elt_close(&f);
}

/* A priority with factor 0 is never removed; a wait band's factor scales its hazard. */
static void test_removals_by_priority_and_wait(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    priority_mix: {P1: 0.5, P4: 0.5}\n"
                       "    removals:\n"
                       "      per_month: 10%\n"
                       "      priority_factor: {P1: 0}\n"
                       "      weeks_factor: [{from: 0, to: 52, factor: 2}]\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 20000, weeks: {0-10: 0.5, 200-210: 0.5}}\n";
    elt f;
    elt_open(&f, yaml, 31, 0, false);
    int g = elt_group(&f, "A/ortho");
    int m = elt_metric(&f, "waiting_list_size");
    int m52 = elt_metric(&f, "over_52_weeks");
    sim_record *rec = elt_run(&f, 3, 0, NULL);
    /* Snapshot 1 is 2023-05-01, 28 days in: P4 young (factor 2) and old (factor 1). */
    double t = sim_monitor_times(f.mon)[1];
    double months = t / (365.25 / 12);
    double young = pow(1 - 0.2, months), old = pow(1 - 0.1, months);
    double exp_old = 5000 + 5000 * old;   /* P1 old + P4 old */
    double exp_all = 10000 + 5000 * young + 5000 * old;
    double n_old = sim_record_get(rec, m52, 1, (size_t)g);
    double n_all = sim_record_get(rec, m, 1, (size_t)g);
    /* Priorities are drawn 50:50, so the removed count of each band of 10,000 is
     * Binomial(10000, (1 - survival) / 2). */
    double po = 0.5 * (1 - old), py = 0.5 * (1 - young);
    double sd_old = sqrt(10000 * po * (1 - po)), sd_young = sqrt(10000 * py * (1 - py));
    assert_true(tu_within("old patients", n_old, exp_old, 4 * sd_old, 1.0));
    assert_true(tu_within("all patients", n_all, exp_all, 4 * hypot(sd_old, sd_young), 1.0));
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Removals per stage: the admitted stage at 2% a month, the outpatient stage at 10% a month
 * (outpatient_removals), doubled for waits under 10 weeks. A backlog of 10,000 admitted
 * and 10,000 outpatient-stage pathways (an outpatient capacity too small to serve any in
 * the month: one deterministic attendance of 70,000 days, whose patient is not removable)
 * decays by stage: after t days, 10,000 (1 - h)^(t / month) each, h by stage and band.
 */
static void test_removals_by_stage(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    removals: {per_month: 2%}\n"
                       "    outpatient_removals:\n"
                       "      per_month: 10%\n"
                       "      weeks_factor: [{from: 0, to: 10, factor: 2}]\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 20000, admitted_share: 0.5, weeks: {30-40: 1}}\n"
                       "        non_admitted_per_week: 0.0001\n"
                       "        service: deterministic\n"
                       "  - name: eyes\n"
                       "    removals: {per_month: 2%}\n"
                       "    outpatient_removals:\n"
                       "      per_month: 10%\n"
                       "      weeks_factor: [{from: 0, to: 10, factor: 2}]\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 10000, admitted_share: 0, weeks: {0-4: 1}}\n"
                       "        non_admitted_per_week: 0.0001\n"
                       "        service: deterministic\n";
    elt f;
    elt_open(&f, yaml, 31, 0, false);
    int go = elt_group(&f, "A/ortho"), ge = elt_group(&f, "A/eyes");
    int m = elt_metric(&f, "waiting_list_size");
    double months = sim_monitor_times(f.mon)[1] / (365.25 / 12);
    /* ortho: 10,000 admitted at 2%, 9,999 removable outpatient (30-40 weeks) at 10%;
     * eyes: 9,999 removable outpatient under 10 weeks at 20%. */
    double sa = pow(0.98, months), so = pow(0.90, months), sy = pow(0.80, months);
    double exp_o = 10000 * sa + 1 + 9999 * so, exp_e = 1 + 9999 * sy;
    double sd_o = hypot(sqrt(10000 * sa * (1 - sa)), sqrt(9999 * so * (1 - so)));
    double sd_e = sqrt(9999 * sy * (1 - sy));
    for (uint64_t r = 0; r < 3; r++) {
        sim_record *rec = elt_run(&f, 4, r, NULL);
        assert_true(tu_within("ortho by stage", sim_record_get(rec, m, 1, (size_t)go), exp_o,
                              4 * sd_o, 1.0));
        assert_true(tu_within("eyes, young outpatient", sim_record_get(rec, m, 1, (size_t)ge),
                              exp_e, 4 * sd_e, 1.0));
        sim_record_free(rec);
    }
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_md1),
        cmocka_unit_test(test_removals_decay),
        cmocka_unit_test(test_removals_by_priority_and_wait),
        cmocka_unit_test(test_removals_by_stage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
