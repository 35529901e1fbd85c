/*
 * models/elective/el_list.c: operations on the waiting lists (el_list.h).
 */
#include <math.h>
#include <stdlib.h>

#include "core/bigmem.h"
#include "core/error.h"
#include "el_list.h"

/* The slot goes on the free list, which patient_new (el_run.c) takes from first. */
static void patient_free(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    pt->state = EL_FREE;
    pt->stamp++;
    pt->pos = r->free_head;
    r->free_head = p;
}

void el__flush_counts(el_run *r)
{
    const int metric[EL_HOT_COUNTS] = {
        [EL_HOT_REFERRALS] = r->m.referrals,
        [EL_HOT_ADMITTED_REFERRALS] = r->m.admitted_referrals,
        [EL_HOT_TREATMENTS] = r->m.treatments,
        [EL_HOT_STOPS_ADMITTED] = r->m.stops_admitted,
        [EL_HOT_STOPS_NON_ADMITTED] = r->m.stops_non_admitted,
        [EL_HOT_DECISIONS_TO_ADMIT] = r->m.decisions_to_admit,
        [EL_HOT_REMOVALS] = r->m.removals,
    };
    for (size_t l = 0; l < r->cfg->n_lists; l++) {
        for (int k = 0; k < EL_HOT_COUNTS; k++)
            if (r->hot[l].n[k])
                el__count(r, metric[k], (int)l, (double)r->hot[l].n[k]);
        r->hot[l] = (el_hot_counts){{0}};
    }
}

int el__scratch(el_run *r, size_t n)
{
    if (n <= r->cap_scratch)
        return SIM_OK;
    size_t cap = r->cap_scratch ? r->cap_scratch : 1024;
    while (cap < n)
        cap *= 2;
    uint32_t *s = realloc(r->scratch, cap * sizeof *s);
    if (!s)
        return SIM_ENOMEM;
    r->scratch = s;
    r->cap_scratch = cap;
    return SIM_OK;
}

static bool after_warmup(const el_run *r)
{
    return el__now(r) >= r->cfg->warmup_days;
}

/* A patient joins the incomplete pathways of list l (histogram and size) at time t. */
void el__join(el_run *r, uint32_t p, int l, double t)
{
    el_lstate *ls = &r->ls[l];
    r->pat[p].list = (uint32_t)l;
    rtt_hist_add(&ls->hist, r->pat[p].clock_start, +1);
    sim_timeavg_set(&ls->size_avg, t, (double)ls->hist.total);
}

static void list_leave(el_run *r, uint32_t p)
{
    el_lstate *ls = &r->ls[r->pat[p].list];
    rtt_hist_add(&ls->hist, r->pat[p].clock_start, -1);
    sim_timeavg_set(&ls->size_avg, el__now(r), (double)ls->hist.total);
}

void el__wait(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    el_lstate *ls = &r->ls[pt->list];
    /* P1 goes straight into a session within its 72 hours when there is one. */
    if (pt->priority == 0 && (pt->flags & EL_F_ADMITTED) && !r->loading && r->cfg->n_theatres &&
        r->book_urgent(r, p))
        return;
    pt->state = EL_WAITING;
    pt->stamp++;
    pt->pos = 0; /* no removal draw has chosen it (el_run.removal_draw starts at 1) */
    ls->n_waiting++;
    /* The outpatient stage: priority 0 marks an urgent referral (el_state.h). */
    int h = pt->priority == 0 ? EL_HEAP_OP_URGENT : EL_HEAP_NONADMITTED;
    if (pt->flags & EL_F_ADMITTED) {
        h = pt->priority;
        ls->admitted_start_sum += pt->clock_start;
        ls->admitted_waiting++;
        ls->n_prio[pt->priority]++;
    }
    if (rtt_heap_push(&ls->heap[h], pt->clock_start, p, pt->stamp)) {
        r->status = SIM_ENOMEM;
        sim_stop(r->eng);
        return;
    }
    if (pt->flags & EL_F_ADMITTED)
        el_pool_enqueue(r, p);
    if (!r->loading)
        r->wake_servers(r, (int)pt->list);
}

void el__unwait(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    el_lstate *ls = &r->ls[pt->list];
    ls->n_waiting--;
    if (pt->flags & EL_F_ADMITTED) {
        ls->admitted_start_sum -= pt->clock_start;
        ls->admitted_waiting--;
        ls->n_prio[pt->priority]--;
    }
    pt->stamp++;
}

