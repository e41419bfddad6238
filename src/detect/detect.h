/* detect.h - findings that are not known vulnerabilities: secrets, malware
 * and risky configuration inside an image.
 *
 * A detector rides on the inventory walk (sbom/inventory.h content hooks):
 * every layer's files go through the content scanners as the layer streams
 * by, so a secret added in one layer and deleted in a later one is still
 * found (it stays in the image's history) and marked `removed`. After the
 * walk, comb_detector_finish() resolves layers, runs the image-config and
 * final-filesystem checks, and hands back sorted detections.
 *
 * Library code: no printing. Scanner problems on one file (a YARA timeout, an
 * unreadable encoding) become warnings, never a failed scan.
 */
#ifndef COMB_DETECT_DETECT_H
#define COMB_DETECT_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/arena.h"
#include "core/error.h"
#include "sbom/inventory.h"
#include "vuln/finding.h"

/* "vuln,secret" -> COMB_SCANNER_* mask (vuln/finding.h); 0 on success. */
int comb_scanners_parse(const char *list, unsigned *mask, comb_err *err);

typedef enum comb_detect_kind {
    COMB_DETECT_SECRET,
    COMB_DETECT_MALWARE,
    COMB_DETECT_CONFIG,
} comb_detect_kind;

const char *comb_detect_kind_name(comb_detect_kind k); /* "secret", "malware", "config" */

typedef struct comb_detection {
    comb_detect_kind kind;
    const char *rule_id;       /* secret rule, YARA rule or ClamAV signature, check id */
    const char *title;
    const char *category;      /* secret family ("AWS"), malware category ("webshell"), check group */
    comb_severity severity;
    const char *engine;        /* "comb-secret", "yara", "clamav", "comb-config" */
    const char *path;          /* file in the image, no leading '/'; NULL for image-level checks */
    const char *location;      /* config findings: "config.User", "history[3]", "Dockerfile:12" */
    uint32_t line, col;        /* 1-based; 0 when not applicable */
    const char *match;         /* redacted secret, or matched strings (truncated, escaped) */
    const char *snippet;       /* redacted line around a secret */
    const char *message;       /* specific explanation (never a secret value) */
    const char *fix;           /* concrete remediation */
    const char *layer_digest;  /* layer that holds the file (NULL for a rootfs / image-level) */
    const char *layer_diff_id;
    int layer_index;           /* 0 = bottom; -1 unknown */
    const char *created_by;    /* that layer's history line, when known */
    int removed;               /* the file is gone from the final filesystem */
} comb_detection;

typedef struct comb_detect_opts {
    unsigned scanners;             /* COMB_SCANNER_* (VULN is ignored here) */
    const char *secret_config;     /* --secret-config FILE */
    uint64_t secret_max_file_size; /* 0: the scanner's default */
    const char *yara_rules;        /* --yara-rules DIR */
    const char *clamav_db;         /* --clamav-db DIR */
    uint64_t malware_max_file_size;
    int max_age_days;              /* image age check; 0: default */
    time_t now;                    /* 0: time(NULL) */
} comb_detect_opts;

typedef struct comb_detector comb_detector;

/* Loads every selected scanner's rules (errors name the rule file). */
comb_code comb_detector_new(const comb_detect_opts *o, comb_detector **out, comb_err *err);
/* The hooks to put in comb_sbom_opts.content (valid while d lives). */
const comb_content_hooks *comb_detector_hooks(comb_detector *d);
/* After comb_inventory_build() with the hooks: layer attribution, image
 * config and filesystem checks. Detections and warnings are copied into
 * arena `a`; *out is sorted by kind, severity (highest first), path, line. */
comb_code comb_detector_finish(comb_detector *d, const comb_inventory *inv, comb_arena *a,
                               comb_detection ***out, size_t *n, const char ***warnings,
                               size_t *nwarnings, comb_err *err);
void comb_detector_free(comb_detector *d);

/* Number of files whose content went through the content scanners. */
uint64_t comb_detector_files_scanned(const comb_detector *d);

#endif
