/* fuzz_os.c - the os analyzer on arbitrary file contents. */
#include <stdint.h>

#include "analyze/records.h"

static const char *const paths[] = { "etc/os-release", "etc/debian_version", "etc/alpine-release", "etc/redhat-release" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const comb_analyzer *a = comb_analyzer_find("os");
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        comb_arena arena;
        comb_arena_init(&arena);
        comb_recset set;
        comb_recset_init(&set, &arena);
        comb_err err;
        comb_analyze_buffer(a, &set, paths[i], data, size, &err);
        comb_recset_free(&set);
        comb_arena_free(&arena);
    }
    return 0;
}
