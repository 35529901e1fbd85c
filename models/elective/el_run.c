/*
 * models/elective/el_run.c: one replication of the elective model.
 *
 * Events: one pending referral per list (time-varying Poisson, sim_next_arrival), one daily
 * tick at 06:00 (collaboration, removals, priority review, theatre booking), one event per
 * theatre session and per simple-capacity service, and the month-end snapshots; a lazy
 * list's referrals and services are not events but made when the list is next read
 * ("Deferred events", below). Removals
 * other than treatment are drawn once a day per list: K ~ Binomial(N, q_max) candidates
 * chosen uniformly without replacement, each kept with q(patient) / q_max, where q is the
 * daily probability that gives the monthly hazard (1 - q)^(days per month) = 1 - h. So a
 * list with removals only shrinks as N0 (1 - h)^months, exactly, with one event a day
 * rather than one pending event per patient. A month's by_month factor multiplies the
 * stage's rate in h and in q_max alike, so the draw stays exact month by month.
 */
#include "el_run.h"
#include "el_backlog_shape.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arrivals.h"
#include "core/bigmem.h"
#include "core/error.h"
#include "core/rng.h"
#include "el_collab.h"
#include "el_list.h"
#include "el_metrics.h"
#include "el_theatre.h"

#define DAYS_PER_MONTH (365.25 / 12.0)
#define TICK_OFFSET 0.25 /* 06:00: after midnight snapshots, before sessions */

/* ---- patients ----------------------------------------------------------------------- */

static uint32_t patient_new(el_run *r)
{
    if (r->free_head != EL_NONE) {
        uint32_t p = r->free_head;
        r->free_head = r->pat[p].pos;
        /* The next new patient will read that slot: start the likely cache miss now. */
        if (r->free_head != EL_NONE)
            __builtin_prefetch(&r->pat[r->free_head], 1);
        return p;
    }
    if (r->n_pat == r->cap_pat) {
        size_t cap = r->cap_pat ? r->cap_pat + r->cap_pat / 2 : 1024;
        el_patient *np = sim_big_realloc(r->pat, r->cap_pat * sizeof *np, cap * sizeof *np);
        if (!np) {
            r->status = SIM_ENOMEM;
            sim_stop(r->eng);
            return EL_NONE;
        }
        r->pat = np;
        r->cap_pat = cap;
        if (r->accept) {
            uint64_t *na = sim_big_realloc(r->accept, r->cap_accept * sizeof *na, cap * sizeof *na);
            if (!na) {
                r->status = SIM_ENOMEM;
                sim_stop(r->eng);
                return EL_NONE;
            }
            r->accept = na;
            r->cap_accept = cap;
        }
    }
    uint32_t p = (uint32_t)r->n_pat++;
    r->pat[p].stamp = 0;
    return p;
}

/* ---- simple capacity ------------------------------------------------------------------ */

static void server_start(el_run *r, int s);

/*
 * The end of an outpatient attendance in a two-stage pathway: a decision to admit (with
 * the specialty's share, drawn from the patient's own stream) puts the patient on the
 * admitted list with its clock still running and its clinical priority set now; otherwise
 * the clock stops (non-admitted).
 */
static int draw_priority(const double cum[EL_PRIORITIES], double u);

static bool decide_to_admit(el_run *r, uint32_t p)
{
    el_patient *pt = &r->pat[p];
    const el_specialty *sp = &r->cfg->specialties[r->ls[pt->list].specialty];
    if (!sp->two_stage || (pt->flags & EL_F_ADMITTED))
        return false;
    gsl_rng *g = el__patient_rng(r, EL_PS_DTA, p, 0);
    double u = sim_rng_uniform(g), u_pri = sim_rng_uniform(g);
    if (u >= sp->decision_to_admit)
        return false;
    /* An urgent referral (priority 0 at the outpatient stage) takes an urgent priority. */
    bool urgent = sp->urgent_referrals > 0 && pt->priority == 0;
    pt->flags |= EL_F_ADMITTED;
    pt->priority = (uint8_t)draw_priority(urgent ? sp->urgent_priority_cum : sp->priority_cum,
                                          u_pri);
    el__count_hot(r, EL_HOT_DECISIONS_TO_ADMIT, (int)pt->list);
    el__wait(r, p);
    return true;
}

/* The end of server s's attendance, now on the model's clock. */
static void attendance_end(el_run *r, int s)
{
    el_server *sv = &r->servers[s];
    sv->busy = false;
    if (sv->admitted || !decide_to_admit(r, sv->patient))
        el__treat(r, sv->patient, sv->site, el__now(r));
    server_start(r, s);
}

/* An attendance's end as an event (a server that is not lazy, so its list has nothing
 * deferred), arg: server | patient << 32 (the patient is a hint for the prefetcher). */
static void server_done(sim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    attendance_end(ctx, (int)(uint32_t)arg);
}

/*
 * The prefetchers (sim_set_prefetcher): the engine announces each event two events and one
 * event before it runs. A national run's lists do not fit in the caches, and an event's
 * reads (its list's state, its patients, the head of its heap, its histogram days) are
 * misses that would each stall it; announced, they load in the shadow of the events
 * before, the addresses that need no loads at two ahead, those read from what that
 * brought in at one ahead. Only prefetches: nothing is written, and the hints may be
 * stale.
 */
static void prefetch_list(const el_lstate *ls)
{
    const char *b = (const char *)ls;
    __builtin_prefetch(b);                                /* referrals */
    __builtin_prefetch(b + offsetof(el_lstate, hist));    /* incomplete pathways */
    __builtin_prefetch(&ls->heap[EL_HEAP_NONADMITTED]);   /* the outpatient stage's heap */
}

/* An attendance's end, arg = server | patient << 32: two events ahead the server, its list's
 * state and the patient, with no loads; one ahead (those are in cache now) the head of
 * the stage's heap and the next patient, the patient's day in the histogram of clock
 * starts and in that of treated waits, and the counts it adds to. */
