/* compile.c - from loaded definitions to evaluable rules.
 *
 * For each enabled syscall rule: parse the condition, add its exceptions as
 * "and not (...)", resolve macros (each once, shared by every user, cycles
 * detected), bind fields and typed values (lists expanded, regexes compiled),
 * then index the rule by the event types that can satisfy it. A rule that
 * fails any step is disabled and reported by name with the reason.
 *
 * Work is bounded: nesting depth and node count after macro expansion per
 * rule, values per comparison, and a global budget for the whole ruleset. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rules/ruleset_internal.h"

#define COMPILE_BUDGET 50000000u
#define MAX_TYPES 1024

/* ---- operands and values ------------------------------------------------- */

int operand_bind(operand *o, comb_arena *a, char *why, size_t whysize)
{
    size_t len = strlen(o->text);
    char *key = comb_arena_alloc(a, len + 1);
    if (!key) {
        snprintf(why, whysize, "out of memory");
        return -1;
    }
    if (comb_field_parse(o->text, len, &o->ref, key, why, whysize))
        return -1;
    comb_ftype t = o->ref.desc->type;
    for (int i = 0; i < o->nxf; i++) {
        if (t != COMB_FT_STR) {
            snprintf(why, whysize, "transformer on %s needs a string field", o->text);
            return -1;
        }
        if (o->xf[i] == XF_LEN)
            t = COMB_FT_INT;
    }
    o->type = t;
    return 0;
}

static int parse_int(const char *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 20)
        return -1;
    char buf[24];
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 0);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "10.0.0.0/8", "::1", "192.168.1.1" -> network (an address is /32 or /128). */
int ipnet_parse(const char *s, size_t len, ipnet *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(out, 0, sizeof *out);
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = 4;
        out->prefix = 32;
    } else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = 6;
        out->prefix = 128;
    } else {
        return -1;
    }
    if (slash) {
        int64_t p;
        if (parse_int(slash + 1, strlen(slash + 1), &p) || p < 0 || p > out->prefix)
            return -1;
        out->prefix = (int)p;
    }
    return 0;
}

/* "\"quoted\"" list items lose their quotes (with the condition's escapes). */
static void unquote(comb_arena *a, const char *s, rawval *v)
{
    size_t n = strlen(s);
    v->s = s;
    v->len = n;
    v->quoted = 0;
    if (n < 2 || (s[0] != '"' && s[0] != '\'') || s[n - 1] != s[0])
        return;
    char *out = comb_arena_alloc(a, n);
    if (!out)
        return;
    size_t k = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n && (s[i + 1] == '"' || s[i + 1] == '\'' || s[i + 1] == '\\'))
            i++;
        out[k++] = s[i];
    }
    out[k] = '\0';
    v->s = out;
    v->len = k;
    v->quoted = 1;
}

typedef struct valbuf {
    rawval *v;
    size_t n, cap;
} valbuf;

static int add_val(comb_ruleset *rs, valbuf *b, const rawval *v, char *why, size_t whysize)
{
    if (b->n >= COMB_RULES_MAX_VALUES) {
        snprintf(why, whysize, "more than %u values after list expansion", COMB_RULES_MAX_VALUES);
        return -1;
    }
    if (rs->budget == 0) {
        snprintf(why, whysize, "ruleset too large to compile");
        return -1;
    }
    rs->budget--;
    if (comb_vec_reserve(&rs->carena, (void **)&b->v, &b->cap, b->n, sizeof *b->v)) {
        snprintf(why, whysize, "out of memory");
        return -1;
    }
    b->v[b->n++] = *v;
    return 0;
}

/* A value that names a list becomes the list's items (recursively). */
static int expand_value(comb_ruleset *rs, valbuf *b, const rawval *v, int depth, char *why,
                        size_t whysize)
{
    rs_list *l = v->quoted ? NULL : comb_namemap_get(&rs->lists, v->s);
    if (!l)
        return add_val(rs, b, v, why, whysize);
    if (depth >= COMB_RULES_MAX_LIST_DEPTH || l->state == 1) {
        snprintf(why, whysize, "list %s refers to itself or nests deeper than %d", l->name,
                 COMB_RULES_MAX_LIST_DEPTH);
        return -1;
    }
    l->used = 1;
    l->state = 1;
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        rawval item;
        unquote(&rs->carena, l->items[i], &item);
        rc = expand_value(rs, b, &item, depth + 1, why, whysize);
    }
    l->state = 0;
    return rc;
}

