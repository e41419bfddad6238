/* config.c - secret rule configs (YAML) into definitions; see
 * docs/SECRETS.md for the format. The built-in rule file and user configs use
 * the same shape, which follows Trivy's trivy-secret.yaml:
 *
 *   builtin-rules: true          # comb: false drops every built-in rule
 *   enable-builtin-rules: [ids]  # only these built-in rules
 *   disable-rules: [ids]
 *   disable-allow-rules: [ids]
 *   rules: [{id, category, title, severity, regex, keywords, path,
 *            secret-group-name, entropy, max-length, binary, allow-rules}]
 *   allow-rules: [{id, description, regex, path}]
 *
 * Everything is bounded (document size, counts, string lengths), and since
 * libyaml resolves aliases into shared nodes, the number of nodes visited is
 * capped too, so an alias bomb cannot make the walk explode. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "secret/secret_internal.h"

#define MAX_VISITS 200000

typedef struct walk {
    comb_arena *a;
    yaml_document_t *doc;
    const char *name;
    comb_err *err;
    size_t visits;
} walk;

static comb_code fail_at(walk *w, const yaml_node_t *n, const char *what, const char *problem)
{
    return comb_fail(w->err, COMB_EFORMAT, "%s: line %lu: %s: %s", w->name,
                     (unsigned long)(n ? n->start_mark.line + 1 : 0), what, problem);
}

static yaml_node_t *node(walk *w, int id)
{
    if (++w->visits > MAX_VISITS)
        return NULL;
    return yaml_document_get_node(w->doc, id);
}

static comb_code get_str(walk *w, yaml_node_t *n, const char *what, const char **out)
{
    if (!n)
        return fail_at(w, n, what, "document too large or deeply aliased");
    if (n->type != YAML_SCALAR_NODE)
        return fail_at(w, n, what, "expected a string");
    size_t len = n->data.scalar.length;
    if (len > SECRET_MAX_STRING)
        return fail_at(w, n, what, "string too long");
    if (memchr(n->data.scalar.value, 0, len))
        return fail_at(w, n, what, "contains a NUL byte");
    char *s = comb_arena_strndup(w->a, (const char *)n->data.scalar.value, len);
    if (!s)
        return comb_fail(w->err, COMB_ENOMEM, "%s: out of memory", w->name);
    *out = s;
    return COMB_OK;
}

static comb_code get_bool(walk *w, yaml_node_t *n, const char *what, int *out)
{
    const char *s;
    comb_code rc = get_str(w, n, what, &s);
    if (rc)
        return rc;
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))
        *out = 1;
    else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))
        *out = 0;
    else
        return fail_at(w, n, what, "expected true or false");
    return COMB_OK;
}

static comb_code get_number(walk *w, yaml_node_t *n, const char *what, double lo, double hi,
                            double *out)
{
    const char *s;
    comb_code rc = get_str(w, n, what, &s);
    if (rc)
        return rc;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        char msg[96];
        snprintf(msg, sizeof msg, "expected a number from %g to %g", lo, hi);
        return fail_at(w, n, what, msg);
    }
    *out = v;
    return COMB_OK;
}

/* A sequence of strings (a lone string is taken as a list of one). */
static comb_code get_str_list(walk *w, yaml_node_t *n, const char *what, size_t max,
                              int lower, const char ***out, size_t *count)
{
    if (!n)
        return fail_at(w, n, what, "document too large or deeply aliased");
    size_t cnt = 1;
    if (n->type == YAML_SEQUENCE_NODE)
        cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    else if (n->type != YAML_SCALAR_NODE)
        return fail_at(w, n, what, "expected a list of strings");
    if (cnt > max)
        return fail_at(w, n, what, "too many entries");
    const char **list = comb_arena_calloc(w->a, cnt ? cnt : 1, sizeof *list);
    if (!list)
        return comb_fail(w->err, COMB_ENOMEM, "%s: out of memory", w->name);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *item = n->type == YAML_SCALAR_NODE
                                ? n
                                : node(w, n->data.sequence.items.start[i]);
        comb_code rc = get_str(w, item, what, &list[i]);
        if (rc)
            return rc;
        if (lower)
            for (char *p = (char *)list[i]; *p; p++)
                *p = (char)tolower((unsigned char)*p);
    }
    *out = list;
    *count = cnt;
    return COMB_OK;
}

