/* fuzz_rules_load.c - libFuzzer target: arbitrary bytes as a rules file,
 * through the loader and the compiler, then one event through the compiled
 * rules and every rule's text and JSON alert. A failed load must carry a
 * message; issues must name their rule; nothing may crash, leak or hang
 * (macro blow-up, deep nesting and list cycles are bounded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rules/rules.h"

static int format_all(void *ud, const comb_rule *rule, const comb_event *ev)
{
    comb_ruleset *rs = ud;
    char *text = comb_alert_format_text(rs, rule, ev);
    char *json = comb_alert_format_json(rs, rule, ev, "fuzz");
    if (!text || !json)
        abort();
    free(text);
    free(json);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const args[] = { "-c", "id" };
    static const comb_event_arg eargs[] = { { "flags", "O_RDONLY" }, { "request", "PTRACE_ATTACH" } };
    comb_ruleset *rs;
    comb_err err;
    if (comb_ruleset_new(&rs, &err))
        return 0;
    comb_code rc = comb_rules_load_buffer(rs, "fuzz.yaml", data, size, &err);
    if (rc != COMB_OK && err.msg[0] == '\0')
        abort();
    if (comb_ruleset_compile(rs, &err) != COMB_OK && err.code != COMB_ENOMEM)
        abort();
    size_t n;
    const comb_rules_issue *is = comb_ruleset_issues(rs, &n);
    for (size_t i = 0; i < n; i++)
        if (!is[i].name || !is[i].msg || !is[i].msg[0])
            abort();
    for (size_t i = 0; i < comb_ruleset_rule_count(rs); i++) {
        const comb_rule *r = comb_ruleset_rule_at(rs, i);
        /* An enabled rule either runs or says why not. */
        if (comb_rule_enabled(r) && !comb_rule_active(r) && !comb_rule_unsupported_reason(r))
            abort();
    }
    int all;
    comb_ruleset_needed_types(rs, &n, &all);
    const char *const types[] = { "openat", "execve", "connect", "ptrace", "other" };
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        comb_event ev;
        comb_event_init(&ev);
        ev.type = types[t];
        ev.ts = 1;
        ev.rawres = 0;
        ev.proc.name = "sh";
        ev.proc.args = args;
        ev.proc.nargs = 2;
        ev.args = eargs;
        ev.nargs = 2;
        ev.fd.type = "file";
        ev.fd.name = "/etc/shadow";
        ev.container.id = "host";
        comb_ruleset_eval(rs, &ev, format_all, rs);
    }
    comb_ruleset_free(rs);
    return 0;
}
