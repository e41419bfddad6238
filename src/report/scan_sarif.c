/* scan_sarif.c - the scan result as SARIF 2.1.0 (OASIS standard; schema
 * sarif-schema-2.1.0.json), in the shape GitHub code scanning reads:
 *
 *   runs[0].tool.driver: name "comb", version, informationUri, and one rule
 *     per vulnerability id (shortDescription, fullDescription, helpUri,
 *     help, properties.security-severity = the CVSS score as a string,
 *     properties.tags);
 *   runs[0].results: one per finding: ruleId/ruleIndex, level (error for
 *     high and critical, warning for medium, note otherwise), a message
 *     naming the package, installed and fixed versions, the file the
 *     package was found in as the physical location and the package
 *     (purl) as a logical location, a stable partial fingerprint, and
 *     suppressions [{kind "external", justification}] when suppressed.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/sbom_util.h"
#include "report/scan_detect.h"
#include "report/scan_report.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif

static const char *level_of(comb_severity s)
{
    switch (s) {
    case COMB_SEV_CRITICAL:
    case COMB_SEV_HIGH:
        return "error";
    case COMB_SEV_MEDIUM:
        return "warning";
    default:
        return "note";
    }
}

/* The best CVSS score of a finding (v3 first, the GitHub convention), or
 * < 0 when none is known. */
static double score_of(const comb_finding *f)
{
    if (f->cvss_v3_score >= 0 && f->cvss_v3)
        return f->cvss_v3_score;
    if (f->cvss_v4_score >= 0 && f->cvss_v4)
        return f->cvss_v4_score;
    return -1.0;
}

static const char *pkg_name(const comb_finding *f)
{
    return f->pkg && f->pkg->name ? f->pkg->name : f->matched_name ? f->matched_name : "unknown";
}

static const char *pkg_version(const comb_finding *f)
{
    return f->pkg && f->pkg->version ? f->pkg->version : "unknown";
}

/* "1.2.3" or "1.2.3, 1.3.1"; malloc'd; NULL when there is no fix. */
static char *fixed_list(const comb_finding *f)
{
    if (!f->fixed_versions || f->nfixed == 0)
        return NULL;
    size_t len = 1;
    for (size_t i = 0; i < f->nfixed; i++)
        len += strlen(f->fixed_versions[i] ? f->fixed_versions[i] : "") + 2;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < f->nfixed; i++) {
        if (!f->fixed_versions[i])
            continue;
        if (s[0])
            strcat(s, ", ");
        strcat(s, f->fixed_versions[i]);
    }
    return s;
}

static int add_rule(json_t *rules, const comb_finding *f, double best_score)
{
    json_t *r = sbom_push_obj(rules);
    if (!r)
        return -1;
    const char *title = f->title && *f->title ? f->title : f->vuln_id;
    const char *full = f->description && *f->description ? f->description : title;
    char *url = f->url && *f->url ? strdup(f->url) : sbom_vuln_url(f->vuln_id);
    char *help = NULL;
    char score[16];
    int ok = url && asprintf(&help, "%s: %s\nSeverity: %s%s%s\nMore information: %s", f->vuln_id, title,
                             comb_severity_name(f->severity), f->cvss_v3 || f->cvss_v4 ? "\nCVSS: " : "",
                             f->cvss_v3 ? f->cvss_v3 : f->cvss_v4 ? f->cvss_v4 : "", url) >= 0;
    if (!ok)
        help = NULL;
    ok = ok && sbom_set_str(r, "id", f->vuln_id) == 0 &&
         sbom_set_str(r, "name", f->vuln_id) == 0 &&
         sbom_set_new(r, "shortDescription", sbom_text_obj(title)) == 0 &&
         sbom_set_new(r, "fullDescription", sbom_text_obj(full)) == 0 &&
         sbom_set_str(r, "helpUri", url) == 0 &&
         sbom_set_new(r, "help", sbom_text_obj(help)) == 0;
    json_t *dc = ok ? sbom_add_obj(r, "defaultConfiguration") : NULL;
    ok = dc && sbom_set_str(dc, "level", level_of(f->severity)) == 0;
    json_t *props = ok ? sbom_add_obj(r, "properties") : NULL;
    if (props && best_score >= 0) {
        snprintf(score, sizeof score, "%.1f", best_score);
        ok = sbom_set_str(props, "security-severity", score) == 0;
    }
    json_t *tags = props && ok ? sbom_add_arr(props, "tags") : NULL;
    ok = tags && sbom_append_new(tags, json_string("security")) == 0 &&
         sbom_append_new(tags, json_string("vulnerability")) == 0 &&
         sbom_append_new(tags, json_string(comb_severity_name(f->severity))) == 0 &&
         (!f->ecosystem || sbom_append_new(tags, sbom_str(f->ecosystem)) == 0) &&
         sbom_set_str(props, "precision", "very-high") == 0;
    free(url);
    free(help);
    return ok ? 0 : -1;
}

