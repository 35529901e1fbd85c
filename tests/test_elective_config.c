/*
 * The elective model's scenario reader (errors name file:line:column, key and what was
 * expected), the backlog (the first snapshot reproduces the input exactly, band by band),
 * the day histogram's RTT measures, and priority review.
 */
#include "testutil.h"

#include "../models/elective/rtt_heap.h"
#include "../models/elective/rtt_hist.h"
#include "test_elective_support.h"

static const char *base = "trusts:\n"
                          "  - {name: WSFT, sites: [{code: WSH}]}\n"
                          "  - {name: ESNEFT, sites: [{code: IPS}, {code: COL}]}\n";

static void expect_error(const char *sections, const char *expected)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s%s", base, sections);
    elt f;
    struct sim_error err;
    int rc = elt_open_rc(&f, yaml, 365, 0, false, &err);
    char buf[2048];
    sim_error_format(&err, buf, sizeof buf);
    if (rc != SIM_EINPUT || !strstr(buf, expected))
        fail_msg("rc %d, message \"%s\", expected to contain \"%s\"", rc, buf, expected);
    elt_close(&f);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {refferals: {per_week: 3}}}\n",
                 "test.yaml:6:20: specialties[0].lists.WSFT.refferals: unknown key \"refferals\" "
                 "(did you mean \"referrals\"?)");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSTF: {}}\n",
                 "unknown trust \"WSTF\" (did you mean \"WSFT\"?)");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists:\n"
                 "      WSFT: {backlog: {total: 10, weeks: {0-18: 0.5, 18-52: 0.4}}}\n",
                 "specialties[0].lists.WSFT.backlog.weeks: expected band shares that add up to "
                 "1, got 0.9");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists:\n"
                 "      WSFT: {backlog: {total: 10, weeks: {18to52: 1}}}\n",
                 "expected a wait band such as \"18-52\" or \"104+\"");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {treatments_per_week: -3}}\n",
                 "specialties[0].lists.WSFT.treatments_per_week");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {}}\n"
                 "theatres:\n"
                 "  - site: IPS\n"
                 "    sessions: [{weekday: mon, specialty: ortho, hours: 4}]\n",
                 "trust ESNEFT runs ortho sessions but has no ortho list");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {}}\n"
                 "theatres:\n"
                 "  - site: WSH\n"
                 "    sessions: [{weekday: mon, specialty: ortho, hours: 4}]\n",
                 "no case_minutes for ortho");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {}, ESNEFT: {}}\n"
                 "collaboration:\n"
                 "  - {specialty: ortho, policy: pooled, threshold_weeks: 52}\n",
                 "unknown key \"threshold_weeks\"");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {}, ESNEFT: {}}\n"
                 "collaboration:\n"
                 "  - {specialty: ortho, policy: pooling}\n",
                 "collaboration[0].policy");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    lists: {WSFT: {treatments_per_week: 5}, ESNEFT: {treatments_per_week: 5}}\n"
                 "collaboration:\n"
                 "  - {specialty: ortho, policy: pooled, travel_limit_km: 50}\n",
                 "travel_limit_km needs the distance from WSH to IPS");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    priority_mix: {P1: 0.5, P2: 0.6}\n"
                 "    lists: {WSFT: {}}\n",
                 "expected shares of P1-P4 that add up to 1");
    expect_error("specialties:\n"
                 "  - name: ortho\n"
                 "    priority_review: [{from: P2, to: P3, after_weeks: 4}]\n"
                 "    lists: {WSFT: {}}\n",
                 "expected a more urgent priority than P2");
}

/* The first snapshot is the input backlog: total, and the counts over each threshold. */
static void test_backlog_first_snapshot(void **state)
{
    (void)state;
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sspecialties:\n"
             "  - name: ortho\n"
             "    lists:\n"
             "      WSFT:\n"
             "        backlog:\n"
             "          total: 5333\n"
             "          weeks: {0-18: 0.5, 18-52: 0.3, 52-65: 0.1, 65-78: 0.05, 78-104: 0.03,"
             " 104+: 0.02}\n",
             base);
    elt f;
    elt_open(&f, yaml, 100, 0, false);
    int g = elt_group(&f, "WSFT/ortho");
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    /* Largest remainder of 5333 x shares: 2666.5, 1599.9, 533.3, 266.65, 159.99, 106.66. */
    double n52 = 533 + 267 + 160 + 107, n65 = 267 + 160 + 107, n78 = 160 + 107, n104 = 107;
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "waiting_list_size"), 0, g), 5333, 0);
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "over_52_weeks"), 0, g), n52, 0);
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "over_65_weeks"), 0, g), n65, 0);
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "over_78_weeks"), 0, g), n78, 0);
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "over_104_weeks"), 0, g), n104, 0);
    /* 0-18 keeps its floor (2666: its remainder .5 is not among the four largest). */
    assert_float_equal(sim_record_get(rec, elt_metric(&f, "within_18_weeks_share"), 0, g),
                       2666.0 / 5333, 1e-12);
    sim_record_free(rec);
    elt_close(&f);
}

