/*
 * app/batchfile.h: the scenarios of a batch, from scenario files and batch files.
 *
 * A batch file is a YAML map with a `scenarios` list (that is how it is told apart from a
 * scenario file):
 *
 *   name: clinic-staffing        # the batch's name: results/<name>.h5 (default: file name)
 *   seed: 7                      # optional base seed (else --seed, else the first scenario's)
 *   replications: 50             # optional (else -r, else the first scenario's)
 *   scenarios:
 *     - queue-clinic.yaml        # a scenario file, relative to the batch file
 *     - file: queue-clinic.yaml
 *       name: clinic-4-servers   # optional: a new name for it
 *       set:                     # optional overrides, key path: value
 *         queue.servers[0].servers: 4
 *     - file: queue-mm10.yaml
 *       sweep:                   # key path: values, crossed into a grid (first key slowest)
 *         queue.servers: [11, 12]
 *         queue.arrivals.per_day: [8, 9]
 *
 * Each grid point of a sweep is a scenario of its own, named after the scenario and the
 * values it takes: queue-mm10.servers-11.per_day-8 (the last part of each key path, then the
 * value with characters other than letters, digits, '-', '_' and '.' made '_'). The first
 * scenario of the batch is its baseline, which /comparisons compares the others with.
 *
 * Names (the batch's and an entry's) are plain: letters, digits, '-', '_' and '.', not
 * starting with '.', so a name cannot lead outside results/. A batch holds at most 10,000
 * scenarios. Errors in `set:` and `sweep:` values, and a scenario file that cannot be
 * opened, are named at the batch file's line and column (overrides carry their origin,
 * SIM_NODE_ORIGIN_SEP in scenario/yaml.h).
 */
#ifndef CAPSIM_BATCHFILE_H
#define CAPSIM_BATCHFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_error;

/* One scenario of a batch: a file and the overrides to apply to it, in order. */
typedef struct capsim_batch_entry {
    char *path;
    char **overrides;   /* "key.path=value" */
    size_t n_overrides;
} capsim_batch_entry;

typedef struct capsim_batch_list {
    capsim_batch_entry *entries;
    size_t n;
    char *name;         /* the batch's name, or NULL when only scenario files were given */
    bool have_seed, have_replications;
    uint64_t seed;
    long replications;
} capsim_batch_list;

/* True if the YAML file is a batch file (a map with `scenarios`); false if it is not or
 * cannot be read (capsim_scenario_open then reports the problem). */
bool capsim_is_batch_file(const char *path);

/*
 * Add the scenarios of `path` to `list`: a scenario file adds one entry, a batch file all of
 * its entries and grid points. `overrides` (from --set) come first in every entry. The first
 * batch file's name, seed and replications are kept in the list.
 */
int capsim_batch_add(capsim_batch_list *list, const char *path, const char *const *overrides,
                     size_t n_overrides, struct sim_error *err);

void capsim_batch_list_free(capsim_batch_list *list);

struct capsim_loaded;

/*
 * The name of loaded[n-1] (from file `path`) must differ from those before it, as capsim
 * run requires: SIM_EINPUT with
 *   "scenario name "X" appears twice in the batch; give one a different `name:`"
 */
int capsim_batch_check_unique_name(struct capsim_loaded *const *loaded, size_t n,
                                   const char *path, struct sim_error *err);

/*
 * Notes on stderr ("PROG: note: ...") for each scenario whose model differs from the
 * baseline's (the first): its comparison holds only the metrics both models declare alike,
 * and the note says how many those are (none: the comparison group is empty).
 */
void capsim_batch_note_mixed_models(const char *prog, struct capsim_loaded *const *loaded,
                                    size_t n);

#endif
