/* pwhash.c - scrypt password hashes (see pwhash.h). */
#include "core/pwhash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRYPT_N 32768ULL
#define SCRYPT_R 8ULL
#define SCRYPT_P 1ULL
#define SALT_LEN 16
#define KEY_LEN 32
#define MAX_PASSWORD 1024

static void hex(const unsigned char *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static int unhex(const char *s, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

static int derive(const char *pw, const unsigned char *salt, uint64_t n, uint64_t r, uint64_t p,
                  unsigned char *key)
{
    size_t len = strlen(pw);
    if (len > MAX_PASSWORD)
        return -1;
    return EVP_PBE_scrypt(pw, len, salt, SALT_LEN, n, r, p, 64ULL << 20, key, KEY_LEN) == 1 ? 0 : -1;
}

int comb_pw_hash(const char *password, char out[COMB_PWHASH_MAX])
{
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    char hs[2 * SALT_LEN + 1], hk[2 * KEY_LEN + 1];
    if (RAND_bytes(salt, SALT_LEN) != 1 || derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, key))
        return -1;
    hex(salt, SALT_LEN, hs);
    hex(key, KEY_LEN, hk);
    OPENSSL_cleanse(key, sizeof key);
    snprintf(out, COMB_PWHASH_MAX, "scrypt$%llu$%llu$%llu$%s$%s", SCRYPT_N, SCRYPT_R, SCRYPT_P, hs, hk);
    return 0;
}

int comb_pw_verify(const char *password, const char *encoded)
{
    unsigned long long n, r, p;
    char hs[2 * SALT_LEN + 1], hk[2 * KEY_LEN + 1];
    unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
    if (!encoded || sscanf(encoded, "scrypt$%llu$%llu$%llu$%32[0-9a-f]$%64[0-9a-f]", &n, &r, &p, hs, hk) != 5 ||
        strlen(hs) != 2 * SALT_LEN || strlen(hk) != 2 * KEY_LEN || n < 1024 || n > (1ULL << 20) ||
        r < 1 || r > 32 || p < 1 || p > 16 || unhex(hs, SALT_LEN, salt) || unhex(hk, KEY_LEN, want))
        return 0;
    if (derive(password, salt, n, r, p, got))
        return 0;
    int ok = CRYPTO_memcmp(got, want, KEY_LEN) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}
