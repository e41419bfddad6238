/* fuzz_elf.c - the ELF analyzer's stream path on arbitrary bytes, read in
 * chunks whose size comes from the first input byte. */
#include "analyze/records.h"

#include <string.h>

extern const comb_analyzer comb_analyzer_elf;
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct src {
    const uint8_t *p;
    size_t len, off, chunk;
} src;

static ssize_t rd(void *opaque, void *buf, size_t len)
{
    src *s = opaque;
    size_t n = s->len - s->off;
    if (n > len)
        n = len;
    if (n > s->chunk)
        n = s->chunk;
    memcpy(buf, s->p + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    src s = { .p = data + 1, .len = size - 1, .chunk = (size_t)data[0] * 61 + 1 };
    comb_arena arena;
    comb_arena_init(&arena);
    comb_recset set;
    comb_recset_init(&set, &arena);
    comb_emit out;
    comb_emit_init(&out, &set, 0, "usr/bin/fuzz", NULL);
    comb_reader r = { .read = rd, .opaque = &s };
    comb_entry e = { .path = "usr/bin/fuzz", .mode = 0100755, .size = (int64_t)s.len };
    comb_err err;
    (void)comb_analyzer_elf.on_stream(&out, &e, &r, &err);
    comb_recset_free(&set);
    comb_arena_free(&arena);
    return 0;
}
