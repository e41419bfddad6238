/* record.c - decoded events to a file and back; see record.h.
 *
 * One function per struct walks the members in the file's order and either
 * appends them (writing) or reads them back (replaying), so the two
 * directions cannot disagree on the order. */
#include "runtime/record/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/wire.h"

static const char MAGIC[8] = { 'C', 'O', 'M', 'B', 'R', 'E', 'C', '\n' };
#define KIND_EVENT 1u
#define NONE 0xffffffffu
#define SLOTS 4096u                 /* process encodings remembered */
#define SLOT_MAX 16384u             /* larger ones are always written inline */
enum { PROC_INLINE = 0, PROC_STORE = 1, PROC_REF = 2 };

/* A new member in these structs must be recorded too (and the version
 * raised): the sizes trip the build until record.c knows about it. */
/* (fill_ancestors and fill_ud are not recorded: writing asks for the
 * ancestors, which fills them, and a read event has them filled) */
_Static_assert(sizeof(comb_event) == 632, "comb_event changed: update record.c");
_Static_assert(sizeof(comb_proc) == 296, "comb_proc changed: update record.c");
_Static_assert(sizeof(comb_fd) == 104, "comb_fd changed: update record.c");
_Static_assert(sizeof(comb_container) == 112, "comb_container changed: update record.c");
_Static_assert(sizeof(comb_mount) == 40, "comb_mount changed: update record.c");

typedef struct codec {
    int reading;
    int bad;                    /* reading: ran past the end, or a bound */
    const char *why;
    /* writing */
    comb_wbuf w;
    /* reading */
    const unsigned char *in;
    size_t inlen, pos;
    const char **ptrs;          /* pool for argv/env pointer arrays */
    size_t nptrs;
    comb_proc *anc;             /* COMB_RECORD_MAX_ANCESTORS */
    comb_event_arg *args;       /* COMB_RECORD_MAX_LIST */
    comb_mount *mounts;         /* COMB_RECORD_MAX_LIST */
    /* processes already written: both sides keep the same slots */
    struct slot { uint64_t hash; uint32_t len; unsigned char *p; } *slots; /* SLOTS */
    uint32_t used[1 + COMB_RECORD_MAX_ANCESTORS]; /* slots this event used */
    size_t nused;
    comb_wbuf sub;              /* writing: one process's encoding */
} codec;

static void put(codec *c, const void *p, size_t n)
{
    if (c->bad)
        return;
    if (c->w.n + n > COMB_RECORD_MAX) {
        c->bad = 1;
        c->why = "event larger than a record may be";
        return;
    }
    comb_wbuf_put(&c->w, p, n);
    if (c->w.oom) {
        c->bad = 1;
        c->why = "out of memory";
    }
}

static const unsigned char *take(codec *c, size_t n)
{
    if (c->bad || n > c->inlen - c->pos) {
        if (!c->bad)
            c->why = "truncated member";
        c->bad = 1;
        return NULL;
    }
    const unsigned char *p = c->in + c->pos;
    c->pos += n;
    return p;
}

