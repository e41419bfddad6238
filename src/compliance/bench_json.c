/* bench_json.c - the JSON report (schema:
 * tests/data/compliance/bench-report.schema.json) and SARIF 2.1.0, in
 * which every result keeps its status as SARIF's "kind" (pass, fail,
 * review for manual checks, notApplicable, open for errors). */
#include <string.h>

#include <jansson.h>

#include "compliance/bench_report.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif
#define COMB_URI "https://github.com/comb-security/comb"

int comb_bench_format_parse(const char *s, comb_bench_format *out)
{
    static const char *const names[] = { "table", "json", "junit", "sarif", "html" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i])) {
            *out = (comb_bench_format)i;
            return 0;
        }
    return -1;
}

static json_t *counts_obj(comb_bench_counts c)
{
    json_t *o = json_object();
    for (int s = 0; s < COMB_BENCH_NSTATUS; s++)
        json_object_set_new(o, comb_bench_status_name((comb_bench_status)s),
                            json_integer((json_int_t)c.n[s]));
    return o;
}

static json_t *score_val(double s)
{
    return s < 0 ? json_null() : json_real((double)(long)(s * 10 + 0.5) / 10);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static comb_code dump(json_t *doc, FILE *out, const char *what, comb_err *err)
{
    if (!doc)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", what);
    int rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (rc != 0 || fputc('\n', out) == EOF || ferror(out))
        return comb_fail(err, COMB_EIO, "%s: write failed", what);
    return COMB_OK;
}

comb_code comb_bench_write_json(const comb_bench_report *r, FILE *out, comb_err *err)
{
    json_t *doc = json_object();
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("comb"));
    json_object_set_new(tool, "version", json_string(COMB_VERSION));
    json_object_set_new(doc, "schemaVersion", json_string("1"));
    json_object_set_new(doc, "tool", tool);
    json_t *host = json_object();
    json_object_set_new(host, "hostname", json_string(r->hostname));
    json_object_set_new(host, "root", json_string(r->root ? r->root : "/"));
    json_object_set_new(host, "live", json_boolean(r->live));
    json_object_set_new(host, "containers", json_integer((json_int_t)r->ncontainers));
    json_object_set_new(host, "images", json_integer((json_int_t)r->nimages));
    json_object_set_new(doc, "host", host);
    json_object_set_new(doc, "started", json_string(r->started));
    json_t *sum = json_object();
    json_object_set_new(sum, "score", score_val(comb_bench_score(r, NULL, NULL)));
    json_object_set_new(sum, "counts", counts_obj(comb_bench_count(r, NULL, NULL)));
    json_object_set_new(doc, "summary", sum);
    json_t *benches = json_array();
    for (size_t s = 0; s < r->nsets; s++) {
        const comb_bench_set *set = r->sets[s];
        json_t *b = json_object();
        json_object_set_new(b, "name", json_string(set->name));
        json_object_set_new(b, "title", json_string(set->title));
        json_object_set_new(b, "score", score_val(comb_bench_score(r, set, NULL)));
        json_object_set_new(b, "counts", counts_obj(comb_bench_count(r, set, NULL)));
        json_t *secs = json_array();
        for (size_t k = 0; k < set->nsections; k++) {
            json_t *so = json_object();
            json_object_set_new(so, "id", json_string(set->sections[k].id));
            json_object_set_new(so, "title", json_string(set->sections[k].title));
            json_object_set_new(so, "score", score_val(comb_bench_score(r, set, set->sections[k].id)));
            json_object_set_new(so, "counts", counts_obj(comb_bench_count(r, set, set->sections[k].id)));
            json_array_append_new(secs, so);
        }
        json_object_set_new(b, "sections", secs);
        json_array_append_new(benches, b);
    }
    json_object_set_new(doc, "benchmarks", benches);
    json_t *results = json_array();
    for (size_t i = 0; i < r->nresults; i++) {
        const comb_bench_result *res = &r->results[i];
        const comb_bench_check *c = res->check;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(c->id));
        json_object_set_new(o, "benchmark", json_string(c->set->name));
        json_object_set_new(o, "section", json_string(c->section));
        json_object_set_new(o, "ref", json_string(c->ref));
        json_object_set_new(o, "title", json_string(c->title));
        json_object_set_new(o, "level", json_integer(c->level));
        json_object_set_new(o, "scored", json_boolean(c->scored));
        json_object_set_new(o, "manual", json_boolean(c->manual));
        json_object_set_new(o, "target", str_or_null(res->target));
        json_object_set_new(o, "status", json_string(comb_bench_status_name(res->status)));
        json_object_set_new(o, "reason", json_string(res->reason));
        json_object_set_new(o, "file", str_or_null(res->file));
        json_object_set_new(o, "remediation", json_string(res->remediation));
        json_array_append_new(results, o);
    }
    json_object_set_new(doc, "results", results);
    json_t *cts = json_array();
    for (size_t i = 0; i < r->ncontainers; i++) {
        const comb_bench_container *c = &r->containers[i];
        json_t *o = json_object();
        json_object_set_new(o, "engine", json_string(c->engine));
        json_object_set_new(o, "id", json_string(c->id));
        json_object_set_new(o, "name", json_string(c->name));
        json_object_set_new(o, "target", json_pack("s++", c->engine, "/", c->name));
        json_object_set_new(o, "image", json_string(c->image));
        json_object_set_new(o, "state", json_string(c->state));
        json_object_set_new(o, "config", json_string(c->config));
        json_array_append_new(cts, o);
    }
    json_object_set_new(doc, "containers", cts);
    json_t *warns = json_array();
    for (size_t i = 0; i < r->nwarnings; i++)
        json_array_append_new(warns, json_string(r->warnings[i]));
    json_object_set_new(doc, "warnings", warns);
    return dump(doc, out, "json", err);
}

