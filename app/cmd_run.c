/*
 * app/cmd_run.c: `capsim run`: the first, sequential version (one scenario, replications
 * one after another). The batch engine (sim/batch.h) replaces it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capsim_version.h"
#include "cli.h"
#include "error.h"
#include "results.h"
#include "scenario.h"

static const char run_usage[] =
    "usage: capsim run SCENARIO [-o FILE] [-r REPLICATIONS] [--seed N] [--force]\n"
    "                  [--set key.path=value]...\n"
    "\n"
    "  -o FILE          results file (default results/<scenario name>.h5)\n"
    "  -r N             replications (default: the scenario's `replications`, else 20)\n"
    "  --seed N         base seed (default: the scenario's `seed`, else 1)\n"
    "  --force          overwrite an existing results file\n"
    "  --set PATH=VAL   override a scenario value, e.g. --set queue.servers=3\n";

static int parse_count(const char *opt, const char *text, unsigned long long max,
                       unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    if (!text || !*text || *text == '-') {
        fprintf(stderr, "capsim run: %s expects a whole number, got \"%s\"\n", opt,
                text ? text : "");
        return -1;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v > max) {
        fprintf(stderr, "capsim run: %s expects a whole number up to %llu, got \"%s\"\n", opt,
                max, text);
        return -1;
    }
    *out = v;
    return 0;
}

int capsim_cmd_run(int argc, char **argv)
{
    const char *file = NULL, *output = NULL, *overrides[256];
    size_t n_overrides = 0;
    unsigned long long reps = 0, seed = 0;
    int have_reps = 0, have_seed = 0, force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(run_usage, stdout);
            return CAPSIM_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            output = argv[++i];
        } else if (strcmp(a, "-r") == 0 && i + 1 < argc) {
            if (parse_count("-r", argv[++i], 1000000, &reps) || reps == 0)
                return CAPSIM_EXIT_USAGE;
            have_reps = 1;
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            if (parse_count("--seed", argv[++i], 9007199254740991ULL, &seed))
                return CAPSIM_EXIT_USAGE;
            have_seed = 1;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--set") == 0 && i + 1 < argc && n_overrides < 256) {
            overrides[n_overrides++] = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "capsim run: unknown option or missing value \"%s\"\n\n%s", a,
                    run_usage);
            return CAPSIM_EXIT_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "capsim run: one scenario at a time in this version\n");
            return CAPSIM_EXIT_USAGE;
        }
    }
    if (!file) {
        fputs(run_usage, stderr);
        return CAPSIM_EXIT_USAGE;
    }

    struct sim_error err;
    sim_error_clear(&err);
    capsim_loaded *l = NULL;
    if (capsim_scenario_open(file, overrides, n_overrides, &l, &err)) {
        capsim_print_error(&err);
        return CAPSIM_EXIT_USAGE;
    }
    if (!have_reps)
        reps = (unsigned long long)l->sc.replications;
    if (!have_seed)
        seed = l->sc.seed;

    char default_output[1024];
    if (!output) {
        mkdir("results", 0777);
        snprintf(default_output, sizeof default_output, "results/%s.h5", l->sc.name);
        output = default_output;
    }
    struct stat st;
    if (!force && stat(output, &st) == 0) {
        fprintf(stderr, "capsim: %s: results file exists (use --force to overwrite)\n", output);
        capsim_scenario_close(l);
        return CAPSIM_EXIT_USAGE;
    }

    int code = CAPSIM_EXIT_FAILURE;
    sim_results *res = sim_results_alloc();
    if (!res)
        goto done;
    res->capsim_version = strdup(CAPSIM_VERSION);
    res->git_commit = strdup(CAPSIM_GIT_COMMIT);
    res->command_line = strdup(capsim_command_line());
    res->base_seed = seed;
    res->replications = (size_t)reps;
    char start[11];
    sim_date_format(l->sc.start_date, start);
    long idx = sim_results_add_scenario(res, l->sc.name, l->yaml, start, l->sc.horizon_days,
                                        l->sc.warmup_days, l->monitor, (size_t)reps);
    if (idx < 0)
        goto done;
    l->monitor = NULL; /* now owned by the results */
    sim_scenario_result *sr = &res->scenarios[idx];
    for (size_t r = 0; r < reps; r++) {
        sr->reps[r] = sim_record_alloc(sr->monitor);
        if (!sr->reps[r] || l->model->run(l->cfg, seed, r, sr->reps[r])) {
            fprintf(stderr, "capsim: replication %zu of %s failed\n", r, l->sc.name);
            goto done;
        }
    }
    if (sim_results_write(res, output, force, &err)) {
        capsim_print_error(&err);
        goto done;
    }
    fprintf(stderr, "capsim: %s: %llu replications of \"%s\" written to %s\n", file, reps,
            l->sc.name, output);
    code = CAPSIM_EXIT_OK;
done:
    sim_results_free(res);
    capsim_scenario_close(l);
    return code;
}
