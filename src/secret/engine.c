/* engine.c - building a secret engine: the built-in config and the user's
 * are parsed (config.c), merged (user rules replace built-in rules of the
 * same id; enable/disable lists apply), every regex is compiled with PCRE2
 * (JIT when available) and the prefilter is built (prefilter.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "secret/secret_internal.h"

#define BUILTIN_NAME "secrets/builtin.yaml"

/* PCRE2 keeps backtracking bounded with these; a window that hits a limit
 * is abandoned, never retried. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 10000

static const char *const severities[] = { "CRITICAL", "HIGH", "MEDIUM", "LOW" };

/* Files with these extensions are not text; skipped unless scan_binaries. */
static const char *const binary_exts[] = {
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".bmp", ".gz", ".tgz", ".bz2", ".xz",
    ".zst", ".zip", ".jar", ".war", ".whl", ".so", ".a", ".o", ".pyc", ".class", ".woff",
    ".woff2", ".ttf", ".otf", ".pdf", ".mo", ".mp3", ".mp4", ".exe", ".dll", ".wasm",
};

static comb_code compile_re(const char *src, const char *where, pcre2_code **out,
                            comb_err *err)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, strlen(src), 0, &ec, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return comb_fail(err, COMB_EFORMAT, "%s: %s at offset %zu", where, (char *)msg,
                         (size_t)off);
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter is the fallback */
    uint32_t groups = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups > 64) {
        pcre2_code_free(re);
        return comb_fail(err, COMB_ELIMIT, "%s: more than 64 capture groups", where);
    }
    *out = re;
    return COMB_OK;
}

static int in_list(const char *id, const char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (id && !strcmp(id, list[i]))
            return 1;
    return 0;
}

static comb_code compile_allows(const secret_config *c, const secret_allow_def *defs, size_t n,
                                const char **disabled, size_t ndisabled, secret_allow *out,
                                size_t *count, comb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const secret_allow_def *d = &defs[i];
        if (in_list(d->id, disabled, ndisabled))
            continue;
        secret_allow *al = &out[(*count)++];
        memset(al, 0, sizeof *al);
        al->id = d->id ? d->id : "";
        char where[300];
        comb_code rc;
        if (d->regex) {
            snprintf(where, sizeof where, "%s: line %u: allow rule \"%.100s\": regex", c->name,
                     d->line, al->id);
            if ((rc = compile_re(d->regex, where, &al->regex, err)))
                return rc;
        }
        if (d->path) {
            snprintf(where, sizeof where, "%s: line %u: allow rule \"%.100s\": path", c->name,
                     d->line, al->id);
            if ((rc = compile_re(d->path, where, &al->path, err)))
                return rc;
        }
    }
    return COMB_OK;
}

static int valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 128)
        return 0;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
            return 0;
    return 1;
}

