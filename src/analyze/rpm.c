/* rpm.c - the rpm analyzer: installed packages from an rpm database.
 *
 * Wants the package database of rpm in its three formats and three usual
 * places (var/lib/rpm, usr/lib/sysimage/rpm, usr/share/rpm): "Packages"
 * (Berkeley DB hash, rpmdb_bdb.c), "Packages.db" (NDB, rpmdb_ndb.c) and
 * "rpmdb.sqlite" (SQLite, rpmdb_sqlite.c); the file name picks the reader,
 * as it does for rpm. Each header blob is decoded by rpm_header.c and turned
 * into one COMB_PKG_RPM record: name, version-release, epoch, arch, source
 * rpm name and version, license, vendor, modularity label and file list.
 *
 * What it does not: read rpm's index databases, verify header digests or
 * signatures, or evaluate dependencies. All input is untrusted: per-header
 * problems are warnings, the amount of work is bounded (headers, blob bytes
 * and file-path bytes), and only an unreadable database is an error.
 */
#include "analyze/analyzer.h"
#include "analyze/records.h"
#include "analyze/rpm_header.h"
#include "analyze/rpmdb.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RPM_MAX_FILES_PER_PKG 1000000u
#define RPM_MAX_WARN 20

enum rpm_format { FMT_BDB, FMT_NDB, FMT_SQLITE };

static const char *const rpm_dirs[] = { "var/lib/rpm/", "usr/lib/sysimage/rpm/",
                                        "usr/share/rpm/" };
static const struct {
    const char *name;
    enum rpm_format fmt;
} rpm_files[] = { { "Packages", FMT_BDB }, { "Packages.db", FMT_NDB },
                  { "rpmdb.sqlite", FMT_SQLITE } };

/* Which database format a path names, or -1. */
static int rpm_path_format(const char *path)
{
    if (!path)
        return -1;
    for (size_t d = 0; d < sizeof rpm_dirs / sizeof rpm_dirs[0]; d++) {
        size_t n = strlen(rpm_dirs[d]);
        if (strncmp(path, rpm_dirs[d], n) != 0)
            continue;
        for (size_t f = 0; f < sizeof rpm_files / sizeof rpm_files[0]; f++)
            if (strcmp(path + n, rpm_files[f].name) == 0)
                return (int)rpm_files[f].fmt;
    }
    return -1;
}

static int rpm_wants(const comb_entry *e)
{
    if (!S_ISREG(e->mode))
        return COMB_WANT_NO;
    return rpm_path_format(e->path) >= 0 ? COMB_WANT_BUFFER : COMB_WANT_NO;
}

typedef struct rpm_ctx {
    comb_emit *out;
    size_t nheaders;      /* blobs seen */
    uint64_t blob_budget; /* header bytes left to decode */
    uint64_t out_budget;  /* bytes left to copy into the arena (strings, files) */
    const char *stopped;  /* why the walk was cut short */
    unsigned warnings;
} rpm_ctx;

#define RPM_WARN(c, ...)                                                            \
    do {                                                                            \
        if ((c)->warnings++ < RPM_MAX_WARN)                                         \
            comb_emit_warn((c)->out, __VA_ARGS__);                                  \
    } while (0)

/* "name-version-release.src.rpm" -> src_name, src_version "version-release". */
static void parse_sourcerpm(comb_emit *out, const char *s, comb_pkg *pkg)
{
    size_t len = strlen(s);
    static const char *const sfx[] = { ".src.rpm", ".nosrc.rpm" };
    size_t n = 0;
    for (size_t i = 0; i < 2 && !n; i++) {
        size_t l = strlen(sfx[i]);
        if (len > l && strcmp(s + len - l, sfx[i]) == 0)
            n = len - l;
    }
    if (!n)
        return;
    size_t r = n; /* last '-' */
    while (r > 0 && s[r - 1] != '-')
        r--;
    if (r < 2 || r == n)
        return;
    size_t v = r - 1; /* '-' before the release; find the one before the version */
    while (v > 0 && s[v - 1] != '-')
        v--;
    if (v < 2 || v == r - 1)
        return;
    pkg->src_name = comb_emit_strndup(out, s, v - 1);
    pkg->src_version = comb_emit_strndup(out, s + v, n - v);
}

