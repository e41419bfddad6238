/* loader.c - Falco rules files (YAML) into definitions.
 *
 * Items: rule, macro, list, required_engine_version, required_plugin_versions.
 * Later items modify earlier ones: `append: true` (conditions are joined with
 * a space, list items and exception values added), `override: {key:
 * append|replace}`, a rule item with only `enabled:`, and plain redefinition
 * (replaces in place). Structural errors fail the load with file:line;
 * things that load but deserve attention become issues. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/response/response.h"
#include "runtime/rules/ruleset_internal.h"
#include "runtime/rules/yamltree.h"

typedef struct loader {
    comb_ruleset *rs;
    const char *file;
    comb_err *err;
} loader;

static comb_code nomem(loader *L)
{
    return comb_fail(L->err, COMB_ENOMEM, "%s: out of memory", L->file);
}

static comb_code bad(loader *L, const comb_ynode *at, const char *kind, const char *name,
                     const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    if (name)
        return comb_fail(L->err, COMB_EFORMAT, "%s:%zu: %s %.200s: %s", L->file,
                         at ? at->line : 0, kind, name, msg);
    return comb_fail(L->err, COMB_EFORMAT, "%s:%zu: %s: %s", L->file, at ? at->line : 0, kind,
                     msg);
}

/* A scalar value of `key`, NULL when absent; *rc set when not a scalar. */
static const char *get_scalar(loader *L, const comb_ynode *item, const char *key, const char *kind,
                              const char *name, comb_code *rc)
{
    const comb_ynode *v = comb_ynode_get(item, key);
    if (!v)
        return NULL;
    if (v->type != COMB_Y_SCALAR) {
        *rc = bad(L, v, kind, name, "%s must be a string", key);
        return NULL;
    }
    return v->s;
}

static int get_bool(loader *L, const comb_ynode *item, const char *key, const char *kind,
                    const char *name, int dflt, comb_code *rc)
{
    const comb_ynode *v = comb_ynode_get(item, key);
    if (!v)
        return dflt;
    if (v->type == COMB_Y_SCALAR) {
        if (!strcasecmp(v->s, "true") || !strcasecmp(v->s, "yes"))
            return 1;
        if (!strcasecmp(v->s, "false") || !strcasecmp(v->s, "no"))
            return 0;
    }
    *rc = bad(L, v, kind, name, "%s must be true or false", key);
    return dflt;
}

/* A sequence of scalars (or one scalar) as a string array in the arena. */
static comb_code get_strings(loader *L, const comb_ynode *v, const char *kind, const char *name,
                             const char *key, const char ***out, size_t *n, size_t *cap)
{
    *out = NULL;
    *n = 0;
    if (cap)
        *cap = 0;
    if (!v || comb_ynode_is_null(v))
        return COMB_OK;
    if (v->type == COMB_Y_SCALAR) {
        *out = comb_arena_calloc(&L->rs->arena, 1, sizeof **out);
        if (!*out)
            return nomem(L);
        (*out)[0] = v->s;
        *n = 1;
        if (cap)
            *cap = 1;
        return COMB_OK;
    }
    if (v->type != COMB_Y_SEQ)
        return bad(L, v, kind, name, "%s must be a list", key);
    *out = comb_arena_calloc(&L->rs->arena, v->n ? v->n : 1, sizeof **out);
    if (!*out)
        return nomem(L);
    for (size_t i = 0; i < v->n; i++) {
        if (v->kids[i]->type != COMB_Y_SCALAR)
            return bad(L, v->kids[i], kind, name, "%s items must be strings", key);
        (*out)[i] = v->kids[i]->s;
    }
    *n = v->n;
    if (cap)
        *cap = v->n;
    return COMB_OK;
}

static comb_code append_strings(loader *L, const char ***arr, size_t *n, size_t *cap,
                                const char **add, size_t nadd)
{
    for (size_t i = 0; i < nadd; i++) {
        if (comb_vec_reserve(&L->rs->arena, (void **)arr, cap, *n, sizeof **arr))
            return nomem(L);
        (*arr)[(*n)++] = add[i];
    }
    return COMB_OK;
}

static char *join(loader *L, const char *a, const char *b)
{
    if (!a)
        return comb_arena_strdup(&L->rs->arena, b);
    if (strlen(a) + strlen(b) + 1 > COMB_RULES_MAX_COND)
        return NULL;
    return comb_arena_printf(&L->rs->arena, "%s %s", a, b);
}

