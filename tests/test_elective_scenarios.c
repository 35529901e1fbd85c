/*
 * The example scenarios: each configures, and snee-orthopaedics starts from the seed
 * figures and gives plausible outputs. The files are read with the engine's YAML loader
 * (following extends); the common keys are read here as the program would.
 */
#include "testutil.h"

#include "test_elective_support.h"
#include "uncertain.h"

static void open_file(elt *f, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s", CAPSIM_SOURCE_DIR, name);
    memset(f, 0, sizeof *f);
    struct sim_error err;
    sim_error_clear(&err);
    sim_node *root;
    char buf[2048];
    int rc = sim_yaml_load(path, &f->tree, &root, &err);
    const char *text;
    double x;
    if (!rc)
        rc = sim_node_string(root, "name", &text, &err);
    if (!rc)
        rc = sim_node_opt_string(root, "description", &text, &err);
    if (!rc)
        rc = sim_node_opt_string(root, "label", &text, &err);
    sim_node *said = NULL; /* `assumptions:`, strings for reports (app/scenario.c) */
    if (!rc && sim_node_has(root, "assumptions") && !(rc = sim_node_seq(root, "assumptions",
                                                                       &said, &err)))
        for (size_t i = 0; i < said->n && !rc; i++)
            rc = sim_node_string(said->items[i], NULL, &text, &err);
    if (!rc)
        rc = sim_node_date(root, "start_date", &f->sc.start_date, &err);
    if (!rc)
        rc = sim_node_number(root, "horizon_days", 1, 1e5, &f->sc.horizon_days, &err);
    if (!rc)
        rc = sim_node_opt_number(root, "seed", 0, 1e18, &x, &err);
    if (!rc)
        rc = sim_node_opt_number(root, "replications", 1, 1e9, &x, &err);
    if (!rc) { /* uncertain inputs at their central values, as capsim check configures */
        capsim_uncertain_set u = {0};
        rc = capsim_uncertain_scan(root, &u, &err);
        capsim_uncertain_free(&u);
    }
    f->sc.path = path;
    f->sc.root = root;
    if (!rc)
        rc = capsim_system_read(root, &f->system, &err);
    f->sc.system = &f->system;
    void *cfg = NULL;
    if (!rc)
        rc = capsim_elective_model.configure(&f->sc, &cfg, &err);
    f->cfg = cfg;
    if (!rc)
        rc = sim_node_check_unused(root, &err);
    if (!rc) {
        f->mon = sim_monitor_alloc();
        rc = capsim_elective_model.declare(f->cfg, f->mon, &err);
    }
    if (rc) {
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("%s: %s", name, buf);
    }
}

static void test_all_scenarios_configure(void **state)
{
    (void)state;
    static const char *const files[] = {
        "snee-orthopaedics.yaml",      "snee-orthopaedics-mutual-aid.yaml",
        "snee-orthopaedics-pooled.yaml", "snee-orthopaedics-dcmc.yaml",
        "aha-paediatric-ent.yaml",     "aha-paediatric-ent-pooled.yaml",
        "regional-orthopaedics.yaml",  "regional-orthopaedics-mutual-aid.yaml",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        elt f;
        open_file(&f, files[i]);
        sim_record *rec = elt_run(&f, 1, 0, NULL);
        sim_record_free(rec);
        elt_close(&f);
    }
}

/* Seed 000: SNEE 15,961 waiting and 1,445 over 52 weeks in August 2022. */
static void test_snee_starts_from_seed_figures(void **state)
{
    (void)state;
    elt f;
    open_file(&f, "snee-orthopaedics.yaml");
    int gw = elt_group(&f, "WSFT/trauma-orthopaedics");
    int ge = elt_group(&f, "ESNEFT/trauma-orthopaedics");
    int ms = elt_metric(&f, "waiting_list_size"), m52 = elt_metric(&f, "over_52_weeks");
    int mu = elt_metric(&f, "capped_utilisation"), mt = elt_metric(&f, "treatments");
    sim_record *rec = elt_run(&f, 1, 0, NULL);
    assert_string_equal(sim_monitor_time_label(f.mon, 0), "2022-08-31"); /* the position as at 31 August */
    assert_float_equal(sim_record_get(rec, ms, 0, gw) + sim_record_get(rec, ms, 0, ge), 15961, 0);
    assert_float_equal(sim_record_get(rec, m52, 0, gw) + sim_record_get(rec, m52, 0, ge), 1445, 0);
    /* Plausible a year on: the list within 20% of where it started, 52+ waiters not
     * cleared nor tripled, theatre lists used 60-95% (capped), treatments every month. */
    size_t k = 12;
    assert_string_equal(sim_monitor_time_label(f.mon, k), "2023-08-31");
    double n = sim_record_get(rec, ms, k, gw) + sim_record_get(rec, ms, k, ge);
    double n52 = sim_record_get(rec, m52, k, gw) + sim_record_get(rec, m52, k, ge);
    assert_true(n > 0.8 * 15961 && n < 1.2 * 15961);
    assert_true(n52 > 0.3 * 1445 && n52 < 3 * 1445);
    for (size_t t = 1; t < sim_monitor_time_count(f.mon); t++) {
        for (int g = 0; g < 2; g++) {
            double u = sim_record_get(rec, mu, t, (size_t)g);
            assert_true(u > 0.6 && u < 0.95);
            assert_true(sim_record_get(rec, mt, t, (size_t)g) > 0);
        }
    }
    sim_record_free(rec);
    elt_close(&f);
}

/*
 * WSFT's 16 lists a week at the DCMC from August 2024 (seed 001): in the next 6 months its
 * sessions run rise by about 16 x 26 x 46 / 52 = 368 and its 52+ week waiters fall against
 * the baseline, under common random numbers.
 */
static void test_snee_dcmc_adds_lists(void **state)
{
    (void)state;
    elt base, dcmc;
    open_file(&base, "snee-orthopaedics.yaml");
    open_file(&dcmc, "snee-orthopaedics-dcmc.yaml");
    int g = elt_group(&base, "WSFT/trauma-orthopaedics");
    int m52 = elt_metric(&base, "over_52_weeks"), msr = elt_metric(&base, "sessions_run");
    size_t last = sim_monitor_time_count(base.mon) - 1;
    for (int r = 0; r < 3; r++) {
        sim_record *a = elt_run(&base, 5, (uint64_t)r, NULL);
        sim_record *b = elt_run(&dcmc, 5, (uint64_t)r, NULL);
        double extra = 0;
        for (size_t k = 24; k <= last; k++) /* Sep 2024 onwards */
            extra += sim_record_get(b, msr, k, g) - sim_record_get(a, msr, k, g);
        assert_true(extra > 250);
        assert_true(sim_record_get(b, m52, last, g) < 0.7 * sim_record_get(a, m52, last, g));
        sim_record_free(a);
        sim_record_free(b);
    }
    elt_close(&base);
    elt_close(&dcmc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_scenarios_configure),
        cmocka_unit_test(test_snee_starts_from_seed_figures),
        cmocka_unit_test(test_snee_dcmc_adds_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
