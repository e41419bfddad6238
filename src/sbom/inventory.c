/* inventory.c - the sbom pipeline: image -> analyzers -> merged inventory.
 *
 *   1. open the target and walk every layer once (image/);
 *   2. hand each wanted file to the analyzers that asked for it, in memory
 *      or as a stream (analyze/registry.c), collecting records;
 *   3. keep only records whose file survives in the final filesystem
 *      (whiteouts, opaque directories, replacements by later layers);
 *   4. pick the OS, attach dpkg file lists, trace the layer that introduced
 *      each package, mark language packages owned by OS packages, compute
 *      purls, and sort.
 */
#include "sbom/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/purl.h"
#include "analyze/records.h"
#include "core/pathset.h"
#include "image/image.h"
#include "sbom/layercache.h"

#define DEFAULT_MAX_BUFFER (512u << 20)

typedef struct pipeline {
    comb_inventory *inv;
    comb_recset set;
    const comb_sbom_opts *opts;
    comb_image *img;
    comb_layercache *cache;
} pipeline;

static const comb_content_hooks *content_of(const pipeline *pl)
{
    return pl->opts ? pl->opts->content : NULL;
}

static int want(void *ud, const comb_entry *e)
{
    pipeline *pl = ud;
    for (size_t i = 0; i < comb_analyzer_count; i++)
        if (comb_analyzers[i]->wants(e))
            return 1;
    const comb_content_hooks *ch = content_of(pl);
    return ch && ch->wants(ch->ud, e);
}

static void entry(void *ud, int blob, const comb_entry *e)
{
    const comb_content_hooks *ch = content_of(ud);
    if (ch && ch->entry)
        ch->entry(ch->ud, blob, e);
}

typedef struct mem_reader {
    const uint8_t *p;
    size_t n, off;
} mem_reader;

static ssize_t mem_read(void *opaque, void *buf, size_t len)
{
    mem_reader *m = opaque;
    size_t left = m->n - m->off;
    if (len > left)
        len = left;
    memcpy(buf, m->p + m->off, len);
    m->off += len;
    return (ssize_t)len;
}

static void analyzer_failed(pipeline *pl, const char *label, const comb_entry *e,
                            const comb_analyzer *a, const comb_err *aerr)
{
    comb_recset_warn(&pl->set, "%s: %s: %s analyzer: %s", label, e->path, a->name,
                     aerr->msg[0] ? aerr->msg : comb_code_name(aerr->code));
}

static comb_code file(void *ud, int blob, const char *label, const comb_entry *e, comb_reader *r,
                      comb_err *err)
{
    pipeline *pl = ud;
    const comb_analyzer *buffered[32];
    size_t nbuf = 0;
    const comb_analyzer *streamer = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < comb_analyzer_count && nbuf < 32; i++) {
        const comb_analyzer *a = comb_analyzers[i];
        int w = a->wants(e);
        if (w == COMB_WANT_BUFFER && a->on_buffer) {
            size_t max = a->max_size ? a->max_size : DEFAULT_MAX_BUFFER;
            if (pl->opts && pl->opts->max_file_size && pl->opts->max_file_size < max)
                max = (size_t)pl->opts->max_file_size;
            if (e->size < 0 || (uint64_t)e->size > max) {
                comb_recset_warn(&pl->set, "%s: %s: %lld bytes, larger than the %s analyzer's limit of %zu; skipped",
                                 label, e->path, (long long)e->size, a->name, max);
                continue;
            }
            buffered[nbuf++] = a;
            if (max > cap)
                cap = max;
        } else if (w == COMB_WANT_STREAM && a->on_stream && !streamer) {
            streamer = a;
        }
    }
    const comb_content_hooks *ch = content_of(pl);
    int content = ch && e->size >= 0 && ch->wants(ch->ud, e);
    comb_emit out;
    comb_emit_init(&out, &pl->set, blob, e->path, label);
    if (nbuf || content) {
        size_t want_len = (size_t)e->size;
        uint8_t *data = malloc(want_len ? want_len : 1);
        if (!data)
            return comb_fail(err, COMB_ENOMEM, "%s: %s: out of memory (%zu bytes)", label, e->path,
                             want_len);
        ssize_t n = comb_reader_read_full(r, data, want_len);
        if (n < 0) {
            free(data);
            return err->code ? err->code : comb_fail(err, COMB_EIO, "%s: %s: read failed", label, e->path);
        }
        for (size_t i = 0; i < nbuf; i++) {
            comb_err aerr;
            comb_err_clear(&aerr);
            if (buffered[i]->on_buffer(&out, e, data, (size_t)n, &aerr) != COMB_OK)
                analyzer_failed(pl, label, e, buffered[i], &aerr);
        }
        if (content) {
            comb_code crc = ch->file(ch->ud, blob, e, data, (size_t)n, err);
            if (crc != COMB_OK) {
                free(data);
                return crc;
            }
        }
        if (streamer) {
            mem_reader m = { data, (size_t)n, 0 };
            comb_reader mr = { mem_read, &m };
            comb_err aerr;
            comb_err_clear(&aerr);
            if (streamer->on_stream(&out, e, &mr, &aerr) != COMB_OK)
                analyzer_failed(pl, label, e, streamer, &aerr);
        }
        free(data);
    } else if (streamer) {
        comb_err aerr;
        comb_err_clear(&aerr);
        if (streamer->on_stream(&out, e, r, &aerr) != COMB_OK)
            analyzer_failed(pl, label, e, streamer, &aerr);
    }
    if (pl->set.oom)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return COMB_OK;
}

