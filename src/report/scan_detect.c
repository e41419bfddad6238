/* scan_detect.c - detections (secrets, malware, configuration) in the
 * scan formats. */
#include "report/scan_detect.h"

#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "report/sbom_util.h"
#include "report/scan_report.h"

static const char *const kind_key[] = { "secrets", "malware", "misconfigurations" };
static const char *const kind_title[] = { "Secrets", "Malware", "Configuration" };

/* --- JSON ---------------------------------------------------------------- */

static int json_one(json_t *arr, const comb_detection *d)
{
    json_t *o = sbom_push_obj(arr);
    int ok = o && sbom_set_str(o, "rule_id", d->rule_id) == 0 &&
             sbom_set_str(o, "title", d->title) == 0 &&
             sbom_set_str(o, "category", d->category) == 0 &&
             sbom_set_str(o, "severity", comb_severity_name(d->severity)) == 0 &&
             sbom_set_str(o, "engine", d->engine) == 0 && sbom_set_str(o, "path", d->path) == 0 &&
             sbom_set_str(o, "location", d->location) == 0;
    if (ok && d->line)
        ok = sbom_set_new(o, "line", json_integer(d->line)) == 0 &&
             sbom_set_new(o, "column", json_integer(d->col)) == 0;
    ok = ok && sbom_set_str(o, "match", d->match) == 0 &&
         sbom_set_str(o, "snippet", d->snippet) == 0 &&
         sbom_set_str(o, "message", d->message) == 0 && sbom_set_str(o, "fix", d->fix) == 0;
    if (ok && d->path)
        ok = sbom_set_new(o, "removed_in_later_layer", json_boolean(d->removed)) == 0;
    if (ok && d->layer_index >= 0) {
        json_t *l = sbom_add_obj(o, "layer");
        ok = l && sbom_set_new(l, "index", json_integer(d->layer_index)) == 0 &&
             sbom_set_str(l, "digest", d->layer_digest) == 0 &&
             sbom_set_str(l, "diff_id", d->layer_diff_id) == 0 &&
             sbom_set_str(l, "created_by", d->created_by) == 0;
    }
    return ok ? 0 : -1;
}

int scan_json_detections(json_t *doc, const comb_scan_result *r)
{
    static const struct { unsigned bit; const char *name; } sc[] = {
        { COMB_SCANNER_VULN, "vuln" },       { COMB_SCANNER_SECRET, "secret" },
        { COMB_SCANNER_MALWARE, "malware" }, { COMB_SCANNER_CONFIG, "config" },
    };
    json_t *names = sbom_add_arr(doc, "scanners");
    if (!names)
        return -1;
    for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
        if ((r->scanners & sc[i].bit) && sbom_append_new(names, json_string(sc[i].name)) != 0)
            return -1;
    static const unsigned bit[] = { COMB_SCANNER_SECRET, COMB_SCANNER_MALWARE, COMB_SCANNER_CONFIG };
    json_t *sum = sbom_add_obj(doc, "detection_summary");
    if (!sum || sbom_set_new(sum, "files_scanned", json_integer((json_int_t)r->files_scanned)))
        return -1;
    for (int k = 0; k < 3; k++) {
        if (!(r->scanners & bit[k]))
            continue;
        json_t *arr = sbom_add_arr(doc, kind_key[k]);
        if (!arr)
            return -1;
        size_t n = 0;
        for (size_t i = 0; i < r->ndetections; i++)
            if ((int)r->detections[i]->kind == k) {
                if (json_one(arr, r->detections[i]) != 0)
                    return -1;
                n++;
            }
        if (sbom_set_new(sum, kind_key[k], json_integer((json_int_t)n)) != 0)
            return -1;
    }
    return 0;
}

/* --- table --------------------------------------------------------------- */

