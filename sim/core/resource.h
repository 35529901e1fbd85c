/*
 * sim/core/resource.h: servers whose number follows a schedule, with a priority queue.
 *
 * A resource has c(t) servers, given by a weekly schedule at hour resolution (opening hours,
 * a rota) with an optional capacity on bank holidays, or a constant. Requests carry a
 * priority (lower is served first) and are served in priority order, then in the order they
 * arrived. Service is not pre-empted: when capacity falls, busy servers finish what they
 * are doing and the resource holds back new grants until busy < c(t).
 *
 * A granted request calls on_grant(engine, ctx, entity) synchronously, from within
 * sim_resource_request (if a server is free) or from the release or capacity change that
 * freed it. The holder calls sim_resource_release when done.
 *
 * Opaque: sim_resource_alloc / sim_resource_free. A scheduled resource keeps a pending
 * capacity-change event on its engine: free the resource before the engine, and do not
 * reset the engine under a live scheduled resource. With a constant capacity (schedule
 * NULL, or a schedule that is the same at every hour) the calendar is never consulted and
 * no events are scheduled.
 */
#ifndef SIM_RESOURCE_H
#define SIM_RESOURCE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "engine.h"
#include "stats.h"

struct sim_node;
struct sim_error;

typedef struct sim_schedule {
    int capacity[168];         /* servers for each hour of week, Monday 00:00 = 0 */
    int holiday_capacity;      /* servers all day on bank holidays; -1 = as the weekday */
} sim_schedule;

/* A schedule with `capacity` at every hour (holiday_capacity -1). */
void sim_schedule_constant(sim_schedule *s, int capacity);

/*
 * Servers at time t under the schedule. Hour k of the run is [k / 24.0, (k + 1) / 24.0);
 * its hour of week comes from cal->start_weekday and its day is a holiday if
 * cal->start_day + floor(k / 24) is in cal->holidays. With cal NULL the run starts on a
 * Monday and has no holidays.
 */
int sim_schedule_capacity_at(const sim_schedule *s, const sim_calendar *cal, double t);

/*
 * The next time after t at which the capacity may change: the next hour boundary where it
 * does, looking up to two years ahead. INFINITY if it never changes again; if the search
 * finds no change but holidays lie further ahead, the end of the search (a time at which
 * the caller should look again).
 */
double sim_schedule_next_change(const sim_schedule *s, const sim_calendar *cal, double t);

/* True if the schedule has the same capacity at every hour, holidays included. */
bool sim_schedule_is_constant(const sim_schedule *s);

/*
 * Read a schedule from a scenario node. Three forms:
 *   servers: 3                      a number: constant capacity
 *   servers:                        a list of shifts (hours whole, "24:00" ends a day;
 *     - {days: [mon, tue, wed, thu, fri], from: "08:00", to: "16:00", servers: 2}
 *                                   a shift with to < from runs past midnight into the
 *                                   next day, and says so with `overnight: true`;
 *                                   shifts add up; `days` may also be one day
 *                                   or `all`)
 *   servers:                        a map with the list under `shifts` and the optional
 *     shifts: [...]                 key `bank_holidays: closed | open | N` (closed = 0
 *     bank_holidays: closed         servers all day, open = as the weekday, N servers)
 * A list of shifts is closed on bank holidays unless its map says otherwise; a number
 * ignores holidays. The node is the value itself (e.g. what sim_node_get(queue, "servers")
 * returns).
 * Errors name the node, e.g. `expected a whole hour "HH:00", got "08:30"`.
 */
int sim_schedule_from_node(const struct sim_node *node, sim_schedule *s, struct sim_error *err);

typedef void (*sim_grant_fn)(sim_engine *engine, void *ctx, uint64_t entity);

typedef struct sim_resource sim_resource;

/*
 * The resource's state is private to resource.c; it is declared here only so that the fast
 * paths of request and release (a free server and an empty queue; no one waiting) can be
 * inlined into the models that run them once per customer. Use the functions below.
 */
typedef struct sim__request {
    int priority;
    uint64_t seq;
    uint64_t entity;
    sim_grant_fn on_grant;
    void *ctx;
} sim__request;

struct sim_resource {
    sim_engine *engine;
    int capacity;
    int busy;
    size_t qn;               /* requests waiting (a binary heap in queue[0..qn)) */
    sim_timeavg busy_avg, queue_avg;
    sim__request *queue;
    size_t qcap;
    size_t qhead;            /* while fifo: queue[] is a ring from qhead, all of fifo_priority */
    bool fifo;
    int fifo_priority;
    uint64_t next_seq;
    const sim_calendar *cal;
    bool scheduled;          /* capacity follows the schedule */
    sim_event_id change_event;
    sim_schedule schedule;
};

/*
 * A resource on `engine`. With `schedule` NULL it has `capacity` servers always; otherwise
 * it follows the schedule (copied) and schedules its own capacity-change events.
 */
sim_resource *sim_resource_alloc(sim_engine *engine, const sim_calendar *cal, int capacity,
                                 const sim_schedule *schedule);
void sim_resource_free(sim_resource *r);

/* Request a server for `entity`. SIM_OK or SIM_ENOMEM. */
static inline int sim_resource_request(sim_resource *r, uint64_t entity, int priority,
                                       sim_grant_fn on_grant, void *ctx);

/* Release one server held by a granted request. */
static inline void sim_resource_release(sim_resource *r);

/* Internal: the slow paths of the two inline functions (resource.c). */
int sim__resource_enqueue(sim_resource *r, uint64_t entity, int priority,
                          sim_grant_fn on_grant, void *ctx);
void sim__resource_dispatch(sim_resource *r);

/* The same update as sim_timeavg_set (stats.c), so the statistics are bit-identical. */
static inline void sim__level_set(sim_timeavg *a, double t, double level)
{
    a->area += a->level * (t - a->last_t);
    a->last_t = t;
    a->level = level;
}

static inline int sim_resource_request(sim_resource *r, uint64_t entity, int priority,
                                       sim_grant_fn on_grant, void *ctx)
{
    if (r->qn == 0 && r->busy < r->capacity) {
        r->busy++;
        sim__level_set(&r->busy_avg, sim_now(r->engine), (double)r->busy);
        on_grant(r->engine, ctx, entity);
        return 0; /* SIM_OK */
    }
    return sim__resource_enqueue(r, entity, priority, on_grant, ctx);
}

static inline void sim_resource_release(sim_resource *r)
{
    assert(r->busy > 0 && "release without a granted request");
    if (r->busy <= 0)
        return;
    r->busy--;
    sim__level_set(&r->busy_avg, sim_now(r->engine), (double)r->busy);
    if (r->qn > 0)
        sim__resource_dispatch(r);
}

size_t sim_resource_queue_length(const sim_resource *r);
int sim_resource_busy(const sim_resource *r);
int sim_resource_capacity(const sim_resource *r);

/*
 * Time-weighted mean of busy servers and of the queue length over [0, now], or over
 * [t_restart, now] after sim_resource_restart_stats.
 */
double sim_resource_mean_busy(const sim_resource *r);
double sim_resource_mean_queue(const sim_resource *r);

/* Restart the time-weighted means at the current time (after a warm-up). */
void sim_resource_restart_stats(sim_resource *r);

#endif
