/* verify.c - every signature of an image, checked with the trusted keys.
 *
 * A signature passes when (1) it verifies cryptographically with one of
 * the trusted keys over exactly the bytes it covers, (2) what it signs
 * names this image's manifest digest, and (3) the signed repository is
 * the image's (unless the identity check is off). Claims are read only
 * from signed bytes. Each signature gets a report; one passing signature
 * verifies the image. Problems with one signature (missing blob, bad
 * base64) are reported on it; only store failures stop the verification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/trust.h"

static comb_sig_report *add_report(comb_verify_result *r, const char *kind, comb_err *err)
{
    if (r->nsigs >= COMB_MAX_SIGNATURES) {
        comb_fail(err, COMB_ELIMIT, "more than %d signatures", COMB_MAX_SIGNATURES);
        return NULL;
    }
    comb_sig_report *n = realloc(r->sigs, (r->nsigs + 1) * sizeof *n);
    if (!n) {
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    r->sigs = n;
    comb_sig_report *s = &n[r->nsigs++];
    memset(s, 0, sizeof *s);
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    return s;
}

/* The trusted key a signature verifies with, or NULL. */
static const comb_key *crypto_check(const comb_verify_opts *o, const unsigned char *msg, size_t len,
                                    const unsigned char *sig, size_t siglen)
{
    for (size_t i = 0; i < o->nkeys; i++)
        if (comb_key_verify(o->keys[i], msg, len, sig, siglen))
            return o->keys[i];
    return NULL;
}

static int identity_ok(const comb_verify_opts *o, const char *signed_ref, comb_sig_report *s)
{
    if (o->identity == COMB_IDENTITY_ANY || !o->repository)
        return 1;
    char repo[512];
    if (comb_ref_repository(signed_ref, repo, sizeof repo)) {
        snprintf(s->problem, sizeof s->problem, "signed docker-reference \"%.200s\" is not a valid reference",
                 signed_ref);
        return 0;
    }
    if (strcmp(repo, o->repository)) {
        snprintf(s->problem, sizeof s->problem, "signed for repository %.130s, not %.130s", repo,
                 o->repository);
        return 0;
    }
    return 1;
}

static void check_simple(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                         json_t *layer, comb_sig_report *s, comb_verify_result *r)
{
    const char *mt = json_string_value(json_object_get(layer, "mediaType"));
    const char *pd = json_string_value(json_object_get(layer, "digest"));
    json_t *ann = json_object_get(layer, "annotations");
    const char *s64 = json_string_value(json_object_get(ann, COMB_ANN_SIGNATURE));
    if (json_object_get(ann, "dev.sigstore.cosign/bundle") ||
        json_object_get(ann, "dev.sigstore.cosign/certificate"))
        r->unchecked_tlog = 1;
    if (!mt || strcmp(mt, COMB_MT_SIMPLESIGN)) {
        snprintf(s->problem, sizeof s->problem, "layer media type is not %s", COMB_MT_SIMPLESIGN);
        return;
    }
    size_t siglen;
    unsigned char *sig = s64 ? comb_b64_decode(s64, strlen(s64), &siglen) : NULL;
    if (!sig) {
        snprintf(s->problem, sizeof s->problem, "no base64 %s annotation", COMB_ANN_SIGNATURE);
        return;
    }
    unsigned char *payload = NULL;
    size_t plen;
    comb_err e;
    comb_err_clear(&e);
    if (st->ops->get_blob(st, pd, COMB_MAX_PAYLOAD, &payload, &plen, &e)) {
        snprintf(s->problem, sizeof s->problem, "payload: %.280s", e.msg);
        free(sig);
        return;
    }
    s->key = crypto_check(o, payload, plen, sig, siglen);
    comb_payload p;
    if (!s->key) {
        snprintf(s->problem, sizeof s->problem, "the signature does not verify with any trusted key");
    } else if (comb_simplesign_parse(payload, plen, &p, &e)) {
        snprintf(s->problem, sizeof s->problem, "%.290s", e.msg);
    } else {
        snprintf(s->reference, sizeof s->reference, "%s", p.docker_reference);
        if (strcmp(p.manifest_digest, image->digest))
            snprintf(s->problem, sizeof s->problem, "signed payload names %s, not this image",
                     p.manifest_digest);
        else if (identity_ok(o, p.docker_reference, s))
            s->verified = 1;
    }
    free(sig);
    free(payload);
}

