/* app/cmd_check.c: `capsim check SCENARIO...`: read and check without running. */
#include <stdio.h>
#include <string.h>

#include "batchfile.h"
#include "cli.h"
#include "core/error.h"
#include "scenario.h"
#include "scenario_limits.h"

static const char check_usage[] =
    "usage: capsim check [options] SCENARIO|BATCH.yaml...\n"
    "\n"
    "Reads each scenario (following extends; every scenario and sweep point of a batch\n"
    "file), checks every value and key, and prints a one-line summary.\n"
    "\n"
    "  -s, --set PATH=VALUE  override a scenario value in every scenario (repeatable)\n"
    "  -m, --metrics         list each scenario's metrics (for --metric and the results)\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit code 0 if all are valid, 2 at the first that is not.\n";

/* "  MODEL/NAME (UNITS, series|per replication[, per DIM x DIM]): DESCRIPTION", one a line. */
static void print_metrics(const sim_monitor *m)
{
    for (size_t k = 0; k < sim_monitor_metric_count(m); k++) {
        const sim_metric *mt = sim_monitor_metric(m, k);
        char dims[200] = "";
        for (size_t d = 0; d < mt->n_dims; d++) {
            size_t n = strlen(dims);
            snprintf(dims + n, sizeof dims - n, "%s%s", d ? " x " : ", per ",
                     sim_monitor_dimension(m, mt->dims[d])->name);
        }
        printf("  %s/%s (%s, %s%s): %s\n", sim_monitor_model_name(m, mt->model), mt->name,
               mt->units, mt->kind == SIM_METRIC_SERIES ? "series" : "per replication", dims,
               mt->description);
    }
}

static int check_files(int argc, char **argv, const struct option *longopts,
                       const char **files, const char **overrides);

int capsim_cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 's'},
        {"metrics", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    /* As many files and overrides as the command line holds. */
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **overrides = calloc((size_t)argc + 1, sizeof *overrides);
    int code = files && overrides ? check_files(argc, argv, longopts, files, overrides)
                                  : CAPSIM_EXIT_FAILURE;
    free(files);
    free(overrides);
    return code;
}

static int check_files(int argc, char **argv, const struct option *longopts,
                       const char **files, const char **overrides)
{
    size_t n_files = 0, n_overrides = 0;
    bool list_metrics = false;
    opterr = 0;
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":s:mh", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(check_usage, stdout);
            return CAPSIM_EXIT_OK;
        case 'm':
            list_metrics = true;
            break;
        case 's':
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "capsim check: --set expects key.path=value, got \"%s\"\n",
                        optarg);
                return CAPSIM_EXIT_USAGE;
            }
            overrides[n_overrides++] = optarg;
            break;
        default:
            capsim_bad_option("capsim check", c, argv, longopts, true);
            fputs("(see capsim check --help)\n", stderr);
            return CAPSIM_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        files[n_files++] = argv[i];
    }
    if (n_files == 0) {
        fprintf(stderr, "capsim check: no scenario or batch file given\n\n%s", check_usage);
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
        char models[200];
        capsim_scenario_models(l, models, sizeof models);
        size_t groups = sim_monitor_group_count(l->monitor);
        printf("%s: ok: scenario \"%s\", model%s %s, %g days from %04d-%02d-%02d, "
               "%zu snapshots, %zu metrics, %zu flow%s, %zu group%s (%s)\n",
               e->path, l->sc.name, l->n_models == 1 ? "" : "s", models, l->sc.horizon_days,
               l->sc.start_date.year, l->sc.start_date.month, l->sc.start_date.day,
               sim_monitor_time_count(l->monitor), sim_monitor_metric_count(l->monitor),
               l->n_flows, l->n_flows == 1 ? "" : "s", groups, groups == 1 ? "" : "s",
               sim_monitor_group_dimension(l->monitor) ? sim_monitor_group_dimension(l->monitor)
                                                       : "none");
        if (list_metrics)
            print_metrics(l->monitor);
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