static int add_result(json_t *results, const comb_finding *f, size_t rule_index)
{
    json_t *res = sbom_push_obj(results);
    if (!res)
        return -1;
    char *fixed = fixed_list(f);
    char *msg = NULL;
    const char *fix_text;
    switch (f->state) {
    case COMB_FIX_FIXED:
        fix_text = fixed ? "fixed in " : "a fix exists";
        break;
    case COMB_FIX_WONT_FIX:
        fix_text = "will not be fixed";
        break;
    case COMB_FIX_NOT_FIXED:
        fix_text = "no fix available yet";
        break;
    default:
        fix_text = fixed ? "fixed in " : "fix status unknown";
        break;
    }
    const char *where = f->pkg && f->pkg->found_in ? f->pkg->found_in : NULL;
    int ok = asprintf(&msg, "Package %s %s is affected by %s (%s): %s%s%s%s%s", pkg_name(f), pkg_version(f),
                      f->vuln_id, comb_severity_name(f->severity), fix_text,
                      fixed && (f->state == COMB_FIX_FIXED || f->state == COMB_FIX_UNKNOWN) ? fixed : "",
                      where ? " (found in /" : "", where ? where : "", where ? ")" : "") >= 0;
    if (!ok)
        msg = NULL;
    ok = ok && sbom_set_str(res, "ruleId", f->vuln_id) == 0 &&
         sbom_set_new(res, "ruleIndex", json_integer((json_int_t)rule_index)) == 0 &&
         sbom_set_str(res, "level", level_of(f->severity)) == 0 &&
         sbom_set_new(res, "message", sbom_text_obj(msg)) == 0;
    free(msg);

    /* location: the file the package was found in, and the package */
    json_t *locs = ok ? sbom_add_arr(res, "locations") : NULL;
    json_t *loc = locs ? sbom_push_obj(locs) : NULL;
    ok = loc != NULL;
    if (ok && where) {
        char *uri = sbom_uri_path(where);
        json_t *phys = sbom_add_obj(loc, "physicalLocation");
        json_t *art = phys ? sbom_add_obj(phys, "artifactLocation") : NULL;
        ok = uri && art && sbom_set_str(art, "uri", uri) == 0;
        free(uri);
    }
    json_t *logs = ok ? sbom_add_arr(loc, "logicalLocations") : NULL;
    json_t *lg = logs ? sbom_push_obj(logs) : NULL;
    ok = lg && sbom_set_str(lg, "name", pkg_name(f)) == 0 &&
         sbom_set_str(lg, "fullyQualifiedName",
                      f->pkg && f->pkg->purl ? f->pkg->purl : pkg_name(f)) == 0 &&
         sbom_set_str(lg, "kind", "package") == 0;

    /* a fingerprint stable across scans: id + package identity */
    json_t *fp = ok ? sbom_add_obj(res, "partialFingerprints") : NULL;
    char *fpv = NULL;
    ok = fp && asprintf(&fpv, "%s|%s|%s", f->vuln_id, f->pkg && f->pkg->purl ? f->pkg->purl : pkg_name(f),
                        where ? where : "") >= 0;
    if (!ok)
        fpv = NULL;
    ok = ok && sbom_set_str(fp, "comb/vulnerability/v1", fpv) == 0;
    free(fpv);

    json_t *props = ok ? sbom_add_obj(res, "properties") : NULL;
    ok = props && sbom_set_str(props, "packageName", pkg_name(f)) == 0 &&
         sbom_set_str(props, "installedVersion", pkg_version(f)) == 0 &&
         sbom_set_str(props, "purl", f->pkg ? f->pkg->purl : NULL) == 0 &&
         sbom_set_str(props, "severity", comb_severity_name(f->severity)) == 0 &&
         sbom_set_str(props, "severitySource", f->severity_source) == 0 &&
         sbom_set_str(props, "cvssV3", f->cvss_v3) == 0 &&
         sbom_set_str(props, "cvssV4", f->cvss_v4) == 0 &&
         sbom_set_str(props, "layerDigest", f->pkg ? f->pkg->layer_digest : NULL) == 0 &&
         sbom_set_str(props, "dataSource", f->data_source) == 0;
    if (ok && f->cvss_v3 && f->cvss_v3_score >= 0)
        ok = sbom_set_new(props, "cvssV3Score", json_real(f->cvss_v3_score)) == 0;
    if (ok && f->cvss_v4 && f->cvss_v4_score >= 0)
        ok = sbom_set_new(props, "cvssV4Score", json_real(f->cvss_v4_score)) == 0;
    json_t *fv = ok ? sbom_add_arr(props, "fixedVersions") : NULL;
    ok = fv != NULL;
    for (size_t i = 0; ok && i < f->nfixed; i++)
        if (f->fixed_versions[i])
            ok = sbom_append_new(fv, sbom_str(f->fixed_versions[i])) == 0;
    json_t *al = ok ? sbom_add_arr(props, "aliases") : NULL;
    ok = al != NULL;
    for (size_t i = 0; ok && i < f->naliases; i++)
        if (f->aliases[i])
            ok = sbom_append_new(al, sbom_str(f->aliases[i])) == 0;

    if (ok && f->suppressed) {
        json_t *sups = sbom_add_arr(res, "suppressions");
        json_t *s = sups ? sbom_push_obj(sups) : NULL;
        ok = s && sbom_set_str(s, "kind", "external") == 0 &&
             sbom_set_str(s, "status", "accepted") == 0 &&
             sbom_set_str(s, "justification", f->suppressed_by ? f->suppressed_by : "suppressed") == 0;
    }
    free(fixed);
    return ok ? 0 : -1;
}

