/*
 * tests/test_engine.c: the event calendar and the run loop.
 */
#include "testutil.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"

/* Records (time, arg) of each event that fires. */
typedef struct log {
    size_t n;
    double time[4096];
    uint64_t arg[4096];
} log_t;

static void record(sim_engine *e, void *ctx, uint64_t arg)
{
    log_t *l = ctx;
    assert_true(l->n < 4096);
    l->time[l->n] = sim_now(e);
    l->arg[l->n++] = arg;
}

static void test_order_by_time(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    const double times[] = {5.0, 1.0, 3.5, 0.25, 2.0, 10.0, 0.0};
    for (uint64_t i = 0; i < 7; i++)
        assert_true(sim_schedule_at(e, times[i], record, l, i) != 0);
    assert_int_equal(sim_events_pending(e), 7);
    assert_int_equal(sim_run_until(e, 100.0), SIM_OK);
    assert_int_equal(l->n, 7);
    const uint64_t expect[] = {6, 3, 1, 4, 2, 0, 5};
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(l->arg[i], expect[i]);
        assert_true(l->time[i] == times[expect[i]]);
    }
    assert_int_equal(sim_events_executed(e), 7);
    assert_int_equal(sim_events_pending(e), 0);
    free(l);
    sim_engine_free(e);
}

/* Many random times, with many ties: the firing order is (time, scheduling order). */
static void test_ties_fire_in_scheduling_order(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(4);
    log_t *l = calloc(1, sizeof *l);
    srand(12345);
    const size_t n = 3000;
    double *t = malloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i] = (double)(rand() % 20); /* about 150 events per distinct time */
        assert_true(sim_schedule_at(e, t[i], record, l, i) != 0);
    }
    sim_run_until(e, INFINITY);
    assert_int_equal(l->n, n);
    for (size_t i = 1; i < n; i++) {
        assert_true(l->time[i - 1] <= l->time[i]);
        if (l->time[i - 1] == l->time[i])
            assert_true(l->arg[i - 1] < l->arg[i]);
    }
    for (size_t i = 0; i < n; i++)
        assert_true(l->time[i] == t[l->arg[i]]);
    free(t);
    free(l);
    sim_engine_free(e);
}

/* An event scheduled by a handler at the current time runs after those already due then. */
static void chain(sim_engine *e, void *ctx, uint64_t arg)
{
    record(e, ctx, arg);
    if (arg == 1)
        sim_schedule_in(e, 0.0, record, ctx, 99);
}

static void test_zero_delay_from_handler(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim_schedule_at(e, 1.0, chain, l, 1);
    sim_schedule_at(e, 1.0, chain, l, 2);
    sim_schedule_at(e, 2.0, chain, l, 3);
    sim_run_until(e, 5.0);
    assert_int_equal(l->n, 4);
    assert_int_equal(l->arg[0], 1);
    assert_int_equal(l->arg[1], 2);
    assert_int_equal(l->arg[2], 99);
    assert_true(l->time[2] == 1.0);
    assert_int_equal(l->arg[3], 3);
    free(l);
    sim_engine_free(e);
}

static void test_cancel(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim_event_id a = sim_schedule_at(e, 1.0, record, l, 1);
    sim_event_id b = sim_schedule_at(e, 2.0, record, l, 2);
    sim_event_id c = sim_schedule_at(e, 3.0, record, l, 3);
    assert_true(a && b && c && a != b && b != c);
    assert_int_equal(sim_events_pending(e), 3);
    assert_int_equal(sim_cancel(e, b), SIM_OK);
    assert_int_equal(sim_events_pending(e), 2);
    assert_int_equal(sim_cancel(e, b), SIM_ESTATE);
    assert_int_equal(sim_events_pending(e), 2);
    assert_int_equal(sim_cancel(e, 0), SIM_ESTATE);
    assert_int_equal(sim_cancel(e, UINT64_MAX), SIM_ESTATE);
    sim_run_until(e, 10.0);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->arg[0], 1);
    assert_int_equal(l->arg[1], 3);
    assert_int_equal(sim_events_executed(e), 2);
    /* Fired events cannot be cancelled, and their ids are not handed out again. */
    assert_int_equal(sim_cancel(e, a), SIM_ESTATE);
    sim_event_id d = sim_schedule_at(e, 11.0, record, l, 4);
    assert_true(d != a && d != b && d != c);
    assert_int_equal(sim_cancel(e, a), SIM_ESTATE);
    assert_int_equal(sim_events_pending(e), 1);
    assert_int_equal(sim_cancel(e, d), SIM_OK);
    assert_int_equal(sim_events_pending(e), 0);
    sim_run_until(e, 20.0);
    assert_int_equal(l->n, 2);
    free(l);
    sim_engine_free(e);
}

