/*
 * sim/batch/batch.h: running a batch of replications, on threads, MPI ranks or shards.
 *
 * A batch is a sim_results with its scenarios added (each with its monitor and its
 * replication count) and a callback that runs one job, (scenario index, replication), into
 * a zeroed record. The engine knows nothing of models: the callback does the work, and must
 * be a pure function of (scenario, replication) so that the results are the same bit for bit
 * whatever ran them (the models draw every random number from streams keyed by the base seed
 * and the replication; see sim/core/rng.h).
 *
 * Jobs are handed out in replication-major order (replication 0 of every scenario, then 1,
 * ...), so paired replications finish close together and a precision rule checked on the
 * first n replications can be decided early. Finished records go into res->scenarios[s].reps.
 *
 * Where jobs run:
 *   - threads: a pool of `threads` workers pulling jobs from a shared queue; the calling
 *     thread collects results, writes the checkpoint and shows progress.
 *   - MPI (when built with CAPSIM_HAVE_MPI and `mpi` is set): every rank calls sim_batch_run
 *     with the same batch. Rank 0 hands out jobs one at a time on request (dynamic load
 *     balancing: jobs differ in length) and also runs `threads` local workers; the other ranks
 *     run one job at a time and send the records back. Only rank 0's results are filled in.
 *   - shards: only the block `shard` of `shards` of the replications is run (the same block
 *     of every scenario); the other records stay NULL and the file written is a shard that
 *     sim_batch_merge joins.
 *
 * Nothing lost: with a checkpoint path every finished record is appended to that file at
 * once (one write per record, with a checksum) and the file is fdatasync'd at most every
 * `fsync_seconds` and on exit. A process killed with SIGKILL loses nothing it wrote (the
 * kernel still holds the pages); a power cut loses at most the last interval. A torn last
 * record (cut short, or with a bad checksum) is detected on resume and cut off. With
 * `resume`, the records in the checkpoint are loaded first and only the missing jobs run.
 *
 * Precision: with `precision` > 0 the batch runs replications until, for every scenario and
 * every named metric, the relative 95% half-width (Student t half-width / |mean|) over
 * replications 0..n-1 is at most `precision`, checking n = min_replications, +1, ...; it
 * stops at the first such n, or at res->replications (the cap). The rule only looks at the
 * first n replications in order, so n does not depend on how many threads or ranks ran
 * them; records of replications >= n that ran speculatively are discarded. A series metric
 * is judged by its value at the last snapshot time; a per-group metric by every group.
 */
#ifndef SIM_BATCH_H
#define SIM_BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/monitor.h"
#include "results/results.h"

struct sim_error;

/* Run replication `replication` of scenario `scenario` into `out` (zeroed). 0 on success. */
typedef int (*sim_batch_fn)(void *ctx, size_t scenario, uint64_t replication, sim_record *out);

typedef struct sim_batch_options {
    unsigned threads;          /* worker threads (per rank under MPI); 0: one per core */
    size_t shard, shards;      /* run block `shard` (0-based) of `shards`; shards <= 1: all */
    const char *checkpoint;    /* checkpoint file, or NULL for none */
    bool resume;               /* load the checkpoint's records first (else it is replaced) */
    double fsync_seconds;      /* at most this long between fdatasyncs (0: after each record) */
    int progress;              /* on stderr: 1 yes, 0 no, -1 default (a bar on a terminal,
                                * elsewhere a plain line a minute); not on a terminal, 1
                                * gives a plain line at the start, every 10 s and at the end */
    double precision;          /* relative 95% half-width to reach; 0: fixed count */
    const char *const *metrics; /* the metrics the precision rule checks */
    size_t n_metrics;
    size_t min_replications;   /* precision: first n checked (default 10) */
    volatile sig_atomic_t *interrupt; /* set (e.g. by a signal handler) to stop early */
    bool mpi;                  /* spread jobs over the ranks of MPI_COMM_WORLD */
} sim_batch_options;

