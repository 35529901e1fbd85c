/*
 * sim/scenario/dist_yaml.c: reading a distribution from a scenario node.
 *
 * Kept apart from sim/core/dist.c so that the samplers link without the scenario reader.
 * Every check is made here, with the value's own position in the message, before the
 * sim_dist_<kind> call, which then cannot fail on range.
 */
#include "core/dist.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "yaml.h"

static const char *const kinds[] = {"constant", "exponential", "lognormal", "gamma",
                                    "triangular", "uniform", "empirical", "poisson",
                                    "bernoulli", NULL};

/* Read params[key] (or the node itself when key is NULL) as a number above `lo`. */
static int read_above(const sim_node *params, const char *key, double lo, bool strict,
                      double *out, struct sim_error *err)
{
    int rc = sim_node_number(params, key, -HUGE_VAL, HUGE_VAL, out, err);
    if (rc != SIM_OK)
        return rc;
    if (strict ? *out > lo : *out >= lo)
        return SIM_OK;
    const sim_node *v = key ? sim_node_get(params, key) : params;
    return sim_node_error(v, err, "expected a number %s %g, got \"%s\"", strict ? ">" : ">=",
                          lo, v->text ? v->text : "");
}

/* Like read_above with bound max(lo, min_value), inclusive when min_value is the binding one. */
static int read_at_least(const sim_node *params, const char *key, double min_value, double *out,
                         struct sim_error *err)
{
    if (isfinite(min_value))
        return read_above(params, key, min_value, false, out, err);
    return sim_node_number(params, key, -HUGE_VAL, HUGE_VAL, out, err);
}

/* An error at the position of the kind's key in the distribution map. */
static int kind_error(const sim_node *dist, struct sim_error *err, const char *msg)
{
    const sim_node *v = dist->items[0];
    return sim_error_set(err, SIM_EINPUT, v->file, v->key_line, v->key_column, dist->path, "%s",
                         msg);
}

/* Kinds whose draws reach down to 0 cannot be used where values must be above 0. */
static int check_floor_zero(const sim_node *dist, const char *kind, double min_value,
                            struct sim_error *err)
{
    if (!(min_value > 0))
        return SIM_OK;
    char msg[256];
    snprintf(msg, sizeof msg, "%s draws can be as low as 0, below the least value allowed here (%g)",
             kind, min_value);
    return kind_error(dist, err, msg);
}

static int read_empirical(const sim_node *params, double min_value, sim_dist *d,
                          struct sim_error *err)
{
    static const char *const allowed[] = {"values", "weights", NULL};
    int rc = sim_node_check_keys(params, allowed, err);
    sim_node *values = NULL, *weights = NULL;
    if (rc == SIM_OK)
        rc = sim_node_seq(params, "values", &values, err);
    if (rc == SIM_OK && sim_node_has(params, "weights"))
        rc = sim_node_seq(params, "weights", &weights, err);
    if (rc != SIM_OK)
        return rc;
    size_t n = values->n;
    if (n == 0)
        return sim_node_error(values, err, "expected at least one value");
    if (weights && weights->n != n)
        return sim_node_error(weights, err, "expected %zu weights (one per value), got %zu", n,
                              weights->n);
    double *v = malloc(2 * n * sizeof *v);
    if (!v)
        return sim_error_set(err, SIM_ENOMEM, values->file, values->line, values->column,
                             values->path, "out of memory");
    double *w = v + n;
    double total = 0;
    for (size_t i = 0; i < n && rc == SIM_OK; i++) {
        rc = read_at_least(values->items[i], NULL, min_value, &v[i], err);
        w[i] = 1.0;
        if (rc == SIM_OK && weights)
            rc = sim_node_number(weights->items[i], NULL, 0, HUGE_VAL, &w[i], err);
        total += w[i];
    }
    if (rc == SIM_OK && !(total > 0 && isfinite(total)))
        rc = sim_node_error(weights, err, "expected weights with a positive, finite sum");
    if (rc == SIM_OK) {
        rc = sim_dist_empirical(d, v, w, n);
        if (rc == SIM_ENOMEM)
            rc = sim_error_set(err, SIM_ENOMEM, values->file, values->line, values->column,
                               values->path, "out of memory");
    }
    free(v);
    return rc;
}

