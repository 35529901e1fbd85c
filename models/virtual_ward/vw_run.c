/* models/virtual_ward/vw_run.c: one replication of the virtual wards. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/stats.h"
#include "vw_metrics.h"

#define VW_ID_TAG ((uint64_t)0x56 << 56) /* 'V': ids of the ward's own referrals */

static const sim_port ports[VW_PORTS] = {
    [VW_PORT_STEP_UP] = {"step_up", SIM_OFFER_IN,
                         "A step-up referral (from the hub): admitted if a place and staff "
                         "visits are free."},
    [VW_PORT_STEP_DOWN] = {"step_down", SIM_OFFER_IN,
                           "An early discharge from acute beds; attr[0] = remaining acute "
                           "length of stay in days (bed days saved if accepted)."},
    [VW_PORT_ESCALATE] = {"escalate", SIM_OFFER_OUT,
                          "A patient sent back to hospital during the stay."},
    [VW_PORT_ADMIT_REFUSED] = {"admit_refused", SIM_OFFER_OUT,
                               "An own (GP/ED) step-up referral refused: an acute admission."},
    [VW_PORT_AVOIDED] = {"avoided", SIM_OFFER_OUT,
                         "An acute admission avoided by a step-up admission."},
    [VW_PORT_OCCUPIED] = {"occupied", SIM_SIGNAL_OUT, "Places in use per system trust."},
};

typedef struct vw_pool {
    long places, in_use;
    bool has_staff;
    double visits;            /* visits a day needed by the patients on the ward */
    sim_timeavg occupied, visit_load;
    uint64_t refused[VW_REASONS];
} vw_pool;

typedef struct vw_stay {       /* a patient on the ward */
    uint64_t id;
    int pool, trust, pathway;
    double visits;
    uint32_t next_free;
} vw_stay;

typedef struct vw_source {     /* the ward's own referrals of one route at one trust */
    struct vw_state *s;
    const sim_rate_profile *rate;
    int trust, route;
    gsl_rng *rng;
} vw_source;

typedef struct vw_state {
    const vw_config *cfg;
    sim_run *run;
    size_t self;
    sim_engine *engine;
    sim_record *out;
    gsl_rng *rng_patient;
    vw_pool *pools;
    long *trust_in_use;       /* per system trust */
    vw_stay *stays;
    uint32_t n_stays, cap_stays, free_head;
    vw_source *sources;
    size_t n_sources;
    uint64_t serial;
    uint64_t referrals, refused;
    double bed_days_saved;
    uint64_t avoided;
} vw_state;

#define NO_STAY UINT32_MAX

static bool counting(const vw_state *s)
{
    return sim_now(s->engine) >= s->cfg->warmup_days;
}

/* Visit capacity of the day containing `now`: visits per staff-hour x staff-hours. */
static double day_visit_capacity(const vw_state *s, int pool)
{
    const vw_config *c = s->cfg;
    double day = floor(sim_now(s->engine)), hours = 0;
    for (size_t i = 0; i < c->n_trusts; i++) {
        if ((c->shared ? 0 : (int)i) != pool || !c->trusts[i].has_staff)
            continue;
        for (int h = 0; h < 24; h++)
            hours += sim_schedule_capacity_at(&c->trusts[i].staff, &c->cal, day + (h + 0.5) / 24);
    }
    return hours * c->visits_per_staff_hour;
}

static void set_pool(vw_state *s, vw_pool *p, long in_use, double visits)
{
    double now = sim_now(s->engine);
    p->in_use = in_use;
    p->visits = visits;
    sim_timeavg_set(&p->occupied, now, (double)in_use);
    sim_timeavg_set(&p->visit_load, now, visits);
}

static void set_trust(vw_state *s, int trust, long delta)
{
    s->trust_in_use[trust] += delta;
    sim_signal_set(s->run, s->self, VW_PORT_OCCUPIED, (size_t)trust,
                   (double)s->trust_in_use[trust]);
}

