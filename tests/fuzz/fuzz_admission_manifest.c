/* fuzz_admission_manifest.c - libFuzzer target for manifest files (JSON or
 * multi-document YAML) evaluated under the default policy at every level,
 * with the image rules on. Aborts when a failure comes without a message. */
#include <stdint.h>
#include <stdlib.h>

#include "admission/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    comb_err err;
    comb_err_clear(&err);
    json_t *docs = NULL;
    if (comb_adm_parse_manifests(data, size, "fuzz", &docs, &err) != COMB_OK) {
        if (!err.msg[0] || docs)
            abort();
        return 0;
    }
    comb_adm_policy p;
    comb_adm_policy_default(&p);
    p.disallow_latest = p.require_digest = 1;
    for (int level = 0; level < 3; level++) {
        p.pss_default = (comb_pss_level)level;
        size_t i;
        json_t *obj;
        json_array_foreach(docs, i, obj) {
            comb_violations v = {0};
            int exempt;
            comb_err_clear(&err);
            if (comb_adm_eval_object(&p, obj, NULL, &v, &exempt, &err) != COMB_OK && !err.msg[0])
                abort();
            for (size_t j = 0; j < v.n; j++)
                if (!v.v[j].path || !v.v[j].message || !v.v[j].rule)
                    abort();
            comb_violations_free(&v);
        }
    }
    comb_adm_policy_free(&p);
    json_decref(docs);
    return 0;
}
