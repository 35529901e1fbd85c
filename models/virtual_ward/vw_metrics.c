/* models/virtual_ward/vw_metrics.c: the virtual ward's dimensions and metrics. */
#include "core/error.h"
#include "vw_metrics.h"

static const char *const route_labels[VW_ROUTES] = {"hub", "gp_ed", "step_down"};
static const char *const reason_labels[VW_REASONS] = {"places", "staff"};

enum { D_POOL, D_ROUTE, D_PATHWAY, D_REASON, D_COUNT };

static const struct {
    const char *name, *units, *description;
    sim_metric_kind kind;
    int dims[2];  /* D_* or -1 */
} metrics[VW_M_COUNT] = {
    [VW_M_OCCUPIED] = {"occupied", "places", "Places in use at the snapshot.",
                       SIM_METRIC_SERIES, {D_POOL, -1}},
    [VW_M_ADMITTED_MONTH] = {"admitted_month", "patients", "Admissions in the month.",
                             SIM_METRIC_SERIES, {D_ROUTE, -1}},
    [VW_M_REFERRALS] = {"referrals", "patients", "Referrals after the warm-up.",
                        SIM_METRIC_REP, {D_ROUTE, -1}},
    [VW_M_ADMISSIONS] = {"admissions", "patients", "Admissions after the warm-up.",
                         SIM_METRIC_REP, {D_ROUTE, D_PATHWAY}},
    [VW_M_REFUSED] = {"refused", "patients", "Referrals refused after the warm-up, by why.",
                      SIM_METRIC_REP, {D_ROUTE, D_REASON}},
    [VW_M_REFUSED_BY_POOL] = {"refused_by_pool", "patients",
                              "Referrals refused after the warm-up by ward and by the "
                              "constraint that bound (places or staff visits).",
                              SIM_METRIC_REP, {D_POOL, D_REASON}},
    [VW_M_REFUSED_SHARE] = {"refused_share", "fraction",
                            "Share of referrals after the warm-up that were refused.",
                            SIM_METRIC_REP, {-1, -1}},
    [VW_M_ESCALATIONS] = {"escalations", "patients",
                          "Patients sent back to hospital during the stay, after the warm-up.",
                          SIM_METRIC_REP, {D_PATHWAY, -1}},
    [VW_M_MEAN_OCCUPIED] = {"mean_occupied", "places",
                            "Time-average places in use after the warm-up.", SIM_METRIC_REP,
                            {D_POOL, -1}},
    [VW_M_OCCUPANCY] = {"occupancy", "fraction",
                        "Time-average places in use over places, after the warm-up.",
                        SIM_METRIC_REP, {D_POOL, -1}},
    [VW_M_PLACES] = {"places", "places", "Places of the ward.", SIM_METRIC_REP, {D_POOL, -1}},
    [VW_M_VISIT_UTILISATION] = {"visit_utilisation", "fraction",
                                "Time-average visits needed a day over the day's visit "
                                "capacity, after the warm-up (NaN without staff).",
                                SIM_METRIC_REP, {D_POOL, -1}},
    [VW_M_BED_DAYS_SAVED] = {"bed_days_saved", "days",
                             "Acute bed days saved by step-down admissions after the warm-up.",
                             SIM_METRIC_REP, {-1, -1}},
    [VW_M_ADMISSIONS_AVOIDED] = {"admissions_avoided", "patients",
                                 "Acute admissions avoided by step-up admissions after the "
                                 "warm-up (one per admissions_per_avoided, drawn).",
                                 SIM_METRIC_REP, {-1, -1}},
};

int vw_declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    const vw_config *c = cfg;
    int rc = capsim_monitor_month_ends(m, &c->cal, c->horizon_days);
    int dim[D_COUNT];
    if (!rc) {
        dim[D_POOL] = sim_monitor_add_dimension(m, "pool", c->pool_names, c->n_pools);
        dim[D_ROUTE] = sim_monitor_add_dimension(m, "route", route_labels, VW_ROUTES);
        dim[D_PATHWAY] = sim_monitor_add_dimension(m, "pathway", c->pathway_names,
                                                   c->n_pathways);
        dim[D_REASON] = sim_monitor_add_dimension(m, "reason", reason_labels, VW_REASONS);
        for (int d = 0; d < D_COUNT && !rc; d++)
            if (dim[d] < 0)
                rc = dim[d];
    }
    for (int i = 0; i < VW_M_COUNT && !rc; i++) {
        size_t dims[2], n = 0;
        for (int k = 0; k < 2; k++)
            if (metrics[i].dims[k] >= 0)
                dims[n++] = (size_t)dim[metrics[i].dims[k]];
        int id = sim_monitor_declare_dims(m, metrics[i].name, metrics[i].units,
                                          metrics[i].description, metrics[i].kind, dims, n);
        if (id != i)
            rc = id < 0 ? id : SIM_EINVAL;
    }
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL,
                             "cannot declare the virtual ward metrics: %s", sim_strerror(rc));
    return SIM_OK;
}
