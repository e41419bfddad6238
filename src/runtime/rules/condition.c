/* condition.c - Falco condition text to a tree (recursive descent).
 *
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | operand OP [value] | macro-name
 *   operand := field | transformer '(' operand ')'
 *   value   := '(' item (',' item)* ')' | quoted | bare | transformer '(' operand ')'
 *
 * Nesting (parentheses, not, transformers) is capped at
 * COMB_RULES_MAX_PARSE_DEPTH, so hostile input cannot exhaust the stack.
 * Fields, macros and lists are left unbound here; compile.c binds them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime/rules/ruleset_internal.h"

typedef struct parser {
    const char *s;
    size_t len, pos;
    comb_arena *a;
    char *why;
    size_t whysize;
    int depth;
    int failed;
} parser;

static void *fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *fail(parser *p, const char *fmt, ...)
{
    if (p->failed)
        return NULL;
    p->failed = 1;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->why, p->whysize, "condition column %zu: %s", p->pos + 1, msg);
    return NULL;
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r' ||
                               p->s[p->pos] == '\f' || p->s[p->pos] == '\v'))
        p->pos++;
}

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

/* Length of the identifier (with an optional [argument]) at the cursor. */
static size_t ident_len(const parser *p)
{
    size_t i = p->pos;
    while (i < p->len && is_ident(p->s[i]))
        i++;
    if (i > p->pos && i < p->len && p->s[i] == '[') {
        size_t j = i + 1;
        while (j < p->len && p->s[j] != ']')
            j++;
        if (j < p->len)
            i = j + 1;
    }
    return i - p->pos;
}

/* The keyword `w` at the cursor, followed by a non-identifier character. */
static int at_word(const parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->len - p->pos >= n && memcmp(p->s + p->pos, w, n) == 0 &&
           (p->pos + n == p->len || !is_ident(p->s[p->pos + n]));
}

static const struct { const char *name; enum cop op; } word_ops[] = {
    { "contains", OP_CONTAINS }, { "icontains", OP_ICONTAINS }, { "startswith", OP_STARTSWITH },
    { "endswith", OP_ENDSWITH }, { "bcontains", OP_BCONTAINS }, { "bstartswith", OP_BSTARTSWITH },
    { "glob", OP_GLOB }, { "iglob", OP_IGLOB }, { "in", OP_IN }, { "intersects", OP_INTERSECTS },
    { "pmatch", OP_PMATCH }, { "exists", OP_EXISTS }, { "regex", OP_REGEX },
};

