/* client.c - see client.h. */
#include "registry/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/http.h"
#include "registry/auth.h"

#define MAX_TOKEN_RESPONSE (1u << 20)
#define MAX_TOKEN (16u << 10)
#define MAX_ERROR_BODY (64u << 10)
#define MAX_CHUNK (64u << 20)   /* largest piece curl may hand over at once */
#define STREAM_BUF (1u << 20)
#define MAX_REDIRECTS 5L

typedef struct host {
    char name[COMB_REF_NAME_MAX + 1];
    int mirror;
    int basic;      /* send Basic credentials */
    char *token;    /* Bearer token, malloc'd */
} host;

struct comb_registry {
    comb_ref ref;
    char refname[600];
    comb_registry_opts o;
    host hosts[COMB_REGISTRY_MAX_MIRRORS + 1];
    int nhosts;
    comb_cred cred;
    int have_cred, cred_looked;
    unsigned requests;
};

struct comb_blob_stream {
    comb_registry *r;
    CURLM *m;
    CURL *e;
    struct curl_slist *hdrs;
    unsigned char *buf;
    size_t cap, off, len;
    int paused, done, body_ok, too_big, error_too_big;
    CURLcode result;
    long status;
    uint64_t max, got;
    char errbody[512];
    size_t errlen;
    char challenge[2048];
    char retry_after[16];
    char content_digest[80];
    char content_type[128];
    char cerr[CURL_ERROR_SIZE];
    char what[200];
    /* to resume a cut transfer with a Range request */
    char *url, *accept;
    const host *h;
    int basic, whole, resumes;
    uint64_t range_from;  /* the resumed request asked for bytes from here */
    int range_check;      /* the first body chunk of a resumed request is next */
    uint64_t skip;        /* a server that ignored Range: bytes already had */
    uint64_t errgot;
    char content_range[100];
};

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    comb_blob_stream *s = ud;
    size_t len = size * n;
    if (comb_http_status_line(p, len)) {
        s->challenge[0] = s->retry_after[0] = s->content_digest[0] = s->content_type[0] = '\0';
        return len;
    }
    if (!comb_http_header(p, len, "www-authenticate", s->challenge, sizeof s->challenge) &&
        !comb_http_header(p, len, "retry-after", s->retry_after, sizeof s->retry_after) &&
        !comb_http_header(p, len, "content-range", s->content_range, sizeof s->content_range) &&
        !comb_http_header(p, len, "docker-content-digest", s->content_digest,
                          sizeof s->content_digest))
        comb_http_header(p, len, "content-type", s->content_type, sizeof s->content_type);
    return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    comb_blob_stream *s = ud;
    size_t len = size * n;
    long code = 0;
    curl_easy_getinfo(s->e, CURLINFO_RESPONSE_CODE, &code);
    s->status = code;
    if (code < 200 || code >= 300) {
        /* an error page: keep its start for the message, bound the rest */
        size_t k = sizeof s->errbody - 1 - s->errlen;
        if (k > len)
            k = len;
        for (size_t i = 0; i < k; i++) /* shown to the user: printable ASCII only */
            s->errbody[s->errlen + i] = p[i] >= ' ' && p[i] < 0x7f ? p[i] : ' ';
        s->errlen += k;
        s->errbody[s->errlen] = '\0';
        if (s->errgot + len > MAX_ERROR_BODY) {
            s->error_too_big = 1;
            return 0;
        }
        s->errgot += len;
        return len;
    }
    size_t taken = len; /* what curl is told was consumed */
    if (s->range_check) {
        s->range_check = 0;
        if (code == 206) {
            char want[40];
            int w = snprintf(want, sizeof want, "bytes %llu-", (unsigned long long)s->range_from);
            if (strncmp(s->content_range, want, (size_t)w))
                return 0; /* not the part asked for: fail the transfer */
        } else {
            s->skip = s->range_from; /* the whole blob again: drop what was read */
        }
    }
    if (s->skip) {
        size_t k = s->skip < len ? (size_t)s->skip : len;
        s->skip -= k;
        p += k;
        len -= k;
        if (!len)
            return taken;
    }
    s->body_ok = 1;
    if (s->max && s->got + len > s->max) {
        s->too_big = 1;
        return 0;
    }
    if (s->off == s->len)
        s->off = s->len = 0;
    if (s->off) {
        memmove(s->buf, s->buf + s->off, s->len - s->off);
        s->len -= s->off;
        s->off = 0;
    }
    if (s->cap - s->len < len) {
        if (s->len) {
            /* the reader is behind: curl keeps the chunk and hands it over again */
            s->skip = taken - len;
            if (s->skip)
                s->range_check = 0;
            s->paused = 1;
            return CURL_WRITEFUNC_PAUSE;
        }
        if (len > MAX_CHUNK) {
            s->too_big = 1;
            return 0;
        }
        unsigned char *nb = realloc(s->buf, len);
        if (!nb)
            return 0;
        s->buf = nb;
        s->cap = len;
    }
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    s->got += len;
    return taken;
}

