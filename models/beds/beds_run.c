/* models/beds/beds_run.c: one replication of the beds model (patients, ports, statistics). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "beds_metrics.h"
#include "beds_model.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/stats.h"

#define BEDS_ID_TAG (UINT64_C(0xbe) << 56) /* patient ids: (tag << 56) | serial */
#define CENSUS_MAX 32                       /* daily censuses kept per month */

/* A level (beds in use) and its area: this month's and since the warm-up. */
typedef struct level {
    double level, last, month, total;
} level;

static void level_advance(level *l, double t)
{
    double area = l->level * (t - l->last);
    l->month += area;
    l->total += area;
    l->last = t;
}

static void level_add(level *l, double t, double delta)
{
    level_advance(l, t);
    l->level += delta;
}

typedef struct patient {
    double admit, fit, leave;
    sim_event_id ev_fit, ev_leave, ev_step;
    uint64_t id;
    uint32_t site;
    uint8_t elective, ring, nctr, active;
    uint64_t next_free;
} patient;

typedef struct site_state {
    double beds_now;
    long general, ring;                /* general beds in use (with outliers); ring-fenced */
    level occ, ne, el, nctr, avail;
    double census[CENSUS_MAX];
    size_t n_census;
    uint64_t arrivals;                 /* own arrivals so far: the patient's entity */
    uint64_t admit_ne, admit_el, avoided, boarded, refused, delayed, step_off, step_acc;
    double step_saved, stay_sum;
    gsl_rng *rng_arrivals, *rng_patients, *rng_offered, *rng_prefill;
} site_state;

typedef struct beds_state {
    const beds_config *cfg;
    sim_run *run;
    size_t self;
    sim_engine *engine;
    sim_record *out;
    site_state *sites;
    uint64_t *credits;                 /* avoided admissions per system trust */
    patient *patients;
    size_t n_patients, cap_patients;
    uint64_t free_head;                /* index + 1 of the first free slot */
    uint64_t next_id;
    double last_snapshot;
    uint64_t avoided_offered, unplaced;
} beds_state;

static bool counted(const beds_state *s)
{
    return sim_now(s->engine) >= s->cfg->warmup_days;
}

/*
 * The signals of site i: free beds, and the probability that an inpatient elective due now
 * is cancelled for bed pressure (the bed_pressure curve at the site's occupancy while free
 * beds are under the threshold, else 0), which the elective model applies.
 */
static void publish_free(beds_state *s, size_t i)
{
    const site_state *ss = &s->sites[i];
    double free_beds = ss->beds_now - (double)ss->general;
    int site = s->cfg->sites[i].site;
    sim_signal_set(s->run, s->self, BEDS_PORT_FREE_BEDS, (size_t)site,
                   free_beds > 0 ? free_beds : 0);
    const beds_pressure *bp = &s->cfg->pressure;
    double p = 0;
    /* While a ring-fenced bed is free an elective takes it: no pressure on electives. */
    bool ring_free = ss->ring < s->cfg->sites[i].ring_fenced;
    if (bp->enabled && !ring_free && ss->beds_now > 0 &&
        beds_pressure_applies(bp, site, free_beds))
        p = beds_cancel_probability(bp, site, (double)ss->general / ss->beds_now);
    sim_signal_set(s->run, s->self, BEDS_PORT_CANCEL_PROBABILITY, (size_t)site, p);
}

static void fail_nomem(beds_state *s)
{
    sim_run_fail(s->run, s->self, SIM_ENOMEM, "beds: out of memory");
}

static uint64_t patient_new(beds_state *s)
{
    if (s->free_head) {
        uint64_t i = s->free_head - 1;
        s->free_head = s->patients[i].next_free;
        return i;
    }
    if (s->n_patients == s->cap_patients) {
        size_t cap = s->cap_patients ? 2 * s->cap_patients : 1024;
        patient *bigger = realloc(s->patients, cap * sizeof *bigger);
        if (!bigger)
            return UINT64_MAX;
        s->patients = bigger;
        s->cap_patients = cap;
    }
    return s->n_patients++;
}

