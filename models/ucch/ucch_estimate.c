/*
 * models/ucch/ucch_estimate.c: events and memory of one urgent-care replication, before it
 * runs.
 *
 * An incident makes about four events (call, review, dispatch or service, end). Calls wait
 * for a clinician, so the peak is bounded by every incident held at once (understaffed
 * hubs keep them all), at a rough 200 bytes each.
 */
#include "ucch_model.h"

#include "core/error.h"
#include "../estimate_arrivals.h"

int ucch_estimate(const void *cfg, double *events, double *bytes)
{
    const ucch_config *c = cfg;
    double incidents = capsim_estimate_arrivals(&c->incidents, &c->cal, c->horizon_days);
    *events = 4 * incidents;
    *bytes = 200 * incidents +
             64.0 * (double)(c->n_categories + c->n_services + c->n_roles + c->n_trusts);
    return SIM_OK;
}