size_t scan_table_detections(const comb_scan_result *r, const comb_report_opts *o, FILE *out)
{
    const char *bold = o->color ? "\033[1m" : "", *dim = o->color ? "\033[2m" : "",
               *reset = o->color ? "\033[0m" : "";
    static const unsigned bit[] = { COMB_SCANNER_SECRET, COMB_SCANNER_MALWARE, COMB_SCANNER_CONFIG };
    size_t shown = 0;
    for (int k = 0; k < 3; k++) {
        if (!(r->scanners & bit[k]))
            continue;
        size_t n = 0;
        for (size_t i = 0; i < r->ndetections; i++)
            n += (int)r->detections[i]->kind == k;
        fprintf(out, "\n%s%s (%zu)%s\n", bold, kind_title[k], n, reset);
        if (!n) {
            fprintf(out, "None found.\n");
            continue;
        }
        shown += n;
        for (size_t i = 0; i < r->ndetections; i++) {
            const comb_detection *d = r->detections[i];
            if ((int)d->kind != k)
                continue;
            fprintf(out, "%s%-8s%s  %s%s%s  %.100s\n", comb_report_severity_color(o, d->severity),
                    comb_severity_name(d->severity), reset, bold, d->rule_id ? d->rule_id : "?",
                    reset, d->title ? d->title : "");
            if (d->path) {
                fprintf(out, "          /%.300s", d->path);
                if (d->line)
                    fprintf(out, ":%u", d->line);
                if (d->layer_index >= 0)
                    fprintf(out, "  %s(layer %d%s%.60s)%s", dim, d->layer_index + 1,
                            d->created_by ? ": " : "", d->created_by ? d->created_by : "", reset);
                if (d->removed)
                    fprintf(out, "  %sremoved by a later layer, still in the image%s", bold, reset);
                fputc('\n', out);
            } else if (d->location) {
                fprintf(out, "          %.300s\n", d->location);
            }
            if (d->kind == COMB_DETECT_SECRET && (d->snippet || d->match))
                fprintf(out, "          %s%.160s%s\n", dim, d->snippet ? d->snippet : d->match, reset);
            else if (d->kind == COMB_DETECT_MALWARE && d->match)
                fprintf(out, "          %s%.160s%s\n", dim, d->match, reset);
            if (d->message && d->kind == COMB_DETECT_CONFIG)
                fprintf(out, "          %.300s\n", d->message);
            if (d->fix && d->kind == COMB_DETECT_CONFIG)
                fprintf(out, "          %sfix:%s %.300s\n", dim, reset, d->fix);
        }
    }
    return shown;
}

/* --- SARIF --------------------------------------------------------------- */

