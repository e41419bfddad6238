/* eval.h - evaluating one audit item against a host (internal to
 * compliance/). The context caches what several checks read: parsed config
 * files, the process table, audit rules, mounts, users and groups. */
#ifndef COMB_COMPLIANCE_EVAL_H
#define COMB_COMPLIANCE_EVAL_H

#include <jansson.h>

#include "compliance/containers.h"
#include "compliance/fsroot.h"
#include "compliance/procs.h"
#include "compliance/rules.h"

#define COMB_EVAL_MAX_EVIDENCE 2048

typedef struct comb_eval_cached {
    char *path;
    json_t *doc;     /* NULL: absent or error */
    int missing;     /* the file does not exist */
    char *error;     /* why it could not be read */
} comb_eval_cached;

typedef struct comb_eval_ctx {
    const comb_fsroot *fs;
    const comb_container *container; /* the container or image being checked */
    comb_eval_cached *files;
    size_t nfiles, capfiles;
    comb_procs procs;                /* live host only */
    char *audit_rules;               /* all rule files, concatenated; NULL: none */
    int audit_loaded;
    char *mounts;                    /* mountinfo (live) or fstab (--root) */
    int mounts_loaded, mounts_fstab;
    json_t *sysctl_conf;             /* --root: the configured kernel parameters */
    int sysctl_loaded;
    json_t *users, *groups;          /* id (string) -> name */
    /* the file the current check is about (the first failing one, else the
     * first read): the result names it and "{file}" in its fix becomes it */
    char file[4096];
    int file_failing;
} comb_eval_ctx;

void comb_eval_init(comb_eval_ctx *c, const comb_fsroot *fs);
void comb_eval_free(comb_eval_ctx *c);

/* Evaluate an item; append a human-readable account to `ev` (at most
 * COMB_EVAL_MAX_EVIDENCE bytes, NUL-terminated). */
comb_bench_status comb_eval_item(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                 size_t evsz);

/* Compare a value (text, or a JSON array for has/nothave) with an item's
 * test; for unit tests and fuzzing. PASS or FAIL. */
comb_bench_status comb_eval_compare(const comb_bench_item *it, const json_t *value);


#endif
