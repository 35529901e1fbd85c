/*
 * tests/test_rng.c: the Philox generator and named streams.
 *
 * Known answers come from Random123's kat_vectors file (philox4x64, 10 rounds); the
 * wrapper is checked against Random123 called directly with the documented key and
 * counter layout, so a change of layout (which would change every result) fails here.
 * Statistical checks run at fixed seeds with bounds at about 3 standard errors.
 */
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <Random123/philox.h>

#include "core/rng.h"

static void test_known_answer(void **state)
{
    (void)state;
    philox4x64_ctr_t c = {{0, 0, 0, 0}};
    philox4x64_key_t k = {{0, 0}};
    philox4x64_ctr_t v = philox4x64_R(10, c, k);
    assert_true(v.v[0] == UINT64_C(0x16554d9eca36314c));
    assert_true(v.v[1] == UINT64_C(0xdb20fe9d672d0fdc));
    assert_true(v.v[2] == UINT64_C(0xd7e772cee186176b));
    assert_true(v.v[3] == UINT64_C(0x7e68b68aec7ba23b));

    /* The "pi digits" vector of kat_vectors. */
    philox4x64_ctr_t c2 = {{UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344),
                            UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89)}};
    philox4x64_key_t k2 = {{UINT64_C(0x452821e638d01377), UINT64_C(0xbe5466cf34e90c6c)}};
    v = philox4x64_R(10, c2, k2);
    assert_true(v.v[0] == UINT64_C(0xa528f45403e61d95));
    assert_true(v.v[1] == UINT64_C(0x38c72dbd566e9788));
    assert_true(v.v[2] == UINT64_C(0xa5a1610e72fd18b5));
    assert_true(v.v[3] == UINT64_C(0x57bd43b5e52b7fe6));
}

/* The wrapper returns the documented words of the documented blocks. */
static void test_wrapper_layout(void **state)
{
    (void)state;
    const uint64_t seed = 20230401, rep = 7, entity = 12345;
    const uint64_t sid = sim_stream_id("case-minutes/IPS");
    gsl_rng *r = gsl_rng_alloc(sim_rng_philox);
    assert_non_null(r);
    assert_string_equal(gsl_rng_name(r), "sim_philox");
    assert_true(gsl_rng_max(r) == 0xffffffffUL);
    assert_true(gsl_rng_min(r) == 0);
    sim_rng_seek(r, seed, rep, sid, entity);
    for (uint64_t block = 0; block < 3; block++) {
        philox4x64_ctr_t c = {{block, rep, sid, entity}};
        philox4x64_key_t k = {{seed, SIM_RNG_KEY1}};
        philox4x64_ctr_t v = philox4x64_R(10, c, k);
        for (int i = 0; i < 4; i++) {
            assert_true(gsl_rng_get(r) == (v.v[i] & 0xffffffffu));
            assert_true(gsl_rng_get(r) == (v.v[i] >> 32));
        }
    }
    /* A double is two outputs, the first as the high half. */
    sim_rng_seek(r, seed, rep, sid, entity);
    uint32_t hi = (uint32_t)gsl_rng_get(r), lo = (uint32_t)gsl_rng_get(r);
    sim_rng_seek(r, seed, rep, sid, entity);
    double u = gsl_rng_uniform(r);
    assert_true(u == sim_rng_u01(hi, lo));

    /* gsl_rng_set(seed) is key = seed and everything else zero. */
    gsl_rng_set(r, 99);
    philox4x64_ctr_t c = {{0, 0, 0, 0}};
    philox4x64_key_t k = {{99, SIM_RNG_KEY1}};
    philox4x64_ctr_t v = philox4x64_R(10, c, k);
    assert_true(gsl_rng_get(r) == (v.v[0] & 0xffffffffu));
    gsl_rng_free(r);
}

/*
 * sim_rng_next64 reads the two 32-bit outputs gsl_rng_get would return next, high word
 * first, from any position: even and odd offsets, and across the end of a block.
 */
