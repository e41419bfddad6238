/* workq.c - see workq.h. */
#include "registry/server/workq.h"

#include <pthread.h>
#include <stdlib.h>

struct rs_workq {
    rs_work_fn fn;
    void *ctx;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void **items;
    size_t cap, head, n;
    int stop, drain;
};

static void *run(void *arg)
{
    rs_workq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (!q->n && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (!q->n || (q->stop && !q->drain))
            break;
        void *item = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        pthread_mutex_unlock(&q->mu);
        q->fn(q->ctx, item);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

comb_code rs_workq_start(size_t cap, rs_work_fn fn, void *ctx, rs_workq **out, comb_err *err)
{
    rs_workq *q = calloc(1, sizeof *q);
    if (!q || !(q->items = calloc(cap, sizeof *q->items))) {
        free(q);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    q->fn = fn;
    q->ctx = ctx;
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (pthread_create(&q->th, NULL, run, q)) {
        free(q->items);
        free(q);
        return comb_fail(err, COMB_ENOMEM, "cannot start a worker thread");
    }
    *out = q;
    return COMB_OK;
}

int rs_workq_push(rs_workq *q, void *item)
{
    int rc = -1;
    pthread_mutex_lock(&q->mu);
    if (q->n < q->cap && !q->stop) {
        q->items[(q->head + q->n) % q->cap] = item;
        q->n++;
        rc = 0;
        pthread_cond_signal(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void rs_workq_stop(rs_workq *q, int drain)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    q->drain = drain;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->th, NULL);
    for (; q->n; q->n--, q->head = (q->head + 1) % q->cap)
        free(q->items[q->head]);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q->items);
    free(q);
}
