/*
 * sim/batch/batch_checkpoint.c: the append-only checkpoint of finished replications.
 * The file format is described in batch_internal.h.
 */
#include "batch_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"

#define CKPT_MAGIC "CAPSIMCK"
#define CKPT_VERSION 1u
#define REC_MAGIC 0x31434552u

uint64_t sim__fnv1a(uint64_t h, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

double sim__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A growable byte buffer for building the header. */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
} bytes;

static int bytes_put(bytes *b, const void *data, size_t size)
{
    if (b->n + size > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + size)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p)
            return SIM_ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, size);
    b->n += size;
    return SIM_OK;
}

static int build_header(const sim_results *res, bytes *b)
{
    uint32_t version = CKPT_VERSION, ns = (uint32_t)res->n_scenarios;
    int rc = bytes_put(b, CKPT_MAGIC, 8);
    rc = rc ? rc : bytes_put(b, &version, sizeof version);
    rc = rc ? rc : bytes_put(b, &ns, sizeof ns);
    rc = rc ? rc : bytes_put(b, &res->base_seed, sizeof res->base_seed);
    for (size_t s = 0; s < res->n_scenarios && !rc; s++) {
        const sim_scenario_result *sc = &res->scenarios[s];
        uint64_t len = sim_monitor_record_length(sc->monitor);
        uint32_t name_len = (uint32_t)strlen(sc->name);
        rc = bytes_put(b, &len, sizeof len);
        rc = rc ? rc : bytes_put(b, sc->sha256, 64);
        rc = rc ? rc : bytes_put(b, &name_len, sizeof name_len);
        rc = rc ? rc : bytes_put(b, sc->name, name_len);
    }
    if (!rc) {
        uint64_t sum = sim__fnv1a(SIM__FNV_OFFSET, b->p, b->n);
        rc = bytes_put(b, &sum, sizeof sum);
    }
    return rc;
}

/* Read exactly size bytes; returns 1 if read, 0 at a clean or torn end, -1 on error. */
static int read_full(int fd, void *buf, size_t size)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < size) {
        ssize_t k = read(fd, p + got, size - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0)
            return 0;
        got += (size_t)k;
    }
    return 1;
}

static int write_full(int fd, const void *buf, size_t size)
{
    const unsigned char *p = buf;
    while (size > 0) {
        ssize_t k = write(fd, p, size);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += k;
        size -= (size_t)k;
    }
    return 0;
}

/*
 * Compare the file's header with the one this batch would write, field by field, so the
 * error can say what differs rather than just "mismatch".
 */
static int check_header(int fd, const char *path, const sim_results *res, const bytes *want,
                        struct sim_error *err)
{
    unsigned char *have = malloc(want->n);
    if (!have)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    int got = read_full(fd, have, want->n);
    if (got < 0) {
        rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot read checkpoint: %s",
                           strerror(errno));
    } else if (got == 0 || memcmp(have, CKPT_MAGIC, 8) != 0) {
        rc = sim_error_set(err, SIM_EMISMATCH, path, 0, 0, NULL,
                           "not a capsim checkpoint (or written by another version)");
    } else if (memcmp(have, want->p, want->n) != 0) {
        uint64_t seed;
        uint32_t ns;
        memcpy(&ns, have + 12, sizeof ns);
        memcpy(&seed, have + 16, sizeof seed);
        if (seed != res->base_seed)
            rc = sim_error_set(err, SIM_EMISMATCH, path, 0, 0, NULL,
                               "checkpoint of another batch: base seed %llu there, %llu here",
                               (unsigned long long)seed, (unsigned long long)res->base_seed);
        else if (ns != res->n_scenarios)
            rc = sim_error_set(err, SIM_EMISMATCH, path, 0, 0, NULL,
                               "checkpoint of another batch: %u scenarios there, %zu here",
                               (unsigned)ns, res->n_scenarios);
        else
            rc = sim_error_set(err, SIM_EMISMATCH, path, 0, 0, NULL,
                               "checkpoint of another batch: the scenarios (names, text or "
                               "metrics) differ");
    }
    free(have);
    return rc;
}

