/* cyclonedx.c - the inventory as a CycloneDX 1.6 JSON BOM.
 *
 * Spec: https://cyclonedx.org/docs/1.6/json/ (schema bom-1.6.schema.json).
 * metadata.component is the image (type "container"); components are the
 * operating system ("operating-system") and every package ("library");
 * the image dependsOn all of them. comb-specific facts (package type,
 * layer, file found in, source package, epoch) are "comb:..." properties.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "report/sbom_util.h"

#ifndef COMB_VERSION
#define COMB_VERSION "0.0.0"
#endif

/* bom-refs used so far (object keys), so every one is unique. */
typedef struct cdx_ctx {
    json_t *refs;
    json_t *depends; /* the image's dependsOn */
} cdx_ctx;

/* Set comp["bom-ref"] to base, or base#<n> when base is taken, and list
 * it in the image's dependsOn when depend is set. */
static int set_ref(cdx_ctx *c, json_t *comp, const char *base, int depend, const char **ref_out)
{
    json_t *clean = sbom_str(base); /* valid UTF-8 from here on */
    if (!clean)
        return -1;
    char *cand = strdup(json_string_value(clean));
    for (unsigned n = 2; cand && json_object_get(c->refs, cand); n++) {
        free(cand);
        if (asprintf(&cand, "%s#%u", json_string_value(clean), n) < 0)
            cand = NULL;
    }
    json_decref(clean);
    int rc = -1;
    if (cand && json_object_set_new(c->refs, cand, json_true()) == 0 &&
        sbom_set_str(comp, "bom-ref", cand) == 0 &&
        (!depend || sbom_append_new(c->depends, json_string(cand)) == 0))
        rc = 0;
    if (ref_out)
        *ref_out = rc == 0 ? json_string_value(json_object_get(comp, "bom-ref")) : NULL;
    free(cand);
    return rc;
}

/* A name/value property; absent and empty values are left out. */
static int add_prop(json_t *props, const char *name, const char *value)
{
    if (!value || !*value)
        return 0;
    json_t *p = sbom_push_obj(props);
    if (!p || sbom_set_str(p, "name", name) != 0 || sbom_set_str(p, "value", value) != 0)
        return -1;
    return 0;
}

static int add_prop_int(json_t *props, const char *name, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return add_prop(props, name, buf);
}

/* Attach props as comp["properties"] when it has entries; always consumes it. */
static int attach_props(json_t *comp, json_t *props, int ok)
{
    if (ok && json_array_size(props) > 0)
        return json_object_set_new(comp, "properties", props);
    json_decref(props);
    return ok ? 0 : -1;
}

/* licenses: [{license:{id}}] for one known SPDX id, [{expression}] for a
 * recognised SPDX expression, else [{license:{name}}]. */
static int add_licenses(json_t *comp, const char *license)
{
    if (!license || !*license)
        return 0;
    char *canon = NULL;
    int single = 0;
    int r = sbom_license_expr(license, &canon, &single);
    if (r < 0)
        return -1;
    int rc = -1;
    json_t *arr = sbom_add_arr(comp, "licenses");
    json_t *entry = arr ? sbom_push_obj(arr) : NULL;
    if (entry) {
        if (r == 1 && !single) {
            rc = sbom_set_str(entry, "expression", canon);
        } else {
            json_t *lic = sbom_add_obj(entry, "license");
            rc = lic ? sbom_set_str(lic, r == 1 ? "id" : "name", r == 1 ? canon : license) : -1;
        }
    }
    free(canon);
    return rc;
}

