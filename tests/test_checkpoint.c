/*
 * tests/test_checkpoint.c: the checkpoint's defences (sim/batch/batch_checkpoint.c): the
 * lock that keeps a second run out, records that carry the run's identity, recovery of the
 * good records after a damaged one, and never writing through a symlink.
 *
 * The model is a pure function of (scenario, replication, seed) with one scalar metric, so
 * a record's value tells which run wrote it.
 */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch/batch.h"
#include "core/error.h"
#include "core/monitor.h"
#include "results/results.h"

#define REPS 6
/* Header: 8 magic + 4 version + 4 n + 8 seed + (8 + 64 + 4 + 2 name) per scenario + 8 sum. */
#define HEADER_BYTES (32 + 2 * 78)
/* Record: 24 head + 1 value + 8 checksum. */
#define RECORD_BYTES 40

static int run_fn(void *ctx, size_t scenario, uint64_t rep, sim_record *out)
{
    uint64_t seed = *(const uint64_t *)ctx;
    sim_record_set(out, 0, 0, 0, (double)seed * 1000.0 + (double)scenario * 100.0 + (double)rep);
    return 0;
}

static sim_results *results(uint64_t seed)
{
    sim_results *r = sim_results_alloc();
    assert_non_null(r);
    r->capsim_version = strdup("0.1.0-test");
    r->git_commit = strdup("test");
    r->command_line = strdup("test_checkpoint");
    r->base_seed = seed;
    r->replications = REPS;
    r->baseline = 0;
    for (size_t s = 0; s < 2; s++) {
        sim_monitor *m = sim_monitor_alloc();
        assert_non_null(m);
        assert_int_equal(sim_monitor_declare(m, "x", "1", "A value.", SIM_METRIC_REP, false), 0);
        char name[8], yaml[32];
        snprintf(name, sizeof name, "s%zu", s);
        snprintf(yaml, sizeof yaml, "name: s%zu\n", s);
        assert_true(sim_results_add_scenario(r, name, yaml, "2024-04-01", 30, 0, m, REPS) >= 0);
    }
    return r;
}

