/* hashpipe.c - see hashpipe.h. */
#include "core/hashpipe.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define QLEN (COMB_HASHPIPE_STREAMS * COMB_HASHPIPE_SLOTS)

typedef struct ring {
    unsigned char *mem;      /* SLOTS * BUF bytes */
    uint64_t submitted, done;
    comb_sha256 sha;
} ring;

struct comb_hashpipe {
    ring rings[COMB_HASHPIPE_STREAMS];
    struct { int stream; const unsigned char *p; size_t n; } q[QLEN];
    uint64_t qhead, qtail;
    pthread_mutex_t mu;
    pthread_cond_t have_job, job_done;
    pthread_t thread;
    int threaded, stop, inited;
};

static void *hasher(void *arg)
{
    comb_hashpipe *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->qhead == h->qtail && !h->stop)
            pthread_cond_wait(&h->have_job, &h->mu);
        if (h->qhead == h->qtail)
            break;
        int s = h->q[h->qhead % QLEN].stream;
        const unsigned char *p = h->q[h->qhead % QLEN].p;
        size_t n = h->q[h->qhead % QLEN].n;
        h->qhead++;
        pthread_mutex_unlock(&h->mu);
        comb_sha256_update(&h->rings[s].sha, p, n);
        pthread_mutex_lock(&h->mu);
        h->rings[s].done++;
        pthread_cond_broadcast(&h->job_done);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

comb_hashpipe *comb_hashpipe_new(void)
{
    comb_hashpipe *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    for (int i = 0; i < COMB_HASHPIPE_STREAMS; i++) {
        h->rings[i].mem = malloc((size_t)COMB_HASHPIPE_SLOTS * COMB_HASHPIPE_BUF);
        if (!h->rings[i].mem || comb_sha256_init(&h->rings[i].sha)) {
            comb_hashpipe_free(h);
            return NULL;
        }
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->have_job, NULL);
    pthread_cond_init(&h->job_done, NULL);
    h->inited = 1;
    h->threaded = pthread_create(&h->thread, NULL, hasher, h) == 0;
    return h;
}

unsigned char *comb_hashpipe_buffer(comb_hashpipe *h, int stream)
{
    ring *r = &h->rings[stream];
    if (h->threaded) {
        pthread_mutex_lock(&h->mu);
        while (r->submitted - r->done >= COMB_HASHPIPE_SLOTS)
            pthread_cond_wait(&h->job_done, &h->mu);
        pthread_mutex_unlock(&h->mu);
    }
    return r->mem + (r->submitted % COMB_HASHPIPE_SLOTS) * COMB_HASHPIPE_BUF;
}

void comb_hashpipe_submit(comb_hashpipe *h, int stream, size_t n)
{
    ring *r = &h->rings[stream];
    const unsigned char *p = r->mem + (r->submitted % COMB_HASHPIPE_SLOTS) * COMB_HASHPIPE_BUF;
    if (!h->threaded) {
        comb_sha256_update(&r->sha, p, n);
        r->submitted++;
        r->done++;
        return;
    }
    pthread_mutex_lock(&h->mu);
    /* the queue holds at most SLOTS jobs per stream, so it never overflows */
    h->q[h->qtail % QLEN].stream = stream;
    h->q[h->qtail % QLEN].p = p;
    h->q[h->qtail % QLEN].n = n;
    h->qtail++;
    r->submitted++;
    pthread_cond_signal(&h->have_job);
    pthread_mutex_unlock(&h->mu);
}

static void stop(comb_hashpipe *h)
{
    if (!h->threaded)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = 1;
    pthread_cond_signal(&h->have_job);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    h->threaded = 0;
}

void comb_hashpipe_finish(comb_hashpipe *h, char out0[72], char out1[72])
{
    stop(h);
    comb_sha256_final(&h->rings[0].sha, out0);
    comb_sha256_final(&h->rings[1].sha, out1);
    comb_hashpipe_free(h);
}

void comb_hashpipe_free(comb_hashpipe *h)
{
    if (!h)
        return;
    stop(h);
    for (int i = 0; i < COMB_HASHPIPE_STREAMS; i++) {
        comb_sha256_discard(&h->rings[i].sha);
        free(h->rings[i].mem);
    }
    if (h->inited) {
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->have_job);
        pthread_cond_destroy(&h->job_done);
    }
    free(h);
}
