/*
 * models/model.h: what a capsim model provides to the program.
 *
 * A scenario describes one system: the common keys (name, dates, horizon, seed,
 * replications), an optional `system:` section shared by every model (trusts, sites,
 * distances, populations: models/shared/system_config.h), the sections of any set of models,
 * and the `flows:` between them. The program reads the common keys and the system into a
 * capsim_scenario, lets every model whose sections appear configure itself, and runs them
 * all on one engine per replication (sim/system/system.h). A model provides:
 *
 *   sections   the top-level keys it owns; a model runs when any of them is present
 *   ports      its offer and signal ports, which `flows:` connect ("ucch.divert")
 *   configure  read and check its sections (marking the nodes it reads as used) against the
 *              shared system, build an immutable configuration; errors name
 *              file:line:column and key
 *   declare    declare its dimensions and metrics (the monitor's current model is this one;
 *              the snapshot times are already set)
 *   start      one replication: build its state on the run's engine, schedule its first
 *              events. Called concurrently from several threads with the same
 *              configuration, so it must only read cfg; every random number comes from
 *              sim_run_stream (named by model and by patient), so results do not depend on
 *              threads or on which other models run
 *   snapshot, warmup_end, finish, stop, accept: the component hooks of sim/system/system.h
 *   destroy    free the configuration
 *   estimate   optional: events and bytes of one replication, from the configuration alone
 *              (rough upper figures, for refusing a run the machine cannot hold before any
 *              work: app/estimate.h); NULL when the model cannot say
 *
 * Adding a model is one folder under models/ and one line in models/models.c.
 */
#ifndef CAPSIM_MODEL_H
#define CAPSIM_MODEL_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/monitor.h"
#include "scenario/yaml.h"
#include "system/system.h"

struct sim_error;
struct capsim_system;

typedef struct capsim_scenario {
    const char *path;        /* the scenario file as given */
    sim_node *root;          /* the merged document */
    const char *name;        /* `name:`, or the file name without .yaml */
    const char *description; /* may be NULL */
    sim_date start_date;
    double horizon_days;
    double warmup_days;      /* statistics before this are discarded (0 by default) */
    uint64_t seed;           /* base seed (`seed:`, default 1), overridden by --seed */
    long replications;       /* `replications:` (default 20), overridden by -r */
    sim_date *extra_holidays; /* `bank_holidays.extra`, added to the built-in table */
    size_t n_extra_holidays;
    sim_date *holidays;       /* `bank_holidays.dates`: replaces the built-in table if set */
    size_t n_holidays;
    int replace_holidays;     /* 1 if `bank_holidays.dates` was given */
    const struct capsim_system *system; /* the shared `system:` section (never NULL) */
} capsim_scenario;

typedef struct capsim_model {
    const char *name;
    const char *const *sections; /* NULL-terminated top-level keys this model owns */
    const sim_port *ports;       /* n_ports ports (may be NULL) */
    size_t n_ports;
    int (*configure)(const capsim_scenario *sc, void **cfg, struct sim_error *err);
    int (*declare)(const void *cfg, sim_monitor *m, struct sim_error *err);
    int (*start)(const void *cfg, sim_run *run, size_t self, void **state);
    void (*snapshot)(void *state, size_t k);
    void (*warmup_end)(void *state);
    int (*finish)(void *state, sim_record *out);
    void (*stop)(void *state);
    int (*accept)(void *state, size_t port, const sim_patient *p);
    void (*destroy)(void *cfg);
    /* Events and peak bytes of one replication; SIM_OK, or nonzero if unknown. */
    int (*estimate)(const void *cfg, double *events, double *bytes);
} capsim_model;

/* The models built into capsim, NULL-terminated. */
extern const capsim_model *const capsim_models[];

/* Set up a calendar for the scenario (start date and bank holidays). */
int capsim_scenario_calendar(const capsim_scenario *sc, sim_calendar *cal);

/*
 * Set the monitor's snapshot times to the month ends of [0, horizon] with their date labels,
 * unless it has times already (every model of a scenario shares them).
 */
int capsim_monitor_month_ends(sim_monitor *m, const sim_calendar *cal, double horizon);

/* A component of a system for a configured model (model index `model` in the monitor). */
sim_component capsim_model_component(const capsim_model *m, const void *cfg, size_t model);

/*
 * Run one model alone for one replication (tests, benchmarks): a one-component system with
 * the monitor's times, the model's namespace 0, `horizon` and `warmup` days.
 */
int capsim_model_run_alone(const capsim_model *m, const void *cfg, double horizon,
                           double warmup, uint64_t seed, uint64_t replication, sim_record *out,
                           struct sim_error *err);

#endif
