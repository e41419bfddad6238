/* output.c - output templates (%field substitution) and Falco's alert
 * formats: the text line and the JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/rules/ruleset_internal.h"

static int field_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.';
}

static int push_seg(comb_arena *a, tmpl *t, size_t *cap, const tseg *s)
{
    if (comb_vec_reserve(a, (void **)&t->segs, cap, t->n, sizeof *t->segs))
        return -1;
    t->segs[t->n++] = *s;
    return 0;
}

/* NULL only when out of memory; an unknown field stays literal text and its
 * reason goes to why (empty when every field is known). */
tmpl *tmpl_compile(comb_arena *a, const char *text, char *why, size_t whysize)
{
    why[0] = '\0';
    tmpl *t = comb_arena_alloc(a, sizeof *t);
    if (!t)
        return NULL;
    size_t cap = 0, lit = 0, i = 0, n = strlen(text);
    while (i < n) {
        if (text[i] != '%' || i + 1 >= n || !field_char(text[i + 1])) {
            i++;
            continue;
        }
        size_t start = i + 1, end = start;
        while (end < n && field_char(text[end]))
            end++;
        if (end < n && text[end] == '[') {
            const char *close = memchr(text + end, ']', n - end);
            if (close)
                end = (size_t)(close - text) + 1;
        }
        /* A trailing dot ends a sentence, not a field name. */
        while (end > start && text[end - 1] == '.')
            end--;
        operand *o = comb_arena_alloc(a, sizeof *o);
        if (!o || !(o->text = comb_arena_strndup(a, text + start, end - start)))
            return NULL;
        char reason[256];
        if (operand_bind(o, a, reason, sizeof reason)) {
            if (!why[0])
                snprintf(why, whysize, "%s", reason);
            i = end;
            continue;
        }
        tseg lit_seg = { text + lit, i - lit, NULL };
        tseg field_seg = { NULL, 0, o };
        if ((i > lit && push_seg(a, t, &cap, &lit_seg)) || push_seg(a, t, &cap, &field_seg))
            return NULL;
        i = lit = end;
    }
    tseg tail = { text + lit, n - lit, NULL };
    if (n > lit && push_seg(a, t, &cap, &tail))
        return NULL;
    return t;
}

/* ---- rendering ------------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static char *sb_finish(sbuf *b)
{
    if (b->oom || !b->p) {
        free(b->p);
        return b->oom ? NULL : strdup("");
    }
    return b->p;
}

static void render_value(sbuf *b, comb_ftype t, const comb_fvalue *v)
{
    char num[32];
    if (t == COMB_FT_INT) {
        snprintf(num, sizeof num, "%lld", (long long)v->i);
        sb_str(b, num);
    } else if (t == COMB_FT_BOOL) {
        sb_str(b, v->i ? "true" : "false");
    } else {
        sb_add(b, v->s, v->len);
    }
}

static void render_field(comb_ruleset *rs, sbuf *b, const operand *o, const comb_event *ev)
{
    comb_fvalues vals;
    size_t mark = rs->scratch.used;
    if (!operand_extract(rs, o, ev, &vals))
        sb_str(b, "<NA>");
    for (size_t i = 0; i < vals.n; i++) {
        if (i)
            sb_str(b, ",");
        render_value(b, o->type, &vals.v[i]);
    }
    rs->scratch.used = mark;
}

static const tmpl *rule_tmpl(const comb_rule *rule)
{
    return rule->active ? rule->tmpl : NULL;
}

static void render_output(comb_ruleset *rs, sbuf *b, const comb_rule *rule, const comb_event *ev)
{
    const tmpl *t = rule_tmpl(rule);
    if (!t) {
        sb_str(b, rule->output ? rule->output : "");
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->segs[i].field)
            render_field(rs, b, t->segs[i].field, ev);
        else
            sb_add(b, t->segs[i].lit, t->segs[i].litlen);
    }
}

char *comb_alert_format_output(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev)
{
    sbuf b = { 0 };
    render_output(rs, &b, rule, ev);
    return sb_finish(&b);
}

static int64_t event_time(const comb_event *ev)
{
    if (ev->ts != COMB_NA)
        return ev->ts;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* "HH:MM:SS.nnnnnnnnn" or RFC 3339 "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", UTC. */
