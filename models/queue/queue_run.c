/* models/queue/queue_run.c: metrics and one replication of the queueing model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/exp_sampler.h"
#include "core/rng.h"
#include "core/stats.h"
#include "queue_model.h"

extern const capsim_model capsim_queue_model;

/* Metric ids, in declaration order (qm_declare and qm_run agree on it). */
enum {
    M_QUEUE_LENGTH, M_ARRIVALS, M_SERVED,
    M_MEAN_WAIT, M_WAITED_SHARE, M_MEAN_QUEUE, M_THROUGHPUT, M_MEAN_SOJOURN, M_CUSTOMERS,
    M_BALKED_SHARE, M_DOWNSTREAM_REFUSED, M_MEAN_BUSY, M_UTILISATION, M_COUNT
};

static const struct {
    const char *name, *units, *description;
    sim_metric_kind kind;
    bool per_group;
} metrics[M_COUNT] = {
    {"queue_length", "customers", "Customers waiting (not in service) at the snapshot.",
     SIM_METRIC_SERIES, true},
    {"arrivals", "customers", "Arrivals in the month that ends at the snapshot.",
     SIM_METRIC_SERIES, true},
    {"served", "customers", "Services started in the month that ends at the snapshot.",
     SIM_METRIC_SERIES, true},
    {"mean_wait_days", "days", "Mean wait in queue of customers who arrived after the warm-up "
     "and started service.", SIM_METRIC_REP, true},
    {"waited_share", "fraction", "Share of those customers who had to wait at all.",
     SIM_METRIC_REP, true},
    {"mean_queue_length", "customers", "Time-average number waiting after the warm-up.",
     SIM_METRIC_REP, true},
    {"throughput_per_day", "customers/day", "Arrivals per day after the warm-up.",
     SIM_METRIC_REP, true},
    {"mean_time_in_system_days", "days", "Mean time from arrival to the end of service of "
     "customers who arrived after the warm-up and finished.", SIM_METRIC_REP, true},
    {"customers", "customers", "Customers who arrived after the warm-up and started service.",
     SIM_METRIC_REP, true},
    {"balked_share", "fraction", "Share of arrivals after the warm-up lost because the "
     "block_level signal was at or above balk_at.", SIM_METRIC_REP, true},
    {"downstream_refused", "customers", "Customers who finished service after the warm-up and "
     "whom the model their departures flow to refused.", SIM_METRIC_REP, true},
    {"mean_busy_servers", "servers", "Time-average number of busy servers after the warm-up.",
     SIM_METRIC_REP, false},
    {"utilisation", "fraction", "Busy server time over available server time after the "
     "warm-up.", SIM_METRIC_REP, false},
};

int qm_declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    const qm_config *c = cfg;
    int rc = capsim_monitor_month_ends(m, &c->cal, c->horizon_days);
    if (!rc)
        rc = sim_monitor_set_groups(m, "class", (const char *const *)c->class_names,
                                    c->n_classes);
    for (int i = 0; i < M_COUNT && !rc; i++) {
        int id = sim_monitor_declare(m, metrics[i].name, metrics[i].units,
                                     metrics[i].description, metrics[i].kind,
                                     metrics[i].per_group);
        if (id != i)
            rc = id < 0 ? id : SIM_EINVAL;
    }
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL, "cannot declare the queue metrics: %s",
                             sim_strerror(rc));
    return SIM_OK;
}

typedef struct qm_customer {
    double arrival;
    size_t cls;
    uint64_t next_free;
} qm_customer;

/*
 * A count and a sum, for the means the model reports: a sim_tally's variance and extremes
 * would cost a division and four compares per customer, and nothing reads them.
 */
typedef struct qm_sum {
    double sum;
    uint64_t n;
} qm_sum;

typedef struct qm_class_stats {
    size_t waiting;          /* in the queue now */
    sim_timeavg queue;       /* time-average of `waiting` */
    qm_sum wait, sojourn;
    uint64_t waited, arrivals_after_warmup, balked, refused_downstream;
    /* This month's arrivals and services started, added to the record at the snapshot. */
    uint64_t month_arrivals, month_served;
} qm_class_stats;

typedef struct qm_pending {
    double time;
    uint64_t seq;
    uint64_t id;             /* the customer (departures) */
} qm_pending;

/* Customers of one class waiting for a server, in arrival order (own calendar). */
typedef struct qm_waiting {
    qm_pending *v;           /* a ring: v[(head + i) & (cap - 1)], time unused */
    size_t head, n, cap;
} qm_waiting;

