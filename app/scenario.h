/*
 * app/scenario.h: from a scenario file to a configured model.
 *
 * capsim_scenario_open loads the YAML (following extends), applies overrides ("key.path=value",
 * as from --set or a batch sweep), reads the common keys
 *
 *   name, description, start_date, horizon_days, warmup_days, seed, replications,
 *   bank_holidays: {extra: [dates], dates: [dates]}
 *
 * picks the model whose sections the scenario uses, lets it read and check them, and rejects
 * any key nobody read. Every error names file:line:column, the key path and what was
 * expected; nothing is run or written before the whole scenario has been checked.
 */
#ifndef CAPSIM_SCENARIO_H
#define CAPSIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct sim_error;

typedef struct capsim_loaded {
    capsim_scenario sc;
    sim_node_tree *tree;
    const capsim_model *model;
    void *cfg;              /* the model's configuration */
    sim_monitor *monitor;   /* declared metrics and dimensions (owned until taken) */
    char *yaml;             /* the scenario text as run (after extends and overrides) */
    char *default_name;     /* storage for sc.name when the file name gives it */
    char *path;             /* storage for sc.path */
} capsim_loaded;

/*
 * Load, check and configure. `overrides` are "path=value" strings (may be NULL, n 0).
 * Returns SIM_OK, or SIM_EIO / SIM_EINPUT with err filled; on error *out is untouched.
 */
int capsim_scenario_open(const char *path, const char *const *overrides, size_t n_overrides,
                         capsim_loaded **out, struct sim_error *err);

void capsim_scenario_close(capsim_loaded *l);

/* The file name without its directory and a .yaml/.yml suffix (malloc'd; NULL if out of memory). */
char *capsim_name_from_path(const char *path);

/* Print an error as "capsim: file:line:col: key: message" on stderr. */
void capsim_print_error(const struct sim_error *err);

#endif