static void le_put(unsigned char *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t le_get(const unsigned char *b, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void x_u32(codec *c, uint32_t *v)
{
    unsigned char b[4];
    if (!c->reading) {
        le_put(b, *v, 4);
        put(c, b, 4);
        return;
    }
    const unsigned char *p = take(c, 4);
    *v = p ? (uint32_t)le_get(p, 4) : 0;
}

static void x_i64(codec *c, int64_t *v)
{
    unsigned char b[8];
    if (!c->reading) {
        le_put(b, (uint64_t)*v, 8);
        put(c, b, 8);
        return;
    }
    const unsigned char *p = take(c, 8);
    *v = p ? (int64_t)le_get(p, 8) : 0;
}

static void x_int(codec *c, int *v)
{
    int64_t w = *v;
    x_i64(c, &w);
    if (c->reading)
        *v = w < -1 || w > 1 ? -1 : (int)w; /* tristates and flags */
}

/* Bytes with a length; reading points into the record (NUL added by the
 * writer after them, checked by the reader). */
static void x_bytes(codec *c, const char **s, size_t *n)
{
    uint32_t len = 0;
    if (!c->reading) {
        len = *s ? (uint32_t)(*n < COMB_RECORD_MAX ? *n : COMB_RECORD_MAX) : NONE;
        x_u32(c, &len);
        if (*s) {
            put(c, *s, len);
            put(c, "", 1);
        }
        return;
    }
    x_u32(c, &len);
    *s = NULL;
    *n = 0;
    if (len == NONE || c->bad)
        return;
    const unsigned char *p = take(c, (size_t)len + 1);
    if (!p)
        return;
    if (p[len] != '\0') {
        c->bad = 1;
        c->why = "string not terminated";
        return;
    }
    *s = (const char *)p;
    *n = len;
}

static void x_str(codec *c, const char **s)
{
    size_t n = !c->reading && *s ? strlen(*s) : 0;
    x_bytes(c, s, &n);
}

static int x_count(codec *c, size_t *n, size_t max)
{
    uint32_t v = (uint32_t)(*n < max ? *n : max);
    x_u32(c, &v);
    if (c->reading && v > max) {
        c->bad = 1;
        c->why = "list longer than the bound";
        return 0;
    }
    *n = v;
    return !c->bad;
}

static void x_strv(codec *c, const char *const **v, size_t *n)
{
    size_t cnt = *v ? *n : 0;
    if (!x_count(c, &cnt, COMB_RECORD_MAX_LIST))
        return;
    if (!c->reading) {
        for (size_t i = 0; i < cnt; i++) {
            const char *s = (*v)[i];
            x_str(c, &s);
        }
        return;
    }
    if (cnt > COMB_RECORD_MAX_PTRS - c->nptrs) {
        c->bad = 1;
        c->why = "too many strings in one record";
        return;
    }
    const char **arr = c->ptrs + c->nptrs;
    c->nptrs += cnt;
    for (size_t i = 0; i < cnt; i++) {
        arr[i] = NULL;
        x_str(c, &arr[i]);
        if (!arr[i])
            arr[i] = "";
    }
    *v = cnt ? arr : NULL;
    *n = cnt;
}

static void x_proc(codec *c, comb_proc *p)
{
    int64_t *ints[] = { &p->pid, &p->tid, &p->ppid, &p->vpid, &p->vtid, &p->sid, &p->vpgid,
                        &p->tty, &p->uid, &p->gid, &p->loginuid, &p->cap_effective,
                        &p->cap_permitted, &p->cap_inheritable, &p->start_ts, &p->exe_ino,
                        &p->exe_ino_ctime, &p->exe_ino_mtime };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        x_i64(c, ints[i]);
    const char **strs[] = { &p->name, &p->exe, &p->exepath, &p->cwd, &p->user_name,
                            &p->user_loginname, &p->user_homedir, &p->user_shell,
                            &p->group_name, &p->sname, &p->vpgid_name, &p->vpgid_exe };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        x_str(c, strs[i]);
    int *flags[] = { &p->is_exe_upper_layer, &p->is_exe_from_memfd, &p->is_exe_writable,
                     &p->is_vpgid_leader, &p->is_sid_leader };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        x_int(c, flags[i]);
    x_strv(c, &p->args, &p->nargs);
    x_strv(c, &p->env, &p->nenv);
}

/* Most events repeat their process and ancestors: each process's encoding
 * goes into a slot (by hash) the first time, later events name the slot.
 *   u8 PROC_INLINE  encoding
 *   u8 PROC_STORE   u32 slot, u32 length (<= SLOT_MAX), encoding (kept in the slot)
 *   u8 PROC_REF     u32 slot
 * A slot used by an event is never replaced within that event (the reader
 * rejects it): the strings of its processes point into the slots. */
static int used_now(const codec *c, uint32_t slot)
{
    for (size_t i = 0; i < c->nused; i++)
        if (c->used[i] == slot)
            return 1;
    return 0;
}

static uint64_t fnv(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void put_u8(codec *c, unsigned v)
{
    unsigned char b = (unsigned char)v;
    put(c, &b, 1);
}

/* Keep a copy of one process's encoding in a slot; -1 (c->bad) on ENOMEM. */
static int slot_set(codec *c, uint32_t slot, uint64_t hash, const unsigned char *b, uint32_t len)
{
    struct slot *s = &c->slots[slot];
    unsigned char *copy = realloc(s->p, len ? len : 1);
    if (!copy) {
        c->bad = 1;
        c->why = "out of memory";
        return -1;
    }
    memcpy(copy, b, len);
    *s = (struct slot){ hash, len, copy };
    return 0;
}

static void write_proc(codec *c, comb_proc *p)
{
    codec sub = { .w = c->sub };
    sub.w.n = 0;
    x_proc(&sub, p);
    c->sub = sub.w;
    if (sub.bad || sub.w.oom) {
        c->bad = 1;
        c->why = sub.why ? sub.why : "out of memory";
        return;
    }
    uint32_t len = (uint32_t)sub.w.n;
    uint64_t h = fnv(sub.w.p, len);
    uint32_t slot = (uint32_t)(h % SLOTS);
    struct slot *s = &c->slots[slot];
    if (len > SLOT_MAX || (used_now(c, slot) && !(s->p && s->hash == h && s->len == len &&
                                                  !memcmp(s->p, sub.w.p, len)))) {
        put_u8(c, PROC_INLINE);
        put(c, sub.w.p, len);
        return;
    }
    if (c->nused < sizeof c->used / sizeof *c->used)
        c->used[c->nused++] = slot;
    if (s->p && s->hash == h && s->len == len && !memcmp(s->p, sub.w.p, len)) {
        put_u8(c, PROC_REF);
        x_u32(c, &slot);
        return;
    }
    if (slot_set(c, slot, h, sub.w.p, len))
        return;
    put_u8(c, PROC_STORE);
    x_u32(c, &slot);
    x_u32(c, &len);
    put(c, sub.w.p, len);
}

/* Decode one process from a slot's bytes (the whole of them). */
static void read_slot(codec *c, uint32_t slot, comb_proc *p)
{
    struct slot *s = &c->slots[slot];
    codec sub = { .reading = 1, .in = s->p, .inlen = s->len, .ptrs = c->ptrs,
                  .nptrs = c->nptrs };
    x_proc(&sub, p);
    c->nptrs = sub.nptrs;
    if (!sub.bad && sub.pos != sub.inlen) {
        sub.bad = 1;
        sub.why = "bytes after a process";
    }
    if (sub.bad) {
        c->bad = 1;
        c->why = sub.why;
    }
}

static void read_proc(codec *c, comb_proc *p)
{
    const unsigned char *t = take(c, 1);
    if (!t)
        return;
    if (*t == PROC_INLINE) {
        x_proc(c, p);
        return;
    }
    uint32_t slot = 0, len = 0;
    x_u32(c, &slot);
    if (c->bad)
        return;
    if ((*t != PROC_STORE && *t != PROC_REF) || slot >= SLOTS) {
        c->bad = 1;
        c->why = "bad process reference";
        return;
    }
    struct slot *s = &c->slots[slot];
    if (*t == PROC_STORE) {
        x_u32(c, &len);
        const unsigned char *b = c->bad ? NULL : len > SLOT_MAX ? NULL : take(c, len);
        if (!b || used_now(c, slot)) {
            if (!c->bad)
                c->why = len > SLOT_MAX ? "process larger than a slot"
                                        : "slot replaced while in use";
            c->bad = 1;
            return;
        }
        if (slot_set(c, slot, 0, b, len))
            return;
    } else if (!s->p) {
        c->bad = 1;
        c->why = "reference to an empty slot";
        return;
    }
    if (c->nused < sizeof c->used / sizeof *c->used)
        c->used[c->nused++] = slot;
    read_slot(c, slot, p);
}

static void x_proc_ref(codec *c, comb_proc *p)
{
    if (c->reading)
        read_proc(c, p);
    else
        write_proc(c, p);
}

static void x_fd(codec *c, comb_fd *f)
{
    x_i64(c, &f->num);
    x_i64(c, &f->cport);
    x_i64(c, &f->sport);
    const char **strs[] = { &f->type, &f->name, &f->nameraw, &f->l4proto, &f->cip, &f->sip,
                            &f->cip_name, &f->sip_name };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        x_str(c, strs[i]);
    x_int(c, &f->is_server);
    x_int(c, &f->connected);
    x_int(c, &f->name_changed);
}

static void x_container(codec *c, comb_container *k)
{
    const char **strs[] = { &k->id, &k->name, &k->type, &k->image, &k->image_repository,
                            &k->image_tag, &k->image_id, &k->image_digest, &k->k8s_ns_name,
                            &k->k8s_pod_name };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        x_str(c, strs[i]);
    x_int(c, &k->privileged);
    x_i64(c, &k->start_ts);
    size_t n = k->mounts ? k->nmounts : 0;
    if (!x_count(c, &n, COMB_RECORD_MAX_LIST))
        return;
    comb_mount *m = c->reading ? c->mounts : NULL;
    for (size_t i = 0; i < n; i++) {
        comb_mount tmp = c->reading ? (comb_mount){ 0 } : k->mounts[i];
        x_str(c, &tmp.source);
        x_str(c, &tmp.dest);
        x_str(c, &tmp.mode);
        x_str(c, &tmp.propagation);
        x_int(c, &tmp.rdwr);
        if (m)
            m[i] = tmp;
    }
    if (c->reading) {
        k->mounts = n ? m : NULL;
        k->nmounts = n;
    }
}

static void x_event(codec *c, comb_event *ev)
{
    int64_t dir = ev->dir;
    int64_t *ints[] = { &ev->num, &ev->ts, &dir, &ev->rawres, &ev->cpu };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++)
        x_i64(c, ints[i]);
    ev->dir = dir == '>' ? '>' : dir == '<' ? '<' : 0;
    x_str(c, &ev->type);
    x_str(c, &ev->hostname);
    x_bytes(c, &ev->buffer, &ev->buflen);
    size_t n = ev->args ? ev->nargs : 0;
    if (x_count(c, &n, COMB_RECORD_MAX_LIST)) {
        for (size_t i = 0; i < n; i++) {
            comb_event_arg a = c->reading ? (comb_event_arg){ 0 } : ev->args[i];
            x_str(c, &a.name);
            x_str(c, &a.value);
            if (c->reading)
                c->args[i] = (comb_event_arg){ a.name ? a.name : "", a.value ? a.value : "" };
        }
        if (c->reading) {
            ev->args = n ? c->args : NULL;
            ev->nargs = n;
        }
    }
    c->nused = 0;
    x_proc_ref(c, &ev->proc);
    const comb_proc *anc = NULL;
    n = c->reading ? 0 : comb_event_ancestors(ev, &anc);
    if (x_count(c, &n, COMB_RECORD_MAX_ANCESTORS)) {
        for (size_t i = 0; i < n; i++) {
            if (!c->reading) {
                comb_proc p = anc[i];
                x_proc_ref(c, &p);
            } else {
                comb_proc_init(&c->anc[i]);
                x_proc_ref(c, &c->anc[i]);
            }
        }
        if (c->reading) {
            ev->ancestors = n ? c->anc : NULL;
            ev->nancestors = n;
        }
    }
    x_fd(c, &ev->fd);
    x_container(c, &ev->container);
}

static void free_slots(codec *c)
{
    for (size_t i = 0; c->slots && i < SLOTS; i++)
        free(c->slots[i].p);
    free(c->slots);
}

/* ---- writing ---------------------------------------------------------------------- */

struct comb_recorder {
    FILE *f;
    char *path;
    codec c;
};

comb_code comb_recorder_open(const char *path, comb_recorder **out, comb_err *err)
{
    comb_recorder *r = calloc(1, sizeof *r);
    if (!r || !(r->path = strdup(path)) || !(r->c.slots = calloc(SLOTS, sizeof *r->c.slots))) {
        if (r)
            free(r->path);
        free(r);
        return comb_fail(err, COMB_ENOMEM, "record: out of memory");
    }
    r->f = fopen(path, "wb");
    if (!r->f) {
        int e = errno;
        free(r->c.slots);
        free(r->path);
        free(r);
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(e));
    }
    unsigned char hdr[16];
    memcpy(hdr, MAGIC, 8);
    le_put(hdr + 8, COMB_RECORD_VERSION, 4);
    le_put(hdr + 12, 0, 4);
    if (fwrite(hdr, 1, sizeof hdr, r->f) != sizeof hdr) {
        int e = errno;
        comb_recorder_close(r, NULL);
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(e));
    }
    *out = r;
    return COMB_OK;
}