/* override: {key: append|replace}; *mode is 'a', 'r' or 0 for key. */
static comb_code override_mode(loader *L, const comb_ynode *item, const char *key, const char *kind,
                               const char *name, int *mode)
{
    *mode = 0;
    const comb_ynode *ov = comb_ynode_get(item, "override");
    if (!ov)
        return COMB_OK;
    if (ov->type != COMB_Y_MAP)
        return bad(L, ov, kind, name, "override must be a mapping%s", NULL);
    const comb_ynode *v = comb_ynode_get(ov, key);
    if (!v)
        return COMB_OK;
    if (v->type == COMB_Y_SCALAR && !strcmp(v->s, "append"))
        *mode = 'a';
    else if (v->type == COMB_Y_SCALAR && !strcmp(v->s, "replace"))
        *mode = 'r';
    else
        return bad(L, v, kind, name, "override of %s must be append or replace", key);
    if (!comb_ynode_get(item, key))
        return bad(L, v, kind, name, "override of %s without a %s key", key);
    return COMB_OK;
}

static comb_code check_keys(loader *L, const comb_ynode *item, const char *kind, const char *name,
                            const char *const *known)
{
    for (size_t i = 0; i + 1 < item->n; i += 2) {
        const comb_ynode *k = item->kids[i];
        int ok = 0;
        for (size_t j = 0; known[j] && k->type == COMB_Y_SCALAR; j++)
            if (!strcmp(known[j], k->s))
                ok = 1;
        if (!ok && rs_issue(L->rs, COMB_RULES_WARNING, kind, name, L->file, k->line,
                            "unknown key %.100s ignored", k->type == COMB_Y_SCALAR ? k->s : "?"))
            return nomem(L);
    }
    return COMB_OK;
}

static comb_code count_item(loader *L, const comb_ynode *item)
{
    if (++L->rs->items > COMB_RULES_MAX_ITEMS)
        return comb_fail(L->err, COMB_ELIMIT, "%s:%zu: more than %u rules, macros and lists",
                         L->file, item->line, COMB_RULES_MAX_ITEMS);
    return COMB_OK;
}

/* ---- lists ------------------------------------------------------------------ */

static comb_code load_list(loader *L, const comb_ynode *item, const char *name)
{
    comb_ruleset *rs = L->rs;
    static const char *const known[] = { "list", "items", "append", "override", NULL };
    comb_code rc = check_keys(L, item, "list", name, known);
    int append = get_bool(L, item, "append", "list", name, 0, &rc);
    int mode;
    if (rc || (rc = override_mode(L, item, "items", "list", name, &mode)))
        return rc;
    const comb_ynode *iv = comb_ynode_get(item, "items");
    if (!iv)
        return bad(L, item, "list", name, "items missing%s", NULL);
    const char **items;
    size_t n;
    if ((rc = get_strings(L, iv, "list", name, "items", &items, &n, NULL)))
        return rc;
    rs_list *l = comb_namemap_get(&rs->lists, name);
    if (append || mode) {
        if (!l)
            return bad(L, item, "list", name, "%s of an undefined list",
                       append ? "append" : "override");
        if (append || mode == 'a')
            return append_strings(L, &l->items, &l->n, &l->cap, items, n);
        l->items = items;
        l->n = l->cap = n;
        return COMB_OK;
    }
    if ((rc = count_item(L, item)))
        return rc;
    if (!l) {
        l = comb_arena_alloc(&rs->arena, sizeof *l);
        if (!l || comb_vec_reserve(&rs->arena, (void **)&rs->listv, &rs->listcap, rs->nlists,
                                   sizeof *rs->listv) ||
            comb_namemap_put(&rs->lists, name, l))
            return nomem(L);
        rs->listv[rs->nlists++] = l;
        l->name = name;
    }
    l->file = L->file;
    l->line = item->line;
    l->items = items;
    l->n = l->cap = n;
    return COMB_OK;
}

/* ---- macros ------------------------------------------------------------------- */

