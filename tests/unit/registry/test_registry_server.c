/* test_registry_server.c - the registry server's pure pieces: routes,
 * Content-Range and Range, page sizes, upload ids, action lists and roles,
 * bearer tokens issued and checked (ES256), and the blob store's atomic
 * commit (a digest mismatch publishes nothing). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "registry/server/access.h"
#include "registry/server/blobs.h"
#include "registry/server/parse.h"
#include "test.h"

static void test_routes(void)
{
    comb_rs_route r;
    CHECK_INT(comb_rs_route_parse("/v2/", &r), COMB_RS_BASE);
    CHECK_INT(comb_rs_route_parse("/v2/_catalog", &r), COMB_RS_CATALOG);
    CHECK_INT(comb_rs_route_parse("/v2/a/b/tags/list", &r), COMB_RS_TAGS);
    CHECK_STR(r.name, "a/b");
    CHECK_INT(comb_rs_route_parse("/v2/a/manifests/x/manifests/1", &r), COMB_RS_MANIFEST);
    CHECK_STR(r.name, "a/manifests/x"); /* the rightmost keyword wins */
    CHECK_STR(r.ref, "1");
    CHECK(r.name_ok);
    CHECK_INT(comb_rs_route_parse("/v2/a/blobs/uploads/", &r), COMB_RS_UPLOAD);
    CHECK_STR(r.ref, "");
    CHECK_INT(comb_rs_route_parse("/v2/a/blobs/uploads", &r), COMB_RS_UPLOAD);
    CHECK_INT(comb_rs_route_parse("/v2/a/blobs/uploads/0123456789abcdef0123456789abcdef", &r),
              COMB_RS_UPLOAD);
    CHECK_STR(r.ref, "0123456789abcdef0123456789abcdef");
    CHECK_INT(comb_rs_route_parse("/v2/a/blobs/sha256:00", &r), COMB_RS_BLOB);
    CHECK_INT(comb_rs_route_parse("/v2/a/referrers/sha256:00", &r), COMB_RS_REFERRERS);
    CHECK_INT(comb_rs_route_parse("/v2/A/tags/list", &r), COMB_RS_TAGS);
    CHECK(!r.name_ok);
    CHECK_INT(comb_rs_route_parse("/v2/a/manifests/../x", &r), COMB_RS_NONE);
    CHECK_INT(comb_rs_route_parse("/v3/a/tags/list", &r), COMB_RS_NONE);
    CHECK_INT(comb_rs_route_parse("/v2/a/other/x", &r), COMB_RS_NONE);
}

static void test_ranges(void)
{
    uint64_t a, b, off, len;
    CHECK_INT(comb_rs_content_range("0-99", &a, &b), 0);
    CHECK(a == 0 && b == 99);
    CHECK_INT(comb_rs_content_range("bytes 5-5", &a, &b), 0);
    CHECK_INT(comb_rs_content_range("9-1", &a, &b), -1);
    CHECK_INT(comb_rs_content_range("1-", &a, &b), -1);
    CHECK_INT(comb_rs_content_range("99999999999999999999-1", &a, &b), -1);
    CHECK_INT(comb_rs_range("bytes=10-19", 100, &off, &len), 0);
    CHECK(off == 10 && len == 10);
    CHECK_INT(comb_rs_range("bytes=90-", 100, &off, &len), 0);
    CHECK(off == 90 && len == 10);
    CHECK_INT(comb_rs_range("bytes=-5", 100, &off, &len), 0);
    CHECK(off == 95 && len == 5);
    CHECK_INT(comb_rs_range("bytes=50-500", 100, &off, &len), 0);
    CHECK(off == 50 && len == 50);
    CHECK_INT(comb_rs_range("bytes=100-", 100, &off, &len), -2);
    CHECK_INT(comb_rs_range("bytes=1-2,4-5", 100, &off, &len), -1);
    CHECK_INT(comb_rs_page_size("50", 10000), 50);
    CHECK_INT(comb_rs_page_size("-1", 10000), -1);
    CHECK_INT(comb_rs_page_size("10001", 10000), -1);
    char id[33];
    CHECK_INT(comb_rs_new_id(id), 0);
    CHECK(comb_rs_valid_id(id));
    CHECK(!comb_rs_valid_id("../../etc/passwd"));
}