static int load_records(sim__ckpt *c, sim_results *res, size_t first, size_t end,
                        off_t start, size_t *loaded, struct sim_error *err)
{
    off_t good = start;
    for (;;) {
        uint32_t head[2];
        uint64_t rep;
        int got = read_full(c->fd, head, sizeof head);
        if (got > 0)
            got = read_full(c->fd, &rep, sizeof rep);
        if (got < 0)
            return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL,
                                 "cannot read checkpoint: %s", strerror(errno));
        if (got == 0 || head[0] != REC_MAGIC || head[1] >= c->n_scenarios)
            break;
        size_t len = c->lengths[head[1]];
        size_t vbytes = len * sizeof(double);
        got = read_full(c->fd, c->buf + 16, vbytes + sizeof(uint64_t));
        if (got < 0)
            return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL,
                                 "cannot read checkpoint: %s", strerror(errno));
        if (got == 0)
            break;
        memcpy(c->buf, head, sizeof head);
        memcpy(c->buf + 8, &rep, sizeof rep);
        uint64_t sum;
        memcpy(&sum, c->buf + 16 + vbytes, sizeof sum);
        if (sum != sim__fnv1a(SIM__FNV_OFFSET, c->buf, 16 + vbytes))
            break;
        good += (off_t)(16 + vbytes + sizeof sum);
        sim_scenario_result *sc = &res->scenarios[head[1]];
        if (rep < first || rep >= end || rep >= sc->replications || sc->reps[rep])
            continue;
        sim_record *r = sim_record_alloc(sc->monitor);
        if (!r)
            return SIM_ENOMEM;
        memcpy(r->values, c->buf + 16, vbytes);
        sc->reps[rep] = r;
        (*loaded)++;
    }
    /* Cut off a torn tail so that appends follow the last good record. */
    if (ftruncate(c->fd, good) != 0 || lseek(c->fd, good, SEEK_SET) < 0)
        return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL, "cannot truncate checkpoint: %s",
                             strerror(errno));
    return SIM_OK;
}

int sim__ckpt_open(sim__ckpt *c, const char *path, sim_results *res, bool resume,
                   double fsync_seconds, size_t first, size_t end, size_t *loaded,
                   struct sim_error *err)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    *loaded = 0;
    c->fsync_seconds = fsync_seconds;
    c->n_scenarios = res->n_scenarios;
    c->path = strdup(path);
    c->lengths = calloc(res->n_scenarios ? res->n_scenarios : 1, sizeof *c->lengths);
    if (!c->path || !c->lengths) {
        sim__ckpt_close(c);
        return SIM_ENOMEM;
    }
    size_t max_len = 0;
    for (size_t s = 0; s < res->n_scenarios; s++) {
        c->lengths[s] = sim_monitor_record_length(res->scenarios[s].monitor);
        if (c->lengths[s] > max_len)
            max_len = c->lengths[s];
    }
    c->buf_size = 16 + max_len * sizeof(double) + sizeof(uint64_t);
    c->buf = malloc(c->buf_size);
    bytes hdr = {0};
    int rc = c->buf ? build_header(res, &hdr) : SIM_ENOMEM;
    if (rc) {
        free(hdr.p);
        sim__ckpt_close(c);
        return rc;
    }

    if (resume) {
        c->fd = open(path, O_RDWR | O_CLOEXEC);
        if (c->fd < 0 && errno != ENOENT) {
            rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot open checkpoint: %s",
                               strerror(errno));
        } else if (c->fd >= 0) {
            rc = check_header(c->fd, path, res, &hdr, err);
            if (!rc)
                rc = load_records(c, res, first, end, (off_t)hdr.n, loaded, err);
            free(hdr.p);
            if (rc)
                sim__ckpt_close(c);
            return rc;
        }
    }
    if (!rc) {
        c->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->fd < 0)
            rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot create checkpoint: %s",
                               strerror(errno));
        else if (write_full(c->fd, hdr.p, hdr.n) != 0 || fdatasync(c->fd) != 0)
            rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot write checkpoint: %s",
                               strerror(errno));
    }
    free(hdr.p);
    c->last_sync = sim__now();
    if (rc)
        sim__ckpt_close(c);
    return rc;
}

int sim__ckpt_append(sim__ckpt *c, size_t scenario, uint64_t replication,
                     const sim_record *rec, struct sim_error *err)
{
    uint32_t head[2] = {REC_MAGIC, (uint32_t)scenario};
    size_t vbytes = c->lengths[scenario] * sizeof(double);
    memcpy(c->buf, head, sizeof head);
    memcpy(c->buf + 8, &replication, sizeof replication);
    memcpy(c->buf + 16, rec->values, vbytes);
    uint64_t sum = sim__fnv1a(SIM__FNV_OFFSET, c->buf, 16 + vbytes);
    memcpy(c->buf + 16 + vbytes, &sum, sizeof sum);
    if (write_full(c->fd, c->buf, 16 + vbytes + sizeof sum) != 0)
        return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL, "cannot write checkpoint: %s",
                             strerror(errno));
    c->dirty = true;
    double now = sim__now();
    if (now - c->last_sync >= c->fsync_seconds) {
        if (fdatasync(c->fd) != 0)
            return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL,
                                 "cannot sync checkpoint: %s", strerror(errno));
        c->last_sync = now;
        c->dirty = false;
    }
    return SIM_OK;
}

int sim__ckpt_close(sim__ckpt *c)
{
    int rc = SIM_OK;
    if (c->path && c->fd >= 0) {
        if (c->dirty && fdatasync(c->fd) != 0)
            rc = SIM_EIO;
        if (close(c->fd) != 0)
            rc = SIM_EIO;
    }
    c->fd = -1;
    free(c->path);
    free(c->lengths);
    free(c->buf);
    c->path = NULL;
    c->lengths = NULL;
    c->buf = NULL;
    return rc;
}
