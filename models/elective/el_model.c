/*
 * models/elective/el_model.c: the elective care model as capsim sees it.
 *
 * Referrals, RTT waiting lists, theatre sessions and collaboration between trusts (see
 * el_config.h for the scenario sections and el_state.h for the behaviour and the layers of
 * the model's files). Trusts and sites come from the scenario's shared `system:` section.
 */
#include "el_model.h"

#include "../model.h"
#include "core/error.h"
#include "el_config_read.h"
#include "el_estimate.h"
#include "el_metrics.h"
#include "el_run.h"

static const char *const sections[] = {"specialties", "theatres", "collaboration", NULL};

static int configure(const capsim_scenario *sc, void **cfg, struct sim_error *err)
{
    el_config *c;
    int rc = el_config_read(sc, &c, err);
    if (rc)
        return rc;
    *cfg = c;
    return SIM_OK;
}

static int declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    int rc = el_declare(cfg, m);
    if (rc)
        sim_error_set(err, rc, NULL, 0, 0, NULL, "cannot declare the elective metrics: %s",
                      sim_strerror(rc));
    return rc;
}

static const sim_port ports[EL_PORTS] = {
    [EL_PORT_BED_PRESSURE] = {"bed_pressure", SIM_SIGNAL_IN,
                              "Per system site: the probability that an inpatient case due now "
                              "is cancelled (the beds model's cancel_probability)."},
    [EL_PORT_INPATIENTS] = {"inpatients", SIM_OFFER_OUT,
                            "An inpatient case operated (attr[0]: length of stay, days); a "
                            "refused bed cancels the case."},
};

static void destroy(void *cfg)
{
    el_config_free(cfg);
}

const capsim_model capsim_elective_model = {
    .name = "elective",
    .sections = sections,
    .ports = ports,
    .n_ports = EL_PORTS,
    .configure = configure,
    .declare = declare,
    .start = el_start,
    .snapshot = el_on_snapshot,
    .warmup_end = el_on_warmup_end,
    .finish = el_finish,
    .stop = el_stop,
    .estimate = el_estimate,
    .destroy = destroy,
};

int el_run_replication(const el_config *cfg, uint64_t base_seed, uint64_t replication,
                       sim_record *out, const el_run_hooks *hooks)
{
    el_config with_hooks = *cfg; /* a shallow copy that only adds the observers */
    with_hooks.test_hooks = hooks;
    return capsim_model_run_alone(&capsim_elective_model, &with_hooks, cfg->horizon_days,
                                  cfg->warmup_days, base_seed, replication, out, NULL);
}
