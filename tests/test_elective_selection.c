/*
 * The selection rule (el_config.h, el_selection; docs/elective.md) against cases with a known
 * answer. Ten backlog patients, one in each of the wait bands 0-1, 1-2, ..., 9-10 weeks (so
 * the longest waiter is backlog serial 9), one deterministic server treating one a day from
 * the first tick (06:00 on day 0): bookings at 0.25, 1.25 and 2.25 days, treatments a day
 * later, three in 3.5 days.
 *
 *   - in_turn s, rest random: the longest waiter is missed by a booking with chance
 *     (1 - s)(1 - 1/m), m patients left, so P(treated among 3) = 1 - (1 - s)^3 x 9/10 x 8/9
 *     x 7/8 = 1 - 0.7 (1 - s)^3; 0.8488 for s = 40%, 0.3 for s = 0;
 *   - in_turn 0, rest weeks_waited: the first booking takes patient i with chance
 *     w_i / sum w, w the weeks waited at 0.25 days: the longest waiter's mean share is
 *     (9.5 + 0.25/7) / (50 + 10 x 0.25/7) = 0.18936 (to 2e-4: the waits' spread within
 *     their bands moves the ratio's mean by less);
 *   - in_turn 0, rest fading with a half-life of 3 weeks: weight 2^(-w / 3); the longest
 *     waiter's mean share of the first booking is E[2^(-w_9/3) / sum 2^(-w_j/3)] = 0.028642
 *     over the uniform spread within the bands (numerical integration, 4e6 draws, standard
 *     error 1e-6), against 0.1 for rest random;
 *   - a long-wait push over 5 weeks until day 2 with rest random: the first two bookings
 *     (0.25 and 1.25) are the two longest waiters exactly, the third is random again; with
 *     share 50% the first booking is the longest waiter with chance 0.5 + 0.5 / 10.
 * The same holds for the outpatient stage (non-admitted pathways, outpatient_selection).
 * A pooled list follows the rule over the pool: trusts A and B pool their lists (five backlog
 * patients each, A's in bands 0-1 ... 4-5 weeks, B's in 5-6 ... 9-10), A's one server
 * treating for the pool, every patient accepting A's site: with in_turn 0 the first booking is
 * B's longest waiter with chance 1/10; without a rule (longest wait first) or with in_turn
 * 100%, always.
 * Tolerances: 4 binomial standard deviations over the replications.
 */
#include "testutil.h"

#include "test_elective_support.h"

#define REPS 3000

typedef struct sel_obs {
    int order[3];            /* backlog serials in treatment order */
    int list0;               /* the home list of the first treated */
    int n;
} sel_obs;

static void on_treated(void *ctx, int list, uint64_t uid, double wait, double t)
{
    (void)list;
    (void)wait;
    (void)t;
    sel_obs *o = ctx;
    assert_true(uid & EL_UID_BACKLOG);
    if (o->n < 3)
        o->order[o->n] = (int)(uid & (EL_UID_BACKLOG - 1));
    if (o->n == 0)
        o->list0 = (int)(uid >> EL_UID_LIST_SHIFT);
    o->n++;
}

static const char *ten_yaml(bool outpatient, const char *rule)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: A1}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    %s: %s\n"
             "    lists:\n"
             "      A:\n"
             "        backlog: {total: 10, admitted_share: %s, weeks: {0-1: 0.1, 1-2: 0.1,\n"
             "                  2-3: 0.1, 3-4: 0.1, 4-5: 0.1, 5-6: 0.1, 6-7: 0.1, 7-8: 0.1,\n"
             "                  8-9: 0.1, 9-10: 0.1}}\n"
             "        %s: 7\n"
             "        service: deterministic\n",
             outpatient ? "outpatient_selection" : "selection", rule, outpatient ? "0" : "1",
             outpatient ? "non_admitted_per_week" : "treatments_per_week");
    return buf;
}

/* Over REPS replications: the share with the longest waiter among the 3 treated, and the
 * share with it treated first. */
static void run_ten(bool outpatient, const char *rule, double *among3, double *first,
                    int *push_ok)
{
    elt f;
    elt_open(&f, ten_yaml(outpatient, rule), 3.5, 0, false);
    int hit = 0, hit_first = 0, pushed = 0;
    for (int r = 0; r < REPS; r++) {
        sel_obs o = {.n = 0};
        el_run_hooks hooks = {.on_treated = on_treated, .ctx = &o};
        sim_record *rec = elt_run(&f, 17, (uint64_t)r, &hooks);
        assert_int_equal(o.n, 3);
        hit += o.order[0] == 9 || o.order[1] == 9 || o.order[2] == 9;
        hit_first += o.order[0] == 9;
        pushed += o.order[0] == 9 && o.order[1] == 8;
        sim_record_free(rec);
    }
    *among3 = (double)hit / REPS;
    *first = (double)hit_first / REPS;
    if (push_ok)
        *push_ok = pushed;
    elt_close(&f);
}

