/* auth.c - see auth.h. */
#include "registry/auth.h"

#include "core/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_AUTH_FILE (1u << 20)
#define MAX_HELPER_OUT (64u << 10)
#define HELPER_TIMEOUT_MS 30000

static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One auth-param value: token or quoted-string, into out (bounded). */
static int parse_value(const char *s, size_t len, size_t *i, char *out, size_t outsz)
{
    size_t o = 0;
    if (*i < len && s[*i] == '"') {
        (*i)++;
        while (*i < len && s[*i] != '"') {
            char c = s[*i];
            if (c == '\\') {
                if (++*i >= len)
                    return -1;
                c = s[*i];
            }
            if (o + 1 >= outsz)
                return -1;
            out[o++] = c;
            (*i)++;
        }
        if (*i >= len)
            return -1; /* unterminated */
        (*i)++;
    } else {
        while (*i < len && s[*i] != ',' && s[*i] != ' ' && s[*i] != '\t') {
            if (o + 1 >= outsz)
                return -1;
            out[o++] = s[(*i)++];
        }
    }
    out[o] = '\0';
    return 0;
}

static void skip_ws(const char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
}

comb_code comb_auth_parse_challenge(const char *s, size_t len, comb_auth_challenge *out,
                                    comb_err *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    int in_wanted = 0;
    while (i < len) {
        skip_ws(s, len, &i);
        while (i < len && s[i] == ',') {
            i++;
            skip_ws(s, len, &i);
        }
        if (i >= len)
            break;
        /* a token: either a new scheme or a parameter name */
        size_t t0 = i;
        while (i < len && is_tchar(s[i]))
            i++;
        size_t tl = i - t0;
        if (tl == 0)
            return comb_fail(err, COMB_EFORMAT, "WWW-Authenticate: unexpected character at %zu", i);
        skip_ws(s, len, &i);
        if (i < len && s[i] == '=') {
            /* a parameter of the current challenge */
            i++;
            skip_ws(s, len, &i);
            char val[1024];
            if (parse_value(s, len, &i, val, sizeof val))
                return comb_fail(err, COMB_EFORMAT,
                                 "WWW-Authenticate: parameter \"%.*s\" is unterminated or too long",
                                 (int)(tl > 40 ? 40 : tl), s + t0);
            if (!in_wanted)
                continue;
            char *dst = NULL;
            size_t dsz = 0;
            if (tl == 5 && !strncasecmp(s + t0, "realm", 5)) {
                dst = out->realm;
                dsz = sizeof out->realm;
            } else if (tl == 7 && !strncasecmp(s + t0, "service", 7)) {
                dst = out->service;
                dsz = sizeof out->service;
            } else if (tl == 5 && !strncasecmp(s + t0, "scope", 5)) {
                dst = out->scope;
                dsz = sizeof out->scope;
            }
            if (dst) {
                if (strlen(val) >= dsz)
                    return comb_fail(err, COMB_EFORMAT, "WWW-Authenticate: %.*s too long",
                                     (int)tl, s + t0);
                memcpy(dst, val, strlen(val) + 1);
            }
            continue;
        }
        /* a scheme name: the first Bearer or Basic wins */
        if (out->scheme != COMB_AUTH_NONE)
            break;
        if (tl == 6 && !strncasecmp(s + t0, "bearer", 6))
            out->scheme = COMB_AUTH_BEARER;
        else if (tl == 5 && !strncasecmp(s + t0, "basic", 5))
            out->scheme = COMB_AUTH_BASIC;
        in_wanted = out->scheme != COMB_AUTH_NONE;
        /* token68 form ("Negotiate abc=="): skip it */
        if (!in_wanted) {
            size_t j = i;
            while (j < len && s[j] != ',' && s[j] != ' ')
                j++;
            if (j < len && s[j] == ' ')
                continue;
        }
    }
    if (out->scheme == COMB_AUTH_NONE)
        return comb_fail(err, COMB_EUNSUPPORTED,
                         "WWW-Authenticate: no Basic or Bearer challenge (\"%.*s\")",
                         (int)(len < 60 ? len : 60), s);
    if (out->scheme == COMB_AUTH_BEARER && !out->realm[0])
        return comb_fail(err, COMB_EFORMAT, "WWW-Authenticate: Bearer challenge without realm");
    return COMB_OK;
}

