/* records.h - what analyzers produce, before layers are merged.
 *
 * Every record remembers the layer blob and the file path it came from, so
 * that the pipeline can drop records whose file is deleted or replaced by a
 * later layer (see sbom/inventory.c) and tell which layer introduced a package.
 */
#ifndef COMB_ANALYZE_RECORDS_H
#define COMB_ANALYZE_RECORDS_H

#include "analyze/analyzer.h"

typedef enum comb_rec_kind {
    COMB_REC_PKG,
    COMB_REC_OS,
    COMB_REC_FILELIST, /* files of a package, kept apart from it (dpkg) */
    COMB_REC_LICENSE   /* licence of a package, kept apart from it (dpkg copyright) */
} comb_rec_kind;

typedef struct comb_filelist {
    comb_pkg_type type;
    const char *owner;
    const char **files;  /* COMB_REC_FILELIST */
    size_t nfiles;
    const char *license; /* COMB_REC_LICENSE */
} comb_filelist;

typedef struct comb_record {
    comb_rec_kind kind;
    int blob;          /* index of the layer blob in the image (see image.h) */
    const char *path;  /* file the record came from */
    union {
        comb_pkg pkg;
        comb_os os;
        comb_filelist fl;
    } u;
} comb_record;

#define COMB_MAX_WARNINGS 200

typedef struct comb_recset {
    comb_arena *arena;       /* owns records and strings */
    comb_record **v;         /* malloc'd array of arena pointers */
    size_t n, cap;
    const char **warnings;   /* malloc'd array of arena strings */
    size_t nwarnings, warnings_dropped;
    int oom;                 /* an allocation failed somewhere */
} comb_recset;

void comb_recset_init(comb_recset *s, comb_arena *arena);
void comb_recset_free(comb_recset *s); /* frees the arrays, not the arena */
void comb_recset_warn(comb_recset *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

struct comb_emit {
    comb_recset *set;
    int blob;
    const char *path;   /* arena copy of the entry path */
    const char *label;  /* "layer 2" or similar, for warnings */
};

void comb_emit_init(comb_emit *out, comb_recset *set, int blob, const char *path,
                    const char *label);

/* Run one analyzer on an in-memory file, as the walker would (tests, fuzzers). */
comb_code comb_analyze_buffer(const comb_analyzer *a, comb_recset *set, const char *path,
                              const uint8_t *data, size_t len, comb_err *err);

/* Look an analyzer up by name ("dpkg"); NULL if unknown. */
const comb_analyzer *comb_analyzer_find(const char *name);

#endif
