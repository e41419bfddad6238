/* test_fsroot.c - reads confined to a root directory: absolute symlinks,
 * ".." and links to "/" all stay inside; globbing; size bounds. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compliance/fsroot.h"
#include "test.h"

static char dir[256], outside[300];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/comb-fsroot-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    char p[512];
    snprintf(outside, sizeof outside, "%s.outside", dir);
    write_file(outside, "OUTSIDE");
    snprintf(p, sizeof p, "%s/etc", dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/etc/inside", dir);
    write_file(p, "INSIDE");
    snprintf(p, sizeof p, "%s/etc/abs", dir); /* absolute link to a file outside */
    if (symlink(outside, p)) abort();
    snprintf(p, sizeof p, "%s/etc/up", dir); /* climbing out with .. */
    if (symlink("../../../../../../../../etc/inside", p)) abort();
    snprintf(p, sizeof p, "%s/slash", dir); /* a link to / */
    if (symlink("/", p)) abort();
    snprintf(p, sizeof p, "%s/etc/a.conf", dir);
    write_file(p, "a");
    snprintf(p, sizeof p, "%s/etc/b.conf", dir);
    write_file(p, "b");
}

static void teardown(void)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, outside);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
}

static char *read_in(const comb_fsroot *r, const char *path, comb_code *rc)
{
    char *data = NULL;
    size_t len;
    comb_err err;
    *rc = comb_fsroot_read(r, path, 1 << 20, &data, &len, &err);
    return data;
}

static void test_confined(void)
{
    comb_fsroot r;
    comb_err err;
    CHECK_INT(comb_fsroot_open(&r, dir, &err), COMB_OK);
    CHECK_INT(r.confined, 1); /* a root directory is never read without RESOLVE_IN_ROOT */
    comb_code rc;
    char *s = read_in(&r, "/etc/inside", &rc);
    CHECK_STR(s, "INSIDE");
    free(s);
    /* the absolute link resolves under the root, where nothing is */
    s = read_in(&r, "/etc/abs", &rc);
    CHECK(s == NULL);
    CHECK_INT(rc, COMB_ENOTFOUND);
    /* ".." stops at the root: ../../../etc/inside is the root's own file */
    s = read_in(&r, "/etc/up", &rc);
    CHECK_STR(s, "INSIDE");
    free(s);
    s = read_in(&r, "/../../etc/inside", &rc);
    CHECK_STR(s, "INSIDE");
    free(s);
    /* a link to / is the root itself */
    s = read_in(&r, "/slash/slash/etc/inside", &rc);
    CHECK_STR(s, "INSIDE");
    free(s);
    struct stat st;
    /* the host has /etc/passwd; the root does not */
    CHECK(comb_fsroot_stat(&r, "/etc/passwd", &st) != 0 && errno == ENOENT);
    CHECK(comb_fsroot_stat(&r, "/slash/etc", &st) == 0 && S_ISDIR(st.st_mode));
    comb_fsroot_close(&r);
}

static int collect(void *ud, const char *path)
{
    char *buf = ud;
    strcat(buf, path);
    strcat(buf, ";");
    return 0;
}

static void test_glob_and_limits(void)
{
    comb_fsroot r;
    comb_err err;
    CHECK_INT(comb_fsroot_open(&r, dir, &err), COMB_OK);
    char got[1024] = "";
    CHECK_INT(comb_fsroot_glob(&r, "/etc/*.conf", collect, got), 2);
    CHECK_STR(got, "/etc/a.conf;/etc/b.conf;");
    got[0] = '\0';
    CHECK_INT(comb_fsroot_glob(&r, "/sl*/etc/inside", collect, got), 1);
    CHECK_STR(got, "/slash/etc/inside;");
    got[0] = '\0';
    CHECK_INT(comb_fsroot_glob(&r, "/nothing/*", collect, got), 0);
    char *data;
    size_t len;
    CHECK_INT(comb_fsroot_read(&r, "/etc/inside", 3, &data, &len, &err), COMB_ELIMIT);
    CHECK_INT(comb_fsroot_read(&r, "/etc", 100, &data, &len, &err), COMB_EFORMAT);
    comb_fsroot_close(&r);
    CHECK_INT(comb_fsroot_open(&r, "/nonexistent-comb-root", &err), COMB_ENOTFOUND);
    CHECK(strstr(err.msg, "/nonexistent-comb-root") != NULL);
}

int main(void)
{
    setup();
    RUN(test_confined);
    RUN(test_glob_and_limits);
    teardown();
    return test_summary();
}
