/*
 * app/estimate.h: refuse a run the machine cannot hold, before any work.
 *
 * Each model of a scenario may estimate the events and peak bytes of one replication from
 * its configuration (models/model.h, `estimate`). A run holds the replications running at
 * once (min(threads, replications), each with its own record) and keeps the record of every
 * replication until the file is written. capsim_estimate_check refuses (exit 2) a run whose
 * total exceeds the memory limit, or a replication past CAPSIM_MAX_EVENTS events (a
 * physical bound: about twenty minutes at ten million events a second, a century of a thousand trusts' referrals), with the estimate in
 * the message.
 */
#ifndef CAPSIM_ESTIMATE_H
#define CAPSIM_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

#define CAPSIM_MAX_EVENTS 1e10

/*
 * The default --max-memory: 80% of MemAvailable (/proc/meminfo), or the cgroup's
 * memory.max when lower; 0 if neither can be read (no limit).
 */
double capsim_default_max_memory(void);

/* "19G", "500M", "1.5GB", "2e9" (bytes) -> bytes; 0 on success, -1 if not a size. */
int capsim_parse_bytes(const char *text, double *bytes);

/* A size in decimal units: "8.6 GB", "510 MB", "30 kB", "12 bytes". */
void capsim_format_bytes(double bytes, char *buf, size_t size);

typedef struct capsim_estimate {
    double events;        /* largest events of a replication of any scenario */
    double rep_bytes;     /* largest bytes of a replication (models and record) */
    double record_bytes;  /* the records kept: every replication of every scenario */
    double total_bytes;   /* at_once x rep_bytes + record_bytes */
    size_t at_once;       /* replications running at once */
    const char *model;    /* the model with the most events in the worst scenario */
    const char *scenario; /* the file of the worst scenario */
    double model_events;  /* that model's events a replication */
} capsim_estimate;

/* Estimate a batch of n loaded scenarios, reps replications each, on `threads` threads. */
void capsim_estimate_run(capsim_loaded *const *loaded, size_t n, size_t reps, unsigned threads,
                         capsim_estimate *e);

/*
 * Estimate and check against max_bytes (0: no limit) and CAPSIM_MAX_EVENTS; prints the
 * refusal as "CMD: FILE: about ..." when `print`. Returns 0, or 2 (the usage exit code).
 */
int capsim_estimate_check(const char *cmd, capsim_loaded *const *loaded, size_t n, size_t reps,
                          unsigned threads, double max_bytes, bool print);

#endif
