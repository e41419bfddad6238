/* eval.c - audit sources, comparisons and any/all (see eval.h). */
#include "compliance/eval.h"

#include "compliance/unitexec.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>


void comb_eval_init(comb_eval_ctx *c, const comb_fsroot *fs)
{
    memset(c, 0, sizeof *c);
    c->fs = fs;
}

void comb_eval_free(comb_eval_ctx *c)
{
    for (size_t i = 0; i < c->nfiles; i++) {
        free(c->files[i].path);
        json_decref(c->files[i].doc);
        free(c->files[i].error);
    }
    free(c->files);
    comb_procs_free(&c->procs);
    free(c->audit_rules);
    free(c->mounts);
    json_decref(c->sysctl_conf);
    json_decref(c->users);
    json_decref(c->groups);
    memset(c, 0, sizeof *c);
}

/* Append printf output to the evidence, truncating with "..." when full. */
static void evf(char *ev, size_t evsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void evf(char *ev, size_t evsz, const char *fmt, ...)
{
    size_t n = strlen(ev);
    if (n + 1 >= evsz)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(ev + n, evsz - n, fmt, ap);
    va_end(ap);
    if (w > 0 && (size_t)w >= evsz - n && evsz > 4)
        memcpy(ev + evsz - 4, "...", 4);
}

/* Remember the file a check is about (see comb_eval_ctx.file). */
static void note_file(comb_eval_ctx *c, const char *path, int failing)
{
    if ((!c->file[0] || (failing && !c->file_failing)) && strlen(path) < sizeof c->file) {
        strcpy(c->file, path);
        c->file_failing = failing;
    }
}

/* ---- values ---- */

typedef enum vstate { V_VALUE, V_ABSENT, V_NA, V_ERROR } vstate;

static const char *const op_names[] = { "present", "absent", "==", "!=", ">", ">=", "<", "<=",
                                        "has", "does not have", "matches", "at most mode" };

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ')
        end++;
    return end != s && !*end && !errno ? 0 : -1;
}

static int text_eq(const char *a, const char *b)
{
    /* booleans are written True/true/TRUE depending on the tool */
    if ((!strcasecmp(a, "true") || !strcasecmp(a, "false")) && !strcasecmp(a, b))
        return 1;
    return !strcmp(a, b);
}

comb_bench_status comb_eval_compare(const comb_bench_item *it, const json_t *value)
{
    if (it->op == COMB_OP_PRESENT)
        return COMB_BENCH_PASS;
    if (it->op == COMB_OP_ABSENT)
        return COMB_BENCH_FAIL;
    char *text = comb_conf_text(value);
    if (!text)
        return COMB_BENCH_FAIL;
    const char *want = it->value ? it->value : "";
    int ok = 0;
    double a, b;
    switch (it->op) {
    case COMB_OP_EQ: ok = text_eq(text, want); break;
    case COMB_OP_NOTEQ: ok = !text_eq(text, want); break;
    case COMB_OP_GT:
    case COMB_OP_GTE:
    case COMB_OP_LT:
    case COMB_OP_LTE:
        if (parse_num(text, &a) == 0 && parse_num(want, &b) == 0)
            ok = it->op == COMB_OP_GT ? a > b : it->op == COMB_OP_GTE ? a >= b
                 : it->op == COMB_OP_LT ? a < b : a <= b;
        break;
    case COMB_OP_HAS:
    case COMB_OP_NOTHAVE: {
        int has = 0;
        if (json_is_array(value)) {
            size_t i;
            const json_t *v;
            json_array_foreach(value, i, v) if (json_is_string(v) &&
                                                text_eq(json_string_value(v), want)) has = 1;
        } else {
            has = strstr(text, want) != NULL;
        }
        ok = it->op == COMB_OP_HAS ? has : !has;
        break;
    }
    case COMB_OP_REGEX:
        if (it->re) {
            pcre2_match_data *md = pcre2_match_data_create_from_pattern(it->re, NULL);
            if (md) {
                /* bounded: rule regexes are ours, but the subject is the host's */
                pcre2_match_context *mc = pcre2_match_context_create(NULL);
                if (mc)
                    pcre2_set_match_limit(mc, 100000);
                ok = pcre2_match(it->re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, mc) >= 0;
                pcre2_match_context_free(mc);
                pcre2_match_data_free(md);
            }
        }
        break;
    case COMB_OP_BITMASK: {
        char *e1, *e2;
        unsigned long have = strtoul(text, &e1, 8), allowed = strtoul(want, &e2, 8);
        ok = *text && !*e1 && !*e2 && (have & ~allowed & 07777) == 0;
        break;
    }
    default: break;
    }
    free(text);
    return ok ? COMB_BENCH_PASS : COMB_BENCH_FAIL;
}

