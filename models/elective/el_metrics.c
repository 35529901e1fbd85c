/*
 * models/elective/el_metrics.c: what the elective model reports.
 *
 * Groups are the waiting lists ("TRUST/specialty"). Series are indexed by the month-end
 * snapshots (0 = the start date): the RTT measures of incomplete pathways at the snapshot,
 * and flows counted over the month that ends there (zero at index 0). Replication outcomes
 * cover [warmup, horizon].
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "el_metrics.h"

typedef struct metric_def {
    const char *name, *units, *description;
    sim_metric_kind kind;
    bool per_group;
    size_t offset; /* into el_metric_ids */
} metric_def;

#define S SIM_METRIC_SERIES
#define R SIM_METRIC_REP
#define ID(f) offsetof(el_metric_ids, f)

static const metric_def defs[] = {
    {"waiting_list_size", "patients", "Incomplete RTT pathways at the month end.", S, true, ID(size)},
    {"within_18_weeks_share", "fraction", "Share of incomplete pathways waiting 18 weeks or less.", S, true, ID(within18)},
    {"over_52_weeks", "patients", "Incomplete pathways waiting more than 52 weeks.", S, true, ID(over52)},
    {"over_65_weeks", "patients", "Incomplete pathways waiting more than 65 weeks.", S, true, ID(over65)},
    {"over_78_weeks", "patients", "Incomplete pathways waiting more than 78 weeks.", S, true, ID(over78)},
    {"over_104_weeks", "patients", "Incomplete pathways waiting more than 104 weeks.", S, true, ID(over104)},
    {"median_wait_weeks", "weeks", "Median wait of incomplete pathways at the month end.", S, true, ID(median)},
    {"p92_wait_weeks", "weeks", "92nd percentile wait of incomplete pathways at the month end.", S, true, ID(p92)},
    {"referrals", "patients", "Referrals received in the month (admitted and non-admitted).", S, true, ID(referrals)},
    {"admitted_referrals", "patients", "Referrals in the month that joined the admitted pathway.", S, true, ID(admitted_referrals)},
    {"treatments", "patients", "Clock stops by treatment in the month, by the patient's list.", S, true, ID(treatments)},
    {"removals", "patients", "Removals other than treatment in the month.", S, true, ID(removals)},
    {"clock_stops_admitted", "patients", "Clock stops of admitted pathways (treatment in theatre or admitted capacity) in the month, as RTT Part 1A.", S, true, ID(stops_admitted)},
    {"clock_stops_non_admitted", "patients", "Clock stops of non-admitted pathways (outpatient stage) in the month, as RTT Part 1B.", S, true, ID(stops_non_admitted)},
    {"admitted_waiting_p1", "patients", "Admitted pathways of priority P1 waiting for a date (not booked) at the month end.", S, true, ID(waiting_prio[0])},
    {"admitted_waiting_p2", "patients", "Admitted pathways of priority P2 waiting for a date (not booked) at the month end.", S, true, ID(waiting_prio[1])},
    {"admitted_waiting_p3", "patients", "Admitted pathways of priority P3 waiting for a date (not booked) at the month end.", S, true, ID(waiting_prio[2])},
    {"admitted_waiting_p4", "patients", "Admitted pathways of priority P4 waiting for a date (not booked) at the month end.", S, true, ID(waiting_prio[3])},
    {"decisions_to_admit", "patients", "Outpatient-stage patients added to the admitted list in the month (two-stage pathway), clock running.", S, true, ID(decisions_to_admit)},
    {"transfers_in", "patients", "Patients of other trusts moved to or treated by this list's trust in the month.", S, true, ID(transfers_in)},
    {"transfers_out", "patients", "Patients of this list moved to or treated by another trust in the month.", S, true, ID(transfers_out)},
    {"sessions_run", "sessions", "Theatre sessions run in the month by this list's trust.", S, true, ID(sessions_run)},
    {"cases", "cases", "Cases operated in this list's sessions in the month.", S, true, ID(cases)},
    {"capped_utilisation", "fraction", "In-theatre time inside planned sessions over planned session time, in the month.", S, true, ID(capped_utilisation)},
    {"cancellations", "cases", "On-the-day cancellations (patient and hospital reasons, bed pressure included) in the month.", S, true, ID(cancellations)},
    {"bed_cancellations", "cases", "Inpatient cases cancelled on the day for bed pressure (or refused a bed) in the month.", S, true, ID(bed_cancellations)},
    {"inpatients", "cases", "Inpatient cases operated in the month (each takes an acute bed for its stay).", S, true, ID(inpatients)},
    {"overruns", "sessions", "Sessions whose last case ended after the planned end, in the month.", S, true, ID(overruns)},
    {"early_finishes", "sessions", "Sessions whose last case ended 30 minutes or more before the planned end (NHS Improvement's measure), in the month.", S, true, ID(early_finishes)},
    {"late_starts", "sessions", "Sessions whose first case started 30 minutes or more late, in the month.", S, true, ID(late_starts)},
    {"mean_wait_treated_weeks", "weeks", "Mean wait (referral to treatment) of patients treated after the warm-up.", R, true, ID(mean_wait_treated)},
    {"median_wait_treated_weeks", "weeks", "Median wait of patients treated after the warm-up (completed pathways, both stages).", R, true, ID(median_wait_treated)},
    {"p92_wait_treated_weeks", "weeks", "92nd percentile wait of patients treated after the warm-up.", R, true, ID(p92_wait_treated)},
    {"median_wait_admitted_weeks", "weeks", "Median wait of admitted pathways completed after the warm-up (RTT Part 1A).", R, true, ID(median_wait_admitted)},
    {"median_wait_non_admitted_weeks", "weeks", "Median wait of non-admitted pathways completed after the warm-up (RTT Part 1B).", R, true, ID(median_wait_non_admitted)},
    {"mean_waiting_list_size", "patients", "Time-average number of incomplete pathways after the warm-up.", R, true, ID(mean_size)},
    {"treatments_total", "patients", "Patients treated after the warm-up.", R, true, ID(treated_total)},
    {"removals_total", "patients", "Removals other than treatment after the warm-up.", R, true, ID(removed_total)},
    {"patients_moved", "patients", "Patients of this list treated at another trust's site after the warm-up.", R, true, ID(moved)},
    {"distance_travelled_km", "km", "Distance from home site to treating site of the patients moved (straight line unless given).", R, true, ID(distance)},
    {"wait_spread_between_trusts", "weeks", "Largest minus smallest mean wait of treated patients between a specialty's lists, averaged over specialties with two or more lists.", R, false, ID(spread)},
};
#define N_DEFS (sizeof defs / sizeof defs[0])

