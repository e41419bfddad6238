/* fs_checks.c - checks of the final filesystem, fed one entry at a time by
 * the image pipeline: setuid/setgid files, world-writable files and
 * directories, package-manager caches. Memory is bounded: per check the
 * first COMB_MC_FS_MAX_LISTED paths and a count; per cache kind a file
 * count and a byte total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "misconfig/misconfig.h"

typedef struct listed {
    const char *paths[COMB_MC_FS_MAX_LISTED];
    uint32_t uids[COMB_MC_FS_MAX_LISTED];
    size_t n;       /* listed */
    uint64_t total; /* seen */
} listed;

/* Where package managers keep what a running container does not need.
 * `at_root`: the path starts with `pattern`; otherwise it contains it
 * (caches under any home directory). */
static const struct cache_kind {
    const char *pattern;
    int at_root;
    const char *suffix; /* only files ending so (NULL: all) */
    const char *what;
} cache_kinds[] = {
    { "var/cache/apt/archives/", 1, ".deb", "apt downloaded packages" },
    { "var/cache/apt/", 1, ".bin", "apt package cache" },
    { "var/lib/apt/lists/", 1, NULL, "apt package lists" },
    { "var/cache/apk/", 1, NULL, "apk index cache" },
    { "var/cache/yum/", 1, NULL, "yum cache" },
    { "var/cache/dnf/", 1, NULL, "dnf cache" },
    { "var/cache/libdnf5/", 1, NULL, "dnf5 cache" },
    { "var/cache/zypp/", 1, NULL, "zypper cache" },
    { "/.cache/pip/", 0, NULL, "pip cache" },
    { "/.npm/_cacache/", 0, NULL, "npm cache" },
    { "/.cache/yarn/", 0, NULL, "yarn cache" },
    { "/.yarn/berry/cache/", 0, NULL, "yarn cache" },
    { "/.cache/go-build/", 0, NULL, "Go build cache" },
    { "/.composer/cache/", 0, NULL, "Composer cache" },
    { "/.cache/composer/", 0, NULL, "Composer cache" },
};
#define NKINDS (sizeof cache_kinds / sizeof *cache_kinds)

typedef struct cache_seen {
    uint64_t files, bytes;
    const char *dir; /* the cache directory of the first file */
} cache_seen;

struct comb_mc_fs {
    comb_arena arena;
    listed suid, sgid, wfile, wdir;
    cache_seen caches[NKINDS];
    int oom;
};

comb_code comb_misconfig_fs_new(comb_mc_fs **out, comb_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return comb_fail(err, COMB_ENOMEM, "filesystem checks: out of memory");
    comb_arena_init(&(*out)->arena);
    return COMB_OK;
}

void comb_misconfig_fs_free(comb_mc_fs *fs)
{
    if (!fs)
        return;
    comb_arena_free(&fs->arena);
    free(fs);
}

static void list_path(comb_mc_fs *fs, listed *l, const char *path, uint32_t uid)
{
    l->total++;
    if (l->n < COMB_MC_FS_MAX_LISTED) {
        const char *p = comb_arena_strndup(&fs->arena, path, strnlen(path, 4096));
        if (!p) {
            fs->oom = 1;
            return;
        }
        l->uids[l->n] = uid;
        l->paths[l->n++] = p;
    }
}

static void note_cache(comb_mc_fs *fs, const char *path, uint64_t size)
{
    size_t len = strlen(path);
    for (size_t k = 0; k < NKINDS; k++) {
        const struct cache_kind *ck = &cache_kinds[k];
        size_t pl = strlen(ck->pattern);
        const char *at = ck->at_root ? (!strncmp(path, ck->pattern, pl) ? path : NULL)
                                     : strstr(path, ck->pattern);
        if (!at)
            continue;
        if (ck->suffix) {
            size_t sl = strlen(ck->suffix);
            if (len < sl || strcmp(path + len - sl, ck->suffix))
                continue;
        }
        const char *base = strrchr(path, '/');
        if (!strcmp(ck->pattern, "var/lib/apt/lists/") && base && !strcmp(base + 1, "lock"))
            return; /* the empty lock file is always there */
        cache_seen *cs = &fs->caches[k];
        if (!cs->dir) {
            size_t dl = (size_t)(at - path) + pl - 1; /* without the trailing '/' */
            if (!(cs->dir = comb_arena_strndup(&fs->arena, path, dl)))
                fs->oom = 1;
        }
        cs->files++;
        cs->bytes += size;
        return; /* the first matching kind counts it */
    }
}

