/* scan_json.c - the scan result as JSON, schema "comb-scan/1":
 * { "schema", "target": {...}, "os": {...}, "database": {path, built,
 *   stale}, "findings": [ {id, aliases, package: {type, name, version,
 *   purl, source_name, source_version, found_in, layer_digest,
 *   layer_diff_id}, matched: {ecosystem, name}, fixed_versions, status,
 *   severity, severity_source, cvss: {v3: {vector, score}, v4: ...},
 *   title, description, url, data_source, suppressed, suppressed_by} ],
 *   "summary": {total, suppressed, by_severity}, "scanners": [...],
 *   "secrets" / "malware" / "misconfigurations": [ {rule_id, title, category,
 *   severity, engine, path, location, line, column, match (redacted),
 *   snippet (redacted), message, fix, removed_in_later_layer, layer: {index,
 *   digest, diff_id, created_by}} ] (present when that scanner ran),
 *   "detection_summary": {files_scanned, <kind>: count}, "warnings": [...] }
 * Suppressed findings are included, marked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/sbom_util.h"
#include "report/scan_detect.h"
#include "report/scan_report.h"

static const char *state_key(comb_fix_state s)
{
    switch (s) {
    case COMB_FIX_FIXED: return "fixed";
    case COMB_FIX_NOT_FIXED: return "not_fixed";
    case COMB_FIX_WONT_FIX: return "wont_fix";
    default: return "unknown";
    }
}

static int add_cvss(json_t *obj, const char *key, const char *vec, double score)
{
    if (!vec)
        return 0;
    json_t *c = sbom_add_obj(obj, key);
    if (!c || sbom_set_str(c, "vector", vec) != 0)
        return -1;
    return sbom_set_new(c, "score", score >= 0 ? json_real(score) : json_null());
}

static int add_finding(json_t *arr, const comb_finding *f)
{
    json_t *o = sbom_push_obj(arr);
    if (!o || sbom_set_str(o, "id", f->vuln_id) != 0)
        return -1;
    json_t *al = sbom_add_arr(o, "aliases");
    for (size_t i = 0; al && i < f->naliases; i++)
        if (sbom_append_new(al, sbom_str(f->aliases[i])) != 0)
            return -1;
    json_t *p = sbom_add_obj(o, "package");
    const comb_pkg *k = f->pkg;
    if (!al || !p || sbom_set_str(p, "type", comb_pkg_type_name(k->type)) != 0)
        return -1;
    char *mname = NULL;
    if (k->namespace_ && asprintf(&mname, "%s:%s", k->namespace_, k->name) < 0)
        return -1;
    int rc = sbom_set_str(p, "name", mname ? mname : k->name);
    free(mname);
    if (rc != 0 || sbom_set_str(p, "version", k->version) != 0 ||
        sbom_set_str(p, "purl", k->purl) != 0 ||
        sbom_set_str(p, "source_name", k->src_name) != 0 ||
        sbom_set_str(p, "source_version", k->src_version) != 0 ||
        sbom_set_str(p, "found_in", k->found_in) != 0 ||
        sbom_set_str(p, "layer_digest", k->layer_digest) != 0 ||
        sbom_set_str(p, "layer_diff_id", k->layer_diff_id) != 0)
        return -1;
    json_t *m = sbom_add_obj(o, "matched");
    if (!m || sbom_set_str(m, "ecosystem", f->ecosystem) != 0 ||
        sbom_set_str(m, "name", f->matched_name) != 0)
        return -1;
    json_t *fx = sbom_add_arr(o, "fixed_versions");
    for (size_t i = 0; fx && i < f->nfixed; i++)
        if (sbom_append_new(fx, sbom_str(f->fixed_versions[i])) != 0)
            return -1;
    if (!fx || sbom_set_str(o, "status", state_key(f->state)) != 0 ||
        sbom_set_str(o, "severity", comb_severity_name(f->severity)) != 0 ||
        sbom_set_str(o, "severity_source", f->severity_source) != 0)
        return -1;
    if (f->cvss_v3 || f->cvss_v4) {
        json_t *c = sbom_add_obj(o, "cvss");
        if (!c || add_cvss(c, "v3", f->cvss_v3, f->cvss_v3_score) != 0 ||
            add_cvss(c, "v4", f->cvss_v4, f->cvss_v4_score) != 0)
            return -1;
    }
    if (sbom_set_str(o, "title", f->title) != 0 ||
        sbom_set_str(o, "description", f->description) != 0 ||
        sbom_set_str(o, "url", f->url) != 0 || sbom_set_str(o, "data_source", f->data_source) != 0 ||
        sbom_set_new(o, "suppressed", json_boolean(f->suppressed)) != 0 ||
        sbom_set_str(o, "suppressed_by", f->suppressed_by) != 0)
        return -1;
    return 0;
}

comb_code comb_report_scan_json(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                comb_err *err)
{
    (void)o;
    json_t *doc = json_object();
    int ok = doc && sbom_set_str(doc, "schema", "comb-scan/1") == 0;
    const comb_inventory *inv = r->inv;
    if (ok && inv) {
        json_t *t = sbom_add_obj(doc, "target");
        ok = t && sbom_set_str(t, "target", inv->image.target) == 0 &&
             sbom_set_str(t, "kind", inv->image.source_kind) == 0 &&
             sbom_set_str(t, "name", inv->image.name) == 0 &&
             sbom_set_str(t, "config_digest", inv->image.config_digest) == 0 &&
             sbom_set_str(t, "manifest_digest", inv->image.manifest_digest) == 0;
        if (ok && inv->os.id) {
            json_t *os = sbom_add_obj(doc, "os");
            ok = os && sbom_set_str(os, "id", inv->os.id) == 0 &&
                 sbom_set_str(os, "version_id", inv->os.version_id) == 0 &&
                 sbom_set_str(os, "codename", inv->os.codename) == 0 &&
                 sbom_set_str(os, "pretty_name", inv->os.pretty_name) == 0;
        }
        ok = ok && sbom_set_new(doc, "packages", json_integer((json_int_t)inv->npkgs)) == 0;
    }
    if (ok) {
        json_t *d = sbom_add_obj(doc, "database");
        ok = d && sbom_set_str(d, "path", r->db_path) == 0 &&
             sbom_set_str(d, "built", r->db_built) == 0 &&
             sbom_set_new(d, "stale", json_boolean(r->db_stale)) == 0;
    }
    json_t *arr = ok ? sbom_add_arr(doc, "findings") : NULL;
    ok = ok && arr;
    size_t counts[COMB_SEV_CRITICAL + 1] = { 0 }, supp = 0;
    for (size_t i = 0; ok && i < r->nfindings; i++) {
        ok = add_finding(arr, r->findings[i]) == 0;
        if (r->findings[i]->suppressed)
            supp++;
        else if ((unsigned)r->findings[i]->severity <= COMB_SEV_CRITICAL)
            counts[r->findings[i]->severity]++;
    }
    if (ok) {
        json_t *s = sbom_add_obj(doc, "summary");
        json_t *bs = s ? sbom_add_obj(s, "by_severity") : NULL;
        ok = bs && sbom_set_new(s, "total", json_integer((json_int_t)(r->nfindings - supp))) == 0 &&
             sbom_set_new(s, "suppressed", json_integer((json_int_t)supp)) == 0;
        for (int k = COMB_SEV_CRITICAL; ok && k >= 0; k--)
            ok = sbom_set_new(bs, comb_severity_name((comb_severity)k),
                              json_integer((json_int_t)counts[k])) == 0;
    }
    ok = ok && scan_json_detections(doc, r) == 0;
    json_t *w = ok ? sbom_add_arr(doc, "warnings") : NULL;
    ok = ok && w;
    for (size_t i = 0; ok && i < r->nwarnings; i++)
        ok = sbom_append_new(w, sbom_str(r->warnings[i])) == 0;
    if (!ok) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    comb_code rc = sbom_write(doc, out, "scan result", err);
    json_decref(doc);
    return rc;
}
