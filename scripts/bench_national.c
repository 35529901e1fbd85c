/*
 * scripts/bench_national.c: one replication of a scenario through the elective model,
 * timed. Prints wall time, CPU time, events, events per second, peak resident memory and a
 * checksum of every value the replication recorded (FNV-1a over their bits), which must not
 * change with a change meant to keep results bit-identical.
 * (A benchmark, not a test: scripts/bench_national runs it on the generated national file.)
 *
 * Usage: bench_national SCENARIO.yaml
 */
#include <stdint.h>
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

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t checksum(const sim_record *rec, size_t n)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &rec->values[i], sizeof bits);
        for (int k = 0; k < 8; k++) {
            h ^= (bits >> (8 * k)) & 0xff;
            h *= UINT64_C(0x100000001b3);
        }
    }
    return h;
}

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
    double c1 = cpu_s();
    rc = el_run_replication(cfg, 1, 0, rec, &hooks);
    double t2 = now_s(), c2 = cpu_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("scenario        %s\n", argv[1]);
    printf("read+configure  %.2f s\n", t1 - t0);
    printf("run (1 rep)     %.2f s%s\n", t2 - t1, rc ? " (FAILED)" : "");
    printf("cpu             %.2f s\n", c2 - c1);
    printf("events          %llu\n", (unsigned long long)events);
    printf("events/s        %.3g\n", events / (t2 - t1));
    printf("peak RSS        %.0f MiB\n", ru.ru_maxrss / 1024.0);
    printf("checksum        %016llx\n",
           (unsigned long long)checksum(rec, sim_monitor_record_length(mon)));
    sim_record_free(rec);
    capsim_elective_model.destroy(cfg);
    capsim_system_fini(&sys);
    sim_monitor_free(mon);
    sim_node_tree_free(tree);
    return rc ? 1 : 0;
}
