/* test_sbom_formats.c - CycloneDX 1.6 and SPDX 2.3 output.
 *
 * Builds a synthetic inventory, writes both formats, validates them with
 * tests/tools/validate_schema.py against the official schemas in
 * tests/schemas/ (needs /usr/bin/python3 with python3-jsonschema), and
 * checks content by parsing the output back. */
#include <errno.h>
#include <regex.h>
#include <unistd.h>

#include <jansson.h>

#include "report/report.h"
#include "report/sbom_util.h"
#include "test.h"

#define NOW ((time_t)1700000000) /* 2023-11-14T22:13:20Z */
#define UUID "0F8FAD5B-D9CB-469F-A165-70867728950E"
#define UUID_LC "0f8fad5b-d9cb-469f-a165-70867728950e"

static const char *src_dir(void)
{
    static char buf[4096];
    const char *env = getenv("COMB_SRC");
    if (env && *env)
        return env;
    snprintf(buf, sizeof buf, "%s", __FILE__);
    char *p = strstr(buf, "/tests/unit/report/");
    if (p)
        *p = '\0';
    else
        snprintf(buf, sizeof buf, ".");
    return buf;
}

/* ---- synthetic inventory ---------------------------------------------- */

static comb_pkg *pkg(comb_inventory *inv, comb_pkg_type type, const char *name, const char *version,
                     const char *purl, const char *license)
{
    comb_pkg *p = comb_arena_alloc(&inv->arena, sizeof *p);
    p->type = type;
    p->name = name;
    p->version = version;
    p->purl = purl;
    p->license = license;
    p->epoch = -1;
    p->layer_digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    p->layer_diff_id = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    inv->pkgs[inv->npkgs++] = p;
    return p;
}

