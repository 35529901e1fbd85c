/* models/loss/loss_run.c: metrics and one replication of the loss station. */
#include <math.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/stats.h"
#include "loss_model.h"

int lm_configure(const capsim_scenario *sc, void **out, struct sim_error *err);
void lm_destroy(void *cfg);

enum {
    M_OCCUPIED, M_ARRIVALS, M_REFUSED,
    M_OFFERED_TOTAL, M_REFUSED_TOTAL, M_REFUSED_SHARE, M_MEAN_OCCUPIED, M_OCCUPANCY, M_COUNT
};

static const struct {
    const char *name, *units, *description;
    sim_metric_kind kind;
} metrics[M_COUNT] = {
    {"occupied", "places", "Places in use at the snapshot.", SIM_METRIC_SERIES},
    {"arrivals", "customers", "Customers offered a place in the month.", SIM_METRIC_SERIES},
    {"refused", "customers", "Customers refused for want of a place in the month.",
     SIM_METRIC_SERIES},
    {"offered_total", "customers", "Customers offered a place after the warm-up.",
     SIM_METRIC_REP},
    {"refused_total", "customers", "Customers refused after the warm-up.", SIM_METRIC_REP},
    {"refused_share", "fraction", "Share of customers offered after the warm-up who were "
     "refused (Erlang B for Poisson arrivals).", SIM_METRIC_REP},
    {"mean_occupied", "places", "Time-average places in use after the warm-up.",
     SIM_METRIC_REP},
    {"occupancy", "fraction", "Time-average places in use over places, after the warm-up.",
     SIM_METRIC_REP},
};

static const sim_port ports[LM_PORTS] = {
    [LM_PORT_ARRIVALS] = {"arrivals", SIM_OFFER_IN,
                          "A customer who takes a place if one is free, else is refused."},
    [LM_PORT_OCCUPIED] = {"occupied", SIM_SIGNAL_OUT, "Places in use (one value)."},
};

static int lm_declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    const lm_config *c = cfg;
    int rc = capsim_monitor_month_ends(m, &c->cal, c->horizon_days);
    for (int i = 0; i < M_COUNT && !rc; i++) {
        int id = sim_monitor_declare(m, metrics[i].name, metrics[i].units,
                                     metrics[i].description, metrics[i].kind, false);
        if (id != i)
            rc = id < 0 ? id : SIM_EINVAL;
    }
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL, "cannot declare the loss metrics: %s",
                             sim_strerror(rc));
    return SIM_OK;
}

typedef struct lm_state {
    const lm_config *cfg;
    sim_run *run;
    size_t self;
    sim_engine *engine;
    sim_record *out;
    gsl_rng *rng_arrivals, *rng_stay;
    long in_use;
    sim_timeavg occupied;
    uint64_t offered, refused;  /* after the warm-up */
} lm_state;

static void set_in_use(lm_state *s, long n)
{
    s->in_use = n;
    sim_timeavg_set(&s->occupied, sim_now(s->engine), (double)n);
    sim_signal_set(s->run, s->self, LM_PORT_OCCUPIED, 0, (double)n);
}

static void on_leave(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)e;
    (void)unused;
    lm_state *s = ctx;
    set_in_use(s, s->in_use - 1);
}

/* A customer asks for a place: 1 if taken, 0 if refused. */
static int admit(lm_state *s)
{
    double now = sim_now(s->engine);
    size_t period = sim_run_period(s->run);
    bool counted = now >= s->cfg->warmup_days;
    sim_record_add(s->out, M_ARRIVALS, period, 0, 1);
    s->offered += counted;
    if (s->in_use >= s->cfg->places) {
        sim_record_add(s->out, M_REFUSED, period, 0, 1);
        s->refused += counted;
        return 0;
    }
    set_in_use(s, s->in_use + 1);
    double stay = sim_dist_sample(&s->cfg->stay, s->rng_stay);
    if (!sim_schedule_at(s->engine, now + stay, on_leave, s, 0))
        sim_run_fail(s->run, s->self, SIM_ENOMEM, "cannot schedule a departure");
    return 1;
}

static void on_arrival(sim_engine *e, void *ctx, uint64_t unused)
{
    (void)unused;
    lm_state *s = ctx;
    const lm_config *c = s->cfg;
    double next = sim_next_arrival(&c->arrivals, &c->cal, sim_now(e), s->rng_arrivals);
    if (next <= c->horizon_days)
        sim_schedule_at(e, next, on_arrival, s, 0);
    admit(s);
}

static int lm_accept(void *state, size_t port, const sim_patient *p)
{
    (void)port;
    (void)p;
    return admit(state);
}

static int lm_start(const void *cfg, sim_run *run, size_t self, void **state)
{
    const lm_config *c = cfg;
    lm_state *s = calloc(1, sizeof *s);
    *state = s;
    if (!s)
        return SIM_ENOMEM;
    *s = (lm_state){.cfg = c, .run = run, .self = self, .engine = sim_run_engine(run),
                    .out = sim_run_record(run, self)};
    s->rng_arrivals = sim_run_stream(run, self, "arrivals");
    s->rng_stay = sim_run_stream(run, self, "stay");
    if (!s->rng_arrivals || !s->rng_stay)
        return SIM_ENOMEM;
    sim_timeavg_init(&s->occupied, 0, 0);
    int rc = sim_signal_publish(run, self, LM_PORT_OCCUPIED, 1, 0.0);
    if (rc)
        return rc;
    if (c->has_arrivals) {
        double first = sim_next_arrival(&c->arrivals, &c->cal, 0, s->rng_arrivals);
        if (first <= c->horizon_days && !sim_schedule_at(s->engine, first, on_arrival, s, 0))
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

static void lm_snapshot(void *state, size_t k)
{
    lm_state *s = state;
    sim_record_set(s->out, M_OCCUPIED, k, 0, (double)s->in_use);
}

static void lm_warmup_end(void *state)
{
    lm_state *s = state;
    sim_timeavg_restart(&s->occupied, sim_now(s->engine));
}

static int lm_finish(void *state, sim_record *out)
{
    lm_state *s = state;
    double mean = sim_timeavg_mean(&s->occupied, s->cfg->horizon_days);
    sim_record_set(out, M_OFFERED_TOTAL, 0, 0, (double)s->offered);
    sim_record_set(out, M_REFUSED_TOTAL, 0, 0, (double)s->refused);
    sim_record_set(out, M_REFUSED_SHARE, 0, 0,
                   s->offered ? (double)s->refused / (double)s->offered : NAN);
    sim_record_set(out, M_MEAN_OCCUPIED, 0, 0, mean);
    sim_record_set(out, M_OCCUPANCY, 0, 0, mean / (double)s->cfg->places);
    return SIM_OK;
}

static void lm_stop(void *state)
{
    free(state);
}

static const char *const sections[] = {"loss", NULL};

const capsim_model capsim_loss_model = {
    .name = "loss",
    .sections = sections,
    .ports = ports,
    .n_ports = LM_PORTS,
    .configure = lm_configure,
    .declare = lm_declare,
    .start = lm_start,
    .snapshot = lm_snapshot,
    .warmup_end = lm_warmup_end,
    .finish = lm_finish,
    .stop = lm_stop,
    .accept = lm_accept,
    .destroy = lm_destroy,
    .estimate = lm_estimate,
};