int el_declare(const el_config *cfg, sim_monitor *m)
{
    int rc = capsim_monitor_month_ends(m, &cfg->cal, cfg->horizon_days);
    if (rc)
        return rc;
    const char **labels = malloc((cfg->n_lists ? cfg->n_lists : 1) * sizeof *labels);
    if (!labels)
        return SIM_ENOMEM;
    for (size_t l = 0; l < cfg->n_lists; l++)
        labels[l] = cfg->lists[l].label;
    rc = sim_monitor_set_groups(m, "list", labels, cfg->n_lists);
    free(labels);
    for (size_t i = 0; !rc && i < N_DEFS; i++) {
        int id = sim_monitor_declare(m, defs[i].name, defs[i].units, defs[i].description,
                                     defs[i].kind, defs[i].per_group);
        if (id < 0)
            rc = id;
    }
    return rc;
}

/* The metrics' ids in the record view `rec` (relative to its model's first metric). */
int el_metric_ids_find(const sim_record *rec, el_metric_ids *ids)
{
    const sim_monitor *m = rec->monitor;
    size_t model = sim_monitor_metric(m, rec->base)->model;
    for (size_t i = 0; i < N_DEFS; i++) {
        int id = sim_monitor_find_in(m, model, defs[i].name);
        if (id < 0)
            return SIM_EINVAL;
        *(int *)((char *)ids + defs[i].offset) = id - (int)rec->base;
    }
    return SIM_OK;
}

const sim_metric **el_metrics_alloc(const sim_record *rec)
{
    const sim_monitor *m = rec->monitor;
    size_t n = sim_monitor_model_metrics(m, sim_monitor_metric(m, rec->base)->model);
    const sim_metric **mt = calloc(n ? n : 1, sizeof *mt);
    if (!mt)
        return NULL;
    for (size_t i = 0; i < n; i++)
        mt[i] = sim_monitor_metric(m, rec->base + i);
    return mt;
}

typedef struct valid_ctx {
    const el_run *r;
    uint8_t state;
} valid_ctx;

static bool entry_ok(const void *ctx, const rtt_entry *e)
{
    const valid_ctx *v = ctx;
    const el_patient *pt = &v->r->pat[e->patient];
    return pt->state == v->state && pt->stamp == e->stamp;
}

/* Drop stale heap entries once they outnumber the live ones (keeps memory near N). */
static void compact(el_run *r)
{
    const el_config *cfg = r->cfg;
    for (size_t l = 0; l < cfg->n_lists; l++) {
        el_lstate *ls = &r->ls[l];
        size_t entries = 0;
        for (int h = 0; h < EL_HEAPS; h++)
            entries += ls->heap[h].n;
        if (entries <= 2 * (size_t)ls->hist.total + 4096)
            continue;
        for (int h = 0; h < EL_HEAPS; h++) {
            valid_ctx v = {r, h == EL_HEAP_REBOOK ? EL_REBOOK : EL_WAITING};
            rtt_heap_compact(&ls->heap[h], entry_ok, &v);
        }
    }
    for (size_t i = 0; i < cfg->n_collabs; i++) {
        const el_collab *c = &cfg->collabs[i];
        el_pool *pl = &r->pools[i];
        if (c->policy != EL_POOLED || !pl->active)
            continue;
        valid_ctx v = {r, EL_WAITING};
        for (size_t h = 0; h < c->n_pool_sites * EL_PRIORITIES; h++)
            if (pl->heap[h].n > 4096)
                rtt_heap_compact(&pl->heap[h], entry_ok, &v);
    }
}