/* Heavy cancellation (timeouts): counts stay exact through purges, survivors fire in order. */
static void test_cancel_many(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    const size_t n = 20000;
    sim_event_id *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = sim_schedule_at(e, (double)(n - i), record, l, i);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 10 == 3) {
            kept++;
            continue;
        }
        assert_int_equal(sim_cancel(e, ids[i]), SIM_OK);
    }
    assert_int_equal(sim_events_pending(e), kept);
    for (size_t i = 0; i < n; i++)
        if (i % 10 != 3)
            assert_int_equal(sim_cancel(e, ids[i]), SIM_ESTATE);
    sim_run_until(e, INFINITY);
    assert_int_equal(l->n, kept);
    for (size_t k = 0; k < kept; k++) {
        assert_int_equal(l->arg[k] % 10, 3);
        if (k)
            assert_true(l->time[k - 1] < l->time[k]);
    }
    assert_int_equal(sim_events_pending(e), 0);
    free(ids);
    free(l);
    sim_engine_free(e);
}

typedef struct self_cancel {
    sim_event_id own, other;
    int own_rc, other_rc;
    int fired;
} self_cancel;

static void cancel_from_handler(sim_engine *e, void *ctx, uint64_t arg)
{
    self_cancel *s = ctx;
    if (arg == 1) {
        s->own_rc = sim_cancel(e, s->own);
        s->other_rc = sim_cancel(e, s->other);
    }
    s->fired++;
}

static void test_cancel_from_handler(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    self_cancel s = {0};
    s.own = sim_schedule_at(e, 1.0, cancel_from_handler, &s, 1);
    s.other = sim_schedule_at(e, 1.0, cancel_from_handler, &s, 2);
    sim_run_until(e, 2.0);
    assert_int_equal(s.own_rc, SIM_ESTATE); /* it is running: no longer pending */
    assert_int_equal(s.other_rc, SIM_OK);
    assert_int_equal(s.fired, 1);
    sim_engine_free(e);
}

static void test_run_until_boundary(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim_schedule_at(e, 1.0, record, l, 1);
    sim_schedule_at(e, 5.0, record, l, 5);
    sim_schedule_at(e, nextafter(5.0, INFINITY), record, l, 6);
    assert_int_equal(sim_run_until(e, 5.0), SIM_OK);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->arg[1], 5);
    assert_true(sim_now(e) == 5.0);
    assert_int_equal(sim_events_pending(e), 1);
    /* The clock ends at t_end even when nothing is due before it. */
    assert_int_equal(sim_run_until(e, 5.0), SIM_OK);
    assert_int_equal(l->n, 2);
    sim_engine *empty = sim_engine_alloc(0);
    assert_int_equal(sim_run_until(empty, 7.5), SIM_OK);
    assert_true(sim_now(empty) == 7.5);
    /* Going back in time or NaN is refused and changes nothing. */
    assert_int_equal(sim_run_until(empty, 7.0), SIM_EINVAL);
    assert_int_equal(sim_run_until(empty, NAN), SIM_EINVAL);
    assert_true(sim_now(empty) == 7.5);
    assert_int_equal(sim_run_until(e, 6.0), SIM_OK);
    assert_int_equal(l->n, 3);
    assert_true(sim_now(e) == 6.0);
    sim_engine_free(empty);
    free(l);
    sim_engine_free(e);
}

