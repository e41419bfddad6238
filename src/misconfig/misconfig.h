/* misconfig.h - configuration checks of images, their filesystems and
 * Dockerfiles.
 *
 * Every check comb knows is one row of a catalogue (comb_misconfig_checks):
 * a stable id ("CMB-DF-001"), a title, a severity, what it applies to, and
 * the concrete fix. Checks append findings to a comb_mc_list; a finding
 * names the place (Dockerfile line, config field, file path) and never
 * contains a secret's value.
 *
 * Inputs are attacker-controlled: every size and count is bounded, and each
 * check keeps at most COMB_MC_MAX_PER_CHECK findings (the rest are counted
 * in `dropped`). See docs/MISCONFIG.md for the list of checks.
 */
#ifndef COMB_MISCONFIG_MISCONFIG_H
#define COMB_MISCONFIG_MISCONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/error.h"

typedef enum comb_mc_severity {
    COMB_MC_INFO = 0,
    COMB_MC_LOW,
    COMB_MC_MEDIUM,
    COMB_MC_HIGH,
    COMB_MC_CRITICAL,
} comb_mc_severity;

/* What a check looks at (bit set). */
enum {
    COMB_MC_ON_IMAGE = 1,      /* the image config and history */
    COMB_MC_ON_DOCKERFILE = 2,
    COMB_MC_ON_FILES = 4,      /* the final filesystem */
};

typedef struct comb_mc_check {
    const char *id;            /* "CMB-IMG-001", never reused */
    const char *title;
    comb_mc_severity severity;
    unsigned applies;          /* COMB_MC_ON_* */
    const char *fix;           /* the instruction or command to change */
} comb_mc_check;

/* The catalogue, in id order. */
const comb_mc_check *comb_misconfig_checks(size_t *n);
/* The check called `id` (case-insensitive), or NULL. */
const comb_mc_check *comb_misconfig_check_find(const char *id);

const char *comb_mc_severity_name(comb_mc_severity s); /* "HIGH", ... */
int comb_mc_severity_parse(const char *s, comb_mc_severity *out); /* 0 ok */

typedef struct comb_mc_finding {
    const comb_mc_check *check; /* id, title, severity, fix */
    const char *message;        /* specific; never a secret value */
    const char *location;       /* "Dockerfile:12", "config.User", "usr/bin/passwd" */
    unsigned line;              /* Dockerfile line, 0 otherwise */
} comb_mc_finding;

#define COMB_MC_MAX_PER_CHECK 100

typedef struct comb_mc_list {
    comb_arena arena;           /* messages and locations */
    comb_mc_finding *items;
    size_t n, cap;
    size_t dropped;             /* findings over the per-check bound */
    unsigned *per_check;        /* counts, indexed like the catalogue */
} comb_mc_list;

void comb_mc_list_init(comb_mc_list *l);
void comb_mc_list_free(comb_mc_list *l);
/* Append a finding of check `id` with a printf message; COMB_ENOMEM or
 * COMB_EINVAL (unknown id). Over the per-check bound it only counts. */
comb_code comb_mc_add(comb_mc_list *l, const char *id, const char *location, unsigned line,
                      comb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Keep only findings whose severity bit (1u << severity) is in `severities`
 * (0 keeps all) and whose id is not in skip[0..nskip). */
void comb_mc_filter(comb_mc_list *l, unsigned severities, const char *const *skip, size_t nskip);
/* Stable order: severity descending, then line, location, id. */
void comb_mc_sort(comb_mc_list *l);

/* ---- image config and history ---- */

#define COMB_MC_DEFAULT_MAX_AGE_DAYS 365
#define COMB_MC_EOL_WARN_DAYS 90
#define COMB_MC_MAX_CONFIG (4u << 20)  /* bytes of config JSON */

typedef struct comb_mc_image_ctx {
    const char *name;          /* image reference ("debian:12"), for the tag check; NULL: skip */
    const char *os_id;         /* os-release ID and VERSION_ID (sbom/inventory.h); NULL: skip EOL */
    const char *os_version_id;
    time_t now;                /* 0: time(NULL); injectable for tests */
    unsigned max_age_days;     /* 0: COMB_MC_DEFAULT_MAX_AGE_DAYS */
} comb_mc_image_ctx;

/* Check the raw image config (OCI/Docker config JSON: config.User, Env,
 * ExposedPorts, Healthcheck, Labels, history[].created_by, created), and
 * the OS release in ctx. COMB_EFORMAT when it is not a JSON object. */
comb_code comb_misconfig_image(const char *config_json, size_t len, const comb_mc_image_ctx *ctx,
                               comb_mc_list *out, comb_err *err);

/* End-of-life checks of an OS release alone (used by comb_misconfig_image;
 * `location` names where the release came from, e.g. "etc/os-release"). */
comb_code comb_misconfig_os(const char *os_id, const char *version_id, time_t now,
                            const char *location, comb_mc_list *out, comb_err *err);

/* ---- final filesystem, fed one entry at a time ---- */

typedef struct comb_mc_fs comb_mc_fs;

#define COMB_MC_FS_MAX_LISTED 25   /* paths listed per filesystem check */

comb_code comb_misconfig_fs_new(comb_mc_fs **out, comb_err *err);
/* One entry of the final filesystem: path without a leading '/', st_mode
 * bits (type and permissions, S_ISUID/S_ISGID/S_ISVTX), owner, size.
 * Memory stays bounded whatever the number of entries. */
void comb_misconfig_fs_add(comb_mc_fs *fs, const char *path, uint32_t mode, uint32_t uid,
                           uint32_t gid, uint64_t size);
/* Append the findings and free fs. */
comb_code comb_misconfig_fs_finish(comb_mc_fs *fs, comb_mc_list *out, comb_err *err);
void comb_misconfig_fs_free(comb_mc_fs *fs);

/* ---- end-of-life table (rules/misconfig/eol.yaml) ---- */

typedef struct comb_eol_info {
    const char *os_id;         /* table id: "debian" */
    const char *os_name;       /* "Debian" */
    const char *release;       /* the matched release: "3.19" for "3.19.1" */
    const char *codename;      /* or NULL */
    const char *eol;           /* "YYYY-MM-DD": end of standard security support */
    const char *lts;           /* end of free long-term security updates, or NULL */
    const char *paid;          /* end of paid extended support (ESM, ELS, LTSS), or NULL */
} comb_eol_info;

/* 1 and *out when the release is in the table, 0 when it is not, -1 when
 * the built-in table cannot be read (a build defect). Thread-safe. */
int comb_eol_lookup(const char *os_id, const char *version_id, comb_eol_info *out);

/* ---- Dockerfile checks (parser in misconfig/dockerfile.h) ---- */

typedef struct comb_dockerfile comb_dockerfile;
comb_code comb_misconfig_dockerfile(const comb_dockerfile *df, comb_mc_list *out, comb_err *err);

#endif