void el_snapshot(el_run *r, size_t k)
{
    const el_config *cfg = r->cfg;
    int64_t day = (int64_t)llround(cfg->times[k]);
    for (size_t l = 0; l < cfg->n_lists; l++) {
        rtt_snapshot s;
        rtt_hist_snapshot(&r->ls[l].hist, day, &s);
        sim_record_set(r->rec, r->m.size, k, l, s.size);
        sim_record_set(r->rec, r->m.within18, k, l, s.within_18_share);
        sim_record_set(r->rec, r->m.over52, k, l, s.over_weeks[0]);
        sim_record_set(r->rec, r->m.over65, k, l, s.over_weeks[1]);
        sim_record_set(r->rec, r->m.over78, k, l, s.over_weeks[2]);
        sim_record_set(r->rec, r->m.over104, k, l, s.over_weeks[3]);
        sim_record_set(r->rec, r->m.median, k, l, s.median_weeks);
        sim_record_set(r->rec, r->m.p92, k, l, s.p92_weeks);
        for (int p = 0; p < EL_PRIORITIES; p++)
            sim_record_set(r->rec, r->m.waiting_prio[p], k, l, (double)r->ls[l].n_prio[p]);
    }
    compact(r);
}

/* The q-quantile (weeks) of a treated-wait histogram of n bins, linear within a bin. */
/* Which pathways' waits a quantile of treated_hist is of (el_state.h: two counts a bin). */
enum { WAITS_NON_ADMITTED = 1, WAITS_ADMITTED = 2, WAITS_ALL = 3 };

static double treated_quantile(const uint32_t *h, size_t n, int which, double total, double q)
{
    if (!h || total <= 0)
        return NAN;
    double target = q * total, cum = 0;
    for (size_t b = 0; b < n; b++) {
        uint32_t c = (which & WAITS_NON_ADMITTED ? h[2 * b] : 0) +
                     (which & WAITS_ADMITTED ? h[2 * b + 1] : 0);
        if (c && cum + c >= target)
            return ((double)b + (target - cum) / c) / EL_TREATED_BINS_PER_DAY / 7.0;
        cum += c;
    }
    return (double)n / EL_TREATED_BINS_PER_DAY / 7.0;
}

void el_write_outcomes(el_run *r)
{
    const el_config *cfg = r->cfg;
    double end = cfg->horizon_days;
    for (size_t l = 0; l < cfg->n_lists; l++) {
        el_lstate *ls = &r->ls[l];
        for (size_t k = 0; k < cfg->n_times; k++)
            sim_record_set(r->rec, r->m.capped_utilisation, k, l,
                           ls->planned_minutes[k] > 0
                               ? ls->capped_minutes[k] / ls->planned_minutes[k]
                               : NAN);
        sim_record_set(r->rec, r->m.mean_wait_treated, 0, l,
                       ls->wait_treated.n ? sim_tally_mean(&ls->wait_treated) : NAN);
        size_t nb = cfg->hist_days * EL_TREATED_BINS_PER_DAY;
        double nt = (double)ls->wait_treated.n;
        const uint32_t *h = ls->treated_hist;
        sim_record_set(r->rec, r->m.median_wait_treated, 0, l,
                       treated_quantile(h, nb, WAITS_ALL, nt, 0.5));
        sim_record_set(r->rec, r->m.p92_wait_treated, 0, l,
                       treated_quantile(h, nb, WAITS_ALL, nt, 0.92));
        sim_record_set(r->rec, r->m.median_wait_admitted, 0, l,
                       treated_quantile(h, nb, WAITS_ADMITTED, ls->treated_admitted, 0.5));
        sim_record_set(r->rec, r->m.median_wait_non_admitted, 0, l,
                       treated_quantile(h, nb, WAITS_NON_ADMITTED, nt - ls->treated_admitted, 0.5));
        sim_record_set(r->rec, r->m.mean_size, 0, l,
                       end > cfg->warmup_days ? sim_timeavg_mean(&ls->size_avg, end) : NAN);
        sim_record_set(r->rec, r->m.treated_total, 0, l, ls->treated);
        sim_record_set(r->rec, r->m.removed_total, 0, l, ls->removed);
        sim_record_set(r->rec, r->m.moved, 0, l, ls->moved);
        sim_record_set(r->rec, r->m.distance, 0, l, ls->distance_km);
    }
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < cfg->n_specialties; i++) {
        const el_specialty *sp = &cfg->specialties[i];
        double lo = INFINITY, hi = -INFINITY;
        int m = 0;
        for (int k = 0; k < sp->n_lists; k++) {
            const sim_tally *t = &r->ls[sp->first_list + k].wait_treated;
            if (!t->n)
                continue;
            double w = sim_tally_mean(t);
            lo = fmin(lo, w);
            hi = fmax(hi, w);
            m++;
        }
        if (m >= 2) {
            sum += hi - lo;
            n++;
        }
    }
    sim_record_set(r->rec, r->m.spread, 0, 0, n ? sum / n : NAN);
}
