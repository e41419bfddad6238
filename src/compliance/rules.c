/* rules.c - the YAML loader for compliance benchmarks (see rules.h). The
 * document is read into a tree with confread's YAML reader and every field
 * is checked here, so an engine never meets a half-formed check. */
#include "compliance/rules.h"

#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"

static int isalnum_ascii(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *const status_names[] = { "PASS", "FAIL", "WARN", "NOT-APPLICABLE", "ERROR" };

const char *comb_bench_status_name(comb_bench_status s)
{
    return (unsigned)s < COMB_BENCH_NSTATUS ? status_names[s] : "?";
}

static const struct {
    const char *name;
    comb_bench_op op;
} ops[] = {
    { "present", COMB_OP_PRESENT }, { "absent", COMB_OP_ABSENT }, { "eq", COMB_OP_EQ },
    { "noteq", COMB_OP_NOTEQ },     { "gt", COMB_OP_GT },         { "gte", COMB_OP_GTE },
    { "lt", COMB_OP_LT },           { "lte", COMB_OP_LTE },       { "has", COMB_OP_HAS },
    { "nothave", COMB_OP_NOTHAVE }, { "regex", COMB_OP_REGEX },   { "bitmask", COMB_OP_BITMASK },
};

static const struct {
    const char *key;
    comb_bench_source src;
} sources[] = {
    { "file", COMB_SRC_FILE },       { "config", COMB_SRC_CONFIG },
    { "flag", COMB_SRC_FLAG },       { "sysctl", COMB_SRC_SYSCTL },
    { "content", COMB_SRC_CONTENT }, { "audit_watch", COMB_SRC_AUDIT_WATCH },
    { "mount", COMB_SRC_MOUNT },     { "process", COMB_SRC_PROCESS },
    { "container", COMB_SRC_CONTAINER }, { "image", COMB_SRC_IMAGE },
};

void comb_bench_rules_init(comb_bench_rules *r)
{
    memset(r, 0, sizeof *r);
    comb_arena_init(&r->arena);
}

void comb_bench_rules_free(comb_bench_rules *r)
{
    for (size_t i = 0; i < r->nregexes; i++)
        pcre2_code_free(r->regexes[i]);
    free(r->regexes);
    free(r->sets);
    comb_arena_free(&r->arena);
    memset(r, 0, sizeof *r);
}

typedef struct loader {
    comb_bench_rules *r;
    const char *name;   /* the file */
    const char *where;  /* the check id, for messages */
    comb_err *err;
} loader;

static comb_code bad(loader *l, const char *fmt, const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, what);
    return comb_fail(l->err, COMB_EFORMAT, "%s: %s%s%s", l->name, l->where ? l->where : "",
                     l->where ? ": " : "", msg);
}

/* A scalar field as an arena string; NULL when absent. -1 on error. */
static int get_str(loader *l, const json_t *o, const char *key, const char **out, int required)
{
    const json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            bad(l, "missing \"%s\"", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        bad(l, "\"%s\" must be a string", key);
        return -1;
    }
    if (json_string_length(v) > 16384) {
        bad(l, "\"%s\" is longer than 16384 bytes", key);
        return -1;
    }
    *out = comb_arena_strdup(&l->r->arena, json_string_value(v));
    if (!*out) {
        comb_fail(l->err, COMB_ENOMEM, "out of memory");
        return -1;
    }
    return 0;
}

static int get_bool(loader *l, const json_t *o, const char *key, int dflt, int *out)
{
    const json_t *v = json_object_get(o, key);
    *out = dflt;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
        *out = 1;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
        *out = 0;
    else {
        bad(l, "\"%s\" must be true or false", key);
        return -1;
    }
    return 0;
}

static int remember_regex(loader *l, pcre2_code *re)
{
    comb_bench_rules *r = l->r;
    if (r->nregexes == r->capregexes) {
        size_t cap = r->capregexes ? r->capregexes * 2 : 16;
        pcre2_code **n = realloc(r->regexes, cap * sizeof *n);
        if (!n)
            return -1;
        r->regexes = n;
        r->capregexes = cap;
    }
    r->regexes[r->nregexes++] = re;
    return 0;
}