typedef struct qm_state {
    const qm_config *cfg;
    sim_run *run;
    size_t self;
    sim_engine *engine;
    sim_resource *servers;
    gsl_rng *rng_arrivals, *rng_class, *rng_service;
    qm_customer *customers;  /* a pool; free slots chained through next_free */
    size_t n_customers, cap_customers;
    uint64_t free_head;      /* index + 1 of the first free slot, 0 if none */
    qm_class_stats *cls;
    sim_timeavg busy;
    size_t period;           /* index of the snapshot that closes the current month */
    sim_record *out;
    int failed;
    /*
     * The model's own calendar (see own_calendar_ok): the clock, the next arrival and a
     * binary heap of the departures of customers in service, ordered by (time, sequence)
     * with sequences numbered in scheduling order, as the engine orders them. In engine
     * mode `now` is the time of the event being handled and the rest is unused.
     */
    bool own_calendar;
    double now;
    uint64_t seq;
    qm_pending arrival_at;   /* NONE_PENDING when no arrival is pending */
    qm_pending *dep;
    size_t n_dep, cap_dep;
    bool dep_root_fired;     /* dep[0] is the departure being handled (see advance) */
    /*
     * The servers on the own calendar: the busy count and a queue per class. The next to
     * be served is the head with the lowest (priority, arrival sequence), the order in which
     * sim_resource grants (sim/core/resource.h), so the same customers start service.
     */
    int busy_servers;
    size_t n_waiting;        /* in all the classes' queues */
    qm_waiting *waiting_by_class;
} qm_state;

static inline void sum_add(qm_sum *t, double x)
{
    t->sum += x;
    t->n++;
}

static double sum_mean(const qm_sum *t)
{
    return t->n ? t->sum / (double)t->n : NAN;
}

/*
 * The time-average's step, inlined: the same arithmetic as sim_timeavg_set
 * (sim/core/stats.c), without a call into stats.c four times per customer. Queue lengths
 * are converted through int64_t: one instruction (from size_t it takes a branch), and the
 * same value.
 */
static inline void level_set(sim_timeavg *a, double t, double level)
{
    a->area += a->level * (t - a->last_t);
    a->last_t = t;
    a->level = level;
}

/*
 * Add the month's counts to the record of period s->period. Counting in the class's state
 * and adding once a month gives the same values as adding 1 per customer (whole numbers
 * are exact in a double).
 */
static void flush_month(qm_state *s)
{
    for (size_t g = 0; g < s->cfg->n_classes; g++) {
        qm_class_stats *st = &s->cls[g];
        if (st->month_arrivals)
            sim_record_add(s->out, M_ARRIVALS, s->period, g, (double)st->month_arrivals);
        if (st->month_served)
            sim_record_add(s->out, M_SERVED, s->period, g, (double)st->month_served);
        st->month_arrivals = st->month_served = 0;
    }
}

static uint64_t customer_new(qm_state *s)
{
    if (s->free_head) {
        uint64_t i = s->free_head - 1;
        s->free_head = s->customers[i].next_free;
        return i;
    }
    if (s->n_customers == s->cap_customers) {
        size_t cap = s->cap_customers ? 2 * s->cap_customers : 1024;
        qm_customer *bigger = realloc(s->customers, cap * sizeof *bigger);
        if (!bigger)
            return UINT64_MAX;
        s->customers = bigger;
        s->cap_customers = cap;
    }
    return s->n_customers++;
}

static void customer_free(qm_state *s, uint64_t i)
{
    s->customers[i].next_free = s->free_head;
    s->free_head = i + 1;
}

static size_t draw_class(qm_state *s)
{
    const qm_config *c = s->cfg;
    if (c->n_classes == 1)
        return 0;
    double u = gsl_rng_uniform(s->rng_class), acc = 0;
    for (size_t k = 0; k + 1 < c->n_classes; k++) {
        acc += c->classes[k].share;
        if (u < acc)
            return k;
    }
    return c->n_classes - 1;
}

/*
 * (time, seq) order. Times are never negative, and the order of non-negative doubles is
 * that of their bits as unsigned integers, so the pair compares as one 128-bit number (as
 * the engine's calendar does, sim/core/engine.c). They are never -0.0 either: the clock
 * starts at +0.0 and every time is the clock plus a gap or a service time, and such a sum
 * is -0.0 only if both terms are.
 */
