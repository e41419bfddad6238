/* gobuildinfo.c - parse the Go build information blob (see gobuildinfo.h). */
#include "analyze/gobuildinfo.h"

#include <stdlib.h>
#include <string.h>

/* Unsigned LEB128 as written by encoding/binary.PutUvarint.
 * Returns bytes consumed, 0 if more bytes are needed, -1 if invalid. */
static int uvarint(const uint8_t *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 10; i++) {
        if (i >= n)
            return 0;
        uint8_t b = p[i];
        if (i == 9 && b > 1)
            return -1;
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = x;
            return (int)i + 1;
        }
    }
    return -1;
}

long comb_gobuildinfo_size(const uint8_t *p, size_t n)
{
    if (n < COMB_GOBI_HEADER)
        return memcmp(p, COMB_GOBI_MAGIC, n < COMB_GOBI_MAGIC_LEN ? n : COMB_GOBI_MAGIC_LEN)
                   ? COMB_GOBI_INVALID
                   : COMB_GOBI_MORE;
    if (memcmp(p, COMB_GOBI_MAGIC, COMB_GOBI_MAGIC_LEN) != 0)
        return COMB_GOBI_INVALID;
    uint8_t ptrsize = p[14], flags = p[15];
    if (ptrsize != 4 && ptrsize != 8)
        return COMB_GOBI_INVALID;
    if (flags & ~3u)
        return COMB_GOBI_INVALID;
    if (!(flags & 2))
        return COMB_GOBI_POINTERS;
    size_t off = COMB_GOBI_HEADER;
    uint64_t vlen, mlen;
    int k = uvarint(p + off, n - off, &vlen);
    if (k == 0)
        return COMB_GOBI_MORE;
    if (k < 0 || vlen > COMB_GOBI_MAX_VERSION)
        return COMB_GOBI_INVALID;
    off += (size_t)k;
    if (n - off < vlen)
        return COMB_GOBI_MORE;
    off += (size_t)vlen;
    k = uvarint(p + off, n - off, &mlen);
    if (k == 0)
        return COMB_GOBI_MORE;
    if (k < 0 || mlen > COMB_GOBI_MAX_MODINFO)
        return COMB_GOBI_INVALID;
    off += (size_t)k;
    return (long)(off + mlen);
}

/* --- module info text ----------------------------------------------------- */

/* Split a line on tabs into at most max fields; returns the count. */
static size_t split_tabs(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= len && nf < max; i++) {
        if (i == len || s[i] == '\t') {
            f[nf] = s + start;
            fl[nf] = i - start;
            nf++;
            start = i + 1;
        }
    }
    return nf;
}

/* Undo strconv.Quote for the common escapes; returns a malloc'd string. */
static char *go_unquote(const char *s, size_t len)
{
    char *o = malloc(len + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        for (size_t i = 1; i + 1 < len; i++) {
            char c = s[i];
            if (c == '\\' && i + 2 < len) {
                c = s[++i];
                switch (c) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                default: break; /* \" \\ and anything else: the character itself */
                }
            }
            o[j++] = c;
        }
    } else {
        memcpy(o, s, len);
        j = len;
    }
    o[j] = '\0';
    return o;
}

static int looks_like_version(const char *v)
{
    if (*v == 'v' || *v == 'V')
        v++;
    return *v >= '0' && *v <= '9';
}

/* Find "-X <sym>=<value>" (or "-X=<sym>=<value>", "--X ...") in ldflags where
 * the last element of <sym> is "version" in any case. Tokens may be quoted
 * with ' or ". Returns an arena copy of the value or NULL. */
