/*
 * models/elective/el_estimate.h: events and memory of one replication before it runs
 * (el_estimate.c; models/model.h, capsim_model.estimate).
 */
#ifndef EL_ESTIMATE_H
#define EL_ESTIMATE_H

int el_estimate(const void *cfg, double *events, double *bytes);

#endif
