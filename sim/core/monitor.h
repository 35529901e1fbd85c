/*
 * sim/core/monitor.h: the metric registry and the per-replication record.
 *
 * A scenario may run several models on one engine; each model has a namespace in the
 * registry (its name: "queue", "elective", ...), which becomes a group of the results file,
 * /scenarios/NAME/MODEL/{series,reps,summary}/METRIC. A model declares each metric once:
 * name, units, description, whether it is a series (one value per snapshot time, e.g.
 * month-end waiting list size or a monthly count) or a replication outcome (one value per
 * replication, e.g. mean wait of treated patients), and the dimensions it has beyond time:
 * none, the model's default dimension (`per_group`, e.g. "list"), or up to SIM_MAX_DIMS of
 * the model's dimensions (e.g. trust x category). The snapshot times (days since start,
 * with date labels) are shared by every model of a scenario.
 *
 * Calls: sim_monitor_begin_model("elective") opens a namespace; the dimensions and metrics
 * declared after it belong to it until the next begin_model. Declaring without any
 * begin_model puts the metrics in a namespace called "default".
 *
 * Metric ids: sim_monitor_declare returns the metric's index within its model (0, 1, ...
 * in declaration order), which is what the model uses with its record view
 * (sim_record_view). sim_monitor_metric, sim_monitor_find and sim_monitor_metric_count count
 * every metric of every model (global ids, in declaration order).
 *
 * A sim_record holds one replication's values for every declared metric, zero-initialised
 * (NaN means "not observed"); the results writer saves whatever is declared, so adding a
 * metric is one sim_monitor_declare call and the writes into the record.
 *
 * Declare everything before allocating records; the registry is then read-only and can be
 * shared by threads, each writing its own record.
 */
#ifndef SIM_MONITOR_H
#define SIM_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#define SIM_MAX_DIMS 3

typedef enum sim_metric_kind {
    SIM_METRIC_SERIES, /* [time(, dims...)] per replication */
    SIM_METRIC_REP     /* [(dims...)] per replication */
} sim_metric_kind;

typedef struct sim_metric {
    char *name;          /* dataset name: lower_snake_case, e.g. "waiting_list_size" */
    char *units;         /* e.g. "patients", "weeks", "1" (dimensionless), "fraction" */
    char *description;   /* one sentence for the HDF5 attribute */
    sim_metric_kind kind;
    bool per_group;      /* has dimensions beyond time (n_dims > 0 once laid out) */
    bool default_dim;    /* declared per_group: uses the model's default dimension */
    size_t model;        /* namespace index */
    size_t n_dims;       /* dimensions beyond time */
    size_t dims[SIM_MAX_DIMS]; /* dimension ids (sim_monitor_dimension) */
    size_t cells;        /* product of the dimensions' sizes (1 with none) */
    size_t offset;       /* index of its first value in a record */
    size_t length;       /* number of values in a record */
} sim_metric;

typedef struct sim_dimension {
    char *name;          /* e.g. "trust", "list", "category" */
    size_t model;        /* namespace it belongs to */
    char **labels;
    size_t n;
} sim_dimension;

typedef struct sim_monitor sim_monitor;

sim_monitor *sim_monitor_alloc(void);
void sim_monitor_free(sim_monitor *m);

/* Set the snapshot times (days, strictly ascending, finite) and their labels (e.g.
 * "2023-04-30"). Copied. */
int sim_monitor_set_times(sim_monitor *m, const double *times, const char *const *labels,
                          size_t n);

/*
 * Open the namespace of model `name` (lower_snake_case, not one of the scenario group's own
 * datasets: time, time_label, replication, stat, scenario_yaml). A name already opened is
 * re-entered. Returns its index, or SIM_EINVAL.
 */
int sim_monitor_begin_model(sim_monitor *m, const char *name);

size_t sim_monitor_model_count(const sim_monitor *m);
const char *sim_monitor_model_name(const sim_monitor *m, size_t model);
int sim_monitor_find_model(const sim_monitor *m, const char *name); /* index or -1 */
/* Global id of the model's first metric, and how many it has. */
size_t sim_monitor_model_first(const sim_monitor *m, size_t model);
size_t sim_monitor_model_metrics(const sim_monitor *m, size_t model);

/*
 * Add a dimension to the current model: its name and one label per cell (n >= 1). Copied.
 * The name follows the metric name rules, is unique within the model and may not be one of
 * the names the results layout uses (time, time_label, replication, stat, scenario_yaml,
 * series, reps, summary): SIM_EINVAL. Returns the dimension's id (>= 0).
 */
