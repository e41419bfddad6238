/* agent.h - `comb agent`: a node's records on their way to comb server.
 *
 * Every record (an inventory, ...) is first written to a spool directory:
 * a temporary file, fsync'd, renamed to "<ns since epoch, 20 digits>-<pid>-
 * <kind>.json" and the directory fsync'd, so a record survives a crash as
 * soon as it is spooled. Delivery sends the spooled files oldest first
 * (HTTPS POST with a Bearer token) and removes each only after the server
 * answered 2xx; the first failure stops the round, and the caller backs
 * off (exponentially) before the next. Each is sent with its spool name as
 * X-Comb-Record-Id, so a resend after a lost answer is stored once by the
 * server; nothing is dropped while the server is away.
 */
#ifndef COMB_AGENT_AGENT_H
#define COMB_AGENT_AGENT_H

#include <stddef.h>

#include "core/error.h"

#define COMB_SPOOL_MAX_FILES 100000
#define COMB_SPOOL_MAX_RECORD (32u << 20)

typedef struct comb_agent_target {
    const char *server;   /* "https://host:port" */
    const char *node;     /* plain name */
    const char *token;    /* API token of an operator */
    const char *cacert;   /* PEM bundle to trust (NULL: the system's) */
    const char *client_cert, *client_key; /* optional TLS client certificate */
    long timeout;         /* seconds per request (default 30) */
} comb_agent_target;

/* Spool one record of `kind` ("inventory", "scan", "bench", "alert", "segmentation"). */
comb_code comb_spool_put(const char *dir, const char *kind, const char *body, size_t len, comb_err *err);

/* Spool a record under a name the caller chose before: "<ns>-follow-0000-
 * <kind>.json". Spooling it again (after a crash) gives the same record id,
 * so the server stores it once. */
comb_code comb_spool_put_as(const char *dir, unsigned long long ns, const char *kind, const char *body,
                            size_t len, comb_err *err);

/* Number of records waiting in dir (-1 when it cannot be read). */
long comb_spool_count(const char *dir);

/* Deliver the spooled records, oldest first; *sent counts those delivered.
 * COMB_OK when the spool is empty afterwards, else the first failure. */
comb_code comb_spool_deliver(const char *dir, const comb_agent_target *t, size_t *sent, comb_err *err);

#endif
