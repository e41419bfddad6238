/* meta_sqlite.c - comb_meta on one SQLite database (WAL, synchronous=FULL)
 * shared by the server's threads under a mutex; see meta.h. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry/server/meta.h"

typedef struct sq_meta {
    comb_meta base;
    sqlite3 *db;
    pthread_mutex_t mu;
} sq_meta;

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS blobs(digest TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    "  touched INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS repo_blobs(repo TEXT NOT NULL, digest TEXT NOT NULL,"
    "  PRIMARY KEY(repo, digest));"
    "CREATE INDEX IF NOT EXISTS repo_blobs_digest ON repo_blobs(digest);"
    "CREATE TABLE IF NOT EXISTS manifests(repo TEXT NOT NULL, digest TEXT NOT NULL,"
    "  media_type TEXT NOT NULL, artifact_type TEXT NOT NULL, subject TEXT NOT NULL,"
    "  size INTEGER NOT NULL, annotations TEXT, created INTEGER NOT NULL,"
    "  PRIMARY KEY(repo, digest));"
    "CREATE INDEX IF NOT EXISTS manifests_subject ON manifests(repo, subject);"
    "CREATE INDEX IF NOT EXISTS manifests_digest ON manifests(digest);"
    "CREATE TABLE IF NOT EXISTS manifest_refs(repo TEXT NOT NULL, manifest TEXT NOT NULL,"
    "  blob TEXT NOT NULL, PRIMARY KEY(repo, manifest, blob));"
    "CREATE INDEX IF NOT EXISTS manifest_refs_blob ON manifest_refs(blob);"
    "CREATE TABLE IF NOT EXISTS tags(repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,"
    "  PRIMARY KEY(repo, tag));"
    "CREATE TABLE IF NOT EXISTS uploads(id TEXT PRIMARY KEY, repo TEXT NOT NULL,"
    "  started INTEGER NOT NULL);";

static comb_code db_fail(sq_meta *m, comb_err *err, const char *what)
{
    return comb_fail(err, COMB_EIO, "registry metadata: %s: %s", what, sqlite3_errmsg(m->db));
}

/* Prepare sql and bind text ('s'), int64 ('i') arguments as fmt says. */
static sqlite3_stmt *prep(sq_meta *m, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 's') {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i + 1);
        } else {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        }
    }
    va_end(ap);
    return st;
}

/* Run a statement without rows; 0 ok. */
static int exec1(sq_meta *m, sqlite3_stmt *st)
{
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    (void)m;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int64_t now(void) { return (int64_t)time(NULL); }

#define M ((sq_meta *)mm)
#define LOCK pthread_mutex_lock(&M->mu)
#define UNLOCK pthread_mutex_unlock(&M->mu)

static int begin(sq_meta *m) { return sqlite3_exec(m->db, "BEGIN IMMEDIATE", 0, 0, 0) == SQLITE_OK ? 0 : -1; }
static int commit(sq_meta *m) { return sqlite3_exec(m->db, "COMMIT", 0, 0, 0) == SQLITE_OK ? 0 : -1; }
static void rollback(sq_meta *m) { sqlite3_exec(m->db, "ROLLBACK", 0, 0, 0); }

static comb_code blob_add(comb_meta *mm, const char *repo, const char *digest, uint64_t size,
                          comb_err *err)
{
    LOCK;
    int bad = begin(M) ||
              exec1(M, prep(M, "INSERT INTO blobs(digest,size,touched) VALUES(?,?,?) "
                               "ON CONFLICT(digest) DO UPDATE SET touched=excluded.touched",
                            "sii", digest, (int64_t)size, now())) ||
              exec1(M, prep(M, "INSERT OR IGNORE INTO repo_blobs(repo,digest) VALUES(?,?)", "ss",
                            repo, digest)) ||
              commit(M);
    if (bad)
        rollback(M);
    comb_code rc = bad ? db_fail(M, err, "adding a blob") : COMB_OK;
    UNLOCK;
    return rc;
}

static comb_code blob_get_locked(sq_meta *m, const char *repo, const char *digest, uint64_t *size,
                                 comb_err *err)
{
    sqlite3_stmt *st = prep(m, "SELECT b.size FROM blobs b JOIN repo_blobs r ON r.digest=b.digest "
                               "WHERE r.repo=? AND b.digest=?", "ss", repo, digest);
    if (!st)
        return db_fail(m, err, "reading a blob");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && size)
        *size = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return COMB_OK;
    return comb_fail(err, COMB_ENOTFOUND, "blob %s: not in repository %s", digest, repo);
}