/* The i-th pair of a mapping: its key (a string) and value node. */
static comb_code pair_at(walk *w, yaml_node_t *map, size_t i, const char **key,
                         yaml_node_t **val)
{
    yaml_node_pair_t *p = map->data.mapping.pairs.start + i;
    yaml_node_t *k = node(w, p->key);
    *val = node(w, p->value);
    if (!k || !*val)
        return fail_at(w, map, "mapping", "document too large or deeply aliased");
    if (k->type != YAML_SCALAR_NODE)
        return fail_at(w, k, "mapping", "keys must be strings");
    *key = (const char *)k->data.scalar.value;
    return COMB_OK;
}

static size_t pair_count(const yaml_node_t *map)
{
    return (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
}

static comb_code need_map(walk *w, yaml_node_t *n, const char *what)
{
    if (!n)
        return fail_at(w, n, what, "document too large or deeply aliased");
    if (n->type != YAML_MAPPING_NODE)
        return fail_at(w, n, what, "expected a mapping");
    return COMB_OK;
}

static comb_code parse_allow(walk *w, yaml_node_t *n, secret_allow_def *d)
{
    comb_code rc = need_map(w, n, "allow rule");
    if (rc)
        return rc;
    memset(d, 0, sizeof *d);
    d->line = (unsigned)n->start_mark.line + 1;
    for (size_t i = 0; i < pair_count(n); i++) {
        const char *key;
        yaml_node_t *v;
        if ((rc = pair_at(w, n, i, &key, &v)))
            return rc;
        if (!strcmp(key, "id"))
            rc = get_str(w, v, "allow rule id", &d->id);
        else if (!strcmp(key, "description"))
            rc = get_str(w, v, "allow rule description", &d->description);
        else if (!strcmp(key, "regex"))
            rc = get_str(w, v, "allow rule regex", &d->regex);
        else if (!strcmp(key, "path"))
            rc = get_str(w, v, "allow rule path", &d->path);
        else {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown key \"%.60s\"", key);
            rc = fail_at(w, v, "allow rule", msg);
        }
        if (rc)
            return rc;
    }
    if (!d->regex && !d->path)
        return fail_at(w, n, "allow rule", "needs a regex or a path");
    return COMB_OK;
}

static comb_code parse_allows(walk *w, yaml_node_t *n, const char *what, secret_allow_def **out,
                              size_t *count)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return fail_at(w, n, what, "expected a list");
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt > SECRET_MAX_ALLOWS)
        return fail_at(w, n, what, "too many allow rules");
    secret_allow_def *list = comb_arena_calloc(w->a, cnt ? cnt : 1, sizeof *list);
    if (!list)
        return comb_fail(w->err, COMB_ENOMEM, "%s: out of memory", w->name);
    for (size_t i = 0; i < cnt; i++) {
        comb_code rc = parse_allow(w, node(w, n->data.sequence.items.start[i]), &list[i]);
        if (rc)
            return rc;
    }
    *out = list;
    *count = cnt;
    return COMB_OK;
}

static comb_code parse_rule(walk *w, yaml_node_t *n, secret_rule_def *d)
{
    comb_code rc = need_map(w, n, "rule");
    if (rc)
        return rc;
    memset(d, 0, sizeof *d);
    d->line = (unsigned)n->start_mark.line + 1;
    for (size_t i = 0; i < pair_count(n); i++) {
        const char *key;
        yaml_node_t *v;
        double num;
        if ((rc = pair_at(w, n, i, &key, &v)))
            return rc;
        if (!strcmp(key, "id"))
            rc = get_str(w, v, "rule id", &d->id);
        else if (!strcmp(key, "category"))
            rc = get_str(w, v, "rule category", &d->category);
        else if (!strcmp(key, "title"))
            rc = get_str(w, v, "rule title", &d->title);
        else if (!strcmp(key, "severity"))
            rc = get_str(w, v, "rule severity", &d->severity);
        else if (!strcmp(key, "regex"))
            rc = get_str(w, v, "rule regex", &d->regex);
        else if (!strcmp(key, "path"))
            rc = get_str(w, v, "rule path", &d->path);
        else if (!strcmp(key, "secret-group-name"))
            rc = get_str(w, v, "rule secret-group-name", &d->secret_group);
        else if (!strcmp(key, "keywords"))
            rc = get_str_list(w, v, "rule keywords", SECRET_MAX_KEYWORDS, 1, &d->keywords,
                              &d->nkeywords);
        else if (!strcmp(key, "entropy")) {
            rc = get_number(w, v, "rule entropy", 0, 8, &num);
            d->min_entropy = num;
        } else if (!strcmp(key, "max-length")) {
            rc = get_number(w, v, "rule max-length", 1, SECRET_MAX_MAX_LENGTH, &num);
            d->max_length = (uint32_t)num;
        } else if (!strcmp(key, "binary"))
            rc = get_bool(w, v, "rule binary", &d->binary);
        else if (!strcmp(key, "allow-rules"))
            rc = parse_allows(w, v, "rule allow-rules", &d->allows, &d->nallows);
        else {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown key \"%.60s\"", key);
            rc = fail_at(w, v, "rule", msg);
        }
        if (rc)
            return rc;
    }
    if (!d->id)
        return fail_at(w, n, "rule", "id missing");
    if (!d->regex) {
        char msg[200];
        snprintf(msg, sizeof msg, "regex missing in rule \"%.100s\"", d->id);
        return fail_at(w, n, "rule", msg);
    }
    for (size_t i = 0; i < d->nkeywords; i++) {
        size_t kl = strlen(d->keywords[i]);
        if (kl == 0 || kl > SECRET_MAX_KEYWORD_LEN) {
            char msg[200];
            snprintf(msg, sizeof msg, "rule \"%.100s\": keywords must be 1 to %d bytes", d->id,
                     SECRET_MAX_KEYWORD_LEN);
            return fail_at(w, n, "rule", msg);
        }
    }
    return COMB_OK;
}

