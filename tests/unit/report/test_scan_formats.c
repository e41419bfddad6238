/* test_scan_formats.c - SARIF 2.1.0, CycloneDX 1.6 (with vulnerabilities)
 * and OpenVEX 0.2.0 scan reports.
 *
 * Builds a synthetic scan result (dpkg, apk, PyPI and Go packages; CVE
 * findings with GHSA aliases, CVSS v3 and v4 vectors, fixed, unfixed and
 * will-not-fix findings, one suppressed by VEX), writes the three formats,
 * validates each with tests/tools/validate_schema.py against the official
 * schemas in tests/schemas/, and checks content by parsing it back. */
#include <unistd.h>

#include <jansson.h>

#include "report/scan_report.h"
#include "vuln/cvss.h"
#include "test.h"

#define NOW ((time_t)1700000000) /* 2023-11-14T22:13:20Z */
#define UUID "0f8fad5b-d9cb-469f-a165-70867728950e"

static const char *src_dir(void)
{
    const char *env = getenv("COMB_SRC");
    return env && *env ? env : ".";
}

static comb_pkg *add_pkg(comb_inventory *inv, comb_pkg_type type, const char *name, const char *version,
                         const char *purl, const char *found_in)
{
    comb_pkg *p = comb_arena_alloc(&inv->arena, sizeof *p);
    memset(p, 0, sizeof *p);
    p->type = type;
    p->name = name;
    p->version = version;
    p->purl = purl;
    p->epoch = -1;
    p->found_in = found_in;
    p->layer_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    inv->pkgs[inv->npkgs++] = p;
    return p;
}

static comb_finding *add_finding(comb_scan_result *r, const char *id, const comb_pkg *p, comb_severity sev)
{
    comb_finding *f = comb_arena_alloc(&r->arena, sizeof *f);
    memset(f, 0, sizeof *f);
    f->vuln_id = id;
    f->pkg = p;
    f->matched_name = p->name;
    f->severity = sev;
    f->cvss_v3_score = -1;
    f->cvss_v4_score = -1;
    f->data_source = "osv";
    r->findings[r->nfindings++] = f;
    return f;
}

static const char *const *strs(comb_arena *a, size_t n, const char *s0, const char *s1)
{
    const char **v = comb_arena_alloc(a, 2 * sizeof *v);
    v[0] = s0;
    v[1] = s1;
    (void)n;
    return v;
}

