/* models/ucch/ucch_run.c: one replication of the hub. */
#include <math.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/stats.h"
#include "ucch_metrics.h"
#include "ucch_staffing.h"

#define UCCH_ID_TAG ((uint64_t)0x48 << 56) /* 'H': the hub's call ids */

static const sim_port ports[UCCH_PORTS] = {
    [UCCH_PORT_DIVERT_VW] = {"divert_vw", SIM_OFFER_OUT,
                             "A reviewed patient suitable for the virtual ward; dispatched as "
                             "usual if refused."},
    [UCCH_PORT_AVOIDED] = {"avoided", SIM_OFFER_OUT,
                           "A dispatch avoided whose patient would have been conveyed and "
                           "admitted; attr[0] = 1."},
};

enum { WAITING, IN_REVIEW, DONE };

/* A reviewable call; every draw is made at arrival from the call's own entity. */
typedef struct ucch_call {
    double arrival, review_days;
    int category, trust, service, state;
    double u_suitable, u_vehicle, u_conveyed, u_admitted;
} ucch_call;

typedef struct ucch_state {
    const ucch_config *cfg;
    sim_run *run;
    size_t self;
    sim_engine *engine;
    sim_record *out;
    gsl_rng *rng_arrivals, *rng_call;
    ucch_call *calls;
    size_t n_calls, cap_calls;
    size_t *stack;            /* waiting calls, oldest first */
    size_t n_stack, cap_stack;
    int busy, capacity;
    sim_timeavg busy_avg, capacity_avg;
    long *used_today;         /* per service */
    double today;
    sim_tally wait;
    uint64_t serial;
    uint64_t discussed, suitable, transferred, refused, avoided, ed, admissions;
} ucch_state;

static bool counting(const ucch_state *s)
{
    return sim_now(s->engine) >= s->cfg->warmup_days;
}

static int draw_index(const double *cum, size_t n, double u)
{
    size_t k = 0;
    while (k + 1 < n && u >= cum[k])
        k++;
    return (int)k;
}

static int rostered(const ucch_state *s, double t)
{
    int n = 0;
    for (size_t i = 0; i < s->cfg->n_roles; i++)
        n += sim_schedule_capacity_at(&s->cfg->roles[i].clinicians, &s->cfg->cal, t);
    return n;
}

static void set_busy(ucch_state *s, int busy)
{
    s->busy = busy;
    sim_timeavg_set(&s->busy_avg, sim_now(s->engine), busy);
}

static void dispatch_not_reached(ucch_state *s, size_t i)
{
    s->calls[i].state = DONE;
    if (counting(s))
        sim_record_add(s->out, UCCH_M_NOT_REACHED, 0, (size_t)s->calls[i].category, 1);
}

static void on_review_end(sim_engine *e, void *ctx, uint64_t i);

/* Clinicians free and calls waiting: pick up the oldest. */
static void pick_up(ucch_state *s)
{
    while (s->busy < s->capacity && s->n_stack > 0) {
        size_t i = s->stack[0];
        for (size_t k = 1; k < s->n_stack; k++)
            s->stack[k - 1] = s->stack[k];
        s->n_stack--;
        ucch_call *call = &s->calls[i];
        call->state = IN_REVIEW;
        double now = sim_now(s->engine);
        if (counting(s))
            sim_tally_add(&s->wait, (now - call->arrival) * 1440.0);
        set_busy(s, s->busy + 1);
        if (!sim_schedule_at(s->engine, now + call->review_days, on_review_end, s, i))
            sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot schedule a review");
    }
}