static void test_histogram(void **state)
{
    (void)state;
    rtt_hist h;
    assert_int_equal(rtt_hist_init(&h, -1000, 2000), 0);
    /* 100 patients, one a day, clock starts on days -100 ... -1 (mid-day). */
    for (int d = -100; d < 0; d++)
        rtt_hist_add(&h, d + 0.5, +1);
    rtt_snapshot s;
    rtt_hist_snapshot(&h, 0, &s);
    assert_float_equal(s.size, 100, 0);
    /* Waits are in (0, 100] days: median 50 days, 92nd percentile 92 days. */
    assert_float_equal(s.median_weeks * 7, 50, 1e-9);
    assert_float_equal(s.p92_weeks * 7, 92, 1e-9);
    /* Over 52 weeks: none; over 18 weeks (126 days): none; within 18: all. */
    assert_float_equal(s.within_18_share, 1, 0);
    assert_float_equal(s.over_weeks[0], 0, 0);
    /* At day 300, waits are (200, 400]: those over 364 days started on day <= -65. */
    rtt_hist_snapshot(&h, 300, &s);
    assert_float_equal(s.over_weeks[0], 36, 0);
    assert_float_equal(s.within_18_share, 0, 0);
    rtt_hist_add(&h, -50.5, -1);
    assert_int_equal(h.total, 99);
    rtt_hist_fini(&h);
}

static bool keep_odd(const void *ctx, const rtt_entry *e)
{
    (void)ctx;
    return e->patient % 2 == 1;
}

static void test_heap(void **state)
{
    (void)state;
    rtt_heap h;
    rtt_heap_init(&h);
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(rtt_heap_push(&h, (double)((i * 7919) % 1000), i, 0), 0);
    rtt_heap_compact(&h, keep_odd, NULL);
    assert_int_equal(h.n, 500);
    double last = -1;
    while (h.n) {
        const rtt_entry *e = rtt_heap_top(&h);
        assert_true(e->key >= last);
        assert_true(e->patient % 2 == 1);
        last = e->key;
        rtt_heap_pop(&h);
    }
    rtt_heap_fini(&h);
}

/*
 * Priority review. P1 referrals alone load the list fully (0.9 a day against 0.9 a day of
 * capacity), so P4 patients are starved unless review raises them: with P4 -> P1 after 10
 * weeks, they compete by clock start with the P1 patients and are treated after about
 * 10 weeks. Without review hardly any is treated.
 */
static void count_long(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)uid;
    (void)t;
    if (wait > 70)
        *(double *)ctx += 1;
}

static double long_waits_treated(const char *review)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "%sspecialties:\n"
             "  - name: ortho\n"
             "    priority_mix: {P1: 0.9, P4: 0.1}\n"
             "%s"
             "    lists:\n"
             "      WSFT: {referrals: {per_day: 1}, treatments_per_week: 6.3}\n",
             base, review);
    elt f;
    elt_open(&f, yaml, 1500, 0, false);
    double n = 0;
    el_run_hooks hooks = {.on_treated = count_long, .ctx = &n};
    sim_record *rec = elt_run(&f, 1, 0, &hooks);
    sim_record_free(rec);
    elt_close(&f);
    return n;
}

static void test_priority_review(void **state)
{
    (void)state;
    double with = long_waits_treated("    priority_review: [{from: P4, to: P1, after_weeks: 10}]\n");
    double without = long_waits_treated("");
    print_message("P4 treated after 10 weeks: %g with review, %g without\n", with, without);
    /* About 0.1 a day x 1400 days = 140 P4 referrals reach review age and are treated. */
    assert_true(with > 100);
    assert_true(without < 0.5 * with);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_backlog_first_snapshot),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_heap),
        cmocka_unit_test(test_priority_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
