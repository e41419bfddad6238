/* prefilter.c - finding candidate regions in one pass.
 *
 * KEYWORDS (the default): one Vectorscan database holds every rule keyword
 * as a caseless literal (a keyword shared by several rules is one pattern)
 * plus, for rules without keywords, the rule's regex in prefilter mode. Each
 * hit opens or widens a window of its rule (scan.c), and PCRE2 confirms
 * inside the windows only.
 * REGEX: every rule's regex goes into the database in prefilter mode.
 * TRIVY: no database; the file is lowercased and searched for each keyword
 * with memmem, and rules whose keyword occurs run over the whole file (the
 * approach of Trivy's scanner, kept as the baseline for bench/).
 * A regex Vectorscan cannot compile leaves its rule to a whole-file PCRE2
 * run ("fullscan"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret/secret_internal.h"

typedef struct pattern_list {
    char **expr;
    unsigned *flags, *ids;
    uint32_t *rule, *literal_len;
    size_t n, cap;
} pattern_list;

static int add_pattern(pattern_list *p, char *expr, unsigned flags, uint32_t rule,
                       uint32_t literal_len)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        char **e = realloc(p->expr, nc * sizeof *e);
        if (e)
            p->expr = e;
        unsigned *f = realloc(p->flags, nc * sizeof *f);
        if (f)
            p->flags = f;
        unsigned *ids = realloc(p->ids, nc * sizeof *ids);
        if (ids)
            p->ids = ids;
        uint32_t *r = realloc(p->rule, nc * sizeof *r);
        if (r)
            p->rule = r;
        uint32_t *l = realloc(p->literal_len, nc * sizeof *l);
        if (l)
            p->literal_len = l;
        if (!e || !f || !ids || !r || !l) {
            free(expr);
            return -1;
        }
        p->cap = nc;
    }
    p->expr[p->n] = expr;
    p->flags[p->n] = flags;
    p->ids[p->n] = (unsigned)p->n;
    p->rule[p->n] = rule;
    p->literal_len[p->n] = literal_len;
    p->n++;
    return 0;
}

static void free_patterns(pattern_list *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->expr[i]);
    free(p->expr);
    free(p->flags);
    free(p->ids);
    free(p->rule);
    free(p->literal_len);
}

/* A literal as a Vectorscan expression: every byte escaped as \xHH. */
static char *literal_expr(const char *kw)
{
    size_t n = strlen(kw);
    char *s = malloc(n * 4 + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(s + i * 4, 5, "\\x%02x", (unsigned char)kw[i]);
    s[n * 4] = '\0';
    return s;
}

/* A copy of a regex with every bounded repeat {m,n} whose n exceeds 32
 * widened to {m,}. Vectorscan compiles large bounded repeats slowly (seconds
 * per pattern); a wider prefilter only costs extra confirmations, never a
 * missed match. Braces inside classes or after a backslash are left alone. */
static char *widen_repeats(const char *re)
{
    size_t n = strlen(re);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int in_class = 0;
    for (size_t i = 0; i < n; i++) {
        char c = re[i];
        if (c == '\\' && i + 1 < n) {
            out[o++] = c;
            out[o++] = re[++i];
            continue;
        }
        if (in_class) {
            if (c == ']')
                in_class = 0;
        } else if (c == '[') {
            in_class = 1;
            out[o++] = c;
            if (re[i + 1] == '^')
                out[o++] = re[++i];
            if (re[i + 1] == ']') /* a leading ] is a member */
                out[o++] = re[++i];
            continue;
        } else if (c == '{') {
            char *end;
            unsigned long lo = strtoul(re + i + 1, &end, 10);
            if (end > re + i + 1 && *end == ',' && end[1] >= '0' && end[1] <= '9') {
                char *end2;
                unsigned long hi = strtoul(end + 1, &end2, 10);
                if (*end2 == '}' && hi > 32 && hi >= lo) {
                    o += (size_t)sprintf(out + o, "{%lu,}", lo);
                    i = (size_t)(end2 - re);
                    continue;
                }
            }
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

/* Index of the pattern with this expression, or -1: a keyword shared by
 * several rules ("discord") is one pattern feeding all of them. */
static long find_pattern(const pattern_list *p, const char *expr)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->expr[i], expr))
            return (long)i;
    return -1;
}

/* Entries are (pattern, rule) pairs; pairs of one pattern are merged into
 * one Vectorscan id when the database is laid out (secret_prefilter_build). */
static comb_code collect(comb_secret_engine *e, pattern_list *p, uint8_t *covered)
{
    for (uint32_t r = 0; r < e->nrules; r++) {
        const secret_rule *rule = &e->rules[r];
        if (e->mode == COMB_SECRET_PREFILTER_KEYWORDS && rule->nkeywords) {
            for (size_t k = 0; k < rule->nkeywords; k++) {
                char *x = literal_expr(rule->keywords[k]);
                if (!x || add_pattern(p, x, HS_FLAG_CASELESS, r,
                                      (uint32_t)strlen(rule->keywords[k])))
                    return COMB_ENOMEM;
            }
            covered[r] = 1;
        } else if (e->mode == COMB_SECRET_PREFILTER_KEYWORDS && rule->path) {
            /* no keyword but a path: cheaper to run only on the files it names */
            covered[r] = 0;
        } else {
            char *x = widen_repeats(rule->regex_src);
            if (!x || add_pattern(p, x, HS_FLAG_PREFILTER, r, 0))
                return COMB_ENOMEM;
            covered[r] = 1;
        }
    }
    return COMB_OK;
}

/* Compile one Vectorscan id per distinct expression (id = index of its
 * first entry), dropping expressions Vectorscan rejects (their rules become
 * fullscan) until the rest compiles. */
static hs_database_t *compile_db(pattern_list *p, uint8_t *dropped, uint8_t *covered)
{
    size_t cap = p->n ? p->n : 1;
    const char **ex = malloc(cap * sizeof *ex);
    unsigned *fl = malloc(cap * sizeof *fl);
    unsigned *ids = malloc(cap * sizeof *ids);
    hs_database_t *db = NULL;
    while (ex && fl && ids) {
        size_t n = 0;
        for (size_t i = 0; i < p->n; i++)
            if (!dropped[i] && find_pattern(p, p->expr[i]) == (long)i) {
                ex[n] = p->expr[i];
                fl[n] = p->flags[i];
                ids[n] = (unsigned)i;
                n++;
            }
        if (!n)
            break;
        hs_compile_error_t *ce = NULL;
        hs_error_t rc = hs_compile_multi(ex, fl, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &ce);
        long bad = (rc != HS_SUCCESS && ce && ce->expression >= 0 && (size_t)ce->expression < n)
                       ? (long)ids[ce->expression]
                       : -1;
        if (ce)
            hs_free_compile_error(ce);
        if (rc == HS_SUCCESS)
            break;
        db = NULL;
        if (bad < 0) /* a whole-database failure: nothing goes through Vectorscan */
            break;
        for (size_t i = 0; i < p->n; i++)
            if (!strcmp(p->expr[i], p->expr[bad])) {
                dropped[i] = 1;
                covered[p->rule[i]] = 0;
            }
    }
    free(ex);
    free(fl);
    free(ids);
    return db;
}

comb_code secret_prefilter_build(comb_secret_engine *e, comb_err *err)
{
    secret_prefilter *pf = &e->pf;
    memset(pf, 0, sizeof *pf);
    size_t nr = e->nrules ? e->nrules : 1;
    pf->fullscan = calloc(nr, sizeof *pf->fullscan);
    uint8_t *covered = calloc(nr, 1);
    if (!pf->fullscan || !covered) {
        free(covered);
        return comb_fail(err, COMB_ENOMEM, "secret engine: out of memory");
    }
    pattern_list p = { 0 };
    comb_code rc = COMB_OK;
    if (e->mode != COMB_SECRET_PREFILTER_TRIVY) {
        rc = collect(e, &p, covered);
        uint8_t *dropped = calloc(p.n ? p.n : 1, 1);
        if (rc || !dropped) {
            free(dropped);
            free_patterns(&p);
            free(covered);
            return comb_fail(err, COMB_ENOMEM, "secret engine: out of memory");
        }
        pf->db = p.n ? compile_db(&p, dropped, covered) : NULL;
        /* A rule with one dropped pattern (a keyword would never be) is not
         * covered: all its hits must come from somewhere, so it runs whole. */
        for (size_t i = 0; i < p.n; i++)
            if (dropped[i])
                covered[p.rule[i]] = 0;
        /* Layout: for Vectorscan id i (an entry index), its rules are
         * rule_of[first[i] .. first[i + 1]). */
        pf->first = calloc(p.n + 1, sizeof *pf->first);
        pf->rule_of = calloc(p.n ? p.n : 1, sizeof *pf->rule_of);
        pf->literal_len = calloc(p.n ? p.n : 1, sizeof *pf->literal_len);
        if (!pf->first || !pf->rule_of || !pf->literal_len) {
            free(dropped);
            free_patterns(&p);
            free(covered);
            return comb_fail(err, COMB_ENOMEM, "secret engine: out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < p.n; i++) {
            pf->first[i] = (uint32_t)k;
            pf->literal_len[i] = p.literal_len[i];
            if (find_pattern(&p, p.expr[i]) == (long)i)
                for (size_t j = i; j < p.n; j++)
                    if (!strcmp(p.expr[j], p.expr[i]))
                        pf->rule_of[k++] = p.rule[j];
        }
        pf->first[p.n] = (uint32_t)k;
        pf->npatterns = p.n;
        free(dropped);
        if (p.n && !pf->db)
            for (size_t i = 0; i < p.n; i++)
                covered[p.rule[i]] = 0;
        if (pf->db && hs_alloc_scratch(pf->db, &pf->scratch) != HS_SUCCESS)
            rc = comb_fail(err, COMB_ENOMEM, "secret engine: out of memory (Vectorscan scratch)");
    }
    free_patterns(&p);
    for (uint32_t r = 0; r < e->nrules; r++)
        if (!covered[r])
            pf->fullscan[pf->nfullscan++] = r;
    free(covered);
    return rc;
}

void secret_prefilter_free(secret_prefilter *pf)
{
    hs_free_scratch(pf->scratch);
    hs_free_database(pf->db);
    free(pf->first);
    free(pf->rule_of);
    free(pf->literal_len);
    free(pf->fullscan);
    memset(pf, 0, sizeof *pf);
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    (void)from;
    (void)flags;
    comb_secret_engine *e = ctx;
    const secret_prefilter *pf = &e->pf;
    uint32_t ll = pf->literal_len[id];
    size_t end = (size_t)to;
    /* A regex hit reports its end only: the match may begin max-length before. */
    size_t start = ll ? end - ll : end;
    for (uint32_t k = pf->first[id]; k < pf->first[id + 1]; k++)
        if (e->rule_on[pf->rule_of[k]])
            secret_hit(e, pf->rule_of[k], start, end);
    return e->full || e->oom ? 1 : 0;
}

static void run_trivy(comb_secret_engine *e)
{
    uint8_t *lower = malloc(e->len ? e->len : 1);
    if (!lower) {
        e->oom = COMB_ENOMEM;
        return;
    }
    for (size_t i = 0; i < e->len; i++)
        lower[i] = (uint8_t)tolower(e->data[i]);
    for (uint32_t r = 0; r < e->nrules && !e->full; r++) {
        const secret_rule *rule = &e->rules[r];
        if (!e->rule_on[r])
            continue;
        int hit = rule->nkeywords == 0;
        for (size_t k = 0; k < rule->nkeywords && !hit; k++)
            hit = memmem(lower, e->len, rule->keywords[k], strlen(rule->keywords[k])) != NULL;
        if (hit)
            secret_confirm(e, r, 0, e->len);
    }
    free(lower);
}

comb_code secret_prefilter_run(comb_secret_engine *e)
{
    const secret_prefilter *pf = &e->pf;
    if (e->mode == COMB_SECRET_PREFILTER_TRIVY) {
        run_trivy(e);
        return e->oom;
    }
    if (pf->db) {
        hs_error_t rc = hs_scan(pf->db, (const char *)e->data, (unsigned)e->len, 0, pf->scratch,
                                on_hit, e);
        if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
            return COMB_EFORMAT;
        secret_flush_all(e);
    }
    for (size_t i = 0; i < pf->nfullscan && !e->full; i++)
        if (e->rule_on[pf->fullscan[i]])
            secret_confirm(e, pf->fullscan[i], 0, e->len);
    return e->oom;
}
