/* fuzz_compliance_rules.c - libFuzzer target for the compliance rule
 * loader (YAML benchmark files). Any input either loads or fails with a
 * message; a loaded benchmark is well formed (every check has an id, a
 * section that exists and an audit unless manual); the input is not
 * modified. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compliance/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    comb_bench_rules r;
    comb_bench_rules_init(&r);
    comb_err err;
    comb_err_clear(&err);
    comb_code rc = comb_bench_rules_load(&r, "fuzz.yaml", copy, size, &err);
    if (rc != COMB_OK && !err.msg[0])
        abort(); /* an error always says why */
    if (memcmp(copy, data, size) != 0)
        abort();
    for (size_t s = 0; s < r.nsets; s++)
        for (size_t i = 0; i < r.sets[s].nchecks; i++) {
            const comb_bench_check *c = &r.sets[s].checks[i];
            if (!c->id || !c->section || !c->title || !c->remediation || c->set != &r.sets[s] ||
                (!c->manual && !c->audit))
                abort();
        }
    comb_bench_rules_free(&r);
    free(copy);
    return 0;
}
