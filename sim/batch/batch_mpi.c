/*
 * sim/batch/batch_mpi.c: spreading a batch's jobs over MPI ranks.
 *
 * Rank 0 is the master: it keeps the job queue (shared with its own worker threads) and
 * answers each request with one job, so fast ranks take more jobs than slow ones (jobs
 * differ in length). The other ranks loop: ask, run, send the record back (which is also
 * the next request). Only rank 0's main thread calls MPI (MPI_THREAD_FUNNELED).
 *
 * Messages, all MPI_BYTE on MPI_COMM_WORLD:
 *   TAG_READY   worker -> 0   empty: the first request
 *   TAG_RESULT  worker -> 0   u64 scenario, u64 replication, i64 status, double values[]
 *   TAG_JOB     0 -> worker   u64 scenario, u64 replication
 *   TAG_STOP    0 -> worker   empty: no more jobs
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "batch_internal.h"
#include "core/error.h"

#if CAPSIM_HAVE_MPI
#include <mpi.h>

enum { TAG_READY = 11, TAG_RESULT = 12, TAG_JOB = 13, TAG_STOP = 14 };

/* Environment variables that MPI launchers set (Open MPI, PMIx, MPICH/Hydra, PMI-1/2). */
static const char *const launcher_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE",
                                            "PMI_RANK", "MPI_LOCALNRANKS", NULL};

