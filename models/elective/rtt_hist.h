/*
 * models/elective/rtt_hist.h: a waiting list's clock starts, counted by day.
 *
 * One counter per day of clock start, from `day_lo` (the earliest clock start any patient
 * can have: the top of the oldest backlog band) to the horizon. Adding or removing a
 * patient is O(1); a month-end snapshot scans the days once and gives the RTT measures
 * exactly: at a snapshot at midnight T (an integer day), a patient whose clock started on
 * day d (in [d, d + 1)) has waited more than X weeks exactly when d <= T - 7X - 1, so the
 * counts over 18, 52, 65, 78 and 104 weeks are exact. Percentiles of the wait are
 * interpolated within a day, assuming clock starts spread evenly over the day (NHS RTT
 * statistics interpolate within whole weeks).
 */
#ifndef EL_RTT_HIST_H
#define EL_RTT_HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct rtt_hist {
    int64_t day_lo;     /* day of the first counter (days since start, may be negative) */
    size_t n_days;
    int32_t *count;     /* [n_days] */
    int64_t total;
} rtt_hist;

/* Counters for days [day_lo, day_lo + n_days). SIM_OK or SIM_ENOMEM. */
int rtt_hist_init(rtt_hist *h, int64_t day_lo, size_t n_days);
void rtt_hist_fini(rtt_hist *h);

/* Add delta (+1 or -1) at clock start t (days); t must lie inside the counted days. */
static inline void rtt_hist_add(rtt_hist *h, double t, int delta)
{
    int64_t d = (int64_t)__builtin_floor(t) - h->day_lo;
    h->count[d] += delta;
    h->total += delta;
}

typedef struct rtt_snapshot {
    double size;              /* incomplete pathways */
    double within_18_share;   /* NaN if the list is empty */
    double over_weeks[4];     /* over 52, 65, 78, 104 weeks */
    double median_weeks;      /* NaN if the list is empty */
    double p92_weeks;         /* NaN if the list is empty */
} rtt_snapshot;

/* The RTT measures of the list at midnight of day `t_day`. */
void rtt_hist_snapshot(const rtt_hist *h, int64_t t_day, rtt_snapshot *out);

/*
 * The p-quantile of waits (in days) at midnight of t_day: the wait w such that a share p of
 * the patients have waited at most w. NaN if empty.
 */
double rtt_hist_wait_quantile(const rtt_hist *h, int64_t t_day, double p);

#endif
