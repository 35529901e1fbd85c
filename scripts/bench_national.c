/*
 * scripts/bench_national.c: one replication of a scenario through the elective model,
 * timed. Prints wall time, events, events per second and peak resident memory.
 * (A benchmark, not a test: scripts/bench_national runs it on the generated national file.)
 *
 * Usage: bench_national SCENARIO.yaml
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../models/elective/el_model.h"
#include "../models/model.h"
#include "../models/shared/system_config.h"
#include "core/error.h"
#include "core/monitor.h"
#include "scenario/yaml.h"

extern const capsim_model capsim_elective_model;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCENARIO.yaml\n", argv[0]);
        return 2;
    }
    struct sim_error err;
    sim_error_clear(&err);
    sim_node_tree *tree;
    sim_node *root;
    capsim_scenario sc;
    memset(&sc, 0, sizeof sc);
    double t0 = now_s();
    int rc = sim_yaml_load(argv[1], &tree, &root, &err);
    if (!rc)
        rc = sim_node_date(root, "start_date", &sc.start_date, &err);
    if (!rc)
        rc = sim_node_number(root, "horizon_days", 1, 1e5, &sc.horizon_days, &err);
    capsim_system sys;
    memset(&sys, 0, sizeof sys);
    if (!rc)
        rc = capsim_system_read(root, &sys, &err);
    sc.system = &sys;
    sc.path = argv[1];
    sc.root = root;
    void *cfg = NULL;
    if (!rc)
        rc = capsim_elective_model.configure(&sc, &cfg, &err);
    sim_monitor *mon = sim_monitor_alloc();
    if (!rc)
        rc = capsim_elective_model.declare(cfg, mon, &err);
    if (rc) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "bench_national: %s\n", buf);
        return 2;
    }
    double t1 = now_s();
    sim_record *rec = sim_record_alloc(mon);
    uint64_t events = 0;
    el_run_hooks hooks = {.events = &events};
    rc = el_run_replication(cfg, 1, 0, rec, &hooks);
    double t2 = now_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("scenario        %s\n", argv[1]);
    printf("read+configure  %.2f s\n", t1 - t0);
    printf("run (1 rep)     %.2f s%s\n", t2 - t1, rc ? " (FAILED)" : "");
    printf("events          %llu\n", (unsigned long long)events);
    printf("events/s        %.3g\n", events / (t2 - t1));
    printf("peak RSS        %.0f MiB\n", ru.ru_maxrss / 1024.0);
    sim_record_free(rec);
    capsim_elective_model.destroy(cfg);
    capsim_system_fini(&sys);
    sim_monitor_free(mon);
    sim_node_tree_free(tree);
    return rc ? 1 : 0;
}