static inline bool pending_less(const qm_pending *a, const qm_pending *b)
{
    uint64_t ta, tb;
    memcpy(&ta, &a->time, sizeof ta);
    memcpy(&tb, &b->time, sizeof tb);
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    return ((u128)ta << 64 | a->seq) < ((u128)tb << 64 | b->seq);
#else
    return ta < tb || (ta == tb && a->seq < b->seq);
#endif
}

static bool waiting_push(qm_waiting *w, uint64_t id, uint64_t seq)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        qm_pending *v = malloc(cap * sizeof *v);
        if (!v)
            return false;
        for (size_t i = 0; i < w->n; i++)
            v[i] = w->v[(w->head + i) & (w->cap - 1)];
        free(w->v);
        w->v = v;
        w->head = 0;
        w->cap = cap;
    }
    w->v[(w->head + w->n++) & (w->cap - 1)] = (qm_pending){0, seq, id};
    return true;
}

/* The class whose waiting customer is served next, or SIZE_MAX if no one waits. */
static size_t next_served_class(const qm_state *s)
{
    const qm_config *c = s->cfg;
    size_t best = SIZE_MAX;
    for (size_t k = 0; k < c->n_classes; k++) {
        const qm_waiting *w = &s->waiting_by_class[k];
        if (w->n == 0)
            continue;
        if (best == SIZE_MAX || c->classes[k].priority < c->classes[best].priority ||
            (c->classes[k].priority == c->classes[best].priority &&
             w->v[w->head].seq < s->waiting_by_class[best].v[s->waiting_by_class[best].head].seq))
            best = k;
    }
    return best;
}

static void on_grant(sim_engine *e, void *ctx, uint64_t id);

/* A server for customer id (own calendar): at once if one is free, else in the queue. */
static bool own_request(qm_state *s, uint64_t id, size_t k)
{
    if (s->busy_servers < s->cfg->servers) {
        s->busy_servers++;
        on_grant(s->engine, s, id);
        return true;
    }
    if (!waiting_push(&s->waiting_by_class[k], id, s->seq++))
        return false;
    s->n_waiting++;
    return true;
}

/* A server is free (own calendar): the next waiting customer takes it. */
static void own_release(qm_state *s)
{
    size_t k = !s->n_waiting ? SIZE_MAX : s->cfg->n_classes == 1 ? 0 : next_served_class(s);
    if (k == SIZE_MAX) {
        s->busy_servers--;
        return;
    }
    qm_waiting *w = &s->waiting_by_class[k];
    uint64_t id = w->v[w->head].id;
    w->head = (w->head + 1) & (w->cap - 1);
    w->n--;
    s->n_waiting--;
    on_grant(s->engine, s, id);
}

static void on_arrival_event(sim_engine *e, void *ctx, uint64_t unused);
static void on_departure_event(sim_engine *e, void *ctx, uint64_t id);

/* Put x in the heap's root place (which is free) and restore the heap order. */
static void sift_down_departure(qm_state *s, qm_pending x)
{
    qm_pending *h = s->dep;
    size_t n = s->n_dep;
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && pending_less(&h[c + 1], &h[c]))
            c++;
        if (!pending_less(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

/*
 * What the own calendar's next arrival, and its empty heap's root dep[0], hold when nothing
 * is pending: later than every event, so advance picks the earlier of the two with one
 * compare and stops at it.
 */
static const qm_pending NONE_PENDING = {INFINITY, UINT64_MAX, 0};

/* Remove the earliest departure from the own calendar's heap. */
static void pop_departure(qm_state *s)
{
    size_t n = --s->n_dep;
    if (n > 0)
        sift_down_departure(s, s->dep[n]);
    else
        s->dep[0] = NONE_PENDING;
}

/* Schedule the next arrival at t; false if the calendar refused it. */
static bool schedule_arrival(qm_state *s, double t)
{
    if (!s->own_calendar)
        return sim_schedule_at(s->engine, t, on_arrival_event, s, 0) != 0;
    s->arrival_at = (qm_pending){t, s->seq++, 0};
    return true;
}

/* Schedule customer id's departure at t; false if refused (out of memory, bad time). */
static bool schedule_departure(qm_state *s, double t, uint64_t id)
{
    if (!s->own_calendar)
        return sim_schedule_at(s->engine, t, on_departure_event, s, id) != 0;
    if (!(t >= s->now && t < INFINITY))
        return false;
    if (s->n_dep == s->cap_dep) {
        size_t cap = s->cap_dep ? 2 * s->cap_dep : 64;
        qm_pending *bigger = realloc(s->dep, cap * sizeof *bigger);
        if (!bigger)
            return false;
        s->dep = bigger;
        s->cap_dep = cap;
    }
    qm_pending x = {t, s->seq++, id};
    if (s->dep_root_fired) {
        s->dep_root_fired = false;
        sift_down_departure(s, x);
        return true;
    }
    size_t i = s->n_dep++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!pending_less(&x, &s->dep[p]))
            break;
        s->dep[i] = s->dep[p];
        i = p;
    }
    s->dep[i] = x;
    return true;
}

