/* fuzz_rpmdb.c - libFuzzer target for the rpm analyzer: the input is read as
 * a Berkeley DB, an NDB and an SQLite rpm database in turn (the file name
 * picks the reader), each from an exact-size copy. */
#include "analyze/records.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern const comb_analyzer comb_analyzer_rpm;

static const char *const paths[] = {
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/share/rpm/rpmdb.sqlite",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
        comb_code rc = comb_analyze_buffer(&comb_analyzer_rpm, &set, paths[i], copy, size, &err);
        if (rc != COMB_OK && err.msg[0] == 0)
            abort(); /* every error must say what went wrong */
        /* the input buffer is never modified */
        if (memcmp(copy, data, size) != 0)
            abort();
        comb_recset_free(&set);
        comb_arena_free(&arena);
    }
    free(copy);
    return 0;
}
