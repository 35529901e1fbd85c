/*
 * tests/test_batch_cli.c: `capsim run` batches and `capsim merge`, through the program.
 *
 * Uses the generic queueing model's M/M/10 scenario (cheap to run) in a batch file that
 * sweeps the server count, so every file has two scenarios and /comparisons. Files are
 * compared with h5diff on /scenarios and /comparisons: everything but the root's provenance
 * attributes (created_utc, command_line) must be identical.
 */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "results/results.h"

#define MM10 CAPSIM_SOURCE_DIR "/scenarios/queue-mm10.yaml"

static char dir[1024];

/* A two-scenario batch file (servers 11 and 12) with the given horizon, in dir. */
static const char *batch_file(const char *name, int horizon_days)
{
    static char path[1200];
    char text[2048];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    snprintf(text, sizeof text,
             "name: %s\n"
             "scenarios:\n"
             "  - file: %s\n"
             "    set: {horizon_days: %d, warmup_days: 20}\n"
             "    sweep: {queue.servers: [11, 12]}\n",
             name, MM10, horizon_days);
    tu_write_file(path, text);
    return path;
}

__attribute__((noinline)) static int capsim(const char *args, char **err_out)
{
    char *out = NULL, *err = NULL;
    int code = tu_capsim(args, &out, &err);
    if (err_out)
        *err_out = err;
    else
        free(err);
    free(out);
    return code;
}

static void must_run(const char *args)
{
    char *err = NULL;
    int code = capsim(args, &err);
    if (code != 0)
        fprintf(stderr, "capsim %s\n%s", args, err ? err : "");
    free(err);
    assert_int_equal(code, 0);
}

/* Same numbers, attributes and datasets under /scenarios and /comparisons. */
static void assert_same_file(const char *a, const char *b)
{
    char cmd[3000], *out = NULL, *err = NULL;
    const char *groups[] = {"/scenarios", "/comparisons"};
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "h5diff -r '%s' '%s' %s", a, b, groups[i]);
        int code = tu_run(cmd, &out, &err);
        if (code != 0)
            fprintf(stderr, "%s\n%s%s", cmd, out ? out : "", err ? err : "");
        free(out);
        free(err);
        assert_int_equal(code, 0);
    }
}

static sim_results *read_results(const char *path)
{
    sim_results *r = NULL;
    struct sim_error err;
    if (sim_results_read(path, &r, &err) != 0)
        fprintf(stderr, "%s: %s\n", path, err.message);
    assert_non_null(r);
    return r;
}

