/* server.c - the HTTP side of `comb registry serve`: routes of the OCI
 * Distribution Spec v1.1 on libmicrohttpd (one thread per connection,
 * bounded connections and idle time). Every request is hostile: names and
 * references are checked against the distribution grammar before anything
 * touches storage, bodies are bounded (manifests 4 MiB, blobs max_upload),
 * errors are the spec's JSON error bodies. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <strings.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/readfile.h"
#include "image/store.h"
#include "registry/ref.h"
#include "trust/trust.h"
#include "vuln/finding.h"
#include "registry/server/access.h"
#include "registry/server/core.h"
#include "registry/server/parse.h"
#include "registry/server/scanpush.h"
#include "registry/server/sstore.h"
#include "registry/server/webhook.h"

#define MANIFEST_MAX COMB_STORE_MAX_MANIFEST
#define PAGE_MAX 10000

struct comb_rs {
    rs_core core;
    comb_access *acc;
    rs_scanner *scanner;
    rs_hooks *hooks;
    struct MHD_Daemon *d;
    comb_rs_config cfg;
    char *cert, *key;
    pthread_t gc_thread;
    int gc_running;
    pthread_mutex_t gc_mu;
    pthread_cond_t gc_cv;
    int stopping;
};

typedef struct req {
    comb_rs_route rt;
    int fd;             /* upload being appended to, or -1 */
    char uid[33];       /* its id */
    uint64_t size;      /* bytes in the upload so far */
    unsigned char *body; /* a manifest */
    size_t blen;
    int status;         /* an error decided before the body was read */
    const char *ecode;
    char emsg[300];
    comb_identity id;   /* who asks (anonymous when id.user is "") */
    char client[64];    /* peer address */
    int need;           /* COMB_ACT_* the request needs */
    int mono;           /* a monolithic POST ?digest= upload (dropped unless committed) */
    int committed;
    uint64_t discarded;
} req;

static __thread unsigned last_status; /* of the response queued by this thread */

/* ---- responses ---- */

static enum MHD_Result send_resp(struct MHD_Connection *c, unsigned status,
                                 struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Docker-Distribution-API-Version", "registry/2.0");
    last_status = status;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static struct MHD_Response *empty(void)
{
    return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

static struct MHD_Response *json_resp(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    if (r)
        MHD_add_response_header(r, "Content-Type", "application/json");
    else
        free(s);
    return r;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *code,
                                  const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:[{s:s,s:s,s:n}]}", "errors", "code", code, "message", msg, "detail");
    return send_resp(c, status, json_resp(j));
}

static void set_err(req *q, int status, const char *code, const char *fmt, ...)
{
    if (q->status)
        return;
    q->status = status;
    q->ecode = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->emsg, sizeof q->emsg, fmt, ap);
    va_end(ap);
}

static const char *arg(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static const char *hdr(struct MHD_Connection *c, const char *k)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, k);
}

static void add_range(struct MHD_Response *r, uint64_t size)
{
    char v[64];
    snprintf(v, sizeof v, "0-%llu", (unsigned long long)(size ? size - 1 : 0));
    MHD_add_response_header(r, "Range", v);
}

static enum MHD_Result upload_status(struct MHD_Connection *c, unsigned status, const req *q,
                                     uint64_t size)
{
    struct MHD_Response *r = empty();
    if (!r)
        return MHD_NO;
    char loc[512];
    snprintf(loc, sizeof loc, "/v2/%s/blobs/uploads/%s", q->rt.name, q->uid);
    MHD_add_response_header(r, "Location", loc);
    MHD_add_response_header(r, "Docker-Upload-UUID", q->uid);
    add_range(r, size);
    return send_resp(c, status, r);
}

static enum MHD_Result blob_created(struct MHD_Connection *c, const char *name, const char *digest)
{
    struct MHD_Response *r = empty();
    if (!r)
        return MHD_NO;
    char loc[512];
    snprintf(loc, sizeof loc, "/v2/%s/blobs/%s", name, digest);
    MHD_add_response_header(r, "Location", loc);
    MHD_add_response_header(r, "Docker-Content-Digest", digest);
    return send_resp(c, MHD_HTTP_CREATED, r);
}

static enum MHD_Result from_code(struct MHD_Connection *c, comb_code code, const char *notfound,
                                 const comb_err *e)
{
    switch (code) {
    case COMB_ENOTFOUND: return send_error(c, 404, notfound, "%s", e->msg);
    case COMB_EDIGEST: return send_error(c, 400, "DIGEST_INVALID", "%s", e->msg);
    case COMB_ELIMIT: return send_error(c, 413, "SIZE_INVALID", "%s", e->msg);
    case COMB_EINVAL:
    case COMB_EFORMAT: return send_error(c, 400, "UNSUPPORTED", "%s", e->msg);
    default: return send_error(c, 500, "UNKNOWN", "internal error");
    }
}

/* ---- blobs ---- */

/* Commit an upload as `digest` and record it in the repository. */
static comb_code commit_upload(comb_rs *s, const char *repo, const char *id, const char *digest,
                               comb_err *err)
{
    uint64_t size;
    rs_publish_lock(&s->core);
    comb_code rc = comb_blobs_upload_commit(&s->core.blobs, id, digest, &size, err);
    if (rc == COMB_OK)
        rc = s->core.meta->ops->blob_add(s->core.meta, repo, digest, size, err);
    rs_publish_unlock(&s->core);
    if (rc == COMB_OK)
        s->core.meta->ops->upload_end(s->core.meta, id, err);
    return rc;
}

static enum MHD_Result get_blob(comb_rs *s, struct MHD_Connection *c, req *q, int head)
{
    comb_err e;
    uint64_t size;
    int fd;
    if (!comb_digest_valid(q->rt.ref))
        return send_error(c, 400, "DIGEST_INVALID", "digest %s: not sha256:<64 hex>", q->rt.ref);
    if (s->core.meta->ops->blob_get(s->core.meta, q->rt.name, q->rt.ref, &size, &e) != COMB_OK ||
        comb_blobs_open_blob(&s->core.blobs, q->rt.ref, &fd, &size, &e) != COMB_OK)
        return send_error(c, 404, "BLOB_UNKNOWN", "blob %s unknown to repository %s", q->rt.ref,
                          q->rt.name);
    uint64_t off = 0, len = size;
    unsigned status = 200;
    const char *range = head ? NULL : hdr(c, "Range");
    if (range) {
        int pr = comb_rs_range(range, size, &off, &len);
        if (pr == -2) {
            close(fd);
            struct MHD_Response *r = empty();
            char v[64];
            snprintf(v, sizeof v, "bytes */%llu", (unsigned long long)size);
            if (r)
                MHD_add_response_header(r, "Content-Range", v);
            return send_resp(c, 416, r);
        }
        if (pr == 0)
            status = 206;
        else
            off = 0, len = size;
    }
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(len, fd, off);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Docker-Content-Digest", q->rt.ref);
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    MHD_add_response_header(r, "Accept-Ranges", "bytes");
    if (status == 206) {
        char v[96];
        snprintf(v, sizeof v, "bytes %llu-%llu/%llu", (unsigned long long)off,
                 (unsigned long long)(off + len - 1), (unsigned long long)size);
        MHD_add_response_header(r, "Content-Range", v);
    }
    return send_resp(c, status, r);
}