static comb_bench_item *parse_item(loader *l, const json_t *o, int depth, int *uses_container);

static int parse_kids(loader *l, comb_bench_item *it, const json_t *arr, int depth, int *uc)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 ||
        json_array_size(arr) > COMB_RULES_MAX_ITEMS) {
        bad(l, "any/all needs a list of 1 to %s items", "64");
        return -1;
    }
    it->nkids = json_array_size(arr);
    it->kids = comb_arena_calloc(&l->r->arena, it->nkids, sizeof *it->kids);
    if (!it->kids)
        return -1;
    for (size_t i = 0; i < it->nkids; i++)
        if (!(it->kids[i] = parse_item(l, json_array_get(arr, i), depth + 1, uc)))
            return -1;
    return 0;
}

static comb_bench_item *parse_item(loader *l, const json_t *o, int depth, int *uses_container)
{
    if (depth > COMB_RULES_MAX_DEPTH) {
        bad(l, "any/all nested deeper than %s", "6");
        return NULL;
    }
    if (!json_is_object(o)) {
        bad(l, "an audit item must be a mapping%s", "");
        return NULL;
    }
    comb_bench_item *it = comb_arena_alloc(&l->r->arena, sizeof *it);
    if (!it) {
        comb_fail(l->err, COMB_ENOMEM, "out of memory");
        return NULL;
    }
    const json_t *any = json_object_get(o, "any"), *all = json_object_get(o, "all");
    if (any || all) {
        if (any && all) {
            bad(l, "an item has both any and all%s", "");
            return NULL;
        }
        it->source = any ? COMB_SRC_ANY : COMB_SRC_ALL;
        return parse_kids(l, it, any ? any : all, depth, uses_container) ? NULL : it;
    }
    const char *srckey = NULL;
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++)
        if (json_object_get(o, sources[i].key)) {
            if (srckey) {
                bad(l, "an item names two sources%s", "");
                return NULL;
            }
            srckey = sources[i].key;
            it->source = sources[i].src;
        }
    if (!srckey) {
        bad(l, "an item needs any, all or one source (file, config, flag, sysctl, content, "
               "audit_watch, mount, process, container, image)%s", "");
        return NULL;
    }
    const json_t *sv = json_object_get(o, srckey);
    int path_source = it->source == COMB_SRC_FILE || it->source == COMB_SRC_CONFIG ||
                      it->source == COMB_SRC_CONTENT || it->source == COMB_SRC_AUDIT_WATCH ||
                      it->source == COMB_SRC_MOUNT;
    if (path_source && json_is_array(sv)) {
        if (json_array_size(sv) == 0 || json_array_size(sv) > COMB_RULES_MAX_PATHS) {
            bad(l, "\"%s\" needs 1 to 16 paths", srckey);
            return NULL;
        }
        for (size_t i = 0; i < json_array_size(sv); i++) {
            const char *p = json_string_value(json_array_get(sv, i));
            if (!p || p[0] != '/' || strlen(p) >= 4096) {
                bad(l, "\"%s\" paths must be absolute", srckey);
                return NULL;
            }
            it->paths[it->npaths++] = comb_arena_strdup(&l->r->arena, p);
        }
    } else if (json_is_string(sv)) {
        const char *s = json_string_value(sv);
        if (strlen(s) >= 4096 || !*s) {
            bad(l, "\"%s\" is empty or too long", srckey);
            return NULL;
        }
        if (path_source) {
            if (s[0] != '/') {
                bad(l, "\"%s\" paths must be absolute", srckey);
                return NULL;
            }
            it->paths[it->npaths++] = comb_arena_strdup(&l->r->arena, s);
        } else {
            it->name = comb_arena_strdup(&l->r->arena, s);
        }
    } else {
        bad(l, "\"%s\" must be a string or a list of paths", srckey);
        return NULL;
    }
    /* the entity a check runs on: bit 1 containers, bit 2 images */
    if (it->source == COMB_SRC_CONTAINER)
        *uses_container |= 1;
    if (it->source == COMB_SRC_IMAGE)
        *uses_container |= 2;

    const char *op = NULL, *fmt = NULL, *missing = NULL, *prop = NULL;
    if (get_str(l, o, "op", &op, 0) || get_str(l, o, "value", &it->value, 0) ||
        get_str(l, o, "default", &it->dflt, 0) || get_str(l, o, "format", &fmt, 0) ||
        get_str(l, o, "key", &it->key, 0) || get_str(l, o, "property", &prop, 0) ||
        get_str(l, o, "name", &it->flag, 0) || get_str(l, o, "missing", &missing, 0) ||
        get_bool(l, o, "live", 0, &it->live))
        return NULL;
    if (prop)
        it->key = prop;
    /* flag: the unit file(s) that start the daemon, read when it is not running */
    const json_t *unit = json_object_get(o, "unit");
    if (unit) {
        if (it->source != COMB_SRC_FLAG) {
            bad(l, "\"unit\" belongs to flag items%s", "");
            return NULL;
        }
        const json_t *one;
        size_t i;
        json_t *tmp = json_is_array(unit) ? NULL : json_array();
        if (tmp)
            json_array_append(tmp, (json_t *)unit);
        json_array_foreach(tmp ? tmp : unit, i, one)
        {
            const char *p = json_string_value(one);
            if (!p || p[0] != '/' || i >= COMB_RULES_MAX_PATHS || strlen(p) >= 4096) {
                json_decref(tmp);
                bad(l, "\"unit\" must be absolute paths (at most 16)%s", "");
                return NULL;
            }
            it->paths[it->npaths++] = comb_arena_strdup(&l->r->arena, p);
        }
        json_decref(tmp);
    }
    if (it->source == COMB_SRC_FLAG && (!it->flag || it->flag[0] != '-')) {
        bad(l, "a flag item needs name: --flag%s", "");
        return NULL;
    }
    const json_t *pf = json_object_get(o, "path_from");
    if (pf) {
        if (it->source != COMB_SRC_CONFIG && it->source != COMB_SRC_FILE) {
            bad(l, "\"path_from\" belongs to config and file items%s", "");
            return NULL;
        }
        int unused = 0;
        if (!(it->path_from = parse_item(l, pf, depth + 1, &unused)))
            return NULL;
        if (it->path_from->source != COMB_SRC_FLAG) {
            bad(l, "\"path_from\" must be a flag item%s", "");
            return NULL;
        }
    }
    if (it->source == COMB_SRC_CONFIG) {
        if (!fmt || comb_conf_format_parse(fmt, &it->format) != 0 || !it->key) {
            bad(l, "a config item needs format (json, yaml, toml, ini, systemd, sysctl) and key%s",
                "");
            return NULL;
        }
    }
    if (it->source == COMB_SRC_FILE && it->key && strcmp(it->key, "exists") &&
        strcmp(it->key, "mode") && strcmp(it->key, "owner") && strcmp(it->key, "type")) {
        bad(l, "file property \"%s\" is not exists, mode, owner or type", it->key);
        return NULL;
    }
    if (it->source == COMB_SRC_MOUNT && it->key && strcmp(it->key, "options")) {
        bad(l, "mount property \"%s\" is not options", it->key);
        return NULL;
    }
    it->op = COMB_OP_PRESENT;
    if (op) {
        size_t i;
        for (i = 0; i < sizeof ops / sizeof *ops; i++)
            if (!strcmp(op, ops[i].name))
                break;
        if (i == sizeof ops / sizeof *ops) {
            bad(l, "unknown op \"%s\"", op);
            return NULL;
        }
        it->op = ops[i].op;
    }
    if (it->op != COMB_OP_PRESENT && it->op != COMB_OP_ABSENT && !it->value) {
        bad(l, "op \"%s\" needs a value", op);
        return NULL;
    }
    if (it->op == COMB_OP_BITMASK) {
        char *end;
        unsigned long m = strtoul(it->value, &end, 8);
        if (*end || !*it->value || m > 07777) {
            bad(l, "bitmask value \"%s\" is not an octal mode", it->value);
            return NULL;
        }
    }
    if (it->op == COMB_OP_REGEX) {
        int ec;
        PCRE2_SIZE off;
        it->re = pcre2_compile((PCRE2_SPTR)it->value, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &off,
                               NULL);
        if (!it->re) {
            bad(l, "regex \"%s\" does not compile", it->value);
            return NULL;
        }
        if (remember_regex(l, it->re)) {
            pcre2_code_free(it->re);
            comb_fail(l->err, COMB_ENOMEM, "out of memory");
            return NULL;
        }
    }
    /* A file that is not there is "not applicable", never a FAIL, unless
     * the rule says otherwise; other absent values fail by default. */
    it->missing = it->source == COMB_SRC_FILE ? COMB_BENCH_NA : COMB_BENCH_FAIL;
    if (missing) {
        it->missing_set = 1;
        if (!strcmp(missing, "na"))
            it->missing = COMB_BENCH_NA;
        else if (!strcmp(missing, "fail"))
            it->missing = COMB_BENCH_FAIL;
        else if (!strcmp(missing, "pass"))
            it->missing = COMB_BENCH_PASS;
        else {
            bad(l, "missing \"%s\" is not na, fail or pass", missing);
            return NULL;
        }
    }
    return it;
}

