/*
 * models/elective/el_config_read.h: reading and freeing the elective configuration
 * (el_config_read.c); the sections and types are el_config.h's.
 */
#ifndef EL_CONFIG_READ_H
#define EL_CONFIG_READ_H

#include "el_config.h"

/* Read and check the model's sections; on error err names where. */
int el_config_read(const capsim_scenario *sc, el_config **out, struct sim_error *err);
void el_config_free(el_config *cfg);

#endif
