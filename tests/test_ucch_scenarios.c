/*
 * The example hub scenarios: ucch-pilot reproduces the WSFT paper's first 50 days (1,323
 * discussed, 1,048 transferred, 795 dispatches avoided: means within 5%, over the
 * scenario's 40 replications), and phase 2 without growing the referral services refuses
 * more and avoids fewer dispatches than with them grown (paired replications).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/stats.h"
#include "scenario.h"

static capsim_loaded *open_scenario(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s", CAPSIM_SOURCE_DIR, name);
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, NULL, 0, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open %s: %s", name, buf);
    }
    return l;
}

/* x[r * n + j]: replication r's value of metric paths[j] (cell 0). */
static double *run_reps(const capsim_loaded *l, size_t reps, const char *const *paths, size_t n)
{
    double *x = calloc(reps * n, sizeof *x);
    for (size_t r = 0; r < reps; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        for (size_t j = 0; j < n; j++) {
            int id = sim_monitor_find_path(l->monitor, paths[j]);
            assert_true(id >= 0);
            x[r * n + j] = rec->values[sim_record_index(sim_monitor_metric(l->monitor,
                                                                           (size_t)id), 0, 0)];
        }
        sim_record_free(rec);
    }
    return x;
}

static void column(const double *x, size_t reps, size_t n, size_t j, sim_summary *s)
{
    double *c = calloc(reps, sizeof *c);
    for (size_t r = 0; r < reps; r++)
        c[r] = x[r * n + j];
    sim_summarise(c, reps, s);
    free(c);
}

static void test_pilot_figures(void **state)
{
    (void)state;
    capsim_loaded *l = open_scenario("ucch-pilot.yaml");
    assert_int_equal(l->sc.replications, 40);
    static const char *const paths[] = {"ucch/discussed_total", "ucch/transferred_total",
                                        "ucch/dispatches_avoided"};
    static const double paper[] = {1323, 1048, 795};
    double *x = run_reps(l, 40, paths, 3);
    for (size_t j = 0; j < 3; j++) {
        sim_summary s;
        column(x, 40, 3, j, &s);
        printf("%s: %.1f [%.1f, %.1f] (paper %.0f, %+.1f%%)\n", paths[j], s.mean,
               s.mean - s.half_width, s.mean + s.half_width, paper[j],
               100 * (s.mean / paper[j] - 1));
        assert_true(fabs(s.mean / paper[j] - 1) < 0.05);
        assert_true(s.half_width < 0.02 * paper[j]);
    }
    free(x);
    capsim_scenario_close(l);
}

static void test_phase2_services_must_grow(void **state)
{
    (void)state;
    capsim_loaded *grown = open_scenario("ucch-phase2.yaml");
    capsim_loaded *flat = open_scenario("ucch-phase2-services-flat.yaml");
    static const char *const paths[] = {"ucch/discussed_total", "ucch/refused_total",
                                        "ucch/dispatches_avoided"};
    enum { REPS = 8 };
    double *g = run_reps(grown, REPS, paths, 3), *f = run_reps(flat, REPS, paths, 3);
    double diff[REPS];
    for (size_t r = 0; r < REPS; r++) {
        /* Same calls, same clinicians: the hub discusses the same patients. */
        assert_true(g[r * 3] == f[r * 3]);
        diff[r] = g[r * 3 + 2] - f[r * 3 + 2];
    }
    sim_summary d, refused_flat, refused_grown;
    sim_summarise(diff, REPS, &d);
    column(f, REPS, 3, 1, &refused_flat);
    column(g, REPS, 3, 1, &refused_grown);
    printf("phase 2: dispatches avoided with services grown minus flat %.0f [%.0f, %.0f]; "
           "refused %.0f vs %.0f\n", d.mean, d.mean - d.half_width, d.mean + d.half_width,
           refused_grown.mean, refused_flat.mean);
    assert_true(d.mean - d.half_width > 0);
    assert_true(refused_flat.mean > 3 * refused_grown.mean);
    free(g);
    free(f);
    capsim_scenario_close(grown);
    capsim_scenario_close(flat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pilot_figures),
        cmocka_unit_test(test_phase2_services_must_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
