/*
 * tests/support/testutil.h: helpers shared by the cmocka tests.
 *
 * CAPSIM_BINARY, CAPSIM_SOURCE_DIR and CAPSIM_TEST_TMPDIR are defined by tests/CMakeLists.txt.
 * cmocka headers need these system headers first, so include this file before anything else.
 */
#ifndef CAPSIM_TESTUTIL_H
#define CAPSIM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* A fresh, empty directory CAPSIM_TEST_TMPDIR/<name> (removed first if it exists); static buffer. */
const char *tu_tmpdir(const char *name);

/* Write text to path (aborts the test on failure). */
void tu_write_file(const char *path, const char *text);

/* Read a whole file (malloc'd, NUL-terminated), or NULL. */
char *tu_read_file(const char *path);

bool tu_exists(const char *path);

/*
 * Run a shell command line (through /bin/sh -c) and capture stdout and stderr (malloc'd,
 * NUL-terminated; pass NULL to discard). Returns the exit code, or -1 if it did not exit.
 */
int tu_run(const char *cmdline, char **out, char **err);

/* Like tu_run, but the command is "CAPSIM_BINARY <args>". */
int tu_capsim(const char *args, char **out, char **err);

/* Number of entries in a directory (excluding . and ..), -1 if it cannot be read. */
int tu_count_entries(const char *dir);

/*
 * True if |estimate - expected| is within the 95% confidence half-width `hw` times `k`
 * (k = 1.5 leaves room for the rare 5% miss without hiding a real bias); prints all three
 * numbers on failure.
 */
bool tu_within(const char *what, double estimate, double expected, double hw, double k);

#endif
