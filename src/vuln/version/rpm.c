/* rpm.c - RPM version ordering, following rpm's rpmvercmp() (rpmio/rpmvercmp.c,
 * rpm >= 4.15: '~' sorts before anything, '^' after the end of a version but
 * before any further segment) and rpmverParse()'s [epoch:]version[-release]
 * split (epoch: leading digits before ':'; release: after the last '-').
 * Alphanumeric ASCII runs are segments, everything else separates them.
 * A version without a release sorts before the same version with one (as in
 * OSV's Red Hat ordering); rpm itself ignores the release in that case. */
#include "vuln/version/schemes.h"

typedef struct rv {
    const char *e; size_t el;
    const char *v; size_t vl;
    const char *r; size_t rl;
    int has_r;
} rv;

static void parse(const char *s, rv *o)
{
    size_t d = vs_digits(s);
    o->e = "0"; o->el = 1;
    if (s[d] == ':' && d > 0) {
        o->e = s; o->el = d;
        s += d + 1;
    }
    const char *hy = strrchr(s, '-');
    o->v = s;
    if (hy) {
        o->vl = (size_t)(hy - s);
        o->r = hy + 1;
        o->rl = strlen(hy + 1);
        o->has_r = 1;
    } else {
        o->vl = strlen(s);
        o->r = "";
        o->rl = 0;
        o->has_r = 0;
    }
}

/* rpmvercmp over two runs. */
static int vercmp(const char *a, size_t al, const char *b, size_t bl)
{
    if (al == bl && memcmp(a, b, al) == 0)
        return 0;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < al && !vs_isalnum(a[i]) && a[i] != '~' && a[i] != '^') i++;
        while (j < bl && !vs_isalnum(b[j]) && b[j] != '~' && b[j] != '^') j++;
        int ca = i < al ? a[i] : 0, cb = j < bl ? b[j] : 0;
        if (ca == '~' || cb == '~') {
            if (ca != '~') return 1;
            if (cb != '~') return -1;
            i++; j++;
            continue;
        }
        if (ca == '^' || cb == '^') {
            if (!ca) return -1;
            if (!cb) return 1;
            if (ca != '^') return 1;
            if (cb != '^') return -1;
            i++; j++;
            continue;
        }
        if (!ca || !cb)
            break;
        size_t is = i, js = j;
        int num = vs_isdigit(ca);
        if (num) {
            while (i < al && vs_isdigit(a[i])) i++;
            while (j < bl && vs_isdigit(b[j])) j++;
        } else {
            while (i < al && vs_isalpha(a[i])) i++;
            while (j < bl && vs_isalpha(b[j])) j++;
        }
        if (j == js) /* segments of different types: numeric is newer */
            return num ? 1 : -1;
        int r = num ? vs_numcmp(a + is, i - is, b + js, j - js)
                    : vs_strcmp(a + is, i - is, b + js, j - js, 0);
        if (r)
            return r;
    }
    if (i >= al && j >= bl)
        return 0;
    return i >= al ? -1 : 1;
}

int comb_vs_rpm_valid(const char *v)
{
    (void)v; /* rpmvercmp orders any string */
    return 1;
}

int comb_vs_rpm_cmp(const char *a, const char *b)
{
    rv x, y;
    parse(a, &x);
    parse(b, &y);
    int r = vercmp(x.e, x.el, y.e, y.el);
    if (!r)
        r = vercmp(x.v, x.vl, y.v, y.vl);
    if (!r && x.has_r != y.has_r)
        r = x.has_r ? 1 : -1;
    if (!r && x.has_r)
        r = vercmp(x.r, x.rl, y.r, y.rl);
    return r;
}