static void server_done_prefetch(const void *ctx, uint64_t arg, unsigned ahead)
{
    const el_run *r = ctx;
    uint32_t s = (uint32_t)arg, p = (uint32_t)(arg >> 32);
    int l = (int)r->server_list[s];
    const el_lstate *ls = &r->ls[l];
    if (ahead > 1) {
        __builtin_prefetch(&r->servers[s]);
        prefetch_list(ls);
        __builtin_prefetch((const char *)ls + offsetof(el_lstate, wait_treated));
        __builtin_prefetch(ls->sid);
        __builtin_prefetch(&r->pat[p]);
        return;
    }
    const el_server *sv = &r->servers[s];
    if (sv->next_entry) {
        __builtin_prefetch(sv->next_entry);
        __builtin_prefetch(&r->pat[sv->next_patient]);
    }
    double cs = r->pat[p].clock_start;
    int64_t d = (int64_t)floor(cs) - ls->hist.day_lo;
    if (d >= 0 && (size_t)d < ls->hist.n_days)
        __builtin_prefetch(&ls->hist.count[d]);
    size_t nb = r->cfg->hist_days * EL_TREATED_BINS_PER_DAY;
    double b = floor((sim_now(r->eng) - cs) * EL_TREATED_BINS_PER_DAY);
    if (ls->treated_hist && b >= 0 && b < (double)nb)
        __builtin_prefetch(&ls->treated_hist[2 * (size_t)b]);
    __builtin_prefetch(&r->hot[l]);
}

/* A referral to list arg: two ahead its state, one ahead the tail of the outpatient
 * stage's heap, today's day in the histogram, the arrival generator and the count. */
static void arrival_prefetch(const void *ctx, uint64_t arg, unsigned ahead)
{
    const el_run *r = ctx;
    const el_lstate *ls = &r->ls[arg];
    if (ahead > 1) {
        prefetch_list(ls);
        return;
    }
    const rtt_heap *h = &ls->heap[EL_HEAP_NONADMITTED];
    if (h->hi > 0)
        __builtin_prefetch(&h->run[h->hi - 1]);
    int64_t d = (int64_t)floor(sim_now(r->eng)) - ls->hist.day_lo;
    if (d >= 0 && (size_t)d < ls->hist.n_days)
        __builtin_prefetch(&ls->hist.count[d]);
    __builtin_prefetch(ls->arrivals);
    __builtin_prefetch(&r->hot[arg]);
}

/* Days a week the simple capacity works: its per_week figures are spread over them. */
static double days_a_week(const el_list *lc)
{
    return lc->weekdays_only ? 5.0 : 7.0;
}

/* capacity_days: weekdays: is day `d` (days since start) a working day? */
static bool working_day(const el_config *cfg, double d)
{
    return sim_calendar_weekday(&cfg->cal, d) < 5 && !sim_calendar_is_holiday(&cfg->cal, d);
}

static void server_resume(sim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    server_start(ctx, (int)arg);
}


static void set_due(el_run *r, el_server *sv, double t)
{
    sv->due_t = t;
    sv->due_seq = r->due_seq++;
}

/* Server s rests until t: a deferred time of its list if it is lazy, else an event. */
static void server_rest(el_run *r, int s, double t)
{
    el_server *sv = &r->servers[s];
    sv->resume_t = t;
    if (sv->lazy)
        set_due(r, sv, t);
    else if (!sim_schedule_at(r->eng, t, server_resume, r, (uint64_t)s)) {
        r->status = SIM_ENOMEM;
        sim_stop(r->eng);
    }
}

/* Start serving if the server is free, at work and has a patient. */
static void server_start(el_run *r, int s)
{
    el_server *sv = &r->servers[s];
    double now = el__now(r);
    if (sv->busy || now < sv->resume_t)
        return;
    if (sv->weekdays_only && !working_day(r->cfg, floor(now))) {
        /* Rest until the next working day begins: a working day has the capacity of a
         * seventh of the week's in one fifth (so a full week without holidays has its
         * per_week figure). */
        double d = floor(now) + 1;
        while (!working_day(r->cfg, d))
            d += 1;
        server_rest(r, s, d);
        return;
    }
    uint32_t p;
    if (sv->admitted) {
        p = el__take(r, sv->list, sv->site, true);
    } else {
        /* Urgent referrals first, longest wait first (urgent_referrals). */
        el_lstate *ls = &r->ls[sv->list];
        p = sv->urgent_first ? el__take_waiting(r, &ls->heap[EL_HEAP_OP_URGENT]) : EL_NONE;
        if (p == EL_NONE)
            p = sv->rule ? el__take_by_rule(r, sv->list, sv->rule, false, true)
                         : el__take_waiting(r, &ls->heap[EL_HEAP_NONADMITTED]);
    }
    if (p == EL_NONE)
        return;
    r->pat[p].state = EL_IN_SERVICE;
    sv->busy = true;
    sv->patient = p;
    if (!sv->admitted && !sv->lazy) { /* a hint for server_done_prefetch */
        const rtt_heap *h = &r->ls[sv->list].heap[EL_HEAP_NONADMITTED];
        sv->next_entry = h->n ? rtt_heap_top(h) : NULL;
        sv->next_patient = h->n ? sv->next_entry->patient : p;
    }
    /* The month's capacity factor scales the service rate (monthly capacity series). */
    double mean = sv->mean_days;
    if (sv->capacity_months) {
        const el_list *lc = &r->cfg->lists[sv->list];
        sim_date d = sim_calendar_date(&r->cfg->cal, now);
        double f = sv->admitted ? sim_dated_month_factor(&lc->treatments_by_month, d.year,
                                                         d.month, lc->treatments_month[d.month - 1])
                                : sim_dated_month_factor(&lc->non_admitted_by_month, d.year,
                                                         d.month,
                                                         lc->non_admitted_month[d.month - 1]);
        /* A month with no capacity: the patient goes back to the list and the server rests
         * until the next month's first day. */
        if (f <= 0) {
            sim_date next = {d.month == 12 ? d.year + 1 : d.year, d.month % 12 + 1, 1};
            sv->resume_t = (double)(sim_date_to_days(next) - r->cfg->cal.start_day);
            sv->busy = false;
            el__wait(r, p);
            server_rest(r, s, sv->resume_t);
            return;
        }
        mean /= f;
    }
    double d = sv->deterministic ? mean : sim_rng_exponential(r->ls[sv->list].service, mean);
    if (sv->lazy) {
        set_due(r, sv, now + d);
        return;
    }
    if (!sim_schedule_in(r->eng, d, server_done, r, (uint64_t)s | (uint64_t)p << 32)) {
        r->status = SIM_ENOMEM;
        sim_stop(r->eng);
    }
}