const comb_bench_check *comb_bench_rules_find(const comb_bench_rules *r, const char *id)
{
    for (size_t s = 0; s < r->nsets; s++)
        for (size_t i = 0; i < r->sets[s].nchecks; i++)
            if (!strcmp(r->sets[s].checks[i].id, id))
                return &r->sets[s].checks[i];
    return NULL;
}

static int valid_id(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!(isalnum_ascii(*s) || *s == '-' || *s == '.' || *s == '_'))
            return 0;
    return 1;
}

static comb_code load_tree(loader *l, const json_t *doc)
{
    comb_bench_rules *r = l->r;
    if (!json_is_object(doc))
        return bad(l, "the document must be a mapping%s", "");
    comb_bench_set set;
    memset(&set, 0, sizeof set);
    set.file = comb_arena_strdup(&r->arena, l->name);
    if (get_str(l, doc, "benchmark", &set.name, 1) || get_str(l, doc, "title", &set.title, 1))
        return l->err->code;
    for (size_t s = 0; s < r->nsets; s++)
        if (!strcmp(r->sets[s].name, set.name))
            return bad(l, "benchmark \"%s\" is defined twice", set.name);
    const json_t *applies = json_object_get(doc, "applies");
    int unused = 0;
    if (applies && !(set.applies = parse_item(l, applies, 0, &unused)))
        return l->err->code;
    const json_t *secs = json_object_get(doc, "sections"), *checks = json_object_get(doc, "checks");
    if (!json_is_array(secs) || json_array_size(secs) == 0 || json_array_size(secs) > 100)
        return bad(l, "\"sections\" must list 1 to 100 sections%s", "");
    if (!json_is_array(checks) || json_array_size(checks) == 0 ||
        json_array_size(checks) > COMB_RULES_MAX_CHECKS)
        return bad(l, "\"checks\" must list 1 to 2000 checks%s", "");
    set.nsections = json_array_size(secs);
    set.sections = comb_arena_calloc(&r->arena, set.nsections, sizeof *set.sections);
    set.nchecks = json_array_size(checks);
    set.checks = comb_arena_calloc(&r->arena, set.nchecks, sizeof *set.checks);
    if (!set.sections || !set.checks)
        return comb_fail(l->err, COMB_ENOMEM, "out of memory");
    for (size_t i = 0; i < set.nsections; i++) {
        const json_t *o = json_array_get(secs, i);
        if (!json_is_object(o) || get_str(l, o, "id", &set.sections[i].id, 1) ||
            get_str(l, o, "title", &set.sections[i].title, 1))
            return json_is_object(o) ? l->err->code : bad(l, "a section must be a mapping%s", "");
    }
    for (size_t i = 0; i < set.nchecks; i++) {
        const json_t *o = json_array_get(checks, i);
        comb_bench_check *c = &set.checks[i];
        l->where = NULL;
        if (!json_is_object(o))
            return bad(l, "a check must be a mapping%s", "");
        if (get_str(l, o, "id", &c->id, 1))
            return l->err->code;
        if (!valid_id(c->id))
            return bad(l, "check id \"%s\" must be 1-64 letters, digits, '-', '.', '_'", c->id);
        l->where = c->id;
        if (comb_bench_rules_find(r, c->id))
            return bad(l, "id defined twice%s", "");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(set.checks[j].id, c->id))
                return bad(l, "id defined twice%s", "");
        const char *level = NULL;
        if (get_str(l, o, "ref", &c->ref, 1) || get_str(l, o, "section", &c->section, 1) ||
            get_str(l, o, "title", &c->title, 1) || get_str(l, o, "description", &c->description, 0) ||
            get_str(l, o, "remediation", &c->remediation, 1) || get_str(l, o, "level", &level, 0) ||
            get_bool(l, o, "scored", 1, &c->scored) || get_bool(l, o, "manual", 0, &c->manual))
            return l->err->code;
        c->level = level ? atoi(level) : 1;
        if (c->level != 1 && c->level != 2)
            return bad(l, "level must be 1 or 2%s", "");
        size_t k;
        for (k = 0; k < set.nsections; k++)
            if (!strcmp(set.sections[k].id, c->section))
                break;
        if (k == set.nsections)
            return bad(l, "section \"%s\" is not listed in sections", c->section);
        const json_t *when = json_object_get(o, "when"), *audit = json_object_get(o, "audit");
        if (when && !(c->when = parse_item(l, when, 0, &c->per_container)))
            return l->err->code;
        if (!audit && !c->manual)
            return bad(l, "an automated check needs an audit%s", "");
        if (audit && !(c->audit = parse_item(l, audit, 0, &c->per_container)))
            return l->err->code;
        if (c->per_container == 3)
            return bad(l, "a check reads container fields or image fields, not both%s", "");
        c->per_image = c->per_container == 2;
        c->per_container = c->per_container == 1;
        c->scored = c->scored && !c->manual;
    }
    l->where = NULL;
    comb_bench_set *ns = realloc(r->sets, (r->nsets + 1) * sizeof *ns);
    if (!ns)
        return comb_fail(l->err, COMB_ENOMEM, "out of memory");
    r->sets = ns;
    r->sets[r->nsets] = set;
    /* checks point at their set once the array stops moving */
    for (size_t s = 0; s <= r->nsets; s++)
        for (size_t i = 0; i < r->sets[s].nchecks; i++)
            r->sets[s].checks[i].set = &r->sets[s];
    r->nsets++;
    return COMB_OK;
}

