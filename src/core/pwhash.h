/* pwhash.h - password hashing for the users of comb server and comb registry:
 * scrypt (OpenSSL
 * EVP_PBE_scrypt, N=2^15, r=8, p=1, 16-byte random salt, 32-byte key),
 * stored as "scrypt$N$r$p$<salt hex>$<key hex>"; checked in constant time. */
#ifndef COMB_CORE_PWHASH_H
#define COMB_CORE_PWHASH_H

#include <stddef.h>

#define COMB_PWHASH_MAX 200

/* 0 on success (out holds the encoded hash), -1 on failure. */
int comb_pw_hash(const char *password, char out[COMB_PWHASH_MAX]);
/* 1 when password matches the encoded hash, 0 otherwise (malformed included). */
int comb_pw_verify(const char *password, const char *encoded);

#endif
