/* manifest.c - choosing one image from an OCI index or a docker
 * manifest.json, and reading its manifest and config.
 *
 * Follows the OCI image spec (image-index, manifest, config) and the
 * docker-archive manifest.json written by `docker save` / `podman save`.
 * Selection: a tag (ref-name annotation or RepoTags), then a platform
 * (requested, else the host's), skipping attestation manifests. The chosen
 * layers go into img->order (bottom first) and img->meta; digests are
 * checked afterwards by comb_image_verify().
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/path.h"
#include "image/image_internal.h"
#include "image/store.h"

#define MAX_INDEX_DEPTH 4
#define MAX_CANDIDATES 1024

typedef struct candidate {
    const char *digest, *media_type, *os, *arch, *variant, *ref;
} candidate;

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *adup(comb_image *img, const char *s)
{
    return s ? comb_arena_strdup(&img->arena, s) : NULL;
}

static void host_platform(char *os, size_t osz, char *arch, size_t asz)
{
    struct utsname u;
    snprintf(os, osz, "linux");
    const char *a = "amd64";
    if (uname(&u) == 0) {
        if (!strcmp(u.machine, "aarch64"))
            a = "arm64";
        else if (!strncmp(u.machine, "arm", 3))
            a = "arm";
        else if (!strcmp(u.machine, "s390x") || !strcmp(u.machine, "ppc64le") ||
                 !strcmp(u.machine, "riscv64"))
            a = u.machine;
        else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
            a = "386";
    }
    snprintf(arch, asz, "%.30s", a);
}

static int is_index_type(const char *mt)
{
    return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
                  !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

/* Collect image manifests reachable from an index document. */
static comb_code collect(comb_image *img, json_t *index, const char *ref, int depth,
                         comb_doc_lookup lookup, candidate *out, size_t *n, comb_err *err)
{
    json_t *mans = json_object_get(index, "manifests");
    if (!json_is_array(mans))
        return comb_fail(err, COMB_EFORMAT, "image index has no \"manifests\" array");
    size_t i;
    json_t *m;
    json_array_foreach(mans, i, m) {
        if (!json_is_object(m))
            return comb_fail(err, COMB_EFORMAT, "image index: manifests[%zu] is not an object", i);
        const char *digest = jstr(m, "digest");
        if (!comb_digest_valid(digest))
            return comb_fail(err, COMB_EFORMAT, "image index: manifests[%zu]: bad digest", i);
        const char *mt = jstr(m, "mediaType");
        json_t *msz = json_object_get(m, "size");
        if (msz && (!json_is_integer(msz) || json_integer_value(msz) < 0))
            return comb_fail(err, COMB_EFORMAT, "image index: manifests[%zu]: size is not a non-negative integer", i);
        json_t *ann = json_object_get(m, "annotations");
        const char *r = ref;
        if (json_is_object(ann)) {
            const char *rn = jstr(ann, "org.opencontainers.image.ref.name");
            if (rn)
                r = rn;
            const char *t = jstr(ann, "vnd.docker.reference.type");
            if (t && !strcmp(t, "attestation-manifest"))
                continue;
            if (rn && comb_store_is_artifact_tag(rn))
                continue; /* a signature or referrers list, not an image */
        }
        if (jstr(m, "artifactType"))
            continue; /* an artifact (signature bundle, SBOM) attached to an image */
        if (is_index_type(mt)) {
            if (depth >= MAX_INDEX_DEPTH)
                return comb_fail(err, COMB_ELIMIT, "image indexes nested deeper than %d",
                                 MAX_INDEX_DEPTH);
            size_t len;
            const unsigned char *data = lookup(img, digest, &len, err);
            if (!data)
                return err->code;
            json_error_t je;
            json_t *sub = json_loadb((const char *)data, len, 0, &je);
            if (!json_is_object(sub)) {
                json_decref(sub);
                return comb_fail(err, COMB_EFORMAT, "image index %.19s: %s", digest, je.text);
            }
            comb_code rc = collect(img, sub, r, depth + 1, lookup, out, n, err);
            json_decref(sub);
            if (rc)
                return rc;
            continue;
        }
        if (*n >= MAX_CANDIDATES)
            return comb_fail(err, COMB_ELIMIT, "more than %d manifests", MAX_CANDIDATES);
        candidate *c = &out[(*n)++];
        memset(c, 0, sizeof *c);
        c->digest = adup(img, digest);
        c->media_type = adup(img, mt);
        c->ref = adup(img, r);
        json_t *pf = json_object_get(m, "platform");
        if (json_is_object(pf)) {
            c->os = adup(img, jstr(pf, "os"));
            c->arch = adup(img, jstr(pf, "architecture"));
            c->variant = adup(img, jstr(pf, "variant"));
        }
        if (c->os && !strcmp(c->os, "unknown"))
            (*n)--; /* buildkit attestation blobs */
    }
    return COMB_OK;
}

