/* sbom_import.c - CycloneDX / SPDX JSON SBOM -> comb_inventory (see
 * sbom_import.h). */
#include "sbom/sbom_import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define MAX_SBOM_BYTES (512u << 20)

static int hexv(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static const char *decode(comb_arena *a, const char *s, size_t n)
{
    char *o = comb_arena_alloc(a, n + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv(s[i + 1]) >= 0 &&
            hexv(s[i + 2]) >= 0) {
            o[j++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    return o;
}

int comb_purl_parse(comb_arena *a, const char *purl, comb_purl_parts *out)
{
    memset(out, 0, sizeof *out);
    if (!purl || strncmp(purl, "pkg:", 4))
        return -1;
    const char *s = purl + 4;
    while (*s == '/')
        s++;
    const char *end = s + strlen(s);
    const char *hash = strchr(s, '#');
    if (hash) {
        out->subpath = decode(a, hash + 1, (size_t)(end - hash - 1));
        end = hash;
    }
    const char *q = memchr(s, '?', (size_t)(end - s));
    if (q) {
        const char *p = q + 1;
        while (p < end && out->nqualifiers < 16) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *e = amp ? amp : end;
            const char *eq = memchr(p, '=', (size_t)(e - p));
            if (eq) {
                char *k = (char *)decode(a, p, (size_t)(eq - p));
                if (!k)
                    return -1;
                for (char *c = k; *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                out->qualifier_keys[out->nqualifiers] = k;
                out->qualifier_values[out->nqualifiers] = decode(a, eq + 1, (size_t)(e - eq - 1));
                out->nqualifiers++;
            }
            p = e + 1;
        }
        end = q;
    }
    const char *slash = memchr(s, '/', (size_t)(end - s));
    if (!slash || slash == s)
        return -1;
    char *type = (char *)decode(a, s, (size_t)(slash - s));
    if (!type)
        return -1;
    for (char *c = type; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    out->type = type;
    s = slash + 1;
    while (end > s && end[-1] == '/')
        end--;
    /* version: after the last '@' of the last path segment */
    const char *lastslash = NULL;
    for (const char *p = s; p < end; p++)
        if (*p == '/')
            lastslash = p;
    const char *seg = lastslash ? lastslash + 1 : s;
    const char *at = memchr(seg, '@', (size_t)(end - seg));
    if (at) {
        out->version = decode(a, at + 1, (size_t)(end - at - 1));
        end = at;
    }
    if (lastslash) {
        out->namespace_ = decode(a, s, (size_t)(lastslash - s));
        out->name = decode(a, lastslash + 1, (size_t)(end - lastslash - 1));
    } else {
        out->name = decode(a, s, (size_t)(end - s));
    }
    if (!out->name || !*out->name)
        return -1;
    return 0;
}

const char *comb_purl_qualifier(const comb_purl_parts *p, const char *key)
{
    for (size_t i = 0; i < p->nqualifiers; i++)
        if (!strcmp(p->qualifier_keys[i], key))
            return p->qualifier_values[i];
    return NULL;
}

typedef struct imp {
    comb_inventory *inv;
    comb_pkg **pkgs;
    size_t n, cap;
    size_t skipped;
    const char *distro_id, *distro_ver;
    int oom;
} imp;

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *cdx_prop(json_t *comp, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(comp, "properties"), i, p) {
        const char *n = jstr(p, "name");
        if (n && !strcmp(n, name))
            return jstr(p, "value");
    }
    return NULL;
}

/* the distro qualifier: "debian-12", "alpine-3.10.3", "ubuntu-22.04", or a bare release */
static void note_distro(imp *m, const char *ns, const char *distro)
{
    if (!distro || m->distro_id)
        return;
    comb_arena *a = &m->inv->arena;
    const char *dash = strrchr(distro, '-');
    if (dash && isdigit((unsigned char)dash[1])) {
        m->distro_id = comb_arena_strndup(a, distro, (size_t)(dash - distro));
        m->distro_ver = comb_arena_strdup(a, dash + 1);
    } else if (isdigit((unsigned char)distro[0]) && ns) {
        m->distro_id = comb_arena_strdup(a, ns);
        m->distro_ver = comb_arena_strdup(a, distro);
    }
}

static void add_pkg(imp *m, const char *purl, const char *found_in, const char *src_name,
                    const char *src_version, const char *layer)
{
    comb_arena *a = &m->inv->arena;
    comb_purl_parts pp;
    if (comb_purl_parse(a, purl, &pp) != 0 || !pp.version) {
        m->skipped++;
        return;
    }
    comb_pkg *p = comb_arena_alloc(a, sizeof *p);
    if (!p) {
        m->oom = 1;
        return;
    }
    p->epoch = -1;
    p->name = pp.name;
    p->version = pp.version;
    const char *t = pp.type;
    if (!strcmp(t, "deb")) {
        p->type = COMB_PKG_DPKG;
        const char *colon = strchr(pp.version, ':');
        if (colon)
            p->epoch = atoi(pp.version);
    } else if (!strcmp(t, "apk")) {
        p->type = COMB_PKG_APK;
    } else if (!strcmp(t, "rpm")) {
        p->type = COMB_PKG_RPM;
        const char *ep = comb_purl_qualifier(&pp, "epoch");
        if (ep)
            p->epoch = atoi(ep);
        const char *dash = strrchr(pp.version, '-');
        if (dash) {
            p->rpm_version = comb_arena_strndup(a, pp.version, (size_t)(dash - pp.version));
            p->rpm_release = comb_arena_strdup(a, dash + 1);
        }
    } else if (!strcmp(t, "pypi")) {
        p->type = COMB_PKG_PYTHON;
    } else if (!strcmp(t, "npm")) {
        p->type = COMB_PKG_NPM;
        if (pp.namespace_ && *pp.namespace_)
            p->name = comb_arena_printf(a, "%s/%s", pp.namespace_, pp.name);
    } else if (!strcmp(t, "golang")) {
        if (!pp.namespace_ && !strcmp(pp.name, "stdlib")) {
            p->type = COMB_PKG_GO_STDLIB;
            if (pp.version[0] == 'v')
                p->version = pp.version + 1;
        } else {
            p->type = COMB_PKG_GO;
            if (pp.namespace_ && *pp.namespace_)
                p->name = comb_arena_printf(a, "%s/%s", pp.namespace_, pp.name);
        }
    } else if (!strcmp(t, "maven")) {
        p->type = COMB_PKG_MAVEN;
        p->namespace_ = pp.namespace_;
    } else if (!strcmp(t, "gem")) {
        p->type = COMB_PKG_GEM;
    } else if (!strcmp(t, "cargo")) {
        p->type = COMB_PKG_CARGO;
    } else if (!strcmp(t, "composer")) {
        p->type = COMB_PKG_COMPOSER;
        if (pp.namespace_ && *pp.namespace_)
            p->name = comb_arena_printf(a, "%s/%s", pp.namespace_, pp.name);
    } else {
        m->skipped++;
        return;
    }
    if (comb_pkg_type_is_os(p->type)) {
        note_distro(m, pp.namespace_, comb_purl_qualifier(&pp, "distro"));
        p->arch = comb_purl_qualifier(&pp, "arch");
        const char *up = comb_purl_qualifier(&pp, "upstream");
        if (up) { /* "src" or "src@version" */
            const char *at = strchr(up, '@');
            p->src_name = at ? comb_arena_strndup(a, up, (size_t)(at - up)) : up;
            if (at)
                p->src_version = at + 1;
        }
    }
    if (src_name && *src_name)
        p->src_name = comb_arena_strdup(a, src_name);
    if (src_version && *src_version)
        p->src_version = comb_arena_strdup(a, src_version);
    if (!p->src_name)
        p->src_name = p->name;
    p->purl = comb_arena_strdup(a, purl);
    p->found_in = found_in ? comb_arena_strdup(a, found_in) : NULL;
    p->layer_digest = layer ? comb_arena_strdup(a, layer) : NULL;
    if (!p->name || !p->version || !p->purl) {
        m->oom = 1;
        return;
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        comb_pkg **np = comb_arena_calloc(a, nc, sizeof *np);
        if (!np) {
            m->oom = 1;
            return;
        }
        if (m->n)
            memcpy(np, m->pkgs, m->n * sizeof *np);
        m->pkgs = np;
        m->cap = nc;
    }
    m->pkgs[m->n++] = p;
}

static void cdx_components(imp *m, json_t *comps, int depth)
{
    size_t i;
    json_t *c;
    if (depth > 32)
        return;
    json_array_foreach(comps, i, c) {
        const char *type = jstr(c, "type");
        if (type && !strcmp(type, "operating-system") && !m->inv->os.id) {
            comb_arena *a = &m->inv->arena;
            const char *n = jstr(c, "name"), *v = jstr(c, "version");
            if (n) {
                m->inv->os.id = comb_arena_strdup(a, n);
                m->inv->os.version_id = v ? comb_arena_strdup(a, v) : NULL;
                const char *cn = cdx_prop(c, "comb:os:codename");
                m->inv->os.codename = cn ? comb_arena_strdup(a, cn) : NULL;
                const char *d = jstr(c, "description");
                m->inv->os.pretty_name = d ? comb_arena_strdup(a, d) : NULL;
            }
        }
        const char *purl = jstr(c, "purl");
        if (purl) {
            const char *sn = cdx_prop(c, "comb:source:name");
            if (!sn)
                sn = cdx_prop(c, "aquasecurity:trivy:SrcName");
            const char *sv = cdx_prop(c, "comb:source:version");
            if (!sv)
                sv = cdx_prop(c, "aquasecurity:trivy:SrcVersion");
            add_pkg(m, purl, cdx_prop(c, "comb:found_in"), sn, sv, cdx_prop(c, "comb:layer:digest"));
        } else if (!type || strcmp(type, "operating-system")) {
            if (!json_object_get(c, "components"))
                m->skipped++;
        }
        cdx_components(m, json_object_get(c, "components"), depth + 1);
    }
}

static void spdx_packages(imp *m, json_t *pkgs)
{
    size_t i;
    json_t *p;
    json_array_foreach(pkgs, i, p) {
        const char *purl = NULL;
        size_t k;
        json_t *r;
        json_array_foreach(json_object_get(p, "externalRefs"), k, r) {
            const char *t = jstr(r, "referenceType");
            if (t && !strcmp(t, "purl"))
                purl = jstr(r, "referenceLocator");
        }
        if (!purl) {
            const char *pp = jstr(p, "primaryPackagePurpose");
            if (!pp || (strcmp(pp, "CONTAINER") && strcmp(pp, "OPERATING-SYSTEM")))
                m->skipped++;
            continue;
        }
        /* "built package from: SRC [VERSION]" */
        const char *si = jstr(p, "sourceInfo");
        const char *sn = NULL, *sv = NULL;
        if (si && !strncmp(si, "built package from: ", 20)) {
            const char *s = si + 20, *sp = strchr(s, ' ');
            sn = sp ? comb_arena_strndup(&m->inv->arena, s, (size_t)(sp - s)) : s;
            sv = sp ? sp + 1 : NULL;
        }
        add_pkg(m, purl, NULL, sn, sv, NULL);
    }
}

comb_code comb_sbom_import(const char *path, comb_inventory **out, comb_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return comb_fail(err, COMB_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
    int cdx = jstr(root, "bomFormat") && !strcmp(jstr(root, "bomFormat"), "CycloneDX");
    int spdx = jstr(root, "spdxVersion") != NULL;
    if (!cdx && !spdx) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "%s: neither a CycloneDX nor an SPDX JSON document",
                         path);
    }
    comb_inventory *inv = calloc(1, sizeof *inv);
    if (!inv) {
        json_decref(root);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    comb_arena_init(&inv->arena);
    imp m = { .inv = inv };
    comb_arena *a = &inv->arena;
    inv->image.target = comb_arena_strdup(a, path);
    inv->image.source_kind = cdx ? "cyclonedx" : "spdx";
    if (cdx) {
        json_t *mc = json_object_get(json_object_get(root, "metadata"), "component");
        const char *n = jstr(mc, "name");
        if (n)
            inv->image.name = comb_arena_strdup(a, n);
        cdx_components(&m, json_object_get(root, "components"), 0);
    } else {
        const char *n = jstr(root, "name");
        if (n)
            inv->image.name = comb_arena_strdup(a, n);
        spdx_packages(&m, json_object_get(root, "packages"));
    }
    json_decref(root);
    if (!inv->os.id && m.distro_id) {
        inv->os.id = m.distro_id;
        inv->os.version_id = m.distro_ver;
    }
    inv->pkgs = m.pkgs;
    inv->npkgs = m.n;
    if (m.skipped) {
        inv->warnings = malloc(sizeof *inv->warnings);
        const char *w = comb_arena_printf(a, "%s: %zu components without a usable purl skipped",
                                          path, m.skipped);
        if (inv->warnings && w) {
            inv->warnings[0] = w;
            inv->nwarnings = 1;
        }
    }
    if (m.oom) {
        comb_inventory_free(inv);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    *out = inv;
    return COMB_OK;
}
