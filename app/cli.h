/*
 * app/cli.h: the capsim subcommands. Each takes the arguments after its name
 * (argv[0] is the subcommand) and returns the process exit code:
 * 0 success, 1 run failure, 2 bad usage or bad scenario.
 *
 * Options follow the GNU conventions (getopt_long): every short option has a long form,
 * values may be attached (`-j4`, `--seed=5`), long options may be abbreviated while the
 * abbreviation is unique, options and operands may be mixed, and `--` ends the options.
 */
#ifndef CAPSIM_CLI_H
#define CAPSIM_CLI_H

#include <getopt.h>
#include <stdbool.h>

enum { CAPSIM_EXIT_OK = 0, CAPSIM_EXIT_FAILURE = 1, CAPSIM_EXIT_USAGE = 2 };

int capsim_cmd_run(int argc, char **argv);
int capsim_cmd_check(int argc, char **argv);
int capsim_cmd_merge(int argc, char **argv);
int capsim_cmd_sensitivity(int argc, char **argv);
int capsim_cmd_report(int argc, char **argv);
int capsim_cmd_export(int argc, char **argv);
int capsim_cmd_backtest(int argc, char **argv);

/* The command line as one string (for the provenance attribute); static storage. */
const char *capsim_command_line(void);
void capsim_set_command_line(int argc, char **argv);

/*
 * After getopt_long (with an option string starting with ':') returned '?' or ':', print
 * "PREFIX: unknown option "--frobnicate" (did you mean "--force"?)", "... is ambiguous
 * (--resume, --replications)" or "PREFIX: --jobs needs a value" to stderr when `print`.
 */
void capsim_bad_option(const char *prefix, int c, char **argv, const struct option *longopts,
                       bool print);

/*
 * The name of the option getopt_long just returned: "--jobs" when it was given in its long
 * form (longindex >= 0), else "-j". Static storage, overwritten by the next call.
 */
const char *capsim_option_name(int c, int longindex, const struct option *longopts);

/*
 * Refuse "-" as an output file: results are HDF5, written under a temporary name and
 * renamed, so they cannot go to standard output. Prints "PREFIX: ..." and returns false.
 */
bool capsim_output_name_ok(const char *prefix, const char *output, bool print);

/* Print `capsim --version`: capsim, its git commit and the libraries it was built with. */
void capsim_print_version(void);

#endif
