/* store_commit.c - group commit of records and audit rows. On SQLite
 * (one writer at a time) request threads queue their rows and wait; one
 * writer thread takes everything queued, writes it in one transaction,
 * commits (one fsync for the lot) and wakes them. When a batch fails, its
 * jobs are retried one transaction each, so a bad job fails alone. On
 * PostgreSQL, which shares one WAL flush among concurrent commits itself,
 * each caller commits its own transaction on a pooled connection, in
 * parallel. Either way a caller returns only after its rows are
 * committed: a stored record is on disk. */
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
    /* JOB_AUDIT, and JOB_RECORDS's own audit row when audited is set */
    int audited;
    const char *user, *client, *method, *path;
    int status;
    int64_t time;
    /* the outcome, set by the writer thread; each job has its own condition,
     * so a commit wakes its callers and no other thread */
    pthread_cond_t done_cond;
    int done;
    comb_code rc;
    comb_err err;
    store_job *next;
};

#define AUDIT_FIELD_MAX 2048

/* in as valid UTF-8 without control characters, each bad byte a '?', cut
 * on a character boundary to fit out: a request's path is the client's
 * bytes, and PostgreSQL refuses text that is not UTF-8 (the request would
 * then go unaudited). */
static const char *plain_text(const char *in, char out[AUDIT_FIELD_MAX])
{
    if (!in)
        return NULL;
    const unsigned char *p = (const unsigned char *)in;
    size_t o = 0;
    while (*p) {
        size_t n = 0;
        if (*p >= 0x20 && *p < 0x7f)
            n = 1;
        else if (*p >= 0xc2 && *p <= 0xdf)
            n = 2;
        else if (*p >= 0xe0 && *p <= 0xef)
            n = 3;
        else if (*p >= 0xf0 && *p <= 0xf4)
            n = 4;
        for (size_t k = 1; k < n; k++)
            if ((p[k] & 0xc0) != 0x80)
                n = 0;
        /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
        if ((n == 3 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0))) ||
            (n == 4 && ((*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90))))
            n = 0;
        if (o + (n ? n : 1) >= AUDIT_FIELD_MAX)
            break;
        if (n) {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        } else {
            out[o++] = '?';
            p++;
        }
    }
    out[o] = '\0';
    return out;
}

static int row_inserted(void *ud, int ncols, const char *const *cols)
{
    (void)ncols, (void)cols;
    *(int *)ud = 1;
    return 1;
}

static comb_code insert_audit(comb_store_db *s, void *conn, store_job *j)
{
    static __thread char user[AUDIT_FIELD_MAX], client[AUDIT_FIELD_MAX], method[AUDIT_FIELD_MAX],
        path[AUDIT_FIELD_MAX];
    store_val p[] = { SV_INT(j->time), SV_OPT(plain_text(j->user, user)), SV_OPT(plain_text(j->client, client)),
                      SV_OPT(plain_text(j->method, method)), SV_OPT(plain_text(j->path, path)),
                      SV_INT(j->status) };
    return s->drv->query(conn, "INSERT INTO audit (time, \"user\", client, method, path, status)"
                                    " VALUES ($1, $2, $3, $4, $5, $6)", p, 6, NULL, NULL, &j->err);
}

static comb_code run_job(comb_store_db *s, void *conn, store_job *j)
{
    if (j->type == JOB_AUDIT)
        return insert_audit(s, conn, j);
    for (size_t i = 0; i < j->n; i++) {
        int inserted = 0;
        store_val p[] = { SV_TEXT(j->node), SV_TEXT(j->kind), SV_INT(j->time),
                          SV_TEXTN(j->recs[i].body, j->recs[i].len), SV_OPT(j->recs[i].rid) };
        /* a record id the node already used inserts nothing: a resend */
        if (s->drv->query(conn, "INSERT INTO records (node, kind, received, body, rid)"
                                     " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
                          p, 5, row_inserted, &inserted, &j->err))
            return COMB_EIO;
        j->dups[i] = !inserted;
    }
    return j->audited ? insert_audit(s, conn, j) : COMB_OK;
}

/* The jobs from first on, in one transaction on conn. */
static comb_code in_transaction(comb_store_db *s, void *conn, store_job *first)
{
    comb_err *err = &first->err;
    if (!first->next && (first->type == JOB_AUDIT || (first->n == 1 && !first->audited)))
        return run_job(s, conn, first); /* one statement: a transaction of its own */
    if (s->drv->script(conn, "BEGIN", err))
        return COMB_EIO;
    for (store_job *j = first; j; j = j->next)
        if (run_job(s, conn, j)) {
            if (j != first)
                first->err = j->err;
            s->drv->script(conn, "ROLLBACK", NULL);
            return COMB_EIO;
        }
    if (s->drv->script(conn, "COMMIT", err)) {
        s->drv->script(conn, "ROLLBACK", NULL);
        return COMB_EIO;
    }
    return COMB_OK;
}

static void commit_batch(comb_store_db *s, store_job *batch)
{
    if (in_transaction(s, s->writer, batch) == COMB_OK) {
        for (store_job *j = batch; j; j = j->next)
            j->rc = COMB_OK;
        return;
    }
    for (store_job *j = batch; j; j = j->next) {
        store_job *next = j->next;
        j->next = NULL;
        j->rc = in_transaction(s, s->writer, j);
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
            pthread_cond_signal(&j->done_cond);
        }
    }
    pthread_mutex_unlock(&s->qmu);
    return NULL;
}

int store_commit_start(comb_store_db *s)
{
    if (s->drv->groups_commits)
        return 0;
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

/* Queue j and wait until the writer thread has committed it (or, when the
 * database groups commits itself, commit it here). */
static comb_code submit(comb_store_db *s, store_job *j)
{
    j->time = (int64_t)time(NULL);
    j->err.code = COMB_OK;
    j->err.msg[0] = '\0';
    if (s->drv->groups_commits) {
        void *conn = store_conn_take(s);
        comb_code rc = in_transaction(s, conn, j);
        store_conn_give(s, conn);
        return rc;
    }
    pthread_mutex_lock(&s->qmu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->qmu);
        return comb_fail(&j->err, COMB_EIO, "%s %s: the store is closing", s->drv->name, s->label);
    }
    pthread_cond_init(&j->done_cond, NULL);
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->qwork);
    while (!j->done)
        pthread_cond_wait(&j->done_cond, &s->qmu);
    pthread_mutex_unlock(&s->qmu);
    pthread_cond_destroy(&j->done_cond);
    return j->rc;
}

comb_code comb_store_records_add(comb_store_db *s, const char *node, const char *kind, const comb_store_rec *recs,
                                 size_t n, int *dups, comb_err *err)
{
    return comb_store_records_add_audited(s, node, kind, recs, n, dups, NULL, err);
}

comb_code comb_store_records_add_audited(comb_store_db *s, const char *node, const char *kind,
                                         const comb_store_rec *recs, size_t n, int *dups,
                                         const comb_store_audit_row *audit, comb_err *err)
{
    if (n > COMB_STORE_BATCH_MAX)
        return comb_fail(err, COMB_ELIMIT, "store: %zu records at once (at most %d)", n, COMB_STORE_BATCH_MAX);
    store_job j = { .type = JOB_RECORDS, .node = node, .kind = kind, .recs = recs, .n = n, .dups = dups };
    if (audit) {
        j.audited = 1;
        j.user = audit->user;
        j.client = audit->client;
        j.method = audit->method;
        j.path = audit->path;
        j.status = audit->status;
    }
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
