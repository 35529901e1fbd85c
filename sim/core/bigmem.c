#include "bigmem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/*
 * Blocks up to SIM_BIG_SLAB_MAX come from slabs: 2 MiB-aligned mappings of one huge page each,
 * every slab cut into the blocks of one class. A class is a number of blocks a slab (256,
 * 192, 128, 96, ... 3, 2, 1: two classes to each doubling, so that a block is at most a
 * third or so larger than asked for), each block as large as fits with the slab's header in
 * its last line, rounded down to a line: 8,128 bytes for the first class up to 2 MiB - 64
 * for the last. A block's slab is its address rounded down to 2 MiB, so freeing needs no
 * search. A slab whose blocks are all free is unmapped, which gives its memory back, unless
 * it is its class's only slab with room.
 */

#define LINE ((size_t)64)
#define SLAB ((size_t)2 << 20)
#define N_CLASSES 16
static const uint32_t per_slab[N_CLASSES] = {256, 192, 128, 96, 64, 48, 32, 24,
                                              16,  12,  8,   6,  4,  3,  2,  1};

_Static_assert(SIM_BIG_MIN <= (SLAB - LINE) / 256, "the first class holds SIM_BIG_MIN");
_Static_assert(SIM_BIG_SLAB_MAX == SLAB - LINE, "the last class is a slab's one block");

#if defined(__SANITIZE_ADDRESS__)
#define ALL_FROM_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALL_FROM_MALLOC 1
#endif
#endif
#ifndef ALL_FROM_MALLOC
#define ALL_FROM_MALLOC 0
#endif

typedef struct free_block {
    struct free_block *next;
} free_block;

/* A slab's header, in its last line. */
typedef struct slab {
    free_block *free;          /* free blocks once used */
    uint32_t used, carved;     /* blocks in use; blocks cut so far (from the start) */
    int cls;
    struct slab *prev, *next;  /* in its class's list of slabs with room */
} slab;

_Static_assert(sizeof(slab) <= LINE, "a slab's header fits in a line");

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static slab *with_room[N_CLASSES];

static size_t round_up(size_t x, size_t to)
{
    return (x + to - 1) / to * to;
}

static uint32_t blocks_per_slab(int cls)
{
    return per_slab[cls];
}

static size_t class_size(int cls)
{
    return (SLAB - LINE) / blocks_per_slab(cls) / LINE * LINE;
}

static int small(size_t bytes)
{
    return ALL_FROM_MALLOC || round_up(bytes, LINE) < SIM_BIG_MIN;
}

/* The class of a block of `bytes` (not small), or N_CLASSES for a mapping of its own. */
static int class_of(size_t bytes)
{
    int c = 0;
    while (c < N_CLASSES && class_size(c) < bytes)
        c++;
    return c;
}

size_t sim_big_capacity(size_t bytes)
{
    if (small(bytes))
        return round_up(bytes ? bytes : 1, LINE);
    int c = class_of(bytes);
    return c < N_CLASSES ? class_size(c) : round_up(bytes, SLAB);
}

int sim_big_placed(size_t bytes)
{
    return !small(bytes);
}

/* `bytes` (a multiple of SLAB) of fresh memory aligned to SLAB and marked for huge pages (a
 * hint: where the kernel declines, the memory is ordinary). */
static void *map_aligned(size_t bytes)
{
    char *m = mmap(NULL, bytes + SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                   0);
    if (m == MAP_FAILED)
        return NULL;
    char *a = (char *)round_up((uintptr_t)m, SLAB);
    if (a > m)
        munmap(m, (size_t)(a - m));
    munmap(a + bytes, (size_t)(m + SLAB - a)); /* the tail, never empty: a < m + SLAB */
#ifdef MADV_HUGEPAGE
    (void)madvise(a, bytes, MADV_HUGEPAGE);
#endif
    return a;
}

static slab *slab_of(const void *p)
{
    return (slab *)(((uintptr_t)p & ~(uintptr_t)(SLAB - 1)) + SLAB - LINE);
}

static char *slab_base(slab *s)
{
    return (char *)s + LINE - SLAB;
}

static void unlink_slab(slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        with_room[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

static void link_slab(slab *s)
{
    s->prev = NULL;
    s->next = with_room[s->cls];
    if (s->next)
        s->next->prev = s;
    with_room[s->cls] = s;
}

/* A block of class c, with the lock held. */
static void *take_block(int c)
{
    slab *s = with_room[c];
    if (!s) {
        char *base = map_aligned(SLAB);
        if (!base)
            return NULL;
        s = slab_of(base);
        *s = (slab){.cls = c};
        link_slab(s);
    }
    void *p;
    if (s->free) {
        p = s->free;
        s->free = s->free->next;
    } else {
        p = slab_base(s) + (size_t)s->carved++ * class_size(c);
    }
    if (++s->used == blocks_per_slab(c))
        unlink_slab(s);
    return p;
}

/* Give a block of class c back, with the lock held. */
static void give_block(void *p, int c)
{
    slab *s = slab_of(p);
    if (s->used-- == blocks_per_slab(c))
        link_slab(s);
    if (s->used == 0 && (s->prev || s->next)) {
        /* Empty, and not its class's only slab with room: unmapped. */
        unlink_slab(s);
        munmap(slab_base(s), SLAB);
        return;
    }
    free_block *b = p;
    b->next = s->free;
    s->free = b;
}

void *sim_big_alloc(size_t bytes)
{
    size_t cap = sim_big_capacity(bytes);
    if (small(bytes))
        return aligned_alloc(LINE, cap);
    int c = class_of(bytes);
    if (c == N_CLASSES)
        return map_aligned(cap);
    pthread_mutex_lock(&lock);
    void *p = take_block(c);
    pthread_mutex_unlock(&lock);
    return p;
}

void *sim_big_calloc(size_t bytes)
{
    void *p = sim_big_alloc(bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void sim_big_free(void *p, size_t bytes)
{
    if (!p)
        return;
    if (small(bytes)) {
        free(p);
        return;
    }
    int c = class_of(bytes);
    if (c == N_CLASSES) {
        munmap(p, sim_big_capacity(bytes));
        return;
    }
    pthread_mutex_lock(&lock);
    give_block(p, c);
    pthread_mutex_unlock(&lock);
}

void *sim_big_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
    if (!p)
        return sim_big_alloc(new_bytes);
    if (small(old_bytes) == small(new_bytes) &&
        sim_big_capacity(old_bytes) == sim_big_capacity(new_bytes))
        return p;
    void *q = sim_big_alloc(new_bytes);
    if (!q)
        return NULL;
    memcpy(q, p, old_bytes < new_bytes ? old_bytes : new_bytes);
    sim_big_free(p, old_bytes);
    return q;
}
