/* go.c - Go version ordering. Module versions follow golang.org/x/mod/semver:
 * "v" + SemVer 2.0.0, with "v1" and "v1.2" shorthands, "+incompatible" as
 * ignored build metadata, and pseudo-versions ("v0.0.0-20191109021931-
 * daa7c04131f5", "v1.2.4-0.20191109021931-daa7c04131f5") ordering as the
 * SemVer prereleases they are. Toolchain versions ("stdlib") follow
 * go/version: "go1.21.3", "1.21.3", "1.21rc2", "1.20beta1"; for Go >= 1.21
 * a bare "1.21" is the language version and sorts before "1.21rc1", while
 * before 1.21 the first release itself was named "go1.19" (== 1.19.0). */
#include "vuln/version/schemes.h"

typedef struct tc {
    const char *maj, *min, *pat, *pn; /* digit runs */
    size_t majl, minl, patl, pnl;
    int kind; /* 0 language version, 1 beta, 2 rc, 3 release */
} tc;

static int parse_toolchain(const char *s, tc *o)
{
    if (s[0] == 'g' && s[1] == 'o')
        s += 2;
    memset(o, 0, sizeof *o);
    o->pat = o->pn = "0";
    o->patl = o->pnl = 1;
    o->maj = s;
    if (!(o->majl = vs_digits(s)))
        return 0;
    s += o->majl;
    if (*s++ != '.')
        return 0;
    o->min = s;
    if (!(o->minl = vs_digits(s)))
        return 0;
    s += o->minl;
    o->kind = 3;
    if (*s == '.') {
        o->pat = ++s;
        if (!(o->patl = vs_digits(s)))
            return 0;
        s += o->patl;
    } else if (strncmp(s, "rc", 2) == 0 || strncmp(s, "beta", 4) == 0) {
        o->kind = s[0] == 'r' ? 2 : 1;
        s += o->kind == 2 ? 2 : 4;
        o->pn = s;
        if (!(o->pnl = vs_digits(s)))
            return 0;
        s += o->pnl;
    } else if (vs_numcmp(o->maj, o->majl, "1", 1) > 0 || vs_numcmp(o->min, o->minl, "21", 2) >= 0) {
        o->kind = 0;
    }
    return *s == '\0';
}

static int cmp_toolchain(const tc *x, const tc *y)
{
    int r = vs_numcmp(x->maj, x->majl, y->maj, y->majl);
    if (!r) r = vs_numcmp(x->min, x->minl, y->min, y->minl);
    if (!r) r = vs_numcmp(x->pat, x->patl, y->pat, y->patl);
    if (!r && x->kind != y->kind) r = x->kind < y->kind ? -1 : 1;
    if (!r) r = vs_numcmp(x->pn, x->pnl, y->pn, y->pnl);
    return r;
}

/* golang.org/x/mod/semver.IsValid: v, then MAJOR[.MINOR[.PATCH[-pre][+build]]]. */
static int module_valid(const char *s)
{
    if (*s++ != 'v')
        return 0;
    for (int k = 0; k < 3; k++) {
        size_t n = vs_digits(s);
        if (!n || (n > 1 && s[0] == '0'))
            return 0;
        s += n;
        if (*s == '\0' && k < 2)
            return 1; /* shorthand */
        if (k < 2 && *s++ != '.')
            return 0;
    }
    for (int part = 0; part < 2; part++) {
        char lead = part ? '+' : '-';
        if (*s != lead)
            continue;
        s++;
        for (;;) {
            size_t st = 0;
            while (vs_isalnum(s[st]) || s[st] == '-')
                st++;
            if (!st)
                return 0;
            if (!part && st > 1 && s[0] == '0' && strspn(s, "0123456789") >= st)
                return 0; /* numeric prerelease identifier with a leading zero */
            s += st;
            if (*s != '.')
                break;
            s++;
        }
    }
    return *s == '\0';
}

int comb_vs_go_valid(const char *v)
{
    tc t;
    return module_valid(v) || parse_toolchain(v, &t);
}

int comb_vs_go_cmp(const char *a, const char *b)
{
    tc x, y;
    if (parse_toolchain(a, &x) && parse_toolchain(b, &y))
        return cmp_toolchain(&x, &y);
    if (a[0] == 'g' && a[1] == 'o')
        a += 2;
    if (b[0] == 'g' && b[1] == 'o')
        b += 2;
    return comb_vs_semverlike_cmp(a, b, 0);
}
