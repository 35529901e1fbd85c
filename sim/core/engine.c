/*
 * sim/core/engine.c: the clock and the event calendar.
 *
 * The calendar is an implicit d-ary min-heap of 16-byte entries {time, key}, where
 * key = class << CLASS_SHIFT | sequence << SLOT_BITS | slot. Comparing (time, key)
 * lexicographically compares (time, class, sequence), because sequences are unique, so equal
 * times fire by class and, within a class, in scheduling order.
 * The handler, context and argument live in a slot table beside the heap; slots are recycled
 * through a free list and both arrays grow geometrically, so scheduling allocates nothing
 * once the engine has reached its working size.
 *
 * An event id is generation << SLOT_BITS | slot. A slot's generation is bumped each time the
 * slot is freed, so a stale id never matches; a slot whose generation would wrap is retired
 * rather than reused, so ids are never reused within one engine's life. Cancellation is lazy:
 * the slot's handler is cleared and the heap entry is dropped when it reaches the top (or in a
 * purge, when cancelled entries outnumber live ones), while the pending count stays exact.
 *
 * The run loop leaves the entry of the event being run at the root while its handler runs.
 * If the handler schedules an event (the common case: an entity's next step), the new entry
 * replaces the root and sifts down once, instead of a pop followed by a push. This halves the
 * heap work of the hold model.
 *
 * Large calendars: a far tier of time buckets. Once the heap holds more than SIM_FAR_ON_AT
 * (4096) entries, only the events of the current time bucket stay in it; later ones go to a
 * ring of buckets (unsorted vectors of the same 16-byte entries) and those beyond the ring to
 * an overflow vector, in the manner of a calendar queue (Brown 1988) or the ladder queue's
 * rungs (Tang, Goh and Thng 2005). Bucket b holds the times t with floor((t - base) / width)
 * = b; that map is monotone in t, so every event of an earlier bucket comes before every
 * event of a later one and equal times share a bucket: order within the heap is still the
 * full (time, class, sequence) comparison, and the ordering contract is unchanged (results
 * are bit-identical). When the heap runs empty the next non-empty bucket is moved into it
 * (Floyd's heapify); when the ring is used up, or the tier has grown to four times the size
 * it was laid out for, the tier is laid out again over the pending entries: the origin is
 * the earliest time, the width is set from the lower quartile of a sample of 512 times so
 * that about 256 entries fall in a bucket near the front, and the ring has about twice as
 * many buckets as the entries need. A layout is O(n) and happens once per pass over the
 * ring, so the cost per event stays O(1) amortised, and the heap the events fire from stays
 * small and in cache however many are pending. Below a quarter of the threshold the tier is
 * folded back into the heap; a calendar with no spread of times (all at one instant) keeps
 * the heap, retrying after it has doubled. The heap array keeps room for every pending entry
 * (address space, not touched memory), so the tier can always be folded back without
 * allocating; a layout makes all its allocations before it moves anything.
 *
 * Choice of heap, by measurement (scripts/bench_engine.c, hold model: each entity repeatedly
 * waits an exponential time with mean 1, so every event schedules one more; gcc -O2 on this
 * 2-core machine while other jobs ran, so wall times are indicative (best of 4-6 interleaved
 * runs of 5-10 million events); instruction counts are the marginal cost of an event under
 * callgrind, (I(2M events) - I(1M events)) / 1M, and include drawing the exponential
 * (gsl_rng_mt19937 + gsl_ran_exponential, about 130 instructions and 27 ns) and the handler):
 *
 *                                          callgrind instr/event    wall ns/event
 *   heap, comparison                       1,000 ent. 100,000 ent.  1,000 ent. 100,000 ent.
 *   1. binary, top-down, branching (t, seq)    497        675          112        185
 *   2. binary, bottom-up, branching            511        663          125        244
 *   3. 4-ary, top-down, branching              600        823          132        253
 *   4. 4-ary, bottom-up, branching             509        646          145        273
 *   5. binary, top-down, branchless + prefetch 651        939           90        173
 *   6. binary, bottom-up, branchless + pf.     619        827           96        192
 *   7. 4-ary, top-down, branchless + pf.       731       1027          119        208
 *   8. 4-ary, bottom-up, branchless + pf.      632        840           92        164
 *   9. binary, top-down, 128-bit key + pf.     547        755           77        152
 *
 * Rows 1-4 compare (time, key) as doubles with short-circuit branches: branch-predictor
 * simulation (cachegrind) gave 6.5 mispredictions per event at 1,000 entities and 9.8 at
 * 100,000. Rows 5-8 compare the time's bits and the key as integers without branches and
 * choose the smaller child arithmetically: more instructions, half the mispredictions
 * (2.9 and 3.0 per event), and faster. The prefetch (below, in the run loop) took the
 * 100,000-entity case from 189 to 174 ns with no change at 1,000. Row 9, the default, makes
 * (time bits, key) one unsigned 128-bit comparison. The 4-ary bottom-up heap (row 8) is a
 * little faster at 100,000 entities but slower on small heaps (M/M/10: 5.8 against 6.6 M
 * customers/s), and models mostly keep small calendars, so the binary heap stays.
 * SIM_HEAP_ARITY (2 or 4), SIM_HEAP_BOTTOM_UP, SIM_INT128_COMPARE and SIM_PREFETCH select
 * the variants at compile time for re-measurement. With row 9 the 100,000-entity hold costs
 * 1.97 times the 1,000-entity one per event (the heap and slot table no longer fit in cache).
 *
 * The far tier, by measurement (scripts/bench_hold: hold model as above with Philox draws,
 * 4 M events a run, medians of 5 interleaved runs; the bare heap is the plain C binary heap
 * of 16-byte {time, entity} entries in scripts/bench_engine.c; "old" is the heap alone,
 * commit 7a04253). The machine was shared and oversubscribed (load average 5-14 on 2 cores),
 * so wall times were 3-10 times the CPU times and are not shown; CPU time of the process
 * leaves out the time other jobs ran but not their cache traffic, so it too is indicative.
 * Instructions per event: callgrind, (I(2E) - I(E)) / E with E = 400,000 (1.5 M and 2 M
 * for 1 M pending), drawing included (about 130 instructions).
 *
 *                               callgrind instr/event        CPU ns/event (median)
 *   pending events              1,000  100,000     1 M     1,000  100,000     1 M   1M/1k
 *   heap alone (old)              574      782       -       130      494    1596  12.3x
 *   heap + far tier (this)        577      613     596       121      195     387   3.2x
 *   bare C binary heap            381      545     625       131      277     562   4.3x
 *
 * A later run of 3 interleaved rounds, at load average 3 (wall ns/event, CPU in brackets):
 * old 145 (117), 454 (301), 1298 (1010); this 139 (115), 221 (162), 330 (238), 1M/1k 2.4x
 * (2.1x); bare heap 145 (133), 263 (212), 632 (441), 4.4x (3.3x).
 *
 * The tier needs more instructions than the bare heap on small and middling calendars but
 * fewer cache misses: events fire from a heap of a few hundred entries that stays in cache,
 * and a new event costs an append at a bucket's end. Bucket loads of 128 to 1,024 measured
 * alike at 100,000 and 1 M pending; 256 was kept. Turning the tier on at 256 pending events
 * (with 16 a bucket) saved 4% of the instructions of `capsim run` on M/M/10 (its 365
 * month-end snapshots leave the heap) but cost CPU time on the 1,000-entity hold, so the
 * threshold stays at 4096. Memory: 16 bytes an entry in a bucket (buckets double, so up to
 * 32) plus the 32-byte slot; at 1 M pending the hold peaked at about 120 MB against 49 MB
 * for the heap alone (mostly the overflow and the ring both holding entries while a layout
 * moves them), a cost paid for the flat time per event. The national elective year (where
 * the tier turns on) peaked at 710 against 662 MiB, in 0.97 times the CPU time, with
 * bit-identical results (scripts/bench_compare).
 */
