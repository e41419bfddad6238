/* layout_store.c - the artifact store (image/store.h) of an OCI image
 * layout directory: reading manifests and blobs, writing new ones, tags
 * as org.opencontainers.image.ref.name annotations in index.json, and
 * referrers as untagged manifests listed in index.json (also found through
 * an index tagged with the referrers tag schema "sha256-<hex>").
 *
 * Writes never leave a half-visible file: a blob is written to a temporary
 * file in blobs/sha256/, synced and renamed to its digest; index.json is
 * rewritten the same way. The layout is locked (flock on its directory)
 * from reading index.json to renaming the new one, so concurrent writers
 * do not lose each other's entries. Every file is opened beneath the
 * layout root (comb_layout_open_beneath), so symlinks cannot lead out.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/readfile.h"
#include "image/image_internal.h"
#include "image/store.h"

#define MAX_INDEX_ENTRIES 10000
#define MAX_REFERRERS 1000

typedef struct layout_store {
    comb_store base;
    char *root;
    int lockfd; /* >= 0 while ls_lock holds the layout */
} layout_store;

int comb_store_is_artifact_tag(const char *tag)
{
    if (!tag || strncmp(tag, "sha256-", 7))
        return 0;
    for (int i = 7; i < 71; i++)
        if (!((tag[i] >= '0' && tag[i] <= '9') || (tag[i] >= 'a' && tag[i] <= 'f')))
            return 0;
    return tag[71] == '\0' || tag[71] == '.';
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static comb_code load_index(layout_store *ls, json_t **out, comb_err *err)
{
    unsigned char *data;
    size_t len;
    comb_code rc = comb_layout_read(ls->root, "index.json", &data, &len, err);
    if (rc) {
        comb_err_prefix(err, "%s", ls->root);
        return rc;
    }
    json_error_t je;
    json_t *idx = json_loadb((const char *)data, len, 0, &je);
    free(data);
    json_t *m = json_object_get(idx, "manifests");
    if (!json_is_object(idx) || !json_is_array(m)) {
        json_decref(idx);
        return comb_fail(err, COMB_EFORMAT, "%s/index.json: not an image index%s%s", ls->root,
                         idx ? "" : ": ", idx ? "" : je.text);
    }
    if (json_array_size(m) > MAX_INDEX_ENTRIES) {
        json_decref(idx);
        return comb_fail(err, COMB_ELIMIT, "%s/index.json: more than %d manifests", ls->root,
                         MAX_INDEX_ENTRIES);
    }
    *out = idx;
    return COMB_OK;
}

static void fill_desc(json_t *d, comb_desc *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->digest, sizeof out->digest, "%s", jstr(d, "digest") ? jstr(d, "digest") : "");
    const char *mt = jstr(d, "mediaType"), *at = jstr(d, "artifactType");
    snprintf(out->media_type, sizeof out->media_type, "%s", mt ? mt : "");
    snprintf(out->artifact_type, sizeof out->artifact_type, "%s", at ? at : "");
    json_t *sz = json_object_get(d, "size");
    out->size = json_is_integer(sz) && json_integer_value(sz) > 0 ? (uint64_t)json_integer_value(sz) : 0;
}

static const char *ref_name(json_t *d)
{
    json_t *ann = json_object_get(d, "annotations");
    return json_is_object(ann) ? jstr(ann, "org.opencontainers.image.ref.name") : NULL;
}

/* Does a descriptor's platform match "os/arch[/variant]"? */
static int platform_is(json_t *d, const char *want)
{
    json_t *pf = json_object_get(d, "platform");
    const char *os = jstr(pf, "os"), *arch = jstr(pf, "architecture"), *var = jstr(pf, "variant");
    char have[200];
    if (!os || !arch)
        return 0;
    snprintf(have, sizeof have, "%s/%s", os, arch);
    size_t hl = strlen(have);
    if (!strncmp(want, have, hl) && want[hl] == '\0')
        return 1; /* no variant asked for */
    return var && !strncmp(want, have, hl) && want[hl] == '/' && !strcmp(want + hl + 1, var);
}

