/* test_version_oracles.c - every comparison in the osv-scalibr version
 * oracles ($COMB_SHARED/data/versions/<eco>-versions*.txt, "A < B",
 * "A > B" or "A = B" per line) must hold under comb's scheme for that
 * ecosystem, in both directions, and every version must compare equal to
 * itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vuln/version.h"
#include "vuln/version/schemes.h"

static const struct {
    const char *file;
    comb_vscheme s;
} ORACLES[] = {
    {"debian-versions.txt", COMB_VS_DPKG},
    {"debian-versions-generated.txt", COMB_VS_DPKG},
    {"alpine-versions.txt", COMB_VS_APK},
    {"alpine-versions-generated.txt", COMB_VS_APK},
    {"redhat-versions.txt", COMB_VS_RPM},
    {"pypi-versions.txt", COMB_VS_PEP440},
    {"pypi-versions-generated.txt", COMB_VS_PEP440},
    {"semver-versions.txt", COMB_VS_SEMVER},
    {"maven-versions.txt", COMB_VS_MAVEN},
    {"maven-versions-generated.txt", COMB_VS_MAVEN},
    {"rubygems-versions.txt", COMB_VS_GEM},
    {"rubygems-versions-generated.txt", COMB_VS_GEM},
    {"nuget-versions.txt", COMB_VS_NUGET},
    {"packagist-versions.txt", COMB_VS_COMPOSER},
    {"packagist-versions-generated.txt", COMB_VS_COMPOSER},
};

static int shown;

static void report(const char *file, int line, const char *fmt, const char *a, const char *b, int want,
                   int got)
{
    if (shown++ < 6)
        fprintf(stderr, "%s:%d: %s %s %s: want %d got %d (%s)\n", file, line, a,
                want < 0 ? "<" : want > 0 ? ">" : "=", b, want, got, fmt);
}

/* Returns the number of comparisons checked from one file; counts failures. */
static long run_file(const char *file, comb_vscheme s, long *failed)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/versions/%s", file);
    FILE *f = fopen(test_shared(rel), "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", test_shared(rel));
        (*failed)++;
        return 0;
    }
    char buf[4096];
    int lineno = 0;
    long n = 0;
    while (fgets(buf, sizeof buf, f)) {
        lineno++;
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0] || buf[0] == '#' || (buf[0] == '/' && buf[1] == '/'))
            continue;
        char *a = strtok(buf, " "), *op = strtok(NULL, " "), *b = strtok(NULL, " ");
        if (!a || !op || !b || strtok(NULL, " ") || strlen(op) != 1 || !strchr("<>=", op[0])) {
            fprintf(stderr, "%s:%d: malformed oracle line\n", file, lineno);
            (*failed)++;
            continue;
        }
        int want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
        int got = 99, back = 99, self_a = 99, self_b = 99;
        n++;
        if (comb_version_compare(s, a, b, &got) != 0) {
            (*failed)++;
            report(file, lineno, "rejected as invalid", a, b, want, 99);
            continue;
        }
        comb_version_compare(s, b, a, &back);
        comb_version_compare(s, a, a, &self_a);
        comb_version_compare(s, b, b, &self_b);
        if (got != want) {
            (*failed)++;
            report(file, lineno, "a vs b", a, b, want, got);
        } else if (back != -want) {
            (*failed)++;
            report(file, lineno, "b vs a (antisymmetry)", a, b, want, -back);
        } else if (self_a != 0 || self_b != 0) {
            (*failed)++;
            report(file, lineno, "reflexivity", a, b, want, self_a ? self_a : self_b);
        }
    }
    fclose(f);
    return n;
}

static void test_oracles(void)
{
    for (size_t i = 0; i < sizeof ORACLES / sizeof ORACLES[0]; i++) {
        long failed = 0;
        shown = 0;
        long n = run_file(ORACLES[i].file, ORACLES[i].s, &failed);
        fprintf(stderr, "  %-34s %-8s %6ld comparisons, %ld failed\n", ORACLES[i].file,
                comb_vscheme_name(ORACLES[i].s), n, failed);
        CHECK(n > 0);
        CHECK_INT(failed, 0);
    }
}

