/* sim/system/run_internal.h: the state of one replication of a system (run.c, flow.c). */
#ifndef SIM_RUN_INTERNAL_H
#define SIM_RUN_INTERNAL_H

#include "system.h"

typedef struct watcher {
    sim_signal_fn fn;
    void *ctx;
} watcher;

/* A published signal: its values and who watches it. */
typedef struct signal_state {
    double *values;
    size_t n;
    watcher *watchers;
    size_t n_watchers;
} signal_state;

typedef struct comp_state {
    void *state;
    bool started;
    sim_record view;
    signal_state *signals;   /* [n_ports], used for SIGNAL_OUT ports */
} comp_state;

struct sim_run {
    const sim_system *sys;
    sim_engine *engine;
    uint64_t seed, replication;
    size_t period;
    size_t next_snapshot;    /* the runner's next snapshot (run.c) */
    bool warmup_pending;     /* the warm-up boundary is still ahead */
    comp_state *comps;
    gsl_rng **streams;
    size_t n_streams, cap_streams;
    int failed;              /* first component failure */
    size_t failed_comp;
    char message[512];
};

/* The (component, port) a flow from (c, port) reaches, or false if unconnected. */
bool sim__flow_target(const sim_system *sys, size_t c, size_t port, size_t *to, size_t *to_port);
/* The (component, port) that feeds in port (c, port), or false. */
bool sim__flow_source(const sim_system *sys, size_t c, size_t port, size_t *from,
                      size_t *from_port);

#endif
