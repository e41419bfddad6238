/* store.c - a read-only comb_store over one repository of the registry's
 * own root (rs_core): what the signature policy verifies with trust/'s
 * comb_verify_image, straight from the stored blobs and the referrers
 * index, before a pull is answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/store.h"
#include "registry/server/core.h"
#include "registry/server/sstore.h"

typedef struct srv_store {
    comb_store base;
    rs_core *core;
    char repo[256];
} srv_store;

#define SS ((srv_store *)s)

static comb_code get_manifest(comb_store *s, const char *ref, unsigned char **data, size_t *len,
                              comb_desc *desc, comb_err *err)
{
    comb_meta_manifest m;
    comb_code rc = SS->core->meta->ops->manifest_get(SS->core->meta, SS->repo, ref, &m, err);
    if (rc)
        return rc;
    free(m.annotations);
    if ((rc = comb_blobs_read(&SS->core->blobs, m.digest, COMB_STORE_MAX_MANIFEST, data, len, err)))
        return rc;
    if (desc) {
        memset(desc, 0, sizeof *desc);
        snprintf(desc->digest, sizeof desc->digest, "%s", m.digest);
        snprintf(desc->media_type, sizeof desc->media_type, "%s", m.media_type);
        snprintf(desc->artifact_type, sizeof desc->artifact_type, "%s", m.artifact_type);
        desc->size = m.size;
    }
    return COMB_OK;
}

static comb_code resolve(comb_store *s, const char *tag, const char *platform, comb_desc *out,
                         char **ref_name, comb_err *err)
{
    (void)platform;
    unsigned char *d;
    size_t n;
    if (ref_name)
        *ref_name = NULL;
    comb_code rc = get_manifest(s, tag ? tag : "latest", &d, &n, out, err);
    if (rc == COMB_OK)
        free(d);
    return rc;
}

static comb_code get_blob(comb_store *s, const char *digest, size_t max, unsigned char **data,
                          size_t *len, comb_err *err)
{
    comb_code rc = SS->core->meta->ops->blob_get(SS->core->meta, SS->repo, digest, NULL, err);
    if (rc)
        return rc;
    return comb_blobs_read(&SS->core->blobs, digest, max, data, len, err);
}

static comb_code put_blob(comb_store *s, const void *data, size_t len, char digest[72],
                          comb_err *err)
{
    (void)s, (void)data, (void)len, (void)digest;
    return comb_fail(err, COMB_EUNSUPPORTED, "the registry's policy view is read-only");
}

static comb_code put_manifest(comb_store *s, const void *data, size_t len, const char *media_type,
                              const char *tag, char digest[72], comb_err *err)
{
    (void)media_type, (void)tag;
    return put_blob(s, data, len, digest, err);
}

static comb_code referrers(comb_store *s, const char *subject, const char *artifact_type,
                           comb_desc **out, size_t *n, comb_err *err)
{
    comb_meta_manifest *v;
    size_t k;
    *out = NULL;
    *n = 0;
    comb_code rc = SS->core->meta->ops->referrers(SS->core->meta, SS->repo, subject, artifact_type,
                                                  &v, &k, err);
    if (rc)
        return rc;
    *out = calloc(k ? k : 1, sizeof **out);
    for (size_t i = 0; i < k; i++) {
        if (*out) {
            comb_desc *d = &(*out)[(*n)++];
            snprintf(d->digest, sizeof d->digest, "%s", v[i].digest);
            snprintf(d->media_type, sizeof d->media_type, "%s", v[i].media_type);
            snprintf(d->artifact_type, sizeof d->artifact_type, "%s", v[i].artifact_type);
            d->size = v[i].size;
        }
        free(v[i].annotations);
    }
    free(v);
    return *out ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
}

static comb_code lock(comb_store *s, comb_err *err)
{
    (void)s, (void)err;
    return COMB_OK;
}

static void unlock(comb_store *s) { (void)s; }

static void close_store(comb_store *s) { free(s); }

static const comb_store_ops srv_ops = {
    "registry-root", resolve, get_manifest, get_blob, put_blob, put_manifest, referrers, lock,
    unlock, close_store,
};

comb_code rs_store_open(rs_core *core, const char *repo, comb_store **out, comb_err *err)
{
    srv_store *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    s->base.ops = &srv_ops;
    s->core = core;
    snprintf(s->repo, sizeof s->repo, "%s", repo);
    *out = &s->base;
    return COMB_OK;
}