static void stream_teardown(comb_blob_stream *s)
{
    if (s->e) {
        if (s->m)
            curl_multi_remove_handle(s->m, s->e);
        curl_easy_cleanup(s->e);
    }
    if (s->m)
        curl_multi_cleanup(s->m);
    curl_slist_free_all(s->hdrs);
    s->e = NULL;
    s->m = NULL;
    s->hdrs = NULL;
}

static void stream_free(comb_blob_stream *s)
{
    if (!s)
        return;
    stream_teardown(s);
    free(s->buf);
    free(s->url);
    free(s->accept);
    free(s);
}

void comb_blob_stream_close(comb_blob_stream *s) { stream_free(s); }

static long stall_s(const comb_registry *r) { return r->o.timeout_s > 0 ? r->o.timeout_s : 30; }

/* A GET of s->url from byte `from` on; auth from s->h (none for a token
 * server, which gets Basic credentials when s->basic). 0 or -1. */
static int stream_setup(comb_blob_stream *s, uint64_t from)
{
    comb_registry *r = s->r;
    s->m = curl_multi_init();
    s->e = curl_easy_init();
    if (!s->m || !s->e)
        return -1;
    r->requests++;
    char a[400];
    if (s->accept) {
        snprintf(a, sizeof a, "Accept: %s", s->accept);
        s->hdrs = curl_slist_append(s->hdrs, a);
    }
    if (from) {
        snprintf(a, sizeof a, "Range: bytes=%llu-", (unsigned long long)from);
        s->hdrs = curl_slist_append(s->hdrs, a);
    }
    const host *h = s->h;
    if (h && h->token) {
        size_t al = strlen(h->token) + 32;
        char *t = malloc(al);
        if (!t)
            return -1;
        snprintf(t, al, "Authorization: Bearer %s", h->token);
        s->hdrs = curl_slist_append(s->hdrs, t);
        free(t);
    }
    CURL *e = s->e;
    if ((s->basic || (h && h->basic)) && r->have_cred) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, r->cred.user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, r->cred.secret);
    }
    const char *protos = r->o.insecure ? "https,http" : "https";
    curl_easy_setopt(e, CURLOPT_URL, s->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protos);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protos);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, stall_s(r));
    /* a server dribbling bytes (slow loris) is as stuck as a silent one; curl
     * does not count the time a transfer is paused for the walker */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 512L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall_s(r));
    if (s->whole)
        curl_easy_setopt(e, CURLOPT_TIMEOUT, 4 * stall_s(r));
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->cerr);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "comb/" COMB_VERSION);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
    return curl_multi_add_handle(s->m, e) == CURLM_OK ? 0 : -1;
}

static comb_blob_stream *stream_start(comb_registry *r, const char *url, const char *accept,
                                      const host *h, int basic, uint64_t max, int whole_timeout)
{
    comb_blob_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->r = r;
    s->max = max;
    s->h = h;
    s->basic = basic;
    s->whole = whole_timeout;
    s->cap = STREAM_BUF;
    s->buf = malloc(s->cap);
    s->url = strdup(url);
    s->accept = accept ? strdup(accept) : NULL;
    if (!s->buf || !s->url || (accept && !s->accept) || stream_setup(s, 0)) {
        stream_free(s);
        return NULL;
    }
    return s;
}

/* Start again from the first byte not yet received (the reader has taken
 * everything before it). 0 or -1. */
static int stream_resume(comb_blob_stream *s)
{
    stream_teardown(s);
    s->done = s->paused = 0;
    s->result = CURLE_OK;
    s->status = 0;
    s->off = s->len = 0;
    s->errlen = s->errgot = 0;
    s->cerr[0] = s->content_range[0] = '\0';
    s->range_from = s->got;
    s->range_check = 1;
    s->skip = 0;
    s->resumes++;
    return stream_setup(s, s->got);
}

static void pump(comb_blob_stream *s)
{
    int running = 0;
    if (curl_multi_perform(s->m, &running) != CURLM_OK) {
        s->done = 1;
        s->result = CURLE_FAILED_INIT;
        return;
    }
    if (!running) {
        int q;
        CURLMsg *msg;
        s->result = CURLE_OK;
        while ((msg = curl_multi_info_read(s->m, &q)))
            if (msg->msg == CURLMSG_DONE)
                s->result = msg->data.result;
        curl_easy_getinfo(s->e, CURLINFO_RESPONSE_CODE, &s->status);
        s->done = 1;
        return;
    }
    if (s->len > s->off || s->paused)
        return; /* data to hand out before waiting for more */
    curl_multi_poll(s->m, NULL, 0, 500, NULL);
}

