/* fuzz_gobuildinfo.c - the Go build info blob parser on arbitrary bytes. */
#include "analyze/gobuildinfo.h"
#include "analyze/records.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Put the magic in front so the fuzzer explores what follows it. */
    uint8_t *buf = malloc(size + COMB_GOBI_MAGIC_LEN);
    if (!buf)
        return 0;
    memcpy(buf, COMB_GOBI_MAGIC, COMB_GOBI_MAGIC_LEN);
    memcpy(buf + COMB_GOBI_MAGIC_LEN, data, size);
    size_t n = size + COMB_GOBI_MAGIC_LEN;
    for (size_t k = 0; k <= n; k += (k < 64 ? 1 : 97))
        (void)comb_gobuildinfo_size(buf, k);
    comb_arena arena;
    comb_arena_init(&arena);
    comb_recset set;
    comb_recset_init(&set, &arena);
    comb_emit out;
    comb_emit_init(&out, &set, 0, "fuzz", NULL);
    comb_gobuildinfo bi;
    comb_err err;
    if (comb_gobuildinfo_parse(&arena, buf, n, &bi, &err) == COMB_OK)
        (void)comb_gobuildinfo_emit(&out, &bi);
    comb_recset_free(&set);
    comb_arena_free(&arena);
    free(buf);
    return 0;
}
