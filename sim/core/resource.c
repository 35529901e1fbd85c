/*
 * sim/core/resource.c: servers with a scheduled capacity and a priority queue of requests.
 *
 * The queue is a binary min-heap of requests keyed by (priority, arrival sequence), so
 * equal priorities are served first come, first served. While every waiting request has
 * the same priority (always, in a single-class queue) the same array is used as a ring in
 * arrival order instead, which is that order without the heap's work; a request of another
 * priority turns the ring into the heap (a sorted array is one) until the queue empties. A request that finds the queue
 * empty and a server free is granted at once without touching the heap: the fast path of
 * a queueing model below saturation.
 *
 * A scheduled resource keeps one pending event on the engine, at the next hour boundary
 * where its capacity changes; the event's argument is the absolute hour index of that
 * boundary, so the capacity is looked up by integer hour and never by a floating time that
 * might round to the hour before. Capacity is computed here from the calendar's public
 * fields (start weekday, sorted holiday table), so this file does not call calendar.c.
 */
#include "resource.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "stats.h"

#define HOURS_PER_WEEK 168
#define SEARCH_HOURS (2 * 366 * 24)

typedef sim__request request;

void sim_schedule_constant(sim_schedule *s, int capacity)
{
    for (int h = 0; h < HOURS_PER_WEEK; h++)
        s->capacity[h] = capacity;
    s->holiday_capacity = -1;
}

bool sim_schedule_is_constant(const sim_schedule *s)
{
    for (int h = 1; h < HOURS_PER_WEEK; h++)
        if (s->capacity[h] != s->capacity[0])
            return false;
    return s->holiday_capacity < 0 || s->holiday_capacity == s->capacity[0];
}

/* Floor division for possibly negative hour indices. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The hour index k with k / 24.0 <= t < (k + 1) / 24.0, consistent with event times k / 24.0. */
static int64_t hour_index(double t)
{
    int64_t k = (int64_t)floor(t * 24.0);
    while ((double)(k + 1) / 24.0 <= t)
        k++;
    while ((double)k / 24.0 > t)
        k--;
    return k;
}

static bool day_is_holiday(const sim_calendar *cal, int64_t day_index)
{
    if (!cal || cal->n_holidays == 0)
        return false;
    return sim_calendar_epoch_day_is_holiday(cal, cal->start_day + day_index);
}

static bool holidays_after(const sim_calendar *cal, int64_t day_index)
{
    return cal && cal->n_holidays > 0 &&
           cal->holidays[cal->n_holidays - 1] > cal->start_day + day_index;
}

static int capacity_at_hour(const sim_schedule *s, const sim_calendar *cal, int64_t k)
{
    if (s->holiday_capacity >= 0 && day_is_holiday(cal, floor_div(k, 24)))
        return s->holiday_capacity;
    int64_t how = (cal ? (int64_t)cal->start_weekday * 24 : 0) + k;
    how %= HOURS_PER_WEEK;
    if (how < 0)
        how += HOURS_PER_WEEK;
    return s->capacity[how];
}

int sim_schedule_capacity_at(const sim_schedule *s, const sim_calendar *cal, double t)
{
    return capacity_at_hour(s, cal, hour_index(t));
}

/* The hour index of the next change after hour k, or -1 (none within the search). */
static int64_t next_change_hour(const sim_schedule *s, const sim_calendar *cal, int64_t k)
{
    int c = capacity_at_hour(s, cal, k);
    for (int64_t j = k + 1; j <= k + SEARCH_HOURS; j++)
        if (capacity_at_hour(s, cal, j) != c)
            return j;
    return -1;
}

double sim_schedule_next_change(const sim_schedule *s, const sim_calendar *cal, double t)
{
    int64_t k = hour_index(t);
    if (sim_schedule_is_constant(s))
        return INFINITY;
    int64_t j = next_change_hour(s, cal, k);
    if (j >= 0)
        return (double)j / 24.0;
    if (s->holiday_capacity >= 0 && holidays_after(cal, floor_div(k + SEARCH_HOURS, 24)))
        return (double)(k + SEARCH_HOURS) / 24.0;
    return INFINITY;
}

#define level_set sim__level_set

static inline bool request_less(const request *a, const request *b)
{
    return a->priority < b->priority || (a->priority == b->priority && a->seq < b->seq);
}

/* The first-come ring: qhead is its first entry; the capacity is a power of two. */
static inline size_t ring_at(const sim_resource *r, size_t i)
{
    return (r->qhead + i) & (r->qcap - 1);
}

static void reverse(request *v, size_t n)
{
    for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
        request t = v[i];
        v[i] = v[j - 1];
        v[j - 1] = t;
    }
}

/*
 * Move the ring to queue[0..qn) in its order (a left rotation of the whole array by qhead,
 * by three reversals, so nothing is allocated). Sorted, it is also a valid heap.
 */
static void ring_to_linear(sim_resource *r)
{
    if (r->qhead > 0) {
        reverse(r->queue, r->qhead);
        reverse(r->queue + r->qhead, r->qcap - r->qhead);
        reverse(r->queue, r->qcap);
        r->qhead = 0;
    }
}

