/*
 * sim/results/results.h: a batch's results in memory, and their HDF5 file.
 *
 * sim_results holds what one batch produced: provenance, and for each scenario its
 * monitor (metrics and dimensions), the scenario text as run, and one sim_record per
 * replication (NULL while not yet run). sim_results_write saves it in the layout of
 * docs/results.md:
 *
 *   /                      attrs format="capsim-results", format_version (2), capsim_version,
 *                          git_commit, created_utc, command_line, base_seed, replications
 *   /scenarios/NAME/       attrs start_date, horizon_days, warmup_days, scenario_sha256,
 *                          replications, models (names in order); label, description,
 *                          assumptions when the scenario gives them
 *       scenario_yaml      the scenario text as run
 *       time               days since start_date (dimension scale; attrs labels = dates,
 *                          units = "days since START_DATE", CF style)
 *       time_label         the date strings
 *       replication        replication numbers (dimension scale)
 *       stat               summary statistic names (dimension scale)
 *       MODEL/             one group per model; attrs metrics, dimensions, group_dimension
 *           DIM            labels of each of the model's dimensions (dimension scales,
 *                          e.g. "list", "trust", "category")
 *           series/METRIC  [replication, time(, dims...)] float64
 *           reps/METRIC    [replication(, dims...)] float64
 *           summary/METRIC [(time,)(dims...,) stat] across replications
 *           variance/METRIC [(time,)(dims...,) component] with uncertain inputs only:
 *                          total, inputs, noise variance and the inputs' share (below)
 *   /comparisons/A__vs__B/ attrs scenario, baseline, pairs; its own time and stat scales
 *       MODEL/DIM, MODEL/METRIC  [(time,)(dims...,) stat] of the paired differences A - B
 *
 * Attributes added for reading the file back (so the monitor can be rebuilt exactly): root
 * `complete` (int32 0/1), `baseline` (the baseline scenario's name or "") and `scenarios`
 * (names in order); series/ and reps/ datasets `kind` ("series" or "rep"), `dimensions`
 * (names of their dimensions beyond time) and `default_dimension` (1 if declared per group).
 * The `stat` dimension is: mean, sd, ci_low, ci_high, half_width, q025, median, q975, min,
 * max, n (a 95% Student t interval; NaN values are skipped, and n counts the others).
 * Comparisons are written for every scenario against r->baseline (if >= 0), for metrics of
 * the same model that both declare with the same kind, shape and labels, over replication
 * numbers present in both. Every group that holds metric datasets (series/, reps/,
 * summary/, a comparison's MODEL/) also holds copies of the scales they are attached to
 * (time with its CF units, replication, stat, the model's dimensions), so netCDF-4 tools and
 * xarray, which make coordinates of the group they open, see them (docs/results.md).
 *
 * Variance split (runs_per_sample m > 1, attribute runs_per_sample on the scenario): over the
 * input samples whose m runs are all present, noise = the mean within-sample variance,
 * inputs = max(0, variance of the sample means - noise / m) (one-way random-effects ANOVA),
 * total = the variance over all those runs, inputs_share = inputs / (inputs + noise).
 *
 * Every dataset has units and description attributes; strings are variable-length UTF-8;
 * datasets are chunked with shuffle + deflate; object time tracking is off, so the same
 * results write the same bytes apart from created_utc. The file is written to
 * "PATH.tmp-PID" and renamed over PATH only when complete.
 *
 * sim_results_read loads such a file back (for merging shards, resuming and tests).
 */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/monitor.h"

/* The layout version written to and required of every file (root attribute format_version). */
#define SIM_RESULTS_FORMAT_VERSION 2

struct sim_error;

