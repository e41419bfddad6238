/* arena.h - bump allocator for per-scan data.
 *
 * Everything a scan produces (packages, strings, records) lives in one arena
 * and is freed at once with comb_arena_free(), so per-object frees (and leaks)
 * do not exist. Allocation failure returns NULL; callers report COMB_ENOMEM.
 */
#ifndef COMB_CORE_ARENA_H
#define COMB_CORE_ARENA_H

#include <stddef.h>

typedef struct comb_arena_block comb_arena_block;

typedef struct comb_arena {
    comb_arena_block *head;
    size_t total;          /* bytes held by all blocks */
} comb_arena;

void comb_arena_init(comb_arena *a);
void comb_arena_free(comb_arena *a);

/* Zeroed, 16-byte aligned memory, or NULL. */
void *comb_arena_alloc(comb_arena *a, size_t size);
/* Array allocation with overflow check. */
void *comb_arena_calloc(comb_arena *a, size_t n, size_t size);
char *comb_arena_strdup(comb_arena *a, const char *s);
/* Copies n bytes and NUL-terminates (n may include no NUL). */
char *comb_arena_strndup(comb_arena *a, const char *s, size_t n);
char *comb_arena_printf(comb_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
