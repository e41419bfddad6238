/* client.h - an OCI distribution (registry v2 API) client for pulls.
 *
 * One client per repository. Manifests and small blobs (configs) are read
 * into memory under a size bound and verified against their digest; layer
 * blobs are handed out as pull streams that read straight from the HTTP
 * response (libcurl multi, paused when the reader falls behind), so a
 * layer flows into the image walker without touching the disk.
 *
 * Every request: https unless `insecure`; Basic or Bearer token auth on a
 * 401 (credentials from opts, else auth.h's lookup); retries with
 * exponential backoff on connection errors, 5xx and 429 (Retry-After
 * honoured, capped); a stream cut in the middle resumes with a Range
 * request from the first byte not yet read; at most 5
 * redirects, never to plain http unless insecure; a stall timeout (no
 * progress for `timeout_s`) and a total timeout for small documents.
 * Mirrors are tried before the registry itself for pulls.
 */
#ifndef COMB_REGISTRY_CLIENT_H
#define COMB_REGISTRY_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "registry/ref.h"

#define COMB_REGISTRY_MAX_MANIFEST (4u << 20)
#define COMB_REGISTRY_MAX_MIRRORS 8

typedef struct comb_registry_opts {
    const char *username;   /* with password: explicit credentials */
    const char *password;
    int insecure;           /* allow plain http:// to the registry */
    /* "REGISTRY=MIRROR[,REGISTRY=MIRROR...]", e.g. "docker.io=127.0.0.1:5001";
     * also read from $COMB_REGISTRY_MIRRORS when NULL */
    const char *mirrors;
    int retries;            /* extra attempts; 0: 3, negative: none */
    unsigned backoff_ms;    /* first delay, doubled; 0: 500 */
    unsigned retry_after_cap_s; /* longest Retry-After honoured; 0: 60 */
    long timeout_s;         /* stall timeout; 0: 30 */
    /* A server pulling for someone else (comb server's Harbor adapter):
     * a Bearer token it was handed, sent from the first request on, and no
     * lookup of the local credential files. */
    const char *bearer;
    int no_cred_lookup;
} comb_registry_opts;

typedef struct comb_registry comb_registry;
typedef struct comb_blob_stream comb_blob_stream;

comb_code comb_registry_open(const comb_ref *ref, const comb_registry_opts *opts,
                             comb_registry **out, comb_err *err);
void comb_registry_close(comb_registry *r);

/* GET a manifest or index by tag or digest (Accept: OCI and Docker v2
 * manifests and indexes). *data is malloc'd, NUL-terminated; digest is the
 * content's sha256, checked against a requested digest and against the
 * Docker-Content-Digest header when present. */
comb_code comb_registry_manifest(comb_registry *r, const char *tag_or_digest,
                                 unsigned char **data, size_t *len, char *media_type,
                                 size_t mtsz, char digest[72], comb_err *err);

/* A whole blob into memory (at most max bytes), verified. */
comb_code comb_registry_blob(comb_registry *r, const char *digest, size_t max,
                             unsigned char **data, size_t *len, comb_err *err);

/* A blob as a stream; `size` (if not 0) bounds it. The caller verifies the
 * digest of what it reads (the image walker does). Errors of the stream
 * functions do not name the registry: the caller gives the context. */
comb_code comb_registry_blob_open(comb_registry *r, const char *digest, uint64_t size,
                                  comb_blob_stream **out, comb_err *err);
/* > 0 bytes, 0 at the end, -1 on error (err filled). */
ssize_t comb_blob_stream_read(comb_blob_stream *s, void *buf, size_t len, comb_err *err);
void comb_blob_stream_close(comb_blob_stream *s);

/* ---- push (comb sign to a registry) ---- */
typedef struct comb_registry_reply {
    long status;
    char location[2048];
    char digest[80];   /* Docker-Content-Digest */
    char subject[80];  /* OCI-Subject */
    char range[64];
    char filters[64];  /* OCI-Filters-Applied */
    unsigned char *body; /* malloc'd, NUL-terminated; at most max_body bytes */
    size_t len;
} comb_registry_reply;
void comb_registry_reply_free(comb_registry_reply *r);

/* One request to the registry itself: path is relative to /v2/<repo>/
 * ("blobs/uploads/"), absolute ("/v2/..."), or an upload Location URL.
 * Authenticated as pulls are (a 401 answered once with the scope the
 * challenge names); 401/403 after that is COMB_EAUTH; any other status is
 * returned in out for the caller to judge. */
comb_code comb_registry_request(comb_registry *r, const char *method, const char *path,
                                const char *content_type, const void *body, size_t len,
                                size_t max_body, comb_registry_reply *out, comb_err *err);
/* Upload a blob (skipped when the registry has it): POST then PUT ?digest. */
comb_code comb_registry_put_blob(comb_registry *r, const void *data, size_t len, char digest[72],
                                 comb_err *err);
/* PUT a manifest under a tag or its digest; *subject_seen (may be NULL) is
 * 1 when the registry answered OCI-Subject (it indexes referrers itself). */
comb_code comb_registry_put_manifest(comb_registry *r, const char *ref, const char *media_type,
                                     const void *data, size_t len, int *subject_seen, comb_err *err);
/* GET /v2/<repo>/referrers/<digest>[?artifactType=]: the index (malloc'd);
 * *filtered when the registry applied the filter. COMB_EUNSUPPORTED when the
 * registry has no referrers API (404): use the "sha256-<hex>" tag schema. */
comb_code comb_registry_referrers(comb_registry *r, const char *digest, const char *artifact_type,
                                  unsigned char **data, size_t *len, int *filtered, comb_err *err);

/* Requests made so far (for statistics and tests). */
unsigned comb_registry_requests(const comb_registry *r);

#endif
