/* arena.c - see arena.h. Blocks grow geometrically up to 1 MiB; a request
 * larger than a block gets a block of its own. */
#include "core/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct comb_arena_block {
    comb_arena_block *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void comb_arena_init(comb_arena *a)
{
    a->head = NULL;
    a->total = 0;
}

void comb_arena_free(comb_arena *a)
{
    comb_arena_block *b = a->head;
    while (b) {
        comb_arena_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
    a->total = 0;
}

void *comb_arena_alloc(comb_arena *a, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    if (size == 0)
        size = 16;
    comb_arena_block *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = b ? b->cap * 2 : 4096;
        if (cap > (1u << 20))
            cap = 1u << 20;
        if (cap < size)
            cap = size;
        if (cap > SIZE_MAX - sizeof *b)
            return NULL;
        comb_arena_block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        a->total += cap;
        if (b && b->cap - b->used >= 256 && size > b->cap / 2) {
            /* keep the current block open for small requests */
            nb->next = b->next;
            b->next = nb;
            nb->used = size;
            memset(nb->data, 0, size);
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

void *comb_arena_calloc(comb_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return comb_arena_alloc(a, n * size);
}

char *comb_arena_strndup(comb_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = comb_arena_alloc(a, n + 1);
    if (p) {
        if (n)
            memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *comb_arena_strdup(comb_arena *a, const char *s)
{
    return s ? comb_arena_strndup(a, s, strlen(s)) : NULL;
}

char *comb_arena_printf(comb_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = comb_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
