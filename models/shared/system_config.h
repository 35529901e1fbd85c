/*
 * models/shared/system_config.h: the `system:` section, shared by every model of a scenario.
 *
 *   system:
 *     trusts:
 *       - name: WSFT                     # the code models use ("WSFT/trauma-orthopaedics")
 *         label: West Suffolk NHS FT     # optional, for reports
 *         population: 280000             # optional: people served
 *         sites:
 *           - {code: WSH, name: West Suffolk Hospital, lat: 52.23, lon: 0.71}
 *
 * Read once by the program; every model finds trusts and sites here by name
 * (capsim_system_find_trust / _site), and an unknown name is an error at the line and
 * column where the model's section names it. A scenario without a system section has no
 * trusts; models that need them say so.
 */
#ifndef CAPSIM_SYSTEM_CONFIG_H
#define CAPSIM_SYSTEM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario/yaml.h"

struct sim_error;

typedef struct capsim_site {
    const char *code;     /* e.g. "WSH" */
    const char *name;     /* the code when not given */
    int trust;            /* index of its trust */
    bool has_coords;
    double lat, lon;
} capsim_site;

typedef struct capsim_trust {
    const char *name;
    const char *label;    /* the name when not given */
    double population;    /* 0 when not given */
    int first_site, n_sites;
    const sim_node *node; /* where it is defined, for messages */
} capsim_trust;

typedef struct capsim_system {
    capsim_trust *trusts;
    size_t n_trusts;
    capsim_site *sites;
    size_t n_sites;
    const sim_node *node;  /* the section, or NULL */
} capsim_system;

/* Read `system:` from the scenario's root (strings point into the document). */
int capsim_system_read(const sim_node *root, capsim_system *sys, struct sim_error *err);
/* Read the trusts of map `section` (the value of `system:`) without checking its other keys. */
int capsim_system_read_section(const sim_node *section, capsim_system *sys,
                               struct sim_error *err);
void capsim_system_fini(capsim_system *sys);

/*
 * The index of trust `name` (or site `code`), or -1. With `at` (the node that names it) an
 * unknown name is an error there: "unknown trust \"X\" (the system's trusts are A, B)".
 */
int capsim_system_find_trust(const capsim_system *sys, const char *name, const sim_node *at,
                             struct sim_error *err);
int capsim_system_find_site(const capsim_system *sys, const char *code, const sim_node *at,
                            struct sim_error *err);

#endif