static int build(const comb_scan_result *r, json_t *doc)
{
    int ok = sbom_set_str(doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json") == 0 &&
             sbom_set_str(doc, "version", "2.1.0") == 0;
    json_t *runs = ok ? sbom_add_arr(doc, "runs") : NULL;
    json_t *run = runs ? sbom_push_obj(runs) : NULL;
    json_t *tool = run ? sbom_add_obj(run, "tool") : NULL;
    json_t *driver = tool ? sbom_add_obj(tool, "driver") : NULL;
    ok = driver && sbom_set_str(driver, "name", "comb") == 0 &&
         sbom_set_str(driver, "version", COMB_VERSION) == 0 &&
         sbom_set_str(driver, "semanticVersion", COMB_VERSION) == 0 &&
         sbom_set_str(driver, "informationUri", COMB_HOMEPAGE) == 0;
    json_t *rules = ok ? sbom_add_arr(driver, "rules") : NULL;
    json_t *results = rules ? sbom_add_arr(run, "results") : NULL;
    json_t *index = json_object(); /* vuln id -> rule index */
    ok = results && index;

    /* rules first (with the highest score among the findings of an id) */
    for (size_t i = 0; ok && i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        if (!f || !f->vuln_id || json_object_get(index, f->vuln_id))
            continue;
        double best = -1.0;
        for (size_t j = i; j < r->nfindings; j++)
            if (r->findings[j] && r->findings[j]->vuln_id &&
                strcmp(r->findings[j]->vuln_id, f->vuln_id) == 0 && score_of(r->findings[j]) > best)
                best = score_of(r->findings[j]);
        ok = json_object_set_new(index, f->vuln_id, json_integer((json_int_t)json_array_size(rules))) == 0 &&
             add_rule(rules, f, best) == 0;
    }
    for (size_t i = 0; ok && i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        if (!f || !f->vuln_id)
            continue;
        ok = add_result(results, f, (size_t)json_integer_value(json_object_get(index, f->vuln_id))) == 0;
    }
    json_decref(index);
    ok = ok && scan_sarif_detections(rules, results, r) == 0;

    /* what was scanned */
    if (ok && r->inv) {
        const comb_image_meta *im = &r->inv->image;
        json_t *props = sbom_add_obj(run, "properties");
        ok = props && sbom_set_str(props, "imageName", im->name ? im->name : im->target) == 0 &&
             sbom_set_str(props, "imageConfigDigest", im->config_digest) == 0 &&
             sbom_set_str(props, "imageManifestDigest", im->manifest_digest) == 0 &&
             sbom_set_str(props, "osId", r->inv->os.id) == 0 &&
             sbom_set_str(props, "osVersion", r->inv->os.version_id) == 0 &&
             sbom_set_str(props, "databaseBuilt", r->db_built) == 0;
    }
    return ok ? 0 : -1;
}

comb_code comb_report_scan_sarif(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                 comb_err *err)
{
    (void)o;
    if (!r || !out)
        return comb_fail(err, COMB_EINVAL, "sarif: no scan result or output");
    json_t *doc = json_object();
    if (!doc || build(r, doc) != 0) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "sarif: out of memory building the document");
    }
    comb_code rc = sbom_write(doc, out, "sarif", err);
    json_decref(doc);
    return rc;
}
