/*
 * models/elective/el_config_util.h: small helpers shared by the configuration readers
 * (el_config_util.c), below them all. Internal to the elective model (el__ prefix for
 * non-static functions).
 */
#ifndef EL_CONFIG_UTIL_H
#define EL_CONFIG_UTIL_H

#include "el_config.h"
#include "scenario/yaml.h"

/* Return the first non-zero code. */
#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

char *el__strdup(const char *s);

/* Read a priority mix map {P1: f, ..., P4: f} (fractions summing to 1) into cumulative shares. */
int el__read_priority_mix(const sim_node *map, const char *key, double cum[EL_PRIORITIES],
                          struct sim_error *err);

/* "P1".."P4" to 0..3, or -1. */
int el__priority_index(const char *text);

/* Index of trust or site by name or code, or -1; on -1 fill err at node with a suggestion. */
int el__find_trust(const el_config *cfg, const char *name, const sim_node *at,
                   struct sim_error *err);
int el__find_site(const el_config *cfg, const char *code, const sim_node *at,
                  struct sim_error *err);
int el__find_specialty(const el_config *cfg, const char *name, const sim_node *at,
                       struct sim_error *err);

/* A date key (optional): days since start, or `dflt` when absent. */
int el__opt_date_time(const el_config *cfg, const sim_node *map, const char *key, double dflt,
                      double *out, struct sim_error *err);

/* Index of the list of (trust, specialty), or -1. */
int el_config_list_of(const el_config *cfg, int trust, int specialty);

#endif