/* Operator at the cursor: consumes it and returns 1, or returns 0. */
static int parse_op(parser *p, enum cop *op)
{
    const char *s = p->s + p->pos;
    size_t left = p->len - p->pos;
    static const struct { const char *t; enum cop op; } sym[] = {
        { "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
        { "=", OP_EQ }, { "<", OP_LT }, { ">", OP_GT },
    };
    for (size_t i = 0; i < sizeof sym / sizeof *sym; i++) {
        size_t n = strlen(sym[i].t);
        if (left >= n && memcmp(s, sym[i].t, n) == 0) {
            p->pos += n;
            *op = sym[i].op;
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof word_ops / sizeof *word_ops; i++)
        if (at_word(p, word_ops[i].name)) {
            p->pos += strlen(word_ops[i].name);
            *op = word_ops[i].op;
            return 1;
        }
    return 0;
}

static int xform_of(const char *s, size_t n)
{
    static const char *const names[] = { "tolower", "toupper", "b64", "basename", "len", "trim" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
            return (int)i;
    return -1;
}

/* operand := field | transformer '(' operand ')' | val '(' operand ')' */
static int parse_operand(parser *p, operand *o, int allow_val, int *is_val)
{
    skip_ws(p);
    size_t n = ident_len(p);
    if (n == 0) {
        fail(p, "expected a field");
        return -1;
    }
    const char *w = p->s + p->pos;
    size_t after = p->pos + n;
    if (after < p->len && p->s[after] == '(') {
        int xf = xform_of(w, n);
        int val = n == 3 && memcmp(w, "val", 3) == 0;
        if (xf < 0 && !(val && allow_val)) {
            fail(p, "unknown transformer %.*s", (int)(n > 64 ? 64 : n), w);
            return -1;
        }
        if (++p->depth > COMB_RULES_MAX_PARSE_DEPTH) {
            fail(p, "nested deeper than %d", COMB_RULES_MAX_PARSE_DEPTH);
            return -1;
        }
        p->pos = after + 1;
        if (parse_operand(p, o, 0, NULL))
            return -1;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ')') {
            fail(p, "expected ) after the transformer's field");
            return -1;
        }
        p->pos++;
        p->depth--;
        if (val) {
            if (is_val)
                *is_val = 1;
            return 0;
        }
        if (o->nxf >= MAX_XFORMS) {
            fail(p, "more than %d transformers", MAX_XFORMS);
            return -1;
        }
        o->xf[o->nxf++] = xf;
        return 0;
    }
    o->text = comb_arena_strndup(p->a, w, n);
    if (!o->text) {
        fail(p, "out of memory");
        return -1;
    }
    p->pos = after;
    return 0;
}

/* A quoted string with \\ \" \' \n \t \r escapes; other escapes keep their
 * backslash (regexes need them). */
static int parse_quoted(parser *p, rawval *v)
{
    char q = p->s[p->pos++];
    char *out = comb_arena_alloc(p->a, p->len - p->pos + 1);
    if (!out) {
        fail(p, "out of memory");
        return -1;
    }
    size_t n = 0;
    while (p->pos < p->len && p->s[p->pos] != q) {
        char c = p->s[p->pos++];
        if (c == '\\' && p->pos < p->len) {
            char e = p->s[p->pos++];
            switch (e) {
            case '\\': case '"': case '\'': out[n++] = e; break;
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            case 'r': out[n++] = '\r'; break;
            default: out[n++] = '\\'; out[n++] = e; break;
            }
            continue;
        }
        out[n++] = c;
    }
    if (p->pos >= p->len) {
        fail(p, "unterminated string");
        return -1;
    }
    p->pos++;
    out[n] = '\0';
    v->s = out;
    v->len = n;
    v->quoted = 1;
    return 0;
}

static int is_bare_stop(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
           c == '(' || c == ')' || c == ',' || c == '"' || c == '\'';
}

static int parse_scalar(parser *p, rawval *v)
{
    skip_ws(p);
    if (p->pos >= p->len) {
        fail(p, "missing value");
        return -1;
    }
    if (p->s[p->pos] == '"' || p->s[p->pos] == '\'')
        return parse_quoted(p, v);
    size_t start = p->pos;
    while (p->pos < p->len && !is_bare_stop(p->s[p->pos]))
        p->pos++;
    if (p->pos == start) {
        fail(p, "missing value");
        return -1;
    }
    v->s = comb_arena_strndup(p->a, p->s + start, p->pos - start);
    v->len = p->pos - start;
    v->quoted = 0;
    if (!v->s) {
        fail(p, "out of memory");
        return -1;
    }
    return 0;
}

static int push_raw(parser *p, ccheck *c, size_t *cap, const rawval *v)
{
    if (c->nraw >= COMB_RULES_MAX_VALUES) {
        fail(p, "more than %u values", COMB_RULES_MAX_VALUES);
        return -1;
    }
    if (comb_vec_reserve(p->a, (void **)&c->raw, cap, c->nraw, sizeof *c->raw)) {
        fail(p, "out of memory");
        return -1;
    }
    c->raw[c->nraw++] = *v;
    return 0;
}

static int parse_value(parser *p, ccheck *c)
{
    skip_ws(p);
    size_t cap = 0;
    if (p->pos < p->len && p->s[p->pos] == '(') {
        p->pos++;
        c->list_syntax = 1;
        for (;;) {
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ')') {
                p->pos++;
                return 0;
            }
            rawval v;
            if (parse_scalar(p, &v) || push_raw(p, c, &cap, &v))
                return -1;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == ')')
                continue;
            fail(p, "expected , or ) in a value list");
            return -1;
        }
    }
    /* A transformer or val() on the right compares two fields. */
    size_t n = ident_len(p);
    if (n && p->pos + n < p->len && p->s[p->pos + n] == '(' &&
        (xform_of(p->s + p->pos, n) >= 0 || (n == 3 && !memcmp(p->s + p->pos, "val", 3)))) {
        c->rhs_is_field = 1;
        return parse_operand(p, &c->rhs, 1, NULL);
    }
    rawval v;
    if (parse_scalar(p, &v))
        return -1;
    return push_raw(p, c, &cap, &v);
}

static cnode *new_node(parser *p, enum cnode_kind kind)
{
    cnode *n = comb_arena_alloc(p->a, sizeof *n);
    if (!n)
        return fail(p, "out of memory");
    n->kind = kind;
    return n;
}

static cnode *parse_or(parser *p);

