/*
 * sim/core/monitor.c: the metric registry and per-replication records.
 *
 * A record is one flat array of doubles. Each metric owns a contiguous slice of it, laid out
 * in declaration order; the slice's length depends on the number of times and groups, so the
 * layout is recomputed whenever the dimensions change. That lets a model set the dimensions
 * before or after declaring its metrics, as long as all of it happens before records exist.
 */
#include "monitor.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

struct sim_monitor {
    double *times;
    char **time_labels;
    size_t n_times;
    char *dimension;   /* NULL when no groups were set */
    char **group_labels;
    size_t n_groups;   /* 0 when no groups were set */
    sim_metric *metrics;
    size_t n_metrics, cap_metrics;
    size_t record_length;
};

static void free_strings(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/*
 * Names become HDF5 dataset names and Python identifiers in users' scripts, so they are
 * restricted to lower_snake_case and must start with a letter.
 */
static bool valid_name(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Datasets that sit next to the group dimension's scale in a scenario's HDF5 group. */
static bool reserved_dimension(const char *s)
{
    static const char *const reserved[] = {"time", "time_label", "replication", "stat",
                                           "scenario_yaml", "series", "reps", "summary"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(s, reserved[i]) == 0)
            return true;
    return false;
}

static void relayout(sim_monitor *m)
{
    size_t groups = m->n_groups ? m->n_groups : 1;
    size_t off = 0;
    for (size_t i = 0; i < m->n_metrics; i++) {
        sim_metric *mt = &m->metrics[i];
        size_t len = mt->per_group ? groups : 1;
        if (mt->kind == SIM_METRIC_SERIES)
            len *= m->n_times;
        mt->offset = off;
        mt->length = len;
        off += len;
    }
    m->record_length = off;
}

sim_monitor *sim_monitor_alloc(void)
{
    return calloc(1, sizeof(sim_monitor));
}

void sim_monitor_free(sim_monitor *m)
{
    if (!m)
        return;
    free(m->times);
    free_strings(m->time_labels, m->n_times);
    free(m->dimension);
    free_strings(m->group_labels, m->n_groups);
    for (size_t i = 0; i < m->n_metrics; i++) {
        free(m->metrics[i].name);
        free(m->metrics[i].units);
        free(m->metrics[i].description);
    }
    free(m->metrics);
    free(m);
}

static char **copy_labels(const char *const *labels, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = strdup(labels[i]);
        if (!out[i]) {
            free_strings(out, i);
            return NULL;
        }
    }
    return out;
}

int sim_monitor_set_times(sim_monitor *m, const double *times, const char *const *labels,
                          size_t n)
{
    if (!m || (n && (!times || !labels)))
        return SIM_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(times[i]) || (i > 0 && !(times[i] > times[i - 1])) || !labels[i])
            return SIM_EINVAL;
    }
    double *t = malloc((n ? n : 1) * sizeof *t);
    char **l = copy_labels(labels, n);
    if (!t || !l) {
        free(t);
        free_strings(l, n);
        return SIM_ENOMEM;
    }
    if (n)
        memcpy(t, times, n * sizeof *t);
    free(m->times);
    free_strings(m->time_labels, m->n_times);
    m->times = t;
    m->time_labels = l;
    m->n_times = n;
    relayout(m);
    return SIM_OK;
}

int sim_monitor_set_groups(sim_monitor *m, const char *dimension, const char *const *labels,
                           size_t n)
{
    if (!m || !valid_name(dimension) || reserved_dimension(dimension) || n == 0 || !labels)
        return SIM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!labels[i])
            return SIM_EINVAL;
    char *d = strdup(dimension);
    char **l = copy_labels(labels, n);
    if (!d || !l) {
        free(d);
        free_strings(l, n);
        return SIM_ENOMEM;
    }
    free(m->dimension);
    free_strings(m->group_labels, m->n_groups);
    m->dimension = d;
    m->group_labels = l;
    m->n_groups = n;
    relayout(m);
    return SIM_OK;
}

int sim_monitor_declare(sim_monitor *m, const char *name, const char *units,
                        const char *description, sim_metric_kind kind, bool per_group)
{
    if (!m || !valid_name(name) || !units || !description ||
        (kind != SIM_METRIC_SERIES && kind != SIM_METRIC_REP))
        return SIM_EINVAL;
    if (sim_monitor_find(m, name) >= 0)
        return SIM_EINVAL;
    if (m->n_metrics > (size_t)0x7fffffff - 1)
        return SIM_EINVAL;
    if (m->n_metrics == m->cap_metrics) {
        size_t cap = m->cap_metrics ? 2 * m->cap_metrics : 16;
        sim_metric *grown = realloc(m->metrics, cap * sizeof *grown);
        if (!grown)
            return SIM_ENOMEM;
        m->metrics = grown;
        m->cap_metrics = cap;
    }
    sim_metric mt = {0};
    mt.name = strdup(name);
    mt.units = strdup(units);
    mt.description = strdup(description);
    if (!mt.name || !mt.units || !mt.description) {
        free(mt.name);
        free(mt.units);
        free(mt.description);
        return SIM_ENOMEM;
    }
    mt.kind = kind;
    mt.per_group = per_group;
    m->metrics[m->n_metrics++] = mt;
    relayout(m);
    return (int)(m->n_metrics - 1);
}