/* First call of a request that carries blob bytes: find or create the
 * upload and open it for appending. */
static void prepare_upload(comb_rs *s, struct MHD_Connection *c, req *q, const char *method)
{
    comb_err e;
    if (!strcmp(method, "POST")) {
        if (arg(c, "mount") || !arg(c, "digest"))
            return; /* no body expected */
        if (comb_rs_new_id(q->uid) ||
            s->core.meta->ops->upload_begin(s->core.meta, q->uid, q->rt.name, &e) != COMB_OK ||
            comb_blobs_upload_create(&s->core.blobs, q->uid, &e) != COMB_OK)
            return set_err(q, 500, "UNKNOWN", "cannot start an upload");
        q->mono = 1;
    } else {
        if (!comb_rs_valid_id(q->rt.ref) ||
            s->core.meta->ops->upload_check(s->core.meta, q->rt.ref, q->rt.name, &e) != COMB_OK)
            return set_err(q, 404, "BLOB_UPLOAD_UNKNOWN", "upload %.40s unknown", q->rt.ref);
        memcpy(q->uid, q->rt.ref, sizeof q->uid); /* 32 hex + NUL, validated */
    }
    if (comb_blobs_upload_open(&s->core.blobs, q->uid, &q->fd, &q->size, &e) != COMB_OK)
        return set_err(q, 404, "BLOB_UPLOAD_UNKNOWN", "upload %s unknown", q->uid);
    const char *cr = hdr(c, "Content-Range");
    if (!strcmp(method, "PATCH") && cr) {
        uint64_t a, b;
        if (comb_rs_content_range(cr, &a, &b))
            return set_err(q, 400, "BLOB_UPLOAD_INVALID", "Content-Range \"%.60s\" malformed", cr);
        if (a != q->size)
            return set_err(q, 416, "BLOB_UPLOAD_INVALID",
                           "chunk starts at %llu but the upload holds %llu bytes",
                           (unsigned long long)a, (unsigned long long)q->size);
    }
}

static void append_upload(comb_rs *s, req *q, const char *data, size_t n)
{
    if (q->size + n > s->cfg.max_upload)
        return set_err(q, 413, "SIZE_INVALID", "blob larger than the limit of %llu bytes",
                       (unsigned long long)s->cfg.max_upload);
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(q->fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return set_err(q, 500, "UNKNOWN", "cannot store the upload");
        off += (size_t)w;
    }
    q->size += n;
}

static enum MHD_Result finish_upload(comb_rs *s, struct MHD_Connection *c, req *q,
                                     const char *method)
{
    comb_err e;
    if (!strcmp(method, "GET")) {
        uint64_t size;
        if (!comb_rs_valid_id(q->rt.ref) ||
            s->core.meta->ops->upload_check(s->core.meta, q->rt.ref, q->rt.name, &e) != COMB_OK ||
            comb_blobs_upload_size(&s->core.blobs, q->rt.ref, &size, &e) != COMB_OK)
            return send_error(c, 404, "BLOB_UPLOAD_UNKNOWN", "upload %.40s unknown", q->rt.ref);
        memcpy(q->uid, q->rt.ref, sizeof q->uid); /* 32 hex + NUL, validated */
        return upload_status(c, 204, q, size);
    }
    if (!strcmp(method, "DELETE")) {
        if (!comb_rs_valid_id(q->rt.ref) ||
            s->core.meta->ops->upload_check(s->core.meta, q->rt.ref, q->rt.name, &e) != COMB_OK)
            return send_error(c, 404, "BLOB_UPLOAD_UNKNOWN", "upload %.40s unknown", q->rt.ref);
        comb_blobs_upload_remove(&s->core.blobs, q->rt.ref);
        s->core.meta->ops->upload_end(s->core.meta, q->rt.ref, &e);
        return send_resp(c, 204, empty());
    }
    if (!strcmp(method, "POST")) {
        const char *mount = arg(c, "mount"), *from = arg(c, "from"), *digest = arg(c, "digest");
        if (mount) {
            uint64_t size;
            if (comb_digest_valid(mount) && from && comb_ref_valid_repo(from) &&
                (!s->cfg.auth || (comb_access_allowed(s->acc, &q->id, from) & COMB_ACT_PULL)) &&
                s->core.meta->ops->blob_mount(s->core.meta, q->rt.name, from, mount, &size, &e) ==
                    COMB_OK)
                return blob_created(c, q->rt.name, mount);
            /* not mountable: an ordinary upload session instead (spec) */
        }
        if (digest && !mount) {
            if (!comb_digest_valid(digest))
                return send_error(c, 400, "DIGEST_INVALID", "digest %.80s invalid", digest);
            comb_code rc = commit_upload(s, q->rt.name, q->uid, digest, &e);
            if (rc != COMB_OK)
                return from_code(c, rc, "BLOB_UPLOAD_INVALID", &e); /* dropped in completed() */
            q->committed = 1;
            return blob_created(c, q->rt.name, digest);
        }
        if (comb_rs_new_id(q->uid) ||
            s->core.meta->ops->upload_begin(s->core.meta, q->uid, q->rt.name, &e) != COMB_OK ||
            comb_blobs_upload_create(&s->core.blobs, q->uid, &e) != COMB_OK)
            return send_error(c, 500, "UNKNOWN", "cannot start an upload");
        return upload_status(c, 202, q, 0);
    }
    if (!strcmp(method, "PATCH")) {
        if (fsync(q->fd)) /* acknowledged bytes are on disk */
            return send_error(c, 500, "UNKNOWN", "cannot store the upload");
        return upload_status(c, 202, q, q->size);
    }
    if (!strcmp(method, "PUT")) {
        const char *digest = arg(c, "digest");
        if (!digest || !comb_digest_valid(digest))
            return send_error(c, 400, "DIGEST_INVALID", "digest %.80s invalid",
                              digest ? digest : "(none)");
        comb_code rc = commit_upload(s, q->rt.name, q->uid, digest, &e);
        if (rc == COMB_EDIGEST)
            return send_error(c, 400, "DIGEST_INVALID", "%s", e.msg);
        if (rc != COMB_OK)
            return from_code(c, rc, "BLOB_UPLOAD_UNKNOWN", &e);
        return blob_created(c, q->rt.name, digest);
    }
    return send_error(c, 405, "UNSUPPORTED", "method %s not allowed here", method);
}