/* Join dir + base into an absolute path in the arena. */
static const char *join_path(comb_emit *out, const char *dir, size_t dlen, const char *base,
                             size_t blen)
{
    int slash = dlen == 0 || dir[0] != '/';
    char *p = comb_arena_alloc(comb_emit_arena(out), dlen + blen + (size_t)slash + 1);
    if (!p)
        return NULL;
    size_t o = 0;
    if (slash)
        p[o++] = '/';
    memcpy(p + o, dir, dlen);
    memcpy(p + o + dlen, base, blen);
    p[o + dlen + blen] = 0;
    return p;
}

/* File list from DIRNAMES/BASENAMES/DIRINDEXES (or legacy OLDFILENAMES).
 * Returns COMB_ENOMEM or COMB_OK; a malformed list is warned about and left
 * out (the package is still reported). */
static comb_code add_files(rpm_ctx *c, const rpm_header *h, comb_pkg *pkg, size_t hno)
{
    rpm_strarray bn, dn;
    rpm_tag di;
    const char **files = NULL;
    size_t nfiles = 0;
    uint64_t budget = c->out_budget;
    struct dirent_ { const char *s; size_t n; } *dirs = NULL;
    const char *why = NULL;

    if (rpm_header_strarray(h, RPMTAG_BASENAMES, &bn) == 0) {
        if (bn.left == 0)
            return COMB_OK;
        if (rpm_header_strarray(h, RPMTAG_DIRNAMES, &dn) != 0 ||
            rpm_header_find(h, RPMTAG_DIRINDEXES, &di) != 0) {
            why = "BASENAMES without DIRNAMES or DIRINDEXES";
            goto bad;
        }
        if (di.type != RPM_TYPE_INT32 || di.count != bn.left ||
            (uint64_t)di.count * 4 > di.avail) {
            why = "DIRINDEXES does not match BASENAMES";
            goto bad;
        }
        if (bn.left > RPM_MAX_FILES_PER_PKG || bn.left > bn.avail) {
            why = "too many files";
            goto bad;
        }
        if (dn.left > dn.avail || dn.left > RPM_MAX_FILES_PER_PKG) {
            why = "DIRNAMES count out of range";
            goto bad;
        }
        size_t ndirs = dn.left;
        dirs = malloc((ndirs ? ndirs : 1) * sizeof *dirs);
        if (!dirs)
            return COMB_ENOMEM;
        for (size_t i = 0; i < ndirs; i++) {
            dirs[i].s = rpm_strarray_next(&dn, &dirs[i].n);
            if (!dirs[i].s) {
                why = "unterminated DIRNAMES";
                goto bad;
            }
        }
        size_t n = bn.left;
        if ((uint64_t)n * sizeof *files > budget) {
            why = "file paths exceed the size limit";
            goto bad;
        }
        budget -= (uint64_t)n * sizeof *files;
        files = comb_arena_calloc(comb_emit_arena(c->out), n, sizeof *files);
        if (!files)
            goto oom;
        for (size_t i = 0; i < n; i++) {
            size_t blen;
            const char *b = rpm_strarray_next(&bn, &blen);
            uint32_t idx = rpm_tag_u32(&di, (uint32_t)i);
            if (!b) {
                why = "unterminated BASENAMES";
                goto bad;
            }
            if (idx >= ndirs) {
                why = "DIRINDEXES entry out of range";
                goto bad;
            }
            uint64_t need = (uint64_t)dirs[idx].n + blen + 2;
            if (need > budget) {
                why = "file paths exceed the size limit";
                goto bad;
            }
            budget -= need;
            files[i] = join_path(c->out, dirs[idx].s, dirs[idx].n, b, blen);
            if (!files[i])
                goto oom;
        }
        nfiles = n;
    } else if (rpm_header_strarray(h, RPMTAG_OLDFILENAMES, &bn) == 0) {
        if (bn.left == 0)
            return COMB_OK;
        if (bn.left > RPM_MAX_FILES_PER_PKG || bn.left > bn.avail) {
            why = "too many files";
            goto bad;
        }
        size_t n = bn.left;
        if ((uint64_t)n * sizeof *files > budget) {
            why = "file paths exceed the size limit";
            goto bad;
        }
        budget -= (uint64_t)n * sizeof *files;
        files = comb_arena_calloc(comb_emit_arena(c->out), n, sizeof *files);
        if (!files)
            goto oom;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            const char *s = rpm_strarray_next(&bn, &len);
            if (!s) {
                why = "unterminated OLDFILENAMES";
                goto bad;
            }
            if ((uint64_t)len + 2 > budget) {
                why = "file paths exceed the size limit";
                goto bad;
            }
            budget -= len + 2;
            files[i] = join_path(c->out, "", 0, s, len);
            if (!files[i])
                goto oom;
        }
        nfiles = n;
    } else {
        return COMB_OK;
    }
    free(dirs);
    c->out_budget = budget;
    pkg->files = files;
    pkg->nfiles = nfiles;
    return COMB_OK;