#include "engine.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 2
#endif
#ifndef SIM_INT128_COMPARE
#define SIM_INT128_COMPARE 1
#endif
#ifndef SIM_PREFETCH
#define SIM_PREFETCH 1
#endif
#ifndef SIM_HEAP_BOTTOM_UP
#define SIM_HEAP_BOTTOM_UP 0
#endif
#if SIM_HEAP_ARITY != 2 && SIM_HEAP_ARITY != 4
#error "SIM_HEAP_ARITY must be 2 or 4"
#endif

/* Low bits of a key or id: the slot index; high bits: the sequence or generation. */
#define SLOT_BITS 28
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define HIGH_LIMIT (UINT64_C(1) << (64 - SLOT_BITS))
/* Keys: 4 bits of class above 32 bits of sequence above the slot. */
#define CLASS_SHIFT 60
#define SEQ_LIMIT (UINT64_C(1) << (CLASS_SHIFT - SLOT_BITS))
#define SEQ_MASK ((SEQ_LIMIT - 1) << SLOT_BITS)
#define CLASS_MASK (~(UINT64_C(0)) << CLASS_SHIFT)
#define MAX_SLOTS ((size_t)SLOT_MASK) /* slot index SLOT_MASK is never used */
#define NO_SLOT UINT32_MAX

/* The far tier: on above FAR_ON_AT pending entries in the heap, off again (at a rebuild)
 * below FAR_OFF_BELOW; about BUCKET_LOAD entries a bucket near the front. */
#ifndef SIM_FAR_ON_AT
#define SIM_FAR_ON_AT 4096
#endif
#ifndef SIM_BUCKET_LOAD
#define SIM_BUCKET_LOAD 256
#endif
#define MIN_RING 64
#define SAMPLE 512

