/*
 * The hub and the virtual wards coupled through the system layer (ucch.divert_vw ->
 * virtual_ward.step_up, scenarios/ucch-pilot.yaml). A full ward refuses the hub's step-ups
 * and the calls are dispatched: with the ward's transfers needing no vehicle, dispatches
 * avoided fall by exactly the number the ward refused, replication by replication (the
 * hub's calls draw from their own streams, so everything else is the same). The ward counts
 * the same refusals as the hub, and without the flow every diversion is refused.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "scenario.h"

enum { VW_SERVICE = 5 }; /* ucch-pilot.yaml's services: eit, ucr, gp, falls, mental_health, virtual_ward */

static capsim_loaded *open_pilot(const char *places_per_100k, bool flow)
{
    char path[4096], wsft[128], esneft[128];
    snprintf(path, sizeof path, "%s/scenarios/ucch-pilot.yaml", CAPSIM_SOURCE_DIR);
    snprintf(wsft, sizeof wsft, "virtual_ward.trusts[0].places_per_100k=%s", places_per_100k);
    snprintf(esneft, sizeof esneft, "virtual_ward.trusts[1].places_per_100k=%s",
             places_per_100k);
    const char *set[] = {"ucch.services[5].needs_vehicle=0", wsft, esneft, "flows=[]"};
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, set, flow ? 3 : 4, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open the pilot: %s", buf);
    }
    return l;
}

typedef struct outcome {
    double discussed, avoided, refused_vw, transferred_vw, ward_refused_hub;
} outcome;

static double get(const capsim_loaded *l, const sim_record *rec, const char *path, size_t cell)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    return rec->values[sim_record_index(sim_monitor_metric(l->monitor, (size_t)id), 0, cell)];
}

static outcome run(const capsim_loaded *l, uint64_t r)
{
    sim_record *rec = sim_record_alloc(l->monitor);
    struct sim_error err;
    assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
    outcome o = {
        .discussed = get(l, rec, "ucch/discussed_total", 0),
        .avoided = get(l, rec, "ucch/dispatches_avoided", 0),
        .refused_vw = get(l, rec, "ucch/refused_capacity", VW_SERVICE),
        .transferred_vw = get(l, rec, "ucch/transferred", VW_SERVICE),
        /* route hub (0) x reason places (0) and staff (1) */
        .ward_refused_hub = get(l, rec, "virtual_ward/refused", 0) +
                            get(l, rec, "virtual_ward/refused", 1),
    };
    sim_record_free(rec);
    return o;
}

static void test_full_ward_lowers_dispatches_avoided(void **state)
{
    (void)state;
    capsim_loaded *roomy = open_pilot("2000", true);  /* never full */
    capsim_loaded *full = open_pilot("1", true);      /* 3 and 8 places, filled by GPs */
    double total_refused = 0;
    for (uint64_t r = 0; r < 5; r++) {
        outcome a = run(roomy, r), b = run(full, r);
        assert_true(a.refused_vw == 0);
        assert_true(a.transferred_vw > 50);
        assert_true(a.discussed == b.discussed);
        assert_true(b.refused_vw > 0);
        assert_true(a.avoided - b.avoided == b.refused_vw);
        assert_true(b.ward_refused_hub == b.refused_vw);
        assert_true(b.transferred_vw + b.refused_vw == a.transferred_vw);
        total_refused += b.refused_vw;
    }
    printf("a full ward refused %.0f of the hub's diversions in 5 pilots\n", total_refused);
    capsim_scenario_close(roomy);
    capsim_scenario_close(full);
}

/* No flow: the divert_vw port refuses everything, so every diversion is dispatched. */
static void test_unconnected_ward_refuses_all(void **state)
{
    (void)state;
    capsim_loaded *roomy = open_pilot("2000", true), *alone = open_pilot("2000", false);
    assert_int_equal(alone->n_flows, 0);
    outcome a = run(roomy, 0), b = run(alone, 0);
    assert_true(b.transferred_vw == 0);
    assert_true(b.refused_vw == a.transferred_vw);
    assert_true(a.avoided - b.avoided == a.transferred_vw);
    assert_true(b.ward_refused_hub == 0);
    capsim_scenario_close(roomy);
    capsim_scenario_close(alone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_ward_lowers_dispatches_avoided),
        cmocka_unit_test(test_unconnected_ward_refuses_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
