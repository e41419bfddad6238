/* trust.h - image signing and verification, compatible with cosign's
 * key-based formats, and the trust policy (docs/TRUST.md).
 *
 *  - keys.c: key pairs (ECDSA P-256, Ed25519, RSA-3072), encrypted PKCS#8
 *    private keys (scrypt + AES-256-CBC), SubjectPublicKeyInfo public keys,
 *    signing and verifying bytes the way cosign does.
 *  - simplesign.c: the "cosign container image signature" payload and the
 *    sha256-<hex>.sig signature manifest.
 *  - bundle.c: Sigstore bundles v0.3 (message signature or DSSE envelope of
 *    an in-toto statement) attached as OCI referrers.
 *  - policy.c: which keys are trusted for which repositories.
 *  - sign.c, verify.c: signing an image in an artifact store, finding and
 *    checking every signature of an image.
 * Transparency logs (Rekor), Fulcio certificates and timestamps are not
 * checked: verification is offline and key-based.
 */
#ifndef COMB_TRUST_TRUST_H
#define COMB_TRUST_TRUST_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"
#include "image/store.h"

/* ---- keys */
typedef enum comb_key_type {
    COMB_KEY_ECDSA_P256,
    COMB_KEY_ED25519,
    COMB_KEY_RSA,
} comb_key_type;

typedef struct comb_key comb_key;

#define COMB_MAX_KEY_FILE (64u << 10)
#define COMB_MIN_RSA_BITS 2048

/* "ecdsa-p256", "ed25519", "rsa-3072" -> type (and RSA bits); -1 if unknown. */
int comb_key_type_parse(const char *name, comb_key_type *type, int *bits);
comb_code comb_key_generate(comb_key_type type, int bits, comb_key **out, comb_err *err);
/* PEM "ENCRYPTED PRIVATE KEY" (PKCS#8, PBES2: scrypt N=2^14 r=8 p=1,
 * AES-256-CBC); written with mode 0600, atomically, never over a file. */
comb_code comb_key_write_private(const comb_key *k, const char *path, const char *pass,
                                 size_t passlen, comb_err *err);
/* PEM "PUBLIC KEY" (SubjectPublicKeyInfo), as cosign.pub. */
comb_code comb_key_write_public(const comb_key *k, const char *path, comb_err *err);
comb_code comb_key_public_pem(const comb_key *k, char **pem, comb_err *err);
/* A private key file: encrypted PKCS#8 (comb, openssl), unencrypted PEM
 * private keys, or cosign's "ENCRYPTED SIGSTORE PRIVATE KEY". */
comb_code comb_key_load_private(const char *path, const char *pass, size_t passlen,
                                comb_key **out, comb_err *err);
/* Public key PEM bytes (a PUBLIC KEY block); label names it in messages. */
comb_code comb_key_parse_public(const unsigned char *pem, size_t len, const char *label,
                                comb_key **out, comb_err *err);
comb_code comb_key_load_public(const char *path, comb_key **out, comb_err *err);
void comb_key_free(comb_key *k);

/* cosign's encrypted key (scrypt + NaCl secretbox, cosignkey.c): the PKCS#8
 * DER inside, malloc'd; the caller cleanses and frees it. */
comb_code comb_cosign_key_decrypt(const unsigned char *pem, size_t len, const char *pass,
                                  size_t passlen, const char *label, unsigned char **der,
                                  size_t *derlen, comb_err *err);
/* NaCl crypto_secretbox_open (XSalsa20-Poly1305; box = 16-byte tag, then
 * ciphertext): 0 and boxlen - 16 bytes in out, or -1 if it does not
 * authenticate. */
int comb_secretbox_open(const unsigned char key[32], const unsigned char nonce[24],
                        const unsigned char *box, size_t boxlen, unsigned char *out);

