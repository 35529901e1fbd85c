#include "rtt_hist.h"

#include <math.h>
#include <stdlib.h>

#include "core/bigmem.h"
#include "core/error.h"

int rtt_hist_init(rtt_hist *h, int64_t day_lo, size_t n_days)
{
    h->day_lo = day_lo;
    h->n_days = n_days;
    h->total = 0;
    h->count = sim_big_calloc((n_days ? n_days : 1) * sizeof *h->count);
    return h->count ? SIM_OK : SIM_ENOMEM;
}

void rtt_hist_fini(rtt_hist *h)
{
    sim_big_free(h->count, (h->n_days ? h->n_days : 1) * sizeof *h->count);
    h->count = NULL;
    h->n_days = 0;
    h->total = 0;
}

/* Patients whose clock started on day <= last (days since start). */
static int64_t count_upto(const rtt_hist *h, int64_t last)
{
    int64_t hi = last - h->day_lo;
    if (hi < 0)
        return 0;
    if (hi >= (int64_t)h->n_days)
        hi = (int64_t)h->n_days - 1;
    int64_t s = 0;
    for (int64_t i = 0; i <= hi; i++)
        s += h->count[i];
    return s;
}

double rtt_hist_wait_quantile(const rtt_hist *h, int64_t t_day, double p)
{
    if (h->total <= 0)
        return NAN;
    /*
     * Walk from the newest clock starts (shortest waits) back. Day d holds waits in
     * (t - d - 1, t - d]; the k-th shortest of n waits sits at cumulative share k / n.
     */
    double target = p * (double)h->total;
    double cum = 0;
    int64_t first = t_day - 1 - h->day_lo;
    if (first >= (int64_t)h->n_days)
        first = (int64_t)h->n_days - 1;
    for (int64_t i = first; i >= 0; i--) {
        int32_t c = h->count[i];
        if (c <= 0)
            continue;
        if (cum + c >= target) {
            double frac = (target - cum) / c;
            double w_lo = (double)(t_day - (i + h->day_lo) - 1);
            return w_lo + frac;
        }
        cum += c;
    }
    return (double)(t_day - h->day_lo);
}

void rtt_hist_snapshot(const rtt_hist *h, int64_t t_day, rtt_snapshot *out)
{
    static const int weeks[4] = {52, 65, 78, 104};
    out->size = (double)h->total;
    for (int k = 0; k < 4; k++)
        out->over_weeks[k] = (double)count_upto(h, t_day - 7 * weeks[k] - 1);
    if (h->total <= 0) {
        out->within_18_share = NAN;
        out->median_weeks = NAN;
        out->p92_weeks = NAN;
        return;
    }
    double over18 = (double)count_upto(h, t_day - 7 * 18 - 1);
    out->within_18_share = 1.0 - over18 / (double)h->total;
    out->median_weeks = rtt_hist_wait_quantile(h, t_day, 0.5) / 7.0;
    out->p92_weeks = rtt_hist_wait_quantile(h, t_day, 0.92) / 7.0;
}
