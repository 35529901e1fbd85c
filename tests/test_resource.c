/*
 * tests/test_resource.c: scheduled servers with a priority queue.
 *
 * The calendars here are built by hand from sim_calendar's public fields (start day,
 * weekday, sorted holiday table), which is all the resource reads.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include "core/engine.h"
#include "core/error.h"
#include "core/resource.h"
#include "scenario/yaml.h"

#include <string.h>

#define HOUR (1.0 / 24.0)

typedef struct world {
    sim_resource *r;
    double service[64];   /* service time of each entity */
    size_t n;
    uint64_t order[64];   /* entities in the order granted */
    double granted_at[64];
} world;

static void release(sim_engine *e, void *ctx, uint64_t entity)
{
    (void)e;
    (void)entity;
    world *w = ctx;
    sim_resource_release(w->r);
}

static void grant(sim_engine *e, void *ctx, uint64_t entity)
{
    world *w = ctx;
    w->order[w->n] = entity;
    w->granted_at[entity] = sim_now(e);
    w->n++;
    assert_true(sim_schedule_in(e, w->service[entity], release, w, entity) != 0);
}

typedef struct arrival {
    world *w;
    int priority[64];
} arrival;

static void arrive(sim_engine *e, void *ctx, uint64_t entity)
{
    (void)e;
    arrival *a = ctx;
    assert_int_equal(sim_resource_request(a->w->r, entity, a->priority[entity], grant, a->w),
                     SIM_OK);
}

