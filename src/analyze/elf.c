/* elf.c - executables: Go build info and cargo-auditable dependency data.
 *
 * The file arrives once, as a forward-only stream, and is scanned while it is
 * read, in CHUNK-sized steps that keep the last OVERLAP bytes, so a pattern
 * that straddles two reads is still seen (each position is examined once, with
 * at least OVERLAP bytes of lookahead except at the end of the file).
 *
 *  - Go: the build info blob (gobuildinfo.h) is found by its magic at a
 *    16-byte aligned file offset, then copied (bounded by the blob's own
 *    length fields, at most ~4 MiB) as the bytes pass. Only the inline format
 *    of Go >= 1.18 is read; the older pointer format would need random access
 *    to other parts of the file, so it only produces a warning.
 *  - Rust: the cargo-auditable data is recognised by content (rustaudit.h)
 *    and inflated as it passes (output at most 8 MiB). Its position is checked
 *    at the end against the section header table: the ELF header gives the
 *    table's offset up front, so the table plus the TAIL_BEFORE bytes before
 *    it (where linkers and objcopy put .shstrtab) are copied as they pass. If
 *    .shstrtab is not in that window the content check alone decides.
 *
 * Memory per file: CHUNK + OVERLAP, the blob copies above, and the section
 * window (at most TAIL_BEFORE + MAX_SHTAB).
 */
#include "analyze/analyzer.h"
#include "analyze/gobuildinfo.h"
#include "analyze/rustaudit.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK (256u * 1024)
#define OVERLAP 4096u
#define TAIL_BEFORE (64u * 1024)
#define MAX_SHTAB (1u << 20)
#define GO_MAX_BLOB (COMB_GOBI_HEADER + 10 + COMB_GOBI_MAX_VERSION + 10 + COMB_GOBI_MAX_MODINFO)

static int is_shared_object_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (const char *s = base; (s = strstr(s, ".so")) != NULL; s += 3)
        if (s[3] == '\0' || s[3] == '.')
            return 1;
    return 0;
}

static int wants(const comb_entry *e)
{
    if (!S_ISREG(e->mode) || !(e->mode & 0111) || e->size < 1024)
        return COMB_WANT_NO;
    if (is_shared_object_name(e->path))
        return COMB_WANT_NO;
    return COMB_WANT_STREAM;
}

typedef struct elfinfo {
    int is64, be;
    uint64_t shoff;
    uint32_t shentsize, shnum, shstrndx;
} elfinfo;

static uint64_t rd(const uint8_t *p, int n, int be)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
    return v;
}

enum { GO_SEARCH, GO_CAPTURE, GO_DONE };

typedef struct scan {
    comb_emit *out;
    elfinfo ei;
    /* go */
    int go_state, go_pointer_format, go_truncated;
    uint8_t *go_buf;
    size_t go_len, go_cap;
    long go_need;
    uint64_t go_off;
    /* rust */
    comb_rustaudit ra;
    /* section window [tail_lo, tail_hi) */
    uint64_t tail_lo, tail_hi;
    uint8_t *tail;
    size_t tail_got;
} scan;

/* Append to the Go capture and re-evaluate; may finish or abandon it. */
static comb_code go_append(scan *s, const uint8_t *p, size_t n)
{
    size_t want = n;
    if (s->go_need >= 0 && s->go_len + want > (size_t)s->go_need)
        want = (size_t)s->go_need - s->go_len;
    if (s->go_len + want > GO_MAX_BLOB)
        want = GO_MAX_BLOB - s->go_len;
    if (s->go_len + want > s->go_cap) {
        size_t cap = s->go_cap ? s->go_cap : 8192;
        while (cap < s->go_len + want)
            cap *= 2;
        uint8_t *b = realloc(s->go_buf, cap);
        if (!b)
            return COMB_ENOMEM;
        s->go_buf = b;
        s->go_cap = cap;
    }
    memcpy(s->go_buf + s->go_len, p, want);
    s->go_len += want;
    long sz = comb_gobuildinfo_size(s->go_buf, s->go_len);
    if (sz == COMB_GOBI_INVALID || sz == COMB_GOBI_POINTERS ||
        (sz == COMB_GOBI_MORE && s->go_len >= GO_MAX_BLOB)) {
        s->go_state = GO_SEARCH;
        s->go_len = 0;
        s->go_need = -1;
        return COMB_OK;
    }
    s->go_need = sz;
    if (sz >= 0 && s->go_len >= (size_t)sz)
        s->go_state = GO_DONE;
    return COMB_OK;
}