static comb_code load_macro(loader *L, const comb_ynode *item, const char *name)
{
    comb_ruleset *rs = L->rs;
    static const char *const known[] = { "macro", "condition", "append", "override", NULL };
    comb_code rc = check_keys(L, item, "macro", name, known);
    int append = get_bool(L, item, "append", "macro", name, 0, &rc);
    int mode;
    if (rc || (rc = override_mode(L, item, "condition", "macro", name, &mode)))
        return rc;
    const char *cond = get_scalar(L, item, "condition", "macro", name, &rc);
    if (rc)
        return rc;
    if (!cond)
        return bad(L, item, "macro", name, "condition missing%s", NULL);
    rs_macro *m = comb_namemap_get(&rs->macros, name);
    if (append || mode) {
        if (!m)
            return bad(L, item, "macro", name, "%s of an undefined macro",
                       append ? "append" : "override");
        const char *c = append || mode == 'a' ? join(L, m->cond, cond) : cond;
        if (!c)
            return bad(L, item, "macro", name, "condition too long%s", NULL);
        m->cond = c;
        return COMB_OK;
    }
    if ((rc = count_item(L, item)))
        return rc;
    if (!m) {
        m = comb_arena_alloc(&rs->arena, sizeof *m);
        if (!m || comb_vec_reserve(&rs->arena, (void **)&rs->macrov, &rs->macrocap, rs->nmacros,
                                   sizeof *rs->macrov) ||
            comb_namemap_put(&rs->macros, name, m))
            return nomem(L);
        rs->macrov[rs->nmacros++] = m;
        m->name = name;
    }
    m->file = L->file;
    m->line = item->line;
    m->cond = cond;
    return COMB_OK;
}

/* ---- exceptions ------------------------------------------------------------------- */

static comb_code exval_of(loader *L, const comb_ynode *v, const char *rule, rs_exval *out)
{
    memset(out, 0, sizeof *out);
    if (v->type == COMB_Y_SCALAR) {
        out->s = v->s;
        return COMB_OK;
    }
    return get_strings(L, v, "rule", rule, "exception value", &out->items, &out->n, NULL);
}

/* Add the rows of `values` to x (whose fields are known). */
static comb_code add_rows(loader *L, rs_exception *x, const comb_ynode *values, const char *rule)
{
    if (!values || comb_ynode_is_null(values))
        return COMB_OK;
    if (values->type != COMB_Y_SEQ)
        return bad(L, values, "rule", rule, "exception values must be a list%s", NULL);
    for (size_t i = 0; i < values->n; i++) {
        const comb_ynode *row = values->kids[i];
        size_t width = x->single ? 1 : x->nfields;
        rs_exval *vals = comb_arena_calloc(&L->rs->arena, width, sizeof *vals);
        if (!vals)
            return nomem(L);
        comb_code rc;
        if (x->single) {
            rc = exval_of(L, row, rule, &vals[0]);
        } else {
            if (row->type != COMB_Y_SEQ || row->n != width) {
                char what[160];
                snprintf(what, sizeof what, "%.100s: each value needs %zu items", x->name, width);
                return bad(L, row, "rule", rule, "exception %s", what);
            }
            rc = COMB_OK;
            for (size_t f = 0; f < width && !rc; f++)
                rc = exval_of(L, row->kids[f], rule, &vals[f]);
        }
        if (rc)
            return rc;
        if (comb_vec_reserve(&L->rs->arena, (void **)&x->rows, &x->rowcap, x->nrows,
                             sizeof *x->rows))
            return nomem(L);
        x->rows[x->nrows++] = vals;
    }
    return COMB_OK;
}

/* Merge the item's exceptions into r: same name adds values, new names add
 * exceptions. `replace` drops the old ones first. */