static comb_code ls_resolve(comb_store *s, const char *tag, const char *platform, comb_desc *out,
                            char **name, comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    json_t *idx;
    comb_code rc = load_index(ls, &idx, err);
    if (rc)
        return rc;
    json_t *pick = NULL, *d;
    size_t i, n = 0;
    json_array_foreach(json_object_get(idx, "manifests"), i, d) {
        const char *rn = ref_name(d);
        if (!json_is_object(d) || jstr(d, "artifactType") || comb_store_is_artifact_tag(rn))
            continue;
        if (tag && !comb_tag_matches(tag, rn))
            continue;
        if (platform && !platform_is(d, platform))
            continue;
        if (!pick || strcmp(jstr(pick, "digest") ? jstr(pick, "digest") : "",
                            jstr(d, "digest") ? jstr(d, "digest") : ""))
            n++;
        if (!pick)
            pick = d;
    }
    if (!pick)
        rc = comb_fail(err, COMB_ENOTFOUND, "%s: no image%s%s%s%s%s", ls->root,
                       tag ? " tagged \"" : "", tag ? tag : "", tag ? "\"" : "",
                       platform ? " for platform " : "", platform ? platform : "");
    else if (n > 1)
        rc = comb_fail(err, COMB_EINVAL, "%s: several images%s%s; pick one with DIR:TAG or --platform",
                       ls->root, tag ? " tagged " : "", tag ? tag : "");
    else if (!comb_digest_valid(jstr(pick, "digest")))
        rc = comb_fail(err, COMB_EFORMAT, "%s/index.json: bad digest", ls->root);
    if (rc == COMB_OK) {
        fill_desc(pick, out);
        if (name) {
            const char *rn = ref_name(pick);
            *name = rn ? strdup(rn) : NULL;
        }
    }
    json_decref(idx);
    return rc;
}

static comb_code ls_get_blob(comb_store *s, const char *digest, size_t max, unsigned char **data,
                             size_t *len, comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    if (!comb_digest_valid(digest))
        return comb_fail(err, COMB_EFORMAT, "%s: \"%.80s\" is not a sha256 digest", ls->root,
                         digest ? digest : "");
    char rel[100];
    snprintf(rel, sizeof rel, "blobs/sha256/%s", digest + 7);
    int fd = comb_layout_open_beneath(ls->root, rel, O_RDONLY);
    if (fd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "%s: %s: %s", ls->root,
                         rel, errno == EXDEV || errno == ELOOP ? "leads out of the layout"
                                                               : strerror(errno));
    char name[4200];
    snprintf(name, sizeof name, "%s/%s", ls->root, rel);
    unsigned char *buf;
    size_t n;
    comb_code rc = comb_read_fd(fd, max, name, &buf, &n, err);
    if (rc)
        return rc;
    char got[72];
    if (comb_sha256_buf(buf, n, got)) {
        free(buf);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    if (strcmp(got, digest)) {
        free(buf);
        return comb_fail(err, COMB_EDIGEST, "%s: %s: content digest is %s", ls->root, rel, got);
    }
    *data = buf;
    *len = n;
    return COMB_OK;
}

static comb_code ls_get_manifest(comb_store *s, const char *ref, unsigned char **data,
                                 size_t *len, comb_desc *desc, comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    comb_desc d;
    memset(&d, 0, sizeof d);
    if (comb_digest_valid(ref)) {
        snprintf(d.digest, sizeof d.digest, "%s", ref);
    } else {
        json_t *idx;
        comb_code rc = load_index(ls, &idx, err);
        if (rc)
            return rc;
        json_t *m;
        size_t i;
        int found = 0;
        json_array_foreach(json_object_get(idx, "manifests"), i, m) {
            const char *rn = ref_name(m);
            if (rn && !strcmp(rn, ref) && comb_digest_valid(jstr(m, "digest"))) {
                fill_desc(m, &d);
                found = 1;
            }
        }
        json_decref(idx);
        if (!found)
            return comb_fail(err, COMB_ENOTFOUND, "%s: no manifest tagged \"%s\"", ls->root, ref);
    }
    comb_code rc = ls_get_blob(s, d.digest, COMB_STORE_MAX_MANIFEST, data, len, err);
    if (rc)
        return rc;
    json_t *man = json_loadb((const char *)*data, *len, 0, NULL);
    if (!json_is_object(man)) {
        json_decref(man);
        free(*data);
        return comb_fail(err, COMB_EFORMAT, "%s: manifest %.19s is not a JSON object", ls->root,
                         d.digest);
    }
    const char *mt = jstr(man, "mediaType"), *at = jstr(man, "artifactType");
    if (mt)
        snprintf(d.media_type, sizeof d.media_type, "%s", mt);
    if (at)
        snprintf(d.artifact_type, sizeof d.artifact_type, "%s", at);
    d.size = *len;
    json_decref(man);
    if (desc)
        *desc = d;
    return COMB_OK;
}

/* Write bytes to dir/<name> atomically: a temporary file, fsync, rename. */
static comb_code write_atomic(layout_store *ls, int dfd, const char *dirname, const char *name,
                              const void *data, size_t len, comb_err *err)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, ".tmp-%ld-%s", (long)getpid(), name);
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
        unlinkat(dfd, tmp, 0);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    }
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s/%s: %s", ls->root, dirname, strerror(errno));
    int e = comb_write_fd_sync(fd, data, len), ok = e == 0;
    if (ok && renameat(dfd, tmp, dfd, name))
        ok = 0, e = errno;
    if (!ok) {
        unlinkat(dfd, tmp, 0);
        return comb_fail(err, COMB_EIO, "%s/%s/%s: %s", ls->root, dirname, name, strerror(e));
    }
    fsync(dfd);
    return COMB_OK;
}

