/*
 * Every parameter of the queueing model (`queue:`) has the effect it promises, with known
 * answers (scripts/mutations.txt switches each off in turn; scripts/mutate checks that some
 * test then fails). The model is driven only through its capsim_model functions (configure,
 * declare, run) from scenario text, and read back through the monitor's metric names.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../models/model.h"
#include "core/error.h"
#include "core/monitor.h"
#include "core/stats.h"
#include "scenario/yaml.h"

extern const capsim_model capsim_queue_model;

typedef struct qt {
    sim_node_tree *tree;
    capsim_scenario sc;
    void *cfg;
    sim_monitor *mon;
} qt;

/* Configure from the `queue:` text: start Monday 3 April 2023, no bank holidays. */
static void qt_open(qt *f, const char *yaml, double horizon, double warmup)
{
    memset(f, 0, sizeof *f);
    struct sim_error err;
    sim_error_clear(&err);
    sim_node *root;
    int rc = sim_yaml_load_string(yaml, "test.yaml", &f->tree, &root, &err);
    if (!rc) {
        f->sc.path = "test.yaml";
        f->sc.root = root;
        f->sc.name = "test";
        f->sc.start_date = (sim_date){2023, 4, 3};
        f->sc.horizon_days = horizon;
        f->sc.warmup_days = warmup;
        f->sc.seed = 1;
        f->sc.replications = 1;
        f->sc.replace_holidays = 1;
        rc = capsim_queue_model.configure(&f->sc, &f->cfg, &err);
    }
    if (!rc)
        rc = sim_node_check_unused(root, &err);
    if (!rc) {
        f->mon = sim_monitor_alloc();
        assert_non_null(f->mon);
        rc = capsim_queue_model.declare(f->cfg, f->mon, &err);
    }
    if (rc) {
        char buf[2048];
        sim_error_format(&err, buf, sizeof buf);
        fail_msg("cannot configure: %s", buf);
    }
}

static void qt_close(qt *f)
{
    if (f->cfg)
        capsim_queue_model.destroy(f->cfg);
    sim_monitor_free(f->mon);
    sim_node_tree_free(f->tree);
    memset(f, 0, sizeof *f);
}

static sim_record *qt_run(qt *f, uint64_t seed, uint64_t rep)
{
    sim_record *rec = sim_record_alloc(f->mon);
    assert_non_null(rec);
    assert_int_equal(capsim_model_run_alone(&capsim_queue_model, f->cfg, f->sc.horizon_days,
                                            f->sc.warmup_days, seed, rep, rec, NULL),
                     0);
    return rec;
}

static int qt_metric(const qt *f, const char *name)
{
    int id = sim_monitor_find(f->mon, name);
    if (id < 0)
        fail_msg("no metric %s", name);
    return id;
}

static size_t qt_class(const qt *f, const char *label)
{
    for (size_t g = 0; g < sim_monitor_group_count(f->mon); g++)
        if (strcmp(sim_monitor_group_label(f->mon, g), label) == 0)
            return g;
    fail_msg("no class %s", label);
    return 0;
}

/* Mean over `reps` replications of rep metric `name` for class `cls`. */
static sim_summary qt_summary(qt *f, int reps, uint64_t seed, const char *name, const char *cls)
{
    double x[64];
    assert_true(reps <= 64);
    int id = qt_metric(f, name);
    size_t g = qt_class(f, cls);
    for (int r = 0; r < reps; r++) {
        sim_record *rec = qt_run(f, seed, (uint64_t)r);
        x[r] = sim_record_get(rec, id, 0, g);
        sim_record_free(rec);
    }
    sim_summary s;
    sim_summarise(x, (size_t)reps, &s);
    return s;
}

/* Arrivals at 35 a week: 5 a day, the monthly counts a Poisson total over the run. */
static void test_arrival_rate(void **state)
{
    (void)state;
    qt f;
    qt_open(&f, "queue:\n  arrivals: {per_week: 35}\n  servers: 10\n  service_days: 0.5\n", 364,
            0);
    sim_record *rec = qt_run(&f, 1, 0);
    int ia = qt_metric(&f, "arrivals");
    double n = 0;
    for (size_t k = 0; k < sim_monitor_time_count(f.mon); k++)
        n += sim_record_get(rec, ia, k, 0);
    double mean = 5 * 364.0;
    if (fabs(n - mean) > 4 * sqrt(mean))
        fail_msg("arrivals %g, expected %g (Poisson sd %g)", n, mean, sqrt(mean));
    assert_float_equal(sim_record_get(rec, qt_metric(&f, "throughput_per_day"), 0, 0), n / 364,
                       1e-9);
    sim_record_free(rec);
    qt_close(&f);
}

/*
 * M/G/1 with gamma service (mean 0.8, sd 0.4 days) and 1 arrival a day: Pollaczek-
 * Khinchine, Wq = lambda E[S^2] / (2 (1 - rho)) = 0.8 / 0.4 = 2.0 days (1.6 if the
 * service took its mean every time).
 */
