#include "testutil.h"

#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/monitor.h"

static const double times3[] = {30, 61, 91};
static const char *const labels3[] = {"2024-05-01", "2024-06-01", "2024-07-01"};
static const char *const trusts[] = {"Alpha", "Beta"};

static sim_monitor *make_monitor(void)
{
    sim_monitor *m = sim_monitor_alloc();
    assert_non_null(m);
    assert_int_equal(sim_monitor_set_times(m, times3, labels3, 3), 0);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 2), 0);
    assert_int_equal(sim_monitor_declare(m, "waiting_list", "patients", "Waiting list size.",
                                         SIM_METRIC_SERIES, true), 0);
    assert_int_equal(sim_monitor_declare(m, "admissions", "1", "Admissions in the month.",
                                         SIM_METRIC_SERIES, false), 1);
    assert_int_equal(sim_monitor_declare(m, "mean_wait", "weeks", "Mean wait of treated.",
                                         SIM_METRIC_REP, true), 2);
    assert_int_equal(sim_monitor_declare(m, "total_cost", "GBP", "Total cost.",
                                         SIM_METRIC_REP, false), 3);
    return m;
}

static void test_declare_and_layout(void **state)
{
    (void)state;
    sim_monitor *m = make_monitor();
    assert_int_equal(sim_monitor_metric_count(m), 4);
    assert_int_equal(sim_monitor_time_count(m), 3);
    assert_int_equal(sim_monitor_group_count(m), 2);
    assert_string_equal(sim_monitor_group_dimension(m), "trust");
    assert_string_equal(sim_monitor_group_label(m, 1), "Beta");
    assert_null(sim_monitor_group_label(m, 2));
    assert_string_equal(sim_monitor_time_label(m, 2), "2024-07-01");
    assert_true(sim_monitor_times(m)[1] == 61.0);
    /* Slices in declaration order: 3*2, 3, 2, 1 values. */
    const size_t off[] = {0, 6, 9, 11}, len[] = {6, 3, 2, 1};
    for (size_t i = 0; i < 4; i++) {
        const sim_metric *mt = sim_monitor_metric(m, i);
        assert_int_equal(mt->offset, off[i]);
        assert_int_equal(mt->length, len[i]);
    }
    assert_int_equal(sim_monitor_record_length(m), 12);
    assert_string_equal(sim_monitor_metric(m, 2)->units, "weeks");
    assert_int_equal(sim_monitor_find(m, "mean_wait"), 2);
    assert_int_equal(sim_monitor_find(m, "nope"), -1);
    assert_null(sim_monitor_metric(m, 4));
    sim_monitor_free(m);
}

static void test_declare_before_dimensions(void **state)
{
    (void)state;
    /* Declaring first and setting the dimensions afterwards gives the same layout. */
    sim_monitor *m = sim_monitor_alloc();
    assert_int_equal(sim_monitor_declare(m, "waiting_list", "patients", "Waiting list size.",
                                         SIM_METRIC_SERIES, true), 0);
    assert_int_equal(sim_monitor_declare(m, "total_cost", "GBP", "Total cost.",
                                         SIM_METRIC_REP, false), 1);
    assert_int_equal(sim_monitor_record_length(m), 1);
    assert_int_equal(sim_monitor_group_count(m), 1);
    assert_null(sim_monitor_group_dimension(m));
    assert_int_equal(sim_monitor_set_times(m, times3, labels3, 3), 0);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 2), 0);
    assert_int_equal(sim_monitor_metric(m, 1)->offset, 6);
    assert_int_equal(sim_monitor_record_length(m), 7);
    sim_monitor_free(m);
}

static void test_invalid(void **state)
{
    (void)state;
    sim_monitor *m = make_monitor();
    const char *bad[] = {"", "Waiting", "1st", "_x", "a-b", "a b", "wait.list"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sim_monitor_declare(m, bad[i], "1", "d", SIM_METRIC_REP, false),
                         SIM_EINVAL);
    /* Duplicates, whatever the kind. */
    assert_int_equal(sim_monitor_declare(m, "mean_wait", "1", "d", SIM_METRIC_SERIES, false),
                     SIM_EINVAL);
    assert_int_equal(sim_monitor_declare(m, "ok_name_2", NULL, "d", SIM_METRIC_REP, false),
                     SIM_EINVAL);
    assert_int_equal(sim_monitor_metric_count(m), 4);
    /* Times must be strictly ascending and finite. */
    const double down[] = {1, 1};
    const char *const two[] = {"a", "b"};
    assert_int_equal(sim_monitor_set_times(m, down, two, 2), SIM_EINVAL);
    const double inf[] = {1, INFINITY};
    assert_int_equal(sim_monitor_set_times(m, inf, two, 2), SIM_EINVAL);
    assert_int_equal(sim_monitor_time_count(m), 3);
    /* The group dimension shares a namespace with the scenario's datasets. */
    assert_int_equal(sim_monitor_set_groups(m, "time", trusts, 2), SIM_EINVAL);
    assert_int_equal(sim_monitor_set_groups(m, "replication", trusts, 2), SIM_EINVAL);
    assert_int_equal(sim_monitor_set_groups(m, "Trust", trusts, 2), SIM_EINVAL);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 0), SIM_EINVAL);
    assert_string_equal(sim_monitor_group_dimension(m), "trust");
    sim_monitor_free(m);
}