void el__treat(el_run *r, uint32_t p, int site, double t)
{
    const el_config *cfg = r->cfg;
    el_patient *pt = &r->pat[p];
    int l = (int)pt->list, home = (int)EL_UID_LIST(pt->uid);
    double wait = t - pt->clock_start;
    list_leave(r, p);
    el__count_hot(r, EL_HOT_TREATMENTS, l);
    el__count_hot(r, (pt->flags & EL_F_ADMITTED) ? EL_HOT_STOPS_ADMITTED : EL_HOT_STOPS_NON_ADMITTED, l);
    if (after_warmup(r)) {
        el_lstate *ls = &r->ls[l];
        sim_tally_add(&ls->wait_treated, wait / 7.0);
        size_t nb = cfg->hist_days * EL_TREATED_BINS_PER_DAY;
        bool adm = (pt->flags & EL_F_ADMITTED) != 0;
        if (!ls->treated_hist &&
            !(ls->treated_hist = sim_big_calloc(2 * nb * sizeof *ls->treated_hist))) {
            r->status = SIM_ENOMEM;
            sim_stop(r->eng);
        } else {
            double b = floor(wait * EL_TREATED_BINS_PER_DAY);
            size_t bin = b < 0 ? 0 : b >= (double)nb ? nb - 1 : (size_t)b;
            ls->treated_hist[2 * bin + adm]++;
            if (adm)
                ls->treated_admitted += 1;
        }
        ls->treated += 1;
        if (cfg->sites[site].trust != cfg->sites[pt->home_site].trust) {
            double km = cfg->distance_km[(size_t)pt->home_site * cfg->n_sites + (size_t)site];
            r->ls[home].moved += 1;
            if (!isnan(km))
                r->ls[home].distance_km += km;
        }
    }
    if (r->hooks && r->hooks->on_treated)
        r->hooks->on_treated(r->hooks->ctx, l, pt->uid, wait, t);
    patient_free(r, p);
}

void el__remove(el_run *r, uint32_t p)
{
    int l = (int)r->pat[p].list;
    el__unwait(r, p);
    list_leave(r, p);
    el__count_hot(r, EL_HOT_REMOVALS, l);
    if (after_warmup(r))
        r->ls[l].removed += 1;
    patient_free(r, p);
}

void el__transfer(el_run *r, uint32_t p, int to)
{
    int from = (int)r->pat[p].list;
    el__unwait(r, p);
    list_leave(r, p);
    el__count(r, r->m.transfers_out, from, 1);
    el__count(r, r->m.transfers_in, to, 1);
    el__join(r, p, to, el__now(r));
    el__wait(r, p);
}

/* ---- taking patients off the list ------------------------------------------------- */

/* How many pops ahead el__pop_valid starts loading a record (the national benchmark). */
#define EL_PREFETCH_AHEAD 4

static inline bool entry_valid(const el_run *r, const rtt_entry *e, uint8_t state)
{
    const el_patient *pt = &r->pat[e->patient];
    return pt->state == state && pt->stamp == e->stamp;
}

uint32_t el__pop_valid(el_run *r, rtt_heap *h, uint8_t state)
{
    while (h->n) {
        rtt_entry e = *rtt_heap_top(h);
        rtt_heap_pop(h);
        if (entry_valid(r, &e, state)) {
            /* Bookings, and a list's attendances when it catches up, take several patients
             * from one heap in a row: start loading the next candidates' records, which are
             * all but certainly not in cache, the next one and one a few pops ahead. */
            if (h->n) {
                __builtin_prefetch(&r->pat[rtt_heap_top(h)->patient]);
                const rtt_entry *a = rtt_heap_run_ahead(h, EL_PREFETCH_AHEAD);
                if (a)
                    __builtin_prefetch(&r->pat[a->patient]);
            }
            return e.patient;
        }
    }
    return EL_NONE;
}

uint32_t el__take_waiting(el_run *r, rtt_heap *h)
{
    uint32_t p = el__pop_valid(r, h, EL_WAITING);
    if (p != EL_NONE)
        el__unwait(r, p);
    return p;
}

/* The first valid entry, without taking it (stale entries above it are dropped). */
const rtt_entry *el__peek_valid(el_run *r, rtt_heap *h, uint8_t state)
{
    while (h->n) {
        const rtt_entry *e = rtt_heap_top(h);
        if (entry_valid(r, e, state))
            return e;
        rtt_heap_pop(h);
    }
    return NULL;
}

/* The heaps that hold a list's WAITING patients: P1..P4, the outpatient stage and its
 * urgent referrals (the rebooking queue's patients are not WAITING). */
static const int waiting_heaps[EL_WAITING_HEAPS] = {0, 1, 2, 3, EL_HEAP_NONADMITTED,
                                                    EL_HEAP_OP_URGENT};

const rtt_entry *el__entry_at(rtt_heap *const *heaps, int n_heaps, size_t i)
{
    int k = 0;
    while (k < n_heaps - 1 && i >= heaps[k]->n)
        i -= heaps[k++]->n;
    return rtt_heap_at(heaps[k], i);
}

