/* fuzz_admission_review.c - libFuzzer target for AdmissionReview v1
 * request bodies, as the webhook receives them. Aborts when a success comes
 * without a response or a failure without a message. */
#include <stdint.h>
#include <stdlib.h>

#include "admission/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    comb_adm_policy p;
    comb_adm_policy_default(&p);
    p.disallow_latest = 1;
    comb_err err;
    comb_err_clear(&err);
    char *resp = NULL;
    int allowed;
    comb_code rc = comb_adm_review(&p, data, size, &resp, &allowed, &err);
    if (rc == COMB_OK ? !resp : (!err.msg[0] || resp != NULL))
        abort();
    free(resp);
    comb_adm_policy_free(&p);
    return 0;
}