const char *comb_key_label(const comb_key *k);   /* file name or label */
const char *comb_key_id(const comb_key *k);      /* "sha256:<hex>" of the SPKI DER */
const char *comb_key_type_name(const comb_key *k);
/* ECDSA: SHA-256 + ASN.1 DER; Ed25519: pure; RSA: PKCS#1 v1.5 SHA-256. */
comb_code comb_key_sign(const comb_key *k, const void *msg, size_t len, unsigned char **sig,
                        size_t *siglen, comb_err *err);
/* 1 if sig is a valid signature of msg (RSA: PKCS#1 v1.5 or PSS). */
int comb_key_verify(const comb_key *k, const void *msg, size_t len, const unsigned char *sig,
                    size_t siglen);

/* ---- base64 (standard alphabet, padded) */
char *comb_b64_encode(const void *data, size_t len);
/* NULL if not valid base64; *outlen bytes, malloc'd (NUL-terminated). */
unsigned char *comb_b64_decode(const char *s, size_t slen, size_t *outlen);

/* ---- references: "[registry/]path[:tag][@digest]" */
/* The repository, normalised as cosign writes it: docker.io for no
 * registry (index.docker.io too), library/ for one-component Docker Hub
 * names; lowercase registry. 0 ok, -1 if not a valid reference. */
int comb_ref_repository(const char *ref, char *out, size_t outsize);

/* ---- cosign simple signing */
#define COMB_SIMPLESIGN_TYPE "cosign container image signature"
#define COMB_MT_SIMPLESIGN "application/vnd.dev.cosign.simplesigning.v1+json"
#define COMB_ANN_SIGNATURE "dev.cosignproject.cosign/signature"
#define COMB_MAX_PAYLOAD (1u << 20)
#define COMB_MAX_SIGNATURES 1000

/* The payload for manifest `digest` and repository `ref`; optional: a JSON
 * object or NULL. malloc'd, compact, keys sorted. */
char *comb_simplesign_payload(const char *ref, const char *digest, json_t *optional);
typedef struct comb_payload {
    char docker_reference[512];
    char manifest_digest[72];
} comb_payload;
/* Parse and check a payload (untrusted). */
comb_code comb_simplesign_parse(const unsigned char *data, size_t len, comb_payload *out,
                                comb_err *err);

/* ---- Sigstore bundles */
#define COMB_MT_BUNDLE "application/vnd.dev.sigstore.bundle.v0.3+json"
#define COMB_MT_INTOTO "application/vnd.in-toto+json"
#define COMB_COSIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define COMB_MAX_BUNDLE (4u << 20)

/* DSSE pre-authentication encoding; malloc'd. */
unsigned char *comb_dsse_pae(const char *type, const unsigned char *body, size_t blen,
                             size_t *outlen);
/* A bundle with a DSSE envelope of an in-toto statement about `digest`
 * (predicate https://sigstore.dev/cosign/sign/v1), signed by k. */
comb_code comb_bundle_make(const comb_key *k, const char *ref, const char *digest, char **json,
                           comb_err *err);

typedef enum comb_bundle_kind { COMB_BUNDLE_MESSAGE, COMB_BUNDLE_DSSE } comb_bundle_kind;
typedef struct comb_bundle {
    comb_bundle_kind kind;
    unsigned char *signed_bytes; /* what the signature covers (PAE for DSSE) */
    size_t signed_len;
    unsigned char *sigs[16];
    size_t siglens[16];
    size_t nsigs;
    char subjects[16][72];       /* statement subjects' or the message's digest ("sha256:...") */
    size_t nsubjects;
    int has_tlog, has_cert;      /* material comb does not check offline */
} comb_bundle;
/* Parse a bundle (untrusted). For a message signature the signed bytes are
 * the artifact itself, which the caller supplies (the image manifest). */
comb_code comb_bundle_parse(const unsigned char *data, size_t len, comb_bundle *out,
                            comb_err *err);
void comb_bundle_free(comb_bundle *b);

