/* models/ucch/ucch_metrics.h: the hub's metric ids (its record view). */
#ifndef CAPSIM_UCCH_METRICS_H
#define CAPSIM_UCCH_METRICS_H

#include "ucch_model.h"

enum {
    UCCH_M_STACK,                 /* series: reviewable calls on the stack at the snapshot */
    UCCH_M_DISCUSSED_MONTH,       /* series */
    UCCH_M_AVOIDED_MONTH,         /* series */
    UCCH_M_INCIDENTS,             /* [category] */
    UCCH_M_STACKED,               /* [category] reviewable calls put on the stack */
    UCCH_M_CLOSED,                /* [category] reviewable calls arriving while closed */
    UCCH_M_NOT_REACHED,           /* [category] */
    UCCH_M_DISCUSSED,             /* [category] */
    UCCH_M_DISCUSSED_TOTAL,
    UCCH_M_SUITABLE,
    UCCH_M_TRANSFERRED,           /* [service] */
    UCCH_M_TRANSFERRED_TOTAL,
    UCCH_M_REFUSED_CAPACITY,      /* [service] */
    UCCH_M_REFUSED_TOTAL,
    UCCH_M_AVOIDED,               /* dispatches avoided */
    UCCH_M_AVOIDED_BY_SERVICE,    /* [service] */
    UCCH_M_REVIEW_WAIT,
    UCCH_M_UTILISATION,
    UCCH_M_AMBULANCE_HOURS,
    UCCH_M_ED_AVOIDED,
    UCCH_M_ADMISSIONS_AVOIDED,
    UCCH_M_AVOIDED_BY_TRUST,      /* [trust] */
    UCCH_M_ADMISSIONS_BY_TRUST,   /* [trust] */
    UCCH_M_HOURS_PER_WEEK,
    UCCH_M_HOURS_CHANGE,
    UCCH_M_WTE_PER_ROLE,
    UCCH_M_COUNT
};

int ucch_declare(const void *cfg, sim_monitor *m, struct sim_error *err);

#endif
