/* proctable.h - what the sensor knows about each live process.
 *
 * Keyed by pid (the thread group id). Seeded from /proc at start, then kept
 * by the sensor's fork, exec and exit records. Memory is bounded: at most
 * `max` entries; an exited process stays for a short grace period (the last
 * `keep_dead` exits) so that records still in flight and its children's
 * ancestry can name it, then it is reclaimed. When the table is full, new
 * processes are refused and counted, never allocated beyond the bound.
 * Strings from the kernel and /proc are untrusted: every one is bounded.
 */
#ifndef COMB_RUNTIME_SENSOR_PROCTABLE_H
#define COMB_RUNTIME_SENSOR_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "runtime/rules/event.h"
#include "runtime/sensor/cgroup.h"

#define COMB_PROC_MAX_ARGS 256      /* argv entries kept */
#define COMB_PROC_MAX_ARGBYTES 4096 /* argv bytes kept */
#define COMB_PROC_MAX_PATH 4096

typedef struct comb_procinfo {
    int64_t pid, ppid;
    int64_t vpid;                     /* in the process's pid namespace, COMB_NA unknown */
    int64_t uid, gid, loginuid, tty;
    int64_t start_ts;                 /* ns since the epoch, COMB_NA unknown */
    int64_t cap_effective, cap_permitted, cap_inheritable; /* bit masks, COMB_NA unknown */
    char comm[16];
    char *exepath;                    /* NULL unknown */
    char *cwd;
    char *argbuf;                     /* argv, NUL-separated */
    const char **argv;                /* pointers into argbuf */
    size_t argc;
    char container_id[COMB_CONTAINER_ID_LEN + 1]; /* "" on the host */
    int exe_memfd;                    /* tristate */
    int exe_upper;                    /* tristate: in an overlayfs upper layer */
    int dead;
    struct comb_procinfo *next;       /* hash chain */
} comb_procinfo;

typedef struct comb_proctable comb_proctable;

typedef struct comb_proctable_stats {
    size_t live, dead;
    uint64_t refused;                 /* inserts refused: table full */
    uint64_t reclaimed;               /* dead entries freed */
} comb_proctable_stats;

comb_code comb_proctable_new(size_t max, size_t keep_dead, comb_proctable **out, comb_err *err);
void comb_proctable_free(comb_proctable *t);

comb_procinfo *comb_proctable_get(comb_proctable *t, int64_t pid);
/* The entry for pid, created empty (everything unknown) if absent; a dead
 * entry with the same pid is replaced (the pid was reused). NULL when full. */
comb_procinfo *comb_proctable_upsert(comb_proctable *t, int64_t pid);
/* A new process: child inherits what the parent is known to be (exec
 * replaces it later). NULL when full. */
comb_procinfo *comb_proctable_fork(comb_proctable *t, int64_t parent, int64_t child,
                                   int64_t start_ts);
/* (fork sets vpid to COMB_NA; the caller sets it when known) */
/* The process exited: kept for the grace period, then reclaimed. */
void comb_proctable_exit(comb_proctable *t, int64_t pid);

/* Replace a string member (bounded copy of at most max bytes, 0 on success). */
int comb_procinfo_set_str(char **dst, const char *s, size_t len);
/* Replace argv from a NUL-separated buffer of len bytes (bounded). */
int comb_procinfo_set_args(comb_procinfo *p, const char *buf, size_t len);

/* Read every process under procroot ("/proc"): stat, status, cmdline, exe,
 * cwd, cgroup, loginuid. Processes that vanish while read are skipped. */
comb_code comb_proctable_seed(comb_proctable *t, const char *procroot, comb_err *err);
/* Fill one process of /proc into an entry (used by seeding and to heal a
 * process the sensor missed); 0 on success. */
int comb_proctable_read_proc(comb_proctable *t, const char *procroot, int64_t pid);

/* Fill ev->proc from pid's entry and up to nanc ancestors into anc[]
 * (ev->ancestors points there). Strings stay owned by the table: valid until
 * the next change to it. Returns 0 when pid is unknown (ev->proc untouched
 * except pid). */
int comb_proctable_fill(comb_proctable *t, int64_t pid, comb_proc *proc, comb_proc *anc,
                        size_t nanc, size_t *nfilled);

/* Up to nanc ancestors of pid into anc[] ([0] the parent); returns how many. */
size_t comb_proctable_ancestors(comb_proctable *t, int64_t pid, comb_proc *anc, size_t nanc);

void comb_proctable_stats_get(const comb_proctable *t, comb_proctable_stats *st);

#endif