/* A failed transfer's message; *transient says whether to try again. */
static comb_code transfer_error(comb_blob_stream *s, int *transient, comb_err *err)
{
    *transient = 0;
    const char *why = s->cerr[0] ? s->cerr : curl_easy_strerror(s->result);
    switch (s->result) {
    case CURLE_TOO_MANY_REDIRECTS:
        return comb_fail(err, COMB_EIO, "%s: more than %ld redirects (a redirect loop?)", s->what,
                         MAX_REDIRECTS);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return comb_fail(err, COMB_EIO, "%s: %s (only https, or plain http with --insecure)",
                         s->what, why);
    case CURLE_OPERATION_TIMEDOUT:
        *transient = 1;
        return comb_fail(err, COMB_EIO, "%s: timed out (under 512 bytes/s for %ld s; see --timeout)",
                         s->what, stall_s(s->r));
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
        return comb_fail(err, COMB_EIO,
                         "%s: TLS failed: %s (a plain-HTTP registry needs --insecure)", s->what, why);
    case CURLE_PARTIAL_FILE:
        *transient = 1;
        return comb_fail(err, COMB_EIO, "%s: truncated: the connection closed after %llu bytes",
                         s->what, (unsigned long long)s->got);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
        *transient = 1;
        /* fall through */
    default:
        if (s->too_big)
            return comb_fail(err, COMB_ELIMIT, "%s: larger than %llu bytes", s->what,
                             (unsigned long long)s->max);
        if (s->error_too_big)
            return comb_fail(err, COMB_ELIMIT, "%s: HTTP %ld with an error body over %u bytes",
                             s->what, s->status, MAX_ERROR_BODY);
        return comb_fail(err, COMB_EIO, "%s: %s", s->what, why);
    }
}

static comb_code get_cred(comb_registry *r, const host *h, comb_err *err)
{
    if (r->cred_looked)
        return COMB_OK;
    r->cred_looked = 1;
    if (r->o.username) {
        snprintf(r->cred.user, sizeof r->cred.user, "%s", r->o.username);
        snprintf(r->cred.secret, sizeof r->cred.secret, "%s", r->o.password ? r->o.password : "");
        snprintf(r->cred.source, sizeof r->cred.source, "--username");
        r->have_cred = 1;
        return COMB_OK;
    }
    if (r->o.no_cred_lookup)
        return COMB_OK;
    return comb_cred_lookup(h->mirror ? h->name : r->ref.registry, &r->cred, &r->have_cred, err);
}

static void url_escape(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *in && o + 4 < outsz; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.~", c)) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static comb_code open_url(comb_registry *r, host *h, const char *url, const char *accept,
                          uint64_t max, int whole, int token_request, const char *what,
                          comb_blob_stream **out, comb_err *err);

static comb_code read_all(comb_blob_stream *s, size_t max, unsigned char **data, size_t *len,
                          comb_err *err)
{
    size_t cap = 64 << 10, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (!buf)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(buf);
                return comb_fail(err, COMB_ELIMIT, "%s: larger than %zu bytes", s->what, max);
            }
            cap = cap * 2 > max ? max : cap * 2;
            unsigned char *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                return comb_fail(err, COMB_ENOMEM, "out of memory");
            }
            buf = nb;
        }
        ssize_t k = comb_blob_stream_read(s, buf + n, cap - n, err);
        if (k < 0) {
            free(buf);
            return err->code;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return COMB_OK;
}

