/* confread.c - JSON, YAML, TOML, INI, systemd and sysctl readers into one
 * string-valued tree, and the key lookup (see confread.h). */
#include "compliance/confread.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const format_names[] = { "json", "yaml", "toml", "ini", "systemd", "sysctl" };

int comb_conf_format_parse(const char *name, comb_conf_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
        if (!strcmp(name, format_names[i])) {
            *out = (comb_conf_format)i;
            return 0;
        }
    if (!strcmp(name, "yml")) {
        *out = COMB_CONF_YAML;
        return 0;
    }
    return -1;
}

const char *comb_conf_format_name(comb_conf_format f)
{
    return (unsigned)f < sizeof format_names / sizeof *format_names ? format_names[f] : "?";
}

/* ---- JSON: parsed by jansson, scalars rewritten as strings ---- */

static json_t *stringify(json_t *v, int depth, size_t *nodes)
{
    if (depth > COMB_CONF_MAX_DEPTH || ++*nodes > COMB_CONF_MAX_NODES)
        return NULL;
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        const char *k;
        json_t *c;
        json_object_foreach(v, k, c) {
            json_t *s = stringify(c, depth + 1, nodes);
            if (!s || json_object_set_new(o, k, s)) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c) {
            json_t *s = stringify(c, depth + 1, nodes);
            if (!s || json_array_append_new(a, s)) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case JSON_STRING: return json_stringn(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return json_string(buf);
    case JSON_REAL: snprintf(buf, sizeof buf, "%.17g", json_real_value(v)); return json_string(buf);
    case JSON_TRUE: return json_string("true");
    case JSON_FALSE: return json_string("false");
    default: return json_null();
    }
}

static comb_code parse_json(const char *name, const char *data, size_t len, json_t **out,
                            comb_err *err)
{
    json_error_t je;
    json_t *raw = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!raw)
        return comb_fail(err, COMB_EFORMAT, "%s: line %d: %s", name, je.line, je.text);
    size_t nodes = 0;
    *out = stringify(raw, 0, &nodes);
    json_decref(raw);
    if (!*out)
        return comb_fail(err, COMB_ELIMIT, "%s: nested deeper than %d or more than %d nodes", name,
                         COMB_CONF_MAX_DEPTH, COMB_CONF_MAX_NODES);
    return COMB_OK;
}

/* ---- YAML: libyaml events; aliases refused, first document only ---- */

static comb_code parse_yaml(const char *name, const char *data, size_t len, json_t **out,
                            comb_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    json_t *stack[COMB_CONF_MAX_DEPTH + 1];
    char *keys[COMB_CONF_MAX_DEPTH + 1];
    int depth = 0;
    size_t nodes = 0;
    json_t *root = NULL;
    comb_code rc = COMB_OK;
    int done = 0;
    memset(keys, 0, sizeof keys);
    while (!done && rc == COMB_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: %s", name,
                           (size_t)p.problem_mark.line + 1, p.problem ? p.problem : "bad YAML");
            break;
        }
        json_t *node = NULL;
        int push = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT: done = 1; break;
        case YAML_ALIAS_EVENT:
            rc = comb_fail(err, COMB_EUNSUPPORTED, "%s: line %zu: YAML aliases are not accepted",
                           name, (size_t)ev.start_mark.line + 1);
            break;
        case YAML_SCALAR_EVENT:
            node = json_stringn_nocheck((const char *)ev.data.scalar.value, ev.data.scalar.length);
            if (ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                (ev.data.scalar.length == 0 || !strcmp((char *)ev.data.scalar.value, "~") ||
                 !strcmp((char *)ev.data.scalar.value, "null"))) {
                json_decref(node);
                node = json_null();
            }
            break;
        case YAML_SEQUENCE_START_EVENT: node = json_array(); push = 1; break;
        case YAML_MAPPING_START_EVENT: node = json_object(); push = 1; break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                free(keys[depth]);
                keys[depth] = NULL;
                depth--;
            }
            break;
        default: break;
        }
        yaml_event_delete(&ev);
        if (rc || !node)
            continue;
        if (++nodes > COMB_CONF_MAX_NODES || (push && depth >= COMB_CONF_MAX_DEPTH)) {
            json_decref(node);
            rc = comb_fail(err, COMB_ELIMIT, "%s: nested deeper than %d or more than %d nodes",
                           name, COMB_CONF_MAX_DEPTH, COMB_CONF_MAX_NODES);
            break;
        }
        if (depth == 0) {
            if (root) {
                json_decref(node);
                break;
            }
            root = node;
        } else {
            json_t *parent = stack[depth];
            if (json_is_array(parent)) {
                json_array_append(parent, node);
            } else if (!keys[depth]) {
                /* a key: only scalar keys are meaningful in config files */
                if (!json_is_string(node)) {
                    json_decref(node);
                    rc = comb_fail(err, COMB_EUNSUPPORTED, "%s: a mapping key is not a scalar",
                                   name);
                    break;
                }
                keys[depth] = strdup(json_string_value(node));
                json_decref(node);
                if (!keys[depth])
                    rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                continue;
            } else {
                json_object_set(parent, keys[depth], node);
                free(keys[depth]);
                keys[depth] = NULL;
            }
            json_decref(node);
        }
        if (push)
            stack[++depth] = node;
    }
    for (int i = 0; i <= COMB_CONF_MAX_DEPTH; i++)
        free(keys[i]);
    yaml_parser_delete(&p);
    if (rc) {
        json_decref(root);
        return rc;
    }
    *out = root ? root : json_object();
    return COMB_OK;
}