static void departure(qm_state *s, uint64_t id)
{
    qm_customer *cu = &s->customers[id];
    double now = s->now;
    if (cu->arrival >= s->cfg->warmup_days)
        sum_add(&s->cls[cu->cls].sojourn, now - cu->arrival);
    if (!s->own_calendar && sim_port_connected(s->run, s->self, QM_PORT_DEPARTURES)) {
        sim_patient p = {.id = id, .trust = -1, .site = -1, .kind = (int32_t)cu->cls,
                         .clock_start = cu->arrival, .attr = {cu->arrival}};
        if (!sim_offer(s->run, s->self, QM_PORT_DEPARTURES, &p) &&
            cu->arrival >= s->cfg->warmup_days)
            s->cls[cu->cls].refused_downstream++;
    }
    customer_free(s, id);
    level_set(&s->busy, now, s->busy.level - 1);
    if (s->own_calendar)
        own_release(s);
    else
        sim_resource_release(s->servers);
}

/*
 * Called by the resource, from within an arrival or a departure, or (engine mode only) from
 * a capacity change of a scheduled resource: so the clock is read from the engine there.
 */
static void on_grant(sim_engine *e, void *ctx, uint64_t id)
{
    qm_state *s = ctx;
    if (!s->own_calendar)
        s->now = sim_now(e);
    double now = s->now;
    qm_customer *cu = &s->customers[id];
    qm_class_stats *st = &s->cls[cu->cls];
    st->waiting--;
    level_set(&st->queue, now, (double)(int64_t)st->waiting);
    level_set(&s->busy, now, s->busy.level + 1);
    double wait = now - cu->arrival;
    if (cu->arrival >= s->cfg->warmup_days) {
        sum_add(&st->wait, wait);
        if (wait > 0)
            st->waited++;
    }
    st->month_served++;
    /* An exponential by the ziggurat (sim/core/exp_sampler.h); others by sim_dist_sample. */
    const sim_dist *d = &s->cfg->service;
    double service = d->kind == SIM_DIST_EXPONENTIAL ? sim_exp_sample(s->rng_service, d->a)
                                                     : sim_dist_sample(d, s->rng_service);
    if (!schedule_departure(s, now + service, id))
        s->failed = SIM_ENOMEM;
}

static void arrival(qm_state *s)
{
    const qm_config *c = s->cfg;
    double now = s->now;
    double next = sim_next_arrival_ziggurat(&c->arrivals, &c->cal, now, s->rng_arrivals);
    if (next <= c->horizon_days && !schedule_arrival(s, next))
        s->failed = SIM_ENOMEM;

    size_t k = draw_class(s);
    qm_class_stats *st = &s->cls[k];
    if (now >= c->warmup_days)
        st->arrivals_after_warmup++;
    st->month_arrivals++;
    if (isfinite(c->balk_at) &&
        sim_signal_get(s->run, s->self, QM_PORT_BLOCK_LEVEL, 0) >= c->balk_at) {
        st->balked += now >= c->warmup_days;
        return;
    }
    uint64_t id = customer_new(s);
    if (id == UINT64_MAX) {
        s->failed = SIM_ENOMEM;
        sim_stop(s->engine);
        return;
    }
    s->customers[id] = (qm_customer){now, k, 0};
    st->waiting++;
    level_set(&st->queue, now, (double)(int64_t)st->waiting);
    if (s->own_calendar ? !own_request(s, id, k)
                        : sim_resource_request(s->servers, id, c->classes[k].priority, on_grant,
                                               s) != SIM_OK)
        s->failed = SIM_ENOMEM;
}

static void on_arrival_event(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    qm_state *s = ctx;
    s->now = sim_now(e);
    arrival(s);
}

static void on_departure_event(sim_engine *e, void *ctx, uint64_t id)
{
    qm_state *s = ctx;
    s->now = sim_now(e);
    departure(s, id);
}

