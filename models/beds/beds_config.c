/* models/beds/beds_config.c: reading and checking the `beds:` section. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "beds_model.h"
#include "shared/system_config.h"

static const char *const beds_keys[] = {"when_full", "prefill_days", "census_hour",
                                        "bed_pressure", "sites", NULL};
static const char *const site_keys[] = {"site", "beds", "ring_fenced_beds", "admissions",
                                        "stay_days", "discharge_delay", "step_down", NULL};
static const char *const delay_keys[] = {"share", "days", NULL};
static const char *const step_keys[] = {"share", "at_fraction", NULL};
static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                     "jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const when_full[] = {"board", "refuse", NULL};

/* `beds: 452` or a map of all twelve months. */
static int read_beds(const sim_node *site, beds_site *b, struct sim_error *err)
{
    const sim_node *beds = sim_node_get(site, "beds");
    if (!beds || beds->kind == SIM_NODE_SCALAR) {
        long n = 0;
        int rc = sim_node_int(site, "beds", 0, 1000000, &n, err);
        for (int m = 0; m < 12; m++)
            b->beds[m] = (double)n;
        return rc;
    }
    sim_node *map = NULL;
    int rc = sim_node_map(site, "beds", &map, err);
    if (!rc)
        rc = sim_node_check_keys(map, months, err);
    for (int m = 0; m < 12 && !rc; m++) {
        long n = 0;
        rc = sim_node_int(map, months[m], 0, 1000000, &n, err);
        b->beds[m] = (double)n;
    }
    return rc;
}

static int read_dist(const sim_node *map, const char *key, beds_site *b, sim_dist *d,
                     struct sim_error *err)
{
    (void)b;
    const sim_node *node = sim_node_get(map, key);
    if (!node)
        return sim_node_map(map, key, &(sim_node *){NULL}, err);
    ((sim_node *)node)->used = true;
    return sim_dist_from_node(node, 0.0, d, err);
}

static int read_site(const capsim_system *sys, const sim_node *node, beds_config *c, size_t i,
                     struct sim_error *err)
{
    beds_site *b = &c->sites[i];
    const char *code = NULL;
    int rc;
    if ((rc = sim_node_check_keys(node, site_keys, err)) ||
        (rc = sim_node_string(node, "site", &code, err)))
        return rc;
    int site = capsim_system_find_site(sys, code, sim_node_get(node, "site"), err);
    if (site < 0)
        return SIM_EINPUT;
    if (c->site_of[site] >= 0)
        return sim_node_error(sim_node_get(node, "site"), err,
                              "site \"%s\" already has beds (sites[%d])", code,
                              c->site_of[site]);
    c->site_of[site] = (int)i;
    b->site = site;
    b->trust = sys->sites[site].trust;
    b->code = sys->sites[site].code;
    c->site_codes[i] = b->code;
    if ((rc = read_beds(node, b, err)) ||
        (rc = sim_node_opt_int(node, "ring_fenced_beds", 0, 1000000, &b->ring_fenced, err)) ||
        (rc = read_dist(node, "stay_days", b, &b->stay, err)))
        return rc;
    if (sim_node_has(node, "admissions")) {
        sim_node *adm = NULL;
        b->has_admissions = true;
        if ((rc = sim_node_map(node, "admissions", &adm, err)) ||
            (rc = sim_rate_profile_from_node(adm, &b->admissions, err)))
            return rc;
    }
    if (sim_node_has(node, "discharge_delay")) {
        sim_node *d = NULL;
        if ((rc = sim_node_map(node, "discharge_delay", &d, err)) ||
            (rc = sim_node_check_keys(d, delay_keys, err)) ||
            (rc = sim_node_fraction(d, "share", 0, 1, &b->delay_share, err)) ||
            (rc = read_dist(d, "days", b, &b->delay, err)))
            return rc;
    }
    if (sim_node_has(node, "step_down")) {
        sim_node *d = NULL;
        b->step_down_at = 0.5;
        if ((rc = sim_node_map(node, "step_down", &d, err)) ||
            (rc = sim_node_check_keys(d, step_keys, err)) ||
            (rc = sim_node_fraction(d, "share", 0, 1, &b->step_down_share, err)) ||
            (rc = sim_node_opt_fraction(d, "at_fraction", 0, 1, &b->step_down_at, err)))
            return rc;
    }
    return SIM_OK;
}

