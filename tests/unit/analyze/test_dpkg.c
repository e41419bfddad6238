/* test_dpkg.c - the dpkg analyzer against dpkg-query on this machine's own
 * database, plus distroless status.d, file lists and hostile input. */
#include <stdio.h>

#include "analyze/records.h"
#include "test.h"

static comb_recset set;
static comb_arena arena;

static void reset(void)
{
    comb_recset_free(&set);
    comb_arena_free(&arena);
    comb_arena_init(&arena);
    comb_recset_init(&set, &arena);
}

static size_t count_pkgs(void)
{
    size_t n = 0;
    for (size_t i = 0; i < set.n; i++)
        n += set.v[i]->kind == COMB_REC_PKG;
    return n;
}

static const comb_pkg *find(const char *name)
{
    for (size_t i = 0; i < set.n; i++)
        if (set.v[i]->kind == COMB_REC_PKG && !strcmp(set.v[i]->u.pkg.name, name))
            return &set.v[i]->u.pkg;
    return NULL;
}

/* Every installed package of this machine, exactly as dpkg-query shows it. */
static void test_host_status_matches_dpkg_query(void)
{
    reset();
    size_t len;
    unsigned char *data = test_slurp("/var/lib/dpkg/status", &len);
    CHECK(data != NULL);
    if (!data)
        return;
    comb_err err;
    CHECK_INT(comb_analyze_buffer(comb_analyzer_find("dpkg"), &set, "var/lib/dpkg/status", data, len, &err), COMB_OK);
    free(data);
    FILE *p = popen("dpkg-query -W -f '${db:Status-Status}\\t${Package}\\t${Version}\\t${source:Package}\\t${source:Version}\\t${Architecture}\\n'", "r");
    CHECK(p != NULL);
    if (!p)
        return;
    char line[4096];
    size_t expected = 0, mismatches = 0;
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        char *f[6];
        int n = 0;
        for (char *s = line, *t; n < 6 && (t = strsep(&s, "\t"));)
            f[n++] = t;
        if (n != 6 || strcmp(f[0], "installed"))
            continue;
        expected++;
        const comb_pkg *pk = find(f[1]);
        if (!pk || strcmp(pk->version, f[2]) || strcmp(pk->src_name, f[3]) ||
            strcmp(pk->src_version, f[4]) || strcmp(pk->arch, f[5])) {
            if (mismatches++ < 5)
                fprintf(stderr, "mismatch: %s %s %s %s %s\n", f[1], f[2], f[3], f[4], f[5]);
        }
    }
    pclose(p);
    CHECK(expected > 50);
    CHECK_INT(mismatches, 0);
    CHECK_INT(count_pkgs(), expected);
}

static void test_distroless_and_states(void)
{
    reset();
    const char *s = "Package: libssl3\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u2\n"
                    "Architecture: amd64\nSource: openssl (3.0.11-1~deb12u2)\n"
                    "Description: x\n multi\n line\n\n"
                    "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
                    "Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n"
                    "Source: tzdata\n\nPackage: base-files\nVersion: 1:12.4\nArchitecture: amd64\n";
    comb_err err;
    CHECK_INT(comb_analyze_buffer(comb_analyzer_find("dpkg"), &set, "var/lib/dpkg/status.d/libssl3",
                                  (const uint8_t *)s, strlen(s), &err), COMB_OK);
    CHECK_INT(count_pkgs(), 3);
    const comb_pkg *p = find("libssl3");
    CHECK(p && !strcmp(p->src_name, "openssl") && !strcmp(p->src_version, "3.0.11-1~deb12u2"));
    p = find("tzdata");
    CHECK(p && !strcmp(p->src_version, "2024a-0+deb12u1"));
    p = find("base-files");
    CHECK(p && p->epoch == 1 && !strcmp(p->version, "1:12.4"));
    CHECK(find("gone") == NULL);
}

static void test_wants(void)
{
    const comb_analyzer *a = comb_analyzer_find("dpkg");
    comb_entry e = { .mode = 0100644, .size = 10 };
    const char *yes[] = { "var/lib/dpkg/status", "var/lib/dpkg/status.d/base",
                          "var/lib/dpkg/info/libc6:amd64.list" };
    const char *no[] = { "var/lib/dpkg/status-old", "var/lib/dpkg/status.d/base.md5sums",
                         "var/lib/dpkg/info/libc6.md5sums", "x/var/lib/dpkg/status",
                         "var/lib/dpkg/status.d/a/b" };
    for (size_t i = 0; i < 3; i++) {
        e.path = yes[i];
        CHECK(a->wants(&e) == COMB_WANT_BUFFER);
    }
    for (size_t i = 0; i < 5; i++) {
        e.path = no[i];
        CHECK(a->wants(&e) == COMB_WANT_NO);
    }
}