static comb_code compile_rule(comb_secret_engine *e, const secret_config *c,
                              const secret_rule_def *d, int builtin, const char **disable_allow,
                              size_t ndisable_allow, secret_rule *r, comb_err *err)
{
    char where[300];
    memset(r, 0, sizeof *r);
    if (!valid_id(d->id))
        return comb_fail(err, COMB_EFORMAT,
                         "%s: line %u: rule id \"%.100s\": use 1 to 128 letters, digits, '.', '_' or '-'",
                         c->name, d->line, d->id);
    r->id = d->id;
    r->title = d->title ? d->title : d->id;
    r->category = d->category ? d->category : "Custom";
    r->severity = "MEDIUM";
    if (d->severity) {
        r->severity = NULL;
        for (size_t i = 0; i < sizeof severities / sizeof *severities; i++)
            if (!strcasecmp(d->severity, severities[i]))
                r->severity = severities[i];
        if (!r->severity)
            return comb_fail(err, COMB_EFORMAT,
                             "%s: line %u: rule \"%s\": severity \"%.40s\": expected CRITICAL, HIGH, MEDIUM or LOW",
                             c->name, d->line, d->id, d->severity);
    }
    r->regex_src = d->regex;
    r->keywords = d->keywords;
    r->nkeywords = d->nkeywords;
    r->min_entropy = d->min_entropy;
    r->max_length = d->max_length ? d->max_length : SECRET_DEFAULT_MAX_LENGTH;
    r->binary = d->binary;
    r->builtin = builtin;
    comb_code rc;
    snprintf(where, sizeof where, "%s: line %u: rule \"%s\": regex", c->name, d->line, d->id);
    if ((rc = compile_re(d->regex, where, &r->regex, err)))
        return rc;
    if (d->secret_group) {
        int g = pcre2_substring_number_from_name(r->regex, (PCRE2_SPTR)d->secret_group);
        if (g <= 0)
            return comb_fail(err, COMB_EFORMAT,
                             "%s: line %u: rule \"%s\": secret-group-name \"%.60s\" is not a named group of the regex",
                             c->name, d->line, d->id, d->secret_group);
        r->secret_group = (uint32_t)g;
    } else {
        int g = pcre2_substring_number_from_name(r->regex, (PCRE2_SPTR) "secret");
        r->secret_group = g > 0 ? (uint32_t)g : 0;
    }
    if (d->path) {
        snprintf(where, sizeof where, "%s: line %u: rule \"%s\": path", c->name, d->line, d->id);
        if ((rc = compile_re(d->path, where, &r->path, err)))
            return rc;
    }
    r->allows = comb_arena_calloc(&e->arena, d->nallows ? d->nallows : 1, sizeof *r->allows);
    if (!r->allows)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return compile_allows(c, d->allows, d->nallows, disable_allow, ndisable_allow, r->allows,
                          &r->nallows, err);
}

static comb_code read_config(const char *path, char **text, size_t *len, comb_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return comb_fail(err, COMB_EIO, "%s: cannot open secret config", path);
    char *buf = malloc(SECRET_CONFIG_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, SECRET_CONFIG_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return comb_fail(err, COMB_EIO, "%s: read error", path);
    }
    if (n > SECRET_CONFIG_MAX_BYTES) {
        free(buf);
        return comb_fail(err, COMB_ELIMIT, "%s: config larger than %u bytes", path,
                         SECRET_CONFIG_MAX_BYTES);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return COMB_OK;
}

/* Each id in list must name a rule of the built-in or user set. */
static comb_code check_ids(const secret_config *user, const char *key, const char **list,
                           size_t n, const secret_config *b, int allow_ids, comb_err *err)
{
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        const secret_config *cs[2] = { b, user };
        for (int k = 0; k < 2 && !found; k++) {
            const secret_config *c = cs[k];
            for (size_t j = 0; j < c->nrules && !found; j++) {
                if (!allow_ids && c->rules[j].id && !strcmp(c->rules[j].id, list[i]))
                    found = 1;
                for (size_t m = 0; allow_ids && m < c->rules[j].nallows && !found; m++)
                    if (c->rules[j].allows[m].id && !strcmp(c->rules[j].allows[m].id, list[i]))
                        found = 1;
            }
            for (size_t j = 0; allow_ids && j < c->nallows && !found; j++)
                if (c->allows[j].id && !strcmp(c->allows[j].id, list[i]))
                    found = 1;
        }
        if (!found)
            return comb_fail(err, COMB_EFORMAT, "%s: %s: unknown %srule id \"%.100s\"",
                             user->name, key, allow_ids ? "allow " : "", list[i]);
    }
    return COMB_OK;
}

