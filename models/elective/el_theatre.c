/*
 * models/elective/el_theatre.c: theatre sessions, booking and the day of surgery.
 *
 * Each theatre (site) has a weekly plan of sessions. Every day at 06:00 the sessions
 * `book_days_ahead` days ahead are created, unless that day is a bank holiday or falls in a
 * planned closed week, and booked from the waiting list (on the first day, the sessions of
 * the first `book_days_ahead` days as well, from the backlog) (el__take: rebooking queue first,
 * then priority, then longest wait; pooled lists across trusts when the specialty is pooled).
 *
 * Slots. A list is planned by expected durations, as theatre schedulers plan: a session of
 * L minutes takes n cases of mean duration m with turnaround t between cases when
 * n m + (n - 1) t <= L, or the fixed `cases` of the plan (e.g. 2 primary hips). On the day
 * each case's real duration is drawn (lognormal or as given) from the patient's own stream,
 * so overruns and under-use arise from the spread of durations and late starts.
 * A `p1_share` of the slots is kept for P1 patients at booking; two days before the session
 * the slots still empty are offered to everyone.
 *
 * On the day, each booked case is cancelled for a patient reason (back to the list) or a
 * hospital reason (non-clinical: owed a new date within 28 days, so it goes into an already
 * booked session with room within 28 days at the same site, or the rebooking queue that the
 * next bookings take first; when bookings are made 28 days or more ahead, the earliest
 * session within the 28 days is overbooked). Cancelled slots are lost, not backfilled.
 *
 * Capped utilisation (docs/domain.md): in-theatre time (cases, not turnaround) that falls
 * inside the planned session, over planned session time. A session overruns when its last
 * case ends after the planned end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/rng.h"
#include "el_theatre.h"

/* first[k .. n] and items: for each key k (a list, or a specialty), the theatres t with a
 * session template of k, in order of t. One pass over the templates: counts, then places. */
static int index_theatres(const el_config *cfg, size_t n, bool by_list, uint32_t **first,
                          uint32_t **items)
{
    *first = calloc(n + 1, sizeof **first);
    *items = malloc((cfg->n_theatres * n + 1) * sizeof **items);
    int32_t *seen = malloc((n ? n : 1) * sizeof *seen); /* the last theatre counted for k */
    if (!*first || !*items || !seen) {
        free(seen);
        return SIM_ENOMEM;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < n; k++)
            seen[k] = -1;
        for (size_t t = 0; t < cfg->n_theatres; t++) {
            const el_theatre *th = &cfg->theatres[t];
            for (size_t j = 0; j < th->n_tpl; j++) {
                int k = by_list ? th->tpl[j].list : th->tpl[j].specialty;
                if (k < 0 || (size_t)k >= n || seen[k] == (int32_t)t)
                    continue;
                seen[k] = (int32_t)t;
                if (pass == 0)
                    (*first)[k + 1]++;
                else
                    (*items)[(*first)[k]++] = (uint32_t)t;
            }
        }
        if (pass == 0)
            for (size_t k = 0; k < n; k++) /* prefix sums: first[k] = start of key k */
                (*first)[k + 1] += (*first)[k];
    }
    /* The placing pass moved first[k] to the end of key k, which is the start of k + 1. */
    for (size_t k = n; k > 0; k--)
        (*first)[k] = (*first)[k - 1];
    (*first)[0] = 0;
    free(seen);
    return SIM_OK;
}

static void run_session(sim_engine *eng, void *ctx, uint64_t arg);

/* A session's event, announced by the engine (sim_set_prefetcher): two events ahead its
 * record, one ahead (the record is in cache now) its cases' records, which it reads in turn.
 * Sessions are most of a national run's events once its lists are lazy (el_run.c). */
static void session_prefetch(const void *ctx, uint64_t arg, unsigned ahead)
{
    const el_run *r = ctx;
    const el_session *s = &r->sess[arg];
    if (ahead > 1) {
        __builtin_prefetch(s);
        __builtin_prefetch((const char *)s + 64);
        __builtin_prefetch((const char *)s + sizeof *s - 1);
        return;
    }
    for (int i = 0; i < s->n && i < EL_MAX_CASES; i++)
        __builtin_prefetch(&r->pat[s->cases[i]]);
}