static const char *level_of(comb_severity s)
{
    return s >= COMB_SEV_HIGH ? "error" : s == COMB_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub reads properties.security-severity as a number in a string. */
static const char *sev_score(comb_severity s)
{
    switch (s) {
    case COMB_SEV_CRITICAL: return "9.5";
    case COMB_SEV_HIGH: return "8.0";
    case COMB_SEV_MEDIUM: return "5.5";
    case COMB_SEV_LOW: return "2.0";
    default: return "0.0";
    }
}

static int sarif_rule(json_t *rules, const char *id, const comb_detection *d)
{
    json_t *r = sbom_push_obj(rules);
    char *help = NULL;
    if (asprintf(&help, "%s%s%s", d->title ? d->title : id, d->fix ? "\nFix: " : "",
                 d->fix ? d->fix : "") < 0)
        return -1;
    int ok = r && sbom_set_str(r, "id", id) == 0 &&
             sbom_set_str(r, "name", d->rule_id ? d->rule_id : id) == 0 &&
             sbom_set_new(r, "shortDescription", sbom_text_obj(d->title ? d->title : id)) == 0 &&
             sbom_set_new(r, "help", sbom_text_obj(help)) == 0;
    free(help);
    json_t *dc = ok ? sbom_add_obj(r, "defaultConfiguration") : NULL;
    ok = dc && sbom_set_str(dc, "level", level_of(d->severity)) == 0;
    json_t *props = ok ? sbom_add_obj(r, "properties") : NULL;
    json_t *tags = props ? sbom_add_arr(props, "tags") : NULL;
    ok = tags && sbom_set_str(props, "security-severity", sev_score(d->severity)) == 0 &&
         sbom_append_new(tags, json_string("security")) == 0 &&
         sbom_append_new(tags, json_string(comb_detect_kind_name(d->kind))) == 0 &&
         (!d->category || sbom_append_new(tags, sbom_str(d->category)) == 0);
    return ok ? 0 : -1;
}

static int sarif_result(json_t *results, const char *id, size_t index, const comb_detection *d)
{
    json_t *res = sbom_push_obj(results);
    char *msg = NULL;
    const char *what = d->message ? d->message : d->title ? d->title : id;
    int n = d->kind == COMB_DETECT_SECRET
                ? asprintf(&msg, "%s: %s", what, d->match ? d->match : "(redacted)")
                : asprintf(&msg, "%s", what);
    if (n < 0)
        return -1;
    int ok = res && sbom_set_str(res, "ruleId", id) == 0 &&
             sbom_set_new(res, "ruleIndex", json_integer((json_int_t)index)) == 0 &&
             sbom_set_str(res, "level", level_of(d->severity)) == 0 &&
             sbom_set_new(res, "message", sbom_text_obj(msg)) == 0;
    free(msg);
    json_t *locs = ok ? sbom_add_arr(res, "locations") : NULL;
    json_t *loc = locs ? sbom_push_obj(locs) : NULL;
    ok = loc != NULL;
    if (ok && d->path) {
        char *uri = sbom_uri_path(d->path);
        json_t *phys = sbom_add_obj(loc, "physicalLocation");
        json_t *art = phys ? sbom_add_obj(phys, "artifactLocation") : NULL;
        ok = uri && art && sbom_set_str(art, "uri", uri) == 0;
        free(uri);
        if (ok && d->line) {
            json_t *reg = sbom_add_obj(phys, "region");
            ok = reg && sbom_set_new(reg, "startLine", json_integer(d->line)) == 0 &&
                 (!d->col || sbom_set_new(reg, "startColumn", json_integer(d->col)) == 0) &&
                 (!d->snippet || sbom_set_new(reg, "snippet", sbom_text_obj(d->snippet)) == 0);
        }
    } else if (ok) {
        json_t *logs = sbom_add_arr(loc, "logicalLocations");
        json_t *lg = logs ? sbom_push_obj(logs) : NULL;
        ok = lg && sbom_set_str(lg, "name", d->location ? d->location : "image") == 0 &&
             sbom_set_str(lg, "kind", "object") == 0;
    }
    json_t *fp = ok ? sbom_add_obj(res, "partialFingerprints") : NULL;
    char *fpv = NULL;
    ok = fp && asprintf(&fpv, "%s|%s|%s|%u|%s", id, d->path ? d->path : "",
                        d->location ? d->location : "", d->line,
                        d->layer_diff_id ? d->layer_diff_id : "") >= 0;
    if (!ok)
        fpv = NULL;
    ok = ok && sbom_set_str(fp, "comb/detection/v1", fpv) == 0;
    free(fpv);
    json_t *props = ok ? sbom_add_obj(res, "properties") : NULL;
    ok = props && sbom_set_str(props, "severity", comb_severity_name(d->severity)) == 0 &&
         sbom_set_str(props, "category", d->category) == 0 &&
         sbom_set_str(props, "engine", d->engine) == 0 &&
         sbom_set_str(props, "layerDigest", d->layer_digest) == 0 &&
         sbom_set_str(props, "layerCreatedBy", d->created_by) == 0 &&
         (d->kind == COMB_DETECT_SECRET || sbom_set_str(props, "match", d->match) == 0) &&
         sbom_set_str(props, "fix", d->fix) == 0 &&
         (!d->path || sbom_set_new(props, "removedInLaterLayer", json_boolean(d->removed)) == 0);
    return ok ? 0 : -1;
}

int scan_sarif_detections(json_t *rules, json_t *results, const comb_scan_result *r)
{
    json_t *index = json_object();
    int ok = index != NULL;
    for (size_t i = 0; ok && i < r->ndetections; i++) {
        const comb_detection *d = r->detections[i];
        char *id = NULL;
        if (asprintf(&id, "%s/%s", comb_detect_kind_name(d->kind), d->rule_id ? d->rule_id : "?") < 0)
            break;
        json_t *ix = json_object_get(index, id);
        size_t at = ix ? (size_t)json_integer_value(ix) : json_array_size(rules);
        if (!ix)
            ok = json_object_set_new(index, id, json_integer((json_int_t)at)) == 0 &&
                 sarif_rule(rules, id, d) == 0;
        ok = ok && sarif_result(results, id, at, d) == 0;
        free(id);
    }
    json_decref(index);
    return ok ? 0 : -1;
}
