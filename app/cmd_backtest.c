/*
 * app/cmd_backtest.c: `capsim backtest`: run a scenario with the elective model and compare
 * its national month-end figures with an observed monthly series (docs/elective.md,
 * "Backtest", for the CSV format).
 *
 * The model's figure for a month is the sum over the elective lists, the mean over the
 * replications, at the snapshot that ends that month (the start date is the end of the month
 * before it: a scenario starting 2021-09-01 reproduces 2021-08 at +0). Errors are relative
 * to the observed value: the signed error (model - observed) / observed at +6 and +12 months,
 * and the mean absolute percentage error (MAPE) over months +1 .. +6 and +1 .. +12.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/calendar.h"
#include "core/error.h"
#include "core/monitor.h"
#include "scenario.h"

static const char backtest_usage[] =
    "usage: capsim backtest SCENARIO --observed FILE.csv [-r N] [--seed N] [--scale F]\n"
    "                       [-o OUT.csv]\n"
    "\n"
    "Runs the scenario's replications and compares the elective model's national month-end\n"
    "figures with the observed series: MAPE over +1..+6 and +1..+12 months and the signed\n"
    "error at +6 and +12, printed and written to OUT.csv (default\n"
    "results/<name>-backtest.csv).\n"
    "\n"
    "  --observed FILE  CSV with a header: month (YYYY-MM) and any of total_waiting,\n"
    "                   within_18_weeks, over_52_weeks, over_65_weeks, over_78_weeks,\n"
    "                   over_104_weeks, admitted_clock_stops, nonadmitted_clock_stops\n"
    "                   (other columns are ignored; an empty cell is a missing value)\n"
    "  --scale F        multiply the observed counts by F (a scenario of a 1-in-100 England\n"
    "                   uses 0.01)\n"
    "  -r N             replications (default: the scenario's)\n"
    "  --seed N         base seed (default: the scenario's)\n";

enum { M_TOTAL, M_WITHIN18, M_OVER52, M_OVER65, M_OVER78, M_OVER104, M_ADM, M_NONADM, N_MEASURES };
static const char *const measure_names[N_MEASURES] = {
    "total_waiting", "within_18_weeks", "over_52_weeks",        "over_65_weeks",
    "over_78_weeks", "over_104_weeks",  "admitted_clock_stops", "nonadmitted_clock_stops"};

#define MAX_MONTHS 600

typedef struct observed {
    size_t n;
    int ym[MAX_MONTHS];             /* year * 12 + month - 1 */
    double v[MAX_MONTHS][N_MEASURES]; /* NAN where missing */
    bool has[N_MEASURES];
} observed;

static int usage(const char *fmt, const char *a)
{
    fputs("capsim: backtest: ", stderr);
    fprintf(stderr, fmt, a);
    fputs("\n", stderr);
    return CAPSIM_EXIT_USAGE;
}

/* Split line into comma-separated fields in place (no quoting: the format has none). */
static size_t split(char *line, char **field, size_t max)
{
    size_t n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

static int read_observed(const char *path, observed *o)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "capsim: %s: %s\n", path, strerror(errno));
        return CAPSIM_EXIT_USAGE;
    }
    char line[4096], *field[64];
    int col[64];
    size_t nf = 0, line_no = 1;
    int month_col = -1, rc = CAPSIM_EXIT_OK;
    memset(o, 0, sizeof *o);
    if (!fgets(line, sizeof line, f)) {
        fprintf(stderr, "capsim: %s:1:1: expected a header line\n", path);
        fclose(f);
        return CAPSIM_EXIT_USAGE;
    }
    nf = split(line, field, 64);
    for (size_t i = 0; i < nf; i++) {
        col[i] = -1;
        if (strcmp(field[i], "month") == 0)
            month_col = (int)i;
        for (int m = 0; m < N_MEASURES; m++)
            if (strcmp(field[i], measure_names[m]) == 0) {
                col[i] = m;
                o->has[m] = true;
            }
    }
    if (month_col < 0) {
        fprintf(stderr, "capsim: %s:1:1: expected a \"month\" column\n", path);
        fclose(f);
        return CAPSIM_EXIT_USAGE;
    }
    while (fgets(line, sizeof line, f)) {
        line_no++;
        if (line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
            continue;
        size_t n = split(line, field, 64);
        if (n != nf || o->n == MAX_MONTHS) {
            fprintf(stderr, "capsim: %s:%zu:1: expected %zu fields, got %zu\n", path, line_no,
                    nf, n);
            rc = CAPSIM_EXIT_USAGE;
            break;
        }
        int y, mo;
        char tail;
        if (sscanf(field[month_col], "%4d-%2d%c", &y, &mo, &tail) != 2 || mo < 1 || mo > 12) {
            fprintf(stderr, "capsim: %s:%zu:%d: month: expected YYYY-MM, got \"%s\"\n", path,
                    line_no, (int)(field[month_col] - line) + 1, field[month_col]);
            rc = CAPSIM_EXIT_USAGE;
            break;
        }
        o->ym[o->n] = y * 12 + mo - 1;
        for (int m = 0; m < N_MEASURES; m++)
            o->v[o->n][m] = NAN;
        for (size_t i = 0; i < nf && rc == CAPSIM_EXIT_OK; i++) {
            if (col[i] < 0 || field[i][0] == '\0')
                continue;
            char *end;
            errno = 0;
            double x = strtod(field[i], &end);
            if (*end || errno || !isfinite(x) || x < 0) {
                fprintf(stderr, "capsim: %s:%zu:%d: %s: expected a number >= 0, got \"%s\"\n",
                        path, line_no, (int)(field[i] - line) + 1, measure_names[col[i]],
                        field[i]);
                rc = CAPSIM_EXIT_USAGE;
            }
            o->v[o->n][col[i]] = x;
        }
        if (rc)
            break;
        o->n++;
    }
    fclose(f);
    return rc;
}