static void test_roles(void)
{
    CHECK_INT(comb_role_actions("guest"), COMB_ACT_PULL);
    CHECK_INT(comb_role_actions("developer"), COMB_ACT_PULL | COMB_ACT_PUSH);
    CHECK_INT(comb_role_actions("maintainer") & COMB_ACT_MANAGE, 0);
    CHECK_INT(comb_role_actions("maintainer") & COMB_ACT_PROMOTE, COMB_ACT_PROMOTE);
    CHECK_INT(comb_role_actions("owner"), -1);
    CHECK_INT(comb_actions_parse("pull,push"), COMB_ACT_PULL | COMB_ACT_PUSH);
    CHECK_INT(comb_actions_parse("pull,fly"), -1);
    char out[64];
    comb_actions_format(COMB_ACT_PULL | COMB_ACT_DELETE, out, sizeof out);
    CHECK_STR(out, "pull,delete");
}

static void test_tokens_and_blobs(void)
{
    char root[] = "/tmp/comb-test-rs.XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    comb_access *a;
    comb_err e;
    CHECK_INT(comb_access_open(root, &a, &e), COMB_OK);
    CHECK_INT(comb_access_user_add(a, "dev", "password-1", 0, 0, &e), COMB_OK);
    CHECK_INT(comb_access_user_add(a, "short", "x", 0, 0, &e), COMB_EINVAL);
    CHECK_INT(comb_access_member_set(a, "proj", "dev", comb_role_actions("guest"), &e), COMB_OK);
    comb_identity id;
    CHECK_INT(comb_access_login(a, "dev", "wrong-pass", &id, &e), COMB_EAUTH);
    CHECK_INT(comb_access_login(a, "dev", "password-1", &id, &e), COMB_OK);
    const char *scopes[] = {"repository:proj/app:pull,push", "repository:BAD:pull"};
    char *jwt;
    CHECK_INT(comb_access_token(a, &id, "svc", scopes, 2, 60, &jwt, &e), COMB_OK);
    comb_identity b;
    CHECK_INT(comb_access_bearer(a, jwt, "svc", &b, &e), COMB_OK);
    CHECK_STR(b.user, "dev");
    CHECK_INT(comb_access_allowed(a, &b, "proj/app"), COMB_ACT_PULL); /* push not granted */
    CHECK_INT(comb_access_allowed(a, &b, "proj/other"), 0);           /* not in the token */
    comb_identity_clear(&b);
    CHECK_INT(comb_access_bearer(a, jwt, "other-service", &b, &e), COMB_EAUTH);
    jwt[strlen(jwt) - 3] ^= 1; /* a flipped signature bit */
    CHECK_INT(comb_access_bearer(a, jwt, "svc", &b, &e), COMB_EAUTH);
    free(jwt);
    comb_access_close(a);

    comb_blobs bs;
    CHECK_INT(comb_blobs_open(&bs, root, &e), COMB_OK);
    char up[33], want[72], got[72];
    comb_rs_new_id(up);
    CHECK_INT(comb_blobs_upload_create(&bs, up, &e), COMB_OK);
    int fd;
    uint64_t size;
    CHECK_INT(comb_blobs_upload_open(&bs, up, &fd, &size, &e), COMB_OK);
    CHECK(write(fd, "hello", 5) == 5);
    close(fd);
    comb_sha256_buf("other", 5, want);
    CHECK_INT(comb_blobs_upload_commit(&bs, up, want, &size, &e), COMB_EDIGEST);
    CHECK_INT(comb_blobs_open_blob(&bs, want, &fd, &size, &e), COMB_ENOTFOUND);
    comb_sha256_buf("hello", 5, got);
    CHECK_INT(comb_blobs_upload_commit(&bs, up, got, &size, &e), COMB_OK);
    CHECK(size == 5);
    CHECK_INT(comb_blobs_open_blob(&bs, got, &fd, &size, &e), COMB_OK);
    close(fd);
    CHECK_INT(comb_blobs_upload_size(&bs, up, &size, &e), COMB_ENOTFOUND); /* renamed away */
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    CHECK_INT(system(cmd), 0);
}

int main(void)
{
    RUN(test_routes);
    RUN(test_ranges);
    RUN(test_roles);
    RUN(test_tokens_and_blobs);
    return test_summary();
}
