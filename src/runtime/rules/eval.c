/* eval.c - conditions on one event, and the event-type dispatch.
 *
 * Semantics (Falco's):
 *  - a field that cannot be extracted makes every comparison false, except
 *    that `not` still negates (so `not proc.pname exists` is true);
 *  - a field with several values (proc.aname, fd.ip, fd.port, ...) matches
 *    when any value matches; `!=` is true when no value equals;
 *  - `in`, `intersects`: any value in the set; `pmatch`: a path at or below
 *    one of the prefixes (prefixes may hold globs);
 *  - `glob` uses *, ? and [...] classes, * crosses '/';
 *  - `regex` must match the whole value (PCRE2, bounded backtracking).
 * Recursion depth is bounded by the compiler (COMB_RULES_MAX_DEPTH). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rules/ruleset_internal.h"

/* ---- glob -------------------------------------------------------------------- */

/* One [...] class at pat[*pi] against c; advances *pi past it. */
static int class_match(const char *pat, size_t plen, size_t *pi, char c, int icase)
{
    size_t i = *pi + 1;
    int negate = 0, hit = 0;
    if (i < plen && (pat[i] == '!' || pat[i] == '^')) {
        negate = 1;
        i++;
    }
    size_t first = i;
    for (; i < plen && (pat[i] != ']' || i == first); i++) {
        char lo = pat[i], hi = lo;
        if (i + 2 < plen && pat[i + 1] == '-' && pat[i + 2] != ']') {
            hi = pat[i + 2];
            i += 2;
        }
        char cc = c;
        if (icase) {
            cc = (char)tolower((unsigned char)c);
            lo = (char)tolower((unsigned char)lo);
            hi = (char)tolower((unsigned char)hi);
        }
        if (cc >= lo && cc <= hi)
            hit = 1;
    }
    if (i >= plen)
        return -1; /* unterminated: the caller treats '[' literally */
    *pi = i + 1;
    return hit != negate;
}

static int char_eq(char a, char b, int icase)
{
    return icase ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

/* Iterative matcher with one backtrack point per '*': O(len(pat) * len(s)). */
int comb_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int icase)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < slen) {
        if (pi < plen) {
            char pc = pat[pi];
            if (pc == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (pc == '?') {
                pi++;
                si++;
                continue;
            }
            if (pc == '[') {
                size_t np = pi;
                int m = class_match(pat, plen, &np, s[si], icase);
                if (m == 1) {
                    pi = np;
                    si++;
                    continue;
                }
                if (m < 0 && s[si] == '[') {
                    pi++;
                    si++;
                    continue;
                }
            } else if (pc == '\\' && pi + 1 < plen && char_eq(pat[pi + 1], s[si], icase)) {
                pi += 2;
                si++;
                continue;
            } else if (char_eq(pc, s[si], icase)) {
                pi++;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && pat[pi] == '*')
        pi++;
    return pi == plen;
}

/* ---- pmatch ------------------------------------------------------------------ */

static int has_glob(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return 1;
    return 0;
}

/* Is path at or below prefix? Globs in the prefix match whole components. */
static int path_under(const char *prefix, size_t plen, const char *path, size_t len)
{
    while (plen > 1 && prefix[plen - 1] == '/')
        plen--;
    if (!has_glob(prefix, plen)) {
        if (plen == 1 && prefix[0] == '/')
            return len > 0 && path[0] == '/';
        return len >= plen && memcmp(path, prefix, plen) == 0 &&
               (len == plen || path[plen] == '/');
    }
    size_t comps = 0;
    for (size_t i = 0; i < plen; i++)
        comps += prefix[i] == '/';
    size_t cut = 0, seen = 0;
    for (; cut < len; cut++)
        if (path[cut] == '/' && ++seen > comps)
            break;
    return seen >= comps && comb_glob_match(prefix, plen, path, cut, 0);
}

/* ---- comparisons --------------------------------------------------------------- */

static const char *memmem_icase(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return h;
    for (size_t i = 0; i + nl <= hl; i++)
        if (strncasecmp(h + i, n, nl) == 0)
            return h + i;
    return NULL;
}

static int net_contains(const ipnet *net, const ipnet *addr)
{
    if (net->family != addr->family)
        return 0;
    int bits = net->prefix;
    size_t full = (size_t)bits / 8;
    if (memcmp(net->addr, addr->addr, full) != 0)
        return 0;
    int rest = bits % 8;
    if (!rest)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net->addr[full] & mask) == (addr->addr[full] & mask);
}

static int cmp3(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int order_ok(enum cop op, int c)
{
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    default: return 0;
    }
}

/* Numbers written as strings (evt.arg.*) compare as numbers when both are. */
static int str_as_int(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 20)
        return 0;
    char buf[24];
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end)
        return 0;
    *out = v;
    return 1;
}