static comb_scan_result *make_result(void)
{
    comb_scan_result *r = calloc(1, sizeof *r);
    comb_arena_init(&r->arena);
    comb_inventory *inv = calloc(1, sizeof *inv);
    comb_arena_init(&inv->arena);
    r->inv = inv;
    inv->image = (comb_image_meta){
        .target = "app.tar", .source_kind = "docker-archive", .name = "example.com/app:1.0",
        .config_digest = "sha256:4444444444444444444444444444444444444444444444444444444444444444",
        .os = "linux", .arch = "amd64",
    };
    inv->os = (comb_os){.id = "debian", .version_id = "12", .pretty_name = "Debian GNU/Linux 12 (bookworm)",
                        .found_in = "etc/os-release"};
    inv->pkgs = comb_arena_alloc(&inv->arena, 8 * sizeof *inv->pkgs);

    comb_pkg *libc = add_pkg(inv, COMB_PKG_DPKG, "libc6", "2.36-9+deb12u3",
                             "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12",
                             "var/lib/dpkg/status");
    libc->src_name = "glibc";
    comb_pkg *zlib = add_pkg(inv, COMB_PKG_DPKG, "zlib1g", "1:1.2.13.dfsg-1",
                             "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12&epoch=1",
                             "var/lib/dpkg/status");
    comb_pkg *musl = add_pkg(inv, COMB_PKG_APK, "musl", "1.2.4-r1", "pkg:apk/alpine/musl@1.2.4-r1?arch=x86_64",
                             "lib/apk/db/installed");
    comb_pkg *req = add_pkg(inv, COMB_PKG_PYTHON, "requests", "2.31.0", "pkg:pypi/requests@2.31.0",
                            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA");
    comb_pkg *net = add_pkg(inv, COMB_PKG_GO, "golang.org/x/net", "v0.17.0",
                            "pkg:golang/golang.org/x/net@v0.17.0", "usr/local/bin/app server");
    comb_pkg *nopurl = add_pkg(inv, COMB_PKG_PYTHON, "odd", "0.1", NULL, "opt/odd/PKG-INFO");

    r->findings = comb_arena_alloc(&r->arena, 8 * sizeof *r->findings);
    comb_arena *a = &r->arena;

    /* critical, fixed, CVSS v3.1 and distro rating */
    comb_finding *f = add_finding(r, "CVE-2023-4911", libc, COMB_SEV_HIGH);
    f->state = COMB_FIX_FIXED;
    f->fixed_versions = strs(a, 1, "2.36-9+deb12u4", NULL);
    f->nfixed = 1;
    f->severity_source = "debian";
    f->cvss_v3 = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
    f->cvss_v3_score = comb_cvss3_score(f->cvss_v3);
    f->title = "Looney Tunables: buffer overflow in ld.so";
    f->description = "A buffer overflow was discovered in the GNU C Library's dynamic loader.";
    f->url = "https://security-tracker.debian.org/tracker/CVE-2023-4911";
    f->data_source = "debian-tracker";

    /* GHSA alias, CVSS v4 and v3, two fixed versions */
    f = add_finding(r, "CVE-2023-44487", net, COMB_SEV_HIGH);
    f->aliases = strs(a, 2, "GHSA-qppj-fm5r-hxr3", "GO-2023-2102");
    f->naliases = 2;
    f->state = COMB_FIX_FIXED;
    f->fixed_versions = strs(a, 2, "v0.17.1", "v0.18.0");
    f->nfixed = 2;
    f->severity_source = "cvss_v3";
    f->cvss_v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
    f->cvss_v3_score = comb_cvss3_score(f->cvss_v3);
    f->cvss_v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N";
    f->cvss_v4_score = comb_cvss4_score(f->cvss_v4);
    f->title = "HTTP/2 rapid reset can cause excessive work in net/http";
    f->ecosystem = "Go";

    /* the same CVE in another package: one rule, two results */
    f = add_finding(r, "CVE-2023-44487", req, COMB_SEV_MEDIUM);
    f->state = COMB_FIX_NOT_FIXED;
    f->severity_source = "ghsa";
    f->ecosystem = "PyPI";

    /* medium, GHSA primary with CVE alias, CVSS v4 only, no fix */
    f = add_finding(r, "GHSA-j8r2-6x86-q33q", req, COMB_SEV_MEDIUM);
    f->aliases = strs(a, 1, "CVE-2023-32681", NULL);
    f->naliases = 1;
    f->state = COMB_FIX_NOT_FIXED;
    f->severity_source = "cvss_v4";
    f->cvss_v4 = "CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N";
    f->cvss_v4_score = comb_cvss4_score(f->cvss_v4);
    f->title = "Unintended leak of Proxy-Authorization header in requests";
    f->ecosystem = "PyPI";

    /* low, will not fix */
    f = add_finding(r, "CVE-2018-25032", zlib, COMB_SEV_LOW);
    f->state = COMB_FIX_WONT_FIX;
    f->severity_source = "debian";
    f->data_source = "debian-tracker";

    /* unknown severity, fix state unknown, package without purl */
    f = add_finding(r, "OSV-2024-0001", nopurl, COMB_SEV_UNKNOWN);

    /* suppressed by VEX */
    f = add_finding(r, "CVE-2025-26519", musl, COMB_SEV_HIGH);
    f->state = COMB_FIX_FIXED;
    f->fixed_versions = strs(a, 1, "1.2.4-r3", NULL);
    f->nfixed = 1;
    f->cvss_v3 = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H";
    f->cvss_v3_score = comb_cvss3_score(f->cvss_v3);
    f->severity_source = "cvss_v3";
    f->suppressed = 1;
    f->suppressed_by = "vex: not_affected (vulnerable_code_not_in_execute_path)";
    return r;
}

static void free_result(comb_scan_result *r)
{
    comb_inventory_free(r->inv);
    comb_arena_free(&r->arena);
    free(r);
}

typedef comb_code (*writer_fn)(const comb_scan_result *, const comb_report_opts *, FILE *, comb_err *);

/* Write a format to a temp file; returns its malloc'd path. */
static char *write_doc(writer_fn fn, const comb_scan_result *r, const char *suffix)
{
    char *path = NULL;
    if (asprintf(&path, "/tmp/comb-scanfmt-%ld-%s.json", (long)getpid(), suffix) < 0)
        return NULL;
    FILE *out = fopen(path, "w");
    CHECK(out != NULL);
    if (!out)
        return path;
    comb_report_opts o = {.now = NOW, .uuid = UUID};
    comb_err err = {0};
    comb_code rc = fn(r, &o, out, &err);
    if (rc != COMB_OK)
        fprintf(stderr, "  %s: %s\n", suffix, err.msg);
    CHECK_INT(rc, COMB_OK);
    CHECK(fclose(out) == 0);
    return path;
}

static int validate(const char *schema, const char *doc)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "/usr/bin/python3 %s/tests/tools/validate_schema.py %s/tests/schemas/%s %s", src_dir(),
                 src_dir(), schema, doc) < 0)
        return -1;
    int st = system(cmd);
    free(cmd);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "  %s: %s\n", path, e.text);
    return j;
}

