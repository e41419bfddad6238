/* toml.c - the TOML that engines' configs use (containerd's config.toml,
 * podman's containers.conf and registries.conf), read into confread's
 * string-valued tree: tables and arrays of tables, dotted and quoted keys,
 * basic/literal/multi-line strings, arrays (across lines, with comments),
 * inline tables; numbers, booleans and dates are kept as their text.
 * Debian 12 ships no maintained C TOML library, hence this bounded reader:
 * nesting, string length, key count and line length are limited, and
 * anything outside the subset is an error with its line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compliance/confread.h"

typedef struct toml {
    const char *p, *end;
    size_t line;
    const char *name;
    comb_err *err;
    size_t nodes;
    comb_code rc;
} toml;

static int t_fail(toml *t, comb_code code, const char *what)
{
    if (!t->rc)
        t->rc = comb_fail(t->err, code, "%s: line %zu: %s", t->name, t->line + 1, what);
    return -1;
}

static void t_ws(toml *t) /* spaces and tabs */
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
        t->p++;
}

static void t_ws_nl(toml *t) /* also newlines and comments (inside arrays) */
{
    while (t->p < t->end) {
        if (*t->p == ' ' || *t->p == '\t' || *t->p == '\r')
            t->p++;
        else if (*t->p == '\n') {
            t->line++;
            t->p++;
        } else if (*t->p == '#') {
            while (t->p < t->end && *t->p != '\n')
                t->p++;
        } else
            break;
    }
}

/* A quoted string starting at t->p ('"', '\'', or triple forms) -> new string. */
static json_t *t_string(toml *t)
{
    char q = *t->p;
    int triple = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
    t->p += triple ? 3 : 1;
    if (triple && t->p < t->end && *t->p == '\n') {
        t->p++;
        t->line++;
    }
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    while (buf && t->p < t->end) {
        char ch = *t->p;
        if (ch == q && (!triple || (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q))) {
            t->p += triple ? 3 : 1;
            json_t *s = json_stringn(buf, n);
            free(buf);
            if (!s)
                t_fail(t, COMB_EFORMAT, "string is not valid UTF-8");
            return s;
        }
        if (ch == '\n') {
            if (!triple)
                break;
            t->line++;
        }
        if (ch == '\\' && q == '"' && t->p + 1 < t->end) {
            t->p++;
            switch (*t->p) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case '\n': /* line-ending backslash: skip the newline and indentation */
                t->line++;
                t->p++;
                while (t->p < t->end && isspace((unsigned char)*t->p)) {
                    if (*t->p == '\n')
                        t->line++;
                    t->p++;
                }
                continue;
            default: ch = *t->p; break; /* \" \\ and the rest kept literally */
            }
        }
        if (n + 2 > cap) {
            if (cap >= COMB_CONF_MAX_LINE * 4u) {
                free(buf);
                t_fail(t, COMB_ELIMIT, "string too long");
                return NULL;
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        buf[n++] = ch;
        t->p++;
    }
    free(buf);
    t_fail(t, COMB_EFORMAT, "unterminated string");
    return NULL;
}

static int is_bare(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

static void free_segs(char **segs, int n);

/* A dotted key into segs (malloc'd strings); returns the count, or -1 with
 * nothing left allocated. */
static int t_key(toml *t, char **segs, int max)
{
    int n = 0;
    for (;;) {
        t_ws(t);
        if (n == max) {
            free_segs(segs, n);
            return t_fail(t, COMB_ELIMIT, "key has too many parts");
        }
        if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
            json_t *s = t_string(t);
            if (!s) {
                free_segs(segs, n);
                return -1;
            }
            segs[n] = strdup(json_string_value(s));
            json_decref(s);
        } else {
            const char *b = t->p;
            while (t->p < t->end && is_bare(*t->p))
                t->p++;
            if (t->p == b) {
                free_segs(segs, n);
                return t_fail(t, COMB_EFORMAT, "expected a key");
            }
            segs[n] = strndup(b, (size_t)(t->p - b));
        }
        if (!segs[n]) {
            free_segs(segs, n);
            return t_fail(t, COMB_ENOMEM, "out of memory");
        }
        n++;
        t_ws(t);
        if (t->p < t->end && *t->p == '.') {
            t->p++;
            continue;
        }
        return n;
    }
}

static void free_segs(char **segs, int n)
{
    for (int i = 0; i < n; i++)
        free(segs[i]);
}

static json_t *t_value(toml *t, int depth);

/* Walk/create tables for segs[0..n-1] below obj; the last element of an
 * array of tables stands for the array. */
static json_t *t_descend(toml *t, json_t *obj, char **segs, int n)
{
    for (int i = 0; i < n && obj; i++) {
        json_t *c = json_object_get(obj, segs[i]);
        if (json_is_array(c) && json_array_size(c) && json_is_object(json_array_get(c, json_array_size(c) - 1)))
            c = json_array_get(c, json_array_size(c) - 1);
        else if (!json_is_object(c)) {
            if (++t->nodes > COMB_CONF_MAX_NODES) {
                t_fail(t, COMB_ELIMIT, "too many keys");
                return NULL;
            }
            c = json_object();
            if (json_object_set_new(obj, segs[i], c))
                return NULL;
        }
        obj = c;
    }
    return obj;
}

static int t_keyval(toml *t, json_t *table, int depth)
{
    char *segs[COMB_CONF_MAX_DEPTH];
    int n = t_key(t, segs, COMB_CONF_MAX_DEPTH);
    if (n < 0)
        return -1;
    t_ws(t);
    if (t->p >= t->end || *t->p != '=') {
        free_segs(segs, n);
        return t_fail(t, COMB_EFORMAT, "expected '=' after a key");
    }
    t->p++;
    t_ws(t);
    json_t *obj = t_descend(t, table, segs, n - 1);
    json_t *v = obj ? t_value(t, depth + 1) : NULL;
    if (v && ++t->nodes <= COMB_CONF_MAX_NODES)
        json_object_set_new(obj, segs[n - 1], v);
    else {
        json_decref(v);
        free_segs(segs, n);
        return t_fail(t, COMB_ELIMIT, "bad value or too many keys");
    }
    free_segs(segs, n);
    return 0;
}

static json_t *t_value(toml *t, int depth)
{
    if (depth > COMB_CONF_MAX_DEPTH) {
        t_fail(t, COMB_ELIMIT, "nested too deep");
        return NULL;
    }
    if (t->p >= t->end) {
        t_fail(t, COMB_EFORMAT, "missing value");
        return NULL;
    }
    char ch = *t->p;
    if (ch == '"' || ch == '\'')
        return t_string(t);
    if (ch == '[') {
        t->p++;
        json_t *a = json_array();
        for (;;) {
            t_ws_nl(t);
            if (t->p < t->end && *t->p == ']') {
                t->p++;
                return a;
            }
            json_t *v = t_value(t, depth + 1);
            if (!v || ++t->nodes > COMB_CONF_MAX_NODES) {
                json_decref(v);
                json_decref(a);
                t_fail(t, COMB_ELIMIT, "bad array");
                return NULL;
            }
            json_array_append_new(a, v);
            t_ws_nl(t);
            if (t->p < t->end && *t->p == ',')
                t->p++;
            else if (t->p >= t->end || *t->p != ']') {
                json_decref(a);
                t_fail(t, COMB_EFORMAT, "expected ',' or ']' in an array");
                return NULL;
            }
        }
    }
    if (ch == '{') {
        t->p++;
        json_t *o = json_object();
        for (;;) {
            t_ws(t);
            if (t->p < t->end && *t->p == '}') {
                t->p++;
                return o;
            }
            if (t_keyval(t, o, depth + 1) < 0) {
                json_decref(o);
                return NULL;
            }
            t_ws(t);
            if (t->p < t->end && *t->p == ',')
                t->p++;
            else if (t->p >= t->end || *t->p != '}') {
                json_decref(o);
                t_fail(t, COMB_EFORMAT, "expected ',' or '}' in an inline table");
                return NULL;
            }
        }
    }
    /* numbers, booleans, dates: kept as their text (no spaces in them) */
    const char *b = t->p;
    while (t->p < t->end && !strchr(",]}#\n\r \t", *t->p))
        t->p++;
    const char *e = t->p;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e == b) {
        t_fail(t, COMB_EFORMAT, "missing value");
        return NULL;
    }
    json_t *s = json_stringn(b, (size_t)(e - b));
    if (!s)
        t_fail(t, COMB_EFORMAT, "value is not valid UTF-8");
    return s;
}

