/* models/virtual_ward/vw_metrics.h: the virtual ward's metric ids (its record view). */
#ifndef CAPSIM_VW_METRICS_H
#define CAPSIM_VW_METRICS_H

#include "vw_model.h"

enum {
    VW_M_OCCUPIED,            /* series [pool] */
    VW_M_ADMITTED_MONTH,      /* series [route] */
    VW_M_REFERRALS,           /* [route] */
    VW_M_ADMISSIONS,          /* [route x pathway] */
    VW_M_REFUSED,             /* [route x reason] */
    VW_M_REFUSED_BY_POOL,     /* [pool x reason] */
    VW_M_REFUSED_SHARE,
    VW_M_ESCALATIONS,         /* [pathway] */
    VW_M_MEAN_OCCUPIED,       /* [pool] */
    VW_M_OCCUPANCY,           /* [pool] */
    VW_M_PLACES,              /* [pool] */
    VW_M_VISIT_UTILISATION,   /* [pool] */
    VW_M_BED_DAYS_SAVED,
    VW_M_ADMISSIONS_AVOIDED,
    VW_M_COUNT
};

int vw_declare(const void *cfg, sim_monitor *m, struct sim_error *err);

#endif
