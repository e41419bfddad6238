/* webhook.c - see webhook.h. */
#include "registry/server/webhook.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/http.h"
#include "registry/server/workq.h"

#define PENDING 1024

struct rs_hooks {
    char url[2048];
    int retries;
    rs_workq *q;
};

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

/* 1 delivered (2xx), 0 worth retrying, -1 refused for good (4xx). */
static int post(const rs_hooks *h, const char *body)
{
    CURL *e = curl_easy_init();
    if (!e)
        return 0;
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, h->url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "comb-registry/" COMB_VERSION);
    long status = 0;
    CURLcode cc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(e);
    if (cc != CURLE_OK)
        return 0;
    if (status >= 200 && status < 300)
        return 1;
    return status == 429 || status >= 500 ? 0 : -1;
}

static void deliver(void *ctx, void *item)
{
    rs_hooks *h = ctx;
    char *body = item;
    unsigned delay = 1000;
    for (int attempt = 0; attempt <= h->retries; attempt++) {
        if (post(h, body))
            break;
        if (attempt < h->retries) {
            comb_sleep_ms(delay);
            delay = delay < 30000 ? delay * 2 : delay;
        }
    }
    free(body);
}

comb_code rs_hooks_start(const char *url, int retries, rs_hooks **out, comb_err *err)
{
    *out = NULL;
    if (!url)
        return COMB_OK;
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return comb_fail(err, COMB_EINVAL, "--webhook %.200s: not an http(s) URL", url);
    rs_hooks *h = calloc(1, sizeof *h);
    if (!h)
        return comb_fail(err, COMB_ENOMEM, "out of memory");
    comb_http_init();
    snprintf(h->url, sizeof h->url, "%s", url);
    h->retries = retries;
    comb_code rc = rs_workq_start(PENDING, deliver, h, &h->q, err);
    if (rc) {
        free(h);
        return rc;
    }
    *out = h;
    return COMB_OK;
}

void rs_hooks_event(rs_hooks *h, const char *type, const char *repo, const char *digest,
                    const char *tag, const char *detail)
{
    if (!h)
        return;
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *j = json_pack("{s:s,s:s,s:s,s:s}", "type", type, "time", when, "repository", repo,
                          "digest", digest ? digest : "");
    if (tag && *tag)
        json_object_set_new(j, "tag", json_string(tag));
    if (detail && *detail)
        json_object_set_new(j, "detail", json_string(detail));
    char *body = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    if (!body)
        return;
    if (rs_workq_push(h->q, body))
        free(body);
}

void rs_hooks_stop(rs_hooks *h)
{
    if (!h)
        return;
    rs_workq_stop(h->q, 1);
    free(h);
}