/* A hardlink names the same content as its target: copy the records the
 * target's file produced in this layer, under the link's path. Records
 * only ever come from the files before it in the same layer tar. */
static comb_code hardlink(void *ud, int blob, const comb_entry *e, const char *target,
                          comb_err *err)
{
    pipeline *pl = ud;
    comb_recset *s = &pl->set;
    size_t n = s->n;
    const char *path = NULL;
    for (size_t i = 0; i < n; i++) {
        comb_record *r = s->v[i];
        if (r->blob != blob || strcmp(r->path, target))
            continue;
        if (!path && !(path = comb_arena_strdup(s->arena, e->path)))
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        if (s->n == s->cap) {
            size_t cap = s->cap * 2;
            comb_record **v = realloc(s->v, cap * sizeof *v);
            if (!v)
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            s->v = v;
            s->cap = cap;
        }
        comb_record *c = comb_arena_alloc(s->arena, sizeof *c);
        if (!c)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        *c = *r;
        c->path = path;
        if (c->kind == COMB_REC_PKG)
            c->u.pkg.found_in = path;
        else if (c->kind == COMB_REC_OS)
            c->u.os.found_in = path;
        s->v[s->n++] = c;
    }
    return COMB_OK;
}

static int cached(void *ud, int blob, const char *diff_id)
{
    pipeline *pl = ud;
    const comb_content_hooks *ch = content_of(pl);
    if (ch) { /* content scanners: skip the layer only if their results are cached too */
        if (!pl->cache || !ch->cache_stage || !ch->cache_stage(ch->ud, pl->cache, blob, diff_id))
            return 0;
        int hit = comb_layercache_load(pl->cache, diff_id, pl->img, blob, &pl->set);
        ch->cache_commit(ch->ud, hit);
        if (!hit)
            return 0;
    } else if (!pl->cache || !comb_layercache_load(pl->cache, diff_id, pl->img, blob, &pl->set)) {
        return 0;
    }
    pl->inv->layers_cached++;
    return 1;
}

static void walked(void *ud, int blob, const char *diff_id)
{
    pipeline *pl = ud;
    pl->inv->layers_read++;
    if (pl->cache)
        comb_layercache_store(pl->cache, diff_id, pl->img, blob, &pl->set);
    const comb_content_hooks *ch = content_of(pl);
    if (pl->cache && ch && ch->cache_store)
        ch->cache_store(ch->ud, pl->cache, blob, diff_id);
}

/* A compressed archive read whole before: what it holds, to choose first. */
static int index_lookup(void *ud, const char *identity, unsigned char **buf, size_t *len)
{
    pipeline *pl = ud;
    return pl->cache && comb_layercache_get_blob(pl->cache, identity, buf, len);
}

static void progress(void *ud, uint64_t done, uint64_t total)
{
    pipeline *pl = ud;
    if (pl->opts && pl->opts->progress)
        pl->opts->progress(pl->opts->progress_ud, "reading", done, total);
}

