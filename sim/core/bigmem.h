/*
 * sim/core/bigmem.h: storage for large arrays that are read at random, on huge pages.
 *
 * A model at national scale keeps hundreds of megabytes of records and queue entries and
 * reads them in no order the caches can follow. With 4 KiB pages each such read also misses
 * the TLB, and the page walk is a second trip to memory: on the benchmark machine a random
 * read of 512 MiB took 400-460 ns on 4 KiB pages against 235 ns on 2 MiB pages
 * (docs/performance.md). Linux backs memory with transparent huge pages where the program
 * asks for them (madvise MADV_HUGEPAGE; the default policy of many distributions, Debian's
 * among them, is "madvise"), but only for 2 MiB-aligned stretches of one mapping. Arrays of
 * a few hundred kilobytes, such as a waiting list's heap, never get one from malloc.
 *
 * So blocks of SIM_BIG_MIN bytes or more come from slabs, 2 MiB-aligned mappings marked for
 * huge pages, each cut into blocks of one size class (about 8 KiB, 16 KiB, ... 2 MiB; a freed
 * block is reused by the next request of its class, in any thread, and a slab with no block
 * in use is unmapped); smaller blocks come from malloc. Blocks larger than SIM_BIG_SLAB_MAX
 * get a mapping of their own, unmapped when freed. Every block is aligned to 64 bytes (a
 * cache line). The caller passes a block's size back when it frees or resizes it (the size
 * it asked for, or the block's capacity), and may use all of sim_big_capacity(bytes) bytes.
 *
 * Where the kernel has no huge pages (another system, or THP set to "never") the blocks are
 * ordinary memory and everything works the same, only slower. Built with AddressSanitizer,
 * every block comes from malloc, so that the sanitizer sees each one's bounds.
 */
#ifndef SIM_BIGMEM_H
#define SIM_BIGMEM_H

#include <stddef.h>

#define SIM_BIG_MIN ((size_t)4 << 10)  /* smaller blocks: malloc */
#define SIM_BIG_SLAB_MAX (((size_t)2 << 20) - 64) /* larger blocks: a mapping each */

/* The usable size of a block asked for with `bytes` (at least `bytes`). */
size_t sim_big_capacity(size_t bytes);

/* A block of at least `bytes` (> 0), 64-byte aligned, uninitialised; NULL if out of memory. */
void *sim_big_alloc(size_t bytes);

/* The same, zeroed. */
void *sim_big_calloc(size_t bytes);

/* Resize a block of `old_bytes` (NULL with 0: allocate) to `new_bytes`, keeping the first
 * min(old, new) bytes. NULL if out of memory, and the block is then unchanged. */
void *sim_big_realloc(void *p, size_t old_bytes, size_t new_bytes);

/* Free a block of `bytes` (as asked for, or as its capacity); NULL is ignored. */
void sim_big_free(void *p, size_t bytes);

/* Whether blocks of `bytes` are placed for huge pages in this build (tests). */
int sim_big_placed(size_t bytes);

#endif
