/* gem.c - RubyGems version ordering (Gem::Version): the version must match
 * Gem's ANCHORED_VERSION_PATTERN ("1.2.3", "1.0.a.2", "2.0.0-rc1"; a '-'
 * means ".pre."); segments are runs of digits or of letters; canonical
 * segments drop the trailing zeros of the numeric part and of the string
 * part; missing segments are 0; numbers beat strings (a letter makes a
 * prerelease); numbers compare by value, strings by ASCII. */
#include "vuln/version/schemes.h"

typedef struct gseg {
    const char *s; size_t n;
    int num, dead;
} gseg;

static const char PRE[] = "pre";

static size_t segments(const char *v, gseg *out, size_t max)
{
    size_t n = 0;
    for (const char *p = v; *p;) {
        if (*p == '-' && n < max) { /* "-" reads as ".pre." */
            out[n++] = (gseg){PRE, 3, 0, 0};
            p++;
            continue;
        }
        size_t d = vs_digits(p), l = d ? d : vs_alphas(p);
        if (!l) {
            p++;
            continue;
        }
        if (n < max)
            out[n++] = (gseg){p, l, d > 0, 0};
        p += l;
    }
    /* drop trailing zeros of the numeric prefix and of the rest */
    size_t str = 0;
    while (str < n && out[str].num)
        str++;
    for (size_t i = str; i > 0 && vs_numcmp(out[i - 1].s, out[i - 1].n, "0", 1) == 0; i--)
        out[i - 1].dead = 1;
    for (size_t i = n; i > str && out[i - 1].num && vs_numcmp(out[i - 1].s, out[i - 1].n, "0", 1) == 0; i--)
        out[i - 1].dead = 1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!out[i].dead)
            out[k++] = out[i];
    return k;
}

int comb_vs_gem_valid(const char *v)
{
    /* [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?, also
     * taking "1beta" (letters straight after the first number) */
    size_t d = vs_digits(v);
    if (!d)
        return 0;
    v += d;
    while (vs_isalnum(*v))
        v++;
    while (*v == '.') {
        size_t n = 0;
        while (vs_isalnum(v[1 + n]))
            n++;
        if (!n)
            return 0;
        v += 1 + n;
    }
    if (*v == '-') {
        for (;;) {
            size_t n = 0;
            v++;
            while (vs_isalnum(v[n]) || v[n] == '-')
                n++;
            if (!n)
                return 0;
            v += n;
            if (*v != '.')
                break;
        }
    }
    return *v == '\0';
}

int comb_vs_gem_cmp(const char *a, const char *b)
{
    gseg x[COMB_VERSION_MAX + 1], y[COMB_VERSION_MAX + 1];
    size_t nx = segments(a, x, COMB_VERSION_MAX + 1), ny = segments(b, y, COMB_VERSION_MAX + 1);
    static const gseg ZERO = {"0", 1, 1, 0};
    for (size_t i = 0; i < nx || i < ny; i++) {
        const gseg *s = i < nx ? &x[i] : &ZERO, *t = i < ny ? &y[i] : &ZERO;
        int r;
        if (s->num && t->num)
            r = vs_numcmp(s->s, s->n, t->s, t->n);
        else if (s->num != t->num)
            r = s->num ? 1 : -1;
        else
            r = vs_strcmp(s->s, s->n, t->s, t->n, 0);
        if (r)
            return r;
    }
    return 0;
}
