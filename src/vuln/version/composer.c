/* composer.c - Packagist/Composer version ordering, after PHP's
 * version_compare() as Composer applies it to normalised versions: a
 * leading "v"/"V" is dropped, '-', '_' and '+' become '.', a '.' goes
 * between digits and letters; parts compare as numbers, or by stability
 * with special forms ordered dev < alpha = a < beta = b < RC = rc < (number)
 * < patch = pl = p, matched on the lowercase prefix as version_compare does
 * (so "ALPHA" is not alpha; only "RC" has an uppercase form; unknown words
 * rank with dev); when one version runs
 * out, a following number makes the longer one newer and a following
 * special form is weighed against a number ("1.0.0" > "1.0",
 * "1.0-beta" < "1.0"). */
#include "vuln/version/schemes.h"

typedef struct cp { const char *s; size_t n; int num; } cp;

static int isdot(int c) { return c == '.' || c == '-' || c == '_' || c == '+'; }

/* Next part of the canonical form of v starting at *p; 0 at the end. */
static int next_part(const char **p, cp *o)
{
    const char *s = *p;
    if (!*s)
        return 0;
    if (isdot(*s)) {
        s++;
        o->s = s;
        o->n = 0;
        o->num = 0;
        /* an empty part between two separators, or a trailing one */
        if (!*s || isdot(*s)) {
            *p = s;
            return 1;
        }
    }
    o->s = s;
    int d = vs_isdigit(*s);
    size_t n = 0;
    while (s[n] && !isdot(s[n]) && (vs_isdigit(s[n]) != 0) == d)
        n++;
    o->n = n;
    o->num = d;
    *p = s + n;
    return 1;
}

static int weight(const cp *c)
{
    static const char *const SPECIAL[] = {"dev", "a", "b", "rc", "#", "p"};
    if (c->num)
        return 4;
    if (c->n >= 2 && c->s[0] == 'R' && c->s[1] == 'C')
        return 3;
    for (int k = 0; k < 6; k++) {
        size_t l = strlen(SPECIAL[k]);
        if (c->n >= l && memcmp(c->s, SPECIAL[k], l) == 0)
            return k;
    }
    return 0;
}

static const char *skip_v(const char *v)
{
    return (*v == 'v' || *v == 'V') ? v + 1 : v;
}

int comb_vs_composer_valid(const char *v)
{
    (void)v; /* version_compare orders any string */
    return 1;
}

int comb_vs_composer_cmp(const char *a, const char *b)
{
    const char *p = skip_v(a), *q = skip_v(b);
    for (;;) {
        cp x, y;
        int hx = next_part(&p, &x), hy = next_part(&q, &y);
        if (!hx && !hy)
            return 0;
        if (hx && hy) {
            int r = (x.num && y.num) ? vs_numcmp(x.s, x.n, y.s, y.n) : weight(&x) - weight(&y);
            if (r)
                return vs_sign(r);
            continue;
        }
        /* one ran out: weigh the rest of the longer one against a number */
        int sign = hx ? 1 : -1;
        const char **rest = hx ? &p : &q;
        cp *c = hx ? &x : &y;
        for (;;) {
            if (c->num)
                return sign;
            int r = weight(c) - 4;
            if (r)
                return r > 0 ? sign : -sign;
            if (!next_part(rest, c))
                return 0;
        }
    }
}
