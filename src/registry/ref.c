/* ref.c - see ref.h. */
#include "registry/ref.h"

#include <stdio.h>
#include <string.h>

static int is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static int is_word(char c) { return is_alnum(c) || c == '_'; }

/* path-component := [a-z0-9]+ (separator [a-z0-9]+)*
 * separator := [_.] | "__" | "-"+ */
static int valid_component(const char *s, size_t n)
{
    size_t i = 0;
    if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
        return 0;
    while (i < n) {
        if (is_lower_alnum(s[i])) {
            i++;
            continue;
        }
        size_t j = i;
        if (s[i] == '-') {
            while (j < n && s[j] == '-')
                j++;
        } else if (s[i] == '_' && i + 1 < n && s[i + 1] == '_') {
            j = i + 2;
        } else if (s[i] == '_' || s[i] == '.') {
            j = i + 1;
        } else {
            return 0;
        }
        if (j >= n || !is_lower_alnum(s[j]))
            return 0;
        i = j;
    }
    return 1;
}

/* domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static int valid_host_label(const char *s, size_t n)
{
    if (n == 0 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-')
            return 0;
    return 1;
}

static int valid_port(const char *s, size_t n)
{
    if (n == 0 || n > 5)
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v > 0 && v <= 65535;
}

/* host [":" port]; host is dotted labels or "[" IPv6 "]" */
static int valid_domain(const char *s, size_t n)
{
    size_t hostlen = n;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close == s + 1)
            return 0;
        for (const char *p = s + 1; p < close; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
                  (*p >= 'A' && *p <= 'F') || *p == ':' || *p == '.'))
                return 0;
        hostlen = (size_t)(close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        if (colon)
            hostlen = (size_t)(colon - s);
        size_t start = 0;
        for (size_t i = 0; i <= hostlen; i++) {
            if (i == hostlen || s[i] == '.') {
                if (!valid_host_label(s + start, i - start))
                    return 0;
                start = i + 1;
            }
        }
    }
    if (hostlen == n)
        return 1;
    return s[hostlen] == ':' && valid_port(s + hostlen + 1, n - hostlen - 1);
}

static int valid_tag(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > COMB_REF_TAG_MAX || !is_word(s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
            return 0;
    return 1;
}

static int valid_digest(const char *s)
{
    if (strncmp(s, "sha256:", 7) || strlen(s) != 71)
        return 0;
    for (const char *p = s + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int comb_ref_valid_repo(const char *s)
{
    size_t n = s ? strlen(s) : 0, start = 0;
    if (n == 0 || n > COMB_REF_NAME_MAX)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '/') {
            if (!valid_component(s + start, i - start))
                return 0;
            start = i + 1;
        }
    }
    return 1;
}

int comb_ref_valid_tag(const char *s) { return s && valid_tag(s); }

comb_code comb_ref_parse(const char *s, comb_ref *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    size_t len = s ? strlen(s) : 0;
    if (len == 0)
        return comb_fail(err, COMB_EINVAL, "empty image reference");
    if (len > COMB_REF_NAME_MAX + 1 + COMB_REF_TAG_MAX + 72)
        return comb_fail(err, COMB_EINVAL, "image reference %.60s...: too long", s);
    char buf[COMB_REF_NAME_MAX + 1 + COMB_REF_TAG_MAX + 72 + 1];
    memcpy(buf, s, len + 1);
    char *at = strchr(buf, '@');
    if (at) {
        *at = '\0';
        if (!valid_digest(at + 1))
            return comb_fail(err, COMB_EINVAL,
                             "image reference %s: digest must be sha256: and 64 lowercase hex digits", s);
        memcpy(out->digest, at + 1, 72);
    }
    /* a tag is after the last ':' that follows the last '/' */
    char *slash = strrchr(buf, '/');
    char *colon = strrchr(slash ? slash : buf, ':');
    if (colon) {
        *colon = '\0';
        if (!valid_tag(colon + 1))
            return comb_fail(err, COMB_EINVAL,
                             "image reference %s: tag \"%.40s\" is not 1-128 of [A-Za-z0-9_.-] "
                             "starting with a letter, digit or _", s, colon + 1);
        snprintf(out->tag, sizeof out->tag, "%s", colon + 1);
    }
    const char *name = buf;
    const char *first_slash = strchr(name, '/');
    const char *path = name;
    if (first_slash) {
        size_t dl = (size_t)(first_slash - name);
        int is_domain = memchr(name, '.', dl) || memchr(name, ':', dl) ||
                        (dl == 9 && !strncmp(name, "localhost", 9));
        for (size_t i = 0; i < dl && !is_domain; i++)
            if (name[i] >= 'A' && name[i] <= 'Z')
                is_domain = 1;
        if (is_domain) {
            if (!valid_domain(name, dl))
                return comb_fail(err, COMB_EINVAL, "image reference %s: bad registry \"%.*s\"",
                                 s, (int)(dl > 80 ? 80 : dl), name);
            snprintf(out->registry, sizeof out->registry, "%.*s", (int)dl, name);
            path = first_slash + 1;
        }
    }
    if (!out->registry[0] || !strcmp(out->registry, "index.docker.io") ||
        !strcmp(out->registry, "registry-1.docker.io"))
        snprintf(out->registry, sizeof out->registry, "docker.io");
    /* path components */
    size_t plen = strlen(path);
    size_t start = 0;
    for (size_t i = 0; i <= plen; i++) {
        if (i == plen || path[i] == '/') {
            if (!valid_component(path + start, i - start))
                return comb_fail(err, COMB_EINVAL,
                                 "image reference %s: repository path component \"%.*s\" must be "
                                 "lowercase letters and digits with single separators (. _ __ -)",
                                 s, (int)(i - start > 80 ? 80 : i - start), path + start);
            start = i + 1;
        }
    }
    int hub = !strcmp(out->registry, "docker.io");
    int n = snprintf(out->repo, sizeof out->repo, "%s%s", hub && !strchr(path, '/') ? "library/" : "",
                     path);
    if (n < 0 || (size_t)n >= sizeof out->repo ||
        strlen(out->registry) + 1 + strlen(out->repo) > COMB_REF_NAME_MAX)
        return comb_fail(err, COMB_EINVAL, "image reference %.60s...: name longer than %d bytes", s,
                         COMB_REF_NAME_MAX);
    if (!out->tag[0] && !out->digest[0])
        snprintf(out->tag, sizeof out->tag, "latest");
    return COMB_OK;
}

void comb_ref_format(const comb_ref *r, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s%s%s%s%s", r->registry, r->repo, r->tag[0] ? ":" : "", r->tag,
             r->digest[0] ? "@" : "", r->digest);
}

const char *comb_ref_api_host(const char *registry)
{
    return !strcmp(registry, "docker.io") ? "registry-1.docker.io" : registry;
}

int comb_ref_is_loopback(const char *registry)
{
    size_t n = strcspn(registry, ":");
    if (registry[0] == '[')
        return !strncmp(registry, "[::1]", 5);
    return (n == 9 && !strncmp(registry, "localhost", 9)) || !strncmp(registry, "127.", 4);
}
