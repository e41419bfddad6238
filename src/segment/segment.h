/* segment.h - micro-segmentation: learn which workload talks to which,
 * turn the learned graph into policy (Kubernetes NetworkPolicy, nftables),
 * enforce it, alert on connections outside it, quarantine a workload.
 * See docs/SEGMENT.md.
 *
 * Pieces:
 *   seg_graph   workload groups and flows in memory, bounded hash tables
 *   seg_store   the graph, modes and applied policy versions in SQLite
 *   seg_ident   network namespace -> workload identity, address -> workload
 *   seg_learner the eBPF learner (segment.bpf.c): flow records
 *   policy      NetworkPolicy YAML and the nftables ruleset text
 *   nft         atomic apply / rollback through libnftables
 *
 * The library never prints or exits; errors name the input.
 */
#ifndef COMB_SEGMENT_H
#define COMB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

#define SEG_NAME_MAX 128        /* a group's name, bytes */
#define SEG_LABELS_MAX 512      /* "k=v,k=v" */
#define SEG_MAX_ADDRS 16        /* IPv4 addresses per group */
#define SEG_PROCS_MAX 64        /* "nginx,curl" per flow */
#define SEG_DEFAULT_MAX_GROUPS 65536
#define SEG_DEFAULT_MAX_FLOWS 1048576
#define SEG_TABLE "comb_segment" /* the nftables table comb owns */

typedef enum seg_mode { SEG_MODE_LEARN = 0, SEG_MODE_MONITOR, SEG_MODE_PROTECT } seg_mode;

typedef enum seg_kind {
    SEG_KIND_NETNS = 0,  /* a named network namespace (ip netns) */
    SEG_KIND_CONTAINER,  /* a container (podman containers.json) */
    SEG_KIND_POD,        /* a Kubernetes pod (io.kubernetes.* labels) */
    SEG_KIND_HOST,       /* this host's own network namespace */
    SEG_KIND_EXTERNAL,   /* addresses no local workload owns, per /24 */
} seg_kind;

const char *seg_mode_name(seg_mode m);
int seg_mode_parse(const char *s, seg_mode *out);  /* 0 ok, -1 unknown */
const char *seg_kind_name(seg_kind k);
int seg_kind_parse(const char *s, seg_kind *out);
const char *seg_proto_name(uint8_t proto);          /* "tcp", "udp", "?" */
int seg_proto_parse(const char *s, uint8_t *out);

typedef struct seg_group {
    char name[SEG_NAME_MAX];       /* identity, stable across restarts */
    seg_kind kind;
    char ns[64];                   /* Kubernetes namespace ("default") */
    char labels[SEG_LABELS_MAX];   /* "app=web,tier=front", sorted */
    char image[256];               /* container image, if any */
    seg_mode mode;
    int quarantined;
    char qallow[256];              /* addresses kept reachable in quarantine */
    uint32_t addrs[SEG_MAX_ADDRS]; /* IPv4, network byte order */
    size_t naddrs;
    int64_t created, last_new;     /* unix seconds: first seen, last new flow */
    char listening[128];           /* "tcp/22,tcp/8080": listening sockets seen */
    int dirty;                     /* changed since loaded/saved */
} seg_group;

typedef struct seg_flow {
    uint32_t src, dst;             /* group indexes */
    uint16_t dport;
    uint8_t proto;
    uint64_t count;
    int64_t first_seen, last_seen; /* unix seconds */
    char procs[SEG_PROCS_MAX];
    int dirty;
} seg_flow;

/* ---- graph ---- */
typedef struct seg_graph seg_graph;

seg_graph *seg_graph_new(size_t max_groups, size_t max_flows);
void seg_graph_free(seg_graph *g);
/* Find or add the group called name: 1 added, 0 found, -1 table full (the
 * refusal is counted) or out of memory. *idx is set on 0 and 1. */
int seg_graph_group(seg_graph *g, const char *name, seg_kind kind, uint32_t *idx);
int seg_graph_find_group(const seg_graph *g, const char *name, uint32_t *idx); /* 0 / -1 */
seg_group *seg_graph_group_at(seg_graph *g, uint32_t idx);
size_t seg_graph_ngroups(const seg_graph *g);
/* Give group idx the address (IPv4, network order); the address map then
 * resolves it to the group. -1 when the group has SEG_MAX_ADDRS already. */
int seg_graph_add_addr(seg_graph *g, uint32_t idx, uint32_t addr);
int seg_graph_addr_group(const seg_graph *g, uint32_t addr, uint32_t *idx); /* 0 / -1 */
/* Note a listening socket of the group ("tcp/8080"); bounded, 0 when noted
 * (or already known), -1 when the list is full. */
