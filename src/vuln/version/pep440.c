/* pep440.c - Python version ordering per PEP 440 (and the "packaging"
 * library's Version): [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with the
 * spec's normalisation (case-insensitive; alpha/beta/c/pre/preview/rev/r
 * spellings; '-', '_' or '.' separators or none; implicit numbers 0;
 * "1.0-1" as a post release; leading "v"). Order: epoch, release (trailing
 * zeros ignored), pre (a dev release with no pre/post sorts before any
 * pre), post, dev, local (numeric segments above alphanumeric ones).
 * Strings that are not PEP 440 ("legacy" versions) sort before every
 * PEP 440 version and among themselves by setuptools' old legacy key. */
#include "vuln/version/schemes.h"

typedef struct pv {
    const char *ep; size_t epl;
    const char *rel; size_t rell;
    int pre;            /* 0 none, 1 a, 2 b, 3 rc */
    const char *pren; size_t prenl;
    int post;
    const char *postn; size_t postnl;
    int dev;
    const char *devn; size_t devnl;
    const char *loc; size_t locl;
} pv;

static int sep(int c) { return c == '-' || c == '_' || c == '.'; }

/* Case-insensitive prefix match of word at s. */
static size_t word(const char *s, const char *w)
{
    size_t n = strlen(w);
    for (size_t i = 0; i < n; i++)
        if (vs_lower((unsigned char)s[i]) != w[i])
            return 0;
    return n;
}

/* [sep]label[sep][N]; returns consumed length or 0. */
static size_t lettered(const char *s, const char *const *labels, int *which, const char **n, size_t *nl)
{
    size_t i = sep(*s) ? 1 : 0;
    size_t l = 0;
    int k;
    for (k = 0; labels[k]; k++)
        if ((l = word(s + i, labels[k])))
            break;
    if (!l)
        return 0;
    *which = k;
    i += l;
    /* the separator after the label is taken even without a number
     * ("1.0a." is 1.0a0), as packaging's regular expression does */
    i += sep(s[i]) ? 1 : 0;
    size_t d = vs_digits(s + i);
    *n = d ? s + i : "0";
    *nl = d ? d : 1;
    return i + d;
}

static int parse(const char *s, pv *o)
{
    memset(o, 0, sizeof *o);
    if (*s == 'v' || *s == 'V')
        s++;
    size_t d = vs_digits(s);
    if (!d)
        return 0;
    if (s[d] == '!') {
        o->ep = s;
        o->epl = d;
        s += d + 1;
    } else {
        o->ep = "0";
        o->epl = 1;
    }
    o->rel = s;
    for (;;) {
        d = vs_digits(s);
        if (!d)
            return 0;
        s += d;
        if (s[0] == '.' && vs_isdigit(s[1]))
            s++;
        else
            break;
    }
    o->rell = (size_t)(s - o->rel);
    static const char *const PRE[] = {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc", NULL};
    static const int PREK[] = {1, 1, 2, 2, 3, 3, 3, 3};
    static const char *const POST[] = {"post", "rev", "r", NULL};
    static const char *const DEV[] = {"dev", NULL};
    int k;
    size_t n = lettered(s, PRE, &k, &o->pren, &o->prenl);
    if (n) {
        o->pre = PREK[k];
        s += n;
    }
    if (s[0] == '-' && vs_isdigit(s[1])) {
        o->post = 1;
        o->postn = s + 1;
        o->postnl = vs_digits(s + 1);
        s += 1 + o->postnl;
    } else if ((n = lettered(s, POST, &k, &o->postn, &o->postnl))) {
        o->post = 1;
        s += n;
    }
    if ((n = lettered(s, DEV, &k, &o->devn, &o->devnl))) {
        o->dev = 1;
        s += n;
    }
    if (*s == '+') {
        o->loc = ++s;
        for (;;) {
            size_t m = 0;
            while (vs_isalnum(s[m]))
                m++;
            if (!m)
                return 0;
            s += m;
            if (!sep(*s))
                break;
            s++;
        }
        o->locl = (size_t)(s - o->loc);
    }
    return *s == '\0';
}

static int cmp_release(const pv *x, const pv *y)
{
    const char *p = x->rel, *q = y->rel, *pe = p + x->rell, *qe = q + y->rell;
    while (p < pe || q < qe) {
        size_t a = p < pe ? vs_digits(p) : 0, b = q < qe ? vs_digits(q) : 0;
        int r = vs_numcmp(p < pe ? p : "0", p < pe ? a : 1, q < qe ? q : "0", q < qe ? b : 1);
        if (r)
            return r;
        if (p < pe) p += a + 1;
        if (q < qe) q += b + 1;
    }
    return 0;
}

static int cmp_local(const pv *x, const pv *y)
{
    if (!x->locl || !y->locl)
        return x->locl ? 1 : y->locl ? -1 : 0;
    const char *p = x->loc, *q = y->loc, *pe = p + x->locl, *qe = q + y->locl;
    for (;;) {
        if (p >= pe || q >= qe)
            return p < pe ? 1 : q < qe ? -1 : 0;
        size_t a = 0, b = 0;
        while (p + a < pe && !sep(p[a])) a++;
        while (q + b < qe && !sep(q[b])) b++;
        int na = vs_digits(p) >= a, nb = vs_digits(q) >= b;
        int r;
        if (na && nb)
            r = vs_numcmp(p, a, q, b);
        else if (na != nb)
            r = na ? 1 : -1;
        else
            r = vs_strcmp(p, a, q, b, 1);
        if (r)
            return r;
        p += a + 1;
        q += b + 1;
    }
}

static int cmp_valid(const pv *x, const pv *y)
{
    int r = vs_numcmp(x->ep, x->epl, y->ep, y->epl);
    if (r || (r = cmp_release(x, y)))
        return r;
    /* pre: a bare dev release < any pre < none */
    int kx = (!x->pre && !x->post && x->dev) ? -1 : x->pre ? x->pre : 9;
    int ky = (!y->pre && !y->post && y->dev) ? -1 : y->pre ? y->pre : 9;
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->pre && (r = vs_numcmp(x->pren, x->prenl, y->pren, y->prenl)))
        return r;
    if (x->post != y->post)
        return x->post ? 1 : -1;
    if (x->post && (r = vs_numcmp(x->postn, x->postnl, y->postn, y->postnl)))
        return r;
    if (x->dev != y->dev)
        return x->dev ? -1 : 1;
    if (x->dev && (r = vs_numcmp(x->devn, x->devnl, y->devn, y->devnl)))
        return r;
    return cmp_local(x, y);
}

