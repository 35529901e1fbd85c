/*
 * models/virtual_ward/vw_model.h: virtual wards (hospital at home), prefix vw_.
 *
 * Referrals step up (from the hub through a flow, or the ward's own GP and ED referrals) or
 * step down (early discharge from acute beds: offered by the beds model, or the ward's own
 * rate). Capacity is counted as the services count it:
 *   - places ("beds") per trust, optionally pooled between the trusts (`shared: true`);
 *   - staff visits: each patient needs the pathway's visits a day; staff on shifts make
 *     `visits_per_staff_hour` visits, so a day's visit capacity is that rate times the
 *     staff-hours of the day. A referral is admitted only if a place is free and the
 *     patients on the ward (with the newcomer) need no more visits than today's capacity.
 * A refusal is blamed on places when every place is taken, otherwise on staff visits; the
 * outputs say which binds. Length of stay is drawn per patient by pathway, optionally capped
 * (`max_stay_days`); a patient escalates back to hospital with the pathway's probability at a
 * uniform point of the stay.
 *
 *   virtual_ward:
 *     shared: false                  # pool places and staff across the trusts
 *     max_stay_days: 14              # optional cap
 *     visits_per_staff_hour: 1.0     # needed with staff
 *     step_down_bed_days_saved: 2.89 # own step-downs (Jalilian et al., BMJ Open)
 *     admissions_per_avoided: 2.5    # step-up admissions per acute admission avoided
 *     trusts:
 *       - trust: WSFT                # a trust of the system: section
 *         places: 56                 # or places_per_100k: 20 (of the trust's population)
 *         staff: [{days: all, from: "08:00", to: "20:00", servers: 4}]   # optional
 *         step_up: {per_day: 3}      # optional own GP/ED step-up referrals
 *         step_down: {per_day: 1}    # optional own step-down referrals
 *     pathways:
 *       - {name: frailty, step_up: 60%, step_down: 30%, stay_days: {...}, escalation: 10%,
 *          visits_per_day: 2}
 *
 * Ports: step_up, step_down (offers in), escalate, admit_refused, avoided (offers out),
 * occupied (signal out, places in use per system trust).
 */
#ifndef CAPSIM_VW_MODEL_H
#define CAPSIM_VW_MODEL_H

#include <stdbool.h>

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"
#include "core/resource.h"
#include "../model.h"

typedef struct vw_pathway {
    const char *name;
    double step_up_share, step_down_share; /* normalised weights */
    sim_dist stay;
    double escalation;
    double visits_per_day;
} vw_pathway;

typedef struct vw_trust {
    int trust;                /* index into the system's trusts */
    long places;
    bool has_staff;
    sim_schedule staff;
    bool has_step_up, has_step_down;
    sim_rate_profile step_up, step_down;
} vw_trust;

typedef struct vw_config {
    sim_calendar cal;
    double horizon_days, warmup_days;
    size_t n_system_trusts;
    const char **system_trust_names;  /* point into the document */
    bool shared;
    double max_stay_days;             /* INFINITY when uncapped */
    double visits_per_staff_hour;
    double step_down_bed_days_saved;
    double admissions_per_avoided;
    size_t n_trusts;
    vw_trust *trusts;
    int *ward_of_trust;               /* system trust -> index in trusts, -1 if none */
    size_t n_pathways;
    vw_pathway *pathways;
    const char **pathway_names;
    double *step_up_cum, *step_down_cum; /* cumulative pathway shares */
    size_t n_pools;                   /* 1 when shared, else n_trusts */
    const char **pool_names;
} vw_config;

enum {
    VW_PORT_STEP_UP, VW_PORT_STEP_DOWN, VW_PORT_ESCALATE, VW_PORT_ADMIT_REFUSED,
    VW_PORT_AVOIDED, VW_PORT_OCCUPIED, VW_PORTS
};

/* Referral routes (a dimension of the outputs). */
enum { VW_ROUTE_HUB, VW_ROUTE_GP_ED, VW_ROUTE_STEP_DOWN, VW_ROUTES };
/* Why a referral was refused. */
enum { VW_REASON_PLACES, VW_REASON_STAFF, VW_REASONS };

int vw_configure(const capsim_scenario *sc, void **out, struct sim_error *err);
void vw_destroy(void *cfg);

/* Events and bytes of one replication (vw_estimate.c; models/model.h). */
int vw_estimate(const void *cfg, double *events, double *bytes);

#endif