static void test_next64(void **state)
{
    (void)state;
    gsl_rng *a = sim_rng_alloc(99, 2, "test/next64");
    gsl_rng *b = sim_rng_alloc(99, 2, "test/next64");
    assert_non_null(a);
    assert_non_null(b);
    for (int k = 0; k < 50; k++) {
        if (k % 7 == 3) {
            /* One 32-bit draw between, so the next pair starts at an odd offset. */
            assert_true(gsl_rng_get(a) == gsl_rng_get(b));
            continue;
        }
        uint64_t hi = gsl_rng_get(b);
        uint64_t lo = gsl_rng_get(b);
        assert_true(sim_rng_next64(a) == (hi << 32 | lo));
    }
    /* The same bits as gsl_rng_uniform: two draws convert to the same double. */
    sim_rng_set_entity(a, 5);
    sim_rng_set_entity(b, 5);
    uint64_t x = sim_rng_next64(a);
    assert_true(sim_rng_u01((uint32_t)(x >> 32), (uint32_t)x) == gsl_rng_uniform(b));
    gsl_rng_free(a);
    gsl_rng_free(b);
}

/*
 * The inline draws give GSL's values bit for bit, from every offset in a block (each kind
 * of draw mixed with single 32-bit draws, so pairs start at odd offsets and cross blocks),
 * including uniform_int's rejection (n just above 2^31 rejects about half the outputs)
 * and, on another kind of generator, by calling GSL.
 */
static void test_inline_draws(void **state)
{
    (void)state;
    gsl_rng *a = sim_rng_alloc(7, 1, "test/inline");
    gsl_rng *b = sim_rng_alloc(7, 1, "test/inline");
    assert_non_null(a);
    assert_non_null(b);
    const unsigned long ns[] = {1, 2, 3, 7, 1000, 2147483649UL, 4294967295UL};
    int rejected = 0;
    for (int k = 0; k < 20000; k++) {
        switch (k % 5) {
        case 0: assert_true(sim_rng_uniform(a) == gsl_rng_uniform(b)); break;
        case 1: assert_true(sim_rng_uniform_pos(a) == gsl_rng_uniform_pos(b)); break;
        case 2: assert_true(sim_rng_exponential(a, 2.5) == gsl_ran_exponential(b, 2.5)); break;
        case 3: {
            unsigned long n = ns[(k / 5) % 7];
            gsl_rng *c = gsl_rng_clone(b);
            unsigned long v = gsl_rng_uniform_int(b, n);
            assert_true(sim_rng_uniform_int(a, n) == v);
            /* A rejection when the first output of the clone does not give v. */
            rejected += gsl_rng_get(c) / (0xffffffffUL / n) != v;
            gsl_rng_free(c);
            break;
        }
        default: assert_true(sim_rng_next32(a) == gsl_rng_get(b)); break;
        }
    }
    assert_true(rejected > 100);
    assert_true(sim_rng_next64(a) == sim_rng_next64(b)); /* still in step */
    gsl_rng *m = gsl_rng_alloc(gsl_rng_mt19937), *n = gsl_rng_alloc(gsl_rng_mt19937);
    for (int k = 0; k < 100; k++) {
        assert_true(sim_rng_uniform(m) == gsl_rng_uniform(n));
        assert_true(sim_rng_exponential(m, 1.0) == gsl_ran_exponential(n, 1.0));
        assert_true(sim_rng_uniform_int(m, 10) == gsl_rng_uniform_int(n, 10));
    }
    gsl_rng_free(m);
    gsl_rng_free(n);
    gsl_rng_free(a);
    gsl_rng_free(b);
}

static void test_stream_id(void **state)
{
    (void)state;
    /* FNV-1a("") is the offset basis and FNV-1a("a") = 0xaf63dc4c8601ec8c (published test
     * vectors), each followed by the splitmix64 finaliser. */
    assert_true(sim_stream_id("") == UINT64_C(0xf52a15e9a9b5e89b));
    assert_true(sim_stream_id("a") == UINT64_C(0x02c0bdbf481420f8));
    assert_true(sim_stream_id("arrivals/WSFT/trauma-orthopaedics") ==
                UINT64_C(0x461bc551b55889cb));
    assert_true(sim_stream_id("arrivals/WSFT") != sim_stream_id("arrivals/WSFU"));
}

