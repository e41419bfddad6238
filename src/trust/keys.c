/* keys.c - key pairs for signing: generation, encrypted PKCS#8 private
 * keys, SubjectPublicKeyInfo public keys, signatures as cosign makes them.
 * Private key material lives only in OpenSSL's EVP_PKEY and in buffers
 * that are cleansed before they are freed. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/readfile.h"
#include "trust/trust.h"

struct comb_key {
    EVP_PKEY *pkey;
    comb_key_type type;
    char *label;
    char id[72];
    char type_name[32];
};

int comb_key_type_parse(const char *name, comb_key_type *type, int *bits)
{
    *bits = 0;
    if (!strcmp(name, "ecdsa-p256") || !strcmp(name, "ecdsa"))
        *type = COMB_KEY_ECDSA_P256;
    else if (!strcmp(name, "ed25519"))
        *type = COMB_KEY_ED25519;
    else if (!strcmp(name, "rsa-3072") || !strcmp(name, "rsa"))
        *type = COMB_KEY_RSA, *bits = 3072;
    else if (!strcmp(name, "rsa-4096"))
        *type = COMB_KEY_RSA, *bits = 4096;
    else
        return -1;
    return 0;
}

/* Wrap an EVP_PKEY (taken over): type, id from the public key's DER. */
static comb_code wrap(EVP_PKEY *pkey, const char *label, comb_key **out, comb_err *err)
{
    comb_key *k = calloc(1, sizeof *k);
    if (!k || !(k->label = strdup(label ? label : "key"))) {
        free(k);
        EVP_PKEY_free(pkey);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    k->pkey = pkey;
    int id = EVP_PKEY_get_base_id(pkey);
    if (id == EVP_PKEY_ED25519) {
        k->type = COMB_KEY_ED25519;
        snprintf(k->type_name, sizeof k->type_name, "ed25519");
    } else if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
        k->type = COMB_KEY_RSA;
        snprintf(k->type_name, sizeof k->type_name, "rsa-%d", EVP_PKEY_get_bits(pkey));
        if (EVP_PKEY_get_bits(pkey) < COMB_MIN_RSA_BITS) {
            comb_key_free(k);
            return comb_fail(err, COMB_EUNSUPPORTED, "%s: RSA keys under %d bits are refused",
                             label, COMB_MIN_RSA_BITS);
        }
    } else if (id == EVP_PKEY_EC) {
        char group[64] = "";
        size_t gl = 0;
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &gl);
        if (strcmp(group, "prime256v1") && strcmp(group, "P-256")) {
            comb_key_free(k);
            return comb_fail(err, COMB_EUNSUPPORTED,
                             "%s: ECDSA curve %s is not supported (P-256 only)", label,
                             group[0] ? group : "?");
        }
        k->type = COMB_KEY_ECDSA_P256;
        snprintf(k->type_name, sizeof k->type_name, "ecdsa-p256");
    } else {
        comb_key_free(k);
        return comb_fail(err, COMB_EUNSUPPORTED, "%s: unsupported key type", label);
    }
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(pkey, &der);
    if (n <= 0 || comb_sha256_buf(der, (size_t)n, k->id)) {
        OPENSSL_free(der);
        comb_key_free(k);
        return comb_fail(err, COMB_EFORMAT, "%s: cannot encode the public key", label);
    }
    OPENSSL_free(der);
    *out = k;
    return COMB_OK;
}

comb_code comb_key_generate(comb_key_type type, int bits, comb_key **out, comb_err *err)
{
    EVP_PKEY *pkey = NULL;
    switch (type) {
    case COMB_KEY_ECDSA_P256: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
    case COMB_KEY_ED25519: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
    case COMB_KEY_RSA:
        if (bits < COMB_MIN_RSA_BITS || bits > 8192)
            return comb_fail(err, COMB_EINVAL, "RSA key size %d not in %d..8192", bits,
                             COMB_MIN_RSA_BITS);
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
        break;
    }
    if (!pkey)
        return comb_fail(err, COMB_EIO, "key generation failed (OpenSSL)");
    return wrap(pkey, "new key", out, err);
}

void comb_key_free(comb_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey); /* OpenSSL clears private key material it frees */
    free(k->label);
    free(k);
}

const char *comb_key_label(const comb_key *k) { return k->label; }
const char *comb_key_id(const comb_key *k) { return k->id; }
const char *comb_key_type_name(const comb_key *k) { return k->type_name; }