/* Decide on an obtained value; writes "<what> = <value> (expected ...)". */
static comb_bench_status judge(const comb_bench_item *it, vstate st, const json_t *value,
                               const char *what, const char *why, char *ev, size_t evsz)
{
    if (st == V_NA || st == V_ERROR) {
        evf(ev, evsz, "%s: %s", what, why ? why : "not available");
        return st == V_NA ? COMB_BENCH_NA : COMB_BENCH_ERROR;
    }
    json_t *dflt = NULL;
    if (st == V_ABSENT && it->dflt) {
        dflt = json_string(it->dflt);
        value = dflt;
        st = V_VALUE;
    }
    comb_bench_status s;
    if (st == V_ABSENT) {
        if (!it->missing_set &&
            (it->op == COMB_OP_ABSENT || it->op == COMB_OP_NOTHAVE || it->op == COMB_OP_NOTEQ))
            s = COMB_BENCH_PASS;
        else
            s = it->missing;
        evf(ev, evsz, "%s: %s", what, why ? why : "not set");
    } else {
        s = comb_eval_compare(it, value);
        char *text = comb_conf_text(value);
        if (text && strlen(text) > 300) /* a whole file: show its start */
            memcpy(text + 296, "...", 4);
        evf(ev, evsz, "%s = %s%s", what, text ? (*text ? text : "\"\"") : "?",
            dflt ? " (default)" : "");
        if (it->op != COMB_OP_PRESENT && s == COMB_BENCH_FAIL)
            evf(ev, evsz, " (expected %s%s%s)", op_names[it->op], it->value ? " " : "",
                it->value ? it->value : "");
        free(text);
    }
    json_decref(dflt);
    return s;
}

/* ---- cached config files ---- */

static comb_eval_cached *load_config(comb_eval_ctx *c, const char *path, comb_conf_format fmt)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (!strcmp(c->files[i].path, path))
            return &c->files[i];
    if (c->nfiles == c->capfiles) {
        size_t cap = c->capfiles ? c->capfiles * 2 : 16;
        comb_eval_cached *n = realloc(c->files, cap * sizeof *n);
        if (!n)
            return NULL;
        c->files = n;
        c->capfiles = cap;
    }
    comb_eval_cached *f = &c->files[c->nfiles];
    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(path)))
        return NULL;
    c->nfiles++;
    char *data;
    size_t len;
    comb_err err;
    comb_code rc = comb_fsroot_read(c->fs, path, COMB_FSROOT_MAX_FILE, &data, &len, &err);
    if (rc == COMB_ENOTFOUND) {
        f->missing = 1;
        return f;
    }
    if (rc == COMB_OK) {
        rc = comb_conf_parse(fmt, path, data, len, &f->doc, &err);
        free(data);
    }
    if (rc)
        f->error = strdup(err.msg);
    return f;
}

/* ---- users and groups of the root, for "owner" ---- */

static json_t *load_ids(comb_eval_ctx *c, const char *path)
{
    json_t *map = json_object();
    char *data;
    size_t len;
    comb_err err;
    if (!map || comb_fsroot_read(c->fs, path, COMB_FSROOT_MAX_FILE, &data, &len, &err))
        return map;
    size_t count = 0;
    for (char *save = NULL, *line = strtok_r(data, "\n", &save); line && count < 65536;
         line = strtok_r(NULL, "\n", &save), count++) {
        char *name = line, *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
        if (!c3)
            continue;
        *c1 = '\0';
        *c3 = '\0';
        if (!json_object_get(map, c2 + 1)) /* the first entry for an id wins */
            json_object_set_new(map, c2 + 1, json_string(name));
    }
    free(data);
    return map;
}

