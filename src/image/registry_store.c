/* registry_store.c - comb_store over the distribution client: `comb sign` and
 * `comb verify` on any OCI registry. Referrers through the referrers API,
 * and on registries without it (404) through the OCI 1.1 fallback: an image
 * index tagged "sha256-<hex>" that the pusher of a referrer keeps up to date. */
#include "image/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "registry/client.h"

typedef struct reg_store {
    comb_store base;
    comb_registry *r;
    comb_ref ref;
} reg_store;

#define RS ((reg_store *)s)

static comb_code get_manifest(comb_store *s, const char *ref, unsigned char **data, size_t *len,
                              comb_desc *desc, comb_err *err)
{
    char mt[128] = "", digest[72];
    comb_code rc = comb_registry_manifest(RS->r, ref, data, len, mt, sizeof mt, digest, err);
    if (rc)
        return rc;
    json_t *j = json_loadb((const char *)*data, *len, 0, NULL);
    const char *inner = json_string_value(json_object_get(j, "mediaType"));
    if (desc) {
        memset(desc, 0, sizeof *desc);
        snprintf(desc->digest, sizeof desc->digest, "%s", digest);
        snprintf(desc->media_type, sizeof desc->media_type, "%s", inner ? inner : mt);
        const char *at = json_string_value(json_object_get(j, "artifactType"));
        snprintf(desc->artifact_type, sizeof desc->artifact_type, "%s", at ? at : "");
        desc->size = *len;
    }
    json_decref(j);
    return COMB_OK;
}

static int platform_match(json_t *p, const char *want)
{
    char buf[200];
    const char *os = json_string_value(json_object_get(p, "os"));
    const char *arch = json_string_value(json_object_get(p, "architecture"));
    const char *var = json_string_value(json_object_get(p, "variant"));
    if (!os || !arch)
        return 0;
    snprintf(buf, sizeof buf, "%s/%s", os, arch);
    if (!strcmp(buf, want))
        return 1;
    snprintf(buf, sizeof buf, "%s/%s/%s", os, arch, var ? var : "");
    return !strcmp(buf, want);
}

static comb_code resolve(comb_store *s, const char *tag, const char *platform, comb_desc *out,
                         char **ref_name, comb_err *err)
{
    const char *ref = tag ? tag : RS->ref.digest[0] ? RS->ref.digest : RS->ref.tag;
    unsigned char *data;
    size_t len;
    comb_code rc = get_manifest(s, ref, &data, &len, out, err);
    if (rc)
        return rc;
    if (platform && strstr(out->media_type, "index") == NULL && strstr(out->media_type, "list") == NULL) {
        /* one image: the platform is what it is */
    } else if (platform) {
        json_t *j = json_loadb((const char *)data, len, 0, NULL);
        size_t i;
        json_t *m;
        const char *pick = NULL;
        json_array_foreach(json_object_get(j, "manifests"), i, m) {
            if (platform_match(json_object_get(m, "platform"), platform)) {
                pick = json_string_value(json_object_get(m, "digest"));
                break;
            }
        }
        char d[72] = "";
        if (pick && comb_digest_valid(pick))
            snprintf(d, sizeof d, "%s", pick);
        json_decref(j);
        free(data);
        if (!d[0])
            return comb_fail(err, COMB_ENOTFOUND, "registry %s/%s:%s: no image for platform %s",
                             RS->ref.registry, RS->ref.repo, ref, platform);
        if ((rc = get_manifest(s, d, &data, &len, out, err)))
            return rc;
    }
    free(data);
    if (ref_name) {
        char name[700];
        comb_ref r = RS->ref;
        if (tag) {
            snprintf(r.tag, sizeof r.tag, "%s", tag);
            r.digest[0] = '\0';
        }
        comb_ref_format(&r, name, sizeof name);
        *ref_name = strdup(name);
    }
    return COMB_OK;
}

static comb_code get_blob(comb_store *s, const char *digest, size_t max, unsigned char **data,
                          size_t *len, comb_err *err)
{
    return comb_registry_blob(RS->r, digest, max, data, len, err);
}

static comb_code put_blob(comb_store *s, const void *data, size_t len, char digest[72],
                          comb_err *err)
{
    return comb_registry_put_blob(RS->r, data, len, digest, err);
}

static void fallback_tag(const char *subject, char *out, size_t sz)
{
    snprintf(out, sz, "sha256-%s", subject + 7);
}

/* The registry has no referrers API: add desc to the index tagged
 * sha256-<subject hex>. */