bad:
    free(dirs);
    c->out_budget = budget; /* what was allocated stays spent */
    RPM_WARN(c, "header %zu (%s): file list left out: %s", hno, pkg->name ? pkg->name : "?", why);
    return COMB_OK;
oom:
    free(dirs);
    return COMB_ENOMEM;
}

static comb_code emit_header(rpm_ctx *c, const rpm_header *h, size_t hno)
{
    comb_emit *out = c->out;
    const char *name = rpm_header_string(h, RPMTAG_NAME);
    const char *version = rpm_header_string(h, RPMTAG_VERSION);
    const char *release = rpm_header_string(h, RPMTAG_RELEASE);
    if (!name || !*name || !version || !*version) {
        RPM_WARN(c, "header %zu: no name or version, skipped", hno);
        return COMB_OK;
    }
    /* gpg-pubkey "packages" are the imported signing keys, not software. */
    if (strcmp(name, "gpg-pubkey") == 0)
        return COMB_OK;

    static const uint32_t copied[] = { RPMTAG_NAME, RPMTAG_VERSION, RPMTAG_RELEASE,
                                       RPMTAG_ARCH, RPMTAG_SOURCERPM, RPMTAG_LICENSE,
                                       RPMTAG_VENDOR, RPMTAG_PACKAGER, RPMTAG_MODULARITYLABEL };
    uint64_t need = sizeof(comb_record) + 256;
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
        const char *v = rpm_header_string(h, copied[i]);
        need += v ? 2 * (uint64_t)strlen(v) + 2 : 0; /* x2: version-release, srpm parts */
    }
    if (need > c->out_budget) {
        c->stopped = "package data larger than the size limit";
        return COMB_ELIMIT;
    }
    c->out_budget -= need;

    comb_pkg *pkg = comb_emit_pkg(out, COMB_PKG_RPM);
    if (!pkg)
        return COMB_ENOMEM;
    pkg->name = comb_emit_strdup(out, name);
    pkg->rpm_version = comb_emit_strdup(out, version);
    if (release && *release) {
        pkg->rpm_release = comb_emit_strdup(out, release);
        pkg->version = comb_arena_printf(comb_emit_arena(out), "%s-%s", version, release);
    } else {
        pkg->version = pkg->rpm_version;
    }
    if (!pkg->name || !pkg->version || !pkg->rpm_version ||
        (release && *release && !pkg->rpm_release))
        return COMB_ENOMEM;

    uint32_t epoch;
    if (rpm_header_int32(h, RPMTAG_EPOCH, &epoch) == 0 && epoch <= INT_MAX)
        pkg->epoch = (int)epoch;

    const char *s;
    if ((s = rpm_header_string(h, RPMTAG_ARCH)))
        pkg->arch = comb_emit_strdup(out, s);
    if ((s = rpm_header_string(h, RPMTAG_SOURCERPM)))
        parse_sourcerpm(out, s, pkg);
    if ((s = rpm_header_string(h, RPMTAG_LICENSE)))
        pkg->license = comb_emit_strdup(out, s);
    if ((s = rpm_header_string(h, RPMTAG_VENDOR)) && *s)
        pkg->maintainer = comb_emit_strdup(out, s);
    else if ((s = rpm_header_string(h, RPMTAG_PACKAGER)) && *s)
        pkg->maintainer = comb_emit_strdup(out, s);
    if ((s = rpm_header_string(h, RPMTAG_MODULARITYLABEL)) && *s)
        pkg->modularity = comb_emit_strdup(out, s);
    return add_files(c, h, pkg, hno);
}