static void test_priority_then_fifo(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    world w = {0};
    arrival a = {&w, {0}};
    w.r = sim_resource_alloc(e, NULL, 1, NULL);
    assert_non_null(w.r);
    const int prio[] = {5, 2, 1, 2, 1, 3, 1};
    for (uint64_t i = 0; i < 7; i++) {
        a.priority[i] = prio[i];
        w.service[i] = 1.0;
        sim_schedule_at(e, 0.1 * (double)i, arrive, &a, i);
    }
    sim_run_until(e, 0.65);
    assert_int_equal(sim_resource_queue_length(w.r), 6);
    assert_int_equal(sim_resource_busy(w.r), 1);
    sim_run_until(e, 100.0);
    /* 0 is served at once; then priority 1 in arrival order, then 2, then 3. */
    const uint64_t expect[] = {0, 2, 4, 6, 1, 3, 5};
    assert_int_equal(w.n, 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(w.order[i], expect[i]);
    assert_true(w.granted_at[2] == 1.0);
    assert_true(w.granted_at[5] == 6.0);
    assert_int_equal(sim_resource_busy(w.r), 0);
    sim_resource_free(w.r);
    sim_engine_free(e);
}

/*
 * A long single-priority queue (kept as a ring in arrival order) that wraps round its array,
 * grows while wrapped, and then meets requests of other priorities (it becomes a heap):
 * the grant order against a direct model of the rule, the waiting request with the lowest
 * (priority, arrival) first.
 */
enum { RING_N = 160 };

typedef struct ring_world {
    sim_resource *r;
    int priority[RING_N];
    double arrival[RING_N];
    uint64_t order[RING_N];
    size_t n;
} ring_world;

static void ring_release(sim_engine *e, void *ctx, uint64_t entity)
{
    (void)e;
    (void)entity;
    sim_resource_release(((ring_world *)ctx)->r);
}

static void ring_grant(sim_engine *e, void *ctx, uint64_t entity)
{
    ring_world *w = ctx;
    w->order[w->n++] = entity;
    assert_true(sim_schedule_in(e, 1.0, ring_release, w, entity) != 0);
}

static void ring_arrive(sim_engine *e, void *ctx, uint64_t entity)
{
    (void)e;
    ring_world *w = ctx;
    assert_int_equal(sim_resource_request(w->r, entity, w->priority[entity], ring_grant, w),
                     SIM_OK);
}

static void test_fifo_ring_then_priorities(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    ring_world w = {0};
    w.r = sim_resource_alloc(e, NULL, 1, NULL);
    assert_non_null(w.r);
    /* 60 of priority 2 in [0, 0.6); 90 more at 10.5 (the ring has moved on by 10 and holds
     * 140 then, more than its first 64 places); then 10 of priorities 1 and 3 at 20.5. */
    for (size_t i = 0; i < RING_N; i++) {
        w.arrival[i] = i < 60 ? 0.01 * (double)i : i < 150 ? 10.5 : 20.5;
        w.priority[i] = i < 150 ? 2 : (i % 2 ? 1 : 3);
        assert_true(sim_schedule_at(e, w.arrival[i], ring_arrive, &w, i) != 0);
    }
    sim_run_until(e, 10.75);
    assert_int_equal(sim_resource_queue_length(w.r), 139);
    sim_run_until(e, INFINITY);
    assert_int_equal(w.n, RING_N);
    /* The rule, directly: grant k happens at time k (one server, services of 1). */
    bool done[RING_N] = {false};
    for (size_t k = 0; k < RING_N; k++) {
        size_t best = RING_N;
        for (size_t i = 0; i < RING_N; i++)
            if (!done[i] && w.arrival[i] <= (double)k &&
                (best == RING_N || w.priority[i] < w.priority[best]))
                best = i;
        assert_true(best < RING_N);
        assert_int_equal(w.order[k], best);
        done[best] = true;
    }
    /* The priority-1 arrivals of 20.5 go first from 21 on, the priority-3 ones last. */
    assert_int_equal(w.order[21], 151);
    assert_int_equal(w.order[RING_N - 1], 158);
    sim_resource_free(w.r);
    sim_engine_free(e);
}

/* Busy and queue means worked by hand. */
static void test_queue_stats(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    world w = {0};
    arrival a = {&w, {0}};
    w.r = sim_resource_alloc(e, NULL, 1, NULL);
    /* A at 0 for 2; B at 0.5 for 1 (waits 0.5-2); C at 1 for 1 (waits 1-3). */
    w.service[0] = 2.0;
    w.service[1] = 1.0;
    w.service[2] = 1.0;
    sim_schedule_at(e, 0.0, arrive, &a, 0);
    sim_schedule_at(e, 0.5, arrive, &a, 1);
    sim_schedule_at(e, 1.0, arrive, &a, 2);
    sim_run_until(e, 5.0);
    /* Busy 1 over [0, 4]: 4/5. Queue 1 on [0.5, 1), 2 on [1, 2), 1 on [2, 3): 3.5/5. */
    assert_float_equal(sim_resource_mean_busy(w.r), 0.8, 1e-12);
    assert_float_equal(sim_resource_mean_queue(w.r), 0.7, 1e-12);
    assert_true(w.granted_at[1] == 2.0 && w.granted_at[2] == 3.0);
    /* After a restart at 5 the means cover [5, now] only. */
    sim_resource_restart_stats(w.r);
    sim_run_until(e, 6.0);
    assert_float_equal(sim_resource_mean_busy(w.r), 0.0, 1e-12);
    sim_resource_free(w.r);
    sim_engine_free(e);
}

/* Mon-Fri 08:00-16:00: 2 servers; otherwise none. */
static void weekday_schedule(sim_schedule *s, int holiday_capacity)
{
    sim_schedule_constant(s, 0);
    for (int d = 0; d < 5; d++)
        for (int h = 8; h < 16; h++)
            s->capacity[d * 24 + h] = 2;
    s->holiday_capacity = holiday_capacity;
}

static void test_schedule_lookup(void **state)
{
    (void)state;
    sim_schedule s;
    weekday_schedule(&s, 0);
    sim_calendar monday = {.start_day = 19814, .start_weekday = 0}; /* 2024-04-01, a Monday */
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 0.0), 0);
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 8 * HOUR), 2);
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, nextafter(16 * HOUR, 0)), 2);
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 16 * HOUR), 0);
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 5 + 9 * HOUR), 0); /* Saturday */
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 7 + 9 * HOUR), 2); /* Monday */
    /* The skeleton's name still works through the macro in resource.h. */
    assert_int_equal(sim_schedule_capacity_at(&s, &monday, 8 * HOUR), 2);
    assert_true(sim_schedule_next_change(&s, &monday, 0.0) == 8.0 / 24.0);
    assert_true(sim_schedule_next_change(&s, &monday, 8.0 / 24.0) == 16.0 / 24.0);
    assert_true(sim_schedule_next_change(&s, &monday, 4 + 17 * HOUR) == (7 * 24 + 8) / 24.0);

    /* Starting on a Wednesday shifts the week; t = 3 is a Saturday. */
    sim_calendar wednesday = {.start_day = 19816, .start_weekday = 2};
    assert_int_equal(sim_schedule_capacity_at(&s, &wednesday, 8.5 * HOUR), 2);
    assert_int_equal(sim_schedule_capacity_at(&s, &wednesday, 3 + 9 * HOUR), 0);
    assert_true(sim_schedule_next_change(&s, &wednesday, 2 + 17 * HOUR) == 5 + 8 * HOUR);

    /* Tuesday a holiday: closed all day, so Monday's close leads to Wednesday's opening. */
    int64_t hol[] = {19815};
    sim_calendar cal = {.start_day = 19814, .start_weekday = 0, .holidays = hol,
                        .n_holidays = 1};
    assert_int_equal(sim_schedule_capacity_at(&s, &cal, 1 + 9 * HOUR), 0);
    assert_int_equal(sim_schedule_capacity_at(&s, &cal, 2 + 9 * HOUR), 2);
    assert_true(sim_schedule_next_change(&s, &cal, 16 * HOUR) == (48 + 8) / 24.0);
    s.holiday_capacity = -1; /* open as a weekday */
    assert_int_equal(sim_schedule_capacity_at(&s, &cal, 1 + 9 * HOUR), 2);
    s.holiday_capacity = 1;
    assert_int_equal(sim_schedule_capacity_at(&s, &cal, 1 + 2 * HOUR), 1);

    /* Constant schedules never change; a weekly-constant one with a holiday capacity does. */
    sim_schedule c;
    sim_schedule_constant(&c, 4);
    assert_true(sim_schedule_is_constant(&c));
    assert_true(isinf(sim_schedule_next_change(&c, &cal, 0.0)));
    c.holiday_capacity = 0;
    assert_false(sim_schedule_is_constant(&c));
    assert_true(sim_schedule_next_change(&c, &cal, 0.0) == 1.0);
    assert_true(sim_schedule_next_change(&c, &cal, 1.0) == 2.0);
    assert_true(isinf(sim_schedule_next_change(&c, &cal, 2.0)));
    assert_true(isinf(sim_schedule_next_change(&c, NULL, 0.0)));

    /* With the real calendar from 2024-04-01: Monday 6 May 2024 is the Early May bank
     * holiday, so the clinic opens on Tuesday 7 May at 08:00 (day 36). */
    s.holiday_capacity = 0;
    sim_calendar real;
    assert_int_equal(sim_calendar_init(&real, (sim_date){2024, 4, 1}), SIM_OK);
    assert_int_equal(sim_schedule_capacity_at(&s, &real, 35 + 9 * HOUR), 0);
    assert_int_equal(sim_schedule_capacity_at(&s, &real, 36 + 9 * HOUR), 2);
    assert_true(sim_schedule_next_change(&s, &real, 32 + 17 * HOUR) == (36 * 24 + 8) / 24.0);
    sim_calendar_fini(&real);
}