static uint32_t new_stay(vw_state *s)
{
    if (s->free_head != NO_STAY) {
        uint32_t i = s->free_head;
        s->free_head = s->stays[i].next_free;
        return i;
    }
    if (s->n_stays == s->cap_stays) {
        uint32_t cap = s->cap_stays ? 2 * s->cap_stays : 256;
        vw_stay *grown = realloc(s->stays, cap * sizeof *grown);
        if (!grown)
            return NO_STAY;
        s->stays = grown;
        s->cap_stays = cap;
    }
    return s->n_stays++;
}

static void discharge(vw_state *s, uint32_t i)
{
    vw_stay *st = &s->stays[i];
    vw_pool *p = &s->pools[st->pool];
    set_pool(s, p, p->in_use - 1, p->visits - st->visits);
    set_trust(s, st->trust, -1);
    st->next_free = s->free_head;
    s->free_head = i;
}

static void on_leave(sim_engine *e, void *ctx, uint64_t i)
{
    (void)e;
    discharge(ctx, (uint32_t)i);
}

static void on_escalate(sim_engine *e, void *ctx, uint64_t i)
{
    (void)e;
    vw_state *s = ctx;
    vw_stay *st = &s->stays[i];
    sim_patient p = {.id = st->id, .trust = st->trust,
                     .site = -1, .kind = st->pathway, .clock_start = sim_now(s->engine)};
    if (counting(s))
        sim_record_add(s->out, VW_M_ESCALATIONS, 0, (size_t)st->pathway, 1);
    discharge(s, (uint32_t)i);
    sim_offer(s->run, s->self, VW_PORT_ESCALATE, &p);
}

static int pick_pathway(const double *cum, size_t n, double u)
{
    size_t k = 0;
    while (k + 1 < n && u >= cum[k])
        k++;
    return (int)k;
}

/*
 * A referral of `route` for system trust `trust` (patient `id`, whose draws come from its
 * own entity of the patient stream). Returns 1 if admitted.
 */
static int refer(vw_state *s, int route, int trust, uint64_t id, double bed_days)
{
    const vw_config *c = s->cfg;
    bool counted = counting(s);
    if (trust < 0 || (size_t)trust >= c->n_system_trusts || c->ward_of_trust[trust] < 0)
        trust = c->trusts[0].trust;     /* no ward of its own: the first ward's trust */
    int ward = c->ward_of_trust[trust];
    int pool = c->shared ? 0 : ward;
    vw_pool *p = &s->pools[pool];
    gsl_rng *r = s->rng_patient;
    sim_rng_set_entity(r, id);
    bool up = route != VW_ROUTE_STEP_DOWN;
    int k = pick_pathway(up ? c->step_up_cum : c->step_down_cum, c->n_pathways,
                         gsl_rng_uniform(r));
    const vw_pathway *pw = &c->pathways[k];
    double stay = fmin(sim_dist_sample(&pw->stay, r), c->max_stay_days);
    double u_escalate = gsl_rng_uniform(r), u_when = gsl_rng_uniform(r);
    double u_avoid = gsl_rng_uniform(r);
    if (counted) {
        s->referrals++;
        sim_record_add(s->out, VW_M_REFERRALS, 0, (size_t)route, 1);
    }
    int reason = -1;
    if (p->in_use >= p->places)
        reason = VW_REASON_PLACES;
    else if (p->has_staff && p->visits + pw->visits_per_day > day_visit_capacity(s, pool) + 1e-9)
        reason = VW_REASON_STAFF;
    if (reason >= 0) {
        if (counted) {
            s->refused++;
            p->refused[reason]++;
            sim_record_add(s->out, VW_M_REFUSED, 0, (size_t)route * VW_REASONS + (size_t)reason,
                           1);
        }
        return 0;
    }
    uint32_t i = new_stay(s);
    if (i == NO_STAY) {
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot admit a patient");
        return 0;
    }
    s->stays[i] = (vw_stay){.id = id, .pool = pool, .trust = trust, .pathway = k,
                            .visits = pw->visits_per_day};
    set_pool(s, p, p->in_use + 1, p->visits + pw->visits_per_day);
    set_trust(s, trust, +1);
    double now = sim_now(s->engine);
    sim_record_add(s->out, VW_M_ADMITTED_MONTH, sim_run_period(s->run), (size_t)route, 1);
    if (counted)
        sim_record_add(s->out, VW_M_ADMISSIONS, 0, (size_t)route * c->n_pathways + (size_t)k, 1);
    sim_event_id ev = u_escalate < pw->escalation
                          ? sim_schedule_at(s->engine, now + u_when * stay, on_escalate, s, i)
                          : sim_schedule_at(s->engine, now + stay, on_leave, s, i);
    if (!ev)
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot schedule a discharge");
    if (!up) {
        if (counted)
            s->bed_days_saved += bed_days;
    } else if (u_avoid < 1.0 / c->admissions_per_avoided) {
        s->avoided += counted;
        sim_patient a = {.id = id, .trust = trust, .site = -1, .kind = k, .clock_start = now,
                         .attr = {1}};
        sim_offer(s->run, s->self, VW_PORT_AVOIDED, &a);
    }
    return 1;
}

