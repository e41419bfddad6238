/* analyzer.h - the contract between the layer walker and the analyzers.
 *
 * Each analyzer lives in one file, declares which entries it wants (by path,
 * mode and size only, never by content, so that a later layer's file at the
 * same path is always seen by the same analyzer), and turns each wanted file
 * into records through a comb_emit sink. All analyzers are listed in one table
 * (registry.c). Analyzers never print, never touch the filesystem and never
 * see anything but the files they asked for.
 *
 * Two ways to receive a file:
 *  - COMB_WANT_BUFFER: the whole content in memory (up to max_size bytes;
 *    larger files are skipped with a warning). For package databases and
 *    manifests.
 *  - COMB_WANT_STREAM: a pull reader over the content, for large binaries
 *    and archives (ELF, jar). Only one analyzer may stream a given file.
 */
#ifndef COMB_ANALYZE_ANALYZER_H
#define COMB_ANALYZE_ANALYZER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analyze/package.h"
#include "core/arena.h"
#include "core/error.h"

typedef struct comb_entry {
    const char *path; /* normalised: relative to the root, no leading '/', no '.', '..' or '//' */
    uint32_t mode;    /* st_mode, type bits included */
    int64_t size;
    uint32_t uid, gid; /* owner, for the configuration checks (setuid root, ...) */
} comb_entry;

/* Pull reader over one file's content. read() returns the number of bytes
 * read, 0 at the end, -1 on error (message in err of the walker). */
typedef struct comb_reader {
    ssize_t (*read)(void *opaque, void *buf, size_t len);
    void *opaque;
} comb_reader;

/* Read exactly up to len bytes (loops over short reads); returns bytes read or -1. */
ssize_t comb_reader_read_full(comb_reader *r, void *buf, size_t len);

enum comb_want { COMB_WANT_NO = 0, COMB_WANT_BUFFER = 1, COMB_WANT_STREAM = 2 };

typedef struct comb_emit comb_emit; /* sink bound to (layer, file); see emit.c */

typedef struct comb_analyzer {
    const char *name;
    /* Which entries? Return a comb_want. Called for every entry (regular
     * files only), so it must be cheap: compare path suffixes, not regexes. */
    int (*wants)(const comb_entry *e);
    size_t max_size; /* COMB_WANT_BUFFER: bigger files are skipped with a warning */
    comb_code (*on_buffer)(comb_emit *out, const comb_entry *e,
                           const uint8_t *data, size_t len, comb_err *err);
    comb_code (*on_stream)(comb_emit *out, const comb_entry *e,
                           comb_reader *r, comb_err *err);
} comb_analyzer;

/* --- the sink ------------------------------------------------------------ */

/* New package record for the current file (found_in preset to its path,
 * epoch -1). Returns NULL when out of memory. */
comb_pkg *comb_emit_pkg(comb_emit *out, comb_pkg_type type);

/* OS identification record for the current file. */
comb_os *comb_emit_os(comb_emit *out);

/* dpkg-style separate file list: the files owned by package `owner`
 * (e.g. "bash" or "libc6:amd64"), attached to the package at the end. */
comb_code comb_emit_filelist(comb_emit *out, comb_pkg_type type, const char *owner,
                             const char **files, size_t nfiles);

/* The licence of package `owner`, found in a file of its own (Debian's
 * usr/share/doc/PKG/copyright); attached when the package has none. */
comb_code comb_emit_license(comb_emit *out, comb_pkg_type type, const char *owner,
                            const char *license);

/* Non-fatal problem worth telling the user (e.g. a malformed entry that was
 * skipped). The message is prefixed with the layer and path automatically. */
void comb_emit_warn(comb_emit *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Arena owning the records' strings (the scan's arena). */
comb_arena *comb_emit_arena(comb_emit *out);

/* Convenience: copy into the scan arena. */
char *comb_emit_strdup(comb_emit *out, const char *s);
char *comb_emit_strndup(comb_emit *out, const char *s, size_t n);

/* --- the table ----------------------------------------------------------- */
extern const comb_analyzer *const comb_analyzers[];
extern const size_t comb_analyzer_count;

#endif
