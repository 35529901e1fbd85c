/*
 * The system layer: two models on one engine, coupled by an offer and by a signal, against
 * queueing theory; the same bytes from one thread, two threads and shards; flows checked at
 * load with exact messages.
 *
 *   scenarios/system-tandem.yaml   M/M/2 clinic -> two-place unit (offer). Burke: the unit
 *                                  sees Poisson(1.5/day), so it refuses B(2, 1.5).
 *   scenarios/system-balking.yaml  three-place unit (Poisson 2/day) publishes places in use;
 *                                  the clinic's Poisson arrivals balk while it is full, so
 *                                  by PASTA their balked share is B(3, 2).
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "core/error.h"
#include "core/stats.h"
#include "results/results.h"
#include "scenario.h"

/* Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

static capsim_loaded *open_scenario(const char *name, const char *const *set, size_t n_set)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s", CAPSIM_SOURCE_DIR, name);
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, set, n_set, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open %s: %s", name, buf);
    }
    return l;
}

/* Mean and 95% half-width over `reps` replications of "model/metric" (cell 0). */
static void replicate(const capsim_loaded *l, size_t reps, const char *path, sim_summary *s)
{
    int id = sim_monitor_find_path(l->monitor, path);
    assert_true(id >= 0);
    const sim_metric *mt = sim_monitor_metric(l->monitor, (size_t)id);
    double *x = calloc(reps, sizeof *x);
    for (size_t r = 0; r < reps; r++) {
        sim_record *rec = sim_record_alloc(l->monitor);
        struct sim_error err;
        assert_int_equal(capsim_scenario_run(l, l->sc.seed, r, rec, &err), 0);
        x[r] = rec->values[sim_record_index(mt, 0, 0)];
        sim_record_free(rec);
    }
    sim_summarise(x, reps, s);
    free(x);
}

static void test_offer_tandem_erlang_b(void **state)
{
    (void)state;
    capsim_loaded *l = open_scenario("system-tandem.yaml", NULL, 0);
    assert_int_equal(l->n_models, 2);
    assert_int_equal(l->n_flows, 1);
    double b = erlang_b(2, 1.5);
    assert_true(fabs(b - 0.310345) < 1e-6);
    sim_summary refused, occupied, lost;
    replicate(l, 20, "loss/refused_share", &refused);
    assert_true(tu_within("refused share vs Erlang B(2, 1.5)", refused.mean, b,
                          refused.half_width, 1.5));
    /* Little's law on the unit: places in use = rate admitted x mean stay. */
    replicate(l, 20, "loss/mean_occupied", &occupied);
    assert_true(tu_within("places in use vs 1.5 (1 - B)", occupied.mean, 1.5 * (1 - b),
                          occupied.half_width, 1.5));
    /* The sender knows: what the unit refused is what the clinic counts as refused. */
    replicate(l, 20, "queue/downstream_refused", &lost);
    assert_true(lost.mean > 300);
    capsim_scenario_close(l);

    /* Without the flow nothing is offered: the unit sees no one. */
    const char *set[] = {"flows=[]"};
    l = open_scenario("system-tandem.yaml", set, 1);
    assert_int_equal(l->n_flows, 0);
    replicate(l, 3, "loss/offered_total", &lost);
    assert_true(lost.mean == 0);
    replicate(l, 3, "queue/downstream_refused", &lost);
    assert_true(lost.mean == 0);
    capsim_scenario_close(l);
}

static void test_signal_balking_pasta(void **state)
{
    (void)state;
    capsim_loaded *l = open_scenario("system-balking.yaml", NULL, 0);
    double b = erlang_b(3, 2.0);
    sim_summary balked, refused;
    replicate(l, 20, "queue/balked_share", &balked);
    assert_true(tu_within("balked share vs Erlang B(3, 2)", balked.mean, b, balked.half_width,
                          1.5));
    replicate(l, 20, "loss/refused_share", &refused);
    assert_true(tu_within("unit refused share vs Erlang B(3, 2)", refused.mean, b,
                          refused.half_width, 1.5));
    capsim_scenario_close(l);

    /* Raising the threshold above the unit's size switches the coupling off. */
    const char *set[] = {"queue.balk_at=4"};
    l = open_scenario("system-balking.yaml", set, 1);
    replicate(l, 3, "queue/balked_share", &balked);
    assert_true(balked.mean == 0);
    capsim_scenario_close(l);
}

/* Adding the downstream model changes none of the upstream model's own draws. */
static void test_streams_independent_of_other_models(void **state)
{
    (void)state;
    const char *alone[] = {"flows=[]"};
    capsim_loaded *a = open_scenario("system-tandem.yaml", alone, 1);
    capsim_loaded *b = open_scenario("system-tandem.yaml", NULL, 0);
    sim_summary x, y;
    replicate(a, 4, "queue/mean_wait_days", &x);
    replicate(b, 4, "queue/mean_wait_days", &y);
    assert_true(x.mean == y.mean && x.sd == y.sd);
    capsim_scenario_close(a);
    capsim_scenario_close(b);
}

static char dir[1024];

static void must(const char *args)
{
    char *err = NULL;
    int code = tu_capsim(args, NULL, &err);
    if (code != 0)
        fprintf(stderr, "capsim %s\n%s", args, err ? err : "");
    free(err);
    assert_int_equal(code, 0);
}

