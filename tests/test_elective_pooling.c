/*
 * Collaboration policies against queueing theory and against each other.
 *
 * Pooling two identical, heavily loaded lists (each M/M/1 with lambda = 1, mu = 1.25 a day)
 * into one list served by both trusts gives an M/M/2: W = C(2, a) / (2 mu - 2 lambda) + 1/mu
 * (Erlang C, a = 2 lambda / mu) = 2.22 days against 4 days apart. With unequal demand, the
 * pooled list serves both trusts' patients from one queue, so the spread of mean waits
 * between the trusts (equity) shrinks to noise. Mutual aid moves long waiters from the
 * busier list to the quieter one, keeping their clock start.
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 20
#define HORIZON 3000.0
#define WARMUP 300.0

static double erlang_c(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    return b / (1.0 - rho * (1.0 - b));
}

static const char *two_lists(double lambda_a, double lambda_b, const char *collab)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA, lat: 52.0, lon: 0.0}]}\n"
             "  - {name: B, sites: [{code: SB, lat: 52.0, lon: 1.0}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      A: {referrals: {per_day: %g}, treatments_per_week: 8.75}\n"
             "      B: {referrals: {per_day: %g}, treatments_per_week: 8.75}\n"
             "%s",
             lambda_a, lambda_b, collab);
    return buf;
}

typedef struct outcome {
    double wait_a[REPS], wait_b[REPS], spread[REPS], moved[REPS], km[REPS];
} outcome;

static void run_policy(const char *yaml, outcome *o)
{
    elt f;
    elt_open(&f, yaml, HORIZON, WARMUP, false);
    int ga = elt_group(&f, "A/ortho"), gb = elt_group(&f, "B/ortho");
    int mw = elt_metric(&f, "mean_wait_treated_weeks");
    int ms = elt_metric(&f, "wait_spread_between_trusts");
    int mm = elt_metric(&f, "patients_moved");
    int mk = elt_metric(&f, "distance_travelled_km");
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = elt_run(&f, 99, (uint64_t)r, NULL);
        o->wait_a[r] = sim_record_get(rec, mw, 0, (size_t)ga) * 7;
        o->wait_b[r] = sim_record_get(rec, mw, 0, (size_t)gb) * 7;
        o->spread[r] = sim_record_get(rec, ms, 0, 0) * 7;
        o->moved[r] = sim_record_get(rec, mm, 0, (size_t)ga) + sim_record_get(rec, mm, 0, (size_t)gb);
        o->km[r] = sim_record_get(rec, mk, 0, (size_t)ga) + sim_record_get(rec, mk, 0, (size_t)gb);
        sim_record_free(rec);
    }
    elt_close(&f);
}

static void test_pooling_identical_lists(void **state)
{
    (void)state;
    outcome *sep = calloc(1, sizeof *sep), *pool = calloc(1, sizeof *pool);
    run_policy(two_lists(1, 1, ""), sep);
    run_policy(two_lists(1, 1,
                         "collaboration:\n"
                         "  - {specialty: ortho, policy: pooled}\n"),
               pool);
    double mu = 1.25, lambda = 1.0;
    double w_sep = 1 / (mu - lambda);
    double w_pool = erlang_c(2, 2 * lambda / mu) / (2 * mu - 2 * lambda) + 1 / mu;
    sim_summary s;
    double both[REPS], diff[REPS];
    for (int r = 0; r < REPS; r++) {
        both[r] = (pool->wait_a[r] + pool->wait_b[r]) / 2;
        diff[r] = (sep->wait_a[r] + sep->wait_b[r]) / 2 - both[r];
    }
    sim_summarise(sep->wait_a, REPS, &s);
    assert_true(tu_within("separate M/M/1 wait", s.mean, w_sep, s.half_width, 1.5));
    sim_summarise(both, REPS, &s);
    /* Twenty replications give a half-width near 5% of the wait. The half-width itself
     * varies between seeds by more than normal theory's 16% (1 / sqrt(38) on 19 df): the
     * waits of a queue at 80% load are skewed. Over twelve base seeds (1-12) it was 5.3% of
     * the wait on average with an sd of 1.1%, so the bound is three of those sds above the
     * mean, not fitted to one stream of draws. */
    assert_true(s.half_width < 0.086 * w_pool);
    assert_true(tu_within("pooled M/M/2 wait", s.mean, w_pool, s.half_width, 1.5));
    /* Paired under common random numbers: pooling is better, with confidence. */
    sim_summarise(diff, REPS, &s);
    assert_true(s.ci_low > 0);
    /* Half the treatments happen at the other trust's site, 68.6 km away (1 degree of
     * longitude at 52 N on a 6371 km sphere). */
    sim_summarise(pool->moved, REPS, &s);
    assert_true(s.mean > 0);
    for (int r = 0; r < REPS; r++)
        assert_float_equal(pool->km[r] / pool->moved[r], 68.6, 0.2);
    for (int r = 0; r < REPS; r++)
        assert_float_equal(sep->moved[r], 0, 0);
    free(sep);
    free(pool);
}

