/* containers.h - names and images of local containers, from the container
 * storage's containers.json (podman, buildah, cri-o: containers/storage).
 *
 * Read on a lookup miss when the file changed (an id that keeps missing
 * looks no more than every 250 ms), never more; the file is
 * untrusted and bounded (COMB_CONTAINERS_MAX_FILE, COMB_CONTAINERS_MAX).
 * Docker and containerd keep no such file: their containers get an id only.
 */
#ifndef COMB_RUNTIME_SENSOR_CONTAINERS_H
#define COMB_RUNTIME_SENSOR_CONTAINERS_H

#include <stdint.h>

#include "core/error.h"

#define COMB_CONTAINERS_MAX_FILE (64u << 20)
#define COMB_CONTAINERS_MAX 65536
#define COMB_CONTAINERS_MAX_CONFIG (4u << 20) /* one container's config.json */
#define COMB_CONTAINERS_DEFAULT "/var/lib/containers/storage/overlay-containers/containers.json"

typedef struct comb_container_meta {
    char id[65];
    char *name;
    char *image;               /* "localhost/app:1.0" */
    char *image_repository;    /* "localhost/app" */
    char *image_tag;           /* "1.0" */
    char *image_id;            /* 12 hex digits, as Falco shows it */
    const char *runtime;       /* "podman" */
    int64_t created_ns;
    char layer[65];            /* its writable layer's id in the overlay store, "" unknown */
    int privileged;            /* tristate (-1 unknown): podman's annotation in the
                                  container's OCI config.json, read on first lookup */
} comb_container_meta;

typedef struct comb_ctrmeta comb_ctrmeta;

comb_code comb_ctrmeta_new(const char *json_path, comb_ctrmeta **out, comb_err *err);
void comb_ctrmeta_free(comb_ctrmeta *c);
/* Metadata of the container with this 64-hex id, or NULL. */
const comb_container_meta *comb_ctrmeta_lookup(comb_ctrmeta *c, const char *id);

/* Directory i of the container's root filesystem layers in the overlay
 * store next to containers.json (<storage>/overlay/<layer>/diff, then the
 * image's layers from its `lower` file, topmost first): 1 with the path in
 * out, 0 past the last or when unknown. Ids and `lower` entries are checked
 * (hex ids, "l/" + letters and digits) before they become paths. Matches
 * comb_users_layer_fn (ud is the comb_ctrmeta). */
int comb_ctrmeta_layer_dir(void *ctrmeta, const char *id, size_t i, char *out, size_t cap);

#endif