static int decode_auth(const char *b64, comb_cred *out)
{
    size_t n = strlen(b64);
    if (n == 0 || n > 8000 || n % 4)
        return -1;
    unsigned char buf[6001];
    int m = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)n);
    if (m < 0)
        return -1;
    size_t pad = 0;
    while (pad < n && b64[n - 1 - pad] == '=')
        pad++;
    if (pad > 2 || memchr(b64, '=', n - pad))
        return -1;
    m -= (int)pad; /* EVP_DecodeBlock counts padding as zero bytes */
    if (m < 0)
        return -1;
    buf[m] = '\0';
    if (memchr(buf, '\0', (size_t)m))
        return -1;
    char *colon = strchr((char *)buf, ':');
    if (!colon || (size_t)(colon - (char *)buf) >= sizeof out->user ||
        strlen(colon + 1) >= sizeof out->secret)
        return -1;
    *colon = '\0';
    memcpy(out->user, buf, (size_t)(colon - (char *)buf) + 1);
    memcpy(out->secret, colon + 1, strlen(colon + 1) + 1);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

static int hub_alias(const char *registry, const char *key)
{
    if (strcmp(registry, "docker.io"))
        return 0;
    return !strcmp(key, "https://index.docker.io/v1/") || !strcmp(key, "index.docker.io") ||
           !strcmp(key, "registry-1.docker.io");
}

/* the key matches the registry: "host", "https://host", "https://host/v2/"... */
static int key_matches(const char *registry, const char *key)
{
    if (hub_alias(registry, key))
        return 1;
    if (!strncmp(key, "https://", 8))
        key += 8;
    else if (!strncmp(key, "http://", 7))
        key += 7;
    size_t n = strlen(registry);
    return !strncmp(key, registry, n) && (key[n] == '\0' || !strcmp(key + n, "/") ||
                                          !strncmp(key + n, "/v1/", 4) || !strncmp(key + n, "/v2/", 4));
}

comb_code comb_cred_parse_file(const char *json, size_t len, const char *registry, comb_cred *out,
                               int *found, char *helper, size_t helpersz, comb_err *err)
{
    *found = 0;
    helper[0] = '\0';
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return comb_fail(err, COMB_EFORMAT, "line %d: %s", je.line,
                         root ? "not a JSON object" : je.text);
    }
    comb_code rc = COMB_OK;
    const char *key;
    json_t *v;
    json_t *helpers = json_object_get(root, "credHelpers");
    if (json_is_object(helpers)) {
        json_object_foreach(helpers, key, v) {
            if (key_matches(registry, key) && json_is_string(v)) {
                snprintf(helper, helpersz, "%s", json_string_value(v));
                goto done;
            }
        }
    }
    json_t *auths = json_object_get(root, "auths");
    if (json_is_object(auths)) {
        json_object_foreach(auths, key, v) {
            if (!key_matches(registry, key) || !json_is_object(v))
                continue;
            json_t *a = json_object_get(v, "auth");
            if (json_is_string(a) && json_string_length(a) > 0) {
                if (decode_auth(json_string_value(a), out)) {
                    rc = comb_fail(err, COMB_EFORMAT,
                                   "auths[\"%.100s\"].auth is not base64 of user:password", key);
                    goto done;
                }
                *found = 1;
                goto done;
            }
        }
    }
    json_t *store = json_object_get(root, "credsStore");
    if (json_is_string(store) && json_string_length(store) > 0)
        snprintf(helper, helpersz, "%s", json_string_value(store));
done:
    json_decref(root);
    return rc;
}

static comb_code read_file(const char *path, unsigned char **out, size_t *len, int *absent,
                           comb_err *err)
{
    *absent = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            *absent = 1;
            return COMB_OK;
        }
        return comb_fail(err, COMB_EIO, "%s: %s", path, strerror(errno));
    }
    return comb_read_fd(fd, MAX_AUTH_FILE, path, out, len, err);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* docker-credential-NAME get: the server on stdin, JSON on stdout. */