/* ---- line-based helpers ---- */

typedef struct cursor {
    const char *p, *end;
    size_t line;
    const char *name;
    comb_err *err;
    size_t nodes;
} cursor;

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Copy the next line (without '\n') into a malloc'd buffer; NULL at end. */
static char *next_line(cursor *c, comb_code *rc)
{
    if (c->p >= c->end)
        return NULL;
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    size_t n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
    c->line++;
    if (n > COMB_CONF_MAX_LINE) {
        *rc = comb_fail(c->err, COMB_ELIMIT, "%s: line %zu: longer than %d bytes", c->name, c->line,
                        COMB_CONF_MAX_LINE);
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) {
        *rc = comb_fail(c->err, COMB_ENOMEM, "%s: out of memory", c->name);
        return NULL;
    }
    memcpy(s, c->p, n);
    s[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!s[i])
            s[i] = ' '; /* a NUL inside a line must not cut it short silently */
    c->p = nl ? nl + 1 : c->end;
    return s;
}

static json_t *child_object(json_t *parent, const char *key)
{
    json_t *o = json_object_get(parent, key);
    if (json_is_object(o))
        return o;
    o = json_object();
    if (json_object_set_new(parent, key, o))
        return NULL;
    return o;
}

static char *unquote(char *v)
{
    size_t n = strlen(v);
    if (n >= 2 && ((v[0] == '"' && v[n - 1] == '"') || (v[0] == '\'' && v[n - 1] == '\''))) {
        v[n - 1] = '\0';
        return v + 1;
    }
    return v;
}

/* ---- INI and systemd units ---- */

static comb_code parse_ini(const char *name, const char *data, size_t len, int systemd,
                           json_t **out, comb_err *err)
{
    cursor c = { data, data + len, 0, name, err, 0 };
    json_t *root = json_object(), *sec = root;
    comb_code rc = COMB_OK;
    char *line;
    char *pending = NULL; /* systemd: a value continued with '\' */
    while (root && (line = next_line(&c, &rc)) != NULL) {
        char *s = trim(line);
        if (pending) {
            size_t pl = strlen(pending), sl = strlen(s);
            char *joined = malloc(pl + sl + 2);
            if (!joined || pl + sl > COMB_CONF_MAX_LINE) {
                free(joined);
                free(line);
                rc = comb_fail(err, COMB_ELIMIT, "%s: line %zu: continued line too long", name,
                               c.line);
                break;
            }
            memcpy(joined, pending, pl);
            joined[pl] = ' ';
            memcpy(joined + pl + 1, s, sl + 1);
            free(pending);
            pending = NULL;
            free(line);
            line = joined;
            s = line;
        }
        size_t sl = strlen(s);
        if (systemd && sl && s[sl - 1] == '\\') {
            s[sl - 1] = '\0';
            pending = strdup(s);
            free(line);
            if (!pending)
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
            if (rc)
                break;
            continue;
        }
        if (!*s || *s == '#' || *s == ';') {
            free(line);
            continue;
        }
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                free(line);
                rc = comb_fail(err, COMB_EFORMAT, "%s: line %zu: section without ']'", name, c.line);
                break;
            }
            *close = '\0';
            sec = child_object(root, trim(s + 1));
            free(line);
            if (!sec) {
                rc = comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
                break;
            }
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            free(line);
            continue; /* not an assignment: ignored like the tools that read these files */
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (!systemd)
            val = unquote(val);
        if (++c.nodes > COMB_CONF_MAX_NODES) {
            free(line);
            rc = comb_fail(err, COMB_ELIMIT, "%s: more than %d keys", name, COMB_CONF_MAX_NODES);
            break;
        }
        if (systemd) {
            json_t *old = json_object_get(sec, key);
            if (!*val)
                json_object_del(sec, key); /* "ExecStart=" clears the list */
            else if (!old)
                json_object_set_new(sec, key, json_string(val));
            else if (json_is_array(old))
                json_array_append_new(old, json_string(val));
            else {
                json_t *a = json_array();
                json_array_append(a, old);
                json_array_append_new(a, json_string(val));
                json_object_set_new(sec, key, a);
            }
        } else {
            json_object_set_new(sec, key, json_string(val));
        }
        free(line);
    }
    free(pending);
    if (!root)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    if (rc) {
        json_decref(root);
        return rc;
    }
    *out = root;
    return COMB_OK;
}

