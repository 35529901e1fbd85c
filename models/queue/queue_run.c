/* models/queue/queue_run.c: metrics and one replication of the queueing model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"
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

typedef struct qm_class_stats {
    size_t waiting;          /* in the queue now */
    sim_timeavg queue;       /* time-average of `waiting` */
    sim_tally wait, sojourn;
    uint64_t waited, arrivals_after_warmup, balked, refused_downstream;
    /* This month's arrivals and services started, added to the record at the snapshot. */
    uint64_t month_arrivals, month_served;
} qm_class_stats;

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
} qm_state;

/*
 * The per-customer statistics, inlined: the same arithmetic as sim_tally_add and
 * sim_timeavg_set (sim/core/stats.c), so results are bit-identical, without a call into
 * stats.c twice per customer.
 */
static inline void tally_add(sim_tally *t, double x)
{
    t->n++;
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
}

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

static void on_departure(sim_engine *e, void *ctx, uint64_t id)
{
    qm_state *s = ctx;
    qm_customer *cu = &s->customers[id];
    double now = sim_now(e);
    if (cu->arrival >= s->cfg->warmup_days)
        tally_add(&s->cls[cu->cls].sojourn, now - cu->arrival);
    if (sim_port_connected(s->run, s->self, QM_PORT_DEPARTURES)) {
        sim_patient p = {.id = id, .trust = -1, .site = -1, .kind = (int32_t)cu->cls,
                         .clock_start = cu->arrival, .attr = {cu->arrival}};
        if (!sim_offer(s->run, s->self, QM_PORT_DEPARTURES, &p) &&
            cu->arrival >= s->cfg->warmup_days)
            s->cls[cu->cls].refused_downstream++;
    }
    customer_free(s, id);
    level_set(&s->busy, now, s->busy.level - 1);
    sim_resource_release(s->servers);
}

static void on_grant(sim_engine *e, void *ctx, uint64_t id)
{
    qm_state *s = ctx;
    double now = sim_now(e);
    qm_customer *cu = &s->customers[id];
    qm_class_stats *st = &s->cls[cu->cls];
    st->waiting--;
    level_set(&st->queue, now, (double)st->waiting);
    level_set(&s->busy, now, s->busy.level + 1);
    double wait = now - cu->arrival;
    if (cu->arrival >= s->cfg->warmup_days) {
        tally_add(&st->wait, wait);
        if (wait > 0)
            st->waited++;
    }
    st->month_served++;
    double service = sim_dist_sample(&s->cfg->service, s->rng_service);
    if (!sim_schedule_at(e, now + service, on_departure, s, id))
        s->failed = SIM_ENOMEM;
}

static void on_arrival(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    qm_state *s = ctx;
    const qm_config *c = s->cfg;
    double now = sim_now(e);
    double next = sim_next_arrival(&c->arrivals, &c->cal, now, s->rng_arrivals);
    if (next <= c->horizon_days && !sim_schedule_at(e, next, on_arrival, s, 0))
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
        sim_stop(e);
        return;
    }
    s->customers[id] = (qm_customer){now, k, 0};
    st->waiting++;
    level_set(&st->queue, now, (double)st->waiting);
    if (sim_resource_request(s->servers, id, c->classes[k].priority, on_grant, s))
        s->failed = SIM_ENOMEM;
}

static void qm_snapshot(void *state, size_t k)
{
    qm_state *s = state;
    flush_month(s);
    for (size_t g = 0; g < s->cfg->n_classes; g++)
        sim_record_set(s->out, M_QUEUE_LENGTH, k, g, (double)s->cls[g].waiting);
    s->period = k + 1 < s->cfg->n_snapshots ? k + 1 : k;
}

static void qm_warmup_end(void *state)
{
    qm_state *s = state;
    double now = sim_now(s->engine);
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
        sim_record_set(s->out, M_MEAN_WAIT, 0, g, sim_tally_mean(&st->wait));
        sim_record_set(s->out, M_WAITED_SHARE, 0, g,
                       st->wait.n ? (double)st->waited / (double)st->wait.n : NAN);
        sim_record_set(s->out, M_MEAN_QUEUE, 0, g, sim_timeavg_mean(&st->queue, end));
        sim_record_set(s->out, M_THROUGHPUT, 0, g, (double)st->arrivals_after_warmup / span);
        sim_record_set(s->out, M_MEAN_SOJOURN, 0, g, sim_tally_mean(&st->sojourn));
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
    free(s->customers);
    free(s->cls);
    free(s);
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
    s->servers = sim_resource_alloc(s->engine, &c->cal, c->servers,
                                    c->scheduled ? &c->schedule : NULL);
    if (!s->servers)
        return SIM_ENOMEM;
    for (size_t g = 0; g < c->n_classes; g++) {
        sim_timeavg_init(&s->cls[g].queue, 0, 0);
        sim_tally_init(&s->cls[g].wait);
        sim_tally_init(&s->cls[g].sojourn);
    }
    sim_timeavg_init(&s->busy, 0, 0);
    double first = sim_next_arrival(&c->arrivals, &c->cal, 0, s->rng_arrivals);
    if (first <= c->horizon_days && !sim_schedule_at(s->engine, first, on_arrival, s, 0))
        return SIM_ENOMEM;
    return SIM_OK;
}

static int qm_finish(void *state, sim_record *out)
{
    (void)out; /* s->out is this view */
    qm_state *s = state;
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