static int read_sites(const capsim_system *sys, const sim_node *beds, beds_config *c,
                      struct sim_error *err)
{
    sim_node *seq = NULL;
    int rc = sim_node_seq(beds, "sites", &seq, err);
    if (rc)
        return rc;
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one site");
    c->n_sites = seq->n;
    c->sites = calloc(seq->n, sizeof *c->sites);
    c->site_codes = calloc(seq->n, sizeof *c->site_codes);
    if (!c->sites || !c->site_codes)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++) {
        sim_dist_constant(&c->sites[i].stay, 0);
        sim_dist_constant(&c->sites[i].delay, 0);
    }
    for (size_t i = 0; i < seq->n && !rc; i++)
        rc = read_site(sys, seq->items[i], c, i, err);
    if (rc)
        return rc;
    c->single_trust = c->sites[0].trust;
    for (size_t i = 1; i < c->n_sites; i++)
        if (c->sites[i].trust != c->single_trust)
            c->single_trust = -1;
    /* A site whose beds are all ring-fenced (an elective centre) is exempt from pressure. */
    for (size_t i = 0; i < c->n_sites; i++) {
        const beds_site *b = &c->sites[i];
        bool general = false;
        for (int m = 0; m < 12; m++)
            general |= b->beds[m] > 0;
        if (!general && b->ring_fenced > 0)
            beds_pressure_exempt(&c->pressure, b->site);
    }
    return SIM_OK;
}

int beds_configure(const capsim_scenario *sc, void **out, struct sim_error *err)
{
    beds_config *c = calloc(1, sizeof *c);
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
    c->census_hour = 8;
    c->n_system_sites = sys->n_sites;
    c->n_system_trusts = sys->n_trusts;
    c->site_of = malloc((sys->n_sites ? sys->n_sites : 1) * sizeof *c->site_of);
    c->site_trust = malloc((sys->n_sites ? sys->n_sites : 1) * sizeof *c->site_trust);
    if (!c->site_of || !c->site_trust) {
        beds_destroy(c);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < sys->n_sites; i++) {
        c->site_of[i] = -1;
        c->site_trust[i] = sys->sites[i].trust;
    }
    sim_node *beds = NULL;
    int mode = BEDS_BOARD;
    if ((rc = sim_node_map(sc->root, "beds", &beds, err)) ||
        (rc = sim_node_check_keys(beds, beds_keys, err)) ||
        (rc = sim_node_opt_enum(beds, "when_full", when_full, &mode, err)) ||
        (rc = sim_node_opt_number(beds, "prefill_days", 0, 3650, &c->prefill_days, err)) ||
        (rc = sim_node_number_ex(beds, "census_hour", 0, 24, SIM_NODE_OPTIONAL | SIM_NODE_LT_MAX,
                                 &c->census_hour, err)) ||
        (rc = beds_pressure_read(sim_node_get(beds, "bed_pressure"), sys->n_sites, &c->pressure,
                                 err)))
        goto fail;
    c->when_full = (beds_when_full)mode;
    if (sys->n_sites == 0) {
        rc = sim_node_error(beds, err, "the beds model needs a system section with sites");
        goto fail;
    }
    if ((rc = read_sites(sys, beds, c, err)))
        goto fail;
    *out = c;
    return SIM_OK;
fail:
    beds_destroy(c);
    return rc;
}

void beds_destroy(void *cfg)
{
    beds_config *c = cfg;
    if (!c)
        return;
    for (size_t i = 0; c->sites && i < c->n_sites; i++) {
        sim_dist_fini(&c->sites[i].stay);
        sim_dist_fini(&c->sites[i].delay);
    }
    free(c->sites);
    free(c->site_codes);
    free(c->site_of);
    free(c->site_trust);
    beds_pressure_fini(&c->pressure);
    sim_calendar_fini(&c->cal);
    free(c);
}