static comb_inventory *make_inventory(void)
{
    comb_inventory *inv = calloc(1, sizeof *inv);
    comb_arena_init(&inv->arena);
    comb_layer_info *layers = comb_arena_calloc(&inv->arena, 2, sizeof *layers);
    layers[0].digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    layers[0].diff_id = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    layers[1].diff_id = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    inv->image = (comb_image_meta){
        .target = "debian.tar", .source_kind = "docker-archive", .name = "example.com/app:1.0",
        .config_digest = "sha256:4444444444444444444444444444444444444444444444444444444444444444",
        .os = "linux", .arch = "amd64", .created = "2024-01-02T03:04:05Z",
        .layers = layers, .nlayers = 2,
    };
    inv->os = (comb_os){.id = "debian", .version_id = "12", .pretty_name = "Debian GNU/Linux 12 (bookworm)",
                        .codename = "bookworm", .found_in = "etc/os-release"};
    inv->pkgs = comb_arena_calloc(&inv->arena, 32, sizeof *inv->pkgs);

    comb_pkg *p = pkg(inv, COMB_PKG_DPKG, "libc6", "2.36-9+deb12u4",
                      "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12",
                      "LGPL-2.1-or-later AND GPL-2.0-or-later WITH GCC-exception-2.0");
    p->arch = "amd64";
    p->src_name = "glibc";
    p->maintainer = "GNU Libc Maintainers <debian-glibc@lists.debian.org>";
    p->found_in = "var/lib/dpkg/status";

    p = pkg(inv, COMB_PKG_DPKG, "perl-base", "1:5.36.0-7",
            "pkg:deb/debian/perl-base@5.36.0-7?arch=amd64&distro=debian-12&epoch=1",
            "GPL-1.0-or-later OR Artistic-1.0-Perl");
    p->epoch = 1;
    p->src_name = "perl";
    p->src_version = "5.36.0-7";

    p = pkg(inv, COMB_PKG_APK, "musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64", "MIT");
    p->src_name = "musl";
    p->found_in = "lib/apk/db/installed";

    p = pkg(inv, COMB_PKG_RPM, "openssl-libs", "3.0.7-25.el9",
            "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9?arch=x86_64&epoch=1", "ASL 2.0");
    p->epoch = 1;
    p->rpm_version = "3.0.7";
    p->rpm_release = "25.el9";
    p->src_name = "openssl";
    p->src_version = "3.0.7-25.el9";
    p->modularity = "";

    p = pkg(inv, COMB_PKG_NPM, "@babel/core", "7.23.2", "pkg:npm/%40babel/core@7.23.2", "MIT");
    p->found_in = "app/node_modules/@babel/core/package.json";

    p = pkg(inv, COMB_PKG_MAVEN, "commons-lang3", "3.12.0",
            "pkg:maven/org.apache.commons/commons-lang3@3.12.0", "Apache-2.0");
    p->namespace_ = "org.apache.commons";
    p->found_in = "app/app.jar";
    p->inner_path = "BOOT-INF/lib/commons-lang3-3.12.0.jar!META-INF/maven/org.apache.commons/commons-lang3/pom.properties";

    pkg(inv, COMB_PKG_GO_STDLIB, "stdlib", "1.21.3", "pkg:golang/stdlib@1.21.3", "BSD-3-Clause");

    p = pkg(inv, COMB_PKG_PYTHON, "chardet", "5.2.0", "pkg:pypi/chardet@5.2.0", "GPL-2+ and BSD");
    p->maintainer = "Daniel Blanchard\n<dan.blanchard@gmail.com>";

    /* same non-SPDX text again: one LicenseRef; same purl again: unique bom-ref */
    pkg(inv, COMB_PKG_PYTHON, "chardet", "5.2.0", "pkg:pypi/chardet@5.2.0", "GPL-2+ and BSD");

    pkg(inv, COMB_PKG_PYTHON, "requests", "2.31.0", "pkg:pypi/requests@2.31.0", "(mit OR Apache-2.0)");

    /* everything optional missing */
    comb_pkg *bare = comb_arena_alloc(&inv->arena, sizeof *bare);
    bare->type = COMB_PKG_GO;
    bare->epoch = -1;
    inv->pkgs[inv->npkgs++] = bare;

    p = pkg(inv, COMB_PKG_GEM, "bad\xff\xfename", NULL, NULL, "Ruby \xc3\x28");
    p->found_in = "usr/lib/ruby/\x80.gemspec";

    /* empty strings where values are expected */
    p = pkg(inv, COMB_PKG_CARGO, "", "", "", "");
    p->maintainer = "";
    p->src_name = "";
    return inv;
}

static void free_inventory(comb_inventory *inv)
{
    comb_arena_free(&inv->arena);
    free(inv);
}

/* ---- helpers ---------------------------------------------------------- */

static char *write_tmp(comb_code (*fn)(const comb_inventory *, const comb_report_opts *, FILE *, comb_err *),
                       const comb_inventory *inv, const comb_report_opts *o, comb_code *rc, comb_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char *path = NULL;
    if (asprintf(&path, "%s/comb-sbom-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
        return NULL;
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    *rc = fn(inv, o, f, err);
    fclose(f);
    return path;
}

/* Run the validator; returns its exit status (-1 if it could not run). */
static int validate(const char *schema, const char *doc, int show_errors)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "'%s/tests/tools/validate_schema.py' '%s/tests/schemas/%s' '%s' 2>'%s.err'",
                 src_dir(), src_dir(), schema, doc, doc) < 0)
        return -1;
    int st = system(cmd);
    free(cmd);
    char *errf = NULL;
    if (asprintf(&errf, "%s.err", doc) >= 0) {
        if (show_errors) {
            size_t len = 0;
            unsigned char *e = test_slurp(errf, &len);
            if (e && len)
                fprintf(stderr, "validator said:\n%.*s", (int)len, (char *)e);
            free(e);
        }
        unlink(errf);
        free(errf);
    }
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static json_t *load(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fprintf(stderr, "%s: %d: %s\n", path, je.line, je.text);
    return j;
}