static void id_name(comb_eval_ctx *c, int group, unsigned long id, char *out, size_t outsz)
{
    json_t **map = group ? &c->groups : &c->users;
    if (!*map)
        *map = load_ids(c, group ? "/etc/group" : "/etc/passwd");
    char key[32];
    snprintf(key, sizeof key, "%lu", id);
    const char *name = json_string_value(json_object_get(*map, key));
    snprintf(out, outsz, "%s", name ? name : key);
}

/* ---- file ---- */

typedef struct file_walk {
    comb_eval_ctx *c;
    const comb_bench_item *it;
    char *ev;
    size_t evsz;
    int seen;
    comb_bench_status worst;
} file_walk;

static int file_one(void *ud, const char *path)
{
    file_walk *w = ud;
    struct stat st;
    if (comb_fsroot_stat(w->c->fs, path, &st) != 0)
        return 0;
    w->seen++;
    const char *prop = w->it->key ? w->it->key : "exists";
    char val[600];
    if (!strcmp(prop, "mode")) {
        snprintf(val, sizeof val, "%o", (unsigned)(st.st_mode & 07777));
    } else if (!strcmp(prop, "owner")) {
        char u[256], g[256];
        id_name(w->c, 0, st.st_uid, u, sizeof u);
        id_name(w->c, 1, st.st_gid, g, sizeof g);
        snprintf(val, sizeof val, "%s:%s", u, g);
    } else if (!strcmp(prop, "type")) {
        snprintf(val, sizeof val, "%s", S_ISDIR(st.st_mode) ? "directory" : S_ISREG(st.st_mode) ? "file"
                                        : S_ISSOCK(st.st_mode) ? "socket" : "other");
    } else {
        snprintf(val, sizeof val, "exists");
    }
    json_t *v = json_string(val);
    char what[4200];
    snprintf(what, sizeof what, "%s %s", path, prop);
    char one[COMB_EVAL_MAX_EVIDENCE] = "";
    comb_bench_status s = judge(w->it, V_VALUE, v, what, NULL, one, sizeof one);
    json_decref(v);
    note_file(w->c, path, s != COMB_BENCH_PASS);
    /* many matches: show the ones that fail, or the first when all pass */
    if (s != COMB_BENCH_PASS || w->seen == 1) {
        if (w->worst == COMB_BENCH_PASS && s != COMB_BENCH_PASS)
            w->ev[0] = '\0';
        if (s != COMB_BENCH_PASS || w->worst == COMB_BENCH_PASS)
            evf(w->ev, w->evsz, "%s%s", *w->ev ? "; " : "", one);
    }
    if (s != COMB_BENCH_PASS)
        w->worst = s;
    return 0;
}

static vstate flag_lookup(comb_eval_ctx *c, const comb_bench_item *it, json_t **out, char *what,
                          size_t wsz, char *why, size_t whysz);

/* The absolute path a daemon's flag names (kubelet --config), if that file
 * exists in the root; 0 otherwise. */
static int path_from_flag(comb_eval_ctx *c, const comb_bench_item *flag, char *out, size_t outsz)
{
    char what[8400], why[COMB_ERR_MSG_MAX];
    json_t *v;
    struct stat st;
    int ok = flag_lookup(c, flag, &v, what, sizeof what, why, sizeof why) == V_VALUE &&
             json_is_string(v) && json_string_value(v)[0] == '/' &&
             strlen(json_string_value(v)) < outsz &&
             comb_fsroot_stat(c->fs, json_string_value(v), &st) == 0;
    if (ok)
        snprintf(out, outsz, "%s", json_string_value(v));
    json_decref(v);
    return ok;
}