static void queue_pop(sim_resource *r, request *out)
{
    if (r->fifo) {
        *out = r->queue[r->qhead];
        r->qhead = ring_at(r, 1);
        r->qn--;
        return;
    }
    request *h = r->queue;
    *out = h[0];
    size_t n = --r->qn;
    if (n == 0)
        return;
    request x = h[n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && request_less(&h[c + 1], &h[c]))
            c++;
        if (!request_less(&h[c], &x))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

static int queue_push(sim_resource *r, const request *x)
{
    if (r->qn == 0) {
        /* An empty queue starts as a ring again. */
        r->fifo = true;
        r->qhead = 0;
        r->fifo_priority = x->priority;
    } else if (r->fifo && x->priority != r->fifo_priority) {
        ring_to_linear(r);
        r->fifo = false;
    }
    if (r->qn == r->qcap) {
        ring_to_linear(r); /* so that it can grow by realloc */
        size_t cap = r->qcap ? 2 * r->qcap : 64;
        request *q = realloc(r->queue, cap * sizeof *q);
        if (!q)
            return SIM_ENOMEM;
        r->queue = q;
        r->qcap = cap;
    }
    if (r->fifo) {
        r->queue[ring_at(r, r->qn++)] = *x;
        return SIM_OK;
    }
    size_t i = r->qn++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!request_less(x, &r->queue[p]))
            break;
        r->queue[i] = r->queue[p];
        i = p;
    }
    r->queue[i] = *x;
    return SIM_OK;
}

/*
 * Grant queued requests while servers are free. A grant callback may itself request or
 * release on this resource; the state is consistent before each callback, and a nested
 * dispatch simply takes over the remaining work.
 */
void sim__resource_dispatch(sim_resource *r)
{
    while (r->qn > 0 && r->busy < r->capacity) {
        double now = sim_now(r->engine);
        request q;
        queue_pop(r, &q);
        r->busy++;
        level_set(&r->queue_avg, now, (double)r->qn);
        level_set(&r->busy_avg, now, (double)r->busy);
        q.on_grant(r->engine, q.ctx, q.entity);
    }
}

static void on_capacity_change(sim_engine *engine, void *ctx, uint64_t arg)
{
    sim_resource *r = ctx;
    int64_t k = (int64_t)arg;
    r->change_event = 0;
    r->capacity = capacity_at_hour(&r->schedule, r->cal, k);
    int64_t j = next_change_hour(&r->schedule, r->cal, k);
    if (j < 0 && r->schedule.holiday_capacity >= 0 &&
        holidays_after(r->cal, floor_div(k + SEARCH_HOURS, 24)))
        j = k + SEARCH_HOURS;
    if (j >= 0)
        r->change_event = sim_schedule_at(engine, (double)j / 24.0, on_capacity_change, r,
                                          (uint64_t)j);
    sim__resource_dispatch(r);
}

sim_resource *sim_resource_alloc(sim_engine *engine, const sim_calendar *cal, int capacity,
                                 const sim_schedule *schedule)
{
    if (!engine || (!schedule && capacity < 0))
        return NULL;
    sim_resource *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->engine = engine;
    r->cal = cal;
    double now = sim_now(engine);
    if (schedule && !sim_schedule_is_constant(schedule)) {
        for (int h = 0; h < HOURS_PER_WEEK; h++)
            if (schedule->capacity[h] < 0) {
                free(r);
                return NULL;
            }
        r->schedule = *schedule;
        r->scheduled = true;
        int64_t k = hour_index(now);
        r->capacity = capacity_at_hour(&r->schedule, cal, k);
        int64_t j = next_change_hour(&r->schedule, cal, k);
        if (j < 0 && schedule->holiday_capacity >= 0 &&
            holidays_after(cal, floor_div(k + SEARCH_HOURS, 24)))
            j = k + SEARCH_HOURS;
        if (j >= 0) {
            r->change_event = sim_schedule_at(engine, (double)j / 24.0, on_capacity_change, r,
                                              (uint64_t)j);
            if (!r->change_event) {
                free(r);
                return NULL;
            }
        }
    } else {
        if (schedule)
            capacity = schedule->capacity[0];
        if (capacity < 0) {
            free(r);
            return NULL;
        }
        sim_schedule_constant(&r->schedule, capacity);
        r->capacity = capacity;
    }
    sim_timeavg_init(&r->busy_avg, now, 0.0);
    sim_timeavg_init(&r->queue_avg, now, 0.0);
    return r;
}

void sim_resource_free(sim_resource *r)
{
    if (!r)
        return;
    if (r->change_event)
        sim_cancel(r->engine, r->change_event);
    free(r->queue);
    free(r);
}

int sim__resource_enqueue(sim_resource *r, uint64_t entity, int priority,
                          sim_grant_fn on_grant, void *ctx)
{
    double now = sim_now(r->engine);
    request q = {priority, r->next_seq++, entity, on_grant, ctx};
    int rc = queue_push(r, &q);
    if (rc != SIM_OK)
        return rc;
    level_set(&r->queue_avg, now, (double)r->qn);
    /* Only reachable mid-dispatch (a grant callback requesting again): serve in order. */
    if (r->busy < r->capacity)
        sim__resource_dispatch(r);
    return SIM_OK;
}

size_t sim_resource_queue_length(const sim_resource *r)
{
    return r->qn;
}

int sim_resource_busy(const sim_resource *r)
{
    return r->busy;
}

int sim_resource_capacity(const sim_resource *r)
{
    return r->capacity;
}

double sim_resource_mean_busy(const sim_resource *r)
{
    return sim_timeavg_mean(&r->busy_avg, sim_now(r->engine));
}

double sim_resource_mean_queue(const sim_resource *r)
{
    return sim_timeavg_mean(&r->queue_avg, sim_now(r->engine));
}

void sim_resource_restart_stats(sim_resource *r)
{
    double now = sim_now(r->engine);
    level_set(&r->busy_avg, now, (double)r->busy);
    level_set(&r->queue_avg, now, (double)r->qn);
    sim_timeavg_restart(&r->busy_avg, now);
    sim_timeavg_restart(&r->queue_avg, now);
}
