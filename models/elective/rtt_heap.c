#include "rtt_heap.h"

#include <string.h>

#include "core/bigmem.h"
#include "core/error.h"

#define LINE 64
/* Entries before e[1] in its cache line: e[0] sits just before a line boundary. */
#define LEAD (LINE / sizeof(rtt_entry) - 1)

static inline bool less(const rtt_entry *a, const rtt_entry *b)
{
    return rtt_entry_less(a, b);
}

void rtt_heap_init(rtt_heap *h)
{
    memset(h, 0, sizeof *h);
}

/* The bytes of the heap part's block and of the run (their capacities, sim_big_capacity). */
static size_t block_bytes(const rtt_heap *h)
{
    return ((size_t)h->cap + LEAD) * sizeof(rtt_entry);
}

static size_t run_bytes(const rtt_heap *h)
{
    return (size_t)h->run_cap * sizeof(rtt_entry);
}

void rtt_heap_fini(rtt_heap *h)
{
    sim_big_free(h->block, block_bytes(h));
    sim_big_free(h->run, run_bytes(h));
    rtt_heap_init(h);
}

/* Room for cap entries in the heap part. */
static int heap_reserve(rtt_heap *h, size_t cap)
{
    if (cap <= h->cap)
        return SIM_OK;
    if (cap > RTT_HEAP_MAX)
        return SIM_ENOMEM;
    /* Large blocks are on huge pages (core/bigmem.h): a heap is read at random. */
    size_t bytes = sim_big_capacity((cap + LEAD) * sizeof(rtt_entry));
    void *block = sim_big_alloc(bytes);
    if (!block)
        return SIM_ENOMEM;
    rtt_entry *e = (rtt_entry *)block + LEAD;
    if (h->nh)
        memcpy(e, h->e, h->nh * sizeof *e);
    sim_big_free(h->block, block_bytes(h));
    h->block = block;
    h->e = e;
    size_t room = bytes / sizeof(rtt_entry) - LEAD;
    h->cap = (uint32_t)(room < RTT_HEAP_MAX ? room : RTT_HEAP_MAX);
    return SIM_OK;
}

/* Room for cap entries in the run, whose live entries move to the front. */
static int run_reserve(rtt_heap *h, size_t cap)
{
    if (h->lo > 0) {
        memmove(h->run, h->run + h->lo, (h->hi - h->lo) * sizeof *h->run);
        h->hi -= h->lo;
        h->lo = 0;
    }
    if (cap <= h->run_cap)
        return SIM_OK;
    if (cap > RTT_HEAP_MAX)
        return SIM_ENOMEM;
    size_t bytes = sim_big_capacity(cap * sizeof(rtt_entry));
    rtt_entry *run = sim_big_realloc(h->run, run_bytes(h), bytes);
    if (!run)
        return SIM_ENOMEM;
    h->run = run;
    size_t room = bytes / sizeof(rtt_entry);
    h->run_cap = (uint32_t)(room < RTT_HEAP_MAX ? room : RTT_HEAP_MAX);
    return SIM_OK;
}

static void sift_down(rtt_heap *h, size_t i)
{
    rtt_entry *e = h->e;
    rtt_entry x = e[i];
    size_t n = h->nh;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t m = c;
        size_t last = c + 4 <= n ? c + 4 : n;
        for (size_t k = c + 1; k < last; k++)
            if (less(&e[k], &e[m]))
                m = k;
        if (!less(&e[m], &x))
            break;
        e[i] = e[m];
        i = m;
    }
    e[i] = x;
}

static void heapify(rtt_heap *h)
{
    if (h->nh < 2)
        return;
    for (size_t i = (h->nh - 2) / 4 + 1; i-- > 0;)
        sift_down(h, i);
}

/* The next capacity: doubled, up to RTT_HEAP_MAX (one more than that fails to reserve). */
static size_t grown(size_t cap)
{
    if (cap == 0)
        return 64;
    if (cap >= RTT_HEAP_MAX)
        return RTT_HEAP_MAX + 1;
    return 2 * cap < RTT_HEAP_MAX ? 2 * cap : RTT_HEAP_MAX;
}

