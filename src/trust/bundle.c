/* bundle.c - Sigstore bundles (v0.3, the JSON form of the protobuf-specs
 * Bundle message), key-based: a DSSE envelope of an in-toto statement
 * whose subject is the image manifest, or a message signature over the
 * manifest bytes. Transparency-log entries and certificates are noted,
 * not checked (offline). DSSE signatures cover the PAE encoding:
 *   "DSSEv1" SP len(type) SP type SP len(body) SP body
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "trust/trust.h"

#define MAX_STATEMENT (1u << 20)

unsigned char *comb_dsse_pae(const char *type, const unsigned char *body, size_t blen,
                             size_t *outlen)
{
    size_t tl = strlen(type);
    char head[160];
    if (tl > 100)
        return NULL;
    int hn = snprintf(head, sizeof head, "DSSEv1 %zu %s %zu ", tl, type, blen);
    unsigned char *out = malloc((size_t)hn + blen + 1);
    if (!out)
        return NULL;
    memcpy(out, head, (size_t)hn);
    memcpy(out + hn, body, blen);
    *outlen = (size_t)hn + blen;
    return out;
}

comb_code comb_bundle_make(const comb_key *k, const char *ref, const char *digest, char **json,
                           comb_err *err)
{
    json_t *st = json_pack("{s:s, s:[{s:s, s:{s:s}}], s:s, s:{}}", "_type",
                           "https://in-toto.io/Statement/v1", "subject", "name", ref, "digest",
                           "sha256", digest + 7, "predicateType", COMB_COSIGN_PREDICATE,
                           "predicate");
    char *body = st ? json_dumps(st, JSON_COMPACT) : NULL;
    json_decref(st);
    if (!body)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    size_t plen;
    unsigned char *pae = comb_dsse_pae(COMB_MT_INTOTO, (unsigned char *)body, strlen(body), &plen);
    unsigned char *sig = NULL;
    size_t siglen = 0;
    comb_code rc = pae ? comb_key_sign(k, pae, plen, &sig, &siglen, err)
                       : comb_fail(err, COMB_ENOMEM, "out of memory");
    free(pae);
    if (rc) {
        free(body);
        return rc;
    }
    char *b64body = comb_b64_encode(body, strlen(body)), *b64sig = comb_b64_encode(sig, siglen);
    free(body);
    free(sig);
    json_t *b = b64body && b64sig
                    ? json_pack("{s:s, s:{s:{s:s}, s:[]}, s:{s:s, s:s, s:[{s:s, s:s}]}}",
                                "mediaType", COMB_MT_BUNDLE, "verificationMaterial", "publicKey",
                                "hint", comb_key_id(k), "tlogEntries", "dsseEnvelope", "payload",
                                b64body, "payloadType", COMB_MT_INTOTO, "signatures", "sig", b64sig,
                                "keyid", "")
                    : NULL;
    free(b64body);
    free(b64sig);
    *json = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    return *json ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
}

void comb_bundle_free(comb_bundle *b)
{
    free(b->signed_bytes);
    for (size_t i = 0; i < b->nsigs; i++)
        free(b->sigs[i]);
    memset(b, 0, sizeof *b);
}

static int add_sig(comb_bundle *b, const char *s64)
{
    size_t n;
    unsigned char *sig;
    if (!s64 || b->nsigs >= 16 || !(sig = comb_b64_decode(s64, strlen(s64), &n)) )
        return -1;
    if (n == 0 || n > 4096) {
        free(sig);
        return -1;
    }
    b->sigs[b->nsigs] = sig;
    b->siglens[b->nsigs++] = n;
    return 0;
}

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* The in-toto statement's sha256 subjects. */
static comb_code statement_subjects(comb_bundle *b, const unsigned char *body, size_t len,
                                    comb_err *err)
{
    json_t *st = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
    const char *t = json_string_value(json_object_get(st, "_type"));
    json_t *subs = json_object_get(st, "subject");
    comb_code rc = COMB_OK;
    if (!json_is_object(st) || !t || (strcmp(t, "https://in-toto.io/Statement/v1") &&
                                      strcmp(t, "https://in-toto.io/Statement/v0.1")))
        rc = comb_fail(err, COMB_EFORMAT, "bundle: the DSSE payload is not an in-toto statement");
    else if (!json_is_array(subs) || json_array_size(subs) == 0)
        rc = comb_fail(err, COMB_EFORMAT, "bundle: the statement has no subject");
    size_t i;
    json_t *s;
    if (rc == COMB_OK)
        json_array_foreach(subs, i, s) {
            const char *h = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
            if (!h || b->nsubjects >= 16)
                continue;
            snprintf(b->subjects[b->nsubjects], 72, "sha256:%s", h);
            if (comb_digest_valid(b->subjects[b->nsubjects]))
                b->nsubjects++;
        }
    json_decref(st);
    return rc;
}