int comb_tag_matches(const char *want, const char *have)
{
    if (!want || !have)
        return 0;
    if (!strcmp(want, have))
        return 1;
    size_t wl = strlen(want), hl = strlen(have);
    /* "alpine:3.10" matches "docker.io/library/alpine:3.10" */
    if (hl > wl && have[hl - wl - 1] == '/' && !strcmp(have + hl - wl, want))
        return 1;
    if (!strchr(want, ':')) {
        char buf[1024];
        snprintf(buf, sizeof buf, "%s:latest", want);
        return comb_tag_matches(buf, have);
    }
    return 0;
}

static int platform_matches(const char *want, const candidate *c)
{
    char os[64] = "", arch[64] = "", var[64] = "";
    sscanf(want, "%63[^/]/%63[^/]/%63s", os, arch, var);
    if (!c->os || !c->arch)
        return 0;
    if (strcmp(os, c->os) || strcmp(arch, c->arch))
        return 0;
    if (var[0] && (!c->variant || strcmp(var, c->variant)))
        return 0;
    return 1;
}

/* Fill meta from a config blob and check it against the layer count. */
static comb_code read_config(comb_image *img, const unsigned char *data, size_t len,
                             size_t nlayers, comb_err *err)
{
    json_error_t je;
    json_t *cfg = json_loadb((const char *)data, len, 0, &je);
    if (!json_is_object(cfg)) {
        json_decref(cfg);
        return comb_fail(err, COMB_EFORMAT, "image config: %s", je.text);
    }
    comb_image_meta *m = &img->meta;
    /* kept whole for the configuration checks (user, env, ports, history) */
    char *raw = comb_arena_alloc(&img->arena, len + 1);
    if (!raw) {
        json_decref(cfg);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    memcpy(raw, data, len);
    raw[len] = '\0';
    m->config_json = raw;
    m->config_len = len;
    m->os = adup(img, jstr(cfg, "os"));
    m->arch = adup(img, jstr(cfg, "architecture"));
    m->variant = adup(img, jstr(cfg, "variant"));
    m->created = adup(img, jstr(cfg, "created"));
    json_t *rootfs = json_object_get(cfg, "rootfs");
    json_t *ids = json_is_object(rootfs) ? json_object_get(rootfs, "diff_ids") : NULL;
    if (!json_is_array(ids) || json_array_size(ids) != nlayers) {
        json_decref(cfg);
        return comb_fail(err, COMB_EFORMAT,
                         "image config: rootfs.diff_ids lists %zu layers, the manifest %zu",
                         json_is_array(ids) ? json_array_size(ids) : 0, nlayers);
    }
    for (size_t i = 0; i < nlayers; i++) {
        json_t *d = json_array_get(ids, i);
        if (!json_is_string(d) || !comb_digest_valid(json_string_value(d))) {
            json_decref(cfg);
            return comb_fail(err, COMB_EFORMAT, "image config: diff_ids[%zu] is not a sha256 digest", i);
        }
        m->layers[i].diff_id = adup(img, json_string_value(d));
    }
    json_t *hist = json_object_get(cfg, "history");
    if (json_is_array(hist)) {
        size_t li = 0, i;
        json_t *h;
        json_array_foreach(hist, i, h) {
            if (!json_is_object(h))
                continue;
            if (json_is_true(json_object_get(h, "empty_layer")))
                continue;
            if (li < nlayers)
                m->layers[li].created_by = adup(img, jstr(h, "created_by"));
            li++;
        }
    }
    json_decref(cfg);
    return COMB_OK;
}

static comb_code alloc_layers(comb_image *img, size_t n, comb_err *err)
{
    if (n > COMB_MAX_LAYERS)
        return comb_fail(err, COMB_ELIMIT, "image has %zu layers (limit %d)", n, COMB_MAX_LAYERS);
    img->meta.layers = comb_arena_calloc(&img->arena, n ? n : 1, sizeof *img->meta.layers);
    img->order = comb_arena_calloc(&img->arena, n ? n : 1, sizeof *img->order);
    if (!img->meta.layers || !img->order)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    img->meta.nlayers = img->norder = n;
    return COMB_OK;
}

static int find_blob(comb_image *img, const char *key)
{
    for (size_t i = 0; i < img->nblobs; i++)
        if (!strcmp(img->blobs[i].key, key))
            return (int)i;
    return -1;
}

comb_code comb_select_oci(comb_image *img, const unsigned char *index, size_t len,
                          comb_doc_lookup lookup, comb_err *err)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)index, len, 0, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "index.json: %s (line %d)", je.text, je.line);
    }
    candidate *cands = calloc(MAX_CANDIDATES, sizeof *cands);
    if (!cands) {
        json_decref(root);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    size_t n = 0;
    comb_code rc = collect(img, root, NULL, 0, lookup, cands, &n, err);
    json_decref(root);
    root = NULL;
    if (rc)
        goto done;
    /* by tag */
    if (img->tag) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (comb_tag_matches(img->tag, cands[i].ref))
                cands[k++] = cands[i];
        if (!k) {
            rc = comb_fail(err, COMB_ENOTFOUND, "no image tagged \"%s\"", img->tag);
            goto done;
        }
        n = k;
    }
    if (n == 0) {
        rc = comb_fail(err, COMB_ENOTFOUND, "index.json lists no image manifest");
        goto done;
    }
    /* by platform */
    char want[200];
    int have_platform = 0;
    for (size_t i = 0; i < n; i++)
        if (cands[i].arch)
            have_platform = 1;
    if (img->platform) {
        snprintf(want, sizeof want, "%s", img->platform);
    } else {
        char os[80], arch[80];
        host_platform(os, sizeof os, arch, sizeof arch);
        snprintf(want, sizeof want, "%s/%s", os, arch);
    }
    size_t pick = SIZE_MAX;
    if (n == 1 && (!img->platform || !have_platform)) {
        pick = 0;
    } else if (have_platform) {
        for (size_t i = 0; i < n && pick == SIZE_MAX; i++)
            if (platform_matches(want, &cands[i]))
                pick = i;
        if (pick == SIZE_MAX && n == 1 && !img->platform)
            pick = 0;
    } else {
        /* several images without platforms: they must be told apart by tag */
        int same = 1;
        for (size_t i = 1; i < n; i++)
            if (strcmp(cands[i].digest, cands[0].digest))
                same = 0;
        if (same)
            pick = 0;
    }
    if (pick == SIZE_MAX) {
        char list[1024] = "";
        size_t o = 0;
        for (size_t i = 0; i < n && o < sizeof list - 80; i++) {
            int w = snprintf(list + o, sizeof list - o, "%s%s%s%s%s%s", i ? ", " : "",
                             cands[i].os ? cands[i].os : "?", "/",
                             cands[i].arch ? cands[i].arch : "?", cands[i].ref ? " tag " : "",
                             cands[i].ref ? cands[i].ref : "");
            if (w > 0)
                o += (size_t)w;
        }
        rc = comb_fail(err, COMB_ENOTFOUND,
                       have_platform ? "no image for platform %s (available: %s); use --platform"
                                     : "several images (%s%s); pick one with TARGET:TAG",
                       have_platform ? want : "", list);
        goto done;
    }
    candidate *c = &cands[pick];
    size_t mlen;
    const unsigned char *mdata = lookup(img, c->digest, &mlen, err);
    if (!mdata) {
        rc = err->code;
        goto done;
    }
    json_t *man = json_loadb((const char *)mdata, mlen, 0, &je);
    if (!json_is_object(man)) {
        json_decref(man);
        rc = comb_fail(err, COMB_EFORMAT, "manifest %.19s: %s", c->digest, je.text);
        goto done;
    }
    json_t *cfgd = json_object_get(man, "config");
    json_t *layers = json_object_get(man, "layers");
    const char *cfg_digest = json_is_object(cfgd) ? jstr(cfgd, "digest") : NULL;
    if (!comb_digest_valid(cfg_digest) || !json_is_array(layers)) {
        json_decref(man);
        rc = comb_fail(err, COMB_EFORMAT, "manifest %.19s: missing config or layers", c->digest);
        goto done;
    }
    img->meta.manifest_digest = adup(img, c->digest);
    img->meta.config_digest = adup(img, cfg_digest);
    img->meta.name = c->ref;
    rc = alloc_layers(img, json_array_size(layers), err);
    for (size_t i = 0; rc == COMB_OK && i < img->norder; i++) {
        json_t *l = json_array_get(layers, i);
        const char *d = json_is_object(l) ? jstr(l, "digest") : NULL;
        if (!comb_digest_valid(d)) {
            rc = comb_fail(err, COMB_EFORMAT, "manifest: layers[%zu]: bad or unsupported digest", i);
            break;
        }
        comb_layer_info *li = &img->meta.layers[i];
        li->digest = adup(img, d);
        li->media_type = adup(img, jstr(l, "mediaType"));
        json_t *sz = json_object_get(l, "size");
        if (sz && (!json_is_integer(sz) || json_integer_value(sz) < 0)) {
            rc = comb_fail(err, COMB_EFORMAT, "manifest: layers[%zu]: size is not a non-negative integer", i);
            break;
        }
        li->size = sz ? (uint64_t)json_integer_value(sz) : 0;
        li->declared_size = sz != NULL;
        char key[100];
        snprintf(key, sizeof key, "blobs/sha256/%s", d + 7);
        int b = find_blob(img, key);
        if (b < 0 && img->kind == SRC_OCI_LAYOUT)
            b = comb_image_add_blob(img, key);
        if (b < 0) {
            rc = comb_fail(err, COMB_ENOTFOUND, "layer %.19s is missing from the archive", d);
            break;
        }
        img->order[i] = b;
    }
    json_decref(man);
    if (rc)
        goto done;
    size_t clen;
    const unsigned char *cdata = lookup(img, img->meta.config_digest, &clen, err);
    if (!cdata) {
        rc = err->code;
        goto done;
    }
    rc = read_config(img, cdata, clen, img->norder, err);
