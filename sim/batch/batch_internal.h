/*
 * sim/batch/batch_internal.h: pieces of the batch engine shared between its .c files.
 *
 * The checkpoint file (batch_checkpoint.c) is binary, in the machine's byte order (it is
 * read back by the same program on the same cluster):
 *
 *   header  "CAPSIMCK" u32 version=2, u32 n_scenarios, u64 base_seed,
 *           per scenario: u64 record_length, char sha256[64], u32 name_length, name bytes,
 *           u64 FNV-1a checksum of everything before it (the run's tag)
 *   record  u32 0x31434552 ("REC1"), u32 scenario, u64 replication, u64 run tag,
 *           double values[record_length of that scenario],
 *           u64 FNV-1a checksum of the record's bytes before it
 *
 * Records are only ever appended, each with one write(2), by the one process that holds a
 * POSIX write lock on the file (a second run is refused, naming the first's pid). On resume
 * a record whose tag is not this run's (another seed, scenario text or version) is refused
 * rather than mixed in; a damaged record is skipped and the good records after it (found by
 * magic and checksum) are kept, with a warning saying how many bytes were skipped; a record
 * cut short at the end (a kill in the middle of a write) is truncated away so new records
 * follow the last good one.
 *
 * MPI (batch_mpi.c) works with the same job queue as the thread pool; sim__batch is the
 * state shared by the collector (the calling thread), the local workers and the MPI
 * dispatcher.
 */
#ifndef SIM_BATCH_INTERNAL_H
#define SIM_BATCH_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch.h"

struct sim_error;

typedef struct sim__ckpt {
    int fd;
    char *path;
    double fsync_seconds;
    double last_sync;   /* monotonic seconds of the last fdatasync */
    bool dirty;         /* written since the last fdatasync */
    size_t n_scenarios;
    size_t *lengths;    /* record length per scenario */
    unsigned char *buf; /* one record's bytes */
    size_t buf_size;
    uint64_t tag;       /* the run's identity, in every record (the header's checksum) */
    long long damaged_at, damaged_bytes; /* resume: a damaged stretch skipped (-1: none) */
    size_t recovered_after_damage;       /* good records found after it */
} sim__ckpt;

/*
 * Open the checkpoint for `res`. With `resume` an existing file is checked against res
 * (SIM_EMISMATCH naming what differs) and its records with replication in [first, end) that
 * res lacks are loaded into res (*loaded counts them); otherwise (or if there is no file)
 * a new file with the header is created, replacing any old one.
 */
int sim__ckpt_open(sim__ckpt *c, const char *path, sim_results *res, bool resume,
                   double fsync_seconds, size_t first, size_t end, size_t *loaded,
                   struct sim_error *err);

/* Append one record; fdatasync if the interval has passed. */
int sim__ckpt_append(sim__ckpt *c, size_t scenario, uint64_t replication,
                     const sim_record *rec, struct sim_error *err);

/* fdatasync if anything is unsynced, close, free. Safe on a zeroed or closed sim__ckpt. */
int sim__ckpt_close(sim__ckpt *c);

/* FNV-1a 64-bit hash of bytes, continuing from h (start with SIM__FNV_OFFSET). */
#define SIM__FNV_OFFSET 14695981039346656037ULL
uint64_t sim__fnv1a(uint64_t h, const void *data, size_t size);

/* Monotonic clock in seconds. */
double sim__now(void);

/* One job. */
typedef struct sim__job {
    size_t scenario;
    uint64_t replication;
} sim__job;

/* A finished job on its way to the collector. */
typedef struct sim__done {
    struct sim__done *next;
    sim__job job;
    sim_record *rec;  /* NULL if it failed */
    int status;
    int rank;         /* where it ran (0 for local threads) */
} sim__done;

typedef struct sim__batch {
    pthread_mutex_t mu;
    pthread_cond_t work_cv;  /* workers wait here for jobs */
    pthread_cond_t done_cv;  /* the collector waits here for finished jobs */
    sim__job *jobs;
    size_t n_jobs, next;
    uint64_t limit;          /* jobs with replication >= limit are held back */
    bool stop;
    sim__done *done_head, *done_tail;
    size_t in_flight;        /* jobs taken and not yet returned (all executors) */

    sim_results *res;
    sim_batch_fn fn;
    void *ctx;
} sim__batch;

/* Take the next job if one may be dispatched (call with mu held). */
bool sim__batch_take(sim__batch *b, sim__job *job);

/* Hand a finished job to the collector (call with mu held). */
void sim__batch_push_done(sim__batch *b, sim__done *d);

#if CAPSIM_HAVE_MPI
/* This process's rank and the number of ranks in MPI_COMM_WORLD. */
int sim__mpi_rank_size(int *rank, int *size);

/* MPI dispatcher state on rank 0 (batch_mpi.c). */
typedef struct sim__mpi_master sim__mpi_master;

int sim__mpi_master_alloc(sim__mpi_master **m, int ranks);
/* Receive whatever has arrived and hand jobs to idle ranks; finished jobs go to b's queue. */
int sim__mpi_master_poll(sim__mpi_master *m, sim__batch *b, struct sim_error *err);
/* Jobs out on other ranks. */
size_t sim__mpi_master_busy(const sim__mpi_master *m);
/* Wait for every outstanding job (results queued on b), then tell every rank to stop. */
int sim__mpi_master_finish(sim__mpi_master *m, sim__batch *b, struct sim_error *err);
void sim__mpi_master_free(sim__mpi_master *m);

/* A worker rank: run jobs from rank 0 until told to stop. */
int sim__mpi_worker(sim_results *res, sim_batch_fn fn, void *ctx, size_t *jobs_run,
                    struct sim_error *err);
#endif

#endif