/* Wake idle servers that serve `list` (or its pool): el_run.wake_servers. */
static void wake_servers(el_run *r, int list)
{
    const el_config *cfg = r->cfg;
    if (r->n_servers == 0)
        return;
    const el_specialty *sp = &cfg->specialties[r->ls[list].specialty];
    bool pooled = sp->collab >= 0 && r->pools[sp->collab].active &&
                  cfg->collabs[sp->collab].member[cfg->lists[list].trust];
    if (!pooled) {
        el_lstate *ls = &r->ls[list];
        for (int k = 0; k < ls->n_servers; k++)
            server_start(r, ls->first_server + k);
        return;
    }
    const el_collab *c = &cfg->collabs[sp->collab];
    for (int k = 0; k < sp->n_lists; k++) {
        int l = sp->first_list + k;
        if (!c->member[cfg->lists[l].trust])
            continue;
        el_lstate *ls = &r->ls[l];
        for (int j = 0; j < ls->n_servers; j++) {
            int s = ls->first_server + j;
            if (r->servers[s].admitted)
                server_start(r, s);
            else if (l == list)
                server_start(r, s);
        }
    }
}

/* ---- referrals and the backlog -------------------------------------------------------- */

static int draw_priority(const double cum[EL_PRIORITIES], double u)
{
    for (int p = 0; p < EL_PRIORITIES - 1; p++)
        if (u < cum[p])
            return p;
    return EL_PRIORITIES - 1;
}

/*
 * A backlog patient's priority consistent with its wait (backlog priority_by_wait): drawn
 * from the mix restricted to the priorities whose window the wait has not passed (P1 72
 * hours, P2 one month, P3 three months, P4 none: the clinical prioritisation of 2020), with
 * the same draw, so a patient within every window keeps the plain mix's priority.
 */
static int draw_priority_by_wait(const double cum[EL_PRIORITIES], double u, double wait_days)
{
    int first = wait_days > 3.0 ? 1 : 0;
    if (wait_days > 365.25 / 12)
        first = 2;
    if (wait_days > 3 * 365.25 / 12)
        first = 3;
    double lo = first ? cum[first - 1] : 0.0;
    if (lo >= 1.0)
        return EL_PRIORITIES - 1;
    int p = draw_priority(cum, lo + u * (1.0 - lo));
    return p < first ? first : p;
}

static uint16_t draw_home_site(const el_run *r, int l, double u)
{
    const el_lstate *ls = &r->ls[l];
    const double *cum = r->cfg->lists[l].home_site_cum;
    for (int k = 0; k < ls->n_sites - 1; k++)
        if (u < cum[k])
            return (uint16_t)(ls->first_site + k);
    return (uint16_t)(ls->first_site + ls->n_sites - 1);
}

/* A new patient of home list l; key is its backlog flag and serial (el_state.h, uid). */
static void init_patient(el_run *r, uint32_t p, int l, uint64_t key, double clock_start,
                         bool admitted, int prio, uint16_t home_site)
{
    el_patient *pt = &r->pat[p];
    uint32_t stamp = pt->stamp;
    memset(pt, 0, sizeof *pt);
    pt->stamp = stamp;
    pt->uid = (uint64_t)l << EL_UID_LIST_SHIFT | key;
    pt->clock_start = clock_start;
    pt->home_site = home_site;
    pt->priority = (uint8_t)prio;
    pt->flags = admitted ? EL_F_ADMITTED : 0;
}

static void arrival(sim_engine *eng, void *ctx, uint64_t arg);

/*
 * Deferred events. Most of what happens to a list of a two-stage specialty without a
 * collaboration touches that list alone: a referral joins its outpatient stage; an
 * attendance ends in a clock stop or a decision to admit (a P1 decision books one of the
 * list's own sessions) and its server takes the list's next patient; a server rests until a
 * working day. Such a list is lazy (el_server.lazy): these events are not events of the
 * engine but times the list keeps, its referral's (ref_t) and each server's (due_t), and
 * they are made, in order of time, when something else next reads or changes the list: its
 * theatre sessions, the daily tick, a snapshot, the warm-up's end and the end of the run
 * (catch_up, strictly before the reader's time), with the model's clock (el__now) at each
 * one's own time. Whatever reads the list therefore sees it as it would have been with an
 * event each; an idle server is woken by a referral made so as it would have been by the
 * referral's event. The lists that are not lazy have an event each.
 *
 * A national year then runs 2 million events rather than 21 million, and a list's
 * attendances of a day are made one after another with its state, heap and histograms in
 * cache. Results are those of an event each, apart from which free record slot a patient
 * takes (slots are taken in another order across lists), which only breaks ties between
 * equal keys (two patients cancelled from one session), and a deferred event at the very
 * instant of an engine event of the list (the engine's goes first);
 * tests/test_elective_deferred.c compares the two on scenarios without such ties.
 */
