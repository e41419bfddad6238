/* server.h - `comb registry serve`: an OCI Distribution Spec v1.1 registry
 * on libmicrohttpd (docs/REGISTRY-SERVER.md). Blobs in a content-addressed
 * store (blobs.h), metadata behind comb_meta (meta.h), a garbage collector
 * thread. Library code: never prints; the CLI starts and stops it. */
#ifndef COMB_REGISTRY_SERVER_SERVER_H
#define COMB_REGISTRY_SERVER_SERVER_H

#include <stdint.h>

#include "core/error.h"

typedef struct comb_rs_config {
    const char *root;      /* data directory (created) */
    const char *listen;    /* "127.0.0.1:5000", "[::1]:5000" or ":5000" */
    const char *tls_cert;  /* PEM files; both or neither */
    const char *tls_key;
    uint64_t max_upload;   /* bytes per blob (0: 16 GiB) */
    unsigned max_connections; /* 0: 256 */
    unsigned per_ip_connections; /* 0: 64 */
    unsigned timeout;      /* idle seconds per connection (0: 120) */
    unsigned gc_interval;  /* seconds between collections (0: none) */
    unsigned gc_grace;     /* seconds an unreferenced blob is kept (default 3600 via CLI) */
    unsigned upload_ttl;   /* seconds before an abandoned upload is dropped (0: 1 day) */
    int auth;              /* require credentials (access.h): users, roles, tokens */
    const char *service;   /* token audience (0: "comb-registry") */
    unsigned token_ttl;    /* seconds (0: 300) */
    double rate, burst;    /* requests per second per client, bucket size (0: unlimited) */
    const char *scan_db;   /* vulnerability database for scan on push (NULL: no scanning) */
    const char *webhook;   /* URL notified of events (NULL: none) */
    int webhook_retries;   /* extra attempts per event */
} comb_rs_config;

typedef struct comb_rs comb_rs;

/* Open the root and start serving (threads of libmicrohttpd + the
 * collector). *port is the port bound (useful with ":0"). */
comb_code comb_rs_start(const comb_rs_config *cfg, comb_rs **out, unsigned *port, comb_err *err);
void comb_rs_stop(comb_rs *s);

typedef struct comb_rs_gc_stats {
    unsigned long blobs_removed;
    unsigned long uploads_removed;
    unsigned long long bytes_freed;
} comb_rs_gc_stats;

/* Rescan every image scanned before (the vulnerability database changed):
 * records, referrers, webhooks as on push. *n the images rescanned. */
comb_code comb_rs_rescan(const char *root, const char *scan_db, const char *webhook, int retries,
                         unsigned *n, comb_err *err);

/* One collection on a root, while serving or offline: forget and remove
 * blobs referenced by no manifest and untouched for `grace` seconds, and
 * uploads older than `upload_ttl`. */
comb_code comb_rs_gc_root(const char *root, unsigned grace, unsigned upload_ttl,
                          comb_rs_gc_stats *st, comb_err *err);

#endif
