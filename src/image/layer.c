/* layer.c - stream one layer (a tar, gzip/zstd/xz/bzip2 compressed or not).
 *
 * Two libarchive readers in a row: the first only decompresses ("raw"
 * format) so that both the blob digest (compressed bytes) and the diff_id
 * (uncompressed bytes) can be computed on the way; the second parses the tar.
 * Nothing is written to disk. Whiteouts are recorded in the layer's index,
 * not applied (see image.h). Entry paths are normalised; unsafe ones ("..")
 * are skipped with a warning, since a runtime would refuse them.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hashpipe.h"
#include "core/path.h"
#include "image/image_internal.h"

#define RAW_BUF COMB_HASHPIPE_BUF
#define TAR_BUF COMB_HASHPIPE_BUF
enum { RAW_STREAM = 0, TAR_STREAM = 1 };

typedef struct layer_ctx {
    comb_image *img;
    int blob;
    comb_raw_source *src;
    size_t prepos;
    comb_hashpipe *hp;   /* digests of both streams, hashed on another core */
    int identity;        /* not compressed: the diff_id is the blob digest */
    uint64_t raw_bytes, tar_bytes;
    struct archive *dec; /* decompressor */
    struct archive *tar;
    comb_err *err;
    int failed;          /* err filled by a callback */
} layer_ctx;

static la_ssize_t raw_read(struct archive *a, void *ud, const void **buf)
{
    (void)a;
    layer_ctx *c = ud;
    comb_raw_source *s = c->src;
    ssize_t n;
    unsigned char *rawbuf = comb_hashpipe_buffer(c->hp, RAW_STREAM);
    if (c->prepos < s->prelen) {
        n = (ssize_t)(s->prelen - c->prepos);
        if ((size_t)n > RAW_BUF)
            n = RAW_BUF;
        memcpy(rawbuf, s->pre + c->prepos, (size_t)n);
        c->prepos += (size_t)n;
    } else if (s->pull) {
        n = s->pull(s->pull_ud, rawbuf, RAW_BUF, c->err);
        if (n < 0) {
            c->failed = 1;
            return -1;
        }
    } else if (s->fd >= 0) {
        do
            n = read(s->fd, rawbuf, RAW_BUF);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            comb_fail(c->err, COMB_EIO, "read failed: %s", strerror(errno));
            c->failed = 1;
            return -1;
        }
    } else {
        n = archive_read_data(s->outer, rawbuf, RAW_BUF);
        if (n < 0) {
            comb_fail(c->err, COMB_EFORMAT, "archive read failed: %s",
                      archive_error_string(s->outer));
            c->failed = 1;
            return -1;
        }
    }
    comb_hashpipe_submit(c->hp, RAW_STREAM, (size_t)n);
    c->raw_bytes += (uint64_t)n;
    if (c->identity && c->raw_bytes > c->img->max_layer_size) {
        comb_fail(c->err, COMB_ELIMIT,
                  "layer is larger than %llu bytes (limit; see --max-layer-size)",
                  (unsigned long long)c->img->max_layer_size);
        c->failed = 1;
        return -1;
    }
    if (s->fd >= 0 || s->pull)
        comb_image_progress(c->img, (uint64_t)n); /* archives count their own bytes */
    *buf = rawbuf;
    return n;
}

static la_ssize_t tar_read(struct archive *a, void *ud, const void **buf)
{
    (void)a;
    layer_ctx *c = ud;
    unsigned char *tarbuf = comb_hashpipe_buffer(c->hp, TAR_STREAM);
    la_ssize_t n = archive_read_data(c->dec, tarbuf, TAR_BUF);
    if (n < 0) {
        if (!c->failed)
            comb_fail(c->err, COMB_EFORMAT, "decompression failed: %s",
                      archive_error_string(c->dec));
        c->failed = 1;
        return -1;
    }
    c->tar_bytes += (uint64_t)n;
    if (c->tar_bytes > c->img->max_layer_size) {
        comb_fail(c->err, COMB_ELIMIT,
                  "layer decompresses to more than %llu bytes (limit; see --max-layer-size)",
                  (unsigned long long)c->img->max_layer_size);
        c->failed = 1;
        return -1;
    }
    comb_hashpipe_submit(c->hp, TAR_STREAM, (size_t)n);
    *buf = tarbuf;
    return n;
}

static ssize_t entry_read(void *opaque, void *buf, size_t len)
{
    layer_ctx *c = opaque;
    if (c->failed)
        return -1;
    la_ssize_t n = archive_read_data(c->tar, buf, len);
    if (n < 0) {
        if (!c->failed)
            comb_fail(c->err, COMB_EFORMAT, "tar read failed: %s", archive_error_string(c->tar));
        c->failed = 1;
        return -1;
    }
    return n;
}