/* ---- manifests ---- */

static int known_manifest_type(const char *mt)
{
    return !strcmp(mt, COMB_MT_OCI_MANIFEST) || !strcmp(mt, COMB_MT_OCI_INDEX) ||
           !strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") ||
           !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json");
}

/* What a manifest is for the pull policies: 1 an image (a layer of a
 * runnable media type), 0 an artifact (signatures, bundles, scan results:
 * nothing to run), -1 an index. Judged from the content, never from a tag
 * or a subject field, which any pusher chooses. */
static int manifest_kind(const unsigned char *data, size_t len)
{
    json_t *j = json_loadb((const char *)data, len, 0, NULL);
    int kind = 0;
    if (json_is_array(json_object_get(j, "manifests"))) {
        kind = -1;
    } else {
        size_t i;
        json_t *l;
        json_array_foreach(json_object_get(j, "layers"), i, l) {
            const char *mt = json_string_value(json_object_get(l, "mediaType"));
            if (!mt || strstr(mt, "image.layer") || strstr(mt, "image.rootfs"))
                kind = 1;
        }
        if (!json_is_array(json_object_get(j, "layers")))
            kind = 1; /* not understood: treated as an image */
    }
    json_decref(j);
    return kind;
}

/* The project's signature policy for an image pulled: 1 allowed, 0 refused
 * (why filled). Signatures, attestations and referrers themselves are not
 * images and pass, so that clients can fetch them. */
static int signature_ok(comb_rs *s, const req *q, const comb_meta_manifest *m, int kind,
                        char *why, size_t wsz)
{
    /* those who may push (and so sign) read unsigned images: the policy
     * guards consumers; it needs --auth to tell them apart */
    if (s->cfg.auth && (comb_access_role(s->acc, &q->id, q->rt.name) & COMB_ACT_PUSH))
        return 1;
    char *pems[8];
    size_t np = comb_access_sigkeys(s->acc, q->rt.name, pems, 8);
    if (!np)
        return 1;
    int ok = 0;
    if (kind == 0 || (kind < 0 && comb_store_is_artifact_tag(q->rt.ref))) {
        /* artifacts, and the referrers index of the tag schema (each
         * manifest it lists is judged when pulled) */
        ok = 1;
    } else {
        comb_key *keys[8];
        size_t nk = 0;
        comb_err e;
        for (size_t i = 0; i < np; i++)
            if (comb_key_parse_public((const unsigned char *)pems[i], strlen(pems[i]), "project key",
                                      &keys[nk], &e) == COMB_OK)
                nk++;
        comb_store *st;
        comb_desc d;
        memset(&d, 0, sizeof d);
        snprintf(d.digest, sizeof d.digest, "%s", m->digest);
        snprintf(d.media_type, sizeof d.media_type, "%s", m->media_type);
        d.size = m->size;
        comb_verify_opts o = {keys, nk, NULL, COMB_IDENTITY_ANY};
        comb_verify_result res;
        memset(&res, 0, sizeof res);
        if (nk && rs_store_open(&s->core, q->rt.name, &st, &e) == COMB_OK) {
            if (comb_verify_image(st, &d, &o, &res, &e) == COMB_OK && res.verified)
                ok = 1;
            comb_verify_result_free(&res);
            comb_store_close(st);
        }
        for (size_t i = 0; i < nk; i++)
            comb_key_free(keys[i]);
        if (!ok)
            snprintf(why, wsz, "%s@%s has no signature that verifies with a key the project trusts",
                     q->rt.name, m->digest);
    }
    for (size_t i = 0; i < np; i++)
        free(pems[i]);
    return ok;
}

/* The project's vulnerability policy for an image pulled: 1 allowed. */
static int scan_ok(comb_rs *s, const req *q, const comb_meta_manifest *m, int kind, char *why,
                   size_t wsz)
{
    int on_push, block;
    comb_access_scan_policy(s->acc, q->rt.name, &on_push, &block);
    if (!block || kind <= 0 || /* indexes: their images are judged when pulled */
        (s->cfg.auth && (comb_access_role(s->acc, &q->id, q->rt.name) & COMB_ACT_PUSH)))
        return 1;
    int worst = comb_access_scan_worst(s->acc, q->rt.name, m->digest);
    if (worst < 0) {
        snprintf(why, wsz, "%s@%s has not been scanned yet (project policy)", q->rt.name, m->digest);
        return 0;
    }
    if (worst >= block) {
        snprintf(why, wsz, "%s@%s has findings of severity %s, at or above the project's limit %s",
                 q->rt.name, m->digest, comb_severity_name((comb_severity)worst),
                 comb_severity_name((comb_severity)block));
        return 0;
    }
    return 1;
}

static enum MHD_Result get_manifest(comb_rs *s, struct MHD_Connection *c, req *q, int head)
{
    comb_err e;
    comb_meta_manifest m;
    const char *ref = q->rt.ref;
    if (strncmp(ref, "sha256:", 7) ? !comb_ref_valid_tag(ref) : !comb_digest_valid(ref))
        return send_error(c, 400, "MANIFEST_INVALID", "reference %.80s invalid", ref);
    if (s->core.meta->ops->manifest_get(s->core.meta, q->rt.name, ref, &m, &e) != COMB_OK)
        return send_error(c, 404, "MANIFEST_UNKNOWN", "manifest %s unknown to repository %s", ref,
                          q->rt.name);
    free(m.annotations);
    unsigned char *data = NULL;
    size_t len = 0;
    if (comb_blobs_read(&s->core.blobs, m.digest, MANIFEST_MAX, &data, &len, &e) != COMB_OK)
        return send_error(c, 404, "MANIFEST_UNKNOWN", "manifest %s: content missing", m.digest);
    int kind = manifest_kind(data, len);
    char why[600];
    const char *refusal = !signature_ok(s, q, &m, kind, why, sizeof why)
                              ? "refused: unsigned or untrusted signature"
                          : !scan_ok(s, q, &m, kind, why, sizeof why) ? "refused: vulnerabilities"
                                                                      : NULL;
    if (refusal) {
        comb_access_audit(s->acc, q->client, q->id.user, "policy", m.digest, refusal, 403);
        rs_hooks_event(s->hooks, "policy_violation", q->rt.name, m.digest, NULL, why);
        free(data);
        return send_error(c, 403, "DENIED", "%s", why);
    }
    (void)head; /* MHD sends a HEAD's headers (Content-Length too) without the body */
    struct MHD_Response *r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", m.media_type);
    MHD_add_response_header(r, "Docker-Content-Digest", m.digest);
    return send_resp(c, 200, r);
}

