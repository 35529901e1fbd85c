/*
 * tests/test_engine.c: the event calendar and the run loop.
 */
#include "testutil.h"

#include <math.h>
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
