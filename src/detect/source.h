/* source.h - inside the detector: one content scanner behind a small
 * vtable, and the sink it reports through. Each adapter file wraps one
 * scanner module (secret/, malware/) or the configuration checks
 * (misconfig/) and converts its matches into comb_detection records. */
#ifndef COMB_DETECT_SOURCE_H
#define COMB_DETECT_SOURCE_H

#include "detect/detect.h"

typedef struct detect_sink detect_sink;

/* A new zeroed detection for the current file (path, layer and kind are
 * filled in by the sink); NULL when out of memory or over the limits. */
comb_detection *detect_add(detect_sink *s, comb_detect_kind kind);
/* Point the sink at another file (blob -1 and path NULL: the image itself),
 * for the configuration checks that run after the walk. */
void detect_at(detect_sink *s, int blob, const char *path);
/* Copy a string into the detector's memory (NULL stays NULL). */
const char *detect_str(detect_sink *s, const char *str);
const char *detect_printf(detect_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void detect_warn(detect_sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Severity from "CRITICAL"/"high"/...; UNKNOWN when not recognised. */
comb_severity detect_severity(const char *s);

typedef struct detect_source {
    const char *name;
    void *self;
    uint64_t max_size; /* files above this are never wanted (counted as skipped) */
    int (*wants)(void *self, const comb_entry *e);
    comb_code (*scan)(void *self, detect_sink *s, const comb_entry *e, const uint8_t *data,
                      size_t len, comb_err *err);
    void (*release)(void *self);
} detect_source;

/* Adapters (secret_source.c, malware_source.c). */
comb_code detect_secret_source(const comb_detect_opts *o, detect_source *out, comb_err *err);
comb_code detect_malware_source(const comb_detect_opts *o, detect_source *out, comb_err *err);

/* One entry of the final filesystem worth a configuration check. */
typedef struct detect_fs_entry {
    const char *path;
    uint32_t mode, uid, gid;
    int64_t size;
    int blob;
} detect_fs_entry;

/* Is this entry a candidate for the filesystem checks? (cheap) */
int detect_config_fs_wants(const comb_entry *e);
/* Image config and final-filesystem checks (config_source.c); the sink has
 * no current file, so the adapter sets path / location itself. */
comb_code detect_config_run(const comb_detect_opts *o, const comb_inventory *inv,
                            const detect_fs_entry *fs, size_t nfs, detect_sink *s, comb_err *err);

#endif
