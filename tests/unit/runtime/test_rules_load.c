/* test_rules_load.c - the loader and compiler: lists, macros, append and
 * override, enabled, exceptions, errors with file:line, unsupported rules
 * reported by name, cycles and blow-up limits, the event-type index, and
 * Falco's own rule files. */
#include "test.h"

#include "rules_fixture.h"

static comb_ruleset *load(const char *yaml, comb_err *err, comb_code *rc)
{
    comb_ruleset *rs;
    if (comb_ruleset_new(&rs, err))
        return NULL;
    *rc = comb_rules_load_buffer(rs, "t.yaml", yaml, strlen(yaml), err);
    if (*rc == COMB_OK)
        *rc = comb_ruleset_compile(rs, err);
    return rs;
}

/* The issue for `name` at `level`, or NULL. */
static const comb_rules_issue *issue_for(const comb_ruleset *rs, const char *name, int level)
{
    size_t n;
    const comb_rules_issue *is = comb_ruleset_issues(rs, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(is[i].name, name) && (int)is[i].level == level)
            return &is[i];
    return NULL;
}

static int fires(comb_ruleset *rs, const char *rule, const comb_event *ev);

typedef struct hits {
    const char *names[64];
    size_t n;
    int stop_after;
} hits;

static int collect(void *ud, const comb_rule *rule, const comb_event *ev)
{
    (void)ev;
    hits *h = ud;
    if (h->n < 64)
        h->names[h->n++] = comb_rule_name(rule);
    return h->stop_after && (int)h->n >= h->stop_after;
}

static int fires(comb_ruleset *rs, const char *rule, const comb_event *ev)
{
    hits h = { .n = 0 };
    comb_ruleset_eval(rs, ev, collect, &h);
    for (size_t i = 0; i < h.n; i++)
        if (!strcmp(h.names[i], rule))
            return 1;
    return 0;
}

#define RULE(name, cond) \
    "- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o %proc.name\n  priority: NOTICE\n"

static void test_lists_macros_append_override(void)
{
    static const char yaml[] =
        "- list: shells\n  items: [zsh]\n"
        "- list: shells\n  items: [bash]\n  append: true\n"
        "- list: others\n  items: [a]\n"
        "- list: others\n  items: [b]\n  override:\n    items: replace\n"
        "- macro: m\n  condition: proc.name = nope\n"
        "- macro: m\n  condition: or proc.name = bash\n  append: true\n"
        RULE("uses list", "evt.type = openat and proc.name in (shells)")
        RULE("replaced list", "evt.type = openat and proc.name in (others)")
        RULE("uses macro", "evt.type = openat and m")
        RULE("appended", "evt.type = openat and proc.name = bash")
        "- rule: appended\n  condition: and fd.name = /nope\n  append: true\n"
        RULE("overridden", "evt.type = openat and proc.name = nope")
        "- rule: overridden\n  condition: or proc.name = bash\n  priority: CRITICAL\n"
        "  tags: [extra]\n  output: new %fd.name\n"
        "  override:\n    condition: append\n    priority: replace\n    tags: append\n"
        "    output: replace\n"
        RULE("switched off", "evt.type = openat")
        "- rule: switched off\n  enabled: false\n"
        "- rule: born off\n  desc: d\n  condition: evt.type = openat\n  output: o\n"
        "  priority: INFO\n  enabled: false\n"
        "- rule: born off\n  enabled: true\n"
        RULE("redefined", "evt.type = openat and proc.name = nope")
        RULE("redefined", "evt.type = openat and proc.name = bash");
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(yaml, &err, &rc);
    CHECK(rc == COMB_OK);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    comb_event ev;
    fixture_open(&ev);
    CHECK(fires(rs, "uses list", &ev));
    CHECK(!fires(rs, "replaced list", &ev));
    CHECK(fires(rs, "uses macro", &ev));
    CHECK(!fires(rs, "appended", &ev));
    CHECK(fires(rs, "overridden", &ev));
    CHECK(!fires(rs, "switched off", &ev));
    CHECK(fires(rs, "born off", &ev));
    CHECK(fires(rs, "redefined", &ev));
    CHECK_INT(comb_ruleset_rule_count(rs), 8);
    const comb_rule *o = comb_ruleset_find_rule(rs, "overridden");
    CHECK(o && comb_rule_priority(o) == COMB_PRIO_CRITICAL);
    size_t nt;
    const char *const *tags = comb_rule_tags(o, &nt);
    CHECK(nt == 1 && !strcmp(tags[0], "extra"));
    char *out = comb_alert_format_output(rs, o, &ev);
    CHECK_STR(out, "new /etc/shadow");
    free(out);
    ev.proc.name = "a";
    CHECK(!fires(rs, "replaced list", &ev));
    ev.proc.name = "b";
    CHECK(fires(rs, "replaced list", &ev));
    comb_ruleset_free(rs);
}

