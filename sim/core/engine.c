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

struct sim_engine {
    double now;
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

sim_engine *sim_engine_alloc(size_t capacity_hint)
{
    sim_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->free_head = NO_SLOT;
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
    e->n = 0;
    e->root_fired = false;
    e->live = 0;
    e->cancelled = 0;
    e->executed = 0;
    e->now = 0.0;
    e->stopped = false;
    e->error = 0;
    e->message[0] = '\0';
}

double sim_now(const sim_engine *e)
{
    return e->now;
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
    e->cancelled = 0;
    for (size_t i = m / SIM_HEAP_ARITY + 1; i-- > 0;)
        if (i < m)
            sift_down(e->heap, m, i, e->heap[i]);
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
    if (e->root_fired) {
        e->root_fired = false;
        sift_down(e->heap, e->n, 0, x);
    } else {
        if (e->n == e->heap_cap &&
            grow((void **)&e->heap, &e->heap_cap, sizeof(entry), e->n + 1) != SIM_OK) {
            sl->fn = NULL;
            sl->arg = e->free_head;
            e->free_head = s;
            sim_engine_fail(e, SIM_ENOMEM, "out of memory for the event calendar");
            return 0;
        }
        sift_up(e->heap, e->n++, x);
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
    while (e->n > 0) {
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
