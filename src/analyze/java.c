/* java.c - Java archives (jar, war, ear, par, jpi, hpi).
 *
 * The archive is read as a stream with libarchive's streamable zip reader
 * (local headers in file order; the central directory at the end is never
 * needed). For each archive level:
 *  - META-INF/maven/<g>/<a>/pom.properties give Maven coordinates;
 *  - META-INF/MANIFEST.MF (main section) gives Implementation-*, Bundle-*
 *    and Specification-* attributes;
 *  - nested archives (WEB-INF/lib/x.jar, BOOT-INF/lib/y.jar, ...) are read
 *    recursively straight from the outer entry's decompressed data, down to
 *    MAX_DEPTH levels below the file itself.
 * At the end of a level its identity is decided: the pom.properties whose
 * artifactId matches the archive's file name (or the only one) is the
 * archive (failing that, the one whose version is the manifest's
 * Implementation-Version, for renamed files); other pom.properties are shaded
 * copies and are reported as their own packages (inner_path = the
 * pom.properties path); with no own pom.properties the manifest is used
 * (Implementation-Title, Bundle-SymbolicName, Specification-Title and the
 * matching versions), then the file name (name-1.2.3.jar).
 * Packages are reported once per (groupId, artifactId, version) per file.
 *
 * Limits: MAX_ENTRIES entries and MAX_BYTES decompressed bytes read through
 * nested archives and metadata files per top-level file; metadata files are
 * read up to MAX_META bytes. Entries that are not read are skipped by
 * libarchive (for deflated entries with a trailing data descriptor that means
 * inflating them; that costs time bounded by the deflate ratio, not memory).
 */
#include "analyze/analyzer.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DEPTH 4
#define MAX_ENTRIES 200000u
#define MAX_BYTES (1ull << 30)
#define MAX_META (64u * 1024)
#define MAX_POMS 2000u
#define READ_BLOCK (64u * 1024)
#define SEEN_SLOTS 16384u

static const char *const exts[] = { ".jar", ".war", ".ear", ".par", ".jpi", ".hpi" };

static int has_archive_ext(const char *path)
{
    size_t n = strlen(path);
    if (n < 5)
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(path + n - 4, exts[i]) == 0)
            return 1;
    return 0;
}

static int wants(const comb_entry *e)
{
    if (!S_ISREG(e->mode))
        return COMB_WANT_NO;
    return has_archive_ext(e->path) ? COMB_WANT_STREAM : COMB_WANT_NO;
}

/* --- per-file and per-level state ----------------------------------------- */

typedef struct jctx {
    comb_emit *out;
    comb_arena tmp;
    uint64_t bytes;
    size_t entries;
    int limit_hit, depth_warned, oom;
    const char **seen; /* open addressing, SEEN_SLOTS */
    size_t nseen;
} jctx;

typedef struct pom {
    const char *g, *a, *v, *path;
} pom;

enum { M_ITITLE, M_IVERSION, M_IVENDORID, M_BNAME, M_BVERSION, M_STITLE, M_SVERSION, M_COUNT };
static const char *const mkeys[M_COUNT] = {
    "Implementation-Title", "Implementation-Version", "Implementation-Vendor-Id",
    "Bundle-SymbolicName",  "Bundle-Version",         "Specification-Title",
    "Specification-Version",
};

typedef struct jlevel {
    const char *base;  /* file name of the archive */
    const char *inner; /* path inside the top-level file, NULL for the file itself */
    pom *poms;
    size_t npoms;
    const char *m[M_COUNT];
} jlevel;

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* 1 if key is new (and remembers it), 0 if seen before. */
static int first_time(jctx *c, const char *key)
{
    if (!c->seen) {
        c->seen = comb_arena_calloc(&c->tmp, SEEN_SLOTS, sizeof *c->seen);
        if (!c->seen)
            return 1;
    }
    if (c->nseen >= SEEN_SLOTS / 2)
        return 1; /* table full: stop deduplicating rather than fail */
    for (uint32_t i = fnv(key) % SEEN_SLOTS;; i = (i + 1) % SEEN_SLOTS) {
        if (!c->seen[i]) {
            c->seen[i] = comb_arena_strdup(&c->tmp, key);
            c->nseen++;
            return 1;
        }
        if (strcmp(c->seen[i], key) == 0)
            return 0;
    }
}

