/* image_internal.h - state shared by the image readers (not a public API). */
#ifndef COMB_IMAGE_INTERNAL_H
#define COMB_IMAGE_INTERNAL_H

#include <archive.h>
#include <jansson.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/digest.h"
#include "core/pathset.h"
#include "image/image.h"

enum comb_source_kind { SRC_ARCHIVE, SRC_OCI_LAYOUT, SRC_ROOTFS, SRC_REMOTE };

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
    const struct comb_registry_opts *registry_opts;
    struct comb_registry *remote; /* SRC_REMOTE: the registry client */
    const char *engine;       /* "podman", "docker": an export stream (engine.c) */
    int engine_pid, engine_fd, engine_err_fd;
};

/* image.c */
int comb_image_add_blob(comb_image *img, const char *key); /* id or -1 */
/* Keep a small document (takes ownership of data, malloc'd, even on failure). */
comb_code comb_image_add_doc(comb_image *img, const char *key, const char *digest,
                             unsigned char *data, size_t len, comb_err *err);
const comb_doc *comb_image_find_doc(const comb_image *img, const char *key);
/* The kept document of blob `digest` (key receives "blobs/sha256/<hex>"), or NULL. */
const unsigned char *comb_image_blob_doc(const comb_image *img, const char *digest, size_t *len,
                                         char key[100]);
void comb_image_progress(comb_image *img, uint64_t more);
void comb_image_warn(comb_image *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* layer.c: walk one layer from a raw byte source. */
typedef struct comb_raw_source {
    int fd;                   /* >= 0: read from this file */
    struct archive *outer;    /* else: archive_read_data() of the current entry */
    const unsigned char *pre; /* bytes already consumed for sniffing, replayed first */
    size_t prelen;
    /* else, when set: pull up to len bytes (0 at the end, -1 with err set) */
    ssize_t (*pull)(void *ud, void *buf, size_t len, comb_err *err);
    void *pull_ud;
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
/* remote.c: a registry reference ("registry/repo[:tag][@digest]") */
comb_code comb_open_remote(comb_image *img, const char *ref, comb_err *err);
comb_code comb_walk_remote(comb_image *img, comb_err *err);
void comb_close_remote(comb_image *img);
/* engine.c: podman:// and docker:// export streams */
comb_code comb_open_engine(comb_image *img, const char *engine, const char *name, comb_err *err);
comb_code comb_engine_finish(comb_image *img, int walk_failed, comb_err *err);
void comb_close_engine(comb_image *img);
int comb_podman_has_image(const char *name);
/* 1 if the reference names no remote registry ("app:1", "team/app",
 * "localhost/app"): the kind of name a local engine may hold. */
int comb_names_no_registry(const char *s);
/* 1 if `s` parses as an image reference (for telling names from paths). */
int comb_looks_like_ref(const char *s);

#endif