static cnode *parse_primary(parser *p)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, "unexpected end of condition");
    if (p->s[p->pos] == '(') {
        if (++p->depth > COMB_RULES_MAX_PARSE_DEPTH)
            return fail(p, "nested deeper than %d", COMB_RULES_MAX_PARSE_DEPTH);
        p->pos++;
        cnode *e = parse_or(p);
        if (!e)
            return NULL;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ')')
            return fail(p, "expected )");
        p->pos++;
        p->depth--;
        return e;
    }
    size_t n = ident_len(p);
    if (n == 0)
        return fail(p, "unexpected '%c'", p->s[p->pos]);
    const char *w = p->s + p->pos;
    int call = p->pos + n < p->len && p->s[p->pos + n] == '(';
    size_t save = p->pos;
    if (!call) {
        /* A bare name followed by no operator is a macro. */
        p->pos += n;
        skip_ws(p);
        size_t at_op = p->pos;
        enum cop op;
        if (!parse_op(p, &op)) {
            if (memchr(w, '.', n) || memchr(w, '[', n)) {
                p->pos = at_op;
                return fail(p, "expected an operator after %.*s", (int)(n > 64 ? 64 : n), w);
            }
            cnode *m = new_node(p, CN_MACRO);
            if (m && !(m->macro = comb_arena_strndup(p->a, w, n)))
                return fail(p, "out of memory");
            return m;
        }
        p->pos = save;
    }
    cnode *node = new_node(p, CN_CHECK);
    ccheck *c = node ? comb_arena_alloc(p->a, sizeof *c) : NULL;
    if (!c)
        return fail(p, "out of memory");
    node->check = c;
    if (parse_operand(p, &c->lhs, 0, NULL))
        return NULL;
    skip_ws(p);
    if (!parse_op(p, &c->op))
        return fail(p, "expected an operator after %s", c->lhs.text);
    if (c->op == OP_EXISTS)
        return node;
    if (parse_value(p, c))
        return NULL;
    return node;
}

static cnode *parse_not(parser *p)
{
    skip_ws(p);
    if (at_word(p, "not") ) {
        p->pos += 3;
        if (++p->depth > COMB_RULES_MAX_PARSE_DEPTH)
            return fail(p, "nested deeper than %d", COMB_RULES_MAX_PARSE_DEPTH);
        cnode *kid = parse_not(p);
        p->depth--;
        if (!kid)
            return NULL;
        cnode *n = new_node(p, CN_NOT);
        if (!n)
            return NULL;
        n->kids = comb_arena_alloc(p->a, sizeof *n->kids);
        if (!n->kids)
            return fail(p, "out of memory");
        n->kids[0] = kid;
        n->n = 1;
        return n;
    }
    return parse_primary(p);
}

/* A chain of `word`-joined terms as one n-ary node. */
static cnode *parse_chain(parser *p, const char *word, enum cnode_kind kind,
                          cnode *(*term)(parser *))
{
    cnode *first = term(p);
    if (!first)
        return NULL;
    skip_ws(p);
    if (!at_word(p, word))
        return first;
    cnode *n = new_node(p, kind);
    if (!n)
        return NULL;
    size_t cap = 0;
    if (comb_vec_reserve(p->a, (void **)&n->kids, &cap, 0, sizeof *n->kids))
        return fail(p, "out of memory");
    n->kids[n->n++] = first;
    while (skip_ws(p), at_word(p, word)) {
        p->pos += strlen(word);
        cnode *k = term(p);
        if (!k)
            return NULL;
        if (comb_vec_reserve(p->a, (void **)&n->kids, &cap, n->n, sizeof *n->kids))
            return fail(p, "out of memory");
        n->kids[n->n++] = k;
    }
    return n;
}

static cnode *parse_and(parser *p)
{
    return parse_chain(p, "and", CN_AND, parse_not);
}

static cnode *parse_or(parser *p)
{
    return parse_chain(p, "or", CN_OR, parse_and);
}

cnode *cond_parse(comb_arena *a, const char *text, size_t len, char *why, size_t whysize)
{
    parser p = { .s = text, .len = len, .a = a, .why = why, .whysize = whysize };
    if (len > COMB_RULES_MAX_COND) {
        snprintf(why, whysize, "condition longer than %u bytes", COMB_RULES_MAX_COND);
        return NULL;
    }
    cnode *root = parse_or(&p);
    if (!root)
        return NULL;
    skip_ws(&p);
    if (p.pos < p.len)
        return fail(&p, "unexpected '%.*s'", (int)(p.len - p.pos > 20 ? 20 : p.len - p.pos),
                    p.s + p.pos);
    return root;
}