static void test_scheduled_resource(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    sim_schedule s;
    weekday_schedule(&s, 0);
    sim_calendar cal = {.start_day = 19814, .start_weekday = 0};
    world w = {0};
    arrival a = {&w, {0}};
    w.r = sim_resource_alloc(e, &cal, 99, &s); /* capacity is ignored with a schedule */
    assert_non_null(w.r);
    assert_int_equal(sim_resource_capacity(w.r), 0);
    assert_int_equal(sim_events_pending(e), 1); /* the change at 08:00 */

    /* Three arrive at midnight for an hour each: two start at 08:00, one at 09:00. */
    for (uint64_t i = 0; i < 3; i++) {
        w.service[i] = HOUR;
        sim_schedule_at(e, 0.0, arrive, &a, i);
    }
    /* Two arrive at 15:30 for two hours: both start; the close at 16:00 does not stop them. */
    for (uint64_t i = 3; i < 5; i++) {
        w.service[i] = 2 * HOUR;
        sim_schedule_at(e, 15.5 * HOUR, arrive, &a, i);
    }
    /* One arrives at 16:30 (closed): it waits for Tuesday 08:00. */
    w.service[5] = HOUR;
    sim_schedule_at(e, 16.5 * HOUR, arrive, &a, 5);

    sim_run_until(e, 7.9 * HOUR);
    assert_int_equal(sim_resource_queue_length(w.r), 3);
    assert_int_equal(w.n, 0);
    sim_run_until(e, 16.75 * HOUR);
    assert_int_equal(sim_resource_capacity(w.r), 0);
    assert_int_equal(sim_resource_busy(w.r), 2);
    assert_int_equal(sim_resource_queue_length(w.r), 1);
    sim_run_until(e, 2.0);
    assert_int_equal(w.n, 6);
    assert_true(w.granted_at[0] == 8 * HOUR && w.granted_at[1] == 8 * HOUR);
    assert_float_equal(w.granted_at[2], 9 * HOUR, 1e-12);
    assert_float_equal(w.granted_at[3], 15.5 * HOUR, 1e-12);
    assert_float_equal(w.granted_at[4], 15.5 * HOUR, 1e-12);
    assert_float_equal(w.granted_at[5], 1 + 8 * HOUR, 1e-12);
    /* Busy server-hours on Monday: 1 + 1 + 1 + 2 + 2 = 7, Tuesday 1: 8 h over 48 h. */
    assert_float_equal(sim_resource_mean_busy(w.r), 8.0 / 48.0, 1e-9);
    sim_resource_free(w.r);
    assert_int_equal(sim_events_pending(e), 0); /* freeing cancels the change event */

    /* A constant schedule behaves as a constant capacity: no events, no calendar. */
    sim_schedule c;
    sim_schedule_constant(&c, 3);
    sim_resource *r = sim_resource_alloc(e, NULL, 0, &c);
    assert_int_equal(sim_resource_capacity(r), 3);
    assert_int_equal(sim_events_pending(e), 0);
    sim_resource_free(r);
    assert_null(sim_resource_alloc(e, NULL, -1, NULL));
    sim_engine_free(e);
}

