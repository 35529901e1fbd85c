/*
 * app/cmd_merge.c: `capsim merge SHARD... -o FILE`: join the shard files of a job array
 * (capsim run --shard I/N) into the file a single run would have written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/batch.h"
#include "cli.h"
#include "output_check.h"
#include "core/error.h"
#include "results/results.h"
#include "scenario.h"

static const char merge_usage[] =
    "usage: capsim merge [options] -o FILE SHARD...\n"
    "\n"
    "Joins shard files written by `capsim run --shard I/N` into one results file, the same\n"
    "a single run would have written. The shards must agree on capsim version, base seed,\n"
    "replication count and scenarios (names and text), and together hold every replication\n"
    "exactly once; otherwise the error names the file or replication at fault.\n"
    "\n"
    "  -o, --output FILE  the merged results file (required)\n"
    "  -f, --force        overwrite FILE if it exists\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit codes: 0 success, 1 the file could not be written, 2 bad usage or shards that do\n"
    "not fit together (nothing is written).\n";

int capsim_cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *shards[4096];
    size_t n = 0;
    const char *output = NULL;
    bool force = false;
    opterr = 0;
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(merge_usage, stdout);
            return CAPSIM_EXIT_OK;
        case 'o':
            output = optarg;
            if (!capsim_output_name_ok("capsim merge", output, true))
                return CAPSIM_EXIT_USAGE;
            break;
        case 'f':
            force = true;
            break;
        default:
            capsim_bad_option("capsim merge", c, argv, longopts, true);
            fputs("(see capsim merge --help)\n", stderr);
            return CAPSIM_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (n == sizeof shards / sizeof shards[0]) {
            fprintf(stderr, "capsim merge: too many shard files\n");
            return CAPSIM_EXIT_USAGE;
        }
        shards[n++] = argv[i];
    }
    if (n == 0 || !output) {
        fprintf(stderr, "capsim merge: %s\n\n%s",
                n == 0 ? "no shard files given" : "-o FILE is required", merge_usage);
        return CAPSIM_EXIT_USAGE;
    }
    if (capsim_output_check(&(capsim_output_plan){
            .prog = "capsim merge", .output = output, .inputs = shards, .n_inputs = n}))
        return CAPSIM_EXIT_USAGE;
    struct stat st;
    if (!force && stat(output, &st) == 0) {
        fprintf(stderr, "capsim merge: %s exists (use --force to overwrite it)\n", output);
        return CAPSIM_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(shards[i], output) == 0) {
            fprintf(stderr, "capsim merge: %s is both a shard and the output\n", output);
            return CAPSIM_EXIT_USAGE;
        }
    }

    struct sim_error err;
    sim_error_clear(&err);
    sim_results *res = NULL;
    int rc = sim_batch_merge(shards, n, &res, &err);
    if (rc) {
        capsim_print_error(&err);
        return rc == SIM_ENOMEM ? CAPSIM_EXIT_FAILURE : CAPSIM_EXIT_USAGE;
    }
    /* The merged file's provenance is this merge; the numbers are the shards'. */
    free(res->command_line);
    res->command_line = strdup(capsim_command_line());
    rc = sim_batch_write(res, NULL, NULL, output, force, &err);
    if (rc) {
        capsim_print_error(&err);
        sim_results_free(res);
        return CAPSIM_EXIT_FAILURE;
    }
    fprintf(stderr, "capsim merge: %zu shards, %zu scenario%s x %zu replications written to %s\n",
            n, res->n_scenarios, res->n_scenarios == 1 ? "" : "s", res->replications, output);
    sim_results_free(res);
    return CAPSIM_EXIT_OK;
}
