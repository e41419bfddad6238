/* fuzz_registry_auth.c - libFuzzer target for WWW-Authenticate challenge
 * parsing and docker config / auth.json credential parsing. The first byte
 * picks the parser. Results must be NUL-terminated and within bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    comb_err err;
    if (data[0] & 1) {
        comb_auth_challenge c;
        /* not NUL-terminated on purpose: the parser must honour len */
        uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
        if (!copy)
            return 0;
        memcpy(copy, data + 1, size - 1);
        if (comb_auth_parse_challenge((const char *)copy, size - 1, &c, &err) == COMB_OK) {
            if (strlen(c.realm) >= sizeof c.realm || strlen(c.service) >= sizeof c.service ||
                strlen(c.scope) >= sizeof c.scope)
                abort();
            if (c.scheme == COMB_AUTH_BEARER && !c.realm[0])
                abort();
        }
        free(copy);
    } else {
        comb_cred cred;
        int found;
        char helper[128];
        if (comb_cred_parse_file((const char *)data + 1, size - 1, "docker.io", &cred, &found,
                                 helper, sizeof helper, &err) == COMB_OK && found &&
            (strlen(cred.user) >= sizeof cred.user || strlen(cred.secret) >= sizeof cred.secret))
            abort();
    }
    return 0;
}
