/* detector.c - runs the content scanners during the inventory walk and
 * turns what they found into layer-attributed detections. */
#include "detect/detect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "detect/detector_internal.h"
#include "image/image.h"

comb_severity detect_severity(const char *s)
{
    comb_severity sv;
    if (s && comb_severity_parse(s, &sv) == 0)
        return sv;
    if (s && !strcasecmp(s, "info"))
        return COMB_SEV_NEGLIGIBLE;
    return COMB_SEV_UNKNOWN;
}

detect_blob_stats *detect_blob(comb_detector *d, int blob)
{
    if (blob < 0 || blob >= MAX_BLOBS)
        return NULL;
    if ((size_t)blob >= d->nstats) {
        size_t n = (size_t)blob + 16;
        detect_blob_stats *v = realloc(d->stats, n * sizeof *v);
        if (!v) {
            d->oom = 1;
            return NULL;
        }
        memset(v + d->nstats, 0, (n - d->nstats) * sizeof *v);
        d->stats = v;
        d->nstats = n;
    }
    return &d->stats[blob];
}

/* --- the sink ------------------------------------------------------------ */

void detect_at(detect_sink *s, int blob, const char *path)
{
    s->blob = blob;
    s->path = path;
    s->in_file = 0;
}

const char *detect_str(detect_sink *s, const char *str)
{
    if (!str)
        return NULL;
    char *c = comb_arena_strdup(&s->d->arena, str);
    if (!c)
        s->d->oom = 1;
    return c;
}

const char *detect_printf(detect_sink *s, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return detect_str(s, buf);
}

void detect_warn(detect_sink *s, const char *fmt, ...)
{
    comb_detector *d = s->d;
    if (d->nwarn >= MAX_WARNINGS) {
        d->warn_dropped++;
        return;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!d->warn && (!(d->warn = calloc(MAX_WARNINGS, sizeof *d->warn)) ||
                     !(d->warn_blob = calloc(MAX_WARNINGS, sizeof *d->warn_blob)))) {
        free(d->warn);
    free(d->warn_blob);
    free(d->stats);
    free(d->staged);
        d->warn = NULL;
        d->oom = 1;
        return;
    }
    const char *w = s->path ? comb_arena_printf(&d->arena, "%s: %s", s->path, buf)
                            : comb_arena_strdup(&d->arena, buf);
    if (!w) {
        d->oom = 1;
        return;
    }
    d->warn_blob[d->nwarn] = s->path ? s->blob : -1;
    d->warn[d->nwarn++] = w;
}

comb_detection *detect_add(detect_sink *s, comb_detect_kind kind)
{
    comb_detector *d = s->d;
    if (d->n >= MAX_DETECTIONS || (s->path && s->in_file >= MAX_PER_FILE)) {
        d->dropped++;
        return NULL;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        comb_detection **v = realloc(d->v, cap * sizeof *v);
        int *b = v ? realloc(d->blob_of, cap * sizeof *b) : NULL;
        if (!v || !b) {
            if (v)
                d->v = v;
            d->oom = 1;
            return NULL;
        }
        d->v = v;
        d->blob_of = b;
        d->cap = cap;
    }
    comb_detection *det = comb_arena_calloc(&d->arena, 1, sizeof *det);
    if (!det) {
        d->oom = 1;
        return NULL;
    }
    det->kind = kind;
    det->path = s->path;
    det->layer_index = -1;
    d->blob_of[d->n] = s->blob;
    d->v[d->n++] = det;
    s->in_file++;
    return det;
}

/* --- hooks --------------------------------------------------------------- */

static int hook_wants(void *ud, const comb_entry *e)
{
    comb_detector *d = ud;
    for (size_t i = 0; i < d->nsrc; i++)
        if (d->src[i].wants(d->src[i].self, e))
            return 1;
    return 0;
}

/* A regular file over every scanner's size limit is counted once, where
 * its layer is known, so that the report says what was not looked at. */
static void count_oversize(comb_detector *d, int blob, const comb_entry *e)
{
    if (!d->nsrc || (e->mode & S_IFMT) != S_IFREG || e->size < 0)
        return;
    for (size_t i = 0; i < d->nsrc; i++)
        if ((uint64_t)e->size <= d->src[i].max_size)
            return;
    detect_blob_stats *st = detect_blob(d, blob);
    if (!st)
        return;
    st->oversize++;
    if (e->size > st->oversize_max) {
        const char *p = comb_arena_strdup(&d->arena, e->path);
        if (p) {
            st->oversize_max = e->size;
            st->oversize_path = p;
        }
    }
}

