/*
 * tests/test_mmc.c: the engine and sim_resource reproduce M/M/c queueing theory.
 *
 * For each (c, load) the mean wait in queue over 20 independent replications is compared
 * with Erlang C (docs/domain.md: B by the Erlang B recursion, C = B / (1 - rho (1 - B)),
 * Wq = C / (c mu - lambda)), the time-average queue length with Little's law
 * Lq = lambda Wq, and the mean number busy with lambda / mu, each within 1.5 times the 95%
 * Student t half-width across replications. Each replication has arrivals for RUN_LENGTH
 * time units after a warm-up of WARMUP (discarded); a customer counts if it arrives after
 * the warm-up, and those still queueing at the end are served (no new arrivals) so that
 * their waits count too. Little's law is also checked exactly on each sample path: the
 * queue-length area since the warm-up equals the queueing time customers spent in it.
 *
 * The seeds are fixed, so the test is deterministic; with 20 checks at 1.5 half-widths a
 * seed set can miss by chance (about 1% a check). The first set tried for M/M/1 at 0.8
 * (2000-2019) put the busy-server mean 1.52 half-widths below 0.8; 200 replications give
 * 0.7995 +/- 0.0009 and every other figure within its interval, so that seed set was moved.
 *
 * Random numbers come from gsl_rng_mt19937, one seed per (case, replication), so this test
 * checks the engine independently of the project's Philox streams (sim/core/rng.c).
 */
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "core/engine.h"
#include "core/resource.h"
#include "core/stats.h"

#define REPLICATIONS 20
#define WARMUP 1000.0
#define RUN_LENGTH 40000.0

typedef struct mmc {
    gsl_rng *rng;
    sim_resource *servers;
    double lambda, mu, end;
    sim_tally wait;
    double queued_after_warmup; /* total time customers spent queueing after the warm-up */
} mmc;

static uint64_t time_bits(double t)
{
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return u;
}

static double bits_time(uint64_t u)
{
    double t;
    memcpy(&t, &u, sizeof t);
    return t;
}

static void depart(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    mmc *m = ctx;
    sim_resource_release(m->servers);
}

/* The entity is the customer's arrival time. */
static void grant(sim_engine *e, void *ctx, uint64_t entity)
{
    mmc *m = ctx;
    double arrived = bits_time(entity);
    if (arrived >= WARMUP)
        sim_tally_add(&m->wait, sim_now(e) - arrived);
    if (sim_now(e) > WARMUP)
        m->queued_after_warmup += sim_now(e) - (arrived > WARMUP ? arrived : WARMUP);
    sim_schedule_in(e, gsl_ran_exponential(m->rng, 1.0 / m->mu), depart, m, 0);
}

static void arrive(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)arg;
    mmc *m = ctx;
    double next = sim_now(e) + gsl_ran_exponential(m->rng, 1.0 / m->lambda);
    if (next <= m->end)
        sim_schedule_at(e, next, arrive, m, 0);
    assert_int_equal(sim_resource_request(m->servers, time_bits(sim_now(e)), 0, grant, m), 0);
}

static void end_warmup(sim_engine *e, void *ctx, uint64_t arg)
{
    (void)e;
    (void)arg;
    mmc *m = ctx;
    sim_resource_restart_stats(m->servers);
}

static double erlang_c_wq(int c, double lambda, double mu)
{
    double a = lambda / mu, b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    double rho = a / c;
    double cw = b / (1.0 - rho * (1.0 - b));
    return cw / (c * mu - lambda);
}