static void emit(jctx *c, const char *g, const char *a, const char *v, const char *inner)
{
    if (!a || !a[0] || !v || !v[0])
        return;
    char *key = comb_arena_printf(&c->tmp, "%s|%s|%s", g ? g : "", a, v);
    if (!key) {
        c->oom = 1;
        return;
    }
    if (!first_time(c, key))
        return;
    comb_pkg *p = comb_emit_pkg(c->out, COMB_PKG_MAVEN);
    if (!p) {
        c->oom = 1;
        return;
    }
    p->name = comb_emit_strdup(c->out, a);
    p->version = comb_emit_strdup(c->out, v);
    p->namespace_ = g && g[0] ? comb_emit_strdup(c->out, g) : NULL;
    p->inner_path = inner ? comb_emit_strdup(c->out, inner) : NULL;
    if (!p->name || !p->version)
        c->oom = 1;
}

/* --- text formats ---------------------------------------------------------- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\f')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\f'))
        s[--n] = '\0';
    return s;
}

/* pom.properties: key=value or key: value; # and ! comments. */
static void parse_props(jctx *c, jlevel *lv, char *text, const char *path)
{
    const char *g = NULL, *a = NULL, *v = NULL;
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *l = trim(line);
        if (!*l || *l == '#' || *l == '!')
            continue;
        size_t k = strcspn(l, "=: \t");
        if (!l[k])
            continue;
        char *val = l + k;
        *val++ = '\0';
        val = trim(val);
        if (*val == '=' || *val == ':')
            val = trim(val + 1);
        if (strcmp(l, "groupId") == 0)
            g = val;
        else if (strcmp(l, "artifactId") == 0)
            a = val;
        else if (strcmp(l, "version") == 0)
            v = val;
    }
    if (!a || !v || !*a || !*v)
        return;
    if (lv->npoms >= MAX_POMS)
        return;
    if (!lv->poms) {
        lv->poms = comb_arena_calloc(&c->tmp, MAX_POMS, sizeof *lv->poms);
        if (!lv->poms) {
            c->oom = 1;
            return;
        }
    }
    pom *p = &lv->poms[lv->npoms];
    p->g = comb_arena_strdup(&c->tmp, g ? g : "");
    p->a = comb_arena_strdup(&c->tmp, a);
    p->v = comb_arena_strdup(&c->tmp, v);
    p->path = comb_arena_strdup(&c->tmp, path);
    if (!p->g || !p->a || !p->v || !p->path) {
        c->oom = 1;
        return;
    }
    lv->npoms++;
}

/* MANIFEST.MF main section; continuation lines start with one space. */
static void parse_manifest(jctx *c, jlevel *lv, const char *text, size_t len)
{
    char *buf = malloc(len + 1);
    if (!buf) {
        c->oom = 1;
        return;
    }
    /* unfold into buf: drop CR, join continuation lines */
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r')
            continue;
        if (text[i] == '\n' && i + 1 < len && text[i + 1] == ' ') {
            i++; /* skip newline and the one leading space */
            continue;
        }
        if (text[i] == '\0')
            break;
        buf[j++] = text[i];
    }
    buf[j] = '\0';
    for (char *line = buf, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!*line)
            break; /* end of the main section */
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *val = trim(colon + 1);
        for (int k = 0; k < M_COUNT; k++)
            if (!lv->m[k] && strcasecmp(line, mkeys[k]) == 0 && *val) {
                lv->m[k] = comb_arena_strdup(&c->tmp, val);
                if (!lv->m[k])
                    c->oom = 1;
            }
    }
    free(buf);
}