static int is_list_op(enum cop op)
{
    return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

static const char *op_name(enum cop op)
{
    static const char *const names[] = {
        "=", "!=", "<", "<=", ">", ">=", "contains", "icontains", "startswith", "endswith",
        "bcontains", "bstartswith", "glob", "iglob", "in", "intersects", "pmatch", "exists",
        "regex",
    };
    return names[op];
}

static int op_allowed(comb_ftype t, enum cop op)
{
    switch (t) {
    case COMB_FT_STR:
        return 1;
    case COMB_FT_INT:
        return op <= OP_GE || op == OP_IN || op == OP_INTERSECTS || op == OP_EXISTS;
    case COMB_FT_BOOL:
        return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_EXISTS;
    case COMB_FT_IP:
    case COMB_FT_NET:
        return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS ||
               op == OP_EXISTS;
    }
    return 0;
}

static int add_type_name(comb_ruleset *rs, const char *name, char *why, size_t whysize)
{
    if (comb_namemap_get(&rs->type_ids, name))
        return 0;
    if (rs->ntypes >= MAX_TYPES) {
        snprintf(why, whysize, "more than %d distinct event types", MAX_TYPES);
        return -1;
    }
    if (comb_vec_reserve(&rs->carena, (void **)&rs->type_names, &rs->typecap, rs->ntypes,
                         sizeof *rs->type_names) ||
        comb_namemap_put(&rs->type_ids, name, (void *)(uintptr_t)(rs->ntypes + 1))) {
        snprintf(why, whysize, "out of memory");
        return -1;
    }
    rs->type_names[rs->ntypes++] = name;
    return 0;
}

static int is_evt_type(const ccheck *c)
{
    return !c->rhs_is_field && c->lhs.nxf == 0 && !c->lhs.ref.has_arg &&
           strcmp(c->lhs.ref.desc->name, "evt.type") == 0 &&
           (c->op == OP_EQ || c->op == OP_IN || c->op == OP_INTERSECTS);
}

static int bind_check(comb_ruleset *rs, ccheck *c, char *why, size_t whysize)
{
    if (operand_bind(&c->lhs, &rs->carena, why, whysize))
        return -1;
    comb_ftype t = c->lhs.type;
    if (!op_allowed(t, c->op)) {
        snprintf(why, whysize, "operator %s is not supported on %s (%s)", op_name(c->op),
                 c->lhs.text, comb_ftype_name(t));
        return -1;
    }
    if (c->op == OP_EXISTS)
        return 0;
    if (c->rhs_is_field) {
        if (operand_bind(&c->rhs, &rs->carena, why, whysize))
            return -1;
        if (is_list_op(c->op) || c->op == OP_REGEX || c->op == OP_BCONTAINS ||
            c->op == OP_BSTARTSWITH) {
            snprintf(why, whysize, "operator %s cannot compare two fields", op_name(c->op));
            return -1;
        }
        if ((c->rhs.type == COMB_FT_STR) != (t == COMB_FT_STR)) {
            snprintf(why, whysize, "%s and %s have different types", c->lhs.text, c->rhs.text);
            return -1;
        }
        return 0;
    }
    valbuf b = { 0 };
    if (is_list_op(c->op)) {
        for (size_t i = 0; i < c->nraw; i++)
            if (expand_value(rs, &b, &c->raw[i], 0, why, whysize))
                return -1;
    } else {
        if (c->list_syntax || c->nraw != 1) {
            snprintf(why, whysize, "operator %s on %s takes one value, not a list",
                     op_name(c->op), c->lhs.text);
            return -1;
        }
        if (add_val(rs, &b, &c->raw[0], why, whysize))
            return -1;
    }
    c->vals = comb_arena_calloc(&rs->carena, b.n ? b.n : 1, sizeof *c->vals);
    if (!c->vals) {
        snprintf(why, whysize, "out of memory");
        return -1;
    }
    c->nvals = b.n;
    for (size_t i = 0; i < b.n; i++) {
        cvalue *v = &c->vals[i];
        const rawval *r = &b.v[i];
        v->s = r->s;
        v->len = r->len;
        switch (t) {
        case COMB_FT_INT:
            if (parse_int(r->s, r->len, &v->i)) {
                snprintf(why, whysize, "%s: '%.*s' is not a number", c->lhs.text,
                         (int)(r->len > 64 ? 64 : r->len), r->s);
                return -1;
            }
            break;
        case COMB_FT_BOOL:
            if (r->len == 4 && strncasecmp(r->s, "true", 4) == 0)
                v->i = 1;
            else if (r->len == 5 && strncasecmp(r->s, "false", 5) == 0)
                v->i = 0;
            else {
                snprintf(why, whysize, "%s: '%.*s' is not true or false", c->lhs.text,
                         (int)(r->len > 64 ? 64 : r->len), r->s);
                return -1;
            }
            break;
        case COMB_FT_IP:
        case COMB_FT_NET:
            if (ipnet_parse(r->s, r->len, &v->net)) {
                snprintf(why, whysize, "%s: '%.*s' is not an address or network", c->lhs.text,
                         (int)(r->len > 64 ? 64 : r->len), r->s);
                return -1;
            }
            break;
        case COMB_FT_STR:
            if (c->op == OP_BCONTAINS || c->op == OP_BSTARTSWITH) {
                if (r->len % 2) {
                    snprintf(why, whysize, "%s: %s needs hex bytes", c->lhs.text, op_name(c->op));
                    return -1;
                }
                char *bytes = comb_arena_alloc(&rs->carena, r->len / 2 + 1);
                if (!bytes) {
                    snprintf(why, whysize, "out of memory");
                    return -1;
                }
                for (size_t k = 0; k < r->len; k += 2) {
                    int hi = hexval(r->s[k]), lo = hexval(r->s[k + 1]);
                    if (hi < 0 || lo < 0) {
                        snprintf(why, whysize, "%s: %s needs hex bytes", c->lhs.text,
                                 op_name(c->op));
                        return -1;
                    }
                    bytes[k / 2] = (char)(hi * 16 + lo);
                }
                v->s = bytes;
                v->len = r->len / 2;
            }
            break;
        }
    }
    /* Long string lists (Falco's allow lists) are looked up by hash. */
    if (t == COMB_FT_STR && (c->op == OP_IN || c->op == OP_INTERSECTS) && c->nvals >= 8) {
        size_t cap = 16;
        while (cap < c->nvals * 2)
            cap *= 2;
        c->set = comb_arena_calloc(&rs->carena, cap, sizeof *c->set);
        if (!c->set) {
            snprintf(why, whysize, "out of memory");
            return -1;
        }
        c->setcap = cap;
        for (size_t i = 0; i < c->nvals; i++) {
            size_t h = value_hash(c->vals[i].s, c->vals[i].len) & (cap - 1);
            while (c->set[h])
                h = (h + 1) & (cap - 1);
            c->set[h] = (uint32_t)(i + 1);
        }
    }
    if (c->op == OP_REGEX) {
        int errcode;
        PCRE2_SIZE erroff;
        c->re = pcre2_compile((PCRE2_SPTR)c->vals[0].s, c->vals[0].len, 0,
                              &errcode, &erroff, NULL);
        if (!c->re) {
            PCRE2_UCHAR msg[128];
            pcre2_get_error_message(errcode, msg, sizeof msg);
            snprintf(why, whysize, "%s: bad regex at offset %zu: %s", c->lhs.text,
                     (size_t)erroff, (const char *)msg);
            return -1;
        }
        if (comb_vec_reserve(&rs->carena, (void **)&rs->regexes, &rs->regexcap, rs->nregexes,
                             sizeof *rs->regexes)) {
            pcre2_code_free(c->re);
            c->re = NULL;
            snprintf(why, whysize, "out of memory");
            return -1;
        }
        rs->regexes[rs->nregexes++] = c->re;
    }
    if (is_evt_type(c))
        for (size_t i = 0; i < c->nvals; i++)
            if (add_type_name(rs, c->vals[i].s, why, whysize))
                return -1;
    return 0;
}

/* ---- macro resolution ------------------------------------------------------ */

static cnode *resolve(comb_ruleset *rs, cnode *n, int level, size_t *size, size_t *depth,
                      char *why, size_t whysize);

static cnode *resolve_macro(comb_ruleset *rs, const char *name, int level, size_t *size,
                            size_t *depth, char *why, size_t whysize)
{
    rs_macro *m = comb_namemap_get(&rs->macros, name);
    if (!m) {
        snprintf(why, whysize, "undefined macro %s", name);
        return NULL;
    }
    m->used = 1;
    if (m->state == 1) {
        snprintf(why, whysize, "macro %s refers to itself (cycle)", name);
        return NULL;
    }
    if (m->state == 3) {
        snprintf(why, whysize, "%s", m->error);
        return NULL;
    }
    if (m->state == 0) {
        m->state = 1;
        char inner[512];
        cnode *root = cond_parse(&rs->carena, m->cond, strlen(m->cond), inner, sizeof inner);
        if (root)
            root = resolve(rs, root, level + 1, &m->size, &m->depth, inner, sizeof inner);
        if (!root) {
            m->state = 3;
            if (strncmp(inner, "macro ", 6) == 0)
                snprintf(why, whysize, "%s", inner);
            else
                snprintf(why, whysize, "macro %s: %s", name, inner);
            m->error = comb_arena_strdup(&rs->carena, why);
            if (!m->error)
                m->error = "out of memory";
            return NULL;
        }
        m->root = root;
        m->state = 2;
    }
    *size = m->size;
    *depth = m->depth;
    return m->root;
}

static cnode *resolve(comb_ruleset *rs, cnode *n, int level, size_t *size, size_t *depth,
                      char *why, size_t whysize)
{
    if (level > COMB_RULES_MAX_DEPTH) {
        snprintf(why, whysize, "condition nests deeper than %d after macro expansion",
                 COMB_RULES_MAX_DEPTH);
        return NULL;
    }
    switch (n->kind) {
    case CN_MACRO:
        return resolve_macro(rs, n->macro, level, size, depth, why, whysize);
    case CN_CHECK:
        if (bind_check(rs, n->check, why, whysize))
            return NULL;
        *size = *depth = 1;
        return n;
    case CN_TRUE:
        *size = *depth = 1;
        return n;
    default: {
        size_t total = 1, deepest = 0;
        for (size_t i = 0; i < n->n; i++) {
            size_t s, d;
            cnode *k = resolve(rs, n->kids[i], level + 1, &s, &d, why, whysize);
            if (!k)
                return NULL;
            n->kids[i] = k;
            total = total + s > COMB_RULES_MAX_NODES ? COMB_RULES_MAX_NODES + 1 : total + s;
            if (d > deepest)
                deepest = d;
        }
        if (total > COMB_RULES_MAX_NODES) {
            snprintf(why, whysize, "condition has more than %u nodes after macro expansion",
                     COMB_RULES_MAX_NODES);
            return NULL;
        }
        if (deepest + 1 > COMB_RULES_MAX_DEPTH) {
            snprintf(why, whysize, "condition nests deeper than %d after macro expansion",
                     COMB_RULES_MAX_DEPTH);
            return NULL;
        }
        *size = total;
        *depth = deepest + 1;
        return n;
    }
    }
}

cnode *cond_resolve(comb_ruleset *rs, cnode *root, size_t *size, size_t *depth, char *why,
                    size_t whysize)
{
    return resolve(rs, root, 0, size, depth, why, whysize);
}

/* ---- exceptions -------------------------------------------------------------- */

static int parse_comp(const char *s, enum cop *op)
{
    static const struct { const char *t; enum cop op; } map[] = {
        { "=", OP_EQ }, { "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT }, { "<=", OP_LE },
        { ">", OP_GT }, { ">=", OP_GE }, { "contains", OP_CONTAINS },
        { "icontains", OP_ICONTAINS }, { "startswith", OP_STARTSWITH },
        { "endswith", OP_ENDSWITH }, { "bcontains", OP_BCONTAINS },
        { "bstartswith", OP_BSTARTSWITH }, { "glob", OP_GLOB }, { "iglob", OP_IGLOB },
        { "in", OP_IN }, { "intersects", OP_INTERSECTS }, { "pmatch", OP_PMATCH },
        { "regex", OP_REGEX },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i].t, s) == 0) {
            *op = map[i].op;
            return 0;
        }
    return -1;
}

