/*
 * app/scenario_limits.h: checks of a loaded scenario's dates against what the program can
 * represent, made by `capsim check` and (through capsim_output_check) `capsim run`.
 *
 *   a run ending after 9999-12-31 is refused: month-end labels are written YYYY-MM-DD
 *   a run outside 1995-2099 with the built-in bank holidays is warned about: the table
 *   covers only those years, so days outside have no bank holidays
 */
#ifndef CAPSIM_SCENARIO_LIMITS_H
#define CAPSIM_SCENARIO_LIMITS_H

#include <stddef.h>

struct capsim_loaded;
struct sim_error;

/* SIM_OK (warnings printed as "PROG: warning: ...") or SIM_EINPUT with err filled. */
int capsim_scenario_check_dates(const char *prog, const struct capsim_loaded *l,
                                struct sim_error *err);

#endif