static comb_code cosign_signatures(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                                   comb_verify_result *r, comb_err *err)
{
    char tag[96];
    snprintf(tag, sizeof tag, "sha256-%s.sig", image->digest + 7);
    unsigned char *data;
    size_t len;
    comb_code rc = st->ops->get_manifest(st, tag, &data, &len, NULL, err);
    if (rc == COMB_ENOTFOUND) {
        comb_err_clear(err);
        return COMB_OK;
    }
    if (rc)
        return rc;
    json_t *man = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    json_t *layers = json_object_get(man, "layers"), *l;
    size_t i;
    if (!json_is_array(layers)) {
        comb_sig_report *s = add_report(r, "cosign", err);
        if (s) {
            snprintf(s->where, sizeof s->where, "%.90s", tag);
            snprintf(s->problem, sizeof s->problem, "signature manifest has no layers");
        }
        json_decref(man);
        return s ? COMB_OK : err->code;
    }
    json_array_foreach(layers, i, l) {
        comb_sig_report *s = add_report(r, "cosign", err);
        if (!s) {
            json_decref(man);
            return err->code;
        }
        snprintf(s->where, sizeof s->where, "%.90s layer %zu", tag, i);
        check_simple(st, image, o, l, s, r);
        r->verified |= s->verified;
    }
    json_decref(man);
    return COMB_OK;
}

static void check_bundle(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                         const comb_desc *ref, comb_sig_report *s, comb_verify_result *r)
{
    comb_err e;
    comb_err_clear(&e);
    unsigned char *data = NULL, *img = NULL;
    size_t len, ilen;
    if (st->ops->get_manifest(st, ref->digest, &data, &len, NULL, &e)) {
        snprintf(s->problem, sizeof s->problem, "%.290s", e.msg);
        return;
    }
    json_t *man = json_loadb((const char *)data, len, 0, NULL), *l;
    free(data);
    data = NULL;
    const char *bd = NULL;
    size_t i;
    json_array_foreach(json_object_get(man, "layers"), i, l) {
        const char *mt = json_string_value(json_object_get(l, "mediaType"));
        if (mt && !strncmp(mt, "application/vnd.dev.sigstore.bundle", 35)) {
            bd = json_string_value(json_object_get(l, "digest"));
            break;
        }
    }
    comb_bundle b;
    memset(&b, 0, sizeof b);
    if (!bd) {
        snprintf(s->problem, sizeof s->problem, "no bundle layer");
    } else if (st->ops->get_blob(st, bd, COMB_MAX_BUNDLE, &data, &len, &e) ||
               comb_bundle_parse(data, len, &b, &e)) {
        snprintf(s->problem, sizeof s->problem, "%.290s", e.msg);
    } else {
        if (b.has_tlog || b.has_cert)
            r->unchecked_tlog = 1;
        const unsigned char *msg = b.signed_bytes;
        size_t mlen = b.signed_len;
        if (b.kind == COMB_BUNDLE_MESSAGE) {
            /* a message signature covers the artifact: the image manifest */
            if (st->ops->get_manifest(st, image->digest, &img, &ilen, NULL, &e))
                snprintf(s->problem, sizeof s->problem, "%.290s", e.msg);
            msg = img, mlen = ilen;
        }
        for (size_t k = 0; msg && k < b.nsigs && !s->key; k++)
            s->key = crypto_check(o, msg, mlen, b.sigs[k], b.siglens[k]);
        int names = 0;
        for (size_t k = 0; k < b.nsubjects; k++)
            names |= !strcmp(b.subjects[k], image->digest);
        if (s->problem[0])
            ;
        else if (!s->key)
            snprintf(s->problem, sizeof s->problem, "the signature does not verify with any trusted key");
        else if (!names)
            snprintf(s->problem, sizeof s->problem, "the signed statement's subject is not this image (%.80s)",
                     b.nsubjects ? b.subjects[0] : "none");
        else
            s->verified = 1; /* bundles carry no signed repository: identity not checked */
    }
    comb_bundle_free(&b);
    free(data);
    free(img);
    json_decref(man);
}

static comb_code bundle_signatures(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                                   comb_verify_result *r, comb_err *err)
{
    comb_desc *refs;
    size_t n;
    comb_code rc = st->ops->referrers(st, image->digest, COMB_MT_BUNDLE, &refs, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        comb_sig_report *s = add_report(r, "bundle", err);
        if (!s) {
            free(refs);
            return err->code;
        }
        snprintf(s->where, sizeof s->where, "referrer %s", refs[i].digest);
        check_bundle(st, image, o, &refs[i], s, r);
        r->verified |= s->verified;
    }
    free(refs);
    return COMB_OK;
}

comb_code comb_verify_image(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                            comb_verify_result *res, comb_err *err)
{
    memset(res, 0, sizeof *res);
    comb_code rc = cosign_signatures(st, image, o, res, err);
    if (rc == COMB_OK)
        rc = bundle_signatures(st, image, o, res, err);
    if (rc)
        comb_verify_result_free(res);
    return rc;
}

void comb_verify_result_free(comb_verify_result *r)
{
    free(r->sigs);
    memset(r, 0, sizeof *r);
}