static const char *sget(json_t *o, const char *path)
{
    /* "a/b/0/c" */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = o;
    for (char *tok = strtok(buf, "/"); tok && cur; tok = strtok(NULL, "/")) {
        if (json_is_array(cur))
            cur = json_array_get(cur, (size_t)atoi(tok));
        else
            cur = json_object_get(cur, tok);
    }
    return json_string_value(cur);
}

static void test_sarif(void)
{
    comb_scan_result *r = make_result();
    char *path = write_doc(comb_report_scan_sarif, r, "sarif");
    CHECK_INT(validate("sarif-schema-2.1.0.json", path), 0);
    json_t *doc = load(path);
    CHECK(doc != NULL);
    if (doc) {
        CHECK_STR(sget(doc, "version"), "2.1.0");
        json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
        CHECK_STR(sget(run, "tool/driver/name"), "comb");
        CHECK(sget(run, "tool/driver/informationUri") != NULL);
        json_t *rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
        json_t *results = json_object_get(run, "results");
        CHECK_INT(json_array_size(rules), 6);  /* 7 findings, CVE-2023-44487 twice */
        CHECK_INT(json_array_size(results), 7);
        CHECK_STR(sget(rules, "0/id"), "CVE-2023-4911");
        CHECK_STR(sget(rules, "0/properties/security-severity"), "7.8");
        CHECK_STR(sget(rules, "1/id"), "CVE-2023-44487");
        CHECK_STR(sget(rules, "1/properties/security-severity"), "7.5");
        CHECK_STR(sget(rules, "1/helpUri"), "https://nvd.nist.gov/vuln/detail/CVE-2023-44487");
        CHECK_STR(sget(rules, "2/id"), "GHSA-j8r2-6x86-q33q");
        CHECK_STR(sget(rules, "2/properties/security-severity"), "8.2"); /* its CVSS v4 score */
        CHECK(json_object_get(json_object_get(json_array_get(rules, 5), "properties"), "security-severity") == NULL ||
              sget(rules, "5/properties/security-severity") != NULL);
        /* results: ruleId, ruleIndex resolving to it, level, message, location */
        static const char *const levels[] = {"error", "error", "warning", "warning", "note", "note", "error"};
        size_t i;
        json_t *res;
        json_array_foreach(results, i, res) {
            const char *rid = sget(res, "ruleId");
            json_int_t ri = json_integer_value(json_object_get(res, "ruleIndex"));
            CHECK_STR(sget(json_array_get(rules, (size_t)ri), "id"), rid);
            CHECK_STR(sget(res, "level"), levels[i]);
            CHECK(sget(res, "message/text") != NULL);
        }
        const char *msg = sget(results, "0/message/text");
        CHECK(msg && strstr(msg, "libc6") && strstr(msg, "2.36-9+deb12u3") && strstr(msg, "2.36-9+deb12u4"));
        CHECK_STR(sget(results, "0/locations/0/physicalLocation/artifactLocation/uri"), "var/lib/dpkg/status");
        CHECK_STR(sget(results, "1/locations/0/physicalLocation/artifactLocation/uri"), "usr/local/bin/app%20server");
        CHECK_STR(sget(results, "1/locations/0/logicalLocations/0/fullyQualifiedName"),
                  "pkg:golang/golang.org/x/net@v0.17.0");
        msg = sget(results, "2/message/text");
        CHECK(msg && strstr(msg, "no fix available"));
        /* only the suppressed finding carries suppressions */
        json_array_foreach(results, i, res) {
            json_t *sup = json_object_get(res, "suppressions");
            CHECK((i == 6) == (sup != NULL));
        }
        CHECK_STR(sget(results, "6/suppressions/0/kind"), "external");
        CHECK_STR(sget(results, "6/suppressions/0/justification"),
                  "vex: not_affected (vulnerable_code_not_in_execute_path)");
        json_decref(doc);
    }
    unlink(path);
    free(path);
    free_result(r);
}