static void walk_warn(void *ud, const char *msg)
{
    pipeline *pl = ud;
    comb_recset_warn(&pl->set, "%s", msg);
}

/* Identity of a package record for layer tracing. */
static uint64_t pkg_key(const comb_record *r, int blob)
{
    char buf[2048];
    const comb_pkg *p = &r->u.pkg;
    int n = snprintf(buf, sizeof buf, "%d|%s|%d|%s|%s|%s|%s", blob, r->path, (int)p->type,
                     p->name ? p->name : "", p->version ? p->version : "", p->arch ? p->arch : "",
                     p->inner_path ? p->inner_path : "");
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    return comb_pathset_hash(buf, (size_t)n, 7);
}

static int type_rank(comb_pkg_type t) { return comb_pkg_type_is_os(t) ? 0 : 1; }

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int pkg_cmp(const void *pa, const void *pb)
{
    const comb_pkg *a = *(comb_pkg *const *)pa, *b = *(comb_pkg *const *)pb;
    int c;
    if ((c = type_rank(a->type) - type_rank(b->type)))
        return c;
    if ((c = (int)a->type - (int)b->type))
        return c;
    if ((c = cmp_str(a->name, b->name)))
        return c;
    if ((c = cmp_str(a->version, b->version)))
        return c;
    if ((c = cmp_str(a->arch, b->arch)))
        return c;
    if ((c = cmp_str(a->found_in, b->found_in)))
        return c;
    return cmp_str(a->inner_path, b->inner_path);
}

/* owner map: file path hash -> package */
typedef struct owner_map {
    uint64_t *keys;
    const comb_pkg **vals;
    size_t cap, n;
} owner_map;

static int owner_put(owner_map *m, uint64_t k, const comb_pkg *v)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        uint64_t *nk = calloc(cap, sizeof *nk);
        const comb_pkg **nv = calloc(cap, sizeof *nv);
        if (!nk || !nv) {
            free(nk);
            free(nv);
            return -1;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t j = (size_t)m->keys[i] & (cap - 1);
            while (nk[j])
                j = (j + 1) & (cap - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = cap;
    }
    size_t j = (size_t)k & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != k)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = k;
        m->vals[j] = v;
        m->n++;
    }
    return 0;
}

static const comb_pkg *owner_get(const owner_map *m, uint64_t k)
{
    if (!m->cap)
        return NULL;
    size_t j = (size_t)k & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == k)
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

/* Open addressing over (kind, owner): dpkg file lists and licences. */
typedef struct side_table {
    const comb_record **v;
    size_t cap, n;
} side_table;

static uint64_t side_hash(comb_rec_kind kind, const char *owner, size_t len)
{
    return comb_pathset_hash(owner, len, 16u + (unsigned)kind);
}

static int side_put(side_table *t, const comb_record *r)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        const comb_record **nv = calloc(cap, sizeof *nv);
        if (!nv)
            return -1;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->v[i])
                continue;
            size_t j = (size_t)side_hash(t->v[i]->kind, t->v[i]->u.fl.owner,
                                         strlen(t->v[i]->u.fl.owner)) & (cap - 1);
            while (nv[j])
                j = (j + 1) & (cap - 1);
            nv[j] = t->v[i];
        }
        free(t->v);
        t->v = nv;
        t->cap = cap;
    }
    size_t j = (size_t)side_hash(r->kind, r->u.fl.owner, strlen(r->u.fl.owner)) & (t->cap - 1);
    while (t->v[j]) {
        if (t->v[j]->kind == r->kind && !strcmp(t->v[j]->u.fl.owner, r->u.fl.owner))
            return 0; /* first one wins, as the linear search did */
        j = (j + 1) & (t->cap - 1);
    }
    t->v[j] = r;
    t->n++;
    return 0;
}

/* The record for owner "name" or, with arch, "name:arch". */
static const comb_record *side_find(const side_table *t, comb_rec_kind kind, const char *name,
                                    const char *arch)
{
    char key[512];
    int n = arch ? snprintf(key, sizeof key, "%s:%s", name, arch) : snprintf(key, sizeof key, "%s", name);
    if (!t->cap || n < 0 || (size_t)n >= sizeof key)
        return NULL;
    size_t j = (size_t)side_hash(kind, key, (size_t)n) & (t->cap - 1);
    while (t->v[j]) {
        if (t->v[j]->kind == kind && !strcmp(t->v[j]->u.fl.owner, key))
            return t->v[j];
        j = (j + 1) & (t->cap - 1);
    }
    return NULL;
}

