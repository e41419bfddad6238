/* images.h - the images in the engines' stores, for the image checks (CIS
 * Docker section 4), read from the stores' own files like containers:
 *   podman: <storage>/<driver>-images/images.json lists them; each image's
 *           config is the big-data file "=" + base64("sha256:<id>");
 *   Docker: /var/lib/docker/image/<driver>/imagedb/content/sha256/<id>,
 *           named by repositories.json beside it.
 * Fields: user, run_as_root, healthcheck, update_alone (history steps
 * that refresh a package index without installing in the same step),
 * add_used (ADD steps after the base layer).
 */
#ifndef COMB_COMPLIANCE_IMAGES_H
#define COMB_COMPLIANCE_IMAGES_H

#include "compliance/containers.h"

#define COMB_IMAGES_MAX 4096

/* Images are returned in a comb_container_list (engine, id, name, config,
 * fields; image and state are empty). */
comb_code comb_images_discover(const comb_fsroot *r, const char *const *podman_roots,
                               size_t npodman_roots, comb_container_list *out, comb_err *err);

/* The fields of one image config (OCI/Docker image configuration JSON). */
comb_code comb_image_fields(const char *name, const char *json, size_t len, json_t **out,
                            comb_err *err);

#endif
