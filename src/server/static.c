/* static.c - the web console's files (see static.h). */
#include "server/static.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/readfile.h"

#define MAX_DEPTH 8

int comb_static_wants(const char *method, const char *url)
{
    return (!strcmp(method, "GET") || !strcmp(method, "HEAD")) && strncmp(url, "/api/", 5) && strcmp(url, "/api");
}

static int component_ok(const char *p, size_t n)
{
    if (n == 0 || n > 255 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == '%' || ch == '?' || ch == '#' || ch == ':')
            return 0;
    }
    return 1;
}

int comb_static_resolve(const char *url, char *rel, size_t relsz)
{
    if (!url || url[0] != '/' || relsz == 0)
        return -1;
    const char *p = url + 1;
    if (!*p)
        p = "index.html";
    size_t len = strlen(p), depth = 0;
    if (len >= relsz)
        return -1;
    for (const char *c = p; *c;) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);
        if (!component_ok(c, n) || ++depth > MAX_DEPTH)
            return -1;
        c += n + (slash != NULL);
        if (slash && !*c)
            return -1; /* a trailing slash: no directory listings */
    }
    memcpy(rel, p, len + 1);
    return 0;
}

const char *comb_static_type(const char *rel)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" },  { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
        { ".json", "application/json" },            { ".map", "application/json" },
        { ".svg", "image/svg+xml" },                { ".png", "image/png" },
        { ".ico", "image/x-icon" },                 { ".txt", "text/plain; charset=utf-8" },
        { ".woff2", "font/woff2" },
    };
    const char *dot = strrchr(rel, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Open rel under dir: every directory with O_NOFOLLOW|O_DIRECTORY, the
 * file with O_NOFOLLOW, so no symbolic link leads out of dir. */
static int open_beneath(const char *dir, const char *rel)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char part[256];
    while (fd >= 0) {
        const char *slash = strchr(rel, '/');
        size_t n = slash ? (size_t)(slash - rel) : strlen(rel);
        memcpy(part, rel, n);
        part[n] = '\0';
        int next = openat(fd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (slash ? O_DIRECTORY : 0));
        close(fd);
        fd = next;
        if (!slash)
            break;
        rel = slash + 1;
    }
    return fd;
}

static void security_headers(struct MHD_Response *res)
{
    MHD_add_response_header(res, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                            "form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "X-Frame-Options", "DENY");
    MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(res, "Cache-Control", "no-cache");
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, const char *type, void *buf, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *res = MHD_create_response_from_buffer(len, buf, mode);
    if (!res)
        return MHD_NO;
    MHD_add_response_header(res, "Content-Type", type);
    security_headers(res);
    enum MHD_Result r = MHD_queue_response(c, status, res);
    MHD_destroy_response(res);
    return r;
}

enum MHD_Result comb_static_serve(struct MHD_Connection *c, const char *dir, const char *url)
{
    static char not_found[] = "not found\n";
    char rel[1024];
    unsigned char *buf = NULL;
    size_t len = 0;
    comb_err err;
    int fd = comb_static_resolve(url, rel, sizeof rel) ? -1 : open_beneath(dir, rel);
    if (fd < 0 || comb_read_fd(fd, COMB_STATIC_MAX_FILE, rel, &buf, &len, &err))
        return queue(c, 404, "text/plain; charset=utf-8", not_found, sizeof not_found - 1, MHD_RESPMEM_PERSISTENT);
    return queue(c, 200, comb_static_type(rel), buf, len, MHD_RESPMEM_MUST_FREE);
}
