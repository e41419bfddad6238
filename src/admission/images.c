/* images.c - image rules of the admission policy: allowed registries, no
 * "latest" or untagged references, pinned digests. Decisions that need the
 * image itself (signature, findings) are cached by image digest. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admission/adm_internal.h"
#include "admission/admission.h"
#include "trust/trust.h"

typedef struct store_map {
    char *pattern; /* reference glob */
    char *dir;     /* OCI layout */
} store_map;

struct comb_adm_images {
    store_map *maps;
    size_t nmaps;
};

void comb_adm_images_free(struct comb_adm_images *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->nmaps; i++) {
        free(im->maps[i].pattern);
        free(im->maps[i].dir);
    }
    free(im->maps);
    free(im);
}

int comb_adm_severity_rank(const char *s)
{
    static const char *const names[] = {"unknown", "low", "medium", "high", "critical"};
    if (!s)
        return -1;
    if (!strcasecmp(s, "negligible"))
        return 0;
    for (int i = 0; i < 5; i++) {
        if (!strcasecmp(s, names[i]))
            return i;
    }
    return -1;
}

static struct comb_adm_images *images_state(comb_adm_policy *p)
{
    if (!p->images)
        p->images = calloc(1, sizeof *p->images);
    return p->images;
}

comb_code comb_adm_add_image_store(comb_adm_policy *p, const char *mapping, comb_err *err)
{
    const char *eq = strchr(mapping, '=');
    if (!eq || eq == mapping || !eq[1])
        return comb_fail(err, COMB_EINVAL, "--image-store: \"%s\" is not REF=DIR", mapping);
    struct comb_adm_images *im = images_state(p);
    if (!im)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    if (im->nmaps >= COMB_ADM_MAX_PATTERNS)
        return comb_fail(err, COMB_ELIMIT, "--image-store: at most %d", COMB_ADM_MAX_PATTERNS);
    store_map *nm = realloc(im->maps, (im->nmaps + 1) * sizeof *nm);
    if (!nm)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    im->maps = nm;
    store_map *m = &nm[im->nmaps];
    m->pattern = strndup(mapping, (size_t)(eq - mapping));
    m->dir = strdup(eq + 1);
    if (!m->pattern || !m->dir) {
        free(m->pattern);
        free(m->dir);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    im->nmaps++;
    return COMB_OK;
}

/* A reference split the way the container runtime reads it:
 * "nginx" -> docker.io/library/nginx, tag "", digest "". */
typedef struct ref_parts {
    char repo[1100];  /* registry/path, normalised */
    char tag[1024];
    char digest[1024];
} ref_parts;

static int split_ref(const char *ref, ref_parts *out)
{
    memset(out, 0, sizeof *out);
    if (!*ref || strlen(ref) >= 900)
        return -1;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", ref);
    char *at = strchr(buf, '@');
    if (at) {
        *at = 0;
        snprintf(out->digest, sizeof out->digest, "%s", at + 1);
    }
    char *slash = strrchr(buf, '/');
    char *colon = strrchr(slash ? slash : buf, ':');
    if (colon) {
        *colon = 0;
        snprintf(out->tag, sizeof out->tag, "%s", colon + 1);
    }
    const char *first_end = strchr(buf, '/');
    int has_registry = first_end && (memchr(buf, '.', (size_t)(first_end - buf)) ||
                                     memchr(buf, ':', (size_t)(first_end - buf)) ||
                                     !strncmp(buf, "localhost/", 10));
    if (has_registry)
        snprintf(out->repo, sizeof out->repo, "%s", buf);
    else if (first_end)
        snprintf(out->repo, sizeof out->repo, "docker.io/%s", buf);
    else
        snprintf(out->repo, sizeof out->repo, "docker.io/library/%s", buf);
    return 0;
}

#define IMG_FIX_REGISTRY "use an image from an allowed registry (images.allowedRegistries)"
#define IMG_FIX_TAG "use an explicit version tag or a digest, not latest"
#define IMG_FIX_DIGEST "pin the image by digest (IMAGE@sha256:...)"

static comb_code check_one(comb_adm_policy *p, const char *image, const char *path,
                           comb_violations *out)
{
    ref_parts r;
    comb_code rc = COMB_OK;
    if (split_ref(image, &r))
        return comb_violation_add(out, "image.reference", "Image reference", "image",
                                  "give a valid image reference", p->image_mode, path,
                                  "image \"%.200s\" is not a valid reference", image);
    if (p->n_allowed_registries) {
        int ok = 0;
        for (size_t i = 0; i < p->n_allowed_registries && !ok; i++)
            ok = comb_ref_glob_match(p->allowed_registries[i], r.repo) ||
                 comb_ref_glob_match(p->allowed_registries[i], image);
        if (!ok)
            rc = comb_violation_add(out, "image.registry", "Allowed registries", "image",
                                    IMG_FIX_REGISTRY, p->image_mode, path,
                                    "image \"%.200s\" (%s) is not from an allowed registry", image,
                                    r.repo);
    }
    if (rc == COMB_OK && p->disallow_latest && !r.digest[0] &&
        (!r.tag[0] || !strcmp(r.tag, "latest")))
        rc = comb_violation_add(out, "image.latest", "No latest tag", "image", IMG_FIX_TAG,
                                p->image_mode, path, "image \"%.200s\" %s", image,
                                r.tag[0] ? "uses the latest tag" : "has no tag (means latest)");
    if (rc == COMB_OK && p->require_digest && strncmp(r.digest, "sha256:", 7))
        rc = comb_violation_add(out, "image.digest", "Pinned digest", "image", IMG_FIX_DIGEST,
                                p->image_mode, path, "image \"%.200s\" is not pinned by digest",
                                image);
    return rc;
}

comb_code comb_adm_check_images(comb_adm_policy *p, json_t *spec, const char *spec_path,
                                comb_violations *out, comb_err *err)
{
    if (!p->n_allowed_registries && !p->disallow_latest && !p->require_digest &&
        !p->require_signature && !p->max_severity)
        return COMB_OK;
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t l = 0; l < 3; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(spec, lists[l]), i, c) {
            char path[256];
            snprintf(path, sizeof path, "%s.%s[%zu].image", spec_path, lists[l], i);
            const char *image = json_string_value(json_object_get(c, "image"));
            comb_code rc;
            if (!image)
                rc = comb_violation_add(out, "image.reference", "Image reference", "image",
                                        "give the container an image", p->image_mode, path,
                                        "container has no image");
            else
                rc = check_one(p, image, path, out);
            if (rc != COMB_OK)
                return comb_fail(err, rc, "%s: %s", path,
                                 rc == COMB_ELIMIT ? "too many violations" : "out of memory");
        }
    }
    return COMB_OK;
}
