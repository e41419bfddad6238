/* json.c - comb's own JSON inventory ("schema": "comb-sbom/1"): every field
 * the analyzers found, for scripts and for comb itself. Unknown fields are
 * omitted rather than written as null. */
#include <jansson.h>

#include "report/report.h"
#include "report/sbom_util.h"

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

comb_code comb_report_json(const comb_inventory *inv, const comb_report_opts *o, FILE *out,
                           comb_err *err)
{
    (void)o;
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_string("comb-sbom/1"));
    set_str(root, "target", inv->image.target);
    set_str(root, "source", inv->image.source_kind);
    json_t *img = json_object();
    set_str(img, "name", inv->image.name);
    set_str(img, "config_digest", inv->image.config_digest);
    set_str(img, "manifest_digest", inv->image.manifest_digest);
    set_str(img, "os", inv->image.os);
    set_str(img, "arch", inv->image.arch);
    set_str(img, "variant", inv->image.variant);
    set_str(img, "created", inv->image.created);
    json_t *layers = json_array();
    for (size_t i = 0; i < inv->image.nlayers; i++) {
        const comb_layer_info *l = &inv->image.layers[i];
        json_t *lj = json_object();
        set_str(lj, "digest", l->digest);
        set_str(lj, "diff_id", l->diff_id);
        set_str(lj, "media_type", l->media_type);
        json_object_set_new(lj, "size", json_integer((json_int_t)l->size));
        set_str(lj, "created_by", l->created_by);
        json_array_append_new(layers, lj);
    }
    json_object_set_new(img, "layers", layers);
    json_object_set_new(root, "image", img);
    json_t *os = json_object();
    set_str(os, "id", inv->os.id);
    set_str(os, "version_id", inv->os.version_id);
    set_str(os, "pretty_name", inv->os.pretty_name);
    set_str(os, "codename", inv->os.codename);
    if (inv->os.distroless)
        json_object_set_new(os, "distroless", json_true());
    json_object_set_new(root, "os", os);
    json_t *pkgs = json_array();
    for (size_t i = 0; i < inv->npkgs; i++) {
        const comb_pkg *p = inv->pkgs[i];
        json_t *pj = json_object();
        set_str(pj, "type", comb_pkg_type_name(p->type));
        set_str(pj, "group", p->namespace_);
        set_str(pj, "name", p->name);
        set_str(pj, "version", p->version);
        if (p->epoch >= 0)
            json_object_set_new(pj, "epoch", json_integer(p->epoch));
        set_str(pj, "release", p->rpm_release);
        set_str(pj, "arch", p->arch);
        set_str(pj, "source_name", p->src_name);
        set_str(pj, "source_version", p->src_version);
        set_str(pj, "license", p->license);
        set_str(pj, "maintainer", p->maintainer);
        set_str(pj, "modularity", p->modularity);
        set_str(pj, "purl", p->purl);
        set_str(pj, "found_in", p->found_in);
        set_str(pj, "inner_path", p->inner_path);
        set_str(pj, "owner", p->owner);
        set_str(pj, "layer_digest", p->layer_digest);
        set_str(pj, "layer_diff_id", p->layer_diff_id);
        if (p->nfiles) {
            json_t *fa = json_array();
            for (size_t j = 0; j < p->nfiles; j++)
                if (p->files[j])
                    json_array_append_new(fa, json_string(p->files[j]));
            json_object_set_new(pj, "files", fa);
        }
        json_array_append_new(pkgs, pj);
    }
    json_object_set_new(root, "packages", pkgs);
    json_t *warns = json_array();
    for (size_t i = 0; i < inv->nwarnings; i++)
        json_array_append_new(warns, json_string(inv->warnings[i]));
    json_object_set_new(root, "warnings", warns);
    comb_code rc = sbom_write(root, out, "JSON", err);
    json_decref(root);
    return rc;
}