/* refs of a manifest (config, layers) or an index (manifests) */
static int collect_refs(json_t *doc, int index, const char **refs, size_t max, size_t *n)
{
    *n = 0;
    if (!index) {
        json_t *cfg = json_object_get(doc, "config");
        const char *d = json_string_value(json_object_get(cfg, "digest"));
        if (!d || !comb_digest_valid(d))
            return -1;
        refs[(*n)++] = d;
    }
    json_t *arr = json_object_get(doc, index ? "manifests" : "layers");
    if (!json_is_array(arr))
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        const char *d = json_string_value(json_object_get(v, "digest"));
        if (!d || !comb_digest_valid(d) || *n >= max)
            return -1;
        refs[(*n)++] = d;
    }
    return 0;
}

static enum MHD_Result put_manifest(comb_rs *s, struct MHD_Connection *c, req *q)
{
    comb_err e;
    const char *ref = q->rt.ref;
    int by_digest = !strncmp(ref, "sha256:", 7);
    if (by_digest ? !comb_digest_valid(ref) : !comb_ref_valid_tag(ref))
        return send_error(c, 400, "MANIFEST_INVALID", "reference %.80s invalid", ref);
    const char *ct = hdr(c, "Content-Type");
    char digest[72];
    int is_public, immutable;
    comb_access_project(s->acc, q->rt.name, &is_public, &immutable);
    if (comb_sha256_buf(q->body ? (void *)q->body : (void *)"", q->blen, digest))
        return send_error(c, 500, "UNKNOWN", "cannot hash");
    if (by_digest && strcmp(digest, ref))
        return send_error(c, 400, "DIGEST_INVALID", "manifest is %s, not %s", digest, ref);
    if (!by_digest && immutable) {
        comb_meta_manifest old;
        if (s->core.meta->ops->manifest_get(s->core.meta, q->rt.name, ref, &old, &e) == COMB_OK) {
            free(old.annotations);
            if (strcmp(old.digest, digest))
                return send_error(c, 403, "DENIED", "tag %s of %s is immutable (project setting)",
                                  ref, q->rt.name);
        }
    }
    json_error_t je;
    json_t *doc = json_loadb((const char *)q->body, q->blen, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return send_error(c, 400, "MANIFEST_INVALID", "manifest is not a JSON object");
    }
    const char *mt = json_string_value(json_object_get(doc, "mediaType"));
    if (!mt)
        mt = ct;
    enum MHD_Result ret;
    if (!mt || !known_manifest_type(mt) || (ct && mt && strcmp(ct, mt) && known_manifest_type(ct))) {
        ret = send_error(c, 400, "MANIFEST_INVALID", "media type %.100s not accepted",
                         mt ? mt : "(none)");
        goto out;
    }
    int index = strstr(mt, "index") || strstr(mt, "list");
    static __thread const char *refs[4096];
    size_t nrefs;
    if (json_integer_value(json_object_get(doc, "schemaVersion")) != 2 ||
        collect_refs(doc, index, refs, sizeof refs / sizeof *refs, &nrefs)) {
        ret = send_error(c, 400, "MANIFEST_INVALID", "manifest lacks schemaVersion 2 or digests");
        goto out;
    }
    comb_meta_manifest m;
    memset(&m, 0, sizeof m);
    snprintf(m.repo, sizeof m.repo, "%s", q->rt.name);
    snprintf(m.digest, sizeof m.digest, "%s", digest);
    snprintf(m.media_type, sizeof m.media_type, "%s", mt);
    m.size = q->blen;
    const char *at = json_string_value(json_object_get(doc, "artifactType"));
    if (!at && !index)
        at = json_string_value(json_object_get(json_object_get(doc, "config"), "mediaType"));
    snprintf(m.artifact_type, sizeof m.artifact_type, "%s", at ? at : "");
    const char *subj = json_string_value(json_object_get(json_object_get(doc, "subject"), "digest"));
    if (subj && !comb_digest_valid(subj)) {
        ret = send_error(c, 400, "MANIFEST_INVALID", "subject digest invalid");
        goto out;
    }
    snprintf(m.subject, sizeof m.subject, "%s", subj ? subj : "");
    json_t *ann = json_object_get(doc, "annotations");
    m.annotations = json_is_object(ann) ? json_dumps(ann, JSON_COMPACT) : NULL;
    char missing[72] = "", stored[72];
    rs_publish_lock(&s->core);
    comb_code rc = comb_blobs_put(&s->core.blobs, q->body ? (void *)q->body : (void *)"", q->blen,
                                  stored, &e);
    if (rc == COMB_OK)
        rc = s->core.meta->ops->manifest_put(s->core.meta, &m, refs, nrefs, by_digest ? NULL : ref,
                                             missing, &e);
    rs_publish_unlock(&s->core);
    free(m.annotations);
    if (rc == COMB_ENOTFOUND) {
        ret = send_error(c, 400, "MANIFEST_BLOB_UNKNOWN", "blob %s unknown to repository %s",
                         missing, q->rt.name);
    } else if (rc != COMB_OK) {
        ret = send_error(c, 500, "UNKNOWN", "cannot store the manifest");
    } else {
        struct MHD_Response *r = empty();
        char loc[512];
        snprintf(loc, sizeof loc, "/v2/%s/manifests/%s", q->rt.name, digest);
        if (r) {
            MHD_add_response_header(r, "Location", loc);
            MHD_add_response_header(r, "Docker-Content-Digest", digest);
            if (subj)
                MHD_add_response_header(r, "OCI-Subject", subj);
        }
        int on_push, block;
        comb_access_scan_policy(s->acc, q->rt.name, &on_push, &block);
        if (s->scanner && on_push && !subj && !index)
            rs_scanner_enqueue(s->scanner, q->rt.name, digest);
        rs_hooks_event(s->hooks, "push", q->rt.name, digest, by_digest ? NULL : ref, NULL);
        ret = send_resp(c, 201, r);
    }
out:
    json_decref(doc);
    return ret;
}

