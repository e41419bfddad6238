/* scan_cyclonedx.c - the scan result as a CycloneDX 1.6 BOM with
 * vulnerabilities (https://cyclonedx.org/docs/1.6/json/#vulnerabilities).
 *
 * The BOM is exactly the SBOM comb_report_cyclonedx() writes for the
 * scanned inventory (same serial number and timestamp for the same
 * options), plus one "vulnerabilities" entry per finding: id, source,
 * references (aliases), ratings (CVSSv31 / CVSSv3 / CVSSv4 with score,
 * vector and severity; the distro's rating as method "other"),
 * description, detail, recommendation, advisories, affects [{ref: the
 * package's component bom-ref, versions}], and, for suppressed findings,
 * analysis {state not_affected, justification, detail}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "report/sbom_util.h"
#include "report/scan_report.h"
#include "vuln/cvss.h"

static const char *cdx_severity(comb_severity s)
{
    switch (s) {
    case COMB_SEV_CRITICAL: return "critical";
    case COMB_SEV_HIGH: return "high";
    case COMB_SEV_MEDIUM: return "medium";
    case COMB_SEV_LOW: return "low";
    case COMB_SEV_NEGLIGIBLE: return "info";
    default: return "unknown";
    }
}

/* OpenVEX justification (in a suppression reason) -> CycloneDX one. */
static const char *cdx_justification(const char *reason)
{
    static const struct { const char *vex, *cdx; } map[] = {
        {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
        {"vulnerable_code_cannot_be_controlled_by_adversary", "requires_environment"},
        {"inline_mitigations_already_exist", "protected_by_mitigating_control"},
        {"vulnerable_code_not_present", "code_not_present"},
        {"component_not_present", "code_not_present"},
    };
    for (size_t i = 0; reason && i < sizeof map / sizeof map[0]; i++)
        if (strstr(reason, map[i].vex))
            return map[i].cdx;
    return NULL;
}

static int add_cvss_rating(json_t *ratings, const char *vector, double score)
{
    if (!vector || score < 0)
        return 0;
    json_t *rt = sbom_push_obj(ratings);
    const char *method = strncmp(vector, "CVSS:4.0/", 9) == 0   ? "CVSSv4"
                         : strncmp(vector, "CVSS:3.1/", 9) == 0 ? "CVSSv31"
                                                                : "CVSSv3";
    comb_severity sev = comb_cvss_severity(score); /* the CVSS qualitative scale */
    return rt && sbom_set_new(rt, "score", json_real(score)) == 0 &&
                   sbom_set_str(rt, "severity", sev == COMB_SEV_NEGLIGIBLE ? "none" : cdx_severity(sev)) == 0 &&
                   sbom_set_str(rt, "method", method) == 0 && sbom_set_str(rt, "vector", vector) == 0
               ? 0
               : -1;
}

static int add_vuln(json_t *vulns, const comb_finding *f, const char *comp_ref, size_t n)
{
    json_t *v = sbom_push_obj(vulns);
    if (!v)
        return -1;
    char ref[64];
    snprintf(ref, sizeof ref, "comb:vulnerability:%zu", n);
    char *url = sbom_vuln_url(f->vuln_id);
    json_t *src = NULL;
    int ok = url && sbom_set_str(v, "bom-ref", ref) == 0 && sbom_set_str(v, "id", f->vuln_id) == 0 &&
             (src = sbom_add_obj(v, "source")) != NULL &&
             sbom_set_str(src, "name", sbom_vuln_source(f->vuln_id)) == 0 &&
             sbom_set_str(src, "url", url) == 0;
    free(url);

    if (ok && f->naliases > 0) {
        json_t *refs = sbom_add_arr(v, "references");
        ok = refs != NULL;
        for (size_t i = 0; ok && i < f->naliases; i++) {
            if (!f->aliases[i])
                continue;
            json_t *r = sbom_push_obj(refs);
            json_t *rs = r && sbom_set_str(r, "id", f->aliases[i]) == 0 ? sbom_add_obj(r, "source") : NULL;
            char *aurl = rs ? sbom_vuln_url(f->aliases[i]) : NULL;
            ok = aurl && sbom_set_str(rs, "name", sbom_vuln_source(f->aliases[i])) == 0 &&
                 sbom_set_str(rs, "url", aurl) == 0;
            free(aurl);
        }
    }

    json_t *ratings = ok ? sbom_add_arr(v, "ratings") : NULL;
    ok = ratings && add_cvss_rating(ratings, f->cvss_v3, f->cvss_v3_score) == 0 &&
         add_cvss_rating(ratings, f->cvss_v4, f->cvss_v4_score) == 0;
    if (ok && f->severity_source && strncmp(f->severity_source, "cvss", 4) != 0) {
        /* the distro's or advisory's own rating */
        json_t *rt = sbom_push_obj(ratings);
        json_t *rs = rt ? sbom_add_obj(rt, "source") : NULL;
        ok = rs && sbom_set_str(rs, "name", f->severity_source) == 0 &&
             sbom_set_str(rt, "severity", cdx_severity(f->severity)) == 0 &&
             sbom_set_str(rt, "method", "other") == 0;
    }
    if (ok && json_array_size(ratings) == 0) {
        json_t *rt = sbom_push_obj(ratings);
        ok = rt && sbom_set_str(rt, "severity", cdx_severity(f->severity)) == 0;
    }

    const char *desc = f->description && *f->description ? f->description : f->title;
    ok = ok && sbom_set_str(v, "description", desc) == 0 &&
         (f->title && desc != f->title ? sbom_set_str(v, "detail", f->title) == 0 : 1);

    char *rec = NULL;
    if (ok && f->nfixed > 0 && f->fixed_versions[0])
        ok = asprintf(&rec, "Upgrade %s to %s", f->pkg && f->pkg->name ? f->pkg->name : "the package",
                      f->fixed_versions[0]) >= 0;
    else if (ok)
        rec = strdup(f->state == COMB_FIX_WONT_FIX ? "No fix available: will not be fixed"
                                                   : "No fix available");
    ok = ok && rec && sbom_set_str(v, "recommendation", rec) == 0;
    if (!ok)
        rec = NULL;
    free(rec);

    if (ok && f->url && *f->url) {
        json_t *adv = sbom_add_arr(v, "advisories");
        json_t *a = adv ? sbom_push_obj(adv) : NULL;
        ok = a && sbom_set_str(a, "url", f->url) == 0 && sbom_set_str(a, "title", f->title) == 0;
    }

    json_t *affects = ok ? sbom_add_arr(v, "affects") : NULL;
    json_t *af = affects ? sbom_push_obj(affects) : NULL;
    json_t *versions = af && sbom_set_str(af, "ref", comp_ref) == 0 ? sbom_add_arr(af, "versions") : NULL;
    json_t *ver = versions ? sbom_push_obj(versions) : NULL;
    ok = ver && sbom_set_str(ver, "version", f->pkg && f->pkg->version ? f->pkg->version : "unknown") == 0 &&
         sbom_set_str(ver, "status", "affected") == 0;
    for (size_t i = 0; ok && i < f->nfixed; i++) {
        json_t *fv = f->fixed_versions[i] ? sbom_push_obj(versions) : NULL;
        ok = !f->fixed_versions[i] ||
             (fv && sbom_set_str(fv, "version", f->fixed_versions[i]) == 0 &&
              sbom_set_str(fv, "status", "unaffected") == 0);
    }

    if (ok && f->suppressed) {
        json_t *an = sbom_add_obj(v, "analysis");
        const char *j = cdx_justification(f->suppressed_by);
        ok = an && sbom_set_str(an, "state", "not_affected") == 0 &&
             (j ? sbom_set_str(an, "justification", j) == 0 : 1) &&
             sbom_set_str(an, "detail", f->suppressed_by ? f->suppressed_by : "suppressed") == 0;
    } else if (ok && (f->state == COMB_FIX_WONT_FIX || f->state == COMB_FIX_NOT_FIXED ||
                      f->state == COMB_FIX_FIXED)) {
        json_t *an = sbom_add_obj(v, "analysis");
        json_t *resp = an && sbom_set_str(an, "state", "exploitable") == 0 ? sbom_add_arr(an, "response") : NULL;
        ok = resp && sbom_append_new(resp, json_string(f->state == COMB_FIX_FIXED     ? "update"
                                                       : f->state == COMB_FIX_WONT_FIX ? "will_not_fix"
                                                                                       : "can_not_fix")) == 0;
    }

    json_t *props = ok ? json_array() : NULL;
    if (props) {
        static const char *const states[] = {"unknown", "fixed", "not_fixed", "wont_fix"};
        const char *st = (unsigned)f->state < 4 ? states[f->state] : "unknown";
        json_t *p;
        ok = (p = sbom_push_obj(props)) && sbom_set_str(p, "name", "comb:fix_state") == 0 &&
             sbom_set_str(p, "value", st) == 0;
        if (ok && f->ecosystem)
            ok = (p = sbom_push_obj(props)) && sbom_set_str(p, "name", "comb:ecosystem") == 0 &&
                 sbom_set_str(p, "value", f->ecosystem) == 0;
        if (ok && f->matched_name)
            ok = (p = sbom_push_obj(props)) && sbom_set_str(p, "name", "comb:matched_name") == 0 &&
                 sbom_set_str(p, "value", f->matched_name) == 0;
        if (ok && f->data_source)
            ok = (p = sbom_push_obj(props)) && sbom_set_str(p, "name", "comb:data_source") == 0 &&
                 sbom_set_str(p, "value", f->data_source) == 0;
        ok = ok && json_object_set_new(v, "properties", props) == 0;
        if (!ok && !json_object_get(v, "properties"))
            json_decref(props);
    } else {
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* The SBOM of the inventory, parsed back. */
static comb_code sbom_doc(const comb_inventory *inv, const comb_report_opts *o, json_t **out, comb_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return comb_fail(err, COMB_ENOMEM, "cyclonedx: out of memory");
    comb_code rc = comb_report_cyclonedx(inv, o, mem, err);
    if (fclose(mem) != 0 && rc == COMB_OK)
        rc = comb_fail(err, COMB_ENOMEM, "cyclonedx: out of memory");
    if (rc == COMB_OK) {
        json_error_t jerr;
        *out = json_loadb(buf, len, 0, &jerr);
        if (!*out)
            rc = comb_fail(err, COMB_ENOMEM, "cyclonedx: re-reading the BOM: %s", jerr.text);
    }
    free(buf);
    return rc;
}

comb_code comb_report_scan_cyclonedx(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                     comb_err *err)
{
    if (!r || !r->inv || !out)
        return comb_fail(err, COMB_EINVAL, "cyclonedx: no scan result or output");
    /* the same serial number in the SBOM and, if random, nowhere else */
    char uuid[37];
    comb_code rc = sbom_uuid(o ? o->uuid : NULL, uuid, err);
    if (rc != COMB_OK)
        return rc;
    comb_report_opts opts = o ? *o : (comb_report_opts){0};
    opts.uuid = uuid;
    json_t *doc = NULL;
    rc = sbom_doc(r->inv, &opts, &doc, err);
    if (rc != COMB_OK)
        return rc;

    /* components are written in inventory order after the OS: map each
     * package to its bom-ref */
    const comb_inventory *inv = r->inv;
    json_t *comps = json_object_get(doc, "components");
    size_t ci = inv->os.id ? 1 : 0;
    json_t *refs = json_object(); /* "%p" of the package -> bom-ref */
    int ok = refs != NULL;
    for (size_t i = 0; ok && i < inv->npkgs; i++) {
        if (!inv->pkgs[i])
            continue;
        json_t *ref = json_object_get(json_array_get(comps, ci++), "bom-ref");
        char key[32];
        snprintf(key, sizeof key, "%p", (const void *)inv->pkgs[i]);
        ok = ref && json_object_set(refs, key, ref) == 0;
    }
    json_t *vulns = ok ? sbom_add_arr(doc, "vulnerabilities") : NULL;
    ok = vulns != NULL;
    size_t n = 0;
    for (size_t i = 0; ok && i < r->nfindings; i++) {
        const comb_finding *f = r->findings[i];
        if (!f || !f->vuln_id)
            continue;
        char key[32];
        snprintf(key, sizeof key, "%p", (const void *)f->pkg);
        const char *cref = json_string_value(json_object_get(refs, key));
        if (!cref) {
            json_decref(refs);
            json_decref(doc);
            return comb_fail(err, COMB_EINVAL, "cyclonedx: finding %s names a package not in the inventory",
                             f->vuln_id);
        }
        ok = add_vuln(vulns, f, cref, ++n) == 0;
    }
    json_decref(refs);
    if (!ok) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "cyclonedx: out of memory building the document");
    }
    rc = sbom_write(doc, out, "cyclonedx", err);
    json_decref(doc);
    return rc;
}
