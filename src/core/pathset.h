/* pathset.h - a compact set of paths, kept as keyed 64-bit hashes.
 *
 * The layer walker records every path of every layer so that it can later
 * tell whether an upper layer replaced a file; storing whole paths would
 * make memory grow with file count (grype's known failure). 8 bytes a path
 * with SipHash-2-4 under a random per-process key: collisions cannot be
 * engineered by an image author and are negligible by chance.
 */
#ifndef COMB_CORE_PATHSET_H
#define COMB_CORE_PATHSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct comb_pathset {
    uint64_t *slots; /* 0 = empty */
    size_t n, cap;
} comb_pathset;

/* Use this key instead of a random one (before the first hash): a layer
 * cache stores path sets, which must hash alike in every process that
 * shares the cache. Returns -1 if hashing has already started. */
int comb_pathset_set_key(const unsigned char key[16]);

void comb_pathset_init(comb_pathset *s);
void comb_pathset_free(comb_pathset *s);
/* tag distinguishes kinds of entries in one set (e.g. directory or not). */
uint64_t comb_pathset_hash(const char *path, size_t len, unsigned tag);
int comb_pathset_add(comb_pathset *s, uint64_t h);     /* 0 ok, -1 no memory */
int comb_pathset_has(const comb_pathset *s, uint64_t h);

#endif
