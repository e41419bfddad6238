/* images.c - image rules of the admission policy: allowed registries, no
 * "latest" or untagged references, pinned digests. Decisions that need the
 * image itself (signature, findings) are cached by image digest. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "admission/adm_internal.h"
#include "admission/admission.h"
#include "core/readfile.h"
#include "image/store.h"
#include "trust/trust.h"

#define MAX_CACHE 4096     /* decisions kept (by image digest) */
#define MAX_SCAN_FILE (64u << 20)
#define MAX_SCAN_FILES 10000

typedef struct store_map {
    char *pattern; /* reference glob */
    char *dir;     /* OCI layout */
} store_map;

typedef struct decision {
    char key[1200];    /* rule kind + digest + repository */
    int ok;
    char why[300];
} decision;

struct comb_adm_images {
    store_map *maps;
    size_t nmaps;
    comb_adm_store_opener opener; /* NULL: the OCI layout mapping */
    void *opener_ud;
    pthread_mutex_t lock;         /* cache, trust policy and scan index */
    comb_policy *trust;
    json_t *scan_index;           /* manifest digest -> highest severity rank */
    decision *cache;
    size_t ncache, next;          /* ring once full */
};

void comb_adm_images_free(struct comb_adm_images *im)
{
    if (!im)
        return;
    comb_policy_free(im->trust);
    json_decref(im->scan_index);
    free(im->cache);
    pthread_mutex_destroy(&im->lock);
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

struct comb_adm_images *comb_adm_images_state(comb_adm_policy *p)
{
    if (!p->images) {
        p->images = calloc(1, sizeof *p->images);
        if (p->images)
            pthread_mutex_init(&p->images->lock, NULL);
    }
    return p->images;
}

comb_code comb_adm_set_store_opener(comb_adm_policy *p, comb_adm_store_opener fn, void *ud,
                                    comb_err *err)
{
    struct comb_adm_images *im = comb_adm_images_state(p);
    if (!im)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    im->opener = fn;
    im->opener_ud = ud;
    return COMB_OK;
}

comb_code comb_adm_add_image_store(comb_adm_policy *p, const char *mapping, comb_err *err)
{
    const char *eq = strchr(mapping, '=');
    if (!eq || eq == mapping || !eq[1])
        return comb_fail(err, COMB_EINVAL, "--image-store: \"%s\" is not REF=DIR", mapping);
    struct comb_adm_images *im = comb_adm_images_state(p);
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

/* The store holding `image` (the opener, else the --image-store mapping);
 * COMB_ENOTFOUND when none does. */
static comb_code open_store(struct comb_adm_images *im, const char *image, const char *repo,
                            comb_store **st, comb_err *err)
{
    if (im && im->opener)
        return im->opener(im->opener_ud, image, st, err);
    for (size_t i = 0; im && i < im->nmaps; i++) {
        if (comb_ref_glob_match(im->maps[i].pattern, image) ||
            comb_ref_glob_match(im->maps[i].pattern, repo))
            return comb_layout_store_open(im->maps[i].dir, st, err);
    }
    return comb_fail(err, COMB_ENOTFOUND, "no image store holds %s (give --image-store REF=DIR)",
                     image);
}

/* The manifest digest of the image: its pinned digest, else its tag in the store. */
static comb_code image_desc(comb_store *st, const ref_parts *r, comb_desc *d, comb_err *err)
{
    if (r->digest[0]) {
        unsigned char *data = NULL;
        size_t len;
        comb_code rc = st->ops->get_manifest(st, r->digest, &data, &len, d, err);
        free(data);
        return rc;
    }
    char *name = NULL;
    comb_code rc = st->ops->resolve(st, r->tag[0] ? r->tag : "latest", NULL, d, &name, err);
    free(name);
    return rc;
}

static int cache_get(struct comb_adm_images *im, const char *key, int *ok, char *why, size_t wsize)
{
    for (size_t i = 0; i < im->ncache; i++) {
        if (!strcmp(im->cache[i].key, key)) {
            *ok = im->cache[i].ok;
            snprintf(why, wsize, "%s", im->cache[i].why);
            return 1;
        }
    }
    return 0;
}

static void cache_put(struct comb_adm_images *im, const char *key, int ok, const char *why)
{
    if (!im->cache && !(im->cache = calloc(MAX_CACHE, sizeof *im->cache)))
        return;
    decision *d = im->ncache < MAX_CACHE ? &im->cache[im->ncache++] : &im->cache[im->next++ % MAX_CACHE];
    snprintf(d->key, sizeof d->key, "%s", key);
    d->ok = ok;
    snprintf(d->why, sizeof d->why, "%s", why);
}

/* Signature under the trust policy; *ok and a reason. Called locked. */
static comb_code verify_signature(comb_adm_policy *p, comb_store *st, const comb_desc *d,
                                  const char *repo, int *ok, char *why, size_t wsize,
                                  comb_err *err)
{
    struct comb_adm_images *im = p->images;
    comb_code rc;
    if (!im->trust && (rc = comb_policy_load(p->trust_policy, &im->trust, err)) != COMB_OK)
        return rc;
    const comb_policy_rule *rule = comb_policy_select(im->trust, repo);
    if (rule->type != COMB_POLICY_SIGNED) {
        *ok = rule->type == COMB_POLICY_ACCEPT;
        snprintf(why, wsize, "the trust policy %s %.200s", *ok ? "accepts" : "rejects", repo);
        return COMB_OK;
    }
    comb_key *keys[COMB_POLICY_MAX_KEYS];
    size_t nkeys = 0;
    rc = comb_policy_rule_keys(rule, p->trust_policy, keys, &nkeys, err);
    comb_verify_result res = {0};
    if (rc == COMB_OK) {
        comb_verify_opts o = {.keys = keys, .nkeys = nkeys, .repository = repo,
                              .identity = rule->identity};
        rc = comb_verify_image(st, d, &o, &res, err);
    }
    if (rc == COMB_OK) {
        *ok = res.verified;
        if (!res.verified)
            snprintf(why, wsize, "%s", res.nsigs ? res.sigs[0].problem : "no signature found");
        else
            snprintf(why, wsize, "verified");
    }
    comb_verify_result_free(&res);
    for (size_t i = 0; i < nkeys; i++)
        comb_key_free(keys[i]);
    return rc;
}

/* Highest unsuppressed finding severity per manifest digest, from
 * `comb scan -f json` results (a file or a directory of them). Locked. */
static void index_scan_file(json_t *idx, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned char *data;
    size_t len;
    comb_err err;
    if (fd < 0 || comb_read_fd(fd, MAX_SCAN_FILE, path, &data, &len, &err) != COMB_OK)
        return;
    json_t *doc = json_loadb((char *)data, len, 0, NULL);
    free(data);
    const char *digest = json_string_value(
        json_object_get(json_object_get(doc, "target"), "manifest_digest"));
    if (digest && *digest) {
        int top = -1;
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(doc, "findings"), i, f) {
            if (json_is_true(json_object_get(f, "suppressed")))
                continue;
            int r = comb_adm_severity_rank(json_string_value(json_object_get(f, "severity")));
            if (r > top)
                top = r;
        }
        json_object_set_new(idx, digest, json_integer(top));
    }
    json_decref(doc);
}

static comb_code load_scan_index(comb_adm_policy *p, comb_err *err)
{
    struct comb_adm_images *im = p->images;
    if (im->scan_index)
        return COMB_OK;
    if (!(im->scan_index = json_object()))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    DIR *dir = opendir(p->scan_results);
    if (!dir) {
        if (access(p->scan_results, R_OK))
            return comb_fail(err, COMB_ENOTFOUND, "%s: cannot read scan results", p->scan_results);
        index_scan_file(im->scan_index, p->scan_results);
        return COMB_OK;
    }
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(dir)) && n < MAX_SCAN_FILES) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", p->scan_results, e->d_name);
        index_scan_file(im->scan_index, path);
        n++;
    }
    closedir(dir);
    return COMB_OK;
}

