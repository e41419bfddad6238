/* file.c - see file.h. */
#include "core/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

comb_code comb_read_small_fd(int fd, const char *name, size_t max, unsigned char **out,
                             size_t *len, comb_err *err)
{
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
        close(fd);
        return comb_fail(err, COMB_EFORMAT, "%s: not a regular file of at most %zu bytes", name,
                         max);
    }
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    size_t n = 0;
    while (buf && n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return COMB_OK;
}