/* Write a whole buffer to a new file (never over an existing one). */
static comb_code write_new(const char *path, const void *data, size_t len, mode_t mode,
                           comb_err *err)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return comb_fail(err, COMB_EINVAL, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", tmp, strerror(errno));
    int e = comb_write_fd_sync(fd, data, len), ok = e == 0;
    /* link(2) fails if path exists: an existing key is never replaced */
    if (ok && link(tmp, path))
        ok = 0, e = errno;
    unlink(tmp);
    if (!ok)
        return comb_fail(err, e == EEXIST ? COMB_EINVAL : COMB_EIO, "%s: %s", path,
                         e == EEXIST ? "exists; not overwritten" : strerror(e));
    return COMB_OK;
}

/* The contents of a memory BIO as a buffer (the caller cleanses it). */
static comb_code bio_take(BIO *b, char **out, size_t *len, comb_err *err)
{
    char *p;
    long n = BIO_get_mem_data(b, &p);
    if (n <= 0)
        return comb_fail(err, COMB_EIO, "PEM encoding failed");
    *out = malloc((size_t)n + 1);
    if (!*out)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    memcpy(*out, p, (size_t)n);
    (*out)[n] = '\0';
    *len = (size_t)n;
    return COMB_OK;
}

comb_code comb_key_write_private(const comb_key *k, const char *path, const char *pass,
                                 size_t passlen, comb_err *err)
{
    if (!pass || passlen == 0)
        return comb_fail(err, COMB_EINVAL, "%s: a private key needs a non-empty password", path);
    comb_code rc = COMB_OK;
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    X509_ALGOR *alg = p8 ? PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL,
                                                  1 << 14, 8, 1) : NULL;
    X509_SIG *enc = alg ? PKCS8_set0_pbe(pass, (int)passlen, p8, alg) : NULL;
    BIO *b = enc ? BIO_new(BIO_s_secmem()) : NULL;
    if (!b || !PEM_write_bio_PKCS8(b, enc)) {
        rc = comb_fail(err, COMB_EIO, "%s: encrypting the private key failed (OpenSSL)", path);
    } else {
        char *pem;
        size_t len;
        rc = bio_take(b, &pem, &len, err);
        if (rc == COMB_OK) {
            rc = write_new(path, pem, len, 0600, err);
            OPENSSL_cleanse(pem, len);
            free(pem);
        }
    }
    BIO_free(b);
    if (enc)
        X509_SIG_free(enc); /* owns alg */
    else
        X509_ALGOR_free(alg);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return rc;
}

comb_code comb_key_public_pem(const comb_key *k, char **pem, comb_err *err)
{
    BIO *b = BIO_new(BIO_s_mem());
    comb_code rc;
    size_t len;
    if (!b || !PEM_write_bio_PUBKEY(b, k->pkey))
        rc = comb_fail(err, COMB_EIO, "encoding the public key failed (OpenSSL)");
    else
        rc = bio_take(b, pem, &len, err);
    BIO_free(b);
    return rc;
}

comb_code comb_key_write_public(const comb_key *k, const char *path, comb_err *err)
{
    char *pem;
    comb_code rc = comb_key_public_pem(k, &pem, err);
    if (rc)
        return rc;
    rc = write_new(path, pem, strlen(pem), 0644, err);
    free(pem);
    return rc;
}

static comb_code read_file(const char *path, unsigned char **out, size_t *len, comb_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return comb_fail(err, errno == ENOENT ? COMB_ENOTFOUND : COMB_EIO, "%s: %s", path,
                         strerror(errno));
    return comb_read_fd(fd, COMB_MAX_KEY_FILE, path, out, len, err);
}

typedef struct pass_ud {
    const char *pass;
    size_t len;
    int asked;
} pass_ud;

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    pass_ud *p = u;
    p->asked = 1;
    if (!p->pass || p->len == 0 || p->len > (size_t)size)
        return -1;
    memcpy(buf, p->pass, p->len);
    return (int)p->len;
}