static const char *sget(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static const char *prop(json_t *comp, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(comp, "properties"), i, p)
        if (strcmp(sget(p, "name"), name) == 0)
            return sget(p, "value");
    return NULL;
}

static json_t *by_key(json_t *arr, const char *key, const char *value, size_t nth)
{
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) {
        const char *v = sget(c, key);
        if (v && strcmp(v, value) == 0 && nth-- == 0)
            return c;
    }
    return NULL;
}

static int matches(const char *re, const char *s)
{
    regex_t r;
    if (!s || regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    int ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

/* ---- CycloneDX -------------------------------------------------------- */

static void test_cyclonedx_valid(void)
{
    comb_inventory *inv = make_inventory();
    comb_report_opts o = {.now = NOW, .uuid = UUID};
    comb_err err = {0};
    comb_code rc;
    char *path = write_tmp(comb_report_cyclonedx, inv, &o, &rc, &err);
    CHECK(path != NULL);
    CHECK_INT(rc, COMB_OK);
    CHECK_INT(validate("bom-1.6.schema.json", path, 1), 0);

    json_t *doc = load(path);
    CHECK(doc != NULL);
    CHECK_STR(sget(doc, "bomFormat"), "CycloneDX");
    CHECK_STR(sget(doc, "specVersion"), "1.6");
    CHECK_STR(sget(doc, "serialNumber"), "urn:uuid:" UUID_LC);
    CHECK_INT(json_integer_value(json_object_get(doc, "version")), 1);
    json_t *meta = json_object_get(doc, "metadata");
    CHECK_STR(sget(meta, "timestamp"), "2023-11-14T22:13:20Z");
    json_t *tool = json_array_get(json_object_get(json_object_get(meta, "tools"), "components"), 0);
    CHECK_STR(sget(tool, "name"), "comb");
    CHECK_STR(sget(tool, "version"), COMB_VERSION);
    json_t *image = json_object_get(meta, "component");
    CHECK_STR(sget(image, "type"), "container");
    CHECK_STR(sget(image, "name"), "example.com/app:1.0");
    CHECK_STR(sget(image, "version"), inv->image.config_digest);

    json_t *comps = json_object_get(doc, "components");
    CHECK_INT(json_array_size(comps), 1 + inv->npkgs);
    json_t *os = json_array_get(comps, 0);
    CHECK_STR(sget(os, "type"), "operating-system");
    CHECK_STR(sget(os, "name"), "debian");
    CHECK_STR(sget(os, "version"), "12");

    /* bom-refs unique; image dependsOn every component */
    json_t *seen = json_object();
    json_object_set_new(seen, sget(image, "bom-ref"), json_true());
    size_t i;
    json_t *c;
    json_array_foreach(comps, i, c) {
        const char *ref = sget(c, "bom-ref");
        CHECK(ref != NULL && *ref);
        if (!ref)
            continue;
        CHECK(json_object_get(seen, ref) == NULL);
        json_object_set_new(seen, ref, json_true());
    }
    CHECK_INT(json_object_size(seen), 2 + inv->npkgs);
    json_t *deps = json_object_get(doc, "dependencies");
    CHECK_INT(json_array_size(deps), 1);
    json_t *dep = json_array_get(deps, 0);
    CHECK_STR(sget(dep, "ref"), sget(image, "bom-ref"));
    json_t *on = json_object_get(dep, "dependsOn");
    CHECK_INT(json_array_size(on), 1 + inv->npkgs);
    json_array_foreach(on, i, c)
        CHECK(json_string_value(c) && json_object_get(seen, json_string_value(c)) != NULL);
    json_decref(seen);

    /* packages, in inventory order after the OS */
    for (size_t k = 0; k < inv->npkgs; k++) {
        json_t *pc = json_array_get(comps, k + 1);
        CHECK_STR(sget(pc, "type"), "library");
        CHECK(sget(pc, "name") != NULL);
        if (inv->pkgs[k]->purl && *inv->pkgs[k]->purl)
            CHECK_STR(sget(pc, "purl"), inv->pkgs[k]->purl);
        else
            CHECK(json_object_get(pc, "purl") == NULL);
        CHECK_STR(prop(pc, "comb:package:type"), comb_pkg_type_name(inv->pkgs[k]->type));
    }
    json_t *libc = by_key(comps, "name", "libc6", 0);
    CHECK_STR(sget(libc, "bom-ref"), inv->pkgs[0]->purl);
    CHECK_STR(sget(json_array_get(json_object_get(libc, "licenses"), 0), "expression"),
              "LGPL-2.1-or-later AND GPL-2.0-or-later WITH GCC-exception-2.0");
    CHECK_STR(prop(libc, "comb:source:name"), "glibc");
    CHECK_STR(prop(libc, "comb:layer:digest"), inv->pkgs[0]->layer_digest);
    CHECK_STR(prop(libc, "comb:layer:diff_id"), inv->pkgs[0]->layer_diff_id);
    CHECK_STR(prop(libc, "comb:found_in"), "var/lib/dpkg/status");
    CHECK_STR(sget(libc, "publisher"), "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
    CHECK_STR(prop(by_key(comps, "name", "perl-base", 0), "comb:package:epoch"), "1");
    json_t *rpm = by_key(comps, "name", "openssl-libs", 0);
    CHECK_STR(prop(rpm, "comb:rpm:epoch"), "1");
    CHECK_STR(prop(rpm, "comb:source:version"), "3.0.7-25.el9");
    CHECK_STR(sget(json_object_get(json_array_get(json_object_get(rpm, "licenses"), 0), "license"), "name"),
              "ASL 2.0");
    json_t *musl = by_key(comps, "name", "musl", 0);
    CHECK_STR(sget(json_object_get(json_array_get(json_object_get(musl, "licenses"), 0), "license"), "id"),
              "MIT");
    json_t *maven = by_key(comps, "name", "commons-lang3", 0);
    CHECK_STR(sget(maven, "group"), "org.apache.commons");
    CHECK(json_object_get(by_key(comps, "name", "@babel/core", 0), "group") == NULL);
    CHECK_STR(sget(by_key(comps, "name", "@babel/core", 0), "purl"), "pkg:npm/%40babel/core@7.23.2");
    json_t *py = by_key(comps, "name", "chardet", 0), *py2 = by_key(comps, "name", "chardet", 1);
    CHECK_STR(sget(json_object_get(json_array_get(json_object_get(py, "licenses"), 0), "license"), "name"),
              "GPL-2+ and BSD");
    CHECK_STR(sget(py, "bom-ref"), "pkg:pypi/chardet@5.2.0");
    CHECK_STR(sget(py2, "bom-ref"), "pkg:pypi/chardet@5.2.0#2");
    /* lower-case ids are canonicalised */
    CHECK_STR(sget(json_array_get(json_object_get(by_key(comps, "name", "requests", 0), "licenses"), 0),
                   "expression"),
              "(MIT OR Apache-2.0)");
    json_t *bare = json_array_get(comps, 11); /* 11th package: all NULL */
    CHECK_STR(sget(bare, "name"), "unknown");
    CHECK(json_object_get(bare, "version") == NULL);
    CHECK(json_object_get(bare, "licenses") == NULL);
    CHECK_STR(sget(bare, "bom-ref"), "comb:pkg:go-module/unknown");
    CHECK_STR(sget(json_array_get(comps, 12), "name"), "bad\xef\xbf\xbd\xef\xbf\xbdname");
    CHECK(prop(rpm, "comb:rpm:modularitylabel") == NULL); /* empty string left out */
    json_t *empty = json_array_get(comps, 13);
    CHECK_STR(sget(empty, "bom-ref"), "comb:pkg:cargo/@"); /* never an empty bom-ref */
    CHECK(json_object_get(empty, "licenses") == NULL && json_object_get(empty, "publisher") == NULL);

    json_decref(doc);
    unlink(path);
    free(path);
    free_inventory(inv);
}

/* ---- SPDX ------------------------------------------------------------- */

static void test_spdx_valid(void)
{
    comb_inventory *inv = make_inventory();
    comb_report_opts o = {.now = NOW, .uuid = UUID};
    comb_err err = {0};
    comb_code rc;
    char *path = write_tmp(comb_report_spdx, inv, &o, &rc, &err);
    CHECK(path != NULL);
    CHECK_INT(rc, COMB_OK);
    CHECK_INT(validate("spdx-2.3.schema.json", path, 1), 0);

    json_t *doc = load(path);
    CHECK(doc != NULL);
    CHECK_STR(sget(doc, "spdxVersion"), "SPDX-2.3");
    CHECK_STR(sget(doc, "dataLicense"), "CC0-1.0");
    CHECK_STR(sget(doc, "SPDXID"), "SPDXRef-DOCUMENT");
    CHECK_STR(sget(doc, "name"), "example.com/app:1.0");
    const char *ns = sget(doc, "documentNamespace");
    CHECK(ns && strncmp(ns, "https://", 8) == 0 && strstr(ns, UUID_LC) && !strchr(ns, '#') &&
          !strchr(ns, ' '));
    json_t *ci = json_object_get(doc, "creationInfo");
    CHECK_STR(sget(ci, "created"), "2023-11-14T22:13:20Z");
    CHECK_STR(json_string_value(json_array_get(json_object_get(ci, "creators"), 0)), "Tool: comb-" COMB_VERSION);

    json_t *pkgs = json_object_get(doc, "packages");
    CHECK_INT(json_array_size(pkgs), 2 + inv->npkgs);
    CHECK_STR(sget(json_array_get(pkgs, 0), "primaryPackagePurpose"), "CONTAINER");
    CHECK_STR(sget(json_array_get(pkgs, 1), "primaryPackagePurpose"), "OPERATING_SYSTEM");

    /* SPDXIDs unique and well formed (the schema does not check this) */
    json_t *ids = json_object();
    json_object_set_new(ids, "SPDXRef-DOCUMENT", json_true());
    size_t i;
    json_t *p;
    json_array_foreach(pkgs, i, p) {
        const char *id = sget(p, "SPDXID");
        CHECK(matches("^SPDXRef-[A-Za-z0-9.-]+$", id));
        if (!id)
            continue;
        CHECK(json_object_get(ids, id) == NULL);
        json_object_set_new(ids, id, json_true());
        CHECK_STR(sget(p, "downloadLocation"), "NOASSERTION");
        CHECK(json_object_get(p, "filesAnalyzed") == json_false());
        const char *sup = sget(p, "supplier");
        CHECK(sup && (strcmp(sup, "NOASSERTION") == 0 || matches("^(Organization|Person): [^\n]+$", sup)));
    }
    /* relationships point at existing elements; image CONTAINS all but itself */
    size_t contains = 0, describes = 0;
    json_array_foreach(json_object_get(doc, "relationships"), i, p) {
        CHECK(json_object_get(ids, sget(p, "spdxElementId")) != NULL);
        CHECK(json_object_get(ids, sget(p, "relatedSpdxElement")) != NULL);
        const char *t = sget(p, "relationshipType");
        contains += strcmp(t, "CONTAINS") == 0 && strcmp(sget(p, "spdxElementId"), "SPDXRef-Image") == 0;
        describes += strcmp(t, "DESCRIBES") == 0 && strcmp(sget(p, "relatedSpdxElement"), "SPDXRef-Image") == 0;
    }
    CHECK_INT(contains, 1 + inv->npkgs);
    CHECK_INT(describes, 1);
    json_decref(ids);

    /* every LicenseRef used is defined once */
    json_t *defined = json_object();
    json_array_foreach(json_object_get(doc, "hasExtractedLicensingInfos"), i, p) {
        CHECK(json_object_get(defined, sget(p, "licenseId")) == NULL);
        CHECK(matches("^LicenseRef-[A-Za-z0-9.-]+$", sget(p, "licenseId")));
        json_object_set_new(defined, sget(p, "licenseId"), json_true());
    }
    CHECK_INT(json_object_size(defined), 3); /* "GPL-2+ and BSD", "ASL 2.0", broken Ruby */
    json_array_foreach(pkgs, i, p) {
        const char *l = sget(p, "licenseDeclared");
        CHECK(l != NULL);
        if (l && strncmp(l, "LicenseRef-", 11) == 0)
            CHECK(json_object_get(defined, l) != NULL);
    }
    json_decref(defined);

    json_t *chardet = by_key(pkgs, "name", "chardet", 0), *chardet2 = by_key(pkgs, "name", "chardet", 1);
    CHECK(strncmp(sget(chardet, "licenseDeclared"), "LicenseRef-", 11) == 0);
    CHECK_STR(sget(chardet, "licenseDeclared"), sget(chardet2, "licenseDeclared"));
    CHECK_STR(sget(chardet, "supplier"), "Organization: Daniel Blanchard (dan.blanchard@gmail.com)");
    json_t *libc = by_key(pkgs, "name", "libc6", 0);
    CHECK_STR(sget(libc, "SPDXID"), "SPDXRef-Package-1");
    CHECK_STR(sget(libc, "licenseDeclared"), "LGPL-2.1-or-later AND GPL-2.0-or-later WITH GCC-exception-2.0");
    CHECK_STR(sget(libc, "sourceInfo"), "built package from: glibc");
    json_t *ref = json_array_get(json_object_get(libc, "externalRefs"), 0);
    CHECK_STR(sget(ref, "referenceCategory"), "PACKAGE-MANAGER");
    CHECK_STR(sget(ref, "referenceType"), "purl");
    CHECK_STR(sget(ref, "referenceLocator"), inv->pkgs[0]->purl);
    CHECK_STR(sget(by_key(pkgs, "name", "perl-base", 0), "sourceInfo"), "built package from: perl 5.36.0-7");
    CHECK_STR(sget(by_key(pkgs, "name", "musl", 0), "licenseDeclared"), "MIT");
    CHECK(by_key(pkgs, "name", "org.apache.commons:commons-lang3", 0) != NULL);
    json_t *bare = json_array_get(pkgs, 2 + 10);
    CHECK_STR(sget(bare, "name"), "unknown");
    CHECK_STR(sget(bare, "licenseDeclared"), "NOASSERTION");
    CHECK(json_object_get(bare, "externalRefs") == NULL);
    CHECK(json_object_get(bare, "versionInfo") == NULL);

    json_decref(doc);
    unlink(path);
    free(path);
    free_inventory(inv);
}

/* ---- the validator and edge cases ------------------------------------- */

/* Break a valid document and check the validator notices. */
static void expect_invalid(const char *schema, json_t *doc)
{
    char path[] = "/tmp/comb-sbom-bad-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    close(fd);
    CHECK(json_dump_file(doc, path, JSON_INDENT(2)) == 0);
    CHECK_INT(validate(schema, path, 0), 1);
    unlink(path);
}

static void test_validator_rejects(void)
{
    comb_inventory *inv = make_inventory();
    comb_report_opts o = {.now = NOW, .uuid = UUID};
    comb_err err = {0};
    comb_code rc;

    char *path = write_tmp(comb_report_cyclonedx, inv, &o, &rc, &err);
    json_t *doc = load(path);
    json_t *copy = json_deep_copy(doc);
    json_object_del(copy, "specVersion");
    expect_invalid("bom-1.6.schema.json", copy);
    json_decref(copy);
    copy = json_deep_copy(doc);
    json_object_set_new(copy, "serialNumber", json_string("urn:uuid:not-a-uuid"));
    expect_invalid("bom-1.6.schema.json", copy);
    json_decref(copy);
    copy = json_deep_copy(doc); /* an id not on the SPDX list (checked via $ref to spdx.schema.json) */
    json_object_set_new(json_object_get(json_array_get(json_object_get(json_array_get(
                            json_object_get(copy, "components"), 3), "licenses"), 0), "license"),
                        "id", json_string("NOT-A-LICENSE"));
    expect_invalid("bom-1.6.schema.json", copy);
    json_decref(copy);
    copy = json_deep_copy(doc);
    json_object_set_new(json_object_get(copy, "metadata"), "timestamp", json_string("yesterday"));
    expect_invalid("bom-1.6.schema.json", copy);
    json_decref(copy);
    json_decref(doc);
    unlink(path);
    free(path);

    path = write_tmp(comb_report_spdx, inv, &o, &rc, &err);
    doc = load(path);
    copy = json_deep_copy(doc);
    json_object_del(copy, "spdxVersion");
    expect_invalid("spdx-2.3.schema.json", copy);
    json_decref(copy);
    copy = json_deep_copy(doc);
    json_object_set_new(json_array_get(json_object_get(copy, "packages"), 1), "primaryPackagePurpose",
                        json_string("OPERATING-SYSTEM"));
    expect_invalid("spdx-2.3.schema.json", copy);
    json_decref(copy);
    json_decref(doc);
    unlink(path);
    free(path);
    free_inventory(inv);
}

static void test_empty_inventory(void)
{
    comb_inventory *inv = calloc(1, sizeof *inv);
    comb_arena_init(&inv->arena);
    comb_err err = {0};
    comb_code rc;
    char *path = write_tmp(comb_report_cyclonedx, inv, NULL, &rc, &err);
    CHECK_INT(rc, COMB_OK);
    CHECK_INT(validate("bom-1.6.schema.json", path, 1), 0);
    json_t *doc = load(path);
    CHECK(matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                  sget(doc, "serialNumber")));
    CHECK_INT(json_array_size(json_object_get(doc, "components")), 0);
    CHECK_STR(sget(json_object_get(json_object_get(doc, "metadata"), "component"), "name"), "unknown");
    char *first = strdup(sget(doc, "serialNumber"));
    json_decref(doc);
    unlink(path);
    free(path);

    path = write_tmp(comb_report_cyclonedx, inv, NULL, &rc, &err);
    doc = load(path);
    CHECK(strcmp(first, sget(doc, "serialNumber")) != 0); /* random per run */
    free(first);
    json_decref(doc);
    unlink(path);
    free(path);

    path = write_tmp(comb_report_spdx, inv, NULL, &rc, &err);
    CHECK_INT(rc, COMB_OK);
    CHECK_INT(validate("spdx-2.3.schema.json", path, 1), 0);
    doc = load(path);
    CHECK_INT(json_array_size(json_object_get(doc, "packages")), 1);
    CHECK(json_object_get(doc, "hasExtractedLicensingInfos") == NULL);
    json_decref(doc);
    unlink(path);
    free(path);
    free_inventory(inv);
}

static void test_errors(void)
{
    comb_inventory *inv = make_inventory();
    comb_report_opts o = {.now = NOW, .uuid = "not-a-uuid"};
    comb_err err = {0};
    FILE *f = fopen("/dev/null", "w");
    CHECK_INT(comb_report_cyclonedx(inv, &o, f, &err), COMB_EINVAL);
    CHECK(strstr(err.msg, "uuid") != NULL);
    CHECK_INT(comb_report_spdx(inv, &o, f, &err), COMB_EINVAL);
    fclose(f);
    f = fopen("/dev/full", "w");
    if (f) {
        o.uuid = UUID;
        CHECK_INT(comb_report_cyclonedx(inv, &o, f, &err), COMB_EIO);
        CHECK_INT(comb_report_spdx(inv, &o, f, &err), COMB_EIO);
        fclose(f);
    }
    free_inventory(inv);
}

static void test_license_expressions(void)
{
    static const struct {
        const char *in, *canon;
        int single;
    } cases[] = {
        {"MIT", "MIT", 1},
        {"mit", "MIT", 1},
        {"GPL-2.0+", "GPL-2.0+", 1},
        {"GPL-2.0-only+", "GPL-2.0-only+", 0},
        {"Apache-2.0 OR MIT", "Apache-2.0 OR MIT", 0},
        {"  (Apache-2.0  OR  MIT)\tAND  Zlib ", "(Apache-2.0 OR MIT) AND Zlib", 0},
        {"GPL-3.0-only WITH Classpath-exception-2.0", "GPL-3.0-only WITH Classpath-exception-2.0", 0},
        {"((MIT))", "((MIT))", 0},
        {"GPL-2+ and BSD", NULL, 0},
        {"GPL-2.0 and MIT", NULL, 0},
        {"MIT AND", NULL, 0},
        {"AND MIT", NULL, 0},
        {"(MIT", NULL, 0},
        {"MIT)", NULL, 0},
        {"()", NULL, 0},
        {"", NULL, 0},
        {"MIT WITH MIT", NULL, 0},
        {"(MIT OR ISC) WITH LLVM-exception", NULL, 0},
        {"LicenseRef-foo", NULL, 0},
        {"DocumentRef-x:LicenseRef-y", NULL, 0},
        {"GPL-2.0++", NULL, 0},
        {"MIT/X11", NULL, 0},
        {"The MIT License", NULL, 0},
        {"BSD", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *canon = NULL;
        int single = -1;
        int r = sbom_license_expr(cases[i].in, &canon, &single);
        test_current = cases[i].in;
        CHECK_INT(r, cases[i].canon ? 1 : 0);
        if (cases[i].canon) {
            CHECK_STR(canon, cases[i].canon);
            CHECK_INT(single, cases[i].single);
        } else {
            CHECK(canon == NULL);
        }
        free(canon);
    }
    test_current = "test_license_expressions";
    char deep[200] = {0};
    memset(deep, '(', 60);
    strcat(deep, "MIT");
    memset(deep + strlen(deep), ')', 60);
    char *canon = NULL;
    CHECK_INT(sbom_license_expr(deep, &canon, NULL), 0); /* nesting bounded */
    free(canon);
}

/* Every identifier comb recognises is on the official list the CycloneDX
 * schema validates license ids against. */
static void test_license_table_in_schema(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/schemas/spdx.schema.json", src_dir());
    json_t *s = load(path);
    json_t *en = json_object_get(s, "enum");
    CHECK(json_array_size(en) > 500);
    json_t *set = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(en, i, v)
        json_object_set_new(set, json_string_value(v), json_true());
    for (i = 0; i < sbom_license_id_count(); i++) {
        test_current = sbom_license_id_at(i);
        CHECK(json_object_get(set, sbom_license_id_at(i)) != NULL);
    }
    for (i = 0; i < sbom_license_exception_count(); i++) {
        test_current = sbom_license_exception_at(i);
        CHECK(json_object_get(set, sbom_license_exception_at(i)) != NULL);
    }
    test_current = "test_license_table_in_schema";
    json_decref(set);
    json_decref(s);
}

int main(void)
{
    RUN(test_license_expressions);
    RUN(test_license_table_in_schema);
    RUN(test_cyclonedx_valid);
    RUN(test_spdx_valid);
    RUN(test_validator_rejects);
    RUN(test_empty_inventory);
    RUN(test_errors);
    return test_summary();
}