/* Answer a challenge: remember to send Basic credentials, or fetch a token. */
static comb_code authenticate(comb_registry *r, host *h, const char *challenge, comb_err *err)
{
    comb_auth_challenge ch;
    comb_code rc = comb_auth_parse_challenge(challenge, strlen(challenge), &ch, err);
    if (rc)
        return rc;
    if ((rc = get_cred(r, h, err)))
        return rc;
    if (ch.scheme == COMB_AUTH_BASIC) {
        if (!r->have_cred)
            return comb_fail(err, COMB_EAUTH,
                             "authentication required (HTTP 401, Basic) and no credentials found: "
                             "log in (docker/podman login) or use --username with --password-stdin");
        h->basic = 1;
        return COMB_OK;
    }
    if (strncmp(ch.realm, "https://", 8) && !(r->o.insecure && !strncmp(ch.realm, "http://", 7)))
        return comb_fail(err, COMB_EAUTH, "token realm %.200s is not https (plain http only with --insecure)",
                         ch.realm);
    char service[800], scope[1600], def_scope[600];
    url_escape(ch.service, service, sizeof service);
    snprintf(def_scope, sizeof def_scope, "repository:%s:pull", r->ref.repo);
    url_escape(ch.scope[0] ? ch.scope : def_scope, scope, sizeof scope);
    char url[4096];
    snprintf(url, sizeof url, "%s%sservice=%s&scope=%s", ch.realm, strchr(ch.realm, '?') ? "&" : "?",
             service, scope);
    comb_blob_stream *s;
    rc = open_url(r, h, url, "application/json", MAX_TOKEN_RESPONSE, 1, 1, "token server", &s, err);
    if (rc)
        return rc;
    unsigned char *data;
    size_t len;
    rc = read_all(s, MAX_TOKEN_RESPONSE, &data, &len, err);
    stream_free(s);
    if (rc)
        return rc;
    json_error_t je;
    json_t *j = json_loadb((const char *)data, len, 0, &je);
    free(data);
    json_t *t = json_object_get(j, "token");
    if (!json_is_string(t) || !json_string_length(t))
        t = json_object_get(j, "access_token");
    if (!json_is_string(t) || !json_string_length(t) || json_string_length(t) > MAX_TOKEN) {
        json_decref(j);
        return comb_fail(err, COMB_EFORMAT, "token server %.200s: no usable token in its answer",
                         ch.realm);
    }
    for (const char *p = json_string_value(t); *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            json_decref(j);
            return comb_fail(err, COMB_EFORMAT, "token server %.200s: token holds control characters",
                             ch.realm);
        }
    free(h->token);
    h->token = strdup(json_string_value(t));
    json_decref(j);
    return h->token ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
}

static comb_code open_url(comb_registry *r, host *h, const char *url, const char *accept,
                          uint64_t max, int whole, int token_request, const char *what,
                          comb_blob_stream **out, comb_err *err)
{
    int retries = r->o.retries > 0 ? r->o.retries : (r->o.retries < 0 ? 0 : 3);
    if (h && h->mirror && !token_request)
        retries = 0; /* a failing mirror: go to the registry itself at once */
    unsigned delay = r->o.backoff_ms ? r->o.backoff_ms : 500;
    unsigned cap = r->o.retry_after_cap_s ? r->o.retry_after_cap_s : 60;
    int auth_tries = 0;
    *out = NULL;
    for (int attempt = 0;;) {
        comb_blob_stream *s = stream_start(r, url, accept, token_request ? NULL : h, token_request,
                                           max, whole);
        if (!s)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        snprintf(s->what, sizeof s->what, "%s", what);
        while (!s->done && !(s->body_ok && s->len > 0))
            pump(s);
        if (!s->done || (s->result == CURLE_OK && s->status >= 200 && s->status < 300)) {
            *out = s;
            return COMB_OK;
        }
        comb_code rc;
        int transient = 0;
        unsigned wait = delay;
        if (s->result != CURLE_OK) {
            rc = transfer_error(s, &transient, err);
        } else if (s->status == 401 && !token_request && s->challenge[0] && !auth_tries) {
            char ch[sizeof s->challenge];
            memcpy(ch, s->challenge, sizeof ch);
            stream_free(s);
            rc = authenticate(r, h, ch, err);
            if (rc) {
                comb_err_prefix(err, "%s", what);
                return rc;
            }
            auth_tries++;
            continue;
        } else if (s->status == 401 || s->status == 403) {
            rc = comb_fail(err, COMB_EAUTH, "%s: %s (HTTP %ld)%s%s", what,
                           s->status == 401 ? "authentication required" : "access denied",
                           s->status, r->have_cred ? "; credentials from " : "; no credentials found",
                           r->have_cred ? r->cred.source : " (log in, or --username with --password-stdin)");
        } else if (s->status == 429 || s->status >= 500) {
            transient = 1;
            long ra = comb_http_retry_after(s->retry_after, (long)cap);
            if (ra >= 0 && (unsigned)ra * 1000u > wait)
                wait = (unsigned)ra * 1000u;
            rc = comb_fail(err, COMB_EIO, "%s: HTTP %ld%s", what, s->status,
                           s->status == 429 ? " Too Many Requests (rate limited by the registry)" : "");
        } else if (s->status == 404) {
            rc = comb_fail(err, COMB_ENOTFOUND, "%s: not found (HTTP 404)", what);
        } else {
            rc = comb_fail(err, COMB_EIO, "%s: HTTP %ld%s%.120s", what, s->status,
                           s->errlen ? ": " : "", s->errbody);
        }
        stream_free(s);
        if (!transient || attempt >= retries) {
            if (attempt > 0)
                comb_err_prefix(err, "after %d attempts", attempt + 1);
            return rc;
        }
        comb_sleep_ms(wait);
        if (delay < 30000)
            delay *= 2;
        attempt++;
    }
}

