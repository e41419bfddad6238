/* image.h - reading container images as one stream of files.
 *
 * comb_image_open() recognises the target (docker-archive tarball, plain or
 * compressed; OCI image layout directory; OCI archive; plain root filesystem
 * directory; an image in a registry, "registry://REF" or a bare reference
 * that is not an existing path: see registry/client.h) and reads the small JSON documents it needs. comb_image_walk()
 * then streams every layer once, without extracting anything to disk, and
 * hands each regular file that the visitor wants to it as a pull reader.
 *
 * Layers may be met in any order (archives store them in any order and put
 * manifest.json last), so the walk does not apply whiteouts as it goes.
 * Instead it records, per layer, a compact index of its paths, whiteouts and
 * opaque directories, and comb_image_visible() answers afterwards whether a
 * file seen in one layer is still there in the final filesystem (OCI image
 * spec, "Applying changesets"). Blob digests and diff_ids are verified.
 */
#ifndef COMB_IMAGE_IMAGE_H
#define COMB_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "core/error.h"

typedef struct comb_layer_info {
    const char *digest;     /* blob digest "sha256:..." (NULL for a rootfs) */
    const char *diff_id;    /* "sha256:..." of the uncompressed tar */
    const char *media_type;
    uint64_t size;          /* blob size in bytes */
    int declared_size;      /* size came from a descriptor and is checked */
    const char *created_by; /* from the config history, when known */
} comb_layer_info;

typedef struct comb_image_meta {
    const char *target;          /* what the user typed */
    const char *source_kind;     /* "docker-archive", "oci-layout", "oci-archive", "rootfs", "registry" */
    const char *name;            /* repo tag or ref name, or NULL */
    const char *config_digest;   /* image ID */
    const char *manifest_digest;
    const char *os, *arch, *variant;
    const char *created;
    const char *config_json;     /* the image config blob, NUL-terminated (NULL for a rootfs) */
    size_t config_len;
    comb_layer_info *layers;     /* bottom first */
    size_t nlayers;
} comb_image_meta;

typedef struct comb_image comb_image;

#define COMB_DEFAULT_MAX_LAYER_SIZE (8ULL << 30)  /* uncompressed bytes per layer */
#define COMB_MAX_LAYER_ENTRIES 5000000ULL
#define COMB_MAX_LAYERS 1000

typedef struct comb_image_opts {
    const char *platform;     /* "os/arch[/variant]"; NULL: the host's */
    uint64_t max_layer_size;  /* 0: COMB_DEFAULT_MAX_LAYER_SIZE */
    /* A compressed archive cannot be skipped through, so the image is chosen
     * before the walk only when a cache remembers what the archive holds
     * (see comb_image_index_save): index_lookup returns 1 and a malloc'd
     * buffer for the archive's identity. Optional. */
    int (*index_lookup)(void *ud, const char *identity, unsigned char **buf, size_t *len);
    void *index_ud;
    /* Registry client options (credentials, --insecure, mirrors, timeouts)
     * for remote references; NULL: defaults. */
    const struct comb_registry_opts *registry;
} comb_image_opts;

typedef struct comb_walk_visitor {
    void *ud;
    /* Does anybody want this regular file? Cheap; called for every file. */
    int (*want)(void *ud, const comb_entry *e);
    /* A wanted file of layer blob `blob`; `label` names the layer for messages.
     * Returning an error stops the walk; analyzers' own problems should be
     * recorded as warnings instead. */
    comb_code (*file)(void *ud, int blob, const char *label, const comb_entry *e,
                      comb_reader *r, comb_err *err);
    /* A hardlink in a layer tar carries no data: `e` (a wanted path) names
     * the same content as `target`, an earlier entry of the same layer.
     * Optional. */
    comb_code (*hardlink)(void *ud, int blob, const comb_entry *e, const char *target,
                          comb_err *err);
    /* Layer cache hooks (optional). cached(): before a layer of the chosen
     * image is read, with its diff_id from the config; return 1 after
     * restoring it with comb_image_layer_restore() to skip reading it.
     * walked(): after the walk and the digest checks, for each layer that
     * was read, so that its results can be stored. */
    int (*cached)(void *ud, int blob, const char *diff_id);
    void (*walked)(void *ud, int blob, const char *diff_id);
    /* Bytes of the image read so far, of total (total may be 0 = unknown). */
    void (*progress)(void *ud, uint64_t done, uint64_t total);
    /* Non-fatal problems (unsafe paths skipped, ...). */
    void (*warn)(void *ud, const char *msg);
    /* Every entry of a layer (directories, links and special files too,
     * whiteouts excluded), before want(): metadata for the configuration
     * checks (setuid files, world-writable directories). Optional. */
    void (*entry)(void *ud, int blob, const comb_entry *e);
} comb_walk_visitor;

comb_code comb_image_open(const char *target, const comb_image_opts *opts,
                          comb_image **out, comb_err *err);
comb_code comb_image_walk(comb_image *img, const comb_walk_visitor *v, comb_err *err);
void comb_image_close(comb_image *img);

/* After a successful walk: */
const comb_image_meta *comb_image_meta_get(const comb_image *img);
/* Position (0 = bottom) of the lowest / highest use of a blob in the final
 * layer list, -1 if the blob is not a layer of the selected image. */
int comb_image_blob_lowest(const comb_image *img, int blob);
int comb_image_blob_highest(const comb_image *img, int blob);
/* Blob id of the layer at position pos. */
int comb_image_layer_blob(const comb_image *img, size_t pos);
/* 1 if the file `path` of layer blob `blob` survives in the final filesystem. */
int comb_image_visible(const comb_image *img, int blob, const char *path);
/* For caches of compressed archives: the archive's identity (a digest of
 * its path, device, inode, size and modification time; 0 on success), and
 * what a pass over it found (documents, links, layer candidates), saved
 * after a walk that had to read it whole, restored instead of a first pass. */
int comb_image_identity(const comb_image *img, char out[72]);
int comb_image_chosen_late(const comb_image *img);
comb_code comb_image_index_save(const comb_image *img, unsigned char **buf, size_t *len,
                                comb_err *err);

/* A layer's digests and path index, for a cache (slots: cap hash values,
 * n of them non-zero; see core/pathset.h). */
typedef struct comb_layer_state {
    const char *digest, *diff_id;
    uint64_t size;
    const uint64_t *slots;
    size_t cap, n;
} comb_layer_state;
int comb_image_layer_export(const comb_image *img, int blob, comb_layer_state *out);
/* Restore a layer from a cache instead of reading it (copies everything). */
comb_code comb_image_layer_restore(comb_image *img, int blob, const comb_layer_state *st,
                                   comb_err *err);

/* 1 if `path` exists as a file in layer position pos (for tracing the
 * layer that introduced a package). */
int comb_image_layer_has(const comb_image *img, size_t pos, const char *path);

#endif