static comb_code ls_put_blob(comb_store *s, const void *data, size_t len, char digest[72],
                             comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    if (comb_sha256_buf(data, len, digest))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int dfd = comb_layout_open_beneath(ls->root, "blobs/sha256", O_RDONLY | O_DIRECTORY);
    if (dfd < 0)
        return comb_fail(err, COMB_EIO, "%s/blobs/sha256: %s", ls->root,
                         errno == EXDEV || errno == ELOOP ? "leads out of the layout"
                                                          : strerror(errno));
    /* always (re)written: whatever sits under that name now (a blob with
     * other content, a symlink) is replaced by a rename, never written through */
    comb_code rc = write_atomic(ls, dfd, "blobs/sha256", digest + 7, data, len, err);
    close(dfd);
    return rc;
}

static comb_code ls_lock(comb_store *s, comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    if (ls->lockfd >= 0)
        return comb_fail(err, COMB_EINVAL, "%s: already locked", ls->root);
    int fd = open(ls->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || flock(fd, LOCK_EX)) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return comb_fail(err, COMB_EIO, "%s: cannot lock: %s", ls->root, strerror(e));
    }
    ls->lockfd = fd;
    return COMB_OK;
}

static void ls_unlock(comb_store *s)
{
    layout_store *ls = (layout_store *)s;
    if (ls->lockfd >= 0)
        close(ls->lockfd); /* releases the lock */
    ls->lockfd = -1;
}

static comb_code ls_put_manifest(comb_store *s, const void *data, size_t len,
                                 const char *media_type, const char *tag, char digest[72],
                                 comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    int own_lock = 0;
    json_t *man = json_loadb(data, len, 0, NULL);
    if (!json_is_object(man)) {
        json_decref(man);
        return comb_fail(err, COMB_EINVAL, "manifest to store is not a JSON object");
    }
    const char *at = jstr(man, "artifactType");
    json_t *desc = json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", "",
                             "size", (json_int_t)len);
    if (desc && at)
        json_object_set_new(desc, "artifactType", json_string(at));
    json_decref(man);
    if (!desc)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_code rc = ls_put_blob(s, data, len, digest, err);
    if (rc) {
        json_decref(desc);
        return rc;
    }
    json_object_set_new(desc, "digest", json_string(digest));
    if (tag)
        json_object_set_new(desc, "annotations",
                            json_pack("{s:s}", "org.opencontainers.image.ref.name", tag));
    own_lock = ls->lockfd < 0;
    if (own_lock && (rc = ls_lock(s, err))) {
        own_lock = 0;
        goto out;
    }
    json_t *idx;
    rc = load_index(ls, &idx, err);
    if (rc)
        goto out;
    json_t *mans = json_object_get(idx, "manifests"), *m;
    size_t i;
    int present = 0;
    for (i = json_array_size(mans); i-- > 0;) {
        m = json_array_get(mans, i);
        const char *rn = ref_name(m), *d = jstr(m, "digest");
        if (tag && rn && !strcmp(rn, tag))
            json_array_remove(mans, i); /* the tag moves to the new manifest */
        else if (!tag && d && !strcmp(d, digest) && !rn)
            present = 1;
    }
    if (!present)
        json_array_append(mans, desc);
    char *text = json_dumps(idx, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(idx);
    if (!text) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    int rfd = comb_layout_open_beneath(ls->root, ".", O_RDONLY | O_DIRECTORY);
    if (rfd < 0)
        rc = comb_fail(err, COMB_EIO, "%s: %s", ls->root, strerror(errno));
    else
        rc = write_atomic(ls, rfd, ".", "index.json", text, strlen(text), err);
    if (rfd >= 0)
        close(rfd);
    free(text);
out:
    if (own_lock)
        ls_unlock(s);
    json_decref(desc);
    return rc;
}

