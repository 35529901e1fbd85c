/*
 * tests/test_bigmem.c: storage for large arrays on huge pages (sim/core/bigmem.h).
 *
 * Every block is line-aligned and usable to its capacity without touching another (blocks
 * of every kind filled with their own pattern, checked after all are written); a resize
 * keeps the contents across kinds (malloc, slab, own mapping); a freed block is reused by
 * its class; a slab whose blocks are all freed is unmapped while another of its class has
 * room (mincore on its address fails); blocks taken and freed from two threads at once keep
 * their contents; and, where the kernel offers transparent huge pages, a slab's block is on
 * one (its mapping's AnonHugePages in /proc/self/smaps). Under AddressSanitizer every block
 * is malloc's, and the tests of slabs are skipped.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/bigmem.h"

#define MIB ((size_t)1 << 20)

static void fill(void *p, size_t n, unsigned seed)
{
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)(seed * 131u + i * 7u + (i >> 12));
}

static int intact(const void *p, size_t n, unsigned seed)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(seed * 131u + i * 7u + (i >> 12)))
            return 0;
    return 1;
}

static void test_capacity(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 63, 64, 4000, 4033, 4096, 8128, 8129, 100000, 131008,
                            SIM_BIG_SLAB_MAX, SIM_BIG_SLAB_MAX + 1, 2 * MIB, 5 * MIB,
                            40 * MIB + 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        size_t c = sim_big_capacity(sizes[i]);
        assert_true(c >= sizes[i]);
        assert_int_equal(c % 64, 0);
        /* The capacity names the same block as the size asked for. */
        assert_int_equal(sim_big_capacity(c), c);
        assert_int_equal(sim_big_placed(c), sim_big_placed(sizes[i]));
    }
    assert_false(sim_big_placed(100));
    if (sim_big_placed(MIB)) {
        /* Slab classes two to a doubling; above a slab, whole huge pages. */
        assert_int_equal(sim_big_capacity(5000), 8128);
        assert_int_equal(sim_big_capacity(8129), 10880);
        assert_int_equal(sim_big_capacity(10881), 16320);
        assert_int_equal(sim_big_capacity(SIM_BIG_SLAB_MAX), SIM_BIG_SLAB_MAX);
        assert_int_equal(sim_big_capacity(SIM_BIG_SLAB_MAX + 1), 2 * MIB);
        assert_int_equal(sim_big_capacity(40 * MIB + 1), 42 * MIB);
    }
}

static void test_blocks_disjoint(void **state)
{
    (void)state;
    enum { N = 40 };
    size_t size[N];
    void *p[N];
    for (int i = 0; i < N; i++) {
        /* Every kind: small, each slab class several times over, own mappings. */
        size[i] = i % 8 == 7 ? 3 * MIB + (size_t)i * 4096 : (size_t)100 << (i % 8 * 2);
        p[i] = sim_big_alloc(size[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 64, 0);
        fill(p[i], sim_big_capacity(size[i]), (unsigned)i);
    }
    for (int i = 0; i < N; i++) {
        assert_true(intact(p[i], sim_big_capacity(size[i]), (unsigned)i));
        /* Freed with its capacity or with the size asked for: the same block. */
        sim_big_free(p[i], i % 2 ? sim_big_capacity(size[i]) : size[i]);
    }
}

static void test_realloc_keeps_contents(void **state)
{
    (void)state;
    /* Through every kind and back: malloc, slab classes, own mapping, slab, malloc. */
    const size_t steps[] = {1000, 3000, 5000, 20000, 600000, 2 * MIB - 64, 40 * MIB,
                            3 * MIB, 200000, 2000, 500};
    size_t n = 700;
    void *p = sim_big_alloc(n);
    assert_non_null(p);
    fill(p, n, 5);
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        size_t m = steps[i];
        void *q = sim_big_realloc(p, n, m);
        assert_non_null(q);
        assert_int_equal((uintptr_t)q % 64, 0);
        size_t kept = n < m ? n : m;
        assert_true(intact(q, kept, 5));
        fill(q, m, 5);
        p = q;
        n = m;
    }
    sim_big_free(p, n);
    /* From nothing. */
    p = sim_big_realloc(NULL, 0, 10000);
    assert_non_null(p);
    sim_big_free(p, 10000);
    sim_big_free(NULL, 12345);
}

static void test_freed_block_reused(void **state)
{
    (void)state;
    if (!sim_big_placed(100000))
        skip();
    void *a = sim_big_alloc(100000);
    void *b = sim_big_alloc(100000);
    assert_non_null(a);
    assert_non_null(b);
    sim_big_free(a, 100000);
    void *c = sim_big_alloc(90000); /* the same class */
    assert_ptr_equal(c, a);
    /* A block grown within its capacity stays where it is. */
    assert_ptr_equal(sim_big_realloc(c, 90000, sim_big_capacity(100000)), c);
    sim_big_free(b, 100000);
    sim_big_free(c, 100000);
}

