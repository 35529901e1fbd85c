#include "rtt_heap.h"

#include <stdlib.h>

#include "../../sim/error.h"

static inline bool less(const rtt_entry *a, const rtt_entry *b)
{
    return a->key < b->key || (a->key == b->key && a->patient < b->patient);
}

void rtt_heap_init(rtt_heap *h)
{
    h->e = NULL;
    h->n = h->cap = 0;
}

void rtt_heap_fini(rtt_heap *h)
{
    free(h->e);
    rtt_heap_init(h);
}

int rtt_heap_reserve(rtt_heap *h, size_t cap)
{
    if (cap <= h->cap)
        return SIM_OK;
    rtt_entry *e = realloc(h->e, cap * sizeof *e);
    if (!e)
        return SIM_ENOMEM;
    h->e = e;
    h->cap = cap;
    return SIM_OK;
}

static void sift_down(rtt_heap *h, size_t i)
{
    rtt_entry x = h->e[i];
    size_t n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && less(&h->e[c + 1], &h->e[c]))
            c++;
        if (!less(&h->e[c], &x))
            break;
        h->e[i] = h->e[c];
        i = c;
    }
    h->e[i] = x;
}

int rtt_heap_push(rtt_heap *h, double key, uint32_t patient, uint32_t stamp)
{
    if (h->n == h->cap) {
        int rc = rtt_heap_reserve(h, h->cap ? 2 * h->cap : 64);
        if (rc)
            return rc;
    }
    rtt_entry x = {key, patient, stamp};
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(&x, &h->e[p]))
            break;
        h->e[i] = h->e[p];
        i = p;
    }
    h->e[i] = x;
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
    for (size_t i = k / 2; i-- > 0;)
        sift_down(h, i);
}
