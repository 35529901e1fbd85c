/*
 * models/elective/collab.c: collaboration between trusts for one specialty.
 *
 * Pooled: from the `from` date, the member lists form one patient treatment list. Each
 * patient accepts a set of treating sites, drawn once from the patient's own entity of the
 * "site-acceptance" stream (one uniform per pool site, in site order, whether or not it is
 * used, so the draws of a site do not shift when the policy changes): the home trust's
 * sites always, another trust's site when it lies within the travel limit and the draw is
 * below the site's acceptance probability. A session or server at a pool site books from
 * the pool's heap for that site: priority, then longest wait, across all member trusts.
 * The patient stays on its home list (whose RTT figures it counts in); treatment at another
 * trust's site counts as a patient moved, with the distance from the home site.
 *
 * Mutual aid: every week (or at each month start) from the `from` date, each member list's
 * patients over the threshold, longest first and each only once, are offered to the member
 * whose admitted patients have the shortest mean wait, if that is shorter than their own
 * list's; they accept with the given probability, and move to that list keeping their
 * clock start. Only members that treat the specialty (sessions or capacity) are partners.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "el_run.h"

int collab_init(el_run *r)
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

void collab_fini(el_run *r)
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

el_pool *collab_pool_for(el_run *r, int list, int site, int *q)
{
    const el_config *cfg = r->cfg;
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

uint64_t collab_mask(el_run *r, uint32_t p)
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
        double u = gsl_rng_uniform(g);
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

void collab_enqueue(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    int q0;
    /* Any pool site will do to ask whether the list is pooled now. */
    const el_config *cfg = r->cfg;
    int ci = cfg->specialties[cfg->lists[pt->list].specialty].collab;
    if (ci < 0 || cfg->collabs[ci].policy != EL_POOLED || cfg->collabs[ci].n_pool_sites == 0)
        return;
    if (!collab_pool_for(r, (int)pt->list, cfg->collabs[ci].pool_sites[0], &q0))
        return;
    el_pool *pl = &r->pools[ci];
    uint64_t mask = collab_mask(r, p);
    for (size_t q = 0; q < cfg->collabs[ci].n_pool_sites; q++)
        if (mask >> q & 1)
            if (rtt_heap_push(&pl->heap[q * EL_PRIORITIES + pt->priority], pt->clock_start, p,
                              pt->stamp)) {
                r->status = SIM_ENOMEM;
                sim_stop(r->eng);
                return;
            }
}

static void pool_start(el_run *r, int ci)
{
    const el_config *cfg = r->cfg;
    const el_collab *c = &cfg->collabs[ci];
    const el_specialty *sp = &cfg->specialties[c->specialty];
    r->pools[ci].active = true;
    for (int k = 0; k < sp->n_lists; k++) {
        int l = sp->first_list + k;
        if (!c->member[cfg->lists[l].trust])
            continue;
        el_lstate *ls = &r->ls[l];
        for (size_t i = 0; i < ls->n_waiting; i++)
            if (r->pat[ls->waiting[i]].flags & EL_F_ADMITTED)
                collab_enqueue(r, ls->waiting[i]);
    }
    for (int k = 0; k < sp->n_lists; k++)
        el__wake_servers(r, sp->first_list + k);
}

static double mean_wait(const el_run *r, int l, double now)
{
    const el_lstate *ls = &r->ls[l];
    return ls->admitted_waiting ? now - ls->admitted_start_sum / (double)ls->admitted_waiting
                                : 0.0;
}

typedef struct aid_cand {
    double clock_start;
    uint32_t patient;
} aid_cand;

static int cmp_cand(const void *a, const void *b)
{
    const aid_cand *x = a, *y = b;
    if (x->clock_start != y->clock_start)
        return x->clock_start < y->clock_start ? -1 : 1;
    return (x->patient > y->patient) - (x->patient < y->patient);
}

/* Longest wait first; ties by patient index so the order never depends on heap history. */
static int sort_by_clock(const el_patient *pat, uint32_t *a, size_t n)
{
    if (n < 2)
        return SIM_OK;
    aid_cand *c = malloc(n * sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        c[i].clock_start = pat[a[i]].clock_start;
        c[i].patient = a[i];
    }
    qsort(c, n, sizeof *c, cmp_cand);
    for (size_t i = 0; i < n; i++)
        a[i] = c[i].patient;
    free(c);
    return SIM_OK;
}

static void mutual_aid(el_run *r, int ci)
{
    const el_config *cfg = r->cfg;
    const el_collab *c = &cfg->collabs[ci];
    const el_specialty *sp = &cfg->specialties[c->specialty];
    const el_pool *pl = &r->pools[ci];
    double now = sim_now(r->eng), cut = now - c->threshold_days;
    for (int k = 0; k < sp->n_lists; k++) {
        int l = sp->first_list + k;
        if (!c->member[cfg->lists[l].trust])
            continue;
        el_lstate *ls = &r->ls[l];
        size_t n = 0;
        for (int prio = 0; prio < EL_PRIORITIES; prio++) {
            const rtt_entry *e;
            while ((e = el__peek_valid(r, &ls->heap[prio], EL_WAITING)) && e->key < cut) {
                if (el__scratch(r, n + 1)) {
                    r->status = SIM_ENOMEM;
                    sim_stop(r->eng);
                    return;
                }
                r->scratch[n++] = e->patient;
                rtt_heap_pop(&ls->heap[prio]);
            }
        }
        if (sort_by_clock(r->pat, r->scratch, n)) {
            r->status = SIM_ENOMEM;
            sim_stop(r->eng);
            return;
        }
        long moved = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t p = r->scratch[i];
            el_patient *pt = &r->pat[p];
            bool keep = true;
            if (!(pt->flags & EL_F_AID_OFFERED) && moved < c->max_per_period) {
                int best = -1;
                double best_w = mean_wait(r, l, now);
                for (int j = 0; j < sp->n_lists; j++) {
                    int m = sp->first_list + j;
                    if (m == l || !c->member[cfg->lists[m].trust] || !pl->treats[m])
                        continue;
                    double w = mean_wait(r, m, now);
                    if (w < best_w) {
                        best_w = w;
                        best = m;
                    }
                }
                if (best >= 0) {
                    pt->flags |= EL_F_AID_OFFERED;
                    if (gsl_rng_uniform(el__patient_rng(r, EL_PS_AID, p, 0)) < c->acceptance) {
                        el__transfer(r, p, best);
                        moved++;
                        keep = false;
                    }
                }
            }
            if (keep && rtt_heap_push(&ls->heap[pt->priority], pt->clock_start, p, pt->stamp)) {
                r->status = SIM_ENOMEM;
                sim_stop(r->eng);
                return;
            }
        }
    }
}

void collab_daily(el_run *r, int64_t day)
{
    const el_config *cfg = r->cfg;
    double now = sim_now(r->eng);
    for (size_t i = 0; i < cfg->n_collabs; i++) {
        const el_collab *c = &cfg->collabs[i];
        if (now < c->from_t)
            continue;
        if (c->policy == EL_POOLED && !r->pools[i].active) {
            pool_start(r, (int)i);
        } else if (c->policy == EL_MUTUAL_AID) {
            bool due;
            if (c->period_days > 0)
                due = (day - (int64_t)ceil(c->from_t)) % (int64_t)c->period_days == 0;
            else
                due = sim_calendar_date(&cfg->cal, (double)day).day == 1;
            if (due)
                mutual_aid(r, (int)i);
        }
    }
}