static int str_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int64_t x, y;
    if (str_as_int(a, al, &x) && str_as_int(b, bl, &y))
        return cmp3(x, y);
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? (c < 0 ? -1 : 1) : cmp3((int64_t)al, (int64_t)bl);
}

static int match_str(comb_ruleset *rs, const ccheck *c, enum cop op, const comb_fvalue *v,
                     const cvalue *k)
{
    const char *s = v->s;
    size_t n = v->len;
    switch (op) {
    case OP_EQ:
    case OP_IN:
    case OP_INTERSECTS:
        return n == k->len && memcmp(s, k->s, n) == 0;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        return order_ok(op, str_cmp(s, n, k->s, k->len));
    case OP_CONTAINS:
    case OP_BCONTAINS:
        return memmem(s, n, k->s, k->len) != NULL;
    case OP_ICONTAINS:
        return memmem_icase(s, n, k->s, k->len) != NULL;
    case OP_STARTSWITH:
    case OP_BSTARTSWITH:
        return n >= k->len && memcmp(s, k->s, k->len) == 0;
    case OP_ENDSWITH:
        return n >= k->len && memcmp(s + n - k->len, k->s, k->len) == 0;
    case OP_GLOB:
        return comb_glob_match(k->s, k->len, s, n, 0);
    case OP_IGLOB:
        return comb_glob_match(k->s, k->len, s, n, 1);
    case OP_PMATCH:
        return path_under(k->s, k->len, s, n);
    case OP_REGEX: {
        int r = pcre2_match(c->re, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                            rs->md, rs->mctx);
        return r >= 0;
    }
    default:
        return 0;
    }
}

static int match_value(comb_ruleset *rs, const ccheck *c, comb_ftype t, enum cop op,
                       const comb_fvalue *v, const cvalue *k)
{
    switch (t) {
    case COMB_FT_STR:
        return match_str(rs, c, op, v, k);
    case COMB_FT_INT:
    case COMB_FT_BOOL:
        if (op == OP_IN || op == OP_INTERSECTS)
            op = OP_EQ;
        return order_ok(op, cmp3(v->i, k->i));
    case COMB_FT_IP:
    case COMB_FT_NET: {
        ipnet a;
        if (!v->s || ipnet_parse(v->s, v->len, &a))
            return 0;
        return net_contains(&k->net, &a);
    }
    }
    return 0;
}

static int in_set(const ccheck *c, const comb_fvalue *v)
{
    for (size_t h = value_hash(v->s, v->len) & (c->setcap - 1);; h = (h + 1) & (c->setcap - 1)) {
        uint32_t slot = c->set[h];
        if (!slot)
            return 0;
        const cvalue *k = &c->vals[slot - 1];
        if (k->len == v->len && memcmp(k->s, v->s, v->len) == 0)
            return 1;
    }
}

/* Does any extracted value satisfy `op` against any of the check's values? */
static int any_match(comb_ruleset *rs, const ccheck *c, enum cop op, const comb_fvalues *vals)
{
    if (c->set && (op == OP_IN || op == OP_INTERSECTS)) {
        for (size_t i = 0; i < vals->n; i++)
            if (in_set(c, &vals->v[i]))
                return 1;
        return 0;
    }
    for (size_t i = 0; i < vals->n; i++)
        for (size_t k = 0; k < c->nvals; k++)
            if (match_value(rs, c, c->lhs.type, op, &vals->v[i], &c->vals[k]))
                return 1;
    return 0;
}

/* Two fields compared (val()). */
static int match_fields(comb_ruleset *rs, const ccheck *c, enum cop op, const comb_fvalues *a,
                        const comb_fvalues *b)
{
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < b->n; k++) {
            cvalue kv = { .s = b->v[k].s, .len = b->v[k].len, .i = b->v[k].i };
            if (c->lhs.type == COMB_FT_IP || c->lhs.type == COMB_FT_NET) {
                if (!kv.s || ipnet_parse(kv.s, kv.len, &kv.net))
                    continue;
            }
            if (match_value(rs, c, c->lhs.type, op, &a->v[i], &kv))
                return 1;
        }
    return 0;
}

/* ---- transformers -------------------------------------------------------------- */

static size_t b64_decode(const char *in, size_t n, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '=')
            break;
        const char *p = memchr(tbl, in[i], 64);
        if (!p || !in[i])
            return (size_t)-1;
        acc = (acc << 6) | (uint32_t)(p - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    return o;
}