static void format_time(int64_t ts, int rfc3339, char *out, size_t size)
{
    time_t secs = (time_t)(ts / 1000000000);
    long ns = (long)(ts % 1000000000);
    if (ns < 0) {
        ns += 1000000000;
        secs--;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    gmtime_r(&secs, &tm);
    if (rfc3339)
        snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
    else
        snprintf(out, size, "%02d:%02d:%02d.%09ld", tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
}

char *comb_alert_format_text(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev)
{
    sbuf b = { 0 };
    char ts[64];
    format_time(event_time(ev), 0, ts, sizeof ts);
    sb_str(&b, ts);
    sb_str(&b, ": ");
    sb_str(&b, comb_priority_name(rule->priority));
    sb_str(&b, " ");
    render_output(rs, &b, rule, ev);
    return sb_finish(&b);
}

/* JSON strings must be UTF-8: invalid bytes become '?'. */
static json_t *json_text(const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = len > 0 && i + len <= n && c != 0;
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] >> 6) == 2;
        if (!ok) {
            copy[i++] = '?';
            continue;
        }
        memcpy(copy + i, s + i, len);
        i += len;
    }
    json_t *j = json_stringn(copy, n);
    if (!j) /* overlong forms and surrogates: give up on the value, keep the alert */
        j = json_string("?");
    free(copy);
    return j;
}

static json_t *field_json(comb_ruleset *rs, const operand *o, const comb_event *ev)
{
    comb_fvalues vals;
    size_t mark = rs->scratch.used;
    json_t *j;
    if (!operand_extract(rs, o, ev, &vals)) {
        j = json_null();
    } else if (vals.n == 1 && o->type == COMB_FT_INT) {
        j = json_integer(vals.v[0].i);
    } else if (vals.n == 1 && o->type == COMB_FT_BOOL) {
        j = json_boolean(vals.v[0].i);
    } else {
        sbuf b = { 0 };
        for (size_t i = 0; i < vals.n; i++) {
            if (i)
                sb_str(&b, ",");
            render_value(&b, o->type, &vals.v[i]);
        }
        j = b.oom ? NULL : json_text(b.p ? b.p : "", b.n);
        free(b.p);
    }
    rs->scratch.used = mark;
    return j;
}

char *comb_alert_format_json(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev,
                             const char *hostname)
{
    char *text = comb_alert_format_text(rs, rule, ev);
    if (!text)
        return NULL;
    char ts[64];
    format_time(event_time(ev), 1, ts, sizeof ts);
    if (!hostname)
        hostname = ev->hostname ? ev->hostname : "";
    json_t *o = json_object();
    json_t *fields = json_object();
    json_t *tags = json_array();
    int bad = !o || !fields || !tags;
    const tmpl *t = rule_tmpl(rule);
    for (size_t i = 0; !bad && t && i < t->n; i++) {
        const operand *f = t->segs[i].field;
        if (!f || json_object_get(fields, f->text))
            continue;
        bad |= json_object_set_new(fields, f->text, field_json(rs, f, ev)) != 0;
    }
    for (size_t i = 0; !bad && i < rule->ntags; i++)
        bad |= json_array_append_new(tags, json_text(rule->tags[i], strlen(rule->tags[i]))) != 0;
    if (!bad) {
        bad |= json_object_set_new(o, "hostname", json_text(hostname, strlen(hostname)));
        bad |= json_object_set_new(o, "output", json_text(text, strlen(text)));
        bad |= json_object_set(o, "output_fields", fields);
        bad |= json_object_set_new(o, "priority", json_string(comb_priority_name(rule->priority)));
        bad |= json_object_set_new(o, "rule", json_text(rule->name, strlen(rule->name)));
        bad |= json_object_set_new(o, "source", json_string("syscall"));
        bad |= json_object_set(o, "tags", tags);
        bad |= json_object_set_new(o, "time", json_string(ts));
    }
    char *out = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(fields);
    json_decref(tags);
    json_decref(o);
    free(text);
    return out;
}
