/* app/uncertain.c: finding, reading and drawing uncertain inputs. */
#include "uncertain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "core/error.h"
#include "core/rng.h"

/* Keys read by the program itself: their values shape the run and cannot vary. */
static bool common_key(const char *path)
{
    static const char *const keys[] = {"name", "description", "start_date", "horizon_days",
                                       "warmup_days", "seed", "replications", "bank_holidays",
                                       "flows", "uncertainty", NULL};
    size_t n = strcspn(path, ".[");
    for (const char *const *k = keys; *k; k++)
        if (strlen(*k) == n && strncmp(*k, path, n) == 0)
            return true;
    return false;
}

/* Percentages inside the distribution are fractions: "1.1%" becomes "0.011". */
static void percent_to_fraction(sim_node *n)
{
    if (n->kind == SIM_NODE_SCALAR) {
        size_t len = n->text ? strlen(n->text) : 0;
        if (len > 1 && n->text[len - 1] == '%' && !n->quoted) {
            char *end;
            n->text[len - 1] = '\0';
            double v = strtod(n->text, &end);
            if (*end == '\0' && end != n->text) {
                char buf[64];
                snprintf(buf, sizeof buf, "%.17g", v / 100.0);
                char *t = realloc(n->text, strlen(buf) + 1);
                if (t) {
                    strcpy(t, buf);
                    n->text = t;
                    return;
                }
            }
            n->text[len - 1] = '%';
        }
        return;
    }
    for (size_t i = 0; i < n->n; i++)
        percent_to_fraction(n->items[i]);
}

static char *metric_name(const char *path)
{
    size_t n = strlen(path);
    char *m = malloc(n + 2), *o = m;
    if (!m)
        return NULL;
    if (!(path[0] >= 'a' && path[0] <= 'z') && !(path[0] >= 'A' && path[0] <= 'Z'))
        *o++ = 'x';
    for (const char *p = path; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '_';
        if (c == '_' && o > m && o[-1] == '_')
            continue;
        *o++ = c;
    }
    while (o > m && o[-1] == '_')
        o--;
    *o = '\0';
    return m;
}

double capsim_uncertain_quantile(const capsim_uncertain *u, double p)
{
    const sim_dist *d = &u->dist;
    switch (d->kind) {
    case SIM_DIST_TRIANGULAR: { /* a = min, b = mode, c = max */
        double a = d->a, m = d->b, c = d->c, f = (m - a) / (c - a);
        return p < f ? a + sqrt(p * (c - a) * (m - a)) : c - sqrt((1 - p) * (c - a) * (c - m));
    }
    case SIM_DIST_UNIFORM:
        return d->a + p * (d->b - d->a);
    case SIM_DIST_EXPONENTIAL:
        return gsl_cdf_exponential_Pinv(p, d->mean);
    case SIM_DIST_LOGNORMAL:
        return gsl_cdf_lognormal_Pinv(p, d->a, d->b);
    case SIM_DIST_GAMMA:
        return gsl_cdf_gamma_Pinv(p, d->a, d->b);
    case SIM_DIST_EMPIRICAL: {
        /* The values in increasing order, each with its weight. */
        double *v = malloc(d->n * sizeof *v), *w = malloc(d->n * sizeof *w);
        double x = d->values[0];
        if (v && w && d->n > 0) {
            for (size_t i = 0; i < d->n; i++) {
                v[i] = d->values[i];
                w[i] = gsl_ran_discrete_pdf(i, d->table);
            }
            for (size_t i = 1; i < d->n; i++) /* insertion sort: tables are short */
                for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
                    double t = v[j];
                    v[j] = v[j - 1];
                    v[j - 1] = t;
                    t = w[j];
                    w[j] = w[j - 1];
                    w[j - 1] = t;
                }
            double acc = 0;
            x = v[d->n - 1];
            for (size_t i = 0; i < d->n; i++) {
                acc += w[i];
                if (p <= acc) {
                    x = v[i];
                    break;
                }
            }
        }
        free(v);
        free(w);
        return x;
    }
    default:
        return d->mean;
    }
}

