/* digest.c - SHA-256 through OpenSSL's EVP interface. */
#include "core/digest.h"

#include <openssl/evp.h>
#include <string.h>

int comb_sha256_init(comb_sha256 *h)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(c);
        h->ctx = NULL;
        return -1;
    }
    h->ctx = c;
    return 0;
}

void comb_sha256_update(comb_sha256 *h, const void *data, size_t len)
{
    if (h->ctx && len)
        EVP_DigestUpdate(h->ctx, data, len);
}

void comb_sha256_final(comb_sha256 *h, char out[72])
{
    unsigned char md[32];
    unsigned int n = 0;
    static const char hex[] = "0123456789abcdef";
    memcpy(out, "sha256:", 7);
    if (!h->ctx || EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
        memset(md, 0, sizeof md);
    for (int i = 0; i < 32; i++) {
        out[7 + 2 * i] = hex[md[i] >> 4];
        out[8 + 2 * i] = hex[md[i] & 15];
    }
    out[71] = '\0';
    comb_sha256_discard(h);
}

void comb_sha256_discard(comb_sha256 *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

int comb_sha256_buf(const void *data, size_t len, char out[72])
{
    comb_sha256 h;
    if (comb_sha256_init(&h) != 0)
        return -1;
    comb_sha256_update(&h, data, len);
    comb_sha256_final(&h, out);
    return 0;
}

int comb_digest_valid(const char *s)
{
    if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
        return 0;
    for (int i = 7; i < 71; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}
