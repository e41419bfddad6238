/* scan.h - `comb scan`: match an inventory against the vulnerability
 * database and produce findings (vuln/finding.h).
 *
 * Packages map to (ecosystem key, lookup name, version):
 *   dpkg (Debian, Ubuntu)  "debian:12" / "ubuntu:22.04", source package name,
 *                          source version (advisories name source versions)
 *   apk                    "alpine:3.10" (from VERSION_ID 3.10.3), origin, version
 *   rpm                    "<distro>:<major>", binary name, "E:V-R" (epoch > 0)
 *   python                 "pypi", PEP 503 name;  npm "npm", name as is
 *   go / go stdlib         "go", module path / "stdlib", version without "v"/"go"
 *   cargo "crates.io", maven "maven" group:artifact, gem "rubygems",
 *   composer "packagist" vendor/name
 * Records of one vulnerability (same id or linked by aliases) matched for
 * one package become one finding. Library code: no printing.
 */
#ifndef COMB_VULN_SCAN_H
#define COMB_VULN_SCAN_H

#include <time.h>

#include "sbom/inventory.h"
#include "vuln/finding.h"
#include "vuln/vulndb.h"

typedef struct comb_scan_opts {
    unsigned severities;     /* bit (1u << comb_severity) per kept severity; 0 = all */
    int ignore_unfixed;      /* drop findings with no fixed version */
    const char *ignore_file; /* YAML or plain-text ignore list, NULL for none */
    const char *vex_file;    /* OpenVEX or CycloneDX VEX JSON, NULL for none */
    time_t now;              /* 0 = time(NULL); for expiry dates and database age */
    int stale_days;          /* database age that sets db_stale; 0 = 7 */
    const char *db_path;     /* copied into the result for reporting */
} comb_scan_opts;

/* Match `inv` (ownership passes to the result, or is freed on failure).
 * db may be NULL: the result then lists no vulnerabilities (scanners other
 * than vuln were asked for). */
comb_code comb_scan_inventory(comb_inventory *inv, comb_vulndb *db, const comb_scan_opts *opts,
                              comb_scan_result **out, comb_err *err);

/* Build the inventory of TARGET (anything `comb sbom` takes, or a CycloneDX
 * / SPDX JSON SBOM file) and match it. */
comb_code comb_scan_build(const char *target, const comb_sbom_opts *sopts, comb_vulndb *db,
                          const comb_scan_opts *opts, comb_scan_result **out, comb_err *err);

void comb_scan_result_free(comb_scan_result *r);
/* 1 if TARGET is a regular file holding JSON (an SBOM to import). */
int comb_scan_target_is_sbom(const char *target);

/* The database ecosystem key, lookup name and version to compare for one
 * package; 0 on success, -1 when the package cannot be matched (*why set). */
int comb_scan_key(comb_arena *a, const comb_os *os, const comb_pkg *p, const char **ecosystem,
                  const char **name, const char **version, const char **why);

/* Severity from a distro rating / GHSA text ("unimportant", "moderate", ...). */
comb_severity comb_severity_from_text(const char *s);

/* Count unsuppressed findings whose severity is >= min. */
size_t comb_scan_count_at_least(const comb_scan_result *r, comb_severity min);

#endif
