/* yamltree.c - libyaml events to comb_ynode trees; see yamltree.h. */
#include "runtime/rules/yamltree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* An open sequence or mapping: its children collect in a malloc'd vector
 * and move to the arena when it closes. */
typedef struct open_node {
    comb_ynode *node;
    comb_ynode **kids;
    size_t n, cap;
} open_node;

static int push_kid(open_node *o, comb_ynode *kid)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        comb_ynode **k = realloc(o->kids, cap * sizeof *k);
        if (!k)
            return -1;
        o->kids = k;
        o->cap = cap;
    }
    o->kids[o->n++] = kid;
    return 0;
}

comb_code comb_yaml_parse(comb_arena *a, const char *name, const void *data, size_t len,
                          comb_ynode ***docs_out, size_t *ndocs_out, comb_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&p, data, len);
    open_node stack[COMB_YAML_MAX_DEPTH + 1];
    int depth = 0;
    open_node docs = { 0 };
    comb_ynode *root = NULL;
    size_t nodes = 0;
    comb_code rc = COMB_OK;
    int done = 0;
    while (!done && rc == COMB_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = comb_fail(err, COMB_EFORMAT, "%s:%zu: YAML: %s%s%s", name,
                           p.problem_mark.line + 1, p.problem ? p.problem : "syntax error",
                           p.context ? " " : "", p.context ? p.context : "");
            break;
        }
        size_t line = ev.start_mark.line + 1;
        comb_ynode *node = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            root = NULL;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (push_kid(&docs, root))
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
            break;
        case YAML_ALIAS_EVENT:
            rc = comb_fail(err, COMB_EUNSUPPORTED, "%s:%zu: YAML aliases are not supported",
                           name, line);
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++nodes > COMB_YAML_MAX_NODES) {
                rc = comb_fail(err, COMB_ELIMIT, "%s:%zu: more than %u YAML nodes", name, line,
                               COMB_YAML_MAX_NODES);
                break;
            }
            node = comb_arena_alloc(a, sizeof *node);
            if (!node) {
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                break;
            }
            node->line = line;
            if (ev.type == YAML_SCALAR_EVENT) {
                node->type = COMB_Y_SCALAR;
                node->s = comb_arena_strndup(a, (const char *)ev.data.scalar.value,
                                             ev.data.scalar.length);
                node->len = ev.data.scalar.length;
                node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (!node->s)
                    rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
            } else {
                node->type = ev.type == YAML_SEQUENCE_START_EVENT ? COMB_Y_SEQ : COMB_Y_MAP;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            if (depth == 0)
                break;
            open_node *o = &stack[--depth];
            if (o->n) {
                o->node->kids = comb_arena_calloc(a, o->n, sizeof *o->kids);
                if (!o->node->kids)
                    rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                else
                    memcpy(o->node->kids, o->kids, o->n * sizeof *o->kids);
            }
            o->node->n = o->n;
            free(o->kids);
            o->kids = NULL;
            node = o->node; /* now complete: attach to its parent below */
            if (depth > 0 && push_kid(&stack[depth - 1], node))
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
            else if (depth == 0)
                root = node;
            node = NULL;
            break;
        }
        default:
            break;
        }
        if (node && rc == COMB_OK) {
            if (node->type == COMB_Y_SCALAR) {
                if (depth > 0) {
                    if (push_kid(&stack[depth - 1], node))
                        rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                } else {
                    root = node;
                }
            } else if (depth >= COMB_YAML_MAX_DEPTH) {
                rc = comb_fail(err, COMB_ELIMIT, "%s:%zu: YAML nested deeper than %d", name,
                               line, COMB_YAML_MAX_DEPTH);
            } else {
                stack[depth].node = node;
                stack[depth].kids = NULL;
                stack[depth].n = stack[depth].cap = 0;
                depth++;
            }
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0)
        free(stack[--depth].kids);
    yaml_parser_delete(&p);
    if (rc == COMB_OK) {
        *ndocs_out = docs.n;
        *docs_out = NULL;
        if (docs.n) {
            *docs_out = comb_arena_calloc(a, docs.n, sizeof *docs.kids);
            if (!*docs_out)
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
            else
                memcpy(*docs_out, docs.kids, docs.n * sizeof *docs.kids);
        }
    }
    free(docs.kids);
    return rc;
}

const comb_ynode *comb_ynode_get(const comb_ynode *map, const char *key)
{
    if (!map || map->type != COMB_Y_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->kids[i]->type == COMB_Y_SCALAR && strcmp(map->kids[i]->s, key) == 0)
            return map->kids[i + 1];
    return NULL;
}

int comb_ynode_is_null(const comb_ynode *n)
{
    if (!n)
        return 1;
    if (n->type != COMB_Y_SCALAR || !n->plain)
        return 0;
    return n->len == 0 || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
           !strcmp(n->s, "NULL");
}