static void test_invalid_times(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim_run_until(e, 3.0);
    assert_int_equal(sim_schedule_at(e, 2.0, record, l, 0), 0);
    assert_int_equal(sim_schedule_at(e, NAN, record, l, 0), 0);
    assert_int_equal(sim_schedule_at(e, INFINITY, record, l, 0), 0);
    assert_int_equal(sim_schedule_in(e, -1.0, record, l, 0), 0);
    assert_int_equal(sim_schedule_in(e, NAN, record, l, 0), 0);
    assert_int_equal(sim_events_pending(e), 0);
    assert_true(sim_schedule_at(e, 3.0, record, l, 0) != 0);
    assert_true(sim_schedule_in(e, 0.0, record, l, 0) != 0);
    assert_int_equal(sim_events_pending(e), 2);
    free(l);
    sim_engine_free(e);
}

static void stopper(sim_engine *e, void *ctx, uint64_t arg)
{
    record(e, ctx, arg);
    if (arg == 2)
        sim_stop(e);
}

static void test_stop(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    for (uint64_t i = 1; i <= 4; i++)
        sim_schedule_at(e, (double)i, stopper, l, i);
    sim_schedule_at(e, 2.0, stopper, l, 20); /* same time as the stopping event, later */
    assert_int_equal(sim_run_until(e, 10.0), SIM_OK);
    assert_int_equal(l->n, 2);
    assert_true(sim_now(e) == 2.0);
    assert_int_equal(sim_events_pending(e), 3);
    /* The next run carries on where the stop left off. */
    assert_int_equal(sim_run_until(e, 10.0), SIM_OK);
    assert_int_equal(l->n, 5);
    assert_int_equal(l->arg[2], 20);
    assert_int_equal(l->arg[4], 4);
    assert_true(sim_now(e) == 10.0);
    free(l);
    sim_engine_free(e);
}

static void test_reset(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim_event_id a = sim_schedule_at(e, 1.0, record, l, 1);
    sim_schedule_at(e, 2.0, record, l, 2);
    sim_run_until(e, 1.5);
    sim_event_id b = sim_schedule_at(e, 3.0, record, l, 3);
    sim_engine_reset(e);
    assert_true(sim_now(e) == 0.0);
    assert_int_equal(sim_events_pending(e), 0);
    assert_int_equal(sim_events_executed(e), 0);
    assert_int_equal(sim_cancel(e, b), SIM_ESTATE);
    sim_event_id c = sim_schedule_at(e, 0.5, record, l, 7);
    assert_true(c != a && c != b);
    sim_run_until(e, 10.0);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->arg[1], 7);
    assert_int_equal(sim_events_executed(e), 1);
    free(l);
    sim_engine_free(e);
}

/* When sequences run out the engine renumbers them; order and ties are kept. */
static void test_sequence_renumbering(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    sim__engine_set_sequence(e, (UINT64_C(1) << 32) - 5);
    for (uint64_t i = 0; i < 40; i++)
        assert_true(sim_schedule_at(e, (double)(i % 4), record, l, i) != 0);
    sim_run_until(e, 10.0);
    assert_int_equal(l->n, 40);
    for (size_t k = 0; k < 40; k++)
        assert_int_equal(l->arg[k], (k / 10) + 4 * (k % 10));
    free(l);
    sim_engine_free(e);
}

/*
 * Same-time events fire by class, then in scheduling order, whatever order the classes were
 * scheduled in; renumbering keeps the classes.
 */
