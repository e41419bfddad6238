/* apk.c - Alpine (and Wolfi/Chainguard) packages from lib/apk/db/installed.
 *
 * The database is a sequence of paragraphs separated by blank lines, one
 * "X:value" line per field (apk-tools' "installed" format): P name,
 * V version, A arch, o origin (the source package), L license,
 * m maintainer, F directory and R file (a file inside the last F).
 */
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/textutil.h"

#define MAX_PKGS 200000
#define MAX_FILES 4000000

static int wants(const comb_entry *e)
{
    return strcmp(e->path, "lib/apk/db/installed") ? COMB_WANT_NO : COMB_WANT_BUFFER;
}

typedef struct fbuf {
    const char **v;
    size_t n, cap;
} fbuf;

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data, size_t len,
                           comb_err *err)
{
    (void)e;
    comb_arena *ar = comb_emit_arena(out);
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n, lineno = 0, npkgs = 0, totalfiles = 0, bad = 0;
    comb_pkg cur;             /* the paragraph being read; emitted when complete */
    int open = 0;
    const char *dir = NULL;
    size_t dirlen = 0;
    fbuf files = { 0 };
    int more = 1;
    while (more) {
        more = comb_next_line(&pos, end, &line, &n);
        lineno++;
        if (!more || n == 0) {
            if (open) {
                if (!cur.name || !cur.version) {
                    comb_emit_warn(out, "package ending at line %zu lacks P: or V:; skipped", lineno);
                } else {
                    comb_pkg *pkg = comb_emit_pkg(out, COMB_PKG_APK);
                    if (!pkg)
                        return comb_fail(err, COMB_ENOMEM, "out of memory");
                    const char *found_in = pkg->found_in;
                    *pkg = cur;
                    pkg->type = COMB_PKG_APK;
                    pkg->found_in = found_in;
                    pkg->files = files.v;
                    pkg->nfiles = files.n;
                    if (!pkg->src_name)
                        pkg->src_name = pkg->name;
                    pkg->src_version = pkg->version;
                }
            }
            open = 0;
            dir = NULL;
            memset(&files, 0, sizeof files);
            continue;
        }
        if (n < 2 || line[1] != ':') {
            if (bad++ < 3)
                comb_emit_warn(out, "line %zu: not an \"X:value\" line", lineno);
            continue;
        }
        const char *v = line + 2;
        size_t vl = n - 2;
        if (!open) {
            if (++npkgs > MAX_PKGS)
                return comb_fail(err, COMB_ELIMIT, "more than %d packages", MAX_PKGS);
            memset(&cur, 0, sizeof cur);
            cur.epoch = -1;
            open = 1;
        }
        switch (line[0]) {
        case 'P': cur.name = comb_emit_strndup(out, v, vl); break;
        case 'V': cur.version = comb_emit_strndup(out, v, vl); break;
        case 'A': cur.arch = comb_emit_strndup(out, v, vl); break;
        case 'o': cur.src_name = comb_emit_strndup(out, v, vl); break;
        case 'L': cur.license = comb_emit_strndup(out, v, vl); break;
        case 'm': cur.maintainer = comb_emit_strndup(out, v, vl); break;
        case 'F':
            dir = v;
            dirlen = vl;
            break;
        case 'R': {
            if (++totalfiles > MAX_FILES)
                return comb_fail(err, COMB_ELIMIT, "more than %d files", MAX_FILES);
            if (files.n == files.cap) {
                size_t cap = files.cap ? files.cap * 2 : 16;
                const char **nv = comb_arena_calloc(ar, cap, sizeof *nv);
                if (!nv)
                    return comb_fail(err, COMB_ENOMEM, "out of memory");
                if (files.n)
                    memcpy(nv, files.v, files.n * sizeof *nv);
                files.v = nv;
                files.cap = cap;
            }
            const char *f = dir ? comb_arena_printf(ar, "/%.*s/%.*s", (int)dirlen, dir, (int)vl, v)
                                : comb_arena_printf(ar, "/%.*s", (int)vl, v);
            if (!f)
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            files.v[files.n++] = f;
            break;
        }
        default: break;
        }
    }
    if (!npkgs && bad)
        return comb_fail(err, COMB_EFORMAT, "no package entries found");
    return COMB_OK;
}

const comb_analyzer comb_analyzer_apk = {
    .name = "apk", .wants = wants, .max_size = 256u << 20, .on_buffer = on_buffer,
};
