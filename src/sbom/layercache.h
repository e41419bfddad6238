/* layercache.h - per-layer results on disk, so that rescanning an image
 * whose layers were seen before reads none of them.
 *
 * An entry holds what a layer gave: its analyzer records, its digests and
 * its path index (see image.h). It is keyed by the layer's diff_id, the
 * analyzer revision and the options that change analysis; it is stored
 * only after the layer's digests were verified. Entries are written to a
 * temporary file and renamed, so several comb processes may share a cache;
 * each ends with a SHA-256 of its content and a damaged entry is ignored
 * and removed. The cache is bounded: when it grows past its limit the
 * least recently used entries go. Trust model: a cache hit trusts that the
 * layer with this diff_id is the one verified before (as Trivy's cache
 * does); `--no-cache` reads and verifies every byte.
 */
#ifndef COMB_SBOM_LAYERCACHE_H
#define COMB_SBOM_LAYERCACHE_H

#include <stdint.h>

#include "analyze/records.h"
#include "core/error.h"
#include "image/image.h"

typedef struct comb_layercache comb_layercache;

#define COMB_LAYERCACHE_DEFAULT_MAX (1ULL << 30)

/* dir NULL: $XDG_CACHE_HOME/comb/layers (~/.cache/comb/layers). Sets the
 * process's path-set key from the cache's own key file; fails with
 * COMB_EINVAL when path hashing has already begun with another key. */
comb_code comb_layercache_open(const char *dir, uint64_t max_bytes, const char *variant,
                               comb_layercache **out, comb_err *err);
void comb_layercache_close(comb_layercache *c);

/* Load the entry for diff_id: restores the layer in img (blob) and appends
 * its records (tagged with blob) to set. Returns 1 on a hit, 0 on a miss
 * (including a damaged entry, which is removed). */
int comb_layercache_load(comb_layercache *c, const char *diff_id, comb_image *img, int blob,
                         comb_recset *set);

/* Store the records of blob from set with the layer's state. Best effort:
 * a failure only means no entry. Then trims the cache to its limit. */
void comb_layercache_store(comb_layercache *c, const char *diff_id, const comb_image *img,
                           int blob, const comb_recset *set);

/* Opaque small entries under another key space (an archive's index, see
 * image.h): with the same checksum, atomicity and eviction as layers.
 * get returns 1 and a malloc'd buffer on a hit. */
int comb_layercache_get_blob(comb_layercache *c, const char *key, unsigned char **buf, size_t *len);
void comb_layercache_put_blob(comb_layercache *c, const char *key, const void *buf, size_t len);

typedef struct comb_layercache_stats {
    uint64_t hits, misses, stored, evicted;
} comb_layercache_stats;
void comb_layercache_stats_get(const comb_layercache *c, comb_layercache_stats *out);

#endif