static cnode *node_new(comb_arena *a, enum cnode_kind kind, size_t nkids)
{
    cnode *n = comb_arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    if (nkids) {
        n->kids = comb_arena_calloc(a, nkids, sizeof *n->kids);
        if (!n->kids)
            return NULL;
    }
    return n;
}

static cnode *exception_check(comb_arena *a, const char *field, enum cop op, const rs_exval *vals,
                              size_t nvals)
{
    cnode *n = node_new(a, CN_CHECK, 0);
    ccheck *c = n ? comb_arena_alloc(a, sizeof *c) : NULL;
    if (!c)
        return NULL;
    n->check = c;
    c->lhs.text = field;
    c->op = op;
    size_t count = 0;
    for (size_t i = 0; i < nvals; i++)
        count += vals[i].s ? 1 : vals[i].n;
    c->raw = comb_arena_calloc(a, count ? count : 1, sizeof *c->raw);
    if (!c->raw)
        return NULL;
    for (size_t i = 0; i < nvals; i++) {
        if (vals[i].s) {
            unquote(a, vals[i].s, &c->raw[c->nraw++]);
            continue;
        }
        c->list_syntax = 1;
        for (size_t k = 0; k < vals[i].n; k++)
            unquote(a, vals[i].items[k], &c->raw[c->nraw++]);
    }
    if (is_list_op(op))
        c->list_syntax = 1;
    return n;
}