static int index_add(comb_blob *b, const char *p, size_t len, unsigned tag)
{
    return comb_pathset_add(&b->index, comb_pathset_hash(p, len, tag));
}

/* Record the entry in the layer index; returns 1 if it is a whiteout. */
static int record_entry(comb_blob *b, const char *path, int is_dir, int *oom)
{
    const char *base = comb_path_base(path);
    size_t dl = comb_path_dirlen(path);
    int r = 0;
    if (strncmp(base, ".wh.", 4) == 0) {
        if (strcmp(base, ".wh..wh..opq") == 0)
            r = index_add(b, path, dl, TAG_OPAQUE);
        else if (strncmp(base, ".wh..wh.", 8) == 0)
            r = 0; /* aufs bookkeeping (.wh..wh.plnk etc.): not a file */
        else {
            char tmp[COMB_PATH_MAX + 1];
            size_t bl = strlen(base + 4);
            if (dl + 1 + bl < sizeof tmp && bl > 0) {
                size_t o = 0;
                if (dl) {
                    memcpy(tmp, path, dl);
                    tmp[dl] = '/';
                    o = dl + 1;
                }
                memcpy(tmp + o, base + 4, bl);
                r = index_add(b, tmp, o + bl, TAG_WHITEOUT);
            }
        }
        if (r)
            *oom = 1;
        return 1;
    }
    size_t len = strlen(path);
    if (index_add(b, path, len, TAG_ENTRY) || (!is_dir && index_add(b, path, len, TAG_NONDIR)))
        *oom = 1;
    return 0;
}

static int is_compressed(const unsigned char *p, size_t n)
{
    return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
           (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) ||
           (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0) || (n >= 3 && memcmp(p, "BZh", 3) == 0);
}