comb_code comb_recorder_write(comb_recorder *r, const comb_event *ev, comb_err *err)
{
    codec *c = &r->c;
    c->w.n = 0;
    c->w.oom = 0;
    c->bad = 0;
    unsigned char lenkind[5] = { 0 };
    put(c, lenkind, sizeof lenkind); /* patched below */
    comb_event copy = *ev;           /* the walker takes non-const members */
    x_event(c, &copy);
    if (c->bad)
        return comb_fail(err, !strcmp(c->why, "out of memory") ? COMB_ENOMEM : COMB_ELIMIT,
                         "%s: event %lld: %s", r->path, (long long)ev->num, c->why);
    le_put(c->w.p, c->w.n - 4, 4);
    c->w.p[4] = KIND_EVENT;
    if (fwrite(c->w.p, 1, c->w.n, r->f) != c->w.n)
        return comb_fail(err, COMB_EIO, "%s: %s", r->path, strerror(errno));
    return COMB_OK;
}

comb_code comb_recorder_close(comb_recorder *r, comb_err *err)
{
    if (!r)
        return COMB_OK;
    comb_code rc = COMB_OK;
    if (r->f && fclose(r->f))
        rc = comb_fail(err, COMB_EIO, "%s: %s", r->path, strerror(errno));
    free(r->c.w.p);
    free(r->c.sub.p);
    free_slots(&r->c);
    free(r->path);
    free(r);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

struct comb_replay {
    FILE *f;
    const char *name;
    uint64_t nrec;
    unsigned char *buf;         /* COMB_RECORD_MAX */
    codec c;
};

void comb_replay_free(comb_replay *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->c.ptrs);
    free(r->c.anc);
    free(r->c.args);
    free(r->c.mounts);
    free_slots(&r->c);
    free(r);
}