static void test_exceptions(void)
{
    static const char yaml[] =
        "- list: allowed_files\n  items: [/etc/shadow]\n"
        "- rule: reads\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
        "  exceptions:\n"
        "    - name: proc_file\n      fields: [proc.name, fd.name]\n      comps: [=, startswith]\n"
        "      values:\n        - [cat, /etc/]\n"
        "    - name: by_name\n      fields: proc.name\n      values: [vim, emacs]\n"
        "    - name: by_list\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n"
        "      values:\n        - [less, allowed_files]\n        - [more, [/etc/shadow, /etc/passwd]]\n"
        "- rule: reads\n  exceptions:\n    - name: proc_file\n      values:\n        - [bash, /etc/sh]\n"
        "  append: true\n"
        "- rule: reads2\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
        "  exceptions:\n    - name: e\n      fields: [proc.name]\n      values: []\n"
        "- rule: reads2\n  exceptions:\n    - name: e\n      values: [[bash]]\n"
        "  override:\n    exceptions: append\n";
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(yaml, &err, &rc);
    CHECK(rc == COMB_OK);
    if (rc)
        fprintf(stderr, "  %s\n", err.msg);
    comb_event ev;
    fixture_open(&ev);
    CHECK(!fires(rs, "reads", &ev));   /* bash + /etc/sh... appended later */
    CHECK(!fires(rs, "reads2", &ev));  /* value added through override */
    ev.proc.name = "sh";
    CHECK(fires(rs, "reads", &ev));
    CHECK(fires(rs, "reads2", &ev));
    ev.proc.name = "cat";
    CHECK(!fires(rs, "reads", &ev));
    ev.proc.name = "vim";
    CHECK(!fires(rs, "reads", &ev));
    ev.proc.name = "less";
    CHECK(!fires(rs, "reads", &ev));
    ev.proc.name = "more";
    CHECK(!fires(rs, "reads", &ev));
    ev.fd.name = "/etc/group";
    CHECK(fires(rs, "reads", &ev));
    comb_ruleset_free(rs);

    /* An exception naming an unknown field disables the rule, by name. */
    static const char bad[] =
        "- rule: badexc\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
        "  exceptions:\n    - name: x\n      fields: [proc.nope]\n      values: [[a]]\n"
        "- rule: badcomp\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
        "  exceptions:\n    - name: x\n      fields: [proc.name]\n      comps: [like]\n"
        "      values: [[a]]\n";
    rs = load(bad, &err, &rc);
    CHECK(rc == COMB_OK);
    const comb_rules_issue *is = issue_for(rs, "badexc", COMB_RULES_UNSUPPORTED);
    CHECK(is && strstr(is->msg, "proc.nope"));
    is = issue_for(rs, "badcomp", COMB_RULES_UNSUPPORTED);
    CHECK(is && strstr(is->msg, "unknown comparison like"));
    comb_ruleset_free(rs);
}

