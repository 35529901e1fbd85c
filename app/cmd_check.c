/* app/cmd_check.c: `capsim check SCENARIO...`: read and check without running. */
#include <stdio.h>
#include <string.h>

#include "batchfile.h"
#include "cli.h"
#include "core/error.h"
#include "scenario.h"

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

/* "  NAME (UNITS, series|per replication[, per GROUP]): DESCRIPTION", one line each. */
static void print_metrics(const sim_monitor *m)
{
    const char *dim = sim_monitor_group_dimension(m);
    for (size_t k = 0; k < sim_monitor_metric_count(m); k++) {
        const sim_metric *mt = sim_monitor_metric(m, k);
        printf("  %s (%s, %s%s%s): %s\n", mt->name, mt->units,
               mt->kind == SIM_METRIC_SERIES ? "series" : "per replication",
               mt->per_group ? ", per " : "", mt->per_group ? (dim ? dim : "group") : "",
               mt->description);
    }
}

int capsim_cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"set", required_argument, NULL, 's'},
        {"metrics", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *files[256], *overrides[256];
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
            if (n_overrides == 256) {
                fprintf(stderr, "capsim check: too many --set options\n");
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
        if (n_files == 256) {
            fprintf(stderr, "capsim check: too many scenario files\n");
            return CAPSIM_EXIT_USAGE;
        }
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
    for (size_t i = 0; i < list.n; i++) {
        const capsim_batch_entry *e = &list.entries[i];
        capsim_loaded *l = NULL;
        if (capsim_scenario_open(e->path, (const char *const *)e->overrides, e->n_overrides, &l,
                                 &err)) {
            capsim_print_error(&err);
            capsim_batch_list_free(&list);
            return CAPSIM_EXIT_USAGE;
        }
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
        capsim_scenario_close(l);
    }
    capsim_batch_list_free(&list);
    return CAPSIM_EXIT_OK;
}