/*
 * Run the own calendar's events up to `limit`: those at times before it, and with
 * `inclusive` those at it too. Snapshots and the warm-up boundary come before everything
 * else at their instant (SIM_CLASS_SNAPSHOT), so they run the events before their time;
 * the end of the run includes the horizon, as sim_run_until does.
 */
static void advance(qm_state *s, double limit, bool inclusive)
{
    /* Times are not negative: before a limit of 0 there is nothing (the bound is -0x1p-1074). */
    double last = inclusive ? limit : nextafter(limit, -INFINITY);
    while (!s->failed) {
        const qm_pending *next =
            pending_less(&s->arrival_at, &s->dep[0]) ? &s->arrival_at : &s->dep[0];
        if (next->time > last)
            return;
        s->now = next->time;
        if (next == &s->arrival_at) {
            s->arrival_at = NONE_PENDING;
            arrival(s);
        } else {
            /*
             * The entry stays at the root while the departure is handled: if it grants a
             * waiting customer, that customer's departure takes its place with one sift
             * down, instead of a pop and a push (as the engine does with its root).
             */
            s->dep_root_fired = true;
            departure(s, next->id);
            if (s->dep_root_fired) {
                s->dep_root_fired = false;
                pop_departure(s);
            }
        }
    }
}

static void qm_snapshot(void *state, size_t k)
{
    qm_state *s = state;
    if (s->own_calendar)
        advance(s, sim_now(s->engine), false);
    flush_month(s);
    for (size_t g = 0; g < s->cfg->n_classes; g++)
        sim_record_set(s->out, M_QUEUE_LENGTH, k, g, (double)s->cls[g].waiting);
    s->period = k + 1 < s->cfg->n_snapshots ? k + 1 : k;
}

static void qm_warmup_end(void *state)
{
    qm_state *s = state;
    double now = sim_now(s->engine);
    if (s->own_calendar)
        advance(s, now, false);
    for (size_t g = 0; g < s->cfg->n_classes; g++)
        sim_timeavg_restart(&s->cls[g].queue, now);
    sim_timeavg_restart(&s->busy, now);
}

/* Available server-days in [t0, t1]: the capacity schedule integrated hour by hour. */
static double server_days(const qm_config *c, double t0, double t1)
{
    if (!c->scheduled)
        return c->servers * (t1 - t0);
    double total = 0;
    for (double t = t0; t < t1;) {
        double next = sim_schedule_next_change(&c->schedule, &c->cal, t);
        if (next > t1)
            next = t1;
        total += sim_schedule_capacity_at(&c->schedule, &c->cal, t) * (next - t);
        t = next;
    }
    return total;
}

static void write_outcomes(qm_state *s)
{
    const qm_config *c = s->cfg;
    double end = c->horizon_days, span = c->horizon_days - c->warmup_days;
    for (size_t g = 0; g < c->n_classes; g++) {
        qm_class_stats *st = &s->cls[g];
        sim_record_set(s->out, M_MEAN_WAIT, 0, g, sum_mean(&st->wait));
        sim_record_set(s->out, M_WAITED_SHARE, 0, g,
                       st->wait.n ? (double)st->waited / (double)st->wait.n : NAN);
        sim_record_set(s->out, M_MEAN_QUEUE, 0, g, sim_timeavg_mean(&st->queue, end));
        sim_record_set(s->out, M_THROUGHPUT, 0, g, (double)st->arrivals_after_warmup / span);
        sim_record_set(s->out, M_MEAN_SOJOURN, 0, g, sum_mean(&st->sojourn));
        sim_record_set(s->out, M_CUSTOMERS, 0, g, (double)st->wait.n);
        sim_record_set(s->out, M_BALKED_SHARE, 0, g,
                       st->arrivals_after_warmup
                           ? (double)st->balked / (double)st->arrivals_after_warmup
                           : NAN);
        sim_record_set(s->out, M_DOWNSTREAM_REFUSED, 0, g, (double)st->refused_downstream);
    }
    double busy = sim_timeavg_mean(&s->busy, end);
    sim_record_set(s->out, M_MEAN_BUSY, 0, 0, busy);
    double avail = server_days(c, c->warmup_days, end);
    sim_record_set(s->out, M_UTILISATION, 0, 0, avail > 0 ? busy * span / avail : NAN);
}