static comb_code build(comb_secret_engine *e, const secret_config *b, const secret_config *u,
                       comb_err *err)
{
    comb_code rc;
    if ((rc = check_ids(u, "disable-rules", u->disable_rules, u->ndisable_rules, b, 0, err)) ||
        (rc = check_ids(u, "enable-builtin-rules", u->enable_builtin, u->nenable_builtin, b, 0,
                        err)) ||
        (rc = check_ids(u, "disable-allow-rules", u->disable_allow, u->ndisable_allow, b, 1,
                        err)))
        return rc;
    size_t cap = b->nrules + u->nrules;
    e->rules = comb_arena_calloc(&e->arena, cap ? cap : 1, sizeof *e->rules);
    size_t acap = b->nallows + u->nallows;
    e->allows = comb_arena_calloc(&e->arena, acap ? acap : 1, sizeof *e->allows);
    if (!e->rules || !e->allows)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int use_builtin = u->builtin != 0;
    for (size_t i = 0; use_builtin && i < b->nrules; i++) {
        const secret_rule_def *d = &b->rules[i];
        if (u->nenable_builtin && !in_list(d->id, u->enable_builtin, u->nenable_builtin))
            continue;
        if (in_list(d->id, u->disable_rules, u->ndisable_rules))
            continue;
        int replaced = 0;
        for (size_t j = 0; j < u->nrules && !replaced; j++)
            replaced = !strcmp(u->rules[j].id, d->id);
        if (replaced)
            continue;
        /* counted before compiling, so that engine_free also frees a half-built rule */
        if ((rc = compile_rule(e, b, d, 1, u->disable_allow, u->ndisable_allow,
                               &e->rules[e->nrules++], err)))
            return rc;
    }
    for (size_t i = 0; i < u->nrules; i++) {
        const secret_rule_def *d = &u->rules[i];
        for (size_t j = 0; j < i; j++)
            if (!strcmp(u->rules[j].id, d->id))
                return comb_fail(err, COMB_EFORMAT, "%s: line %u: rule id \"%.100s\" defined twice",
                                 u->name, d->line, d->id);
        if (in_list(d->id, u->disable_rules, u->ndisable_rules))
            continue;
        if ((rc = compile_rule(e, u, d, 0, u->disable_allow, u->ndisable_allow,
                               &e->rules[e->nrules++], err)))
            return rc;
    }
    if ((rc = compile_allows(b, b->allows, b->nallows, u->disable_allow, u->ndisable_allow,
                             e->allows, &e->nallows, err)) ||
        (rc = compile_allows(u, u->allows, u->nallows, NULL, 0, e->allows, &e->nallows, err)))
        return rc;
    return COMB_OK;
}

static comb_code alloc_scratch(comb_secret_engine *e, comb_err *err)
{
    uint32_t groups = 1;
    for (size_t i = 0; i < e->nrules; i++) {
        uint32_t g = 0;
        pcre2_pattern_info(e->rules[i].regex, PCRE2_INFO_CAPTURECOUNT, &g);
        if (g + 1 > groups)
            groups = g + 1;
    }
    e->md = pcre2_match_data_create(groups, NULL);
    e->md_allow = pcre2_match_data_create(1, NULL);
    e->mctx = pcre2_match_context_create(NULL);
    e->jit = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    size_t n = e->nrules ? e->nrules : 1;
    e->rule_on = calloc(n, 1);
    e->win_start = calloc(n, sizeof *e->win_start);
    e->win_end = calloc(n, sizeof *e->win_end);
    if (!e->md || !e->md_allow || !e->mctx || !e->jit || !e->rule_on || !e->win_start ||
        !e->win_end)
        return comb_fail(err, COMB_ENOMEM, "secret engine: out of memory");
    pcre2_set_match_limit(e->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(e->mctx, DEPTH_LIMIT);
    pcre2_jit_stack_assign(e->mctx, NULL, e->jit);
    return COMB_OK;
}

comb_code secret_engine_new_text(const comb_secret_opts *o, const char *name, const char *text,
                                 size_t len, int with_builtin, comb_secret_engine **out,
                                 comb_err *err)
{
    *out = NULL;
    comb_secret_opts defaults = { 0 };
    if (!o)
        o = &defaults;
    if (o->max_file_size > COMB_SECRET_MAX_SIZE_LIMIT)
        return comb_fail(err, COMB_EINVAL, "secret scanner: max file size over %u bytes",
                         COMB_SECRET_MAX_SIZE_LIMIT);
    comb_secret_engine *e = calloc(1, sizeof *e);
    if (!e)
        return comb_fail(err, COMB_ENOMEM, "secret engine: out of memory");
    comb_arena_init(&e->arena);
    e->max_size = o->max_file_size ? o->max_file_size : COMB_SECRET_DEFAULT_MAX_SIZE;
    e->scan_binaries = o->scan_binaries;
    e->mode = o->prefilter ? o->prefilter : COMB_SECRET_PREFILTER_KEYWORDS;
    secret_config b, u;
    comb_code rc = COMB_OK;
    memset(&b, 0, sizeof b);
    b.name = BUILTIN_NAME;
    if (with_builtin) {
        const comb_embedded_file *f = comb_embedded_find(BUILTIN_NAME);
        if (!f)
            rc = comb_fail(err, COMB_ENOTFOUND, "%s: not built into this binary", BUILTIN_NAME);
        else
            rc = secret_config_parse(&e->arena, BUILTIN_NAME, (const char *)f->data, f->len, &b,
                                     err);
    }
    if (!rc)
        rc = secret_config_parse(&e->arena, name ? name : "(none)", text ? text : "",
                                 text ? len : 0, &u, err);
    if (!rc)
        rc = build(e, &b, &u, err);
    if (!rc)
        rc = alloc_scratch(e, err);
    if (!rc)
        rc = secret_prefilter_build(e, err);
    if (rc) {
        comb_secret_engine_free(e);
        return rc;
    }
    *out = e;
    return COMB_OK;
}

comb_code comb_secret_engine_new(const comb_secret_opts *o, comb_secret_engine **out,
                                 comb_err *err)
{
    if (!o || !o->config_path)
        return secret_engine_new_text(o, NULL, NULL, 0, 1, out, err);
    char *text = NULL;
    size_t len = 0;
    comb_code rc = read_config(o->config_path, &text, &len, err);
    if (rc)
        return rc;
    rc = secret_engine_new_text(o, o->config_path, text, len, 1, out, err);
    free(text);
    return rc;
}

static void free_allows(secret_allow *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pcre2_code_free(a[i].regex);
        pcre2_code_free(a[i].path);
    }
}