static int add_package(cdx_ctx *c, json_t *comps, const comb_pkg *p)
{
    json_t *comp = sbom_push_obj(comps);
    if (!comp)
        return -1;
    char *owned = NULL;
    const char *purl = p->purl && *p->purl ? p->purl : NULL;
    const char *base = purl;
    if (!base) {
        if (asprintf(&owned, "comb:pkg:%s/%s%s%s", comb_pkg_type_name(p->type),
                     p->name ? p->name : "unknown", p->version ? "@" : "",
                     p->version ? p->version : "") < 0)
            return -1;
        base = owned;
    }
    int rc = set_ref(c, comp, base, 1, NULL);
    free(owned);
    if (rc != 0 || sbom_set_str(comp, "type", "library") != 0 ||
        (p->maintainer && *p->maintainer && sbom_set_str(comp, "publisher", p->maintainer) != 0) ||
        (p->type == COMB_PKG_MAVEN && sbom_set_str(comp, "group", p->namespace_) != 0) ||
        sbom_set_str(comp, "name", p->name && *p->name ? p->name : "unknown") != 0 ||
        sbom_set_str(comp, "version", p->version) != 0 ||
        add_licenses(comp, p->license) != 0 ||
        sbom_set_str(comp, "purl", purl) != 0)
        return -1;

    json_t *props = json_array();
    int ok = props &&
        add_prop(props, "comb:package:type", comb_pkg_type_name(p->type)) == 0 &&
        add_prop(props, "comb:package:arch", p->arch) == 0 &&
        (p->epoch < 0 ||
         add_prop_int(props, p->type == COMB_PKG_RPM ? "comb:rpm:epoch" : "comb:package:epoch",
                      p->epoch) == 0) &&
        add_prop(props, "comb:rpm:version", p->rpm_version) == 0 &&
        add_prop(props, "comb:rpm:release", p->rpm_release) == 0 &&
        add_prop(props, "comb:rpm:modularitylabel", p->modularity) == 0 &&
        add_prop(props, "comb:source:name", p->src_name) == 0 &&
        add_prop(props, "comb:source:version", p->src_version) == 0 &&
        add_prop(props, "comb:found_in", p->found_in) == 0 &&
        add_prop(props, "comb:inner_path", p->inner_path) == 0 &&
        add_prop(props, "comb:owner", p->owner) == 0 &&
        add_prop(props, "comb:layer:digest", p->layer_digest) == 0 &&
        add_prop(props, "comb:layer:diff_id", p->layer_diff_id) == 0;
    return attach_props(comp, props, ok);
}

static int add_image(cdx_ctx *c, json_t *meta, const comb_image_meta *im, const char **ref)
{
    const char *name = im->name ? im->name : im->target ? im->target : "unknown";
    json_t *comp = sbom_add_obj(meta, "component");
    char *base = NULL;
    if (!comp || asprintf(&base, "comb:image:%s", im->config_digest ? im->config_digest : name) < 0)
        return -1;
    int rc = set_ref(c, comp, base, 0, ref);
    free(base);
    if (rc != 0 || sbom_set_str(comp, "type", "container") != 0 ||
        sbom_set_str(comp, "name", name) != 0 ||
        sbom_set_str(comp, "version", im->config_digest) != 0)
        return -1;
    json_t *props = json_array();
    int ok = props &&
        add_prop(props, "comb:image:target", im->target) == 0 &&
        add_prop(props, "comb:image:source_kind", im->source_kind) == 0 &&
        add_prop(props, "comb:image:config_digest", im->config_digest) == 0 &&
        add_prop(props, "comb:image:manifest_digest", im->manifest_digest) == 0 &&
        add_prop(props, "comb:image:os", im->os) == 0 &&
        add_prop(props, "comb:image:architecture", im->arch) == 0 &&
        add_prop(props, "comb:image:variant", im->variant) == 0 &&
        add_prop(props, "comb:image:created", im->created) == 0;
    for (size_t i = 0; ok && im->layers && i < im->nlayers; i++)
        ok = add_prop(props, "comb:image:layer:diff_id", im->layers[i].diff_id) == 0;
    return attach_props(comp, props, ok);
}