static void test_record(void **state)
{
    (void)state;
    sim_monitor *m = make_monitor();
    sim_record *r = sim_record_alloc(m);
    assert_non_null(r);
    for (size_t i = 0; i < sim_monitor_record_length(m); i++)
        assert_true(r->values[i] == 0.0);
    sim_record_set(r, 0, 2, 1, 7.5);
    sim_record_add(r, 0, 2, 1, 1.0);
    sim_record_set(r, 1, 1, 1, 3.0);  /* group ignored: not per group */
    sim_record_set(r, 2, 2, 1, 4.0);  /* time ignored: a rep metric */
    sim_record_set(r, 3, 0, 0, 9.0);
    assert_true(sim_record_get(r, 0, 2, 1) == 8.5);
    assert_true(r->values[0 + 2 * 2 + 1] == 8.5);
    assert_true(r->values[6 + 1] == 3.0);
    assert_true(sim_record_get(r, 1, 1, 0) == 3.0);
    assert_true(r->values[9 + 1] == 4.0);
    assert_true(sim_record_get(r, 2, 0, 1) == 4.0);
    assert_true(r->values[11] == 9.0);
    const sim_metric *mt = sim_monitor_metric(m, 0);
    assert_int_equal(sim_record_index(mt, 1, 0), 2);
    sim_record_clear(r);
    for (size_t i = 0; i < sim_monitor_record_length(m); i++)
        assert_true(r->values[i] == 0.0);
    sim_record_free(r);
    sim_record_free(NULL);
    sim_monitor_free(m);
    sim_monitor_free(NULL);
}

/*
 * Two models in one registry: each has its namespace, dimensions and local metric ids; a
 * model's record view writes its own slice; copies compare equal, and a change of labels of
 * either model's dimension makes them differ.
 */
