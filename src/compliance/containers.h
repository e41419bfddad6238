/* containers.h - every container a host knows, from the engines' own files.
 *
 * Containers are found without talking to any daemon, so the same code
 * works on the live host and under --root:
 *   podman:     <storage>/<driver>-containers/containers.json lists them;
 *               <id>/userdata/config.json is each one's OCI runtime config;
 *   Docker:     /var/lib/docker/containers/<id>/config.v2.json + hostconfig.json;
 *   containerd: /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>/config.json
 *               (the bundles of running tasks; CRI sandboxes and Docker's
 *               own "moby" namespace are skipped).
 * Each is reduced to the same fields (a string-valued JSON object) that the
 * container checks read: privileged, cap_add, host_pid, host_ipc,
 * host_network, host_uts, host_userns, sensitive_mounts, socket_mounts,
 * shared_mounts, host_devices, seccomp, apparmor, selinux, readonly_rootfs,
 * memory_limit, cpu_limit, pids_limit, no_new_privileges, user,
 * run_as_root, privileged_ports, restart_policy, restart_max. A field the
 * engine does not record (ports in an OCI config) is left out.
 */
#ifndef COMB_COMPLIANCE_CONTAINERS_H
#define COMB_COMPLIANCE_CONTAINERS_H

#include <jansson.h>

#include "compliance/fsroot.h"
#include "core/error.h"

#define COMB_CONTAINERS_MAX 4096

typedef struct comb_container {
    char *engine;  /* podman, docker, containerd */
    char *id;
    char *name;    /* the engine's name, else the short id */
    char *image;
    char *state;   /* running, stopped */
    char *config;  /* the file it was read from (inside the root) */
    json_t *fields;
} comb_container;

typedef struct comb_container_list {
    comb_container *items;
    size_t n, cap;
    char **warnings; /* containers that could not be read, and why */
    size_t nwarnings;
} comb_container_list;

/* Find every container under the root. `podman_roots` adds storage roots
 * (paths inside the root) to the defaults. Unreadable containers become
 * warnings; only allocation failure is an error. */
comb_code comb_containers_discover(const comb_fsroot *r, const char *const *podman_roots,
                                   size_t npodman_roots, comb_container_list *out, comb_err *err);
void comb_containers_free(comb_container_list *l);

/* Glob `suffix` ("*-containers/containers.json") under every podman storage
 * root: the system and rootless defaults, then `podman_roots`; stops once
 * *stop is set (by fn, on allocation failure). */
void comb_podman_glob(const comb_fsroot *r, const char *const *podman_roots, size_t npodman_roots,
                      const char *suffix, int (*fn)(void *ud, const char *path), void *ud,
                      const int *stop);

/* The fields of one OCI runtime config (config.json), and of one Docker
 * container (config.v2.json and hostconfig.json, either may be NULL).
 * `name` names the input in errors. */
comb_code comb_container_fields_oci(const char *name, const char *json, size_t len, json_t **out,
                                    comb_err *err);
comb_code comb_container_fields_docker(const char *name, const char *config_v2, size_t len1,
                                       const char *hostconfig, size_t len2, json_t **out,
                                       comb_err *err);

/* For the store readers (containers.c, images.c): append an entry (takes
 * `fields`; -1 on allocation failure), add a warning (at most 100), and
 * check that an id from a store is a plain name (no '/', not "." or ".."). */
int comb_container_list_add(comb_container_list *l, const char *engine, const char *id,
                            const char *name, const char *image, const char *state,
                            const char *config, json_t *fields);
int comb_container_list_warn(comb_container_list *l, const char *fmt, const char *a, const char *b);
int comb_container_safe_id(const char *s);

#endif
