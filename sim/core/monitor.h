/*
 * sim/core/monitor.h: the metric registry and the per-replication record.
 *
 * A model declares each metric once: name, units, description, whether it is a series
 * (one value per snapshot time, e.g. month-end waiting list size or a monthly count) or a
 * replication outcome (one value per replication, e.g. mean wait of treated patients), and
 * whether it has one value per group (per trust) or one in all. The registry also holds the
 * two dimensions shared by all metrics: the snapshot times (days since start, with date
 * labels) and the groups (name of the dimension, e.g. "trust", and a label per group).
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

typedef enum sim_metric_kind {
    SIM_METRIC_SERIES, /* [time(, group)] per replication */
    SIM_METRIC_REP     /* [(group)] per replication */
} sim_metric_kind;

typedef struct sim_metric {
    char *name;          /* dataset name: lower_snake_case, e.g. "waiting_list_size" */
    char *units;         /* e.g. "patients", "weeks", "1" (dimensionless), "fraction" */
    char *description;   /* one sentence for the HDF5 attribute */
    sim_metric_kind kind;
    bool per_group;
    size_t offset;       /* index of its first value in a record */
    size_t length;       /* number of values in a record */
} sim_metric;

typedef struct sim_monitor sim_monitor;

sim_monitor *sim_monitor_alloc(void);
void sim_monitor_free(sim_monitor *m);

/* Set the snapshot times (days, strictly ascending, finite) and their labels (e.g.
 * "2023-04-30"). Copied. */
int sim_monitor_set_times(sim_monitor *m, const double *times, const char *const *labels,
                          size_t n);

/*
 * Set the group dimension: its name ("trust") and one label per group (n >= 1). Copied.
 * The name follows the metric name rules and may not be one of the scenario's own datasets
 * (time, time_label, replication, stat, scenario_yaml, series, reps, summary): SIM_EINVAL.
 */
int sim_monitor_set_groups(sim_monitor *m, const char *dimension, const char *const *labels,
                           size_t n);

/*
 * Declare a metric; returns its id (>= 0) or a negative SIM_E code (duplicate name: SIM_EINVAL).
 * Names are dataset names: a lower-case letter, then lower-case letters, digits and '_'.
 * Times and groups may be set before or after declaring; records must come after both.
 */
int sim_monitor_declare(sim_monitor *m, const char *name, const char *units,
                        const char *description, sim_metric_kind kind, bool per_group);

size_t sim_monitor_metric_count(const sim_monitor *m);
const sim_metric *sim_monitor_metric(const sim_monitor *m, size_t id);
int sim_monitor_find(const sim_monitor *m, const char *name);  /* id or -1 */

size_t sim_monitor_time_count(const sim_monitor *m);
const double *sim_monitor_times(const sim_monitor *m);
const char *sim_monitor_time_label(const sim_monitor *m, size_t i);
size_t sim_monitor_group_count(const sim_monitor *m);       /* 1 if no groups were set */
const char *sim_monitor_group_dimension(const sim_monitor *m); /* NULL if no groups */
const char *sim_monitor_group_label(const sim_monitor *m, size_t i);
size_t sim_monitor_record_length(const sim_monitor *m);     /* values in one record */

/* A deep copy (for reading results back and merging). */
sim_monitor *sim_monitor_copy(const sim_monitor *m);

/* True if a and b declare the same dimensions and metrics in the same order. */
bool sim_monitor_equal(const sim_monitor *a, const sim_monitor *b);

/* One replication's values: a flat array of sim_monitor_record_length doubles, all 0. */
typedef struct sim_record {
    const sim_monitor *monitor;
    double *values;
} sim_record;

sim_record *sim_record_alloc(const sim_monitor *m);
void sim_record_free(sim_record *r);
void sim_record_clear(sim_record *r);  /* all values back to 0 */

/*
 * Index of a value: series metrics are [time][group], rep metrics [group]; `time` is
 * ignored for rep metrics and `group` for metrics that are not per group.
 */
static inline size_t sim_record_index(const sim_metric *mt, size_t groups, size_t time,
                                      size_t group)
{
    size_t g = mt->per_group ? groups : 1;
    size_t t = mt->kind == SIM_METRIC_SERIES ? time : 0;
    return mt->offset + t * g + (mt->per_group ? group : 0);
}

void sim_record_set(sim_record *r, int metric, size_t time, size_t group, double value);
void sim_record_add(sim_record *r, int metric, size_t time, size_t group, double delta);
double sim_record_get(const sim_record *r, int metric, size_t time, size_t group);

#endif