/* Try each host (mirrors first) for path; *used is the host that answered. */
static comb_code open_path(comb_registry *r, const char *path, const char *accept, uint64_t max,
                           int whole, const char *what, comb_blob_stream **out, comb_err *err)
{
    comb_code rc = COMB_EIO;
    for (int i = 0; i < r->nhosts; i++) {
        host *h = &r->hosts[i];
        char url[1024];
        snprintf(url, sizeof url, "%s://%s/v2/%s/%s", r->o.insecure ? "http" : "https",
                 comb_ref_api_host(h->name), r->ref.repo, path);
        rc = open_url(r, h, url, accept, max, whole, 0, what, out, err);
        if (rc == COMB_OK || !h->mirror)
            break;
    }
    return rc;
}

static comb_code add_mirrors(comb_registry *r, const char *spec, comb_err *err)
{
    if (!spec)
        return COMB_OK;
    while (*spec) {
        size_t n = strcspn(spec, ",");
        const char *eq = memchr(spec, '=', n);
        if (!eq)
            return comb_fail(err, COMB_EINVAL, "mirrors: \"%.*s\" is not REGISTRY=MIRROR", (int)n, spec);
        size_t kl = (size_t)(eq - spec), ml = n - kl - 1;
        if (kl == strlen(r->ref.registry) && !strncmp(spec, r->ref.registry, kl)) {
            if (r->nhosts > COMB_REGISTRY_MAX_MIRRORS)
                return comb_fail(err, COMB_ELIMIT, "more than %d mirrors", COMB_REGISTRY_MAX_MIRRORS);
            comb_ref probe;
            char tmp[COMB_REF_NAME_MAX + 8];
            snprintf(tmp, sizeof tmp, "%.*s/x", (int)(ml > COMB_REF_NAME_MAX ? COMB_REF_NAME_MAX : ml),
                     eq + 1);
            if (ml == 0 || ml > 200 || comb_ref_parse(tmp, &probe, err) ||
                strncmp(probe.registry, eq + 1, ml))
                return comb_fail(err, COMB_EINVAL, "mirrors: \"%.*s\" is not a registry host[:port]",
                                 (int)(ml > 100 ? 100 : ml), eq + 1);
            /* mirrors go before the registry itself */
            host *origin = &r->hosts[r->nhosts - 1];
            r->hosts[r->nhosts] = *origin;
            memset(origin, 0, sizeof *origin);
            snprintf(origin->name, sizeof origin->name, "%.*s", (int)ml, eq + 1);
            origin->mirror = 1;
            r->nhosts++;
        }
        spec += n;
        if (*spec == ',')
            spec++;
    }
    return COMB_OK;
}

comb_code comb_registry_open(const comb_ref *ref, const comb_registry_opts *opts,
                             comb_registry **out, comb_err *err)
{
    *out = NULL;
    comb_http_init();
    comb_registry *r = calloc(1, sizeof *r);
    if (!r)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    r->ref = *ref;
    comb_ref_format(ref, r->refname, sizeof r->refname);
    if (opts)
        r->o = *opts;
    snprintf(r->hosts[0].name, sizeof r->hosts[0].name, "%s", ref->registry);
    r->nhosts = 1;
    if (r->o.bearer && !(r->hosts[0].token = strdup(r->o.bearer))) {
        free(r);
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    }
    const char *m = r->o.mirrors ? r->o.mirrors : getenv("COMB_REGISTRY_MIRRORS");
    comb_code rc = add_mirrors(r, m, err);
    if (rc) {
        comb_registry_close(r);
        return rc;
    }
    *out = r;
    return COMB_OK;
}

void comb_registry_close(comb_registry *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nhosts; i++)
        free(r->hosts[i].token);
    memset(&r->cred, 0, sizeof r->cred);
    free(r);
}

unsigned comb_registry_requests(const comb_registry *r) { return r->requests; }