/* Bytes at file offset off, seen for the first time. */
static comb_code consume(scan *s, uint64_t off, const uint8_t *p, size_t n)
{
    if (n == 0)
        return COMB_OK;
    if (s->go_state == GO_CAPTURE) {
        comb_code rc = go_append(s, p, n);
        if (rc)
            return rc;
    }
    if (s->ra.state == 1 && comb_rustaudit_feed(&s->ra, p, n) < 0 && !s->ra.over_cap)
        s->ra.state = 0; /* false start; look for another */
    if (s->tail && off < s->tail_hi && off + n > s->tail_lo) {
        uint64_t a = off > s->tail_lo ? off : s->tail_lo;
        uint64_t b = off + n < s->tail_hi ? off + n : s->tail_hi;
        memcpy(s->tail + (a - s->tail_lo), p + (a - off), (size_t)(b - a));
        s->tail_got += (size_t)(b - a);
    }
    return COMB_OK;
}

/* Examine start positions [from, limit) of buf (file offset base), with
 * buf[0..have) valid. */
static comb_code scan_range(scan *s, const uint8_t *buf, uint64_t base, size_t from,
                            size_t limit, size_t have)
{
    if (s->go_state == GO_SEARCH) {
        size_t pos = from;
        while (pos < limit) {
            const uint8_t *m = memmem(buf + pos, have - pos, COMB_GOBI_MAGIC, COMB_GOBI_MAGIC_LEN);
            if (!m || (size_t)(m - buf) >= limit)
                break;
            pos = (size_t)(m - buf);
            if ((base + pos) % 16 == 0) {
                long sz = comb_gobuildinfo_size(buf + pos, have - pos);
                if (sz == COMB_GOBI_POINTERS) {
                    s->go_pointer_format = 1;
                } else if (sz != COMB_GOBI_INVALID) {
                    s->go_state = GO_CAPTURE;
                    s->go_len = 0;
                    s->go_need = -1;
                    s->go_off = base + pos;
                    comb_code rc = go_append(s, buf + pos, have - pos);
                    if (rc)
                        return rc;
                    if (s->go_state != GO_SEARCH)
                        break;
                }
            }
            pos++;
        }
    }
    if (s->ra.state == 0) {
        size_t pos = from;
        while (pos < limit) {
            const uint8_t *m = memchr(buf + pos, 0x78, limit - pos);
            if (!m)
                break;
            pos = (size_t)(m - buf);
            if (pos + 1 < have && comb_rustaudit_zhdr(buf + pos) &&
                comb_rustaudit_probe(&s->ra, buf + pos, have - pos)) {
                if (comb_rustaudit_start(&s->ra, base + pos) < 0)
                    return COMB_ENOMEM;
                int rc = comb_rustaudit_feed(&s->ra, buf + pos, have - pos);
                if (rc >= 0 || s->ra.over_cap)
                    break;
                s->ra.state = 0;
            }
            pos++;
        }
    }
    return COMB_OK;
}

typedef struct shinfo {
    int known;     /* section table and names read */
    int has_dep;   /* a .dep-v0 section exists */
    uint64_t dep_off, dep_size;
} shinfo;