static int mapped(const void *p)
{
    unsigned char v;
    long page = sysconf(_SC_PAGESIZE);
    void *at = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));
    return mincore(at, (size_t)page, &v) == 0;
}

static void test_empty_slab_unmapped(void **state)
{
    (void)state;
    if (!sim_big_placed(MIB))
        skip();
    /* Blocks of 1 MiB - 64: two a slab. Three of them fill one slab and start another. */
    size_t sz = MIB - 64;
    void *a = sim_big_alloc(sz), *b = sim_big_alloc(sz), *c = sim_big_alloc(sz);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    fill(a, sz, 1);
    fill(b, sz, 2);
    fill(c, sz, 3);
    /* Two slabs in all: one of the three is alone on its slab. */
    void *alone = ((uintptr_t)a & ~(2 * MIB - 1)) == ((uintptr_t)b & ~(2 * MIB - 1)) ? c
                  : ((uintptr_t)a & ~(2 * MIB - 1)) == ((uintptr_t)c & ~(2 * MIB - 1)) ? b
                                                                                     : a;
    void *pair[2];
    int k = 0;
    if (alone != a)
        pair[k++] = a;
    if (alone != b)
        pair[k++] = b;
    if (alone != c)
        pair[k++] = c;
    assert_int_equal(k, 2);
    /* Emptying the full slab while the other has room: its memory goes back. */
    sim_big_free(pair[0], sz);
    assert_true(mapped(pair[1]));
    sim_big_free(pair[1], sz);
    assert_false(mapped(pair[1]));
    assert_false(mapped(pair[0]));
    assert_true(intact(alone, sz, alone == a ? 1 : alone == b ? 2 : 3));
    sim_big_free(alone, sz);
}

typedef struct worker {
    unsigned seed;
    int ok;
} worker;

static void *churn(void *arg)
{
    worker *w = arg;
    enum { SLOTS = 16, ROUNDS = 400 };
    void *p[SLOTS] = {0};
    size_t n[SLOTS] = {0};
    unsigned x = w->seed;
    w->ok = 1;
    for (int r = 0; r < ROUNDS; r++) {
        x = x * 1103515245u + 12345u;
        int s = (int)(x >> 16) % SLOTS;
        if (p[s]) {
            if (!intact(p[s], n[s], w->seed + (unsigned)s))
                w->ok = 0;
            sim_big_free(p[s], n[s]);
            p[s] = NULL;
        } else {
            n[s] = (size_t)5000 << ((x >> 8) % 7); /* 5 kB .. 320 kB: slab classes */
            if (!(p[s] = sim_big_alloc(n[s])))
                w->ok = 0;
            else
                fill(p[s], n[s], w->seed + (unsigned)s);
        }
    }
    for (int s = 0; s < SLOTS; s++)
        if (p[s]) {
            if (!intact(p[s], n[s], w->seed + (unsigned)s))
                w->ok = 0;
            sim_big_free(p[s], n[s]);
        }
    return NULL;
}

static void test_two_threads(void **state)
{
    (void)state;
    worker w[2] = {{.seed = 11}, {.seed = 29}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, churn, &w[0]), 0);
    churn(&w[1]);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(w[0].ok);
    assert_true(w[1].ok);
}

/* The kernel's transparent huge page policy: "always", "madvise" or "never" (or NULL). */
static const char *thp_policy(char *buf, size_t n)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return NULL;
    char line[128];
    const char *r = NULL;
    if (fgets(line, sizeof line, f)) {
        char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
        if (a && b && (size_t)(b - a) < n) {
            memcpy(buf, a + 1, (size_t)(b - a - 1));
            buf[b - a - 1] = '\0';
            r = buf;
        }
    }
    fclose(f);
    return r;
}

/* AnonHugePages (kB) of the mapping that holds p, from /proc/self/smaps; -1 if not found. */
static long anon_huge_kb(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int inside = 0;
    long kb = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
            inside = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
            break;
    }
    fclose(f);
    return inside ? kb : -1;
}

static void test_on_huge_pages(void **state)
{
    (void)state;
    char policy[32];
    if (!sim_big_placed(MIB) || !thp_policy(policy, sizeof policy) ||
        strcmp(policy, "never") == 0)
        skip();
    /* A whole slab's block: its first touch faults in the slab's one huge page. */
    size_t sz = 2 * MIB - 64;
    void *p = sim_big_alloc(sz);
    assert_non_null(p);
    memset(p, 1, sz);
    long kb = anon_huge_kb(p);
    if (kb < 2048)
        fprintf(stderr, "policy %s: AnonHugePages %ld kB at %p\n", policy, kb, p);
    assert_true(kb >= 2048);
    sim_big_free(p, sz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_blocks_disjoint),
        cmocka_unit_test(test_realloc_keeps_contents),
        cmocka_unit_test(test_freed_block_reused),
        cmocka_unit_test(test_empty_slab_unmapped),
        cmocka_unit_test(test_two_threads),
        cmocka_unit_test(test_on_huge_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
