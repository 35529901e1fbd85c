/*
 * models/queue/queue_estimate.c: events and memory of one queue replication, before it runs.
 *
 * Every arrival makes about three events (arrival, start of service, departure). The peak
 * memory is bounded by every arrival still in the system at once (an overloaded queue keeps
 * them all), at a rough 160 bytes each (the customer, its pending event and heap slot,
 * allocator overhead), plus the per-class arrays.
 */
#include "queue_model.h"

#include "core/error.h"
#include "../estimate_arrivals.h"

int qm_estimate(const void *cfg, double *events, double *bytes)
{
    const qm_config *c = cfg;
    double arrivals = capsim_estimate_arrivals(&c->arrivals, &c->cal, c->horizon_days);
    *events = 3 * arrivals;
    *bytes = 160 * arrivals + 256.0 * (double)c->n_classes;
    return SIM_OK;
}
