/*
 * models/elective/el_config.h: the elective model's configuration, read from a scenario.
 *
 * The model owns four top-level sections:
 *
 *   trusts:        - {name: WSFT, sites: [{code: WSH, name: ..., lat: 52.23, lon: 0.71}]}
 *   specialties:   - name: trauma-orthopaedics
 *                    admitted_share: 0.21          (default 1)
 *                    priority_mix: {P1: 0.02, P2: 0.18, P3: 0.4, P4: 0.4}   (default all P4)
 *                    priority_review: [{from: P4, to: P3, after_weeks: 52}]
 *                    removals: {per_month: 3.3%, priority_factor: {P1: 0},
 *                               weeks_factor: [{from: 0, to: 18, factor: 0.5}]}
 *                    case_minutes: {lognormal: {mean: 110, sd: 35}}
 *                    inpatient: {share: 80%, stay_days: {lognormal: {mean: 4.4, sd: 2.9}}}
 *                                  (cases needing an acute bed: offered to the beds model on
 *                                   the day, and cancelled for bed pressure; default none)
 *                    max_wait_weeks: 156           (top of an open "104+" backlog band)
 *                    selection: {in_turn: 40%, rest: random | weeks_waited | fading,
 *                                half_life_weeks: 40 (fading only), urgent_through: P2,
 *                                long_wait_push: {over_weeks: 78, until: 2023-03-31,
 *                                                 share: 30% (default all bookings)}
 *                                (or a list of up to 4 pushes, tried in order)}
 *                    outpatient_selection: {in_turn: 30%, rest: random, long_wait_push: ...}
 *                    outpatient_removals: {per_month: 1.5%, weeks_factor: [...]}
 *                                                  (the outpatient stage's own hazard)
 *                                  (both removals maps take by_month: {2022-01: 1.4} or
 *                                   FILE.csv: the rate times the factor in that month)
 *                    decision_to_admit: 25%        (two-stage pathway: every referral starts
 *                                                   in the outpatient stage)
 *                    urgent_referrals: 10%         (two stages: urgent referrals, seen first
 *                                  at the outpatient stage; or {share: 10%, priority_mix:
 *                                  {P1: 0.1, P2: 0.9}}, their decisions' priorities,
 *                                  default P2)
 *                    lists:
 *                      WSFT:
 *                        referrals: {per_week: 95, weekday: {...}, month: {...},
 *                                    growth_per_year: 1.122%}
 *                        backlog: {total: 5200, weeks: {0-18: 0.52, 18-52: 0.39, 52+: 0.09},
 *                                  priority_mix: {...}, admitted_share: 1,
 *                                  priority_by_wait: true}
 *                        treatments_per_week: 40   (simple capacity, no theatre plan)
 *                        service: exponential | deterministic
 *                        servers: 1
 *                        capacity_site: WSH        (where the simple capacity treats)
 *                        non_admitted_per_week: 120
 *                        treatments_month: {dec: 0.85, mar: 1.1}  (monthly capacity factors)
 *                        non_admitted_month: {...}
 *                        treatments_by_month: {2023-03: 0.8} or FILE.csv  (particular
 *                        non_admitted_by_month: ...    months: strikes, a new centre)
 *                        capacity_days: weekdays | every_day   (default every_day)
 *                        home_sites: {IPS: 0.6, COL: 0.4}
 *   theatres:      - site: COL
 *                    working_weeks_per_year: 46 | closed_weeks: [2024-12-23, ...]
 *                    book_days_ahead: 14, turnaround_minutes: 15, p1_share: 0.1
 *                    cancel_on_day: {patient: 0.02, hospital: 0.03}
 *                    start_delay_minutes: {...}, case_minutes: {SPECIALTY: {...}}
 *                    sessions: [{weekday: [mon, tue], specialty: ..., hours: 4, count: 2,
 *                                trust: WSFT, from: 2024-08-01, until: ..., cases: 2}]
 *   collaboration: - {specialty: ..., policy: separate | pooled | mutual_aid, from: DATE,
 *                     trusts: [..], site_acceptance: {IPS: 0.6}, travel_limit_km: 60,
 *                     distances_km: {WSH-IPS: 40}, every: week | month,
 *                     threshold_weeks: 52, acceptance: 0.5, max_per_period: 50}
 *
 * A waiting list is one (trust, specialty) pair named "TRUST/specialty"; every list the
 * specialty's `lists` map names exists, and only those. The configuration is immutable
 * once built and is shared by the threads that run replications.
 */
#ifndef EL_CONFIG_H
#define EL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arrivals.h"
#include "core/calendar.h"
#include "core/dist.h"
#include "../model.h"

struct sim_error;
struct el_run_hooks;