static comb_code blob_get(comb_meta *mm, const char *repo, const char *digest, uint64_t *size,
                          comb_err *err)
{
    LOCK;
    comb_code rc = blob_get_locked(M, repo, digest, size, err);
    UNLOCK;
    return rc;
}

static comb_code blob_mount(comb_meta *mm, const char *repo, const char *from, const char *digest,
                            uint64_t *size, comb_err *err)
{
    LOCK;
    comb_code rc = blob_get_locked(M, from, digest, size, err);
    if (rc == COMB_OK) {
        /* touching it keeps the collector off until a manifest refers to it */
        int bad = begin(M) ||
                  exec1(M, prep(M, "UPDATE blobs SET touched=? WHERE digest=?", "is", now(), digest)) ||
                  exec1(M, prep(M, "INSERT OR IGNORE INTO repo_blobs(repo,digest) VALUES(?,?)",
                                "ss", repo, digest)) ||
                  commit(M);
        if (bad) {
            rollback(M);
            rc = db_fail(M, err, "mounting a blob");
        }
    }
    UNLOCK;
    return rc;
}

static comb_code blob_unlink(comb_meta *mm, const char *repo, const char *digest, comb_err *err)
{
    LOCK;
    comb_code rc = blob_get_locked(M, repo, digest, NULL, err);
    if (rc == COMB_OK &&
        exec1(M, prep(M, "DELETE FROM repo_blobs WHERE repo=? AND digest=?", "ss", repo, digest)))
        rc = db_fail(M, err, "deleting a blob");
    UNLOCK;
    return rc;
}

static comb_code manifest_put(comb_meta *mm, const comb_meta_manifest *mf, const char *const *refs,
                              size_t nrefs, const char *tag, char missing[72], comb_err *err)
{
    LOCK;
    comb_code rc = COMB_OK;
    if (begin(M)) {
        rc = db_fail(M, err, "storing a manifest");
        goto out;
    }
    for (size_t i = 0; i < nrefs; i++) {
        int self = 0;
        /* a child manifest of an index is a manifest of this repository */
        sqlite3_stmt *st = prep(M, "SELECT 1 FROM manifests WHERE repo=? AND digest=?", "ss",
                                mf->repo, refs[i]);
        if (st && sqlite3_step(st) == SQLITE_ROW)
            self = 1;
        sqlite3_finalize(st);
        if (!self && blob_get_locked(M, mf->repo, refs[i], NULL, err) != COMB_OK) {
            snprintf(missing, 72, "%s", refs[i]);
            rollback(M);
            rc = comb_fail(err, COMB_ENOTFOUND, "manifest %s: blob %s unknown in %s", mf->digest,
                           refs[i], mf->repo);
            goto out;
        }
    }
    int bad = exec1(M, prep(M, "INSERT OR REPLACE INTO manifests(repo,digest,media_type,"
                               "artifact_type,subject,size,annotations,created) "
                               "VALUES(?,?,?,?,?,?,?,?)",
                            "sssssisi", mf->repo, mf->digest, mf->media_type, mf->artifact_type,
                            mf->subject, (int64_t)mf->size, mf->annotations, now())) ||
              exec1(M, prep(M, "INSERT INTO blobs(digest,size,touched) VALUES(?,?,?) "
                               "ON CONFLICT(digest) DO UPDATE SET touched=excluded.touched",
                            "sii", mf->digest, (int64_t)mf->size, now()));
    for (size_t i = 0; i < nrefs && !bad; i++)
        bad = exec1(M, prep(M, "INSERT OR IGNORE INTO manifest_refs(repo,manifest,blob) "
                               "VALUES(?,?,?)", "sss", mf->repo, mf->digest, refs[i]));
    if (!bad && tag)
        bad = exec1(M, prep(M, "INSERT OR REPLACE INTO tags(repo,tag,digest) VALUES(?,?,?)", "sss",
                            mf->repo, tag, mf->digest));
    if (bad || commit(M)) {
        rc = db_fail(M, err, "storing a manifest");
        rollback(M);
    }
out:
    UNLOCK;
    return rc;
}