/* Time in bed within [warm-up, horizon] of a stay [from, to). */
static double counted_days(const beds_config *c, double from, double to)
{
    double a = from > c->warmup_days ? from : c->warmup_days;
    double b = to < c->horizon_days ? to : c->horizon_days;
    return b > a ? b - a : 0;
}

/* Take a bed at site i: 1 general, 2 ring-fenced, 0 none (when_full: refuse). */
static int take_bed(beds_state *s, size_t i, bool elective, bool count)
{
    site_state *ss = &s->sites[i];
    if (elective && ss->ring < s->cfg->sites[i].ring_fenced)
        return 2;
    if ((double)ss->general < ss->beds_now)
        return 1;
    if (s->cfg->when_full == BEDS_REFUSE) {
        if (count) {
            sim_record_add(s->out, BM_REFUSED, sim_run_period(s->run), i, 1);
            ss->refused += counted(s);
        }
        return 0;
    }
    if (count) {
        sim_record_add(s->out, BM_BOARDED, sim_run_period(s->run), i, 1);
        ss->boarded += counted(s);
    }
    return 1;
}

static void discharge(beds_state *s, uint64_t k)
{
    patient *p = &s->patients[k];
    site_state *ss = &s->sites[p->site];
    double now = sim_now(s->engine);
    if (p->ring) {
        ss->ring--;
    } else {
        ss->general--;
        level_add(&ss->occ, now, -1);
    }
    level_add(p->elective ? &ss->el : &ss->ne, now, -1);
    if (p->nctr)
        level_add(&ss->nctr, now, -1);
    if (!p->elective && p->fit < p->leave && now >= p->leave) {
        sim_record_add(s->out, BM_DELAYED, sim_run_period(s->run), p->site, 1);
        ss->delayed += counted(s);
    }
    ss->stay_sum += counted_days(s->cfg, p->admit, now);
    if (p->ev_fit)
        sim_cancel(s->engine, p->ev_fit);
    if (p->ev_step)
        sim_cancel(s->engine, p->ev_step);
    p->active = 0;
    p->next_free = s->free_head;
    s->free_head = k + 1;
    publish_free(s, p->site);
}

static void on_leave(sim_engine *e, void *ctx, uint64_t k)
{
    (void)e;
    beds_state *s = ctx;
    s->patients[k].ev_leave = 0;
    discharge(s, k);
}

/* The clinical stay is over: the patient waits for a delayed discharge (NCTR). */
static void on_fit(sim_engine *e, void *ctx, uint64_t k)
{
    beds_state *s = ctx;
    patient *p = &s->patients[k];
    p->ev_fit = 0;
    p->nctr = 1;
    level_add(&s->sites[p->site].nctr, sim_now(e), 1);
}

static void on_step_down(sim_engine *e, void *ctx, uint64_t k)
{
    beds_state *s = ctx;
    patient *p = &s->patients[k];
    p->ev_step = 0;
    double now = sim_now(e);
    const beds_site *b = &s->cfg->sites[p->site];
    site_state *ss = &s->sites[p->site];
    size_t period = sim_run_period(s->run);
    sim_patient offer = {.id = p->id, .trust = b->trust, .site = b->site, .kind = 0,
                         .clock_start = p->admit, .attr = {p->leave - now}};
    sim_record_add(s->out, BM_STEP_OFFERED, period, p->site, 1);
    ss->step_off += counted(s);
    if (!sim_offer(s->run, s->self, BEDS_PORT_STEP_DOWN, &offer))
        return; /* the virtual ward is full: the patient stays in their bed */
    /* The receiver may have offered patients back (an escalation) and grown the pool. */
    p = &s->patients[k];
    sim_record_add(s->out, BM_STEP_ACCEPTED, period, p->site, 1);
    ss->step_acc += counted(s);
    ss->step_saved += counted_days(s->cfg, now, p->leave);
    sim_cancel(e, p->ev_leave);
    p->ev_leave = 0;
    discharge(s, k);
}

