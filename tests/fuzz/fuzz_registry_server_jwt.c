/* fuzz_registry_server_jwt.c - libFuzzer target for bearer token checking
 * (comb_jwt_verify): arbitrary bytes as a compact JWS against a fixed P-256
 * key. Nothing the fuzzer makes may verify (it has no private key); parsing
 * must never crash or leak. */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>

#include "registry/server/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static EVP_PKEY *key;
    if (!key && !(key = EVP_EC_gen("P-256")))
        return 0;
    void *claims = NULL;
    comb_err err;
    if (comb_jwt_verify(key, (const char *)data, size, "comb-registry", "comb-registry", 1700000000,
                        &claims, &err) == COMB_OK)
        abort();
    json_decref(claims);
    return 0;
}