/* Low, central and high values of the distribution (see uncertain.h). */
static int ends(const sim_node *at, sim_dist *d, capsim_uncertain *u, struct sim_error *err)
{
    switch (d->kind) {
    case SIM_DIST_CONSTANT:
        u->low = u->central = u->high = d->mean;
        return SIM_OK;
    case SIM_DIST_TRIANGULAR: /* a = min, b = mode, c = max */
        u->low = d->a;
        u->central = d->b;
        u->high = d->c;
        return SIM_OK;
    case SIM_DIST_UNIFORM:
        u->low = d->a;
        u->high = d->b;
        u->central = d->mean;
        return SIM_OK;
    case SIM_DIST_EXPONENTIAL:
        u->low = gsl_cdf_exponential_Pinv(0.05, d->mean);
        u->high = gsl_cdf_exponential_Pinv(0.95, d->mean);
        break;
    case SIM_DIST_LOGNORMAL:
        u->low = gsl_cdf_lognormal_Pinv(0.05, d->a, d->b);
        u->high = gsl_cdf_lognormal_Pinv(0.95, d->a, d->b);
        break;
    case SIM_DIST_GAMMA:
        u->low = gsl_cdf_gamma_Pinv(0.05, d->a, d->b);
        u->high = gsl_cdf_gamma_Pinv(0.95, d->a, d->b);
        break;
    case SIM_DIST_EMPIRICAL:
        /* The table's own values, so a whole-number input stays whole: the median. */
        u->low = u->high = d->values[0];
        for (size_t i = 1; i < d->n; i++) {
            u->low = fmin(u->low, d->values[i]);
            u->high = fmax(u->high, d->values[i]);
        }
        u->central = capsim_uncertain_quantile(u, 0.5);
        return SIM_OK;
    default:
        return sim_node_error(at, err, "an uncertain input takes a continuous distribution "
                                       "(triangular, uniform, lognormal, gamma, exponential, "
                                       "empirical), not a count");
    }
    u->central = d->mean;
    return SIM_OK;
}

static int add(capsim_uncertain_set *set, sim_node *root, sim_node *node,
               struct sim_error *err)
{
    sim_node *spec = node->items[0];
    if (common_key(node->path))
        return sim_node_error(node, err, "%s cannot be uncertain: only model and system inputs "
                                         "can", node->path);
    capsim_uncertain u = {.file = node->file, .line = node->line, .column = node->column};
    percent_to_fraction(spec);
    int rc = sim_dist_from_node(spec, -INFINITY, &u.dist, err);
    if (!rc)
        rc = ends(spec, &u.dist, &u, err);
    if (rc) {
        sim_dist_fini(&u.dist);
        return rc;
    }
    sim_node_mark_used(node, true);
    u.path = strdup(node->path);
    u.metric = metric_name(node->path);
    capsim_uncertain *grown = realloc(set->inputs, (set->n + 1) * sizeof *grown);
    if (!u.path || !u.metric || !grown) {
        free(u.path);
        free(u.metric);
        sim_dist_fini(&u.dist);
        if (grown)
            set->inputs = grown;
        return SIM_ENOMEM;
    }
    set->inputs = grown;
    set->inputs[set->n++] = u;
    /* The models read the central value at the same place. */
    char *ov = capsim_uncertain_override(&u, u.central);
    if (!ov)
        return SIM_ENOMEM;
    const char *eq = strchr(ov, '=');
    *(char *)eq = '\0';
    rc = sim_node_set_path(root, ov, eq + 1, u.file, err);
    free(ov);
    sim_node *now = rc ? NULL : sim_node_at(root, u.path);
    if (now) {
        now->line = now->key_line = u.line;
        now->column = now->key_column = u.column;
    }
    return rc;
}

static int scan(sim_node *root, sim_node *n, capsim_uncertain_set *set, struct sim_error *err)
{
    if (n->kind == SIM_NODE_MAP && n->n == 1 && strcmp(n->keys[0], "uncertain") == 0)
        return add(set, root, n, err);
    for (size_t i = 0; i < n->n; i++) {
        int rc = scan(root, n->items[i], set, err);
        if (rc)
            return rc;
    }
    return SIM_OK;
}

int capsim_uncertain_scan(sim_node *root, capsim_uncertain_set *set, struct sim_error *err)
{
    memset(set, 0, sizeof *set);
    return scan(root, root, set, err);
}

void capsim_uncertain_free(capsim_uncertain_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->inputs[i].path);
        free(set->inputs[i].metric);
        sim_dist_fini(&set->inputs[i].dist);
    }
    free(set->inputs);
    memset(set, 0, sizeof *set);
}

double capsim_uncertain_draw(const capsim_uncertain *u, uint64_t seed, uint64_t sample)
{
    char name[600];
    snprintf(name, sizeof name, "inputs/%s", u->path);
    gsl_rng *r = sim_rng_alloc(seed, sample, name);
    if (!r)
        return NAN;
    double v = sim_dist_sample(&u->dist, r);
    gsl_rng_free(r);
    return v;
}

char *capsim_uncertain_override(const capsim_uncertain *u, double value)
{
    size_t n = strlen(u->path) + 40;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s=%.17g", u->path, value);
    return s;
}
