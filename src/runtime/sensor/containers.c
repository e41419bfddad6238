/* containers.c - container names and images from containers.json; see
 * containers.h. Each entry holds "id", "names", "image" (the image id),
 * "created", and "metadata", a JSON string whose "image-name" names the
 * image the container was created from. Whether a container is privileged
 * is in its OCI config.json (<dir of containers.json>/<id>/userdata/), as
 * the annotation podman writes: "io.podman.annotations.privileged": "TRUE". */
#include "runtime/sensor/containers.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

struct comb_ctrmeta {
    char *path;
    comb_container_meta *v;
    size_t n;
    struct timespec mtime;     /* of the file last read */
    off_t size;
    /* ids that missed lately: they look at the file again only after a while */
    struct { char id[65]; int64_t ms; } missed[32];
    size_t nmissed;
};

static void clear(comb_ctrmeta *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].image);
        free(c->v[i].image_repository);
        free(c->v[i].image_tag);
        free(c->v[i].image_id);
    }
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

comb_code comb_ctrmeta_new(const char *json_path, comb_ctrmeta **out, comb_err *err)
{
    comb_ctrmeta *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(json_path ? json_path : COMB_CONTAINERS_DEFAULT))) {
        free(c);
        return comb_fail(err, COMB_ENOMEM, "containers: out of memory");
    }
    *out = c;
    return COMB_OK;
}

void comb_ctrmeta_free(comb_ctrmeta *c)
{
    if (!c)
        return;
    clear(c);
    free(c->path);
    free(c);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* "host/repo:tag" -> repository and tag; a ':' before the last '/' is a port. */
static void split_image(comb_container_meta *m)
{
    if (!m->image)
        return;
    const char *at = strchr(m->image, '@');
    size_t end = at ? (size_t)(at - m->image) : strlen(m->image);
    const char *slash = memrchr(m->image, '/', end);
    const char *colon = memrchr(m->image, ':', end);
    if (colon && (!slash || colon > slash)) {
        m->image_repository = strndup(m->image, (size_t)(colon - m->image));
        m->image_tag = strndup(colon + 1, end - (size_t)(colon + 1 - m->image));
    } else {
        m->image_repository = strndup(m->image, end);
    }
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Containers the file never names (docker, containerd) miss on every event:
 * an id that missed looks at the file again only after 250 ms. A new id
 * always looks (podman writes the file before the container runs). */
static int recently_missed(comb_ctrmeta *c, const char *id)
{
    int64_t now = now_ms();
    for (size_t i = 0; i < c->nmissed; i++)
        if (!strcmp(c->missed[i].id, id)) {
            if (now - c->missed[i].ms < 250)
                return 1;
            c->missed[i].ms = now;
            return 0;
        }
    size_t slot = c->nmissed < 32 ? c->nmissed++ : (size_t)(now % 32);
    snprintf(c->missed[slot].id, sizeof c->missed[slot].id, "%s", id);
    c->missed[slot].ms = now;
    return 0;
}

static void reload(comb_ctrmeta *c)
{
    struct stat st;
    if (stat(c->path, &st) || !S_ISREG(st.st_mode) || st.st_size > COMB_CONTAINERS_MAX_FILE)
        return;
    if (st.st_mtim.tv_sec == c->mtime.tv_sec && st.st_mtim.tv_nsec == c->mtime.tv_nsec &&
        st.st_size == c->size)
        return;
    json_error_t je;
    json_t *root = json_load_file(c->path, JSON_REJECT_DUPLICATES, &je);
    c->mtime = st.st_mtim;
    c->size = st.st_size;
    if (!json_is_array(root)) {
        json_decref(root);
        return;
    }
    clear(c);
    size_t n = json_array_size(root);
    if (n > COMB_CONTAINERS_MAX)
        n = COMB_CONTAINERS_MAX;
    c->v = calloc(n ? n : 1, sizeof *c->v);
    if (!c->v) {
        json_decref(root);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(root, i);
        const char *id = json_string_value(json_object_get(e, "id"));
        if (!id || strlen(id) != 64)
            continue;
        comb_container_meta *m = &c->v[c->n++];
        memcpy(m->id, id, 65);
        m->runtime = "podman";
        m->privileged = -2; /* not read yet */
        m->name = dup_or_null(json_string_value(json_array_get(json_object_get(e, "names"), 0)));
        const char *layer = json_string_value(json_object_get(e, "layer"));
        if (layer && strlen(layer) == 64 && strspn(layer, "0123456789abcdef") == 64)
            memcpy(m->layer, layer, 65);
        const char *img = json_string_value(json_object_get(e, "image"));
        if (img)
            m->image_id = strndup(img, 12);
        const char *md = json_string_value(json_object_get(e, "metadata"));
        json_t *meta = md ? json_loads(md, 0, &je) : NULL;
        m->image = dup_or_null(json_string_value(json_object_get(meta, "image-name")));
        json_decref(meta);
        split_image(m);
        const char *created = json_string_value(json_object_get(e, "created"));
        struct tm tm = { 0 };
        const char *rest = created ? strptime(created, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        m->created_ns = rest ? (int64_t)timegm(&tm) * 1000000000 : INT64_MIN;
    }
    json_decref(root);
}

/* 1 or 0 from podman's annotation in the container's config.json, -1 when
 * the file or the annotation is missing, unreadable or too large. */
static int read_privileged(const comb_ctrmeta *c, const char *id)
{
    const char *slash = strrchr(c->path, '/');
    size_t dirlen = slash ? (size_t)(slash - c->path) : 0;
    char path[4096];
    int n = snprintf(path, sizeof path, "%.*s%s%s/userdata/config.json", (int)dirlen, c->path,
                     dirlen ? "/" : "", id);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) || !S_ISREG(st.st_mode) ||
        st.st_size > COMB_CONTAINERS_MAX_CONFIG)
        return -1;
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    const char *v = json_string_value(
        json_object_get(json_object_get(root, "annotations"), "io.podman.annotations.privileged"));
    int r = !v ? -1 : !strcasecmp(v, "TRUE") ? 1 : !strcasecmp(v, "FALSE") ? 0 : -1;
    json_decref(root);
    return r;
}

const comb_container_meta *comb_ctrmeta_lookup(comb_ctrmeta *c, const char *id)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->v[i].id, id)) {
                if (c->v[i].privileged == -2)
                    c->v[i].privileged = read_privileged(c, c->v[i].id);
                return &c->v[i];
            }
        if (pass == 0 && !recently_missed(c, id))
            reload(c); /* a new container: read the file again if it changed */
    }
    return NULL;
}