int rtt_heap_push(rtt_heap *h, double key, uint32_t patient, uint32_t stamp)
{
    rtt_entry x = {key, patient, stamp};
    if (h->lo == h->hi || !less(&x, &h->run[h->hi - 1])) {
        if (h->hi == h->run_cap) {
            /* Reclaim the popped prefix when it is at least half; otherwise grow. */
            size_t live = h->hi - h->lo;
            size_t cap = h->lo >= live && h->lo > 0 ? h->run_cap : grown(h->run_cap);
            int rc = run_reserve(h, cap);
            if (rc)
                return rc;
        }
        h->run[h->hi++] = x;
        h->n++;
        return SIM_OK;
    }
    if (h->nh == h->cap) {
        int rc = heap_reserve(h, grown(h->cap));
        if (rc)
            return rc;
    }
    rtt_entry *e = h->e;
    size_t i = h->nh++;
    h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!less(&x, &e[p]))
            break;
        e[i] = e[p];
        i = p;
    }
    e[i] = x;
    return SIM_OK;
}

void rtt_heap_pop(rtt_heap *h)
{
    if (h->n == 0)
        return;
    h->n--;
    if (h->lo < h->hi && (h->nh == 0 || !less(&h->e[0], &h->run[h->lo]))) {
        if (++h->lo == h->hi)
            h->lo = h->hi = 0;
        return;
    }
    h->nh--;
    if (h->nh > 0) {
        h->e[0] = h->e[h->nh];
        sift_down(h, 0);
    }
}

/*
 * Sort a[0 .. n) ascending with tmp[0 .. n) as scratch: insertion sort of blocks of 16, then
 * bottom-up merge passes between the two arrays. Written out rather than qsort so that the
 * comparison is inlined: settling a national backlog sorts millions of entries.
 */
static void sort_entries(rtt_entry *a, rtt_entry *tmp, size_t n)
{
    enum { BLOCK = 16 };
    for (size_t b = 0; b < n; b += BLOCK) {
        size_t end = b + BLOCK < n ? b + BLOCK : n;
        for (size_t i = b + 1; i < end; i++) {
            rtt_entry x = a[i];
            size_t j = i;
            for (; j > b && less(&x, &a[j - 1]); j--)
                a[j] = a[j - 1];
            a[j] = x;
        }
    }
    rtt_entry *src = a, *dst = tmp;
    for (size_t w = BLOCK; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            /* Without branches: on random keys a branch on the comparison is mispredicted
             * every other time, which made the national backlog's settle a third of the
             * set-up. */
            while (i < mid && j < hi) {
                const rtt_entry *x = &src[i], *y = &src[j];
                bool take_j = less(y, x);
                dst[k++] = *(take_j ? y : x);
                j += take_j;
                i += !take_j;
            }
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        rtt_entry *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

int rtt_heap_settle(rtt_heap *h)
{
    if (h->nh == 0)
        return SIM_OK;
    int rc = run_reserve(h, h->n);
    if (rc)
        return rc;
    memcpy(h->run + h->hi, h->e, h->nh * sizeof *h->e);
    h->hi += h->nh;
    /* Entries equal in (key, patient) differ only in stamp, and at most one is valid, so
     * their order does not matter. The heap part's storage is the scratch when it is large
     * enough (it was at least half full). */
    rtt_entry *tmp = h->cap >= h->hi ? h->e : sim_big_alloc(h->hi * sizeof *tmp);
    if (!tmp)
        return SIM_ENOMEM;
    sort_entries(h->run, tmp, h->hi);
    if (tmp != h->e)
        sim_big_free(tmp, h->hi * sizeof *tmp);
    sim_big_free(h->block, block_bytes(h));
    h->block = NULL;
    h->e = NULL;
    h->nh = h->cap = 0;
    return SIM_OK;
}

void rtt_heap_compact(rtt_heap *h, bool (*valid)(const void *ctx, const rtt_entry *e),
                      const void *ctx)
{
    size_t k = 0;
    for (size_t i = h->lo; i < h->hi; i++)
        if (valid(ctx, &h->run[i]))
            h->run[k++] = h->run[i];
    h->lo = 0;
    h->hi = k;
    k = 0;
    for (size_t i = 0; i < h->nh; i++)
        if (valid(ctx, &h->e[i]))
            h->e[k++] = h->e[i];
    h->nh = k;
    h->n = h->nh + h->hi;
    heapify(h);
}