static void test_threads_identical(void **state)
{
    (void)state;
    const char *b = batch_file("threads", 200);
    char args[8192];
    snprintf(args, sizeof args, "run %s -r 8 -j 1 -o %s/j1.h5", b, dir);
    must_run(args);
    snprintf(args, sizeof args, "run %s -r 8 -j 2 -o %s/j2.h5", b, dir);
    must_run(args);
    char a1[1200], a2[1200];
    snprintf(a1, sizeof a1, "%s/j1.h5", dir);
    snprintf(a2, sizeof a2, "%s/j2.h5", dir);
    assert_same_file(a1, a2);

    /* Grid points are named after the swept key and value; the first is the baseline. */
    sim_results *r = read_results(a1);
    assert_int_equal(r->n_scenarios, 2);
    assert_string_equal(r->scenarios[0].name, "queue-mm10.servers-11");
    assert_string_equal(r->scenarios[1].name, "queue-mm10.servers-12");
    assert_int_equal(r->baseline, 0);
    assert_int_equal(r->replications, 8);
    assert_int_equal(r->base_seed, 20230401);
    assert_true(r->scenarios[0].warmup_days == 20);
    sim_results_free(r);

    /* An existing file is not overwritten without --force, and is left as it was. */
    struct stat before, after;
    assert_int_equal(stat(a1, &before), 0);
    char *err = NULL;
    snprintf(args, sizeof args, "run %s -r 3 -o %s", b, a1);
    assert_int_equal(capsim(args, &err), 2);
    char want[4096];
    snprintf(want, sizeof want, "capsim run: %s exists (use --force to overwrite it)\n", a1);
    assert_string_equal(err, want);
    free(err);
    assert_int_equal(stat(a1, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtime, after.st_mtime);
    snprintf(args, sizeof args, "run %s -r 3 --force --quiet -o %s", b, a1);
    must_run(args);
    r = read_results(a1);
    assert_int_equal(r->replications, 3);
    sim_results_free(r);
}

static void test_shards_merge(void **state)
{
    (void)state;
    const char *b = batch_file("shards", 200);
    char args[8192];
    snprintf(args, sizeof args, "run %s -r 7 -j 2 -o %s/full.h5", b, dir);
    must_run(args);
    for (int i = 1; i <= 3; i++) {
        snprintf(args, sizeof args, "run %s -r 7 -j 1 --shard %d/3 -o %s/part%d.h5", b, i, dir,
                 i);
        must_run(args);
    }
    snprintf(args, sizeof args, "merge %s/part3.h5 %s/part1.h5 %s/part2.h5 -o %s/merged.h5",
             dir, dir, dir, dir);
    must_run(args);
    char full[1200], merged[1200];
    snprintf(full, sizeof full, "%s/full.h5", dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", dir);
    assert_same_file(full, merged);
    sim_results *r = read_results(merged);
    assert_int_equal(r->replications, 7);
    sim_results_free(r);

    /* Shard 2 of 3 of 7 replications is replications 2..3; without it, 2 is missing. */
    char *err = NULL;
    snprintf(args, sizeof args, "merge %s/part1.h5 %s/part3.h5 -o %s/bad.h5", dir, dir, dir);
    assert_int_equal(capsim(args, &err), 2);
    assert_string_equal(err,
                        "capsim: replication 2 of scenario queue-mm10.servers-11 is in no shard\n");
    free(err);
    snprintf(args, sizeof args, "merge %s/part1.h5 %s/part2.h5 %s/part2.h5 %s/part3.h5 -o %s/bad.h5",
             dir, dir, dir, dir, dir);
    assert_int_equal(capsim(args, &err), 2);
    char want[8192];
    snprintf(want, sizeof want,
             "capsim: replication 2 of scenario queue-mm10.servers-11 is in both %s/part2.h5 "
             "and %s/part2.h5\n",
             dir, dir);
    assert_string_equal(err, want);
    free(err);

    /* A shard run with another seed names the file and both seeds. */
    snprintf(args, sizeof args, "run %s -r 7 --seed 5 --shard 2/3 -o %s/seed5.h5", b, dir);
    must_run(args);
    snprintf(args, sizeof args, "merge %s/part1.h5 %s/seed5.h5 %s/part3.h5 -o %s/bad.h5", dir,
             dir, dir, dir);
    assert_int_equal(capsim(args, &err), 2);
    snprintf(want, sizeof want,
             "capsim: %s/seed5.h5: base seed 5 differs from 20230401 in %s/part1.h5\n", dir,
             dir);
    assert_string_equal(err, want);
    free(err);
    char bad[1200];
    snprintf(bad, sizeof bad, "%s/bad.h5", dir);
    assert_false(tu_exists(bad));

    /* The merged output is not overwritten without --force either. */
    snprintf(args, sizeof args, "merge %s/part1.h5 %s/part2.h5 %s/part3.h5 -o %s", dir, dir,
             dir, merged);
    assert_int_equal(capsim(args, &err), 2);
    snprintf(want, sizeof want, "capsim merge: %s exists (use --force to overwrite it)\n",
             merged);
    assert_string_equal(err, want);
    free(err);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Start capsim with args (a NULL-terminated vector after "capsim"), output to files. */
static pid_t spawn_capsim(char *const *args)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char log[1200];
        snprintf(log, sizeof log, "%s/spawn.log", dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execv(CAPSIM_BINARY, args);
        _exit(127);
    }
    return pid;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The count in "...; N jobs from the checkpoint)" of capsim run's summary, or -1. */
static int resumed_jobs(const char *text)
{
    const char *p = text ? strstr(text, "; ") : NULL;
    return p ? atoi(p + 2) : -1;
}

/*
 * Kill a batch with `sig` once its checkpoint holds at least 3 records, then resume it and
 * compare with an uninterrupted run.
 */
static void kill_and_resume(int sig, const char *tag)
{
    const char *b = batch_file(tag, 4000);
    char out[1200], ck[1300], ref[1200], args[8192];
    snprintf(out, sizeof out, "%s/%s.h5", dir, tag);
    snprintf(ck, sizeof ck, "%s.ckpt", out);
    snprintf(ref, sizeof ref, "%s/%s-ref.h5", dir, tag);
    snprintf(args, sizeof args, "run %s -r 16 -j 2 --quiet -o %s", b, ref);
    must_run(args);

    char *argv[] = {"capsim", "run", (char *)b, "-r", "16", "-j", "1", "-o", out, NULL};
    pid_t pid = spawn_capsim(argv);
    /* The first growth of the checkpoint is one record: wait for three. */
    long header = -1, record = -1;
    double waited = 0;
    for (;;) {
        long size = file_size(ck);
        if (header < 0 && size > 0)
            header = size;
        if (header > 0 && record < 0 && size > header)
            record = size - header;
        if (record > 0 && size >= header + 3 * record)
            break;
        int status;
        assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still running */
        sleep_ms(2);
        waited += 0.002;
        assert_true(waited < 60);
    }
    assert_int_equal(kill(pid, sig), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (sig == SIGKILL) {
        assert_true(WIFSIGNALED(status));
    } else {
        /* SIGTERM: the batch stops, keeps its finished replications and says so. */
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 1);
        char log[1200];
        snprintf(log, sizeof log, "%s/spawn.log", dir);
        char *text = tu_read_file(log);
        assert_non_null(strstr(text, "capsim run: interrupted: "));
        assert_non_null(strstr(text, "run the same command with --resume to finish"));
        free(text);
    }
    assert_false(tu_exists(out));
    assert_true(tu_exists(ck));
    long kept = file_size(ck);

    /* Without --resume the checkpoint is not silently thrown away. */
    char *err = NULL;
    snprintf(args, sizeof args, "run %s -r 16 -j 1 -o %s", b, out);
    assert_int_equal(capsim(args, &err), 2);
    char want[8192];
    snprintf(want, sizeof want,
             "capsim run: %s: the checkpoint of an interrupted run exists (use --resume to "
             "continue it, or --force to start again)\n",
             ck);
    assert_string_equal(err, want);
    free(err);
    assert_int_equal(file_size(ck), kept);

    snprintf(args, sizeof args, "run %s -r 16 -j 2 --resume -o %s", b, out);
    char *summary = NULL;
    int code = capsim(args, &summary);
    if (code)
        fprintf(stderr, "%s", summary ? summary : "");
    assert_int_equal(code, 0);
    /* The summary says how many jobs came from the checkpoint: at least the three seen. */
    int resumed = resumed_jobs(summary);
    free(summary);
    assert_true(resumed >= 3 && resumed < 32);
    assert_false(tu_exists(ck));
    assert_same_file(ref, out);
}

static void test_kill9_resume(void **state)
{
    (void)state;
    kill_and_resume(SIGKILL, "kill9");
}

static void test_sigterm_resume(void **state)
{
    (void)state;
    kill_and_resume(SIGTERM, "sigterm");
}

static void test_precision(void **state)
{
    (void)state;
    const char *b = batch_file("precision", 200);
    char args[8192];
    size_t n[2];
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args,
                 "run %s -r 5 -j %d --precision 0.01 --metric utilisation --max-replications 200 "
                 "-o %s/precision-j%d.h5",
                 b, j, dir, j);
        must_run(args);
        char path[1200];
        snprintf(path, sizeof path, "%s/precision-j%d.h5", dir, j);
        sim_results *r = read_results(path);
        n[j - 1] = r->replications;
        sim_results_free(r);
    }
    assert_int_equal(n[0], n[1]);
    assert_true(n[0] > 5 && n[0] < 200);
    char a[1200], c[1200];
    snprintf(a, sizeof a, "%s/precision-j1.h5", dir);
    snprintf(c, sizeof c, "%s/precision-j2.h5", dir);
    assert_same_file(a, c);
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd, "h5dump -a /precision_met -a /precision_target '%s'", a);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_non_null(strstr(out, "(0): 1"));
    assert_non_null(strstr(out, "(0): 0.01"));
    free(out);
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct {
        const char *args;
        const char *message;
    } cases[] = {
        {"run " MM10 " --shard 0/3", "capsim run: --shard expects I/N with 1 <= I <= N, got \"0/3\""},
        {"run " MM10 " --shard 4/3", "capsim run: --shard expects I/N with 1 <= I <= N, got \"4/3\""},
        {"run " MM10 " --precision 0.05", "capsim run: --precision needs at least one --metric NAME"},
        {"run " MM10 " --metric mean_wait", "capsim run: --metric is for --precision; give --precision REL too"},
        {"run " MM10 " --precision 0.05 --metric mean_wait --shard 1/2",
         "capsim run: --precision needs every replication in one run; it cannot be combined "
         "with --shard"},
        {"run " MM10 " -j 0", "capsim run: -j expects a whole number from 1 to 4096, got \"0\""},
        {"run " MM10 " -r x", "capsim run: -r expects a whole number from 1 to 1000000, got \"x\""},
        {"run " MM10 " --frobnicate", "capsim run: unknown option \"--frobnicate\""},
        {"run", "capsim run: no scenario or batch file given"},
        {"run " MM10 " --resume --force", "capsim run: --resume and --force contradict each other"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[8192], *err = NULL;
        snprintf(args, sizeof args, "%s -o %s/usage.h5", cases[i].args, dir);
        int code = capsim(args, &err);
        if (code != 2 || !strstr(err, cases[i].message))
            fprintf(stderr, "capsim %s\n%s", args, err);
        assert_int_equal(code, 2);
        assert_non_null(strstr(err, cases[i].message));
        free(err);
    }
    /* A metric the model does not have, before anything runs. */
    char args[8192], *err = NULL;
    snprintf(args, sizeof args, "run %s --precision 0.05 --metric mean_wiat -o %s/usage.h5", MM10,
             dir);
    assert_int_equal(capsim(args, &err), 2);
    assert_non_null(strstr(err, "--metric mean_wiat: scenario queue-mm10 has no such metric"));
    free(err);
    /* Nothing was written by any of them. */
    char p[1200];
    snprintf(p, sizeof p, "%s/usage.h5", dir);
    assert_false(tu_exists(p));
    snprintf(p, sizeof p, "%s/usage.h5.ckpt", dir);
    assert_false(tu_exists(p));
}

static void test_progress(void **state)
{
    (void)state;
    const char *b = batch_file("progress", 100);
    char args[8192], *err = NULL;
    /* Not a terminal: no bar, one summary line. */
    snprintf(args, sizeof args, "run %s -r 3 -o %s/p1.h5", b, dir);
    assert_int_equal(capsim(args, &err), 0);
    assert_null(strstr(err, "jobs/s"));
    assert_non_null(strstr(err, "2 scenarios x 3 replications written to"));
    free(err);
    snprintf(args, sizeof args, "run %s -r 3 --progress -o %s/p2.h5", b, dir);
    assert_int_equal(capsim(args, &err), 0);
    assert_non_null(strstr(err, "6/6 jobs"));
    assert_non_null(strstr(err, "jobs/s"));
    free(err);
    snprintf(args, sizeof args, "run %s -r 3 --quiet -o %s/p3.h5", b, dir);
    assert_int_equal(capsim(args, &err), 0);
    assert_string_equal(err, "");
    free(err);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("batch_cli"));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_shards_merge),
        cmocka_unit_test(test_precision),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_kill9_resume),
        cmocka_unit_test(test_sigterm_resume),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