/* Put a patient in bed `bed` (1 general, 2 ring-fenced) from `admit` to `leave`. */
static void start_patient(beds_state *s, size_t i, bool elective, int bed, double admit,
                          double fit, double leave, bool step_down)
{
    double now = sim_now(s->engine);
    uint64_t k = patient_new(s);
    if (k == UINT64_MAX) {
        fail_nomem(s);
        return;
    }
    site_state *ss = &s->sites[i];
    patient *p = &s->patients[k];
    *p = (patient){.admit = admit, .fit = fit, .leave = leave, .id = BEDS_ID_TAG | s->next_id++,
                   .site = (uint32_t)i, .elective = elective, .ring = bed == 2, .active = 1};
    if (p->ring) {
        ss->ring++;
    } else {
        ss->general++;
        level_add(&ss->occ, now, 1);
    }
    level_add(elective ? &ss->el : &ss->ne, now, 1);
    if (fit <= now && now < leave && fit < leave) {
        p->nctr = 1;
        level_add(&ss->nctr, now, 1);
    } else if (fit < leave) {
        p->ev_fit = sim_schedule_at(s->engine, fit, on_fit, s, k);
    }
    p->ev_leave = sim_schedule_at(s->engine, leave, on_leave, s, k);
    if (step_down) {
        double at = admit + s->cfg->sites[i].step_down_at * (fit - admit);
        if (at >= now && at < leave)
            p->ev_step = sim_schedule_at(s->engine, at, on_step_down, s, k);
    }
    publish_free(s, i);
}

/* A non-elective patient's draws, in a fixed order from their own entity of `r`. */
static void draw_stay(const beds_site *b, gsl_rng *r, double *stay, double *delay, bool *step)
{
    double u_delay = gsl_rng_uniform(r), u_step = gsl_rng_uniform(r);
    *stay = sim_dist_sample(&b->stay, r);
    *delay = u_delay < b->delay_share ? sim_dist_sample(&b->delay, r) : 0;
    *step = u_step < b->step_down_share;
}

/* Admit a non-elective patient now at site i with draws from r: 1 admitted, 0 refused. */
static int admit_non_elective(beds_state *s, size_t i, gsl_rng *r)
{
    const beds_site *b = &s->cfg->sites[i];
    double now = sim_now(s->engine), stay, delay;
    bool step;
    draw_stay(b, r, &stay, &delay, &step);
    int bed = take_bed(s, i, false, true);
    if (!bed)
        return 0;
    sim_record_add(s->out, BM_ADMIT_NE, sim_run_period(s->run), i, 1);
    s->sites[i].admit_ne += counted(s);
    start_patient(s, i, false, bed, now, now + stay, now + stay + delay, step);
    return 1;
}

static void on_arrival(sim_engine *e, void *ctx, uint64_t i)
{
    beds_state *s = ctx;
    const beds_site *b = &s->cfg->sites[i];
    site_state *ss = &s->sites[i];
    double next = sim_next_arrival(&b->admissions, &s->cfg->cal, sim_now(e), ss->rng_arrivals);
    if (next <= s->cfg->horizon_days)
        sim_schedule_at(e, next, on_arrival, s, i);
    uint64_t serial = ss->arrivals++;
    if (s->credits[b->trust] > 0) {
        s->credits[b->trust]--;
        sim_record_add(s->out, BM_AVOIDED, sim_run_period(s->run), i, 1);
        ss->avoided += counted(s);
        return;
    }
    sim_rng_set_entity(ss->rng_patients, serial);
    admit_non_elective(s, i, ss->rng_patients);
}

/* The beds site for an offer: its site if held here, else its trust's site with most free
 * beds, else the only site. -1 if none. */
