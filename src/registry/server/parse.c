/* parse.c - see parse.h. */
#include "registry/server/parse.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "core/digest.h"
#include "registry/ref.h"

static int split_tail(const char *path, const char *sep, char *name, size_t nsz, char *rest,
                      size_t rsz)
{
    /* the rightmost occurrence wins: a repository component may itself be
     * "blobs" or "manifests" */
    const char *hit = NULL;
    for (const char *p = strstr(path, sep); p; p = strstr(p + 1, sep))
        hit = p;
    if (!hit || hit == path)
        return 0;
    size_t nl = (size_t)(hit - path), sl = strlen(sep);
    const char *r = hit + sl;
    if (nl >= nsz || strlen(r) >= rsz || strchr(r, '/'))
        return 0;
    memcpy(name, path, nl);
    name[nl] = '\0';
    memcpy(rest, r, strlen(r) + 1);
    return 1;
}

comb_rs_kind comb_rs_route_parse(const char *url, comb_rs_route *out)
{
    memset(out, 0, sizeof *out);
    if (!url || strncmp(url, "/v2", 3))
        return COMB_RS_NONE;
    if (!strcmp(url, "/v2") || !strcmp(url, "/v2/"))
        return out->kind = COMB_RS_BASE;
    if (url[3] != '/' || strlen(url) > 1024)
        return COMB_RS_NONE;
    const char *p = url + 4;
    if (!strcmp(p, "_catalog"))
        return out->kind = COMB_RS_CATALOG;
    size_t pl = strlen(p);
    static const char tl[] = "/tags/list";
    if (pl > sizeof tl - 1 && !strcmp(p + pl - (sizeof tl - 1), tl)) {
        size_t nl = pl - (sizeof tl - 1);
        if (nl >= sizeof out->name)
            return COMB_RS_NONE;
        memcpy(out->name, p, nl);
        out->name[nl] = '\0';
        out->kind = COMB_RS_TAGS;
    } else if (split_tail(p, "/blobs/uploads/", out->name, sizeof out->name, out->ref,
                          sizeof out->ref)) {
        out->kind = COMB_RS_UPLOAD;
    } else if (pl > 14 && !strcmp(p + pl - 14, "/blobs/uploads")) {
        if (pl - 14 >= sizeof out->name)
            return COMB_RS_NONE;
        memcpy(out->name, p, pl - 14);
        out->name[pl - 14] = '\0';
        out->kind = COMB_RS_UPLOAD;
    } else if (split_tail(p, "/manifests/", out->name, sizeof out->name, out->ref,
                          sizeof out->ref)) {
        out->kind = COMB_RS_MANIFEST;
    } else if (split_tail(p, "/blobs/", out->name, sizeof out->name, out->ref, sizeof out->ref)) {
        out->kind = COMB_RS_BLOB;
    } else if (split_tail(p, "/referrers/", out->name, sizeof out->name, out->ref,
                          sizeof out->ref)) {
        out->kind = COMB_RS_REFERRERS;
    } else {
        return COMB_RS_NONE;
    }
    out->name_ok = comb_ref_valid_repo(out->name);
    return out->kind;
}

static int parse_u64(const char **s, uint64_t *v)
{
    const char *p = *s;
    uint64_t x = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
        p++;
    }
    *s = p;
    *v = x;
    return 0;
}

int comb_rs_content_range(const char *s, uint64_t *start, uint64_t *end)
{
    if (!s)
        return -1;
    if (!strncmp(s, "bytes ", 6) || !strncmp(s, "bytes=", 6))
        s += 6;
    if (parse_u64(&s, start) || *s++ != '-' || parse_u64(&s, end) || *s || *end < *start)
        return -1;
    return 0;
}

int comb_rs_range(const char *s, uint64_t size, uint64_t *off, uint64_t *len)
{
    if (!s || strncmp(s, "bytes=", 6))
        return -1;
    s += 6;
    uint64_t a, b;
    if (*s == '-') {
        s++;
        if (parse_u64(&s, &b) || *s)
            return -1;
        if (b == 0 || size == 0)
            return -2;
        if (b > size)
            b = size;
        *off = size - b;
        *len = b;
        return 0;
    }
    if (parse_u64(&s, &a) || *s++ != '-')
        return -1;
    if (*s == '\0') {
        b = size ? size - 1 : 0;
    } else if (parse_u64(&s, &b) || *s || b < a) {
        return -1;
    }
    if (a >= size)
        return -2;
    if (b >= size)
        b = size - 1;
    *off = a;
    *len = b - a + 1;
    return 0;
}

long comb_rs_page_size(const char *s, long max)
{
    uint64_t v;
    if (!s || parse_u64(&s, &v) || *s || v > (uint64_t)max)
        return -1;
    return (long)v;
}

int comb_rs_new_id(char out[33])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

int comb_rs_valid_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    return n == 32;
}
