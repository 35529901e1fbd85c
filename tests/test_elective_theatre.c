/*
 * Theatre sessions: throughput, capped utilisation (docs/domain.md), overruns, closures,
 * rebooking within 28 days and the P1 share.
 *
 * The Dame Clare Marx Centre figure (seed 001): 16 lists a week x 2 cases x 46 working
 * weeks with 5% of cases lost on the day = 1,398.4 cases a year. With a full list and no
 * bank holidays, the sessions run are exactly 16 x 46 = 736 in any 52 weeks, and the cases
 * are Binomial(1472, 0.95).
 */
#include "testutil.h"

#include "test_elective_support.h"

static const char *dcmc_yaml(const char *case_minutes, const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: WSFT, sites: [{code: WSH}]}\n"
             "  - {name: ESNEFT, sites: [{code: COL}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    case_minutes: %s\n"
             "    lists:\n"
             "      WSFT: {backlog: {total: 5000, weeks: {0-52: 1}}}\n"
             "      ESNEFT: {backlog: {total: 10, weeks: {0-52: 1}}}\n"
             "theatres:\n"
             "  - site: COL\n"
             "    working_weeks_per_year: 46\n"
             "    book_days_ahead: 0\n"
             "    turnaround_minutes: 15\n"
             "    cancel_on_day: {patient: 2.5%%, hospital: 2.5%%}\n"
             "    sessions:\n"
             "      - {weekday: [mon, tue, wed, thu], specialty: ortho, hours: 4, count: 4,\n"
             "         trust: WSFT, cases: 2}\n"
             "%s",
             case_minutes, extra);
    return buf;
}

#define REPS 10

static void test_dcmc_throughput(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, dcmc_yaml("{lognormal: {mean: 110, sd: 35}}", ""), 364, 0, false);
    int g = elt_group(&f, "WSFT/ortho");
    double cases[REPS];
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 1, (uint64_t)r, NULL);
        assert_float_equal(elt_series_sum(&f, rec, "sessions_run", g), 16 * 46, 0);
        cases[r] = elt_series_sum(&f, rec, "cases", g);
        double cancelled = elt_series_sum(&f, rec, "cancellations", g);
        assert_float_equal(cases[r] + cancelled, 16 * 46 * 2, 0);
        /* Cases are treatments of WSFT patients, at ESNEFT's site: each one moved. */
        assert_float_equal(elt_series_sum(&f, rec, "treatments", g), cases[r], 0);
        assert_float_equal(sim_record_get(rec, elt_metric(&f, "patients_moved"), 0, (size_t)g),
                           cases[r], 0);
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(cases, REPS, &s);
    double sd = sqrt(1472 * 0.95 * 0.05);
    assert_true(tu_within("cases a year", s.mean, 1398.4, 2.5 * sd / sqrt(REPS), 1.0));
    elt_close(&f);
}

/*
 * Constant 130-minute cases, 2 a session of 240 minutes, turnaround 15: both run ->
 * cases at [0, 130] and [145, 275], 225 minutes inside, an overrun; one cancelled -> 130
 * inside; both -> 0. With 5% cancelled independently:
 *   E[inside] = 0.95^2 x 225 + 2 x 0.95 x 0.05 x 130, utilisation = E / 240 = 0.8974,
 *   overruns per session = 0.95^2 = 0.9025.
 */
static void test_capped_utilisation(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, dcmc_yaml("130", ""), 364, 0, false);
    int g = elt_group(&f, "WSFT/ortho");
    int mu = elt_metric(&f, "capped_utilisation"), ms = elt_metric(&f, "sessions_run");
    double util[REPS], over[REPS];
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 2, (uint64_t)r, NULL);
        double num = 0, den = 0;
        for (size_t k = 0; k < sim_monitor_time_count(f.mon); k++) {
            double n = sim_record_get(rec, ms, k, (size_t)g);
            double u = sim_record_get(rec, mu, k, (size_t)g);
            if (n > 0) {
                assert_true(u >= 0 && u <= 225.0 / 240.0 + 1e-12);
                num += u * n;
                den += n;
            } else {
                assert_true(isnan(u));
            }
        }
        util[r] = num / den;
        over[r] = elt_series_sum(&f, rec, "overruns", g) / den;
        sim_record_free(rec);
    }
    double e_util = (0.95 * 0.95 * 225 + 2 * 0.95 * 0.05 * 130) / 240;
    sim_summary s;
    sim_summarise(util, REPS, &s);
    assert_true(tu_within("capped utilisation", s.mean, e_util, s.half_width, 1.5));
    sim_summarise(over, REPS, &s);
    assert_true(tu_within("overruns per session", s.mean, 0.9025, s.half_width, 1.5));
    elt_close(&f);
}