int thr_init(el_run *r)
{
    const el_config *cfg = r->cfg;
    r->sess_free = EL_NONE;
    if (index_theatres(cfg, cfg->n_lists, true, &r->lt_first, &r->lt_theatre) ||
        index_theatres(cfg, cfg->n_specialties, false, &r->st_first, &r->st_theatre))
        return SIM_ENOMEM;
    r->ts = calloc(cfg->n_theatres ? cfg->n_theatres : 1, sizeof *r->ts);
    if (!r->ts)
        return SIM_ENOMEM;
    /* A hint only: a run goes on without it when other models hold every prefetcher. */
    (void)sim_set_prefetcher(r->eng, run_session, session_prefetch);
    for (size_t t = 0; t < cfg->n_theatres; t++) {
        /* The n-th theatre entry of a site (n > 1) is "SITE#n", so entries keep apart. */
        int same = 1;
        for (size_t u = 0; u < t; u++)
            same += cfg->theatres[u].site == cfg->theatres[t].site;
        if (!(r->ts[t].sid = malloc((cfg->n_specialties + 1) * sizeof *r->ts[t].sid)))
            return SIM_ENOMEM;
        for (size_t k = 0; k < cfg->n_specialties; k++) {
            char name[600], nth[16] = "";
            if (same > 1)
                snprintf(nth, sizeof nth, "#%d", same);
            snprintf(name, sizeof name, "elective/theatre/%s%s/%s",
                     cfg->sites[cfg->theatres[t].site].code, nth, cfg->specialties[k].name);
            r->ts[t].sid[k] = sim_stream_id(name);
        }
    }
    return SIM_OK;
}

void thr_fini(el_run *r)
{
    if (r->ts)
        for (size_t t = 0; t < r->cfg->n_theatres; t++) {
            free(r->ts[t].pending);
            free(r->ts[t].sid);
        }
    free(r->ts);
    free(r->sess);
    free(r->lt_first);
    free(r->lt_theatre);
    free(r->st_first);
    free(r->st_theatre);
    r->lt_first = r->lt_theatre = r->st_first = r->st_theatre = NULL;
    r->ts = NULL;
    r->sess = NULL;
}

static uint32_t session_new(el_run *r)
{
    if (r->sess_free != EL_NONE) {
        uint32_t s = r->sess_free;
        r->sess_free = r->sess[s].next_free;
        return s;
    }
    if (r->n_sess == r->cap_sess) {
        size_t cap = r->cap_sess ? 2 * r->cap_sess : 64;
        el_session *ns = realloc(r->sess, cap * sizeof *ns);
        if (!ns)
            return EL_NONE;
        r->sess = ns;
        r->cap_sess = cap;
    }
    return (uint32_t)r->n_sess++;
}

static void session_free(el_run *r, uint32_t s)
{
    el_tstate *ts = &r->ts[r->sess[s].theatre];
    /* Swap-remove from the theatre's pending sessions (their order is the searches' order). */
    uint32_t i = r->sess[s].pending_pos;
    ts->pending[i] = ts->pending[--ts->n_pending];
    r->sess[ts->pending[i].session].pending_pos = i;
    r->sess[s].next_free = r->sess_free;
    r->sess_free = s;
}

static void fail(el_run *r)
{
    r->status = SIM_ENOMEM;
    sim_stop(r->eng);
}

/* Closed for a planned week? Either the listed weeks, or 52 - working_weeks weeks in
 * every 52 spread evenly: week w (counted from the Monday on or before the start) is closed
 * when (w c) mod 52 < c, which closes exactly c weeks in any 52 consecutive weeks. */
static bool closed_week(const el_config *cfg, const el_theatre *th, int64_t day)
{
    int64_t abs_day = cfg->cal.start_day + day;
    int64_t monday = abs_day - sim_calendar_weekday(&cfg->cal, (double)day);
    if (th->n_closed) {
        size_t lo = 0, hi = th->n_closed;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (th->closed_week_monday[mid] < monday)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < th->n_closed && th->closed_week_monday[lo] == monday;
    }
    int c = 52 - th->working_weeks;
    if (c <= 0)
        return false;
    int64_t first_monday = cfg->cal.start_day - cfg->cal.start_weekday;
    int64_t w = (monday - first_monday) / 7;
    return (w * c) % 52 < c;
}

static const sim_dist *case_dist(const el_config *cfg, const el_theatre *th, int sp)
{
    if (th->has_case_minutes[sp])
        return &th->case_minutes[sp];
    return cfg->specialties[sp].has_case_minutes ? &cfg->specialties[sp].case_minutes : NULL;
}

/* Patient p's procedure in its specialty's case mix (drawn once, from its own stream), or
 * NULL if the specialty has none. */
