/*
 * sim/core/rng.h: named, counter-based random number streams.
 *
 * Every random draw in capsim comes from a gsl_rng of type sim_rng_philox: Philox4x64-10
 * (Salmon et al., SC'11, via Random123's header-only philox.h) wrapped as a gsl_rng_type so
 * every gsl_ran_* function works on it. A generator's output is a pure function of
 *
 *     key     = base seed
 *     counter = (block, replication, stream id, entity)
 *
 * so replication r of any scenario sees the same numbers for the same named stream
 * (common random numbers), whatever ran before it, on whichever thread or rank.
 *
 * Streams are named ("arrivals/WSFT/trauma-orthopaedics", "case-minutes/IPS"): the id is a
 * 64-bit hash of the name, so adding a trust or a model does not shift the draws of the
 * others. A stream can be split per entity (patient i draws from entity i of the stream) by
 * repositioning the generator in place, which is cheap and allocates nothing.
 *
 * gsl_rng_set(r, seed) on a sim_rng_philox generator sets key = seed, replication, stream and
 * entity = 0: a plain GSL generator for code that needs one.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>

/*
 * The layout, fixed so that draws are the same on every platform and version:
 *
 *   key     = {base seed, SIM_RNG_KEY1}
 *   counter = {block, replication, stream id, entity}, block = 0, 1, 2, ...
 *
 * Each block gives four 64-bit words v[0..3], which gsl_rng_get returns as eight 32-bit
 * values: low half of v[0], high half of v[0], low half of v[1], ... A double
 * (gsl_rng_uniform) takes two consecutive 32-bit values a, b and returns
 * ((a << 32 | b) >> 11) x 2^-53, in [0, 1) with 53 bits of resolution.
 */
#define SIM_RNG_KEY1 UINT64_C(0x63617073696d2e31) /* "capsim.1" in ASCII */

/*
 * The conversion gsl_rng_uniform uses: two 32-bit outputs to a double in [0, 1) with 53
 * bits. The largest value is 1 - 2^-53, so gsl_rng_uniform never returns 1.0; GSL's
 * gsl_rng_uniform_pos draws again on 0, so it never returns 0.
 */
static inline double sim_rng_u01(uint32_t hi, uint32_t lo)
{
    return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1.0p-53;
}

/* The generator type. gsl_rng_get returns 32-bit values (max 2^32 - 1). */
extern const gsl_rng_type *sim_rng_philox;

/*
 * Internal: the state of a sim_rng_philox generator (r->state), public only so that
 * sim_rng_next64 can be inline. The key, the counter and the current block's eight 32-bit
 * outputs; `next` is the index of the next unread output (8 = empty).
 */
typedef struct sim__philox_state {
    uint64_t key[2];
    uint64_t ctr[4];   /* block, replication, stream id, entity */
    union {
        uint32_t buf[8];
        uint64_t words[4]; /* the block's words, stored whole on a little-endian machine */
    };
    unsigned next;
} sim__philox_state;

/* sim_rng_next64 when fewer than two outputs are buffered (internal). */
uint64_t sim__rng_next64_refill(gsl_rng *r);

/*
 * The next 64 random bits of r (of type sim_rng_philox): the two 32-bit outputs a, b that
 * gsl_rng_get would return next, as a << 32 | b (so sim_rng_u01's conversion of them is
 * what gsl_rng_uniform returns). Inline, for samplers that take raw bits
 * (sim/core/exp_sampler.h): no call through the gsl_rng_type per draw.
 */
static inline uint64_t sim_rng_next64(gsl_rng *r)
{
    sim__philox_state *s = (sim__philox_state *)r->state;
    unsigned n = s->next;
    if (n <= 6) {
        s->next = n + 2;
        return (uint64_t)s->buf[n] << 32 | s->buf[n + 1];
    }
    return sim__rng_next64_refill(r);
}

/* The next 32-bit output of r (of type sim_rng_philox): gsl_rng_get's, which computes the
 * next block when this one is used up. */
static inline uint32_t sim_rng_next32(gsl_rng *r)
{
    sim__philox_state *s = (sim__philox_state *)r->state;
    if (s->next < 8)
        return s->buf[s->next++];
    return (uint32_t)gsl_rng_get(r);
}

/*
 * Inline forms of GSL's draws, with the same values from any position of any generator:
 * for a sim_rng_philox generator they read its buffer directly (no call into GSL and
 * through the type's function pointer per draw, about 30 instructions each), for any other
 * they call GSL. Bit for bit (tests/test_rng.c checks them against GSL's):
 *
 *   sim_rng_uniform(r)        = gsl_rng_uniform(r)
 *   sim_rng_uniform_pos(r)    = gsl_rng_uniform_pos(r)     (draws again on 0)
 *   sim_rng_exponential(r, m) = gsl_ran_exponential(r, m)  (-m log1p(-u), GSL 2.x)
 *   sim_rng_uniform_int(r, n) = gsl_rng_uniform_int(r, n)  (0 < n < 2^32; GSL's rejection
 *                               of 32-bit outputs k with k / floor((2^32 - 1) / n) >= n)
 */
static inline double sim_rng_uniform(gsl_rng *r)
{
    if (r->type != sim_rng_philox)
        return gsl_rng_uniform(r);
    uint64_t b = sim_rng_next64(r);
    return sim_rng_u01((uint32_t)(b >> 32), (uint32_t)b);
}

static inline double sim_rng_uniform_pos(gsl_rng *r)
{
    double x;
    do
        x = sim_rng_uniform(r);
    while (x == 0);
    return x;
}

static inline double sim_rng_exponential(gsl_rng *r, double mean)
{
    return -mean * log1p(-sim_rng_uniform(r));
}

static inline unsigned long sim_rng_uniform_int(gsl_rng *r, unsigned long n)
{
    if (r->type != sim_rng_philox || n == 0 || n > 0xffffffffUL)
        return gsl_rng_uniform_int(r, n); /* GSL reports n out of range */
    unsigned long scale = 0xffffffffUL / n, k;
    do
        k = sim_rng_next32(r) / scale;
    while (k >= n);
    return k;
}

/*
 * Stable 64-bit id of a stream name (the same on every platform and version): the 64-bit
 * FNV-1a hash of the name's bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3),
 * then the splitmix64 finaliser (z ^= z >> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >> 27;
 * z *= 0x94d049bb133111eb; z ^= z >> 31) so that names differing in their last byte give
 * ids differing in all bits.
 */
uint64_t sim_stream_id(const char *name);

/* A generator for stream `name` of `replication` under `base_seed`; NULL if out of memory. */
gsl_rng *sim_rng_alloc(uint64_t base_seed, uint64_t replication, const char *name);

/* Reposition r (of type sim_rng_philox) at the start of (seed, replication, stream, entity). */
void sim_rng_seek(gsl_rng *r, uint64_t base_seed, uint64_t replication, uint64_t stream_id,
                  uint64_t entity);

/* Reposition r at the start of `entity` within its current seed, replication and stream. */
void sim_rng_set_entity(gsl_rng *r, uint64_t entity);

#endif