size_t sim_monitor_metric_count(const sim_monitor *m)
{
    return m->n_metrics;
}

const sim_metric *sim_monitor_metric(const sim_monitor *m, size_t id)
{
    return id < m->n_metrics ? &m->metrics[id] : NULL;
}

int sim_monitor_find(const sim_monitor *m, const char *name)
{
    for (size_t i = 0; i < m->n_metrics; i++)
        if (strcmp(m->metrics[i].name, name) == 0)
            return (int)i;
    return -1;
}

size_t sim_monitor_time_count(const sim_monitor *m)
{
    return m->n_times;
}

const double *sim_monitor_times(const sim_monitor *m)
{
    return m->times;
}

const char *sim_monitor_time_label(const sim_monitor *m, size_t i)
{
    return i < m->n_times ? m->time_labels[i] : NULL;
}

size_t sim_monitor_group_count(const sim_monitor *m)
{
    return m->n_groups ? m->n_groups : 1;
}

const char *sim_monitor_group_dimension(const sim_monitor *m)
{
    return m->dimension;
}

const char *sim_monitor_group_label(const sim_monitor *m, size_t i)
{
    return i < m->n_groups ? m->group_labels[i] : NULL;
}

size_t sim_monitor_record_length(const sim_monitor *m)
{
    return m->record_length;
}

sim_monitor *sim_monitor_copy(const sim_monitor *m)
{
    sim_monitor *c = sim_monitor_alloc();
    if (!c)
        return NULL;
    if (sim_monitor_set_times(c, m->times, (const char *const *)m->time_labels, m->n_times) ||
        (m->dimension && sim_monitor_set_groups(c, m->dimension,
                                                (const char *const *)m->group_labels,
                                                m->n_groups))) {
        sim_monitor_free(c);
        return NULL;
    }
    for (size_t i = 0; i < m->n_metrics; i++) {
        const sim_metric *mt = &m->metrics[i];
        if (sim_monitor_declare(c, mt->name, mt->units, mt->description, mt->kind,
                                mt->per_group) < 0) {
            sim_monitor_free(c);
            return NULL;
        }
    }
    return c;
}

bool sim_monitor_equal(const sim_monitor *a, const sim_monitor *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->n_times != b->n_times || a->n_groups != b->n_groups ||
        a->n_metrics != b->n_metrics)
        return false;
    for (size_t i = 0; i < a->n_times; i++)
        if (a->times[i] != b->times[i] || strcmp(a->time_labels[i], b->time_labels[i]) != 0)
            return false;
    if ((a->dimension == NULL) != (b->dimension == NULL) ||
        (a->dimension && strcmp(a->dimension, b->dimension) != 0))
        return false;
    for (size_t i = 0; i < a->n_groups; i++)
        if (strcmp(a->group_labels[i], b->group_labels[i]) != 0)
            return false;
    for (size_t i = 0; i < a->n_metrics; i++) {
        const sim_metric *x = &a->metrics[i], *y = &b->metrics[i];
        if (strcmp(x->name, y->name) != 0 || strcmp(x->units, y->units) != 0 ||
            strcmp(x->description, y->description) != 0 || x->kind != y->kind ||
            x->per_group != y->per_group)
            return false;
    }
    return true;
}

sim_record *sim_record_alloc(const sim_monitor *m)
{
    sim_record *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->monitor = m;
    r->values = calloc(m->record_length ? m->record_length : 1, sizeof(double));
    if (!r->values) {
        free(r);
        return NULL;
    }
    return r;
}

void sim_record_free(sim_record *r)
{
    if (!r)
        return;
    free(r->values);
    free(r);
}

void sim_record_clear(sim_record *r)
{
    memset(r->values, 0, r->monitor->record_length * sizeof(double));
}

static size_t record_index(const sim_record *r, int metric, size_t time, size_t group)
{
    const sim_monitor *m = r->monitor;
    assert(metric >= 0 && (size_t)metric < m->n_metrics);
    const sim_metric *mt = &m->metrics[metric];
    assert(mt->kind != SIM_METRIC_SERIES || time < m->n_times);
    assert(!mt->per_group || group < sim_monitor_group_count(m));
    return sim_record_index(mt, sim_monitor_group_count(m), time, group);
}

void sim_record_set(sim_record *r, int metric, size_t time, size_t group, double value)
{
    r->values[record_index(r, metric, time, group)] = value;
}

void sim_record_add(sim_record *r, int metric, size_t time, size_t group, double delta)
{
    r->values[record_index(r, metric, time, group)] += delta;
}

double sim_record_get(const sim_record *r, int metric, size_t time, size_t group)
{
    return r->values[record_index(r, metric, time, group)];
}
