/* import.h - loading advisories into the vulnerability database.
 *
 * comb_import_paths() walks directories (recursively, skipping dot-files),
 * reads zip (and tar) archives with libarchive, parses every .json, .yaml
 * and .yml file and dispatches on its content:
 *   - an OSV record (or an array of them)           -> osv.c
 *   - an Alpine secdb document (distroversion, packages) -> alpine_secdb.c
 *   - the Debian security tracker JSON (package -> CVE -> releases) -> debian_tracker.c
 * Everything happens in one transaction. A malformed file or record is
 * rejected on its own, with a warning naming the file, and the import goes
 * on; only database errors (or out of memory) stop it, and then nothing of
 * the run is kept.
 */
#ifndef COMB_VULN_IMPORT_H
#define COMB_VULN_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/yaml_json.h"
#include "vuln/vulndb.h"

/* Bounds on every input. */
#define COMB_IMPORT_MAX_FILE      (512u << 20) /* one file or archive member */
#define COMB_IMPORT_MAX_ID        128
#define COMB_IMPORT_MAX_NAME      512          /* package or ecosystem name */
#define COMB_IMPORT_MAX_VERSION   256
#define COMB_IMPORT_MAX_SUMMARY   1024         /* kept; longer is truncated */
#define COMB_IMPORT_MAX_DETAILS   4096         /* kept; longer is truncated */
#define COMB_IMPORT_HUGE_FIELD    (256u << 10) /* longer text fields reject the record */
#define COMB_IMPORT_MAX_ALIASES   256
#define COMB_IMPORT_MAX_AFFECTED  4096
#define COMB_IMPORT_MAX_RANGES    64
#define COMB_IMPORT_MAX_EVENTS    1024
#define COMB_IMPORT_MAX_VERSIONS  20000
#define COMB_IMPORT_MAX_DEPTH     COMB_YAML_MAX_DEPTH /* YAML/JSON nesting */
#define COMB_IMPORT_MAX_WARNINGS  1000         /* kept in memory; more are counted */

typedef enum comb_import_kind {
    COMB_IMPORT_AUTO = 0,
    COMB_IMPORT_OSV,
    COMB_IMPORT_SECDB,
    COMB_IMPORT_DEBIAN,
    COMB_IMPORT_KINDS
} comb_import_kind;

typedef struct comb_import_stats {
    uint64_t records[COMB_IMPORT_KINDS]; /* advisories stored, by kind */
    uint64_t affected;                   /* affected rows written */
    uint64_t rejected;                   /* records or files rejected */
    uint64_t withdrawn;                  /* OSV records dropped as withdrawn */
    uint64_t files;                      /* advisory files read */
    uint64_t skipped;                    /* files that are no advisory */
} comb_import_stats;

typedef struct comb_import_opts {
    /* Called for every rejected record or file (file is the path, or
     * "archive.zip:member"). May be NULL. */
    void (*warn)(void *ud, const char *file, const char *msg);
    /* Called after each file. May be NULL. */
    void (*progress)(void *ud, const char *file, uint64_t files_done);
    void *ud;
} comb_import_opts;

typedef struct comb_import_ctx comb_import_ctx;

/* Import every PATH (a file, directory or archive) in one transaction. */
comb_code comb_import_paths(comb_vulndb *db, const char *const *paths, size_t npaths,
                            const comb_import_opts *opts, comb_import_stats *stats,
                            comb_err *err);

/* For the fuzzers and tests: import one buffer (within a transaction the
 * caller opened with comb_vulndb_begin). kind AUTO detects the format;
 * yaml says whether the bytes are YAML (else JSON). Returns COMB_OK when
 * the input was handled (possibly rejected, see stats) and an error only
 * for database failures. */
comb_code comb_import_buffer(comb_vulndb *db, const char *name, const void *data, size_t len,
                             int yaml, comb_import_kind kind, const comb_import_opts *opts,
                             comb_import_stats *stats, comb_err *err);

const char *comb_import_kind_name(comb_import_kind k); /* "osv", "alpine-secdb", ... */

/* --- between the driver and the importers -------------------------------- */

struct comb_import_ctx {
    comb_vulndb *db;
    const comb_import_opts *opts;
    comb_import_stats *stats;
    const char *file;        /* current file name, for messages */
    comb_err *err;           /* set on fatal (database) errors */
};

/* Report a rejected record: counts it and calls the warn callback. */
void comb_import_reject(comb_import_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Each importer: 0 when done (records rejected one by one are reported
 * through comb_import_reject), -1 on a fatal error (c->err set). */
int comb_import_osv(comb_import_ctx *c, json_t *root);
int comb_import_secdb(comb_import_ctx *c, json_t *root);
int comb_import_debian(comb_import_ctx *c, json_t *root);

/* The format a parsed document is in, or AUTO when none. */
comb_import_kind comb_import_detect(json_t *root);

/* Helpers shared by the importers. */
/* The string at obj[key]: NULL when absent or null; sets *bad when present
 * with another type, longer than max or with a NUL or control character
 * (tab and newline allowed only when multiline). */
const char *comb_imp_str(json_t *obj, const char *key, size_t max, int multiline, int *bad);
/* 1 if s is acceptable as a version or id (printable, no spaces, 1..max). */
int comb_imp_token_ok(const char *s, size_t max);
/* Scheme for a normalised ecosystem key ("debian:12" -> DPKG, "pypi" -> PEP440). */
comb_vscheme comb_imp_scheme(const char *eco);

/* --- internal database operations (vulndb.c) ------------------------------ */
comb_code comb_vulndb_note_source(comb_vulndb *db, const char *name, uint64_t records,
                                  uint64_t rejected, comb_err *err);
/* Delete rows of an advisory / of a package written by earlier imports. */
comb_code comb_vulndb_forget_vuln(comb_vulndb *db, const char *vuln_id, const char *source,
                                  comb_err *err);
comb_code comb_vulndb_forget_package(comb_vulndb *db, const char *ecosystem, const char *package,
                                     const char *source, comb_err *err);
/* op 0 begin, 1 release, 2 roll back to the savepoint (and release it). */
comb_code comb_vulndb_savepoint(comb_vulndb *db, int op, comb_err *err);
const char *comb_vulndb_path(const comb_vulndb *db);
/* 1 if the last comb_vulndb_put_affected added a row (0: identical row existed). */
int comb_vulndb_last_new(const comb_vulndb *db);

#endif
