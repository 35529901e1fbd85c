/* models/models.c: the registry of models built into capsim, and shared scenario helpers. */
#include "model.h"

#include "core/error.h"

extern const capsim_model capsim_queue_model;
extern const capsim_model capsim_elective_model;

const capsim_model *const capsim_models[] = {&capsim_queue_model, &capsim_elective_model, NULL};

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
