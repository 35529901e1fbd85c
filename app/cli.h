/*
 * app/cli.h: the capsim subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code:
 * 0 success, 1 run failure, 2 bad usage or bad scenario.
 */
#ifndef CAPSIM_CLI_H
#define CAPSIM_CLI_H

enum { CAPSIM_EXIT_OK = 0, CAPSIM_EXIT_FAILURE = 1, CAPSIM_EXIT_USAGE = 2 };

int capsim_cmd_run(int argc, char **argv);
int capsim_cmd_check(int argc, char **argv);
int capsim_cmd_merge(int argc, char **argv);
int capsim_cmd_backtest(int argc, char **argv);

/* The command line as one string (for the provenance attribute); static storage. */
const char *capsim_command_line(void);
void capsim_set_command_line(int argc, char **argv);

#endif