static const el_procedure *procedure_of(el_run *r, uint32_t p, int sp)
{
    const el_specialty *spec = &r->cfg->specialties[sp];
    if (!spec->n_procedures)
        return NULL;
    el_patient *pt = &r->pat[p];
    if (!pt->procedure) {
        double u = sim_rng_uniform(el__patient_rng(r, EL_PS_PROCEDURE, p, 0));
        int k = 0;
        while (k < spec->n_procedures - 1 && u >= spec->procedures[k].cum)
            k++;
        pt->procedure = (uint8_t)(k + 1);
    }
    return &spec->procedures[pt->procedure - 1];
}

/* The mean minutes patient p takes in a session of specialty sp at theatre th. */
static double mean_minutes(el_run *r, const el_theatre *th, int sp, uint32_t p)
{
    const el_procedure *pr = procedure_of(r, p, sp);
    if (pr)
        return pr->minutes.mean;
    const sim_dist *d = case_dist(r->cfg, th, sp);
    return d ? d->mean : 0.0;
}

/* Does p fit into session s: a free slot, and (filled by minutes) its mean minutes within
 * the fill? The first case always fits. */
static bool fits(el_run *r, const el_session *s, uint32_t p)
{
    if (s->n >= s->capacity)
        return false;
    if (s->fill_minutes <= 0 || s->n == 0)
        return true;
    const el_theatre *th = &r->cfg->theatres[s->theatre];
    return s->booked_minutes + th->turnaround_minutes +
               mean_minutes(r, th, s->specialty, p) <= s->fill_minutes + 1e-9;
}

static void add_case(el_run *r, el_session *s, uint32_t p)
{
    if (s->fill_minutes > 0) {
        const el_theatre *th = &r->cfg->theatres[s->theatre];
        s->booked_minutes += (s->n ? th->turnaround_minutes : 0.0) +
                             mean_minutes(r, th, s->specialty, p);
    }
    el_patient *pt = &r->pat[p];
    pt->state = EL_BOOKED;
    if (pt->attempts < 15)
        pt->attempts++;
    s->cases[s->n++] = p;
}

/*
 * Fill the session up to `limit_non_p1` slots (by minutes: that share of its fill) for any
 * priority and the rest for P1. Filled by minutes, the list closes at the first patient who
 * does not fit, who goes back to the list (a scheduler books the next list instead).
 */
static void book(el_run *r, el_session *s, int limit_non_p1, double non_p1_share)
{
    while (s->n < s->capacity) {
        bool non_p1 = s->fill_minutes > 0 ? s->booked_minutes < non_p1_share * s->fill_minutes
                                          : s->n < limit_non_p1;
        uint32_t p = el__take(r, s->list, s->site, non_p1);
        if (p == EL_NONE)
            break;
        if (!fits(r, s, p)) {
            el__wait(r, p);
            break;
        }
        add_case(r, s, p);
    }
}

static void topup(sim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    el_run *r = ctx;
    el_session *s = &r->sess[arg];
    book(r, s, s->capacity, 1.0);
}

/* May patient p be booked into session o (same booking source)? */
static bool compatible(el_run *r, const el_session *o, uint32_t p)
{
    int q, q2;
    el_pool *pool = el_pool_for(r, o->list, o->site, &q);
    if (!pool)
        return o->list == (int)r->pat[p].list;
    if (el_pool_for(r, (int)r->pat[p].list, o->site, &q2) != pool)
        return false;
    return (el_pool_mask(r, p) >> q) & 1;
}

/*
 * P1 (to be treated within 72 hours): booked at once into the earliest session of its list
 * (or pool) that starts after now and within 72 hours and has a free slot, else overbooked
 * into the earliest such session with room for another case (lists are planned with slack
 * for urgent cases, and the usual booking horizon does not apply). False if there is none:
 * the patient waits for the next booking, P1 first.
 */
/*
 * Among theatre ts's pending sessions of specialty spec starting in (now, deadline] that
 * patient p may go to: update *best, the earliest one the case fits, and *earliest, the
 * earliest with a free slot. Of sessions that start together the first in the plan wins:
 * the first theatre (theatres are searched in order), then the first of the day's sessions
 * of the theatre's specialty (draw_key). Not the first in the pending array, whose order
 * changes as other lists' sessions run: a decision to admit that a lazy list makes later
 * in the engine's time (el_run.c, catch_up_list) must find the session it would have found
 * as an event.
 */