static void test_models_and_dimensions(void **state)
{
    (void)state;
    static const char *const cats[] = {"C1", "C2", "C3"};
    sim_monitor *m = sim_monitor_alloc();
    assert_int_equal(sim_monitor_set_times(m, times3, labels3, 3), 0);
    assert_int_equal(sim_monitor_begin_model(m, "elective"), 0);
    assert_int_equal(sim_monitor_set_groups(m, "trust", trusts, 2), 0);
    assert_int_equal(sim_monitor_declare(m, "size", "patients", "Size.", SIM_METRIC_SERIES, true), 0);
    assert_int_equal(sim_monitor_declare(m, "moved", "patients", "Moved.", SIM_METRIC_REP, false), 1);
    assert_int_equal(sim_monitor_begin_model(m, "ucch"), 1);
    int trust = sim_monitor_add_dimension(m, "trust", trusts, 2);
    int cat = sim_monitor_add_dimension(m, "category", cats, 3);
    assert_true(trust >= 0 && cat >= 0);
    assert_int_equal(sim_monitor_add_dimension(m, "category", cats, 3), SIM_EINVAL);
    const size_t dims[] = {(size_t)trust, (size_t)cat};
    assert_int_equal(sim_monitor_declare_dims(m, "calls", "calls", "Calls.", SIM_METRIC_SERIES,
                                              dims, 2), 0);
    assert_int_equal(sim_monitor_declare(m, "size", "x", "Same name, other model.",
                                         SIM_METRIC_REP, false), 1);
    /* elective's block is closed: it cannot be re-entered after ucch began. */
    assert_int_equal(sim_monitor_begin_model(m, "elective"), SIM_EINVAL);
    assert_int_equal(sim_monitor_begin_model(m, "time"), SIM_EINVAL);

    assert_int_equal(sim_monitor_model_count(m), 2);
    assert_int_equal(sim_monitor_model_first(m, 1), 2);
    assert_int_equal(sim_monitor_find_path(m, "ucch/size"), 3);
    assert_int_equal(sim_monitor_find_path(m, "size"), 0);
    assert_int_equal(sim_monitor_find_path(m, "nope/size"), -1);
    const sim_metric *calls = sim_monitor_metric(m, 2);
    assert_int_equal(calls->cells, 6);
    assert_int_equal(calls->length, 18);
    /* size 3x2 + moved 1 + calls 3x6 + ucch/size 1 */
    assert_int_equal(sim_monitor_record_length(m), 6 + 1 + 18 + 1);
    char label[64];
    sim_monitor_cell_label(m, calls, 5, label, sizeof label);
    assert_string_equal(label, "Beta/C3");

    sim_record *r = sim_record_alloc(m);
    sim_record v = sim_record_view(r, 1);
    sim_record_set(&v, 0, 2, 4, 7.0);  /* ucch calls at time 2, Beta/C2 */
    sim_record_set(&v, 1, 0, 0, 5.0);  /* ucch size */
    assert_true(r->values[7 + 2 * 6 + 4] == 7.0);
    assert_true(r->values[25] == 5.0);
    assert_true(sim_record_get(r, 3, 0, 0) == 5.0);

    sim_monitor *c = sim_monitor_copy(m);
    assert_non_null(c);
    assert_true(sim_monitor_equal(m, c));
    sim_monitor *d = sim_monitor_alloc();
    sim_monitor_set_times(d, times3, labels3, 3);
    sim_monitor_begin_model(d, "elective");
    sim_monitor_set_groups(d, "trust", trusts, 2);
    sim_monitor_declare(d, "size", "patients", "Size.", SIM_METRIC_SERIES, true);
    sim_monitor_declare(d, "moved", "patients", "Moved.", SIM_METRIC_REP, false);
    sim_monitor_begin_model(d, "ucch");
    sim_monitor_add_dimension(d, "trust", trusts, 2);
    sim_monitor_add_dimension(d, "category", (const char *const[]){"C1", "C2", "C4"}, 3);
    sim_monitor_declare_dims(d, "calls", "calls", "Calls.", SIM_METRIC_SERIES, dims, 2);
    sim_monitor_declare(d, "size", "x", "Same name, other model.", SIM_METRIC_REP, false);
    assert_false(sim_monitor_equal(m, d));
    sim_record_free(r);
    sim_monitor_free(c);
    sim_monitor_free(d);
    sim_monitor_free(m);
}

static void test_copy_equal(void **state)
{
    (void)state;
    sim_monitor *a = make_monitor();
    sim_monitor *b = sim_monitor_copy(a);
    assert_non_null(b);
    assert_true(sim_monitor_equal(a, b));
    assert_int_equal(sim_monitor_record_length(a), sim_monitor_record_length(b));
    assert_string_equal(sim_monitor_metric(b, 3)->description, "Total cost.");
    assert_ptr_not_equal(sim_monitor_metric(b, 3)->description,
                         sim_monitor_metric(a, 3)->description);

    /* Any difference in dimensions or metrics makes them unequal. */
    sim_monitor *c = sim_monitor_copy(a);
    assert_int_equal(sim_monitor_declare(c, "extra", "1", "d", SIM_METRIC_REP, false), 4);
    assert_false(sim_monitor_equal(a, c));
    sim_monitor_free(c);
    c = sim_monitor_copy(a);
    const char *const other[] = {"Alpha", "Gamma"};
    assert_int_equal(sim_monitor_set_groups(c, "trust", other, 2), 0);
    assert_false(sim_monitor_equal(a, c));
    sim_monitor_free(c);
    c = sim_monitor_copy(a);
    const double t2[] = {30, 61, 92};
    assert_int_equal(sim_monitor_set_times(c, t2, labels3, 3), 0);
    assert_false(sim_monitor_equal(a, c));
    sim_monitor_free(c);

    /* A monitor without groups copies as one without groups. */
    sim_monitor *d = sim_monitor_alloc();
    assert_int_equal(sim_monitor_declare(d, "x", "1", "d", SIM_METRIC_REP, true), 0);
    sim_monitor *e = sim_monitor_copy(d);
    assert_null(sim_monitor_group_dimension(e));
    assert_true(sim_monitor_equal(d, e));
    assert_false(sim_monitor_equal(a, d));
    sim_monitor_free(d);
    sim_monitor_free(e);
    sim_monitor_free(a);
    sim_monitor_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declare_and_layout),
        cmocka_unit_test(test_declare_before_dimensions),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_copy_equal),
        cmocka_unit_test(test_models_and_dimensions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
