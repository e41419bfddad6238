/* test_apk_os_purl.c - the apk analyzer on the real Alpine database of the
 * shared alpine-310 image (extracted with tar, an independent reader), OS
 * release files, and Package URLs. */
#include <stdio.h>

#include "analyze/purl.h"
#include "analyze/records.h"
#include "test.h"

static comb_arena arena;
static comb_recset set;

static void reset(void)
{
    comb_recset_free(&set);
    comb_arena_free(&arena);
    comb_arena_init(&arena);
    comb_recset_init(&set, &arena);
}

static const comb_pkg *find(const char *name)
{
    for (size_t i = 0; i < set.n; i++)
        if (set.v[i]->kind == COMB_REC_PKG && set.v[i]->u.pkg.name && !strcmp(set.v[i]->u.pkg.name, name))
            return &set.v[i]->u.pkg;
    return NULL;
}

static void test_alpine_db(void)
{
    reset();
    char cmd[8192];
    /* the image's one layer, then the database inside it */
    snprintf(cmd, sizeof cmd,
             "d=$(mktemp -d) && tar -xzf '%s' -C $d && l=$(find $d -name layer.tar | head -1) && "
             "tar -xOf $l lib/apk/db/installed; rm -rf $d",
             test_shared("data/images/alpine-310.tar.gz"));
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t cap = 1 << 20, n = 0, r;
    unsigned char *buf = malloc(cap);
    while ((r = fread(buf + n, 1, cap - n, p)) > 0)
        n += r;
    pclose(p);
    CHECK(n > 1000);
    comb_err err;
    CHECK_INT(comb_analyze_buffer(comb_analyzer_find("apk"), &set, "lib/apk/db/installed", buf, n, &err), COMB_OK);
    /* independent count: one "P:" line per package */
    size_t expected = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if ((i == 0 || buf[i - 1] == '\n') && buf[i] == 'P' && buf[i + 1] == ':')
            expected++;
    free(buf);
    size_t got = 0;
    for (size_t i = 0; i < set.n; i++)
        got += set.v[i]->kind == COMB_REC_PKG;
    CHECK_INT(got, expected);
    CHECK_INT(got, 14);
    const comb_pkg *m = find("musl-utils");
    CHECK(m && !strcmp(m->version, "1.1.22-r3") && !strcmp(m->src_name, "musl") &&
          !strcmp(m->arch, "x86_64") && m->license && m->nfiles > 0);
    const comb_pkg *s = find("libcrypto1.1");
    CHECK(s && !strcmp(s->src_name, "openssl"));
    int has_file = 0;
    for (size_t i = 0; s && i < s->nfiles; i++)
        has_file |= !strcmp(s->files[i], "/lib/libcrypto.so.1.1");
    CHECK(has_file);
}

static void test_os_release(void)
{
    reset();
    const char *osr = "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
                      "PRETTY_NAME=\"Distroless\"\n# comment\nVERSION_CODENAME='bookworm'\n";
    comb_err err;
    CHECK_INT(comb_analyze_buffer(comb_analyzer_find("os"), &set, "etc/os-release",
                                  (const uint8_t *)osr, strlen(osr), &err), COMB_OK);
    CHECK_INT(set.n, 1);
    if (set.n) {
        const comb_os *os = &set.v[0]->u.os;
        CHECK_STR(os->id, "debian");
        CHECK_STR(os->version_id, "12");
        CHECK_STR(os->codename, "bookworm");
        CHECK(os->distroless);
    }
    reset();
    const char *rh = "CentOS Linux release 7.9.2009 (Core)\n";
    comb_analyze_buffer(comb_analyzer_find("os"), &set, "etc/centos-release", (const uint8_t *)rh,
                        strlen(rh), &err);
    CHECK(set.n == 1 && !strcmp(set.v[0]->u.os.id, "centos") &&
          !strcmp(set.v[0]->u.os.version_id, "7.9.2009"));
    reset();
    const char *dv = "12.5\n";
    comb_analyze_buffer(comb_analyzer_find("os"), &set, "etc/debian_version", (const uint8_t *)dv,
                        strlen(dv), &err);
    CHECK(set.n == 1 && !strcmp(set.v[0]->u.os.version_id, "12"));
}

static void test_purl(void)
{
    comb_os deb = { .id = "debian", .version_id = "12" };
    comb_pkg p = { .type = COMB_PKG_DPKG, .name = "libssl3", .version = "1:3.0.11-1~deb12u2",
                   .arch = "amd64", .src_name = "openssl", .epoch = 1 };
    CHECK_STR(comb_purl(&arena, &p, &deb),
              "pkg:deb/debian/libssl3@1%3A3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl");
    comb_pkg py = { .type = COMB_PKG_PYTHON, .name = "Jinja2_Time", .version = "0.2.0", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &py, NULL), "pkg:pypi/jinja2-time@0.2.0");
    comb_pkg npm = { .type = COMB_PKG_NPM, .name = "@babel/core", .version = "7.0.0", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &npm, NULL), "pkg:npm/%40babel/core@7.0.0");
    comb_pkg go = { .type = COMB_PKG_GO, .name = "github.com/opencontainers/runc", .version = "v1.1.5", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &go, NULL), "pkg:golang/github.com/opencontainers/runc@v1.1.5");
    comb_pkg std = { .type = COMB_PKG_GO_STDLIB, .name = "stdlib", .version = "1.19.8", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &std, NULL), "pkg:golang/stdlib@v1.19.8");
    comb_pkg mvn = { .type = COMB_PKG_MAVEN, .namespace_ = "org.apache.commons", .name = "commons-lang3",
                     .version = "3.12.0", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &mvn, NULL), "pkg:maven/org.apache.commons/commons-lang3@3.12.0");
    comb_os cbl = { .id = "mariner", .version_id = "2.0" };
    comb_pkg rpm = { .type = COMB_PKG_RPM, .name = "bash", .version = "5.1.8-1.cm2", .arch = "x86_64", .epoch = 2 };
    CHECK_STR(comb_purl(&arena, &rpm, &cbl), "pkg:rpm/mariner/bash@5.1.8-1.cm2?arch=x86_64&distro=mariner-2.0&epoch=2");
    comb_pkg comp = { .type = COMB_PKG_COMPOSER, .name = "symfony/console", .version = "v6.0.0", .epoch = -1 };
    CHECK_STR(comb_purl(&arena, &comp, NULL), "pkg:composer/symfony/console@v6.0.0");
    comb_pkg noname = { .type = COMB_PKG_GEM, .epoch = -1 };
    CHECK(comb_purl(&arena, &noname, NULL) == NULL);
}

int main(void)
{
    comb_arena_init(&arena);
    comb_recset_init(&set, &arena);
    RUN(test_alpine_db);
    RUN(test_os_release);
    RUN(test_purl);
    comb_recset_free(&set);
    comb_arena_free(&arena);
    return test_summary();
}
