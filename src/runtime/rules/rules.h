/* rules.h - Falco-compatible runtime rules: load, compile, evaluate, format.
 *
 * Usage:
 *   comb_ruleset *rs; comb_ruleset_new(&rs, &err);
 *   comb_rules_load_file(rs, "falco_rules.yaml", &err);   (any number of files, in order)
 *   comb_ruleset_compile(rs, &err);
 *   ... comb_ruleset_issues(rs, &n): every rule that cannot run, by name, and warnings
 *   comb_ruleset_eval(rs, &event, on_match, ud);
 *   comb_alert_format_json(rs, rule, &event, hostname);
 *
 * Load errors (malformed YAML, an item without its required keys, an append
 * to nothing) fail the load with "file:line: problem". Rules that load but
 * cannot be evaluated (unknown field, unsupported operator, missing macro or
 * list, other sources than syscall) are disabled and reported as issues with
 * the rule's name; nothing is dropped silently. A ruleset is not thread-safe:
 * evaluate from one thread, or use one ruleset per thread.
 */
#ifndef COMB_RUNTIME_RULES_RULES_H
#define COMB_RUNTIME_RULES_RULES_H

#include <stddef.h>

#include "core/error.h"
#include "runtime/rules/event.h"

typedef struct comb_ruleset comb_ruleset;
typedef struct comb_rule comb_rule;

typedef enum comb_priority {
    COMB_PRIO_EMERGENCY,
    COMB_PRIO_ALERT,
    COMB_PRIO_CRITICAL,
    COMB_PRIO_ERROR,
    COMB_PRIO_WARNING,
    COMB_PRIO_NOTICE,
    COMB_PRIO_INFORMATIONAL,
    COMB_PRIO_DEBUG,
} comb_priority;

typedef enum comb_rules_level {
    COMB_RULES_WARNING,      /* loads and runs, but something deserves attention */
    COMB_RULES_UNSUPPORTED,  /* the rule is disabled: comb cannot evaluate it */
} comb_rules_level;

typedef struct comb_rules_issue {
    comb_rules_level level;
    const char *kind;        /* "rule", "macro", "list", "file" */
    const char *name;        /* item name ("" for the file itself) */
    const char *file;
    size_t line;
    const char *msg;
} comb_rules_issue;

/* Limits on attacker-controlled rule files. */
#define COMB_RULES_MAX_FILE (16u << 20)        /* bytes per file */
#define COMB_RULES_MAX_ITEMS 100000u           /* rules + macros + lists */
#define COMB_RULES_MAX_COND (1u << 20)         /* condition bytes after appends */
#define COMB_RULES_MAX_PARSE_DEPTH 64          /* parentheses, not, transformers */
#define COMB_RULES_MAX_DEPTH 256               /* depth after macro expansion */
#define COMB_RULES_MAX_NODES 1000000u          /* nodes of one rule after macro expansion */
#define COMB_RULES_MAX_VALUES 100000u          /* values of one comparison after list expansion */
#define COMB_RULES_MAX_LIST_DEPTH 16           /* lists naming lists */

comb_code comb_ruleset_new(comb_ruleset **out, comb_err *err);
void comb_ruleset_free(comb_ruleset *rs);

/* Load one rules file (YAML) or buffer; `name` appears in messages. */
comb_code comb_rules_load_file(comb_ruleset *rs, const char *path, comb_err *err);
comb_code comb_rules_load_buffer(comb_ruleset *rs, const char *name, const void *data, size_t len,
                                 comb_err *err);

/* Compile every loaded rule (again after more loads). Only allocation
 * failures fail; rules that cannot compile become issues. */
comb_code comb_ruleset_compile(comb_ruleset *rs, comb_err *err);

const comb_rules_issue *comb_ruleset_issues(const comb_ruleset *rs, size_t *n);

size_t comb_ruleset_rule_count(const comb_ruleset *rs);
const comb_rule *comb_ruleset_rule_at(const comb_ruleset *rs, size_t i);
const comb_rule *comb_ruleset_find_rule(const comb_ruleset *rs, const char *name);

const char *comb_rule_name(const comb_rule *r);
const char *comb_rule_desc(const comb_rule *r);
const char *comb_rule_source(const comb_rule *r);
comb_priority comb_rule_priority(const comb_rule *r);
const char *const *comb_rule_tags(const comb_rule *r, size_t *n);
/* comb's extension key `response: [kill, freeze, stop, isolate]`: the
 * COMB_ACT_* bits of runtime/response/response.h (0: none). */
unsigned comb_rule_response(const comb_rule *r);
/* Enabled by the rules files (after overrides). */
int comb_rule_enabled(const comb_rule *r);
/* Enabled in the rules and compiled: it will be evaluated. */
int comb_rule_active(const comb_rule *r);
/* Why an enabled rule is not active (NULL when it is). */
const char *comb_rule_unsupported_reason(const comb_rule *r);

const char *comb_priority_name(comb_priority p);        /* "Warning" */
int comb_priority_parse(const char *s, comb_priority *out);

/* Event types the active rules need, sorted; *all is set when some active
 * rule has no evt.type restriction (then every event type is needed). */
const char *const *comb_ruleset_needed_types(const comb_ruleset *rs, size_t *n, int *all);

/* Called for each active rule the event satisfies, in rule order; a non-zero
 * return stops the evaluation (Falco's "first match" mode). */
typedef int (*comb_rule_match_fn)(void *ud, const comb_rule *rule, const comb_event *ev);

/* Returns the number of rules that matched. */
size_t comb_ruleset_eval(comb_ruleset *rs, const comb_event *ev, comb_rule_match_fn fn, void *ud);

/* Compile `condition` against the ruleset's lists and macros and evaluate it
 * on ev: *result is 0 or 1. Fails with a message for a bad condition. Used by
 * tests, fuzzers and a future `comb rules check`. Needs no compile first;
 * each call's compiled tree stays in the ruleset until the next compile. */
comb_code comb_rules_eval_condition(comb_ruleset *rs, const char *condition, const comb_event *ev,
                                    int *result, comb_err *err);

/* The rule's output with %fields substituted (malloc'd, NULL on ENOMEM). */
char *comb_alert_format_output(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev);
/* Falco's text line: "HH:MM:SS.nnnnnnnnn: Priority output". */
char *comb_alert_format_text(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev);
/* Falco's JSON alert object on one line: time (RFC 3339, ns), rule, priority,
 * source, hostname, output, output_fields, tags. hostname NULL: ev->hostname. */
char *comb_alert_format_json(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev,
                             const char *hostname);

#endif