static bool lazy_list(const el_run *r, const el_lstate *ls)
{
    const el_specialty *sp = &r->cfg->specialties[ls->specialty];
    return sp->two_stage && sp->collab < 0 && ls->outpatients && ls->n_servers > 0 &&
           !(r->hooks && r->hooks->eager);
}

/* Whether list l is lazy (set once, in run_init, on all its servers; a lazy list has one). */
static bool is_lazy(const el_run *r, const el_lstate *ls)
{
    return ls->n_servers > 0 && r->servers[ls->first_server].lazy;
}

/* The referral of list l at time t (now, or a deferred one's time), then the next one's
 * event or deferred time. */
static void referral(el_run *r, int l, double t)
{
    const el_config *cfg = r->cfg;
    el_lstate *ls = &r->ls[l];
    const el_specialty *sp = &cfg->specialties[ls->specialty];

    uint64_t serial = ls->serial++;
    /* The referral's entity of the list's "elective/patient/LABEL" stream, on the shared
     * generator (the same numbers as a generator of that stream of its own, without touching
     * one more cache line a referral). */
    gsl_rng *g = r->prng;
    sim_rng_seek(g, r->seed, r->rep, ls->patient_sid, serial);
    double u_adm = sim_rng_uniform(g);
    double u_pri = sim_rng_uniform(g);
    double u_site = sim_rng_uniform(g);
    /* Two stages: every referral starts in the outpatient stage. */
    bool admitted = !sp->two_stage && u_adm < sp->admitted_share;
    /* Urgency from the referral's own entity of "elective/urgency/LABEL": a scenario without
     * urgent_referrals draws nothing more. The outpatient stage's priority 0 means urgent. */
    int prio = EL_PRIORITIES - 1;
    if (admitted) {
        prio = draw_priority(sp->priority_cum, u_pri);
    } else if (sp->urgent_referrals > 0) {
        sim_rng_seek(g, r->seed, r->rep, ls->urgency_sid, serial);
        prio = sim_rng_uniform(g) < sp->urgent_referrals ? 0 : EL_PRIORITIES - 1;
    }
    el__count_hot(r, EL_HOT_REFERRALS, l);
    if (admitted)
        el__count_hot(r, EL_HOT_ADMITTED_REFERRALS, l);
    if (admitted || ls->outpatients) {
        uint32_t p = patient_new(r);
        if (p == EL_NONE)
            return;
        init_patient(r, p, l, serial, t, admitted, prio, draw_home_site(r, l, u_site));
        el__join(r, p, l, t);
        el__wait(r, p);
    }
    double next = sim_next_arrival_ziggurat(&cfg->lists[l].referrals, &cfg->cal, t, ls->arrivals);
    if (!(isfinite(next) && next <= cfg->horizon_days))
        return;
    if (is_lazy(r, ls))
        ls->ref_t = next;
    else
        sim_schedule_at(r->eng, next, arrival, r, (uint64_t)l);
}

static void arrival(sim_engine *eng, void *ctx, uint64_t arg)
{
    referral(ctx, (int)arg, sim_now(eng));
}

/* Make list l's deferred events due before t (at t too if `inclusive`), in order of time
 * (at equal times a referral first, then the servers' in the order they were set, as the
 * engine would have run them). */
static void catch_up_list(el_run *r, int l, double t, bool inclusive)
{
    el_lstate *ls = &r->ls[l];
    for (;;) {
        double due = ls->ref_t;
        int s = -1;
        for (int k = 0; k < ls->n_servers; k++) {
            const el_server *sv = &r->servers[ls->first_server + k];
            if (sv->due_t < due ||
                (sv->due_t == due && s >= 0 && sv->due_seq < r->servers[s].due_seq)) {
                s = ls->first_server + k;
                due = sv->due_t;
            }
        }
        if (!(due < t || (inclusive && due == t)))
            break;
        r->catching_up = true;
        r->deferred_t = due;
        if (s < 0) {
            ls->ref_t = INFINITY;
            referral(r, l, due);
        } else {
            r->servers[s].due_t = INFINITY;
            if (r->servers[s].busy)
                attendance_end(r, s);
            else
                server_start(r, s); /* the end of its rest */
        }
        r->catching_up = false;
        if (r->status)
            return;
    }
}

static void catch_up(el_run *r, int l)
{
    catch_up_list(r, l, sim_now(r->eng), false);
}

static void catch_up_all(el_run *r, bool inclusive)
{
    for (size_t l = 0; l < r->cfg->n_lists; l++)
        catch_up_list(r, (int)l, sim_now(r->eng), inclusive);
}

static int create_backlog(el_run *r, int l)
{
    const el_config *cfg = r->cfg;
    const el_list *lc = &cfg->lists[l];
    const el_backlog *b = &lc->backlog;
    gsl_rng *g = r->prng;
    uint64_t j = 0;
    r->loading = true;
    for (size_t band = 0; band < b->n_bands; band++) {
        double lo = b->lo_weeks[band] * 7.0, hi = b->hi_weeks[band] * 7.0;
        for (long k = 0; k < b->count[band]; k++, j++) {
            uint64_t key = EL_UID_BACKLOG | j;
            sim_rng_seek(g, r->seed, r->rep, r->ls[l].sid[EL_PS_BACKLOG], key);
            double u_t = sim_rng_uniform_pos(g);
            double u_pri = sim_rng_uniform(g);
            double u_adm = sim_rng_uniform(g);
            double u_site = sim_rng_uniform(g);
            uint32_t p = patient_new(r);
            if (p == EL_NONE)
                return SIM_ENOMEM;
            double start = b->smooth ? -7.0 * el_backlog_shape_draw(b->lo_weeks[band],
                                                                    b->hi_weeks[band],
                                                                    b->rate_per_week[band], u_t)
                                     : -(lo + u_t * (hi - lo));
            int prio = b->priority_by_wait ? draw_priority_by_wait(b->priority_cum, u_pri, -start)
                                           : draw_priority(b->priority_cum, u_pri);
            bool adm = u_adm < b->admitted_share;
            if (!adm)
                prio = EL_PRIORITIES - 1; /* the backlog's outpatient stage is routine */
            init_patient(r, p, l, key, start, adm, prio,
                         draw_home_site(r, l, u_site));
            el__join(r, p, l, 0.0);
            el__wait(r, p);
            if (r->status)
                return r->status;
        }
    }
    r->loading = false;
    /* The backlog came in random order; from now on most patients join in order. */
    for (int h = 0; h < EL_HEAPS; h++)
        if (rtt_heap_settle(&r->ls[l].heap[h]))
            return SIM_ENOMEM;
    return SIM_OK;
}

