/* app/estimate.c: estimate a run's events and memory and refuse what exceeds the limits. */
#include "estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/monitor.h"

/* A number of bytes from a file holding one number, or "max" (no limit: -1); -2 if none. */
static double read_limit(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -2;
    char buf[64] = {0};
    double v = -2;
    if (fgets(buf, sizeof buf, f)) {
        char *end;
        double x = strtod(buf, &end);
        if (strncmp(buf, "max", 3) == 0)
            v = -1;
        else if (end != buf && x > 0)
            v = x;
    }
    fclose(f);
    return v;
}

static double mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    double kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1)
            break;
    fclose(f);
    return kb > 0 ? kb * 1024 : -1;
}

double capsim_default_max_memory(void)
{
    double avail = mem_available();
    double limit = avail > 0 ? 0.8 * avail : 0;
    /* cgroup v2, then v1 (whose "no limit" is a huge number) */
    double cg = read_limit("/sys/fs/cgroup/memory.max");
    if (cg == -2)
        cg = read_limit("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    if (cg > 0 && cg < 1e18 && (limit == 0 || cg < limit))
        limit = cg;
    return limit;
}

int capsim_parse_bytes(const char *text, double *bytes)
{
    char *end;
    double x = strtod(text, &end);
    if (end == text || !(x > 0) || !isfinite(x))
        return -1;
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"", 1},     {"B", 1},     {"k", 1e3},      {"kB", 1e3},   {"K", 1e3},
                 {"KiB", 1024},   {"M", 1e6},    {"MB", 1e6},   {"MiB", 1048576},
                 {"G", 1e9},      {"GB", 1e9},   {"GiB", 1073741824.0},
                 {"T", 1e12},     {"TB", 1e12},  {"TiB", 1099511627776.0}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].unit) == 0) {
            *bytes = x * units[i].scale;
            return *bytes >= 1 && isfinite(*bytes) ? 0 : -1;
        }
    }
    return -1;
}

void capsim_format_bytes(double bytes, char *buf, size_t size)
{
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    if (!isfinite(bytes) || bytes >= 1e18) {
        snprintf(buf, size, "more than 1000 PB");
        return;
    }
    int u = 0;
    while (u < 5 && bytes >= 1000) {
        bytes /= 1000;
        u++;
    }
    /* without an exponent: "8.6 GB", "510 MB", "234 GB" */
    if (u == 0 || bytes >= 10)
        snprintf(buf, size, "%.0f %s", bytes, units[u]);
    else
        snprintf(buf, size, "%.1f %s", bytes, units[u]);
}

/* A count as "1e10", "3.6e11" or "42000". */
static void format_count(double x, char *buf, size_t size)
{
    if (!(x < 1e6)) {
        if (!isfinite(x) || x >= 1e300) {
            snprintf(buf, size, "more than 1e300");
            return;
        }
    } else {
        snprintf(buf, size, "%.0f", x < 0 ? 0 : x);
        return;
    }
    int exp10 = (int)floor(log10(x));
    double mant = x / pow(10, exp10);
    if (mant >= 9.95) {
        mant /= 10;
        exp10++;
    }
    if (fabs(mant - 1) < 0.05)
        snprintf(buf, size, "1e%d", exp10);
    else
        snprintf(buf, size, "%.1fe%d", mant, exp10);
}

void capsim_estimate_run(capsim_loaded *const *loaded, size_t n, size_t reps, unsigned threads,
                         capsim_estimate *e)
{
    memset(e, 0, sizeof *e);
    e->at_once = threads < reps ? threads : reps;
    if (e->at_once == 0)
        e->at_once = 1;
    for (size_t i = 0; i < n; i++) {
        const capsim_loaded *l = loaded[i];
        double record = 8.0 * (double)sim_monitor_record_length(l->monitor);
        double events = 0, bytes = record, top = -1;
        const char *top_model = NULL;
        for (size_t k = 0; k < l->n_models; k++) {
            double ev = 0, by = 0;
            if (!l->models[k]->estimate ||
                l->models[k]->estimate(l->cfgs[k], &ev, &by) != SIM_OK)
                continue; /* unknown: counted as nothing */
            events += ev;
            bytes += by;
            if (ev > top) {
                top = ev;
                top_model = l->models[k]->name;
            }
        }
        e->record_bytes += record * (double)reps;
        if (bytes > e->rep_bytes || events > e->events || !e->scenario) {
            if (bytes >= e->rep_bytes || !e->scenario) {
                e->scenario = l->sc.path;
                e->model = top_model;
                e->model_events = top;
            }
        }
        if (bytes > e->rep_bytes)
            e->rep_bytes = bytes;
        if (events > e->events)
            e->events = events;
    }
    e->total_bytes = (double)e->at_once * e->rep_bytes + e->record_bytes;
}

int capsim_estimate_check(const char *cmd, capsim_loaded *const *loaded, size_t n, size_t reps,
                          unsigned threads, double max_bytes, bool print)
{
    capsim_estimate e;
    capsim_estimate_run(loaded, n, reps, threads, &e);
    char total[32], limit[32], records[32], events[32];
    if (!(e.events <= CAPSIM_MAX_EVENTS)) {
        /* the scenario with the most events, named with its largest model */
        for (size_t i = 0; i < n; i++) {
            const capsim_loaded *l = loaded[i];
            double sum = 0, top = -1;
            const char *name = NULL;
            for (size_t k = 0; k < l->n_models; k++) {
                double ev = 0, by = 0;
                if (l->models[k]->estimate &&
                    l->models[k]->estimate(l->cfgs[k], &ev, &by) == SIM_OK) {
                    sum += ev;
                    if (ev > top) {
                        top = ev;
                        name = l->models[k]->name;
                    }
                }
            }
            if (sum == e.events || isnan(sum)) {
                if (print) {
                    format_count(sum, events, sizeof events);
                    format_count(CAPSIM_MAX_EVENTS, limit, sizeof limit);
                    fprintf(stderr,
                            "%s: %s: about %s events a replication (mostly %s) exceeds the "
                            "limit of %s (hours of work a replication); shorten the horizon "
                            "or lower the rates\n",
                            cmd, l->sc.path, events, name, limit);
                }
                return 2;
            }
        }
        return 2;
    }
    if (max_bytes > 0 && e.total_bytes > max_bytes) {
        if (print) {
            capsim_format_bytes(e.total_bytes, total, sizeof total);
            capsim_format_bytes(max_bytes, limit, sizeof limit);
            capsim_format_bytes(e.record_bytes, records, sizeof records);
            format_count(e.model_events > 0 ? e.model_events : 0, events, sizeof events);
            fprintf(stderr,
                    "%s: %s: about %s for %zu replication%s at once (%s: %s events a "
                    "replication) and the records of %zu (%s) exceeds --max-memory %s; "
                    "lower -j or the horizon\n",
                    cmd, e.scenario, total, e.at_once, e.at_once == 1 ? "" : "s",
                    e.model ? e.model : "the models", events, reps * n, records, limit);
        }
        return 2;
    }
    return 0;
}
