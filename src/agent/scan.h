/* scan.h - `comb agent --scan`: each image a running container uses is
 * scanned once per digest (the store of scan results, inventory/scanstore.h,
 * remembers which were) and the result spooled as a "scan" record.
 */
#ifndef COMB_AGENT_SCAN_H
#define COMB_AGENT_SCAN_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

typedef struct comb_agent_scan_opts {
    const char *scan_dir; /* the store of scan results */
    const char *db_path;  /* vulnerability database (as `comb scan --db`) */
    const char *spool;
    void (*warn)(void *ud, const char *msg); /* an image that could not be scanned */
    void *ud;
} comb_agent_scan_opts;

/* Scan the images of the running containers of `inventory` (a comb inventory
 * document) that have no stored result: podman://ID or docker://ID, with
 * every scanner. *scanned counts the results stored and spooled. An image
 * that cannot be scanned is reported through warn and tried again next
 * time; only a spool or store failure is an error. */
comb_code comb_agent_scan(const comb_agent_scan_opts *o, const json_t *inventory, size_t *scanned, comb_err *err);

#endif