static int has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return 1;
    return 0;
}

/* "commons-lang3-3.12.0" -> name "commons-lang3", version "3.12.0" (at the
 * first "-<digit>"); without one the whole stem is the name. */
static void split_filename(jctx *c, const char *base, const char **name, const char **version)
{
    size_t n = strlen(base);
    if (n > 4)
        n -= 4; /* extension */
    *name = NULL;
    *version = NULL;
    for (size_t i = 1; i + 1 < n; i++)
        if (base[i] == '-' && isdigit((unsigned char)base[i + 1])) {
            *name = comb_arena_strndup(&c->tmp, base, i);
            *version = comb_arena_strndup(&c->tmp, base + i + 1, n - i - 1);
            return;
        }
    *name = comb_arena_strndup(&c->tmp, base, n);
}

/* How well does pom p name the archive whose file stem is stem?
 * 4: "<a>-<v>", 3: "<a>", 2: "<a>-<digit>...", 1: "<a>-..." (classifier
 * renames like wagon-http-shaded-3.5.3), 0: no. */
static int pom_matches(const pom *p, const char *stem, size_t stemlen)
{
    size_t al = strlen(p->a);
    if (stemlen == al && memcmp(stem, p->a, al) == 0)
        return 3;
    if (stemlen > al + 1 && memcmp(stem, p->a, al) == 0 && stem[al] == '-') {
        size_t vl = strlen(p->v);
        if (stemlen == al + 1 + vl && memcmp(stem + al + 1, p->v, vl) == 0)
            return 4;
        return isdigit((unsigned char)stem[al + 1]) ? 2 : 1;
    }
    return 0;
}

static void finish_level(jctx *c, jlevel *lv)
{
    size_t stemlen = strlen(lv->base);
    if (stemlen > 4)
        stemlen -= 4;
    size_t own = SIZE_MAX, bestlen = 0;
    int best = 0;
    for (size_t i = 0; i < lv->npoms; i++) {
        int m = pom_matches(&lv->poms[i], lv->base, stemlen);
        size_t al = strlen(lv->poms[i].a);
        if (m > best || (m && m == best && al > bestlen)) {
            best = m;
            own = i;
            bestlen = al;
        }
    }
    if (own == SIZE_MAX && lv->npoms == 1)
        own = 0;
    /* renamed file (Debian's maven3-slf4j-provider.jar): the one pom whose
     * version is the manifest's Implementation-Version / Bundle-Version */
    const char *mver = lv->m[M_IVERSION] ? lv->m[M_IVERSION] : lv->m[M_BVERSION];
    if (own == SIZE_MAX && mver) {
        size_t hits = 0, hit = 0;
        for (size_t i = 0; i < lv->npoms; i++)
            if (strcmp(lv->poms[i].v, mver) == 0) {
                hits++;
                hit = i;
            }
        if (hits == 1)
            own = hit;
    }
    if (own != SIZE_MAX) {
        emit(c, lv->poms[own].g, lv->poms[own].a, lv->poms[own].v, lv->inner);
    } else {
        const char *fname, *fver;
        split_filename(c, lv->base, &fname, &fver);
        const char *name = NULL, *ver = NULL;
        if (lv->m[M_ITITLE] && !has_space(lv->m[M_ITITLE]))
            name = lv->m[M_ITITLE];
        else if (lv->m[M_BNAME])
            name = comb_arena_strndup(&c->tmp, lv->m[M_BNAME], strcspn(lv->m[M_BNAME], "; "));
        else if (lv->m[M_STITLE] && !has_space(lv->m[M_STITLE]))
            name = lv->m[M_STITLE];
        if (!name || !*name)
            name = fname;
        ver = lv->m[M_IVERSION] ? lv->m[M_IVERSION]
              : lv->m[M_BVERSION] ? lv->m[M_BVERSION]
              : lv->m[M_SVERSION] ? lv->m[M_SVERSION]
                                  : fver;
        emit(c, lv->m[M_IVENDORID], name, ver, lv->inner);
    }
    for (size_t i = 0; i < lv->npoms; i++) {
        if (i == own)
            continue;
        const char *inner = lv->inner
                                ? comb_arena_printf(&c->tmp, "%s!%s", lv->inner, lv->poms[i].path)
                                : lv->poms[i].path;
        if (!inner) {
            c->oom = 1;
            return;
        }
        emit(c, lv->poms[i].g, lv->poms[i].a, lv->poms[i].v, inner);
    }
}