/* ---- removals and priority review ------------------------------------------------------ */

static double daily_prob(double per_month)
{
    if (per_month >= 1.0)
        return 1.0;
    return -expm1(log1p(-per_month) / DAYS_PER_MONTH);
}

static double removal_factor(const el_specialty *sp, const el_patient *pt, double now)
{
    double f = (pt->flags & EL_F_ADMITTED) ? sp->removal_priority_factor[pt->priority] : 1.0;
    if (sp->n_removal_bands) {
        double w = now - pt->clock_start, bf = 1.0;
        for (size_t i = 0; i < sp->n_removal_bands; i++)
            if (w >= sp->removal_band_lo_days[i] && w < sp->removal_band_hi_days[i]) {
                bf = sp->removal_band_factor[i];
                break;
            }
        f *= bf;
    }
    return f;
}

/* The patient's monthly removal hazard: its stage's rate times its factors; f_adm and f_op
 * are this month's factors of the stages' rates (by_month, 1 in a month not named). */
static double patient_hazard(const el_specialty *sp, const el_patient *pt, double now,
                             double f_adm, double f_op)
{
    if (!(pt->flags & EL_F_ADMITTED) && sp->has_op_removals) {
        double w = now - pt->clock_start, f = 1.0;
        for (size_t i = 0; i < sp->n_op_bands; i++)
            if (w >= sp->op_band_lo_days[i] && w < sp->op_band_hi_days[i]) {
                f = sp->op_band_factor[i];
                break;
            }
        return fmin(1.0, sp->op_removal_per_month * f_op * f);
    }
    return fmin(1.0, sp->removal_per_month * f_adm * removal_factor(sp, pt, now));
}

/* This month's factors of the stages' removal rates (removals.by_month and
 * outpatient_removals.by_month; 1 where not given, which leaves the rates bit for bit). */
static void removal_month_factors(const el_run *r, const el_specialty *sp, double now,
                                  double *f_adm, double *f_op)
{
    *f_adm = *f_op = 1.0;
    if (!sim_dated_months_any(&sp->removal_by_month) &&
        !sim_dated_months_any(&sp->op_removal_by_month))
        return;
    sim_date d = sim_calendar_date(&r->cfg->cal, now);
    *f_adm = sim_dated_month_factor(&sp->removal_by_month, d.year, d.month, 1.0);
    *f_op = sim_dated_month_factor(&sp->op_removal_by_month, d.year, d.month, 1.0);
}

/* The marks of the removal draws wrapped around (after 2^32 calls): clear every WAITING
 * patient's, so that none can match a new one. */
static void reset_removal_marks(el_run *r)
{
    for (size_t p = 0; p < r->n_pat; p++)
        if (r->pat[p].state == EL_WAITING)
            r->pat[p].pos = 0;
    r->removal_draw = 1;
}

/* A candidate of the day's removals (drawn with chance qmax) is removed with chance
 * q(patient) / qmax when the hazards differ (thin), else always. */
static void remove_candidate(el_run *r, const el_specialty *sp, uint32_t p, double now, bool thin,
                             double qmax, double f_adm, double f_op)
{
    if (thin) {
        double h = patient_hazard(sp, &r->pat[p], now, f_adm, f_op);
        if (sim_rng_uniform(r->ls[r->pat[p].list].removals) * qmax >= daily_prob(h))
            return;
    }
    el__remove(r, p);
}

/*
 * The day's removal candidates are random entries of a list's heaps and random records:
 * each a miss or two. Two copies of the removal stream, run ahead of it, draw the same
 * indices earlier, the first (further ahead) to load the entry, the second the record the
 * entry names. Only hints: the copies draw nothing the run uses. They keep step while
 * each draw is one index (no thinning draw between: `thin` off, as in the national run).
 */
enum { REMOVALS_ENTRY_AHEAD = 8, REMOVALS_RECORD_AHEAD = 4 };

static void removals_ahead_step(el_run *r, rtt_heap *const *heaps, size_t entries)
{
    size_t e = sim_rng_uniform_int(r->entry_ahead, entries);
    size_t p = sim_rng_uniform_int(r->record_ahead, entries);
    __builtin_prefetch(el__entry_at(heaps, EL_WAITING_HEAPS, e));
    __builtin_prefetch(&r->pat[el__entry_at(heaps, EL_WAITING_HEAPS, p)->patient]);
}

/* Whether the copies run (not with thinning draws between, nor if they could not be
 * allocated). */
static bool removals_ahead_start(el_run *r, const gsl_rng *g, rtt_heap *const *heaps,
                                 size_t entries, bool thin)
{
    if (thin || !r->entry_ahead || !r->record_ahead)
        return false;
    gsl_rng_memcpy(r->entry_ahead, g);
    gsl_rng_memcpy(r->record_ahead, g);
    for (int d = 0; d < REMOVALS_ENTRY_AHEAD; d++) {
        size_t i = sim_rng_uniform_int(r->entry_ahead, entries);
        __builtin_prefetch(el__entry_at(heaps, EL_WAITING_HEAPS, i));
        if (d < REMOVALS_RECORD_AHEAD)
            (void)sim_rng_uniform_int(r->record_ahead, entries);
    }
    return true;
}

