/* dpkg.c - Debian and Ubuntu packages (and Google distroless images).
 *
 * Reads var/lib/dpkg/status and the one-file-per-package
 * var/lib/dpkg/status.d/<name> of distroless images (deb-control(5)
 * paragraphs: "Field: value", continuation lines start with a space), and
 * the installed-file lists var/lib/dpkg/info/<pkg>[:arch].list. Only
 * packages whose files are on disk are reported (not "config-files" or
 * "not-installed"). Source and source version default to the binary's, as
 * dpkg-query's ${source:Package} and ${source:Version} do. Licences are not
 * in the status file and are not guessed.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/textutil.h"
#include "core/path.h"

#define MAX_FIELD 65536
#define MAX_PKGS 200000
#define MAX_FILES_PER_LIST 2000000

enum { F_STATUS, F_STATUSD, F_LIST };

static int kind(const char *path)
{
    if (strncmp(path, "var/lib/dpkg/", 13) != 0)
        return -1;
    const char *rest = path + 13;
    if (!strcmp(rest, "status"))
        return F_STATUS;
    if (!strncmp(rest, "status.d/", 9) && !strchr(rest + 9, '/') && rest[9] &&
        !comb_path_has_suffix(rest, "md5sums") && !strstr(rest + 9, ".md5sums"))
        return F_STATUSD;
    if (!strncmp(rest, "info/", 5) && !strchr(rest + 5, '/')) {
        size_t n = strlen(rest);
        if (n > 10 && !strcmp(rest + n - 5, ".list"))
            return F_LIST;
    }
    return -1;
}

static int wants(const comb_entry *e)
{
    if (e->path[0] != 'v')
        return COMB_WANT_NO;
    return kind(e->path) >= 0 ? COMB_WANT_BUFFER : COMB_WANT_NO;
}

typedef struct para {
    const char *f[8];
    size_t n[8];
} para;

enum { P_PACKAGE, P_VERSION, P_ARCH, P_SOURCE, P_STATUS, P_MAINT, P_COUNT };
static const char *const field_names[P_COUNT] = { "Package", "Version", "Architecture",
                                                  "Source", "Status", "Maintainer" };

static int installed(const char *s, size_t n)
{
    /* "want flag state": keep states whose files are on disk */
    const char *last = s;
    for (size_t i = 0; i < n; i++)
        if (s[i] == ' ')
            last = s + i + 1;
    size_t l = (size_t)(s + n - last);
#define IS(x) (l == sizeof(x) - 1 && !memcmp(last, x, l))
    return IS("installed") || IS("half-configured") || IS("unpacked") || IS("half-installed") ||
           IS("triggers-awaited") || IS("triggers-pending");
#undef IS
}

static comb_code emit_para(comb_emit *out, const para *p, size_t lineno)
{
    if (!p->f[P_PACKAGE] || !p->n[P_PACKAGE])
        return COMB_OK;
    if (!p->f[P_VERSION] || !p->n[P_VERSION]) {
        comb_emit_warn(out, "paragraph ending at line %zu: package \"%.*s\" has no Version", lineno,
                       (int)(p->n[P_PACKAGE] > 100 ? 100 : p->n[P_PACKAGE]), p->f[P_PACKAGE]);
        return COMB_OK;
    }
    if (p->f[P_STATUS] && !installed(p->f[P_STATUS], p->n[P_STATUS]))
        return COMB_OK;
    comb_pkg *pkg = comb_emit_pkg(out, COMB_PKG_DPKG);
    if (!pkg)
        return COMB_ENOMEM;
    pkg->name = comb_emit_strndup(out, p->f[P_PACKAGE], p->n[P_PACKAGE]);
    pkg->version = comb_emit_strndup(out, p->f[P_VERSION], p->n[P_VERSION]);
    const char *colon = memchr(p->f[P_VERSION], ':', p->n[P_VERSION]);
    if (colon) {
        long ep = strtol(p->f[P_VERSION], NULL, 10);
        pkg->epoch = ep >= 0 && ep < 1000000 ? (int)ep : -1;
    }
    if (p->f[P_ARCH])
        pkg->arch = comb_emit_strndup(out, p->f[P_ARCH], p->n[P_ARCH]);
    if (p->f[P_MAINT])
        pkg->maintainer = comb_emit_strndup(out, p->f[P_MAINT], p->n[P_MAINT]);
    pkg->src_name = pkg->name;
    pkg->src_version = pkg->version;
    if (p->f[P_SOURCE]) {
        /* "src" or "src (version)" */
        const char *s = p->f[P_SOURCE];
        size_t n = p->n[P_SOURCE], w = 0;
        while (w < n && s[w] != ' ')
            w++;
        if (w)
            pkg->src_name = comb_emit_strndup(out, s, w);
        const char *lp = memchr(s, '(', n), *rp = lp ? memchr(lp, ')', (size_t)(s + n - lp)) : NULL;
        if (lp && rp && rp > lp + 1) {
            const char *v = lp + 1;
            size_t vl = (size_t)(rp - v);
            comb_trim(&v, &vl);
            if (vl)
                pkg->src_version = comb_emit_strndup(out, v, vl);
        }
    }
    return COMB_OK;
}