#define EL_PRIORITIES 4
#define EL_MAX_BANDS 16
#define EL_MAX_POOL_SITES 64
#define EL_MAX_SITES 2047 /* sites of the system (a patient's home site has 11 bits) */

typedef struct el_site {
    char *code;           /* owned */
    char *name;           /* owned */
    int trust;
    bool has_coords;
    double lat, lon;
} el_site;

typedef struct el_trust {
    char *name;           /* owned */
    int first_site, n_sites;
} el_trust;

typedef struct el_backlog {
    long total;
    size_t n_bands;
    double lo_weeks[EL_MAX_BANDS], hi_weeks[EL_MAX_BANDS];
    long count[EL_MAX_BANDS];       /* patients per band (largest-remainder rounding) */
    double priority_cum[EL_PRIORITIES];
    double admitted_share;
    bool priority_by_wait;          /* no one has waited past the window of his priority */
    bool smooth;                    /* band_shape: smooth (el_backlog_shape.h); else uniform */
    double rate_per_week[EL_MAX_BANDS]; /* each band's exponential decay rate when smooth */
} el_backlog;

typedef enum el_service_kind { EL_SERVICE_EXPONENTIAL, EL_SERVICE_DETERMINISTIC } el_service_kind;

typedef struct el_list {
    char *label;              /* "TRUST/specialty" (owned) */
    int trust, specialty;
    bool has_referrals;
    sim_rate_profile referrals;
    el_backlog backlog;
    double treatments_per_week;   /* simple admitted capacity, 0 if none */
    double non_admitted_per_week; /* simple non-admitted capacity, 0 if none */
    double treatments_month[12];  /* monthly factors of the simple capacities (January = 0; */
    double non_admitted_month[12]; /* day-weighted mean 1, so the per_week figures hold) */
    bool has_capacity_months;     /* any of the four is given */
    bool weekdays_only;           /* capacity_days: weekdays (the simple capacity works Monday
                                   * to Friday, not on bank holidays); else every day */
    sim_dated_months treatments_by_month, non_admitted_by_month; /* replace the monthly
                                    * factors in the months they name (core/dated_months.h) */
    el_service_kind service;
    int servers;
    int capacity_site;
    double home_site_cum[EL_MAX_POOL_SITES]; /* cumulative shares over the trust's sites */
} el_list;

/*
 * Who is treated next from a stage's list (docs/elective.md, "Who is treated"). Without a
 * `selection` key: strict priority, then longest wait (the old rule). With one:
 *   1. clinically urgent priorities first (P1 .. urgent_through), each longest wait first;
 *   2. while a long-wait push is on (from .. until), with probability `share` (default 1),
 *      anyone waiting over `over_weeks`, longest first;
 *   3. otherwise, with probability in_turn, the longest routine waiter; else a routine
 *      patient at random (rest: random), with chance in proportion to weeks waited
 *      (rest: weeks_waited), or with a weight halving every half_life_weeks of wait
 *      (rest: fading: long waiters leave more slowly, as completed pathways' short median
 *      waits show).
 * The outpatient stage (non-admitted pathways) has no priorities: steps 2 and 3 only.
 * A pooled list follows its admitted rule over the pool (the patients who accept the site).
 */
typedef enum el_rest_rule { EL_REST_RANDOM, EL_REST_WEEKS, EL_REST_FADING } el_rest_rule;

/* A long-wait push: while on, a booking goes (with chance share) to the longest waiter if he
 * or she has waited over over_days. */
#define EL_MAX_PUSHES 4
typedef struct el_push {
    double over_days;
    double share;             /* share of bookings the push takes while on (default 1) */
    double from_t, until_t;   /* days since start; the push runs in [from, until) */
} el_push;

typedef struct el_selection {
    bool active;
    int urgent;               /* priorities 0 .. urgent-1 are urgent (default 2: P1, P2) */
    double in_turn;           /* share of routine bookings by longest wait */
    el_rest_rule rest;
    double fade_per_day;      /* fading: ln 2 / half-life in days */
    int n_push;               /* long-wait pushes, tried in the order given */
    el_push push[EL_MAX_PUSHES];
} el_selection;

/* A procedure of a specialty's case mix (el_config_casemix.c). */
#define EL_MAX_PROCEDURES 16
typedef struct el_procedure {
    char *name;           /* owned */
    double cum;           /* cumulative share over the mix */
    sim_dist minutes;     /* case duration */
    bool has_minutes;
    bool inpatient;       /* stay_days given: needs an acute bed */
    sim_dist stay;        /* length of stay, days */
} el_procedure;