uint32_t el__sample_waiting(el_run *r, gsl_rng *g, rtt_heap *const *heaps, int n_heaps,
                            size_t entries)
{
    const rtt_entry *e = el__entry_at(heaps, n_heaps, sim_rng_uniform_int(g, entries));
    return entry_valid(r, e, EL_WAITING) ? e->patient : EL_NONE;
}

size_t el__waiting_heaps(el_run *r, int l, rtt_heap *heaps[])
{
    size_t entries = 0;
    for (int k = 0; k < EL_WAITING_HEAPS; k++) {
        heaps[k] = &r->ls[l].heap[waiting_heaps[k]];
        entries += heaps[k]->n;
    }
    return entries;
}

static bool entry_waiting(const void *ctx, const rtt_entry *e)
{
    return entry_valid(ctx, e, EL_WAITING);
}

void el__compact_waiting(el_run *r, int l)
{
    rtt_heap *heaps[EL_HEAPS];
    size_t entries = el__waiting_heaps(r, l, heaps);
    if (entries <= 2 * r->ls[l].n_waiting + 64)
        return;
    for (int k = 0; k < EL_WAITING_HEAPS; k++)
        rtt_heap_compact(heaps[k], entry_waiting, r);
}

/*
 * The selection rule (el_config.h, el_selection) for list l's admitted pathways (heaps
 * P1..P4) or its outpatient stage (the non-admitted heap), or for a pool's admitted pathways
 * at one of its sites. Random picks are uniform over the stage's WAITING patients (its
 * routine priorities; uniform valid entries of the lists' heaps of the stage), rejected
 * for a pool until one accepts the site, and for weeks_waited kept
 * with chance wait / longest wait, which picks in proportion to weeks waited exactly
 * (fading: kept with chance 2^(-wait / half-life)). A stage that is a tiny part of its lists
 * falls back to the longest waiter after 4096 rejections (documented).
 *
 * The rule over a source of patients: `heap[h]` the stage's heaps (by priority for admitted
 * pathways, heap[EL_HEAP_NONADMITTED] for the outpatient stage), the lists whose own heaps
 * hold its patients, and for a pool the pool site q whose acceptance a random
 * pick must have (-1: none); `g` draws the rule's random numbers.
 */
static uint32_t take_rule(el_run *r, gsl_rng *g, const el_selection *sel, bool admitted,
                          bool non_p1_ok, rtt_heap *const *heap, const int *lists, int n_lists,
                          int q)
{
    double now = el__now(r);
    int h0 = EL_HEAP_NONADMITTED, h1 = EL_HEAP_NONADMITTED + 1;
    size_t n_stage = 0;
    if (!admitted)
        for (int k = 0; k < n_lists; k++)
            n_stage += r->ls[lists[k]].n_waiting - r->ls[lists[k]].admitted_waiting;
    if (admitted) {
        int urgent = non_p1_ok ? sel->urgent : 1;
        for (int prio = 0; prio < urgent; prio++) {
            uint32_t p = el__take_waiting(r, heap[prio]);
            if (p != EL_NONE)
                return p;
        }
        if (!non_p1_ok)
            return EL_NONE;
        h0 = sel->urgent;
        h1 = EL_PRIORITIES;
        for (int k = 0; k < n_lists; k++)
            for (int prio = h0; prio < h1; prio++)
                n_stage += r->ls[lists[k]].n_prio[prio];
    }
    if (n_stage == 0)
        return EL_NONE;
    /* The longest waiter of the stage's routine heaps. */
    int best = -1;
    double oldest = INFINITY;
    for (int h = h0; h < h1; h++) {
        const rtt_entry *e = el__peek_valid(r, heap[h], EL_WAITING);
        if (e && e->key < oldest) {
            oldest = e->key;
            best = h;
        }
    }
    if (best < 0)
        return EL_NONE;
    double wmax = now - oldest;
    bool pushed = false;
    for (int k = 0; k < sel->n_push && !pushed; k++) {
        const el_push *ps = &sel->push[k];
        pushed = now >= ps->from_t && now < ps->until_t && wmax > ps->over_days &&
                 (ps->share >= 1.0 || sim_rng_uniform(g) < ps->share);
    }
    if (!pushed && !(sel->in_turn >= 1.0) && sim_rng_uniform(g) >= sel->in_turn) {
        bool weighted = sel->rest == EL_REST_WEEKS && wmax > 0;
        bool fading = sel->rest == EL_REST_FADING;
        /* The lists' own heaps of the stage (routine priorities, or the outpatient stage
         * with its urgent referrals): a uniform valid entry is a uniform patient of it. */
        rtt_heap *stage[64 * EL_PRIORITIES];
        int n_st = 0;
        size_t entries = 0;
        for (int k = 0; k < n_lists && k < 64; k++) {
            el_lstate *ls = &r->ls[lists[k]];
            if (admitted)
                for (int prio = h0; prio < h1; prio++)
                    stage[n_st++] = &ls->heap[prio];
            else {
                stage[n_st++] = &ls->heap[EL_HEAP_NONADMITTED];
                stage[n_st++] = &ls->heap[EL_HEAP_OP_URGENT];
            }
        }
        for (int k = 0; k < n_st; k++)
            entries += stage[k]->n;
        for (int tries = 0; tries < 4096; tries++) {
            uint32_t p = el__sample_waiting(r, g, stage, n_st, entries);
            if (p == EL_NONE)
                continue;
            const el_patient *pt = &r->pat[p];
            if (q >= 0 && !(el_pool_mask(r, p) >> q & 1))
                continue;
            if (weighted && sim_rng_uniform(g) * wmax >= now - pt->clock_start)
                continue;
            /* Weight 2^(-wait / half-life), at most 1: kept with exactly that chance. */
            if (fading && sim_rng_uniform(g) >= exp(-sel->fade_per_day * (now - pt->clock_start)))
                continue;
            el__unwait(r, p);
            return p;
        }
    }
    return el__take_waiting(r, heap[best]);
}

