/* update.h - `comb db update`: download the configured advisory sources
 * and rebuild the database from them, atomically.
 *
 * Each source (NAME URL [SHA256]) is downloaded into DB.sources/NAME with
 * conditional requests (its ETag and Last-Modified are kept beside it), so
 * an unchanged source costs one 304. When anything changed, a new database
 * is built from all downloaded sources into DB.new, and renamed over DB
 * only when the import succeeded: a failed or interrupted update leaves the
 * previous database intact and usable. A source that fails to download is
 * reported; its previous download, if any, is still used.
 */
#ifndef COMB_VULN_UPDATE_H
#define COMB_VULN_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "vuln/import/import.h"

#define COMB_UPDATE_MAX_SOURCES 64

typedef struct comb_update_source {
    char name[64];         /* [A-Za-z0-9._-] */
    char url[2048];
    char sha256[80];       /* optional expected digest */
} comb_update_source;

typedef struct comb_update_opts {
    const comb_update_source *sources;
    size_t nsources;
    int retries;           /* see fetch.h; 0 = default */
    unsigned backoff_ms;
    int allow_loopback_http; /* http:// only to 127.0.0.1, ::1 or localhost */
    void (*progress)(void *ud, const char *source, uint64_t done, uint64_t total);
    void (*warn)(void *ud, const char *file, const char *msg);
    void *ud;
} comb_update_opts;

typedef enum { COMB_SRC_UPDATED, COMB_SRC_NOT_MODIFIED, COMB_SRC_FAILED } comb_source_state;

typedef struct comb_update_report {
    comb_source_state state[COMB_UPDATE_MAX_SOURCES];
    char message[COMB_UPDATE_MAX_SOURCES][256];
    uint64_t bytes[COMB_UPDATE_MAX_SOURCES];
    int rebuilt;           /* a new database replaced the old one */
    comb_import_stats stats;
    unsigned failed;       /* sources that could not be downloaded */
} comb_update_report;

/* Parse a sources file: one "NAME URL [SHA256]" per line, '#' comments. */
comb_code comb_update_read_sources(const char *path, comb_update_source *out, size_t max,
                                   size_t *n, comb_err *err);
/* Parse "NAME=URL" (a --source option). */
comb_code comb_update_parse_source(const char *spec, comb_update_source *out, comb_err *err);

comb_code comb_vulndb_update(const char *db_path, const comb_update_opts *opts,
                             comb_update_report *rep, comb_err *err);

#endif