static void test_documents_and_files(void)
{
    static const char yaml[] =
        "- macro: m\n  condition: proc.name = nope\n"
        "---\n"
        "- macro: m\n  condition: proc.name = bash\n  override:\n    condition: replace\n"
        "- list: l\n  items: [x]\n"
        "- list: l\n  items: [bash]\n  override:\n    items: append\n"
        "---\n"
        RULE("r", "evt.type = openat and m and proc.name in (l)")
        "...\n";
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(yaml, &err, &rc);
    CHECK(rc == COMB_OK);
    comb_event ev;
    fixture_open(&ev);
    CHECK(fires(rs, "r", &ev));
    CHECK(comb_rules_load_file(rs, "/nonexistent/rules.yaml", &err) == COMB_ENOTFOUND);
    CHECK(strstr(err.msg, "/nonexistent/rules.yaml") != NULL);
    /* An empty file and an empty document are fine. */
    CHECK(comb_rules_load_buffer(rs, "empty.yaml", "", 0, &err) == COMB_OK);
    CHECK(comb_rules_load_buffer(rs, "null.yaml", "---\n...\n", 8, &err) == COMB_OK);
    /* Loading again drops the stale index until the next compile. */
    CHECK(!fires(rs, "r", &ev));
    CHECK(comb_ruleset_compile(rs, &err) == COMB_OK);
    CHECK(fires(rs, "r", &ev));
    comb_ruleset_free(rs);
}

