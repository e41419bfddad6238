/* fuzz_analyzer.h - the shared body of the analyzer fuzz targets.
 *
 * fuzz_buffer() feeds the input to an analyzer under each of its paths,
 * from an exact-size copy (so ASan sees any read past the end), and aborts
 * when an invariant breaks: the input buffer was modified, an error came
 * back without a message, or a package record lacks a name or a version.
 * fuzz_stream() does the same through a pull reader whose chunk size comes
 * from the first input byte, for analyzers that read streams. */
#ifndef COMB_FUZZ_ANALYZER_H
#define COMB_FUZZ_ANALYZER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const comb_recset *set, comb_code rc, const comb_err *err)
{
    if (rc != COMB_OK && err->msg[0] == '\0')
        abort(); /* every error must say what went wrong */
    for (size_t k = 0; k < set->n; k++)
        if (set->v[k]->kind == COMB_REC_PKG &&
            (!set->v[k]->u.pkg.name || !set->v[k]->u.pkg.version))
            abort();
}

static inline void fuzz_buffer(const comb_analyzer *a, const char *const *paths, size_t npaths,
                               const uint8_t *data, size_t size)
{
    if (a->max_size && size > a->max_size)
        return;
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return;
    for (size_t i = 0; i < npaths; i++) {
        memcpy(copy, data, size);
        comb_arena arena;
        comb_recset set;
        comb_err err;
        comb_err_clear(&err);
        comb_arena_init(&arena);
        comb_recset_init(&set, &arena);
        comb_code rc = comb_analyze_buffer(a, &set, paths[i], copy, size, &err);
        fuzz_check(&set, rc, &err);
        if (memcmp(copy, data, size) != 0)
            abort(); /* analyzers never write into their input */
        comb_recset_free(&set);
        comb_arena_free(&arena);
    }
    free(copy);
}

typedef struct fuzz_src {
    const uint8_t *p;
    size_t len, off, chunk;
} fuzz_src;

static ssize_t fuzz_read(void *opaque, void *buf, size_t len)
{
    fuzz_src *s = opaque;
    size_t n = s->len - s->off;
    if (n > len)
        n = len;
    if (n > s->chunk)
        n = s->chunk;
    memcpy(buf, s->p + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static inline void fuzz_stream(const comb_analyzer *a, const char *path, uint32_t mode,
                               const uint8_t *data, size_t size)
{
    if (size < 1)
        return;
    fuzz_src s = { .p = data + 1, .len = size - 1, .chunk = (size_t)data[0] * 61 + 1 };
    comb_arena arena;
    comb_arena_init(&arena);
    comb_recset set;
    comb_recset_init(&set, &arena);
    comb_emit out;
    comb_emit_init(&out, &set, 0, path, NULL);
    comb_reader r = { .read = fuzz_read, .opaque = &s };
    comb_entry e = { .path = path, .mode = mode, .size = (int64_t)s.len };
    comb_err err;
    comb_err_clear(&err);
    comb_code rc = a->on_stream(&out, &e, &r, &err);
    fuzz_check(&set, rc, &err);
    comb_recset_free(&set);
    comb_arena_free(&arena);
}

#define FUZZ_BUFFER_TARGET(analyzer, ...)                                            \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                     \
    {                                                                                \
        static const char *const paths[] = { __VA_ARGS__ };                          \
        fuzz_buffer(comb_analyzer_find(analyzer), paths, sizeof paths / sizeof *paths, \
                    data, size);                                                     \
        return 0;                                                                    \
    }

#endif
