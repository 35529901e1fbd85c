/*
 * models/elective/el_config_theatre.h: reading the theatres and collaboration sections
 * (el_config_theatre.c), after the trusts and specialties (el_config_read.c).
 */
#ifndef EL_CONFIG_THEATRE_H
#define EL_CONFIG_THEATRE_H

#include "el_config.h"
#include "scenario/yaml.h"

int el__read_theatres(el_config *cfg, const sim_node *root, struct sim_error *err);
int el__read_collaboration(el_config *cfg, const sim_node *root, struct sim_error *err);

#endif
