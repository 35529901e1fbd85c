/*
 * tests/test_elective_support.h: a fixture for the elective model's tests.
 *
 * It drives the model through its capsim_model functions (configure, declare, run) from
 * scenario text, without the command line: the common keys (dates, horizon, holidays) are
 * filled in here, the model's sections come from the text. For brevity a test writes the
 * system's trusts as a top-level `trusts:` block (a scenario file has it under `system:`):
 * the fixture reads it with capsim_system_read_section. Include after testutil.h.
 */
#ifndef TEST_ELECTIVE_SUPPORT_H
#define TEST_ELECTIVE_SUPPORT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/elective/el_config.h"
#include "../models/elective/el_model.h"
#include "../models/model.h"
#include "../models/shared/system_config.h"
#include "core/error.h"
#include "core/monitor.h"
#include "core/stats.h"
#include "scenario/yaml.h"

extern const capsim_model capsim_elective_model;

typedef struct elt {
    sim_node_tree *tree;
    capsim_system system;
    capsim_scenario sc;
    el_config *cfg;
    sim_monitor *mon;
} elt;

/* The start date of the runs elt_open configures (a test may set another before it). */
static sim_date elt_start = {2023, 4, 3};

/*
 * Configure from `yaml` (the model's sections only). Start on elt_start (Monday 3 April 2023
 * unless a test set another), no bank holidays unless `holidays`. Returns the configure
 * code; on error err holds the message.
 */
__attribute__((unused)) static int elt_open_rc(elt *f, const char *yaml, double horizon, double warmup, bool holidays,
                       struct sim_error *err)
{
    memset(f, 0, sizeof *f);
    sim_node *root;
    sim_error_clear(err);
    int rc = sim_yaml_load_string(yaml, "test.yaml", &f->tree, &root, err);
    if (rc)
        return rc;
    if ((rc = capsim_system_read_section(root, &f->system, err)))
        return rc;
    f->sc.system = &f->system;
    f->sc.path = "test.yaml";
    f->sc.root = root;
    f->sc.name = "test";
    f->sc.start_date = elt_start;
    f->sc.horizon_days = horizon;
    f->sc.warmup_days = warmup;
    f->sc.seed = 1;
    f->sc.replications = 1;
    f->sc.replace_holidays = holidays ? 0 : 1;
    void *cfg = NULL;
    rc = capsim_elective_model.configure(&f->sc, &cfg, err);
    if (rc)
        return rc;
    f->cfg = cfg;
    rc = sim_node_check_unused(root, err);
    if (rc)
        return rc;
    f->mon = sim_monitor_alloc();
    assert_non_null(f->mon);
    return capsim_elective_model.declare(f->cfg, f->mon, err);
}

__attribute__((unused)) static void elt_open(elt *f, const char *yaml, double horizon, double warmup, bool holidays)
{
    struct sim_error err;
    if (elt_open_rc(f, yaml, horizon, warmup, holidays, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot configure: %s", buf);
    }
}

__attribute__((unused)) static void elt_close(elt *f)
{
    if (f->cfg)
        capsim_elective_model.destroy(f->cfg);
    sim_monitor_free(f->mon);
    capsim_system_fini(&f->system);
    sim_node_tree_free(f->tree);
    memset(f, 0, sizeof *f);
}

__attribute__((unused)) static sim_record *elt_run(elt *f, uint64_t seed, uint64_t rep, const el_run_hooks *hooks)
{
    sim_record *rec = sim_record_alloc(f->mon);
    assert_non_null(rec);
    assert_int_equal(el_run_replication(f->cfg, seed, rep, rec, hooks), 0);
    return rec;
}

__attribute__((unused)) static int elt_metric(const elt *f, const char *name)
{
    int id = sim_monitor_find(f->mon, name);
    if (id < 0)
        fail_msg("no metric %s", name);
    return id;
}

__attribute__((unused)) static int elt_group(const elt *f, const char *label)
{
    for (size_t g = 0; g < sim_monitor_group_count(f->mon); g++)
        if (strcmp(sim_monitor_group_label(f->mon, g), label) == 0)
            return (int)g;
    fail_msg("no list %s", label);
    return -1;
}

/* Sum of a series metric over all snapshot periods (a flow over the run). */
__attribute__((unused)) static double elt_series_sum(const elt *f, const sim_record *rec, const char *name, int g)
{
    int id = elt_metric(f, name);
    double s = 0;
    for (size_t k = 0; k < sim_monitor_time_count(f->mon); k++)
        s += sim_record_get(rec, id, k, (size_t)g);
    return s;
}

#endif
