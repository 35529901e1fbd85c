/*
 * The bed-pressure curve the elective model will call (models/beds/beds_pressure.h): its
 * values, the threshold, exempt (ring-fenced) sites, and its validation with exact messages.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "beds/beds_model.h"
#include "beds/beds_pressure.h"
#include "core/error.h"
#include "scenario.h"

static const char *head =
    "name: p\nstart_date: 2024-04-01\nhorizon_days: 30\n"
    "system:\n  trusts:\n    - {name: T, sites: [{code: H, name: H}, {code: E, name: E},"
    " {code: X, name: X}]}\n"
    "beds:\n";

static capsim_loaded *open_beds(const char *body)
{
    const char *d = tu_tmpdir("beds_pressure");
    char path[1200], text[3000];
    snprintf(path, sizeof path, "%s/p.yaml", d);
    snprintf(text, sizeof text, "%s%s", head, body);
    tu_write_file(path, text);
    capsim_loaded *l = NULL;
    struct sim_error err;
    if (capsim_scenario_open(path, NULL, 0, &l, &err)) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot open: %s", buf);
    }
    return l;
}

static const char *sites =
    "  sites:\n    - {site: H, beds: 100, stay_days: 1}\n"
    "    - {site: E, beds: 0, ring_fenced_beds: 20, stay_days: 1}\n";

static void test_curve_values(void **state)
{
    (void)state;
    char body[1000];
    snprintf(body, sizeof body,
             "  bed_pressure:\n    threshold_free_beds: 10\n"
             "    cancel_probability: [[0.90, 0.02], [0.95, 0.10], [100%%, 0.40]]\n%s", sites);
    capsim_loaded *l = open_beds(body);
    const beds_config *c = l->cfgs[0];
    const beds_pressure *p = &c->pressure;
    assert_true(p->enabled);
    /* Flat beyond the ends, exact at the points, linear between. */
    assert_true(beds_cancel_probability(p, 0, 0.50) == 0.02);
    assert_true(beds_cancel_probability(p, 0, 0.90) == 0.02);
    assert_true(beds_cancel_probability(p, 0, 0.95) == 0.10);
    assert_true(fabs(beds_cancel_probability(p, 0, 0.925) - 0.06) < 1e-12);
    assert_true(fabs(beds_cancel_probability(p, 0, 0.99) - 0.34) < 1e-12);
    assert_true(beds_cancel_probability(p, 0, 1.00) == 0.40);
    assert_true(beds_cancel_probability(p, 0, 1.20) == 0.40);
    assert_true(beds_cancel_probability(p, 0, NAN) == 0);
    /* The elective centre E (ring-fenced beds only) is exempt; X has no beds here but the
     * curve still applies to it; an index out of range gives 0. */
    assert_true(beds_cancel_probability(p, 1, 0.99) == 0);
    assert_true(beds_cancel_probability(p, 2, 0.99) > 0.33);
    assert_true(beds_cancel_probability(p, 3, 0.99) == 0);
    assert_true(beds_cancel_probability(p, -1, 0.99) == 0);
    /* The threshold: pressure while free beds < 10. */
    assert_true(beds_pressure_applies(p, 0, 9));
    assert_true(beds_pressure_applies(p, 0, 0));
    assert_false(beds_pressure_applies(p, 0, 10));
    assert_false(beds_pressure_applies(p, 0, NAN));
    assert_false(beds_pressure_applies(p, 1, 0));
    capsim_scenario_close(l);

    /* Without the section nothing is cancelled. */
    l = open_beds(sites);
    c = l->cfgs[0];
    assert_false(c->pressure.enabled);
    assert_true(beds_cancel_probability(&c->pressure, 0, 1.5) == 0);
    assert_false(beds_pressure_applies(&c->pressure, 0, 0));
    capsim_scenario_close(l);

    /* One point: a constant probability; threshold 0 never applies (free beds >= 0). */
    snprintf(body, sizeof body,
             "  bed_pressure: {threshold_free_beds: 0, cancel_probability: [[0.5, 0.25]]}\n%s",
             sites);
    l = open_beds(body);
    c = l->cfgs[0];
    assert_true(beds_cancel_probability(&c->pressure, 0, 0.1) == 0.25);
    assert_true(beds_cancel_probability(&c->pressure, 0, 0.9) == 0.25);
    assert_false(beds_pressure_applies(&c->pressure, 0, 0));
    capsim_scenario_close(l);
}

static void expect_error(const char *pressure, const char *message)
{
    const char *d = tu_tmpdir("beds_pressure_errors");
    char path[1200], text[3000], cmd[4000];
    snprintf(path, sizeof path, "%s/p.yaml", d);
    snprintf(text, sizeof text, "%s  bed_pressure: %s\n%s", head, pressure, sites);
    tu_write_file(path, text);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check p.yaml", d, CAPSIM_BINARY);
    char *err = NULL;
    assert_int_equal(tu_run(cmd, NULL, &err), 2);
    char want[2000];
    snprintf(want, sizeof want, "capsim: %s\n", message);
    if (strcmp(err, want) != 0)
        fail_msg("got      %s  expected %s", err, want);
    free(err);
}

static void test_curve_errors(void **state)
{
    (void)state;
    expect_error("{threshold_free_beds: 5, cancel_probability: [[0.9, 0.1], [0.8, 0.2]]}",
                 "p.yaml:8:76: beds.bed_pressure.cancel_probability[1][0]: occupancies must "
                 "rise from point to point: 0.8 after 0.9");
    expect_error("{threshold_free_beds: 5, cancel_probability: [[0.9, 0.3], [0.95, 0.2]]}",
                 "p.yaml:8:82: beds.bed_pressure.cancel_probability[1][1]: cancellation "
                 "probabilities must not fall as occupancy rises: 0.2 after 0.3");
    expect_error("{threshold_free_beds: 5, cancel_probability: [[0.9, 1.3]]}",
                 "p.yaml:8:69: beds.bed_pressure.cancel_probability[0][1]: expected a fraction "
                 "between 0 and 1, got \"1.3\"");
    expect_error("{threshold_free_beds: 5, cancel_probability: [0.9]}",
                 "p.yaml:8:63: beds.bed_pressure.cancel_probability[0]: expected a pair "
                 "[occupancy, probability]");
    expect_error("{threshold_free_beds: 5, cancel_probability: [[0.9, 0.1, 3]]}",
                 "p.yaml:8:63: beds.bed_pressure.cancel_probability[0]: expected a pair "
                 "[occupancy, probability]");
    expect_error("{threshold_free_beds: 5, cancel_probability: []}",
                 "p.yaml:8:62: beds.bed_pressure.cancel_probability: expected 1 to 64 points "
                 "[occupancy, probability]");
    expect_error("{cancel_probability: [[0.9, 0.1]]}",
                 "p.yaml:8:3: beds.bed_pressure.threshold_free_beds: missing required key "
                 "\"threshold_free_beds\"");
    expect_error("{threshold_free_beds: -1, cancel_probability: [[0.9, 0.1]]}",
                 "p.yaml:8:39: beds.bed_pressure.threshold_free_beds: expected a whole number "
                 "between 0 and 1000000, got \"-1\"");
    expect_error("{threshold_free_beds: 5, cancel_probabilty: [[0.9, 0.1]]}",
                 "p.yaml:8:42: beds.bed_pressure.cancel_probabilty: unknown key "
                 "\"cancel_probabilty\" (did you mean \"cancel_probability\"?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_values),
        cmocka_unit_test(test_curve_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
