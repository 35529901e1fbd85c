/*
 * models/model.c: the helpers every model shares (model.h): the scenario's calendar, the
 * month-end snapshot times, a model as a system component, a model run alone. Below every
 * model; the registry that names the models is models.c, above them.
 */
#include "model.h"

#include <stdlib.h>

#include "core/error.h"

int capsim_scenario_calendar(const capsim_scenario *sc, sim_calendar *cal)
{
    int rc = sim_calendar_init(cal, sc->start_date);
    if (rc)
        return rc;
    if (sc->replace_holidays)
        rc = sim_calendar_set_holidays(cal, sc->holidays, sc->n_holidays);
    if (!rc && sc->n_extra_holidays)
        rc = sim_calendar_add_holidays(cal, sc->extra_holidays, sc->n_extra_holidays);
    if (rc)
        sim_calendar_fini(cal);
    return rc;
}

sim_component capsim_model_component(const capsim_model *m, const void *cfg, size_t model)
{
    return (sim_component){
        .name = m->name,
        .cfg = cfg,
        .ports = m->ports,
        .n_ports = m->n_ports,
        .start = m->start,
        .snapshot = m->snapshot,
        .warmup_end = m->warmup_end,
        .finish = m->finish,
        .stop = m->stop,
        .accept = m->accept,
        .model = model,
    };
}

int capsim_model_run_alone(const capsim_model *m, const void *cfg, double horizon,
                           double warmup, uint64_t seed, uint64_t replication, sim_record *out,
                           struct sim_error *err)
{
    sim_component c = capsim_model_component(m, cfg, 0);
    const sim_monitor *mon = out->monitor;
    sim_system sys = {
        .components = &c,
        .n_components = 1,
        .snapshot_times = sim_monitor_times(mon),
        .n_snapshots = sim_monitor_time_count(mon),
        .horizon_days = horizon,
        .warmup_days = warmup,
    };
    return sim_system_run(&sys, seed, replication, out, err);
}

int capsim_monitor_month_ends(sim_monitor *m, const sim_calendar *cal, double horizon)
{
    if (sim_monitor_time_count(m) > 0)
        return SIM_OK;
    size_t n = sim_calendar_month_ends(cal, horizon, NULL, 0);
    double *times = calloc(n ? n : 1, sizeof *times);
    char (*labels)[11] = calloc(n ? n : 1, sizeof *labels);
    const char **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    int rc = SIM_ENOMEM;
    if (times && labels && ptrs) {
        n = sim_calendar_month_ends(cal, horizon, times, n);
        for (size_t k = 0; k < n; k++) {
            /* A snapshot at midnight is labelled with the day that just ended: the first,
             * at the start, shows the position at the end of the day before. */
            sim_date_format(sim_calendar_date(cal, times[k] - 1), labels[k]);
            ptrs[k] = labels[k];
        }
        rc = sim_monitor_set_times(m, times, ptrs, n);
    }
    free(times);
    free(labels);
    free(ptrs);
    return rc;
}