static comb_code hook_file(void *ud, int blob, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    comb_detector *d = ud;
    const char *path = comb_arena_strdup(&d->arena, e->path);
    if (!path)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    detect_at(&d->sink, blob, path);
    detect_blob_stats *st = detect_blob(d, blob);
    if (st)
        st->files++;
    for (size_t i = 0; i < d->nsrc; i++) {
        detect_source *src = &d->src[i];
        if (!src->wants(src->self, e))
            continue;
        comb_err serr;
        comb_err_clear(&serr);
        if (src->scan(src->self, &d->sink, e, data, len, &serr) != COMB_OK) {
            if (serr.code == COMB_ENOMEM)
                return comb_fail(err, COMB_ENOMEM, "%s", serr.msg);
            detect_warn(&d->sink, "%s scanner: %s", src->name,
                        serr.msg[0] ? serr.msg : comb_code_name(serr.code));
        }
    }
    if (d->oom)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}

int detect_fs_push(comb_detector *d, int blob, const char *path, uint32_t mode, uint32_t uid,
                   uint32_t gid, int64_t size)
{
    if (d->nfs >= MAX_FS_ENTRIES) {
        d->fs_dropped++;
        return 0;
    }
    if (d->nfs == d->capfs) {
        size_t cap = d->capfs ? d->capfs * 2 : 256;
        detect_fs_entry *v = realloc(d->fs, cap * sizeof *v);
        if (!v) {
            d->oom = 1;
            return -1;
        }
        d->fs = v;
        d->capfs = cap;
    }
    const char *p = comb_arena_strdup(&d->arena, path);
    if (!p) {
        d->oom = 1;
        return -1;
    }
    d->fs[d->nfs++] = (detect_fs_entry){ .path = p, .mode = mode, .uid = uid, .gid = gid,
                                          .size = size, .blob = blob };
    return 0;
}

static void hook_entry(void *ud, int blob, const comb_entry *e)
{
    comb_detector *d = ud;
    count_oversize(d, blob, e);
    if ((d->opts.scanners & COMB_SCANNER_CONFIG) && detect_config_fs_wants(e))
        detect_fs_push(d, blob, e->path, e->mode, e->uid, e->gid, e->size);
}

/* --- lifecycle ----------------------------------------------------------- */

comb_code comb_detector_new(const comb_detect_opts *o, comb_detector **out, comb_err *err)
{
    *out = NULL;
    comb_detector *d = calloc(1, sizeof *d);
    if (!d)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    d->opts = *o;
    comb_arena_init(&d->arena);
    d->sink.d = d;
    d->sink.blob = -1;
    d->staged_blob = -1;
    comb_code rc = COMB_OK;
    if (o->scanners & COMB_SCANNER_SECRET)
        rc = detect_secret_source(o, &d->src[d->nsrc++], err);
    if (rc == COMB_OK && (o->scanners & COMB_SCANNER_MALWARE))
        rc = detect_malware_source(o, &d->src[d->nsrc++], err);
    if (rc != COMB_OK) {
        d->nsrc--; /* the failed one holds nothing */
        comb_detector_free(d);
        return rc;
    }
    d->hooks = (comb_content_hooks){ .ud = d, .wants = hook_wants, .file = hook_file,
                                     .entry = hook_entry, .cache_stage = detect_cache_stage,
                                     .cache_commit = detect_cache_commit,
                                     .cache_store = detect_cache_store };
    *out = d;
    return COMB_OK;
}

const comb_content_hooks *comb_detector_hooks(comb_detector *d) { return &d->hooks; }

uint64_t comb_detector_files_scanned(const comb_detector *d)
{
    uint64_t n = 0;
    for (size_t i = 0; i < d->nstats; i++)
        n += d->stats[i].files;
    return n;
}

void comb_detector_free(comb_detector *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nsrc; i++)
        if (d->src[i].release)
            d->src[i].release(d->src[i].self);
    free(d->v);
    free(d->blob_of);
    free(d->warn);
    free(d->warn_blob);
    free(d->stats);
    free(d->staged);
    free(d->fs);
    comb_arena_free(&d->arena);
    free(d);
}

/* --- finish -------------------------------------------------------------- */

/* The image config is a file no layer holds: its environment, labels,
 * command and build history are scanned for secrets as lines of text, each
 * finding located at its field ("config.Env[2]"), so that a key in a
 * variable with an innocent name is found too. */
#define CONFIG_LINES_MAX 4096
#define CONFIG_TEXT_MAX (4u << 20)

typedef struct config_text {
    char *buf;
    size_t len, cap;
    char **where; /* per line */
    size_t n;
    int full;
} config_text;