static void on_referral(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    vw_source *src = ctx;
    vw_state *s = src->s;
    const vw_config *c = s->cfg;
    double next = sim_next_arrival(src->rate, &c->cal, sim_now(e), src->rng);
    if (next <= c->horizon_days)
        sim_schedule_at(e, next, on_referral, src, 0);
    uint64_t id = VW_ID_TAG | s->serial++;
    double now = sim_now(e);
    int admitted = refer(s, src->route, src->trust, id, c->step_down_bed_days_saved);
    if (!admitted && src->route == VW_ROUTE_GP_ED) {
        sim_patient p = {.id = id, .trust = src->trust, .site = -1, .kind = -1,
                         .clock_start = now};
        sim_offer(s->run, s->self, VW_PORT_ADMIT_REFUSED, &p);
    }
}

static int vw_accept(void *state, size_t port, const sim_patient *p)
{
    vw_state *s = state;
    if (port == VW_PORT_STEP_UP)
        return refer(s, VW_ROUTE_HUB, p->trust, p->id, 0);
    return refer(s, VW_ROUTE_STEP_DOWN, p->trust, p->id, p->attr[0]);
}

static int add_source(vw_state *s, const vw_trust *t, int route, const sim_rate_profile *rate)
{
    char name[96];
    snprintf(name, sizeof name, "%s/%s", route == VW_ROUTE_GP_ED ? "step_up" : "step_down",
             s->cfg->system_trust_names[t->trust]);
    vw_source *src = &s->sources[s->n_sources++];
    *src = (vw_source){.s = s, .rate = rate, .trust = t->trust, .route = route,
                       .rng = sim_run_stream(s->run, s->self, name)};
    if (!src->rng)
        return SIM_ENOMEM;
    double first = sim_next_arrival(rate, &s->cfg->cal, 0, src->rng);
    if (first <= s->cfg->horizon_days && !sim_schedule_at(s->engine, first, on_referral, src, 0))
        return SIM_ENOMEM;
    return SIM_OK;
}

static int vw_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    const vw_config *c = cfg;
    vw_state *s = calloc(1, sizeof *s);
    *state = s;
    if (!s)
        return SIM_ENOMEM;
    *s = (vw_state){.cfg = c, .run = run, .self = self, .engine = sim_run_engine(run),
                    .out = sim_run_record(run, self), .free_head = NO_STAY};
    s->pools = calloc(c->n_pools, sizeof *s->pools);
    s->trust_in_use = calloc(c->n_system_trusts, sizeof *s->trust_in_use);
    s->sources = calloc(2 * c->n_trusts, sizeof *s->sources);
    s->rng_patient = sim_run_stream(run, self, "patient");
    if (!s->pools || !s->trust_in_use || !s->sources || !s->rng_patient)
        return SIM_ENOMEM;
    for (size_t i = 0; i < c->n_trusts; i++) {
        vw_pool *p = &s->pools[c->shared ? 0 : i];
        p->places += c->trusts[i].places;
        p->has_staff |= c->trusts[i].has_staff;
    }
    for (size_t i = 0; i < c->n_pools; i++) {
        sim_timeavg_init(&s->pools[i].occupied, 0, 0);
        sim_timeavg_init(&s->pools[i].visit_load, 0, 0);
    }
    int rc = sim_signal_publish(run, self, VW_PORT_OCCUPIED, c->n_system_trusts, 0.0);
    for (size_t i = 0; i < c->n_trusts && !rc; i++) {
        const vw_trust *t = &c->trusts[i];
        if (t->has_step_up)
            rc = add_source(s, t, VW_ROUTE_GP_ED, &t->step_up);
        if (!rc && t->has_step_down)
            rc = add_source(s, t, VW_ROUTE_STEP_DOWN, &t->step_down);
    }
    return rc;
}