/* Does service k take the patient now? */
static int service_takes(ucch_state *s, int k, const ucch_call *call, uint64_t id)
{
    const ucch_service *sv = &s->cfg->services[k];
    double now = sim_now(s->engine);
    if (sv->offer) {
        sim_patient p = {.id = id, .trust = call->trust, .site = -1,
                         .priority = call->category + 1, .kind = call->category + 1,
                         .clock_start = call->arrival};
        return sim_offer(s->run, s->self, UCCH_PORT_DIVERT_VW, &p);
    }
    if (sv->has_hours && sim_schedule_capacity_at(&sv->hours, &s->cfg->cal, now) <= 0)
        return 0;
    if (floor(now) != s->today) {
        s->today = floor(now);
        for (size_t j = 0; j < s->cfg->n_services; j++)
            s->used_today[j] = 0;
    }
    if (sv->per_day >= 0 && s->used_today[k] >= sv->per_day)
        return 0;
    s->used_today[k]++;
    return 1;
}

static void on_review_end(sim_engine *e, void *ctx, uint64_t i)
{
    ucch_state *s = ctx;
    const ucch_config *c = s->cfg;
    ucch_call *call = &s->calls[i];
    bool counted = counting(s);
    size_t period = sim_run_period(s->run);
    call->state = DONE;
    set_busy(s, s->busy - 1);
    sim_record_add(s->out, UCCH_M_DISCUSSED_MONTH, period, 0, 1);
    if (counted) {
        s->discussed++;
        sim_record_add(s->out, UCCH_M_DISCUSSED, 0, (size_t)call->category, 1);
    }
    if (call->u_suitable < c->suitable) {
        int k = call->service;
        s->suitable += counted;
        if (!service_takes(s, k, call, UCCH_ID_TAG | i)) {
            if (counted) {
                s->refused++;
                sim_record_add(s->out, UCCH_M_REFUSED_CAPACITY, 0, (size_t)k, 1);
            }
        } else {
            if (counted) {
                s->transferred++;
                sim_record_add(s->out, UCCH_M_TRANSFERRED, 0, (size_t)k, 1);
            }
            if (call->u_vehicle >= c->services[k].needs_vehicle) {
                sim_record_add(s->out, UCCH_M_AVOIDED_MONTH, period, 0, 1);
                bool to_ed = call->u_conveyed < c->conveyed;
                bool admit = to_ed && call->u_admitted < c->admitted;
                if (counted) {
                    s->avoided++;
                    s->ed += to_ed;
                    s->admissions += admit;
                    sim_record_add(s->out, UCCH_M_AVOIDED_BY_SERVICE, 0, (size_t)k, 1);
                    size_t t = call->trust >= 0 ? (size_t)call->trust : 0;
                    sim_record_add(s->out, UCCH_M_AVOIDED_BY_TRUST, 0, t, 1);
                    if (admit)
                        sim_record_add(s->out, UCCH_M_ADMISSIONS_BY_TRUST, 0, t, 1);
                }
                if (admit) {
                    sim_patient p = {.id = UCCH_ID_TAG | i, .trust = call->trust, .site = -1,
                                     .priority = call->category + 1,
                                     .kind = call->category + 1, .clock_start = call->arrival,
                                     .attr = {1}};
                    sim_offer(s->run, s->self, UCCH_PORT_AVOIDED, &p);
                }
            }
        }
    }
    (void)e;
    pick_up(s);
}

static void on_deadline(sim_engine *e, void *ctx, uint64_t i)
{
    (void)e;
    ucch_state *s = ctx;
    if (s->calls[i].state != WAITING)
        return;
    for (size_t k = 0; k < s->n_stack; k++)
        if (s->stack[k] == i) {
            for (size_t j = k + 1; j < s->n_stack; j++)
                s->stack[j - 1] = s->stack[j];
            s->n_stack--;
            break;
        }
    dispatch_not_reached(s, i);
}

static void on_capacity(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    ucch_state *s = ctx;
    double now = sim_now(e);
    s->capacity = rostered(s, now);
    sim_timeavg_set(&s->capacity_avg, now, s->capacity);
    if (s->capacity == 0) {  /* the hub closes: what is on the stack is dispatched */
        for (size_t k = 0; k < s->n_stack; k++)
            dispatch_not_reached(s, s->stack[k]);
        s->n_stack = 0;
    }
    pick_up(s);
    double next = INFINITY;
    for (size_t i = 0; i < s->cfg->n_roles; i++)
        next = fmin(next, sim_schedule_next_change(&s->cfg->roles[i].clinicians, &s->cfg->cal,
                                                   now));
    if (next <= s->cfg->horizon_days &&
        !sim_schedule_at_class(e, next, SIM_CLASS_CAPACITY, on_capacity, s, 0))
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot schedule a rota change");
}