static void draw(gsl_rng *r, uint32_t *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (uint32_t)gsl_rng_get(r);
}

static void test_same_and_different(void **state)
{
    (void)state;
    enum { N = 100 };
    uint32_t a[N], b[N];
    gsl_rng *r1 = sim_rng_alloc(1, 3, "arrivals/WSFT");
    gsl_rng *r2 = sim_rng_alloc(1, 3, "arrivals/WSFT");
    assert_non_null(r1);
    assert_non_null(r2);
    draw(r1, a, N);
    draw(r2, b, N);
    assert_memory_equal(a, b, sizeof a);

    /* Different stream, replication, seed or entity: different numbers. */
    gsl_rng *r = gsl_rng_alloc(sim_rng_philox);
    uint64_t sid = sim_stream_id("arrivals/WSFT");
    const uint64_t variants[][4] = {
        {1, 3, sim_stream_id("arrivals/ESNEFT"), 0}, {1, 4, sid, 0}, {2, 3, sid, 0},
        {1, 3, sid, 1}};
    for (size_t i = 0; i < 4; i++) {
        sim_rng_seek(r, variants[i][0], variants[i][1], variants[i][2], variants[i][3]);
        draw(r, b, N);
        int same = 0;
        for (int j = 0; j < N; j++)
            same += a[j] == b[j];
        assert_true(same < 3);
    }
    /* Seeking back reproduces the start. */
    sim_rng_seek(r, 1, 3, sid, 0);
    draw(r, b, N);
    assert_memory_equal(a, b, sizeof a);

    /* set_entity keeps seed, replication and stream. */
    sim_rng_seek(r, 1, 3, sid, 42);
    draw(r, a, N);
    sim_rng_seek(r, 1, 3, sid, 0);
    draw(r, b, 13);
    sim_rng_set_entity(r, 42);
    draw(r, b, N);
    assert_memory_equal(a, b, sizeof a);
    gsl_rng_free(r);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

/* Replication 5 sees the same numbers whatever was drawn before it. */
static void test_replication_independence(void **state)
{
    (void)state;
    enum { N = 1000 };
    static uint32_t alone[N], after[N];
    gsl_rng *r = sim_rng_alloc(42, 5, "los/virtual-ward");
    draw(r, alone, N);
    gsl_rng_free(r);

    r = gsl_rng_alloc(sim_rng_philox);
    uint32_t scratch[777];
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rng_seek(r, 42, rep, sim_stream_id("los/virtual-ward"), 0);
        draw(r, scratch, 777);
        sim_rng_seek(r, 42, rep, sim_stream_id("arrivals/other"), 0);
        draw(r, scratch, 333);
    }
    sim_rng_seek(r, 42, 5, sim_stream_id("los/virtual-ward"), 0);
    draw(r, after, N);
    assert_memory_equal(alone, after, sizeof alone);
    gsl_rng_free(r);
}