/*
 * time_bits is the bit pattern of the event time. Times are never negative (the clock
 * starts at 0 and schedules are >= now; -0.0 is stored as +0.0), and the IEEE 754 order of
 * non-negative doubles is the unsigned order of their bits, so entries compare as two
 * unsigned integers, without branches.
 */
typedef struct entry {
    uint64_t time_bits;
    uint64_t key;
} entry;

static inline uint64_t to_bits(double t)
{
    uint64_t u;
    t += 0.0; /* -0.0 becomes +0.0 */
    memcpy(&u, &t, sizeof u);
    return u;
}

static inline double from_bits(uint64_t u)
{
    double t;
    memcpy(&t, &u, sizeof t);
    return t;
}

typedef struct slot {
    sim_handler fn; /* NULL when free or cancelled */
    void *ctx;
    uint64_t arg;
    uint64_t gen;   /* generation of the id that owns the slot now (bits 64 - SLOT_BITS) */
} slot;

/* A far-tier bucket: an unsorted vector of entries. */
typedef struct bucket {
    entry *v;
    uint32_t len, cap;
} bucket;

struct sim_engine {
    double now;         /* first: sim_now (engine.h) reads it inline */
    entry *heap;
    size_t n;           /* entries in the heap, cancelled ones included */
    size_t heap_cap;
    slot *slots;
    size_t n_slots;     /* slots ever handed out (the table's used prefix) */
    size_t slots_cap;
    uint32_t free_head; /* free list through slot.arg, NO_SLOT when empty */
    uint64_t next_seq;
    size_t live;        /* pending events */
    size_t cancelled;   /* cancelled entries still in the heap */
    uint64_t executed;
    bool stopped;
    int error;          /* first failure (sim_engine_fail or a refused schedule), 0 if none */
    char message[256];
    bool root_fired;    /* the root entry has fired; the next schedule may replace it */
    /*
     * The far tier (see the top of the file), in use while far_on. Bucket number of time t:
     * floor((t - base) x inv_w), 0 below base. The heap holds every entry of bucket <= cur,
     * ring[b & (n_ring - 1)] those of bucket b in (cur, cur + n_ring), overflow the rest.
     */
    bool far_on;
    double base, inv_w;
    size_t cur;
    bucket *ring;        /* n_ring buckets; slot 0 is unused (bucket 0 is in the heap) */
    uint32_t *counts;    /* counters for rebuilds (counts_len of them) */
    size_t counts_len;
    size_t n_ring;
    size_t ring_entries;
    bucket overflow;
    size_t far_on_at;    /* heap size above which the far tier is turned on */
    size_t far_min;      /* far_on_at after a success; the tier goes off below far_min / 4 */
    size_t load;         /* entries a bucket near the front: SIM_BUCKET_LOAD, less in tests */
    size_t layout_m;     /* far entries at the last layout */
    /* Prefetchers (sim_set_prefetcher): pf_fn[i]'s events are announced to pf[i]. */
    size_t n_pf;
    sim_handler pf_fn[SIM_PREFETCHERS];
    sim_prefetcher pf[SIM_PREFETCHERS];
};

static inline bool entry_less(const entry *a, const entry *b)
{
#if defined(__SIZEOF_INT128__) && SIM_INT128_COMPARE
    /* One 128-bit comparison: a compare and a subtract-with-borrow on x86-64. */
    __extension__ typedef unsigned __int128 u128;
    u128 ka = (u128)a->time_bits << 64 | a->key, kb = (u128)b->time_bits << 64 | b->key;
    return ka < kb;
#else
    return (a->time_bits < b->time_bits) | ((a->time_bits == b->time_bits) & (a->key < b->key));
#endif
}

