/* digest.h - streaming SHA-256 (OpenSSL) and OCI digest strings. */
#ifndef COMB_CORE_DIGEST_H
#define COMB_CORE_DIGEST_H

#include <stddef.h>

typedef struct comb_sha256 {
    void *ctx; /* EVP_MD_CTX */
} comb_sha256;

int comb_sha256_init(comb_sha256 *h);              /* 0 ok, -1 failure */
void comb_sha256_update(comb_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<64 hex>" (72 bytes incl. NUL) and releases the context. */
void comb_sha256_final(comb_sha256 *h, char out[72]);
void comb_sha256_discard(comb_sha256 *h);

/* SHA-256 of one buffer as "sha256:<hex>"; -1 when OpenSSL fails. */
int comb_sha256_buf(const void *data, size_t len, char out[72]);

/* 1 if s is "sha256:" followed by exactly 64 lowercase hex digits. */
int comb_digest_valid(const char *s);

#endif
