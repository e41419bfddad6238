/* import.c - walking directories and archives, parsing, dispatching. */
#include "vuln/import/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WALK_DEPTH 32

const char *comb_import_kind_name(comb_import_kind k)
{
    switch (k) {
    case COMB_IMPORT_OSV: return "osv";
    case COMB_IMPORT_SECDB: return "alpine-secdb";
    case COMB_IMPORT_DEBIAN: return "debian-tracker";
    default: return "unknown";
    }
}

void comb_import_reject(comb_import_ctx *c, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->stats->rejected++;
    if (c->opts && c->opts->warn)
        c->opts->warn(c->opts->ud, c->file ? c->file : "(input)", msg);
}

/* --- helpers -------------------------------------------------------------- */

const char *comb_imp_str(json_t *obj, const char *key, size_t max, int multiline, int *bad)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n > max || strlen(s) != n) {
        *bad = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t' || ch == '\r'))) {
            *bad = 1;
            return NULL;
        }
        if (ch == 0x7f) {
            *bad = 1;
            return NULL;
        }
    }
    return s;
}

int comb_imp_token_ok(const char *s, size_t max)
{
    if (!s || !*s)
        return 0;
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char ch = (unsigned char)s[n];
        if (ch <= 0x20 || ch == 0x7f || n >= max)
            return 0;
    }
    return 1;
}

comb_vscheme comb_imp_scheme(const char *eco)
{
    static const struct { const char *prefix; comb_vscheme s; } map[] = {
        { "debian", COMB_VS_DPKG },      { "ubuntu", COMB_VS_DPKG },
        { "alpine", COMB_VS_APK },       { "wolfi", COMB_VS_APK },
        { "chainguard", COMB_VS_APK },   { "rhel", COMB_VS_RPM },
        { "rocky", COMB_VS_RPM },        { "almalinux", COMB_VS_RPM },
        { "suse", COMB_VS_RPM },         { "opensuse", COMB_VS_RPM },
        { "mariner", COMB_VS_RPM },      { "azurelinux", COMB_VS_RPM },
        { "pypi", COMB_VS_PEP440 },      { "npm", COMB_VS_SEMVER },
        { "crates.io", COMB_VS_SEMVER }, { "go", COMB_VS_GO },
        { "maven", COMB_VS_MAVEN },      { "rubygems", COMB_VS_GEM },
        { "nuget", COMB_VS_NUGET },      { "packagist", COMB_VS_COMPOSER },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        size_t n = strlen(map[i].prefix);
        if (!strncmp(eco, map[i].prefix, n) && (eco[n] == '\0' || eco[n] == ':' || eco[n] == '-'))
            return map[i].s;
    }
    return COMB_VS_UNKNOWN;
}

/* --- detection ------------------------------------------------------------ */

comb_import_kind comb_import_detect(json_t *root)
{
    if (json_is_array(root)) {
        json_t *first = json_array_get(root, 0);
        return json_is_object(first) && json_object_get(first, "id") ? COMB_IMPORT_OSV
                                                                    : COMB_IMPORT_AUTO;
    }
    if (!json_is_object(root))
        return COMB_IMPORT_AUTO;
    if (json_object_get(root, "packages") && json_object_get(root, "distroversion"))
        return COMB_IMPORT_SECDB;
    if (json_object_get(root, "id") &&
        (json_object_get(root, "affected") || json_object_get(root, "modified") ||
         json_object_get(root, "schema_version") || json_object_get(root, "withdrawn")))
        return COMB_IMPORT_OSV;
    /* Debian tracker: { pkg: { CVE: { releases: {...} } } } */
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v) {
        if (!json_is_object(v))
            return COMB_IMPORT_AUTO;
        const char *k2;
        json_t *v2;
        json_object_foreach(v, k2, v2) {
            if (json_is_object(v2) && json_object_get(v2, "releases"))
                return COMB_IMPORT_DEBIAN;
        }
    }
    return COMB_IMPORT_AUTO;
}

