/* fetch.h - downloading one file over HTTP(S) with libcurl, for
 * `comb db update`: conditional requests (ETag / If-Modified-Since), retries
 * with exponential backoff on transient failures (connection errors, 5xx,
 * 429 honouring Retry-After), an optional SHA-256 check, a size bound, and
 * an atomic result: the destination is replaced only by a complete,
 * verified download (written to DEST.part, fsync'd, renamed). A failed or
 * interrupted transfer leaves any previous file untouched. */
#ifndef COMB_VULN_FETCH_H
#define COMB_VULN_FETCH_H

#include <stdint.h>

#include "core/error.h"

typedef struct comb_fetch_opts {
    const char *etag;           /* from the previous download, or NULL */
    const char *last_modified;  /* HTTP date from the previous download, or NULL */
    const char *sha256;         /* expected "sha256:<hex>" or bare hex, or NULL */
    int retries;                /* extra attempts after the first (default 3) */
    unsigned backoff_ms;        /* first delay, doubled each retry (default 1000) */
    long timeout_s;             /* whole-transfer timeout (default 300) */
    uint64_t max_bytes;         /* refuse larger bodies (default 2 GiB) */
    int allow_http;             /* plain http only for loopback tests; https otherwise */
    void (*progress)(void *ud, uint64_t done, uint64_t total);
    void *progress_ud;
} comb_fetch_opts;

typedef struct comb_fetch_result {
    int not_modified;           /* 304: DEST kept as it was */
    char etag[256];             /* new validators to store for next time */
    char last_modified[64];
    uint64_t bytes;
    int attempts;
    char sha256[72];            /* of what was downloaded */
} comb_fetch_result;

comb_code comb_fetch(const char *url, const char *dest, const comb_fetch_opts *opts,
                     comb_fetch_result *res, comb_err *err);

#endif
