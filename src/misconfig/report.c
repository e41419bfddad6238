/* report.c - see report.h. Text taken from the input (names in messages,
 * paths) may be any bytes: JSON gets valid UTF-8 (bad bytes become
 * U+FFFD), the table gets no control characters. */
#include "misconfig/report.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif
#define HOMEPAGE "https://github.com/comb-project/comb"

comb_code comb_mc_format_parse(const char *s, comb_mc_format *out, comb_err *err)
{
    if (!strcmp(s, "table"))
        *out = COMB_MC_FMT_TABLE;
    else if (!strcmp(s, "json"))
        *out = COMB_MC_FMT_JSON;
    else if (!strcmp(s, "sarif"))
        *out = COMB_MC_FMT_SARIF;
    else
        return comb_fail(err, COMB_EINVAL, "unknown format \"%s\" (expected table, json or sarif)", s);
    return COMB_OK;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (n == 0 || c > 0xF4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return n;
}

static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    size_t len = strlen(s);
    char *b = malloc(len * 3 + 1);
    if (!b)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len((const unsigned char *)s + i);
        if (n) {
            memcpy(b + o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(b + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(b, o);
    free(b);
    return j;
}

/* 0 or -1; v is taken (freed on failure, also when o is NULL) */
static int set(json_t *o, const char *k, json_t *v)
{
    if (!v)
        return -1;
    if (!o) {
        json_decref(v);
        return -1;
    }
    return json_object_set_new(o, k, v) ? -1 : 0;
}

static int push(json_t *a, json_t *v)
{
    if (!v)
        return -1;
    if (!a) {
        json_decref(v);
        return -1;
    }
    return json_array_append_new(a, v) ? -1 : 0;
}

/* ---- table ---- */

static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static const char *sev_color(comb_mc_severity s)
{
    switch (s) {
    case COMB_MC_CRITICAL: return "\033[1;31m";
    case COMB_MC_HIGH: return "\033[31m";
    case COMB_MC_MEDIUM: return "\033[33m";
    case COMB_MC_LOW: return "\033[34m";
    default: return "\033[2m";
    }
}

static void write_table(const comb_mc_target *t, size_t n, int color, FILE *out)
{
    size_t counts[COMB_MC_CRITICAL + 1] = { 0 }, total = 0, dropped = 0;
    for (size_t i = 0; i < n; i++) {
        const comb_mc_list *l = t[i].findings;
        fprintf(out, "%s", color ? "\033[1m" : "");
        put_clean(out, t[i].name);
        fprintf(out, "%s (%s): %zu finding%s\n", color ? "\033[0m" : "", t[i].kind, l->n,
                l->n == 1 ? "" : "s");
        for (size_t j = 0; j < l->n; j++) {
            const comb_mc_finding *f = &l->items[j];
            counts[f->check->severity]++;
            total++;
            fprintf(out, "  %s%-8s%s %-12s ", color ? sev_color(f->check->severity) : "",
                    comb_mc_severity_name(f->check->severity), color ? "\033[0m" : "", f->check->id);
            put_clean(out, f->location);
            fputs("\n      ", out);
            put_clean(out, f->check->title);
            fputs(": ", out);
            put_clean(out, f->message);
            fprintf(out, "\n      %sfix: %s%s\n", color ? "\033[2m" : "", f->check->fix,
                    color ? "\033[0m" : "");
        }
        if (l->dropped)
            fprintf(out, "  (%zu more findings over the per-check limit not shown)\n", l->dropped);
        dropped += l->dropped;
        fputc('\n', out);
    }
    fprintf(out, "Total: %zu finding%s", total, total == 1 ? "" : "s");
    const char *sep = " (";
    for (int s = COMB_MC_CRITICAL; s >= COMB_MC_INFO; s--)
        if (counts[s]) {
            fprintf(out, "%s%s %zu", sep, comb_mc_severity_name((comb_mc_severity)s), counts[s]);
            sep = ", ";
        }
    fprintf(out, "%s\n", total ? ")" : "");
    (void)dropped;
}

/* ---- JSON ---- */

static json_t *finding_json(const comb_mc_finding *f)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (set(o, "id", jstr(f->check->id)) || set(o, "title", jstr(f->check->title)) ||
        set(o, "severity", jstr(comb_mc_severity_name(f->check->severity))) ||
        set(o, "message", jstr(f->message)) || set(o, "fix", jstr(f->check->fix)) ||
        set(o, "location", jstr(f->location)) ||
        (f->line && set(o, "line", json_integer(f->line)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *build_json(const comb_mc_target *t, size_t n)
{
    json_t *doc = json_object(), *targets = json_array(), *tool = json_object();
    json_t *summary = json_object();
    int ok = doc && targets && tool && summary && !set(doc, "schema", jstr("comb-config/1")) &&
             !set(tool, "name", jstr("comb")) && !set(tool, "version", jstr(COMB_VERSION));
    if (ok) {
        json_object_set_new(doc, "tool", tool);
        json_object_set_new(doc, "targets", targets);
        json_object_set_new(doc, "summary", summary);
    } else {
        json_decref(tool);
        json_decref(targets);
        json_decref(summary);
        json_decref(doc);
        return NULL;
    }
    size_t counts[COMB_MC_CRITICAL + 1] = { 0 };
    for (size_t i = 0; ok && i < n; i++) {
        json_t *to = json_object();
        int bad = !to;
        bad |= set(to, "target", jstr(t[i].name));
        bad |= set(to, "kind", jstr(t[i].kind));
        bad |= set(to, "dropped", json_integer((json_int_t)t[i].findings->dropped));
        bad |= set(to, "findings", json_array());
        json_t *fa = json_object_get(to, "findings");
        for (size_t j = 0; !bad && j < t[i].findings->n; j++) {
            const comb_mc_finding *f = &t[i].findings->items[j];
            counts[f->check->severity]++;
            bad |= push(fa, finding_json(f));
        }
        bad |= push(targets, to); /* takes `to` even on failure */
        ok = !bad;
    }
    for (int s = COMB_MC_INFO; ok && s <= COMB_MC_CRITICAL; s++)
        ok = !set(summary, comb_mc_severity_name((comb_mc_severity)s), json_integer((json_int_t)counts[s]));
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* ---- SARIF ---- */

static const char *level_of(comb_mc_severity s)
{
    return s >= COMB_MC_HIGH ? "error" : s == COMB_MC_MEDIUM ? "warning" : "note";
}

/* GitHub ranks code-scanning alerts by this score string. */
static const char *score_of(comb_mc_severity s)
{
    switch (s) {
    case COMB_MC_CRITICAL: return "9.5";
    case COMB_MC_HIGH: return "8.0";
    case COMB_MC_MEDIUM: return "5.5";
    case COMB_MC_LOW: return "3.0";
    default: return "0.5";
    }
}

/* A relative URI reference for a file path: RFC 3986 unreserved bytes,
 * sub-delims, '/' and '@' stay, everything else is percent-encoded. */
static char *uri_path(const char *path)
{
    size_t len = strlen(path);
    char *u = malloc(len * 3 + 1), *o = u;
    if (!u)
        return NULL;
    static const char keep[] = "-._~!$&'()*+,;=/@";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(keep, *p))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return u;
}

static json_t *text(const char *s)
{
    json_t *o = json_object();
    if (o && set(o, "text", jstr(s))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* jansson's *_set_new and *_append_new take the value even when they fail
 * (and fail on a NULL parent), so the builders below attach everything and
 * check once, without freeing by hand. */
static json_t *rule_json(const comb_mc_check *c)
{
    json_t *r = json_object();
    char *help = NULL;
    if (asprintf(&help, "%s (%s)\nFix: %s", c->title, comb_mc_severity_name(c->severity), c->fix) < 0)
        help = NULL;
    int bad = !r || !help;
    bad |= set(r, "id", jstr(c->id));
    bad |= set(r, "name", jstr(c->id));
    bad |= set(r, "shortDescription", text(c->title));
    bad |= set(r, "fullDescription", text(c->title));
    bad |= set(r, "help", text(help ? help : c->fix));
    bad |= set(r, "helpUri", jstr(HOMEPAGE "/blob/main/docs/MISCONFIG.md"));
    bad |= set(r, "defaultConfiguration", json_object());
    bad |= set(json_object_get(r, "defaultConfiguration"), "level", jstr(level_of(c->severity)));
    bad |= set(r, "properties", json_object());
    json_t *p = json_object_get(r, "properties");
    bad |= set(p, "security-severity", jstr(score_of(c->severity)));
    bad |= set(p, "precision", jstr("high"));
    bad |= set(p, "tags", json_array());
    json_t *tags = json_object_get(p, "tags");
    bad |= push(tags, jstr("security"));
    bad |= push(tags, jstr("misconfiguration"));
    bad |= push(tags, jstr(comb_mc_severity_name(c->severity)));
    free(help);
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static json_t *result_json(const comb_mc_target *t, const comb_mc_finding *f, size_t rule_index)
{
    json_t *res = json_object();
    char *msg = NULL, *fp = NULL, *fq = NULL, *uri = NULL;
    if (asprintf(&msg, "%s. Fix: %s", f->message, f->check->fix) < 0)
        msg = NULL;
    if (asprintf(&fp, "%s|%s|%s|%s", f->check->id, t->name, f->location, f->message) < 0)
        fp = NULL;
    if (asprintf(&fq, "%s:%s", t->name, f->location) < 0)
        fq = NULL;
    int bad = !res || !msg || !fp || !fq;
    bad |= set(res, "ruleId", jstr(f->check->id));
    bad |= set(res, "ruleIndex", json_integer((json_int_t)rule_index));
    bad |= set(res, "level", jstr(level_of(f->check->severity)));
    bad |= set(res, "message", text(msg ? msg : f->message));
    bad |= set(res, "locations", json_array());
    bad |= push(json_object_get(res, "locations"), json_object());
    json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
    if (t->is_file && f->line) {
        /* a Dockerfile line: a physical location code scanning can show */
        uri = uri_path(t->name);
        bad |= !uri;
        bad |= set(loc, "physicalLocation", json_object());
        json_t *phys = json_object_get(loc, "physicalLocation");
        bad |= set(phys, "artifactLocation", json_object());
        bad |= set(json_object_get(phys, "artifactLocation"), "uri", jstr(uri ? uri : ""));
        bad |= set(phys, "region", json_object());
        bad |= set(json_object_get(phys, "region"), "startLine", json_integer(f->line));
    } else {
        /* a config field or a path inside an image */
        bad |= set(loc, "logicalLocations", json_array());
        json_t *lg = json_object();
        bad |= set(lg, "name", jstr(f->location));
        bad |= set(lg, "fullyQualifiedName", jstr(fq ? fq : f->location));
        bad |= set(lg, "kind", jstr("resource"));
        bad |= push(json_object_get(loc, "logicalLocations"), lg);
    }
    bad |= set(res, "partialFingerprints", json_object());
    bad |= set(json_object_get(res, "partialFingerprints"), "comb/misconfig/v1", jstr(fp ? fp : ""));
    bad |= set(res, "properties", json_object());
    json_t *props = json_object_get(res, "properties");
    bad |= set(props, "target", jstr(t->name));
    bad |= set(props, "targetKind", jstr(t->kind));
    bad |= set(props, "severity", jstr(comb_mc_severity_name(f->check->severity)));
    bad |= set(props, "location", jstr(f->location));
    free(msg);
    free(fp);
    free(fq);
    free(uri);
    if (bad) {
        json_decref(res);
        return NULL;
    }
    return res;
}

static json_t *build_sarif(const comb_mc_target *t, size_t n)
{
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    json_t *runs = json_array(), *run = json_object(), *tool = json_object(), *driver = json_object();
    json_t *rules = json_array(), *results = json_array();
    int ok = runs && run && tool && driver && rules && results;
    if (ok) {
        json_object_set_new(doc, "runs", runs);
        json_array_append_new(runs, run);
        json_object_set_new(run, "tool", tool);
        json_object_set_new(tool, "driver", driver);
        json_object_set_new(driver, "rules", rules);
        json_object_set_new(run, "results", results);
    } else {
        json_decref(runs);
        json_decref(run);
        json_decref(tool);
        json_decref(driver);
        json_decref(rules);
        json_decref(results);
        json_decref(doc);
        return NULL;
    }
    ok = !set(doc, "$schema", jstr("https://json.schemastore.org/sarif-2.1.0.json")) &&
         !set(doc, "version", jstr("2.1.0")) && !set(driver, "name", jstr("comb")) &&
         !set(driver, "version", jstr(COMB_VERSION)) &&
         !set(driver, "semanticVersion", jstr(COMB_VERSION)) &&
         !set(driver, "informationUri", jstr(HOMEPAGE));
    /* every check is a rule, in catalogue order, so rule indexes are stable */
    size_t ncheck;
    const comb_mc_check *all = comb_misconfig_checks(&ncheck);
    for (size_t i = 0; ok && i < ncheck; i++)
        ok = !push(rules, rule_json(&all[i]));
    for (size_t i = 0; ok && i < n; i++)
        for (size_t j = 0; ok && j < t[i].findings->n; j++) {
            const comb_mc_finding *f = &t[i].findings->items[j];
            ok = !push(results, result_json(&t[i], f, (size_t)(f->check - all)));
        }
    if (!ok) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

comb_code comb_mc_report_write(const comb_mc_target *targets, size_t n, comb_mc_format fmt,
                               int color, FILE *out, comb_err *err)
{
    if (!out || (n && !targets))
        return comb_fail(err, COMB_EINVAL, "config report: no output");
    if (fmt == COMB_MC_FMT_TABLE) {
        write_table(targets, n, color, out);
    } else {
        json_t *doc = fmt == COMB_MC_FMT_JSON ? build_json(targets, n) : build_sarif(targets, n);
        if (!doc)
            return comb_fail(err, COMB_ENOMEM, "config report: out of memory");
        int rc = json_dumpf(doc, out, JSON_INDENT(2));
        json_decref(doc);
        if (rc != 0 || fputc('\n', out) == EOF)
            return comb_fail(err, COMB_EIO, "config report: write failed");
    }
    if (fflush(out) != 0 || ferror(out))
        return comb_fail(err, COMB_EIO, "config report: write failed");
    return COMB_OK;
}