bool sim_batch_mpi_active(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int sim_batch_mpi_begin(int *argc, char ***argv, int *rank, int *size)
{
    *rank = 0;
    *size = 1;
    bool launched = false;
    for (size_t i = 0; launcher_vars[i]; i++)
        if (getenv(launcher_vars[i]))
            launched = true;
    if (!launched)
        return SIM_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return SIM_EIO;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return SIM_OK;
}

void sim_batch_mpi_end(void)
{
    if (sim_batch_mpi_active())
        MPI_Finalize();
}

int sim_batch_mpi_agree(int code)
{
    if (!sim_batch_mpi_active())
        return code;
    int out = code;
    MPI_Allreduce(&code, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return out;
}

int sim__mpi_rank_size(int *rank, int *size)
{
    if (MPI_Comm_rank(MPI_COMM_WORLD, rank) != MPI_SUCCESS ||
        MPI_Comm_size(MPI_COMM_WORLD, size) != MPI_SUCCESS)
        return SIM_EIO;
    return SIM_OK;
}

struct sim__mpi_master {
    int ranks;
    bool *heard;    /* the rank has sent its first request */
    bool *idle;     /* waiting for a job */
    bool *busy;     /* running a job */
    unsigned char *buf;
    size_t buf_size;
};

int sim__mpi_master_alloc(sim__mpi_master **out, int ranks)
{
    sim__mpi_master *m = calloc(1, sizeof *m);
    if (!m)
        return SIM_ENOMEM;
    m->ranks = ranks;
    m->heard = calloc((size_t)ranks, sizeof *m->heard);
    m->idle = calloc((size_t)ranks, sizeof *m->idle);
    m->busy = calloc((size_t)ranks, sizeof *m->busy);
    if (!m->heard || !m->idle || !m->busy) {
        sim__mpi_master_free(m);
        return SIM_ENOMEM;
    }
    *out = m;
    return SIM_OK;
}

void sim__mpi_master_free(sim__mpi_master *m)
{
    if (!m)
        return;
    free(m->heard);
    free(m->idle);
    free(m->busy);
    free(m->buf);
    free(m);
}

size_t sim__mpi_master_busy(const sim__mpi_master *m)
{
    size_t n = 0;
    for (int i = 1; i < m->ranks; i++)
        n += m->busy[i];
    return n;
}

/* Receive the message `st` announced and queue what it carries. */
static int receive(sim__mpi_master *m, sim__batch *b, const MPI_Status *st,
                   struct sim_error *err)
{
    int src = st->MPI_SOURCE;
    if (st->MPI_TAG == TAG_READY) {
        MPI_Recv(NULL, 0, MPI_BYTE, src, TAG_READY, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        m->heard[src] = true;
        m->idle[src] = true;
        return SIM_OK;
    }
    if (st->MPI_TAG != TAG_RESULT)
        return sim_error_set(err, SIM_EIO, NULL, 0, 0, NULL,
                             "unexpected MPI message (tag %d) from rank %d", st->MPI_TAG, src);
    int count = 0;
    MPI_Get_count(st, MPI_BYTE, &count);
    if ((size_t)count > m->buf_size) {
        unsigned char *p = realloc(m->buf, (size_t)count);
        if (!p)
            return SIM_ENOMEM;
        m->buf = p;
        m->buf_size = (size_t)count;
    }
    MPI_Recv(m->buf, count, MPI_BYTE, src, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    m->busy[src] = false;
    m->idle[src] = true;
    uint64_t s, r;
    int64_t status;
    if (count < 24)
        return sim_error_set(err, SIM_EIO, NULL, 0, 0, NULL, "short MPI result from rank %d",
                             src);
    memcpy(&s, m->buf, 8);
    memcpy(&r, m->buf + 8, 8);
    memcpy(&status, m->buf + 16, 8);
    if (s >= b->res->n_scenarios || r >= b->res->scenarios[s].replications)
        return sim_error_set(err, SIM_EIO, NULL, 0, 0, NULL, "bad MPI result from rank %d",
                             src);
    sim__done *d = calloc(1, sizeof *d);
    if (!d)
        return SIM_ENOMEM;
    d->job = (sim__job){(size_t)s, r};
    d->rank = src;
    d->status = (int)status;
    if (status == 0) {
        const sim_monitor *mon = b->res->scenarios[s].monitor;
        size_t len = sim_monitor_record_length(mon);
        if ((size_t)count != 24 + len * sizeof(double)) {
            free(d);
            return sim_error_set(err, SIM_EIO, NULL, 0, 0, NULL,
                                 "MPI result of the wrong size from rank %d", src);
        }
        d->rec = sim_record_alloc(mon);
        if (!d->rec) {
            free(d);
            return SIM_ENOMEM;
        }
        memcpy(d->rec->values, m->buf + 24, len * sizeof(double));
    }
    pthread_mutex_lock(&b->mu);
    sim__batch_push_done(b, d);
    pthread_mutex_unlock(&b->mu);
    return SIM_OK;
}

/* Give each idle rank a job, if any may be dispatched. */
static void dispatch(sim__mpi_master *m, sim__batch *b)
{
    for (int i = 1; i < m->ranks; i++) {
        if (!m->idle[i])
            continue;
        sim__job job;
        pthread_mutex_lock(&b->mu);
        bool got = sim__batch_take(b, &job);
        pthread_mutex_unlock(&b->mu);
        if (!got)
            return;
        uint64_t msg[2] = {job.scenario, job.replication};
        MPI_Send(msg, (int)sizeof msg, MPI_BYTE, i, TAG_JOB, MPI_COMM_WORLD);
        m->idle[i] = false;
        m->busy[i] = true;
    }
}

int sim__mpi_master_poll(sim__mpi_master *m, sim__batch *b, struct sim_error *err)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            break;
        int rc = receive(m, b, &st, err);
        if (rc)
            return rc;
    }
    dispatch(m, b);
    return SIM_OK;
}

int sim__mpi_master_finish(sim__mpi_master *m, sim__batch *b, struct sim_error *err)
{
    int rc = SIM_OK;
    for (;;) {
        bool waiting = sim__mpi_master_busy(m) > 0;
        for (int i = 1; i < m->ranks; i++)
            waiting = waiting || !m->heard[i];
        if (!waiting)
            break;
        MPI_Status st;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        int rc2 = receive(m, b, &st, err);
        if (!rc)
            rc = rc2;
    }
    for (int i = 1; i < m->ranks; i++)
        MPI_Send(NULL, 0, MPI_BYTE, i, TAG_STOP, MPI_COMM_WORLD);
    return rc;
}

int sim__mpi_worker(sim_results *res, sim_batch_fn fn, void *ctx, size_t *jobs_run,
                    struct sim_error *err)
{
    size_t max_len = 0;
    for (size_t s = 0; s < res->n_scenarios; s++) {
        size_t len = sim_monitor_record_length(res->scenarios[s].monitor);
        if (len > max_len)
            max_len = len;
    }
    unsigned char *buf = malloc(24 + max_len * sizeof(double));
    if (!buf)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_READY, MPI_COMM_WORLD);
    for (;;) {
        MPI_Status st;
        MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP) {
            MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            break;
        }
        uint64_t msg[2];
        MPI_Recv(msg, (int)sizeof msg, MPI_BYTE, 0, TAG_JOB, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        size_t s = (size_t)msg[0];
        int64_t status = SIM_EINVAL;
        size_t len = 0;
        if (s < res->n_scenarios) {
            sim_record *rec = sim_record_alloc(res->scenarios[s].monitor);
            status = SIM_ENOMEM;
            if (rec) {
                int st_run = fn(ctx, s, msg[1], rec);
                status = st_run == 0 ? 0 : (st_run < 0 ? st_run : SIM_EINVAL);
                if (status == 0) {
                    len = sim_monitor_record_length(res->scenarios[s].monitor);
                    memcpy(buf + 24, rec->values, len * sizeof(double));
                }
                sim_record_free(rec);
            }
        }
        memcpy(buf, &msg[0], 8);
        memcpy(buf + 8, &msg[1], 8);
        memcpy(buf + 16, &status, 8);
        MPI_Send(buf, (int)(24 + len * sizeof(double)), MPI_BYTE, 0, TAG_RESULT,
                 MPI_COMM_WORLD);
        (*jobs_run)++;
    }
    free(buf);
    (void)err;
    return rc;
}

#else /* !CAPSIM_HAVE_MPI */

bool sim_batch_mpi_active(void)
{
    return false;
}

int sim_batch_mpi_begin(int *argc, char ***argv, int *rank, int *size)
{
    (void)argc;
    (void)argv;
    *rank = 0;
    *size = 1;
    return SIM_OK;
}

void sim_batch_mpi_end(void)
{
}

int sim_batch_mpi_agree(int code)
{
    return code;
}

#endif
