/* fuzz_admission_policy.c - libFuzzer target for the admission policy file;
 * a parsed policy is asked for the level of a few namespaces. */
#include <stdint.h>
#include <stdlib.h>

#include "admission/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    comb_adm_policy p;
    comb_err err;
    comb_err_clear(&err);
    if (comb_adm_policy_parse(data, size, "fuzz", &p, &err) != COMB_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    static const char *const ns[] = {"default", "kube-system", "prod", ""};
    for (size_t i = 0; i < 4; i++)
        if (comb_adm_policy_level(&p, ns[i]) > COMB_PSS_RESTRICTED)
            abort();
    comb_adm_policy_free(&p);
    return 0;
}