static comb_code merge(pipeline *pl, comb_err *err)
{
    comb_inventory *inv = pl->inv;
    comb_image *img = pl->img;
    comb_recset *s = &pl->set;
    const comb_image_meta *meta = comb_image_meta_get(img);

    /* 1. survivors */
    comb_record **live = calloc(s->n ? s->n : 1, sizeof *live);
    comb_pathset keys;
    comb_pathset_init(&keys);
    if (!live)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    size_t nlive = 0;
    for (size_t i = 0; i < s->n; i++) {
        comb_record *r = s->v[i];
        if (r->kind == COMB_REC_PKG && comb_pathset_add(&keys, pkg_key(r, r->blob))) {
            free(live);
            comb_pathset_free(&keys);
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        }
        if (comb_image_visible(img, r->blob, r->path))
            live[nlive++] = r;
    }
    /* 2. OS */
    int best = -1;
    for (size_t i = 0; i < nlive; i++) {
        if (live[i]->kind != COMB_REC_OS)
            continue;
        if (best < 0 || live[i]->u.os.priority > live[best]->u.os.priority)
            best = (int)i;
    }
    if (best >= 0)
        inv->os = live[best]->u.os;
    const comb_os *os = inv->os.id ? &inv->os : NULL;
    /* dpkg side records, by owner, so that attaching them is not quadratic */
    side_table side = { 0 };
    for (size_t i = 0; i < nlive; i++) {
        const comb_record *r = live[i];
        if ((r->kind == COMB_REC_FILELIST || r->kind == COMB_REC_LICENSE) &&
            r->u.fl.type == COMB_PKG_DPKG && side_put(&side, r)) {
            free(live);
            free(side.v);
            comb_pathset_free(&keys);
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        }
    }
    /* 3. packages */
    size_t npk = 0;
    for (size_t i = 0; i < nlive; i++)
        if (live[i]->kind == COMB_REC_PKG)
            npk++;
    inv->pkgs = comb_arena_calloc(&inv->arena, npk ? npk : 1, sizeof *inv->pkgs);
    if (!inv->pkgs) {
        free(live);
        free(side.v);
        comb_pathset_free(&keys);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nlive; i++) {
        comb_record *r = live[i];
        if (r->kind != COMB_REC_PKG)
            continue;
        comb_pkg *p = &r->u.pkg;
        if (!p->name || !*p->name || (comb_pkg_type_is_os(p->type) && !p->version))
            continue; /* analyzers warned already */
        /* layer that introduced it: the lowest layer from which the same
         * package sat, unchanged, in the same file in every layer up to here */
        int pos = comb_image_blob_highest(img, r->blob);
        if (pos >= 0 && meta->nlayers) {
            int intro = pos;
            for (int k = pos - 1; k >= 0; k--) {
                int b = comb_image_layer_blob(img, (size_t)k);
                if (comb_pathset_has(&keys, pkg_key(r, b)))
                    intro = k;
                else if (comb_image_layer_has(img, (size_t)k, r->path))
                    break; /* the file was there, without this package */
            }
            p->layer_digest = meta->layers[intro].digest;
            p->layer_diff_id = meta->layers[intro].diff_id;
        }
        /* dpkg file lists (info/NAME[:ARCH].list) and licences (doc/NAME/copyright) */
        if (p->type == COMB_PKG_DPKG) {
            const comb_record *f;
            if (!p->files && ((f = side_find(&side, COMB_REC_FILELIST, p->name, NULL)) ||
                              (p->arch && (f = side_find(&side, COMB_REC_FILELIST, p->name, p->arch))))) {
                p->files = f->u.fl.files;
                p->nfiles = f->u.fl.nfiles;
            }
            if (!p->license && (f = side_find(&side, COMB_REC_LICENSE, p->name, NULL)))
                p->license = f->u.fl.license;
        }
        p->purl = comb_purl(&inv->arena, p, os);
        inv->pkgs[inv->npkgs++] = p;
    }
    /* 4. ownership of language package files by OS packages */
    owner_map om = { 0 };
    for (size_t i = 0; i < inv->npkgs; i++) {
        const comb_pkg *p = inv->pkgs[i];
        if (!comb_pkg_type_is_os(p->type))
            continue;
        for (size_t j = 0; j < p->nfiles; j++) {
            const char *f = p->files[j];
            if (!f)
                continue;
            while (*f == '/')
                f++;
            if (owner_put(&om, comb_pathset_hash(f, strlen(f), 9), p))
                break;
        }
    }
    for (size_t i = 0; i < inv->npkgs; i++) {
        comb_pkg *p = inv->pkgs[i];
        if (comb_pkg_type_is_os(p->type) || !p->found_in)
            continue;
        const comb_pkg *o = owner_get(&om, comb_pathset_hash(p->found_in, strlen(p->found_in), 9));
        if (o)
            p->owner = comb_arena_printf(&inv->arena, "%s:%s", comb_pkg_type_name(o->type), o->name);
    }
    free(om.keys);
    free(om.vals);
    qsort(inv->pkgs, inv->npkgs, sizeof *inv->pkgs, pkg_cmp);
    free(side.v);
    free(live);
    comb_pathset_free(&keys);
    return COMB_OK;
}