static int run(uint64_t seed, const char *ckpt, bool resume, sim_batch_report *rep,
               struct sim_error *err, sim_results **out)
{
    sim_results *r = results(seed);
    sim_batch_options o;
    sim_batch_options_init(&o);
    o.threads = 1;
    o.progress = 0;
    o.checkpoint = ckpt;
    o.resume = resume;
    memset(rep, 0, sizeof *rep);
    sim_error_clear(err);
    int rc = sim_batch_run(r, run_fn, &seed, &o, rep, err);
    if (out)
        *out = r;
    else
        sim_results_free(r);
    return rc;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Run with stderr going to a file; returns what was printed (malloc'd). */
static char *stderr_of(int (*fn)(void *), void *arg, int *rc)
{
    const char *d = tu_tmpdir("ckpt_stderr");
    char path[700];
    snprintf(path, sizeof path, "%s/stderr.txt", d);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    *rc = fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return tu_read_file(path);
}

typedef struct resume_arg {
    const char *ckpt;
    sim_batch_report rep;
    struct sim_error err;
    sim_results *res;
} resume_arg;

static int resume_42(void *p)
{
    resume_arg *a = p;
    return run(42, a->ckpt, true, &a->rep, &a->err, &a->res);
}

/* A damaged record in the middle: the good records after it are kept, and a warning says
 * how many bytes were skipped; only the damaged replication runs again. */
static void test_damaged_middle_record(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("ckpt_damaged");
    char ck[700];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", d);
    sim_batch_report rep;
    struct sim_error err;
    assert_int_equal(run(42, ck, false, &rep, &err, NULL), SIM_OK);
    assert_int_equal(file_size(ck), HEADER_BYTES + 2 * REPS * RECORD_BYTES);

    /* Flip a value byte of the third record. */
    int fd = open(ck, O_RDWR);
    assert_true(fd >= 0);
    off_t at = HEADER_BYTES + 2 * RECORD_BYTES + 26;
    unsigned char b;
    assert_int_equal(pread(fd, &b, 1, at), 1);
    b ^= 0x55;
    assert_int_equal(pwrite(fd, &b, 1, at), 1);
    close(fd);

    resume_arg a = {.ckpt = ck};
    int rc;
    char *printed = stderr_of(resume_42, &a, &rc);
    assert_int_equal(rc, SIM_OK);
    char want[1200];
    snprintf(want, sizeof want,
             "capsim: %s: warning: 40 damaged bytes at byte %d skipped (a record with a wrong "
             "checksum); 9 good records after them recovered, the damaged replications run "
             "again\n",
             ck, HEADER_BYTES + 2 * RECORD_BYTES);
    assert_string_equal(printed, want);
    free(printed);
    assert_int_equal(a.rep.jobs_resumed, 2 * REPS - 1);
    assert_int_equal(a.rep.jobs_run, 1);
    /* Every value is run 42's, the rerun third record (scenario 0, replication 1) too. */
    for (size_t s = 0; s < 2; s++)
        for (size_t r = 0; r < REPS; r++)
            assert_true(a.res->scenarios[s].reps[r]->values[0] ==
                        42000.0 + 100.0 * (double)s + (double)r);
    sim_results_free(a.res);
}

/* Records written by a run with another seed are refused on resume, not mixed in. */
static void test_record_of_another_run(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("ckpt_mixed");
    char ck[700], other[700];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", d);
    snprintf(other, sizeof other, "%s/other.h5.ckpt", d);
    sim_batch_report rep;
    struct sim_error err;
    assert_int_equal(run(42, ck, false, &rep, &err, NULL), SIM_OK);
    assert_int_equal(run(43, other, false, &rep, &err, NULL), SIM_OK);
    /* Keep run 42's header and first 4 records, then one record of run 43. */
    char *a = tu_read_file(ck), *b = tu_read_file(other);
    assert_non_null(a);
    assert_non_null(b);
    int fd = open(ck, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    size_t keep = HEADER_BYTES + 4 * RECORD_BYTES;
    assert_int_equal(write(fd, a, keep), (ssize_t)keep);
    assert_int_equal(write(fd, b + keep, RECORD_BYTES), RECORD_BYTES);
    close(fd);
    free(a);
    free(b);
    assert_int_equal(run(42, ck, true, &rep, &err, NULL), SIM_EMISMATCH);
    char want[400];
    snprintf(want, sizeof want,
             "record 5 (scenario s0, replication 2) at byte %zu belongs to another run "
             "(another seed, scenario or capsim version); refusing to mix results (start "
             "again with --force)",
             keep);
    assert_string_equal(err.message, want);
    assert_string_equal(err.file, ck);
}

/* While a run holds the checkpoint, a second is refused with its pid and changes nothing. */
static void test_second_run_refused(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("ckpt_lock");
    char ck[700];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", d);
    sim_batch_report rep;
    struct sim_error err;
    assert_int_equal(run(42, ck, false, &rep, &err, NULL), SIM_OK);
    long size = file_size(ck);

    int ready[2], done[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(done[1]);
        close(ready[0]);
        int fd = open(ck, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        char c = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1)
            _exit(1);
        if (read(done[0], &c, 1) < 0) /* until the parent closes its end */
            _exit(1);
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');

    assert_int_equal(sim_batch_checkpoint_holder(ck), (long)child);
    assert_int_equal(run(43, ck, false, &rep, &err, NULL), SIM_EINPUT);
    char want[300];
    snprintf(want, sizeof want,
             "checkpoint is in use by another capsim run (pid %ld) writing the same results "
             "file; wait for it to finish or choose another -o",
             (long)child);
    assert_string_equal(err.message, want);
    assert_int_equal(file_size(ck), size);
    assert_int_equal(run(42, ck, true, &rep, &err, NULL), SIM_EINPUT);

    close(done[1]);
    close(ready[0]);
    int status;
    waitpid(child, &status, 0);
    assert_int_equal(sim_batch_checkpoint_holder(ck), 0);
    assert_int_equal(run(42, ck, true, &rep, &err, NULL), SIM_OK);
    assert_int_equal(rep.jobs_resumed, 2 * REPS);
}

/* A symlinked checkpoint is not followed: its target keeps its bytes. */
static void test_symlink_not_followed(void **state)
{
    (void)state;
    const char *d = tu_tmpdir("ckpt_symlink");
    char ck[700], target[700];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", d);
    snprintf(target, sizeof target, "%s/precious.txt", d);
    tu_write_file(target, "keep me\n");
    assert_int_equal(symlink(target, ck), 0);
    sim_batch_report rep;
    struct sim_error err;
    assert_int_equal(run(42, ck, false, &rep, &err, NULL), SIM_EINPUT);
    assert_string_equal(err.message, "checkpoint is a symbolic link (not followed; remove it)");
    char *text = tu_read_file(target);
    assert_string_equal(text, "keep me\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_middle_record),
        cmocka_unit_test(test_record_of_another_run),
        cmocka_unit_test(test_second_run_refused),
        cmocka_unit_test(test_symlink_not_followed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