typedef struct sim_scenario_result {
    char *name;            /* HDF5 group name: letters, digits, '-', '_', '.' */
    char *yaml;            /* the scenario text as run */
    char sha256[65];       /* hex SHA-256 of yaml */
    char start_date[11];   /* "YYYY-MM-DD" */
    double horizon_days;
    double warmup_days;
    sim_monitor *monitor;  /* owned */
    size_t replications;
    sim_record **reps;     /* [replications], owned; NULL entries not yet run */
    size_t runs_per_sample; /* > 1: uncertain inputs, drawn once per block of this many
                             * replications; the writer then splits each metric's variance
                             * into inputs and simulation noise (MODEL/variance/METRIC) */
    char *label;           /* human name for reports, or NULL (attribute `label`) */
    char *description;     /* or NULL (attribute `description`) */
    char **assumptions;    /* n_assumptions strings (attribute `assumptions`) */
    size_t n_assumptions;
} sim_scenario_result;

typedef struct sim_results {
    char *capsim_version;
    char *git_commit;
    char *command_line;
    char *created_utc;     /* "2026-11-23T09:31:41Z"; set by write if NULL */
    uint64_t base_seed;
    size_t replications;   /* per scenario */
    size_t n_scenarios;
    sim_scenario_result *scenarios;
    long baseline;         /* index of the scenario the others are compared with, or -1 */
} sim_results;

/* An empty result set (no scenarios). */
sim_results *sim_results_alloc(void);
void sim_results_free(sim_results *r);

/*
 * Add a scenario; takes ownership of `monitor`; copies the strings and computes the hash.
 * Returns its index or a negative SIM_E code.
 */
long sim_results_add_scenario(sim_results *r, const char *name, const char *yaml,
                              const char *start_date, double horizon_days, double warmup_days,
                              sim_monitor *monitor, size_t replications);

/*
 * The words a report shows for scenario idx: label, description (either may be NULL) and
 * the assumptions it states; copied. Written as attributes of /scenarios/NAME when set.
 */
int sim_results_set_text(sim_results *r, size_t idx, const char *label,
                         const char *description, const char *const *assumptions, size_t n);

/* Hex SHA-256 (FIPS 180-4) of a byte string into out[65]. */
void sim_sha256_hex(const void *data, size_t size, char out[65]);

/*
 * Write the file (temporary name, then rename). Errors: SIM_EINPUT "results file exists (use
 * --force to overwrite)" when overwrite is false and PATH exists; SIM_EIO "cannot create
 * results file: <reason>" or "cannot write results file: <what> (<HDF5's reason>)". HDF5 is
 * not thread-safe in the Debian build: call from one thread at a time. Replications whose record is NULL are left
 * out: the `replication` scale lists the numbers present, summaries use those, and the root
 * attribute `complete` (0 or 1) says whether every replication 0..replications-1 is there
 * (a shard or checkpoint is an incomplete file). With `overwrite` false an existing file is
 * an error. On failure nothing is left behind.
 */
int sim_results_write(const sim_results *r, const char *path, bool overwrite,
                      struct sim_error *err);

/* An extra attribute for sim_results_write_with: on `object` (an HDF5 path such as "/" or
 * "/scenarios/NAME/series/METRIC"), named `name`, of one kind. */
typedef enum sim_attr_kind { SIM_ATTR_F64, SIM_ATTR_I64, SIM_ATTR_STRING } sim_attr_kind;
typedef struct sim_attr {
    const char *object;
    const char *name;
    sim_attr_kind kind;
    double f64;
    int64_t i64;
    const char *str;
} sim_attr;

/* sim_results_write, adding `extra` attributes (e.g. a batch's own) in the same atomic write. */
int sim_results_write_with(const sim_results *r, const sim_attr *extra, size_t n_extra,
                           const char *path, bool overwrite, struct sim_error *err);

/*
 * Read a file written by sim_results_write (summaries and comparisons are not read: they
 * are recomputed when written again). Replications absent from the file have NULL records.
 * A file that is not a results file is SIM_EINPUT ("not a capsim results file"); a damaged
 * one SIM_EIO ("truncated or corrupt HDF5 file (...)"); err names the file.
 */
int sim_results_read(const char *path, sim_results **out, struct sim_error *err);

#endif
