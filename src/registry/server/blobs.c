/* blobs.c - see blobs.h. */
#include "registry/server/blobs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/readfile.h"
#include "registry/server/parse.h"

static int sub(char *out, size_t sz, const comb_blobs *b, const char *fmt, const char *a,
               const char *c)
{
    int n = snprintf(out, sz, fmt, b->root, a, c);
    return n < 0 || (size_t)n >= sz ? -1 : 0;
}

static int blob_path(const comb_blobs *b, const char *digest, char *out, size_t sz)
{
    if (!comb_digest_valid(digest))
        return -1;
    char two[3] = {digest[7], digest[8], 0};
    return sub(out, sz, b, "%s/blobs/sha256/%s/%s", two, digest + 7);
}

static int upload_path(const comb_blobs *b, const char *id, char *out, size_t sz)
{
    if (!comb_rs_valid_id(id))
        return -1;
    return sub(out, sz, b, "%s/uploads/%s%s", id, "");
}

static int fsync_dir(const char *path)
{
    char d[4096];
    snprintf(d, sizeof d, "%s", path);
    char *slash = strrchr(d, '/');
    if (slash)
        *slash = '\0';
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

comb_code comb_blobs_open(comb_blobs *b, const char *root, comb_err *err)
{
    int n = snprintf(b->root, sizeof b->root, "%s", root);
    if (n < 0 || (size_t)n >= sizeof b->root - 200)
        return comb_fail(err, COMB_EINVAL, "%s: path too long", root);
    static const char *dirs[] = {"", "/blobs", "/blobs/sha256", "/uploads"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", root, dirs[i]);
        if (mkdir(p, 0700) && errno != EEXIST)
            return comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
    }
    return COMB_OK;
}

comb_code comb_blobs_upload_create(comb_blobs *b, const char *id, comb_err *err)
{
    char p[4096];
    if (upload_path(b, id, p, sizeof p))
        return comb_fail(err, COMB_EINVAL, "upload id %s: invalid", id);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
    close(fd);
    return COMB_OK;
}

comb_code comb_blobs_upload_open(comb_blobs *b, const char *id, int *fd, uint64_t *size,
                                 comb_err *err)
{
    char p[4096];
    struct stat st;
    if (upload_path(b, id, p, sizeof p))
        return comb_fail(err, COMB_EINVAL, "upload id %s: invalid", id);
    *fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (*fd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "upload %s: %s", id,
                         strerror(errno));
    if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        return comb_fail(err, COMB_EIO, "upload %s: not a file", id);
    }
    *size = (uint64_t)st.st_size;
    return COMB_OK;
}

comb_code comb_blobs_upload_size(comb_blobs *b, const char *id, uint64_t *size, comb_err *err)
{
    char p[4096];
    struct stat st;
    if (upload_path(b, id, p, sizeof p))
        return comb_fail(err, COMB_EINVAL, "upload id %s: invalid", id);
    if (lstat(p, &st) || !S_ISREG(st.st_mode))
        return comb_fail(err, COMB_ENOTFOUND, "upload %s: absent", id);
    *size = (uint64_t)st.st_size;
    return COMB_OK;
}

/* fsync src, rename it to the blob's path (making the fan-out directory),
 * fsync that directory. */
static comb_code publish(comb_blobs *b, const char *src, int fd, const char *digest, comb_err *err)
{
    char dst[4096], dir[4096];
    if (blob_path(b, digest, dst, sizeof dst))
        return comb_fail(err, COMB_EINVAL, "digest %s: invalid", digest);
    if (fd >= 0 && fsync(fd))
        return comb_fail(err, COMB_EIO, "%s: fsync: %s", src, strerror(errno));
    snprintf(dir, sizeof dir, "%s", dst);
    *strrchr(dir, '/') = '\0';
    if (mkdir(dir, 0700) && errno != EEXIST)
        return comb_fail(err, COMB_EIO, "%s: %s", dir, strerror(errno));
    struct stat st;
    if (!lstat(dst, &st) && S_ISREG(st.st_mode)) {
        unlink(src); /* the same content is already there */
        return COMB_OK;
    }
    if (rename(src, dst))
        return comb_fail(err, COMB_EIO, "%s: rename: %s", dst, strerror(errno));
    if (fsync_dir(dst))
        return comb_fail(err, COMB_EIO, "%s: fsync: %s", dir, strerror(errno));
    return COMB_OK;
}

