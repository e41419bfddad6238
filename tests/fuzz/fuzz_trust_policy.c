/* fuzz_trust_policy.c - libFuzzer target for the trust policy parser: the
 * input is a policy file, parsed as JSON and as YAML; a parsed policy is
 * queried for a few repositories. Aborts when a failure comes without a
 * message or with a policy, or when a rule has keys it should not. */
#include <stdint.h>
#include <stdlib.h>

#include "trust/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *repos[] = { "docker.io/library/alpine", "registry.example.com/team/app",
                                   "localhost:5000/a/b/c", "" };
    for (int yaml = 0; yaml < 2; yaml++) {
        comb_policy *p = NULL;
        comb_err err;
        comb_err_clear(&err);
        comb_code rc = comb_policy_parse(data, size, yaml, "fuzz", &p, &err);
        if (rc != COMB_OK) {
            if (p || !err.msg[0])
                abort();
            continue;
        }
        for (size_t i = 0; i < sizeof repos / sizeof *repos; i++) {
            const comb_policy_rule *r = comb_policy_select(p, repos[i]);
            if (!r || (r->type == COMB_POLICY_SIGNED) != (r->nkeys > 0))
                abort();
        }
        comb_policy_free(p);
    }
    return 0;
}