static void test_event_classes(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    assert_true(sim_schedule_at_class(e, 1.0, SIM_CLASS_LATE, record, l, 5) != 0);
    assert_true(sim_schedule_at(e, 1.0, record, l, 3) != 0);
    assert_true(sim_schedule_at_class(e, 1.0, SIM_CLASS_SNAPSHOT, record, l, 1) != 0);
    assert_true(sim_schedule_at_class(e, 1.0, SIM_CLASS_CAPACITY, record, l, 2) != 0);
    assert_true(sim_schedule_at(e, 1.0, record, l, 4) != 0);
    assert_true(sim_schedule_at(e, 0.5, record, l, 0) != 0);
    sim__engine_set_sequence(e, (UINT64_C(1) << 32) - 1);
    assert_true(sim_schedule_at_class(e, 1.0, SIM_CLASS_SNAPSHOT, record, l, 1) != 0);
    assert_true(sim_schedule_at_class(e, 1.0, 0, record, l, 0) != 0);
    sim_run_until(e, 10.0);
    static const uint64_t want[] = {0, 0, 1, 1, 2, 3, 4, 5};
    assert_int_equal(l->n, 8);
    for (size_t k = 0; k < 8; k++)
        assert_int_equal(l->arg[k], want[k]);
    free(l);
    sim_engine_free(e);
}

/*
 * The first-error flag: a refused schedule (here a class out of range, then a time in the
 * past) stops the run, and sim_run_until keeps returning the first error and its message.
 */
static void test_first_error(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    assert_true(sim_schedule_at(e, 1.0, record, l, 1) != 0);
    assert_int_equal(sim_engine_error(e), 0);
    assert_string_equal(sim_engine_error_message(e), "");
    assert_int_equal(sim_schedule_at_class(e, 1.0, SIM_EVENT_CLASSES, record, l, 9), 0);
    assert_int_equal(sim_engine_error(e), SIM_EINVAL);
    assert_int_equal(sim_run_until(e, 10.0), SIM_EINVAL);
    assert_int_equal(l->n, 0);
    sim_engine_fail(e, SIM_ENOMEM, "a later failure is ignored");
    assert_int_equal(sim_engine_error(e), SIM_EINVAL);
    assert_string_equal(sim_engine_error_message(e), "an event was scheduled at time 1 (now 0)");
    sim_engine_reset(e);
    assert_int_equal(sim_engine_error(e), 0);
    assert_true(sim_schedule_at(e, 2.0, record, l, 2) != 0);
    assert_int_equal(sim_run_until(e, 10.0), SIM_OK);
    assert_int_equal(l->n, 1);
    free(l);
    sim_engine_free(e);
}

/* The hold model against a sorted reference: every event fires once, in time order. */
typedef struct hold {
    double last;
    uint64_t count, limit;
    int out_of_order;
} hold;

static void hold_step(sim_engine *e, void *ctx, uint64_t arg)
{
    hold *h = ctx;
    if (sim_now(e) < h->last)
        h->out_of_order++;
    h->last = sim_now(e);
    if (++h->count < h->limit)
        sim_schedule_in(e, (double)((arg * 2654435761u + h->count) % 1000) / 100.0, hold_step, h,
                        arg);
}

static void test_hold_model(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(1);
    hold h = {0, 0, 200000, 0};
    for (uint64_t i = 0; i < 5000; i++)
        sim_schedule_at(e, (double)(i % 97) / 10.0, hold_step, &h, i);
    sim_run_until(e, INFINITY);
    assert_int_equal(h.out_of_order, 0);
    assert_int_equal(sim_events_pending(e), 0);
    assert_int_equal(sim_events_executed(e), 200000 + 4999);
    assert_true(sim_now(e) == h.last);
    sim_engine_free(e);
}

/*
 * The calendar against its contract under load: events fire in (time, class, scheduling
 * order), each exactly once unless cancelled, while handlers schedule more (continuous
 * delays, ties on a grid, zero delays, far-future outliers, every class) and cancel others.
 * With a low far-tier threshold (or enough events) most entries sit in buckets, so the
 * bucket tier, its layouts, refills, growth, purges and renumbering are all exercised.
 */
typedef struct ord {
    size_t n, cap, budget, fired, far_max;
    double *time;
    unsigned char *cls, *st; /* st: 0 pending, 1 fired, 2 cancelled */
    sim_event_id *id;
    uint64_t rng;
    int mode; /* 0 mixed delays, 1 all at one time */
    int bad;
    double last_t;
    unsigned last_c;
    size_t last_i;
    bool have_last;
} ord;

