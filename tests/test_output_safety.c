/*
 * tests/test_output_safety.c: files that must never be destroyed, and a full disk.
 *
 * Through the program, on a short M/M/10 scenario: -o naming an input (by another string),
 * a device, a directory, a dangling symlink, a missing directory; merge -o naming a shard;
 * a symlinked checkpoint with --force; stale temporaries of dead processes; and a results
 * file that does not fit (RLIMIT_FSIZE with SIGXFSZ ignored, so write(2) fails with EFBIG as
 * it would with ENOSPC on a full disk: no root or mount needed).
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MM10 CAPSIM_SOURCE_DIR "/scenarios/queue-mm10.yaml"

static char dir[1024];

/* The M/M/10 scenario, cut to 30 days, as dir/s.yaml, and dir/e.yaml extending it. */
static void setup_dir(const char *name)
{
    snprintf(dir, sizeof dir, "%s", tu_tmpdir(name));
    char path[1200], text[1600];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    snprintf(text, sizeof text, "extends: %s\nhorizon_days: 30\nwarmup_days: 0\n", MM10);
    tu_write_file(path, text);
    snprintf(path, sizeof path, "%s/e.yaml", dir);
    tu_write_file(path, "extends: s.yaml\nname: e\n");
}

/* Run "cd dir && capsim ARGS"; returns the exit code, stderr in *err (malloc'd). */
static int capsim_in(const char *args, char **err)
{
    char cmd[4000];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", dir, CAPSIM_BINARY, args);
    char *out = NULL;
    int code = tu_run(cmd, &out, err);
    free(out);
    return code;
}

static void expect(const char *args, int code, const char *message)
{
    char *err = NULL;
    int got = capsim_in(args, &err);
    if (got != code || strcmp(err ? err : "", message) != 0)
        print_error("capsim %s\n  exit %d (want %d)\n  stderr: %s  want:   %s", args, got, code,
                    err ? err : "", message);
    assert_int_equal(got, code);
    assert_string_equal(err, message);
    free(err);
}

static char *read_in(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tu_read_file(path);
}

static bool exists_in(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* -o naming the scenario or its extends base by another spelling: refused, file intact. */
static void test_output_is_an_input(void **state)
{
    (void)state;
    setup_dir("out_input");
    char *before = read_in("s.yaml");
    expect("run e.yaml -r 2 -o ./s.yaml --force", 2,
           "capsim run: ./s.yaml is the same file as the input s.yaml; refusing to replace it\n");
    expect("run e.yaml -r 2 -o ../out_input/e.yaml --force", 2,
           "capsim run: ../out_input/e.yaml is the same file as the input e.yaml; refusing to "
           "replace it\n");
    /* A batch member. */
    char path[1200];
    snprintf(path, sizeof path, "%s/b.yaml", dir);
    tu_write_file(path, "name: b\nscenarios:\n  - s.yaml\n  - e.yaml\n");
    expect("run b.yaml -r 2 -o ./e.yaml --force", 2,
           "capsim run: ./e.yaml is the same file as the input e.yaml; refusing to replace it\n");
    char *after = read_in("s.yaml");
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_false(exists_in("s.yaml.ckpt"));
    assert_false(exists_in("e.yaml.ckpt"));
}

/* Names that cannot be written are exit 2 at once, with nothing left behind. */
static void test_output_path_checked_first(void **state)
{
    (void)state;
    setup_dir("out_path");
    expect("run s.yaml -r 2 -o ''", 2, "capsim run: -o needs a file name, got \"\"\n");
    expect("run s.yaml -r 2 -o nodir/x.h5", 2,
           "capsim run: cannot write nodir/x.h5: directory nodir does not exist\n");
    expect("run s.yaml -r 2 -o s.yaml/x.h5", 2,
           "capsim run: cannot write s.yaml/x.h5: s.yaml is not a directory\n");
    expect("run s.yaml -r 2 -o sub/", 2, "capsim run: output sub/ is a directory\n");
    char path[1200];
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    expect("run s.yaml -r 2 -o sub", 2, "capsim run: output sub is a directory\n");
    snprintf(path, sizeof path, "%s/dangling.h5", dir);
    assert_int_equal(symlink("nowhere.h5", path), 0);
    expect("run s.yaml -r 2 -o dangling.h5 --force", 2,
           "capsim run: output dangling.h5 is a symbolic link; it is never followed (name the "
           "file itself)\n");
    expect("run s.yaml -r 2 -o /dev/null --force", 2,
           "capsim run: output /dev/null is not a regular file (a device, FIFO or socket); "
           "refusing to replace it\n");
    /* Only s.yaml, e.yaml, sub and the link: no .ckpt, no temporary. */
    assert_int_equal(tu_count_entries(dir), 4);
}

/* A read-only directory (as root, permissions do not stop writes: a read-only mount would). */
static void test_output_read_only_directory(void **state)
{
    (void)state;
    if (geteuid() == 0)
        skip();
    setup_dir("out_ro");
    char path[1200];
    snprintf(path, sizeof path, "%s/ro", dir);
    assert_int_equal(mkdir(path, 0555), 0);
    expect("run s.yaml -r 2 -o ro/x.h5", 2,
           "capsim run: cannot write ro/x.h5: directory ro is not writable\n");
}

/* --force with a symlinked FILE.ckpt: the link's target is not overwritten. */
static void test_symlinked_checkpoint(void **state)
{
    (void)state;
    setup_dir("out_ckpt_link");
    char path[1200];
    snprintf(path, sizeof path, "%s/precious.txt", dir);
    tu_write_file(path, "keep me\n");
    snprintf(path, sizeof path, "%s/out.h5.ckpt", dir);
    assert_int_equal(symlink("precious.txt", path), 0);
    expect("run s.yaml -r 2 -o out.h5 --force", 2,
           "capsim run: checkpoint out.h5.ckpt is a symbolic link; it is never followed (name "
           "the file itself)\n");
    char *text = read_in("precious.txt");
    assert_string_equal(text, "keep me\n");
    free(text);
    assert_false(exists_in("out.h5"));
}

/* merge -o naming a shard by another string is refused; the shard is intact. */
static void test_merge_output_is_a_shard(void **state)
{
    (void)state;
    setup_dir("out_merge");
    char *err = NULL;
    assert_int_equal(capsim_in("run s.yaml -r 2 --shard 1/2 -o a.h5 --quiet", &err), 0);
    free(err);
    assert_int_equal(capsim_in("run s.yaml -r 2 --shard 2/2 -o b.h5 --quiet", &err), 0);
    free(err);
    struct stat before, after;
    char path[1200];
    snprintf(path, sizeof path, "%s/a.h5", dir);
    assert_int_equal(stat(path, &before), 0);
    expect("merge a.h5 b.h5 -o ./a.h5 --force", 2,
           "capsim merge: ./a.h5 is the same file as the input a.h5; refusing to replace it\n");
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtime, after.st_mtime);
}