static int add_os(cdx_ctx *c, json_t *comps, const comb_os *os)
{
    json_t *comp = sbom_push_obj(comps);
    char *base = NULL;
    if (!comp || asprintf(&base, "comb:os:%s@%s", os->id, os->version_id ? os->version_id : "") < 0)
        return -1;
    int rc = set_ref(c, comp, base, 1, NULL);
    free(base);
    if (rc != 0 || sbom_set_str(comp, "type", "operating-system") != 0 ||
        sbom_set_str(comp, "name", os->id) != 0 ||
        sbom_set_str(comp, "version", os->version_id) != 0 ||
        sbom_set_str(comp, "description", os->pretty_name) != 0)
        return -1;
    json_t *props = json_array();
    int ok = props &&
        add_prop(props, "comb:os:codename", os->codename) == 0 &&
        add_prop(props, "comb:os:id_like", os->id_like) == 0 &&
        (!os->distroless || add_prop(props, "comb:os:distroless", "true") == 0) &&
        add_prop(props, "comb:found_in", os->found_in) == 0;
    return attach_props(comp, props, ok);
}

static int build(const comb_inventory *inv, const char *serial, const char *ts, json_t *doc)
{
    cdx_ctx c = {.refs = json_object()};
    const char *image_ref = NULL;
    int ok = c.refs &&
        sbom_set_str(doc, "bomFormat", "CycloneDX") == 0 &&
        sbom_set_str(doc, "specVersion", "1.6") == 0 &&
        sbom_set_str(doc, "serialNumber", serial) == 0 &&
        sbom_set_new(doc, "version", json_integer(1)) == 0;

    json_t *meta = ok ? sbom_add_obj(doc, "metadata") : NULL;
    json_t *tools = meta && sbom_set_str(meta, "timestamp", ts) == 0 ? sbom_add_obj(meta, "tools") : NULL;
    json_t *tcomps = tools ? sbom_add_arr(tools, "components") : NULL;
    json_t *tool = tcomps ? sbom_push_obj(tcomps) : NULL;
    ok = tool && sbom_set_str(tool, "type", "application") == 0 &&
        sbom_set_str(tool, "name", "comb") == 0 &&
        sbom_set_str(tool, "version", COMB_VERSION) == 0 &&
        add_image(&c, meta, &inv->image, &image_ref) == 0;

    json_t *comps = ok ? sbom_add_arr(doc, "components") : NULL;
    json_t *deps = comps ? sbom_add_arr(doc, "dependencies") : NULL;
    json_t *dep = deps ? sbom_push_obj(deps) : NULL;
    ok = dep && sbom_set_str(dep, "ref", image_ref) == 0 &&
        (c.depends = sbom_add_arr(dep, "dependsOn")) != NULL;

    if (ok && inv->os.id)
        ok = add_os(&c, comps, &inv->os) == 0;
    for (size_t i = 0; ok && i < inv->npkgs; i++)
        if (inv->pkgs[i])
            ok = add_package(&c, comps, inv->pkgs[i]) == 0;
    json_decref(c.refs);
    return ok ? 0 : -1;
}

comb_code comb_report_cyclonedx(const comb_inventory *inv, const comb_report_opts *o, FILE *out, comb_err *err)
{
    if (!inv || !out)
        return comb_fail(err, COMB_EINVAL, "cyclonedx: no inventory or output");
    char uuid[37], ts[32], serial[64];
    comb_code rc = sbom_uuid(o ? o->uuid : NULL, uuid, err);
    if (rc != COMB_OK)
        return rc;
    if (sbom_timestamp(o ? o->now : 0, ts) != 0)
        return comb_fail(err, COMB_EINVAL, "cyclonedx: timestamp out of range");
    snprintf(serial, sizeof serial, "urn:uuid:%s", uuid);

    json_t *doc = json_object();
    if (!doc || build(inv, serial, ts, doc) != 0) {
        json_decref(doc);
        return comb_fail(err, COMB_ENOMEM, "cyclonedx: out of memory building the document");
    }
    rc = sbom_write(doc, out, "cyclonedx", err);
    json_decref(doc);
    return rc;
}
