/* output.h - where `comb watch` and `comb replay` send alerts and response
 * lines: a stream (standard output or -o FILE), syslog, an HTTP webhook.
 *
 * Every line goes to every configured sink. The stream is written and
 * flushed at once. Syslog gets one datagram per line on a unix socket
 * (/dev/log, or another path), sent without blocking: a full socket buffer
 * drops the line and counts it. The webhook POSTs each line (the Falco JSON
 * alert, whatever the stream's format) from its own thread: lines wait in a
 * bounded queue (a full queue drops and counts), each is retried on
 * connection errors, 408, 429 and 5xx with exponential backoff up to a cap
 * and a number of attempts, and is failed at once on another status. At
 * close the queue is drained for at most drain_ms. Thread-safe: the
 * responder's thread writes response lines next to the detection loop.
 */
#ifndef COMB_RUNTIME_OUTPUT_OUTPUT_H
#define COMB_RUNTIME_OUTPUT_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "runtime/rules/rules.h"

#define COMB_SYSLOG_DEFAULT "/dev/log"
#define COMB_WEBHOOK_QUEUE_DEFAULT 4096
#define COMB_WEBHOOK_QUEUE_MAX 1000000
#define COMB_OUTPUT_MAX_LINE (1u << 20)

typedef struct comb_output_opts {
    FILE *stream;               /* NULL: none */
    int json;                   /* stream and syslog format: JSON (1) or text (0) */
    const char *syslog_path;    /* NULL: no syslog */
    const char *webhook_url;    /* NULL: no webhook */
    size_t webhook_queue;       /* lines waiting; 0: COMB_WEBHOOK_QUEUE_DEFAULT */
    int webhook_attempts;       /* per line; 0: 10 */
    int webhook_backoff_ms;     /* first wait; 0: 100 */
    int webhook_backoff_max_ms; /* cap; 0: 5000 */
    int webhook_timeout_ms;     /* one request; 0: 5000 */
    int drain_ms;               /* at close; 0: 10000 */
} comb_output_opts;

typedef struct comb_output_stats {
    uint64_t lines;                         /* alerts and response lines emitted */
    uint64_t stream_failed;
    uint64_t syslog_sent, syslog_failed;
    uint64_t webhook_delivered, webhook_failed, webhook_dropped, webhook_retries;
} comb_output_stats;

typedef struct comb_output comb_output;

comb_code comb_output_open(const comb_output_opts *o, comb_output **out, comb_err *err);

/* An alert: formatted as Falco's JSON (with the container fields Falco's
 * default configuration adds) or text line, sent to every sink. Fails only
 * when it cannot be formatted (out of memory) or the stream fails. */
comb_code comb_output_alert(comb_output *out, comb_ruleset *rs, const comb_rule *rule,
                            const comb_event *ev, const char *hostname, comb_err *err);

/* A line made elsewhere (a response outcome), in both forms; prio is the
 * syslog severity (comb_priority). */
comb_code comb_output_line(comb_output *out, comb_priority prio, const char *json,
                           const char *text, comb_err *err);

/* Drain the webhook (bounded), stop its thread, fill st; out may be NULL.
 * The stream is not closed. */
void comb_output_close(comb_output *out, comb_output_stats *st);

/* The JSON alert line alone (malloc'd; NULL on ENOMEM). */
char *comb_output_format_json(comb_ruleset *rs, const comb_rule *rule, const comb_event *ev,
                              const char *hostname);

#endif