static bool sooner(const el_session *o, const el_session *than)
{
    return o->start < than->start || (o->start == than->start && o->theatre == than->theatre &&
                                      o->draw_key < than->draw_key);
}

static void find_slot(el_run *r, const el_tstate *ts, double now, double deadline, int spec,
                      uint32_t p, uint32_t *best, uint32_t *earliest)
{
    /* The pending sessions that pass the filter, a batch at a time, their records
     * prefetched before any is read: a national run's P1 booking opens some 20 sessions,
     * each a cache miss, which then overlap. */
    enum { BATCH = 32 };
    uint32_t cand[BATCH];
    size_t i = 0;
    while (i < ts->n_pending) {
        int n = 0;
        for (; i < ts->n_pending && n < BATCH; i++) {
            const el_pending *q = &ts->pending[i];
            if (q->start <= now || q->start > deadline || q->specialty != spec)
                continue;
            cand[n++] = q->session;
            /* Its first 64 bytes, which may straddle two lines. */
            __builtin_prefetch(&r->sess[q->session]);
            __builtin_prefetch((const char *)&r->sess[q->session] + 63);
        }
        for (int k = 0; k < n; k++) {
            uint32_t j = cand[k];
            const el_session *o = &r->sess[j];
            if (!compatible(r, o, p))
                continue;
            if (fits(r, o, p) && (*best == EL_NONE || sooner(o, &r->sess[*best])))
                *best = j;
            if (o->n < EL_MAX_CASES && (*earliest == EL_NONE || sooner(o, &r->sess[*earliest])))
                *earliest = j;
        }
    }
}

bool thr_book_urgent(el_run *r, uint32_t p)
{
    const el_config *cfg = r->cfg;
    const el_patient *pt = &r->pat[p];
    double now = el__now(r), deadline = now + 3.0;
    int spec = r->ls[pt->list].specialty;
    int ci = cfg->specialties[spec].collab;
    bool pooled = ci >= 0 && cfg->collabs[ci].policy == EL_POOLED && r->pools[ci].active;
    /* Only the theatres that could take the patient: its list's, or its pooled specialty's. */
    const uint32_t *first = pooled ? r->st_first : r->lt_first;
    const uint32_t *items = pooled ? r->st_theatre : r->lt_theatre;
    size_t key = pooled ? (size_t)spec : pt->list;
    uint32_t best = EL_NONE, earliest = EL_NONE;
    for (uint32_t k = first[key]; k < first[key + 1]; k++)
        find_slot(r, &r->ts[items[k]], now, deadline, spec, p, &best, &earliest);
    if (best == EL_NONE)
        best = earliest;
    if (best == EL_NONE)
        return false;
    r->pat[p].stamp++;
    add_case(r, &r->sess[best], p);
    return true;
}

static void rebook(el_run *r, const el_session *s, uint32_t p)
{
    const el_theatre *th = &r->cfg->theatres[s->theatre];
    el_tstate *ts = &r->ts[s->theatre];
    double now = s->start, deadline = now + EL_REBOOK_DAYS;
    uint32_t best = EL_NONE, earliest = EL_NONE;
    find_slot(r, ts, now, deadline, s->specialty, p, &best, &earliest);
    if (best == EL_NONE && th->book_days_ahead >= EL_REBOOK_DAYS)
        best = earliest;
    if (best != EL_NONE) {
        add_case(r, &r->sess[best], p);
        return;
    }
    el_patient *pt = &r->pat[p];
    pt->state = EL_REBOOK;
    pt->stamp++;
    if (rtt_heap_push(&r->ls[pt->list].heap[EL_HEAP_REBOOK], deadline, p, pt->stamp))
        fail(r);
}

/*
 * An inpatient case on the day (the specialty's `inpatient` share, drawn from the patient's
 * own bed stream, so nothing else moves): cancelled for bed pressure with the probability
 * the beds model publishes for the site (none when no flow brings it), else offered a bed
 * for its drawn stay; a refused bed cancels it too. Returns true if the case goes ahead.
 */
