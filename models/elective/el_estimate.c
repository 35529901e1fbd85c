/*
 * models/elective/el_estimate.c: events and memory of one elective replication, before it
 * runs (models/model.h).
 *
 * Events: each referral (its arrival, and for a pathway that joins a list its treatment or
 * removal, about three), each backlog patient (two), and a daily tick per list. Memory:
 * every patient who can be on a list at once, the backlog plus the referrals that join a
 * list over the run, at about 96 bytes each (the 32-byte record, its heap entries and
 * histogram share, allocator overhead), measured against the national benchmark's peak
 * (7.6 M waiting and 4.2 M admitted referrals a year: about 700 MiB).
 */
#include "el_estimate.h"

#include "../estimate_arrivals.h"
#include "core/error.h"
#include "el_config.h"

int el_estimate(const void *config, double *events, double *bytes)
{
    const el_config *cfg = config;
    double ev = 0, patients = 0;
    for (size_t l = 0; l < cfg->n_lists; l++) {
        const el_list *lc = &cfg->lists[l];
        const el_specialty *sp = &cfg->specialties[lc->specialty];
        double referrals = lc->has_referrals
                               ? capsim_estimate_arrivals(&lc->referrals, &cfg->cal,
                                                          cfg->horizon_days)
                               : 0;
        double joining = sp->two_stage ? referrals : referrals * sp->admitted_share;
        ev += referrals + 2 * joining + 2 * (double)lc->backlog.total + cfg->horizon_days;
        patients += (double)lc->backlog.total + joining;
    }
    *events = ev;
    *bytes = 96 * patients + 4096.0 * (double)cfg->n_lists;
    return SIM_OK;
}
