/* http.h - small pieces shared by comb's libcurl users (vuln/fetch.c for
 * `comb db update`, registry/client.c for image pulls): one-time global
 * initialisation, header-line parsing, Retry-After, and sleeping between
 * retries. */
#ifndef COMB_CORE_HTTP_H
#define COMB_CORE_HTTP_H

#include <stddef.h>

/* curl_global_init() once per process (thread-safe). */
void comb_http_init(void);

/* If the raw header line p[0..len) is "Name: value" with Name equal to
 * `name` (case-insensitive), copy the trimmed value into out (NUL-terminated)
 * and return 1; 0 otherwise, or when the value does not fit. */
int comb_http_header(const char *p, size_t len, const char *name, char *out, size_t outsz);

/* 1 if the line starts a new response ("HTTP/..."): headers of a redirect
 * or a 100-continue come before the final ones. */
int comb_http_status_line(const char *p, size_t len);

/* Retry-After in seconds (delta-seconds form only), clamped to [0, cap];
 * -1 if absent or not a number. */
long comb_http_retry_after(const char *value, long cap);

void comb_sleep_ms(unsigned ms);

#endif
