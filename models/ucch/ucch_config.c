/* models/ucch/ucch_config.c: reading and checking the `ucch:` section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "shared/system_config.h"
#include "ucch_model.h"
#include "ucch_staffing.h"

static const char *const hub_keys[] = {"incidents", "categories", "review_minutes", "suitable",
                                       "roles", "services", "conveyed", "admitted",
                                       "job_cycle_hours", "staffing", NULL};
static const char *const category_keys[] = {"name", "share", "reviewable", "response_minutes",
                                            NULL};
static const char *const role_keys[] = {"role", "clinicians", NULL};
static const char *const service_keys[] = {"name", "share", "per_day", "hours",
                                           "needs_vehicle", "offer", NULL};
static const char *const staffing_keys[] = {"baseline_hours_per_week", "uplift", NULL};

static int required_dist(const sim_node *map, const char *key, sim_dist *d,
                         struct sim_error *err)
{
    const sim_node *node = sim_node_get(map, key);
    if (!node)
        return sim_node_map(map, key, &(sim_node *){NULL}, err);
    return sim_dist_from_node(node, 0.0, d, err);
}

/* Cumulative normalised weights; an error at `seq` when they add up to 0. */
static int cumulate(const double *w, size_t n, double *cum, const sim_node *seq,
                    const char *what, struct sim_error *err)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    if (!(total > 0))
        return sim_node_error(seq, err, "expected %s shares that add up to more than 0", what);
    double run = 0;
    for (size_t i = 0; i < n; i++) {
        run += w[i];
        cum[i] = run / total;
    }
    cum[n - 1] = 1.0;
    return SIM_OK;
}

static int unique(const char **names, size_t i, const sim_node *item, const char *what,
                  struct sim_error *err)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(names[j], names[i]) == 0)
            return sim_node_error(sim_node_get(item, "name") ? sim_node_get(item, "name")
                                                              : item,
                                  err, "duplicate %s name \"%s\"", what, names[i]);
    return SIM_OK;
}

static int read_categories(ucch_config *c, const sim_node *hub, struct sim_error *err)
{
    sim_node *seq = NULL;
    int rc = sim_node_seq(hub, "categories", &seq, err);
    if (rc)
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one category");
    c->n_categories = seq->n;
    c->categories = calloc(seq->n, sizeof *c->categories);
    c->category_names = calloc(seq->n, sizeof *c->category_names);
    c->category_cum = calloc(seq->n, sizeof *c->category_cum);
    double *w = calloc(seq->n, sizeof *w);
    if (!c->categories || !c->category_names || !c->category_cum || !w) {
        free(w);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < seq->n && !rc; i++) {
        const sim_node *it = seq->items[i];
        ucch_category *k = &c->categories[i];
        if ((rc = sim_node_check_keys(it, category_keys, err)) ||
            (rc = sim_node_string(it, "name", &k->name, err)) ||
            (rc = sim_node_number(it, "share", 0, 1e12, &k->share, err)) ||
            (rc = sim_node_opt_fraction(it, "reviewable", 0, 1, &k->reviewable, err)))
            break;
        c->category_names[i] = k->name;
        w[i] = k->share;
        if ((rc = unique(c->category_names, i, it, "category", err)))
            break;
        if (k->reviewable > 0)
            rc = required_dist(it, "response_minutes", &k->response_minutes, err);
        else if (sim_node_has(it, "response_minutes"))
            rc = sim_dist_from_node(sim_node_get(it, "response_minutes"), 0.0,
                                    &k->response_minutes, err);
    }
    if (!rc)
        rc = cumulate(w, seq->n, c->category_cum, seq, "category", err);
    free(w);
    return rc;
}

static int read_roles(ucch_config *c, const sim_node *hub, struct sim_error *err)
{
    sim_node *seq = NULL;
    int rc = sim_node_seq(hub, "roles", &seq, err);
    if (rc)
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one role");
    c->n_roles = seq->n;
    if (!(c->roles = calloc(seq->n, sizeof *c->roles)))
        return SIM_ENOMEM;
    int open[168] = {0};
    for (size_t i = 0; i < seq->n; i++) {
        const sim_node *it = seq->items[i];
        ucch_role *r = &c->roles[i];
        const sim_node *clin;
        if ((rc = sim_node_check_keys(it, role_keys, err)) ||
            (rc = sim_node_string(it, "role", &r->name, err)))
            return rc;
        if (!(clin = sim_node_get(it, "clinicians")))
            return sim_node_map(it, "clinicians", &(sim_node *){NULL}, err);
        if ((rc = sim_schedule_from_node(clin, &r->clinicians, err)))
            return rc;
        for (int h = 0; h < 168; h++)
            open[h] += r->clinicians.capacity[h];
    }
    c->hours_per_week = ucch_hours_per_week(open);
    return SIM_OK;
}

