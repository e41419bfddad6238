/* cosignkey.c - reading cosign's encrypted private keys.
 *
 * `cosign generate-key-pair` writes a PEM block "ENCRYPTED SIGSTORE PRIVATE
 * KEY" (formerly "ENCRYPTED COSIGN PRIVATE KEY") whose body is JSON:
 *   {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
 *    "cipher":{"name":"nacl/secretbox","nonce":B64(24 bytes)},
 *    "ciphertext":B64}
 * The key is scrypt(password, salt), 32 bytes; the ciphertext is a NaCl
 * secretbox (XSalsa20-Poly1305: 16-byte tag, then the encrypted PKCS#8 DER
 * private key). OpenSSL supplies scrypt and Poly1305 but no XSalsa20, so the
 * Salsa20 core (D. J. Bernstein's specification) is written out here; it is
 * used only to decrypt a key file. Derived keys and plaintext are cleansed.
 */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/trust.h"

#define MAX_SCRYPT_MEM (256ULL << 20)

static uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void quarter(uint32_t *x, int a, int b, int c, int d)
{
    x[b] ^= rotl(x[a] + x[d], 7);
    x[c] ^= rotl(x[b] + x[a], 9);
    x[d] ^= rotl(x[c] + x[b], 13);
    x[a] ^= rotl(x[d] + x[c], 18);
}

/* 20 rounds: 10 times a column round and a row round. */
static void salsa20_rounds(uint32_t x[16])
{
    for (int i = 0; i < 10; i++) {
        quarter(x, 0, 4, 8, 12);
        quarter(x, 5, 9, 13, 1);
        quarter(x, 10, 14, 2, 6);
        quarter(x, 15, 3, 7, 11);
        quarter(x, 0, 1, 2, 3);
        quarter(x, 5, 6, 7, 4);
        quarter(x, 10, 11, 8, 9);
        quarter(x, 15, 12, 13, 14);
    }
}

/* The input matrix: "expand 32-byte k", the key, 16 bytes of nonce/counter. */
static void salsa20_setup(uint32_t x[16], const unsigned char key[32], const unsigned char in[16])
{
    static const unsigned char sigma[16] = "expand 32-byte k";
    x[0] = le32(sigma);
    x[5] = le32(sigma + 4);
    x[10] = le32(sigma + 8);
    x[15] = le32(sigma + 12);
    for (int i = 0; i < 4; i++) {
        x[1 + i] = le32(key + 4 * i);
        x[11 + i] = le32(key + 16 + 4 * i);
        x[6 + i] = le32(in + 4 * i);
    }
}

static void hsalsa20(unsigned char out[32], const unsigned char key[32], const unsigned char in[16])
{
    uint32_t x[16];
    salsa20_setup(x, key, in);
    salsa20_rounds(x);
    static const int pick[8] = { 0, 5, 10, 15, 6, 7, 8, 9 };
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (unsigned char)(x[pick[i]] >> (8 * b));
    OPENSSL_cleanse(x, sizeof x);
}

/* XOR len bytes of the Salsa20 stream (key, 8-byte nonce), from byte `skip`. */
static void salsa20_xor(unsigned char *buf, size_t len, size_t skip, const unsigned char key[32],
                        const unsigned char nonce[8])
{
    unsigned char in[16], block[64];
    memcpy(in, nonce, 8);
    uint64_t counter = skip / 64;
    size_t off = skip % 64, done = 0;
    while (done < len) {
        for (int b = 0; b < 8; b++)
            in[8 + b] = (unsigned char)(counter >> (8 * b));
        uint32_t x[16], y[16];
        salsa20_setup(x, key, in);
        memcpy(y, x, sizeof x);
        salsa20_rounds(x);
        for (int i = 0; i < 16; i++)
            for (int b = 0; b < 4; b++)
                block[4 * i + b] = (unsigned char)((x[i] + y[i]) >> (8 * b));
        for (; off < 64 && done < len; off++)
            buf[done++] ^= block[off];
        off = 0;
        counter++;
        OPENSSL_cleanse(x, sizeof x);
        OPENSSL_cleanse(y, sizeof y);
    }
    OPENSSL_cleanse(block, sizeof block);
}