static comb_code parse_root(walk *w, yaml_node_t *root, secret_config *c)
{
    comb_code rc = need_map(w, root, "config");
    if (rc)
        return rc;
    for (size_t i = 0; i < pair_count(root); i++) {
        const char *key;
        yaml_node_t *v;
        if ((rc = pair_at(w, root, i, &key, &v)))
            return rc;
        if (!strcmp(key, "builtin-rules"))
            rc = get_bool(w, v, "builtin-rules", &c->builtin);
        else if (!strcmp(key, "enable-builtin-rules"))
            rc = get_str_list(w, v, "enable-builtin-rules", SECRET_MAX_RULES, 0,
                              &c->enable_builtin, &c->nenable_builtin);
        else if (!strcmp(key, "disable-rules"))
            rc = get_str_list(w, v, "disable-rules", SECRET_MAX_RULES, 0, &c->disable_rules,
                              &c->ndisable_rules);
        else if (!strcmp(key, "disable-allow-rules"))
            rc = get_str_list(w, v, "disable-allow-rules", SECRET_MAX_RULES, 0,
                              &c->disable_allow, &c->ndisable_allow);
        else if (!strcmp(key, "allow-rules"))
            rc = parse_allows(w, v, "allow-rules", &c->allows, &c->nallows);
        else if (!strcmp(key, "rules")) {
            if (v->type != YAML_SEQUENCE_NODE)
                return fail_at(w, v, "rules", "expected a list");
            size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
            if (cnt > SECRET_MAX_RULES)
                return fail_at(w, v, "rules", "too many rules");
            c->rules = comb_arena_calloc(w->a, cnt ? cnt : 1, sizeof *c->rules);
            if (!c->rules)
                return comb_fail(w->err, COMB_ENOMEM, "%s: out of memory", w->name);
            for (size_t i = 0; i < cnt; i++) {
                rc = parse_rule(w, node(w, v->data.sequence.items.start[i]), &c->rules[i]);
                if (rc)
                    return rc;
            }
            c->nrules = cnt;
        } else if (!strcmp(key, "exclude-block") || !strcmp(key, "skip-patterns"))
            rc = fail_at(w, v, key, "not supported by comb (see docs/SECRETS.md)");
        else {
            char msg[128];
            snprintf(msg, sizeof msg, "unknown key \"%.60s\"", key);
            rc = fail_at(w, v, "config", msg);
        }
        if (rc)
            return rc;
    }
    return COMB_OK;
}

comb_code secret_config_parse(comb_arena *a, const char *name, const char *text, size_t len,
                              secret_config *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    out->builtin = -1;
    if (len > SECRET_CONFIG_MAX_BYTES)
        return comb_fail(err, COMB_ELIMIT, "%s: config larger than %u bytes", name,
                         SECRET_CONFIG_MAX_BYTES);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        comb_code rc = comb_fail(err, COMB_EFORMAT, "%s: line %lu: YAML: %s%s%s", name,
                                 (unsigned long)parser.problem_mark.line + 1,
                                 parser.problem ? parser.problem : "syntax error",
                                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return rc;
    }
    walk w = { a, &doc, name, err, 0 };
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    comb_code rc = root ? parse_root(&w, root, out) : COMB_OK; /* empty file: no settings */
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}