/* Does manifest d name `subject` (and the artifact type)? Adds it to out. */
static comb_code consider(layout_store *ls, const char *digest, const char *subject,
                          const char *artifact_type, comb_desc *out, size_t *n, comb_err *err)
{
    for (size_t k = 0; k < *n; k++)
        if (!strcmp(out[k].digest, digest))
            return COMB_OK;
    unsigned char *data;
    size_t len;
    comb_desc d;
    comb_code rc = ls_get_manifest(&ls->base, digest, &data, &len, &d, err);
    if (rc)
        return rc;
    json_t *man = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    json_t *sub = json_object_get(man, "subject");
    const char *sd = json_is_object(sub) ? jstr(sub, "digest") : NULL;
    if (!d.artifact_type[0]) {
        json_t *cfg = json_object_get(man, "config");
        const char *cmt = json_is_object(cfg) ? jstr(cfg, "mediaType") : NULL;
        if (cmt && strcmp(cmt, COMB_MT_OCI_EMPTY))
            snprintf(d.artifact_type, sizeof d.artifact_type, "%s", cmt);
    }
    int match = sd && !strcmp(sd, subject) &&
                (!artifact_type || !strcmp(artifact_type, d.artifact_type));
    json_decref(man);
    if (!match)
        return COMB_OK;
    if (*n >= MAX_REFERRERS)
        return comb_fail(err, COMB_ELIMIT, "%s: more than %d referrers of %.19s", ls->root,
                         MAX_REFERRERS, subject);
    out[(*n)++] = d;
    return COMB_OK;
}

static comb_code ls_referrers(comb_store *s, const char *subject, const char *artifact_type,
                              comb_desc **out, size_t *n, comb_err *err)
{
    layout_store *ls = (layout_store *)s;
    *out = NULL;
    *n = 0;
    if (!comb_digest_valid(subject))
        return comb_fail(err, COMB_EINVAL, "referrers: bad subject digest");
    json_t *idx;
    comb_code rc = load_index(ls, &idx, err);
    if (rc)
        return rc;
    comb_desc *v = calloc(MAX_REFERRERS, sizeof *v);
    if (!v) {
        json_decref(idx);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    char schema_tag[80];
    snprintf(schema_tag, sizeof schema_tag, "sha256-%s", subject + 7);
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(idx, "manifests"), i, m) {
        const char *d = jstr(m, "digest"), *mt = jstr(m, "mediaType"), *rn = ref_name(m);
        if (!comb_digest_valid(d) || !mt)
            continue;
        if (!strcmp(mt, COMB_MT_OCI_INDEX) && rn && !strcmp(rn, schema_tag)) {
            /* the referrers tag schema: an index listing the referrers */
            unsigned char *data;
            size_t len;
            rc = ls_get_manifest(s, d, &data, &len, NULL, err);
            if (rc)
                break;
            json_t *sub = json_loadb((const char *)data, len, 0, NULL);
            free(data);
            json_t *e;
            size_t k;
            json_array_foreach(json_object_get(sub, "manifests"), k, e) {
                const char *ed = jstr(e, "digest");
                if (comb_digest_valid(ed) && (rc = consider(ls, ed, subject, artifact_type, v, n, err)))
                    break;
            }
            json_decref(sub);
        } else if (!strcmp(mt, COMB_MT_OCI_MANIFEST) && !rn) {
            rc = consider(ls, d, subject, artifact_type, v, n, err); /* untagged: maybe a referrer */
        }
        if (rc)
            break;
    }
    json_decref(idx);
    if (rc) {
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return COMB_OK;
}

static void ls_close(comb_store *s)
{
    layout_store *ls = (layout_store *)s;
    ls_unlock(s);
    free(ls->root);
    free(ls);
}

static const comb_store_ops layout_ops = {
    .kind = "oci-layout",
    .resolve = ls_resolve,
    .get_manifest = ls_get_manifest,
    .get_blob = ls_get_blob,
    .put_blob = ls_put_blob,
    .put_manifest = ls_put_manifest,
    .referrers = ls_referrers,
    .lock = ls_lock,
    .unlock = ls_unlock,
    .close = ls_close,
};

comb_code comb_layout_store_open(const char *dir, comb_store **out, comb_err *err)
{
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode))
        return comb_fail(err, COMB_ENOTFOUND, "%s: not an OCI image layout directory", dir);
    layout_store *ls = calloc(1, sizeof *ls);
    if (!ls || !(ls->root = strdup(dir))) {
        free(ls);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    ls->base.ops = &layout_ops;
    ls->lockfd = -1;
    json_t *idx;
    comb_code rc = load_index(ls, &idx, err);
    if (rc) {
        ls_close(&ls->base);
        return rc;
    }
    json_decref(idx);
    *out = &ls->base;
    return COMB_OK;
}
