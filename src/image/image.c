/* image.c - opening a target, walking it, and answering visibility queries
 * about the final filesystem (see image.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/path.h"
#include "image/image_internal.h"

int comb_image_add_blob(comb_image *img, const char *key)
{
    if (img->nblobs == img->capblobs) {
        size_t cap = img->capblobs ? img->capblobs * 2 : 16;
        if (cap > 1u << 20)
            return -1;
        comb_blob *nb = realloc(img->blobs, cap * sizeof *nb);
        if (!nb)
            return -1;
        img->blobs = nb;
        img->capblobs = cap;
    }
    comb_blob *b = &img->blobs[img->nblobs];
    memset(b, 0, sizeof *b);
    b->key = comb_arena_strdup(&img->arena, key);
    if (!b->key)
        return -1;
    comb_pathset_init(&b->index);
    return (int)img->nblobs++;
}

comb_code comb_image_add_doc(comb_image *img, const char *key, const char *digest,
                             unsigned char *data, size_t len, comb_err *err)
{
    if (img->ndocs == img->capdocs) {
        size_t cap = img->capdocs ? img->capdocs * 2 : 16;
        comb_doc *nd = realloc(img->docs, cap * sizeof *nd);
        if (!nd) {
            free(data);
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        }
        img->docs = nd;
        img->capdocs = cap;
    }
    comb_doc *d = &img->docs[img->ndocs];
    memset(d, 0, sizeof *d);
    d->key = comb_arena_strdup(&img->arena, key);
    if (!d->key) {
        free(data);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    snprintf(d->digest, sizeof d->digest, "%s", digest);
    d->data = data;
    d->len = len;
    img->ndocs++;
    return COMB_OK;
}

const comb_doc *comb_image_find_doc(const comb_image *img, const char *key)
{
    for (size_t i = 0; i < img->ndocs; i++)
        if (!strcmp(img->docs[i].key, key))
            return &img->docs[i];
    return NULL;
}

const unsigned char *comb_image_blob_doc(const comb_image *img, const char *digest, size_t *len,
                                         char key[100])
{
    snprintf(key, 100, "blobs/sha256/%.64s", digest + 7);
    const comb_doc *d = comb_image_find_doc(img, key);
    if (!d)
        return NULL;
    *len = d->len;
    return d->data;
}

void comb_image_progress(comb_image *img, uint64_t more)
{
    img->done_bytes += more;
    if (img->visitor && img->visitor->progress)
        img->visitor->progress(img->visitor->ud, img->done_bytes, img->total_bytes);
}

void comb_image_warn(comb_image *img, const char *fmt, ...)
{
    if (!img->visitor || !img->visitor->warn)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    img->visitor->warn(img->visitor->ud, buf);
}

static const struct { const char *prefix; int kind; } transports[] = {
    { "docker-archive:", SRC_ARCHIVE }, { "oci-archive:", SRC_ARCHIVE },
    { "oci:", SRC_OCI_LAYOUT },         { "rootfs:", SRC_ROOTFS },
    { "dir:", SRC_ROOTFS },
};

/* Split "path[:tag]" where path must exist; the first colon that leaves an
 * existing path wins ("img.tar:alpine:3.10" -> "img.tar", "alpine:3.10"). */