/* Sum over the groups of an elective series metric at snapshot k (NAN if not declared). */
static double series_sum(const sim_monitor *mon, const sim_record *rec, int id, size_t k,
                         const int *share_of)
{
    if (id < 0)
        return NAN;
    double s = 0;
    for (size_t g = 0; g < sim_monitor_group_count(mon); g++) {
        double x = sim_record_get(rec, id, k, g);
        if (share_of)
            x *= sim_record_get(rec, *share_of, k, g);
        s += x;
    }
    return s;
}

int capsim_cmd_backtest(int argc, char **argv)
{
    const char *scenario = NULL, *obs_path = NULL, *out_path = NULL;
    unsigned long long reps = 0, seed = 0;
    bool have_reps = false, have_seed = false;
    double scale = 1.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(backtest_usage, stdout);
            return CAPSIM_EXIT_OK;
        }
        bool takes = strcmp(a, "--observed") == 0 || strcmp(a, "-o") == 0 ||
                     strcmp(a, "-r") == 0 || strcmp(a, "--seed") == 0 ||
                     strcmp(a, "--scale") == 0;
        if (takes && i + 1 >= argc)
            return usage("%s needs a value", a);
        char *end;
        if (strcmp(a, "--observed") == 0) {
            obs_path = argv[++i];
        } else if (strcmp(a, "-o") == 0) {
            out_path = argv[++i];
        } else if (strcmp(a, "-r") == 0) {
            reps = strtoull(argv[++i], &end, 10);
            if (*end || reps < 1 || reps > 100000)
                return usage("-r: expected a whole number from 1 to 100000, got \"%s\"", argv[i]);
            have_reps = true;
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoull(argv[++i], &end, 10);
            if (*end || argv[i][0] == '-' || argv[i][0] == '\0')
                return usage("--seed: expected a whole number, got \"%s\"", argv[i]);
            have_seed = true;
        } else if (strcmp(a, "--scale") == 0) {
            scale = strtod(argv[++i], &end);
            if (*end || !(scale > 0) || !isfinite(scale))
                return usage("--scale: expected a number > 0, got \"%s\"", argv[i]);
        } else if (a[0] == '-') {
            return usage("unknown option \"%s\" (capsim backtest --help)", a);
        } else if (!scenario) {
            scenario = a;
        } else {
            return usage("expected one scenario, got a second: \"%s\"", a);
        }
    }
    if (!scenario)
        return usage("%s", "expected a scenario (capsim backtest --help)");
    if (!obs_path)
        return usage("%s", "expected --observed FILE.csv");
    static observed obs;
    int rc = read_observed(obs_path, &obs);
    if (rc)
        return rc;
    capsim_loaded *l;
    struct sim_error err;
    sim_error_clear(&err);
    if (capsim_scenario_open(scenario, NULL, 0, &l, &err)) {
        capsim_print_error(&err);
        return CAPSIM_EXIT_USAGE;
    }
    const sim_monitor *mon = l->monitor;
    int model = sim_monitor_find_model(mon, "elective");
    if (model < 0) {
        fprintf(stderr, "capsim: %s: backtest needs the elective model\n", scenario);
        capsim_scenario_close(l);
        return CAPSIM_EXIT_USAGE;
    }
    int id[N_MEASURES];
    static const char *const metric[N_MEASURES] = {
        "waiting_list_size", "waiting_list_size", "over_52_weeks", "over_65_weeks",
        "over_78_weeks",     "over_104_weeks",    "clock_stops_admitted",
        "clock_stops_non_admitted"};
    for (int m = 0; m < N_MEASURES; m++)
        id[m] = sim_monitor_find_in(mon, (size_t)model, metric[m]);
    int share18 = sim_monitor_find_in(mon, (size_t)model, "within_18_weeks_share");
    if (!have_reps)
        reps = (unsigned long long)l->sc.replications;
    if (!have_seed)
        seed = l->sc.seed;
    size_t nt = sim_monitor_time_count(mon);
    const double *times = sim_monitor_times(mon);
    double(*model_v)[N_MEASURES] = calloc(nt ? nt : 1, sizeof *model_v);
    sim_record *rec = sim_record_alloc(mon);
    if (!model_v || !rec) {
        fprintf(stderr, "capsim: out of memory\n");
        free(model_v);
        sim_record_free(rec);
        capsim_scenario_close(l);
        return CAPSIM_EXIT_FAILURE;
    }
    for (unsigned long long r = 0; r < reps; r++) {
        sim_record_clear(rec);
        if (capsim_scenario_run(l, seed, r, rec, &err)) {
            capsim_print_error(&err);
            rc = CAPSIM_EXIT_FAILURE;
            break;
        }
        for (size_t k = 0; k < nt; k++)
            for (int m = 0; m < N_MEASURES; m++)
                model_v[k][m] +=
                    series_sum(mon, rec, id[m], k, m == M_WITHIN18 ? &share18 : NULL) /
                    (double)reps;
    }
    sim_record_free(rec);
    if (rc) {
        free(model_v);
        capsim_scenario_close(l);
        return rc;
    }
    /* Snapshot k ends the month of the day before it. */
    int64_t start = sim_date_to_days(l->sc.start_date);
    int ym0 = 0;
    char name[256];
    snprintf(name, sizeof name, "%s", l->sc.name);
    char default_out[300];
    if (!out_path) {
        snprintf(default_out, sizeof default_out, "results/%s-backtest.csv", name);
        out_path = default_out;
    }
    FILE *out = fopen(out_path, "w");
    if (!out) {
        fprintf(stderr, "capsim: %s: %s\n", out_path, strerror(errno));
        free(model_v);
        capsim_scenario_close(l);
        return CAPSIM_EXIT_FAILURE;
    }
    fprintf(out, "measure,horizon_months,mape_pct,signed_error_pct,model,observed\n");
    printf("backtest of %s against %s (%llu replications, observed x %g)\n", name, obs_path,
           reps, scale);
    printf("%-24s %8s %10s %10s %10s %10s %12s %12s\n", "measure", "+0 err%", "MAPE6%",
           "err+6%", "MAPE12%", "err+12%", "model+12", "observed+12");
    for (int m = 0; m < N_MEASURES; m++) {
        if (!obs.has[m] || id[m] < 0)
            continue;
        double abs_sum[2] = {0, 0}, signed_at[2] = {NAN, NAN}, err0 = NAN;
        double mod_at[2] = {NAN, NAN}, obs_at[2] = {NAN, NAN};
        int n_abs[2] = {0, 0};
        for (size_t k = 0; k < nt; k++) {
            sim_date d = sim_date_from_days(start + (int64_t)llround(times[k]) - 1);
            int ym = d.year * 12 + d.month - 1;
            if (k == 0)
                ym0 = ym;
            int h = ym - ym0;
            for (size_t j = 0; j < obs.n; j++) {
                if (obs.ym[j] != ym || isnan(obs.v[j][m]) || obs.v[j][m] <= 0)
                    continue;
                double o = obs.v[j][m] * scale, e = (model_v[k][m] - o) / o * 100.0;
                if (h == 0 && m != M_ADM && m != M_NONADM) /* flows start at +1 */
                    err0 = e;
                for (int w = 0; w < 2; w++) {
                    int hw = w ? 12 : 6;
                    if (h >= 1 && h <= hw) {
                        abs_sum[w] += fabs(e);
                        n_abs[w]++;
                    }
                    if (h == hw) {
                        signed_at[w] = e;
                        mod_at[w] = model_v[k][m];
                        obs_at[w] = o;
                    }
                }
            }
        }
        double mape[2];
        for (int w = 0; w < 2; w++) {
            mape[w] = n_abs[w] ? abs_sum[w] / n_abs[w] : NAN;
            fprintf(out, "%s,%d,%.4f,%.4f,%.6g,%.6g\n", measure_names[m], w ? 12 : 6, mape[w],
                    signed_at[w], mod_at[w], obs_at[w]);
        }
        printf("%-24s %8.2f %10.2f %10.2f %10.2f %10.2f %12.6g %12.6g\n", measure_names[m],
               err0, mape[0], signed_at[0], mape[1], signed_at[1], mod_at[1], obs_at[1]);
    }
    fclose(out);
    printf("written to %s\n", out_path);
    free(model_v);
    capsim_scenario_close(l);
    return CAPSIM_EXIT_OK;
}
