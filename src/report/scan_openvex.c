/* scan_openvex.c - the scan result as an OpenVEX 0.2.0 document
 * (github.com/openvex/spec, schema openvex_json_schema.json).
 *
 * One statement per finding: vulnerability {name, aliases}, products
 * [{@id: the package purl, identifiers.purl}] (a package without a purl is
 * named as a subcomponent of the image), and a status:
 *   suppressed (ignore file / VEX)  -> not_affected, with the OpenVEX
 *                                      justification when the reason names
 *                                      one, else an impact_statement;
 *   fixed upstream                  -> affected, "Upgrade to <version>";
 *   no fix yet / will not fix       -> affected, "No fix available" ...;
 *   fix state unknown               -> under_investigation.
 * "fixed" is never written: every finding is a package that is affected.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/sbom_util.h"
#include "report/scan_report.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif

static const char *const justifications[] = {
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
};

/* The OpenVEX justification a suppression reason names, or NULL. */
static const char *justification_in(const char *reason)
{
    if (!reason)
        return NULL;
    const char *best = NULL;
    for (size_t i = 0; i < sizeof justifications / sizeof justifications[0]; i++)
        if (strstr(reason, justifications[i]) &&
            (!best || strlen(justifications[i]) > strlen(best)))
            best = justifications[i];
    return best;
}

static int add_product(json_t *products, const comb_scan_result *r, const comb_pkg *p)
{
    json_t *prod = sbom_push_obj(products);
    if (!prod)
        return -1;
    if (p && p->purl && *p->purl) {
        json_t *ids = sbom_set_str(prod, "@id", p->purl) == 0 ? sbom_add_obj(prod, "identifiers") : NULL;
        return ids && sbom_set_str(ids, "purl", p->purl) == 0 ? 0 : -1;
    }
    /* no purl: the image, with the package as a named subcomponent */
    const comb_image_meta *im = r->inv ? &r->inv->image : NULL;
    const char *img = im ? (im->config_digest ? im->config_digest : im->name ? im->name : im->target) : NULL;
    char *enc = sbom_uri_path(img ? img : "image");
    char *pid = NULL, *penc = NULL, *sid = NULL;
    int ok = enc && asprintf(&pid, "urn:comb:image:%s", enc) >= 0;
    if (!ok)
        pid = NULL;
    penc = ok ? sbom_uri_path(p && p->name ? p->name : "unknown") : NULL;
    char *venc = penc ? sbom_uri_path(p && p->version ? p->version : "") : NULL;
    ok = venc && asprintf(&sid, "urn:comb:package:%s:%s@%s", p ? comb_pkg_type_name(p->type) : "unknown",
                          penc, venc) >= 0;
    if (!ok)
        sid = NULL;
    json_t *subs = ok && sbom_set_str(prod, "@id", pid) == 0 ? sbom_add_arr(prod, "subcomponents") : NULL;
    json_t *sub = subs ? sbom_push_obj(subs) : NULL;
    ok = sub && sbom_set_str(sub, "@id", sid) == 0;
    free(enc);
    free(pid);
    free(penc);
    free(venc);
    free(sid);
    return ok ? 0 : -1;
}

