/*
 * scripts/bench_memory.c: the latency of a random read, on 4 KiB pages and on the huge pages
 * of sim/core/bigmem.h (a benchmark, not a test; scripts/bench memory runs it).
 *
 * A pointer chase: one random cyclic permutation of the array's cache lines, each line
 * holding the index of the next, so that every load depends on the one before and none can
 * be prefetched. That is the access a national run's patient records and heap entries see.
 * For each size the chase runs on 4 KiB pages (madvise MADV_NOHUGEPAGE) and on sim_big_alloc
 * blocks, interleaved, RUNS times (default 3), and the medians and their ratio are printed.
 * Usage: build/bench_memory [MIB...]   (default 1 8 64 512)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/bigmem.h"

#define LINE 64
#define LOADS 20000000L

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Link the n lines of a into one random cycle (xorshift64 for the shuffle). */
static void link_cycle(uint64_t *a, size_t n)
{
    size_t *order = malloc(n * sizeof *order);
    if (!order) {
        fprintf(stderr, "bench_memory: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t x = 88172645463325252ull;
    for (size_t i = n - 1; i > 0; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % (i + 1));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        a[order[i] * (LINE / 8)] = order[(i + 1) % n] * (LINE / 8);
    free(order);
}

/* ns a load over an array of `bytes`, on huge pages or not. */
static double chase(size_t bytes, int huge)
{
    size_t n = bytes / LINE;
    uint64_t *a;
    if (huge) {
        a = sim_big_alloc(bytes);
    } else {
        a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a == MAP_FAILED)
            a = NULL;
#ifdef MADV_NOHUGEPAGE
        else
            (void)madvise(a, bytes, MADV_NOHUGEPAGE);
#endif
    }
    if (!a) {
        fprintf(stderr, "bench_memory: out of memory\n");
        exit(1);
    }
    link_cycle(a, n);
    uint64_t p = 0;
    for (long i = 0; i < LOADS / 10; i++) /* warm the caches and the TLB */
        p = a[p];
    double t0 = now_s();
    for (long i = 0; i < LOADS; i++)
        p = a[p];
    double dt = now_s() - t0;
    if (p == UINT64_MAX)
        puts("");
    if (huge)
        sim_big_free(a, bytes);
    else
        munmap(a, bytes);
    return 1e9 * dt / (double)LOADS;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int main(int argc, char **argv)
{
    static const int dflt[] = {1, 8, 64, 512};
    int runs = getenv("RUNS") ? atoi(getenv("RUNS")) : 3;
    if (runs < 1 || runs > 99)
        runs = 3;
    int n_sizes = argc > 1 ? argc - 1 : 4;
    printf("bench_memory: a dependent random read, ns (median of %d interleaved runs)\n", runs);
    printf("%8s %12s %12s %7s\n", "MiB", "4 KiB pages", "huge pages", "ratio");
    for (int k = 0; k < n_sizes; k++) {
        size_t mib = argc > 1 ? (size_t)strtoul(argv[k + 1], NULL, 10) : (size_t)dflt[k];
        if (mib == 0 || mib > 16384) {
            fprintf(stderr, "bench_memory: a size is 1 to 16384 MiB, got \"%s\"\n", argv[k + 1]);
            return 2;
        }
        double small[99], huge[99];
        for (int r = 0; r < runs; r++) {
            small[r] = chase(mib << 20, 0);
            huge[r] = chase(mib << 20, 1);
        }
        double s = median(small, runs), h = median(huge, runs);
        printf("%8zu %12.1f %12.1f %7.2f\n", mib, s, h, h / s);
    }
    printf("(huge pages: sim_big_alloc; transparent huge pages are %s here)\n",
           sim_big_placed(1 << 20) ? "asked for" : "not asked for in this build");
    return 0;
}
