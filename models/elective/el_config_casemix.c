/*
 * models/elective/el_config_casemix.c: a specialty's case mix.
 *
 *   case_mix:
 *     - {name: primary-hip, share: 45%, minutes: {lognormal: {mean: 100, sd: 25}},
 *        stay_days: {lognormal: {mean: 4.4, sd: 2.9}}}        # an inpatient procedure
 *     - {name: arthroscopy, share: 55%, minutes: {lognormal: {mean: 45, sd: 15}}}  # day case
 *
 * Shares add up to 1. A procedure with `stay_days` needs an acute bed for that stay (the
 * beds link, as `inpatient` does for a whole specialty); one without is a day case.
 */
#include "el_config_casemix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "el_config_util.h" /* el__strdup, TRY */

int el__read_case_mix(el_specialty *sp, const sim_node *m, struct sim_error *err)
{
    static const char *const keys[] = {"name", "share", "minutes", "stay_days", NULL};
    if (!sim_node_has(m, "case_mix"))
        return SIM_OK;
    sim_node *seq;
    TRY(sim_node_seq(m, "case_mix", &seq, err));
    if (sim_node_has(m, "case_minutes") || sim_node_has(m, "inpatient"))
        return sim_node_error(seq, err, "give case_mix or case_minutes and inpatient, not both "
                                        "(a procedure has its own minutes and stay)");
    if (seq->n == 0 || seq->n > EL_MAX_PROCEDURES)
        return sim_node_error(seq, err, "expected 1 to %d procedures", EL_MAX_PROCEDURES);
    sp->procedures = calloc(seq->n, sizeof *sp->procedures);
    if (!sp->procedures)
        return SIM_ENOMEM;
    double sum = 0;
    for (size_t i = 0; i < seq->n; i++) {
        sim_node *pm = seq->items[i];
        if (pm->kind != SIM_NODE_MAP)
            return sim_node_error(pm, err, "expected a map {name, share, minutes, stay_days}");
        sim_node_mark_used(pm, false);
        TRY(sim_node_check_keys(pm, keys, err));
        el_procedure *pr = &sp->procedures[i];
        const char *name;
        TRY(sim_node_string(pm, "name", &name, err));
        for (size_t j = 0; j < i; j++)
            if (strcmp(sp->procedures[j].name, name) == 0)
                return sim_node_error(sim_node_get(pm, "name"), err,
                                      "procedure \"%s\" is named twice", name);
        if (!(pr->name = el__strdup(name)))
            return SIM_ENOMEM;
        sp->n_procedures = (int)i + 1;
        double share;
        TRY(sim_node_fraction(pm, "share", 0, 1, &share, err));
        sum += share;
        pr->cum = sum;
        const sim_node *mins = sim_node_get(pm, "minutes");
        if (!mins)
            return sim_node_map(pm, "minutes", &(sim_node *){NULL}, err);
        TRY(sim_dist_from_node(mins, 0, &pr->minutes, err));
        pr->has_minutes = true;
        if (sim_node_has(pm, "stay_days")) {
            TRY(sim_dist_from_node(sim_node_get(pm, "stay_days"), 0, &pr->stay, err));
            pr->inpatient = true;
        }
    }
    if (fabs(sum - 1.0) > 0.005)
        return sim_node_error(seq, err, "expected procedure shares that add up to 1, got %g",
                              sum);
    for (int i = 0; i < sp->n_procedures; i++)
        sp->procedures[i].cum /= sum;
    sp->procedures[sp->n_procedures - 1].cum = 1.0;
    return SIM_OK;
}

void el__case_mix_fini(el_specialty *sp)
{
    for (int i = 0; i < sp->n_procedures; i++) {
        el_procedure *pr = &sp->procedures[i];
        free(pr->name);
        if (pr->has_minutes)
            sim_dist_fini(&pr->minutes);
        if (pr->inpatient)
            sim_dist_fini(&pr->stay);
    }
    free(sp->procedures);
    sp->procedures = NULL;
    sp->n_procedures = 0;
}
