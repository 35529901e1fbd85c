/*
 * models/elective/el_config_casemix.h: reading a specialty's case mix (el_config.h,
 * el_procedure; docs/elective.md, "Case mix").
 */
#ifndef EL_CONFIG_CASEMIX_H
#define EL_CONFIG_CASEMIX_H

#include "el_config.h"
#include "scenario/yaml.h"

/* `case_mix` of specialty map m into sp (nothing if absent); not with case_minutes or
 * inpatient. */
int el__read_case_mix(el_specialty *sp, const sim_node *m, struct sim_error *err);

void el__case_mix_fini(el_specialty *sp);

#endif