static enum MHD_Result delete_manifest(comb_rs *s, struct MHD_Connection *c, req *q)
{
    comb_err e;
    const char *ref = q->rt.ref;
    comb_code rc;
    if (!strncmp(ref, "sha256:", 7)) {
        if (!comb_digest_valid(ref))
            return send_error(c, 400, "DIGEST_INVALID", "digest %.80s invalid", ref);
        rc = s->core.meta->ops->manifest_delete(s->core.meta, q->rt.name, ref, &e);
    } else {
        if (!comb_ref_valid_tag(ref))
            return send_error(c, 400, "MANIFEST_INVALID", "tag %.80s invalid", ref);
        int is_public, immutable;
        comb_access_project(s->acc, q->rt.name, &is_public, &immutable);
        if (immutable)
            return send_error(c, 403, "DENIED", "tag %s of %s is immutable (project setting)", ref,
                              q->rt.name);
        rc = s->core.meta->ops->tag_delete(s->core.meta, q->rt.name, ref, &e);
    }
    if (rc != COMB_OK)
        return from_code(c, rc, "MANIFEST_UNKNOWN", &e);
    int tagged = strncmp(ref, "sha256:", 7) != 0;
    rs_hooks_event(s->hooks, "delete", q->rt.name, tagged ? NULL : ref, tagged ? ref : NULL, NULL);
    return send_resp(c, 202, empty());
}

/* ---- listings ---- */

static enum MHD_Result listing(comb_rs *s, struct MHD_Connection *c, req *q, int catalog)
{
    comb_err e;
    const char *ns = arg(c, "n"), *last = arg(c, "last");
    long n = PAGE_MAX;
    if (ns && (n = comb_rs_page_size(ns, PAGE_MAX)) < 0)
        return send_error(c, 400, "PAGINATION_NUMBER_INVALID", "n must be 0..%d", PAGE_MAX);
    if (last && strlen(last) > 255)
        return send_error(c, 400, "UNSUPPORTED", "last too long");
    if (!catalog) {
        int exists = 0;
        if (s->core.meta->ops->repo_exists(s->core.meta, q->rt.name, &exists, &e) != COMB_OK)
            return send_error(c, 500, "UNKNOWN", "internal error");
        if (!exists)
            return send_error(c, 404, "NAME_UNKNOWN", "repository %s unknown", q->rt.name);
    }
    comb_meta_list l;
    comb_code rc = catalog ? s->core.meta->ops->catalog(s->core.meta, last, n + 1, &l, &e)
                           : s->core.meta->ops->tags(s->core.meta, q->rt.name, last, n + 1, &l, &e);
    if (rc != COMB_OK)
        return send_error(c, 500, "UNKNOWN", "internal error");
    int more = l.n > (size_t)n;
    json_t *arr = json_array();
    for (size_t i = 0; i < l.n && i < (size_t)n; i++)
        json_array_append_new(arr, json_string(l.v[i]));
    json_t *j = catalog ? json_pack("{s:o}", "repositories", arr)
                        : json_pack("{s:s,s:o}", "name", q->rt.name, "tags", arr);
    struct MHD_Response *r = json_resp(j);
    if (r && more && n > 0) {
        char link[700];
        if (catalog)
            snprintf(link, sizeof link, "</v2/_catalog?n=%ld&last=%s>; rel=\"next\"", n, l.v[n - 1]);
        else
            snprintf(link, sizeof link, "</v2/%s/tags/list?n=%ld&last=%s>; rel=\"next\"", q->rt.name,
                     n, l.v[n - 1]);
        MHD_add_response_header(r, "Link", link);
    }
    comb_meta_list_free(&l);
    return send_resp(c, 200, r);
}

static enum MHD_Result get_referrers(comb_rs *s, struct MHD_Connection *c, req *q)
{
    comb_err e;
    if (!comb_digest_valid(q->rt.ref))
        return send_error(c, 400, "DIGEST_INVALID", "digest %.80s invalid", q->rt.ref);
    const char *at = arg(c, "artifactType");
    if (at && strlen(at) > 127)
        at = NULL;
    comb_meta_manifest *v;
    size_t n;
    if (s->core.meta->ops->referrers(s->core.meta, q->rt.name, q->rt.ref, at, &v, &n, &e) != COMB_OK)
        return send_error(c, 500, "UNKNOWN", "internal error");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_pack("{s:s,s:s,s:I}", "mediaType", v[i].media_type, "digest", v[i].digest,
                              "size", (json_int_t)v[i].size);
        if (v[i].artifact_type[0])
            json_object_set_new(d, "artifactType", json_string(v[i].artifact_type));
        if (v[i].annotations) {
            json_t *a = json_loads(v[i].annotations, 0, NULL);
            if (json_is_object(a))
                json_object_set(d, "annotations", a);
            json_decref(a);
            free(v[i].annotations);
        }
        json_array_append_new(arr, d);
    }
    free(v);
    struct MHD_Response *r = json_resp(json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType",
                                                 COMB_MT_OCI_INDEX, "manifests", arr));
    if (r) {
        MHD_del_response_header(r, "Content-Type", "application/json");
        MHD_add_response_header(r, "Content-Type", COMB_MT_OCI_INDEX);
        if (at)
            MHD_add_response_header(r, "OCI-Filters-Applied", "artifactType");
    }
    return send_resp(c, 200, r);
}

/* ---- dispatch ---- */

static int is_env_tag(const char *t)
{
    return !strcmp(t, "dev") || !strcmp(t, "test") || !strcmp(t, "prod");
}

/* What a request needs; 0 for the base and token routes. */
static int needed(const req *q, const char *method)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    switch (q->rt.kind) {
    case COMB_RS_TAGS:
    case COMB_RS_REFERRERS: return COMB_ACT_PULL;
    case COMB_RS_MANIFEST:
        if (get)
            return COMB_ACT_PULL;
        if (!strcmp(method, "DELETE"))
            return COMB_ACT_DELETE;
        return COMB_ACT_PUSH | (is_env_tag(q->rt.ref) ? COMB_ACT_PROMOTE : 0);
    case COMB_RS_BLOB: return get ? COMB_ACT_PULL : COMB_ACT_DELETE;
    case COMB_RS_UPLOAD: return COMB_ACT_PUSH;
    case COMB_RS_CATALOG: return COMB_ACT_MANAGE;
    default: return 0;
    }
}

static void client_addr(struct MHD_Connection *c, char *out, size_t sz)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, sz, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)sz);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)sz);
}

static const char *service(const comb_rs *s)
{
    return s->cfg.service ? s->cfg.service : "comb-registry";
}