/* <storage>: containers.json is <storage>/overlay-containers/containers.json */
static size_t storage_dir(const comb_ctrmeta *c)
{
    const char *end = c->path + strlen(c->path);
    for (int up = 0; up < 2; up++) {
        while (end > c->path && end[-1] != '/')
            end--;
        while (end > c->path && end[-1] == '/')
            end--;
    }
    return (size_t)(end - c->path);
}

int comb_ctrmeta_layer_dir(void *ctrmeta, const char *id, size_t i, char *out, size_t cap)
{
    comb_ctrmeta *c = ctrmeta;
    const comb_container_meta *m = comb_ctrmeta_lookup(c, id);
    if (!m || !m->layer[0])
        return 0;
    int sl = (int)storage_dir(c);
    int n;
    if (i == 0) {
        n = snprintf(out, cap, "%.*s/overlay/%s/diff", sl, c->path, m->layer);
        return n > 0 && (size_t)n < cap;
    }
    /* lower: "l/AAA:l/BBB", links to the image's layers, topmost first */
    char path[4200], buf[65536];
    snprintf(path, sizeof path, "%.*s/overlay/%s/lower", sl, c->path, m->layer);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    ssize_t len = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (len <= 0)
        return 0;
    buf[len] = '\0';
    size_t k = 1;
    for (char *tok = buf, *next; tok && *tok; tok = next, k++) {
        next = strchr(tok, ':');
        if (next)
            *next++ = '\0';
        if (k != i)
            continue;
        size_t tl = strcspn(tok, "\n");
        tok[tl] = '\0';
        if (tl < 3 || strncmp(tok, "l/", 2) ||
            strspn(tok + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != tl - 2)
            return 0;
        n = snprintf(out, cap, "%.*s/overlay/%s", sl, c->path, tok);
        return n > 0 && (size_t)n < cap;
    }
    return 0;
}
