/* test_registry_ref.c - image reference parsing and WWW-Authenticate challenges. */
#include "image/image_internal.h"
#include "registry/auth.h"
#include "registry/ref.h"
#include "test.h"

static void ref_ok(const char *in, const char *reg, const char *repo, const char *tag,
                   const char *digest)
{
    comb_ref r;
    comb_err e;
    comb_err_clear(&e);
    int rc = comb_ref_parse(in, &r, &e);
    if (rc)
        fprintf(stderr, "parse %s: %s\n", in, e.msg);
    CHECK_INT(rc, COMB_OK);
    CHECK_STR(r.registry, reg);
    CHECK_STR(r.repo, repo);
    CHECK_STR(r.tag, tag);
    CHECK_STR(r.digest, digest);
}

static void ref_bad(const char *in)
{
    comb_ref r;
    comb_err e;
    int rc = comb_ref_parse(in, &r, &e);
    if (rc == COMB_OK)
        fprintf(stderr, "accepted bad reference %s\n", in);
    CHECK_INT(rc, COMB_EINVAL);
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_refs(void)
{
    ref_ok("alpine", "docker.io", "library/alpine", "latest", "");
    ref_ok("library/alpine:3.19", "docker.io", "library/alpine", "3.19", "");
    ref_ok("docker.io/alpine", "docker.io", "library/alpine", "latest", "");
    ref_ok("index.docker.io/user/app:v1", "docker.io", "user/app", "v1", "");
    ref_ok("user/app", "docker.io", "user/app", "latest", "");
    ref_ok("localhost/app", "localhost", "app", "latest", "");
    ref_ok("localhost:5000/a/b/c:1.0-rc_1", "localhost:5000", "a/b/c", "1.0-rc_1", "");
    ref_ok("127.0.0.1:5000/app@sha256:" D64, "127.0.0.1:5000", "app", "", "sha256:" D64);
    ref_ok("ghcr.io/o/app:1@sha256:" D64, "ghcr.io", "o/app", "1", "sha256:" D64);
    ref_ok("[::1]:5000/app:x", "[::1]:5000", "app", "x", "");
    ref_ok("Registry.Example.COM/team/app", "Registry.Example.COM", "team/app", "latest", "");
    ref_ok("a__b/c--d/e.f_g", "docker.io", "a__b/c--d/e.f_g", "latest", "");

    ref_bad("");
    ref_bad("Alpine");                 /* uppercase repository */
    ref_bad("alpine:");                /* empty tag */
    ref_bad("alpine:-x");              /* tag must start with a word character */
    ref_bad("alpine:a/b");
    ref_bad("a//b");
    ref_bad("a/b/");
    ref_bad("/a");
    ref_bad("a..b");
    ref_bad("a___b");
    ref_bad("-a");
    ref_bad("a-");
    ref_bad("localhost:0/app");        /* port out of range */
    ref_bad("localhost:99999/app");
    ref_bad("exa_mple.com/app");       /* underscore in a host */
    ref_bad("-x.com/app");
    ref_bad("[zz]:1/app");
    ref_bad("app@sha256:abc");         /* short digest */
    ref_bad("app@sha512:" D64 D64);    /* only sha256 */
    ref_bad("app@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef");
    char longtag[200];
    memset(longtag, 'a', sizeof longtag);
    memcpy(longtag, "app:", 4);
    longtag[4 + 129] = '\0';
    ref_bad(longtag);                  /* tag over 128 */
    char longname[400];
    memset(longname, 'a', sizeof longname);
    longname[300] = '\0';
    ref_bad(longname);                 /* name over 255 */

    comb_ref r;
    comb_err e;
    CHECK_INT(comb_ref_parse("127.0.0.1:5000/app@sha256:" D64, &r, &e), COMB_OK);
    char out[600];
    comb_ref_format(&r, out, sizeof out);
    CHECK_STR(out, "127.0.0.1:5000/app@sha256:" D64);
    CHECK_STR(comb_ref_api_host("docker.io"), "registry-1.docker.io");
    CHECK(comb_ref_is_loopback("127.0.0.1:5000"));
    CHECK(comb_ref_is_loopback("localhost"));
    CHECK(comb_ref_is_loopback("[::1]:80"));
    CHECK(!comb_ref_is_loopback("ghcr.io"));
}

static void test_challenges(void)
{
    comb_auth_challenge c;
    comb_err e;
    const char *h = "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    "scope=\"repository:library/alpine:pull\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_OK);
    CHECK_INT(c.scheme, COMB_AUTH_BEARER);
    CHECK_STR(c.realm, "https://auth.docker.io/token");
    CHECK_STR(c.service, "registry.docker.io");
    CHECK_STR(c.scope, "repository:library/alpine:pull");

    h = "Basic realm=\"Registry Realm\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_OK);
    CHECK_INT(c.scheme, COMB_AUTH_BASIC);
    CHECK_STR(c.realm, "Registry Realm");

    /* case-insensitive names, token values, escapes, commas inside quotes, spaces */
    h = "bearer  Realm=https://a.example/t , SERVICE = \"s\\\"x\" ,scope=\"repository:a:pull,push\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_OK);
    CHECK_STR(c.realm, "https://a.example/t");
    CHECK_STR(c.service, "s\"x");
    CHECK_STR(c.scope, "repository:a:pull,push");

    /* an unknown scheme first, then Bearer */
    h = "Negotiate abc==, Bearer realm=\"https://x/t\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_OK);
    CHECK_INT(c.scheme, COMB_AUTH_BEARER);
    CHECK_STR(c.realm, "https://x/t");

    h = "Bearer service=\"x\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_EFORMAT); /* no realm */
    h = "Bearer realm=\"unterminated";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_EFORMAT);
    h = "Digest realm=\"x\"";
    CHECK_INT(comb_auth_parse_challenge(h, strlen(h), &c, &e), COMB_EUNSUPPORTED);
    CHECK_INT(comb_auth_parse_challenge("", 0, &c, &e), COMB_EUNSUPPORTED);
    char big[3000] = "Bearer realm=\"";
    memset(big + 14, 'a', 2000);
    strcpy(big + 2014, "\"");
    CHECK_INT(comb_auth_parse_challenge(big, strlen(big), &c, &e), COMB_EFORMAT); /* too long */
}