int sim_monitor_add_dimension(sim_monitor *m, const char *name, const char *const *labels,
                              size_t n);

/*
 * Add a dimension (or give the current model's dimension of that name new labels) and make
 * it the current model's default (for per_group metrics).
 */
int sim_monitor_set_groups(sim_monitor *m, const char *dimension, const char *const *labels,
                           size_t n);

size_t sim_monitor_dimension_count(const sim_monitor *m);
const sim_dimension *sim_monitor_dimension(const sim_monitor *m, size_t id);

/*
 * Declare a metric of the current model; returns its index within the model (>= 0) or a
 * negative SIM_E code (duplicate name within the model: SIM_EINVAL). Names are dataset
 * names: a lower-case letter, then lower-case letters, digits and '_'. Times and the
 * default dimension may be set before or after declaring; records must come after both.
 */
int sim_monitor_declare(sim_monitor *m, const char *name, const char *units,
                        const char *description, sim_metric_kind kind, bool per_group);

/* Declare a metric with explicit dimensions (ids from sim_monitor_add_dimension, of the
 * current model; n_dims <= SIM_MAX_DIMS). The value index of a cell is row-major. */
int sim_monitor_declare_dims(sim_monitor *m, const char *name, const char *units,
                             const char *description, sim_metric_kind kind,
                             const size_t *dims, size_t n_dims);

size_t sim_monitor_metric_count(const sim_monitor *m);
const sim_metric *sim_monitor_metric(const sim_monitor *m, size_t id);
/* Global id of the first metric called `name` (any model), or -1. */
int sim_monitor_find(const sim_monitor *m, const char *name);
/* Global id of metric `name` of model `model`, or -1. */
int sim_monitor_find_in(const sim_monitor *m, size_t model, const char *name);
/* Global id from "model/name" or a bare name (the first model that has it), or -1. */
int sim_monitor_find_path(const sim_monitor *m, const char *path);

size_t sim_monitor_time_count(const sim_monitor *m);
const double *sim_monitor_times(const sim_monitor *m);
const char *sim_monitor_time_label(const sim_monitor *m, size_t i);

/*
 * Convenience for single-model code and tests: the default dimension of the first model
 * (its size, 1 when there is none; its name, NULL when none; a label, NULL out of range).
 */
size_t sim_monitor_group_count(const sim_monitor *m);
const char *sim_monitor_group_dimension(const sim_monitor *m);
const char *sim_monitor_group_label(const sim_monitor *m, size_t i);

/* The labels of cell `cell` of metric `mt`, joined by '/', into buf (e.g. "WSFT/C3"). */
void sim_monitor_cell_label(const sim_monitor *m, const sim_metric *mt, size_t cell,
                            char *buf, size_t size);

size_t sim_monitor_record_length(const sim_monitor *m);     /* values in one record */

/* A deep copy (for reading results back and merging). */
sim_monitor *sim_monitor_copy(const sim_monitor *m);

/* True if a and b declare the same models, dimensions and metrics in the same order. */
bool sim_monitor_equal(const sim_monitor *a, const sim_monitor *b);

/*
 * One replication's values: a flat array of sim_monitor_record_length doubles, all 0.
 * `base` is the global id of metric 0 as the record's user sees it: 0 for a whole record,
 * a model's first metric for that model's view.
 */
typedef struct sim_record {
    const sim_monitor *monitor;
    double *values;
    size_t base;
} sim_record;

sim_record *sim_record_alloc(const sim_monitor *m);
void sim_record_free(sim_record *r);
void sim_record_clear(sim_record *r);  /* all values back to 0 */

/* A view of `whole` in which metric i is model `model`'s metric i (shares the values). */
sim_record sim_record_view(const sim_record *whole, size_t model);

/*
 * Index of a value: series metrics are [time][cell], rep metrics [cell]; `time` is ignored
 * for rep metrics and `cell` for metrics without dimensions.
 */
static inline size_t sim_record_index(const sim_metric *mt, size_t time, size_t cell)
{
    size_t t = mt->kind == SIM_METRIC_SERIES ? time : 0;
    return mt->offset + t * mt->cells + (mt->n_dims ? cell : 0);
}

/* Metric ids here are the record's (relative to r->base). */
void sim_record_set(sim_record *r, int metric, size_t time, size_t cell, double value);
void sim_record_add(sim_record *r, int metric, size_t time, size_t cell, double delta);
double sim_record_get(const sim_record *r, int metric, size_t time, size_t cell);

#endif
