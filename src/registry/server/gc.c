/* gc.c - the root shared by server and CLI, and its garbage collector.
 *
 * Mark: every blob a manifest of the metadata refers to (config, layers,
 * child manifests) and every manifest is live. Sweep: a blob that is not,
 * and whose row was last touched (uploaded or mounted) more than `grace`
 * seconds ago, is forgotten and its file removed — each under the publish
 * lock and re-checked in the metadata transaction, so a push that lands
 * meanwhile (its manifest_put sees the row gone and answers
 * MANIFEST_BLOB_UNKNOWN, or it re-adds the row first) never ends with a
 * manifest whose blob is gone. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "registry/server/core.h"

comb_code rs_core_open(rs_core *c, const char *root, comb_err *err)
{
    memset(c, 0, sizeof *c);
    c->lockfd = -1;
    comb_code rc = comb_blobs_open(&c->blobs, root, err);
    if (rc != COMB_OK)
        return rc;
    char p[4096];
    snprintf(p, sizeof p, "%s/meta.db", root);
    if ((rc = comb_meta_sqlite_open(p, &c->meta, err)) != COMB_OK)
        return rc;
    snprintf(p, sizeof p, "%s/lock", root);
    c->lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (c->lockfd < 0) {
        rc = comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
        c->meta->ops->close(c->meta);
        return rc;
    }
    pthread_mutex_init(&c->pub, NULL);
    return COMB_OK;
}

void rs_core_close(rs_core *c)
{
    if (c->meta)
        c->meta->ops->close(c->meta);
    if (c->lockfd >= 0) {
        close(c->lockfd);
        pthread_mutex_destroy(&c->pub);
    }
    c->meta = NULL;
    c->lockfd = -1;
}

void rs_publish_lock(rs_core *c)
{
    pthread_mutex_lock(&c->pub);
    while (flock(c->lockfd, LOCK_EX) && errno == EINTR)
        ;
}

void rs_publish_unlock(rs_core *c)
{
    flock(c->lockfd, LOCK_UN);
    pthread_mutex_unlock(&c->pub);
}

comb_code rs_gc(rs_core *c, unsigned grace, unsigned upload_ttl, comb_rs_gc_stats *st,
                comb_err *err)
{
    memset(st, 0, sizeof *st);
    int64_t now = (int64_t)time(NULL);
    comb_meta_list l;
    comb_code rc = c->meta->ops->gc_candidates(c->meta, now - (int64_t)grace, &l, err);
    if (rc != COMB_OK)
        return rc;
    for (size_t i = 0; i < l.n && rc == COMB_OK; i++) {
        int dropped = 0;
        rs_publish_lock(c);
        rc = c->meta->ops->gc_drop(c->meta, l.v[i], now - (int64_t)grace, &dropped, err);
        if (rc == COMB_OK && dropped) {
            int fd;
            uint64_t size = 0;
            comb_err e2;
            if (comb_blobs_open_blob(&c->blobs, l.v[i], &fd, &size, &e2) == COMB_OK)
                close(fd);
            comb_blobs_remove(&c->blobs, l.v[i]);
            st->blobs_removed++;
            st->bytes_freed += size;
        }
        rs_publish_unlock(c);
    }
    comb_meta_list_free(&l);
    if (rc != COMB_OK)
        return rc;
    rc = c->meta->ops->uploads_stale(c->meta, now - (int64_t)(upload_ttl ? upload_ttl : 86400), &l, err);
    if (rc != COMB_OK)
        return rc;
    for (size_t i = 0; i < l.n; i++) {
        comb_blobs_upload_remove(&c->blobs, l.v[i]);
        c->meta->ops->upload_end(c->meta, l.v[i], err);
        st->uploads_removed++;
    }
    comb_meta_list_free(&l);
    return COMB_OK;
}

comb_code comb_rs_gc_root(const char *root, unsigned grace, unsigned upload_ttl,
                          comb_rs_gc_stats *st, comb_err *err)
{
    rs_core c;
    comb_code rc = rs_core_open(&c, root, err);
    if (rc == COMB_OK)
        rc = rs_gc(&c, grace, upload_ttl, st, err);
    rs_core_close(&c);
    return rc;
}