static void row_manifest(sqlite3_stmt *st, comb_meta_manifest *o)
{
    memset(o, 0, sizeof *o);
#define COL(i, f) snprintf(o->f, sizeof o->f, "%s", (const char *)sqlite3_column_text(st, i) ? (const char *)sqlite3_column_text(st, i) : "")
    COL(0, repo);
    COL(1, digest);
    COL(2, media_type);
    COL(3, artifact_type);
    COL(4, subject);
#undef COL
    o->size = (uint64_t)sqlite3_column_int64(st, 5);
    const char *a = (const char *)sqlite3_column_text(st, 6);
    o->annotations = a ? strdup(a) : NULL;
}

#define MCOLS "m.repo,m.digest,m.media_type,m.artifact_type,m.subject,m.size,m.annotations"

static comb_code manifest_get(comb_meta *mm, const char *repo, const char *ref,
                              comb_meta_manifest *out, comb_err *err)
{
    LOCK;
    sqlite3_stmt *st =
        !strncmp(ref, "sha256:", 7)
            ? prep(M, "SELECT " MCOLS " FROM manifests m WHERE m.repo=? AND m.digest=?", "ss",
                   repo, ref)
            : prep(M, "SELECT " MCOLS " FROM manifests m JOIN tags t ON t.repo=m.repo AND "
                      "t.digest=m.digest WHERE t.repo=? AND t.tag=?", "ss", repo, ref);
    comb_code rc;
    if (!st) {
        rc = db_fail(M, err, "reading a manifest");
    } else if (sqlite3_step(st) == SQLITE_ROW) {
        row_manifest(st, out);
        rc = COMB_OK;
    } else {
        rc = comb_fail(err, COMB_ENOTFOUND, "manifest %s:%s unknown", repo, ref);
    }
    sqlite3_finalize(st);
    UNLOCK;
    return rc;
}

static comb_code manifest_delete(comb_meta *mm, const char *repo, const char *digest,
                                 comb_err *err)
{
    LOCK;
    comb_code rc = COMB_OK;
    sqlite3_stmt *st = prep(M, "SELECT 1 FROM manifests WHERE repo=? AND digest=?", "ss", repo, digest);
    int found = st && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found) {
        rc = comb_fail(err, COMB_ENOTFOUND, "manifest %s@%s unknown", repo, digest);
    } else if (begin(M) ||
               exec1(M, prep(M, "DELETE FROM manifests WHERE repo=? AND digest=?", "ss", repo, digest)) ||
               exec1(M, prep(M, "DELETE FROM manifest_refs WHERE repo=? AND manifest=?", "ss", repo, digest)) ||
               exec1(M, prep(M, "DELETE FROM tags WHERE repo=? AND digest=?", "ss", repo, digest)) ||
               commit(M)) {
        rollback(M);
        rc = db_fail(M, err, "deleting a manifest");
    }
    UNLOCK;
    return rc;
}

