/* mc_test.h - helpers of the misconfig unit tests: run the checks on a
 * snippet and ask which findings came out. */
#ifndef COMB_MC_TEST_H
#define COMB_MC_TEST_H

#include <string.h>

#include "misconfig/dockerfile.h"
#include "misconfig/misconfig.h"
#include "test.h"

/* Findings of check `id` in l. */
static inline size_t mc_count(const comb_mc_list *l, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        n += !strcmp(l->items[i].check->id, id);
    return n;
}

/* The first finding of `id`, or NULL. */
static inline const comb_mc_finding *mc_find(const comb_mc_list *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].check->id, id))
            return &l->items[i];
    return NULL;
}

/* Does any message or location contain s? (for "no secret leaked") */
static inline int mc_mentions(const comb_mc_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strstr(l->items[i].message, s) || strstr(l->items[i].location, s))
            return 1;
    return 0;
}

/* Parse and check a Dockerfile snippet into l (initialised here); returns
 * the parse/check code. */
static inline comb_code mc_dockerfile(const char *text, comb_mc_list *l)
{
    comb_err err;
    comb_err_clear(&err);
    comb_mc_list_init(l);
    comb_dockerfile *df = NULL;
    comb_code rc = comb_dockerfile_parse("Dockerfile", text, strlen(text), &df, &err);
    if (rc == COMB_OK)
        rc = comb_misconfig_dockerfile(df, l, &err);
    if (rc)
        fprintf(stderr, "  (%s)\n", err.msg);
    comb_dockerfile_free(df);
    return rc;
}

#endif
