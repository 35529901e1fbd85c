/*
 * sim/core/rng.c: Philox4x64-10 as a gsl_rng_type, and named streams.
 *
 * The state is the key, the counter and a buffer of the current block's eight 32-bit
 * outputs. A block is computed when the buffer runs out, and the block counter (the first
 * counter word) advances; the other counter words name the replication, stream and entity,
 * so seeking is only a matter of resetting the state, with no work and no allocation.
 * One stream position holds 2^64 blocks (2^67 32-bit draws), far more than any run uses.
 */
#include "rng.h"

#include <assert.h>
#include <string.h>

#include <Random123/philox.h>

/* The state (rng.h): buf holds the outputs of the block before ctr[0]. */
typedef sim__philox_state philox_state;

static void refill(philox_state *s)
{
    philox4x64_ctr_t c = {{s->ctr[0], s->ctr[1], s->ctr[2], s->ctr[3]}};
    philox4x64_key_t k = {{s->key[0], s->key[1]}};
    philox4x64_ctr_t v = philox4x64_R(10, c, k);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Word i's low half is buf[2i] and its high half buf[2i + 1], as the loop below. */
    for (int i = 0; i < 4; i++)
        s->words[i] = v.v[i];
#else
    for (int i = 0; i < 4; i++) {
        s->buf[2 * i] = (uint32_t)v.v[i];
        s->buf[2 * i + 1] = (uint32_t)(v.v[i] >> 32);
    }
#endif
    s->ctr[0]++;
    s->next = 0;
}

static inline uint32_t next32(philox_state *s)
{
    if (s->next >= 8)
        refill(s);
    return s->buf[s->next++];
}

static unsigned long philox_get(void *vstate)
{
    return next32(vstate);
}

static double philox_get_double(void *vstate)
{
    philox_state *s = vstate;
    uint32_t hi = next32(s);
    uint32_t lo = next32(s);
    return sim_rng_u01(hi, lo);
}

uint64_t sim__rng_next64_refill(gsl_rng *r)
{
    philox_state *s = r->state;
    if (s->next >= 8) {
        refill(s);
        s->next = 2;
        return (uint64_t)s->buf[0] << 32 | s->buf[1];
    }
    uint64_t hi = s->buf[7]; /* the block's last output, then the next block's first */
    refill(s);
    s->next = 1;
    return hi << 32 | s->buf[0];
}

static void position(philox_state *s, uint64_t seed, uint64_t replication, uint64_t stream,
                     uint64_t entity)
{
    s->key[0] = seed;
    s->key[1] = SIM_RNG_KEY1;
    s->ctr[0] = 0;
    s->ctr[1] = replication;
    s->ctr[2] = stream;
    s->ctr[3] = entity;
    s->next = 8;
}

static void philox_set(void *vstate, unsigned long seed)
{
    position(vstate, (uint64_t)seed, 0, 0, 0);
}

static const gsl_rng_type philox_type = {
    "sim_philox",
    0xffffffffUL,
    0,
    sizeof(philox_state),
    philox_set,
    philox_get,
    philox_get_double,
};

const gsl_rng_type *sim_rng_philox = &philox_type;

uint64_t sim_stream_id(const char *name)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 30;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 27;
    h *= UINT64_C(0x94d049bb133111eb);
    h ^= h >> 31;
    return h;
}

gsl_rng *sim_rng_alloc(uint64_t base_seed, uint64_t replication, const char *name)
{
    gsl_rng *r = gsl_rng_alloc(sim_rng_philox);
    if (!r)
        return NULL;
    sim_rng_seek(r, base_seed, replication, sim_stream_id(name), 0);
    return r;
}

void sim_rng_seek(gsl_rng *r, uint64_t base_seed, uint64_t replication, uint64_t stream_id,
                  uint64_t entity)
{
    assert(r->type == sim_rng_philox);
    position(r->state, base_seed, replication, stream_id, entity);
}

void sim_rng_set_entity(gsl_rng *r, uint64_t entity)
{
    assert(r->type == sim_rng_philox);
    philox_state *s = r->state;
    s->ctr[0] = 0;
    s->ctr[3] = entity;
    s->next = 8;
}
