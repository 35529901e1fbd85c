/*
 * sim/scenario/yaml_index.c: key lookup in the maps of a loaded document.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_internal.h"

/*
 * Key lookup in a large map goes through a hash index (open addressing, load <= 1/2) of
 * positions, so reading a map of n keys costs O(n) rather than O(n^2) (a map of 160,000
 * keys took 104 s). The index covers keys[0..n-1]; it is extended as keys are pushed and
 * rebuilt when n changed some other way (the extends key removed). Slots hold position+1.
 */
struct sim__key_index {
    size_t n;     /* keys indexed */
    size_t cap;   /* slots, a power of two */
    size_t *slot;
};

enum { KEY_INDEX_MIN = 16 };

static size_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

static void index_insert(struct sim__key_index *x, const char *key, size_t pos)
{
    size_t mask = x->cap - 1, h = key_hash(key) & mask;
    while (x->slot[h])
        h = (h + 1) & mask;
    x->slot[h] = pos + 1;
}

/* (Re)build the index of `map` for its n keys with room for `room`; false if out of memory. */
static bool index_build(sim_node *map, size_t room)
{
    struct sim__key_index *x = map->key_index;
    if (!x && !(x = map->key_index = calloc(1, sizeof *x)))
        return false;
    size_t cap = 64;
    while (cap < 2 * room)
        cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return false;
    free(x->slot);
    x->slot = slot;
    x->cap = cap;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i])
            index_insert(x, map->keys[i], i);
    x->n = map->n;
    return true;
}

/* After keys[n-1] was pushed: extend the index (or build it once the map is large). */
void sim__index_pushed(sim_node *map)
{
    struct sim__key_index *x = map->key_index;
    if (!x && map->n < KEY_INDEX_MIN)
        return;
    if (x && x->n == map->n - 1 && 2 * map->n <= x->cap) {
        if (map->keys[map->n - 1])
            index_insert(x, map->keys[map->n - 1], map->n - 1);
        x->n = map->n;
        return;
    }
    if (!index_build(map, 2 * map->n) && map->key_index)
        map->key_index->n = (size_t)-1; /* out of memory: lookups fall back to a scan */
}


long sim__map_find(const sim_node *map, const char *key)
{
    if (map->kind != SIM_NODE_MAP)
        return -1;
    if (map->n >= KEY_INDEX_MIN) {
        sim_node *m = (sim_node *)map; /* the index is a cache, not content */
        if ((m->key_index && m->key_index->n == m->n) || index_build(m, 2 * m->n)) {
            const struct sim__key_index *x = m->key_index;
            size_t mask = x->cap - 1;
            for (size_t h = key_hash(key) & mask; x->slot[h]; h = (h + 1) & mask) {
                size_t i = x->slot[h] - 1;
                if (i < map->n && map->keys[i] && strcmp(map->keys[i], key) == 0)
                    return (long)i;
            }
            return -1;
        }
    }
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i] && strcmp(map->keys[i], key) == 0)
            return (long)i;
    return -1;
}

void sim__index_free(sim_node *map)
{
    if (map->key_index)
        free(map->key_index->slot);
    free(map->key_index);
    map->key_index = NULL;
}
