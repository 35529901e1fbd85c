/*
 * models/elective/el_collab.c: the collaboration policies between trusts for one
 * specialty (el_collab.h); their data (pool heaps, accepted sites) is el_pool.c's.
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

#include "core/error.h"
#include "el_collab.h"

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
        /* Its admitted patients WAITING now: the valid entries of heaps P1..P4. */
        for (int prio = 0; prio < EL_PRIORITIES; prio++) {
            const rtt_heap *h = &r->ls[l].heap[prio];
            for (size_t i = 0; i < h->n; i++) {
                const rtt_entry *e = rtt_heap_at(h, i);
                const el_patient *pt = &r->pat[e->patient];
                if (pt->state == EL_WAITING && pt->stamp == e->stamp)
                    el_pool_enqueue(r, e->patient);
            }
        }
    }
    for (int k = 0; k < sp->n_lists; k++)
        r->wake_servers(r, sp->first_list + k);
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
                    if (sim_rng_uniform(el__patient_rng(r, EL_PS_AID, p, 0)) < c->acceptance) {
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
