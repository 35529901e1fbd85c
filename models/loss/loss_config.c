/* models/loss/loss_config.c: reading and checking the `loss:` section. */
#include <stdlib.h>

#include "core/error.h"
#include "loss_model.h"

int lm_configure(const capsim_scenario *sc, void **out, struct sim_error *err);
void lm_destroy(void *cfg);

int lm_configure(const capsim_scenario *sc, void **out, struct sim_error *err)
{
    static const char *const keys[] = {"places", "stay_days", "arrivals", NULL};
    lm_config *c = calloc(1, sizeof *c);
    if (!c)
        return SIM_ENOMEM;
    int rc = capsim_scenario_calendar(sc, &c->cal);
    if (rc) {
        free(c);
        return rc;
    }
    c->horizon_days = sc->horizon_days;
    c->warmup_days = sc->warmup_days;
    sim_dist_constant(&c->stay, 0);
    sim_node *loss = NULL, *arrivals = NULL;
    const sim_node *stay;
    if ((rc = sim_node_map(sc->root, "loss", &loss, err)) ||
        (rc = sim_node_check_keys(loss, keys, err)) ||
        (rc = sim_node_int(loss, "places", 1, 1000000, &c->places, err)))
        goto fail;
    if (!(stay = sim_node_get(loss, "stay_days"))) {
        rc = sim_node_map(loss, "stay_days", &(sim_node *){NULL}, err);
        goto fail;
    }
    if ((rc = sim_dist_from_node(stay, 0.0, &c->stay, err)))
        goto fail;
    if (sim_node_has(loss, "arrivals")) {
        c->has_arrivals = true;
        if ((rc = sim_node_map(loss, "arrivals", &arrivals, err)) ||
            (rc = sim_rate_profile_from_node(arrivals, &c->arrivals, err)))
            goto fail;
    }
    *out = c;
    return SIM_OK;
fail:
    lm_destroy(c);
    return rc;
}

void lm_destroy(void *cfg)
{
    lm_config *c = cfg;
    if (!c)
        return;
    sim_dist_fini(&c->stay);
    sim_calendar_fini(&c->cal);
    free(c);
}