typedef struct sim_batch_report {
    size_t replications;       /* replications per scenario in the result (precision: n) */
    bool precision_met;        /* precision rule satisfied at `replications` */
    size_t jobs_total;         /* jobs in this batch (or shard) */
    size_t jobs_run;           /* run now (including speculative ones discarded) */
    size_t jobs_resumed;       /* taken from the checkpoint */
    double seconds;            /* wall time of sim_batch_run */
    int rank, ranks;           /* MPI rank and size (0 and 1 without MPI) */
    double worst_precision;    /* largest relative half-width at `replications` (precision) */
    char worst_metric[160];    /* "scenario/model/metric[cell]" of worst */
} sim_batch_report;

/* Defaults: all cores, no shard, no checkpoint, fsync every 0.1 s, default progress. */
void sim_batch_options_init(sim_batch_options *opt);

/*
 * Run the batch. Returns SIM_OK, SIM_EINTR if *opt->interrupt was set (finished records are
 * in res and in the checkpoint), SIM_EMISMATCH if the checkpoint belongs to another batch,
 * or another negative code with err filled (a failing job names its scenario and replication).
 * With precision, res->replications and each scenario's replications become n (records of
 * later replications are freed).
 */
int sim_batch_run(sim_results *res, sim_batch_fn fn, void *ctx, const sim_batch_options *opt,
                  sim_batch_report *report, struct sim_error *err);

/*
 * The block of replications [*first, *end) that shard `shard` (0-based) of `shards` runs out
 * of `replications`: consecutive blocks whose sizes differ by at most one.
 */
void sim_batch_shard_range(size_t replications, size_t shard, size_t shards, size_t *first,
                           size_t *end);

/*
 * Write the results file with sim_results_write_with (temporary name, then rename; with
 * `overwrite` false an existing file is an error and is left alone), annotated: each series dataset gets the MSER-5
 * warm-up estimate of its across-replication mean (attribute mser5_warmup_days, the largest
 * over groups) and each scenario group the largest of those; with `report` and a precision
 * rule, the root gets precision_target, precision_metrics and precision_met. A merged file
 * and a single run's file get the same annotations from the same records.
 */
int sim_batch_write(const sim_results *res, const sim_batch_options *opt,
                    const sim_batch_report *report, const char *path, bool overwrite,
                    struct sim_error *err);

/*
 * The pid of the process holding the write lock of checkpoint `path` (a run writing it), or
 * 0 if none does or the file cannot be opened. Do not call it on a checkpoint this process
 * has open: closing its descriptor would drop this process's own POSIX lock.
 */
long sim_batch_checkpoint_holder(const char *path);

/*
 * MSER-5 warm-up estimate, in days, of series metric `metric` of scenario `s`: the
 * truncation point of the mean over present replications, the largest over groups.
 * 0 when nothing should be dropped; NAN if the metric is not a series.
 */
double sim_batch_mser5_days(const sim_scenario_result *s, size_t metric);

/*
 * Read shard files and join them into one complete result (*out). They must agree on
 * capsim version and commit, base seed, replication count, scenarios (names, hashes and
 * metrics); every replication must be in exactly one shard. Errors (SIM_EMISMATCH) name the
 * file and the replication, e.g.
 *   "b.h5: base seed 2 differs from 1 in a.h5"
 *   "replication 7 of scenario queue-a is in no shard"
 *   "replication 3 of scenario queue-a is in both a.h5 and b.h5"
 */
int sim_batch_merge(const char *const *paths, size_t n, sim_results **out,
                    struct sim_error *err);

/*
 * MPI set-up for a program that may run under mpirun: if the environment shows an MPI
 * launcher (and capsim was built with MPI), initialise MPI (threads funnelled to the main
 * thread) and return the rank and size; else rank 0 of 1. sim_batch_mpi_end finalises.
 * sim_batch_mpi_agree returns the smallest `code` over ranks (collective; identity without
 * MPI), so every rank stops if one rank's set-up failed.
 */
int sim_batch_mpi_begin(int *argc, char ***argv, int *rank, int *size);
void sim_batch_mpi_end(void);
int sim_batch_mpi_agree(int code);
bool sim_batch_mpi_active(void);

#endif
