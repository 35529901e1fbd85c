/*
 * models/elective/el_pool.h: the pooled heaps of collaborations, and the pool sites each
 * patient accepts (the data of pooling; the policies are in el_collab.h).
 *
 * A pooled collaboration keeps heaps per (pool site, priority) holding the member lists'
 * admitted WAITING patients who accept that site (el_state.h, "Waiting lists"). The
 * acceptance mask is drawn once per patient from its own "site-acceptance" entity (one
 * uniform per pool site, in site order) and kept in el_run.accept.
 */
#ifndef EL_POOL_H
#define EL_POOL_H

#include "el_state.h"

/* Build (and free) every collaboration's pool data: the lists that treat (mutual-aid
 * partners), the site index and the empty heaps. */
int el_pools_init(el_run *r);
void el_pools_fini(el_run *r);
/* Settle the heaps of the active pools once the backlog is in (rtt_heap_settle). */
int el_pools_settle(el_run *r);
/* The active pool serving (list, site), with the site's pool index in *q; NULL if none. */
el_pool *el_pool_for(el_run *r, int list, int site, int *q);
/* The patient's mask of accepted pool sites (drawn once per patient, then kept). */
uint64_t el_pool_mask(el_run *r, uint32_t p);
/* Push a WAITING admitted patient into its pool's site heaps if its list is pooled now. */
void el_pool_enqueue(el_run *r, uint32_t p);

#endif
