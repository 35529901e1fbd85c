/*
 * sim/results/results.c: a batch's results in memory (the HDF5 file is in results_write.c and
 * results_read.c).
 */
#include "results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

sim_results *sim_results_alloc(void)
{
    sim_results *r = calloc(1, sizeof *r);
    if (r)
        r->baseline = -1;
    return r;
}

static void scenario_fini(sim_scenario_result *s)
{
    if (s->reps)
        for (size_t i = 0; i < s->replications; i++)
            sim_record_free(s->reps[i]);
    free(s->reps);
    free(s->name);
    free(s->yaml);
    free(s->label);
    free(s->description);
    for (size_t i = 0; i < s->n_assumptions; i++)
        free(s->assumptions[i]);
    free(s->assumptions);
    /* Records point at the monitor, so it goes last. */
    sim_monitor_free(s->monitor);
}

void sim_results_free(sim_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_scenarios; i++)
        scenario_fini(&r->scenarios[i]);
    free(r->scenarios);
    free(r->capsim_version);
    free(r->git_commit);
    free(r->command_line);
    free(r->created_utc);
    free(r);
}

/* A scenario name becomes an HDF5 group name and part of a file name: keep it plain. */
static bool valid_scenario_name(const char *s)
{
    if (!s || !*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    return true;
}

long sim_results_add_scenario(sim_results *r, const char *name, const char *yaml,
                              const char *start_date, double horizon_days, double warmup_days,
                              sim_monitor *monitor, size_t replications)
{
    if (!r || !valid_scenario_name(name) || !yaml || !valid_date(start_date) || !monitor)
        return SIM_EINVAL;
    for (size_t i = 0; i < r->n_scenarios; i++)
        if (strcmp(r->scenarios[i].name, name) == 0)
            return SIM_EINVAL;
    sim_scenario_result *grown =
        realloc(r->scenarios, (r->n_scenarios + 1) * sizeof *grown);
    if (!grown)
        return SIM_ENOMEM;
    r->scenarios = grown;
    sim_scenario_result *s = &r->scenarios[r->n_scenarios];
    memset(s, 0, sizeof *s);
    size_t nlen = strlen(name) + 1, ylen = strlen(yaml);
    s->name = malloc(nlen);
    s->yaml = malloc(ylen + 1);
    s->reps = calloc(replications ? replications : 1, sizeof *s->reps);
    if (!s->name || !s->yaml || !s->reps) {
        free(s->name);
        free(s->yaml);
        free(s->reps);
        return SIM_ENOMEM;
    }
    memcpy(s->name, name, nlen);
    memcpy(s->yaml, yaml, ylen + 1);
    sim_sha256_hex(yaml, ylen, s->sha256);
    memcpy(s->start_date, start_date, 11);
    s->horizon_days = horizon_days;
    s->warmup_days = warmup_days;
    s->monitor = monitor;
    s->replications = replications;
    return (long)r->n_scenarios++;
}

int sim_results_set_text(sim_results *r, size_t idx, const char *label,
                         const char *description, const char *const *assumptions, size_t n)
{
    if (!r || idx >= r->n_scenarios || (n && !assumptions))
        return SIM_EINVAL;
    sim_scenario_result *s = &r->scenarios[idx];
    char *l = label ? strdup(label) : NULL, *d = description ? strdup(description) : NULL;
    char **a = n ? calloc(n, sizeof *a) : NULL;
    bool ok = (!label || l) && (!description || d) && (!n || a);
    for (size_t i = 0; ok && i < n; i++)
        ok = (a[i] = strdup(assumptions[i] ? assumptions[i] : "")) != NULL;
    if (!ok) {
        free(l);
        free(d);
        for (size_t i = 0; a && i < n; i++)
            free(a[i]);
        free(a);
        return SIM_ENOMEM;
    }
    free(s->label);
    free(s->description);
    for (size_t i = 0; i < s->n_assumptions; i++)
        free(s->assumptions[i]);
    free(s->assumptions);
    s->label = l;
    s->description = d;
    s->assumptions = a;
    s->n_assumptions = n;
    return SIM_OK;
}