static void check_share(const char *what, double got, double p)
{
    double tol = 4 * sqrt(p * (1 - p) / REPS);
    if (fabs(got - p) > tol)
        fail_msg("%s: %.4f, expected %.4f +- %.4f", what, got, p, tol);
}

static void check_stage(bool outpatient)
{
    double among3, first;
    run_ten(outpatient, "{in_turn: 40%}", &among3, &first, NULL);
    check_share("in turn 40%, random rest: longest waiter among 3", among3, 1 - 0.7 * 0.216);
    check_share("in turn 40%, random rest: longest waiter first", first, 0.4 + 0.6 / 10);
    run_ten(outpatient, "{in_turn: 0}", &among3, &first, NULL);
    check_share("all random: longest waiter among 3", among3, 0.3);
    run_ten(outpatient, "{in_turn: 0, rest: weeks_waited}", &among3, &first, NULL);
    check_share("weeks-waited weight: longest waiter first", first, 0.18936);
    run_ten(outpatient, "{in_turn: 0, rest: fading, half_life_weeks: 3}", &among3, &first, NULL);
    check_share("fading weight, half-life 3 weeks: longest waiter first", first, 0.028642);
    run_ten(outpatient,
            "{in_turn: 0, long_wait_push: {over_weeks: 5, until: 2023-04-05, share: 50%}}",
            &among3, &first, NULL);
    check_share("push taking half the bookings: longest waiter first", first, 0.55);
    run_ten(outpatient, "{in_turn: 100%}", &among3, &first, NULL);
    assert_float_equal(first, 1.0, 0);
    int pushed;
    run_ten(outpatient, "{in_turn: 0, long_wait_push: {over_weeks: 5, until: 2023-04-05}}",
            &among3, &first, &pushed);
    assert_int_equal(pushed, REPS);
    /* Pushes are tried in order: one that takes no bookings leaves the next to act. */
    run_ten(outpatient,
            "{in_turn: 0, long_wait_push: [{over_weeks: 5, until: 2023-04-05, share: 0},\n"
            "                              {over_weeks: 5, until: 2023-04-05}]}",
            &among3, &first, &pushed);
    assert_int_equal(pushed, REPS);
}

static int first_pooled(const char *rule, int reps)
{
    static char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "  - {name: B, sites: [{code: SB}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "%s"
             "    lists:\n"
             "      A: {backlog: {total: 5, weeks: {0-1: 0.2, 1-2: 0.2, 2-3: 0.2, 3-4: 0.2,\n"
             "          4-5: 0.2}}, treatments_per_week: 7, service: deterministic}\n"
             "      B: {backlog: {total: 5, weeks: {5-6: 0.2, 6-7: 0.2, 7-8: 0.2, 8-9: 0.2,\n"
             "          9-10: 0.2}}}\n"
             "collaboration:\n"
             "  - {specialty: ortho, policy: pooled, site_acceptance: {SA: 100%%}}\n",
             rule);
    elt f;
    elt_open(&f, yaml, 1.5, 0, false);
    int hits = 0;
    for (int r = 0; r < reps; r++) {
        sel_obs o = {.n = 0};
        el_run_hooks hooks = {.on_treated = on_treated, .ctx = &o};
        sim_record *rec = elt_run(&f, 17, (uint64_t)r, &hooks);
        assert_true(o.n >= 1);
        /* B's longest waiter: list 1, backlog serial 4 (on_treated keeps the serial). */
        hits += o.order[0] == 4 && o.list0 == 1;
        sim_record_free(rec);
    }
    elt_close(&f);
    return hits;
}

static void test_pooled_selection(void **state)
{
    (void)state;
    assert_int_equal(first_pooled("", 50), 50);
    assert_int_equal(first_pooled("    selection: {in_turn: 100%}\n", 50), 50);
    check_share("pooled, all random: the pool's longest waiter first",
                (double)first_pooled("    selection: {in_turn: 0}\n", REPS) / REPS, 0.1);
}

static void test_admitted_selection(void **state)
{
    (void)state;
    check_stage(false);
}

static void test_outpatient_selection(void **state)
{
    (void)state;
    check_stage(true);
}

/* Clinically urgent first: a P2 patient waiting a day is booked before routine patients of
 * 50 weeks whatever the in-turn share; with urgent_through: P1 it is routine like them. */