static void resolve_sections(const scan *s, shinfo *si)
{
    memset(si, 0, sizeof *si);
    const elfinfo *e = &s->ei;
    if (!s->tail || s->tail_got != s->tail_hi - s->tail_lo)
        return;
    const uint8_t *tab = s->tail + (e->shoff - s->tail_lo);
    int n = e->is64 ? 8 : 4;
    size_t o_off = e->is64 ? 24 : 16, o_size = e->is64 ? 32 : 20;
    const uint8_t *str = tab + (size_t)e->shstrndx * e->shentsize;
    uint64_t str_off = rd(str + o_off, n, e->be), str_size = rd(str + o_size, n, e->be);
    if (str_off < s->tail_lo || str_off > s->tail_hi || str_size > s->tail_hi - str_off)
        return;
    const char *names = (const char *)s->tail + (str_off - s->tail_lo);
    si->known = 1;
    for (uint32_t i = 0; i < e->shnum; i++) {
        const uint8_t *sh = tab + (size_t)i * e->shentsize;
        uint32_t name = (uint32_t)rd(sh, 4, e->be);
        if (name >= str_size || str_size - name < 8)
            continue;
        if (memcmp(names + name, ".dep-v0", 8) == 0) {
            si->has_dep = 1;
            si->dep_off = rd(sh + o_off, n, e->be);
            si->dep_size = rd(sh + o_size, n, e->be);
        }
    }
}

static comb_code finish(scan *s, comb_err *err)
{
    comb_emit *out = s->out;
    comb_code rc = COMB_OK;
    /* Go */
    if (s->go_state == GO_DONE) {
        comb_gobuildinfo bi;
        comb_err e2;
        comb_err_clear(&e2);
        comb_code prc = comb_gobuildinfo_parse(comb_emit_arena(out), s->go_buf, s->go_len, &bi, &e2);
        if (prc == COMB_ENOMEM)
            return comb_fail(err, prc, "%s", e2.msg);
        if (prc == COMB_OK)
            rc = comb_gobuildinfo_emit(out, &bi);
        else
            comb_emit_warn(out, "%s", e2.msg);
        if (rc)
            return comb_fail(err, rc, "out of memory");
    } else if (s->go_state == GO_CAPTURE) {
        comb_emit_warn(out, "go build info at offset %llu is truncated",
                       (unsigned long long)s->go_off);
    } else if (s->go_pointer_format) {
        comb_emit_warn(out, "go build info in the pre-Go 1.18 format was not read "
                            "(needs random access)");
    }
    /* Rust */
    shinfo si;
    resolve_sections(s, &si);
    if (s->ra.state == 2) {
        int ok = 1;
        if (si.known) {
            if (!si.has_dep)
                ok = 0; /* some other embedded zlib data; not cargo-auditable */
            else if (si.dep_off != s->ra.offset || s->ra.in_bytes > si.dep_size) {
                comb_emit_warn(out, ".dep-v0 at offset %llu does not match the data found at %llu",
                               (unsigned long long)si.dep_off, (unsigned long long)s->ra.offset);
                ok = 0;
            }
        }
        if (ok) {
            comb_err e2;
            comb_err_clear(&e2);
            comb_code prc = comb_rustaudit_emit(out, s->ra.json, s->ra.json_len, &e2);
            if (prc == COMB_ENOMEM)
                return comb_fail(err, prc, "%s", e2.msg);
            if (prc)
                comb_emit_warn(out, "%s", e2.msg);
        }
    } else if (s->ra.state == 3 && s->ra.over_cap) {
        comb_emit_warn(out, "cargo-auditable data exceeds %u bytes; not read",
                       COMB_RUSTAUDIT_MAX_JSON);
    } else if (s->ra.state == 1) {
        comb_emit_warn(out, "cargo-auditable data at offset %llu is truncated",
                       (unsigned long long)s->ra.offset);
    } else if (si.has_dep) {
        comb_emit_warn(out, ".dep-v0 section present but its data could not be read");
    }
    return COMB_OK;
}

