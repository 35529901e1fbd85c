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
#define CKPT_VERSION 2u
/* record head: magic, scenario, replication, run tag */
#define REC_HEAD 24u
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

/* What identifies the run in every record: the header's checksum (version, seed, scenarios). */
static uint64_t header_tag(const bytes *hdr)
{
    uint64_t tag;
    memcpy(&tag, hdr->p + hdr->n - sizeof tag, sizeof tag);
    return tag;
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
    } else if (memcmp(have + 8, want->p + 8, 4) != 0) {
        uint32_t v;
        memcpy(&v, have + 8, sizeof v);
        rc = sim_error_set(err, SIM_EMISMATCH, path, 0, 0, NULL,
                           "checkpoint format %u written by another capsim version (this one "
                           "writes %u); start again with --force",
                           (unsigned)v, CKPT_VERSION);
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

/* Read exactly size bytes at off; 1 if read, 0 if the file ends first, -1 on error. */
static int pread_full(int fd, void *buf, size_t size, off_t off)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < size) {
        ssize_t k = pread(fd, p + got, size - got, off + (off_t)got);
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

enum { REC_GOOD = 1, REC_BAD = 0, REC_SHORT = 2, REC_IOERR = -1 };

/*
 * The record at `off` into c->buf: REC_GOOD (its size in *size), REC_BAD (wrong magic,
 * scenario or checksum), REC_SHORT (the file ends inside it) or REC_IOERR.
 */
static int read_record(sim__ckpt *c, off_t off, size_t *size)
{
    uint32_t head[2];
    int got = pread_full(c->fd, head, sizeof head, off);
    if (got <= 0)
        return got < 0 ? REC_IOERR : REC_SHORT;
    if (head[0] != REC_MAGIC || head[1] >= c->n_scenarios)
        return REC_BAD;
    size_t n = REC_HEAD + c->lengths[head[1]] * sizeof(double);
    got = pread_full(c->fd, c->buf, n + sizeof(uint64_t), off);
    if (got <= 0)
        return got < 0 ? REC_IOERR : REC_SHORT;
    uint64_t sum;
    memcpy(&sum, c->buf + n, sizeof sum);
    if (sum != sim__fnv1a(SIM__FNV_OFFSET, c->buf, n))
        return REC_BAD;
    *size = n + sizeof sum;
    return REC_GOOD;
}

/*
 * After a damaged record: the offset of the next good record (records sit at multiples of
 * 8 bytes from the first), or -1 if there is none. Candidates are found by their magic.
 */
static off_t next_good_record(sim__ckpt *c, off_t from, off_t start, off_t file_size)
{
    off_t off = from + 8 - ((from - start) % 8);
    uint32_t magic;
    for (; off + (off_t)REC_HEAD <= file_size; off += 8) {
        if (pread_full(c->fd, &magic, sizeof magic, off) <= 0)
            return -1;
        size_t size;
        if (magic == REC_MAGIC && read_record(c, off, &size) == REC_GOOD)
            return off;
    }
    return -1;
}

static int load_records(sim__ckpt *c, sim_results *res, size_t first, size_t end,
                        off_t start, uint64_t tag, size_t *loaded, struct sim_error *err)
{
    struct stat st;
    if (fstat(c->fd, &st) != 0)
        return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL, "cannot read checkpoint: %s",
                             strerror(errno));
    off_t off = start, good = start, damaged_at = -1, damaged_bytes = 0;
    size_t after_damage = 0, index = 0;
    while (off < st.st_size) {
        size_t size = 0;
        int r = read_record(c, off, &size);
        if (r == REC_IOERR)
            return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL,
                                 "cannot read checkpoint: %s", strerror(errno));
        if (r != REC_GOOD) {
            /* Torn at the end (a kill during a write) or damaged: look for good records after. */
            off_t next = next_good_record(c, off, start, st.st_size);
            if (next < 0)
                break;
            if (damaged_at < 0)
                damaged_at = off;
            damaged_bytes += next - off;
            off = next;
            continue;
        }
        index++;
        uint32_t head[2];
        uint64_t rep, rec_tag;
        memcpy(head, c->buf, sizeof head);
        memcpy(&rep, c->buf + 8, sizeof rep);
        memcpy(&rec_tag, c->buf + 16, sizeof rec_tag);
        sim_scenario_result *sc = &res->scenarios[head[1]];
        if (rec_tag != tag)
            return sim_error_set(err, SIM_EMISMATCH, c->path, 0, 0, NULL,
                                 "record %zu (scenario %s, replication %llu) at byte %lld "
                                 "belongs to another run (another seed, scenario or capsim "
                                 "version); refusing to mix results (start again with --force)",
                                 index, sc->name, (unsigned long long)rep, (long long)off);
        off += (off_t)size;
        good = off;
        if (damaged_at >= 0)
            after_damage++;
        if (rep < first || rep >= end || rep >= sc->replications || sc->reps[rep])
            continue;
        sim_record *rec = sim_record_alloc(sc->monitor);
        if (!rec)
            return SIM_ENOMEM;
        memcpy(rec->values, c->buf + REC_HEAD, c->lengths[head[1]] * sizeof(double));
        sc->reps[rep] = rec;
        (*loaded)++;
    }
    c->damaged_at = damaged_at;
    c->damaged_bytes = damaged_bytes;
    c->recovered_after_damage = after_damage;
    if (damaged_at >= 0)
        fprintf(stderr,
                "capsim: %s: warning: %lld damaged bytes at byte %lld skipped (a record with a "
                "wrong checksum); %zu good record%s after them recovered, the damaged "
                "replications run again\n",
                c->path, (long long)damaged_bytes, (long long)damaged_at, after_damage,
                after_damage == 1 ? "" : "s");
    /* Cut off a torn tail so that appends follow the last good record. */
    if (ftruncate(c->fd, good) != 0 || lseek(c->fd, good, SEEK_SET) < 0)
        return sim_error_set(err, SIM_EIO, c->path, 0, 0, NULL, "cannot truncate checkpoint: %s",
                             strerror(errno));
    return SIM_OK;
}

