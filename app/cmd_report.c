/*
 * app/cmd_report.c: `capsim report RESULTS.h5`, `capsim report --model SCENARIO` and
 * `capsim export RESULTS.h5 --csv DIR`.
 *
 * The report is written by scripts/report.py (Python with Debian's h5py and matplotlib):
 * this command checks its arguments, finds the script (installed under CAPSIM_DATA_DIR, or
 * in the source tree the program was built from) and runs it with /usr/bin/python3. For
 * --model the scenario is loaded and checked here first (errors name file:line:col, exit 2),
 * then written with no replications to a temporary results file, so the script reads the
 * metrics, units and descriptions the models declare from the same layout as any results.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsim_version.h"
#include "cli.h"
#include "core/error.h"
#include "results/results.h"
#include "scenario.h"

#ifndef CAPSIM_DATA_DIR
#define CAPSIM_DATA_DIR ""
#endif
#ifndef CAPSIM_SOURCE_SCRIPTS
#define CAPSIM_SOURCE_SCRIPTS ""
#endif
#define PYTHON "/usr/bin/python3"

static const char report_usage[] =
    "usage: capsim report RESULTS.h5 [-o DIR] [--dates YYYY-MM-DD,...] [--no-figures]\n"
    "                    [--sensitivity DIR]\n"
    "       capsim report --model SCENARIO.yaml [-o DIR]\n"
    "\n"
    "Writes a report a board paper can quote into DIR (default: RESULTS_report/ beside the\n"
    "file): report.md, report.html (self-contained, figures embedded), tables/*.csv and\n"
    "figures/*.png and *.pdf. For each scenario the headline measures at the chosen dates\n"
    "(default: the end of each financial year and the last month end) with the mean, its 95%\n"
    "confidence interval and the 95% prediction interval across replications; differences\n"
    "from the baseline with paired 95% intervals, in words; the scenarios' assumptions and\n"
    "the provenance. With uncertain inputs, for each headline metric: the spread from\n"
    "inputs and from simulation noise, a ranked table of what drives it and a tornado\n"
    "chart; --sensitivity DIR adds the one-way table of `capsim sensitivity -o DIR`.\n"
    "\n"
    "--model SCENARIO writes a model report in the STRESS-DES style (inputs, logic,\n"
    "assumptions, outputs, warm-up, replications, random numbers) generated from the\n"
    "scenario (default DIR: results/NAME_model_report/).\n"
    "\n"
    "Needs /usr/bin/python3 with h5py and matplotlib (scripts/setup installs them).\n"
    "Exit codes: 0 success, 1 the report could not be written, 2 bad usage or scenario.\n";

static const char export_usage[] =
    "usage: capsim export RESULTS.h5 --csv DIR\n"
    "\n"
    "Writes tidy CSV for Excel and R into DIR: values.csv (scenario, replication, date,\n"
    "model, metric, one column per dimension, value, units), summary.csv and\n"
    "comparisons.csv (every summary and paired difference, one row per date and cell).\n";

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * scripts/report.py: $CAPSIM_DATA_DIR, then the installed copy (beside the program in
 * ../share/capsim, so an installed tree may move, then the configured prefix's), then the
 * source tree the program was built from.
 */
static bool find_script(char *out, size_t size)
{
    char beside[4096] = "";
    ssize_t n = readlink("/proc/self/exe", beside, sizeof beside - 32);
    if (n > 0) {
        beside[n] = '\0';
        char *slash = strrchr(beside, '/');
        if (slash)
            strcpy(slash, "/../share/capsim");
    }
    const char *dirs[] = {getenv("CAPSIM_DATA_DIR"), beside, CAPSIM_DATA_DIR,
                          CAPSIM_SOURCE_SCRIPTS};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        snprintf(out, size, "%s/report.py", dirs[i]);
        if (is_file(out))
            return true;
    }
    return false;
}

