/* python.c - installed Python distributions.
 *
 * Reads the core metadata of installed distributions:
 *   - <name>-<ver>.dist-info/METADATA   (wheels, pip installs)
 *   - <name>.egg-info/PKG-INFO          (setuptools "egg-info" directories)
 *   - <name>.egg-info as a plain file   (Debian's python3-* packages ship these)
 * Format: Python core metadata (packaging.python.org, "Core metadata
 * specifications"), RFC 822-style "Field: value" headers up to the first
 * blank line; the body after it (the long description) is ignored. Fields
 * used: Name, Version (both required), License-Expression (preferred, PEP 639)
 * or License (first line only; "UNKNOWN" ignored), Author (else
 * Author-email) as the maintainer. The name is reported as declared (not
 * normalised). Not read: RECORD (installed files), requirements, classifiers,
 * egg files/zips, site-packages without metadata.
 */
#include "analyze/analyzer.h"

#include <string.h>
#include <strings.h>

#define PY_MAX_SIZE (8u << 20)
#define PY_MAX_VALUE 1024 /* longer Name/Version values are rejected */
#define PY_MAX_LICENSE 512

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    size_t n = strlen(p);
    /* "x.dist-info/METADATA": the directory name must not be empty. */
    if (ends_with(p, n, ".dist-info/METADATA") && n > strlen(".dist-info/METADATA")) {
        size_t stem = n - strlen(".dist-info/METADATA");
        if (p[stem - 1] != '/')
            return COMB_WANT_BUFFER;
        return COMB_WANT_NO;
    }
    if (ends_with(p, n, ".egg-info/PKG-INFO") && n > strlen(".egg-info/PKG-INFO")) {
        size_t stem = n - strlen(".egg-info/PKG-INFO");
        if (p[stem - 1] != '/')
            return COMB_WANT_BUFFER;
        return COMB_WANT_NO;
    }
    if (ends_with(p, n, ".egg-info") && n > strlen(".egg-info")) {
        size_t stem = n - strlen(".egg-info");
        if (p[stem - 1] != '/')
            return COMB_WANT_BUFFER;
    }
    return COMB_WANT_NO;
}

typedef struct field {
    const char *v;
    size_t n;
    int set;
} field;

/* A value is usable if it has no control characters (tab excepted). */
static int clean_value(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t')) {
        (*v)++;
        (*n)--;
    }
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t' || (*v)[*n - 1] == '\r'))
        (*n)--;
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data,
                           size_t len, comb_err *err)
{
    const char *s = (const char *)data;
    field name = {0}, version = {0}, lic = {0}, licexpr = {0}, author = {0},
          author_email = {0};
    int header_lines = 0, bad_lines = 0;
    size_t pos = 0;

    /* A UTF-8 byte order mark is tolerated. */
    if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        pos = 3;

    while (pos < len) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (ll && line[ll - 1] == '\r')
            ll--;
        if (ll == 0)
            break; /* end of the headers */
        if (line[0] == ' ' || line[0] == '\t')
            continue; /* continuation of the previous field: only first lines are used */
        const char *colon = memchr(line, ':', ll);
        if (!colon || colon == line) {
            bad_lines++;
            continue;
        }
        header_lines++;
        size_t kl = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vn = ll - kl - 1;
        trim(&v, &vn);
        field *f = NULL;
#define KEY(lit) (kl == sizeof(lit) - 1 && strncasecmp(line, lit, kl) == 0)
        if (KEY("Name"))
            f = &name;
        else if (KEY("Version"))
            f = &version;
        else if (KEY("License"))
            f = &lic;
        else if (KEY("License-Expression"))
            f = &licexpr;
        else if (KEY("Author"))
            f = &author;
        else if (KEY("Author-email"))
            f = &author_email;
#undef KEY
        if (f && !f->set) {
            f->set = 1;
            f->v = v;
            f->n = vn;
        }
    }

    if (!name.set || !version.set || name.n == 0 || version.n == 0) {
        if (header_lines == 0)
            return comb_fail(err, COMB_EFORMAT, "%s: not Python metadata (no headers)",
                             e->path);
        return comb_fail(err, COMB_EFORMAT, "%s: Python metadata without %s", e->path,
                         !name.set || name.n == 0 ? "Name" : "Version");
    }
    if (name.n > PY_MAX_VALUE || version.n > PY_MAX_VALUE || !clean_value(name.v, name.n) ||
        !clean_value(version.v, version.n))
        return comb_fail(err, COMB_EFORMAT, "%s: Python metadata with unusable Name/Version",
                         e->path);

    comb_pkg *p = comb_emit_pkg(out, COMB_PKG_PYTHON);
    if (!p)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);
    p->name = comb_emit_strndup(out, name.v, name.n);
    p->version = comb_emit_strndup(out, version.v, version.n);
    if (!p->name || !p->version)
        return comb_fail(err, COMB_ENOMEM, "%s: out of memory", e->path);

    field *l = NULL;
    if (licexpr.set && licexpr.n)
        l = &licexpr;
    else if (lic.set && lic.n && !(lic.n == 7 && memcmp(lic.v, "UNKNOWN", 7) == 0))
        l = &lic;
    if (l) {
        if (l->n <= PY_MAX_LICENSE && clean_value(l->v, l->n))
            p->license = comb_emit_strndup(out, l->v, l->n);
        else
            comb_emit_warn(out, "license field of %s ignored (too long or binary)", p->name);
    }
    field *a = author.set && author.n && !(author.n == 7 && memcmp(author.v, "UNKNOWN", 7) == 0)
                   ? &author
                   : (author_email.set && author_email.n ? &author_email : NULL);
    if (a && a->n <= PY_MAX_LICENSE && clean_value(a->v, a->n))
        p->maintainer = comb_emit_strndup(out, a->v, a->n);
    (void)bad_lines;
    return COMB_OK;
}

const comb_analyzer comb_analyzer_python = {
    .name = "python",
    .wants = wants,
    .max_size = PY_MAX_SIZE,
    .on_buffer = on_buffer,
};
