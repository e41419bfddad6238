/* fuzz_cargo.c - libFuzzer target for the cargo analyzer
 * (Cargo.lock).
 * The input is fed to comb_analyze_buffer under each path below, from an
 * exact-size copy so that reads past the end are caught; every package
 * record must have a name and a version. */
#include "analyze/records.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern const comb_analyzer comb_analyzer_cargo;

static const char *const paths[] = {
    "srv/app/Cargo.lock",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > comb_analyzer_cargo.max_size)
        return 0;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        memcpy(copy, data, size);
        comb_arena arena;
        comb_recset set;
        comb_err err;
        comb_err_clear(&err);
        comb_arena_init(&arena);
        comb_recset_init(&set, &arena);
        comb_code rc = comb_analyze_buffer(&comb_analyzer_cargo, &set, paths[i], copy, size, &err);
        /* every record is complete: name and version set */
        for (size_t k = 0; k < set.n; k++)
            if (set.v[k]->kind == COMB_REC_PKG &&
                (!set.v[k]->u.pkg.name || !set.v[k]->u.pkg.version))
                abort();
        (void)rc;
        comb_recset_free(&set);
        comb_arena_free(&arena);
    }
    free(copy);
    return 0;
}