ssize_t comb_blob_stream_read(comb_blob_stream *s, void *buf, size_t len, comb_err *err)
{
    for (;;) {
        if (s->len > s->off) {
            size_t k = s->len - s->off;
            if (k > len)
                k = len;
            memcpy(buf, s->buf + s->off, k);
            s->off += k;
            return (ssize_t)k;
        }
        if (s->done) {
            if (s->result == CURLE_OK && (s->status < 200 || s->status >= 300)) {
                comb_fail(err, COMB_EIO, "%s: HTTP %ld when resuming at byte %llu", s->what,
                          s->status, (unsigned long long)s->range_from);
                return -1;
            }
            if (s->result == CURLE_OK)
                return 0;
            int transient;
            comb_code rc = transfer_error(s, &transient, err);
            int retries = s->r->o.retries > 0 ? s->r->o.retries : (s->r->o.retries < 0 ? 0 : 3);
            if (!transient || rc == COMB_ELIMIT || s->resumes >= retries)
                return -1;
            /* cut in the middle: ask for the rest (Range), the digests are checked anyway */
            comb_sleep_ms((s->r->o.backoff_ms ? s->r->o.backoff_ms : 500) << s->resumes);
            if (stream_resume(s)) {
                comb_fail(err, COMB_ENOMEM, "out of memory");
                return -1;
            }
            continue;
        }
        if (s->paused) {
            s->paused = 0;
            s->off = s->len = 0;
            curl_easy_pause(s->e, CURLPAUSE_CONT); /* may hand data over right away */
            continue;
        }
        pump(s);
    }
}

static const char *manifest_accept =
    "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";

comb_code comb_registry_manifest(comb_registry *r, const char *ref, unsigned char **data,
                                 size_t *len, char *media_type, size_t mtsz, char digest[72],
                                 comb_err *err)
{
    char path[300], what[300];
    snprintf(path, sizeof path, "manifests/%s", ref);
    snprintf(what, sizeof what, "manifest %s", ref);
    comb_blob_stream *s;
    comb_code rc = open_path(r, path, manifest_accept, COMB_REGISTRY_MAX_MANIFEST, 1, what, &s, err);
    if (rc) {
        comb_err_prefix(err, "registry %s", r->refname);
        return rc;
    }
    rc = read_all(s, COMB_REGISTRY_MAX_MANIFEST, data, len, err);
    if (rc == COMB_OK) {
        snprintf(media_type, mtsz, "%s", s->content_type);
        char *semi = strchr(media_type, ';');
        if (semi)
            *semi = '\0';
        if (comb_sha256_buf(*data, *len, digest)) {
            rc = comb_fail(err, COMB_ENOMEM, "out of memory");
        } else if (!strncmp(ref, "sha256:", 7) && strcmp(ref, digest)) {
            rc = comb_fail(err, COMB_EDIGEST, "manifest %s: digest mismatch: content is %s", ref,
                           digest);
        } else if (s->content_digest[0] && !strncmp(s->content_digest, "sha256:", 7) &&
                   strcmp(s->content_digest, digest)) {
            rc = comb_fail(err, COMB_EDIGEST,
                           "manifest %s: digest mismatch: Docker-Content-Digest says %s, content is %s",
                           ref, s->content_digest, digest);
        }
        if (rc) {
            free(*data);
            *data = NULL;
        }
    }
    if (rc)
        comb_err_prefix(err, "registry %s", r->refname);
    stream_free(s);
    return rc;
}

comb_code comb_registry_blob_open(comb_registry *r, const char *digest, uint64_t size,
                                  comb_blob_stream **out, comb_err *err)
{
    char path[300], what[300];
    snprintf(path, sizeof path, "blobs/%s", digest);
    snprintf(what, sizeof what, "blob %s", digest);
    return open_path(r, path, NULL, size, 0, what, out, err);
}

comb_code comb_registry_blob(comb_registry *r, const char *digest, size_t max,
                             unsigned char **data, size_t *len, comb_err *err)
{
    comb_blob_stream *s;
    comb_code rc = comb_registry_blob_open(r, digest, max, &s, err);
    if (rc == COMB_OK) {
        rc = read_all(s, max, data, len, err);
        stream_free(s);
    }
    if (rc) {
        comb_err_prefix(err, "registry %s", r->refname);
        return rc;
    }
    char got[72];
    if (comb_sha256_buf(*data, *len, got) || strcmp(got, digest)) {
        free(*data);
        *data = NULL;
        return comb_fail(err, COMB_EDIGEST, "registry %s: blob %s: digest mismatch: content is %s",
                         r->refname, digest, got);
    }
    return COMB_OK;
}

/* ---- push: requests that change the registry ----
 * Synchronous (one curl easy handle per request), to the registry itself
 * (never a mirror), authenticated like pulls: a 401 is answered once with
 * the challenge's scope (registries name the push scope there). */

typedef struct send_ctx {
    comb_registry_reply *out;
    size_t max;
    char challenge[2048];
    int too_big;
} send_ctx;