comb_code comb_bench_rules_load(comb_bench_rules *r, const char *name, const char *data,
                                size_t len, comb_err *err)
{
    if (len > COMB_RULES_MAX_FILE)
        return comb_fail(err, COMB_ELIMIT, "%s: larger than %u bytes", name, COMB_RULES_MAX_FILE);
    json_t *doc = NULL;
    comb_code rc = comb_conf_parse(COMB_CONF_YAML, name, data, len, &doc, err);
    if (rc)
        return rc;
    loader l = { r, name, NULL, err };
    rc = load_tree(&l, doc);
    json_decref(doc);
    return rc;
}

typedef struct builtin_ctx {
    comb_bench_rules *r;
    comb_err *err;
    comb_code rc;
} builtin_ctx;

static int load_builtin(void *ud, const comb_embedded_file *f)
{
    builtin_ctx *c = ud;
    size_t n = strlen(f->name);
    if (n < 5 || strcmp(f->name + n - 5, ".yaml"))
        return 0;
    c->rc = comb_bench_rules_load(c->r, f->name, (const char *)f->data, f->len, c->err);
    return c->rc != COMB_OK;
}

comb_code comb_bench_rules_builtin(comb_bench_rules *r, comb_err *err)
{
    builtin_ctx c = { r, err, COMB_OK };
    comb_embedded_each("compliance/", load_builtin, &c);
    if (c.rc == COMB_OK && r->nsets == 0)
        return comb_fail(err, COMB_ENOTFOUND, "no built-in compliance rules (rules/compliance/)");
    return c.rc;
}