comb_code comb_layer_walk(comb_image *img, int blob, comb_raw_source *src, comb_err *err)
{
    layer_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_blob *b = &img->blobs[blob];
    comb_code rc = COMB_OK;
    c->img = img;
    c->blob = blob;
    c->src = src;
    c->err = err;
    b->is_layer = 1;
    if (!(c->hp = comb_hashpipe_new())) {
        rc = comb_fail(err, COMB_ENOMEM, "cannot initialise SHA-256");
        goto out;
    }
    /* Sniff the first bytes: an uncompressed layer is fed straight to the
     * tar reader (one copy less), and its diff_id is its blob digest. */
    unsigned char head[512];
    if (src->prelen == 0 && (src->fd >= 0 || src->pull)) {
        ssize_t n;
        size_t got = 0;
        while (got < sizeof head) {
            n = src->pull ? src->pull(src->pull_ud, head + got, sizeof head - got, err)
                          : read(src->fd, head + got, sizeof head - got);
            if (n < 0 && src->pull) {
                rc = err->code ? err->code : COMB_EIO;
                goto out;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        src->pre = head;
        src->prelen = got;
    }
    c->identity = !is_compressed(src->pre, src->prelen);
    struct archive_entry *ae;
    c->tar = archive_read_new();
    if (!c->tar) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    if (!c->identity) {
        c->dec = archive_read_new();
        if (!c->dec) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
            goto out;
        }
        archive_read_support_filter_gzip(c->dec);
        archive_read_support_filter_zstd(c->dec);
        archive_read_support_filter_xz(c->dec);
        archive_read_support_filter_bzip2(c->dec);
        archive_read_support_format_raw(c->dec);
        if (archive_read_open(c->dec, c, NULL, raw_read, NULL) != ARCHIVE_OK ||
            archive_read_next_header(c->dec, &ae) != ARCHIVE_OK) {
            if (!c->failed)
                comb_fail(err, COMB_EFORMAT, "not a layer: %s", archive_error_string(c->dec));
            rc = err->code ? err->code : COMB_EFORMAT;
            goto out;
        }
    }
    archive_read_support_format_tar(c->tar);
    if (archive_read_open(c->tar, c, NULL, c->identity ? raw_read : tar_read, NULL) != ARCHIVE_OK) {
        if (!c->failed)
            comb_fail(err, COMB_EFORMAT, "not a tar layer: %s", archive_error_string(c->tar));
        rc = err->code ? err->code : COMB_EFORMAT;
        goto out;
    }

    char label[128];
    snprintf(label, sizeof label, "layer %.19s", b->key);
    uint64_t nentries = 0, unsafe = 0;
    int oom = 0;
    for (;;) {
        int r = archive_read_next_header(c->tar, &ae);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_WARN)
            r = ARCHIVE_OK;
        if (r != ARCHIVE_OK) {
            if (!c->failed)
                comb_fail(err, COMB_EFORMAT, "corrupt tar: %s", archive_error_string(c->tar));
            rc = err->code ? err->code : COMB_EFORMAT;
            goto out;
        }
        if (++nentries > COMB_MAX_LAYER_ENTRIES) {
            rc = comb_fail(err, COMB_ELIMIT, "more than %llu entries in one layer",
                           (unsigned long long)COMB_MAX_LAYER_ENTRIES);
            goto out;
        }
        const char *raw = archive_entry_pathname(ae);
        char path[COMB_PATH_MAX + 1];
        if (!raw || comb_path_normalize(raw, path, sizeof path) < 0) {
            if (unsafe++ < 5)
                comb_image_warn(img, "%s: skipped unsafe or overlong path \"%.200s\"", label,
                                raw ? raw : "(none)");
            continue;
        }
        if (!path[0])
            continue; /* the root directory itself */
        mode_t type = archive_entry_filetype(ae);
        if (record_entry(b, path, type == AE_IFDIR, &oom))
            continue;
        if (oom) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory indexing layer");
            goto out;
        }
        const char *hl = archive_entry_hardlink(ae);
        comb_entry e = { .path = path,
                         .mode = (uint32_t)archive_entry_mode(ae),
                         .size = archive_entry_size(ae),
                         .uid = (uint32_t)archive_entry_uid(ae),
                         .gid = (uint32_t)archive_entry_gid(ae) };
        if (img->visitor->entry) /* whiteouts left above */
            img->visitor->entry(img->visitor->ud, blob, &e);
        if (type != AE_IFREG && !hl)
            continue; /* analyzers read regular files */
        if (hl) {
            /* no data of its own: the pipeline copies what the target gave */
            char target[COMB_PATH_MAX + 1];
            e.mode = (e.mode & 07777) | 0100000;
            if (!img->visitor->hardlink || comb_path_normalize(hl, target, sizeof target) <= 0 ||
                !img->visitor->want(img->visitor->ud, &e))
                continue;
            rc = img->visitor->hardlink(img->visitor->ud, blob, &e, target, err);
            if (rc)
                goto out;
            continue;
        }
        if (!img->visitor->want(img->visitor->ud, &e))
            continue;
        comb_reader rd = { .read = entry_read, .opaque = c };
        rc = img->visitor->file(img->visitor->ud, blob, label, &e, &rd, err);
        if (c->failed)
            rc = err->code ? err->code : COMB_EFORMAT;
        if (rc != COMB_OK)
            goto out;
    }
    if (unsafe > 5)
        comb_image_warn(img, "%s: %llu unsafe paths skipped in all", label,
                        (unsigned long long)unsafe);
    /* Drain both streams so that the digests cover every byte. */
    while (!c->identity) {
        const void *p;
        la_ssize_t n = tar_read(NULL, c, &p);
        if (n == 0)
            break;
        if (n < 0) {
            rc = err->code ? err->code : COMB_EFORMAT;
            goto out;
        }
    }
    {
        const void *p;
        la_ssize_t n;
        while ((n = raw_read(NULL, c, &p)) > 0)
            ;
        if (n < 0) {
            rc = err->code ? err->code : COMB_EIO;
            goto out;
        }
    }
    /* the readers go first: they may point into the hash pipe's buffers */
    archive_read_free(c->tar);
    archive_read_free(c->dec);
    c->tar = c->dec = NULL;
    comb_hashpipe_finish(c->hp, b->digest, b->diff_id);
    c->hp = NULL;
    if (c->identity)
        memcpy(b->diff_id, b->digest, sizeof b->diff_id);
    b->size = c->raw_bytes;
out:
    if (c->tar)
        archive_read_free(c->tar);
    if (c->dec)
        archive_read_free(c->dec);
    comb_hashpipe_free(c->hp);
    free(c);
    return rc;
}

enum comb_sniff comb_sniff_blob(const unsigned char *p, size_t n, uint64_t size)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return SNIFF_LAYER;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return SNIFF_LAYER;
    if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
        return SNIFF_LAYER;
    if (n >= 3 && memcmp(p, "BZh", 3) == 0)
        return SNIFF_LAYER;
    if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
        return SNIFF_LAYER;
    if (n >= 512 && size >= 1024) {
        size_t i = 0;
        while (i < 512 && p[i] == 0)
            i++;
        if (i == 512)
            return SNIFF_LAYER; /* an empty tar: two zero blocks */
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')
            continue;
        return (p[i] == '{' || p[i] == '[') ? SNIFF_JSON : SNIFF_OTHER;
    }
    return SNIFF_OTHER;
}