/* ---- trust policy (docs/TRUST.md) */
typedef enum comb_policy_type {
    COMB_POLICY_REJECT,
    COMB_POLICY_ACCEPT,  /* insecureAcceptAnything */
    COMB_POLICY_SIGNED,  /* signedBy */
} comb_policy_type;
typedef enum comb_identity_mode {
    COMB_IDENTITY_REPOSITORY, /* matchRepository: payload reference = the image's repository */
    COMB_IDENTITY_ANY,
} comb_identity_mode;

#define COMB_POLICY_MAX_RULES 1000
#define COMB_POLICY_MAX_KEYS 64
#define COMB_POLICY_MAX_SIZE (1u << 20)

typedef struct comb_policy_rule {
    char *match;               /* glob; NULL for the default */
    comb_policy_type type;
    comb_identity_mode identity;
    char **keys;               /* paths, relative to the policy file's directory */
    size_t nkeys;
} comb_policy_rule;

typedef struct comb_policy {
    comb_policy_rule deflt;
    comb_policy_rule *rules;
    size_t nrules;
} comb_policy;

/* JSON or YAML (yaml != 0); name labels messages. Untrusted input. */
comb_code comb_policy_parse(const void *data, size_t len, int yaml, const char *name,
                            comb_policy **out, comb_err *err);
void comb_policy_free(comb_policy *p);
/* The rule for a repository: the most specific matching pattern (literal
 * patterns first, then the most literal characters; ties: the first). */
const comb_policy_rule *comb_policy_select(const comb_policy *p, const char *repository);
/* Read and parse the policy file at path (YAML when named .yaml/.yml or
 * not starting with '{'). */
comb_code comb_policy_load(const char *path, comb_policy **p, comb_err *err);
/* Load a rule's public keys (paths relative to the policy file's
 * directory) into keys[*n...], which has room for COMB_POLICY_MAX_KEYS. */
comb_code comb_policy_rule_keys(const comb_policy_rule *r, const char *policy_path,
                                comb_key **keys, size_t *n, comb_err *err);
/* "*" one path component's characters, "**" anything, "?" one character. */
int comb_ref_glob_match(const char *pattern, const char *s);

/* ---- signing */
typedef struct comb_sign_opts {
    const char *reference;   /* repository written as docker-reference */
    json_t *annotations;     /* optional (object) or NULL */
    int bundle;              /* also (or instead: bundle_only) attach a bundle referrer */
    int bundle_only;
} comb_sign_opts;
typedef struct comb_sign_result {
    char sig_manifest[72];   /* the .sig manifest (when written) */
    char bundle_manifest[72];
    char sig_tag[96];
} comb_sign_result;
comb_code comb_sign_image(comb_store *st, const comb_desc *image, const comb_key *k,
                          const comb_sign_opts *o, comb_sign_result *res, comb_err *err);

/* ---- verification */
typedef struct comb_sig_report {
    char kind[32];          /* "cosign", "bundle" */
    char where[200];        /* sha256-<hex>.sig layer N / referrer sha256:... */
    int verified;           /* all checks passed with a trusted key */
    const comb_key *key;    /* the key that verified it */
    char reference[512];    /* the payload's docker-reference ("" for bundles without) */
    char problem[300];      /* why not */
} comb_sig_report;

typedef struct comb_verify_opts {
    comb_key *const *keys;
    size_t nkeys;
    const char *repository;   /* the image's repository; NULL: not checked */
    comb_identity_mode identity;
} comb_verify_opts;

typedef struct comb_verify_result {
    comb_sig_report *sigs;
    size_t nsigs;
    int verified;             /* some signature passed */
    int unchecked_tlog;       /* a signature carried Rekor/Fulcio material, not checked */
} comb_verify_result;

comb_code comb_verify_image(comb_store *st, const comb_desc *image, const comb_verify_opts *o,
                            comb_verify_result *res, comb_err *err);
void comb_verify_result_free(comb_verify_result *r);

#endif
