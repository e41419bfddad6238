/* test_python.c - the Python metadata analyzer (src/analyze/python.c). */
#include "lang_helpers.h"

#include <dirent.h>
#include <ctype.h>

extern const comb_analyzer comb_analyzer_python;
#define A (&comb_analyzer_python)

/* Debian's python3-criu ships this as a plain file
 * usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info (copied verbatim). */
static const char crit_egg_info[] =
    "Metadata-Version: 1.0\n"
    "Name: crit\n"
    "Version: 3.17.1\n"
    "Summary: CRiu Image Tool\n"
    "Home-page: https://github.com/checkpoint-restore/criu\n"
    "Author: CRIU team\n"
    "Author-email: criu@openvz.org\n"
    "License: GPLv2\n"
    "Description: UNKNOWN\n"
    "Platform: UNKNOWN\n";

/* Head of urllib3-2.7.0.dist-info/METADATA (Metadata 2.4, PEP 639). */
static const char urllib3_metadata[] =
    "Metadata-Version: 2.4\n"
    "Name: urllib3\n"
    "Version: 2.7.0\n"
    "Summary: HTTP library with thread-safe connection pooling, file post, and more.\n"
    "Project-URL: Changelog, https://github.com/urllib3/urllib3/blob/main/CHANGES.rst\n"
    "Author-email: Andrey Petrov <andrey.petrov@shazow.net>\n"
    "Maintainer-email: Seth Michael Larson <sethmichaellarson@gmail.com>\n"
    "License-Expression: MIT\n"
    "License-File: LICENSE.txt\n"
    "Classifier: License :: OSI Approved :: MIT License\n"
    "Requires-Python: >=3.10\n"
    "Description-Content-Type: text/markdown\n"
    "\n"
    "Name: not-this\n"
    "Version: 0.0\n";

/* Head of traitlets-5.15.0.dist-info/METADATA: multi-line License. */
static const char traitlets_metadata[] =
    "Metadata-Version: 2.4\n"
    "Name: traitlets\n"
    "Version: 5.15.0\n"
    "Summary: Traitlets Python configuration system\n"
    "Author-email: IPython Development Team <ipython-dev@python.org>\n"
    "License: BSD 3-Clause License\n"
    "        \n"
    "        - Copyright (c) 2001-, IPython Development Team\n"
    "        \n"
    "        All rights reserved.\n"
    "Classifier: Framework :: IPython\n"
    "\n"
    "long description\n";

static void test_wants(void)
{
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/attrs-22.2.0.dist-info/METADATA"),
              COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO"),
              COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info"),
              COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "x.dist-info/METADATA"), COMB_WANT_BUFFER);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/attrs-22.2.0.dist-info/RECORD"),
              COMB_WANT_NO);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/six-1.16.0.egg-info/SOURCES.txt"),
              COMB_WANT_NO);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/.dist-info/METADATA"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "usr/lib/python3/dist-packages/.egg-info"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "METADATA"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "a/METADATA"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "a/x.dist-info/METADATA.bak"), COMB_WANT_NO);
    CHECK_INT(wants_path(A, "a/x.egg-info.txt"), COMB_WANT_NO);
    CHECK(A->max_size >= (1u << 20));
}

static void test_egg_info_file(void)
{
    run r;
    run_str(&r, A, "usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info", crit_egg_info);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 1);
    const comb_pkg *p = pkg_at(&r, 0);
    if (p) {
        CHECK_INT(p->type, COMB_PKG_PYTHON);
        CHECK_STR(p->name, "crit");
        CHECK_STR(p->version, "3.17.1");
        CHECK_STR(p->license, "GPLv2");
        CHECK_STR(p->maintainer, "CRIU team");
        CHECK_STR(p->found_in, "usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info");
    }
    run_free(&r);
}

static void test_license_expression(void)
{
    run r;
    run_str(&r, A, "usr/local/lib/python3.12/site-packages/urllib3-2.7.0.dist-info/METADATA",
            urllib3_metadata);
    CHECK_INT(r.rc, COMB_OK);
    CHECK_INT(npkgs(&r), 1); /* headers after the blank line are body, not headers */
    const comb_pkg *p = pkg_at(&r, 0);
    if (p) {
        CHECK_STR(p->name, "urllib3");
        CHECK_STR(p->version, "2.7.0");
        CHECK_STR(p->license, "MIT");
        CHECK_STR(p->maintainer, "Andrey Petrov <andrey.petrov@shazow.net>");
    }
    run_free(&r);

    /* License-Expression wins even when it comes after License */
    run_str(&r, A, "a/x-1.dist-info/METADATA",
            "Name: x\nVersion: 1\nLicense: Apache Software License\n"
            "License-Expression: Apache-2.0 OR MIT\n");
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p)
        CHECK_STR(p->license, "Apache-2.0 OR MIT");
    run_free(&r);
}

