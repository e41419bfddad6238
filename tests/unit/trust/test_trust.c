/* test_trust.c - keys, payloads, bundles, policy, references, and signing
 * and verifying an OCI layout end to end through the artifact store. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "test.h"
#include "trust/trust.h"

static char tmpdir[] = "/tmp/comb-test-trust.XXXXXX";

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(s, f);
    fclose(f);
}

static void test_base64(void)
{
    char *e = comb_b64_encode("hello", 5);
    CHECK_STR(e, "aGVsbG8=");
    size_t n = 0;
    unsigned char *d = comb_b64_decode(e, strlen(e), &n);
    CHECK(d && n == 5 && !memcmp(d, "hello", 5));
    free(e);
    free(d);
    d = comb_b64_decode("aGk=", 4, &n);
    CHECK(d && n == 2);
    free(d);
    CHECK(comb_b64_decode("aGk", 3, &n) == NULL);      /* not a multiple of 4 */
    CHECK(comb_b64_decode("a=Gk", 4, &n) == NULL);     /* padding inside */
    CHECK(comb_b64_decode("aG!k", 4, &n) == NULL);
    d = comb_b64_decode("", 0, &n);
    CHECK(d && n == 0);
    free(d);
}

static void test_refs(void)
{
    char r[512];
    CHECK(comb_ref_repository("alpine", r, sizeof r) == 0);
    CHECK_STR(r, "docker.io/library/alpine");
    CHECK(comb_ref_repository("alpine:3.19", r, sizeof r) == 0);
    CHECK_STR(r, "docker.io/library/alpine");
    CHECK(comb_ref_repository("index.docker.io/library/alpine@sha256:abc", r, sizeof r) == 0);
    CHECK_STR(r, "docker.io/library/alpine");
    CHECK(comb_ref_repository("localhost:5000/team/app:v1", r, sizeof r) == 0);
    CHECK_STR(r, "localhost:5000/team/app");
    CHECK(comb_ref_repository("Registry.Example.com/team/app", r, sizeof r) == 0);
    CHECK_STR(r, "registry.example.com/team/app");
    CHECK(comb_ref_repository("user/app", r, sizeof r) == 0);
    CHECK_STR(r, "docker.io/user/app");
    CHECK(comb_ref_repository("", r, sizeof r) != 0);
    CHECK(comb_ref_repository("a//b", r, sizeof r) != 0);
    CHECK(comb_ref_repository("docker.io/Upper/case", r, sizeof r) != 0);
    CHECK(comb_ref_repository("bad name", r, sizeof r) != 0);
}

static void test_glob(void)
{
    CHECK(comb_ref_glob_match("registry.example.com/team/*", "registry.example.com/team/app"));
    CHECK(!comb_ref_glob_match("registry.example.com/team/*", "registry.example.com/team/a/b"));
    CHECK(comb_ref_glob_match("registry.example.com/**", "registry.example.com/team/a/b"));
    CHECK(comb_ref_glob_match("**/app", "registry.example.com/team/app"));
    CHECK(comb_ref_glob_match("*.example.com/**/app*", "r.example.com/x/y/app2"));
    CHECK(!comb_ref_glob_match("*.example.com/**/app*", "r.example.com/x/y/bpp2"));
    CHECK(comb_ref_glob_match("docker.io/library/alpin?", "docker.io/library/alpine"));
    CHECK(!comb_ref_glob_match("docker.io/library/?", "docker.io/library//"));
    CHECK(comb_ref_glob_match("exact", "exact"));
    CHECK(!comb_ref_glob_match("exact", "exactly"));
    CHECK(comb_ref_glob_match("a/**/b*c", "a/x/y/bzzc"));
    CHECK(!comb_ref_glob_match("a/**/b*c", "a/x/bz/zc"));
}

