/* models/shared/system_config.c: reading the shared `system:` section. */
#include "system_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define TRY(x)                                                                                 \
    do {                                                                                       \
        int rc_ = (x);                                                                         \
        if (rc_)                                                                               \
            return rc_;                                                                        \
    } while (0)

static int read_site(capsim_system *sys, sim_node *s, int trust, struct sim_error *err)
{
    static const char *const keys[] = {"code", "name", "lat", "lon", NULL};
    if (s->kind != SIM_NODE_MAP)
        return sim_node_error(s, err, "expected a map {code, name, lat, lon}");
    TRY(sim_node_check_keys(s, keys, err));
    const char *code, *name = NULL;
    TRY(sim_node_string(s, "code", &code, err));
    TRY(sim_node_opt_string(s, "name", &name, err));
    if (capsim_system_find_site(sys, code, NULL, NULL) >= 0)
        return sim_node_error(sim_node_get(s, "code"), err, "site code \"%s\" is used twice",
                              code);
    capsim_site *st = &sys->sites[sys->n_sites];
    *st = (capsim_site){.code = code, .name = name ? name : code, .trust = trust};
    bool has_lat = sim_node_has(s, "lat"), has_lon = sim_node_has(s, "lon");
    if (has_lat != has_lon)
        return sim_node_error(s, err, "expected both lat and lon, or neither");
    if (has_lat) {
        TRY(sim_node_number(s, "lat", -90, 90, &st->lat, err));
        TRY(sim_node_number(s, "lon", -180, 180, &st->lon, err));
        st->has_coords = true;
    }
    sys->n_sites++;
    return SIM_OK;
}

static int read_trust(capsim_system *sys, sim_node *t, struct sim_error *err)
{
    static const char *const keys[] = {"name", "label", "population", "sites", NULL};
    TRY(sim_node_check_keys(t, keys, err));
    const char *name, *label = NULL;
    TRY(sim_node_string(t, "name", &name, err));
    TRY(sim_node_opt_string(t, "label", &label, err));
    if (capsim_system_find_trust(sys, name, NULL, NULL) >= 0)
        return sim_node_error(sim_node_get(t, "name"), err, "trust \"%s\" is named twice",
                              name);
    capsim_trust *tr = &sys->trusts[sys->n_trusts];
    *tr = (capsim_trust){.name = name, .label = label ? label : name, .node = t};
    TRY(sim_node_opt_number(t, "population", 0, 1e9, &tr->population, err));
    sim_node *sites;
    TRY(sim_node_seq(t, "sites", &sites, err));
    tr->first_site = (int)sys->n_sites;
    tr->n_sites = (int)sites->n;
    sys->n_trusts++;
    for (size_t k = 0; k < sites->n; k++)
        TRY(read_site(sys, sites->items[k], (int)(sys->n_trusts - 1), err));
    return SIM_OK;
}

int capsim_system_read(const sim_node *root, capsim_system *sys, struct sim_error *err)
{
    memset(sys, 0, sizeof *sys);
    if (!sim_node_has(root, "system"))
        return SIM_OK;
    static const char *const keys[] = {"trusts", NULL};
    sim_node *s;
    TRY(sim_node_map(root, "system", &s, err));
    TRY(sim_node_check_keys(s, keys, err));
    return capsim_system_read_section(s, sys, err);
}

int capsim_system_read_section(const sim_node *s, capsim_system *sys, struct sim_error *err)
{
    memset(sys, 0, sizeof *sys);
    sys->node = s;
    sim_node *seq;
    TRY(sim_node_seq(s, "trusts", &seq, err));
    if (seq->n == 0)
        return sim_node_error(seq, err, "expected at least one trust");
    /* Physical bounds (England has about 210 NHS trusts and 1,200 hospital sites). */
    if (seq->n > 1000)
        return sim_node_error(seq, err, "expected at most 1000 trusts, got %zu", seq->n);
    size_t n_sites = 0;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *t = seq->items[i], *sites;
        if (t->kind != SIM_NODE_MAP)
            return sim_node_error(t, err, "expected a map {name, sites}");
        TRY(sim_node_seq(t, "sites", &sites, err));
        if (sites->n == 0)
            return sim_node_error(sites, err, "expected at least one site");
        n_sites += sites->n;
        if (n_sites > 10000)
            return sim_node_error(sites, err, "expected at most 10000 sites in all");
    }
    sys->trusts = calloc(seq->n, sizeof *sys->trusts);
    sys->sites = calloc(n_sites, sizeof *sys->sites);
    if (!sys->trusts || !sys->sites)
        return SIM_ENOMEM;
    for (size_t i = 0; i < seq->n; i++)
        TRY(read_trust(sys, seq->items[i], err));
    return SIM_OK;
}

void capsim_system_fini(capsim_system *sys)
{
    free(sys->trusts);
    free(sys->sites);
    memset(sys, 0, sizeof *sys);
}

/* "A, B, C" (or "none") into buf. */
static void list_names(const capsim_system *sys, bool sites, char *buf, size_t size)
{
    size_t used = 0, n = sites ? sys->n_sites : sys->n_trusts;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         sites ? sys->sites[i].code : sys->trusts[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (!n)
        snprintf(buf, size, "none: add them to the system section");
}

int capsim_system_find_trust(const capsim_system *sys, const char *name, const sim_node *at,
                             struct sim_error *err)
{
    for (size_t i = 0; i < sys->n_trusts; i++)
        if (strcmp(sys->trusts[i].name, name) == 0)
            return (int)i;
    if (at) {
        char names[400];
        list_names(sys, false, names, sizeof names);
        sim_node_error(at, err, "unknown trust \"%s\" (the system's trusts are %s)", name,
                       names);
    }
    return -1;
}

int capsim_system_find_site(const capsim_system *sys, const char *code, const sim_node *at,
                            struct sim_error *err)
{
    for (size_t i = 0; i < sys->n_sites; i++)
        if (strcmp(sys->sites[i].code, code) == 0)
            return (int)i;
    if (at) {
        char names[400];
        list_names(sys, true, names, sizeof names);
        sim_node_error(at, err, "unknown site \"%s\" (the system's sites are %s)", code,
                       names);
    }
    return -1;
}
