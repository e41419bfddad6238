/* maven.c - Maven version ordering, after Maven's ComparableVersion
 * (maven-artifact): the version splits at '.', '-' and digit/letter
 * transitions (a transition counts as '-'); numbers compare by value;
 * qualifiers order alpha < beta < milestone < rc (= cr) < snapshot <
 * "" (= ga = final = release) < sp < other strings (alphabetically), and
 * a, b, m directly followed by a digit mean alpha, beta, milestone;
 * case is ignored; trailing null items (0, "", ga, final, release) of each
 * '-' group are dropped, and a missing item is padded with the null of its
 * kind. Items under different separators order as
 * ".qualifier" < "-qualifier" < "-number" < ".number". Kept flat (no
 * nested lists) so it runs without recursion or allocation. */
#include "vuln/version/schemes.h"

typedef struct mtok {
    char prefix;     /* '.', '-' or 0 for the first item */
    const char *s;   /* value (lowercase when it points at a literal) */
    size_t n;
    int num;         /* all digits */
    int null;        /* padding item */
    int dead;        /* trimmed */
} mtok;

#define MTOK_MAX (2 * COMB_VERSION_MAX + 2)

static const char *const KEYWORDS[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
#define NKEYWORDS 7

static int tok_is(const mtok *t, const char *w)
{
    return !t->num && vs_strcmp(t->s, t->n, w, strlen(w), 1) == 0;
}

static size_t tokenize(const char *v, mtok *out)
{
    size_t nt = 0;
    char prefix = 0;
    const char *p = v;
    for (;;) {
        size_t rl = strcspn(p, ".-");
        /* split the raw token at digit/non-digit transitions */
        size_t i = 0;
        int first = 1;
        do {
            size_t st = i;
            if (i < rl) {
                int d = vs_isdigit(p[i]);
                while (i < rl && vs_isdigit(p[i]) == d)
                    i++;
            }
            mtok t = {first ? prefix : '-', p + st, i - st, 0, 0, 0};
            first = 0;
            if (t.n == 0) {
                t.s = "0";
                t.n = 1;
            }
            t.num = vs_digits(t.s) >= t.n;
            if (tok_is(&t, "cr"))
                t.s = "rc", t.n = 2;
            else if (tok_is(&t, "ga") || tok_is(&t, "final") || tok_is(&t, "release"))
                t.s = "", t.n = 0;
            else if (i < rl && t.n == 1 && !t.num) {
                int c = vs_lower((unsigned char)t.s[0]);
                if (c == 'a') t.s = "alpha", t.n = 5;
                else if (c == 'b') t.s = "beta", t.n = 4;
                else if (c == 'm') t.s = "milestone", t.n = 9;
            }
            if (nt < MTOK_MAX)
                out[nt++] = t;
        } while (i < rl);
        p += rl;
        if (!*p)
            break;
        prefix = *p++;
    }
    /* drop trailing null items of each '-' group, from the end */
    size_t i = nt - 1;
    while (i > 0) {
        mtok *t = &out[i];
        if ((t->num && vs_numcmp(t->s, t->n, "0", 1) == 0) || (!t->num && t->n == 0)) {
            t->dead = 1;
            i--;
            continue;
        }
        while (out[i].prefix != '-' && i > 0)
            i--;
        if (out[i].prefix != '-')
            break;
        if (i == 0)
            break;
        i--;
    }
    size_t k = 0;
    for (size_t j = 0; j < nt; j++)
        if (!out[j].dead)
            out[k++] = out[j];
    return k;
}

static int tok_eq(const mtok *a, const mtok *b)
{
    if (a->prefix != b->prefix || a->num != b->num)
        return 0;
    if (a->num)
        return vs_numcmp(a->s, a->n, b->s, b->n) == 0;
    return vs_strcmp(a->s, a->n, b->s, b->n, 1) == 0;
}

static int keyword_index(const mtok *t)
{
    for (int k = 0; k < NKEYWORDS; k++)
        if (tok_is(t, KEYWORDS[k]))
            return k;
    return NKEYWORDS;
}

static int qualifier_order(const mtok *t)
{
    if (t->num)
        return t->prefix == '-' ? 2 : 3;
    return t->prefix == '-' ? 1 : 0;
}

/* Order of two unequal items. */
static int tok_cmp(const mtok *a, const mtok *b)
{
    if (a->prefix != b->prefix) {
        int x = qualifier_order(a), y = qualifier_order(b);
        return x == y ? 0 : (x < y ? -1 : 1);
    }
    if (a->num && b->num)
        return vs_numcmp(a->s, a->n, b->s, b->n);
    if (a->num && !a->null)
        return 1;
    if (b->num && !b->null)
        return -1;
    int x = keyword_index(a), y = keyword_index(b);
    if (x == NKEYWORDS && y == NKEYWORDS)
        return vs_strcmp(a->s, a->n, b->s, b->n, 1);
    return x == y ? 0 : (x < y ? -1 : 1);
}

static mtok null_for(const mtok *t)
{
    mtok n = {t->prefix, "", 0, 0, 1, 0};
    if (t->prefix == '.' && !tok_is(t, "sp"))
        n.s = "0", n.n = 1, n.num = 1;
    return n;
}

int comb_vs_maven_valid(const char *v)
{
    (void)v; /* ComparableVersion accepts any string */
    return 1;
}

int comb_vs_maven_cmp(const char *a, const char *b)
{
    mtok x[MTOK_MAX], y[MTOK_MAX];
    size_t nx = tokenize(a, x), ny = tokenize(b, y);
    size_t n = nx > ny ? nx : ny;
    for (size_t i = 0; i < n; i++) {
        mtok l = i < nx ? x[i] : null_for(&y[i]);
        mtok r = i < ny ? y[i] : null_for(&x[i]);
        int c;
        if (!tok_eq(&l, &r) && (c = tok_cmp(&l, &r)) != 0)
            return c;
    }
    return 0;
}