static uint64_t ord_rand(ord *o)
{
    o->rng ^= o->rng << 13;
    o->rng ^= o->rng >> 7;
    o->rng ^= o->rng << 17;
    return o->rng;
}

static double ord_unit(ord *o)
{
    return (double)(ord_rand(o) >> 11) * 0x1p-53;
}

static void ord_fire(sim_engine *e, void *ctx, uint64_t arg);

/*
 * Schedule at t in a random class of at least min_cls: an event scheduled for the current
 * time in a lower class than the one firing would rightly fire next, out of the sorted
 * order this harness checks, so same-time events take a class no lower than the current.
 */
static void ord_schedule(sim_engine *e, ord *o, double t, unsigned min_cls)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 1024;
        o->time = realloc(o->time, o->cap * sizeof *o->time);
        o->cls = realloc(o->cls, o->cap);
        o->st = realloc(o->st, o->cap);
        o->id = realloc(o->id, o->cap * sizeof *o->id);
        assert_non_null(o->time);
        assert_non_null(o->cls);
        assert_non_null(o->st);
        assert_non_null(o->id);
    }
    size_t i = o->n++;
    unsigned c = min_cls + (unsigned)(ord_rand(o) % (SIM_EVENT_CLASSES - min_cls));
    o->time[i] = t;
    o->cls[i] = (unsigned char)c;
    o->st[i] = 0;
    o->id[i] = sim_schedule_at_class(e, t, c, ord_fire, o, i);
    assert_true(o->id[i] != 0);
}

static double ord_delay(ord *o)
{
    if (o->mode == 1)
        return 0;
    uint64_t k = ord_rand(o) % 100;
    if (k < 10)
        return 0;                                  /* same time */
    if (k < 40)
        return 0.5 * (double)(ord_rand(o) % 8);    /* ties on a grid */
    if (k < 42)
        return 1000 + 1000 * ord_unit(o);          /* far future */
    return -log1p(-ord_unit(o));                   /* exponential, mean 1 */
}

static void ord_fire(sim_engine *e, void *ctx, uint64_t i)
{
    ord *o = ctx;
    if (o->st[i] != 0 || sim_now(e) != o->time[i])
        o->bad++;
    o->st[i] = 1;
    o->fired++;
    if (o->have_last) {
        bool after = o->time[i] > o->last_t ||
                     (o->time[i] == o->last_t &&
                      (o->cls[i] > o->last_c || (o->cls[i] == o->last_c && i > o->last_i)));
        if (!after)
            o->bad++;
    }
    o->have_last = true;
    o->last_t = o->time[i];
    o->last_c = o->cls[i];
    o->last_i = i;
    size_t far = sim__engine_far_entries(e);
    if (far > o->far_max)
        o->far_max = far;
    /* About 1.1 new events per event while the budget lasts, and a cancel now and then. */
    int k = ord_rand(o) % 10 == 0 ? 2 : 1;
    for (int j = 0; j < k && o->n < o->budget; j++)
    {
        double d = ord_delay(o);
        ord_schedule(e, o, sim_now(e) + d, d == 0 ? o->cls[i] : 0);
    }
    if (ord_rand(o) % 8 == 0 && o->n > 0) {
        size_t victim = ord_rand(o) % o->n;
        int rc = sim_cancel(e, o->id[victim]);
        if (rc != (o->st[victim] == 0 ? SIM_OK : SIM_ESTATE))
            o->bad++;
        if (o->st[victim] == 0)
            o->st[victim] = 2;
    }
}

static void ord_check_done(sim_engine *e, ord *o)
{
    assert_int_equal(o->bad, 0);
    assert_int_equal(sim_events_pending(e), 0);
    assert_int_equal(sim__engine_far_entries(e), 0);
    size_t cancelled = 0;
    for (size_t i = 0; i < o->n; i++) {
        assert_true(o->st[i] != 0);
        cancelled += o->st[i] == 2;
    }
    assert_int_equal(o->fired + cancelled, o->n);
}

static void ord_free(ord *o)
{
    free(o->time);
    free(o->cls);
    free(o->st);
    free(o->id);
}

