/* report.c - `comb policy check` output: a table, JSON, SARIF 2.1.0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission/admission.h"
#include "report/sbom_util.h"

int comb_adm_format_parse(const char *s, comb_adm_format *out)
{
    if (!strcmp(s, "table"))
        *out = COMB_ADM_TABLE;
    else if (!strcmp(s, "json"))
        *out = COMB_ADM_JSON;
    else if (!strcmp(s, "sarif"))
        *out = COMB_ADM_SARIF;
    else
        return -1;
    return 0;
}

int comb_adm_denied(const comb_violations *v)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->v[i].mode == COMB_ADM_ENFORCE)
            return 1;
    }
    return 0;
}

static comb_code table(const comb_adm_result *r, size_t n, FILE *out)
{
    size_t total = 0, denied = 0, objects = 0;
    for (size_t i = 0; i < n; i++) {
        const comb_adm_result *x = &r[i];
        objects++;
        int d = comb_adm_denied(&x->v);
        denied += d;
        fprintf(out, "%s: document %zu: %s %s%s%s: %s\n", x->file, x->doc, x->kind,
                x->ns[0] ? x->ns : "", x->ns[0] ? "/" : "", x->name,
                x->exempt ? "exempt" : d ? "DENIED" : x->v.n ? "allowed with warnings" : "allowed");
        for (size_t j = 0; j < x->v.n; j++) {
            const comb_violation *v = &x->v.v[j];
            fprintf(out, "  %-8s %-10s %-26s %s\n           %s\n           fix: %s\n",
                    comb_adm_mode_name(v->mode), v->level, v->rule, v->path, v->message, v->fix);
            total++;
        }
    }
    fprintf(out, "%zu object(s), %zu denied, %zu violation(s)\n", objects, denied, total);
    return ferror(out) ? COMB_EIO : COMB_OK;
}

static json_t *violation_json(const comb_violation *v)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "rule", v->rule, "title", v->title,
                     "level", v->level, "mode", comb_adm_mode_name(v->mode), "path", v->path,
                     "message", v->message, "fix", v->fix);
}

static json_t *json_doc(const comb_adm_result *r, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        const comb_adm_result *x = &r[i];
        json_t *vs = json_array();
        for (size_t j = 0; vs && j < x->v.n; j++)
            json_array_append_new(vs, violation_json(&x->v.v[j]));
        json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:b, s:b, s:o*}", "file", x->file,
                              "document", (json_int_t)x->doc, "kind", x->kind, "name", x->name,
                              "namespace", x->ns, "exempt", x->exempt, "allowed",
                              !comb_adm_denied(&x->v), "violations", vs);
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr ? json_pack("{s:s, s:o}", "schema", "comb-policy-check/1", "results", arr) : NULL;
}

static json_t *sarif_doc(const comb_adm_result *r, size_t n)
{
    json_t *rules = json_array(), *results = json_array(), *seen = json_object();
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r[i].v.n; j++) {
            const comb_violation *v = &r[i].v.v[j];
            if (!json_object_get(seen, v->rule)) {
                json_object_set_new(seen, v->rule, json_true());
                json_array_append_new(
                    rules, json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}}", "id", v->rule, "name",
                                     v->title, "shortDescription", "text", v->title, "help",
                                     "text", v->fix, "properties", "level", v->level));
            }
            char logical[1400];
            snprintf(logical, sizeof logical, "document %zu: %s", r[i].doc, v->path);
            char text[1400];
            snprintf(text, sizeof text, "%s (%s %s); fix: %s", v->message, r[i].kind, r[i].name,
                     v->fix);
            json_array_append_new(
                results,
                json_pack("{s:s, s:s, s:{s:s}, s:[{s:{s:{s:s}}, s:[{s:s}]}]}", "ruleId", v->rule,
                          "level", v->mode == COMB_ADM_ENFORCE ? "error" : "warning", "message",
                          "text", text, "locations", "physicalLocation", "artifactLocation",
                          "uri", r[i].file, "logicalLocations", "fullyQualifiedName", logical));
        }
    }
    json_decref(seen);
    return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
                     "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                     "tool", "driver", "name", "comb", "version", COMB_VERSION, "informationUri",
                     COMB_HOMEPAGE, "rules", rules, "results", results);
}

comb_code comb_adm_report(const comb_adm_result *r, size_t n, comb_adm_format f, FILE *out,
                          comb_err *err)
{
    if (f == COMB_ADM_TABLE) {
        if (table(r, n, out))
            return comb_fail(err, COMB_EIO, "writing the report failed");
        return COMB_OK;
    }
    json_t *doc = f == COMB_ADM_JSON ? json_doc(r, n) : sarif_doc(r, n);
    if (!doc)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int bad = json_dumpf(doc, out, JSON_INDENT(2)) || fputc('\n', out) == EOF;
    json_decref(doc);
    if (bad)
        return comb_fail(err, COMB_EIO, "writing the report failed");
    return COMB_OK;
}