static comb_code on_blob(void *vctx, const uint8_t *blob, size_t len)
{
    rpm_ctx *c = vctx;
    size_t hno = ++c->nheaders;
    if (hno > RPMDB_MAX_HEADERS) {
        c->stopped = "more than 1000000 headers";
        return COMB_ELIMIT;
    }
    if (len > c->blob_budget) {
        c->stopped = "header data larger than the database (reused blobs?)";
        return COMB_ELIMIT;
    }
    c->blob_budget -= len;
    rpm_header h;
    const char *why = NULL;
    if (rpm_header_load(&h, blob, len, &why) != 0) {
        RPM_WARN(c, "header %zu: %s, skipped", hno, why);
        return COMB_OK;
    }
    return emit_header(c, &h, hno);
}

static comb_code rpm_on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                               size_t len, comb_err *err)
{
    int fmt = rpm_path_format(e->path);
    if (fmt < 0 && e->path) { /* called directly with another path */
        const char *base = strrchr(e->path, '/');
        base = base ? base + 1 : e->path;
        for (size_t f = 0; f < sizeof rpm_files / sizeof rpm_files[0]; f++)
            if (strcmp(base, rpm_files[f].name) == 0)
                fmt = (int)rpm_files[f].fmt;
    }
    if (fmt < 0)
        return comb_fail(err, COMB_EINVAL, "not an rpm database name");
    rpm_ctx c = { .out = out };
    /* Valid databases hold each header once, so the header bytes and the
     * file paths made from them stay near the file size. */
    c.blob_budget = (uint64_t)len + RPM_HDR_MAX_BLOB;
    c.out_budget = 2 * (uint64_t)len + (64u << 20);
    comb_code rc;
    switch (fmt) {
    case FMT_BDB: rc = rpmdb_bdb_read(out, data, len, on_blob, &c, err); break;
    case FMT_NDB: rc = rpmdb_ndb_read(out, data, len, on_blob, &c, err); break;
    default: rc = rpmdb_sqlite_read(out, data, len, on_blob, &c, err); break;
    }
    if (c.warnings > RPM_MAX_WARN)
        comb_emit_warn(out, "%u more header problems not shown", c.warnings - RPM_MAX_WARN);
    if (rc == COMB_ELIMIT && c.stopped) {
        comb_emit_warn(out, "stopped reading: %s", c.stopped);
        return COMB_OK;
    }
    if (rc == COMB_ENOMEM && err && err->code != COMB_ENOMEM)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    return rc;
}

const comb_analyzer comb_analyzer_rpm = {
    .name = "rpm",
    .wants = rpm_wants,
    .max_size = (size_t)512 << 20,
    .on_buffer = rpm_on_buffer,
};