static void test_uniform_moments_and_range(void **state)
{
    (void)state;
    const int n = 2000000;
    gsl_rng *r = sim_rng_alloc(7, 0, "uniform");
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        double u = gsl_rng_uniform(r);
        assert_true(u >= 0 && u < 1);
        sum += u;
        sum2 += u * u;
        if (u < lo)
            lo = u;
        if (u > hi)
            hi = u;
        double p = gsl_rng_uniform_pos(r);
        assert_true(p > 0 && p < 1);
    }
    double mean = sum / n;
    double var = (sum2 - n * mean * mean) / (n - 1);
    /* Standard errors: sqrt(1/12 / n) for the mean; for the variance sqrt((mu4 - s^4) / n)
     * with the uniform's fourth central moment mu4 = 1/80. */
    assert_true(tu_within("uniform mean", mean, 0.5, 1.96 * sqrt(1.0 / 12 / n), 1.5));
    assert_true(tu_within("uniform variance", var, 1.0 / 12,
                          1.96 * sqrt((1.0 / 80 - 1.0 / 144) / n), 1.5));
    /* The smallest and largest of 2e6 draws are within about 1e-5 of the ends. */
    assert_true(lo < 1e-5);
    assert_true(hi > 1 - 1e-5);

    /* The conversion's extremes. */
    assert_true(sim_rng_u01(0, 0) == 0.0);
    assert_true(sim_rng_u01(0xffffffffu, 0xffffffffu) < 1.0);
    assert_true(sim_rng_u01(0xffffffffu, 0xffffffffu) == 1.0 - 0x1.0p-53);
    /* The resolution is 2^-53: the low bits of the second word reach the double. */
    assert_true(sim_rng_u01(0, 0x800) == 0x1.0p-53);

    /* All 32 bits of gsl_rng_get vary. */
    uint32_t any = 0, all = 0xffffffffu;
    for (int i = 0; i < 1000; i++) {
        uint32_t x = (uint32_t)gsl_rng_get(r);
        any |= x;
        all &= x;
    }
    assert_true(any == 0xffffffffu);
    assert_true(all == 0);
    gsl_rng_free(r);
}

static void test_chi_square_64_bins(void **state)
{
    (void)state;
    enum { BINS = 64 };
    const int n = 1000000;
    unsigned long count[BINS] = {0};
    gsl_rng *r = sim_rng_alloc(2024, 11, "chi-square");
    for (int i = 0; i < n; i++)
        count[(int)(gsl_rng_uniform(r) * BINS)]++;
    double e = (double)n / BINS, x2 = 0;
    for (int b = 0; b < BINS; b++)
        x2 += (count[b] - e) * (count[b] - e) / e;
    double p = gsl_cdf_chisq_Q(x2, BINS - 1);
    if (p < 0.001 || p > 0.999)
        fail_msg("chi-square %g on 63 df, p = %g", x2, p);

    /* The top byte of gsl_rng_get, on 256 bins. */
    unsigned long c256[256] = {0};
    for (int i = 0; i < n; i++)
        c256[gsl_rng_get(r) >> 24]++;
    e = (double)n / 256;
    x2 = 0;
    for (int b = 0; b < 256; b++)
        x2 += (c256[b] - e) * (c256[b] - e) / e;
    p = gsl_cdf_chisq_Q(x2, 255);
    if (p < 0.001 || p > 0.999)
        fail_msg("chi-square %g on 255 df, p = %g", x2, p);
    gsl_rng_free(r);
}

static void test_gsl_ran_functions(void **state)
{
    (void)state;
    const int n = 500000;
    gsl_rng *r = sim_rng_alloc(3, 1, "gaussian");
    double s = 0, s2 = 0, se = 0;
    unsigned long below = 0;
    for (int i = 0; i < n; i++) {
        double z = gsl_ran_gaussian(r, 1.0);
        s += z;
        s2 += z * z;
        se += gsl_ran_exponential(r, 2.0);
        below += gsl_rng_uniform_int(r, 10) < 3;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    assert_true(tu_within("gaussian mean", mean, 0, 1.96 / sqrt(n), 1.5));
    /* For a normal, Var(s^2) = 2 sigma^4 / n. */
    assert_true(tu_within("gaussian variance", var, 1, 1.96 * sqrt(2.0 / n), 1.5));
    assert_true(tu_within("exponential mean", se / n, 2.0, 1.96 * 2.0 / sqrt(n), 1.5));
    assert_true(tu_within("uniform_int share", (double)below / n, 0.3,
                          1.96 * sqrt(0.3 * 0.7 / n), 1.5));
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_wrapper_layout),
        cmocka_unit_test(test_next64),
        cmocka_unit_test(test_inline_draws),
        cmocka_unit_test(test_stream_id),
        cmocka_unit_test(test_same_and_different),
        cmocka_unit_test(test_replication_independence),
        cmocka_unit_test(test_uniform_moments_and_range),
        cmocka_unit_test(test_chi_square_64_bins),
        cmocka_unit_test(test_gsl_ran_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