static long offer_site(const beds_state *s, const sim_patient *p)
{
    const beds_config *c = s->cfg;
    int trust = p->trust;
    if (p->site >= 0 && (size_t)p->site < c->n_system_sites) {
        if (c->site_of[p->site] >= 0)
            return c->site_of[p->site];
        if (trust < 0)
            trust = c->site_trust[p->site]; /* a site without beds here: its trust's */
    }
    long best = -1;
    double most = -INFINITY;
    for (size_t i = 0; i < c->n_sites; i++) {
        if (trust >= 0 && c->sites[i].trust != trust)
            continue;
        if (trust < 0 && c->n_sites > 1)
            break;
        double free_beds = s->sites[i].beds_now - (double)s->sites[i].general;
        if (free_beds > most) {
            most = free_beds;
            best = (long)i;
        }
    }
    return best;
}

static int accept_admit(beds_state *s, const sim_patient *p)
{
    long i = offer_site(s, p);
    if (i < 0) {
        s->unplaced += counted(s);
        return 0;
    }
    gsl_rng *r = s->sites[i].rng_offered;
    sim_rng_set_entity(r, p->id);
    return admit_non_elective(s, (size_t)i, r);
}

static int accept_elective(beds_state *s, const sim_patient *p)
{
    long i = p->site >= 0 && (size_t)p->site < s->cfg->n_system_sites
                 ? s->cfg->site_of[p->site] : -1;
    if (i < 0) {
        s->unplaced += counted(s);
        return 0;
    }
    double los = p->attr[0];
    if (!(los >= 0 && isfinite(los))) {
        sim_run_fail(s->run, s->self, SIM_EINVAL,
                     "beds.elective_admit: length of stay %g is not a number of days >= 0",
                     los);
        return 0;
    }
    int bed = take_bed(s, (size_t)i, true, true);
    if (!bed)
        return 0;
    double now = sim_now(s->engine);
    sim_record_add(s->out, BM_ADMIT_EL, sim_run_period(s->run), (size_t)i, 1);
    s->sites[i].admit_el += counted(s);
    start_patient(s, (size_t)i, true, bed, now, now + los, now + los, false);
    return 1;
}

static int accept_avoided(beds_state *s, const sim_patient *p)
{
    const beds_config *c = s->cfg;
    int trust = -1;
    if (p->trust >= 0 && (size_t)p->trust < c->n_system_trusts)
        trust = p->trust;
    else if (p->site >= 0 && (size_t)p->site < c->n_system_sites)
        trust = c->site_trust[p->site];
    else if (p->trust < 0 && p->site < 0)
        trust = c->single_trust;
    if (trust < 0) {
        s->unplaced += counted(s);
        return 0;
    }
    s->credits[trust]++;
    s->avoided_offered += counted(s);
    return 1;
}

static int beds_accept(void *state, size_t port, const sim_patient *p)
{
    beds_state *s = state;
    switch (port) {
    case BEDS_PORT_ADMIT:
        return accept_admit(s, p);
    case BEDS_PORT_AVOIDED:
        return accept_avoided(s, p);
    case BEDS_PORT_ELECTIVE_ADMIT:
        return accept_elective(s, p);
    default:
        return 0;
    }
}

/* Beds available from the first of each month (capacity class: before the day's events). */
static void on_month(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    beds_state *s = ctx;
    const beds_config *c = s->cfg;
    double now = sim_now(e);
    int m = sim_calendar_month(&c->cal, now) - 1;
    for (size_t i = 0; i < c->n_sites; i++) {
        level_advance(&s->sites[i].avail, now);
        s->sites[i].beds_now = s->sites[i].avail.level = c->sites[i].beds[m];
        publish_free(s, i);
    }
    sim_date d = sim_calendar_date(&c->cal, now);
    d.day = 1;
    if (++d.month > 12) {
        d.month = 1;
        d.year++;
    }
    double next = sim_calendar_time_of(&c->cal, d);
    if (next < c->horizon_days)
        sim_schedule_at_class(e, next, SIM_CLASS_CAPACITY, on_month, s, 0);
}

