/* scanpush.h - scan on push: a worker thread scans images pushed to
 * projects that ask for it (vulnerabilities, with the library's scan
 * pipeline on an OCI layout view of the stored blobs), records the worst
 * severity for the pull policy, and attaches the result as an OCI referrer
 * of the image (artifactType application/vnd.comb.scan.v1+json). */
#ifndef COMB_REGISTRY_SERVER_SCANPUSH_H
#define COMB_REGISTRY_SERVER_SCANPUSH_H

#include "registry/server/access.h"
#include "registry/server/core.h"
#include "registry/server/webhook.h"

#define COMB_MT_SCAN "application/vnd.comb.scan.v1+json"

typedef struct rs_scanner rs_scanner;

comb_code rs_scanner_start(rs_core *core, comb_access *acc, rs_hooks *hooks, const char *root,
                           const char *db_path, rs_scanner **out, comb_err *err);
/* Queue an image (dropped when the queue of 256 is full: the pull policy
 * then refuses it as not scanned). */
void rs_scanner_enqueue(rs_scanner *sc, const char *repo, const char *digest);
void rs_scanner_stop(rs_scanner *sc);

/* Scan one stored image now (also `comb registry rescan`); webhooks
 * (hooks may be NULL): scan_completed, and policy_violation when the worst
 * finding is at or above the project's --block-severity. */
comb_code rs_scan_image(rs_core *core, comb_access *acc, rs_hooks *hooks, const char *root,
                        const char *db_path, const char *repo, const char *digest, comb_err *err);

#endif
