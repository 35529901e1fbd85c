/*
 * models/loss/loss_estimate.c: events and memory of one loss replication, before it runs.
 *
 * Its own arrivals make two events each (arrival, end of stay); customers offered by other
 * models are counted by them. Nobody waits, so memory is bounded by the places (a rough
 * 160 bytes a customer in a place, with its pending event).
 */
#include "loss_model.h"

#include "core/error.h"
#include "../estimate_arrivals.h"

int lm_estimate(const void *cfg, double *events, double *bytes)
{
    const lm_config *c = cfg;
    double arrivals =
        c->has_arrivals ? capsim_estimate_arrivals(&c->arrivals, &c->cal, c->horizon_days) : 0;
    *events = 2 * arrivals;
    *bytes = 160.0 * (double)c->places;
    return SIM_OK;
}
