/* findings.c - the list the checks append to: bounded per check, filtered
 * and sorted for reporting. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "misconfig/misconfig.h"

void comb_mc_list_init(comb_mc_list *l)
{
    memset(l, 0, sizeof *l);
    comb_arena_init(&l->arena);
}

void comb_mc_list_free(comb_mc_list *l)
{
    if (!l)
        return;
    comb_arena_free(&l->arena);
    free(l->items);
    free(l->per_check);
    memset(l, 0, sizeof *l);
}

comb_code comb_mc_add(comb_mc_list *l, const char *id, const char *location, unsigned line,
                      comb_err *err, const char *fmt, ...)
{
    size_t ncheck;
    const comb_mc_check *all = comb_misconfig_checks(&ncheck);
    const comb_mc_check *c = comb_misconfig_check_find(id);
    if (!c)
        return comb_fail(err, COMB_EINVAL, "misconfig: unknown check id %s", id);
    if (!l->per_check && !(l->per_check = calloc(ncheck, sizeof *l->per_check)))
        return comb_fail(err, COMB_ENOMEM, "misconfig: out of memory");
    size_t idx = (size_t)(c - all);
    if (l->per_check[idx] >= COMB_MC_MAX_PER_CHECK) {
        l->dropped++;
        return COMB_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        comb_mc_finding *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return comb_fail(err, COMB_ENOMEM, "misconfig: out of memory");
        l->items = items;
        l->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int len = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (len < 0)
        return comb_fail(err, COMB_ENOMEM, "misconfig: out of memory");
    comb_mc_finding *f = &l->items[l->n];
    f->check = c;
    f->message = comb_arena_strdup(&l->arena, msg);
    f->location = comb_arena_strdup(&l->arena, location ? location : "");
    f->line = line;
    free(msg);
    if (!f->message || !f->location)
        return comb_fail(err, COMB_ENOMEM, "misconfig: out of memory");
    l->n++;
    l->per_check[idx]++;
    return COMB_OK;
}

void comb_mc_filter(comb_mc_list *l, unsigned severities, const char *const *skip, size_t nskip)
{
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        const comb_mc_finding *f = &l->items[i];
        int keep = !severities || (severities & (1u << f->check->severity));
        for (size_t s = 0; keep && s < nskip; s++)
            if (strcasecmp(skip[s], f->check->id) == 0)
                keep = 0;
        if (keep)
            l->items[w++] = *f;
    }
    l->n = w;
}

static int cmp_finding(const void *a, const void *b)
{
    const comb_mc_finding *x = a, *y = b;
    if (x->check->severity != y->check->severity)
        return x->check->severity > y->check->severity ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    int c = strcmp(x->location, y->location);
    if (c)
        return c;
    c = strcmp(x->check->id, y->check->id);
    if (c)
        return c;
    return strcmp(x->message, y->message);
}

void comb_mc_sort(comb_mc_list *l)
{
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, cmp_finding);
}