static void test_load_errors(void)
{
    static const struct { const char *yaml, *msg; } cases[] = {
        { "- rule: x\n  desc: d\n  condition: [unclosed\n", "t.yaml:4: YAML: did not find expected" },
        { "- list: a\n  items: [x]\n- list: b\n  items: [y]\n  append: true\n",
          "t.yaml:3: list b: append of an undefined list" },
        { "- rule: r\n  condition: and x\n  append: true\n", "t.yaml:1: rule r: append of an undefined rule" },
        { "- macro: m\n  condition: x\n  override:\n    condition: append\n",
          "t.yaml:1: macro m: override of an undefined macro" },
        { "- rule: r\n  desc: d\n  output: o\n  priority: INFO\n", "t.yaml:1: rule r: condition missing" },
        { "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: LOUD\n",
          "t.yaml:5: rule r: unknown priority LOUD" },
        { "- rule: r\n  desc: d\n  condition: c\n  priority: INFO\n", "rule r: output missing" },
        { "- just a string\n", "t.yaml:1: item: expected a mapping" },
        { "rule: x\n", "t.yaml:1: a rules file is a list of items" },
        { "- list: &a x\n  items: *a\n", "t.yaml:2: YAML aliases are not supported" },
        { "- list: l\n", "list l: items missing" },
        { "- macro: m\n  condition: [a]\n", "t.yaml:2: macro m: condition must be a string" },
        { "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n  enabled: maybe\n",
          "t.yaml:6: rule r: enabled must be true or false" },
        { "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n"
          "  exceptions:\n    - name: e\n      fields: [a, b]\n      values: [[x]]\n",
          "t.yaml:9: rule r: exception e: each value needs 2 items" },
        { "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: INFO\n"
          "- rule: r\n  output: x\n  override:\n    output: merge\n",
          "t.yaml:9: rule r: override of output must be append or replace" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        comb_err err;
        comb_code rc;
        comb_ruleset *rs = load(cases[i].yaml, &err, &rc);
        CHECK(rc != COMB_OK);
        if (rc == COMB_OK || !strstr(err.msg, cases[i].msg))
            fprintf(stderr, "  case %zu: got [%s] want [%s]\n", i, rc ? err.msg : "ok",
                    cases[i].msg);
        CHECK(rc != COMB_OK && strstr(err.msg, cases[i].msg));
        comb_ruleset_free(rs);
    }
}

static void test_unsupported_reported(void)
{
    static const char yaml[] =
        "- macro: a\n  condition: b and proc.name = x\n"
        "- macro: b\n  condition: (a)\n"
        "- macro: broken\n  condition: proc.nope = 1\n"
        RULE("cycle", "evt.type = openat and a")
        RULE("unknown field", "evt.type = openat and fd.nope = 1")
        RULE("missing macro", "evt.type = openat and not_defined_anywhere")
        RULE("via broken macro", "evt.type = openat and broken")
        "- rule: k8s\n  desc: d\n  condition: ka.verb = create\n  output: o\n  priority: INFO\n"
        "  source: k8s_audit\n"
        "- rule: off and broken\n  desc: d\n  condition: fd.nope = 1\n  output: o\n"
        "  priority: INFO\n  enabled: false\n"
        RULE("every type", "proc.name = bash")
        RULE("bad output", "evt.type = openat")
        "- rule: bad output\n  output: x %proc.nope\n  override:\n    output: replace\n"
        "- rule: odd key\n  desc: d\n  condition: evt.type = openat\n  output: o\n  priority: INFO\n"
        "  colour: red\n"
        "- whatever: 1\n"
        "- rule: bad syntax\n  desc: d\n  condition: evt.type = openat and (proc.name = x\n"
        "  output: o\n  priority: INFO\n"
        "- rule: skippable\n  desc: d\n  condition: evt.type = openat and k8s.nope = 1\n"
        "  output: o\n  priority: INFO\n  skip-if-unknown-filter: true\n";
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(yaml, &err, &rc);
    CHECK(rc == COMB_OK);
    const comb_rules_issue *is;
    CHECK((is = issue_for(rs, "cycle", COMB_RULES_UNSUPPORTED)) && strstr(is->msg, "cycle"));
    CHECK(is && is->line == 7 && !strcmp(is->file, "t.yaml"));
    CHECK((is = issue_for(rs, "unknown field", COMB_RULES_UNSUPPORTED)) &&
          strstr(is->msg, "unknown field fd.nope"));
    CHECK((is = issue_for(rs, "missing macro", COMB_RULES_UNSUPPORTED)) &&
          strstr(is->msg, "undefined macro not_defined_anywhere"));
    CHECK((is = issue_for(rs, "via broken macro", COMB_RULES_UNSUPPORTED)) &&
          strstr(is->msg, "macro broken: unknown field proc.nope"));
    CHECK((is = issue_for(rs, "k8s", COMB_RULES_UNSUPPORTED)) &&
          strstr(is->msg, "source k8s_audit"));
    CHECK((is = issue_for(rs, "off and broken", COMB_RULES_WARNING)) &&
          strstr(is->msg, "disabled rule"));
    CHECK((is = issue_for(rs, "every type", COMB_RULES_WARNING)) &&
          strstr(is->msg, "no evt.type restriction"));
    CHECK((is = issue_for(rs, "bad output", COMB_RULES_WARNING)) &&
          strstr(is->msg, "unknown field proc.nope"));
    CHECK((is = issue_for(rs, "odd key", COMB_RULES_WARNING)) && strstr(is->msg, "colour"));
    CHECK(issue_for(rs, "", COMB_RULES_WARNING) != NULL); /* the unknown item */
    CHECK((is = issue_for(rs, "bad syntax", COMB_RULES_UNSUPPORTED)) &&
          strstr(is->msg, "condition column 37: expected )") && is->line == 60);
    CHECK((is = issue_for(rs, "skippable", COMB_RULES_WARNING)) &&
          strstr(is->msg, "skipped (skip-if-unknown-filter): unknown field k8s.nope"));
    CHECK(!comb_rule_active(comb_ruleset_find_rule(rs, "skippable")));
    const comb_rule *r = comb_ruleset_find_rule(rs, "cycle");
    CHECK(r && !comb_rule_active(r) && comb_rule_unsupported_reason(r));
    r = comb_ruleset_find_rule(rs, "bad output");
    CHECK(r && comb_rule_active(r));
    comb_event ev;
    fixture_open(&ev);
    CHECK(!fires(rs, "cycle", &ev));
    CHECK(fires(rs, "every type", &ev));
    char *out = comb_alert_format_output(rs, r, &ev);
    CHECK_STR(out, "x %proc.nope");
    free(out);
    /* A recompile reports the same, not twice. */
    size_t n1, n2;
    comb_ruleset_issues(rs, &n1);
    CHECK(comb_ruleset_compile(rs, &err) == COMB_OK);
    comb_ruleset_issues(rs, &n2);
    CHECK_INT(n1, n2);
    comb_ruleset_free(rs);
}

/* Build "m0 .. mN" where each macro uses the previous one twice: 2^N nodes. */
static void test_blowup_and_depth(void)
{
    size_t cap = 1 << 16, n = 0;
    char *y = malloc(cap);
    n += (size_t)snprintf(y + n, cap - n, "- macro: m0\n  condition: proc.name = bash\n");
    for (int i = 1; i <= 60; i++)
        n += (size_t)snprintf(y + n, cap - n, "- macro: m%d\n  condition: (m%d or m%d)\n", i,
                              i - 1, i - 1);
    n += (size_t)snprintf(y + n, cap - n, "%s", RULE("huge", "evt.type = openat and m60"));
    n += (size_t)snprintf(y + n, cap - n, "%s", RULE("small", "evt.type = openat and m10"));
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(y, &err, &rc);
    CHECK(rc == COMB_OK);
    const comb_rules_issue *is = issue_for(rs, "huge", COMB_RULES_UNSUPPORTED);
    CHECK(is && strstr(is->msg, "nodes after macro expansion"));
    comb_event ev;
    fixture_open(&ev);
    CHECK(fires(rs, "small", &ev));
    comb_ruleset_free(rs);

    /* A chain of 2000 macros nests too deeply; nothing overflows the stack. */
    cap = 1 << 20;
    n = 0;
    y = realloc(y, cap);
    n += (size_t)snprintf(y + n, cap - n, "- macro: c0\n  condition: proc.name = bash\n");
    for (int i = 1; i <= 2000; i++)
        n += (size_t)snprintf(y + n, cap - n, "- macro: c%d\n  condition: not c%d\n", i, i - 1);
    n += (size_t)snprintf(y + n, cap - n, "%s", RULE("deep", "evt.type = openat and c2000"));
    n += (size_t)snprintf(y + n, cap - n, "%s", RULE("shallow", "evt.type = openat and c10"));
    rs = load(y, &err, &rc);
    CHECK(rc == COMB_OK);
    is = issue_for(rs, "deep", COMB_RULES_UNSUPPORTED);
    CHECK(is && strstr(is->msg, "nests deeper"));
    CHECK(fires(rs, "shallow", &ev));
    comb_ruleset_free(rs);
    free(y);
}

static void test_type_index(void)
{
    static const char yaml[] =
        RULE("opens", "evt.type in (open, openat) and proc.name = bash")
        RULE("execs", "(evt.type = execve or evt.type = execveat) and proc.name = bash")
        RULE("any", "proc.name = bash")
        RULE("negated", "not evt.type = execve and proc.name = bash")
        RULE("anded", "evt.type in (open, connect) and evt.type in (connect, execve)")
        RULE("also opens", "evt.type = openat and fd.num >= 0");
    comb_err err;
    comb_code rc;
    comb_ruleset *rs = load(yaml, &err, &rc);
    CHECK(rc == COMB_OK);
    size_t n;
    int all;
    const char *const *types = comb_ruleset_needed_types(rs, &n, &all);
    CHECK(all == 1);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_STR(types[0], "connect");
        CHECK_STR(types[1], "execve");
        CHECK_STR(types[2], "execveat");
        CHECK_STR(types[3], "open");
        CHECK_STR(types[4], "openat");
    }
    comb_event ev;
    fixture_open(&ev);
    hits h = { .n = 0 };
    CHECK_INT(comb_ruleset_eval(rs, &ev, collect, &h), 4);
    CHECK(h.n == 4 && !strcmp(h.names[0], "opens") && !strcmp(h.names[1], "any") &&
          !strcmp(h.names[2], "negated") && !strcmp(h.names[3], "also opens"));
    /* First-match mode: the callback stops the evaluation. */
    hits first = { .n = 0, .stop_after = 1 };
    CHECK_INT(comb_ruleset_eval(rs, &ev, collect, &first), 1);
    CHECK(first.n == 1 && !strcmp(first.names[0], "opens"));
    ev.type = "execve";
    h.n = 0;
    comb_ruleset_eval(rs, &ev, collect, &h);
    CHECK(h.n == 2 && !strcmp(h.names[0], "execs") && !strcmp(h.names[1], "any"));
    ev.type = "connect";
    CHECK(fires(rs, "anded", &ev));
    ev.type = "open";
    CHECK(!fires(rs, "anded", &ev));
    ev.type = "never_named";
    h.n = 0;
    comb_ruleset_eval(rs, &ev, collect, &h);
    CHECK(h.n == 2); /* any, negated */
    /* Conditions compiled after the index name new types: not indexed. */
    CHECK_INT(eval_cond(rs, "evt.type in (zz1, zz2, zz3) and proc.name = bash", &ev), 0);
    ev.type = "zz3";
    CHECK_INT(eval_cond(rs, "evt.type in (zz1, zz2, zz3) and proc.name = bash", &ev), 1);
    h.n = 0;
    comb_ruleset_eval(rs, &ev, collect, &h);
    CHECK(h.n == 2);
    comb_ruleset_needed_types(rs, &n, &all);
    CHECK_INT(n, 5);
    comb_ruleset_free(rs);
}