static const char *sarif_kind(comb_bench_status s)
{
    switch (s) {
    case COMB_BENCH_PASS: return "pass";
    case COMB_BENCH_FAIL: return "fail";
    case COMB_BENCH_WARN: return "review";
    case COMB_BENCH_NA: return "notApplicable";
    default: return "open";
    }
}

static json_t *text(const char *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "text", json_string(s && *s ? s : "-"));
    return o;
}

comb_code comb_bench_write_sarif(const comb_bench_report *r, FILE *out, comb_err *err)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_set_new(doc, "version", json_string("2.1.0"));
    json_t *runs = json_array(), *run = json_object(), *tool = json_object(), *driver = json_object();
    json_object_set_new(driver, "name", json_string("comb"));
    json_object_set_new(driver, "version", json_string(COMB_VERSION));
    json_object_set_new(driver, "informationUri", json_string(COMB_URI));
    json_t *rules = json_array(), *index = json_object();
    json_t *results = json_array();
    for (size_t i = 0; i < r->nresults; i++) {
        const comb_bench_result *res = &r->results[i];
        const comb_bench_check *c = res->check;
        json_t *idx = json_object_get(index, c->id);
        if (!idx) {
            json_t *rule = json_object();
            json_object_set_new(rule, "id", json_string(c->id));
            json_object_set_new(rule, "name", json_string(c->ref));
            json_object_set_new(rule, "shortDescription", text(c->title));
            json_object_set_new(rule, "fullDescription", text(c->description ? c->description : c->title));
            json_object_set_new(rule, "help", text(c->remediation));
            json_t *dc = json_object();
            json_object_set_new(dc, "level", json_string(c->level == 1 ? "error" : "warning"));
            json_object_set_new(rule, "defaultConfiguration", dc);
            json_t *props = json_object(), *tags = json_array();
            json_array_append_new(tags, json_string("compliance"));
            json_array_append_new(tags, json_string(c->set->name));
            json_object_set_new(props, "tags", tags);
            json_object_set_new(props, "benchmarkRef", json_string(c->ref));
            json_object_set_new(props, "section", json_string(c->section));
            json_object_set_new(props, "level", json_integer(c->level));
            json_object_set_new(props, "scored", json_boolean(c->scored));
            json_object_set_new(rule, "properties", props);
            idx = json_integer((json_int_t)json_array_size(rules));
            json_object_set_new(index, c->id, idx);
            json_array_append_new(rules, rule);
        }
        json_t *o = json_object();
        json_object_set_new(o, "ruleId", json_string(c->id));
        json_object_set_new(o, "ruleIndex", json_integer(json_integer_value(idx)));
        json_object_set_new(o, "kind", json_string(sarif_kind(res->status)));
        json_object_set_new(o, "level", json_string(res->status != COMB_BENCH_FAIL ? "none"
                                                    : c->level == 1 ? "error" : "warning"));
        char msg[4096];
        snprintf(msg, sizeof msg, "%s: %s%s%s%s: %s", comb_bench_status_name(res->status), c->title,
                 res->target ? " (" : "", res->target ? res->target : "", res->target ? ")" : "",
                 res->reason);
        json_object_set_new(o, "message", text(msg));
        json_t *locs = json_array(), *loc = json_object(), *lls = json_array(), *ll = json_object();
        if (res->file) {
            /* the file the result is about, as a path on the checked host */
            json_t *phys = json_object(), *art = json_object();
            json_object_set_new(art, "uri", json_string(res->file));
            json_object_set_new(phys, "artifactLocation", art);
            json_object_set_new(loc, "physicalLocation", phys);
        }
        json_object_set_new(ll, "name", json_string(res->target ? res->target : r->hostname));
        json_object_set_new(ll, "kind", json_string(res->target ? "container" : "host"));
        json_array_append_new(lls, ll);
        json_object_set_new(loc, "logicalLocations", lls);
        json_array_append_new(locs, loc);
        json_object_set_new(o, "locations", locs);
        json_t *fp = json_object();
        char fpv[1024];
        snprintf(fpv, sizeof fpv, "%s|%s|%s", c->id, res->target ? res->target : "",
                 r->hostname);
        json_object_set_new(fp, "comb/compliance/v1", json_string(fpv));
        json_object_set_new(o, "partialFingerprints", fp);
        json_t *props = json_object();
        json_object_set_new(props, "status", json_string(comb_bench_status_name(res->status)));
        json_object_set_new(props, "remediation", json_string(res->remediation));
        json_object_set_new(o, "properties", props);
        json_array_append_new(results, o);
    }
    json_decref(index);
    json_object_set_new(driver, "rules", rules);
    json_object_set_new(tool, "driver", driver);
    json_object_set_new(run, "tool", tool);
    json_object_set_new(run, "results", results);
    json_t *props = json_object();
    json_object_set_new(props, "hostname", json_string(r->hostname));
    json_object_set_new(props, "root", json_string(r->root ? r->root : "/"));
    json_t *score = score_val(comb_bench_score(r, NULL, NULL));
    json_object_set_new(props, "score", score);
    json_object_set_new(run, "properties", props);
    json_array_append_new(runs, run);
    json_object_set_new(doc, "runs", runs);
    return dump(doc, out, "sarif", err);
}