static void test_service_distribution(void **state)
{
    (void)state;
    qt f;
    qt_open(&f,
            "queue:\n  arrivals: {per_day: 1}\n  servers: 1\n"
            "  service_days: {gamma: {mean: 0.8, sd: 0.4}}\n",
            4000, 200);
    sim_summary s = qt_summary(&f, 20, 2, "mean_wait_days", "all");
    assert_true(tu_within("M/G/1 mean wait", s.mean, 2.0, s.half_width, 1.5));
    qt_close(&f);
}

/* Two servers: M/M/2 at rho 0.8, Wq = C(2, 1.6) / (2 - 1.6) = 1.7778 days. */
static void test_constant_servers(void **state)
{
    (void)state;
    qt f;
    qt_open(&f,
            "queue:\n  arrivals: {per_day: 1.6}\n  servers: 2\n"
            "  service_days: {exponential: {mean: 1}}\n",
            4000, 200);
    sim_summary s = qt_summary(&f, 20, 3, "mean_wait_days", "all");
    double a = 1.6, b = a / (1 + a);
    b = a * b / (2 + a * b);
    double c = b / (1 - a / 2 * (1 - b));
    assert_true(tu_within("M/M/2 mean wait", s.mean, c / (2 - a), s.half_width, 1.5));
    qt_close(&f);
}

/*
 * One server on Mondays 08:00-16:00 only, near-instant service, one arrival a day: a
 * customer arriving u days after Monday 08:00 waits 0 if u < 1/3, else 7 - u, so the mean
 * wait is (20/3)^2 / 2 / 7 = 3.1746 days (plus a few minutes' queue on Monday mornings).
 */
static void test_shift_servers(void **state)
{
    (void)state;
    qt f;
    qt_open(&f,
            "queue:\n  arrivals: {per_day: 1}\n"
            "  servers: [{days: [mon], from: \"08:00\", to: \"16:00\", servers: 1}]\n"
            "  service_days: 0.0001\n",
            7 * 300, 0);
    sim_summary s = qt_summary(&f, 10, 4, "mean_wait_days", "all");
    double w = (20.0 / 3) * (20.0 / 3) / 2 / 7;
    assert_true(tu_within("wait for Monday's shift", s.mean, w, fmax(s.half_width, 0.01), 1.5));
    /* Utilisation is over the server's 8 hours a week, not over all hours. */
    sim_record *rec = qt_run(&f, 4, 0);
    double util = sim_record_get(rec, qt_metric(&f, "utilisation"), 0, 0);
    double busy = sim_record_get(rec, qt_metric(&f, "customers"), 0, 0) * 0.0001;
    assert_float_equal(util, busy / (300 / 3.0), 0.002);
    sim_record_free(rec);
    qt_close(&f);
}

/* Class shares: a fifth of arrivals are urgent, each drawn independently. */
static void test_class_shares(void **state)
{
    (void)state;
    qt f;
    qt_open(&f,
            "queue:\n  arrivals: {per_day: 10}\n  servers: 20\n  service_days: 0.5\n"
            "  classes:\n    - {name: urgent, share: 20%}\n    - {name: routine, share: 0.8}\n",
            364, 0);
    sim_record *rec = qt_run(&f, 5, 0);
    int ia = qt_metric(&f, "arrivals");
    size_t gu = qt_class(&f, "urgent"), gr = qt_class(&f, "routine");
    double u = 0, r = 0;
    for (size_t k = 0; k < sim_monitor_time_count(f.mon); k++) {
        u += sim_record_get(rec, ia, k, gu);
        r += sim_record_get(rec, ia, k, gr);
    }
    double n = u + r, sd = sqrt(n * 0.2 * 0.8);
    if (fabs(u - 0.2 * n) > 4 * sd)
        fail_msg("urgent arrivals %g of %g, expected %g (sd %g)", u, n, 0.2 * n, sd);
    sim_record_free(rec);
    qt_close(&f);
}

/*
 * Priorities: one server, exponential service (mean 1), 0.8 arrivals a day, the urgent
 * class (priority 1, a quarter) ahead of the routine one (priority 2). Cobham:
 * W1 = W0 / (1 - s1) = 0.8 / 0.8 = 1.0 day; W2 = W0 / ((1 - s1)(1 - s1 - s2)) = 5.0 days.
 * Listed routine first, so the order of the list is not what ranks them.
 */
static void test_class_priorities(void **state)
{
    (void)state;
    qt f;
    qt_open(&f,
            "queue:\n  arrivals: {per_day: 0.8}\n  servers: 1\n"
            "  service_days: {exponential: {mean: 1}}\n"
            "  classes:\n    - {name: routine, share: 0.75, priority: 2}\n"
            "    - {name: urgent, share: 0.25, priority: 1}\n",
            3000, 300);
    sim_summary w1 = qt_summary(&f, 20, 6, "mean_wait_days", "urgent");
    sim_summary w2 = qt_summary(&f, 20, 6, "mean_wait_days", "routine");
    assert_true(tu_within("urgent wait", w1.mean, 1.0, w1.half_width, 1.5));
    assert_true(tu_within("routine wait", w2.mean, 5.0, w2.half_width, 1.5));
    qt_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrival_rate),      cmocka_unit_test(test_service_distribution),
        cmocka_unit_test(test_constant_servers),  cmocka_unit_test(test_shift_servers),
        cmocka_unit_test(test_class_shares),      cmocka_unit_test(test_class_priorities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