static size_t send_on_header(char *p, size_t size, size_t n, void *ud)
{
    send_ctx *c = ud;
    size_t len = size * n;
    comb_registry_reply *o = c->out;
    if (comb_http_status_line(p, len)) {
        c->challenge[0] = o->location[0] = o->digest[0] = o->subject[0] = o->range[0] = '\0';
        return len;
    }
    if (!comb_http_header(p, len, "www-authenticate", c->challenge, sizeof c->challenge) &&
        !comb_http_header(p, len, "location", o->location, sizeof o->location) &&
        !comb_http_header(p, len, "docker-content-digest", o->digest, sizeof o->digest) &&
        !comb_http_header(p, len, "range", o->range, sizeof o->range) &&
        !comb_http_header(p, len, "oci-filters-applied", o->filters, sizeof o->filters))
        comb_http_header(p, len, "oci-subject", o->subject, sizeof o->subject);
    return len;
}

static size_t send_on_body(char *p, size_t size, size_t n, void *ud)
{
    send_ctx *c = ud;
    size_t len = size * n;
    comb_registry_reply *o = c->out;
    if (o->len + len > c->max) {
        c->too_big = 1;
        return 0;
    }
    unsigned char *b = realloc(o->body, o->len + len + 1);
    if (!b)
        return 0;
    memcpy(b + o->len, p, len);
    o->body = b;
    o->len += len;
    o->body[o->len] = '\0';
    return len;
}

void comb_registry_reply_free(comb_registry_reply *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

comb_code comb_registry_request(comb_registry *r, const char *method, const char *path,
                                const char *content_type, const void *body, size_t len,
                                size_t max_body, comb_registry_reply *out, comb_err *err)
{
    memset(out, 0, sizeof *out);
    host *h = &r->hosts[r->nhosts - 1]; /* the registry itself comes after the mirrors */
    char url[3072];
    if (path[0] == '/')
        snprintf(url, sizeof url, "%s://%s%s", r->o.insecure ? "http" : "https",
                 comb_ref_api_host(h->name), path);
    else if (!strncmp(path, "https://", 8) || (r->o.insecure && !strncmp(path, "http://", 7)))
        snprintf(url, sizeof url, "%s", path);
    else if (strstr(path, "://"))
        return comb_fail(err, COMB_EAUTH, "registry %s: refusing to follow %.200s (plain http only with --insecure)",
                         r->refname, path);
    else
        snprintf(url, sizeof url, "%s://%s/v2/%s/%s", r->o.insecure ? "http" : "https",
                 comb_ref_api_host(h->name), r->ref.repo, path);
    for (int auth_tries = 0;; auth_tries++) {
        CURL *e = curl_easy_init();
        if (!e)
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        r->requests++;
        send_ctx c = {out, max_body, "", 0};
        comb_registry_reply_free(out);
        struct curl_slist *hd = NULL;
        char a[400];
        if (content_type) {
            snprintf(a, sizeof a, "Content-Type: %s", content_type);
            hd = curl_slist_append(hd, a);
        }
        if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
            snprintf(a, sizeof a, "Accept: %s", manifest_accept);
            hd = curl_slist_append(hd, a);
        }
        char *t = NULL;
        if (h->token && (t = malloc(strlen(h->token) + 32))) {
            sprintf(t, "Authorization: Bearer %s", h->token);
            hd = curl_slist_append(hd, t);
            free(t);
        }
        if (h->basic && r->have_cred) {
            curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(e, CURLOPT_USERNAME, r->cred.user);
            curl_easy_setopt(e, CURLOPT_PASSWORD, r->cred.secret);
        }
        const char *protos = r->o.insecure ? "https,http" : "https";
        char cerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
        if (!strcmp(method, "HEAD"))
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        if (body || !strcmp(method, "PUT") || !strcmp(method, "POST") || !strcmp(method, "PATCH")) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        }
        hd = curl_slist_append(hd, "Expect:");
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, send_on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &c);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, send_on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &c);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protos);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, stall_s(r));
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 512L);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, stall_s(r));
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cerr);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "comb/" COMB_VERSION);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        CURLcode cc = curl_easy_perform(e);
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
        curl_easy_cleanup(e);
        curl_slist_free_all(hd);
        if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && c.too_big)) {
            comb_registry_reply_free(out);
            return comb_fail(err, COMB_EIO, "registry %s: %s %s: %s", r->refname, method, path,
                             cerr[0] ? cerr : curl_easy_strerror(cc));
        }
        if (c.too_big) {
            comb_registry_reply_free(out);
            return comb_fail(err, COMB_ELIMIT, "registry %s: %s %s: answer over %zu bytes",
                             r->refname, method, path, max_body);
        }
        if (out->status == 401 && c.challenge[0] && !auth_tries) {
            comb_code rc = authenticate(r, h, c.challenge, err);
            if (rc) {
                comb_err_prefix(err, "registry %s", r->refname);
                comb_registry_reply_free(out);
                return rc;
            }
            continue;
        }
        if (out->status == 401 || out->status == 403) {
            comb_registry_reply_free(out);
            return comb_fail(err, COMB_EAUTH, "registry %s: %s %s: %s (HTTP %ld)", r->refname,
                             method, path, out->status == 401 ? "authentication required" : "access denied",
                             out->status);
        }
        return COMB_OK;
    }
}

