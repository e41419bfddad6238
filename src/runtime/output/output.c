/* output.c - alert sinks: stream, syslog datagrams, webhook thread; see output.h. */
#include "runtime/output/output.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct webhook {
    char *url;
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char **q;                   /* ring of lines */
    size_t cap, head, n;
    int closing;
    struct timespec deadline;   /* drain until (CLOCK_MONOTONIC), once closing */
    int attempts, backoff_ms, backoff_max_ms, timeout_ms;
    uint64_t delivered, failed, dropped, retries;
} webhook;

struct comb_output {
    pthread_mutex_t mu;         /* stream, syslog and counters */
    FILE *stream;
    int json;
    int syslog_fd;
    struct sockaddr_un syslog_addr;
    socklen_t syslog_len;
    webhook *wh;
    int drain_ms;
    comb_output_stats st;
};

/* ---- formatting --------------------------------------------------------------------- */

/* Like Falco's append_output with extra_fields (its default configuration
 * adds the container): every JSON alert names the container, whatever the
 * rule's output template holds. */
char *comb_output_format_json(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev,
                              const char *hostname)
{
    char *line = comb_alert_format_json(rs, rule, ev, hostname);
    if (!line)
        return NULL;
    json_error_t je;
    json_t *root = json_loads(line, 0, &je);
    json_t *fields = json_object_get(root, "output_fields");
    if (!json_is_object(fields)) {
        json_decref(root);
        return line;
    }
    const struct { const char *key, *val; } extra[] = {
        { "container.id", ev->container.id },
        { "container.name", ev->container.name },
        { "container.image.repository", ev->container.image_repository },
    };
    for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
        if (!json_object_get(fields, extra[i].key))
            json_object_set_new(fields, extra[i].key,
                                extra[i].val ? json_string(extra[i].val) : json_null());
    char *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!out)
        return line;
    free(line);
    return out;
}

/* ---- webhook ------------------------------------------------------------------------ */

static size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

/* 0 delivered, 1 retry, -1 failed for good. */
static int post(webhook *w, CURL *c, const char *line)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, w->url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, line);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)w->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    if (rc != CURLE_OK)
        return 1; /* connection refused, reset, timeout: try again */
    if (status >= 200 && status < 300)
        return 0;
    if (status >= 500 || status == 408 || status == 429)
        return 1;
    return -1;
}

