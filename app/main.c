/*
 * capsim: capacity simulation for collaborating NHS trusts.
 *
 * This file only dispatches to the subcommands (app/cmd_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "capsim_version.h"
#include "cli.h"

static const char usage[] =
    "usage: capsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO...    run replications of one or more scenarios (or a batch file)\n"
    "                     and write an HDF5 results file (default results/<name>.h5)\n"
    "  check SCENARIO...  read and check scenarios without running them\n"
    "  merge SHARD... -o FILE\n"
    "                     join the shard files of a job array into one results file\n"
    "\n"
    "  capsim <command> --help   options of a command\n"
    "  capsim --version          version and git commit\n"
    "\n"
    "Exit codes: 0 success, 1 run failure, 2 bad usage or bad scenario.\n";

int main(int argc, char **argv)
{
    capsim_set_command_line(argc, argv);
    if (argc < 2) {
        fputs(usage, stderr);
        return CAPSIM_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CAPSIM_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("capsim %s (git %s)\n", CAPSIM_VERSION, CAPSIM_GIT_COMMIT);
        return CAPSIM_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return capsim_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return capsim_cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "backtest") == 0)
        return capsim_cmd_backtest(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return capsim_cmd_merge(argc - 1, argv + 1);
    fprintf(stderr, "capsim: unknown command \"%s\"\n\n%s", cmd, usage);
    return CAPSIM_EXIT_USAGE;
}