static comb_bench_status eval_file(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    file_walk w = { c, it, ev, evsz, 0, COMB_BENCH_PASS };
    char named[4096];
    if (it->path_from && path_from_flag(c, it->path_from, named, sizeof named))
        file_one(&w, named); /* the daemon names its file: no guessing */
    for (size_t i = 0; i < it->npaths && !w.seen; i++)
        comb_fsroot_glob(c->fs, it->paths[i], file_one, &w);
    if (w.seen) {
        if (it->op == COMB_OP_ABSENT) {
            evf(ev, evsz, " (expected absent)");
            return COMB_BENCH_FAIL;
        }
        return w.worst;
    }
    return judge(it, V_ABSENT, NULL, it->paths[0], "not found", ev, evsz);
}

/* ---- config ---- */

typedef struct first_match {
    char path[4096];
    int found;
} first_match;

static int take_first(void *ud, const char *path)
{
    first_match *m = ud;
    snprintf(m->path, sizeof m->path, "%s", path);
    m->found = 1;
    return 1;
}

/* The first of the item's paths (patterns) that exists. */
static int first_existing(comb_eval_ctx *c, const comb_bench_item *it, char *out, size_t outsz)
{
    for (size_t i = 0; i < it->npaths; i++) {
        first_match m = { .found = 0 };
        comb_fsroot_glob(c->fs, it->paths[i], take_first, &m);
        if (m.found) {
            snprintf(out, outsz, "%s", m.path);
            return 1;
        }
    }
    return 0;
}

static comb_bench_status eval_config(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                     size_t evsz)
{
    char path[4096], what[4700];
    /* the daemon says where its file is (kubelet --config): no guessing */
    int have = it->path_from && path_from_flag(c, it->path_from, path, sizeof path);
    comb_bench_status st;
    if (!have && !first_existing(c, it, path, sizeof path)) {
        snprintf(what, sizeof what, "%s: %s", it->paths[0], it->key);
        st = judge(it, V_ABSENT, NULL, what, "no such file, so not set", ev, evsz);
        note_file(c, it->paths[0], st != COMB_BENCH_PASS); /* the fix creates it */
        return st;
    }
    comb_eval_cached *f = load_config(c, path, it->format);
    if (!f) {
        evf(ev, evsz, "%s: out of memory", path);
        return COMB_BENCH_ERROR;
    }
    snprintf(what, sizeof what, "%s: %s", path, it->key);
    const json_t *v = f->doc ? comb_conf_lookup(f->doc, it->key) : NULL;
    if (f->error)
        st = judge(it, V_ERROR, NULL, what, f->error, ev, evsz);
    else if (!v || json_is_null(v))
        st = judge(it, V_ABSENT, NULL, what, "not set", ev, evsz);
    else
        st = judge(it, V_VALUE, v, what, NULL, ev, evsz);
    note_file(c, path, st != COMB_BENCH_PASS);
    return st;
}

/* ---- flags ---- */

/* A daemon's flag: from the running process (live host), else from the
 * ExecStart of its unit (variables expanded). Sets `what` (where it was
 * read) and, for V_NA/V_ERROR, `why`. *out is a new reference or NULL. */