static size_t new_call(ucch_state *s)
{
    if (s->n_calls == s->cap_calls) {
        size_t cap = s->cap_calls ? 2 * s->cap_calls : 1024;
        ucch_call *grown = realloc(s->calls, cap * sizeof *grown);
        if (!grown)
            return SIZE_MAX;
        s->calls = grown;
        s->cap_calls = cap;
    }
    return s->n_calls++;
}

static bool push_stack(ucch_state *s, size_t i)
{
    if (s->n_stack == s->cap_stack) {
        size_t cap = s->cap_stack ? 2 * s->cap_stack : 64;
        size_t *grown = realloc(s->stack, cap * sizeof *grown);
        if (!grown)
            return false;
        s->stack = grown;
        s->cap_stack = cap;
    }
    s->stack[s->n_stack++] = i;
    return true;
}

static void on_incident(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    ucch_state *s = ctx;
    const ucch_config *c = s->cfg;
    double now = sim_now(e);
    double next = sim_next_arrival(&c->incidents, &c->cal, now, s->rng_arrivals);
    if (next <= c->horizon_days)
        sim_schedule_at(e, next, on_incident, s, 0);
    /* Every draw of this call from its own entity: the same calls whatever happens later. */
    gsl_rng *r = s->rng_call;
    sim_rng_set_entity(r, s->serial++);
    int k = draw_index(c->category_cum, c->n_categories, gsl_rng_uniform(r));
    const ucch_category *cat = &c->categories[k];
    bool counted = counting(s);
    if (counted)
        sim_record_add(s->out, UCCH_M_INCIDENTS, 0, (size_t)k, 1);
    if (!(gsl_rng_uniform(r) < cat->reviewable))
        return;
    ucch_call call = {.arrival = now, .category = k, .trust = -1, .state = WAITING};
    double deadline = sim_dist_sample(&cat->response_minutes, r) / 1440.0;
    call.review_days = sim_dist_sample(&c->review_minutes, r) / 1440.0;
    call.u_suitable = gsl_rng_uniform(r);
    call.service = draw_index(c->service_cum, c->n_services, gsl_rng_uniform(r));
    call.u_vehicle = gsl_rng_uniform(r);
    call.u_conveyed = gsl_rng_uniform(r);
    call.u_admitted = gsl_rng_uniform(r);
    double u_trust = gsl_rng_uniform(r);
    if (c->trust_cum)
        call.trust = draw_index(c->trust_cum, c->n_trusts, u_trust);
    if (s->capacity == 0) {
        if (counted)
            sim_record_add(s->out, UCCH_M_CLOSED, 0, (size_t)k, 1);
        return;
    }
    size_t i = new_call(s);
    if (i == SIZE_MAX || !push_stack(s, i)) {
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot put a call on the stack");
        return;
    }
    s->calls[i] = call;
    if (counted)
        sim_record_add(s->out, UCCH_M_STACKED, 0, (size_t)k, 1);
    if (!sim_schedule_at(e, now + deadline, on_deadline, s, i))
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot schedule a deadline");
    pick_up(s);
}

