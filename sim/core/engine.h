/*
 * sim/core/engine.h: the simulation clock and its event calendar.
 *
 * Time is a double, in days since the scenario's start date. Events are kept in a priority
 * queue keyed by (time, class, insertion sequence), compared lexicographically: two events at
 * the same time fire by class (lower first), and within a class in the order they were
 * scheduled, so a run is deterministic and same-time order does not depend on who happened
 * to schedule first when a scenario combines several models. The classes:
 *
 *   SIM_CLASS_SNAPSHOT (1)  month-end snapshots and the warm-up boundary: they see the state
 *                           at the instant, before anything else happens at that time
 *   SIM_CLASS_CAPACITY (4)  capacity changes (shift starts and ends, sessions opening)
 *   SIM_CLASS_DEFAULT  (8)  everything else (sim_schedule_at)
 *   SIM_CLASS_LATE    (12)  end-of-instant work (daily reviews after the day's events)
 *
 * A handler is a plain function pointer called with a context pointer and a 64-bit argument
 * (typically an entity index), so scheduling needs no allocation per event: the queue's
 * storage grows geometrically and is reused. An event can be cancelled by the id returned
 * when it was scheduled; ids are never reused within one engine's life.
 *
 * One engine runs one replication on one thread; engines share nothing.
 *
 * Cost per event (scripts/bench_hold: the hold model, exponential holds, Philox draws, 5 M
 * events a run, medians of 5 interleaved runs against the bare C binary heap of 16-byte
 * entries built in the same program; 2 December 2026, load average 2.8 on 2 cores, so wall
 * times are inflated and CPU times indicative; the calendar's design and the measurements
 * that chose it are in engine.c):
 *
 *   ns per event              pending:  1,000   100,000   1,000,000   1M / 1k
 *   engine, wall                        116.9     166.2       238.4     2.04x
 *   bare binary heap, wall              135.5     227.0       394.9     2.91x
 *   engine, CPU                          78.2     110.3       164.1     2.10x
 *   bare binary heap, CPU                92.8     153.9       268.6     2.89x
 *   engine / bare heap (wall, CPU)  0.86, 0.84  0.73, 0.72  0.60, 0.61
 *
 * Goals (issue 15): 1 M pending at most 3 times the 1,000 cost, and at least as fast as
 * the bare heap at every size: both met. `capsim run` on M/M/10 with a million customers
 * (scripts/bench_mm10; the queue model on its own calendar beside the runner's events):
 * 636 instructions a customer against 615 for a bare C + GSL loop (1.03x), 9.7 M
 * customers/s wall at load 2.2 (docs/performance.md).
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_engine sim_engine;

/* An event handler. `ctx` and `arg` are what was given to sim_schedule_at. */
typedef void (*sim_handler)(sim_engine *engine, void *ctx, uint64_t arg);

/* Identifies a scheduled event; 0 is never a valid id. */
typedef uint64_t sim_event_id;

/* A new engine at time 0 with room for `capacity_hint` pending events; NULL if out of memory. */
sim_engine *sim_engine_alloc(size_t capacity_hint);

/* Free the engine; NULL is a no-op. */
void sim_engine_free(sim_engine *engine);

/* Drop every pending event and set the clock back to 0 (the storage is kept for reuse). */
void sim_engine_reset(sim_engine *engine);

/*
 * The current simulation time in days. Inline: handlers read it once or more per event. The
 * clock is the first member of struct sim_engine (engine.c), and a pointer to a structure
 * converted to a pointer to its first member's type points to that member (C11 6.7.2.1).
 */
static inline double sim_now(const sim_engine *engine)
{
    return *(const double *)(const void *)engine;
}

/*
 * Schedule `fn(engine, ctx, arg)` at absolute `time` (>= now, finite). Returns the event's
 * id, or 0 if out of memory or the time is invalid (earlier than now or not finite); a
 * refused schedule also sets the engine's first error and stops the run.
 */
sim_event_id sim_schedule_at(sim_engine *engine, double time, sim_handler fn, void *ctx,
                             uint64_t arg);

