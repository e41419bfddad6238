/* test_fs_checks.c - the filesystem checks fed entry by entry: setuid,
 * setgid, world-writable files and directories, package caches, and the
 * bound on listed paths. */
#include <sys/stat.h>

#include "mc_test.h"

static comb_mc_fs *fs_start(void)
{
    comb_mc_fs *fs = NULL;
    comb_err err;
    CHECK_INT(comb_misconfig_fs_new(&fs, &err), COMB_OK);
    return fs;
}

static void fs_end(comb_mc_fs *fs, comb_mc_list *l)
{
    comb_err err;
    comb_mc_list_init(l);
    CHECK_INT(comb_misconfig_fs_finish(fs, l, &err), COMB_OK);
}

static const comb_mc_finding *at(const comb_mc_list *l, const char *id, const char *loc)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].check->id, id) && !strcmp(l->items[i].location, loc))
            return &l->items[i];
    return NULL;
}

static void test_modes(void)
{
    comb_mc_fs *fs = fs_start();
    if (!fs)
        return;
    comb_misconfig_fs_add(fs, "usr/bin/passwd", S_IFREG | S_ISUID | 0755, 0, 0, 100);
    comb_misconfig_fs_add(fs, "usr/bin/ls", S_IFREG | 0755, 0, 0, 100);
    comb_misconfig_fs_add(fs, "usr/bin/wall", S_IFREG | S_ISGID | 0755, 0, 5, 100);
    comb_misconfig_fs_add(fs, "/opt/app/config.yml", S_IFREG | 0666, 1000, 1000, 10);
    comb_misconfig_fs_add(fs, "opt/app/readonly.yml", S_IFREG | 0644, 1000, 1000, 10);
    comb_misconfig_fs_add(fs, "tmp", S_IFDIR | S_ISVTX | 0777, 0, 0, 0);
    comb_misconfig_fs_add(fs, "data", S_IFDIR | 0777, 0, 0, 0);
    comb_misconfig_fs_add(fs, "usr/lib/x", S_IFDIR | 0755, 0, 0, 0);
    comb_misconfig_fs_add(fs, "usr/bin/link", S_IFLNK | 0777, 0, 0, 0);
    comb_misconfig_fs_add(fs, "usr/sbin/dir-with-suid-bit", S_IFDIR | S_ISUID | 0755, 0, 0, 0);
    comb_mc_list l;
    fs_end(fs, &l);
    CHECK(at(&l, "CMB-FS-001", "usr/bin/passwd") != NULL);
    CHECK_INT(mc_count(&l, "CMB-FS-001"), 1);
    CHECK(at(&l, "CMB-FS-002", "usr/bin/wall") != NULL);
    CHECK_INT(mc_count(&l, "CMB-FS-002"), 1);
    CHECK(at(&l, "CMB-FS-003", "opt/app/config.yml") != NULL);
    CHECK_INT(mc_count(&l, "CMB-FS-003"), 1);
    CHECK(at(&l, "CMB-FS-004", "data") != NULL);
    CHECK_INT(mc_count(&l, "CMB-FS-004"), 1); /* tmp has the sticky bit; a symlink's mode is not real */
    CHECK_INT(mc_count(&l, "CMB-FS-005"), 0);
    comb_mc_list_free(&l);
}

static void test_caches(void)
{
    comb_mc_fs *fs = fs_start();
    if (!fs)
        return;
    comb_misconfig_fs_add(fs, "var/cache/apt/archives/curl_7.88_amd64.deb", S_IFREG | 0644, 0, 0, 3000);
    comb_misconfig_fs_add(fs, "var/cache/apt/archives/libc6_2.36_amd64.deb", S_IFREG | 0644, 0, 0, 2 << 20);
    comb_misconfig_fs_add(fs, "var/cache/apt/archives/lock", S_IFREG | 0640, 0, 0, 0);
    comb_misconfig_fs_add(fs, "var/lib/apt/lists/lock", S_IFREG | 0640, 0, 0, 0);
    comb_misconfig_fs_add(fs, "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", S_IFREG | 0644, 0, 0, 151000);
    comb_misconfig_fs_add(fs, "home/app/.cache/pip/http/a/b", S_IFREG | 0644, 1000, 1000, 500);
    comb_misconfig_fs_add(fs, "root/.npm/_cacache/index-v5/x", S_IFREG | 0644, 0, 0, 10);
    comb_misconfig_fs_add(fs, "var/cache/apk", S_IFDIR | 0755, 0, 0, 0);
    comb_misconfig_fs_add(fs, "var/cache/debconf/config.dat", S_IFREG | 0644, 0, 0, 10);
    comb_mc_list l;
    fs_end(fs, &l);
    const comb_mc_finding *f = at(&l, "CMB-FS-005", "var/cache/apt/archives");
    CHECK(f != NULL);
    if (f) {
        CHECK(strstr(f->message, "2 files") != NULL);
        CHECK(strstr(f->message, "2.0 MiB") != NULL);
    }
    f = at(&l, "CMB-FS-005", "var/lib/apt/lists");
    CHECK(f && strstr(f->message, "1 files"));
    CHECK(at(&l, "CMB-FS-005", "home/app/.cache/pip") != NULL);
    CHECK(at(&l, "CMB-FS-005", "root/.npm/_cacache") != NULL);
    CHECK_INT(mc_count(&l, "CMB-FS-005"), 4); /* an empty apk cache directory and debconf are fine */
    comb_mc_list_free(&l);

    /* a clean image: the lock file alone is not a cache */
    fs = fs_start();
    comb_misconfig_fs_add(fs, "var/lib/apt/lists/lock", S_IFREG | 0640, 0, 0, 0);
    comb_misconfig_fs_add(fs, "var/lib/apt/lists/partial", S_IFDIR | 0700, 0, 0, 0);
    fs_end(fs, &l);
    CHECK_INT(l.n, 0);
    comb_mc_list_free(&l);
}

static void test_bounded(void)
{
    comb_mc_fs *fs = fs_start();
    if (!fs)
        return;
    char path[64];
    for (int i = 0; i < 100000; i++) {
        snprintf(path, sizeof path, "srv/f%d", i);
        comb_misconfig_fs_add(fs, path, S_IFREG | S_ISUID | 0777, 0, 0, 1);
    }
    comb_mc_list l;
    fs_end(fs, &l);
    CHECK_INT(mc_count(&l, "CMB-FS-001"), COMB_MC_FS_MAX_LISTED + 1);
    CHECK(at(&l, "CMB-FS-001", "filesystem") != NULL);
    CHECK(mc_mentions(&l, "99975 more"));
    CHECK_INT(mc_count(&l, "CMB-FS-003"), COMB_MC_FS_MAX_LISTED + 1);
    comb_mc_list_free(&l);
}

int main(void)
{
    RUN(test_modes);
    RUN(test_caches);
    RUN(test_bounded);
    return test_summary();
}