static int add_statement(json_t *stmts, const comb_scan_result *r, const comb_finding *f, const char *ts)
{
    json_t *st = sbom_push_obj(stmts);
    json_t *vuln = st ? sbom_add_obj(st, "vulnerability") : NULL;
    char *url = vuln ? sbom_vuln_url(f->vuln_id) : NULL;
    int ok = url && sbom_set_str(vuln, "@id", url) == 0 && sbom_set_str(vuln, "name", f->vuln_id) == 0 &&
             sbom_set_str(vuln, "description", f->title) == 0;
    free(url);
    if (ok && f->naliases > 0) {
        json_t *al = sbom_add_arr(vuln, "aliases");
        ok = al != NULL;
        for (size_t i = 0; ok && i < f->naliases; i++)
            if (f->aliases[i])
                ok = sbom_append_new(al, sbom_str(f->aliases[i])) == 0;
    }
    json_t *products = ok ? sbom_add_arr(st, "products") : NULL;
    ok = products && add_product(products, r, f->pkg) == 0 && sbom_set_str(st, "timestamp", ts) == 0;
    if (!ok)
        return -1;

    if (f->suppressed) {
        const char *j = justification_in(f->suppressed_by);
        ok = sbom_set_str(st, "status", "not_affected") == 0 &&
             (j ? sbom_set_str(st, "justification", j) == 0 : 1) &&
             sbom_set_str(st, "impact_statement", f->suppressed_by && *f->suppressed_by
                                                       ? f->suppressed_by
                                                       : "Suppressed by the user") == 0;
        return ok ? 0 : -1;
    }
    if (f->state == COMB_FIX_UNKNOWN && f->nfixed == 0)
        return sbom_set_str(st, "status", "under_investigation");

    char *action = NULL;
    if (f->nfixed > 0 && f->fixed_versions[0]) {
        const char *name = f->pkg && f->pkg->name ? f->pkg->name : f->matched_name;
        if (asprintf(&action, "Upgrade %s to %s or later", name ? name : "the package",
                     f->fixed_versions[0]) < 0)
            return -1;
    } else if (f->state == COMB_FIX_WONT_FIX) {
        action = strdup("No fix available: the maintainers will not fix this vulnerability");
    } else {
        action = strdup("No fix available");
    }
    ok = action && sbom_set_str(st, "status", "affected") == 0 &&
         sbom_set_str(st, "action_statement", action) == 0 &&
         sbom_set_str(st, "action_statement_timestamp", ts) == 0;
    free(action);
    return ok ? 0 : -1;
}

/* The same vulnerability of the same product (two Go binaries built with one
 * toolchain share the stdlib purl) is one statement: VEX statements must be
 * unique. */
static int repeats(const comb_scan_result *r, size_t i)
{
    const comb_finding *f = r->findings[i];
    if (!f->pkg || !f->pkg->purl)
        return 0;
    for (size_t j = 0; j < i; j++) {
        const comb_finding *g = r->findings[j];
        if (g && g->vuln_id && g->pkg && g->pkg->purl && !strcmp(g->vuln_id, f->vuln_id) &&
            !strcmp(g->pkg->purl, f->pkg->purl) && g->state == f->state &&
            g->suppressed == f->suppressed)
            return 1;
    }
    return 0;
}

comb_code comb_report_scan_openvex(const comb_scan_result *r, const comb_report_opts *o, FILE *out,
                                   comb_err *err)
{
    if (!r || !out)
        return comb_fail(err, COMB_EINVAL, "openvex: no scan result or output");
    char uuid[37], ts[32], id[64];
    comb_code rc = sbom_uuid(o ? o->uuid : NULL, uuid, err);
    if (rc != COMB_OK)
        return rc;
    if (sbom_timestamp(o ? o->now : 0, ts) != 0)
        return comb_fail(err, COMB_EINVAL, "openvex: timestamp out of range");
    snprintf(id, sizeof id, "urn:uuid:%s", uuid);

    json_t *doc = json_object();
    int ok = doc && sbom_set_str(doc, "@context", "https://openvex.dev/ns/v0.2.0") == 0 &&
             sbom_set_str(doc, "@id", id) == 0 && sbom_set_str(doc, "author", "comb") == 0 &&
             sbom_set_str(doc, "role", "Scanner") == 0 && sbom_set_str(doc, "timestamp", ts) == 0 &&
             sbom_set_new(doc, "version", json_integer(1)) == 0 &&
             sbom_set_str(doc, "tooling", "comb " COMB_VERSION) == 0;
    json_t *stmts = ok ? sbom_add_arr(doc, "statements") : NULL;
    ok = stmts != NULL;
    for (size_t i = 0; ok && i < r->nfindings; i++)
        if (r->findings[i] && r->findings[i]->vuln_id && !repeats(r, i))
            ok = add_statement(stmts, r, r->findings[i], ts) == 0;
    if (!ok) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "openvex: out of memory building the document");
    }
    rc = sbom_write(doc, out, "openvex", err);
    json_decref(doc);
    return rc;
}