/* A grant callback that releases at once (zero service) and requests again: reentrancy. */
typedef struct reenter {
    sim_resource *r;
    int grants;
} reenter;

static void grant_and_release(sim_engine *e, void *ctx, uint64_t entity)
{
    (void)e;
    reenter *x = ctx;
    x->grants++;
    sim_resource_release(x->r);
    if (entity < 5)
        sim_resource_request(x->r, entity + 10, 0, grant_and_release, x);
}

static void test_reentrant_grants(void **state)
{
    (void)state;
    sim_engine *e = sim_engine_alloc(0);
    reenter x = {sim_resource_alloc(e, NULL, 1, NULL), 0};
    for (uint64_t i = 0; i < 8; i++)
        sim_resource_request(x.r, i, 0, grant_and_release, &x);
    assert_int_equal(x.grants, 8 + 5);
    assert_int_equal(sim_resource_busy(x.r), 0);
    assert_int_equal(sim_resource_queue_length(x.r), 0);
    sim_resource_free(x.r);
    sim_engine_free(e);
}


/* Parse `text` and read the schedule under its key `servers`; the tree is freed. */
static int read_schedule(const char *text, sim_schedule *s, struct sim_error *err)
{
    sim_node_tree *tree = NULL;
    sim_node *root = NULL;
    sim_error_clear(err);
    int rc = sim_yaml_load_string(text, "test.yaml", &tree, &root, err);
    assert_int_equal(rc, SIM_OK);
    rc = sim_schedule_from_node(sim_node_get(root, "servers"), s, err);
    if (rc == SIM_OK) {
        struct sim_error unused;
        assert_int_equal(sim_node_check_unused(root, &unused), SIM_OK);
    }
    sim_node_tree_free(tree);
    return rc;
}

