/*
 * models/elective/el_run.h: the runner of one elective replication (el_run.c), as the
 * model's component hooks (sim/system/system.h; el_model.c registers them). The state it
 * runs is el_state.h's.
 */
#ifndef EL_RUN_H
#define EL_RUN_H

#include "el_state.h"

int el_start(const void *cfg, sim_run *run, size_t self, void **state);
void el_on_snapshot(void *state, size_t k);
void el_on_warmup_end(void *state);
int el_finish(void *state, sim_record *out);
void el_stop(void *state);

#endif
