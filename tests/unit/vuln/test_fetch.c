/* test_fetch.c - downloads against a real HTTP server on loopback
 * (tests/tools/http_fixture_server.py): validators, 304, retries on 503 and
 * 429, a transfer cut mid-way that must leave the previous file intact,
 * size limits, checksums, and the https-only rule. */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "test_server.h"
#include "vuln/fetch.h"

static char dir[] = "/tmp/comb-fetch-XXXXXX";

static test_server srv;


static const char *url(const char *path)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d%s", srv.port, path);
    return buf;
}

static const char *dest(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static long fsize(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static comb_fetch_opts base(void)
{
    comb_fetch_opts o = { .allow_http = 1, .retries = 3, .backoff_ms = 50, .timeout_s = 20 };
    return o;
}

static void test_download_and_304(void)
{
    comb_fetch_opts o = base();
    comb_fetch_result r;
    comb_err err;
    CHECK_INT(comb_fetch(url("/data"), dest("a"), &o, &r, &err), COMB_OK);
    CHECK_INT(fsize(dest("a")), 18000);
    CHECK_STR(r.etag, "\"v1\"");
    CHECK_STR(r.last_modified, "Wed, 21 Oct 2026 07:28:00 GMT");
    CHECK(!r.not_modified);
    CHECK(access(dest("a.part"), F_OK) != 0);
    /* second time with the validators: 304, file untouched */
    o.etag = r.etag;
    o.last_modified = r.last_modified;
    comb_fetch_result r2;
    CHECK_INT(comb_fetch(url("/data"), dest("a"), &o, &r2, &err), COMB_OK);
    CHECK(r2.not_modified);
    CHECK_INT(fsize(dest("a")), 18000);
    /* checksum: right one passes, wrong one fails and keeps the old file */
    comb_fetch_opts c = base();
    c.sha256 = r.sha256;
    CHECK_INT(comb_fetch(url("/data"), dest("b"), &c, &r2, &err), COMB_OK);
    c.sha256 = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
    c.retries = -1;
    CHECK_INT(comb_fetch(url("/data"), dest("b"), &c, &r2, &err), COMB_EDIGEST);
    CHECK(strstr(err.msg, "checksum mismatch") != NULL);
    CHECK_INT(fsize(dest("b")), 18000);
}

static void test_retries(void)
{
    comb_fetch_opts o = base();
    comb_fetch_result r;
    comb_err err;
    CHECK_INT(comb_fetch(url("/flaky"), dest("f"), &o, &r, &err), COMB_OK);
    CHECK_INT(r.attempts, 3); /* two 503s, then success */
    CHECK_INT(fsize(dest("f")), 18000);
    CHECK_INT(comb_fetch(url("/ratelimit"), dest("g"), &o, &r, &err), COMB_OK);
    CHECK_INT(r.attempts, 2); /* 429 with Retry-After: 1, then success */
    CHECK_INT(comb_fetch(url("/missing"), dest("m"), &o, &r, &err), COMB_ENOTFOUND);
    CHECK_INT(r.attempts, 1); /* a 404 is not retried */
}

static void test_cut_keeps_previous(void)
{
    /* a good previous file sits at the destination */
    comb_fetch_opts o = base();
    comb_fetch_result r;
    comb_err err;
    CHECK_INT(comb_fetch(url("/data"), dest("cut"), &o, &r, &err), COMB_OK);
    o.retries = 2;
    comb_code rc = comb_fetch(url("/cut"), dest("cut"), &o, &r, &err);
    CHECK(rc != COMB_OK);
    CHECK_INT(r.attempts, 3);
    CHECK(strstr(err.msg, "/cut") != NULL);
    CHECK_INT(fsize(dest("cut")), 18000); /* intact */
    CHECK(access(dest("cut.part"), F_OK) != 0);
}

static void test_limits_and_schemes(void)
{
    comb_fetch_opts o = base();
    o.max_bytes = 1 << 20;
    comb_fetch_result r;
    comb_err err;
    CHECK_INT(comb_fetch(url("/big"), dest("big"), &o, &r, &err), COMB_ELIMIT);
    CHECK(access(dest("big"), F_OK) != 0);
    comb_fetch_opts strict = { .retries = -1 };
    CHECK_INT(comb_fetch(url("/data"), dest("h"), &strict, &r, &err), COMB_EINVAL);
    CHECK(strstr(err.msg, "https") != NULL);
    CHECK_INT(comb_fetch("ftp://127.0.0.1/x", dest("h"), &o, &r, &err), COMB_EINVAL);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!mkdtemp(dir) || test_server_start(&srv, NULL) != 0) {
        fprintf(stderr, "cannot start the fixture server\n");
        return 1;
    }
    RUN(test_download_and_304);
    RUN(test_retries);
    RUN(test_cut_keeps_previous);
    RUN(test_limits_and_schemes);
    test_server_stop(&srv);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
    return test_summary();
}
