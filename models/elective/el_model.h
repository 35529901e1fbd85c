/*
 * models/elective/el_model.h: the elective model as capsim sees it (el_model.c), and a
 * replication of it alone for tests and benchmarks. The top layer of the model's files
 * (el_state.h lists them).
 */
#ifndef EL_MODEL_H
#define EL_MODEL_H

#include "el_state.h"

extern const capsim_model capsim_elective_model;

/*
 * Run the elective model alone for one replication into `out` (whose monitor was declared by
 * the model's declare), with optional observers (tests).
 */
int el_run_replication(const el_config *cfg, uint64_t base_seed, uint64_t replication,
                       sim_record *out, const el_run_hooks *hooks);

#endif