comb_code comb_replay_open(FILE *f, const char *name, comb_replay **out, comb_err *err)
{
    comb_replay *r = calloc(1, sizeof *r);
    if (!r)
        return comb_fail(err, COMB_ENOMEM, "replay: out of memory");
    r->f = f;
    r->name = name;
    r->buf = malloc(COMB_RECORD_MAX);
    r->c.ptrs = malloc(COMB_RECORD_MAX_PTRS * sizeof *r->c.ptrs);
    r->c.anc = malloc(COMB_RECORD_MAX_ANCESTORS * sizeof *r->c.anc);
    r->c.args = malloc(COMB_RECORD_MAX_LIST * sizeof *r->c.args);
    r->c.mounts = malloc(COMB_RECORD_MAX_LIST * sizeof *r->c.mounts);
    r->c.slots = calloc(SLOTS, sizeof *r->c.slots);
    if (!r->buf || !r->c.ptrs || !r->c.anc || !r->c.args || !r->c.mounts || !r->c.slots) {
        comb_replay_free(r);
        return comb_fail(err, COMB_ENOMEM, "replay: out of memory");
    }
    unsigned char hdr[16];
    size_t got = fread(hdr, 1, sizeof hdr, f);
    if (got < 8 || memcmp(hdr, MAGIC, 8)) {
        comb_replay_free(r);
        return comb_fail(err, COMB_EFORMAT, "%s: not a comb recording (no COMBREC header)", name);
    }
    if (got < sizeof hdr) {
        comb_replay_free(r);
        return comb_fail(err, COMB_EFORMAT, "%s: truncated header", name);
    }
    uint32_t version = (uint32_t)le_get(hdr + 8, 4);
    if (version != COMB_RECORD_VERSION) {
        comb_replay_free(r);
        return comb_fail(err, COMB_EUNSUPPORTED, "%s: recording version %u, this comb reads %u",
                         name, version, COMB_RECORD_VERSION);
    }
    *out = r;
    return COMB_OK;
}

