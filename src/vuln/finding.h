/* finding.h - the result of `comb scan`: an inventory plus the known
 * vulnerabilities of its packages. Produced by vuln/scan.c (matcher),
 * read by the scan reporters (report/scan_*.c), which never re-match. */
#ifndef COMB_VULN_FINDING_H
#define COMB_VULN_FINDING_H

#include <stddef.h>

#include "sbom/inventory.h"
#include "vuln/vulndb.h"

typedef enum comb_severity {
    COMB_SEV_UNKNOWN = 0,
    COMB_SEV_NEGLIGIBLE,
    COMB_SEV_LOW,
    COMB_SEV_MEDIUM,
    COMB_SEV_HIGH,
    COMB_SEV_CRITICAL,
} comb_severity;

/* Scanner selection (`comb scan --scanners vuln,secret,malware,config`). */
enum {
    COMB_SCANNER_VULN = 1u << 0,
    COMB_SCANNER_SECRET = 1u << 1,
    COMB_SCANNER_MALWARE = 1u << 2,
    COMB_SCANNER_CONFIG = 1u << 3,
    COMB_SCANNER_ALL = 0xfu,
};

typedef struct comb_finding {
    const char *vuln_id;          /* the record's primary id (CVE-... preferred when known) */
    const char *const *aliases;   /* every other id of the same vulnerability, merged */
    size_t naliases;
    const comb_pkg *pkg;          /* the inventory package (name, version, purl, layer, found_in) */
    const char *matched_name;     /* the name looked up (source package for distros) */
    const char *ecosystem;        /* vulndb ecosystem key used */
    const char *const *fixed_versions; /* lowest first; empty when there is no fix */
    size_t nfixed;
    comb_fix_state state;         /* fixed / not fixed / will not fix */
    comb_severity severity;
    const char *severity_source;  /* "debian", "alpine", "cvss_v3", "ghsa", ... */
    const char *cvss_v3, *cvss_v4;/* vector strings, NULL when unknown */
    double cvss_v3_score, cvss_v4_score; /* computed from the vectors; < 0 when unknown */
    const char *title, *description, *url;
    const char *data_source;      /* "osv", "alpine-secdb", "debian-tracker" */
    int suppressed;               /* by --ignore or a VEX statement: reported only on request */
    const char *suppressed_by;    /* "ignore file: reason" or "vex: not_affected (justification)" */
} comb_finding;

typedef struct comb_scan_result {
    comb_arena arena;             /* owns findings and their strings */
    comb_inventory *inv;          /* the scanned inventory (owned) */
    comb_finding **findings;      /* sorted: severity desc, package, id */
    size_t nfindings;
    const char *db_path, *db_built;
    int db_stale;                 /* the database is older than the warning age */
    const char **warnings;
    size_t nwarnings;
    /* Everything that is not a known vulnerability (detect/detect.h). */
    unsigned scanners;            /* COMB_SCANNER_* that ran */
    struct comb_detection **detections; /* sorted: kind, severity desc, path, line */
    size_t ndetections;
    uint64_t files_scanned;       /* files read by the content scanners */
} comb_scan_result;

const char *comb_severity_name(comb_severity s);   /* "CRITICAL", ..., "UNKNOWN" */
int comb_severity_parse(const char *s, comb_severity *out); /* case-insensitive; 0 ok */

#endif
