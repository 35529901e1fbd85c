/* app/cmd_check.c: `capsim check SCENARIO...`: read and check without running. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "cli.h"
#include "core/error.h"
#include "scenario.h"
#include "scenario_limits.h"

static const char check_usage[] =
    "usage: capsim check SCENARIO|BATCH.yaml... [--set key.path=value]...\n"
    "\n"
    "Reads each scenario (following extends; every scenario and sweep point of a batch\n"
    "file), checks every value and key, and prints a one-line summary. Exit code 0 if all are valid, 2 at the first that is not.\n";

static int check_files(int argc, char **argv, const char **files, const char **overrides);

int capsim_cmd_check(int argc, char **argv)
{
    /* As many files and overrides as the command line holds (it was cut at 256). */
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    int code = check_files(argc, argv, files, overrides);
    free(files);
    free(overrides);
    return code;
}

static int check_files(int argc, char **argv, const char **files, const char **overrides)
{
    if (!files || !overrides) {
        fprintf(stderr, "capsim check: out of memory\n");
        return CAPSIM_EXIT_FAILURE;
    }
    size_t n_files = 0, n_overrides = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(check_usage, stdout);
            return CAPSIM_EXIT_OK;
        }
        if (strcmp(argv[i], "--set") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "capsim check: --set needs key.path=value\n");
                return CAPSIM_EXIT_USAGE;
            }
            overrides[n_overrides++] = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "capsim check: unknown option \"%s\"\n\n%s", argv[i], check_usage);
            return CAPSIM_EXIT_USAGE;
        } else {
            files[n_files++] = argv[i];
        }
    }
    if (n_files == 0) {
        fputs(check_usage, stderr);
        return CAPSIM_EXIT_USAGE;
    }
    capsim_batch_list list = {0};
    struct sim_error err;
    sim_error_clear(&err);
    for (size_t f = 0; f < n_files; f++) {
        if (capsim_batch_add(&list, files[f], overrides, n_overrides, &err)) {
            capsim_print_error(&err);
            capsim_batch_list_free(&list);
            return CAPSIM_EXIT_USAGE;
        }
    }
    /* Every scenario stays loaded until the end: names are checked as run checks them. */
    capsim_loaded **loaded = calloc(list.n ? list.n : 1, sizeof *loaded);
    int code = loaded ? CAPSIM_EXIT_OK : CAPSIM_EXIT_FAILURE;
    for (size_t i = 0; i < list.n && code == CAPSIM_EXIT_OK; i++) {
        const capsim_batch_entry *e = &list.entries[i];
        if (capsim_scenario_open(e->path, (const char *const *)e->overrides, e->n_overrides,
                                 &loaded[i], &err) ||
            capsim_batch_check_unique_name(loaded, i + 1, e->path, &err) ||
            capsim_scenario_check_dates("capsim check", loaded[i], &err)) {
            capsim_print_error(&err);
            code = CAPSIM_EXIT_USAGE;
            break;
        }
        const capsim_loaded *l = loaded[i];
        size_t groups = sim_monitor_group_count(l->monitor);
        printf("%s: ok: scenario \"%s\", model %s, %g days from %04d-%02d-%02d, "
               "%zu snapshots, %zu metrics, %zu group%s (%s)\n",
               e->path, l->sc.name, l->model->name, l->sc.horizon_days, l->sc.start_date.year,
               l->sc.start_date.month, l->sc.start_date.day, sim_monitor_time_count(l->monitor),
               sim_monitor_metric_count(l->monitor), groups, groups == 1 ? "" : "s",
               sim_monitor_group_dimension(l->monitor) ? sim_monitor_group_dimension(l->monitor)
                                                       : "none");
    }
    if (code == CAPSIM_EXIT_OK)
        capsim_batch_note_mixed_models("capsim check", loaded, list.n);
    for (size_t i = 0; loaded && i < list.n; i++)
        if (loaded[i])
            capsim_scenario_close(loaded[i]);
    free(loaded);
    capsim_batch_list_free(&list);
    return code;
}