static comb_ruleset *load_falco(const char *const *files, size_t nfiles)
{
    comb_ruleset *rs;
    comb_err err;
    if (comb_ruleset_new(&rs, &err))
        return NULL;
    for (size_t i = 0; i < nfiles; i++) {
        comb_code rc = comb_rules_load_file(rs, test_shared(files[i]), &err);
        if (rc)
            fprintf(stderr, "  %s\n", err.msg);
        CHECK(rc == COMB_OK);
    }
    CHECK(comb_ruleset_compile(rs, &err) == COMB_OK);
    return rs;
}

static size_t count_level(const comb_ruleset *rs, int level, int print)
{
    size_t n, c = 0;
    const comb_rules_issue *is = comb_ruleset_issues(rs, &n);
    for (size_t i = 0; i < n; i++)
        if ((int)is[i].level == level) {
            c++;
            if (print)
                fprintf(stderr, "  %s:%zu: %s %s: %s\n", is[i].file, is[i].line, is[i].kind,
                        is[i].name, is[i].msg);
        }
    return c;
}

static void test_falco_stable_loads(void)
{
    static const char *const stable[] = { "data/falco-rules/falco_rules.yaml" };
    comb_ruleset *rs = load_falco(stable, 1);
    CHECK_INT(count_level(rs, COMB_RULES_UNSUPPORTED, 1), 0);
    CHECK_INT(count_level(rs, COMB_RULES_WARNING, 1), 0);
    CHECK_INT(comb_ruleset_rule_count(rs), 25);
    size_t active = 0;
    for (size_t i = 0; i < comb_ruleset_rule_count(rs); i++)
        active += comb_rule_active(comb_ruleset_rule_at(rs, i)) != 0;
    CHECK_INT(active, 25);
    size_t n;
    int all;
    const char *const *types = comb_ruleset_needed_types(rs, &n, &all);
    CHECK(all == 0);
    int execve = 0, openat = 0, ptrace = 0;
    for (size_t i = 0; i < n; i++) {
        execve |= !strcmp(types[i], "execve");
        openat |= !strcmp(types[i], "openat");
        ptrace |= !strcmp(types[i], "ptrace");
    }
    CHECK(execve && openat && ptrace);
    comb_ruleset_free(rs);
}

