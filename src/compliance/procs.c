/* procs.c - the live process table and flags on command lines (see
 * procs.h). */
#include "compliance/procs.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

char **comb_split_words(const char *s, size_t *argc)
{
    size_t cap = 16, n = 0, len = strlen(s);
    char **argv = calloc(cap + 1, sizeof *argv);
    char *word = malloc(len + 1);
    if (!argv || !word) {
        free(argv);
        free(word);
        return NULL;
    }
    const char *p = s;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        size_t w = 0;
        char q = 0;
        while (*p && (q || !isspace((unsigned char)*p))) {
            if (!q && (*p == '"' || *p == '\'')) {
                q = *p++;
                continue;
            }
            if (q && *p == q) {
                q = 0;
                p++;
                continue;
            }
            if (*p == '\\' && p[1] && q != '\'') {
                p++;
            }
            word[w++] = *p++;
        }
        word[w] = '\0';
        if (n == cap) {
            if (cap >= 4096)
                break;
            char **na = realloc(argv, (cap * 2 + 1) * sizeof *na);
            if (!na)
                break;
            argv = na;
            cap *= 2;
        }
        if (!(argv[n] = strdup(word)))
            break;
        argv[++n] = NULL;
    }
    free(word);
    *argc = n;
    return argv;
}

static void load(comb_procs *ps, const comb_fsroot *fs)
{
    ps->loaded = 1;
    DIR *d = comb_fsroot_opendir(fs, "/proc");
    if (!d)
        return;
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d)) != NULL && ps->n < COMB_PROCS_MAX) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        char *data;
        size_t len;
        comb_err err;
        if (comb_fsroot_read(fs, path, COMB_PROCS_MAX_CMDLINE, &data, &len, &err) != COMB_OK)
            continue; /* the process is gone, or its command line is too long */
        if (len == 0) {
            free(data); /* a kernel thread */
            continue;
        }
        size_t argc = 0;
        for (size_t i = 0; i < len; i++)
            argc += data[i] == '\0';
        if (data[len - 1] != '\0')
            argc++;
        char **argv = calloc(argc + 1, sizeof *argv);
        if (ps->n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            comb_proc *np = realloc(ps->items, nc * sizeof *np);
            if (np) {
                ps->items = np;
                cap = nc;
            }
        }
        if (!argv || ps->n == cap) {
            free(argv);
            free(data);
            break;
        }
        size_t k = 0;
        for (size_t off = 0; off < len && k < argc; k++) {
            argv[k] = strdup(data + off);
            off += strlen(data + off) + 1;
        }
        const char *base = strrchr(argv[0] ? argv[0] : "", '/');
        comb_proc *pr = &ps->items[ps->n++];
        pr->argv = argv;
        pr->argc = k;
        pr->comm = strdup(base ? base + 1 : argv[0] ? argv[0] : "");
        free(data);
    }
    closedir(d);
}

const comb_proc *comb_procs_find(comb_procs *ps, const comb_fsroot *fs, const char *name)
{
    if (!ps->loaded)
        load(ps, fs);
    for (size_t i = 0; i < ps->n; i++)
        if (ps->items[i].comm && !strcmp(ps->items[i].comm, name))
            return &ps->items[i];
    return NULL;
}

void comb_procs_free(comb_procs *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        free(ps->items[i].comm);
        for (size_t j = 0; j < ps->items[i].argc; j++)
            free(ps->items[i].argv[j]);
        free(ps->items[i].argv);
    }
    free(ps->items);
    memset(ps, 0, sizeof *ps);
}

json_t *comb_flag_values(char *const *argv, size_t argc, const char *flag)
{
    json_t *vals = json_array();
    size_t fl = strlen(flag);
    for (size_t i = 1; i < argc && vals; i++) {
        const char *a = argv[i];
        if (!a || strncmp(a, flag, fl))
            continue;
        if (a[fl] == '=')
            json_array_append_new(vals, json_string(a + fl + 1));
        else if (a[fl] == '\0') {
            if (i + 1 < argc && argv[i + 1] && argv[i + 1][0] != '-')
                json_array_append_new(vals, json_string(argv[++i]));
            else
                json_array_append_new(vals, json_string("true"));
        }
    }
    if (!vals || json_array_size(vals) == 0) {
        json_decref(vals);
        return NULL;
    }
    if (json_array_size(vals) == 1) {
        json_t *one = json_incref(json_array_get(vals, 0));
        json_decref(vals);
        return one;
    }
    return vals;
}