static void test_payload(void)
{
    const char *dg = "sha256:afb744871f99e0ff8e6f253244836ed34c5d805fdb096d3a205ffaf5e9073cab";
    char *p = comb_simplesign_payload("registry.example.com/team/app", dg, NULL);
    /* byte for byte what cosign marshals */
    CHECK_STR(p, "{\"critical\":{\"identity\":{\"docker-reference\":\"registry.example.com/team/app\"},"
                 "\"image\":{\"docker-manifest-digest\":\"sha256:afb744871f99e0ff8e6f253244836ed34c5d805fdb096d3a205ffaf5e9073cab\"},"
                 "\"type\":\"cosign container image signature\"},\"optional\":null}");
    comb_payload pl;
    comb_err err;
    CHECK(comb_simplesign_parse((unsigned char *)p, strlen(p), &pl, &err) == COMB_OK);
    CHECK_STR(pl.manifest_digest, dg);
    CHECK_STR(pl.docker_reference, "registry.example.com/team/app");
    free(p);
    const char *bad[] = {
        "[]",
        "{\"critical\":{\"type\":\"other\",\"image\":{\"docker-manifest-digest\":\"sha256:00\"}}}",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{}}}",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"type\":\"x\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_err_clear(&err);
        CHECK(comb_simplesign_parse((const unsigned char *)bad[i], strlen(bad[i]), &pl, &err) != COMB_OK);
        CHECK(err.msg[0] != '\0');
    }
}

static void test_pae(void)
{
    size_t n;
    unsigned char *p = comb_dsse_pae("application/vnd.in-toto+json", (const unsigned char *)"{}", 2, &n);
    const char want[] = "DSSEv1 28 application/vnd.in-toto+json 2 {}";
    CHECK(p && n == sizeof want - 1 && !memcmp(p, want, n));
    free(p);
}

static void test_keys_sign_verify(void)
{
    const char *types[] = { "ecdsa-p256", "ed25519", "rsa-3072" };
    for (size_t i = 0; i < 3; i++) {
        comb_key_type t;
        int bits;
        CHECK(comb_key_type_parse(types[i], &t, &bits) == 0);
        comb_key *k = NULL, *back = NULL, *pub = NULL;
        comb_err err;
        comb_err_clear(&err);
        CHECK(comb_key_generate(t, bits, &k, &err) == COMB_OK);
        if (!k)
            continue;
        CHECK_STR(comb_key_type_name(k), types[i]);
        char priv[256], pubf[256];
        snprintf(priv, sizeof priv, "%s/%s.key", tmpdir, types[i]);
        snprintf(pubf, sizeof pubf, "%s/%s.pub", tmpdir, types[i]);
        CHECK(comb_key_write_private(k, priv, "pw", 2, &err) == COMB_OK);
        CHECK(comb_key_write_private(k, priv, "pw", 2, &err) != COMB_OK); /* never overwritten */
        CHECK(comb_key_write_public(k, pubf, &err) == COMB_OK);
        struct stat st;
        CHECK(stat(priv, &st) == 0 && (st.st_mode & 0777) == 0600);
        CHECK(comb_key_load_private(priv, "nope", 4, &back, &err) != COMB_OK);
        CHECK(strstr(err.msg, "wrong password") != NULL);
        CHECK(comb_key_load_private(priv, "pw", 2, &back, &err) == COMB_OK);
        CHECK(comb_key_load_public(pubf, &pub, &err) == COMB_OK);
        if (back && pub) {
            CHECK_STR(comb_key_id(back), comb_key_id(k));
            CHECK_STR(comb_key_id(pub), comb_key_id(k));
            unsigned char *sig = NULL;
            size_t siglen = 0;
            CHECK(comb_key_sign(back, "message", 7, &sig, &siglen, &err) == COMB_OK);
            CHECK(comb_key_verify(pub, "message", 7, sig, siglen) == 1);
            CHECK(comb_key_verify(pub, "messagE", 7, sig, siglen) == 0);
            if (siglen)
                sig[siglen / 2] ^= 1;
            CHECK(comb_key_verify(pub, "message", 7, sig, siglen) == 0);
            CHECK(comb_key_verify(pub, "message", 7, NULL, 0) == 0);
            free(sig);
        }
        comb_key_free(k);
        comb_key_free(back);
        comb_key_free(pub);
    }
    comb_err err;
    comb_key *k = NULL;
    CHECK(comb_key_parse_public((const unsigned char *)"garbage", 7, "x", &k, &err) == COMB_EFORMAT);
    char cos[256];
    snprintf(cos, sizeof cos, "%s/cosign.key", tmpdir);
    write_file(cos, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
    CHECK(comb_key_load_private(cos, "pw", 2, &k, &err) != COMB_OK);
    CHECK(strstr(err.msg, "cosign.key") != NULL);
}

/* A box made by tweetnacl 1.0.3 (nacl.secretbox), key 0..31, nonce 100..123. */
static void test_secretbox(void)
{
    static const char hex[] =
        "acc90b7a83f1b4f64c52dd3d0b54905461d6f4ab1ac5ab8ac29857f658fc837350c54fc9c4c72568d16930ae2a"
        "eae9e5cd1c87792852bb889a7870077233a90da0fe8e777ce3196937cc317dafd7be3722e73f0cfa0c68e8d5e0"
        "7c996ce399fc74f4ff68d48c5b6be6b5";
    const char msg[] = "comb secretbox known answer: a message longer than one 64-byte Salsa20 block, to cross it.";
    unsigned char key[32], nonce[24], box[sizeof hex / 2], out[sizeof hex / 2];
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)i;
    for (int i = 0; i < 24; i++)
        nonce[i] = (unsigned char)(100 + i);
    size_t n = sizeof hex / 2;
    for (size_t i = 0; i < n; i++)
        sscanf(hex + 2 * i, "%2hhx", &box[i]);
    CHECK_INT(n, 16 + sizeof msg - 1);
    CHECK(comb_secretbox_open(key, nonce, box, n, out) == 0 && !memcmp(out, msg, sizeof msg - 1));
    box[20] ^= 1; /* a flipped ciphertext bit fails authentication */
    CHECK(comb_secretbox_open(key, nonce, box, n, out) == -1);
    box[20] ^= 1;
    key[0] ^= 1;
    CHECK(comb_secretbox_open(key, nonce, box, n, out) == -1);
    CHECK(comb_secretbox_open(key, nonce, box, 15, out) == -1);
}