/* Event classes (0 .. SIM_EVENT_CLASSES - 1): at equal times, lower classes fire first. */
enum {
    SIM_EVENT_CLASSES = 16,
    SIM_CLASS_SNAPSHOT = 1,
    SIM_CLASS_CAPACITY = 4,
    SIM_CLASS_DEFAULT = 8,
    SIM_CLASS_LATE = 12
};

/* sim_schedule_at in class `cls` (< SIM_EVENT_CLASSES; otherwise 0 is returned). */
sim_event_id sim_schedule_at_class(sim_engine *engine, double time, unsigned cls,
                                   sim_handler fn, void *ctx, uint64_t arg);

/* Schedule `delay` days from now (delay >= 0). Same contract as sim_schedule_at. */
sim_event_id sim_schedule_in(sim_engine *engine, double delay, sim_handler fn, void *ctx,
                             uint64_t arg);

/*
 * A prefetcher for the events of handler `fn`. Before it runs an event, the run loop calls
 * `pf(ctx, arg, 1)` with the ctx and arg of the event most likely to run next (the earlier
 * child of the running event's entry) and `pf(ctx, arg, 2)` with those of the one most
 * likely to run after it, so that the memory those events will read can be loading while
 * this one runs: an event announced with ahead = 2 is announced again with ahead = 1 a
 * turn later, when what was prefetched for it the first time (say, an entity's record) is
 * in cache and can be read to prefetch what it points to. A hint: `pf` must not change any
 * state a model can see (it reads and issues __builtin_prefetch, nothing else), and it may
 * be called for an event that then runs later or not at all (cancelled). At most
 * SIM_PREFETCHERS handlers; setting one for a handler that has one replaces it, and a NULL
 * `pf` removes it. SIM_OK, or SIM_ENOMEM when all are in use. sim_engine_reset drops them.
 */
enum { SIM_PREFETCHERS = 4 };
typedef void (*sim_prefetcher)(const void *ctx, uint64_t arg, unsigned ahead);
int sim_set_prefetcher(sim_engine *engine, sim_handler fn, sim_prefetcher pf);

/* Cancel a pending event. SIM_OK, or SIM_ESTATE if it already fired or was cancelled. */
int sim_cancel(sim_engine *engine, sim_event_id id);

/*
 * Run events in (time, sequence) order while the next one is at time <= t_end and
 * sim_stop has not been called; then set the clock to t_end (unless stopped earlier).
 * Returns SIM_OK, SIM_EINVAL (and runs nothing) if t_end is NaN or earlier than now, or the
 * engine's first error (sim_engine_fail) if one was recorded.
 * With t_end = INFINITY it runs until no event is pending and leaves the clock at the time
 * of the last event. Not reentrant: a handler must not call sim_run_until.
 */
int sim_run_until(sim_engine *engine, double t_end);

/*
 * Ask sim_run_until to return after the handler that is running now; the clock stays at
 * that event's time. The request is forgotten when sim_run_until is next called.
 */
void sim_stop(sim_engine *engine);

/*
 * The first-error flag. sim_engine_fail records the first failure (code and message; later
 * calls are ignored) and stops the run after the running handler: sim_run_until returns
 * the code, now and on every later call. A refused schedule (an invalid time, or out of
 * memory) records itself the same way, so a handler that ignores sim_schedule_at's result
 * cannot silently lose a stream of events.
 */
void sim_engine_fail(sim_engine *engine, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sim_engine_error(const sim_engine *engine);               /* 0 if none */
const char *sim_engine_error_message(const sim_engine *engine); /* "" if none */

/* Number of events whose handlers have run since alloc or reset. */
uint64_t sim_events_executed(const sim_engine *engine);

/* Number of pending (scheduled, not cancelled, not fired) events. */
size_t sim_events_pending(const sim_engine *engine);

/*
 * Internal, for tests: set the next insertion sequence number, so a test can reach the
 * point where sequences run out (after 2^32 schedules) and the engine renumbers them.
 */
void sim__engine_set_sequence(sim_engine *engine, uint64_t seq);

/*
 * Internal, for tests: the number of events in the heap above which the calendar moves its
 * later events into buckets (4096 by default), so small tests can exercise that tier.
 */
void sim__engine_set_far_threshold(sim_engine *engine, size_t n);

/* Internal, for tests: how many pending entries are in buckets rather than in the heap. */
size_t sim__engine_far_entries(const sim_engine *engine);

#endif
