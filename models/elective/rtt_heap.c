#include "rtt_heap.h"

#include <stdlib.h>
#include <string.h>

#include "../../sim/error.h"

#define LINE 64
/* Entries before e[1] in its cache line: e[0] sits just before a line boundary. */
#define LEAD (LINE / sizeof(rtt_entry) - 1)

static inline bool less(const rtt_entry *a, const rtt_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->patient < b->patient);
}

void rtt_heap_init(rtt_heap *h)
{
    h->e = NULL;
    h->block = NULL;
    h->n = h->cap = 0;
}

void rtt_heap_fini(rtt_heap *h)
{
    free(h->block);
    rtt_heap_init(h);
}

int rtt_heap_reserve(rtt_heap *h, size_t cap)
{
    if (cap <= h->cap)
        return SIM_OK;
    /* Round up so that the block size is a multiple of the line, as aligned_alloc needs. */
    size_t bytes = (cap + LEAD) * sizeof(rtt_entry);
    bytes = (bytes + LINE - 1) / LINE * LINE;
    void *block = aligned_alloc(LINE, bytes);
    if (!block)
        return SIM_ENOMEM;
    rtt_entry *e = (rtt_entry *)block + LEAD;
    if (h->n)
        memcpy(e, h->e, h->n * sizeof *e);
    free(h->block);
    h->block = block;
    h->e = e;
    h->cap = bytes / sizeof(rtt_entry) - LEAD;
    return SIM_OK;
}

static void sift_down(rtt_heap *h, size_t i)
{
    rtt_entry *e = h->e;
    rtt_entry x = e[i];
    size_t n = h->n;
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

int rtt_heap_push(rtt_heap *h, double key, uint32_t patient, uint32_t stamp)
{
    if (h->n == h->cap) {
        int rc = rtt_heap_reserve(h, h->cap ? 2 * h->cap : 64);
        if (rc)
            return rc;
    }
    rtt_entry x = {key, patient, stamp};
    rtt_entry *e = h->e;
    size_t i = h->n++;
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
    if (h->n > 0) {
        h->e[0] = h->e[h->n];
        sift_down(h, 0);
    }
}

void rtt_heap_compact(rtt_heap *h, bool (*valid)(const void *ctx, const rtt_entry *e),
                      const void *ctx)
{
    size_t k = 0;
    for (size_t i = 0; i < h->n; i++)
        if (valid(ctx, &h->e[i]))
            h->e[k++] = h->e[i];
    h->n = k;
    if (k < 2)
        return;
    for (size_t i = (k - 2) / 4 + 1; i-- > 0;)
        sift_down(h, i);
}