static void config_line(config_text *t, const char *where, const char *text)
{
    size_t n = strlen(text);
    if (t->full || t->n >= CONFIG_LINES_MAX || t->len + n + 1 > CONFIG_TEXT_MAX) {
        t->full = 1;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->full = 1;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    char *w = strdup(where);
    if (!w) {
        t->full = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) /* one field, one line */
        t->buf[t->len + i] = text[i] == '\n' || text[i] == '\r' ? ' ' : text[i];
    t->len += n;
    t->buf[t->len++] = '\n';
    t->where[t->n++] = w;
}

static void config_strings(config_text *t, json_t *arr, const char *field)
{
    size_t i;
    json_t *v;
    char where[96];
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            continue;
        snprintf(where, sizeof where, "%s[%zu]", field, i);
        config_line(t, where, json_string_value(v));
    }
}

static comb_code scan_config_secrets(comb_detector *d, const comb_inventory *inv, comb_err *err)
{
    detect_source *src = NULL;
    for (size_t i = 0; i < d->nsrc; i++)
        if (!strcmp(d->src[i].name, "secret"))
            src = &d->src[i];
    if (!src || !inv->image.config_json)
        return COMB_OK;
    json_t *cfg = json_loadb(inv->image.config_json, inv->image.config_len, 0, NULL);
    if (!json_is_object(cfg)) {
        json_decref(cfg);
        return COMB_OK; /* the image module read it before: nothing to add */
    }
    config_text t = { 0 };
    t.where = calloc(CONFIG_LINES_MAX, sizeof *t.where);
    if (!t.where) {
        json_decref(cfg);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    json_t *c = json_object_get(cfg, "config");
    if (json_is_object(c)) {
        config_strings(&t, json_object_get(c, "Env"), "config.Env");
        config_strings(&t, json_object_get(c, "Entrypoint"), "config.Entrypoint");
        config_strings(&t, json_object_get(c, "Cmd"), "config.Cmd");
        const char *k;
        json_t *v;
        char where[300], line[8192];
        json_object_foreach(json_object_get(c, "Labels"), k, v) {
            if (!json_is_string(v))
                continue;
            snprintf(where, sizeof where, "config.Labels[%.250s]", k);
            snprintf(line, sizeof line, "%s=%s", k, json_string_value(v));
            config_line(&t, where, line);
        }
    }
    size_t i;
    json_t *h;
    char where[64];
    json_array_foreach(json_object_get(cfg, "history"), i, h) {
        json_t *cb = json_object_get(h, "created_by");
        if (!json_is_string(cb))
            continue;
        snprintf(where, sizeof where, "history[%zu].created_by", i);
        config_line(&t, where, json_string_value(cb));
    }
    json_decref(cfg);
    comb_code rc = COMB_OK;
    if (t.full)
        detect_warn(&d->sink, "image config: only the first %zu fields were scanned for secrets",
                    t.n);
    if (t.len) {
        size_t first = d->n;
        detect_at(&d->sink, -1, NULL);
        comb_entry e = { .path = "config.json", .mode = 0100644, .size = (int64_t)t.len };
        comb_err serr;
        comb_err_clear(&serr);
        if (src->scan(src->self, &d->sink, &e, (const uint8_t *)t.buf, t.len, &serr) != COMB_OK)
            detect_warn(&d->sink, "image config: secret scanner: %s", serr.msg);
        for (size_t k = first; k < d->n; k++) {
            comb_detection *x = d->v[k];
            if (x->line >= 1 && x->line <= t.n)
                x->location = detect_str(&d->sink, t.where[x->line - 1]);
            x->line = x->col = 0; /* lines of our own text mean nothing to the user */
            x->message = detect_str(&d->sink, "found in the image configuration, which anyone "
                                              "who can pull the image can read");
        }
    }
    for (size_t k = 0; k < t.n; k++)
        free(t.where[k]);
    free(t.where);
    free(t.buf);
    return d->oom ? comb_fail(err, COMB_ENOMEM, "out of memory") : rc;
}

static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int det_cmp(const void *pa, const void *pb)
{
    const comb_detection *a = *(comb_detection *const *)pa, *b = *(comb_detection *const *)pb;
    int c;
    if ((c = (int)a->kind - (int)b->kind))
        return c;
    if ((c = (int)b->severity - (int)a->severity))
        return c;
    if ((c = cmp_str(a->path, b->path)))
        return c;
    if ((c = a->layer_index - b->layer_index))
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return cmp_str(a->rule_id, b->rule_id);
}

static const char *dup(comb_arena *a, const char *s, int *oom)
{
    if (!s)
        return NULL;
    const char *c = comb_arena_strdup(a, s);
    if (!c)
        *oom = 1;
    return c;
}

static int fs_cmp(const void *pa, const void *pb, void *ctx)
{
    const detect_fs_entry *a = pa, *b = pb;
    const comb_image *img = ctx;
    int c = strcmp(a->path, b->path);
    if (c || !img)
        return c;
    /* the topmost copy first */
    return comb_image_blob_highest(img, b->blob) - comb_image_blob_highest(img, a->blob);
}

/* The final-filesystem entries among the candidates: visible, and only the
 * topmost copy of a path (archives store layers in any order). */
static size_t fs_final(comb_detector *d, const comb_inventory *inv)
{
    const comb_image *img = inv->image_handle;
    size_t k = 0;
    for (size_t i = 0; i < d->nfs; i++)
        if (!img || comb_image_visible(img, d->fs[i].blob, d->fs[i].path))
            d->fs[k++] = d->fs[i];
    if (k > 1)
        qsort_r(d->fs, k, sizeof *d->fs, fs_cmp, (void *)img);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (!m || strcmp(d->fs[m - 1].path, d->fs[i].path))
            d->fs[m++] = d->fs[i];
    return m;
}

comb_code comb_detector_finish(comb_detector *d, const comb_inventory *inv, comb_arena *a,
                               comb_detection ***out, size_t *n, const char ***warnings,
                               size_t *nwarnings, comb_err *err)
{
    *out = NULL;
    *n = 0;
    *warnings = NULL;
    *nwarnings = 0;
    const comb_image *img = inv->image_handle;
    const comb_image_meta *meta = &inv->image;
    comb_code src_rc = scan_config_secrets(d, inv, err);
    if (src_rc != COMB_OK)
        return src_rc;
    if (d->opts.scanners & COMB_SCANNER_CONFIG) {
        size_t nfs = fs_final(d, inv);
        detect_at(&d->sink, -1, NULL);
        comb_code rc = detect_config_run(&d->opts, inv, d->fs, nfs, &d->sink, err);
        if (rc != COMB_OK)
            return rc;
        if (d->fs_dropped)
            detect_warn(&d->sink, "%zu filesystem entries beyond the first %u were not checked",
                        d->fs_dropped, MAX_FS_ENTRIES);
    }
    detect_at(&d->sink, -1, NULL); /* the summaries below are about no one file */
    uint64_t oversize = 0;
    const detect_blob_stats *big = NULL;
    for (size_t i = 0; i < d->nstats; i++) {
        oversize += d->stats[i].oversize;
        if (d->stats[i].oversize && (!big || d->stats[i].oversize_max > big->oversize_max))
            big = &d->stats[i];
    }
    if (oversize)
        detect_warn(&d->sink, "%llu files larger than the scanners' size limits were not scanned "
                    "for secrets or malware (largest: /%s, %lld bytes; see --max-scan-file-size)",
                    (unsigned long long)oversize, big->oversize_path ? big->oversize_path : "?",
                    (long long)big->oversize_max);
    if (d->dropped)
        detect_warn(&d->sink, "%zu detections beyond the limits (%u per file, %u in all) were "
                    "not reported", d->dropped, MAX_PER_FILE, MAX_DETECTIONS);
    if (d->oom)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_detection **v = comb_arena_calloc(a, d->n ? d->n : 1, sizeof *v);
    if (!v)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    int oom = 0;
    for (size_t i = 0; i < d->n; i++) {
        const comb_detection *s = d->v[i];
        comb_detection *t = comb_arena_alloc(a, sizeof *t);
        if (!t)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        *t = *s;
        t->rule_id = dup(a, s->rule_id, &oom);
        t->title = dup(a, s->title, &oom);
        t->category = dup(a, s->category, &oom);
        t->engine = dup(a, s->engine, &oom);
        t->path = dup(a, s->path, &oom);
        t->location = dup(a, s->location, &oom);
        t->match = dup(a, s->match, &oom);
        t->snippet = dup(a, s->snippet, &oom);
        t->message = dup(a, s->message, &oom);
        t->fix = dup(a, s->fix, &oom);
        int blob = d->blob_of[i];
        if (img && blob >= 0 && s->path) {
            int pos = comb_image_blob_lowest(img, blob);
            if (pos >= 0 && (size_t)pos < meta->nlayers) {
                t->layer_index = pos;
                t->layer_digest = meta->layers[pos].digest;
                t->layer_diff_id = meta->layers[pos].diff_id;
                t->created_by = meta->layers[pos].created_by;
            }
            t->removed = !comb_image_visible(img, blob, s->path);
        }
        v[i] = t;
    }
    qsort(v, d->n, sizeof *v, det_cmp);
    const char **w = comb_arena_calloc(a, d->nwarn + 1, sizeof *w);
    if (!w || oom)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->nwarn; i++)
        w[i] = dup(a, d->warn[i], &oom);
    size_t nw = d->nwarn;
    if (d->warn_dropped)
        w[nw++] = comb_arena_printf(a, "%zu more scanner warnings not shown", d->warn_dropped);
    if (oom)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    *out = v;
    *n = d->n;
    *warnings = w;
    *nwarnings = nw;
    return COMB_OK;
}