/* 401 with the challenge a Docker/OCI client answers with GET /token */
static enum MHD_Result challenge(comb_rs *s, struct MHD_Connection *c, const req *q,
                                 const char *why)
{
    const char *host = hdr(c, "Host");
    char safe[300] = "";
    if (host && strlen(host) < 256 &&
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == strlen(host))
        snprintf(safe, sizeof safe, "%s", host);
    else
        snprintf(safe, sizeof safe, "%s", s->cfg.listen);
    char v[1024], acts[64];
    /* a pusher reads too (HEAD of blobs, the manifest it updates): ask for both */
    int scope = q->need & (COMB_ACT_PULL | COMB_ACT_PUSH | COMB_ACT_DELETE | COMB_ACT_PROMOTE);
    if (scope & COMB_ACT_PUSH)
        scope |= COMB_ACT_PULL;
    comb_actions_format(scope, acts, sizeof acts);
    int n = snprintf(v, sizeof v, "Bearer realm=\"%s://%s/token\",service=\"%s\"",
                     s->cert ? "https" : "http", safe, service(s));
    if (q->rt.name[0] && acts[0] && n > 0 && (size_t)n < sizeof v)
        snprintf(v + n, sizeof v - (size_t)n, ",scope=\"repository:%s:%s\"", q->rt.name, acts);
    json_t *j = json_pack("{s:[{s:s,s:s,s:n}]}", "errors", "code", "UNAUTHORIZED", "message", why,
                          "detail");
    struct MHD_Response *r = json_resp(j);
    if (r)
        MHD_add_response_header(r, "WWW-Authenticate", v);
    return send_resp(c, 401, r);
}

/* Credentials of the request, if any: Basic or Bearer. -1 if given and wrong. */
static int identify(comb_rs *s, struct MHD_Connection *c, req *q)
{
    const char *h = hdr(c, "Authorization");
    comb_err e;
    if (!h)
        return 0;
    if (!strncasecmp(h, "Bearer ", 7))
        return comb_access_bearer(s->acc, h + 7, service(s), &q->id, &e) == COMB_OK ? 1 : -1;
    if (!strncasecmp(h, "Basic ", 6)) {
        size_t n;
        unsigned char *d = strlen(h + 6) < 1024 ? comb_b64_decode(h + 6, strlen(h + 6), &n) : NULL;
        char *colon = d ? memchr(d, ':', n) : NULL;
        int ok = -1;
        if (colon && !memchr(d, '\0', n)) {
            *colon = '\0';
            ok = comb_access_login(s->acc, (char *)d, colon + 1, &q->id, &e) == COMB_OK ? 1 : -1;
        }
        if (d)
            OPENSSL_cleanse(d, n);
        free(d);
        return ok;
    }
    return -1;
}

typedef struct scopes_ctx {
    const char *v[16];
    size_t n;
} scopes_ctx;

static enum MHD_Result collect_scope(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    scopes_ctx *sc = cls;
    if (key && value && !strcmp(key, "scope") && sc->n < 16) {
        /* "scope=a b" carries several, space separated */
        sc->v[sc->n++] = value;
    }
    return MHD_YES;
}

