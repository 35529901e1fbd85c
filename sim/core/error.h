/*
 * sim/core/error.h: error codes and the user-facing error record.
 *
 * Every engine function that can fail returns an int: SIM_OK (0) on success or a
 * negative SIM_E... code. Errors a user must fix (a scenario value, a missing file, a
 * results file that does not match) also fill a struct sim_error, which names where the
 * problem is (file, line, column, key path) and what was expected. Formatted, it reads:
 *
 *     scenarios/snee.yaml:42:17: trusts[1].theatres.sessions_per_week: expected a number >= 0, got "-3"
 *
 * Fields that do not apply are left empty (file "" or line 0) and are then omitted.
 */
#ifndef SIM_ERROR_H
#define SIM_ERROR_H

#include <stddef.h>

enum {
    SIM_OK = 0,
    SIM_ENOMEM = -1,    /* out of memory */
    SIM_EINVAL = -2,    /* invalid argument (a programmer error or a bad value) */
    SIM_EIO = -3,       /* a file could not be read or written */
    SIM_EINPUT = -4,    /* bad user input: scenario, command line; sim_error says where */
    SIM_EMISMATCH = -5, /* files that must agree do not (shards, resume checkpoints) */
    SIM_ESTATE = -6,    /* operation not valid in the current state (event not pending) */
    SIM_EINTR = -7      /* interrupted by a signal; finished work was kept */
};

/* A short English description of an error code ("out of memory"). */
const char *sim_strerror(int code);

struct sim_error {
    char file[512];   /* the file the problem is in, or "" */
    int line;         /* 1-based line, or 0 when unknown */
    int column;       /* 1-based column, or 0 when unknown */
    char key[256];    /* key path such as "trusts[1].theatres.sessions_per_week", or "" */
    char message[1024];
};

/* Empty the record (all fields blank). */
void sim_error_clear(struct sim_error *err);

/*
 * Fill the record and return `code` (so callers can write `return sim_error_set(...)`).
 * `err` may be NULL, in which case only the code is returned. `file` and `key` may be NULL.
 */
int sim_error_set(struct sim_error *err, int code, const char *file, int line, int column,
                  const char *key, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Format as "file:line:column: key: message" into buf (always NUL-terminated). */
size_t sim_error_format(const struct sim_error *err, char *buf, size_t size);

#endif
