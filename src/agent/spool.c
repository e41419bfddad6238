/* spool.c - the agent's durable spool and its delivery (see agent.h). */
#include "agent/agent.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compliance/containers.h"
#include "core/http.h"
#include "core/readfile.h"

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Write body durably as dir/final (a temporary file renamed into place). */
static comb_code spool_write(const char *dir, const char *final, const char *kind, const char *body,
                             size_t len, comb_err *err)
{
    static unsigned long seq;
    char tmp[4200];
    if (!comb_container_safe_id(kind))
        return comb_fail(err, COMB_EINVAL, "spool: bad record kind");
    if (comb_spool_count(dir) >= COMB_SPOOL_MAX_FILES)
        return comb_fail(err, COMB_ELIMIT, "%s: spool full (%d records)", dir, COMB_SPOOL_MAX_FILES);
    snprintf(tmp, sizeof tmp, "%s/.tmp-%d-%lu", dir, (int)getpid(), seq++);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", tmp, strerror(errno));
    int e = comb_write_fd_sync(fd, body, len);
    if (e || rename(tmp, final) || fsync_dir(dir)) {
        int saved = e ? e : errno;
        unlink(tmp);
        return comb_fail(err, COMB_EIO, "%s: %s", final, strerror(saved));
    }
    return COMB_OK;
}

comb_code comb_spool_put(const char *dir, const char *kind, const char *body, size_t len, comb_err *err)
{
    static unsigned long seq;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char final[4200];
    unsigned long long ns = (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
    snprintf(final, sizeof final, "%s/%020llu-%d-%04lu-%.32s.json", dir, ns, (int)getpid(), seq++ % 10000,
             kind);
    return spool_write(dir, final, kind, body, len, err);
}

comb_code comb_spool_put_as(const char *dir, unsigned long long ns, const char *kind, const char *body,
                            size_t len, comb_err *err)
{
    char final[4200];
    snprintf(final, sizeof final, "%s/%020llu-follow-0000-%.32s.json", dir, ns, kind);
    return spool_write(dir, final, kind, body, len, err);
}

static int spooled(const struct dirent *de)
{
    size_t n = strlen(de->d_name);
    return de->d_name[0] != '.' && n > 25 && !strcmp(de->d_name + n - 5, ".json");
}

long comb_spool_count(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += spooled(de);
    closedir(d);
    return n;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

/* POST one record; 0 on 2xx, else -1 with err set (HTTP 4xx other than
 * 408/429 is permanent: the record is kept aside, not retried forever). */
static int post(CURL *c, const comb_agent_target *t, const char *kind, const char *rid, const char *body,
                size_t len, long *status, comb_err *err)
{
    char url[1200], auth[200], ridh[300];
    snprintf(url, sizeof url, "%s/api/v1/nodes/%s/%s", t->server, t->node, kind);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->token);
    /* the spool name identifies the record: a resend after a lost answer is stored once */
    snprintf(ridh, sizeof ridh, "X-Comb-Record-Id: %s", rid);
    struct curl_slist *h0 = curl_slist_append(NULL, ridh);
    struct curl_slist *h = h0 ? curl_slist_append(h0, auth) : NULL;
    struct curl_slist *h2 = h ? curl_slist_append(h, !strcmp(kind, "alert") ? "Content-Type: application/x-ndjson"
                                                                          : "Content-Type: application/json")
                              : NULL;
    if (!h2) {
        curl_slist_free_all(h0);
        comb_fail(err, COMB_ENOMEM, "out of memory");
        return -1;
    }
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h2);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, t->timeout > 0 ? t->timeout : 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    if (t->cacert)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->cacert);
    if (t->client_cert)
        curl_easy_setopt(c, CURLOPT_SSLCERT, t->client_cert);
    if (t->client_key)
        curl_easy_setopt(c, CURLOPT_SSLKEY, t->client_key);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(h2);
    *status = 0;
    if (rc != CURLE_OK) {
        comb_fail(err, COMB_EIO, "%s: %s", t->server, curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (*status < 200 || *status > 299) {
        comb_fail(err, *status == 401 || *status == 403 ? COMB_EAUTH : COMB_EIO, "%s: HTTP %ld for %s",
                  t->server, *status, kind);
        return -1;
    }
    return 0;
}

comb_code comb_spool_deliver(const char *dir, const comb_agent_target *t, size_t *sent, comb_err *err)
{
    *sent = 0;
    struct dirent **names;
    int n = scandir(dir, &names, spooled, alphasort);
    if (n < 0)
        return comb_fail(err, COMB_EIO, "%s: %s", dir, strerror(errno));
    comb_http_init();
    CURL *c = curl_easy_init();
    comb_code rc = c ? COMB_OK : comb_fail(err, COMB_ENOMEM, "out of memory");
    for (int i = 0; i < n && !rc; i++) {
        char path[4200], kind[64] = "", rid[200];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        /* <ns>-<pid>-<seq>-<kind>.json */
        const char *k = strrchr(names[i]->d_name, '-');
        snprintf(kind, sizeof kind, "%.*s", k ? (int)(strlen(k + 1) - 5) : 0, k ? k + 1 : "");
        snprintf(rid, sizeof rid, "%.*s", (int)(strlen(names[i]->d_name) - 5), names[i]->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        unsigned char *body;
        size_t len;
        if (fd < 0 || comb_read_fd(fd, COMB_SPOOL_MAX_RECORD, path, &body, &len, err)) {
            rc = comb_fail(err, COMB_EIO, "%s: unreadable spooled record", path);
            break;
        }
        long status;
        if (post(c, t, kind, rid, (const char *)body, len, &status, err)) {
            rc = err->code;
            if (status >= 400 && status < 500 && status != 401 && status != 403 && status != 408 &&
                status != 429) {
                /* refused for good: kept aside for a person, never resent */
                char bad[4300];
                snprintf(bad, sizeof bad, "%s/.rejected-%s", dir, names[i]->d_name);
                if (rename(path, bad) == 0)
                    rc = COMB_OK; /* go on with the next record */
            }
        } else if (unlink(path) == 0) {
            (*sent)++;
        }
        free(body);
    }
    fsync_dir(dir);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    curl_easy_cleanup(c);
    return rc;
}