static void test_openvex(void)
{
    comb_scan_result *r = make_result();
    char *path = write_doc(comb_report_scan_openvex, r, "openvex");
    CHECK_INT(validate("openvex_json_schema.json", path), 0);
    json_t *doc = load(path);
    CHECK(doc != NULL);
    if (doc) {
        CHECK_STR(sget(doc, "@context"), "https://openvex.dev/ns/v0.2.0");
        CHECK_STR(sget(doc, "@id"), "urn:uuid:" UUID);
        CHECK_STR(sget(doc, "author"), "comb");
        CHECK_STR(sget(doc, "timestamp"), "2023-11-14T22:13:20Z");
        CHECK_INT(json_integer_value(json_object_get(doc, "version")), 1);
        json_t *st = json_object_get(doc, "statements");
        CHECK_INT(json_array_size(st), 7);
        CHECK_STR(sget(st, "0/vulnerability/name"), "CVE-2023-4911");
        CHECK_STR(sget(st, "0/products/0/@id"), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12");
        CHECK_STR(sget(st, "0/status"), "affected");
        CHECK_STR(sget(st, "0/action_statement"), "Upgrade libc6 to 2.36-9+deb12u4 or later");
        CHECK_STR(sget(st, "1/vulnerability/aliases/0"), "GHSA-qppj-fm5r-hxr3");
        CHECK_STR(sget(st, "2/action_statement"), "No fix available");
        CHECK_STR(sget(st, "4/status"), "affected");
        CHECK(strstr(sget(st, "4/action_statement"), "will not fix") != NULL);
        CHECK_STR(sget(st, "5/status"), "under_investigation");
        CHECK(sget(st, "5/products/0/subcomponents/0/@id") != NULL);
        CHECK_STR(sget(st, "6/status"), "not_affected");
        CHECK_STR(sget(st, "6/justification"), "vulnerable_code_not_in_execute_path");
        CHECK_STR(sget(st, "6/products/0/@id"), "pkg:apk/alpine/musl@1.2.4-r1?arch=x86_64");
        json_decref(doc);
    }
    unlink(path);
    free(path);
    free_result(r);
}

static void test_cyclonedx(void)
{
    comb_scan_result *r = make_result();
    char *path = write_doc(comb_report_scan_cyclonedx, r, "cdx");
    CHECK_INT(validate("bom-1.6.schema.json", path), 0);
    json_t *doc = load(path);
    CHECK(doc != NULL);
    if (doc) {
        CHECK_STR(sget(doc, "specVersion"), "1.6");
        CHECK_STR(sget(doc, "serialNumber"), "urn:uuid:" UUID);
        json_t *comps = json_object_get(doc, "components");
        CHECK_INT(json_array_size(comps), 7); /* OS + 6 packages */
        json_t *vulns = json_object_get(doc, "vulnerabilities");
        CHECK_INT(json_array_size(vulns), 7);
        /* every affects ref resolves to a component, the right one */
        static const char *const names[] = {"libc6", "golang.org/x/net", "requests", "requests", "zlib1g",
                                            "odd", "musl"};
        size_t i, j;
        json_t *v, *c;
        json_array_foreach(vulns, i, v) {
            const char *ref = sget(v, "affects/0/ref");
            const char *name = NULL;
            json_array_foreach(comps, j, c)
                if (ref && sget(c, "bom-ref") && strcmp(sget(c, "bom-ref"), ref) == 0)
                    name = sget(c, "name");
            CHECK_STR(name, names[i]);
            CHECK((i == 6) == (sget(v, "analysis/state") && strcmp(sget(v, "analysis/state"), "not_affected") == 0));
        }
        CHECK_STR(sget(vulns, "0/id"), "CVE-2023-4911");
        CHECK_STR(sget(vulns, "0/ratings/0/method"), "CVSSv31");
        CHECK(json_real_value(json_object_get(json_array_get(json_object_get(json_array_get(vulns, 0), "ratings"), 0),
                                              "score")) == 7.8);
        CHECK_STR(sget(vulns, "0/ratings/1/method"), "other");
        CHECK_STR(sget(vulns, "0/ratings/1/source/name"), "debian");
        CHECK_STR(sget(vulns, "0/recommendation"), "Upgrade libc6 to 2.36-9+deb12u4");
        CHECK_STR(sget(vulns, "0/advisories/0/url"), "https://security-tracker.debian.org/tracker/CVE-2023-4911");
        CHECK_STR(sget(vulns, "1/ratings/1/method"), "CVSSv4");
        CHECK_STR(sget(vulns, "1/ratings/1/severity"), "high");
        CHECK_STR(sget(vulns, "1/references/0/id"), "GHSA-qppj-fm5r-hxr3");
        CHECK_STR(sget(vulns, "1/references/0/source/url"), "https://github.com/advisories/GHSA-qppj-fm5r-hxr3");
        CHECK_STR(sget(vulns, "3/source/name"), "GitHub");
        CHECK_STR(sget(vulns, "3/recommendation"), "No fix available");
        CHECK_STR(sget(vulns, "6/analysis/justification"), "code_not_reachable");
        CHECK_STR(sget(vulns, "6/affects/0/versions/0/version"), "1.2.4-r1");
        CHECK_STR(sget(vulns, "6/affects/0/versions/1/status"), "unaffected");
        json_decref(doc);
    }
    unlink(path);
    free(path);
    free_result(r);
}

/* The validator must reject broken documents (so the passes above mean
 * something). */
static void test_validator_rejects(void)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/comb-scanfmt-%ld-bad.json", (long)getpid());
    static const struct { const char *schema, *doc; } bad[] = {
        /* SARIF: level not in the enum */
        {"sarif-schema-2.1.0.json",
         "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"comb\"}},"
         "\"results\":[{\"ruleId\":\"X\",\"level\":\"critical\",\"message\":{\"text\":\"m\"}}]}]}"},
        /* OpenVEX: affected without action_statement */
        {"openvex_json_schema.json",
         "{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"@id\":\"urn:uuid:x\",\"author\":\"comb\","
         "\"timestamp\":\"2023-11-14T22:13:20Z\",\"version\":1,\"statements\":[{\"vulnerability\":"
         "{\"name\":\"CVE-1\"},\"products\":[{\"@id\":\"pkg:pypi/a@1\"}],\"status\":\"affected\"}]}"},
        /* CycloneDX: rating method not in the enum */
        {"bom-1.6.schema.json",
         "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"vulnerabilities\":[{\"id\":\"CVE-1\","
         "\"ratings\":[{\"score\":1.0,\"method\":\"CVSSv5\"}]}]}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (!f)
            return;
        fputs(bad[i].doc, f);
        fclose(f);
        CHECK_INT(validate(bad[i].schema, path), 1);
    }
    unlink(path);
}

int main(void)
{
    RUN(test_sarif);
    RUN(test_openvex);
    RUN(test_cyclonedx);
    RUN(test_validator_rejects);
    return test_summary();
}