static const char *ldflags_version(comb_arena *arena, const char *flags)
{
    /* tokenize */
    const char *toks[256];
    char *buf = malloc(strlen(flags) + 1);
    if (!buf)
        return NULL;
    size_t nt = 0, j = 0;
    const char *s = flags;
    while (*s && nt < 256) {
        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        toks[nt++] = buf + j;
        char q = 0;
        while (*s && (q || (*s != ' ' && *s != '\t' && *s != '\n'))) {
            if (!q && (*s == '\'' || *s == '"'))
                q = *s;
            else if (q && *s == q)
                q = 0;
            else
                buf[j++] = *s;
            s++;
        }
        buf[j++] = '\0';
    }
    const char *found = NULL;
    for (size_t i = 0; i < nt && !found; i++) {
        const char *t = toks[i], *def = NULL;
        if (strcmp(t, "-X") == 0 || strcmp(t, "--X") == 0) {
            if (i + 1 < nt)
                def = toks[++i];
        } else if (strncmp(t, "-X=", 3) == 0) {
            def = t + 3;
        } else if (strncmp(t, "--X=", 4) == 0) {
            def = t + 4;
        }
        if (!def)
            continue;
        const char *eq = strchr(def, '=');
        if (!eq || eq == def)
            continue;
        const char *dot = NULL;
        for (const char *c = def; c < eq; c++)
            if (*c == '.')
                dot = c;
        if (!dot)
            continue;
        size_t nl = (size_t)(eq - dot - 1);
        if (nl == 7 && strncasecmp(dot + 1, "version", 7) == 0 && looks_like_version(eq + 1))
            found = comb_arena_strdup(arena, eq + 1);
    }
    free(buf);
    return found;
}

static comb_code set_mod(comb_arena *a, comb_gomod *m, const char **f, size_t *fl, size_t nf)
{
    m->path = comb_arena_strndup(a, f[1], fl[1]);
    m->version = nf > 2 ? comb_arena_strndup(a, f[2], fl[2]) : "";
    m->sum = nf > 3 ? comb_arena_strndup(a, f[3], fl[3]) : "";
    return m->path && m->version && m->sum ? COMB_OK : COMB_ENOMEM;
}

static comb_code parse_modinfo(comb_arena *a, const char *s, size_t len, comb_gobuildinfo *bi,
                               comb_err *err)
{
    size_t ndep = 0, capdep = 0;
    for (size_t i = 0; i + 4 <= len; i++)
        if ((i == 0 || s[i - 1] == '\n') && memcmp(s + i, "dep\t", 4) == 0)
            capdep++;
    if (capdep > COMB_GOBI_MAX_DEPS)
        return comb_fail(err, COMB_ELIMIT, "go build info: %zu dependencies (limit %d)", capdep,
                         COMB_GOBI_MAX_DEPS);
    bi->deps = capdep ? comb_arena_calloc(a, capdep, sizeof *bi->deps) : NULL;
    if (capdep && !bi->deps)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_gomod *last = NULL;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (s + pos)) : len - pos;
        const char *line = s + pos;
        pos += ll + 1;
        const char *f[5];
        size_t fl[5];
        size_t nf = split_tabs(line, ll, f, fl, 5);
        if (nf < 2)
            continue;
        comb_code rc = COMB_OK;
        if (fl[0] == 4 && memcmp(f[0], "path", 4) == 0) {
            bi->path = comb_arena_strndup(a, f[1], fl[1]);
            last = NULL;
        } else if (fl[0] == 3 && memcmp(f[0], "mod", 3) == 0) {
            rc = set_mod(a, &bi->main, f, fl, nf);
            bi->has_main = 1;
            last = &bi->main;
        } else if (fl[0] == 3 && memcmp(f[0], "dep", 3) == 0) {
            if (ndep >= capdep)
                continue;
            rc = set_mod(a, &bi->deps[ndep], f, fl, nf);
            last = &bi->deps[ndep++];
        } else if (fl[0] == 2 && memcmp(f[0], "=>", 2) == 0) {
            if (last) {
                last->rpath = comb_arena_strndup(a, f[1], fl[1]);
                last->rversion = nf > 2 ? comb_arena_strndup(a, f[2], fl[2]) : "";
                if (!last->rpath || !last->rversion)
                    rc = COMB_ENOMEM;
            }
            last = NULL;
        } else if (fl[0] == 5 && memcmp(f[0], "build", 5) == 0) {
            last = NULL;
            /* the key/value is everything after "build\t" */
            const char *kv = f[1];
            size_t kvl = ll - (size_t)(kv - line);
            if (kvl > 9 && memcmp(kv, "-ldflags=", 9) == 0 && !bi->ldflags_version) {
                char *v = go_unquote(kv + 9, kvl - 9);
                if (!v)
                    return comb_fail(err, COMB_ENOMEM, "out of memory");
                bi->ldflags_version = ldflags_version(a, v);
                free(v);
            }
        }
        if (rc != COMB_OK)
            return comb_fail(err, rc, "out of memory");
    }
    bi->ndeps = ndep;
    return COMB_OK;
}