/* Incubating and sandbox build on the stable file; whatever comb cannot
 * run there is listed (and must carry a reason). */
static void test_falco_other_sets(void)
{
    static const char *const all[] = {
        "data/falco-rules/falco_rules.yaml",
        "data/falco-rules/falco-incubating_rules.yaml",
        "data/falco-rules/falco-sandbox_rules.yaml",
    };
    comb_ruleset *rs = load_falco(all, 3);
    size_t unsupported = count_level(rs, COMB_RULES_UNSUPPORTED, 1);
    size_t active = 0;
    for (size_t i = 0; i < comb_ruleset_rule_count(rs); i++) {
        const comb_rule *r = comb_ruleset_rule_at(rs, i);
        active += comb_rule_active(r) != 0;
        if (comb_rule_unsupported_reason(r))
            CHECK(strlen(comb_rule_unsupported_reason(r)) > 0);
    }
    fprintf(stderr, "  stable+incubating+sandbox: %zu rules, %zu active, %zu unsupported\n",
            comb_ruleset_rule_count(rs), active, unsupported);
    CHECK_INT(comb_ruleset_rule_count(rs), 93);
    CHECK_INT(unsupported, 0);
    comb_ruleset_free(rs);
}

int main(void)
{
    RUN(test_lists_macros_append_override);
    RUN(test_exceptions);
    RUN(test_documents_and_files);
    RUN(test_load_errors);
    RUN(test_unsupported_reported);
    RUN(test_blowup_and_depth);
    RUN(test_type_index);
    RUN(test_falco_stable_loads);
    RUN(test_falco_other_sets);
    return test_summary();
}