comb_code comb_key_load_private(const char *path, const char *pass, size_t passlen,
                                comb_key **out, comb_err *err)
{
    unsigned char *data;
    size_t len;
    comb_code rc = read_file(path, &data, &len, err);
    if (rc)
        return rc;
    EVP_PKEY *pkey = NULL;
    pass_ud ud = { pass, passlen, 0 };
    if (memmem(data, len, "SIGSTORE PRIVATE KEY", 20) || memmem(data, len, "COSIGN PRIVATE KEY", 18)) {
        unsigned char *der = NULL;
        size_t dl = 0;
        rc = comb_cosign_key_decrypt(data, len, pass, passlen, path, &der, &dl, err);
        OPENSSL_cleanse(data, len);
        free(data);
        if (rc)
            return rc;
        const unsigned char *p = der;
        PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)dl);
        pkey = p8 ? EVP_PKCS82PKEY(p8) : NULL;
        PKCS8_PRIV_KEY_INFO_free(p8);
        OPENSSL_cleanse(der, dl);
        free(der);
        if (!pkey)
            return comb_fail(err, COMB_EFORMAT, "%s: the decrypted cosign key is not PKCS#8", path);
        return wrap(pkey, path, out, err);
    }
    BIO *b = BIO_new_mem_buf(data, (int)len);
    pkey = b ? PEM_read_bio_PrivateKey(b, NULL, pass_cb, &ud) : NULL;
    BIO_free(b);
    OPENSSL_cleanse(data, len);
    free(data);
    if (!pkey)
        return comb_fail(err, COMB_EFORMAT, "%s: %s", path,
                         ud.asked ? "cannot decrypt the private key (wrong password?)"
                                  : "not a PEM private key");
    return wrap(pkey, path, out, err);
}

comb_code comb_key_parse_public(const unsigned char *pem, size_t len, const char *label,
                                comb_key **out, comb_err *err)
{
    if (len > COMB_MAX_KEY_FILE)
        return comb_fail(err, COMB_ELIMIT, "%s: key larger than %u bytes", label, COMB_MAX_KEY_FILE);
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!pkey)
        return comb_fail(err, COMB_EFORMAT, "%s: not a PEM public key (\"PUBLIC KEY\" block)", label);
    return wrap(pkey, label, out, err);
}

comb_code comb_key_load_public(const char *path, comb_key **out, comb_err *err)
{
    unsigned char *data;
    size_t len;
    comb_code rc = read_file(path, &data, &len, err);
    if (rc)
        return rc;
    rc = comb_key_parse_public(data, len, path, out, err);
    free(data);
    return rc;
}

comb_code comb_key_sign(const comb_key *k, const void *msg, size_t len, unsigned char **sig,
                        size_t *siglen, comb_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *md = k->type == COMB_KEY_ED25519 ? NULL : "SHA256";
    size_t n = 0;
    unsigned char *out = NULL;
    int ok = ctx && EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, k->pkey, NULL) == 1 &&
             EVP_DigestSign(ctx, NULL, &n, msg, len) == 1 && (out = malloc(n ? n : 1)) &&
             EVP_DigestSign(ctx, out, &n, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        free(out);
        return comb_fail(err, COMB_EIO, "%s: signing failed (OpenSSL)", k->label);
    }
    *sig = out;
    *siglen = n;
    return COMB_OK;
}

static int verify_with(const comb_key *k, int pss, const void *msg, size_t len,
                       const unsigned char *sig, size_t siglen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    const char *md = k->type == COMB_KEY_ED25519 ? NULL : "SHA256";
    int ok = ctx && EVP_DigestVerifyInit_ex(ctx, &pctx, md, NULL, NULL, k->pkey, NULL) == 1;
    if (ok && pss)
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) > 0;
    ok = ok && EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int comb_key_verify(const comb_key *k, const void *msg, size_t len, const unsigned char *sig,
                    size_t siglen)
{
    if (!sig || siglen == 0 || siglen > 4096)
        return 0;
    if (verify_with(k, 0, msg, len, sig, siglen))
        return 1;
    return k->type == COMB_KEY_RSA && verify_with(k, 1, msg, len, sig, siglen);
}

char *comb_b64_encode(const void *data, size_t len)
{
    if (len > (1u << 30))
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

unsigned char *comb_b64_decode(const char *s, size_t slen, size_t *outlen)
{
    if (slen % 4 || slen > (1u << 30))
        return NULL;
    for (size_t i = 0; i < slen; i++) {
        char c = s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/' || (c == '=' && i >= slen - 2 && (i == slen - 1 || s[slen - 1] == '='));
        if (!ok)
            return NULL;
    }
    unsigned char *out = malloc(slen / 4 * 3 + 1);
    if (!out)
        return NULL;
    int n = slen ? EVP_DecodeBlock(out, (const unsigned char *)s, (int)slen) : 0;
    if (n < 0) {
        free(out);
        return NULL;
    }
    size_t pad = slen >= 1 && s[slen - 1] == '=' ? (slen >= 2 && s[slen - 2] == '=' ? 2 : 1) : 0;
    *outlen = (size_t)n - pad;
    out[*outlen] = '\0';
    return out;
}