static void on_census(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    beds_state *s = ctx;
    for (size_t i = 0; i < s->cfg->n_sites; i++) {
        site_state *ss = &s->sites[i];
        if (ss->beds_now > 0 && ss->n_census < CENSUS_MAX)
            ss->census[ss->n_census++] = (double)ss->general / ss->beds_now;
    }
    double next = sim_now(e) + 1;
    if (next <= s->cfg->horizon_days)
        sim_schedule_at_class(e, next, SIM_CLASS_LATE, on_census, s, 0);
}

/* Patients already in bed at the start: arrivals over the prefill days before day 0 at the
 * start month's mean rate (an M/G/infinity census, exact when the days exceed most stays). */
static int prefill(beds_state *s, size_t i)
{
    const beds_config *c = s->cfg;
    const beds_site *b = &c->sites[i];
    gsl_rng *r = s->sites[i].rng_prefill;
    int m0 = sim_calendar_month(&c->cal, 0) - 1;
    double rate = b->admissions.rate_per_day * b->admissions.month[m0];
    unsigned n = gsl_ran_poisson(r, rate * c->prefill_days);
    for (unsigned j = 0; j < n; j++) {
        sim_rng_set_entity(r, (uint64_t)j + 1);
        double t = -c->prefill_days * gsl_rng_uniform(r), stay, delay;
        bool step;
        draw_stay(b, r, &stay, &delay, &step);
        if (t + stay + delay <= 0)
            continue;
        int bed = take_bed(s, i, false, false);
        if (bed)
            start_patient(s, i, false, bed, t, t + stay, t + stay + delay, false);
    }
    return sim_engine_error(s->engine);
}

static int beds_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    const beds_config *c = cfg;
    beds_state *s = calloc(1, sizeof *s);
    *state = s;
    if (!s)
        return SIM_ENOMEM;
    *s = (beds_state){.cfg = c, .run = run, .self = self, .engine = sim_run_engine(run),
                      .out = sim_run_record(run, self)};
    s->sites = calloc(c->n_sites, sizeof *s->sites);
    s->credits = calloc(c->n_system_trusts ? c->n_system_trusts : 1, sizeof *s->credits);
    if (!s->sites || !s->credits)
        return SIM_ENOMEM;
    int rc = sim_signal_publish(run, self, BEDS_PORT_FREE_BEDS, c->n_system_sites, NAN);
    if (!rc)
        rc = sim_signal_publish(run, self, BEDS_PORT_CANCEL_PROBABILITY, c->n_system_sites, 0.0);
    if (rc)
        return rc;
    int m0 = sim_calendar_month(&c->cal, 0) - 1;
    for (size_t i = 0; i < c->n_sites; i++) {
        site_state *ss = &s->sites[i];
        char name[160];
        const char *what[] = {"arrivals", "patients", "admitted", "prefill"};
        gsl_rng **rngs[] = {&ss->rng_arrivals, &ss->rng_patients, &ss->rng_offered,
                            &ss->rng_prefill};
        for (int k = 0; k < 4; k++) {
            snprintf(name, sizeof name, "%s/%s", what[k], c->sites[i].code);
            if (!(*rngs[k] = sim_run_stream(run, self, name)))
                return SIM_ENOMEM;
        }
        ss->beds_now = ss->avail.level = c->sites[i].beds[m0];
        publish_free(s, i);
    }
    for (size_t i = 0; i < c->n_sites; i++) {
        const beds_site *b = &c->sites[i];
        if (!b->has_admissions)
            continue;
        if (c->prefill_days > 0 && (rc = prefill(s, i)))
            return rc;
        double first = sim_next_arrival(&b->admissions, &c->cal, 0, s->sites[i].rng_arrivals);
        if (first <= c->horizon_days && !sim_schedule_at(s->engine, first, on_arrival, s, i))
            return SIM_ENOMEM;
    }
    sim_date d = sim_calendar_date(&c->cal, 0);
    d.day = 1;
    if (++d.month > 12) {
        d.month = 1;
        d.year++;
    }
    double next = sim_calendar_time_of(&c->cal, d);
    if (next < c->horizon_days &&
        !sim_schedule_at_class(s->engine, next, SIM_CLASS_CAPACITY, on_month, s, 0))
        return SIM_ENOMEM;
    if (!sim_schedule_at_class(s->engine, c->census_hour / 24, SIM_CLASS_LATE, on_census, s, 0))
        return SIM_ENOMEM;
    return SIM_OK;
}

