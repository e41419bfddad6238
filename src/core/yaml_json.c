/* yaml_json.c - one YAML document to a jansson tree, with libyaml's event
 * parser. Advisory YAML (OSV, Alpine secdb) and trust policies use plain mappings, sequences
 * and scalars; anything fancier (aliases, several documents) is refused
 * rather than guessed, and nesting and size are bounded. */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/yaml_json.h"

#define MAX_NODES 4000000u

typedef struct frame {
    json_t *node;       /* object or array */
    char *key;          /* pending key in a mapping (malloc'd), NULL when expecting one */
} frame;

static json_t *scalar_value(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (n == 0 || (n == 1 && v[0] == '~') || (n == 4 && (!memcmp(v, "null", 4) ||
                                                           !memcmp(v, "Null", 4) ||
                                                           !memcmp(v, "NULL", 4))))
            return json_null();
        if ((n == 4 && (!memcmp(v, "true", 4) || !memcmp(v, "True", 4))))
            return json_true();
        if ((n == 5 && (!memcmp(v, "false", 5) || !memcmp(v, "False", 5))))
            return json_false();
    }
    return json_stringn_nocheck(v, n);
}

json_t *comb_yaml_to_json(const void *data, size_t len, char *msg, size_t msgsize)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(msg, msgsize, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&p, data, len);
    frame stack[COMB_YAML_MAX_DEPTH + 1];
    int depth = 0;
    json_t *root = NULL;
    int docs = 0, done = 0, ok = 0;
    unsigned nodes = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            snprintf(msg, msgsize, "YAML: %s at line %zu column %zu",
                     p.problem ? p.problem : "syntax error", p.problem_mark.line + 1,
                     p.problem_mark.column + 1);
            break;
        }
        json_t *val = NULL;
        int push = 0, fail = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            ok = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                snprintf(msg, msgsize, "YAML: more than one document");
                fail = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            snprintf(msg, msgsize, "YAML: aliases are not supported (line %zu)",
                     ev.start_mark.line + 1);
            fail = 1;
            break;
        case YAML_SCALAR_EVENT:
            val = scalar_value(&ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            val = json_array();
            push = 1;
            break;
        case YAML_MAPPING_START_EVENT:
            val = json_object();
            push = 1;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                free(stack[depth - 1].key);
                stack[depth - 1].key = NULL;
                depth--;
            }
            break;
        default:
            break;
        }
        if (!fail && (ev.type == YAML_SCALAR_EVENT || push)) {
            if (!val) {
                snprintf(msg, msgsize, "out of memory");
                fail = 1;
            } else if (++nodes > MAX_NODES) {
                snprintf(msg, msgsize, "YAML: more than %u nodes", MAX_NODES);
                json_decref(val);
                fail = 1;
            } else if (depth == 0) {
                if (root) {
                    json_decref(val);
                    snprintf(msg, msgsize, "YAML: several root nodes");
                    fail = 1;
                } else {
                    root = val;
                }
            } else {
                frame *f = &stack[depth - 1];
                if (json_is_array(f->node)) {
                    json_array_append_new(f->node, val);
                } else if (!f->key) {
                    /* a key: must be a scalar */
                    if (!json_is_string(val) && !json_is_null(val) && !json_is_boolean(val)) {
                        snprintf(msg, msgsize, "YAML: non-scalar mapping key at line %zu",
                                 ev.start_mark.line + 1);
                        json_decref(val);
                        fail = 1;
                        val = NULL;
                    } else {
                        const char *k = json_is_string(val) ? json_string_value(val)
                                        : json_is_null(val) ? "null"
                                        : json_is_true(val) ? "true" : "false";
                        size_t kl = json_is_string(val) ? json_string_length(val) : strlen(k);
                        if (memchr(k, '\0', kl)) {
                            snprintf(msg, msgsize, "YAML: NUL in a mapping key");
                            fail = 1;
                        } else if (!(f->key = strndup(k, kl))) {
                            snprintf(msg, msgsize, "out of memory");
                            fail = 1;
                        }
                        json_decref(val);
                        val = NULL;
                    }
                } else {
                    json_object_set_new_nocheck(f->node, f->key, val);
                    free(f->key);
                    f->key = NULL;
                }
            }
            if (!fail && push && val) {
                if (depth >= COMB_YAML_MAX_DEPTH) {
                    snprintf(msg, msgsize, "YAML: nested deeper than %d", COMB_YAML_MAX_DEPTH);
                    fail = 1;
                } else {
                    stack[depth].node = val; /* borrowed: owned by its parent or root */
                    stack[depth].key = NULL;
                    depth++;
                }
            }
        }
        yaml_event_delete(&ev);
        if (fail)
            break;
    }
    for (int i = 0; i < depth; i++)
        free(stack[i].key);
    yaml_parser_delete(&p);
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    if (!root) {
        snprintf(msg, msgsize, "YAML: empty document");
        return NULL;
    }
    return root;
}