comb_code comb_conf_parse_toml(const char *name, const char *data, size_t len, json_t **out,
                              comb_err *err)
{
    toml t = { data, data + len, 0, name, err, 0, COMB_OK };
    json_t *root = json_object(), *table = root;
    while (root && !t.rc) {
        t_ws_nl(&t);
        if (t.p >= t.end)
            break;
        if (*t.p == '[') {
            int array = t.end - t.p >= 2 && t.p[1] == '[';
            t.p += array ? 2 : 1;
            char *segs[COMB_CONF_MAX_DEPTH];
            int n = t_key(&t, segs, COMB_CONF_MAX_DEPTH);
            if (n < 0)
                break;
            t_ws(&t);
            if (t.end - t.p < (array ? 2 : 1) || *t.p != ']' || (array && t.p[1] != ']')) {
                free_segs(segs, n);
                t_fail(&t, COMB_EFORMAT, "table header without ']'");
                break;
            }
            t.p += array ? 2 : 1;
            if (array) {
                json_t *parent = t_descend(&t, root, segs, n - 1);
                json_t *arr = parent ? json_object_get(parent, segs[n - 1]) : NULL;
                if (parent && !json_is_array(arr)) {
                    arr = json_array();
                    json_object_set_new(parent, segs[n - 1], arr);
                }
                table = json_object();
                if (!arr || json_array_append_new(arr, table) || ++t.nodes > COMB_CONF_MAX_NODES)
                    t_fail(&t, COMB_ELIMIT, "too many tables");
            } else {
                table = t_descend(&t, root, segs, n);
            }
            free_segs(segs, n);
            if (!table)
                t_fail(&t, COMB_ENOMEM, "out of memory");
        } else if (t_keyval(&t, table, 0) < 0) {
            break;
        }
        /* the rest of the line may hold only a comment */
        t_ws(&t);
        if (t.p < t.end && *t.p == '#')
            while (t.p < t.end && *t.p != '\n')
                t.p++;
        if (t.p < t.end && *t.p != '\n' && *t.p != '\r')
            t_fail(&t, COMB_EFORMAT, "unexpected text after a value");
    }
    if (!root)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", name);
    if (t.rc) {
        json_decref(root);
        return t.rc;
    }
    *out = root;
    return COMB_OK;
}