static void qm_stop(void *state)
{
    qm_state *s = state;
    if (!s)
        return;
    sim_resource_free(s->servers);
    if (s->waiting_by_class)
        for (size_t k = 0; k < s->cfg->n_classes; k++)
            free(s->waiting_by_class[k].v);
    free(s->waiting_by_class);
    free(s->dep);
    free(s->customers);
    free(s->cls);
    free(s);
}

/*
 * A queue that nothing else can observe during the run keeps its events on a calendar of
 * its own and runs them when the runner's snapshots, warm-up boundary and finish ask for
 * its state: nothing else sees it between those instants, and its draws come from its own
 * streams, so the results are the same as with its events on the engine's calendar (and
 * the same bits: the same operations in the same order), at a fraction of the cost per
 * customer. That needs no flow out (departures are offered downstream as they happen), no
 * balking (it reads another model's signal at each arrival), and a constant number of
 * servers (a schedule's capacity changes are engine events that grant requests).
 */
static bool own_calendar_ok(const qm_config *c, const sim_run *run, size_t self)
{
    return !c->engine_events && !c->scheduled && !isfinite(c->balk_at) &&
           !sim_port_connected(run, self, QM_PORT_DEPARTURES);
}

static int qm_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    const qm_config *c = cfg;
    qm_state *s = calloc(1, sizeof *s);
    *state = s;
    if (!s)
        return SIM_ENOMEM;
    s->cfg = c;
    s->run = run;
    s->self = self;
    s->engine = sim_run_engine(run);
    s->out = sim_run_record(run, self);
    s->rng_arrivals = sim_run_stream(run, self, "arrivals");
    s->rng_class = sim_run_stream(run, self, "class");
    s->rng_service = sim_run_stream(run, self, "service");
    s->cls = calloc(c->n_classes, sizeof *s->cls);
    if (!s->rng_arrivals || !s->rng_class || !s->rng_service || !s->cls)
        return SIM_ENOMEM;
    s->own_calendar = own_calendar_ok(c, run, self);
    if (s->own_calendar) {
        s->waiting_by_class = calloc(c->n_classes, sizeof *s->waiting_by_class);
        s->cap_dep = 64;
        s->dep = malloc(s->cap_dep * sizeof *s->dep);
        if (!s->waiting_by_class || !s->dep)
            return SIM_ENOMEM;
        s->dep[0] = s->arrival_at = NONE_PENDING;
    } else {
        s->servers = sim_resource_alloc(s->engine, &c->cal, c->servers,
                                        c->scheduled ? &c->schedule : NULL);
        if (!s->servers)
            return SIM_ENOMEM;
    }
    for (size_t g = 0; g < c->n_classes; g++) {
        sim_timeavg_init(&s->cls[g].queue, 0, 0);
    }
    sim_timeavg_init(&s->busy, 0, 0);
    double first = sim_next_arrival_ziggurat(&c->arrivals, &c->cal, 0, s->rng_arrivals);
    if (first <= c->horizon_days && !schedule_arrival(s, first))
        return SIM_ENOMEM;
    return SIM_OK;
}

static int qm_finish(void *state, sim_record *out)
{
    (void)out; /* s->out is this view */
    qm_state *s = state;
    if (s->own_calendar)
        advance(s, s->cfg->horizon_days, true);
    if (s->failed)
        return s->failed;
    flush_month(s);
    write_outcomes(s);
    return SIM_OK;
}

int qm_run(const void *cfg, uint64_t base_seed, uint64_t replication, sim_record *out)
{
    const qm_config *c = cfg;
    return capsim_model_run_alone(&capsim_queue_model, cfg, c->horizon_days, c->warmup_days,
                                  base_seed, replication, out, NULL);
}

static const char *const queue_sections[] = {"queue", NULL};

static const sim_port queue_ports[QM_PORTS] = {
    [QM_PORT_DEPARTURES] = {"departures", SIM_OFFER_OUT,
                            "Each customer who finishes service (attr[0]: arrival time)."},
    [QM_PORT_BLOCK_LEVEL] = {"block_level", SIM_SIGNAL_IN,
                             "A level read at each arrival: at or above balk_at, it is lost."},
};

const capsim_model capsim_queue_model = {
    .name = "queue",
    .sections = queue_sections,
    .ports = queue_ports,
    .n_ports = QM_PORTS,
    .configure = qm_configure,
    .declare = qm_declare,
    .start = qm_start,
    .snapshot = qm_snapshot,
    .warmup_end = qm_warmup_end,
    .finish = qm_finish,
    .stop = qm_stop,
    .destroy = qm_destroy,
    .estimate = qm_estimate,
};