/*
 * Open (creating if need be, never truncating yet, never through a symlink) and lock the
 * checkpoint: one run at a time writes it. A second run is refused with the first's pid.
 */
static int open_locked(sim__ckpt *c, const char *path, struct sim_error *err)
{
    c->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (c->fd < 0) {
        if (errno == ELOOP)
            return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                                 "checkpoint is a symbolic link (not followed; remove it)");
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot open checkpoint: %s",
                             strerror(errno));
    }
    struct stat st;
    if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                             "checkpoint is not a regular file");
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(c->fd, F_SETLK, &fl) == 0)
        return SIM_OK;
    if (errno != EAGAIN && errno != EACCES)
        return sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot lock checkpoint: %s",
                             strerror(errno));
    long pid = sim_batch_checkpoint_holder(path);
    return sim_error_set(err, SIM_EINPUT, path, 0, 0, NULL,
                         "checkpoint is in use by another capsim run (pid %ld) writing the "
                         "same results file; wait for it to finish or choose another -o",
                         pid);
}

long sim_batch_checkpoint_holder(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    long pid = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fcntl(fd, F_GETLK, &fl) == 0 &&
        fl.l_type != F_UNLCK)
        pid = (long)fl.l_pid;
    close(fd);
    return pid;
}

int sim__ckpt_open(sim__ckpt *c, const char *path, sim_results *res, bool resume,
                   double fsync_seconds, size_t first, size_t end, size_t *loaded,
                   struct sim_error *err)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->damaged_at = -1;
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
    c->buf_size = REC_HEAD + max_len * sizeof(double) + sizeof(uint64_t);
    c->buf = malloc(c->buf_size);
    bytes hdr = {0};
    int rc = c->buf ? build_header(res, &hdr) : SIM_ENOMEM;
    if (rc) {
        free(hdr.p);
        sim__ckpt_close(c);
        return rc;
    }

    c->tag = header_tag(&hdr);
    rc = open_locked(c, path, err);
    struct stat st;
    if (!rc && resume && fstat(c->fd, &st) == 0 && st.st_size > 0) {
        rc = check_header(c->fd, path, res, &hdr, err);
        if (!rc)
            rc = load_records(c, res, first, end, (off_t)hdr.n, c->tag, loaded, err);
        free(hdr.p);
        c->last_sync = sim__now();
        if (rc)
            sim__ckpt_close(c);
        return rc;
    }
    if (!rc && (ftruncate(c->fd, 0) != 0 || lseek(c->fd, 0, SEEK_SET) < 0 ||
                write_full(c->fd, hdr.p, hdr.n) != 0 || fdatasync(c->fd) != 0))
        rc = sim_error_set(err, SIM_EIO, path, 0, 0, NULL, "cannot write checkpoint: %s",
                           strerror(errno));
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
    memcpy(c->buf + 16, &c->tag, sizeof c->tag);
    memcpy(c->buf + REC_HEAD, rec->values, vbytes);
    uint64_t sum = sim__fnv1a(SIM__FNV_OFFSET, c->buf, REC_HEAD + vbytes);
    memcpy(c->buf + REC_HEAD + vbytes, &sum, sizeof sum);
    if (write_full(c->fd, c->buf, REC_HEAD + vbytes + sizeof sum) != 0)
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
    if (c->fd >= 0) {
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
