/*
 * Every parameter of the elective model has the effect it promises, with known answers
 * where there is one (scripts/mutations.txt switches each off in turn; scripts/mutate
 * checks that some test then fails). The model is driven only through the fixture of
 * test_elective_support.h and read back through the monitor's metric names.
 *
 * Counts drawn per patient are checked against their binomial law: |k - n p| within 4 sd
 * (fixed seeds, so a run is repeatable; an unbiased model passes with probability
 * 0.99994 per check). Many scenarios use a theatre that books only P1 patients (p1_share
 * 100% and bookings on the day, so no top-up two days before): a patient is treated there
 * only while it is P1, which makes priorities visible in the treatment counts.
 */
#include "testutil.h"

#include "test_elective_support.h"

/* ---- helpers ------------------------------------------------------------------------- */

static double rep_metric(const elt *f, const sim_record *rec, const char *metric,
                         const char *list)
{
    return sim_record_get(rec, elt_metric(f, metric), 0, (size_t)elt_group(f, list));
}

static double series_at(const elt *f, const sim_record *rec, const char *metric,
                        const char *list, size_t k)
{
    return sim_record_get(rec, elt_metric(f, metric), k, (size_t)elt_group(f, list));
}

static double flow(const elt *f, const sim_record *rec, const char *metric, const char *list)
{
    return elt_series_sum(f, rec, metric, elt_group(f, list));
}

/* k successes of n trials against probability p: within 4 standard deviations. */
static void check_binomial(const char *what, double k, double n, double p)
{
    double sd = sqrt(n * p * (1 - p));
    if (!(n > 0) || fabs(k - n * p) > 4 * sd + 1e-9)
        fail_msg("%s: %g of %g, expected %g (p %g, sd %g)", what, k, n, n * p, p, sd);
}

static void check_near(const char *what, double got, double expected, double tol)
{
    if (!(fabs(got - expected) <= tol))
        fail_msg("%s: %.6g, expected %.6g +- %.3g", what, got, expected, tol);
}

/* Mean over replications of rep metric `metric`, with the 95% half-width. */
static sim_summary rep_summary(elt *f, int reps, uint64_t seed, const char *metric,
                               const char *list)
{
    double x[64];
    assert_true(reps <= 64);
    for (int r = 0; r < reps; r++) {
        sim_record *rec = elt_run(f, seed, (uint64_t)r, NULL);
        x[r] = rep_metric(f, rec, metric, list);
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(x, (size_t)reps, &s);
    return s;
}

static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b / (1.0 - a / c * (1.0 - b));
}

#define EARTH_KM 6371.0088
#define KM_PER_DEGREE (EARTH_KM * M_PI / 180.0)

/* Great-circle distance between two points at the same latitude `lat`, `dlon` apart. */
static double km_along_parallel(double lat, double dlon)
{
    double d2r = M_PI / 180.0;
    return 2 * EARTH_KM * asin(cos(lat * d2r) * sin(dlon * d2r / 2));
}

/* ---- sites, home sites, capacity site ------------------------------------------------- */

/*
 * Trust A's patients live nearest SA1 (30%) or SA2 (70%) and are all treated at SB, trust
 * B's site (capacity_site), 1 and 0.5 degrees of latitude north of them. Every treatment is
 * a patient moved; each travels 111.195 or 55.597 km, so the total distance tells how many
 * came from SA1.
 */