/* --- one buffer ----------------------------------------------------------- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcasecmp(s + n - m, suf);
}

static int import_doc(comb_import_ctx *c, const void *data, size_t len, int yaml,
                      comb_import_kind kind)
{
    char msg[512] = "";
    json_t *root;
    if (yaml) {
        root = comb_yaml_to_json(data, len, msg, sizeof msg);
    } else {
        json_error_t je;
        root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
        if (!root)
            snprintf(msg, sizeof msg, "JSON: %s at line %d column %d", je.text, je.line,
                     je.column);
    }
    if (!root) {
        comb_import_reject(c, "%s", msg);
        return 0;
    }
    c->stats->files++;
    comb_import_kind k = kind ? kind : comb_import_detect(root);
    int rc = 0;
    switch (k) {
    case COMB_IMPORT_OSV: rc = comb_import_osv(c, root); break;
    case COMB_IMPORT_SECDB: rc = comb_import_secdb(c, root); break;
    case COMB_IMPORT_DEBIAN: rc = comb_import_debian(c, root); break;
    default:
        comb_import_reject(c, "not an advisory (no OSV record, Alpine secdb or Debian "
                              "tracker document)");
        break;
    }
    json_decref(root);
    return rc;
}

comb_code comb_import_buffer(comb_vulndb *db, const char *name, const void *data, size_t len,
                             int yaml, comb_import_kind kind, const comb_import_opts *opts,
                             comb_import_stats *stats, comb_err *err)
{
    comb_import_ctx c = { .db = db, .opts = opts, .stats = stats, .file = name, .err = err };
    comb_err_clear(err);
    if (import_doc(&c, data, len, yaml, kind) != 0)
        return err->code ? err->code : COMB_EIO;
    return COMB_OK;
}

/* --- files, directories, archives ----------------------------------------- */

typedef struct walker {
    comb_import_ctx *c;
    uint64_t done;
} walker;

static void progress(walker *w, const char *file)
{
    w->done++;
    if (w->c->opts && w->c->opts->progress)
        w->c->opts->progress(w->c->opts->ud, file, w->done);
}

static int doc_type(const char *name)
{
    if (has_suffix(name, ".json"))
        return 1;
    if (has_suffix(name, ".yaml") || has_suffix(name, ".yml"))
        return 2;
    return 0;
}

static int is_archive(const char *name)
{
    return has_suffix(name, ".zip") || has_suffix(name, ".tar") || has_suffix(name, ".tar.gz") ||
           has_suffix(name, ".tgz");
}

static int safe_member(const char *name)
{
    if (!name || !*name || name[0] == '/')
        return 0;
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        if (!slash)
            break;
        p = slash + 1;
    }
    return strchr(name, '\\') == NULL;
}

static int import_archive(walker *w, const char *path)
{
    comb_import_ctx *c = w->c;
    struct archive *a = archive_read_new();
    if (!a) {
        comb_fail(c->err, COMB_ENOMEM, "out of memory");
        return -1;
    }
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_gzip(a);
    const char *saved = c->file;
    c->file = path;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        comb_import_reject(c, "cannot read archive: %s", archive_error_string(a));
        archive_read_free(a);
        c->file = saved;
        return 0;
    }
    struct archive_entry *e;
    int rc = 0, r;
    char *buf = NULL;
    char label[4096];
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
           r == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(e);
        snprintf(label, sizeof label, "%s:%s", path, name ? name : "?");
        c->file = label;
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        if (!safe_member(name)) {
            comb_import_reject(c, "unsafe member name (absolute or with \"..\"), skipped");
            continue;
        }
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        int type = doc_type(name);
        if (!type || base[0] == '.') {
            c->stats->skipped++;
            continue;
        }
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
        if (size > (int64_t)COMB_IMPORT_MAX_FILE) {
            comb_import_reject(c, "larger than %u bytes, skipped", COMB_IMPORT_MAX_FILE);
            continue;
        }
        size_t cap = size >= 0 ? (size_t)size + 1 : 1 << 16, len = 0;
        buf = malloc(cap);
        if (!buf) {
            comb_fail(c->err, COMB_ENOMEM, "out of memory");
            rc = -1;
            break;
        }
        int bad = 0;
        for (;;) {
            if (len == cap) {
                if (cap > COMB_IMPORT_MAX_FILE) {
                    bad = 1;
                    comb_import_reject(c, "larger than %u bytes, skipped", COMB_IMPORT_MAX_FILE);
                    break;
                }
                char *nb = realloc(buf, cap * 2);
                if (!nb) {
                    comb_fail(c->err, COMB_ENOMEM, "out of memory");
                    rc = -1;
                    break;
                }
                buf = nb;
                cap *= 2;
            }
            la_ssize_t n = archive_read_data(a, buf + len, cap - len);
            if (n < 0) {
                bad = 1;
                comb_import_reject(c, "cannot read member: %s", archive_error_string(a));
                break;
            }
            if (n == 0)
                break;
            len += (size_t)n;
        }
        if (rc == 0 && !bad)
            rc = import_doc(c, buf, len, type == 2, COMB_IMPORT_AUTO);
        free(buf);
        buf = NULL;
        progress(w, label);
        if (rc)
            break;
    }
    if (rc == 0 && r != ARCHIVE_EOF && r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        c->file = path;
        comb_import_reject(c, "archive damaged: %s", archive_error_string(a));
    }
    archive_read_free(a);
    c->file = saved;
    return rc;
}

