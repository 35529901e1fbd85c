/*
 * app/scenario.h: from a scenario file to a configured model.
 *
 * capsim_scenario_open loads the YAML (following extends), applies overrides ("key.path=value",
 * as from --set or a batch sweep), reads the common keys
 *
 *   name, label, description, assumptions: [text...], start_date, horizon_days,
 *   warmup_days, seed, replications, bank_holidays: {extra: [dates], dates: [dates]}
 *
 * and the shared `system:` section (trusts and sites), lets every model whose sections the
 * scenario uses read and check them, reads the `flows:` between the models
 *
 *   flows:
 *     - {from: queue.departures, to: loss.arrivals}      # an offer
 *     - {from: loss.occupied, to: queue.block_level}     # a signal
 *
 * (each end MODEL.PORT of a model in the scenario, kinds matching), and rejects any key
 * nobody read. The models then run together on one engine per replication (`system`). Every error names file:line:column, the key path and what was
 * expected; nothing is run or written before the whole scenario has been checked.
 */
#ifndef CAPSIM_SCENARIO_H
#define CAPSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "shared/system_config.h"
#include "uncertain.h"

struct sim_error;

#define CAPSIM_MAX_MODELS 16

typedef struct capsim_loaded {
    capsim_scenario sc;
    sim_node_tree *tree;
    capsim_system shared;   /* the `system:` section */
    size_t n_models;        /* models the scenario uses, in registry order */
    const capsim_model *models[CAPSIM_MAX_MODELS];
    void *cfgs[CAPSIM_MAX_MODELS];   /* their configurations */
    sim_component components[CAPSIM_MAX_MODELS];
    sim_flow *flows;
    size_t n_flows;
    sim_system system;      /* what one replication runs */
    capsim_uncertain_set uncertain; /* uncertain inputs (app/uncertain.h) */
    long runs_per_sample;   /* replications per input sample (`uncertainty:`) */
    long inputs_model;      /* the monitor namespace "inputs" of the drawn values, or -1 */
    sim_monitor *monitor;   /* declared metrics and dimensions (owned until taken) */
    char *yaml;             /* the scenario text as run (after extends and overrides) */
    char *default_name;     /* storage for sc.name when the file name gives it */
    char *path;             /* storage for sc.path */
    const char *label;      /* `label:` (a human name for reports), or NULL */
    const char **assumptions; /* `assumptions:` (a list of strings), n_assumptions of them */
    size_t n_assumptions;
} capsim_loaded;

/*
 * Load, check and configure. `overrides` are "path=value" strings (may be NULL, n 0).
 * Returns SIM_OK, or SIM_EIO / SIM_EINPUT with err filled; on error *out is untouched.
 */
int capsim_scenario_open(const char *path, const char *const *overrides, size_t n_overrides,
                         capsim_loaded **out, struct sim_error *err);

void capsim_scenario_close(capsim_loaded *l);

/*
 * Run replication `replication` of a loaded scenario into `out` (of l->monitor). With
 * uncertain inputs, the models are configured for the replication's input sample first.
 */
int capsim_scenario_run(const capsim_loaded *l, uint64_t seed, uint64_t replication,
                        sim_record *out, struct sim_error *err);

/*
 * The scenario configured with the uncertain inputs at `values` (NULL: their central
 * values) and every other input as loaded; for sensitivity runs. Close with
 * capsim_scenario_close.
 */
int capsim_scenario_variant(const capsim_loaded *l, const double *values, capsim_loaded **out,
                            struct sim_error *err);

/* The names of the scenario's models, joined by "+" (e.g. "queue+loss"), into buf. */
void capsim_scenario_models(const capsim_loaded *l, char *buf, size_t size);

/* The file name without its directory and a .yaml/.yml suffix (malloc'd; NULL if out of memory). */
char *capsim_name_from_path(const char *path);

/* Print an error as "capsim: file:line:col: key: message" on stderr. */
void capsim_print_error(const struct sim_error *err);

#endif
