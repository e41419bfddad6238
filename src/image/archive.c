/* archive.c - docker-archive and OCI archive tarballs, in one pass.
 *
 * `docker save` and `podman save` put manifest.json after the layers, and
 * OCI archives store blobs in any order, so the outer tar is read once from
 * start to end: every blob that looks like a layer is walked as it passes
 * (see layer.c), small JSON documents are kept, symlinks (docker's layer
 * de-duplication) are remembered. The image is chosen at the end; layers
 * of other images in the same archive are walked but their results unused.
 * The outer tar may itself be gzip/zstd/xz/bzip2 compressed.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "core/wire.h"
#include "image/image_internal.h"

#define MAX_DOC_SIZE (4u << 20)
#define MAX_DOCS_TOTAL (64u << 20)
#define MAX_LINKS 100000

typedef struct outer_src {
    comb_image *img;
    int fd;
    unsigned char buf[64 * 1024];
} outer_src;

static la_ssize_t outer_read(struct archive *a, void *ud, const void **buf)
{
    (void)a;
    outer_src *o = ud;
    ssize_t n;
    do
        n = read(o->fd, o->buf, sizeof o->buf);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        archive_set_error(a, errno, "read: %s", strerror(errno));
        return -1;
    }
    comb_image_progress(o->img, (uint64_t)n);
    *buf = o->buf;
    return n;
}

/* Take ownership of data (malloc'd) as the document `key`. */
static comb_code keep_doc_owned(comb_image *img, const char *key, unsigned char *data, size_t n,
                                comb_err *err)
{
    char digest[72];
    if (comb_sha256_buf(data, n, digest) != 0) {
        free(data);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    comb_code rc = comb_image_add_doc(img, key, digest, data, n, err);
    if (rc == COMB_OK)
        img->docs_bytes += n;
    return rc;
}

static comb_code keep_doc(comb_image *img, const char *key, struct archive *a,
                          const unsigned char *pre, size_t prelen, int64_t size, comb_err *err)
{
    if (size < 0 || (uint64_t)size > MAX_DOC_SIZE || img->docs_bytes + (uint64_t)size > MAX_DOCS_TOTAL)
        return COMB_OK; /* too big to be a manifest or config: ignore */
    unsigned char *data = malloc((size_t)size + 1);
    if (!data)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    size_t n = prelen < (size_t)size ? prelen : (size_t)size;
    memcpy(data, pre, n);
    while (n < (size_t)size) {
        la_ssize_t r = archive_read_data(a, data + n, (size_t)size - n);
        if (r < 0) {
            free(data);
            return comb_fail(err, COMB_EFORMAT, "%s: %s", key, archive_error_string(a));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    return keep_doc_owned(img, key, data, n, err);
}

static comb_code keep_doc_bytes(comb_image *img, const char *key, const unsigned char *bytes,
                                size_t n, comb_err *err)
{
    if (img->docs_bytes + n > MAX_DOCS_TOTAL)
        return comb_fail(err, COMB_ELIMIT, "cached archive index: documents too large");
    unsigned char *data = malloc(n ? n : 1);
    if (!data)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    memcpy(data, bytes, n);
    return keep_doc_owned(img, key, data, n, err);
}

/* Append a link whose target is already resolved. */
static comb_code add_link(comb_image *img, const char *key, const char *target, comb_err *err)
{
    if (img->nlinks == img->caplinks) {
        size_t cap = img->caplinks ? img->caplinks * 2 : 16;
        comb_link *nl = realloc(img->links, cap * sizeof *nl);
        if (!nl)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        img->links = nl;
        img->caplinks = cap;
    }
    img->links[img->nlinks].key = comb_arena_strdup(&img->arena, key);
    img->links[img->nlinks].target = comb_arena_strdup(&img->arena, target);
    if (!img->links[img->nlinks].key || !img->links[img->nlinks].target)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    img->nlinks++;
    return COMB_OK;
}

static comb_code keep_link(comb_image *img, const char *key, const char *target, comb_err *err)
{
    if (!target || img->nlinks >= MAX_LINKS)
        return COMB_OK;
    char joined[2 * COMB_PATH_MAX + 2], norm[COMB_PATH_MAX + 1];
    if (target[0] == '/')
        snprintf(joined, sizeof joined, "%s", target);
    else
        snprintf(joined, sizeof joined, "%.*s/%s", (int)comb_path_dirlen(key), key, target);
    /* resolve ".." lexically inside the archive */
    char *parts[512];
    int np = 0;
    for (char *save = NULL, *tok = strtok_r(joined, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (!strcmp(tok, "."))
            continue;
        if (!strcmp(tok, "..")) {
            if (np)
                np--;
            continue;
        }
        if (np == 512)
            return COMB_OK;
        parts[np++] = tok;
    }
    size_t o = 0;
    norm[0] = '\0';
    for (int i = 0; i < np; i++) {
        size_t l = strlen(parts[i]);
        if (o + l + 2 > sizeof norm)
            return COMB_OK;
        if (o)
            norm[o++] = '/';
        memcpy(norm + o, parts[i], l);
        o += l;
        norm[o] = '\0';
    }
    return add_link(img, key, norm, err);
}

static const unsigned char *archive_lookup(comb_image *img, const char *digest, size_t *len,
                                           comb_err *err)
{
    char key[100];
    snprintf(key, sizeof key, "blobs/sha256/%s", digest + 7);
    for (size_t i = 0; i < img->ndocs; i++) {
        if (strcmp(img->docs[i].key, key))
            continue;
        if (strcmp(img->docs[i].digest, digest)) {
            comb_fail(err, COMB_EDIGEST, "blob %s: content digest is %s", key, img->docs[i].digest);
            return NULL;
        }
        *len = img->docs[i].len;
        return img->docs[i].data;
    }
    comb_fail(err, COMB_ENOTFOUND, "blob %s is missing from the archive", key);
    return NULL;
}

static int looks_like_layer_name(const char *key)
{
    size_t n = strlen(key);
    return !strncmp(key, "blobs/", 6) || (n > 4 && !strcmp(key + n - 4, ".tar")) ||
           (n > 7 && !strcmp(key + n - 7, ".tar.gz"));
}

static la_int64_t outer_skip(struct archive *a, void *ud, la_int64_t request)
{
    (void)a;
    outer_src *o = ud;
    off_t cur = lseek(o->fd, 0, SEEK_CUR);
    if (cur < 0 || lseek(o->fd, (off_t)request, SEEK_CUR) < 0)
        return 0; /* not seekable: libarchive reads through instead */
    return request;
}

static int find_blob_key(comb_image *img, const char *key)
{
    for (size_t i = 0; i < img->nblobs; i++)
        if (!strcmp(img->blobs[i].key, key))
            return (int)i;
    return -1;
}

static comb_code choose_image(comb_image *img, comb_err *err)
{
    const comb_doc *manifest = NULL, *index = NULL;
    for (size_t i = 0; i < img->ndocs; i++) {
        if (!strcmp(img->docs[i].key, "manifest.json"))
            manifest = &img->docs[i];
        else if (!strcmp(img->docs[i].key, "index.json"))
            index = &img->docs[i];
    }
    if (manifest) {
        img->meta.source_kind = "docker-archive";
        return comb_select_docker(img, manifest->data, manifest->len, err);
    }
    if (index) {
        img->meta.source_kind = "oci-archive";
        return comb_select_oci(img, index->data, index->len, archive_lookup, err);
    }
    return comb_fail(err, COMB_EFORMAT, "not a container image archive (no manifest.json or index.json)");
}

/* One pass over the outer tar.
 *  prepass:            keep documents and links, note layer candidates, skip
 *                      their data by seeking; nothing is decompressed.
 *  walk, image chosen: read only the chosen layers (or restore them from the
 *                      layer cache).
 *  walk, not chosen:   (compressed outer archives) walk every layer
 *                      candidate as it passes and choose at the end. */
static comb_code pass(comb_image *img, int prepass, comb_err *err)
{
    outer_src *o = calloc(1, sizeof *o);
    if (!o)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    o->img = img;
    o->fd = open(img->path, O_RDONLY | O_CLOEXEC);
    if (o->fd < 0) {
        free(o);
        return comb_fail(err, COMB_EIO, "%s", strerror(errno));
    }
    struct archive *a = archive_read_new();
    comb_code rc = COMB_OK;
    int keep = !img->selected; /* documents, links and candidates still to collect */
    if (!a) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_format_tar(a);
    if (prepass)
        archive_read_set_skip_callback(a, outer_skip);
    if (archive_read_open(a, o, NULL, outer_read, NULL) != ARCHIVE_OK) {
        rc = comb_fail(err, COMB_EFORMAT, "not a tar archive: %s", archive_error_string(a));
        goto out;
    }
    size_t nentries = 0;
    for (;;) {
        struct archive_entry *ae;
        int r = archive_read_next_header(a, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            rc = comb_fail(err, COMB_EFORMAT, "%s archive: %s", nentries ? "corrupt" : "not a tar",
                           archive_error_string(a));
            goto out;
        }
        if (++nentries > 10000000) {
            rc = comb_fail(err, COMB_ELIMIT, "too many entries in the archive");
            goto out;
        }
        char key[COMB_PATH_MAX + 1];
        const char *raw = archive_entry_pathname(ae);
        if (!raw || comb_path_normalize(raw, key, sizeof key) <= 0)
            continue;
        mode_t type = archive_entry_filetype(ae);
        if (type == AE_IFLNK) {
            if (keep && (rc = keep_link(img, key, archive_entry_symlink(ae), err)))
                goto out;
            continue;
        }
        if (archive_entry_hardlink(ae)) {
            char tgt[COMB_PATH_MAX + 1];
            if (keep && comb_path_normalize(archive_entry_hardlink(ae), tgt, sizeof tgt) > 0) {
                char rel[COMB_PATH_MAX + 2];
                snprintf(rel, sizeof rel, "/%s", tgt);
                if ((rc = keep_link(img, key, rel, err)))
                    goto out;
            }
            continue;
        }
        if (type != AE_IFREG)
            continue;
        int b = -1;
        if (img->selected) {
            /* only the chosen image's layers, each once */
            b = find_blob_key(img, key);
            if (b < 0 || comb_image_blob_lowest(img, b) < 0 || img->blobs[b].is_layer)
                continue;
            if (comb_image_try_cache(img, b))
                continue;
        }
        int64_t size = archive_entry_size(ae);
        unsigned char pre[512];
        size_t prelen = 0;
        while (prelen < sizeof pre) {
            la_ssize_t n = archive_read_data(a, pre + prelen, sizeof pre - prelen);
            if (n < 0) {
                rc = comb_fail(err, COMB_EFORMAT, "%s: %s", key, archive_error_string(a));
                goto out;
            }
            if (n == 0)
                break;
            prelen += (size_t)n;
        }
        enum comb_sniff kind = comb_sniff_blob(pre, prelen, (uint64_t)(size > 0 ? size : 0));
        if (keep && kind == SNIFF_JSON) {
            if ((rc = keep_doc(img, key, a, pre, prelen, size, err)))
                goto out;
            continue;
        }
        if (b < 0) {
            if (kind != SNIFF_LAYER || !looks_like_layer_name(key))
                continue;
            b = comb_image_add_blob(img, key);
            if (b < 0) {
                rc = comb_fail(err, COMB_ENOMEM, "out of memory");
                goto out;
            }
            img->blobs[b].candidate = 1;
            if (prepass)
                continue; /* its data is skipped by seeking */
        }
        comb_raw_source src = { .fd = -1, .outer = a, .pre = pre, .prelen = prelen };
        comb_err lerr;
        comb_err_clear(&lerr);
        comb_code lrc = comb_layer_walk(img, b, &src, &lerr);
        if (lrc == COMB_ENOMEM || lrc == COMB_ELIMIT) {
            rc = comb_fail(err, lrc, "%s: %s", key, lerr.msg);
            goto out;
        }
        if (lrc) {
            /* reported only if this blob is a layer of the chosen image */
            img->blobs[b].error = lrc;
            img->blobs[b].error_msg = comb_arena_strdup(&img->arena, lerr.msg);
        }
    }
    if (!img->selected) {
        rc = choose_image(img, err);
        if (rc == COMB_OK && prepass)
            img->selected = 1;
    }
out:
    if (a)
        archive_read_free(a);
    close(o->fd);
    free(o);
    return rc;
}

/* When the outer tar is not compressed (docker save and podman save never
 * compress it), a cheap first pass that seeks over the layers finds the
 * manifest and config, so that the image is chosen before any layer is
 * read: only its layers are read, and cached layers not at all. */
comb_code comb_prepass_archive(comb_image *img, comb_err *err)
{
    int fd = open(img->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s", strerror(errno));
    unsigned char head[512];
    ssize_t n = pread(fd, head, sizeof head, 0);
    close(fd);
    int plain = n == (ssize_t)sizeof head && memcmp(head + 257, "ustar", 5) == 0;
    if (!plain) {
        /* A compressed archive cannot be skipped through: a first pass would
         * decompress it all. Choose first only if a cache knows its content. */
        char id[72];
        unsigned char *buf = NULL;
        size_t len = 0;
        if (img->index_lookup && comb_image_identity(img, id) == 0 &&
            img->index_lookup(img->index_ud, id, &buf, &len) == 1) {
            comb_err ierr;
            comb_code rc = comb_image_index_restore(img, buf, len, &ierr);
            free(buf);
            if (rc == COMB_OK && choose_image(img, &ierr) == COMB_OK) {
                img->selected = 1;
                return COMB_OK;
            }
            /* a stale or damaged index: forget it and read the archive */
            img->selected = 0;
        }
        img->chosen_late = 1;
        return COMB_OK;
    }
    comb_code rc = pass(img, 1, err);
    img->done_bytes = 0;
    return rc;
}

comb_code comb_walk_archive(comb_image *img, comb_err *err)
{
    if (img->selected) {
        /* every layer in the cache: the archive need not be read at all */
        int all = 1;
        for (size_t i = 0; i < img->norder; i++) {
            int b = img->order[i];
            if (!img->blobs[b].is_layer && !comb_image_try_cache(img, b))
                all = 0;
        }
        if (all)
            return COMB_OK;
    }
    return pass(img, 0, err);
}

/* --- the archive index, for caches ------------------------------------- */

int comb_image_identity(const comb_image *img, char out[72])
{
    struct stat st;
    char real[PATH_MAX];
    if (img->kind != SRC_ARCHIVE || stat(img->path, &st) != 0 || !realpath(img->path, real))
        return -1;
    char buf[PATH_MAX + 160];
    int n = snprintf(buf, sizeof buf, "archive|%s|%llu|%llu|%lld|%lld.%09ld", real,
                     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                     (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return n < 0 ? -1 : comb_sha256_buf(buf, (size_t)n, out);
}

int comb_image_chosen_late(const comb_image *img)
{
    return img->kind == SRC_ARCHIVE && img->chosen_late && !img->selected;
}

comb_code comb_image_index_save(const comb_image *img, unsigned char **buf, size_t *len,
                                comb_err *err)
{
    comb_wbuf b = { 0 };
    comb_wbuf_put(&b, "COMBIX01", 8);
    comb_wbuf_u64(&b, img->ndocs);
    for (size_t i = 0; i < img->ndocs; i++) {
        comb_wbuf_bytes(&b, img->docs[i].key, strlen(img->docs[i].key));
        comb_wbuf_bytes(&b, img->docs[i].data, img->docs[i].len);
    }
    comb_wbuf_u64(&b, img->nlinks);
    for (size_t i = 0; i < img->nlinks; i++) {
        comb_wbuf_bytes(&b, img->links[i].key, strlen(img->links[i].key));
        comb_wbuf_bytes(&b, img->links[i].target, strlen(img->links[i].target));
    }
    uint64_t nc = 0;
    for (size_t i = 0; i < img->nblobs; i++)
        nc += img->blobs[i].candidate;
    comb_wbuf_u64(&b, nc);
    for (size_t i = 0; i < img->nblobs; i++)
        if (img->blobs[i].candidate)
            comb_wbuf_bytes(&b, img->blobs[i].key, strlen(img->blobs[i].key));
    if (b.oom) {
        free(b.p);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    *buf = b.p;
    *len = b.n;
    return COMB_OK;
}

static char *iget_str(comb_image *img, comb_rbuf *r)
{
    size_t n;
    const unsigned char *p = comb_rbuf_bytes(r, COMB_PATH_MAX, &n);
    if (!p || memchr(p, 0, n)) {
        r->bad = 1;
        return NULL;
    }
    char *s = comb_arena_strndup(&img->arena, (const char *)p, n);
    if (!s)
        r->bad = 1;
    return s;
}

comb_code comb_image_index_restore(comb_image *img, const unsigned char *buf, size_t len,
                                   comb_err *err)
{
    comb_rbuf r = { buf, len, 8, len < 8 || memcmp(buf, "COMBIX01", 8) != 0 };
    uint64_t nd = comb_rbuf_u64(&r);
    if (nd > 100000)
        r.bad = 1;
    for (uint64_t i = 0; i < nd && !r.bad; i++) {
        char *key = iget_str(img, &r);
        size_t dl;
        const unsigned char *data = comb_rbuf_bytes(&r, MAX_DOC_SIZE, &dl);
        if (!data)
            r.bad = 1;
        if (r.bad)
            break;
        if (keep_doc_bytes(img, key, data, dl, err) != COMB_OK)
            return err->code;
    }
    uint64_t nl = comb_rbuf_u64(&r);
    if (nl > MAX_LINKS)
        r.bad = 1;
    for (uint64_t i = 0; i < nl && !r.bad; i++) {
        char *key = iget_str(img, &r), *target = iget_str(img, &r);
        if (r.bad)
            break;
        if (add_link(img, key, target, err) != COMB_OK)
            return err->code;
    }
    uint64_t nc = comb_rbuf_u64(&r);
    if (nc > 100000)
        r.bad = 1;
    for (uint64_t i = 0; i < nc && !r.bad; i++) {
        char *key = iget_str(img, &r);
        if (r.bad)
            break;
        int b = comb_image_add_blob(img, key);
        if (b < 0)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        img->blobs[b].candidate = 1;
    }
    if (r.bad || r.off != r.n)
        return comb_fail(err, COMB_EFORMAT, "cached archive index is damaged");
    return COMB_OK;
}
