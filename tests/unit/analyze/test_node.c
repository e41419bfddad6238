/* test_node.c - the Node.js analyzer (src/analyze/node.c). */
#include "lang_helpers.h"

#include <ftw.h>

extern const comb_analyzer comb_analyzer_node;
#define A (&comb_analyzer_node)

static void test_wants(void)
{
    static const char *yes[] = {
        "node_modules/a/package.json",
        "app/node_modules/a/package.json",
        "node_modules/@scope/x/package.json",
        "usr/lib/node_modules/npm/package.json",
        "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json",
        "app/node_modules/a/node_modules/b/package.json",
        "usr/share/nodejs/debug/package.json",
        "usr/share/nodejs/@types/node/package.json",
        "usr/lib/nodejs/acorn/package.json",
        "usr/share/nodejs/npm/node_modules/abbrev/package.json",
        "usr/lib/x86_64-linux-gnu/nodejs/bufferutil/package.json",
        "package-lock.json",
        "srv/app/package-lock.json",
    };
    static const char *no[] = {
        "node_modules/a/lib/package.json",
        "src/package.json",
        "package.json",
        "node_modules/package.json",
        "node_modules/@scope/package.json",
        "node_modules/.bin/package.json",
        "node_modules/a/dist/esm/package.json",
        "usr/share/nodejs/debug/test/fixtures/package.json",
        "usr/share/nodejs/package.json",
        "usr/share/nodejs/@types/package.json",
        "opt/usr/share/nodejs/x/package.json",
        "usr/lib/a/b/nodejs/x/package.json",
        "node_modules/a/package.json.orig",
        "mynode_modules/a/package.json",
        "node_modules/a/xpackage.json",
        "x/my-package-lock.json",
        "package-lock.json.bak",
        "node_modules/a/yarn.lock",
    };
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        int w = wants_path(A, yes[i]);
        if (w != COMB_WANT_BUFFER)
            fprintf(stderr, "  should want %s\n", yes[i]);
        CHECK_INT(w, COMB_WANT_BUFFER);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        int w = wants_path(A, no[i]);
        if (w != COMB_WANT_NO)
            fprintf(stderr, "  should not want %s\n", no[i]);
        CHECK_INT(w, COMB_WANT_NO);
    }
}

/* From npm 11's bundled node_modules/qrcode-terminal/package.json (trimmed):
 * the legacy "licenses" array and an odd "version" : spacing. */
static const char qrcode_pkg[] =
    "{\n"
    "  \"name\": \"qrcode-terminal\",\n"
    "  \"keywords\": [\"ansi\", \"ascii\", \"qrcode\", \"console\"],\n"
    "  \"version\" : \"0.12.0\",\n"
    "  \"contributors\": [{\"name\": \"Gord Tanner\", \"email\": \"gtanner@gmail.com\"}],\n"
    "  \"licenses\": [{\n    \"type\": \"Apache 2.0\"\n  }],\n"
    "  \"main\": \"./lib/main\"\n"
    "}\n";

static void test_package_json(void)
{
    run r;
    run_str(&r, A, "usr/lib/node_modules/npm/node_modules/qrcode-terminal/package.json",
            qrcode_pkg);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 1);
    const comb_pkg *p = pkg_at(&r, 0);
    if (p) {
        CHECK_INT(p->type, COMB_PKG_NPM);
        CHECK_STR(p->name, "qrcode-terminal");
        CHECK_STR(p->version, "0.12.0");
        CHECK_STR(p->license, "Apache 2.0");
    }
    run_free(&r);

    run_str(&r, A, "node_modules/@npmcli/arborist/package.json",
            "{\"name\":\"@npmcli/arborist\",\"version\":\"9.9.1\",\"license\":\"ISC\","
            "\"author\":{\"name\":\"GitHub Inc.\"},\"dependencies\":{\"semver\":\"^7\"}}");
    p = pkg_at(&r, 0);
    CHECK(p != NULL && npkgs(&r) == 1);
    if (p) {
        CHECK_STR(p->name, "@npmcli/arborist");
        CHECK_STR(p->version, "9.9.1");
        CHECK_STR(p->license, "ISC");
        CHECK_STR(p->maintainer, "GitHub Inc.");
    }
    run_free(&r);

    /* {type} object, author string */
    run_str(&r, A, "node_modules/x/package.json",
            "{\"name\":\"x\",\"version\":\"1.0.0\",\"license\":{\"type\":\"MIT\",\"url\":\"u\"},"
            "\"author\":\"A B <a@b>\"}");
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->license, "MIT");
        CHECK_STR(p->maintainer, "A B <a@b>");
    }
    run_free(&r);

    /* legacy array of strings under "license", joined with OR */
    run_str(&r, A, "node_modules/x/package.json",
            "{\"name\":\"x\",\"version\":\"1.0.0\",\"licenses\":[\"MIT\",{\"type\":\"Apache-2.0\"},"
            "42]}");
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "MIT OR Apache-2.0");
    run_free(&r);

    /* no name or no version: not a package, no error */
    run_str(&r, A, "node_modules/x/package.json", "{\"type\":\"module\"}");
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    run_str(&r, A, "node_modules/x/package.json", "{\"name\":\"x\",\"version\":7}");
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
}