/* ---- legacy versions: setuptools' old parse_version key ---- */

typedef struct lpart {
    const char *s; size_t n; /* lowercase source text, or a literal */
    int kind;                /* 0 digits (zero-padded to 8), 1 "*"+text */
} lpart;

#define LMAX (COMB_VERSION_MAX + 2)

static const char FINAL[] = "final";

static size_t legacy_key(const char *s, lpart *out)
{
    size_t np = 0;
    const char *p = s;
    for (;;) {
        lpart part;
        if (*p == '\0') {
            part = (lpart){FINAL, 5, 1};
        } else if (vs_isdigit(*p)) {
            size_t d = vs_digits(p);
            part = (lpart){p, d, 0};
            p += d;
        } else if (vs_isalpha(*p)) {
            size_t d = vs_alphas(p);
            part = (lpart){p, d, 1};
            p += d;
            if (d == 3 && word(part.s, "pre")) part = (lpart){"c", 1, 1};
            else if (d == 7 && word(part.s, "preview")) part = (lpart){"c", 1, 1};
            else if (d == 2 && word(part.s, "rc")) part = (lpart){"c", 1, 1};
            else if (d == 3 && word(part.s, "dev")) part = (lpart){"@", 1, 1};
        } else if (*p == '-') {
            part = (lpart){"final-", 6, 1};
            p++;
        } else {
            p++; /* '.' and anything else the regex skips */
            continue;
        }
        if (part.kind == 1) {
            /* "*"+text < "*final": drop trailing "*final-" parts */
            if (vs_strcmp(part.s, part.n, "final", 5, 1) < 0)
                while (np && out[np - 1].kind == 1 && out[np - 1].n == 6 &&
                       memcmp(out[np - 1].s, "final-", 6) == 0)
                    np--;
            while (np && out[np - 1].kind == 0 && vs_numcmp(out[np - 1].s, out[np - 1].n, "0", 1) == 0 &&
                   out[np - 1].n <= 8)
                np--;
        }
        if (np < LMAX)
            out[np++] = part;
        if (*p == '\0' && part.s == FINAL)
            break;
    }
    return np;
}

/* Compare two legacy parts as the strings "%08d"-padded digits or "*text". */
static int lpart_cmp(const lpart *a, const lpart *b)
{
    if (a->kind != b->kind) /* '*' (42) sorts before '0' (48) */
        return a->kind ? -1 : 1;
    if (a->kind == 0) {
        /* zero-padded to 8: numbers up to 8 digits compare by value, longer
         * ones as strings of their own length */
        if (a->n <= 8 && b->n <= 8)
            return vs_numcmp(a->s, a->n, b->s, b->n);
        char x[COMB_VERSION_MAX + 9], y[COMB_VERSION_MAX + 9];
        size_t xl = a->n < 8 ? 8 : a->n, yl = b->n < 8 ? 8 : b->n;
        memset(x, '0', xl - a->n);
        memcpy(x + xl - a->n, a->s, a->n);
        memset(y, '0', yl - b->n);
        memcpy(y + yl - b->n, b->s, b->n);
        return vs_strcmp(x, xl, y, yl, 0);
    }
    return vs_strcmp(a->s, a->n, b->s, b->n, 1);
}

static int cmp_legacy(const char *a, const char *b)
{
    lpart x[LMAX], y[LMAX];
    size_t nx = legacy_key(a, x), ny = legacy_key(b, y);
    for (size_t i = 0; i < nx && i < ny; i++) {
        int r = lpart_cmp(&x[i], &y[i]);
        if (r)
            return r;
    }
    return nx == ny ? 0 : (nx < ny ? -1 : 1);
}

int comb_vs_pep440_strict(const char *v)
{
    pv p;
    return parse(v, &p);
}

int comb_vs_pep440_valid(const char *v)
{
    /* legacy versions are accepted when they hold a letter or digit */
    for (; *v; v++)
        if (vs_isalnum(*v))
            return 1;
    return 0;
}

int comb_vs_pep440_cmp(const char *a, const char *b)
{
    pv x, y;
    int va = parse(a, &x), vb = parse(b, &y);
    if (va && vb)
        return cmp_valid(&x, &y);
    if (va != vb)
        return va ? 1 : -1;
    return cmp_legacy(a, b);
}