static void test_sites_home_sites_capacity_site(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA1, lat: 52.0, lon: 0.0},\n"
                       "                      {code: SA2, lat: 52.5, lon: 0.0}]}\n"
                       "  - {name: B, sites: [{code: SB, lat: 53.0, lon: 0.0}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {referrals: {per_day: 2}, treatments_per_week: 70,\n"
                       "          capacity_site: SB, home_sites: {SA1: 0.3, SA2: 0.7}}\n";
    elt f;
    elt_open(&f, yaml, 365, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    double treated = rep_metric(&f, rec, "treatments_total", "A/ortho");
    double moved = rep_metric(&f, rec, "patients_moved", "A/ortho");
    double km = rep_metric(&f, rec, "distance_travelled_km", "A/ortho");
    assert_true(treated > 600);
    assert_float_equal(moved, treated, 0);
    double d1 = KM_PER_DEGREE, d2 = KM_PER_DEGREE / 2;
    double from_sa1 = (km - moved * d2) / (d1 - d2);
    /* A whole number of patients from each site: the distances are exact. */
    check_near("patients from SA1 (whole)", from_sa1, round(from_sa1), 1e-6 * moved);
    check_binomial("patients from SA1", round(from_sa1), moved, 0.3);
    sim_record_free(rec);
    elt_close(&f);
}

/* ---- specialty: admitted share, priority mix, max wait -------------------------------- */

