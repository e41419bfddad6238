/* gobuildinfo.h - Go build information blob (the ".go.buildinfo" data).
 *
 * Layout (Go >= 1.18, "inline" format, flags & 2):
 *   0  14 bytes magic "\xff Go buildinf:"
 *   14 1 byte pointer size (4 or 8)
 *   15 1 byte flags (bit 0: big-endian pointers, bit 1: inline strings)
 *   16 16 bytes unused in the inline format
 *   32 uvarint length, Go version string ("go1.19.8")
 *      uvarint length, module info string, framed by 16-byte sentinels
 * Older binaries store two pointers at offset 16 instead (to Go string
 * headers elsewhere in the file); that needs random access and is reported
 * as unsupported.
 *
 * The module info is text, one record a line, fields separated by tabs:
 *   path <main package path>
 *   mod  <module path> <version> [<sum>]
 *   dep  <module path> <version> [<sum>]
 *   =>   <replacement path> [<version> <sum>]   (applies to the line before)
 *   build <key>=<value>                        (value Go-quoted when needed)
 */
#ifndef COMB_ANALYZE_GOBUILDINFO_H
#define COMB_ANALYZE_GOBUILDINFO_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "core/arena.h"
#include "core/error.h"

#define COMB_GOBI_MAGIC "\xff Go buildinf:"
#define COMB_GOBI_MAGIC_LEN 14
#define COMB_GOBI_HEADER 32
#define COMB_GOBI_MAX_VERSION 256          /* bytes of the Go version string */
#define COMB_GOBI_MAX_MODINFO (4u << 20)   /* bytes of module info */
#define COMB_GOBI_MAX_DEPS 100000

/* Result of comb_gobuildinfo_size(). */
enum {
    COMB_GOBI_MORE = -1,     /* need more bytes to tell */
    COMB_GOBI_INVALID = -2,  /* not a build info blob (or over the caps) */
    COMB_GOBI_POINTERS = -3, /* valid header, pre-1.18 pointer format */
};

/* Given the first n bytes of a candidate blob (starting at the magic),
 * return its total size in bytes (>= 0) or one of the codes above. */
long comb_gobuildinfo_size(const uint8_t *p, size_t n);

typedef struct comb_gomod {
    const char *path;
    const char *version; /* "" when absent */
    const char *sum;     /* "" when absent */
    const char *rpath;   /* replacement ("=>") or NULL */
    const char *rversion;
} comb_gomod;

typedef struct comb_gobuildinfo {
    const char *go_version; /* as stored: "go1.19.8" */
    const char *path;       /* main package path or NULL */
    int has_main;
    comb_gomod main;
    comb_gomod *deps;
    size_t ndeps;
    const char *ldflags_version; /* value of -X <pkg>.version=<v> in -ldflags, or NULL */
} comb_gobuildinfo;

/* Parse a complete inline-format blob; strings go to arena. */
comb_code comb_gobuildinfo_parse(comb_arena *arena, const uint8_t *p, size_t n,
                                 comb_gobuildinfo *bi, comb_err *err);

/* "go1.19.8" -> "1.19.8"; drops experiment suffixes (" X:...", "-X:...").
 * Returns an arena string or NULL. */
char *comb_gobuildinfo_stdlib_version(comb_arena *arena, const char *gover);

/* Emit stdlib, the main module and every dependency. */
comb_code comb_gobuildinfo_emit(comb_emit *out, const comb_gobuildinfo *bi);

#endif
