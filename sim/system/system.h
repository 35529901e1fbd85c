/*
 * sim/system/system.h: several models on one engine, and the flows between them.
 *
 * A system is a set of components (the models of a scenario), each with named ports, and
 * the flows that connect ports. One replication (sim_system_run) builds one engine, starts
 * every component on it, schedules the shared month-end snapshots and the warm-up boundary,
 * runs to the horizon, and asks every component for its outcomes. The runner owns the
 * engine, the snapshots and the warm-up: a component only schedules its own events.
 *
 * Flows are of two kinds:
 *   - an offer hands a patient (sim_patient: a small value) from an SIM_OFFER_OUT port of one
 *     component to an SIM_OFFER_IN port of another, which accepts or refuses at once
 *     (sim_offer returns 1 or 0), so the sender acts on the answer: a refused diversion is
 *     dispatched as usual. An offer port that no flow connects refuses everything.
 *   - a signal is a level (an array of values, e.g. free beds by site) that a component
 *     publishes on a SIM_SIGNAL_OUT port (sim_signal_publish, sim_signal_set) and others read
 *     on a SIM_SIGNAL_IN port connected to it (sim_signal_get; NaN when nothing is connected
 *     or nothing published yet) or watch (sim_signal_watch: called on every change).
 * Both are synchronous: the receiver runs inside the sender's event, at the same simulated
 * time, so a replication stays a pure function of (seed, replication): same bytes with any
 * number of threads, ranks or shards.
 *
 * Same-time order (sim/core/engine.h): snapshots and the warm-up boundary fire in
 * SIM_CLASS_SNAPSHOT, before anything else at their instant, for every component in
 * component order; components schedule their own events in the classes they need.
 *
 * Random streams: sim_run_stream(run, self, "arrivals") is the Philox stream named
 * "MODEL/arrivals" (keyed by base seed and replication), so adding a model or a flow changes
 * no other component's draws.
 *
 * The system is immutable once built and shared by the threads running replications.
 */
#ifndef SIM_SYSTEM_H
#define SIM_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "core/engine.h"
#include "core/monitor.h"

struct sim_error;

/* What an offer carries. Models agree on the meaning of kind and attr through the flow. */
typedef struct sim_patient {
    uint64_t id;          /* unique within the replication (the sender's patient id) */
    int32_t trust;        /* index into the scenario's system trusts, -1 if none */
    int32_t site;         /* index into the system's sites, -1 if none */
    int32_t priority;     /* 1 = most urgent; 0 if none */
    int32_t kind;         /* sender-defined category (e.g. pathway), -1 if none */
    double clock_start;   /* days since start (RTT clock start, call time, admission) */
    double attr[4];       /* sender-defined values, documented by the port */
} sim_patient;

typedef enum sim_port_kind {
    SIM_OFFER_OUT,
    SIM_OFFER_IN,
    SIM_SIGNAL_OUT,
    SIM_SIGNAL_IN
} sim_port_kind;

typedef struct sim_port {
    const char *name;        /* e.g. "divert", "step_up", "free_beds": lower_snake_case */
    sim_port_kind kind;
    const char *description; /* one sentence, for docs and errors */
} sim_port;

typedef struct sim_run sim_run;

/* One component of a system: a configured model and its hooks for one replication. */
typedef struct sim_component {
    const char *name;        /* the model's name: its metric namespace and stream prefix */
    const void *cfg;         /* the model's configuration (read-only, shared by threads) */
    const sim_port *ports;   /* n_ports ports */
    size_t n_ports;
    /* Build the replication's state and schedule its first events. Required. */
    int (*start)(const void *cfg, sim_run *run, size_t self, void **state);
    /* Month-end snapshot k (before anything else at that instant). Optional. */
    void (*snapshot)(void *state, size_t k);
    /* The warm-up has ended (statistics restart). Optional. */
    void (*warmup_end)(void *state);
    /* Write per-replication outcomes into the component's record view. Optional. */
    int (*finish)(void *state, sim_record *out);
    /* Free the state (also after a failed start). Required when start allocates. */
    void (*stop)(void *state);
    /* An offer arriving on SIM_OFFER_IN port `port`: 1 accepted, 0 refused. */
    int (*accept)(void *state, size_t port, const sim_patient *p);
    size_t model;            /* its namespace index in the monitor */
} sim_component;

/* A flow from (component, port) to (component, port); kinds checked by sim_system_check. */
typedef struct sim_flow {
    size_t from, from_port, to, to_port;
} sim_flow;

typedef struct sim_system {
    const sim_component *components;
    size_t n_components;
    const sim_flow *flows;
    size_t n_flows;
    const double *snapshot_times; /* the monitor's times */
    size_t n_snapshots;
    double horizon_days, warmup_days;
} sim_system;

/*
 * Check a system's flows: kinds match (offer out to offer in, signal out to signal in), an
 * offer out port and a signal in port have at most one flow, no flow connects a component
 * to itself. SIM_OK or SIM_EINPUT with a message naming the ports ("model.port").
 */
int sim_system_check(const sim_system *sys, struct sim_error *err);

/* Find a port of component c by name: its index, or -1. */
long sim_component_port(const sim_component *c, const char *name);

/*
 * Run one replication into `out` (a whole record of the scenario's monitor). Returns SIM_OK,
 * or the first error with err filled (a component's failure, or the engine's first error:
 * "model: message at day T").
 */
int sim_system_run(const sim_system *sys, uint64_t base_seed, uint64_t replication,
                   sim_record *out, struct sim_error *err);

/* ---- for components, during a replication ---- */

sim_engine *sim_run_engine(sim_run *run);
uint64_t sim_run_seed(const sim_run *run);
uint64_t sim_run_replication(const sim_run *run);
double sim_run_horizon(const sim_run *run);
double sim_run_warmup(const sim_run *run);
/* Index of the snapshot that closes the current month (where monthly flows are counted). */
size_t sim_run_period(const sim_run *run);
/* The component's view of the replication's record (its metric ids). */
sim_record *sim_run_record(sim_run *run, size_t self);

/* The stream "MODEL/name" of this replication; freed by the runner. NULL if out of memory. */
gsl_rng *sim_run_stream(sim_run *run, size_t self, const char *name);

/* Record a component's failure: the run stops after the running event. */
void sim_run_fail(sim_run *run, size_t self, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Offer p on out port `port` of component `self`: 1 accepted, 0 refused (or unconnected). */
int sim_offer(sim_run *run, size_t self, size_t port, const sim_patient *p);

/* True if a flow connects out port `port` of component `self` (to offer or to publish). */
bool sim_port_connected(const sim_run *run, size_t self, size_t port);

/* Publish signal port `port` of `self` with n values (all `initial`). Call from start. */
int sim_signal_publish(sim_run *run, size_t self, size_t port, size_t n, double initial);
/* Set value i of a published signal; watchers are called if it changed. */
void sim_signal_set(sim_run *run, size_t self, size_t port, size_t i, double value);
/* Value i of the signal connected to in port `port` of `self`; NaN if none. */
double sim_signal_get(const sim_run *run, size_t self, size_t port, size_t i);
/* Number of values of the signal connected to in port `port` (0 if none). */
size_t sim_signal_size(const sim_run *run, size_t self, size_t port);

typedef void (*sim_signal_fn)(void *ctx, size_t i, double old_value, double new_value);
/* Call fn whenever the signal connected to in port `port` of `self` changes. */
int sim_signal_watch(sim_run *run, size_t self, size_t port, sim_signal_fn fn, void *ctx);

#endif