static void add_ms(struct timespec *t, long ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static int past(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static int earlier(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *webhook_main(void *arg)
{
    webhook *w = arg;
    CURL *c = curl_easy_init();
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->n && !w->closing)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->n)
            break;
        if (w->closing && past(&w->deadline)) { /* out of time: the rest fails */
            w->failed += w->n;
            while (w->n) {
                free(w->q[w->head]);
                w->head = (w->head + 1) % w->cap;
                w->n--;
            }
            break;
        }
        char *line = w->q[w->head]; /* stays queued (in order) until settled */
        pthread_mutex_unlock(&w->mu);
        int delay = w->backoff_ms, outcome = c ? 1 : -1;
        for (int attempt = 1; c; attempt++) {
            outcome = post(w, c, line);
            if (outcome <= 0 || attempt >= w->attempts)
                break;
            pthread_mutex_lock(&w->mu);
            w->retries++;
            /* wait the backoff, but not past the drain deadline */
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            add_ms(&until, delay);
            int give_up = 0;
            while (!give_up && !past(&until)) {
                if (w->closing && past(&w->deadline))
                    give_up = 1;
                else
                    pthread_cond_timedwait(&w->cv, &w->mu,
                                           w->closing && earlier(&w->deadline, &until)
                                               ? &w->deadline : &until);
                if (w->closing && past(&w->deadline))
                    give_up = 1;
            }
            pthread_mutex_unlock(&w->mu);
            if (give_up)
                break;
            delay = delay > w->backoff_max_ms / 2 ? w->backoff_max_ms : delay * 2;
        }
        pthread_mutex_lock(&w->mu);
        if (outcome == 0)
            w->delivered++;
        else
            w->failed++;
        free(line);
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    pthread_mutex_unlock(&w->mu);
    if (c)
        curl_easy_cleanup(c);
    return NULL;
}

static void webhook_push(webhook *w, const char *line)
{
    pthread_mutex_lock(&w->mu);
    char *copy = w->n < w->cap ? strdup(line) : NULL;
    if (!copy) {
        w->dropped++;
    } else {
        w->q[(w->head + w->n) % w->cap] = copy;
        w->n++;
        pthread_cond_signal(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
}

static void webhook_free(webhook *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free(w->q[(w->head + i) % w->cap]);
    free(w->q);
    free(w->url);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

static comb_code webhook_start(const comb_output_opts *o, webhook **out, comb_err *err)
{
    if (strncmp(o->webhook_url, "http://", 7) && strncmp(o->webhook_url, "https://", 8))
        return comb_fail(err, COMB_EINVAL, "webhook: %s is not an http:// or https:// URL",
                         o->webhook_url);
    size_t cap = o->webhook_queue ? o->webhook_queue : COMB_WEBHOOK_QUEUE_DEFAULT;
    if (cap > COMB_WEBHOOK_QUEUE_MAX)
        return comb_fail(err, COMB_EINVAL, "webhook: queue of %zu lines is more than %u", cap,
                         COMB_WEBHOOK_QUEUE_MAX);
    if (curl_global_init(CURL_GLOBAL_DEFAULT))
        return comb_fail(err, COMB_EIO, "webhook: libcurl initialisation failed");
    webhook *w = calloc(1, sizeof *w);
    if (!w)
        return comb_fail(err, COMB_ENOMEM, "webhook: out of memory");
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    w->cap = cap;
    w->attempts = o->webhook_attempts > 0 ? o->webhook_attempts : 10;
    w->backoff_ms = o->webhook_backoff_ms > 0 ? o->webhook_backoff_ms : 100;
    w->backoff_max_ms = o->webhook_backoff_max_ms > 0 ? o->webhook_backoff_max_ms : 5000;
    w->timeout_ms = o->webhook_timeout_ms > 0 ? o->webhook_timeout_ms : 5000;
    w->url = strdup(o->webhook_url);
    w->q = calloc(cap, sizeof *w->q);
    if (!w->url || !w->q) {
        webhook_free(w);
        return comb_fail(err, COMB_ENOMEM, "webhook: out of memory");
    }
    if (pthread_create(&w->thread, NULL, webhook_main, w)) {
        webhook_free(w);
        return comb_fail(err, COMB_EIO, "webhook: cannot start its thread");
    }
    w->started = 1;
    *out = w;
    return COMB_OK;
}

/* ---- sinks ---------------------------------------------------------------------------- */

comb_code comb_output_open(const comb_output_opts *o, comb_output **out, comb_err *err)
{
    comb_output *p = calloc(1, sizeof *p);
    if (!p)
        return comb_fail(err, COMB_ENOMEM, "output: out of memory");
    pthread_mutex_init(&p->mu, NULL);
    p->stream = o->stream;
    p->json = o->json;
    p->syslog_fd = -1;
    p->drain_ms = o->drain_ms > 0 ? o->drain_ms : 10000;
    if (o->syslog_path) {
        size_t n = strlen(o->syslog_path);
        if (n >= sizeof p->syslog_addr.sun_path) {
            comb_output_close(p, NULL);
            return comb_fail(err, COMB_EINVAL, "syslog: socket path %.100s too long",
                             o->syslog_path);
        }
        p->syslog_addr.sun_family = AF_UNIX;
        memcpy(p->syslog_addr.sun_path, o->syslog_path, n + 1);
        p->syslog_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        p->syslog_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (p->syslog_fd < 0) {
            int e = errno;
            comb_output_close(p, NULL);
            return comb_fail(err, COMB_EIO, "syslog: socket: %s", strerror(e));
        }
    }
    if (o->webhook_url) {
        comb_code rc = webhook_start(o, &p->wh, err);
        if (rc) {
            comb_output_close(p, NULL);
            return rc;
        }
    }
    *out = p;
    return COMB_OK;
}

/* "<14>Nov 28 18:30:00 comb[123]: line", as syslog(3) sends it. */
static void send_syslog(comb_output *p, comb_priority prio, const char *line)
{
    char hdr[64];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int n = snprintf(hdr, sizeof hdr, "<%d>", 8 /* LOG_USER */ + (int)(prio & 7));
    n += (int)strftime(hdr + n, sizeof hdr - (size_t)n, "%b %e %H:%M:%S ", &tm);
    snprintf(hdr + n, sizeof hdr - (size_t)n, "comb[%ld]: ", (long)getpid());
    size_t hl = strlen(hdr), ll = strlen(line);
    char *msg = malloc(hl + ll);
    if (!msg) {
        p->st.syslog_failed++;
        return;
    }
    memcpy(msg, hdr, hl);
    memcpy(msg + hl, line, ll);
    ssize_t w = sendto(p->syslog_fd, msg, hl + ll, MSG_DONTWAIT | MSG_NOSIGNAL,
                       (struct sockaddr *)&p->syslog_addr, p->syslog_len);
    free(msg);
    if (w == (ssize_t)(hl + ll))
        p->st.syslog_sent++;
    else
        p->st.syslog_failed++;
}

static comb_code emit(comb_output *p, comb_priority prio, const char *json, const char *text,
                      comb_err *err)
{
    const char *line = p->json ? json : text;
    comb_code rc = COMB_OK;
    pthread_mutex_lock(&p->mu);
    p->st.lines++;
    /* one line per alert, flushed: readers follow the stream as it grows */
    if (p->stream && (fprintf(p->stream, "%s\n", line) < 0 || fflush(p->stream))) {
        p->st.stream_failed++;
        rc = comb_fail(err, COMB_EIO, "writing alerts: %s", strerror(errno));
    }
    if (p->syslog_fd >= 0)
        send_syslog(p, prio, line);
    pthread_mutex_unlock(&p->mu);
    if (p->wh)
        webhook_push(p->wh, json);
    return rc;
}

comb_code comb_output_alert(comb_output *p, comb_ruleset *rs, const comb_rule *rule,
                            const comb_event *ev, const char *hostname, comb_err *err)
{
    char *json = NULL, *text = NULL;
    if (p->json || p->wh)
        json = comb_output_format_json(rs, rule, ev, hostname);
    if (!p->json)
        text = comb_alert_format_text(rs, rule, ev);
    comb_code rc;
    if ((!json && (p->json || p->wh)) || (!text && !p->json))
        rc = comb_fail(err, COMB_ENOMEM, "formatting an alert: out of memory");
    else
        rc = emit(p, comb_rule_priority(rule), json, text, err);
    free(json);
    free(text);
    return rc;
}

comb_code comb_output_line(comb_output *p, comb_priority prio, const char *json, const char *text,
                           comb_err *err)
{
    return emit(p, prio, json, text, err);
}

void comb_output_close(comb_output *p, comb_output_stats *st)
{
    if (!p)
        return;
    if (p->wh && p->wh->started) {
        webhook *w = p->wh;
        pthread_mutex_lock(&w->mu);
        w->closing = 1;
        clock_gettime(CLOCK_MONOTONIC, &w->deadline);
        add_ms(&w->deadline, p->drain_ms);
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        p->st.webhook_delivered = w->delivered;
        p->st.webhook_failed = w->failed;
        p->st.webhook_dropped = w->dropped;
        p->st.webhook_retries = w->retries;
    }
    webhook_free(p->wh);
    if (p->syslog_fd >= 0)
        close(p->syslog_fd);
    pthread_mutex_destroy(&p->mu);
    if (st)
        *st = p->st;
    free(p);
}