/* cond and not (exception rows...) */
static cnode *add_exceptions(comb_ruleset *rs, comb_rule *r, cnode *root, char *why,
                             size_t whysize)
{
    comb_arena *a = &rs->carena;
    for (size_t e = 0; e < r->nexc; e++) {
        rs_exception *x = &r->exc[e];
        if (x->nrows == 0)
            continue;
        size_t nf = x->nfields;
        if (x->ncomps && x->ncomps != nf) {
            snprintf(why, whysize, "exception %s: %zu fields but %zu comps", x->name, nf,
                     x->ncomps);
            return NULL;
        }
        enum cop ops[64];
        if (nf > 64) {
            snprintf(why, whysize, "exception %s: more than 64 fields", x->name);
            return NULL;
        }
        for (size_t f = 0; f < nf; f++) {
            const char *comp = x->ncomps ? x->comps[f] : (x->single ? "in" : "=");
            if (parse_comp(comp, &ops[f])) {
                snprintf(why, whysize, "exception %s: unknown comparison %s", x->name, comp);
                return NULL;
            }
        }
        cnode *any;
        if (x->single) {
            rs_exval *all = comb_arena_calloc(a, x->nrows, sizeof *all);
            if (!all)
                goto nomem;
            for (size_t i = 0; i < x->nrows; i++)
                all[i] = x->rows[i][0];
            any = exception_check(a, x->fields[0], ops[0], all, x->nrows);
            if (!any)
                goto nomem;
        } else {
            any = node_new(a, CN_OR, x->nrows);
            if (!any)
                goto nomem;
            for (size_t i = 0; i < x->nrows; i++) {
                cnode *row = node_new(a, CN_AND, nf);
                if (!row)
                    goto nomem;
                for (size_t f = 0; f < nf; f++) {
                    row->kids[row->n] = exception_check(a, x->fields[f], ops[f], &x->rows[i][f], 1);
                    if (!row->kids[row->n++])
                        goto nomem;
                }
                any->kids[any->n++] = row;
            }
        }
        cnode *not = node_new(a, CN_NOT, 1);
        cnode *and = node_new(a, CN_AND, 2);
        if (!not || !and)
            goto nomem;
        not->kids[not->n++] = any;
        and->kids[and->n++] = root;
        and->kids[and->n++] = not;
        root = and;
    }
    return root;
nomem:
    snprintf(why, whysize, "out of memory");
    return NULL;
}

