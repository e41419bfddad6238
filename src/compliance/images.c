/* images.c - images of the podman and Docker stores and their fields (see
 * images.h). */
#include "compliance/images.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONFIG (4u << 20)
#define MAX_STEP_TEXT 200

static int is_root_user(const char *u)
{
    return !u || !*u || !strcmp(u, "0") || !strcmp(u, "root") || !strncmp(u, "0:", 2) ||
           !strncmp(u, "root:", 5);
}

/* A history step that refreshes a package index without installing in the
 * same step (CIS Docker 4.7): later builds reuse the stale cached layer. */
static int update_alone(const char *step)
{
    static const char *const updates[] = { "apt-get update", "apt update", "yum makecache",
                                           "dnf makecache", "apk update", "zypper refresh" };
    int upd = 0;
    for (size_t i = 0; i < sizeof updates / sizeof *updates; i++)
        upd |= strstr(step, updates[i]) != NULL;
    return upd && !strstr(step, "install") && !strstr(step, "apk add") && !strstr(step, "upgrade");
}

static void add_step(json_t *arr, const char *step)
{
    char buf[MAX_STEP_TEXT + 4];
    snprintf(buf, sizeof buf, "%.*s%s", MAX_STEP_TEXT, step, strlen(step) > MAX_STEP_TEXT ? "..." : "");
    json_t *s = json_string(buf);
    if (!s) /* cut inside a UTF-8 sequence */
        s = json_string("(step not shown)");
    json_array_append_new(arr, s);
}

comb_code comb_image_fields(const char *name, const char *json, size_t len, json_t **out,
                            comb_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *d = json_loadb(json, len, 0, &je);
    if (!json_is_object(d)) {
        json_decref(d);
        return comb_fail(err, COMB_EFORMAT, "%s: not an image configuration: %s", name,
                         d ? "not an object" : je.text);
    }
    json_t *f = json_object(), *upd = json_array(), *adds = json_array();
    if (!f || !upd || !adds) {
        json_decref(f), json_decref(upd), json_decref(adds), json_decref(d);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    json_t *cfg = json_object_get(d, "config");
    const char *user = json_string_value(json_object_get(cfg, "User"));
    json_object_set_new(f, "user", json_string(user && *user ? user : "0"));
    json_object_set_new(f, "run_as_root", json_string(is_root_user(user) ? "true" : "false"));
    json_t *hc = json_object_get(json_object_get(cfg, "Healthcheck"), "Test");
    const char *first = json_string_value(json_array_get(hc, 0));
    int health = json_array_size(hc) > 0 && !(first && !strcmp(first, "NONE"));
    json_object_set_new(f, "healthcheck", json_string(health ? "true" : "false"));
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(d, "history"), i, h)
    {
        const char *step = json_string_value(json_object_get(h, "created_by"));
        if (!step)
            continue;
        if (update_alone(step))
            add_step(upd, step);
        /* the first step is the base filesystem ("ADD file:... in /") */
        if (i > 0 && (strstr(step, "#(nop) ADD ") || !strncmp(step, "ADD ", 4)))
            add_step(adds, step);
    }
    json_object_set_new(f, "update_alone", upd);
    json_object_set_new(f, "add_used", adds);
    json_decref(d);
    *out = f;
    return COMB_OK;
}

typedef struct img_ctx {
    const comb_fsroot *r;
    comb_container_list *l;
    int oom;
} img_ctx;

static int add_image(img_ctx *ic, const char *engine, const char *id, const char *name,
                     const char *cfgpath)
{
    char *data;
    size_t len;
    comb_err e;
    json_t *fields = NULL;
    if (comb_fsroot_read(ic->r, cfgpath, MAX_CONFIG, &data, &len, &e) == COMB_OK) {
        if (comb_image_fields(cfgpath, data, len, &fields, &e) != COMB_OK)
            fields = NULL;
        free(data);
    }
    if (!fields)
        return comb_container_list_warn(ic->l, "%s image: %s", engine, e.msg) ? (ic->oom = 1) : 0;
    char shortid[20];
    snprintf(shortid, sizeof shortid, "%.12s", id);
    if (comb_container_list_add(ic->l, engine, id, name ? name : shortid, "", "", cfgpath, fields))
        ic->oom = 1;
    return ic->oom;
}