static void daily_removals(el_run *r, int l, double now)
{
    const el_specialty *sp = &r->cfg->specialties[r->cfg->lists[l].specialty];
    el_lstate *ls = &r->ls[l];
    if ((sp->removal_per_month <= 0 && !(sp->has_op_removals && sp->op_removal_per_month > 0)) ||
        ls->n_waiting == 0)
        return;
    double fmax = 0;
    for (int p = 0; p < EL_PRIORITIES; p++)
        fmax = fmax > sp->removal_priority_factor[p] ? fmax : sp->removal_priority_factor[p];
    if (fmax < 1.0)
        fmax = 1.0; /* non-admitted pathways use factor 1 */
    double bmax = 1.0;
    if (sp->n_removal_bands) {
        bmax = 0;
        for (size_t i = 0; i < sp->n_removal_bands; i++)
            bmax = bmax > sp->removal_band_factor[i] ? bmax : sp->removal_band_factor[i];
        bmax = bmax > 1.0 ? bmax : 1.0; /* waits outside every band use factor 1 */
    }
    double f_adm, f_op;
    removal_month_factors(r, sp, now, &f_adm, &f_op);
    double hmax = fmin(1.0, sp->removal_per_month * f_adm * fmax * bmax);
    if (sp->has_op_removals) {
        double omax = 1.0;
        for (size_t i = 0; i < sp->n_op_bands; i++)
            omax = omax > sp->op_band_factor[i] ? omax : sp->op_band_factor[i];
        double h_op = fmin(1.0, sp->op_removal_per_month * f_op * omax);
        hmax = hmax > h_op ? hmax : h_op;
    }
    double qmax = daily_prob(hmax);
    size_t n = ls->n_waiting;
    unsigned k = gsl_ran_binomial(ls->removals, qmax, (unsigned)n);
    if (k == 0)
        return;
    bool thin = hmax > 0 && (sp->has_op_removals || fmax > 1.0 || bmax > 1.0 || sp->n_removal_bands ||
                             sp->removal_priority_factor[0] != 1.0 ||
                             sp->removal_priority_factor[1] != 1.0 ||
                             sp->removal_priority_factor[2] != 1.0 ||
                             sp->removal_priority_factor[3] != 1.0);
    /* k candidates uniformly without replacement, each then kept with the patient's own
     * hazard; removing one leaves the heaps' storage as it is (its entry goes stale). */
    rtt_heap *heaps[EL_HEAPS];
    size_t entries = el__waiting_heaps(r, l, heaps);
    if ((size_t)k * 4 > n) {
        /* Many: one pass over the valid entries, each chosen with chance (k - chosen) /
         * (n - seen), which is a uniform k-subset (selection sampling: Knuth, TAOCP 2,
         * 3.4.2, Algorithm S). */
        size_t seen = 0, chosen = 0;
        for (int h = 0; h < EL_WAITING_HEAPS && chosen < k; h++)
            for (size_t i = 0; i < heaps[h]->n && chosen < k; i++) {
                const rtt_entry *e = rtt_heap_at(heaps[h], i);
                const el_patient *pt = &r->pat[e->patient];
                if (pt->state != EL_WAITING || pt->stamp != e->stamp)
                    continue;
                if ((double)(n - seen++) * sim_rng_uniform(ls->removals) >= (double)(k - chosen))
                    continue;
                chosen++;
                remove_candidate(r, sp, e->patient, now, thin, qmax, f_adm, f_op);
            }
        return;
    }
    /* Few: uniform entries of the list's heaps, drawn again when stale or already a
     * candidate today (marked in pos). */
    if (++r->removal_draw == 0)
        reset_removal_marks(r);
    bool ahead = removals_ahead_start(r, ls->removals, heaps, entries, thin);
    for (unsigned j = 0; j < k;) {
        if (ahead)
            removals_ahead_step(r, heaps, entries);
        uint32_t p = el__sample_waiting(r, ls->removals, heaps, EL_WAITING_HEAPS, entries);
        if (p == EL_NONE || r->pat[p].pos == r->removal_draw)
            continue;
        r->pat[p].pos = r->removal_draw;
        j++;
        remove_candidate(r, sp, p, now, thin, qmax, f_adm, f_op);
    }
}

static void daily_review(el_run *r, int l, double now)
{
    const el_specialty *sp = &r->cfg->specialties[r->cfg->lists[l].specialty];
    el_lstate *ls = &r->ls[l];
    for (int from = EL_PRIORITIES - 1; from >= 0; from--) {
        int to = sp->review_to[from];
        if (to < 0)
            continue;
        double cut = now - sp->review_after_days[from];
        rtt_heap *h = &ls->heap[from];
        const rtt_entry *e;
        while ((e = el__peek_valid(r, h, EL_WAITING)) && e->key <= cut) {
            uint32_t p = e->patient;
            rtt_heap_pop(h);
            el__unwait(r, p);
            r->pat[p].priority = (uint8_t)to;
            el__wait(r, p);
        }
    }
}

/* ---- the daily tick and snapshots ------------------------------------------------------ */

static void tick(sim_engine *eng, void *ctx, uint64_t arg)
{
    el_run *r = ctx;
    const el_config *cfg = r->cfg;
    int64_t day = (int64_t)arg;
    double now = sim_now(eng);
    catch_up_all(r, false);
    collab_daily(r, day);
    for (size_t l = 0; l < cfg->n_lists; l++) {
        el__compact_waiting(r, (int)l);
        if (r->hooks && r->hooks->on_tick) {
            rtt_heap *heaps[EL_HEAPS];
            r->hooks->on_tick(r->hooks->ctx, (int)l, r->ls[l].n_waiting,
                              el__waiting_heaps(r, (int)l, heaps));
        }
        daily_removals(r, (int)l, now);
        daily_review(r, (int)l, now);
    }
    thr_daily(r, day);
    if (day == 0)
        for (size_t s = 0; s < r->n_servers; s++)
            server_start(r, (int)s);
    double next = (double)(day + 1) + TICK_OFFSET;
    if (next <= cfg->horizon_days)
        sim_schedule_at(eng, next, tick, r, (uint64_t)(day + 1));
}