/* Slots by duration: floor((240 + 15) / (110 + 15)) = 2 cases a 4-hour session. */
static void test_slots_by_expected_duration(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    case_minutes: {lognormal: {mean: 110, sd: 35}}\n"
                       "    lists: {A: {backlog: {total: 1000, weeks: {0-52: 1}}}}\n"
                       "  - name: eyes\n"
                       "    case_minutes: {constant: 20}\n"
                       "    lists: {A: {backlog: {total: 1000, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    turnaround_minutes: 15\n"
                       "    sessions:\n"
                       "      - {weekday: mon, specialty: ortho, hours: 4}\n"
                       "      - {weekday: mon, specialty: eyes, hours: 4}\n";
    elt f;
    elt_open(&f, yaml, 28, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    int go = elt_group(&f, "A/ortho"), ge = elt_group(&f, "A/eyes");
    /* 4 Mondays (days 0, 7, 14 and 21; no holidays here), those inside the first
     * book_days_ahead (14 by default) booked from the backlog at the start. */
    double so = elt_series_sum(&f, rec, "sessions_run", go);
    assert_float_equal(so, 4, 0);
    assert_float_equal(elt_series_sum(&f, rec, "cases", go), 4 * 2, 0);
    /* Eyes: floor(255 / 35) = 7 cases a session. */
    assert_float_equal(elt_series_sum(&f, rec, "cases", ge), 4 * 7, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* Bank holidays close the theatres: Easter Monday 10 April and 1 May 2023 are Mondays. */
static void test_bank_holidays_close(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists: {A: {backlog: {total: 100, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 0\n"
                       "    sessions: [{weekday: mon, specialty: ortho, hours: 4, cases: 2}]\n";
    elt f;
    elt_open(&f, yaml, 35, 0, true);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    int g = elt_group(&f, "A/ortho");
    /* Mondays in [0, 35): 3, 10*, 17, 24 April, 1* May -> 3 sessions. */
    assert_float_equal(elt_series_sum(&f, rec, "sessions_run", g), 3, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Every patient cancelled on the day for a hospital reason is treated within 28 days of
 * the cancellation (the NHS rule), here with 30% of cases cancelled by the hospital and a
 * backlog that keeps the sessions full for most of the run, so a cancelled patient put
 * back on the list by clock start would wait months behind older patients.
 */
#define MAX_SERIAL 4096

typedef struct rebook_obs {
    double cancelled_at[MAX_SERIAL];
    int hospital_cancellations, treated_after_cancel, late;
    double worst;
} rebook_obs;

/* Referrals and backlog patients (EL_UID_BACKLOG) get separate halves of the table. */
static uint64_t slot(uint64_t uid)
{
    uint64_t serial = uid & (EL_UID_BACKLOG - 1);
    assert_true(serial < MAX_SERIAL / 2);
    return serial + ((uid & EL_UID_BACKLOG) ? MAX_SERIAL / 2 : 0);
}

static void rb_cancelled(void *ctx, uint64_t uid, double t, bool hospital)
{
    rebook_obs *o = ctx;
    uint64_t serial = slot(uid);
    o->cancelled_at[serial] = hospital ? t : -1;
    o->hospital_cancellations += hospital;
}

static void rb_treated(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)wait;
    rebook_obs *o = ctx;
    uint64_t serial = slot(uid);
    if (o->cancelled_at[serial] >= 0) {
        double d = t - o->cancelled_at[serial];
        o->treated_after_cancel++;
        o->worst = fmax(o->worst, d);
        if (d > 28.5) /* the rebooking date, plus the case's time in the session */
            o->late++;
    }
}

static void check_rebooking(int book_days_ahead)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    priority_mix: {P3: 1}\n"
             "    lists: {A: {referrals: {per_week: 6},\n"
             "                backlog: {total: 500, weeks: {0-18: 1}}}}\n"
             "theatres:\n"
             "  - site: SA\n"
             "    book_days_ahead: %d\n"
             "    cancel_on_day: {hospital: 30%%}\n"
             "    sessions: [{weekday: [mon, wed, fri], specialty: ortho, hours: 4,\n"
             "                cases: 3}]\n",
             book_days_ahead);
    elt f;
    elt_open(&f, yaml, 700, 0, false);
    rebook_obs *o = calloc(1, sizeof *o);
    for (int i = 0; i < MAX_SERIAL; i++)
        o->cancelled_at[i] = -1;
    el_run_hooks hooks = {.on_treated = rb_treated, .on_cancelled = rb_cancelled, .ctx = o};
    sim_record *rec = elt_run(&f, 3, 0, &hooks);
    assert_true(o->hospital_cancellations > 100);
    assert_true(o->treated_after_cancel > 100);
    if (o->late)
        fail_msg("%d of %d rebooked patients treated more than 28 days after the "
                 "cancellation (worst %.1f days)",
                 o->late, o->treated_after_cancel, o->worst);
    sim_record_free(rec);
    free(o);
    elt_close(&f);
}

static void test_rebooking_within_28_days(void **state)
{
    (void)state;
    check_rebooking(7);  /* the rebooking queue, taken first by the next bookings */
    check_rebooking(42); /* booked further ahead than 28 days: sessions within 28 days */
}

/*
 * A P1 share holds slots back at booking: with all of a session's slots kept for P1
 * (p1_share 1) and only P4 patients, nothing is booked until the top-up two days before.
 * The patients are still treated (the top-up fills the session; the first Monday's,
 * booked at the start inside the two days, opens every slot at once): 4 Mondays x 2.
 */
static void test_p1_share_topup(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists: {A: {backlog: {total: 100, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 14\n"
                       "    p1_share: 100%\n"
                       "    sessions: [{weekday: mon, specialty: ortho, hours: 4, cases: 2}]\n";
    elt f;
    elt_open(&f, yaml, 28, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    int g = elt_group(&f, "A/ortho");
    assert_float_equal(elt_series_sum(&f, rec, "cases", g), 8, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * P1 within 72 hours: every referral is P1, the sessions (every weekday, two cases, booked
 * 14 days ahead) are full of a P4 backlog. Each P1 goes into a session within 72 hours
 * (overbooked if need be): the longest gap between sessions is Friday 13:00 to Monday
 * 08:00, 67 hours, so no P1 waits 3 days. Without the rule they wait the booking horizon.
 */
typedef struct p1_obs {
    int n;
    double worst;
} p1_obs;

static void p1_treated(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)t;
    p1_obs *o = ctx;
    if (uid & EL_UID_BACKLOG)
        return;
    o->n++;
    o->worst = fmax(o->worst, wait);
}

static void test_p1_within_72_hours(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    priority_mix: {P1: 1}\n"
                       "    case_minutes: 100\n"
                       "    lists:\n"
                       "      A:\n"
                       "        referrals: {per_week: 3}\n"
                       "        backlog: {total: 3000, weeks: {0-52: 1}, priority_mix: {P4: 1}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 14\n"
                       "    sessions: [{weekday: [mon, tue, wed, thu, fri], specialty: ortho,\n"
                       "                hours: 4, count: 2, cases: 2}]\n";
    elt f;
    elt_open(&f, yaml, 182, 0, false);
    p1_obs o = {0, 0};
    el_run_hooks hooks = {.on_treated = p1_treated, .ctx = &o};
    sim_record *rec = elt_run(&f, 2, 0, &hooks);
    assert_true(o.n > 50);
    if (o.worst >= 3.0)
        fail_msg("a P1 patient waited %.2f days", o.worst);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dcmc_throughput),
        cmocka_unit_test(test_capped_utilisation),
        cmocka_unit_test(test_slots_by_expected_duration),
        cmocka_unit_test(test_bank_holidays_close),
        cmocka_unit_test(test_rebooking_within_28_days),
        cmocka_unit_test(test_p1_share_topup),
        cmocka_unit_test(test_p1_within_72_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