/* lockfileVersion 1, the shape npm 6 writes (cf. pprof's d3flamegraph lock). */
static const char lock_v1[] =
    "{\n"
    "  \"name\": \"d3-pprof\",\n"
    "  \"version\": \"2.0.0\",\n"
    "  \"lockfileVersion\": 1,\n"
    "  \"requires\": true,\n"
    "  \"dependencies\": {\n"
    "    \"@discoveryjs/json-ext\": {\n"
    "      \"version\": \"0.5.6\",\n"
    "      \"resolved\": \"https://registry.npmjs.org/@discoveryjs/json-ext/-/json-ext-0.5.6.tgz\",\n"
    "      \"integrity\": \"sha512-ws57AidsDvREKrZKYffXddNkyaF14iHNHm8VQnZH6t99E8gczjNN0GpvcGny0imC80yQ0tHz1xVUKk/KFQSUyA==\",\n"
    "      \"dev\": true\n"
    "    },\n"
    "    \"d3-array\": {\n"
    "      \"version\": \"2.12.1\",\n"
    "      \"resolved\": \"https://registry.npmjs.org/d3-array/-/d3-array-2.12.1.tgz\",\n"
    "      \"requires\": { \"internmap\": \"^1.0.0\" }\n"
    "    },\n"
    "    \"d3-flame-graph\": {\n"
    "      \"version\": \"4.1.3\",\n"
    "      \"requires\": { \"d3-array\": \"^3.1.1\" },\n"
    "      \"dependencies\": {\n"
    "        \"d3-array\": {\n"
    "          \"version\": \"3.1.1\",\n"
    "          \"requires\": { \"internmap\": \"1 - 2\" }\n"
    "        },\n"
    "        \"internmap\": { \"version\": \"2.0.3\" }\n"
    "      }\n"
    "    },\n"
    "    \"internmap\": { \"version\": \"1.0.1\" },\n"
    "    \"webpack\": {\n"
    "      \"version\": \"5.64.4\", \"dev\": true,\n"
    "      \"dependencies\": { \"acorn\": { \"version\": \"8.6.0\", \"dev\": true } }\n"
    "    }\n"
    "  }\n"
    "}\n";

static void test_lock_v1(void)
{
    run r;
    run_str(&r, A, "app/package-lock.json", lock_v1);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 5);
    CHECK(find_pkg(&r, "d3-array", "2.12.1") != NULL);
    CHECK(find_pkg(&r, "d3-array", "3.1.1") != NULL); /* nested */
    CHECK(find_pkg(&r, "d3-flame-graph", "4.1.3") != NULL);
    CHECK(find_pkg(&r, "internmap", "1.0.1") != NULL);
    CHECK(find_pkg(&r, "internmap", "2.0.3") != NULL);
    CHECK(find_pkg(&r, "@discoveryjs/json-ext", NULL) == NULL); /* dev */
    CHECK(find_pkg(&r, "webpack", NULL) == NULL);
    CHECK(find_pkg(&r, "acorn", NULL) == NULL);
    CHECK(find_pkg(&r, "d3-pprof", NULL) == NULL); /* the project itself */
    const comb_pkg *p = find_pkg(&r, "internmap", "2.0.3");
    if (p)
        CHECK_STR(p->found_in, "app/package-lock.json");
    run_free(&r);
}

