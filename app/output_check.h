/*
 * app/output_check.h: the output file, checked before any work is done.
 *
 * `capsim run` and `capsim merge` call capsim_output_check once they know the output name
 * and before they load shards or run anything, so a bad -o is exit 2 at once and leaves
 * nothing behind (no stray FILE.ckpt). It refuses, with "PROG: " and the reason on stderr:
 *
 *   an empty name; a name that is a directory (or ends in '/'); a missing parent directory,
 *   one that is not a directory or not writable; an output or checkpoint that is a symbolic
 *   link (dangling or not: never followed) or exists and is not a regular file (a device,
 *   FIFO or socket); an output or checkpoint that is the same file (device and inode) as
 *   an input: a scenario or batch file, a base an extends chain names, or a shard; and a
 *   checkpoint that another run holds locked (naming its pid).
 *
 * With loaded scenarios it first checks their dates (capsim_scenario_check_dates: a run
 * past 9999 is refused, one outside the bank-holiday table warned about) and notes on
 * stderr any whose model differs from the baseline's, and what their comparison will hold
 * (capsim_batch_note_mixed_models).
 */
#ifndef CAPSIM_OUTPUT_CHECK_H
#define CAPSIM_OUTPUT_CHECK_H

#include <stdbool.h>
#include <stddef.h>

struct capsim_loaded;

typedef struct capsim_output_plan {
    const char *prog;              /* "capsim run" or "capsim merge", for messages */
    const char *output;            /* the results file */
    const char *checkpoint;        /* its checkpoint, or NULL when none is kept */
    bool make_parent;              /* the parent directory is created later (results/) */
    const char *const *inputs;     /* files named on the command line (scenarios, batches, shards) */
    size_t n_inputs;
    struct capsim_loaded *const *loaded; /* loaded scenarios (batch members too): their files
                                            and extends bases (may be NULL) */
    size_t n_loaded;
} capsim_output_plan;

/* 0 if the output may be written, else CAPSIM_EXIT_USAGE after printing why. */
int capsim_output_check(const capsim_output_plan *plan);

#endif
