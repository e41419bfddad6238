/* response.h - what `comb watch` does about an alert: kill the process,
 * freeze, stop or isolate its container.
 *
 *   kill     SIGKILL to the process (at once, from the caller's thread: one
 *            syscall; the pid is the one the event named)
 *   freeze   cgroup v2 cgroup.freeze of the container's cgroup, then wait
 *            (up to 2 s) for cgroup.events to say "frozen 1"
 *   stop     cgroup v2 cgroup.kill of the container's cgroup: every process
 *            in it gets SIGKILL at once, so the engine sees its init exit
 *            (no SIGTERM grace: a compromised container gets no time to react)
 *   isolate  an nftables table "inet comb_isolate" (libnftables) whose input
 *            and output chains drop everything but loopback, installed inside
 *            the container's network namespace by a short-lived thread that
 *            setns()es there (the caller's namespace is never changed);
 *            refused when the container shares the host's network namespace.
 *            With enforce (see enforce.h) connect() is refused in the kernel
 *            too. Lifted by deleting the table:
 *            nsenter --net=/proc/PID/ns/net nft delete table inet comb_isolate
 * The container's cgroup is the cgroup v2 directory (from /proc/mounts'
 * cgroup2 mount) whose name carries the container id: found through the
 * process's /proc/PID/cgroup, or by name when the process is gone. Host
 * processes get kill only (container actions are skipped and said so).
 *
 * Container actions run on the responder's own thread, in order, from a
 * bounded queue (a full queue drops the job and reports it), so freezing or
 * isolating never stalls the detection loop. Each action is done once per
 * container (later alerts report "already done"). In dry-run mode nothing is
 * done: every action is reported with outcome "dry-run".
 */
#ifndef COMB_RUNTIME_RESPONSE_RESPONSE_H
#define COMB_RUNTIME_RESPONSE_RESPONSE_H

#include <stdint.h>

#include "core/error.h"
#include "runtime/rules/rules.h"

enum {
    COMB_ACT_KILL = 1u,
    COMB_ACT_FREEZE = 2u,
    COMB_ACT_STOP = 4u,
    COMB_ACT_ISOLATE = 8u,
    COMB_ACT_ALL = 15u,
};

#define COMB_RESPONSE_QUEUE 1024

/* "kill,freeze" (or one name) -> bits; -1 naming the bad word in *bad. */
int comb_response_parse(const char *list, unsigned *mask, const char **bad, size_t *badlen);
/* "kill", "freeze", "stop", "isolate" for one bit. */
const char *comb_response_name(unsigned bit);

typedef struct comb_response_stats {
    uint64_t ok, failed, skipped, dry_run, dropped;
} comb_response_stats;

/* One outcome, as lines: Falco-like JSON (time, rule, priority, response,
 * outcome, detail, output_fields) and text. Called on the responder's thread
 * (and the caller's, for kill). */
typedef void (*comb_response_report_fn)(void *ud, comb_priority prio, const char *json,
                                        const char *text);

/* With enforce mode: called (responder's thread) with the container's cgroup
 * v2 directory when it is isolated; returns 0 on success or an errno. */
typedef int (*comb_response_isolate_fn)(void *ud, const char *cgroup_dir);

typedef struct comb_responder_opts {
    int act;                            /* 0: dry run */
    const char *procroot;               /* default "/proc" */
    const char *cgroup2;                /* cgroup v2 mount; NULL: from /proc/self/mountinfo */
    comb_response_report_fn report;
    comb_response_isolate_fn isolate_kernel; /* may be NULL */
    void *ud;
} comb_responder_opts;

typedef struct comb_responder comb_responder;

comb_code comb_responder_new(const comb_responder_opts *o, comb_responder **out, comb_err *err);
/* Act on one alert: actions are COMB_ACT_* bits. */
void comb_responder_submit(comb_responder *r, unsigned actions, const comb_rule *rule,
                           const comb_event *ev);
/* Finish the queued actions, stop the thread, fill st. r may be NULL. */
void comb_responder_free(comb_responder *r, comb_response_stats *st);

/* The cgroup v2 directory of a container (12+ hex digits of its id), found
 * under cgroup2 by name; 0 and the path in out, -1 when absent. Bounded walk. */
int comb_response_find_cgroup(const char *cgroup2, const char *id, char *out, size_t outsz);

/* Visit the directories below root, depth levels down, at most 20,000:
 * fn gets each one's path and name and returns 0 to go on (descending into
 * it), 2 to go on without descending, 1 to stop. Returns 1 when stopped. */
int comb_cgroup_walk(const char *root, int depth,
                     int (*fn)(void *ud, const char *path, const char *name), void *ud);

/* The cgroup v2 mount point from /proc/self/mountinfo; 0 or -1. */
int comb_response_cgroup2_mount(char *out, size_t outsz);

#endif
