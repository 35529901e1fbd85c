/*
 * Deferred referrals (el_run.c): a referral to the outpatient stage of a list whose servers
 * are all busy is made when the list is next read rather than as an event of its own. The
 * results must be those of a referral event each (el_run_hooks.eager_referrals), value for
 * value, wherever no two keys tie (ties are broken by the patient's record slot, which the
 * deferral changes): here two lists on the two-stage pathway with growing, weekday-shaped
 * referrals, removals by weeks waited, urgent referrals, a fading outpatient selection,
 * a warm-up and month-end snapshots, served
 *   - by simple capacity on working days only (servers rest at weekends, so deferred
 *     referrals turn back into events), and
 *   - by theatre sessions (no cancellations, so the rebooking queue has no ties), with P1
 *     decisions booked within 72 hours.
 * The deferred run must also have far fewer events.
 */
#include "testutil.h"

#include <string.h>

#include "test_elective_support.h"

static const char *yaml_for(bool theatres)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "  - {name: B, sites: [{code: SB}]}\n"
             "specialties:\n"
             "  - name: ortho\n"
             "    decision_to_admit: 25%%\n"
             "    priority_mix: {P1: 0.05, P2: 0.25, P3: 0.3, P4: 0.4}\n"
             "    urgent_referrals: 10%%\n"
             "    removals: {per_month: 3%%, weeks_factor: [{from: 18, factor: 2}]}\n"
             "    outpatient_removals: {per_month: 2%%}\n"
             "    outpatient_selection: {in_turn: 0.3, rest: fading, half_life_weeks: 30}\n"
             "%s"
             "    lists:\n"
             "      A:\n"
             "        referrals: {per_week: 60, growth_per_year: 5%%,\n"
             "                    weekday: {mon: 1.3, sat: 0.2, sun: 0.1}}\n"
             "        backlog: {total: 800, admitted_share: 0.3, weeks: {0-18: 0.7, 18-52: 0.3}}\n"
             "        non_admitted_per_week: 58\n"
             "        capacity_days: weekdays\n"
             "%s"
             "      B:\n"
             "        referrals: {per_week: 30}\n"
             "        backlog: {total: 300, weeks: {0-18: 1}}\n"
             "        non_admitted_per_week: 31\n"
             "        service: deterministic\n"
             "%s"
             "%s",
             theatres ? "    case_minutes: {lognormal: {mean: 90, sd: 30}}\n" : "",
             theatres ? "" : "        treatments_per_week: 15\n",
             theatres ? "" : "        treatments_per_week: 8\n",
             theatres ? "theatres:\n"
                        "  - site: SA\n"
                        "    book_days_ahead: 7\n"
                        "    sessions:\n"
                        "      - {weekday: [mon, tue, wed, thu, fri], specialty: ortho, hours: 4,\n"
                        "         count: 2, trust: A}\n"
                        "  - site: SB\n"
                        "    sessions:\n"
                        "      - {weekday: [tue, thu], specialty: ortho, hours: 4, count: 2,\n"
                        "         trust: B}\n"
                      : "");
    return buf;
}

static void check_same(bool theatres)
{
    elt f;
    elt_open(&f, yaml_for(theatres), 400, 60, true);
    size_t n = sim_monitor_record_length(f.mon);
    for (uint64_t rep = 0; rep < 3; rep++) {
        uint64_t ev_lazy = 0, ev_eager = 0;
        el_run_hooks lazy = {.events = &ev_lazy}, eager = {.events = &ev_eager,
                                                           .eager_referrals = true};
        sim_record *a = elt_run(&f, 7, rep, &lazy), *b = elt_run(&f, 7, rep, &eager);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&a->values[i], &b->values[i], sizeof(double)) != 0)
                fail_msg("%s, replication %d: value %zu is %.17g deferred, %.17g as events",
                         theatres ? "theatres" : "simple capacity", (int)rep, i, a->values[i],
                         b->values[i]);
        /* About 90 referrals a week over 400 days were events of their own: most of them
         * are not now. */
        assert_true(ev_eager > ev_lazy + 3000);
        sim_record_free(a);
        sim_record_free(b);
    }
    elt_close(&f);
}

static void test_deferred_simple_capacity(void **state)
{
    (void)state;
    check_same(false);
}

static void test_deferred_theatres(void **state)
{
    (void)state;
    check_same(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deferred_simple_capacity),
        cmocka_unit_test(test_deferred_theatres),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