comb_code comb_inventory_build(const char *target, const comb_sbom_opts *opts,
                               comb_inventory **out, comb_err *err)
{
    *out = NULL;
    comb_inventory *inv = calloc(1, sizeof *inv);
    if (!inv)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_arena_init(&inv->arena);
    pipeline pl = { .inv = inv, .opts = opts };
    comb_recset_init(&pl.set, &inv->arena);
    comb_image_opts iopts = { 0 };
    if (opts) {
        iopts.platform = opts->platform;
        iopts.max_layer_size = opts->max_layer_size;
        iopts.registry = opts->registry;
    }
    if (opts && opts->use_cache) {
        char variant[64];
        snprintf(variant, sizeof variant, "max_file_size=%llu",
                 (unsigned long long)opts->max_file_size);
        comb_err cerr;
        if (comb_layercache_open(opts->cache_dir, opts->cache_max, variant, &pl.cache, &cerr))
            comb_recset_warn(&pl.set, "layer cache not used: %s", cerr.msg);
    }
    if (pl.cache) {
        iopts.index_lookup = index_lookup;
        iopts.index_ud = &pl;
    }
    comb_code rc = comb_image_open(target, &iopts, &pl.img, err);
    if (rc == COMB_OK) {
        comb_walk_visitor v = { .ud = &pl, .want = want, .file = file, .hardlink = hardlink,
                                .cached = cached, .walked = walked,
                                .progress = progress, .warn = walk_warn, .entry = entry };
        rc = comb_image_walk(pl.img, &v, err);
    }
    if (rc == COMB_OK && pl.cache && comb_image_chosen_late(pl.img)) {
        /* remember the archive's index, so that the next scan can skip it */
        char id[72];
        unsigned char *buf = NULL;
        size_t len = 0;
        comb_err ierr;
        if (comb_image_identity(pl.img, id) == 0 &&
            comb_image_index_save(pl.img, &buf, &len, &ierr) == COMB_OK)
            comb_layercache_put_blob(pl.cache, id, buf, len);
        free(buf);
    }
    if (rc == COMB_OK)
        rc = merge(&pl, err);
    if (rc == COMB_OK && pl.set.oom)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    if (rc == COMB_OK) {
        inv->image = *comb_image_meta_get(pl.img);
        inv->image_handle = pl.img;
        pl.img = NULL;
        inv->warnings = pl.set.warnings;
        inv->nwarnings = pl.set.nwarnings;
        inv->warnings_dropped = pl.set.warnings_dropped;
        pl.set.warnings = NULL;
    }
    comb_recset_free(&pl.set);
    comb_image_close(pl.img);
    comb_layercache_close(pl.cache);
    if (rc) {
        comb_inventory_free(inv);
        return rc;
    }
    *out = inv;
    return COMB_OK;
}

void comb_inventory_free(comb_inventory *inv)
{
    if (!inv)
        return;
    comb_image_close(inv->image_handle);
    free((void *)inv->warnings);
    comb_arena_free(&inv->arena);
    free(inv);
}
