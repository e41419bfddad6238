/* rules.h - compliance checks as data: the model and the YAML loader.
 *
 * One YAML file describes one benchmark (docker, containerd, podman,
 * k8s-node, host, containers):
 *
 *   benchmark: docker
 *   title: ...
 *   applies: ITEM            # the component; absent -> all NOT-APPLICABLE
 *   sections: [{id: "2", title: Docker daemon configuration}]
 *   checks:
 *     - id: docker-2.2        # unique over all benchmarks
 *       ref: CIS Docker 2.2   # the benchmark item it maps to
 *       section: "2"
 *       title: ...
 *       level: 1              # 1 or 2
 *       scored: true          # counts in the score (default true)
 *       manual: false         # a person must judge: always WARN
 *       when: ITEM            # optional: NOT-APPLICABLE unless it passes
 *       audit: ITEM
 *       remediation: the concrete fix
 *
 * An ITEM is {any: [ITEM...]} or {all: [ITEM...]}, or one source with a
 * test, e.g. {config: /etc/docker/daemon.json, format: json, key: icc,
 * op: eq, value: "false", default: "true"}. Sources: file, config, flag,
 * sysctl, content, audit_watch, mount, process, container, image (see
 * docs/COMPLIANCE.md). Ops: eq noteq gt gte lt lte has nothave regex
 * bitmask present absent.
 */
#ifndef COMB_COMPLIANCE_RULES_H
#define COMB_COMPLIANCE_RULES_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stddef.h>

#include "compliance/confread.h"
#include "core/arena.h"
#include "core/error.h"

#define COMB_RULES_MAX_FILE (1u << 20)
#define COMB_RULES_MAX_CHECKS 2000
#define COMB_RULES_MAX_ITEMS 64     /* children of one any/all */
#define COMB_RULES_MAX_DEPTH 6      /* nesting of any/all */
#define COMB_RULES_MAX_PATHS 16     /* candidate paths of one item */

typedef enum comb_bench_status {
    COMB_BENCH_PASS,
    COMB_BENCH_FAIL,
    COMB_BENCH_WARN, /* manual: a person must judge */
    COMB_BENCH_NA,   /* the component or the input is absent */
    COMB_BENCH_ERROR /* could not evaluate; the reason says why */
} comb_bench_status;
#define COMB_BENCH_NSTATUS 5

const char *comb_bench_status_name(comb_bench_status s); /* "PASS", ..., "NOT-APPLICABLE" */

typedef enum comb_bench_source {
    COMB_SRC_ANY,         /* children: one must pass */
    COMB_SRC_ALL,         /* children: all must pass */
    COMB_SRC_FILE,        /* property of a file: exists, mode, owner, type */
    COMB_SRC_CONFIG,      /* a key in a config file */
    COMB_SRC_FLAG,        /* a flag of a daemon (running process, else its unit) */
    COMB_SRC_SYSCTL,      /* a kernel parameter (live), or its configured value (--root) */
    COMB_SRC_CONTENT,     /* a whole (small) file, trimmed */
    COMB_SRC_AUDIT_WATCH, /* auditd rules watch a path */
    COMB_SRC_MOUNT,       /* a path is a mount point; its options */
    COMB_SRC_PROCESS,     /* a process runs (live only) */
    COMB_SRC_CONTAINER,   /* a field of the container being checked */
    COMB_SRC_IMAGE        /* a field of the image being checked */
} comb_bench_source;

typedef enum comb_bench_op {
    COMB_OP_PRESENT, COMB_OP_ABSENT, COMB_OP_EQ, COMB_OP_NOTEQ, COMB_OP_GT, COMB_OP_GTE,
    COMB_OP_LT, COMB_OP_LTE, COMB_OP_HAS, COMB_OP_NOTHAVE, COMB_OP_REGEX, COMB_OP_BITMASK
} comb_bench_op;

typedef struct comb_bench_item comb_bench_item;
struct comb_bench_item {
    comb_bench_source source;
    comb_bench_item **kids;      /* any/all */
    size_t nkids;
    const char *paths[COMB_RULES_MAX_PATHS]; /* file/config/content/mount/audit path(s);
                                                the first that exists is used */
    size_t npaths;
    const char *name;            /* flag: process name; sysctl key; container field;
                                    process name */
    const char *flag;            /* flag: "--icc" */
    const char *key;             /* config: key path; file: property */
    comb_conf_format format;     /* config */
    int live;                    /* content: only readable on the live host */
    comb_bench_op op;
    const char *value;           /* expected */
    const char *dflt;            /* value when the key/flag is not set */
    comb_bench_status missing;   /* status when the value is absent and no default */
    int missing_set;             /* the rule chose it (it then wins over absent/noteq) */
    pcre2_code *re;              /* op regex (freed by comb_bench_rules_free) */
    comb_bench_item *path_from;  /* config: a flag item naming the file (kubelet --config),
                                    tried before the candidate paths */
};

typedef struct comb_bench_section {
    const char *id, *title;
} comb_bench_section;

typedef struct comb_bench_set comb_bench_set;

typedef struct comb_bench_check {
    const comb_bench_set *set;
    const char *id, *ref, *section, *title, *description, *remediation;
    int level, scored, manual;
    int per_container;            /* the audit uses container fields: run per container */
    int per_image;                /* the audit uses image fields: run per image */
    comb_bench_item *when, *audit;
} comb_bench_check;

struct comb_bench_set {
    const char *name, *title, *file;
    comb_bench_item *applies;
    comb_bench_section *sections;
    size_t nsections;
    comb_bench_check *checks;
    size_t nchecks;
};

typedef struct comb_bench_rules {
    comb_arena arena;
    comb_bench_set *sets;
    size_t nsets;
    pcre2_code **regexes; /* every compiled regex, to free */
    size_t nregexes, capregexes;
} comb_bench_rules;

void comb_bench_rules_init(comb_bench_rules *r);
void comb_bench_rules_free(comb_bench_rules *r);

/* Add the benchmark in one YAML document; `name` names it in errors. Check
 * ids must be unique over everything loaded. */
comb_code comb_bench_rules_load(comb_bench_rules *r, const char *name, const char *data,
                                size_t len, comb_err *err);

/* Load every built-in benchmark (rules/compliance/ *.yaml). */
comb_code comb_bench_rules_builtin(comb_bench_rules *r, comb_err *err);

const comb_bench_check *comb_bench_rules_find(const comb_bench_rules *r, const char *id);

#endif