/* --- archive plumbing ---------------------------------------------------- */

typedef struct top_src {
    comb_reader *r;
    uint8_t buf[READ_BLOCK];
    int failed;
} top_src;

static la_ssize_t top_read(struct archive *a, void *opaque, const void **out)
{
    top_src *s = opaque;
    ssize_t n = comb_reader_read_full(s->r, s->buf, sizeof s->buf);
    if (n < 0) {
        s->failed = 1;
        archive_set_error(a, EIO, "read failed");
        return -1;
    }
    *out = s->buf;
    return n;
}

typedef struct nested_src {
    struct archive *outer;
    jctx *c;
    uint8_t buf[READ_BLOCK];
} nested_src;

static la_ssize_t nested_read(struct archive *a, void *opaque, const void **out)
{
    nested_src *s = opaque;
    la_ssize_t n = archive_read_data(s->outer, s->buf, sizeof s->buf);
    if (n < 0) {
        archive_set_error(a, EIO, "outer archive: %s", archive_error_string(s->outer));
        return -1;
    }
    s->c->bytes += (uint64_t)n;
    if (s->c->bytes > MAX_BYTES) {
        s->c->limit_hit = 1;
        archive_set_error(a, ERANGE, "decompressed size limit reached");
        return -1;
    }
    *out = s->buf;
    return n;
}

