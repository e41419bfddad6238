/* dpkg_copyright.c - licences of Debian packages, from
 * usr/share/doc/<package>/copyright.
 *
 * The status file carries no licence. Machine-readable copyright files
 * (DEP-5, "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
 * name them in "License:" fields; older free-form files usually point at
 * /usr/share/common-licenses/<NAME>. The short names found, in order and
 * without repeats, are joined with " AND " (different files of a package
 * are under different licences, all of which apply). Names are Debian's
 * (GPL-2+, BSD-3-clause), not translated to SPDX identifiers.
 */
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/textutil.h"

#define MAX_LICENSES 16
#define MAX_NAME 64

static const char prefix[] = "usr/share/doc/";

static int wants(const comb_entry *e)
{
    const char *p = e->path;
    if (p[0] != 'u' || strncmp(p, prefix, sizeof prefix - 1) != 0)
        return COMB_WANT_NO;
    const char *pkg = p + sizeof prefix - 1;
    const char *sl = strchr(pkg, '/');
    return sl && sl > pkg && !strcmp(sl, "/copyright") ? COMB_WANT_BUFFER : COMB_WANT_NO;
}

typedef struct names {
    char v[MAX_LICENSES][MAX_NAME];
    size_t n;
} names;

static void add(names *ns, const char *s, size_t n)
{
    comb_trim(&s, &n);
    while (n && (s[n - 1] == '.' || s[n - 1] == ','))
        n--;
    if (!n || n >= MAX_NAME || ns->n == MAX_LICENSES)
        return;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20)
            return;
    for (size_t i = 0; i < ns->n; i++)
        if (strlen(ns->v[i]) == n && !memcmp(ns->v[i], s, n))
            return;
    memcpy(ns->v[ns->n], s, n);
    ns->v[ns->n][n] = '\0';
    ns->n++;
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data, size_t len,
                           comb_err *err)
{
    (void)err;
    const char *pkg = e->path + sizeof prefix - 1;
    size_t pl = (size_t)(strchr(pkg, '/') - pkg);
    char owner[256];
    if (pl >= sizeof owner)
        return COMB_OK;
    memcpy(owner, pkg, pl);
    owner[pl] = '\0';

    names ns = { .n = 0 }, refs = { .n = 0 };
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n;
    while (comb_next_line(&pos, end, &line, &n)) {
        if (n > 8 && !strncasecmp(line, "License:", 8)) {
            add(&ns, line + 8, n - 8); /* first line of the field: the short name */
            continue;
        }
        if (ns.n)
            continue; /* machine-readable: the License fields say it all */
        /* free-form files: "/usr/share/common-licenses/GPL-2" */
        static const char cl[] = "/usr/share/common-licenses/";
        const char *hit = n > sizeof cl ? memmem(line, n, cl, sizeof cl - 1) : NULL;
        if (hit) {
            const char *nm = hit + sizeof cl - 1;
            size_t k = 0;
            while (nm + k < line + n && (nm[k] == '-' || nm[k] == '.' || nm[k] == '+' ||
                                         (nm[k] >= '0' && nm[k] <= '9') ||
                                         (nm[k] >= 'A' && nm[k] <= 'Z') || (nm[k] >= 'a' && nm[k] <= 'z')))
                k++;
            add(&refs, nm, k);
        }
    }
    if (!ns.n)
        ns = refs; /* a free-form file: what it points at in common-licenses */
    if (!ns.n)
        return COMB_OK;
    char joined[MAX_LICENSES * (MAX_NAME + 5)];
    size_t o = 0;
    for (size_t i = 0; i < ns.n; i++) {
        size_t l = strlen(ns.v[i]);
        if (i) {
            memcpy(joined + o, " AND ", 5);
            o += 5;
        }
        memcpy(joined + o, ns.v[i], l);
        o += l;
    }
    joined[o] = '\0';
    return comb_emit_license(out, COMB_PKG_DPKG, owner, joined);
}

const comb_analyzer comb_analyzer_dpkg_copyright = {
    .name = "dpkg-copyright", .wants = wants, .max_size = 4u << 20, .on_buffer = on_buffer,
};
