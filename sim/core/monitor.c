/*
 * sim/core/monitor.c: the metric registry and per-replication records.
 *
 * A record is one flat array of doubles. Each metric owns a contiguous slice of it, laid out
 * in declaration order; the slice's length depends on the number of times and the sizes of
 * its dimensions, so the layout is recomputed whenever those change. That lets a model set
 * its dimensions before or after declaring its metrics, as long as all of it happens before
 * records exist. A model's metrics are one contiguous block (a model declares all of its
 * metrics before the next model begins), so a model's view of a record is the whole record
 * with its first metric as metric 0.
 */
#include "monitor.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

typedef struct model_ns {
    char *name;
    size_t first_metric;  /* global id of its first metric */
    size_t n_metrics;
    long default_dim;     /* dimension id, or -1 */
} model_ns;

struct sim_monitor {
    double *times;
    char **time_labels;
    size_t n_times;
    model_ns *models;
    size_t n_models, cap_models;
    long current;         /* current model, -1 before any */
    sim_dimension *dims;
    size_t n_dims, cap_dims;
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

/* Names the results layout uses next to a model's groups and dimension scales. */
static bool reserved(const char *s, bool model_level)
{
    static const char *const names[] = {"time",          "time_label", "replication", "stat",
                                        "scenario_yaml", "series",     "reps",        "summary"};
    size_t n = sizeof names / sizeof names[0];
    if (!model_level)
        n = 5; /* a model may not be called like a scenario-level dataset */
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

static int grow(void **p, size_t *cap, size_t elem, size_t need)
{
    if (need <= *cap)
        return SIM_OK;
    size_t c = *cap ? 2 * *cap : 8;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return SIM_ENOMEM;
    *p = q;
    *cap = c;
    return SIM_OK;
}

static void relayout(sim_monitor *m)
{
    size_t off = 0;
    for (size_t i = 0; i < m->n_metrics; i++) {
        sim_metric *mt = &m->metrics[i];
        if (mt->default_dim) {
            long d = m->models[mt->model].default_dim;
            mt->n_dims = d >= 0 ? 1 : 0;
            mt->dims[0] = d >= 0 ? (size_t)d : 0;
        }
        size_t cells = 1;
        for (size_t k = 0; k < mt->n_dims; k++)
            cells *= m->dims[mt->dims[k]].n;
        mt->cells = cells;
        mt->per_group = mt->n_dims > 0;
        size_t len = cells;
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
    sim_monitor *m = calloc(1, sizeof(sim_monitor));
    if (m)
        m->current = -1;
    return m;
}

void sim_monitor_free(sim_monitor *m)
{
    if (!m)
        return;
    free(m->times);
    free_strings(m->time_labels, m->n_times);
    for (size_t i = 0; i < m->n_models; i++)
        free(m->models[i].name);
    free(m->models);
    for (size_t i = 0; i < m->n_dims; i++) {
        free(m->dims[i].name);
        free_strings(m->dims[i].labels, m->dims[i].n);
    }
    free(m->dims);
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

int sim_monitor_find_model(const sim_monitor *m, const char *name)
{
    for (size_t i = 0; i < m->n_models; i++)
        if (strcmp(m->models[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sim_monitor_begin_model(sim_monitor *m, const char *name)
{
    if (!m || !valid_name(name) || reserved(name, false))
        return SIM_EINVAL;
    int found = sim_monitor_find_model(m, name);
    if (found >= 0) {
        /* Only the last model may be re-entered: a model's metrics stay one block. */
        if ((size_t)found != m->n_models - 1)
            return SIM_EINVAL;
        m->current = found;
        return found;
    }
    if (m->n_models > 1000 || grow((void **)&m->models, &m->cap_models, sizeof *m->models,
                                   m->n_models + 1))
        return m->n_models > 1000 ? SIM_EINVAL : SIM_ENOMEM;
    char *copy = strdup(name);
    if (!copy)
        return SIM_ENOMEM;
    m->models[m->n_models] = (model_ns){copy, m->n_metrics, 0, -1};
    m->current = (long)m->n_models++;
    return (int)m->current;
}

/* The current model, opening "default" if none was begun. */
static long current_model(sim_monitor *m)
{
    if (m->current < 0) {
        int rc = sim_monitor_begin_model(m, "default");
        if (rc < 0)
            return rc;
    }
    return m->current;
}

size_t sim_monitor_model_count(const sim_monitor *m)
{
    return m->n_models;
}

const char *sim_monitor_model_name(const sim_monitor *m, size_t model)
{
    return model < m->n_models ? m->models[model].name : NULL;
}

size_t sim_monitor_model_first(const sim_monitor *m, size_t model)
{
    return model < m->n_models ? m->models[model].first_metric : m->n_metrics;
}

size_t sim_monitor_model_metrics(const sim_monitor *m, size_t model)
{
    return model < m->n_models ? m->models[model].n_metrics : 0;
}

int sim_monitor_add_dimension(sim_monitor *m, const char *name, const char *const *labels,
                              size_t n)
{
    if (!m || !valid_name(name) || reserved(name, true) || n == 0 || !labels)
        return SIM_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!labels[i])
            return SIM_EINVAL;
    long model = current_model(m);
    if (model < 0)
        return (int)model;
    for (size_t i = 0; i < m->n_dims; i++)
        if (m->dims[i].model == (size_t)model && strcmp(m->dims[i].name, name) == 0)
            return SIM_EINVAL;
    if (grow((void **)&m->dims, &m->cap_dims, sizeof *m->dims, m->n_dims + 1))
        return SIM_ENOMEM;
    char *d = strdup(name);
    char **l = copy_labels(labels, n);
    if (!d || !l) {
        free(d);
        free_strings(l, n);
        return SIM_ENOMEM;
    }
    m->dims[m->n_dims] = (sim_dimension){d, (size_t)model, l, n};
    relayout(m);
    return (int)m->n_dims++;
}

int sim_monitor_set_groups(sim_monitor *m, const char *dimension, const char *const *labels,
                           size_t n)
{
    long model = m ? current_model(m) : -1;
    if (model < 0)
        return m ? (int)model : SIM_EINVAL;
    /* The model's dimension of that name gets the new labels. */
    for (size_t i = 0; i < m->n_dims && labels && n; i++) {
        sim_dimension *d = &m->dims[i];
        if (d->model != (size_t)model || strcmp(d->name, dimension) != 0)
            continue;
        for (size_t k = 0; k < n; k++)
            if (!labels[k])
                return SIM_EINVAL;
        char **l = copy_labels(labels, n);
        if (!l)
            return SIM_ENOMEM;
        free_strings(d->labels, d->n);
        d->labels = l;
        d->n = n;
        m->models[model].default_dim = (long)i;
        relayout(m);
        return SIM_OK;
    }
    int id = sim_monitor_add_dimension(m, dimension, labels, n);
    if (id < 0)
        return id;
    m->models[m->current].default_dim = id;
    relayout(m);
    return SIM_OK;
}

size_t sim_monitor_dimension_count(const sim_monitor *m)
{
    return m->n_dims;
}

const sim_dimension *sim_monitor_dimension(const sim_monitor *m, size_t id)
{
    return id < m->n_dims ? &m->dims[id] : NULL;
}

static int declare(sim_monitor *m, const char *name, const char *units, const char *description,
                   sim_metric_kind kind, bool default_dim, const size_t *dims, size_t n_dims)
{
    if (!m || !valid_name(name) || !units || !description ||
        (kind != SIM_METRIC_SERIES && kind != SIM_METRIC_REP) || n_dims > SIM_MAX_DIMS)
        return SIM_EINVAL;
    long model = current_model(m);
    if (model < 0)
        return (int)model;
    model_ns *ns = &m->models[model];
    if ((size_t)model != m->n_models - 1 || sim_monitor_find_in(m, (size_t)model, name) >= 0)
        return SIM_EINVAL;
    for (size_t k = 0; k < n_dims; k++)
        if (dims[k] >= m->n_dims || m->dims[dims[k]].model != (size_t)model)
            return SIM_EINVAL;
    if (m->n_metrics > (size_t)0x7fffffff - 1)
        return SIM_EINVAL;
    if (grow((void **)&m->metrics, &m->cap_metrics, sizeof *m->metrics, m->n_metrics + 1))
        return SIM_ENOMEM;
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
    mt.model = (size_t)model;
    mt.default_dim = default_dim;
    mt.per_group = default_dim || n_dims > 0;
    mt.n_dims = n_dims;
    for (size_t k = 0; k < n_dims; k++)
        mt.dims[k] = dims[k];
    m->metrics[m->n_metrics++] = mt;
    ns->n_metrics++;
    relayout(m);
    return (int)(ns->n_metrics - 1);
}

int sim_monitor_declare(sim_monitor *m, const char *name, const char *units,
                        const char *description, sim_metric_kind kind, bool per_group)
{
    return declare(m, name, units, description, kind, per_group, NULL, 0);
}

int sim_monitor_declare_dims(sim_monitor *m, const char *name, const char *units,
                             const char *description, sim_metric_kind kind,
                             const size_t *dims, size_t n_dims)
{
    if (n_dims && !dims)
        return SIM_EINVAL;
    return declare(m, name, units, description, kind, false, dims, n_dims);
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

int sim_monitor_find_in(const sim_monitor *m, size_t model, const char *name)
{
    if (model >= m->n_models)
        return -1;
    const model_ns *ns = &m->models[model];
    for (size_t i = ns->first_metric; i < ns->first_metric + ns->n_metrics; i++)
        if (strcmp(m->metrics[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sim_monitor_find_path(const sim_monitor *m, const char *path)
{
    const char *slash = strchr(path, '/');
    if (!slash)
        return sim_monitor_find(m, path);
    for (size_t i = 0; i < m->n_models; i++) {
        size_t n = strlen(m->models[i].name);
        if ((size_t)(slash - path) == n && strncmp(path, m->models[i].name, n) == 0)
            return sim_monitor_find_in(m, i, slash + 1);
    }
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

static const sim_dimension *first_default(const sim_monitor *m)
{
    if (m->n_models == 0 || m->models[0].default_dim < 0)
        return NULL;
    return &m->dims[m->models[0].default_dim];
}

size_t sim_monitor_group_count(const sim_monitor *m)
{
    const sim_dimension *d = first_default(m);
    return d ? d->n : 1;
}

const char *sim_monitor_group_dimension(const sim_monitor *m)
{
    const sim_dimension *d = first_default(m);
    return d ? d->name : NULL;
}

const char *sim_monitor_group_label(const sim_monitor *m, size_t i)
{
    const sim_dimension *d = first_default(m);
    return d && i < d->n ? d->labels[i] : NULL;
}

void sim_monitor_cell_label(const sim_monitor *m, const sim_metric *mt, size_t cell, char *buf,
                            size_t size)
{
    if (!size)
        return;
    buf[0] = '\0';
    size_t idx[SIM_MAX_DIMS] = {0};
    for (size_t k = mt->n_dims; k-- > 0;) {
        size_t n = m->dims[mt->dims[k]].n;
        idx[k] = cell % n;
        cell /= n;
    }
    size_t used = 0;
    for (size_t k = 0; k < mt->n_dims && used < size; k++) {
        int w = snprintf(buf + used, size - used, "%s%s", k ? "/" : "",
                         m->dims[mt->dims[k]].labels[idx[k]]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
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
    if (sim_monitor_set_times(c, m->times, (const char *const *)m->time_labels, m->n_times))
        goto fail;
    for (size_t k = 0; k < m->n_models; k++) {
        const model_ns *ns = &m->models[k];
        if (sim_monitor_begin_model(c, ns->name) < 0)
            goto fail;
        for (size_t d = 0; d < m->n_dims; d++) {
            const sim_dimension *dim = &m->dims[d];
            if (dim->model != k)
                continue;
            int id = (long)d == ns->default_dim
                         ? sim_monitor_set_groups(c, dim->name,
                                                  (const char *const *)dim->labels, dim->n)
                         : sim_monitor_add_dimension(c, dim->name,
                                                     (const char *const *)dim->labels, dim->n);
            if (id < 0)
                goto fail;
        }
        for (size_t i = ns->first_metric; i < ns->first_metric + ns->n_metrics; i++) {
            const sim_metric *mt = &m->metrics[i];
            /* Dimension ids are the same in the copy: dimensions are added in id order. */
            int rc = mt->default_dim
                         ? sim_monitor_declare(c, mt->name, mt->units, mt->description,
                                               mt->kind, true)
                         : sim_monitor_declare_dims(c, mt->name, mt->units, mt->description,
                                                    mt->kind, mt->dims, mt->n_dims);
            if (rc < 0)
                goto fail;
        }
    }
    return c;
fail:
    sim_monitor_free(c);
    return NULL;
}

bool sim_monitor_equal(const sim_monitor *a, const sim_monitor *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->n_times != b->n_times || a->n_models != b->n_models ||
        a->n_dims != b->n_dims || a->n_metrics != b->n_metrics)
        return false;
    for (size_t i = 0; i < a->n_times; i++)
        if (a->times[i] != b->times[i] || strcmp(a->time_labels[i], b->time_labels[i]) != 0)
            return false;
    for (size_t i = 0; i < a->n_models; i++)
        if (strcmp(a->models[i].name, b->models[i].name) != 0 ||
            a->models[i].default_dim != b->models[i].default_dim ||
            a->models[i].n_metrics != b->models[i].n_metrics)
            return false;
    for (size_t i = 0; i < a->n_dims; i++) {
        const sim_dimension *x = &a->dims[i], *y = &b->dims[i];
        if (strcmp(x->name, y->name) != 0 || x->model != y->model || x->n != y->n)
            return false;
        for (size_t j = 0; j < x->n; j++)
            if (strcmp(x->labels[j], y->labels[j]) != 0)
                return false;
    }
    for (size_t i = 0; i < a->n_metrics; i++) {
        const sim_metric *x = &a->metrics[i], *y = &b->metrics[i];
        if (strcmp(x->name, y->name) != 0 || strcmp(x->units, y->units) != 0 ||
            strcmp(x->description, y->description) != 0 || x->kind != y->kind ||
            x->n_dims != y->n_dims || x->default_dim != y->default_dim)
            return false;
        for (size_t k = 0; k < x->n_dims; k++)
            if (x->dims[k] != y->dims[k])
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
    r->base = 0;
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

sim_record sim_record_view(const sim_record *whole, size_t model)
{
    return (sim_record){whole->monitor, whole->values,
                        sim_monitor_model_first(whole->monitor, model)};
}

static size_t record_index(const sim_record *r, int metric, size_t time, size_t cell)
{
    const sim_monitor *m = r->monitor;
    size_t id = r->base + (size_t)metric;
    assert(metric >= 0 && id < m->n_metrics);
    const sim_metric *mt = &m->metrics[id];
    assert(mt->kind != SIM_METRIC_SERIES || time < m->n_times);
    assert(!mt->n_dims || cell < mt->cells);
    return sim_record_index(mt, time, cell);
}

void sim_record_set(sim_record *r, int metric, size_t time, size_t cell, double value)
{
    r->values[record_index(r, metric, time, cell)] = value;
}

void sim_record_add(sim_record *r, int metric, size_t time, size_t cell, double delta)
{
    r->values[record_index(r, metric, time, cell)] += delta;
}

double sim_record_get(const sim_record *r, int metric, size_t time, size_t cell)
{
    return r->values[record_index(r, metric, time, cell)];
}
