/* models/beds/beds_pressure.c: reading and evaluating the bed-pressure cancellation curve. */
#include "beds_pressure.h"

#include <math.h>
#include <stdlib.h>

#include "core/error.h"

static const char *const pressure_keys[] = {"threshold_free_beds", "cancel_probability", NULL};

static int read_point(const sim_node *pair, beds_pressure *p, struct sim_error *err)
{
    sim_node *seq = NULL;
    if (pair->kind != SIM_NODE_SEQ || pair->n != 2 || sim_node_seq(pair, NULL, &seq, err))
        return sim_node_error(pair, err, "expected a pair [occupancy, probability]");
    size_t i = p->n_points;
    int rc = sim_node_fraction(pair->items[0], NULL, 0, 2, &p->occupancy[i], err);
    if (!rc)
        rc = sim_node_fraction(pair->items[1], NULL, 0, 1, &p->probability[i], err);
    if (rc)
        return rc;
    if (i > 0 && p->occupancy[i] <= p->occupancy[i - 1])
        return sim_node_error(pair->items[0], err,
                              "occupancies must rise from point to point: %g after %g",
                              p->occupancy[i], p->occupancy[i - 1]);
    if (i > 0 && p->probability[i] < p->probability[i - 1])
        return sim_node_error(pair->items[1], err,
                              "cancellation probabilities must not fall as occupancy rises: "
                              "%g after %g", p->probability[i], p->probability[i - 1]);
    p->n_points++;
    return SIM_OK;
}

int beds_pressure_read(const sim_node *node, size_t n_sites, beds_pressure *p,
                       struct sim_error *err)
{
    *p = (beds_pressure){.n_sites = n_sites};
    p->exempt = calloc(n_sites ? n_sites : 1, sizeof *p->exempt);
    if (!p->exempt)
        return SIM_ENOMEM;
    if (!node)
        return SIM_OK;
    sim_node *curve = NULL;
    int rc;
    if ((rc = sim_node_map(node, NULL, &(sim_node *){NULL}, err)) ||
        (rc = sim_node_check_keys(node, pressure_keys, err)) ||
        (rc = sim_node_int(node, "threshold_free_beds", 0, 1000000, &p->threshold_free_beds,
                           err)) ||
        (rc = sim_node_seq(node, "cancel_probability", &curve, err)))
        return rc;
    if (curve->n == 0 || curve->n > BEDS_CURVE_MAX)
        return sim_node_error(curve, err, "expected 1 to %d points [occupancy, probability]",
                              BEDS_CURVE_MAX);
    for (size_t i = 0; i < curve->n; i++)
        if ((rc = read_point(curve->items[i], p, err)))
            return rc;
    p->enabled = true;
    return SIM_OK;
}

void beds_pressure_exempt(beds_pressure *p, int site)
{
    if (site >= 0 && (size_t)site < p->n_sites)
        p->exempt[site] = true;
}

void beds_pressure_fini(beds_pressure *p)
{
    free(p->exempt);
    p->exempt = NULL;
}

static bool exempt(const beds_pressure *p, int site)
{
    return site < 0 || (size_t)site >= p->n_sites || p->exempt[site];
}

bool beds_pressure_applies(const beds_pressure *cfg, int site, double free_beds)
{
    return cfg->enabled && !exempt(cfg, site) && !isnan(free_beds) &&
           free_beds < (double)cfg->threshold_free_beds;
}

double beds_cancel_probability(const beds_pressure *cfg, int site, double occupancy)
{
    if (!cfg->enabled || exempt(cfg, site) || isnan(occupancy))
        return 0.0;
    size_t n = cfg->n_points;
    if (occupancy <= cfg->occupancy[0])
        return cfg->probability[0];
    if (occupancy >= cfg->occupancy[n - 1])
        return cfg->probability[n - 1];
    size_t i = 1;
    while (cfg->occupancy[i] < occupancy)
        i++;
    double x0 = cfg->occupancy[i - 1], x1 = cfg->occupancy[i];
    double y0 = cfg->probability[i - 1], y1 = cfg->probability[i];
    return y0 + (y1 - y0) * (occupancy - x0) / (x1 - x0);
}