static void daily_summary(beds_state *s, size_t i, size_t k)
{
    site_state *ss = &s->sites[i];
    double lo = NAN, mid = NAN, hi = NAN;
    if (ss->n_census) {
        mid = sim_quantile_inplace(ss->census, ss->n_census, 0.5);
        lo = ss->census[0]; /* sorted by the quantile */
        hi = ss->census[ss->n_census - 1];
    }
    sim_record_set(s->out, BM_DAILY_MIN, k, i, lo);
    sim_record_set(s->out, BM_DAILY_MEDIAN, k, i, mid);
    sim_record_set(s->out, BM_DAILY_MAX, k, i, hi);
    ss->n_census = 0;
}

static void beds_snapshot(void *state, size_t k)
{
    beds_state *s = state;
    double now = sim_now(s->engine), span = now - s->last_snapshot;
    for (size_t i = 0; i < s->cfg->n_sites; i++) {
        site_state *ss = &s->sites[i];
        level *lv[] = {&ss->occ, &ss->ne, &ss->el, &ss->nctr, &ss->avail};
        for (int j = 0; j < 5; j++)
            level_advance(lv[j], now);
        double mean = span > 0 ? ss->occ.month / span : ss->occ.level;
        double beds = span > 0 ? ss->avail.month / span : ss->beds_now;
        sim_record_set(s->out, BM_OCCUPIED, k, i, (double)ss->general);
        sim_record_set(s->out, BM_BEDS, k, i, beds);
        sim_record_set(s->out, BM_MEAN_OCCUPIED, k, i, mean);
        sim_record_set(s->out, BM_OCCUPANCY, k, i, beds > 0 ? mean / beds : NAN);
        sim_record_set(s->out, BM_NCTR, k, i,
                       span > 0 ? ss->nctr.month / span : ss->nctr.level);
        sim_record_set(s->out, BM_BED_DAYS_NE, k, i, ss->ne.month);
        sim_record_set(s->out, BM_BED_DAYS_EL, k, i, ss->el.month);
        sim_record_set(s->out, BM_RING_OCCUPIED, k, i, (double)ss->ring);
        daily_summary(s, i, k);
        for (int j = 0; j < 5; j++)
            lv[j]->month = 0;
    }
    s->last_snapshot = now;
}

static void beds_warmup_end(void *state)
{
    beds_state *s = state;
    double now = sim_now(s->engine);
    for (size_t i = 0; i < s->cfg->n_sites; i++) {
        site_state *ss = &s->sites[i];
        level *lv[] = {&ss->occ, &ss->ne, &ss->el, &ss->nctr, &ss->avail};
        for (int j = 0; j < 5; j++) {
            level_advance(lv[j], now);
            lv[j]->total = 0;
        }
    }
}