static void run_order_case(size_t threshold, size_t initial, size_t budget, int mode,
                           uint64_t seed, size_t expect_far_at_least)
{
    sim_engine *e = sim_engine_alloc(0);
    if (threshold)
        sim__engine_set_far_threshold(e, threshold);
    ord o = {.budget = budget, .rng = seed, .mode = mode};
    for (size_t i = 0; i < initial; i++)
        ord_schedule(e, &o, mode == 1 ? 5.0 : 3 * ord_unit(&o), 0);
    sim_run_until(e, INFINITY);
    ord_check_done(e, &o);
    if (o.far_max < expect_far_at_least)
        fail_msg("at most %zu entries were in buckets, expected at least %zu", o.far_max,
                 expect_far_at_least);
    ord_free(&o);
    sim_engine_free(e);
}

static void test_far_tier_order(void **state)
{
    (void)state;
    /* A low threshold: the tier turns on and off many times over small calendars. */
    run_order_case(16, 300, 40000, 0, 88172645463325252u, 100);
    /* The default threshold, with tens of thousands pending. */
    run_order_case(0, 30000, 150000, 0, 1234567u, 20000);
    /* All at one time: no spread to bucket by, so the heap keeps everything. */
    run_order_case(16, 6000, 6000, 1, 42u, 0);
}

/* Reset, renumbering and purging while most entries are in buckets. */
static void test_far_tier_reset_renumber_purge(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    sim__engine_set_far_threshold(e, 64);
    ord o = {.budget = 20000, .rng = 99u};
    for (size_t i = 0; i < 5000; i++)
        ord_schedule(e, &o, 10 * ord_unit(&o), 0);
    assert_true(sim__engine_far_entries(e) > 4000);
    /* Reset: nothing pending, old ids dead. */
    sim_run_until(e, 1.0);
    assert_int_equal(o.bad, 0);
    sim_engine_reset(e);
    assert_int_equal(sim_events_pending(e), 0);
    assert_int_equal(sim__engine_far_entries(e), 0);
    for (size_t i = 0; i < o.n; i++)
        assert_int_equal(sim_cancel(e, o.id[i]), SIM_ESTATE);
    ord_free(&o);

    /* Renumbering: sequences run out while the tier holds most entries. */
    o = (ord){.budget = 30000, .rng = 7u};
    for (size_t i = 0; i < 5000; i++)
        ord_schedule(e, &o, 10 * ord_unit(&o), 0);
    assert_true(sim__engine_far_entries(e) > 4000);
    sim__engine_set_sequence(e, (UINT64_C(1) << 32) - 2000);
    sim_run_until(e, INFINITY);
    ord_check_done(e, &o);
    ord_free(&o);

    /* Purge: cancel most of the entries (more than 1024 and more than stay live). */
    sim_engine_reset(e);
    o = (ord){.budget = 8000, .rng = 5u};
    for (size_t i = 0; i < 8000; i++)
        ord_schedule(e, &o, 10 * ord_unit(&o), 0);
    size_t far_before = sim__engine_far_entries(e);
    assert_true(far_before > 6000);
    for (size_t i = 0; i < 8000; i += 8)
        for (size_t j = i; j < i + 7; j++) {
            assert_int_equal(sim_cancel(e, o.id[j]), SIM_OK);
            o.st[j] = 2;
        }
    /* The purge dropped the cancelled entries from the buckets. */
    assert_int_equal(sim_events_pending(e), 1000);
    assert_true(sim__engine_far_entries(e) < far_before / 2);
    sim_run_until(e, INFINITY);
    ord_check_done(e, &o);
    ord_free(&o);
    sim_engine_free(e);
}

/* Prefetchers: each event is announced to its handler's prefetcher while the event before
 * it runs, and while the one before that runs (ahead = 1 and 2, with its own ctx and arg);
 * other handlers' events are not announced, and the order of events is the same with or
 * without a prefetcher. */
static log_t announced, announced2;

