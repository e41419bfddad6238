/* embedded.h - files built into the binary from rules/ (cmake/embed.cmake).
 *
 * Built-in rule sets (secrets, YARA, misconfiguration checks, compliance
 * benchmarks, end-of-life tables) are data files under rules/ in the source
 * tree; the build turns them into byte arrays so the program needs no
 * install path. Each array is NUL-terminated (len excludes the NUL). */
#ifndef COMB_CORE_EMBEDDED_H
#define COMB_CORE_EMBEDDED_H

#include <stddef.h>

typedef struct comb_embedded_file {
    const char *name;          /* path under rules/, e.g. "secrets/builtin.yaml" */
    const unsigned char *data; /* NUL-terminated */
    size_t len;
} comb_embedded_file;

extern const comb_embedded_file comb_embedded_files[];
extern const size_t comb_embedded_count;

/* The file called `name`, or NULL. */
const comb_embedded_file *comb_embedded_find(const char *name);

/* Call fn for each file whose name starts with `prefix` (e.g. "yara/"), in
 * name order; stops early and returns fn's value when it is non-zero. */
int comb_embedded_each(const char *prefix, int (*fn)(void *ud, const comb_embedded_file *f),
                       void *ud);

#endif