/* ---- event-type index ---------------------------------------------------------- */

/* Fill bits with the types that can satisfy n; 0 when any type can. */
static int types_of(comb_ruleset *rs, const cnode *n, uint64_t *bits, size_t words)
{
    switch (n->kind) {
    case CN_CHECK: {
        const ccheck *c = n->check;
        if (!is_evt_type(c))
            return 0;
        memset(bits, 0, words * sizeof *bits);
        for (size_t i = 0; i < c->nvals; i++) {
            uintptr_t id = (uintptr_t)comb_namemap_get(&rs->type_ids, c->vals[i].s);
            if (id)
                bits[(id - 1) / 64] |= 1ull << ((id - 1) % 64);
        }
        return 1;
    }
    case CN_AND: {
        uint64_t *tmp = malloc(words * sizeof *tmp);
        int restricted = 0;
        for (size_t i = 0; tmp && i < n->n; i++) {
            if (!types_of(rs, n->kids[i], tmp, words))
                continue;
            if (!restricted)
                memcpy(bits, tmp, words * sizeof *bits);
            else
                for (size_t w = 0; w < words; w++)
                    bits[w] &= tmp[w];
            restricted = 1;
        }
        free(tmp);
        return restricted;
    }
    case CN_OR: {
        uint64_t *tmp = malloc(words * sizeof *tmp);
        if (!tmp)
            return 0;
        memset(bits, 0, words * sizeof *bits);
        for (size_t i = 0; i < n->n; i++) {
            if (!types_of(rs, n->kids[i], tmp, words)) {
                free(tmp);
                return 0;
            }
            for (size_t w = 0; w < words; w++)
                bits[w] |= tmp[w];
        }
        free(tmp);
        return 1;
    }
    default:
        return 0; /* not, true: no restriction we can prove */
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static comb_code build_index(comb_ruleset *rs, comb_err *err)
{
    size_t words = (rs->ntypes + 63) / 64;
    if (words == 0)
        words = 1;
    rs->by_type = comb_arena_calloc(&rs->carena, rs->ntypes + 1, sizeof *rs->by_type);
    rs->by_type_n = comb_arena_calloc(&rs->carena, rs->ntypes + 1, sizeof *rs->by_type_n);
    rs->any_type = comb_arena_calloc(&rs->carena, rs->nrules + 1, sizeof *rs->any_type);
    size_t *counts = calloc(rs->ntypes + 1, sizeof *counts);
    if (!rs->by_type || !rs->by_type_n || !rs->any_type || !counts) {
        free(counts);
        return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
    }
    for (size_t i = 0; i < rs->nrules; i++) {
        comb_rule *r = rs->rulev[i];
        if (!r->active)
            continue;
        uint64_t *bits = comb_arena_calloc(&rs->carena, words, sizeof *bits);
        if (!bits) {
            free(counts);
            return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
        }
        if (types_of(rs, r->root, bits, words)) {
            r->types = bits;
            for (size_t t = 0; t < rs->ntypes; t++)
                if (bits[t / 64] & (1ull << (t % 64)))
                    counts[t]++;
        } else {
            rs->any_type[rs->nany++] = i;
            rs->needs_all = 1;
            if (r->warn_evttypes)
                rs_issue(rs, COMB_RULES_WARNING, "rule", r->name, r->file, r->line,
                         "no evt.type restriction: the rule runs on every event");
        }
    }
    for (size_t t = 0; t < rs->ntypes; t++) {
        rs->by_type[t] = comb_arena_calloc(&rs->carena, counts[t] ? counts[t] : 1, sizeof(size_t));
        if (!rs->by_type[t]) {
            free(counts);
            return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
        }
    }
    free(counts);
    rs->nindexed = rs->ntypes;
    for (size_t i = 0; i < rs->nrules; i++) {
        comb_rule *r = rs->rulev[i];
        if (!r->active || !r->types)
            continue;
        for (size_t t = 0; t < rs->ntypes; t++)
            if (r->types[t / 64] & (1ull << (t % 64)))
                rs->by_type[t][rs->by_type_n[t]++] = i;
    }
    return COMB_OK;
}

const char *const *comb_ruleset_needed_types(const comb_ruleset *rs, size_t *n, int *all)
{
    *all = rs->needs_all;
    *n = 0;
    if (!rs->compiled)
        return NULL;
    const char **out = comb_arena_calloc((comb_arena *)&rs->carena, rs->ntypes + 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t t = 0; t < rs->nindexed; t++)
        if (rs->by_type_n[t])
            out[(*n)++] = rs->type_names[t];
    qsort(out, *n, sizeof *out, cmp_str);
    return out;
}

/* ---- the compile pass ------------------------------------------------------------ */

static void reset_compiled(comb_ruleset *rs)
{
    for (size_t i = 0; i < rs->nregexes; i++)
        pcre2_code_free(rs->regexes[i]);
    rs->regexes = NULL;
    rs->nregexes = rs->regexcap = 0;
    comb_namemap_free(&rs->type_ids);
    comb_arena_free(&rs->carena);
    comb_arena_init(&rs->carena);
    rs->type_names = NULL;
    rs->ntypes = rs->typecap = 0;
    rs->by_type = NULL;
    rs->by_type_n = NULL;
    rs->nindexed = 0;
    rs->any_type = NULL;
    rs->nany = 0;
    rs->needs_all = 0;
    rs->compiled = 0;
    rs->nissues = rs->load_issues;
    rs->budget = COMPILE_BUDGET;
    for (size_t i = 0; i < rs->nmacros; i++) {
        rs_macro *m = rs->macrov[i];
        m->state = 0;
        m->root = NULL;
        m->error = NULL;
        m->used = 0;
    }
    for (size_t i = 0; i < rs->nlists; i++)
        rs->listv[i]->used = rs->listv[i]->state = 0;
}

static int compile_rule(comb_ruleset *rs, comb_rule *r, char *why, size_t whysize)
{
    cnode *root = cond_parse(&rs->carena, r->cond, strlen(r->cond), why, whysize);
    if (root)
        root = add_exceptions(rs, r, root, why, whysize);
    size_t size, depth;
    if (root)
        root = cond_resolve(rs, root, &size, &depth, why, whysize);
    if (!root)
        return -1;
    if (rs->budget < size) {
        snprintf(why, whysize, "ruleset too large to compile");
        return -1;
    }
    rs->budget -= size;
    r->root = root;
    return 0;
}

comb_code comb_ruleset_compile(comb_ruleset *rs, comb_err *err)
{
    reset_compiled(rs);
    char why[640];
    for (size_t i = 0; i < rs->nrules; i++) {
        comb_rule *r = rs->rulev[i];
        r->root = NULL;
        r->active = 0;
        r->types = NULL;
        r->tmpl = NULL;
        r->unsupported = NULL;
        /* Disabled rules are compiled too, so that enabling one later holds no
         * surprise; their problems are warnings. */
        if (strcmp(r->source, "syscall") != 0) {
            r->unsupported = comb_arena_printf(&rs->carena, "source %s is not supported", r->source);
        } else if (compile_rule(rs, r, why, sizeof why)) {
            r->unsupported = comb_arena_strdup(&rs->carena, why);
        } else {
            r->active = r->enabled;
        }
        if (r->unsupported || !r->active) {
            if (!r->unsupported && r->enabled)
                return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
            /* skip-if-unknown-filter: Falco skips such a rule quietly; we say so. */
            int skipped = r->skip_if_unknown && r->unsupported &&
                          strstr(r->unsupported, "unknown field");
            if (r->unsupported &&
                rs_issue(rs, r->enabled && !skipped ? COMB_RULES_UNSUPPORTED : COMB_RULES_WARNING,
                         "rule", r->name, r->file, r->line, "%s%s",
                         !r->enabled ? "disabled rule: "
                         : skipped   ? "skipped (skip-if-unknown-filter): "
                                     : "",
                         r->unsupported))
                return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
            continue;
        }
        r->tmpl = tmpl_compile(&rs->carena, r->output ? r->output : "", why, sizeof why);
        if (!r->tmpl)
            return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
        if (why[0] && rs_issue(rs, COMB_RULES_WARNING, "rule", r->name, r->file, r->line,
                               "output: %s (printed as written)", why))
            return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
    }
    comb_code rc = build_index(rs, err);
    if (rc)
        return rc;
    rs->compiled = 1;
    return COMB_OK;
}

comb_code comb_rules_eval_condition(comb_ruleset *rs, const char *condition, const comb_event *ev,
                                    int *result, comb_err *err)
{
    char why[640];
    if (rs->budget == 0)
        rs->budget = COMPILE_BUDGET;
    cnode *root = cond_parse(&rs->carena, condition, strlen(condition), why, sizeof why);
    size_t size, depth;
    if (root)
        root = cond_resolve(rs, root, &size, &depth, why, sizeof why);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "%s", why);
    *result = cond_eval(rs, root, ev);
    return COMB_OK;
}