static comb_code tag_delete(comb_meta *mm, const char *repo, const char *tag, comb_err *err)
{
    LOCK;
    comb_code rc = COMB_OK;
    sqlite3_stmt *st = prep(M, "DELETE FROM tags WHERE repo=? AND tag=?", "ss", repo, tag);
    if (!st || sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(M, err, "deleting a tag");
    else if (sqlite3_changes(M->db) == 0)
        rc = comb_fail(err, COMB_ENOTFOUND, "tag %s:%s unknown", repo, tag);
    sqlite3_finalize(st);
    UNLOCK;
    return rc;
}

void comb_meta_list_free(comb_meta_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static comb_code collect(sq_meta *m, sqlite3_stmt *st, comb_meta_list *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    if (!st)
        return db_fail(m, err, "listing");
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            char **v = realloc(out->v, cap * sizeof *v);
            if (!v)
                goto nomem;
            out->v = v;
        }
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (!(out->v[out->n] = strdup(s ? s : "")))
            goto nomem;
        out->n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        comb_meta_list_free(out);
        return db_fail(m, err, "listing");
    }
    return COMB_OK;
nomem:
    sqlite3_finalize(st);
    comb_meta_list_free(out);
    return comb_fail(err, COMB_ENOMEM, "listing: out of memory");
}

static comb_code tags(comb_meta *mm, const char *repo, const char *last, long n,
                      comb_meta_list *out, comb_err *err)
{
    LOCK;
    comb_code rc = collect(M, prep(M, "SELECT tag FROM tags WHERE repo=? AND tag>? ORDER BY tag LIMIT ?",
                                   "ssi", repo, last ? last : "", (int64_t)n), out, err);
    UNLOCK;
    return rc;
}

static comb_code catalog(comb_meta *mm, const char *last, long n, comb_meta_list *out,
                         comb_err *err)
{
    LOCK;
    comb_code rc = collect(M, prep(M, "SELECT repo FROM (SELECT repo FROM manifests UNION "
                                      "SELECT repo FROM repo_blobs) WHERE repo>? ORDER BY repo LIMIT ?",
                                   "si", last ? last : "", (int64_t)n), out, err);
    UNLOCK;
    return rc;
}

static comb_code repo_exists(comb_meta *mm, const char *repo, int *exists, comb_err *err)
{
    LOCK;
    sqlite3_stmt *st = prep(M, "SELECT 1 WHERE EXISTS(SELECT 1 FROM manifests WHERE repo=?1) OR "
                               "EXISTS(SELECT 1 FROM repo_blobs WHERE repo=?1)", "s", repo);
    comb_code rc = st ? COMB_OK : db_fail(M, err, "looking up a repository");
    *exists = st && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    UNLOCK;
    return rc;
}

static comb_code referrers(comb_meta *mm, const char *repo, const char *subject,
                           const char *artifact_type, comb_meta_manifest **out, size_t *n,
                           comb_err *err)
{
    *out = NULL;
    *n = 0;
    LOCK;
    sqlite3_stmt *st =
        artifact_type
            ? prep(M, "SELECT " MCOLS " FROM manifests m WHERE m.repo=? AND m.subject=? AND "
                      "m.artifact_type=? ORDER BY m.created, m.digest", "sss", repo, subject, artifact_type)
            : prep(M, "SELECT " MCOLS " FROM manifests m WHERE m.repo=? AND m.subject=? "
                      "ORDER BY m.created, m.digest", "ss", repo, subject);
    comb_code rc = COMB_OK;
    size_t cap = 0;
    if (!st)
        rc = db_fail(M, err, "listing referrers");
    while (rc == COMB_OK && sqlite3_step(st) == SQLITE_ROW && *n < 10000) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            comb_meta_manifest *v = realloc(*out, cap * sizeof *v);
            if (!v) {
                rc = comb_fail(err, COMB_ENOMEM, "referrers: out of memory");
                break;
            }
            *out = v;
        }
        row_manifest(st, &(*out)[(*n)++]);
    }
    sqlite3_finalize(st);
    UNLOCK;
    return rc;
}

static comb_code simple(comb_meta *mm, sqlite3_stmt *st, const char *what, comb_err *err)
{
    LOCK;
    comb_code rc = exec1(M, st) ? db_fail(M, err, what) : COMB_OK;
    UNLOCK;
    return rc;
}

