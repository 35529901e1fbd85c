/*
 * The whole system (scenarios/snee-system.yaml): acute beds, the hub, virtual wards and the
 * elective lists coupled by flows. Checked here:
 *   - removing the avoided admissions upstream (the hub's and the virtual ward's) raises
 *     the cancellations for bed pressure downstream, paired by replication;
 *   - bed pressure cancels only inpatients: none with every case a day case, none while
 *     every site has a free ring-fenced bed;
 *   - with the bed-pressure flows off, the elective results equal the elective model run
 *     alone (snee-orthopaedics with the same seed and horizon), value for value.
 * Runs are one year (365 days) to keep the test quick.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"

enum { REPS = 6 };

static const char *const flows_without_avoided =
    "flows=[{from: ucch.divert_vw, to: virtual_ward.step_up},"
    " {from: virtual_ward.escalate, to: beds.admit},"
    " {from: virtual_ward.admit_refused, to: beds.admit},"
    " {from: beds.step_down, to: virtual_ward.step_down},"
    " {from: beds.cancel_probability, to: elective.bed_pressure},"
    " {from: elective.inpatients, to: beds.elective_admit}]";

static const char *const flows_without_pressure =
    "flows=[{from: ucch.divert_vw, to: virtual_ward.step_up},"
    " {from: ucch.avoided, to: beds.avoided},"
    " {from: virtual_ward.escalate, to: beds.admit},"
    " {from: virtual_ward.admit_refused, to: beds.admit},"
    " {from: virtual_ward.avoided, to: beds.avoided},"
    " {from: beds.step_down, to: virtual_ward.step_down}]";

static capsim_loaded *open_with(const char *file, const char *const *set, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s", CAPSIM_SOURCE_DIR, file);
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, set, n, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open %s: %s", file, buf);
    }
    return l;
}

/* Sum over months and cells of series "model/name" in each of REPS replications. */
static void totals(const capsim_loaded *l, const char *path, double *out)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)id);
    for (int r = 0; r < REPS; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, (uint64_t)r, rec, &err), 0);
        out[r] = 0;
        for (size_t i = 0; i < mt->length; i++)
            out[r] += rec->values[mt->offset + i];
        sim_record_free(rec);
    }
}

static void test_avoided_admissions_lower_cancellations(void **state)
{
    (void)state;
    const char *with[] = {"horizon_days=365"};
    const char *without[] = {"horizon_days=365", flows_without_avoided};
    capsim_loaded *a = open_with("snee-system.yaml", with, 1);
    capsim_loaded *b = open_with("snee-system.yaml", without, 2);
    double x[REPS], y[REPS], d[REPS];
    totals(a, "elective/bed_cancellations", x);
    totals(b, "elective/bed_cancellations", y);
    for (int r = 0; r < REPS; r++)
        d[r] = y[r] - x[r];
    sim_summary s;
    sim_summarise(d, REPS, &s);
    if (!(s.ci_low > 0))
        fail_msg("cancellations without the avoided admissions minus with: %g (95%% CI %g to "
                 "%g), expected above 0", s.mean, s.ci_low, s.ci_high);
    capsim_scenario_close(a);
    capsim_scenario_close(b);
}

static void test_pressure_spares_day_cases_and_ring_fenced_beds(void **state)
{
    (void)state;
    double c[REPS];
    const char *base[] = {"horizon_days=365"};
    capsim_loaded *l = open_with("snee-system.yaml", base, 1);
    totals(l, "elective/bed_cancellations", c);
    double any = 0;
    for (int r = 0; r < REPS; r++)
        any += c[r];
    assert_true(any > 0); /* the baseline does cancel for bed pressure */
    capsim_scenario_close(l);

    const char *day_cases[] = {"horizon_days=365", /* one day-case procedure: no stay_days */
                               "specialties[0].case_mix=[{name: day-case, share: 1, "
                               "minutes: {lognormal: {mean: 95, sd: 28.5}}}]"};
    l = open_with("snee-system.yaml", day_cases, 2);
    totals(l, "elective/bed_cancellations", c);
    for (int r = 0; r < REPS; r++)
        assert_true(c[r] == 0);
    totals(l, "elective/inpatients", c);
    for (int r = 0; r < REPS; r++)
        assert_true(c[r] == 0);
    capsim_scenario_close(l);

    const char *ring[] = {"horizon_days=365", "beds.sites[0].ring_fenced_beds=400",
                          "beds.sites[1].ring_fenced_beds=400",
                          "beds.sites[2].ring_fenced_beds=400"};
    l = open_with("snee-system.yaml", ring, 4);
    totals(l, "elective/bed_cancellations", c);
    for (int r = 0; r < REPS; r++)
        assert_true(c[r] == 0);
    capsim_scenario_close(l);
}

static void test_no_pressure_equals_the_elective_model_alone(void **state)
{
    (void)state;
    const char *sys_set[] = {"horizon_days=365", flows_without_pressure};
    const char *alone_set[] = {"horizon_days=365"};
    capsim_loaded *a = open_with("snee-system.yaml", sys_set, 2);
    capsim_loaded *b = open_with("snee-orthopaedics.yaml", alone_set, 1);
    int ma = sim_monitor_find_model(a->monitor, "elective");
    int mb = sim_monitor_find_model(b->monitor, "elective");
    assert_true(ma >= 0 && mb >= 0);
    size_t compared = 0;
    for (int r = 0; r < 2; r++) {
        sim_record *ra = sim_record_alloc(a->monitor), *rb = sim_record_alloc(b->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(a, a->sc.seed, (uint64_t)r, ra, &err), 0);
        assert_int_equal(capsim_scenario_run(b, b->sc.seed, (uint64_t)r, rb, &err), 0);
        size_t first = sim_monitor_model_first(b->monitor, (size_t)mb);
        for (size_t i = first; i < first + sim_monitor_model_metrics(b->monitor, (size_t)mb); i++) {
            const sim_metric *y = sim_monitor_metric(b->monitor, i);
            if (strcmp(y->name, "inpatients") == 0)
                continue; /* counted only where inpatients are configured */
            int j = sim_monitor_find_in(a->monitor, (size_t)ma, y->name);
            assert_true(j >= 0);
            const sim_metric *x = sim_monitor_metric(a->monitor, (size_t)j);
            assert_int_equal(x->length, y->length);
            for (size_t k = 0; k < y->length; k++) {
                double u = ra->values[x->offset + k], v = rb->values[y->offset + k];
                if (!(u == v || (isnan(u) && isnan(v))))
                    fail_msg("elective/%s[%zu] = %g in the system, %g alone", y->name, k, u, v);
                compared++;
            }
        }
        sim_record_free(ra);
        sim_record_free(rb);
    }
    assert_true(compared > 1000);
    capsim_scenario_close(a);
    capsim_scenario_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avoided_admissions_lower_cancellations),
        cmocka_unit_test(test_pressure_spares_day_cases_and_ring_fenced_beds),
        cmocka_unit_test(test_no_pressure_equals_the_elective_model_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
