/* fetch.c - see fetch.h. */
#include "vuln/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/http.h"


typedef struct xfer {
    int fd;
    uint64_t bytes, max;
    comb_sha256 sha;
    int too_big, write_failed;
    char etag[256], last_modified[64];
    long retry_after;
    const comb_fetch_opts *opts;
} xfer;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    if (x->bytes + len > x->max) {
        x->too_big = 1;
        return 0; /* aborts the transfer */
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(x->fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            x->write_failed = 1;
            return 0;
        }
        off += (size_t)w;
    }
    comb_sha256_update(&x->sha, p, len);
    x->bytes += len;
    return len;
}

/* Keep the validators of the final response (headers of redirects reset them). */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    char ra[16];
    if (comb_http_status_line(p, len)) {
        x->etag[0] = x->last_modified[0] = '\0';
        x->retry_after = 0;
    } else if (!comb_http_header(p, len, "etag", x->etag, sizeof x->etag) &&
               !comb_http_header(p, len, "last-modified", x->last_modified,
                                 sizeof x->last_modified) &&
               comb_http_header(p, len, "retry-after", ra, sizeof ra)) {
        long v = comb_http_retry_after(ra, 3600);
        x->retry_after = v > 0 ? v : 0;
    }
    return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)ultotal;
    (void)ulnow;
    const comb_fetch_opts *o = ud;
    if (o->progress)
        o->progress(o->progress_ud, (uint64_t)dlnow, (uint64_t)dltotal);
    return 0;
}

static int same_digest(const char *want, const char *got)
{
    if (!strncmp(want, "sha256:", 7))
        want += 7;
    return strlen(want) == 64 && !strcasecmp(want, got + 7);
}

comb_code comb_fetch(const char *url, const char *dest, const comb_fetch_opts *opts,
                     comb_fetch_result *res, comb_err *err)
{
    comb_fetch_opts def = { 0 };
    if (!opts)
        opts = &def;
    memset(res, 0, sizeof *res);
    int allowed = !strncmp(url, "https://", 8) ||
                  (opts->allow_http && !strncmp(url, "http://", 7)) || !strncmp(url, "file://", 7);
    if (!allowed)
        return comb_fail(err, COMB_EINVAL, "%s: only https:// (or file://) URLs are allowed", url);
    comb_http_init();
    int retries = opts->retries > 0 ? opts->retries : (opts->retries < 0 ? 0 : 3);
    unsigned delay = opts->backoff_ms ? opts->backoff_ms : 1000;
    char part[4096];
    if ((size_t)snprintf(part, sizeof part, "%s.part", dest) >= sizeof part)
        return comb_fail(err, COMB_EINVAL, "%s: path too long", dest);

    comb_code rc = COMB_EIO;
    for (int attempt = 0; attempt <= retries; attempt++) {
        res->attempts = attempt + 1;
        xfer x = { .max = opts->max_bytes ? opts->max_bytes : (2ULL << 30), .opts = opts };
        x.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (x.fd < 0)
            return comb_fail(err, COMB_EIO, "%s: %s", part, strerror(errno));
        if (comb_sha256_init(&x.sha)) {
            close(x.fd);
            unlink(part);
            return comb_fail(err, COMB_ENOMEM, "out of memory");
        }
        CURL *c = curl_easy_init();
        struct curl_slist *hdrs = NULL;
        char h[400];
        if (opts->etag && *opts->etag) {
            snprintf(h, sizeof h, "If-None-Match: %s", opts->etag);
            hdrs = curl_slist_append(hdrs, h);
        }
        if (opts->last_modified && *opts->last_modified) {
            snprintf(h, sizeof h, "If-Modified-Since: %s", opts->last_modified);
            hdrs = curl_slist_append(hdrs, h);
        }
        char cerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, opts->allow_http ? "https,http,file" : "https,file");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, opts->allow_http ? "https,http" : "https");
        curl_easy_setopt(c, CURLOPT_TIMEOUT, opts->timeout_s > 0 ? opts->timeout_s : 300L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "comb/" COMB_VERSION);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)opts);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, opts->progress ? 0L : 1L);
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(hdrs);
        curl_easy_cleanup(c);
        int fsync_failed = fsync(x.fd) != 0 && errno != EINVAL;
        close(x.fd);
        char digest[72];
        comb_sha256_final(&x.sha, digest);

        int transient = 0;
        if (x.too_big) {
            rc = comb_fail(err, COMB_ELIMIT, "%s: larger than %llu bytes", url,
                           (unsigned long long)x.max);
        } else if (x.write_failed || fsync_failed) {
            rc = comb_fail(err, COMB_EIO, "%s: writing %s failed", url, part);
        } else if (cc != CURLE_OK) {
            rc = comb_fail(err, COMB_EIO, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(cc));
            transient = cc != CURLE_UNSUPPORTED_PROTOCOL && cc != CURLE_URL_MALFORMAT;
        } else if (status == 304) {
            unlink(part);
            res->not_modified = 1;
            snprintf(res->etag, sizeof res->etag, "%s", opts->etag ? opts->etag : "");
            snprintf(res->last_modified, sizeof res->last_modified, "%s",
                     opts->last_modified ? opts->last_modified : "");
            return COMB_OK;
        } else if (status == 429 || status >= 500) {
            rc = comb_fail(err, COMB_EIO, "%s: HTTP %ld", url, status);
            transient = 1;
            if (x.retry_after > 0 && x.retry_after <= 60)
                delay = (unsigned)x.retry_after * 1000u > delay ? (unsigned)x.retry_after * 1000u : delay;
        } else if (status != 200 && status != 0) {
            rc = comb_fail(err, status == 404 ? COMB_ENOTFOUND : COMB_EIO, "%s: HTTP %ld", url, status);
        } else if (opts->sha256 && !same_digest(opts->sha256, digest)) {
            rc = comb_fail(err, COMB_EDIGEST, "%s: checksum mismatch: expected %s, got %s", url,
                           opts->sha256, digest);
            transient = 1; /* a truncated or corrupted transfer: try again */
        } else {
            if (rename(part, dest) != 0) {
                rc = comb_fail(err, COMB_EIO, "%s: %s", dest, strerror(errno));
                unlink(part);
                return rc;
            }
            res->bytes = x.bytes;
            memcpy(res->sha256, digest, sizeof res->sha256);
            snprintf(res->etag, sizeof res->etag, "%s", x.etag);
            snprintf(res->last_modified, sizeof res->last_modified, "%s", x.last_modified);
            return COMB_OK;
        }
        unlink(part);
        if (!transient || attempt == retries)
            break;
        comb_sleep_ms(delay);
        if (delay < 60000)
            delay *= 2;
    }
    if (res->attempts > 1)
        comb_err_prefix(err, "after %d attempts", res->attempts);
    return rc;
}
