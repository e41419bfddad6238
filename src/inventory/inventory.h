/* inventory.h - what runs on a host: containers (podman, Docker,
 * containerd), their processes, listening ports, mounts, capabilities and
 * network namespaces, the images in the engines' stores, and the host.
 *
 * Containers and images are found from the engines' files on disk
 * (compliance/containers.h, compliance/images.h), so the same code reads a
 * mounted host under --root; what only a running system knows (processes,
 * sockets, effective capabilities, addresses) comes from /proc and is left
 * out under --root. Everything read is untrusted and bounded; a process that
 * vanishes while it is read is skipped. The document is JSON, described in
 * docs/INVENTORY.md and docs/inventory.schema.json.
 */
#ifndef COMB_INVENTORY_INVENTORY_H
#define COMB_INVENTORY_INVENTORY_H

#include <jansson.h>
#include <stdio.h>

#include "core/error.h"

#define COMB_INVENTORY_SCHEMA_VERSION 1
#define COMB_INV_MAX_PROCS_PER_CONTAINER 1024
#define COMB_INV_MAX_PORTS 4096
#define COMB_INV_MAX_FDS 4096          /* fds looked at per process */
#define COMB_INV_MAX_PROC_FILE (1u << 20) /* one /proc file */

typedef struct comb_inventory_opts {
    const char *root;                 /* NULL: the live host */
    const char *const *podman_roots;  /* more podman storage roots */
    size_t npodman_roots;
    const char *scan_dir;   /* stored scan results (scanstore.h); NULL: images[].scan is null */
    const char *vuln_db;    /* the vulnerability database whose build time makes a result stale */
    const char *segment_db; /* segment store (relations.h); NULL: relationships are null */
} comb_inventory_opts;

/* Build the inventory document. Unreadable containers and images, stored
 * scan results and segment databases become entries of "warnings"; only an
 * unusable root or allocation failure is an error. */
comb_code comb_inventory_collect(const comb_inventory_opts *o, json_t **out, comb_err *err);

/* Add what an engine's state document says to a container object `ctr`
 * (command, labels, created, started, pid, mounts, image id). kind:
 * "oci" (an OCI runtime config.json), "docker" (config.v2.json),
 * "runc-state" (runc's state.json), "podman-ctr" (one entry of podman's
 * containers.json). `name` names the input in errors. */
comb_code comb_inventory_engine_doc(const char *kind, const char *name, const char *json, size_t len,
                                    json_t *ctr, comb_err *err);

/* The readable table of a document (colour when `colour`). */
void comb_inventory_table(const json_t *doc, FILE *out, int colour);

#endif
