/* vulndb.h - the local vulnerability database (SQLite).
 *
 * Advisories from every source are stored in one normalised form, indexed
 * for the one query a scan makes: "which affected-package records exist for
 * (ecosystem, package name)?". Ecosystem keys are normalised strings:
 *   distros:   "debian:12", "ubuntu:22.04", "alpine:3.10", "rhel:9",
 *              "rocky:9", "almalinux:9", "suse:15.5", "mariner:2.0", ...
 *              (the release part is the OS's VERSION_ID major for Debian and
 *              RHEL-likes, major.minor for Alpine, Ubuntu and SUSE)
 *   languages: "pypi", "npm", "go", "crates.io", "maven", "rubygems",
 *              "packagist", "nuget"
 * Distro package names are source package names (Debian, Ubuntu, Alpine)
 * or binary names (rpm distros); language names are normalised (PyPI: PEP
 * 503 lower-case with '-'; Maven: "group:artifact"; Go: module path).
 */
#ifndef COMB_VULN_VULNDB_H
#define COMB_VULN_VULNDB_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "vuln/version.h"

typedef struct comb_vulndb comb_vulndb;

typedef enum comb_event_kind {
    COMB_EV_INTRODUCED,
    COMB_EV_FIXED,
    COMB_EV_LAST_AFFECTED,
    COMB_EV_LIMIT,
} comb_event_kind;

typedef struct comb_event {
    comb_event_kind kind;
    const char *version;    /* "0" for introduced means "from the beginning" */
} comb_event;

typedef enum comb_fix_state {
    COMB_FIX_UNKNOWN = 0,
    COMB_FIX_FIXED,         /* a fixed version exists */
    COMB_FIX_NOT_FIXED,     /* affected, no fix yet */
    COMB_FIX_WONT_FIX,      /* the distro will not fix it */
} comb_fix_state;

/* One "this package, in this ecosystem, is affected in these versions". */
typedef struct comb_affected {
    const char *vuln_id;     /* primary id: CVE-..., GHSA-..., GO-..., PYSEC-..., RUSTSEC-... */
    const char *ecosystem;   /* normalised key, see above */
    const char *package;
    comb_vscheme scheme;
    int semver_ranges;       /* events use SemVer ordering (OSV "SEMVER" ranges) */
    const comb_event *events;/* in order, as OSV lists them (possibly several ranges) */
    size_t nevents;
    const char *const *versions; /* explicit affected versions (OSV "versions") */
    size_t nversions;
    comb_fix_state state;
    const char *severity;    /* distro rating ("high", "low", "unimportant"...) */
    const char *source;      /* "osv", "alpine-secdb", "debian-tracker" */
} comb_affected;

typedef struct comb_vuln_info {
    const char *id;
    const char *const *aliases;
    size_t naliases;
    const char *summary;
    const char *details;
    const char *cvss_v3;     /* vector string "CVSS:3.1/AV:N/..." */
    const char *cvss_v4;
    const char *severity;    /* textual severity when no vector is known */
    const char *url;
    const char *published, *modified;
} comb_vuln_info;

typedef struct comb_vulndb_stats {
    uint64_t vulns, affected, packages;
    const char *built;       /* RFC 3339 time of the last import/update */
    const char **sources;    /* "osv:/path (1234 records)" lines */
    size_t nsources;
} comb_vulndb_stats;

/* Default location: $XDG_DATA_HOME/comb/vuln.db (~/.local/share/comb/vuln.db). */
const char *comb_vulndb_default_path(char *buf, size_t n);

comb_code comb_vulndb_open(const char *path, int writable, comb_vulndb **out, comb_err *err);
void comb_vulndb_close(comb_vulndb *db);

/* Every affected record for (ecosystem, package). cb returns nonzero to stop.
 * Strings are valid during the callback only. */
comb_code comb_vulndb_lookup(comb_vulndb *db, const char *ecosystem, const char *package,
                             int (*cb)(void *ud, const comb_affected *a), void *ud,
                             comb_err *err);

/* Details of one vulnerability, strings copied into `a`. COMB_ENOTFOUND if absent. */
comb_code comb_vulndb_vuln(comb_vulndb *db, const char *id, comb_arena *a, comb_vuln_info *out,
                           comb_err *err);

comb_code comb_vulndb_stats_get(comb_vulndb *db, comb_arena *a, comb_vulndb_stats *out,
                                comb_err *err);

/* --- writing (importers) -------------------------------------------------- */
comb_code comb_vulndb_begin(comb_vulndb *db, comb_err *err);
comb_code comb_vulndb_put_vuln(comb_vulndb *db, const comb_vuln_info *v, comb_err *err);
comb_code comb_vulndb_put_affected(comb_vulndb *db, const comb_affected *a, comb_err *err);
comb_code comb_vulndb_commit(comb_vulndb *db, const char *source, comb_err *err);
void comb_vulndb_rollback(comb_vulndb *db);

#endif