static enum MHD_Result token_endpoint(comb_rs *s, struct MHD_Connection *c, req *q, int creds)
{
    if (creds < 0) {
        comb_access_audit(s->acc, q->client, "", "login", "token", "denied", 401);
        return challenge(s, c, q, "wrong user name or password");
    }
    scopes_ctx sc = {{0}, 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_scope, &sc);
    /* split space-separated scopes into at most 16 */
    static __thread char buf[4096];
    const char *list[16];
    size_t nl = 0, off = 0;
    for (size_t i = 0; i < sc.n; i++) {
        const char *p = sc.v[i];
        while (*p && nl < 16) {
            size_t n = strcspn(p, " ");
            if (n && off + n + 1 < sizeof buf) {
                memcpy(buf + off, p, n);
                buf[off + n] = '\0';
                list[nl++] = buf + off;
                off += n + 1;
            }
            p += n;
            while (*p == ' ')
                p++;
        }
    }
    const char *svc = arg(c, "service");
    if (svc && strcmp(svc, service(s)))
        return send_error(c, 400, "UNSUPPORTED", "service %.80s is not this registry's", svc);
    char *jwt;
    comb_err e;
    if (comb_access_token(s->acc, &q->id, service(s), list, nl, s->cfg.token_ttl ? s->cfg.token_ttl : 300,
                          &jwt, &e) != COMB_OK)
        return send_error(c, 500, "UNKNOWN", "cannot issue a token");
    comb_access_audit(s->acc, q->client, q->id.user, "login", "token", "allowed", 200);
    char iat[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(iat, sizeof iat, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *j = json_pack("{s:s,s:s,s:i,s:s}", "token", jwt, "access_token", jwt, "expires_in",
                          (int)(s->cfg.token_ttl ? s->cfg.token_ttl : 300), "issued_at", iat);
    free(jwt);
    return send_resp(c, 200, json_resp(j));
}

/* After the route is known: who asks, rate, and whether they may. 0 to
 * continue, else the request was answered (the return value + 1). */
static int gate(comb_rs *s, struct MHD_Connection *c, req *q, const char *method,
                enum MHD_Result *ret)
{
    int creds = identify(s, c, q);
    const char *who = q->id.user[0] ? q->id.user : q->client;
    unsigned wait = comb_access_rate(s->acc, who, s->cfg.rate, s->cfg.burst);
    if (wait) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", wait);
        json_t *j = json_pack("{s:[{s:s,s:s,s:n}]}", "errors", "code", "TOOMANYREQUESTS", "message",
                              "too many requests", "detail");
        struct MHD_Response *r = json_resp(j);
        if (r)
            MHD_add_response_header(r, "Retry-After", ra);
        comb_access_audit(s->acc, q->client, q->id.user, method, q->rt.name, "rate-limited", 429);
        *ret = send_resp(c, 429, r);
        return 1;
    }
    if (!s->cfg.auth)
        return 0;
    if (q->rt.kind == COMB_RS_BASE) {
        if (creds > 0)
            return 0;
        *ret = challenge(s, c, q, creds < 0 ? "invalid credentials" : "authentication required");
        return 1;
    }
    if (creds < 0) {
        comb_access_audit(s->acc, q->client, "", method, q->rt.name, "denied: bad credentials", 401);
        *ret = challenge(s, c, q, "invalid credentials");
        return 1;
    }
    q->need = needed(q, method);
    int have = q->rt.kind == COMB_RS_CATALOG ? (q->id.sysadmin ? COMB_ACT_ALL : 0)
                                             : comb_access_allowed(s->acc, &q->id, q->rt.name);
    if ((have & q->need) == q->need)
        return 0;
    char acts[64], line[300];
    comb_actions_format(q->need & ~have, acts, sizeof acts);
    snprintf(line, sizeof line, "denied: lacks %s", acts);
    comb_access_audit(s->acc, q->client, q->id.user, method,
                      q->rt.kind == COMB_RS_CATALOG ? "_catalog" : q->rt.name, line,
                      creds == 0 || q->id.from_token ? 401 : 403);
    if (creds == 0 || q->id.from_token)
        *ret = challenge(s, c, q, "authentication required");
    else
        *ret = send_error(c, 403, "DENIED", "%s may not %s on %s", q->id.user, acts, q->rt.name);
    return 1;
}

static int has_body(const char *method)
{
    return !strcmp(method, "PUT") || !strcmp(method, "PATCH") || !strcmp(method, "POST");
}

static enum MHD_Result dispatch(comb_rs *s, struct MHD_Connection *c, req *q, const char *url,
                                const char *method);

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    comb_rs *s = cls;
    req *q = *con_cls;
    if (!q) {
        if (!(q = calloc(1, sizeof *q)))
            return MHD_NO;
        q->fd = -1;
        *con_cls = q;
        client_addr(c, q->client, sizeof q->client);
        comb_rs_route_parse(url, &q->rt);
        if (!strcmp(url, "/token") && !strcmp(method, "GET")) {
            q->status = -1; /* answered on the final call */
            return MHD_YES;
        }
        enum MHD_Result gr;
        if (q->rt.kind != COMB_RS_NONE && (q->rt.kind <= COMB_RS_CATALOG || q->rt.name_ok) &&
            gate(s, c, q, method, &gr)) {
            q->status = -2; /* answered */
            return gr;
        }
        if (q->rt.kind == COMB_RS_NONE)
            set_err(q, 404, "NOT_FOUND", "no such route");
        else if (q->rt.kind > COMB_RS_CATALOG && !q->rt.name_ok)
            set_err(q, 400, "NAME_INVALID", "repository name %.100s invalid", q->rt.name);
        else if (q->rt.kind == COMB_RS_UPLOAD && has_body(method)) {
            prepare_upload(s, c, q, method);
            const char *cl = hdr(c, "Content-Length");
            if (!q->status && cl && strtoull(cl, NULL, 10) > s->cfg.max_upload - q->size) {
                /* refused before reading the body */
                q->status = -2;
                return send_error(c, 413, "SIZE_INVALID", "blob larger than the limit of %llu bytes",
                                  (unsigned long long)s->cfg.max_upload);
            }
        }
        else if (q->rt.kind == COMB_RS_MANIFEST && !strcmp(method, "PUT")) {
            const char *cl = hdr(c, "Content-Length");
            if (cl && strtoull(cl, NULL, 10) > MANIFEST_MAX) {
                q->status = -2;
                return send_error(c, 413, "SIZE_INVALID", "manifest larger than %u bytes", MANIFEST_MAX);
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (q->status) {
            /* the answer is decided; the rest is discarded, but a sender
             * that goes on past another limit's worth is cut off */
            q->discarded += n;
            return q->discarded > (64u << 20) ? MHD_NO : MHD_YES;
        }
        if (q->fd >= 0) {
            append_upload(s, q, upload_data, n);
        } else if (q->rt.kind == COMB_RS_MANIFEST && !strcmp(method, "PUT")) {
            if (q->blen + n > MANIFEST_MAX)
                return set_err(q, 413, "SIZE_INVALID", "manifest larger than %u bytes", MANIFEST_MAX),
                       MHD_YES;
            unsigned char *b = realloc(q->body, q->blen + n + 1);
            if (!b)
                return MHD_NO;
            memcpy(b + q->blen, upload_data, n);
            q->body = b;
            q->blen += n;
        } else {
            set_err(q, 400, "UNSUPPORTED", "no body expected");
        }
        return MHD_YES;
    }
    if (q->status == -1)
        return token_endpoint(s, c, q, identify(s, c, q));
    if (q->status == -2)
        return MHD_YES;
    if (q->status)
        return send_error(c, (unsigned)q->status, q->ecode, "%s", q->emsg);
    enum MHD_Result ret = dispatch(s, c, q, url, method);
    /* the audit log: pulls, pushes and deletes of manifests, blob deletes */
    if (q->rt.kind == COMB_RS_MANIFEST || (q->rt.kind == COMB_RS_BLOB && !strcmp(method, "DELETE"))) {
        const char *act = !strcmp(method, "GET") ? "pull" : !strcmp(method, "PUT") ? "push"
                        : !strcmp(method, "DELETE") ? "delete" : NULL;
        char target[400];
        snprintf(target, sizeof target, "%s:%s", q->rt.name, q->rt.ref);
        if (act)
            comb_access_audit(s->acc, q->client, q->id.user, act, target,
                              last_status < 300 ? "allowed" : "refused", (int)last_status);
    }
    return ret;
}

static enum MHD_Result dispatch(comb_rs *s, struct MHD_Connection *c, req *q, const char *url,
                                const char *method)
{
    int head = !strcmp(method, "HEAD"), get = head || !strcmp(method, "GET");
    switch (q->rt.kind) {
    case COMB_RS_BASE: {
        struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, "Content-Type", "application/json");
        return send_resp(c, 200, r);
    }
    case COMB_RS_CATALOG:
        if (get)
            return listing(s, c, q, 1);
        break;
    case COMB_RS_TAGS:
        if (get)
            return listing(s, c, q, 0);
        break;
    case COMB_RS_MANIFEST:
        if (get)
            return get_manifest(s, c, q, head);
        if (!strcmp(method, "PUT"))
            return put_manifest(s, c, q);
        if (!strcmp(method, "DELETE"))
            return delete_manifest(s, c, q);
        break;
    case COMB_RS_BLOB:
        if (get)
            return get_blob(s, c, q, head);
        if (!strcmp(method, "DELETE")) {
            comb_err e;
            if (!comb_digest_valid(q->rt.ref))
                return send_error(c, 400, "DIGEST_INVALID", "digest %.80s invalid", q->rt.ref);
            comb_code rc = s->core.meta->ops->blob_unlink(s->core.meta, q->rt.name, q->rt.ref, &e);
            if (rc != COMB_OK)
                return from_code(c, rc, "BLOB_UNKNOWN", &e);
            return send_resp(c, 202, empty());
        }
        break;
    case COMB_RS_UPLOAD:
        if (!strcmp(method, "HEAD"))
            break;
        if ((!q->rt.ref[0]) != !strcmp(method, "POST"))
            return send_error(c, 404, "BLOB_UPLOAD_UNKNOWN", "upload session required");
        return finish_upload(s, c, q, method);
    case COMB_RS_REFERRERS:
        if (get)
            return get_referrers(s, c, q);
        break;
    default:
        break;
    }
    return send_error(c, 405, "UNSUPPORTED", "method %s not allowed on %s", method, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)c, (void)toe;
    req *q = *con_cls;
    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    comb_rs *s = cls;
    if (q->mono && !q->committed) {
        comb_err e;
        comb_blobs_upload_remove(&s->core.blobs, q->uid);
        s->core.meta->ops->upload_end(s->core.meta, q->uid, &e);
    }
    comb_identity_clear(&q->id);
    free(q->body);
    free(q);
    *con_cls = NULL;
}

/* ---- collector thread ---- */

static void *gc_main(void *arg)
{
    comb_rs *s = arg;
    pthread_mutex_lock(&s->gc_mu);
    while (!s->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += s->cfg.gc_interval;
        pthread_cond_timedwait(&s->gc_cv, &s->gc_mu, &ts);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->gc_mu);
        comb_rs_gc_stats st;
        comb_err e;
        rs_gc(&s->core, s->cfg.gc_grace, s->cfg.upload_ttl, &st, &e);
        pthread_mutex_lock(&s->gc_mu);
    }
    pthread_mutex_unlock(&s->gc_mu);
    return NULL;
}