int comb_secretbox_open(const unsigned char key[32], const unsigned char nonce[24],
                        const unsigned char *box, size_t boxlen, unsigned char *out)
{
    if (boxlen < 16)
        return -1;
    unsigned char sub[32], polykey[32] = { 0 }, tag[16];
    hsalsa20(sub, key, nonce);
    salsa20_xor(polykey, 32, 0, sub, nonce + 16); /* the stream's first 32 bytes */
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "POLY1305", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, polykey, 32),
        OSSL_PARAM_construct_end(),
    };
    size_t tl = 0;
    int ok = ctx && EVP_MAC_init(ctx, NULL, 0, params) &&
             EVP_MAC_update(ctx, box + 16, boxlen - 16) && EVP_MAC_final(ctx, tag, &tl, sizeof tag) &&
             tl == 16 && CRYPTO_memcmp(tag, box, 16) == 0;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    if (ok) {
        memcpy(out, box + 16, boxlen - 16);
        salsa20_xor(out, boxlen - 16, 32, sub, nonce + 16);
    }
    OPENSSL_cleanse(sub, sizeof sub);
    OPENSSL_cleanse(polykey, sizeof polykey);
    return ok ? 0 : -1;
}

static unsigned char *b64field(json_t *o, const char *k, size_t *n)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? comb_b64_decode(s, strlen(s), n) : NULL;
}

comb_code comb_cosign_key_decrypt(const unsigned char *pem, size_t len, const char *pass,
                                  size_t passlen, const char *label, unsigned char **der,
                                  size_t *derlen, comb_err *err)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    char *name = NULL, *header = NULL;
    unsigned char *body = NULL;
    long blen = 0;
    int got = b && PEM_read_bio(b, &name, &header, &body, &blen);
    BIO_free(b);
    comb_code rc = COMB_OK;
    json_t *doc = NULL;
    unsigned char *salt = NULL, *nonce = NULL, *box = NULL, *plain = NULL;
    size_t saltlen = 0, noncelen = 0, boxlen = 0;
    if (!got || (strcmp(name, "ENCRYPTED SIGSTORE PRIVATE KEY") && strcmp(name, "ENCRYPTED COSIGN PRIVATE KEY"))) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: not a cosign encrypted private key", label);
        goto out;
    }
    doc = json_loadb((const char *)body, (size_t)blen, 0, NULL);
    json_t *kdf = json_object_get(doc, "kdf"), *cipher = json_object_get(doc, "cipher");
    json_t *par = json_object_get(kdf, "params");
    const char *kn = json_string_value(json_object_get(kdf, "name"));
    const char *cn = json_string_value(json_object_get(cipher, "name"));
    json_int_t N = json_integer_value(json_object_get(par, "N"));
    json_int_t r = json_integer_value(json_object_get(par, "r"));
    json_int_t p = json_integer_value(json_object_get(par, "p"));
    salt = b64field(kdf, "salt", &saltlen);
    nonce = b64field(cipher, "nonce", &noncelen);
    box = b64field(doc, "ciphertext", &boxlen);
    if (!kn || strcmp(kn, "scrypt") || !cn || strcmp(cn, "nacl/secretbox")) {
        rc = comb_fail(err, COMB_EUNSUPPORTED, "%s: only scrypt with nacl/secretbox is known", label);
        goto out;
    }
    if (N < 2 || (N & (N - 1)) || r < 1 || r > 32 || p < 1 || p > 16 ||
        (uint64_t)N * (uint64_t)r * 128 > MAX_SCRYPT_MEM) {
        rc = comb_fail(err, COMB_ELIMIT, "%s: scrypt parameters out of bounds", label);
        goto out;
    }
    if (!salt || !nonce || noncelen != 24 || !box || boxlen < 17 || boxlen > COMB_MAX_KEY_FILE) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: salt, nonce or ciphertext missing or malformed", label);
        goto out;
    }
    unsigned char key[32];
    if (!EVP_PBE_scrypt(pass, passlen, salt, saltlen, (uint64_t)N, (uint64_t)r, (uint64_t)p,
                        MAX_SCRYPT_MEM + (1u << 20), key, sizeof key)) {
        rc = comb_fail(err, COMB_EIO, "%s: scrypt failed (OpenSSL)", label);
        goto out;
    }
    plain = malloc(boxlen - 16);
    if (!plain)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    else if (comb_secretbox_open(key, nonce, box, boxlen, plain))
        rc = comb_fail(err, COMB_EFORMAT, "%s: cannot decrypt the private key (wrong password?)", label);
    OPENSSL_cleanse(key, sizeof key);
    if (rc == COMB_OK) {
        *der = plain;
        *derlen = boxlen - 16;
        plain = NULL;
    }
out:
    if (plain) {
        OPENSSL_cleanse(plain, boxlen - 16);
        free(plain);
    }
    free(salt);
    free(nonce);
    free(box);
    json_decref(doc);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);
    return rc;
}