/* lockfileVersion 2 (npm 7/8): "packages" plus the v1 "dependencies". */
static const char lock_v2[] =
    "{\n"
    "  \"name\": \"web\",\n"
    "  \"version\": \"1.0.0\",\n"
    "  \"lockfileVersion\": 2,\n"
    "  \"requires\": true,\n"
    "  \"packages\": {\n"
    "    \"\": { \"name\": \"web\", \"version\": \"1.0.0\", \"license\": \"ISC\",\n"
    "            \"workspaces\": [\"packages/*\"],\n"
    "            \"dependencies\": { \"express\": \"^4.18.2\" } },\n"
    "    \"node_modules/express\": {\n"
    "      \"version\": \"4.18.2\",\n"
    "      \"resolved\": \"https://registry.npmjs.org/express/-/express-4.18.2.tgz\",\n"
    "      \"integrity\": \"sha512-5/PsL6iGPdfQ/lKM1UuielYgv3BUoJfz1aUwU9vHZ+J7gyvwdQXFEBIEIaxeGf0GIcreATNyBExtalisDbuMqQ==\",\n"
    "      \"license\": \"MIT\",\n"
    "      \"engines\": { \"node\": \">= 0.10.0\" }\n"
    "    },\n"
    "    \"node_modules/@babel/code-frame\": { \"version\": \"7.22.13\", \"dev\": true, \"license\": \"MIT\" },\n"
    "    \"node_modules/express/node_modules/debug\": { \"version\": \"2.6.9\", \"license\": \"MIT\" },\n"
    "    \"node_modules/my-lib\": { \"resolved\": \"packages/my-lib\", \"link\": true },\n"
    "    \"packages/my-lib\": { \"name\": \"my-lib\", \"version\": \"0.1.0\" },\n"
    "    \"node_modules/string-width-cjs\": { \"name\": \"string-width\", \"version\": \"4.2.3\",\n"
    "      \"license\": \"MIT\" }\n"
    "  },\n"
    "  \"dependencies\": {\n"
    "    \"express\": { \"version\": \"4.18.2\" },\n"
    "    \"old-only-in-v1\": { \"version\": \"9.9.9\" }\n"
    "  }\n"
    "}\n";

static void test_lock_v2(void)
{
    run r;
    run_str(&r, A, "package-lock.json", lock_v2);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 3);
    const comb_pkg *p = find_pkg(&r, "express", "4.18.2");
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "MIT");
    CHECK(find_pkg(&r, "debug", "2.6.9") != NULL);
    CHECK(find_pkg(&r, "string-width", "4.2.3") != NULL); /* "name" wins over the key */
    CHECK(find_pkg(&r, "string-width-cjs", NULL) == NULL);
    CHECK(find_pkg(&r, "@babel/code-frame", NULL) == NULL); /* dev */
    CHECK(find_pkg(&r, "my-lib", NULL) == NULL);            /* link + workspace member */
    CHECK(find_pkg(&r, "web", NULL) == NULL);               /* root "" */
    CHECK(find_pkg(&r, "old-only-in-v1", NULL) == NULL);    /* packages wins */
    run_free(&r);
}

/* lockfileVersion 3 (npm 9+): "packages" only. */
static const char lock_v3[] =
    "{\n"
    "  \"name\": \"svc\",\n"
    "  \"lockfileVersion\": 3,\n"
    "  \"requires\": true,\n"
    "  \"packages\": {\n"
    "    \"\": { \"name\": \"svc\", \"dependencies\": { \"@types/node\": \"^20\" } },\n"
    "    \"node_modules/@types/node\": {\n"
    "      \"version\": \"20.10.5\",\n"
    "      \"resolved\": \"https://registry.npmjs.org/@types/node/-/node-20.10.5.tgz\",\n"
    "      \"license\": \"MIT\",\n"
    "      \"dependencies\": { \"undici-types\": \"~5.26.4\" }\n"
    "    },\n"
    "    \"node_modules/@types/node/node_modules/undici-types\": {\n"
    "      \"version\": \"5.26.5\", \"license\": \"MIT\"\n"
    "    },\n"
    "    \"node_modules/fsevents\": { \"version\": \"2.3.3\", \"optional\": true,\n"
    "      \"license\": \"MIT\", \"os\": [\"darwin\"] },\n"
    "    \"node_modules/broken\": \"not an object\",\n"
    "    \"node_modules/noversion\": { \"license\": \"MIT\" }\n"
    "  }\n"
    "}\n";

static void test_lock_v3(void)
{
    run r;
    run_str(&r, A, "srv/package-lock.json", lock_v3);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 3);
    CHECK(find_pkg(&r, "@types/node", "20.10.5") != NULL);
    CHECK(find_pkg(&r, "undici-types", "5.26.5") != NULL);
    CHECK(find_pkg(&r, "fsevents", "2.3.3") != NULL);
    CHECK(find_pkg(&r, "broken", NULL) == NULL);
    CHECK(find_pkg(&r, "noversion", NULL) == NULL);
    CHECK(r.set.nwarnings >= 1); /* the two malformed entries */
    run_free(&r);
}

