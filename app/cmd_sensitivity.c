/*
 * app/cmd_sensitivity.c: `capsim sensitivity`: what drives a metric (app/sensitivity.h).
 *
 * Prints the one-way table (ranked by swing) and the global standardised regression
 * coefficients; with -o DIR also writes sensitivity_oneway.csv, sensitivity_global.csv
 * and a tornado chart (tornado.png, when Debian's matplotlib is there).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "core/error.h"
#include "scenario.h"
#include "sensitivity.h"

static const char usage[] =
    "usage: capsim sensitivity SCENARIO --metric MODEL/NAME [--cell N] [-r N] [--samples K]\n"
    "                          [--seed N] [-o DIR] [--set key.path=value]...\n"
    "\n"
    "  --metric MODEL/NAME  the outcome to explain (a series is taken at its last snapshot)\n"
    "  --cell N             which cell of its dimensions (default 0)\n"
    "  -r N                 replications per point (default 10), common random numbers\n"
    "  --samples K          points of the global analysis (default 64; 0: one-way only)\n"
    "  --seed N             base seed (default: the scenario's)\n"
    "  -o DIR               write the tables as CSV and a tornado chart into DIR\n";

static int parse_count(const char *opt, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max) {
        fprintf(stderr, "capsim sensitivity: %s: expected a whole number from %ld to %ld, got "
                        "\"%s\"\n", opt, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

static int write_csv(const char *dir, const capsim_loaded *l, const capsim_sensitivity *s,
                     const char *metric)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/sensitivity_oneway.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "metric,input,low,central,high,metric_at_low,metric_at_central,metric_at_high,"
               "swing\n");
    for (size_t k = 0; k < s->n; k++) {
        const capsim_oneway *o = &s->oneway[k];
        const capsim_uncertain *u = &l->uncertain.inputs[o->input];
        fprintf(f, "%s,%s,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", metric, u->path, u->low,
                u->central, u->high, o->at_low, s->central, o->at_high, o->at_high - o->at_low);
    }
    int bad = fclose(f);
    if (!s->samples)
        return bad;
    snprintf(path, sizeof path, "%s/sensitivity_global.csv", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    fprintf(f, "metric,input,src,src_squared,r2,samples,replications\n");
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%s,%s,%.10g,%.10g,%.10g,%zu,%zu\n", metric, l->uncertain.inputs[i].path,
                s->src[i], s->src[i] * s->src[i], s->r2, s->samples, s->replications);
    return fclose(f) | bad;
}

int capsim_cmd_sensitivity(int argc, char **argv)
{
    const char *file = NULL, *metric = NULL, *dir = NULL;
    const char *overrides[64];
    size_t n_overrides = 0;
    long cell = 0, reps = 10, samples = 64, seed = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return CAPSIM_EXIT_OK;
        } else if (strcmp(a, "--metric") == 0 && has_value) {
            metric = argv[++i];
        } else if (strcmp(a, "-o") == 0 && has_value) {
            dir = argv[++i];
        } else if (strcmp(a, "--set") == 0 && has_value && n_overrides < 64) {
            overrides[n_overrides++] = argv[++i];
        } else if (strcmp(a, "--cell") == 0 && has_value) {
            if (parse_count(a, argv[++i], 0, 1000000, &cell))
                return CAPSIM_EXIT_USAGE;
        } else if (strcmp(a, "-r") == 0 && has_value) {
            if (parse_count(a, argv[++i], 1, 100000, &reps))
                return CAPSIM_EXIT_USAGE;
        } else if (strcmp(a, "--samples") == 0 && has_value) {
            if (parse_count(a, argv[++i], 0, 100000, &samples))
                return CAPSIM_EXIT_USAGE;
        } else if (strcmp(a, "--seed") == 0 && has_value) {
            if (parse_count(a, argv[++i], 0, 9007199254740991L, &seed))
                return CAPSIM_EXIT_USAGE;
        } else if (a[0] == '-') {
            fprintf(stderr, "capsim sensitivity: unknown option or missing value \"%s\"\n\n%s",
                    a, usage);
            return CAPSIM_EXIT_USAGE;
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "capsim sensitivity: one scenario at a time (\"%s\")\n", a);
            return CAPSIM_EXIT_USAGE;
        }
    }
    if (!file || !metric) {
        fprintf(stderr, "capsim sensitivity: %s\n\n%s", file ? "--metric is required"
                                                            : "no scenario given", usage);
        return CAPSIM_EXIT_USAGE;
    }
    struct sim_error err;
    sim_error_clear(&err);
    capsim_loaded *l = NULL;
    if (capsim_scenario_open(file, overrides, n_overrides, &l, &err)) {
        capsim_print_error(&err);
        return CAPSIM_EXIT_USAGE;
    }
    if (dir && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "capsim sensitivity: cannot create %s: %s\n", dir, strerror(errno));
        capsim_scenario_close(l);
        return CAPSIM_EXIT_USAGE;
    }
    capsim_sensitivity s;
    uint64_t base = seed >= 0 ? (uint64_t)seed : l->sc.seed;
    int rc = capsim_sensitivity_run(l, metric, (size_t)cell, (size_t)reps, (size_t)samples,
                                    base, &s, &err);
    if (rc) {
        capsim_print_error(&err);
        capsim_scenario_close(l);
        return rc == SIM_EINPUT ? CAPSIM_EXIT_USAGE : CAPSIM_EXIT_FAILURE;
    }
    printf("%s: %s, %ld replications per point, common random numbers\n", l->sc.name, metric,
           reps);
    printf("all inputs central: %.6g\n\n", s.central);
    printf("one-way (each input at its low and high value, the others central)\n");
    printf("%-48s %12s %12s %14s %14s %12s\n", "input", "low", "high", "metric at low",
           "metric at high", "swing");
    for (size_t k = 0; k < s.n; k++) {
        const capsim_oneway *o = &s.oneway[k];
        const capsim_uncertain *u = &l->uncertain.inputs[o->input];
        printf("%-48s %12.6g %12.6g %14.6g %14.6g %12.6g\n", u->path, u->low, u->high,
               o->at_low, o->at_high, o->at_high - o->at_low);
    }
    if (s.samples) {
        printf("\nglobal (%zu Sobol points; standardised regression coefficients, R^2 = %.3f)\n",
               s.samples, s.r2);
        printf("%-48s %10s %10s\n", "input", "SRC", "SRC^2");
        for (size_t k = 0; k < s.n; k++) {
            size_t i = s.oneway[k].input;
            printf("%-48s %10.4f %10.4f\n", l->uncertain.inputs[i].path, s.src[i],
                   s.src[i] * s.src[i]);
        }
    }
    int code = CAPSIM_EXIT_OK;
    if (dir) {
        if (write_csv(dir, l, &s, metric)) {
            fprintf(stderr, "capsim sensitivity: cannot write the tables in %s\n", dir);
            code = CAPSIM_EXIT_FAILURE;
        } else {
            char cmd[9000];
            snprintf(cmd, sizeof cmd,
                     "/usr/bin/python3 '%s/scripts/plot_tornado.py' '%s/sensitivity_oneway.csv' "
                     "-o '%s/tornado.png' >/dev/null 2>&1",
                     CAPSIM_SOURCE_DIR_FOR_SCRIPTS, dir, dir);
            bool plotted = system(cmd) == 0;
            printf("\nwrote %s/sensitivity_oneway.csv%s%s\n", dir,
                   s.samples ? ", sensitivity_global.csv" : "", plotted ? ", tornado.png" : "");
        }
    }
    capsim_sensitivity_free(&s);
    capsim_scenario_close(l);
    return code;
}