void el_on_snapshot(void *state, size_t k)
{
    el_run *r = state;
    catch_up_all(r, false);
    el__flush_counts(r);
    el_snapshot(r, k);
    r->period = k + 1;
}

void el_on_warmup_end(void *state)
{
    el_run *r = state;
    catch_up_all(r, false);
    for (size_t l = 0; l < r->cfg->n_lists; l++)
        sim_timeavg_restart(&r->ls[l].size_avg, sim_now(r->eng));
}

/* ---- set-up and tear-down -------------------------------------------------------------- */

/* The model's streams are named "elective/KIND/LABEL" (sim/system/system.h). */
static gsl_rng *stream(el_run *r, const char *kind, const char *label)
{
    char name[512];
    snprintf(name, sizeof name, "elective/%s%s%s", kind, label ? "/" : "", label ? label : "");
    return sim_rng_alloc(r->seed, r->rep, name);
}

static void run_fini(el_run *r)
{
    const el_config *cfg = r->cfg;
    thr_fini(r);
    el_pools_fini(r);
    if (r->ls)
        for (size_t l = 0; l < cfg->n_lists; l++) {
            el_lstate *ls = &r->ls[l];
            for (int h = 0; h < EL_HEAPS; h++)
                rtt_heap_fini(&ls->heap[h]);
            rtt_hist_fini(&ls->hist);
            gsl_rng_free(ls->arrivals);
            gsl_rng_free(ls->removals);
            gsl_rng_free(ls->service);
            gsl_rng_free(ls->select);
            size_t nb = cfg->hist_days * EL_TREATED_BINS_PER_DAY;
            sim_big_free(ls->treated_hist, 2 * nb * sizeof *ls->treated_hist);
            free(ls->capped_minutes);
            free(ls->planned_minutes);
        }
    sim_big_free(r->ls, (cfg->n_lists ? cfg->n_lists : 1) * sizeof *r->ls);
    free(r->servers);
    free(r->server_list);
    free(r->hot);
    sim_big_free(r->pat, r->cap_pat * sizeof *r->pat);
    sim_big_free(r->accept, r->cap_accept * sizeof *r->accept);
    free(r->scratch);
    free((void *)r->metric);
    gsl_rng_free(r->prng);
    gsl_rng_free(r->session_rng);
    gsl_rng_free(r->entry_ahead);
    gsl_rng_free(r->record_ahead);
}

static int run_init(el_run *r)
{
    const el_config *cfg = r->cfg;
    r->free_head = EL_NONE;
    r->wake_servers = wake_servers;
    r->book_urgent = thr_book_urgent;
    r->catch_up = catch_up;
    /* Aligned to the cache line, as el_lstate's layout assumes (core/bigmem.h). */
    _Static_assert(_Alignof(el_lstate) <= 64, "a block is aligned to 64 bytes");
    size_t n_ls = cfg->n_lists ? cfg->n_lists : 1;
    r->ls = sim_big_calloc(n_ls * sizeof *r->ls);
    r->prng = stream(r, "patient-draws", NULL);
    r->session_rng = stream(r, "session-draws", NULL);
    /* Copies of a list's removal stream for removals_ahead_*: any stream of the type. */
    r->entry_ahead = stream(r, "removal-ahead", NULL);
    r->record_ahead = stream(r, "removal-ahead", NULL);
    if (!r->eng || !r->ls || !r->prng || !r->session_rng)
        return SIM_ENOMEM;
    size_t n_servers = 0;
    for (size_t l = 0; l < cfg->n_lists; l++) {
        const el_list *lc = &cfg->lists[l];
        n_servers += (lc->treatments_per_week > 0 ? (size_t)lc->servers : 0) +
                     (lc->non_admitted_per_week > 0 ? 1 : 0);
    }
    r->servers = calloc(n_servers ? n_servers : 1, sizeof *r->servers);
    size_t reserve = (size_t)cfg->backlog_total + cfg->backlog_total / 4 + 1024;
    /* Patient records are read at random: on huge pages (core/bigmem.h). */
    if ((r->pat = sim_big_alloc(reserve * sizeof *r->pat)))
        r->cap_pat = reserve;
    if (!r->servers || !r->pat)
        return SIM_ENOMEM;
    if (cfg->n_collabs) {
        if (!(r->accept = sim_big_alloc(reserve * sizeof *r->accept)))
            return SIM_ENOMEM;
        r->cap_accept = reserve;
    }
    for (size_t l = 0; l < cfg->n_lists; l++) {
        const el_list *lc = &cfg->lists[l];
        el_lstate *ls = &r->ls[l];
        for (int h = 0; h < EL_HEAPS; h++)
            rtt_heap_init(&ls->heap[h]);
        ls->specialty = lc->specialty;
        ls->first_site = (uint16_t)cfg->trusts[lc->trust].first_site;
        ls->n_sites = (uint8_t)cfg->trusts[lc->trust].n_sites;
        ls->outpatients = lc->non_admitted_per_week > 0;
        ls->ref_t = INFINITY;
        ls->arrivals = stream(r, "referrals", lc->label);
        char patient_stream[512];
        snprintf(patient_stream, sizeof patient_stream, "elective/patient/%s", lc->label);
        ls->patient_sid = sim_stream_id(patient_stream);
        ls->removals = stream(r, "removals", lc->label);
        ls->service = stream(r, "service", lc->label);
        ls->select = stream(r, "selection", lc->label);
        char urgency_stream[512];
        snprintf(urgency_stream, sizeof urgency_stream, "elective/urgency/%s", lc->label);
        ls->urgency_sid = sim_stream_id(urgency_stream);
        static const char *const kinds[EL_PS_N] = {"backlog",         "case-minutes",
                                                   "cancel-on-day",   "site-acceptance",
                                                   "mutual-aid",      "decision-to-admit",
                                                   "bed",             "procedure"};
        for (int k = 0; k < EL_PS_N; k++) {
            char name[512];
            snprintf(name, sizeof name, "elective/%s/%s", kinds[k], lc->label);
            ls->sid[k] = sim_stream_id(name);
        }
        ls->capped_minutes = calloc(cfg->n_times + 1, sizeof(double));
        ls->planned_minutes = calloc(cfg->n_times + 1, sizeof(double));
        if (!ls->arrivals || !ls->removals || !ls->service || !ls->select ||
            !ls->capped_minutes || !ls->planned_minutes)
            return SIM_ENOMEM;
        if (rtt_hist_init(&ls->hist, cfg->hist_day_lo, cfg->hist_days))
            return SIM_ENOMEM;
        sim_timeavg_init(&ls->size_avg, 0, 0);
        sim_tally_init(&ls->wait_treated);
        ls->first_server = (int)r->n_servers;
        if (lc->treatments_per_week > 0)
            for (int k = 0; k < lc->servers; k++) {
                el_server *sv = &r->servers[r->n_servers++];
                sv->list = (int)l;
                sv->site = lc->capacity_site;
                sv->admitted = true;
                sv->mean_days = days_a_week(lc) * lc->servers / lc->treatments_per_week;
                sv->deterministic = lc->service == EL_SERVICE_DETERMINISTIC;
                sv->weekdays_only = lc->weekdays_only;
                sv->capacity_months = lc->has_capacity_months;
            }
        if (lc->non_admitted_per_week > 0) {
            el_server *sv = &r->servers[r->n_servers++];
            sv->list = (int)l;
            sv->site = lc->capacity_site;
            sv->admitted = false;
            sv->mean_days = days_a_week(lc) / lc->non_admitted_per_week;
            sv->deterministic = lc->service == EL_SERVICE_DETERMINISTIC;
            sv->weekdays_only = lc->weekdays_only;
            sv->capacity_months = lc->has_capacity_months;
            const el_selection *sel = &cfg->specialties[lc->specialty].select_outpatient;
            sv->rule = sel->active ? sel : NULL;
            sv->urgent_first = cfg->specialties[lc->specialty].urgent_referrals > 0;
        }
        ls->n_servers = (int)r->n_servers - ls->first_server;
        bool lazy = lazy_list(r, ls);
        for (int k = 0; k < ls->n_servers; k++) {
            r->servers[ls->first_server + k].lazy = lazy;
            r->servers[ls->first_server + k].due_t = INFINITY;
        }
    }
    int rc = el_pools_init(r);
    if (!rc)
        rc = thr_init(r);
    return rc;
}