static void test_hostile(void)
{
    run r;
    /* truncated lock */
    run_on(&r, A, "package-lock.json", lock_v3, sizeof lock_v3 / 2);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* not JSON at all / wrong top-level type */
    run_str(&r, A, "node_modules/a/package.json", "\x7f" "ELF\x02\x01");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_str(&r, A, "node_modules/a/package.json", "[1,2,3]");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_str(&r, A, "package-lock.json", "{\"packages\": 5}");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_on(&r, A, "package-lock.json", "", 0);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);

    /* deeply nested arrays: the JSON parser's own depth limit */
    size_t n = 1u << 20;
    char *b = malloc(n + 64);
    memset(b, '[', n);
    run_on(&r, A, "package-lock.json", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);

    /* v1 dependencies nested 1000 levels: bounded walk, partial result */
    size_t depth = 1000, off = 0;
    char *d = malloc(depth * 64 + 64);
    off += (size_t)sprintf(d + off, "{\"lockfileVersion\":1,\"dependencies\":");
    for (size_t i = 0; i < depth; i++)
        off += (size_t)sprintf(d + off, "{\"p%zu\":{\"version\":\"1.0.%zu\",\"dependencies\":", i, i);
    off += (size_t)sprintf(d + off, "{}");
    for (size_t i = 0; i < depth; i++)
        off += (size_t)sprintf(d + off, "}}");
    off += (size_t)sprintf(d + off, "}");
    run_on(&r, A, "package-lock.json", d, off);
    CHECK_INT(r.rc, COMB_OK);
    CHECK(npkgs(&r) >= 32 && npkgs(&r) < depth);
    CHECK(find_pkg(&r, "p0", "1.0.0") != NULL);
    CHECK(r.set.nwarnings >= 1);
    run_free(&r);
    free(d);

    /* huge name string */
    size_t hn = 2u << 20;
    char *h = malloc(hn + 100);
    off = (size_t)sprintf(h, "{\"name\":\"");
    memset(h + off, 'x', hn);
    off += hn;
    off += (size_t)sprintf(h + off, "\",\"version\":\"1.0.0\"}");
    run_on(&r, A, "node_modules/x/package.json", h, off);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    free(h);

    /* NUL inside a string is rejected by the JSON parser */
    static const char nul[] = "{\"name\":\"a\\u0000b\",\"version\":\"1\"}";
    run_str(&r, A, "node_modules/x/package.json", nul);
    CHECK(npkgs(&r) == 0);
    run_free(&r);

    /* garbage */
    fill_random((uint8_t *)b, n, 7);
    run_on(&r, A, "package-lock.json", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    free(b);
}

/* Every package.json under the real global node_modules that wants() takes
 * is read; counted against the package directories (skipped if absent). */
static int real_seen, real_pkgs, real_bad;
static const char *real_root = "/usr/lib/node_modules";

static int visit(const char *fpath, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag != FTW_F)
        return 0;
    const char *rel = fpath + 1; /* no leading '/' */
    size_t l = strlen(rel);
    if (l < 12 || strcmp(rel + l - 12, "package.json") != 0)
        return 0;
    if (wants_path(A, rel) != COMB_WANT_BUFFER)
        return 0;
    size_t len;
    unsigned char *buf = test_slurp(fpath, &len);
    if (!buf)
        return 0;
    run r;
    run_on(&r, A, rel, buf, len);
    real_seen++;
    if (r.rc != COMB_OK) {
        real_bad++;
        fprintf(stderr, "  %s: %s\n", rel, r.err.msg);
    }
    real_pkgs += (int)npkgs(&r);
    run_free(&r);
    free(buf);
    return 0;
}

static void test_real_node_modules(void)
{
    if (!is_dir(real_root)) {
        fprintf(stderr, "  (no %s here; skipped)\n", real_root);
        return;
    }
    nftw(real_root, visit, 32, FTW_PHYS);
    fprintf(stderr, "  %d real package.json read, %d packages\n", real_seen, real_pkgs);
    CHECK_INT(real_bad, 0);
    CHECK(real_seen > 0);
    CHECK(real_pkgs == real_seen); /* every top-level package.json of npm has name+version */
}

int main(void)
{
    RUN(test_wants);
    RUN(test_package_json);
    RUN(test_lock_v1);
    RUN(test_lock_v2);
    RUN(test_lock_v3);
    RUN(test_hostile);
    RUN(test_real_node_modules);
    return test_summary();
}