static int ucch_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    const ucch_config *c = cfg;
    ucch_state *s = calloc(1, sizeof *s);
    *state = s;
    if (!s)
        return SIM_ENOMEM;
    *s = (ucch_state){.cfg = c, .run = run, .self = self, .engine = sim_run_engine(run),
                      .out = sim_run_record(run, self), .today = -1};
    s->rng_arrivals = sim_run_stream(run, self, "arrivals");
    s->rng_call = sim_run_stream(run, self, "call");
    s->used_today = calloc(c->n_services, sizeof *s->used_today);
    if (!s->rng_arrivals || !s->rng_call || !s->used_today)
        return SIM_ENOMEM;
    sim_tally_init(&s->wait);
    sim_timeavg_init(&s->busy_avg, 0, 0);
    sim_timeavg_init(&s->capacity_avg, 0, 0);
    if (!sim_schedule_at_class(s->engine, 0, SIM_CLASS_CAPACITY, on_capacity, s, 0))
        return SIM_ENOMEM;
    double first = sim_next_arrival(&c->incidents, &c->cal, 0, s->rng_arrivals);
    if (first <= c->horizon_days && !sim_schedule_at(s->engine, first, on_incident, s, 0))
        return SIM_ENOMEM;
    return SIM_OK;
}

static void ucch_snapshot(void *state, size_t k)
{
    ucch_state *s = state;
    sim_record_set(s->out, UCCH_M_STACK, k, 0, (double)s->n_stack);
}

static void ucch_warmup_end(void *state)
{
    ucch_state *s = state;
    double now = sim_now(s->engine);
    sim_timeavg_restart(&s->busy_avg, now);
    sim_timeavg_restart(&s->capacity_avg, now);
}

static int ucch_finish(void *state, sim_record *out)
{
    ucch_state *s = state;
    const ucch_config *c = s->cfg;
    double busy = sim_timeavg_mean(&s->busy_avg, c->horizon_days);
    double cap = sim_timeavg_mean(&s->capacity_avg, c->horizon_days);
    sim_record_set(out, UCCH_M_DISCUSSED_TOTAL, 0, 0, (double)s->discussed);
    sim_record_set(out, UCCH_M_SUITABLE, 0, 0, (double)s->suitable);
    sim_record_set(out, UCCH_M_TRANSFERRED_TOTAL, 0, 0, (double)s->transferred);
    sim_record_set(out, UCCH_M_REFUSED_TOTAL, 0, 0, (double)s->refused);
    sim_record_set(out, UCCH_M_AVOIDED, 0, 0, (double)s->avoided);
    sim_record_set(out, UCCH_M_REVIEW_WAIT, 0, 0, sim_tally_mean(&s->wait));
    sim_record_set(out, UCCH_M_UTILISATION, 0, 0, cap > 0 ? busy / cap : NAN);
    sim_record_set(out, UCCH_M_AMBULANCE_HOURS, 0, 0, (double)s->avoided * c->job_cycle_hours);
    sim_record_set(out, UCCH_M_ED_AVOIDED, 0, 0, (double)s->ed);
    sim_record_set(out, UCCH_M_ADMISSIONS_AVOIDED, 0, 0, (double)s->admissions);
    sim_record_set(out, UCCH_M_HOURS_PER_WEEK, 0, 0, c->hours_per_week);
    sim_record_set(out, UCCH_M_HOURS_CHANGE, 0, 0,
                   ucch_hours_change(c->hours_per_week, c->baseline_hours));
    sim_record_set(out, UCCH_M_WTE_PER_ROLE, 0, 0, ucch_wte_per_role(c->hours_per_week,
                                                                     c->uplift));
    return SIM_OK;
}

static void ucch_stop(void *state)
{
    ucch_state *s = state;
    if (!s)
        return;
    free(s->calls);
    free(s->stack);
    free(s->used_today);
    free(s);
}

static const char *const sections[] = {"ucch", NULL};

const capsim_model capsim_ucch_model = {
    .name = "ucch",
    .sections = sections,
    .ports = ports,
    .n_ports = UCCH_PORTS,
    .configure = ucch_configure,
    .declare = ucch_declare,
    .start = ucch_start,
    .snapshot = ucch_snapshot,
    .warmup_end = ucch_warmup_end,
    .finish = ucch_finish,
    .stop = ucch_stop,
    .accept = NULL,
    .destroy = ucch_destroy,
    .estimate = ucch_estimate,
};
