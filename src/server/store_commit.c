/* store_commit.c - group commit: request threads queue their records and
 * audit rows and wait; one writer thread takes everything queued, writes
 * it in one transaction, commits (one fsync for the lot) and wakes them.
 * A caller returns only after its rows are committed, so durability is the
 * same as one transaction per row, at a fraction of the disk flushes. When
 * a batch fails, its jobs are retried one transaction each, so a bad job
 * fails alone. */
#include "server/store_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum job_type { JOB_RECORDS, JOB_AUDIT } job_type;

struct store_job {
    job_type type;
    /* JOB_RECORDS */
    const char *node, *kind;
    const comb_store_rec *recs;
    size_t n;
    int *dups;
    /* JOB_AUDIT */
    const char *user, *client, *method, *path;
    int status;
    int64_t time;
    /* the outcome, set by the writer thread */
    int done;
    comb_code rc;
    comb_err err;
    store_job *next;
};

static int row_inserted(void *ud, int ncols, const char *const *cols)
{
    (void)ncols, (void)cols;
    *(int *)ud = 1;
    return 1;
}

static comb_code run_job(comb_store_db *s, store_job *j)
{
    if (j->type == JOB_AUDIT) {
        store_val p[] = { SV_INT(j->time), SV_OPT(j->user), SV_OPT(j->client), SV_OPT(j->method), SV_OPT(j->path),
                          SV_INT(j->status) };
        return s->drv->query(s->writer, "INSERT INTO audit (time, \"user\", client, method, path, status)"
                                        " VALUES ($1, $2, $3, $4, $5, $6)", p, 6, NULL, NULL, &j->err);
    }
    for (size_t i = 0; i < j->n; i++) {
        int inserted = 0;
        store_val p[] = { SV_TEXT(j->node), SV_TEXT(j->kind), SV_INT(j->time),
                          SV_TEXTN(j->recs[i].body, j->recs[i].len), SV_OPT(j->recs[i].rid) };
        /* a record id the node already used inserts nothing: a resend */
        if (s->drv->query(s->writer, "INSERT INTO records (node, kind, received, body, rid)"
                                     " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
                          p, 5, row_inserted, &inserted, &j->err))
            return COMB_EIO;
        j->dups[i] = !inserted;
    }
    return COMB_OK;
}

static comb_code in_transaction(comb_store_db *s, store_job *first, store_job *end)
{
    comb_err *err = &first->err;
    if (s->drv->script(s->writer, "BEGIN", err))
        return COMB_EIO;
    for (store_job *j = first; j != end; j = j->next)
        if (run_job(s, j)) {
            if (j != first)
                first->err = j->err;
            s->drv->script(s->writer, "ROLLBACK", NULL);
            return COMB_EIO;
        }
    if (s->drv->script(s->writer, "COMMIT", err)) {
        s->drv->script(s->writer, "ROLLBACK", NULL);
        return COMB_EIO;
    }
    return COMB_OK;
}

static void commit_batch(comb_store_db *s, store_job *batch)
{
    if (in_transaction(s, batch, NULL) == COMB_OK) {
        for (store_job *j = batch; j; j = j->next)
            j->rc = COMB_OK;
        return;
    }
    for (store_job *j = batch; j; j = j->next) {
        store_job *next = j->next;
        j->next = NULL;
        j->rc = in_transaction(s, j, NULL);
        j->next = next;
    }
}

static void *writer_main(void *arg)
{
    comb_store_db *s = arg;
    pthread_mutex_lock(&s->qmu);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->qwork, &s->qmu);
        if (!s->head)
            break; /* stopping, and nothing is left */
        store_job *batch = s->head;
        s->head = s->tail = NULL;
        pthread_mutex_unlock(&s->qmu);
        pthread_mutex_lock(&s->wmu);
        commit_batch(s, batch);
        pthread_mutex_unlock(&s->wmu);
        pthread_mutex_lock(&s->qmu);
        for (store_job *j = batch, *next; j; j = next) {
            next = j->next;
            j->done = 1; /* j belongs to its caller again from here */
        }
        pthread_cond_broadcast(&s->qdone);
    }
    pthread_mutex_unlock(&s->qmu);
    return NULL;
}

int store_commit_start(comb_store_db *s)
{
    if (pthread_create(&s->writer_thread, NULL, writer_main, s))
        return -1;
    s->writer_running = 1;
    return 0;
}

void store_commit_stop(comb_store_db *s)
{
    if (!s->writer_running)
        return;
    pthread_mutex_lock(&s->qmu);
    s->stopping = 1;
    pthread_cond_signal(&s->qwork);
    pthread_mutex_unlock(&s->qmu);
    pthread_join(s->writer_thread, NULL);
    s->writer_running = 0;
}

/* Queue j and wait until the writer thread has committed it. */
static comb_code submit(comb_store_db *s, store_job *j)
{
    j->time = (int64_t)time(NULL);
    j->err.code = COMB_OK;
    j->err.msg[0] = '\0';
    pthread_mutex_lock(&s->qmu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qmu);
        return comb_fail(&j->err, COMB_EIO, "%s %s: the store is closing", s->drv->name, s->label);
    }
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->qwork);
    while (!j->done)
        pthread_cond_wait(&s->qdone, &s->qmu);
    pthread_mutex_unlock(&s->qmu);
    return j->rc;
}

comb_code comb_store_records_add(comb_store_db *s, const char *node, const char *kind, const comb_store_rec *recs,
                                 size_t n, int *dups, comb_err *err)
{
    if (n > COMB_STORE_BATCH_MAX)
        return comb_fail(err, COMB_ELIMIT, "store: %zu records at once (at most %d)", n, COMB_STORE_BATCH_MAX);
    store_job j = { .type = JOB_RECORDS, .node = node, .kind = kind, .recs = recs, .n = n, .dups = dups };
    comb_code rc = submit(s, &j);
    if (rc && err)
        *err = j.err;
    return rc;
}

void comb_store_audit(comb_store_db *s, const char *user, const char *client, const char *method,
                      const char *path, int status)
{
    store_job j = { .type = JOB_AUDIT, .user = user, .client = client, .method = method, .path = path,
                    .status = status };
    submit(s, &j);
}