static int beds_finish(void *state, sim_record *out)
{
    beds_state *s = state;
    const beds_config *c = s->cfg;
    double h = c->horizon_days, span = h - (c->warmup_days < h ? c->warmup_days : h);
    for (size_t k = 0; k < s->n_patients; k++)
        if (s->patients[k].active)
            s->sites[s->patients[k].site].stay_sum +=
                counted_days(c, s->patients[k].admit, h);
    for (size_t i = 0; i < c->n_sites; i++) {
        site_state *ss = &s->sites[i];
        level *lv[] = {&ss->occ, &ss->ne, &ss->el, &ss->nctr, &ss->avail};
        for (int j = 0; j < 5; j++)
            level_advance(lv[j], h);
        uint64_t tried = ss->admit_ne + ss->admit_el + ss->refused;
        sim_record_set(out, BM_T_OCCUPIED, 0, i, span > 0 ? ss->occ.total / span : NAN);
        sim_record_set(out, BM_T_OCCUPANCY, 0, i,
                       ss->avail.total > 0 ? ss->occ.total / ss->avail.total : NAN);
        sim_record_set(out, BM_T_NCTR, 0, i, span > 0 ? ss->nctr.total / span : NAN);
        sim_record_set(out, BM_T_ADMIT_NE, 0, i, (double)ss->admit_ne);
        sim_record_set(out, BM_T_ADMIT_EL, 0, i, (double)ss->admit_el);
        sim_record_set(out, BM_T_AVOIDED, 0, i, (double)ss->avoided);
        sim_record_set(out, BM_T_BOARDED, 0, i, (double)ss->boarded);
        sim_record_set(out, BM_T_REFUSED, 0, i, (double)ss->refused);
        sim_record_set(out, BM_T_REFUSED_SHARE, 0, i,
                       tried ? (double)ss->refused / (double)tried : NAN);
        sim_record_set(out, BM_T_DELAYED, 0, i, (double)ss->delayed);
        sim_record_set(out, BM_T_STEP_OFFERED, 0, i, (double)ss->step_off);
        sim_record_set(out, BM_T_STEP_ACCEPTED, 0, i, (double)ss->step_acc);
        sim_record_set(out, BM_T_STEP_SAVED, 0, i, ss->step_saved);
        sim_record_set(out, BM_T_BED_DAYS_NE, 0, i, ss->ne.total);
        sim_record_set(out, BM_T_BED_DAYS_EL, 0, i, ss->el.total);
        sim_record_set(out, BM_T_STAY_SUM, 0, i, ss->stay_sum);
    }
    uint64_t unused = 0;
    for (size_t t = 0; t < c->n_system_trusts; t++)
        unused += s->credits[t];
    sim_record_set(out, BM_T_AVOIDED_OFFERED, 0, 0, (double)s->avoided_offered);
    sim_record_set(out, BM_T_AVOIDED_UNUSED, 0, 0, (double)unused);
    sim_record_set(out, BM_T_UNPLACED, 0, 0, (double)s->unplaced);
    return SIM_OK;
}

static void beds_stop(void *state)
{
    beds_state *s = state;
    if (!s)
        return;
    free(s->sites);
    free(s->credits);
    free(s->patients);
    free(s);
}

static const sim_port ports[BEDS_PORTS] = {
    [BEDS_PORT_ADMIT] = {"admit", SIM_OFFER_IN, "A non-elective patient who needs a bed now "
                         "(site, or trust: its site with most free beds)."},
    [BEDS_PORT_AVOIDED] = {"avoided", SIM_OFFER_IN, "One future non-elective admission at the "
                           "patient's trust does not happen (a credit)."},
    [BEDS_PORT_ELECTIVE_ADMIT] = {"elective_admit", SIM_OFFER_IN, "An elective inpatient at "
                                  "a site; attr[0] = length of stay in days."},
    [BEDS_PORT_STEP_DOWN] = {"step_down", SIM_OFFER_OUT, "A patient who could finish their "
                             "stay at home; attr[0] = remaining stay in days."},
    [BEDS_PORT_CANCEL_PROBABILITY] = {"cancel_probability", SIM_SIGNAL_OUT,
                                      "Per system site: the probability that an inpatient "
                                      "elective due now is cancelled for bed pressure."},
    [BEDS_PORT_FREE_BEDS] = {"free_beds", SIM_SIGNAL_OUT, "Free general and acute beds per "
                             "system site (NaN for sites without beds here)."},
};

static const char *const sections[] = {"beds", NULL};

const capsim_model capsim_beds_model = {
    .name = "beds",
    .sections = sections,
    .ports = ports,
    .n_ports = BEDS_PORTS,
    .configure = beds_configure,
    .declare = beds_declare,
    .start = beds_start,
    .snapshot = beds_snapshot,
    .warmup_end = beds_warmup_end,
    .finish = beds_finish,
    .stop = beds_stop,
    .accept = beds_accept,
    .destroy = beds_destroy,
    .estimate = beds_estimate,
};
