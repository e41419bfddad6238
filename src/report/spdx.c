/* spdx.c - the inventory as an SPDX 2.3 JSON document.
 *
 * Spec: https://spdx.github.io/spdx-spec/v2.3/ (schema spdx-schema.json).
 * Packages: the image (primaryPackagePurpose CONTAINER, SPDXRef-Image),
 * the operating system (OPERATING_SYSTEM, SPDXRef-OperatingSystem) and
 * every package (SPDXRef-Package-<n>, n counting from 1 in inventory
 * order). The document DESCRIBES the image; the image CONTAINS the rest.
 * A declared license that is not a recognised SPDX expression becomes a
 * LicenseRef-<n> defined in hasExtractedLicensingInfos with the original
 * text. comb-specific facts (layer, file found in) are annotations.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "report/sbom_util.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif

#define TOOL "Tool: comb-" COMB_VERSION

typedef struct spdx_ctx {
    const char *ts;
    json_t *packages, *relationships;
    json_t *licrefs;   /* original license text -> LicenseRef id */
    json_t *extracted; /* hasExtractedLicensingInfos (created on demand) */
    json_t *doc;
} spdx_ctx;

static int relate(spdx_ctx *c, const char *from, const char *type, const char *to)
{
    json_t *r = sbom_push_obj(c->relationships);
    return r && sbom_set_str(r, "spdxElementId", from) == 0 &&
        sbom_set_str(r, "relationshipType", type) == 0 &&
        sbom_set_str(r, "relatedSpdxElement", to) == 0 ? 0 : -1;
}

/* An OTHER annotation "what: value"; absent and empty values are left out. */
static int annotate(spdx_ctx *c, json_t *pkg, json_t **anns, const char *what, const char *value)
{
    if (!value || !*value)
        return 0;
    if (!*anns && !(*anns = sbom_add_arr(pkg, "annotations")))
        return -1;
    json_t *a = sbom_push_obj(*anns);
    char *text = NULL;
    if (!a || asprintf(&text, "%s: %s", what, value) < 0)
        return -1;
    int rc = sbom_set_str(a, "annotationDate", c->ts) == 0 &&
        sbom_set_str(a, "annotationType", "OTHER") == 0 &&
        sbom_set_str(a, "annotator", TOOL) == 0 &&
        sbom_set_str(a, "comment", text) == 0 ? 0 : -1;
    free(text);
    return rc;
}

/* licenseDeclared: the canonical SPDX expression, or a LicenseRef for the
 * original text (one per distinct text). */
static int set_license(spdx_ctx *c, json_t *pkg, const char *license)
{
    if (!license || !*license)
        return sbom_set_str(pkg, "licenseDeclared", "NOASSERTION");
    char *canon = NULL;
    int r = sbom_license_expr(license, &canon, NULL);
    if (r < 0)
        return -1;
    if (r == 1) {
        int rc = sbom_set_str(pkg, "licenseDeclared", canon);
        free(canon);
        return rc;
    }
    json_t *text = sbom_str(license); /* valid UTF-8 key */
    if (!text)
        return -1;
    const char *key = json_string_value(text);
    json_t *known = json_object_get(c->licrefs, key);
    if (known) {
        json_decref(text);
        return json_object_set(pkg, "licenseDeclared", known);
    }
    char id[48];
    snprintf(id, sizeof id, "LicenseRef-%zu", json_object_size(c->licrefs) + 1);
    if (!c->extracted && !(c->extracted = sbom_add_arr(c->doc, "hasExtractedLicensingInfos"))) {
        json_decref(text);
        return -1;
    }
    json_t *info = sbom_push_obj(c->extracted);
    int rc = info && sbom_set_str(info, "licenseId", id) == 0 &&
        json_object_set(info, "extractedText", text) == 0 &&
        json_object_set(info, "name", text) == 0 &&
        sbom_set_str(info, "comment", "license as declared by the package; not an SPDX expression") == 0 &&
        sbom_set_new(c->licrefs, key, json_string(id)) == 0 &&
        sbom_set_str(pkg, "licenseDeclared", id) == 0 ? 0 : -1;
    json_decref(text);
    return rc;
}