static comb_code load_exceptions(loader *L, comb_rule *r, const comb_ynode *list, int replace)
{
    if (replace) {
        r->exc = NULL;
        r->nexc = r->exccap = 0;
    }
    if (!list || comb_ynode_is_null(list))
        return COMB_OK;
    if (list->type != COMB_Y_SEQ)
        return bad(L, list, "rule", r->name, "exceptions must be a list%s", NULL);
    for (size_t i = 0; i < list->n; i++) {
        const comb_ynode *e = list->kids[i];
        comb_code rc = COMB_OK;
        if (e->type != COMB_Y_MAP)
            return bad(L, e, "rule", r->name, "exception must be a mapping%s", NULL);
        const char *name = get_scalar(L, e, "name", "rule", r->name, &rc);
        if (rc)
            return rc;
        if (!name)
            return bad(L, e, "rule", r->name, "exception without a name%s", NULL);
        rs_exception *x = NULL;
        for (size_t k = 0; k < r->nexc; k++)
            if (!strcmp(r->exc[k].name, name))
                x = &r->exc[k];
        const comb_ynode *fields = comb_ynode_get(e, "fields");
        if (!x) {
            if (!fields)
                return bad(L, e, "rule", r->name, "exception %s has no fields", name);
            if (comb_vec_reserve(&L->rs->arena, (void **)&r->exc, &r->exccap, r->nexc,
                                 sizeof *r->exc))
                return nomem(L);
            x = &r->exc[r->nexc++];
            memset(x, 0, sizeof *x);
            x->name = name;
            x->single = fields->type == COMB_Y_SCALAR;
            if ((rc = get_strings(L, fields, "rule", r->name, "fields", &x->fields, &x->nfields,
                                  NULL)) ||
                (rc = get_strings(L, comb_ynode_get(e, "comps"), "rule", r->name, "comps",
                                  &x->comps, &x->ncomps, NULL)))
                return rc;
            if (x->nfields == 0)
                return bad(L, e, "rule", r->name, "exception %s has no fields", name);
        }
        if ((rc = add_rows(L, x, comb_ynode_get(e, "values"), r->name)))
            return rc;
    }
    return COMB_OK;
}

/* ---- rules ------------------------------------------------------------------------ */

static comb_code set_priority(loader *L, comb_rule *r, const comb_ynode *item)
{
    comb_code rc = COMB_OK;
    const char *p = get_scalar(L, item, "priority", "rule", r->name, &rc);
    if (rc || !p)
        return rc;
    if (comb_priority_parse(p, &r->priority))
        return bad(L, comb_ynode_get(item, "priority"), "rule", r->name, "unknown priority %.50s",
                   p);
    return COMB_OK;
}

static comb_code set_tags(loader *L, comb_rule *r, const comb_ynode *item, int append)
{
    const char **tags;
    size_t n;
    comb_code rc = get_strings(L, comb_ynode_get(item, "tags"), "rule", r->name, "tags", &tags, &n,
                               NULL);
    if (rc)
        return rc;
    if (!append) {
        r->tags = tags;
        r->ntags = r->tagcap = n;
        return COMB_OK;
    }
    return append_strings(L, &r->tags, &r->ntags, &r->tagcap, tags, n);
}

/* Apply `override:` (or legacy `append: true`) to an existing rule. */
/* comb's extension: `response: [kill, freeze, stop, isolate]` (a list or one
 * name). Falco has no such key; an unknown action fails the load (a typo must
 * not silently disable a response). */
static comb_code set_response(loader *L, comb_rule *r, const comb_ynode *item, int append)
{
    const comb_ynode *v = comb_ynode_get(item, "response");
    const char **names;
    size_t n;
    comb_code rc = get_strings(L, v, "rule", r->name, "response", &names, &n, NULL);
    if (rc)
        return rc;
    unsigned mask = append ? r->response : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned m;
        const char *badw;
        size_t badn;
        if (comb_response_parse(names[i], &m, &badw, &badn))
            return bad(L, v, "rule", r->name, "response \"%.50s\" is not kill, freeze, stop or "
                       "isolate", names[i]);
        mask |= m;
    }
    r->response = mask;
    return COMB_OK;
}

unsigned comb_rule_response(const comb_rule *r)
{
    return r->response;
}

