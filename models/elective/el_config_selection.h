/*
 * models/elective/el_config_selection.h: reading a stage's selection rule
 * (el_config_selection.c).
 */
#ifndef EL_CONFIG_SELECTION_H
#define EL_CONFIG_SELECTION_H

#include "el_config.h"
#include "scenario/yaml.h"

/* A stage's selection rule at map[key]; inactive if absent. The outpatient stage
 * (`with_priorities` false) takes no urgent_through. */
int el__read_selection(const el_config *cfg, const sim_node *map, const char *key,
                       bool with_priorities, el_selection *sel, struct sim_error *err);

#endif