static void test_urgent_first(void **state)
{
    (void)state;
    const char *base = "trusts:\n"
                       "  - {name: A, sites: [{code: A1}]}\n"
                       "specialties:\n"
                       "  - name: ortho\n"
                       "    selection: %s\n"
                       "    lists:\n"
                       "      A:\n"
                       "        backlog: {total: 10, priority_mix: {P2: 0.1, P4: 0.9},\n"
                       "                  weeks: {0-1: 0.1, 49-50: 0.9}}\n"
                       "        treatments_per_week: 7\n"
                       "        service: deterministic\n";
    char yaml[1024];
    int first_short[2] = {0, 0};
    const char *rules[2] = {"{in_turn: 100%}", "{in_turn: 100%, urgent_through: P1}"};
    for (int k = 0; k < 2; k++) {
        snprintf(yaml, sizeof yaml, base, rules[k]);
        elt f;
        elt_open(&f, yaml, 1.5, 0, false);
        for (int r = 0; r < 200; r++) {
            sel_obs o = {.n = 0};
            el_run_hooks hooks = {.on_treated = on_treated, .ctx = &o};
            sim_record *rec = elt_run(&f, 3, (uint64_t)r, &hooks);
            assert_int_equal(o.n, 1);
            /* Serial 0 is the band 0-1 patient; it is P2 when its draw says so. */
            first_short[k] += o.order[0] == 0;
            sim_record_free(rec);
        }
        elt_close(&f);
    }
    /* Urgent first: the short waiter is first exactly when it is P2 (about 10% of runs,
     * or when another is P2 that one); as routine it is never first (in turn). */
    assert_true(first_short[0] > 0);
    assert_int_equal(first_short[1], 0);
}

/*
 * Random picks leave the picked patient's heap entry behind (stale until it reaches the
 * top), and with in_turn 0 few reach it: over a year 7,300 picks from a list of 600 to 800
 * (a clinic of 20 a day, 21 referrals a day) leave over 4,000 stale entries at times
 * without compaction. The daily tick compacts the
 * heaps once stale entries outnumber valid ones (plus 64), so after every tick the entries
 * are at most 2 x waiting + 64, and a random entry is valid at least about half the time.
 */
typedef struct tick_obs {
    size_t ticks, worst_excess; /* max over ticks of entries - (2 waiting + 64), if above */
    bool above;
} tick_obs;

static void on_tick(void *ctx, int list, size_t waiting, size_t entries)
{
    (void)list;
    tick_obs *o = ctx;
    o->ticks++;
    if (entries > 2 * waiting + 64) {
        o->above = true;
        if (entries - (2 * waiting + 64) > o->worst_excess)
            o->worst_excess = entries - (2 * waiting + 64);
    }
}

static void test_stale_entries_compacted(void **state)
{
    (void)state;
    const char *yaml = "trusts:\n"
                       "  - {name: A, sites: [{code: A1}]}\n"
                       "specialties:\n"
                       "  - name: ent\n"
                       "    decision_to_admit: 1%\n"
                       "    outpatient_selection: {in_turn: 0, rest: random}\n"
                       "    lists:\n"
                       "      A:\n"
                       "        referrals: {per_day: 21}\n"
                       "        backlog: {total: 500, admitted_share: 0, weeks: {0-20: 1}}\n"
                       "        non_admitted_per_week: 140\n"
                       "        treatments_per_week: 3\n"
                       "        service: deterministic\n";
    elt f;
    elt_open(&f, yaml, 365, 0, false);
    tick_obs o = {0};
    el_run_hooks hooks = {.on_tick = on_tick, .ctx = &o};
    sim_record *rec = elt_run(&f, 3, 0, &hooks);
    assert_int_equal(o.ticks, 365);
    if (o.above)
        fail_msg("entries exceeded 2 x waiting + 64 after a tick by %zu", o.worst_excess);
    sim_record_free(rec);
    elt_close(&f);
}

static void test_selection_errors(void **state)
{
    (void)state;
    struct sim_error err;
    char buf[512];
    elt f;
    const char *bad = "trusts:\n"
                      "  - {name: A, sites: [{code: A1}]}\n"
                      "specialties:\n"
                      "  - name: ortho\n"
                      "    outpatient_selection: {in_turn: 10%, urgent_through: P2}\n"
                      "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, bad, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:42: specialties[0].outpatient_selection.urgent_through: "
                             "unknown key \"urgent_through\"");
    elt_close(&f);
    const char *nodate = "trusts:\n"
                         "  - {name: A, sites: [{code: A1}]}\n"
                         "specialties:\n"
                         "  - name: ortho\n"
                         "    selection: {in_turn: 10%, long_wait_push: {over_weeks: 78}}\n"
                         "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, nodate, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:47: specialties[0].selection.long_wait_push: "
                             "expected an until date");
    elt_close(&f);
    const char *nohalf = "trusts:\n"
                         "  - {name: A, sites: [{code: A1}]}\n"
                         "specialties:\n"
                         "  - name: ortho\n"
                         "    selection: {in_turn: 10%, rest: fading}\n"
                         "    lists: {A: {treatments_per_week: 7}}\n";
    assert_int_equal(elt_open_rc(&f, nohalf, 10, 0, false, &err), SIM_EINPUT);
    sim_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "test.yaml:5:37: specialties[0].selection.rest: fading needs "
                             "half_life_weeks (the wait, in weeks, that halves a patient's "
                             "chance of being picked)");
    elt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admitted_selection),
        cmocka_unit_test(test_outpatient_selection),
        cmocka_unit_test(test_urgent_first),
        cmocka_unit_test(test_pooled_selection),
        cmocka_unit_test(test_stale_entries_compacted),
        cmocka_unit_test(test_selection_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
