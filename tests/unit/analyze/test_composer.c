/* test_composer.c - the Composer analyzer (src/analyze/composer.c). */
#include "lang_helpers.h"

extern const comb_analyzer comb_analyzer_composer;
#define A (&comb_analyzer_composer)

/* composer.lock as Composer 2.6 writes it (trimmed: dist, autoload, ...). */
static const char composer_lock[] =
    "{\n"
    "    \"_readme\": [\n"
    "        \"This file locks the dependencies of your project to a known state\",\n"
    "        \"This file is @generated automatically\"\n"
    "    ],\n"
    "    \"content-hash\": \"b3b2d6e3f9c1f4a1c6f9a3e1d3b2c5e7\",\n"
    "    \"packages\": [\n"
    "        {\n"
    "            \"name\": \"monolog/monolog\",\n"
    "            \"version\": \"3.4.0\",\n"
    "            \"source\": {\n"
    "                \"type\": \"git\",\n"
    "                \"url\": \"https://github.com/Seldaek/monolog.git\",\n"
    "                \"reference\": \"e2392369686d420ca32df3803de28b5d6f76867d\"\n"
    "            },\n"
    "            \"require\": { \"php\": \">=8.1\", \"psr/log\": \"^2.0 || ^3.0\" },\n"
    "            \"type\": \"library\",\n"
    "            \"license\": [\n"
    "                \"MIT\"\n"
    "            ],\n"
    "            \"authors\": [\n"
    "                { \"name\": \"Jordi Boggiano\", \"email\": \"j.boggiano@seld.be\" }\n"
    "            ],\n"
    "            \"time\": \"2023-06-21T08:46:11+00:00\"\n"
    "        },\n"
    "        {\n"
    "            \"name\": \"psr/log\",\n"
    "            \"version\": \"3.0.0\",\n"
    "            \"type\": \"library\",\n"
    "            \"license\": [\"MIT\"]\n"
    "        },\n"
    "        {\n"
    "            \"name\": \"symfony/polyfill-mbstring\",\n"
    "            \"version\": \"v1.28.0\",\n"
    "            \"license\": [\"MIT\", \"Apache-2.0\"]\n"
    "        }\n"
    "    ],\n"
    "    \"packages-dev\": [\n"
    "        {\n"
    "            \"name\": \"phpunit/phpunit\",\n"
    "            \"version\": \"10.3.5\",\n"
    "            \"type\": \"library\",\n"
    "            \"license\": [\"BSD-3-Clause\"]\n"
    "        }\n"
    "    ],\n"
    "    \"aliases\": [],\n"
    "    \"minimum-stability\": \"stable\",\n"
    "    \"platform\": { \"php\": \">=8.1\" },\n"
    "    \"platform-dev\": [],\n"
    "    \"plugin-api-version\": \"2.3.0\"\n"
    "}\n";

/* vendor/composer/installed.json, Composer 2 */
static const char installed_v2[] =
    "{\n"
    "    \"packages\": [\n"
    "        {\n"
    "            \"name\": \"guzzlehttp/guzzle\",\n"
    "            \"version\": \"7.8.0\",\n"
    "            \"version_normalized\": \"7.8.0.0\",\n"
    "            \"license\": [\"MIT\"],\n"
    "            \"install-path\": \"../guzzlehttp/guzzle\"\n"
    "        },\n"
    "        {\n"
    "            \"name\": \"laravel/framework\",\n"
    "            \"version\": \"dev-master\",\n"
    "            \"version_normalized\": \"dev-master\",\n"
    "            \"license\": \"MIT\"\n"
    "        }\n"
    "    ],\n"
    "    \"dev\": true,\n"
    "    \"dev-package-names\": []\n"
    "}\n";

/* vendor/composer/installed.json, Composer 1: a bare array */
static const char installed_v1[] =
    "[\n"
    "    {\n"
    "        \"name\": \"doctrine/instantiator\",\n"
    "        \"version\": \"1.0.5\",\n"
    "        \"version_normalized\": \"1.0.5.0\",\n"
    "        \"license\": [\"MIT\"]\n"
    "    },\n"
    "    {\n"
    "        \"name\": \"nolicense/pkg\",\n"
    "        \"version\": \"0.1\"\n"
    "    },\n"
    "    { \"version\": \"1\" },\n"
    "    \"junk\"\n"
    "]\n";