/* Run the script with argv (NULL-terminated, after the script name); its exit code. */
static int run_script(const char *cmd, const char *const *args)
{
    char script[4096];
    if (!find_script(script, sizeof script)) {
        fprintf(stderr, "capsim %s: cannot find report.py (looked in CAPSIM_DATA_DIR, %s and "
                        "%s)\n", cmd, CAPSIM_DATA_DIR, CAPSIM_SOURCE_SCRIPTS);
        return CAPSIM_EXIT_FAILURE;
    }
    if (access(PYTHON, X_OK) != 0) {
        fprintf(stderr, "capsim %s: %s is needed (run scripts/setup)\n", cmd, PYTHON);
        return CAPSIM_EXIT_FAILURE;
    }
    const char *argv[64];
    size_t n = 0;
    argv[n++] = PYTHON;
    argv[n++] = script;
    for (size_t i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "capsim %s: cannot start python: %s\n", cmd, strerror(errno));
        return CAPSIM_EXIT_FAILURE;
    }
    if (pid == 0) {
        execv(PYTHON, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return CAPSIM_EXIT_OK;
    return WIFEXITED(status) && WEXITSTATUS(status) == 2 ? CAPSIM_EXIT_USAGE
                                                         : CAPSIM_EXIT_FAILURE;
}

static int bad_usage(const char *cmd, const char *what, const char *usage)
{
    fprintf(stderr, "capsim %s: %s\n\n%s", cmd, what, usage);
    return CAPSIM_EXIT_USAGE;
}

/* The scenario with no replications, as a results file at tmp. */
static int model_file(const char *scenario, const char *tmp, char **name)
{
    struct sim_error err;
    sim_error_clear(&err);
    capsim_loaded *l = NULL;
    int rc = capsim_scenario_open(scenario, NULL, 0, &l, &err);
    if (rc) {
        capsim_print_error(&err);
        return rc == SIM_ENOMEM ? CAPSIM_EXIT_FAILURE : CAPSIM_EXIT_USAGE;
    }
    sim_results *res = sim_results_alloc();
    int code = CAPSIM_EXIT_FAILURE;
    char start[11];
    sim_date_format(l->sc.start_date, start);
    if (res && (res->capsim_version = strdup(CAPSIM_VERSION)) &&
        (res->git_commit = strdup(CAPSIM_GIT_COMMIT)) &&
        (res->command_line = strdup(capsim_command_line()))) {
        res->base_seed = l->sc.seed;
        res->replications = (size_t)l->sc.replications;
        long idx = sim_results_add_scenario(res, l->sc.name, l->yaml, start, l->sc.horizon_days,
                                            l->sc.warmup_days, l->monitor, 0);
        if (idx >= 0) {
            l->monitor = NULL;
            if (sim_results_set_text(res, (size_t)idx, l->label, l->sc.description,
                                     l->assumptions, l->n_assumptions) == SIM_OK &&
                sim_results_write(res, tmp, true, &err) == SIM_OK)
                code = CAPSIM_EXIT_OK;
            else if (err.message[0])
                capsim_print_error(&err);
        }
    }
    if (code == CAPSIM_EXIT_OK)
        *name = strdup(l->sc.name);
    sim_results_free(res);
    capsim_scenario_close(l);
    return code;
}

int capsim_cmd_report(int argc, char **argv)
{
    const char *input = NULL, *out = NULL, *dates = NULL, *model = NULL, *sens = NULL;
    bool no_figures = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(report_usage, stdout);
            return CAPSIM_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--dates") == 0 ||
                   strcmp(a, "--model") == 0 || strcmp(a, "--sensitivity") == 0) {
            if (i + 1 >= argc) {
                char what[64];
                snprintf(what, sizeof what, "%s needs a value", a);
                return bad_usage("report", what, report_usage);
            }
            const char **to = a[1] == 'o' ? &out : a[2] == 'd' ? &dates
                            : a[2] == 's' ? &sens : &model;
            *to = argv[++i];
        } else if (strcmp(a, "--no-figures") == 0) {
            no_figures = true;
        } else if (a[0] == '-' && a[1]) {
            char what[300];
            snprintf(what, sizeof what, "unknown option \"%s\"", a);
            return bad_usage("report", what, report_usage);
        } else if (!input) {
            input = a;
        } else {
            return bad_usage("report", "one results file at a time", report_usage);
        }
    }
    if (model) {
        if (input)
            return bad_usage("report", "--model takes a scenario, not a results file",
                             report_usage);
        char tmp[] = "/tmp/capsim-model-XXXXXX";
        int fd = mkstemp(tmp);
        if (fd < 0) {
            fprintf(stderr, "capsim report: cannot create a temporary file: %s\n",
                    strerror(errno));
            return CAPSIM_EXIT_FAILURE;
        }
        close(fd);
        char *name = NULL;
        int code = model_file(model, tmp, &name);
        if (code == CAPSIM_EXIT_OK) {
            char dir[4200];
            if (!out) {
                snprintf(dir, sizeof dir, "results/%s_model_report", name);
                out = dir;
            }
            const char *args[] = {"model", tmp, model, "-o", out, NULL};
            code = run_script("report", args);
        }
        free(name);
        unlink(tmp);
        return code;
    }
    if (!input)
        return bad_usage("report", "no results file given", report_usage);
    if (!is_file(input)) {
        fprintf(stderr, "capsim report: %s: no such file\n", input);
        return CAPSIM_EXIT_USAGE;
    }
    const char *args[12];
    size_t n = 0;
    args[n++] = "results";
    args[n++] = input;
    if (out) {
        args[n++] = "-o";
        args[n++] = out;
    }
    if (dates) {
        args[n++] = "--dates";
        args[n++] = dates;
    }
    if (no_figures)
        args[n++] = "--no-figures";
    if (sens) {
        args[n++] = "--sensitivity";
        args[n++] = sens;
    }
    args[n] = NULL;
    return run_script("report", args);
}

int capsim_cmd_export(int argc, char **argv)
{
    const char *input = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(export_usage, stdout);
            return CAPSIM_EXIT_OK;
        } else if (strcmp(a, "--csv") == 0) {
            if (i + 1 >= argc)
                return bad_usage("export", "--csv needs a folder", export_usage);
            dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            char what[300];
            snprintf(what, sizeof what, "unknown option \"%s\"", a);
            return bad_usage("export", what, export_usage);
        } else if (!input) {
            input = a;
        } else {
            return bad_usage("export", "one results file at a time", export_usage);
        }
    }
    if (!input || !dir)
        return bad_usage("export", !input ? "no results file given" : "--csv DIR is required",
                         export_usage);
    if (!is_file(input)) {
        fprintf(stderr, "capsim export: %s: no such file\n", input);
        return CAPSIM_EXIT_USAGE;
    }
    const char *args[] = {"export", input, "--csv", dir, NULL};
    return run_script("export", args);
}
