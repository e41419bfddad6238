/* remote.c - images in a registry (see registry/client.h).
 *
 * Opening fetches the manifest (by tag or digest) and, for an index, the
 * platform's manifest, then the config: all small, verified documents kept
 * like a layout's, so manifest.c chooses the image exactly as it does for
 * an OCI layout. The walk opens each chosen layer that the layer cache does
 * not have as an HTTP stream and hands it to the layer walker as its raw
 * source: nothing is written to disk, and the blob digest, diff_id and size
 * are checked after the walk like those of any other image (image.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_internal.h"
#include "registry/client.h"

#define MAX_CONFIG (4u << 20)

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int comb_looks_like_ref(const char *s)
{
    static const char *const file_like[] = { ".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.xz",
                                             ".oci", ".json" };
    if (!s[0] || s[0] == '/' || s[0] == '.' || s[0] == '~')
        return 0;
    for (size_t i = 0; i < sizeof file_like / sizeof file_like[0]; i++)
        if (ends_with(s, file_like[i]))
            return 0;
    comb_ref r;
    comb_err e;
    return comb_ref_parse(s, &r, &e) == COMB_OK;
}

int comb_names_no_registry(const char *s)
{
    size_t n = strcspn(s, "/");
    if (!s[n])
        return 1; /* one component: a bare name */
    if (n == 9 && !strncmp(s, "localhost", 9))
        return 1;
    return !memchr(s, '.', n) && !memchr(s, ':', n);
}

static const unsigned char *remote_lookup(comb_image *img, const char *digest, size_t *len,
                                          comb_err *err)
{
    char key[100];
    const unsigned char *known = comb_image_blob_doc(img, digest, len, key);
    if (known)
        return known;
    unsigned char *data = NULL;
    size_t n = 0;
    comb_code rc;
    if (img->meta.config_digest && !strcmp(digest, img->meta.config_digest)) {
        rc = comb_registry_blob(img->remote, digest, MAX_CONFIG, &data, &n, err);
    } else {
        char mt[128], got[72];
        rc = comb_registry_manifest(img->remote, digest, &data, &n, mt, sizeof mt, got, err);
    }
    if (rc || comb_image_add_doc(img, key, digest, data, n, err))
        return NULL;
    *len = n;
    return data;
}

static int is_index(const char *mt)
{
    return !strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
           !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static int is_manifest(const char *mt)
{
    return !strcmp(mt, "application/vnd.oci.image.manifest.v1+json") ||
           !strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json");
}

comb_code comb_open_remote(comb_image *img, const char *refstr, comb_err *err)
{
    comb_ref ref;
    comb_code rc = comb_ref_parse(refstr, &ref, err);
    if (rc)
        return rc;
    rc = comb_registry_open(&ref, img->registry_opts, &img->remote, err);
    if (rc)
        return rc;
    char name[600];
    comb_ref_format(&ref, name, sizeof name);
    img->meta.name = comb_arena_strdup(&img->arena, name);
    unsigned char *data;
    size_t len;
    char mt[128], digest[72];
    rc = comb_registry_manifest(img->remote, ref.digest[0] ? ref.digest : ref.tag, &data, &len, mt,
                                sizeof mt, digest, err);
    if (rc)
        return rc;
    /* the Content-Type may be missing or generic: the document says what it is */
    json_error_t je;
    json_t *doc = json_loadb((const char *)data, len, 0, &je);
    if (!json_is_object(doc)) {
        json_decref(doc);
        free(data);
        return comb_fail(err, COMB_EFORMAT, "registry %s: manifest: %s", name,
                         doc ? "not a JSON object" : je.text);
    }
    json_t *jmt = json_object_get(doc, "mediaType");
    if (json_is_string(jmt) && json_string_length(jmt) < sizeof mt)
        snprintf(mt, sizeof mt, "%s", json_string_value(jmt));
    else if (!is_index(mt) && !is_manifest(mt))
        snprintf(mt, sizeof mt, "%s", json_object_get(doc, "manifests")
                                          ? "application/vnd.oci.image.index.v1+json"
                                          : "application/vnd.oci.image.manifest.v1+json");
    json_t *schema = json_object_get(doc, "schemaVersion");
    int schema1 = json_is_integer(schema) && json_integer_value(schema) == 1;
    json_decref(doc);
    if (schema1 || (!is_index(mt) && !is_manifest(mt))) {
        free(data);
        return comb_fail(err, COMB_EUNSUPPORTED, "registry %s: manifest type %s is not supported",
                         name, schema1 ? "Docker schema 1" : mt);
    }
    if (is_index(mt)) {
        rc = comb_select_oci(img, data, len, remote_lookup, err);
        free(data);
    } else {
        /* a single manifest: select it through a one-entry index */
        char key[100];
        snprintf(key, sizeof key, "blobs/sha256/%s", digest + 7);
        rc = comb_image_add_doc(img, key, digest, data, len, err);
        if (rc)
            return rc;
        char index[400];
        snprintf(index, sizeof index,
                 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\","
                 "\"size\":%zu}]}", mt, digest, len);
        rc = comb_select_oci(img, (const unsigned char *)index, strlen(index), remote_lookup, err);
    }
    if (rc) {
        if (strncmp(err->msg, "registry ", 9))
            comb_err_prefix(err, "registry %s", name);
        return rc;
    }
    img->meta.name = comb_arena_strdup(&img->arena, name);
    img->selected = 1;
    for (size_t i = 0; i < img->norder; i++)
        img->total_bytes += img->meta.layers[i].size;
    return COMB_OK;
}

static ssize_t pull(void *ud, void *buf, size_t len, comb_err *err)
{
    return comb_blob_stream_read(ud, buf, len, err);
}

comb_code comb_walk_remote(comb_image *img, comb_err *err)
{
    for (size_t i = 0; i < img->norder; i++) {
        int b = img->order[i];
        if (img->blobs[b].is_layer)
            continue; /* the same blob used twice */
        if (comb_image_try_cache(img, b))
            continue; /* results restored from the layer cache: not downloaded */
        const comb_layer_info *li = &img->meta.layers[i];
        comb_blob_stream *s;
        comb_code rc = comb_registry_blob_open(img->remote, li->digest,
                                               li->declared_size ? li->size : img->max_layer_size,
                                               &s, err);
        if (rc == COMB_OK) {
            comb_raw_source src = { .fd = -1, .pull = pull, .pull_ud = s };
            rc = comb_layer_walk(img, b, &src, err);
            comb_blob_stream_close(s);
        }
        if (rc) {
            comb_err_prefix(err, "layer %zu (%.19s)", i + 1, li->digest);
            return rc;
        }
    }
    return COMB_OK;
}

void comb_close_remote(comb_image *img)
{
    comb_registry_close(img->remote);
    img->remote = NULL;
}