static void apply_xform(comb_ruleset *rs, int xf, comb_fvalue *v, int *drop)
{
    comb_scratch *x = &rs->scratch;
    if (xf == XF_LEN) {
        v->i = (int64_t)v->len;
        v->s = NULL;
        return;
    }
    if (xf == XF_BASENAME) {
        const char *slash = NULL;
        for (size_t i = 0; i < v->len; i++)
            if (v->s[i] == '/')
                slash = v->s + i;
        if (slash) {
            v->len -= (size_t)(slash + 1 - v->s);
            v->s = slash + 1;
        }
        return;
    }
    if (xf == XF_TRIM) {
        while (v->len && isspace((unsigned char)v->s[0])) {
            v->s++;
            v->len--;
        }
        while (v->len && isspace((unsigned char)v->s[v->len - 1]))
            v->len--;
        return;
    }
    if (x->cap - x->used < v->len + 1) {
        *drop = 1; /* out of scratch: the value is treated as absent */
        return;
    }
    char *out = x->buf + x->used;
    size_t n = v->len;
    if (xf == XF_B64) {
        n = b64_decode(v->s, v->len, out);
        if (n == (size_t)-1) {
            *drop = 1;
            return;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            out[i] = (char)(xf == XF_TOLOWER ? tolower((unsigned char)v->s[i])
                                             : toupper((unsigned char)v->s[i]));
    }
    out[n] = '\0';
    x->used += n + 1;
    v->s = out;
    v->len = n;
}

size_t operand_extract(comb_ruleset *rs, const operand *o, const comb_event *ev,
                       comb_fvalues *out)
{
    comb_field_extract(ev, &o->ref, out, &rs->scratch);
    if (!o->nxf)
        return out->n;
    size_t keep = 0;
    for (size_t i = 0; i < out->n; i++) {
        comb_fvalue v = out->v[i];
        int drop = 0;
        for (int k = 0; k < o->nxf && !drop; k++)
            apply_xform(rs, o->xf[k], &v, &drop);
        if (!drop)
            out->v[keep++] = v;
    }
    out->n = keep;
    return keep;
}

/* ---- the tree -------------------------------------------------------------------- */

static int eval_check(comb_ruleset *rs, const ccheck *c, const comb_event *ev)
{
    comb_fvalues vals;
    size_t mark = rs->scratch.used;
    int r;
    if (!operand_extract(rs, &c->lhs, ev, &vals)) {
        r = 0;
    } else if (c->op == OP_EXISTS) {
        r = 1;
    } else if (c->rhs_is_field) {
        comb_fvalues *other = malloc(sizeof *other);
        if (!other) {
            r = 0;
        } else {
            operand_extract(rs, &c->rhs, ev, other);
            if (c->op == OP_NE)
                r = other->n && !match_fields(rs, c, OP_EQ, &vals, other);
            else
                r = match_fields(rs, c, c->op, &vals, other);
            free(other);
        }
    } else if (c->op == OP_NE) {
        r = !any_match(rs, c, OP_EQ, &vals);
    } else {
        r = any_match(rs, c, c->op, &vals);
    }
    rs->scratch.used = mark;
    return r;
}

int cond_eval(comb_ruleset *rs, const cnode *n, const comb_event *ev)
{
    switch (n->kind) {
    case CN_AND:
        for (size_t i = 0; i < n->n; i++)
            if (!cond_eval(rs, n->kids[i], ev))
                return 0;
        return 1;
    case CN_OR:
        for (size_t i = 0; i < n->n; i++)
            if (cond_eval(rs, n->kids[i], ev))
                return 1;
        return 0;
    case CN_NOT:
        return !cond_eval(rs, n->kids[0], ev);
    case CN_CHECK:
        return eval_check(rs, n->check, ev);
    case CN_TRUE:
        return 1;
    case CN_MACRO:
        return 0; /* unresolved: never reached after compile */
    }
    return 0;
}

size_t comb_ruleset_eval(comb_ruleset *rs, const comb_event *ev, comb_rule_match_fn fn, void *ud)
{
    if (!rs->compiled)
        return 0;
    const size_t *typed = NULL;
    size_t ntyped = 0;
    uintptr_t id = ev->type ? (uintptr_t)comb_namemap_get(&rs->type_ids, ev->type) : 0;
    if (id && id - 1 < rs->nindexed) {
        typed = rs->by_type[id - 1];
        ntyped = rs->by_type_n[id - 1];
    }
    /* Merge the rules for this type with the untyped ones, in rule order. */
    size_t a = 0, b = 0, matched = 0;
    while (a < ntyped || b < rs->nany) {
        size_t idx;
        if (b >= rs->nany || (a < ntyped && typed[a] < rs->any_type[b]))
            idx = typed[a++];
        else
            idx = rs->any_type[b++];
        comb_rule *r = rs->rulev[idx];
        rs->scratch.used = 0;
        if (!cond_eval(rs, r->root, ev))
            continue;
        matched++;
        if (fn && fn(ud, r, ev))
            break;
    }
    rs->scratch.used = 0;
    return matched;
}