static int parse_ehdr(const uint8_t *h, size_t n, elfinfo *ei)
{
    memset(ei, 0, sizeof *ei);
    if (n < 52 || memcmp(h, "\x7f" "ELF", 4) != 0)
        return 0;
    if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
        return 0;
    ei->is64 = h[4] == 2;
    ei->be = h[5] == 2;
    if (ei->is64 && n < 64)
        return 0;
    uint16_t type = (uint16_t)rd(h + 16, 2, ei->be);
    if (type != 2 && type != 3) /* ET_EXEC, ET_DYN (PIE) */
        return 0;
    if (ei->is64) {
        ei->shoff = rd(h + 40, 8, ei->be);
        ei->shentsize = (uint32_t)rd(h + 58, 2, ei->be);
        ei->shnum = (uint32_t)rd(h + 60, 2, ei->be);
        ei->shstrndx = (uint32_t)rd(h + 62, 2, ei->be);
    } else {
        ei->shoff = rd(h + 32, 4, ei->be);
        ei->shentsize = (uint32_t)rd(h + 46, 2, ei->be);
        ei->shnum = (uint32_t)rd(h + 48, 2, ei->be);
        ei->shstrndx = (uint32_t)rd(h + 50, 2, ei->be);
    }
    return 1;
}

static comb_code on_stream(comb_emit *out, const comb_entry *e, comb_reader *r, comb_err *err)
{
    (void)e;
    uint8_t *buf = malloc(CHUNK);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    ssize_t n = comb_reader_read_full(r, buf, 64);
    if (n < 0) {
        free(buf);
        return comb_fail(err, COMB_EIO, "read failed");
    }
    scan s;
    memset(&s, 0, sizeof s);
    s.out = out;
    s.go_need = -1;
    comb_rustaudit_init(&s.ra);
    if (!parse_ehdr(buf, (size_t)n, &s.ei)) {
        free(buf);
        return COMB_OK; /* not an ELF executable */
    }
    const elfinfo *ei = &s.ei;
    uint64_t tabsize = (uint64_t)ei->shentsize * ei->shnum;
    if (ei->shoff && ei->shnum && ei->shstrndx < ei->shnum &&
        ei->shentsize >= (ei->is64 ? 64u : 40u) && tabsize <= MAX_SHTAB &&
        ei->shoff <= UINT64_MAX - tabsize && e->size >= 0 &&
        ei->shoff + tabsize <= (uint64_t)e->size) {
        s.tail_lo = ei->shoff > TAIL_BEFORE ? ei->shoff - TAIL_BEFORE : 0;
        s.tail_hi = ei->shoff + tabsize;
        s.tail = malloc((size_t)(s.tail_hi - s.tail_lo));
        if (!s.tail) {
            free(buf);
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        }
    }
    comb_code rc = COMB_OK;
    size_t have = (size_t)n, newfrom = 0, scanfrom = 0;
    uint64_t base = 0;
    int eof = 0;
    for (;;) {
        if (!eof) {
            ssize_t k = comb_reader_read_full(r, buf + have, CHUNK - have);
            if (k < 0) {
                rc = comb_fail(err, COMB_EIO, "read failed");
                goto out;
            }
            if ((size_t)k < CHUNK - have)
                eof = 1;
            have += (size_t)k;
        }
        rc = consume(&s, base + newfrom, buf + newfrom, have - newfrom);
        if (rc)
            goto oom;
        newfrom = have;
        size_t limit = eof ? have : have - OVERLAP;
        if (limit > scanfrom) {
            rc = scan_range(&s, buf, base, scanfrom, limit, have);
            if (rc)
                goto oom;
            scanfrom = limit;
        }
        if (eof)
            break;
        size_t keep = have - limit;
        memmove(buf, buf + limit, keep);
        base += limit;
        have = keep;
        newfrom = keep;
        scanfrom = 0;
    }
    rc = finish(&s, err);
    goto out;
oom:
    rc = comb_fail(err, rc, "out of memory");
out:
    free(buf);
    free(s.go_buf);
    free(s.tail);
    comb_rustaudit_free(&s.ra);
    return rc;
}

const comb_analyzer comb_analyzer_elf = {
    .name = "elf",
    .wants = wants,
    .on_stream = on_stream,
};