/* "Organization: Name (email)" from "Name <email>"; newlines become spaces. */
static int set_supplier(json_t *pkg, const char *maintainer)
{
    if (!maintainer || !*maintainer)
        return sbom_set_str(pkg, "supplier", "NOASSERTION");
    char *s = NULL;
    if (asprintf(&s, "Organization: %s", maintainer) < 0)
        return -1;
    for (char *p = s; *p; p++) {
        if (*p == '<')
            *p = '(';
        else if (*p == '>')
            *p = ')';
        else if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    int rc = sbom_set_str(pkg, "supplier", s);
    free(s);
    return rc;
}

static json_t *new_package(spdx_ctx *c, const char *spdxid, const char *name, const char *version)
{
    json_t *p = sbom_push_obj(c->packages);
    if (!p || sbom_set_str(p, "SPDXID", spdxid) != 0 ||
        sbom_set_str(p, "name", name && *name ? name : "unknown") != 0 ||
        sbom_set_str(p, "versionInfo", version) != 0 ||
        sbom_set_str(p, "downloadLocation", "NOASSERTION") != 0 ||
        sbom_set_new(p, "filesAnalyzed", json_false()) != 0)
        return NULL;
    return p;
}

static int add_package(spdx_ctx *c, const comb_pkg *p, size_t n)
{
    char id[48];
    snprintf(id, sizeof id, "SPDXRef-Package-%zu", n);
    char *name = NULL;
    if (p->type == COMB_PKG_MAVEN && p->namespace_ && p->name) {
        if (asprintf(&name, "%s:%s", p->namespace_, p->name) < 0)
            return -1;
    }
    json_t *pkg = new_package(c, id, name ? name : p->name, p->version);
    free(name);
    if (!pkg || sbom_set_str(pkg, "licenseConcluded", "NOASSERTION") != 0 ||
        set_license(c, pkg, p->license) != 0 || set_supplier(pkg, p->maintainer) != 0)
        return -1;
    if (p->src_name && *p->src_name) {
        char *info = NULL;
        if (asprintf(&info, "built package from: %s%s%s", p->src_name,
                     p->src_version && *p->src_version ? " " : "", p->src_version ? p->src_version : "") < 0)
            return -1;
        int rc = sbom_set_str(pkg, "sourceInfo", info);
        free(info);
        if (rc != 0)
            return -1;
    }
    if (p->purl && *p->purl) {
        json_t *refs = sbom_add_arr(pkg, "externalRefs");
        json_t *r = refs ? sbom_push_obj(refs) : NULL;
        if (!r || sbom_set_str(r, "referenceCategory", "PACKAGE-MANAGER") != 0 ||
            sbom_set_str(r, "referenceType", "purl") != 0 ||
            sbom_set_str(r, "referenceLocator", p->purl) != 0)
            return -1;
    }
    if (sbom_set_str(pkg, "primaryPackagePurpose", "LIBRARY") != 0)
        return -1;
    json_t *anns = NULL;
    char epoch[32];
    snprintf(epoch, sizeof epoch, "%d", p->epoch);
    if (annotate(c, pkg, &anns, "comb:package:type", comb_pkg_type_name(p->type)) != 0 ||
        annotate(c, pkg, &anns, "comb:package:arch", p->arch) != 0 ||
        (p->epoch >= 0 && annotate(c, pkg, &anns, "comb:package:epoch", epoch) != 0) ||
        annotate(c, pkg, &anns, "comb:found_in", p->found_in) != 0 ||
        annotate(c, pkg, &anns, "comb:inner_path", p->inner_path) != 0 ||
        annotate(c, pkg, &anns, "comb:layer:digest", p->layer_digest) != 0 ||
        annotate(c, pkg, &anns, "comb:layer:diff_id", p->layer_diff_id) != 0)
        return -1;
    return relate(c, "SPDXRef-Image", "CONTAINS", id);
}

static int build(const comb_inventory *inv, const char *uuid, const char *ts, json_t *doc)
{
    const comb_image_meta *im = &inv->image;
    const char *name = im->name ? im->name : im->target ? im->target : "unknown";
    spdx_ctx c = {.ts = ts, .doc = doc, .licrefs = json_object()};

    /* documentNamespace: unique https URI; the name part keeps URI-safe bytes only */
    char *ns = NULL, *safe = strdup(name);
    for (char *p = safe; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '-';
    if (!safe || asprintf(&ns, "https://spdx.org/spdxdocs/comb-%s-%s", safe, uuid) < 0)
        ns = NULL;
    free(safe);

    json_t *ci = NULL, *creators = NULL;
    int ok = c.licrefs && ns &&
        sbom_set_str(doc, "spdxVersion", "SPDX-2.3") == 0 &&
        sbom_set_str(doc, "dataLicense", "CC0-1.0") == 0 &&
        sbom_set_str(doc, "SPDXID", "SPDXRef-DOCUMENT") == 0 &&
        sbom_set_str(doc, "name", name) == 0 &&
        sbom_set_str(doc, "documentNamespace", ns) == 0 &&
        (ci = sbom_add_obj(doc, "creationInfo")) != NULL &&
        sbom_set_str(ci, "created", ts) == 0 &&
        (creators = sbom_add_arr(ci, "creators")) != NULL &&
        sbom_append_new(creators, json_string(TOOL)) == 0 &&
        (c.packages = sbom_add_arr(doc, "packages")) != NULL;
    free(ns);

    json_t *img = ok ? new_package(&c, "SPDXRef-Image", name, im->config_digest) : NULL;
    json_t *anns = NULL;
    ok = img && sbom_set_str(img, "licenseConcluded", "NOASSERTION") == 0 &&
        sbom_set_str(img, "licenseDeclared", "NOASSERTION") == 0 &&
        sbom_set_str(img, "supplier", "NOASSERTION") == 0 &&
        sbom_set_str(img, "primaryPackagePurpose", "CONTAINER") == 0 &&
        annotate(&c, img, &anns, "comb:image:target", im->target) == 0 &&
        annotate(&c, img, &anns, "comb:image:config_digest", im->config_digest) == 0 &&
        annotate(&c, img, &anns, "comb:image:manifest_digest", im->manifest_digest) == 0 &&
        annotate(&c, img, &anns, "comb:image:os", im->os) == 0 &&
        annotate(&c, img, &anns, "comb:image:architecture", im->arch) == 0;
    /* relationships go after packages and the license list; create it now, move it later */
    c.relationships = json_array();
    ok = ok && c.relationships && relate(&c, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image") == 0;

    if (ok && inv->os.id) {
        json_t *os = new_package(&c, "SPDXRef-OperatingSystem", inv->os.id, inv->os.version_id);
        ok = os && sbom_set_str(os, "licenseConcluded", "NOASSERTION") == 0 &&
            sbom_set_str(os, "licenseDeclared", "NOASSERTION") == 0 &&
            sbom_set_str(os, "supplier", "NOASSERTION") == 0 &&
            sbom_set_str(os, "description", inv->os.pretty_name) == 0 &&
            sbom_set_str(os, "primaryPackagePurpose", "OPERATING_SYSTEM") == 0 &&
            relate(&c, "SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem") == 0;
    }
    for (size_t i = 0; ok && i < inv->npkgs; i++)
        if (inv->pkgs[i])
            ok = add_package(&c, inv->pkgs[i], i + 1) == 0;
    if (ok)
        ok = sbom_set_new(doc, "relationships", c.relationships) == 0; /* consumes it */
    else
        json_decref(c.relationships);
    json_decref(c.licrefs);
    return ok ? 0 : -1;
}

comb_code comb_report_spdx(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err)
{
    if (!inv || !out)
        return comb_fail(err, COMB_EINVAL, "spdx: no inventory or output");
    char uuid[37], ts[32];
    comb_code rc = sbom_uuid(o ? o->uuid : NULL, uuid, err);
    if (rc != COMB_OK)
        return rc;
    if (sbom_timestamp(o ? o->now : 0, ts) != 0)
        return comb_fail(err, COMB_EINVAL, "spdx: timestamp out of range");
    json_t *doc = json_object();
    if (!doc || build(inv, uuid, ts, doc) != 0) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "spdx: out of memory building the document");
    }
    rc = sbom_write(doc, out, "spdx", err);
    json_decref(doc);
    return rc;
}