void comb_secret_engine_free(comb_secret_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nrules; i++) {
        pcre2_code_free(e->rules[i].regex);
        pcre2_code_free(e->rules[i].path);
        free_allows(e->rules[i].allows, e->rules[i].nallows);
    }
    free_allows(e->allows, e->nallows);
    secret_prefilter_free(&e->pf);
    pcre2_match_data_free(e->md);
    pcre2_match_data_free(e->md_allow);
    pcre2_match_context_free(e->mctx);
    pcre2_jit_stack_free(e->jit);
    free(e->rule_on);
    free(e->win_start);
    free(e->win_end);
    free(e->found);
    comb_arena_free(&e->arena);
    free(e);
}

size_t comb_secret_rule_count(const comb_secret_engine *e)
{
    return e->nrules;
}

void comb_secret_rule_at(const comb_secret_engine *e, size_t i, comb_secret_rule_info *out)
{
    const secret_rule *r = &e->rules[i];
    out->id = r->id;
    out->category = r->category;
    out->title = r->title;
    out->severity = r->severity;
    out->builtin = r->builtin;
}

int secret_re_search(comb_secret_engine *e, const pcre2_code *re, const uint8_t *s, size_t n)
{
    return pcre2_match(re, s, n, 0, 0, e->md_allow, e->mctx) >= 0;
}

int comb_secret_wants(const comb_secret_engine *e, const char *path, int64_t size)
{
    if (size >= 0 && ((uint64_t)size > e->max_size || size < COMB_SECRET_MIN_SIZE))
        return 0;
    size_t pl = strlen(path);
    if (!e->scan_binaries) {
        for (size_t i = 0; i < sizeof binary_exts / sizeof *binary_exts; i++) {
            size_t el = strlen(binary_exts[i]);
            if (pl > el && !strcasecmp(path + pl - el, binary_exts[i]))
                return 0;
        }
    }
    /* const is cast away for the match data only: wants() never changes rules */
    comb_secret_engine *me = (comb_secret_engine *)e;
    for (size_t i = 0; i < e->nallows; i++)
        if (e->allows[i].path && secret_re_search(me, e->allows[i].path, (const uint8_t *)path, pl))
            return 0;
    return 1;
}