static void note(const void *ctx, uint64_t arg, unsigned ahead)
{
    (void)ctx;
    log_t *l = ahead == 1 ? &announced : &announced2;
    assert_true(ahead == 1 || ahead == 2);
    assert_true(l->n < 4096);
    l->arg[l->n++] = arg;
}

static void note_other(const void *ctx, uint64_t arg, unsigned ahead)
{
    (void)ctx;
    (void)arg;
    (void)ahead;
    fail_msg("a replaced prefetcher was called");
}

static void quiet(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)ctx;
    (void)arg;
}

static void quiet_a(sim_engine *e, void *ctx, uint64_t arg) { quiet(e, ctx, arg); }
static void quiet_b(sim_engine *e, void *ctx, uint64_t arg) { quiet(e, ctx, arg); }
static void quiet_c(sim_engine *e, void *ctx, uint64_t arg) { quiet(e, ctx, arg); }

static void test_prefetcher(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    log_t *l = calloc(1, sizeof *l);
    announced.n = announced2.n = 0;
    assert_int_equal(sim_set_prefetcher(e, record, note_other), SIM_OK);
    assert_int_equal(sim_set_prefetcher(e, record, note), SIM_OK); /* replaces */
    /* Ten events of `record` at 1 ... 10 (args 0 ... 9) and one of `quiet` at 4.5. */
    for (uint64_t i = 0; i < 10; i++)
        assert_true(sim_schedule_at(e, 1.0 + (double)i, record, l, i) != 0);
    assert_true(sim_schedule_at(e, 4.5, quiet, l, 99) != 0);
    assert_int_equal(sim_run_until(e, INFINITY), SIM_OK);
    assert_int_equal(l->n, 10);
    for (uint64_t i = 0; i < 10; i++)
        assert_int_equal(l->arg[i], i);
    /* Announced while its predecessor ran, and only while two more were pending behind the
     * running one: args 1 ... 8, with quiet's event (between 3 and 4) not announced (so
     * nothing was announced as next while 3 ran); and two ahead, args 2 ... 9 (nothing
     * while 2 ran, when quiet's event was two ahead). */
    assert_int_equal(announced.n, 8);
    for (uint64_t i = 0; i < 8; i++)
        assert_int_equal(announced.arg[i], i + 1);
    const uint64_t two[] = {2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(announced2.n, sizeof two / sizeof two[0]);
    for (size_t i = 0; i < announced2.n; i++)
        assert_int_equal(announced2.arg[i], two[i]);
    /* Four handlers at most; removing one frees its place; reset drops them all. */
    sim_handler more[] = {quiet, quiet_a, quiet_b, quiet_c};
    for (int k = 0; k < 3; k++)
        assert_int_equal(sim_set_prefetcher(e, more[k], note), SIM_OK);
    assert_int_equal(sim_set_prefetcher(e, more[3], note), SIM_ENOMEM);
    assert_int_equal(sim_set_prefetcher(e, quiet, NULL), SIM_OK);
    assert_int_equal(sim_set_prefetcher(e, more[3], note), SIM_OK);
    sim_engine_reset(e);
    announced.n = announced2.n = 0;
    l->n = 0;
    for (uint64_t i = 0; i < 5; i++)
        assert_true(sim_schedule_at(e, 1.0 + (double)i, record, l, i) != 0);
    assert_int_equal(sim_run_until(e, INFINITY), SIM_OK);
    assert_int_equal(l->n, 5);
    assert_int_equal(announced.n + announced2.n, 0);
    free(l);
    sim_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_by_time),
        cmocka_unit_test(test_ties_fire_in_scheduling_order),
        cmocka_unit_test(test_zero_delay_from_handler),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cancel_many),
        cmocka_unit_test(test_cancel_from_handler),
        cmocka_unit_test(test_run_until_boundary),
        cmocka_unit_test(test_invalid_times),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_sequence_renumbering),
        cmocka_unit_test(test_event_classes),
        cmocka_unit_test(test_first_error),
        cmocka_unit_test(test_hold_model),
        cmocka_unit_test(test_far_tier_order),
        cmocka_unit_test(test_far_tier_reset_renumber_purge),
        cmocka_unit_test(test_prefetcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