static comb_code run_helper(const char *name, const char *registry, comb_cred *out, int *found,
                            comb_err *err)
{
    *found = 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return comb_fail(err, COMB_EINVAL, "credential helper name \"%.60s\" is not a plain name",
                             name);
    char prog[128];
    snprintf(prog, sizeof prog, "docker-credential-%.100s", name);
    int in[2], outp[2];
    if (pipe2(in, O_CLOEXEC))
        return comb_fail(err, COMB_EIO, "%s: pipe: %s", prog, strerror(errno));
    if (pipe2(outp, O_CLOEXEC)) {
        close(in[0]);
        close(in[1]);
        return comb_fail(err, COMB_EIO, "%s: pipe: %s", prog, strerror(errno));
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0)
            dup2(devnull, 2);
        execlp(prog, prog, "get", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    if (pid < 0) {
        close(in[1]);
        close(outp[0]);
        return comb_fail(err, COMB_EIO, "%s: fork: %s", prog, strerror(errno));
    }
    const char *server = !strcmp(registry, "docker.io") ? "https://index.docker.io/v1/" : registry;
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    ssize_t w = write(in[1], server, strlen(server));
    (void)w;
    close(in[1]);
    signal(SIGPIPE, old);
    char *buf = malloc(MAX_HELPER_OUT + 1);
    size_t n = 0;
    int timed_out = 0, too_big = 0;
    long deadline = now_ms() + HELPER_TIMEOUT_MS;
    while (buf) {
        long left = deadline - now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd = { .fd = outp[0], .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            timed_out = pr == 0;
            break;
        }
        if (n >= MAX_HELPER_OUT) {
            too_big = 1;
            break;
        }
        ssize_t r = read(outp[0], buf + n, MAX_HELPER_OUT - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(outp[0]);
    if (timed_out || too_big)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    comb_code rc = COMB_OK;
    if (!buf) {
        rc = comb_fail(err, COMB_ENOMEM, "out of memory");
    } else if (timed_out || too_big) {
        rc = comb_fail(err, COMB_EIO, "credential helper %s: %s", prog,
                       timed_out ? "no answer within 30 s" : "answer too long");
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        rc = comb_fail(err, COMB_ENOTFOUND, "credential helper %s is not installed", prog);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* "credentials not found in native keychain": no credentials */
        buf[n] = '\0';
        if (!strstr(buf, "not found"))
            rc = comb_fail(err, COMB_EIO, "credential helper %s failed", prog);
    } else {
        json_error_t je;
        json_t *j = json_loadb(buf, n, 0, &je);
        json_t *u = json_object_get(j, "Username"), *s = json_object_get(j, "Secret");
        if (!json_is_string(u) || !json_is_string(s) ||
            json_string_length(u) >= sizeof out->user || json_string_length(s) >= sizeof out->secret) {
            rc = comb_fail(err, COMB_EFORMAT,
                           "credential helper %s: answer is not {\"Username\",\"Secret\"}", prog);
        } else {
            snprintf(out->user, sizeof out->user, "%s", json_string_value(u));
            snprintf(out->secret, sizeof out->secret, "%s", json_string_value(s));
            snprintf(out->source, sizeof out->source, "credential helper %s", prog);
            *found = 1;
        }
        json_decref(j);
    }
    if (buf) {
        OPENSSL_cleanse(buf, n);
        free(buf);
    }
    return rc;
}

comb_code comb_cred_lookup(const char *registry, comb_cred *out, int *found, comb_err *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    char paths[3][1024];
    int np = 0;
    const char *e = getenv("REGISTRY_AUTH_FILE");
    if (e && *e)
        snprintf(paths[np++], sizeof paths[0], "%s", e);
    e = getenv("XDG_RUNTIME_DIR");
    if (e && *e)
        snprintf(paths[np++], sizeof paths[0], "%s/containers/auth.json", e);
    e = getenv("DOCKER_CONFIG");
    const char *home = getenv("HOME");
    if (e && *e)
        snprintf(paths[np++], sizeof paths[0], "%s/config.json", e);
    else if (home && *home)
        snprintf(paths[np++], sizeof paths[0], "%s/.docker/config.json", home);
    for (int i = 0; i < np; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        int absent;
        comb_code rc = read_file(paths[i], &data, &len, &absent, err);
        if (rc)
            return rc;
        if (absent)
            continue;
        char helper[128];
        rc = comb_cred_parse_file((const char *)data, len, registry, out, found, helper, sizeof helper, err);
        OPENSSL_cleanse(data, len);
        free(data);
        if (rc) {
            comb_err_prefix(err, "%s", paths[i]);
            return rc;
        }
        if (*found) {
            snprintf(out->source, sizeof out->source, "%.299s", paths[i]);
            return COMB_OK;
        }
        if (helper[0]) {
            rc = run_helper(helper, registry, out, found, err);
            if (rc) {
                comb_err_prefix(err, "%s", paths[i]);
                return rc;
            }
            if (*found)
                return COMB_OK;
        }
    }
    return COMB_OK;
}
