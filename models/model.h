/*
 * models/model.h: what a capsim model provides to the program.
 *
 * The program reads a scenario's common keys (name, dates, horizon, seed, replications)
 * into a capsim_scenario, finds the model whose top-level sections the scenario uses, and
 * drives it through four calls:
 *
 *   configure  read and check the model's sections (marking the nodes it reads as used),
 *              build an immutable configuration; errors name file:line:column and key
 *   declare    set the monitor's snapshot times and groups and declare every metric
 *   run        one replication: build an engine, run to the horizon, fill the record.
 *              Called concurrently from several threads with the same configuration, so it
 *              must only read cfg; all its random numbers come from named sim_rng streams
 *              keyed by (base_seed, replication), so results do not depend on threads.
 *   destroy    free the configuration
 */
#ifndef CAPSIM_MODEL_H
#define CAPSIM_MODEL_H

#include <stdint.h>

#include "core/calendar.h"
#include "core/monitor.h"
#include "scenario/yaml.h"

struct sim_error;

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
} capsim_scenario;

typedef struct capsim_model {
    const char *name;
    const char *const *sections; /* NULL-terminated top-level keys this model owns */
    int (*configure)(const capsim_scenario *sc, void **cfg, struct sim_error *err);
    int (*declare)(const void *cfg, sim_monitor *m, struct sim_error *err);
    int (*run)(const void *cfg, uint64_t base_seed, uint64_t replication, sim_record *out);
    void (*destroy)(void *cfg);
} capsim_model;

/* The models built into capsim, NULL-terminated. */
extern const capsim_model *const capsim_models[];

/* Set up a calendar for the scenario (start date and bank holidays). */
int capsim_scenario_calendar(const capsim_scenario *sc, sim_calendar *cal);

#endif
