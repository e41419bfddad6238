/* bench.h - `comb bench`: evaluate compliance benchmarks on a host.
 *
 * The built-in benchmarks (rules/compliance/ *.yaml, see rules.h) are run
 * against the live host or, with a root directory, against a mounted host
 * or image root: every file is then read inside that root (fsroot.h) and
 * checks that need the running system (processes, /proc/sys) become
 * NOT-APPLICABLE. Container checks run once per container found
 * (containers.h).
 */
#ifndef COMB_COMPLIANCE_BENCH_H
#define COMB_COMPLIANCE_BENCH_H

#include <stddef.h>

#include "compliance/rules.h"
#include "core/error.h"

typedef struct comb_bench_opts {
    const char *root;                 /* NULL: the live host */
    const char *const *targets;       /* benchmark names, or "all"; none = all */
    size_t ntargets;
    const char *const *only;          /* --check: ids or fnmatch patterns */
    size_t nonly;
    const char *const *skip;          /* --skip */
    size_t nskip;
    const char *const *podman_roots;  /* extra podman storage roots (inside root) */
    size_t npodman_roots;
    const char *rules_dir;            /* extra rule files (*.yaml) on disk, or NULL */
} comb_bench_opts;

typedef struct comb_bench_result {
    const comb_bench_check *check;
    char *target;          /* "engine/name" of the container, NULL for host checks */
    comb_bench_status status;
    char *reason;          /* the evidence, or why it could not be evaluated */
    char *file;            /* the file the result is about, or NULL */
    char *remediation;     /* the check's fix with "{file}" replaced by that file */
} comb_bench_result;

typedef struct comb_bench_counts {
    size_t n[COMB_BENCH_NSTATUS];
} comb_bench_counts;

/* A container the checks ran on: where it was found. */
typedef struct comb_bench_container {
    char *engine, *id, *name, *image, *state, *config;
} comb_bench_container;

typedef struct comb_bench_report {
    comb_bench_rules rules;
    const comb_bench_set **sets;  /* the benchmarks run, in order */
    size_t nsets;
    comb_bench_result *results;
    size_t nresults, capresults;
    char *root;                   /* "/" when live */
    int live;
    char hostname[256];
    char started[32];             /* RFC 3339 UTC */
    comb_bench_container *containers;
    size_t ncontainers;
    size_t nimages;               /* images the image checks ran on */
    char **warnings;
    size_t nwarnings;
} comb_bench_report;

/* The benchmark names comb knows, for usage messages. */
extern const char *const comb_bench_targets[];

comb_code comb_bench_run(const comb_bench_opts *o, comb_bench_report **out, comb_err *err);
void comb_bench_report_free(comb_bench_report *r);

/* Counts of results of one benchmark (and one section when section is not
 * NULL); set NULL counts everything. */
comb_bench_counts comb_bench_count(const comb_bench_report *r, const comb_bench_set *set,
                                   const char *section);

/* Score in percent: scored PASS / (scored PASS + FAIL); -1 when nothing scored. */
double comb_bench_score(const comb_bench_report *r, const comb_bench_set *set, const char *section);

#endif