static void test_bundle_roundtrip(void)
{
    comb_key *k = NULL;
    comb_err err;
    comb_err_clear(&err);
    CHECK(comb_key_generate(COMB_KEY_ECDSA_P256, 0, &k, &err) == COMB_OK);
    const char *dg = "sha256:afb744871f99e0ff8e6f253244836ed34c5d805fdb096d3a205ffaf5e9073cab";
    char *json = NULL;
    CHECK(comb_bundle_make(k, "registry.example.com/a", dg, &json, &err) == COMB_OK);
    comb_bundle b;
    CHECK(json && comb_bundle_parse((unsigned char *)json, strlen(json), &b, &err) == COMB_OK);
    CHECK(b.kind == COMB_BUNDLE_DSSE && b.nsigs == 1 && b.nsubjects == 1);
    CHECK_STR(b.subjects[0], dg);
    CHECK(comb_key_verify(k, b.signed_bytes, b.signed_len, b.sigs[0], b.siglens[0]) == 1);
    comb_bundle_free(&b);
    free(json);
    const char *bad[] = {
        "{}",
        "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{}}",
        "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{},"
        "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"AAAA\"},\"signature\":\"AAAA\"}}",
        "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{},"
        "\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AAAA\"}]}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_err_clear(&err);
        CHECK(comb_bundle_parse((const unsigned char *)bad[i], strlen(bad[i]), &b, &err) != COMB_OK);
        CHECK(err.msg[0] != '\0');
    }
    comb_key_free(k);
}

