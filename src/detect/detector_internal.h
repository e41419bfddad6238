/* detector_internal.h - the detector's state, shared by detector.c and the
 * per-layer cache of its results (detect_cache.c). */
#ifndef COMB_DETECT_DETECTOR_INTERNAL_H
#define COMB_DETECT_DETECTOR_INTERNAL_H

#include "detect/detect.h"
#include "detect/source.h"

#define MAX_DETECTIONS 100000u   /* beyond this an image is noise, not findings */
#define MAX_PER_FILE 200u
#define MAX_WARNINGS 200u
#define MAX_FS_ENTRIES 200000u
#define MAX_SOURCES 4
#define MAX_BLOBS 4096           /* per-layer bookkeeping; beyond it, no caching */

struct detect_sink {
    comb_detector *d;
    int blob;
    const char *path;
    unsigned in_file;
};

/* What one layer gave besides detections and filesystem candidates. */
typedef struct detect_blob_stats {
    uint64_t files;           /* files read by the content scanners */
    uint64_t oversize;        /* files over every scanner's size limit */
    int64_t oversize_max;
    const char *oversize_path;
} detect_blob_stats;

struct comb_detector {
    comb_detect_opts opts;
    comb_arena arena;
    comb_content_hooks hooks;
    detect_source src[MAX_SOURCES];
    size_t nsrc;
    detect_sink sink;
    comb_detection **v;
    size_t n, cap;
    int *blob_of;             /* parallel to v: the blob each detection came from */
    size_t dropped;
    const char **warn;
    int *warn_blob;           /* parallel to warn; -1: not about one layer */
    size_t nwarn, warn_dropped;
    detect_fs_entry *fs;
    size_t nfs, capfs, fs_dropped;
    detect_blob_stats *stats; /* indexed by blob */
    size_t nstats;
    /* per-layer cache (detect_cache.c) */
    char cache_key[72];       /* "" until computed; "-" when caching is impossible */
    unsigned char *staged;    /* an entry looked up, waiting for commit */
    size_t staged_len;
    int staged_blob;
    int oom;
};

/* Stats of one blob, grown on demand; NULL beyond MAX_BLOBS or on OOM. */
detect_blob_stats *detect_blob(comb_detector *d, int blob);

/* Append a filesystem-check candidate (path copied); -1 on OOM. */
int detect_fs_push(comb_detector *d, int blob, const char *path, uint32_t mode, uint32_t uid,
                   uint32_t gid, int64_t size);

/* detect_cache.c: the content hooks' cache callbacks. */
/* Walk a cache entry of layer `blob`; with apply, add what it holds to d.
 * 0 when the entry is well formed (entries can be damaged: all reads are
 * bounded). */
int detect_cache_decode(comb_detector *d, const unsigned char *p, size_t len, int blob, int apply);
int detect_cache_stage(void *ud, struct comb_layercache *c, int blob, const char *diff_id);
void detect_cache_commit(void *ud, int use);
void detect_cache_store(void *ud, struct comb_layercache *c, int blob, const char *diff_id);

#endif