static void sift_up(entry *h, size_t i, entry x)
{
    while (i > 0) {
        size_t p = (i - 1) / SIM_HEAP_ARITY;
        if (!entry_less(&x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

static void sift_down(entry *h, size_t n, size_t i, entry x)
{
#if SIM_HEAP_BOTTOM_UP
    /*
     * Bottom-up (Wegener 1993): move the hole down the path of smaller children to a leaf,
     * one comparison per level, then sift x up from there. A new event usually belongs near
     * the bottom (its time is now + a delay), so the climb back is short.
     */
    size_t start = i, c;
    while ((c = SIM_HEAP_ARITY * i + 1) + SIM_HEAP_ARITY <= n) {
#if SIM_HEAP_ARITY == 2
        c += entry_less(&h[c + 1], &h[c]);
#else
        size_t a = c + entry_less(&h[c + 1], &h[c]);
        size_t b = c + 2 + entry_less(&h[c + 3], &h[c + 2]);
        c = entry_less(&h[b], &h[a]) ? b : a;
#endif
        h[i] = h[c];
        i = c;
    }
    if (c < n) {
        size_t best = c;
        for (size_t j = c + 1; j < n; j++)
            if (entry_less(&h[j], &h[best]))
                best = j;
        h[i] = h[best];
        i = best;
    }
    while (i > start) {
        size_t p = (i - 1) / SIM_HEAP_ARITY;
        if (!entry_less(&x, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
#else
    for (;;) {
        size_t c = SIM_HEAP_ARITY * i + 1;
        if (c >= n)
            break;
        size_t best = c;
#if SIM_HEAP_ARITY == 2
        if (c + 1 < n)
            best += entry_less(&h[c + 1], &h[c]);
#else
        size_t end = c + SIM_HEAP_ARITY < n ? c + SIM_HEAP_ARITY : n;
        for (size_t j = c + 1; j < end; j++)
            if (entry_less(&h[j], &h[best]))
                best = j;
#endif
        if (!entry_less(&h[best], &x))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = x;
#endif
}

static void heap_pop(sim_engine *e)
{
    assert(e->n > 0);
    e->n--;
    if (e->n > 0)
        sift_down(e->heap, e->n, 0, e->heap[e->n]);
}

/* Drop the root if it has fired but was not replaced by a new event. */
static void settle_root(sim_engine *e)
{
    if (e->root_fired) {
        e->root_fired = false;
        heap_pop(e);
    }
}

static void slot_free(sim_engine *e, uint32_t s)
{
    slot *sl = &e->slots[s];
    sl->fn = NULL;
    sl->gen++;
    if (sl->gen >= HIGH_LIMIT)
        return; /* retired: its ids are used up */
    sl->arg = e->free_head;
    e->free_head = s;
}

static int grow(void **p, size_t *cap, size_t elem, size_t need)
{
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q)
        return SIM_ENOMEM;
    *p = q;
    *cap = c;
    return SIM_OK;
}

static int bucket_reserve(bucket *b, size_t need)
{
    if (need <= b->cap)
        return SIM_OK;
    size_t c = b->cap ? b->cap : 16;
    while (c < need)
        c *= 2;
    entry *v = realloc(b->v, c * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    b->v = v;
    b->cap = (uint32_t)c;
    return SIM_OK;
}

static inline int bucket_push(bucket *b, entry x)
{
    if (b->len == b->cap && bucket_reserve(b, (size_t)b->len + 1) != SIM_OK)
        return SIM_ENOMEM;
    b->v[b->len++] = x;
    return SIM_OK;
}

/* Give back most of a bucket's storage when it holds far more than `need` entries. */
static void bucket_trim(bucket *b, size_t need)
{
    size_t c = 16;
    while (c < need)
        c *= 2;
    if (b->cap <= 4 * c)
        return;
    entry *v = realloc(b->v, c * sizeof *v);
    if (v) {
        b->v = v;
        b->cap = (uint32_t)c;
    }
}

/* Floyd's bottom-up heapify of the whole heap. */
static void heapify(sim_engine *e)
{
    for (size_t i = e->n / SIM_HEAP_ARITY + 1; i-- > 0;)
        if (i < e->n)
            sift_down(e->heap, e->n, i, e->heap[i]);
}

/* Where an entry's time falls in the far tier's bucket numbering (a real number). */
static inline double bucket_pos(const sim_engine *e, uint64_t time_bits)
{
    return (from_bits(time_bits) - e->base) * e->inv_w;
}

static size_t far_entries(const sim_engine *e)
{
    return e->ring_entries + e->overflow.len;
}

/* Move every far entry into the heap and turn the tier off (the heap has room: see grow). */
static void far_off(sim_engine *e)
{
    for (size_t b = 1; b < e->n_ring && e->ring_entries > 0; b++) {
        bucket *bk = &e->ring[b];
        if (bk->len == 0)
            continue;
        memcpy(e->heap + e->n, bk->v, bk->len * sizeof(entry));
        e->n += bk->len;
        e->ring_entries -= bk->len;
        bk->len = 0;
    }
    if (e->overflow.len > 0)
        memcpy(e->heap + e->n, e->overflow.v, e->overflow.len * sizeof(entry));
    e->n += e->overflow.len;
    e->overflow.len = 0;
    e->far_on = false;
    e->far_on_at = 2 * e->n > e->far_min ? 2 * e->n : e->far_min;
    heapify(e);
}

static int cmp_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Lay the far tier out afresh over src[0..m) (the heap when the tier is turned on, the
 * overflow when a pass over the ring is over; the ring is empty then). The origin is the
 * earliest time, the bucket width is chosen from a sample's lower quartile so that about
 * SIM_BUCKET_LOAD entries fall in each bucket near the front, and the ring covers about
 * twice the entries' number of buckets. Entries of bucket 0 go to the heap, those past
 * the ring to the overflow. Every allocation is made before anything moves; on failure
 * (or when there is no spread of times to bucket) nothing changes and SIM_ENOMEM or
 * SIM_EINVAL is returned.
 */
static int far_layout(sim_engine *e, const entry *src, size_t m)
{
    double lo = INFINITY;
    for (size_t i = 0; i < m; i++) {
        double t = from_bits(src[i].time_bits);
        if (t < lo)
            lo = t;
    }
    double sample[SAMPLE];
    size_t k = m < SAMPLE ? m : SAMPLE;
    for (size_t i = 0; i < k; i++)
        sample[i] = from_bits(src[i * (m / k)].time_bits) - lo;
    qsort(sample, k, sizeof *sample, cmp_doubles);
    /* The first quartile of the sample that is past the origin gives the density. */
    double q = 0, share = 0;
    for (size_t j = k / 4; j < k && q <= 0; j += (k / 4 > 0 ? k / 4 : 1)) {
        q = sample[j];
        share = (double)(j + 1) / (double)k;
    }
    if (!(q > 0))
        return SIM_EINVAL;
    double inv_w = share * (double)m / q / e->load;
    if (!(inv_w > 0 && inv_w < INFINITY))
        return SIM_EINVAL;
    size_t n_ring = MIN_RING;
    while (n_ring < 2 * m / e->load)
        n_ring *= 2;

    if (e->counts_len < n_ring + 1) {
        uint32_t *counts = realloc(e->counts, (n_ring + 1) * sizeof *counts);
        if (!counts)
            return SIM_ENOMEM;
        e->counts = counts;
        e->counts_len = n_ring + 1;
    }
    if (n_ring != e->n_ring) {
        /* The ring is empty here; its buckets keep their storage for reuse. */
        for (size_t b = n_ring; b < e->n_ring; b++)
            free(e->ring[b].v);
        if (n_ring < e->n_ring)
            e->n_ring = n_ring;
        bucket *ring = realloc(e->ring, n_ring * sizeof *ring);
        if (!ring)
            return SIM_ENOMEM;
        e->ring = ring;
        memset(ring + e->n_ring, 0, (n_ring - e->n_ring) * sizeof *ring);
        e->n_ring = n_ring;
    }
    /* Count, then reserve: counts[0] is the heap's share, counts[n_ring] the overflow's. */
    memset(e->counts, 0, (n_ring + 1) * sizeof *e->counts);
    for (size_t i = 0; i < m; i++) {
        double pos = (from_bits(src[i].time_bits) - lo) * inv_w;
        e->counts[pos < (double)n_ring ? (size_t)pos : n_ring]++;
    }
    for (size_t b = 1; b < n_ring; b++) {
        bucket_trim(&e->ring[b], e->counts[b]);
        if (e->counts[b] && bucket_reserve(&e->ring[b], e->counts[b]) != SIM_OK)
            return SIM_ENOMEM;
    }
    if (src != e->overflow.v &&
        bucket_reserve(&e->overflow, e->overflow.len + e->counts[n_ring]) != SIM_OK)
        return SIM_ENOMEM;
    e->base = lo;
    e->inv_w = inv_w;
    e->cur = 0;
    e->layout_m = m;
    return SIM_OK;
}

/* Send src[i] (laid out by far_layout) to its ring bucket; false if it is not a ring entry. */
static inline bool far_place(sim_engine *e, entry x)
{
    double pos = bucket_pos(e, x.time_bits);
    if (!(pos >= 1.0) || !(pos < (double)e->n_ring))
        return false;
    bucket *bk = &e->ring[(size_t)pos];
    bk->v[bk->len++] = x;
    e->ring_entries++;
    return true;
}

/* Turn the far tier on over the heap's entries (the root has not fired). */
static void far_start(sim_engine *e)
{
    if (far_layout(e, e->heap, e->n) != SIM_OK) {
        e->far_on_at = 2 * e->n; /* stay a plain heap; try again when it has doubled */
        return;
    }
    size_t keep = 0;
    for (size_t i = 0; i < e->n; i++) {
        entry x = e->heap[i];
        if (far_place(e, x))
            continue;
        if (bucket_pos(e, x.time_bits) < 1.0)
            e->heap[keep++] = x;
        else
            e->overflow.v[e->overflow.len++] = x;
    }
    e->n = keep;
    e->far_on = true;
    e->far_on_at = e->far_min;
    heapify(e);
}

/*
 * The heap is empty: fill it with the next non-empty bucket; lay the tier out again over
 * the overflow when the ring is used up. False if nothing is pending anywhere.
 */
static bool far_refill(sim_engine *e)
{
    if (!e->far_on)
        return false;
    /*
     * When the tier has grown well past the size it was laid out for, its buckets are too
     * full: gather the ring into the overflow and lay everything out again.
     */
    if (e->ring_entries > 0 && far_entries(e) > 4 * e->layout_m + e->far_min &&
        bucket_reserve(&e->overflow, far_entries(e)) == SIM_OK) {
        for (size_t b = e->cur + 1; b < e->n_ring; b++) {
            bucket *bk = &e->ring[b];
            if (bk->len > 0)
                memcpy(e->overflow.v + e->overflow.len, bk->v, bk->len * sizeof(entry));
            e->overflow.len += bk->len;
            bk->len = 0;
            bucket_trim(bk, 0);
        }
        e->ring_entries = 0;
    }
    if (e->ring_entries == 0) {
        size_t m = e->overflow.len;
        if (m == 0)
            return false;
        if (m < e->far_min / 4 || far_layout(e, e->overflow.v, m) != SIM_OK) {
            far_off(e);
            return e->n > 0;
        }
        size_t keep = 0;
        for (size_t i = 0; i < m; i++) {
            entry x = e->overflow.v[i];
            if (far_place(e, x))
                continue;
            if (bucket_pos(e, x.time_bits) < 1.0)
                e->heap[e->n++] = x;
            else
                e->overflow.v[keep++] = x;
        }
        e->overflow.len = (uint32_t)keep;
        bucket_trim(&e->overflow, 2 * keep);
        if (e->n > 0) {
            heapify(e);
            return true;
        }
    }
    for (;;) {
        bucket *bk = &e->ring[++e->cur];
        if (bk->len == 0)
            continue;
        memcpy(e->heap, bk->v, bk->len * sizeof(entry));
        e->n = bk->len;
        e->ring_entries -= bk->len;
        bk->len = 0;
#if SIM_PREFETCH
        /* These events fire next: start loading their slots, which a large calendar has
         * pushed out of the cache, while the heap is built. */
        for (size_t i = 0; i < e->n; i++)
            __builtin_prefetch(&e->slots[e->heap[i].key & SLOT_MASK]);
#endif
        heapify(e);
        return true;
    }
}

sim_engine *sim_engine_alloc(size_t capacity_hint)
{
    sim_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->free_head = NO_SLOT;
    sim__engine_set_far_threshold(e, SIM_FAR_ON_AT);
    if (capacity_hint < 16)
        capacity_hint = 16;
    if (grow((void **)&e->heap, &e->heap_cap, sizeof(entry), capacity_hint) != SIM_OK ||
        grow((void **)&e->slots, &e->slots_cap, sizeof(slot), capacity_hint) != SIM_OK) {
        sim_engine_free(e);
        return NULL;
    }
    return e;
}

void sim_engine_free(sim_engine *e)
{
    if (!e)
        return;
    free(e->heap);
    free(e->slots);
    for (size_t b = 0; b < e->n_ring; b++)
        free(e->ring[b].v);
    free(e->ring);
    free(e->counts);
    free(e->overflow.v);
    free(e);
}

void sim_engine_reset(sim_engine *e)
{
    /* Free every slot in use (bumping generations, so old ids stay invalid). */
    for (size_t i = 0; i < e->n; i++) {
        uint32_t s = (uint32_t)(e->heap[i].key & SLOT_MASK);
        if (!(e->root_fired && i == 0))
            slot_free(e, s);
    }
    for (size_t b = 1; b < e->n_ring; b++) {
        for (size_t i = 0; i < e->ring[b].len; i++)
            slot_free(e, (uint32_t)(e->ring[b].v[i].key & SLOT_MASK));
        e->ring[b].len = 0;
    }
    for (size_t i = 0; i < e->overflow.len; i++)
        slot_free(e, (uint32_t)(e->overflow.v[i].key & SLOT_MASK));
    e->overflow.len = 0;
    e->ring_entries = 0;
    e->far_on = false;
    e->far_on_at = e->far_min;
    e->n = 0;
    e->root_fired = false;
    e->live = 0;
    e->cancelled = 0;
    e->executed = 0;
    e->now = 0.0;
    e->stopped = false;
    e->error = 0;
    e->message[0] = '\0';
    e->n_pf = 0;
}

int sim_set_prefetcher(sim_engine *e, sim_handler fn, sim_prefetcher pf)
{
    size_t i = 0;
    while (i < e->n_pf && e->pf_fn[i] != fn)
        i++;
    if (!pf) {
        if (i < e->n_pf) {
            e->n_pf--;
            e->pf_fn[i] = e->pf_fn[e->n_pf];
            e->pf[i] = e->pf[e->n_pf];
        }
        return SIM_OK;
    }
    if (i == SIM_PREFETCHERS)
        return SIM_ENOMEM;
    if (i == e->n_pf)
        e->n_pf++;
    e->pf_fn[i] = fn;
    e->pf[i] = pf;
    return SIM_OK;
}

/* Announce the likely next two events to their handlers' prefetchers (sim_set_prefetcher).
 * The next is the earlier of the root's children, unless the running handler schedules
 * one earlier still; the one after it is the earlier of that child's sibling and its own
 * children. */
static inline void announce(const sim_engine *e, size_t c, unsigned ahead)
{
    const slot *ns = &e->slots[e->heap[c].key & SLOT_MASK];
    for (size_t i = 0; i < e->n_pf; i++)
        if (ns->fn == e->pf_fn[i]) {
            e->pf[i](ns->ctx, ns->arg, ahead);
            return;
        }
}

static inline void announce_next(const sim_engine *e)
{
    if (e->n < 3)
        return;
    size_t c = 1 + entry_less(&e->heap[2], &e->heap[1]);
    size_t d = 3 - c, k = 2 * c + 1;
    if (k < e->n && entry_less(&e->heap[k], &e->heap[d]))
        d = k;
    if (k + 1 < e->n && entry_less(&e->heap[k + 1], &e->heap[d]))
        d = k + 1;
    announce(e, d, 2);
    announce(e, c, 1);
}

static int cmp_entries(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return entry_less(x, y) ? -1 : entry_less(y, x) ? 1 : 0;
}

/*
 * Sequences are CLASS_SHIFT - SLOT_BITS = 32 bits wide. When they run out, renumber the pending
 * entries in their current order (classes kept): a sorted array is a valid heap, and the order
 * is unchanged.
 */
static void renumber(sim_engine *e)
{
    settle_root(e);
    far_off(e);
    qsort(e->heap, e->n, sizeof(entry), cmp_entries);
    for (size_t i = 0; i < e->n; i++)
        e->heap[i].key = (e->heap[i].key & CLASS_MASK) | ((uint64_t)i << SLOT_BITS) |
                         (e->heap[i].key & SLOT_MASK);
    e->next_seq = e->n;
}

/* Remove cancelled entries from the heap and rebuild it (Floyd's bottom-up heapify). */
static void purge(sim_engine *e)
{
    settle_root(e);
    size_t m = 0;
    for (size_t i = 0; i < e->n; i++) {
        uint32_t s = (uint32_t)(e->heap[i].key & SLOT_MASK);
        if (e->slots[s].fn)
            e->heap[m++] = e->heap[i];
        else
            slot_free(e, s);
    }
    e->n = m;
    for (size_t b = 0; b <= e->n_ring; b++) {
        bucket *bk = b < e->n_ring ? &e->ring[b] : &e->overflow;
        uint32_t kept = 0;
        for (uint32_t i = 0; i < bk->len; i++) {
            uint32_t s = (uint32_t)(bk->v[i].key & SLOT_MASK);
            if (e->slots[s].fn)
                bk->v[kept++] = bk->v[i];
            else
                slot_free(e, s);
        }
        if (b < e->n_ring)
            e->ring_entries -= bk->len - kept;
        bk->len = kept;
    }
    e->cancelled = 0;
    heapify(e);
}

/* The body of both schedule calls, inlined into each so the default class costs nothing. */
static inline __attribute__((always_inline)) sim_event_id
schedule(sim_engine *e, double time, unsigned cls, sim_handler fn, void *ctx, uint64_t arg)
{
    if (!(time >= e->now && time < INFINITY) || !fn || cls >= SIM_EVENT_CLASSES) {
        sim_engine_fail(e, SIM_EINVAL, "an event was scheduled at time %g (now %g)%s", time,
                        e->now, fn ? "" : " without a handler");
        return 0;
    }
    if (e->next_seq >= SEQ_LIMIT)
        renumber(e);

    uint32_t s = e->free_head;
    if (s != NO_SLOT) {
        e->free_head = (uint32_t)e->slots[s].arg;
    } else {
        if (e->n_slots >= MAX_SLOTS) {
            sim_engine_fail(e, SIM_ENOMEM, "more than %zu events pending", (size_t)MAX_SLOTS);
            return 0;
        }
        if (e->n_slots == e->slots_cap &&
            grow((void **)&e->slots, &e->slots_cap, sizeof(slot), e->n_slots + 1) != SIM_OK) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the event calendar");
            return 0;
        }
        s = (uint32_t)e->n_slots++;
        e->slots[s].gen = 1;
    }
    slot *sl = &e->slots[s];
    sl->fn = fn;
    sl->ctx = ctx;
    sl->arg = arg;

    entry x = {to_bits(time),
               ((uint64_t)cls << CLASS_SHIFT) | (e->next_seq++ << SLOT_BITS) | s};
    if (e->far_on && bucket_pos(e, x.time_bits) >= (double)(e->cur + 1)) {
        /* The heap keeps room for every entry, so that the tier can always be emptied. */
        size_t total = e->n + far_entries(e) + 1;
        if ((total > e->heap_cap &&
             grow((void **)&e->heap, &e->heap_cap, sizeof(entry), total) != SIM_OK) ||
            bucket_push(bucket_pos(e, x.time_bits) < (double)e->n_ring
                            ? &e->ring[(size_t)bucket_pos(e, x.time_bits)]
                            : &e->overflow,
                        x) != SIM_OK) {
            sl->fn = NULL;
            sl->arg = e->free_head;
            e->free_head = s;
            return 0;
        }
        if (bucket_pos(e, x.time_bits) < (double)e->n_ring)
            e->ring_entries++;
    } else if (e->root_fired) {
        e->root_fired = false;
        sift_down(e->heap, e->n, 0, x);
    } else {
        size_t total = e->n + far_entries(e) + 1;
        if (total > e->heap_cap &&
            grow((void **)&e->heap, &e->heap_cap, sizeof(entry), total) != SIM_OK) {
            sl->fn = NULL;
            sl->arg = e->free_head;
            e->free_head = s;
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the event calendar");
            return 0;
        }
        sift_up(e->heap, e->n++, x);
        if (!e->far_on && e->n > e->far_on_at)
            far_start(e);
    }
    e->live++;
    return (sl->gen << SLOT_BITS) | s;
}

sim_event_id sim_schedule_at(sim_engine *e, double time, sim_handler fn, void *ctx,
                             uint64_t arg)
{
    return schedule(e, time, SIM_CLASS_DEFAULT, fn, ctx, arg);
}

sim_event_id sim_schedule_at_class(sim_engine *e, double time, unsigned cls, sim_handler fn,
                                   void *ctx, uint64_t arg)
{
    return schedule(e, time, cls, fn, ctx, arg);
}

sim_event_id sim_schedule_in(sim_engine *e, double delay, sim_handler fn, void *ctx,
                             uint64_t arg)
{
    if (!(delay >= 0.0))
        return 0;
    return sim_schedule_at(e, e->now + delay, fn, ctx, arg);
}

int sim_cancel(sim_engine *e, sim_event_id id)
{
    uint64_t s = id & SLOT_MASK;
    if (s >= e->n_slots)
        return SIM_ESTATE;
    slot *sl = &e->slots[s];
    if (sl->gen != id >> SLOT_BITS || !sl->fn)
        return SIM_ESTATE;
    sl->fn = NULL;
    e->live--;
    e->cancelled++;
    /* Keep the heap from filling with dead entries when models cancel a lot (timeouts). */
    if (e->cancelled > 1024 && e->cancelled > e->live)
        purge(e);
    return SIM_OK;
}

int sim_run_until(sim_engine *e, double t_end)
{
    if (isnan(t_end) || t_end < e->now)
        return SIM_EINVAL;
    if (e->error)
        return e->error;
    e->stopped = false;
    while (e->n > 0 || far_refill(e)) {
        entry top = e->heap[0];
        double time = from_bits(top.time_bits);
        if (time > t_end)
            break;
        uint32_t s = (uint32_t)(top.key & SLOT_MASK);
        slot sl = e->slots[s];
        e->now = time;
        slot_free(e, s);
        if (!sl.fn) {
            e->cancelled--;
            heap_pop(e);
            continue;
        }
        e->live--;
        e->executed++;
        e->root_fired = true;
#if SIM_PREFETCH
        /*
         * The next event is usually one of the root's children: start loading their slots
         * now, so that the miss overlaps the handler instead of stalling the next turn.
         */
        if (e->n > 2) {
            __builtin_prefetch(&e->slots[e->heap[1].key & SLOT_MASK]);
            __builtin_prefetch(&e->slots[e->heap[2].key & SLOT_MASK]);
        }
#endif
        if (e->n_pf)
            announce_next(e);
        sl.fn(e, sl.ctx, sl.arg);
        settle_root(e);
        if (e->stopped)
            return e->error;
    }
    if (isfinite(t_end))
        e->now = t_end;
    return SIM_OK;
}

void sim_stop(sim_engine *e)
{
    e->stopped = true;
}

uint64_t sim_events_executed(const sim_engine *e)
{
    return e->executed;
}

size_t sim_events_pending(const sim_engine *e)
{
    return e->live;
}

void sim_engine_fail(sim_engine *e, int code, const char *fmt, ...)
{
    if (e->error)
        return;
    e->error = code ? code : SIM_EINVAL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->stopped = true;
}

int sim_engine_error(const sim_engine *e)
{
    return e->error;
}

const char *sim_engine_error_message(const sim_engine *e)
{
    return e->error ? e->message : "";
}

void sim__engine_set_sequence(sim_engine *e, uint64_t seq)
{
    e->next_seq = seq;
}

void sim__engine_set_far_threshold(sim_engine *e, size_t n)
{
    e->far_on_at = e->far_min = n;
    e->load = n / 16 < 2 ? 2 : n / 16 > SIM_BUCKET_LOAD ? SIM_BUCKET_LOAD : n / 16;
}

size_t sim__engine_far_entries(const sim_engine *e)
{
    return far_entries(e);
}
