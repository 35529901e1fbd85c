/*
 * models/virtual_ward/vw_estimate.c: events and memory of one virtual-ward replication,
 * before it runs.
 *
 * Each referral (step-up and step-down, every trust) makes about three events (referral,
 * escalation check, discharge). A full ward refuses, so memory is bounded by its places
 * (a rough 200 bytes a patient with its pending events).
 */
#include "vw_model.h"

#include "core/error.h"
#include "../estimate_arrivals.h"

int vw_estimate(const void *cfg, double *events, double *bytes)
{
    const vw_config *c = cfg;
    double referrals = 0, places = 0;
    for (size_t i = 0; i < c->n_trusts; i++) {
        const vw_trust *t = &c->trusts[i];
        if (t->has_step_up)
            referrals += capsim_estimate_arrivals(&t->step_up, &c->cal, c->horizon_days);
        if (t->has_step_down)
            referrals += capsim_estimate_arrivals(&t->step_down, &c->cal, c->horizon_days);
        places += (double)t->places;
    }
    *events = 3 * referrals;
    *bytes = 200 * places + 128.0 * (double)(c->n_trusts + c->n_pathways);
    return SIM_OK;
}
