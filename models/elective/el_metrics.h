/*
 * models/elective/el_metrics.h: what the elective model reports (el_metrics.c): the metric
 * declarations, the month-end snapshots and the replication outcomes.
 */
#ifndef EL_METRICS_H
#define EL_METRICS_H

#include "el_state.h"

int el_declare(const el_config *cfg, sim_monitor *m);
int el_metric_ids_find(const sim_record *rec, el_metric_ids *ids);
/* The declarations of the model's metrics in rec, by the record's metric id (free() it);
 * NULL if out of memory. */
const sim_metric **el_metrics_alloc(const sim_record *rec);
void el_snapshot(el_run *r, size_t k);
void el_write_outcomes(el_run *r);

#endif