static const char *const sev_names[] = {"unknown", "low", "medium", "high", "critical"};

#define IMG_FIX_SIG "sign the image with a key the trust policy trusts (comb sign)"
#define IMG_FIX_SEV "rebuild the image with fixed packages (comb scan lists them)"

/* The rules that need the image: signature and findings. */
static comb_code check_content(comb_adm_policy *p, const char *image, const ref_parts *r,
                               const char *path, comb_violations *out, comb_err *err)
{
    struct comb_adm_images *im = comb_adm_images_state(p);
    if (!im)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_store *st = NULL;
    comb_desc d;
    memset(&d, 0, sizeof d);
    comb_err lerr;
    comb_err_clear(&lerr);
    comb_code rc = open_store(im, image, r->repo, &st, &lerr);
    if (rc == COMB_OK)
        rc = image_desc(st, r, &d, &lerr);
    if (rc != COMB_OK && !(r->digest[0] && !p->require_signature)) {
        comb_store_close(st);
        if (rc == COMB_ENOMEM)
            return comb_fail(err, rc, "%s", lerr.msg);
        return comb_violation_add(out, p->require_signature ? "image.signature" : "image.severity",
                                  p->require_signature ? "Signature verified" : "Findings below severity",
                                  "image", p->require_signature ? IMG_FIX_SIG : IMG_FIX_SEV,
                                  p->image_mode, path, "image \"%.200s\" cannot be checked: %s",
                                  image, lerr.msg);
    }
    if (rc != COMB_OK) /* pinned digest, no store: the severity rule still works */
        snprintf(d.digest, sizeof d.digest, "%.71s", r->digest);
    pthread_mutex_lock(&im->lock);
    if (p->require_signature) {
        char key[1200], why[300] = "";
        int ok = 0;
        snprintf(key, sizeof key, "sig %s %s", d.digest, r->repo);
        if (!cache_get(im, key, &ok, why, sizeof why)) {
            comb_err_clear(&lerr);
            rc = verify_signature(p, st, &d, r->repo, &ok, why, sizeof why, &lerr);
            if (rc == COMB_ENOMEM) {
                pthread_mutex_unlock(&im->lock);
                comb_store_close(st);
                return comb_fail(err, rc, "%s", lerr.msg);
            }
            if (rc != COMB_OK)
                snprintf(why, sizeof why, "%.299s", lerr.msg);
            else
                cache_put(im, key, ok, why);
        }
        if (!ok)
            rc = comb_violation_add(out, "image.signature", "Signature verified", "image",
                                    IMG_FIX_SIG, p->image_mode, path,
                                    "image \"%.200s\" (%s) has no signature verified under the "
                                    "trust policy: %s", image, d.digest, why);
        else
            rc = COMB_OK;
    }
    if (rc == COMB_OK && p->max_severity) {
        int limit = comb_adm_severity_rank(p->max_severity);
        comb_err_clear(&lerr);
        rc = p->scan_results ? load_scan_index(p, &lerr) : COMB_OK;
        json_t *top = json_object_get(im->scan_index, d.digest);
        if (rc != COMB_OK || !p->scan_results)
            rc = comb_violation_add(out, "image.severity", "Findings below severity", "image",
                                    IMG_FIX_SEV, p->image_mode, path,
                                    "image \"%.200s\": no scan data: %s", image,
                                    p->scan_results ? lerr.msg : "images.scanResults not set");
        else if (!top)
            rc = comb_violation_add(out, "image.severity", "Findings below severity", "image",
                                    IMG_FIX_SEV, p->image_mode, path,
                                    "image \"%.200s\" (%s) has no scan result in %s", image,
                                    d.digest, p->scan_results);
        else if (json_integer_value(top) >= limit)
            rc = comb_violation_add(out, "image.severity", "Findings below severity", "image",
                                    IMG_FIX_SEV, p->image_mode, path,
                                    "image \"%.200s\" (%s) has %s findings (limit: below %s)",
                                    image, d.digest, sev_names[json_integer_value(top)],
                                    p->max_severity);
    }
    pthread_mutex_unlock(&im->lock);
    comb_store_close(st);
    if (rc != COMB_OK)
        return comb_fail(err, rc, "%s: %s", path, "out of memory");
    return COMB_OK;
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
            if (rc == COMB_OK && image && (p->require_signature || p->max_severity)) {
                ref_parts r;
                if (!split_ref(image, &r)) {
                    rc = check_content(p, image, &r, path, out, err);
                    if (rc != COMB_OK)
                        return rc;
                }
            }
            if (rc != COMB_OK)
                return comb_fail(err, rc, "%s: %s", path,
                                 rc == COMB_ELIMIT ? "too many violations" : "out of memory");
        }
    }
    return COMB_OK;
}
