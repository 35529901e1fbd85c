/*
 * models/elective/el_list.h: operations on the waiting lists (el_state.h, "Patients" and
 * "Waiting lists"): joining and leaving, WAITING on the heaps, taking the next patient for
 * a booking or a server, treatment, removal and transfer; the per-period counts and the
 * scratch array that the layers above share.
 */
#ifndef EL_LIST_H
#define EL_LIST_H

#include "el_pool.h"

/* Where a series metric of list `list` counts at the current period; NULL after the last
 * snapshot. */
static inline double *el__count_at(const el_run *r, int metric, int list)
{
    if (r->period >= r->cfg->n_times)
        return NULL;
    return &r->rec->values[sim_record_index(r->metric[metric], r->period, (size_t)list)];
}
/* Count into a series metric at the current period (ignored after the last snapshot). */
static inline void el__count(el_run *r, int metric, int list, double delta)
{
    double *v = el__count_at(r, metric, list);
    if (v)
        *v += delta;
}
/* Count one of a hot flow (EL_HOT_...) of list `list`; el__flush_counts adds them to the
 * series at the next snapshot. */
static inline void el__count_hot(el_run *r, int k, int list)
{
    r->hot[list].n[k]++;
}
/* Add the hot counts since the last snapshot to the current period's series (dropped after
 * the last snapshot, as el__count drops them) and start again from 0. */
void el__flush_counts(el_run *r);
/* Grow the scratch array to hold n entries. */
int el__scratch(el_run *r, size_t n);
/* A patient joins the incomplete pathways of list l (histogram and size) at time t (now,
 * or a deferred referral's time: el_run.c, catch_up_list). */
void el__join(el_run *r, uint32_t p, int l, double t);
/* Put a patient on its list's heaps as WAITING and wake servers that could treat it (or,
 * P1 with theatres, book it within 72 hours): el_run.wake_servers, el_run.book_urgent. */
void el__wait(el_run *r, uint32_t p);
/* A WAITING patient stops waiting (it is being booked, served or removed): its heap entries
 * become stale. */
void el__unwait(el_run *r, uint32_t p);
/* The clock stops: treated at `site` at time t. Frees the patient. */
void el__treat(el_run *r, uint32_t p, int site, double t);
/* A WAITING patient leaves the list other than by treatment. Frees the patient. */
void el__remove(el_run *r, uint32_t p);
/* Move a WAITING patient to another list (mutual aid), clock start kept. */
void el__transfer(el_run *r, uint32_t p, int to_list);
/* Next patient for a booking at (list's trust and specialty, site): rebooking queue first,
 * then P1 ... P4 (only P1 unless non_p1_ok). EL_NONE if there is none. */
uint32_t el__take(el_run *r, int list, int site, bool non_p1_ok);
/* Next patient of list l's admitted pathways or outpatient stage by the selection rule
 * `sel` (el_config.h, el_selection), unwaited; EL_NONE if there is none. */
uint32_t el__take_by_rule(el_run *r, int l, const el_selection *sel, bool admitted,
                          bool non_p1_ok);
/* The first entry of h whose patient is in `state` with a matching stamp, popped or peeked
 * (stale entries above it are dropped); EL_NONE / NULL if there is none. */
uint32_t el__pop_valid(el_run *r, rtt_heap *h, uint8_t state);
const rtt_entry *el__peek_valid(el_run *r, rtt_heap *h, uint8_t state);
/* The longest WAITING patient of h, taken off the heaps (el__unwait); EL_NONE if there is
 * none. */
uint32_t el__take_waiting(el_run *r, rtt_heap *h);
/* The i-th entry of heaps[0 .. n_heaps) taken as one array (i below their entries). */
const rtt_entry *el__entry_at(rtt_heap *const *heaps, int n_heaps, size_t i);
/* A random WAITING patient: a uniform entry of heaps[0 .. n_heaps), which hold `entries`
 * in all; its patient if the entry is valid (WAITING, stamp matching), else EL_NONE, and
 * the caller draws again (el_state.h, "Waiting lists"). */
uint32_t el__sample_waiting(el_run *r, gsl_rng *g, rtt_heap *const *heaps, int n_heaps,
                            size_t entries);
/* List l's heaps of WAITING patients into heaps[] (EL_HEAPS room); returns how many entries
 * they hold. Their number is EL_WAITING_HEAPS. */
enum { EL_WAITING_HEAPS = 6 };
size_t el__waiting_heaps(el_run *r, int l, rtt_heap *heaps[]);
/* Drop list l's stale entries from those heaps once they outnumber the valid ones (with a
 * margin of 64), so that a uniform entry is valid about half the time or more. */
void el__compact_waiting(el_run *r, int l);

#endif