static comb_code upload_begin(comb_meta *mm, const char *id, const char *repo, comb_err *err)
{
    return simple(mm, prep(M, "INSERT INTO uploads(id,repo,started) VALUES(?,?,?)", "ssi", id, repo, now()),
                  "starting an upload", err);
}

static comb_code upload_check(comb_meta *mm, const char *id, const char *repo, comb_err *err)
{
    LOCK;
    sqlite3_stmt *st = prep(M, "SELECT 1 FROM uploads WHERE id=? AND repo=?", "ss", id, repo);
    int found = st && sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    UNLOCK;
    return found ? COMB_OK : comb_fail(err, COMB_ENOTFOUND, "upload %s unknown in %s", id, repo);
}

static comb_code upload_end(comb_meta *mm, const char *id, comb_err *err)
{
    return simple(mm, prep(M, "DELETE FROM uploads WHERE id=?", "s", id), "ending an upload", err);
}

static comb_code uploads_stale(comb_meta *mm, int64_t before, comb_meta_list *out, comb_err *err)
{
    LOCK;
    comb_code rc = collect(M, prep(M, "SELECT id FROM uploads WHERE started<?", "i", before), out, err);
    UNLOCK;
    return rc;
}

#define UNREFERENCED                                                                     \
    "b.touched<?1 AND NOT EXISTS(SELECT 1 FROM manifest_refs r WHERE r.blob=b.digest) " \
    "AND NOT EXISTS(SELECT 1 FROM manifests m WHERE m.digest=b.digest)"

static comb_code gc_candidates(comb_meta *mm, int64_t before, comb_meta_list *out, comb_err *err)
{
    LOCK;
    comb_code rc = collect(M, prep(M, "SELECT b.digest FROM blobs b WHERE " UNREFERENCED, "i", before),
                           out, err);
    UNLOCK;
    return rc;
}

static comb_code gc_drop(comb_meta *mm, const char *digest, int64_t before, int *dropped,
                         comb_err *err)
{
    LOCK;
    *dropped = 0;
    comb_code rc = COMB_OK;
    if (begin(M) ||
        exec1(M, prep(M, "DELETE FROM blobs AS b WHERE b.digest=?2 AND " UNREFERENCED, "is", before, digest))) {
        rollback(M);
        rc = db_fail(M, err, "collecting a blob");
        goto out;
    }
    *dropped = sqlite3_changes(M->db) > 0;
    if ((*dropped && exec1(M, prep(M, "DELETE FROM repo_blobs WHERE digest=?", "s", digest))) ||
        commit(M)) {
        rollback(M);
        *dropped = 0;
        rc = db_fail(M, err, "collecting a blob");
    }
out:
    UNLOCK;
    return rc;
}

static void sq_close(comb_meta *mm)
{
    if (!mm)
        return;
    sqlite3_close(M->db);
    pthread_mutex_destroy(&M->mu);
    free(M);
}

static const comb_meta_ops sq_ops = {
    blob_add, blob_get, blob_mount, blob_unlink, manifest_put, manifest_get, manifest_delete,
    tag_delete, tags, catalog, repo_exists, referrers, upload_begin, upload_check, upload_end,
    uploads_stale, gc_candidates, gc_drop, sq_close,
};

comb_code comb_meta_sqlite_open(const char *path, comb_meta **out, comb_err *err)
{
    sq_meta *m = calloc(1, sizeof *m);
    if (!m)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", path);
    m->base.ops = &sq_ops;
    pthread_mutex_init(&m->mu, NULL);
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(m->db, 10000) != SQLITE_OK ||
        sqlite3_exec(m->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        comb_code rc = comb_fail(err, COMB_EIO, "%s: %s", path, m->db ? sqlite3_errmsg(m->db) : "cannot open");
        sq_close(&m->base);
        return rc;
    }
    *out = &m->base;
    return COMB_OK;
}
