/*
 * models/elective/el_config_util.c: small helpers shared by the configuration readers
 * (el_config_util.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "el_config_util.h"

char *el__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int el__priority_index(const char *text)
{
    if (text && text[0] == 'P' && text[1] >= '1' && text[1] <= '4' && text[2] == '\0')
        return text[1] - '1';
    return -1;
}

int el__read_priority_mix(const sim_node *map, const char *key, double cum[EL_PRIORITIES],
                          struct sim_error *err)
{
    static const char *const keys[] = {"P1", "P2", "P3", "P4", NULL};
    sim_node *m;
    TRY(sim_node_map(map, key, &m, err));
    TRY(sim_node_check_keys(m, keys, err));
    double share[EL_PRIORITIES] = {0}, sum = 0;
    for (int p = 0; p < EL_PRIORITIES; p++) {
        TRY(sim_node_opt_fraction(m, keys[p], 0, 1, &share[p], err));
        sum += share[p];
    }
    if (fabs(sum - 1.0) > 1e-6)
        return sim_node_error(m, err, "expected shares of P1-P4 that add up to 1, got %g", sum);
    double c = 0;
    for (int p = 0; p < EL_PRIORITIES; p++) {
        c += share[p] / sum;
        cum[p] = c;
    }
    cum[EL_PRIORITIES - 1] = 1.0;
    return SIM_OK;
}

static int not_found(const char *what, const char *name, const char *const *names,
                     const sim_node *at, struct sim_error *err)
{
    const char *close = sim_closest_word(name, names);
    if (close)
        return sim_node_error(at, err, "unknown %s \"%s\" (did you mean \"%s\"?)", what, name,
                              close);
    return sim_node_error(at, err, "unknown %s \"%s\"", what, name);
}

/* Look `name` up in an array of structs whose first member is a char * name. */
static int find_named(const char *what, const void *base, size_t n, size_t stride,
                      const char *name, const sim_node *at, struct sim_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = *(char *const *)((const char *)base + i * stride);
        if (strcmp(s, name) == 0)
            return (int)i;
    }
    if (!at)
        return -1;
    const char **names = calloc(n + 1, sizeof *names);
    if (!names) {
        sim_node_error(at, err, "unknown %s \"%s\"", what, name);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = *(char *const *)((const char *)base + i * stride);
    not_found(what, name, names, at, err);
    free(names);
    return -1;
}

int el__find_trust(const el_config *cfg, const char *name, const sim_node *at,
                   struct sim_error *err)
{
    return find_named("trust", cfg->trusts, cfg->n_trusts, sizeof(el_trust), name, at, err);
}

int el__find_site(const el_config *cfg, const char *code, const sim_node *at,
                  struct sim_error *err)
{
    return find_named("site", cfg->sites, cfg->n_sites, sizeof(el_site), code, at, err);
}

int el__find_specialty(const el_config *cfg, const char *name, const sim_node *at,
                       struct sim_error *err)
{
    return find_named("specialty", cfg->specialties, cfg->n_specialties, sizeof(el_specialty),
                      name, at, err);
}

int el__opt_date_time(const el_config *cfg, const sim_node *map, const char *key, double dflt,
                      double *out, struct sim_error *err)
{
    if (!sim_node_has(map, key)) {
        *out = dflt;
        return SIM_OK;
    }
    sim_date d;
    TRY(sim_node_date(map, key, &d, err));
    *out = sim_calendar_time_of(&cfg->cal, d);
    return SIM_OK;
}

int el_config_list_of(const el_config *cfg, int trust, int specialty)
{
    const el_specialty *sp = &cfg->specialties[specialty];
    for (int i = 0; i < sp->n_lists; i++)
        if (cfg->lists[sp->first_list + i].trust == trust)
            return sp->first_list + i;
    return -1;
}
