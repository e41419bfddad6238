/* inventory.h - the result of `comb sbom`: what is inside one image.
 *
 * Built by comb_inventory_build(): opens the target (image/), walks every
 * layer once, feeds wanted files to the analyzers (analyze/), drops records
 * whose files a later layer deleted or replaced, joins file lists, finds
 * the layer that introduced each package, and computes purls. Reporters
 * (report/) only read this struct.
 */
#ifndef COMB_SBOM_INVENTORY_H
#define COMB_SBOM_INVENTORY_H

#include <stdint.h>

#include "analyze/package.h"
#include "core/arena.h"
#include "core/error.h"
#include "image/image.h"

typedef struct comb_inventory {
    comb_arena arena;      /* owns everything below */
    comb_image_meta image;
    comb_os os;            /* id == NULL when unknown */
    comb_pkg **pkgs;       /* sorted: OS packages first, then by type, name, version */
    size_t npkgs;
    const char **warnings;
    size_t nwarnings;
    size_t warnings_dropped;
    comb_image *image_handle; /* owns the strings of `image` */
    unsigned layers_cached;   /* layers restored from the layer cache, not read */
    unsigned layers_read;
} comb_inventory;

struct comb_layercache;

typedef void (*comb_progress_fn)(void *ud, const char *stage, uint64_t done, uint64_t total);

/* Scanners that look at file contents and metadata rather than packages
 * (secrets, malware, configuration; see detect/detect.h) ride on the same
 * single walk over the layers. A layer is skipped only when the layer
 * cache has its package records and the hooks have their own results. */
typedef struct comb_content_hooks {
    void *ud;
    /* Is this regular file's content wanted? Path, mode and size only. */
    int (*wants)(void *ud, const comb_entry *e);
    /* The whole content of a wanted file of layer blob `blob`. Scanner
     * problems are the hook's to record; an error return stops the walk. */
    comb_code (*file)(void *ud, int blob, const comb_entry *e, const uint8_t *data, size_t len,
                      comb_err *err);
    /* Every entry of every layer, metadata only (optional). */
    void (*entry)(void *ud, int blob, const comb_entry *e);
    /* Per-layer cache of what the hooks found, beside the layer cache's
     * package records (optional). A layer is skipped only when both have
     * it: cache_stage() looks up and holds the hooks' entry (1 on a hit),
     * then cache_commit(1) uses it or cache_commit(0) drops it. After a
     * layer was read and verified, cache_store() keeps its results. */
    int (*cache_stage)(void *ud, struct comb_layercache *c, int blob, const char *diff_id);
    void (*cache_commit)(void *ud, int use);
    void (*cache_store)(void *ud, struct comb_layercache *c, int blob, const char *diff_id);
} comb_content_hooks;

typedef struct comb_sbom_opts {
    const char *platform;          /* "os/arch[/variant]" or NULL for the host's */
    uint64_t max_layer_size;       /* uncompressed bytes per layer; 0 = default */
    uint64_t max_file_size;        /* per analysed file in memory; 0 = analyzer defaults */
    comb_progress_fn progress;
    void *progress_ud;
    int use_cache;                 /* per-layer results cache (see sbom/layercache.h) */
    const char *cache_dir;         /* NULL: $XDG_CACHE_HOME/comb/layers */
    uint64_t cache_max;            /* bytes; 0 = default (1 GiB) */
    const comb_content_hooks *content; /* NULL: packages only */
    const struct comb_registry_opts *registry; /* remote images; NULL: defaults */
} comb_sbom_opts;

comb_code comb_inventory_build(const char *target, const comb_sbom_opts *opts,
                               comb_inventory **out, comb_err *err);
void comb_inventory_free(comb_inventory *inv);

#endif