static comb_code modify_rule(loader *L, comb_rule *r, const comb_ynode *item, int legacy_append)
{
    comb_code rc = COMB_OK;
    static const char *const text_keys[] = { "condition", "output", "desc" };
    for (size_t i = 0; i < 3; i++) {
        int mode = 0;
        if (legacy_append)
            mode = i == 0 && comb_ynode_get(item, "condition") ? 'a' : 0;
        else if ((rc = override_mode(L, item, text_keys[i], "rule", r->name, &mode)))
            return rc;
        if (!mode)
            continue;
        const char *v = get_scalar(L, item, text_keys[i], "rule", r->name, &rc);
        if (rc)
            return rc;
        const char **slot = i == 0 ? &r->cond : i == 1 ? &r->output : &r->desc;
        const char *nv = mode == 'a' ? join(L, *slot, v) : v;
        if (!nv)
            return bad(L, item, "rule", r->name, "%s too long", text_keys[i]);
        *slot = nv;
    }
    int mode = legacy_append ? (comb_ynode_get(item, "exceptions") ? 'a' : 0) : 0;
    if (!legacy_append && (rc = override_mode(L, item, "exceptions", "rule", r->name, &mode)))
        return rc;
    if (mode && (rc = load_exceptions(L, r, comb_ynode_get(item, "exceptions"), mode == 'r')))
        return rc;
    if (legacy_append)
        return COMB_OK;
    if ((rc = override_mode(L, item, "tags", "rule", r->name, &mode)))
        return rc;
    if (mode && (rc = set_tags(L, r, item, mode == 'a')))
        return rc;
    if ((rc = override_mode(L, item, "response", "rule", r->name, &mode)))
        return rc;
    if (mode && (rc = set_response(L, r, item, mode == 'a')))
        return rc;
    static const char *const replace_only[] = { "priority", "enabled", "source", "warn_evttypes",
                                                "skip-if-unknown-filter", "capture",
                                                "capture_duration" };
    for (size_t i = 0; i < sizeof replace_only / sizeof *replace_only; i++) {
        if ((rc = override_mode(L, item, replace_only[i], "rule", r->name, &mode)))
            return rc;
        if (mode == 'a')
            return bad(L, item, "rule", r->name, "%s can only be replaced", replace_only[i]);
        if (!mode)
            continue;
        if (i == 0)
            rc = set_priority(L, r, item);
        else if (i == 1)
            r->enabled = get_bool(L, item, "enabled", "rule", r->name, 1, &rc);
        else if (i == 2)
            r->source = get_scalar(L, item, "source", "rule", r->name, &rc);
        else if (i == 3)
            r->warn_evttypes = get_bool(L, item, "warn_evttypes", "rule", r->name, 1, &rc);
        else if (i == 4)
            r->skip_if_unknown = get_bool(L, item, "skip-if-unknown-filter", "rule", r->name, 0, &rc);
        if (rc)
            return rc;
        if (!r->source)
            r->source = "syscall";
    }
    return COMB_OK;
}

static comb_code load_rule(loader *L, const comb_ynode *item, const char *name)
{
    comb_ruleset *rs = L->rs;
    static const char *const known[] = {
        "rule", "desc", "condition", "output", "priority", "enabled", "tags", "exceptions",
        "source", "append", "override", "warn_evttypes", "skip-if-unknown-filter", "capture",
        "capture_duration", "response", NULL,
    };
    comb_code rc = check_keys(L, item, "rule", name, known);
    int append = get_bool(L, item, "append", "rule", name, 0, &rc);
    if (rc)
        return rc;
    comb_rule *r = comb_namemap_get(&rs->rules, name);
    const comb_ynode *ov = comb_ynode_get(item, "override");
    if (append || ov) {
        if (append && ov)
            return bad(L, item, "rule", name, "append and override together%s", NULL);
        if (!r)
            return bad(L, item, "rule", name, "%s of an undefined rule", append ? "append" : "override");
        return modify_rule(L, r, item, append);
    }
    /* `- rule: X` with only `enabled:` switches an existing rule. */
    if (r && item->n == 4 && comb_ynode_get(item, "enabled")) {
        r->enabled = get_bool(L, item, "enabled", "rule", name, 1, &rc);
        return rc;
    }
    const char *cond = get_scalar(L, item, "condition", "rule", name, &rc);
    const char *output = get_scalar(L, item, "output", "rule", name, &rc);
    const char *desc = get_scalar(L, item, "desc", "rule", name, &rc);
    const char *source = get_scalar(L, item, "source", "rule", name, &rc);
    if (rc)
        return rc;
    if (!cond)
        return bad(L, item, "rule", name, "condition missing%s", NULL);
    if (!output)
        return bad(L, item, "rule", name, "output missing%s", NULL);
    if (!comb_ynode_get(item, "priority"))
        return bad(L, item, "rule", name, "priority missing%s", NULL);
    if ((rc = count_item(L, item)))
        return rc;
    if (!r) {
        r = comb_arena_alloc(&rs->arena, sizeof *r);
        if (!r || comb_vec_reserve(&rs->arena, (void **)&rs->rulev, &rs->rulecap, rs->nrules,
                                   sizeof *rs->rulev) ||
            comb_namemap_put(&rs->rules, name, r))
            return nomem(L);
        r->order = rs->nrules;
        rs->rulev[rs->nrules++] = r;
    } else {
        size_t order = r->order;
        memset(r, 0, sizeof *r);
        r->order = order;
    }
    r->name = name;
    r->file = L->file;
    r->line = item->line;
    r->cond = cond;
    r->output = output;
    r->desc = desc;
    r->source = source ? source : "syscall";
    r->enabled = get_bool(L, item, "enabled", "rule", name, 1, &rc);
    r->warn_evttypes = get_bool(L, item, "warn_evttypes", "rule", name, 1, &rc);
    r->skip_if_unknown = get_bool(L, item, "skip-if-unknown-filter", "rule", name, 0, &rc);
    if (rc || (rc = set_priority(L, r, item)) || (rc = set_tags(L, r, item, 0)) ||
        (rc = load_exceptions(L, r, comb_ynode_get(item, "exceptions"), 1)) ||
        (rc = set_response(L, r, item, 0)))
        return rc;
    return COMB_OK;
}