static struct archive *new_reader(void)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    if (archive_read_support_format_zip_streamable(a) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* Read the current entry's data, at most MAX_META bytes; malloc'd, NUL-ended. */
static char *read_small(jctx *c, struct archive *a, size_t *len)
{
    char *buf = malloc(MAX_META + 1);
    if (!buf) {
        c->oom = 1;
        return NULL;
    }
    size_t n = 0;
    while (n < MAX_META) {
        la_ssize_t k = archive_read_data(a, buf + n, MAX_META - n);
        if (k < 0) {
            free(buf);
            return NULL;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    c->bytes += n;
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int is_pom_properties(const char *p)
{
    /* META-INF/maven/<g>/<a>/pom.properties */
    if (strncmp(p, "META-INF/maven/", 15) != 0)
        return 0;
    const char *rest = p + 15;
    int slashes = 0;
    for (const char *s = rest; *s; s++)
        if (*s == '/')
            slashes++;
    size_t n = strlen(rest);
    return slashes == 2 && n > 15 && strcmp(rest + n - 15, "/pom.properties") == 0;
}

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Walk one archive level. Returns entries seen, or -1 when the first header
 * could not be read (not a zip). *errmsg gets libarchive's message. */
static long walk(jctx *c, struct archive *a, jlevel *lv, int depth, const char **errmsg)
{
    struct archive_entry *ent;
    long seen = 0;
    *errmsg = NULL;
    for (;;) {
        int rc = archive_read_next_header(a, &ent);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
            *errmsg = archive_error_string(a);
            return seen ? seen : -1;
        }
        seen++;
        if (++c->entries > MAX_ENTRIES) {
            c->limit_hit = 1;
            break;
        }
        if (c->bytes > MAX_BYTES || c->oom) {
            c->limit_hit |= c->bytes > MAX_BYTES;
            break;
        }
        if (!S_ISREG(archive_entry_filetype(ent)) && archive_entry_filetype(ent) != 0)
            continue;
        const char *path = archive_entry_pathname(ent);
        if (!path || !*path)
            continue;
        if (is_pom_properties(path)) {
            size_t len;
            char *txt = read_small(c, a, &len);
            if (txt) {
                parse_props(c, lv, txt, path);
                free(txt);
            }
        } else if (strcasecmp(path, "META-INF/MANIFEST.MF") == 0) {
            size_t len;
            char *txt = read_small(c, a, &len);
            if (txt) {
                parse_manifest(c, lv, txt, len);
                free(txt);
            }
        } else if (has_archive_ext(path)) {
            if (depth >= MAX_DEPTH) {
                if (!c->depth_warned)
                    comb_emit_warn(c->out, "%s%s%s: archives nested deeper than %d levels not read",
                                   lv->inner ? lv->inner : "", lv->inner ? "!" : "", path,
                                   MAX_DEPTH);
                c->depth_warned = 1;
                continue;
            }
            jlevel sub;
            memset(&sub, 0, sizeof sub);
            sub.base = comb_arena_strdup(&c->tmp, basename_of(path));
            sub.inner = lv->inner ? comb_arena_printf(&c->tmp, "%s!%s", lv->inner, path)
                                  : comb_arena_strdup(&c->tmp, path);
            nested_src *src = malloc(sizeof *src);
            struct archive *na = new_reader();
            if (!sub.base || !sub.inner || !src || !na) {
                free(src);
                if (na)
                    archive_read_free(na);
                c->oom = 1;
                break;
            }
            src->outer = a;
            src->c = c;
            const char *msg = NULL;
            long n = -1;
            if (archive_read_open(na, src, NULL, nested_read, NULL) == ARCHIVE_OK)
                n = walk(c, na, &sub, depth + 1, &msg);
            else
                msg = archive_error_string(na);
            if (n < 0)
                comb_emit_warn(c->out, "%s: not a readable archive: %s", sub.inner,
                               msg ? msg : "unknown error");
            else {
                if (msg)
                    comb_emit_warn(c->out, "%s: %s (partial result)", sub.inner, msg);
                finish_level(c, &sub);
            }
            archive_read_free(na);
            free(src);
        }
    }
    return seen;
}

static comb_code on_stream(comb_emit *out, const comb_entry *e, comb_reader *r, comb_err *err)
{
    jctx c;
    memset(&c, 0, sizeof c);
    c.out = out;
    comb_arena_init(&c.tmp);
    jlevel lv;
    memset(&lv, 0, sizeof lv);
    lv.base = basename_of(e->path);
    comb_code rc = COMB_OK;
    top_src *src = malloc(sizeof *src);
    struct archive *a = new_reader();
    if (!src || !a) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    src->r = r;
    src->failed = 0;
    const char *msg = NULL;
    long n = -1;
    if (archive_read_open(a, src, NULL, top_read, NULL) == ARCHIVE_OK)
        n = walk(&c, a, &lv, 0, &msg);
    else
        msg = archive_error_string(a);
    if (c.oom) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        goto out;
    }
    if (src->failed) {
        rc = comb_fail(err, COMB_EIO, "%s: read failed", e->path);
        goto out;
    }
    if (n < 0) {
        rc = comb_fail(err, COMB_EFORMAT, "%s: not a readable zip archive: %s", e->path,
                       msg ? msg : "unknown error");
        goto out;
    }
    if (msg)
        comb_emit_warn(out, "archive damaged after %ld entries: %s (partial result)", n, msg);
    if (c.limit_hit)
        comb_emit_warn(out, "archive exceeds the limits (%u entries, %llu decompressed bytes); "
                            "partial result", MAX_ENTRIES, (unsigned long long)MAX_BYTES);
    finish_level(&c, &lv);
    if (c.oom)
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
out:
    if (a)
        archive_read_free(a);
    free(src);
    comb_arena_free(&c.tmp);
    return rc;
}

const comb_analyzer comb_analyzer_java = {
    .name = "java",
    .wants = wants,
    .on_stream = on_stream,
};
