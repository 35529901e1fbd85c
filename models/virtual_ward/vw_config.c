/* models/virtual_ward/vw_config.c: reading and checking the `virtual_ward:` section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "shared/system_config.h"
#include "vw_model.h"

static const char *const ward_keys[] = {"shared", "max_stay_days", "visits_per_staff_hour",
                                        "step_down_bed_days_saved", "admissions_per_avoided",
                                        "trusts", "pathways", NULL};
static const char *const trust_keys[] = {"trust", "places", "places_per_100k", "staff",
                                         "step_up", "step_down", NULL};
static const char *const pathway_keys[] = {"name", "step_up", "step_down", "stay_days",
                                           "escalation", "visits_per_day", NULL};

static int read_rate(const sim_node *map, const char *key, bool *has, sim_rate_profile *p,
                     struct sim_error *err)
{
    if (!sim_node_has(map, key))
        return SIM_OK;
    sim_node *node = NULL;
    int rc = sim_node_map(map, key, &node, err);
    if (!rc)
        rc = sim_rate_profile_from_node(node, p, err);
    *has = true;
    return rc;
}

static int read_trust(vw_config *c, const capsim_system *sys, const sim_node *t, vw_trust *w,
                      struct sim_error *err)
{
    const char *name = NULL;
    int rc;
    if ((rc = sim_node_check_keys(t, trust_keys, err)) ||
        (rc = sim_node_string(t, "trust", &name, err)))
        return rc;
    w->trust = capsim_system_find_trust(sys, name, sim_node_get(t, "trust"), err);
    if (w->trust < 0)
        return SIM_EINPUT;
    if (c->ward_of_trust[w->trust] >= 0)
        return sim_node_error(sim_node_get(t, "trust"), err,
                              "trust \"%s\" has two virtual wards", name);
    bool by_count = sim_node_has(t, "places"), by_rate = sim_node_has(t, "places_per_100k");
    if (by_count == by_rate)
        return sim_node_error(t, err, "expected exactly one of places and places_per_100k");
    if (by_count) {
        rc = sim_node_int(t, "places", 0, 1000000, &w->places, err);
    } else {
        double per = 0, pop = sys->trusts[w->trust].population;
        if ((rc = sim_node_number(t, "places_per_100k", 0, 100000, &per, err)))
            return rc;
        if (pop <= 0)
            return sim_node_error(sim_node_get(t, "places_per_100k"), err,
                                  "trust \"%s\" has no population in the system section",
                                  name);
        w->places = lround(per * pop / 100000.0);
    }
    if (!rc && sim_node_has(t, "staff")) {
        w->has_staff = true;
        if (c->visits_per_staff_hour <= 0)
            return sim_node_error(sim_node_get(t, "staff"), err,
                                  "staff needs visits_per_staff_hour in the virtual_ward "
                                  "section");
        rc = sim_schedule_from_node(sim_node_get(t, "staff"), &w->staff, err);
    }
    if (!rc)
        rc = read_rate(t, "step_up", &w->has_step_up, &w->step_up, err);
    if (!rc)
        rc = read_rate(t, "step_down", &w->has_step_down, &w->step_down, err);
    return rc;
}

static int read_pathway(const sim_node *p, vw_pathway *w, struct sim_error *err)
{
    int rc;
    if ((rc = sim_node_check_keys(p, pathway_keys, err)) ||
        (rc = sim_node_string(p, "name", &w->name, err)) ||
        (rc = sim_node_fraction(p, "step_up", 0, 1, &w->step_up_share, err)) ||
        (rc = sim_node_fraction(p, "step_down", 0, 1, &w->step_down_share, err)) ||
        (rc = sim_node_opt_fraction(p, "escalation", 0, 1, &w->escalation, err)) ||
        (rc = sim_node_opt_number(p, "visits_per_day", 0, 1000, &w->visits_per_day, err)))
        return rc;
    const sim_node *stay = sim_node_get(p, "stay_days");
    if (!stay)
        return sim_node_map(p, "stay_days", &(sim_node *){NULL}, err);
    return sim_dist_from_node(stay, 0.0, &w->stay, err);
}

/* Cumulative shares of one route, normalised; an error when they add up to 0. */
static int cumulate(vw_config *c, bool step_up, double *cum, const sim_node *seq,
                    struct sim_error *err)
{
    double total = 0;
    for (size_t i = 0; i < c->n_pathways; i++)
        total += step_up ? c->pathways[i].step_up_share : c->pathways[i].step_down_share;
    if (total <= 0)
        return sim_node_error(seq, err, "expected a pathway with a %s share above 0",
                              step_up ? "step_up" : "step_down");
    double run = 0;
    for (size_t i = 0; i < c->n_pathways; i++) {
        run += step_up ? c->pathways[i].step_up_share : c->pathways[i].step_down_share;
        cum[i] = run / total;
    }
    cum[c->n_pathways - 1] = 1.0;
    return SIM_OK;
}

