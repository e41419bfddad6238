/* fuzz_trust_signature.c - libFuzzer target for what a signature brings
 * along, all untrusted until verified: the cosign simple-signing payload,
 * a Sigstore bundle, a public key PEM, and a cosign encrypted private key;
 * a parsed bundle's signatures are checked against a fixed key. The first
 * byte picks the parser. Aborts when a failure comes without a message. */
#include <stdint.h>
#include <stdlib.h>

#include "trust/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static comb_key *key;
    comb_err err;
    comb_err_clear(&err);
    if (!key && comb_key_generate(COMB_KEY_ECDSA_P256, 0, &key, &err))
        abort();
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    comb_code rc;
    switch (data[0] % 4) {
    case 0: {
        comb_payload pl;
        rc = comb_simplesign_parse(p, n, &pl, &err);
        break;
    }
    case 1: {
        comb_bundle b;
        rc = comb_bundle_parse(p, n, &b, &err);
        if (rc == COMB_OK) {
            for (size_t i = 0; i < b.nsigs; i++)
                if (b.signed_bytes && comb_key_verify(key, b.signed_bytes, b.signed_len, b.sigs[i], b.siglens[i]))
                    abort(); /* a fuzzer cannot forge a signature */
            comb_bundle_free(&b);
        }
        break;
    }
    case 3: {
        unsigned char *der = NULL;
        size_t dl = 0;
        rc = comb_cosign_key_decrypt(p, n, "pw", 2, "fuzz", &der, &dl, &err);
        free(der);
        break;
    }
    default: {
        comb_key *k = NULL;
        rc = comb_key_parse_public(p, n, "fuzz", &k, &err);
        comb_key_free(k);
        break;
    }
    }
    if (rc != COMB_OK && !err.msg[0])
        abort();
    return 0;
}
