/*
 * models/ucch/ucch_model.h: the Urgent Care Co-ordination Hub (prefix ucch_).
 *
 * 999 incidents arrive by hour of day and weekday with a category mix. A share of each
 * category's calls may be reviewed by the hub: while the hub is open such a call waits on the
 * stack until a clinician picks it up (oldest first) or its dispatch deadline passes (drawn
 * from the category's response-time distribution), when it is dispatched as usual. Calls
 * arriving while the hub is closed, and calls still on the stack when it closes, are
 * dispatched as usual. A review takes a drawn time; a share of reviewed patients are suitable
 * for an alternative service, chosen by the service mix; the transfer happens only if that
 * service is open and has room today (its daily capacity), or, for the virtual ward, if the
 * ward accepts the offer on port divert_vw. A share of each service's transfers still needs a
 * vehicle; the rest are dispatches avoided, of which a drawn share would have been conveyed
 * to ED and a share of those admitted (offered on port `avoided`).
 *
 *   ucch:
 *     incidents: {per_day: 342, hour_of_day: [24 factors], weekday: {...}}
 *     categories:
 *       - {name: C3, share: 16425, reviewable: 100%,
 *          response_minutes: {lognormal: {mean: 98, sd: 120}}}
 *     review_minutes: {lognormal: {mean: 20, sd: 10}}
 *     suitable: 82%
 *     roles:                          # clinicians per role on a rota (sim_schedule shifts)
 *       - {role: paramedic, clinicians: [{days: [mon, tue, wed, thu, fri], from: "08:00",
 *                                         to: "16:00", servers: 2}]}
 *     services:
 *       - {name: eit, share: 30%, per_day: 12, hours: [...shifts...], needs_vehicle: 20%}
 *       - {name: virtual_ward, share: 10%, offer: true, needs_vehicle: 0%}
 *     conveyed: 60%        # share of avoided dispatches that would have gone to ED
 *     admitted: 35%        # share of those that would have been admitted
 *     job_cycle_hours: 2   # ambulance hours per dispatch (hours saved = avoided x this)
 *     staffing: {baseline_hours_per_week: 37.5, uplift: 21.9%}
 *
 * Trusts: a call belongs to a system trust drawn by population (none without populations).
 */
#ifndef CAPSIM_UCCH_MODEL_H
#define CAPSIM_UCCH_MODEL_H

#include <stdbool.h>

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"
#include "core/resource.h"
#include "../model.h"

typedef struct ucch_category {
    const char *name;
    double share, reviewable;
    sim_dist response_minutes;      /* the dispatch deadline */
} ucch_category;

typedef struct ucch_role {
    const char *name;
    sim_schedule clinicians;
} ucch_role;

typedef struct ucch_service {
    const char *name;
    double share;
    long per_day;                   /* -1: no daily limit */
    bool has_hours;
    sim_schedule hours;             /* open while > 0 */
    double needs_vehicle;
    bool offer;                     /* through port divert_vw (the virtual ward) */
} ucch_service;

typedef struct ucch_config {
    sim_calendar cal;
    double horizon_days, warmup_days;
    sim_rate_profile incidents;
    size_t n_categories;
    ucch_category *categories;
    const char **category_names;
    double *category_cum;
    sim_dist review_minutes;
    double suitable;
    size_t n_roles;
    ucch_role *roles;
    size_t n_services;
    ucch_service *services;
    const char **service_names;
    double *service_cum;
    double conveyed, admitted, job_cycle_hours;
    double hours_per_week, baseline_hours, uplift;
    size_t n_trusts;
    const char **trust_names;
    double *trust_cum;              /* NULL: calls have no trust */
} ucch_config;

enum { UCCH_PORT_DIVERT_VW, UCCH_PORT_AVOIDED, UCCH_PORTS };

int ucch_configure(const capsim_scenario *sc, void **out, struct sim_error *err);
void ucch_destroy(void *cfg);

/* Events and bytes of one replication (ucch_estimate.c; models/model.h). */
int ucch_estimate(const void *cfg, double *events, double *bytes);

#endif
