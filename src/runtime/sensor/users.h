/* users.h - user and group names as a process sees them: the host's
 * /etc/passwd and /etc/group, or a container's own, read through
 * /proc/PID/root the first time one of its processes is seen, or, when that
 * process is already gone (a short-lived container), from the container's
 * layers on disk (comb_users_set_layers: the writable layer, then the image's).
 *
 * Files are untrusted: at most COMB_USERS_MAX_FILE bytes and
 * COMB_USERS_MAX_ENTRIES entries each are read; at most COMB_USERS_MAX_DBS
 * containers are remembered (the oldest is forgotten first).
 */
#ifndef COMB_RUNTIME_SENSOR_USERS_H
#define COMB_RUNTIME_SENSOR_USERS_H

#include <stdint.h>

#include "core/error.h"

#define COMB_USERS_MAX_FILE (1u << 20)
#define COMB_USERS_MAX_ENTRIES 10000
#define COMB_USERS_MAX_DBS 256

typedef struct comb_user_info {
    const char *name, *home, *shell;
} comb_user_info;

typedef struct comb_users comb_users;

/* root: "/" for the host; tests point it at a directory with etc/passwd. */
comb_code comb_users_new(const char *host_root, comb_users **out, comb_err *err);
void comb_users_free(comb_users *u);

/* Directory number i (0: the writable layer) of a container's root
 * filesystem layers, topmost first; 1 and the path in out, 0 past the last. */
typedef int (*comb_users_layer_fn)(void *ud, const char *container_id, size_t i, char *out,
                                   size_t cap);
#define COMB_USERS_MAX_LAYERS 128
void comb_users_set_layers(comb_users *u, comb_users_layer_fn fn, void *ud);

/* The user uid of a process in container_id ("" for the host); pid is used
 * to reach a container's files on first use. NULL members when unknown. */
comb_user_info comb_users_user(comb_users *u, const char *container_id, int64_t pid, int64_t uid);
const char *comb_users_group(comb_users *u, const char *container_id, int64_t pid, int64_t gid);

#endif
