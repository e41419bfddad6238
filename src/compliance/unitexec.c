/* unitexec.c - a unit's ExecStart with its environment expanded (see
 * unitexec.h). */
#include "compliance/unitexec.h"

#include <stdlib.h>
#include <string.h>

#include "compliance/confread.h"
#include "compliance/procs.h"

#define MAX_VARS 256

/* "K=V" words of one Environment= value into env. */
static void add_assignments(json_t *env, const char *value)
{
    size_t n;
    char **words = comb_split_words(value, &n);
    for (size_t i = 0; words && i < n; i++) {
        char *eq = strchr(words[i], '=');
        if (eq && eq != words[i] && json_object_size(env) < MAX_VARS) {
            *eq = '\0';
            json_object_set_new(env, words[i], json_string(eq + 1));
        }
        free(words[i]);
    }
    free(words);
}

static void each_value(const json_t *v, void (*fn)(void *, const char *), void *ud)
{
    if (json_is_string(v)) {
        fn(ud, json_string_value(v));
        return;
    }
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e) if (json_is_string(e)) fn(ud, json_string_value(e));
}

static void env_line(void *ud, const char *value)
{
    add_assignments(ud, value);
}

typedef struct file_ctx {
    const comb_fsroot *fs;
    json_t *env;
} file_ctx;

static void env_file(void *ud, const char *value)
{
    file_ctx *fc = ud;
    const char *path = value[0] == '-' ? value + 1 : value;
    char *data;
    size_t len;
    comb_err err;
    if (comb_fsroot_read(fc->fs, path, COMB_FSROOT_MAX_FILE, &data, &len, &err))
        return; /* systemd fails a unit whose required file is missing; either way no values */
    json_t *doc = NULL;
    if (comb_conf_parse(COMB_CONF_INI, path, data, len, &doc, &err) == COMB_OK) {
        const char *k;
        json_t *v;
        json_object_foreach(doc, k, v) if (json_is_string(v) && json_object_size(fc->env) < MAX_VARS)
            json_object_set(fc->env, k, v);
    }
    json_decref(doc);
    free(data);
}

char *comb_unit_exec(const comb_fsroot *fs, const json_t *unit, comb_err *err)
{
    const json_t *exec = comb_conf_lookup(unit, "Service.ExecStart");
    if (json_is_array(exec))
        exec = json_array_get(exec, json_array_size(exec) - 1);
    if (!json_is_string(exec)) {
        comb_fail(err, COMB_ENOTFOUND, "no ExecStart");
        return NULL;
    }
    json_t *env = json_object();
    if (!env) {
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    each_value(comb_conf_lookup(unit, "Service.Environment"), env_line, env);
    file_ctx fc = { fs, env };
    each_value(comb_conf_lookup(unit, "Service.EnvironmentFile"), env_file, &fc);

    const char *s = json_string_value(exec);
    /* "-", "@", "+", "!", ":" prefixes of ExecStart change how it runs, not what */
    while (*s && strchr("-@+!:", *s))
        s++;
    char *out = malloc(COMB_UNITEXEC_MAX + 1);
    size_t n = 0;
    int over = 0;
    while (out && *s && !over) {
        if (*s != '$') {
            if (n >= COMB_UNITEXEC_MAX)
                over = 1;
            else
                out[n++] = *s++;
            continue;
        }
        /* $NAME or ${NAME} */
        const char *b = s + 1, *e;
        int braced = *b == '{';
        if (braced)
            b++;
        for (e = b; (*e >= 'A' && *e <= 'Z') || (*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') ||
                    *e == '_';
             e++)
            ;
        if (e == b || (braced && *e != '}')) {
            if (n >= COMB_UNITEXEC_MAX)
                over = 1;
            else
                out[n++] = *s++; /* a lone '$' */
            continue;
        }
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(e - b), b);
        const char *val = json_string_value(json_object_get(env, name));
        size_t vl = val ? strlen(val) : 0;
        if (n + vl > COMB_UNITEXEC_MAX)
            over = 1;
        else if (vl) {
            memcpy(out + n, val, vl);
            n += vl;
        }
        s = braced ? e + 1 : e;
    }
    json_decref(env);
    if (!out) {
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    if (over) {
        free(out);
        comb_fail(err, COMB_ELIMIT, "ExecStart longer than %d bytes once expanded", COMB_UNITEXEC_MAX);
        return NULL;
    }
    out[n] = '\0';
    return out;
}
