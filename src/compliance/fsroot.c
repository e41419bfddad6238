/* fsroot.c - root-confined file access (see fsroot.h). */
#include "compliance/fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

comb_code comb_fsroot_open(comb_fsroot *r, const char *dir, comb_err *err)
{
    memset(r, 0, sizeof *r);
    r->live = dir == NULL;
    const char *d = dir ? dir : "/";
    if (strlen(d) >= sizeof r->root)
        return comb_fail(err, COMB_ELIMIT, "--root: path longer than %zu bytes", sizeof r->root - 1);
    strcpy(r->root, d);
    r->dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->dfd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "%s: %s", d,
                         strerror(errno));
    /* Refuse to run where the kernel cannot confine lookups (before 5.6):
     * reading a mounted host through its own absolute symlinks would read
     * ours instead. */
    struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
    int fd = (int)syscall(SYS_openat2, r->dfd, ".", &how, sizeof how);
    if (fd < 0 && errno == ENOSYS && r->live)
        return COMB_OK; /* an old kernel: plain lookups from "/" are the same thing */
    if (fd < 0) {
        int e = errno;
        close(r->dfd);
        r->dfd = -1;
        return comb_fail(err, COMB_EUNSUPPORTED, "%s: openat2(RESOLVE_IN_ROOT) unavailable: %s", d,
                         strerror(e));
    }
    close(fd);
    r->confined = 1;
    return COMB_OK;
}

void comb_fsroot_close(comb_fsroot *r)
{
    if (r->dfd >= 0)
        close(r->dfd);
    r->dfd = -1;
}

int comb_fsroot_openat(const comb_fsroot *r, const char *path, int flags)
{
    while (*path == '/')
        path++;
    if (!*path)
        path = ".";
    if (!r->confined)
        return openat(r->dfd, path, flags | O_CLOEXEC);
    struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC),
                            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
    return (int)syscall(SYS_openat2, r->dfd, path, &how, sizeof how);
}

int comb_fsroot_stat(const comb_fsroot *r, const char *path, struct stat *st)
{
    int fd = comb_fsroot_openat(r, path, O_PATH);
    if (fd < 0)
        return -1;
    int rc = fstat(fd, st);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

comb_code comb_fsroot_read(const comb_fsroot *r, const char *path, size_t max, char **out,
                           size_t *len, comb_err *err)
{
    *out = NULL;
    *len = 0;
    int fd = comb_fsroot_openat(r, path, O_RDONLY | O_NONBLOCK);
    if (fd < 0)
        return comb_fail(err, errno == ENOENT || errno == ENOTDIR ? COMB_ENOTFOUND : COMB_EIO,
                         "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return comb_fail(err, COMB_EFORMAT, "%s: not a regular file", path);
    }
    /* Files under /proc and /sys report size 0: read up to max instead. */
    if (st.st_size > 0 && (size_t)st.st_size > max) {
        close(fd);
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %zu bytes", path, max);
    }
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    char *buf = malloc(cap);
    size_t n = 0;
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > max) {
                free(buf);
                close(fd);
                return comb_fail(err, COMB_ELIMIT, "%s: larger than %zu bytes", path, max);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", path);
    if (n > max) {
        free(buf);
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %zu bytes", path, max);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return COMB_OK;
}

DIR *comb_fsroot_opendir(const comb_fsroot *r, const char *path)
{
    int fd = comb_fsroot_openat(r, path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return d;
}

typedef struct glob_state {
    const comb_fsroot *r;
    int (*fn)(void *, const char *);
    void *ud;
    int matches;
    int stop;
} glob_state;

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_wildcard(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return 1;
    return 0;
}

/* `path` holds the part matched so far (no wildcards), `rest` what is left. */
static void glob_walk(glob_state *g, char *path, size_t plen, const char *rest, int depth)
{
    while (*rest == '/')
        rest++;
    if (g->stop || g->matches >= COMB_FSROOT_MAX_GLOB || depth > 64)
        return;
    if (!*rest) {
        struct stat st;
        if (comb_fsroot_stat(g->r, path, &st) != 0)
            return;
        g->matches++;
        int rc = g->fn(g->ud, path);
        if (rc)
            g->stop = rc;
        return;
    }
    const char *slash = strchr(rest, '/');
    size_t clen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (plen + 1 + clen >= 4096)
        return;
    if (!has_wildcard(rest, clen)) {
        path[plen] = '/';
        memcpy(path + plen + 1, rest, clen);
        path[plen + 1 + clen] = '\0';
        glob_walk(g, path, plen + 1 + clen, rest + clen, depth + 1);
        path[plen] = '\0';
        return;
    }
    char pat[256];
    if (clen >= sizeof pat)
        return;
    memcpy(pat, rest, clen);
    pat[clen] = '\0';
    DIR *d = comb_fsroot_opendir(g->r, plen ? path : "/");
    if (!d)
        return;
    /* Names are collected first, so that recursion holds one DIR at a time
     * per level and the order is stable (sorted). */
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < COMB_FSROOT_MAX_GLOB) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            fnmatch(pat, e->d_name, FNM_PERIOD) != 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn)
                break;
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, strcmp_ptr);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(names[i]);
        if (plen + 1 + nl < 4096) {
            path[plen] = '/';
            memcpy(path + plen + 1, names[i], nl + 1);
            glob_walk(g, path, plen + 1 + nl, rest + clen, depth + 1);
            path[plen] = '\0';
        }
        free(names[i]);
    }
    free(names);
}

int comb_fsroot_glob(const comb_fsroot *r, const char *pattern,
                     int (*fn)(void *ud, const char *path), void *ud)
{
    glob_state g = { .r = r, .fn = fn, .ud = ud };
    char path[4096] = "";
    glob_walk(&g, path, 0, pattern, 0);
    return g.stop ? -abs(g.stop) : g.matches;
}