static void test_dispatch(void)
{
    CHECK_INT(comb_vscheme_for_osv("Debian:12"), COMB_VS_DPKG);
    CHECK_INT(comb_vscheme_for_osv("Ubuntu:22.04:LTS"), COMB_VS_DPKG);
    CHECK_INT(comb_vscheme_for_osv("Alpine:v3.18"), COMB_VS_APK);
    CHECK_INT(comb_vscheme_for_osv("Red Hat"), COMB_VS_RPM);
    CHECK_INT(comb_vscheme_for_osv("Rocky Linux:9"), COMB_VS_RPM);
    CHECK_INT(comb_vscheme_for_osv("AlmaLinux:8"), COMB_VS_RPM);
    CHECK_INT(comb_vscheme_for_osv("SUSE:Linux Enterprise Server 15"), COMB_VS_RPM);
    CHECK_INT(comb_vscheme_for_osv("openSUSE:Leap 15.5"), COMB_VS_RPM);
    CHECK_INT(comb_vscheme_for_osv("PyPI"), COMB_VS_PEP440);
    CHECK_INT(comb_vscheme_for_osv("npm"), COMB_VS_SEMVER);
    CHECK_INT(comb_vscheme_for_osv("crates.io"), COMB_VS_SEMVER);
    CHECK_INT(comb_vscheme_for_osv("Go"), COMB_VS_GO);
    CHECK_INT(comb_vscheme_for_osv("Maven"), COMB_VS_MAVEN);
    CHECK_INT(comb_vscheme_for_osv("RubyGems"), COMB_VS_GEM);
    CHECK_INT(comb_vscheme_for_osv("Packagist"), COMB_VS_COMPOSER);
    CHECK_INT(comb_vscheme_for_osv("NuGet"), COMB_VS_NUGET);
    CHECK_INT(comb_vscheme_for_osv("Pub"), COMB_VS_UNKNOWN);
    CHECK_INT(comb_vscheme_for_osv("Gopher"), COMB_VS_UNKNOWN);
    CHECK_INT(comb_vscheme_for_osv(NULL), COMB_VS_UNKNOWN);
    CHECK_INT(comb_vscheme_for_pkg(COMB_PKG_DPKG), COMB_VS_DPKG);
    CHECK_INT(comb_vscheme_for_pkg(COMB_PKG_CARGO), COMB_VS_SEMVER);
    CHECK_INT(comb_vscheme_for_pkg(COMB_PKG_GO_STDLIB), COMB_VS_GO);
    CHECK_INT(comb_vscheme_for_pkg(COMB_PKG_COMPOSER), COMB_VS_COMPOSER);
    CHECK_INT(comb_vscheme_for_pkg(COMB_PKG_TYPE_COUNT), COMB_VS_UNKNOWN);
    CHECK_STR(comb_vscheme_name(COMB_VS_PEP440), "pep440");
    CHECK_STR(comb_vscheme_name(COMB_VS_COUNT), "unknown");
}

static void test_invalid(void)
{
    int c = 42;
    char longv[300];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    for (int s = COMB_VS_DPKG; s < COMB_VS_COUNT; s++) {
        CHECK_INT(comb_version_compare((comb_vscheme)s, "", "1", &c), -1);
        CHECK_INT(comb_version_compare((comb_vscheme)s, "1", NULL, &c), -1);
        CHECK_INT(comb_version_compare((comb_vscheme)s, "1 2", "1", &c), -1);
        CHECK_INT(comb_version_compare((comb_vscheme)s, "1\n", "1", &c), -1);
        CHECK_INT(comb_version_compare((comb_vscheme)s, longv, "1", &c), -1);
        CHECK_INT(c, 42);
    }
    CHECK_INT(comb_version_compare(COMB_VS_UNKNOWN, "1", "1", &c), -1);
    CHECK_INT(comb_version_valid(COMB_VS_DPKG, "a1.0"), 0);
    CHECK_INT(comb_version_valid(COMB_VS_DPKG, "1.0-"), 0);
    CHECK_INT(comb_version_valid(COMB_VS_DPKG, "x:1.0"), 0);
    CHECK_INT(comb_version_valid(COMB_VS_DPKG, "99999999999:1.0"), 0);
    CHECK_INT(comb_version_valid(COMB_VS_DPKG, "1:1.0-1~deb12u1"), 1);
}

/* Huge digit runs order by value without overflowing. */
static void test_big_numbers(void)
{
    static const char *big1 = "1.184467440737095516161844674407370955161";
    static const char *big2 = "1.184467440737095516161844674407370955162";
    for (int s = COMB_VS_DPKG; s < COMB_VS_COUNT; s++) {
        int c = 0;
        if (comb_version_compare((comb_vscheme)s, big1, big2, &c) != 0)
            continue;
        if (c != -1)
            fprintf(stderr, "scheme %s: %s vs %s = %d\n", comb_vscheme_name((comb_vscheme)s), big1, big2, c);
        CHECK_INT(c, -1);
    }
}

/* Orderings with no oracle file: Go, and a few spot checks elsewhere. */
static int cmp(comb_vscheme s, const char *a, const char *b)
{
    int c = 99;
    if (comb_version_compare(s, a, b, &c) != 0)
        return 99;
    int back = 99;
    comb_version_compare(s, b, a, &back);
    return back == -c ? c : 98;
}

