/* app/scenario_limits.c: a scenario's dates against the program's limits (see the header). */
#include "scenario_limits.h"

#include <math.h>
#include <stdio.h>

#include "core/calendar.h"
#include "core/error.h"
#include "scenario.h"

/* The years the built-in England and Wales bank-holiday table covers (sim/core). */
enum { HOLIDAYS_FIRST_YEAR = 1995, HOLIDAYS_LAST_YEAR = 2099 };

int capsim_scenario_check_dates(const char *prog, const capsim_loaded *l, struct sim_error *err)
{
    const capsim_scenario *sc = &l->sc;
    int64_t first = sim_date_to_days(sc->start_date);
    int64_t last = first + (int64_t)ceil(sc->horizon_days) - 1;
    sim_date end = sim_date_from_days(last);
    const sim_node *horizon = sc->root ? sim_node_get(sc->root, "horizon_days") : NULL;
    if (end.year > 9999) {
        if (horizon)
            return sim_node_error(horizon, err,
                                  "the run would end after 9999-12-31, which month-end labels "
                                  "(YYYY-MM-DD) cannot write; shorten horizon_days or start "
                                  "earlier");
        return sim_error_set(err, SIM_EINPUT, sc->path, 0, 0, "horizon_days",
                             "the run would end after 9999-12-31");
    }
    if (!sc->replace_holidays &&
        (sc->start_date.year < HOLIDAYS_FIRST_YEAR || end.year > HOLIDAYS_LAST_YEAR)) {
        char from[11], to[11];
        sim_date_format(sc->start_date, from);
        sim_date_format(end, to);
        const sim_node *at = sc->root ? sim_node_get(sc->root, "start_date") : NULL;
        fprintf(stderr,
                "%s: warning: %s:%d:%d: scenario %s runs from %s to %s, outside the built-in "
                "bank holidays (%d-%d): days outside those years have none (give "
                "bank_holidays: {dates: [...]} to set them)\n",
                prog, at ? at->file : sc->path, at ? at->line : 0, at ? at->column : 0,
                sc->name, from, to, HOLIDAYS_FIRST_YEAR, HOLIDAYS_LAST_YEAR);
    }
    return SIM_OK;
}