static void reply_error(comb_registry *r, const char *what, const comb_registry_reply *o,
                        comb_err *err)
{
    char msg[200] = "";
    for (size_t i = 0; o->body && i < o->len && i + 1 < sizeof msg; i++)
        msg[i] = o->body[i] >= ' ' && o->body[i] < 0x7f ? (char)o->body[i] : ' ';
    comb_fail(err, o->status == 404 ? COMB_ENOTFOUND : COMB_EIO, "registry %s: %s: HTTP %ld%s%s",
              r->refname, what, o->status, msg[0] ? ": " : "", msg);
}

comb_code comb_registry_put_blob(comb_registry *r, const void *data, size_t len, char digest[72],
                                 comb_err *err)
{
    if (comb_sha256_buf(data, len, digest))
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_registry_reply o;
    char path[300];
    snprintf(path, sizeof path, "blobs/%s", digest);
    comb_code rc = comb_registry_request(r, "HEAD", path, NULL, NULL, 0, 0, &o, err);
    comb_registry_reply_free(&o);
    if (rc == COMB_OK && o.status == 200)
        return COMB_OK; /* already there */
    if ((rc = comb_registry_request(r, "POST", "blobs/uploads/", NULL, NULL, 0, 64 << 10, &o, err)))
        return rc;
    if (o.status != 202 || !o.location[0]) {
        reply_error(r, "starting an upload", &o, err);
        comb_registry_reply_free(&o);
        return err->code;
    }
    char loc[2200];
    snprintf(loc, sizeof loc, "%s%sdigest=%s", o.location, strchr(o.location, '?') ? "&" : "?", digest);
    comb_registry_reply_free(&o);
    if ((rc = comb_registry_request(r, "PUT", loc, "application/octet-stream", data, len, 64 << 10,
                                    &o, err)))
        return rc;
    if (o.status != 201) {
        reply_error(r, "uploading a blob", &o, err);
        rc = err->code;
    } else if (o.digest[0] && strcmp(o.digest, digest)) {
        rc = comb_fail(err, COMB_EDIGEST, "registry %s: blob stored as %.80s, not %s", r->refname,
                       o.digest, digest);
    }
    comb_registry_reply_free(&o);
    return rc;
}

comb_code comb_registry_put_manifest(comb_registry *r, const char *ref, const char *media_type,
                                     const void *data, size_t len, int *subject_seen, comb_err *err)
{
    char path[300];
    snprintf(path, sizeof path, "manifests/%s", ref);
    comb_registry_reply o;
    comb_code rc = comb_registry_request(r, "PUT", path, media_type, data, len, 64 << 10, &o, err);
    if (rc)
        return rc;
    if (subject_seen)
        *subject_seen = o.subject[0] != '\0';
    if (o.status != 201) {
        reply_error(r, "pushing a manifest", &o, err);
        rc = err->code;
    }
    comb_registry_reply_free(&o);
    return rc;
}

comb_code comb_registry_referrers(comb_registry *r, const char *digest, const char *artifact_type,
                                  unsigned char **data, size_t *len, int *filtered, comb_err *err)
{
    char path[600], at[300];
    url_escape(artifact_type ? artifact_type : "", at, sizeof at);
    snprintf(path, sizeof path, "referrers/%s%s%s", digest, artifact_type ? "?artifactType=" : "",
             artifact_type ? at : "");
    comb_registry_reply o;
    comb_code rc = comb_registry_request(r, "GET", path, NULL, NULL, 0, COMB_REGISTRY_MAX_MANIFEST, &o, err);
    if (rc)
        return rc;
    if (o.status != 200) {
        reply_error(r, "referrers", &o, err);
        comb_registry_reply_free(&o);
        return o.status == 404 ? COMB_EUNSUPPORTED : err->code;
    }
    *filtered = strstr(o.filters, "artifactType") != NULL;
    *data = o.body;
    *len = o.len;
    return COMB_OK;
}