static void same_file(const char *a, const char *b)
{
    const char *groups[] = {"/scenarios", "/comparisons"};
    for (int i = 0; i < 2; i++) {
        char cmd[3000], *out = NULL;
        snprintf(cmd, sizeof cmd, "h5diff -r '%s' '%s' %s", a, b, groups[i]);
        int code = tu_run(cmd, &out, NULL);
        if (code != 0)
            fprintf(stderr, "%s\n%s", cmd, out ? out : "");
        free(out);
        assert_int_equal(code, 0);
    }
}

static void test_bit_identical_threads_and_shards(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s", tu_tmpdir("system_identical"));
    char batch[1200], args[4000];
    snprintf(batch, sizeof batch, "%s/batch.yaml", dir);
    char text[2000];
    snprintf(text, sizeof text,
             "name: tandem-places\nreplications: 6\nscenarios:\n"
             "  - %s/scenarios/system-tandem.yaml\n"
             "  - file: %s/scenarios/system-tandem.yaml\n    name: three-places\n"
             "    set:\n      loss.places: 3\n",
             CAPSIM_SOURCE_DIR, CAPSIM_SOURCE_DIR);
    tu_write_file(batch, text);
    snprintf(args, sizeof args, "run '%s' -j 1 --quiet -o '%s/one.h5'", batch, dir);
    must(args);
    snprintf(args, sizeof args, "run '%s' -j 2 --quiet -o '%s/two.h5'", batch, dir);
    must(args);
    for (int s = 1; s <= 2; s++) {
        snprintf(args, sizeof args, "run '%s' --shard %d/2 --quiet -o '%s/shard%d.h5'", batch, s,
                 dir, s);
        must(args);
    }
    snprintf(args, sizeof args, "merge '%s/shard1.h5' '%s/shard2.h5' -o '%s/merged.h5'", dir,
             dir, dir);
    must(args);
    char one[1100], two[1100], merged[1100];
    snprintf(one, sizeof one, "%s/one.h5", dir);
    snprintf(two, sizeof two, "%s/two.h5", dir);
    snprintf(merged, sizeof merged, "%s/merged.h5", dir);
    same_file(one, two);
    same_file(one, merged);

    /* The layout: models as groups, the comparison per model with its own scales. */
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "h5ls -r '%s' | grep -c -E '^/scenarios/tandem-places/(queue|loss)/summary/|"
             "^/comparisons/three-places__vs__system-tandem/(loss|queue|stat|time)'", one);
    assert_int_equal(tu_run(cmd, &out, NULL), 0);
    assert_true(atoi(out) > 20);
    free(out);
}

/* Run `capsim check` on scenario text with a flows section; expect exit 2 and `message`. */
static void expect_flow_error(const char *flows, const char *message)
{
    const char *d = tu_tmpdir("system_flows");
    char path[1200], text[3000], cmd[4000];
    snprintf(path, sizeof path, "%s/f.yaml", d);
    snprintf(text, sizeof text,
             "name: f\nstart_date: 2024-04-01\nhorizon_days: 30\n"
             "queue:\n  arrivals: {per_day: 1}\n  servers: 1\n"
             "  service_days: {exponential: {mean: 0.5}}\n"
             "loss:\n  places: 2\n  stay_days: 1\n"
             "flows:\n%s", flows);
    tu_write_file(path, text);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check f.yaml", d, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    char want[2000];
    snprintf(want, sizeof want, "capsim: %s\n", message);
    if (strcmp(err, want) != 0)
        fail_msg("got      %s  expected %s", err, want);
    free(err);
}

static void test_flow_errors(void **state)
{
    (void)state;
    expect_flow_error("  - {from: queue.departure, to: loss.arrivals}\n",
                      "f.yaml:12:12: flows[0].from: model queue has no port \"departure\" "
                      "(its ports: departures, block_level)");
    expect_flow_error("  - {from: ucch.divert, to: loss.arrivals}\n",
                      "f.yaml:12:12: flows[0].from: no model \"ucch\" in this scenario (its "
                      "models: queue, loss)");
    expect_flow_error("  - {from: queue, to: loss.arrivals}\n",
                      "f.yaml:12:12: flows[0].from: expected MODEL.PORT (e.g. ucch.divert), "
                      "got \"queue\"");
    expect_flow_error("  - {from: queue.departures, to: loss.occupied}\n",
                      "f.yaml:12:5: flows[0]: queue.departures is an offer out port and "
                      "loss.occupied is a signal out port: a flow goes from an offer out to an "
                      "offer in, or from a signal out to a signal in");
    expect_flow_error("  - {from: queue.departures, to: loss.arrivals}\n"
                      "  - {from: queue.departures, to: loss.arrivals}\n",
                      "f.yaml:13:5: flows[1]: queue.departures already flows to "
                      "loss.arrivals: an offer has one receiver");
    expect_flow_error("  - {from: queue.departures, too: loss.arrivals}\n",
                      "f.yaml:12:30: flows[0].too: unknown key \"too\" (did you mean \"to\"?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_tandem_erlang_b),
        cmocka_unit_test(test_signal_balking_pasta),
        cmocka_unit_test(test_streams_independent_of_other_models),
        cmocka_unit_test(test_bit_identical_threads_and_shards),
        cmocka_unit_test(test_flow_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