static comb_code update_fallback(comb_store *s, const char *subject, json_t *desc, comb_err *err)
{
    char tag[80];
    fallback_tag(subject, tag, sizeof tag);
    unsigned char *data = NULL;
    size_t len;
    comb_desc d;
    json_t *idx = NULL;
    comb_code rc = get_manifest(s, tag, &data, &len, &d, err);
    if (rc == COMB_OK)
        idx = json_loadb((const char *)data, len, 0, NULL);
    else if (rc != COMB_ENOTFOUND)
        return rc;
    free(data);
    if (!json_is_object(idx) || !json_is_array(json_object_get(idx, "manifests"))) {
        json_decref(idx);
        idx = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType", COMB_MT_OCI_INDEX,
                        "manifests");
    }
    json_t *arr = json_object_get(idx, "manifests");
    size_t i;
    json_t *m;
    const char *dg = json_string_value(json_object_get(desc, "digest"));
    json_array_foreach(arr, i, m) {
        if (dg && !strcmp(dg, (json_string_value(json_object_get(m, "digest")) ? json_string_value(json_object_get(m, "digest")) : ""))) {
            json_decref(idx);
            return COMB_OK;
        }
    }
    json_array_append(arr, desc);
    char *text = json_dumps(idx, JSON_COMPACT);
    json_decref(idx);
    if (!text)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    rc = comb_registry_put_manifest(RS->r, tag, COMB_MT_OCI_INDEX, text, strlen(text), NULL, err);
    free(text);
    return rc;
}

static comb_code put_manifest(comb_store *s, const void *data, size_t len, const char *media_type,
                              const char *tag, char digest[72], comb_err *err)
{
    if (comb_sha256_buf(data, len, digest))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int seen = 0;
    comb_code rc = comb_registry_put_manifest(RS->r, tag ? tag : digest, media_type, data, len,
                                              &seen, err);
    if (rc || tag || seen)
        return rc;
    json_t *j = json_loadb(data, len, 0, NULL);
    const char *subject = json_string_value(json_object_get(json_object_get(j, "subject"), "digest"));
    if (subject && comb_digest_valid(subject)) {
        const char *at = json_string_value(json_object_get(j, "artifactType"));
        if (!at)
            at = json_string_value(json_object_get(json_object_get(j, "config"), "mediaType"));
        json_t *desc = json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", digest, "size",
                                 (json_int_t)len);
        if (at)
            json_object_set_new(desc, "artifactType", json_string(at));
        json_t *ann = json_object_get(j, "annotations");
        if (json_is_object(ann))
            json_object_set(desc, "annotations", ann);
        rc = update_fallback(s, subject, desc, err);
        json_decref(desc);
    }
    json_decref(j);
    return rc;
}

static comb_code referrers(comb_store *s, const char *subject, const char *artifact_type,
                           comb_desc **out, size_t *n, comb_err *err)
{
    *out = NULL;
    *n = 0;
    unsigned char *data = NULL;
    size_t len;
    int filtered = 0;
    comb_code rc = comb_registry_referrers(RS->r, subject, artifact_type, &data, &len, &filtered, err);
    if (rc == COMB_EUNSUPPORTED) {
        char tag[80];
        comb_desc d;
        fallback_tag(subject, tag, sizeof tag);
        rc = get_manifest(s, tag, &data, &len, &d, err);
        if (rc == COMB_ENOTFOUND)
            return COMB_OK; /* nothing refers to it */
    }
    if (rc)
        return rc;
    json_t *j = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    json_t *arr = json_object_get(j, "manifests");
    size_t cnt = json_array_size(arr), i;
    json_t *m;
    if (cnt > 10000) {
        json_decref(j);
        return comb_fail(err, COMB_ELIMIT, "registry %s/%s: more than 10000 referrers of %s",
                         RS->ref.registry, RS->ref.repo, subject);
    }
    *out = calloc(cnt ? cnt : 1, sizeof **out);
    if (!*out) {
        json_decref(j);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    json_array_foreach(arr, i, m) {
        const char *dg = json_string_value(json_object_get(m, "digest"));
        const char *mt = json_string_value(json_object_get(m, "mediaType"));
        const char *at = json_string_value(json_object_get(m, "artifactType"));
        if (!dg || !comb_digest_valid(dg) || (artifact_type && (!at || strcmp(at, artifact_type))))
            continue;
        comb_desc *d = &(*out)[(*n)++];
        snprintf(d->digest, sizeof d->digest, "%s", dg);
        snprintf(d->media_type, sizeof d->media_type, "%s", mt ? mt : COMB_MT_OCI_MANIFEST);
        snprintf(d->artifact_type, sizeof d->artifact_type, "%s", at ? at : "");
        d->size = (uint64_t)json_integer_value(json_object_get(m, "size"));
    }
    (void)filtered; /* filtered again here either way */
    json_decref(j);
    return COMB_OK;
}

static comb_code lock(comb_store *s, comb_err *err)
{
    (void)s, (void)err;
    return COMB_OK;
}

static void unlock(comb_store *s) { (void)s; }

static void close_store(comb_store *s)
{
    comb_registry_close(RS->r);
    free(s);
}

static const comb_store_ops reg_ops = {
    "registry", resolve, get_manifest, get_blob, put_blob, put_manifest, referrers, lock, unlock,
    close_store,
};

comb_code comb_registry_store_open(const comb_ref *ref, const comb_registry_opts *opts,
                                   comb_store **out, comb_err *err)
{
    reg_store *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    s->base.ops = &reg_ops;
    s->ref = *ref;
    comb_registry_opts o = *opts;
    o.mirrors = ""; /* signatures are written to and read from the registry itself */
    comb_code rc = comb_registry_open(ref, &o, &s->r, err);
    if (rc) {
        free(s);
        return rc;
    }
    *out = &s->base;
    return COMB_OK;
}