static vstate flag_lookup(comb_eval_ctx *c, const comb_bench_item *it, json_t **out, char *what,
                          size_t wsz, char *why, size_t whysz)
{
    *out = NULL;
    const comb_proc *p = c->fs->live ? comb_procs_find(&c->procs, c->fs, it->name) : NULL;
    if (p) {
        snprintf(what, wsz, "%s %s", it->name, it->flag);
        *out = comb_flag_values(p->argv, p->argc, it->flag);
        return *out ? V_VALUE : V_ABSENT;
    }
    char path[4096];
    if (!first_existing(c, it, path, sizeof path)) {
        snprintf(what, wsz, "%s %s", it->name, it->flag);
        snprintf(why, whysz, "%s", c->fs->live ? "the daemon is not running and no unit file was found"
                                               : "no unit file for the daemon under the root");
        return V_NA;
    }
    comb_eval_cached *f = load_config(c, path, COMB_CONF_SYSTEMD);
    snprintf(what, wsz, "%s ExecStart %s", path, it->flag);
    if (!f || f->error) {
        snprintf(why, whysz, "%s", f ? f->error : "out of memory");
        return V_ERROR;
    }
    comb_err err;
    char *cmd = f->doc ? comb_unit_exec(c->fs, f->doc, &err) : NULL;
    if (!cmd) {
        snprintf(why, whysz, "%s", f->doc ? err.msg : "empty unit");
        return f->doc && err.code == COMB_ENOTFOUND ? V_NA : V_ERROR;
    }
    size_t argc;
    char **argv = comb_split_words(cmd, &argc);
    free(cmd);
    if (!argv) {
        snprintf(why, whysz, "out of memory");
        return V_ERROR;
    }
    *out = comb_flag_values(argv, argc, it->flag);
    for (size_t i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
    return *out ? V_VALUE : V_ABSENT;
}

static comb_bench_status eval_flag(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    char what[8400], why[COMB_ERR_MSG_MAX] = "";
    json_t *v;
    vstate st = flag_lookup(c, it, &v, what, sizeof what, why, sizeof why);
    comb_bench_status s = judge(it, st, v, what, st == V_ABSENT ? "not given" : why, ev, evsz);
    json_decref(v);
    /* read from a unit: "<path> ExecStart --flag" names the file to fix */
    char *unit = strstr(what, " ExecStart ");
    if (unit) {
        *unit = '\0';
        note_file(c, what, s != COMB_BENCH_PASS);
    }
    return s;
}

static comb_bench_status eval_process(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                      size_t evsz)
{
    if (!c->fs->live)
        return judge(it, V_NA, NULL, it->name, "processes are not seen with --root", ev, evsz);
    const comb_proc *p = comb_procs_find(&c->procs, c->fs, it->name);
    json_t *v = p ? json_string("running") : NULL;
    comb_bench_status s = judge(it, p ? V_VALUE : V_ABSENT, v, it->name, "not running", ev, evsz);
    json_decref(v);
    return s;
}

/* ---- kernel parameters ---- */

typedef struct sysctl_files {
    char names[256][256];  /* basename -> first (highest priority) path */
    char paths[256][4096];
    size_t n;
} sysctl_files;

static int collect_sysctl(void *ud, const char *path)
{
    sysctl_files *sf = ud;
    const char *base = strrchr(path, '/') + 1;
    for (size_t i = 0; i < sf->n; i++)
        if (!strcmp(sf->names[i], base))
            return 0; /* a file of the same name in a higher directory wins */
    if (sf->n == 256 || strlen(base) >= 256)
        return 0;
    snprintf(sf->names[sf->n], 256, "%s", base);
    snprintf(sf->paths[sf->n], 4096, "%s", path);
    sf->n++;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The configured values under --root: sysctl.d files in systemd's order
 * (by file name; /etc over /run over /usr/lib), then /etc/sysctl.conf. */
static void load_sysctl_conf(comb_eval_ctx *c)
{
    c->sysctl_loaded = 1;
    c->sysctl_conf = json_object();
    sysctl_files *sf = calloc(1, sizeof *sf);
    if (!sf || !c->sysctl_conf) {
        free(sf);
        return;
    }
    static const char *const dirs[] = { "/etc/sysctl.d/*.conf", "/run/sysctl.d/*.conf",
                                        "/usr/local/lib/sysctl.d/*.conf", "/usr/lib/sysctl.d/*.conf",
                                        "/lib/sysctl.d/*.conf" };
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
        comb_fsroot_glob(c->fs, dirs[i], collect_sysctl, sf);
    /* sort paths by their names: sort an index */
    typedef char entry[256 + 4096 + 2];
    entry *order = malloc(257 * sizeof *order);
    if (!order) {
        free(sf);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < sf->n; i++, n++)
        snprintf(order[n], sizeof order[n], "%s%c%s", sf->names[i], 1, sf->paths[i]);
    if (n)
        qsort(order, n, sizeof order[0], by_name);
    snprintf(order[n++], sizeof order[0], "~%c/etc/sysctl.conf", 1);
    for (size_t i = 0; i < n; i++) {
        const char *path = strchr(order[i], 1) + 1;
        char *data;
        size_t len;
        comb_err err;
        if (comb_fsroot_read(c->fs, path, COMB_FSROOT_MAX_FILE, &data, &len, &err))
            continue;
        json_t *doc = NULL;
        if (comb_conf_parse(COMB_CONF_SYSCTL, path, data, len, &doc, &err) == COMB_OK)
            json_object_update_recursive(c->sysctl_conf, doc);
        json_decref(doc);
        free(data);
    }
    free(order);
    free(sf);
}

static comb_bench_status eval_sysctl(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                     size_t evsz)
{
    char what[8400];
    if (c->fs->live) {
        char path[600];
        snprintf(path, sizeof path, "/proc/sys/%s", it->name);
        for (char *p = path + 10; *p; p++)
            if (*p == '.')
                *p = '/';
        snprintf(what, sizeof what, "%s", it->name);
        char *data;
        size_t len;
        comb_err err;
        comb_code rc = comb_fsroot_read(c->fs, path, 65536, &data, &len, &err);
        if (rc == COMB_ENOTFOUND)
            return judge(it, V_NA, NULL, what, "not offered by this kernel", ev, evsz);
        if (rc)
            return judge(it, V_ERROR, NULL, what, err.msg, ev, evsz);
        while (len && isspace((unsigned char)data[len - 1]))
            data[--len] = '\0';
        for (char *p = data; *p; p++)
            if (*p == '\t')
                *p = ' '; /* multi-value parameters are tab-separated */
        json_t *v = json_string(data);
        free(data);
        comb_bench_status s = judge(it, v ? V_VALUE : V_ERROR, v, what, "not UTF-8", ev, evsz);
        json_decref(v);
        return s;
    }
    if (!c->sysctl_loaded)
        load_sysctl_conf(c);
    snprintf(what, sizeof what, "%s (configured)", it->name);
    const json_t *v = comb_conf_lookup(c->sysctl_conf, it->name);
    return judge(it, v && json_is_string(v) ? V_VALUE : V_ABSENT, v, what, "not configured", ev, evsz);
}

/* ---- whole files ---- */

static comb_bench_status eval_content(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                      size_t evsz)
{
    if (it->live && !c->fs->live)
        return judge(it, V_NA, NULL, it->paths[0], "a live-only check, not evaluated with --root",
                     ev, evsz);
    char path[4096];
    if (!first_existing(c, it, path, sizeof path))
        return judge(it, V_ABSENT, NULL, it->paths[0], "not found", ev, evsz);
    char *data;
    size_t len;
    comb_err err;
    if (comb_fsroot_read(c->fs, path, 65536, &data, &len, &err))
        return judge(it, V_ERROR, NULL, path, err.msg, ev, evsz);
    while (len && isspace((unsigned char)data[len - 1]))
        data[--len] = '\0';
    json_t *v = json_string(data);
    free(data);
    comb_bench_status s = judge(it, v ? V_VALUE : V_ERROR, v, path, "not UTF-8", ev, evsz);
    note_file(c, path, s != COMB_BENCH_PASS);
    json_decref(v);
    return s;
}

/* ---- audit rules ---- */

static int append_rules(void *ud, const char *path)
{
    comb_eval_ctx *c = ud;
    char *data;
    size_t len;
    comb_err err;
    if (comb_fsroot_read(c->fs, path, COMB_FSROOT_MAX_FILE, &data, &len, &err))
        return 0;
    size_t have = c->audit_rules ? strlen(c->audit_rules) : 0;
    if (have + len > 8u * COMB_FSROOT_MAX_FILE) {
        free(data);
        return 1;
    }
    char *n = realloc(c->audit_rules, have + len + 2);
    if (n) {
        memcpy(n + have, data, strlen(data));
        n[have + strlen(data)] = '\n';
        n[have + strlen(data) + 1] = '\0';
        c->audit_rules = n;
    }
    free(data);
    return 0;
}

/* 1 if a rule line watches `path`: "-w PATH" or a syscall rule with
 * "-F path=PATH" / "-F dir=PATH". */
static int rules_watch(const char *rules, const char *path)
{
    size_t pl = strlen(path);
    for (const char *line = rules; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        while (n && (*line == ' ' || *line == '\t'))
            line++, n--;
        if (n && *line != '#') {
            static const char *const keys[] = { "-w ", "path=", "dir=" };
            for (size_t k = 0; k < 3; k++) {
                const char *p = line;
                size_t kl = strlen(keys[k]);
                while ((p = memmem(p, n - (size_t)(p - line), keys[k], kl)) != NULL) {
                    const char *v = p + kl;
                    while (*v == ' ' && v < line + n)
                        v++;
                    if ((size_t)(line + n - v) >= pl && !memcmp(v, path, pl) &&
                        (v + pl == line + n || v[pl] == ' ' || v[pl] == '\t'))
                        return 1;
                    p += kl;
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    return 0;
}

static comb_bench_status eval_audit(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    if (!c->audit_loaded) {
        c->audit_loaded = 1;
        comb_fsroot_glob(c->fs, "/etc/audit/audit.rules", append_rules, c);
        comb_fsroot_glob(c->fs, "/etc/audit/rules.d/*.rules", append_rules, c);
    }
    char what[4200];
    snprintf(what, sizeof what, "audit rules for %s", it->paths[0]);
    if (!c->audit_rules)
        return judge(it, V_ABSENT, NULL, what, "no audit rules (/etc/audit)", ev, evsz);
    size_t i;
    for (i = 0; i < it->npaths; i++)
        if (rules_watch(c->audit_rules, it->paths[i]))
            break;
    if (i == it->npaths)
        return judge(it, V_ABSENT, NULL, what, "no rule watches it", ev, evsz);
    snprintf(what, sizeof what, "audit rules for %s", it->paths[i]);
    json_t *v = json_string("watched");
    comb_bench_status s = judge(it, V_VALUE, v, what, NULL, ev, evsz);
    json_decref(v);
    return s;
}

/* ---- mounts ---- */

/* Undo the octal escapes of mountinfo and fstab ("\040" is a space). */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
            p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static comb_bench_status eval_mount(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    if (!c->mounts_loaded) {
        c->mounts_loaded = 1;
        size_t len;
        comb_err err;
        c->mounts_fstab = !c->fs->live;
        if (comb_fsroot_read(c->fs, c->fs->live ? "/proc/self/mountinfo" : "/etc/fstab",
                             COMB_FSROOT_MAX_FILE, &c->mounts, &len, &err))
            c->mounts = NULL;
    }
    char what[4200];
    snprintf(what, sizeof what, "%s %s", it->paths[0],
             it->key ? "mount options" : c->mounts_fstab ? "in /etc/fstab" : "mounted");
    if (!c->mounts)
        return judge(it, V_ABSENT, NULL, what, c->mounts_fstab ? "no /etc/fstab" : "no mount table",
                     ev, evsz);
    char target[4096];
    snprintf(target, sizeof target, "%s", it->paths[0]);
    size_t tl = strlen(target);
    while (tl > 1 && target[tl - 1] == '/')
        target[--tl] = '\0';
    char *copy = strdup(c->mounts);
    if (!copy)
        return judge(it, V_ERROR, NULL, what, "out of memory", ev, evsz);
    json_t *found = NULL;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[12];
        size_t n = 0;
        for (char *s2 = NULL, *tok = strtok_r(line, " \t", &s2); tok && n < 12;
             tok = strtok_r(NULL, " \t", &s2))
            f[n++] = tok;
        if (n == 0 || f[0][0] == '#')
            continue;
        const char *mnt = NULL, *opts = NULL;
        if (c->mounts_fstab && n >= 4) {
            mnt = f[1];
            opts = f[3];
        } else if (!c->mounts_fstab && n >= 6) {
            mnt = f[4];
            opts = f[5];
        }
        if (!mnt)
            continue;
        unescape((char *)mnt);
        if (!strcmp(mnt, target)) {
            json_decref(found); /* the last mount on a path is the visible one */
            found = json_string(opts);
        }
    }
    free(copy);
    comb_bench_status s = judge(it, found ? V_VALUE : V_ABSENT, found, what, "not a separate mount",
                                ev, evsz);
    json_decref(found);
    return s;
}

/* ---- containers ---- */

static comb_bench_status eval_container(comb_eval_ctx *c, const comb_bench_item *it, char *ev,
                                        size_t evsz)
{
    if (!c->container)
        return judge(it, V_ERROR, NULL, it->name, "a container or image field outside such a check",
                     ev, evsz);
    const json_t *v = json_object_get(c->container->fields, it->name);
    if (json_is_null(v)) /* the engine does not record it (ports in an OCI config) */
        return judge(it, V_NA, NULL, it->name, "not recorded by this engine", ev, evsz);
    int absent = !v || (json_is_array(v) && json_array_size(v) == 0);
    return judge(it, absent ? V_ABSENT : V_VALUE, v, it->name, "not set", ev, evsz);
}

/* ---- any / all ---- */

static comb_bench_status eval_group(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    int any = it->source == COMB_SRC_ANY;
    size_t count[COMB_BENCH_NSTATUS] = { 0 };
    char (*kid_ev)[COMB_EVAL_MAX_EVIDENCE] = calloc(it->nkids, sizeof *kid_ev);
    comb_bench_status *st = calloc(it->nkids, sizeof *st);
    if (!kid_ev || !st) {
        free(kid_ev);
        free(st);
        evf(ev, evsz, "out of memory");
        return COMB_BENCH_ERROR;
    }
    for (size_t i = 0; i < it->nkids; i++) {
        st[i] = comb_eval_item(c, it->kids[i], kid_ev[i], sizeof kid_ev[i]);
        count[st[i]]++;
    }
    comb_bench_status s;
    /* any: a source that could not be read might have passed, so an ERROR
     * outweighs a FAIL; all: one FAIL decides whatever the others say */
    if (any)
        s = count[COMB_BENCH_PASS] ? COMB_BENCH_PASS : count[COMB_BENCH_ERROR] ? COMB_BENCH_ERROR
            : count[COMB_BENCH_FAIL] ? COMB_BENCH_FAIL : COMB_BENCH_NA;
    else
        s = count[COMB_BENCH_FAIL] ? COMB_BENCH_FAIL : count[COMB_BENCH_ERROR] ? COMB_BENCH_ERROR
            : count[COMB_BENCH_PASS] ? COMB_BENCH_PASS : COMB_BENCH_NA;
    /* the evidence that decided: the passing one of an any, the failing
     * ones of an all, else everything */
    int first = 1;
    for (size_t i = 0; i < it->nkids; i++) {
        int show = (any && s == COMB_BENCH_PASS) ? st[i] == COMB_BENCH_PASS
                   : (!any && s == COMB_BENCH_FAIL) ? st[i] == COMB_BENCH_FAIL : 1;
        if (!show || !kid_ev[i][0])
            continue;
        evf(ev, evsz, "%s%s", first ? "" : "; ", kid_ev[i]);
        first = 0;
        if (any && s == COMB_BENCH_PASS)
            break;
    }
    free(kid_ev);
    free(st);
    return s;
}

comb_bench_status comb_eval_item(comb_eval_ctx *c, const comb_bench_item *it, char *ev, size_t evsz)
{
    if (evsz)
        ev[0] = '\0';
    switch (it->source) {
    case COMB_SRC_ANY:
    case COMB_SRC_ALL: return eval_group(c, it, ev, evsz);
    case COMB_SRC_FILE: return eval_file(c, it, ev, evsz);
    case COMB_SRC_CONFIG: return eval_config(c, it, ev, evsz);
    case COMB_SRC_FLAG: return eval_flag(c, it, ev, evsz);
    case COMB_SRC_SYSCTL: return eval_sysctl(c, it, ev, evsz);
    case COMB_SRC_CONTENT: return eval_content(c, it, ev, evsz);
    case COMB_SRC_AUDIT_WATCH: return eval_audit(c, it, ev, evsz);
    case COMB_SRC_MOUNT: return eval_mount(c, it, ev, evsz);
    case COMB_SRC_PROCESS: return eval_process(c, it, ev, evsz);
    case COMB_SRC_CONTAINER:
    case COMB_SRC_IMAGE: return eval_container(c, it, ev, evsz);
    }
    evf(ev, evsz, "unknown source");
    return COMB_BENCH_ERROR;
}