static void test_file_list(void)
{
    reset();
    const char *s = "/.\n/usr\n/usr/bin/bash\n/usr/share/doc/bash\n";
    comb_err err;
    CHECK_INT(comb_analyze_buffer(comb_analyzer_find("dpkg"), &set, "var/lib/dpkg/info/bash.list",
                                  (const uint8_t *)s, strlen(s), &err), COMB_OK);
    CHECK_INT(set.n, 1);
    if (set.n == 1) {
        CHECK_STR(set.v[0]->u.fl.owner, "bash");
        CHECK_INT(set.v[0]->u.fl.nfiles, 3);
        CHECK_STR(set.v[0]->u.fl.files[1], "/usr/bin/bash");
    }
}

static void test_hostile(void)
{
    const char *cases[] = { "", "\n\n\n", "Package\n", "Package: x\n", "Package: x\nVersion:\n",
                            "garbage without colons\nmore garbage\n", ":\n:\n", "Package: \nVersion: 1\n" };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        reset();
        comb_err err;
        size_t n = strlen(cases[i]);
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees overreads */
        memcpy(copy, cases[i], n);
        comb_analyze_buffer(comb_analyzer_find("dpkg"), &set, "var/lib/dpkg/status", copy, n, &err);
        free(copy);
        for (size_t j = 0; j < set.n; j++)
            CHECK(set.v[j]->u.pkg.name && set.v[j]->u.pkg.version && *set.v[j]->u.pkg.name);
    }
}

static const char *license_of(const char *path, const char *text)
{
    reset();
    comb_err err;
    comb_analyze_buffer(comb_analyzer_find("dpkg-copyright"), &set, path, (const uint8_t *)text,
                        strlen(text), &err);
    return set.n == 1 && set.v[0]->kind == COMB_REC_LICENSE ? set.v[0]->u.fl.license : NULL;
}

static void test_copyright(void)
{
    const char *dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                       "\nFiles: *\nCopyright: x\nLicense: GPL-3+\n On Debian systems see\n"
                       " /usr/share/common-licenses/GPL-3.\n\nFiles: lib/*\nLicense: BSD-3-clause\n"
                       "\nFiles: doc/*\nLicense: GPL-3+\n";
    CHECK_STR(license_of("usr/share/doc/bash/copyright", dep5), "GPL-3+ AND BSD-3-clause");
    CHECK_STR(set.v[0]->u.fl.owner, "bash");
    const char *freeform = "This is Debian's prepackaged foo.\nThe full text is in\n"
                           "/usr/share/common-licenses/GPL-2, and parts under\n"
                           "/usr/share/common-licenses/LGPL-2.1.\n";
    CHECK_STR(license_of("usr/share/doc/foo/copyright", freeform), "GPL-2 AND LGPL-2.1");
    CHECK(license_of("usr/share/doc/foo/copyright", "no licence named here\n") == NULL);
    comb_entry e = { .path = "usr/share/doc/bash/copyright", .mode = 0100644, .size = 10 };
    CHECK(comb_analyzer_find("dpkg-copyright")->wants(&e) == COMB_WANT_BUFFER);
    e.path = "usr/share/doc/bash/examples/copyright";
    CHECK(comb_analyzer_find("dpkg-copyright")->wants(&e) == COMB_WANT_NO);
    /* this machine's real files: every DEP-5 file gives a licence */
    size_t len;
    unsigned char *real = test_slurp("/usr/share/doc/bash/copyright", &len);
    if (real) {
        reset();
        comb_err err;
        comb_analyze_buffer(comb_analyzer_find("dpkg-copyright"), &set, "usr/share/doc/bash/copyright",
                            real, len, &err);
        CHECK(set.n == 1 && strstr(set.v[0]->u.fl.license, "GPL-3+") != NULL);
        free(real);
    }
}

int main(void)
{
    comb_arena_init(&arena);
    comb_recset_init(&set, &arena);
    RUN(test_host_status_matches_dpkg_query);
    RUN(test_distroless_and_states);
    RUN(test_wants);
    RUN(test_file_list);
    RUN(test_hostile);
    RUN(test_copyright);
    reset();
    comb_recset_free(&set);
    comb_arena_free(&arena);
    return test_summary();
}