uint32_t el__take_by_rule(el_run *r, int l, const el_selection *sel, bool admitted,
                          bool non_p1_ok)
{
    el_lstate *ls = &r->ls[l];
    rtt_heap *heap[EL_HEAPS];
    for (int h = 0; h < EL_HEAPS; h++)
        heap[h] = &ls->heap[h];
    return take_rule(r, ls->select, sel, admitted, non_p1_ok, heap, &l, 1, -1);
}

/* The admitted rule over a pool at its site q: the pool's heaps, the member lists' patients
 * who accept the site. */
static uint32_t take_pooled_by_rule(el_run *r, el_pool *pool, int q, int list,
                                    const el_selection *sel, bool non_p1_ok)
{
    const el_config *cfg = r->cfg;
    const el_specialty *sp = &cfg->specialties[cfg->lists[list].specialty];
    const el_collab *c = &cfg->collabs[sp->collab];
    int members[64], n = 0;
    for (int k = 0; k < sp->n_lists && n < 64; k++)
        if (c->member[cfg->lists[sp->first_list + k].trust])
            members[n++] = sp->first_list + k;
    rtt_heap *heap[EL_HEAPS];
    for (int h = 0; h < EL_HEAPS; h++)
        heap[h] = h < EL_PRIORITIES ? &pool->heap[q * EL_PRIORITIES + h] : NULL;
    return take_rule(r, r->ls[list].select, sel, true, non_p1_ok, heap, members, n, q);
}

uint32_t el__take(el_run *r, int list, int site, bool non_p1_ok)
{
    int q;
    el_pool *pool = el_pool_for(r, list, site, &q);
    uint32_t p = EL_NONE;
    if (!pool) {
        p = el__pop_valid(r, &r->ls[list].heap[EL_HEAP_REBOOK], EL_REBOOK);
    } else {
        /* Owed a date: the earliest deadline among the pool's patients who accept here. */
        const el_specialty *sp = &r->cfg->specialties[r->cfg->lists[list].specialty];
        const el_collab *c = &r->cfg->collabs[sp->collab];
        double best = INFINITY;
        int best_l = -1;
        for (int k = 0; k < sp->n_lists; k++) {
            int l = sp->first_list + k;
            if (!c->member[r->cfg->lists[l].trust])
                continue;
            const rtt_entry *e = el__peek_valid(r, &r->ls[l].heap[EL_HEAP_REBOOK], EL_REBOOK);
            if (e && e->key < best && (el_pool_mask(r, e->patient) >> q & 1)) {
                best = e->key;
                best_l = l;
            }
        }
        if (best_l >= 0)
            p = el__pop_valid(r, &r->ls[best_l].heap[EL_HEAP_REBOOK], EL_REBOOK);
    }
    if (p != EL_NONE) {
        r->pat[p].stamp++;
        return p;
    }
    const el_selection *sel = &r->cfg->specialties[r->cfg->lists[list].specialty].select_admitted;
    if (sel->active)
        return pool ? take_pooled_by_rule(r, pool, q, list, sel, non_p1_ok)
                    : el__take_by_rule(r, list, sel, true, non_p1_ok);
    for (int prio = 0; prio < EL_PRIORITIES; prio++) {
        if (prio > 0 && !non_p1_ok)
            break;
        rtt_heap *h = pool ? &pool->heap[q * EL_PRIORITIES + prio] : &r->ls[list].heap[prio];
        p = el__take_waiting(r, h);
        if (p != EL_NONE)
            return p;
    }
    return EL_NONE;
}