typedef struct el_specialty {
    char *name;           /* owned */
    double inpatient_share;  /* `inpatient.share`: cases that need an acute bed (0: none) */
    sim_dist inpatient_stay; /* `inpatient.stay_days`: their length of stay */
    bool has_inpatient;
    double admitted_share;
    double priority_cum[EL_PRIORITIES];
    int review_to[EL_PRIORITIES];        /* -1 if no review rule for that priority */
    double review_after_days[EL_PRIORITIES];
    double removal_per_month;            /* probability of removal within a month */
    double removal_priority_factor[EL_PRIORITIES];
    size_t n_removal_bands;
    double removal_band_lo_days[EL_MAX_BANDS], removal_band_hi_days[EL_MAX_BANDS];
    double removal_band_factor[EL_MAX_BANDS];
    /* outpatient_removals: the outpatient stage's own hazard (else `removals` covers both) */
    bool has_op_removals;
    double op_removal_per_month;
    size_t n_op_bands;
    double op_band_lo_days[EL_MAX_BANDS], op_band_hi_days[EL_MAX_BANDS];
    double op_band_factor[EL_MAX_BANDS];
    bool has_case_minutes;
    sim_dist case_minutes;
    int n_procedures;                    /* case_mix: 0 if none */
    el_procedure *procedures;            /* [n_procedures], owned */
    double max_wait_weeks;
    el_selection select_admitted, select_outpatient;
    bool two_stage;                      /* decision_to_admit given: see el_run.c */
    double decision_to_admit;            /* share of outpatient clock stops that become DTAs */
    /* urgent_referrals (two stages): the share of referrals that are clinically urgent (seen
     * first at the outpatient stage), and the priority mix of their decisions to admit
     * (default all P2); 0: none (the outpatient stage has no priorities) */
    double urgent_referrals;
    double urgent_priority_cum[EL_PRIORITIES];
    /* removals.by_month, outpatient_removals.by_month: the stages' monthly rates times these
     * factors in the months they name (core/dated_months.h) */
    sim_dated_months removal_by_month, op_removal_by_month;
    int first_list, n_lists;             /* its lists are contiguous */
    int collab;                          /* index into collabs, or -1 */
} el_specialty;

typedef struct el_session_tpl {
    int weekday;           /* 0 = Monday */
    int specialty;
    int list;              /* the operating trust's list for the specialty */
    double minutes;
    int count;
    int fixed_cases;       /* cases booked regardless of durations, 0 = by duration */
    double from_t, until_t; /* active in [from, until) (days since start) */
} el_session_tpl;

typedef struct el_theatre {
    int site;
    int working_weeks;     /* per year, 52 = no planned closures */
    size_t n_closed;
    int64_t *closed_week_monday; /* days since 1970 of the Monday of each closed week (sorted) */
    int book_days_ahead;
    double turnaround_minutes;
    double p1_share;
    double book_minutes;   /* book_minutes: fill sessions to this share of their minutes by
                            * the booked cases' mean durations (0: by count, see el_theatre) */
    double cancel_patient, cancel_hospital;
    bool has_start_delay;
    sim_dist start_delay;
    sim_dist *case_minutes;     /* [n_specialties], used where has_case_minutes[k] */
    bool *has_case_minutes;
    size_t n_tpl;
    el_session_tpl *tpl;
} el_theatre;

typedef enum el_policy { EL_SEPARATE, EL_POOLED, EL_MUTUAL_AID } el_policy;

typedef struct el_collab {
    int specialty;
    el_policy policy;
    double from_t;
    bool *member;              /* [n_trusts] */
    /* pooled */
    size_t n_pool_sites;
    int pool_sites[EL_MAX_POOL_SITES]; /* sites where pooled treatment happens */
    double *site_acceptance;   /* [n_sites]: chance a patient of another trust accepts it */
    double travel_limit_km;    /* INFINITY if none */
    /* mutual aid */
    double period_days;        /* 7 (week) or 0 meaning calendar month */
    double threshold_days;
    double acceptance;
    long max_per_period;       /* per list and period; LONG_MAX if none */
} el_collab;

typedef struct el_config {
    const struct el_run_hooks *test_hooks; /* observers for tests; NULL in the program */
    sim_calendar cal;
    bool cal_ready;
    double horizon_days, warmup_days;
    size_t n_times;
    double *times;             /* month-end snapshot times */
    char **time_labels;
    size_t n_trusts, n_sites, n_specialties, n_lists, n_theatres, n_collabs;
    el_trust *trusts;
    el_site *sites;
    el_specialty *specialties;
    el_list *lists;
    el_theatre *theatres;
    el_collab *collabs;
    double *distance_km;       /* [n_sites * n_sites] */
    int64_t hist_day_lo;       /* earliest clock start any patient can have */
    size_t hist_days;
    long backlog_total;
} el_config;

#endif