comb_code comb_replay_next(comb_replay *r, comb_event *ev, int *have, comb_err *err)
{
    *have = 0;
    for (;;) {
        unsigned char lb[4];
        size_t got = fread(lb, 1, 4, r->f);
        if (got == 0 && feof(r->f))
            return COMB_OK;
        r->nrec++;
        if (got < 4)
            return comb_fail(err, COMB_EFORMAT, "%s: record %llu: truncated length", r->name,
                             (unsigned long long)r->nrec);
        uint32_t len = (uint32_t)le_get(lb, 4);
        if (len == 0 || len > COMB_RECORD_MAX)
            return comb_fail(err, COMB_ELIMIT, "%s: record %llu: length %u outside 1..%u",
                             r->name, (unsigned long long)r->nrec, len, COMB_RECORD_MAX);
        if (fread(r->buf, 1, len, r->f) != len)
            return comb_fail(err, COMB_EFORMAT, "%s: record %llu: truncated (%u bytes announced)",
                             r->name, (unsigned long long)r->nrec, len);
        if (r->buf[0] != KIND_EVENT)
            continue; /* a later kind this version skips */
        codec *c = &r->c;
        c->reading = 1;
        c->bad = 0;
        c->why = NULL;
        c->in = r->buf + 1;
        c->inlen = len - 1;
        c->pos = 0;
        c->nptrs = 0;
        comb_event_init(ev);
        x_event(c, ev);
        if (!c->bad && c->pos != c->inlen) {
            c->bad = 1;
            c->why = "bytes after the event";
        }
        if (c->bad)
            return comb_fail(err, COMB_EFORMAT, "%s: record %llu: %s", r->name,
                             (unsigned long long)r->nrec, c->why);
        if (!ev->type)
            return comb_fail(err, COMB_EFORMAT, "%s: record %llu: event without a type", r->name,
                             (unsigned long long)r->nrec);
        *have = 1;
        return COMB_OK;
    }
}