done:
    free(cands);
    return rc;
}

static const comb_doc *find_doc(comb_image *img, const char *key)
{
    for (int hops = 0; hops < 8; hops++) {
        for (size_t i = 0; i < img->ndocs; i++)
            if (!strcmp(img->docs[i].key, key))
                return &img->docs[i];
        const char *next = NULL;
        for (size_t i = 0; i < img->nlinks; i++)
            if (!strcmp(img->links[i].key, key))
                next = img->links[i].target;
        if (!next)
            return NULL;
        key = next;
    }
    return NULL;
}

static int find_blob_link(comb_image *img, const char *key)
{
    for (int hops = 0; hops < 8; hops++) {
        int b = find_blob(img, key);
        if (b >= 0)
            return b;
        const char *next = NULL;
        for (size_t i = 0; i < img->nlinks; i++)
            if (!strcmp(img->links[i].key, key))
                next = img->links[i].target;
        if (!next)
            return -1;
        key = next;
    }
    return -1;
}

comb_code comb_select_docker(comb_image *img, const unsigned char *data, size_t len, comb_err *err)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, 0, &je);
    if (!json_is_array(root) || json_array_size(root) == 0) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "manifest.json: %s",
                         root ? "not a non-empty array" : je.text);
    }
    json_t *pick = NULL;
    const char *name = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(root, i, m) {
        if (!json_is_object(m))
            continue;
        json_t *tags = json_object_get(m, "RepoTags");
        const char *first = json_is_array(tags) ? json_string_value(json_array_get(tags, 0)) : NULL;
        if (!img->tag) {
            if (pick) {
                json_decref(root);
                return comb_fail(err, COMB_EINVAL,
                                 "manifest.json holds several images; pick one with TARGET:TAG");
            }
            pick = m;
            name = first;
            continue;
        }
        size_t k;
        json_t *t;
        json_array_foreach(tags, k, t) {
            if (json_is_string(t) && comb_tag_matches(img->tag, json_string_value(t)) && !pick) {
                pick = m;
                name = json_string_value(t);
            }
        }
    }
    if (!pick) {
        json_decref(root);
        return img->tag ? comb_fail(err, COMB_ENOTFOUND, "no image tagged \"%s\"", img->tag)
                        : comb_fail(err, COMB_EFORMAT, "manifest.json: no image entry");
    }
    img->meta.name = adup(img, name);
    const char *cfg = jstr(pick, "Config");
    json_t *layers = json_object_get(pick, "Layers");
    comb_code rc = COMB_OK;
    if (!cfg || !json_is_array(layers)) {
        rc = comb_fail(err, COMB_EFORMAT, "manifest.json: entry without Config or Layers");
        goto done;
    }
    char key[COMB_PATH_MAX + 1];
    if (comb_path_normalize(cfg, key, sizeof key) <= 0) {
        rc = comb_fail(err, COMB_EFORMAT, "manifest.json: bad Config path");
        goto done;
    }
    const comb_doc *cd = find_doc(img, key);
    if (!cd) {
        rc = comb_fail(err, COMB_ENOTFOUND, "config %s is missing from the archive", key);
        goto done;
    }
    /* "<hex>.json" or "blobs/sha256/<hex>": the name is the config digest */
    {
        const char *b = comb_path_base(key);
        char hex[65];
        if (strlen(b) >= 64 && sscanf(b, "%64[0-9a-f]", hex) == 1 && strlen(hex) == 64) {
            if (strcmp(cd->digest + 7, hex)) {
                rc = comb_fail(err, COMB_EDIGEST, "config %s: content digest is %s", key, cd->digest);
                goto done;
            }
        }
        img->meta.config_digest = adup(img, cd->digest);
    }
    rc = alloc_layers(img, json_array_size(layers), err);
    for (size_t li = 0; rc == COMB_OK && li < img->norder; li++) {
        const char *lp = json_string_value(json_array_get(layers, li));
        if (!lp || comb_path_normalize(lp, key, sizeof key) <= 0) {
            rc = comb_fail(err, COMB_EFORMAT, "manifest.json: Layers[%zu] is not a path", li);
            break;
        }
        int b = find_blob_link(img, key);
        if (b < 0 || !(img->blobs[b].candidate || img->blobs[b].is_layer)) {
            rc = comb_fail(err, COMB_ENOTFOUND, "layer %s is missing from the archive or not a tar", key);
            break;
        }
        img->order[li] = b; /* digest and size are filled in once it is read */
        img->meta.layers[li].media_type = "application/vnd.docker.image.rootfs.diff.tar";
    }
    if (rc == COMB_OK)
        rc = read_config(img, cd->data, cd->len, img->norder, err);
done:
    json_decref(root);
    return rc;
}
