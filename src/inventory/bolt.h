/* bolt.h - reading one value from a BoltDB file (podman 4 keeps its
 * containers' configurations, with their labels, in libpod/bolt_state.db).
 * Read-only and bounded: the file is untrusted, every page number, offset
 * and length is checked against the buffer, and descent stops at depth 32. */
#ifndef COMB_INVENTORY_BOLT_H
#define COMB_INVENTORY_BOLT_H

#include <stddef.h>

/* The value at path[0], path[1], ... path[n-1] (buckets, then a key) in the
 * database image db[0..len): 0 with *val and *vlen pointing into db, -1 when
 * absent or the file is not a valid BoltDB. */
int comb_bolt_get(const unsigned char *db, size_t len, const char *const *path, size_t n,
                  const unsigned char **val, size_t *vlen);

#endif