int el_start(const void *config, sim_run *run, size_t self, void **state)
{
    const el_config *cfg = config;
    el_run *r = calloc(1, sizeof *r);
    *state = r;
    if (!r)
        return SIM_ENOMEM;
    r->cfg = cfg;
    r->eng = sim_run_engine(run);
    r->run = run;
    r->self = self;
    r->rec = sim_run_record(run, self);
    r->hooks = cfg->test_hooks;
    r->seed = sim_run_seed(run);
    r->rep = sim_run_replication(run);
    int rc = el_metric_ids_find(r->rec, &r->m);
    if (!rc && !(r->metric = el_metrics_alloc(r->rec)))
        rc = SIM_ENOMEM;
    if (!rc)
        rc = run_init(r);
    if (!rc && !(r->server_list = malloc((r->n_servers ? r->n_servers : 1) *
                                         sizeof *r->server_list)))
        rc = SIM_ENOMEM;
    if (!rc && !(r->hot = calloc(cfg->n_lists ? cfg->n_lists : 1, sizeof *r->hot)))
        rc = SIM_ENOMEM;
    for (size_t s = 0; !rc && s < r->n_servers; s++)
        r->server_list[s] = (uint32_t)r->servers[s].list;
    for (size_t l = 0; !rc && l < cfg->n_lists; l++)
        rc = create_backlog(r, (int)l);
    if (!rc)
        rc = el_pools_settle(r);
    for (size_t l = 0; !rc && l < cfg->n_lists; l++) {
        const el_list *lc = &cfg->lists[l];
        if (!lc->has_referrals)
            continue;
        double t = sim_next_arrival_ziggurat(&lc->referrals, &cfg->cal, 0.0, r->ls[l].arrivals);
        if (!(isfinite(t) && t <= cfg->horizon_days))
            continue;
        if (is_lazy(r, &r->ls[l]))
            r->ls[l].ref_t = t;
        else if (!sim_schedule_at(r->eng, t, arrival, r, l))
            rc = SIM_ENOMEM;
    }
    if (!rc && TICK_OFFSET <= cfg->horizon_days && !sim_schedule_at(r->eng, TICK_OFFSET, tick, r, 0))
        rc = SIM_ENOMEM;
    /* Hints only: a run goes on without them when other models hold every prefetcher. */
    (void)sim_set_prefetcher(r->eng, server_done, server_done_prefetch);
    (void)sim_set_prefetcher(r->eng, arrival, arrival_prefetch);
    return rc;
}

int el_finish(void *state, sim_record *out)
{
    (void)out; /* r->rec is this view */
    el_run *r = state;
    if (r->status)
        return r->status;
    /* Referrals at the horizon itself would have been events before the run stopped. */
    catch_up_all(r, true);
    el__flush_counts(r);
    if (r->status)
        return r->status;
    el_write_outcomes(r);
    return SIM_OK;
}

void el_stop(void *state)
{
    el_run *r = state;
    if (!r)
        return;
    if (r->hooks && r->hooks->events && r->eng)
        *r->hooks->events = sim_events_executed(r->eng);
    run_fini(r);
    free(r);
}
