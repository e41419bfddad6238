/* layout.c - OCI image layout directories (oci-layout, index.json,
 * blobs/sha256/<hex>). The image is chosen when the target is opened; the
 * walk then streams only the chosen layers from their blob files. Blob names
 * are checked to be sha256 digests, so no path outside blobs/ is opened. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "core/readfile.h"
#include "image/image_internal.h"

#define MAX_DOC_SIZE (4u << 20)

/* Open `rel` inside the layout directory, refusing symlinks that lead out
 * of it (a blob that is a symlink to /etc/shadow must not be read). */
int comb_layout_open_beneath(const char *root, const char *rel, int flags)
{
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
                            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
    int fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof how);
    if (fd < 0 && errno == ENOSYS)
        fd = openat(dfd, rel, flags | O_CLOEXEC | O_NOFOLLOW); /* kernels before 5.6 */
    int e = errno;
    close(dfd);
    errno = e;
    return fd;
}

comb_code comb_layout_read(const char *root, const char *rel, unsigned char **out, size_t *len,
                           comb_err *err)
{
    int fd = comb_layout_open_beneath(root, rel, O_RDONLY);
    if (fd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "%s: %s",
                         rel, errno == EXDEV || errno == ELOOP ? "leads out of the layout"
                                                                 : strerror(errno));
    return comb_read_fd(fd, MAX_DOC_SIZE, rel, out, len, err);
}

static const unsigned char *layout_lookup(comb_image *img, const char *digest, size_t *len,
                                          comb_err *err)
{
    char key[100];
    snprintf(key, sizeof key, "blobs/sha256/%s", digest + 7);
    for (size_t i = 0; i < img->ndocs; i++)
        if (!strcmp(img->docs[i].key, key)) {
            *len = img->docs[i].len;
            return img->docs[i].data;
        }
    if (img->ndocs == img->capdocs) {
        size_t cap = img->capdocs ? img->capdocs * 2 : 8;
        comb_doc *nd = realloc(img->docs, cap * sizeof *nd);
        if (!nd) {
            comb_fail(err, COMB_ENOMEM, "out of memory");
            return NULL;
        }
        img->docs = nd;
        img->capdocs = cap;
    }
    comb_doc *d = &img->docs[img->ndocs];
    memset(d, 0, sizeof *d);
    if (comb_layout_read(img->path, key, &d->data, &d->len, err))
        return NULL;
    if (comb_sha256_buf(d->data, d->len, d->digest) != 0) {
        free(d->data);
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    if (strcmp(d->digest, digest)) {
        comb_fail(err, COMB_EDIGEST, "blob %s: content digest is %s", key, d->digest);
        free(d->data);
        return NULL;
    }
    d->key = comb_arena_strdup(&img->arena, key);
    img->ndocs++;
    *len = d->len;
    return d->data;
}

comb_code comb_open_layout(comb_image *img, comb_err *err)
{
    unsigned char *data;
    size_t len;
    comb_code rc = comb_layout_read(img->path, "oci-layout", &data, &len, err);
    if (rc == COMB_OK) {
        int ok = len > 0 && memmem(data, len, "imageLayoutVersion", 18) != NULL;
        free(data);
        if (!ok)
            return comb_fail(err, COMB_EFORMAT, "oci-layout: no imageLayoutVersion");
    } else if (rc != COMB_ENOTFOUND) {
        return rc;
    }
    rc = comb_layout_read(img->path, "index.json", &data, &len, err);
    if (rc)
        return rc;
    rc = comb_select_oci(img, data, len, layout_lookup, err);
    free(data);
    img->selected = rc == COMB_OK;
    if (rc == COMB_OK)
        for (size_t i = 0; i < img->norder; i++)
            img->total_bytes += img->meta.layers[i].size;
    return rc;
}

comb_code comb_walk_layout(comb_image *img, comb_err *err)
{
    for (size_t i = 0; i < img->norder; i++) {
        int b = img->order[i];
        if (img->blobs[b].is_layer)
            continue; /* the same blob used twice */
        if (comb_image_try_cache(img, b))
            continue; /* results restored from the layer cache */
        int fd = comb_layout_open_beneath(img->path, img->blobs[b].key, O_RDONLY);
        struct stat st;
        if (fd < 0)
            return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO,
                             "layer %zu: %s: %s", i + 1, img->blobs[b].key,
                             errno == EXDEV || errno == ELOOP ? "leads out of the layout"
                                                              : strerror(errno));
        if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
            close(fd);
            return comb_fail(err, COMB_EFORMAT, "layer %zu: %s: not a regular file", i + 1,
                             img->blobs[b].key);
        }
        comb_raw_source src = { .fd = fd };
        comb_code rc = comb_layer_walk(img, b, &src, err);
        close(fd);
        if (rc) {
            comb_err_prefix(err, "layer %zu (%s)", i + 1, img->blobs[b].key);
            return rc;
        }
    }
    return COMB_OK;
}