static void check_case(int c, double load, unsigned long seed_base)
{
    const double mu = 1.0, lambda = load * c * mu;
    double wq[REPLICATIONS], lq[REPLICATIONS], busy[REPLICATIONS];
    for (int r = 0; r < REPLICATIONS; r++) {
        mmc m = {.lambda = lambda, .mu = mu, .end = WARMUP + RUN_LENGTH};
        m.rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(m.rng, seed_base + (unsigned long)r);
        sim_engine *e = sim_engine_alloc(64);
        m.servers = sim_resource_alloc(e, NULL, c, NULL);
        assert_true(m.rng && e && m.servers);
        sim_tally_init(&m.wait);
        sim_schedule_in(e, gsl_ran_exponential(m.rng, 1.0 / lambda), arrive, &m, 0);
        sim_schedule_at(e, WARMUP, end_warmup, &m, 0);
        sim_run_until(e, WARMUP + RUN_LENGTH);
        lq[r] = sim_resource_mean_queue(m.servers);
        busy[r] = sim_resource_mean_busy(m.servers);
        /*
         * Arrivals have stopped: serve everyone still waiting, so every customer's wait is
         * known. Then Little's law holds exactly on the sample path: the area under the
         * queue length since the warm-up equals the time customers spent queueing in it.
         */
        sim_run_until(e, INFINITY);
        assert_int_equal(sim_resource_queue_length(m.servers), 0);
        wq[r] = sim_tally_mean(&m.wait);
        double area = sim_resource_mean_queue(m.servers) * (sim_now(e) - WARMUP);
        assert_float_equal(area, m.queued_after_warmup, 1e-9 * area);
        sim_resource_free(m.servers);
        sim_engine_free(e);
        gsl_rng_free(m.rng);
    }
    double expect = erlang_c_wq(c, lambda, mu);
    sim_summary sw, sl, sb;
    sim_summarise(wq, REPLICATIONS, &sw);
    sim_summarise(lq, REPLICATIONS, &sl);
    sim_summarise(busy, REPLICATIONS, &sb);
    char what[128];
    print_message("M/M/%d load %.1f: Wq %.5f +/- %.5f (Erlang C %.5f), Lq %.5f +/- %.5f "
                  "(lambda Wq %.5f), busy %.4f +/- %.4f (%.4f)\n",
                  c, load, sw.mean, sw.half_width, expect, sl.mean, sl.half_width,
                  lambda * expect, sb.mean, sb.half_width, lambda / mu);
    snprintf(what, sizeof what, "M/M/%d load %.1f mean wait in queue", c, load);
    assert_true(tu_within(what, sw.mean, expect, sw.half_width, 1.5));
    snprintf(what, sizeof what, "M/M/%d load %.1f mean queue length vs lambda Wq", c, load);
    assert_true(tu_within(what, sl.mean, lambda * expect, sl.half_width, 1.5));
    snprintf(what, sizeof what, "M/M/%d load %.1f mean busy servers", c, load);
    assert_true(tu_within(what, sb.mean, lambda / mu, sb.half_width, 1.5));
    /* The intervals must be informative, not wide enough to pass anything. */
    assert_true(sw.half_width < 0.1 * expect);
}

static void test_erlang_c_reference(void **state)
{
    (void)state;
    /* M/M/10 at load 0.9, mu = 1: Wq = 0.668732 (the figure the engine is benchmarked on). */
    assert_float_equal(erlang_c_wq(10, 9.0, 1.0), 0.668732, 5e-7);
    /* M/M/1: Wq = rho / (mu - lambda): 0.5 / 0.5 = 1, 0.8 / 0.2 = 4. */
    assert_float_equal(erlang_c_wq(1, 0.5, 1.0), 1.0, 1e-12);
    assert_float_equal(erlang_c_wq(1, 0.8, 1.0), 4.0, 1e-12);
}

static void test_mm1_half(void **state)
{
    (void)state;
    check_case(1, 0.5, 1000);
}

static void test_mm1_08(void **state)
{
    (void)state;
    check_case(1, 0.8, 2100);
}

static void test_mm3_half(void **state)
{
    (void)state;
    check_case(3, 0.5, 3000);
}

static void test_mm3_08(void **state)
{
    (void)state;
    check_case(3, 0.8, 4000);
}

static void test_mm10_09(void **state)
{
    (void)state;
    check_case(10, 0.9, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erlang_c_reference), cmocka_unit_test(test_mm1_half),
        cmocka_unit_test(test_mm1_08),             cmocka_unit_test(test_mm3_half),
        cmocka_unit_test(test_mm3_08),             cmocka_unit_test(test_mm10_09),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
