/*
 * models/beds/beds_estimate.c: events and memory of one acute-beds replication, before it
 * runs.
 *
 * Each admission makes about four events (admission, end of the clinical stay, discharge,
 * a step-down offer). Patients are held while in a bed; when full and boarding, every
 * admission may be held at once, so the bound is the admissions; when refusing, the beds.
 * A rough 200 bytes a patient; the prefill adds a full house of beds.
 */
#include "beds_model.h"

#include "core/error.h"
#include "../estimate_arrivals.h"

int beds_estimate(const void *cfg, double *events, double *bytes)
{
    const beds_config *c = cfg;
    double admissions = 0, beds = 0;
    for (size_t i = 0; i < c->n_sites; i++) {
        const beds_site *s = &c->sites[i];
        if (s->has_admissions)
            admissions += capsim_estimate_arrivals(&s->admissions, &c->cal, c->horizon_days);
        double most = 0;
        for (int m = 0; m < 12; m++)
            if (s->beds[m] > most)
                most = s->beds[m];
        beds += most + (double)s->ring_fenced;
    }
    double held = c->when_full == BEDS_BOARD ? admissions + beds : beds;
    *events = 4 * admissions + 2 * beds;
    *bytes = 200 * held + 128.0 * (double)c->n_sites;
    return SIM_OK;
}