static int read_lists(vw_config *c, const capsim_system *sys, const sim_node *ward,
                      struct sim_error *err)
{
    sim_node *trusts = NULL, *pathways = NULL;
    int rc;
    if ((rc = sim_node_seq(ward, "trusts", &trusts, err)))
        return rc;
    if (trusts->n == 0)
        return sim_node_error(trusts, err, "expected at least one trust");
    c->n_trusts = trusts->n;
    if (!(c->trusts = calloc(trusts->n, sizeof *c->trusts)))
        return SIM_ENOMEM;
    for (size_t i = 0; i < trusts->n; i++) {
        if ((rc = read_trust(c, sys, trusts->items[i], &c->trusts[i], err)))
            return rc;
        c->ward_of_trust[c->trusts[i].trust] = (int)i;
    }
    if ((rc = sim_node_seq(ward, "pathways", &pathways, err)))
        return rc;
    if (pathways->n == 0)
        return sim_node_error(pathways, err, "expected at least one pathway");
    c->n_pathways = pathways->n;
    c->pathways = calloc(pathways->n, sizeof *c->pathways);
    c->pathway_names = calloc(pathways->n, sizeof *c->pathway_names);
    c->step_up_cum = calloc(pathways->n, sizeof *c->step_up_cum);
    c->step_down_cum = calloc(pathways->n, sizeof *c->step_down_cum);
    if (!c->pathways || !c->pathway_names || !c->step_up_cum || !c->step_down_cum)
        return SIM_ENOMEM;
    for (size_t i = 0; i < pathways->n; i++) {
        if ((rc = read_pathway(pathways->items[i], &c->pathways[i], err)))
            return rc;
        c->pathway_names[i] = c->pathways[i].name;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->pathway_names[j], c->pathway_names[i]) == 0)
                return sim_node_error(sim_node_get(pathways->items[i], "name"), err,
                                      "duplicate pathway name \"%s\"", c->pathway_names[i]);
    }
    if ((rc = cumulate(c, true, c->step_up_cum, pathways, err)) ||
        (rc = cumulate(c, false, c->step_down_cum, pathways, err)))
        return rc;
    return SIM_OK;
}

int vw_configure(const capsim_scenario *sc, void **out, struct sim_error *err)
{
    vw_config *c = calloc(1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    int rc = capsim_scenario_calendar(sc, &c->cal);
    if (rc) {
        free(c);
        return rc;
    }
    const capsim_system *sys = sc->system;
    c->horizon_days = sc->horizon_days;
    c->warmup_days = sc->warmup_days;
    c->max_stay_days = INFINITY;
    c->step_down_bed_days_saved = 2.89;
    c->admissions_per_avoided = 2.5;
    sim_node *ward = NULL;
    if ((rc = sim_node_map(sc->root, "virtual_ward", &ward, err)) ||
        (rc = sim_node_check_keys(ward, ward_keys, err)))
        goto fail;
    if (sys->n_trusts == 0) {
        rc = sim_node_error(ward, err, "the virtual ward needs the trusts of a system: section");
        goto fail;
    }
    c->n_system_trusts = sys->n_trusts;
    c->system_trust_names = calloc(sys->n_trusts, sizeof *c->system_trust_names);
    c->ward_of_trust = calloc(sys->n_trusts, sizeof *c->ward_of_trust);
    if (!c->system_trust_names || !c->ward_of_trust) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < sys->n_trusts; i++) {
        c->system_trust_names[i] = sys->trusts[i].name;
        c->ward_of_trust[i] = -1;
    }
    if ((rc = sim_node_opt_bool(ward, "shared", &c->shared, err)) ||
        (rc = sim_node_number_ex(ward, "max_stay_days", 0, 10000,
                                 SIM_NODE_OPTIONAL | SIM_NODE_GT_MIN, &c->max_stay_days, err)) ||
        (rc = sim_node_number_ex(ward, "visits_per_staff_hour", 0, 1000,
                                 SIM_NODE_OPTIONAL | SIM_NODE_GT_MIN, &c->visits_per_staff_hour,
                                 err)) ||
        (rc = sim_node_opt_number(ward, "step_down_bed_days_saved", 0, 1000,
                                  &c->step_down_bed_days_saved, err)) ||
        (rc = sim_node_number_ex(ward, "admissions_per_avoided", 1, 1000, SIM_NODE_OPTIONAL,
                                 &c->admissions_per_avoided, err)) ||
        (rc = read_lists(c, sys, ward, err)))
        goto fail;
    c->n_pools = c->shared ? 1 : c->n_trusts;
    if (!(c->pool_names = calloc(c->n_pools, sizeof *c->pool_names))) {
        rc = SIM_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < c->n_pools; i++)
        c->pool_names[i] = c->shared ? "shared" : sys->trusts[c->trusts[i].trust].name;
    *out = c;
    return SIM_OK;
fail:
    vw_destroy(c);
    return rc;
}

void vw_destroy(void *cfg)
{
    vw_config *c = cfg;
    if (!c)
        return;
    for (size_t i = 0; c->pathways && i < c->n_pathways; i++)
        sim_dist_fini(&c->pathways[i].stay);
    free(c->pathways);
    free(c->pathway_names);
    free(c->step_up_cum);
    free(c->step_down_cum);
    free(c->trusts);
    free(c->ward_of_trust);
    free(c->system_trust_names);
    free(c->pool_names);
    sim_calendar_fini(&c->cal);
    free(c);
}
