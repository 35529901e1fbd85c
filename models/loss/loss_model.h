/*
 * models/loss/loss_model.h: a finite-capacity station with no waiting room (prefix lm_).
 *
 * Customers (patients offered by another model through a flow, or its own Poisson
 * arrivals) take one of c places for a drawn stay; when every place is taken they are
 * refused at once. It is the second stage of the system layer's coupled tests (a queue
 * feeding a loss system: Erlang B) and a building block for any service counted in places
 * that turns people away when full (a virtual ward's beds, a community team's slots).
 *
 *   loss:
 *     places: 5                                 # c
 *     stay_days: {exponential: {mean: 1}}       # any distribution (sim/core/dist.h), days
 *     arrivals: {per_day: 4}                    # optional: its own Poisson arrivals
 *
 * Ports: arrivals (offer in: a customer takes a place, or is refused when all are taken);
 * occupied (signal out: places in use, one value). Outputs (after the warm-up): offered,
 * refused, refused share, time-average places in use and occupancy; month-end places in
 * use, arrivals and refusals per month.
 */
#ifndef CAPSIM_LOSS_MODEL_H
#define CAPSIM_LOSS_MODEL_H

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"
#include "../model.h"

typedef struct lm_config {
    sim_calendar cal;
    double horizon_days, warmup_days;
    long places;
    sim_dist stay;
    bool has_arrivals;
    sim_rate_profile arrivals;
} lm_config;

enum { LM_PORT_ARRIVALS, LM_PORT_OCCUPIED, LM_PORTS };

/* Events and bytes of one replication (loss_estimate.c; models/model.h). */
int lm_estimate(const void *cfg, double *events, double *bytes);

#endif