static void test_policy(void)
{
    const char *y = "version: 1\n"
                    "default: reject\n"
                    "rules:\n"
                    "  - match: \"registry.example.com/**\"\n"
                    "    type: signedBy\n"
                    "    keys: [a.pub]\n"
                    "  - match: \"registry.example.com/team/*\"\n"
                    "    type: signedBy\n"
                    "    keys: [b.pub, c.pub]\n"
                    "    identity: any\n"
                    "  - match: \"registry.example.com/team/app\"\n"
                    "    type: insecureAcceptAnything\n";
    comb_policy *p = NULL;
    comb_err err;
    comb_err_clear(&err);
    CHECK(comb_policy_parse(y, strlen(y), 1, "p.yaml", &p, &err) == COMB_OK);
    if (p) {
        const comb_policy_rule *r = comb_policy_select(p, "registry.example.com/team/x");
        CHECK(r->type == COMB_POLICY_SIGNED && r->nkeys == 2 && r->identity == COMB_IDENTITY_ANY);
        r = comb_policy_select(p, "registry.example.com/team/app");
        CHECK(r->type == COMB_POLICY_ACCEPT);
        r = comb_policy_select(p, "registry.example.com/other/x/y");
        CHECK(r->type == COMB_POLICY_SIGNED && r->nkeys == 1 && r->identity == COMB_IDENTITY_REPOSITORY);
        r = comb_policy_select(p, "quay.io/x");
        CHECK(r == &p->deflt && r->type == COMB_POLICY_REJECT);
    }
    comb_policy_free(p);
    const char *j = "{\"default\":{\"type\":\"signedBy\",\"keys\":[\"k.pub\"]}}";
    CHECK(comb_policy_parse(j, strlen(j), 0, "p.json", &p, &err) == COMB_OK);
    comb_policy_free(p);
    const char *bad[] = {
        "{}",                                                            /* no default */
        "{\"default\":\"maybe\"}",                                         /* unknown type */
        "{\"default\":\"reject\",\"extra\":1}",                           /* unknown field */
        "{\"default\":{\"type\":\"signedBy\"}}",                          /* no keys */
        "{\"default\":{\"type\":\"reject\",\"keys\":[\"a\"]}}",             /* keys without signedBy */
        "{\"default\":\"reject\",\"rules\":[{\"type\":\"reject\"}]}",      /* rule without match */
        "{\"default\":\"reject\",\"rules\":[{\"match\":\"x\",\"type\":\"reject\",\"identity\":\"exact\"}]}",
        "{\"default\":\"reject\",\"version\":2}",
        "{\"default\":\"reject\",\"default\":\"reject\"}",                /* duplicate key */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        comb_err_clear(&err);
        p = NULL;
        CHECK(comb_policy_parse(bad[i], strlen(bad[i]), 0, "bad.json", &p, &err) != COMB_OK);
        CHECK(p == NULL && strstr(err.msg, "bad.json") != NULL);
    }
}

/* A minimal layout: one image manifest (config + no layers). */
static void make_layout(const char *dir, char digest[72])
{
    char path[512];
    snprintf(path, sizeof path, "%s/blobs/sha256", dir);
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/blobs", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/blobs/sha256", dir);
    mkdir(path, 0755);
    const char *cfg = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
    char cd[72];
    comb_sha256_buf(cfg, strlen(cfg), cd);
    snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, cd + 7);
    write_file(path, cfg);
    char man[512];
    snprintf(man, sizeof man,
             "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
             "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
             "\"layers\":[]}", cd, strlen(cfg));
    comb_sha256_buf(man, strlen(man), digest);
    snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, digest + 7);
    write_file(path, man);
    char idx[512];
    snprintf(idx, sizeof idx,
             "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
             "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}",
             digest, strlen(man));
    snprintf(path, sizeof path, "%s/index.json", dir);
    write_file(path, idx);
    snprintf(path, sizeof path, "%s/oci-layout", dir);
    write_file(path, "{\"imageLayoutVersion\":\"1.0.0\"}");
}

