/* fuzz_registry_ref.c - libFuzzer target for image reference parsing. An
 * accepted reference must format back to a string that parses to the same
 * reference (registry, repository, tag, digest). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    comb_ref a, b;
    comb_err err;
    if (comb_ref_parse(s, &a, &err) == COMB_OK) {
        char out[700];
        comb_ref_format(&a, out, sizeof out);
        if (comb_ref_parse(out, &b, &err) != COMB_OK || strcmp(a.registry, b.registry) ||
            strcmp(a.repo, b.repo) || strcmp(a.tag, b.tag) || strcmp(a.digest, b.digest))
            abort();
        if (!a.registry[0] || !a.repo[0] || (!a.tag[0] && !a.digest[0]))
            abort();
    }
    free(s);
    return 0;
}