comb_code comb_gobuildinfo_parse(comb_arena *a, const uint8_t *p, size_t n, comb_gobuildinfo *bi,
                                 comb_err *err)
{
    memset(bi, 0, sizeof *bi);
    long total = comb_gobuildinfo_size(p, n);
    if (total == COMB_GOBI_POINTERS)
        return comb_fail(err, COMB_EUNSUPPORTED,
                         "go build info in the pre-1.18 pointer format is not supported");
    if (total < 0 || (size_t)total > n)
        return comb_fail(err, COMB_EFORMAT, "go build info: malformed or truncated");
    size_t off = COMB_GOBI_HEADER;
    uint64_t vlen, mlen;
    off += (size_t)uvarint(p + off, n - off, &vlen);
    const char *ver = (const char *)p + off;
    off += (size_t)vlen;
    off += (size_t)uvarint(p + off, n - off, &mlen);
    const char *mod = (const char *)p + off;
    if (vlen == 0)
        return comb_fail(err, COMB_EFORMAT, "go build info: empty Go version");
    for (size_t i = 0; i < vlen; i++)
        if ((unsigned char)ver[i] < 0x20 || (unsigned char)ver[i] == 0x7f)
            return comb_fail(err, COMB_EFORMAT, "go build info: bad Go version string");
    bi->go_version = comb_arena_strndup(a, ver, (size_t)vlen);
    if (!bi->go_version)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    /* As runtime/debug does: strip the 16-byte sentinels, else no module info. */
    if (mlen >= 33 && mod[mlen - 17] == '\n')
        return parse_modinfo(a, mod + 16, (size_t)mlen - 32, bi, err);
    return COMB_OK;
}

char *comb_gobuildinfo_stdlib_version(comb_arena *a, const char *gover)
{
    const char *v = gover;
    if (strncmp(v, "go", 2) == 0)
        v += 2;
    size_t n = strcspn(v, " \t");
    const char *x = strstr(v, "-X:");
    if (x && (size_t)(x - v) < n)
        n = (size_t)(x - v);
    if (n == 0)
        return NULL;
    return comb_arena_strndup(a, v, n);
}

/* A replacement by a local directory ("../x", "/src/x") keeps the module's
 * own path and version: the directory name identifies nothing. Otherwise the
 * replacement's path wins, and its version when it has one. */
static void effective(const comb_gomod *m, const char **path, const char **version)
{
    *path = m->path;
    *version = m->version;
    if (m->rpath && m->rpath[0] && m->rpath[0] != '.' && m->rpath[0] != '/') {
        *path = m->rpath;
        if (m->rversion && m->rversion[0])
            *version = m->rversion;
    }
}

comb_code comb_gobuildinfo_emit(comb_emit *out, const comb_gobuildinfo *bi)
{
    comb_arena *a = comb_emit_arena(out);
    if (bi->go_version) {
        char *v = comb_gobuildinfo_stdlib_version(a, bi->go_version);
        if (v) {
            comb_pkg *p = comb_emit_pkg(out, COMB_PKG_GO_STDLIB);
            if (!p)
                return COMB_ENOMEM;
            p->name = "stdlib";
            p->version = v;
        }
    }
    if (bi->has_main && bi->main.path && bi->main.path[0]) {
        const char *path, *ver;
        effective(&bi->main, &path, &ver);
        if (strcmp(ver, "(devel)") == 0 && bi->ldflags_version)
            ver = bi->ldflags_version;
        if (ver[0]) {
            comb_pkg *p = comb_emit_pkg(out, COMB_PKG_GO);
            if (!p)
                return COMB_ENOMEM;
            p->name = path;
            p->version = ver;
        }
    }
    for (size_t i = 0; i < bi->ndeps; i++) {
        const char *path, *ver;
        effective(&bi->deps[i], &path, &ver);
        if (!path || !path[0] || !ver || !ver[0])
            continue;
        comb_pkg *p = comb_emit_pkg(out, COMB_PKG_GO);
        if (!p)
            return COMB_ENOMEM;
        p->name = path;
        p->version = ver;
    }
    return COMB_OK;
}
