/*
 * Deferred events (el_run.c, catch_up_list): a lazy list's referrals, attendances' ends and
 * servers' rests are made when the list is next read rather than as events of their own.
 * The results must be those of an event each (el_run_hooks.eager), value for value,
 * wherever no two keys tie (ties are broken by the patient's record slot, which the
 * deferral changes): here two lists on the two-stage pathway with growing, weekday-shaped
 * referrals, removals by weeks waited, urgent referrals, a fading outpatient selection,
 * a warm-up and month-end snapshots, served
 *   - by simple capacity, list A's on working days only (its servers rest at weekends, the
 *     outpatient and the admitted ones together, so two rests end at one instant), B's
 *     with deterministic service times and C's with more capacity than demand in both
 *     stages (its servers go idle, and referrals wake them), and
 *   - by theatre sessions (no cancellations, so the rebooking queue has no ties), with P1
 *     decisions booked within 72 hours into one of two sessions that start together, in a
 *     theatre whose pending sessions another specialty's afternoon sessions reorder as they
 *     run (a deferred decision is made after them).
 *   - and by the national benchmark's structure in one ICS (tests/data/yaml/
 *     national-one-ics.yaml, from scripts/gen_national.py): three trusts, 30 lists,
 *     theatres shared by ten specialties with up to seven sessions that start together,
 *     cancellations on the day; which of several sessions a P1 decision books must not
 *     depend on when the decision is made in the engine's time (el_theatre.c, find_slot).
 * The deferred run must also have far fewer events.
 */
#include "testutil.h"

#include <string.h>

#include "test_elective_support.h"

static const char *yaml_for(bool theatres)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "trusts:\n"
             "  - {name: A, sites: [{code: SA}]}\n"
             "  - {name: B, sites: [{code: SB}]}\n"
             "  - {name: C, sites: [{code: SC}]}\n"
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
             "%s"
             "%s"
             "%s",
             theatres ? "    case_minutes: {lognormal: {mean: 90, sd: 30}}\n" : "",
             theatres ? "" : "        treatments_per_week: 15\n",
             theatres ? "" : "        treatments_per_week: 8\n",
             theatres ? "" : "      C:\n"
                             "        referrals: {per_week: 20}\n"
                             "        backlog: {total: 10, weeks: {0-18: 1}}\n"
                             "        non_admitted_per_week: 30\n"
                             "        treatments_per_week: 10\n",
             theatres ? "  - name: gs\n"
                        "    decision_to_admit: 30%\n"
                        "    priority_mix: {P1: 0.05, P2: 0.25, P3: 0.3, P4: 0.4}\n"
                        "    case_minutes: {lognormal: {mean: 60, sd: 20}}\n"
                        "    lists:\n"
                        "      A:\n"
                        "        referrals: {per_week: 40}\n"
                        "        backlog: {total: 300, admitted_share: 0.3, weeks: {0-18: 1}}\n"
                        "        non_admitted_per_week: 40\n"
                        : "",
             theatres ? "theatres:\n"
                        "  - site: SA\n"
                        "    book_days_ahead: 14\n"
                        "    sessions:\n"
                        "      - {weekday: [mon, wed, fri], specialty: gs, hours: 4, count: 7,\n"
                        "         trust: A}\n"
                        "      - {weekday: [mon, wed, fri], specialty: ortho, hours: 4, count: 7,\n"
                        "         trust: A}\n"
                        "  - site: SB\n"
                        "    sessions:\n"
                        "      - {weekday: [tue, thu], specialty: ortho, hours: 4, count: 2,\n"
                        "         trust: B}\n"
                      : "");
    return buf;
}

static void check_same_yaml(const char *what, const char *yaml, double days, int reps,
                            uint64_t fewer)
{
    elt f;
    elt_open(&f, yaml, days, 60, true);
    size_t n = sim_monitor_record_length(f.mon);
    for (uint64_t rep = 0; rep < (uint64_t)reps; rep++) {
        uint64_t ev_lazy = 0, ev_eager = 0;
        el_run_hooks lazy = {.events = &ev_lazy}, eager = {.events = &ev_eager,
                                                           .eager = true};
        sim_record *a = elt_run(&f, 7, rep, &lazy), *b = elt_run(&f, 7, rep, &eager);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&a->values[i], &b->values[i], sizeof(double)) != 0)
                fail_msg("%s, replication %d: value %zu is %.17g deferred, %.17g as events",
                         what, (int)rep, i, a->values[i], b->values[i]);
        assert_true(ev_eager > ev_lazy + fewer);
        sim_record_free(a);
        sim_record_free(b);
    }
    elt_close(&f);
}

static void check_same(bool theatres)
{
    /* About 90 referrals and as many attendances a week over 400 days were events of their
     * own: most of them are not now. */
    check_same_yaml(theatres ? "theatres" : "simple capacity", yaml_for(theatres), 400, 3, 6000);
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

static void test_deferred_national_one_ics(void **state)
{
    (void)state;
    char *yaml = tu_read_file(CAPSIM_SOURCE_DIR "/tests/data/yaml/national-one-ics.yaml");
    assert_non_null(yaml);
    /* 476,190 referrals a year, an attendance each: 156,000 in 120 days. */
    check_same_yaml("national, one ICS", yaml, 120, 1, 150000);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deferred_simple_capacity),
        cmocka_unit_test(test_deferred_theatres),
        cmocka_unit_test(test_deferred_national_one_ics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
