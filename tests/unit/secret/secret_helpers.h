/* secret_helpers.h - collecting findings of comb_secret_scan for the secret
 * unit tests, and checking that no returned string leaks a secret. */
#ifndef COMB_TEST_SECRET_HELPERS_H
#define COMB_TEST_SECRET_HELPERS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret/secret.h"

#define MAX_HITS 64

typedef struct hit {
    char rule[128], category[64], severity[16];
    char match[512], line[256];
    uint32_t lineno, col;
} hit;

typedef struct hits {
    hit h[MAX_HITS];
    size_t n, total;
} hits;

static inline int collect_hit(void *ud, const comb_secret_match *m)
{
    hits *hs = ud;
    hs->total++;
    if (hs->n < MAX_HITS) {
        hit *h = &hs->h[hs->n++];
        snprintf(h->rule, sizeof h->rule, "%s", m->rule_id);
        snprintf(h->category, sizeof h->category, "%s", m->category);
        snprintf(h->severity, sizeof h->severity, "%s", m->severity);
        snprintf(h->match, sizeof h->match, "%s", m->redacted_match);
        snprintf(h->line, sizeof h->line, "%s", m->redacted_line);
        h->lineno = m->line;
        h->col = m->col;
    }
    return 0;
}

static inline comb_code scan_text(comb_secret_engine *e, const char *path, const char *text, size_t len,
                           hits *hs)
{
    comb_err err;
    memset(hs, 0, sizeof *hs);
    return comb_secret_scan(e, path, (const uint8_t *)text, len, collect_hit, hs, &err);
}

static inline const hit *find_rule(const hits *hs, const char *rule)
{
    for (size_t i = 0; i < hs->n; i++)
        if (!strcmp(hs->h[i].rule, rule))
            return &hs->h[i];
    return NULL;
}

/* 1 when s contains the secret or its second half (the first half may hold
 * a public prefix that stays visible). */
static inline int leaks(const char *s, const char *secret)
{
    size_t n = strlen(secret);
    if (n < 4)
        return 0;
    return strstr(s, secret) != NULL || strstr(s, secret + n / 2) != NULL;
}

#endif