static int read_params(const sim_node *dist, int kind, double min_value, sim_dist *d,
                       struct sim_error *err)
{
    const char *name = kinds[kind];
    sim_node *p = NULL;
    int rc = sim_node_map(dist, name, &p, err);
    if (rc != SIM_OK)
        return rc;
    double a = 0, b = 0, c = 0;
    switch ((sim_dist_kind)kind) {
    case SIM_DIST_EXPONENTIAL: {
        static const char *const allowed[] = {"mean", NULL};
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = check_floor_zero(dist, name, min_value, err)) ||
            (rc = read_above(p, "mean", 0, true, &a, err)))
            return rc;
        return sim_dist_exponential(d, a);
    }
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_GAMMA: {
        static const char *const allowed[] = {"mean", "sd", NULL};
        bool gamma = kind == SIM_DIST_GAMMA;
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = check_floor_zero(dist, name, min_value, err)) ||
            (rc = read_above(p, "mean", 0, true, &a, err)) ||
            (rc = read_above(p, "sd", 0, gamma, &b, err)))
            return rc;
        return gamma ? sim_dist_gamma(d, a, b) : sim_dist_lognormal(d, a, b);
    }
    case SIM_DIST_TRIANGULAR: {
        static const char *const allowed[] = {"min", "mode", "max", NULL};
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = read_at_least(p, "min", min_value, &a, err)) ||
            (rc = sim_node_number(p, "mode", -HUGE_VAL, HUGE_VAL, &b, err)) ||
            (rc = read_above(p, "max", a, true, &c, err)))
            return rc;
        if (b < a || b > c) {
            const sim_node *v = sim_node_get(p, "mode");
            return sim_node_error(v, err, "expected a number from %g to %g (min to max), got \"%s\"",
                                  a, c, v->text ? v->text : "");
        }
        return sim_dist_triangular(d, a, b, c);
    }
    case SIM_DIST_UNIFORM: {
        static const char *const allowed[] = {"min", "max", NULL};
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = read_at_least(p, "min", min_value, &a, err)) ||
            (rc = read_above(p, "max", a, true, &b, err)))
            return rc;
        return sim_dist_uniform(d, a, b);
    }
    case SIM_DIST_EMPIRICAL:
        return read_empirical(p, min_value, d, err);
    case SIM_DIST_POISSON: {
        static const char *const allowed[] = {"mean", NULL};
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = check_floor_zero(dist, name, min_value, err)) ||
            (rc = read_above(p, "mean", 0, false, &a, err)))
            return rc;
        return sim_dist_poisson(d, a);
    }
    case SIM_DIST_BERNOULLI: {
        static const char *const allowed[] = {"p", NULL};
        if ((rc = sim_node_check_keys(p, allowed, err)) ||
            (rc = check_floor_zero(dist, name, min_value, err)) ||
            (rc = sim_node_fraction(p, "p", 0, 1, &a, err)))
            return rc;
        return sim_dist_bernoulli(d, a);
    }
    case SIM_DIST_CONSTANT:
        break;
    }
    return SIM_EINVAL;
}

int sim_dist_from_node(const struct sim_node *node, double min_value, sim_dist *d,
                       struct sim_error *err)
{
    sim_dist_constant(d, 0);
    double v = 0;
    if (node->kind == SIM_NODE_SCALAR) {
        int rc = read_at_least(node, NULL, min_value, &v, err);
        return rc == SIM_OK ? sim_dist_constant(d, v) : rc;
    }
    if (node->kind != SIM_NODE_MAP || node->n != 1)
        return sim_node_error(node, err,
                              "expected a distribution: a number or a one-key map such as "
                              "{lognormal: {mean: 110, sd: 35}}");
    sim_node_mark_used((sim_node *)node, false);
    const char *key = node->keys[0];
    int kind = -1;
    for (int i = 0; kinds[i]; i++)
        if (strcmp(key, kinds[i]) == 0)
            kind = i;
    if (kind < 0) {
        char msg[512];
        const char *near = sim_closest_word(key, kinds);
        if (near)
            snprintf(msg, sizeof msg, "unknown distribution \"%s\" (did you mean \"%s\"?)", key,
                     near);
        else if (strcmp(key, "normal") == 0 && isfinite(min_value))
            snprintf(msg, sizeof msg,
                     "unknown distribution \"normal\": its draws can fall below %g; use "
                     "lognormal or gamma", min_value);
        else
            snprintf(msg, sizeof msg,
                     "unknown distribution \"%s\" (expected constant, exponential, lognormal, "
                     "gamma, triangular, uniform, empirical, poisson or bernoulli)", key);
        return kind_error(node, err, msg);
    }
    int rc;
    if (kind == SIM_DIST_CONSTANT) {
        rc = read_at_least(node, "constant", min_value, &v, err);
        if (rc == SIM_OK)
            rc = sim_dist_constant(d, v);
    } else {
        rc = read_params(node, kind, min_value, d, err);
    }
    if (rc == SIM_EINVAL)
        rc = kind_error(node, err, "invalid parameters");
    if (rc != SIM_OK)
        sim_dist_fini(d);
    return rc;
}