static void test_go(void)
{
    comb_vscheme g = COMB_VS_GO;
    CHECK_INT(cmp(g, "v1.2.3", "v1.2.4"), -1);
    CHECK_INT(cmp(g, "v1.2.3", "v1.2.3+incompatible"), 0);
    CHECK_INT(cmp(g, "v2.0.0+incompatible", "v1.9.9"), 1);
    CHECK_INT(cmp(g, "v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000"), -1);
    CHECK_INT(cmp(g, "v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"), -1);
    CHECK_INT(cmp(g, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3"), 1);
    CHECK_INT(cmp(g, "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"), -1);
    CHECK_INT(cmp(g, "v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre"), 1);
    CHECK_INT(cmp(g, "v1", "v1.0.0"), 0);
    CHECK_INT(cmp(g, "v1.2", "v1.2.0"), 0);
    CHECK_INT(cmp(g, "go1.19.8", "1.19.8"), 0);
    CHECK_INT(cmp(g, "go1.19.8", "1.19.10"), -1);
    CHECK_INT(cmp(g, "go1.19", "1.19.0"), 0);      /* first 1.19 release */
    CHECK_INT(cmp(g, "go1.19rc2", "1.19.0"), -1);
    CHECK_INT(cmp(g, "go1.19beta1", "go1.19rc1"), -1);
    CHECK_INT(cmp(g, "1.21", "1.21rc1"), -1);      /* language version */
    CHECK_INT(cmp(g, "1.21rc2", "1.21.0"), -1);
    CHECK_INT(cmp(g, "1.21rc2", "1.21rc10"), -1);
    CHECK_INT(cmp(g, "go1.22.0", "go1.21.13"), 1);
    CHECK_INT(comb_version_valid(g, "v1.2.3-01"), 0);
    CHECK_INT(comb_version_valid(g, "v01.2.3"), 0);
    CHECK_INT(comb_version_valid(g, "1.2.3.4"), 0);
    CHECK_INT(comb_version_valid(g, "vv1"), 0);
}

static void test_spot(void)
{
    CHECK_INT(cmp(COMB_VS_DPKG, "1:1.0", "2.0"), 1);
    CHECK_INT(cmp(COMB_VS_DPKG, "1.0~rc1-1", "1.0-1"), -1);
    CHECK_INT(cmp(COMB_VS_RPM, "1.0~rc1", "1.0"), -1);
    CHECK_INT(cmp(COMB_VS_RPM, "1.0^git1", "1.0"), 1);
    CHECK_INT(cmp(COMB_VS_RPM, "1.0^git1", "1.0.1"), -1);
    CHECK_INT(cmp(COMB_VS_APK, "1.2_rc1", "1.2"), -1);
    CHECK_INT(cmp(COMB_VS_APK, "1.2_p1", "1.2"), 1);
    CHECK_INT(cmp(COMB_VS_APK, "1.2_cvs1", "1.2"), 1);
    CHECK_INT(cmp(COMB_VS_PEP440, "1.0RC1", "1.0rc1"), 0);
    CHECK_INT(cmp(COMB_VS_PEP440, "1.0.post", "1.0.post0"), 0);
    CHECK_INT(cmp(COMB_VS_PEP440, "1.0-1", "1.0.post1"), 0);
    CHECK_INT(cmp(COMB_VS_PEP440, "1.0.dev1", "1.0a1"), -1);
    CHECK_INT(cmp(COMB_VS_PEP440, "1.0+abc.5", "1.0+abc.10"), -1);
    CHECK_INT(cmp(COMB_VS_PEP440, "1!0.1", "2.0"), 1);
    CHECK_INT(cmp(COMB_VS_PEP440, "v1.0", "1.0.0"), 0);
    CHECK_INT(comb_vs_pep440_strict("1.0+"), 0);
    CHECK_INT(comb_vs_pep440_strict("1.0a."), 1);
    CHECK_INT(cmp(COMB_VS_SEMVER, "1.0.0-rc.1", "1.0.0"), -1);
    CHECK_INT(cmp(COMB_VS_SEMVER, "v1.0.0+build.2", "1.0.0"), 0);
    CHECK_INT(comb_vs_semver_strict("1.0.0-01"), 0);
    CHECK_INT(comb_vs_semver_strict("v1.0.0-0.a+001"), 1);
    CHECK_INT(cmp(COMB_VS_MAVEN, "1.0-SNAPSHOT", "1.0"), -1);
    CHECK_INT(cmp(COMB_VS_MAVEN, "1.0.Final", "1.0"), 0);
    CHECK_INT(cmp(COMB_VS_MAVEN, "1.0-sp1", "1.0"), 1);
    CHECK_INT(cmp(COMB_VS_GEM, "1.0.0.pre", "1.0.0"), -1);
    CHECK_INT(cmp(COMB_VS_GEM, "1.0.0-rc1", "1.0.0.pre.rc1"), 0);
    CHECK_INT(cmp(COMB_VS_NUGET, "1.0.0-Beta", "1.0.0-beta"), 0);
    CHECK_INT(cmp(COMB_VS_NUGET, "1.0.0.1", "1.0.0"), 1);
    CHECK_INT(cmp(COMB_VS_COMPOSER, "v2.0.0-beta1", "2.0.0-RC1"), -1);
    CHECK_INT(cmp(COMB_VS_COMPOSER, "2.0.0-patch1", "2.0.0"), 1);
}

int main(void)
{
    RUN(test_dispatch);
    RUN(test_invalid);
    RUN(test_big_numbers);
    RUN(test_go);
    RUN(test_spot);
    RUN(test_oracles);
    return test_summary();
}