static void test_pooling_narrows_spread(void **state)
{
    (void)state;
    outcome *sep = calloc(1, sizeof *sep), *pool = calloc(1, sizeof *pool);
    run_policy(two_lists(1.0, 0.5, ""), sep);
    run_policy(two_lists(1.0, 0.5,
                         "collaboration:\n"
                         "  - {specialty: ortho, policy: pooled}\n"),
               pool);
    sim_summary s_sep, s_pool;
    sim_summarise(sep->spread, REPS, &s_sep);
    sim_summarise(pool->spread, REPS, &s_pool);
    /* Apart: W_A = 1/(1.25 - 1) = 4 days, W_B = 1/(1.25 - 0.5) = 1.33 days. */
    assert_true(tu_within("separate spread (days)", s_sep.mean, 4 - 1 / 0.75, s_sep.half_width,
                          1.5));
    assert_true(s_pool.mean < 0.1 * s_sep.mean);
    free(sep);
    free(pool);
}

/* Mutual aid: A is overloaded (rho 1.12), B has room; A's long waiters go to B. */
static void test_mutual_aid_moves_long_waiters(void **state)
{
    (void)state;
    const char *aid = "collaboration:\n"
                      "  - {specialty: ortho, policy: mutual_aid, every: week,\n"
                      "     threshold_weeks: 2, acceptance: 0.5}\n";
    outcome *sep = calloc(1, sizeof *sep), *ma = calloc(1, sizeof *ma);
    elt f;
    elt_open(&f, two_lists(1.4, 0.5, aid), 400, 0, false);
    int ga = elt_group(&f, "A/ortho"), gb = elt_group(&f, "B/ortho");
    int m_out = elt_metric(&f, "transfers_out"), m_in = elt_metric(&f, "transfers_in");
    int m_size = elt_metric(&f, "waiting_list_size");
    double out_a = 0, in_b = 0, in_a = 0;
    sim_record *rec = elt_run(&f, 5, 0, NULL);
    out_a = elt_series_sum(&f, rec, "transfers_out", ga);
    in_b = elt_series_sum(&f, rec, "transfers_in", gb);
    in_a = elt_series_sum(&f, rec, "transfers_in", ga);
    (void)m_out;
    (void)m_in;
    assert_true(out_a > 10);
    assert_float_equal(out_a, in_b, 0);
    assert_float_equal(in_a, 0, 0);
    /* Without aid, A's list grows by about (1.4 - 1.25) x 400 = 60 a year and more; with
     * it, A's list stays below the separate case's at the end. */
    size_t last = sim_monitor_time_count(f.mon) - 1;
    double size_aid = sim_record_get(rec, m_size, last, (size_t)ga);
    sim_record_free(rec);
    elt_close(&f);
    elt_open(&f, two_lists(1.4, 0.5, ""), 400, 0, false);
    rec = elt_run(&f, 5, 0, NULL);
    double size_sep = sim_record_get(rec, m_size, last, (size_t)ga);
    assert_true(size_aid < size_sep);
    sim_record_free(rec);
    elt_close(&f);
    free(sep);
    free(ma);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pooling_identical_lists),
        cmocka_unit_test(test_pooling_narrows_spread),
        cmocka_unit_test(test_mutual_aid_moves_long_waiters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
