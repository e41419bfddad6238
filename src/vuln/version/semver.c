/* semver.c - Semantic Versioning 2.0.0 precedence (semver.org, section 11),
 * as npm's node-semver and cargo apply it: MAJOR.MINOR.PATCH by value, a
 * prerelease sorts before its release, prerelease identifiers compare
 * numerically when all digits and by ASCII otherwise (numeric < alphanumeric,
 * a shorter prefix first), build metadata is ignored. A leading "v" is
 * accepted. Advisories also carry looser forms ("1.0", "1.2.3.4", "2.0.1a",
 * huge numbers); those order the same way, with missing components as 0 and
 * a non-'-' suffix as a prerelease. comb_vs_semver_strict() is the exact
 * SemVer grammar node-semver accepts. */
#include "vuln/version/schemes.h"

typedef struct sv {
    const char *num; size_t numl;
    const char *pre; size_t prel;
} sv;

static void parse(const char *s, sv *o)
{
    if (*s == 'v' || *s == 'V')
        s++;
    o->num = s;
    o->numl = strspn(s, "0123456789.");
    const char *r = s + o->numl;
    o->pre = r;
    o->prel = 0;
    if (*r == '-')
        o->pre = ++r;
    if (*r != '+')
        o->prel = strcspn(r, "+");
}

/* Next numeric component in [*p, end); "" (zero) once exhausted. */
static int next_comp(const char **p, const char *end, const char **c, size_t *cl)
{
    while (*p < end && **p == '.')
        (*p)++;
    if (*p >= end)
        return 0;
    *c = *p;
    *cl = 0;
    while (*p < end && **p != '.') {
        (*p)++;
        (*cl)++;
    }
    return 1;
}

static int all_digits(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!vs_isdigit(s[i]))
            return 0;
    return 1;
}

static int cmp_pre(const char *a, size_t al, const char *b, size_t bl, int fold)
{
    if (!al || !bl)
        return al == bl ? 0 : (al ? -1 : 1); /* a prerelease sorts first */
    size_t i = 0, j = 0;
    for (;;) {
        if (i > al && j > bl)
            return 0;
        if (i > al)
            return -1;
        if (j > bl)
            return 1;
        size_t is = i, js = j;
        while (i < al && a[i] != '.') i++;
        while (j < bl && b[j] != '.') j++;
        int na = all_digits(a + is, i - is), nb = all_digits(b + js, j - js);
        int r;
        if (na && nb)
            r = vs_numcmp(a + is, i - is, b + js, j - js);
        else if (na != nb)
            r = na ? -1 : 1;
        else
            r = vs_strcmp(a + is, i - is, b + js, j - js, fold);
        if (r)
            return r;
        i++; /* past the '.' (or one past the end) */
        j++;
    }
}

int comb_vs_semverlike_cmp(const char *a, const char *b, int fold)
{
    sv x, y;
    parse(a, &x);
    parse(b, &y);
    const char *p = x.num, *q = y.num, *pe = x.num + x.numl, *qe = y.num + y.numl;
    for (;;) {
        const char *ca = "0", *cb = "0";
        size_t cal = 1, cbl = 1;
        int ha = next_comp(&p, pe, &ca, &cal), hb = next_comp(&q, qe, &cb, &cbl);
        if (!ha && !hb)
            break;
        int r = vs_numcmp(ca, cal, cb, cbl);
        if (r)
            return r;
    }
    return cmp_pre(x.pre, x.prel, y.pre, y.prel, fold);
}

/* Lenient: a digit after the optional 'v'. */
int comb_vs_semver_valid(const char *v)
{
    if (*v == 'v' || *v == 'V')
        v++;
    return vs_isdigit(*v);
}

int comb_vs_semver_cmp(const char *a, const char *b)
{
    return comb_vs_semverlike_cmp(a, b, 0);
}

/* A numeric identifier: "0" or no leading zero. */
static int numeric_id(const char *s, size_t n)
{
    return all_digits(s, n) && (n == 1 || s[0] != '0');
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; numeric ones
 * without leading zeros when strict_num. Returns the length consumed. */
static size_t idents(const char *s, int strict_num, int *ok)
{
    size_t i = 0;
    *ok = 0;
    for (;;) {
        size_t st = i;
        while (vs_isalnum(s[i]) || s[i] == '-')
            i++;
        if (i == st)
            return i;
        if (strict_num && all_digits(s + st, i - st) && !numeric_id(s + st, i - st))
            return i;
        if (s[i] != '.')
            break;
        i++;
    }
    *ok = 1;
    return i;
}

int comb_vs_semver_strict(const char *v)
{
    if (*v == 'v')
        v++;
    for (int k = 0; k < 3; k++) {
        size_t n = vs_digits(v);
        /* node-semver rejects components above Number.MAX_SAFE_INTEGER */
        if (!numeric_id(v, n) || vs_numcmp(v, n, "9007199254740991", 16) > 0)
            return 0;
        v += n;
        if (k < 2 && *v++ != '.')
            return 0;
    }
    int ok;
    if (*v == '-') {
        v++;
        v += idents(v, 1, &ok);
        if (!ok)
            return 0;
    }
    if (*v == '+') {
        v++;
        v += idents(v, 0, &ok);
        if (!ok)
            return 0;
    }
    return *v == '\0';
}