static void vw_snapshot(void *state, size_t k)
{
    vw_state *s = state;
    for (size_t i = 0; i < s->cfg->n_pools; i++)
        sim_record_set(s->out, VW_M_OCCUPIED, k, i, (double)s->pools[i].in_use);
}

static void vw_warmup_end(void *state)
{
    vw_state *s = state;
    double now = sim_now(s->engine);
    for (size_t i = 0; i < s->cfg->n_pools; i++) {
        sim_timeavg_restart(&s->pools[i].occupied, now);
        sim_timeavg_restart(&s->pools[i].visit_load, now);
    }
}

/* Mean visit capacity a day over [warm-up, horizon) (whole days). */
static double mean_visit_capacity(const vw_state *s, int pool)
{
    const vw_config *c = s->cfg;
    double total = 0, days = 0;
    for (double d = ceil(c->warmup_days); d < c->horizon_days; d++) {
        for (size_t i = 0; i < c->n_trusts; i++) {
            if ((c->shared ? 0 : (int)i) != pool || !c->trusts[i].has_staff)
                continue;
            for (int h = 0; h < 24; h++)
                total += sim_schedule_capacity_at(&c->trusts[i].staff, &c->cal,
                                                  d + (h + 0.5) / 24);
        }
        days++;
    }
    return days > 0 ? total * c->visits_per_staff_hour / days : NAN;
}

static int vw_finish(void *state, sim_record *out)
{
    vw_state *s = state;
    const vw_config *c = s->cfg;
    for (size_t i = 0; i < c->n_pools; i++) {
        vw_pool *p = &s->pools[i];
        double mean = sim_timeavg_mean(&p->occupied, c->horizon_days);
        sim_record_set(out, VW_M_MEAN_OCCUPIED, 0, i, mean);
        sim_record_set(out, VW_M_OCCUPANCY, 0, i, p->places ? mean / (double)p->places : NAN);
        sim_record_set(out, VW_M_PLACES, 0, i, (double)p->places);
        double cap = p->has_staff ? mean_visit_capacity(s, (int)i) : NAN;
        sim_record_set(out, VW_M_VISIT_UTILISATION, 0, i,
                       cap > 0 ? sim_timeavg_mean(&p->visit_load, c->horizon_days) / cap : NAN);
        for (int r = 0; r < VW_REASONS; r++)
            sim_record_set(out, VW_M_REFUSED_BY_POOL, 0, i * VW_REASONS + (size_t)r,
                           (double)p->refused[r]);
    }
    sim_record_set(out, VW_M_REFUSED_SHARE, 0, 0,
                   s->referrals ? (double)s->refused / (double)s->referrals : NAN);
    sim_record_set(out, VW_M_BED_DAYS_SAVED, 0, 0, s->bed_days_saved);
    sim_record_set(out, VW_M_ADMISSIONS_AVOIDED, 0, 0, (double)s->avoided);
    return SIM_OK;
}

static void vw_stop(void *state)
{
    vw_state *s = state;
    if (!s)
        return;
    free(s->pools);
    free(s->trust_in_use);
    free(s->stays);
    free(s->sources);
    free(s);
}

static const char *const sections[] = {"virtual_ward", NULL};

const capsim_model capsim_virtual_ward_model = {
    .name = "virtual_ward",
    .sections = sections,
    .ports = ports,
    .n_ports = VW_PORTS,
    .configure = vw_configure,
    .declare = vw_declare,
    .start = vw_start,
    .snapshot = vw_snapshot,
    .warmup_end = vw_warmup_end,
    .finish = vw_finish,
    .stop = vw_stop,
    .accept = vw_accept,
    .destroy = vw_destroy,
    .estimate = vw_estimate,
};
