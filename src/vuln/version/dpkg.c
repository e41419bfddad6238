/* dpkg.c - Debian version ordering, following deb-version(7) and dpkg's
 * parseversion()/verrevcmp(): [epoch:]upstream[-revision]; the epoch is a
 * number, the upstream part starts with a digit, the revision follows the
 * last hyphen; parts compare as alternating non-digit runs (per character:
 * '~' before end-of-run before letters before other characters) and digit
 * runs (by value). A missing revision equals "0". */
#include "vuln/version/schemes.h"

typedef struct dv {
    const char *ep; size_t epl;   /* epoch digits (may be empty) */
    const char *up; size_t upl;   /* upstream */
    const char *rev; size_t revl; /* revision ("" when absent) */
} dv;

static int parse(const char *v, dv *o)
{
    const char *colon = strchr(v, ':');
    o->ep = v; o->epl = 0;
    if (colon) {
        o->epl = (size_t)(colon - v);
        if (o->epl == 0)
            return 0;
        for (size_t i = 0; i < o->epl; i++)
            if (!vs_isdigit(v[i]))
                return 0;
        /* dpkg rejects epochs above INT_MAX */
        if (vs_numcmp(v, o->epl, "2147483647", 10) > 0)
            return 0;
        v = colon + 1;
    }
    const char *hy = strrchr(v, '-');
    o->up = v;
    if (hy) {
        o->upl = (size_t)(hy - v);
        o->rev = hy + 1;
        o->revl = strlen(hy + 1);
        if (o->revl == 0)
            return 0;
    } else {
        o->upl = strlen(v);
        o->rev = "";
        o->revl = 0;
    }
    if (o->upl == 0 || !vs_isdigit(o->up[0]))
        return 0;
    for (size_t i = 0; i < o->upl; i++)
        if (!vs_isalnum(o->up[i]) && !strchr(".-+~:", o->up[i]))
            return 0;
    for (size_t i = 0; i < o->revl; i++)
        if (!vs_isalnum(o->rev[i]) && !strchr(".+~", o->rev[i]))
            return 0;
    return 1;
}

static int order(int c)
{
    if (vs_isdigit(c))
        return 0;
    if (vs_isalpha(c))
        return c;
    if (c == '~')
        return -1;
    if (c)
        return c + 256;
    return 0;
}

static int verrevcmp(const char *a, size_t al, const char *b, size_t bl)
{
    size_t i = 0, j = 0;
    while (i < al || j < bl) {
        while ((i < al && !vs_isdigit(a[i])) || (j < bl && !vs_isdigit(b[j]))) {
            int ac = i < al ? order((unsigned char)a[i]) : 0;
            int bc = j < bl ? order((unsigned char)b[j]) : 0;
            if (ac != bc)
                return ac < bc ? -1 : 1;
            i++;
            j++;
        }
        size_t is = i, js = j;
        while (i < al && vs_isdigit(a[i])) i++;
        while (j < bl && vs_isdigit(b[j])) j++;
        int r = vs_numcmp(a + is, i - is, b + js, j - js);
        if (r)
            return r;
    }
    return 0;
}

int comb_vs_dpkg_valid(const char *v)
{
    dv d;
    return parse(v, &d);
}

int comb_vs_dpkg_cmp(const char *a, const char *b)
{
    dv x, y;
    if (!parse(a, &x) || !parse(b, &y))
        return 0;
    int r = vs_numcmp(x.ep, x.epl, y.ep, y.epl);
    if (!r)
        r = verrevcmp(x.up, x.upl, y.up, y.upl);
    if (!r)
        r = verrevcmp(x.rev, x.revl, y.rev, y.revl);
    return r;
}