int seg_group_listen(seg_group *gr, uint8_t proto, uint16_t port);
/* Count one or more connections: 1 new flow, 0 known flow, -1 table full
 * (counted in seg_graph_refused) or out of memory. proc may be NULL. */
int seg_graph_flow_add(seg_graph *g, uint32_t src, uint32_t dst, uint8_t proto, uint16_t dport,
                       uint64_t count, int64_t when, const char *proc);
seg_flow *seg_graph_flow_find(seg_graph *g, uint32_t src, uint32_t dst, uint8_t proto,
                              uint16_t dport);
seg_flow *seg_graph_flow_at(seg_graph *g, size_t i);
size_t seg_graph_nflows(const seg_graph *g);
uint64_t seg_graph_refused(const seg_graph *g);
/* Sort flows by (src name, dst name, proto, port): stable output. */
void seg_graph_sort_flows(seg_graph *g);
/* The graph as JSON text (flows sorted first): {"groups": [...], "flows":
 * [...]} and a newline, as `comb segment graph -f json` prints it; malloc'd,
 * its length in *len. */
char *seg_graph_json(seg_graph *g, size_t *len, comb_err *err);
/* The external group of an address not owned by a workload: "ext:a.b.c.0/24". */
void seg_external_name(uint32_t addr, char *out, size_t size);

/* ---- imported flow files (text, untrusted) ----
 *   # comment
 *   group NAME [kind=K] [ns=N] [labels=k=v,k=v] [addr=A.B.C.D]... [mode=M]
 *   flow SRC DST PROTO/PORT [count=N]
 * Groups named in a flow line and not declared are added as kind netns. */
#define SEG_FLOWFILE_MAX (256u << 20)
comb_code seg_flowfile_parse(const char *name, const char *buf, size_t len, seg_graph *g,
                             comb_err *err);
/* Canonical label text: "k=v,k=v" sorted, keys/values validated as
 * Kubernetes label syntax; -1 when invalid. */
int seg_labels_canon(const char *in, char *out, size_t size);

/* ---- store ---- */
typedef struct seg_store seg_store;

comb_code seg_store_open(const char *path, seg_store **out, comb_err *err);
void seg_store_close(seg_store *s);
comb_code seg_store_load(seg_store *s, seg_graph *g, comb_err *err);
/* Write the dirty groups and flows in one transaction; clears dirty. */
comb_code seg_store_save(seg_store *s, seg_graph *g, comb_err *err);
/* Re-read modes and quarantine state into g: other comb processes
 * (`comb segment mode`, quarantine) change them while a learner runs. */
comb_code seg_store_sync_modes(seg_store *s, seg_graph *g, comb_err *err);
/* Key/value settings (enforcement netns, family). ENOTFOUND when absent. */
comb_code seg_store_get(seg_store *s, const char *key, char *out, size_t size, comb_err *err);
comb_code seg_store_set(seg_store *s, const char *key, const char *value, comb_err *err);
/* Policy versions: each apply that changes the ruleset records it and the
 * one it replaced; the newest SEG_VERSIONS_KEPT are kept (rollback depth). */
#define SEG_VERSIONS_KEPT 16
comb_code seg_store_version_add(seg_store *s, const char *text, const char *previous,
                                comb_err *err);
/* The newest version (malloc'd texts; previous may be ""), ENOTFOUND when none. */
comb_code seg_store_version_last(seg_store *s, long long *id, char **text, char **previous,
                                 comb_err *err);
comb_code seg_store_version_drop(seg_store *s, long long id, comb_err *err);

/* ---- policy ---- */
typedef enum seg_family { SEG_FAMILY_BRIDGE = 0, SEG_FAMILY_INET } seg_family;
/* The whole nftables table text for the graph: allowed flows of protected
 * groups in one concatenated set, protected and quarantined addresses in
 * sets, a handful of rules. NULL when out of memory. */
char *seg_policy_nft(seg_graph *g, seg_family fam);
/* Kubernetes NetworkPolicy documents (YAML, "---" separated), one per
 * workload group with labels: ingress and egress exactly as observed,
 * peers with the same ports merged, DNS egress allowed. */
char *seg_policy_k8s(seg_graph *g);
/* Lines of b not in a ("+ ...") and of a not in b ("- ..."): what applying
 * b over a would change. NULL when out of memory. */
char *seg_policy_diff(const char *a, const char *b);

/* ---- nftables (libnftables) ---- */
/* Replace comb's table by text in the named network namespace
 * (/run/netns/NAME; NULL: this one), atomically: one transaction ("" removes
 * the table). previous: the text applied last (NULL: unknown); when only set
 * elements differ, the transaction adds and deletes just those elements,
 * else (or when that fails: the table was changed behind comb's back) it
 * replaces the whole table. On failure nothing changed (the kernel refuses
 * the whole batch). */
