/* models/beds/beds_metrics.c: the beds model's metrics and its `site` dimension. */
#include "beds_metrics.h"

#include "beds_model.h"
#include "core/error.h"

static const struct {
    const char *name, *units, *description;
    sim_metric_kind kind;
    bool per_site;
} metrics[BM_COUNT] = {
    [BM_OCCUPIED] = {"occupied", "beds", "General and acute beds occupied at the snapshot "
                     "(outliers over the count included, ring-fenced beds not).",
                     SIM_METRIC_SERIES, true},
    [BM_BEDS] = {"beds", "beds", "General and acute beds available in the month.",
                 SIM_METRIC_SERIES, true},
    [BM_MEAN_OCCUPIED] = {"mean_occupied", "beds", "Time-average general and acute beds "
                          "occupied in the month.", SIM_METRIC_SERIES, true},
    [BM_OCCUPANCY] = {"occupancy", "fraction", "Time-average beds occupied over beds "
                      "available in the month (the sitrep's occupancy).", SIM_METRIC_SERIES,
                      true},
    [BM_DAILY_MIN] = {"daily_occupancy_min", "fraction", "Lowest daily census (at "
                      "census_hour) over beds available, in the month.", SIM_METRIC_SERIES,
                      true},
    [BM_DAILY_MEDIAN] = {"daily_occupancy_median", "fraction", "Median daily census over beds "
                         "available, in the month.", SIM_METRIC_SERIES, true},
    [BM_DAILY_MAX] = {"daily_occupancy_max", "fraction", "Highest daily census over beds "
                      "available, in the month.", SIM_METRIC_SERIES, true},
    [BM_NCTR] = {"nctr_census", "patients", "Time-average patients in bed who no longer meet "
                 "the criteria to reside (waiting for a delayed discharge), in the month.",
                 SIM_METRIC_SERIES, true},
    [BM_ADMIT_NE] = {"admissions_non_elective", "patients", "Non-elective patients admitted in "
                     "the month (own arrivals and offers).", SIM_METRIC_SERIES, true},
    [BM_ADMIT_EL] = {"admissions_elective", "patients", "Elective inpatients admitted in the "
                     "month.", SIM_METRIC_SERIES, true},
    [BM_AVOIDED] = {"avoided", "patients", "Non-elective arrivals in the month that did not "
                    "happen because an avoided-admission credit was consumed.",
                    SIM_METRIC_SERIES, true},
    [BM_BOARDED] = {"boarded", "patients", "Patients admitted in the month with no general and "
                    "acute bed free (outliers, escalation beds; when_full: board).",
                    SIM_METRIC_SERIES, true},
    [BM_REFUSED] = {"refused", "patients", "Patients refused in the month for want of a bed "
                    "(when_full: refuse).", SIM_METRIC_SERIES, true},
    [BM_DELAYED] = {"delayed_discharges", "patients", "Discharges in the month after a "
                    "discharge delay.", SIM_METRIC_SERIES, true},
    [BM_STEP_OFFERED] = {"step_down_offered", "patients", "Patients offered a step-down to "
                         "the virtual ward in the month.", SIM_METRIC_SERIES, true},
    [BM_STEP_ACCEPTED] = {"step_down_accepted", "patients", "Patients moved to the virtual "
                          "ward in the month.", SIM_METRIC_SERIES, true},
    [BM_BED_DAYS_NE] = {"bed_days_non_elective", "bed days", "Bed days used by non-elective "
                        "patients in the month.", SIM_METRIC_SERIES, true},
    [BM_BED_DAYS_EL] = {"bed_days_elective", "bed days", "Bed days used by elective "
                        "inpatients in the month (ring-fenced and general beds).",
                        SIM_METRIC_SERIES, true},
    [BM_RING_OCCUPIED] = {"ring_fenced_occupied", "beds", "Ring-fenced elective beds occupied "
                          "at the snapshot.", SIM_METRIC_SERIES, true},
    [BM_T_OCCUPIED] = {"mean_occupied_total", "beds", "Time-average general and acute beds "
                       "occupied after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_OCCUPANCY] = {"occupancy_total", "fraction", "Bed days occupied over bed days "
                        "available after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_NCTR] = {"nctr_census_total", "patients", "Time-average patients who no longer meet "
                   "the criteria to reside, after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_ADMIT_NE] = {"admissions_non_elective_total", "patients", "Non-elective admissions "
                       "after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_ADMIT_EL] = {"admissions_elective_total", "patients", "Elective inpatient admissions "
                       "after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_AVOIDED] = {"avoided_total", "patients", "Avoided-admission credits consumed after "
                      "the warm-up.", SIM_METRIC_REP, true},
    [BM_T_BOARDED] = {"boarded_total", "patients", "Admissions with no bed free (outliers) "
                      "after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_REFUSED] = {"refused_total", "patients", "Patients refused for want of a bed after "
                      "the warm-up.", SIM_METRIC_REP, true},
    [BM_T_REFUSED_SHARE] = {"refused_share", "fraction", "Refused over admitted and refused, "
                            "after the warm-up (Erlang B for Poisson arrivals).",
                            SIM_METRIC_REP, true},
    [BM_T_DELAYED] = {"delayed_discharges_total", "patients", "Discharges after a discharge "
                      "delay, after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_STEP_OFFERED] = {"step_down_offered_total", "patients", "Step-down offers after "
                           "the warm-up.", SIM_METRIC_REP, true},
    [BM_T_STEP_ACCEPTED] = {"step_down_accepted_total", "patients", "Patients moved to the "
                            "virtual ward after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_STEP_SAVED] = {"step_down_bed_days_saved", "bed days", "Bed days the accepted "
                         "step-downs freed within the run (after the warm-up).",
                         SIM_METRIC_REP, true},
    [BM_T_BED_DAYS_NE] = {"bed_days_non_elective_total", "bed days", "Bed days used by "
                          "non-elective patients after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_BED_DAYS_EL] = {"bed_days_elective_total", "bed days", "Bed days used by elective "
                          "inpatients after the warm-up.", SIM_METRIC_REP, true},
    [BM_T_STAY_SUM] = {"stay_days_sum", "bed days", "Sum over patients of their time in bed "
                       "after the warm-up and before the horizon, accrued at discharge and at "
                       "the horizon (equals the bed days: Little's law).", SIM_METRIC_REP,
                       true},
    [BM_T_AVOIDED_OFFERED] = {"avoided_offered_total", "patients", "Avoided-admission credits "
                              "received after the warm-up.", SIM_METRIC_REP, false},
    [BM_T_AVOIDED_UNUSED] = {"avoided_unused", "patients", "Credits left unconsumed at the "
                             "horizon.", SIM_METRIC_REP, false},
    [BM_T_UNPLACED] = {"offers_unplaced", "patients", "Offers refused because they named no "
                       "site or trust with beds in this model.", SIM_METRIC_REP, false},
};

int beds_declare(const void *cfg, sim_monitor *m, struct sim_error *err)
{
    const beds_config *c = cfg;
    int rc = capsim_monitor_month_ends(m, &c->cal, c->horizon_days);
    if (!rc)
        rc = sim_monitor_set_groups(m, "site", c->site_codes, c->n_sites);
    for (int i = 0; i < BM_COUNT && !rc; i++) {
        int id = sim_monitor_declare(m, metrics[i].name, metrics[i].units,
                                     metrics[i].description, metrics[i].kind,
                                     metrics[i].per_site);
        if (id != i)
            rc = id < 0 ? id : SIM_EINVAL;
    }
    if (rc)
        return sim_error_set(err, rc, NULL, 0, 0, NULL, "cannot declare the beds metrics: %s",
                             sim_strerror(rc));
    return SIM_OK;
}
