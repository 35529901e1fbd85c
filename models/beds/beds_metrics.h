/* models/beds/beds_metrics.h: the beds model's metric ids (declaration order). */
#ifndef CAPSIM_BEDS_METRICS_H
#define CAPSIM_BEDS_METRICS_H

enum {
    /* series, per site: month-end levels and the month that ends at the snapshot */
    BM_OCCUPIED, BM_BEDS, BM_MEAN_OCCUPIED, BM_OCCUPANCY, BM_DAILY_MIN, BM_DAILY_MEDIAN,
    BM_DAILY_MAX, BM_NCTR, BM_ADMIT_NE, BM_ADMIT_EL, BM_AVOIDED, BM_BOARDED, BM_REFUSED,
    BM_DELAYED, BM_STEP_OFFERED, BM_STEP_ACCEPTED, BM_BED_DAYS_NE, BM_BED_DAYS_EL,
    BM_RING_OCCUPIED,
    /* replication outcomes after the warm-up, per site */
    BM_T_OCCUPIED, BM_T_OCCUPANCY, BM_T_NCTR, BM_T_ADMIT_NE, BM_T_ADMIT_EL, BM_T_AVOIDED,
    BM_T_BOARDED, BM_T_REFUSED, BM_T_REFUSED_SHARE, BM_T_DELAYED, BM_T_STEP_OFFERED,
    BM_T_STEP_ACCEPTED, BM_T_STEP_SAVED, BM_T_BED_DAYS_NE, BM_T_BED_DAYS_EL, BM_T_STAY_SUM,
    /* replication outcomes, whole model */
    BM_T_AVOIDED_OFFERED, BM_T_AVOIDED_UNUSED, BM_T_UNPLACED,
    BM_COUNT
};

#endif
