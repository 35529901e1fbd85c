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
 * Two parts. Patients mostly join a list in order of clock start (a referral's clock starts
 * now), so an entry not smaller than the last one appended goes to a sorted run, a FIFO
 * whose pops cost O(1) and read memory in order; any other entry (a backlog patient, a
 * patient back on the list after a cancellation, a re-prioritised one) goes to the heap
 * part. The top is the smaller of the run's head and the heap's top. rtt_heap_settle sorts
 * everything into the run, once a bulk load (the initial backlog) is complete.
 *
 * The heap part is 4-ary: four children per node halve the depth, and the storage is placed
 * so that the four 16-byte siblings 4i+1 ... 4i+4 share one 64-byte cache line. The order in
 * which valid entries leave depends on neither the parts nor the arity, because (key,
 * patient) orders them totally and only one entry per patient is valid at a time.
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
    uint32_t n;              /* entries in all: nh + hi - lo */
    uint32_t nh, cap;        /* heap part: entries, room */
    uint32_t lo, hi, run_cap; /* sorted run: run[lo .. hi) ascending, room */
    rtt_entry *e;            /* heap part; e[1] starts a cache line */
    rtt_entry *run;
    void *block;             /* the allocation that holds e */
} rtt_heap;

/* Counts are 32-bit so that a heap's header is 48 bytes: a list's hot heap then sits in one
 * cache line (el_state.h). A heap holds at most RTT_HEAP_MAX entries. */
#define RTT_HEAP_MAX ((size_t)UINT32_MAX / 2)
_Static_assert(sizeof(rtt_heap) == 48, "a heap header is 48 bytes");

static inline bool rtt_entry_less(const rtt_entry *a, const rtt_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->patient < b->patient);
}

void rtt_heap_init(rtt_heap *h);
void rtt_heap_fini(rtt_heap *h);

/* Insert an entry. SIM_OK, or SIM_ENOMEM (also when the heap holds RTT_HEAP_MAX). */
int rtt_heap_push(rtt_heap *h, double key, uint32_t patient, uint32_t stamp);

/* The smallest entry (the heap must not be empty). */
static inline const rtt_entry *rtt_heap_top(const rtt_heap *h)
{
    if (h->lo == h->hi || (h->nh && rtt_entry_less(&h->e[0], &h->run[h->lo])))
        return &h->e[0];
    return &h->run[h->lo];
}

/* The i-th stored entry (i < n), in storage order: the sorted run's, then the heap part's.
 * A uniform i is a uniform entry, which is how lists draw a random waiting patient (stale
 * entries rejected). */
static inline const rtt_entry *rtt_heap_at(const rtt_heap *h, size_t i)
{
    size_t in_run = h->hi - h->lo;
    return i < in_run ? &h->run[h->lo + i] : &h->e[i - in_run];
}

/* Remove the smallest entry. */
void rtt_heap_pop(rtt_heap *h);

/* The sorted run's entry k places after its head, or NULL: likely to be taken k pops from
 * now (a hint for prefetching; the heap part may hold smaller keys). */
static inline const rtt_entry *rtt_heap_run_ahead(const rtt_heap *h, uint32_t k)
{
    return h->hi - h->lo > k ? &h->run[h->lo + k] : NULL;
}

/* Move every entry into the sorted run (after a bulk load). SIM_OK or SIM_ENOMEM. */
int rtt_heap_settle(rtt_heap *h);

/*
 * Keep only the entries for which valid(ctx, entry) is true, then restore the heap order
 * in O(n).
 */
void rtt_heap_compact(rtt_heap *h, bool (*valid)(const void *ctx, const rtt_entry *e),
                      const void *ctx);

#endif
