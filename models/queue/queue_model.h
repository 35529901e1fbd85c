/*
 * models/queue/queue_model.h: a generic queueing model (prefix qm_).
 *
 * Customers arrive by a time-varying Poisson process, belong to classes (each with a share
 * of arrivals and a priority), wait for one of c servers (a constant number or a weekly
 * schedule) and are served for a drawn time. It is the engine's end-to-end check against
 * queueing theory (M/M/c, Erlang C, Little's law) before the healthcare models, and a
 * building block planners can use for a clinic or a hub. Scenario section:
 *
 *   queue:
 *     arrivals: {per_day: 9}                 # a rate profile (sim/core/arrivals.h)
 *     servers: 10                            # or shifts (sim/core/resource.h)
 *     service_days: {exponential: {mean: 1}} # any distribution (sim/core/dist.h), in days
 *     balk_at: 5                             # optional: arrivals are lost while the
 *                                            # block_level signal is at least this
 *     classes:                               # optional; one class "all" by default
 *       - {name: urgent, share: 0.2, priority: 1}
 *       - {name: routine, share: 0.8, priority: 2}
 *
 * Ports (flows, sim/system/system.h): departures (offer out: each customer who finishes
 * service is offered downstream, attr[0] = their arrival time); block_level (signal in:
 * read at each arrival against balk_at).
 *
 * Outputs per class (group dimension "class"): month-end queue length, arrivals and
 * services started per month; per replication after the warm-up: mean wait in queue,
 * share who waited, time-average queue length, throughput, mean time in system, and
 * (for all classes together) mean busy servers and utilisation.
 */
#ifndef CAPSIM_QUEUE_MODEL_H
#define CAPSIM_QUEUE_MODEL_H

#include <stddef.h>

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"
#include "core/resource.h"
#include "../model.h"

typedef struct qm_class {
    const char *name;  /* = class_names[i] of the config */
    double share;
    int priority;
} qm_class;

typedef struct qm_config {
    sim_calendar cal;
    double horizon_days, warmup_days;
    sim_rate_profile arrivals;
    int servers;               /* constant servers, when !scheduled */
    int scheduled;
    sim_schedule schedule;
    sim_dist service;
    size_t n_classes;
    qm_class *classes;
    char **class_names;        /* owned */
    double balk_at;            /* INFINITY: never */
    double *snapshot_times;    /* month ends */
    size_t n_snapshots;
    int engine_events;         /* for tests: never use the model's own calendar */
} qm_config;

enum { QM_PORT_DEPARTURES, QM_PORT_BLOCK_LEVEL, QM_PORTS };

int qm_configure(const capsim_scenario *sc, void **cfg, struct sim_error *err);
int qm_declare(const void *cfg, sim_monitor *m, struct sim_error *err);
int qm_run(const void *cfg, uint64_t base_seed, uint64_t replication, sim_record *out);
void qm_destroy(void *cfg);

/* Events and bytes of one replication (queue_estimate.c; models/model.h). */
int qm_estimate(const void *cfg, double *events, double *bytes);

#endif