static comb_code split_target(comb_image *img, const char *t, comb_err *err)
{
    struct stat st;
    if (stat(t, &st) == 0) {
        img->path = comb_arena_strdup(&img->arena, t);
        return img->path ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    for (const char *c = strchr(t, ':'); c; c = strchr(c + 1, ':')) {
        char *p = comb_arena_strndup(&img->arena, t, (size_t)(c - t));
        if (p && p[0] && stat(p, &st) == 0) {
            img->path = p;
            img->tag = comb_arena_strdup(&img->arena, c + 1);
            if (!img->tag[0])
                img->tag = NULL;
            return COMB_OK;
        }
    }
    return comb_fail(err, COMB_ENOTFOUND, "%s: no such file or directory", t);
}

static const char *const engines[] = { "podman://", "docker://", "containerd://" };

/* Index in engines[] of the target's prefix, or -1. */
static int engine_prefix(const char *target)
{
    for (int i = 0; i < 3; i++)
        if (!strncmp(target, engines[i], strlen(engines[i])))
            return i;
    return -1;
}

/* podman://, docker://, containerd:// (engine >= 0), registry://REF (forced_ref),
 * or a bare name: an image podman has when the name has no remote registry,
 * else a registry reference. */
static comb_code open_named(comb_image *img, const char *target, int engine,
                            const char *forced_ref, const comb_image_opts *opts, comb_err *err)
{
    comb_code rc;
    if (engine == 2)
        rc = comb_fail(err, COMB_EUNSUPPORTED, "containerd:// is not supported: export the image "
                                               "(ctr image export FILE NAME) and scan the archive");
    else if (engine >= 0)
        rc = comb_open_engine(img, engine == 0 ? "podman" : "docker",
                              target + strlen(engines[engine]), err);
    if (engine >= 0) {
        if (rc)
            comb_err_prefix(err, "%s", target);
        return rc;
    }
    const char *t = forced_ref ? forced_ref : target;
    if (!forced_ref && comb_names_no_registry(t) && comb_podman_has_image(t))
        return comb_open_engine(img, "podman", t, err);
    img->kind = SRC_REMOTE;
    img->registry_opts = opts ? opts->registry : NULL;
    img->meta.source_kind = "registry";
    rc = comb_open_remote(img, t, err);
    if (rc && !forced_ref && !strchr(t, '/')) /* a name that could be a mistyped file */
        comb_err_prefix(err, "%s: no such file or directory; as an image reference", t);
    return rc;
}

comb_code comb_image_open(const char *target, const comb_image_opts *opts, comb_image **out,
                          comb_err *err)
{
    *out = NULL;
    if (!target || !*target)
        return comb_fail(err, COMB_EINVAL, "no target given");
    comb_image *img = calloc(1, sizeof *img);
    if (!img)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_arena_init(&img->arena);
    img->engine_fd = img->engine_err_fd = -1;
    if (opts) {
        img->index_lookup = opts->index_lookup;
        img->index_ud = opts->index_ud;
    }
    img->max_layer_size = opts && opts->max_layer_size ? opts->max_layer_size
                                                       : COMB_DEFAULT_MAX_LAYER_SIZE;
    img->platform = opts && opts->platform ? comb_arena_strdup(&img->arena, opts->platform) : NULL;
    img->meta.target = comb_arena_strdup(&img->arena, target);
    int forced = -1;
    const char *t = target;
    for (size_t i = 0; i < sizeof transports / sizeof transports[0]; i++) {
        size_t n = strlen(transports[i].prefix);
        if (!strncmp(target, transports[i].prefix, n)) {
            forced = transports[i].kind;
            t = target + n;
            break;
        }
    }
    if (!strncmp(target, "registry://", 11)) {
        forced = SRC_REMOTE;
        t = target + 11;
    }
    int engine = engine_prefix(target);
    comb_code rc = engine >= 0 || forced == SRC_REMOTE ? COMB_ENOTFOUND : split_target(img, t, err);
    /* an engine's image or a registry reference, not an existing path */
    if (rc == COMB_ENOTFOUND && (engine >= 0 || forced == SRC_REMOTE ||
                                 (forced < 0 && comb_looks_like_ref(t)))) {
        comb_err_clear(err);
        rc = open_named(img, target, engine, forced == SRC_REMOTE ? t : NULL, opts, err);
        if (rc) {
            comb_image_close(img);
            return rc;
        }
        *out = img;
        return COMB_OK;
    }
    struct stat st;
    if (rc == COMB_OK && stat(img->path, &st) != 0)
        rc = comb_fail(err, COMB_EIO, "%s: %s", img->path, strerror(errno));
    if (rc == COMB_OK) {
        if (S_ISDIR(st.st_mode)) {
            char idx[COMB_PATH_MAX + 16];
            struct stat ist;
            snprintf(idx, sizeof idx, "%s/index.json", img->path);
            int layout = stat(idx, &ist) == 0 && S_ISREG(ist.st_mode);
            img->kind = forced >= 0 ? forced : (layout ? SRC_OCI_LAYOUT : SRC_ROOTFS);
            if (img->kind == SRC_ARCHIVE)
                rc = comb_fail(err, COMB_EINVAL, "%s: is a directory, not an archive", img->path);
        } else if (S_ISREG(st.st_mode)) {
            img->kind = SRC_ARCHIVE;
            img->total_bytes = (uint64_t)st.st_size;
            if (forced >= 0 && forced != SRC_ARCHIVE)
                rc = comb_fail(err, COMB_EINVAL, "%s: is a file, not a directory", img->path);
        } else {
            rc = comb_fail(err, COMB_EINVAL, "%s: neither a file nor a directory", img->path);
        }
    }
    if (rc == COMB_OK && img->kind == SRC_ROOTFS && img->tag)
        rc = comb_fail(err, COMB_EINVAL, "%s: a root filesystem has no tags", img->path);
    if (rc == COMB_OK && img->kind == SRC_OCI_LAYOUT) {
        img->meta.source_kind = "oci-layout";
        rc = comb_open_layout(img, err);
    }
    if (rc == COMB_OK && img->kind == SRC_ARCHIVE)
        rc = comb_prepass_archive(img, err);
    if (rc) {
        comb_err_prefix(err, "%s", target);
        comb_image_close(img);
        return rc;
    }
    *out = img;
    return COMB_OK;
}

/* Every selected layer's content must match the manifest and the config. */
static comb_code verify(comb_image *img, comb_err *err)
{
    for (size_t i = 0; i < img->norder; i++) {
        comb_blob *b = &img->blobs[img->order[i]];
        comb_layer_info *li = &img->meta.layers[i];
        if (b->error)
            return comb_fail(err, b->error, "layer %zu (%s): %s", i + 1, b->key, b->error_msg);
        if (!b->is_layer || !b->digest[0])
            return comb_fail(err, COMB_EFORMAT, "layer %zu (%s) was not read", i + 1, b->key);
        if (li->digest && strcmp(li->digest, b->digest))
            return comb_fail(err, COMB_EDIGEST,
                             "layer %zu: blob digest mismatch: manifest says %s, content is %s",
                             i + 1, li->digest, b->digest);
        if (li->diff_id && strcmp(li->diff_id, b->diff_id))
            return comb_fail(err, COMB_EDIGEST,
                             "layer %zu: diff_id mismatch: config says %s, content is %s", i + 1,
                             li->diff_id, b->diff_id);
        if (li->declared_size && li->size != b->size)
            return comb_fail(err, COMB_EDIGEST, "layer %zu: size mismatch: manifest says %llu bytes, blob has %llu",
                             i + 1, (unsigned long long)li->size, (unsigned long long)b->size);
        if (!li->digest)
            li->digest = comb_arena_strdup(&img->arena, b->digest);
        if (!li->diff_id)
            li->diff_id = comb_arena_strdup(&img->arena, b->diff_id);
        if (!li->size)
            li->size = b->size;
    }
    return COMB_OK;
}

comb_code comb_image_walk(comb_image *img, const comb_walk_visitor *v, comb_err *err)
{
    comb_code rc;
    img->visitor = v;
    switch (img->kind) {
    case SRC_ROOTFS:
        img->meta.source_kind = "rootfs";
        rc = comb_walk_rootfs(img, err);
        break;
    case SRC_OCI_LAYOUT:
        rc = comb_walk_layout(img, err);
        if (rc == COMB_OK)
            rc = verify(img, err);
        break;
    case SRC_REMOTE:
        rc = comb_walk_remote(img, err);
        if (rc == COMB_OK)
            rc = verify(img, err);
        break;
    default:
        rc = comb_walk_archive(img, err);
        if (img->engine) {
            /* a failed export explains a broken stream better than the stream does */
            comb_err eerr;
            comb_code erc = comb_engine_finish(img, rc != COMB_OK, &eerr);
            if (erc) {
                rc = erc;
                *err = eerr;
            }
            img->meta.source_kind = img->engine;
        }
        if (rc == COMB_OK)
            rc = verify(img, err);
        break;
    }
    /* only verified layers go to a cache */
    if (rc == COMB_OK && v->walked && img->kind != SRC_ROOTFS) {
        for (size_t i = 0; i < img->norder; i++) {
            comb_blob *b = &img->blobs[img->order[i]];
            int first = comb_image_blob_lowest(img, img->order[i]) == (int)i;
            if (first && !b->restored && b->is_layer)
                v->walked(v->ud, img->order[i], img->meta.layers[i].diff_id);
        }
    }
    img->visitor = NULL;
    if (rc && img->kind == SRC_REMOTE)
        comb_err_prefix(err, "registry %s", img->meta.name);
    else if (rc)
        comb_err_prefix(err, "%s", img->meta.target);
    return rc;
}

int comb_image_try_cache(comb_image *img, int blob)
{
    const comb_walk_visitor *v = img->visitor;
    if (!v || !v->cached || !img->selected)
        return 0;
    int pos = comb_image_blob_lowest(img, blob);
    if (pos < 0 || !img->meta.layers[pos].diff_id)
        return 0;
    if (v->cached(v->ud, blob, img->meta.layers[pos].diff_id) != 1 || !img->blobs[blob].restored)
        return 0;
    /* The cache is keyed by content (diff_id); this image may store the same
     * content compressed differently, so its own descriptor names the blob. */
    comb_blob *b = &img->blobs[blob];
    const comb_layer_info *li = &img->meta.layers[pos];
    if (li->digest)
        snprintf(b->digest, sizeof b->digest, "%s", li->digest);
    if (li->declared_size)
        b->size = li->size;
    return 1;
}

int comb_image_layer_export(const comb_image *img, int blob, comb_layer_state *out)
{
    if (blob < 0 || (size_t)blob >= img->nblobs)
        return -1;
    const comb_blob *b = &img->blobs[blob];
    out->digest = b->digest;
    out->diff_id = b->diff_id;
    out->size = b->size;
    out->slots = b->index.slots;
    out->cap = b->index.cap;
    out->n = b->index.n;
    return 0;
}

comb_code comb_image_layer_restore(comb_image *img, int blob, const comb_layer_state *st,
                                   comb_err *err)
{
    if (blob < 0 || (size_t)blob >= img->nblobs)
        return comb_fail(err, COMB_EINVAL, "no such layer");
    comb_blob *b = &img->blobs[blob];
    if (!comb_digest_valid(st->digest) || !comb_digest_valid(st->diff_id) ||
        (st->cap & (st->cap - 1)) || st->n >= st->cap + (st->cap == 0))
        return comb_fail(err, COMB_EFORMAT, "cached layer state is inconsistent");
    uint64_t *slots = NULL;
    if (st->cap) {
        slots = malloc(st->cap * sizeof *slots);
        if (!slots)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        memcpy(slots, st->slots, st->cap * sizeof *slots);
    }
    comb_pathset_free(&b->index);
    b->index.slots = slots;
    b->index.cap = st->cap;
    b->index.n = st->n;
    snprintf(b->digest, sizeof b->digest, "%s", st->digest);
    snprintf(b->diff_id, sizeof b->diff_id, "%s", st->diff_id);
    b->size = st->size;
    b->is_layer = 1;
    b->restored = 1;
    return COMB_OK;
}

void comb_image_close(comb_image *img)
{
    if (!img)
        return;
    comb_close_remote(img);
    comb_close_engine(img);
    for (size_t i = 0; i < img->nblobs; i++)
        comb_pathset_free(&img->blobs[i].index);
    free(img->blobs);
    for (size_t i = 0; i < img->ndocs; i++)
        free(img->docs[i].data);
    free(img->docs);
    free(img->links);
    comb_arena_free(&img->arena);
    free(img);
}

const comb_image_meta *comb_image_meta_get(const comb_image *img) { return &img->meta; }

int comb_image_blob_lowest(const comb_image *img, int blob)
{
    for (size_t i = 0; i < img->norder; i++)
        if (img->order[i] == blob)
            return (int)i;
    return -1;
}

int comb_image_blob_highest(const comb_image *img, int blob)
{
    for (size_t i = img->norder; i-- > 0;)
        if (img->order[i] == blob)
            return (int)i;
    return -1;
}

int comb_image_layer_blob(const comb_image *img, size_t pos)
{
    return pos < img->norder ? img->order[pos] : -1;
}

static int has(const comb_pathset *s, const char *p, size_t n, unsigned tag)
{
    return comb_pathset_has(s, comb_pathset_hash(p, n, tag));
}

int comb_image_visible(const comb_image *img, int blob, const char *path)
{
    if (img->kind == SRC_ROOTFS)
        return 1;
    int pos = comb_image_blob_highest(img, blob);
    if (pos < 0)
        return 0;
    size_t len = strlen(path);
    for (size_t j = (size_t)pos + 1; j < img->norder; j++) {
        const comb_pathset *s = &img->blobs[img->order[j]].index;
        if (has(s, path, len, TAG_ENTRY) || has(s, path, len, TAG_WHITEOUT))
            return 0;
        if (has(s, "", 0, TAG_OPAQUE))
            return 0;
        /* every proper ancestor: replaced by a non-directory, whited out, or made opaque */
        for (size_t k = 0; k < len; k++) {
            if (path[k] != '/')
                continue;
            if (has(s, path, k, TAG_NONDIR) || has(s, path, k, TAG_WHITEOUT) ||
                has(s, path, k, TAG_OPAQUE))
                return 0;
        }
    }
    return 1;
}

int comb_image_layer_has(const comb_image *img, size_t pos, const char *path)
{
    if (img->kind == SRC_ROOTFS)
        return pos == 0;
    if (pos >= img->norder)
        return 0;
    return has(&img->blobs[img->order[pos]].index, path, strlen(path), TAG_NONDIR);
}