/* ---- start / stop ---- */

static comb_code parse_listen(const char *l, struct sockaddr_storage *ss, comb_err *err)
{
    memset(ss, 0, sizeof *ss);
    char host[128] = "";
    const char *port;
    if (l[0] == '[') {
        const char *close = strchr(l, ']');
        if (!close || close[1] != ':' || (size_t)(close - l - 1) >= sizeof host)
            return comb_fail(err, COMB_EINVAL, "--listen %s: expected [ADDR]:PORT", l);
        memcpy(host, l + 1, (size_t)(close - l - 1));
        port = close + 2;
    } else {
        const char *colon = strrchr(l, ':');
        if (!colon || (size_t)(colon - l) >= sizeof host)
            return comb_fail(err, COMB_EINVAL, "--listen %s: expected ADDR:PORT", l);
        memcpy(host, l, (size_t)(colon - l));
        port = colon + 1;
    }
    char *end;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || p > 65535)
        return comb_fail(err, COMB_EINVAL, "--listen %s: bad port", l);
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)p);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return comb_fail(err, COMB_EINVAL, "--listen %s: bad address", l);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)p);
        if (host[0] && inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return comb_fail(err, COMB_EINVAL, "--listen %s: bad address (a numeric IP)", l);
    }
    return COMB_OK;
}

static comb_code read_pem(const char *path, char **out, comb_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    size_t len;
    return comb_read_fd(fd, 1 << 20, path, (unsigned char **)out, &len, err);
}

comb_code comb_rs_start(const comb_rs_config *cfg, comb_rs **out, unsigned *port, comb_err *err)
{
    struct sockaddr_storage ss;
    comb_code rc = parse_listen(cfg->listen, &ss, err);
    if (rc != COMB_OK)
        return rc;
    if (!cfg->tls_cert != !cfg->tls_key)
        return comb_fail(err, COMB_EINVAL, "--tls-cert and --tls-key go together");
    comb_rs *s = calloc(1, sizeof *s);
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    s->cfg = *cfg;
    s->core.lockfd = -1;
    if (!s->cfg.max_upload)
        s->cfg.max_upload = 16ull << 30;
    if (!s->cfg.max_connections)
        s->cfg.max_connections = 256;
    if (!s->cfg.per_ip_connections)
        s->cfg.per_ip_connections = 64;
    if (!s->cfg.timeout)
        s->cfg.timeout = 120;
    pthread_mutex_init(&s->gc_mu, NULL);
    pthread_cond_init(&s->gc_cv, NULL);
    if ((rc = rs_core_open(&s->core, cfg->root, err)) != COMB_OK ||
        (rc = comb_access_open(cfg->root, &s->acc, err)) != COMB_OK)
        goto fail;
    if (cfg->tls_cert && ((rc = read_pem(cfg->tls_cert, &s->cert, err)) != COMB_OK ||
                          (rc = read_pem(cfg->tls_key, &s->key, err)) != COMB_OK))
        goto fail;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (s->cert ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls[] = {
        {s->cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
        {MHD_OPTION_END, 0, NULL},
    };
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, &ss,
                            MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.per_ip_connections,
                            MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_ARRAY, tls,
                            MHD_OPTION_END);
    if (!s->d) {
        rc = comb_fail(err, COMB_EIO, "cannot listen on %s%s", cfg->listen,
                       s->cert ? " (or the TLS certificate/key is not usable)" : "");
        goto fail;
    }
    if ((rc = rs_hooks_start(cfg->webhook, cfg->webhook_retries, &s->hooks, err)) != COMB_OK)
        goto fail;
    if (cfg->scan_db && (rc = rs_scanner_start(&s->core, s->acc, s->hooks, cfg->root, cfg->scan_db,
                                               &s->scanner, err)) != COMB_OK)
        goto fail;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    if (port)
        *port = di ? di->port : 0;
    if (s->cfg.gc_interval && !pthread_create(&s->gc_thread, NULL, gc_main, s))
        s->gc_running = 1;
    *out = s;
    return COMB_OK;
fail:
    comb_rs_stop(s);
    return rc;
}

void comb_rs_stop(comb_rs *s)
{
    if (!s)
        return;
    if (s->gc_running) {
        pthread_mutex_lock(&s->gc_mu);
        s->stopping = 1;
        pthread_cond_signal(&s->gc_cv);
        pthread_mutex_unlock(&s->gc_mu);
        pthread_join(s->gc_thread, NULL);
    }
    if (s->d)
        MHD_stop_daemon(s->d);
    rs_scanner_stop(s->scanner);
    rs_hooks_stop(s->hooks);
    rs_core_close(&s->core);
    comb_access_close(s->acc);
    if (s->key)
        memset(s->key, 0, strlen(s->key));
    free(s->cert);
    free(s->key);
    pthread_cond_destroy(&s->gc_cv);
    pthread_mutex_destroy(&s->gc_mu);
    free(s);
}

comb_code comb_rs_rescan(const char *root, const char *scan_db, const char *webhook, int retries,
                         unsigned *n, comb_err *err)
{
    *n = 0;
    rs_core core;
    comb_access *acc = NULL;
    rs_hooks *hooks = NULL;
    comb_code rc = rs_core_open(&core, root, err);
    if (rc == COMB_OK)
        rc = comb_access_open(root, &acc, err);
    if (rc == COMB_OK)
        rc = rs_hooks_start(webhook, retries, &hooks, err);
    char **repos = NULL, **digests = NULL;
    size_t k = 0;
    if (rc == COMB_OK)
        rc = comb_access_scans_list(acc, &repos, &digests, &k, err);
    for (size_t i = 0; i < k; i++) {
        comb_err e;
        if (rc == COMB_OK && rs_scan_image(&core, acc, hooks, root, scan_db, repos[i], digests[i], &e) == COMB_OK)
            (*n)++;
        free(repos[i]);
        free(digests[i]);
    }
    free(repos);
    free(digests);
    rs_hooks_stop(hooks);
    comb_access_close(acc);
    rs_core_close(&core);
    return rc;
}
