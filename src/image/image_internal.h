/* image_internal.h - state shared by the image readers (not a public API). */
#ifndef COMB_IMAGE_INTERNAL_H
#define COMB_IMAGE_INTERNAL_H

#include <archive.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/digest.h"
#include "core/pathset.h"
#include "image/image.h"

enum comb_source_kind { SRC_ARCHIVE, SRC_OCI_LAYOUT, SRC_ROOTFS };

/* Tags for the per-layer path index (see visible() in image.c). */
enum { TAG_ENTRY = 0, TAG_NONDIR = 1, TAG_WHITEOUT = 2, TAG_OPAQUE = 3 };

typedef struct comb_blob {
    const char *key;        /* archive entry path, or digest for layouts */
    char digest[72];        /* computed sha256 of the blob bytes */
    char diff_id[72];       /* computed sha256 of the uncompressed layer */
    uint64_t size;          /* raw bytes read */
    int is_layer;           /* walked as a layer (or restored from a cache) */
    int candidate;          /* looks like a layer (seen in the archive) */
    int restored;           /* from a cache: not read */
    comb_pathset index;     /* TAG_* hashes of the layer's paths */
    comb_code error;        /* walking it failed (reported only if it is selected) */
    const char *error_msg;
} comb_blob;

typedef struct comb_doc {     /* a small JSON file kept from an archive */
    const char *key;
    char digest[72];
    unsigned char *data;
    size_t len;
} comb_doc;

typedef struct comb_link {    /* a symlink inside an outer archive */
    const char *key, *target;
} comb_link;

struct comb_image {
    comb_arena arena;
    enum comb_source_kind kind;
    const char *path;         /* file or directory */
    const char *tag;          /* from "path:tag", or NULL */
    const char *platform;
    uint64_t max_layer_size;
    int (*index_lookup)(void *ud, const char *identity, unsigned char **buf, size_t *len);
    void *index_ud;
    int chosen_late;          /* an archive read in one pass, chosen at its end */
    comb_blob *blobs;
    size_t nblobs, capblobs;
    comb_doc *docs;
    size_t ndocs, capdocs;
    uint64_t docs_bytes;
    comb_link *links;
    size_t nlinks, caplinks;
    int *order;               /* blob ids, bottom layer first */
    size_t norder;
    comb_image_meta meta;
    uint64_t done_bytes, total_bytes;
    const comb_walk_visitor *visitor;
    int selected;             /* the image was chosen before the walk */
};

/* image.c */
int comb_image_add_blob(comb_image *img, const char *key); /* id or -1 */
void comb_image_progress(comb_image *img, uint64_t more);
void comb_image_warn(comb_image *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* layer.c: walk one layer from a raw byte source. */
typedef struct comb_raw_source {
    int fd;                   /* >= 0: read from this file */
    struct archive *outer;    /* else: archive_read_data() of the current entry */
    const unsigned char *pre; /* bytes already consumed for sniffing, replayed first */
    size_t prelen;
} comb_raw_source;

comb_code comb_layer_walk(comb_image *img, int blob, comb_raw_source *src, comb_err *err);

/* Sniff the first bytes of a blob. */
enum comb_sniff { SNIFF_OTHER, SNIFF_LAYER, SNIFF_JSON };
enum comb_sniff comb_sniff_blob(const unsigned char *p, size_t n, uint64_t size);

/* manifest.c: choose the image and fill meta + order. */
typedef const unsigned char *(*comb_doc_lookup)(comb_image *img, const char *digest_or_key,
                                                size_t *len, comb_err *err);
comb_code comb_select_oci(comb_image *img, const unsigned char *index, size_t len,
                          comb_doc_lookup lookup, comb_err *err);
comb_code comb_select_docker(comb_image *img, const unsigned char *manifest, size_t len,
                             comb_err *err);

/* archive.c, layout.c, rootfs.c */
comb_code comb_prepass_archive(comb_image *img, comb_err *err);
comb_code comb_image_index_restore(comb_image *img, const unsigned char *buf, size_t len,
                                   comb_err *err);
comb_code comb_walk_archive(comb_image *img, comb_err *err);
/* Ask the visitor's cache for a selected layer; 1 if restored. */
int comb_image_try_cache(comb_image *img, int blob);
comb_code comb_open_layout(comb_image *img, comb_err *err);
/* Open `rel` inside a layout directory without leaving it (openat2
 * RESOLVE_BENEATH); -1 and errno on failure (EXDEV/ELOOP: leads out). */
int comb_layout_open_beneath(const char *root, const char *rel, int flags);
/* A regular file of at most 4 MiB inside a layout, malloc'd (+1 byte). */
comb_code comb_layout_read(const char *root, const char *rel, unsigned char **out, size_t *len,
                           comb_err *err);
/* Does a wanted tag name this ref ("alpine:3.10" ~ "docker.io/library/alpine:3.10")? */
int comb_tag_matches(const char *want, const char *have);
comb_code comb_walk_layout(comb_image *img, comb_err *err);
comb_code comb_walk_rootfs(comb_image *img, comb_err *err);

#endif
