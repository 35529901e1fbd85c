/*
 * models/beds/beds_model.h: general and acute beds per site (prefix beds_).
 *
 * Non-elective patients arrive at each site (time-varying Poisson: hour of day, weekday,
 * month) or are offered by other models (the virtual ward's escalations and refusals), take
 * a general and acute bed for a clinical stay drawn per patient, and then, for a share of
 * them, stay on for a discharge delay while they no longer meet the criteria to reside
 * (NCTR). Elective inpatients are offered by the elective model with their length of stay
 * and take a ring-fenced bed at their site if one is free, else a general bed. Avoided
 * admissions (from the hub and the virtual ward) are credits per trust that the next own
 * non-elective arrival at that trust consumes. A share of non-elective patients is offered a
 * step-down to the virtual ward part-way through their stay; if accepted their bed is freed.
 *
 *   beds:
 *     when_full: board          # board (admit over the count as an outlier) | refuse
 *     prefill_days: 90          # start with the census of a stationary run (0: empty)
 *     census_hour: 8            # hour of the daily census (distribution per month)
 *     bed_pressure: {...}       # models/beds/beds_pressure.h
 *     sites:
 *       - site: WSH                                # a site of the system section
 *         beds: 452                                # or {jan: 456, feb: 458, ...} (12 months)
 *         ring_fenced_beds: 0                      # elective-only beds, not in free_beds
 *         admissions: {per_day: 54, weekday: {...}, hour_of_day: [...], month: {...}}
 *         stay_days: {lognormal: {mean: 5.2, sd: 7}}        # clinical stay
 *         discharge_delay: {share: 35%, days: {exponential: {mean: 6.5}}}
 *         step_down: {share: 5%, at_fraction: 0.5}
 *
 * Ports (the contract with the urgent-care hub and the virtual ward, docs/beds.md): admit,
 * avoided, elective_admit (offer in), step_down (offer out), free_beds (signal out).
 */
#ifndef CAPSIM_BEDS_MODEL_H
#define CAPSIM_BEDS_MODEL_H

#include "../model.h"
#include "beds_pressure.h"
#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"

typedef enum beds_when_full { BEDS_BOARD, BEDS_REFUSE } beds_when_full;

typedef struct beds_site {
    int site;                  /* system site index */
    int trust;                 /* its trust */
    const char *code;
    double beds[12];           /* general and acute beds available, by month (January = 0) */
    long ring_fenced;          /* elective-only beds */
    bool has_admissions;
    sim_rate_profile admissions;
    sim_dist stay;             /* admission to no longer meeting the criteria to reside */
    double delay_share;        /* share of patients with a discharge delay */
    sim_dist delay;            /* its length, days */
    double step_down_share;    /* share offered a step-down to the virtual ward */
    double step_down_at;       /* the offer, as a fraction of the clinical stay elapsed */
} beds_site;

typedef struct beds_config {
    sim_calendar cal;
    double horizon_days, warmup_days;
    beds_when_full when_full;
    double prefill_days;
    double census_hour;
    size_t n_sites;            /* beds sites */
    beds_site *sites;
    size_t n_system_sites;
    int *site_of;              /* system site -> beds site index, -1 if none */
    int *site_trust;           /* system site -> its trust */
    size_t n_system_trusts;
    int single_trust;          /* the one trust of every beds site, or -1 */
    const char **site_codes;   /* dimension labels */
    beds_pressure pressure;
} beds_config;

enum {
    BEDS_PORT_ADMIT,
    BEDS_PORT_AVOIDED,
    BEDS_PORT_ELECTIVE_ADMIT,
    BEDS_PORT_STEP_DOWN,
    BEDS_PORT_FREE_BEDS,
    BEDS_PORT_CANCEL_PROBABILITY,
    BEDS_PORTS
};

int beds_configure(const capsim_scenario *sc, void **cfg, struct sim_error *err);
void beds_destroy(void *cfg);
int beds_declare(const void *cfg, sim_monitor *m, struct sim_error *err);

/* Events and bytes of one replication (beds_estimate.c; models/model.h). */
int beds_estimate(const void *cfg, double *events, double *bytes);

#endif
