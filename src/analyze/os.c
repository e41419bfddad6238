/* os.c - which operating system an image is built on.
 *
 * Reads os-release (freedesktop.org format: KEY=value, shell-style quoting),
 * and the older single-line release files (alpine-release, debian_version,
 * redhat-release and friends) as lower-priority fallbacks. Google's
 * distroless images are recognised by their PRETTY_NAME. The pipeline keeps
 * the surviving record with the highest priority.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/textutil.h"

static const struct { const char *path; int priority; const char *id; } files[] = {
    { "etc/os-release", 110, NULL },      { "usr/lib/os-release", 100, NULL },
    { "etc/alpine-release", 50, "alpine" }, { "etc/debian_version", 40, "debian" },
    { "etc/redhat-release", 45, NULL },   { "etc/centos-release", 46, "centos" },
    { "etc/rocky-release", 46, "rocky" }, { "etc/almalinux-release", 46, "almalinux" },
    { "etc/fedora-release", 46, "fedora" }, { "etc/system-release", 44, NULL },
};
#define NFILES (sizeof files / sizeof files[0])

static int which(const char *path)
{
    for (size_t i = 0; i < NFILES; i++)
        if (!strcmp(path, files[i].path))
            return (int)i;
    return -1;
}

static int wants(const comb_entry *e)
{
    if (e->path[0] != 'e' && e->path[0] != 'u')
        return COMB_WANT_NO;
    return which(e->path) >= 0 ? COMB_WANT_BUFFER : COMB_WANT_NO;
}

/* Unquote an os-release value into the arena. */
static char *value(comb_emit *out, const char *s, size_t n)
{
    char buf[512];
    size_t o = 0;
    char q = 0;
    if (n && (s[0] == '"' || s[0] == '\'')) {
        q = s[0];
        s++;
        n--;
    }
    for (size_t i = 0; i < n && o < sizeof buf - 1; i++) {
        if (q && s[i] == q)
            break;
        if (s[i] == '\\' && q == '"' && i + 1 < n)
            i++;
        buf[o++] = s[i];
    }
    return comb_emit_strndup(out, buf, o);
}

static comb_code parse_os_release(comb_emit *out, comb_os *os, const uint8_t *data, size_t len)
{
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n;
    int lines = 0;
    while (comb_next_line(&pos, end, &line, &n) && lines++ < 1000) {
        comb_trim(&line, &n);
        const char *eq = memchr(line, '=', n);
        if (!n || line[0] == '#' || !eq)
            continue;
        size_t kl = (size_t)(eq - line), vl = n - kl - 1;
        const char *v = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && !memcmp(line, k, kl))
        if (KEY("ID"))
            os->id = value(out, v, vl);
        else if (KEY("VERSION_ID"))
            os->version_id = value(out, v, vl);
        else if (KEY("PRETTY_NAME"))
            os->pretty_name = value(out, v, vl);
        else if (KEY("VERSION_CODENAME"))
            os->codename = value(out, v, vl);
        else if (KEY("ID_LIKE"))
            os->id_like = value(out, v, vl);
#undef KEY
    }
    if (os->pretty_name && strstr(os->pretty_name, "Distroless"))
        os->distroless = 1;
    return COMB_OK;
}

/* "CentOS Linux release 7.9.2009 (Core)" -> id from the table or the first
 * word, version = first token starting with a digit. */
static comb_code parse_release_line(comb_emit *out, comb_os *os, const char *id,
                                    const uint8_t *data, size_t len)
{
    const char *pos = (const char *)data, *end = pos + len, *line;
    size_t n;
    if (!comb_next_line(&pos, end, &line, &n))
        return COMB_OK;
    comb_trim(&line, &n);
    if (n > 256)
        n = 256;
    os->pretty_name = comb_emit_strndup(out, line, n);
    const char *ver = NULL;
    size_t vl = 0;
    for (size_t i = 0; i < n; i++) {
        if ((i == 0 || line[i - 1] == ' ') && line[i] >= '0' && line[i] <= '9') {
            ver = line + i;
            while (i < n && line[i] != ' ')
                i++;
            vl = (size_t)(line + i - ver);
            break;
        }
    }
    if (ver)
        os->version_id = comb_emit_strndup(out, ver, vl);
    if (id) {
        os->id = id;
    } else {
        size_t w = 0;
        while (w < n && line[w] != ' ')
            w++;
        char lower[64];
        size_t k;
        for (k = 0; k < w && k < sizeof lower - 1; k++)
            lower[k] = (char)(line[k] >= 'A' && line[k] <= 'Z' ? line[k] + 32 : line[k]);
        lower[k] = '\0';
        if (!strcmp(lower, "red"))
            strcpy(lower, "rhel");
        os->id = comb_emit_strdup(out, lower);
    }
    return COMB_OK;
}

static comb_code on_buffer(comb_emit *out, const comb_entry *e, const uint8_t *data, size_t len,
                           comb_err *err)
{
    (void)err;
    int i = which(e->path);
    if (i < 0)
        return COMB_OK;
    comb_os *os = comb_emit_os(out);
    if (!os)
        return COMB_ENOMEM;
    os->priority = files[i].priority;
    if (files[i].priority >= 100)
        return parse_os_release(out, os, data, len);
    if (!strcmp(e->path, "etc/debian_version")) {
        /* "12.5" or "bookworm/sid": a number gives the major version */
        parse_release_line(out, os, "debian", data, len);
        if (os->pretty_name && os->pretty_name[0] >= '0' && os->pretty_name[0] <= '9') {
            size_t k = strcspn(os->pretty_name, ".");
            os->version_id = comb_emit_strndup(out, os->pretty_name, k);
        }
        return COMB_OK;
    }
    if (!strcmp(e->path, "etc/alpine-release")) {
        parse_release_line(out, os, "alpine", data, len);
        os->version_id = os->pretty_name;
        return COMB_OK;
    }
    return parse_release_line(out, os, files[i].id, data, len);
}

const comb_analyzer comb_analyzer_os = {
    .name = "os", .wants = wants, .max_size = 64 * 1024, .on_buffer = on_buffer,
};