static int read_services(ucch_config *c, const sim_node *hub, struct sim_error *err)
{
    sim_node *seq = NULL;
    int rc = sim_node_seq(hub, "services", &seq, err);
    if (rc)
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one service");
    c->n_services = seq->n;
    c->services = calloc(seq->n, sizeof *c->services);
    c->service_names = calloc(seq->n, sizeof *c->service_names);
    c->service_cum = calloc(seq->n, sizeof *c->service_cum);
    double *w = calloc(seq->n, sizeof *w);
    if (!c->services || !c->service_names || !c->service_cum || !w) {
        free(w);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < seq->n && !rc; i++) {
        const sim_node *it = seq->items[i];
        ucch_service *s = &c->services[i];
        s->per_day = -1;
        if ((rc = sim_node_check_keys(it, service_keys, err)) ||
            (rc = sim_node_string(it, "name", &s->name, err)) ||
            (rc = sim_node_fraction(it, "share", 0, 1, &s->share, err)) ||
            (rc = sim_node_opt_int(it, "per_day", 0, 1000000, &s->per_day, err)) ||
            (rc = sim_node_opt_fraction(it, "needs_vehicle", 0, 1, &s->needs_vehicle, err)) ||
            (rc = sim_node_opt_bool(it, "offer", &s->offer, err)))
            break;
        c->service_names[i] = s->name;
        w[i] = s->share;
        if ((rc = unique(c->service_names, i, it, "service", err)))
            break;
        if (s->offer && (sim_node_has(it, "per_day") || sim_node_has(it, "hours"))) {
            rc = sim_node_error(it, err, "a service offered through divert_vw has the ward's "
                                         "capacity: no per_day or hours");
            break;
        }
        if (sim_node_has(it, "hours")) {
            s->has_hours = true;
            rc = sim_schedule_from_node(sim_node_get(it, "hours"), &s->hours, err);
        }
    }
    if (!rc)
        rc = cumulate(w, seq->n, c->service_cum, seq, "service", err);
    free(w);
    return rc;
}

static int read_trusts(ucch_config *c, const capsim_system *sys)
{
    double total = 0;
    for (size_t i = 0; i < sys->n_trusts; i++)
        total += sys->trusts[i].population;
    if (!(total > 0))
        return SIM_OK;
    c->n_trusts = sys->n_trusts;
    c->trust_names = calloc(sys->n_trusts, sizeof *c->trust_names);
    c->trust_cum = calloc(sys->n_trusts, sizeof *c->trust_cum);
    if (!c->trust_names || !c->trust_cum)
        return SIM_ENOMEM;
    double run = 0;
    for (size_t i = 0; i < sys->n_trusts; i++) {
        c->trust_names[i] = sys->trusts[i].name;
        run += sys->trusts[i].population;
        c->trust_cum[i] = run / total;
    }
    c->trust_cum[sys->n_trusts - 1] = 1.0;
    return SIM_OK;
}

static int read_staffing(ucch_config *c, const sim_node *hub, struct sim_error *err)
{
    c->baseline_hours = UCCH_WTE_HOURS;
    c->uplift = 0;
    if (!sim_node_has(hub, "staffing"))
        return SIM_OK;
    sim_node *st = NULL;
    int rc;
    if ((rc = sim_node_map(hub, "staffing", &st, err)) ||
        (rc = sim_node_check_keys(st, staffing_keys, err)) ||
        (rc = sim_node_number_ex(st, "baseline_hours_per_week", 0, 168,
                                 SIM_NODE_OPTIONAL | SIM_NODE_GT_MIN, &c->baseline_hours, err)) ||
        (rc = sim_node_opt_fraction(st, "uplift", 0, 10, &c->uplift, err)))
        return rc;
    return SIM_OK;
}

int ucch_configure(const capsim_scenario *sc, void **out, struct sim_error *err)
{
    ucch_config *c = calloc(1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    int rc = capsim_scenario_calendar(sc, &c->cal);
    if (rc) {
        free(c);
        return rc;
    }
    c->horizon_days = sc->horizon_days;
    c->warmup_days = sc->warmup_days;
    c->job_cycle_hours = 0;
    sim_node *hub = NULL, *incidents = NULL;
    if ((rc = sim_node_map(sc->root, "ucch", &hub, err)) ||
        (rc = sim_node_check_keys(hub, hub_keys, err)) ||
        (rc = sim_node_map(hub, "incidents", &incidents, err)) ||
        (rc = sim_rate_profile_from_node(incidents, &c->incidents, err)) ||
        (rc = read_categories(c, hub, err)) ||
        (rc = required_dist(hub, "review_minutes", &c->review_minutes, err)) ||
        (rc = sim_node_fraction(hub, "suitable", 0, 1, &c->suitable, err)) ||
        (rc = read_roles(c, hub, err)) ||
        (rc = read_services(c, hub, err)) ||
        (rc = sim_node_opt_fraction(hub, "conveyed", 0, 1, &c->conveyed, err)) ||
        (rc = sim_node_opt_fraction(hub, "admitted", 0, 1, &c->admitted, err)) ||
        (rc = sim_node_opt_number(hub, "job_cycle_hours", 0, 1000, &c->job_cycle_hours, err)) ||
        (rc = read_staffing(c, hub, err)) ||
        (rc = read_trusts(c, sc->system)))
        goto fail;
    *out = c;
    return SIM_OK;
fail:
    ucch_destroy(c);
    return rc;
}

void ucch_destroy(void *cfg)
{
    ucch_config *c = cfg;
    if (!c)
        return;
    for (size_t i = 0; c->categories && i < c->n_categories; i++)
        sim_dist_fini(&c->categories[i].response_minutes);
    free(c->categories);
    free(c->category_names);
    free(c->category_cum);
    sim_dist_fini(&c->review_minutes);
    free(c->roles);
    free(c->services);
    free(c->service_names);
    free(c->service_cum);
    free(c->trust_names);
    free(c->trust_cum);
    sim_calendar_fini(&c->cal);
    free(c);
}