static void test_cred_files(void)
{
    comb_cred c;
    int found;
    char helper[64];
    comb_err e;
    /* dGVzdGVyOnMzY3JldA== is tester:s3cret */
    const char *j = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dGVzdGVyOnMzY3JldA==\"},"
                    "\"127.0.0.1:5000\":{\"auth\":\"dTpwOjE=\"}}}";
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "docker.io", &c, &found, helper, sizeof helper, &e),
              COMB_OK);
    CHECK(found);
    CHECK_STR(c.user, "tester");
    CHECK_STR(c.secret, "s3cret");
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "127.0.0.1:5000", &c, &found, helper,
                                   sizeof helper, &e), COMB_OK);
    CHECK(found);
    CHECK_STR(c.user, "u");
    CHECK_STR(c.secret, "p:1"); /* the password may hold colons */
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "ghcr.io", &c, &found, helper, sizeof helper, &e),
              COMB_OK);
    CHECK(!found);
    CHECK_STR(helper, "");

    j = "{\"credsStore\":\"desktop\",\"credHelpers\":{\"ghcr.io\":\"gh\"},\"auths\":{}}";
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "ghcr.io", &c, &found, helper, sizeof helper, &e),
              COMB_OK);
    CHECK(!found);
    CHECK_STR(helper, "gh");
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "quay.io", &c, &found, helper, sizeof helper, &e),
              COMB_OK);
    CHECK_STR(helper, "desktop");

    j = "{\"auths\":{\"x.io\":{\"auth\":\"!!!!\"}}}";
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "x.io", &c, &found, helper, sizeof helper, &e),
              COMB_EFORMAT);
    j = "{\"auths\":{\"x.io\":{\"auth\":\"bm9jb2xvbg==\"}}}"; /* "nocolon" */
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "x.io", &c, &found, helper, sizeof helper, &e),
              COMB_EFORMAT);
    j = "{\"auths\":{\"x.io\":{\"auth\":\"dTp=======\"}}}"; /* padding run (fuzzer) */
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "x.io", &c, &found, helper, sizeof helper, &e),
              COMB_EFORMAT);
    j = "{\"auths\":{\"x.io\":{\"auth\":\"dT=wOjE=\"}}}"; /* '=' inside */
    CHECK_INT(comb_cred_parse_file(j, strlen(j), "x.io", &c, &found, helper, sizeof helper, &e),
              COMB_EFORMAT);
    CHECK_INT(comb_cred_parse_file("[", 1, "x.io", &c, &found, helper, sizeof helper, &e),
              COMB_EFORMAT);
}

/* telling image names from paths, and local names from remote ones */
static void test_names(void)
{
    CHECK(comb_looks_like_ref("alpine"));
    CHECK(comb_looks_like_ref("alpine:3.19"));
    CHECK(comb_looks_like_ref("127.0.0.1:5000/app@sha256:" D64));
    CHECK(!comb_looks_like_ref("image.tar"));
    CHECK(!comb_looks_like_ref("image.tar.gz"));
    CHECK(!comb_looks_like_ref("layout.oci"));
    CHECK(!comb_looks_like_ref("sbom.json"));
    CHECK(!comb_looks_like_ref("./alpine"));
    CHECK(!comb_looks_like_ref("/tmp/alpine"));
    CHECK(!comb_looks_like_ref("Alpine"));
    CHECK(!comb_looks_like_ref(""));
    CHECK(comb_names_no_registry("app:dev"));
    CHECK(comb_names_no_registry("team/app"));
    CHECK(comb_names_no_registry("localhost/app:1"));
    CHECK(!comb_names_no_registry("127.0.0.1:5000/app"));
    CHECK(!comb_names_no_registry("ghcr.io/o/app"));
    CHECK(!comb_names_no_registry("docker.io/library/alpine"));
}

int main(void)
{
    RUN(test_names);
    RUN(test_refs);
    RUN(test_challenges);
    RUN(test_cred_files);
    return test_summary();
}