static void test_schedule_from_node(void **state)
{
    (void)state;
    sim_schedule s;
    struct sim_error err;
    assert_int_equal(read_schedule("servers: 3\n", &s, &err), SIM_OK);
    assert_true(sim_schedule_is_constant(&s));
    assert_int_equal(s.capacity[100], 3);

    /* A list of shifts: closed on bank holidays unless told otherwise. */
    assert_int_equal(read_schedule("servers:\n"
                                   "  - {days: [mon, tue, wed, thu, fri], from: \"08:00\", "
                                   "to: \"16:00\", servers: 3}\n"
                                   "  - {days: wed, from: \"12:00\", to: \"20:00\", servers: 1}\n",
                                   &s, &err),
                     SIM_OK);
    assert_int_equal(s.holiday_capacity, 0);
    assert_int_equal(s.capacity[0 * 24 + 7], 0);
    assert_int_equal(s.capacity[0 * 24 + 8], 3);
    assert_int_equal(s.capacity[0 * 24 + 15], 3);
    assert_int_equal(s.capacity[0 * 24 + 16], 0);
    assert_int_equal(s.capacity[2 * 24 + 12], 4); /* shifts add up */
    assert_int_equal(s.capacity[2 * 24 + 19], 1);
    assert_int_equal(s.capacity[2 * 24 + 20], 0);
    assert_int_equal(s.capacity[5 * 24 + 10], 0);

    /* The map form; a shift past midnight; Sunday night wraps to Monday morning. */
    assert_int_equal(read_schedule("servers:\n"
                                   "  bank_holidays: open\n"
                                   "  shifts:\n"
                                   "    - {days: [fri, sun], from: \"20:00\", to: \"08:00\", servers: 2,\n"
                                   "       overnight: true}\n"
                                   "    - {days: all, from: \"00:00\", to: \"24:00\", servers: 1}\n",
                                   &s, &err),
                     SIM_OK);
    assert_int_equal(s.holiday_capacity, -1);
    assert_int_equal(s.capacity[4 * 24 + 19], 1);
    assert_int_equal(s.capacity[4 * 24 + 20], 3);
    assert_int_equal(s.capacity[5 * 24 + 7], 3);
    assert_int_equal(s.capacity[5 * 24 + 8], 1);
    assert_int_equal(s.capacity[6 * 24 + 23], 3);
    assert_int_equal(s.capacity[0 * 24 + 0], 3);
    assert_int_equal(s.capacity[0 * 24 + 8], 1);
    assert_int_equal(read_schedule("servers:\n  bank_holidays: 1\n  shifts:\n"
                                   "    - {days: [sat], from: \"9:00\", to: \"10:00\", servers: 2}\n",
                                   &s, &err),
                     SIM_OK);
    assert_int_equal(s.holiday_capacity, 1);
    assert_int_equal(s.capacity[5 * 24 + 9], 2);
}

static void assert_schedule_error(const char *text, int line, int column, const char *message)
{
    sim_schedule s;
    struct sim_error err;
    assert_int_equal(read_schedule(text, &s, &err), SIM_EINPUT);
    assert_string_equal(err.file, "test.yaml");
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    if (message)
        assert_string_equal(err.message, message);
}

static void test_schedule_from_node_errors(void **state)
{
    (void)state;
    assert_schedule_error("servers:\n  - {days: [mon], from: \"08:30\", to: \"16:00\", servers: 1}\n",
                          2, 25,
                          "expected a whole hour \"HH:00\" from 00:00 to 23:00, got \"08:30\"");
    assert_schedule_error("servers:\n  - {days: [mon], from: \"08:00\", to: \"25:00\", servers: 1}\n",
                          2, 38,
                          "expected a whole hour \"HH:00\" from 00:00 to 24:00, got \"25:00\"");
    assert_schedule_error("servers:\n  - {days: [mon], from: \"08:00\", to: \"08:00\", servers: 1}\n",
                          2, 38, "expected an end different from the start (\"from\" is 08:00)");
    assert_schedule_error("servers:\n  bank_holidays: sometimes\n  shifts:\n"
                          "    - {days: [mon], from: \"08:00\", to: \"16:00\", servers: 1}\n",
                          2, 18,
                          "expected closed, open or a number of servers >= 0, got \"sometimes\"");
    assert_schedule_error("servers: []\n", 1, 10, "expected at least one shift");
    /* Messages from the YAML readers: located at the offending value. */
    assert_schedule_error("servers:\n  - {days: [mon, funday], from: \"08:00\", to: \"16:00\", servers: 1}\n",
                          2, 18, NULL);
    assert_schedule_error("servers:\n  - {days: [mon], from: \"08:00\", to: \"16:00\", servers: -2}\n",
                          2, 56, NULL);
    assert_schedule_error("servers:\n  - {days: [mon], from: \"08:00\", to: \"16:00\", staff: 2}\n",
                          2, 47, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priority_then_fifo), cmocka_unit_test(test_queue_stats),
        cmocka_unit_test(test_fifo_ring_then_priorities),
        cmocka_unit_test(test_schedule_lookup),    cmocka_unit_test(test_scheduled_resource),
        cmocka_unit_test(test_reentrant_grants),   cmocka_unit_test(test_schedule_from_node),
        cmocka_unit_test(test_schedule_from_node_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
