/* sign.c - signing an image in an artifact store, the way cosign stores
 * key-based signatures:
 *  - the simple-signing payload as a layer (application/vnd.dev.cosign.
 *    simplesigning.v1+json) of the manifest tagged sha256-<hex>.sig, its
 *    signature base64 in the layer's dev.cosignproject.cosign/signature
 *    annotation; signing again adds a layer, as cosign does;
 *  - optionally a Sigstore bundle (DSSE, in-toto statement) in a manifest
 *    whose subject is the image, found through the referrers API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "trust/trust.h"

static json_t *descriptor(const char *mt, const char *digest, size_t size)
{
    return json_pack("{s:s, s:I, s:s}", "mediaType", mt, "size", (json_int_t)size, "digest", digest);
}

/* Put a JSON document as a blob; its descriptor. */
static comb_code put_json(comb_store *st, json_t *doc, const char *mt, json_t **desc, comb_err *err)
{
    char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    char digest[72];
    comb_code rc = st->ops->put_blob(st, s, strlen(s), digest, err);
    if (rc == COMB_OK && !(*desc = descriptor(mt, digest, strlen(s))))
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    free(s);
    return rc;
}

static comb_code put_manifest(comb_store *st, json_t *man, const char *tag, char digest[72],
                              comb_err *err)
{
    char *s = man ? json_dumps(man, JSON_COMPACT) : NULL;
    if (!s)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_code rc = st->ops->put_manifest(st, s, strlen(s), COMB_MT_OCI_MANIFEST, tag, digest, err);
    free(s);
    return rc;
}

/* The layers of the existing .sig manifest (a new array when none). */
static comb_code existing_layers(comb_store *st, const char *tag, json_t **layers, comb_err *err)
{
    unsigned char *data;
    size_t len;
    comb_code rc = st->ops->get_manifest(st, tag, &data, &len, NULL, err);
    if (rc == COMB_ENOTFOUND) {
        comb_err_clear(err);
        *layers = json_array();
        return *layers ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    if (rc)
        return rc;
    json_t *man = json_loadb((const char *)data, len, 0, NULL);
    free(data);
    json_t *l = json_object_get(man, "layers");
    if (!json_is_array(l) || json_array_size(l) >= COMB_MAX_SIGNATURES) {
        json_decref(man);
        return comb_fail(err, COMB_EFORMAT, "signature manifest %s: no layers array, or %d signatures already",
                         tag, COMB_MAX_SIGNATURES);
    }
    *layers = json_incref(l);
    json_decref(man);
    return COMB_OK;
}

static comb_code sign_simple(comb_store *st, const comb_desc *image, const comb_key *k,
                             const comb_sign_opts *o, comb_sign_result *res, comb_err *err)
{
    char *payload = comb_simplesign_payload(o->reference, image->digest, o->annotations);
    if (!payload)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    unsigned char *sig = NULL;
    size_t siglen;
    json_t *layers = NULL, *pdesc = NULL, *cfg = NULL, *cdesc = NULL, *man = NULL;
    char *sig64 = NULL, pdigest[72];
    int locked = 0;
    comb_code rc = comb_key_sign(k, payload, strlen(payload), &sig, &siglen, err);
    if (rc)
        goto out;
    if (!(sig64 = comb_b64_encode(sig, siglen))) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(res->sig_tag, sizeof res->sig_tag, "sha256-%s.sig", image->digest + 7);
    /* read, add a layer, put back: no other signer in between */
    if ((rc = st->ops->lock(st, err)))
        goto out;
    locked = 1;
    if ((rc = existing_layers(st, res->sig_tag, &layers, err)))
        goto out;
    if ((rc = st->ops->put_blob(st, payload, strlen(payload), pdigest, err)))
        goto out;
    pdesc = descriptor(COMB_MT_SIMPLESIGN, pdigest, strlen(payload));
    if (!pdesc || json_object_set_new(pdesc, "annotations", json_pack("{s:s}", COMB_ANN_SIGNATURE, sig64)) ||
        json_array_append(layers, pdesc)) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    /* the config cosign writes: no platform, one diff_id per payload */
    json_t *ids = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(layers, i, l)
        json_array_append(ids, json_object_get(l, "digest"));
    cfg = json_pack("{s:s, s:s, s:[{s:s}], s:s, s:{s:s, s:o}, s:{}}", "architecture", "", "created",
                    "0001-01-01T00:00:00Z", "history", "created", "0001-01-01T00:00:00Z", "os", "",
                    "rootfs", "type", "layers", "diff_ids", ids, "config");
    if ((rc = put_json(st, cfg, "application/vnd.oci.image.config.v1+json", &cdesc, err)))
        goto out;
    man = json_pack("{s:i, s:s, s:O, s:O}", "schemaVersion", 2, "mediaType", COMB_MT_OCI_MANIFEST,
                    "config", cdesc, "layers", layers);
    rc = put_manifest(st, man, res->sig_tag, res->sig_manifest, err);
out:
    if (locked)
        st->ops->unlock(st);
    free(payload);
    free(sig);
    free(sig64);
    json_decref(layers);
    json_decref(pdesc);
    json_decref(cfg);
    json_decref(cdesc);
    json_decref(man);
    return rc;
}

static comb_code sign_bundle(comb_store *st, const comb_desc *image, const comb_key *k,
                             const comb_sign_opts *o, comb_sign_result *res, comb_err *err)
{
    char *bundle;
    comb_code rc = comb_bundle_make(k, o->reference, image->digest, &bundle, err);
    if (rc)
        return rc;
    char bdigest[72], edigest[72];
    json_t *man = NULL;
    if ((rc = st->ops->put_blob(st, bundle, strlen(bundle), bdigest, err)) ||
        (rc = st->ops->put_blob(st, "{}", 2, edigest, err)))
        goto out;
    man = json_pack("{s:i, s:s, s:s, s:o, s:[o], s:o, s:{s:s, s:s}}", "schemaVersion", 2,
                    "mediaType", COMB_MT_OCI_MANIFEST, "artifactType", COMB_MT_BUNDLE, "config",
                    descriptor(COMB_MT_OCI_EMPTY, edigest, 2), "layers",
                    descriptor(COMB_MT_BUNDLE, bdigest, strlen(bundle)), "subject",
                    descriptor(image->media_type[0] ? image->media_type : COMB_MT_OCI_MANIFEST,
                               image->digest, image->size),
                    "annotations", "dev.sigstore.bundle.content", "dsse-envelope",
                    "dev.sigstore.bundle.predicateType", COMB_COSIGN_PREDICATE);
    rc = put_manifest(st, man, NULL, res->bundle_manifest, err);
out:
    free(bundle);
    json_decref(man);
    return rc;
}

comb_code comb_sign_image(comb_store *st, const comb_desc *image, const comb_key *k,
                          const comb_sign_opts *o, comb_sign_result *res, comb_err *err)
{
    memset(res, 0, sizeof *res);
    if (!comb_digest_valid(image->digest))
        return comb_fail(err, COMB_EINVAL, "sign: the image digest is not a sha256 digest");
    if (!o->reference || !*o->reference)
        return comb_fail(err, COMB_EINVAL, "sign: no repository to name in the signature");
    comb_code rc = COMB_OK;
    if (!o->bundle_only)
        rc = sign_simple(st, image, k, o, res, err);
    if (rc == COMB_OK && (o->bundle || o->bundle_only))
        rc = sign_bundle(st, image, k, o, res, err);
    return rc;
}
