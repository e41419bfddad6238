/* test_scan.c - vuln/scan.c: package -> (ecosystem, name, version) keys, and
 * whole scans of synthetic inventories against a synthetic database: Debian
 * source matching with source versions, epochs, '~', '+debNuM', no fix yet,
 * other releases, RPM epochs, PyPI names, Go stdlib, alias merging (GHSA /
 * PYSEC / CVE / DSA), severities (distro first, then CVSS), --severity,
 * --ignore-unfixed, ignore file, OpenVEX and CycloneDX VEX, database age. */
#include "test.h"

#include <stdarg.h>
#include <unistd.h>

#include "sbom/sbom_import.h"
#include "vuln/scan.h"

static char tmpdir[256];

static comb_os os_of(const char *id, const char *ver, const char *code)
{
    return (comb_os){ .id = id, .version_id = ver, .codename = code };
}

static void test_keys(void)
{
    comb_arena a;
    comb_arena_init(&a);
    const char *e, *n, *v, *why;
    comb_os alp = os_of("alpine", "3.10.3", NULL);
    comb_pkg p = { .type = COMB_PKG_APK, .name = "libcrypto1.1", .version = "1.1.1d-r2",
                   .src_name = "openssl", .epoch = -1 };
    CHECK_INT(comb_scan_key(&a, &alp, &p, &e, &n, &v, &why), 0);
    CHECK_STR(e, "alpine:3.10");
    CHECK_STR(n, "openssl");
    CHECK_STR(v, "1.1.1d-r2");
    comb_os deb = os_of("debian", "12", "bookworm");
    comb_pkg d = { .type = COMB_PKG_DPKG, .name = "libc6", .version = "2.36-9+deb12u3+b1",
                   .src_name = "glibc", .src_version = "2.36-9+deb12u3", .epoch = -1 };
    CHECK_INT(comb_scan_key(&a, &deb, &d, &e, &n, &v, &why), 0);
    CHECK_STR(e, "debian:12");
    CHECK_STR(n, "glibc");
    CHECK_STR(v, "2.36-9+deb12u3"); /* advisories name source versions */
    comb_os deb_noid = os_of("debian", NULL, "bookworm");
    CHECK_INT(comb_scan_key(&a, &deb_noid, &d, &e, &n, &v, &why), 0);
    CHECK_STR(e, "debian:12");
    comb_os ubu = os_of("ubuntu", "22.04", "jammy");
    CHECK_INT(comb_scan_key(&a, &ubu, &d, &e, &n, &v, &why), 0);
    CHECK_STR(e, "ubuntu:22.04");
    comb_os rh = os_of("rhel", "9.2", NULL);
    comb_pkg r = { .type = COMB_PKG_RPM, .name = "openssl-libs", .version = "3.0.7-1.el9",
                   .rpm_version = "3.0.7", .rpm_release = "1.el9", .epoch = 1,
                   .src_name = "openssl" };
    CHECK_INT(comb_scan_key(&a, &rh, &r, &e, &n, &v, &why), 0);
    CHECK_STR(e, "rhel:9");
    CHECK_STR(n, "openssl-libs"); /* rpm: binary name */
    CHECK_STR(v, "1:3.0.7-1.el9");
    CHECK_INT(comb_scan_key(&a, NULL, &r, &e, &n, &v, &why), -1); /* no OS: no guess */
    comb_pkg py = { .type = COMB_PKG_PYTHON, .name = "Foo_Bar..baz", .version = "1.0" };
    CHECK_INT(comb_scan_key(&a, NULL, &py, &e, &n, &v, &why), 0);
    CHECK_STR(e, "pypi");
    CHECK_STR(n, "foo-bar-baz");
    comb_pkg go = { .type = COMB_PKG_GO, .name = "golang.org/x/net", .version = "v0.7.0" };
    CHECK_INT(comb_scan_key(&a, NULL, &go, &e, &n, &v, &why), 0);
    CHECK_STR(e, "go");
    CHECK_STR(n, "golang.org/x/net");
    CHECK_STR(v, "0.7.0");
    comb_pkg std = { .type = COMB_PKG_GO_STDLIB, .name = "stdlib", .version = "go1.19.8" };
    CHECK_INT(comb_scan_key(&a, NULL, &std, &e, &n, &v, &why), 0);
    CHECK_STR(n, "stdlib");
    CHECK_STR(v, "1.19.8");
    comb_pkg dev = { .type = COMB_PKG_GO, .name = "example.com/x", .version = "(devel)" };
    CHECK_INT(comb_scan_key(&a, NULL, &dev, &e, &n, &v, &why), -1);
    CHECK(why != NULL);
    comb_pkg mv = { .type = COMB_PKG_MAVEN, .name = "commons-lang3", .namespace_ = "org.apache.commons",
                    .version = "3.12.0" };
    CHECK_INT(comb_scan_key(&a, NULL, &mv, &e, &n, &v, &why), 0);
    CHECK_STR(e, "maven");
    CHECK_STR(n, "org.apache.commons:commons-lang3");
    comb_pkg cp = { .type = COMB_PKG_COMPOSER, .name = "monolog/monolog", .version = "3.4.0" };
    CHECK_INT(comb_scan_key(&a, NULL, &cp, &e, &n, &v, &why), 0);
    CHECK_STR(e, "packagist");
    CHECK_STR(n, "monolog/monolog");
    comb_pkg cg = { .type = COMB_PKG_CARGO, .name = "smallvec", .version = "1.6.0" };
    CHECK_INT(comb_scan_key(&a, NULL, &cg, &e, &n, &v, &why), 0);
    CHECK_STR(e, "crates.io");
    comb_arena_free(&a);
}

