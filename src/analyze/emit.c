/* emit.c - the record sink analyzers write into (see analyzer.h, records.h). */
#include "analyze/records.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void comb_recset_init(comb_recset *s, comb_arena *arena)
{
    memset(s, 0, sizeof *s);
    s->arena = arena;
}

void comb_recset_free(comb_recset *s)
{
    free(s->v);
    free(s->warnings);
    s->v = NULL;
    s->warnings = NULL;
    s->n = s->cap = s->nwarnings = 0;
}

static void vwarn(comb_recset *s, const char *prefix, const char *fmt, va_list ap)
{
    if (s->nwarnings >= COMB_MAX_WARNINGS) {
        s->warnings_dropped++;
        return;
    }
    char buf[1024];
    int off = 0;
    if (prefix)
        off = snprintf(buf, sizeof buf, "%s: ", prefix);
    if (off < 0 || (size_t)off >= sizeof buf)
        off = 0;
    vsnprintf(buf + off, sizeof buf - (size_t)off, fmt, ap);
    if (!s->warnings) {
        s->warnings = calloc(COMB_MAX_WARNINGS, sizeof *s->warnings);
        if (!s->warnings) {
            s->oom = 1;
            return;
        }
    }
    const char *w = comb_arena_strdup(s->arena, buf);
    if (!w) {
        s->oom = 1;
        return;
    }
    s->warnings[s->nwarnings++] = w;
}

void comb_recset_warn(comb_recset *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(s, NULL, fmt, ap);
    va_end(ap);
}

void comb_emit_init(comb_emit *out, comb_recset *set, int blob, const char *path,
                    const char *label)
{
    out->set = set;
    out->blob = blob;
    out->path = comb_arena_strdup(set->arena, path);
    if (!out->path)
        set->oom = 1;
    out->label = label;
}

static comb_record *new_record(comb_emit *out, comb_rec_kind kind)
{
    comb_recset *s = out->set;
    if (!out->path)
        return NULL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        comb_record **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            s->oom = 1;
            return NULL;
        }
        s->v = v;
        s->cap = cap;
    }
    comb_record *r = comb_arena_alloc(s->arena, sizeof *r);
    if (!r) {
        s->oom = 1;
        return NULL;
    }
    r->kind = kind;
    r->blob = out->blob;
    r->path = out->path;
    s->v[s->n++] = r;
    return r;
}

comb_pkg *comb_emit_pkg(comb_emit *out, comb_pkg_type type)
{
    comb_record *r = new_record(out, COMB_REC_PKG);
    if (!r)
        return NULL;
    r->u.pkg.type = type;
    r->u.pkg.epoch = -1;
    r->u.pkg.found_in = out->path;
    return &r->u.pkg;
}

comb_os *comb_emit_os(comb_emit *out)
{
    comb_record *r = new_record(out, COMB_REC_OS);
    if (!r)
        return NULL;
    r->u.os.found_in = out->path;
    return &r->u.os;
}

comb_code comb_emit_filelist(comb_emit *out, comb_pkg_type type, const char *owner,
                             const char **files, size_t nfiles)
{
    comb_record *r = new_record(out, COMB_REC_FILELIST);
    if (!r)
        return COMB_ENOMEM;
    r->u.fl.type = type;
    r->u.fl.owner = comb_arena_strdup(out->set->arena, owner);
    r->u.fl.files = files;
    r->u.fl.nfiles = nfiles;
    return r->u.fl.owner ? COMB_OK : COMB_ENOMEM;
}

comb_code comb_emit_license(comb_emit *out, comb_pkg_type type, const char *owner,
                            const char *license)
{
    comb_record *r = new_record(out, COMB_REC_LICENSE);
    if (!r)
        return COMB_ENOMEM;
    r->u.fl.type = type;
    r->u.fl.owner = comb_arena_strdup(out->set->arena, owner);
    r->u.fl.license = comb_arena_strdup(out->set->arena, license);
    return r->u.fl.owner && r->u.fl.license ? COMB_OK : COMB_ENOMEM;
}

void comb_emit_warn(comb_emit *out, const char *fmt, ...)
{
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s%s%s", out->label ? out->label : "",
             out->label ? ": " : "", out->path ? out->path : "?");
    va_list ap;
    va_start(ap, fmt);
    vwarn(out->set, prefix, fmt, ap);
    va_end(ap);
}

comb_arena *comb_emit_arena(comb_emit *out) { return out->set->arena; }

char *comb_emit_strdup(comb_emit *out, const char *s)
{
    char *p = comb_arena_strdup(out->set->arena, s);
    if (!p && s)
        out->set->oom = 1;
    return p;
}

char *comb_emit_strndup(comb_emit *out, const char *s, size_t n)
{
    char *p = comb_arena_strndup(out->set->arena, s, n);
    if (!p)
        out->set->oom = 1;
    return p;
}

ssize_t comb_reader_read_full(comb_reader *r, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = r->read(r->opaque, (char *)buf + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

comb_code comb_analyze_buffer(const comb_analyzer *a, comb_recset *set, const char *path,
                              const uint8_t *data, size_t len, comb_err *err)
{
    comb_emit out;
    comb_emit_init(&out, set, 0, path, NULL);
    comb_entry e = { .path = out.path, .mode = 0100644, .size = (int64_t)len };
    if (!a->on_buffer)
        return comb_fail(err, COMB_EUNSUPPORTED, "%s: analyzer %s takes streams only", path,
                         a->name);
    return a->on_buffer(&out, &e, data, len, err);
}