comb_code comb_bundle_parse(const unsigned char *data, size_t len, comb_bundle *out,
                            comb_err *err)
{
    memset(out, 0, sizeof *out);
    if (len > COMB_MAX_BUNDLE)
        return comb_fail(err, COMB_ELIMIT, "bundle larger than %u bytes", COMB_MAX_BUNDLE);
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "bundle: not a JSON object (%s)", je.text);
    }
    comb_code rc = COMB_OK;
    const char *mt = json_string_value(json_object_get(root, "mediaType"));
    json_t *vm = json_object_get(root, "verificationMaterial");
    json_t *dsse = json_object_get(root, "dsseEnvelope");
    json_t *msg = json_object_get(root, "messageSignature");
    if (!mt || strncmp(mt, "application/vnd.dev.sigstore.bundle", 35)) {
        rc = comb_fail(err, COMB_EFORMAT, "bundle: mediaType is not a Sigstore bundle type");
        goto done;
    }
    if (!json_is_object(vm)) {
        rc = comb_fail(err, COMB_EFORMAT, "bundle: no verificationMaterial");
        goto done;
    }
    json_t *tl = json_object_get(vm, "tlogEntries");
    out->has_tlog = json_is_array(tl) && json_array_size(tl) > 0;
    out->has_cert = json_object_get(vm, "certificate") || json_object_get(vm, "x509CertificateChain");
    if (json_is_object(dsse) == json_is_object(msg)) {
        rc = comb_fail(err, COMB_EFORMAT, "bundle: needs exactly one of dsseEnvelope and messageSignature");
        goto done;
    }
    if (json_is_object(dsse)) {
        out->kind = COMB_BUNDLE_DSSE;
        const char *p64 = json_string_value(json_object_get(dsse, "payload"));
        const char *pt = json_string_value(json_object_get(dsse, "payloadType"));
        json_t *sigs = json_object_get(dsse, "signatures");
        size_t blen;
        unsigned char *body = p64 ? comb_b64_decode(p64, strlen(p64), &blen) : NULL;
        if (!body || !pt || blen > MAX_STATEMENT) {
            free(body);
            rc = comb_fail(err, COMB_EFORMAT, "bundle: DSSE envelope without a base64 payload and payloadType");
            goto done;
        }
        if (strcmp(pt, COMB_MT_INTOTO)) {
            free(body);
            rc = comb_fail(err, COMB_EUNSUPPORTED, "bundle: DSSE payloadType \"%.100s\" is not in-toto", pt);
            goto done;
        }
        out->signed_bytes = comb_dsse_pae(pt, body, blen, &out->signed_len);
        rc = out->signed_bytes ? statement_subjects(out, body, blen, err)
                               : comb_fail(err, COMB_ENOMEM, "out of memory");
        free(body);
        if (rc)
            goto done;
        size_t i;
        json_t *s;
        if (!json_is_array(sigs) || json_array_size(sigs) == 0) {
            rc = comb_fail(err, COMB_EFORMAT, "bundle: DSSE envelope has no signatures");
            goto done;
        }
        json_array_foreach(sigs, i, s) {
            if (add_sig(out, json_string_value(json_object_get(s, "sig")))) {
                rc = comb_fail(err, COMB_EFORMAT, "bundle: DSSE signatures[%zu] is not base64 (or more than 16)", i);
                goto done;
            }
        }
    } else {
        out->kind = COMB_BUNDLE_MESSAGE;
        json_t *md = json_object_get(msg, "messageDigest");
        const char *alg = json_string_value(json_object_get(md, "algorithm"));
        const char *d64 = json_string_value(json_object_get(md, "digest"));
        size_t dl;
        unsigned char *d = d64 ? comb_b64_decode(d64, strlen(d64), &dl) : NULL;
        if (!alg || strcmp(alg, "SHA2_256") || !d || dl != 32) {
            free(d);
            rc = comb_fail(err, COMB_EFORMAT, "bundle: messageDigest is not a SHA2_256 digest");
            goto done;
        }
        memcpy(out->subjects[0], "sha256:", 7);
        hex(d, 32, out->subjects[0] + 7);
        out->nsubjects = 1;
        free(d);
        if (add_sig(out, json_string_value(json_object_get(msg, "signature")))) {
            rc = comb_fail(err, COMB_EFORMAT, "bundle: messageSignature.signature is not base64");
            goto done;
        }
    }
done:
    json_decref(root);
    if (rc)
        comb_bundle_free(out);
    return rc;
}
