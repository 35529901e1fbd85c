/*
 * capsim: capacity simulation for collaborating NHS trusts.
 *
 * This file reads the options that come before the command (-h, -V) and dispatches to the
 * subcommands (app/cmd_*.c), which read their own options.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "scenario/yaml.h"

static const char usage[] =
    "usage: capsim [-h|--help] [-V|--version] <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO...    run replications of one or more scenarios (or a batch file)\n"
    "                     and write an HDF5 results file (default results/<name>.h5)\n"
    "  check SCENARIO...  read and check scenarios without running them\n"
    "  merge SHARD... -o FILE\n"
    "                     join the shard files of a job array into one results file\n"
    "  report FILE.h5     a report (Markdown, HTML, CSV, figures) beside the file\n"
    "  export FILE.h5 --csv DIR   tidy CSV of every value and summary\n"
    "  backtest SCENARIO --observed FILE.csv\n"
    "                     compare a scenario's month-end RTT figures with an observed series\n"
    "  sensitivity SCENARIO --metric MODEL/NAME\n"
    "                     one-way and global sensitivity to the uncertain inputs\n"
    "  help [COMMAND]     this text, or the options of a command\n"
    "\n"
    "  capsim <command> --help   options of a command\n"
    "  capsim --version          version, git commit and library versions\n"
    "\n"
    "Exit codes: 0 success, 1 run failure, 2 bad usage or bad scenario.\n"
    "Report bugs and read the manual: man capsim; README.md of the source.\n";

typedef int (*command_fn)(int argc, char **argv);

static const struct {
    const char *name;
    command_fn fn;
} commands[] = {
    {"run", capsim_cmd_run},
    {"check", capsim_cmd_check},
    {"merge", capsim_cmd_merge},
    {"sensitivity", capsim_cmd_sensitivity},
    {"report", capsim_cmd_report},
    {"export", capsim_cmd_export},
    {"backtest", capsim_cmd_backtest},
};

static command_fn find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn;
    return NULL;
}

static int unknown_command(const char *name)
{
    const char *names[] = {"run",    "check",    "merge", "sensitivity", "report",
                           "export", "backtest", "help", "version",     NULL};
    const char *near = sim_closest_word(name, names);
    if (near)
        fprintf(stderr, "capsim: unknown command \"%s\" (did you mean \"%s\"?)\n\n%s", name,
                near, usage);
    else
        fprintf(stderr, "capsim: unknown command \"%s\"\n\n%s", name, usage);
    return CAPSIM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    capsim_set_command_line(argc, argv);
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* '+': stop at the command, whose options are its own. */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(usage, stdout);
            return CAPSIM_EXIT_OK;
        case 'V':
            capsim_print_version();
            return CAPSIM_EXIT_OK;
        default:
            capsim_bad_option("capsim", c, argv, longopts, true);
            fprintf(stderr, "\n%s", usage);
            return CAPSIM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return CAPSIM_EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* the subcommand's getopt_long starts afresh (GNU: 0 reinitialises) */
    if (strcmp(cmd, "version") == 0) {
        capsim_print_version();
        return CAPSIM_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (sub_argc < 2) {
            fputs(usage, stdout);
            return CAPSIM_EXIT_OK;
        }
        command_fn fn = find_command(sub_argv[1]);
        if (!fn)
            return unknown_command(sub_argv[1]);
        static char help_flag[] = "--help";
        char *help_argv[] = {sub_argv[1], help_flag, NULL};
        return fn(2, help_argv);
    }
    command_fn fn = find_command(cmd);
    if (!fn)
        return unknown_command(cmd);
    return fn(sub_argc, sub_argv);
}
