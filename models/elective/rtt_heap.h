/*
 * models/elective/rtt_heap.h: a 4-ary min-heap of waiting-list entries.
 *
 * An entry is (key, patient, stamp): the key is the patient's clock start (or, for the
 * rebooking queue, the date by which the patient must be rebooked), so the top of a heap is
 * the longest waiter. Ties are broken by patient index, so order never depends on insertion
 * history. Entries are deleted lazily: a patient carries a stamp that is bumped whenever it
 * stops waiting (booked, treated, removed, moved, re-prioritised), and an entry whose stamp
 * no longer matches is stale and is skipped when it reaches the top. rtt_heap_compact drops
 * stale entries in one pass when the caller decides the garbage is worth collecting.
 *
 * Embeddable: rtt_heap_init / rtt_heap_fini. Storage grows geometrically and is reused.
 *
 * Four children per node rather than two halve the depth, and the storage is placed so that
 * the four 16-byte siblings 4i+1 ... 4i+4 share one 64-byte cache line: a sift-down on a
 * list of millions of entries is bound by cache misses, one per level. The order in which
 * valid entries leave does not depend on the arity, because (key, patient) orders them
 * totally and only one entry per patient is valid at a time.
 */
#ifndef EL_RTT_HEAP_H
#define EL_RTT_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rtt_entry {
    double key;
    uint32_t patient;
    uint32_t stamp;
} rtt_entry;

typedef struct rtt_heap {
    rtt_entry *e;            /* entries; e[1] starts a cache line */
    void *block;             /* the allocation that holds e */
    size_t n, cap;
} rtt_heap;

void rtt_heap_init(rtt_heap *h);
void rtt_heap_fini(rtt_heap *h);

/* Make room for `cap` entries in all. SIM_OK or SIM_ENOMEM. */
int rtt_heap_reserve(rtt_heap *h, size_t cap);

/* Insert an entry. SIM_OK or SIM_ENOMEM. */
int rtt_heap_push(rtt_heap *h, double key, uint32_t patient, uint32_t stamp);

/* The smallest entry (the heap must not be empty). */
static inline const rtt_entry *rtt_heap_top(const rtt_heap *h) { return &h->e[0]; }

/* Remove the smallest entry. */
void rtt_heap_pop(rtt_heap *h);

/*
 * Keep only the entries for which valid(ctx, entry) is true, then restore the heap order
 * in O(n).
 */
void rtt_heap_compact(rtt_heap *h, bool (*valid)(const void *ctx, const rtt_entry *e),
                      const void *ctx);

#endif
