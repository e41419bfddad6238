/* lang_helpers.h - shared helpers for the language analyzer tests
 * (test_python.c, test_node.c, test_ruby.c, test_cargo.c, test_composer.c). */
#ifndef COMB_TEST_LANG_HELPERS_H
#define COMB_TEST_LANG_HELPERS_H

#include "test.h"

#include "analyze/records.h"
#include "core/arena.h"

#include <stdint.h>
#include <sys/stat.h>

typedef struct run {
    comb_arena arena;
    comb_recset set;
    comb_err err;
    comb_code rc;
} run;

/* Run analyzer a on data as if it were the file at path. The buffer handed
 * to the analyzer is an exact-size malloc copy (no NUL after it), so ASan
 * catches reads past the end. */
static inline void run_on(run *r, const comb_analyzer *a, const char *path, const void *data,
                          size_t len)
{
    comb_arena_init(&r->arena);
    comb_recset_init(&r->set, &r->arena);
    memset(&r->err, 0, sizeof r->err);
    uint8_t *copy = malloc(len ? len : 1);
    if (len)
        memcpy(copy, data, len);
    r->rc = comb_analyze_buffer(a, &r->set, path, copy, len, &r->err);
    free(copy);
}

static inline void run_str(run *r, const comb_analyzer *a, const char *path, const char *s)
{
    run_on(r, a, path, s, strlen(s));
}

static inline void run_free(run *r)
{
    comb_recset_free(&r->set);
    comb_arena_free(&r->arena);
}

static inline size_t npkgs(const run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->set.n; i++)
        n += r->set.v[i]->kind == COMB_REC_PKG;
    return n;
}

/* i-th package record (in emission order), or NULL. */
static inline const comb_pkg *pkg_at(const run *r, size_t i)
{
    for (size_t k = 0; k < r->set.n; k++)
        if (r->set.v[k]->kind == COMB_REC_PKG && i-- == 0)
            return &r->set.v[k]->u.pkg;
    return NULL;
}

/* First package with that name (and version, when not NULL). */
static inline const comb_pkg *find_pkg(const run *r, const char *name, const char *version)
{
    for (size_t k = 0; k < r->set.n; k++) {
        const comb_pkg *p = &r->set.v[k]->u.pkg;
        if (r->set.v[k]->kind == COMB_REC_PKG && p->name && strcmp(p->name, name) == 0 &&
            (!version || (p->version && strcmp(p->version, version) == 0)))
            return p;
    }
    return NULL;
}

static inline int wants_path(const comb_analyzer *a, const char *path)
{
    comb_entry e = { .path = path, .mode = 0100644, .size = 100 };
    return a->wants(&e);
}

/* Pseudo-random bytes (xorshift), for garbage inputs. */
static inline void fill_random(uint8_t *b, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
}

static inline int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

#endif
