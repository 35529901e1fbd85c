/* models/ucch/ucch_metrics.c: the hub's dimensions and metrics. */
#include "core/error.h"
#include "ucch_metrics.h"

enum { D_NONE = -1, D_CATEGORY, D_SERVICE, D_TRUST, D_COUNT };

static const struct {
    const char *name, *units, *description;
    sim_metric_kind kind;
    int dim;
} metrics[UCCH_M_COUNT] = {
    [UCCH_M_STACK] = {"stack", "calls", "Reviewable calls waiting on the stack at the snapshot.",
                      SIM_METRIC_SERIES, D_NONE},
    [UCCH_M_DISCUSSED_MONTH] = {"discussed_month", "patients",
                                "Patients clinically discussed by the hub in the month.",
                                SIM_METRIC_SERIES, D_NONE},
    [UCCH_M_AVOIDED_MONTH] = {"avoided_month", "dispatches",
                              "Ambulance dispatches avoided in the month.", SIM_METRIC_SERIES,
                              D_NONE},
    [UCCH_M_INCIDENTS] = {"incidents", "calls", "999 incidents after the warm-up.",
                          SIM_METRIC_REP, D_CATEGORY},
    [UCCH_M_STACKED] = {"stacked", "calls",
                        "Reviewable calls put on the hub's stack (hub open) after the warm-up.",
                        SIM_METRIC_REP, D_CATEGORY},
    [UCCH_M_CLOSED] = {"closed", "calls",
                       "Reviewable calls that arrived while the hub was closed (dispatched).",
                       SIM_METRIC_REP, D_CATEGORY},
    [UCCH_M_NOT_REACHED] = {"not_reached", "calls",
                            "Calls on the stack dispatched before a clinician reached them "
                            "(deadline passed or hub closed).", SIM_METRIC_REP, D_CATEGORY},
    [UCCH_M_DISCUSSED] = {"discussed", "patients", "Patients clinically discussed (reviewed).",
                          SIM_METRIC_REP, D_CATEGORY},
    [UCCH_M_DISCUSSED_TOTAL] = {"discussed_total", "patients",
                                "Patients clinically discussed, all categories.",
                                SIM_METRIC_REP, D_NONE},
    [UCCH_M_SUITABLE] = {"suitable", "patients",
                         "Reviewed patients suitable for an alternative service.",
                         SIM_METRIC_REP, D_NONE},
    [UCCH_M_TRANSFERRED] = {"transferred", "patients",
                            "Patients transferred to an alternative service.", SIM_METRIC_REP,
                            D_SERVICE},
    [UCCH_M_TRANSFERRED_TOTAL] = {"transferred_total", "patients",
                                  "Patients transferred to an alternative service, all "
                                  "services.", SIM_METRIC_REP, D_NONE},
    [UCCH_M_REFUSED_CAPACITY] = {"refused_capacity", "patients",
                                 "Suitable patients the chosen service could not take (closed "
                                 "or full): dispatched.", SIM_METRIC_REP, D_SERVICE},
    [UCCH_M_REFUSED_TOTAL] = {"refused_total", "patients",
                              "Suitable patients refused for lack of capacity, all services.",
                              SIM_METRIC_REP, D_NONE},
    [UCCH_M_AVOIDED] = {"dispatches_avoided", "dispatches",
                        "Transfers that needed no ambulance.", SIM_METRIC_REP, D_NONE},
    [UCCH_M_AVOIDED_BY_SERVICE] = {"avoided_by_service", "dispatches",
                                   "Dispatches avoided by the service that took the patient.",
                                   SIM_METRIC_REP, D_SERVICE},
    [UCCH_M_REVIEW_WAIT] = {"review_wait_minutes", "minutes",
                            "Mean time on the stack of the calls a clinician picked up.",
                            SIM_METRIC_REP, D_NONE},
    [UCCH_M_UTILISATION] = {"clinician_utilisation", "fraction",
                            "Clinician time reviewing over clinician time rostered.",
                            SIM_METRIC_REP, D_NONE},
    [UCCH_M_AMBULANCE_HOURS] = {"ambulance_hours_saved", "hours",
                                "Dispatches avoided times the job cycle.", SIM_METRIC_REP,
                                D_NONE},
    [UCCH_M_ED_AVOIDED] = {"ed_conveyances_avoided", "patients",
                           "Dispatches avoided whose patient would have been conveyed to ED.",
                           SIM_METRIC_REP, D_NONE},
    [UCCH_M_ADMISSIONS_AVOIDED] = {"admissions_avoided", "patients",
                                   "ED conveyances avoided whose patient would have been "
                                   "admitted (offered on port avoided).", SIM_METRIC_REP,
                                   D_NONE},
    [UCCH_M_AVOIDED_BY_TRUST] = {"avoided_by_trust", "dispatches",
                                 "Dispatches avoided by the trust whose area the call came "
                                 "from (\"none\" without populations).", SIM_METRIC_REP,
                                 D_TRUST},
    [UCCH_M_ADMISSIONS_BY_TRUST] = {"admissions_avoided_by_trust", "patients",
                                    "Admissions avoided by trust.", SIM_METRIC_REP, D_TRUST},
    [UCCH_M_HOURS_PER_WEEK] = {"hours_per_week", "hours",
                               "Hours a week the hub is open (some clinician rostered).",
                               SIM_METRIC_REP, D_NONE},
    [UCCH_M_HOURS_CHANGE] = {"hours_change", "fraction",
                             "Hours a week over the staffing baseline, minus 1.",
                             SIM_METRIC_REP, D_NONE},
    [UCCH_M_WTE_PER_ROLE] = {"wte_per_role", "WTE",
                             "Whole-time equivalents per role: hours / 37.5 x (1 + uplift).",
                             SIM_METRIC_REP, D_NONE},
};

int ucch_declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    const ucch_config *c = cfg;
    int rc = capsim_monitor_month_ends(m, &c->cal, c->horizon_days);
    int dim[D_COUNT] = {0};
    if (!rc) {
        dim[D_CATEGORY] = sim_monitor_add_dimension(m, "category", c->category_names,
                                                    c->n_categories);
        dim[D_SERVICE] = sim_monitor_add_dimension(m, "service", c->service_names,
                                                   c->n_services);
        static const char *const no_trust[] = {"none"};
        dim[D_TRUST] = c->n_trusts ? sim_monitor_add_dimension(m, "trust", c->trust_names,
                                                               c->n_trusts)
                                   : sim_monitor_add_dimension(m, "trust", no_trust, 1);
        for (int d = 0; d < D_COUNT && !rc; d++)
            if (dim[d] < 0)
                rc = dim[d];
    }
    for (int i = 0; i < UCCH_M_COUNT && !rc; i++) {
        size_t dims[1] = {metrics[i].dim >= 0 ? (size_t)dim[metrics[i].dim] : 0};
        int id = sim_monitor_declare_dims(m, metrics[i].name, metrics[i].units,
                                          metrics[i].description, metrics[i].kind, dims,
                                          metrics[i].dim >= 0 ? 1 : 0);
        if (id != i)
            rc = id < 0 ? id : SIM_EINVAL;
    }
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL, "cannot declare the hub's metrics: %s",
                             sim_strerror(rc));
    return SIM_OK;
}