void comb_misconfig_fs_add(comb_mc_fs *fs, const char *path, uint32_t mode, uint32_t uid,
                           uint32_t gid, uint64_t size)
{
    (void)gid;
    if (!fs || !path)
        return;
    while (*path == '/')
        path++;
    if (S_ISREG(mode)) {
        if (mode & S_ISUID)
            list_path(fs, &fs->suid, path, uid);
        if (mode & S_ISGID)
            list_path(fs, &fs->sgid, path, uid);
        if (mode & S_IWOTH)
            list_path(fs, &fs->wfile, path, uid);
        note_cache(fs, path, size);
    } else if (S_ISDIR(mode) && (mode & S_IWOTH) && !(mode & S_ISVTX)) {
        list_path(fs, &fs->wdir, path, uid);
    }
}

static void human(uint64_t b, char out[32])
{
    if (b >= (1ULL << 30))
        snprintf(out, 32, "%.1f GiB", (double)b / (1ULL << 30));
    else if (b >= (1ULL << 20))
        snprintf(out, 32, "%.1f MiB", (double)b / (1ULL << 20));
    else if (b >= 1024)
        snprintf(out, 32, "%.1f KiB", (double)b / 1024);
    else
        snprintf(out, 32, "%llu bytes", (unsigned long long)b);
}

static comb_code emit_listed(const listed *l, const char *id, const char *what, int show_owner,
                             comb_mc_list *out, comb_err *err)
{
    for (size_t i = 0; i < l->n; i++) {
        comb_code rc = show_owner
            ? comb_mc_add(out, id, l->paths[i], 0, err, "/%s is %s (owner uid %u)", l->paths[i],
                          what, l->uids[i])
            : comb_mc_add(out, id, l->paths[i], 0, err, "/%s is %s", l->paths[i], what);
        if (rc)
            return rc;
    }
    if (l->total > l->n)
        return comb_mc_add(out, id, "filesystem", 0, err, "%llu more entries are %s (not listed)",
                           (unsigned long long)(l->total - l->n), what);
    return COMB_OK;
}

comb_code comb_misconfig_fs_finish(comb_mc_fs *fs, comb_mc_list *out, comb_err *err)
{
    if (!fs)
        return comb_fail(err, COMB_EINVAL, "filesystem checks: not started");
    comb_code rc = fs->oom ? comb_fail(err, COMB_ENOMEM, "filesystem checks: out of memory")
                           : COMB_OK;
    if (!rc)
        rc = emit_listed(&fs->suid, "CMB-FS-001", "setuid", 1, out, err);
    if (!rc)
        rc = emit_listed(&fs->sgid, "CMB-FS-002", "setgid", 1, out, err);
    if (!rc)
        rc = emit_listed(&fs->wfile, "CMB-FS-003", "a world-writable file", 0, out, err);
    if (!rc)
        rc = emit_listed(&fs->wdir, "CMB-FS-004", "a world-writable directory without the sticky bit",
                         0, out, err);
    for (size_t k = 0; k < NKINDS && !rc; k++) {
        const cache_seen *cs = &fs->caches[k];
        if (!cs->files)
            continue;
        char size[32];
        human(cs->bytes, size);
        rc = comb_mc_add(out, "CMB-FS-005", cs->dir, 0, err, "%s left in /%s: %llu files, %s",
                         cache_kinds[k].what, cs->dir, (unsigned long long)cs->files, size);
    }
    comb_misconfig_fs_free(fs);
    return rc;
}