/* ---- a synthetic database */

#define EV(k, v) { k, v }
static comb_vulndb *db;
static char dbpath[300];

static void put(const char *id, const char *eco, const char *pkg, comb_vscheme s, int semver,
                comb_fix_state st, const char *sev, const char *src, const comb_event *ev,
                size_t nev)
{
    comb_err err;
    comb_affected a = { .vuln_id = id, .ecosystem = eco, .package = pkg, .scheme = s,
                        .semver_ranges = semver, .events = ev, .nevents = nev, .state = st,
                        .severity = sev, .source = src };
    CHECK_INT(comb_vulndb_put_affected(db, &a, &err), COMB_OK);
}

static void vuln(const char *id, const char *cvss3, const char *summary, int nal, ...)
{
    const char *al[8];
    va_list ap;
    va_start(ap, nal);
    for (int i = 0; i < nal && i < 8; i++)
        al[i] = va_arg(ap, const char *);
    va_end(ap);
    comb_vuln_info v = { .id = id, .aliases = al, .naliases = (size_t)nal, .summary = summary,
                         .cvss_v3 = cvss3 };
    comb_err err;
    CHECK_INT(comb_vulndb_put_vuln(db, &v, &err), COMB_OK);
}

static const comb_event I0F_1_2_0_2[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1:2.0-2") };
static const comb_event I0F_2_5_1[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "2.5-1") };
static const comb_event I0F_6_0_1[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "6.0-1") };
static const comb_event I0F_1_0_1[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1.0-1") };
static const comb_event I0F_beta[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1.0~beta1-1") };
static const comb_event I0F_u4[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "2.36-9+deb12u4") };
static const comb_event I0F_u3[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "2.36-9+deb12u3") };
static const comb_event I0F_u5[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "2.36-9+deb12u5") };
static const comb_event I0F_u10[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "2.36-9+deb12u10") };
static const comb_event I0[] = { EV(COMB_EV_INTRODUCED, "0") };
static const comb_event I0F_1_1[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1.1") };
static const comb_event I0F_1_19_9[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1.19.9") };
static const comb_event I0F_rpm_e1[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "1:3.0.7-2.el9") };
static const comb_event I0F_rpm_e0[] = { EV(COMB_EV_INTRODUCED, "0"), EV(COMB_EV_FIXED, "3.0.8-1.el9") };
#define N(x) (sizeof(x) / sizeof((x)[0]))
#define CRIT "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"

static int build_db(void)
{
    snprintf(dbpath, sizeof dbpath, "%s/t.db", tmpdir);
    comb_err err;
    if (comb_vulndb_open(dbpath, 1, &db, &err) != COMB_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        return -1;
    }
    CHECK_INT(comb_vulndb_begin(db, &err), COMB_OK);
    const char *D = "debian:12", *T = "debian-tracker", *O = "osv";
    put("CVE-2099-1001", D, "foo", COMB_VS_DPKG, 0, COMB_FIX_FIXED, "high", T, I0F_1_2_0_2, 2);
    put("CVE-2099-1002", D, "foo", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_2_5_1, 2);
    put("CVE-2099-1003", D, "foo", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_6_0_1, 2);
    put("CVE-2099-1004", D, "bar", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_1_0_1, 2);
    put("CVE-2099-1005", D, "bar", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_beta, 2);
    put("CVE-2099-1006", D, "glibc", COMB_VS_DPKG, 0, COMB_FIX_FIXED, "medium", T, I0F_u4, 2);
    put("CVE-2099-1007", D, "glibc", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_u3, 2);
    put("CVE-2099-1008", D, "glibc", COMB_VS_DPKG, 0, COMB_FIX_NOT_FIXED, "low", T, NULL, 0);
    put("CVE-2099-1009", "debian:11", "glibc", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_u10, 2);
    put("CVE-2099-1010", D, "glibc", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, T, I0F_u10, 2);
    put("DSA-9999-1", D, "glibc", COMB_VS_DPKG, 0, COMB_FIX_FIXED, NULL, O, I0F_u5, 2);
    vuln("DSA-9999-1", NULL, "glibc security update", 1, "CVE-2099-1006");
    vuln("CVE-2099-1006", CRIT, "glibc overflow", 0);
    vuln("CVE-2099-1004", CRIT, "bar bug", 0);
    /* PyPI: a GHSA and a PYSEC record of one CVE */
    put("GHSA-aaaa-bbbb-cccc", "pypi", "foo-bar-baz", COMB_VS_PEP440, 0, COMB_FIX_FIXED, NULL, O, I0F_1_1, 2);
    put("PYSEC-2099-1", "pypi", "foo-bar-baz", COMB_VS_PEP440, 0, COMB_FIX_FIXED, NULL, O, I0F_1_1, 2);
    vuln("GHSA-aaaa-bbbb-cccc", NULL, "ghsa summary", 1, "CVE-2099-2000");
    vuln("PYSEC-2099-1", NULL, "pysec summary", 2, "CVE-2099-2000", "GHSA-aaaa-bbbb-cccc");
    put("GO-2099-0001", "go", "stdlib", COMB_VS_GO, 1, COMB_FIX_FIXED, NULL, O, I0F_1_19_9, 2);
    put("RHSA-2099:1", "rhel:9", "openssl-libs", COMB_VS_RPM, 0, COMB_FIX_FIXED, "important", O, I0F_rpm_e1, 2);
    put("RHSA-2099:2", "rhel:9", "openssl-libs", COMB_VS_RPM, 0, COMB_FIX_FIXED, NULL, O, I0F_rpm_e0, 2);
    put("CVE-2099-9999", D, "unrelated", COMB_VS_DPKG, 0, COMB_FIX_NOT_FIXED, NULL, T, I0, 1);
    CHECK_INT(comb_vulndb_commit(db, "test", &err), COMB_OK);
    comb_vulndb_close(db);
    db = NULL;
    return 0;
}

static comb_inventory *inventory(int rpm)
{
    comb_inventory *inv = calloc(1, sizeof *inv);
    comb_arena_init(&inv->arena);
    comb_arena *a = &inv->arena;
    inv->os = rpm ? os_of("rhel", "9.2", NULL) : os_of("debian", "12", "bookworm");
    comb_pkg **pk = comb_arena_calloc(a, 8, sizeof *pk);
    size_t n = 0;
#define ADD(...)                                                              \
    do {                                                                      \
        comb_pkg *p_ = comb_arena_alloc(a, sizeof *p_);                       \
        *p_ = (comb_pkg){ __VA_ARGS__ };                                      \
        pk[n++] = p_;                                                         \
    } while (0)
    if (rpm) {
        ADD(.type = COMB_PKG_RPM, .name = "openssl-libs", .version = "3.0.7-1.el9",
            .rpm_version = "3.0.7", .rpm_release = "1.el9", .epoch = 1,
            .purl = "pkg:rpm/redhat/openssl-libs@3.0.7-1.el9?epoch=1");
    } else {
        /* binary versioned apart from its source: the source version decides */
        ADD(.epoch = -1, .type = COMB_PKG_DPKG, .name = "libfoo1", .version = "5.0-1", .src_name = "foo",
            .src_version = "1:2.0-1", .purl = "pkg:deb/debian/libfoo1@5.0-1?distro=debian-12");
        ADD(.epoch = -1, .type = COMB_PKG_DPKG, .name = "bar", .version = "1.0~rc1-1", .src_name = "bar",
            .src_version = "1.0~rc1-1", .purl = "pkg:deb/debian/bar@1.0~rc1-1?distro=debian-12");
        ADD(.epoch = -1, .type = COMB_PKG_DPKG, .name = "libc6", .version = "2.36-9+deb12u3",
            .src_name = "glibc", .src_version = "2.36-9+deb12u3",
            .purl = "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?distro=debian-12");
        ADD(.epoch = -1, .type = COMB_PKG_PYTHON, .name = "Foo_Bar.baz", .version = "1.0",
            .purl = "pkg:pypi/foo-bar-baz@1.0");
        ADD(.epoch = -1, .type = COMB_PKG_GO_STDLIB, .name = "stdlib", .version = "1.19.8",
            .found_in = "usr/bin/app", .purl = "pkg:golang/stdlib@v1.19.8");
    }
    inv->pkgs = pk;
    inv->npkgs = n;
    return inv;
}

static comb_scan_result *scan(int rpm, const comb_scan_opts *o)
{
    comb_err err;
    comb_vulndb *rdb;
    if (comb_vulndb_open(dbpath, 0, &rdb, &err) != COMB_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        return NULL;
    }
    comb_scan_result *r = NULL;
    comb_code rc = comb_scan_inventory(inventory(rpm), rdb, o, &r, &err);
    if (rc)
        fprintf(stderr, "scan: %s\n", err.msg);
    comb_vulndb_close(rdb);
    return r;
}

static const comb_finding *find(const comb_scan_result *r, const char *pkg, const char *id)
{
    const comb_finding *hit = NULL;
    int count = 0;
    for (size_t i = 0; r && i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        int has = !strcmp(f->vuln_id, id);
        for (size_t k = 0; k < f->naliases; k++)
            has |= !strcmp(f->aliases[k], id);
        if (has && !strcmp(f->pkg->name, pkg)) {
            hit = f;
            count++;
        }
    }
    if (count > 1)
        fprintf(stderr, "  %s %s: %d findings\n", pkg, id, count);
    return count == 1 ? hit : NULL;
}

static void test_debian_scan(void)
{
    comb_scan_opts o = { 0 };
    comb_scan_result *r = scan(0, &o);
    CHECK(r != NULL);
    if (!r)
        return;
    const comb_finding *f = find(r, "libfoo1", "CVE-2099-1001");
    CHECK(f != NULL); /* 1:2.0-1 < 1:2.0-2 */
    if (f) {
        CHECK_STR(f->matched_name, "foo");
        CHECK_STR(f->ecosystem, "debian:12");
        CHECK_INT(f->nfixed, 1);
        CHECK_INT(f->severity, COMB_SEV_HIGH);
        CHECK_INT(f->state, COMB_FIX_FIXED);
    }
    CHECK(!find(r, "libfoo1", "CVE-2099-1002")); /* epoch 1 > epoch 0 */
    CHECK(!find(r, "libfoo1", "CVE-2099-1003")); /* binary 5.0-1 < 6.0-1, but source 1:2.0-1 is not */
    CHECK(find(r, "bar", "CVE-2099-1004") != NULL); /* 1.0~rc1 < 1.0 */
    CHECK(!find(r, "bar", "CVE-2099-1005"));        /* 1.0~rc1 > 1.0~beta1 */
    f = find(r, "libc6", "CVE-2099-1006");
    CHECK(f != NULL); /* u3 < u4, and DSA-9999-1 merged in */
    if (f) {
        CHECK_STR(f->vuln_id, "CVE-2099-1006");
        CHECK_INT(f->naliases, 1);
        if (f->naliases)
            CHECK_STR(f->aliases[0], "DSA-9999-1");
        CHECK_INT(f->nfixed, 2);
        if (f->nfixed == 2) {
            CHECK_STR(f->fixed_versions[0], "2.36-9+deb12u4");
            CHECK_STR(f->fixed_versions[1], "2.36-9+deb12u5");
        }
        CHECK_INT(f->severity, COMB_SEV_MEDIUM); /* distro rating beats CVSS 9.8 */
        CHECK_STR(f->severity_source, "debian");
        CHECK(f->cvss_v3_score > 9.7 && f->cvss_v3_score < 9.9);
        CHECK_STR(f->title, "glibc overflow");
    }
    CHECK(!find(r, "libc6", "DSA-9999-1") || find(r, "libc6", "DSA-9999-1") == f);
    CHECK(!find(r, "libc6", "CVE-2099-1007")); /* fixed in the installed u3 */
    f = find(r, "libc6", "CVE-2099-1008");
    CHECK(f != NULL); /* tracker: open, no fix */
    if (f) {
        CHECK_INT(f->state, COMB_FIX_NOT_FIXED);
        CHECK_INT(f->nfixed, 0);
        CHECK_INT(f->severity, COMB_SEV_LOW);
    }
    CHECK(!find(r, "libc6", "CVE-2099-1009")); /* bullseye record */
    CHECK(find(r, "libc6", "CVE-2099-1010") != NULL); /* u3 < u10 numerically */
    f = find(r, "bar", "CVE-2099-1004");
    if (f) {
        CHECK_INT(f->severity, COMB_SEV_CRITICAL); /* no distro rating: CVSS 9.8 */
        CHECK_STR(f->severity_source, "cvss_v3");
    }
    f = find(r, "Foo_Bar.baz", "CVE-2099-2000");
    CHECK(f != NULL); /* GHSA + PYSEC: one finding, named by the CVE */
    if (f) {
        CHECK_STR(f->vuln_id, "CVE-2099-2000");
        CHECK_INT(f->naliases, 2);
        CHECK_STR(f->ecosystem, "pypi");
        CHECK_STR(f->matched_name, "foo-bar-baz");
    }
    CHECK(find(r, "stdlib", "GO-2099-0001") != NULL);
    CHECK(!find(r, "unrelated", "CVE-2099-9999"));
    CHECK_INT(r->nfindings, 7);
    /* sorted: severity descending */
    for (size_t i = 1; i < r->nfindings; i++)
        CHECK(r->findings[i - 1]->severity >= r->findings[i]->severity);
    CHECK_INT(r->db_stale, 0);
    comb_scan_result_free(r);

    /* options */
    o.severities = (1u << COMB_SEV_HIGH) | (1u << COMB_SEV_CRITICAL);
    r = scan(0, &o);
    CHECK(r && r->nfindings == 2);
    comb_scan_result_free(r);
    o = (comb_scan_opts){ .ignore_unfixed = 1 };
    r = scan(0, &o);
    CHECK(r && !find(r, "libc6", "CVE-2099-1008") && find(r, "libc6", "CVE-2099-1006"));
    comb_scan_result_free(r);
    o = (comb_scan_opts){ .now = time(NULL) + 8 * 86400 };
    r = scan(0, &o);
    CHECK(r && r->db_stale == 1 && r->db_built);
    comb_scan_result_free(r);
}

static void test_rpm_scan(void)
{
    comb_scan_opts o = { 0 };
    comb_scan_result *r = scan(1, &o);
    CHECK(r != NULL);
    if (!r)
        return;
    const comb_finding *f = find(r, "openssl-libs", "RHSA-2099:1");
    CHECK(f != NULL); /* 1:3.0.7-1 < 1:3.0.7-2 */
    if (f)
        CHECK_INT(f->severity, COMB_SEV_HIGH); /* "important" */
    CHECK(!find(r, "openssl-libs", "RHSA-2099:2")); /* epoch 1 beats 3.0.8 without epoch */
    comb_scan_result_free(r);
}

static void write_file(const char *name, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_ignore_and_vex(void)
{
    char ign[400], yml[400], vex[400], cdx[400];
    write_file("ignore.txt",
               "# comment\n"
               "CVE-2099-1004 exp:2999-12-31 not reachable\n"
               "CVE-2099-1010 exp:2001-01-01 expired\n"
               "GHSA-aaaa-bbbb-cccc alias of CVE-2099-2000\n",
               ign, sizeof ign);
    comb_scan_opts o = { .ignore_file = ign };
    comb_scan_result *r = scan(0, &o);
    CHECK(r != NULL);
    if (r) {
        const comb_finding *f = find(r, "bar", "CVE-2099-1004");
        CHECK(f && f->suppressed && strstr(f->suppressed_by, "not reachable"));
        f = find(r, "libc6", "CVE-2099-1010");
        CHECK(f && !f->suppressed); /* expired */
        f = find(r, "Foo_Bar.baz", "CVE-2099-2000");
        CHECK(f && f->suppressed); /* by alias */
        f = find(r, "libc6", "CVE-2099-1006");
        CHECK(f && !f->suppressed);
        int warned = 0;
        for (size_t i = 0; i < r->nwarnings; i++)
            warned |= strstr(r->warnings[i], "CVE-2099-1010 expired") != NULL;
        CHECK(warned);
        CHECK_INT(comb_scan_count_at_least(r, COMB_SEV_UNKNOWN), r->nfindings - 2);
    }
    comb_scan_result_free(r);
    write_file("ignore.yaml",
               "vulnerabilities:\n"
               "  - id: CVE-2099-1006\n"
               "    statement: mitigated\n"
               "    expires: 2999-01-01\n"
               "  - id: CVE-2099-1008\n"
               "    purls: [pkg:deb/debian/other]\n"
               "  - id: CVE-2099-1010\n"
               "    expired_at: 2000-01-01\n",
               yml, sizeof yml);
    o = (comb_scan_opts){ .ignore_file = yml };
    r = scan(0, &o);
    CHECK(r != NULL);
    if (r) {
        const comb_finding *f = find(r, "libc6", "CVE-2099-1006");
        CHECK(f && f->suppressed && strstr(f->suppressed_by, "mitigated"));
        f = find(r, "libc6", "CVE-2099-1008");
        CHECK(f && !f->suppressed); /* purl does not match */
        f = find(r, "libc6", "CVE-2099-1010");
        CHECK(f && !f->suppressed); /* expired */
    }
    comb_scan_result_free(r);
    write_file("bad.yaml", "vulnerabilities:\n  - id: X\n    expires: someday\n", yml, sizeof yml);
    o = (comb_scan_opts){ .ignore_file = yml };
    CHECK(scan(0, &o) == NULL); /* a bad date is an error, not silently ignored */

    write_file("vex.json",
               "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": [\n"
               " {\"vulnerability\": {\"name\": \"CVE-2099-1004\"},\n"
               "  \"products\": [{\"@id\": \"pkg:deb/debian/bar@1.0~rc1-1?arch=amd64\"}],\n"
               "  \"status\": \"not_affected\", \"justification\": \"vulnerable_code_not_present\"},\n"
               " {\"vulnerability\": {\"name\": \"DSA-9999-1\"},\n"
               "  \"products\": [{\"@id\": \"pkg:oci/myimage\"}], \"status\": \"fixed\"},\n"
               " {\"vulnerability\": {\"name\": \"CVE-2099-1001\"},\n"
               "  \"products\": [{\"@id\": \"pkg:deb/debian/libfoo1\"}], \"status\": \"not_affected\"},\n"
               " {\"vulnerability\": {\"name\": \"CVE-2099-1001\"},\n"
               "  \"products\": [{\"@id\": \"pkg:deb/debian/libfoo1\"}], \"status\": \"affected\"},\n"
               " {\"vulnerability\": {\"name\": \"CVE-2099-2000\"},\n"
               "  \"products\": [{\"@id\": \"pkg:pypi/other@1.0\"}], \"status\": \"not_affected\"}\n"
               "]}\n",
               vex, sizeof vex);
    o = (comb_scan_opts){ .vex_file = vex };
    r = scan(0, &o);
    CHECK(r != NULL);
    if (r) {
        const comb_finding *f = find(r, "bar", "CVE-2099-1004");
        CHECK(f && f->suppressed && strstr(f->suppressed_by, "vulnerable_code_not_present"));
        f = find(r, "libc6", "CVE-2099-1006");
        CHECK(f && f->suppressed); /* by alias, image-wide product */
        f = find(r, "libfoo1", "CVE-2099-1001");
        CHECK(f && !f->suppressed); /* the later "affected" statement wins */
        f = find(r, "Foo_Bar.baz", "CVE-2099-2000");
        CHECK(f && !f->suppressed); /* other product */
    }
    comb_scan_result_free(r);
    write_file("cdx.json",
               "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": 1,\n"
               " \"vulnerabilities\": [\n"
               "  {\"id\": \"CVE-2099-2000\", \"analysis\": {\"state\": \"false_positive\"},\n"
               "   \"affects\": [{\"ref\": \"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:pypi/foo-bar-baz@1.0\"}]},\n"
               "  {\"id\": \"CVE-2099-1004\", \"analysis\": {\"state\": \"exploitable\"},\n"
               "   \"affects\": [{\"ref\": \"comp-bar\"}]},\n"
               "  {\"id\": \"CVE-2099-1010\", \"analysis\": {\"state\": \"not_affected\"},\n"
               "   \"affects\": [{\"ref\": \"comp-libc\"}]}],\n"
               " \"components\": [{\"bom-ref\": \"comp-libc\", \"type\": \"library\", \"name\": \"libc6\",\n"
               "   \"purl\": \"pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?distro=debian-12\"}]}\n",
               cdx, sizeof cdx);
    o = (comb_scan_opts){ .vex_file = cdx };
    r = scan(0, &o);
    CHECK(r != NULL);
    if (r) {
        const comb_finding *f = find(r, "Foo_Bar.baz", "CVE-2099-2000");
        CHECK(f && f->suppressed);
        f = find(r, "bar", "CVE-2099-1004");
        CHECK(f && !f->suppressed);
        f = find(r, "libc6", "CVE-2099-1010");
        CHECK(f && f->suppressed); /* bom-ref resolved through components */
    }
    comb_scan_result_free(r);
}

static void test_purl_parse(void)
{
    comb_arena a;
    comb_arena_init(&a);
    comb_purl_parts p;
    CHECK_INT(comb_purl_parse(&a, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc", &p), 0);
    CHECK_STR(p.type, "deb");
    CHECK_STR(p.namespace_, "debian");
    CHECK_STR(p.name, "libc6");
    CHECK_STR(p.version, "2.36-9+deb12u3");
    CHECK_STR(comb_purl_qualifier(&p, "distro"), "debian-12");
    CHECK_STR(comb_purl_qualifier(&p, "upstream"), "glibc");
    CHECK_INT(comb_purl_parse(&a, "pkg:npm/%40babel/core@7.23.0", &p), 0);
    CHECK_STR(p.namespace_, "@babel");
    CHECK_STR(p.name, "core");
    CHECK_INT(comb_purl_parse(&a, "pkg:golang/github.com/opencontainers/runc@v1.1.5#sub/dir", &p), 0);
    CHECK_STR(p.namespace_, "github.com/opencontainers");
    CHECK_STR(p.name, "runc");
    CHECK_STR(p.version, "v1.1.5");
    CHECK_STR(p.subpath, "sub/dir");
    CHECK_INT(comb_purl_parse(&a, "not-a-purl", &p), -1);
    CHECK_INT(comb_purl_parse(&a, "pkg:", &p), -1);
    CHECK_INT(comb_purl_parse(&a, "pkg:deb/", &p), -1);
    comb_arena_free(&a);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/comb-test-scan.XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_keys);
    RUN(test_purl_parse);
    if (build_db() == 0) {
        RUN(test_debian_scan);
        RUN(test_rpm_scan);
        RUN(test_ignore_and_vex);
    } else {
        test_failures++;
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary();
}