static bool bed_for_case(el_run *r, const el_session *s, uint32_t p)
{
    const el_specialty *sp = &r->cfg->specialties[s->specialty];
    const el_procedure *pr = procedure_of(r, p, s->specialty);
    if (pr ? !pr->inpatient : !sp->has_inpatient || sp->inpatient_share <= 0)
        return true;                                   /* a day case */
    el_patient *pt = &r->pat[p];
    gsl_rng *g = el__patient_rng(r, EL_PS_BED, p, pt->attempts);
    double u_ip = sim_rng_uniform(g), u_bed = sim_rng_uniform(g);
    double stay = sim_dist_sample(pr ? &pr->stay : &sp->inpatient_stay, g);
    if (!pr && u_ip >= sp->inpatient_share)
        return true;                                   /* a day case */
    double pc = sim_signal_get(r->run, r->self, EL_PORT_BED_PRESSURE, (size_t)s->site);
    bool go = !(u_bed < pc);                           /* NaN (no beds model): no pressure */
    if (go && sim_port_connected(r->run, r->self, EL_PORT_INPATIENTS)) {
        sim_patient bed = {.id = pt->uid, .trust = r->cfg->lists[pt->list].trust,
                           .site = s->site, .priority = pt->priority + 1, .kind = s->specialty,
                           .clock_start = pt->clock_start, .attr = {stay}};
        go = sim_offer(r->run, r->self, EL_PORT_INPATIENTS, &bed);
    }
    if (go)
        el__count(r, r->m.inpatients, s->list, 1);
    else
        el__count(r, r->m.bed_cancellations, s->list, 1);
    return go;
}

static void run_session(sim_engine *eng, void *ctx, uint64_t arg)
{
    el_run *r = ctx;
    const el_config *cfg = r->cfg;
    r->catch_up(r, r->sess[arg].list); /* its deferred events first (el_run.c) */
    el_session s = r->sess[arg]; /* a copy: rebooking may add to other sessions */
    const el_theatre *th = &cfg->theatres[s.theatre];
    const sim_dist *dist = case_dist(cfg, th, s.specialty);
    double L = s.minutes, cursor = 0, inside = 0;
    int ran = 0, cancelled = 0;
    if (th->has_start_delay) {
        sim_rng_seek(r->session_rng, r->seed, r->rep, r->ts[s.theatre].sid[s.specialty],
                     s.draw_key);
        cursor = sim_dist_sample(&th->start_delay, r->session_rng);
    }
    double delay = cursor;
    session_free(r, (uint32_t)arg);
    for (int i = 0; i < s.n; i++) {
        uint32_t p = s.cases[i];
        el_patient *pt = &r->pat[p];
        double u = sim_rng_uniform(el__patient_rng(r, EL_PS_CANCEL, p, pt->attempts));
        if (u < th->cancel_patient + th->cancel_hospital && r->hooks && r->hooks->on_cancelled)
            r->hooks->on_cancelled(r->hooks->ctx, pt->uid, s.start, u >= th->cancel_patient);
        if (u < th->cancel_patient) {
            cancelled++;
            el__wait(r, p);
            continue;
        }
        if (u < th->cancel_patient + th->cancel_hospital || !bed_for_case(r, &s, p)) {
            cancelled++;
            rebook(r, &s, p);   /* a hospital reason: rebooked within 28 days */
            continue;
        }
        double d = 0;
        const el_procedure *pr = procedure_of(r, p, s.specialty);
        const sim_dist *cd = pr ? &pr->minutes : dist;
        if (cd) {
            d = sim_dist_sample(cd, el__patient_rng(r, EL_PS_CASE, p, pt->attempts));
        }
        if (ran > 0)
            cursor += th->turnaround_minutes;
        double start = cursor, end = cursor + d;
        inside += fmax(0.0, fmin(end, L) - fmin(start, L));
        cursor = end;
        ran++;
        int home = (int)pt->list;
        if (cfg->lists[home].trust != cfg->lists[s.list].trust) {
            el__count(r, r->m.transfers_out, home, 1);
            el__count(r, r->m.transfers_in, s.list, 1);
        }
        el__treat(r, p, s.site, s.start + start / 1440.0);
    }
    el__count(r, r->m.sessions_run, s.list, 1);
    el__count(r, r->m.cases, s.list, ran);
    el__count(r, r->m.cancellations, s.list, cancelled);
    if (ran > 0 && cursor > L)
        el__count(r, r->m.overruns, s.list, 1);
    /* NHS Improvement's measures (2019): 30 minutes or more early at the end, late at the
     * start (a list with no case run finishes early). */
    if (cursor <= L - 30.0)
        el__count(r, r->m.early_finishes, s.list, 1);
    if (delay >= 30.0)
        el__count(r, r->m.late_starts, s.list, 1);
    if (r->period < cfg->n_times) {
        r->ls[s.list].capped_minutes[r->period] += inside;
        r->ls[s.list].planned_minutes[r->period] += L;
    }
    (void)eng;
}