static int import_file(walker *w, const char *path)
{
    comb_import_ctx *c = w->c;
    if (is_archive(path))
        return import_archive(w, path);
    int type = doc_type(path);
    if (!type) {
        c->stats->skipped++;
        return 0;
    }
    const char *saved = c->file;
    c->file = path;
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        comb_import_reject(c, "cannot open: %s", strerror(errno));
    } else if (st.st_size > (off_t)COMB_IMPORT_MAX_FILE) {
        comb_import_reject(c, "larger than %u bytes, skipped", COMB_IMPORT_MAX_FILE);
    } else {
        size_t len = (size_t)st.st_size, got = 0;
        char *buf = malloc(len + 1);
        if (!buf) {
            comb_fail(c->err, COMB_ENOMEM, "out of memory");
            rc = -1;
        } else {
            while (got < len) {
                ssize_t n = read(fd, buf + got, len - got);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
            if (got != len)
                comb_import_reject(c, "short read");
            else
                rc = import_doc(c, buf, len, type == 2, COMB_IMPORT_AUTO);
            free(buf);
        }
    }
    if (fd >= 0)
        close(fd);
    progress(w, path);
    c->file = saved;
    return rc;
}

static int walk(walker *w, const char *path, int depth, int top)
{
    struct stat st;
    if ((top ? stat(path, &st) : lstat(path, &st)) != 0) {
        const char *saved = w->c->file;
        w->c->file = path;
        comb_import_reject(w->c, "cannot read: %s", strerror(errno));
        w->c->file = saved;
        return 0;
    }
    if (S_ISREG(st.st_mode))
        return import_file(w, path);
    if (!S_ISDIR(st.st_mode))
        return 0; /* symlinks inside trees, devices, sockets */
    if (depth > MAX_WALK_DEPTH)
        return 0;
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, alphasort);
    if (n < 0) {
        const char *saved = w->c->file;
        w->c->file = path;
        comb_import_reject(w->c, "cannot list: %s", strerror(errno));
        w->c->file = saved;
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && ents[i]->d_name[0] != '.') {
            size_t need = strlen(path) + strlen(ents[i]->d_name) + 2;
            char *child = malloc(need);
            if (!child) {
                comb_fail(w->c->err, COMB_ENOMEM, "out of memory");
                rc = -1;
            } else {
                snprintf(child, need, "%s/%s", path, ents[i]->d_name);
                rc = walk(w, child, depth + 1, 0);
                free(child);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

comb_code comb_import_paths(comb_vulndb *db, const char *const *paths, size_t npaths,
                            const comb_import_opts *opts, comb_import_stats *stats,
                            comb_err *err)
{
    memset(stats, 0, sizeof *stats);
    comb_err_clear(err);
    comb_code rc = comb_vulndb_begin(db, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < npaths; i++) {
        comb_import_stats before = *stats;
        comb_import_ctx c = { .db = db, .opts = opts, .stats = stats, .file = paths[i],
                              .err = err };
        walker w = { .c = &c, .done = 0 };
        if (walk(&w, paths[i], 0, 1) != 0) {
            comb_vulndb_rollback(db);
            return err->code ? err->code : COMB_EIO;
        }
        char *abs = realpath(paths[i], NULL);
        for (int k = COMB_IMPORT_OSV; k < COMB_IMPORT_KINDS; k++) {
            uint64_t n = stats->records[k] - before.records[k];
            if (!n)
                continue;
            char name[4200];
            snprintf(name, sizeof name, "%s:%s", comb_import_kind_name((comb_import_kind)k),
                     abs ? abs : paths[i]);
            rc = comb_vulndb_note_source(db, name, n, stats->rejected - before.rejected, err);
            if (rc) {
                free(abs);
                comb_vulndb_rollback(db);
                return rc;
            }
        }
        free(abs);
    }
    return comb_vulndb_commit(db, NULL, err);
}
