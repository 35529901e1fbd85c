#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <math.h>
#include <unistd.h>

const char *tu_tmpdir(const char *name)
{
    static char path[4096];
    char cmd[8300];
    snprintf(path, sizeof path, "%s/%s", CAPSIM_TEST_TMPDIR, name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    if (system(cmd) != 0)
        fail_msg("cannot make %s", path);
    return path;
}

void tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

char *tu_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

bool tu_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int tu_run(const char *cmdline, char **out, char **err)
{
    char outpath[4200], errpath[4200], cmd[16384];
    static int counter;
    snprintf(outpath, sizeof outpath, "%s/run-%d-%d.out", CAPSIM_TEST_TMPDIR, (int)getpid(), counter);
    snprintf(errpath, sizeof errpath, "%s/run-%d-%d.err", CAPSIM_TEST_TMPDIR, (int)getpid(), counter);
    counter++;
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && ( %s ) >'%s' 2>'%s' </dev/null", CAPSIM_TEST_TMPDIR,
             cmdline, outpath, errpath);
    int status = system(cmd);
    if (out)
        *out = tu_read_file(outpath);
    if (err)
        *err = tu_read_file(errpath);
    unlink(outpath);
    unlink(errpath);
    if (status == -1 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

int tu_capsim(const char *args, char **out, char **err)
{
    char cmd[16000];
    snprintf(cmd, sizeof cmd, "'%s' %s", CAPSIM_BINARY, args);
    return tu_run(cmd, out, err);
}

int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

bool tu_within(const char *what, double estimate, double expected, double hw, double k)
{
    bool ok = fabs(estimate - expected) <= k * hw;
    if (!ok)
        print_error("%s: estimate %.6g, expected %.6g, allowed +/- %.3g (%.2f x 95%% half-width %.3g)\n",
                    what, estimate, expected, k * hw, k, hw);
    return ok;
}
