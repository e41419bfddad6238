/* readfile.c - whole small files: bounded reads, durable writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/readfile.h"

comb_code comb_read_fd(int fd, size_t max, const char *name, unsigned char **out, size_t *len,
                       comb_err *err)
{
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > (uint64_t)max) {
        close(fd);
        return comb_fail(err, COMB_EFORMAT, "%s: not a regular file of at most %zu bytes", name, max);
    }
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    size_t n = comb_read_upto(fd, buf, (size_t)st.st_size);
    close(fd);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return COMB_OK;
}

size_t comb_read_upto(int fd, void *buf, size_t cap)
{
    unsigned char *p = buf;
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, p + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    return n;
}

char *comb_read_unsized(const char *path, size_t max, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0)
        return NULL;
    size_t cap = max < 4096 ? max : 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        if (n == cap) {
            if (cap >= max)
                break;
            cap = cap > max / 2 ? max : cap * 2;
            char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t want = cap - n, got = comb_read_upto(fd, buf + n, want);
        n += got;
        if (got < want)
            break; /* end of file or an error */
    }
    close(fd);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

int comb_write_fd_sync(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t off = 0;
    int e = 0;
    while (off < len && !e) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            e = w < 0 ? errno : EIO;
        else
            off += (size_t)w;
    }
    if (!e && fsync(fd))
        e = errno;
    if (close(fd) && !e)
        e = errno;
    return e;
}