/* FILE.tmp-PID of a process that no longer exists is removed; a live one's is left. */
static void test_stale_temporaries(void **state)
{
    (void)state;
    setup_dir("out_stale");
    char dead[1200], live[1200];
    snprintf(dead, sizeof dead, "%s/out.h5.tmp-2147483000", dir); /* above any pid_max */
    snprintf(live, sizeof live, "%s/out.h5.tmp-%ld", dir, (long)getpid());
    tu_write_file(dead, "half a file");
    tu_write_file(live, "being written");
    char *err = NULL;
    assert_int_equal(capsim_in("run s.yaml -r 2 -o out.h5 --quiet", &err), 0);
    free(err);
    assert_false(tu_exists(dead));
    assert_true(tu_exists(live));
    assert_true(exists_in("out.h5"));
}

/* A results file that does not fit: exit 1, a clear message, no partial file, no crash. */
static void test_disk_full(void **state)
{
    (void)state;
    setup_dir("out_full");
    /* ulimit -f counts 512- or 1024-byte blocks (dash, bash): 16-32 KiB, below the ~80 KiB file. */
    char cmd[3000];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && trap '' XFSZ && ulimit -f 32 && '%s' run s.yaml -r 20 -o full.h5 "
             "--no-checkpoint --quiet",
             dir, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 1);
    const char *want = "capsim: full.h5: cannot write results file: File too large (";
    assert_memory_equal(err, want, strlen(want));
    assert_non_null(strstr(err, " bytes needed; nothing was written)\n"));
    free(err);
    assert_false(exists_in("full.h5"));
    assert_int_equal(tu_count_entries(dir), 2); /* s.yaml, e.yaml: no temporary either */
    /* Merge alike. */
    assert_int_equal(capsim_in("run s.yaml -r 20 -o whole.h5 --quiet", &err), 0);
    free(err);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && trap '' XFSZ && ulimit -f 32 && '%s' merge whole.h5 -o merged.h5",
             dir, CAPSIM_BINARY);
    assert_int_equal(tu_run(cmd, NULL, &err), 1);
    want = "capsim: merged.h5: cannot write results file: File too large (";
    assert_memory_equal(err, want, strlen(want));
    free(err);
    assert_int_equal(tu_count_entries(dir), 3);
}

/* A run while another holds the checkpoint: refused at once, naming its pid. */
static void test_checkpoint_in_use(void **state)
{
    (void)state;
    setup_dir("out_ckpt_lock");
    char ck[1200];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", dir);
    tu_write_file(ck, "");
    int ready[2], done[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(done), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(ready[0]);
        close(done[1]);
        int fd = open(ck, O_RDWR);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        char c = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    char want[600];
    snprintf(want, sizeof want,
             "capsim run: out.h5.ckpt is in use by another capsim run (pid %ld) writing the same "
             "results file; wait for it to finish or choose another -o\n",
             (long)child);
    expect("run s.yaml -r 2 -o out.h5 --force", 2, want);
    expect("run s.yaml -r 2 -o out.h5 --resume", 2, want);
    close(done[1]);
    close(ready[0]);
    waitpid(child, NULL, 0);
    assert_false(exists_in("out.h5"));
}

/* merge reads only regular files: a FIFO would block HDF5, a device never end. */
static void test_merge_non_regular_shard(void **state)
{
    (void)state;
    setup_dir("out_merge_fifo");
    char path[1200];
    snprintf(path, sizeof path, "%s/fifo.h5", dir);
    assert_int_equal(mkfifo(path, 0644), 0);
    expect("merge fifo.h5 -o m.h5", 2,
           "capsim: fifo.h5: not a capsim results file (not a regular file)\n");
    expect("merge /dev/zero -o m.h5", 2,
           "capsim: /dev/zero: not a capsim results file (not a regular file)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_is_an_input),
        cmocka_unit_test(test_output_path_checked_first),
        cmocka_unit_test(test_output_read_only_directory),
        cmocka_unit_test(test_symlinked_checkpoint),
        cmocka_unit_test(test_merge_output_is_a_shard),
        cmocka_unit_test(test_stale_temporaries),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_checkpoint_in_use),
        cmocka_unit_test(test_merge_non_regular_shard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