static void test_layout_sign_verify(void)
{
    char dir[256], digest[72];
    snprintf(dir, sizeof dir, "%s/layout", tmpdir);
    make_layout(dir, digest);
    comb_store *st = NULL;
    comb_err err;
    comb_err_clear(&err);
    CHECK(comb_layout_store_open(dir, &st, &err) == COMB_OK);
    if (!st)
        return;
    comb_desc img;
    char *name = NULL;
    CHECK(st->ops->resolve(st, "v1", NULL, &img, &name, &err) == COMB_OK);
    CHECK_STR(img.digest, digest);
    CHECK_STR(name, "v1");
    free(name);
    CHECK(st->ops->resolve(st, "v2", NULL, &img, NULL, &err) == COMB_ENOTFOUND);
    CHECK(st->ops->resolve(st, NULL, NULL, &img, NULL, &err) == COMB_OK);
    CHECK(st->ops->resolve(st, NULL, "linux/amd64", &img, NULL, &err) == COMB_ENOTFOUND); /* no platform listed */
    CHECK(st->ops->resolve(st, NULL, NULL, &img, NULL, &err) == COMB_OK);

    comb_key *k1 = NULL, *k2 = NULL;
    CHECK(comb_key_generate(COMB_KEY_ECDSA_P256, 0, &k1, &err) == COMB_OK);
    CHECK(comb_key_generate(COMB_KEY_ED25519, 0, &k2, &err) == COMB_OK);
    comb_sign_opts o = { .reference = "registry.example.com/a/b", .bundle = 1 };
    comb_sign_result res;
    CHECK(comb_sign_image(st, &img, k1, &o, &res, &err) == COMB_OK);
    o.bundle = 0;
    CHECK(comb_sign_image(st, &img, k2, &o, &res, &err) == COMB_OK);
    /* after signing, the image is still the only one resolved without a tag */
    comb_desc again;
    CHECK(st->ops->resolve(st, NULL, NULL, &again, NULL, &err) == COMB_OK);
    CHECK_STR(again.digest, digest);
    comb_desc *refs = NULL;
    size_t n = 0;
    CHECK(st->ops->referrers(st, digest, COMB_MT_BUNDLE, &refs, &n, &err) == COMB_OK);
    CHECK_INT(n, 1);
    free(refs);
    CHECK(st->ops->referrers(st, digest, "application/other", &refs, &n, &err) == COMB_OK);
    CHECK_INT(n, 0);
    free(refs);

    comb_key *only1[] = { k1 }, *only2[] = { k2 };
    comb_verify_opts vo = { .keys = only1, .nkeys = 1, .repository = "registry.example.com/a/b" };
    comb_verify_result r;
    CHECK(comb_verify_image(st, &img, &vo, &r, &err) == COMB_OK);
    CHECK(r.verified && r.nsigs == 3);
    if (r.nsigs == 3) {
        CHECK(r.sigs[0].verified && r.sigs[0].key == k1); /* cosign layer 0 */
        CHECK(!r.sigs[1].verified);                       /* k2's signature */
        CHECK(r.sigs[2].verified && !strcmp(r.sigs[2].kind, "bundle"));
    }
    comb_verify_result_free(&r);
    vo.keys = only2;
    vo.repository = "registry.example.com/a/c";
    CHECK(comb_verify_image(st, &img, &vo, &r, &err) == COMB_OK);
    CHECK(!r.verified);
    CHECK(r.nsigs == 3 && strstr(r.sigs[1].problem, "signed for repository") != NULL);
    comb_verify_result_free(&r);
    vo.identity = COMB_IDENTITY_ANY;
    CHECK(comb_verify_image(st, &img, &vo, &r, &err) == COMB_OK);
    CHECK(r.verified);
    comb_verify_result_free(&r);
    comb_store_close(st);
    comb_key_free(k1);
    comb_key_free(k2);
}

static void test_layout_confined(void)
{
    char dir[256], digest[72], path[512];
    snprintf(dir, sizeof dir, "%s/escape", tmpdir);
    make_layout(dir, digest);
    /* a blob that is a symlink out of the layout is not read */
    snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, digest + 7);
    unlink(path);
    CHECK(symlink("/etc/passwd", path) == 0);
    comb_store *st = NULL;
    comb_err err;
    CHECK(comb_layout_store_open(dir, &st, &err) == COMB_OK);
    if (!st)
        return;
    unsigned char *data = NULL;
    size_t len;
    CHECK(st->ops->get_manifest(st, digest, &data, &len, NULL, &err) != COMB_OK);
    CHECK(strstr(err.msg, "leads out") != NULL);
    CHECK(st->ops->get_blob(st, "sha256:../../etc/passwd", 100, &data, &len, &err) == COMB_EFORMAT);
    comb_store_close(st);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(test_base64);
    RUN(test_refs);
    RUN(test_glob);
    RUN(test_payload);
    RUN(test_pae);
    RUN(test_keys_sign_verify);
    RUN(test_secretbox);
    RUN(test_bundle_roundtrip);
    RUN(test_policy);
    RUN(test_layout_sign_verify);
    RUN(test_layout_confined);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return test_summary();
}
