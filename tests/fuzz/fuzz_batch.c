/*
 * tests/fuzz/fuzz_batch.c: libFuzzer entry point for batch files and scenario loading.
 *
 * Each input is written to batch.yaml in a private directory that also holds a valid
 * scenario, s.yaml (the M/M/10 queue), for the batch to name. The input is read as a batch
 * (capsim_batch_add: scenarios, set:, sweep:, names) and the first entries are opened with
 * capsim_scenario_open, as `capsim check` would; then the input itself is opened as a
 * scenario (extends s.yaml works too). Every failure must be SIM_EINPUT, SIM_EIO or
 * SIM_ENOMEM with a message; anything else, or a crash, is a finding.
 *
 * Built by CMake with -DCAPSIM_FUZZ=ON (clang, libFuzzer) and, without libFuzzer, with
 * tests/fuzz/replay_main.c into replay_batch, which ctest runs over tests/fuzz/corpus/batch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchfile.h"
#include "core/error.h"
#include "scenario.h"

/* At most this many entries of a batch are opened (a sweep may hold 10,000). */
enum { MAX_OPENED = 8 };

static const char scenario_text[] = "name: s\n"
                                    "start_date: 2023-04-01\n"
                                    "horizon_days: 30\n"
                                    "queue:\n"
                                    "  arrivals: {per_day: 9}\n"
                                    "  servers: 10\n"
                                    "  service_days: {exponential: {mean: 1}}\n";

static char dir[64], batch_path[128], scenario_path[128];

static void remove_dir(void)
{
    unlink(batch_path);
    unlink(scenario_path);
    rmdir(dir);
}

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_batch: %s\n", what);
        abort();
    }
}

static void check_error(int rc, const struct sim_error *err)
{
    if (rc == SIM_OK)
        return;
    check(rc == SIM_EINPUT || rc == SIM_EIO || rc == SIM_ENOMEM, "unexpected error code");
    check(err->message[0] != '\0', "an error without a message");
}

static bool write_text(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

static void setup(void)
{
    if (dir[0])
        return;
    snprintf(dir, sizeof dir, "/tmp/capsim-fuzz-batch-XXXXXX");
    check(mkdtemp(dir) != NULL, "cannot make a directory");
    snprintf(batch_path, sizeof batch_path, "%s/batch.yaml", dir);
    snprintf(scenario_path, sizeof scenario_path, "%s/s.yaml", dir);
    check(write_text(scenario_path, scenario_text, strlen(scenario_text)),
          "cannot write s.yaml");
    atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (!write_text(batch_path, data, size))
        return 0;
    struct sim_error err;
    sim_error_clear(&err);
    capsim_batch_list list = {0};
    const char *global[] = {"warmup_days=0"};
    int rc = capsim_batch_add(&list, batch_path, global, 1, &err);
    check_error(rc, &err);
    if (rc == SIM_OK) {
        capsim_loaded *loaded[MAX_OPENED] = {NULL};
        size_t opened = 0;
        for (size_t i = 0; i < list.n && opened < MAX_OPENED; i++) {
            const capsim_batch_entry *e = &list.entries[i];
            check(e->path != NULL, "an entry without a file");
            rc = capsim_scenario_open(e->path, (const char *const *)e->overrides,
                                      e->n_overrides, &loaded[opened], &err);
            check_error(rc, &err);
            if (rc != SIM_OK)
                break;
            opened++;
            rc = capsim_batch_check_unique_name(loaded, opened, e->path, &err);
            check_error(rc, &err);
            if (rc != SIM_OK)
                break;
        }
        for (size_t i = 0; i < opened; i++)
            capsim_scenario_close(loaded[i]);
    }
    capsim_batch_list_free(&list);

    /* The input as a scenario file. */
    capsim_loaded *l = NULL;
    rc = capsim_scenario_open(batch_path, NULL, 0, &l, &err);
    check_error(rc, &err);
    if (rc == SIM_OK)
        capsim_scenario_close(l);
    return 0;
}
