/* http.c - see http.h. */
#include "core/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void comb_http_init(void) { pthread_once(&curl_once, curl_init_once); }

int comb_http_status_line(const char *p, size_t len)
{
    return len >= 5 && !strncmp(p, "HTTP/", 5);
}

int comb_http_header(const char *p, size_t len, const char *name, char *out, size_t outsz)
{
    const char *colon = memchr(p, ':', len);
    size_t nl = strlen(name);
    if (!colon || (size_t)(colon - p) != nl || strncasecmp(p, name, nl))
        return 0;
    const char *v = colon + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
    if (vl >= outsz)
        return 0;
    memcpy(out, v, vl);
    out[vl] = '\0';
    return 1;
}

long comb_http_retry_after(const char *value, long cap)
{
    if (!value || *value < '0' || *value > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end)
        return -1;
    return v > cap ? cap : v;
}

void comb_sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