/* Create and book theatre t's sessions of day d (now is the booking time). */
static void plan_day(el_run *r, size_t t, int64_t d, double now)
{
    const el_config *cfg = r->cfg;
    const el_theatre *th = &cfg->theatres[t];
    if ((double)d > cfg->horizon_days)
        return;
    if (sim_calendar_is_holiday(&cfg->cal, (double)d) || closed_week(cfg, th, d))
        return;
    int wd = sim_calendar_weekday(&cfg->cal, (double)d);
    for (size_t k = 0; k < th->n_tpl; k++) {
        const el_session_tpl *tp = &th->tpl[k];
        if (tp->weekday != wd || (double)d < tp->from_t || (double)d >= tp->until_t)
            continue;
        /* By count (cases given, or the slots the mean case fills), or by minutes (a case
         * mix, or book_minutes): cases booked while their mean minutes fit the fill. */
        int capacity = tp->fixed_cases;
        double fill = 0;
        bool by_minutes = !capacity && (th->book_minutes > 0 ||
                                        cfg->specialties[tp->specialty].n_procedures > 0);
        if (by_minutes) {
            capacity = EL_MAX_CASES;
            fill = (th->book_minutes > 0 ? th->book_minutes : 1.0) * tp->minutes;
        } else if (!capacity) {
            double m = case_dist(cfg, th, tp->specialty)->mean, tt = th->turnaround_minutes;
            capacity = (int)floor((tp->minutes + tt) / (m + tt) + 1e-9);
        }
        if (capacity > EL_MAX_CASES)
            capacity = EL_MAX_CASES;
        /* The session's rank among this specialty's sessions here that day. */
        int rank = 0;
        for (size_t j = 0; j < k; j++) {
            const el_session_tpl *o = &th->tpl[j];
            if (o->specialty == tp->specialty && o->weekday == wd && (double)d >= o->from_t &&
                (double)d < o->until_t)
                rank += o->count;
        }
        for (int c = 0; c < tp->count; c++) {
            double start = (double)d + (c % 2 ? 13.0 : 8.0) / 24.0;
            if (start > cfg->horizon_days || start <= now)
                continue;
            uint32_t si = session_new(r);
            el_tstate *ts = &r->ts[t];
            if (si == EL_NONE) {
                fail(r);
                return;
            }
            if (ts->n_pending == ts->cap_pending) {
                size_t cap = ts->cap_pending ? 2 * ts->cap_pending : 32;
                el_pending *np = realloc(ts->pending, cap * sizeof *np);
                if (!np) {
                    fail(r);
                    return;
                }
                ts->pending = np;
                ts->cap_pending = cap;
            }
            el_session *s = &r->sess[si];
            s->pending_pos = (uint32_t)ts->n_pending;
            ts->pending[ts->n_pending++] = (el_pending){start, si, tp->specialty};
            s->start = start;
            s->minutes = tp->minutes;
            s->theatre = (int)t;
            s->list = tp->list;
            s->specialty = tp->specialty;
            s->site = th->site;
            s->n = 0;
            s->capacity = capacity;
            s->fill_minutes = fill;
            s->booked_minutes = 0;
            s->draw_key = (uint64_t)d << 16 | (uint64_t)(rank + c);
            /* Booked inside the last two days (only at the start of a run): every slot is
             * open at once, as the top-up would have opened them by now. */
            int limit = start - 2.0 > now ? (int)floor(capacity * (1.0 - th->p1_share) + 1e-9)
                                          : capacity;
            book(r, s, limit, start - 2.0 > now ? 1.0 - th->p1_share : 1.0);
            if (!sim_schedule_at(r->eng, start, run_session, r, si)) {
                fail(r);
                return;
            }
            if (limit < capacity && !sim_schedule_at(r->eng, start - 2.0, topup, r, si)) {
                fail(r);
                return;
            }
        }
    }
}

/*
 * Each day books the sessions `book_days_ahead` days ahead. On the first day the sessions
 * before that horizon are booked too, in date order, from the backlog (a run starts with a
 * list already booked, not with empty theatres for the booking lead time).
 */
void thr_daily(el_run *r, int64_t day)
{
    const el_config *cfg = r->cfg;
    double now = sim_now(r->eng);
    for (size_t t = 0; t < cfg->n_theatres; t++) {
        int ahead = cfg->theatres[t].book_days_ahead;
        if (day == 0)
            for (int64_t d = 0; d < ahead; d++)
                plan_day(r, t, d, now);
        plan_day(r, t, day + ahead, now);
        if (r->status)
            return;
    }
}