comb_code comb_blobs_upload_commit(comb_blobs *b, const char *id, const char *digest,
                                   uint64_t *size, comb_err *err)
{
    char p[4096];
    if (upload_path(b, id, p, sizeof p) || !comb_digest_valid(digest))
        return comb_fail(err, COMB_EINVAL, "upload %s: invalid id or digest", id);
    int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return comb_fail(err, COMB_ENOTFOUND, "upload %s: %s", id, strerror(errno));
    comb_sha256 h;
    if (comb_sha256_init(&h)) {
        close(fd);
        return comb_fail(err, COMB_ENOMEM, "sha256: cannot initialise");
    }
    static __thread unsigned char buf[1 << 16];
    uint64_t total = 0;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        comb_sha256_update(&h, buf, (size_t)r);
        total += (uint64_t)r;
    }
    char got[72];
    comb_sha256_final(&h, got);
    comb_code rc;
    if (r < 0)
        rc = comb_fail(err, COMB_EIO, "upload %s: %s", id, strerror(errno));
    else if (strcmp(got, digest))
        rc = comb_fail(err, COMB_EDIGEST, "upload %s: content is %s, not %s", id, got, digest);
    else
        rc = publish(b, p, fd, digest, err);
    close(fd);
    if (rc == COMB_OK)
        *size = total;
    return rc;
}

void comb_blobs_upload_remove(comb_blobs *b, const char *id)
{
    char p[4096];
    if (!upload_path(b, id, p, sizeof p))
        unlink(p);
}

comb_code comb_blobs_put(comb_blobs *b, const void *data, size_t len, char digest[72],
                         comb_err *err)
{
    char id[33], p[4096];
    if (comb_sha256_buf(data, len, digest) || comb_rs_new_id(id) ||
        upload_path(b, id, p, sizeof p))
        return comb_fail(err, COMB_ENOMEM, "storing a blob: no hash or random id");
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", p, strerror(errno));
    int e = comb_write_fd_sync(fd, data, len); /* closes fd */
    comb_code rc = e ? comb_fail(err, COMB_EIO, "%s: %s", p, strerror(e))
                     : publish(b, p, -1, digest, err);
    if (rc != COMB_OK)
        unlink(p);
    return rc;
}

comb_code comb_blobs_open_blob(comb_blobs *b, const char *digest, int *fd, uint64_t *size,
                               comb_err *err)
{
    char p[4096];
    struct stat st;
    if (blob_path(b, digest, p, sizeof p))
        return comb_fail(err, COMB_EINVAL, "digest %s: invalid", digest);
    *fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (*fd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "blob %s: %s", digest,
                         strerror(errno));
    if (fstat(*fd, &st) || !S_ISREG(st.st_mode)) {
        close(*fd);
        return comb_fail(err, COMB_EIO, "blob %s: not a file", digest);
    }
    *size = (uint64_t)st.st_size;
    return COMB_OK;
}

comb_code comb_blobs_read(comb_blobs *b, const char *digest, size_t max, unsigned char **data,
                          size_t *len, comb_err *err)
{
    int fd;
    uint64_t size;
    comb_code rc = comb_blobs_open_blob(b, digest, &fd, &size, err);
    if (rc != COMB_OK)
        return rc;
    return comb_read_fd(fd, max, digest, data, len, err); /* closes fd */
}

void comb_blobs_remove(comb_blobs *b, const char *digest)
{
    char p[4096];
    if (!blob_path(b, digest, p, sizeof p))
        unlink(p);
}
