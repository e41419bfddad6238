/* rootfs.c - a plain root filesystem directory, seen as one layer.
 *
 * Walked with openat() from the root, never following symlinks (O_NOFOLLOW),
 * so nothing outside the root is read. Pseudo filesystems (proc, sysfs,
 * devpts, cgroup, ...) and the top-level proc/, sys/ and dev/ are skipped:
 * they hold no packages and reading them can hang. Depth is bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/path.h"
#include "image/image_internal.h"

#define MAX_DEPTH 256

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int pseudo_fs(int dfd)
{
    struct statfs s;
    if (fstatfs(dfd, &s) != 0)
        return 0;
    switch ((unsigned long)s.f_type) {
    case PROC_SUPER_MAGIC: case SYSFS_MAGIC: case DEVPTS_SUPER_MAGIC:
    case CGROUP_SUPER_MAGIC: case CGROUP2_SUPER_MAGIC: case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC: case SECURITYFS_MAGIC: case BPF_FS_MAGIC: case NSFS_MAGIC:
    case PSTOREFS_MAGIC: case HUGETLBFS_MAGIC:
        return 1;
    }
    return 0;
}

typedef struct frame {
    DIR *dir;
    size_t pathlen; /* length of this directory's path in buf */
} frame;

typedef struct file_src {
    int fd;
    int failed;
} file_src;

static ssize_t file_read(void *opaque, void *buf, size_t len)
{
    file_src *f = opaque;
    ssize_t n;
    do
        n = read(f->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        f->failed = 1;
    return n;
}

comb_code comb_walk_rootfs(comb_image *img, comb_err *err)
{
    int b = comb_image_add_blob(img, "rootfs");
    img->order = comb_arena_calloc(&img->arena, 1, sizeof *img->order);
    img->meta.layers = comb_arena_calloc(&img->arena, 1, sizeof *img->meta.layers);
    if (b < 0 || !img->order || !img->meta.layers)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    img->order[0] = b;
    img->norder = 1;
    img->meta.nlayers = 0; /* a directory has no layers to report */
    img->blobs[b].is_layer = 1;

    int rootfd = open(img->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return comb_fail(err, COMB_EIO, "%s", strerror(errno));
    frame *stack = calloc(MAX_DEPTH + 1, sizeof *stack);
    char *path = malloc(COMB_PATH_MAX + 2);
    if (!stack || !path) {
        close(rootfd);
        free(stack);
        free(path);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    comb_code rc = COMB_OK;
    int depth = 0;
    stack[0].dir = fdopendir(rootfd);
    stack[0].pathlen = 0;
    path[0] = '\0';
    uint64_t toodeep = 0;
    if (!stack[0].dir) {
        close(rootfd);
        rc = comb_fail(err, COMB_EIO, "%s", strerror(errno));
        goto out;
    }
    while (depth >= 0) {
        frame *f = &stack[depth];
        errno = 0;
        struct dirent *de = readdir(f->dir);
        if (!de) {
            closedir(f->dir);
            f->dir = NULL;
            depth--;
            continue;
        }
        const char *name = de->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        if (depth == 0 && (!strcmp(name, "proc") || !strcmp(name, "sys") || !strcmp(name, "dev")))
            continue;
        size_t nl = strlen(name);
        size_t base = f->pathlen;
        if (base + 1 + nl > COMB_PATH_MAX)
            continue;
        size_t plen = base;
        if (base)
            path[plen++] = '/';
        memcpy(path + plen, name, nl);
        plen += nl;
        path[plen] = '\0';
        int dfd = dirfd(f->dir);
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            goto next;
        if (img->visitor->entry) {
            comb_entry me = { .path = path, .mode = st.st_mode, .size = st.st_size,
                              .uid = st.st_uid, .gid = st.st_gid };
            img->visitor->entry(img->visitor->ud, b, &me);
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth + 1 > MAX_DEPTH) {
                toodeep++;
                goto next;
            }
            int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (cfd < 0)
                goto next;
            if (pseudo_fs(cfd)) {
                close(cfd);
                goto next;
            }
            DIR *d = fdopendir(cfd);
            if (!d) {
                close(cfd);
                goto next;
            }
            depth++;
            stack[depth].dir = d;
            stack[depth].pathlen = plen;
            continue;
        }
        if (!S_ISREG(st.st_mode))
            goto next;
        comb_entry e = { .path = path, .mode = st.st_mode, .size = st.st_size,
                         .uid = st.st_uid, .gid = st.st_gid };
        if (!img->visitor->want(img->visitor->ud, &e))
            goto next;
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            comb_image_warn(img, "%s: %s", path, strerror(errno));
            goto next;
        }
        struct stat fst;
        if (fstat(fd, &fst) || !S_ISREG(fst.st_mode) || fst.st_ino != st.st_ino) {
            close(fd);
            goto next; /* changed under us */
        }
        comb_image_progress(img, (uint64_t)fst.st_size);
        file_src fs = { .fd = fd };
        comb_reader rd = { .read = file_read, .opaque = &fs };
        rc = img->visitor->file(img->visitor->ud, b, "rootfs", &e, &rd, err);
        close(fd);
        if (rc)
            goto out;
    next:
        path[base] = '\0';
    }
    if (toodeep)
        comb_image_warn(img, "%llu directories deeper than %d levels skipped",
                        (unsigned long long)toodeep, MAX_DEPTH);
out:
    for (int i = 0; i <= depth && i <= MAX_DEPTH; i++)
        if (stack[i].dir)
            closedir(stack[i].dir);
    free(stack);
    free(path);
    return rc;
}