/* ---- sysctl.conf: "a.b.c = v" nests by the dots; '/' is a dot too ---- */

static comb_code parse_sysctl(const char *name, const char *data, size_t len, json_t **out,
                              comb_err *err)
{
    cursor c = { data, data + len, 0, name, err, 0 };
    json_t *root = json_object();
    comb_code rc = COMB_OK;
    char *line;
    while (root && (line = next_line(&c, &rc)) != NULL) {
        char *s = trim(line);
        char *eq = strchr(s, '=');
        if (!*s || *s == '#' || *s == ';' || !eq) {
            free(line);
            continue;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        if (*key == '-')
            key = trim(key + 1); /* "-key": errors ignored by sysctl; same value */
        for (char *k = key; *k; k++)
            if (*k == '/')
                *k = '.';
        json_t *obj = root;
        char *save = NULL, *seg = strtok_r(key, ".", &save);
        int depth = 0;
        while (seg && obj) {
            char *nextseg = strtok_r(NULL, ".", &save);
            if (++c.nodes > COMB_CONF_MAX_NODES || ++depth > COMB_CONF_MAX_DEPTH) {
                rc = comb_fail(err, COMB_ELIMIT, "%s: line %zu: too many keys or too deep", name,
                               c.line);
                break;
            }
            if (nextseg)
                obj = child_object(obj, seg);
            else
                json_object_set_new(obj, seg, json_string(val));
            seg = nextseg;
        }
        free(line);
        if (rc)
            break;
    }
    if (!root)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    if (rc) {
        json_decref(root);
        return rc;
    }
    *out = root;
    return COMB_OK;
}

comb_code comb_conf_parse(comb_conf_format fmt, const char *name, const char *data, size_t len,
                          json_t **out, comb_err *err)
{
    *out = NULL;
    switch (fmt) {
    case COMB_CONF_JSON: return parse_json(name, data, len, out, err);
    case COMB_CONF_YAML: return parse_yaml(name, data, len, out, err);
    case COMB_CONF_TOML: return comb_conf_parse_toml(name, data, len, out, err);
    case COMB_CONF_INI: return parse_ini(name, data, len, 0, out, err);
    case COMB_CONF_SYSTEMD: return parse_ini(name, data, len, 1, out, err);
    case COMB_CONF_SYSCTL: return parse_sysctl(name, data, len, out, err);
    }
    return comb_fail(err, COMB_EINVAL, "%s: unknown format", name);
}

const json_t *comb_conf_lookup(const json_t *doc, const char *path)
{
    const json_t *cur = doc;
    const char *p = path;
    char seg[512];
    while (cur && *p) {
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"' && n + 1 < sizeof seg)
                seg[n++] = *p++;
            if (*p != '"')
                return NULL;
            p++;
        } else {
            while (*p && *p != '.' && n + 1 < sizeof seg)
                seg[n++] = *p++;
        }
        seg[n] = '\0';
        if (*p == '.')
            p++;
        else if (*p)
            return NULL;
        if (json_is_object(cur)) {
            cur = json_object_get(cur, seg);
        } else if (json_is_array(cur)) {
            char *end;
            unsigned long i = strtoul(seg, &end, 10);
            cur = n && !*end ? json_array_get(cur, i) : NULL;
        } else {
            return NULL;
        }
    }
    return cur;
}

char *comb_conf_text(const json_t *node)
{
    if (!node || json_is_null(node))
        return strdup("");
    if (json_is_string(node))
        return strndup(json_string_value(node), json_string_length(node));
    if (json_is_array(node)) {
        size_t total = 1, i;
        const json_t *v;
        json_array_foreach(node, i, v) total += (json_is_string(v) ? json_string_length(v) : 8) + 1;
        char *s = malloc(total);
        if (!s)
            return NULL;
        size_t n = 0;
        json_array_foreach(node, i, v)
        {
            if (!json_is_string(v))
                continue;
            if (n)
                s[n++] = ',';
            memcpy(s + n, json_string_value(v), json_string_length(v));
            n += json_string_length(v);
        }
        s[n] = '\0';
        return s;
    }
    return json_dumps(node, JSON_COMPACT | JSON_SORT_KEYS);
}