/* ---- files -------------------------------------------------------------------------- */

static comb_code load_item(loader *L, const comb_ynode *item)
{
    if (item->type != COMB_Y_MAP)
        return bad(L, item, "item", NULL, "expected a mapping (rule, macro or list)%s", NULL);
    static const char *const kinds[] = { "rule", "macro", "list" };
    for (size_t k = 0; k < 3; k++) {
        const comb_ynode *v = comb_ynode_get(item, kinds[k]);
        if (!v)
            continue;
        if (v->type != COMB_Y_SCALAR || v->len == 0)
            return bad(L, v, kinds[k], NULL, "name must be a non-empty string%s", NULL);
        if (k == 0)
            return load_rule(L, item, v->s);
        if (k == 1)
            return load_macro(L, item, v->s);
        return load_list(L, item, v->s);
    }
    if (comb_ynode_get(item, "required_engine_version"))
        return COMB_OK;
    const comb_ynode *plugins = comb_ynode_get(item, "required_plugin_versions");
    if (plugins) {
        /* The container plugin's fields are built in; others are not. */
        for (size_t i = 0; plugins->type == COMB_Y_SEQ && i < plugins->n; i++) {
            const comb_ynode *name = comb_ynode_get(plugins->kids[i], "name");
            if (name && name->type == COMB_Y_SCALAR && strcmp(name->s, "container") != 0 &&
                rs_issue(L->rs, COMB_RULES_WARNING, "file", "", L->file, name->line,
                         "plugin %.100s is not available; rules using its fields are reported",
                         name->s))
                return nomem(L);
        }
        return COMB_OK;
    }
    if (rs_issue(L->rs, COMB_RULES_WARNING, "file", "", L->file, item->line,
                 "unknown item ignored (not a rule, macro or list)"))
        return nomem(L);
    return COMB_OK;
}

comb_code comb_rules_load_buffer(comb_ruleset *rs, const char *name, const void *data, size_t len,
                                 comb_err *err)
{
    if (len > COMB_RULES_MAX_FILE)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", name, COMB_RULES_MAX_FILE);
    /* Compile issues are recomputed by the next compile. */
    rs->nissues = rs->load_issues;
    loader L = { rs, comb_arena_strdup(&rs->arena, name), err };
    if (!L.file)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    comb_ynode **docs;
    size_t ndocs;
    comb_code rc = comb_yaml_parse(&rs->arena, L.file, data, len, &docs, &ndocs, err);
    for (size_t d = 0; rc == COMB_OK && d < ndocs; d++) {
        const comb_ynode *root = docs[d];
        if (comb_ynode_is_null(root))
            continue;
        if (root->type != COMB_Y_SEQ) {
            rc = comb_fail(err, COMB_EFORMAT, "%s:%zu: a rules file is a list of items", L.file,
                           root->line);
            break;
        }
        for (size_t i = 0; rc == COMB_OK && i < root->n; i++)
            rc = load_item(&L, root->kids[i]);
    }
    rs->load_issues = rs->nissues;
    rs->compiled = 0;
    return rc;
}

comb_code comb_rules_load_file(comb_ruleset *rs, const char *path, comb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return comb_fail(err, COMB_ENOTFOUND, "%s: cannot open", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    comb_code rc = COMB_OK;
    while (buf) {
        if (n == cap) {
            if (cap >= COMB_RULES_MAX_FILE) {
                rc = comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", path,
                               COMB_RULES_MAX_FILE);
                break;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    if (!rc && ferror(f))
        rc = comb_fail(err, COMB_EIO, "%s: read error", path);
    fclose(f);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", path);
    if (!rc)
        rc = comb_rules_load_buffer(rs, path, buf, n, err);
    free(buf);
    return rc;
}