static void test_admitted_share(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    admitted_share: 0.3\n"
                       "    lists: {A: {referrals: {per_day: 5}}}\n";
    elt f;
    elt_open(&f, yaml, 365, 0, false);
    sim_record *rec = elt_run(&f, 2, 0, NULL);
    double n = flow(&f, rec, "referrals", "A/ortho");
    double adm = flow(&f, rec, "admitted_referrals", "A/ortho");
    assert_true(n > 1500);
    check_binomial("admitted referrals", adm, n, 0.3);
    /* Non-admitted referrals without non-admitted capacity do not join the list. */
    size_t last = sim_monitor_time_count(f.mon) - 1;
    assert_float_equal(series_at(&f, rec, "waiting_list_size", "A/ortho", last), adm, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* A theatre at SA with 8 daily cases that books P1 patients only. */
#define P1_ONLY_THEATRE                                                                        \
    "theatres:\n"                                                                              \
    "  - site: SA\n"                                                                           \
    "    book_days_ahead: 0\n"                                                                 \
    "    p1_share: 100%\n"                                                                     \
    "    sessions: [{weekday: [mon, tue, wed, thu, fri, sat, sun], specialty: ortho,\n"        \
    "                hours: 8, cases: 8}]\n"

/*
 * The priority tests count patients by priority on the list (admitted_waiting_p1..p4 at
 * month ends) with no capacity at all, so nobody leaves: the counts are the draws.
 */
static double waiting(const elt *f, const sim_record *rec, int prio, size_t k)
{
    char name[32];
    snprintf(name, sizeof name, "admitted_waiting_p%d", prio);
    return series_at(f, rec, name, "A/ortho", k);
}

/* A quarter of referrals are P1. */
static void test_priority_mix(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    priority_mix: {P1: 0.25, P4: 0.75}\n"
                       "    lists: {A: {referrals: {per_day: 2}}}\n";
    elt f;
    elt_open(&f, yaml, 365, 0, false);
    sim_record *rec = elt_run(&f, 3, 0, NULL);
    size_t last = sim_monitor_time_count(f.mon) - 1;
    double n = flow(&f, rec, "referrals", "A/ortho");
    double p1 = waiting(&f, rec, 1, last), p4 = waiting(&f, rec, 4, last);
    assert_true(n > 600);
    assert_true(p1 + p4 == series_at(&f, rec, "waiting_list_size", "A/ortho", last));
    check_binomial("P1 referrals", p1, p1 + p4, 0.25);
    assert_true(waiting(&f, rec, 2, last) == 0 && waiting(&f, rec, 3, last) == 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * p1_share: slots held for P1 until two days before the session. P1 patients are booked
 * within 72 hours, into a held slot when there is one, else over the session's cases. With
 * a big P4 backlog filling every open slot, holding a quarter of the slots takes the P1
 * patients without overbooking: fewer cases beyond the sessions' four each.
 */
static void test_p1_share(void **state)
{
    (void)state;
    const char *base = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    priority_mix: {P1: 0.1, P4: 0.9}\n"
                       "    lists: {A: {referrals: {per_day: 2},\n"
                       "                backlog: {total: 2000, weeks: {0-1: 1},\n"
                       "                          priority_mix: {P4: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 14\n"
                       "    p1_share: %s\n"
                       "    sessions: [{weekday: [mon, tue, wed, thu, fri], specialty: ortho,\n"
                       "                hours: 4, cases: 4}]\n";
    char yaml[2000];
    double cases[2];
    for (int k = 0; k < 2; k++) {
        snprintf(yaml, sizeof yaml, base, k ? "25%" : "0%");
        elt f;
        elt_open(&f, yaml, 120, 0, false);
        sim_record *rec = elt_run(&f, 4, 0, NULL);
        cases[k] = flow(&f, rec, "cases", "A/ortho");
        sim_record_free(rec);
        elt_close(&f);
    }
    if (!(cases[1] < cases[0]))
        fail_msg("p1_share 25%%: %g cases, not fewer than %g with no slots held", cases[1],
                 cases[0]);
}

/* A backlog's own priority mix (20% P1) overrides the specialty's (all P4). */
static void test_backlog_priority_mix(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {backlog: {total: 400, weeks: {0-1: 1},\n"
                       "                    priority_mix: {P1: 0.2, P4: 0.8}}}\n";
    elt f;
    elt_open(&f, yaml, 60, 0, false);
    sim_record *rec = elt_run(&f, 4, 0, NULL);
    check_binomial("P1 in the backlog", waiting(&f, rec, 1, 0), 400, 0.2);
    assert_true(waiting(&f, rec, 1, 0) + waiting(&f, rec, 4, 0) == 400);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Priority review P3 -> P1 after 6 weeks: the backlog's P3 patients (20%, clock starts in
 * the week before the start) are P3 at the start and at the first month end (day 28: waits
 * of 4-5 weeks) and all P1 by the second (day 59: over 8 weeks); the P4 patients never
 * change. (With 4 weeks the first month end saw a mix, and a review that ignored
 * after_weeks went unnoticed.)
 */
static void test_priority_review_rule(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    priority_review: [{from: P3, to: P1, after_weeks: 6}]\n"
                       "    lists:\n"
                       "      A: {backlog: {total: 400, weeks: {0-1: 1},\n"
                       "                    priority_mix: {P3: 0.2, P4: 0.8}}}\n";
    elt f;
    elt_open(&f, yaml, 60, 0, false);
    sim_record *rec = elt_run(&f, 5, 0, NULL);
    double p3 = waiting(&f, rec, 3, 0);
    check_binomial("P3 in the backlog", p3, 400, 0.2);
    assert_true(waiting(&f, rec, 1, 0) == 0);
    /* Nobody has waited 6 weeks by the first month end; by the second (day 59) every P3
     * patient has. */
    if (!(waiting(&f, rec, 1, 1) == 0 && waiting(&f, rec, 3, 1) == p3))
        fail_msg("month 1: P1 %g, P3 %g; backlog P3 %g (none has waited 6 weeks)",
                 waiting(&f, rec, 1, 1), waiting(&f, rec, 3, 1), p3);
    if (!(waiting(&f, rec, 1, 2) == p3 && waiting(&f, rec, 3, 2) == 0))
        fail_msg("month 2: P1 %g, P3 %g; backlog P3 %g", waiting(&f, rec, 1, 2),
                 waiting(&f, rec, 3, 2), p3);
    assert_true(waiting(&f, rec, 4, 2) == 400 - p3);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * book_days_ahead: a session is filled when it is planned, that many days before it runs, and
 * no slot is held for P1 (p1_share 0), so a routine referral is treated no sooner than the
 * first session planned after it: a wait of at least book_days_ahead - 1 days (sessions at
 * 08:00 and 13:00 each day, planned at the 06:00 tick). With ample capacity it is about
 * book_days_ahead days: 7 ahead against 1, in the mean wait of the treated.
 */
static void test_book_days_ahead(void **state)
{
    (void)state;
    const char *base = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    case_minutes: {constant: 30}\n"
                       "    lists: {A: {referrals: {per_day: 2}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: %d\n"
                       "    p1_share: 0%%\n"
                       "    sessions: [{weekday: [mon, tue, wed, thu, fri, sat, sun], specialty: ortho,\n"
                       "                hours: 4, cases: 4, count: 2}]\n";
    double wait[2];
    int ahead[2] = {1, 7};
    for (int k = 0; k < 2; k++) {
        char yaml[2000];
        snprintf(yaml, sizeof yaml, base, ahead[k]);
        elt f;
        elt_open(&f, yaml, 120, 30, false);
        sim_summary s = rep_summary(&f, 4, 11, "mean_wait_treated_weeks", "A/ortho");
        wait[k] = s.mean * 7;
        elt_close(&f);
        if (!(wait[k] >= ahead[k] - 1 && wait[k] <= ahead[k] + 1.5))
            fail_msg("book_days_ahead %d: mean wait %.3g days, expected %d to %.1f", ahead[k],
                     wait[k], ahead[k] - 1, ahead[k] + 1.5);
    }
}

/* An open "104+" band reaches max_wait_weeks: waits uniform in (104, 120] weeks. */
static void test_max_wait_weeks(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    max_wait_weeks: 120\n"
                       "    lists: {A: {backlog: {total: 2000, weeks: {104+: 1}}}}\n";
    elt f;
    elt_open(&f, yaml, 10, 0, false);
    sim_record *rec = elt_run(&f, 6, 0, NULL);
    assert_float_equal(series_at(&f, rec, "over_104_weeks", "A/ortho", 0), 2000, 0);
    /* Quantiles of 2,000 uniform draws: sd of the median 16 x 0.011 = 0.18 weeks. */
    check_near("median wait", series_at(&f, rec, "median_wait_weeks", "A/ortho", 0), 112, 1.0);
    check_near("92nd percentile", series_at(&f, rec, "p92_wait_weeks", "A/ortho", 0),
               104 + 0.92 * 16, 1.0);
    sim_record_free(rec);
    elt_close(&f);
}

/* Removal bands apply inside [from, to) weeks only: factor 0 for waits of 20-52 weeks. */
static void test_removal_band_limits(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    removals:\n"
                       "      per_month: 10%\n"
                       "      weeks_factor: [{from: 20, to: 52, factor: 0}]\n"
                       "    lists:\n"
                       "      A: {backlog: {total: 8000, weeks: {0-10: 0.5, 30-40: 0.25,\n"
                       "                                          60-70: 0.25}}}\n";
    elt f;
    elt_open(&f, yaml, 31, 0, false);
    sim_record *rec = elt_run(&f, 7, 0, NULL);
    /* Snapshot 1 (1 May, 28 days in): within 18 weeks = the young band, over 52 the old. */
    double t = sim_monitor_times(f.mon)[1];
    double s = pow(0.9, t / (365.25 / 12));
    double size = series_at(&f, rec, "waiting_list_size", "A/ortho", 1);
    double young = size * series_at(&f, rec, "within_18_weeks_share", "A/ortho", 1);
    double old = series_at(&f, rec, "over_52_weeks", "A/ortho", 1);
    check_near("young patients (whole)", young, round(young), 1e-6);
    check_binomial("young patients kept (factor 1)", round(young), 4000, s);
    check_binomial("old patients kept (factor 1)", old, 2000, s);
    assert_float_equal(size - round(young) - old, 2000, 0); /* 30-40 weeks: factor 0 */
    sim_record_free(rec);
    elt_close(&f);
}

/* ---- lists: backlog admitted share, non-admitted capacity, service, servers ------------- */

/* 40% of the backlog is admitted; non-admitted capacity treats the rest within days. */
static void test_backlog_admitted_share(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {backlog: {total: 400, weeks: {0-1: 1}, admitted_share: 0.4},\n"
                       "          non_admitted_per_week: 700}\n";
    elt f;
    elt_open(&f, yaml, 40, 0, false);
    sim_record *rec = elt_run(&f, 8, 0, NULL);
    double left = series_at(&f, rec, "waiting_list_size", "A/ortho", 1);
    check_binomial("admitted backlog left waiting", left, 400, 0.4);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "A/ortho"), 400 - left, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Non-admitted pathways alone (admitted_share 0): an M/D/1 queue with lambda = 1 and
 * mu = 8.75 a week: W = rho / (2 mu (1 - rho)) + 1 / mu = 2.4 days.
 */
static void test_non_admitted_md1(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    admitted_share: 0\n"
                       "    lists: {A: {referrals: {per_day: 1}, non_admitted_per_week: 8.75,\n"
                       "                service: deterministic}}\n";
    elt f;
    elt_open(&f, yaml, 6000, 300, false);
    sim_summary s = rep_summary(&f, 20, 9, "mean_wait_treated_weeks", "A/ortho");
    assert_true(tu_within("non-admitted M/D/1 wait (weeks)", s.mean, 2.4 / 7, s.half_width, 1.5));
    elt_close(&f);
}

/* Four servers sharing 8.75 treatments a week: M/M/4 at rho 0.8, W = Wq + 3.2 days. */
static void test_servers_mmc(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists: {A: {referrals: {per_day: 1}, treatments_per_week: 8.75,\n"
                       "                servers: 4}}\n";
    elt f;
    elt_open(&f, yaml, 6000, 300, false);
    sim_summary s = rep_summary(&f, 20, 10, "mean_wait_treated_weeks", "A/ortho");
    double mu = 1.25 / 4, a = 1.0 / mu;
    double w = erlang_c(4, a) / (4 * mu - 1.0) + 1 / mu;
    assert_true(tu_within("M/M/4 wait (weeks)", s.mean, w / 7, s.half_width, 1.5));
    elt_close(&f);
}

/* ---- theatres -------------------------------------------------------------------------- */

/*
 * Constant 100-minute cases (the theatre's case_minutes, over the specialty's 60), 7-hour
 * sessions, turnaround 20: floor((420 + 20) / (100 + 20)) = 3 slots. Each session starts
 * 90 minutes late: cases at [90, 190], [210, 310], [330, 430], 290 minutes inside the
 * planned 420 and an overrun. Four Mondays in 28 days (booked on the day).
 */
static void test_session_timing(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    case_minutes: 60\n"
                       "    lists: {A: {backlog: {total: 100, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 0\n"
                       "    turnaround_minutes: 20\n"
                       "    start_delay_minutes: 90\n"
                       "    case_minutes: {ortho: 100}\n"
                       "    sessions: [{weekday: mon, specialty: ortho, hours: 7}]\n";
    elt f;
    elt_open(&f, yaml, 28, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    assert_float_equal(flow(&f, rec, "sessions_run", "A/ortho"), 4, 0);
    assert_float_equal(flow(&f, rec, "cases", "A/ortho"), 12, 0);
    assert_float_equal(flow(&f, rec, "overruns", "A/ortho"), 4, 0);
    assert_float_equal(series_at(&f, rec, "capped_utilisation", "A/ortho", 1), 290.0 / 420, 1e-12);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * One case a session of two hours, lognormal durations (mean 100, sd 50): the session
 * overruns when the case takes over 120 minutes, P = 1 - Phi((ln 120 - mu) / sigma) with
 * sigma^2 = ln(1 + 0.25), mu = ln 100 - sigma^2 / 2.
 */
static void test_case_duration_spread(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    case_minutes: {lognormal: {mean: 100, sd: 50}}\n"
                       "    lists: {A: {backlog: {total: 2000, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 0\n"
                       "    sessions: [{weekday: [mon, tue, wed, thu, fri], specialty: ortho,\n"
                       "                hours: 2, count: 2, cases: 1}]\n";
    elt f;
    elt_open(&f, yaml, 364, 0, false);
    sim_record *rec = elt_run(&f, 2, 0, NULL);
    double n = flow(&f, rec, "sessions_run", "A/ortho");
    assert_float_equal(n, 52 * 5 * 2, 0);
    double s2 = log(1.25), mu = log(100) - s2 / 2;
    double p = 0.5 * erfc((log(120) - mu) / sqrt(s2) / M_SQRT2);
    check_binomial("sessions overrun", flow(&f, rec, "overruns", "A/ortho"), n, p);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Session calendars, 59 days from Monday 3 April 2023, no bank holidays, the week of
 * 17 April closed: ortho on Sundays (days 6, 13, 20*, 27, 34, 41, 48, 55) runs 7 (on
 * Mondays it would run 8); eyes on Mondays from 10 April until 25 April (days 7, 14*, 21)
 * runs 2.
 */
static void test_session_calendar(void **state)
{
    (void)state;
    const char *yaml = "trusts: [{name: A, sites: [{code: SA}]}]\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists: {A: {backlog: {total: 100, weeks: {0-52: 1}}}}\n"
                       "  - name: eyes\n"
                       "    lists: {A: {backlog: {total: 100, weeks: {0-52: 1}}}}\n"
                       "theatres:\n"
                       "  - site: SA\n"
                       "    book_days_ahead: 0\n"
                       "    closed_weeks: [2023-04-19]\n"
                       "    sessions:\n"
                       "      - {weekday: sun, specialty: ortho, hours: 4, cases: 1}\n"
                       "      - {weekday: mon, specialty: eyes, hours: 4, cases: 1,\n"
                       "         from: 2023-04-10, until: 2023-04-25}\n";
    elt f;
    elt_open(&f, yaml, 59, 0, false);
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    assert_float_equal(flow(&f, rec, "sessions_run", "A/ortho"), 7, 0);
    assert_float_equal(flow(&f, rec, "sessions_run", "A/eyes"), 2, 0);
    assert_float_equal(flow(&f, rec, "treatments", "A/eyes"), 2, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* ---- pooled lists ---------------------------------------------------------------------- */

/*
 * B's 1,000 patients wait with no capacity of their own; A treats at SA (68.46 km away,
 * one degree of longitude at 52 N on a sphere) for the pool. A patient of B accepts SA with the
 * site's acceptance p, drawn once: p = 0.3 moves 30% of them; p = 0 moves none, while A's
 * own patients are still treated there.
 */
static const char *pool_yaml(const char *acceptance)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA, lat: 52.0, lon: 0.0}]}\n"
             "  - {name: B, sites: [{code: SB, lat: 52.0, lon: 1.0}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A: {backlog: {total: 10, weeks: {0-1: 1}}, treatments_per_week: 700,\n"
             "          servers: 10}\n"
             "      B: {backlog: {total: 1000, weeks: {0-10: 1}}}\n"
             "collaboration:\n"
             "  - {specialty: ortho, policy: pooled, site_acceptance: {SA: %s}}\n",
             acceptance);
    return buf;
}

static void test_pooled_site_acceptance(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, pool_yaml("0.3"), 60, 0, false);
    sim_record *rec = elt_run(&f, 11, 0, NULL);
    double moved = rep_metric(&f, rec, "patients_moved", "B/ortho");
    check_binomial("B's patients accepting SA", moved, 1000, 0.3);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "B/ortho"), moved, 0);
    check_near("km per patient moved",
               rep_metric(&f, rec, "distance_travelled_km", "B/ortho") / moved,
               km_along_parallel(52.0, 1.0), 1e-9);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "A/ortho"), 10, 0);
    sim_record_free(rec);
    elt_close(&f);

    elt_open(&f, pool_yaml("0"), 60, 0, false);
    rec = elt_run(&f, 11, 0, NULL);
    assert_float_equal(rep_metric(&f, rec, "patients_moved", "B/ortho"), 0, 0);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "B/ortho"), 0, 0);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "A/ortho"), 10, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Travel limit 40 km, distances given (they override the coordinates, 68.5 and 136.9 km):
 * SB1 is 40 km from SA (just inside: the limit is inclusive), SB2 41 km (just outside).
 * B's patients live half near each; only SB1's move, each travelling 40 km.
 */
static void test_pooled_travel_limit(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA, lat: 52.0, lon: 0.0}]}\n"
                       "  - {name: B, sites: [{code: SB1, lat: 52.0, lon: 1.0},\n"
                       "                      {code: SB2, lat: 52.0, lon: 2.0}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {treatments_per_week: 700, servers: 10}\n"
                       "      B: {backlog: {total: 1000, weeks: {0-10: 1}},\n"
                       "          home_sites: {SB1: 0.5, SB2: 0.5}}\n"
                       "collaboration:\n"
                       "  - {specialty: ortho, policy: pooled, travel_limit_km: 40,\n"
                       "     distances_km: {SA-SB1: 40, SA-SB2: 41}}\n";
    elt f;
    elt_open(&f, yaml, 60, 0, false);
    sim_record *rec = elt_run(&f, 12, 0, NULL);
    double moved = rep_metric(&f, rec, "patients_moved", "B/ortho");
    check_binomial("B's patients within 40 km", moved, 1000, 0.5);
    /* Nobody travelled beyond the limit: every one of them went exactly 40 km. */
    assert_float_equal(rep_metric(&f, rec, "distance_travelled_km", "B/ortho"), 40 * moved,
                       1e-6);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * A pools with B (not C) from 1 May (day 28): B's patients are treated by A from then on,
 * none in April; C's never.
 */
static void test_pooled_members_and_start(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "  - {name: B, sites: [{code: SB}]}\n"
                       "  - {name: C, sites: [{code: SC}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {treatments_per_week: 700, servers: 10}\n"
                       "      B: {backlog: {total: 100, weeks: {0-10: 1}}}\n"
                       "      C: {backlog: {total: 100, weeks: {0-10: 1}}}\n"
                       "collaboration:\n"
                       "  - {specialty: ortho, policy: pooled, trusts: [A, B], from: 2023-05-01}\n";
    elt f;
    elt_open(&f, yaml, 60, 0, false);
    sim_record *rec = elt_run(&f, 13, 0, NULL);
    assert_float_equal(series_at(&f, rec, "treatments", "B/ortho", 1), 0, 0); /* April */
    assert_float_equal(flow(&f, rec, "treatments", "B/ortho"), 100, 0);
    assert_float_equal(rep_metric(&f, rec, "patients_moved", "B/ortho"), 100, 0);
    assert_float_equal(flow(&f, rec, "treatments", "C/ortho"), 0, 0);
    assert_float_equal(rep_metric(&f, rec, "patients_moved", "C/ortho"), 0, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* ---- mutual aid ------------------------------------------------------------------------ */

/*
 * A has 400 patients waiting 0-4 weeks and 600 waiting 20-30 weeks and no capacity; B has
 * no one waiting and 1,000 servers (each moved patient goes straight into service, so B's
 * mean wait stays 0, shorter than A's). With a 10-week threshold only the 600 are offered,
 * each once; they accept with probability 0.3.
 */
static const char *aid_yaml(const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "  - {name: B, sites: [{code: SB}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A: {backlog: {total: 1000, weeks: {0-4: 0.4, 20-30: 0.6}}}\n"
             "      B: {treatments_per_week: 7000, servers: 1000}\n"
             "collaboration:\n"
             "  - {specialty: ortho, policy: mutual_aid, threshold_weeks: 10, acceptance: 0.3%s}\n",
             extra);
    return buf;
}

/*
 * Weekly (days 0, 7, 14 and 21; flows count in months that end by the horizon, so it is
 * 28 days): every patient over 10 weeks is offered once.
 */
static void test_mutual_aid_acceptance_and_threshold(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, aid_yaml(", every: week"), 28, 0, false);
    sim_record *rec = elt_run(&f, 14, 0, NULL);
    double out = flow(&f, rec, "transfers_out", "A/ortho");
    check_binomial("offered patients who move", out, 600, 0.3);
    assert_float_equal(flow(&f, rec, "transfers_in", "B/ortho"), out, 0);
    assert_float_equal(rep_metric(&f, rec, "treatments_total", "B/ortho"), out, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* At most 20 a week: four weekly rounds move exactly 80. */
static void test_mutual_aid_max_per_period(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, aid_yaml(", every: week, max_per_period: 20"), 28, 0, false);
    sim_record *rec = elt_run(&f, 15, 0, NULL);
    assert_float_equal(flow(&f, rec, "transfers_out", "A/ortho"), 80, 0);
    sim_record_free(rec);
    elt_close(&f);
}

/* Monthly: the first round is on 1 May (day 28), none in April (59 days: one round). */
static void test_mutual_aid_monthly(void **state)
{
    (void)state;
    elt f;
    elt_open(&f, aid_yaml(", every: month"), 59, 0, false);
    sim_record *rec = elt_run(&f, 16, 0, NULL);
    assert_float_equal(series_at(&f, rec, "transfers_out", "A/ortho", 1), 0, 0);
    check_binomial("offered on 1 May who move", flow(&f, rec, "transfers_out", "A/ortho"), 600,
                   0.3);
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * Each patient is offered once: A's long waiters moved to B are not offered back, even
 * when A's list, empty, has the shorter mean wait (0). Both trusts "treat" (sessions planned from 2030,
 * so no capacity in the run); A has 1,000 patients waiting 20-30 weeks, B 1,000 waiting
 * 0-4 weeks (under the 10-week threshold until day 42, after this 35-day run).
 */
static void test_mutual_aid_offers_once(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: SA}]}\n"
                       "  - {name: B, sites: [{code: SB}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    lists:\n"
                       "      A: {backlog: {total: 1000, weeks: {20-30: 1}}}\n"
                       "      B: {backlog: {total: 1000, weeks: {0-4: 1}}}\n"
                       "theatres:\n"
                       "  - {site: SA, sessions: [{weekday: mon, specialty: ortho, hours: 4,\n"
                       "                          cases: 1, from: 2030-01-07}]}\n"
                       "  - {site: SB, sessions: [{weekday: mon, specialty: ortho, hours: 4,\n"
                       "                          cases: 1, from: 2030-01-07}]}\n"
                       "collaboration:\n"
                       "  - {specialty: ortho, policy: mutual_aid, threshold_weeks: 10}\n";
    elt f;
    elt_open(&f, yaml, 35, 0, false);
    sim_record *rec = elt_run(&f, 17, 0, NULL);
    /* On day 0 all of A's move: A's mean wait never drops below 20 weeks, B's stays
     * under (1000 x 4 + 1000 x 30) / 2000 = 17 weeks. */
    assert_float_equal(flow(&f, rec, "transfers_out", "A/ortho"), 1000, 0);
    assert_float_equal(flow(&f, rec, "transfers_in", "B/ortho"), 1000, 0);
    assert_float_equal(flow(&f, rec, "transfers_out", "B/ortho"), 0, 0);
    sim_record_free(rec);
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sites_home_sites_capacity_site),
        cmocka_unit_test(test_admitted_share),
        cmocka_unit_test(test_priority_mix),
        cmocka_unit_test(test_p1_share),
        cmocka_unit_test(test_backlog_priority_mix),
        cmocka_unit_test(test_priority_review_rule),
        cmocka_unit_test(test_book_days_ahead),
        cmocka_unit_test(test_max_wait_weeks),
        cmocka_unit_test(test_removal_band_limits),
        cmocka_unit_test(test_backlog_admitted_share),
        cmocka_unit_test(test_non_admitted_md1),
        cmocka_unit_test(test_servers_mmc),
        cmocka_unit_test(test_session_timing),
        cmocka_unit_test(test_case_duration_spread),
        cmocka_unit_test(test_session_calendar),
        cmocka_unit_test(test_pooled_site_acceptance),
        cmocka_unit_test(test_pooled_travel_limit),
        cmocka_unit_test(test_pooled_members_and_start),
        cmocka_unit_test(test_mutual_aid_acceptance_and_threshold),
        cmocka_unit_test(test_mutual_aid_max_per_period),
        cmocka_unit_test(test_mutual_aid_monthly),
        cmocka_unit_test(test_mutual_aid_offers_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
