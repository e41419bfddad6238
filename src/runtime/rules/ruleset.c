/* ruleset.c - the ruleset's life, its issues and accessors; see rules.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runtime/rules/ruleset_internal.h"

#define SCRATCH_SIZE (256u << 10)

comb_code comb_ruleset_new(comb_ruleset **out, comb_err *err)
{
    comb_ruleset *rs = calloc(1, sizeof *rs);
    char *scratch = malloc(SCRATCH_SIZE);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);
    if (!rs || !scratch || !md || !mctx) {
        free(rs);
        free(scratch);
        pcre2_match_data_free(md);
        pcre2_match_context_free(mctx);
        return comb_fail(err, COMB_ENOMEM, "rules: out of memory");
    }
    /* A hostile regex must not stall the event loop. */
    pcre2_set_match_limit(mctx, 100000);
    pcre2_set_depth_limit(mctx, 1000);
    rs->mctx = mctx;
    comb_arena_init(&rs->arena);
    comb_arena_init(&rs->carena);
    rs->scratch.buf = scratch;
    rs->scratch.cap = SCRATCH_SIZE;
    rs->md = md;
    *out = rs;
    return COMB_OK;
}

void comb_ruleset_free(comb_ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->nregexes; i++)
        pcre2_code_free(rs->regexes[i]);
    pcre2_match_data_free(rs->md);
    pcre2_match_context_free(rs->mctx);
    comb_namemap_free(&rs->lists);
    comb_namemap_free(&rs->macros);
    comb_namemap_free(&rs->rules);
    comb_namemap_free(&rs->type_ids);
    comb_arena_free(&rs->carena);
    comb_arena_free(&rs->arena);
    free(rs->scratch.buf);
    free(rs);
}

/* Issues live in the definitions arena: load issues must survive a
 * recompile (compile issues are recounted from rs->load_issues). */
comb_code rs_issue(comb_ruleset *rs, comb_rules_level level, const char *kind, const char *name,
                   const char *file, size_t line, const char *fmt, ...)
{
    comb_arena *a = &rs->arena;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (comb_vec_reserve(&rs->arena, (void **)&rs->issues, &rs->issuecap, rs->nissues,
                         sizeof *rs->issues))
        return COMB_ENOMEM;
    comb_rules_issue *is = &rs->issues[rs->nissues];
    is->level = level;
    is->kind = kind;
    is->name = comb_arena_strdup(a, name ? name : "");
    is->file = file ? file : "";
    is->line = line;
    is->msg = comb_arena_strdup(a, msg);
    if (!is->name || !is->msg)
        return COMB_ENOMEM;
    rs->nissues++;
    return COMB_OK;
}

const comb_rules_issue *comb_ruleset_issues(const comb_ruleset *rs, size_t *n)
{
    *n = rs->nissues;
    return rs->issues;
}

size_t comb_ruleset_rule_count(const comb_ruleset *rs)
{
    return rs->nrules;
}

const comb_rule *comb_ruleset_rule_at(const comb_ruleset *rs, size_t i)
{
    return i < rs->nrules ? rs->rulev[i] : NULL;
}

const comb_rule *comb_ruleset_find_rule(const comb_ruleset *rs, const char *name)
{
    return comb_namemap_get(&rs->rules, name);
}

const char *comb_rule_name(const comb_rule *r) { return r->name; }
const char *comb_rule_desc(const comb_rule *r) { return r->desc ? r->desc : ""; }
const char *comb_rule_source(const comb_rule *r) { return r->source; }
comb_priority comb_rule_priority(const comb_rule *r) { return r->priority; }
int comb_rule_active(const comb_rule *r) { return r->active; }
int comb_rule_enabled(const comb_rule *r) { return r->enabled; }
const char *comb_rule_unsupported_reason(const comb_rule *r) { return r->unsupported; }

const char *const *comb_rule_tags(const comb_rule *r, size_t *n)
{
    *n = r->ntags;
    return r->tags;
}

static const char *const prio_names[] = {
    "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *comb_priority_name(comb_priority p)
{
    return (unsigned)p < sizeof prio_names / sizeof *prio_names ? prio_names[p] : "Unknown";
}

int comb_priority_parse(const char *s, comb_priority *out)
{
    for (size_t i = 0; i < sizeof prio_names / sizeof *prio_names; i++)
        if (strcasecmp(s, prio_names[i]) == 0) {
            *out = (comb_priority)i;
            return 0;
        }
    if (strcasecmp(s, "info") == 0) {
        *out = COMB_PRIO_INFORMATIONAL;
        return 0;
    }
    return -1;
}