static void test_multiline_license_and_crlf(void)
{
    run r;
    run_str(&r, A, "a/traitlets-5.15.0.dist-info/METADATA", traitlets_metadata);
    CHECK_INT(r.rc, COMB_OK);
    const comb_pkg *p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "traitlets");
        CHECK_STR(p->license, "BSD 3-Clause License");
    }
    run_free(&r);

    run_str(&r, A, "a/Foo_Bar-1.0.egg-info/PKG-INFO",
            "Metadata-Version: 1.1\r\nname:  Foo_Bar \r\nVERSION: 1.0rc1\r\n"
            "License: UNKNOWN\r\nAuthor: UNKNOWN\r\n\r\n");
    CHECK_INT(r.rc, COMB_OK);
    p = pkg_at(&r, 0);
    CHECK(p != NULL);
    if (p) {
        CHECK_STR(p->name, "Foo_Bar"); /* as declared, not normalised */
        CHECK_STR(p->version, "1.0rc1");
        CHECK(p->license == NULL);
        CHECK(p->maintainer == NULL);
    }
    run_free(&r);
}

static void test_malformed(void)
{
    run r;
    /* missing Version */
    run_str(&r, A, "a/x.dist-info/METADATA", "Metadata-Version: 2.1\nName: x\n");
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* empty file */
    run_on(&r, A, "a/x.dist-info/METADATA", "", 0);
    CHECK_INT(r.rc, COMB_EFORMAT);
    run_free(&r);
    /* truncated in the middle of the Version value, no trailing newline */
    run_str(&r, A, "a/x.dist-info/METADATA", "Name: x\nVersion: 1.");
    CHECK_INT(r.rc, COMB_OK);
    if (npkgs(&r) == 1)
        CHECK_STR(pkg_at(&r, 0)->version, "1.");
    run_free(&r);
    /* control bytes inside the name */
    static const char bad[] = "Name: a\001b\nVersion: 1\n";
    run_on(&r, A, "a/x.dist-info/METADATA", bad, sizeof bad - 1);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* huge single header value */
    size_t n = 4u << 20;
    char *big = malloc(n);
    memcpy(big, "Name: ", 6);
    memset(big + 6, 'a', n - 6);
    run_on(&r, A, "a/x.dist-info/METADATA", big, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    /* binary garbage */
    fill_random((uint8_t *)big, n, 42);
    run_on(&r, A, "a/x.dist-info/METADATA", big, n);
    CHECK_INT(r.rc, COMB_EFORMAT);
    CHECK_INT(npkgs(&r), 0);
    run_free(&r);
    free(big);
}

/* Normalise for comparing a metadata Name with its directory name. */
static void norm(char *s)
{
    for (; *s; s++)
        *s = *s == '-' || *s == '.' ? '_' : (char)tolower((unsigned char)*s);
}

/* Every real metadata file on this machine parses, and the declared name
 * matches the distribution directory (skipped when the directory is absent). */
static void test_real_dist_packages(void)
{
    const char *dir = "/usr/lib/python3/dist-packages";
    if (!is_dir(dir)) {
        fprintf(stderr, "  (no %s here; skipped)\n", dir);
        return;
    }
    DIR *d = opendir(dir);
    struct dirent *de;
    int seen = 0;
    while (d && (de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        size_t l = strlen(n);
        char path[4200], rel[4096];
        if (l > 10 && strcmp(n + l - 10, ".dist-info") == 0)
            snprintf(rel, sizeof rel, "usr/lib/python3/dist-packages/%s/METADATA", n);
        else if (l > 9 && strcmp(n + l - 9, ".egg-info") == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, n);
            if (is_dir(path))
                snprintf(rel, sizeof rel, "usr/lib/python3/dist-packages/%s/PKG-INFO", n);
            else
                snprintf(rel, sizeof rel, "usr/lib/python3/dist-packages/%s", n);
        } else
            continue;
        snprintf(path, sizeof path, "/%s", rel);
        size_t len;
        unsigned char *buf = test_slurp(path, &len);
        if (!buf)
            continue;
        CHECK_INT(wants_path(A, rel), COMB_WANT_BUFFER);
        run r;
        run_on(&r, A, rel, buf, len);
        CHECK_INT(r.rc, COMB_OK);
        CHECK_INT(npkgs(&r), 1);
        const comb_pkg *p = pkg_at(&r, 0);
        if (p && p->name && p->version) {
            char want[512], got[512];
            snprintf(want, sizeof want, "%s", n);
            snprintf(got, sizeof got, "%s", p->name);
            norm(want);
            norm(got);
            /* directory is "<name>-<version>..." or "<name>.egg-info" */
            size_t gl = strlen(got);
            CHECK(strncmp(want, got, gl) == 0 && want[gl] == '_');
            if (gl < l && n[gl] == '-') /* "<name>-<version>" */
                CHECK(strncmp(n + gl + 1, p->version, strlen(p->version)) == 0);
            seen++;
        }
        run_free(&r);
        free(buf);
    }
    if (d)
        closedir(d);
    fprintf(stderr, "  %d real metadata files checked\n", seen);
    CHECK(seen > 0);
}

int main(void)
{
    RUN(test_wants);
    RUN(test_egg_info_file);
    RUN(test_license_expression);
    RUN(test_multiline_license_and_crlf);
    RUN(test_malformed);
    RUN(test_real_dist_packages);
    return test_summary();
}