comb_code seg_nft_apply(const char *netns, seg_family fam, const char *text,
                        const char *previous, comb_err *err);
/* The incremental transaction for previous -> text (malloc'd; "" when
 * nothing changes), or NULL when the tables differ beyond set elements or
 * memory ran out. Exposed for tests. */
char *seg_nft_delta(seg_family fam, const char *previous, const char *text);

/* ---- enforcement (store + nft) ---- */
/* Generate from the graph, apply in netns (NULL: the one remembered from the
 * last apply; none: nothing applied, *applied = 0), record the version. */
comb_code seg_enforce(seg_store *s, seg_graph *g, const char *netns, int *applied,
                      comb_err *err);
/* Restore the ruleset the newest version replaced. */
comb_code seg_rollback(seg_store *s, comb_err *err);
/* Quarantine (on=1) or release (on=0) the workload: all its traffic is cut
 * except to/from the allow addresses (comma list, may be NULL). Enforced at
 * once when an enforcement point is known. The response action of
 * `comb watch` can call this. */
comb_code seg_quarantine(seg_store *s, const char *workload, int on, const char *allow,
                         comb_err *err);

/* ---- identity ---- */
typedef struct seg_netns {
    uint64_t cookie;
    uint64_t inode;
    char name[SEG_NAME_MAX];
    seg_kind kind;
    char labels[SEG_LABELS_MAX];
    char image[256];
    uint32_t addrs[SEG_MAX_ADDRS];
    size_t naddrs;
} seg_netns;

typedef struct seg_ident seg_ident;
/* netns_dir: "/run/netns" (NULL: that); proc: "/proc". Single-threaded
 * callers only (it enters namespaces with setns to read their addresses). */
comb_code seg_ident_new(const char *netns_dir, seg_ident **out, comb_err *err);
void seg_ident_free(seg_ident *id);
/* Re-read the namespaces now. */
comb_code seg_ident_refresh(seg_ident *id, comb_err *err);
/* The namespace with this cookie; refreshes (at most every 200 ms) on a miss. */
const seg_netns *seg_ident_cookie(seg_ident *id, uint64_t cookie);
const seg_netns *seg_ident_addr(seg_ident *id, uint32_t addr);
/* The name a group gets from a namespace: netns name, container name, pod
 * "namespace/name", "host". */

/* ---- learner (eBPF) ---- */
typedef struct seg_learner seg_learner;
typedef struct seg_counters {
    uint64_t records, drops, udp_dedup;
} seg_counters;
struct seg_record;
typedef int (*seg_record_fn)(void *ud, const struct seg_record *r);
comb_code seg_learner_open(uint64_t ring_bytes, seg_learner **out, comb_err *err);
comb_code seg_learner_poll(seg_learner *l, int timeout_ms, seg_record_fn fn, void *ud,
                           comb_err *err);
comb_code seg_learner_counters(seg_learner *l, seg_counters *c, comb_err *err);
int seg_learner_udp(const seg_learner *l); /* 1 when the UDP hooks attached */
void seg_learner_close(seg_learner *l);

/* ---- run: learn / monitor / protect per group ---- */
typedef struct seg_run_stats {
    uint64_t records, connects, accepts, listens, udp;
    uint64_t new_flows, known, violations, ignored; /* refusals: seg_graph_refused */
    seg_counters kernel;
} seg_run_stats;

typedef struct seg_alert {
    int64_t ts_ns;                 /* CLOCK_REALTIME */
    const seg_group *src, *dst;
    uint32_t saddr, daddr;
    uint16_t dport;
    uint8_t proto;
    int blocked;                   /* protect mode: nftables dropped it */
    uint32_t pid;
    const char *comm;
} seg_alert;

/* Falco's JSON alert (time, rule, priority, source, hostname, output,
 * output_fields, tags) for a violation; NULL when out of memory. */
char *seg_alert_json(const seg_alert *a, const char *hostname);

typedef int (*seg_alert_fn)(void *ud, const seg_alert *a);
typedef struct seg_runner seg_runner;
/* promote_after: seconds without a new flow after which a learning group
 * becomes monitored (0: never). */
comb_code seg_runner_new(seg_graph *g, seg_ident *id, int64_t promote_after, seg_runner **out,
                         comb_err *err);
void seg_runner_free(seg_runner *r);
/* Feed one record; alerts go to fn. */
int seg_runner_record(seg_runner *r, const struct seg_record *rec, seg_alert_fn fn, void *ud);
/* Auto-promotion check; returns the number of groups promoted. */
size_t seg_runner_promote(seg_runner *r, int64_t now);
const seg_run_stats *seg_runner_stats(const seg_runner *r);

#endif