/* One <storage>/<driver>-images/images.json */
static int podman_images(void *ud, const char *listpath)
{
    img_ctx *ic = ud;
    char *data;
    size_t len;
    comb_err e;
    if (comb_fsroot_read(ic->r, listpath, MAX_CONFIG, &data, &len, &e))
        return comb_container_list_warn(ic->l, "podman: %s%s", e.msg, "") ? (ic->oom = 1) : 0;
    json_t *list = json_loadb(data, len, 0, NULL);
    free(data);
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(listpath, '/') - listpath), listpath);
    size_t i;
    json_t *im;
    json_array_foreach(list, i, im)
    {
        const char *id = json_string_value(json_object_get(im, "id"));
        if (!id || !comb_container_safe_id(id) || ic->l->n >= COMB_IMAGES_MAX)
            continue;
        /* the config blob is the big-data item "sha256:<id>", stored base64-named */
        char key[200], b64[300];
        int kl = snprintf(key, sizeof key, "sha256:%s", id);
        if (kl <= 0 || (size_t)kl >= sizeof key)
            continue;
        EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)key, kl);
        char cfg[4700];
        snprintf(cfg, sizeof cfg, "%s/%s/=%s", dir, id, b64);
        if (add_image(ic, "podman", id, json_string_value(json_array_get(json_object_get(im, "names"), 0)),
                      cfg))
            break;
    }
    json_decref(list);
    return ic->oom;
}

/* One Docker image config: .../image/<driver>/imagedb/content/sha256/<id> */
static int docker_image(void *ud, const char *cfgpath)
{
    img_ctx *ic = ud;
    const char *id = strrchr(cfgpath, '/') + 1;
    /* the name: repositories.json two levels up from imagedb/ */
    char repos[4096];
    const char *imagedb = strstr(cfgpath, "/imagedb/");
    snprintf(repos, sizeof repos, "%.*s/repositories.json", imagedb ? (int)(imagedb - cfgpath) : 0,
             cfgpath);
    char *data = NULL, name[512] = "";
    size_t len;
    comb_err e;
    if (imagedb && comb_fsroot_read(ic->r, repos, MAX_CONFIG, &data, &len, &e) == COMB_OK) {
        json_t *doc = json_loadb(data, len, 0, NULL);
        const char *repo, *tag;
        json_t *tags, *v;
        char want[80];
        snprintf(want, sizeof want, "sha256:%s", id);
        json_object_foreach(json_object_get(doc, "Repositories"), repo, tags)
        {
            json_object_foreach(tags, tag, v) if (!name[0] && json_is_string(v) &&
                                                  !strcmp(json_string_value(v), want))
                snprintf(name, sizeof name, "%s", tag);
        }
        json_decref(doc);
        free(data);
    }
    return add_image(ic, "docker", id, name[0] ? name : NULL, cfgpath);
}

comb_code comb_images_discover(const comb_fsroot *r, const char *const *podman_roots,
                               size_t npodman_roots, comb_container_list *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    img_ctx ic = { r, out, 0 };
    comb_podman_glob(r, podman_roots, npodman_roots, "*-images/images.json", podman_images, &ic,
                     &ic.oom);
    if (!ic.oom)
        comb_fsroot_glob(r, "/var/lib/docker/image/*/imagedb/content/sha256/*", docker_image, &ic);
    if (ic.oom) {
        comb_containers_free(out);
        return comb_fail(err, COMB_ENOMEM, "images: out of memory");
    }
    return COMB_OK;
}
