/*
 * sim/batch/batch_queue.c: the job queue that the thread pool (batch.c) and the MPI master
 * (batch_mpi.c) both take jobs from and hand finished records back to. The caller holds the
 * queue's mutex.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "batch_internal.h"

bool sim__batch_take(sim__batch *b, sim__job *job)
{
    if (b->stop || b->next >= b->n_jobs || b->jobs[b->next].replication >= b->limit)
        return false;
    *job = b->jobs[b->next++];
    b->in_flight++;
    return true;
}

void sim__batch_push_done(sim__batch *b, sim__done *d)
{
    d->next = NULL;
    if (b->done_tail)
        b->done_tail->next = d;
    else
        b->done_head = d;
    b->done_tail = d;
    b->in_flight--;
    pthread_cond_signal(&b->done_cv);
}

