/* apk.c - Alpine (apk-tools) version ordering, following apk-package(5):
 * number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}. Numbers after
 * the first compare as strings when either has a leading zero; suffixes
 * order alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p; the
 * hash is ignored. apk still orders malformed versions: the well-formed
 * prefix decides, a version with trailing garbage sorts below the same
 * version without it, and two malformed versions compare as strings. */
#include "vuln/version/schemes.h"

typedef struct av {
    const char *s;
    const char *num; size_t numl;  /* "1.2.3" (no trailing dot) */
    int letter;                    /* 0 when absent */
    const char *suf; size_t sufl;  /* "_rc1_p2" */
    const char *build; size_t buildl; /* digits after -r */
    const char *rest;              /* what is left */
    int invalid;
} av;

static const char *const SUFFIX[] = {"alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"};
#define NO_SUFFIX 4

/* Length of the suffix name at s (0 if none) and its weight. */
static size_t suffix_at(const char *s, int *weight)
{
    for (int k = 0; k < 10; k++) {
        size_t n = strlen(SUFFIX[k]);
        if (n && strncmp(s, SUFFIX[k], n) == 0) {
            *weight = k;
            return n;
        }
    }
    return 0;
}

static void parse(const char *s, av *o)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    const char *p = s;
    o->num = p;
    for (;;) {
        size_t d = vs_digits(p);
        if (!d)
            break;
        p += d;
        o->numl = (size_t)(p - s);
        if (*p == '.')
            p++;
    }
    if (*p >= 'a' && *p <= 'z')
        o->letter = *p++;
    o->suf = p;
    for (;;) {
        int w;
        size_t n;
        if (*p != '_' || !(n = suffix_at(p + 1, &w)))
            break;
        p += 1 + n;
        p += vs_digits(p);
        o->sufl = (size_t)(p - o->suf);
    }
    p = o->suf + o->sufl;
    if (*p == '~') {
        size_t n = 0;
        while ((p[1 + n] >= '0' && p[1 + n] <= '9') || (p[1 + n] >= 'a' && p[1 + n] <= 'f'))
            n++;
        if (n)
            p += 1 + n;
    }
    o->build = "";
    if (*p) {
        if (p[0] == '-' && p[1] == 'r') {
            p += 2;
            o->build = p;
            o->buildl = vs_digits(p);
            p += o->buildl;
        } else {
            o->invalid = 1;
        }
    }
    o->rest = p;
}

/* Next dotted number component of a number run; returns 0 at the end. */
static int next_num(const char **p, const char *end, const char **c, size_t *cl)
{
    if (*p >= end)
        return 0;
    if (**p == '.')
        (*p)++;
    *c = *p;
    *cl = vs_digits(*p);
    *p += *cl;
    return 1;
}

static int cmp_numbers(const av *x, const av *y)
{
    const char *p = x->num, *q = y->num, *pe = x->num + x->numl, *qe = y->num + y->numl;
    for (int idx = 0;; idx++) {
        const char *a = "0", *b = "0";
        size_t al = 1, bl = 1;
        int ha = next_num(&p, pe, &a, &al), hb = next_num(&q, qe, &b, &bl);
        if (!ha && !hb)
            return 0;
        int r;
        if (idx > 0 && ha && hb && (a[0] == '0' || b[0] == '0'))
            r = vs_strcmp(a, al, b, bl, 0);
        else
            r = vs_numcmp(a, al, b, bl);
        if (r)
            return r;
    }
}

static int next_suffix(const char **p, const char *end, int *w, const char **n, size_t *nl)
{
    if (*p >= end)
        return 0;
    *p += 1 + suffix_at(*p + 1, w);
    *n = *p;
    *nl = vs_digits(*p);
    *p += *nl;
    return 1;
}

static int cmp_suffixes(const av *x, const av *y)
{
    const char *p = x->suf, *q = y->suf, *pe = x->suf + x->sufl, *qe = y->suf + y->sufl;
    for (;;) {
        int wa = NO_SUFFIX, wb = NO_SUFFIX;
        const char *na = "", *nb = "";
        size_t nal = 0, nbl = 0;
        int ha = next_suffix(&p, pe, &wa, &na, &nal), hb = next_suffix(&q, qe, &wb, &nb, &nbl);
        if (!ha && !hb)
            return 0;
        if (wa != wb)
            return wa < wb ? -1 : 1;
        int r = vs_numcmp(na, nal, nb, nbl);
        if (r)
            return r;
    }
}

int comb_vs_apk_valid(const char *v)
{
    (void)v; /* every string has a place in apk's order */
    return 1;
}

int comb_vs_apk_cmp(const char *a, const char *b)
{
    av x, y;
    parse(a, &x);
    parse(b, &y);
    if (x.invalid && y.invalid)
        return vs_sign(strcmp(a, b));
    int r = cmp_numbers(&x, &y);
    if (r)
        return r;
    if (x.letter != y.letter)
        return x.letter < y.letter ? -1 : 1;
    if ((r = cmp_suffixes(&x, &y)))
        return r;
    if ((r = vs_numcmp(x.build, x.buildl, y.build, y.buildl)))
        return r;
    int xr = x.rest[0] != 0, yr = y.rest[0] != 0;
    return xr == yr ? 0 : (xr ? -1 : 1);
}
