/* app/output_check.c: the output file, checked before any work (see output_check.h). */
#include "output_check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch/batch.h"
#include "batchfile.h"
#include "cli.h"
#include "core/error.h"
#include "scenario.h"
#include "scenario_limits.h"

static int refuse(const capsim_output_plan *p, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s: ", p->prog);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return CAPSIM_EXIT_USAGE;
}

/* The directory part of path ("." when there is none). */
static void parent_dir(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* An existing `path` (output or checkpoint) must be a regular file, not a link. */
static int check_kind(const capsim_output_plan *p, const char *path, const char *what,
                      struct stat *st, bool *exists)
{
    *exists = false;
    if (lstat(path, st) != 0)
        return 0;
    *exists = true;
    if (S_ISLNK(st->st_mode))
        return refuse(p, "%s %s is a symbolic link; it is never followed (name the file itself)",
                      what, path);
    if (S_ISDIR(st->st_mode))
        return refuse(p, "%s %s is a directory", what, path);
    if (!S_ISREG(st->st_mode))
        return refuse(p, "%s %s is not a regular file (a device, FIFO or socket); refusing to "
                      "replace it", what, path);
    return 0;
}

/* Refuse if `st` (an existing output or checkpoint) is the same file as input `name`. */
static int check_not_input(const capsim_output_plan *p, const char *path, const struct stat *st,
                           const char *name)
{
    struct stat in;
    if (!name || stat(name, &in) != 0)
        return 0;
    if (in.st_dev == st->st_dev && in.st_ino == st->st_ino)
        return refuse(p, "%s is the same file as the input %s; refusing to replace it", path,
                      name);
    return 0;
}

static int check_identity(const capsim_output_plan *p, const char *path, const struct stat *st)
{
    int code = 0;
    for (size_t i = 0; i < p->n_inputs && !code; i++)
        code = check_not_input(p, path, st, p->inputs[i]);
    for (size_t i = 0; p->loaded && i < p->n_loaded && !code; i++) {
        const sim_node_tree *t = p->loaded[i] ? p->loaded[i]->tree : NULL;
        for (size_t f = 0; f < sim_node_tree_file_count(t) && !code; f++)
            code = check_not_input(p, path, st, sim_node_tree_file(t, f));
    }
    return code;
}

static int check_directory(const capsim_output_plan *p)
{
    char dir[4096];
    parent_dir(p->output, dir, sizeof dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT && p->make_parent)
            return 0;
        return refuse(p, "cannot write %s: directory %s does not exist", p->output, dir);
    }
    if (!S_ISDIR(st.st_mode))
        return refuse(p, "cannot write %s: %s is not a directory", p->output, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return refuse(p, "cannot write %s: directory %s is not writable", p->output, dir);
    return 0;
}

int capsim_output_check(const capsim_output_plan *p)
{
    if (p->loaded) {
        struct sim_error err;
        sim_error_clear(&err);
        for (size_t i = 0; i < p->n_loaded; i++)
            if (capsim_scenario_check_dates(p->prog, p->loaded[i], &err) != SIM_OK) {
                capsim_print_error(&err);
                return CAPSIM_EXIT_USAGE;
            }
        capsim_batch_note_mixed_models(p->prog, p->loaded, p->n_loaded);
    }
    const char *out = p->output;
    if (!out || !*out)
        return refuse(p, "the output file name is empty%s%s", "", "");
    size_t len = strlen(out);
    if (out[len - 1] == '/')
        return refuse(p, "output %s is a directory%s", out, "");
    struct stat st;
    bool exists;
    int code = check_kind(p, out, "output", &st, &exists);
    if (!code && exists)
        code = check_identity(p, out, &st);
    if (!code)
        code = check_directory(p);
    if (!code && p->checkpoint) {
        code = check_kind(p, p->checkpoint, "checkpoint", &st, &exists);
        if (!code && exists)
            code = check_identity(p, p->checkpoint, &st);
        long pid = !code && exists ? sim_batch_checkpoint_holder(p->checkpoint) : 0;
        if (pid > 0) {
            char num[32];
            snprintf(num, sizeof num, "%ld", pid);
            code = refuse(p, "%s is in use by another capsim run (pid %s) writing the same "
                          "results file; wait for it to finish or choose another -o",
                          p->checkpoint, num);
        }
    }
    return code;
}