static void test_wants(void)
{
    CHECK_INT(wants_path(A, "srv/phpapp/composer.lock"), COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "composer.lock"), COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "var/www/vendor/composer/installed.json"), COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "vendor/composer/installed.json"), COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "srv/phpapp/composer.json"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "var/www/vendor/composer/installed.php"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "var/www/myvendor/composer/installed.json"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "var/www/installed.json"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "x/mycomposer.lock"), COMB_WANT_NO);
}

static void test_lock(void)
{
    run r;
    run_str(&r, A, "srv/phpapp/composer.lock", composer_lock);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 4);
    const comb_pkg *p = pkg_at(&r, 0);
    if (p) {
        CHECK_INT(p->type, COMB_PKG_COMPOSER);
        CHECK_STR(p->name, "monolog/monolog");
        CHECK_STR(p->version, "3.4.0");
        CHECK_STR(p->license, "MIT");
        CHECK_STR(p->maintainer, "Jordi Boggiano");
        CHECK_STR(p->found_in, "srv/phpapp/composer.lock");
    }
    p = find_pkg(&r, "symfony/polyfill-mbstring", "v1.28.0");
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "MIT OR Apache-2.0");
    CHECK(find_pkg(&r, "psr/log", "3.0.0") != NULL);
    p = find_pkg(&r, "phpunit/phpunit", "10.3.5"); /* packages-dev reported too */
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "BSD-3-Clause");
    CHECK_INT(r.set.nwarnings, 0);
    run_free(&r);
}

static void test_installed(void)
{
    run r;
    run_str(&r, A, "var/www/vendor/composer/installed.json", installed_v2);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 2);
    const comb_pkg *p = find_pkg(&r, "guzzlehttp/guzzle", "7.8.0");
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "MIT");
    p = find_pkg(&r, "laravel/framework", "dev-master");
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "MIT"); /* plain string tolerated */
    run_free(&r);

    run_str(&r, A, "vendor/composer/installed.json", installed_v1);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 2);
    CHECK(find_pkg(&r, "doctrine/instantiator", "1.0.5") != NULL);
    p = find_pkg(&r, "nolicense/pkg", "0.1");
    CHECK(p != NULL);
    if (p)
        CHECK(p->license == NULL);
    CHECK_INT(r.set.nwarnings, 1); /* two malformed entries, one summary */
    run_free(&r);
}

static void test_hostile(void)
{
    run r;
    run_on(&r, A, "composer.lock", composer_lock, sizeof composer_lock / 3);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    run_str(&r, A, "composer.lock", "{\"packages\": {\"a\": 1}}");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_str(&r, A, "composer.lock", "\"just a string\"");
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    run_str(&r, A, "composer.lock", "{\"packages\": [], \"packages-dev\": []}");
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* wrong member types are skipped, not trusted */
    run_str(&r, A, "composer.lock",
            "{\"packages\": [{\"name\": [\"x\"], \"version\": \"1\"},"
            "{\"name\": \"a/b\", \"version\": {\"v\": 1}},"
            "{\"name\": \"c/d\", \"version\": \"2\", \"license\": [1, null, \"GPL-2.0-only\"],"
            " \"authors\": \"nobody\"}]}");
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 1);
    if (npkgs(&r) == 1) {
        CHECK_STR(pkg_at(&r, 0)->license, "GPL-2.0-only");
        CHECK(pkg_at(&r, 0)->maintainer == NULL);
    }
    run_free(&r);

    size_t n = 2u << 20;
    char *b = malloc(n + 100);
    /* deep nesting */
    memset(b, '{', n);
    run_on(&r, A, "composer.lock", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    /* huge name */
    size_t off = (size_t)sprintf(b, "[{\"version\":\"1\",\"name\":\"");
    memset(b + off, 'v', n - off - 10);
    off = n - 10;
    off += (size_t)sprintf(b + off, "\"}]");
    run_on(&r, A, "vendor/composer/installed.json", b, off);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* garbage */
    fill_random((uint8_t *)b, n, 11);
    run_on(&r, A, "composer.lock", b, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    free(b);
}

int main(void)
{
    RUN(test_wants);
    RUN(test_lock);
    RUN(test_installed);
    RUN(test_hostile);
    return test_summary();
}
