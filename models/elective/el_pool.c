/*
 * models/elective/el_pool.c: pool data of collaborations (el_pool.h).
 *
 * Which sites a patient accepts: the home trust's sites always, another trust's site when
 * it lies within the travel limit and the patient's draw is below the site's acceptance
 * probability (docs/elective.md, collaboration).
 */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "el_pool.h"

int el_pools_init(el_run *r)
{
    const el_config *cfg = r->cfg;
    r->pools = calloc(cfg->n_collabs ? cfg->n_collabs : 1, sizeof *r->pools);
    if (!r->pools)
        return SIM_ENOMEM;
    for (size_t i = 0; i < cfg->n_collabs; i++) {
        const el_collab *c = &cfg->collabs[i];
        el_pool *pl = &r->pools[i];
        pl->treats = calloc(cfg->n_lists ? cfg->n_lists : 1, sizeof *pl->treats);
        if (!pl->treats)
            return SIM_ENOMEM;
        for (size_t l = 0; l < cfg->n_lists; l++)
            pl->treats[l] = cfg->lists[l].treatments_per_week > 0;
        for (size_t t = 0; t < cfg->n_theatres; t++)
            for (size_t k = 0; k < cfg->theatres[t].n_tpl; k++)
                pl->treats[cfg->theatres[t].tpl[k].list] = true;
        if (c->policy != EL_POOLED)
            continue;
        pl->site_index = malloc(cfg->n_sites * sizeof *pl->site_index);
        pl->heap = calloc(c->n_pool_sites * EL_PRIORITIES + 1, sizeof *pl->heap);
        if (!pl->site_index || !pl->heap)
            return SIM_ENOMEM;
        for (size_t s = 0; s < cfg->n_sites; s++)
            pl->site_index[s] = -1;
        for (size_t q = 0; q < c->n_pool_sites; q++)
            pl->site_index[c->pool_sites[q]] = (int)q;
        for (size_t h = 0; h < c->n_pool_sites * EL_PRIORITIES; h++)
            rtt_heap_init(&pl->heap[h]);
    }
    return SIM_OK;
}

void el_pools_fini(el_run *r)
{
    if (!r->pools)
        return;
    for (size_t i = 0; i < r->cfg->n_collabs; i++) {
        el_pool *pl = &r->pools[i];
        if (pl->heap)
            for (size_t h = 0; h < r->cfg->collabs[i].n_pool_sites * EL_PRIORITIES; h++)
                rtt_heap_fini(&pl->heap[h]);
        free(pl->heap);
        free(pl->site_index);
        free(pl->treats);
    }
    free(r->pools);
    r->pools = NULL;
}

el_pool *el_pool_for(el_run *r, int list, int site, int *q)
{
    const el_config *cfg = r->cfg;
    /* Without collaborations, nothing to read (el_list is a line of its own per list). */
    if (cfg->n_collabs == 0)
        return NULL;
    const el_list *lc = &cfg->lists[list];
    int ci = cfg->specialties[lc->specialty].collab;
    if (ci < 0)
        return NULL;
    const el_collab *c = &cfg->collabs[ci];
    el_pool *pl = &r->pools[ci];
    if (c->policy != EL_POOLED || !pl->active || !c->member[lc->trust])
        return NULL;
    *q = pl->site_index[site];
    return *q >= 0 ? pl : NULL;
}

uint64_t el_pool_mask(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    if (pt->flags & EL_F_MASKED)
        return r->accept[p];
    const el_config *cfg = r->cfg;
    int ci = cfg->specialties[cfg->lists[pt->list].specialty].collab;
    const el_collab *c = &cfg->collabs[ci];
    int home_trust = cfg->sites[pt->home_site].trust;
    uint64_t mask = 0;
    gsl_rng *g = el__patient_rng(r, EL_PS_ACCEPT, p, 0);
    for (size_t q = 0; q < c->n_pool_sites; q++) {
        int s = c->pool_sites[q];
        double u = sim_rng_uniform(g);
        bool ok;
        if (cfg->sites[s].trust == home_trust) {
            ok = true;
        } else {
            double km = cfg->distance_km[(size_t)pt->home_site * cfg->n_sites + (size_t)s];
            ok = (!isfinite(c->travel_limit_km) || km <= c->travel_limit_km) &&
                 u < c->site_acceptance[s];
        }
        if (ok)
            mask |= 1ull << q;
    }
    r->accept[p] = mask;
    pt->flags |= EL_F_MASKED;
    return mask;
}

void el_pool_enqueue(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    int q0;
    /* Any pool site will do to ask whether the list is pooled now. */
    const el_config *cfg = r->cfg;
    if (cfg->n_collabs == 0)
        return;
    int ci = cfg->specialties[cfg->lists[pt->list].specialty].collab;
    if (ci < 0 || cfg->collabs[ci].policy != EL_POOLED || cfg->collabs[ci].n_pool_sites == 0)
        return;
    if (!el_pool_for(r, (int)pt->list, cfg->collabs[ci].pool_sites[0], &q0))
        return;
    el_pool *pl = &r->pools[ci];
    uint64_t mask = el_pool_mask(r, p);
    for (size_t q = 0; q < cfg->collabs[ci].n_pool_sites; q++)
        if (mask >> q & 1)
            if (rtt_heap_push(&pl->heap[q * EL_PRIORITIES + pt->priority], pt->clock_start, p,
                              pt->stamp)) {
                r->status = SIM_ENOMEM;
                sim_stop(r->eng);
                return;
            }
}

int el_pools_settle(el_run *r)
{
    const el_config *cfg = r->cfg;
    for (size_t i = 0; i < cfg->n_collabs; i++) {
        el_pool *pl = &r->pools[i];
        if (cfg->collabs[i].policy != EL_POOLED || !pl->active)
            continue;
        for (size_t h = 0; h < cfg->collabs[i].n_pool_sites * EL_PRIORITIES; h++)
            if (rtt_heap_settle(&pl->heap[h]))
                return SIM_ENOMEM;
    }
    return SIM_OK;
}