static comb_code parse_status(comb_emit *out, const uint8_t *data, size_t len, comb_err *err)
{
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n, lineno = 0, npkgs = 0, bad = 0;
    para p;
    memset(&p, 0, sizeof p);
    int cur = -1; /* field a continuation line belongs to (ignored: none we keep spans lines) */
    int any = 0;
    while (1) {
        int more = comb_next_line(&pos, end, &line, &n);
        lineno++;
        if (!more || n == 0) {
            if (p.f[P_PACKAGE]) {
                if (++npkgs > MAX_PKGS)
                    return comb_fail(err, COMB_ELIMIT, "more than %d packages", MAX_PKGS);
                comb_code rc = emit_para(out, &p, lineno);
                if (rc)
                    return comb_fail(err, rc, "out of memory");
                any = 1;
            }
            memset(&p, 0, sizeof p);
            cur = -1;
            if (!more)
                break;
            continue;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            (void)cur;
            continue; /* continuation of a multi-line field (Description, Conffiles) */
        }
        const char *colon = memchr(line, ':', n);
        if (!colon) {
            if (bad++ < 3)
                comb_emit_warn(out, "line %zu: not a \"Field: value\" line", lineno);
            continue;
        }
        size_t kl = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vl = n - kl - 1;
        comb_trim(&v, &vl);
        if (vl > MAX_FIELD)
            vl = MAX_FIELD;
        cur = -1;
        for (int i = 0; i < P_COUNT; i++) {
            if (strlen(field_names[i]) == kl && !strncasecmp(line, field_names[i], kl)) {
                p.f[i] = v;
                p.n[i] = vl;
                cur = i;
                break;
            }
        }
    }
    if (!any && len && bad)
        return comb_fail(err, COMB_EFORMAT, "no package paragraphs found");
    return COMB_OK;
}

static comb_code parse_list(comb_emit *out, const comb_entry *e, const uint8_t *data, size_t len,
                            comb_err *err)
{
    const char *base = comb_path_base(e->path);
    size_t bl = strlen(base) - 5; /* ".list" */
    char owner[512];
    if (bl == 0 || bl >= sizeof owner)
        return COMB_OK;
    memcpy(owner, base, bl);
    owner[bl] = '\0';
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '\n')
            count++;
    count++;
    if (count > MAX_FILES_PER_LIST)
        return comb_fail(err, COMB_ELIMIT, "more than %d files", MAX_FILES_PER_LIST);
    const char **files = comb_arena_calloc(comb_emit_arena(out), count, sizeof *files);
    if (!files)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n, k = 0;
    while (k < count && comb_next_line(&pos, end, &line, &n)) {
        if (!n || line[0] != '/' || (n == 2 && line[1] == '.'))
            continue;
        files[k] = comb_emit_strndup(out, line, n);
        if (!files[k])
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        k++;
    }
    return comb_emit_filelist(out, COMB_PKG_DPKG, owner, files, k);
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data, size_t len,
                           comb_err *err)
{
    switch (kind(e->path)) {
    case F_STATUS:
    case F_STATUSD:
        return parse_status(out, data, len, err);
    case F_LIST:
        return parse_list(out, e, data, len, err);
    }
    return COMB_OK;
}

const comb_analyzer comb_analyzer_dpkg = {
    .name = "dpkg", .wants = wants, .max_size = 256u << 20, .on_buffer = on_buffer,
};
