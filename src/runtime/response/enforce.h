/* enforce.h - `comb watch --enforce`: the kernel-side enforcer
 * (runtime/bpf/enforce.bpf.c).
 *
 * comb_enforce_open loads the programs and attaches the exec hook; it fails
 * (COMB_EUNSUPPORTED) when the kernel refuses them, which the CLI reports as
 * a probe result. It also tries enforce_lsm.bpf.c (deny the exec instead of
 * killing after it) and keeps it when the kernel takes BPF LSM programs. Containers become enforced by their cgroup v2 id (the
 * directory's inode number): a drifted exec in them is killed in the kernel.
 * Isolating attaches connect4/connect6 programs to a container's cgroup:
 * its connect() calls fail with EPERM until the enforcer is closed.
 */
#ifndef COMB_RUNTIME_RESPONSE_ENFORCE_H
#define COMB_RUNTIME_RESPONSE_ENFORCE_H

#include <stdint.h>

#include "core/error.h"

#define COMB_ENFORCE_MAX_ISOLATED 256

typedef struct comb_enforce comb_enforce;

typedef struct comb_enforce_stats {
    uint64_t drift_kills, connects_refused, enforced, isolated;
} comb_enforce_stats;

comb_code comb_enforce_open(comb_enforce **out, comb_err *err);
/* What the BPF LSM probe found: "BPF LSM loaded: ..." or "BPF LSM refused
 * by the kernel (...): ...". */
const char *comb_enforce_lsm_status(const comb_enforce *e);
/* Enforce the container whose cgroup has this id (idempotent, cheap when
 * already known). 0 or an errno. */
int comb_enforce_add(comb_enforce *e, uint64_t cgroup_id);
/* Every container cgroup below the cgroup v2 mount (bounded walk); count. */
size_t comb_enforce_add_existing(comb_enforce *e, const char *cgroup2);
/* Refuse connect() in this cgroup directory; 0 or an errno. Thread-safe. */
int comb_enforce_isolate(comb_enforce *e, const char *cgroup_dir);
void comb_enforce_stats_get(comb_enforce *e, comb_enforce_stats *st);
/* Detach everything (isolations are lifted) and free; e may be NULL. */
void comb_enforce_close(comb_enforce *e);

#endif
